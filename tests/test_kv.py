"""The shared key-value store on SQLite, PostgreSQL and Redis: atomic add, upsert, expiry."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from bot.kv import DatabaseStore, RedisStore


def _redis() -> RedisStore:
    import os

    store = RedisStore("redis://127.0.0.1:6379/13", prefix=f"jianxi-test-{uuid.uuid4().hex[:6]}:")
    try:
        store.redis.ping()
    except Exception:
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail("Redis is required in CI")
        pytest.skip("Redis not reachable")
    return store


def _check(store) -> None:  # type: ignore[no-untyped-def]
    assert store.get("a") is None
    assert store.add("a", "1", ttl=30) is True
    assert store.add("a", "2", ttl=30) is False and store.get("a") == "1"
    store.set("a", "3")
    assert store.get("a") == "3"
    store.set("short", "x", ttl=0.2)
    time.sleep(0.4)
    assert store.get("short") is None
    assert store.add("short", "again", ttl=30) is True  # an expired key can be claimed anew
    store.delete("a")
    assert store.get("a") is None

    results: list[bool] = []
    barrier = threading.Barrier(8)

    def racer() -> None:
        barrier.wait()
        results.append(store.add("race", "x", ttl=30))
        store.set("upsert", "y", ttl=30)

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1 and store.get("upsert") == "y"


def test_database_store(db) -> None:  # type: ignore[no-untyped-def]
    _check(DatabaseStore(db))


def test_redis_store() -> None:
    store = _redis()
    try:
        _check(store)
    finally:
        for k in store.redis.scan_iter(store.prefix + "*"):
            store.redis.delete(k)
