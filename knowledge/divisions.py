"""China's administrative divisions (国家统计局 2023 codes): look up a place by any of its names.

A province (2-digit code), a prefecture city (4) or a county / district (6) can be named in full
("广州市天河区", "天河区") or short ("天河", "广州", "河南"); names shared by several divisions
(朝阳区: 北京 and 长春) come back as several candidates for the caller to ask about.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

DATA = Path(__file__).parent / "data" / "divisions"
Level = Literal["province", "city", "county"]
_RANK = {"province": 0, "city": 1, "county": 2}
LEVEL_LABEL = {"province": "省级", "city": "市级", "county": "区县级"}
MUNICIPALITIES = {"11", "12", "31", "50"}
_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")
_CITY_SUFFIX = re.compile(r"(市|地区|盟)$")
_COUNTY_SUFFIX = re.compile(r"(新区|区|县|市|旗|自治县|自治旗|林区|特区)$")
# Short names too common as ordinary words to count as a place on their own.
_GENERIC_SHORTS = {"城区", "郊区", "新区", "矿区", "市中", "东方", "开发", "高新", "经济", "中心", "城中", "白云"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: Level
    province_code: str
    city_code: str | None  # None for a province; for a county in a municipality: None
    full_name: str

    def contains(self, other: Division) -> bool:
        return other.code.startswith(self.code) and other.code != self.code

    @property
    def province_name(self) -> str:
        return divisions().by_code[self.province_code].name


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    candidates: tuple[Division, ...]


class Divisions:
    def __init__(self, data_dir: Path = DATA) -> None:
        self.by_code: dict[str, Division] = {}
        self.aliases: dict[str, list[Division]] = {}
        provinces = _read(data_dir / "provinces.csv")
        cities = _read(data_dir / "cities.csv")
        areas = _read(data_dir / "areas.csv")
        pnames = {r["code"]: r["name"] for r in provinces}
        cnames = {r["code"]: r["name"] for r in cities}
        for r in provinces:
            self._add(Division(r["code"], r["name"], "province", r["code"], None, r["name"]),
                      _short(r["name"], _PROVINCE_SUFFIX))
        for r in cities:
            if r["name"] in _PLACEHOLDER_CITIES:
                continue
            pname = pnames[r["provinceCode"]]
            self._add(Division(r["code"], r["name"], "city", r["provinceCode"], r["code"], pname + r["name"]),
                      _city_short(r["name"]))
        for r in areas:
            pcode, ccode = r["provinceCode"], r["cityCode"]
            cname = cnames.get(ccode, "")
            if cname in _PLACEHOLDER_CITIES:
                full = pnames[pcode] + r["name"]
                city_code = None
            else:
                full = pnames[pcode] + cname + r["name"]
                city_code = ccode
            if r["name"] == "市辖区":
                continue
            self._add(Division(r["code"], r["name"], "county", pcode, city_code, full),
                      _short(r["name"], _COUNTY_SUFFIX))
        # Short names in everyday use that no suffix rule yields (土左旗 for 土默特左旗); curated, correctable data.
        alias_file = data_dir / "aliases.csv"
        for r in _read(alias_file) if alias_file.exists() else []:
            d = self.by_code.get(r["code"])
            if d is None:
                raise ValueError(f"{alias_file.name}: alias {r['alias']!r} names unknown code {r['code']!r}")
            if d not in self.aliases.get(r["alias"], []):
                self.aliases.setdefault(r["alias"], []).append(d)
        self.max_alias_len = max(len(a) for a in self.aliases)

    def _add(self, d: Division, short: str | None) -> None:
        self.by_code[d.code] = d
        for alias in {d.name, short} - {None, ""}:
            assert alias is not None
            if (alias != d.name or d.level == "county") and (len(alias) < 2 or alias in _GENERIC_SHORTS):
                # 北京郊区 is no 阳泉市郊区: a county named only by a common word is found with its city.
                continue
            # A short name never shadows a higher-level division's name (长沙 is 长沙市, not 长沙县).
            if alias != d.name and any(_RANK[o.level] < _RANK[d.level] for o in self.aliases.get(alias, [])):
                continue
            self.aliases.setdefault(alias, []).append(d)

    def get(self, code: str) -> Division | None:
        """The division of a code; a 6-digit code of a city or province ("150100", "410000") is read as its
        4- or 2-digit one, as the stored regions of users are written."""
        found = self.by_code.get(code)
        if found is None and len(code) == 6 and code.endswith("00"):
            found = self.by_code.get(code[:4]) or (self.by_code.get(code[:2]) if code.endswith("0000") else None)
        return found

    def lookup(self, name: str) -> list[Division]:
        """Every division with this name or short name, provinces before cities before counties."""
        found = self.aliases.get(name.strip(), [])
        order = {"province": 0, "city": 1, "county": 2}
        return sorted(found, key=lambda d: (order[d.level], d.code))

    def mentions(self, text: str) -> list[Mention]:
        """Places named in ``text``, longest match first, left to right."""
        out: list[Mention] = []
        i = 0
        while i < len(text):
            for length in range(min(self.max_alias_len, len(text) - i), 1, -1):
                piece = text[i : i + length]
                if piece in self.aliases:
                    out.append(Mention(i, i + length, piece, tuple(self.lookup(piece))))
                    i += length
                    break
            else:
                i += 1
        return out

    def resolve(self, text: str) -> list[Division]:
        """The most specific place(s) the text names; several when it is ambiguous.

        "长春朝阳区" → 长春市朝阳区; "朝阳区" → 北京市朝阳区 and 长春市朝阳区; "广州天河" → 广州市天河区;
        "土左旗" (aliases.csv) → 呼和浩特市土默特左旗.
        """
        return self.narrow(self.mentions(text))

    def narrow(self, found: list[Mention]) -> list[Division]:
        """The most specific place(s) a set of mentions names (see :meth:`resolve`)."""
        if not found:
            return []
        chosen: list[Division] = []
        # Candidates of each mention, narrowed by the other mentions (a city narrows its districts).
        pools = [list(m.candidates) for m in found]
        for idx, pool in enumerate(pools):
            others = [d for j, p in enumerate(pools) if j != idx for d in p]
            narrowed = [d for d in pool if any(o.contains(d) for o in others)]
            if narrowed:
                pools[idx] = narrowed
        # Keep the most specific level present; drop candidates that merely contain another candidate.
        flat = [d for pool in pools for d in pool]
        for d in flat:
            if any(d.contains(o) for o in flat):
                continue
            if d not in chosen:
                chosen.append(d)
        return chosen


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _short(name: str, suffix: re.Pattern[str]) -> str | None:
    short = suffix.sub("", name)
    return short if short != name and len(short) >= 2 else None


def _city_short(name: str) -> str | None:
    if name.endswith("自治州"):
        return name[:2]
    return _short(name, _CITY_SUFFIX)


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    return Divisions()
