"""An independent implementation of WeChat's official-account callback protocol, seen from WeChat's side.

This is the *peer* our webhook talks to: it signs query strings, builds the XML bodies WeChat posts
(plaintext, safe mode and compatible mode), and parses/verifies the replies our webhook sends back.

It deliberately does not import wechatpy (which the webhook itself uses): only the standard library
and ``cryptography``. Its correctness is established by Tencent's published sample vectors
(``tests/wechat/tencent_samples.py``, checked in ``tests/wechat/test_peer.py``).

Protocol summary (WeChat "消息加解密说明"):

* ``signature = sha1(''.join(sorted([token, timestamp, nonce])))`` (hex, lower case).
* ``msg_signature = sha1(''.join(sorted([token, timestamp, nonce, Encrypt])))``.
* ``AESKey = base64decode(EncodingAESKey + "=")`` (32 bytes), AES-256-CBC with ``IV = AESKey[:16]``.
* Plaintext block: ``random(16) + len(msg) as 4-byte big-endian + msg + appid``, padded with
  PKCS#7 to a multiple of **32** bytes (WeChat's variant: pad value 1..32), then base64.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import struct
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "DEFAULT_ACCOUNT",
    "PeerError",
    "SignatureError",
    "AppIdError",
    "sign",
    "msg_sign",
    "aes_key_bytes",
    "pkcs7_pad",
    "pkcs7_unpad",
    "encrypt",
    "decrypt",
    "text_xml",
    "event_xml",
    "voice_xml",
    "image_xml",
    "location_xml",
    "link_xml",
    "video_xml",
    "signed_query",
    "verify_query",
    "wrap_encrypted",
    "wrap_compatible",
    "is_encrypted_reply",
    "parse_reply",
]

#: ToUserName used by the builders when none is given (an official account's original id, "gh_...").
DEFAULT_ACCOUNT = "gh_jianxi_test"

#: WeChat pads to 32-byte blocks, not to the AES block size of 16.
PAD_BLOCK = 32


class PeerError(ValueError):
    """The webhook's reply (or a message) does not follow the protocol."""


class SignatureError(PeerError):
    """A signature or msg_signature does not match."""


class AppIdError(PeerError):
    """A decrypted message carries another AppID than the expected one."""


# --------------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------------


def _sha1_sorted(parts: Iterable[str]) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def sign(token: str, timestamp: str | int, nonce: str | int) -> str:
    """The ``signature`` query parameter: sha1 of token, timestamp and nonce, sorted and joined."""
    return _sha1_sorted([token, str(timestamp), str(nonce)])


def msg_sign(token: str, timestamp: str | int, nonce: str | int, encrypt: str) -> str:
    """The ``msg_signature`` (query parameter, or reply ``MsgSignature``): sha1 of the 4 sorted strings."""
    return _sha1_sorted([token, str(timestamp), str(nonce), encrypt])


# --------------------------------------------------------------------------------------------------
# AES
# --------------------------------------------------------------------------------------------------


def aes_key_bytes(aes_key_43: str) -> bytes:
    """Decode a 43-character EncodingAESKey into the 32-byte AES key."""
    if len(aes_key_43) != 43:
        raise PeerError(f"EncodingAESKey must be 43 characters, got {len(aes_key_43)}")
    try:
        key = base64.b64decode(aes_key_43 + "=", validate=True)
    except ValueError as exc:
        raise PeerError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise PeerError("EncodingAESKey does not decode to 32 bytes")
    return key


def pkcs7_pad(data: bytes, block: int = PAD_BLOCK) -> bytes:
    """PKCS#7 padding to ``block`` bytes; a full block of padding when already aligned."""
    n = block - len(data) % block
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes, block: int = PAD_BLOCK) -> bytes:
    """Strip PKCS#7 padding, checking the pad length and every pad byte."""
    if not data:
        raise PeerError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= block or n > len(data):
        raise PeerError(f"bad PKCS#7 pad length {n}")
    if data[-n:] != bytes([n]) * n:
        raise PeerError("bad PKCS#7 padding bytes")
    return data[:-n]


def _cipher(key: bytes) -> Cipher:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(aes_key_43: str, appid: str, plaintext_xml: str, random16: bytes | None = None) -> str:
    """Encrypt a message the way WeChat does; returns the base64 ``Encrypt`` value.

    ``random16`` fixes the 16-byte random prefix (for reproducible vectors); random when omitted.
    """
    key = aes_key_bytes(aes_key_43)
    prefix = os.urandom(16) if random16 is None else random16
    if len(prefix) != 16:
        raise PeerError("random16 must be exactly 16 bytes")
    msg = plaintext_xml.encode("utf-8")
    plain = prefix + struct.pack(">I", len(msg)) + msg + appid.encode("utf-8")
    enc = _cipher(key).encryptor()
    return base64.b64encode(enc.update(pkcs7_pad(plain)) + enc.finalize()).decode("ascii")


def decrypt(aes_key_43: str, encrypt_b64: str) -> tuple[str, str]:
    """Decrypt an ``Encrypt`` value; returns ``(xml, appid)``. Raises :class:`PeerError` when malformed."""
    key = aes_key_bytes(aes_key_43)
    try:
        raw = base64.b64decode(encrypt_b64, validate=True)
    except ValueError as exc:
        raise PeerError("Encrypt is not base64") from exc
    if not raw or len(raw) % 16:
        raise PeerError("ciphertext length is not a positive multiple of 16")
    dec = _cipher(key).decryptor()
    plain = pkcs7_unpad(dec.update(raw) + dec.finalize())
    if len(plain) < 20:
        raise PeerError("plaintext shorter than random + length header")
    content = plain[16:]
    (length,) = struct.unpack(">I", content[:4])
    if length > len(content) - 4:
        raise PeerError("message length field exceeds the plaintext")
    try:
        xml = content[4 : 4 + length].decode("utf-8")
        appid = content[4 + length :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PeerError("decrypted message is not UTF-8") from exc
    return xml, appid


# --------------------------------------------------------------------------------------------------
# Message builders (field names exactly as in WeChat's "接收普通消息" / "接收事件推送" docs)
# --------------------------------------------------------------------------------------------------

FieldValue = str | int | float | None


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _render(fields: Iterable[tuple[str, FieldValue]]) -> str:
    """Render ``<xml>`` with one child per field: strings in CDATA, numbers bare, None skipped."""
    out = ["<xml>"]
    for name, value in fields:
        if value is None:
            continue
        if isinstance(value, bool):
            raise TypeError(f"{name}: booleans are not a WeChat field type")
        body = str(value) if isinstance(value, int | float) else _cdata(value)
        out.append(f"<{name}>{body}</{name}>")
    out.append("</xml>")
    return "".join(out)


def _now() -> int:
    return int(time.time())


def _msg_id() -> int:
    return secrets.randbelow(9 * 10**18) + 10**18  # a 19-digit id, like WeChat's


def text_xml(
    to_user: str,
    from_user: str,
    content: str,
    msg_id: int | str | None = None,
    create_time: int | None = None,
) -> str:
    """A text message (MsgType ``text``)."""
    return _render(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time if create_time is not None else _now()),
            ("MsgType", "text"),
            ("Content", content),
            ("MsgId", _as_number(msg_id if msg_id is not None else _msg_id())),
        ]
    )


def event_xml(
    from_user: str,
    event: str,
    create_time: int | None = None,
    event_key: str | None = None,
    *,
    to_user: str = DEFAULT_ACCOUNT,
    **extra: FieldValue,
) -> str:
    """An event push (MsgType ``event``); ``extra`` adds fields by their WeChat names, in order.

    Examples, as WeChat sends them:

    * ``event_xml(u, "subscribe", t)`` / ``event_xml(u, "unsubscribe", t)``
    * ``event_xml(u, "subscribe", t, "qrscene_123", Ticket="TICKET")`` (subscribe via a QR code)
    * ``event_xml(u, "SCAN", t, "123", Ticket="TICKET")``
    * ``event_xml(u, "CLICK", t, "MENU_KEY")`` / ``event_xml(u, "VIEW", t, "https://...")``
    * ``event_xml(u, "LOCATION", t, Latitude=23.137466, Longitude=113.352425, Precision=119.385040)``
    * ``event_xml(u, "TEMPLATESENDJOBFINISH", t, MsgID=200163836, Status="success")``
    """
    fields: list[tuple[str, FieldValue]] = [
        ("ToUserName", to_user),
        ("FromUserName", from_user),
        ("CreateTime", create_time if create_time is not None else _now()),
        ("MsgType", "event"),
        ("Event", event),
        ("EventKey", event_key),
    ]
    fields.extend(extra.items())
    return _render(fields)


def voice_xml(
    to_user: str,
    from_user: str,
    media_id: str,
    msg_id: int | str | None = None,
    create_time: int | None = None,
    recognition: str | None = None,
    format: str = "amr",  # noqa: A002 - WeChat's field name
) -> str:
    """A voice message; ``recognition`` is present when speech recognition is enabled."""
    return _render(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time if create_time is not None else _now()),
            ("MsgType", "voice"),
            ("MediaId", media_id),
            ("Format", format),
            ("Recognition", recognition),
            ("MsgId", _as_number(msg_id if msg_id is not None else _msg_id())),
        ]
    )


def image_xml(
    to_user: str,
    from_user: str,
    pic_url: str,
    media_id: str,
    msg_id: int | str | None = None,
    create_time: int | None = None,
) -> str:
    """An image message."""
    return _render(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time if create_time is not None else _now()),
            ("MsgType", "image"),
            ("PicUrl", pic_url),
            ("MediaId", media_id),
            ("MsgId", _as_number(msg_id if msg_id is not None else _msg_id())),
        ]
    )


def location_xml(
    to_user: str,
    from_user: str,
    location_x: float,
    location_y: float,
    scale: int,
    label: str,
    msg_id: int | str | None = None,
    create_time: int | None = None,
) -> str:
    """A location message: ``Location_X`` is the latitude, ``Location_Y`` the longitude."""
    return _render(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time if create_time is not None else _now()),
            ("MsgType", "location"),
            ("Location_X", location_x),
            ("Location_Y", location_y),
            ("Scale", scale),
            ("Label", label),
            ("MsgId", _as_number(msg_id if msg_id is not None else _msg_id())),
        ]
    )


def link_xml(
    to_user: str,
    from_user: str,
    title: str,
    description: str,
    url: str,
    msg_id: int | str | None = None,
    create_time: int | None = None,
) -> str:
    """A link message."""
    return _render(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time if create_time is not None else _now()),
            ("MsgType", "link"),
            ("Title", title),
            ("Description", description),
            ("Url", url),
            ("MsgId", _as_number(msg_id if msg_id is not None else _msg_id())),
        ]
    )


def video_xml(
    to_user: str,
    from_user: str,
    media_id: str,
    thumb_media_id: str,
    msg_id: int | str | None = None,
    create_time: int | None = None,
    short: bool = False,
) -> str:
    """A video message (MsgType ``video``, or ``shortvideo`` when ``short``)."""
    return _render(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time if create_time is not None else _now()),
            ("MsgType", "shortvideo" if short else "video"),
            ("MediaId", media_id),
            ("ThumbMediaId", thumb_media_id),
            ("MsgId", _as_number(msg_id if msg_id is not None else _msg_id())),
        ]
    )


def _as_number(v: int | str) -> int | str:
    """MsgId is rendered bare (not CDATA) like WeChat does; a numeric string becomes an int."""
    if isinstance(v, str) and v.isdigit():
        return int(v)
    return v


# --------------------------------------------------------------------------------------------------
# Query strings and envelopes
# --------------------------------------------------------------------------------------------------


def _nonce() -> str:
    return str(secrets.randbelow(9 * 10**9) + 10**9)


def signed_query(
    token: str,
    body_encrypt: str | None = None,
    timestamp: str | int | None = None,
    nonce: str | int | None = None,
    encrypt_type: str | None = None,
    openid: str | None = None,
) -> dict[str, str]:
    """The query parameters WeChat appends to a message POST.

    Always ``signature``, ``timestamp`` and ``nonce`` (plus ``openid`` when given). With
    ``body_encrypt`` (safe or compatible mode) also ``encrypt_type`` (``aes`` unless overridden)
    and ``msg_signature``. An explicit ``encrypt_type`` without ``body_encrypt`` (e.g. ``raw``) is
    passed through as is.
    """
    ts = str(timestamp) if timestamp is not None else str(_now())
    nc = str(nonce) if nonce is not None else _nonce()
    q = {"signature": sign(token, ts, nc), "timestamp": ts, "nonce": nc}
    if openid is not None:
        q["openid"] = openid
    if body_encrypt is not None:
        q["encrypt_type"] = encrypt_type or "aes"
        q["msg_signature"] = msg_sign(token, ts, nc, body_encrypt)
    elif encrypt_type is not None:
        q["encrypt_type"] = encrypt_type
    return q


def verify_query(
    token: str, echostr: str, timestamp: str | int | None = None, nonce: str | int | None = None
) -> dict[str, str]:
    """The GET query of the server-URL verification: the webhook must echo ``echostr`` back."""
    q = signed_query(token, timestamp=timestamp, nonce=nonce)
    q["echostr"] = echostr
    return q


def _field(xml: str, name: str) -> str | None:
    root = _parse(xml)
    el = root.find(name)
    return None if el is None else (el.text or "")


def wrap_encrypted(
    token: str,
    aes_key: str,
    appid: str,
    inner_xml: str,
    timestamp: str | int | None = None,
    nonce: str | int | None = None,
    random16: bytes | None = None,
) -> tuple[str, dict[str, str]]:
    """Safe mode: the outer body ``<xml><ToUserName/><Encrypt/></xml>`` and its query parameters."""
    ts = str(timestamp) if timestamp is not None else str(_now())
    nc = str(nonce) if nonce is not None else _nonce()
    enc = encrypt(aes_key, appid, inner_xml, random16)
    to_user = _field(inner_xml, "ToUserName") or ""
    outer = f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><Encrypt>{_cdata(enc)}</Encrypt></xml>"
    return outer, signed_query(token, enc, ts, nc, openid=_field(inner_xml, "FromUserName"))


def wrap_compatible(
    token: str,
    aes_key: str,
    appid: str,
    inner_xml: str,
    timestamp: str | int | None = None,
    nonce: str | int | None = None,
    random16: bytes | None = None,
) -> tuple[str, dict[str, str]]:
    """Compatible mode: the plaintext fields *and* ``<Encrypt>`` in one body, with the aes query."""
    ts = str(timestamp) if timestamp is not None else str(_now())
    nc = str(nonce) if nonce is not None else _nonce()
    enc = encrypt(aes_key, appid, inner_xml, random16)
    body = inner_xml.rstrip()
    m = re.search(r"</xml>\s*$", body)
    if m is None:
        raise PeerError("inner message does not end with </xml>")
    outer = body[: m.start()] + f"<Encrypt>{_cdata(enc)}</Encrypt></xml>"
    return outer, signed_query(token, enc, ts, nc, openid=_field(inner_xml, "FromUserName"))


# --------------------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------------------

_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parse(xml: str) -> ET.Element:
    if _DECLARATION.search(xml):
        raise PeerError("DOCTYPE/ENTITY declarations are not WeChat XML")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise PeerError(f"malformed XML: {exc}") from exc
    if root.tag != "xml":
        raise PeerError(f"root element is <{root.tag}>, not <xml>")
    return root


def _element_to_value(el: ET.Element) -> str | dict | list:
    children = list(el)
    if not children:
        return el.text or ""
    if el.tag == "Articles":
        return [{c.tag: (c.text or "") for c in item} for item in children]
    return {c.tag: _element_to_value(c) for c in children}


def is_encrypted_reply(body: str) -> bool:
    """Whether a reply body is a safe-mode envelope (has ``<Encrypt>``)."""
    stripped = body.strip()
    if stripped in ("", "success"):
        return False
    return _parse(stripped).find("Encrypt") is not None


def parse_reply(
    body: str | bytes, token: str | None = None, aes_key: str | None = None, appid: str | None = None
) -> dict:
    """Parse a passive reply from our webhook into a dict of its fields.

    * ``""`` and ``"success"`` (WeChat's "no reply") give ``{}``.
    * A safe-mode envelope (``Encrypt``) is verified (``MsgSignature`` over ``TimeStamp``,
      ``Nonce`` and ``Encrypt`` with ``token``) and decrypted with ``aes_key``; a bad signature raises
      :class:`SignatureError`, another AppID than ``appid`` (when given) :class:`AppIdError`.
    * Leaf values are strings, as in the XML (``CreateTime``, ``ArticleCount`` included).
      ``Articles`` becomes a list of dicts (``Title``, ``Description``, ``PicUrl``, ``Url``); other
      nested elements (``Image``, ``Voice``, ``Video``, ``Music``) become dicts.
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    stripped = text.strip()
    if stripped in ("", "success"):
        return {}
    root = _parse(stripped)
    enc_el = root.find("Encrypt")
    if enc_el is not None:
        if token is None or aes_key is None:
            raise PeerError("encrypted reply but no token/aes_key given")
        enc = (enc_el.text or "").strip()
        got = (root.findtext("MsgSignature") or "").strip()
        ts = (root.findtext("TimeStamp") or "").strip()
        nc = (root.findtext("Nonce") or "").strip()
        if not enc or not got or not ts or not nc:
            raise PeerError("encrypted reply lacks Encrypt, MsgSignature, TimeStamp or Nonce")
        if msg_sign(token, ts, nc, enc) != got.lower():
            raise SignatureError("reply MsgSignature does not match")
        inner, got_appid = decrypt(aes_key, enc)
        if appid is not None and got_appid != appid:
            raise AppIdError(f"reply encrypted for AppID {got_appid!r}, expected {appid!r}")
        root = _parse(inner.strip())
        if root.find("Encrypt") is not None:
            raise PeerError("nested Encrypt in a decrypted reply")
    return {child.tag: _element_to_value(child) for child in root}
