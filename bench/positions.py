"""Benchmark the position index and recommendations at several catalogue sizes.

    python bench/positions.py [SIZES ...] [--url-dir DIR] [--rounds N] [--no-updated-at-index]

For each size (default 10000 100000 1000000) it fills a fresh SQLite database with the demo catalogue through the
shared generator and bulk writer (``bot.demo.seed`` → ``bot.positions.importer.PositionWriter``), then, in a fresh
process, boots the index from the database and times ``recommend()`` — parse, rank, read the shown rows, reasons —
over a fixed mixed set of requests (majors and short forms, typos, province / city / district places, ambiguous
places, no place, keywords), plus a catalogue search. It prints generation time, boot time, resident memory and
p50/p95 latencies per size, and a JSON line per size.

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dir", help="where the SQLite files go (default: a temporary directory, removed after)")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the request set (default 10)")
    parser.add_argument("--no-updated-at-index", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure URL in this process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds), ensure_ascii=False))
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
