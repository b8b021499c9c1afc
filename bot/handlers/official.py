"""The officials' workbench in chat (人社工作人员): what waits for review in their region, and the reviews.

    待办                      → what waits, overdue first (sign-ups; units, positions and claims as they land)
    查看 报名12               → one item in full (phone and ID number masked)
    通过 报名12               → accept          驳回 报名12 原因……  → reject, with the reason the person is told
    审核 报名12               → mark as under review

An official sees only their own region (the division code stored on their account, as the admin API's
``Admin.scope``); anything else does not exist for them. Each kind of item is a :class:`Reviewable` in
``REVIEWABLES``: a new kind (units, positions, claims) plugs in there. Changes go through the same code as the
admin API, and the person concerned is told once the change is committed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.api.admin_auth import Admin
from bot.applications.lifecycle import (
    AWAITING_REVIEW,
    TransitionError,
    date_text,
    is_overdue,
    label,
    transition,
)
from bot.applications.service import (
    find_position,
    masked_id,
    masked_phone,
    notify_status_change,
    region_of,
    trainee_label,
)
from bot.claims import service as claims
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.models import (
    Application,
    ApplicationStatus,
    ClaimStatus,
    Position,
    PositionStatus,
    Role,
    SubsidyClaim,
    Unit,
    UnitStatus,
    User,
)
from bot.notify import tell
from bot.units import service as units
from bot.validators import FormContext, Ok, Result, Retry
from knowledge.calculators.min_wage import yuan

router = Router("official")

_COMMAND = re.compile(r"^(通过|批准|驳回|不通过|退回|审核|开始审核|查看|详情|拨付|已拨付|发放)\s*(报名|单位|岗位|补贴|申领)\s*#?\s*"
                      r"([A-Za-z0-9_\-]+)\s*[,，:：]?\s*(?:原因\s*[:：]?)?\s*(.*)$")
_VERBS = {"通过": "approve", "批准": "approve", "驳回": "reject", "不通过": "reject", "退回": "reject",
          "审核": "start", "开始审核": "start", "查看": "show", "详情": "show", "拨付": "pay", "已拨付": "pay",
          "发放": "pay"}
SHOWN = 10


@dataclass(frozen=True)
class Reviewable:
    """One kind of item officials review in chat."""

    word: str  # how officials name it: 报名, 单位, 岗位, 补贴
    pending: Callable[[Session, Admin, date], list[str]]  # lines, overdue first
    show: Callable[[Context, Admin, str], str]
    act: Callable[[Context, Admin, str, str, str | None], str]  # (ctx, admin, ref, action, reason) -> reply


def admin_of(ctx: Context) -> Admin | None:
    """The official behind this chat, or None: an official's region comes from their profile."""
    if ctx.user.role != Role.official.value:
        return None
    return Admin(name=ctx.user.name or ctx.user.openid, region_code=ctx.user.region_code or None)


# --- sign-ups --------------------------------------------------------------------------------------
def _application(ctx: Context, admin: Admin, ref: str) -> Application | None:
    pk = units.parse_id(ref)
    if pk is None:
        return None
    a = ctx.session.get(Application, pk)
    return a if a is not None and admin.sees(a.region_code) else None


def _pending_applications(session: Session, admin: Admin, today: date) -> list[str]:
    query = admin.scope(select(Application, Position).join(Position, Position.id == Application.position_id)
                        .where(Application.status.in_(AWAITING_REVIEW)), Application.region_code)
    rows = list(session.execute(query.order_by(Application.created_at, Application.id)).tuples())
    rows.sort(key=lambda r: (not is_overdue(r[0], today), r[0].created_at))
    lines = []
    for a, p in rows:
        due = ""
        if a.review_due_on:
            due = f" · {'⚠已超期，' if is_overdue(a, today) else ''}最晚{date_text(a.review_due_on)}审核"
        lines.append(f"报名{a.id}：{trainee_label(a)} → {p.title}（{p.code}）· "
                     f"{label(a.status)} · {date_text(a.created_at)}提交{due}")
    return lines


def _show_application(ctx: Context, admin: Admin, ref: str) -> str:
    a = _application(ctx, admin, ref)
    if a is None:
        return f"没有找到报名{ref}（只能查看本地区的报名）。回复“待办”查看待审核的事项。"
    p = ctx.session.get(Position, a.position_id)
    user = ctx.session.scalar(select(User).where(User.openid == a.openid))
    vault = ctx.services.vault
    lines = [f"【报名{a.id}】{label(a.status)}",
             f"岗位：{p.title}（{p.code}）· {p.unit_name}" if p else f"岗位：{a.position_code}",
             f"姓名：{a.applicant_name or (user.name if user else '') or trainee_label(a)}",
             f"手机号：{masked_phone(vault, a.phone_enc or (user.phone_enc if user else None)) or '（未留）'}",
             f"身份证号：{masked_id(vault, a.id_number_enc or (user.id_number_enc if user else None)) or '（未留）'}",
             f"学历：{a.education or '（未填）'} · 参加方式：{a.route or '（未判定）'}",
             f"资格初审：{a.eligibility or '（无）'}" + (f"（{a.eligibility_notes}）" if a.eligibility_notes else ""),
             f"提交时间：{date_text(a.created_at)}"]
    if a.review_due_on:
        lines.append(f"审核时限：{date_text(a.review_due_on)}" + ("（已超期）" if is_overdue(a, ctx.now.date()) else ""))
    if a.reason:
        lines.append(f"原因：{a.reason}")
    if a.status in AWAITING_REVIEW:
        lines.append(f"\n回复“通过 报名{a.id}”或“驳回 报名{a.id} 原因……”。")
    return "\n".join(lines)


_APPLICATION_TARGETS = {"approve": ApplicationStatus.accepted, "reject": ApplicationStatus.rejected,
                        "start": ApplicationStatus.under_review}


def _act_on_application(ctx: Context, admin: Admin, ref: str, action: str, reason: str | None) -> str:
    a = _application(ctx, admin, ref)
    if a is None:
        return f"没有找到报名{ref}（只能审核本地区的报名）。回复“待办”查看待审核的事项。"
    if action == "reject" and not reason:
        return f"请写明驳回原因，申请人会收到这一说明。例如：驳回 报名{a.id} 专业与岗位要求不符"
    try:
        transition(ctx.session, a, _APPLICATION_TARGETS[action], actor=f"official:{admin.name}",
                   today=ctx.now.date(), reason=reason)
    except TransitionError as e:
        return e.message
    api, db, application_id = ctx.services.api, ctx.services.db, a.id
    if api is not None:
        ctx.after(lambda: notify_status_change(api, db, application_id))
    told = "，已通知申请人" if api is not None else ""
    return f"报名{a.id}（{trainee_label(a)}）已改为“{label(a.status)}”{told}。回复“待办”继续审核。"


# --- units (见习单位申报) and the positions they publish ----------------------------------------------
def _unit_region() -> ColumnElement[str]:
    return func.coalesce(Unit.county_code, Unit.city_code, Unit.province_code)


def _unit(ctx: Context, admin: Admin, ref: str) -> Unit | None:
    number = units.parse_id(ref)
    unit = ctx.session.get(Unit, number) if number is not None else None
    return unit if unit is not None and admin.sees(unit.region_code) else None


def _pending_units(session: Session, admin: Admin, today: date) -> list[str]:
    query = admin.scope(select(Unit).where(Unit.status == UnitStatus.pending.value), _unit_region())
    return [f"单位{u.id}：{u.name} · 参保{u.insured_headcount or '?'}人" + (" · 申请见习基地" if u.wants_base else "")
            + f" · {date_text(u.created_at)}申报" for u in session.scalars(query.order_by(Unit.created_at, Unit.id))]


def _show_unit(ctx: Context, admin: Admin, ref: str) -> str:
    unit = _unit(ctx, admin, ref)
    if unit is None:
        return f"没有找到单位{ref}（只能查看本地区的单位）。"
    item = units.unit_item(unit, ctx.services.vault)
    lines = [f"【单位{unit.id}】{unit.name}（{item['status_label']}）",
             f"统一社会信用代码：{unit.credit_code or '（未填）'}",
             f"联系人：{unit.contact_name or '（未填）'} {item['contact_phone']}",
             f"参保人数：{unit.insured_headcount or '（未填）'} · 成立日期：{date_text(unit.registered_on)}",
             f"申请见习基地：{'是' if unit.wants_base else '否'}"]
    if unit.wage_tier:
        lines.append(f"最低工资档次：{claims.tier_label(unit.wage_tier)}（{claims.tier_source(unit)}）")
    elif claims.province_tiers(unit, ctx.now.date()):
        lines.append(f"最低工资档次：未确定（回复“档次 单位{unit.id} 一类”确定）")
    if unit.criteria_notes:
        lines += ["条件核对：", unit.criteria_notes]
    if unit.status == UnitStatus.pending.value:
        lines.append(f"\n回复“通过 单位{unit.id}”或“驳回 单位{unit.id} 原因……”。")
    return "\n".join(lines)


def _act_on_unit(ctx: Context, admin: Admin, ref: str, action: str, reason: str | None) -> str:
    unit = _unit(ctx, admin, ref)
    if unit is None:
        return f"没有找到单位{ref}（只能审核本地区的单位）。"
    if action == "start":
        return "单位申报直接回复“通过”或“驳回 原因……”即可。"
    try:
        units.review_unit(unit, "approve" if action == "approve" else "refuse", reason, ctx.now.date())
    except units.ReviewError as e:
        return e.message
    _tell_unit(ctx, unit, units.unit_message(unit), f"unit:{unit.id}")
    return f"单位{unit.id}（{unit.name}）：{units.unit_label(unit.status)}" + ("，已认定为见习基地" if unit.is_base else "") + "。"


def _tell_unit(ctx: Context, unit: Unit, text: str, key: str) -> None:
    api, db, openid = ctx.services.api, ctx.services.db, unit.contact_openid
    if api is not None and openid:
        ctx.after(lambda: tell(api, db, openid, text, intent="units.review", key=key))


def _position(ctx: Context, admin: Admin, ref: str) -> Position | None:
    p = find_position(ctx.session, ref)
    return p if p is not None and admin.sees(region_of(p)) else None


def _pending_positions(session: Session, admin: Admin, today: date) -> list[str]:
    region = func.coalesce(Position.county_code, Position.city_code, Position.province_code)
    query = admin.scope(select(Position).where(Position.status == PositionStatus.pending.value), region)
    return [f"岗位{p.code}：{p.title} · {p.unit_name} · 招{p.headcount}人 · 专业{p.majors_text}"
            for p in session.scalars(query.order_by(Position.created_at, Position.id))]


def _show_position(ctx: Context, admin: Admin, ref: str) -> str:
    p = _position(ctx, admin, ref)
    if p is None:
        return f"没有找到岗位{ref}（只能查看本地区的岗位）。"
    lines = [f"【岗位{p.code}】{p.title}（{units.position_label(p.status)}）", f"单位：{p.unit_name}",
             f"类别：{p.category} · 学历：{p.education} · 期限：{p.months} 个月 · 招募 {p.headcount} 人",
             f"专业要求：{p.majors_text}", f"岗位描述：{p.description or '（无）'}"]
    if p.status == PositionStatus.pending.value:
        lines.append(f"\n回复“通过 岗位{p.code}”或“驳回 岗位{p.code} 原因……”。")
    return "\n".join(lines)


def _act_on_position(ctx: Context, admin: Admin, ref: str, action: str, reason: str | None) -> str:
    p = _position(ctx, admin, ref)
    if p is None:
        return f"没有找到岗位{ref}（只能审核本地区的岗位）。"
    if action == "start":
        return "岗位直接回复“通过”或“驳回 原因……”即可。"
    try:
        units.review_position(p, action, reason, ctx.now.date())
    except units.ReviewError as e:
        return e.message
    unit = ctx.session.get(Unit, p.unit_id) if p.unit_id else None
    if unit is not None:
        _tell_unit(ctx, unit, units.position_message(p, reason), f"position:{p.code}")
    return f"岗位{p.code}（{p.title}）：{units.position_label(p.status)}。"


# --- subsidy claims ------------------------------------------------------------------------------------
def _claim(ctx: Context, admin: Admin, ref: str) -> SubsidyClaim | None:
    pk = units.parse_id(ref)
    c = ctx.session.get(SubsidyClaim, pk) if pk is not None else None
    return c if c is not None and admin.sees(c.region_code) else None


def _pending_claims(session: Session, admin: Admin, today: date) -> list[str]:
    query = admin.scope(select(SubsidyClaim, Unit).join(Unit, Unit.id == SubsidyClaim.unit_id).where(
        SubsidyClaim.status.in_((ClaimStatus.submitted.value, ClaimStatus.approved.value))), SubsidyClaim.region_code)
    return [f"补贴{c.id}：{u.name} {claims.claim_title(c)} {yuan(c.total)}元 · {claims.claim_label(c.status)}"
            for c, u in session.execute(query.order_by(SubsidyClaim.created_at, SubsidyClaim.id)).tuples()]


def _show_claim(ctx: Context, admin: Admin, ref: str) -> str:
    c = _claim(ctx, admin, ref)
    if c is None:
        return f"没有找到补贴{ref}（只能查看本地区的申领）。"
    unit = ctx.session.get(Unit, c.unit_id)
    text = claims.claim_text(c, unit.name if unit else "")
    if c.status == ClaimStatus.submitted.value:
        text += f"\n\n回复“通过 补贴{c.id}”或“驳回 补贴{c.id} 原因……”。"
    elif c.status == ClaimStatus.approved.value:
        text += f"\n\n拨付后回复“拨付 补贴{c.id}”。"
    return text


def _act_on_claim(ctx: Context, admin: Admin, ref: str, action: str, reason: str | None) -> str:
    c = _claim(ctx, admin, ref)
    if c is None:
        return f"没有找到补贴{ref}（只能审核本地区的申领）。"
    if action == "start":
        return "补贴申领直接回复“通过”“驳回 原因……”或“拨付”即可。"
    try:
        claims.review(c, action, reason)
    except claims.ClaimError as e:
        return e.message
    unit = ctx.session.get(Unit, c.unit_id)
    if unit is not None:
        _tell_unit(ctx, unit, claims.status_message(c), f"claim:{c.id}:{c.status}")
    return f"补贴{c.id}（{unit.name if unit else ''} {claims.claim_title(c)}，{yuan(c.total)}元）：{claims.claim_label(c.status)}。"


REVIEWABLES: dict[str, Reviewable] = {
    "报名": Reviewable("报名", _pending_applications, _show_application, _act_on_application),
    "单位": Reviewable("单位", _pending_units, _show_unit, _act_on_unit),
    "岗位": Reviewable("岗位", _pending_positions, _show_position, _act_on_position),
    "补贴": Reviewable("补贴", _pending_claims, _show_claim, _act_on_claim),
}


# --- the minimum-wage tier of a unit's county, where the table does not list the counties (河南) --------
_TIER_COMMAND = re.compile(r"^(?:最低工资)?档次\s*单位\s*#?\s*(\d+)\s*[,，:：]?\s*(.*)$")


@router.intent("official.wage_tier")
def wage_tier(ctx: Context) -> Reply:
    """档次 单位3 二类: the tier a unit's county is in, for its subsidy claims; the unit is told."""
    admin = admin_of(ctx)
    if admin is None:
        return NOT_OFFICIAL
    m = _TIER_COMMAND.match(unicodedata.normalize("NFKC", ctx.text).strip())
    if not m:
        return "请按“档次 单位3 二类”回复：单位编号和该单位所在县区执行的最低工资档次。"
    unit = _unit(ctx, admin, m.group(1))
    if unit is None:
        return f"没有找到单位{m.group(1)}（只能处理本地区的单位）。"
    if not m.group(2).strip():
        tiers = claims.province_tiers(unit, ctx.now.date())
        listed = "、".join(f"{r.tier}（{r.amount}元）" for r in tiers) or "（表中没有分档）"
        return f"请写明档次，例如：档次 单位{unit.id} {tiers[0].tier if tiers else '一类'}。可选：{listed}。"
    try:
        rule = claims.set_wage_tier(unit, m.group(2), by=f"official:{admin.name}", on=ctx.now.date())
    except claims.ClaimError as e:
        return e.message
    text = f"{rule.label}最低工资标准（{rule.amount}元，自 {rule.effective_from.isoformat()} 起）"
    _tell_unit(ctx, unit, claims.tier_message(unit, text, admin.name), f"wage_tier:{unit.id}:{rule.tier}")
    told = "，已通知单位" if unit.contact_openid and ctx.services.api is not None else ""
    return f"单位{unit.id}（{unit.name}）的最低工资档次已定为{text}{told}。"


# --- 发布活动 (a matching event to the official's region) ----------------------------------------------
def _event_title(value: str, ctx: FormContext) -> Result:
    t = value.strip()
    return Ok(t) if 2 <= len(t) <= 60 else Retry("活动标题请写 2 到 60 个字，例如：郑州市计算机类见习岗位专场对接会。")


def _event_date(value: str, ctx: FormContext) -> Result:
    m = re.search(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})", unicodedata.normalize("NFKC", value))
    if not m:
        return Retry("请按“年-月-日”输入活动日期，例如：2026-12-05。")
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return Retry("这个日期不存在，请核对，例如：2026-12-05。")
    if d < ctx.today:
        return Retry("活动日期不能早于今天。")
    return Ok(d.isoformat())


def _event_text(value: str, ctx: FormContext) -> Result:
    t = value.strip()
    return Ok(t) if 2 <= len(t) <= 600 else Retry("活动内容请写 2 到 600 个字（时间、参加单位、报名方式等）。")


def _event_place(value: str, ctx: FormContext) -> Result:
    t = value.strip()
    return Ok(t) if 2 <= len(t) <= 200 else Retry("请写活动地点或线上链接（200 字以内）。")


def _event_major(value: str, ctx: FormContext) -> Result:
    t = value.strip()
    if t in ("不限", "全部", "无"):
        return Ok("不限")
    found = ctx.majors.match(t)
    return Ok(found.name) if found else Retry("没有找到这个专业；不限专业请回复“不限”。")


def _announce(ctx: Context, values: dict[str, Any]) -> str:
    admin = admin_of(ctx)
    if admin is None:
        return NOT_OFFICIAL
    from scheduler.events import deliver_in_background, save_event

    services, region = ctx.services, admin.region_code
    major = None if values["major"] == "不限" else values["major"]
    if services.api is None:
        return "当前环境不能推送消息。"

    # Saved with this message; sent on a thread after the commit, so the reply does not wait for the delivery.
    event, _ = save_event(ctx.session, title=values["title"], text=values["text"],
                          starts_on=date.fromisoformat(values["date"]), place=values["place"], region=region,
                          major=major, created_by=f"official:{admin.name}")
    event_id, people = event.id, event.audience
    ctx.after(lambda: deliver_in_background(services.db, services.api, services.settings, event_id))
    return (f"✅ 活动“{values['title']}”已发布，正在推送，共{people}人（{ctx.user.region_name or '全国'}"
            f"{'' if major is None else major + '及相关专业的'}关注者）；活动前一天会再提醒一次。")


EVENT_FORM = router.form(Form(
    name="event",
    title="发布对接活动",
    slots=[Slot("title", "活动标题", "活动标题：", _event_title),
           Slot("date", "活动日期", "活动日期（例如 2026-12-05）：", _event_date),
           Slot("place", "地点", "活动地点或线上链接：", _event_place),
           Slot("text", "活动内容", "活动内容（参加单位、岗位、报名方式等）：", _event_text),
           Slot("major", "面向专业", "面向哪个专业？（同一专业类也会收到；不限请回复“不限”）", _event_major)],
    complete=_announce,
    intro="好的，发布专项对接活动，共 5 项；确认后推送给本地区的毕业生。",
))


@router.intent("official.event")
def publish_event(ctx: Context) -> Reply:
    if admin_of(ctx) is None:
        return NOT_OFFICIAL
    return ctx.dispatcher.forms.start(ctx, EVENT_FORM.name)


# --- handlers ------------------------------------------------------------------------------------
NOT_OFFICIAL = "这是人社工作人员的审核功能。如您是人社部门工作人员，请联系管理员开通账号。"


def inbox_text(ctx: Context, admin: Admin) -> str:
    today = ctx.now.date()
    where = ctx.user.region_name or "全国"
    parts: list[str] = [f"【{where}·待办】"]
    empty = True
    for kind in REVIEWABLES.values():
        lines = kind.pending(ctx.session, admin, today)
        if not lines:
            continue
        empty = False
        parts.append(f"{kind.word}待审核 {len(lines)} 条：")
        parts.extend(f"· {line}" for line in lines[:SHOWN])
        if len(lines) > SHOWN:
            parts.append(f"……另有 {len(lines) - SHOWN} 条，可在管理后台（/api/v1/admin/）查看全部。")
    if empty:
        parts.append("暂无待审核的事项。")
    else:
        parts.append("\n回复“查看 报名12”看详情，“通过 报名12”或“驳回 报名12 原因……”审核（单位、岗位同样）。")
    return "\n".join(parts)


@router.intent("official.inbox")
def inbox(ctx: Context) -> Reply:
    admin = admin_of(ctx)
    return inbox_text(ctx, admin) if admin else NOT_OFFICIAL


@router.intent("official.review")
def review(ctx: Context) -> Reply:
    admin = admin_of(ctx)
    if admin is None:
        return NOT_OFFICIAL
    m = _COMMAND.match(unicodedata.normalize("NFKC", ctx.text).strip())
    if not m:
        return "请按“通过 报名12”“驳回 报名12 原因……”“查看 报名12”回复。回复“待办”查看待审核的事项。"
    verb, word, ref, reason = m.groups()
    kind = REVIEWABLES.get("补贴" if word == "申领" else word)
    if kind is None:
        return f"{word}的审核还不能在聊天中办理，请使用管理后台（/api/v1/admin/）。"
    action = _VERBS[verb]
    if action == "show":
        return kind.show(ctx, admin, ref)
    return kind.act(ctx, admin, ref, action, reason.strip() or None)
