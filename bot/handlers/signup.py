"""Signing up for a position in chat (报名 <岗位编号>), and 我的报名.

The sign-up form reuses the stored profile and asks only what is missing; the phone and ID numbers are kept
sealed (encrypted) in the conversation state and shown masked. Before anything is saved the person confirms
a summary; then the eligibility rules of the position's region decide whether the application goes in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import validators as v
from bot.applications import lifecycle, rules
from bot.applications.service import (
    HARDSHIP_LABELS,
    applications_text,
    duplicate_text,
    existing_application,
    find_position,
    place_of,
    position_problem,
    region_of,
)
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.handlers.profile import SLOTS as PROFILE_SLOTS
from bot.models import Application, ApplicationStatus, Position, Unit, utcnow
from bot.notify import tell
from bot.privacy import Vault, mask_id_number, mask_phone
from bot.validators import FormContext, Ok, Result, Retry

router = Router("signup")

_CODE = re.compile(r"^(?:我要|我想)?报名\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9_\-]{0,31})$")
_PROFILE = {s.name: s for s in PROFILE_SLOTS}


# --- sealed personal numbers ---------------------------------------------------------------------
def seal_phone(vault: Vault, phone: str) -> dict[str, str]:
    return {"enc": vault.encrypt(phone), "masked": mask_phone(phone)}


def seal_id(vault: Vault, number: str, birth_date: str) -> dict[str, str]:
    return {"enc": vault.encrypt(number), "masked": mask_id_number(number), "birth_date": birth_date}


def _vault(ctx: FormContext) -> Vault:
    if ctx.vault is None:
        raise RuntimeError("the form runner gives validators the vault")
    return ctx.vault


def sealed_phone(value: str, ctx: FormContext) -> Result:
    result = v.mobile(value, ctx)
    return Ok(seal_phone(_vault(ctx), result.value)) if isinstance(result, Ok) else result


def _id_number(value: str, ctx: FormContext) -> Result:
    result = v.id_number(value, ctx)
    if not isinstance(result, Ok):
        return result
    return Ok(seal_id(_vault(ctx), result.value["number"], result.value["birth_date"]))


def masked_value(value: Any) -> str:
    return str(value.get("masked", "")) if isinstance(value, dict) else "（已加密）"


# --- the other answers ----------------------------------------------------------------------------
def _employment(value: str, ctx: FormContext) -> Result:
    t = unicodedata.normalize("NFKC", value).strip()
    options = {"1": rules.REGISTERED, "2": rules.UNREGISTERED, "3": rules.EMPLOYED}
    if t in options:
        return Ok(options[t])
    if re.search(r"已(经)?(就业|工作|上班|入职)|在上班|有工作|签了", t):
        return Ok(rules.EMPLOYED)
    if re.search(r"(没|未)(有)?(办|办理|做)?(过)?(失业)?登记", t):
        return Ok(rules.UNREGISTERED)
    if re.search(r"(已|办了|办过|有)(办理)?(失业)?登记|失业证", t):
        return Ok(rules.REGISTERED)
    if re.search(r"没(有)?(工作|就业)|未就业|待业|失业|无业", t):
        return Retry("请再告诉我是否已办理失业登记：回复 1（已登记）或 2（未登记）。")
    return Retry("请回复序号：1. 未就业，已办理失业登记  2. 未就业，未办理失业登记  3. 已就业。")


_HARDSHIP_WORDS = {"低保": "dibao", "脱贫": "tuopin", "返贫": "tuopin", "残疾": "disabled", "残障": "disabled"}
_HARDSHIP_NUMBERS = {"1": "dibao", "2": "tuopin", "3": "disabled"}


def _hardship(value: str, ctx: FormContext) -> Result:
    t = unicodedata.normalize("NFKC", value).strip()
    if t in ("0", "无", "没有", "都不是", "不是", "否", "都没有"):
        return Ok([])
    found: list[str] = []
    for word, code in _HARDSHIP_WORDS.items():
        if word in t and code not in found:
            found.append(code)
    parts = [p for p in re.split(r"[\s,，、;；和及]+", t) if p]
    if not found and parts and all(p in _HARDSHIP_NUMBERS for p in parts):
        found = list(dict.fromkeys(_HARDSHIP_NUMBERS[p] for p in parts))
    if not found:
        return Retry("请回复序号（可多选，如：1 3），都不是请回复 0。")
    return Ok([c for c in HARDSHIP_LABELS if c in found])


def _show_hardship(value: Any) -> str:
    return "、".join(HARDSHIP_LABELS[c] for c in value) if value else "无"


def _show_yes(value: Any) -> str:
    return "是" if value else "否"


def _show_consent(value: Any) -> str:
    return "同意提供" if value else "不提供"


EMPLOYMENT = Slot("employment", "就业状况",
                  "您目前的就业状况是？回复序号：\n1. 未就业，已办理失业登记\n2. 未就业，未办理失业登记\n3. 已就业",
                  _employment, show=lambda x: rules.EMPLOYMENT_LABELS.get(x, str(x)))
# Consent first, then the flags: nothing about hardship is asked, shown or kept without it.
CONSENT = Slot("hardship_consent", "提供困难情况",
               "如果您属于低保家庭、脱贫家庭或残疾人等困难毕业生，可以告诉我，以获得优先推荐和帮扶。"
               "这属于敏感个人信息，仅用于人社部门和见习单位为您提供帮扶，不对外公开，"
               "可随时回复“删除我的信息”删除。您是否同意提供？\n1. 同意提供\n2. 不提供（不影响报名）",
               v.yes_no, show=_show_consent, optional=True)
HARDSHIP = Slot("hardship", "困难情况",
                "您属于以下哪种情况（可多选，回复序号，如：1 3；都不是请回复 0）：\n"
                "1. 低保家庭\n2. 脱贫家庭（含防止返贫监测对象）\n3. 残疾人", _hardship, show=_show_hardship,
                follow_up=True)
BEIJING = [
    Slot("beijing_origin", "北京生源",
         "这个岗位在北京。您是北京生源毕业生吗（入学前户籍在北京，或毕业时派遣回北京）？\n1. 是\n2. 不是",
         v.yes_no, show=_show_yes),
    Slot("beijing_hukou", "本市户籍", "您现在是北京市（本市）户籍吗？\n1. 是\n2. 不是", v.yes_no, show=_show_yes),
]


def _slots(beijing: bool) -> list[Slot]:
    p = _PROFILE
    return [
        p["name"],
        Slot("phone", "手机号", "请输入您的 11 位手机号（用于见习联系，加密保存）：", sealed_phone, show=masked_value),
        Slot("id_number", "身份证号", "请输入您的 18 位居民身份证号码（用于资格审核，加密保存，只显示部分号码）：",
             _id_number, show=masked_value),
        p["education"], p["school"], p["major"], p["graduation"], p["region"],
        *(BEIJING if beijing else []),
        EMPLOYMENT, CONSENT, HARDSHIP,
    ]


def _skip(slot: Slot, values: dict[str, Any]) -> bool:
    return slot.name == HARDSHIP.name and values.get(CONSENT.name) is not True


# --- what is known already -----------------------------------------------------------------------
def known_values(ctx: Context) -> dict[str, Any]:
    """The stored profile, as sign-up form values (phone and ID sealed)."""
    u = ctx.user
    vault = ctx.services.vault
    known: dict[str, Any] = {"name": u.name, "education": u.education, "school": u.school, "major": u.major,
                             "graduation": u.graduation, "beijing_origin": u.beijing_origin,
                             "beijing_hukou": u.beijing_hukou}
    phone = vault.decrypt(u.phone_enc) if u.phone_enc else None
    if phone:
        known["phone"] = seal_phone(vault, phone)
    number = vault.decrypt(u.id_number_enc) if u.id_number_enc else None
    if number and u.birth_date:
        known["id_number"] = seal_id(vault, number, u.birth_date.isoformat())
    if u.region_code:
        known["region"] = {"code": u.region_code, "name": u.region_name}
    if u.hardship_flags is not None:  # answered before: consented (flags, or none of them) or declined
        consented = bool(u.hardship_flags) or u.hardship_consent_at is not None
        known["hardship_consent"] = consented
        if consented:
            known["hardship"] = u.hardship_flags.split()
    return {k: val for k, val in known.items() if val is not None and val != ""}


def _form(name: str, beijing: bool) -> Form:
    return router.form(Form(name=name, title="报名信息", slots=_slots(beijing), prefill=known_values,
                            complete=lambda ctx, values: complete(ctx, values), skip_when=_skip))


SIGNUP = _form("signup", beijing=False)
SIGNUP_BEIJING = _form("signup_bj", beijing=True)


# --- starting ------------------------------------------------------------------------------------
def _code(ctx: Context) -> str | None:
    if ctx.inbound.kind == "event":
        key = ctx.inbound.event_key or ""
        return (key.split(":", 1)[1].strip() or None) if ":" in key else None
    m = _CODE.match(unicodedata.normalize("NFKC", ctx.text).strip())
    return m.group(1) if m else None


@router.intent("applications.apply")
def apply(ctx: Context) -> Reply:
    code = _code(ctx)
    if not code:
        return ("请告诉我要报名的岗位编号，例如：报名 GZ-KJ-01。\n"
                "岗位编号在岗位信息里；还没有看中的岗位，可以回复“找岗位”查找。")
    position = find_position(ctx.session, code)
    if position is None:
        return f"没有找到编号为“{code}”的岗位，请核对岗位编号后重新发送，例如：报名 GZ-KJ-01。"
    existing = existing_application(ctx.session, ctx.user.openid, position.id)
    if existing is not None:
        return duplicate_text(existing)
    problem = position_problem(position, ctx.now.date())
    if problem:
        return problem
    draft = ctx.recall("signup_draft") or {}
    known = draft.get("values") if draft.get("code") == position.code else None
    ctx.remember(signup={"position_id": position.id, "code": position.code})
    ctx.forget("signup_draft")
    form = SIGNUP_BEIJING if position.province_code == "11" else SIGNUP
    head = (f"好的，为您报名：{position.title}（{position.code}）\n单位：{position.unit_name}，{place_of(position)}\n"
            "已填写过的资料会直接带出，只问还缺少的信息。")
    started = ctx.dispatcher.forms.start(ctx, form.name, known if known is not None else known_values(ctx))
    return f"{head}\n\n{started}"


# --- submitting ----------------------------------------------------------------------------------
def complete(ctx: Context, values: dict[str, Any]) -> Reply:
    pending = ctx.recall("signup") or {}
    ctx.forget("signup")
    position = ctx.session.get(Position, pending.get("position_id") or 0)
    if position is None:
        return "抱歉，这个岗位已下架，报名没有提交。回复“找岗位”看看其他岗位。"
    today = ctx.now.date()
    existing = existing_application(ctx.session, ctx.user.openid, position.id)
    if existing is not None:
        return duplicate_text(existing)
    problem = position_problem(position, today)
    if problem:
        return problem
    vault = ctx.services.vault
    number = vault.decrypt(values["id_number"]["enc"]) or ""
    id_hash = vault.lookup_hash(number)
    birth = date.fromisoformat(values["id_number"]["birth_date"])
    region_code = region_of(position)
    assessment = rules.assess(region_code=region_code, today=today, graduation=values["graduation"],
                              age=v.age_on(birth, today), education=values["education"],
                              employment=values["employment"], beijing_origin=values.get("beijing_origin"),
                              beijing_hukou=values.get("beijing_hukou"))
    if not assessment.may_submit:
        # Kept (numbers still sealed, hardship left out) so that 报名 <code> again only needs the wrong answer
        # corrected; 删除我的信息 clears it with the rest.
        draft = {k: val for k, val in values.items() if k not in (CONSENT.name, HARDSHIP.name)}
        ctx.remember(signup_draft={"code": position.code, "values": draft})
        return rules.refusal_text(assessment, position.code)
    same_person = ctx.session.scalar(select(Application.id).where(Application.id_number_hash == id_hash,
                                                                  Application.position_id == position.id))
    if same_person is not None:
        return ("这个身份证号已经报名过该岗位（可能是用其他微信号报名的），同一岗位每人只能报名一次。"
                "如有疑问请联系当地人社部门。")
    consent = values.get("hardship_consent") is True
    flags = " ".join(values.get("hardship") or []) if consent else None
    _save_profile(ctx, values, number, birth, flags)
    application = Application(
        openid=ctx.user.openid, position_id=position.id, position_code=position.code, unit_id=position.unit_id,
        region_code=region_code, status=ApplicationStatus.submitted.value,
        applicant_name=values["name"], phone_enc=values["phone"]["enc"], id_number_enc=values["id_number"]["enc"],
        id_number_hash=id_hash, education=values["education"], hardship_flags=flags or None, route=assessment.route,
        eligibility=assessment.verdict, eligibility_notes="；".join(assessment.reasons + assessment.notes) or None,
        review_due_on=lifecycle.review_due_on(region_code, today))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(application)
            ctx.session.flush()
    except IntegrityError:  # the same person, from two devices at once
        return "您已经报名过这个岗位，同一岗位只能报名一次。回复“我的报名”查看报名状态。"
    lifecycle.record_submission(ctx.session, application)
    _tell_unit(ctx, position, application)
    return _submitted_text(position, application, assessment)


def _tell_unit(ctx: Context, position: Position, application: Application) -> None:
    """The unit's contact hears of the new sign-up once it is committed (name only: no phone, no ID number)."""
    unit = ctx.session.get(Unit, position.unit_id) if position.unit_id else None
    api, db = ctx.services.api, ctx.services.db
    if unit is None or not unit.contact_openid or api is None:
        return
    openid, ref = unit.contact_openid, application.id
    text = (f"【新报名】{application.applicant_name}报名了贵单位的“{position.title}”（{position.code}），报名编号：报名{ref}。"
            f"\n回复“我的申请人”查看报名情况；决定录用请回复“录用 报名{ref}”，不录用请回复“不录用 报名{ref} 原因”。")
    ctx.after(lambda: tell(api, db, openid, text, intent="units.signup", key=f"signup:{ref}"))


def _save_profile(ctx: Context, values: dict[str, Any], number: str, birth: date, flags: str | None) -> None:
    u = ctx.user
    vault = ctx.services.vault
    phone = vault.decrypt(values["phone"]["enc"]) or ""
    u.name = values["name"]
    u.phone_enc, u.phone_hash = values["phone"]["enc"], vault.lookup_hash(phone)
    u.id_number_enc, u.id_number_hash, u.birth_date = values["id_number"]["enc"], vault.lookup_hash(number), birth
    u.education, u.school, u.major = values["education"], values["school"], values["major"]
    u.graduation = values["graduation"]
    u.region_code, u.region_name = values["region"]["code"], values["region"]["name"]
    for key in ("beijing_origin", "beijing_hukou"):
        if key in values:
            setattr(u, key, values[key])
    consent = values.get("hardship_consent")
    if consent is True and values.get("hardship") is not None:  # the flags ("" for none), with consent
        u.hardship_flags, u.hardship_consent_at = flags or "", utcnow()
    elif consent is False:  # declined: remembered (not asked again), nothing sensitive kept
        u.hardship_flags, u.hardship_consent_at = "", None
    else:  # not answered
        u.hardship_flags, u.hardship_consent_at = None, None


def _submitted_text(position: Position, application: Application, assessment: rules.Assessment) -> str:
    lines = ["✅ 报名已提交！",
             f"岗位：{position.title}（{position.code}）",
             f"单位：{position.unit_name}",
             f"状态：{lifecycle.label(application.status)}"]
    caution = rules.caution_text(assessment)
    if caution:
        lines.append(caution)
    rule = lifecycle.review_rule(application.region_code)
    if rule and application.review_due_on:
        lines.append(f"按{rule.doc}，人社部门应在{rule.working_days}个工作日内审核，"
                     f"最晚{lifecycle.date_text(application.review_due_on)}。")
    lines.append("审核结果会通过公众号消息通知您；回复“我的报名”可随时查看进度。")
    return "\n".join(lines)


# --- 我的报名 --------------------------------------------------------------------------------------
@router.intent("applications.mine")
def my_applications(ctx: Context) -> str:
    return applications_text(ctx.session, ctx.user.openid, ctx.now.date())
