"""退订 and 恢复提醒 in chat, per kind and for everything, and what a reminder round then does."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.models import PushOptOut, User


def _state(client, openid: str) -> tuple[bool, set[str]]:  # type: ignore[no-untyped-def]
    with client.app.state.services.db.session() as s:
        enabled = s.scalar(select(User.pushes_enabled).where(User.openid == openid))
        kinds = set(s.scalars(select(PushOptOut.kind).where(PushOptOut.openid == openid)))
    return bool(enabled), kinds


def test_opt_out_per_kind_and_back(wechat_user, client) -> None:
    u = wechat_user
    assert "已退订“考勤提醒”" in u.say("退订 考勤提醒")
    assert "已退订“补贴申领提醒”" in u.say("退订补贴提醒")
    assert _state(client, u.openid) == (True, {"attendance", "subsidy"})
    assert "没有这类提醒" in u.say("退订 天气预报")
    assert "已恢复“考勤提醒”" in u.say("恢复 考勤提醒")
    assert _state(client, u.openid) == (True, {"subsidy"})
    assert "退订全部提醒" in u.say("退订")
    assert _state(client, u.openid)[0] is False
    assert "恢复全部提醒" in u.say("恢复提醒")
    assert _state(client, u.openid) == (True, set())


SHORT_NAMES = {"考勤": "attendance", "补贴": "subsidy", "汇总表": "report", "审核": "review", "活动通知": "event"}


def test_every_suggestion_the_bot_prints_reaches_the_pushes_handler(client, settings, standin) -> None:
    """As an official (退订/恢复 对接活动通知 once opened their 发布活动 form; 补贴 and 汇总表 went to policy
    questions): each kind by its name and short name, and every 退订/恢复 the replies and the pushes suggest."""
    from bot.models import Role
    from scheduler.events import announce
    from scheduler.push import KINDS
    from tests.conftest import WeChatUser

    services = client.app.state.services
    with services.db.session() as s:
        s.add(User(openid="o_official_41", role=Role.official.value, name="河南省", region_code="41"))
    u = WeChatUser(client, settings, openid="o_official_41")
    announce(services.db, client.app.state.api, settings, title="专场", text="招募", region="41", roles=("official",))
    [notice] = standin.messages(u.openid)
    todo = set(re.findall(r"“((?:退订|恢复)[^”]*)”", notice["payload"]["text"]["content"]))
    assert todo == {"退订 活动通知"}
    todo |= {f"退订 {name}" for name in [*KINDS.values(), *SHORT_NAMES]}
    todo |= {f"恢复 {name}" for name in [*KINDS.values(), *SHORT_NAMES]} | {"退订", "恢复提醒"}
    said: set[str] = set()
    while todo - said:
        text = sorted(todo - said)[0]
        said.add(text)
        reply = u.say(text)
        assert re.match(r"^(已退订|已恢复|已为您(退订|恢复)全部提醒)", reply), (text, reply)
        todo |= set(re.findall(r"“((?:退订|恢复)[^”]*)”", reply))
        words = text.split()
        if len(words) == 2:
            kind = SHORT_NAMES.get(words[1]) or next(k for k, v in KINDS.items() if v == words[1])
            enabled, kinds = _state(client, u.openid)
            assert (kind in kinds) is (words[0] == "退订"), (text, kinds)
            assert f"“{KINDS[kind]}”" in reply
    assert "恢复 对接活动通知" in said and "恢复 补贴申领提醒" in said  # suggested by the replies themselves
