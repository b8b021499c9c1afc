"""Recommendations with reasons, the hard place filter, alternatives and clarifying questions (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.db import Database
from bot.positions.index import PositionIndex
from bot.positions.recommend import QueryError, recommend
from tests.positions.helpers import TODAY, add, change, load_test_catalogue, row


@pytest.fixture
def catalogue(db: Database) -> Iterator[tuple[Database, PositionIndex]]:
    load_test_catalogue(db)
    yield db, PositionIndex.build(db)


def _ask(catalogue: tuple[Database, PositionIndex], text: str = "", **kw):  # type: ignore[no-untyped-def]
    db, index = catalogue
    kw.setdefault("limit", 5)
    return recommend(db, text, today=TODAY, index=index, **kw)


def test_reasons_say_why(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "学会计的，想在广州天河附近")
    assert [r.code for r in res.items[:2]] == ["GZ-KJ-01", "GZ-KJ-02"]
    first = res.items[0]
    assert first.why.startswith("专业对口：会计学 · 地点：广州市天河区")
    assert "示范岗位" in first.reasons and first.fit == "exact" and not first.alternative
    assert first.unit == "广州天河明信会计师事务所" and first.district == "天河区" and first.score > 80
    assert res.items[-1].fit == "open" and res.items[-1].why.startswith("专业不限 · 地点：广州市天河区")
    assert [m.name for m in res.majors] == ["会计学"] and [d.code for d in res.places] == ["440106"]
    assert res.notice is None and res.total == 3
    text = res.text()
    assert text.startswith("为你找到 3 个在招岗位（会计学 · 广东省广州市天河区）") and "审计助理" in text


def test_never_outside_the_place_asked(catalogue) -> None:  # type: ignore[no-untyped-def]
    for text, place in [("会计 广州", "4401"), ("会计 深圳", "4403"), ("软件 北京朝阳", "110105"),
                        ("软件工程 长春朝阳区", "220104"), ("会计 吉林市", "2202"), ("我想回河南", "41"),
                        ("会计 海口", "4601"), ("学计算机的 广州", "4401")]:
        res = _ask(catalogue, text, limit=20)
        assert [d.code for d in res.places] == [place], text
        assert all(r.place_code.startswith(place) for r in res.items), (text, [r.place_code for r in res.items])
        assert all(not r.place_code.startswith(place) for r in res.alternatives), text
    assert {r.code for r in _ask(catalogue, "会计 广州", limit=20).items} == {
        "GZ-KJ-01", "GZ-KJ-02", "GZ-KJ-03", "GZ-KJ-07", "GZ-KJ-04", "GZ-BX-01"}
    assert {r.code for r in _ask(catalogue, "软件工程 长春朝阳区").items} == {"CC-CY-01"}


def test_related_majors_rank_below_exact_and_open_below_related(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "数据科学与大数据技术 杭州西湖")
    assert [(r.code, r.fit) for r in res.items] == [("HZ-JS-02", "exact"), ("HZ-JS-01", "related"),
                                                    ("HZ-BX-01", "open")]
    assert res.items[1].reasons[0] == "相关专业：岗位要求计算机科学与技术，与数据科学与大数据技术同属计算机类"


def test_only_open_positions_with_places_left(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "会计 广东", limit=50)
    codes = {r.code for r in res.items}
    assert not codes & {"GZ-KJ-05", "GZ-KJ-06", "SZ-KJ-03", "SZ-KJ-04"}
    assert all(r.places_left > 0 for r in res.items)
    soon = next(r for r in res.items if r.code == "SZ-KJ-02")
    assert "8 天后截止（11月30日）" in soon.reasons


def test_nothing_for_the_major_there_offers_open_positions_and_nearby_alternatives(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "学计算机的 广州")
    assert [r.code for r in res.items] == ["GZ-BX-01"] and res.items[0].fit == "open"
    assert res.notice and res.notice.startswith("广东省广州市暂时没有与计算机科学与技术对口的在招岗位")
    assert [r.code for r in res.alternatives][:1] == ["SZ-JS-01"]
    assert all(r.alternative for r in res.alternatives)
    assert "不在广东省广州市，作为备选" in res.alternatives[0].why
    assert "可以考虑：" in res.text()


def test_nothing_at_all_in_a_district_widens_to_the_city(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "会计 广州黄埔")
    assert res.items == () and res.total == 0
    assert res.notice and "广州市黄埔区暂时没有适合会计学的在招岗位" in res.notice
    assert {r.code for r in res.alternatives} <= {"GZ-KJ-01", "GZ-KJ-02", "GZ-KJ-03", "GZ-KJ-07", "GZ-KJ-04"}
    assert res.alternatives[0].code == "GZ-KJ-01"


def test_education_above_the_person_is_left_out_and_said(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "本科 金融 上海")
    assert res.items == () and res.education == "本科"
    assert res.notice and "另有 1 个对口岗位要求高于本科的学历" in res.notice
    res = _ask(catalogue, "金融 上海", education="硕士")  # from the profile
    assert [r.code for r in res.items] == ["SH-JR-01"] and "学历相符：硕士" in res.items[0].reasons
    res = _ask(catalogue, "本科 金融 上海", education="硕士")  # the text wins over the profile
    assert res.items == ()


def test_ambiguous_place_asks(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "软件工程 朝阳区")
    assert res.items == () and {d.code for d in res.clarify} == {"110105", "220104"}
    assert res.notice and res.notice.startswith("“朝阳区”有2处：") and "请告诉我是哪一个" in res.notice
    assert res.text() == res.notice
    res = _ask(catalogue, major="软件工程", location="朝阳区")
    assert {d.code for d in res.clarify} == {"110105", "220104"}


def test_fields_and_errors(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, major="会计", location="广州天河")
    assert [r.code for r in res.items[:2]] == ["GZ-KJ-01", "GZ-KJ-02"]
    res = _ask(catalogue, "学会计的", location="440305")
    assert res.items[0].code == "SZ-KJ-01"
    with pytest.raises(QueryError, match="无法识别专业：火星学"):
        _ask(catalogue, major="火星学")
    with pytest.raises(QueryError, match="无法识别地区：火星"):
        _ask(catalogue, "会计", location="火星")


def test_home_region_is_a_preference(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "会计", home="440104", limit=10)  # 广州越秀 from the profile, no place named
    assert res.items[0].code == "GZ-KJ-03" and "（与你同区县）" in res.items[0].why
    assert {r.code for r in res.items[1:4]} <= {"GZ-KJ-01", "GZ-KJ-02", "GZ-KJ-07"}
    assert any(r.province != "广东省" for r in res.items)  # not a filter
    res = _ask(catalogue, "会计 深圳", home="440104")  # a place named wins over home
    assert {r.code for r in res.items} == {"SZ-KJ-01", "SZ-KJ-02"}


def test_general_request_asks_for_more(catalogue) -> None:  # type: ignore[no-untyped-def]
    res = _ask(catalogue, "有什么岗位")
    assert res.items and res.notice and res.notice.startswith("告诉我你的专业和想去的地方")


def test_demonstration_first_among_equals(db: Database) -> None:
    place = ("河南省", "郑州市", "金水区")
    add(db, row("PLAIN", "软件工程", place), row("DEMO", "软件工程", place, demonstration=True),
        row("SOON", "软件工程", place))
    change(db, "SOON", closes_on=TODAY + timedelta(days=2))
    res = recommend(db, "软件工程 郑州金水", today=TODAY, index=PositionIndex.build(db))
    assert [r.code for r in res.items] == ["DEMO", "SOON", "PLAIN"]
    assert "2 天后截止（11月24日）" in res.items[1].reasons


def test_as_dict() -> None:
    from bot.positions.recommend import Recommendation

    r = Recommendation("C", "t", "u", "管理类", "广东省", "广州市", "天河区", "不限", "不限", 1, 6, False, 30.0, 1,
                       TODAY, "open", ("专业不限", "地点：广州市天河区"))
    d = r.as_dict()
    assert d["closes_on"] == "2026-11-22" and d["why"] == "专业不限 · 地点：广州市天河区" and r.place == "广州市天河区"


def test_short_forms_of_places_keep_to_the_place(db: Database) -> None:
    add(db, row("NM-KJ-01", "会计学", ("内蒙古自治区", "呼和浩特市", "新城区")),
        row("NM-KJ-02", "会计学", ("内蒙古自治区", "包头市", "昆都仑区")),
        row("GZ-KJ-01", "会计学", ("广东省", "广州市", "天河区")),
        row("HN-KJ-01", "会计学", ("河南省", "郑州市", "金水区")))
    index = PositionIndex.build(db)
    res = recommend(db, "内蒙 会计", today=TODAY, index=index)
    assert {r.code for r in res.items} == {"NM-KJ-01", "NM-KJ-02"} and res.notice is None
    assert [d.full_name for d in res.places] == ["内蒙古自治区"]
    res = recommend(db, "呼市 会计", today=TODAY, index=index)
    assert [r.code for r in res.items] == ["NM-KJ-01"] and "地点：呼和浩特市新城区" in res.items[0].why


@pytest.mark.parametrize("text", ["香港 会计", "澳门 会计", "台湾 会计", "雄安 会计", "雄安新区 会计", "广洲市 会计"])
def test_a_place_not_in_the_divisions_is_said_not_searched_nationwide(db: Database, text: str) -> None:
    add(db, row("GZ-KJ-01", "会计学", ("广东省", "广州市", "天河区")),
        row("BD-KJ-01", "会计学", ("河北省", "保定市", "安新县")))
    res = recommend(db, text, today=TODAY, index=PositionIndex.build(db))
    assert res.items == () and res.alternatives == () and res.clarify == ()
    assert res.notice and "不在岗位目录的行政区划里" in res.notice and "请告诉我想去的省、市或区县" in res.notice
    assert res.notice.startswith("“" + res.unknown_places[0] + "”")
    assert [m.name for m in res.majors] == ["会计学"] and res.understood()["unknown_places"] == list(res.unknown_places)


def test_a_place_not_in_the_divisions_next_to_a_known_one(db: Database) -> None:
    add(db, row("GZ-KJ-01", "会计学", ("广东省", "广州市", "天河区")),
        row("SZ-KJ-01", "会计学", ("广东省", "深圳市", "南山区")))
    index = PositionIndex.build(db)
    res = recommend(db, "香港或者深圳 会计", today=TODAY, index=index)
    assert [r.code for r in res.items] == ["SZ-KJ-01"]
    assert res.notice == "“香港”不在岗位目录的行政区划里（岗位按内地的省、市、区县登记），下面只按广东省深圳市查找。"
    with pytest.raises(QueryError, match="“香港”不在岗位目录的行政区划里"):
        recommend(db, "会计", location="香港", today=TODAY, index=index)
    res = recommend(db, "香港 会计", location="深圳", today=TODAY, index=index)  # the field replaces the text's place
    assert [r.code for r in res.items] == ["SZ-KJ-01"] and res.notice is None


def test_short_name_of_several_divisions_asks(db: Database) -> None:
    add(db, row("LN-KJ-01", "会计学", ("辽宁省", "朝阳市", "双塔区")),
        row("BJ-KJ-01", "会计学", ("北京市", "北京市", "朝阳区")),
        row("BJ-KJ-02", "会计学", ("北京市", "北京市", "朝阳区")))
    res = recommend(db, "朝阳 会计", today=TODAY, index=PositionIndex.build(db))
    assert res.items == () and res.notice and res.notice.startswith("“朝阳”有3处：")
    assert [d.code for d in res.clarify] == ["110105", "2113", "220104"]  # more positions first
