"""找岗位 in chat, through the real webhook, on SQLite and PostgreSQL: asking what is missing, remembering it,
pages with 更多, one position with 岗位 编号, and the hand-over to 报名."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.models import Position, User
from bot.positions.index import holder
from tests.positions.helpers import add, load_test_catalogue, row

CODE = re.compile(r"（([A-Z]{2,3}-[A-Z0-9]+-?\d*)）")


@pytest.fixture(autouse=True)
def _fresh_indexes():  # type: ignore[no-untyped-def]
    holder.clear()
    yield
    holder.clear()


def _db(client):  # type: ignore[no-untyped-def]
    return client.app.state.services.db


def _codes(reply: str) -> list[str]:
    return CODE.findall(reply)


def _places(client, codes: list[str]) -> dict[str, tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    with _db(client).session() as s:
        rows = s.execute(select(Position.code, Position.province, Position.city, Position.district)
                         .where(Position.code.in_(codes)))
        return {c: (p, ci, d) for c, p, ci, d in rows}


def test_menu_asks_major_and_place_then_remembers_them(wechat_user, client) -> None:
    load_test_catalogue(_db(client), with_dates=False)
    u = wechat_user
    first = u.click("FIND_POSITIONS")
    assert "专业" in first and "1/2" in first
    hint = u.say("123")
    assert "没有认出这个专业" in hint and "专业" in hint  # re-asked, nothing lost
    assert "想在哪里见习" in u.say("会记")  # a typo of 会计
    assert "没有找到这个地方" in u.say("火星")
    listed = u.say("广州天河")
    assert "专业：会计学" in listed and "广州市天河区" in listed
    codes = _codes(listed)
    assert codes and codes[0] == "GZ-KJ-01"  # the demonstration position with an exact major first
    assert all(d == "天河区" for _, _, d in _places(client, codes).values())  # the place is a hard filter
    assert "专业对口：会计学" in listed and "岗位 编号" in listed and "报名 编号" in listed
    with _db(client).session() as s:
        assert s.scalar(select(User.major).where(User.openid == u.openid)) == "会计学"  # kept in the profile
    again = u.say("找岗位")  # remembered: nothing asked again
    assert "1/2" not in again and _codes(again) == codes


def test_free_text_requests_and_follow_ups(wechat_user, client) -> None:
    load_test_catalogue(_db(client), with_dates=False)
    u = wechat_user
    zz = u.say("计算机 郑州")
    assert "计算机科学与技术" in zz and "郑州市" in zz
    assert set(_places(client, _codes(zz))) == set(_codes(zz))
    assert all(ci == "郑州市" for _, ci, _ in _places(client, _codes(zz)).values())
    henan = u.say("我想回河南")  # the major is remembered, the place widens to the province
    assert "地点：河南省" in henan
    assert all(p == "河南省" for p, _, _ in _places(client, _codes(henan)).values())
    assert len(_codes(henan)) >= len(_codes(zz))
    beijing = u.say("那北京呢？")  # after a search, a bare place is the same search elsewhere
    assert "北京" in beijing
    assert all(p == "北京市" for p, _, _ in _places(client, _codes(beijing)).values())


def test_ambiguous_place_is_asked_and_answered_by_name(wechat_user, client) -> None:
    load_test_catalogue(_db(client), with_dates=False)
    u = wechat_user
    question = u.say("找岗位 计算机 朝阳区")
    assert "北京市朝阳区" in question and "长春市朝阳区" in question
    listed = u.say("北京")
    assert _codes(listed)
    assert all(d == "朝阳区" and p == "北京市" for p, _, d in _places(client, _codes(listed)).values())


def test_more_pages_on_and_ends(wechat_user, client) -> None:
    db = _db(client)
    add(db, *[row(f"TH-{i:03d}", title=f"会计助理{i}") for i in range(12)])
    u = wechat_user
    first = u.say("学会计的，想在广州天河附近")
    page1 = _codes(first)
    assert len(page1) == 5 and "为你找到 12 个" in first and "更多" in first
    second = u.say("更多")
    page2 = _codes(second)
    assert len(page2) == 5 and not set(page1) & set(page2) and "第 2 页" in second
    third = _codes(u.say("更多"))
    assert len(third) == 2 and not (set(page1) | set(page2)) & set(third)
    assert len(set(page1 + page2 + third)) == 12  # every position, once
    assert "没有" in u.say("更多")


def test_detail_masks_the_phone_and_hands_over_to_sign_up(wechat_user, client) -> None:
    load_test_catalogue(_db(client), with_dates=False)
    u = wechat_user
    detail = u.say("岗位 gz-kj-01")  # case does not matter
    assert "审计助理" in detail and "GZ-KJ-01" in detail and "会计学、审计学" in detail
    assert "020-12345678" not in detail and "020****5678" in detail
    assert "报名 GZ-KJ-01" in detail
    assert "没有找到岗位编号" in u.say("岗位 XX-999")
    signup = u.say("报名 GZ-KJ-01")
    assert "审计助理" in signup and "姓名" in signup  # the sign-up form took over
    assert "已取消" in u.say("取消")


def test_nothing_in_the_place_says_so_and_offers_nearby(wechat_user, client) -> None:
    db = _db(client)
    add(db, row("YX-001", place=("广东省", "广州市", "越秀区")), row("SZ-001", place=("广东省", "深圳市", "南山区")))
    u = wechat_user
    reply = u.say("会计 广州天河")
    assert "暂时没有" in reply and "YX-001" in reply  # the same city's position, marked as nearby
    assert "SZ-001" not in reply  # never Shenzhen for someone who asked for Guangzhou's Tianhe


BJ_CY = ("北京市", "北京市", "朝阳区")
CC_CY = ("吉林省", "长春市", "朝阳区")


def _chaoyang(client) -> None:  # type: ignore[no-untyped-def]
    add(_db(client), row("BJ-KJ-01", "会计学", BJ_CY, title="会计助理"), row("BJ-KJ-02", "会计学", BJ_CY, title="出纳"),
        row("BJ-RJ-01", "软件工程", BJ_CY, title="软件开发"), row("BJ-BX-01", "不限", BJ_CY, title="行政助理"),
        row("CC-KJ-01", "会计学", CC_CY, title="会计助理"), row("LN-KJ-01", "会计学", ("辽宁省", "朝阳市", "双塔区")))


@pytest.mark.parametrize("answer", ["1", "北京", "北京市朝阳区"])
def test_the_major_said_with_an_ambiguous_place_survives_the_question(wechat_user, client, answer) -> None:
    _chaoyang(client)
    u = wechat_user
    question = u.say("朝阳区 会计")
    assert "1. 北京市朝阳区" in question and "长春市朝阳区" in question
    listed = u.say(answer)
    codes = _codes(listed)
    assert codes[:2] and set(codes[:2]) == {"BJ-KJ-01", "BJ-KJ-02"}  # 会计 first, not 专业不限
    assert all(p == "北京市" and d == "朝阳区" for p, _, d in _places(client, codes).values())
    assert listed.count("专业对口：会计学") == 2 and "专业：会计学" in listed and "BJ-RJ-01" not in listed
    assert "地点：北京市朝阳区" in listed


def test_a_short_name_of_several_places_is_asked_too(wechat_user, client) -> None:
    _chaoyang(client)
    u = wechat_user
    question = u.say("朝阳 会计")  # 辽宁省朝阳市, and the short name of 北京 and 长春's 朝阳区: asked, not guessed
    assert "“朝阳”有3处" in question and "辽宁省朝阳市" in question and "北京市朝阳区" in question
    listed = u.say("辽宁")
    assert _codes(listed) == ["LN-KJ-01"] and "专业对口：会计学" in listed


def test_short_forms_and_places_not_in_the_divisions(wechat_user, client) -> None:
    db = _db(client)
    add(db, row("NM-KJ-01", "会计学", ("内蒙古自治区", "呼和浩特市", "新城区")),
        row("SZ-KJ-01", "会计学", ("广东省", "深圳市", "南山区")), row("GZ-KJ-01", "会计学"))
    u = wechat_user
    nm = u.say("内蒙 会计")
    assert _codes(nm) == ["NM-KJ-01"] and "内蒙古自治区" in nm
    hk = u.say("香港 会计")
    assert "“香港”不在岗位目录的行政区划里" in hk and "想在哪里见习" in hk and not _codes(hk)
    assert "不在岗位目录的行政区划里" in u.say("澳门")  # answered again with another such place: said again
    listed = u.say("深圳")
    assert _codes(listed) == ["SZ-KJ-01"] and "专业对口：会计学" in listed


def test_a_long_list_pages_between_positions_never_inside_one(wechat_user, client) -> None:
    from bot.conversation.paging import WECHAT_TEXT_LIMIT, utf8_len

    db = _db(client)
    unit = "广州市天河区珠江新城现代服务业综合发展研究中心有限公司第{}分公司"
    add(db, *[row(f"TH-BX-{i:02d}", "不限", unit=unit.format(i), title=f"综合行政事务助理见习岗位{i}")
              for i in range(6)],
        *[row(f"YX-KJ-{i:02d}", "会计学、审计学、财务管理、税收学、资产评估", ("广东省", "广州市", "越秀区"),
              unit=unit.format(i + 10), title=f"财务会计核算助理见习岗位{i}") for i in range(6)])
    u = wechat_user
    pages = [u.say("会计 广州天河")]
    assert "第 1/" in pages[0]
    while "完）" not in pages[-1]:
        pages.append(u.say("更多"))
        assert len(pages) < 6
    assert len(pages) >= 2
    seen: list[str] = []
    for page in pages:
        assert utf8_len(page) <= WECHAT_TEXT_LIMIT
        lines = page.split("\n")
        for i, line in enumerate(lines):
            if re.match(r"^\d+\. ", line):  # a position: its unit and its reasons on the same page
                assert lines[i + 1].startswith("   ") and "｜" in lines[i + 1], page
                assert lines[i + 2].startswith("   ") and "剩余名额" in lines[i + 2], page
                seen += _codes(line)
            else:
                assert not line.startswith("   ") or re.match(r"^\d+\. ", lines[i - 1]) or lines[i - 1].startswith(
                    "   "), page
        assert not lines[0].startswith("   "), page  # no page begins inside a position
    assert len(seen) == 10 and len(set(seen)) == 10
