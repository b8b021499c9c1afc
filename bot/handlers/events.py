"""Events that carry data: LOCATION (remember the place), TEMPLATESENDJOBFINISH (delivery), VIEW."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Router
from bot.models import TemplateDelivery, utcnow

router = Router("events")


@router.event("location")
def location_reported(ctx: Context) -> None:
    lat, lon = ctx.inbound.extra.get("latitude"), ctx.inbound.extra.get("longitude")
    if lat is not None and lon is not None:
        ctx.user.latitude, ctx.user.longitude, ctx.user.location_at = lat, lon, utcnow()
    return None  # WeChat sends this silently on entering the chat; no reply is expected


@router.event("templatesendjobfinish")
def template_delivered(ctx: Context) -> None:
    msgid = ctx.inbound.extra.get("msgid") or ""
    status = ctx.inbound.extra.get("status") or ""
    if msgid:
        row = ctx.session.get(TemplateDelivery, msgid)
        if row is None:
            ctx.session.add(TemplateDelivery(msgid=msgid, openid=ctx.inbound.openid, status=status))
        else:
            row.status = status
    return None


@router.event("view")
def link_opened(ctx: Context) -> None:
    return None
