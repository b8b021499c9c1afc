"""Reading what a graduate types: majors, places at their level, education, keywords. No database."""

from __future__ import annotations

import pytest

from bot.positions.features import major_codes, split_majors
from bot.positions.query import QUERY_ALIASES, default_parser, parse_query
from knowledge.majors import majors


def _majors(text: str) -> list[str]:
    return [m.name for m in parse_query(text).majors]


def _places(text: str) -> list[str]:
    return [d.full_name for d in parse_query(text).places]


@pytest.mark.parametrize("text,expected", [
    ("学会计的，想在广州天河附近", ["会计学"]),
    ("计算机 郑州", ["计算机科学与技术"]),
    ("计科 深圳", ["计算机科学与技术"]),
    ("大数据 杭州", ["数据科学与大数据技术"]),
    ("我是学人力资源管理的", ["人力资源管理"]),
    ("人力资源 上海浦东", ["人力资源管理"]),
    ("国贸 宁波", ["国际经济与贸易"]),
    ("电气自动化 大专 佛山", ["电气工程及其自动化"]),
    ("计算机类 南京", ["计算机类"]),
    ("学环境工程的", ["环境工程"]),
    ("工作环境好一点的", []),
    ("我想回河南", []),
])
def test_majors_names_and_short_forms(text: str, expected: list[str]) -> None:
    assert _majors(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("本科，学软件工成的，想去成都", "软件工程"),
    ("数据科学与大数剧技术 北京海淀", "数据科学与大数据技术"),
    ("计算机科学与技朮 杭州", "计算机科学与技术"),
    ("市场营消 广州", "市场营销"),
    ("会记 武汉", "会计学"),
    ("机械设计制造 苏州", "机械设计制造及其自动化"),
])
def test_majors_with_typos(text: str, expected: str) -> None:
    assert _majors(text) == [expected]


def test_major_codes_and_groups() -> None:
    q = parse_query("数据科学与大数据技术")
    assert q.majors[0].code == "080910" and q.majors[0].group == "计算机类" and q.majors[0].group_code == "0809"
    group = parse_query("计算机类").majors[0]
    assert group.is_group and group.code == "0809"


@pytest.mark.parametrize("text,expected", [
    ("学会计的，想在广州天河附近", ["广东省广州市天河区"]),
    ("计算机 郑州", ["河南省郑州市"]),
    ("我想回河南", ["河南省"]),
    ("北京朝阳 软件", ["北京市朝阳区"]),
    ("长春朝阳区", ["吉林省长春市朝阳区"]),
    ("长春朝阳", ["吉林省长春市朝阳区"]),
    ("辽宁朝阳", ["辽宁省朝阳市"]),
    ("天河 会计", ["广东省广州市天河区"]),
    ("浦东", ["上海市浦东新区"]),
    ("开封鼓楼", ["河南省开封市鼓楼区"]),
    ("中山 会计", ["广东省中山市"]),
    ("英语 大连中山区", ["辽宁省大连市中山区"]),
    ("郑州大学毕业，想去广州", ["广东省广州市"]),
    ("中山大学毕业的，学会计，想去珠海", ["广东省珠海市"]),
    ("金融 广州或者深圳", ["广东省广州市", "广东省深圳市"]),
    ("会计", []),
])
def test_places_at_their_level(text: str, expected: list[str]) -> None:
    assert _places(text) == expected


def test_levels() -> None:
    assert [d.level for d in parse_query("河南").places] == ["province"]
    assert [d.level for d in parse_query("郑州").places] == ["city"]
    assert [d.level for d in parse_query("郑州金水").places] == ["county"]


def test_ambiguous_place_gives_candidates() -> None:
    q = parse_query("软件工程 朝阳区")
    assert q.place_ambiguous and not q.places
    assert {d.code for d in q.clarify} == {"110105", "220104"}
    assert q.ambiguous_names == ("朝阳区",)
    assert [m.name for m in q.majors] == ["软件工程"]
    assert len(parse_query("鼓楼区 护理").clarify) == 4


def test_places_not_wanted() -> None:
    q = parse_query("不想去深圳，想在广州做会计")
    assert [d.full_name for d in q.places] == ["广东省广州市"]
    assert [d.full_name for d in q.excluded] == ["广东省深圳市"]
    q = parse_query("除了广州，广东哪里有会计岗位")
    assert [d.code for d in q.places] == ["44"] and [d.code for d in q.excluded] == ["4401"]


@pytest.mark.parametrize("text,expected", [
    ("本科 会计", "本科"), ("大专学历", "大专"), ("专科", "大专"), ("我是研究生", "硕士"), ("硕士", "硕士"),
    ("博士", "博士"), ("中专", "中专"), ("专升本", "本科"), ("会计", None),
])
def test_education(text: str, expected: str | None) -> None:
    assert parse_query(text).education == expected


def test_keywords_and_no_major() -> None:
    q = parse_query("出纳 郑州")
    assert q.keywords == ("出纳",) and not q.majors
    assert "文员" in parse_query("想找个文员的工作 长沙").keywords
    q = parse_query("专业不限 广州")
    assert q.any_major and not q.majors
    assert parse_query("").empty


def test_describe() -> None:
    assert parse_query("学会计的，本科，想在广州天河").describe() == "会计学 · 广东省广州市天河区 · 本科"


def test_form_fields() -> None:
    parser = default_parser()
    assert parser.major("会计").name == "会计学"  # type: ignore[union-attr]
    assert parser.major("计算机类").code == "0809"  # type: ignore[union-attr]
    assert parser.major("软件工成").name == "软件工程"  # type: ignore[union-attr]
    assert parser.major("火星学") is None
    assert parser.place("440106")[0][0].full_name == "广东省广州市天河区"
    assert parser.place("广州天河")[0][0].code == "440106"
    places, ambiguous = parser.place("朝阳区")
    assert not places and {d.code for d in ambiguous} == {"110105", "220104"}
    assert parser.place("火星") == ([], [])


def test_aliases_point_into_the_catalogue() -> None:
    names = set(majors().names)
    missing = {alias: target for alias, target in QUERY_ALIASES.items() if target not in names}
    assert not missing


@pytest.mark.parametrize("cell,codes", [
    ("计算机科学与技术、软件工程", "080901 080902"),
    ("会计学,财务管理", "120203 120204"),  # 120203K stored without its marker
    ("计算机类", "0809"),
    ("计算机相关专业", "0809"),
    ("金融类专业", "0203"),
    ("会计、审计等专业", "120203 120207"),
    ("数据科学与大数据技术", "080910"),
    ("不限", ""),
    ("专业不限", ""),
])
def test_features_major_codes(cell: str, codes: str) -> None:
    assert major_codes(cell) == codes


def test_features_split() -> None:
    assert split_majors("汉语言文学等相关专业") == ["汉语言文学"]
    assert split_majors("不限") == []


@pytest.mark.parametrize("text,expected", [
    ("内蒙 会计", ["内蒙古自治区"]),
    ("想去内蒙", ["内蒙古自治区"]),
    ("呼市 会计", ["内蒙古自治区呼和浩特市"]),
    ("锡盟 护理", ["内蒙古自治区锡林郭勒盟"]),
    ("乌市 计算机", ["新疆维吾尔自治区乌鲁木齐市"]),
    ("哈市 会计", ["黑龙江省哈尔滨市"]),
    ("西双版纳 旅游", ["云南省西双版纳傣族自治州"]),
    ("黔东南州 会计", ["贵州省黔东南苗族侗族自治州"]),
    ("恩施州", ["湖北省恩施土家族苗族自治州"]),
    ("黔西 会计", ["贵州省毕节市黔西市"]),  # the county-level city, not 黔西南州
    ("呼和 会计", ["内蒙古自治区呼和浩特市"]),  # the beginning of a city's name
    ("航空港 会计", ["河南省郑州市郑州航空港经济综合实验区"]),
    ("内蒙古 呼市", ["内蒙古自治区呼和浩特市"]),
])
def test_short_forms_of_provinces_and_cities(text: str, expected: list[str]) -> None:
    q = parse_query(text)
    assert _places(text) == expected and not q.unknown_places
    assert not set(q.keywords) & {"内蒙", "呼市", "锡盟", "乌市", "哈市", "航空港"}


@pytest.mark.parametrize("text,unknown", [
    ("香港 会计", ("香港",)),
    ("澳门", ("澳门",)),
    ("台湾 会计", ("台湾",)),
    ("雄安 会计", ("雄安",)),
    ("雄安新区 软件工程", ("雄安新区",)),  # not 保定市安新县 from the 安新 inside it
    ("想去东北做会计", ("东北",)),
    ("广洲市 会计", ("广洲市",)),  # a typo that looks like a city
    ("想去美国", ("美国",)),
])
def test_places_the_division_table_does_not_have_are_reported(text: str, unknown: tuple[str, ...]) -> None:
    q = parse_query(text)
    assert q.unknown_places == unknown and not q.places and not q.clarify
    assert not set(q.keywords) & set(unknown) and not q.empty


def test_unknown_place_next_to_a_known_one_and_schools() -> None:
    q = parse_query("香港或者深圳 会计")
    assert [d.full_name for d in q.places] == ["广东省深圳市"] and q.unknown_places == ("香港",)
    q = parse_query("香港大学毕业，想去广州")  # a school, not a wish
    assert [d.full_name for d in q.places] == ["广东省广州市"] and not q.unknown_places
    assert not parse_query("不想去香港，想在广州").unknown_places
    assert not parse_query("出纳 郑州").unknown_places and not parse_query("华夏 会计 广州").unknown_places
    assert default_parser().unlisted("香港") == ["香港"] and default_parser().unlisted("火星") == []


def test_short_name_of_a_city_and_of_districts_elsewhere_is_asked() -> None:
    """朝阳 is 辽宁省朝阳市 and, as short, 北京市朝阳区 and 长春市朝阳区: asked like 朝阳区, not guessed."""
    q = parse_query("朝阳 会计")
    assert not q.places and {d.code for d in q.clarify} == {"2113", "110105", "220104"}
    assert q.ambiguous_names == ("朝阳",)
    assert _places("北京朝阳 会计") == ["北京市朝阳区"] and _places("辽宁朝阳") == ["辽宁省朝阳市"]
    assert _places("朝阳市") == ["辽宁省朝阳市"] and _places("长春朝阳") == ["吉林省长春市朝阳区"]
    places, ambiguous = default_parser().place("朝阳")
    assert not places and {d.code for d in ambiguous} == {"2113", "110105", "220104"}
    # a district elsewhere of a city's short name that is neither in a municipality nor in a capital: the city
    assert _places("西安 会计") == ["陕西省西安市"] and _places("中山 会计") == ["广东省中山市"]
    assert _places("河北 会计") == ["河北省"]
