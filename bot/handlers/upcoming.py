"""Menu entries whose flows are still being built: an honest answer instead of silence.

Each of these is replaced by its own module as it lands (positions, policy, applications, units).
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Router

router = Router("upcoming")

_SOON = {
    "unit.services": "单位服务（单位申报、发布岗位、考勤、补贴申领）",
}


def _soon(ctx: Context) -> str:
    what = _SOON.get(ctx.intent or "", "这项功能")
    return (f"“{what}”正在上线准备中，暂时还不能在这里办理，敬请期待。\n"
            "现在您可以先回复“填写资料”完善个人信息，上线后我会优先为您推荐。"
            "如有急事，请联系当地人社部门或公共就业服务机构。")


for _intent in _SOON:
    router.intent(_intent)(_soon)
