"""What a handler is given: the services by name, the user, the conversation state, the message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.messages import Inbound
from bot.db import Database
from bot.models import ConversationState, User

if TYPE_CHECKING:
    from bot.conversation.engine import Dispatcher
    from bot.intents import IntentClassifier
    from bot.privacy import Vault
    from knowledge.divisions import Divisions
    from knowledge.majors import Majors


@dataclass
class Services:
    """Long-lived dependencies, built once at start-up and handed to every handler."""

    settings: Settings
    db: Database
    classifier: IntentClassifier
    divisions: Divisions
    majors: Majors
    vault: Vault
    clock: Callable[[], datetime]
    extras: dict[str, Any] = field(default_factory=dict)
    # The WeChat API client (bot.wechat.client.WeChatApi), set by the app: messages to other people
    # (an applicant told of a review) go through it. None where no app runs (jianxi ask).
    api: Any = None


@dataclass
class Context:
    services: Services
    session: Session
    user: User
    state: ConversationState
    inbound: Inbound
    dispatcher: Dispatcher
    intent: str | None = None
    now: datetime = field(default_factory=datetime.now)
    after_commit: list[Callable[[], Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.inbound.text.strip()

    def remember(self, **values: Any) -> None:
        """Keep values in the conversation context (a new dict, so the JSON column sees the change)."""
        self.state.context = {**(self.state.context or {}), **values}

    def recall(self, key: str, default: Any = None) -> Any:
        return (self.state.context or {}).get(key, default)

    def after(self, action: Callable[[], Any]) -> None:
        """Run ``action`` once this message's changes are committed (e.g. tell someone about them)."""
        self.after_commit.append(action)

    def forget(self, *keys: str) -> None:
        self.state.context = {k: v for k, v in (self.state.context or {}).items() if k not in keys}
