"""Matching events (专项对接活动): an official announces one; the audience — followers in the region, of the
roles named, whose major fits — gets it once through the outbox, and a recall the day before it starts.

A major fits when it is the one named or of the same 专业类 (the catalogue's group); a follower without a major
in their profile is included (they may well be interested; they can 退订 活动通知).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.db import Database
from bot.models import MatchingEvent, OutboxStatus, PushOutbox, Role, User, utcnow
from bot.positions.features import group_code, major_code
from scheduler.push import Summary, deliver_round, enqueue, opted_out


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


def audience(db: Database, region: str | None, major: str | None, roles: tuple[str, ...]) -> list[str]:
    """The openids an event goes to."""
    blocked = opted_out(db, "event")
    with db.session() as s:
        query = select(User.openid, User.major, User.region_code).where(
            User.subscribed.is_(True), User.pushes_enabled.is_(True), User.role.in_(roles))
        if region:
            query = query.where(User.region_code.startswith(region))
        rows = list(s.execute(query).tuples())
    return [openid for openid, m, _ in rows if openid not in blocked and _fits(m, major)]


def announce(db: Database, api: Any, settings: Any, *, title: str, text: str, starts_on: date | None = None,
             place: str | None = None, region: str | None = None, major: str | None = None,
             roles: tuple[str, ...] = (Role.graduate.value,), created_by: str = "operator",
             on_total: Callable[[int], None] | None = None,
             on_progress: Callable[[int], None] | None = None) -> tuple[MatchingEvent, Summary]:
    title, text = title.strip(), text.strip()
    if not title or len(title) > 60:
        raise EventError("活动标题应为 1 到 60 个字")
    if not text or len(text) > 600:
        raise EventError("活动内容应为 1 到 600 个字")
    bad_roles = [r for r in roles if r not in Role.__members__]
    if bad_roles:
        raise EventError("对象应为 graduate / unit / official")
    people = audience(db, region, major, roles)
    with db.session() as s:
        event = MatchingEvent(title=title, text=text, starts_on=starts_on, place=place, region_code=region,
                              major=major, roles=" ".join(roles), created_by=created_by[:64], audience=len(people))
        s.add(event)
        s.flush()
        s.expunge(event)
    body = f"【对接活动】{title}\n{text}" + (f"\n时间：{starts_on.isoformat()}" if starts_on else "") + \
        (f"\n地点：{place}" if place else "") + "\n回复“退订 活动通知”不再接收此类消息。"
    payload = {"title": title, "when": starts_on.isoformat() if starts_on else "", "note": place or "", "text": body}
    if on_total:
        on_total(len(people))
    if len(people) >= settings.push_mass_threshold:
        if major is None and (region is None or len(region) == 2) and set(roles) <= {"graduate", "unit"}:
            # The audience is whole tags (a province, or the country, by role): mass send by tag.
            from scheduler.tags import tag_of

            provinces = [region] if region else sorted({(r or "")[:2] or "xx" for r in _regions(db, roles)})
            tags = [t for role in roles for p in provinces if (t := tag_of(role, p))]
            return event, mass_send_by_tags(db, api, event.id, tags, body, utcnow().date(), on_progress)
        return event, mass_send(db, api, event.id, people, body, utcnow().date(), on_progress)
    enqueue(db, "event", str(event.id), [(o, payload) for o in people])
    return event, deliver_round(db, api, settings, "event", str(event.id), on_progress=on_progress)


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
        enqueue(db, "mass", ref, [(o, {"event": event_id, "tag": tag}) for o in reached])
        with db.session() as s:
            s.execute(update(PushOutbox).where(PushOutbox.kind == "mass", PushOutbox.ref == ref,
                                               PushOutbox.recipient.in_(reached)).values(
                status=OutboxStatus.sent.value, channel="mass", sent_at=utcnow()))
        summary.sent += len(reached)
        if on_progress:
            on_progress(len(reached))
    return summary


def mass_received(db: Database, month: str) -> dict[str, int]:
    """Mass messages each follower got this month (recorded as outbox rows of kind "mass")."""
    with db.session() as s:
        rows = s.execute(select(PushOutbox.recipient, func.count()).where(
            PushOutbox.kind == "mass", PushOutbox.ref.startswith(month + ":"),
            PushOutbox.status == OutboxStatus.sent.value).group_by(PushOutbox.recipient))
        return {recipient: n for recipient, n in rows.tuples()}


def mass_send(db: Database, api: Any, event_id: int, people: list[str], body: str, today: date,
              on_progress: Callable[[int], None] | None = None) -> Summary:
    """A large audience: WeChat's mass send to the exact list of openids (opt-outs and the region, role and major
    filter kept), in chunks; followers who already had 4 mass messages this month are left out and counted as
    skipped. Each chunk's ``clientmsgid`` lets WeChat drop a resend; each recipient is recorded so a rerun and
    the monthly limit see it."""
    from bot.wechat.client import WeChatApiError

    month = today.isoformat()[:7]
    ref = f"{month}:{event_id}"
    had = mass_received(db, month)
    with db.session() as s:
        done = set(s.scalars(select(PushOutbox.recipient).where(PushOutbox.kind == "mass", PushOutbox.ref == ref)))
    allowed = [o for o in people if o not in done and had.get(o, 0) < MASS_PER_MONTH]
    summary = Summary(skipped=len(people) - len(allowed))
    summary.errors["over_monthly_mass_limit"] = sum(1 for o in people if had.get(o, 0) >= MASS_PER_MONTH)
    for i in range(0, len(allowed), MASS_CHUNK):
        chunk = allowed[i:i + MASS_CHUNK]
        if len(chunk) < 2:  # WeChat's list send needs two; one person gets a customer-service message
            chunk = chunk + [chunk[0]] if chunk else chunk
        try:
            api.mass_send_text_to(list(dict.fromkeys(chunk)), body, clientmsgid=f"jx-mass-{event_id}-{i // MASS_CHUNK}")
        except WeChatApiError as e:
            summary.failed += len(set(chunk))
            summary.errors[str(e.errcode)] = summary.errors.get(str(e.errcode), 0) + 1
            continue
        enqueue(db, "mass", ref, [(o, {"event": event_id}) for o in dict.fromkeys(chunk)])
        with db.session() as s:
            s.execute(update(PushOutbox).where(PushOutbox.kind == "mass", PushOutbox.ref == ref,
                                               PushOutbox.recipient.in_(list(set(chunk)))).values(
                status=OutboxStatus.sent.value, channel="mass", sent_at=utcnow()))
        summary.sent += len(set(chunk))
        if on_progress:
            on_progress(len(set(chunk)))
    return summary


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
        part = deliver_round(db, api, settings, "event", f"{e.id}-recall")
        total.sent, total.skipped, total.failed = total.sent + part.sent, total.skipped + part.skipped, \
            total.failed + part.failed
    return total
