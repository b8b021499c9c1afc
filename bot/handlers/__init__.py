"""Every flow's router, composed in one place."""

from __future__ import annotations

from bot.conversation.context import Services
from bot.conversation.engine import Dispatcher
from bot.handlers import (
    claims,
    events,
    help,
    media,
    my_data,
    official,
    policy,
    positions,
    profile,
    pushes,
    signup,
    unit,
    welcome,
)

ROUTERS = [welcome.router, events.router, media.router, help.router, profile.router, policy.router, positions.router,
           pushes.router, signup.router, my_data.router, official.router,
           unit.router, claims.router]


def build_dispatcher(services: Services) -> Dispatcher:
    return Dispatcher(services, ROUTERS, fallback=policy.fallback)
