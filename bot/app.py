"""The web app: WeChat webhook, REST API, and (without an AppID) the simulator with a stand-in WeChat API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from bot.api import admin, admin_applications, admin_claims, admin_events, admin_units, ask, health, positions
from bot.api.params import validation_error
from bot.config import STANDIN_MOUNT, Settings, get_settings
from bot.db import Database
from bot.handlers import build_dispatcher
from bot.kv import make_store
from bot.services import build_services
from bot.wechat import channel
from bot.wechat.claims import ClaimRegistry
from bot.wechat.client import WeChatApi
from bot.wechat.delivery import CustomerServiceSender

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.assert_safe()
    db = db or Database(settings.database_url)
    db.upgrade()
    services = build_services(settings, db)
    dispatcher = build_dispatcher(services)
    store = make_store(db, settings.redis_url)
    api = WeChatApi(settings, db, store)
    services.api = api
    executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="jianxi")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Build the policy index (several seconds) now, in the background, so that the first question in
        # chat is answered within WeChat's reply window rather than through a later customer-service message.
        executor.submit(_warm_answerer)
        yield
        executor.shutdown(wait=True, cancel_futures=False)

    app = FastAPI(title="jianxi 见习", version="0.1.0", lifespan=lifespan)
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.state.settings = settings
    app.state.services = services
    app.state.dispatcher = dispatcher
    app.state.store = store
    app.state.api = api
    app.state.channel = channel.Channel(settings, dispatcher.handle, ClaimRegistry(store),
                                        CustomerServiceSender(api), executor)
    app.include_router(health.router)
    app.include_router(channel.router)
    app.include_router(ask.router)
    app.include_router(admin.router)
    app.include_router(admin_applications.router)
    app.include_router(admin_units.router)
    app.include_router(admin_claims.router)
    app.include_router(admin_events.router)
    app.include_router(positions.router)
    if settings.simulator_mode:
        from bot.simulator.router import router as simulator_router
        from bot.wechat.standin import create_standin_app

        app.include_router(simulator_router)
        app.mount(STANDIN_MOUNT, create_standin_app(settings.appid, settings.appsecret))
    return app


def _warm_answerer() -> None:
    from knowledge.answer import default_answerer

    try:
        default_answerer()
    except Exception:  # never fatal: the first question builds it again and says what failed
        logging.getLogger(__name__).exception("building the policy index failed")
