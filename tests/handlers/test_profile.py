"""The graduate profile form through the real webhook, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import ConversationState, MessageLog, User
from bot.privacy import Vault


def test_profile_form_end_to_end(wechat_user, client, settings) -> None:
    u = wechat_user
    assert "欢迎关注" in u.event("subscribe")["Content"]
    assert "姓名" in u.say("填写资料")
    assert "手机号" in u.say("张三")
    hint = u.say("1381234567")
    assert "11 位" in hint and "10 位" in hint and "手机号" in hint
    assert "学历" in u.say("13812345678")
    assert "毕业院校" in u.say("3")
    assert "专业" in u.say("郑州大学")
    assert "毕业" in u.say("会计")
    future = u.say("2099年6月")
    assert "不能晚于本月" in future
    assert "地区" in u.say("2024年6月")
    ambiguous = u.say("朝阳区")
    assert "北京市朝阳区" in ambiguous and "长春市朝阳区" in ambiguous
    summary = u.say("郑州市金水区")
    assert "请核对" in summary and "138****5678" in summary and "会计学" in summary
    assert "13812345678" not in summary
    done = u.say("确认")
    assert "已保存" in done and "河南省郑州市金水区" in done

    db = client.app.state.services.db
    with db.session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        assert user.name == "张三" and user.major == "会计学" and user.graduation == "2024-06"
        assert user.region_code == "410105"
        assert user.phone_enc and "13812345678" not in user.phone_enc
        assert Vault(settings.secret_key).decrypt(user.phone_enc) == "13812345678"
        state = s.get(ConversationState, u.openid)
        assert state.form is None
        logged = " ".join(s.scalars(select(MessageLog.content)))
        assert "13812345678" not in logged and "1381234567" not in logged


def test_cancel_back_and_restart(wechat_user) -> None:
    u = wechat_user
    u.say("填写资料")
    u.say("李四")
    back = u.say("返回")
    assert "姓名" in back and "李四" in back  # the old answer is offered with 跳过
    assert "手机号" in u.say("跳过")
    assert "从头开始" in u.say("重填")
    cancelled = u.say("取消")
    assert "已取消" in cancelled
    assert "没听懂" in u.say("随便说点什么吧")


def test_form_survives_a_restart(settings, wechat_user, client) -> None:
    """The conversation state lives in the database: a new app instance carries on."""
    from fastapi.testclient import TestClient

    from bot.app import create_app
    from tests.conftest import WeChatUser

    u = wechat_user
    u.say("填写资料")
    u.say("王五")
    u.say("13900001111")
    app2 = create_app(settings)
    with TestClient(app2) as c2:
        u2 = WeChatUser(c2, settings, openid=u.openid)
        assert "毕业院校" in u2.say("大专")
    app2.state.services.db.dispose()


def test_menu_click_suspends_and_resumes_form(wechat_user) -> None:
    u = wechat_user
    u.say("填写资料")
    u.say("赵六")
    clicked = u.event("CLICK", "MY_PROFILE")
    assert clicked["MsgType"] == "text"
    resumed = u.say("继续")
    assert "接着填写" in resumed and "手机号" in resumed
