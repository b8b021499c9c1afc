from __future__ import annotations

import pytest

from bot.intents import load_classifier


@pytest.mark.parametrize("text,intent", [
    ("你好", "greet"), ("取消", "form.cancel"), ("返回。", "form.back"), ("找岗位", "positions.find"),
    ("我想修改资料", "profile.fill"), ("个人信息", "profile.show"), ("见习补贴标准是多少", "policy.ask"),
    ("学会计的，想在广州见习", "positions.find"), ("退订", "pushes.off"), ("恢复提醒", "pushes.on"),
    ("报名进度", "applications.mine"), ("帮助", "help"), ("ＨＥＬＬＯ", "greet"),
])
def test_intents(text: str, intent: str) -> None:
    match = load_classifier().classify(text)
    assert match is not None and match.name == intent


@pytest.mark.parametrize("text", ["今天天气怎么样", "askjdhkajsd", "给我讲个笑话"])
def test_unknown(text: str) -> None:
    assert load_classifier().classify(text) is None


def test_menu_keys_route_directly() -> None:
    c = load_classifier()
    assert c.menu_intent("MY_PROFILE") == "profile.show" and c.menu_intent("NOPE") is None


def test_domain_words_stay_whole() -> None:
    tokens = load_classifier().tokens("我想找见习岗位")
    assert "见习岗位" in tokens


def test_money_for_a_kind_of_post_is_a_question_not_a_search() -> None:
    # seen in a fresh clone's chat: it opened 找岗位
    from bot.intents.classifier import load_classifier

    c = load_classifier()
    for q in ("公益性岗位的岗位补贴一个月多少钱？我妈在社区干公益岗", "见习岗位补贴多少"):
        m = c.classify(q)
        assert m is not None and m.name == "policy.ask", (q, m)
    m = c.classify("计算机专业有什么岗位")
    assert m is not None and m.name == "positions.find"


def test_targets_added_up_or_ranked_are_questions_not_searches() -> None:
    # seen in `jianxi ask` on a fresh database: it opened 找岗位
    c = load_classifier()
    for q in ("广州、深圳、珠海、佛山、惠州、东莞、中山、江门、肇庆这9个市计划开发见习岗位加起来多少？占全省60000个的比例是多少",
              "河南目标任务表里哪个市任务最少", "郑州募集岗位占全省几成"):
        m = c.classify(q)
        assert m is not None and m.name == "policy.ask", (q, m)
    m = c.classify("学会计的，想在广州见习")
    assert m is not None and m.name == "positions.find"
