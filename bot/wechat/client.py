"""The one outbound client for WeChat's API, built on wechatpy.

Every call, the access token included, goes to ``settings.wechat_api_base`` (WeChat itself, or the
stand-in in ``bot.wechat.standin``). The access token comes from ``/cgi-bin/stable_token`` and is
cached in the shared key-value store, so all processes use one token. wechatpy's own retry is off
(it is unbounded); ``WeChatApi`` retries itself, bounded:

- 40001 / 40014 / 42001 (token invalid or expired): refresh the token and retry, at most twice per
  call. A refresh first re-reads the shared store (another process may have refreshed already) and
  forces a new token only when the store still holds the token that just failed.
- 45009, -1, network errors and HTTP 5xx: back off (0.5 s, 1 s, 2 s) and retry, at most three times.
- Anything else fails at once.

Each failed attempt is recorded as an ``ApiCallFailure`` row; the last one with ``final=True``, and
then ``WeChatApiError`` is raised. Access tokens and the AppSecret are never logged or recorded.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.config import OFFICIAL_API_BASE, Settings
from bot.db import Database
from bot.kv import KeyValueStore
from bot.models import ApiCallFailure

logger = logging.getLogger(__name__)

T = TypeVar("T")

TOKEN_ENDPOINT = "stable_token"
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
BACKOFF_ERRCODES = frozenset({-1, 45009})
BACKOFF_S = (0.5, 1.0, 2.0)
MAX_TOKEN_REFRESHES = 2
# The cached token expires this long before WeChat's expiry (never less than half its lifetime).
TOKEN_SAFETY_MARGIN_S = 300
MAX_BATCH_TAGGING = 50
MAX_ERRMSG_CHARS = 2000

_TOKEN_IN_TEXT = re.compile(r"(access_token=)[^&\s'\"]+")


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with access tokens in URLs and the given secrets replaced by ``***``."""
    text = _TOKEN_IN_TEXT.sub(r"\1***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class _RedactTokens(logging.Filter):
    """urllib3 logs request URLs at DEBUG level; keep the access token out of them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


_urllib3_logger = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _RedactTokens) for f in _urllib3_logger.filters):
    _urllib3_logger.addFilter(_RedactTokens())


class WeChatApiError(Exception):
    """A call to WeChat's API failed for good. ``errcode`` is None for network and HTTP errors."""

    def __init__(self, errcode: int | None, errmsg: str, endpoint: str) -> None:
        super().__init__(f"{endpoint}: errcode={errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint


class KeyValueSession(SessionStorage):
    """wechatpy's session storage over the shared ``KeyValueStore`` (Redis or the database)."""

    def __init__(self, store: KeyValueStore) -> None:
        self.store = store

    def get(self, key: str, default: Any = None) -> Any:
        value = self.store.get(key)
        return default if value is None else value

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        ttl = ttl if ttl and ttl > 0 else None
        try:
            self.store.set(key, str(value), ttl=ttl)
        except Exception:
            # Two processes caching a token at once can collide on the database store's insert;
            # the row exists now, so a second set updates it. The cache is best effort either way:
            # the caller already holds the token it fetched.
            try:
                self.store.set(key, str(value), ttl=ttl)
            except Exception as exc:
                # No traceback: the database error would quote the token among its parameters.
                logger.warning(
                    "could not cache the WeChat access token in the shared store: %s", type(exc).__name__
                )

    def delete(self, key: str) -> None:
        self.store.delete(key)


def _rebase(api: object, api_base: str, depth: int = 0) -> None:
    """Point wechatpy API groups that carry an absolute WeChat URL at ``api_base`` instead."""
    if depth > 3:
        return
    for value in list(vars(api).values()):
        if not isinstance(value, BaseWeChatAPI):
            continue
        own = getattr(value, "API_BASE_URL", None)
        if isinstance(own, str) and own.startswith(OFFICIAL_API_BASE):
            value.API_BASE_URL = api_base + own[len(OFFICIAL_API_BASE) :]  # type: ignore[attr-defined]
        _rebase(value, api_base, depth + 1)


class JianxiWeChatClient(WeChatClient):
    """wechatpy's client with every URL under ``api_base``, the token from ``stable_token``,
    cached under ``wechat:token:<appid>``, and a per-thread token pinned by ``WeChatApi``."""

    def __init__(
        self, appid: str, secret: str, api_base: str, session: SessionStorage, timeout: float | None
    ) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.api_base = api_base.rstrip("/")
        self.API_BASE_URL = self.api_base + "/cgi-bin/"
        self._pinned = threading.local()
        _rebase(self, self.api_base)

    @property
    def access_token_key(self) -> str:
        return f"wechat:token:{self.appid}"

    @property
    def access_token(self) -> str:
        pinned = getattr(self._pinned, "token", None)
        if pinned:
            return pinned
        token = self.session.get(self.access_token_key)
        if token:
            return token
        return self.fetch_access_token()["access_token"]

    @contextmanager
    def pin(self, token: str) -> Iterator[None]:
        """Calls made by this thread inside the block use ``token``."""
        self._pinned.token = token
        try:
            yield
        finally:
            self._pinned.token = None

    def _decode_result(self, res: requests.Response) -> Any:
        result = super()._decode_result(res)
        if not isinstance(result, dict):
            raise WeChatClientException(
                None, f"HTTP {res.status_code}: not a JSON answer", client=self, response=res
            )
        return result

    def fetch_access_token(self, force_refresh: bool = False) -> dict[str, Any]:  # type: ignore[override]
        """``POST /cgi-bin/stable_token``; stores the token in the shared session storage."""
        res = self._http.post(
            self.API_BASE_URL + TOKEN_ENDPOINT,
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
            timeout=self.timeout,
        )
        if res.status_code >= 400:
            raise WeChatClientException(None, f"HTTP {res.status_code}", client=self, response=res)
        try:
            result = res.json()
        except ValueError:
            result = None
        if not isinstance(result, dict):
            raise WeChatClientException(
                None, f"HTTP {res.status_code}: not a JSON answer", client=self, response=res
            )
        if int(result.get("errcode", 0) or 0) != 0 or not result.get("access_token"):
            raise WeChatClientException(
                int(result.get("errcode", -1) or -1), str(result.get("errmsg", "")), client=self, response=res
            )
        expires_in = int(result.get("expires_in", 7200))
        ttl = max(expires_in - TOKEN_SAFETY_MARGIN_S, expires_in / 2)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        self.expires_at = int(time.time()) + expires_in
        return result


class WeChatApi:
    """Everything jianxi asks of WeChat's API, with bounded retries and failures recorded."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        store: KeyValueStore,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 5.0,
    ) -> None:
        self.settings = settings
        self.db = db
        self.store = store
        self._sleep = sleep
        self.client = JianxiWeChatClient(
            settings.appid, settings.appsecret, settings.wechat_api_base, KeyValueSession(store), timeout
        )

    # -- machinery ---------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return redact(text, self.settings.appsecret)[:MAX_ERRMSG_CHARS]

    def _token_for_attempt(self, failed: str | None) -> str:
        """The token to use: the shared one, unless it is ``failed`` (then a fresh one)."""
        key = self.client.access_token_key
        token = self.client.session.get(key)
        if token and token != failed:
            return token
        if token is None:
            token = self.client.fetch_access_token(force_refresh=False)["access_token"]
            if token != failed:
                return token
        return self.client.fetch_access_token(force_refresh=True)["access_token"]

    def _classify(self, exc: Exception) -> tuple[int | None, str, str | None]:
        """(errcode, errmsg, "token" | "backoff" | None) for a failed attempt."""
        if isinstance(exc, requests.RequestException):
            return None, self._redact(f"{type(exc).__name__}: {exc}"), "backoff"
        assert isinstance(exc, WeChatClientException)
        if exc.errcode is None:
            response = getattr(exc, "response", None)
            status = getattr(response, "status_code", None)
            errmsg = str(exc.errmsg) if exc.errmsg else f"HTTP {status}"
            transient = status is None or status >= 500 or status < 400
            return None, self._redact(errmsg), "backoff" if transient else None
        errcode = int(exc.errcode)
        errmsg = self._redact(str(exc.errmsg))
        if errcode in TOKEN_ERRCODES:
            return errcode, errmsg, "token"
        if errcode in BACKOFF_ERRCODES:
            return errcode, errmsg, "backoff"
        return errcode, errmsg, None

    def _record(self, endpoint: str, errcode: int | None, errmsg: str, attempt: int, final: bool) -> None:
        logger.warning(
            "WeChat API %s failed (attempt %d%s): errcode=%s %s",
            endpoint,
            attempt,
            ", final" if final else "",
            errcode,
            errmsg,
        )
        try:
            with self.db.session() as s:
                s.add(
                    ApiCallFailure(
                        endpoint=endpoint[:128], errcode=errcode, errmsg=errmsg, attempt=attempt, final=final
                    )
                )
        except Exception:  # recording must never hide the API error itself
            logger.exception("could not record a failed WeChat API call")

    def _call(self, endpoint: str, fn: Callable[[], T], needs_token: bool = True) -> T:
        attempt = refreshes = backoffs = 0
        failed_token: str | None = None
        while True:
            attempt += 1
            where = TOKEN_ENDPOINT if needs_token else endpoint
            token: str | None = None
            try:
                if not needs_token:
                    return fn()
                token = self._token_for_attempt(failed_token)
                where = endpoint
                with self.client.pin(token):
                    return fn()
            except (WeChatClientException, requests.RequestException) as exc:
                errcode, errmsg, kind = self._classify(exc)
            delay = 0.0
            if kind == "token" and where == endpoint and refreshes < MAX_TOKEN_REFRESHES:
                refreshes += 1
                failed_token = token
            elif kind == "backoff" and backoffs < len(BACKOFF_S):
                delay = BACKOFF_S[backoffs]
                backoffs += 1
            else:
                self._record(where, errcode, errmsg, attempt, final=True)
                raise WeChatApiError(errcode, errmsg, where) from None
            self._record(where, errcode, errmsg, attempt, final=False)
            if delay:
                self._sleep(delay)

    # -- token -------------------------------------------------------------------------------

    def access_token(self, force_refresh: bool = False) -> str:
        """The shared access token; fetched from ``stable_token`` when absent or when forced."""
        if not force_refresh:
            token = self.client.session.get(self.client.access_token_key)
            if token:
                return token
        return self._call(
            TOKEN_ENDPOINT,
            lambda: str(self.client.fetch_access_token(force_refresh=force_refresh)["access_token"]),
            needs_token=False,
        )

    # -- messages ----------------------------------------------------------------------------

    def send_text(self, openid: str, content: str) -> dict[str, Any]:
        """A customer-service text message."""
        return self._call("message/custom/send", lambda: self.client.message.send_text(openid, content))

    def send_articles(self, openid: str, articles: list[dict[str, Any]]) -> dict[str, Any]:
        """A customer-service ``news`` message. WeChat accepts exactly one article (else 45008)."""
        items = [
            {
                "title": a.get("title", ""),
                "description": a.get("description", ""),
                "url": a.get("url", ""),
                "picurl": a.get("picurl", ""),
            }
            for a in articles
        ]
        return self._call("message/custom/send", lambda: self.client.message.send_articles(openid, items))

    def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, Any],
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> int | None:
        """A template message; returns WeChat's msgid. Without ``client_msg_id`` one is generated,
        so that a retry after a lost answer cannot send the message twice."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": data,
            "client_msg_id": client_msg_id or uuid.uuid4().hex,
        }
        if url:
            payload["url"] = url
        result = self._call(
            "message/template/send", lambda: self.client.post("message/template/send", data=payload)
        )
        msgid = result.get("msgid")
        return int(msgid) if msgid is not None else None

    def mass_send_text(
        self, tag_id: int | None, content: str, clientmsgid: str | None = None
    ) -> dict[str, Any]:
        """A mass text message to the followers with ``tag_id``, or to everyone when it is None.
        Returns WeChat's answer (``msg_id`` ...)."""
        flt: dict[str, Any] = {"is_to_all": tag_id is None}
        if tag_id is not None:
            flt["tag_id"] = tag_id
        payload = {
            "filter": flt,
            "text": {"content": content},
            "msgtype": "text",
            "clientmsgid": clientmsgid or uuid.uuid4().hex,
        }
        tries = 0

        def send() -> dict[str, Any]:
            nonlocal tries
            tries += 1
            try:
                return self.client.post("message/mass/sendall", data=payload)
            except WeChatClientException as exc:
                # 45065 on a retry: the earlier attempt did reach WeChat; its job is this job.
                if exc.errcode == 45065 and tries > 1:
                    answer = _json_of(exc)
                    return {
                        "errcode": 0,
                        "errmsg": "send job submission success",
                        "msg_id": answer.get("msg_id"),
                    }
                raise

        return self._call("message/mass/sendall", send)

    def mass_send_text_to(self, openids: list[str], content: str, clientmsgid: str | None = None) -> dict[str, Any]:
        """A mass text message to a list of 2 to 10,000 followers (WeChat's 根据 OpenID 列表群发)."""
        payload = {"touser": list(openids), "msgtype": "text", "text": {"content": content},
                   "clientmsgid": clientmsgid or uuid.uuid4().hex}
        tries = 0

        def send() -> dict[str, Any]:
            nonlocal tries
            tries += 1
            try:
                return self.client.post("message/mass/send", data=payload)
            except WeChatClientException as exc:
                if exc.errcode == 45065 and tries > 1:  # an earlier attempt reached WeChat: its job is ours
                    return {"errcode": 0, "errmsg": "send job submission success", "msg_id": _json_of(exc).get("msg_id")}
                raise

        return self._call("message/mass/send", send)

    # -- menu --------------------------------------------------------------------------------

    def create_menu(self, menu: dict[str, Any]) -> None:
        self._call("menu/create", lambda: self.client.menu.create(menu))

    def get_menu(self) -> dict[str, Any] | None:
        """The current menu (``{"menu": {"button": [...]}, ...}``), or None when there is none."""
        return self._call("menu/get", lambda: self.client.menu.get())

    def delete_menu(self) -> None:
        self._call("menu/delete", lambda: self.client.menu.delete())

    # -- users and tags ----------------------------------------------------------------------

    def user_info(self, openid: str) -> dict[str, Any]:
        return self._call("user/info", lambda: self.client.user.get(openid))

    def create_tag(self, name: str) -> int:
        tag = self._call("tags/create", lambda: self.client.tag.create(name))
        return int(tag["id"])

    def get_tags(self) -> list[dict[str, Any]]:
        """``[{"id", "name", "count"}]``."""
        return list(self._call("tags/get", lambda: self.client.tag.get()))

    def tag_users(self, tag_id: int, openids: list[str]) -> None:
        for i in range(0, len(openids), MAX_BATCH_TAGGING):
            chunk = list(openids[i : i + MAX_BATCH_TAGGING])
            self._call("tags/members/batchtagging", lambda c=chunk: self.client.tag.tag_user(tag_id, c))

    def untag_users(self, tag_id: int, openids: list[str]) -> None:
        for i in range(0, len(openids), MAX_BATCH_TAGGING):
            chunk = list(openids[i : i + MAX_BATCH_TAGGING])
            self._call("tags/members/batchuntagging", lambda c=chunk: self.client.tag.untag_user(tag_id, c))

    def user_tags(self, openid: str) -> list[int]:
        return [int(t) for t in self._call("tags/getidlist", lambda: self.client.tag.get_user_tag(openid))]


def _json_of(exc: WeChatClientException) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    try:
        answer = response.json() if response is not None else {}
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}
