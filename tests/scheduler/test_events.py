"""Matching events: `jianxi broadcast` on a fresh database reaches the followers it targets once (region, role,
major of the same 专业类), a rerun of the recall sends nothing twice, and bad input exits 2 with a message."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from bot.config import Settings
from bot.db import Database
from bot.models import PushOptOut, Role, User
from scheduler.events import audience, recall
from tests.test_cli import jianxi


def _followers(db: Database) -> None:
    with db.session() as s:
        s.add_all([
            User(openid="o_zz_cs", role=Role.graduate.value, region_code="410105", major="计算机科学与技术"),
            User(openid="o_zz_se", role=Role.graduate.value, region_code="410102", major="软件工程"),  # same 类
            User(openid="o_zz_kj", role=Role.graduate.value, region_code="410105", major="会计学"),
            User(openid="o_zz_none", role=Role.graduate.value, region_code="4101"),  # no major: included
            User(openid="o_ly_cs", role=Role.graduate.value, region_code="410305", major="计算机科学与技术"),
            User(openid="o_gz_cs", role=Role.graduate.value, region_code="440106", major="计算机科学与技术"),
            User(openid="o_zz_unit", role=Role.unit.value, region_code="410105"),
            User(openid="o_zz_gone", role=Role.graduate.value, region_code="410105", subscribed=False),
            User(openid="o_zz_out", role=Role.graduate.value, region_code="410105", major="软件工程"),
        ])
        s.add(PushOptOut(openid="o_zz_out", kind="event"))


def test_audience_by_region_role_and_major(db_url) -> None:
    db = Database(db_url)
    _followers(db)
    assert sorted(audience(db, "4101", "计算机科学与技术", ("graduate",))) == ["o_zz_cs", "o_zz_none", "o_zz_se"]
    assert "o_gz_cs" in audience(db, None, None, ("graduate",))
    assert audience(db, "4101", None, ("unit",)) == ["o_zz_unit"]
    db.dispose()


def test_broadcast_cli_and_the_recall(tmp_path: Path, standin_url: str, standin, settings) -> None:
    url = f"sqlite:///{tmp_path}/b.db"
    db = Database(url)
    db.upgrade()
    _followers(db)
    env = {"JIANXI_DATABASE_URL": url, "JIANXI_WECHAT_API_BASE": standin_url, "JIANXI_ENV": "test"}
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    r = jianxi("broadcast", "--title", "郑州计算机类专场对接会", "--text", "20家单位现场招募见习人员", "--region", "郑州",
               "--major", "计算机科学与技术", "--date", tomorrow, "--place", "郑州市人才市场", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"sent": 3, "skipped": 0, "failed": 0}
    assert sorted({m["touser"] for m in standin.messages()}) == ["o_zz_cs", "o_zz_none", "o_zz_se"]
    assert "郑州市人才市场" in standin.messages("o_zz_cs")[0]["payload"]["text"]["content"]
    bad = jianxi("broadcast", "--title", "x", "--text", "y", "--region", "火星", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "无法确定地区" in bad.stderr and "Traceback" not in bad.stderr
    s2 = settings.model_copy(update={"database_url": url})
    from bot.kv import DatabaseStore
    from bot.wechat.client import WeChatApi

    api = WeChatApi(s2, db, DatabaseStore(db))
    assert recall(db, api, s2, date.today()).sent == 3  # the day before
    assert recall(db, api, s2, date.today()).sent == 0  # once
    assert len(standin.messages()) == 6
    db.dispose()


def test_admin_api_announces_to_the_officials_region(settings, standin) -> None:
    from fastapi.testclient import TestClient

    from bot.api.admin_auth import issue_official_token
    from bot.app import create_app

    app = create_app(settings)
    with TestClient(app) as api:
        db = app.state.services.db
        _followers(db)
        henan = issue_official_token(app.state.services, "河南省", "41")
        h = {"Authorization": f"Bearer {henan}"}
        assert api.post("/api/v1/admin/events", json={"title": "x"}, headers={}).status_code == 401
        assert api.post("/api/v1/admin/events", json={"title": "广州专场", "text": "y", "region": "广州"},
                        headers=h).status_code == 403
        assert api.post("/api/v1/admin/events", json={"title": "", "text": "y"}, headers=h).status_code == 422
        assert api.post("/api/v1/admin/events", json={"title": "t", "text": "y", "date": "2020-01-01"},
                        headers=h).status_code == 422
        r = api.post("/api/v1/admin/events", json={"title": "河南见习对接月", "text": "全省联动", "major": "会计学"},
                     headers=h)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["region_code"] == "41" and body["summary"]["sent"] == body["audience"]
        assert {m["touser"] for m in standin.messages()} == {"o_zz_kj", "o_zz_none"}  # Henan, 会计 or no major
        assert api.get("/api/v1/admin/events", headers=h).json()["items"][0]["title"] == "河南见习对接月"
    app.state.services.db.dispose()


def test_a_large_audience_goes_by_mass_send_within_the_monthly_limit(db_url, settings, standin) -> None:
    from datetime import date as day

    from bot.kv import DatabaseStore
    from bot.models import PushOutbox
    from bot.wechat.client import WeChatApi
    from scheduler.events import announce

    db = Database(db_url)
    with db.session() as s:
        s.add_all([User(openid=f"o_many_{i}", role=Role.graduate.value, region_code="410105") for i in range(6)])
        month = day.today().isoformat()[:7]
        s.add_all([PushOutbox(kind="mass", ref=f"{month}:{k}", recipient="o_many_0", status="sent", payload={})
                   for k in range(90, 94)])  # four mass messages already this month
    s2 = settings.model_copy(update={"push_mass_threshold": 3})
    api = WeChatApi(s2, db, DatabaseStore(db))
    event, summary = announce(db, api, s2, title="郑州专场", text="现场招募", region="4101")
    assert summary.sent == 5 and summary.skipped == 1 and summary.errors["over_monthly_mass_limit"] == 1
    sent = standin.messages()
    assert {m["touser"] for m in sent} == {f"o_many_{i}" for i in range(1, 6)}
    assert {m["kind"] for m in sent} == {"mass"}
    stats = httpx.get(f"{standin.url}/_standin/stats").json()
    assert stats["messages"]["mass"] == 5 and stats["messages"]["custom"] == 0
    db.dispose()


def test_broadcasting_the_same_event_again_resumes_it(tmp_path: Path, standin_url: str, standin) -> None:
    """An outage cut the first send short; `jianxi broadcast` with the same title, date and region (or --event)
    resumes that event: those not reached get it, nobody gets it twice, no second event."""
    from bot.kv import DatabaseStore
    from bot.models import MatchingEvent
    from bot.wechat.client import WeChatApi
    from scheduler.events import announce

    url = f"sqlite:///{tmp_path}/b.db"
    db = Database(url)
    db.upgrade()
    _followers(db)
    s2 = Settings(env="test", database_url=url, wechat_api_base=standin_url, push_max_attempts=1, push_workers=1,
                  _env_file=None)  # type: ignore[call-arg]
    standin.fault("message/custom/send", -1, times=8)  # two sends fail for good (the client tries each 4 times)
    args = {"title": "郑州专场对接会", "text": "现场招募见习人员", "starts_on": date(2026, 12, 5), "region": "4101"}
    event, first = announce(db, WeChatApi(s2, db, DatabaseStore(db), sleep=lambda s: None), s2, **args)
    assert first.as_dict() == {"sent": 2, "skipped": 0, "failed": 2}
    env = {"JIANXI_DATABASE_URL": url, "JIANXI_WECHAT_API_BASE": standin_url, "JIANXI_ENV": "test"}
    r = jianxi("broadcast", "--title", "郑州专场对接会", "--text", "现场招募见习人员", "--date", "2026-12-05",
               "--region", "4101", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"sent": 2, "skipped": 2, "failed": 0}
    assert f"活动 {event.id}" in r.stderr and "继续推送" in r.stderr
    again = jianxi("broadcast", "--event", str(event.id), env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"sent": 0, "skipped": 4, "failed": 0}
    got = [m["touser"] for m in standin.messages()]
    assert sorted(got) == ["o_zz_cs", "o_zz_kj", "o_zz_none", "o_zz_se"]  # each once
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(MatchingEvent)) == 1
    db.dispose()


def test_the_last_one_of_10001_is_reached_too(db_url, settings, standin) -> None:
    """WeChat's list send takes 2 to 10,000 openids: of 10,001, the 10,001st goes by customer-service message."""
    from bot.kv import DatabaseStore
    from bot.wechat.client import WeChatApi
    from scheduler.events import announce

    db = Database(db_url)
    openids = [f"o_big_{i:05d}" for i in range(10_001)]
    with db.engine.begin() as conn:
        conn.execute(insert(User), [{"openid": o, "role": "graduate", "region_code": "410105", "subscribed": True,
                                     "pushes_enabled": True} for o in openids])
    s2 = settings.model_copy(update={"push_mass_threshold": 3})
    event, summary = announce(db, WeChatApi(s2, db, DatabaseStore(db)), s2, title="郑州专场", text="现场招募",
                              region="4101")
    assert summary.as_dict() == {"sent": 10_001, "skipped": 0, "failed": 0}
    stats = standin.stats()
    assert stats["messages"] == {"custom": 1, "template": 0, "mass": 10_000}
    [last] = standin.messages(sorted(openids)[-1])
    assert last["kind"] == "custom" and "郑州专场" in last["payload"]["text"]["content"]
    assert not [c for c in standin.calls() if c["errcode"] == 40130]
    db.dispose()


def test_publishing_in_chat_answers_at_once_and_sends_in_the_background(client, settings, standin) -> None:
    from tests.conftest import WeChatUser

    db = client.app.state.services.db
    with db.session() as s:
        s.add_all([User(openid=f"o_hn_{i}", role=Role.graduate.value, region_code="410105") for i in range(12)])
        s.add(User(openid="o_official_hn", role=Role.official.value, name="河南省", region_code="41",
                   region_name="河南省"))
    official = WeChatUser(client, settings, openid="o_official_hn")
    for answer in ("发布活动", "河南省见习专场", (date.today() + timedelta(days=10)).isoformat(), "郑州市人才市场",
                   "30家单位现场招募见习人员", "不限"):
        official.say(answer)
    standin.fault("message/custom/send", None, times=12, delay_s=0.3)  # each send takes 0.3 s: 1 s or more in all
    started = time.monotonic()
    reply = official.say("确认")
    took = time.monotonic() - started
    at_reply = len(standin.messages())
    assert "已发布" in reply and "正在推送，共12人" in reply
    assert at_reply < 12 and took < 1.0, (at_reply, took)  # the reply did not wait for the delivery
    deadline = time.monotonic() + 30
    while len(standin.messages()) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    got = Counter(m["touser"] for m in standin.messages())
    assert set(got) == {f"o_hn_{i}" for i in range(12)} and set(got.values()) == {1}
