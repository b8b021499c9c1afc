"""Pure pieces of host units: the credit-code checksum (GB 32100-2015), the region's criteria with their
sources from the knowledge base, the 见习基地 validity date, the trainee cap and ids typed by people."""

from __future__ import annotations

from datetime import date

import pytest

from bot.units.criteria import assess, trainee_cap
from bot.units.service import MAX_ID, parse_id, years_later
from bot.validators import (
    _CREDIT_WEIGHTS,
    CREDIT_ALPHABET,
    FormContext,
    Ok,
    Retry,
    credit_check_char,
    credit_code,
)
from knowledge.divisions import divisions
from knowledge.majors import majors

CTX = FormContext(today=date(2026, 11, 22), divisions=divisions(), majors=majors())
# Published codes of well-known companies (public registry data, no personal information).
PUBLISHED = ["9144030071526726XG", "91330100799655058B", "91110108551385082Q", "91350100M000100Y43"]


def test_weights_and_alphabet_follow_the_standard() -> None:
    assert _CREDIT_WEIGHTS == tuple(3**i % 31 for i in range(17))
    assert len(CREDIT_ALPHABET) == 31 and not set("IOZSV") & set(CREDIT_ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass(code: str) -> None:
    assert credit_check_char(code[:17]) == code[17]
    assert credit_code(code, CTX) == Ok(code)
    assert credit_code(" " + code.lower() + " ", CTX) == Ok(code)  # lower case and spaces are forgiven


def test_full_width_input_is_normalised() -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in PUBLISHED[0])
    assert credit_code(full, CTX) == Ok(PUBLISHED[0])


@pytest.mark.parametrize(("raw", "fragment"), [
    (PUBLISHED[0][:-1], "18 位"),
    (PUBLISHED[0] + "1", "18 位"),
    (PUBLISHED[0][:-1] + "H", "校验不通过"),
    ("9144030071526726" + "XG"[::-1], "校验不通过"),  # two characters swapped
    ("91440300715267I6XG", "不会出现“I”"),
    ("", "18 位"),
])
def test_bad_codes_get_a_hint(raw: str, fragment: str) -> None:
    result = credit_code(raw, CTX)
    assert isinstance(result, Retry) and fragment in result.hint


def test_changsha_base_criteria_cite_the_notice() -> None:
    a = assess("430104", insured=45, registered_on=date(2018, 5, 1), wants_base=True, today=date(2026, 11, 22))
    text = a.text()
    assert a.meets and a.base_valid_years == 3
    assert "经营3年以上（已成立8年）：符合（长人社规〔2024〕4号 二（七））" in text
    assert "30人以上（申报45人）：符合" in text
    assert "不少于10个见习岗位：承诺（长人社规〔2024〕4号 二（二））" in text
    assert "不超过同期参保人数的30%（按申报人数最多13人）" in text
    assert "有效期3年" in text and "放宽" not in text


def test_changsha_base_just_short_of_three_years() -> None:
    a = assess("4301", insured=30, registered_on=date(2023, 11, 23), wants_base=True, today=date(2026, 11, 22))
    assert not a.meets and "已成立2年）：不符合" in a.text() and "30人以上（申报30人）：符合" in a.text()
    assert "放宽" in a.text()  # the notice lets some units be recognised anyway


def test_no_numbers_where_the_notices_set_none() -> None:
    for region in ("440106", "110108"):
        a = assess(region, insured=5, registered_on=date(2026, 1, 1), wants_base=True, today=date(2026, 11, 22))
        assert a.meets and a.base_valid_years is None and "不符合" not in a.text()
    plain = assess("430104", insured=5, registered_on=date(2026, 1, 1), wants_base=False, today=date(2026, 11, 22))
    assert plain.meets and "30人以上" not in plain.text()  # a plain 见习单位 is not held to the base's numbers


def test_trainee_cap_only_for_changsha_bases() -> None:
    assert trainee_cap("430104", is_base=True, insured=45) == (13, 0.3, "长人社规〔2024〕4号 二（二）")
    assert trainee_cap("430104", is_base=False, insured=45) is None
    assert trainee_cap("440106", is_base=True, insured=45) is None
    assert trainee_cap("430104", is_base=True, insured=None) is None


def test_years_later() -> None:
    assert years_later(date(2026, 1, 31), 3) == date(2029, 1, 31)
    assert years_later(date(2028, 2, 29), 3) == date(2031, 2, 28)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 7 ", 7), ("0", None), ("-1", None), ("²", None), ("١٢", None), ("", None),
    (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("9" * 30, None),
])
def test_parse_id(raw: str, expected: int | None) -> None:
    assert parse_id(raw) == expected
