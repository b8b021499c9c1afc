"""``/api/v1/positions/…``: recommendations, search and details through the real app (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.config import Settings
from bot.db import Database
from bot.positions.index import holder
from tests.positions.helpers import add, change, load_test_catalogue, row

ITEM_FIELDS = {"code", "title", "unit", "category", "province", "city", "district", "majors", "education",
               "headcount", "months", "demonstration", "score"}


@pytest.fixture
def api(settings: Settings, client: Any) -> Iterator[Any]:
    """The app over a database holding the test catalogue."""
    holder.clear()
    db = Database(settings.database_url)
    load_test_catalogue(db, with_dates=False)
    db.dispose()
    yield client
    holder.clear()


def test_recommend_free_text(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/recommend", params={"q": "学会计的，想在广州天河附近", "limit": 2})
    assert r.status_code == 200
    body = r.json()
    assert [i["code"] for i in body["items"]] == ["GZ-KJ-01", "GZ-KJ-02"]
    item = body["items"][0]
    assert ITEM_FIELDS <= set(item)
    assert item["unit"] == "广州天河明信会计师事务所" and item["district"] == "天河区" and item["city"] == "广州市"
    assert item["demonstration"] is True and item["education"] == "本科" and item["months"] == 6
    assert item["why"].startswith("专业对口：会计学 · 地点：广州市天河区") and item["reasons"][0] == "专业对口：会计学"
    assert body["items"][0]["score"] > body["items"][1]["score"]
    assert body["query"]["majors"][0]["name"] == "会计学" and body["query"]["places"][0]["code"] == "440106"
    assert body["notice"] is None and body["clarify"] == [] and body["alternatives"] == [] and body["total"] == 3


def test_recommend_fields_and_hard_place_filter(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/recommend", params={"major": "会计", "location": "深圳", "limit": 10}).json()
    assert {i["code"] for i in r["items"]} == {"SZ-KJ-01", "SZ-KJ-02", "SZ-KJ-04"}  # no closing days in this load
    assert all(i["city"] == "深圳市" for i in r["items"])
    r = api.get("/api/v1/positions/recommend", params={"q": "学计算机的 广州"}).json()
    assert [i["code"] for i in r["items"]] == ["GZ-BX-01"]
    assert r["notice"].startswith("广东省广州市暂时没有与计算机科学与技术对口的在招岗位")
    assert r["alternatives"][0]["code"] == "SZ-JS-01" and r["alternatives"][0]["alternative"] is True


def test_recommend_ambiguous_place_gives_clarify(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/recommend", params={"q": "软件工程 朝阳区"})
    assert r.status_code == 200
    body = r.json()
    assert body["items"] == [] and {c["code"] for c in body["clarify"]} == {"110105", "220104"}
    assert "请告诉我是哪一个" in body["notice"]


@pytest.mark.parametrize("q", ["香港 会计", "澳门 会计", "台湾 会计", "雄安 会计"])
def test_recommend_place_not_in_the_divisions_is_a_notice_not_positions_elsewhere(api, q) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/positions/recommend", params={"q": q}).json()
    assert body["items"] == [] and body["alternatives"] == [] and body["total"] == 0
    assert "不在岗位目录的行政区划里" in body["notice"] and "请告诉我想去的省、市或区县" in body["notice"]
    assert body["query"]["unknown_places"] == [q.split()[0]] and body["query"]["majors"][0]["name"] == "会计学"
    r = api.get("/api/v1/positions/recommend", params={"major": "会计", "location": q.split()[0]})
    assert r.status_code == 422 and "不在岗位目录的行政区划里" in r.json()["detail"]


def test_recommend_short_forms_of_places(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/positions/recommend", params={"q": "内蒙 科研助理", "limit": 50}).json()
    assert body["query"]["places"] == [{"code": "15", "name": "内蒙古自治区", "level": "province"}]
    assert body["items"] and all(i["province"] == "内蒙古自治区" for i in body["items"])
    body = api.get("/api/v1/positions/recommend", params={"q": "呼市", "limit": 50}).json()
    assert body["items"] and all(i["city"] == "呼和浩特市" for i in body["items"])
    body = api.get("/api/v1/positions/recommend", params={"q": "软件工程 朝阳"}).json()  # 朝阳市 or a 朝阳区?
    assert body["items"] == [] and {c["code"] for c in body["clarify"]} == {"2113", "110105", "220104"}


def test_recommend_only_open_with_places_left(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/recommend", params={"q": "会计 广东", "limit": 50}).json()
    codes = {i["code"] for i in r["items"]}
    assert codes and not codes & {"GZ-KJ-05", "GZ-KJ-06", "SZ-KJ-03"}
    assert all(i["places_left"] > 0 for i in r["items"])


@pytest.mark.parametrize("params,message", [
    ({}, "请至少提供"),
    ({"q": "会计", "limit": "0"}, "limit 必须是 1 到 50 之间的整数"),
    ({"q": "会计", "limit": "abc"}, "limit 必须是 1 到 50 之间的整数"),
    ({"q": "会计", "limit": "51"}, "limit 必须是 1 到 50 之间的整数"),
    ({"q": "会" * 201}, "q 不能超过 200 个字符"),
    ({"q": "会计", "major": "火星学"}, "无法识别专业：火星学"),
    ({"q": "会计", "location": "火星"}, "无法识别地区：火星"),
    ({"q": "会计", "education": "幼儿园"}, "education 应为"),
    ({"q": "   "}, "请至少提供"),
])
def test_recommend_bad_parameters_are_422_in_chinese(api, params, message) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/recommend", params=params)
    assert r.status_code == 422 and message in r.json()["detail"]


def test_search(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/search", params={"province": "广东", "major": "会计学"})
    assert r.status_code == 200
    body = r.json()
    assert body["page"] == 1 and body["size"] == 20
    codes = [i["code"] for i in body["items"]]
    assert body["total"] == len(codes) and set(codes) == {"GZ-KJ-01", "GZ-KJ-02", "GZ-KJ-03", "GZ-KJ-07", "SZ-KJ-01",
                                                          "SZ-KJ-02", "SZ-KJ-04", "ZS-KJ-01", "ZH-KJ-01"}
    assert codes[:2] == ["GZ-KJ-01", "SZ-KJ-01"]  # demonstration positions first
    r = api.get("/api/v1/positions/search", params={"city": "广州", "district": "天河", "status": "all"}).json()
    assert {i["code"] for i in r["items"]} == {"GZ-KJ-01", "GZ-KJ-02", "GZ-KJ-05", "GZ-KJ-06", "GZ-BX-01"}
    r = api.get("/api/v1/positions/search", params={"district": "长春朝阳区"}).json()
    assert {i["code"] for i in r["items"]} == {"CC-CY-01", "CC-CY-02"}
    r = api.get("/api/v1/positions/search", params={"city": "长春", "district": "朝阳区"}).json()
    assert r["total"] == 2
    r = api.get("/api/v1/positions/search", params={"city": "北京", "district": "朝阳"}).json()
    assert {i["code"] for i in r["items"]} == {"BJ-CY-01", "BJ-CY-02"}
    r = api.get("/api/v1/positions/search", params={"province": "44", "city": "4401", "district": "440106"}).json()
    assert r["total"] == 3
    r = api.get("/api/v1/positions/search", params={"keyword": "会计", "city": "北京"}).json()
    assert r["total"] == 0
    r = api.get("/api/v1/positions/search", params={"keyword": "软件", "city": "北京"}).json()
    assert {i["code"] for i in r["items"]} == {"BJ-CY-01"}
    r = api.get("/api/v1/positions/search", params={"category": "科研类", "education": "硕士",
                                                    "demonstration": "true", "province": "北京"}).json()
    assert [i["code"] for i in r["items"]] == ["BJ-HD-01"]
    first = api.get("/api/v1/positions/search", params={"size": 5, "page": 1}).json()
    second = api.get("/api/v1/positions/search", params={"size": 5, "page": 2}).json()
    assert first["total"] == second["total"] > 250 and len(first["items"]) == 5
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}
    r = api.get("/api/v1/positions/search", params={"status": "closed"}).json()
    assert {i["code"] for i in r["items"]} == {"GZ-KJ-05", "ZZ-JS-02"} and r["items"][0]["status"] == "closed"


def test_search_keyword_reads_majors_and_unit_names_and_education_is_the_persons_level(api) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/search", params={"keyword": "会计", "city": "广州", "size": 50}).json()
    codes = {i["code"] for i in r["items"]}
    assert r["total"] == len(codes) and all(i["city"] == "广州市" for i in r["items"])
    assert "GZ-KJ-02" in codes  # 会计助理: the title
    assert "GZ-KJ-01" in codes  # 审计助理 at 广州天河明信会计师事务所, for 会计学、审计学: the unit and the majors
    assert "GZ-KJ-03" in codes  # 出纳见习 for 会计学: the majors only
    assert "GZ-JR-01" not in codes  # 投资分析助理 for 金融学、经济学
    r = api.get("/api/v1/positions/search", params={"keyword": "明信", "status": "all"}).json()
    assert [i["code"] for i in r["items"]] == ["GZ-KJ-01"]  # the unit's name only
    # education= is the person's level: 本科 sees positions asking 不限, 大专 or 本科, never 硕士
    bachelor = api.get("/api/v1/positions/search", params={"city": "广州", "education": "本科", "size": 50}).json()
    levels = {i["education"] for i in bachelor["items"]}
    assert {"本科", "大专", "不限"} <= levels and "硕士" not in levels
    college = api.get("/api/v1/positions/search", params={"city": "广州", "education": "大专", "size": 50}).json()
    assert {i["education"] for i in college["items"]} <= {"大专", "不限", "中专"} and college["total"] < bachelor["total"]


@pytest.mark.parametrize("params,message", [
    ({"province": "火星"}, "无法识别省份：火星"),
    ({"district": "朝阳区"}, "区县不明确"),
    ({"province": "广东", "city": "长春"}, "城市“长春”不在广东省"),
    ({"city": "深圳", "district": "440106"}, "区县“440106”不在广东省深圳市"),
    ({"district": "火星区"}, "无法识别区县：火星区"),
    ({"major": "火星学"}, "无法识别专业"),
    ({"category": "娱乐类"}, "category 应为"),
    ({"education": "小学"}, "education 应为"),
    ({"demonstration": "maybe"}, "demonstration 应为"),
    ({"status": "gone"}, "status 应为"),
    ({"page": "0"}, "page 必须是"),
    ({"size": "101"}, "size 必须是 1 到 100 之间的整数"),
    ({"size": "x"}, "size 必须是"),
    ({"keyword": "字" * 51}, "keyword 不能超过 50 个字符"),
])
def test_search_bad_parameters_are_422_in_chinese(api, params, message) -> None:  # type: ignore[no-untyped-def]
    r = api.get("/api/v1/positions/search", params=params)
    assert r.status_code == 422 and message in r.json()["detail"]


def test_position_detail(api, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    from bot.privacy import Vault

    db = Database(settings.database_url)
    change(db, "GZ-KJ-01", contact_phone_enc=Vault(settings.secret_key).encrypt("13812345678"))
    db.dispose()
    r = api.get("/api/v1/positions/GZ-KJ-01")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "GZ-KJ-01" and body["title"] == "审计助理" and body["place"] == "广州市天河区"
    assert body["contact_phone"] == "138****5678" and body["description"]
    assert body["status"] == "open" and body["places_left"] == 3
    r = api.get("/api/v1/positions/NOPE-1")
    assert r.status_code == 404 and r.json()["detail"] == "未找到岗位：NOPE-1"
    assert api.get("/api/v1/positions/" + "X" * 33).status_code == 422


def test_recommend_follows_the_database(api, settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Imports run in another process: the index picks up new and changed rows on its next refresh."""
    params = {"q": "软件工程 郑州金水"}
    before = api.get("/api/v1/positions/recommend", params=params).json()
    assert [i["code"] for i in before["items"]] == ["ZZ-JS-01"]  # related (计算机科学与技术)
    db = Database(settings.database_url)
    add(db, row("NEW-RJ-01", "软件工程", ("河南省", "郑州市", "金水区"), title="软件开发"))
    change(db, "ZZ-JS-01", status="full", places_left=0)
    db.dispose()
    monkeypatch.setattr(holder, "refresh_every", 0.0)
    after = api.get("/api/v1/positions/recommend", params=params).json()
    assert [i["code"] for i in after["items"]] == ["NEW-RJ-01"] and after["items"][0]["fit"] == "exact"
