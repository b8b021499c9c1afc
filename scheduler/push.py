"""The push service: every reminder and broadcast goes through one outbox table and is sent once.

* :func:`enqueue` adds one row per (kind, period or event, recipient) — the unique key makes a rerun, a restart
  or a second scheduler add nothing twice.
* :func:`deliver` claims due rows (``pending``, or ``sending`` whose lease lapsed: a sender killed half-way),
  sends each, and records the outcome. A sender keeps the lease of the rows it holds while it waits on the rate
  limit or a slow call (a thread renews it), and checks that a row is still its own — atomically, one
  ``UPDATE ... WHERE id = ? AND claimed_by = ? AND status = 'sending'`` — just before sending it and again when
  marking it sent, so a row another sender took over is never sent by both. At most the rows in flight when a
  sender is killed go twice; none is lost.
* Sending: a template message where ``push_template_ids`` has the kind (fields filled as
  ``push_template_fields`` says, values cut to WeChat's 20 characters, ``client_msg_id`` set from the row so
  WeChat drops a resend), else — or when the template fails — a customer-service text, which WeChat takes only
  within 48 hours of the person's last interaction (``users.last_seen_at``): known to be outside it, the row is
  skipped without a call and the reason recorded; 45015 (outside the window) likewise, not retried.
* The client (bot.wechat.client) already refreshes the token on 40001/42001 and backs off on 45009/-1 and network
  errors within a call; what still fails is retried on a later pass with a growing delay, up to
  ``push_max_attempts``; a rerun of the round starts those that failed on such system errors afresh
  (:func:`retry_failures`). 43004 (unfollowed) and 43101 (refused) stop pushes to that person: recorded in
  ``push_stops`` (also for people without a ``users`` row), not retried.
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
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import OutboxStatus, PushOptOut, PushOutbox, PushStop, User, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed row neither renewed nor finished by then is someone else's to send
CS_WINDOW = timedelta(hours=48)
STOP_ERRCODES = {43004: "已取消关注", 43101: "拒收消息"}
WINDOW_ERRCODE = 45015  # a customer-service message outside the 48-hour window
WINDOW_NOTE = "超出48小时客服消息窗口，此条不再重试"
# Failures a rerun tries again: system errors, rate limits, tokens, the network (the errcode opens last_error).
RETRYABLE = ("-1", "45009", "40001", "40014", "42001", "network")
FIELD_LIMIT = 20  # WeChat cuts template field values longer than this
DEFAULT_TEMPLATE_FIELDS = {"thing1": "title", "time2": "when", "thing3": "note"}  # 事项, 时间, 说明
KINDS = {"attendance": "考勤提醒", "subsidy": "补贴申领提醒", "report": "汇总表报送提醒", "review": "审核提醒",
         "event": "对接活动通知"}
MASS = "mass"  # rows recording a mass send (already sent by WeChat): never delivered one by one
FINAL = (OutboxStatus.sent.value, OutboxStatus.stopped.value, OutboxStatus.skipped.value, OutboxStatus.failed.value)


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
    skipped: int = 0  # already sent before (a rerun), opted out, stopped, or outside the 48-hour window
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    waiting: int = 0  # of the failed: still waiting for a retry when the round ended (the scheduler goes on)
    lost: int = 0  # rows another sender took over before this one sent them (not counted above)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed}

    def add(self, other: Summary) -> None:
        self.sent, self.skipped, self.failed = self.sent + other.sent, self.skipped + other.skipped, \
            self.failed + other.failed
        self.waiting, self.lost = self.waiting + other.waiting, self.lost + other.lost
        for k, n in other.errors.items():
            self.errors[k] = self.errors.get(k, 0) + n


# --- who may be pushed to --------------------------------------------------------------------------------
def opted_out(db: Database, kind: str) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(PushOptOut.openid).where(PushOptOut.kind.in_((kind, "all")))))


def stopped(db: Database | Session, openids: Iterable[str] | None = None) -> set[str]:
    """People under a stop WeChat gave (push_stops) that still holds: a 43004 until they follow again."""
    query = select(PushStop.openid).outerjoin(User, User.openid == PushStop.openid).where(
        or_(User.id.is_(None), User.subscribed_at.is_(None), User.subscribed_at <= PushStop.created_at,
            PushStop.errcode != 43004))
    return _in_chunks(db, query, PushStop.openid, openids)


def blocked(db: Database | Session, kind: str, openids: Iterable[str] | None = None) -> set[str]:
    """Who must not get a push of ``kind`` now: opted out of it (or of all), unfollowed, pushes off, stopped.
    ``db`` may be a session (a handler's, before its commit)."""
    out = _in_chunks(db, select(PushOptOut.openid).where(PushOptOut.kind.in_((kind, "all"))), PushOptOut.openid,
                     openids)
    out |= _in_chunks(db, select(User.openid).where(or_(User.subscribed.is_(False), User.pushes_enabled.is_(False))),
                      User.openid, openids)
    return out | stopped(db, openids)


def _in_chunks(db: Database | Session, query: Any, column: Any, openids: Iterable[str] | None) -> set[str]:
    with db.session() if isinstance(db, Database) else nullcontext(db) as s:
        if openids is None:
            return set(s.scalars(query))
        wanted = list(dict.fromkeys(openids))
        out: set[str] = set()
        for i in range(0, len(wanted), 5000):
            out.update(s.scalars(query.where(column.in_(wanted[i:i + 5000]))))
        return out


def remember_stop(db: Database, openid: str, errcode: int) -> None:
    """Record a 43004/43101 for the next rounds, with or without a ``users`` row (and on it when there is one)."""
    insert = sqlite.insert if db.is_sqlite else postgresql.insert
    stmt = insert(PushStop.__table__).values(openid=openid, errcode=errcode, created_at=utcnow())
    stmt = stmt.on_conflict_do_update(index_elements=["openid"],
                                      set_={"errcode": stmt.excluded.errcode, "created_at": stmt.excluded.created_at})
    with db.engine.begin() as conn:
        conn.execute(stmt)
    with db.session() as s:
        user = s.scalar(select(User).where(User.openid == openid))
        if user is not None:
            if errcode == 43004:
                user.subscribed = False
            else:
                user.pushes_enabled = False


def forget_stop(session: Any, openid: str) -> None:
    """恢复提醒: the person wants pushes again (a 43101 refusal they lifted)."""
    session.execute(delete(PushStop).where(PushStop.openid == openid))


# --- enqueueing ----------------------------------------------------------------------------------------
def enqueue(db: Database, kind: str, ref: str, messages: Iterable[tuple[str, dict[str, Any]]],
            batch: int = 1000, status: str = OutboxStatus.pending.value, channel: str | None = None) -> int:
    """Add (recipient, payload) rows for ``kind``/``ref``; rows already there are left alone. Returns how many
    were new. ``status="sent"`` records messages already delivered another way (a mass send)."""
    table = PushOutbox.__table__
    insert = sqlite.insert if db.is_sqlite else postgresql.insert
    now = utcnow()
    sent_at = now if status == OutboxStatus.sent.value else None
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
        rows.append({"kind": kind, "ref": ref, "recipient": recipient, "payload": payload, "status": status,
                     "attempts": 0, "next_attempt_at": now, "created_at": now, "channel": channel,
                     "sent_at": sent_at})
        if len(rows) >= batch:
            added += flush()
    added += flush()
    return added


def _retryable() -> Any:
    """last_error of a failure worth another round: it opens with the errcode (older rows: ``errcode=N``)."""
    return or_(*[PushOutbox.last_error.startswith(code + " ") for code in RETRYABLE],
               *[PushOutbox.last_error.contains(f"errcode={code} ") for code in ("-1", "45009", "42001", "None")])


def retry_failures(db: Database, kind: str, ref: str) -> int:
    """A rerun of a round: rows that failed on system errors (their attempts used up, e.g. by an outage) and rows
    skipped for the 48-hour window start afresh. Returns how many."""
    with db.session() as s:
        return s.execute(update(PushOutbox).where(
            PushOutbox.kind == kind, PushOutbox.ref == ref,
            or_(and_(PushOutbox.status == OutboxStatus.failed.value, _retryable()),
                PushOutbox.status == OutboxStatus.skipped.value)).values(
            status=OutboxStatus.pending.value, attempts=0, next_attempt_at=utcnow(), lease_until=None,
            claimed_by=None)).rowcount or 0


def statuses(db: Database, kind: str, ref: str) -> dict[str, str]:
    """recipient → status of this round's rows."""
    with db.session() as s:
        rows = s.execute(select(PushOutbox.recipient, PushOutbox.status).where(
            PushOutbox.kind == kind, PushOutbox.ref == ref)).tuples()
        return {recipient: status for recipient, status in rows}


def settle(db: Database, kind: str, ref: str, people: Iterable[str], before: dict[str, str],
           errors: dict[str, int] | None = None) -> Summary:
    """What a round did for each person due, once each: sent now; skipped (sent by an earlier run, opted out,
    stopped, outside the window); failed (given up, or still waiting for a retry)."""
    after = statuses(db, kind, ref)
    summary = Summary(errors=dict(errors or {}))
    for openid in dict.fromkeys(people):
        status = after.get(openid)
        if status == OutboxStatus.sent.value:
            if before.get(openid) == OutboxStatus.sent.value:
                summary.skipped += 1
            else:
                summary.sent += 1
        elif status in (None, OutboxStatus.stopped.value, OutboxStatus.skipped.value):
            summary.skipped += 1
        else:
            summary.failed += 1
            if status != OutboxStatus.failed.value:
                summary.waiting += 1
    return summary


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


def claim_size(settings: Any) -> int:
    """Rows a sender takes at once: no more than it can send in a quarter of the lease at its share of the rate
    limit (and at most 20), so that few rows wait under one sender's lease."""
    workers = max(1, int(getattr(settings, "push_workers", 1)))
    return max(1, min(20, int(settings.push_rate_per_s / workers * LEASE.total_seconds() / 4)))


def _scope(kind: str | None, ref: str | None) -> list[Any]:
    scope = [PushOutbox.kind != MASS]
    if kind:
        scope.append(PushOutbox.kind == kind)
    if ref:
        scope.append(PushOutbox.ref == ref)
    return scope


def _claim(db: Database, kind: str | None, ref: str | None, limit: int) -> tuple[str, list[PushOutbox]]:
    """Take up to ``limit`` due rows for this sender (others skip them while the lease runs): (token, rows)."""
    now = utcnow()
    # Two index-friendly queries (ix_push_outbox_status_next), not one with an OR: pending rows that are due,
    # then — when those run short — rows whose sender's lease lapsed.
    pending = and_(PushOutbox.status == OutboxStatus.pending.value, PushOutbox.next_attempt_at <= now)
    lapsed = and_(PushOutbox.status == OutboxStatus.sending.value, PushOutbox.lease_until < now)
    scope = _scope(kind, ref)
    due = and_(or_(pending, lapsed), *scope)
    token = ""
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
                return token, []
            # Conditional: a row another sender took in between is not taken again.
            token = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
            s.execute(update(PushOutbox).where(PushOutbox.id.in_(ids), due).values(
                status=OutboxStatus.sending.value, lease_until=now + LEASE, claimed_by=token))
            rows = list(s.scalars(select(PushOutbox).where(PushOutbox.id.in_(ids), PushOutbox.claimed_by == token)))
            for r in rows:
                s.expunge(r)
            if rows:
                return token, rows
    return token, []


def _mine(token: str, row_id: int | None = None) -> Any:
    cond = and_(PushOutbox.claimed_by == token, PushOutbox.status == OutboxStatus.sending.value)
    return and_(cond, PushOutbox.id == row_id) if row_id is not None else cond


def renew(db: Database, token: str) -> int:
    """Extend the lease of the rows ``token`` still holds; how many."""
    with db.session() as s:
        return s.execute(update(PushOutbox).where(_mine(token)).values(lease_until=utcnow() + LEASE)).rowcount or 0


def _still_mine(db: Database, row_id: int, token: str) -> bool:
    """Just before sending: is the row still this sender's? (renewing its lease in the same statement)"""
    with db.session() as s:
        return (s.execute(update(PushOutbox).where(_mine(token, row_id)).values(
            lease_until=utcnow() + LEASE)).rowcount or 0) == 1


class _LeaseKeeper:
    """While a sender works through its rows — waiting on the token bucket, a slow call, the client's back-off —
    a thread renews the lease of those it still holds every quarter lease. Killed, the renewals stop with it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.token: str | None = None
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="push-lease", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.done.set()
        self.thread.join(timeout=10)

    def hold(self, token: str | None) -> None:
        with self.lock:
            self.token = token

    def _run(self) -> None:
        while not self.done.wait(LEASE.total_seconds() / 4):
            with self.lock:
                token = self.token
            if token:
                try:
                    renew(self.db, token)
                except Exception:  # noqa: BLE001 — the per-row check before sending still guards
                    log.warning("could not renew the push lease of %s", token, exc_info=True)


def _cut(value: str) -> str:
    return value if len(value) <= FIELD_LIMIT else value[: FIELD_LIMIT - 1] + "…"


def template_fields(settings: Any, kind: str) -> dict[str, str]:
    """template field → payload value, for ``kind`` (``push_template_fields``: its own entry, else "default")."""
    conf = getattr(settings, "push_template_fields", None) or {}
    return conf.get(kind) or conf.get("default") or DEFAULT_TEMPLATE_FIELDS


def template_data(payload: dict[str, Any], fields: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """The template fields (by default 事项 thing1, 时间 time2, 说明 thing3), each within WeChat's 20 characters."""
    return {name: {"value": _cut(str(payload.get(key, "")))}
            for name, key in (fields or DEFAULT_TEMPLATE_FIELDS).items()}


def last_seen(db: Database, openids: list[str]) -> dict[str, datetime]:
    """The last interaction of each (``users.last_seen_at``: any message, menu click or follow)."""
    with db.session() as s:
        rows = s.execute(select(User.openid, User.last_seen_at).where(
            User.openid.in_(openids), User.last_seen_at.is_not(None))).tuples()
        return {openid: seen for openid, seen in rows}


def _window(seen: datetime | None, now: datetime) -> bool | None:
    """Within the 48-hour customer-service window? None: no interaction recorded (WeChat will say: 45015)."""
    return None if seen is None else now - seen <= CS_WINDOW


class OutsideWindow(Exception):
    """The person's last interaction is older than 48 hours: a customer-service message would be refused."""


def _send(api: Any, settings: Any, row: PushOutbox, seen: datetime | None) -> str:
    """Send one row (``seen``: the person's last interaction); the channel used. Raises the client's
    WeChatApiError, or OutsideWindow without a call."""
    from bot.wechat.client import WeChatApiError

    template = (settings.push_template_ids or {}).get(row.kind)
    if template:
        try:
            api.send_template(row.recipient, template, template_data(row.payload, template_fields(settings, row.kind)),
                              url=row.payload.get("url"), client_msg_id=f"jx-{row.kind}-{row.ref}-{row.id}")
            return "template"
        except WeChatApiError as e:
            if e.errcode in STOP_ERRCODES or not _window(seen, utcnow()):
                raise
    elif _window(seen, utcnow()) is False:
        raise OutsideWindow
    api.send_text(row.recipient, str(row.payload.get("text", "")))
    return "custom"


def _finish(db: Database, row: PushOutbox, token: str, **values: Any) -> bool:
    """Record a row's outcome if it is still this sender's; False when another sender took it over."""
    with db.session() as s:
        return (s.execute(update(PushOutbox).where(_mine(token, row.id)).values(lease_until=None, **values)
                          ).rowcount or 0) == 1


def _mark_sent(db: Database, row: PushOutbox, token: str, channel: str, summary: Summary,
               on_progress: Callable[[int], None] | None) -> None:
    values = {"status": OutboxStatus.sent.value, "channel": channel, "sent_at": utcnow(),
              "attempts": row.attempts + 1, "last_error": None}
    if not _finish(db, row, token, **values):
        # The lease went (the database was out of reach longer than the lease): WeChat has the message all the
        # same, so record it — the sender that took the row over then finds it sent and does not send it again.
        with db.session() as s:
            marked = s.execute(update(PushOutbox).where(PushOutbox.id == row.id,
                                                        PushOutbox.status != OutboxStatus.sent.value).values(
                lease_until=None, claimed_by=token, **values)).rowcount or 0
        log.warning("push %s: its lease lapsed before it was marked sent%s", row.id,
                    "" if marked else "; another sender sent it too")
        if not marked:
            summary.lost += 1
            return
    summary.sent += 1
    if on_progress:
        on_progress(1)


def _failed(db: Database, settings: Any, row: PushOutbox, token: str, errcode: int | None, error: str,
            summary: Summary, on_progress: Callable[[int], None] | None) -> None:
    key = str(errcode) if errcode is not None else "network"
    summary.errors[key] = summary.errors.get(key, 0) + 1
    attempts = row.attempts + 1
    outcome: str | None = None
    error = f"{key} {error}"
    if errcode in STOP_ERRCODES:
        remember_stop(db, row.recipient, errcode)
        status, outcome, error = OutboxStatus.stopped.value, "skipped", f"{errcode} {STOP_ERRCODES[errcode]}"
    elif errcode == WINDOW_ERRCODE:  # a stop for this message, not a retry
        status, outcome, error = OutboxStatus.skipped.value, "skipped", f"{errcode} {WINDOW_NOTE}"
    elif attempts >= settings.push_max_attempts:
        status, outcome = OutboxStatus.failed.value, "failed"
    else:
        status = OutboxStatus.pending.value  # back off: 5 s, 10 s, 20 s ... (push_retry_base_s)
    delay = timedelta(seconds=settings.push_retry_base_s * 2 ** (attempts - 1))
    if not _finish(db, row, token, status=status, attempts=attempts, last_error=error[:500],
                   next_attempt_at=utcnow() + delay):
        summary.lost += 1
        return
    if outcome == "skipped":
        summary.skipped += 1
    elif outcome == "failed":
        summary.failed += 1
    if outcome and on_progress:
        on_progress(1)


def _deliver_row(db: Database, api: Any, settings: Any, row: PushOutbox, token: str, seen: datetime | None,
                 summary: Summary, on_progress: Callable[[int], None] | None) -> None:
    from bot.wechat.client import WeChatApiError

    try:
        channel = _send(api, settings, row, seen)
    except OutsideWindow:
        summary.errors["outside_48h"] = summary.errors.get("outside_48h", 0) + 1
        if _finish(db, row, token, status=OutboxStatus.skipped.value, attempts=row.attempts,
                   last_error=f"48h 最近一次互动已超过48小时，{WINDOW_NOTE}"):
            summary.skipped += 1
            if on_progress:
                on_progress(1)
        else:
            summary.lost += 1
    except WeChatApiError as e:
        _failed(db, settings, row, token, e.errcode, f"{e.endpoint}: {e.errmsg}", summary, on_progress)
    except Exception as e:  # noqa: BLE001 — a bug or an outage: the row waits for the next pass
        _failed(db, settings, row, token, None, repr(e)[:500], summary, on_progress)
    else:
        _mark_sent(db, row, token, channel, summary, on_progress)


def _drop_blocked(db: Database, rows: list[PushOutbox], token: str, summary: Summary,
                  on_progress: Callable[[int], None] | None) -> list[PushOutbox]:
    """Rows of people who opted out, unfollowed or were stopped since the row was queued: stopped, not sent."""
    out: set[tuple[str, str]] = set()
    for kind in {r.kind for r in rows}:
        out |= {(kind, o) for o in blocked(db, kind, [r.recipient for r in rows if r.kind == kind])}
    keep = []
    for r in rows:
        if (r.kind, r.recipient) not in out:
            keep.append(r)
        elif _finish(db, r, token, status=OutboxStatus.stopped.value, last_error="已退订或已停止推送"):
            summary.skipped += 1
            if on_progress:
                on_progress(1)
    return keep


def deliver(db: Database, api: Any, settings: Any, *, kind: str | None = None, ref: str | None = None,
            batch: int | None = None, bucket: TokenBucket | None = None,
            on_progress: Callable[[int], None] | None = None, until_empty: bool = True) -> Summary:
    """Send what is due (of ``kind``/``ref`` when given; mass-send records never). Returns counts of this pass;
    ``on_progress`` is told of each row's final outcome (not of a failure that will be retried)."""
    bucket = bucket or TokenBucket(settings.push_rate_per_s)
    batch = batch or claim_size(settings)
    summary = Summary()
    recover(db)
    with _LeaseKeeper(db) as keeper:
        while True:
            token, rows = _claim(db, kind, ref, batch)
            if not rows:
                return summary
            keeper.hold(token)
            rows = _drop_blocked(db, rows, token, summary, on_progress)
            seen = last_seen(db, [r.recipient for r in rows])
            for row in rows:
                bucket.take()
                if not _still_mine(db, row.id, token):  # taken over while this sender waited: not ours to send
                    summary.lost += 1
                    continue
                _deliver_row(db, api, settings, row, token, seen.get(row.recipient), summary, on_progress)
            keeper.hold(None)
            if not until_empty:
                return summary


def due_now(db: Database, kind: str | None = None, ref: str | None = None) -> int:
    """How many rows (of this round) are due to be sent now."""
    now = utcnow()
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(PushOutbox).where(
            or_(and_(PushOutbox.status == OutboxStatus.pending.value, PushOutbox.next_attempt_at <= now),
                and_(PushOutbox.status == OutboxStatus.sending.value, PushOutbox.lease_until < now)),
            *_scope(kind, ref))) or 0


def next_retry(db: Database, kind: str | None = None, ref: str | None = None) -> datetime | None:
    """When the earliest message (of this round) waiting to be retried is due (None: none waits)."""
    with db.session() as s:
        return s.scalar(select(func.min(PushOutbox.next_attempt_at)).where(
            PushOutbox.status == OutboxStatus.pending.value, *_scope(kind, ref)))


def deliver_round(db: Database, api: Any, settings: Any, kind: str | None = None, ref: str | None = None, *,
                  wait_s: float = 300.0, on_progress: Callable[[int], None] | None = None,
                  sleep: Callable[[float], None] = time.sleep) -> Summary:
    """Send a round (or, without kind and ref, whatever is due) until every message is sent, stopped or given
    up — waiting out the back-off of messages that failed for a while (at most ``wait_s`` in all), so that a
    round ends complete. What still waits then is the scheduler's ``outbox.resume`` job's."""
    bucket = TokenBucket(settings.push_rate_per_s)
    total = Summary()
    waited = 0.0
    workers = max(1, int(getattr(settings, "push_workers", 1)))
    while True:
        # A small round is shared among the senders too (not all of it claimed by the first).
        batch = max(1, min(claim_size(settings), -(-due_now(db, kind, ref) // workers)))
        if workers == 1:
            total.add(deliver(db, api, settings, kind=kind, ref=ref, batch=batch, bucket=bucket,
                              on_progress=on_progress))
        else:  # WeChat calls wait on the network: several senders, each claiming its own rows
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="push") as pool:
                for part in pool.map(lambda _, n=batch: deliver(db, api, settings, kind=kind, ref=ref, batch=n,
                                                                bucket=bucket, on_progress=on_progress),
                                     range(workers)):
                    total.add(part)
        due = next_retry(db, kind, ref)
        if due is None:
            return total
        pause = max(0.0, (due - utcnow()).total_seconds()) + 0.01
        if waited + pause > wait_s:
            return total  # left for the scheduler's outbox.resume job
        sleep(pause)
        waited += pause


def counts(db: Database, kind: str, ref: str) -> dict[str, int]:
    with db.session() as s:
        rows = s.execute(select(PushOutbox.status, func.count()).where(PushOutbox.kind == kind, PushOutbox.ref == ref)
                         .group_by(PushOutbox.status))
        return {status: n for status, n in rows.tuples()}
