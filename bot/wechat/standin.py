"""A stand-in for WeChat's official-account API: a real HTTP server speaking WeChat's JSON.

Used by the test suite and by the built-in simulator (mounted at ``STANDIN_MOUNT``). The WeChat
endpoints live under ``/cgi-bin/`` with WeChat's paths, parameters and JSON shapes; errors are
``{"errcode": N, "errmsg": "..."}`` with HTTP 200, as WeChat answers them.

A control API under ``/_standin/`` (not WeChat's) injects faults, expires tokens, marks users as
unfollowed or refusing, and shows what was sent:

- ``POST /_standin/faults`` ``{"endpoint": "message/custom/send" | "*", "errcode": 45009 | "http500" | null,
  "times": 2, "delay_s": 0.0}``: the next ``times`` calls to that endpoint (path after ``/cgi-bin/``;
  ``*`` matches every endpoint, the token endpoints included) wait ``delay_s`` and then fail with
  ``errcode`` (or succeed after the delay when ``errcode`` is null). ``GET`` lists pending faults,
  ``DELETE`` drops them.
- ``POST /_standin/expire-tokens``: every token issued so far now answers 42001.
- ``POST /_standin/unfollow`` ``{"openid", "refused": false}``: the user unfollowed (43004) or, with
  ``refused``, refuses messages (43101). ``POST /_standin/follow`` ``{"openid", "nickname"}`` undoes it.
- ``POST /_standin/reset``; ``GET /_standin/calls``; ``GET /_standin/messages?touser=&after=``;
  ``GET /_standin/menu``; ``GET /_standin/users``; ``GET /_standin/stats``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

TOKEN_TTL_S = 7200
# After /cgi-bin/token issues a new token the previous one stays valid this long (WeChat: 5 minutes).
OLD_TOKEN_GRACE_S = 300
TEMPLATE_DEDUP_WINDOW_S = 600
MAX_RECORDS = 10_000
SYSTEM_TAGS = {2: "星标组"}
FIRST_TAG_ID = 100
MAX_TAGS = 100
MAX_TAGS_PER_USER = 20
MAX_BATCH_TAGGING = 50
USER_PAGE_SIZE = 10_000
TOKEN_ENDPOINTS = ("token", "stable_token")

ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40032: "invalid openid list size",
    40037: "invalid template_id",
    40097: "invalid args",
    40125: "invalid appsecret",
    40130: "invalid openid list size, at least two openid",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45056: "too many tags",
    45058: "can't modify sys tag",
    45059: "fans tag count exceeds limit",
    45065: "clientmsgid exist",
    45157: "invalid tag name",
    45158: "tag name too long",
    45159: "invalid tag id",
    46003: "menu no exist",
    47001: "data format error",
    48001: "api unauthorized",
}

CUSTOM_MSGTYPES = {
    "text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle",
    "msgmenu", "wxcard", "miniprogrampage",
}  # fmt: skip
MASS_MSGTYPES = {"text", "image", "voice", "mpvideo", "mpnews", "wxcard"}
MEDIA_MSGTYPES = {"image", "voice", "video", "mpnews", "mpvideo"}
KEY_BUTTONS = {
    "click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
    "pic_weixin", "location_select",
}  # fmt: skip
BUTTON_TYPES = KEY_BUTTONS | {
    "view", "miniprogram", "media_id", "view_limited", "article_id", "article_view_limited",
}  # fmt: skip


class WeChatError(Exception):
    """An error answer: ``{"errcode": N, "errmsg": ...}`` plus optional extra fields."""

    def __init__(self, errcode: int, errmsg: str | None = None, **extra: Any) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSG.get(errcode, "error")
        self.extra = extra

    def body(self) -> dict[str, Any]:
        # WeChat appends a request id to every error message; callers must compare errcode, not errmsg.
        return {"errcode": self.errcode, "errmsg": f"{self.errmsg} rid: {secrets.token_hex(6)}", **self.extra}


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _nbytes(value: Any) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def _redact(data: Any) -> Any:
    """Hide secrets (appsecret) from the call log."""
    if isinstance(data, dict):
        return {
            k: ("***" if k in ("secret", "appsecret", "access_token") else _redact(v))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_redact(v) for v in data]
    return data


@dataclass
class _Token:
    value: str
    kind: str  # "token" or "stable"
    expires_at: float
    invalidated: bool = False


@dataclass
class _User:
    openid: str
    nickname: str = ""
    subscribed: bool = True
    refused: bool = False
    tags: list[int] = field(default_factory=list)
    subscribe_time: int = field(default_factory=lambda: int(time.time()))


@dataclass
class _Fault:
    endpoint: str
    errcode: int | str | None
    times: int
    delay_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "errcode": self.errcode,
            "times": self.times,
            "delay_s": self.delay_s,
        }


Handler = Callable[[dict[str, str], dict[str, Any]], dict[str, Any]]


class StandinState:
    """Everything the stand-in knows; every public method holds the lock."""

    def __init__(self, appid: str, secret: str, token_ttl_s: int = TOKEN_TTL_S) -> None:
        self.appid = appid
        self.secret = secret
        self.token_ttl_s = token_ttl_s
        self.lock = threading.RLock()
        # (method set, handler, needs a JSON body)
        self.routes: dict[str, tuple[set[str], Handler, bool]] = {
            "message/custom/send": ({"POST"}, self._custom_send, True),
            "message/template/send": ({"POST"}, self._template_send, True),
            "message/mass/sendall": ({"POST"}, self._mass_sendall, True),
            "message/mass/send": ({"POST"}, self._mass_send, True),
            "menu/create": ({"POST"}, self._menu_create, True),
            "menu/get": ({"GET", "POST"}, self._menu_get, False),
            "menu/delete": ({"GET", "POST"}, self._menu_delete, False),
            "tags/create": ({"POST"}, self._tags_create, True),
            "tags/get": ({"GET", "POST"}, self._tags_get, False),
            "tags/update": ({"POST"}, self._tags_update, True),
            "tags/delete": ({"POST"}, self._tags_delete, True),
            "tags/members/batchtagging": ({"POST"}, self._batch_tagging, True),
            "tags/members/batchuntagging": ({"POST"}, self._batch_untagging, True),
            "tags/getidlist": ({"POST"}, self._tag_id_list, True),
            "user/tag/get": ({"POST"}, self._tag_users, True),
            "user/info": ({"GET", "POST"}, self._user_info, False),
            "user/get": ({"GET", "POST"}, self._user_get, False),
        }
        self.reset()

    # -- bookkeeping -------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.tokens: dict[str, _Token] = {}
            self.current: dict[str, str] = {}  # kind -> newest token value
            self.faults: list[_Fault] = []
            self.calls: deque[dict[str, Any]] = deque(maxlen=MAX_RECORDS)
            self.messages: deque[dict[str, Any]] = deque(maxlen=MAX_RECORDS)
            self.users: dict[str, _User] = {}
            self.tags: dict[int, str] = {}
            self.menu: dict[str, Any] | None = None
            self.template_sent: dict[tuple[str, str], tuple[int, float]] = {}
            self.mass_sent: dict[str, int] = {}
            self.next_call_id = 1
            self.next_message_id = 1
            self.next_tag_id = FIRST_TAG_ID
            self.next_msgid = 2_000_000_001
            self.stats: dict[str, int] = {"token_fetches": 0, "tokens_issued": 0, "calls": 0, "errors": 0}
            self.token_fetches: dict[str, int] = {"token": 0, "stable_token": 0}
            self.sent: dict[str, int] = {"custom": 0, "template": 0, "mass": 0}

    def add_fault(self, endpoint: str, errcode: int | str | None, times: int, delay_s: float) -> None:
        with self.lock:
            self.faults.append(_Fault(endpoint.strip("/"), errcode, times, delay_s))

    def take_fault(self, endpoint: str) -> _Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.endpoint in (endpoint, "*"):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return _Fault(fault.endpoint, fault.errcode, 1, fault.delay_s)
            return None

    def record_call(
        self, method: str, endpoint: str, query: dict[str, str], raw: bytes, errcode: int | None, status: int
    ) -> None:
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self.lock:
            self.calls.append(
                {
                    "id": self.next_call_id,
                    "method": method,
                    "path": "/cgi-bin/" + endpoint,
                    "endpoint": endpoint,
                    "query": _redact({k: v for k, v in query.items() if k != "access_token"}),
                    "body": _redact(body),
                    "errcode": errcode,
                    "http_status": status,
                    "time": _now_iso(),
                }
            )
            self.next_call_id += 1
            self.stats["calls"] += 1
            if errcode not in (0, None) or status >= 400:
                self.stats["errors"] += 1

    def expire_tokens(self) -> int:
        with self.lock:
            now = time.time()
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, now)
            return len(self.tokens)

    def set_follow(
        self, openid: str, subscribed: bool, refused: bool, nickname: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            user = self._user(openid)
            user.subscribed = subscribed
            user.refused = refused
            if nickname is not None:
                user.nickname = nickname
            if subscribed:
                user.subscribe_time = int(time.time())
            return self._user_json(user)

    def list_messages(self, touser: str | None, after: int) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if m["id"] > after and (touser is None or m["touser"] == touser)]

    def snapshot_stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                **self.stats,
                "token_fetches_by_endpoint": dict(self.token_fetches),
                "messages": dict(self.sent),
                "users": len(self.users),
                "tags": len(self.tags),
                "menu": self.menu is not None,
                "pending_faults": sum(f.times for f in self.faults),
            }

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, method: str, endpoint: str, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        """Answer one /cgi-bin/ call (faults already applied by the caller)."""
        try:
            if endpoint == "token":
                return self._token(query)
            if endpoint == "stable_token":
                return self._stable_token(self._json_body(raw))
            route = self.routes.get(endpoint)
            if route is None:
                raise WeChatError(48001, f"api unauthorized, the stand-in does not implement {endpoint}")
            methods, handler, needs_body = route
            self._check_token(query.get("access_token"))
            if method not in methods:
                raise WeChatError(44002 if "POST" in methods else 40097)
            body = self._json_body(raw) if needs_body else {}
            with self.lock:
                result = handler(query, body)
            return result
        except WeChatError as err:
            return err.body()

    @staticmethod
    def _json_body(raw: bytes) -> dict[str, Any]:
        if not raw.strip():
            raise WeChatError(44002)
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise WeChatError(47001, "data format error") from exc
        if not isinstance(body, dict):
            raise WeChatError(47001)
        return body

    # -- tokens ------------------------------------------------------------------------------

    def _check_credentials(self, grant_type: Any, appid: Any, secret: Any) -> None:
        if grant_type != "client_credential":
            raise WeChatError(40002)
        if not appid:
            raise WeChatError(41002)
        if not secret:
            raise WeChatError(41004)
        if appid != self.appid:
            raise WeChatError(40013)
        if secret != self.secret:
            raise WeChatError(40125)

    def _issue(self, kind: str) -> _Token:
        token = _Token(secrets.token_urlsafe(48), kind, time.time() + self.token_ttl_s)
        self.tokens[token.value] = token
        self.current[kind] = token.value
        self.stats["tokens_issued"] += 1
        return token

    def _token_answer(self, token: _Token, endpoint: str) -> dict[str, Any]:
        self.stats["token_fetches"] += 1
        self.token_fetches[endpoint] += 1
        return {"access_token": token.value, "expires_in": max(0, round(token.expires_at - time.time()))}

    def _token(self, query: dict[str, str]) -> dict[str, Any]:
        self._check_credentials(query.get("grant_type"), query.get("appid"), query.get("secret"))
        with self.lock:
            old = self.tokens.get(self.current.get("token", ""))
            if old is not None:
                old.expires_at = min(old.expires_at, time.time() + OLD_TOKEN_GRACE_S)
            return self._token_answer(self._issue("token"), "token")

    def _stable_token(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_credentials(body.get("grant_type"), body.get("appid"), body.get("secret"))
        force = body.get("force_refresh") in (True, "true", 1)
        with self.lock:
            current = self.tokens.get(self.current.get("stable", ""))
            if force and current is not None:
                current.invalidated = True
            if force or current is None or current.invalidated or current.expires_at <= time.time():
                current = self._issue("stable")
            return self._token_answer(current, "stable_token")

    def _check_token(self, value: str | None) -> None:
        if not value:
            raise WeChatError(41001)
        with self.lock:
            token = self.tokens.get(value)
            if token is None or token.invalidated:
                raise WeChatError(40001)
            if token.expires_at <= time.time():
                raise WeChatError(42001)

    # -- users -------------------------------------------------------------------------------

    def _user(self, openid: str) -> _User:
        """The user with this openid; an unknown openid is a follower we had not met yet."""
        user = self.users.get(openid)
        if user is None:
            user = self.users[openid] = _User(openid)
        return user

    def _reachable(self, openid: Any) -> _User:
        if not isinstance(openid, str) or not openid:
            raise WeChatError(40003)
        user = self._user(openid)
        if not user.subscribed:
            raise WeChatError(43004)
        if user.refused:
            raise WeChatError(43101)
        return user

    def _user_json(self, user: _User) -> dict[str, Any]:
        if not user.subscribed:
            return {"subscribe": 0, "openid": user.openid}
        return {
            "subscribe": 1,
            "openid": user.openid,
            "nickname": user.nickname,
            "sex": 0,
            "language": "zh_CN",
            "city": "",
            "province": "",
            "country": "",
            "headimgurl": "",
            "subscribe_time": user.subscribe_time,
            "remark": "",
            "groupid": 0,
            "tagid_list": list(user.tags),
            "subscribe_scene": "ADD_SCENE_OTHERS",
            "qr_scene": 0,
            "qr_scene_str": "",
        }

    def _user_info(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        openid = query.get("openid")
        if not openid:
            raise WeChatError(40003)
        return self._user_json(self._user(openid))

    def _user_get(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        followers = sorted(u.openid for u in self.users.values() if u.subscribed)
        start = query.get("next_openid") or ""
        page = [o for o in followers if o > start][:USER_PAGE_SIZE] if start else followers[:USER_PAGE_SIZE]
        answer: dict[str, Any] = {
            "total": len(followers),
            "count": len(page),
            "next_openid": page[-1] if page else "",
        }
        if page:
            answer["data"] = {"openid": page}
        return answer

    # -- messages ----------------------------------------------------------------------------

    def _new_msgid(self) -> int:
        self.next_msgid += 1
        return self.next_msgid

    def _record_message(
        self, touser: str, kind: str, msgtype: str, payload: dict[str, Any], **extra: Any
    ) -> None:
        self.messages.append(
            {
                "id": self.next_message_id,
                "touser": touser,
                "kind": kind,
                "msgtype": msgtype,
                "payload": payload,
                "created_at": _now_iso(),
                **extra,
            }
        )
        self.next_message_id += 1
        self.sent[kind] += 1

    @staticmethod
    def _check_content(msgtype: str, body: dict[str, Any]) -> None:
        part = body.get(msgtype)
        if not isinstance(part, dict):
            raise WeChatError(44002 if part is None else 47001)
        if msgtype == "text" and not (isinstance(part.get("content"), str) and part["content"].strip()):
            raise WeChatError(44004)
        if msgtype in MEDIA_MSGTYPES and not part.get("media_id"):
            raise WeChatError(40007)

    def _custom_send(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        touser = body.get("touser")
        if not isinstance(touser, str) or not touser:
            raise WeChatError(40003)
        msgtype = body.get("msgtype")
        if msgtype not in CUSTOM_MSGTYPES:
            raise WeChatError(40008)
        if msgtype == "news":
            articles = (
                (body.get("news") or {}).get("articles") if isinstance(body.get("news"), dict) else None
            )
            if not isinstance(articles, list) or not articles:
                raise WeChatError(44003)
            # Since 2018 a customer-service news message carries exactly one article.
            if len(articles) > 1:
                raise WeChatError(45008)
            if not all(isinstance(a, dict) and a.get("title") for a in articles):
                raise WeChatError(44003)
        else:
            self._check_content(msgtype, body)
        self._reachable(touser)
        self._record_message(touser, "custom", msgtype, body)
        return _ok()

    def _template_send(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        touser = body.get("touser")
        if not isinstance(touser, str) or not touser:
            raise WeChatError(40003)
        if not isinstance(body.get("template_id"), str) or not body["template_id"]:
            raise WeChatError(40037)
        if not isinstance(body.get("data"), dict):
            raise WeChatError(47001)
        self._reachable(touser)
        now = time.time()
        client_msg_id = body.get("client_msg_id")
        if client_msg_id:
            seen = self.template_sent.get((touser, str(client_msg_id)))
            if seen is not None and now - seen[1] < TEMPLATE_DEDUP_WINDOW_S:
                # WeChat sends one message per openid + client_msg_id; a repeat is acknowledged, not sent.
                return _ok(msgid=seen[0])
        msgid = self._new_msgid()
        if client_msg_id:
            self.template_sent[(touser, str(client_msg_id))] = (msgid, now)
        self._record_message(touser, "template", "template", body, msgid=msgid)
        return _ok(msgid=msgid)

    def _mass_common(self, body: dict[str, Any]) -> tuple[str, str | None]:
        msgtype = body.get("msgtype")
        if msgtype not in MASS_MSGTYPES:
            raise WeChatError(40008)
        self._check_content(msgtype, body)
        clientmsgid = body.get("clientmsgid")
        if clientmsgid and str(clientmsgid) in self.mass_sent:
            raise WeChatError(45065, msg_id=self.mass_sent[str(clientmsgid)])
        return msgtype, str(clientmsgid) if clientmsgid else None

    def _mass_deliver(
        self, msgtype: str, clientmsgid: str | None, body: dict[str, Any], to: list[str]
    ) -> dict[str, Any]:
        msg_id = self._new_msgid()
        if clientmsgid:
            self.mass_sent[clientmsgid] = msg_id
        for openid in to:
            user = self.users.get(openid)
            if user is not None and user.subscribed and not user.refused:
                self._record_message(openid, "mass", msgtype, body, msg_id=msg_id)
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id}
        if msgtype == "mpnews":
            answer["msg_data_id"] = self._new_msgid()
        return answer

    def _mass_sendall(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        flt = body.get("filter")
        if not isinstance(flt, dict):
            raise WeChatError(47001)
        msgtype, clientmsgid = self._mass_common(body)
        if flt.get("is_to_all") in (True, "true", 1):
            to = [u.openid for u in self.users.values()]
        else:
            try:
                tag_id = int(flt.get("tag_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise WeChatError(45159) from exc
            if tag_id not in self.tags and tag_id not in SYSTEM_TAGS:
                raise WeChatError(45159)
            to = [u.openid for u in self.users.values() if tag_id in u.tags]
        return self._mass_deliver(msgtype, clientmsgid, body, to)

    def _mass_send(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        touser = body.get("touser")
        if not isinstance(touser, list) or not all(isinstance(o, str) and o for o in touser):
            raise WeChatError(40003)
        if len(touser) < 2:
            raise WeChatError(40130)
        if len(touser) > 10_000:
            raise WeChatError(40032)
        msgtype, clientmsgid = self._mass_common(body)
        for openid in touser:
            self._user(openid)
        return self._mass_deliver(msgtype, clientmsgid, body, list(dict.fromkeys(touser)))

    # -- menu --------------------------------------------------------------------------------

    @staticmethod
    def _check_action(button: dict[str, Any], sub: bool) -> None:
        kind = button.get("type")
        if kind not in BUTTON_TYPES:
            raise WeChatError(40024 if sub else 40017)
        if kind in KEY_BUTTONS and not 0 < _nbytes(button.get("key")) <= 128:
            raise WeChatError(40026 if sub else 40019)
        if kind in ("view", "miniprogram"):
            url = button.get("url")
            if not 0 < _nbytes(url) <= 1024 or not str(url).startswith(("http://", "https://")):
                raise WeChatError(40027 if sub else 40020)
        if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
            raise WeChatError(40097)
        if kind in ("media_id", "view_limited") and not button.get("media_id"):
            raise WeChatError(40007)
        if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
            raise WeChatError(40097)

    def _check_menu(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise WeChatError(40016)
        out = []
        for button in buttons:
            if not isinstance(button, dict):
                raise WeChatError(47001)
            if not 0 < _nbytes(button.get("name")) <= 16:
                raise WeChatError(40018)
            subs = button.get("sub_button")
            if subs:
                if not isinstance(subs, list) or len(subs) > 5:
                    raise WeChatError(40023)
                for sub in subs:
                    if not isinstance(sub, dict):
                        raise WeChatError(47001)
                    if sub.get("sub_button"):
                        raise WeChatError(40022)
                    if not 0 < _nbytes(sub.get("name")) <= 60:
                        raise WeChatError(40025)
                    self._check_action(sub, sub=True)
            else:
                self._check_action(button, sub=False)
            out.append({**button, "sub_button": list(subs or [])})
        return out

    def _menu_create(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.menu = {"button": self._check_menu(body)}
        return _ok()

    def _menu_get(self, _query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        if self.menu is None:
            raise WeChatError(46003)
        return {"menu": json.loads(json.dumps(self.menu))}

    def _menu_delete(self, _query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        self.menu = None
        return _ok()

    # -- tags --------------------------------------------------------------------------------

    def _tag_name(self, tag: Any, exclude: int | None = None) -> str:
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise WeChatError(45157)
        if _nbytes(name) > 30:
            raise WeChatError(45158)
        taken = {n for i, n in {**SYSTEM_TAGS, **self.tags}.items() if i != exclude}
        if name in taken:
            raise WeChatError(45157)
        return name

    def _tag_id(self, value: Any, modifiable: bool = False) -> int:
        try:
            tag_id = int(value)
        except (TypeError, ValueError) as exc:
            raise WeChatError(45159) from exc
        if tag_id in SYSTEM_TAGS or tag_id in (0, 1):
            if modifiable:
                raise WeChatError(45058)
            return tag_id
        if tag_id not in self.tags:
            raise WeChatError(45159)
        return tag_id

    def _tags_create(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        name = self._tag_name(body.get("tag"))
        if len(self.tags) >= MAX_TAGS:
            raise WeChatError(45056)
        tag_id = self.next_tag_id
        self.next_tag_id += 1
        self.tags[tag_id] = name
        return {"tag": {"id": tag_id, "name": name}}

    def _tags_get(self, _query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        tags = []
        for tag_id, name in {**SYSTEM_TAGS, **self.tags}.items():
            count = sum(1 for u in self.users.values() if tag_id in u.tags)
            tags.append({"id": tag_id, "name": name, "count": count})
        return {"tags": tags}

    def _tags_update(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        tag = body.get("tag") if isinstance(body.get("tag"), dict) else {}
        tag_id = self._tag_id(tag.get("id"), modifiable=True)
        self.tags[tag_id] = self._tag_name(tag, exclude=tag_id)
        return _ok()

    def _tags_delete(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        tag = body.get("tag") if isinstance(body.get("tag"), dict) else {}
        tag_id = self._tag_id(tag.get("id"), modifiable=True)
        del self.tags[tag_id]
        for user in self.users.values():
            if tag_id in user.tags:
                user.tags.remove(tag_id)
        return _ok()

    def _batch(self, body: dict[str, Any]) -> tuple[int, list[str]]:
        openids = body.get("openid_list")
        if not isinstance(openids, list) or not 0 < len(openids) <= MAX_BATCH_TAGGING:
            raise WeChatError(40032)
        if not all(isinstance(o, str) and o for o in openids):
            raise WeChatError(40003)
        return self._tag_id(body.get("tagid")), openids

    def _batch_tagging(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        tag_id, openids = self._batch(body)
        users = [self._user(o) for o in openids]
        if any(tag_id not in u.tags and len(u.tags) >= MAX_TAGS_PER_USER for u in users):
            raise WeChatError(45059)
        for user in users:
            if tag_id not in user.tags:
                user.tags.append(tag_id)
        return _ok()

    def _batch_untagging(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        tag_id, openids = self._batch(body)
        for openid in openids:
            user = self.users.get(openid)
            if user is not None and tag_id in user.tags:
                user.tags.remove(tag_id)
        return _ok()

    def _tag_id_list(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        openid = body.get("openid")
        if not isinstance(openid, str) or not openid:
            raise WeChatError(40003)
        return {"tagid_list": list(self._user(openid).tags)}

    def _tag_users(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        tag_id = self._tag_id(body.get("tagid"))
        members = sorted(u.openid for u in self.users.values() if tag_id in u.tags)
        start = body.get("next_openid") or ""
        page = [o for o in members if o > start][:USER_PAGE_SIZE] if start else members[:USER_PAGE_SIZE]
        answer: dict[str, Any] = {"count": len(page), "next_openid": page[-1] if page else ""}
        if page:
            answer["data"] = {"openid": page}
        return answer


def create_standin_app(appid: str, secret: str, token_ttl_s: int = TOKEN_TTL_S) -> FastAPI:
    """The stand-in as an ASGI app; mountable anywhere (it assumes no absolute path)."""
    state = StandinState(appid, secret, token_ttl_s)
    app = FastAPI(title="WeChat API stand-in", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.standin = state

    @app.api_route("/cgi-bin/{endpoint:path}", methods=["GET", "POST"])
    async def cgi_bin(endpoint: str, request: Request) -> Response:
        raw = await request.body()
        query = dict(request.query_params)
        endpoint = endpoint.strip("/")
        fault = state.take_fault(endpoint)
        if fault is not None and fault.delay_s > 0:
            await asyncio.sleep(fault.delay_s)
        if fault is not None and fault.errcode == "http500":
            state.record_call(request.method, endpoint, query, raw, None, 500)
            return PlainTextResponse("Internal Server Error", status_code=500)
        if fault is not None and fault.errcode is not None:
            answer = WeChatError(int(fault.errcode)).body()
        else:
            answer = state.handle(request.method, endpoint, query, raw)
        state.record_call(request.method, endpoint, query, raw, int(answer.get("errcode", 0)), 200)
        return JSONResponse(answer)

    async def _json(request: Request) -> dict[str, Any]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object")
        return body

    def _bad(message: str) -> JSONResponse:
        return JSONResponse({"ok": False, "error": message}, status_code=400)

    @app.post("/_standin/faults")
    async def add_fault(request: Request) -> JSONResponse:
        try:
            body = await _json(request)
            endpoint = str(body.get("endpoint") or "*")
            errcode = body.get("errcode")
            if errcode is not None and errcode != "http500":
                errcode = int(errcode)
            times = int(body.get("times", 1))
            delay_s = float(body.get("delay_s", 0.0))
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        if times < 1 or delay_s < 0:
            return _bad("times must be >= 1 and delay_s >= 0")
        state.add_fault(endpoint, errcode, times, delay_s)
        return JSONResponse({"ok": True})

    @app.get("/_standin/faults")
    def list_faults() -> dict[str, Any]:
        with state.lock:
            return {"items": [f.as_dict() for f in state.faults]}

    @app.delete("/_standin/faults")
    def clear_faults() -> dict[str, Any]:
        with state.lock:
            state.faults.clear()
        return {"ok": True}

    @app.post("/_standin/expire-tokens")
    def expire_tokens() -> dict[str, Any]:
        return {"ok": True, "expired": state.expire_tokens()}

    async def _openid_body(request: Request) -> tuple[str, dict[str, Any]]:
        body = await _json(request)
        openid = body.get("openid")
        if not isinstance(openid, str) or not openid:
            raise ValueError("openid required")
        return openid, body

    @app.post("/_standin/unfollow")
    async def unfollow(request: Request) -> JSONResponse:
        try:
            openid, body = await _openid_body(request)
        except ValueError as exc:
            return _bad(str(exc))
        refused = bool(body.get("refused", False))
        # "refused": still a follower, but refuses messages (43101); otherwise unfollowed (43004).
        user = state.set_follow(openid, subscribed=refused, refused=refused)
        return JSONResponse({"ok": True, "user": user})

    @app.post("/_standin/follow")
    async def follow(request: Request) -> JSONResponse:
        try:
            openid, body = await _openid_body(request)
        except ValueError as exc:
            return _bad(str(exc))
        nickname = body.get("nickname")
        user = state.set_follow(openid, True, False, nickname if isinstance(nickname, str) else None)
        return JSONResponse({"ok": True, "user": user})

    @app.get("/_standin/users")
    def users() -> dict[str, Any]:
        with state.lock:
            return {"items": [{**vars(u), "tags": list(u.tags)} for u in state.users.values()]}

    @app.post("/_standin/reset")
    def reset() -> dict[str, Any]:
        state.reset()
        return {"ok": True}

    @app.get("/_standin/calls")
    def calls(after: int = 0, endpoint: str | None = None) -> dict[str, Any]:
        with state.lock:
            items = [
                c for c in state.calls if c["id"] > after and (endpoint is None or c["endpoint"] == endpoint)
            ]
        return {"items": items}

    @app.get("/_standin/messages")
    def messages(touser: str | None = None, after: int = 0) -> dict[str, Any]:
        return {"items": state.list_messages(touser or None, after)}

    @app.get("/_standin/menu")
    def menu() -> dict[str, Any]:
        with state.lock:
            return {"menu": json.loads(json.dumps(state.menu)) if state.menu is not None else None}

    @app.get("/_standin/stats")
    def stats() -> dict[str, Any]:
        return state.snapshot_stats()

    return app


@contextmanager
def run_standin(
    appid: str, secret: str, host: str = "127.0.0.1", port: int = 0, token_ttl_s: int = TOKEN_TTL_S
) -> Iterator[str]:
    """Serve a fresh stand-in on a background thread; yields its base URL (``http://host:port``)."""
    app = create_standin_app(appid, secret, token_ttl_s)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        loop="asyncio",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="wechat-standin", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the WeChat API stand-in did not start")
            time.sleep(0.01)
        # port=0 lets the OS pick a free port; ask the listening socket which one.
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
