"""The criteria a host unit is checked against at 见习单位申报, by region, from the knowledge base.

Only Changsha's notice sets numbers (见习基地: registered 3 years or more, 30 or more insured staff, at least 10
positions a year, trainees at most 30% of insured staff, valid 3 years: 长人社规〔2024〕4号 二（二）、二（七）).
Henan and Inner Mongolia describe a review without numbers; elsewhere the notices are silent, and the unit is told
so, with the local bureau deciding. Every line carries its source; no number here is typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from knowledge.answer import knowledge_region
from knowledge.schema import Entry, load_entries


@dataclass(frozen=True)
class Criterion:
    text: str  # what is checked, in Chinese
    verdict: str  # 符合 / 不符合 / 承诺 (a commitment checked later) / 说明
    source: str  # 文号 section; "" where the notices are silent


@dataclass(frozen=True)
class Assessment:
    criteria: tuple[Criterion, ...]
    base_valid_years: int | None  # 见习基地 validity where the region sets it

    @property
    def meets(self) -> bool:
        return all(c.verdict != "不符合" for c in self.criteria)

    def text(self) -> str:
        lines = [f"· {c.text}：{c.verdict}" + (f"（{c.source}）" if c.source else "") for c in self.criteria]
        return "\n".join(lines)


@cache
def _entries() -> dict[str, Entry]:
    return {e.id: e for e in load_entries()}


def _cite(e: Entry) -> str:
    return f"{e.source.doc} {e.source.section}"


def _fact(entry_id: str, key: str) -> float | int | None:
    e = _entries().get(entry_id)
    value = e.facts.get(key) if e is not None and isinstance(e.facts, dict) else None
    return value if isinstance(value, int | float) else None


def years_between(start: date, today: date) -> int:
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def assess(region_code: str | None, *, insured: int, registered_on: date, wants_base: bool,
           today: date) -> Assessment:
    """The region's criteria for this unit, each with a verdict and its source."""
    region = knowledge_region(region_code)
    entries = _entries()
    out: list[Criterion] = []
    years = years_between(registered_on, today)
    if region == "4301" and wants_base:
        recognition, positions = entries["changsha.base.recognition"], entries["changsha.base.positions"]
        min_years = _fact("changsha.base.recognition", "registered_years_min")
        min_staff = _fact("changsha.base.recognition", "insured_staff_min")
        per_year = _fact("changsha.base.positions", "positions_per_year_min")
        share = _fact("changsha.base.positions", "trainees_max_share_of_insured_staff")
        if min_years is not None:
            out.append(Criterion(f"在长沙依法登记并正常经营{min_years:g}年以上（已成立{years}年）",
                                 "符合" if years >= min_years else "不符合", _cite(recognition)))
        if min_staff is not None:
            out.append(Criterion(f"社保参保人数一般为{min_staff:g}人以上（申报{insured}人）",
                                 "符合" if insured >= min_staff else "不符合", _cite(recognition)))
        if per_year is not None:
            out.append(Criterion(f"每年提供不少于{per_year:g}个见习岗位", "承诺", _cite(positions)))
        if share is not None:
            cap = int(insured * share)
            out.append(Criterion(f"吸纳见习人员不超过同期参保人数的{share:.0%}（按申报人数最多{cap}人）", "承诺",
                                 _cite(positions)))
        relaxed = entries.get("changsha.base.relaxed")
        if relaxed is not None and not all(c.verdict != "不符合" for c in out):
            out.append(Criterion("属“三高四新”方向、17条产业链企业或在长事业单位的，可适当放宽认定条件，"
                                 "由人社部门审核时认定", "说明", _cite(relaxed)))
        valid = _fact("changsha.base.validity", "validity_years")
        validity = entries.get("changsha.base.validity")
        if valid is not None and validity is not None:
            out.append(Criterion(f"见习基地认定后有效期{valid:g}年，期满经考核合格且符合条件的可继续认定", "说明",
                                 _cite(validity)))
        return Assessment(tuple(out), int(valid) if valid is not None else None)
    own = next((e for e in entries.values() if e.region == region and e.topic == "unit_criteria"), None)
    if own is not None:
        out.append(Criterion(own.answer, "说明", _cite(own)))
    else:
        where = "当地" if region == "national" else "本地区文件"
        out.append(Criterion(f"{where}未列出见习单位的数量条件，由当地人社部门审查单位经营、信用等情况后认定",
                             "说明", ""))
    if wants_base and region != "4301":
        out.append(Criterion("见习基地的认定条件以当地人社部门规定为准（此处收录的通知中只有长沙列明）", "说明", ""))
    return Assessment(tuple(out), None)


def trainee_cap(region_code: str | None, *, is_base: bool, insured: int | None) -> tuple[int, float, str] | None:
    """For a 见习基地 whose region caps trainees by insured staff (长沙: at most 30%): the cap in people, the
    share and its source; None where no cap applies or the headcount is unknown."""
    if not is_base or not insured or knowledge_region(region_code) != "4301":
        return None
    share = _fact("changsha.base.positions", "trainees_max_share_of_insured_staff")
    if share is None:
        return None
    return int(insured * share), float(share), _cite(_entries()["changsha.base.positions"])
