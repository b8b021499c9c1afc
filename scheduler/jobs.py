"""The reminder rounds. Each is what `jianxi remind KIND --period YYYY-MM` runs and what the scheduler runs on its
schedule: work out who is due a reminder, put one outbox row per person (the outbox key makes a rerun add
nothing), then send what is due. A rerun tries again what failed on system errors and counts each person once.

* attendance / subsidy: the contacts of units with a trainee on internship during the period (the month being
  reported or claimed);
* report: officials, with their region's deadline for the period's 情况汇总表 (counted in working days with
  chinese-calendar, knowledge.calculators.deadlines; a year the calendar does not cover is marked provisional);
  on its schedule each region's officials at the first working day of the month and again one working day
  before their own deadline (:func:`report_stage`), each once, never after the deadline;
* review: officials with sign-ups in their region still waiting for a review with a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, select

from bot.applications.lifecycle import AWAITING_REVIEW, date_text
from bot.db import Database
from bot.models import Application, ApplicationStatus, Role, Unit, User
from knowledge.calculators.deadlines import report_deadline, report_deadline_is_provisional
from scheduler.push import (
    FINAL,
    KINDS,
    Summary,
    blocked,
    deliver_round,
    enqueue,
    retry_failures,
    settle,
    statuses,
)

REMINDER_KINDS = ("attendance", "subsidy", "report", "review")


class PeriodError(ValueError):
    pass


def check_period(period: str) -> tuple[date, date]:
    m = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", period.strip())
    if not m:
        raise PeriodError("期间应为 YYYY-MM，例如 2026-10")
    import calendar

    y, mo = int(m.group(1)), int(m.group(2))
    return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])


def month_text(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:7])}月"


def _unit_contacts(db: Database, period: str) -> dict[str, str]:
    """openid → unit name, for units with a trainee on internship during ``period``."""
    first, last = check_period(period)
    with db.session() as s:
        rows = s.execute(select(Unit.contact_openid, Unit.name).join(Application, Application.unit_id == Unit.id).where(
            Unit.contact_openid.is_not(None),
            Application.status.in_((ApplicationStatus.on_internship.value, ApplicationStatus.completed.value,
                                    ApplicationStatus.retained.value, ApplicationStatus.ended_early.value)),
            Application.starts_on <= last, and_(Application.ends_on >= first)).distinct())
        return {openid: name for openid, name in rows.tuples() if openid}


def _officials(db: Database) -> list[tuple[str, str | None, str | None]]:
    with db.session() as s:
        return [(u.openid, u.region_code, u.region_name) for u in s.scalars(
            select(User).where(User.role == Role.official.value, User.subscribed.is_(True)))]


def messages(db: Database, kind: str, period: str, today: date, stage: str | None = None
             ) -> list[tuple[str, dict[str, Any]]]:
    """(openid, payload) for every person due this reminder (a report ``stage``: the officials at it today)."""
    period = period[:7]
    month = month_text(period)
    out: list[tuple[str, dict[str, Any]]] = []
    if kind in ("attendance", "subsidy"):
        for openid, unit in sorted(_unit_contacts(db, period).items()):
            if kind == "attendance":
                text = (f"【考勤提醒】{unit}：请报送{month}见习人员的出勤天数，回复“考勤 {period} 姓名 天数”，"
                        f"例如“考勤 {period} 张三 22”。")
                out.append((openid, {"title": f"报送{month}见习考勤", "when": "请尽快报送", "note": unit, "text": text}))
            else:
                text = (f"【补贴申领提醒】{unit}：{month}考勤报齐后，回复“申领补贴 {period}”测算并申领见习补贴"
                        "（按月申领，不得见习结束后集中申领）。")
                out.append((openid, {"title": f"申领{month}见习补贴", "when": "考勤报齐后", "note": unit, "text": text}))
    elif kind == "report":
        for openid, region, name in _officials(db):
            if stage is not None and report_stage(region, period, today) != stage:
                continue
            due = report_deadline(region, period)
            provisional = "（节假日安排未公布，按周末推算，暂定）" if report_deadline_is_provisional(region, period) else ""
            soon = "，下一个工作日即截止，请抓紧" if stage == "last" else ""
            text = (f"【汇总表报送提醒】{name or '您所在地区'}{month}的就业见习情况汇总表请于{date_text(due)}前报送"
                    f"{provisional}{soon}。")
            out.append((openid, {"title": f"报送{month}情况汇总表", "when": date_text(due), "note": name or "",
                                 "text": text}))
    elif kind == "review":
        with db.session() as s:
            pending = list(s.execute(select(Application.region_code, Application.review_due_on).where(
                Application.status.in_(AWAITING_REVIEW), Application.review_due_on.is_not(None))).tuples())
        for openid, region, name in _officials(db):
            mine = [due for code, due in pending if code and (region is None or code.startswith(region))]
            if not mine:
                continue
            soonest = min(mine)
            late = sum(1 for d in mine if d < today)
            text = (f"【审核提醒】{name or ''}有 {len(mine)} 条报名等待审核，最早的须在{date_text(soonest)}前审核"
                    + (f"，其中 {late} 条已超期" if late else "") + "。回复“待办”查看。")
            out.append((openid, {"title": f"{len(mine)}条报名待审核", "when": date_text(soonest), "note": "回复待办查看",
                                 "text": text}))
    else:
        raise PeriodError("提醒类型应为 " + " / ".join(REMINDER_KINDS) + " 之一")
    return out


def report_stage(region: str | None, period: str, today: date) -> str | None:
    """Which report reminder a region's officials are due on ``today`` for ``period``'s 情况汇总表: "first" from
    the first working day of the month after it, "last" from one working day before the region's own deadline
    (knowledge.calculators.deadlines.report_deadline), None before those and once the deadline has passed."""
    from scheduler.runner import first_working_day, working_days_before

    due = report_deadline(region, period)
    if today > due:
        return None
    if today >= working_days_before(due, 1):
        return "last"
    _, last = check_period(period)
    return "first" if today >= first_working_day(last + timedelta(days=1)) else None


def remind(db: Database, api: Any, settings: Any, kind: str, period: str, today: date,
           on_total: Callable[[int], None] | None = None, on_progress: Callable[[int], None] | None = None,
           *, stage: str | None = None) -> Summary:
    """One reminder round: queue one message per person due (not those who opted out or were stopped), then
    send what is due. A rerun sends nobody twice and tries again what failed on system errors; the summary
    counts each person due once (``on_total`` is told how many are due).

    ``period`` is the month (YYYY-MM); a review round may name a day (YYYY-MM-DD) to go once a day. ``stage``
    (report only, the scheduler's): just the officials whose region is at that stage (:func:`report_stage`),
    once per stage."""
    check_period(period[:7])
    if len(period) != 7 and not (kind == "review" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", period)):
        raise PeriodError("期间应为 YYYY-MM，例如 2026-10")
    due = dict(messages(db, kind, period, today, stage=stage))
    ref = period if stage is None else f"{period}:{stage}"
    if not due and stage is not None:  # nobody at this stage today
        return Summary()
    out = blocked(db, kind) & set(due)
    wanted = [(openid, payload) for openid, payload in due.items() if openid not in out]
    retry_failures(db, kind, ref)
    before = statuses(db, kind, ref)
    enqueue(db, kind, ref, wanted)
    if on_total:
        on_total(len(due))
    if on_progress:  # those with nothing left to send: already done, or not to be sent to
        done = sum(1 for o in due if before.get(o) in FINAL or (o in out and o not in before))
        if done:
            on_progress(done)
    part = deliver_round(db, api, settings, kind, ref, on_progress=on_progress)
    summary = settle(db, kind, ref, due, before, part.errors)
    summary.lost = part.lost
    return summary


__all__ = ["KINDS", "REMINDER_KINDS", "PeriodError", "check_period", "messages", "remind", "report_stage"]
