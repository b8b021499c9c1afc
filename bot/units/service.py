"""Host units as the rest of the code uses them: 申报 (registration) and its review, positions a unit publishes
and their review, a unit's applicants and its decisions on them.

Chat (bot.handlers.unit), the officials' workbench (bot.handlers.official) and the admin API (bot.api.admin_units)
all change units and positions through these functions, so the rules are in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.applications.lifecycle import date_text, label
from bot.applications.service import trainee_label
from bot.models import (
    Application,
    ApplicationStatus,
    Position,
    PositionStatus,
    Role,
    Unit,
    UnitStatus,
    User,
    utcnow,
)
from bot.positions.features import major_codes, title_tokens
from bot.privacy import Vault, mask_phone
from bot.units.criteria import Assessment, assess, trainee_cap
from knowledge.divisions import divisions

UNIT_STATUS_LABELS = {UnitStatus.pending: "待审核", UnitStatus.approved: "已通过", UnitStatus.refused: "未通过"}
POSITION_STATUS_LABELS = {PositionStatus.pending: "待审核", PositionStatus.open: "招募中", PositionStatus.full: "已招满",
                          PositionStatus.closed: "已停止", PositionStatus.rejected: "未通过审核"}


class ReviewError(ValueError):
    """A review the item's state does not allow, or a missing reason; ``message`` is for the person."""

    def __init__(self, message: str, *, conflict: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


MAX_ID = 2**31 - 1  # ids are 32-bit integers; a larger number cannot name a row (PostgreSQL would refuse it)


def parse_id(text: str) -> int | None:
    """A row id typed by a person or in a URL (``12``), or None when it cannot be one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def unit_label(status: str) -> str:
    return UNIT_STATUS_LABELS.get(status, status)  # type: ignore[call-overload]


def position_label(status: str) -> str:
    return POSITION_STATUS_LABELS.get(status, status)  # type: ignore[call-overload]


# --- registration ------------------------------------------------------------------------------------
def unit_of(session: Session, openid: str) -> Unit | None:
    """The unit this WeChat user is the contact of (the newest, if several)."""
    return session.scalar(select(Unit).where(Unit.contact_openid == openid).order_by(Unit.id.desc()).limit(1))


def credit_code_taken(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.credit_code == code))


def register(session: Session, vault: Vault, *, name: str, credit_code: str, region_code: str, contact_name: str,
             contact_phone: str, insured: int, registered_on: date, wants_base: bool, today: date,
             contact_openid: str | None = None) -> tuple[Unit, Assessment]:
    """A new unit, pending review, with its region's criteria checked and kept with it.

    A unit that was refused may apply again (its own contact in chat, or an official over the API): the same
    row goes back to pending with what it declares now, and the previous refusal is cleared."""
    d = divisions().get(region_code)
    if d is None:
        raise ReviewError("没有找到这个地区。", conflict=False)
    unit = credit_code_taken(session, credit_code)
    if unit is not None and (unit.status != UnitStatus.refused.value
                             or (contact_openid and unit.contact_openid not in (None, contact_openid))):
        raise ReviewError("这个统一社会信用代码已经申报过。如需变更，请联系当地人社部门。")
    assessment = assess(region_code, insured=insured, registered_on=registered_on, wants_base=wants_base, today=today)
    if unit is None:
        unit = Unit(credit_code=credit_code)
        session.add(unit)
    unit.name, unit.contact_name, unit.province_code = name, contact_name, d.province_code
    unit.city_code = d.code if d.level == "city" else d.city_code
    unit.county_code = d.code if d.level == "county" else None
    unit.contact_phone_enc, unit.contact_phone_hash = vault.encrypt(contact_phone), vault.lookup_hash(contact_phone)
    unit.contact_openid = contact_openid or unit.contact_openid
    unit.status, unit.insured_headcount, unit.registered_on = UnitStatus.pending.value, insured, registered_on
    unit.wants_base, unit.criteria_notes = wants_base, assessment.text()
    unit.review_reason, unit.reviewed_at, unit.is_base, unit.base_valid_until = None, None, False, None
    session.flush()
    if contact_openid:
        _becomes_unit(session, contact_openid)
    return unit, assessment


def _becomes_unit(session: Session, openid: str) -> None:
    user = session.scalar(select(User).where(User.openid == openid))
    if user is not None and user.role == Role.graduate.value:
        user.role = Role.unit.value


def claim(session: Session, vault: Vault, *, credit_code: str, contact_phone: str, openid: str) -> Unit | None:
    """The unit an official registered on its behalf (no WeChat contact yet), bound to this WeChat user when
    the credit code and the contact's mobile number both match what was registered; None otherwise."""
    unit = credit_code_taken(session, credit_code)
    if unit is None or unit.contact_openid or unit.contact_phone_hash != vault.lookup_hash(contact_phone):
        return None
    unit.contact_openid = openid
    _becomes_unit(session, openid)
    return unit


def years_later(start: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def review_unit(unit: Unit, action: str, reason: str | None, today: date) -> None:
    """approve / refuse a pending unit. Approving a unit that asked to be a 见习基地 recognises it as a base for
    the region's validity period (长沙: 3 years): the official has weighed the criteria checked at 申报, which
    the notice lets them relax for some units (长人社规〔2024〕4号 二（七）)."""
    if unit.status != UnitStatus.pending.value:
        raise ReviewError(f"这个单位的申报已经是“{unit_label(unit.status)}”，不能再审核。")
    reason = (reason or "").strip() or None
    if action == "refuse" and not reason:
        raise ReviewError("请填写不通过的原因，单位会收到这一说明。", conflict=False)
    if action not in ("approve", "refuse"):
        raise ReviewError("审核操作应为 approve（通过）或 refuse（不通过）。", conflict=False)
    unit.status = UnitStatus.approved.value if action == "approve" else UnitStatus.refused.value
    unit.review_reason = reason
    unit.reviewed_at = utcnow()
    if action == "approve" and unit.wants_base:
        years = assess(unit.region_code, insured=unit.insured_headcount or 0,
                       registered_on=unit.registered_on or today, wants_base=True, today=today).base_valid_years
        unit.is_base = True
        if years:
            unit.base_valid_until = years_later(today, years)


def unit_message(unit: Unit) -> str:
    lines = [f"【见习单位申报】{unit.name}：{unit_label(unit.status)}。"]
    if unit.status == UnitStatus.approved.value:
        if unit.is_base:
            until = f"，有效期至{date_text(unit.base_valid_until)}" if unit.base_valid_until else ""
            lines.append(f"已认定为就业见习基地{until}。")
        lines.append("现在可以回复“发布岗位”发布见习岗位，岗位经审核后上线。")
    elif unit.status == UnitStatus.refused.value:
        lines.append(f"原因：{unit.review_reason or '未说明'}")
        lines.append("如有疑问请咨询当地人社部门；情况有变化的，可以回复“单位申报”重新申报。")
    return "\n".join(lines)


# --- positions a unit publishes --------------------------------------------------------------------
def next_code(session: Session, unit: Unit) -> str:
    """A 岗位编号 for the unit's next position: U<unit id>-<n>."""
    count = session.scalar(select(func.count()).select_from(Position).where(Position.unit_id == unit.id)) or 0
    while True:
        count += 1
        code = f"U{unit.id}-{count:03d}"
        if session.scalar(select(Position.id).where(Position.code == code)) is None:
            return code


def publish(session: Session, unit: Unit, *, title: str, category: str, majors: str, education: str,
            headcount: int, months: int, description: str) -> Position:
    """A position of an approved unit, pending review (not shown until an official approves it)."""
    if unit.status != UnitStatus.approved.value:
        raise ReviewError("单位申报通过审核后才能发布岗位。回复“单位申报”查看进度。")
    divs = divisions()
    prov = divs.get(unit.province_code or "")
    city = divs.get(unit.city_code or "") if unit.city_code else None
    county = divs.get(unit.county_code or "") if unit.county_code else None
    position = Position(code=next_code(session, unit), unit_id=unit.id, unit_name=unit.name, title=title,
                        category=category, majors_text=majors, major_codes=major_codes(majors),
                        search_tokens=title_tokens(title), education=education, province_code=unit.province_code or "",
                        city_code=unit.city_code, county_code=unit.county_code, province=prov.name if prov else "",
                        city=city.name if city else (prov.name if prov else None),
                        district=county.name if county else None, headcount=headcount, places_left=headcount,
                        months=months, status=PositionStatus.pending.value, description=description,
                        contact_phone_enc=unit.contact_phone_enc)
    session.add(position)
    session.flush()
    return position


def review_position(position: Position, action: str, reason: str | None, today: date) -> None:
    if position.status != PositionStatus.pending.value:
        raise ReviewError(f"岗位 {position.code} 当前是“{position_label(position.status)}”，不能再审核。")
    reason = (reason or "").strip() or None
    if action == "reject" and not reason:
        raise ReviewError("请填写不通过的原因，单位会收到这一说明。", conflict=False)
    if action not in ("approve", "reject"):
        raise ReviewError("审核操作应为 approve（通过）或 reject（不通过）。", conflict=False)
    if action == "approve":
        position.status = PositionStatus.open.value if position.places_left > 0 else PositionStatus.full.value
        position.opens_on = today
    else:
        position.status = PositionStatus.rejected.value
    position.updated_at = utcnow()  # the position index picks the change up


def position_message(position: Position, reason: str | None) -> str:
    if position.status == PositionStatus.rejected.value:
        return (f"【岗位审核】“{position.title}”（{position.code}）未通过审核。原因：{reason or '未说明'}\n"
                "修改后可回复“发布岗位”重新发布。")
    return (f"【岗位审核】“{position.title}”（{position.code}）已通过审核，现已上线招募。\n"
            "有人报名时我会通知您；回复“我的申请人”查看报名情况。")


# --- applicants --------------------------------------------------------------------------------------
def applicants(session: Session, unit: Unit) -> list[tuple[Application, Position]]:
    """Everyone who applied to the unit's positions; someone who deleted their data stays, anonymised (the
    internship and its claims go on)."""
    rows = session.execute(select(Application, Position).join(Position, Position.id == Application.position_id)
                           .where(Position.unit_id == unit.id)
                           .order_by(Application.created_at.desc(), Application.id.desc()))
    return list(rows.tuples())


def applicants_text(session: Session, unit: Unit, vault: Vault, today: date) -> str:
    rows = applicants(session, unit)
    if not rows:
        return "您的岗位还没有人报名。岗位上线后，有人报名我会通知您。"
    lines = [f"{unit.name}的申请人（共 {len(rows)} 人）："]
    for a, p in rows[:20]:
        phone = mask_phone(vault.decrypt(a.phone_enc)) if a.phone_enc else (
            "（本人已删除个人信息）" if a.anonymised_at else "（未留）")
        line = f"· 报名{a.id}：{trainee_label(a)} {phone} → {p.title}（{p.code}）· {label(a.status)}"
        if a.starts_on and a.ends_on:
            line += f" · {date_text(a.starts_on)}至{date_text(a.ends_on)}"
        lines.append(line)
    lines.append("\n回复“录用 报名12”或“不录用 报名12 原因……”；录用后签订协议回复"
                 "“签协议 报名12 2026-12-01 2027-05-31”（见习起止日期）；见习结束时回复“期满 报名12”"
                 "“留用 报名12”或“提前结束 报名12 原因……”。")
    return "\n".join(lines)


def unit_application(session: Session, unit: Unit, application_id: int) -> Application | None:
    if not 0 < application_id <= MAX_ID:
        return None
    a = session.get(Application, application_id)
    if a is None:
        return None
    position = session.get(Position, a.position_id)
    return a if position is not None and position.unit_id == unit.id else None


def cap_note(session: Session, unit: Unit) -> str | None:
    """A reminder when a 见习基地 has more trainees on internship than its region allows (长沙: at most 30% of
    the insured staff it declared); None within the cap or where no cap applies."""
    cap = trainee_cap(unit.region_code, is_base=unit.is_base, insured=unit.insured_headcount)
    if cap is None:
        return None
    limit, share, source = cap
    count = session.scalar(select(func.count()).select_from(Application)
                           .join(Position, Position.id == Application.position_id)
                           .where(Position.unit_id == unit.id,
                                  Application.status == ApplicationStatus.on_internship.value)) or 0
    if count <= limit:
        return None
    return (f"⚠ 注意：本单位见习中人数已有{count}人，超过申报参保人数{unit.insured_headcount}人的{share:.0%}"
            f"（{limit}人）。见习基地吸纳见习人员不应超过同期参保人数的{share:.0%}（{source}）；"
            "如参保人数已有变化，请联系当地人社部门更新。")


def unit_item(unit: Unit, vault: Vault) -> dict[str, Any]:
    """A unit as officials see it over the API (phone masked)."""
    def iso(value: date | datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"id": unit.id, "name": unit.name, "credit_code": unit.credit_code, "region_code": unit.region_code,
            "contact_name": unit.contact_name,
            "contact_phone": mask_phone(vault.decrypt(unit.contact_phone_enc)) if unit.contact_phone_enc else "",
            "insured_headcount": unit.insured_headcount, "registered_on": iso(unit.registered_on),
            "wants_base": unit.wants_base, "is_base": unit.is_base, "base_valid_until": iso(unit.base_valid_until),
            "status": unit.status, "status_label": unit_label(unit.status), "criteria": unit.criteria_notes,
            "review_reason": unit.review_reason, "created_at": iso(unit.created_at),
            "wage_tier": unit.wage_tier, "wage_tier_by": unit.wage_tier_by}

