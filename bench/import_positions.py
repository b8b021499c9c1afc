"""How long ``jianxi demo-data`` and ``jianxi import-positions`` take at 10k, 100k and 1M positions.

    python bench/import_positions.py [--sizes 10000,100000,1000000] [--db sqlite,postgresql]
                                     [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--workdir DIR]

Each measurement runs the real command in a fresh process on a fresh database (a SQLite file in the work
directory; a scratch PostgreSQL database created and dropped here). For each size and database:

- ``demo-data --positions N --units N/50 --trainees min(N/100, 10000)``;
- ``import-positions`` of a CSV of N demo positions into an empty database (all inserts);
- the same file again (all updates).

Prints one line per run (wall seconds, rows per second, peak resident memory of the process) and a JSON
line per run for scripts. The CSV is written once per size (not timed with the imports).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_csv(path: Path, size: int) -> float:
    from bot.demo import generate_positions
    from bot.positions.catalogue import COLUMNS, as_row

    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        for record in generate_positions(max(size // 50, 1), size):
            writer.writerow(as_row(record))
    return time.perf_counter() - started


def run(args: list[str], url: str, cwd: Path) -> dict[str, Any]:
    """Run ``jianxi ARGS`` in a fresh process; its wall time, peak memory and JSON summary."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIANXI_")}
    env["JIANXI_DATABASE_URL"] = url
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", "from bot.cli import app; app()", *args], cwd=cwd,
                                env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory, not the largest so far
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"jianxi {' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {"wall_s": round(seconds, 1), "peak_mb": usage.ru_maxrss // 1024,
            "summary": json.loads(stdout.strip().splitlines()[-1])}


class Scratch:
    """A fresh database of the given kind; dropped (PostgreSQL) or deleted (SQLite) afterwards."""

    def __init__(self, kind: str, workdir: Path, pg_url: str) -> None:
        self.kind, self.workdir, self.pg_url = kind, workdir, pg_url
        self.name = f"jianxi_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    def __enter__(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / (self.name + '.db')}"
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        return self.pg_url.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc: object) -> None:
        if self.kind == "sqlite":
            for path in self.workdir.glob(self.name + ".db*"):
                path.unlink()
            return
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("JIANXI_TEST_PG_URL",
                                                            "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    kinds = [k.strip() for k in args.db.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="jianxi-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {workdir}; {os.cpu_count()} CPUs", flush=True)
    results = []
    for size in sizes:
        source = workdir / f"positions-{size}.csv"
        seconds = write_csv(source, size)
        print(f"\n{size:>9,} rows: CSV written in {seconds:.1f} s ({source.stat().st_size / 2**20:.0f} MB)",
              flush=True)
        for kind in kinds:
            units, trainees = max(size // 50, 1), min(size // 100, 10_000)
            runs: list[tuple[str, list[str]]] = [
                ("demo-data", ["demo-data", "--positions", str(size), "--units", str(units), "--trainees",
                               str(trainees)]),
                ("import (insert)", ["import-positions", str(source)]),
                ("import (update)", ["import-positions", str(source)]),
            ]
            for label, command in runs[:1]:
                with Scratch(kind, workdir, args.pg_url) as url:
                    results.append(report(size, kind, label, run(command, url, workdir)))
            with Scratch(kind, workdir, args.pg_url) as url:
                for label, command in runs[1:]:
                    results.append(report(size, kind, label, run(command, url, workdir)))
    print("\n" + "\n".join(json.dumps(r, ensure_ascii=False) for r in results))


def report(size: int, kind: str, label: str, result: dict[str, Any]) -> dict[str, Any]:
    rate = size / result["wall_s"] if result["wall_s"] else 0
    inner = result["summary"].get("seconds") or 0
    print(f"  {kind:<10} {label:<16} {result['wall_s']:>7.1f} s wall ({rate:>7,.0f} rows/s); "
          f"{inner:>7.1f} s in the command ({size / inner if inner else 0:>7,.0f} rows/s); "
          f"peak {result['peak_mb']:>5} MB", flush=True)
    return {"size": size, "db": kind, "run": label, **result}


if __name__ == "__main__":
    main()
