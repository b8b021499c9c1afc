"""The scheduler: jobs with fixed ids in the database's job store, replaced not doubled on restart; a daily job
that acts on its day only, and not while another scheduler holds the lock."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.config import get_settings
from bot.db import Database
from bot.models import PushOutbox, Role, User
from scheduler import runner
from scheduler.push import enqueue
from scheduler.runner import HOLDER, build, first_working_day, run_job, take_lock
from tests.scheduler.test_push import _units


def test_jobs_live_in_the_database_with_fixed_ids(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    Database(url).upgrade()
    for _ in range(2):  # a restart replaces the jobs rather than adding them again
        runner = build(url)
        runner.start(paused=True)
        assert sorted(j.id for j in runner.get_jobs()) == ["outbox.resume", "reminders.events", "reminders.monthly",
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


def _env(monkeypatch, standin_url: str, **extra: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JIANXI_WECHAT_API_BASE", standin_url)
    monkeypatch.setenv("JIANXI_ENV", "test")
    for k, v in extra.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()


OFFICIALS = {"o_off_cn": (None, "全国"), "o_off_41": ("410105", "郑州市金水区"), "o_off_11": ("11", "北京市"),
             "o_off_15": ("15", "内蒙古自治区"), "o_off_44": ("44", "广东省"), "o_off_4301": ("4301", "长沙市")}


def test_the_report_reminder_follows_each_regions_deadline(db_url, standin, standin_url, monkeypatch) -> None:
    """November 2026's 情况汇总表: every official on the first working day of December (Tuesday the 1st) and again
    one working day before their region's deadline, each once, none after it."""
    _env(monkeypatch, standin_url)
    db = Database(db_url)
    try:
        with db.session() as s:
            s.add_all([User(openid=o, role=Role.official.value, region_code=code, region_name=name)
                       for o, (code, name) in OFFICIALS.items()])
        seen: dict[str, list[int]] = {}
        for day in range(1, 11):
            before = len(standin.messages())
            run_job("reminders.report", db_url, today=date(2026, 12, day))
            for m in standin.messages()[before:]:
                seen.setdefault(m["touser"], []).append(day)
        assert seen == {
            "o_off_cn": [1, 4], "o_off_41": [1, 4], "o_off_11": [1, 4],  # 5 working days: Mon 7 Dec; the day before: Fri 4
            "o_off_15": [1, 3],  # Inner Mongolia, 4 working days: Fri 4 Dec
            "o_off_44": [1, 2],  # Guangdong, 3 working days: Thu 3 Dec
            "o_off_4301": [1],  # Changsha, 2 days after month end: Wed 2 Dec, its day before is the 1st: once
        }
        last = standin.messages("o_off_44")[-1]["payload"]["text"]["content"]
        assert "12月3日" in last and "下一个工作日即截止" in last
        assert "12月7日" in standin.messages("o_off_cn")[0]["payload"]["text"]["content"]
    finally:
        db.dispose()
        get_settings.cache_clear()


def test_the_resume_job_delivers_what_is_left_of_any_kind(db_url, standin, standin_url, monkeypatch) -> None:
    _env(monkeypatch, standin_url)
    db = Database(db_url)
    try:
        enqueue(db, "attendance", "2026-10", [(f"o_left_{i}", {"text": "【考勤提醒】"}) for i in range(3)])
        enqueue(db, "event", "7", [("o_left_event", {"text": "【对接活动】"})])
        enqueue(db, "mass", "2026-11:7", [("o_mass_record", {"event": 7})])  # a mass send's record: not sent
        done = run_job("outbox.resume", db_url)
        assert done["outbox"] == {"sent": 4, "skipped": 0, "failed": 0}
        assert sorted(m["touser"] for m in standin.messages()) == ["o_left_0", "o_left_1", "o_left_2", "o_left_event"]
        assert run_job("outbox.resume", db_url)["outbox"]["sent"] == 0
    finally:
        db.dispose()
        get_settings.cache_clear()


def test_the_lock_is_renewed_while_a_job_runs(db_url, standin, standin_url, monkeypatch, caplog) -> None:
    monkeypatch.setattr(runner, "LEASE", timedelta(seconds=0.6))
    _env(monkeypatch, standin_url, JIANXI_PUSH_WORKERS="1")
    db = Database(db_url)
    try:
        enqueue(db, "attendance", "2026-10", [(f"o_long_{i}", {"text": "【考勤提醒】"}) for i in range(6)])
        standin.fault("message/custom/send", None, times=6, delay_s=0.3)  # the round takes about 2 s
        job = threading.Thread(target=run_job, args=("outbox.resume", db_url))
        job.start()
        time.sleep(1.2)  # twice the lease
        assert job.is_alive() and not take_lock(db, "host-b")  # still held by the job running
        job.join(timeout=30)
        assert len(standin.messages()) == 6
        take_lock(db, "host-b", now=datetime.now() + timedelta(hours=1))
        caplog.set_level(logging.INFO, logger="scheduler.runner")
        assert "skipped" in run_job("outbox.resume", db_url)
        assert any(r.levelno == logging.INFO and "another scheduler holds the lock (host-b)" in r.getMessage()
                   for r in caplog.records)
    finally:
        db.dispose()
        get_settings.cache_clear()
