"""The calculators: minimum wage by place and date, subsidy amounts, eligibility, report deadlines."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import chinese_calendar
import pytest
import yaml

from knowledge.calculators import calculate, report_deadline
from knowledge.calculators import deadlines as dl
from knowledge.calculators import min_wage as mw
from knowledge.calculators.eligibility import check, eligibility_answer, parse_applicant
from knowledge.calculators.subsidy import parse_query, rule_for, subsidy_answer

TODAY = date(2026, 1, 15)  # Henan and Inner Mongolia 2025-12-01 standards, Beijing 2025-09-01


@pytest.fixture(autouse=True)
def packaged_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(mw.ENV_VAR, raising=False)


# --- minimum wage ---------------------------------------------------------------------------------
@pytest.mark.parametrize("code,on,amounts,level", [
    ("430121", date(2025, 10, 1), ["2000"], "county"),  # 长沙县: 二档
    ("430104", date(2025, 10, 1), ["2200"], "county"),  # 岳麓区: 一档 (长沙市区)
    ("430112", date(2025, 10, 1), ["2200"], "county"),  # 望城区: 长沙市区
    ("430181", date(2025, 10, 1), ["2000"], "county"),  # 浏阳市
    ("430121", date(2024, 10, 1), ["1900"], "county"),
    ("430104", date(2024, 10, 1), ["2100"], "county"),
    ("430104", date(2025, 8, 31), ["2100"], "county"),  # the day before the 2025 adjustment
    ("430104", date(2025, 9, 1), ["2200"], "county"),  # the day it takes effect
    ("430121", date(2024, 8, 31), [], "none"),  # before any Hunan row
    ("4301", date(2025, 10, 1), ["2200", "2000"], "counties"),  # 长沙 without the county: both
    ("110108", date(2023, 8, 31), ["2320"], "province"),  # 海淀: 北京全市
    ("110108", date(2023, 9, 1), ["2420"], "province"),
    ("11", date(2026, 1, 1), ["2540"], "province"),
    ("440106", date(2025, 2, 28), ["2300"], "city"),  # 天河区 → 广州市
    ("440106", date(2025, 3, 1), ["2500"], "city"),
    ("4404", date(2024, 6, 1), [], "none"),  # 珠海 before the 2025 table: not in the table
    ("4404", date(2025, 3, 1), ["2080"], "city"),  # 二类(珠海 …)
    ("410105", date(2026, 1, 1), ["2350", "2150", "2000"], "tiers"),  # Henan: tier of a county unknown
    ("4101", date(2024, 6, 1), ["2100", "2000", "1800"], "tiers"),
    ("41", date(2021, 6, 1), [], "none"),
    ("150102", date(2025, 1, 1), ["2270", "2200", "2140"], "tiers"),  # Inner Mongolia: tier unknown
])
def test_wage_lookup_by_county_and_date(code: str, on: date, amounts: list[str], level: str) -> None:
    m = mw.match(code, on)
    assert [r.amount for r in m.rules] == amounts
    assert m.level == level
    assert m.determined == (len(amounts) == 1)
    assert [r.amount for r in mw.lookup(code, on)] == amounts


def test_changsha_county_is_not_the_city_districts() -> None:
    county = mw.lookup("430121", date(2025, 10, 1))[0]
    district = mw.lookup("430102", date(2025, 10, 1))[0]
    assert county.tier == "二档" and district.tier == "一档"
    assert county.monthly_yuan < district.monthly_yuan
    assert mw.current_table().tiers_of("430121", date(2025, 10, 1)) == ["二档"]
    assert mw.current_table().tiers_of("410105", date(2025, 10, 1)) == []  # needs the tier


def test_named_tier_and_presentation() -> None:
    table = mw.current_table()
    r = table.tier_rule("15", "一类区", date(2025, 1, 1))
    assert r is not None and r.amount == "2270"
    henan_2024 = table.tier_rule("41", "一类", date(2024, 6, 1))
    assert henan_2024 is not None and henan_2024.verified and henan_2024.caveat() == ""
    assert henan_2024.basis() == "按河南省一类地区月最低工资标准2100元（自 2024-01-01 起）计算，以当地人社部门核定为准"
    henan_2025 = table.tier_rule("41", "一类", date(2026, 1, 1))
    assert henan_2025 is not None and not henan_2025.verified and "二手" in henan_2025.caveat()
    assert henan_2025.source_label() == "河南省2025年最低工资标准调整"  # English remark dropped
    im_2021 = table.tier_rule("15", "二类", date(2022, 1, 1))
    assert im_2021 is not None and im_2021.source.startswith("内蒙古自治区最低工资标准")  # 同上 resolved
    assert mw.yuan(Decimal("1589.50")) == "1589.5" and mw.yuan(Decimal("1645.0")) == "1645"


GOOD = """province,scope,monthly_yuan,effective_from,source,certainty
河南省,一类,2100,2024-01-01,豫政〔2023〕43号,official text
湖南省,二档(长沙县 浏阳市),1900,2024-09-01,测试来源,secondary
"""


def _write(path: Path, text: str, bump: int = 0) -> None:
    path.write_text(text, encoding="utf-8")
    if bump:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump))


def test_env_override_is_used_and_reread_when_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv = tmp_path / "wage.csv"
    _write(csv, GOOD)
    monkeypatch.setenv(mw.ENV_VAR, str(csv))
    assert mw.table_path() == csv
    assert [r.amount for r in mw.lookup("430121", date(2025, 1, 1))] == ["1900"]
    other = mw.match("430104", date(2025, 1, 1))  # 岳麓 is in no row: the tiers to choose from, never one answer
    assert other.level == "tiers" and not other.determined
    _write(csv, GOOD.replace("1900", "1950"), bump=2_000_000_000)
    assert [r.amount for r in mw.lookup("430121", date(2025, 1, 1))] == ["1950"]


@pytest.mark.parametrize("row,message", [
    ("河南省,二类,2000,2024/01/01,豫政〔2023〕43号,cited", "生效日期“2024/01/01”格式不对"),
    ("河南省,二类,两千,2024-01-01,豫政〔2023〕43号,cited", "不是数字"),
    ("河南省,二类,-5,2024-01-01,豫政〔2023〕43号,cited", "不在合理范围"),
    ("火星省,二类,2000,2024-01-01,豫政〔2023〕43号,cited", "不是省级行政区的名称"),
    ("湖南省,三档(火星县),1800,2025-09-01,x,secondary", "地名“火星县”在湖南省找不到"),
    ("河南省,一类,2200,2024-01-01,豫政〔2023〕43号,cited", "与第2行重复"),
    ("湖南省,一档(长沙县),2100,2024-09-01,x,secondary", "长沙县在同一生效日期"),
    ("河南省,二类,2000,2024-01-01,豫政〔2023〕43号,", "“certainty”列为空"),
    ("河南省,二类,2,000,2024-01-01,豫政〔2023〕43号,cited", "列数多于表头"),
])
def test_bad_row_is_named_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str,
                                     message: str) -> None:
    csv = tmp_path / "wage.csv"
    _write(csv, GOOD + row + "\n")
    monkeypatch.setenv(mw.ENV_VAR, str(csv))
    with pytest.raises(mw.MinWageTableError) as exc:
        mw.current_table()
    assert "第4行" in str(exc.value) and message in str(exc.value)
    assert str(csv) in str(exc.value)


def test_bad_header_and_ditto_without_row_above(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    _write(csv, "province,scope,amount\n河南省,一类,2100\n")
    with pytest.raises(mw.MinWageTableError, match="第1行（表头）：缺少列"):
        mw.load_table(csv)
    _write(csv, "province,scope,monthly_yuan,effective_from,source,certainty\n河南省,一类,2100,2024-01-01,同上,cited\n")
    with pytest.raises(mw.MinWageTableError, match="第2行：来源写了“同上”"):
        mw.load_table(csv)
    with pytest.raises(mw.MinWageTableError, match="文件不存在"):
        mw.load_table(tmp_path / "missing.csv")
    assert mw.main([str(csv)]) == 1 and mw.main([str(mw.DEFAULT_CSV)]) == 0


def test_a_broken_table_does_not_break_the_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv = tmp_path / "wage.csv"
    _write(csv, GOOD + "河南省,二类,abc,2024-01-01,x,cited\n")
    monkeypatch.setenv(mw.ENV_VAR, str(csv))
    a = subsidy_answer("郑州 3个见习生 补贴多少", None, TODAY)
    assert a is not None and "最低工资标准表正在更新" in a.text and "70%" in a.text


def test_gbk_file_from_excel_is_read(tmp_path: Path) -> None:
    csv = tmp_path / "gbk.csv"
    csv.write_bytes(GOOD.encode("gb18030"))
    assert len(mw.load_table(csv).rules) == 2


# --- subsidy ----------------------------------------------------------------------------------------
def test_rules_come_from_the_entries() -> None:
    henan, im, bj, cs = rule_for("41"), rule_for("15"), rule_for("11"), rule_for("4301")
    assert (henan.base_rate, henan.retained_rate) == (Decimal("0.7"), Decimal("1.1"))
    assert (im.base_rate, im.retained_rate, im.fixed_tier) == (Decimal("0.5"), Decimal("0.7"), "一类")
    assert bj.base_rate == Decimal("1.0") and bj.retained_rate is None and bj.top_up and bj.one_plus_one is None
    assert cs.base_rate is None and cs.retained_rate == Decimal("1.2")
    assert rule_for("44").base_rate is None and rule_for("national").base_rate is None


@pytest.mark.parametrize("text,trainees,retention,months", [
    ("我们在郑州，3个见习生，留用率60%，每月补贴多少", 3, "3/5", None),
    ("长沙县 5个人 留用一半 补贴", 5, "1/2", None),
    ("呼和浩特 4个见习生，留用3人，补贴多少", 4, "3/4", None),
    ("10人留用了6人，补贴一共多少", 10, "3/5", None),
    ("三个见习生，留用率百分之四十，见习6个月", 3, "2/5", 6),
    ("两个见习生都留用了", 2, "1", None),
    ("长沙雨花区的见习基地，留用率只有20%，每个月补贴多少", None, "1/5", None),
    ("浏阳的见习基地，留用率70%，2个见习生一个月补多少", 2, "7/10", None),  # 一个月 = per month
    ("3个人没留用", 3, "0", None),
    ("北京海淀单位见习补贴每人多少", None, None, None),
])
def test_subsidy_question_parsing(text: str, trainees: int | None, retention: str | None,
                                  months: int | None) -> None:
    q = parse_query(text)
    assert q.trainees == trainees and q.months == months
    assert (str(q.retention) if q.retention is not None else None) == retention


@pytest.mark.parametrize("text,must,must_not", [
    # Henan, tier told: 2350 × 70% = 1645; ×3 = 4935; 110% − 70% = 40% → 940; ×3 = 2820; ×6 months = 16920
    ("郑州金水区 一类地区 3个见习生 留用率60% 见习6个月 补贴多少",
     ["1645元", "4935元", "2585元", "940元", "2820元", "16920元", "达到50%", "结束见习后一次性发放",
      "按河南省一类地区月最低工资标准2350元（自 2025-12-01 起）计算，以当地人社部门核定为准",
      "豫人社函〔2023〕138号 三（一）、三（四）"], ["请告知"]),
    ("郑州金水区 一类地区 3个见习生 留用率40% 补贴多少",
     ["1645元", "4935元", "未达到50%，不提高标准"], ["940元", "补差"]),
    # tier not told: every tier of Henan, and the question which one
    ("我们在郑州，3个见习生，留用率60%，每月补贴多少",
     ["请告知所在县区属于几类地区", "一类（2350元）", "二类（2150元）", "三类（2000元）", "1505元", "1400元",
      "4515元", "800元", "2400元"], []),
    # Inner Mongolia: 50% of the 一类区 wage whatever the county: 2380 × 50% = 1190; 70% → 1666; diff 476
    ("呼和浩特 4个见习生，留用3人，补贴多少",
     ["一类区", "1190元", "4760元", "1666元", "476元", "1904元", "留用率75%（4人留用3人）", "内人社办发〔2023〕118号"],
     ["请告知"]),
    # Beijing: the monthly minimum wage, district top-ups unnamed, no retention tier
    ("北京海淀单位见习补贴每人多少", ["每人每月2540元", "海淀区可另发区级见习补贴", "京人社毕发〔2023〕21号 二（一）"],
     ["1+1", "补差"]),
    ("北京海淀 4个见习生 留用率80% 补贴多少", ["10160元", "北京通知未规定留用率提高标准"], []),
    # Changsha: no base rate; 120% of the county's wage: 长沙县 二档 2000 → 2400; 岳麓 一档 2200 → 2640
    ("长沙县 5个人 留用一半 补贴", ["未写明基础补贴标准", "2400元", "12000元", "二档", "按含本数理解",
                                    "差额无法计算", "长人社规〔2024〕4号"], ["2640元"]),
    ("长沙市岳麓区 2个见习生 留用率60% 补贴", ["2640元", "5280元", "一档"], ["2400元"]),
    ("浏阳的见习基地，留用率70%，2个见习生一个月补多少", ["120%", "2400元", "4800元"], ["见习1个月共"]),
    # Guangdong and places without a notice: no amount
    ("上海 3个见习生补贴多少", ["我这里没有收录上海市的见习文件", "无法替您计算金额"], []),
])
def test_subsidy_amounts(text: str, must: list[str], must_not: list[str]) -> None:
    a = calculate(text, None, TODAY)
    assert a is not None and a.kind == "calculation"
    for m in must:
        assert m in a.text, (m, a.text)
    for m in must_not:
        assert m not in a.text, (m, a.text)
    assert len(a.text) <= 600
    lines = a.text.splitlines()
    assert any(line.startswith("依据：") for line in lines[-2:]), a.text
    assert "以当地人社部门核定为准" in lines[-1]
    assert a.sources and all(s["doc"] and s["section"] for s in a.sources)


@pytest.mark.parametrize("text,at_least,below,meets", [
    ("留用率不到50% 3个人", None, "1/2", False),
    ("留用率50%以上 4个人", "1/2", None, True),
    ("4个人留用过半", "1/2", None, True),
    ("留用率不到60% 3个人", None, "3/5", None),  # could be either side of 50%
])
def test_retention_bounds(text: str, at_least: str | None, below: str | None, meets: bool | None) -> None:
    from fractions import Fraction

    q = parse_query(text)
    assert (str(q.at_least) if q.at_least else None, str(q.below) if q.below else None) == (at_least, below)
    assert q.retention is None and q.meets(Fraction(1, 2)) is meets


def test_subsidy_uses_the_wage_in_force_that_month() -> None:
    before = calculate("郑州金水区 一类地区 3个见习生 补贴多少", None, date(2025, 11, 30))
    after = calculate("郑州金水区 一类地区 3个见习生 补贴多少", None, date(2025, 12, 1))
    assert before is not None and after is not None
    assert "2100元×70%=每人每月1470元" in before.text and "自 2024-01-01 起" in before.text
    assert "2350元×70%=每人每月1645元" in after.text and "自 2025-12-01 起" in after.text


def test_one_plus_one_end_payment_unknown_retention_is_conditional() -> None:
    a = calculate("郑州金水区 一类地区 2个见习生 补贴多少", None, TODAY)
    assert a is not None and "若留用率达标" in a.text and "每人每月差额940元" in a.text and "1880元" in a.text


def test_subsidy_region_from_profile_and_clarify() -> None:
    a = calculate("3个见习生补贴多少", "150102", TODAY)
    assert a is not None and a.region == "15" and "1190元" in a.text
    ask = calculate("3个见习生补贴多少", None, TODAY)
    assert ask is not None and ask.kind == "clarify" and "县区" in ask.text
    amb = calculate("朝阳区 3个见习生补贴多少", None, TODAY)
    assert amb is not None and amb.kind == "clarify" and "北京市朝阳区" in amb.text


# --- eligibility ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,region,verdict,why", [
    ("我2025年6月毕业，现在还没工作，能参加见习吗", None, "可以参加", "未满2年"),
    ("我2023年6月毕业，一直没工作，能参加见习吗", "410105", "不符合", "已超过2年"),
    ("我2024年1月毕业没工作能参加见习吗", "41", "需当地核实", "正好2年"),  # exactly 24 months
    ("我2022年毕业还没工作可以见习吗", "41", "不符合", "已超过2年"),
    ("我今年23岁在家待业", None, "需当地核实", "失业登记"),
    ("我22岁，办了失业登记，能参加见习吗", "430121", "可以参加", "16至24岁"),
    ("我26岁，登记失业了，能参加见习吗", "430121", "不符合", "26岁"),
    ("2002年3月出生，失业登记了，能参加见习吗", "15", "可以参加", "23岁"),
    ("我是中专毕业的，2025年6月毕业没工作能见习吗", "41", "不符合", "中专"),
    ("我明年毕业能参加见习吗", "44", "不符合", "还没有毕业"),
    ("我已经工作了，2025年毕业，能见习吗", "44", "不符合", "已就业"),
    # Beijing: 北京生源 graduates, 本市户籍 unemployed youth
    ("我是外地生源在北京能参加吗", None, "不符合", "北京生源"),
    ("我北京生源，2025年7月毕业，没工作，能参加吗", None, "可以参加", "毕业未满2年"),
    ("我2025年7月毕业，没工作，在北京能参加见习吗", None, "需当地核实", "北京生源"),
    ("我22岁，北京户口，办了失业登记，能见习吗", "11", "可以参加", "16至24岁"),
    ("我22岁，外地户口，办了失业登记，在北京能见习吗", None, "不符合", "本市户籍"),
    ("我是北京生源，中专2025年6月毕业，没工作，能见习吗", None, "可以参加", "毕业未满2年"),
])
def test_eligibility(text: str, region: str | None, verdict: str, why: str) -> None:
    a = calculate(text, region, TODAY)
    assert a is not None and a.kind == "calculation", text
    assert f"结论：{verdict}" in a.text and why in a.text, a.text
    assert a.context["verdict"] == verdict
    assert "依据：" in a.text and len(a.text) <= 600 and a.sources


def test_eligibility_conditions_are_stated() -> None:
    a = calculate("我是技师学院预备技师班的，2025年7月毕业，在长沙能见习吗", None, TODAY)
    assert a is not None and "结论：可以参加" in a.text and "前提是您目前未就业" in a.text
    b = calculate("我26岁了，没上过大学，失业在家，能参加见习吗", "15", TODAY)
    assert b is not None and "结论：不符合" in b.text and "按毕业生参加" not in b.text


def test_eligibility_place_without_notice_uses_national_rule() -> None:
    a = eligibility_answer("我是河南人，2024年6月毕业，在上海没工作，能参加见习吗", None, TODAY)
    assert a is not None and "上海市" in a.text and "全国规定" in a.text and a.region == "national"
    assert "人社部发〔2023〕27号" in a.text


def test_applicant_parsing() -> None:
    a = parse_applicant("我2002年8月出生，2024届本科，没上班，没有办失业登记", TODAY)
    assert a.age == (23, 23) and a.graduation == (2024, None) and a.employed is False and a.registered is False
    assert a.education == "高校"
    b = parse_applicant("二十四岁，毕业两年了", TODAY)
    assert b.age == (24, 24) and b.months_since == (24, 24)
    c = parse_applicant("2001年出生", TODAY)
    assert c.age == (24, 25)
    assert check(parse_applicant("2001年出生，失业登记了", TODAY), "41", TODAY).verdict == "需当地核实"  # type: ignore[union-attr]


# --- deadlines --------------------------------------------------------------------------------------
@pytest.mark.parametrize("region,period,due", [
    # September 2025: 10月1日至8日 国庆中秋; 10月11日 (Sat) a make-up working day
    ("national", "2025-09", date(2025, 10, 14)),  # 9, 10, 11(Sat), 13, 14
    ("41", "2025-09", date(2025, 10, 14)),  # Henan: national rule
    ("11", "2025-09", date(2025, 10, 14)),  # Beijing: national rule
    ("150102", "2025-09", date(2025, 10, 13)),  # Inner Mongolia text: 4 working days (table: 5)
    ("4401", "2025-09", date(2025, 10, 9)),  # Guangdong: 月后3日 (10-03) → 顺延; 3 working days is 10-11
    ("430121", "2025-09", date(2025, 10, 9)),  # Changsha: 月后2日 (10-02) → 顺延 to 10-09
    # December 2025: 1月1日至3日 元旦; 1月4日 (Sun) a make-up working day
    ("national", "2025-12", date(2026, 1, 8)),  # 4(Sun), 5, 6, 7, 8 — not 9
    ("4301", "2025-12", date(2026, 1, 4)),  # 1月2日 is a holiday → the make-up Sunday
    ("44", "2025-12", date(2026, 1, 4)),
    # January 2025: 春节 2月1日至4日; 2月8日 (Sat) make-up
    ("national", "2025-01", date(2025, 2, 10)),
    ("national", "2025-05", date(2025, 6, 9)),  # 端午 5月31日至6月2日
])
def test_report_deadline(region: str, period: str, due: date) -> None:
    assert report_deadline(region, period) == due
    assert not dl.report_deadline_is_provisional(region, period)


def test_both_readings_are_reported_where_the_texts_disagree() -> None:
    im = {d.rule.wording: d.due for d in dl.deadlines("15", (2025, 9))}
    assert im == {"下月前4个工作日内": date(2025, 10, 13), "下月前5个工作日内": date(2025, 10, 14)}
    gd = {d.rule.wording: d.due for d in dl.deadlines("44", (2025, 9))}
    assert gd == {"次月前3个工作日内": date(2025, 10, 11), "月后3日内": date(2025, 10, 9)}  # 10-11: make-up Sat


def test_year_outside_chinese_calendar_is_provisional() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    assert report_deadline("national", "2026-12") == date(2027, 1, 8)  # 1月1日 (Fri) statutory; 4–8
    assert report_deadline("national", "2027-09") == date(2027, 10, 8)  # 10月1日至3日 statutory; 4–8
    assert dl.report_deadline_is_provisional("national", "2026-12")
    a = calculate("12月的汇总表什么时候报", "430121", date(2026, 12, 15))
    assert a is not None and "2027年1月4日" in a.text and dl.PROVISIONAL_NOTE in a.text
    assert a.confidence < 0.9


def test_holidays_yaml_agrees_with_chinese_calendar() -> None:
    raw = yaml.safe_load(dl.HOLIDAYS_YAML.read_text(encoding="utf-8"))
    assert raw["years"], "holidays.yaml lists no year"
    cal = dl.WorkCalendar()
    for year in raw["years"]:
        d = date(int(year), 1, 1)
        while d.year == int(year):
            assert cal._fallback(d).workday == chinese_calendar.is_workday(d), d
            assert not cal._fallback(d).provisional
            d += timedelta(days=1)


def test_yaml_is_used_when_chinese_calendar_lacks_the_year(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_data(d: date) -> tuple[bool, str | None]:
        raise NotImplementedError(f"no available data for year {d.year}")

    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", no_data)
    assert report_deadline("national", "2025-09") == date(2025, 10, 14)  # the official 2025 arrangement
    assert not dl.report_deadline_is_provisional("national", "2025-09")


@pytest.mark.parametrize("text,today,period", [
    ("汇总表这个月几号前报", date(2025, 10, 5), (2025, 9)),
    ("这个月的汇总表什么时候报", date(2025, 10, 5), (2025, 10)),
    ("9月的汇总表什么时候报", date(2025, 10, 5), (2025, 9)),
    ("12月的月报什么时候交", date(2026, 1, 3), (2025, 12)),
    ("2025年9月的汇总表截止到哪天", date(2026, 1, 3), (2025, 9)),
    ("下个月几号报月报", date(2025, 10, 5), (2025, 10)),
    ("月报什么时候交", date(2025, 10, 5), (2025, 9)),  # 10-14 not yet passed
    ("月报什么时候交", date(2025, 10, 20), (2025, 10)),  # passed: the next one
])
def test_period_asked(text: str, today: date, period: tuple[int, int]) -> None:
    assert dl.period_asked(text, today, None) == period


def test_deadline_answers() -> None:
    a = calculate("汇总表这个月几号前报", "410105", date(2025, 10, 5))
    assert a is not None and a.kind == "calculation" and a.region == "national"
    assert "2025年10月14日" in a.text and "河南省的见习通知对月报没有单独规定" in a.text
    assert "10月11日（周六）调休上班" in a.text and "人社部发〔2023〕27号" in a.text
    im = calculate("月报什么时候交", "150102", date(2025, 10, 5))
    assert im is not None and "2025年10月13日" in im.text and "2025年10月14日" in im.text
    assert {"doc": "内人社办发〔2023〕118号", "section": "附件 填报说明1"} in im.sources
    none = calculate("汇总表这个月几号前报", None, date(2025, 10, 5))
    assert none is not None and "内蒙古、广东、长沙另有期限" in none.text
    with pytest.raises(ValueError):
        report_deadline("national", "2025-13")


def test_past_deadline_gives_the_next_one() -> None:
    a = calculate("汇总表这个月几号前报", "15", date(2026, 11, 22))
    assert a is not None and "2026年11月5日" in a.text and "这一期限已过" in a.text
    assert "2026年11月的应于2026年12月4日（周五）前报送" in a.text


@pytest.mark.parametrize("text,region,today,must", [
    ("今年的年度报告截止到哪天", "430104", date(2026, 11, 22), ["2026年12月10日（周四）", "长人社规〔2024〕4号"]),
    ("年度报告什么时候报", "150102", date(2026, 11, 22), ["年底前", "没有写具体日期", "内人社办发〔2023〕118号"]),
    ("年度报告什么时候报", "410105", date(2026, 11, 22), ["没有单独规定", "年底", "人社部发〔2023〕27号"]),
])
def test_annual_report(text: str, region: str, today: date, must: list[str]) -> None:
    a = calculate(text, region, today)
    assert a is not None and a.kind == "calculation"
    for m in must:
        assert m in a.text, (m, a.text)


def test_review_time_limit_in_working_days() -> None:
    # submitted Saturday 2026-11-21: the 5 working days are 23–27 November
    a = calculate("我昨天在省级专区提交了见习申请，区里最晚啥时候给审核意见", "430111", date(2026, 11, 22))
    assert a is not None and "5个工作日内明确审核意见" in a.text and "2026年11月27日（周五）" in a.text
    # across 国庆 2025: submitted 9月30日 → 10月9日, 10日, 11日(Sat, make-up), 13日, 14日
    b = calculate("我9月30日网上报名了见习，多久能审核推送", "430121", date(2025, 10, 2))
    assert b is not None and "推送相关见习基地" in b.text and "2025年10月14日" in b.text
    assert calculate("我昨天提交了见习申请，最晚啥时候审核", "410105", TODAY) is None  # Henan sets no limit


# --- dispatch ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,region", [
    ("河南见习补贴是多少", None), ("见习补贴标准是多少", "4101"), ("留用率达到多少补贴能提高", "430121"),
    ("谁可以参加就业见习", None), ("见习期多长时间", None), ("长沙见习基地条件", None),
    ("汇总表有哪些指标", "15"), ("今天天气怎么样", None), ("", None),
    # other subsidies are out of scope, whatever their wording
    ("职业技能培训补贴一个人能领多少", None), ("一次性扩岗补助一个人多少钱", None),
    # status and procedure questions that mention a date or a headcount belong to the retrieval engine
    ("见习期间算不算就业啊？会不会把我应届生身份搞没了", None), ("参加完见习了我还能按应届生享受政策不", "3301"),
    ("我是去年六月份毕业的，这个见习期间算不算我已经就业了", "41"),
    ("我们今年招了5个见习生，其中有一个干了3个月就想提前签合同，剩余期限的见习补贴还能申请吗", "11"),
    ("我们单位在开封，去年接了8个见习生，补贴等全部结束了再一起申请发下来就行，这样中不中", None),
])
def test_ordinary_questions_fall_through(text: str, region: str | None) -> None:
    assert calculate(text, region, TODAY) is None


# --- minimum wage in force ---------------------------------------------------------------------

def test_minimum_wage_question_is_answered_from_the_table_with_its_source() -> None:
    """No notice states the wage: the reply says so (kind unknown) and gives the table's figure for reference."""
    from knowledge.calculators import calculate
    from knowledge.calculators.min_wage import lookup

    on = date(2026, 11, 22)
    a = calculate("北京现在月最低工资是多少", None, on)
    assert a is not None and a.kind == "unknown" and a.text.startswith("见习通知本身不列最低工资金额")
    (rule,) = lookup("11", on)
    assert f"{rule.amount}元/月" in a.text and rule.effective_from.isoformat() in a.text
    assert "以当地人社部门公布为准" in a.text and a.sources[0]["doc"] == rule.source_label()
    # the tier asked for, of the tiers of a province
    b = calculate("内蒙古一类区最低工资现在是多少钱", None, on)
    assert b is not None and "一类地区" in b.text and "二类地区" not in b.text
    # no place, none stored: asked which; a subsidy question is not a wage question
    c = calculate("最低工资是多少", None, on)
    assert c is not None and c.kind == "clarify"
    d = calculate("河南见习补贴是最低工资的多少", None, on)
    assert d is None or "月最低工资标准】" not in d.text


def test_calculators_take_the_region_a_word_points_to() -> None:
    """盟市 and 自治区 are Inner Mongolia's words: its monthly deadline (4 or 5 working days), not the national one."""
    a = calculate("盟市每月的见习汇总表啥时候要报到自治区", None, date(2026, 11, 22))
    assert a is not None and a.region == "15" and "内人社办发〔2023〕118号" in a.text


def test_wage_asked_in_its_own_clause_after_a_subsidy_fact() -> None:
    from knowledge.calculators.wages import is_wage_question

    assert is_wage_question("河南见习补贴是70%，那郑州现在最低工资标准到底是多少钱")
    assert not is_wage_question("见习补贴是最低工资的百分之多少")
    a = calculate("自治区一类区最低工资标准具体是多少钱", "150100", date(2026, 11, 22))  # a 6-digit stored city
    assert a is not None and a.kind == "unknown" and "以下不是政策答复" in a.text


def test_reporting_up_within_a_province_is_not_the_ministrys_deadline() -> None:
    from knowledge.calculators import calculate

    for q in ("河南各市见习月报表几号前报省厅", "北京的见习月报啥时候报市人社局", "河南各市每个月向省厅报见习统计表 截止是几号"):
        r = calculate(q, None, date(2026, 11, 22))
        assert r is not None and r.kind == "unknown" and "没有规定市县向省里、市里报送月报的时间" in r.text, q
    r = calculate("河南见习月报几号前报", None, date(2026, 11, 22))
    assert r is not None and r.kind == "calculation" and "12月7日" in r.text
    # "11月的" is November's report; "11月几号前报" is due in November.
    r = calculate("广东11月的月报最晚哪天报", None, date(2026, 11, 22))
    assert r is not None and "2026年11月的" in r.text
    r = calculate("广东月报11月几号前报", None, date(2026, 11, 22))
    assert r is not None and "2026年10月的" in r.text


def test_retention_given_and_the_tier_asked() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("长沙 最低工资按2100 留用率达到一半 每人每月补贴多少", "430100", today)
    assert r is not None and r.kind == "calculation" and "每人每月2520元" in r.text
    r = calculate("河南 见习期满8个人 留了4个 能按高标准拿吗", None, today)
    assert r is not None and r.kind == "calculation" and "110%" in r.text
    r = calculate("鄂尔多斯 12个见习期满 留了5个 能提到70%不", "150600", today)
    assert r is not None and "41.67%" in r.text and "未达到50%" in r.text
    r = calculate("2025年7月毕业 在杭州 这个见习资格能保留到什么时候", "330100", today)
    assert r is not None and "至2027年7月满2年" in r.text
    r = calculate("今天22号 离长沙年度报告截止还有几天", None, today)
    assert r is not None and "还有18天" in r.text


def test_follow_ups_reckon_the_last_calculation_again() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    first = calculate("郑州，3个见习生，留用率40%，每月补贴多少", None, today)
    assert first is not None and "未达到50%" in first.text
    again = calculate("要是留用率到了60%呢", None, today, first.context)
    assert again is not None and again.kind == "calculation" and "留用率60%" in again.text and "3人" in again.text
    first = calculate("广东的见习月报表几号前报", None, today)
    assert first is not None
    again = calculate("那12月的呢", None, today, first.context)
    assert again is not None and "2026年12月的" in again.text and again.region == "44"
    assert calculate("要是留用率到了60%呢", None, today) is None  # nothing to follow up
    again = calculate("那北京呢", None, today, first.context)  # the same calculation for the new place
    assert again is not None and again.kind == "calculation" and "北京市的见习通知对月报没有单独规定" in again.text


def test_where_to_find_positions_is_no_eligibility_check() -> None:
    from knowledge.calculators import calculate

    assert calculate("今年7月刚毕业 成都的 去哪找见习岗位", "510100", date(2026, 11, 22)) is None


def test_totals_the_one_class_wage_and_1_plus_1_with_figures() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("我们旗属于三类区，最低工资1750，自治区一类区是1980。10个见习生见习3个月，期满留了5个，见习补贴总共多少",
                  None, today)
    assert r is not None and "1980元×50%" in r.text and "合计：29700+11880=41580元" in r.text
    r = calculate("郑州的单位，最低工资按2100算，一共来了10个见习生，都见习满了6个月，期满之后留下来签合同的有6个。总共能拿多少见习补贴",
                  None, today)
    assert r is not None and "10人留用6人" in r.text and "=138600元" in r.text
    r = calculate("洛阳的，当地最低工资2000，5个见习生见习6个月，最后留了3个。按1+1模式每个月先发多少？结束后一次性补多少差额？",
                  None, today)
    assert r is not None and r.kind == "calculation" and "5人每月共7000元" in r.text and "见习6个月共24000元" in r.text
    r = calculate("浏阳的见习基地，最低工资1930，10个见习生见习满12个月，留用7个，见习补贴总额是多少", None, today)
    assert r is not None and "见习12个月共277920元" in r.text
    # a follow-up changes the number kept on, not the rest
    again = calculate("要是留了4个呢", None, today, calculate(
        "郑州，最低工资按2100算，10个见习生见习6个月，期满留了6个，补贴一共多少", None, today).context)
    assert again is not None and "10人留用4人" in again.text and "88200元" in again.text and "合计" not in again.text


def test_a_review_date_without_its_year_is_the_nearest_one() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("我11月23号(周一)在省级专区提交的见习基地申请，区人社局最晚哪天要明确审核意见", "430100", today)
    assert r is not None and "最晚2026年11月30日" in r.text
    again = calculate("要是我是25号提交的呢", "430100", today, r.context)
    assert again is not None and "11月25日提交" in again.text and "2026年12月2日" in again.text


def test_an_if_wage_and_呼市() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("内蒙古一类区最低工资要是按1980元算，见习期满留用率60%的单位 每人每月见习补贴多少", None, today)
    assert r is not None and "每人每月1386元" in r.text
    r = calculate("我是呼市的 2025年7月毕业 到现在没找到工作 23岁 能参加见习不", None, today)
    assert r is not None and r.region == "15" and "内人社办发〔2023〕118号" in r.text


def test_changsha_below_the_threshold_is_an_honest_unknown() -> None:
    # The 120% figure does not apply and the base rate is not in the notice: nothing to reckon, said with the contact.
    a = calculate("长沙市岳麓区 2个见习生 留用率30% 补贴", None, TODAY)
    assert a is not None and a.kind == "unknown"
    for m in ("未达到50%", "一档", "不低于当地最低工资标准（2200元）", "具体以当地人社部门规定为准", "长沙市就业服务中心"):
        assert m in a.text, (m, a.text)
    assert "2640元" not in a.text and "2400元" not in a.text and len(a.text) <= 600


def test_sums_asked_in_other_words_and_retention_lines() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("通辽一家企业，一类区最低工资1980，5个人见习6个月，期满留了3个，按1+1每月先发多少，最后一次性补的差额多少",
                  "150500", today)
    assert r is not None and "5人每月共4950元" in r.text and "见习6个月共11880元" in r.text
    r = calculate("我们单位见习生9个，期满留用了4个，留用率够不够50%（成都）", "510100", today)
    assert r is not None and "留用率44.44%（9人留用4人），未达到50%" in r.text
    r = calculate("大兴的单位 补贴按季度申报，一季度3个见习生都在岗，北京月最低工资2420，这季度市级能申请多少", "110115", today)
    assert r is not None and "见习3个月共21780元" in r.text
    r = calculate("郑州最低工资按2100算，见习6个月，留用率达标了，结束后一次性补的差额一共多少", None, today)
    assert r is not None and r.kind == "calculation" and "差额840元" in r.text
    assert calculate("海淀区的区级见习补贴每人每月多少钱", "110108", today) is None  # no figure: the answerer says so
    assert calculate("广东从什么时候开始每月填报就业见习汇总表", None, today) is None
    assert calculate("河南的最低工资标准是按哪个时候的算", None, today) is None
    assert calculate("我们是岳麓区一个小公司，一共就二十几个人交社保，想申请当见习基地", "430104", today) is None
    first = calculate("郑州的单位，最低工资按2000，3个见习生，留用了一半以上，每月补贴多少", None, today)
    again = calculate("如果是长沙呢，最低工资也按2000，也留用了一半以上", None, today, first.context if first else None)
    assert again is not None and again.region == "4301" and "每人每月2400元" in again.text
    first = calculate("鄂尔多斯，4个见习生，最低工资1980，都没留用，见习6个月补贴一共多少", None, today)
    again = calculate("如果4个里面留了3个呢", None, today, first.context if first else None)
    assert again is not None and "留用率75%（4人留用3人）" in again.text


def test_eligibility_said_in_other_words_and_followed_up() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("我2024年7月从内蒙古大学毕业的，现在还能参加内蒙古的见习吗", None, today)
    assert r is not None and "结论：不符合" in r.text and "离校已超过2年" in r.text
    r = calculate("俺是2005年的 没考上大学 在周口家里待着 能参加见习吗", None, today)
    assert r is not None and "20或21岁" in r.text and r.region == "41"
    r = calculate("我研究生延期了，2024年12月才毕业，现在还在见习的两年期限内吗", None, today)
    assert r is not None and "至2026年12月满2年" in r.text
    r = calculate("我01年10月的 今年应该25了吧 失业青年那个见习还能报不", None, today)
    assert r is not None and "您25岁" in r.text and "结论：不符合" in r.text
    first = calculate("我是2001年10月出生的，失业在家，能参加见习吗", None, today)
    again = calculate("要是我是2002年12月的呢", None, today, first.context if first else None)
    assert again is not None and "您23岁" in again.text
    first = calculate("我2025年7月毕业，现在还没工作，能参加见习吗", None, today)
    again = calculate("要是我是前年毕业的呢", None, today, first.context if first else None)
    assert again is not None and "至2026年6、7月已满2年" in again.text
    assert calculate("23岁了 专升本还能报不", None, today) is None


def test_indicator_figures_are_no_eligibility_check() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    for q in ("被见习单位留用10人，其中离校2年内未就业高校毕业生填了12人，校验会报错吗",
              "内蒙古表：本期计划组织见习50人，本期实际到岗52人，其中离校2年内未就业毕业生40人。这样填行不"):
        assert calculate(q, None, today) is None, q


def test_a_what_if_after_a_calculation_and_a_wage_said_as_if() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("呼市这边一类区最低工资假如是1980，留用率没到50%，每个见习生每月补贴多少", None, today)
    assert r is not None and "1980元×50%=每人每月990元" in r.text
    first = calculate("郑州，最低工资按2000，3个见习生，留用率60%，每月补贴多少", None, today)
    again = calculate("假如见习了6个月，一个人一共补多少差额", None, today, first.context if first else None)
    assert again is not None and again.kind == "calculation" and "见习6个月共" in again.text


def test_a_rate_only_one_region_pays_and_follow_ups_in_other_words() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("我们今年见习结束12个人，留用了6个，能按110%拿补贴吗", None, today)
    assert r is not None and r.region == "41" and "12人留用6人" in r.text  # 110% is Henan's
    first = calculate("鄂尔多斯，最低工资1980，4个见习生，留用了一半，每月补贴多少", None, today)
    again = calculate("那没达到留用率呢", None, today, first.context if first else None)
    assert again is not None and "未达到50%" in again.text
    first = calculate("南阳的，最低工资1900，3个见习生，留用率60%，每月补贴多少", None, today)
    again = calculate("换到郑州 按2100算呢", None, today, first.context if first else None)
    assert again is not None and "2100元×70%" in again.text and "郑州" in again.text
    r = calculate("今天离年度见习计划实施情况报告截止还有几天？", "430100", today)
    assert r is not None and "还有18天" in r.text


def test_months_trainees_and_top_ups_in_dev28_words() -> None:
    from knowledge.calculators import calculate

    today = date(2026, 11, 22)
    r = calculate("北京最低工资要是2420一个月，一个见习生见习6个月，单位总共能拿多少市级补贴", None, today)
    assert r is not None and "见习6个月共14520元" in r.text  # "2420一个月" is the wage per month, not the months
    r = calculate("北京的 见习生3个 每人见习4个月 最低工资按2420 市级补贴一共多少", None, today)
    assert r is not None and "3人每月共7260元" in r.text and "见习4个月共29040元" in r.text
    r = calculate("我们在赤峰，留用率达标了，一类区最低工资按1980，每人见习6个月，按1+1模式最后一次性补的差额每人多少", None, today)
    assert r is not None and "每人每月差额396元" in r.text
    assert calculate("东莞本地对见习补贴有没有额外加码？每人多给多少", "441900", today) is None
    r = calculate("北京各区的见习年度总结报告几号前要交给市人社局", None, today)
    assert r is not None and r.kind == "unknown"


def test_dev29_and_dev30_sums() -> None:
    today = date(2026, 11, 22)
    r = calculate("俺们在洛阳开了个小厂，见席生4个，都见习6个月，最低工资就按2000算，不算留用那块，一共能领多少补贴", "410300", today)
    assert r is not None and "见习6个月共33600元" in r.text  # 见席生 is 见习生
    # 长沙 below 50%: no base rate to reckon with, but whether the 120% tier is earned is answered (no).
    r = calculate("长沙公司 今年期满的8个见习生留了3个 能拿120%那一档吗", "430111", today)
    assert r is not None and r.kind == "calculation" and "留用率37.5%" in r.text and "未达到50%" in r.text
    r = calculate("长沙公司 8个见习生留了3个 每月补贴多少", "430111", today)
    assert r is not None and r.kind == "unknown"
    first = calculate("郑州最低工资按2100算 见习补贴一个月多少", None, today)
    assert first is not None
    r = calculate("要是留用率过一半呢", None, today, first.context)
    assert r is not None and "每人每月2310元" in r.text and "若留用率达标" not in r.text


def test_a_districts_own_monthly_report_is_not_the_ministrys_deadline() -> None:
    r = calculate("北京各区每个月要不要报见习情况汇总表？什么时候报", "110106", date(2026, 11, 22))
    assert r is not None and r.kind == "unknown" and "没有规定市县向省里、市里报送月报的时间" in r.text
    r = calculate("北京见习月报啥时候报", None, date(2026, 11, 22))
    assert r is not None and r.kind == "calculation"


def test_whether_an_internship_counts_as_work_is_no_eligibility_check() -> None:
    q = "我是孙子他爷爷 孙子在包头 大学毕业一年了没工作 要是去见习 算不算参加工作了 以后还能当应届生对待不"
    assert calculate(q, "150200", date(2026, 11, 22)) is None


def test_a_months_table_and_a_follow_up_for_the_region_just_discussed() -> None:
    today = date(2026, 11, 22)
    r = calculate("广东2027年5月的表，最晚6月几号报", None, today)
    assert r is not None and "2027年6月3日" in r.text
    first = calculate("广东汇总表11月的几号前报", None, today)
    assert first is not None
    r = calculate("那11月份的表最晚哪天交", None, today, {**first.context, "region_code": "44"})
    assert r is not None and r.region == "44" and "2026年12月3日" in r.text


def test_guangdong_gives_no_amount_to_reckon() -> None:
    r = calculate("广州 3个见习生补贴多少", None, date(2026, 11, 22))
    assert r is not None and r.kind == "unknown" and "无法替您计算金额" in r.text and "2500" not in r.text
    assert "人社部发〔2023〕27号 三（一）" in r.text and r.sources
    r = calculate("广东见习补贴一个人一个月具体补多少钱？按最低工资的几成给", "440106", date(2026, 11, 22))
    assert r is not None and r.kind == "unknown" and "没有规定见习补贴金额" in r.text and "建议咨询" in r.text
    r = calculate("武汉3个见习生 每月补贴多少", None, date(2026, 11, 22))  # no notice here: the national rule, as before
    assert r is not None and r.kind == "calculation"
