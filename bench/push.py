"""Pushes per second through the outbox, and what the outbox costs, at 100,000 recipients (or the sizes given).

    python bench/push.py [SIZES ...] [--url sqlite:///path | postgresql://...] [--rate 100000]

For each size it fills a fresh database with that many units (each with a trainee on internship), starts the
stand-in WeChat API (a real HTTP server on this machine), and runs one reminder round (`scheduler.jobs.remind`)
with the rate limit set high, so the figure is what the outbox, the client and the HTTP round trip sustain.
Prints: enqueue time, delivery time and pushes per second, the outbox table's size on disk (SQLite) or in the
database (PostgreSQL), the process's peak resident memory, and a JSON line per size. A second, identical round
shows what a rerun costs (nothing to send).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def fill(db, n: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from bot.models import Application, Unit

    with db.engine.begin() as conn:
        batch = 10_000
        for start in range(0, n, batch):
            count = min(batch, n - start)
            conn.execute(insert(Unit), [{"name": f"单位{i}", "province_code": "15", "city_code": "1501",
                                         "county_code": "150102", "status": "approved", "is_base": False,
                                         "wants_base": False, "contact_openid": f"o_bench_{i:07d}"}
                                        for i in range(start, start + count)])
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM units ORDER BY id")]
        for start in range(0, len(ids), batch):
            conn.execute(insert(Application), [
                {"openid": f"o_trainee_{u}", "position_id": 1, "position_code": "X", "unit_id": u,
                 "region_code": "150102", "status": "on_internship", "applicant_name": "张三",
                 "starts_on": date(2026, 9, 1), "ends_on": date(2027, 2, 28)} for u in ids[start:start + batch]])


def outbox_bytes(db) -> int | None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        if db.is_sqlite:
            try:
                return int(conn.exec_driver_sql(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'push_outbox%' OR name LIKE '%push_outbox%'"
                ).scalar() or 0)
            except Exception:  # noqa: BLE001 — SQLite built without dbstat
                return None
        return int(conn.exec_driver_sql("SELECT pg_total_relation_size('push_outbox')").scalar() or 0)


def run(size: int, url: str | None, rate: float) -> dict[str, object]:
    from bot.config import SIMULATOR_APPID, SIMULATOR_SECRET, Settings
    from bot.db import Database
    from bot.kv import DatabaseStore
    from bot.wechat.client import WeChatApi
    from bot.wechat.standin import run_standin
    from scheduler.jobs import remind

    tmp = tempfile.TemporaryDirectory()
    url = url or f"sqlite:///{tmp.name}/push.db"
    db = Database(url)
    db.upgrade()
    started = time.perf_counter()
    fill(db, size)
    filled = time.perf_counter() - started
    out: dict[str, object] = {"recipients": size, "fill_s": round(filled, 1)}
    with run_standin(SIMULATOR_APPID, SIMULATOR_SECRET) as api_base:
        settings = Settings(env="test", database_url=url, wechat_api_base=api_base, push_rate_per_s=rate,
                            _env_file=None)  # type: ignore[call-arg]
        api = WeChatApi(settings, db, DatabaseStore(db))
        t0 = time.perf_counter()
        summary = remind(db, api, settings, "attendance", "2026-10", date(2026, 11, 2))
        took = time.perf_counter() - t0
        t1 = time.perf_counter()
        rerun = remind(db, api, settings, "attendance", "2026-10", date(2026, 11, 2))
        rerun_s = time.perf_counter() - t1
    out.update({"sent": summary.sent, "failed": summary.failed, "round_s": round(took, 1),
                "pushes_per_s": round(summary.sent / took, 1) if took else None,
                "rerun_sent": rerun.sent, "rerun_s": round(rerun_s, 1),
                "outbox_mb": round((outbox_bytes(db) or 0) / 1e6, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
    db.dispose()
    tmp.cleanup()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--url", help="a database to use instead of a temporary SQLite file (must be empty)")
    parser.add_argument("--rate", type=float, default=100_000.0, help="the token bucket's rate (pushes/s)")
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    for size in args.sizes:
        r = run(size, args.url, args.rate)
        print(f"{size:>9,} recipients: filled in {r['fill_s']} s; round {r['round_s']} s = {r['pushes_per_s']} pushes/s "
              f"(sent {r['sent']}, failed {r['failed']}); rerun {r['rerun_s']} s, sent {r['rerun_sent']}; "
              f"outbox {r['outbox_mb']} MB; peak RSS {r['peak_rss_mb']} MB", flush=True)
        print(json.dumps(r, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
