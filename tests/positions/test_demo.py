"""``jianxi demo-data``: a realistic catalogue with units, trainees and officials, written once."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from bot.config import get_settings
from bot.db import Database
from bot.demo import DEMO_RATIO_DEFAULT_MIN, DEMO_RATIO_MIN, FOCUS_REGIONS, credit_code, seed, seed_if_empty
from bot.models import EDUCATION_LEVELS, Application, Position, PositionCategory, Role, Unit, User
from bot.positions import features
from bot.privacy import Vault
from knowledge.divisions import MUNICIPALITIES, divisions
from knowledge.majors import majors

SECRET = "positions-demo-test-secret-key"
ARGS = ("demo-data", "--positions", "3000", "--units", "150", "--trainees", "60")


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from bot.cli import app

    for key in list(os.environ):
        if key.startswith("JIANXI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("JIANXI_DATABASE_URL", db_url)
    monkeypatch.setenv("JIANXI_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()

    def run(*args: str) -> Result:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result

    yield run
    get_settings.cache_clear()


def last_json(result: Result) -> dict[str, Any]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def count(db: Database, model: type[Any], *where: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_demo_data_counts_and_is_idempotent(demo: Any, db: Database) -> None:
    first = last_json(demo(*ARGS))
    assert first | {"seconds": 0} == {"personas": 3, "graduates": 100, "officials": 10, "units": 150,
                                      "positions": 3000, "positions_existing": 0, "trainees": 60, "seconds": 0}
    totals = {m.__name__: count(db, m) for m in (Position, Unit, User, Application)}
    assert totals == {"Position": 3000, "Unit": 150, "User": 3 + 100 + 10 + 150 + 60, "Application": 60}

    second = last_json(demo(*ARGS))
    assert second | {"seconds": 0} == {"personas": 3, "graduates": 0, "officials": 0, "units": 0,
                                       "positions": 0, "positions_existing": 3000, "trainees": 0, "seconds": 0}
    assert {m.__name__: count(db, m) for m in (Position, Unit, User, Application)} == totals

    # A bigger run adds only what is missing, with the same first positions (deterministic for a seed).
    with db.session() as s:
        before = {p.code: (p.title, p.unit_name, p.county_code) for p in s.scalars(select(Position))}
    third = last_json(demo("demo-data", "--positions", "3500", "--units", "150", "--trainees", "60"))
    assert (third["positions"], third["positions_existing"], third["units"]) == (500, 3000, 0)
    with db.session() as s:
        after = {p.code: (p.title, p.unit_name, p.county_code) for p in s.scalars(select(Position))}
    assert len(after) == 3500 and all(after[c] == v for c, v in before.items())


def test_demo_catalogue_is_realistic(demo: Any, db: Database) -> None:
    demo(*ARGS)
    divs, catalogue = divisions(), majors()
    groups = {m.group for m in catalogue.by_name.values()}
    with db.session() as s:
        positions = list(s.scalars(select(Position)))
        units = {u.id: u for u in s.scalars(select(Unit))}
        users = {u.openid: u for u in s.scalars(select(User))}
        applications = list(s.scalars(select(Application)))

    for p in positions:
        # Real places, consistent codes and names.
        province = divs.by_code[p.province_code]
        assert p.province == province.name
        county = divs.by_code[p.county_code or ""]
        assert county.level == "county" and county.province_code == p.province_code
        if p.city_code:
            assert divs.by_code[p.city_code].name == p.city and county.city_code == p.city_code
            assert p.district == county.name
        elif p.province_code in MUNICIPALITIES:
            assert p.city == province.name and p.district == county.name
        else:
            assert p.city == county.name  # a county-level city under its province (济源市)
        # Real majors from the catalogue, or a whole 专业类, or 不限; codes as the importer computes them.
        names = p.majors_text.split("、")
        assert p.majors_text == "不限" or all(n in catalogue.by_name or n in groups for n in names), p.majors_text
        if p.majors_text != "不限" and names[0] in catalogue.by_name:
            assert len({catalogue.by_name[n].group for n in names}) == 1 and 1 <= len(names) <= 4
        assert p.major_codes == ("" if p.majors_text == "不限" else features.major_codes(p.majors_text))
        assert p.search_tokens == features.title_tokens(p.title)
        assert p.category in {c.value for c in PositionCategory} and p.education in EDUCATION_LEVELS
        assert 1 <= p.headcount <= 10 and 0 <= p.places_left <= p.headcount and 3 <= p.months <= 12
        assert p.opens_on and p.closes_on and p.opens_on < p.closes_on
        assert (p.status == "closed") == (p.closes_on < date.today())
        assert p.status != "full" or p.places_left == 0
        unit = units[p.unit_id or 0]
        assert unit.name == p.unit_name and unit.county_code == p.county_code
        assert Vault(SECRET).decrypt(p.contact_phone_enc or "") == Vault(SECRET).decrypt(unit.contact_phone_enc or "")

    # The mix: some 专业不限, some whole 专业类, mostly open, a few full and closed, focus regions weigh more.
    share = Counter("不限" if p.majors_text == "不限" else "类" if p.majors_text in groups else "named"
                    for p in positions)
    assert 0.06 < share["不限"] / 3000 < 0.2 and 0.04 < share["类"] / 3000 < 0.2
    status = Counter(p.status for p in positions)
    assert status["open"] > 0.75 * 3000 and status["full"] > 0 and status["closed"] > 0
    assert len({p.category for p in positions}) == 4 and len({p.province_code for p in positions}) > 20
    focus = sum(1 for p in positions if any((p.county_code or "").startswith(r) for r in FOCUS_REGIONS))
    assert focus > 0.45 * 3000
    assert Counter(p.months for p in positions).most_common(2)[0][0] in (6, 12)

    # 示范岗位 at the notices' ratios: ≥ 2% in 内蒙古, ≥ 1% elsewhere, and not far above.
    demos = [p for p in positions if p.demonstration]
    assert DEMO_RATIO_DEFAULT_MIN <= len(demos) / 3000 <= 0.04
    inner = [p for p in positions if p.province_code == "15"]
    assert len(inner) > 100 and sum(p.demonstration for p in inner) / len(inner) >= DEMO_RATIO_MIN["15"]

    # Units: each with a contact user; a well-formed credit code; some 见习基地.
    assert sum(u.is_base for u in units.values()) > 0
    for u in units.values():
        assert u.contact_openid and users[u.contact_openid].role == Role.unit.value
        assert u.credit_code and len(u.credit_code) == 18 and u.credit_code[2:8] == u.county_code
        assert Vault(SECRET).decrypt(u.contact_phone_enc or "") is not None
    assert credit_code(0, "110105").startswith("91110105")

    # Trainees on internship at positions of the units; officials for every focus region.
    by_id = {p.id: p for p in positions}
    assert len(applications) == 60
    for a in applications:
        p = by_id[a.position_id]
        assert a.status == "on_internship" and a.position_code == p.code and a.unit_id == p.unit_id
        assert a.starts_on and a.ends_on and a.starts_on <= date.today() < a.ends_on
        assert users[a.openid].role == Role.graduate.value and a.openid.startswith("demo-t-")
        assert a.region_code == p.county_code
    assert len({a.unit_id for a in applications}) > 40  # spread over many units
    officials = [u for u in users.values() if u.role == Role.official.value and u.openid.startswith("demo-o-")]
    assert {u.region_code for u in officials} == set(FOCUS_REGIONS)


def test_seed_if_empty_brings_a_modest_catalogue_once(db: Database) -> None:
    vault = Vault(SECRET)
    assert seed_if_empty(db, vault=vault) is True
    assert count(db, Position) == 2000 and count(db, Unit) == 200
    assert count(db, Application, Application.status == "on_internship") == 100
    assert seed_if_empty(db, vault=vault) is False
    assert count(db, Position) == 2000


def test_seed_if_empty_leaves_an_imported_catalogue_alone(db: Database) -> None:
    """`jianxi serve` on a database that holds an imported catalogue (and no users yet) adds no demo data."""
    from tests.positions.helpers import add, row

    add(db, row("IMP-001"), row("IMP-002", "软件工程"))
    assert count(db, User) == 0
    assert seed_if_empty(db, vault=Vault(SECRET)) is False
    assert count(db, Position) == 2 and count(db, Unit) == count(db, Unit, Unit.name.like("%测试单位%"))
    assert count(db, User) == 0


def test_positions_only_without_units_or_trainees(db: Database) -> None:
    out = seed(db, positions=50, units=0, trainees=0, graduates=0, vault=Vault(SECRET))
    assert (out["positions"], out["units"], out["trainees"]) == (50, 1, 0)
    assert count(db, Position) == 50
