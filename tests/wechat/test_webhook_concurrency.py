"""Exactly once across processes: the real app under ``uvicorn --workers 2`` on PostgreSQL.

Three copies of one message arrive at the same moment on separate connections (so the two worker
processes race for them), 20 times with different MsgIds; each must be processed exactly once and
all three copies answered with the same reply. Once with the database as the claim store, once with
Redis. The same server also shows the 64 KB limit on a real socket, with and without Content-Length.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.models import CacheEntry, MessageLog
from tests.conftest import TEST_TOKEN, _truncate
from tests.wechat import peer

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
ACCOUNT = "gh_jianxi_test"
HELP_HEAD = "我是“见习”助手，可以帮您："
ROUNDS = 20
COPIES = 3


@dataclass
class Server:
    url: str
    store: str
    db: Database
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_or_skip() -> object:
    import redis

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is required in CI but unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return client


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the uvicorn supervisor we started (and its workers, in its own process group)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module", params=["database", "redis"])
def server(request: pytest.FixtureRequest, pg_url: str | None, standin_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if pg_url is None:
        pytest.skip("PostgreSQL not reachable (set JIANXI_TEST_PG_URL)")
    store = request.param
    redis_client = _redis_or_skip() if store == "redis" else None
    if redis_client is not None:
        redis_client.flushdb()  # type: ignore[attr-defined]
    db = Database(pg_url)
    _truncate(db)

    env = {k: v for k, v in os.environ.items() if not k.startswith("JIANXI_")}
    env.update({
        "JIANXI_ENV": "test",
        "JIANXI_DATABASE_URL": pg_url,
        "JIANXI_WECHAT_TOKEN": TEST_TOKEN,
        "JIANXI_WECHAT_API_BASE": standin_url,
        "JIANXI_SIMULATOR": "false",
        "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    if redis_client is not None:
        env["JIANXI_REDIS_URL"] = REDIS_URL
    port = _free_port()
    log_path = tmp_path_factory.mktemp(f"uvicorn-{store}") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bot.app:create_app", "--workers", "2",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "info", "--no-access-log"],
            env=env, cwd=tmp_path_factory.getbasetemp(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    srv = Server(url=f"http://127.0.0.1:{port}", store=store, db=db, proc=proc, log_path=log_path)
    try:
        deadline = time.monotonic() + 45
        # Both workers must be up, so that the copies really can land in different processes.
        while srv.log().count("Application startup complete") < 2:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start ({store}):\n{srv.log()[-3000:]}")
            time.sleep(0.1)
        health = httpx.get(f"{srv.url}/healthz", timeout=5).json()
        assert health["database"] == "ok" and health["mode"] == "wechat"
        yield srv
    finally:
        _stop(proc)
        db.dispose()
        if redis_client is not None:
            redis_client.flushdb()  # type: ignore[attr-defined]
            redis_client.close()  # type: ignore[attr-defined]
    assert "Traceback" not in srv.log(), srv.log()[-3000:]


def _fire(url: str, body: bytes, query: dict[str, str], copies: int) -> list[httpx.Response]:
    """Post ``copies`` identical callbacks at the same moment, each on its own connection."""
    barrier = threading.Barrier(copies)
    results: list[httpx.Response | BaseException | None] = [None] * copies

    def send(i: int) -> None:
        try:
            with httpx.Client(timeout=15) as c:
                barrier.wait(timeout=10)
                results[i] = c.post(f"{url}/wechat", params=query, content=body,
                                    headers={"Content-Type": "text/xml"})
        except BaseException as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    for r in results:
        if not isinstance(r, httpx.Response):
            raise AssertionError(f"a copy failed: {r!r}")
    return results  # type: ignore[return-value]


def test_worker_processes(server: Server) -> None:
    """The server really runs two worker processes besides the supervisor."""
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    assert len(children) >= 2, children


def test_concurrent_copies_are_processed_exactly_once(server: Server) -> None:
    base_id = 7_100_000_000_000_000_000 + (1 if server.store == "redis" else 0) * 1000
    keys = []
    for i in range(ROUNDS):
        msg_id = base_id + i
        keys.append(f"msg:{msg_id}")
        openid = f"o_conc_{server.store}_{i:02d}"
        xml = peer.text_xml(ACCOUNT, openid, "帮助", msg_id=msg_id)
        responses = _fire(server.url, xml.encode("utf-8"), peer.signed_query(TEST_TOKEN), COPIES)
        replies = [peer.parse_reply(r.text) for r in responses if r.status_code == 200]
        assert len(replies) == COPIES, [(r.status_code, r.text[:100]) for r in responses]
        contents = [r.get("Content") for r in replies]
        assert contents == [contents[0]] * COPIES, (i, contents)
        assert contents[0] and contents[0].startswith(HELP_HEAD)
        assert {r["ToUserName"] for r in replies} == {openid}

    with server.db.session() as s:
        rows = s.execute(
            select(MessageLog.msg_key, MessageLog.direction, func.count())
            .where(MessageLog.msg_key.in_(keys))
            .group_by(MessageLog.msg_key, MessageLog.direction)
        ).all()
        claims_in_db = set(s.scalars(select(CacheEntry.key).where(CacheEntry.key.in_([f"claim:{k}" for k in keys]))))
    counts = {(k, d): n for k, d, n in rows}
    for k in keys:
        assert counts.get((k, "in")) == 1, (k, counts.get((k, "in")))
        assert counts.get((k, "out")) == 1, (k, counts.get((k, "out")))

    # The claims were made where configured: in Redis, or in the database.
    if server.store == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        try:
            assert all(client.exists(f"jianxi:claim:{k}") for k in keys)
        finally:
            client.close()
        assert claims_in_db == set()
    else:
        assert claims_in_db == {f"claim:{k}" for k in keys}


def test_body_limit_on_a_real_socket(server: Server) -> None:
    xml = peer.text_xml(ACCOUNT, f"o_size_{server.store}", "帮助").encode("utf-8")
    over = xml + b" " * (64 * 1024 + 1 - len(xml))

    r = httpx.post(f"{server.url}/wechat", params=peer.signed_query(TEST_TOKEN), content=over, timeout=10)
    assert r.request.headers["content-length"] == str(64 * 1024 + 1)
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(over), 1000):
            yield over[i:i + 1000]

    r = httpx.post(f"{server.url}/wechat", params=peer.signed_query(TEST_TOKEN), content=chunks(), timeout=10)
    assert "content-length" not in r.request.headers
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413

    # Chunked and within the limit: answered.
    r = httpx.post(f"{server.url}/wechat", params=peer.signed_query(TEST_TOKEN), content=iter([xml[:50], xml[50:]]),
                   timeout=10)
    assert r.status_code == 200 and peer.parse_reply(r.text)["Content"].startswith(HELP_HEAD)
