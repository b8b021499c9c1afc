"""A person's own data: see it (我的信息, masked), correct it (修改资料 / 修改身份证号) and delete it
(删除我的信息, after a confirmation)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.applications.lifecycle import AWAITING_REVIEW
from bot.applications.service import HARDSHIP_LABELS, applications_text, delete_personal_data, masked_id
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.handlers import signup
from bot.handlers.profile import profile_text
from bot.models import Application, utcnow

router = Router("my_data")

CONFIRM_WITHIN = timedelta(minutes=10)


@router.intent("mydata.show")
def show(ctx: Context) -> str:
    u = ctx.user
    vault = ctx.services.vault
    lines = [profile_text(ctx)]
    lines.append(f"· 身份证号：{masked_id(vault, u.id_number_enc) or '（未填）'}")
    if u.beijing_origin is not None:
        lines.append(f"· 北京生源：{'是' if u.beijing_origin else '否'}")
    if u.beijing_hukou is not None:
        lines.append(f"· 本市户籍：{'是' if u.beijing_hukou else '否'}")
    if u.hardship_flags:
        shown = "、".join(HARDSHIP_LABELS.get(c, c) for c in u.hardship_flags.split())
        lines.append(f"· 困难情况：{shown}（您已同意用于帮扶）")
    elif u.hardship_flags == "":
        lines.append("· 困难情况：" + ("无" if u.hardship_consent_at else "未提供"))
    lines.append("（手机号和身份证号加密保存，这里只显示部分号码）")
    lines.append("")
    lines.append(applications_text(ctx.session, u.openid, ctx.now.date()))
    lines.append("")
    lines.append("回复“修改资料”更正个人资料，“修改身份证号”更正身份证号；"
                 "回复“删除我的信息”可删除您的个人信息。")
    return "\n".join(lines)


# --- 修改身份证号 ----------------------------------------------------------------------------------
def _known_id(ctx: Context) -> dict[str, Any]:
    known = signup.known_values(ctx)
    return {"id_number": known["id_number"]} if "id_number" in known else {}


def _save_id(ctx: Context, values: dict[str, Any]) -> str:
    vault = ctx.services.vault
    sealed = values["id_number"]
    number = vault.decrypt(sealed["enc"]) or ""
    id_hash = vault.lookup_hash(number)
    u = ctx.user
    u.id_number_enc, u.id_number_hash = sealed["enc"], id_hash
    u.birth_date = date.fromisoformat(sealed["birth_date"])
    pending = ctx.session.scalars(select(Application).where(Application.openid == u.openid,
                                                            Application.status.in_(AWAITING_REVIEW)))
    not_updated = 0
    for a in pending:
        try:
            with ctx.session.begin_nested():
                a.id_number_enc, a.id_number_hash = sealed["enc"], id_hash
                ctx.session.flush()
        except IntegrityError:
            not_updated += 1
    done = f"✅ 身份证号已更正为 {sealed['masked']}。待审核的报名已一并更新。"
    if not_updated:
        done += f"有 {not_updated} 个报名因该身份证号已报名过同一岗位未能更新，请联系当地人社部门。"
    return done


ID_FORM = router.form(Form(
    name="id_number",
    title="身份证号",
    slots=[Slot("id_number", "身份证号", "请输入正确的 18 位居民身份证号码（加密保存，只显示部分号码）：",
                signup._id_number, show=signup.masked_value)],
    prefill=_known_id,
    complete=_save_id,
))


@router.intent("mydata.fix_id")
def fix_id(ctx: Context) -> Reply:
    return ctx.dispatcher.forms.start(ctx, ID_FORM.name)


# --- 删除我的信息 -----------------------------------------------------------------------------------
@router.intent("mydata.delete")
def ask_delete(ctx: Context) -> str:
    ctx.remember(delete_requested_at=ctx.now.isoformat())
    return ("您要删除在这里保存的个人信息吗？删除后：\n"
            "· 姓名、手机号、身份证号、学历、院校、专业、所在地区和困难情况将被清除；\n"
            "· 您和我的聊天记录将被删除；\n"
            "· 已提交的报名按见习项目的记录要求保留岗位、状态和日期，但不再含有您的任何个人信息，"
            "之后也无法再为您查询或通知这些报名。\n"
            "确认删除请在 10 分钟内回复“确认删除”；不删除则无需回复。")


@router.intent("mydata.delete_confirm")
def confirm_delete(ctx: Context) -> str:
    requested = ctx.recall("delete_requested_at")
    fresh = False
    if requested:
        try:
            fresh = ctx.now - datetime.fromisoformat(requested) <= CONFIRM_WITHIN
        except ValueError:
            fresh = False
    if not fresh:
        ctx.forget("delete_requested_at")
        return "没有待确认的删除请求。如需删除个人信息，请先回复“删除我的信息”。"
    count = delete_personal_data(ctx.session, ctx.user, utcnow(), current_message=ctx.inbound.dedup_key)
    kept = f"您的 {count} 个报名已匿名化，仅保留岗位、状态和日期用于见习项目统计。" if count else ""
    return ("✅ 已删除您的个人信息和聊天记录。" + kept +
            "\n感谢您的使用，需要时可随时重新填写资料、报名岗位。")
