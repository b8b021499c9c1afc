"""WeChat tags kept in sync with each follower's region and role, so a large announcement can go by mass send to
a tag: ``jx-graduate-41`` (graduates in Henan), ``jx-unit-44``, ``jx-official``. At most 69 tags (34 provinces ×
2 roles + officials), within WeChat's 100.

A follower is under a tag only while they can be reached and want events (subscribed, pushes on, no 退订 of
活动通知): a mass send by tag then keeps the opt-outs. ``follower_tags`` remembers what we tagged, so a sync sends
only the changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from bot.db import Database
from bot.models import FollowerTag, Role, User
from scheduler.push import opted_out


def tag_of(role: str, region_code: str | None) -> str | None:
    if role == Role.official.value:
        return "jx-official"
    if role in (Role.graduate.value, Role.unit.value):
        return f"jx-{role}-{(region_code or '')[:2] or 'xx'}"
    return None


def desired(db: Database) -> dict[str, str]:
    out = opted_out(db, "event")
    with db.session() as s:
        rows = s.execute(select(User.openid, User.role, User.region_code).where(
            User.subscribed.is_(True), User.pushes_enabled.is_(True))).tuples()
        return {o: t for o, role, region in rows if o not in out and (t := tag_of(role, region))}


def sync(db: Database, api: Any) -> dict[str, int]:
    """Bring WeChat's tags in line with who should be under each; returns counts of the changes."""
    want = desired(db)
    with db.session() as s:
        have = {r.openid: r.tag for r in s.scalars(select(FollowerTag))}
    ids = {t["name"]: int(t["id"]) for t in api.get_tags()}
    created = 0
    for name in sorted(set(want.values()) - set(ids)):
        ids[name] = api.create_tag(name)
        created += 1
    remove: dict[str, list[str]] = {}
    add: dict[str, list[str]] = {}
    for openid, tag in have.items():
        if want.get(openid) != tag:
            remove.setdefault(tag, []).append(openid)
    for openid, tag in want.items():
        if have.get(openid) != tag:
            add.setdefault(tag, []).append(openid)
    for tag, people in remove.items():
        if tag in ids:
            api.untag_users(ids[tag], people)
        with db.session() as s:
            s.execute(delete(FollowerTag).where(FollowerTag.openid.in_(people), FollowerTag.tag == tag))
    for tag, people in add.items():
        api.tag_users(ids[tag], people)
        with db.session() as s:
            s.execute(delete(FollowerTag).where(FollowerTag.openid.in_(people)))
            s.add_all([FollowerTag(openid=o, tag=tag) for o in people])
    return {"created": created, "tagged": sum(map(len, add.values())), "untagged": sum(map(len, remove.values()))}


def tag_ids(api: Any) -> dict[str, int]:
    return {t["name"]: int(t["id"]) for t in api.get_tags()}
