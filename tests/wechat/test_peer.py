"""Tests of the independent WeChat peer: round trips, Tencent's published vectors, one wechatpy cross-check."""

from __future__ import annotations

import ast
import base64
import hashlib
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.wechat import peer
from tests.wechat import tencent_samples as ts

TOKEN = "jianxi-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx0123456789abcdef"
ACCOUNT = "gh_0123456789ab"
OPENID = "oUser_openid_0001"


def _fields(xml: str) -> dict[str, str]:
    return {c.tag: (c.text or "") for c in ET.fromstring(xml)}


def _raw_encrypt(aes_key: str, plain: bytes) -> str:
    """Encrypt an already padded block sequence as-is (to forge malformed ciphertexts)."""
    key = peer.aes_key_bytes(aes_key)
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


# --------------------------------------------------------------------------------------------------
# The peer is independent of wechatpy
# --------------------------------------------------------------------------------------------------


def test_peer_does_not_import_wechatpy() -> None:
    tree = ast.parse(Path(peer.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "wechatpy" not in imported
    assert "xmltodict" not in imported


# --------------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------------


def test_sign_is_sha1_of_sorted_concatenation() -> None:
    expected = hashlib.sha1("".join(sorted(["tok", "1700000000", "42"])).encode()).hexdigest()
    assert peer.sign("tok", "1700000000", "42") == expected
    assert peer.sign("tok", 1700000000, 42) == expected  # ints are stringified


def test_msg_sign_matches_tencent_worked_example() -> None:
    # Tencent's WeCom doc 90968 spells out the sorted string for the QDG6eK sample.
    s = ts.WORK_QDG6EK_MESSAGE
    sort_str = "13726231491409659813QDG6eK" + s.encrypt
    assert "".join(sorted([s.token, s.timestamp, s.nonce, s.encrypt])) == sort_str
    assert hashlib.sha1(sort_str.encode()).hexdigest() == s.msg_signature
    assert peer.msg_sign(s.token, s.timestamp, s.nonce, s.encrypt) == s.msg_signature


def test_signatures_change_with_every_input() -> None:
    base = peer.msg_sign("t", "1", "2", "E")
    assert (
        len(
            {
                base,
                peer.msg_sign("u", "1", "2", "E"),
                peer.msg_sign("t", "3", "2", "E"),
                peer.msg_sign("t", "1", "4", "E"),
                peer.msg_sign("t", "1", "2", "F"),
            }
        )
        == 5
    )


# --------------------------------------------------------------------------------------------------
# AES and padding
# --------------------------------------------------------------------------------------------------


def test_aes_key_decoding() -> None:
    key = peer.aes_key_bytes(AES_KEY)
    assert len(key) == 32
    assert key == base64.b64decode(AES_KEY + "=")
    for bad in ("short", AES_KEY + "A", AES_KEY[:-1] + "!"):
        with pytest.raises(peer.PeerError):
            peer.aes_key_bytes(bad)


@pytest.mark.parametrize("n", range(0, 70))
def test_pkcs7_pads_to_32_and_round_trips(n: int) -> None:
    data = bytes(range(n % 256))[:n] if n < 256 else b"x" * n
    padded = peer.pkcs7_pad(data)
    assert len(padded) % 32 == 0
    assert 1 <= padded[-1] <= 32
    assert len(padded) - len(data) == padded[-1]
    assert peer.pkcs7_unpad(padded) == data


def test_pkcs7_unpad_rejects_bad_padding() -> None:
    for bad in (b"", b"a" * 31 + b"\x00", b"a" * 31 + b"\x21", b"a" * 30 + b"\x01\x02", b"\x05"):
        with pytest.raises(peer.PeerError):
            peer.pkcs7_unpad(bad)


@pytest.mark.parametrize(
    "message",
    ["", "x", "<xml><Content><![CDATA[你好，见习]]></Content></xml>", "a" * 1000, "😀 emoji ]]> & <tags>"],
)
def test_encrypt_decrypt_round_trip(message: str) -> None:
    enc = peer.encrypt(AES_KEY, APPID, message)
    assert len(base64.b64decode(enc)) % 32 == 0  # padded to WeChat's 32-byte blocks
    assert peer.decrypt(AES_KEY, enc) == (message, APPID)


def test_encrypt_layout_random_length_msg_appid() -> None:
    rnd = b"R" * 16
    enc = peer.encrypt(AES_KEY, APPID, "hello", random16=rnd)
    key = peer.aes_key_bytes(AES_KEY)
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(enc)) + dec.finalize()
    body = rnd + struct.pack(">I", 5) + b"hello" + APPID.encode()
    assert plain == body + bytes([32 - len(body) % 32]) * (32 - len(body) % 32)


def test_encrypt_is_deterministic_only_with_fixed_random() -> None:
    a = peer.encrypt(AES_KEY, APPID, "same", random16=b"0123456789abcdef")
    b = peer.encrypt(AES_KEY, APPID, "same", random16=b"0123456789abcdef")
    c = peer.encrypt(AES_KEY, APPID, "same")
    d = peer.encrypt(AES_KEY, APPID, "same")
    assert a == b
    assert c != d
    with pytest.raises(peer.PeerError):
        peer.encrypt(AES_KEY, APPID, "x", random16=b"short")


def test_decrypt_rejects_malformed_ciphertexts() -> None:
    with pytest.raises(peer.PeerError):
        peer.decrypt(AES_KEY, "not base64 !!")
    with pytest.raises(peer.PeerError):
        peer.decrypt(AES_KEY, base64.b64encode(b"x" * 15).decode())  # not a multiple of 16
    # Valid AES, invalid padding byte (0).
    with pytest.raises(peer.PeerError):
        peer.decrypt(AES_KEY, _raw_encrypt(AES_KEY, b"r" * 16 + struct.pack(">I", 3) + b"abc" + b"\x00" * 9))
    # Valid padding, length field beyond the data.
    plain = peer.pkcs7_pad(b"r" * 16 + struct.pack(">I", 999) + b"abc")
    with pytest.raises(peer.PeerError):
        peer.decrypt(AES_KEY, _raw_encrypt(AES_KEY, plain))
    # Wrong key: padding check fails (or, rarely, the layout check does).
    with pytest.raises(peer.PeerError):
        peer.decrypt("B" * 43, peer.encrypt(AES_KEY, APPID, "secret message " * 3))


# --------------------------------------------------------------------------------------------------
# Tencent's published samples (and wechatpy's own vectors), verified with the peer
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ts.ALL_CALLBACKS, ids=lambda s: s.name)
def test_sample_signature_verifies(sample: ts.CallbackSample) -> None:
    assert peer.msg_sign(sample.token, sample.timestamp, sample.nonce, sample.encrypt) == sample.msg_signature
    # The signature does bind every input.
    assert (
        peer.msg_sign(sample.token, sample.timestamp, sample.nonce + "1", sample.encrypt)
        != sample.msg_signature
    )
    assert (
        peer.msg_sign(sample.token + "x", sample.timestamp, sample.nonce, sample.encrypt)
        != sample.msg_signature
    )


@pytest.mark.parametrize("sample", ts.ALL_CALLBACKS, ids=lambda s: s.name)
def test_sample_decrypts_to_stated_plaintext(sample: ts.CallbackSample) -> None:
    xml, appid = peer.decrypt(sample.aes_key, sample.encrypt)
    assert appid == sample.appid
    if sample.plaintext is not None:
        assert xml == sample.plaintext
    if sample.plaintext_fields:
        fields = _fields(xml)
        for name, value in sample.plaintext_fields.items():
            assert fields[name] == value


@pytest.mark.parametrize("sample", [s for s in ts.ALL_CALLBACKS if s.body], ids=lambda s: s.name)
def test_sample_body_carries_the_ciphertext(sample: ts.CallbackSample) -> None:
    assert sample.body is not None
    root = ET.fromstring(sample.body)
    assert root.findtext("Encrypt") == sample.encrypt


def test_tencent_compatible_mode_body_matches_its_ciphertext() -> None:
    # In compatible mode the plaintext fields of the body are exactly those inside Encrypt.
    s = ts.MP_SPAMTEST_COMPATIBLE
    assert s.body is not None
    outer = _fields(s.body)
    inner = _fields(peer.decrypt(s.aes_key, s.encrypt)[0])
    assert {k: v for k, v in outer.items() if k != "Encrypt"} == inner == s.plaintext_fields


@pytest.mark.parametrize("sample", ts.ALL_AES, ids=lambda s: s.name)
def test_sample_exact_encryption(sample: ts.AesSample) -> None:
    assert peer.encrypt(sample.aes_key, sample.appid, sample.plaintext, sample.random16) == sample.encrypt
    assert peer.decrypt(sample.aes_key, sample.encrypt) == (sample.plaintext, sample.appid)
    if sample.msg_signature is not None:
        assert sample.token and sample.timestamp and sample.nonce
        assert (
            peer.msg_sign(sample.token, sample.timestamp, sample.nonce, sample.encrypt)
            == sample.msg_signature
        )


def test_wechatpy_reply_envelope_parses_with_peer() -> None:
    s = ts.WECHATPY_WORK_REPLY
    envelope = (
        f"<xml>\n<Encrypt><![CDATA[{s.encrypt}]]></Encrypt>\n"
        f"<MsgSignature><![CDATA[{s.msg_signature}]]></MsgSignature>\n"
        f"<TimeStamp>{s.timestamp}</TimeStamp>\n<Nonce><![CDATA[{s.nonce}]]></Nonce>\n</xml>"
    )
    reply = peer.parse_reply(envelope, token=s.token, aes_key=s.aes_key, appid=s.appid)
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "test"
    assert reply["ToUserName"] == "messense"


# --------------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------------


def test_text_xml_fields() -> None:
    xml = peer.text_xml(ACCOUNT, OPENID, "你好 & <b>", 1234567890123456789, 1700000000)
    assert _fields(xml) == {
        "ToUserName": ACCOUNT,
        "FromUserName": OPENID,
        "CreateTime": "1700000000",
        "MsgType": "text",
        "Content": "你好 & <b>",
        "MsgId": "1234567890123456789",
    }
    assert "<MsgId>1234567890123456789</MsgId>" in xml  # bare number, like WeChat
    assert "<Content><![CDATA[" in xml


def test_text_xml_defaults_and_cdata_escape() -> None:
    fields = _fields(peer.text_xml(ACCOUNT, OPENID, "a]]>b"))
    assert fields["Content"] == "a]]>b"
    assert fields["MsgId"].isdigit() and len(fields["MsgId"]) == 19
    assert fields["CreateTime"].isdigit()


def test_event_xml_variants() -> None:
    t = 1700000000
    assert _fields(peer.event_xml(OPENID, "subscribe", t, to_user=ACCOUNT)) == {
        "ToUserName": ACCOUNT,
        "FromUserName": OPENID,
        "CreateTime": str(t),
        "MsgType": "event",
        "Event": "subscribe",
    }
    assert _fields(peer.event_xml(OPENID, "unsubscribe", t))["Event"] == "unsubscribe"
    assert _fields(peer.event_xml(OPENID, "unsubscribe", t))["ToUserName"] == peer.DEFAULT_ACCOUNT
    qr = _fields(peer.event_xml(OPENID, "subscribe", t, "qrscene_123", Ticket="TICKET"))
    assert (qr["EventKey"], qr["Ticket"]) == ("qrscene_123", "TICKET")
    scan = _fields(peer.event_xml(OPENID, "SCAN", t, "123", Ticket="TICKET"))
    assert (scan["Event"], scan["EventKey"], scan["Ticket"]) == ("SCAN", "123", "TICKET")
    click = _fields(peer.event_xml(OPENID, "CLICK", t, "MENU_HELP"))
    assert (click["Event"], click["EventKey"]) == ("CLICK", "MENU_HELP")
    view = _fields(peer.event_xml(OPENID, "VIEW", t, "https://example.com/x?a=1&b=2"))
    assert view["EventKey"] == "https://example.com/x?a=1&b=2"
    loc_xml = peer.event_xml(
        OPENID, "LOCATION", t, Latitude=23.137466, Longitude=113.352425, Precision=119.38504
    )
    loc = _fields(loc_xml)
    assert (loc["Latitude"], loc["Longitude"], loc["Precision"]) == ("23.137466", "113.352425", "119.38504")
    assert "EventKey" not in loc
    assert "<Latitude>23.137466</Latitude>" in loc_xml
    job = _fields(peer.event_xml(OPENID, "TEMPLATESENDJOBFINISH", t, MsgID=200163836, Status="success"))
    assert (job["Event"], job["MsgID"], job["Status"]) == ("TEMPLATESENDJOBFINISH", "200163836", "success")


def test_media_builders() -> None:
    t = 1700000000
    voice = _fields(peer.voice_xml(ACCOUNT, OPENID, "MEDIA", 1, t, recognition="明天几点上班"))
    assert (voice["MsgType"], voice["MediaId"], voice["Format"], voice["Recognition"], voice["MsgId"]) == (
        "voice",
        "MEDIA",
        "amr",
        "明天几点上班",
        "1",
    )
    assert "Recognition" not in _fields(peer.voice_xml(ACCOUNT, OPENID, "MEDIA", 1, t))
    image = _fields(peer.image_xml(ACCOUNT, OPENID, "http://pic/1.jpg", "MEDIA", 2, t))
    assert (image["MsgType"], image["PicUrl"], image["MediaId"], image["MsgId"]) == (
        "image",
        "http://pic/1.jpg",
        "MEDIA",
        "2",
    )
    loc = _fields(peer.location_xml(ACCOUNT, OPENID, 23.134521, 113.358803, 20, "广州市天河区", 3, t))
    assert (loc["MsgType"], loc["Location_X"], loc["Location_Y"], loc["Scale"], loc["Label"]) == (
        "location",
        "23.134521",
        "113.358803",
        "20",
        "广州市天河区",
    )
    link = _fields(peer.link_xml(ACCOUNT, OPENID, "T", "D", "https://u", 4, t))
    assert (link["MsgType"], link["Title"], link["Description"], link["Url"]) == (
        "link",
        "T",
        "D",
        "https://u",
    )
    video = _fields(peer.video_xml(ACCOUNT, OPENID, "M", "TM", 5, t))
    assert (video["MsgType"], video["MediaId"], video["ThumbMediaId"]) == ("video", "M", "TM")
    assert _fields(peer.video_xml(ACCOUNT, OPENID, "M", "TM", 5, t, short=True))["MsgType"] == "shortvideo"
    for xml in (
        peer.voice_xml(ACCOUNT, OPENID, "M", 1, t),
        peer.link_xml(ACCOUNT, OPENID, "T", "D", "U", 1, t),
    ):
        f = _fields(xml)
        assert (f["ToUserName"], f["FromUserName"], f["CreateTime"]) == (ACCOUNT, OPENID, str(t))


# --------------------------------------------------------------------------------------------------
# Query strings and envelopes
# --------------------------------------------------------------------------------------------------


def test_signed_query_plain() -> None:
    q = peer.signed_query(TOKEN, timestamp="1700000000", nonce="12345", openid=OPENID)
    assert q == {
        "signature": peer.sign(TOKEN, "1700000000", "12345"),
        "timestamp": "1700000000",
        "nonce": "12345",
        "openid": OPENID,
    }
    q2 = peer.signed_query(TOKEN)
    assert q2["signature"] == peer.sign(TOKEN, q2["timestamp"], q2["nonce"])
    assert "encrypt_type" not in q2 and "msg_signature" not in q2
    assert peer.signed_query(TOKEN, encrypt_type="raw")["encrypt_type"] == "raw"


def test_signed_query_safe_mode() -> None:
    q = peer.signed_query(TOKEN, body_encrypt="ENC", timestamp=1700000000, nonce=7)
    assert q["encrypt_type"] == "aes"
    assert q["signature"] == peer.sign(TOKEN, "1700000000", "7")
    assert q["msg_signature"] == peer.msg_sign(TOKEN, "1700000000", "7", "ENC")


def test_verify_query() -> None:
    q = peer.verify_query(TOKEN, "echo123", timestamp="1", nonce="2")
    assert q["echostr"] == "echo123"
    assert q["signature"] == peer.sign(TOKEN, "1", "2")


def test_wrap_encrypted() -> None:
    inner = peer.text_xml(ACCOUNT, OPENID, "几点上班", 42, 1700000000)
    outer, q = peer.wrap_encrypted(TOKEN, AES_KEY, APPID, inner, "1700000000", "99")
    root = ET.fromstring(outer)
    assert [c.tag for c in root] == ["ToUserName", "Encrypt"]
    assert root.findtext("ToUserName") == ACCOUNT
    enc = root.findtext("Encrypt") or ""
    assert q == {
        "signature": peer.sign(TOKEN, "1700000000", "99"),
        "timestamp": "1700000000",
        "nonce": "99",
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": peer.msg_sign(TOKEN, "1700000000", "99", enc),
    }
    assert peer.decrypt(AES_KEY, enc) == (inner, APPID)


def test_wrap_compatible_has_plaintext_and_encrypt() -> None:
    inner = peer.event_xml(OPENID, "CLICK", 1700000000, "MENU_HELP", to_user=ACCOUNT)
    outer, q = peer.wrap_compatible(TOKEN, AES_KEY, APPID, inner, "1700000000", "99")
    fields = _fields(outer)
    enc = fields.pop("Encrypt")
    assert fields == _fields(inner)
    assert q["encrypt_type"] == "aes"
    assert q["msg_signature"] == peer.msg_sign(TOKEN, "1700000000", "99", enc)
    assert peer.decrypt(AES_KEY, enc) == (inner, APPID)


# --------------------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------------------

_TEXT_REPLY = (
    f"<xml><ToUserName><![CDATA[{OPENID}]]></ToUserName><FromUserName><![CDATA[{ACCOUNT}]]></FromUserName>"
    "<CreateTime>1700000001</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[周一至周五 9:00 上班]]></Content></xml>"
)

_NEWS_REPLY = (
    f"<xml><ToUserName><![CDATA[{OPENID}]]></ToUserName><FromUserName><![CDATA[{ACCOUNT}]]></FromUserName>"
    "<CreateTime>1700000001</CreateTime><MsgType><![CDATA[news]]></MsgType><ArticleCount>2</ArticleCount>"
    "<Articles><item><Title><![CDATA[A]]></Title><Description><![CDATA[da]]></Description>"
    "<PicUrl><![CDATA[http://p/a]]></PicUrl><Url><![CDATA[http://u/a]]></Url></item>"
    "<item><Title><![CDATA[B]]></Title><Description><![CDATA[]]></Description>"
    "<PicUrl><![CDATA[]]></PicUrl><Url><![CDATA[http://u/b]]></Url></item></Articles></xml>"
)


def _envelope(
    inner: str, token: str = TOKEN, appid: str = APPID, ts_: str = "1700000002", nonce: str = "5"
) -> str:
    enc = peer.encrypt(AES_KEY, appid, inner)
    sig = peer.msg_sign(token, ts_, nonce, enc)
    return (
        f"<xml><Encrypt><![CDATA[{enc}]]></Encrypt><MsgSignature><![CDATA[{sig}]]></MsgSignature>"
        f"<TimeStamp>{ts_}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
    )


def test_parse_plain_text_reply() -> None:
    assert peer.parse_reply(_TEXT_REPLY) == {
        "ToUserName": OPENID,
        "FromUserName": ACCOUNT,
        "CreateTime": "1700000001",
        "MsgType": "text",
        "Content": "周一至周五 9:00 上班",
    }
    assert peer.parse_reply(_TEXT_REPLY.encode()) == peer.parse_reply(_TEXT_REPLY)
    assert not peer.is_encrypted_reply(_TEXT_REPLY)


def test_parse_news_reply() -> None:
    r = peer.parse_reply(_NEWS_REPLY)
    assert r["MsgType"] == "news"
    assert r["ArticleCount"] == "2"
    assert r["Articles"] == [
        {"Title": "A", "Description": "da", "PicUrl": "http://p/a", "Url": "http://u/a"},
        {"Title": "B", "Description": "", "PicUrl": "", "Url": "http://u/b"},
    ]


def test_parse_no_reply() -> None:
    assert peer.parse_reply("success") == {}
    assert peer.parse_reply("") == {}
    assert not peer.is_encrypted_reply("success")


def test_parse_encrypted_reply() -> None:
    body = _envelope(_NEWS_REPLY)
    assert peer.is_encrypted_reply(body)
    assert peer.parse_reply(body, token=TOKEN, aes_key=AES_KEY, appid=APPID) == peer.parse_reply(_NEWS_REPLY)


def test_parse_encrypted_reply_rejects_bad_signature_and_appid() -> None:
    with pytest.raises(peer.SignatureError):
        peer.parse_reply(_envelope(_TEXT_REPLY, token="another"), token=TOKEN, aes_key=AES_KEY, appid=APPID)
    tampered = _envelope(_TEXT_REPLY).replace("<TimeStamp>1700000002", "<TimeStamp>1700000003")
    with pytest.raises(peer.SignatureError):
        peer.parse_reply(tampered, token=TOKEN, aes_key=AES_KEY)
    with pytest.raises(peer.AppIdError):
        peer.parse_reply(_envelope(_TEXT_REPLY, appid="wxother"), token=TOKEN, aes_key=AES_KEY, appid=APPID)
    with pytest.raises(peer.PeerError):
        peer.parse_reply(_envelope(_TEXT_REPLY))  # no token / key given
    no_sig = _envelope(_TEXT_REPLY).split("<MsgSignature>")[0] + "</xml>"
    with pytest.raises(peer.PeerError):
        peer.parse_reply(no_sig, token=TOKEN, aes_key=AES_KEY)


def test_parse_reply_rejects_non_wechat_xml() -> None:
    for bad in (
        '<!DOCTYPE x [<!ENTITY a "b">]><xml><Content>&a;</Content></xml>',
        "<notxml/>",
        "<xml><a></xml>",
    ):
        with pytest.raises(peer.PeerError):
            peer.parse_reply(bad)


# --------------------------------------------------------------------------------------------------
# The one cross-check against wechatpy (the library our webhook uses)
# --------------------------------------------------------------------------------------------------


def test_cross_check_with_wechatpy() -> None:
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    # peer -> wechatpy: a safe-mode callback built by the peer is accepted and decrypted by wechatpy.
    inner = peer.text_xml(ACCOUNT, OPENID, "中文 & ]]> 测试", 6054768590064713728, 1700000000)
    outer, q = peer.wrap_encrypted(TOKEN, AES_KEY, APPID, inner, "1700000000", "424242")
    decrypted = crypto.decrypt_message(outer, q["msg_signature"], q["timestamp"], q["nonce"])
    assert (decrypted.decode() if isinstance(decrypted, bytes) else decrypted) == inner

    # wechatpy -> peer: a reply envelope from wechatpy verifies and decrypts with the peer.
    envelope = crypto.encrypt_message(_TEXT_REPLY, "777", "1700000005")
    assert peer.parse_reply(envelope, token=TOKEN, aes_key=AES_KEY, appid=APPID) == peer.parse_reply(
        _TEXT_REPLY
    )

    # ...and a Tencent sample decrypts identically in both implementations.
    s = ts.MP_SPAMTEST_COMPATIBLE
    assert s.body is not None
    theirs = WeChatCrypto(s.token, s.aes_key, s.appid).decrypt_message(
        s.body, s.msg_signature, s.timestamp, s.nonce
    )
    assert (theirs.decode() if isinstance(theirs, bytes) else theirs) == peer.decrypt(s.aes_key, s.encrypt)[0]
