"""The scheduler: APScheduler 3 with its SQLAlchemy job store in the app's database.

Jobs have fixed ids and are added with ``replace_existing``, coalesced, with a misfire grace time, and carry only
plain data (the kind). Each runs daily and decides whether today is its day, so a restart loses nothing:

* ``reminders.monthly`` — on the first working day of a month: attendance and subsidy for the month before;
* ``reminders.report`` — each official's region on its own schedule for last month's 情况汇总表: from the first
  working day of the month, and again from one working day before that region's deadline (national, Henan and
  Beijing 5 working days, Inner Mongolia 4, Guangdong 3, Changsha 2 days after month end), each stage once (its
  own outbox key), none after the deadline (scheduler.jobs.report_stage);
* ``reminders.review`` — every working day: officials with sign-ups waiting for review (once per day);
* ``reminders.events`` — every day: the audience of a matching event that starts tomorrow is reminded;
* ``tags.sync`` — every night: followers' WeChat tags brought in line with their region and role (scheduler.tags);
* ``outbox.resume`` — every few minutes: outbox rows of any kind that are pending or due for a retry (a round
  that ended while some waited on their back-off, a killed process, an event published in chat).

At most one scheduler acts at a time: each job first takes or renews a lease row in ``scheduler_locks`` and a
thread renews it while the job runs; a second scheduler started by mistake finds the lease held, logs that, and
does nothing (and the outbox's unique key and ownership checks would keep a message from going twice anyway).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models import SchedulerLock, utcnow
from knowledge.calculators.deadlines import work_calendar

log = logging.getLogger(__name__)

LOCK = "scheduler"
LEASE = timedelta(minutes=10)  # renewed every third of it while a job runs
RESUME_EVERY_MIN = 5
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def take_lock(db: Database, holder: str = HOLDER, now: datetime | None = None, lease: timedelta = LEASE) -> bool:
    """Take or renew the scheduler's lease; False when another holder's lease is still running."""
    now = now or utcnow()
    with db.session() as s:
        taken = s.execute(update(SchedulerLock).where(
            SchedulerLock.name == LOCK, (SchedulerLock.holder == holder) | (SchedulerLock.expires_at < now)).values(
            holder=holder, expires_at=now + lease)).rowcount
        if taken:
            return True
        if s.scalar(select(SchedulerLock.name).where(SchedulerLock.name == LOCK)) is not None:
            return False
    try:
        with db.session() as s:
            s.add(SchedulerLock(name=LOCK, holder=holder, expires_at=now + lease))
        return True
    except IntegrityError:  # another scheduler created it at the same moment
        return False


def lock_holder(db: Database) -> str | None:
    with db.session() as s:
        return s.scalar(select(SchedulerLock.holder).where(SchedulerLock.name == LOCK))


@contextmanager
def keep_lock(db: Database, holder: str = HOLDER) -> Iterator[None]:
    """Renew the lease every third of it while the block runs (a round may take longer than the lease)."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(LEASE.total_seconds() / 3):
            try:
                if not take_lock(db, holder):
                    log.warning("scheduler lock lost to %s while a job ran", lock_holder(db))
            except Exception:  # noqa: BLE001 — the next beat tries again
                log.warning("could not renew the scheduler lock", exc_info=True)

    thread = threading.Thread(target=beat, name="scheduler-lock", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=10)


def previous_month(today: date) -> str:
    y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{y:04d}-{m:02d}"


def first_working_day(today: date) -> date:
    cal = work_calendar()
    d = today.replace(day=1)
    while not cal.day(d).workday:
        d += timedelta(days=1)
    return d


def working_days_before(due: date, n: int) -> date:
    cal = work_calendar()
    d = due
    while n > 0:
        d -= timedelta(days=1)
        if cal.day(d).workday:
            n -= 1
    return d


def run_job(name: str, database_url: str, today: date | None = None) -> dict[str, Any]:
    """One daily job (what APScheduler calls, with plain data only). Returns what it did."""
    db = Database(database_url)
    try:
        if not take_lock(db):
            log.info("scheduler job %s skipped: another scheduler holds the lock (%s)", name, lock_holder(db))
            return {"job": name, "skipped": "另一个调度进程正在运行"}
        with keep_lock(db):
            return _run(name, db, database_url, today or date.today())
    finally:
        db.dispose()


def _run(name: str, db: Database, database_url: str, today: date) -> dict[str, Any]:
    from bot.config import get_settings
    from bot.kv import make_store
    from bot.wechat.client import WeChatApi
    from scheduler.jobs import remind

    settings = get_settings().model_copy(update={"database_url": database_url})
    api = WeChatApi(settings, db, make_store(db, settings.redis_url))
    done: dict[str, Any] = {"job": name}
    if name == "reminders.monthly" and today == first_working_day(today):
        period = previous_month(today)
        for kind in ("attendance", "subsidy"):
            done[kind] = remind(db, api, settings, kind, period, today).as_dict()
    elif name == "reminders.report":
        period = previous_month(today)
        for stage in ("first", "last"):  # each official's region at its own stage today, if any
            result = remind(db, api, settings, "report", period, today, stage=stage).as_dict()
            if any(result.values()):
                done[f"report.{stage}"] = result
    elif name == "outbox.resume":
        from scheduler.push import deliver_round

        done["outbox"] = deliver_round(db, api, settings, wait_s=0).as_dict()
    elif name == "tags.sync":
        from scheduler.tags import sync

        done["tags"] = sync(db, api)
    elif name == "reminders.events":
        from scheduler.events import recall

        done["events"] = recall(db, api, settings, today).as_dict()
    elif name == "reminders.review" and work_calendar().day(today).workday:
        done["review"] = remind(db, api, settings, "review", today.isoformat(), today).as_dict()  # once a day
    log.info("scheduler job %s: %s", name, done)
    return done


def build(database_url: str) -> Any:
    """A BackgroundScheduler with the jobs registered in the database's job store (not started)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=database_url)},
                                    job_defaults={"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1},
                                    timezone="Asia/Shanghai")
    for name, hour in (("reminders.monthly", 9), ("reminders.report", 9), ("reminders.review", 10),
                       ("reminders.events", 16), ("tags.sync", 3)):
        scheduler.add_job(run_job, "cron", hour=hour, minute=0, id=name, replace_existing=True,
                          args=[name, database_url])
    scheduler.add_job(run_job, "interval", minutes=RESUME_EVERY_MIN, id="outbox.resume", replace_existing=True,
                      coalesce=True, misfire_grace_time=RESUME_EVERY_MIN * 60, args=["outbox.resume", database_url])
    return scheduler
