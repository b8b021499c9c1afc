"""The reminder rounds. Each is what `jianxi remind KIND --period YYYY-MM` runs and what the scheduler runs on its
schedule: work out who is due a reminder, put one outbox row per person (the outbox key makes a rerun add
nothing), then send what is due.

* attendance / subsidy: the contacts of units with a trainee on internship during the period (the month being
  reported or claimed);
* report: officials, with their region's deadline for the period's 情况汇总表 (counted in working days with
  chinese-calendar, knowledge.calculators.deadlines; a year the calendar does not cover is marked provisional);
* review: officials with sign-ups in their region still waiting for a review with a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, select

from bot.applications.lifecycle import AWAITING_REVIEW, date_text
from bot.db import Database
from bot.models import Application, ApplicationStatus, Role, Unit, User
from knowledge.calculators.deadlines import report_deadline, report_deadline_is_provisional
from scheduler.push import KINDS, Summary, counts, deliver_round, enqueue, opted_out

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


def messages(db: Database, kind: str, period: str, today: date) -> list[tuple[str, dict[str, Any]]]:
    """(openid, payload) for every person due this reminder."""
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
            due = report_deadline(region, period)
            provisional = "（节假日安排未公布，按周末推算，暂定）" if report_deadline_is_provisional(region, period) else ""
            text = (f"【汇总表报送提醒】{name or '您所在地区'}{month}的就业见习情况汇总表请于{date_text(due)}前报送"
                    f"{provisional}。")
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


def remind(db: Database, api: Any, settings: Any, kind: str, period: str, today: date,
           on_total: Callable[[int], None] | None = None, on_progress: Callable[[int], None] | None = None) -> Summary:
    """One reminder round: enqueue who is due (minus those who opted out), then send what is due.

    ``period`` is the month (YYYY-MM); a review round may name a day (YYYY-MM-DD) to go once a day."""
    check_period(period[:7])
    if len(period) != 7 and not (kind == "review" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", period)):
        raise PeriodError("期间应为 YYYY-MM，例如 2026-10")
    due = messages(db, kind, period, today)
    out = opted_out(db, kind)
    with db.session() as s:
        blocked = set(s.scalars(select(User.openid).where(
            (User.subscribed.is_(False)) | (User.pushes_enabled.is_(False)))))
    wanted = [(openid, payload) for openid, payload in due if openid not in out and openid not in blocked]
    before = counts(db, kind, period)
    done_before = sum(n for status, n in before.items() if status in ("sent", "stopped", "failed"))
    enqueue(db, kind, period, wanted)
    if on_total:
        on_total(len(wanted) - done_before)
    summary = deliver_round(db, api, settings, kind, period, on_progress=on_progress)
    summary.skipped += (len(due) - len(wanted)) + done_before  # opted out or unfollowed; sent by an earlier run
    return summary


__all__ = ["KINDS", "REMINDER_KINDS", "PeriodError", "check_period", "messages", "remind"]
