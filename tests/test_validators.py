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
