"""The position catalogue file format (../shared/INTERFACES.md): its columns and the validation of one row.

Pure functions, no database: :func:`parse_row` turns one row (a dict keyed by column name) into a
:class:`PositionRecord`, or into the reasons, in Chinese, why the row cannot be imported. Everything that is
looked up (places, majors, title tokens) is cached per distinct cell value, so that a catalogue of a million
rows costs one look-up per distinct 城市 or 专业要求, not one per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.models import EDUCATION_LEVELS, PositionCategory
from bot.positions import features
from knowledge.divisions import MUNICIPALITIES, Division, divisions

COLUMNS: tuple[str, ...] = ("岗位编号", "单位名称", "岗位名称", "岗位类别", "专业要求", "学历要求", "省份", "城市",
                            "区县", "招募人数", "见习期限（月）", "示范岗位", "岗位描述", "联系电话")
CATEGORIES: tuple[str, ...] = tuple(c.value for c in PositionCategory)
MONTHS_RANGE = (3, 12)  # 见习时间一般为3—12个月 (人社部发〔2023〕27号)
HEADCOUNT_RANGE = (1, 9999)
# Column widths of the positions and units tables (PostgreSQL enforces them).
MAX_CODE, MAX_NAME = 32, 128

_EDUCATION_ALIASES = {
    "": "不限", "无": "不限", "学历不限": "不限", "无要求": "不限",
    "中职": "中专", "技校": "中专", "中技": "中专", "高中/中专": "中专",
    "专科": "大专", "高职": "大专", "高职高专": "大专", "大学专科": "大专",
    "大学本科": "本科", "学士": "本科",
    "研究生": "硕士", "硕士研究生": "硕士", "博士研究生": "博士",
}
_EDUCATION_SUFFIX = re.compile(r"(及以上学历|及以上|以上学历|以上|学历)$")
_TRUE = {"是", "y", "yes", "true", "1", "示范", "是的"}
_FALSE = {"", "否", "n", "no", "false", "0", "不是"}
_INT = re.compile(r"^(\d+)(?:\.0+)?\s*(?:人|名|个|个月|月)?$")
_PHONE_SEPARATORS = re.compile(r"[\s\-－—()（）]")
_PHONE_OK = re.compile(
    r"^(?:(?:\+?86)?1[3-9]\d{9}"  # mobile
    r"|0\d{9,11}"  # landline with its area code (3–4 digits + 7–8 digits)
    r"|[48]00\d{7}"  # 400 / 800 service numbers
    r"|[2-9]\d{6,7})"  # a local landline number
    r"(?:(?:转|ext\.?|#)\d{1,6})?$", re.IGNORECASE)
_CACHE_LIMIT = 200_000
_SPACE = re.compile(r"\s")


def normalise_header(name: object) -> str:
    """A header cell as written, with a BOM, spaces and half-width parentheses forgiven."""
    text = "" if name is None else str(name)
    return text.replace("\ufeff", "").strip().replace(" ", "").replace("(", "（").replace(")", "）")


def check_header(cells: list[Any]) -> tuple[list[str], list[str]]:
    """The normalised header, and what is wrong with it (missing, unknown or repeated columns)."""
    header = [normalise_header(c) for c in cells]
    problems: list[str] = []
    named = [h for h in header if h]
    missing = [c for c in COLUMNS if c not in named]
    unknown = [h for h in named if h not in COLUMNS]
    repeated = sorted({h for h in named if named.count(h) > 1}, key=named.index)
    if missing:
        problems.append("表头缺少列：" + "、".join(missing))
    if unknown:
        problems.append("表头有无法识别的列：" + "、".join(unknown))
    if repeated:
        problems.append("表头的列重复：" + "、".join(repeated))
    if problems:
        problems.append("表头须为（第 1 行）：" + ", ".join(COLUMNS))
    return header, problems


@dataclass(slots=True)
class Place:
    province_code: str
    city_code: str | None
    county_code: str | None
    province: str
    city: str | None
    district: str | None

    @property
    def code(self) -> str:
        """The most specific division code."""
        return self.county_code or self.city_code or self.province_code


@dataclass(slots=True)
class PositionRecord:
    """One position, validated, ready to be written (bot.positions.importer.PositionWriter).

    The last four fields are left None by a catalogue import (the writer then opens the position with all
    its places); the demo generator sets them.
    """

    row: int
    code: str
    unit_name: str
    title: str
    category: str
    majors_text: str
    major_codes: str
    search_tokens: str
    education: str
    place: Place
    headcount: int
    months: int
    demonstration: bool
    description: str
    phone: str | None
    status: str | None = None
    places_left: int | None = None
    opens_on: date | None = None
    closes_on: date | None = None


def cell_text(value: Any) -> str:
    """A cell as text: numbers from a spreadsheet without a trailing ``.0``, booleans as 是/否."""
    if value.__class__ is str:
        return value.strip()  # strips the ideographic space (U+3000) too
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


class RowParser:
    """Validates rows; caches every look-up per distinct value (one parser per import run)."""

    def __init__(self) -> None:
        self._places: dict[tuple[str, str, str], Place | list[str]] = {}
        self._majors: dict[str, tuple[str, str]] = {}
        self._tokens: dict[str, str] = {}
        self._simple: dict[str, dict[Any, tuple[Any, str | None]]] = {c: {} for c in _SIMPLE}

    def parse(self, row: Mapping[str, Any], row_number: int) -> PositionRecord | list[str]:
        """A validated record, or the reasons (each prefixed 第 N 行：) why the row is refused."""
        reasons = self.reasons_or_record(row)
        if isinstance(reasons, list):
            return [f"第 {row_number} 行：{r}" for r in reasons]
        reasons.row = row_number
        return reasons

    def reasons_or_record(self, row: Mapping[str, Any]) -> PositionRecord | list[str]:
        """Like :meth:`parse`, with the reasons not prefixed by the row number (the record's row is 0)."""
        get = row.get
        reasons: list[str] = []
        code = cell_text(get("岗位编号"))
        if not code:
            reasons.append("岗位编号不能为空")
        elif len(code) > MAX_CODE:
            reasons.append(f"岗位编号超过 {MAX_CODE} 个字符")
        elif _SPACE.search(code):
            reasons.append(f"岗位编号「{code}」不能包含空格")
        unit_name = cell_text(get("单位名称"))
        title = cell_text(get("岗位名称"))
        for column, text in (("单位名称", unit_name), ("岗位名称", title)):
            if not text:
                reasons.append(f"{column}不能为空")
            elif len(text) > MAX_NAME:
                reasons.append(f"{column}超过 {MAX_NAME} 个字")

        simple = self._simple
        values = []
        for column in _SIMPLE:
            raw = get(column)
            cache = simple[column]
            try:
                hit = cache.get(raw)
            except TypeError:  # an unhashable cell value
                hit = None
                raw = cell_text(raw)
            if hit is None:
                hit = _CONVERTERS[column](cell_text(raw))
                self._remember(cache, raw, hit)
            value, reason = hit
            if reason:
                reasons.append(reason)
            values.append(value)
        category, education, headcount, months, demonstration = values

        raw_majors = cell_text(get("专业要求"))
        majors = self._majors.get(raw_majors)
        if majors is None:
            names = features.split_majors(raw_majors)
            majors = ("、".join(names) or "不限", features.major_codes(raw_majors))
            self._remember(self._majors, raw_majors, majors)
        majors_text, major_codes = majors

        key = (cell_text(get("省份")), cell_text(get("城市")), cell_text(get("区县")))
        place = self._places.get(key)
        if place is None:
            place = resolve_place(*key)
            self._remember(self._places, key, place)
        if place.__class__ is list:
            reasons.extend(place)  # type: ignore[arg-type]

        description = cell_text(get("岗位描述"))
        phone = cell_text(get("联系电话")) or None
        if phone is not None:
            phone = " ".join(phone.split())
            if not _PHONE_OK.match(_PHONE_SEPARATORS.sub("", phone)):
                # Never echo the number itself: it is personal data.
                reasons.append("联系电话格式不正确（应为一个手机号或带区号的固定电话）")

        if reasons:
            return reasons
        assert isinstance(place, Place)
        tokens = self._tokens.get(title)
        if tokens is None:
            tokens = features.title_tokens(title)
            self._remember(self._tokens, title, tokens)
        return PositionRecord(row=0, code=code, unit_name=unit_name, title=title, category=category,
                              majors_text=majors_text, major_codes=major_codes, search_tokens=tokens,
                              education=education, place=place, headcount=headcount, months=months,
                              demonstration=demonstration, description=description, phone=phone)

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value


_default_parser: RowParser | None = None


def parse_row(row: Mapping[str, Any], row_number: int) -> PositionRecord | list[str]:
    """Validate one catalogue row (``row_number`` as a spreadsheet counts it: the header is row 1).

    Returns the record, or a list of reasons such as
    ``第 17 行：岗位类别「研发类」不是 科研类/技术技能类/管理类/社会服务类 之一``.
    """
    global _default_parser
    if _default_parser is None:
        _default_parser = RowParser()
    return _default_parser.parse(row, row_number)


def _category(text: str) -> tuple[str, str | None]:
    if text in CATEGORIES:
        return text, None
    if text + "类" in CATEGORIES:
        return text + "类", None
    if not text:
        return "", "岗位类别不能为空"
    return "", f"岗位类别「{text}」不是 {'/'.join(CATEGORIES)} 之一"


def _education_level(text: str) -> tuple[str, str | None]:
    level = _education(text)
    if level is None:
        return "", f"学历要求「{text}」不是 {'/'.join(EDUCATION_LEVELS)} 之一"
    return level, None


def _integer(column: str, bounds: tuple[int, int]) -> Callable[[str], tuple[int, str | None]]:
    def convert(text: str) -> tuple[int, str | None]:
        if not text:
            return 0, f"{column}不能为空"
        m = _INT.match(text)
        n = int(m.group(1)) if m else None
        if n is None or not bounds[0] <= n <= bounds[1]:
            return 0, f"{column}「{text}」应为 {bounds[0]}–{bounds[1]} 的整数"
        return n, None

    return convert


def _yes_no(text: str) -> tuple[bool, str | None]:
    key = text.lower()
    if key in _TRUE:
        return True, None
    if key in _FALSE:
        return False, None
    return False, f"示范岗位「{text}」应为 是 或 否"


# Columns with few distinct values: converted once per distinct cell.
_SIMPLE = ("岗位类别", "学历要求", "招募人数", "见习期限（月）", "示范岗位")
_CONVERTERS: dict[str, Callable[[str], tuple[Any, str | None]]] = {
    "岗位类别": _category, "学历要求": _education_level, "招募人数": _integer("招募人数", HEADCOUNT_RANGE),
    "见习期限（月）": _integer("见习期限（月）", MONTHS_RANGE), "示范岗位": _yes_no,
}


def _education(text: str) -> str | None:
    if text in EDUCATION_LEVELS:
        return text
    if text in _EDUCATION_ALIASES:
        return _EDUCATION_ALIASES[text]
    stripped = _EDUCATION_SUFFIX.sub("", text)
    if stripped != text:
        return _education(stripped)
    return None


def _find(name: str, want: str) -> list[Division]:
    """Divisions named ``name`` (or whose code it is) at level ``want``."""
    d = divisions()
    by_code = d.get(name) if name.isdigit() else None
    found = [by_code] if by_code else d.lookup(name)
    return [x for x in found if x.level == want]


def resolve_place(province: str, city: str, county: str) -> Place | list[str]:
    """省份 / 城市 / 区县 as division codes, or why they do not name one place.

    Short and full names both work (河南 / 河南省, 郑州 / 郑州市, 金水 / 金水区); a municipality's 城市 is the
    municipality itself (北京市) or empty; 区县 may be empty; a 区县 outside the 城市 is refused.
    """
    divs = divisions()
    if not province:
        return ["省份不能为空"]
    provinces = _find(province, "province")
    if not provinces:
        return [f"省份「{province}」不是有效的省级行政区名称"]
    prov = provinces[0]

    if prov.code in MUNICIPALITIES:
        if city and prov not in _find(city, "province"):
            return [f"城市「{city}」与省份「{prov.name}」不符：直辖市的城市请填写「{prov.name}」"]
        container, city_div = prov, None
        city_name: str | None = prov.name
    else:
        if not city:
            return ["城市不能为空"]
        cities = [c for c in _find(city, "city") if c.province_code == prov.code]
        if cities:
            container = city_div = cities[0]
            city_name = city_div.name
        else:
            # A county-level city directly under the province (济源市) or under a prefecture (巩义市).
            counties = [c for c in _find(city, "county") if c.province_code == prov.code]
            if counties and (not county or county == city or counties[0] in _find(county, "county")):
                c = counties[0]
                parent = divs.get(c.city_code) if c.city_code else None
                return Place(prov.code, parent.code if parent else None, c.code, prov.name,
                             parent.name if parent else c.name, c.name if parent else None)
            elsewhere = _find(city, "city") or _find(city, "county")
            if elsewhere:
                return [f"城市「{city}」不在「{prov.name}」"]
            return [f"城市「{city}」不是有效的地级市名称"]

    whole = Place(prov.code, city_div.code if city_div else None, None, prov.name, city_name, None)
    if not county or county == "市辖区":
        return whole
    counties = [c for c in _find(county, "county") if container.contains(c)]
    for suffix in ("区", "县", "市", "旗"):
        # A short name shadowed by a bigger place (朝阳 is 朝阳市 in Liaoning; in 北京 it means 朝阳区).
        if counties:
            break
        counties = [c for c in _find(county + suffix, "county") if container.contains(c)]
    if not counties and (county in (city, city_name) or (city_div and city_div in _find(county, "city"))):
        return whole  # 区县 repeats the city (郑州市 / 郑州市)
    if not counties:
        where = container.full_name
        if divs.lookup(county):
            return [f"区县「{county}」不在「{where}」内"]
        return [f"区县「{county}」不是有效的区县名称"]
    c = counties[0]
    return Place(prov.code, city_div.code if city_div else None, c.code, prov.name, city_name, c.name)


def as_row(record: PositionRecord) -> dict[str, str]:
    """The catalogue row that imports as ``record`` (for exports, test files and benchmarks)."""
    p = record.place
    return {"岗位编号": record.code, "单位名称": record.unit_name, "岗位名称": record.title, "岗位类别": record.category,
            "专业要求": record.majors_text, "学历要求": record.education, "省份": p.province, "城市": p.city or "",
            "区县": p.district or "", "招募人数": str(record.headcount), "见习期限（月）": str(record.months),
            "示范岗位": "是" if record.demonstration else "否", "岗位描述": record.description,
            "联系电话": record.phone or ""}
