"""Quality of the recommendations on the labelled set in tests/data/positions/ (``python -m bot.positions.evaluate``).

The set itself is checked first (size, traps present, labels consistent with the catalogue); then the evaluation
runs on SQLite and PostgreSQL and must keep hit@3 ≥ 90% and place precision at 100%.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.db import Database
from bot.positions.catalogue import Place, resolve_place
from bot.positions.evaluate import CATALOGUE, COLUMNS, evaluate, load_queries, read_catalogue
from tests.positions.helpers import load_test_catalogue

MIN_HIT_AT_3 = 0.90
ROWS = read_catalogue(CATALOGUE)
BY_CODE = {r["岗位编号"]: r for r in ROWS}
QUERIES = load_queries()


def _place_code(code: str) -> str:
    r = BY_CODE[code]
    place = resolve_place(r["省份"], r["城市"], r["区县"])
    assert isinstance(place, Place), (code, place)
    return place.code


def test_catalogue_columns_and_size() -> None:
    assert 200 <= len(ROWS) <= 1000
    assert list(ROWS[0]) == list(COLUMNS)
    codes = [r["岗位编号"] for r in ROWS]
    assert len(codes) == len(set(codes))
    for r in ROWS:
        assert isinstance(resolve_place(r["省份"], r["城市"], r["区县"]), Place), r  # a real division
        assert r["岗位类别"] in ("科研类", "技术技能类", "管理类", "社会服务类")
        assert r["学历要求"] in ("不限", "中专", "大专", "本科", "硕士", "博士")
        assert r["示范岗位"] in ("是", "否")


def test_catalogue_has_its_traps() -> None:
    places = {code: _place_code(code) for code in BY_CODE}
    kj = [c for c, r in BY_CODE.items() if "会计学" in r["专业要求"]]
    assert any(places[c].startswith("4401") for c in kj) and any(places[c].startswith("4403") for c in kj)
    assert {places["BJ-CY-01"], places["CC-CY-01"]} == {"110105", "220104"}  # 朝阳区 twice
    assert sum(r["专业要求"] in ("不限", "专业不限") for r in ROWS) >= 10
    assert len(places["ZS-KJ-01"]) == 4  # 中山市 has no districts: a city-level position
    states = Counter(s.get("status", "open") for s in QUERIES.states.values())
    assert states["closed"] >= 2 and states["full"] >= 2
    assert any("closes_on" in s for s in QUERIES.states.values())


def test_queries_are_labelled_consistently() -> None:
    qs = QUERIES.queries
    assert len(qs) >= 60
    assert len({q.id for q in qs}) == len(qs)
    assert sum(bool(q.clarify) for q in qs) >= 3 and sum(q.empty for q in qs) >= 2
    assert sum(len(q.place) == 1 and len(q.place[0]) == 2 for q in qs) >= 4  # province-only
    assert sum(len(q.place) == 1 and len(q.place[0]) == 6 for q in qs) >= 15  # district-level
    closed = {c for c, s in QUERIES.states.items()
              if s.get("status") in ("closed", "full") or s.get("places_left") == 0
              or str(s.get("closes_on", "9999")) < str(QUERIES.today)}
    for q in qs:
        assert q.q or q.major or q.location, q.id
        for code in q.relevant + q.forbidden:
            assert code in BY_CODE, (q.id, code)
        assert not set(q.relevant) & closed or q.empty, q.id
        if q.place and not q.empty:
            for code in q.relevant:
                assert any(_place_code(code).startswith(p) for p in q.place), (q.id, code)
        if q.clarify:
            assert not q.relevant and not q.place, q.id


def test_quality_bar(db: Database) -> None:
    load_test_catalogue(db)
    report = evaluate(db, QUERIES)
    wrong = "\n".join(f"{o.query.id} {o.query.q or o.query.major}: {'; '.join(o.reasons)}" for o in report.failures)
    assert report.total == len(QUERIES.queries)
    assert report.hit_at_3 >= MIN_HIT_AT_3, f"hit@3 {report.hit_at_3:.1%}\n{wrong}"
    assert report.placed > 100
    assert report.place_precision == 1.0, wrong


@pytest.mark.parametrize("broken", ["relevant", "place"])
def test_the_grader_catches_mistakes(db: Database, broken: str) -> None:
    """A wrong label must show up as a miss: the evaluation is not vacuous."""
    from dataclasses import replace

    load_test_catalogue(db)
    q = next(q for q in QUERIES.queries if q.id == "q02")
    bad = replace(q, relevant=("SZ-KJ-01",)) if broken == "relevant" else replace(q, place=("4403",))
    report = evaluate(db, replace(QUERIES, queries=[bad]))
    assert report.hits == 0
    if broken == "place":
        assert report.place_precision < 1.0
