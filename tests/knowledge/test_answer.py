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


@pytest.mark.parametrize("q", ["今天天气怎么样", "考研怎么报名", "给我讲个笑话", "房贷利率多少",
                               # next to the programme, in its words, but nothing the notices cover
                               "申请见习补贴要不要我们单位给人社局开发票", "见习协议能签电子版吗", "见习专区单位账号密码忘了怎么找回",
                               "国企见习留用以后是不是就有编制了", "年度报告有没有字数和格式要求", "区里开展见习宣传有没有专项经费",
                               "汇总表是走系统报还是发电子表格？要不要纸质盖章版寄过去", "广东分市任务能不能在市之间调剂",
                               "见习对象信息台账要保存几年"])
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
                ("见习补贴能拿来发年终奖吗", "见习补贴可以发年终奖不", "年终奖能用见习补贴发吗")]
    plain = PolicyAnswerer(examples=[])
    with_oos = PolicyAnswerer(examples=examples)
    q = "见习补贴能不能用来发年终奖"
    assert plain.ask(q, today=TODAY).kind == "answer"  # the subsidy topic, without the examples
    assert with_oos.ask(q, today=TODAY).kind == "unknown"


def test_notice_silent_point_of_an_entry_is_unknown_with_contact(a: PolicyAnswerer) -> None:
    """长沙's base subsidy rate, a Beijing district's own top-up, 长沙's phone number and another year's
    targets: the notice is about the point but gives no figure, so the bot says so with the contact."""
    for q, region in (("长沙留用率没到50%的见习基地补贴是多少", "430104"), ("海淀区的区级见习补贴具体多少钱", "110108"),
                      ("长沙市就业服务中心电话号码多少", "430104"), ("河南2026年的见习岗位目标是多少", None)):
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


def test_switching_the_place_of_a_follow_up(a: PolicyAnswerer) -> None:
    first = a.ask("那留用率够一半呢", user_region="150200", today=TODAY)
    assert first.region == "15" and "70%" in first.text
    follow = a.ask("换成洛阳呢", user_region="150200", context=first.context, today=TODAY)
    assert follow.kind == "answer" and follow.region == "41" and "110%" in follow.text
    duration = a.ask("见习期最长能搞多久啊 是不是12个月封顶", today=TODAY)
    im = a.ask("那内蒙古那边也是这么长吗", context=duration.context, today=TODAY)
    assert im.kind == "answer" and im.region == "15" and "内人社办发〔2023〕118号" in im.text


def test_a_follow_up_with_everyday_words_only(a: PolicyAnswerer) -> None:
    first = a.ask("地方人社部门的百万见习汇总表 每个月几号前报给人社部", today=TODAY)
    follow = a.ask("遇上国庆放假咋整 还是5个工作日吗", context=first.context, today=TODAY)
    assert follow.kind == "answer" and "顺延" in follow.text
    base = a.ask("我们公司想申请成为见习基地 要满足什么条件", user_region="430100", today=TODAY)
    fewer = a.ask("那参保人数不到30人呢，有没有例外", user_region="430100", context=base.context, today=TODAY)
    assert fewer.kind == "answer" and "放宽" in fewer.text
    claims = a.ask("北京申请见习补贴要准备啥材料", user_region="110112", today=TODAY)
    how = a.ask("是按月报还是按季度报", user_region="110112", context=claims.context, today=TODAY)
    assert how.kind == "answer" and "按月或按季度" in how.text  # 按月报 is no 月报 (the summary table)


@pytest.mark.parametrize(("q", "user_region", "says"), [
    ("广州天河 见习补贴每个月具体多少钱", "440106", "没有规定全国统一的见习补贴金额"),
    ("东莞 见习留用率达到一半的单位 补贴能提高多少", "441900", "没有规定提高多少"),
    ("深圳南山 区里对见习单位还有额外补贴吗 多少", "440305", "是否另外发放"),
    ("咱们市里会不会在省里基础上再加见习补贴", "440300", "是否另外发放"),
])
def test_a_figure_no_notice_sets_for_the_place(a: PolicyAnswerer, q: str, user_region: str, says: str) -> None:
    r = a.ask(q, user_region=user_region, today=TODAY)
    assert r.kind == "unknown" and says in r.text
    assert "广东省的见习通知对此没有单独规定" in r.text and "温林麒" in r.text  # the region's own contact
    assert "人社部发〔2023〕27号" in r.text


def test_the_national_rate_asked_as_such_is_still_answered(a: PolicyAnswerer) -> None:
    r = a.ask("见习补贴具体多少钱", today=TODAY)
    assert r.kind == "answer" and "标准由各地确定" in r.text


def test_later_changes_to_a_rate_are_unknown(a: PolicyAnswerer) -> None:
    r = a.ask("包头2026年见习补贴标准有没有调整", user_region="150203", today=TODAY)
    assert r.kind == "unknown" and "调整" in r.text and "50%" in r.text and "6944009" in r.text
    # a minimum wage that changed mid-internship is a question the notices answer
    mid = a.ask("最低工资中间调整过 补贴按哪个月的最低工资标准算", user_region="410305", today=TODAY)
    assert mid.kind != "unknown" or "调整情况" not in mid.text


def test_social_insurance_is_not_what_the_notices_require(a: PolicyAnswerer) -> None:
    r = a.ask("单位必须给见习人员上五险吗", user_region="150100", today=TODAY)
    assert r.kind == "unknown" and "人身意外伤害保险" in r.text and "没有规定见习期间要缴纳五险" in r.text
    both = a.ask("见习生单位要给买什么保险 五险一金要交不", today=TODAY)
    assert both.kind == "answer" and "人身意外伤害保险" in both.text


def test_a_place_without_a_notice_gets_no_national_total_as_its_target(a: PolicyAnswerer) -> None:
    r = a.ask("湖南省今年全省见习岗位募集目标是多少个", user_region="430600", today=TODAY)
    assert r.kind == "unknown" and "没有收录湖南省的见习文件" in r.text and "不是当地的目标任务" in r.text
    national = a.ask("全国今年见习岗位目标多少个", user_region="430600", today=TODAY)
    assert national.kind == "answer" and "100万" in national.text


def test_a_county_named_after_its_city(a: PolicyAnswerer) -> None:
    r = a.ask("郑州金水区分到多少见习岗位任务", user_region="410105", today=TODAY)
    assert r.kind == "unknown" and "没有分到金水区" in r.text and "20000" in r.text
    r = a.ask("湛江雷州2023年分到多少见习岗位", user_region="440882", today=TODAY)
    assert r.kind == "unknown" and "没有分到雷州市" in r.text and "2625" in r.text
    city = a.ask("深圳南山这边的，深圳今年计划组织多少人见习呀", today=TODAY)
    assert city.kind == "answer" and "1100" in city.text


def test_matching_event_frequency_per_region(a: PolicyAnswerer) -> None:
    beijing = a.ask("北京各区每年至少得办几场见习对接活动", today=TODAY)
    assert beijing.kind == "answer" and "每年至少要举办一场" in beijing.text and "每季度" not in beijing.text
    more = a.ask("详细", context=beijing.context, today=TODAY)
    assert "每季度至少举办一次" in more.text  # the national rule, in the details
    guangdong = a.ask("广东见习对接活动多久办一次", today=TODAY)
    assert guangdong.kind == "answer" and "每季度至少举办一次" in guangdong.text
    assert "人社部发〔2023〕27号" in {s["doc"] for s in guangdong.sources}


def test_a_notice_still_in_force_on_the_day_asked(a: PolicyAnswerer) -> None:
    first = a.ask("长沙这个见习文件啥时候开始执行 有效期多久", today=TODAY)
    r = a.ask("那现在还有效吗", context=first.context, today=TODAY)
    assert "有效期至2027年4月30日" in r.text and "截至2026年11月22日仍在有效期内" in r.text
    later = a.ask("长沙见习通知现在还有效吗", today=date(2027, 5, 1))
    assert "已过有效期" in later.text


@pytest.mark.parametrize("q", [
    "见习单位能不能跟见习生签竞业限制协议",
    "大三暑假想找个实习 学校要盖章那种 有啥单位推荐不",
    "见习期间受伤了 意外险赔得不够 剩下的单位要不要担",
    "见习补贴资金中央和省里各出多少比例",
    "国家级高校毕业生就业见习示范单位 全国一共评了多少家",
])
def test_more_questions_next_to_the_programme(a: PolicyAnswerer, q: str) -> None:
    from knowledge.calculators import calculate

    assert calculate(q, None, TODAY) is None  # not an eligibility check (大三 … 实习)
    assert a.ask(q, today=TODAY).kind == "unknown"


def test_henan_privacy_and_the_platforms_contact(a: PolicyAnswerer) -> None:
    r = a.ask("见习人员的信息 单位能随便往外发吗 河南有说法没", today=TODAY)
    assert r.kind == "answer" and "隐私" in r.text
    site = a.ask("河南见习专区网址", today=TODAY)
    who = a.ask("这个网址打不开 找谁", context=site.context, today=TODAY)
    assert who.kind == "answer" and "18737001593" in who.text


def test_an_ambiguous_district_inside_a_conversation_about_its_region(a: PolicyAnswerer) -> None:
    first = a.ask("北京全年要募集多少个就业见习岗位", today=TODAY)
    r = a.ask("那我们朝阳区的任务是多少个", context=first.context, today=TODAY)
    assert r.kind == "unknown" and "没有分到朝阳区" in r.text and "6000" in r.text
    assert a.ask("朝阳区见习补贴多少", today=TODAY).kind == "clarify"  # with nothing to go by: asked


@pytest.mark.parametrize(("q", "user_region", "says"), [
    ("见习基地被取消资格有哪些情形", "430100", "没有列出取消资格"),
    ("通州区级见习补贴是按月发还是见习完一次性发", "110112", "区级、市级补贴怎么发放"),
    ("单位给见习生买商业医疗保险 政府给不给补 补多少钱", "440300", "没有规定政府是否补贴"),
])
def test_more_points_the_notices_leave_open(a: PolicyAnswerer, q: str, user_region: str, says: str) -> None:
    r = a.ask(q, user_region=user_region, today=TODAY)
    assert r.kind == "unknown" and says in r.text


def test_changsha_base_rate_asked_after_the_retention_rate(a: PolicyAnswerer) -> None:
    first = a.ask("长沙县的见习基地 留用了一半以上见习生 补贴能提到多少", today=TODAY)
    assert "120%" in first.text
    r = a.ask("那没留用那么多的话，正常的见习补贴是最低工资的百分之几", context=first.context, today=TODAY)
    assert r.kind == "unknown" and "没有写明基础补贴标准" in r.text


def test_the_question_at_the_end_of_a_story(a: PolicyAnswerer) -> None:
    r = a.ask("俺是郑州的，去年六月毕业到现在还没找着活，听说参加见习单位能拿补帖，标准是多少啊", user_region="410100",
              today=TODAY)
    assert r.kind == "answer" and "70%" in r.text
    # a closing "想问一下现在到底是怎么规定的" has no question of its own: the story's question stands
    r = a.ask("您好，我是包头一家机械厂管人事的，去年第一次接了三个见习生，财务那边一直搞不清楚见习补贴是按月拿还是等见习"
              "结束一次性拿。想问一下现在到底是怎么规定的？", user_region="150200", today=TODAY)
    assert r.kind == "answer" and "按月" in r.text


def test_columns_of_the_summary_table_and_beijings_departments(a: PolicyAnswerer) -> None:
    from knowledge.calculators import calculate

    r = a.ask("第3列和第4列分别是啥 我们新来的不太懂", user_region="150802", today=TODAY)
    assert r.kind == "answer" and "本期末实有见习岗位总数" in r.text
    assert calculate("指标10叫离校2年内未就业高校毕业生人数 跟指标7名字一样 有啥区别", "150122", TODAY) is None
    for q in ("工商联那边主要对接哪类企业", "北京科委中关村管委会那边负责募集啥岗位"):
        r = a.ask(q, user_region="110102", today=TODAY)
        assert r.kind == "answer" and "工商联部门—民营企业" in r.text, q


def test_changsha_contact_unit_asked_with_the_phone(a: PolicyAnswerer) -> None:
    r = a.ask("长沙的就业见习归哪个单位管 想打电话问问", user_region="430102", today=TODAY)
    assert r.kind == "answer" and "长沙市就业服务中心" in r.text and "没有列出联系人和电话" in r.text
    assert a.ask("长沙见习的联系电话是多少", today=TODAY).kind == "unknown"


def test_next_years_targets_and_company_recommendations(a: PolicyAnswerer) -> None:
    r = a.ask("河南明年还搞不搞见习岗位募集计划 目标定了没", user_region="410100", today=TODAY)
    assert r.kind == "unknown" and "2023年的目标任务" in r.text
    assert a.ask("天河哪个公司见习岗位多 帮我推荐几家", user_region="440106", today=TODAY).kind == "unknown"


def test_a_rate_notice_gives_no_amount_for(a: PolicyAnswerer) -> None:
    # The notices give a share of the minimum wage, not a sum: asked for the sum, an honest unknown with the rule.
    r = a.ask("郑州见习补贴一个月到手多少钱啊", user_region="410100", today=TODAY)
    assert r.kind == "unknown" and "70%" in r.text and "没有写每月具体多少钱" in r.text and "0371" in r.text
    r = a.ask("北京见习补贴每个月具体多少块钱", today=TODAY)
    assert r.kind == "unknown" and "月最低工资" in r.text
    assert a.ask("河南见习补贴具体是多少比例", today=TODAY).kind == "answer"  # the share itself is stated
    assert a.ask("朝阳区的区级见习补贴怎么申请", user_region="110105", today=TODAY).kind == "unknown"
    assert a.ask("南山区有没有额外的见习补贴", user_region="440305", today=TODAY).kind == "unknown"
    r = a.ask("那留用没过半的基地 补贴按最低工资的百分之几算", user_region="430104", today=TODAY)
    assert r.kind == "unknown" and "没有写明基础补贴标准" in r.text


def test_points_the_notices_leave_open(a: PolicyAnswerer) -> None:
    for q in ("广东就业见习示范单位每年评多少家", "国家级就业见习示范单位怎么申报 要交啥材料", "长沙示范性见习岗位目录啥时候报",
              "内蒙古认定见习单位 至少要多少个岗位才行", "见习期满可以参照应届生享受政策 具体能享受哪些",
              "河南认定见习单位 要求参保多少人以上"):
        assert a.ask(q, today=TODAY).kind == "unknown", q
    # Inner Mongolia does say how many demonstration units each 盟市 builds.
    r = a.ask("呼伦贝尔 每个盟市要评几个见习示范单位", user_region="150700", today=TODAY)
    assert r.kind == "answer" and "1个" in r.text


def test_next_to_the_programme_is_out_of_scope(a: PolicyAnswerer) -> None:
    for q in ("见习人员中途走了 单位已经领的补贴要退回去吗", "内蒙古见习单位的带教老师有没有补贴", "内蒙古见习报名截止到什么时候",
              "考上事业单位了 新入职有一年见习期 见习期工资怎么定", "公务员见习期满转正考核不合格会怎么样", "实习律师实习期要多长",
              "河南见习补贴省里和市里怎么分担", "商业医疗保险一般买多少钱的", "见习补贴申报过期了还能补报吗",
              "见习单位没给买意外险 出了事谁负责", "骗取见习补贴的单位会被罚多少钱", "留用率50% 是按人数算还是按岗位数算",
              "驾照实习期能上高速吗", "个体工商户能当见习单位吗", "去年毕业的 现在在跑外卖 这算未就业吗 还能报见习不"):
        assert a.ask(q, today=TODAY).kind == "unknown", q
    r = a.ask("intern 期间 买不买保险？ 出了意外谁负责", today=TODAY)  # the insurance question stands
    assert r.kind == "answer" and "人身意外伤害保险" in r.text


def test_which_place_and_which_county(a: PolicyAnswerer) -> None:
    r = a.ask("我人在北京 准备回洛阳老家见习 单位留用过半的话补贴能到多少", user_region="110108", today=TODAY)
    assert r.region == "41" and "110%" in r.text
    first = a.ask("郑洲见习岗位任务多少个", today=TODAY)
    r = a.ask("那郑州分到金水区多少", context=first.context, today=TODAY)
    assert r.kind == "unknown" and "没有分到金水区" in r.text and "20000" in r.text


def test_a_follow_up_about_this(a: PolicyAnswerer) -> None:
    first = a.ask("北京剩余期限见习补贴有啥条件", today=TODAY)
    r = a.ask("这个现在还能申请吗", context=first.context, today=TODAY)
    assert r.entry_id == first.entry_id and "2023年12月31日" in r.text


def test_a_notice_named_by_its_issuer_and_number(a: PolicyAnswerer) -> None:
    r = a.ask("豫人社函138号依据的是哪些文件", today=TODAY)
    assert r.region == "41" and "豫人社函〔2023〕138号" in r.text
    r = a.ask("内人社办发118号 联系电话", today=TODAY)
    assert r.entry_id == "neimenggu.contacts" and "6944009" in r.text
    assert a.ask("人社部发27号说见习多久", today=TODAY).entry_id == "national.duration"
    r = a.ask("首批示范岗位链接 什么时候前报省厅", today=TODAY)
    assert r.region == "44" and "7月31日" in r.text


def test_a_months_deadline_asked_as_a_follow_up(a: PolicyAnswerer) -> None:
    first = a.ask("广东的见习月报表几号前报", today=TODAY)
    r = a.ask("11月的最晚哪天报", context=first.context, today=TODAY)
    assert r.kind == "calculation" and "2026年11月的" in r.text and "12月3日" in r.text
    first = a.ask("人社部的汇总表怎么报", today=TODAY)
    r = a.ask("11月的最晚几号", context=first.context, today=TODAY)
    assert r.kind == "calculation" and "12月7日" in r.text


def test_dates_and_shares_reckoned_from_the_figures_given(a: PolicyAnswerer) -> None:
    r = a.ask("南京的 单位说见习从12月1号开始 最长能到哪天", user_region="320100", today=TODAY)
    assert "最长12个月至2027年11月30日" in r.text and "满3个月至2027年2月28日" in r.text
    r = a.ask("我们2024年9月被认定为长沙见习基地 啥时候到期", today=TODAY)
    assert r.region == "4301" and "至2027年9月期满" in r.text
    r = a.ask("广州开发6750个岗位 高质量见习岗位至少几个", user_region="440100", today=TODAY)
    assert "6750×1%=67.5，示范性岗位至少68个（向上取整）" in r.text
    assert "×" not in a.ask("广东示范性岗位比例是多少", today=TODAY).text  # no figure given, none reckoned


def test_a_short_name_in_the_users_own_province_and_local_top_ups(a: PolicyAnswerer) -> None:
    r = a.ask("我们朝阳 企业的见习补贴支出 所得税能扣吗", user_region="110105", today=TODAY)
    assert r.region == "11" and "企业所得税" in r.text  # Beijing's 朝阳区, not 辽宁's 朝阳市
    r = a.ask("我们这 盟市里额外还有见习补贴没", user_region="150200", today=TODAY)
    assert r.kind == "unknown" and "盟市、旗县是否另外发放" in r.text
    assert a.ask("见习期 算不算工龄", user_region="150100", today=TODAY).kind == "unknown"
    first = a.ask("北京剩余期限补贴是什么", today=TODAY)
    assert a.ask("那现在还能申请吗", context=first.context, today=TODAY).entry_id == first.entry_id


def test_cities_added_up_a_place_heard_wrong_and_where_to_find_positions(a: PolicyAnswerer) -> None:
    r = a.ask("东莞和佛山计划开发的见习岗位加起来多少个", today=TODAY)
    assert "以上2市合计：计划组织就业见习2200人，计划开发见习岗位9000个" in r.text
    assert "合计：" not in a.ask("东莞计划开发多少见习岗位", today=TODAY).text.split("（")[0]
    r = a.ask("技师学院高级工班毕业 常沙能见习吗", today=TODAY)  # 常沙: 长沙 as it is read
    assert r.region == "4301" and "技师学院高级工班" in r.text
    r = a.ask("今年7月刚毕业 成都的 去哪找见习岗位", user_region="510100", today=TODAY)
    assert r.entry_id == "national.platform"


def test_shares_and_caps_reckoned_and_followed_up(a: PolicyAnswerer) -> None:
    first = a.ask("合肥6000个见习岗位 示范性岗位至少多少个", user_region="340100", today=TODAY)
    assert "示范性岗位至少60个" in first.text
    r = a.ask("要是5250个呢", user_region="340100", context=first.context, today=TODAY)
    assert "5250×1%=52.5，示范性岗位至少53个" in r.text
    assert "至少200个" in a.ask("郑州2万个见习岗位，按比例示范性岗位至少要多少个", today=TODAY).text
    first = a.ask("广东示范性岗位比例是多少", today=TODAY)
    r = a.ask("那广州呢", context=first.context, today=TODAY)
    assert "6750个岗位（目标任务表中的岗位数）" in r.text and "至少68个" in r.text
    first = a.ask("长沙的公司，现在单位参保45个人，作为见习基地最多能同时吸纳多少见习生", user_region="430100", today=TODAY)
    assert "同期最多吸纳13名见习人员" in first.text
    r = a.ask("那参保60人呢", user_region="430100", context=first.context, today=TODAY)
    assert "同期最多吸纳18名见习人员" in r.text
    r = a.ask("我们2024年9月1日被认定为长沙市就业见习基地，有效期到什么时候", today=TODAY)
    assert "至2027年8月31日" in r.text
    for q in ("长沙见习基地在什么情况下会被取消资格", "内蒙古见习补贴资金盟市财政和自治区财政各承担多少比例",
              "内蒙古认定见习单位要求依法注册经营几年以上"):
        assert a.ask(q, today=TODAY).kind == "unknown", q


def test_words_that_are_no_out_of_scope_cue_in_context(a: PolicyAnswerer) -> None:
    # 就业补助资金 is the 14th indicator's, not another subsidy; a story of sent-out 简历 is no 写简历 request.
    r = a.ask("指标14要不要把中央财政下达的就业补助资金里用于见习补贴的部分也算上", user_region="150100", today=TODAY)
    assert r.kind == "answer" and "中央财政" in r.text
    r = a.ask("我是去年7月从武汉一所二本毕业的，学市场营销，投了好多简历都没回音，家里让我先找个地方见习攒点经验。"
              "想问下见习期间算不算就业啊 会不会影响我应届生身份", today=TODAY)
    assert r.kind == "answer" and "不视为就业" in r.text
    assert a.ask("帮我写份简历", today=TODAY).kind == "unknown"
    assert a.ask("自治区级就业见习示范单位 评上了给多少奖励", user_region="150600", today=TODAY).kind == "unknown"
    r = a.ask("高质量示范见习岗位 要占本地总岗位数多少", user_region="440300", today=TODAY)
    assert r.entry_id == "guangdong.demonstration.ratio" and "省人力资源社会保障厅" in r.text
    assert "14500人" in a.ask("广东全省计划开发多少见习岗位 组织多少人", today=TODAY).text
    r = a.ask("见习单位清单、岗位目录清单这些 要通过啥渠道向社会公布", today=TODAY)
    assert "部门网站" in r.text


def test_targets_follow_ups_keep_and_add_cities(a: PolicyAnswerer) -> None:
    first = a.ask("郑州和洛阳的见习岗位任务加起来多少", today=TODAY)
    r = a.ask("再加上平顶山呢", context=first.context, today=TODAY)
    assert "以上3市合计：募集见习岗位34400个" in r.text
    first = a.ask("广州、深圳、佛山计划组织见习多少人", today=TODAY)
    r = a.ask("那岗位数呢", context=first.context, today=TODAY)
    assert "以上3市合计" in r.text and "计划开发见习岗位15750个" in r.text


def test_border_of_answered_and_silent(a: PolicyAnswerer) -> None:
    for q, region in (("北京按季度申报见习补贴的话，每季度最晚几号前要交上去？", None), ("河南省级就业见习示范单位评上了有多少奖补资金？", None),
                      ("我们开封市在省里标准基础上有没有再加见习补贴？", "410200"), ("见习结束后多少个工作日内能把差额打过来？", None),
                      ("我是河南的，孩子大学毕业一年了天天在家打游戏不出门，当妈的该咋跟他沟通啊", None),
                      ("今年呼和浩特秋季大型招聘会几号开 在哪个场馆", "150100"), ("自治区规定的见习单位岗位数到底是多少个？", "150121"),
                      ("长沙放宽的话，参保人数放到多少人就行？", None), ("长沙实施1+1模式的话，达标后每人每月的差额是多少钱？", None),
                      ("住院医师规范化培训期间每个月补助多少钱", None), ("护士执业资格考试 要求实习满8个月 我学校安排的实习够不够", None),
                      ("选调生报考要什么条件，应届生才能报吗", None), ("见习期超过12个月的那部分还给补贴吗", None)):
        assert a.ask(q, user_region=region, today=TODAY).kind == "unknown", q
    # … and their neighbours the notices do answer
    assert "1+1" in a.ask("长沙见习补贴申领用的是什么模式", today=TODAY).text
    assert a.ask("见习期间算不算就业呀 我怕影响我考选调生用的应届生身份", today=TODAY).kind == "answer"
    assert a.ask("中不中 见习能超过一年不", user_region="4301", today=TODAY).kind == "answer"
    # A place without a notice here gets the national rule and the caveat, not an unknown.
    r = a.ask("武汉这边单位招见习生，见习补贴一个月给单位补多少钱啊，有没有具体标准", user_region="420100", today=TODAY)
    assert r.kind == "answer" and "具体以当地人社部门规定为准" in r.text
    assert a.ask("广州天河 见习补贴每个月具体多少钱", user_region="440106", today=TODAY).kind == "unknown"


def test_places_compared_and_the_users_own_short_names(a: PolicyAnswerer) -> None:
    r = a.ask("株洲的单位，留用率60%，能不能也按长沙那个标准算", user_region="430200", today=TODAY)
    assert r.region == "national" and "株洲" in r.text
    r = a.ask("朝阳一家单位，北京的剩余期限补贴有什么条件", user_region="110105", today=TODAY)
    assert r.region == "11" and "剩余期限" in r.text
    r = a.ask("我们公司在长沙，社保参保人数40人，按规定最多能吸纳几个见习人员", user_region="430100", today=TODAY)
    assert "同期最多吸纳12名见习人员" in r.text
    assert a.ask("内蒙年度计划实施情况报告主要写哪些内容，啥时候报", today=TODAY).region == "15"


def test_summary_table_checks_on_the_figures_given(a: PolicyAnswerer) -> None:
    r = a.ask("我们旗县报上来：本期完成见习人数20，被见习单位留用15，其他方式就业8，这表逻辑校验能过吗", user_region="150200",
              today=TODAY)
    assert r.region == "15" and "8≥9+11：20≥15+8=23，不通过" in r.text
    r = a.ask("指标8是30 指标9是20 指标11是5 逻辑对不对", user_region="150200", today=TODAY)
    assert "8≥9+11：30≥20+5=25，通过" in r.text
    assert a.normalise("我们旗县报上来") == "我们旗县报上来"  # 旗县 is no slip for 期限
    r = a.ask("信阳的目标是4500个岗位吧，示范岗至少得多少个", today=TODAY)
    assert "示范性岗位至少45个" in r.text


def test_officials_figures_reckoned(a: PolicyAnswerer) -> None:
    r = a.ask("广州：上期指标13（期末在岗见习）是120人，本期6实际到岗35人，本期8完成见习28人，本期12非正常结束4人，"
              "按广东表本期13应该填多少", user_region="440100", today=TODAY)
    assert "本期13=120+35-28-4=123" in r.text
    r = a.ask("广东表：上期13是50，本期13是60，本期8完成10人、本期12非正常结束2人，倒推本期6实际到岗应该是多少", today=TODAY)
    assert "本期6=60-50+10+2=22" in r.text
    r = a.ask("长沙报表自查一下：1=40，2=5，3=300，4=20，5=60，6=55，7=50，8=30，9=18，10=15，11=8，12=3，逻辑关系都满足吗？",
              today=TODAY)
    assert "8≥9+11：30≥18+8=26，通过" in r.text and len(r.text) <= 600
    r = a.ask("内蒙古汇总表 本期末实有见习岗位总数200 本期新增见习岗位230 可以吗", today=TODAY)
    assert "3≥4：200≥230，不通过" in r.text
    r = a.ask("长沙一个区从2026年1月到12月，见习专项对接活动至少要办几次", today=TODAY)
    assert "全年4个季度至少4次" in r.text
    r = a.ask("参保32人，每年能提供12个岗位，打算同时招10个见习生，都行吗", user_region="430112", today=TODAY)
    assert "同期最多吸纳9名见习人员" in r.text
    for q, region in (("内蒙古季度见习对接活动情况要在几号之前报自治区？", None), ("人社部百万就业见习岗位募集计划服务专区的网址是多少", None),
                      ("河南任务表只有募集岗位数，各市计划组织见习人数是多少", None), ("广东年度就业目标责任制考核里，见习工作占多少分？", None),
                      ("我们局的劳动工资统计年报几号前要报统计局", None), ("博士后创新实践基地的认定条件是啥，参保要多少人", None),
                      ("技能提升补贴拿了证以后多长时间内申领", None)):
        assert a.ask(q, user_region=region, today=TODAY).kind == "unknown", q
    assert "2023年6月20日" in a.ask("河南十部门见习通知啥时候印发的", today=TODAY).text
    assert "抖音" in a.ask("内蒙古要求旗县区的见习单位清单、岗位目录清单通过哪些渠道公布？", today=TODAY).text


def test_more_of_the_border(a: PolicyAnswerer) -> None:
    for q, region in (("公益性岗位的岗位补贴一个月多少钱？我妈在社区干公益岗", None), ("2024年以后剩余期限见习补贴有没有再延续的新文件？", None),
                      ("见习期满了能不能申请延期 再多见习几个月", None), ("那在长沙见习算不算基层工作经历", None),
                      ("那郑州的见习单位要啥条件", None), ("设了示范性见习岗位的单位有没有额外补贴", None),
                      ("河南示范性岗位要报到哪里 截止到啥时候", None), ("湛江下面各个区县分别分配多少见习任务", None),
                      ("区里每月见习统计要在几号前报市局", "110108"), ("我们公司每个月的社保申报截止到几号", None),
                      ("河南的见习月报表有哪些指标", None), ("见习服务专区有没有APP 叫什么名字 安卓能下吗", None)):
        assert a.ask(q, user_region=region, today=TODAY).kind == "unknown", q
    # … and their neighbours
    assert a.ask("我是HR 我们单位发给见习生的那个钱 要不要算进社保缴费基数里", today=TODAY).kind == "answer"
    assert a.ask("内蒙古的见习在哪个网上报名啊 有app没", user_region="150200", today=TODAY).kind == "answer"
    assert "基层工作经历" in a.ask("在北京基层实习见习基地见习算不算基层工作经历", today=TODAY).text
    r = a.ask("我人在长沙 想问北京那边见习补贴一个月多少", user_region="430100", today=TODAY)
    assert r.region == "11"
    first = a.ask("北京剩余期限见习补贴有啥条件", today=TODAY)
    r = a.ask("这个政策现在还有效吗", context=first.context, today=TODAY)
    assert r.entry_id == first.entry_id and "2023年12月31日" in r.text


def test_a_months_traffic_with_figures(a: PolicyAnswerer) -> None:
    r = a.ask("郑州今年目标2万个见习岗位，现在完成了65%，还差多少个", user_region="410100", today=TODAY)
    assert "还差20000×35%=7000个" in r.text
    assert "目标任务表中“省直”：2000个岗位" in a.ask("河南省直今年募集多少个见习岗位", today=TODAY).text
    r = a.ask("我12月1号开始见习，协议签了6个月，哪天结束", today=TODAY)
    assert "至2027年5月31日结束" in r.text
    r = a.ask("我是武汉的，今年6月份刚毕业还没找到工作，听说可以去见习，见习期一般多久啊", today=TODAY)
    assert r.entry_id == "national.duration"
    assert a.ask("濮阳市人社局负责见习的同志电话多少", today=TODAY).kind == "unknown"
    assert "84180702" in a.ask("北京市人社局见习的联系电话", today=TODAY).text
    for q in ("同一个人能不能见习两次？我上次见习3个月没被留用", "河南 见习人员中途想换一家见习单位可以吗"):
        assert a.ask(q, today=TODAY).kind == "unknown", q


def test_a_time_limited_policy_against_the_day_asked(a: PolicyAnswerer) -> None:
    first = a.ask("北京剩余期限见习补贴有啥条件", today=TODAY)
    r = a.ask("这个政策现在还有效吗", context=first.context, today=TODAY)
    assert "执行至2023年12月31日；截至2026年11月22日已过执行期" in r.text and len(r.text) <= 600
    r = a.ask("剩余期限补贴现在还能申请吗", today=date(2023, 6, 1))
    assert "仍在执行期内" in r.text


def test_dev27_and_dev28_points(a: PolicyAnswerer) -> None:
    for q, region in (("郑州航空港区对见习单位有没有额外的补贴奖励？加多少", "410173"), ("呼和浩特下个月的见习专项对接活动具体哪天在哪办", "150100"),
                      ("呼和浩特已经评上的自治区级就业见习示范单位有哪些，名单在哪查", None), ("北京国资部门今年分到的见习岗位募集任务是多少个", None),
                      ("长沙见习期最短能不能只签1个月？少于3个月还能拿补贴吗", None), ("河南的剩余期限补贴要求劳动合同签几年以上", None)):
        assert a.ask(q, user_region=region, today=TODAY).kind == "unknown", q
    r = a.ask("我们单位9个见习生 要达到留用率50% 至少得留几个", user_region="410300", today=TODAY)
    assert "至少留用5人才达到50%" in r.text
    first = a.ask("河南各市的见习岗位目标是多少", today=TODAY)
    assert "“省直”：2000个岗位" in a.ask("那省直呢", context=first.context, today=TODAY).text
    r = a.ask("粤人社函50号讲的是啥", today=TODAY)
    assert r.kind == "answer" and r.region == "44"


def test_a_figure_the_notice_does_not_give_is_not_answered_with_the_topic(a: PolicyAnswerer) -> None:
    """A question after a figure (多少天内, 至少多少家, 保存几年, 几位小数) that the entry on its topic does
    not give: the notice speaks of the thing but not of the number, so the bot says so with the contact."""
    for q in ("1+1模式下那个差额补贴 见习结束后多少天内发", "一场见习专项对接活动至少要多少家单位参加才算数",
              "带教老师一个人最多能带几个见习生", "指标14单位是万元，保留几位小数"):
        r = a.ask(q, today=TODAY)
        assert r.kind == "unknown" and "没有写明您问的具体" in r.text and r.sources, (q, r.text)
        assert "建议咨询" in r.text and len(r.text) <= 600
    # The figure is there: answered (a count the notice gives, a period, the ordinal of an indicator).
    assert "14" in a.ask("内蒙古汇总表一共多少个指标", today=TODAY).text
    assert a.ask("深圳计划开发多少见习岗位", today=TODAY).kind == "answer"
    assert a.ask("见习期一般多少个月", today=TODAY).kind == "answer"
    assert a.ask("广东那张表里，各级财政实际拨付的见习补贴资金是第几个指标", today=TODAY).kind == "answer"


def test_dev29_and_dev30_points(a: PolicyAnswerer) -> None:
    """Points the notices leave open for a region (Guangdong's rate as a share, Beijing's districts' reports
    and targets, how far 长沙 relaxes its base criteria) are said to be open, with the contact; next to them,
    questions the notices do answer still are."""
    for q, region in (("广州见习补贴按最低工资的百分之几发", "440100"), ("广东见习单位留用率到了50%以上 补贴具体提到多少", None),
                      ("北京各区的见习汇总表多久报一次 报给谁", None), ("北京6000个岗位各区怎么分", None),
                      ("长沙放宽见习基地认定条件 参保人数能放宽到多少人", None),
                      ("参照应届生享受的有关政策 具体都是哪些政策", None)):
        r = a.ask(q, user_region=region, today=TODAY)
        assert r.kind == "unknown" and r.sources, (q, r.text)
    for q in ("郑州下一场见习对接会啥时候 在哪", "见习补贴资金中央和地方按什么比例分担", "国家级就业见习示范单位今年啥时候开始申报"):
        assert a.ask(q, today=TODAY).kind == "unknown", q
    assert "6000" in a.ask("北京今年募集多少见习岗位", today=TODAY).text
    assert "30人以上" in a.ask("长沙见习基地认定条件是啥", today=TODAY).text
    assert a.ask("深圳见习补贴标准是多少", today=TODAY).kind == "answer"


def test_a_city_target_as_a_share_of_the_province(a: PolicyAnswerer) -> None:
    r = a.ask("郑州募集岗位占河南全省几成", user_region="410100", today=TODAY)
    assert r.kind == "answer" and "20000÷100000=20%" in r.text and r.region == "41"
    r = a.ask("深圳组织见习人数占广东的百分之几", today=TODAY)
    assert "1100÷14500=7.59%" in r.text


def test_summary_table_figures_said_as_本期6是40_or_填了20(a: PolicyAnswerer) -> None:
    r = a.ask("广东汇总表 上期13是100 本期6是40 本期8是15 本期12是7，本期13应该填多少", today=TODAY)
    assert "本期13=100+40-15-7=118" in r.text
    r = a.ask("长沙汇总表 指标8填了20 指标9是15 指标11填8 为啥过不了校验", user_region="430100", today=TODAY)
    assert "8≥9+11：20≥15+8=23，不通过" in r.text
    r = a.ask("广东全省合计组织见习人数和岗位数分别是多少", today=TODAY)
    assert "14500" in r.text and "60000" in r.text


def test_summary_table_figures_by_number_alone(a: PolicyAnswerer) -> None:
    """"8填40，9填25，11填20" and "我5填80，6填85，7填60": the table's figures by number are its language, checked."""
    r = a.ask("这个月汇总表8填40，9填25，11填20，报上去老提示逻辑不对，咋回事", user_region="150600", today=TODAY)
    assert "8≥9+11：40≥25+20=45，不通过" in r.text
    r = a.ask("长沙的表，我5填80，6填85，7填60，这样填有问题吗", user_region="430181", today=TODAY)
    assert r.kind == "answer" and "5≥6≥7" in r.text and "不通过" in r.text, r.text
    r = a.ask("广东的逻辑关系好像比别的地方多了一条？是哪条", today=TODAY)
    assert r.kind == "answer" and "本期13=上期13+本期6-本期8-本期12" in r.text


def test_a_message_that_asks_two_things_gets_both(a: PolicyAnswerer) -> None:
    r = a.ask("您好，我是郑州一家连锁餐饮的店长，店里想招两三个刚毕业的孩子当见习生，之前没弄过。想问下一个是补贴比例，"
              "另一个是见习期一般定多长合适？", user_region="410100", today=TODAY)
    assert r.kind == "answer" and "70%" in r.text and "3—12个月" in r.text and len(r.text) <= 600, r.text
    assert r.text.count("依据：豫人社函〔2023〕138号") == 2
    r = a.ask("您好，我是郑州一家连锁餐饮的店长，想问下一个是补贴比例，另一个是见习期一般定多长合适？", today=TODAY)
    assert "70%" in r.text and "3—12个月" in r.text, r.text  # (the question after a greeting, in one sentence)
    r = a.ask("那见习一般干多久 单位那边政府给补多少啊", user_region="410300", today=TODAY)
    assert r.kind == "answer" and "70%" in r.text and "3—12个月" in r.text
    # One question in a story, and a clause that asks nothing of its own, stay one answer.
    r = a.ask("怎么防止见习补贴被骗取 国家文件怎么说", today=TODAY)
    assert r.text.count("依据：") == 1 and "骗取" in r.text
    r = a.ask("我去年六月份毕业的 到现在还没上过班 能报名见习吗", today=TODAY)
    assert r.text.count("依据：") == 1


def test_guangdong_stock_formula_when_this_months_13_is_what_is_asked(a: PolicyAnswerer) -> None:
    r = a.ask("广东表里本期13怎么算？上期13是40，本期6是15，本期8是9，本期12是2", today=TODAY)
    assert "本期13=40+15-9-2=44" in r.text and "您填的是" not in r.text, r.text


def test_dev32_counts(a: PolicyAnswerer) -> None:
    first = a.ask("广州、深圳、珠海、佛山、惠州、东莞、中山、江门、肇庆这9个市计划开发见习岗位加起来多少？占全省60000个的比例是多少",
                  today=TODAY)
    assert "计划开发见习岗位34500个" in first.text and "34500÷60000=57.5%" in first.text and len(first.text) <= 600
    r = a.ask("这9个市计划组织见习人数合计呢", context=first.context, today=TODAY)
    assert "计划组织就业见习8400人" in r.text
    assert "12×1×4个季度=48" in a.ask("内蒙古12个盟市，一年下来见习专项对接活动最少一共要办多少场", today=TODAY).text
    assert "12×1=12" in a.ask("自治区12个盟市，按要求最少要培育选树多少个高校毕业生就业见习示范单位", today=TODAY).text
    r = a.ask("有个基地参保62人，现在在岗见习20人，超没超长沙规定的比例", today=TODAY)
    assert "62×30%=18.6" in r.text and "超过了上限" in r.text


def test_dev31_points(a: PolicyAnswerer) -> None:
    r = a.ask("开封开小超市嘞，要是招见习生，政府一个月给补多少？说个比例就中", user_region="410200", today=TODAY)
    assert r.kind == "answer" and "70%" in r.text  # 超市, 说个: everyday words, not something the notices lack
    first = a.ask("河南留用率达到一半以上补贴能提高到多少", today=TODAY)
    r = a.ask("长沙那边同样情况补多少", context=first.context, today=TODAY)
    assert r.region == "4301" and "120%" in r.text
    first = a.ask("准格尔旗人社局，每月那个汇总表自治区要求下月前几个工作日报", user_region="150622", today=TODAY)
    r = a.ask("那11月的要哪天之前报上去", user_region="150622", context=first.context, today=TODAY)
    assert r.kind == "calculation" and "2026年12月4日" in r.text


def test_the_cities_with_the_least_and_the_most_and_a_sum_without_省直(a: PolicyAnswerer) -> None:
    r = a.ask("河南目标任务表里（不算省直）哪个市任务最少，多少个", today=TODAY)
    assert "最少的是济源市：800个" in r.text and "最多的是郑州市：20000个" in r.text and "不计省直" in r.text
    r = a.ask("广东岗位任务最少的是哪些市", today=TODAY)
    assert "最少的是河源、阳江、潮州、揭阳、云浮：1500个" in r.text
    r = a.ask("河南18个省辖市加济源（就是不算省直那2000）岗位任务加起来多少", today=TODAY)
    assert "100000−2000=98000" in r.text


def test_dev33_and_dev34_points(a: PolicyAnswerer) -> None:
    # A 专升本 student's or a former employee's eligibility is a question the notices answer; the exam itself is not.
    for q in ("专升本毕业后如果去见习，见习期间算就业吗？会不会影响我以后按应届生报考", "辞职在家 想去见习 要是见习完了单位不留我咋整 有人管不",
              "hospital HR here: 见习补贴 can be used for what? 能拿来给带教老师发点钱吗"):
        assert a.ask(q, today=TODAY).kind == "answer", q
    for q in ("23岁了 专升本还能报不", "汇总表填错了已经报上去了，怎么撤回修改？", "人社部就业促进司的办公地址在哪？能不能现场去咨询"):
        assert a.ask(q, today=TODAY).kind == "unknown", q
    r = a.ask("深圳市自己有没有额外的见习补贴？深圳的标准多少", user_region="440304", today=TODAY)
    assert r.kind == "unknown" and r.sources
