"""Published test vectors for WeChat's message encryption (WXBizMsgCrypt), used to prove ``peer.py`` right.

Every value below was copied from the source named in its comment (found through a code search of
public repositories) and checked with ``tests/wechat/peer.py``: the ``msg_signature`` recomputes,
the ciphertext decrypts (with valid 32-byte PKCS#7 padding) to the stated plaintext and the stated
AppID / CorpID. ``tests/wechat/test_peer.py`` re-checks all of them.

Two families share exactly the same scheme (sha1 signatures, AES-256-CBC, IV = key[:16],
random16 + big-endian length + msg + receive-id, PKCS#7 to 32 bytes):

* ``kind="mp"``   - official account (公众号) samples: the trailing id is the AppID.
* ``kind="work"`` - enterprise WeChat (企业微信) samples: the trailing id is the CorpID
  ("receiveid"), used here in place of the AppID.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallbackSample:
    """A signed, encrypted callback (or URL-verification echostr) with its known plaintext."""

    name: str
    kind: str  # "mp" (公众号, AppID) or "work" (企业微信, CorpID in place of the AppID)
    source: str
    token: str
    aes_key: str
    appid: str  # the receive id that must come out of the decryption
    timestamp: str
    nonce: str
    msg_signature: str
    encrypt: str
    body: str | None = None  # the POST body as published, when there is one
    plaintext: str | None = None  # exact decrypted message, when the source states it exactly
    plaintext_fields: dict[str, str] = field(default_factory=dict)  # stated fields of the plaintext


@dataclass(frozen=True)
class AesSample:
    """An encryption with a fixed 16-byte random prefix: the exact ciphertext is known."""

    name: str
    kind: str
    source: str
    aes_key: str
    appid: str
    random16: bytes
    plaintext: str
    encrypt: str
    token: str | None = None
    timestamp: str | None = None
    nonce: str | None = None
    msg_signature: str | None = None  # for the reply envelope, when the source states it


# --------------------------------------------------------------------------------------------------
# Tencent's enterprise-WeChat (企业微信) WXBizMsgCrypt demo: token "QDG6eK", CorpID
# "wx5823bf96d3bd56c7", EncodingAESKey "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C".
# Source of token/key/id, msg_signature, timestamp, nonce, echostr and the POST body:
#   repository LeoEatle/WXBizMsgCryptNode, path Sample.cpp (Tencent's C++ demo, "使用示例一/二");
#   the same values are in Tencent's C# demo Sample.cs (copies in the index without a repository name).
# The decrypted plaintext (with its "\n" line breaks) is the one Tencent's WeCom doc
# "加解密方案说明" (https://developer.work.weixin.qq.com/document/path/90968) states
# ("解密后得到明文为"), as quoted by several SDK test suites; the echostr plaintext
# "1616140317555161061" is the value those test suites assert for this URL-verification sample.
# --------------------------------------------------------------------------------------------------

_QDG6EK_TOKEN = "QDG6eK"
_QDG6EK_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
_QDG6EK_CORPID = "wx5823bf96d3bd56c7"

_QDG6EK_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911"
    "L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLx"
    "AUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9"
    "nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/u"
    "h9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

WORK_QDG6EK_MESSAGE = CallbackSample(
    name="work-QDG6eK-message",
    kind="work",
    source="LeoEatle/WXBizMsgCryptNode:Sample.cpp (Tencent C++ demo); plaintext: WeCom doc 90968",
    token=_QDG6EK_TOKEN,
    aes_key=_QDG6EK_KEY,
    appid=_QDG6EK_CORPID,
    timestamp="1409659813",
    nonce="1372623149",
    msg_signature="477715d11cdb4164915debcba66cb864d751f3e6",
    encrypt=_QDG6EK_ENCRYPT,
    body=(
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA["
        + _QDG6EK_ENCRYPT
        + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    ),
    plaintext=(
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
        "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
        "<CreateTime>1409659813</CreateTime>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[hello]]></Content>\n"
        "<MsgId>4561255354251345929</MsgId>\n"
        "<AgentID>218</AgentID>\n"
        "</xml>"
    ),
    plaintext_fields={
        "ToUserName": "wx5823bf96d3bd56c7",
        "FromUserName": "mycreate",
        "CreateTime": "1409659813",
        "MsgType": "text",
        "Content": "hello",
        "MsgId": "4561255354251345929",
        "AgentID": "218",
    },
)

WORK_QDG6EK_ECHOSTR = CallbackSample(
    name="work-QDG6eK-echostr",
    kind="work",
    source="LeoEatle/WXBizMsgCryptNode:Sample.cpp (Tencent C++ demo, VerifyURL example)",
    token=_QDG6EK_TOKEN,
    aes_key=_QDG6EK_KEY,
    appid=_QDG6EK_CORPID,
    timestamp="1409659589",
    nonce="263014780",
    msg_signature="5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    encrypt="P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
    plaintext="1616140317555161061",
)

# --------------------------------------------------------------------------------------------------
# Tencent's official-account (公众号) Python demo (author jonyqin, "WXBizMsgCrypt 使用demo文件"):
# token "spamtest", AppID "wx2c2769f8efd9abc2", EncodingAESKey "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".
# Source: repository charlesXu86/Chatbot_CN, path Chatbot_Web/impl/weixin/Sample.py (a verbatim copy
# of Tencent's demo); the same values are in fotock/WXbizMsgCrypt-Node, path README.md.
# The body is a *compatible-mode* post: plaintext fields plus <Encrypt>. The demo does not print the
# decrypted text, so the expected plaintext is given by its fields (those in the body); the exact
# decryption is additionally pinned below, as observed (and it carries exactly those fields).
# --------------------------------------------------------------------------------------------------

_SPAMTEST_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHF"
    "VAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVti"
    "cbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpA"
    "e+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCum"
    "EPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

MP_SPAMTEST_COMPATIBLE = CallbackSample(
    name="mp-spamtest-compatible",
    kind="mp",
    source="charlesXu86/Chatbot_CN:Chatbot_Web/impl/weixin/Sample.py (Tencent 公众号 Python demo)",
    token="spamtest",
    aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    appid="wx2c2769f8efd9abc2",
    timestamp="1409735669",
    nonce="1320562132",
    msg_signature="5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    encrypt=_SPAMTEST_ENCRYPT,
    body=(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
        "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId>"
        "<Encrypt><![CDATA[" + _SPAMTEST_ENCRYPT + "]]></Encrypt></xml>"
    ),
    plaintext=(  # observed decryption; not printed by the source (see the comment above)
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
        "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
        "<CreateTime>1409735668</CreateTime>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[abcdteT]]></Content>\n"
        "<MsgId>6054768590064713728</MsgId>\n"
        "</xml>"
    ),
    plaintext_fields={
        "ToUserName": "gh_10f6c3c3ac5a",
        "FromUserName": "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "CreateTime": "1409735668",
        "MsgType": "text",
        "Content": "abcdteT",
        "MsgId": "6054768590064713728",
    },
)

# --------------------------------------------------------------------------------------------------
# Tencent's official-account (公众号) Java demo unit test WXBizMsgCryptTest (token "pamtest",
# AppID "wxb11529c136998cb6", EncodingAESKey "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
# randomStr "aaaabbbbccccdddd"): exact AES outputs (its testAesEncrypt / testAesEncrypt2).
# Source: repository Wyl015/wuyiling, path work-test/src/main/resources/Utils/aes/WXBizMsgCryptTest.java
# (a copy of the constants of Tencent's demo test).
# --------------------------------------------------------------------------------------------------

MP_PAMTEST_AES_1 = AesSample(
    name="mp-pamtest-aes-1",
    kind="mp",
    source="Wyl015/wuyiling:work-test/src/main/resources/Utils/aes/WXBizMsgCryptTest.java (afterAesEncrypt)",
    aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    appid="wxb11529c136998cb6",
    random16=b"aaaabbbbccccdddd",
    plaintext="我是中文abcd123",
    encrypt="jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==",
)

MP_PAMTEST_AES_2 = AesSample(
    name="mp-pamtest-aes-2",
    kind="mp",
    source="Wyl015/wuyiling:work-test/src/main/resources/Utils/aes/WXBizMsgCryptTest.java (afterAesEncrypt2)",
    aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    appid="wxb11529c136998cb6",
    random16=b"aaaabbbbccccdddd",
    plaintext=(
        "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName>"
        "<FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime>"
        "<MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA["
        "eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId>"
        "<Title><![CDATA[testCallBackReplyVideo]]></Title>"
        "<Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>"
    ),
    encrypt=(
        "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEc"
        "W7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAl"
        "HF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQ"
        "NSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkw"
        "WTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6"
        "YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP"
        "5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
    ),
)

# --------------------------------------------------------------------------------------------------
# NOT Tencent's: wechatpy's own vectors (enterprise crypto; CorpID in place of the AppID).
# Source: repository wechatpy/wechatpy, path tests/test_crypto.py (test_decrypt_message with stated
# Content "test" / FromUserName "messense"; test_encrypt_message with random "1234567890123456").
# --------------------------------------------------------------------------------------------------

_WECHATPY_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXz"
    "F6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gY"
    "Nx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2S"
    "jHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En74"
    "9zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)

WECHATPY_WORK_MESSAGE = CallbackSample(
    name="wechatpy-work-message",
    kind="work",
    source="wechatpy/wechatpy:tests/test_crypto.py (test_decrypt_message)",
    token="123456",
    aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    appid="wx49f0ab532d5d035a",
    timestamp="1411525903",
    nonce="461056294",
    msg_signature="74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
    encrypt=_WECHATPY_ENCRYPT,
    body=(
        "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n"
        "<Encrypt><![CDATA[" + _WECHATPY_ENCRYPT + "]]></Encrypt>\n"
        "<AgentID><![CDATA[1]]></AgentID>\n"
        "</xml>"
    ),
    plaintext_fields={"Content": "test", "FromUserName": "messense"},
)

WECHATPY_WORK_REPLY = AesSample(
    name="wechatpy-work-reply",
    kind="work",
    source="wechatpy/wechatpy:tests/test_crypto.py (test_encrypt_message)",
    aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    appid="wx49f0ab532d5d035a",
    random16=b"1234567890123456",
    plaintext=(
        "<xml>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[test]]></Content>\n"
        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
        "<ToUserName><![CDATA[messense]]></ToUserName>\n"
        "<AgentID>1</AgentID>\n"
        "<CreateTime>1411525903</CreateTime>\n"
        "</xml>"
    ),
    encrypt=(
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8Gq"
        "xlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qv"
        "SUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQy"
        "PR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
    ),
    token="123456",
    timestamp="1411525903",
    nonce="461056294",
    msg_signature="407518b7649e86ef23978113f92d27afa9296533",
)

#: Tencent's own samples (both families).
TENCENT_CALLBACKS: tuple[CallbackSample, ...] = (
    WORK_QDG6EK_MESSAGE,
    WORK_QDG6EK_ECHOSTR,
    MP_SPAMTEST_COMPATIBLE,
)
TENCENT_AES: tuple[AesSample, ...] = (MP_PAMTEST_AES_1, MP_PAMTEST_AES_2)

#: Third-party (wechatpy) vectors, kept apart from Tencent's.
WECHATPY_CALLBACKS: tuple[CallbackSample, ...] = (WECHATPY_WORK_MESSAGE,)
WECHATPY_AES: tuple[AesSample, ...] = (WECHATPY_WORK_REPLY,)

ALL_CALLBACKS: tuple[CallbackSample, ...] = TENCENT_CALLBACKS + WECHATPY_CALLBACKS
ALL_AES: tuple[AesSample, ...] = TENCENT_AES + WECHATPY_AES
