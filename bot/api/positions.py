"""Positions over HTTP: recommendations for free text, a catalogue search, one position by its code.

* ``GET /api/v1/positions/recommend?q=学会计的，想在广州天河&limit=5`` (also ``major=``, ``location=``,
  ``education=``) → ``{"query", "items", "alternatives", "notice", "clarify", "total"}``; an ambiguous place
  (朝阳区) gives no items and its candidates in ``clarify``.
* ``GET /api/v1/positions/search?keyword=&province=&city=&district=&major=&category=&education=&demonstration=
  &status=&page=&size=`` → ``{"total", "page", "size", "items"}``, demonstration positions first, then closing
  soonest. ``status`` is ``open`` (default: open with places left), ``full``, ``closed`` or ``all``.
* ``GET /api/v1/positions/{code}`` → the position, with its description and the contact phone masked.

Every parameter is read here, so that a bad one is a 422 with a Chinese message, never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select

from bot.api.params import bad, int_param, text_param
from bot.models import EDUCATION_LEVELS, Position, PositionStatus
from bot.positions.index import CATEGORIES, SearchFilters, get_index
from bot.positions.query import EDUCATION_WORDS, default_parser
from bot.positions.recommend import MAX_LIMIT, QueryError, Recommendation, place_label, recommend
from bot.privacy import mask_phone
from knowledge.divisions import Division, divisions

PUBLISHED = {PositionStatus.open.value, PositionStatus.full.value, PositionStatus.closed.value}
router = APIRouter(prefix="/api/v1/positions", tags=["positions"])

MAX_PAGE_SIZE = 100
MUNICIPALITIES = {"11", "12", "31", "50"}
_TRUE = {"true", "1", "yes", "是", "y"}
_FALSE = {"false", "0", "no", "否", "n"}
_STATUSES = ("open", "full", "closed", "all")








def _education(value: str | None) -> str | None:
    value = text_param(value, "education", 10)
    if value is None:
        return None
    if value in EDUCATION_LEVELS:
        return value
    mapped = dict(EDUCATION_WORDS).get(value)
    if mapped:
        return mapped
    raise bad("education 应为 " + "/".join(EDUCATION_LEVELS) + " 之一")


def _item(r: Recommendation) -> dict[str, Any]:
    return {
        "code": r.code, "title": r.title, "unit": r.unit, "category": r.category, "province": r.province,
        "city": r.city, "district": r.district, "majors": r.majors, "education": r.education,
        "headcount": r.headcount, "months": r.months, "demonstration": r.demonstration, "score": r.score,
        "places_left": r.places_left, "closes_on": r.closes_on.isoformat() if r.closes_on else None,
        "fit": r.fit, "reasons": list(r.reasons), "why": r.why, "alternative": r.alternative,
        "place_code": r.place_code,
    }


def _division(d: Division) -> dict[str, str]:
    return {"code": d.code, "name": d.full_name, "level": d.level}


@router.get("/recommend")
def recommend_positions(request: Request, q: str | None = None, major: str | None = None,
                        location: str | None = None, education: str | None = None,
                        limit: str | None = None) -> dict[str, Any]:
    """岗位推荐：按专业、地点、学历排序，每条附推荐理由；指定的地点是硬性条件。"""
    text = text_param(q, "q")
    major = text_param(major, "major", 40)
    location = text_param(location, "location", 40)
    level = _education(education)
    count = int_param(limit, "limit", 10, 1, MAX_LIMIT)
    if not (text or major or location):
        raise bad("请至少提供 q（想找什么岗位）、major（专业）或 location（地点）之一")
    try:
        result = recommend(request.app.state.services.db, text or "", major=major, location=location,
                           education=level, limit=count)
    except QueryError as exc:
        raise bad(str(exc)) from None
    return {
        "query": result.understood(),
        "items": [_item(r) for r in result.items],
        "alternatives": [_item(r) for r in result.alternatives],
        "notice": result.notice,
        "clarify": [_division(d) for d in result.clarify],
        "total": result.total,
    }


def _place(value: str | None, name: str, label: str, level: str, inside: Division | None) -> Division | None:
    """A province / city / district parameter: a name, a short name or a code, inside ``inside``."""
    value = text_param(value, name, 40)
    if value is None:
        return None
    places = divisions()
    if value.isdigit():
        found = [d] if (d := places.get(value)) else []
    else:
        found = places.lookup(value) or places.resolve(value)
    def at_level(ds: list[Division]) -> list[Division]:
        return [d for d in ds if d.level == level or
                (level == "city" and d.level == "province" and d.code in MUNICIPALITIES)]

    wanted = at_level(found)
    if inside is not None:
        outside = wanted
        wanted = [d for d in wanted if d == inside or inside.contains(d)]
        if not wanted and not value.isdigit():  # "朝阳" inside 北京 is 朝阳区, not 辽宁朝阳市
            wanted = at_level(default_parser().inside(inside, value))
        if not wanted and outside:
            raise bad(f"{label}“{value}”不在{inside.full_name}")
    if not wanted:
        raise bad(f"无法识别{label}：{value}")
    if len(wanted) > 1:
        names = "、".join(d.full_name for d in wanted[:6])
        raise bad(f"{label}不明确：{value}（{names}），请同时给出所在的省份或城市")
    return wanted[0]


@router.get("/search")
def search_positions(request: Request, keyword: str | None = None, province: str | None = None,
                     city: str | None = None, district: str | None = None, major: str | None = None,
                     category: str | None = None, education: str | None = None,
                     demonstration: str | None = None, status: str | None = None, page: str | None = None,
                     size: str | None = None) -> dict[str, Any]:
    """岗位检索：按关键词（岗位名称）、地区、专业、类别、学历要求、是否示范岗位筛选，分页返回。"""
    word = text_param(keyword, "keyword", 50)
    prov = _place(province, "province", "省份", "province", None)
    city_d = _place(city, "city", "城市", "city", prov)
    county = _place(district, "district", "区县", "county", city_d or prov)
    major_code = None
    if (major_text := text_param(major, "major", 40)) is not None:
        ref = default_parser().major(major_text)
        if ref is None:
            raise bad(f"无法识别专业：{major_text}")
        major_code = ref.code
    cat = text_param(category, "category", 10)
    if cat is not None and cat not in CATEGORIES:
        raise bad("category 应为 " + "/".join(CATEGORIES) + " 之一")
    level = _education(education)
    demo = None
    if (flag := text_param(demonstration, "demonstration", 10)) is not None:
        if flag.lower() in _TRUE:
            demo = True
        elif flag.lower() in _FALSE:
            demo = False
        else:
            raise bad("demonstration 应为 true 或 false")
    state = (text_param(status, "status", 10) or "open").lower()
    if state not in _STATUSES:
        raise bad("status 应为 " + "/".join(_STATUSES) + " 之一")
    page_no = int_param(page, "page", 1, 1, 100_000)
    page_size = int_param(size, "size", 20, 1, MAX_PAGE_SIZE)
    place = county or city_d or prov
    filters = SearchFilters(keyword=word, place=place.code if place else None, major=major_code, category=cat,
                            education=level, demonstration=demo, status=state)
    db = request.app.state.services.db
    total, ids = get_index(db).search(filters, page_no, page_size, date.today())
    rows: dict[int, Any] = {}
    if ids:
        with db.session() as s:
            rows = {p.id: p for p in s.scalars(select(Position).where(Position.id.in_(ids)))}
    items = [_position(rows[i]) for i in ids if i in rows]
    return {"total": total, "page": page_no, "size": page_size, "items": items}


def _position(p: Position, detail: bool = False, vault: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": p.code, "title": p.title, "unit": p.unit_name, "category": p.category, "province": p.province,
        "city": p.city, "district": p.district, "place": place_label(p.province, p.city, p.district),
        "majors": p.majors_text, "education": p.education, "headcount": p.headcount, "months": p.months,
        "demonstration": p.demonstration, "status": p.status, "places_left": p.places_left,
        "opens_on": p.opens_on.isoformat() if p.opens_on else None,
        "closes_on": p.closes_on.isoformat() if p.closes_on else None,
    }
    if detail:
        phone = vault.decrypt(p.contact_phone_enc) if (vault and p.contact_phone_enc) else None
        out["description"] = p.description
        out["contact_phone"] = mask_phone(phone) if phone else None
    return out


@router.get("/{code}")
def get_position(code: str, request: Request) -> dict[str, Any]:
    """一个岗位的详情（联系电话已打码）。"""
    code = code.strip()
    if not code or len(code) > 32:
        raise bad("岗位编号应为 1 到 32 个字符")
    services = request.app.state.services
    with services.db.session() as s:
        p = s.scalar(select(Position).where(Position.code == code))
        if p is None or p.status not in PUBLISHED:  # under review or rejected: not public
            raise HTTPException(status_code=404, detail=f"未找到岗位：{code}")
        return _position(p, detail=True, vault=services.vault)
