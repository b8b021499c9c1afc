"""``/api/v1/admin/units`` and ``/api/v1/admin/positions``: 见习单位申报 and the positions units publish, for
officials, scoped to the caller's region (another region's unit or position is a 404, as if it did not exist).

* ``GET /api/v1/admin/units?status=pending|approved|refused&limit=&offset=`` → ``{"items", "total"}``, phone masked
* ``GET /api/v1/admin/units/{id}``
* ``POST /api/v1/admin/units`` ``{"name", "credit_code", "region", "contact_name", "contact_phone",
  "insured_headcount", "registered_on", "wants_base"}`` → 201, the unit pending review with its criteria checked
* ``POST /api/v1/admin/units/{id}/review`` ``{"action": "approve" | "refuse", "reason"}``
* ``POST /api/v1/admin/units/{id}/wage-tier`` ``{"tier": "二类"}``: the minimum-wage tier of the unit's county
* ``GET /api/v1/admin/positions?status=pending&limit=&offset=``
* ``POST /api/v1/admin/positions/{code}/review`` ``{"action": "approve" | "reject", "reason"}``

Bad input is a 422 with a message in Chinese; a review the state does not allow is a 409. The unit contact is
told of every review by a customer-service message.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from sqlalchemy import func, select

from bot.api.admin_auth import Admin, AdminDep
from bot.api.params import bad, date_param, int_param
from bot.applications.service import find_position, region_of, trainee_label
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
    number = service.parse_id(unit_id)
    unit = s.get(Unit, number) if number is not None else None
    if unit is None or not admin.sees(unit.region_code):
        raise HTTPException(404, "没有找到这个单位")
    return unit


@router.get("/units/{unit_id}")
def get_unit(unit_id: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    services = request.app.state.services
    with services.db.session() as s:
        return service.unit_item(_unit(s, admin, unit_id), services.vault)


def _controls(value: str) -> bool:
    """Control characters (NUL and the like) no name, number or reason contains; PostgreSQL refuses NUL."""
    return any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value)


def _field(body: dict[str, Any], key: str, validate: Any, ctx: FormContext, label: str) -> Any:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise bad(f"缺少 {key}（{label}）")
    if _controls(str(value)):
        raise bad(f"{key}（{label}）含有不可见的控制字符，请删除后重试")
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
    wants_base = body.get("wants_base", False)
    if wants_base is None:
        wants_base = False
    if not isinstance(wants_base, bool):
        raise bad("wants_base（是否申请见习基地）应为 true 或 false")
    registered = date_param(body.get("registered_on"), "registered_on")
    if registered is None or registered > today:
        raise bad("registered_on（成立日期）应为不晚于今天的 YYYY-MM-DD 日期")
    code = _field(body, "credit_code", credit_code, ctx, "统一社会信用代码")
    with services.db.session() as s:
        existing = service.credit_code_taken(s, code)
        if existing is not None and not admin.sees(existing.region_code):  # another region's unit
            raise HTTPException(409, "这个统一社会信用代码已经申报过。如需变更，请联系当地人社部门。")
        try:
            unit, _ = service.register(
                s, services.vault, name=_field(body, "name", unit_name, ctx, "单位名称"),
                credit_code=code,
                region_code=found[0].code, contact_name=_field(body, "contact_name", name, ctx, "联系人"),
                contact_phone=_field(body, "contact_phone", mobile, ctx, "联系电话"), insured=insured,
                registered_on=registered, wants_base=wants_base, today=today)
        except service.ReviewError as e:
            raise HTTPException(409 if e.conflict else 422, e.message) from None
        return service.unit_item(unit, services.vault)


def _action(body: Any, allowed: tuple[str, ...]) -> tuple[str, str | None]:
    if not isinstance(body, dict) or body.get("action") not in allowed:
        raise bad("action 应为 " + " / ".join(allowed) + " 之一")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500 or _controls(reason)):
        raise bad("reason 应为不超过 500 字的文字（不含控制字符）")
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


@router.post("/units/{unit_id}/wage-tier")
def set_wage_tier(unit_id: str, request: Request, admin: AdminDep, body: Any = Body(...)) -> dict[str, Any]:  # noqa: B008
    """``{"tier": "二类"}``: the minimum-wage tier of the unit's county, where the wage table lists the tiers but
    not the counties in each (河南); the unit's claims are computed from it, and the unit is told."""
    from bot.claims import service as claims

    services = request.app.state.services
    if not isinstance(body, dict) or not isinstance(body.get("tier"), str) or not body["tier"].strip() \
            or len(body["tier"]) > 8:
        raise bad("请求体应为 {\"tier\": \"二类\"}：tier 为最低工资档次（一类、二类……或序号）")
    with services.db.session() as s:
        unit = _unit(s, admin, unit_id)
        try:
            rule = claims.set_wage_tier(unit, body["tier"], by=f"official:{admin.name}", on=_today(request))
        except claims.ClaimError as e:
            raise HTTPException(422, e.message) from None
        item = service.unit_item(unit, services.vault)
        item["wage"] = {"label": rule.label, "monthly_yuan": rule.amount,
                        "effective_from": rule.effective_from.isoformat()}
        openid = unit.contact_openid
        text = claims.tier_message(unit, f"{rule.label}最低工资标准（{rule.amount}元，自 {rule.effective_from.isoformat()} 起）",
                            admin.name)
    item["notified"] = bool(openid) and tell(request.app.state.api, services.db, openid, text,  # type: ignore[arg-type]
                                             intent="units.wage_tier", key=f"wage_tier:{item['id']}")
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
        p = find_position(s, code) if len(code) <= 32 and not _controls(code) else None
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


MAX_SHEET_BYTES = 2_000_000
SHEET_COLUMNS = ("姓名", "月份", "出勤天数")


def _sheet_rows(data: bytes) -> list[list[str]]:
    """The rows of an attendance sheet: the first sheet of an .xlsx, or a UTF-8 (or GBK) CSV."""
    import csv
    import io

    if data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any unreadable workbook is the caller's file, a 422
            raise bad("无法读取这个 .xlsx 文件，请另存为 Excel 工作簿或 CSV 后重试") from None
        sheet = book.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise bad("无法识别文件编码，请保存为 UTF-8 的 CSV 或 .xlsx")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


@router.post("/units/{unit_id}/attendance")
async def upload_attendance(unit_id: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    """An attendance sheet for a unit (columns 姓名, 月份, 出勤天数; CSV or .xlsx as the request body).

    All rows are saved, or none: every bad row is reported with its row number (422)."""
    from bot.claims import service as claims

    services = request.app.state.services
    data = await request.body()
    if not data:
        raise bad("请求体应为考勤表文件（CSV 或 .xlsx），列：姓名、月份、出勤天数")
    if len(data) > MAX_SHEET_BYTES:
        raise HTTPException(413, "考勤表文件不能超过 2 MB")
    rows = [r for r in _sheet_rows(data) if any(r)]
    if not rows or [c.strip() for c in rows[0][:3]] != list(SHEET_COLUMNS):
        raise bad("表头应为：" + "、".join(SHEET_COLUMNS))
    by_month: dict[str, list[tuple[str, str]]] = {}
    row_numbers: dict[str, list[int]] = {}
    problems: list[str] = []
    for number, row in enumerate(rows[1:], 2):
        cells = (row + ["", "", ""])[:3]
        month = claims.parse_month(cells[1]) if cells[1] else None
        if not cells[0] or month is None or not cells[2]:
            who = f"（{cells[0]}）" if cells[0] else ""
            problems.append(f"第 {number} 行{who}：姓名、月份（如 2026-10）和出勤天数都要填写")
            continue
        by_month.setdefault(month, []).append((cells[0], cells[2].removesuffix(".0")))
        row_numbers.setdefault(month, []).append(number)
    if problems:
        raise HTTPException(422, {"message": "考勤表未保存", "problems": problems})
    today = services.clock().date()
    saved: list[dict[str, Any]] = []
    with services.db.session() as s:
        unit = _unit(s, admin, unit_id)
        for month, entries in sorted(by_month.items()):
            try:
                done = claims.record_attendance(s, unit, month, entries, today=today, actor=f"official:{admin.name}",
                                                rows=row_numbers[month])
            except claims.ClaimError as e:
                raise HTTPException(409 if e.conflict else 422,
                                    {"message": f"{month} 考勤未保存，整张表都没有保存", "problems": e.problems}) from None
            saved += [{"month": month, "application_id": a.id, "name": trainee_label(a), "days": d} for a, d in done]
    return {"saved": saved}
