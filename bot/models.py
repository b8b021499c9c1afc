"""Database models. Alembic migrations in ``bot/migrations`` own the schema."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(enum.StrEnum):
    graduate = "graduate"
    unit = "unit"
    official = "official"


ROLE_LABELS = {Role.graduate: "毕业生/求职青年", Role.unit: "见习单位", Role.official: "人社部门工作人员"}


class User(Base):
    """A follower of the official account, keyed by openid."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.graduate.value)
    # Region: the most specific division code known (6-digit county, 4-digit city or 2-digit province).
    region_code: Mapped[str | None] = mapped_column(String(12))
    region_name: Mapped[str | None] = mapped_column(String(64))
    # Profile (the graduate profile form). Phone is encrypted at rest; phone_hash is a keyed hash.
    name: Mapped[str | None] = mapped_column(String(40))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    education: Mapped[str | None] = mapped_column(String(8))
    school: Mapped[str | None] = mapped_column(String(64))
    major: Mapped[str | None] = mapped_column(String(64))
    graduation: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    # Last reported location (LOCATION event)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_at: Mapped[datetime | None] = mapped_column(DateTime)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    pushes_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    subscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ConversationState(Base):
    """Where a user is in a conversation: the active form, the slot being asked, what was collected."""

    __tablename__ = "conversation_states"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    form: Mapped[str | None] = mapped_column(String(32))
    slot: Mapped[str | None] = mapped_column(String(32))
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Slots asked so far, in order, so that 返回 can step back.
    history: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Free context for follow-ups (last intent, last question, paging cursor ...).
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class MessageLog(Base):
    """Every inbound and outbound message, with ID numbers and phone numbers redacted."""

    __tablename__ = "message_log"
    __table_args__ = (Index("ix_message_log_openid_created", "openid", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(4))  # in / out
    msg_type: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(48))
    msg_key: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16), default="passive")  # passive / custom / template
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class CacheEntry(Base):
    """A small shared key-value cache with expiry (the access token when Redis is not configured)."""

    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiCallFailure(Base):
    """Every failed outbound call to WeChat's API, for operators."""

    __tablename__ = "api_call_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(128))
    errcode: Mapped[int | None] = mapped_column(Integer)
    errmsg: Mapped[str] = mapped_column(Text, default="")
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class TemplateDelivery(Base):
    """Delivery status of template messages, from TEMPLATESENDJOBFINISH events."""

    __tablename__ = "template_deliveries"

    msgid: Mapped[str] = mapped_column(String(32), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(48))  # sent / success / failed:user block / failed: system failed
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
