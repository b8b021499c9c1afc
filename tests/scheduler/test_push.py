"""Reminder rounds through the outbox against the stand-in WeChat API (a real HTTP server), on SQLite and
PostgreSQL: everyone due is reached exactly once through injected faults and an expired token, a rerun sends
nothing, people who unfollowed or refused are stopped and recorded, opt-outs are kept, a sender killed with
SIGKILL half-way is resumed by the next run without missing anyone, and only one scheduler acts at a time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from bot.config import Settings
from bot.db import Database
from bot.kv import DatabaseStore
from bot.models import Application, OutboxStatus, PushOptOut, PushOutbox, Unit, User, utcnow
from bot.wechat.client import WeChatApi
from scheduler import push
from scheduler.jobs import remind
from scheduler.push import Summary, TokenBucket, deliver, enqueue, template_data
from scheduler.runner import take_lock

PERIOD = "2026-10"
TODAY = date(2026, 11, 2)
ROOT = Path(__file__).resolve().parents[2]


def _units(db: Database, n: int, prefix: str = "o_unit_") -> list[str]:
    """``n`` units, each with one trainee on internship in October 2026; their contacts' openids."""
    openids = [f"{prefix}{i:05d}" for i in range(n)]
    with db.session() as s:
        units = [Unit(name=f"单位{i}", province_code="15", city_code="1501", county_code="150102", status="approved",
                      contact_openid=o) for i, o in enumerate(openids)]
        s.add_all(units)
        s.flush()
        s.add_all([Application(openid=f"o_trainee_{u.id}", position_id=1, position_code="X", unit_id=u.id,
                               region_code="150102", status="on_internship", applicant_name="张三",
                               starts_on=date(2026, 9, 1), ends_on=date(2027, 2, 28)) for u in units])
    return openids


def _api(settings: Any, db: Database) -> WeChatApi:
    return WeChatApi(settings, db, DatabaseStore(db), sleep=lambda s: None, timeout=5.0)


def _received(standin: Any) -> Counter[str]:
    return Counter(m["touser"] for m in standin.messages())


def test_a_round_reaches_everyone_once_through_faults(db_url, settings, standin) -> None:
    db = Database(db_url)
    settings = settings.model_copy(update={"push_rate_per_s": 1000.0, "push_retry_base_s": 0.2})
    openids = _units(db, 300)
    standin.fault("message/custom/send", 45009, times=2)
    standin.fault("message/custom/send", -1, times=2)
    standin.fault("message/custom/send", "http500", times=1)
    httpx.post(f"{standin.url}/_standin/expire-tokens").raise_for_status()
    summary = remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY)
    assert summary.as_dict() == {"sent": 300, "skipped": 0, "failed": 0}
    got = _received(standin)
    assert set(got) == set(openids) and set(got.values()) == {1}
    text = standin.messages(openids[0])[0]["payload"]["text"]["content"]
    assert "考勤 2026-10" in text and "单位0" in text
    again = remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY)  # a rerun sends nothing
    assert again.as_dict() == {"sent": 0, "skipped": 300, "failed": 0}
    assert sum(_received(standin).values()) == 300
    other = remind(db, _api(settings, db), settings, "subsidy", PERIOD, TODAY)  # another kind is its own round
    assert other.sent == 300
    db.dispose()


def test_unfollowed_refused_and_opted_out_are_not_retried(db_url, settings, standin) -> None:
    db = Database(db_url)
    openids = _units(db, 5)
    with db.session() as s:
        s.add_all([User(openid=o) for o in openids])
        s.add(PushOptOut(openid=openids[4], kind="attendance"))
    httpx.post(f"{standin.url}/_standin/unfollow", json={"openid": openids[0]}).raise_for_status()
    httpx.post(f"{standin.url}/_standin/unfollow", json={"openid": openids[1], "refused": True}).raise_for_status()
    summary = remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY)
    assert summary.as_dict() == {"sent": 2, "skipped": 3, "failed": 0}
    with db.session() as s:
        stopped = {r.recipient: r.last_error for r in s.scalars(
            select(PushOutbox).where(PushOutbox.status == OutboxStatus.stopped.value))}
        assert set(stopped) == {openids[0], openids[1]} and "43004" in stopped[openids[0]]
        flags = {u.openid: (u.subscribed, u.pushes_enabled) for u in s.scalars(select(User))}
    assert flags[openids[0]][0] is False and flags[openids[1]][1] is False
    assert remind(db, _api(settings, db), settings, "subsidy", PERIOD, TODAY).sent == 3  # opt-out is per kind
    assert set(_received(standin)) == {openids[2], openids[3], openids[4]}
    db.dispose()


def test_a_failing_send_waits_and_gives_up_after_the_attempts(db_url, settings, standin) -> None:
    db = Database(db_url)
    settings = settings.model_copy(update={"push_max_attempts": 3, "push_retry_base_s": 0.1})
    [openid] = _units(db, 1)
    standin.fault("message/custom/send", 45009, times=1000)
    summary = remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY)
    assert summary.as_dict() == {"sent": 0, "skipped": 0, "failed": 1}  # three passes, with back-off between
    with db.session() as s:
        row = s.scalar(select(PushOutbox))
        assert row.status == "failed" and row.attempts == 3 and "45009" in row.last_error
    assert openid not in _received(standin)
    db.dispose()


def test_template_values_keep_to_twenty_characters_and_fall_back(db_url, settings, standin) -> None:
    data = template_data({"title": "报送2026年10月见习考勤" * 3, "when": "尽快", "note": "说明"})
    assert all(len(v["value"]) <= 20 for v in data.values()) and data["thing1"]["value"].endswith("…")
    db = Database(db_url)
    settings = settings.model_copy(update={"push_template_ids": {"attendance": "TPL_ATTENDANCE"}})
    [openid] = _units(db, 1)
    assert remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY).sent == 1
    [message] = standin.messages(openid)
    assert message["payload"]["template_id"] == "TPL_ATTENDANCE"
    assert message["payload"]["client_msg_id"].startswith("jx-attendance-2026-10-")
    db.dispose()


def test_sigkill_half_way_then_a_rerun_misses_nobody(tmp_path: Path, standin_url: str, standin) -> None:
    url = f"sqlite:///{tmp_path}/push.db"
    db = Database(url)
    db.upgrade()
    openids = _units(db, 120)
    db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIANXI_")}
    env.update({"JIANXI_DATABASE_URL": url, "JIANXI_WECHAT_API_BASE": standin_url, "JIANXI_ENV": "test",
                "JIANXI_PUSH_RATE_PER_S": "1000", "PYTHONPATH": str(ROOT)})
    command = [sys.executable, "-c", "from bot.cli import app; app()", "remind", "attendance", "--period", PERIOD]
    standin.fault("message/custom/send", None, times=10_000, delay_s=0.05)  # every send takes 50 ms
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while sum(_received(standin).values()) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    before = sum(_received(standin).values())
    assert 0 < before < 120, before
    httpx.delete(f"{standin.url}/_standin/faults").raise_for_status()
    rerun = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout.strip().splitlines()[-1])
    got = _received(standin)
    assert set(got) == set(openids)  # nobody missed
    # At most the messages in flight at the kill went twice: one per sender working at once.
    assert sum(got.values()) - 120 <= Settings(_env_file=None).push_workers  # type: ignore[call-arg]
    assert summary["sent"] + summary["skipped"] >= 120 - before


def test_only_one_scheduler_acts(db_url) -> None:
    db = Database(db_url)
    now = date(2026, 11, 2)
    from datetime import datetime

    t0 = datetime(now.year, now.month, now.day, 9)
    assert take_lock(db, "host-a", now=t0)
    assert not take_lock(db, "host-b", now=t0 + timedelta(minutes=1))  # a's lease still runs
    assert take_lock(db, "host-a", now=t0 + timedelta(minutes=5))  # a renews
    assert take_lock(db, "host-b", now=t0 + timedelta(minutes=30))  # a stopped renewing: b takes over
    assert not take_lock(db, "host-a", now=t0 + timedelta(minutes=31))
    db.dispose()


def test_token_bucket_keeps_the_rate() -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        clock[0] += s

    bucket = TokenBucket(10, burst=1, clock=lambda: clock[0], sleep=sleep)
    for _ in range(21):
        bucket.take()
    assert clock[0] == pytest.approx(2.0, abs=0.01)  # 20 waits of 0.1 s after the first token


class _SlowBucket:
    """A rate limit that keeps a sender waiting ``wait_s`` before each message."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s

    def take(self) -> None:
        time.sleep(self.wait_s)


def _queue(db: Database, openids: list[str]) -> None:
    enqueue(db, "attendance", PERIOD, [(o, {"title": "报送考勤", "text": f"【考勤提醒】{o}"}) for o in openids])


@pytest.mark.parametrize("renewing", [True, False], ids=["lease renewed", "renewal failing"])
def test_a_sender_waiting_on_the_rate_limit_keeps_its_rows(db_url, settings, standin, monkeypatch, renewing) -> None:
    """Sender A holds 5 rows and waits 0.3 s before each; its lease is 0.5 s. Sender B comes at 0.65 s. Each
    person gets one message: A's lease is renewed while it waits, and should the renewal fail, A checks before
    each send that the row is still its own (B took it over) and does not send it too."""
    monkeypatch.setattr(push, "LEASE", timedelta(seconds=0.5))
    if not renewing:
        monkeypatch.setattr(push._LeaseKeeper, "_run", lambda self: None)
    db = Database(db_url)
    openids = [f"o_slow_{i}" for i in range(5)]
    _queue(db, openids)
    api = _api(settings, db)
    results: dict[str, Summary] = {}
    a = threading.Thread(target=lambda: results.setdefault("a", deliver(db, api, settings, batch=5,
                                                                        bucket=_SlowBucket(0.3))))
    a.start()
    time.sleep(0.65)
    results["b"] = deliver(db, api, settings, batch=5, bucket=_SlowBucket(0.0))
    a.join(timeout=30)
    got = _received(standin)
    assert set(got) == set(openids) and set(got.values()) == {1}, got
    assert results["a"].sent + results["b"].sent == 5
    assert (results["b"].sent == 0) is renewing
    with db.session() as s:
        assert {r.status for r in s.scalars(select(PushOutbox))} == {"sent"}
    db.dispose()


def test_a_slow_rate_claims_few_rows_at_a_time() -> None:
    slow = Settings(push_rate_per_s=0.5, push_workers=4, _env_file=None)  # type: ignore[call-arg]
    fast = Settings(push_rate_per_s=20, push_workers=4, _env_file=None)  # type: ignore[call-arg]
    # At most a quarter of the lease's worth of sending at its share of the rate: 0.125/s × 120 s / 4.
    assert push.claim_size(slow) == 3 and push.claim_size(fast) == 20


def test_a_rerun_after_an_outage_retries_and_counts_each_person_once(db_url, settings, standin) -> None:
    db = Database(db_url)
    settings = settings.model_copy(update={"push_max_attempts": 2, "push_retry_base_s": 0.05})
    openids = _units(db, 8)
    with db.session() as s:
        s.add_all([User(openid=o, role="unit", last_seen_at=utcnow()) for o in openids[:2]])
        s.add(PushOptOut(openid=openids[1], kind="attendance"))
    httpx.post(f"{standin.url}/_standin/unfollow", json={"openid": openids[0]}).raise_for_status()
    standin.fault("message/custom/send", -1, times=10_000)  # WeChat out of order for the whole round
    runs: list[tuple[dict[str, int], list[int], list[int]]] = []

    def run() -> None:
        totals: list[int] = []
        progress: list[int] = []
        summary = remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY, on_total=totals.append,
                         on_progress=progress.append)
        runs.append((summary.as_dict(), totals, progress))

    run()
    httpx.delete(f"{standin.url}/_standin/faults").raise_for_status()  # WeChat is back
    run()  # the rerun tries again what failed on the outage (its attempts were used up)
    run()  # and a third sends nothing
    assert [r[0] for r in runs] == [{"sent": 0, "skipped": 1, "failed": 7},  # opted out; 7 failed on -1
                                    {"sent": 6, "skipped": 2, "failed": 0},  # + the unfollowed one: 43004
                                    {"sent": 0, "skipped": 8, "failed": 0}]  # each person once, not twice
    assert all(totals == [8] and sum(progress) == 8 for _, totals, progress in runs)  # the bar's total is who is due
    got = _received(standin)
    assert set(got) == set(openids[2:]) and set(got.values()) == {1}
    db.dispose()


def test_an_unfollow_without_a_user_row_is_remembered_until_they_follow_again(db_url, settings, standin) -> None:
    db = Database(db_url)
    openids = _units(db, 3)  # unit contacts who never wrote to the account: no users row
    gone = openids[0]
    httpx.post(f"{standin.url}/_standin/unfollow", json={"openid": gone}).raise_for_status()
    assert remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY).as_dict() == \
        {"sent": 2, "skipped": 1, "failed": 0}
    assert remind(db, _api(settings, db), settings, "subsidy", PERIOD, TODAY).as_dict() == \
        {"sent": 2, "skipped": 1, "failed": 0}

    def tried() -> int:
        return sum(1 for c in standin.calls() if c["endpoint"] == "message/custom/send" and c["body"]["touser"] == gone)

    assert tried() == 1  # the next round did not ask WeChat again
    httpx.post(f"{standin.url}/_standin/follow", json={"openid": gone}).raise_for_status()
    with db.session() as s:  # following again (bot.handlers.welcome records it)
        s.add(User(openid=gone, role="unit", subscribed=True, subscribed_at=utcnow() + timedelta(seconds=1)))
    assert remind(db, _api(settings, db), settings, "attendance", "2026-11", TODAY).sent == 3
    assert tried() == 2
    db.dispose()


def test_the_48_hour_window_of_customer_service_messages(db_url, settings, standin) -> None:
    db = Database(db_url)
    openids = _units(db, 4)
    recent, stale, unknown, closed = openids
    with db.session() as s:
        s.add(User(openid=recent, role="unit", last_seen_at=utcnow() - timedelta(hours=3)))
        s.add(User(openid=stale, role="unit", last_seen_at=utcnow() - timedelta(days=3)))
        s.add(User(openid=closed, role="unit", last_seen_at=utcnow() - timedelta(hours=47)))
    standin.fault("message/custom/send", 45015, times=1)  # WeChat says the window closed (the first call: recent)
    summary = remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY)
    assert summary.as_dict() == {"sent": 2, "skipped": 2, "failed": 0}
    with db.session() as s:
        rows = {r.recipient: r for r in s.scalars(select(PushOutbox))}
    assert rows[stale].status == "skipped" and "48小时" in rows[stale].last_error and rows[stale].attempts == 0
    [first] = [o for o in openids if o != stale and rows[o].status == "skipped"]
    assert "45015" in rows[first].last_error and rows[first].attempts == 1  # a stop for this message, no retry
    sends = Counter(c["body"]["touser"] for c in standin.calls() if c["endpoint"] == "message/custom/send")
    assert stale not in sends and sends[first] == 1
    assert set(_received(standin)) == set(openids) - {stale, first}
    db.dispose()


def test_template_fields_come_from_the_settings(db_url, settings, standin, monkeypatch) -> None:
    monkeypatch.setenv("JIANXI_PUSH_TEMPLATE_FIELDS", '{"report": {"thing2": "title", "time5": "when"}}')
    assert Settings(_env_file=None).push_template_fields == {  # type: ignore[call-arg]
        "report": {"thing2": "title", "time5": "when"}}
    monkeypatch.delenv("JIANXI_PUSH_TEMPLATE_FIELDS")
    assert Settings(_env_file=None).push_template_fields == {  # type: ignore[call-arg]  # the mapping as it was
        "default": {"thing1": "title", "time2": "when", "thing3": "note"}}
    db = Database(db_url)
    settings = settings.model_copy(update={
        "push_template_ids": {"attendance": "TPL_A", "subsidy": "TPL_S"},
        "push_template_fields": {"default": {"thing1": "title", "thing3": "note"},
                                 "subsidy": {"thing7": "title", "time9": "when"}}})
    [openid] = _units(db, 1)
    remind(db, _api(settings, db), settings, "attendance", PERIOD, TODAY)
    remind(db, _api(settings, db), settings, "subsidy", PERIOD, TODAY)
    attendance, subsidy = (m["payload"] for m in standin.messages(openid))
    assert attendance["data"] == {"thing1": {"value": "报送2026年10月见习考勤"}, "thing3": {"value": "单位0"}}
    assert subsidy["data"] == {"thing7": {"value": "申领2026年10月见习补贴"}, "time9": {"value": "考勤报齐后"}}
    db.dispose()


def test_payloads_are_stored_as_readable_json(db_url) -> None:
    db = Database(db_url)
    _queue(db, ["o_json"])
    with db.engine.connect() as conn:
        raw = conn.execute(text("SELECT payload FROM push_outbox" if db.is_sqlite
                                else "SELECT payload::text FROM push_outbox")).scalar_one()
    assert "【考勤提醒】" in raw and "\\u" not in raw
    db.dispose()
