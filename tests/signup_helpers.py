"""Positions, ID numbers and dates for the sign-up tests (positions made with the model directly)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.db import Base, Database
from bot.models import Position
from bot.validators import id_check_char

# code: (title, unit, province_code, province, city_code, city, county_code, district)
PLACES: dict[str, tuple[str, str, str, str, str | None, str | None, str | None, str | None]] = {
    "GZ-KJ-01": ("审计助理", "广州天河明信会计师事务所", "44", "广东省", "4401", "广州市", "440106", "天河区"),
    "BJ-HD-01": ("软件测试助理", "北京海淀智行科技有限公司", "11", "北京市", None, "北京市", "110108", "海淀区"),
    "CS-YL-01": ("行政助理", "长沙岳麓湘江人力资源服务有限公司", "43", "湖南省", "4301", "长沙市", "430104", "岳麓区"),
    "ZZ-JS-01": ("会计助理", "郑州金水中原财务咨询有限公司", "41", "河南省", "4101", "郑州市", "410105", "金水区"),
}


def add_position(db: Database, code: str, **overrides: Any) -> int:
    title, unit, pc, province, cc, city, kc, district = PLACES[code]
    values: dict[str, Any] = dict(code=code, unit_name=unit, title=title, category="管理类", majors_text="不限",
                                  education="不限", province_code=pc, province=province, city_code=cc, city=city,
                                  county_code=kc, district=district, headcount=2, places_left=2, months=6)
    values.update(overrides)
    with db.session() as s:
        position = Position(**values)
        s.add(position)
        s.flush()
        return position.id


def add_positions(db: Database) -> dict[str, int]:
    return {code: add_position(db, code) for code in PLACES}


def id_number(age: int, area: str = "410105", serial: str = "123", today: date | None = None) -> str:
    """A valid 18-digit ID number (checksum included) for someone exactly ``age`` today."""
    today = today or date.today()
    first17 = f"{area}{today.year - age:04d}0101{serial}"
    return first17 + id_check_char(first17)


def last_year_june(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year - 1}年6月"


def years_ago_june(years: int, today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year - years}年6月"


def everything_stored(db: Database) -> str:
    """Every row of every table, as text: to look for a number that must never be stored in the clear."""
    chunks: list[str] = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                chunks.append(repr(tuple(row)))
    return "\n".join(chunks)
