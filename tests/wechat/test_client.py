"""WeChatApi against the real stand-in (real HTTP) and real databases (SQLite, PostgreSQL) and Redis."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from bot.config import SIMULATOR_APPID, SIMULATOR_SECRET, Settings
from bot.db import Database
from bot.kv import DatabaseStore, KeyValueStore, RedisStore
from bot.models import ApiCallFailure, CacheEntry, utcnow
from bot.wechat.client import WeChatApi, WeChatApiError
from bot.wechat.standin import run_standin

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"
TOKEN_KEY = f"wechat:token:{SIMULATOR_APPID}"


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with run_standin(SIMULATOR_APPID, SIMULATOR_SECRET) as url:
        yield url


@pytest.fixture
def standin(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=5) as client:
        client.post("/_standin/reset").raise_for_status()
        yield client


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=2)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"jianxi_test_client_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        db = Database(url)
        db.upgrade()
        db.dispose()
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jianxi.db'}"
        Database(url).upgrade()
        return url
    url = request.getfixturevalue("pg_url")
    db = Database(url)
    with db.session() as s:
        s.execute(delete(ApiCallFailure))
        s.execute(delete(CacheEntry))
    db.dispose()
    return url


@pytest.fixture
def settings(base: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        wechat_api_base=base + "/",
        wechat_appid=SIMULATOR_APPID,
        wechat_secret=SIMULATOR_SECRET,
        redis_url=None,
    )


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def api(settings: Settings, db: Database, sleeps: SleepRecorder) -> WeChatApi:
    return WeChatApi(settings, db, DatabaseStore(db), sleep=sleeps, timeout=2.0)


# -- helpers -----------------------------------------------------------------------------------


def fault(
    standin: httpx.Client, endpoint: str, errcode: int | str | None, times: int = 1, **extra: Any
) -> None:
    body = {"endpoint": endpoint, "errcode": errcode, "times": times, **extra}
    standin.post("/_standin/faults", json=body).raise_for_status()


def stats(standin: httpx.Client) -> dict[str, Any]:
    return standin.get("/_standin/stats").json()


def calls(standin: httpx.Client, endpoint: str) -> list[dict[str, Any]]:
    return standin.get("/_standin/calls", params={"endpoint": endpoint}).json()["items"]


def texts(standin: httpx.Client, openid: str) -> list[str]:
    items = standin.get("/_standin/messages", params={"touser": openid}).json()["items"]
    return [m["payload"]["text"]["content"] for m in items if m["msgtype"] == "text"]


def failures(db: Database) -> list[tuple[str, int | None, int, bool]]:
    with db.session() as s:
        rows = s.scalars(select(ApiCallFailure).order_by(ApiCallFailure.id)).all()
        return [(r.endpoint, r.errcode, r.attempt, r.final) for r in rows]


class HookedStore:
    """A store that runs ``hook`` before the n-th ``get`` (to play another process)."""

    def __init__(self, inner: KeyValueStore, on_get: int, hook: Callable[[], None]) -> None:
        self.inner, self.on_get, self.hook, self.gets = inner, on_get, hook, 0

    def get(self, key: str) -> str | None:
        self.gets += 1
        if self.gets == self.on_get:
            self.hook()
        return self.inner.get(key)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self.inner.set(key, value, ttl)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        return self.inner.add(key, value, ttl)

    def delete(self, key: str) -> None:
        self.inner.delete(key)


# -- token -------------------------------------------------------------------------------------


def test_every_call_goes_to_the_configured_base(api: WeChatApi, base: str) -> None:
    assert api.client.API_BASE_URL == base + "/cgi-bin/"
    # wechatpy API groups with their own absolute URL are rebased too.
    assert api.client.wxa.API_BASE_URL == base + "/"
    assert api.client.datacube.API_BASE_URL == base + "/datacube/"


def test_token_fetched_once_via_stable_token_and_shared(
    settings: Settings, db_url: str, standin: httpx.Client
) -> None:
    db1, db2 = Database(db_url), Database(db_url)  # two processes, one database
    try:
        first = WeChatApi(settings, db1, DatabaseStore(db1))
        second = WeChatApi(settings, db2, DatabaseStore(db2))
        first.send_text("o-share", "一")
        second.send_text("o-share", "二")
        assert first.access_token() == second.access_token()
        counted = stats(standin)
        assert counted["token_fetches"] == 1
        assert counted["token_fetches_by_endpoint"] == {"token": 0, "stable_token": 1}
        assert texts(standin, "o-share") == ["一", "二"]
        assert calls(standin, "stable_token")[0]["body"]["force_refresh"] is False
        with db1.session() as s:
            entry = s.get(CacheEntry, TOKEN_KEY)
            assert entry is not None and entry.value == first.access_token()
            # cached with a safety margin below WeChat's 7200 s
            assert entry.expires_at is not None
            assert utcnow() + timedelta(seconds=6000) < entry.expires_at < utcnow() + timedelta(seconds=7000)
        assert failures(db1) == []
    finally:
        db1.dispose()
        db2.dispose()


def test_expired_token_is_refreshed_and_the_call_succeeds(
    api: WeChatApi, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    api.send_text("o-exp", "before")
    old = api.access_token()
    standin.post("/_standin/expire-tokens").raise_for_status()
    api.send_text("o-exp", "after")
    assert texts(standin, "o-exp") == ["before", "after"]
    assert api.access_token() != old
    assert [c["errcode"] for c in calls(standin, "message/custom/send")] == [0, 42001, 0]
    assert failures(db) == [("message/custom/send", 42001, 1, False)]
    assert stats(standin)["token_fetches"] == 2 and sleeps.calls == []


def test_invalid_token_retries_are_bounded(
    api: WeChatApi, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    api.access_token()
    fault(standin, "message/custom/send", 40001, times=5)
    with pytest.raises(WeChatApiError) as caught:
        api.send_text("o-loop", "never")
    assert caught.value.errcode == 40001 and caught.value.endpoint == "message/custom/send"
    assert len(calls(standin, "message/custom/send")) == 3  # the first try and two refreshes
    assert failures(db) == [
        ("message/custom/send", 40001, 1, False),
        ("message/custom/send", 40001, 2, False),
        ("message/custom/send", 40001, 3, True),
    ]
    # the same token failed each time, so each refresh forced a new one
    assert [c["body"]["force_refresh"] for c in calls(standin, "stable_token")] == [False, True, True]
    assert texts(standin, "o-loop") == [] and sleeps.calls == []
    assert standin.get("/_standin/faults").json()["items"][0]["times"] == 2


def test_refresh_uses_a_token_another_process_already_refreshed(
    settings: Settings, db: Database, standin: httpx.Client
) -> None:
    other = WeChatApi(settings, db, DatabaseStore(db))
    token = other.access_token()
    # Our second store read (the refresh after 40001) happens after the other process forced a refresh.
    store = HookedStore(DatabaseStore(db), on_get=2, hook=lambda: other.access_token(force_refresh=True))
    api = WeChatApi(settings, db, store)
    standin.post("/_standin/faults", json={"endpoint": "message/custom/send", "errcode": 40001})
    api.send_text("o-race", "hi")
    assert texts(standin, "o-race") == ["hi"]
    assert api.access_token() != token
    # one plain fetch plus the other process's forced one; we did not force again
    assert [c["body"]["force_refresh"] for c in calls(standin, "stable_token")] == [False, True]


def test_rate_limit_backs_off_then_succeeds(
    api: WeChatApi, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    fault(standin, "message/custom/send", 45009, times=2)
    api.send_text("o-busy", "稍后")
    assert texts(standin, "o-busy") == ["稍后"]
    assert sleeps.calls == [0.5, 1.0]
    assert failures(db) == [
        ("message/custom/send", 45009, 1, False),
        ("message/custom/send", 45009, 2, False),
    ]


def test_rate_limit_retries_are_bounded(
    api: WeChatApi, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    fault(standin, "menu/create", 45009, times=10)
    with pytest.raises(WeChatApiError) as caught:
        api.create_menu({"button": [{"type": "click", "name": "a", "key": "A"}]})
    assert caught.value.errcode == 45009
    assert sleeps.calls == [0.5, 1.0, 2.0]
    assert [(a, f) for _, _, a, f in failures(db)] == [(1, False), (2, False), (3, False), (4, True)]
    assert len(calls(standin, "menu/create")) == 4


def test_system_error_and_http_500_are_retried(
    api: WeChatApi, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    fault(standin, "message/custom/send", -1)
    fault(standin, "message/custom/send", "http500")
    api.send_text("o-flaky", "ok")
    assert texts(standin, "o-flaky") == ["ok"]
    assert sleeps.calls == [0.5, 1.0]
    assert failures(db) == [("message/custom/send", -1, 1, False), ("message/custom/send", None, 2, False)]


def test_slow_answer_times_out_and_is_retried(
    settings: Settings, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    api = WeChatApi(settings, db, DatabaseStore(db), sleep=sleeps, timeout=0.3)
    api.access_token()
    fault(standin, "user/info", None, delay_s=0.8)
    assert api.user_info("o-slow")["subscribe"] == 1
    assert sleeps.calls == [0.5]
    [(endpoint, errcode, attempt, final)] = failures(db)
    assert (endpoint, errcode, attempt, final) == ("user/info", None, 1, False)


def test_unreachable_api_fails_bounded_without_leaking_the_secret(
    base: str, db: Database, sleeps: SleepRecorder
) -> None:
    closed = Settings(
        _env_file=None,  # type: ignore[call-arg]
        wechat_api_base="http://127.0.0.1:9",
        wechat_appid=SIMULATOR_APPID,
        wechat_secret=SIMULATOR_SECRET,
    )
    api = WeChatApi(closed, db, DatabaseStore(db), sleep=sleeps, timeout=1.0)
    with pytest.raises(WeChatApiError) as caught:
        api.send_text("o-net", "x")
    assert caught.value.errcode is None and caught.value.endpoint == "stable_token"
    assert sleeps.calls == [0.5, 1.0, 2.0]
    assert [(e, c, f) for e, c, _, f in failures(db)] == [("stable_token", None, False)] * 3 + [
        ("stable_token", None, True)
    ]
    assert SIMULATOR_SECRET not in str(caught.value)


def test_require_subscribe_is_not_retried(
    api: WeChatApi, db: Database, standin: httpx.Client, sleeps: SleepRecorder
) -> None:
    standin.post("/_standin/unfollow", json={"openid": "o-left"}).raise_for_status()
    with pytest.raises(WeChatApiError) as caught:
        api.send_text("o-left", "x")
    assert caught.value.errcode == 43004
    assert len(calls(standin, "message/custom/send")) == 1
    assert failures(db) == [("message/custom/send", 43004, 1, True)]
    assert sleeps.calls == []


def test_tokens_and_secret_never_logged(
    api: WeChatApi, standin: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fault(standin, "message/custom/send", 40001, times=5)
    with pytest.raises(WeChatApiError):
        api.send_text("o-log", "x")
    issued = [c for c in standin.get("/_standin/calls").json()["items"] if c["endpoint"] == "stable_token"]
    assert len(issued) == 3
    assert "WeChat API message/custom/send failed" in caplog.text
    assert "access_token=***" in caplog.text  # urllib3's request lines are there, redacted
    assert api.access_token() not in caplog.text
    assert SIMULATOR_SECRET not in caplog.text


def test_redis_store_shares_the_token(settings: Settings, db: Database, standin: httpx.Client) -> None:
    redis = pytest.importorskip("redis")
    prefix = f"jianxi-test-{uuid.uuid4().hex[:8]}:"
    try:
        stores = [RedisStore(REDIS_URL, prefix=prefix), RedisStore(REDIS_URL, prefix=prefix)]
        stores[0].redis.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    try:
        first, second = (WeChatApi(settings, db, store) for store in stores)
        first.send_text("o-redis", "一")
        second.send_text("o-redis", "二")
        assert texts(standin, "o-redis") == ["一", "二"]
        assert stats(standin)["token_fetches"] == 1
        assert stores[1].redis.get(prefix + TOKEN_KEY) == first.access_token()
        assert 6000 < stores[1].redis.ttl(prefix + TOKEN_KEY) <= 6900
        standin.post("/_standin/expire-tokens").raise_for_status()
        second.send_text("o-redis", "三")  # refreshed through the shared store ...
        first.send_text("o-redis", "四")  # ... so the other instance needs no fetch of its own
        assert stats(standin)["token_fetches"] == 2
    finally:
        keys = list(stores[0].redis.scan_iter(match=prefix + "*"))
        if keys:
            stores[0].redis.delete(*keys)


# -- the API methods ---------------------------------------------------------------------------


def test_api_methods_end_to_end(api: WeChatApi, db: Database, standin: httpx.Client) -> None:
    menu = {"button": [{"type": "click", "name": "找见习", "key": "FIND"}]}
    assert api.get_menu() is None
    api.create_menu(menu)
    got = api.get_menu()
    assert got is not None and got["menu"]["button"][0]["key"] == "FIND"
    api.delete_menu()
    assert standin.get("/_standin/menu").json() == {"menu": None}

    tag = api.create_tag("广州")
    assert {"id": tag, "name": "广州", "count": 0} in api.get_tags()
    openids = [f"o-{i:03d}" for i in range(60)]  # more than one batchtagging call takes
    api.tag_users(tag, openids)
    assert len(calls(standin, "tags/members/batchtagging")) == 2
    assert api.user_tags("o-059") == [tag]
    assert api.user_info("o-001")["tagid_list"] == [tag]
    api.untag_users(tag, openids[1:])
    assert {"id": tag, "name": "广州", "count": 1} in api.get_tags()

    article = {"title": "会计见习岗", "description": "广州", "url": "https://example.org/p/1", "picurl": ""}
    api.send_articles("o-000", [article])
    msgid = api.send_template("o-000", "TPL", {"first": {"value": "报名成功"}}, url="https://example.org")
    assert isinstance(msgid, int)
    assert api.send_template("o-000", "TPL", {}, client_msg_id="same") == api.send_template(
        "o-000", "TPL", {}, client_msg_id="same"
    )
    answer = api.mass_send_text(tag, "见习招聘会")
    assert answer["errcode"] == 0 and isinstance(answer["msg_id"], int)
    mass_body = calls(standin, "message/mass/sendall")[0]["body"]
    assert mass_body["filter"] == {"is_to_all": False, "tag_id": tag} and mass_body["clientmsgid"]

    items = standin.get("/_standin/messages", params={"touser": "o-000"}).json()["items"]
    assert [(m["kind"], m["msgtype"]) for m in items] == [
        ("custom", "news"),
        ("template", "template"),
        ("template", "template"),
        ("mass", "text"),
    ]
    assert items[0]["payload"]["news"]["articles"] == [article]
    assert items[1]["payload"]["url"] == "https://example.org" and items[1]["msgid"] == msgid
    assert standin.get("/_standin/messages", params={"touser": "o-001"}).json()["items"] == []
    assert all(c["body"]["client_msg_id"] for c in calls(standin, "message/template/send"))
    assert failures(db) == []


def test_wrong_secret_fails_at_once(settings: Settings, db: Database, sleeps: SleepRecorder) -> None:
    wrong = settings.model_copy(update={"wechat_secret": "not-the-secret"})
    api = WeChatApi(wrong, db, DatabaseStore(db), sleep=sleeps)
    with pytest.raises(WeChatApiError) as caught:
        api.send_text("o-x", "x")
    assert (caught.value.errcode, caught.value.endpoint) == (40125, "stable_token")
    assert failures(db) == [("stable_token", 40125, 1, True)] and sleeps.calls == []


def test_concurrent_callers_share_one_token(api: WeChatApi, standin: httpx.Client) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: api.send_text(f"o-t{i}", str(i)), range(16)))
    counted = stats(standin)
    assert counted["messages"]["custom"] == 16
    # stable_token without force_refresh hands every racing fetch the same token
    assert counted["tokens_issued"] == 1
    assert {c["errcode"] for c in standin.get("/_standin/calls").json()["items"]} == {0}


def test_mass_retry_after_a_lost_answer_is_not_sent_twice(
    api: WeChatApi, standin: httpx.Client, sleeps: SleepRecorder, settings: Settings, db: Database
) -> None:
    standin.post("/_standin/follow", json={"openid": "o-all"}).raise_for_status()
    api.access_token()

    def sleep(seconds: float) -> None:  # really wait, so the slow first attempt lands before the retry
        sleeps(seconds)
        time.sleep(seconds)

    slow = WeChatApi(settings, db, DatabaseStore(db), sleep=sleep, timeout=0.3)
    fault(standin, "message/mass/sendall", None, delay_s=0.6)  # answered too late: the job went out
    answer = slow.mass_send_text(None, "全体通知")
    assert answer["errcode"] == 0 and answer["msg_id"]
    assert texts(standin, "o-all") == ["全体通知"]
    assert [c["errcode"] for c in calls(standin, "message/mass/sendall")] == [0, 45065]
    assert sleeps.calls == [0.5]
