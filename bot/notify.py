"""Telling someone about a change made by someone else (an applicant about a review, a unit about its 申报):
a customer-service text through the WeChat API client, logged like every outbound message (numbers redacted).

A failed delivery is logged (without the text) and recorded as a failed call by the client; it never undoes
the change it reports. The scheduler's reminders go through the outbox instead (issue #6).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.models import MessageLog
from bot.privacy import redact

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)


def tell(api: Any, db: Database, openid: str, text: str, *, intent: str, key: str) -> bool:
    """Send ``text`` to ``openid``; whether it went out. ``intent``/``key`` label the message log row."""
    from bot.wechat.client import WeChatApiError

    try:
        api.send_text(openid, text)
        sent = True
    except WeChatApiError as e:
        log.warning("%s message (%s) not delivered: errcode=%s", intent, key, e.errcode)
        sent = False
    with db.session() as s:
        s.add(MessageLog(openid=openid, direction="out", msg_type="text", content=redact(text)[:4000],
                         intent=intent, msg_key=key, channel="custom" if sent else "failed"))
    return sent
