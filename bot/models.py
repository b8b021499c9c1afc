"""Database models. Alembic migrations in ``bot/migrations`` own the schema."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
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
    # Sign-up details (issue #5): the ID number encrypted at rest, with a keyed hash; the birth date read from it.
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    beijing_origin: Mapped[bool | None] = mapped_column(Boolean)  # 北京生源 (asked for Beijing positions)
    beijing_hukou: Mapped[bool | None] = mapped_column(Boolean)  # 本市户籍
    # 困难毕业生 flags (space-separated: dibao tuopin disabled; "" none), kept only with consent; None: not asked.
    hardship_flags: Mapped[str | None] = mapped_column(String(40))
    hardship_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)  # 删除我的信息
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


class PositionCategory(enum.StrEnum):
    research = "科研类"
    technical = "技术技能类"
    management = "管理类"
    social = "社会服务类"


class PositionStatus(enum.StrEnum):
    open = "open"
    full = "full"
    closed = "closed"
    pending = "pending"  # published by a unit in chat, waiting for an official's review; not shown
    rejected = "rejected"  # refused by the review; not shown


class UnitStatus(enum.StrEnum):
    pending = "pending"  # 见习单位申报 submitted, waiting for an official's review
    approved = "approved"
    refused = "refused"


EDUCATION_LEVELS = ("不限", "中专", "大专", "本科", "硕士", "博士")


class Unit(Base):
    """A host unit (见习单位 / 见习基地). Imported units are created from 单位名称 and the position's place."""

    __tablename__ = "units"
    __table_args__ = (Index("ix_units_name_county", "name", "county_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    province_code: Mapped[str | None] = mapped_column(String(2))
    city_code: Mapped[str | None] = mapped_column(String(4))
    county_code: Mapped[str | None] = mapped_column(String(6))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone_enc: Mapped[str | None] = mapped_column(Text)
    contact_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The unit contact's openid, once a unit user has bound to this unit.
    contact_openid: Mapped[str | None] = mapped_column(String(64), index=True)
    is_base: Mapped[bool] = mapped_column(Boolean, default=False)  # 见习基地
    status: Mapped[str] = mapped_column(String(16), default="approved")
    # 见习单位申报 (issue #5; bot.units): what the unit declared, and the review.
    insured_headcount: Mapped[int | None] = mapped_column(Integer)  # 参保人数
    registered_on: Mapped[date | None] = mapped_column(Date)  # 成立日期
    wants_base: Mapped[bool] = mapped_column(Boolean, default=False)  # applies to be a 见习基地
    base_valid_until: Mapped[date | None] = mapped_column(Date)  # 见习基地有效期
    criteria_notes: Mapped[str | None] = mapped_column(Text)  # the region's criteria as checked at申报
    # The minimum-wage tier the unit's county is in (一类, 二档), where the wage table lists the tiers but not
    # which counties are in each (河南): stated once by the unit or an official, used for its claims.
    wage_tier: Mapped[str | None] = mapped_column(String(8))
    wage_tier_by: Mapped[str | None] = mapped_column(String(64))  # unit / official:<name>
    wage_tier_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @property
    def region_code(self) -> str:
        """The most specific division code known (what officials' regions are matched against)."""
        return self.county_code or self.city_code or self.province_code or ""


class Position(Base):
    """An internship position from the catalogue, upserted by its code (岗位编号).

    ``major_codes`` and ``search_tokens`` are computed at import (bot.positions.features) so that the
    in-memory index can be built at boot without re-tokenising the catalogue.
    """

    __tablename__ = "positions"
    __table_args__ = (
        Index("ix_positions_place", "province_code", "city_code", "county_code"),
        Index("ix_positions_status", "status"),
        Index("ix_positions_updated_at", "updated_at"),  # the index's refresh reads rows changed since
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    unit_name: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(8))
    majors_text: Mapped[str] = mapped_column(Text, default="不限")  # as published, 、-separated
    # Catalogue major codes (space-separated) the position asks for; "" means 专业不限.
    major_codes: Mapped[str] = mapped_column(Text, default="")
    search_tokens: Mapped[str] = mapped_column(Text, default="")  # space-joined jieba tokens of the title
    education: Mapped[str] = mapped_column(String(4), default="不限")
    province_code: Mapped[str] = mapped_column(String(2))
    city_code: Mapped[str | None] = mapped_column(String(4))
    county_code: Mapped[str | None] = mapped_column(String(6))
    province: Mapped[str] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(32))
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    places_left: Mapped[int] = mapped_column(Integer, default=1)
    months: Mapped[int] = mapped_column(Integer, default=6)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(8), default=PositionStatus.open.value)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    contact_phone_enc: Mapped[str | None] = mapped_column(Text)  # encrypted at rest, shown masked
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ApplicationStatus(enum.StrEnum):
    submitted = "submitted"
    under_review = "under_review"
    accepted = "accepted"
    rejected = "rejected"
    on_internship = "on_internship"
    completed = "completed"
    retained = "retained"
    ended_early = "ended_early"


class Application(Base):
    """A sign-up of one person for one position, through to the internship's end (issue #5 extends it)."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("openid", "position_id", name="uq_applications_openid_position"),
        Index("ix_applications_unit_status", "unit_id", "status"),
        # One application per person (ID number) and position, whichever WeChat account it came from.
        Index("uq_applications_id_number_position", "id_number_hash", "position_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    position_id: Mapped[int] = mapped_column(Integer, index=True)
    position_code: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str | None] = mapped_column(String(6))  # the position's most specific division
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.submitted.value)
    reason: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # The applicant at sign-up (issue #5; bot.applications): phone and ID encrypted, the ID's keyed hash for
    # uniqueness. 删除我的信息 clears them (anonymised_at) and keeps position, status and dates.
    applicant_name: Mapped[str | None] = mapped_column(String(40))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    education: Mapped[str | None] = mapped_column(String(8))
    hardship_flags: Mapped[str | None] = mapped_column(String(40))
    route: Mapped[str | None] = mapped_column(String(8))  # 毕业生 / 失业青年: how the applicant qualifies
    eligibility: Mapped[str | None] = mapped_column(String(8))  # 可以参加 / 需当地核实
    eligibility_notes: Mapped[str | None] = mapped_column(Text)
    review_due_on: Mapped[date | None] = mapped_column(Date, index=True)  # where the region sets a review time
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)  # 见习协议
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OfficialAccount(Base):
    """An official's admin-API account: a bearer token (stored as a keyed hash) bound to a region.

    ``region_code`` None means the whole country (the operator's JIANXI_ADMIN_TOKEN is that too).
    """

    __tablename__ = "official_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    openid: Mapped[str | None] = mapped_column(String(64), index=True)  # the official's WeChat follower, if bound
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApplicationEvent(Base):
    """One status change of an application: who, when, from what to what, and why (issue #5)."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))  # applicant / official:<account name> / unit / system
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Attendance(Base):
    """Days a trainee attended in one month (考勤), reported by the unit (issue #5; bot.claims)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("application_id", "month", name="uq_attendance_application_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    days: Mapped[int] = mapped_column(Integer)
    reported_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ClaimStatus(enum.StrEnum):
    submitted = "submitted"
    approved = "approved"
    paid = "paid"
    rejected = "rejected"


class ClaimKind(enum.StrEnum):
    monthly = "monthly"  # one month's subsidy (and any "1+1" difference due by then)
    difference = "difference"  # the "1+1" difference alone, claimed when the retention became known later


class SubsidyClaim(Base):
    """A unit's subsidy claim (补贴申领): monthly, computed from attendance, the region's rate and the minimum
    wage in force that month; or the "1+1" difference alone. ``lines`` keeps the computation per trainee as it
    was when submitted. One monthly claim per unit and month; difference claims are numbered (``ref``)."""

    __tablename__ = "subsidy_claims"
    __table_args__ = (UniqueConstraint("unit_id", "month", "kind", "ref", name="uq_subsidy_claims_unit_month_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[str] = mapped_column(String(7))  # the month claimed; a difference claim: the latest end month
    kind: Mapped[str] = mapped_column(String(12), default=ClaimKind.monthly.value, server_default="monthly")
    ref: Mapped[str] = mapped_column(String(16), default="", server_default="")  # d1, d2 … for difference claims
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ClaimStatus.submitted.value)
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by a sender until ``lease_until``; a sender killed mid-way is retried after it
    sent = "sent"
    failed = "failed"  # gave up after the attempts allowed
    stopped = "stopped"  # the person unfollowed (43004), refused messages (43101) or opted out
    # Not sendable for now (no API call made, or 45015): a customer-service message outside the 48-hour window.
    # Not retried in its round; a rerun looks again.
    skipped = "skipped"


class PushOutbox(Base):
    """Every push goes through here, once per (kind, period or event, recipient) (issue #6; scheduler.push)."""

    __tablename__ = "push_outbox"
    __table_args__ = (
        UniqueConstraint("kind", "ref", "recipient", name="uq_push_outbox_kind_ref_recipient"),
        Index("ix_push_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # attendance / subsidy / report / review / event
    ref: Mapped[str] = mapped_column(String(32))  # the period (YYYY-MM) or the event
    recipient: Mapped[str] = mapped_column(String(64))  # openid
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(8), default=OutboxStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(8))  # template / custom
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the pass that holds the lease
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class PushOptOut(Base):
    """退订: a person who does not want one kind of reminder (kind "all": none)."""

    __tablename__ = "push_opt_outs"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PushStop(Base):
    """People WeChat told us not to push to (43004 unfollowed, 43101 refused), remembered across rounds even
    without a ``users`` row (a unit contact who never wrote to the account). A 43004 stop ends when the person
    follows again (``users.subscribed_at`` later than the stop); 恢复提醒 ends a 43101 stop."""

    __tablename__ = "push_stops"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    errcode: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SchedulerLock(Base):
    """At most one scheduler acts at a time: the holder renews its lease; another takes over when it lapses."""

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class MatchingEvent(Base):
    """A matching event (专项对接活动) officials announce; its audience gets it once and a recall the day before."""

    __tablename__ = "matching_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(200))  # an address or a link
    region_code: Mapped[str | None] = mapped_column(String(6))  # None: the whole country
    major: Mapped[str | None] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(40), default="graduate")  # space-separated
    created_by: Mapped[str] = mapped_column(String(64))
    audience: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FollowerTag(Base):
    """Which WeChat tag we put each follower under (scheduler.tags keeps them in sync with region and role)."""

    __tablename__ = "follower_tags"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag: Mapped[str] = mapped_column(String(30), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
