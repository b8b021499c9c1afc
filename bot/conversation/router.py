"""One router per feature: handlers registered by intent, event, menu key or message kind.

Routers are composed in one place (``bot.handlers.build_dispatcher``); handlers get everything they
need from the :class:`~bot.conversation.context.Context` passed in, never from globals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.conversation.messages import Outbound

if TYPE_CHECKING:
    from bot.conversation.context import Context
    from bot.conversation.forms import Form

Reply = list[Outbound] | Outbound | str | None
Handler = Callable[["Context"], Reply]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.intents: dict[str, Handler] = {}
        self.events: dict[str, Handler] = {}
        self.kinds: dict[str, Handler] = {}
        self.forms: list[Form] = []

    def intent(self, *names: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            for n in names:
                self.intents[n] = fn
            return fn

        return register

    def event(self, *names: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            for n in names:
                self.events[n.lower()] = fn
            return fn

        return register

    def kind(self, *kinds: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            for k in kinds:
                self.kinds[k] = fn
            return fn

        return register

    def form(self, form: Form) -> Form:
        self.forms.append(form)
        return form


def as_outbound(reply: Reply) -> list[Outbound]:
    if reply is None:
        return []
    if isinstance(reply, str):
        return [Outbound.of(reply)]
    if isinstance(reply, Outbound):
        return [reply]
    return list(reply)
