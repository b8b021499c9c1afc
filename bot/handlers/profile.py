"""The graduate profile: show it (masked), and fill or correct it through a form."""

from __future__ import annotations

from typing import Any

from bot import validators as v
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.privacy import mask_phone

router = Router("profile")


def _show_region(value: Any) -> str:
    return value["name"] if isinstance(value, dict) else str(value)


def _show_graduation(value: Any) -> str:
    year, month = str(value).split("-")
    return f"{year}年{int(month)}月"


SLOTS = [
    Slot("name", "姓名", "请问您的姓名？", v.name),
    Slot("phone", "手机号", "请输入您的 11 位手机号（仅用于见习联系，加密保存）：", v.mobile, show=mask_phone),
    Slot("education", "学历", "您的最高学历是？回复序号或名称：1. 中专  2. 大专  3. 本科  4. 硕士  5. 博士", v.education),
    Slot("school", "毕业院校", "请输入毕业院校全称：", v.school),
    Slot("major", "专业", "请输入所学专业（例如：会计学、计算机科学与技术）：", v.major),
    Slot("graduation", "毕业时间", "您是哪年哪月毕业（离校）的？例如：2024年6月", v.graduation, show=_show_graduation),
    Slot("region", "所在地区", "您现在在哪个地区（省、市或区县）？例如：郑州市金水区", v.region, show=_show_region),
]


def _prefill(ctx: Context) -> dict[str, Any]:
    u = ctx.user
    known: dict[str, Any] = {"name": u.name, "education": u.education, "school": u.school, "major": u.major,
                             "graduation": u.graduation}
    if u.phone_enc:
        known["phone"] = ctx.services.vault.decrypt(u.phone_enc)
    if u.region_code:
        known["region"] = {"code": u.region_code, "name": u.region_name}
    return {k: val for k, val in known.items() if val}


def _save(ctx: Context, values: dict[str, Any]) -> str:
    u = ctx.user
    vault = ctx.services.vault
    u.name = values["name"]
    u.phone_enc = vault.encrypt(values["phone"])
    u.phone_hash = vault.lookup_hash(values["phone"])
    u.education = values["education"]
    u.school = values["school"]
    u.major = values["major"]
    u.graduation = values["graduation"]
    u.region_code = values["region"]["code"]
    u.region_name = values["region"]["name"]
    return "✅ 个人资料已保存。\n\n" + profile_text(ctx) + "\n\n现在可以点“找岗位”看看适合您的见习岗位。"


PROFILE_FORM = router.form(Form(
    name="profile",
    title="个人资料",
    slots=SLOTS,
    prefill=_prefill,
    complete=_save,
    intro="好的，我们来填写个人资料，共 7 项，大约 1 分钟。",
))


def profile_text(ctx: Context) -> str:
    known = _prefill(ctx)
    lines = ["您的个人资料："]
    for slot in SLOTS:
        value = known.get(slot.name)
        lines.append(f"· {slot.label}：{slot.show(value) if value else '（未填）'}")
    return "\n".join(lines)


@router.intent("profile.show")
def show_profile(ctx: Context) -> str:
    if not _prefill(ctx):
        return "您还没有填写个人资料。回复“填写资料”开始（约 1 分钟），填好后我能更准地为您推荐岗位。"
    return profile_text(ctx) + "\n\n回复“修改资料”可以更正。"


@router.intent("profile.fill")
def fill_profile(ctx: Context) -> Reply:
    return ctx.dispatcher.forms.start(ctx, PROFILE_FORM.name)
