"""Opting out of and back into reminders: 退订 / 恢复提醒."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Router

router = Router("pushes")


@router.intent("pushes.off")
def opt_out(ctx: Context) -> str:
    ctx.user.pushes_enabled = False
    return "已为您退订提醒消息，之后不再主动推送。需要时回复“恢复提醒”即可重新开启。"


@router.intent("pushes.on")
def opt_in(ctx: Context) -> str:
    ctx.user.pushes_enabled = True
    return "已为您恢复提醒消息。回复“退订”可随时关闭。"
