"""The WeChat API stand-in, driven over real HTTP on a real port."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.config import STANDIN_MOUNT
from bot.wechat.standin import create_standin_app, run_standin

APPID = "wxstandintest"
SECRET = "standin-test-secret"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with run_standin(APPID, SECRET) as url:
        yield url


@pytest.fixture
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=5) as client:
        client.post("/_standin/reset").raise_for_status()
        yield client


def stable_token(http: httpx.Client, force: bool = False, **override: Any) -> dict[str, Any]:
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": force}
    return http.post("/cgi-bin/stable_token", json={**body, **override}).json()


@pytest.fixture
def token(http: httpx.Client) -> str:
    return stable_token(http)["access_token"]


def call(http: httpx.Client, token: str | None, path: str, body: Any = None, **query: str) -> dict[str, Any]:
    params = dict(query)
    if token is not None:
        params["access_token"] = token
    if body is None:
        res = http.get("/cgi-bin/" + path, params=params)
    else:
        res = http.post("/cgi-bin/" + path, params=params, json=body)
    assert res.status_code == 200
    return res.json()


def text(openid: str, content: str = "你好") -> dict[str, Any]:
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


def messages(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    return http.get("/_standin/messages", params=params).json()["items"]


# -- tokens ------------------------------------------------------------------------------------


def test_run_standin_serves_on_a_free_port_and_stops() -> None:
    with run_standin(APPID, SECRET) as url:
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert httpx.get(url + "/_standin/stats").status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/_standin/stats", timeout=1)


def test_token_endpoints_and_credentials(http: httpx.Client) -> None:
    res = http.get(
        "/cgi-bin/token", params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    )
    answer = res.json()
    assert answer["expires_in"] == 7200 and len(answer["access_token"]) > 20
    bad_appid = {"grant_type": "client_credential", "appid": "wxother", "secret": SECRET}
    assert http.get("/cgi-bin/token", params=bad_appid).json()["errcode"] == 40013
    assert stable_token(http, appid="wxother")["errcode"] == 40013
    assert stable_token(http, secret="wrong")["errcode"] == 40125
    assert stable_token(http, grant_type="password")["errcode"] == 40002

    first = stable_token(http)
    assert first["expires_in"] == 7200
    assert stable_token(http)["access_token"] == first["access_token"]  # the current token, not a new one
    forced = stable_token(http, force=True)["access_token"]
    assert forced != first["access_token"]
    old = call(http, first["access_token"], "menu/get")
    assert old["errcode"] == 40001 and old["errmsg"].startswith("invalid credential, access_token is invalid")
    assert call(http, forced, "menu/get")["errcode"] == 46003  # valid token, no menu yet

    stats = http.get("/_standin/stats").json()
    assert stats["token_fetches_by_endpoint"] == {"token": 1, "stable_token": 3}
    assert stats["tokens_issued"] == 3


def test_access_token_checks(http: httpx.Client, token: str) -> None:
    assert call(http, None, "menu/get")["errcode"] == 41001
    assert call(http, "not-a-token", "menu/get")["errcode"] == 40001
    assert http.post("/_standin/expire-tokens").json()["ok"] is True
    assert call(http, token, "menu/get")["errcode"] == 42001
    fresh = stable_token(http)["access_token"]  # the expired one is replaced without force_refresh
    assert fresh != token
    assert call(http, fresh, "menu/get")["errcode"] == 46003


# -- messages ----------------------------------------------------------------------------------


def test_custom_send_records_and_validates(http: httpx.Client, token: str) -> None:
    assert call(http, token, "message/custom/send", text("o-alice", "第一条")) == {
        "errcode": 0,
        "errmsg": "ok",
    }
    article = {"title": "岗位", "description": "d", "url": "https://example.org/p", "picurl": ""}
    news = {"touser": "o-bob", "msgtype": "news", "news": {"articles": [article]}}
    assert call(http, token, "message/custom/send", news)["errcode"] == 0
    assert call(http, token, "message/custom/send", text("o-alice", "第二条"))["errcode"] == 0

    alice = messages(http, touser="o-alice")
    assert [m["payload"]["text"]["content"] for m in alice] == ["第一条", "第二条"]
    assert all(m["kind"] == "custom" and m["msgtype"] == "text" for m in alice)
    everyone = messages(http)
    assert [m["id"] for m in everyone] == sorted(m["id"] for m in everyone) and len(everyone) == 3
    assert [m["touser"] for m in messages(http, after=everyone[0]["id"])] == ["o-bob", "o-alice"]

    assert (
        call(http, token, "message/custom/send", {"msgtype": "text", "text": {"content": "x"}})["errcode"]
        == 40003
    )
    assert (
        call(http, token, "message/custom/send", {"touser": "o-a", "msgtype": "telegram"})["errcode"] == 40008
    )
    assert call(http, token, "message/custom/send", text("o-a", ""))["errcode"] == 44004
    two = {"touser": "o-a", "msgtype": "news", "news": {"articles": [article, article]}}
    assert call(http, token, "message/custom/send", two)["errcode"] == 45008
    bad_json = http.post("/cgi-bin/message/custom/send", params={"access_token": token}, content=b"{not json")
    assert bad_json.json()["errcode"] == 47001
    assert len(messages(http)) == 3


def test_unfollowed_and_refusing_users(http: httpx.Client, token: str) -> None:
    http.post("/_standin/unfollow", json={"openid": "o-gone"}).raise_for_status()
    http.post("/_standin/unfollow", json={"openid": "o-quiet", "refused": True}).raise_for_status()
    assert call(http, token, "message/custom/send", text("o-gone"))["errcode"] == 43004
    assert call(http, token, "message/custom/send", text("o-quiet"))["errcode"] == 43101
    template = {"touser": "o-gone", "template_id": "tpl", "data": {}}
    assert call(http, token, "message/template/send", template)["errcode"] == 43004
    assert call(http, token, "user/info", openid="o-gone") == {"subscribe": 0, "openid": "o-gone"}
    assert messages(http) == []
    http.post("/_standin/follow", json={"openid": "o-gone", "nickname": "回来了"}).raise_for_status()
    assert call(http, token, "message/custom/send", text("o-gone"))["errcode"] == 0
    info = call(http, token, "user/info", openid="o-gone")
    assert info["subscribe"] == 1 and info["nickname"] == "回来了" and info["tagid_list"] == []


def test_template_send_and_client_msg_id_dedup(http: httpx.Client, token: str) -> None:
    body = {
        "touser": "o-carol",
        "template_id": "TPL-1",
        "url": "https://example.org/x",
        "data": {"first": {"value": "您好"}},
        "client_msg_id": "job-1",
    }
    first = call(http, token, "message/template/send", body)
    assert first["errcode"] == 0 and first["errmsg"] == "ok" and isinstance(first["msgid"], int)
    again = call(http, token, "message/template/send", body)
    assert again["errcode"] == 0 and again["msgid"] == first["msgid"]
    other = call(http, token, "message/template/send", {**body, "client_msg_id": "job-2"})
    assert other["msgid"] != first["msgid"]
    items = messages(http, touser="o-carol")
    assert [(m["kind"], m["msgid"]) for m in items] == [
        ("template", first["msgid"]),
        ("template", other["msgid"]),
    ]
    assert call(http, token, "message/template/send", {**body, "template_id": ""})["errcode"] == 40037
    assert http.get("/_standin/stats").json()["messages"] == {"custom": 0, "template": 2, "mass": 0}


def test_mass_send_by_tag_to_all_and_to_list(http: httpx.Client, token: str) -> None:
    tag = call(http, token, "tags/create", {"tag": {"name": "广州"}})["tag"]["id"]
    for openid in ("o-1", "o-2", "o-3"):
        http.post("/_standin/follow", json={"openid": openid}).raise_for_status()
    assert (
        call(http, token, "tags/members/batchtagging", {"tagid": tag, "openid_list": ["o-1", "o-2"]})[
            "errcode"
        ]
        == 0
    )
    http.post("/_standin/unfollow", json={"openid": "o-2"}).raise_for_status()

    body = {"filter": {"is_to_all": False, "tag_id": tag}, "msgtype": "text", "text": {"content": "招聘会"}}
    answer = call(http, token, "message/mass/sendall", {**body, "clientmsgid": "m1"})
    assert answer["errcode"] == 0 and isinstance(answer["msg_id"], int)
    assert [m["touser"] for m in messages(http)] == ["o-1"]  # o-2 unfollowed, o-3 not tagged
    repeat = call(http, token, "message/mass/sendall", {**body, "clientmsgid": "m1"})
    assert repeat["errcode"] == 45065 and repeat["msg_id"] == answer["msg_id"]

    to_all = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "全体"}}
    assert call(http, token, "message/mass/sendall", to_all)["errcode"] == 0
    assert sorted(m["touser"] for m in messages(http) if m["payload"]["text"]["content"] == "全体") == [
        "o-1",
        "o-3",
    ]
    bad_tag = {**body, "filter": {"is_to_all": False, "tag_id": 999}}
    assert call(http, token, "message/mass/sendall", bad_tag)["errcode"] == 45159

    one = {"touser": ["o-1"], "msgtype": "text", "text": {"content": "x"}}
    assert call(http, token, "message/mass/send", one)["errcode"] == 40130
    assert call(http, token, "message/mass/send", {**one, "touser": ["o-1", "o-3"]})["errcode"] == 0
    assert all(m["kind"] == "mass" for m in messages(http))
    assert http.get("/_standin/stats").json()["messages"]["mass"] == 5


# -- menu --------------------------------------------------------------------------------------

MENU = {
    "button": [
        {"type": "click", "name": "找见习", "key": "FIND"},
        {
            "name": "政策",
            "sub_button": [
                {"type": "view", "name": "补贴标准", "url": "https://example.org/a"},
                {"type": "click", "name": "问答", "key": "QA"},
            ],
        },
    ]
}


def test_menu_create_get_delete(http: httpx.Client, token: str) -> None:
    assert call(http, token, "menu/get")["errcode"] == 46003
    assert call(http, token, "menu/create", MENU) == {"errcode": 0, "errmsg": "ok"}
    got = call(http, token, "menu/get")["menu"]["button"]
    assert [b["name"] for b in got] == ["找见习", "政策"]
    assert got[0]["sub_button"] == [] and len(got[1]["sub_button"]) == 2
    assert http.get("/_standin/menu").json()["menu"]["button"][0]["key"] == "FIND"
    assert call(http, token, "menu/delete")["errcode"] == 0
    assert call(http, token, "menu/get")["errcode"] == 46003
    assert http.get("/_standin/menu").json() == {"menu": None}


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": [{"type": "click", "name": f"b{i}", "key": "K"} for i in range(4)]}, 40016),
        ({"button": []}, 40016),
        ({}, 40016),
        ({"button": [{"type": "click", "key": "K"}]}, 40018),
        ({"button": [{"type": "click", "name": "这个名字实在是太长了", "key": "K"}]}, 40018),
        ({"button": [{"type": "teleport", "name": "a"}]}, 40017),
        ({"button": [{"type": "click", "name": "a"}]}, 40019),
        ({"button": [{"type": "view", "name": "a", "url": ""}]}, 40020),
        (
            {
                "button": [
                    {
                        "name": "a",
                        "sub_button": [{"type": "click", "name": f"s{i}", "key": "k"} for i in range(6)],
                    }
                ]
            },
            40023,
        ),
        ({"button": [{"name": "a", "sub_button": [{"type": "click", "key": "k"}]}]}, 40025),
        ({"button": [{"name": "a", "sub_button": [{"type": "bogus", "name": "s"}]}]}, 40024),
    ],
)
def test_menu_validation(http: httpx.Client, token: str, menu: dict[str, Any], errcode: int) -> None:
    assert call(http, token, "menu/create", menu)["errcode"] == errcode
    assert http.get("/_standin/menu").json() == {"menu": None}


# -- users and tags ----------------------------------------------------------------------------


def test_tags_and_users(http: httpx.Client, token: str) -> None:
    created = call(http, token, "tags/create", {"tag": {"name": "会计"}})
    tag = created["tag"]["id"]
    assert created["tag"]["name"] == "会计" and tag >= 100
    assert call(http, token, "tags/create", {"tag": {"name": "会计"}})["errcode"] == 45157
    assert call(http, token, "tags/create", {"tag": {"name": "长" * 11}})["errcode"] == 45158
    assert (
        call(http, token, "tags/members/batchtagging", {"tagid": tag, "openid_list": ["o-a", "o-b"]})[
            "errcode"
        ]
        == 0
    )
    assert (
        call(http, token, "tags/members/batchtagging", {"tagid": 999, "openid_list": ["o-a"]})["errcode"]
        == 45159
    )
    assert (
        call(http, token, "tags/members/batchtagging", {"tagid": tag, "openid_list": []})["errcode"] == 40032
    )
    assert call(http, token, "tags/getidlist", {"openid": "o-a"}) == {"tagid_list": [tag]}
    assert call(http, token, "user/info", openid="o-a")["tagid_list"] == [tag]
    tags = {t["id"]: t for t in call(http, token, "tags/get")["tags"]}
    assert tags[tag] == {"id": tag, "name": "会计", "count": 2} and tags[2]["name"] == "星标组"
    members = call(http, token, "user/tag/get", {"tagid": tag})
    assert members["count"] == 2 and members["data"]["openid"] == ["o-a", "o-b"]

    assert (
        call(http, token, "tags/members/batchuntagging", {"tagid": tag, "openid_list": ["o-a"]})["errcode"]
        == 0
    )
    assert call(http, token, "tags/getidlist", {"openid": "o-a"}) == {"tagid_list": []}
    assert call(http, token, "tags/update", {"tag": {"id": tag, "name": "财会"}})["errcode"] == 0
    assert call(http, token, "tags/update", {"tag": {"id": 2, "name": "x"}})["errcode"] == 45058
    assert call(http, token, "tags/delete", {"tag": {"id": 2}})["errcode"] == 45058
    assert call(http, token, "tags/delete", {"tag": {"id": tag}})["errcode"] == 0
    assert call(http, token, "user/info", openid="o-b")["tagid_list"] == []
    assert tag not in {t["id"] for t in call(http, token, "tags/get")["tags"]}

    followers = call(http, token, "user/get")
    assert followers["total"] == 2 and followers["data"]["openid"] == ["o-a", "o-b"]
    assert call(http, token, "user/info")["errcode"] == 40003


# -- control API -------------------------------------------------------------------------------


def test_faults(http: httpx.Client, token: str) -> None:
    fault = {"endpoint": "message/custom/send", "errcode": 45009, "times": 2}
    http.post("/_standin/faults", json=fault).raise_for_status()
    codes = [call(http, token, "message/custom/send", text("o-f"))["errcode"] for _ in range(3)]
    assert codes == [45009, 45009, 0]
    assert len(messages(http)) == 1  # a failed call sends nothing

    http.post("/_standin/faults", json={"endpoint": "*", "errcode": -1}).raise_for_status()
    assert call(http, token, "menu/get")["errcode"] == -1
    http.post("/_standin/faults", json={"endpoint": "menu/get", "errcode": "http500"}).raise_for_status()
    res = http.get("/cgi-bin/menu/get", params={"access_token": token})
    assert res.status_code == 500
    http.post("/_standin/faults", json={"endpoint": "menu/get", "delay_s": 0.3}).raise_for_status()
    started = time.monotonic()
    assert call(http, token, "menu/get")["errcode"] == 46003
    assert time.monotonic() - started >= 0.3
    assert http.get("/_standin/faults").json() == {"items": []}
    assert http.post("/_standin/faults", json={"endpoint": "x", "times": 0}).status_code == 400

    calls = http.get("/_standin/calls").json()["items"]
    assert [c["errcode"] for c in calls if c["endpoint"] == "message/custom/send"] == [45009, 45009, 0]
    assert calls[-2]["http_status"] == 500
    assert calls[0]["endpoint"] == "stable_token" and calls[0]["body"]["secret"] == "***"
    assert all("access_token" not in c["query"] for c in calls)
    assert SECRET not in str(calls) and token not in str(calls)


def test_reset_forgets_everything(http: httpx.Client, token: str) -> None:
    call(http, token, "message/custom/send", text("o-r"))
    call(http, token, "menu/create", MENU)
    http.post("/_standin/faults", json={"endpoint": "*", "errcode": 45009, "times": 5})
    http.post("/_standin/reset").raise_for_status()
    stats = http.get("/_standin/stats").json()
    assert stats["messages"] == {"custom": 0, "template": 0, "mass": 0} and stats["token_fetches"] == 0
    assert stats["pending_faults"] == 0 and stats["menu"] is False
    assert call(http, token, "menu/get")["errcode"] == 40001  # tokens forgotten too
    assert messages(http) == [] and http.get("/_standin/calls").json()["items"][-1]["errcode"] == 40001


def test_mountable_under_a_prefix() -> None:
    parent = FastAPI()
    parent.mount(STANDIN_MOUNT, create_standin_app(APPID, SECRET))
    with TestClient(parent) as client:
        body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        token = client.post(STANDIN_MOUNT + "/cgi-bin/stable_token", json=body).json()["access_token"]
        sent = client.post(
            STANDIN_MOUNT + "/cgi-bin/message/custom/send", params={"access_token": token}, json=text("o-m")
        )
        assert sent.json() == {"errcode": 0, "errmsg": "ok"}
        items = client.get(STANDIN_MOUNT + "/_standin/messages", params={"touser": "o-m"}).json()["items"]
        assert [m["payload"]["text"]["content"] for m in items] == ["你好"]
        calls = client.get(STANDIN_MOUNT + "/_standin/calls").json()["items"]
        assert calls[-1]["path"] == "/cgi-bin/message/custom/send"
        assert client.post("/cgi-bin/stable_token", json=body).status_code == 404
