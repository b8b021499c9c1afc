"""Build the long-lived services once, from settings."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.conversation.context import Services
from bot.db import Database
from bot.intents import load_classifier
from bot.privacy import Vault
from knowledge.divisions import divisions
from knowledge.majors import majors


def build_services(settings: Settings, db: Database | None = None) -> Services:
    return Services(
        settings=settings,
        db=db or Database(settings.database_url),
        classifier=load_classifier(),
        divisions=divisions(),
        majors=majors(),
        vault=Vault(settings.secret_key),
        clock=datetime.now,
    )
