"""A small shared key-value store with expiry: Redis when configured, else the database.

Used for the access-token cache and for claims that must be atomic across processes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models import CacheEntry, utcnow


class KeyValueStore(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        """Set ``key`` only if it is absent (or expired); True when this call set it."""
        ...

    def delete(self, key: str) -> None: ...


class DatabaseStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _expiry(ttl: float | None):  # type: ignore[no-untyped-def]
        return utcnow() + timedelta(seconds=ttl) if ttl else None

    def get(self, key: str) -> str | None:
        with self.db.session() as s:
            row = s.get(CacheEntry, key)
            if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
                return None
            return row.value

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        """Insert or overwrite atomically (an upsert), so concurrent writers of a new key never collide."""
        if self.db.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        expires = self._expiry(ttl)
        stmt = insert(CacheEntry).values(key=key, value=value, expires_at=expires)
        stmt = stmt.on_conflict_do_update(index_elements=[CacheEntry.key],
                                          set_={"value": value, "expires_at": expires})
        with self.db.session() as s:
            s.execute(stmt)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self.db.session() as s:
            s.execute(delete(CacheEntry).where(CacheEntry.key == key, CacheEntry.expires_at <= utcnow()))
        try:
            with self.db.session() as s:
                s.add(CacheEntry(key=key, value=value, expires_at=self._expiry(ttl)))
            return True
        except IntegrityError:
            return False

    def delete(self, key: str) -> None:
        with self.db.session() as s:
            s.execute(delete(CacheEntry).where(CacheEntry.key == key))

    def keys(self, prefix: str) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(CacheEntry.key).where(CacheEntry.key.startswith(prefix))))


class RedisStore:
    def __init__(self, url: str, prefix: str = "jianxi:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        return self.redis.get(self.prefix + key)  # type: ignore[return-value]

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self.redis.set(self.prefix + key, value, px=int(ttl * 1000) if ttl else None)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        return bool(self.redis.set(self.prefix + key, value, nx=True, px=int(ttl * 1000) if ttl else None))

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


def make_store(db: Database, redis_url: str | None) -> KeyValueStore:
    return RedisStore(redis_url) if redis_url else DatabaseStore(db)
