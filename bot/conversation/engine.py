"""The dispatcher: one inbound message in, the replies out.

Order of routing: events (menu clicks by key), then a form in progress, then commands and intents,
then the fallback. Every inbound and outbound message is logged with personal numbers redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.conversation.context import Context, Services
from bot.conversation.forms import FormRunner
from bot.conversation.messages import Inbound, Outbound
from bot.conversation.paging import WECHAT_TEXT_LIMIT, split_text, utf8_len, with_footer
from bot.conversation.router import Handler, Router, as_outbound
from bot.models import ConversationState, MessageLog, User, utcnow
from bot.privacy import redact

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, services: Services, routers: Iterable[Router], fallback: Handler) -> None:
        self.services = services
        self.routers = list(routers)
        self.fallback = fallback
        self.intents: dict[str, Handler] = {}
        self.events: dict[str, Handler] = {}
        self.kinds: dict[str, Handler] = {}
        forms = []
        for r in self.routers:
            for table, mine in ((self.intents, r.intents), (self.events, r.events), (self.kinds, r.kinds)):
                clash = set(table) & set(mine)
                if clash:
                    raise ValueError(f"router {r.name!r} registers {sorted(clash)} twice")
                table.update(mine)
            forms.extend(r.forms)
        self.forms = FormRunner(forms)

    # --- public -------------------------------------------------------------------------------
    def handle(self, inbound: Inbound) -> list[Outbound]:
        with self.services.db.session() as session:
            user = self._user(session, inbound.openid)
            state = self._state(session, inbound.openid)
            ctx = Context(services=self.services, session=session, user=user, state=state, inbound=inbound,
                          dispatcher=self, now=self.services.clock())
            replies = self._route(ctx)
            replies = self._paginate(ctx, replies)
            user.last_seen_at = utcnow()
            self._log(session, inbound, replies, ctx.intent)
        for action in ctx.after_commit:  # committed: now others may be told
            try:
                action()
            except Exception:  # a failed notification must not lose the reply
                log.exception("after-commit action failed")
        return replies

    def run_intent(self, ctx: Context, intent: str) -> list[Outbound]:
        """Let one handler hand over to another (e.g. a menu key to an intent)."""
        ctx.intent = intent
        handler = self.intents.get(intent)
        return as_outbound(handler(ctx) if handler else self.fallback(ctx))

    # --- routing ------------------------------------------------------------------------------
    def _route(self, ctx: Context) -> list[Outbound]:
        inbound = ctx.inbound
        if inbound.kind == "event":
            return self._event(ctx)
        if inbound.kind not in ("text", "voice"):
            ctx.intent = f"kind.{inbound.kind}"
            handler = self.kinds.get(inbound.kind) or self.kinds.get("*")
            return as_outbound(handler(ctx) if handler else self.fallback(ctx))
        if not ctx.text:
            ctx.intent = "empty"
            return as_outbound(self.fallback(ctx))
        classifier = self.services.classifier
        command = classifier.command(ctx.text)
        if command == "more" and ctx.recall("pages"):
            ctx.intent = "more"
            return self._next_page(ctx)
        if self.forms.active(ctx) is not None:
            ctx.intent = f"form.{ctx.state.form}"
            return as_outbound(self.forms.handle(ctx))
        if command == "form.resume":
            resumed = self.forms.resume(ctx)
            if resumed is not None:
                ctx.intent = "form.resume"
                return as_outbound(resumed)
        match = classifier.classify(ctx.text)
        if match is None or match.name not in self.intents:
            ctx.intent = match.name if match else None
            return as_outbound(self.fallback(ctx))
        return self.run_intent(ctx, match.name)

    def _event(self, ctx: Context) -> list[Outbound]:
        event = ctx.inbound.event or ""
        ctx.intent = f"event.{event}"
        if event == "click":
            intent = self.services.classifier.menu_intent(ctx.inbound.event_key)
            note = self.forms.suspend(ctx)
            replies = self.run_intent(ctx, intent) if intent else as_outbound(self.fallback(ctx))
            if note:
                replies.append(Outbound.of(note))
            return replies
        handler = self.events.get(event)
        return as_outbound(handler(ctx)) if handler else []

    # --- long replies ---------------------------------------------------------------------------
    def _paginate(self, ctx: Context, replies: list[Outbound]) -> list[Outbound]:
        """Text over WeChat's 2048 bytes: send the first page now, keep the rest for "更多".

        Pages of every long reply go into one queue, in order, so none is lost.
        """
        out: list[Outbound] = []
        queued: list[str] = []
        for r in replies:
            if r.kind != "text" or utf8_len(r.text) <= WECHAT_TEXT_LIMIT:
                out.append(r)
                continue
            pages = split_text(r.text)
            footered = [with_footer(p, i, len(pages)) for i, p in enumerate(pages)]
            out.append(Outbound.of(footered[0]))
            queued.extend(footered[1:])
        if queued:
            ctx.remember(pages={"items": queued, "next": 0})
        return out

    def _next_page(self, ctx: Context) -> list[Outbound]:
        pages = ctx.recall("pages")
        items, nxt = pages["items"], pages["next"]
        if nxt + 1 >= len(items):
            ctx.forget("pages")
        else:
            ctx.remember(pages={"items": items, "next": nxt + 1})
        return [Outbound.of(items[nxt])]

    # --- storage --------------------------------------------------------------------------------
    @staticmethod
    def _user(session: Session, openid: str) -> User:
        user = session.scalar(select(User).where(User.openid == openid))
        if user is None:
            # Two first messages of a new follower may race: the loser re-reads the winner's row.
            try:
                with session.begin_nested():
                    user = User(openid=openid, subscribed=True, pushes_enabled=True)
                    session.add(user)
            except IntegrityError:
                user = session.scalar(select(User).where(User.openid == openid))
                assert user is not None
        return user

    @staticmethod
    def _state(session: Session, openid: str) -> ConversationState:
        state = session.get(ConversationState, openid)
        if state is None:
            try:
                with session.begin_nested():
                    state = ConversationState(openid=openid, slots={}, history=[], context={})
                    session.add(state)
            except IntegrityError:
                state = session.get(ConversationState, openid, populate_existing=True)
                assert state is not None
        return state

    @staticmethod
    def _log(session: Session, inbound: Inbound, replies: list[Outbound], intent: str | None) -> None:
        content = inbound.text if inbound.kind in ("text", "voice") else (inbound.event_key or inbound.event or "")
        session.add(MessageLog(openid=inbound.openid, direction="in", msg_type=inbound.event and
                               f"event:{inbound.event}" or inbound.kind, content=redact(content)[:2000],
                               intent=intent, msg_key=inbound.dedup_key))
        for r in replies:
            session.add(MessageLog(openid=inbound.openid, direction="out", msg_type=r.kind,
                                   content=redact(r.plain())[:4000], intent=intent, msg_key=inbound.dedup_key))
