"""Monthly attendance and subsidy claims in chat, for the unit contact.

    考勤                              → how to report, and who is on internship last month
    考勤 2026-10 张三 22 李四 20        → days attended per trainee (all saved, or none with the reasons)
    申领补贴 2026-10                   → the computation per trainee, to check
    确认申领 2026-10                   → submit it (officials review; the unit is told)
    申领补贴 差额 / 确认申领 差额        → the "1+1" differences whose retention was recorded after their month
    我的申领                           → the unit's claims and their statuses

Where the minimum-wage table lists a province's tiers but not which counties are in each (河南), the first
claim asks the unit which tier its county is in (a one-question form); it is kept on the unit for every claim
after, and an official may set or correct it (档次 单位3 二类, or the admin API).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.applications.service import trainee_label
from bot.claims import service as claims
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.models import SubsidyClaim, UnitStatus
from bot.units.service import unit_of
from bot.validators import FormContext, Ok, Result, Retry
from knowledge.calculators.min_wage import yuan

router = Router("claims")


def last_month(today: date) -> str:
    y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{y:04d}-{m:02d}"


def _unit(ctx: Context):  # type: ignore[no-untyped-def]
    unit = unit_of(ctx.session, ctx.user.openid)
    if unit is None:
        return None, "考勤和补贴申领由见习单位联系人办理。您还没有绑定见习单位：回复“单位申报”开始申报。"
    if unit.status != UnitStatus.approved.value:
        return None, f"单位申报目前是“{'待审核' if unit.status == 'pending' else '未通过'}”，审核通过后才能报送考勤、申领补贴。"
    return unit, None


@router.intent("claims.attendance")
def attendance(ctx: Context) -> Reply:
    unit, refusal = _unit(ctx)
    if unit is None:
        return refusal
    month, entries = claims.parse_attendance(ctx.text)
    if month is None and not entries:
        month = last_month(ctx.now.date())
        people = claims.trainees(ctx.session, unit, month)
        names = " ".join(f"{a.applicant_name or '报名' + str(a.id)} 22" for a in people[:3]) or "张三 22"
        done = claims.attendance_of(ctx.session, unit, month)
        listed = "、".join(f"{trainee_label(a)}（{'已报 ' + str(done[a.id]) + ' 天' if a.id in done else '未报'}）"
                          for a in people) or "（无）"
        return (f"请按月报送见习人员出勤天数，一条消息即可，例如：\n考勤 {month} {names}\n"
                f"{claims.month_text(month)}在岗的见习人员：{listed}\n申领补贴前可随时更正（重新发送即可）。")
    if month is None:
        return "请写明月份，例如：考勤 " + last_month(ctx.now.date()) + " 张三 22"
    try:
        saved = claims.record_attendance(ctx.session, unit, month, entries, today=ctx.now.date(),
                                         actor=f"unit:{unit.id}")
    except claims.ClaimError as e:
        return e.message
    lines = [f"✅ 已保存{claims.month_text(month)}考勤："] + [f"· {trainee_label(a)}：{d} 天" for a, d in saved]
    missing = [trainee_label(a) for a in claims.trainees(ctx.session, unit, month)
               if a.id not in claims.attendance_of(ctx.session, unit, month)]
    if missing:
        lines.append(f"还差：{'、'.join(missing)}。")
    else:
        lines.append(f"本月考勤已齐，月份结束后回复“申领补贴 {month}”申领补贴。")
    return "\n".join(lines)


# --- the unit's minimum-wage tier (asked once) ------------------------------------------------------
def _tier(value: str, ctx: FormContext) -> Result:
    tiers: list[dict[str, str]] = ctx.values.get("_tiers") or []
    found = claims.parse_tier(value, [t["tier"] for t in tiers])
    if found is None:
        listed = "  ".join(f"{i}. {t['tier']}（{t['amount']}元）" for i, t in enumerate(tiers, 1))
        return Retry(f"请回复序号或档次名称：{listed}。不清楚的可以先向当地人社部门询问，回复“取消”暂不申领。")
    return Ok(next(t for t in tiers if t["tier"] == found))


TIER_FORM = router.form(Form(
    name="wage_tier",
    title="最低工资档次",
    slots=[Slot("wage_tier", "最低工资档次", "请回复档次序号（如 1）或名称（如 一类）：", _tier,
                show=lambda v: f"{claims.tier_label(v['tier'])}（{v['amount']}元）" if isinstance(v, dict) else str(v))],
    complete=lambda ctx, values: _tier_saved(ctx, values),
))


def _ask_tier(ctx: Context, question: claims.TierQuestion, then: str | None = None) -> str:
    ctx.remember(wage_tier_month=then or question.month)
    tiers = [{"tier": r.tier, "amount": r.amount} for r in question.tiers]
    started = ctx.dispatcher.forms.start(ctx, TIER_FORM.name, {"_tiers": tiers})
    return question.text() + "\n\n" + started


def _tier_saved(ctx: Context, values: dict[str, Any]) -> str:
    unit, refusal = _unit(ctx)
    if unit is None:
        return refusal
    month = ctx.recall("wage_tier_month") or last_month(ctx.now.date())
    ctx.forget("wage_tier_month")
    on = ctx.now.date() if month == DIFFERENCE else claims.month_bounds(month)[0]
    try:
        rule = claims.set_wage_tier(unit, values["wage_tier"]["tier"], by="unit", on=on)
    except claims.ClaimError as e:
        return e.message
    head = (f"✅ 已记录：贵单位按{rule.label}最低工资标准申领见习补贴，以后的申领都按这一档计算"
            "（如需更正，请联系当地人社部门）。\n\n")
    return head + (_difference(ctx, unit, confirm=False) if month == DIFFERENCE else _preview(ctx, unit, month))


DIFFERENCE = "差额"  # what the tier form returns to when it was asked for a difference claim


def _difference(ctx: Context, unit, confirm: bool) -> str:  # type: ignore[no-untyped-def]
    """申领补贴 差额 / 确认申领 差额: the "1+1" differences whose retention became known after their month."""
    today = ctx.now.date()
    computed = claims.compute_difference(ctx.session, unit, today)
    if computed.tier_question is not None:
        return _ask_tier(ctx, computed.tier_question, then=DIFFERENCE)
    if confirm:
        try:
            submitted = claims.submit_difference(ctx.session, unit, today)
        except claims.ClaimError as e:
            return e.message
        return (f"✅ 已提交{claims.claim_title(submitted)}申领（申领{submitted.id}），合计 {yuan(submitted.total)} 元，"
                "等待人社部门审核，结果会通知您。")
    preview = claims.preview_text(computed, unit.name)
    return preview if computed.problems else preview + "\n\n核对无误请回复“确认申领 差额”提交。"


def _preview(ctx: Context, unit, month: str) -> str:  # type: ignore[no-untyped-def]
    computed = claims.compute(ctx.session, unit, month, ctx.now.date())
    preview = claims.preview_text(computed, unit.name)
    if computed.problems:
        return preview
    return preview + f"\n\n核对无误请回复“确认申领 {month}”提交。"


@router.intent("claims.claim")
def claim(ctx: Context) -> Reply:
    unit, refusal = _unit(ctx)
    if unit is None:
        return refusal
    text = unicodedata.normalize("NFKC", ctx.text)
    if ("至" in text or "到" in text or "一次性" in text) and len(claims.MONTH.findall(text)) != 1:
        return ("见习补贴按月申领，一次申领一个月：国家实行“1+1”申领模式，不得见习结束后集中发放"
                "（人社部发〔2023〕27号 四（二））。请按月回复，例如：申领补贴 " + last_month(ctx.now.date()))
    today = ctx.now.date()
    if "差额" in text:
        return _difference(ctx, unit, confirm=text.startswith("确认"))
    month = claims.parse_month(text) or last_month(today)
    existing = claims.claim_of(ctx.session, unit, month)
    if existing is None or existing.status == "rejected":
        question = claims.compute(ctx.session, unit, month, today).tier_question
        if question is not None:  # which tier of minimum wage: asked once, then the computation
            return _ask_tier(ctx, question)
    if text.startswith("确认"):
        try:
            submitted = claims.submit(ctx.session, unit, month, today)
        except claims.ClaimError as e:
            return e.message
        return (f"✅ 已提交{claims.month_text(month)}见习补贴申领（申领{submitted.id}），合计 "
                f"{yuan(submitted.total)} 元，等待人社部门审核，结果会通知您。")
    if existing is not None and existing.status != "rejected":
        return claims.claim_text(existing, unit.name)
    return _preview(ctx, unit, month)


@router.intent("claims.mine")
def my_claims(ctx: Context) -> Reply:
    unit, refusal = _unit(ctx)
    if unit is None:
        return refusal
    rows = list(ctx.session.scalars(select(SubsidyClaim).where(SubsidyClaim.unit_id == unit.id)
                                    .order_by(SubsidyClaim.month.desc())))
    if not rows:
        return f"还没有补贴申领。月份结束、考勤报齐后回复“申领补贴 {last_month(ctx.now.date())}”。"
    return "\n".join([f"{unit.name}的补贴申领："] + [
        f"· 申领{c.id}：{claims.claim_title(c)} {yuan(c.total)} 元，{claims.claim_label(c.status)}"
        + (f"（{c.reason}）" if c.reason else "") for c in rows])
