"""What flows through the conversation engine: one inbound message, a list of outbound ones."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

InboundKind = Literal["text", "voice", "event", "image", "location", "link", "video", "shortvideo", "unknown"]


@dataclass
class Inbound:
    openid: str
    kind: InboundKind
    text: str = ""  # text content, or the voice Recognition
    event: str | None = None  # lower-case event name: subscribe, click, location ...
    event_key: str | None = None
    msg_id: str | None = None
    create_time: int = 0
    account: str = ""  # ToUserName: the official account's id
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        """WeChat retries with the same MsgId; events are keyed by sender and CreateTime, plus what tells
        two events of the same second apart (the event, its key, a template's MsgID), hashed to fit."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        detail = f"{self.event or self.kind}|{self.event_key or ''}|{self.extra.get('msgid', '')}"
        digest = hashlib.sha1(detail.encode("utf-8")).hexdigest()[:16]
        return f"evt:{self.openid}:{self.create_time}:{digest}"


@dataclass
class Article:
    title: str
    description: str = ""
    url: str = ""
    image: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "description": self.description, "url": self.url, "image": self.image}


@dataclass
class Outbound:
    kind: Literal["text", "news"] = "text"
    text: str = ""
    articles: list[Article] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Outbound:
        return cls(kind="text", text=text)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "articles": [a.to_dict() for a in self.articles]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Outbound:
        return cls(kind=d["kind"], text=d.get("text", ""),
                   articles=[Article(**a) for a in d.get("articles", [])])

    def plain(self) -> str:
        """As a person reads it in a terminal (``jianxi ask``)."""
        if self.kind == "text":
            return self.text
        lines = []
        for a in self.articles:
            lines.append(f"【{a.title}】")
            if a.description:
                lines.append(a.description)
            if a.url:
                lines.append(a.url)
        return "\n".join(lines)
