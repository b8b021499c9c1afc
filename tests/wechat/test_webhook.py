"""The WeChat webhook (``GET``/``POST /wechat``) against the real app, on SQLite and PostgreSQL.

Every message is built, signed and encrypted by ``tests/wechat/peer.py`` (WeChat's side of the
protocol, independent of wechatpy, proven by Tencent's sample vectors), posted to the real FastAPI
app, and every reply is verified and decrypted by the peer. Customer-service messages are observed
at the real stand-in of WeChat's API.
"""

from __future__ import annotations

import base64
import os
import re
import struct
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import create_app
from bot.config import SIMULATOR_APPID, SIMULATOR_SECRET, Settings
from bot.conversation.messages import Article, Inbound, Outbound
from bot.conversation.paging import WECHAT_TEXT_LIMIT
from bot.models import MessageLog, TemplateDelivery, User
from bot.wechat.protocol import Codec, ProtocolError
from tests.conftest import TEST_TOKEN, StandIn, WeChatUser
from tests.wechat import peer
from tests.wechat.tencent_samples import MP_SPAMTEST_COMPATIBLE, WECHATPY_WORK_MESSAGE, WORK_QDG6EK_MESSAGE

ACCOUNT = "gh_jianxi_test"
OPENID = "o_webhook_user_0001"
# A fixed, valid EncodingAESKey (43 characters, decodes to 32 bytes).
AES_KEY = base64.b64encode(bytes(range(32))).decode("ascii").rstrip("=")
OTHER_AES_KEY = base64.b64encode(bytes(range(100, 132))).decode("ascii").rstrip("=")
HELP_HEAD = "我是“见习”助手，可以帮您："
MORE_FOOTER = "回复“更多”继续）"
PASSWD_MARKERS = ("root:", "/bin/", "daemon:", "nologin")


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def post(client: TestClient, body: str | bytes, query: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> httpx.Response:
    """POST a body to /wechat; ``query`` defaults to a fresh plaintext-mode signature."""
    content = body.encode("utf-8") if isinstance(body, str) else body
    return client.post("/wechat", params=query if query is not None else peer.signed_query(TEST_TOKEN),
                       content=content, headers={"Content-Type": "text/xml", **(headers or {})})


def reply_fields(resp: httpx.Response, settings: Settings | None = None) -> dict[str, Any]:
    """The verified (and decrypted, in safe mode) fields of a passive reply."""
    assert resp.status_code == 200, (resp.status_code, resp.text)
    if settings is not None and settings.wechat_aes_key:
        return peer.parse_reply(resp.text, token=settings.wechat_token, aes_key=settings.wechat_aes_key,
                                appid=settings.appid)
    return peer.parse_reply(resp.text)


def text_reply(client: TestClient, content: str, openid: str = OPENID, **kw: Any) -> dict[str, Any]:
    return reply_fields(post(client, peer.text_xml(ACCOUNT, openid, content, **kw)))


def inbound_rows(client: TestClient, msg_key: str | None = None) -> list[MessageLog]:
    with client.app.state.services.db.session() as s:
        q = select(MessageLog).where(MessageLog.direction == "in")
        if msg_key is not None:
            q = q.where(MessageLog.msg_key == msg_key)
        return list(s.scalars(q.order_by(MessageLog.id)))


def get_user(client: TestClient, openid: str = OPENID) -> User | None:
    with client.app.state.services.db.session() as s:
        return s.scalar(select(User).where(User.openid == openid))


def wait_for(predicate: Callable[[], Any], timeout_s: float = 5.0, poll_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(poll_s)


def encrypt_raw(aes_key: str, appid: str, msg: bytes) -> str:
    """Like ``peer.encrypt`` but for arbitrary bytes (non-UTF-8, UTF-16 ...) as the message."""
    key = peer.aes_key_bytes(aes_key)
    plain = os.urandom(16) + struct.pack(">I", len(msg)) + msg + appid.encode("utf-8")
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(peer.pkcs7_pad(plain)) + enc.finalize()).decode("ascii")


def envelope_fields(body: str) -> dict[str, str]:
    """The outer fields of a safe-mode reply (Encrypt, MsgSignature, TimeStamp, Nonce), not decrypted."""
    root = ET.fromstring(body)
    return {child.tag: child.text or "" for child in root}


def envelope(token: str, encrypt: str, to_user: str = ACCOUNT) -> tuple[str, dict[str, str]]:
    """A safe-mode body around a given ``Encrypt`` value, with a correct msg_signature for it."""
    body = f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return body, peer.signed_query(token, encrypt)


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., tuple[TestClient, Settings]]]:
    """Another instance of the real app on the same database, with some settings changed."""
    opened: list[TestClient] = []

    def make(**overrides: Any) -> tuple[TestClient, Settings]:
        s = Settings(**{**settings.model_dump(), **overrides}, _env_file=None)  # type: ignore[call-arg]
        c = TestClient(create_app(s))
        c.__enter__()
        opened.append(c)
        return c, s

    yield make
    for c in reversed(opened):
        c.__exit__(None, None, None)
        c.app.state.services.db.dispose()


@pytest.fixture
def safe(make_client: Callable[..., tuple[TestClient, Settings]]) -> tuple[TestClient, Settings]:
    """The app in safe mode (EncodingAESKey and AppID set; not the simulator)."""
    return make_client(wechat_aes_key=AES_KEY, wechat_appid=SIMULATOR_APPID, wechat_secret=SIMULATOR_SECRET,
                       simulator=False)


# --------------------------------------------------------------------------------------------------
# 1. URL verification (GET /wechat)
# --------------------------------------------------------------------------------------------------


def test_url_verification_echoes_echostr(client: TestClient) -> None:
    echostr = "7211864357623489025"
    r = client.get("/wechat", params=peer.verify_query(TEST_TOKEN, echostr))
    assert r.status_code == 200
    assert r.text == echostr


def test_url_verification_refuses_bad_or_missing_signature(client: TestClient) -> None:
    good = peer.verify_query(TEST_TOKEN, "hello")
    cases = {
        "other token": peer.verify_query("not-our-token", "hello"),
        "tampered signature": {**good, "signature": "0" * 40},
        "signature for another nonce": {**good, "nonce": str(int(good["nonce"]) + 1)},
        "empty signature": {**good, "signature": ""},
        "no parameters": {},
        "echostr only": {"echostr": "hello"},
    }
    for field in ("signature", "timestamp", "nonce"):
        cases[f"without {field}"] = {k: v for k, v in good.items() if k != field}
    for name, query in cases.items():
        r = client.get("/wechat", params=query)
        assert r.status_code == 403, name
        assert "hello" not in r.text, name


def test_url_verification_replay_window(client: TestClient, settings: Settings) -> None:
    skew = settings.wechat_max_skew_s
    assert skew == 300
    now = int(time.time())
    for ts in (now - skew - 60, now + skew + 60, 1409735669):
        r = client.get("/wechat", params=peer.verify_query(TEST_TOKEN, "late", timestamp=ts))
        assert r.status_code == 403, ts
        assert r.text != "late"
    for ts in (now - skew + 30, now + skew - 30):
        r = client.get("/wechat", params=peer.verify_query(TEST_TOKEN, "in-window", timestamp=ts))
        assert (r.status_code, r.text) == (200, "in-window"), ts


def test_max_skew_zero_disables_the_replay_window(make_client) -> None:  # type: ignore[no-untyped-def]
    c, _ = make_client(wechat_max_skew_s=0)
    r = c.get("/wechat", params=peer.verify_query(TEST_TOKEN, "from-2014", timestamp=1409735669))
    assert (r.status_code, r.text) == (200, "from-2014")
    # ... but the signature is still checked.
    r = c.get("/wechat", params=peer.verify_query("not-our-token", "from-2014", timestamp=1409735669))
    assert r.status_code == 403


# --------------------------------------------------------------------------------------------------
# 2. Plaintext mode
# --------------------------------------------------------------------------------------------------


def test_text_gets_text_reply_with_to_and_from_swapped(client: TestClient) -> None:
    before = int(time.time())
    r = post(client, peer.text_xml(ACCOUNT, OPENID, "帮助"))
    assert r.headers["content-type"].startswith("application/xml")
    reply = reply_fields(r)
    assert reply["ToUserName"] == OPENID
    assert reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text"
    assert reply["Content"].startswith(HELP_HEAD)
    assert before - 1 <= int(reply["CreateTime"]) <= time.time() + 1
    # The message was logged with its key, and the follower exists now.
    [row] = inbound_rows(client)
    assert (row.openid, row.msg_type, row.content, row.intent) == (OPENID, "text", "帮助", "help")
    assert get_user(client) is not None


def test_voice_recognition_is_answered_as_text(client: TestClient) -> None:
    as_text = text_reply(client, "帮助")["Content"]
    voice = reply_fields(post(client, peer.voice_xml(ACCOUNT, OPENID, "media-1", recognition="帮助")))
    assert voice["MsgType"] == "text"
    assert voice["Content"] == as_text
    assert voice["ToUserName"] == OPENID
    # Without recognition there is nothing to understand: the polite fallback.
    silent = reply_fields(post(client, peer.voice_xml(ACCOUNT, OPENID, "media-2")))
    assert "没听懂" in silent["Content"]
    kinds = [(r.msg_type, r.content) for r in inbound_rows(client)]
    assert kinds == [("text", "帮助"), ("voice", "帮助"), ("voice", "")]


def test_subscribe_scan_and_unsubscribe(wechat_user: WeChatUser, client: TestClient) -> None:
    u = wechat_user
    welcome = u.event("subscribe", "qrscene_42", Ticket="TICKET")
    assert "欢迎关注" in welcome["Content"]
    assert welcome["ToUserName"] == u.openid and welcome["FromUserName"] == u.account
    user = get_user(client, u.openid)
    assert user is not None and user.subscribed and user.pushes_enabled and user.subscribed_at is not None

    assert "欢迎回来" in u.event("SCAN", "42", Ticket="TICKET")["Content"]

    xml = peer.event_xml(u.openid, "unsubscribe", to_user=u.account)
    r = post(client, xml)
    assert (r.status_code, r.text) == (200, "success")
    user = get_user(client, u.openid)
    assert user is not None
    assert user.subscribed is False and user.pushes_enabled is False and user.unsubscribed_at is not None
    assert [r.msg_type for r in inbound_rows(client)] == ["event:subscribe", "event:scan", "event:unsubscribe"]


def test_menu_click_routes_by_key(wechat_user: WeChatUser, client: TestClient) -> None:
    profile = wechat_user.click("MY_PROFILE")
    assert "您还没有填写个人资料" in profile
    [row] = inbound_rows(client)
    assert (row.msg_type, row.content, row.intent) == ("event:click", "MY_PROFILE", "profile.show")
    # (a later CreateTime: clicks of one sender in the same second count as one retried event)
    later = wechat_user.event("CLICK", "NO_SUCH_KEY", create_time=int(time.time()) + 1)
    assert "没听懂" in later["Content"]


def test_view_location_and_template_events(client: TestClient) -> None:
    r = post(client, peer.event_xml(OPENID, "VIEW", event_key="https://example.com/jobs"))
    assert (r.status_code, r.text) == (200, "success")

    r = post(client, peer.event_xml(OPENID, "LOCATION", Latitude=23.137466, Longitude=113.352425,
                                    Precision=119.385040))
    assert (r.status_code, r.text) == (200, "success")
    user = get_user(client)
    assert user is not None
    assert user.latitude == pytest.approx(23.137466) and user.longitude == pytest.approx(113.352425)
    assert user.location_at is not None

    t = int(time.time())
    for i, status in enumerate(("success", "failed:user block")):
        r = post(client, peer.event_xml(OPENID, "TEMPLATESENDJOBFINISH", t + i, MsgID=200163836, Status=status))
        assert (r.status_code, r.text) == (200, "success")
        with client.app.state.services.db.session() as s:
            row = s.get(TemplateDelivery, "200163836")
            assert row is not None and (row.openid, row.status) == (OPENID, status)


def test_two_template_reports_in_the_same_second(client: TestClient) -> None:
    t = int(time.time())
    for msgid in (200163901, 200163902):
        r = post(client, peer.event_xml(OPENID, "TEMPLATESENDJOBFINISH", t, MsgID=msgid, Status="success"))
        assert (r.status_code, r.text) == (200, "success")
    with client.app.state.services.db.session() as s:
        assert s.get(TemplateDelivery, "200163901") is not None
        assert s.get(TemplateDelivery, "200163902") is not None


@pytest.mark.parametrize("kind", ["image", "link", "video", "shortvideo"])
def test_unreadable_messages_get_a_polite_reply(client: TestClient, kind: str) -> None:
    xml = {
        "image": lambda: peer.image_xml(ACCOUNT, OPENID, "https://example.com/a.jpg", "media-1"),
        "link": lambda: peer.link_xml(ACCOUNT, OPENID, "标题", "描述", "https://example.com/a"),
        "video": lambda: peer.video_xml(ACCOUNT, OPENID, "media-1", "thumb-1"),
        "shortvideo": lambda: peer.video_xml(ACCOUNT, OPENID, "media-1", "thumb-1", short=True),
    }[kind]()
    reply = reply_fields(post(client, xml))
    name = {"image": "图片", "link": "链接", "video": "视频", "shortvideo": "小视频"}[kind]
    assert reply["MsgType"] == "text" and reply["ToUserName"] == OPENID
    assert reply["Content"].startswith(f"收到您的{name}，") and "文字" in reply["Content"]
    assert [r.msg_type for r in inbound_rows(client)] == [kind]


def test_location_message_is_answered_and_remembered(client: TestClient) -> None:
    reply = reply_fields(post(client, peer.location_xml(ACCOUNT, OPENID, 34.7466, 113.6253, 15, "郑州市金水区")))
    assert "已记下您发送的位置（郑州市金水区）" in reply["Content"]
    user = get_user(client)
    assert user is not None and (user.latitude, user.longitude) == (pytest.approx(34.7466), pytest.approx(113.6253))


def test_reply_echoing_cdata_terminator_stays_well_formed(client: TestClient) -> None:
    """A reply that echoes text containing ``]]>`` (here a location label) is still valid XML."""
    label = "A]]><Content>伪造</Content>B"
    r = post(client, peer.location_xml(ACCOUNT, OPENID, 34.7, 113.6, 15, label))
    assert r.status_code == 200
    reply = peer.parse_reply(r.text)
    assert f"（{label}）" in reply["Content"]


def test_news_reply_with_cdata_terminator_stays_well_formed(client: TestClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    title = "见习]]><Url>https://evil.example</Url>"
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help", lambda ctx: Outbound(
        kind="news", articles=[Article(title=title, description="a]]>b", url="https://example.com/p/1")]))
    reply = text_reply(client, "帮助")
    [article] = reply["Articles"]
    assert (article["Title"], article["Description"], article["Url"]) == (title, "a]]>b", "https://example.com/p/1")


# --------------------------------------------------------------------------------------------------
# 3. Safe mode and compatible mode
# --------------------------------------------------------------------------------------------------


def test_safe_mode_round_trip(safe: tuple[TestClient, Settings]) -> None:
    c, s = safe
    inner = peer.text_xml(ACCOUNT, OPENID, "帮助")
    body, query = peer.wrap_encrypted(s.wechat_token, AES_KEY, s.appid, inner)
    assert "帮助" not in body and "FromUserName" not in body
    r = post(c, body, query)
    assert r.status_code == 200
    assert peer.is_encrypted_reply(r.text)
    assert "见习" not in r.text  # nothing in clear
    raw = envelope_fields(r.text)
    assert raw["Nonce"] == query["nonce"]
    assert raw["MsgSignature"] == peer.msg_sign(s.wechat_token, raw["TimeStamp"], raw["Nonce"], raw["Encrypt"])
    reply = peer.parse_reply(r.text, token=s.wechat_token, aes_key=AES_KEY, appid=s.appid)
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    assert reply["Content"].startswith(HELP_HEAD)
    # The peer rejects the envelope under another token or for another AppID.
    with pytest.raises(peer.SignatureError):
        peer.parse_reply(r.text, token="other", aes_key=AES_KEY, appid=s.appid)
    with pytest.raises(peer.AppIdError):
        peer.parse_reply(r.text, token=s.wechat_token, aes_key=AES_KEY, appid="wx_someone_else")

    # An encrypted event too (WeChatUser encrypts because the settings have a key).
    welcome = WeChatUser(c, s, openid="o_safe_event").event("subscribe")
    assert "欢迎关注" in welcome["Content"]
    assert [r.msg_type for r in inbound_rows(c)] == ["text", "event:subscribe"]


def test_safe_mode_refusals(safe: tuple[TestClient, Settings]) -> None:
    c, s = safe
    token = s.wechat_token
    inner = peer.text_xml(ACCOUNT, OPENID, "帮助")

    body, query = peer.wrap_encrypted(token, AES_KEY, s.appid, inner)
    r = post(c, body, {**query, "msg_signature": "0" * 40})
    assert r.status_code == 403, r.text
    r = post(c, body, {k: v for k, v in query.items() if k != "msg_signature"})
    assert r.status_code == 403, r.text
    # The Encrypt changed after signing.
    enc = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", body).group(1)  # type: ignore[union-attr]
    tampered = body.replace(enc, ("B" if enc[0] != "B" else "C") + enc[1:])
    assert tampered != body
    assert post(c, tampered, query).status_code == 403

    body, query = peer.wrap_encrypted(token, AES_KEY, "wx_another_appid_00", inner)
    assert post(c, body, query).status_code == 403

    for garbage in ("!!!not base64!!!", "QUJD", base64.b64encode(b"x" * 33).decode(), "=" * 8):
        assert post(c, *envelope(token, garbage)).status_code == 400, garbage

    # Encrypted with another key: cannot be decrypted (400) or comes out for no AppID of ours (403).
    body, query = peer.wrap_encrypted(token, OTHER_AES_KEY, s.appid, inner)
    assert post(c, body, query).status_code in (400, 403)
    # Missing or nested Encrypt with encrypt_type=aes.
    query = peer.signed_query(token, "x")
    assert post(c, f"<xml><ToUserName>{ACCOUNT}</ToUserName></xml>", query).status_code == 400
    assert post(c, "<xml><Encrypt><a>b</a></Encrypt></xml>", query).status_code == 400
    assert inbound_rows(c) == []


def test_encrypted_message_without_a_key_is_refused(client: TestClient) -> None:
    body, query = peer.wrap_encrypted(TEST_TOKEN, AES_KEY, SIMULATOR_APPID, peer.text_xml(ACCOUNT, OPENID, "帮助"))
    assert post(client, body, query).status_code == 400


def test_compatible_mode(safe: tuple[TestClient, Settings]) -> None:
    c, s = safe
    inner = peer.text_xml(ACCOUNT, OPENID, "帮助")
    body, query = peer.wrap_compatible(s.wechat_token, AES_KEY, s.appid, inner)
    assert query["encrypt_type"] == "aes" and "<Content>" in body and "<Encrypt>" in body
    r = post(c, body, query)
    assert peer.is_encrypted_reply(r.text)
    reply = reply_fields(r, s)
    assert reply["ToUserName"] == OPENID and reply["Content"].startswith(HELP_HEAD)

    # With encrypt_type=raw the plaintext fields are used and the reply is plaintext.
    body2, _ = peer.wrap_compatible(s.wechat_token, AES_KEY, s.appid,
                                    peer.text_xml(ACCOUNT, "o_compat_raw", "帮助"))
    r = post(c, body2, peer.signed_query(s.wechat_token, encrypt_type="raw"))
    assert not peer.is_encrypted_reply(r.text)
    assert peer.parse_reply(r.text)["ToUserName"] == "o_compat_raw"

    # With encrypt_type=aes only the authenticated (encrypted) part counts, not the clear copy.
    forged_outer = peer.text_xml(ACCOUNT, "o_forged_sender", "退订")
    genuine = peer.text_xml(ACCOUNT, "o_genuine_sender", "帮助")
    enc = peer.encrypt(AES_KEY, s.appid, genuine)
    body3 = forged_outer.replace("</xml>", f"<Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
    reply = reply_fields(post(c, body3, peer.signed_query(s.wechat_token, enc)), s)
    assert reply["ToUserName"] == "o_genuine_sender" and reply["Content"].startswith(HELP_HEAD)
    assert get_user(c, "o_forged_sender") is None


# --------------------------------------------------------------------------------------------------
# 4. Tencent's published samples
# --------------------------------------------------------------------------------------------------


def _sample_query(sample: Any) -> dict[str, str]:
    """The sample's own timestamp, nonce and msg_signature; ``signature`` as WeChat computes it."""
    return {"signature": peer.sign(sample.token, sample.timestamp, sample.nonce), "timestamp": sample.timestamp,
            "nonce": sample.nonce, "encrypt_type": "aes", "msg_signature": sample.msg_signature}


def test_tencent_mp_compatible_sample_is_accepted_and_answered(make_client) -> None:  # type: ignore[no-untyped-def]
    sample = MP_SPAMTEST_COMPATIBLE
    fields = sample.plaintext_fields
    overrides = {"wechat_token": sample.token, "wechat_aes_key": sample.aes_key, "wechat_appid": sample.appid,
                 "wechat_secret": "tencent-sample-secret", "simulator": False}

    # With the default replay window, a 2014 timestamp is refused.
    strict, _ = make_client(**overrides)
    assert post(strict, sample.body, _sample_query(sample)).status_code == 403  # type: ignore[arg-type]

    c, s = make_client(**overrides, wechat_max_skew_s=0)
    r = post(c, sample.body, _sample_query(sample))  # type: ignore[arg-type]
    assert peer.is_encrypted_reply(r.text)
    assert envelope_fields(r.text)["Nonce"] == sample.nonce
    reply = reply_fields(r, s)
    assert reply["ToUserName"] == fields["FromUserName"]
    assert reply["FromUserName"] == fields["ToUserName"]
    assert reply["MsgType"] == "text" and "没听懂" in reply["Content"]
    [row] = inbound_rows(c)
    assert (row.openid, row.msg_type, row.content, row.msg_key) == (
        fields["FromUserName"], "text", fields["Content"], f"msg:{fields['MsgId']}")

    # The same ciphertext as a pure safe-mode post (msg_signature covers only Encrypt): accepted,
    # recognised as the same MsgId, answered identically, not processed again.
    body = (f"<xml><ToUserName><![CDATA[{fields['ToUserName']}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sample.encrypt}]]></Encrypt></xml>")
    again = reply_fields(post(c, body, _sample_query(sample)), s)
    assert again["Content"] == reply["Content"] and again["ToUserName"] == fields["FromUserName"]
    assert len(inbound_rows(c)) == 1

    # One altered character in the published Encrypt: refused.
    altered = sample.body.replace(sample.encrypt, sample.encrypt[:10] + "A" + sample.encrypt[11:])  # type: ignore[union-attr]
    assert altered != sample.body
    assert post(c, altered, _sample_query(sample)).status_code == 403


@pytest.mark.parametrize("sample", [WORK_QDG6EK_MESSAGE, WECHATPY_WORK_MESSAGE], ids=lambda s: s.name)
def test_work_wechat_samples_through_our_codec(sample: Any) -> None:
    """企业微信 posts carry only msg_signature (no ``signature``), so they cannot pass our endpoint, but
    the encryption scheme is the same: our Codec's safe-mode path decrypts them (CorpID as AppID)."""
    params = {"encrypt_type": "aes", "msg_signature": sample.msg_signature, "timestamp": sample.timestamp,
              "nonce": sample.nonce}
    decoded = Codec(sample.token, sample.aes_key, sample.appid).decode(sample.body.encode("utf-8"), params)
    assert decoded.encrypted
    inbound = decoded.inbound
    fields = sample.plaintext_fields
    assert inbound.kind == "text"
    assert inbound.openid == fields["FromUserName"]
    assert inbound.text == fields["Content"]
    if "MsgId" in fields:
        assert inbound.msg_id == fields["MsgId"]
        assert inbound.create_time == int(fields["CreateTime"])
        assert inbound.account == fields["ToUserName"]

    with pytest.raises(ProtocolError) as bad_sig:
        Codec(sample.token, sample.aes_key, sample.appid).decode(sample.body.encode(), {**params,
                                                                                      "msg_signature": "0" * 40})
    assert bad_sig.value.status == 403
    with pytest.raises(ProtocolError) as other_id:
        Codec(sample.token, sample.aes_key, "wx_not_the_corp").decode(sample.body.encode(), params)
    assert other_id.value.status == 403


def test_work_wechat_post_is_refused_by_the_endpoint(make_client) -> None:  # type: ignore[no-untyped-def]
    sample = WORK_QDG6EK_MESSAGE
    c, _ = make_client(wechat_token=sample.token, wechat_aes_key=sample.aes_key, wechat_appid=sample.appid,
                       wechat_max_skew_s=0, simulator=False)
    query = {"msg_signature": sample.msg_signature, "timestamp": sample.timestamp, "nonce": sample.nonce}
    assert post(c, sample.body, query).status_code == 403  # type: ignore[arg-type]
    assert inbound_rows(c) == []


# --------------------------------------------------------------------------------------------------
# 5. Hardening
# --------------------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>'
    f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>&lol5;</Content>"
    "<MsgId>1234567890123456</MsgId></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content>"
    "<MsgId>1234567890123457</MsgId></xml>"
)
DECLARATIONS = {
    "billion laughs": BILLION_LAUGHS,
    "xxe": XXE,
    "xxe lower case": XXE.replace("DOCTYPE", "doctype").replace("ENTITY", "entity"),
    "xxe spaced": XXE.replace("<!DOCTYPE", "<! DOCTYPE"),
    "parameter entity": ('<!DOCTYPE xml [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
                         + peer.text_xml(ACCOUNT, OPENID, "x")),
    "entity without doctype": '<!ENTITY x "y">' + peer.text_xml(ACCOUNT, OPENID, "x"),
}


def assert_no_leak(r: httpx.Response, what: str) -> None:
    for marker in PASSWD_MARKERS:
        assert marker not in r.text, (what, marker)
    assert "Traceback" not in r.text, what
    assert "lollollol" not in r.text, what


def test_forged_signature_and_replayed_timestamp_are_refused(client: TestClient) -> None:
    xml = peer.text_xml(ACCOUNT, OPENID, "帮助")
    assert post(client, xml, peer.signed_query("forged-token")).status_code == 403
    assert post(client, xml, {**peer.signed_query(TEST_TOKEN), "signature": "f" * 40}).status_code == 403
    assert post(client, xml, {}).status_code == 403
    now = int(time.time())
    for ts in (now - 3600, now + 3600, 1409735669):
        assert post(client, xml, peer.signed_query(TEST_TOKEN, timestamp=ts)).status_code == 403, ts
    assert inbound_rows(client) == []
    # The same message, correctly signed now: accepted (so the refusals above were the signature's).
    assert reply_fields(post(client, xml))["Content"].startswith(HELP_HEAD)


def test_body_size_limit(client: TestClient, settings: Settings) -> None:
    limit = settings.max_body_bytes
    assert limit == 64 * 1024
    xml = peer.text_xml(ACCOUNT, OPENID, "帮助")
    at_limit = xml.encode() + b" " * (limit - len(xml.encode()))
    assert len(at_limit) == limit
    assert reply_fields(post(client, at_limit))["Content"].startswith(HELP_HEAD)

    over = at_limit + b" "
    r = post(client, over)
    assert r.status_code == 413
    assert r.request.headers["content-length"] == str(limit + 1)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(over), 4096):
            yield over[i:i + 4096]

    r = client.post("/wechat", params=peer.signed_query(TEST_TOKEN), content=chunks())
    assert "content-length" not in r.request.headers
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413
    assert len(inbound_rows(client)) == 1  # only the message at the limit


def test_doctype_and_entities_are_refused(client: TestClient) -> None:
    for name, body in DECLARATIONS.items():
        r = post(client, body)
        assert r.status_code == 400, name
        assert_no_leak(r, name)
    assert inbound_rows(client) == []


def test_doctype_inside_an_encrypted_message_is_refused(safe: tuple[TestClient, Settings]) -> None:
    c, s = safe
    for name, inner in DECLARATIONS.items():
        # (the peer refuses to wrap such a message, so the envelope is built here)
        enc = peer.encrypt(AES_KEY, s.appid, inner)
        r = post(c, *envelope(s.wechat_token, enc))
        assert r.status_code == 400, name
        assert_no_leak(r, name)
        # Compatible mode: a clean clear copy, the declaration only inside the encrypted copy.
        clear = peer.text_xml(ACCOUNT, OPENID, "帮助")
        body = clear.replace("</xml>", f"<Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
        assert post(c, body, peer.signed_query(s.wechat_token, enc)).status_code == 400, name
    # Even declared in UTF-16, where a byte-level search for "<!DOCTYPE" sees nothing.
    enc = encrypt_raw(AES_KEY, s.appid, XXE.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
                      .encode("utf-16"))
    r = post(c, *envelope(s.wechat_token, enc))
    assert 400 <= r.status_code < 500
    assert_no_leak(r, "utf-16 inner")
    assert inbound_rows(c) == []


def test_malformed_or_incomplete_xml_is_refused(client: TestClient) -> None:
    good = peer.text_xml(ACCOUNT, OPENID, "帮助")
    cases: dict[str, str | bytes] = {
        "empty": b"",
        "not xml": "hello",
        "unclosed": good[:-8],
        "mismatched tags": good.replace("</Content>", "</Contnt>"),
        "wrong root": good.replace("<xml>", "<message>").replace("</xml>", "</message>"),
        "json": '{"FromUserName": "x", "MsgType": "text"}',
        "no FromUserName": re.sub(r"<FromUserName>.*?</FromUserName>", "", good),
        "empty FromUserName": re.sub(r"<FromUserName>.*?</FromUserName>", "<FromUserName></FromUserName>", good),
        "no MsgType": re.sub(r"<MsgType>.*?</MsgType>", "", good),
        "bad CreateTime": re.sub(r"<CreateTime>\d+</CreateTime>", "<CreateTime>yesterday</CreateTime>", good),
        "two roots": good + good,
    }
    for name, body in cases.items():
        r = post(client, body)
        assert r.status_code == 400, (name, r.status_code, r.text)
        assert "Traceback" not in r.text
    assert inbound_rows(client) == []


def test_non_utf8_bodies_are_refused(client: TestClient) -> None:
    good = peer.text_xml(ACCOUNT, OPENID, "帮助")
    cases = {
        "random bytes": bytes(range(256)) * 4,
        "invalid utf-8 in content": good.encode().replace("帮助".encode(), b"\xff\xfe\xc3\x28"),
        "gbk content": good.encode().replace("帮助".encode(), "帮助".encode("gbk")),
        "utf-16 declared as utf-8": good.encode("utf-16"),
    }
    for name, body in cases.items():
        r = post(client, body)
        assert 400 <= r.status_code < 500, (name, r.status_code)
        assert "Traceback" not in r.text
    assert inbound_rows(client) == []


def _malicious_bodies() -> dict[str, bytes]:
    good = peer.text_xml(ACCOUNT, OPENID, "帮助")
    bodies: dict[str, bytes] = {name: b.encode() for name, b in DECLARATIONS.items()}
    bodies.update({
        "xxe utf-16": XXE.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
        "random bytes": os.urandom(2048),
        "nul bytes": good.encode().replace(b"<Content>", b"<Content>\x00"),
        "deep nesting": ("<xml>" + "<a>" * 5000 + "</a>" * 5000 + "</xml>").encode(),
        "many attributes": ("<xml " + " ".join(f'a{i}="{i}"' for i in range(3000)) + "/>").encode(),
        "nested FromUserName": good.replace(f"<![CDATA[{OPENID}]]>", "<a>1</a><b>2</b>").encode(),
        "two FromUserNames": good.replace("<MsgType>", "<FromUserName>o_second</FromUserName><MsgType>").encode(),
        "very long FromUserName": good.replace(OPENID, "o" * 5000).encode(),
        "very long MsgId": re.sub(r"<MsgId>\d+</MsgId>", "<MsgId>" + "9" * 500 + "</MsgId>", good).encode(),
        "nested Content": good.replace("<![CDATA[帮助]]>", "<p>帮助</p>").encode(),
        "unknown MsgType": good.replace("<![CDATA[text]]>", "<![CDATA[hologram]]>").encode(),
        "event without Event": peer.event_xml(OPENID, "").encode(),
        "LOCATION with words": peer.event_xml(OPENID, "LOCATION", Latitude="north", Longitude="east").encode(),
        "huge CreateTime": re.sub(r"<CreateTime>\d+</CreateTime>", "<CreateTime>" + "9" * 40 + "</CreateTime>",
                                  good).encode(),
        "negative CreateTime": re.sub(r"<CreateTime>\d+</CreateTime>", "<CreateTime>-1</CreateTime>", good).encode(),
        "processing instruction": ('<?xml-stylesheet href="file:///etc/passwd"?>' + good).encode(),
        "cdata terminator": good.replace("帮助", "]]></Content></xml>").encode(),
        "bom": b"\xef\xbb\xbf" + good.encode(),
    })
    return bodies


def test_never_a_500(client: TestClient, safe: tuple[TestClient, Settings]) -> None:
    """Whatever arrives, signed or not, encrypted or not: never a 500, never a traceback or a leak."""
    sc, s = safe
    for name, body in _malicious_bodies().items():
        for query in (peer.signed_query(TEST_TOKEN), {}, {**peer.signed_query(TEST_TOKEN), "timestamp": "soon"}):
            r = post(client, body, query)
            assert r.status_code < 500, (name, r.status_code, r.text[:200])
            assert_no_leak(r, name)
        # The same bodies inside safe mode's envelope, correctly signed and encrypted.
        r = post(sc, *envelope(s.wechat_token, encrypt_raw(AES_KEY, s.appid, body)))
        assert r.status_code < 500, ("encrypted " + name, r.status_code, r.text[:200])
        assert_no_leak(r, "encrypted " + name)
    # The app still works afterwards.
    assert text_reply(client, "帮助", openid="o_after_the_storm")["Content"].startswith(HELP_HEAD)


# --------------------------------------------------------------------------------------------------
# 6. WeChat's retries: exactly once
# --------------------------------------------------------------------------------------------------


def _count_calls(channel: Any, monkeypatch: pytest.MonkeyPatch, delay_s: float = 0.0) -> list[Inbound]:
    calls: list[Inbound] = []
    real = channel.handle

    def counting(inbound: Inbound) -> list[Outbound]:
        calls.append(inbound)
        if delay_s:
            time.sleep(delay_s)
        return real(inbound)

    monkeypatch.setattr(channel, "handle", counting)
    return calls


def test_same_msgid_three_times_is_processed_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(client.app.state.channel, monkeypatch)
    xml = peer.text_xml(ACCOUNT, OPENID, "帮助", msg_id=6054768590064713001)
    replies = [reply_fields(post(client, xml)) for _ in range(3)]
    assert len(calls) == 1
    assert [r["Content"] for r in replies] == [replies[0]["Content"]] * 3
    assert all((r["ToUserName"], r["FromUserName"]) == (OPENID, ACCOUNT) for r in replies)
    assert replies[0]["Content"].startswith(HELP_HEAD)
    assert len(inbound_rows(client, "msg:6054768590064713001")) == 1
    # Another MsgId with the same content is a new message.
    reply_fields(post(client, peer.text_xml(ACCOUNT, OPENID, "帮助", msg_id=6054768590064713002)))
    assert len(calls) == 2 and len(inbound_rows(client)) == 2


def test_events_are_deduplicated_by_sender_and_create_time(client: TestClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(client.app.state.channel, monkeypatch)
    t = int(time.time())
    xml = peer.event_xml(OPENID, "subscribe", t)
    replies = [reply_fields(post(client, xml))["Content"] for _ in range(3)]
    assert "欢迎关注" in replies[0] and replies == [replies[0]] * 3
    assert len(calls) == 1
    from bot.conversation.messages import Inbound

    key = Inbound(openid=OPENID, kind="event", event="subscribe", create_time=t).dedup_key
    assert key.startswith(f"evt:{OPENID}:{t}:")
    assert len(inbound_rows(client, key)) == 1
    # A silent event retried: "success" each time, processed once.
    loc = peer.event_xml(OPENID, "LOCATION", t + 1, Latitude=30.0, Longitude=120.0, Precision=10.0)
    assert [post(client, loc).text for _ in range(3)] == ["success"] * 3
    assert len(calls) == 2
    # Not duplicates: another sender at the same second, the same sender a second later,
    # and another event of the same sender at the same second.
    reply_fields(post(client, peer.event_xml("o_other_sender", "subscribe", t)))
    reply_fields(post(client, peer.event_xml(OPENID, "subscribe", t + 2)))
    reply_fields(post(client, peer.event_xml(OPENID, "CLICK", t, "MY_PROFILE")))
    assert len(calls) == 5
    assert len(inbound_rows(client)) == 5


def test_concurrent_copies_are_processed_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(client.app.state.channel, monkeypatch, delay_s=0.3)
    xml = peer.text_xml(ACCOUNT, OPENID, "帮助", msg_id=6054768590064714000)
    barrier = threading.Barrier(3)
    results: list[httpx.Response | BaseException] = [None] * 3  # type: ignore[list-item]

    def send(i: int) -> None:
        try:
            barrier.wait(timeout=5)
            results[i] = post(client, xml)
        except BaseException as exc:  # surfaced below
            results[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=15)
    replies = [reply_fields(r) for r in results]  # type: ignore[arg-type]
    assert len(calls) == 1
    assert [r["Content"] for r in replies] == [replies[0]["Content"]] * 3
    assert replies[0]["Content"].startswith(HELP_HEAD)
    assert len(inbound_rows(client, "msg:6054768590064714000")) == 1


# --------------------------------------------------------------------------------------------------
# 7. The time budget
# --------------------------------------------------------------------------------------------------


def test_slow_handler_answers_success_then_customer_service(make_client, standin: StandIn,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    c, s = make_client(reply_budget_s=0.3)
    assert s.reply_budget_s == 0.3
    channel = c.app.state.channel
    calls = _count_calls(channel, monkeypatch, delay_s=2.0)
    openid = "o_slow_handler"
    xml = peer.text_xml(ACCOUNT, openid, "帮助", msg_id=6054768590064715000)

    started = time.monotonic()
    r = post(c, xml)
    elapsed = time.monotonic() - started
    assert (r.status_code, r.text) == (200, "success")
    assert 0.3 <= elapsed < 1.5, elapsed  # well before the 2 s handler is done
    assert standin.messages(touser=openid) == []  # not yet: the handler is still at work

    sent = wait_for(lambda: standin.messages(touser=openid), timeout_s=5)
    assert len(sent) == 1, sent
    assert sent[0]["kind"] == "custom" and sent[0]["msgtype"] == "text"
    assert sent[0]["payload"]["text"]["content"].startswith(HELP_HEAD)
    claim = wait_for(lambda: (cl := channel.claims.get("msg:6054768590064715000")) and cl.status == "deferred"
                     and cl, timeout_s=2)
    assert claim and claim.replies[0].text.startswith(HELP_HEAD)

    # WeChat's retry of the same message: answered "success", not processed or sent again.
    assert post(c, xml).text == "success"
    time.sleep(0.3)
    assert len(calls) == 1
    assert len(standin.messages(touser=openid)) == 1
    assert len(inbound_rows(c, "msg:6054768590064715000")) == 1


def test_copy_arriving_during_a_late_reply_is_not_answered_twice(make_client, standin: StandIn,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Copy A exceeds the budget (its reply goes out through the customer-service API); copy B is
    still waiting when the handler finishes. B must not also carry the reply passively. The store is
    slowed down a little (as a busy database would be) to make the window visible."""
    # A times out at 1.0 s; the handler finishes at ~1.1 s; B (sent at 0.5 s) waits until 1.5 s.
    c, _ = make_client(reply_budget_s=1.0)
    channel = c.app.state.channel
    _count_calls(channel, monkeypatch, delay_s=1.1)
    real_finish = channel.claims.finish

    def slow_finish(key: str, replies: list[Outbound], status: str = "done") -> None:
        if status == "deferred":
            time.sleep(0.3)
        real_finish(key, replies, status)  # type: ignore[arg-type]

    monkeypatch.setattr(channel.claims, "finish", slow_finish)
    openid = "o_two_copies"
    xml = peer.text_xml(ACCOUNT, openid, "帮助", msg_id=6054768590064716000)
    results: dict[str, httpx.Response] = {}
    a = threading.Thread(target=lambda: results.__setitem__("a", post(c, xml)))
    a.start()
    time.sleep(0.5)
    results["b"] = post(c, xml)
    a.join()
    sent = wait_for(lambda: standin.messages(touser=openid), timeout_s=5)
    time.sleep(0.2)
    sent = standin.messages(touser=openid)
    passive = [k for k, r in results.items() if r.text != "success"]
    assert results["a"].text == "success"
    assert len(sent) + len(passive) == 1, (sent, passive)


# --------------------------------------------------------------------------------------------------
# 8. WeChat's 2048-byte limit for a text reply: pages and "更多"
# --------------------------------------------------------------------------------------------------

_FOOTER = re.compile(r"\n\n（第 (\d+)/(\d+) 页，(?:回复“更多”继续|完)）$")


def _page_through(u: WeChatUser, first: str, limit: int = 20) -> list[str]:
    pages = [first]
    while pages[-1].endswith(MORE_FOOTER):
        assert len(pages) < limit, "paging does not end"
        pages.append(u.say("更多"))
    return pages


def _bodies(pages: list[str]) -> list[str]:
    out = []
    for i, page in enumerate(pages):
        m = _FOOTER.search(page)
        assert m is not None, page[-60:]
        assert (int(m.group(1)), int(m.group(2))) == (i + 1, len(pages))
        out.append(page[: m.start()])
    return out


LONG_LINES = "\n".join(f"{i:02d}. 见习岗位：某某科技有限公司，软件测试见习生，郑州市金水区，月补贴 2000 元。"
                       for i in range(60))
LONG_LINE = "".join(chr(0x4E00 + i % 500) for i in range(2100)) + "END"  # ~6300 bytes, no line break


@pytest.mark.parametrize("long_text", [LONG_LINES, LONG_LINE], ids=["lines", "one-line"])
def test_long_reply_pages_fit_2048_bytes(wechat_user: WeChatUser, client: TestClient,
                                         monkeypatch: pytest.MonkeyPatch, long_text: str) -> None:
    """Every passive reply stays within 2048 bytes; the first page invites 更多; pages follow in order."""
    assert len(long_text.encode()) > 6000
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help", lambda ctx: long_text)
    u = wechat_user
    first = u.say("帮助")
    assert first.endswith(MORE_FOOTER)
    m = _FOOTER.search(first)
    assert m is not None and m.group(1) == "1" and int(m.group(2)) >= 4
    assert long_text.startswith(first[: m.start()])
    seen = [first]
    for _ in range(int(m.group(2)) + 1):
        seen.append(u.say("更多"))
    assert all(len(p.encode("utf-8")) <= WECHAT_TEXT_LIMIT for p in seen), [len(p.encode()) for p in seen]
    # The second page continues exactly where the first stopped.
    second = seen[1]
    assert second.startswith(long_text[m.start(): m.start() + 20].lstrip("\n"))


@pytest.mark.parametrize("long_text", [LONG_LINES, LONG_LINE], ids=["lines", "one-line"])
def test_more_pages_through_the_whole_reply(wechat_user: WeChatUser, client: TestClient,
                                           monkeypatch: pytest.MonkeyPatch, long_text: str) -> None:
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help", lambda ctx: long_text)
    u = wechat_user
    pages = _page_through(u, u.say("帮助"))
    assert all(len(p.encode("utf-8")) <= WECHAT_TEXT_LIMIT for p in pages)
    assert len(pages) >= 4
    assert pages[-1].endswith("页，完）")
    assert ("\n" if "\n" in long_text else "").join(_bodies(pages)) == long_text
    # Paging is over: 更多 is no longer a page.
    after = u.say("更多")
    assert _FOOTER.search(after) is None and "没有可以继续显示的内容" in after


def test_paging_is_per_follower(client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    long_text = "\n".join(f"第 {i} 条：" + "说明文字" * 30 for i in range(20))
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help", lambda ctx: long_text)
    alice, bob = WeChatUser(client, settings, "o_alice"), WeChatUser(client, settings, "o_bob")
    assert alice.say("帮助").endswith(MORE_FOOTER)
    assert "没有可以继续显示的内容" in bob.say("更多")  # bob has nothing to page through
    assert "（第 2/" in alice.say("更多")


def test_two_long_replies_keep_their_pages(wechat_user: WeChatUser, client: TestClient,
                                          monkeypatch: pytest.MonkeyPatch, standin: StandIn) -> None:
    first_text = "\n".join(f"甲{i:02d}" + "甲" * 60 for i in range(40))
    second_text = "\n".join(f"乙{i:02d}" + "乙" * 60 for i in range(40))
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help",
                        lambda ctx: [Outbound.of(first_text), Outbound.of(second_text)])
    first = wechat_user.say("帮助")
    assert first.startswith("甲00") and first.endswith(MORE_FOOTER)
    assert wechat_user.say("更多").startswith("甲")  # the continuation of what the user just read


# --------------------------------------------------------------------------------------------------
# 9. More than one reply: the rest through the customer-service API
# --------------------------------------------------------------------------------------------------


def test_extra_replies_go_out_through_customer_service(wechat_user: WeChatUser, client: TestClient,
                                                       standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    article = Article(title="软件测试见习生", description="郑州市金水区", url="https://example.com/p/1",
                      image="https://example.com/p/1.png")
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help",
                        lambda ctx: [Outbound.of("第一条"), Outbound.of("第二条"),
                                     Outbound(kind="news", articles=[article])])
    u = wechat_user
    assert u.say("帮助") == "第一条"
    sent = wait_for(lambda: (m := standin.messages(touser=u.openid)) and len(m) >= 2 and m, timeout_s=5)
    assert sent, standin.messages(touser=u.openid)
    assert [m["msgtype"] for m in sent] == ["text", "news"]
    assert sent[0]["payload"]["text"]["content"] == "第二条"
    [news] = sent[1]["payload"]["news"]["articles"]
    assert (news["title"], news["url"], news["picurl"]) == (article.title, article.url, article.image)
    with client.app.state.services.db.session() as s:
        outs = s.scalar(select(func.count()).select_from(MessageLog).where(MessageLog.direction == "out"))
    assert outs == 3


def test_news_as_the_passive_reply(wechat_user: WeChatUser, client: TestClient, standin: StandIn,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    articles = [Article(title=f"岗位 {i}", description=f"描述 {i}", url=f"https://example.com/p/{i}",
                        image=f"https://example.com/p/{i}.png") for i in range(10)]
    monkeypatch.setitem(client.app.state.dispatcher.intents, "help",
                        lambda ctx: Outbound(kind="news", articles=articles))
    r = wechat_user.post(peer.text_xml(wechat_user.account, wechat_user.openid, "帮助"))
    reply = reply_fields(r)
    assert reply["MsgType"] == "news" and reply["ArticleCount"] == "8"  # WeChat shows at most 8
    assert [a["Title"] for a in reply["Articles"]] == [f"岗位 {i}" for i in range(8)]
    assert reply["Articles"][0]["Url"] == "https://example.com/p/0"
    assert reply["Articles"][0]["PicUrl"] == "https://example.com/p/0.png"
    time.sleep(0.2)
    assert standin.messages(touser=wechat_user.openid) == []


def test_two_first_messages_of_a_new_follower_at_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.conversation.engine import Dispatcher

    barrier = threading.Barrier(2)
    real_user = Dispatcher._user

    def user_after_barrier(session: Any, openid: str) -> User:
        barrier.wait(timeout=5)  # both messages look the follower up before either commits
        return real_user(session, openid)

    monkeypatch.setattr(Dispatcher, "_user", staticmethod(user_after_barrier))
    results: list[Any] = [None, None]

    def send(i: int) -> None:
        results[i] = post(client, peer.text_xml(ACCOUNT, "o_brand_new", "帮助", msg_id=6054768590064717000 + i))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=40)
    contents = [reply_fields(r)["Content"] for r in results]
    assert all(c.startswith(HELP_HEAD) for c in contents), contents
