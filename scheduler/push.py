"""The push service: every reminder and broadcast goes through one outbox table and is sent once.

* :func:`enqueue` adds one row per (kind, period or event, recipient) — the unique key makes a rerun, a restart
  or a second scheduler add nothing twice.
* :func:`deliver` claims due rows (``pending``, or ``sending`` whose lease lapsed: a sender killed half-way),
  sends each, and records the outcome. At most the rows in flight when a sender is killed go twice; none is lost.
* Sending: a template message where ``push_template_ids`` has the kind (values cut to WeChat's 20 characters,
  ``client_msg_id`` set from the row so WeChat drops a resend), else — or when the template fails — a
  customer-service text, which WeChat takes only within 48 hours of the person's last message.
* The client (bot.wechat.client) already refreshes the token on 40001/42001 and backs off on 45009/-1 and network
  errors within a call; what still fails is retried on a later pass with a growing delay, up to
  ``push_max_attempts``. 43004 (unfollowed) and 43101 (refused) stop pushes to that person: recorded, not retried.
* A token bucket keeps to ``push_rate_per_s`` calls per second.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.db import Database
from bot.models import OutboxStatus, PushOptOut, PushOutbox, User, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed row not finished by then is someone else's to send
CS_WINDOW = timedelta(hours=48)
STOP_ERRCODES = {43004: "已取消关注", 43101: "拒收消息"}
FIELD_LIMIT = 20  # WeChat cuts template field values longer than this
KINDS = {"attendance": "考勤提醒", "subsidy": "补贴申领提醒", "report": "汇总表报送提醒", "review": "审核提醒",
         "event": "对接活动通知"}


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; :meth:`take` waits for one."""

    def __init__(self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate, self.capacity = rate, burst if burst is not None else max(1.0, rate)
        self.tokens, self.clock, self.sleep = self.capacity, clock, sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def take(self) -> None:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens < 1:
                wait = (1 - self.tokens) / self.rate
                self.sleep(wait)
                self.tokens, self.updated = 1.0, self.clock()
            self.tokens -= 1


@dataclass
class Summary:
    sent: int = 0
    skipped: int = 0  # already sent before (a rerun), opted out, or stopped
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}


# --- enqueueing ----------------------------------------------------------------------------------------
def opted_out(db: Database, kind: str) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(PushOptOut.openid).where(PushOptOut.kind.in_((kind, "all")))))


def enqueue(db: Database, kind: str, ref: str, messages: Iterable[tuple[str, dict[str, Any]]],
            batch: int = 1000) -> int:
    """Add (recipient, payload) rows for ``kind``/``ref``; rows already there are left alone. Returns how many
    were new."""
    table = PushOutbox.__table__
    insert = sqlite.insert if db.is_sqlite else postgresql.insert
    now = utcnow()
    added = 0
    rows: list[dict[str, Any]] = []

    def flush() -> int:
        if not rows:
            return 0
        stmt = insert(table).values(rows).on_conflict_do_nothing(index_elements=["kind", "ref", "recipient"])
        with db.engine.begin() as conn:
            n = conn.execute(stmt).rowcount or 0
        rows.clear()
        return max(n, 0)

    for recipient, payload in messages:
        rows.append({"kind": kind, "ref": ref, "recipient": recipient, "payload": payload, "status": "pending",
                     "attempts": 0, "next_attempt_at": now, "created_at": now})
        if len(rows) >= batch:
            added += flush()
    added += flush()
    return added


# --- delivering ----------------------------------------------------------------------------------------
HOST = socket.gethostname()[:12]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(db: Database) -> int:
    """Rows a sender on this machine claimed and then died with (killed): due again now, not after the lease.
    Only what that sender had in flight may go twice."""
    with db.session() as s:
        rows = list(s.execute(select(PushOutbox.id, PushOutbox.claimed_by).where(
            PushOutbox.status == OutboxStatus.sending.value, PushOutbox.claimed_by.startswith(HOST + ":"))).tuples())
        dead = {by for _, by in rows if by and by.split(":")[1].isdigit() and not _alive(int(by.split(":")[1]))}
        if not dead:
            return 0
        # By claimant, not by id: a row another sender of this process claimed in between is left alone.
        return s.execute(update(PushOutbox).where(PushOutbox.status == OutboxStatus.sending.value,
                                                  PushOutbox.claimed_by.in_(dead)).values(
            status=OutboxStatus.pending.value, lease_until=None, claimed_by=None)).rowcount or 0


def _claim(db: Database, kind: str | None, ref: str | None, limit: int) -> list[PushOutbox]:
    """Take up to ``limit`` due rows for this sender (others skip them until the lease lapses)."""
    now = utcnow()
    # Two index-friendly queries (ix_push_outbox_status_next), not one with an OR: pending rows that are due,
    # then — when those run short — rows whose sender's lease lapsed.
    pending = and_(PushOutbox.status == OutboxStatus.pending.value, PushOutbox.next_attempt_at <= now)
    lapsed = and_(PushOutbox.status == OutboxStatus.sending.value, PushOutbox.lease_until < now)
    scope = []
    if kind:
        scope.append(PushOutbox.kind == kind)
    if ref:
        scope.append(PushOutbox.ref == ref)
    due = and_(or_(pending, lapsed), *scope)
    for _ in range(5):  # another sender may take the rows we picked first: pick again
        with db.session() as s:
            ids: list[int] = []
            for cond, order in ((pending, PushOutbox.next_attempt_at), (lapsed, PushOutbox.lease_until)):
                if len(ids) >= limit:
                    break
                query = select(PushOutbox.id).where(cond, *scope).order_by(order).limit(limit - len(ids))
                if not db.is_sqlite:
                    query = query.with_for_update(skip_locked=True)
                ids += list(s.scalars(query))
            if not ids:
                return []
            # Conditional: a row another sender took in between is not taken again.
            token = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
            s.execute(update(PushOutbox).where(PushOutbox.id.in_(ids), due).values(
                status=OutboxStatus.sending.value, lease_until=now + LEASE, claimed_by=token))
            rows = list(s.scalars(select(PushOutbox).where(PushOutbox.id.in_(ids), PushOutbox.claimed_by == token)))
            for r in rows:
                s.expunge(r)
            if rows:
                return rows
    return []


def _cut(value: str) -> str:
    return value if len(value) <= FIELD_LIMIT else value[: FIELD_LIMIT - 1] + "…"


def template_data(payload: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The template fields: 事项 (thing1), 时间 (time2), 说明 (thing3), each within WeChat's 20 characters."""
    return {"thing1": {"value": _cut(str(payload.get("title", "")))},
            "time2": {"value": _cut(str(payload.get("when", "")))},
            "thing3": {"value": _cut(str(payload.get("note", "")))}}


def _within_window(db: Database, openid: str, now: datetime) -> bool:
    with db.session() as s:
        seen = s.scalar(select(User.last_seen_at).where(User.openid == openid))
    return seen is not None and now - seen <= CS_WINDOW


def _send(api: Any, db: Database, settings: Any, row: PushOutbox) -> str:
    """Send one row; the channel used. Raises the client's WeChatApiError."""
    from bot.wechat.client import WeChatApiError

    template = (settings.push_template_ids or {}).get(row.kind)
    if template:
        try:
            api.send_template(row.recipient, template, template_data(row.payload), url=row.payload.get("url"),
                              client_msg_id=f"jx-{row.kind}-{row.ref}-{row.id}")
            return "template"
        except WeChatApiError as e:
            if e.errcode in STOP_ERRCODES or not _within_window(db, row.recipient, utcnow()):
                raise
    api.send_text(row.recipient, str(row.payload.get("text", "")))
    return "custom"


def _stop_person(db: Database, openid: str, errcode: int) -> None:
    with db.session() as s:
        user = s.scalar(select(User).where(User.openid == openid))
        if user is None:
            return
        if errcode == 43004:
            user.subscribed = False
        else:
            user.pushes_enabled = False


def deliver(db: Database, api: Any, settings: Any, *, kind: str | None = None, ref: str | None = None,
            batch: int = 20, bucket: TokenBucket | None = None,
            on_progress: Callable[[int], None] | None = None, until_empty: bool = True) -> Summary:
    """Send what is due (of ``kind``/``ref`` when given). Returns counts of this pass."""
    from bot.wechat.client import WeChatApiError

    bucket = bucket or TokenBucket(settings.push_rate_per_s)
    summary = Summary()
    recover(db)
    while True:
        rows = _claim(db, kind, ref, batch)
        if not rows:
            return summary
        for row in rows:
            bucket.take()
            try:
                channel = _send(api, db, settings, row)
            except WeChatApiError as e:
                _failed(db, settings, row, e.errcode, str(e), summary)
            except Exception as e:  # noqa: BLE001 — a bug or an outage: the row waits for the next pass
                _failed(db, settings, row, None, repr(e)[:500], summary)
            else:
                with db.session() as s:
                    s.execute(update(PushOutbox).where(PushOutbox.id == row.id).values(
                        status=OutboxStatus.sent.value, channel=channel, sent_at=utcnow(), lease_until=None,
                        attempts=PushOutbox.attempts + 1, last_error=None))
                summary.sent += 1
            if on_progress:
                on_progress(1)
        if not until_empty:
            return summary


def _failed(db: Database, settings: Any, row: PushOutbox, errcode: int | None, error: str, summary: Summary) -> None:
    key = str(errcode) if errcode is not None else "network"
    summary.errors[key] = summary.errors.get(key, 0) + 1
    attempts = row.attempts + 1
    if errcode in STOP_ERRCODES:
        _stop_person(db, row.recipient, errcode)
        status, summary.skipped = OutboxStatus.stopped.value, summary.skipped + 1
        error = f"{errcode} {STOP_ERRCODES[errcode]}"
    elif attempts >= settings.push_max_attempts:
        status, summary.failed = OutboxStatus.failed.value, summary.failed + 1
    else:
        status = OutboxStatus.pending.value  # back off: 5 s, 10 s, 20 s ... (push_retry_base_s)
    delay = timedelta(seconds=settings.push_retry_base_s * 2 ** (attempts - 1))
    with db.session() as s:
        s.execute(update(PushOutbox).where(PushOutbox.id == row.id).values(
            status=status, attempts=attempts, last_error=error[:500], lease_until=None,
            next_attempt_at=utcnow() + delay))


def next_retry(db: Database, kind: str, ref: str) -> datetime | None:
    """When the earliest message of this round waiting to be retried is due (None: none waits)."""
    with db.session() as s:
        return s.scalar(select(func.min(PushOutbox.next_attempt_at)).where(
            PushOutbox.kind == kind, PushOutbox.ref == ref, PushOutbox.status == OutboxStatus.pending.value))


def deliver_round(db: Database, api: Any, settings: Any, kind: str, ref: str, *, wait_s: float = 300.0,
                  on_progress: Callable[[int], None] | None = None, sleep: Callable[[float], None] = time.sleep
                  ) -> Summary:
    """Send a round until every message is sent, stopped or given up — waiting out the back-off of messages
    that failed for a while (at most ``wait_s`` in all), so that a round ends complete."""
    bucket = TokenBucket(settings.push_rate_per_s)
    total = Summary()
    waited = 0.0
    workers = max(1, int(getattr(settings, "push_workers", 1)))
    while True:
        if workers == 1:
            part = deliver(db, api, settings, kind=kind, ref=ref, bucket=bucket, on_progress=on_progress)
        else:  # WeChat calls wait on the network: several senders, each claiming its own rows
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="push") as pool:
                parts = list(pool.map(lambda _: deliver(db, api, settings, kind=kind, ref=ref, bucket=bucket,
                                                        on_progress=on_progress), range(workers)))
            part = Summary()
            for p in parts:
                part.sent, part.skipped, part.failed = part.sent + p.sent, part.skipped + p.skipped, part.failed + p.failed
                for k, n in p.errors.items():
                    part.errors[k] = part.errors.get(k, 0) + n
        total.sent, total.skipped, total.failed = total.sent + part.sent, total.skipped + part.skipped, \
            total.failed + part.failed
        for k, n in part.errors.items():
            total.errors[k] = total.errors.get(k, 0) + n
        due = next_retry(db, kind, ref)
        if due is None:
            return total
        pause = max(0.0, (due - utcnow()).total_seconds()) + 0.01
        if waited + pause > wait_s:
            return total  # left for the scheduler's next pass
        sleep(pause)
        waited += pause


def counts(db: Database, kind: str, ref: str) -> dict[str, int]:
    with db.session() as s:
        rows = s.execute(select(PushOutbox.status, func.count()).where(PushOutbox.kind == kind, PushOutbox.ref == ref)
                         .group_by(PushOutbox.status))
        return {status: n for status, n in rows.tuples()}
