"""``/api/v1/admin/units`` and ``/api/v1/admin/positions``: 见习单位申报 and the positions units publish, for
officials, scoped to the caller's region (another region's unit or position is a 404, as if it did not exist).

* ``GET /api/v1/admin/units?status=pending|approved|refused&limit=&offset=`` → ``{"items", "total"}``, phone masked
* ``GET /api/v1/admin/units/{id}``
* ``POST /api/v1/admin/units`` ``{"name", "credit_code", "region", "contact_name", "contact_phone",
  "insured_headcount", "registered_on", "wants_base"}`` → 201, the unit pending review with its criteria checked
* ``POST /api/v1/admin/units/{id}/review`` ``{"action": "approve" | "refuse", "reason"}``
* ``GET /api/v1/admin/positions?status=pending&limit=&offset=``
* ``POST /api/v1/admin/positions/{code}/review`` ``{"action": "approve" | "reject", "reason"}``

Bad input is a 422 with a message in Chinese; a review the state does not allow is a 409. The unit contact is
told of every review by a customer-service message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from sqlalchemy import func, select

from bot.api.admin_auth import Admin, AdminDep
from bot.api.params import bad, date_param, int_param
from bot.applications.service import find_position, region_of
from bot.models import Position, PositionStatus, Unit, UnitStatus
from bot.notify import tell
from bot.units import service
from bot.validators import FormContext, Ok, credit_code, mobile, name, unit_name
from knowledge.divisions import divisions
from knowledge.majors import majors

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


def _today(request: Request) -> date:
    return request.app.state.services.clock().date()


def _unit_region() -> Any:
    return func.coalesce(Unit.county_code, Unit.city_code, Unit.province_code)


def _page(query: Any, s: Any, limit: str | None, offset: str | None) -> tuple[int, list[Any], int, int]:
    n = int_param(limit, "limit", 100, 1, 1000)
    skip = int_param(offset, "offset", 0, 0, 10_000_000)
    total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
    return total, list(s.scalars(query.limit(n).offset(skip))), n, skip


@router.get("/units")
def list_units(request: Request, admin: AdminDep, status: str | None = None, limit: str | None = None,
               offset: str | None = None) -> dict[str, Any]:
    services = request.app.state.services
    query = admin.scope(select(Unit), _unit_region()).order_by(Unit.created_at.desc(), Unit.id.desc())
    if status:
        if status not in UnitStatus.__members__:
            raise bad("status 应为 " + " / ".join(UnitStatus.__members__) + " 之一")
        query = query.where(Unit.status == status)
    with services.db.session() as s:
        total, rows, n, skip = _page(query, s, limit, offset)
        return {"items": [service.unit_item(u, services.vault) for u in rows], "total": total, "limit": n,
                "offset": skip}


def _unit(s: Any, admin: Admin, unit_id: str) -> Unit:
    unit = s.get(Unit, int(unit_id)) if unit_id.isdigit() else None
    if unit is None or not admin.sees(unit.region_code):
        raise HTTPException(404, "没有找到这个单位")
    return unit


@router.get("/units/{unit_id}")
def get_unit(unit_id: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    services = request.app.state.services
    with services.db.session() as s:
        return service.unit_item(_unit(s, admin, unit_id), services.vault)


def _field(body: dict[str, Any], key: str, validate: Any, ctx: FormContext, label: str) -> Any:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise bad(f"缺少 {key}（{label}）")
    result = validate(str(value), ctx)
    if not isinstance(result, Ok):
        raise bad(f"{key}：{result.hint}")
    return result.value


@router.post("/units", status_code=201)
def create_unit(request: Request, admin: AdminDep, body: Any = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Register a unit on its behalf (as 单位申报 in chat does)."""
    services = request.app.state.services
    if not isinstance(body, dict):
        raise bad("请求体应为 JSON 对象")
    today = _today(request)
    ctx = FormContext(today=today, divisions=divisions(), majors=majors())
    region = str(body.get("region") or "").strip()
    coded = divisions().get(region) if region.isdigit() else None
    found = [coded] if coded is not None else (divisions().resolve(region) if region else [])
    if len(found) != 1:
        raise bad("region 应为一个明确的地区（名称或代码），例如 430104 或 长沙市岳麓区")
    if not admin.sees(found[0].code):
        raise HTTPException(403, "只能为本地区的单位申报")
    insured = body.get("insured_headcount")
    if not isinstance(insured, int) or isinstance(insured, bool) or not 1 <= insured <= 1_000_000:
        raise bad("insured_headcount（参保人数）应为 1 到 1000000 的整数")
    registered = date_param(body.get("registered_on"), "registered_on")
    if registered is None or registered > today:
        raise bad("registered_on（成立日期）应为不晚于今天的 YYYY-MM-DD 日期")
    with services.db.session() as s:
        try:
            unit, _ = service.register(
                s, services.vault, name=_field(body, "name", unit_name, ctx, "单位名称"),
                credit_code=_field(body, "credit_code", credit_code, ctx, "统一社会信用代码"),
                region_code=found[0].code, contact_name=_field(body, "contact_name", name, ctx, "联系人"),
                contact_phone=_field(body, "contact_phone", mobile, ctx, "联系电话"), insured=insured,
                registered_on=registered, wants_base=bool(body.get("wants_base")), today=today)
        except service.ReviewError as e:
            raise HTTPException(409 if e.conflict else 422, e.message) from None
        return service.unit_item(unit, services.vault)


def _action(body: Any, allowed: tuple[str, ...]) -> tuple[str, str | None]:
    if not isinstance(body, dict) or body.get("action") not in allowed:
        raise bad("action 应为 " + " / ".join(allowed) + " 之一")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        raise bad("reason 应为不超过 500 字的文字")
    return body["action"], reason


@router.post("/units/{unit_id}/review")
def review_unit(unit_id: str, request: Request, admin: AdminDep, body: Any = Body(...)) -> dict[str, Any]:  # noqa: B008
    services = request.app.state.services
    action, reason = _action(body, ("approve", "refuse"))
    with services.db.session() as s:
        unit = _unit(s, admin, unit_id)
        try:
            service.review_unit(unit, action, reason, _today(request))
        except service.ReviewError as e:
            raise HTTPException(409 if e.conflict else 422, e.message) from None
        item = service.unit_item(unit, services.vault)
        openid, text = unit.contact_openid, service.unit_message(unit)
    item["notified"] = bool(openid) and tell(request.app.state.api, services.db, openid, text, intent="units.review",
                                             key=f"unit:{item['id']}")
    return item


def _position_item(p: Position) -> dict[str, Any]:
    return {"code": p.code, "title": p.title, "unit": p.unit_name, "unit_id": p.unit_id, "category": p.category,
            "majors": p.majors_text, "education": p.education, "headcount": p.headcount, "months": p.months,
            "province": p.province, "city": p.city, "district": p.district, "description": p.description,
            "status": p.status, "status_label": service.position_label(p.status)}


@router.get("/positions")
def list_positions(request: Request, admin: AdminDep, status: str | None = "pending", limit: str | None = None,
                   offset: str | None = None) -> dict[str, Any]:
    region = func.coalesce(Position.county_code, Position.city_code, Position.province_code)
    query = admin.scope(select(Position), region).order_by(Position.created_at.desc(), Position.id.desc())
    if status:
        if status not in PositionStatus.__members__:
            raise bad("status 应为 " + " / ".join(PositionStatus.__members__) + " 之一")
        query = query.where(Position.status == status)
    with request.app.state.services.db.session() as s:
        total, rows, n, skip = _page(query, s, limit, offset)
        return {"items": [_position_item(p) for p in rows], "total": total, "limit": n, "offset": skip}


@router.post("/positions/{code}/review")
def review_position(code: str, request: Request, admin: AdminDep, body: Any = Body(...)) -> dict[str, Any]:  # noqa: B008
    services = request.app.state.services
    action, reason = _action(body, ("approve", "reject"))
    with services.db.session() as s:
        p = find_position(s, code) if len(code) <= 32 else None
        if p is None or not admin.sees(region_of(p)):
            raise HTTPException(404, "没有找到这个岗位")
        try:
            service.review_position(p, action, reason, _today(request))
        except service.ReviewError as e:
            raise HTTPException(409 if e.conflict else 422, e.message) from None
        item = _position_item(p)
        unit = s.get(Unit, p.unit_id) if p.unit_id else None
        openid, text = (unit.contact_openid if unit else None), service.position_message(p, reason)
    item["notified"] = bool(openid) and tell(request.app.state.api, services.db, openid, text,  # type: ignore[arg-type]
                                             intent="positions.review", key=f"position:{code}")
    return item
