"""Exactly-once processing of WeChat's retries.

WeChat resends a callback it got no answer to within 5 s, up to three times, with the same MsgId
(events: FromUserName + CreateTime). The first copy to arrive claims the key atomically in the shared
store (a unique insert in the database, or SET NX in Redis), so copies that arrive concurrently, or
at another worker, are not processed again; they wait for the first copy's reply and answer with it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Literal

from bot.conversation.messages import Outbound
from bot.kv import KeyValueStore

CLAIM_TTL_S = 24 * 3600
Status = Literal["processing", "done", "deferred"]


@dataclass
class Claim:
    status: Status
    replies: list[Outbound]


class ClaimRegistry:
    def __init__(self, store: KeyValueStore, poll_s: float = 0.05) -> None:
        self.store = store
        self.poll_s = poll_s

    @staticmethod
    def _key(key: str) -> str:
        return f"claim:{key}"

    def claim(self, key: str) -> bool:
        """True for the first copy of a message; False for every copy after it."""
        return self.store.add(self._key(key), json.dumps({"status": "processing", "replies": []}), CLAIM_TTL_S)

    def finish(self, key: str, replies: list[Outbound], status: Status = "done") -> None:
        payload = {"status": status, "replies": [r.to_dict() for r in replies]}
        self.store.set(self._key(key), json.dumps(payload, ensure_ascii=False), CLAIM_TTL_S)

    def release(self, key: str) -> None:
        """Forget a claim whose processing failed before anything was done, so a retry may try again."""
        self.store.delete(self._key(key))

    def get(self, key: str) -> Claim | None:
        raw = self.store.get(self._key(key))
        if raw is None:
            return None
        data = json.loads(raw)
        return Claim(status=data["status"], replies=[Outbound.from_dict(r) for r in data["replies"]])

    def wait(self, key: str, timeout_s: float) -> Claim | None:
        """Wait for the first copy to finish; None if it has not within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            claim = self.get(key)
            if claim is not None and claim.status != "processing":
                return claim
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.poll_s)
