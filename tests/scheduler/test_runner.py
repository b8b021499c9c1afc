"""The scheduler: jobs with fixed ids in the database's job store, replaced not doubled on restart; a daily job
that acts on its day only, and not while another scheduler holds the lock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.config import get_settings
from bot.db import Database
from bot.models import PushOutbox
from scheduler.runner import HOLDER, build, first_working_day, run_job, take_lock
from tests.scheduler.test_push import _units


def test_jobs_live_in_the_database_with_fixed_ids(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    Database(url).upgrade()
    for _ in range(2):  # a restart replaces the jobs rather than adding them again
        runner = build(url)
        runner.start(paused=True)
        assert sorted(j.id for j in runner.get_jobs()) == ["reminders.events", "reminders.monthly",
                                                                 "reminders.report", "reminders.review", "tags.sync"]
        assert all(j.trigger and j.args[1] == url for j in runner.get_jobs())
        runner.shutdown(wait=False)


def test_first_working_day_skips_the_national_day_holiday() -> None:
    assert first_working_day(date(2026, 11, 20)) == date(2026, 11, 2)  # 1 November 2026 is a Sunday
    assert first_working_day(date(2025, 10, 15)) == date(2025, 10, 9)  # 国庆中秋 1-8 October 2025


def test_the_monthly_job_acts_on_its_day_and_only_with_the_lock(db_url, standin, standin_url, monkeypatch) -> None:
    monkeypatch.setenv("JIANXI_WECHAT_API_BASE", standin_url)
    monkeypatch.setenv("JIANXI_ENV", "test")
    get_settings.cache_clear()
    db = Database(db_url)
    try:
        _units(db, 3)
        assert run_job("reminders.monthly", db_url, today=date(2026, 11, 3)) == {"job": "reminders.monthly"}
        with db.session() as s:
            assert s.scalar(select(PushOutbox.id)) is None  # not the first working day: nothing
        take_lock(db, "someone-else", now=datetime.now() + timedelta(hours=1))
        assert "skipped" in run_job("reminders.monthly", db_url, today=date(2026, 11, 2))
        take_lock(db, HOLDER, now=datetime.now() + timedelta(days=1))  # the other lease lapsed
        done = run_job("reminders.monthly", db_url, today=date(2026, 11, 2))
        assert done["attendance"]["sent"] == 3 and done["subsidy"]["sent"] == 3
        assert len(standin.messages()) == 6
    finally:
        db.dispose()
        get_settings.cache_clear()
