"""Slot validators: normalise good answers, give a specific hint for bad ones."""

from __future__ import annotations

from datetime import date

import pytest

from bot import validators as v
from knowledge.divisions import divisions
from knowledge.majors import majors

CTX = v.FormContext(today=date(2026, 11, 22), divisions=divisions(), majors=majors())


@pytest.mark.parametrize("raw,expected", [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
                                          ("+86 138-1234-5678", "13812345678")])
def test_mobile_ok(raw: str, expected: str) -> None:
    assert v.mobile(raw, CTX) == v.Ok(expected)


@pytest.mark.parametrize("raw,fragment", [("1381234567", "您输入了 10 位"), ("23812345678", "13～19"),
                                          ("abc", "只能包含数字")])
def test_mobile_hints(raw: str, fragment: str) -> None:
    result = v.mobile(raw, CTX)
    assert isinstance(result, v.Retry) and fragment in result.hint


def test_graduation() -> None:
    assert v.graduation("2024年6月", CTX) == v.Ok("2024-06")
    assert v.graduation("2024-6", CTX) == v.Ok("2024-06")
    assert v.graduation("24年7月", CTX) == v.Ok("2024-07")
    assert v.graduation("2026年11月", CTX) == v.Ok("2026-11")
    future = v.graduation("2026年12月", CTX)
    assert isinstance(future, v.Retry) and "不能晚于本月" in future.hint
    assert "月份" in v.graduation("2024", CTX).hint  # type: ignore[union-attr]
    assert isinstance(v.graduation("2024-13", CTX), v.Retry)


def test_name_education_school_major() -> None:
    assert v.name("张三", CTX) == v.Ok("张三")
    assert v.name("阿依古丽·买买提", CTX) == v.Ok("阿依古丽·买买提")
    assert "数字" in v.name("张3", CTX).hint  # type: ignore[union-attr]
    assert v.education("3", CTX) == v.Ok("本科") and v.education("研究生", CTX) == v.Ok("硕士")
    assert isinstance(v.education("小学", CTX), v.Retry)
    assert v.school("郑州大学", CTX) == v.Ok("郑州大学") and isinstance(v.school("1", CTX), v.Retry)
    assert v.major("计科", CTX) == v.Ok("计算机科学与技术")
    assert v.major("机电一体化技术", CTX) == v.Ok("机电一体化技术")  # vocational: kept as typed


def test_region() -> None:
    assert v.region("广州天河", CTX) == v.Ok({"code": "440106", "name": "广东省广州市天河区"})
    assert v.region("河南", CTX) == v.Ok({"code": "41", "name": "河南省"})
    amb = v.region("朝阳区", CTX)
    assert isinstance(amb, v.Retry) and "北京市朝阳区" in amb.hint and "长春市朝阳区" in amb.hint
    assert isinstance(v.region("火星", CTX), v.Retry)


def _id(first17: str) -> str:
    return first17 + v.id_check_char(first17)


def test_id_number_ok_with_birth_date_and_age() -> None:
    assert _id("41010520010503123") == "410105200105031234"  # a known-good checksum
    assert v.id_number("410105200105031234", CTX) == v.Ok(
        {"number": "410105200105031234", "birth_date": "2001-05-03", "age": 25})
    x = next(_id(f"1101081999123100{i}") for i in range(10) if _id(f"1101081999123100{i}").endswith("X"))
    result = v.id_number(x.lower(), CTX)  # a lower-case x is normalised
    assert isinstance(result, v.Ok) and result.value["number"] == x and result.value["age"] == 26
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "410105200105031234")
    assert v.id_number(full_width, CTX) == v.id_number("4101 0520 0105 0312 34", CTX) == v.id_number(
        "410105200105031234", CTX)
    assert v.id_number("410105200411221234"[:17] + v.id_check_char("41010520041122123"), CTX).value["age"] == 22


@pytest.mark.parametrize("raw,fragment", [
    ("4101052001050312", "您输入了 16 位"),
    ("41010520010503123456", "您输入了 20 位"),
    ("410105010503123", "15 位的旧身份证号"),
    ("41010520010503X234", "只能由数字组成"),
    ("abcdefg", "只能由数字组成"),
    (_id("41010520010230123"), "不是有效日期"),
    (_id("41010520011301123"), "不是有效日期"),
    (_id("41010520990101123"), "晚于今天"),
    ("410105200105031235", "校验不通过"),
])
def test_id_number_hints(raw: str, fragment: str) -> None:
    result = v.id_number(raw, CTX)
    assert isinstance(result, v.Retry) and fragment in result.hint
    assert raw not in result.hint


def test_yes_no() -> None:
    assert v.yes_no("1", CTX) == v.yes_no("是的", CTX) == v.Ok(True)
    assert v.yes_no("2", CTX) == v.yes_no("不是", CTX) == v.Ok(False)
    assert isinstance(v.yes_no("也许", CTX), v.Retry)


@pytest.mark.parametrize("raw,expected", [
    ("2019-05-10", "2019-05-10"), ("2019/5/10", "2019-05-10"), ("2019年5月10日", "2019-05-10"),
    ("2019.5.10", "2019-05-10"), ("201905", "2019-05-01"), ("20190510", "2019-05-10"), ("2019年3月", "2019-03-01"),
    ("2019-03", "2019-03-01"), ("2019 年 5 月 10 日", "2019-05-10"), ("２０１９－０５－１０", "2019-05-10"),
])
def test_registered_on_accepts_the_common_date_forms(raw: str, expected: str) -> None:
    # The hint itself suggests "2019-03-15": every common way of writing a date is understood.
    assert v.registered_on(raw, CTX) == v.Ok(expected)


@pytest.mark.parametrize("raw,fragment", [("2019-02-30", "不存在"), ("2019-13", "不存在"), ("五月", "例如"),
                                          ("2027-01-01", "晚于今天"), ("1900-01", "不对")])
def test_registered_on_hints(raw: str, fragment: str) -> None:
    result = v.registered_on(raw, CTX)
    assert isinstance(result, v.Retry) and fragment in result.hint


def test_birth_date_from_the_id_must_fit_the_graduation_date() -> None:
    born_2015 = _id("41010520150101123")  # 11 years old in 2026
    with_grad = v.FormContext(today=CTX.today, divisions=CTX.divisions, majors=CTX.majors,
                              values={"graduation": "2025-06"})
    young = v.id_number(born_2015, with_grad)
    assert isinstance(young, v.Retry) and "至少年满 15 周岁" in young.hint and born_2015 not in young.hint
    assert isinstance(v.id_number("410105200105031234", with_grad), v.Ok)  # 24 at graduation
    # The other way round: the ID first (sealed in the form, its birth date beside it), then the graduation.
    with_id = v.FormContext(today=CTX.today, divisions=CTX.divisions, majors=CTX.majors,
                            values={"id_number": {"enc": "x", "masked": "4101**********1234",
                                                  "birth_date": "2011-09-01"}})
    early = v.graduation("2026年6月", with_id)
    assert isinstance(early, v.Retry) and "不满 15 周岁" in early.hint
    assert v.graduation("2026年9月", with_id) == v.Ok("2026-09")  # exactly 15
    assert v.graduation("2024年6月", CTX) == v.Ok("2024-06")  # no ID known: nothing to compare
