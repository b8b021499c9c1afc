"""Policy questions in chat, through the real webhook: region from the profile, follow-ups, fallback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import User


@pytest.fixture(autouse=True, scope="module")
def _index_built() -> None:
    """Build the policy index first, as the server's start-up does, so that no reply here waits for it
    (a reply past WeChat's window goes out later as a customer-service message, and the bubble is empty)."""
    from knowledge.answer import default_answerer

    default_answerer()


def test_policy_in_chat_with_follow_up(wechat_user) -> None:  # type: ignore[no-untyped-def]
    u = wechat_user
    prompt = u.click("POLICY_QA")
    assert "请直接输入" in prompt
    first = u.say("河南见习补贴是多少")
    assert "70%" in first and "依据：豫人社函〔2023〕138号" in first
    follow = u.say("那北京呢？")
    assert "京人社毕发〔2023〕21号" in follow


def test_stored_region_answers_and_out_of_scope(wechat_user, client) -> None:  # type: ignore[no-untyped-def]
    u = wechat_user
    u.say("你好")
    with client.app.state.services.db.session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        user.region_code, user.region_name = "430121", "湖南省长沙市长沙县"
    answer = u.say("留用率达到多少补贴能提高")
    assert "120%" in answer and "长人社规〔2024〕4号" in answer
    oos = u.say("今天天气怎么样")
    assert "回答不了" in oos and "找岗位" in oos


def test_an_honest_unknown_offers_near_questions_and_a_number_picks_one(wechat_user) -> None:  # type: ignore[no-untyped-def]
    u = wechat_user
    u.say("河南见习补贴是多少")
    unknown = u.say("我去年参加过一次见习了，还能再来第二回吗")
    assert "没有找到确切答案" in unknown and "建议咨询" in unknown and "\n1. " in unknown
    assert "我能帮您" not in unknown  # one numbered list, not two
    first_option = unknown.split("\n1. ", 1)[1].split("\n", 1)[0]
    picked = u.say("1")
    assert "依据：" in picked, (first_option, picked)


def test_what_a_notice_leaves_open_is_said_with_its_source_and_no_menu(wechat_user) -> None:  # type: ignore[no-untyped-def]
    """长沙's base rate: the notice is about it but gives none. The reply says so, cites the notice and the
    contact, and is not followed by the help menu that a plain "I don't know" gets."""
    u = wechat_user
    reply = u.say("长沙留用率没到50%的见习基地补贴是多少")
    assert "没有写明基础补贴标准" in reply and "依据：长人社规〔2024〕4号" in reply
    assert "我能帮您" not in reply
    phone = u.say("那电话多少")
    assert "没有列出联系人和电话" in phone and "我能帮您" not in phone


def test_a_question_about_targets_is_a_policy_question(wechat_user) -> None:  # type: ignore[no-untyped-def]
    """"募集多少见习岗位" names positions but asks the programme's target: answered, not a position search."""
    u = wechat_user
    reply = u.say("河南今年要募集多少见习岗位")
    assert "10万" in reply and "豫人社函〔2023〕138号" in reply and "找岗位 1/2" not in reply
    county = u.say("宝安区2023年分到多少见习岗位")  # a share of the target, not a search either
    assert "只分到市" in county and "找岗位 1/2" not in county
    search = u.say("有没有适合我的见习岗位")
    assert "找岗位" in search


def test_a_calculation_followed_up_with_one_figure_changed(wechat_user) -> None:  # type: ignore[no-untyped-def]
    u = wechat_user
    u.click("POLICY_QA")
    first = u.say("鄂尔多斯，10个见习生，留用率40%，每月补贴多少")
    assert "未达到50%" in first and "10人" in first
    again = u.say("要是留用率到了60%呢")
    assert "留用率60%" in again and "70%" in again and "10人" in again  # the rest of the last calculation kept
