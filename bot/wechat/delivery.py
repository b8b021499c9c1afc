"""Replies that cannot ride on the passive answer go out through the customer-service message API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.conversation.messages import Outbound

if TYPE_CHECKING:
    from bot.wechat.client import WeChatApi


class CustomerServiceSender:
    def __init__(self, api: WeChatApi) -> None:
        self.api = api

    def __call__(self, openid: str, replies: list[Outbound]) -> None:
        for r in replies:
            if r.kind == "news" and r.articles:
                # A customer-service news message carries one article.
                for a in r.articles:
                    self.api.send_articles(openid, [{"title": a.title, "description": a.description,
                                                     "url": a.url, "picurl": a.image}])
            else:
                self.api.send_text(openid, r.text)
