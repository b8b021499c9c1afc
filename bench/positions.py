"""Benchmark the position index and recommendations at several catalogue sizes.

    python bench/positions.py [SIZES ...] [--url-dir DIR] [--rounds N] [--no-updated-at-index] [--reimport]

For each size (default 10000 100000 1000000) it fills a fresh SQLite database with the demo catalogue through the
shared generator and bulk writer (``bot.demo.seed`` → ``bot.positions.importer.PositionWriter``), then, in a fresh
process, boots the index from the database and times ``recommend()`` — parse, rank, read the shown rows, reasons —
over a fixed mixed set of requests (majors and short forms, typos, province / city / district places, ambiguous
places, no place, keywords), plus a catalogue search. It prints generation time, boot time, resident memory and
p50/p95 latencies per size, and a JSON line per size.

``--reimport`` adds the case of a running server whose catalogue is imported again: in a fresh process the
index boots, then another process re-imports all N positions with new content (the demo generator with another
seed: other titles, majors and places for the same codes, as ``jianxi import-positions`` would write them), twice:
first while the server is idle (then requests begin), then while it keeps answering requests. For each it prints
how long the import took, how long the index took to catch up after it, the slowest request (the first one
after an idle import), and the peak resident memory of the serving process over the whole time.

Migration 0005 gives ``positions.updated_at`` its index (``ix_positions_updated_at``), so the index's refresh
(``updated_at > watermark``) is an index range scan; ``--no-updated-at-index`` drops it to measure without.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = date(2026, 11, 22)
QUERIES = [
    "学会计的，想在广州天河附近", "计算机 郑州", "我想回河南", "大数据 杭州", "计科 深圳南山", "本科，学软件工成的，想去成都",
    "会计 广东", "护理 武汉", "人力 上海浦东", "市场营销", "本科 金融 上海", "电气自动化 大专 佛山", "学前 长沙岳麓",
    "专业不限 成都", "出纳 郑州", "软件工程 朝阳区", "英语 大连", "法律 西安", "土木 重庆渝北", "汉语言文学 长春",
    "数据科学与大数剧技术 北京海淀", "学计算机的 广州", "会计 广州黄埔", "临床医学 北京", "机械 苏州", "行政管理 开封鼓楼",
    "有什么岗位", "想去内蒙古", "会计", "计算机类 南京", "学计算机的，想回河南", "我是研究生，学金融，广州或者深圳都行",
    "护理学 大专 南京", "不想去深圳，想在广州做会计", "想找个文员的工作 长沙", "软件工程", "硕士", "广东",
    "电子商务 义乌", "统计 合肥",
]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    now = peak = 0.0
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def generate(url: str, size: int, updated_at_index: bool) -> dict[str, float]:
    from sqlalchemy import text

    from bot.config import DEV_SECRET_KEY
    from bot.db import Database
    from bot.privacy import Vault

    db = Database(url)
    db.upgrade()
    started = time.perf_counter()
    try:
        from bot.demo import seed
    except ImportError:  # pragma: no cover - the shared generator is part of the project now
        raise SystemExit("bot.demo.seed is missing") from None
    units = max(200, size // 25)
    seed(db, positions=size, units=units, trainees=0, graduates=0, vault=Vault(DEV_SECRET_KEY), today=TODAY,
         batch_size=20_000)
    generated = time.perf_counter() - started
    if not updated_at_index:
        with db.engine.begin() as conn:
            conn.execute(text("DROP INDEX IF EXISTS ix_positions_updated_at"))
    with db.engine.begin() as conn:
        count = conn.execute(text("SELECT count(*) FROM positions")).scalar_one()
        if db.is_sqlite:
            conn.execute(text("ANALYZE"))
    db.dispose()
    return {"generate_s": round(generated, 1), "positions": count, "units": units}


def measure(url: str, rounds: int) -> dict[str, float]:
    """Runs in a fresh process: boot the index, then time the requests."""
    from bot.db import Database
    from bot.positions.index import SearchFilters, holder
    from bot.positions.recommend import recommend

    db = Database(url)
    base_rss, _ = rss_mb()
    started = time.perf_counter()
    index = holder.get(db)  # the first request's path: jieba's dictionary, then the index from the database
    boot = time.perf_counter() - started
    rss, peak = rss_mb()
    # The first refresh re-reads what was written within the margin before boot (here: the end of generation);
    # after it, a refresh with nothing new is two range scans.
    t = time.perf_counter()
    index.refresh(db)
    first_refresh_ms = (time.perf_counter() - t) * 1000
    first_read = index.last_read
    t = time.perf_counter()
    index.refresh(db)
    refresh_ms = (time.perf_counter() - t) * 1000
    for q in QUERIES:  # warm-up: parser caches, SQLite page cache
        recommend(db, q, limit=10, today=TODAY)
    times: list[float] = []
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            recommend(db, q, limit=10, today=TODAY)
            times.append((time.perf_counter() - t) * 1000)
    worst = sorted(((statistics.median(times[i::len(QUERIES)]), q) for i, q in enumerate(QUERIES)), reverse=True)
    searches = [SearchFilters(), SearchFilters(place="44"), SearchFilters(keyword="会计", place="4401"),
                SearchFilters(major="080901", education="本科"), SearchFilters(place="110105", demonstration=True)]
    search_times: list[float] = []
    for f in searches:  # warm-up (keyword tokens, token look-ups)
        index.search(f, 1, 20, TODAY)
    for _ in range(rounds):
        for f in searches:
            t = time.perf_counter()
            index.search(f, 1, 20, TODAY)
            search_times.append((time.perf_counter() - t) * 1000)
    rss_end, peak_end = rss_mb()
    return {
        "boot_s": round(boot, 2), "build_s": round(index.build_seconds, 2), "indexed": index.size,
        "rss_before_mb": round(base_rss), "rss_mb": round(max(rss, rss_end)), "rss_peak_mb": round(max(peak, peak_end)),
        "index_mb": round(index.nbytes / 2**20, 1), "refresh_noop_ms": round(refresh_ms, 2),
        "first_refresh_ms": round(first_refresh_ms, 1), "first_refresh_rows": first_read,
        "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2), "max_ms": round(max(times), 2), "requests": len(times),
        "slowest": [f"{q} {m:.1f}ms" for m, q in worst[:3]],
        "search_p50_ms": round(percentile(search_times, 50), 2), "search_p95_ms": round(percentile(search_times, 95), 2),
    }


def reset_peak() -> None:
    """Start the peak resident set size (VmHWM) afresh from the current one (Linux)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def write_reimport(url: str, size: int, units: int, rng_seed: int) -> None:
    """Runs in its own process, as ``jianxi import-positions`` would: every code again, with new content."""
    from bot.config import DEV_SECRET_KEY
    from bot.db import Database
    from bot.demo import generate_positions
    from bot.positions.importer import DEFAULT_BATCH, PositionWriter
    from bot.privacy import Vault

    db = Database(url)
    batch: list = []  # type: ignore[type-arg]
    with PositionWriter(db, Vault(DEV_SECRET_KEY)) as writer:
        for record in generate_positions(units, size, rng_seed=rng_seed, today=TODAY):
            batch.append(record)
            if len(batch) >= DEFAULT_BATCH:
                writer.write(batch)
                batch = []
        if batch:
            writer.write(batch)
    db.dispose()


# Measured at 100,000 positions on the 2-core development machine (shared, load about 3): re-import into an idle
# server: the first request after the import answered in 20 ms and the index caught up 1.1 s after the import
# (a rebuild in the background), peak RSS 368 MB from 314 MB; re-import while serving: slowest request 138 ms,
# peak 364 MB. Before the refresh moved off the request path (same machine, same bench): first request 3.5 s,
# peak 517 MB from 319 MB; slowest request while serving 3.1 s, peak 502 MB. At 1,000,000: first request after
# an idle re-import 47 ms (was 71.6 s), caught up 11.7 s after it (was 71.8 s), peak RSS 891 MB from 518 MB (was
# 2,037 MB from 532 MB); while serving: slowest request 222 ms (was 34.0 s), p95 43 ms, peak 1,009 MB (was 1,041).
def measure_reimport(url: str, size: int, units: int) -> dict[str, Any]:
    """Runs in a fresh process: boot, then re-import the catalogue from another process twice — the server idle
    during the first import, answering requests during the second — each time until the index has caught up."""
    from datetime import datetime

    from sqlalchemy import func, select

    from bot.db import Database
    from bot.models import Position
    from bot.positions.index import holder
    from bot.positions.recommend import recommend

    db = Database(url)
    holder.get(db)
    for q in QUERIES:  # warm-up
        recommend(db, q, limit=10, today=TODAY)
    ask = iter(QUERIES * 100_000)
    waiting = getattr(holder, "refreshing", lambda _db: False)
    out: dict[str, Any] = {"reimported": size}
    for case, rng_seed, busy in (("idle", 8, False), ("busy", 9, True)):
        rss_before, _ = rss_mb()
        reset_peak()
        times: list[float] = []

        def request(times: list[float] = times) -> None:
            t = time.perf_counter()
            recommend(db, next(ask), limit=10, today=TODAY)
            times.append((time.perf_counter() - t) * 1000)

        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--write-reimport", url, "--size", str(size),
                                  "--units", str(units), "--seed", str(rng_seed)])
        while child.poll() is None:
            if busy:
                request()
            time.sleep(0.02)
        if child.returncode:
            raise SystemExit(f"re-import failed ({child.returncode})")
        imported = time.perf_counter()
        during_import = len(times)
        with db.engine.connect() as conn:
            newest = conn.scalar(select(func.max(Position.updated_at)))
        if isinstance(newest, str):
            newest = datetime.fromisoformat(newest)
        while time.perf_counter() - imported < 900:
            request()
            current = holder.get(db, refresh=False)
            if current.watermark is not None and current.watermark >= newest and not waiting(db):
                break
            time.sleep(0.02)
        caught_up = time.perf_counter()
        rss_end, peak = rss_mb()
        after = times[during_import:]
        current = holder.get(db, refresh=False)
        out[case] = {
            "import_s": round(imported - started, 1), "catch_up_s": round(caught_up - imported, 1),
            "rss_before_mb": round(rss_before), "rss_end_mb": round(rss_end), "rss_peak_mb": round(peak),
            "indexed": current.size, "slots": current.n, "requests": len(times),
            "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "max_ms": round(max(times), 1), "first_after_import_ms": round(after[0], 1) if after else 0.0,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dir", help="where the SQLite files go (default: a temporary directory, removed after)")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the request set (default 10)")
    parser.add_argument("--no-updated-at-index", action="store_true")
    parser.add_argument("--reimport", action="store_true",
                        help="also: re-import every position into a running server and time the index catching up")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure URL in this process
    parser.add_argument("--measure-reimport", help=argparse.SUPPRESS)  # internal
    parser.add_argument("--write-reimport", help=argparse.SUPPRESS)  # internal
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--units", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=8, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds), ensure_ascii=False))
        return 0
    if args.write_reimport:
        write_reimport(args.write_reimport, args.size, args.units, args.seed)
        return 0
    if args.measure_reimport:
        print(json.dumps(measure_reimport(args.measure_reimport, args.size, args.units), ensure_ascii=False))
        return 0
    tmp = None if args.dir else tempfile.TemporaryDirectory(prefix="jianxi-bench-")
    folder = Path(args.dir or tmp.name)  # type: ignore[union-attr]
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for size in args.sizes:
            path = folder / f"positions-{size}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            print(f"— {size:,} positions: generating …", flush=True)
            gen = generate(url, size, not args.no_updated_at_index)
            print(f"  generated {gen['positions']:,} positions ({gen['units']:,} units) in {gen['generate_s']} s;"
                  " booting and timing in a fresh process …", flush=True)
            out = subprocess.run([sys.executable, __file__, "--measure", url, "--rounds", str(args.rounds)],
                                 capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            result = {"size": size, **gen, **json.loads(out.stdout.strip().splitlines()[-1])}
            rows.append(result)
            print(f"  boot {result['boot_s']} s (index build {result['build_s']} s) · RSS {result['rss_mb']} MB "
                  f"(peak {result['rss_peak_mb']} MB, index {result['index_mb']} MB) · recommend p50 "
                  f"{result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms "
                  f"({result['requests']} requests) · search p95 {result['search_p95_ms']} ms · "
                  f"refresh (no change) {result['refresh_noop_ms']} ms", flush=True)
            print("  slowest: " + "; ".join(result["slowest"]), flush=True)
            if args.reimport:
                print("  re-importing every position into a serving process …", flush=True)
                out = subprocess.run([sys.executable, __file__, "--measure-reimport", url, "--size", str(size),
                                      "--units", str(gen["units"])], capture_output=True, text=True, check=True,
                                     env={**os.environ, "PYTHONHASHSEED": "0"})
                result["reimport"] = json.loads(out.stdout.strip().splitlines()[-1])
                for case, label in (("idle", "into an idle server"), ("busy", "while serving requests")):
                    r = result["reimport"][case]
                    print(f"  re-import of {size:,} {label}: import {r['import_s']} s, index caught up "
                          f"{r['catch_up_s']} s after it · peak RSS {r['rss_peak_mb']} MB (before "
                          f"{r['rss_before_mb']} MB, after {r['rss_end_mb']} MB) · requests p50 {r['p50_ms']} ms, "
                          f"p95 {r['p95_ms']} ms, slowest {r['max_ms']} ms, first after the import "
                          f"{r['first_after_import_ms']} ms ({r['requests']} requests)", flush=True)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        if tmp is not None:
            tmp.cleanup()
    print()
    print(f"{'positions':>10} {'generate s':>10} {'boot s':>7} {'RSS MB':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        print(f"{r['size']:>10,} {r['generate_s']:>10} {r['boot_s']:>7} {r['rss_mb']:>7} {r['p50_ms']:>7} "
              f"{r['p95_ms']:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
