"""Import a position catalogue (.csv or .xlsx) in batches: upsert by 岗位编号, units by name and place.

:class:`PositionWriter` is the one bulk path that writes positions (the importer and ``jianxi demo-data``
both use it): each batch is one transaction that creates the batch's new units, then inserts or updates
its positions with one ``INSERT … ON CONFLICT (code)`` (an executemany on SQLite; on PostgreSQL a binary
COPY into a temporary table, then one ``INSERT … SELECT``), so a failed batch leaves nothing half-written. :func:`import_catalogue` reads the file, validates rows (bot.positions.catalogue) and feeds
the writer.
"""

from __future__ import annotations

import codecs
import csv
import io
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from bot.db import Database
from bot.models import Position, PositionStatus, Unit, utcnow
from bot.positions.catalogue import PositionRecord, RowParser, check_header
from bot.privacy import Vault

POSITIONS = Position.__table__
UNITS = Unit.__table__
DEFAULT_BATCH = 5000
_SQLITE_CACHE_KB = 64 * 1024  # SQLite's default page cache is 2 MB: too small for a million rows' indexes
_IN_CHUNK = 5000  # bound parameters per IN (…) look-up, well under SQLite's limit
# The columns a batch writes, in the order of each row tuple.
_COLUMNS = ("code", "unit_id", "unit_name", "title", "category", "majors_text", "major_codes", "search_tokens",
            "education", "province_code", "city_code", "county_code", "province", "city", "district",
            "headcount", "places_left", "months", "demonstration", "status", "opens_on", "closes_on",
            "description", "contact_phone_enc", "created_at", "updated_at")
_PG_TYPE_NAMES = {"String": "varchar", "Text": "text", "Integer": "int4", "Boolean": "bool", "Date": "date",
                  "DateTime": "timestamp"}
_PG_TYPES = [_PG_TYPE_NAMES[type(POSITIONS.c[name].type).__name__] for name in _COLUMNS]
# Columns an import overwrites on an existing position (opens_on and created_at are kept; see _PLACES_SQL).
_UPDATED = ("unit_id", "unit_name", "title", "category", "majors_text", "major_codes", "search_tokens",
            "education", "province_code", "city_code", "county_code", "province", "city", "district",
            "headcount", "months", "demonstration", "description", "contact_phone_enc", "updated_at")
# Places already filled stay filled when the headcount changes; the position is open while places are left;
# a closing day already past is cleared (the catalogue publishes the position again).
_FILLED = ("(CASE WHEN positions.headcount > positions.places_left "
           "THEN positions.headcount - positions.places_left ELSE 0 END)")
_PLACES_SQL = (f", places_left = CASE WHEN excluded.headcount > {_FILLED} THEN excluded.headcount - {_FILLED} "
               f"ELSE 0 END, status = CASE WHEN excluded.headcount > {_FILLED} THEN 'open' ELSE 'full' END, "
               "closes_on = CASE WHEN positions.closes_on < excluded.opens_on THEN NULL ELSE positions.closes_on END")


class CatalogueFileError(Exception):
    """The file cannot be imported at all (missing, unreadable, wrong header): nothing was written."""


@dataclass(frozen=True)
class Problem:
    """A refused row (error), a row that replaced an earlier one (warning), or a failed batch (error)."""

    rows: str  # "17", or "2–5001" for a batch
    code: str
    reason: str
    kind: str = "error"

    def message(self) -> str:
        return f"第 {self.rows} 行：{self.reason}"


@dataclass
class ImportSummary:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    errors: int = 0
    duplicates: int = 0
    failed_batches: int = 0
    seconds: float = 0.0
    stopped: str | None = None  # why reading stopped early, if it did

    @property
    def imported(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "imported": self.imported, "inserted": self.inserted,
                "updated": self.updated, "errors": self.errors, "duplicates": self.duplicates,
                "seconds": round(self.seconds, 2)}


# --------------------------------------------------------------------------------------------- writing


class PositionWriter:
    """Writes batches of :class:`PositionRecord`: one transaction per batch, units first.

    ``update_existing=True`` (import): an existing 岗位编号 is updated, its places left follow the new
    headcount (places already filled stay filled) and it is open again while it has places.
    ``update_existing=False`` (demo data): existing codes are left alone. As a context manager it keeps one
    connection for the whole run; without one, each :meth:`write` uses and gives back its own.

    SQLite: one ``INSERT … ON CONFLICT(code) DO UPDATE`` executemany per batch. PostgreSQL: the batch is
    COPied into a temporary table, then merged with one ``INSERT … SELECT … ON CONFLICT``. Both run the
    driver's own statement, without per-row work in SQLAlchemy.
    """

    def __init__(self, db: Database, vault: Vault, *, update_existing: bool = True) -> None:
        self.db = db
        self.vault = vault
        self.update_existing = update_existing
        self._phones: dict[str, str] = {}
        self._units: dict[tuple[str, str], int] = {}
        self._conn: Connection | None = None
        self._restore: dict[str, Any] = {}
        self._entered = False
        with db.engine.connect() as conn:
            cols = (UNITS.c.id, UNITS.c.name, UNITS.c.province_code, UNITS.c.city_code, UNITS.c.county_code)
            for uid, name, prov, city, county in conn.execute(select(*cols).order_by(UNITS.c.id)):
                self._units.setdefault((name, county or city or prov or ""), uid)
        names = ", ".join(_COLUMNS)
        if update_existing:
            conflict = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED) + _PLACES_SQL
        else:
            conflict = "DO NOTHING"
        if db.is_sqlite:
            marks = ", ".join("?" for _ in _COLUMNS)
            self._sql = f"INSERT INTO positions ({names}) VALUES ({marks}) ON CONFLICT (code) {conflict}"
        else:
            self._sql = (f"INSERT INTO positions ({names}) SELECT {names} FROM _positions_in "
                         f"ON CONFLICT (code) {conflict}")

    def encrypt_phone(self, phone: str) -> str:
        """One ciphertext per distinct number within a run (encryption is the costly part of a row)."""
        token = self._phones.get(phone)
        if token is None:
            if len(self._phones) > 100_000:
                self._phones.clear()
            token = self._phones[phone] = self.vault.encrypt(phone)
        return token

    def write(self, records: Sequence[PositionRecord]) -> set[str]:
        """Write one batch (codes must be distinct) in one transaction; the codes that already existed."""
        now = utcnow()
        sqlite_ = self.db.is_sqlite
        # SQLite stores dates and datetimes as text: convert once here rather than per value in SQLAlchemy.
        stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite_ else now
        today = now.date()
        with self._transaction() as conn:
            new_units = self._create_units(conn, records, now)
            units = self._units
            encrypt = self.encrypt_phone
            open_ = PositionStatus.open.value
            rows = []
            for r in records:
                p = r.place
                key = (r.unit_name, p.code)
                opens, closes = r.opens_on or today, r.closes_on
                if sqlite_:
                    opens, closes = opens.isoformat(), closes.isoformat() if closes else None
                rows.append((
                    r.code, new_units.get(key) or units.get(key), r.unit_name, r.title, r.category, r.majors_text,
                    r.major_codes, r.search_tokens, r.education, p.province_code, p.city_code, p.county_code,
                    p.province, p.city, p.district, r.headcount,
                    r.headcount if r.places_left is None else r.places_left, r.months, r.demonstration,
                    r.status or open_, opens, closes, r.description, encrypt(r.phone) if r.phone else None,
                    stamp, stamp))
            existing = self._sqlite_upsert(conn, rows) if sqlite_ else self._pg_upsert(conn, rows)
        # Only now that the batch is committed do its units exist for later batches.
        units.update(new_units)
        return existing

    def __enter__(self) -> PositionWriter:
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._entered = False
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self._restore:
                for name, value in self._restore.items():
                    conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
                conn.commit()
        finally:
            conn.close()

    def _connection(self) -> Connection:
        """The writer's own connection, kept for the whole run (its SQLite page cache stays warm).

        On SQLite, while the writer runs: no fsync at each commit (WAL with synchronous=NORMAL stays
        consistent: a batch is all there or not at all; a power cut could only lose the newest batches,
        never half of one), a page cache that holds the positions indexes, and fewer, larger checkpoints.
        The settings are put back when the writer closes.
        """
        if self._conn is None:
            conn = self._conn = self.db.engine.connect()
            if self.db.is_sqlite:
                settings = {"synchronous": "NORMAL", "cache_size": -_SQLITE_CACHE_KB, "wal_autocheckpoint": 10_000}
                self._restore = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in settings}
                for name, value in settings.items():
                    conn.exec_driver_sql(f"PRAGMA {name} = {value}")
            conn.commit()
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        conn = self._connection()
        try:
            with conn.begin():
                yield conn
            if not self._entered:
                self.close()  # used without ``with``: one connection per batch, given back at once
        except BaseException:
            # Rolled back. Start the next batch on a fresh connection, in case this one is broken.
            try:
                self.close()
            except Exception:
                self._conn = None
            raise

    def _sqlite_upsert(self, conn: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
        existing: set[str] = set()
        codes = [r[0] for r in rows]
        for i in range(0, len(codes), _IN_CHUNK):
            chunk = codes[i : i + _IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            found = conn.exec_driver_sql(f"SELECT code FROM positions WHERE code IN ({marks})", tuple(chunk))
            existing.update(row[0] for row in found)
        if rows:
            conn.exec_driver_sql(self._sql, rows)
        return existing

    def _pg_upsert(self, conn: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
        names = ", ".join(_COLUMNS)
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE _positions_in ON COMMIT DROP AS SELECT {names} FROM positions "
                        "WITH NO DATA")
            with cur.copy(f"COPY _positions_in ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(_PG_TYPES)  # binary COPY with known types: about three times faster than text
                for row in rows:
                    copy.write_row(row)
            cur.execute("SELECT i.code FROM _positions_in i JOIN positions p ON p.code = i.code")
            existing = {row[0] for row in cur.fetchall()}
            cur.execute(self._sql)
        return existing

    def _create_units(self, conn: Connection, records: Sequence[PositionRecord], now: Any) -> dict[
            tuple[str, str], int]:
        wanted: dict[tuple[str, str], PositionRecord] = {}
        for r in records:
            key = (r.unit_name, r.place.code)
            if key not in self._units and key not in wanted:
                wanted[key] = r
        if not wanted:
            return {}
        rows = []
        for r in wanted.values():
            p = r.place
            rows.append({"name": r.unit_name, "province_code": p.province_code, "city_code": p.city_code,
                         "county_code": p.county_code,
                         "contact_phone_enc": self.encrypt_phone(r.phone) if r.phone else None,
                         "contact_phone_hash": self.vault.lookup_hash(r.phone) if r.phone else None,
                         "is_base": False, "status": "approved", "created_at": now, "updated_at": now})
        c = UNITS.c
        # Keyed by what comes back rather than by the order of rows (cheaper than an ordered RETURNING).
        stmt = UNITS.insert().returning(c.id, c.name, c.province_code, c.city_code, c.county_code)
        return {(name, county or city or prov): uid for uid, name, prov, city, county in conn.execute(stmt, rows)}


# --------------------------------------------------------------------------------------------- reading


@dataclass
class CatalogueFile:
    header: list[Any]
    rows: Iterator[Sequence[Any]]  # the data rows' cells, in order: the first is spreadsheet row 2
    done: Callable[[], float]  # how much of the file has been read, 0..1
    encoding: str | None = None


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as e:
        raise CatalogueFileError("文件编码无法识别：请另存为 UTF-8 编码的 CSV 或 .xlsx 文件") from e


@contextmanager
def open_catalogue(path: Path) -> Iterator[CatalogueFile]:
    """The header and rows of a .csv (UTF-8, UTF-8 with BOM or GBK) or of an .xlsx's first sheet."""
    if not path.is_file():
        raise CatalogueFileError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with _open_xlsx(path) as f:
            yield f
    elif suffix in (".csv", ".txt"):
        with _open_csv(path) as f:
            yield f
    elif suffix == ".xls":
        raise CatalogueFileError("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）")
    else:
        raise CatalogueFileError(f"不支持的文件类型「{path.suffix or '无扩展名'}」：请使用 .csv 或 .xlsx")


@contextmanager
def _open_csv(path: Path) -> Iterator[CatalogueFile]:
    size = max(path.stat().st_size, 1)
    with path.open("rb") as raw:
        encoding = _sniff_encoding(raw.read(1 << 16))
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        first = text.readline()
        delimiter = "\t" if "\t" in first and "," not in first else ","
        header = next(csv.reader([first], delimiter=delimiter), [])
        if not any(h.strip() for h in header):
            raise CatalogueFileError("文件是空的，或第 1 行不是表头")
        yield CatalogueFile(header, csv.reader(text, delimiter=delimiter), lambda: raw.tell() / size, encoding)


@contextmanager
def _open_xlsx(path: Path) -> Iterator[CatalogueFile]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise CatalogueFileError(f"无法读取 Excel 文件：{e.__class__.__name__}（请确认是 .xlsx 格式）") from e
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = list(next(rows, ()) or ())
        if not any(h is not None and str(h).strip() for h in header):
            raise CatalogueFileError("第一个工作表是空的，或第 1 行不是表头")
        total = max((ws.max_row or 0) - 1, 1)
        read = [0]

        def counted() -> Iterator[Sequence[Any]]:
            for row in rows:
                read[0] += 1
                yield row

        yield CatalogueFile(header, counted(), lambda: min(read[0] / total, 1.0))
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------- import


def import_catalogue(db: Database, path: Path, vault: Vault, *, batch_size: int = DEFAULT_BATCH,
                     on_problem: Callable[[Problem], None] | None = None,
                     on_progress: Callable[[int, float], None] | None = None) -> ImportSummary:
    """Import ``path``: good rows upserted batch by batch, bad rows reported through ``on_problem``.

    Raises :class:`CatalogueFileError` before writing anything when the file or its header is unusable.
    """
    started = time.perf_counter()
    summary = ImportSummary()
    report = on_problem or (lambda p: None)
    with ExitStack() as stack:
        f = stack.enter_context(open_catalogue(path))
        header, problems = check_header(f.header)
        if problems:
            raise CatalogueFileError("\n".join(problems))
        writer = stack.enter_context(PositionWriter(db, vault))
        parser = RowParser()
        first_row: dict[str, int] = {}  # 岗位编号 → the row it first appeared on
        written: set[str] = set()
        batch: dict[str, PositionRecord] = {}

        def flush() -> None:
            records = list(batch.values())
            batch.clear()
            try:
                existing = writer.write(records)
            except Exception as exc:  # the transaction was rolled back: nothing of this batch is written
                summary.failed_batches += 1
                summary.errors += len(records)
                rows = sorted(r.row for r in records)
                report(Problem(f"{rows[0]}–{rows[-1]}", "",
                               f"这一批 {len(records)} 条写入数据库失败，已整批回滚：{_describe(exc)}"))
                return
            for r in records:
                if r.code in written:
                    continue  # a repeat of a code written by an earlier batch of this file
                written.add(r.code)
                if r.code in existing:
                    summary.updated += 1
                else:
                    summary.inserted += 1
            if on_progress:
                on_progress(summary.rows, f.done())

        row_number = 1
        try:
            code_at = header.index("岗位编号")
            for cells in f.rows:
                row_number += 1
                if not any(cells):
                    continue
                result = parser.reasons_or_record(dict(zip(header, cells, strict=False)))
                if isinstance(result, list):
                    if not any(c is not None and str(c).strip() for c in cells):
                        continue  # a row of blanks
                    summary.rows += 1
                    summary.errors += 1
                    code = str(cells[code_at] or "").strip() if len(cells) > code_at else ""
                    report(Problem(str(row_number), code, "；".join(result)))
                    continue
                summary.rows += 1
                result.row = row_number
                earlier = first_row.get(result.code)
                if earlier is None:
                    first_row[result.code] = row_number
                else:
                    summary.duplicates += 1
                    report(Problem(str(row_number), result.code,
                                   f"岗位编号「{result.code}」与第 {earlier} 行重复，以本行为准", kind="warning"))
                batch[result.code] = result
                if len(batch) >= batch_size:
                    flush()
        except (UnicodeDecodeError, csv.Error) as e:
            summary.stopped = f"第 {row_number} 行附近无法读取（{e.__class__.__name__}），其后的行未导入"
            report(Problem(str(row_number), "", summary.stopped))
            summary.errors += 1
        if batch:
            flush()
        if on_progress:
            on_progress(summary.rows, 1.0)
    summary.seconds = time.perf_counter() - started
    return summary


def _describe(exc: Exception) -> str:
    """A database error in one line, without the statement or its parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{orig.__class__.__name__}: {text}"[:300]

