"""The admin applications API with real tokens: masked, newest first, scoped to the official's region, review
and internship transitions by the state table, and the applicant told of every change (stand-in WeChat API)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.api.admin_auth import issue_official_token
from bot.config import Settings
from bot.models import Application, MessageLog, Position
from bot.privacy import Vault, mask_id_number
from tests.conftest import WeChatUser
from tests.signup_helpers import add_positions, id_number, last_year_june
from tests.test_cli import jianxi

ADMIN = "operator-token-0123456789"
PHONE = "13812345678"
INTERFACE_KEYS = {"id", "position_code", "name", "phone", "id_number", "status", "created_at"}


@pytest.fixture
def admin_client(settings: Settings) -> Any:
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"admin_token": ADMIN}))
    with TestClient(app) as c:
        yield c
    app.state.services.db.dispose()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _sign_up(client: Any, settings: Settings, openid: str, code: str, idn: str) -> None:
    u = WeChatUser(client, settings, openid=openid)
    u.say(f"报名 {code}")
    for answer in ("张三", PHONE, idn, "本科", "郑州大学", "会计", last_year_june(), "郑州市金水区", "2", "2"):
        u.say(answer)
    assert "报名已提交" in u.say("确认")


def _insert(client: Any, code: str, openid: str, *, name: str = "李四", phone: str = "13900001111",
            idn: str | None = None, status: str = "submitted", created_at: datetime | None = None,
            review_due_on: date | None = None) -> int:
    services = client.app.state.services
    vault: Vault = services.vault
    idn = idn or id_number(22, serial=f"{sum(map(ord, openid)) % 1000:03d}")  # one person per openid
    with services.db.session() as s:
        position = s.scalar(select(Position).where(Position.code == code))
        a = Application(openid=openid, position_id=position.id, position_code=code, region_code=position.county_code,
                        status=status, applicant_name=name, phone_enc=vault.encrypt(phone),
                        id_number_enc=vault.encrypt(idn), id_number_hash=vault.lookup_hash(idn),
                        review_due_on=review_due_on, created_at=created_at or datetime.now())
        s.add(a)
        s.flush()
        return a.id


def test_a_token_is_required(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/admin/applications").status_code == 401
    assert client.post("/api/v1/admin/applications/1/review", json={"action": "accept"}).status_code == 401


def test_list_is_masked_newest_first_and_scoped_to_the_region(admin_client, settings) -> None:
    c = admin_client
    add_positions(c.app.state.services.db)
    idn = id_number(23)
    _sign_up(c, settings, "o_zz", "ZZ-JS-01", idn)
    later = datetime.now() + timedelta(minutes=1)
    _insert(c, "GZ-KJ-01", "o_gz", created_at=later)
    r = c.get("/api/v1/admin/applications", headers=_bearer(ADMIN))
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["position_code"] for i in items] == ["GZ-KJ-01", "ZZ-JS-01"]
    assert all(INTERFACE_KEYS <= set(i) for i in items)
    zz = items[1]
    assert (zz["name"], zz["phone"], zz["id_number"], zz["status"]) == ("张三", "138****5678", mask_id_number(idn),
                                                                       "submitted")
    assert zz["status_label"] == "已提交，待审核" and zz["created_at"].startswith(str(date.today().year))
    assert PHONE not in r.text and idn not in r.text and "13900001111" not in r.text

    services = c.app.state.services
    zhengzhou = issue_official_token(services, "郑州市人社局", "4101")
    guangzhou = issue_official_token(services, "广州市人社局", "4401")
    seen = c.get("/api/v1/admin/applications", headers=_bearer(zhengzhou)).json()["items"]
    assert [i["position_code"] for i in seen] == ["ZZ-JS-01"]
    seen = c.get("/api/v1/admin/applications", headers=_bearer(guangzhou)).json()["items"]
    assert [i["position_code"] for i in seen] == ["GZ-KJ-01"]
    # Another region's application does not exist for the caller.
    other = zz["id"]
    assert c.get(f"/api/v1/admin/applications/{other}", headers=_bearer(guangzhou)).status_code == 404
    r = c.post(f"/api/v1/admin/applications/{other}/review", json={"action": "accept"}, headers=_bearer(guangzhou))
    assert r.status_code == 404 and "没有找到" in r.json()["detail"]
    with services.db.session() as s:
        assert s.get(Application, other).status == "submitted"


def test_review_and_internship_follow_the_state_table_and_notify(admin_client, settings, standin) -> None:
    c = admin_client
    services = c.app.state.services
    add_positions(services.db)
    _sign_up(c, settings, "o_life", "ZZ-JS-01", id_number(23))
    token = issue_official_token(services, "郑州市人社局", "4101")
    [item] = c.get("/api/v1/admin/applications", headers=_bearer(token)).json()["items"]
    url = f"/api/v1/admin/applications/{item['id']}"

    def act(path: str, body: dict[str, Any]) -> httpx.Response:
        return c.post(f"{url}/{path}", json=body, headers=_bearer(token))

    def last_message() -> str:
        return standin.messages("o_life")[-1]["payload"]["text"]["content"]

    r = act("review", {"action": "start_review"})
    assert r.status_code == 200 and r.json()["status"] == "under_review" and r.json()["notified"] is True
    assert "会计助理" in last_message() and "审核中" in last_message()
    r = act("review", {"action": "accept"})
    assert r.json()["status"] == "accepted" and "审核通过" in last_message()
    again = act("review", {"action": "accept"})
    assert again.status_code == 409 and "审核通过" in again.json()["detail"]
    r = act("review", {"action": "reject", "reason": "名额已满"})
    assert r.status_code == 409 and "当前状态为“审核通过”" in r.json()["detail"]
    assert act("review", {"action": "approve"}).status_code == 422
    assert act("internship", {"action": "start"}).status_code == 422
    start, end = date.today(), date.today() + timedelta(days=180)
    r = act("internship", {"action": "start", "starts_on": start.isoformat(), "ends_on": end.isoformat()})
    assert r.status_code == 200 and r.json()["status"] == "on_internship"
    assert "见习中" in last_message() and "见习协议已签订" in last_message()
    with services.db.session() as s:
        assert s.scalar(select(Position.places_left).where(Position.code == "ZZ-JS-01")) == 1
    assert act("internship", {"action": "complete"}).json()["status"] == "completed"
    assert act("internship", {"action": "retain"}).json()["status"] == "retained"
    assert "留用" in last_message()
    late = act("internship", {"action": "end_early", "reason": "个人原因"})
    assert late.status_code == 409 and "已留用" in late.json()["detail"]
    detail = c.get(url, headers=_bearer(token)).json()
    assert [h["to"] for h in detail["history"]] == ["submitted", "under_review", "accepted", "on_internship",
                                                    "completed", "retained"]
    assert detail["history"][1]["actor"] == "official:郑州市人社局" and detail["position_title"] == "会计助理"
    assert len(standin.messages("o_life")) == 5  # one per change after the sign-up
    texts = " ".join(m["payload"]["text"]["content"] for m in standin.messages("o_life"))
    assert PHONE not in texts and "138****5678" not in texts
    # The applicant sees the new status in chat too.
    assert "已留用" in WeChatUser(c, settings, openid="o_life").say("我的报名")


def test_reject_needs_a_reason_the_applicant_is_told(admin_client, standin) -> None:
    c = admin_client
    add_positions(c.app.state.services.db)
    application_id = _insert(c, "GZ-KJ-01", "o_rejected")
    url = f"/api/v1/admin/applications/{application_id}/review"
    missing = c.post(url, json={"action": "reject"}, headers=_bearer(ADMIN))
    assert missing.status_code == 422 and "原因" in missing.json()["detail"]
    r = c.post(url, json={"action": "reject", "reason": "所学专业与岗位要求不符"}, headers=_bearer(ADMIN))
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["reason"] == "所学专业与岗位要求不符"
    [message] = standin.messages("o_rejected")
    assert "未通过" in message["payload"]["text"]["content"] and "所学专业与岗位要求不符" in message["payload"]["text"]["content"]


def test_a_failed_notification_does_not_undo_the_change(admin_client, standin) -> None:
    c = admin_client
    add_positions(c.app.state.services.db)
    application_id = _insert(c, "GZ-KJ-01", "o_gone")
    httpx.post(f"{standin.url}/_standin/unfollow", json={"openid": "o_gone"}).raise_for_status()
    r = c.post(f"/api/v1/admin/applications/{application_id}/review", json={"action": "start_review"},
               headers=_bearer(ADMIN))
    assert r.status_code == 200 and r.json()["status"] == "under_review" and r.json()["notified"] is False
    with c.app.state.services.db.session() as s:
        assert s.get(Application, application_id).status == "under_review"
        log = s.scalar(select(MessageLog).where(MessageLog.openid == "o_gone"))
        assert log.channel == "failed" and "审核中" in log.content


def test_filters_and_paging(admin_client) -> None:
    c = admin_client
    add_positions(c.app.state.services.db)
    now = datetime.now()
    late = _insert(c, "CS-YL-01", "o_a", created_at=now - timedelta(days=10), review_due_on=date.today() - timedelta(days=2))
    _insert(c, "CS-YL-01", "o_b", created_at=now - timedelta(days=1), review_due_on=date.today() + timedelta(days=4))
    _insert(c, "GZ-KJ-01", "o_c", created_at=now, status="accepted")

    def get(query: str) -> httpx.Response:
        return c.get(f"/api/v1/admin/applications{query}", headers=_bearer(ADMIN))

    overdue = get("?overdue=true").json()
    assert [i["id"] for i in overdue["items"]] == [late] and overdue["items"][0]["overdue"] is True
    assert overdue["total"] == 1
    assert len(get("?overdue=false").json()["items"]) == 2
    assert [i["status"] for i in get("?status=accepted").json()["items"]] == ["accepted"]
    page = get("?limit=1&offset=1").json()
    assert [i["position_code"] for i in page["items"]] == ["CS-YL-01"]
    assert page["total"] == 3 and page["limit"] == 1 and page["offset"] == 1
    for bad in ("?status=done", "?overdue=maybe", "?limit=0", "?limit=abc", "?offset=-1"):
        r = get(bad)
        assert r.status_code == 422, bad
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])


def test_cli_creates_an_official_account(tmp_path: Path, standin_url: str) -> None:
    url = f"sqlite:///{tmp_path}/officials.db"
    r = jianxi("official", "add", "--name", "郑州市人社局", "--region", "4101",
               env={"JIANXI_DATABASE_URL": url}, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["region_code"] == "4101" and out["region_name"] == "河南省郑州市" and len(out["token"]) >= 24
    assert "只显示这一次" in r.stderr
    assert out["token"] not in Path(f"{tmp_path}/officials.db").read_bytes().decode("latin-1")
    bad = jianxi("official", "add", "--name", "x", "--region", "朝阳区", env={"JIANXI_DATABASE_URL": url}, cwd=tmp_path)
    assert bad.returncode == 2 and "无法唯一确定" in bad.stderr

    from bot.app import create_app

    app = create_app(Settings(env="test", database_url=url, wechat_api_base=standin_url, simulator=False,
                              _env_file=None))  # type: ignore[call-arg]
    with TestClient(app) as c:
        me = c.get("/api/v1/admin/whoami", headers=_bearer(out["token"])).json()
        assert me == {"name": "郑州市人社局", "region_code": "4101"}
        assert c.get("/api/v1/admin/applications", headers=_bearer(out["token"])).json()["items"] == []
    app.state.services.db.dispose()


def test_the_state_table_and_review_deadlines() -> None:
    from bot.applications.lifecycle import TRANSITIONS, allowed, review_due_on
    from bot.models import ApplicationStatus as S

    assert set(TRANSITIONS) == set(S)
    assert allowed("submitted", "under_review") and allowed("under_review", "rejected")
    assert allowed("on_internship", "ended_early") and allowed("completed", "retained")
    assert not allowed("submitted", "on_internship") and not allowed("rejected", "accepted")
    assert all(not TRANSITIONS[s] for s in (S.rejected, S.retained, S.ended_early))
    assert not allowed("nonsense", "accepted")
    # 长沙: 5 working days from the day after submission; 2024's National Day holiday and its make-up
    # working Sunday (29 September) are counted as they fell.
    assert review_due_on("430104", date(2024, 9, 27)) == date(2024, 10, 10)
    assert review_due_on("440106", date(2024, 9, 27)) is None  # 广东 sets no review limit
