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
