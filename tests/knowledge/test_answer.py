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


def test_target_of_a_city_the_notice_does_not_break_down_is_unset(a: PolicyAnswerer) -> None:
    """Inner Mongolia and Beijing set totals only: a city's or district's target is said to be unset, with the
    total; Guangdong and Henan list cities, not counties: a county gets its city's row, said so."""
    r = a.ask("鄂尔多斯市的见习岗位目标任务是多少个", today=TODAY)
    assert r.kind == "unknown" and "鄂尔多斯市" in r.text and "1.4万" in r.text
    assert r.sources[0]["doc"] == "内人社办发〔2023〕118号"
    r = a.ask("丰台区见习岗位募集任务是多少", today=TODAY)
    assert r.kind == "unknown" and "丰台区" in r.text and "6000" in r.text
    r = a.ask("宝安区见习岗位目标多少个", today=TODAY)
    assert r.kind == "unknown" and "只分到市" in r.text and "深圳市" in r.text and "4500" in r.text
    r = a.ask("我在宝安区，深圳今年要开发多少见习岗位", today=TODAY)  # the city is asked about
    assert r.kind == "answer" and "4500" in r.text
    r = a.ask("济源见习岗位任务", today=TODAY)  # a city of its own in Henan's table
    assert r.kind == "answer" and "800" in r.text
    r = a.ask("内蒙古要募集多少见习岗位", user_region="150200", today=TODAY)  # the region's own total
    assert r.kind == "answer" and "1.4万" in r.text


def test_other_year_or_people_count_is_unset_before_a_city_row(a: PolicyAnswerer) -> None:
    r = a.ask("广州2025年见习岗位目标任务多少", today=TODAY)
    assert r.kind == "unknown" and "2023年" in r.text
    r = a.ask("北京要组织多少人参加见习", today=TODAY)
    assert r.kind == "unknown" and "6000" in r.text and "没有规定组织见习的人数" in r.text
    r = a.ask("北京见习岗位目标多少", today=TODAY)
    assert r.kind == "answer" and "6000" in r.text


def test_same_question_for_the_users_own_region(a: PolicyAnswerer) -> None:
    first = a.ask("示范性见习岗位比例是多少", today=TODAY)
    assert first.region == "national"
    r = a.ask("那我们这儿呢 一样吗", user_region="150102", context=first.context, today=TODAY)
    assert r.kind == "answer" and r.region == "15" and "百分之二" in r.text


def test_a_leagues_hrss_department_is_no_national_word(a: PolicyAnswerer) -> None:
    r = a.ask("盟市人社部门要怎么防止见习补贴被冒领", user_region="150100", today=TODAY)
    assert r.region == "15" and "内人社办发〔2023〕118号" in r.text


def test_paraphrases_without_the_notices_words(bare: PolicyAnswerer) -> None:
    """跟着学 is 见习, 位子 岗位, 对接会 对接活动: read so even with no labelled examples."""
    r = bare.ask("去单位跟着学那段时间算不算已经就业了", today=TODAY)
    assert r.kind == "answer" and "不视为就业" in r.text
    r = bare.ask("对接会多久开一回", today=TODAY)
    assert r.kind == "answer" and "每季度" in r.text
    r = bare.ask("这个见习补贴的钱从单位账上支出，企业所得税能扣除吗", today=TODAY)
    assert r.kind == "answer" and "企业所得税" in r.text


@pytest.mark.parametrize("q", ["我去年见习过一回了还能再报吗", "见习补贴是税前还是税后", "认定了见习基地以后牌子去哪领",
                               "腾讯的见习岗位一个月多少钱", "学校让去顶岗实习 要签实习协议吗", "见习期间人事档案要不要转到见习单位",
                               "留用率怎么算 分母是到岗人数吗", "见习中途能换个单位吗", "你叫什么名字"])
def test_near_programme_questions_the_notices_do_not_answer(a: PolicyAnswerer, q: str) -> None:
    assert a.ask(q, today=TODAY).kind == "unknown", q
