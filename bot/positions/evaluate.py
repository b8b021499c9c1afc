"""Measure the recommendations on the labelled queries in ``tests/data/positions/``.

    python -m bot.positions.evaluate [--show-errors] [--database-url URL]

``catalogue.csv`` is a catalogue in the import columns (../shared/INTERFACES.md) built with traps: the same major
in 广州 and 深圳, 朝阳区 in 北京 and in 长春 (and 辽宁朝阳市), 鼓楼区 in four cities, related majors, 专业不限
positions, full, closed and past-deadline positions, a city without districts (中山); ``queries.yaml`` holds what
graduates type (typos and short forms included), each with the positions that are right answers and the place it
names. The states of the trap positions
(closed, full, past the closing day) are in ``queries.yaml`` under ``states``, applied after importing.

A query is a hit when one of its first 3 results is a right answer; a query that expects a clarifying question
(``clarify``) is a hit when the candidates come back and no position does; a query that expects nothing in its
place (``empty``) is a hit when no position comes back there and a right answer is among the first 3 alternatives.
A query that returns a ``forbidden`` position (closed, full, elsewhere) is never a hit.
*Place precision*: of every position returned as a result (not as an alternative) for a query that names a
place, the share inside that place — it must be 100%.

The catalogue is loaded into a fresh SQLite database (or ``--database-url``) with :func:`load_catalogue`, through
the importer (``bot.positions.importer``) as an official's file would be.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import update

from bot.config import DEV_SECRET_KEY
from bot.db import Database
from bot.models import Position, utcnow
from bot.privacy import Vault

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "positions"
CATALOGUE = DATA_DIR / "catalogue.csv"
QUERIES = DATA_DIR / "queries.yaml"
COLUMNS = ("岗位编号", "单位名称", "岗位名称", "岗位类别", "专业要求", "学历要求", "省份", "城市", "区县", "招募人数",
           "见习期限（月）", "示范岗位", "岗位描述", "联系电话")
TOP = 3
LIMIT = 10


# ---------------------------------------------------------------------------------------------
# Loading the catalogue: through the importer (bot.positions.importer), as an official's file would be


class CatalogueError(ValueError):
    pass


def read_catalogue(path: Path = CATALOGUE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and set(COLUMNS) - set(rows[0]):
        raise CatalogueError(f"{path.name}: missing columns {sorted(set(COLUMNS) - set(rows[0]))}")
    return rows


def load_catalogue(db: Database, path: Path = CATALOGUE, states: dict[str, dict[str, Any]] | None = None,
                   vault: Vault | None = None) -> int:
    """Import a catalogue file with the importer, then apply ``states`` by 岗位编号; every row must import."""
    from bot.positions.importer import import_catalogue

    problems: list[str] = []
    summary = import_catalogue(db, path, vault or Vault(DEV_SECRET_KEY),
                               on_problem=lambda p: problems.append(p.message()))
    if problems or summary.errors:
        raise CatalogueError(f"{path.name}: " + "；".join(problems))
    apply_states(db, states or {})
    return summary.imported


def apply_states(db: Database, states: dict[str, dict[str, Any]]) -> None:
    allowed = {"status", "places_left", "closes_on", "opens_on", "demonstration"}
    with db.session() as s:
        for code, change in states.items():
            values = {k: (date.fromisoformat(str(v)) if k.endswith("_on") and v else v)
                      for k, v in change.items() if k in allowed}
            values["updated_at"] = utcnow()
            s.execute(update(Position).where(Position.code == code).values(**values))


# ---------------------------------------------------------------------------------------------
# The labelled queries


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    q: str
    relevant: tuple[str, ...] = ()
    place: tuple[str, ...] = ()  # division codes the results must lie in (any of them)
    forbidden: tuple[str, ...] = ()
    clarify: tuple[str, ...] = ()
    empty: bool = False
    major: str | None = None
    location: str | None = None
    education: str | None = None
    note: str = ""


@dataclass
class QuerySet:
    today: date
    states: dict[str, dict[str, Any]]
    queries: list[LabelledQuery]


def _codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def load_queries(path: Path = QUERIES) -> QuerySet:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = []
    for item in raw["queries"]:
        queries.append(LabelledQuery(
            id=str(item["id"]), q=str(item.get("q") or ""), relevant=_codes(item.get("relevant")),
            place=_codes(item.get("place")), forbidden=_codes(item.get("forbidden")),
            clarify=_codes(item.get("clarify")), empty=bool(item.get("empty", False)), major=item.get("major"),
            location=item.get("location"), education=item.get("education"), note=str(item.get("note") or "")))
    return QuerySet(date.fromisoformat(str(raw["today"])), dict(raw.get("states") or {}), queries)


# ---------------------------------------------------------------------------------------------
# Running and grading


@dataclass
class Outcome:
    query: LabelledQuery
    items: list[str]
    item_places: list[tuple[str, str | None, str | None]]
    alternatives: list[str]
    clarify: list[str]
    notice: str | None
    hit: bool
    reasons: list[str]


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    inside: int = 0
    placed: int = 0  # results returned for queries that name a place

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def hits(self) -> int:
        return sum(o.hit for o in self.outcomes)

    @property
    def hit_at_3(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def place_precision(self) -> float:
        return self.inside / self.placed if self.placed else 1.0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.hit]


def _inside(codes: tuple[str, str | None, str | None], place: str) -> bool:
    province, city, county = codes
    most = county or city or province
    return most.startswith(place) or (len(place) == 4 and bool(county) and county[:4] == place)


def evaluate(db: Database | None = None, queries: QuerySet | None = None, catalogue: Path = CATALOGUE) -> Report:
    """Load the catalogue (into ``db``, or a fresh temporary SQLite database) and grade every query."""
    from sqlalchemy import select

    from bot.positions.index import PositionIndex
    from bot.positions.recommend import QueryError, recommend

    queries = queries or load_queries()
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory()
        db = Database(f"sqlite:///{tmp.name}/evaluate.db")
        db.upgrade()
        load_catalogue(db, catalogue, states=queries.states)
    try:
        index = PositionIndex.build(db)
        with db.engine.connect() as conn:
            t = Position.__table__.c
            where = {r.code: (r.province_code, r.city_code, r.county_code)
                     for r in conn.execute(select(t.code, t.province_code, t.city_code, t.county_code))}
        report = Report()
        for lq in queries.queries:
            try:
                res = recommend(db, lq.q, major=lq.major, location=lq.location, education=lq.education,
                                limit=LIMIT, today=queries.today, index=index)
            except QueryError as exc:
                report.outcomes.append(Outcome(lq, [], [], [], [], str(exc), False, [f"error: {exc}"]))
                continue
            items = [r.code for r in res.items]
            alts = [r.code for r in res.alternatives]
            clarify = [d.code for d in res.clarify]
            reasons = []
            if lq.clarify:
                if not set(lq.clarify) <= set(clarify):
                    reasons.append(f"clarify {clarify}, expected {list(lq.clarify)}")
                if items:
                    reasons.append("returned positions for an ambiguous place")
            elif lq.empty:
                if items:
                    reasons.append(f"expected nothing in the place, got {items[:3]}")
                if lq.relevant and not set(alts[:TOP]) & set(lq.relevant):
                    reasons.append(f"alternatives {alts[:TOP]} have none of {list(lq.relevant)}")
            elif not set(items[:TOP]) & set(lq.relevant):
                reasons.append(f"top {TOP} {items[:TOP]} have none of {list(lq.relevant)}")
            bad = [c for c in items if c in lq.forbidden]
            if bad:
                reasons.append(f"forbidden {bad}")
            places = [where[c] for c in items]
            if lq.place:
                for code, p in zip(items, places, strict=True):
                    report.placed += 1
                    if any(_inside(p, place) for place in lq.place):
                        report.inside += 1
                    else:
                        reasons.append(f"{code} outside {list(lq.place)}")
            report.outcomes.append(Outcome(lq, items, places, alts, clarify, res.notice, not reasons, reasons))
        return report
    finally:
        if tmp is not None:
            db.dispose()
            tmp.cleanup()


def render(report: Report, show_errors: bool = False) -> None:
    print(f"queries: {report.total}")
    print(f"hit@{TOP}: {report.hits}/{report.total} ({report.hit_at_3:.1%})")
    print(f"place precision: {report.inside}/{report.placed} ({report.place_precision:.1%})")
    if show_errors:
        for o in report.failures:
            print(f"- {o.query.id} {o.query.q!r}: {'; '.join(o.reasons)}")
            if o.notice:
                print(f"    notice: {o.notice}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.positions.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", action="store_true", help="print every query that missed and why")
    parser.add_argument("--database-url", help="load the catalogue into this (empty, migrated) database instead")
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="another catalogue (the import columns)")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="another labelled set (queries.yaml's format)")
    args = parser.parse_args(argv)
    db = None
    queries = load_queries(args.queries)
    if args.database_url:
        db = Database(args.database_url)
        db.upgrade()
        load_catalogue(db, args.catalogue, states=queries.states)
    report = evaluate(db, queries, args.catalogue)
    render(report, show_errors=args.show_errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
