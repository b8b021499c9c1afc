"""Following the account: subscribe (welcome), SCAN (welcome back), unsubscribe (stop every push)."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Router
from bot.handlers.help import capabilities
from bot.models import utcnow

router = Router("welcome")


@router.event("subscribe")
def subscribed(ctx: Context) -> str:
    ctx.user.subscribed = True
    ctx.user.pushes_enabled = True
    ctx.user.subscribed_at = utcnow()
    ctx.user.unsubscribed_at = None
    return ("欢迎关注就业见习助手！🎓\n"
            "就业见习面向离校 2 年内未就业的高校毕业生和 16～24 岁失业青年，见习期间有生活补助。\n\n"
            "我可以帮您：\n" + capabilities(ctx))


@router.event("scan")
def scanned(ctx: Context) -> str:
    return "欢迎回来！\n" + capabilities(ctx)


@router.event("unsubscribe")
def unsubscribed(ctx: Context) -> None:
    """No reply can reach someone who left; every push to them stops."""
    ctx.user.subscribed = False
    ctx.user.pushes_enabled = False
    ctx.user.unsubscribed_at = utcnow()
    ctx.dispatcher.forms.stop(ctx)
    return None
