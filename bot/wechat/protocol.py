"""WeChat's callback protocol: signatures, the replay window, safe parsing, safe-mode crypto, replies.

Signatures are compared in constant time; DOCTYPE and entity declarations are refused before any
XML parser sees the body; the parsing and the AES scheme are wechatpy's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.replies import ArticlesReply, TextReply

from bot.conversation.messages import Inbound, Outbound


class ProtocolError(Exception):
    """A callback we refuse; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str | None, timestamp: str | None, nonce: str | None) -> None:
    if not signature or timestamp is None or nonce is None:
        raise ProtocolError(403, "missing signature")
    expected = sha1_signature(token, timestamp, nonce)
    if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
        raise ProtocolError(403, "bad signature")


def check_timestamp(timestamp: str, max_skew_s: int, now: float | None = None) -> None:
    try:
        ts = int(timestamp)
    except ValueError as exc:
        raise ProtocolError(400, "bad timestamp") from exc
    if max_skew_s and abs((now if now is not None else time.time()) - ts) > max_skew_s:
        raise ProtocolError(403, "timestamp outside the replay window")


def guard_xml(body: bytes) -> None:
    """Refuse DOCTYPE and entity declarations (billion laughs, XXE) before parsing."""
    if _FORBIDDEN.search(body):
        raise ProtocolError(400, "DOCTYPE or ENTITY declarations are not accepted")


def _parse_xml(body: bytes | str) -> dict:
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    guard_xml(raw)
    try:
        doc = xmltodict.parse(raw, disable_entities=True)
    except Exception as exc:  # expat raises several error types
        raise ProtocolError(400, "malformed XML") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("xml"), dict):
        raise ProtocolError(400, "not a WeChat message")
    return doc["xml"]


@dataclass
class Decoded:
    inbound: Inbound
    encrypted: bool


class Codec:
    """Decodes callbacks and encodes replies for one account's token, AES key and AppID."""

    def __init__(self, token: str, aes_key: str | None, appid: str) -> None:
        self.token = token
        self.aes_key = aes_key
        self.appid = appid
        self._crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None

    def decode(self, body: bytes, params: dict[str, str]) -> Decoded:
        outer = _parse_xml(body)
        encrypted = params.get("encrypt_type", "raw").lower() == "aes"
        if encrypted:
            if self._crypto is None:
                raise ProtocolError(400, "encrypted message but no EncodingAESKey configured")
            encrypt = outer.get("Encrypt")
            if not isinstance(encrypt, str) or not encrypt:
                raise ProtocolError(400, "missing Encrypt")
            msg_signature = params.get("msg_signature") or ""
            expected = sha1_signature(self.token, params.get("timestamp", ""), params.get("nonce", ""), encrypt)
            if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
                raise ProtocolError(403, "bad msg_signature")
            try:
                plain = PrpCrypto(self._crypto.key).decrypt(encrypt, self.appid)
            except InvalidAppIdException as exc:
                raise ProtocolError(403, "message for another AppID") from exc
            except Exception as exc:
                raise ProtocolError(400, "cannot decrypt") from exc
            inner_raw = plain if isinstance(plain, bytes) else plain.encode("utf-8")
            _parse_xml(inner_raw)  # guard and well-formedness of the inner document
            xml_text = inner_raw.decode("utf-8")
        else:
            xml_text = body.decode("utf-8", errors="replace")
        return Decoded(inbound=to_inbound(xml_text, outer if not encrypted else None), encrypted=encrypted)

    def encode(self, reply: Outbound | None, inbound: Inbound, encrypted: bool, nonce: str) -> str:
        if reply is None:
            return "success"
        if reply.kind == "news" and reply.articles:
            r = ArticlesReply(source=inbound.account, target=inbound.openid)
            for a in reply.articles[:8]:
                r.add_article({"title": _cdata_safe(a.title), "description": _cdata_safe(a.description),
                               "image": _cdata_safe(a.image), "url": _cdata_safe(a.url)})
        else:
            r = TextReply(source=inbound.account, target=inbound.openid, content=_cdata_safe(reply.text))
        xml = r.render()
        if encrypted and self._crypto is not None:
            return self._crypto.encrypt_message(xml, nonce)
        return xml


_EVENT_KIND = {"text", "voice", "event", "image", "location", "link", "video", "shortvideo"}


def to_inbound(xml_text: str, parsed: dict | None = None) -> Inbound:
    """Turn a plaintext message into an :class:`Inbound` with wechatpy's parser."""
    data = parsed if parsed is not None else _parse_xml(xml_text)
    if not data.get("FromUserName") or not data.get("MsgType"):
        raise ProtocolError(400, "missing FromUserName or MsgType")
    try:
        msg = parse_message(xml_text)
    except Exception as exc:
        raise ProtocolError(400, "malformed message") from exc
    msg_type = str(data.get("MsgType", "")).lower()
    kind = msg_type if msg_type in _EVENT_KIND else "unknown"
    try:
        create_time = int(data.get("CreateTime") or 0)
    except ValueError as exc:
        raise ProtocolError(400, "bad CreateTime") from exc
    inbound = Inbound(
        openid=str(data["FromUserName"]),
        kind=kind,  # type: ignore[arg-type]
        msg_id=str(data["MsgId"]) if data.get("MsgId") else None,
        create_time=create_time,
        account=str(data.get("ToUserName") or ""),
    )
    if kind == "text":
        inbound.text = str(getattr(msg, "content", None) or data.get("Content") or "")
    elif kind == "voice":
        inbound.text = str(data.get("Recognition") or "")
    elif kind == "event":
        inbound.event = str(data.get("Event") or "").lower()
        key = data.get("EventKey")
        inbound.event_key = str(key) if key else None
        if inbound.event == "location":
            inbound.extra = {"latitude": _float(data.get("Latitude")), "longitude": _float(data.get("Longitude")),
                             "precision": _float(data.get("Precision"))}
        elif inbound.event == "templatesendjobfinish":
            inbound.extra = {"msgid": str(data.get("MsgID") or data.get("MsgId") or ""),
                             "status": str(data.get("Status") or "")}
        elif inbound.event == "subscribe" and inbound.event_key and inbound.event_key.startswith("qrscene_"):
            inbound.extra = {"scene": inbound.event_key[len("qrscene_"):]}
    elif kind == "location":
        inbound.extra = {"latitude": _float(data.get("Location_X")), "longitude": _float(data.get("Location_Y")),
                         "label": str(data.get("Label") or "")}
    return inbound


def _cdata_safe(text: str) -> str:
    """wechatpy puts reply fields in CDATA unescaped: split any ``]]>`` across two sections."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def _float(v: object) -> float | None:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
