"""Shared fixtures: real databases (SQLite, and PostgreSQL where reachable), a real stand-in for
WeChat's API on a real port, the real FastAPI app, and message factories that speak WeChat's protocol.

PostgreSQL: ``JIANXI_TEST_PG_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres). When it is
unreachable the PostgreSQL cases skip on a developer's machine and FAIL in CI (``CI=true``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.config import SIMULATOR_APPID, SIMULATOR_SECRET, Settings
from bot.db import Base, Database
from tests.wechat import peer

PG_ADMIN_URL = os.environ.get("JIANXI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_TOKEN = "jianxi-test-token"


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, migrated to head; None when unavailable."""
    try:
        admin = _pg_admin()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {exc}")
        yield None
        return
    name = f"jianxi_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    Database(url).upgrade()
    yield url
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _truncate(db: Database) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))
        else:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/jianxi.db"
        Database(url).upgrade()
        yield url
        return
    url = request.getfixturevalue("pg_url")
    if url is None:
        pytest.skip("PostgreSQL not reachable (set JIANXI_TEST_PG_URL)")
    db = Database(url)
    _truncate(db)
    db.dispose()
    yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def standin_url() -> Iterator[str]:
    from bot.wechat.standin import run_standin

    with run_standin(SIMULATOR_APPID, SIMULATOR_SECRET) as url:
        yield url


@pytest.fixture
def standin(standin_url: str) -> Iterator[StandIn]:
    s = StandIn(standin_url)
    s.reset()
    yield s


@dataclass
class StandIn:
    """Test-side handle on the stand-in WeChat API (its control endpoints)."""

    url: str

    def reset(self) -> None:
        httpx.post(f"{self.url}/_standin/reset").raise_for_status()

    def fault(self, endpoint: str, errcode: int | str, times: int = 1, delay_s: float = 0.0) -> None:
        httpx.post(f"{self.url}/_standin/faults",
                   json={"endpoint": endpoint, "errcode": errcode, "times": times, "delay_s": delay_s}
                   ).raise_for_status()

    def messages(self, touser: str | None = None) -> list[dict[str, Any]]:
        params = {"touser": touser} if touser else {}
        return httpx.get(f"{self.url}/_standin/messages", params=params).json()["items"]

    def calls(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/_standin/calls").json()["items"]

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_standin/stats").json()


@pytest.fixture
def settings(db_url: str, standin_url: str) -> Settings:
    return Settings(env="test", database_url=db_url, wechat_token=TEST_TOKEN, wechat_api_base=standin_url,
                    wechat_appid=None, simulator=False, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def client(settings: Settings) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from bot.app import create_app

    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.services.db.dispose()


class WeChatUser:
    """A follower sending messages through WeChat's real protocol to the real ``/wechat`` endpoint."""

    def __init__(self, client: Any, settings: Settings, openid: str = "o_test_user") -> None:
        self.client = client
        self.settings = settings
        self.openid = openid
        self.account = "gh_test_account"

    def post(self, xml: str) -> httpx.Response:
        s = self.settings
        if s.wechat_aes_key:
            body, query = peer.wrap_encrypted(s.wechat_token, s.wechat_aes_key, s.appid, xml)
        else:
            body, query = xml, peer.signed_query(s.wechat_token, openid=self.openid)
        return self.client.post("/wechat", params=query, content=body.encode("utf-8"),
                                headers={"Content-Type": "text/xml"})

    def _reply(self, xml: str) -> dict[str, Any]:
        r = self.post(xml)
        assert r.status_code == 200, r.text
        s = self.settings
        return peer.parse_reply(r.text, token=s.wechat_token, aes_key=s.wechat_aes_key, appid=s.appid)

    def say(self, text: str) -> str:
        """Send a text message; return the text of the reply ('' when there is none)."""
        reply = self._reply(peer.text_xml(self.account, self.openid, text))
        return reply.get("Content", "")

    def event(self, event: str, event_key: str | None = None, **extra: Any) -> dict[str, Any]:
        return self._reply(peer.event_xml(self.openid, event, event_key=event_key, to_user=self.account, **extra))

    def click(self, key: str) -> str:
        return self.event("CLICK", key).get("Content", "")


@pytest.fixture
def wechat_user(client: Any, settings: Settings) -> WeChatUser:
    return WeChatUser(client, settings)
