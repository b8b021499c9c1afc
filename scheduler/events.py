"""Matching events (专项对接活动): an official announces one; the audience — followers in the region, of the
roles named, whose major fits — gets it once through the outbox, and a recall the day before it starts.

A major fits when it is the one named or of the same 专业类 (the catalogue's group); a follower without a major
in their profile is included (they may well be interested; they can 退订 活动通知).

An event is one (title, date, region): announcing it again — `jianxi broadcast` rerun after a failure, or with
``--event ID`` — resumes it, sending only to those not reached yet. Published in chat, it is saved with the
conversation and sent on a thread after the commit (:func:`deliver_in_background`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import MatchingEvent, OutboxStatus, PushOutbox, Role, User, utcnow
from bot.positions.features import group_code, major_code
from scheduler.push import FINAL, Summary, blocked, deliver_round, enqueue, retry_failures, settle, statuses

log = logging.getLogger(__name__)


class EventError(ValueError):
    pass


def _fits(user_major: str | None, wanted: str | None) -> bool:
    if not wanted or not user_major:
        return True
    if wanted in user_major or user_major in wanted:
        return True
    a, b = major_code(user_major, broad=True), major_code(wanted, broad=True)
    ga = group_code(user_major) or (a[:4] if a else None)
    gb = group_code(wanted) or (b[:4] if b else None)
    return bool(ga and gb and ga == gb)


def _audience_in(s: Session, region: str | None, major: str | None, roles: tuple[str, ...],
                 blocked_ids: set[str]) -> list[str]:
    query = select(User.openid, User.major).where(
        User.subscribed.is_(True), User.pushes_enabled.is_(True), User.role.in_(roles))
    if region:
        query = query.where(User.region_code.startswith(region))
    return [openid for openid, m in s.execute(query).tuples() if openid not in blocked_ids and _fits(m, major)]


def audience(db: Database, region: str | None, major: str | None, roles: tuple[str, ...]) -> list[str]:
    """The openids an event goes to."""
    out = blocked(db, "event")
    with db.session() as s:
        return _audience_in(s, region, major, roles, out)


def _check(title: str, text: str, roles: tuple[str, ...]) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title or len(title) > 60:
        raise EventError("活动标题应为 1 到 60 个字")
    if not text or len(text) > 600:
        raise EventError("活动内容应为 1 到 600 个字")
    bad_roles = [r for r in roles if r not in Role.__members__]
    if bad_roles:
        raise EventError("对象应为 graduate / unit / official")
    return title, text


def find_event(s: Session, title: str, starts_on: date | None, region: str | None) -> MatchingEvent | None:
    """The event already announced with this title, date and region (announcing it again resumes it)."""
    query = select(MatchingEvent).where(
        MatchingEvent.title == title.strip(),
        MatchingEvent.starts_on.is_(None) if starts_on is None else MatchingEvent.starts_on == starts_on,
        MatchingEvent.region_code.is_(None) if region is None else MatchingEvent.region_code == region)
    return s.scalars(query.order_by(MatchingEvent.id)).first()


def save_event(s: Session, *, title: str, text: str, starts_on: date | None = None, place: str | None = None,
               region: str | None = None, major: str | None = None, roles: tuple[str, ...] = (Role.graduate.value,),
               created_by: str = "operator") -> tuple[MatchingEvent, bool]:
    """Save a new event in session ``s`` with its audience's size — or find the same one (title, date, region)
    announced before: (event, new)."""
    title, text = _check(title, text, roles)
    existing = find_event(s, title, starts_on, region)
    if existing is not None:
        return existing, False
    people = _audience_in(s, region, major, roles, blocked(s, "event"))
    event = MatchingEvent(title=title, text=text, starts_on=starts_on, place=place, region_code=region,
                          major=major, roles=" ".join(roles), created_by=created_by[:64], audience=len(people))
    s.add(event)
    s.flush()
    return event, True


def _body(e: MatchingEvent) -> str:
    return f"【对接活动】{e.title}\n{e.text}" + (f"\n时间：{e.starts_on.isoformat()}" if e.starts_on else "") + \
        (f"\n地点：{e.place}" if e.place else "") + "\n回复“退订 活动通知”不再接收此类消息。"


def _payload(e: MatchingEvent) -> dict[str, Any]:
    return {"title": e.title, "when": e.starts_on.isoformat() if e.starts_on else "", "note": e.place or "",
            "text": _body(e)}


def _by_tags(e: MatchingEvent) -> bool:
    """The audience is whole tags (a province, or the country, by role): mass send by tag."""
    roles = tuple(e.roles.split())
    return e.major is None and (e.region_code is None or len(e.region_code) == 2) and set(roles) <= {"graduate", "unit"}


def load_event(db: Database, event_id: int) -> MatchingEvent:
    with db.session() as s:
        event = s.get(MatchingEvent, event_id)
        if event is None:
            raise EventError(f"没有编号为 {event_id} 的活动")
        s.expunge(event)
    return event


def queue_event(db: Database, settings: Any, event: MatchingEvent) -> list[str]:
    """The event's audience now; below the mass-send threshold, one outbox row each (a rerun adds nobody twice,
    and the scheduler's outbox.resume job sends what is left should this process stop)."""
    people = audience(db, event.region_code, event.major, tuple(event.roles.split()))
    if len(people) < settings.push_mass_threshold:
        payload = _payload(event)
        enqueue(db, "event", str(event.id), [(o, payload) for o in people])
    return people


def deliver_event(db: Database, api: Any, settings: Any, event: MatchingEvent, people: list[str] | None = None,
                  on_total: Callable[[int], None] | None = None,
                  on_progress: Callable[[int], None] | None = None) -> Summary:
    """Send an event to its audience (or resume it): per person through the outbox, or by mass send for a large
    audience. Everyone already reached is skipped; what failed on system errors is tried again."""
    people = queue_event(db, settings, event) if people is None else people
    if on_total:
        on_total(len(people))
    if len(people) >= settings.push_mass_threshold:
        if _by_tags(event):
            from scheduler.tags import tag_of

            roles = tuple(event.roles.split())
            provinces = [event.region_code] if event.region_code else \
                sorted({(r or "")[:2] or "xx" for r in _regions(db, roles)})
            tags = [t for role in roles for p in provinces if (t := tag_of(role, p))]
            return mass_send_by_tags(db, api, event.id, tags, _body(event), utcnow().date(), on_progress)
        return mass_send(db, api, event.id, people, _body(event), utcnow().date(), on_progress, settings=settings)
    ref = str(event.id)
    retry_failures(db, "event", ref)
    before = statuses(db, "event", ref)
    if on_progress:
        done = sum(1 for o in people if before.get(o) in FINAL)
        if done:
            on_progress(done)
    part = deliver_round(db, api, settings, "event", ref, on_progress=on_progress)
    return settle(db, "event", ref, people, before, part.errors)


def announce(db: Database, api: Any, settings: Any, *, title: str, text: str, starts_on: date | None = None,
             place: str | None = None, region: str | None = None, major: str | None = None,
             roles: tuple[str, ...] = (Role.graduate.value,), created_by: str = "operator",
             on_total: Callable[[int], None] | None = None,
             on_progress: Callable[[int], None] | None = None) -> tuple[MatchingEvent, Summary]:
    """Announce an event to its audience. The same title, date and region again resumes the event announced
    before (nobody gets it twice) rather than making a new one."""
    with db.session() as s:
        event, _ = save_event(s, title=title, text=text, starts_on=starts_on, place=place, region=region,
                              major=major, roles=roles, created_by=created_by)
        s.expunge(event)
    return event, deliver_event(db, api, settings, event, on_total=on_total, on_progress=on_progress)


def resume(db: Database, api: Any, settings: Any, event_id: int, on_total: Callable[[int], None] | None = None,
           on_progress: Callable[[int], None] | None = None) -> tuple[MatchingEvent, Summary]:
    """`jianxi broadcast --event ID`: send an event announced before to those of its audience not reached yet."""
    event = load_event(db, event_id)
    return event, deliver_event(db, api, settings, event, on_total=on_total, on_progress=on_progress)


def deliver_in_background(db: Database, api: Any, settings: Any, event_id: int) -> threading.Thread:
    """After the commit of an event published in chat: queue its messages now, send them on a thread (the chat
    reply does not wait). Should the process stop, the scheduler's outbox.resume job sends the rest."""
    event = load_event(db, event_id)
    people = queue_event(db, settings, event)

    def run() -> None:
        try:
            summary = deliver_event(db, api, settings, event, people)
            log.info("event %s delivered: %s", event_id, summary.as_dict())
        except Exception:
            log.exception("event %s: delivery stopped; the outbox.resume job goes on with it", event_id)

    thread = threading.Thread(target=run, name=f"event-{event_id}", daemon=True)
    thread.start()
    return thread


MASS_PER_MONTH = 4  # WeChat lets a follower receive at most 4 mass messages a month
MASS_CHUNK = 10_000  # openids per mass send


def _regions(db: Database, roles: tuple[str, ...]) -> list[str | None]:
    with db.session() as s:
        return list(s.scalars(select(User.region_code).where(User.role.in_(roles)).distinct()))


def mass_send_by_tags(db: Database, api: Any, event_id: int, tags: list[str], body: str, today: date,
                      on_progress: Callable[[int], None] | None = None) -> Summary:
    """Mass send to whole tags (kept in sync first): followers over the monthly limit are taken off their tag for
    this send (the next sync puts them back); each member is recorded like an openid-list send."""
    from bot.models import FollowerTag
    from bot.wechat.client import WeChatApiError
    from scheduler.tags import sync, tag_ids

    sync(db, api)
    ids = tag_ids(api)
    month = today.isoformat()[:7]
    ref = f"{month}:{event_id}"
    had = mass_received(db, month)
    summary = Summary()
    summary.errors["over_monthly_mass_limit"] = 0
    for tag in tags:
        with db.session() as s:
            members = list(s.scalars(select(FollowerTag.openid).where(FollowerTag.tag == tag)))
        if not members or tag not in ids:
            continue
        over = [o for o in members if had.get(o, 0) >= MASS_PER_MONTH]
        if over:
            api.untag_users(ids[tag], over)
            with db.session() as s:
                s.execute(delete(FollowerTag).where(FollowerTag.openid.in_(over)))
            summary.skipped += len(over)
            summary.errors["over_monthly_mass_limit"] += len(over)
        reached = [o for o in members if o not in set(over)]
        try:
            api.mass_send_text(ids[tag], body, clientmsgid=f"jx-tag-{event_id}-{tag}")
        except WeChatApiError as e:
            summary.failed += len(reached)
            summary.errors[str(e.errcode)] = summary.errors.get(str(e.errcode), 0) + 1
            continue
        _record_mass(db, ref, event_id, reached, tag)
        summary.sent += len(reached)
        if on_progress:
            on_progress(len(reached))
    return summary


def _record_mass(db: Database, ref: str, event_id: int, openids: list[str], tag: str | None = None) -> None:
    """Who a mass send reached, as outbox rows already sent (the monthly limit and a resume count them)."""
    payload: dict[str, Any] = {"event": event_id, **({"tag": tag} if tag else {})}
    enqueue(db, "mass", ref, [(o, payload) for o in openids], status=OutboxStatus.sent.value, channel="mass")
    with db.session() as s:  # a row a stopped run left pending
        for i in range(0, len(openids), 5000):
            s.execute(update(PushOutbox).where(
                PushOutbox.kind == "mass", PushOutbox.ref == ref, PushOutbox.recipient.in_(openids[i:i + 5000]),
                PushOutbox.status != OutboxStatus.sent.value).values(
                status=OutboxStatus.sent.value, channel="mass", sent_at=utcnow()))


def mass_received(db: Database, month: str) -> dict[str, int]:
    """Mass messages each follower got this month (recorded as outbox rows of kind "mass")."""
    with db.session() as s:
        rows = s.execute(select(PushOutbox.recipient, func.count()).where(
            PushOutbox.kind == "mass", PushOutbox.ref.startswith(month + ":"),
            PushOutbox.status == OutboxStatus.sent.value).group_by(PushOutbox.recipient))
        return {recipient: n for recipient, n in rows.tuples()}


def mass_send(db: Database, api: Any, event_id: int, people: list[str], body: str, today: date,
              on_progress: Callable[[int], None] | None = None, *, settings: Any = None) -> Summary:
    """A large audience: WeChat's mass send to the exact list of openids (opt-outs and the region, role and major
    filter kept), in chunks of up to 10,000; followers who already had 4 mass messages this month are left out
    and counted as skipped, and so is everyone this event reached before (a resume). Each chunk's
    ``clientmsgid`` comes from its members, so WeChat drops a resend of the same chunk (45065: it has it
    already); each recipient is recorded so a rerun and the monthly limit see it. WeChat's list send needs at
    least two openids: a chunk of one goes by template or customer-service message through the outbox."""
    from bot.wechat.client import WeChatApiError

    month = today.isoformat()[:7]
    ref = f"{month}:{event_id}"
    had = mass_received(db, month)
    with db.session() as s:
        done = set(s.scalars(select(PushOutbox.recipient).where(
            PushOutbox.kind == "mass", PushOutbox.ref.endswith(f":{event_id}"))))
        done |= set(s.scalars(select(PushOutbox.recipient).where(
            PushOutbox.kind == "event", PushOutbox.ref == str(event_id), PushOutbox.status.in_(FINAL))))
    allowed = list(dict.fromkeys(o for o in people if o not in done and had.get(o, 0) < MASS_PER_MONTH))
    summary = Summary(skipped=len(people) - len(allowed))
    summary.errors["over_monthly_mass_limit"] = sum(1 for o in people if had.get(o, 0) >= MASS_PER_MONTH)
    for i in range(0, len(allowed), MASS_CHUNK):
        chunk = allowed[i:i + MASS_CHUNK]
        if len(chunk) == 1:
            summary.add(_one_by_outbox(db, api, settings, event_id, chunk[0], on_progress))
            continue
        digest = hashlib.sha1("\n".join(chunk).encode()).hexdigest()[:16]
        try:
            api.mass_send_text_to(chunk, body, clientmsgid=f"jx-mass-{event_id}-{digest}")
        except WeChatApiError as e:
            if e.errcode != 45065:  # 45065: this very chunk reached WeChat before (a run stopped before recording it)
                summary.failed += len(chunk)
                summary.errors[str(e.errcode)] = summary.errors.get(str(e.errcode), 0) + 1
                continue
        _record_mass(db, ref, event_id, chunk)
        summary.sent += len(chunk)
        if on_progress:
            on_progress(len(chunk))
    return summary


def _one_by_outbox(db: Database, api: Any, settings: Any, event_id: int, openid: str,
                   on_progress: Callable[[int], None] | None) -> Summary:
    """The one person a list send cannot take: an ordinary push of the event (template or customer service)."""
    if settings is None:
        from bot.config import get_settings

        settings = get_settings()
    ref = str(event_id)
    enqueue(db, "event", ref, [(openid, _payload(load_event(db, event_id)))])
    retry_failures(db, "event", ref)
    before = statuses(db, "event", ref)
    part = deliver_round(db, api, settings, "event", ref, on_progress=on_progress)
    return settle(db, "event", ref, [openid], before, part.errors)


def recall(db: Database, api: Any, settings: Any, today: date) -> Summary:
    """The day before an event: remind its audience (once: ref "<id>-recall")."""
    total = Summary()
    with db.session() as s:
        events = list(s.scalars(select(MatchingEvent).where(MatchingEvent.starts_on == today + timedelta(days=1))))
        for e in events:
            s.expunge(e)
    for e in events:
        people = audience(db, e.region_code, e.major, tuple(e.roles.split()))
        body = f"【活动提醒】明天（{e.starts_on}）：{e.title}" + (f"，地点：{e.place}" if e.place else "") + "。"
        enqueue(db, "event", f"{e.id}-recall", [(o, {"title": e.title, "when": str(e.starts_on), "note": "明天",
                                                     "text": body}) for o in people])
        total.add(deliver_round(db, api, settings, "event", f"{e.id}-recall"))
    return total
