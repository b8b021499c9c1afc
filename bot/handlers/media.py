"""Messages the bot cannot read (image, link, location, video): a polite reply that says what works."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Router
from bot.models import utcnow

router = Router("media")

_NAMES = {"image": "图片", "link": "链接", "video": "视频", "shortvideo": "小视频", "location": "位置"}


@router.kind("image", "link", "video", "shortvideo", "unknown")
def unreadable(ctx: Context) -> str:
    what = _NAMES.get(ctx.inbound.kind, "这类消息")
    return (f"收到您的{what}，不过我目前只能读懂文字和语音。\n"
            "请用文字告诉我您想做什么，例如“找岗位”“见习补贴多少”“填写资料”，或点下方菜单。")


@router.kind("location")
def location_message(ctx: Context) -> str:
    lat, lon = ctx.inbound.extra.get("latitude"), ctx.inbound.extra.get("longitude")
    if lat is not None and lon is not None:
        ctx.user.latitude, ctx.user.longitude, ctx.user.location_at = lat, lon, utcnow()
    label = ctx.inbound.extra.get("label") or ""
    where = f"（{label}）" if label else ""
    return (f"已记下您发送的位置{where}。找岗位时请直接告诉我城市或区县名称，"
            "例如“计算机 郑州”，我会按地名为您筛选。")
