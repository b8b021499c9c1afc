from __future__ import annotations

import pytest

from knowledge.divisions import divisions


@pytest.mark.parametrize("text,expected", [
    ("广州天河", ["广东省广州市天河区"]), ("海淀", ["北京市海淀区"]), ("我想回河南", ["河南省"]),
    ("长沙", ["湖南省长沙市"]), ("长沙县", ["湖南省长沙市长沙县"]), ("长春朝阳区", ["吉林省长春市朝阳区"]),
    ("浦东", ["上海市浦东新区"]), ("呼和浩特", ["内蒙古自治区呼和浩特市"]), ("今天天气", []),
])
def test_resolve(text: str, expected: list[str]) -> None:
    assert [d.full_name for d in divisions().resolve(text)] == expected


def test_ambiguous_district() -> None:
    names = {d.full_name for d in divisions().resolve("朝阳区")}
    assert names == {"北京市朝阳区", "吉林省长春市朝阳区"}


def test_counts_match_the_2023_table() -> None:
    d = divisions()
    levels = [x.level for x in d.by_code.values()]
    assert levels.count("province") == 31 and levels.count("county") > 2800


def test_banners_by_their_everyday_short_names() -> None:
    """土左旗 is 土默特左旗 (knowledge/data/divisions/aliases.csv), as people in Hohhot write it."""
    d = divisions()
    assert [x.code for x in d.resolve("我是土左旗的")] == ["150121"]
    assert [x.code for x in d.resolve("准旗这边")] == ["150622"]
    assert d.resolve("标准化建设") == []


def test_alias_naming_an_unknown_code_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from knowledge.divisions import DATA, Divisions

    for name in ("provinces.csv", "cities.csv", "areas.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "aliases.csv").write_text("alias,code,note\n土左旗,159999,typo\n", encoding="utf-8")
    with pytest.raises(ValueError, match="159999"):
        Divisions(tmp_path)


def test_six_digit_codes_of_cities_and_provinces() -> None:
    """A user's stored region is written as 6 digits ("150100"); it is the city 1501, not nothing."""
    d = divisions()
    assert d.get("150100").code == "1501"  # type: ignore[union-attr]
    assert d.get("410000").code == "41"  # type: ignore[union-attr]
    assert d.get("110108").code == "110108"  # type: ignore[union-attr]
    assert d.get("159900") is None


def test_a_county_named_by_a_common_word_needs_its_city() -> None:
    """北京郊区农村的 is Beijing, not 阳泉市郊区 or 铜陵市郊区."""
    assert [x.code for x in divisions().resolve("我是北京郊区农村的")] == ["11"]
