"""退订 and 恢复提醒 in chat, per kind and for everything, and what a reminder round then does."""

from __future__ import annotations

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
