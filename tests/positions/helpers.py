"""Test helpers: positions written through the importer's own path (bot.positions.catalogue + importer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from bot.config import DEV_SECRET_KEY
from bot.db import Database
from bot.models import Position, utcnow
from bot.positions.catalogue import PositionRecord, RowParser
from bot.positions.evaluate import QUERIES, load_catalogue, load_queries
from bot.positions.importer import PositionWriter
from bot.privacy import Vault

TODAY = date(2026, 11, 22)


def row(code: str, majors: str = "会计学", place: tuple[str, str, str] = ("广东省", "广州市", "天河区"),
        title: str = "会计助理", education: str = "不限", demonstration: bool = False, headcount: int = 2,
        category: str = "技术技能类", unit: str | None = None) -> dict[str, str]:
    """A catalogue row in the import columns."""
    return {"岗位编号": code, "单位名称": unit or f"{place[1]}{place[2]}测试单位{code}", "岗位名称": title,
            "岗位类别": category, "专业要求": majors, "学历要求": education, "省份": place[0], "城市": place[1],
            "区县": place[2], "招募人数": str(headcount), "见习期限（月）": "6",
            "示范岗位": "是" if demonstration else "否", "岗位描述": "测试岗位", "联系电话": ""}


def add(db: Database, *rows: dict[str, str]) -> None:
    """Validate catalogue rows and write them as an import does (features computed at import)."""
    parser = RowParser()
    records: list[PositionRecord] = []
    for i, r in enumerate(rows, 2):
        parsed = parser.parse(r, i)
        assert isinstance(parsed, PositionRecord), parsed
        records.append(parsed)
    PositionWriter(db, Vault(DEV_SECRET_KEY)).write(records)


def change(db: Database, code: str, **values: Any) -> None:
    values.setdefault("updated_at", utcnow())
    with db.session() as s:
        s.execute(update(Position).where(Position.code == code).values(**values))


def load_test_catalogue(db: Database, with_dates: bool = True) -> int:
    """tests/data/positions/catalogue.csv with the states of queries.yaml (closing days optional)."""
    states = load_queries(QUERIES).states
    if not with_dates:
        states = {code: {k: v for k, v in s.items() if not k.endswith("_on")} for code, s in states.items()}
        states = {code: s for code, s in states.items() if s}
    return load_catalogue(db, states=states)
