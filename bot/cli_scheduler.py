"""``jianxi remind KIND --period YYYY-MM`` (one reminder round now) and ``jianxi scheduler`` (the scheduler alone).

``remind`` shows a progress bar on a terminal; the last line of its output is the JSON summary
``{"sent": n, "skipped": n, "failed": n}``. Exit 0 when nothing failed for good, 1 otherwise, 2 for bad input.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def remind(kind: Annotated[str, typer.Argument(help="attendance（考勤） / subsidy（补贴申领） / report（汇总表） / review（审核）")],
           period: Annotated[str, typer.Option("--period", help="月份 YYYY-MM：考勤、补贴为所报月份，汇总表为统计月份")]
           ) -> None:
    """立即执行一轮提醒：每人每类每期只发一次，重复执行不会重复发送，并会重试上次因系统错误失败的消息。"""
    from rich import progress as rp

    from bot.cli import _settings
    from bot.db import Database
    from bot.kv import make_store
    from bot.wechat.client import WeChatApi
    from scheduler.jobs import REMINDER_KINDS, PeriodError, check_period
    from scheduler.jobs import remind as run

    if kind not in REMINDER_KINDS:
        console.print(f"[red]提醒类型应为 {' / '.join(REMINDER_KINDS)} 之一[/red]")
        raise typer.Exit(2)
    try:
        check_period(period)
    except PeriodError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    settings = _settings()
    db = Database(settings.database_url)
    db.upgrade()
    api = WeChatApi(settings, db, make_store(db, settings.redis_url))
    bar = rp.Progress(rp.TextColumn("[bold]{task.description}"), rp.BarColumn(), rp.MofNCompleteColumn(),
                      rp.TimeElapsedColumn(), console=console, disable=not console.is_terminal)
    started = time.perf_counter()
    try:
        with bar:
            task = bar.add_task(f"发送{kind}提醒", total=None)
            summary = run(db, api, settings, kind, period, date.today(),
                          on_total=lambda n: bar.update(task, total=max(n, 0)),
                          on_progress=lambda n: bar.advance(task, n))
    finally:
        db.dispose()
    console.print(f"共 {summary.sent + summary.skipped + summary.failed} 人：已发送 {summary.sent}，跳过 {summary.skipped}"
                  f"（已发过、已退订、已取关或超出48小时窗口），失败 {summary.failed}"
                  + (f"（其中 {summary.waiting} 条等待重试，调度器会继续发送）" if summary.waiting else "")
                  + f"；用时 {time.perf_counter() - started:.1f} 秒。"
                  + (f" 错误码：{summary.errors}" if summary.errors else ""))
    typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    if summary.failed:
        raise typer.Exit(1)


def scheduler() -> None:
    """只运行调度器（多个 Web 进程时，设 JIANXI_SCHEDULER_EMBEDDED=false 并单独运行一个）。"""
    from bot.cli import _settings
    from bot.db import Database
    from scheduler.runner import build

    settings = _settings()
    Database(settings.database_url).upgrade()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner = build(settings.database_url)
    runner.start()
    console.print("调度器已启动（Ctrl+C 退出）。任务：" + "、".join(j.id for j in runner.get_jobs()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runner.shutdown(wait=False)


def broadcast(title: Annotated[str | None, typer.Option("--title", help="活动标题")] = None,
              text: Annotated[str | None, typer.Option("--text", help="活动内容（时间、地点、报名方式等）")] = None,
              region: Annotated[str | None, typer.Option("--region", help="地区：代码（如 4101）或名称；默认全国")] = None,
              major: Annotated[str | None, typer.Option("--major", help="面向的专业（同一专业类也会收到）")] = None,
              date_: Annotated[str | None, typer.Option("--date", help="活动日期 YYYY-MM-DD（前一天会再提醒）")] = None,
              place: Annotated[str | None, typer.Option("--place", help="地点或链接")] = None,
              event_id: Annotated[int | None, typer.Option("--event", help="继续推送已发布的活动（编号），只发给尚未收到的人")]
              = None) -> None:
    """向目标关注者推送专项对接活动通知；每人只发一次。同一标题、日期和地区再次执行（或 --event 编号）会继续推送原活动，
    不会新建活动或重复发送。最后一行为 JSON 汇总。"""
    from rich import progress as rp

    from bot.cli import _settings
    from bot.db import Database
    from bot.kv import make_store
    from bot.wechat.client import WeChatApi
    from knowledge.divisions import divisions
    from scheduler.events import EventError, announce, find_event, resume

    if event_id is None and not (title and text):
        console.print("[red]请给出 --title 和 --text，或用 --event 编号继续推送已发布的活动[/red]")
        raise typer.Exit(2)
    region_code = None
    if region:
        found = [divisions().get(region)] if region.isdigit() and divisions().get(region) else divisions().resolve(region)
        if len(found) != 1:
            console.print(f"[red]无法确定地区：{region}（请用行政区划代码，如 4101）[/red]")
            raise typer.Exit(2)
        region_code = found[0].code
    try:
        starts_on = date.fromisoformat(date_) if date_ else None
    except ValueError:
        console.print("[red]--date 应为 YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None
    settings = _settings()
    db = Database(settings.database_url)
    db.upgrade()
    api = WeChatApi(settings, db, make_store(db, settings.redis_url))
    bar = rp.Progress(rp.TextColumn("[bold]推送活动通知"), rp.BarColumn(), rp.MofNCompleteColumn(),
                      rp.TimeElapsedColumn(), console=console, disable=not console.is_terminal)
    try:
        if event_id is None:
            with db.session() as s:
                before = find_event(s, title or "", starts_on, region_code)
                if before is not None:
                    console.print(f"活动 {before.id}（{before.title}）已发布过：继续推送，只发给尚未收到的人。")
        with bar:
            task = bar.add_task("", total=None)
            progress = {"on_total": lambda n: bar.update(task, total=n), "on_progress": lambda n: bar.advance(task, n)}
            if event_id is not None:
                event, summary = resume(db, api, settings, event_id, **progress)
            else:
                event, summary = announce(db, api, settings, title=title or "", text=text or "", starts_on=starts_on,
                                          place=place, region=region_code, major=major, created_by="cli", **progress)
    except EventError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    console.print(f"活动 {event.id}：目标 {event.audience} 人，已发送 {summary.sent}，跳过 {summary.skipped}"
                  f"（已收到、已退订或已取关），失败 {summary.failed}。"
                  + (f" 其中 {summary.waiting} 条等待重试，调度器会继续发送。" if summary.waiting else "")
                  + (f" 错误码：{summary.errors}" if summary.errors else ""))
    typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    if summary.failed:
        raise typer.Exit(1)
