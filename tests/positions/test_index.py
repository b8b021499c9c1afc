"""The in-memory index: built from the database, refreshed from it, ranked and searched (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import delete

from bot.db import Database
from bot.models import Position, utcnow
from bot.positions.index import (
    GROUP_ANY,
    GROUP_NAMED,
    OPEN_KEY,
    Criteria,
    IndexHolder,
    PositionIndex,
    Postings,
    SearchFilters,
    major_keys,
    place_ints,
)
from tests.positions.helpers import TODAY, add, change, row

TIANHE = ("广东省", "广州市", "天河区")
YUEXIU = ("广东省", "广州市", "越秀区")
NANSHAN = ("广东省", "深圳市", "南山区")
CY_BEIJING = ("北京市", "北京市", "朝阳区")
CY_CHANGCHUN = ("吉林省", "长春市", "朝阳区")


def _codes(index: PositionIndex, crit: Criteria, limit: int = 10) -> list[str]:
    ids = [h.id for h in index.rank(crit, limit, TODAY).hits]
    return [_code_of[i] for i in ids]


_code_of: dict[int, str] = {}


def _remember(db: Database) -> None:
    with db.session() as s:
        _code_of.update({p.id: p.code for p in s.query(Position)})


def test_keys() -> None:
    assert major_keys("") == (OPEN_KEY,)
    assert major_keys("080901 0809") == (80901, GROUP_ANY + 809, GROUP_NAMED + 809)
    assert major_keys("120203K") == (120203, GROUP_ANY + 1202)
    assert place_ints("11", None, "110105") == (11, 1101, 110105)
    assert place_ints("44", "4401", None) == (44, 4401, 0)


def test_postings_merge() -> None:
    p = Postings.from_pairs(np.array([5, 3, 5], np.int64), np.array([0, 1, 2], np.int32))
    assert list(p.get(5)) == [0, 2] and list(p.get(3)) == [1] and len(p.get(9)) == 0
    p.add(5, 7)
    p.add(9, 8)
    assert list(p.get(5)) == [0, 2, 7] and p.size(9) == 1
    p.merge()
    assert not p.delta and list(p.get(5)) == [0, 2, 7] and list(p.get(9)) == [8] and p.keys() == {3, 5, 9}


def test_rank_fit_order_and_hard_place_filter(db: Database) -> None:
    add(db,
        row("EXACT", "会计学", TIANHE),
        row("GROUP", "工商管理类", TIANHE),
        row("RELATED", "财务管理", TIANHE),
        row("OPEN", "不限", TIANHE),
        row("OTHER", "软件工程", TIANHE),
        row("SZ", "会计学", NANSHAN),
        row("YUEXIU", "会计学", YUEXIU))
    _remember(db)
    index = PositionIndex.build(db)
    assert index.size == 7
    assert _codes(index, Criteria(majors=("120203",), places=("440106",))) == ["EXACT", "GROUP", "RELATED", "OPEN"]
    assert _codes(index, Criteria(majors=("120203",), places=("4401",)))[:2] == ["EXACT", "YUEXIU"]
    assert "SZ" not in _codes(index, Criteria(majors=("120203",), places=("4401",)))
    assert set(_codes(index, Criteria(majors=("120203",), places=("44",)))) >= {"EXACT", "SZ", "YUEXIU"}
    assert _codes(index, Criteria(majors=("120203",), places=("4401",), major_fit_only=True))[-1] == "RELATED"
    assert _codes(index, Criteria(majors=("120203",), places=("4403", "440104"))) == ["SZ", "YUEXIU"] or \
        _codes(index, Criteria(majors=("120203",), places=("4403", "440104"))) == ["YUEXIU", "SZ"]
    # a whole 专业类 asked: the positions of that class, by naming it or one of its majors
    assert set(_codes(index, Criteria(majors=("1202",), places=("440106",)))) == {"EXACT", "GROUP", "RELATED",
                                                                                 "OPEN"}
    ranking = index.rank(Criteria(majors=("120203",), places=("440106",)), 2, TODAY)
    assert ranking.total == 4 and ranking.matched == 3 and len(ranking.hits) == 2
    assert ranking.by_fit == {"exact": 1, "group": 1, "related": 1, "open": 1}
    assert [h.fit for h in ranking.hits] == ["exact", "group"] and ranking.hits[0].place == "named"
    assert _codes(index, Criteria(places=("440106",)), 10)  # no major: everything open there
    assert _codes(index, Criteria(majors=("120203",), places=("440106",), exclude_places=("440106",))) == []


def test_same_district_name_in_two_cities(db: Database) -> None:
    add(db, row("BJ", "软件工程", CY_BEIJING), row("CC", "软件工程", CY_CHANGCHUN))
    _remember(db)
    index = PositionIndex.build(db)
    assert _codes(index, Criteria(majors=("080902",), places=("110105",))) == ["BJ"]
    assert _codes(index, Criteria(majors=("080902",), places=("220104",))) == ["CC"]
    assert _codes(index, Criteria(majors=("080902",), places=("11",))) == ["BJ"]


def test_only_open_positions_with_places_left(db: Database) -> None:
    add(db, row("OK", "会计学", TIANHE), row("CLOSED", "会计学", TIANHE), row("FULL", "会计学", TIANHE),
        row("NONE_LEFT", "会计学", TIANHE), row("PAST", "会计学", TIANHE), row("TODAY", "会计学", TIANHE))
    change(db, "CLOSED", status="closed")
    change(db, "FULL", status="full", places_left=0)
    change(db, "NONE_LEFT", places_left=0)
    change(db, "PAST", closes_on=TODAY - timedelta(days=1))
    change(db, "TODAY", closes_on=TODAY)
    _remember(db)
    index = PositionIndex.build(db)
    assert set(_codes(index, Criteria(majors=("120203",)))) == {"OK", "TODAY"}
    assert set(_codes(index, Criteria())) == {"OK", "TODAY"}


def test_education_and_ties(db: Database) -> None:
    add(db, row("MASTER", "会计学", TIANHE, education="硕士"), row("BACHELOR", "会计学", TIANHE, education="本科"),
        row("ANY", "会计学", TIANHE, education="不限"), row("COLLEGE", "会计学", TIANHE, education="大专"))
    _remember(db)
    index = PositionIndex.build(db)
    # positions asking more than the person has are left out; the same level first, then 不限, then lower
    assert _codes(index, Criteria(majors=("120203",), education="本科")) == ["BACHELOR", "ANY", "COLLEGE"]
    assert "MASTER" in _codes(index, Criteria(majors=("120203",)))
    hits = index.rank(Criteria(majors=("120203",), education="本科"), 3, TODAY).hits
    assert [h.education for h in hits] == ["same", "open", "below"]


def test_tie_breakers_demonstration_closing_soon_places_left(db: Database) -> None:
    add(db, row("PLAIN", "会计学", TIANHE), row("DEMO", "会计学", TIANHE, demonstration=True),
        row("SOON", "会计学", TIANHE), row("MANY", "会计学", TIANHE, headcount=9))
    change(db, "SOON", closes_on=TODAY + timedelta(days=3))
    _remember(db)
    index = PositionIndex.build(db)
    assert _codes(index, Criteria(majors=("120203",), places=("440106",))) == ["DEMO", "SOON", "MANY", "PLAIN"]
    # tie-breakers never lift a weaker fit over a better one
    add(db, row("RELATED_DEMO", "财务管理", TIANHE, demonstration=True))
    index = PositionIndex.build(db)
    _remember(db)
    assert _codes(index, Criteria(majors=("120203",), places=("440106",)))[-1] == "RELATED_DEMO"


def test_home_is_a_preference_not_a_filter(db: Database) -> None:
    add(db, row("TIANHE", "会计学", TIANHE), row("YUEXIU", "会计学", YUEXIU), row("SZ", "会计学", NANSHAN),
        row("BJ", "会计学", CY_BEIJING))
    _remember(db)
    index = PositionIndex.build(db)
    ranked = _codes(index, Criteria(majors=("120203",), home="440106"))
    assert ranked == ["TIANHE", "YUEXIU", "SZ", "BJ"]
    assert [h.place for h in index.rank(Criteria(majors=("120203",), home="440106"), 4, TODAY).hits] == [
        "county", "city", "province", None]


def test_major_fit_outranks_place_and_place_breaks_ties_within_a_fit(db: Database) -> None:
    """With a home region: an exact major far away outranks a 专业类-level or related fit next door, and
    专业不限 next door comes after every real match; within one fit the nearer place comes first."""
    add(db, row("GROUP_HOME", "工商管理类", TIANHE, education="本科"),
        row("RELATED_HOME", "财务管理", TIANHE, education="本科"),
        row("OPEN_HOME", "不限", TIANHE, education="本科", demonstration=True),
        row("EXACT_CITY", "会计学", YUEXIU, education="大专"),
        row("EXACT_FAR", "会计学", CY_BEIJING, education="大专"),
        row("EXACT_HOME", "会计学", TIANHE, education="本科"),
        row("GROUP_FAR", "工商管理类", CY_BEIJING, education="本科"))
    _remember(db)
    index = PositionIndex.build(db)
    crit = Criteria(majors=("120203",), home="440106", education="本科")
    assert _codes(index, crit) == ["EXACT_HOME", "EXACT_CITY", "EXACT_FAR", "GROUP_HOME", "GROUP_FAR",
                                   "RELATED_HOME", "OPEN_HOME"]
    hits = index.rank(crit, 7, TODAY).hits
    assert [h.fit for h in hits] == ["exact"] * 3 + ["group"] * 2 + ["related", "open"]
    assert hits[2].score > hits[3].score  # the worst exact (elsewhere, a lower level) above the best 专业类 fit


def test_keywords_lift_titles(db: Database) -> None:
    add(db, row("CASHIER", "不限", TIANHE, title="出纳"), row("CLERK", "不限", TIANHE, title="行政文员"))
    _remember(db)
    index = PositionIndex.build(db)
    assert _codes(index, Criteria(places=("4401",), keywords=("出纳",)))[0] == "CASHIER"
    assert _codes(index, Criteria(places=("4401",), keywords=("文员",)))[0] == "CLERK"


def test_refresh_sees_new_and_changed_rows(db: Database) -> None:
    add(db, row("A", "会计学", TIANHE))
    _remember(db)
    index = PositionIndex.build(db)
    assert _codes(index, Criteria(majors=("120203",))) == ["A"]
    assert index.refresh(db) == 0
    add(db, row("B", "会计学", TIANHE, demonstration=True))
    _remember(db)
    assert index.refresh(db) == 1
    assert _codes(index, Criteria(majors=("120203",))) == ["B", "A"]
    # an attribute change (places left) is applied in place
    change(db, "B", places_left=0)
    index.refresh(db)
    assert _codes(index, Criteria(majors=("120203",))) == ["A"]
    # a major or place change moves the position: it is found under the new one only
    with db.session() as s:
        s.query(Position).filter_by(code="A").update({"major_codes": "080902", "majors_text": "软件工程",
                                                       "county_code": "440305", "city_code": "4403",
                                                       "updated_at": utcnow()})
    index.refresh(db)
    assert _codes(index, Criteria(majors=("120203",))) == []
    assert _codes(index, Criteria(majors=("080902",), places=("440305",))) == ["A"]
    assert _codes(index, Criteria(places=("440106",))) == []
    assert index.size == 2 and index.dead == 1


def test_refresh_reads_only_recent_rows_and_catches_late_commits(db: Database) -> None:
    """Rows stamped well before the last read are not read again; a row stamped a little before it (its
    transaction committed after the read began) is."""
    add(db, row("A", "会计学", TIANHE), row("B", "会计学", TIANHE))
    change(db, "A", updated_at=utcnow() - timedelta(hours=1))
    change(db, "B", updated_at=utcnow() - timedelta(hours=1))
    _remember(db)
    index = PositionIndex.build(db)
    assert index.read_from is not None and index.watermark is not None
    assert index.refresh(db) == 0 and index.last_read == 0
    change(db, "A", places_left=0, updated_at=index.read_from - timedelta(seconds=2))
    assert index.refresh(db) == 1 and index.last_read == 1
    assert _codes(index, Criteria(majors=("120203",))) == ["B"]
    assert index.refresh(db) == 0 and index.last_read == 0  # within the margin but already seen: not fetched
    add(db, row("C", "会计学", TIANHE))
    _remember(db)
    assert index.refresh(db) == 1 and index.last_read == 1
    assert index.refresh(db) == 0 and index.last_read == 0
    assert _codes(index, Criteria(majors=("120203",))) == ["B", "C"]


def test_refresh_rebuilds_when_rows_disappear(db: Database) -> None:
    add(db, row("A", "会计学", TIANHE), row("B", "会计学", TIANHE))
    _remember(db)
    index = PositionIndex.build(db)
    with db.session() as s:
        s.execute(delete(Position).where(Position.code == "B"))
    index.refresh(db)
    assert _codes(index, Criteria(majors=("120203",))) == ["A"] and index.size == 1
    with db.session() as s:
        s.execute(delete(Position))
    index.refresh(db)
    assert index.size == 0 and index.rank(Criteria(majors=("120203",)), 5, TODAY).hits == []


def test_search_filters_and_pages(db: Database) -> None:
    add(db, row("A1", "会计学", TIANHE, title="会计助理", demonstration=True, education="本科"),
        row("A2", "会计学", TIANHE, title="出纳会计", education="大专", category="管理类"),
        row("A3", "计算机类", NANSHAN, title="软件开发"),
        row("A4", "不限", YUEXIU, title="行政助理"),
        row("A5", "会计学", YUEXIU, title="会计见习"))
    change(db, "A5", status="closed")
    _remember(db)
    index = PositionIndex.build(db)

    def codes(f: SearchFilters, page: int = 1, size: int = 10) -> tuple[int, list[str]]:
        total, ids = index.search(f, page, size, TODAY)
        return total, [_code_of[i] for i in ids]

    assert codes(SearchFilters()) == (4, ["A1", "A2", "A3", "A4"])
    assert codes(SearchFilters(), page=2, size=3) == (4, ["A4"])
    assert codes(SearchFilters(), page=3, size=3) == (4, [])
    assert codes(SearchFilters(keyword="会计")) == (2, ["A1", "A2"])
    assert codes(SearchFilters(keyword="会计", status="all"))[0] == 3
    assert codes(SearchFilters(status="closed")) == (1, ["A5"])
    assert codes(SearchFilters(place="4401")) == (3, ["A1", "A2", "A4"])
    assert codes(SearchFilters(place="440104")) == (1, ["A4"])
    assert codes(SearchFilters(major="120203")) == (2, ["A1", "A2"])
    assert codes(SearchFilters(major="080902")) == (1, ["A3"])  # the position names the whole 计算机类
    assert codes(SearchFilters(category="管理类")) == (1, ["A2"])
    # education: the person's level, so positions open to it (不限 and below) — as recommendations read it
    assert codes(SearchFilters(education="本科")) == (4, ["A1", "A2", "A3", "A4"])
    assert codes(SearchFilters(education="大专")) == (3, ["A2", "A3", "A4"])
    assert codes(SearchFilters(education="不限")) == (2, ["A3", "A4"])
    assert codes(SearchFilters(demonstration=True)) == (1, ["A1"])
    assert codes(SearchFilters(demonstration=False, place="4401", keyword="助理")) == (1, ["A4"])


def test_search_keyword_reads_titles_majors_and_unit_names(db: Database) -> None:
    add(db, row("TITLE", "不限", TIANHE, title="会计助理", unit="天河商贸有限公司"),
        row("MAJOR", "会计学、审计学", TIANHE, title="审计助理", unit="天河审计服务有限公司"),
        row("UNIT", "不限", TIANHE, title="行政文员", unit="广州明信会计师事务所"),
        row("GROUP", "工商管理类", TIANHE, title="综合助理", unit="天河综合服务有限公司"),
        row("OTHER", "软件工程", TIANHE, title="软件开发", unit="天河软件有限公司"),
        row("SZ", "会计学", NANSHAN, title="出纳", unit="南山出纳服务有限公司"))
    _remember(db)
    index = PositionIndex.build(db)

    def codes(f: SearchFilters) -> set[str]:
        return {_code_of[i] for i in index.search(f, 1, 50, TODAY)[1]}

    assert codes(SearchFilters(keyword="会计", place="4401")) == {"TITLE", "MAJOR", "UNIT"}
    assert codes(SearchFilters(keyword="会计")) == {"TITLE", "MAJOR", "UNIT", "SZ"}
    assert codes(SearchFilters(keyword="明信会计师事务所")) == {"UNIT"}  # every word of it, in one field or another
    assert codes(SearchFilters(keyword="工商管理")) == {"GROUP"}  # a whole 专业类 the position names
    assert codes(SearchFilters(keyword="软件 天河")) == {"OTHER"}
    # a unit renamed by a later import is found by its new name only
    change(db, "UNIT", unit_name="广州明信税务师事务所")
    index.refresh(db)
    assert codes(SearchFilters(keyword="会计", place="4401")) == {"TITLE", "MAJOR"}
    assert codes(SearchFilters(keyword="税务师")) == {"UNIT"}


def test_holder_builds_once_and_refreshes_at_most_every_interval(db: Database) -> None:
    holder = IndexHolder(refresh_every=3600)
    add(db, row("A", "会计学", TIANHE))
    first = holder.get(db)
    assert holder.get(db) is first and first.size == 1
    add(db, row("B", "会计学", TIANHE))
    assert holder.get(db).size == 1  # not yet: refreshed at most every refresh_every seconds
    holder.refresh_every = 0
    assert holder.get(db).size == 2
    holder.clear(db.url)
    assert holder.get(db) is not first


def test_a_large_refresh_runs_in_the_background_while_requests_use_the_current_index(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    holder = IndexHolder(refresh_every=3600)
    add(db, row("A", "会计学", TIANHE))
    _remember(db)
    index = holder.get(db)
    crit = Criteria(majors=("120203",))
    monkeypatch.setattr(PositionIndex, "LARGE_CHANGE", 0, raising=False)  # any change: a catalogue imported again
    started, release = threading.Event(), threading.Event()
    build = PositionIndex.build

    def slow_build(cls, db: Database, chunk: int = 20_000) -> PositionIndex:  # type: ignore[no-untyped-def]
        started.set()
        release.wait(10)
        return build(db, chunk)

    monkeypatch.setattr(PositionIndex, "build", classmethod(slow_build))
    add(db, row("B", "会计学", TIANHE, demonstration=True))
    _remember(db)
    holder.refresh_every = 0
    t = time.perf_counter()
    assert holder.get(db) is index
    assert time.perf_counter() - t < 1.5  # the request did not wait for the rebuild
    assert started.wait(5) and holder.refreshing(db)
    assert _codes(index, crit) == ["A"]  # answered from the current index meanwhile
    assert index.search(SearchFilters(keyword="会计"), 1, 10, TODAY)[0] == 1
    release.set()
    assert holder.wait(db, 10) and not holder.refreshing(db)
    assert _codes(index, crit) == ["B", "A"] and index.rebuilds == 1 and index.size == 2


def test_many_moved_positions_are_compacted_in_place_without_a_second_index(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    add(db, *[row(f"P{i}", "会计学", TIANHE, title=f"会计助理{i}") for i in range(6)])
    _remember(db)
    index = PositionIndex.build(db)
    monkeypatch.setattr(PositionIndex, "COMPACT_DEAD", 2)

    def no_build(cls, db: Database, chunk: int = 0) -> PositionIndex:  # type: ignore[no-untyped-def]
        raise AssertionError("compaction must not build another index")

    monkeypatch.setattr(PositionIndex, "build", classmethod(no_build))
    with db.session() as s:  # four of six move: other major, place and title
        s.query(Position).filter(Position.code.in_(["P0", "P1", "P2", "P3"])).update(
            {"major_codes": "080902", "majors_text": "软件工程", "search_tokens": "软件 开发",
             "county_code": "440305", "city_code": "4403", "updated_at": utcnow()}, synchronize_session=False)
    index.refresh(db)
    assert index.compactions == 1 and index.dead == 0 and index.n == index.size == 6
    assert set(_codes(index, Criteria(majors=("080902",), places=("440305",)))) == {"P0", "P1", "P2", "P3"}
    assert set(_codes(index, Criteria(majors=("120203",)))) == {"P4", "P5"}
    assert _codes(index, Criteria(places=("440106",))) and set(_codes(index, Criteria(places=("440106",)))) == {
        "P4", "P5"}
    assert {_code_of[i] for i in index.search(SearchFilters(keyword="软件"), 1, 10, TODAY)[1]} == {
        "P0", "P1", "P2", "P3"}
    assert all(index.cols["ids"][index._slot(pid)] == pid for pid in index.cols["ids"][: index.n])
    change(db, "P4", places_left=0)  # and it keeps refreshing after
    add(db, row("P6", "会计学", TIANHE))
    _remember(db)
    index.refresh(db)
    assert set(_codes(index, Criteria(majors=("120203",)))) == {"P5", "P6"}


def test_a_large_change_rebuilds_from_the_table(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    add(db, *[row(f"R{i}", "会计学", TIANHE) for i in range(4)])
    for i in range(4):
        change(db, f"R{i}", updated_at=utcnow() - timedelta(hours=1))  # imported a while ago
    _remember(db)
    index = PositionIndex.build(db)
    monkeypatch.setattr(PositionIndex, "LARGE_CHANGE", 2)
    with db.session() as s:
        s.query(Position).update({"major_codes": "080902", "majors_text": "软件工程", "updated_at": utcnow()},
                                 synchronize_session=False)
    index.refresh(db)
    assert index.rebuilds == 1 and index.dead == 0 and index.size == 4
    assert set(_codes(index, Criteria(majors=("080902",)))) == {"R0", "R1", "R2", "R3"}
    assert _codes(index, Criteria(majors=("120203",))) == []
    change(db, "R0", places_left=0)  # refreshed row by row again after the rebuild
    assert index.refresh(db) == 1 and index.rebuilds == 1
    assert set(_codes(index, Criteria(majors=("080902",)))) == {"R1", "R2", "R3"}


def test_keyword_lookups_follow_new_positions(db: Database) -> None:
    add(db, row("K1", "会计学", TIANHE, title="会计助理"))
    _remember(db)
    index = PositionIndex.build(db)
    assert index.search(SearchFilters(keyword="助理"), 1, 10, TODAY)[0] == 1
    add(db, row("K2", "软件工程", TIANHE, title="会计助理"))  # no new title word: the cached look-up must not hide it
    _remember(db)
    index.refresh(db)
    assert index.search(SearchFilters(keyword="助理"), 1, 10, TODAY)[0] == 2
    assert _codes(index, Criteria(places=("440106",), keywords=("助理",))) == ["K1", "K2"]
