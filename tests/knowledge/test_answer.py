"""The policy answerer: the right region's rule with its source, national fallback, follow-ups, honesty."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.answer import PolicyAnswerer, knowledge_region

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def a() -> PolicyAnswerer:
    return PolicyAnswerer()


def test_knowledge_region() -> None:
    assert knowledge_region("430121") == "4301" and knowledge_region("410105") == "41"
    assert knowledge_region("4403") == "44" and knowledge_region("31") == "national"
    assert knowledge_region(None) == "national"
    assert knowledge_region("430600") == "national"  # 岳阳: Hunan outside Changsha has no notice here


def test_region_from_message_beats_stored_region(a: PolicyAnswerer) -> None:
    r = a.ask("河南见习补贴多少", user_region="11", today=TODAY)
    assert r.kind == "answer" and r.region == "41"
    assert "70%" in r.text and "110%" in r.text and "依据：豫人社函〔2023〕138号" in r.text
    assert {"doc": "豫人社函〔2023〕138号", "section": r.sources[0]["section"]} == r.sources[0]


def test_stored_region_is_used(a: PolicyAnswerer) -> None:
    r = a.ask("见习补贴标准是多少", user_region="410105", today=TODAY)
    assert r.region == "41" and "70%" in r.text


def test_region_without_its_own_rule_gets_national_rule_and_caveat(a: PolicyAnswerer) -> None:
    r = a.ask("深圳见习补贴多少", today=TODAY)
    assert r.kind == "answer" and r.region == "national"
    assert "广东省的见习通知对此没有单独规定" in r.text
    assert "具体以当地人社部门规定为准" in r.text and "人社部发〔2023〕27号" in r.text
    shanghai = a.ask("上海见习补贴多少", today=TODAY)
    assert "没有收录上海市的见习文件" in shanghai.text and "具体以当地人社部门规定为准" in shanghai.text


def test_follow_up_for_another_region(a: PolicyAnswerer) -> None:
    first = a.ask("河南见习补贴多少", today=TODAY)
    follow = a.ask("那北京呢？", context=first.context, today=TODAY)
    assert follow.kind == "answer" and follow.region == "11"
    assert follow.entry_id and follow.entry_id.startswith("beijing.")
    assert "京人社毕发〔2023〕21号" in follow.text


def test_details(a: PolicyAnswerer) -> None:
    first = a.ask("河南见习联系电话", today=TODAY)
    assert "回复“详细”" in first.text
    more = a.ask("详细", context=first.context, today=TODAY)
    assert more.kind == "answer" and "原文要点" in more.text


@pytest.mark.parametrize("q", ["今天天气怎么样", "考研怎么报名", "给我讲个笑话", "房贷利率多少"])
def test_out_of_scope_is_a_clear_i_dont_know(a: PolicyAnswerer, q: str) -> None:
    r = a.ask(q, today=TODAY)
    assert r.kind == "unknown" and not r.sources and "回答不了" in r.text


def test_ambiguous_place_is_asked_about(a: PolicyAnswerer) -> None:
    r = a.ask("朝阳区见习补贴多少", today=TODAY)
    assert r.kind == "clarify" and "北京市朝阳区" in r.text and "长春市朝阳区" in r.text


def test_answers_are_short(a: PolicyAnswerer) -> None:
    for q in ["见习期多长时间", "谁可以参加就业见习", "示范岗位比例", "长沙见习基地条件", "汇总表什么时候报"]:
        r = a.ask(q, user_region="15", today=TODAY)
        assert len(r.text) < 600, (q, len(r.text))


def test_loose_match_with_words_no_entry_uses_is_i_dont_know_with_near_questions(a: PolicyAnswerer) -> None:
    """"第二次" is in no notice: not "您是想问", but "I don't know" with the contact and numbered near
    questions; a number then answers that one."""
    r = a.ask("我去年参加过一次见习了，还能再来第二回吗", user_region="410105", today=TODAY)
    assert a.unseen_words(a.normalise("还能再来第二回吗"))
    assert r.kind == "unknown" and not r.sources
    assert "没有找到确切答案" in r.text and "建议咨询" in r.text and "1. " in r.text
    options = r.context["options"]
    assert options
    picked = a.ask("1", user_region="410105", context=r.context, today=TODAY)
    assert picked.kind == "answer" and picked.entry_id is not None
    assert picked.entry_id.split(".")[1] == options[0].split(".")[1]


@pytest.fixture(scope="module")
def bare() -> PolicyAnswerer:
    """The engine with the entries' own sample questions only, no labelled examples."""
    return PolicyAnswerer(examples=[])


def test_loose_match_in_the_programme_words_is_asked_about(bare: PolicyAnswerer) -> None:
    """Every word known to the notices but no clear topic: "您是想问……" with numbered options."""
    q = "我们在鄂尔多斯，上一批10个见习生留下了5个，现在补贴一个人一个月多少"
    r = bare.ask(q, today=TODAY)
    assert not bare.unseen_words(bare._places_in(bare.normalise(q))[0])
    assert r.kind == "clarify" and r.text.startswith("您是想问") and len(r.context["options"]) >= 2
    assert "建议咨询" not in r.text


def test_labelled_examples_settle_a_loose_match(a: PolicyAnswerer) -> None:
    """With the examples people asked (knowledge/data/examples.yaml), the same question is answered: the
    subsidy rule of Inner Mongolia, where 鄂尔多斯 is."""
    assert a.examples
    r = a.ask("我们在鄂尔多斯，上一批10个见习生留下了5个，现在补贴一个人一个月多少", today=TODAY)
    assert r.kind == "answer" and r.region == "15" and "50%" in r.text and "70%" in r.text


def test_question_nearer_out_of_scope_examples_is_unknown() -> None:
    """A question like the out-of-scope examples, more than like any topic, is "I don't know"."""
    from knowledge.examples import Example

    examples = [Example(q, "out_of_scope", "t") for q in
                ("带教老师能拿见习补贴吗", "见习补贴能不能分给带教老师", "带教老师补贴有没有")]
    plain = PolicyAnswerer(examples=[])
    with_oos = PolicyAnswerer(examples=examples)
    q = "带教老师能不能拿见习补贴"
    assert plain.ask(q, today=TODAY).kind == "answer"  # the subsidy topic, without the examples
    assert with_oos.ask(q, today=TODAY).kind == "unknown"


def test_notice_silent_point_of_an_entry_is_unknown_with_contact(a: PolicyAnswerer) -> None:
    """长沙's base subsidy rate, a Beijing district's own top-up, 长沙's phone number and another year's
    targets: the notice is about the point but gives no figure, so the bot says so with the contact."""
    for q, region in (("长沙留用率没到50%的见习基地补贴是多少", "430104"), ("海淀区的区级见习补贴具体多少钱", "110108"),
                      ("长沙见习归哪个单位管 电话多少", "430104"), ("河南2026年的见习岗位目标是多少", None)):
        r = a.ask(q, user_region=region, today=TODAY)
        assert r.kind == "unknown", (q, r.text)
        assert r.sources and ("建议咨询" in r.text or "长沙市就业服务中心" in r.text), q
    r = a.ask("长沙见习补贴标准是多少", user_region="430104", today=TODAY)
    assert r.kind == "answer" and "120%" in r.text
    r = a.ask("长沙今年要募集多少见习岗位", user_region="430104", today=TODAY)
    assert r.kind == "unknown" and "不是当地的目标任务" in r.text


def test_within_a_topic_the_entry_named_by_its_own_keyword(a: PolicyAnswerer) -> None:
    r = a.ask("广东省教育厅管见习的联系人电话", today=TODAY)
    assert "孟秋贞" in r.text and "37628979" in r.text
    r = a.ask("广东见习的联系人是谁", today=TODAY)
    assert "温林麒" in r.text


def test_of_several_places_the_one_the_internship_is_in(a: PolicyAnswerer) -> None:
    r = a.ask("我老家河北保定的，在北京读的大学，外地生源的能在北京参加就业见习吗", today=TODAY)
    assert r.kind == "answer" and r.region == "11" and "北京生源" in r.text
    # a question comparing places is asked about, saying several were named
    r = a.ask("我户口在河南 想去广州见习 补贴按哪边算", today=TODAY)
    assert r.kind == "clarify" and r.text.startswith("您提到了几个地方")
