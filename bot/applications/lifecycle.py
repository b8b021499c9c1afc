"""The life of an application, in one place: its statuses, the transitions allowed between them, and the
review deadline some regions set.

    submitted ─┬─> under_review ─┬─> accepted ──> on_internship ─┬─> completed ──> retained
               │                 └─> rejected                    ├─> retained
               ├─> accepted                                      └─> ended_early
               └─> rejected

Every change goes through :func:`transition`, which refuses what the table does not allow (with a message in
Chinese), records the change in ``application_events`` and keeps the dates that go with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import and_, case, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Application, ApplicationEvent, Position, PositionStatus, utcnow
from bot.models import ApplicationStatus as S
from knowledge.answer import knowledge_region
from knowledge.calculators.deadlines import work_calendar
from knowledge.schema import Entry, load_entries

STATUS_LABELS: dict[str, str] = {
    S.submitted: "已提交，待审核",
    S.under_review: "审核中",
    S.accepted: "审核通过",
    S.rejected: "未通过",
    S.on_internship: "见习中",
    S.completed: "见习期满",
    S.retained: "已留用",
    S.ended_early: "提前结束见习",
}

# The state table: from each status, where it may go.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.submitted: frozenset({S.under_review, S.accepted, S.rejected}),
    S.under_review: frozenset({S.accepted, S.rejected}),
    S.accepted: frozenset({S.on_internship}),
    S.rejected: frozenset(),
    S.on_internship: frozenset({S.completed, S.retained, S.ended_early}),
    S.completed: frozenset({S.retained}),
    S.retained: frozenset(),
    S.ended_early: frozenset(),
}

# Still waiting for the review the region's deadline is about.
AWAITING_REVIEW = (S.submitted.value, S.under_review.value)


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


class TransitionError(ValueError):
    """A change the state table or the data does not allow; ``message`` is for the person who asked."""

    def __init__(self, message: str, *, conflict: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict  # True: not allowed from this status (409); False: bad or missing data (422)


def allowed(current: str, to: str) -> bool:
    try:
        return S(to) in TRANSITIONS[S(current)]
    except ValueError:
        return False


@dataclass(frozen=True)
class Change:
    application_id: int
    openid: str
    from_status: str
    to_status: str


def transition(session: Session, application: Application, to: S | str, *, actor: str, today: date,
               reason: str | None = None, starts_on: date | None = None, ends_on: date | None = None,
               agreement_signed_on: date | None = None) -> Change:
    """Move ``application`` to ``to`` or raise :class:`TransitionError`.

    * rejected and ended_early need a reason;
    * on_internship needs the agreement's start and end dates (the agreement is signed ``agreement_signed_on``,
      default today) and takes one of the position's places;
    * on_internship may not start before the sign-up date;
    * ended_early ends the internship ``ends_on`` (default today), not before it began nor after its planned end.
    """
    target = S(to)
    current = application.status
    if not allowed(current, target):
        if current == target:
            raise TransitionError(f"这条报名已经是“{label(current)}”状态。")
        raise TransitionError(f"当前状态为“{label(current)}”，不能改为“{label(target)}”。")
    reason = (reason or "").strip() or None
    if target in (S.rejected, S.ended_early) and not reason:
        what = "未通过" if target == S.rejected else "提前结束见习"
        raise TransitionError(f"请填写{what}的原因，申请人会收到这一说明。", conflict=False)
    if target == S.on_internship:
        if starts_on is None or ends_on is None:
            raise TransitionError("开始见习须填写见习协议的起止日期（starts_on、ends_on）。", conflict=False)
        if ends_on <= starts_on:
            raise TransitionError("见习结束日期应晚于开始日期。", conflict=False)
        if ends_on > starts_on + timedelta(days=366):
            raise TransitionError("见习期限最长 12 个月，请核对起止日期。", conflict=False)
        signed_up = application.created_at.date() if application.created_at else None
        if signed_up is not None and starts_on < signed_up:
            raise TransitionError(f"见习开始日期（{date_text(starts_on)}）不能早于报名日期（{date_text(signed_up)}），"
                                  "请核对见习协议。", conflict=False)
        application.starts_on, application.ends_on = starts_on, ends_on
        application.agreement_signed_on = agreement_signed_on or today
        _take_place(session, application.position_id)
    if target == S.ended_early:
        end = ends_on or today
        if application.starts_on is not None and end < application.starts_on:
            raise TransitionError(f"结束日期（{date_text(end)}）不能早于见习开始日期（{date_text(application.starts_on)}）。",
                                  conflict=False)
        if application.ends_on is not None and end > application.ends_on:
            raise TransitionError(f"见习期已于{date_text(application.ends_on)}届满，不是提前结束："
                                  "请登记见习期满或留用。", conflict=False)
        application.ends_on = end
    if target in (S.accepted, S.rejected):
        application.reviewed_at = utcnow()
    if target in (S.rejected, S.ended_early):
        application.reason = reason
    application.status = target.value
    session.add(ApplicationEvent(application_id=application.id, from_status=current, to_status=target.value,
                                 reason=reason, actor=actor[:64]))
    return Change(application.id, application.openid, current, target.value)


def record_submission(session: Session, application: Application, actor: str = "applicant") -> None:
    session.add(ApplicationEvent(application_id=application.id, from_status=None,
                                 to_status=application.status, actor=actor))


def _take_place(session: Session, position_id: int) -> None:
    """One place fewer; the last place taken makes an open position full."""
    left = Position.places_left
    session.execute(update(Position).where(Position.id == position_id).values(
        places_left=case((left > 0, left - 1), else_=0),
        status=case((and_(left <= 1, Position.status == PositionStatus.open.value), PositionStatus.full.value),
                    else_=Position.status)))


# --- review deadlines (长沙: 长人社规〔2024〕4号 二（四）, 5 个工作日内审核并推送) ----------------------------
@cache
def _review_entries() -> dict[str, Entry]:
    return {e.region: e for e in load_entries() if e.topic == "review_deadlines"}


@dataclass(frozen=True)
class ReviewRule:
    working_days: int
    doc: str
    section: str


def review_rule(region_code: str | None) -> ReviewRule | None:
    """The region's time limit for reviewing an application submitted online; None where it sets none."""
    e = _review_entries().get(knowledge_region(region_code))
    if e is None:
        return None
    n = e.facts.get("applicant_application_working_days")
    if not isinstance(n, int):
        return None
    return ReviewRule(n, e.source.doc, e.source.section)


def review_due_on(region_code: str | None, submitted_on: date) -> date | None:
    """The last day for the review: the n-th working day counted from the day after submission."""
    rule = review_rule(region_code)
    if rule is None:
        return None
    due, _provisional = work_calendar().nth_workday(submitted_on + timedelta(days=1), rule.working_days)
    return due


def is_overdue(application: Application, today: date) -> bool:
    return (application.status in AWAITING_REVIEW and application.review_due_on is not None
            and application.review_due_on < today)


def overdue_clause(today: date) -> ColumnElement[bool]:
    """SQL for :func:`is_overdue`."""
    return and_(Application.status.in_(AWAITING_REVIEW), Application.review_due_on.is_not(None),
                Application.review_due_on < today)


def date_text(d: date | datetime | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"
