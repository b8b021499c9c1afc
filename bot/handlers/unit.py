"""Host units in chat (单位服务): 单位申报 with the region's criteria, 发布岗位 (reviewed before it goes live),
我的申请人, and the decisions on applicants (录用 / 不录用 / 签协议).

    单位服务                         → what the unit can do now (or the officials' workbench for an official)
    单位申报                         → the registration form; a summary to confirm; then review by an official
    发布岗位                         → the position form; the position waits for review, then goes live
    我的申请人                       → who applied to the unit's positions, phone masked
    录用 报名12 / 不录用 报名12 原因  → accept / reject (the applicant is told)
    签协议 报名12 2026-12-01 2027-05-31 → the internship agreement: on internship from start to end
    期满 报名12 / 留用 报名12        → the internship completed / the trainee kept on (before or after the end)
    提前结束 报名12 [2026-11-15] 原因 → the internship ended early (default today), with the reason
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from bot import validators as v
from bot.applications.lifecycle import TransitionError, date_text, label, transition
from bot.applications.service import notify_status_change, trainee_label
from bot.claims import service as claims
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.handlers.official import admin_of
from bot.handlers.official import inbox as official_inbox
from bot.handlers.signup import masked_value, sealed_phone
from bot.models import ApplicationStatus, PositionCategory, UnitStatus
from bot.positions.features import major_code, split_majors
from bot.units import service
from bot.validators import FormContext, Ok, Result, Retry

router = Router("unit")

CATEGORIES = [c.value for c in PositionCategory]
POSITION_EDUCATION = ("不限", "中专", "大专", "本科", "硕士", "博士")
_DECISION = re.compile(r"^(录用|同意录用|不录用|拒绝|签协议|签订协议|开始见习|期满|见习期满|留用|提前结束|终止见习)"
                       r"\s*报名\s*#?\s*(\d+)\s*[,，:：]?\s*(.*)$")
DECISION_HINT = ("请按以下格式回复：\n· 录用 报名12\n· 不录用 报名12 原因……\n· 签协议 报名12 2026-12-01 2027-05-31\n"
                 "· 期满 报名12（见习期满）\n· 留用 报名12（期满或提前留用）\n· 提前结束 报名12 原因……（可加结束日期）")
_DATE = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?")


# --- 单位申报 ------------------------------------------------------------------------------------------
def _show_region(value: Any) -> str:
    return value["name"] if isinstance(value, dict) else str(value)


def _show_yes(value: Any) -> str:
    return "是" if value else "否"


def _show_registered(value: Any) -> str:
    d = date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


def _credit(value: str, ctx: FormContext) -> Result:
    return v.credit_code(value, ctx)


REGISTER_FORM = router.form(Form(
    name="unit_register",
    title="见习单位申报",
    slots=[
        Slot("name", "单位名称", "请输入单位全称（与营业执照或登记证书一致）：", v.unit_name),
        Slot("credit_code", "统一社会信用代码", "请输入 18 位统一社会信用代码（营业执照上）：", _credit),
        Slot("region", "所在地区", "单位在哪个地区（省、市或区县）？例如：长沙市岳麓区", v.region, show=_show_region),
        Slot("contact_name", "联系人", "见习工作联系人的姓名：", v.name),
        Slot("contact_phone", "联系电话", "联系人的 11 位手机号（加密保存，只显示部分号码）：", sealed_phone,
             show=masked_value),
        Slot("insured", "参保人数", "单位目前社保参保人数（人）：", v.headcount),
        Slot("registered_on", "成立日期", "单位成立日期（营业执照上的，例如 2019年3月）：", v.registered_on,
             show=_show_registered),
        Slot("wants_base", "申请见习基地", "是否同时申请认定为就业见习基地？回复 1. 是  2. 否", v.yes_no, show=_show_yes),
    ],
    complete=lambda ctx, values: _registered(ctx, values),
    intro="好的，我们来填写见习单位申报，共 8 项。填好后由当地人社部门审核。",
))


def _registered(ctx: Context, values: dict[str, Any]) -> str:
    vault = ctx.services.vault
    phone = vault.decrypt(values["contact_phone"]["enc"])
    claimed = service.claim(ctx.session, vault, credit_code=values["credit_code"], contact_phone=phone,
                            openid=ctx.user.openid)
    if claimed is not None:
        return (f"✅ {claimed.name} 已由人社部门代为申报，现已绑定到您的微信（联系电话与申报时一致）。\n"
                + _menu(ctx))
    try:
        unit, assessment = service.register(
            ctx.session, vault, name=values["name"], credit_code=values["credit_code"],
            region_code=values["region"]["code"], contact_name=values["contact_name"], contact_phone=phone,
            insured=values["insured"], registered_on=date.fromisoformat(values["registered_on"]),
            wants_base=values["wants_base"], today=ctx.now.date(), contact_openid=ctx.user.openid)
    except service.ReviewError as e:
        return e.message
    lines = [f"✅ {unit.name} 的申报已提交，等待{values['region']['name']}人社部门审核，结果会通知您。",
             "按当地规定的条件核对如下："]
    lines.append(assessment.text())
    if not assessment.meets:
        lines.append("有条件暂不符合，审核时可能不予认定见习基地；如属可放宽的情形，请向当地人社部门说明。")
    return "\n".join(lines)


# --- 发布岗位 ------------------------------------------------------------------------------------------
def _title(value: str, ctx: FormContext) -> Result:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    if not 2 <= len(t) <= 30:
        return Retry("岗位名称请写 2 到 30 个字，例如：会计助理。")
    return Ok(t)


def _category(value: str, ctx: FormContext) -> Result:
    t = unicodedata.normalize("NFKC", value).strip()
    if t.isdigit() and 1 <= int(t) <= len(CATEGORIES):
        return Ok(CATEGORIES[int(t) - 1])
    found = [c for c in CATEGORIES if t and (t in c or c.removesuffix("类") in t)]
    if len(found) == 1:
        return Ok(found[0])
    return Retry("请回复序号：" + "  ".join(f"{i}. {c}" for i, c in enumerate(CATEGORIES, 1)))


def _majors(value: str, ctx: FormContext) -> Result:
    t = unicodedata.normalize("NFKC", value).strip()
    if t in ("不限", "专业不限", "无", "都可以"):
        return Ok("不限")
    names = split_majors(t)
    unknown = [n for n in names if major_code(n, broad=True) is None and not ctx.majors.match(n)]
    if not names or unknown:
        what = "、".join(unknown) if unknown else t
        return Retry(f"没有在专业目录中找到“{what}”。请写规范的专业名称（如：会计学、计算机科学与技术），"
                     "多个用顿号分开；不限专业请回复“不限”。")
    return Ok("、".join(names))


def _education(value: str, ctx: FormContext) -> Result:
    t = unicodedata.normalize("NFKC", value).strip()
    if t.isdigit() and 1 <= int(t) <= len(POSITION_EDUCATION):
        return Ok(POSITION_EDUCATION[int(t) - 1])
    found = [e for e in POSITION_EDUCATION if e in t]
    if found:
        return Ok(found[0])
    return Retry("请回复序号：" + "  ".join(f"{i}. {e}" for i, e in enumerate(POSITION_EDUCATION, 1)))


def _count(value: str, ctx: FormContext) -> Result:
    result = v.headcount(value, ctx)
    if isinstance(result, Ok) and result.value > 50:
        return Retry("一个岗位的招募人数请不超过 50 人；人数更多请分成几个岗位发布。")
    return result


def _months(value: str, ctx: FormContext) -> Result:
    t = unicodedata.normalize("NFKC", value).strip().removesuffix("个月").removesuffix("月").strip()
    if not t.isdigit() or not 3 <= int(t) <= 12:
        return Retry("见习期限为 3 到 12 个月（人社部发〔2023〕27号），请输入 3 到 12 之间的整数。")
    return Ok(int(t))


def _description(value: str, ctx: FormContext) -> Result:
    t = value.strip()
    if len(t) > 300:
        return Retry(f"岗位描述请不超过 300 字（现在 {len(t)} 字）。")
    return Ok(t)


POSITION_FORM = router.form(Form(
    name="publish_position",
    title="发布见习岗位",
    slots=[
        Slot("title", "岗位名称", "岗位名称（例如：会计助理）：", _title),
        Slot("category", "岗位类别", "岗位类别，回复序号：" + "  ".join(f"{i}. {c}" for i, c in enumerate(CATEGORIES, 1)),
             _category),
        Slot("majors", "专业要求", "专业要求（多个用顿号分开，例如：会计学、财务管理；不限请回复“不限”）：", _majors),
        Slot("education", "学历要求", "学历要求，回复序号：" + "  ".join(
            f"{i}. {e}" for i, e in enumerate(POSITION_EDUCATION, 1)), _education),
        Slot("headcount", "招募人数", "招募人数：", _count),
        Slot("months", "见习期限", "见习期限（3-12 个月）：", _months, show=lambda m: f"{m} 个月"),
        Slot("description", "岗位描述", "岗位描述（工作内容、带教安排等，300 字以内）：", _description, optional=True),
    ],
    complete=lambda ctx, values: _published(ctx, values),
))


def _published(ctx: Context, values: dict[str, Any]) -> str:
    unit = service.unit_of(ctx.session, ctx.user.openid)
    if unit is None:
        return "没有找到您的单位，请先回复“单位申报”。"
    try:
        p = service.publish(ctx.session, unit, title=values["title"], category=values["category"],
                            majors=values["majors"], education=values["education"], headcount=values["headcount"],
                            months=values["months"], description=values.get("description") or "")
    except service.ReviewError as e:
        return e.message
    return (f"✅ 岗位“{p.title}”已提交（岗位编号 {p.code}），人社部门审核通过后上线，结果会通知您。\n"
            "回复“发布岗位”继续发布，或“单位服务”返回。")


# --- handlers ------------------------------------------------------------------------------------
def _menu(ctx: Context) -> str:
    unit = service.unit_of(ctx.session, ctx.user.openid)
    if unit is None:
        return ("单位服务：\n· 单位申报：见习单位申报（约 2 分钟），由当地人社部门审核\n"
                "审核通过后还可以办理：\n· 发布岗位：提交见习岗位（审核后上线）\n· 我的申请人：查看报名、录用、签协议\n"
                "· 考勤：每月报送见习人员出勤天数\n· 申领补贴：按月申领见习补贴\n"
                "回复“单位申报”开始。有疑问可直接问政策，例如“长沙见习基地要什么条件”。")
    lines = [f"【{unit.name}】申报状态：{service.unit_label(unit.status)}"
             + ("（见习基地" + (f"，有效期至{date_text(unit.base_valid_until)}" if unit.base_valid_until else "")
                + "）" if unit.is_base else "")]
    if unit.status == UnitStatus.approved.value:
        lines += ["可以办理：", "· 发布岗位：提交新的见习岗位（审核后上线）", "· 我的申请人：查看报名、录用、签协议",
                  "· 见习结束：期满 报名12 / 留用 报名12 / 提前结束 报名12 原因",
                  "· 考勤：每月报送见习人员出勤天数，例如“考勤 2026-10 张三 22 李四 20”",
                  "· 申领补贴：按月申领见习补贴，例如“申领补贴 2026-10”"]
    elif unit.status == UnitStatus.refused.value:
        lines.append(f"原因：{unit.review_reason or '未说明'}。如有疑问请咨询当地人社部门。")
        lines.append("情况有变化的，可以回复“单位申报”重新申报。")
    else:
        lines.append("审核通过后会通知您，届时即可发布岗位。")
    return "\n".join(lines)


@router.intent("unit.services")
def unit_services(ctx: Context) -> Reply:
    if admin_of(ctx) is not None:  # the same menu button is an official's workbench
        return official_inbox(ctx)
    return _menu(ctx)


@router.intent("unit.register")
def unit_register(ctx: Context) -> Reply:
    unit = service.unit_of(ctx.session, ctx.user.openid)
    if unit is not None and unit.status != UnitStatus.refused.value:  # a refused unit may apply again
        return _menu(ctx)
    return ctx.dispatcher.forms.start(ctx, REGISTER_FORM.name)


@router.intent("unit.publish")
def unit_publish(ctx: Context) -> Reply:
    unit = service.unit_of(ctx.session, ctx.user.openid)
    if unit is None:
        return "发布岗位前请先完成见习单位申报：回复“单位申报”开始。"
    if unit.status != UnitStatus.approved.value:
        return f"单位申报目前是“{service.unit_label(unit.status)}”，审核通过后才能发布岗位。"
    return ctx.dispatcher.forms.start(ctx, POSITION_FORM.name)


@router.intent("unit.applicants")
def unit_applicants(ctx: Context) -> Reply:
    unit = service.unit_of(ctx.session, ctx.user.openid)
    if unit is None:
        return "您还没有绑定见习单位。回复“单位申报”开始申报。"
    return service.applicants_text(ctx.session, unit, ctx.services.vault, ctx.now.date())


def _dates(text: str) -> list[date] | str:
    found = []
    for y, m, d in _DATE.findall(text):
        try:
            found.append(date(int(y), int(m), int(d)))
        except ValueError:
            return f"日期“{y}-{m}-{d}”不存在，请核对。"
    return found


@router.intent("unit.decide")
def unit_decide(ctx: Context) -> Reply:
    unit = service.unit_of(ctx.session, ctx.user.openid)
    if unit is None:
        return "您还没有绑定见习单位。回复“单位申报”开始申报。"
    m = _DECISION.match(unicodedata.normalize("NFKC", ctx.text).strip())
    if not m:
        return DECISION_HINT
    verb, ref, rest = m.group(1), int(m.group(2)), m.group(3).strip()
    a = service.unit_application(ctx.session, unit, ref)
    if a is None:
        return f"没有找到报名{ref}（只能处理本单位岗位的报名）。回复“我的申请人”查看。"
    today = ctx.now.date()
    kwargs: dict[str, Any] = {}
    if verb in ("录用", "同意录用"):
        target = ApplicationStatus.accepted
    elif verb in ("不录用", "拒绝"):
        target = ApplicationStatus.rejected
        kwargs["reason"] = re.sub(r"^原因\s*[:：]?\s*", "", rest) or None
    elif verb in ("期满", "见习期满"):
        target = ApplicationStatus.completed
        if a.status == ApplicationStatus.on_internship.value and a.ends_on and today < a.ends_on:
            return (f"报名{a.id}的见习期到{date_text(a.ends_on)}才满。提前结束请回复“提前结束 报名{a.id} 原因”，"
                    f"提前留用请回复“留用 报名{a.id}”。")
    elif verb == "留用":
        target = ApplicationStatus.retained
    elif verb in ("提前结束", "终止见习"):
        target = ApplicationStatus.ended_early
        dates = _dates(rest)
        if isinstance(dates, str):
            return dates
        if len(dates) > 1:
            return f"请只写一个结束日期，例如：提前结束 报名{ref} 2026-11-15 个人原因"
        if dates:
            if dates[0] > today:
                return "结束日期不能晚于今天；还没有结束的，请到结束那天再登记。"
            kwargs["ends_on"] = dates[0]
        reason = _DATE.sub(" ", rest).strip()
        kwargs["reason"] = re.sub(r"^原因\s*[:：]?\s*", "", reason).strip() or None
        if not kwargs["reason"]:
            return f"请写明提前结束的原因，见习人员会收到这一说明。例如：提前结束 报名{ref} 个人原因"
    else:
        dates = _dates(rest)
        if isinstance(dates, str):
            return dates
        if len(dates) != 2:
            return f"请写明见习起止日期，例如：签协议 报名{ref} 2026-12-01 2027-05-31"
        target = ApplicationStatus.on_internship
        kwargs.update(starts_on=dates[0], ends_on=dates[1])
    try:
        transition(ctx.session, a, target, actor=f"unit:{unit.id}", today=today, **kwargs)
    except TransitionError as e:
        return e.message
    api, db, application_id = ctx.services.api, ctx.services.db, a.id
    told = ""
    if api is not None and a.anonymised_at is None:
        ctx.after(lambda: notify_status_change(api, db, application_id))
        ended = (ApplicationStatus.completed, ApplicationStatus.retained, ApplicationStatus.ended_early)
        told = "，已通知见习人员" if target in ended else "，已通知申请人"
    extra = ""
    if target == ApplicationStatus.on_internship:
        extra = f"（{date_text(a.starts_on)}至{date_text(a.ends_on)}）"
    elif target == ApplicationStatus.ended_early:
        extra = f"（{date_text(a.ends_on)}结束）"
    reply = f"报名{a.id}（{trainee_label(a)}）已改为“{label(a.status)}”{extra}{told}。"
    note = service.cap_note(ctx.session, unit) if target == ApplicationStatus.on_internship else None
    ended = a.ends_on is not None and a.ends_on <= today
    if target in (ApplicationStatus.completed, ApplicationStatus.retained) and ended and claims.pays_difference(unit):
        note = ("单位留用率达到规定比例的，该见习人员的“1+1”差额会在下次申领补贴时计发，"
                "也可回复“申领补贴 差额”单独申领。")
    return reply + ("\n" + note if note else "")
