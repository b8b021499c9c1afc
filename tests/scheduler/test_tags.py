"""Tags kept in sync with region and role (only the changes sent), and a large province-wide event sent by tag,
keeping opt-outs and the monthly limit of mass messages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.db import Database
from bot.kv import DatabaseStore
from bot.models import FollowerTag, PushOptOut, PushOutbox, Role, User
from bot.wechat.client import WeChatApi
from scheduler.events import announce
from scheduler.tags import sync


def _api(settings, db):  # type: ignore[no-untyped-def]
    return WeChatApi(settings, db, DatabaseStore(db), sleep=lambda s: None)


def test_sync_sends_only_changes(db_url, settings, standin) -> None:
    db = Database(db_url)
    with db.session() as s:
        s.add_all([User(openid=f"o_hn_{i}", role=Role.graduate.value, region_code="410105") for i in range(3)])
        s.add_all([User(openid="o_gd_0", role=Role.graduate.value, region_code="440106"),
                   User(openid="o_unit_hn", role=Role.unit.value, region_code="4101"),
                   User(openid="o_off", role=Role.official.value, region_code="41"),
                   User(openid="o_quiet", role=Role.graduate.value, region_code="410105")])
        s.add(PushOptOut(openid="o_quiet", kind="event"))
    api = _api(settings, db)
    first = sync(db, api)
    assert first == {"created": 4, "tagged": 6, "untagged": 0}
    with db.session() as s:
        tags = {r.openid: r.tag for r in s.scalars(select(FollowerTag))}
    assert tags["o_hn_0"] == "jx-graduate-41" and tags["o_gd_0"] == "jx-graduate-44"
    assert tags["o_unit_hn"] == "jx-unit-41" and tags["o_off"] == "jx-official" and "o_quiet" not in tags
    assert sync(db, api) == {"created": 0, "tagged": 0, "untagged": 0}  # nothing changed: nothing sent
    with db.session() as s:
        moved = s.scalar(select(User).where(User.openid == "o_hn_1"))
        moved.region_code = "440106"  # moved to Guangdong
        s.scalar(select(User).where(User.openid == "o_hn_2")).subscribed = False
    assert sync(db, api) == {"created": 0, "tagged": 1, "untagged": 2}
    db.dispose()


def test_a_province_wide_event_goes_by_tag(db_url, settings, standin) -> None:
    db = Database(db_url)
    with db.session() as s:
        s.add_all([User(openid=f"o_hn_{i}", role=Role.graduate.value, region_code="410105") for i in range(5)])
        s.add(User(openid="o_gd_0", role=Role.graduate.value, region_code="440106"))
        month = date.today().isoformat()[:7]
        s.add_all([PushOutbox(kind="mass", ref=f"{month}:{k}", recipient="o_hn_0", status="sent", payload={})
                   for k in range(90, 94)])
    s2 = settings.model_copy(update={"push_mass_threshold": 3})
    event, summary = announce(db, _api(s2, db), s2, title="河南省见习专场", text="全省联动", region="41")
    assert summary.sent == 4 and summary.skipped == 1 and summary.errors["over_monthly_mass_limit"] == 1
    got = {m["touser"] for m in standin.messages()}
    assert got == {f"o_hn_{i}" for i in range(1, 5)}  # by tag: Henan's graduates, not the one over the limit
    calls = [c["endpoint"] for c in standin.calls()]
    assert "message/mass/sendall" in calls and "message/mass/send" not in calls
    db.dispose()
