"""The admin API for units, positions and claims with real tokens: bad input 422, forbidden steps 409, another
region 404, phones masked, and the unit contact told (stand-in WeChat API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.admin_auth import issue_official_token
from bot.config import Settings
from bot.models import Position, SubsidyClaim, Unit, User
from bot.validators import credit_check_char

ADMIN = "operator-token-0123456789"
CREDIT = "91430104MA4L0XQ12" + credit_check_char("91430104MA4L0XQ12")


@pytest.fixture
def api(settings: Settings) -> Any:
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"admin_token": ADMIN}))
    with TestClient(app) as c:
        yield c
    app.state.services.db.dispose()


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _unit_body(**over: Any) -> dict[str, Any]:
    body = {"name": "长沙岳麓湘江人力资源服务有限公司", "credit_code": CREDIT, "region": "430104", "contact_name": "王芳",
            "contact_phone": "13912345678", "insured_headcount": 45, "registered_on": "2018-05-01", "wants_base": True}
    body.update(over)
    return body


def test_units_register_review_and_scope(api, standin) -> None:
    services = api.app.state.services
    assert api.get("/api/v1/admin/units").status_code == 401
    bad = api.post("/api/v1/admin/units", json=_unit_body(credit_code=CREDIT[:-1] + "0" if CREDIT[-1] != "0"
                                                          else CREDIT[:-1] + "1"), headers=_h(ADMIN))
    assert bad.status_code == 422 and "校验不通过" in bad.json()["detail"]
    assert api.post("/api/v1/admin/units", json=_unit_body(contact_phone="1391234567"),
                    headers=_h(ADMIN)).status_code == 422
    assert api.post("/api/v1/admin/units", json=_unit_body(insured_headcount="many"),
                    headers=_h(ADMIN)).status_code == 422
    assert api.post("/api/v1/admin/units", json=_unit_body(registered_on="2099-01-01"),
                    headers=_h(ADMIN)).status_code == 422
    assert api.post("/api/v1/admin/units", json=[1], headers=_h(ADMIN)).status_code == 422
    created = api.post("/api/v1/admin/units", json=_unit_body(), headers=_h(ADMIN))
    assert created.status_code == 201, created.text
    unit = created.json()
    assert unit["contact_phone"] == "139****5678" and unit["status"] == "pending" and "30人以上" in unit["criteria"]
    assert api.post("/api/v1/admin/units", json=_unit_body(), headers=_h(ADMIN)).status_code == 409  # same code

    henan = issue_official_token(services, "河南省", "41")
    changsha = issue_official_token(services, "长沙市", "4301")
    assert api.get(f"/api/v1/admin/units/{unit['id']}", headers=_h(henan)).status_code == 404
    assert api.get("/api/v1/admin/units", headers=_h(henan)).json()["total"] == 0
    assert api.post("/api/v1/admin/units", json=_unit_body(credit_code="91430104MA4L0XQ22" + credit_check_char(
        "91430104MA4L0XQ22")), headers=_h(henan)).status_code == 403
    assert api.get("/api/v1/admin/units?status=pending", headers=_h(changsha)).json()["total"] == 1
    assert api.get("/api/v1/admin/units?status=nope", headers=_h(changsha)).status_code == 422
    review = f"/api/v1/admin/units/{unit['id']}/review"
    assert api.post(review, json={"action": "refuse"}, headers=_h(changsha)).status_code == 422  # a reason
    assert api.post(review, json={"action": "maybe"}, headers=_h(changsha)).status_code == 422
    approved = api.post(review, json={"action": "approve"}, headers=_h(changsha))
    assert approved.status_code == 200 and approved.json()["is_base"] and approved.json()["base_valid_until"]
    assert api.post(review, json={"action": "approve"}, headers=_h(changsha)).status_code == 409


def test_positions_and_claims_review(api, standin) -> None:
    services = api.app.state.services
    with services.db.session() as s:
        s.add(User(openid="o_unit_api", role="unit"))
        unit = Unit(name="呼和浩特测试单位", province_code="15", city_code="1501", county_code="150102",
                    contact_openid="o_unit_api", status="approved")
        s.add(unit)
        s.flush()
        s.add(Position(code="U9-001", unit_id=unit.id, unit_name=unit.name, title="行政助理", category="管理类",
                       province_code="15", province="内蒙古自治区", city_code="1501", city="呼和浩特市",
                       county_code="150102", district="新城区", status="pending"))
        s.add(SubsidyClaim(unit_id=unit.id, month="2026-10", region_code="150102", total=Decimal("2380.00"),
                           lines=[{"text": "张三：出勤22天", "amount": "1190.00"}], notes="依据：内人社办发〔2023〕118号"))
    inner = issue_official_token(services, "内蒙古", "15")
    henan = issue_official_token(services, "河南省", "41")
    pending = api.get("/api/v1/admin/positions", headers=_h(inner)).json()
    assert [p["code"] for p in pending["items"]] == ["U9-001"]
    assert api.get("/api/v1/admin/positions", headers=_h(henan)).json()["total"] == 0
    assert api.get("/api/v1/positions/U9-001").status_code == 404  # not public while under review
    assert api.post("/api/v1/admin/positions/U9-001/review", json={"action": "approve"},
                    headers=_h(henan)).status_code == 404
    ok = api.post("/api/v1/admin/positions/U9-001/review", json={"action": "approve"}, headers=_h(inner))
    assert ok.status_code == 200 and ok.json()["status"] == "open" and ok.json()["notified"]
    assert api.get("/api/v1/positions/U9-001").status_code == 200
    assert api.post("/api/v1/admin/positions/U9-001/review", json={"action": "reject", "reason": "x"},
                    headers=_h(inner)).status_code == 409

    assert api.get("/api/v1/admin/claims?month=2026-13", headers=_h(inner)).status_code == 422
    listed = api.get("/api/v1/admin/claims?month=2026-10", headers=_h(inner)).json()
    assert listed["total"] == 1 and listed["items"][0]["total"] == "2380.00"
    claim_id = listed["items"][0]["id"]
    assert api.get(f"/api/v1/admin/claims/{claim_id}", headers=_h(henan)).status_code == 404
    review = f"/api/v1/admin/claims/{claim_id}/review"
    assert api.post(review, json={"action": "pay"}, headers=_h(inner)).status_code == 409  # approve first
    assert api.post(review, json={"action": "reject"}, headers=_h(inner)).status_code == 422  # a reason
    assert api.post(review, json={"action": "approve"}, headers=_h(inner)).json()["status"] == "approved"
    paid = api.post(review, json={"action": "pay"}, headers=_h(inner)).json()
    assert paid["status"] == "paid" and paid["paid_at"] and paid["lines"]
    told = [m["payload"]["text"]["content"] for m in standin.messages("o_unit_api")]
    assert any("已通过审核" in t for t in told) and any("已拨付" in t for t in told)


def test_attendance_sheet_upload(api) -> None:
    import io
    from datetime import date as day

    from openpyxl import Workbook

    from bot.models import Application, Attendance

    services = api.app.state.services
    with services.db.session() as s:
        unit = Unit(name="呼和浩特考勤单位", province_code="15", city_code="1501", county_code="150102", status="approved")
        s.add(unit)
        s.flush()
        for name in ("张三", "李四"):
            s.add(Application(openid=f"o_{name}_sheet", position_id=1, position_code="X-1", unit_id=unit.id,
                              region_code="150102", status="on_internship", applicant_name=name,
                              starts_on=day(2026, 9, 1), ends_on=day(2027, 2, 28)))
        unit_id = unit.id
    inner = issue_official_token(services, "内蒙古", "15")
    url = f"/api/v1/admin/units/{unit_id}/attendance"
    csv_bad = "姓名,月份,出勤天数\n张三,2026-10,22\n李四,,20\n".encode()
    r = api.post(url, content=csv_bad, headers=_h(inner))
    assert r.status_code == 422 and "第 3 行" in r.json()["detail"]["problems"][0]
    over = api.post(url, content="姓名,月份,出勤天数\n张三,2026-10,32\n".encode(), headers=_h(inner))
    assert over.status_code == 422 and "超过了" in " ".join(over.json()["detail"]["problems"])
    # Each bad row is named by its row number and the name in it, in a sheet's words (not a chat command's).
    rows = "姓名,月份,出勤天数\n张三,2026-10,22\n王五,2026-10,20\n李四,2026-10,很多\n李四,2026-11,40\n".encode()
    r = api.post(url, content=rows, headers=_h(inner))
    problems = r.json()["detail"]["problems"]
    assert r.status_code == 422 and problems[0].startswith("第 3 行：") and "王五" in problems[0]
    assert problems[1].startswith("第 4 行：李四") and "很多" in problems[1]
    assert not any(word in " ".join(problems) + r.json()["detail"]["message"] for word in ("发送", "考勤 2026", "回复"))
    assert api.post(url, content=b"a,b\n1,2\n", headers=_h(inner)).status_code == 422
    assert api.post(url, content=b"", headers=_h(inner)).status_code == 422
    henan = issue_official_token(services, "河南省", "41")
    assert api.post(url, content="姓名,月份,出勤天数\n张三,2026-10,22\n".encode(), headers=_h(henan)).status_code == 404
    book = Workbook()
    sheet = book.active
    for row in (("姓名", "月份", "出勤天数"), ("张三", "2026-10", 22), ("李四", "2026-10", 21)):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    ok = api.post(url, content=data.getvalue(), headers=_h(inner))
    assert ok.status_code == 200, ok.text
    assert sorted((x["name"], x["days"]) for x in ok.json()["saved"]) == [("张三", 22), ("李四", 21)]
    with services.db.session() as s:
        assert s.query(Attendance).count() == 2


@pytest.mark.parametrize("path", ["/api/v1/admin/units", "/api/v1/admin/units/1/review", "/api/v1/admin/claims/1/review",
                                  "/api/v1/admin/applications/1/review", "/api/v1/admin/events"])
def test_a_body_that_is_not_json_is_a_422_in_chinese(api, path: str) -> None:
    broken = api.post(path, content=b"{action: approve", headers={**_h(ADMIN), "Content-Type": "application/json"})
    assert broken.status_code == 422 and "不是有效的 JSON" in broken.json()["detail"]
    assert broken.json()["errors"][0]["type"] == "json_invalid"  # FastAPI's own list, for programs
    empty = api.post(path, content=b"", headers={**_h(ADMIN), "Content-Type": "application/json"})
    assert empty.status_code == 422 and any("\u4e00" <= ch <= "\u9fff" for ch in str(empty.json()["detail"]))


def test_an_official_sets_a_units_wage_tier(api, standin) -> None:
    services = api.app.state.services
    with services.db.session() as s:
        s.add(User(openid="o_unit_tier", role="unit"))
        unit = Unit(name="郑州金水档次测试单位", province_code="41", city_code="4101", county_code="410105",
                    contact_openid="o_unit_tier", status="approved")
        s.add(unit)
        s.flush()
        unit_id = unit.id
    henan = issue_official_token(services, "河南省", "41")
    inner = issue_official_token(services, "内蒙古", "15")
    url = f"/api/v1/admin/units/{unit_id}/wage-tier"
    assert api.post(url, json={"tier": "二类"}, headers=_h(inner)).status_code == 404  # another region
    assert api.post(url, json={"tier": "五类"}, headers=_h(henan)).status_code == 422
    assert api.post(url, json={}, headers=_h(henan)).status_code == 422
    r = api.post(url, json={"tier": "3"}, headers=_h(henan))
    assert r.status_code == 200, r.text
    item = r.json()
    assert item["wage_tier"] == "三类" and item["wage_tier_by"] == "official:河南省" and item["notified"]
    assert item["wage"]["label"] == "河南省三类地区" and item["wage"]["monthly_yuan"] == "2000"
    assert "河南省三类地区" in standin.messages("o_unit_tier")[-1]["payload"]["text"]["content"]
    assert api.get(f"/api/v1/admin/units/{unit_id}", headers=_h(henan)).json()["wage_tier"] == "三类"
