"""Recommendations for what a graduate asks: ranked positions, each with why, never outside the place asked.

Call :func:`recommend` (chat handlers and the API do)::

    result = recommend(db, "学会计的，想在广州天河附近", limit=5, education=user.education, home=user.region_code)
    if result.clarify:            # "朝阳区": 北京 or 长春? ask, offering result.clarify (Divisions)
        ...
    reply = result.text()         # or walk result.items / result.alternatives / result.notice

Ranking (see ``bot.positions.index``): major fit first, whatever the place (exact 240 > the whole 专业类 180 >
a related major of the same 专业类 120 > 专业不限 60: every tier outranks the next one by more than place,
education and keyword add up to), then place (a place the person named is a hard filter; a home region from
the profile is a preference: same county > city > province), education (positions asking more than the person has are
left out; the same level > 不限 > a lower one), a title keyword, and among equals demonstration positions,
closing soon, places left. Only open positions with places left are recommended.

A place the division table does not have (香港, 雄安, "广洲市") is never dropped in silence: alone, nothing
is listed and ``notice`` says it is not in the catalogue's divisions and asks for a province, city or district;
next to a known place, the search keeps to the known one and ``notice`` says so.

When nothing fits in the place asked, ``notice`` says so, ``items`` keeps what does fit there (专业不限
positions, if any) and ``alternatives`` offers the nearest positions for the major: the rest of the city, then
of the province — each marked as an alternative, never mixed into ``items``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.models import Position
from bot.positions.index import Criteria, Hit, PositionIndex, Ranking, get_index
from bot.positions.query import MajorRef, ParsedQuery, QueryParser, default_parser
from knowledge.divisions import Division, divisions

MAX_LIMIT = 50
CLOSING_SOON_DAYS = 14
MUNICIPALITIES = {"11", "12", "31", "50"}


class QueryError(ValueError):
    """A request that cannot be understood; the message is for the person (Chinese)."""


@dataclass(frozen=True)
class Recommendation:
    code: str
    title: str
    unit: str
    category: str
    province: str
    city: str | None
    district: str | None
    majors: str
    education: str
    headcount: int
    months: int
    demonstration: bool
    score: float
    places_left: int
    closes_on: date | None
    fit: str  # exact / group / related / open / any
    reasons: tuple[str, ...]
    alternative: bool = False
    place_code: str = ""  # the most specific division code known (county, else city, else province)

    @property
    def place(self) -> str:
        return place_label(self.province, self.city, self.district)

    @property
    def why(self) -> str:
        """"专业对口：会计学 · 地点：广州市天河区 · 示范岗位"."""
        return " · ".join(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["closes_on"] = self.closes_on.isoformat() if self.closes_on else None
        out["reasons"] = list(self.reasons)
        out["why"] = self.why
        return out


@dataclass(frozen=True)
class Recommendations:
    query: ParsedQuery
    items: tuple[Recommendation, ...] = ()
    alternatives: tuple[Recommendation, ...] = ()
    notice: str | None = None
    clarify: tuple[Division, ...] = ()  # the place is ambiguous: ask which of these
    total: int = 0  # open positions that fit in the place asked
    majors: tuple[MajorRef, ...] = ()  # what was used (from the text, the major= field or the profile)
    places: tuple[Division, ...] = ()
    education: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    unknown_places: tuple[str, ...] = ()  # places named that the division table does not have

    def understood(self) -> dict[str, Any]:
        """What was understood, for the API's ``query`` field."""
        return {
            "text": self.query.text,
            "majors": [{"code": m.code, "name": m.name, "group": m.group, "said": m.said, "how": m.how}
                       for m in self.majors],
            "places": [{"code": d.code, "name": d.full_name, "level": d.level} for d in self.places],
            "education": self.education,
            "keywords": list(self.query.keywords),
            "ambiguous": [{"code": d.code, "name": d.full_name, "level": d.level} for d in self.clarify],
            "unknown_places": list(self.unknown_places),
        }

    def text(self, numbered: bool = True) -> str:
        """The reply a person reads in chat (plain text, Simplified Chinese)."""
        if self.clarify:
            return self.notice or ""
        lines: list[str] = []
        if self.notice:
            lines.append(self.notice)
        elif self.items:
            what = describe(self.majors, self.places, self.education)
            lines.append(f"为你找到 {self.total} 个在招岗位" + (f"（{what}）" if what else "") + "：")
        for i, r in enumerate(self.items, 1):
            lines.append(_line(i if numbered else None, r))
        if self.alternatives:
            lines.append("可以考虑：")
            for i, r in enumerate(self.alternatives, len(self.items) + 1):
                lines.append(_line(i if numbered else None, r))
        if not self.items and not self.alternatives and not self.notice:
            lines.append("暂时没有符合条件的在招岗位。")
        return "\n".join(lines)


def _line(i: int | None, r: Recommendation) -> str:
    head = f"{i}. " if i is not None else ""
    return f"{head}{r.title}｜{r.unit}｜{r.place}\n   {r.why}"


def place_label(province: str, city: str | None, district: str | None) -> str:
    """"广州市天河区", "北京市朝阳区", "广东省" (no repeated municipality)."""
    if city and district:
        return city + district if city != district else city
    if district:
        return province + district
    return city or province


def describe(majors: tuple[MajorRef, ...], places: tuple[Division, ...], education: str | None) -> str:
    parts = []
    if majors:
        parts.append("、".join(m.name for m in majors))
    if places:
        parts.append("、".join(d.full_name for d in places))
    if education:
        parts.append(education)
    return " · ".join(parts)


def by_positions(index: PositionIndex, candidates: tuple[Division, ...]) -> tuple[Division, ...]:
    """Candidates of an ambiguous place, those with more positions first: the likelier meaning leads."""
    return tuple(sorted(candidates, key=lambda d: -index.places.size(int(d.code))))


def unknown_place_notice(names: tuple[str, ...] | list[str], instead: str | None = None, ask: bool = True) -> str:
    """"“香港”不在岗位目录的行政区划里……": a place the division table does not have, said plainly; ``instead``:
    the known place searched instead; ``ask``: end with the request for a province, city or district."""
    said = "、".join(f"“{n}”" for n in names)
    head = f"{said}不在岗位目录的行政区划里（岗位按内地的省、市、区县登记），"
    if instead:
        return head + f"下面只按{instead}查找。"
    return head + "没有按这个地点查找。" + ("请告诉我想去的省、市或区县，例如“广州天河”“郑州”“河南”。" if ask else "")


def _widen(place: Division) -> list[Division]:
    """Nearest wider areas of a place: a county's city then province; a city's province."""
    places = divisions()
    out: list[Division] = []
    if place.level == "county" and place.city_code:
        city = places.get(place.city_code)
        if city:
            out.append(city)
    if place.level != "province":
        province = places.get(place.province_code)
        if province:
            out.append(province)
    return out


def _fit_reason(hit: Hit, row: Any, majors: tuple[MajorRef, ...]) -> str:
    asked = next((m for m in majors if m.code == hit.major), None)
    if hit.fit == "exact" and asked:
        return f"专业对口：{asked.name}"
    if hit.fit == "group" and asked:
        if asked.is_group:
            return f"专业对口：{asked.name}（岗位要求{_short_majors(row.majors_text)}）"
        return f"专业对口：{asked.group}（含{asked.name}）"
    if hit.fit == "related" and asked:
        return f"相关专业：岗位要求{_short_majors(row.majors_text)}，与{asked.name}同属{asked.group}"
    if hit.fit == "open":
        return "专业不限"
    return "专业不限" if not row.major_codes else f"专业要求：{_short_majors(row.majors_text)}"


def _short_majors(text: str, limit: int = 3) -> str:
    from bot.positions.features import split_majors

    names = split_majors(text) or [text]
    return "、".join(names[:limit]) + ("等" if len(names) > limit else "")


def _reasons(hit: Hit, row: Any, majors: tuple[MajorRef, ...], alternative_of: Division | None,
             today: date) -> tuple[str, ...]:
    reasons = [_fit_reason(hit, row, majors)]
    where = place_label(row.province, row.city, row.district)
    if alternative_of is not None:
        reasons.append(f"地点：{where}（不在{alternative_of.full_name}，作为备选）")
    elif hit.place == "named":
        reasons.append(f"地点：{where}")
    elif hit.place in ("county", "city", "province"):
        near = {"county": "同区县", "city": "同城", "province": "同省"}[hit.place]
        reasons.append(f"地点：{where}（与你{near}）")
    else:
        reasons.append(f"地点：{where}")
    if hit.education == "same":
        reasons.append(f"学历相符：{row.education}")
    elif hit.education == "open":
        reasons.append("学历不限")
    elif hit.education == "below":
        reasons.append(f"学历要求：{row.education}")
    if hit.keyword:
        reasons.append("岗位名称相符")
    if hit.demonstration:
        reasons.append("示范岗位")
    reasons.append(f"剩余名额 {hit.places_left} 个")
    if hit.closes_on and (hit.closes_on - today).days <= CLOSING_SOON_DAYS:
        days = (hit.closes_on - today).days
        reasons.append("今天截止报名" if days == 0 else f"{days} 天后截止（{hit.closes_on.month}月{hit.closes_on.day}日）")
    return tuple(reasons)


def _rows(db: Database, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    t = Position.__table__.c
    cols = (t.id, t.code, t.title, t.unit_name, t.category, t.province, t.city, t.district, t.majors_text,
            t.major_codes, t.education, t.headcount, t.months, t.province_code, t.city_code, t.county_code)
    with db.engine.connect() as conn:
        return {r.id: r for r in conn.execute(select(*cols).where(t.id.in_(ids)))}


def _materialise(db: Database, ranking_hits: list[tuple[Hit, Division | None]], majors: tuple[MajorRef, ...],
                 today: date) -> list[Recommendation]:
    rows = _rows(db, [h.id for h, _ in ranking_hits])
    out = []
    for hit, alternative_of in ranking_hits:
        row = rows.get(hit.id)
        if row is None:  # removed since the index last looked
            continue
        out.append(Recommendation(
            code=row.code, title=row.title, unit=row.unit_name, category=row.category, province=row.province,
            city=row.city, district=row.district, majors=row.majors_text, education=row.education,
            headcount=row.headcount, months=row.months, demonstration=hit.demonstration, score=hit.score,
            places_left=hit.places_left, closes_on=hit.closes_on, fit=hit.fit,
            reasons=_reasons(hit, row, majors, alternative_of, today), alternative=alternative_of is not None,
            place_code=row.county_code or row.city_code or row.province_code))
    return out


def resolve_request(text: str = "", major: str | None = None, location: str | None = None,
                    parser: QueryParser | None = None) -> tuple[ParsedQuery, tuple[MajorRef, ...],
                                                                 tuple[Division, ...], tuple[Division, ...],
                                                                 tuple[str, ...]]:
    """(parsed text, majors, places, ambiguous candidates, places the table does not have) from the text and
    the optional fields (a ``location`` field replaces the text's places).

    Raises :class:`QueryError` for a ``major`` or ``location`` field the tables do not know.
    """
    parser = parser or default_parser()
    parsed = parser.parse(text or "")
    majors = parsed.majors
    places = parsed.places
    clarify = parsed.clarify
    unknown = parsed.unknown_places
    if major is not None and major.strip():
        if major.strip() in ("不限", "专业不限"):
            majors = ()
        else:
            ref = parser.major(major)
            if ref is None:
                raise QueryError(f"无法识别专业：{major.strip()}")
            majors = (ref,) + tuple(m for m in majors if m.code != ref.code)
    if location is not None and location.strip():
        found, ambiguous = parser.place(location)
        if not found and not ambiguous:
            unlisted = parser.unlisted(location)
            if unlisted:
                raise QueryError(unknown_place_notice(unlisted).removesuffix("。"))
            raise QueryError(f"无法识别地区：{location.strip()}")
        places, clarify, unknown = tuple(found), tuple(ambiguous), ()
    return parsed, majors, places, clarify, unknown


def recommend(db: Database, text: str = "", *, major: str | None = None, location: str | None = None,
              education: str | None = None, home: str | None = None, limit: int = 5,
              today: date | None = None, index: PositionIndex | None = None,
              parser: QueryParser | None = None) -> Recommendations:
    """Positions for a free-text request (and/or a ``major`` and a ``location`` field).

    ``education`` and ``home`` (a division code) come from the person's profile when known; what the text
    says wins. ``limit`` is capped at :data:`MAX_LIMIT`. Raises :class:`QueryError` (a Chinese message) for a
    major or location field that cannot be read.
    """
    today = today or date.today()
    limit = max(1, min(int(limit), MAX_LIMIT))
    parsed, majors, places, clarify, unknown = resolve_request(text, major, location, parser)
    education = parsed.education or education
    index = index or get_index(db)
    if unknown and not places and not clarify:
        return Recommendations(parsed, notice=unknown_place_notice(unknown), majors=majors, education=education,
                               unknown_places=unknown)
    if clarify and not places:
        clarify = by_positions(index, clarify)
        names = "、".join(d.full_name for d in clarify[:8])
        said = "、".join(parsed.ambiguous_names) or (location or "").strip()
        notice = f"“{said}”有{len(clarify)}处：{names}。请告诉我是哪一个，例如“{clarify[0].full_name}”。"
        return Recommendations(parsed, notice=notice, clarify=clarify, majors=majors, education=education,
                               unknown_places=unknown)
    crit = Criteria(majors=tuple(m.code for m in majors), places=tuple(d.code for d in places),
                    home=None if places else home, education=education, keywords=parsed.keywords,
                    exclude_places=tuple(d.code for d in parsed.excluded if d not in places))
    ranking = index.rank(crit, limit, today)
    picked: list[tuple[Hit, Division | None]] = [(h, None) for h in ranking.hits]
    alternatives: list[tuple[Hit, Division | None]] = []
    notice = None
    where = "、".join(d.full_name for d in places)
    if places and majors and not ranking.matched:
        names = "、".join(m.name for m in majors)
        if ranking.total:
            notice = f"{where}暂时没有与{names}对口的在招岗位，先看看当地专业不限的岗位。"
        else:
            notice = f"{where}暂时没有适合{names}的在招岗位。"
        alternatives = _alternatives(index, crit, places, limit, today, major_fit_only=True)
        if alternatives:
            notice += "附近也有对口的岗位，列在后面。"
    elif places and not ranking.total:
        notice = f"{where}暂时没有符合条件的在招岗位。"
        alternatives = _alternatives(index, crit, places, limit, today, major_fit_only=False)
        if alternatives:
            notice += "可以看看附近的这些岗位。"
    elif not places and not ranking.total:
        notice = "暂时没有符合条件的在招岗位。"
    if notice and not ranking.matched and education and majors:
        higher = index.rank(replace(crit, education=None), 1, today)
        if higher.matched:
            notice += f"另有 {higher.matched} 个对口岗位要求高于{education}的学历，未列出。"
    elif not majors and not places and not parsed.education and not home and not any(h.keyword for h in ranking.hits):
        notice = "告诉我你的专业和想去的地方（例如“学会计的，想在广州天河”），推荐会更准。以下是近期的在招岗位："
    if unknown:  # next to a known place: the search kept to it
        notice = unknown_place_notice(unknown, where) + (notice or "")
    items = _materialise(db, picked, majors, today)
    alts = _materialise(db, alternatives, majors, today)
    return Recommendations(parsed, tuple(items), tuple(alts), notice, (), ranking.total, majors, places,
                           education, unknown_places=unknown)


def _alternatives(index: PositionIndex, crit: Criteria, places: tuple[Division, ...], limit: int, today: date,
                  major_fit_only: bool) -> list[tuple[Hit, Division | None]]:
    """The nearest wider area that has something: the rest of the city, then of the province."""
    levels: list[list[Division]] = []
    for place in places:
        for i, wider in enumerate(_widen(place)):
            while len(levels) <= i:
                levels.append([])
            if wider not in levels[i]:
                levels[i].append(wider)
    for wider in levels:
        alt = Criteria(majors=crit.majors, places=tuple(d.code for d in wider), education=crit.education,
                       keywords=crit.keywords, major_fit_only=major_fit_only and bool(crit.majors),
                       exclude_places=tuple(d.code for d in places))
        ranking: Ranking = index.rank(alt, limit, today)
        if ranking.hits:
            return [(h, places[0]) for h in ranking.hits]
    return []
