"""Opting out of and back into reminders: 退订 / 退订 考勤提醒 / 恢复提醒 / 恢复 考勤提醒.

Any kind's name or short name after 退订 / 恢复 comes here first (intents.yaml lists them as commands):
退订 汇总表, 恢复 补贴, 恢复 对接活动通知 ...

退订 alone stops every push to the person; with a kind, only that kind (scheduler.push reads ``push_opt_outs``).
Unfollowing the account stops everything too (bot.handlers.welcome).
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from bot.conversation.context import Context
from bot.conversation.router import Router
from bot.models import PushOptOut
from scheduler.push import KINDS, forget_stop

router = Router("pushes")

_WORDS = {"考勤": "attendance", "补贴": "subsidy", "申领": "subsidy", "汇总表": "report", "报表": "report",
          "月报": "report", "审核": "review", "活动": "event", "对接": "event"}
LISTED = "、".join(dict.fromkeys(KINDS.values()))


def _kind(text: str) -> str | None:
    rest = re.sub(r"^(退订|恢复)", "", text.strip())
    return next((kind for word, kind in _WORDS.items() if word in rest), None)


@router.intent("pushes.off")
def opt_out(ctx: Context) -> str:
    kind = _kind(ctx.text)
    if kind is None:
        if re.sub(r"^退订", "", ctx.text.strip()).strip():
            return f"没有这类提醒。可以退订的有：{LISTED}，例如“退订 考勤提醒”；回复“退订”关闭全部提醒。"
        ctx.user.pushes_enabled = False
        return "已为您退订全部提醒消息，之后不再主动推送。需要时回复“恢复提醒”即可重新开启。"
    exists = ctx.session.scalar(select(PushOptOut).where(PushOptOut.openid == ctx.user.openid, PushOptOut.kind == kind))
    if exists is None:
        ctx.session.add(PushOptOut(openid=ctx.user.openid, kind=kind))
    return f"已退订“{KINDS[kind]}”，其他提醒照常。回复“恢复 {KINDS[kind]}”可重新开启。"


@router.intent("pushes.on")
def opt_in(ctx: Context) -> str:
    kind = _kind(ctx.text)
    if kind is None:
        ctx.user.pushes_enabled = True
        ctx.session.execute(delete(PushOptOut).where(PushOptOut.openid == ctx.user.openid))
        forget_stop(ctx.session, ctx.user.openid)  # a refusal (43101) WeChat reported is lifted too
        return "已为您恢复全部提醒消息。回复“退订”可随时关闭，或“退订 考勤提醒”只关闭一类。"
    ctx.session.execute(delete(PushOptOut).where(PushOptOut.openid == ctx.user.openid, PushOptOut.kind == kind))
    return f"已恢复“{KINDS[kind]}”。"
