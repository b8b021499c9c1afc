"""Monthly minimum wages (月最低工资标准) by place and date, from ``knowledge/data/min_wage.csv``.

The table is kept as data so officials can correct and extend it without a release: set
``JIANXI_MIN_WAGE_CSV`` to their copy (else the packaged file is used); it is re-read whenever the file
changes (mtime or size), and every row is validated: a bad row raises ``MinWageTableError`` naming the
line, in Chinese. ``python -m knowledge.calculators.min_wage [path]`` checks a file by hand.

Columns: ``province,scope,monthly_yuan,effective_from,source,certainty``. ``scope`` is one of

* ``全市`` / ``全省`` / ``全区``: the whole province-level region (北京市);
* a place: ``广州市`` (a city or county of that province);
* a tier with the places it covers: ``二档(长沙县 浏阳市 宁乡市)``; ``长沙市区`` means the 区 of 长沙市;
* a bare tier: ``一类`` — the table does not say which counties are in it (河南, 内蒙古). A place whose
  tier is unknown gets every tier of its province back, and the caller must ask which one applies.

``source`` may be ``同上`` (same as the row above). Tiers are per county (长沙县 is not 长沙市区), so a
place is looked up by county, then city, then province; the standard in force on a date is the row with
the latest ``effective_from`` on or before it.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from knowledge.divisions import Division, Divisions, divisions

log = logging.getLogger(__name__)

ENV_VAR = "JIANXI_MIN_WAGE_CSV"
DEFAULT_CSV = Path(__file__).resolve().parent.parent / "data" / "min_wage.csv"
COLUMNS = ("province", "scope", "monthly_yuan", "effective_from", "source", "certainty")
_WHOLE_REGION = {"全市", "全省", "全区", "全自治区"}
_TIER = re.compile(r"^[一二三四五六七八九十]+(类|档)(区|地区)?$")
_SCOPE = re.compile(r"^(?P<head>[^()（）]+?)\s*(?:[(（](?P<places>[^()（）]*)[)）])?$")
_SPLIT = re.compile(r"[\s、，,;；/]+")
# certainty values that mean the amount and date were read in an official text
_VERIFIED = {"cited", "official text", "official", "官方文本", "已核实", "文件原文"}

MatchLevel = Literal["county", "city", "province", "counties", "tiers", "none"]


class MinWageTableError(ValueError):
    """The minimum-wage table does not validate; the message names the file and the line."""


STATED = "stated"  # certainty of a standard the user gave


@dataclass(frozen=True)
class WageRule:
    """One row of the table: a monthly minimum wage for some places from a date."""

    province_code: str
    province: str
    scope: str  # as written in the table
    tier: str  # "一类", "二档", "全市", or the place itself ("广州市")
    places: tuple[str, ...]  # division codes the row names; () when the table does not say
    monthly_yuan: Decimal
    effective_from: date
    source: str  # as written ("同上" resolved)
    certainty: str
    line: int

    @property
    def is_tier(self) -> bool:
        """A numbered tier (一类, 二档), as opposed to a single place or the whole region."""
        return bool(_TIER.match(self.tier))

    @property
    def verified(self) -> bool:
        return self.certainty.strip().lower() in _VERIFIED

    @property
    def label(self) -> str:
        """Who the standard is for, in Chinese: 河南省一类地区, 北京市, 广东省广州市, 湖南省二档地区（长沙县 …）."""
        if self.tier in _WHOLE_REGION:
            return self.province
        if not self.is_tier:
            return self.province + self.tier
        name = self.province + self.tier + ("" if self.tier.endswith("区") else "地区")
        inner = _SCOPE.match(self.scope)
        listed = inner.group("places") if inner else None
        return f"{name}（{listed.strip()}）" if listed and listed.strip() else name

    @property
    def amount(self) -> str:
        return yuan(self.monthly_yuan)

    @property
    def stated(self) -> bool:
        """A standard the user gave in the question ("最低工资按1980算"), not a row of the table."""
        return self.certainty == STATED

    def basis(self) -> str:
        """The sentence every amount computed from this rule carries."""
        if self.stated:
            return f"按您给出的月最低工资标准{self.amount}元计算，实际标准以当地人社部门核定为准"
        return (f"按{self.label}月最低工资标准{self.amount}元（自 {self.effective_from.isoformat()} 起）计算，"
                "以当地人社部门核定为准")

    def source_label(self) -> str:
        """The source without the table's English remarks in brackets."""
        text = re.sub(r"\s*[(（][^()（）]*[A-Za-z][^()（）]*[)）]", "", self.source).strip()
        return text or self.source

    def caveat(self) -> str:
        """How sure the table is of this row, in Chinese ('' when read in an official text)."""
        c = self.certainty.strip().lower()
        if self.verified:
            return ""
        if "date" in c or "日期" in c:
            return "生效日期未经核实"
        if "secondary" in c or "二手" in c:
            return "来源为二手报道，未经官方文本核实"
        if "unverified" in c or "未核实" in c or "未经核实" in c:
            return "仅见第三方资料，未经核实"
        return "未经官方文本核实"

    def provenance(self) -> str:
        """最低工资标准来源：…（caveat）."""
        if self.stated:
            return ""
        note = self.caveat()
        return f"{self.source_label()}" + (f"，{note}" if note else "")


@dataclass(frozen=True)
class WageMatch:
    """The standard(s) in force for a place on a date, and how they were found."""

    division_code: str
    on: date
    rules: tuple[WageRule, ...]
    level: MatchLevel

    @property
    def determined(self) -> bool:
        """One standard, found for the place itself (not a list of tiers to choose from)."""
        return len(self.rules) == 1 and self.level not in ("tiers", "none")

    @property
    def needs_tier(self) -> bool:
        return len(self.rules) > 1 or self.level == "tiers"


def yuan(amount: Decimal) -> str:
    """2100 → '2100'; 1589.50 → '1589.5'; to the fen at most."""
    q = amount.quantize(Decimal("0.01"))
    text = format(q, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class WageTable:
    """The validated rows, indexed by the division codes they name (their scope)."""

    def __init__(self, rules: Iterable[WageRule], path: Path | None = None,
                 places: Divisions | None = None) -> None:
        self.rules: tuple[WageRule, ...] = tuple(sorted(rules, key=lambda r: (r.province_code, r.tier,
                                                                              r.effective_from)))
        self.path = path
        self.places = places or divisions()
        self.by_scope: dict[str, list[WageRule]] = {}
        self.by_province: dict[str, list[WageRule]] = {}
        for r in self.rules:
            self.by_province.setdefault(r.province_code, []).append(r)
            for code in r.places:
                self.by_scope.setdefault(code, []).append(r)

    # --- queries ------------------------------------------------------------------------------
    def in_force(self, on: date, province_code: str | None = None) -> list[WageRule]:
        """The latest row on or before ``on`` of every (province, tier) series."""
        latest: dict[tuple[str, str], WageRule] = {}
        pool = self.by_province.get(province_code, []) if province_code else self.rules
        for r in pool:
            if r.effective_from > on:
                continue
            key = (r.province_code, r.tier)
            if key not in latest or r.effective_from > latest[key].effective_from:
                latest[key] = r
        return sorted(latest.values(), key=lambda r: (r.province_code, _tier_order(r.tier), r.tier))

    def tier_rule(self, province_code: str, tier: str, on: date) -> WageRule | None:
        """The standard of a named tier (自治区一类区) in force on ``on``."""
        want = _bare_tier(tier)
        for r in self.in_force(on, province_code):
            if r.is_tier and _bare_tier(r.tier) == want:
                return r
        return None

    def tiers(self, province_code: str, on: date) -> list[WageRule]:
        """Every numbered tier of a province in force on ``on``."""
        return [r for r in self.in_force(on, province_code) if r.is_tier]

    def match(self, division_code: str, on: date) -> WageMatch:
        """The standard for a place: by county, then city, then province; else the province's tiers."""
        d = self.places.get(division_code)
        if d is None:
            raise KeyError(f"未知的区划代码：{division_code}")
        current = self.in_force(on, d.province_code)
        chain: list[tuple[MatchLevel, str]] = []
        if d.level == "county":
            chain.append(("county", d.code))
        if d.level in ("county", "city") and (d.city_code or d.level == "city"):
            chain.append(("city", d.city_code or d.code))
        chain.append(("province", d.province_code))
        for level, code in chain:
            if level == "province" and d.level == "city":
                found = self._by_counties(d, current)
                if found:
                    return WageMatch(d.code, on, tuple(found), "counties")
            hits = _newest([r for r in current if code in r.places])
            if hits:
                return WageMatch(d.code, on, tuple(hits), level)
        tiers = [r for r in current if r.is_tier]
        return WageMatch(d.code, on, tuple(tiers), "tiers" if tiers else "none")

    def lookup(self, division_code: str, on: date) -> list[WageRule]:
        return list(self.match(division_code, on).rules)

    def tiers_of(self, division_code: str, on: date) -> list[str]:
        """The tier name(s) the table gives a place on ``on`` ([] when it does not say)."""
        m = self.match(division_code, on)
        return [] if m.level in ("tiers", "none") else [r.tier for r in m.rules]

    def _by_counties(self, city: Division, current: list[WageRule]) -> list[WageRule]:
        """For a city named without its county: the standards of its counties, if the table covers all."""
        counties = [c for c in self.places.by_code.values() if c.level == "county" and c.city_code == city.code]
        if not counties:
            return []
        found: list[WageRule] = []
        for c in counties:
            hits = _newest([r for r in current if c.code in r.places])
            if not hits:
                return []
            for h in hits:
                if h not in found:
                    found.append(h)
        return sorted(found, key=lambda r: (_tier_order(r.tier), r.tier))


def _newest(rules: list[WageRule]) -> list[WageRule]:
    """Of several rows naming the same place, those of the latest adjustment (a newer one supersedes)."""
    if not rules:
        return []
    top = max(r.effective_from for r in rules)
    return [r for r in rules if r.effective_from == top]


_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _tier_order(tier: str) -> int:
    m = _TIER.match(tier)
    if not m:
        return 0
    return sum(_CN_DIGIT.get(ch, 0) for ch in tier[: m.start(1)])


def _bare_tier(tier: str) -> str:
    """一类区 / 一类地区 / 一类 → 一类."""
    return re.sub(r"(地区|区)$", "", tier.strip())


# --- loading and validation -------------------------------------------------------------------
def _decode(raw: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise MinWageTableError(f"最低工资表 {path}：文件编码无法识别，请另存为 UTF-8 编码的 CSV")


def parse_table(text: str, path: Path, places: Divisions | None = None) -> WageTable:
    """Validate and index the CSV text; raises MinWageTableError naming the first bad line."""
    places = places or divisions()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise MinWageTableError(f"最低工资表 {path} 第1行（表头）：缺少列 {'、'.join(missing)}；"
                                f"表头应为 {','.join(COLUMNS)}")
    reader.fieldnames = header
    rules: list[WageRule] = []
    seen: dict[tuple[str, str, date], int] = {}
    place_seen: dict[tuple[str, date], tuple[int, str]] = {}
    previous_source: str | None = None
    for row in reader:
        line = reader.line_num
        values = {k: (row.get(k) or "").strip() for k in COLUMNS}
        if not any(values.values()):
            continue

        def bad(msg: str, line: int = line) -> MinWageTableError:
            return MinWageTableError(f"最低工资表 {path} 第{line}行：{msg}")

        if None in row and any((v or "").strip() for v in row[None]):
            raise bad("列数多于表头，请检查是否多了逗号（金额不要写千位分隔符）")
        for col in COLUMNS:
            if not values[col]:
                raise bad(f"“{col}”列为空")
        province = _province(values["province"], places)
        if province is None:
            raise bad(f"省份“{values['province']}”不是省级行政区的名称（应写全称，如“河南省”）")
        tier, codes = _scope(values["scope"], province, places, bad)
        try:
            amount = Decimal(values["monthly_yuan"].replace("元", ""))
        except InvalidOperation:
            raise bad(f"月最低工资“{values['monthly_yuan']}”不是数字") from None
        if not amount.is_finite() or amount <= 0 or amount >= 100000:
            raise bad(f"月最低工资“{values['monthly_yuan']}”不在合理范围（应为正的月工资元数）")
        try:
            effective = date.fromisoformat(values["effective_from"])
        except ValueError:
            raise bad(f"生效日期“{values['effective_from']}”格式不对，应为 YYYY-MM-DD，如 2025-12-01") from None
        source = values["source"]
        if source == "同上":
            if previous_source is None:
                raise bad("来源写了“同上”，但上面没有可沿用的行")
            source = previous_source
        previous_source = source
        key = (province.code, tier, effective)
        if key in seen:
            raise bad(f"与第{seen[key]}行重复（{province.name}{tier}，生效日期 {effective.isoformat()}）")
        seen[key] = line
        for code in codes:
            other = place_seen.get((code, effective))
            if other and other[1] != tier:
                name = places.by_code[code].full_name
                raise bad(f"{name}在同一生效日期（{effective.isoformat()}）已出现在第{other[0]}行（{other[1]}），"
                          "一个地区只能属于一档")
            place_seen[(code, effective)] = (line, tier)
        rules.append(WageRule(province.code, province.name, values["scope"], tier, codes, amount, effective,
                              source, values["certainty"], line))
    if not rules:
        raise MinWageTableError(f"最低工资表 {path}：没有数据行")
    return WageTable(rules, path, places)


def _province(name: str, places: Divisions) -> Division | None:
    found = [d for d in places.lookup(name) if d.level == "province"]
    return found[0] if len(found) == 1 else None


def _scope(scope: str, province: Division, places: Divisions,
           bad: Callable[[str], MinWageTableError]) -> tuple[str, tuple[str, ...]]:
    m = _SCOPE.match(scope)
    if not m:
        raise bad(f"范围“{scope}”看不懂：应为“全市”、地名（如“广州市”）、档次（如“一类”）或“二档(长沙县 浏阳市)”")
    head, listed = m.group("head").strip(), m.group("places")
    if head in _WHOLE_REGION:
        if listed:
            raise bad(f"范围“{scope}”：“{head}”后面不应再列地名")
        return head, (province.code,)
    if _TIER.match(head):
        names = [n for n in _SPLIT.split(listed or "") if n]
        codes: list[str] = []
        for n in names:
            for c in _place_codes(n, province, places, bad):
                if c not in codes:
                    codes.append(c)
        return head, tuple(codes)
    if listed:
        raise bad(f"范围“{scope}”：括号前应为档次（如“二类”），“{head}”不是档次")
    return head, tuple(_place_codes(head, province, places, bad))


def _place_codes(name: str, province: Division, places: Divisions,
                 bad: Callable[[str], MinWageTableError]) -> list[str]:
    if name.endswith("市区") and len(name) > 2:
        city = [d for d in places.lookup(name[:-1]) if d.level == "city" and d.province_code == province.code]
        if len(city) == 1:
            districts = [d.code for d in places.by_code.values()
                         if d.level == "county" and d.city_code == city[0].code and d.name.endswith("区")]
            if districts:
                return sorted(districts)
    found = [d for d in places.lookup(name) if d.province_code == province.code and d.level != "province"]
    if not found:
        raise bad(f"地名“{name}”在{province.name}找不到（请写区划名称，如“长沙县”“珠海”）")
    if len(found) > 1:
        raise bad(f"地名“{name}”在{province.name}有多个：{'、'.join(d.full_name for d in found)}，请写全称")
    return [found[0].code]


def load_table(path: Path | str) -> WageTable:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise MinWageTableError(f"最低工资表文件不存在：{p}") from None
    return parse_table(_decode(raw, p), p)


def table_path() -> Path:
    """The table in use: ``$JIANXI_MIN_WAGE_CSV`` when set, else the packaged CSV."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env) if env else DEFAULT_CSV


_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int], WageTable]] = {}


def current_table() -> WageTable:
    """The table, re-read when its file (or ``$JIANXI_MIN_WAGE_CSV``) changed since the last read."""
    path = table_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MinWageTableError(f"最低工资表文件不存在：{path}") from None
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        hit = _cache.get(path)
        if hit and hit[0] == stamp:
            return hit[1]
        table = load_table(path)
        _cache[path] = (stamp, table)
        if hit:
            log.info("最低工资表已重新读取：%s（%d 行）", path, len(table.rules))
        return table


def lookup(division_code: str, on: date) -> list[WageRule]:
    """The standard(s) in force for a place on a date (one when known; every candidate tier when not)."""
    return current_table().lookup(division_code, on)


def match(division_code: str, on: date) -> WageMatch:
    return current_table().match(division_code, on)


def main(argv: list[str] | None = None) -> int:
    """Check a table by hand: ``python -m knowledge.calculators.min_wage [path]``."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else table_path()
    try:
        table = load_table(path)
    except MinWageTableError as exc:
        print(f"错误：{exc}")
        return 1
    print(f"{path}：{len(table.rules)} 行，校验通过")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
