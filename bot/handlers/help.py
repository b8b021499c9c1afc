"""What the bot can do: the help text, greetings, and the reply to a message it did not understand."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Router
from bot.models import Role

router = Router("help")

_COMMON = (
    "1. 找岗位：告诉我专业和想去的地方，例如“学会计的，想在广州见习”\n"
    "2. 政策问答：见习补贴、参加条件、见习期限等，例如“河南见习补贴是多少”\n"
    "3. 我的：报名进度、个人信息（回复“填写资料”完善资料）"
)
_BY_ROLE = {
    Role.unit.value: "\n4. 单位服务：单位申报、发布岗位、月度考勤、补贴申领（回复“单位服务”）",
    Role.official.value: "\n4. 工作台：审核报名和单位、发布对接活动、月度情况汇总表（回复“单位服务”查看）",
}
_TAIL = "\n\n菜单按钮也可以直接点。回复“帮助”随时查看本说明。"


def capabilities(ctx: Context) -> str:
    return _COMMON + _BY_ROLE.get(ctx.user.role, "") + _TAIL


@router.intent("help")
def show_help(ctx: Context) -> str:
    return "我是“见习”助手，可以帮您：\n" + capabilities(ctx)


@router.intent("greet")
def greet(ctx: Context) -> str:
    who = f"{ctx.user.name}，" if ctx.user.name else ""
    return f"{who}您好！我是就业见习助手。我可以帮您：\n" + capabilities(ctx)


def fallback(ctx: Context) -> str:
    """A message no flow understood: say so briefly and list what works."""
    return "抱歉，这个问题我暂时没听懂。您可以试试：\n" + capabilities(ctx)
