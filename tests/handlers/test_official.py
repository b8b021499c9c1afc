"""The officials' workbench in chat, through the real webhook: 待办 in their region only, 查看 masked, 通过 and
驳回 by the state table, and the applicant told once the change is committed (stand-in WeChat API)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import select

from bot.models import Application, ApplicationEvent, Role, User
from tests.conftest import WeChatUser
from tests.signup_helpers import add_positions, id_number, last_year_june

PHONE = "13812345678"


def _sign_up(client, settings, openid: str, code: str, age: int, serial: str) -> None:  # type: ignore[no-untyped-def]
    u = WeChatUser(client, settings, openid=openid)
    u.say(f"报名 {code}")
    for answer in ("张三", PHONE, id_number(age, serial=serial), "本科", "郑州大学", "会计", last_year_june(),
                   "郑州市金水区", "2", "2"):
        u.say(answer)
    assert "报名已提交" in u.say("确认")


def _official(client, settings, openid: str, region: str, name: str) -> WeChatUser:  # type: ignore[no-untyped-def]
    with client.app.state.services.db.session() as s:
        s.add(User(openid=openid, role=Role.official.value, name=name, region_code=region, region_name=name))
    return WeChatUser(client, settings, openid=openid)


def _ids(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with client.app.state.services.db.session() as s:
        return {a.position_code: a.id for a in s.scalars(select(Application))}


def test_official_reviews_in_chat_and_the_applicant_is_told(client, settings, standin) -> None:
    add_positions(client.app.state.services.db)
    _sign_up(client, settings, "o_gz", "GZ-KJ-01", 23, "321")
    _sign_up(client, settings, "o_cs", "CS-YL-01", 22, "654")
    ids = _ids(client)
    gz, cs = ids["GZ-KJ-01"], ids["CS-YL-01"]

    guangdong = _official(client, settings, "o_official_44", "44", "广东省")
    inbox = guangdong.say("待办")
    assert f"报名{gz}" in inbox and "审计助理" in inbox
    assert f"报名{cs}" not in inbox  # Changsha's sign-up is not Guangdong's business
    shown = guangdong.say(f"查看 报名{gz}")
    assert "138****5678" in shown and PHONE not in shown and "张三" in shown
    assert "没有找到" in guangdong.say(f"查看 报名{cs}")
    assert "没有找到" in guangdong.say(f"通过 报名{cs}")
    assert "驳回原因" in guangdong.say(f"驳回 报名{gz}")  # a rejection needs a reason
    done = guangdong.say(f"通过 报名{gz}")
    assert "审核通过" in done and "已通知申请人" in done
    assert "不能改为" in guangdong.say(f"驳回 报名{gz} 材料不全")  # accepted is not rejected afterwards
    [told] = standin.messages("o_gz")
    assert "审核通过" in told["payload"]["text"]["content"]
    assert "暂无待审核" in guangdong.say("待办")

    changsha = _official(client, settings, "o_official_4301", "4301", "长沙市")
    inbox = changsha.say("工作台")
    assert f"报名{cs}" in inbox and "最晚" in inbox  # Changsha reviews within 5 working days
    assert "已改为“未通过”" in changsha.say(f"驳回 报名{cs} 专业与岗位要求不符")
    [told] = standin.messages("o_cs")
    assert "专业与岗位要求不符" in told["payload"]["text"]["content"]
    with client.app.state.services.db.session() as s:
        actors = set(s.scalars(select(ApplicationEvent.actor).where(ApplicationEvent.to_status != "submitted")))
    assert actors == {"official:广东省", "official:长沙市"}


def test_overdue_sign_ups_come_first(client, settings) -> None:
    add_positions(client.app.state.services.db)
    _sign_up(client, settings, "o_cs1", "CS-YL-01", 22, "111")
    _sign_up(client, settings, "o_cs2", "CS-YL-01", 23, "222")
    with client.app.state.services.db.session() as s:
        ids = sorted(s.scalars(select(Application.id)))
    with client.app.state.services.db.session() as s:
        late = s.get(Application, ids[1])
        late.review_due_on = date.today() - timedelta(days=1)
    inbox = _official(client, settings, "o_official_cs", "4301", "长沙市").say("待办")
    assert inbox.index(f"报名{ids[1]}") < inbox.index(f"报名{ids[0]}") and "已超期" in inbox


def test_not_an_official(wechat_user) -> None:
    assert "人社工作人员" in wechat_user.say("待办")
    assert "人社工作人员" in wechat_user.say("通过 报名1")


def test_official_publishes_a_matching_event_in_chat(client, settings, standin) -> None:
    db = client.app.state.services.db
    with db.session() as s:
        s.add_all([User(openid="o_grad_zz", role=Role.graduate.value, region_code="410105", major="会计学"),
                   User(openid="o_grad_gz", role=Role.graduate.value, region_code="440106", major="会计学")])
    official = _official(client, settings, "o_official_henan", "41", "河南省")
    assert "活动标题" in official.say("发布活动")
    assert "活动日期" in official.say("河南省会计类见习专场")
    assert "不能早于今天" in official.say("2020-01-01")
    assert "地点" in official.say((date.today() + timedelta(days=10)).isoformat())
    assert "活动内容" in official.say("郑州市人才市场三楼")
    assert "面向哪个专业" in official.say("30家单位现场招募会计、财务类见习人员")
    assert "请核对" in official.say("会计学")
    assert "已发布" in official.say("确认")
    for _ in range(400):  # sent on a thread after the reply
        if standin.messages():
            break
        time.sleep(0.05)
    assert {m["touser"] for m in standin.messages()} == {"o_grad_zz"}  # Henan only
    assert "河南省会计类见习专场" in standin.messages("o_grad_zz")[0]["payload"]["text"]["content"]
    assert "人社工作人员" in WeChatUser(client, settings, openid="o_grad_zz").say("发布活动")
