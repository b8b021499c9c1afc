"""``jianxi import-positions``: the real command on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner, Result

from bot.config import get_settings
from bot.db import Database
from bot.models import Position, Unit
from bot.positions import importer
from bot.positions.catalogue import COLUMNS, parse_row, resolve_place
from bot.positions.importer import import_catalogue
from bot.privacy import Vault

SAMPLE = Path(__file__).parents[1] / "data" / "positions" / "import" / "sample.csv"
SECRET = "positions-import-test-secret-key"
# Every phone number in the sample: none may be stored or printed in clear.
PHONES = ("13812345678", "010-65432100", "65432100", "13900001111", "0471-6543210", "6543210", "0391-6612345")
Cli = Callable[..., Result]


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """Runs ``jianxi …`` in-process against the test database, as an operator would from a shell."""
    from bot.cli import app

    for key in list(os.environ):
        if key.startswith("JIANXI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("JIANXI_DATABASE_URL", db_url)
    monkeypatch.setenv("JIANXI_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)

    yield run
    get_settings.cache_clear()


def summary(result: Result) -> dict[str, Any]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def positions(db: Database) -> dict[str, Position]:
    with db.session() as s:
        return {p.code: p for p in s.scalars(select(Position))}


def count(db: Database, model: type[Any]) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8",
              header: list[str] | None = None) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, header or list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_good_rows_are_imported_and_bad_rows_reported_by_row_number(cli: Cli, db: Database,
                                                                    tmp_path: Path) -> None:
    source = tmp_path / "目录.csv"
    source.write_bytes(SAMPLE.read_bytes())
    r = cli("import-positions", str(source))
    assert r.exit_code == 0, r.stderr
    assert summary(r) | {"seconds": 0} == {"rows": 11, "imported": 6, "inserted": 6, "updated": 0, "errors": 4,
                                          "duplicates": 1, "seconds": 0,
                                          "errors_file": str(tmp_path / "目录.errors.csv")}
    err = r.stderr
    assert "第 4 行：岗位类别「研发类」不是 科研类/技术技能类/管理类/社会服务类 之一" in err
    assert "第 6 行：区县「金水区」不在「广东省广州市」内" in err
    assert "第 8 行：" in err and "招募人数「0」应为 1–9999 的整数" in err and "见习期限（月）「24」应为 3–12 的整数" in err
    assert "示范岗位「也许」应为 是 或 否" in err and "联系电话格式不正确" in err
    assert "第 11 行：省份「火星」不是有效的省级行政区名称" in err
    assert "第 12 行：岗位编号「ZZ-0001」与第 2 行重复，以本行为准" in err

    with (tmp_path / "目录.errors.csv").open(encoding="utf-8-sig", newline="") as f:
        report = list(csv.DictReader(f))
    assert [(x["行号"], x["岗位编号"], x["类型"]) for x in report] == [
        ("4", "ZZ-0003", "错误"), ("6", "ZZ-0005", "错误"), ("8", "ZZ-0007", "错误"), ("11", "ZZ-0010", "错误"),
        ("12", "ZZ-0001", "提醒")]

    got = positions(db)
    assert sorted(got) == ["ZZ-0001", "ZZ-0002", "ZZ-0004", "ZZ-0006", "ZZ-0008", "ZZ-0012"]
    first = got["ZZ-0001"]  # the later row (12) won
    assert (first.headcount, first.places_left, first.description) == (4, 4, "测试用例编写、缺陷跟踪和测试报告")
    assert (first.province_code, first.city_code, first.county_code) == ("41", "4101", "410105")
    assert (first.province, first.city, first.district) == ("河南省", "郑州市", "金水区")
    assert (first.category, first.education, first.months, first.status) == ("技术技能类", "本科", 6, "open")
    assert first.majors_text == "软件工程、计算机科学与技术" and first.major_codes == "080902 080901"
    assert first.search_tokens and all(t in first.title for t in first.search_tokens.split())
    beijing = got["ZZ-0002"]  # a municipality: its 城市 is the municipality itself
    assert (beijing.province_code, beijing.city_code, beijing.county_code, beijing.city) == (
        "11", None, "110105", "北京市")
    assert beijing.majors_text == "不限" and beijing.major_codes == ""
    assert got["ZZ-0004"].demonstration is True and got["ZZ-0006"].demonstration is True
    assert got["ZZ-0006"].majors_text == "计算机类、软件工程" and got["ZZ-0006"].major_codes == "0809 080902"
    assert got["ZZ-0006"].education == "本科"  # 本科及以上
    # An unknown major is kept as published, not refused.
    assert got["ZZ-0008"].majors_text == "量子通信学、电子信息工程" and got["ZZ-0008"].major_codes == "080701"
    jiyuan = got["ZZ-0012"]  # a county-level city directly under the province
    assert (jiyuan.city_code, jiyuan.county_code, jiyuan.city) == (None, "419001", "济源市")

    # Units by (单位名称, place); every position points at its unit.
    with db.session() as s:
        units = {u.id: u for u in s.scalars(select(Unit))}
    assert len(units) == 6
    for p in got.values():
        unit = units[p.unit_id]
        assert unit.name == p.unit_name and (unit.county_code or unit.city_code) == (p.county_code or p.city_code)
    assert got["ZZ-0001"].unit_id != got["ZZ-0004"].unit_id


def test_phone_numbers_are_encrypted_at_rest_and_never_printed(cli: Cli, db: Database, db_url: str,
                                                               tmp_path: Path) -> None:
    r = cli("import-positions", str(SAMPLE), "--errors", str(tmp_path / "report.csv"))
    assert r.exit_code == 0, r.stderr
    output = r.stdout + r.stderr + (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert not [p for p in PHONES + ("12345",) if p in output]
    vault = Vault(SECRET)
    got = positions(db)
    assert vault.decrypt(got["ZZ-0001"].contact_phone_enc or "") == "13812345678"
    assert vault.decrypt(got["ZZ-0002"].contact_phone_enc or "") == "010-65432100"
    assert got["ZZ-0008"].contact_phone_enc is None
    with db.session() as s:
        unit = s.scalar(select(Unit).where(Unit.name == "郑州华创信息技术有限公司"))
        assert unit is not None and vault.decrypt(unit.contact_phone_enc or "") == "13812345678"
        assert unit.contact_phone_hash == vault.lookup_hash("13812345678")
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        db.dispose()
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"ZZ-0001" in stored  # the rows are there ...
        assert not [p for p in PHONES if p.encode() in stored]  # ... their phone numbers are not
    else:
        with db.engine.connect() as conn:
            text = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM positions") for v in row)
            text += " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM units") for v in row)
        assert "ZZ-0001" in text and not [p for p in PHONES if p in text]


def test_upsert_updates_existing_positions_and_keeps_filled_places(cli: Cli, db: Database,
                                                                   tmp_path: Path) -> None:
    rows = [r for r in sample_rows() if r["岗位编号"] in ("ZZ-0002", "ZZ-0004", "ZZ-0006")]
    assert cli("import-positions", str(write_csv(tmp_path / "a.csv", rows))).exit_code == 0
    before = positions(db)
    with db.session() as s:  # 3 of ZZ-0006's 5 places are filled; ZZ-0002 is closed
        s.execute(update(Position).where(Position.code == "ZZ-0006").values(places_left=2))
        s.execute(update(Position).where(Position.code == "ZZ-0002").values(status="closed",
                                                                             closes_on=date(2026, 1, 31)))
        s.execute(update(Position).where(Position.code == "ZZ-0004").values(closes_on=date(2099, 1, 31)))

    changed = [dict(r) for r in rows]
    changed[0]["岗位名称"] = "社区网格员"  # ZZ-0002
    changed[1]["招募人数"] = "1"  # ZZ-0004: 2 → 1, nothing filled
    changed[2]["招募人数"] = "4"  # ZZ-0006: 5 → 4 with 3 filled → 1 left
    extra = dict(changed[2], 岗位编号="ZZ-0099", 招募人数="3")
    r = cli("import-positions", str(write_csv(tmp_path / "b.csv", [*changed, extra])))
    assert r.exit_code == 0, r.stderr
    assert summary(r) | {"seconds": 0} == {"rows": 4, "imported": 4, "inserted": 1, "updated": 3, "errors": 0,
                                          "duplicates": 0, "seconds": 0, "errors_file": None}
    after = positions(db)
    assert len(after) == 4
    assert after["ZZ-0002"].title == "社区网格员" and after["ZZ-0002"].status == "open"
    assert after["ZZ-0002"].closes_on is None and after["ZZ-0004"].closes_on == date(2099, 1, 31)
    assert after["ZZ-0002"].id == before["ZZ-0002"].id and after["ZZ-0002"].created_at == before["ZZ-0002"].created_at
    assert (after["ZZ-0004"].headcount, after["ZZ-0004"].places_left) == (1, 1)
    assert (after["ZZ-0006"].headcount, after["ZZ-0006"].places_left, after["ZZ-0006"].status) == (4, 1, "open")
    assert after["ZZ-0006"].unit_id == before["ZZ-0006"].unit_id == after["ZZ-0099"].unit_id
    assert count(db, Unit) == 3

    changed[2]["招募人数"] = "2"  # fewer places than are filled: none left, the position is full
    assert cli("import-positions", str(write_csv(tmp_path / "c.csv", changed))).exit_code == 0
    final = positions(db)["ZZ-0006"]
    assert (final.headcount, final.places_left, final.status) == (2, 0, "full")


def test_xlsx_first_sheet_with_spreadsheet_types(cli: Cli, db: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    for row in sample_rows():
        cells: list[Any] = [row[c] for c in COLUMNS]
        for i, column in enumerate(COLUMNS):  # numbers and booleans as a spreadsheet holds them
            if column in ("招募人数", "见习期限（月）") and cells[i].isdigit():
                cells[i] = int(cells[i])
            elif column == "联系电话" and cells[i].isdigit():
                cells[i] = int(cells[i])
            elif column == "示范岗位" and cells[i] in ("是", "否"):
                cells[i] = cells[i] == "是"
        ws.append(cells if any(cells) else [None] * len(cells))
    wb.create_sheet("说明").append(["这张表不导入"])
    path = tmp_path / "catalogue.xlsx"
    wb.save(path)

    r = cli("import-positions", str(path))
    assert r.exit_code == 0, r.stderr
    assert summary(r) | {"seconds": 0} == {"rows": 11, "imported": 6, "inserted": 6, "updated": 0, "errors": 4,
                                          "duplicates": 1, "seconds": 0,
                                          "errors_file": str(tmp_path / "catalogue.errors.csv")}
    assert "第 4 行：岗位类别「研发类」" in r.stderr
    got = positions(db)
    assert got["ZZ-0004"].demonstration is True and got["ZZ-0001"].headcount == 4
    assert Vault(SECRET).decrypt(got["ZZ-0004"].contact_phone_enc or "") == "13900001111"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_with_bom_or_in_gbk(cli: Cli, db: Database, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "excel.csv", sample_rows(), encoding=encoding)
    r = cli("import-positions", str(path))
    assert r.exit_code == 0, r.stderr
    assert (summary(r)["inserted"], summary(r)["errors"]) == (6, 4)
    assert positions(db)["ZZ-0002"].unit_name == "北京市朝阳区明德社会工作服务中心"


@pytest.mark.parametrize("header, message", [
    ([c for c in COLUMNS if c != "学历要求"], "表头缺少列：学历要求"),
    ([*COLUMNS[:-1], "联系人"], "表头缺少列：联系电话"),
    ([*COLUMNS, "备注"], "表头有无法识别的列：备注"),
])
def test_bad_header_exits_2_and_writes_nothing(cli: Cli, db: Database, tmp_path: Path, header: list[str],
                                               message: str) -> None:
    rows = [{k: v for k, v in r.items() if k in header} for r in sample_rows()]
    r = cli("import-positions", str(write_csv(tmp_path / "bad.csv", rows, header=header)))
    assert r.exit_code == 2
    assert message in r.stderr and "未写入任何数据" in r.stderr
    assert count(db, Position) == 0 and count(db, Unit) == 0


def test_unreadable_files_exit_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("import-positions", str(tmp_path / "nowhere.csv")).exit_code == 2
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    r = cli("import-positions", str(tmp_path / "old.xls"))
    assert r.exit_code == 2 and ".xlsx" in r.stderr
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert cli("import-positions", str(tmp_path / "broken.xlsx")).exit_code == 2
    (tmp_path / "empty.csv").write_bytes(b"")
    assert cli("import-positions", str(tmp_path / "empty.csv")).exit_code == 2


def test_a_failed_batch_is_rolled_back_whole_and_reported(db: Database, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rows = sample_rows()
    good = [r for r in rows if r["岗位编号"] in ("ZZ-0002", "ZZ-0004", "ZZ-0006", "ZZ-0008", "ZZ-0012")]
    good.insert(3, dict(good[0], 岗位编号="ZZ-0003", 单位名称="新单位只在失败的批次里"))
    path = write_csv(tmp_path / "f.csv", good)  # with batch_size=2: [0002, 0004] [0006, 0003] [0008, 0012]
    name = "_sqlite_upsert" if db.is_sqlite else "_pg_upsert"
    original = getattr(importer.PositionWriter, name)
    calls = {"n": 0}

    def fail_second_batch(self: importer.PositionWriter, conn: Any, rows: list[tuple[Any, ...]]) -> set[str]:
        existing = original(self, conn, rows)  # the rows are written inside the transaction ...
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("磁盘已满")  # ... then the batch fails
        return existing

    monkeypatch.setattr(importer.PositionWriter, name, fail_second_batch)
    problems: list[importer.Problem] = []
    result = import_catalogue(db, path, Vault(SECRET), batch_size=2, on_problem=problems.append)
    assert (result.rows, result.inserted, result.errors, result.failed_batches) == (6, 4, 2, 1)
    assert [p.message() for p in problems] == [
        "第 4–5 行：这一批 2 条写入数据库失败，已整批回滚：RuntimeError: 磁盘已满"]
    assert sorted(positions(db)) == ["ZZ-0002", "ZZ-0004", "ZZ-0008", "ZZ-0012"]
    with db.session() as s:  # the failed batch's new unit went with it
        assert s.scalar(select(Unit).where(Unit.name == "新单位只在失败的批次里")) is None

    # The same file again, without the fault: the failed rows come in, their unit is created once.
    monkeypatch.setattr(importer.PositionWriter, name, original)
    again = import_catalogue(db, path, Vault(SECRET), batch_size=2)
    assert (again.inserted, again.updated, again.errors) == (2, 4, 0)
    got = positions(db)
    with db.session() as s:
        unit_ids = set(s.scalars(select(Unit.id)))
    assert {p.unit_id for p in got.values()} <= unit_ids and len(unit_ids) == 6


def test_cli_reports_a_failed_batch_with_exit_code_1(cli: Cli, db: Database, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: importer.PositionWriter, conn: Any, rows: list[tuple[Any, ...]]) -> set[str]:
        raise RuntimeError("连接中断")

    monkeypatch.setattr(importer.PositionWriter, "_sqlite_upsert", broken)
    monkeypatch.setattr(importer.PositionWriter, "_pg_upsert", broken)
    r = cli("import-positions", str(SAMPLE), "--errors", str(tmp_path / "report.csv"))
    assert r.exit_code == 1
    assert "写入数据库失败，已整批回滚：RuntimeError: 连接中断" in r.stderr
    assert summary(r)["imported"] == 0 and count(db, Position) == 0 and count(db, Unit) == 0


def test_parse_row_and_places() -> None:
    row = dict(sample_rows()[0])
    record = parse_row(row, 2)
    assert not isinstance(record, list) and record.row == 2 and record.place.code == "410105"
    row["岗位类别"] = "研发类"
    row["区县"] = "天河区"
    assert parse_row(row, 17) == ["第 17 行：岗位类别「研发类」不是 科研类/技术技能类/管理类/社会服务类 之一",
                                  "第 17 行：区县「天河区」不在「河南省郑州市」内"]
    # Short and full names, municipalities, county-level cities, codes.
    assert resolve_place("河南省", "郑州市", "金水").code == resolve_place("41", "4101", "410105").code  # type: ignore
    assert resolve_place("北京", "", "朝阳").code == "110105"  # type: ignore[union-attr]
    assert resolve_place("辽宁", "朝阳", "").code == "2113"  # type: ignore[union-attr]
    assert resolve_place("广东", "东莞市", "东莞市").code == "441900"  # type: ignore[union-attr]
    assert resolve_place("河南", "郑州", "郑州市").code == "4101"  # type: ignore[union-attr]
    assert resolve_place("上海", "浦东新区", "") == ["城市「浦东新区」与省份「上海市」不符：直辖市的城市请填写「上海市」"]
    assert resolve_place("河南", "广州", "") == ["城市「广州」不在「河南省」"]
    assert resolve_place("河南", "", "") == ["城市不能为空"]
