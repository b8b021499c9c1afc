"""The admin API for host units and the positions they publish, on SQLite and PostgreSQL: odd input of every
kind is a 4xx with a Chinese message (never a 500), phones are masked and never stored in the clear, a refusal
reaches the unit, a 见习基地 is valid for the notice's three years, and a pending position is nowhere public."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.api.admin_auth import issue_official_token
from bot.config import Settings
from bot.models import Position, Unit, User
from bot.positions.index import holder
from bot.units.service import publish, years_later
from bot.validators import credit_check_char
from tests.signup_helpers import everything_stored

ADMIN = "operator-token-0123456789"
H = {"Authorization": f"Bearer {ADMIN}"}
CREDIT = "91430104MA4L0XQ12" + credit_check_char("91430104MA4L0XQ12")
PHONE = "13912345678"


@pytest.fixture
def api(settings: Settings) -> Any:
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"admin_token": ADMIN}))
    with TestClient(app, raise_server_exceptions=False) as c:  # a 500 shows as a 500, not as an exception
        yield c
    app.state.services.db.dispose()


def _body(**over: Any) -> dict[str, Any]:
    body = {"name": "长沙岳麓湘江人力资源服务有限公司", "credit_code": CREDIT, "region": "430104", "contact_name": "王芳",
            "contact_phone": PHONE, "insured_headcount": 45, "registered_on": "2018-05-01", "wants_base": True}
    body.update(over)
    return body


BAD_BODIES = [
    ({"name": None}, "缺少 name"), ({"name": 123}, "单位全称"), ({"name": {"a": 1}}, "单位全称"),
    ({"name": "长沙\x00岳麓湘江人力资源服务有限公司"}, "控制字符"),
    ({"credit_code": CREDIT[:-1]}, "18 位"), ({"credit_code": "\x00" * 18}, "控制字符"),
    ({"credit_code": CREDIT[:-1] + ("1" if CREDIT[-1] != "1" else "2")}, "校验不通过"),
    ({"region": None}, "region"), ({"region": "朝阳区"}, "明确的地区"), ({"region": "x" * 10_000}, "region"),
    ({"contact_name": ""}, "缺少 contact_name"), ({"contact_phone": "1391234567"}, "11 位"),
    ({"contact_phone": ["1"]}, "contact_phone"), ({"contact_phone": "23912345678"}, "contact_phone"),
    ({"insured_headcount": "45"}, "参保人数"), ({"insured_headcount": True}, "参保人数"),
    ({"insured_headcount": 4.5}, "参保人数"), ({"insured_headcount": 0}, "参保人数"),
    ({"registered_on": "2018-02-30"}, "YYYY-MM-DD"), ({"registered_on": "2999-01-01"}, "不晚于今天"),
    ({"registered_on": None}, "registered_on"), ({"wants_base": "false"}, "true 或 false"),
    ({"wants_base": 1}, "true 或 false"),
]


@pytest.mark.parametrize(("over", "fragment"), BAD_BODIES, ids=[str(i) for i in range(len(BAD_BODIES))])
def test_bad_registrations_are_422_with_a_chinese_message(api, over: dict[str, Any], fragment: str) -> None:
    r = api.post("/api/v1/admin/units", json=_body(**over), headers=H)
    assert r.status_code == 422, r.text
    assert fragment in r.json()["detail"]
    assert api.get("/api/v1/admin/units", headers=H).json()["total"] == 0  # nothing half-saved


@pytest.mark.parametrize("body", [[1], "text", None, 5])
def test_a_body_that_is_not_an_object(api, body: Any) -> None:
    assert api.post("/api/v1/admin/units", json=body, headers=H).status_code == 422


@pytest.mark.parametrize("ref", ["99999999999999999999999", "2147483648", "²", "0", "-1", "abc", "%00"])
def test_odd_unit_ids_are_404(api, ref: str) -> None:
    assert api.get(f"/api/v1/admin/units/{ref}", headers=H).status_code == 404
    assert api.post(f"/api/v1/admin/units/{ref}/review", json={"action": "approve"}, headers=H).status_code == 404


@pytest.mark.parametrize("code", ["%00", "U1-%00", "x" * 40, "U999-001"])
def test_odd_position_codes_are_404(api, code: str) -> None:
    r = api.post(f"/api/v1/admin/positions/{code}/review", json={"action": "approve"}, headers=H)
    assert r.status_code == 404 and r.json()["detail"] == "没有找到这个岗位"


def test_register_mask_refuse_and_tell(api, standin) -> None:
    services = api.app.state.services
    created = api.post("/api/v1/admin/units", json=_body(wants_base=False), headers=H)
    assert created.status_code == 201, created.text
    unit = created.json()
    assert unit["contact_phone"] == "139****5678" and unit["wants_base"] is False and unit["status"] == "pending"
    assert unit["status_label"] == "待审核" and "30人以上" not in unit["criteria"]  # a base's numbers only
    assert "未列出见习单位的数量条件" in unit["criteria"]
    assert PHONE not in created.text and PHONE not in everything_stored(services.db)
    listed = api.get("/api/v1/admin/units", headers=H).json()
    assert listed["total"] == 1 and listed["items"][0]["contact_phone"] == "139****5678"
    assert PHONE not in api.get(f"/api/v1/admin/units/{unit['id']}", headers=H).text
    with services.db.session() as s:  # the contact binds their WeChat later (see the chat tests)
        s.add(User(openid="o_unit_refused", role="unit"))
        s.get(Unit, unit["id"]).contact_openid = "o_unit_refused"

    review = f"/api/v1/admin/units/{unit['id']}/review"
    r = api.post(review, json={"action": "refuse", "reason": "营业执照\x00已过期"}, headers=H)
    assert r.status_code == 422 and "控制字符" in r.json()["detail"]
    assert api.post(review, json={"action": "refuse", "reason": "   "}, headers=H).status_code == 422
    refused = api.post(review, json={"action": "refuse", "reason": "营业执照已过期"}, headers=H)
    assert refused.status_code == 200 and refused.json()["notified"] is True
    assert refused.json()["status"] == "refused" and refused.json()["review_reason"] == "营业执照已过期"
    told = standin.messages("o_unit_refused")[-1]["payload"]["text"]["content"]
    assert "未通过" in told and "营业执照已过期" in told and PHONE not in told
    again = api.post(review, json={"action": "approve"}, headers=H)
    assert again.status_code == 409 and "不能再审核" in again.json()["detail"]
    assert api.get("/api/v1/admin/units?status=refused", headers=H).json()["total"] == 1
    assert api.get("/api/v1/admin/units?status=pending", headers=H).json()["total"] == 0


def test_a_base_is_valid_three_years_from_approval(api) -> None:
    services = api.app.state.services
    unit = api.post("/api/v1/admin/units", json=_body(), headers=H).json()
    assert "长人社规〔2024〕4号" in unit["criteria"] and "有效期3年" in unit["criteria"]
    changsha = issue_official_token(services, "长沙市", "4301")
    approved = api.post(f"/api/v1/admin/units/{unit['id']}/review", json={"action": "approve"},
                        headers={"Authorization": f"Bearer {changsha}"}).json()
    today = services.clock().date()
    assert approved["is_base"] and approved["base_valid_until"] == years_later(today, 3).isoformat()
    assert approved["notified"] is False  # registered on its behalf: no WeChat contact to tell yet


@pytest.fixture
def fresh_index(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The process-wide position index, rebuilt for this test and refreshed before every query."""
    holder.clear()
    monkeypatch.setattr(holder, "refresh_every", 0.0)
    yield
    holder.clear()


def test_a_pending_position_is_nowhere_public(api, fresh_index) -> None:
    services = api.app.state.services
    with services.db.session() as s:
        unit = Unit(name="长沙岳麓湘江人力资源服务有限公司", province_code="43", city_code="4301", county_code="430104",
                    status="approved")
        s.add(unit)
        s.flush()
        publish(s, unit, title="招聘专员助理", category="管理类", majors="人力资源管理", education="本科", headcount=2,
                months=6, description="协助招聘")
        code = f"U{unit.id}-001"

    def public() -> list[list[str]]:
        return [[i["code"] for i in api.get(url).json()["items"]] for url in (
            "/api/v1/positions/search?keyword=招聘专员助理", "/api/v1/positions/search?keyword=招聘专员助理&status=all",
            "/api/v1/positions/recommend?q=人力资源管理 长沙岳麓区")]

    assert api.get(f"/api/v1/positions/{code}").status_code == 404
    assert all(code not in found for found in public())
    pending = api.get("/api/v1/admin/positions?status=pending", headers=H).json()
    assert [p["code"] for p in pending["items"]] == [code] and pending["items"][0]["status_label"] == "待审核"
    assert api.get("/api/v1/admin/positions?status=nope", headers=H).status_code == 422
    review = f"/api/v1/admin/positions/{code}/review"
    assert api.post(review, json={"action": "reject"}, headers=H).status_code == 422  # a reason is needed
    assert api.post(review, json={"action": "approve"}, headers=H).json()["status"] == "open"
    assert api.get(f"/api/v1/positions/{code}").status_code == 200
    assert all(code in found for found in public())
    assert api.post(review, json={"action": "approve"}, headers=H).status_code == 409
    with services.db.session() as s:
        assert s.scalar(select(Position.opens_on).where(Position.code == code)) == services.clock().date()


def test_a_refused_unit_is_registered_again_only_in_its_region(api) -> None:
    services = api.app.state.services
    unit = api.post("/api/v1/admin/units", json=_body(insured_headcount=12), headers=H).json()
    henan = {"Authorization": f"Bearer {issue_official_token(services, '河南省', '41')}"}
    assert api.post(f"/api/v1/admin/units/{unit['id']}/review", json={"action": "refuse", "reason": "参保人数不足"},
                    headers=H).status_code == 200
    moved = api.post("/api/v1/admin/units", json=_body(region="410105"), headers=henan)
    assert moved.status_code == 409 and "已经申报过" in moved.json()["detail"]
    again = api.post("/api/v1/admin/units", json=_body(insured_headcount=40), headers=H)
    assert again.status_code == 201, again.text
    item = again.json()
    assert item["id"] == unit["id"] and item["status"] == "pending" and item["review_reason"] is None
    assert item["insured_headcount"] == 40 and "30人以上（申报40人）：符合" in item["criteria"]
    assert api.post("/api/v1/admin/units", json=_body(), headers=H).status_code == 409  # pending: not again
