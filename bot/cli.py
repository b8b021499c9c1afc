"""The ``jianxi`` command line (see ../shared/INTERFACES.md)."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bot.config import OFFICIAL_API_BASE, STANDIN_MOUNT, InsecureSettingsError, Settings, get_settings

app = typer.Typer(help="jianxi 见习：就业见习公众号助手", no_args_is_help=True, add_completion=False)
menu_app = typer.Typer(help="公众号自定义菜单")
app.add_typer(menu_app, name="menu")
console = Console(stderr=True)


def _settings() -> Settings:
    try:
        settings = get_settings()
        settings.assert_safe()
    except InsecureSettingsError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    except ValueError as e:
        console.print(f"[red]配置有误：{e}[/red]")
        raise typer.Exit(2) from e
    return settings


@app.command()
def serve(host: Annotated[str, typer.Option(help="监听地址", envvar="JIANXI_HOST")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="监听端口", envvar="JIANXI_PORT")] = 8000) -> None:
    """启动 Web 服务：微信回调、REST API、模拟器（未配置 AppID 时）。"""
    import uvicorn

    settings = _settings()
    if settings.simulator_mode and settings.wechat_api_base == OFFICIAL_API_BASE:
        # Without an AppID, outbound calls go to the built-in stand-in for WeChat's API.
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["JIANXI_WECHAT_API_BASE"] = f"http://{local}:{port}{STANDIN_MOUNT}"
        get_settings.cache_clear()
        settings = get_settings()
    from bot.app import create_app
    from bot.db import Database

    db = Database(settings.database_url)
    db.upgrade()
    if settings.simulator_mode and settings.demo_on_empty:
        from bot.demo import seed_if_empty

        if seed_if_empty(db):
            console.print("已写入演示数据。")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    application = create_app(settings, db)
    _warm_position_index(db)
    if settings.scheduler_embedded:  # reminders on their schedule; a lock in the database keeps it to one
        from scheduler.runner import build

        build(settings.database_url).start()
    if settings.simulator_mode:
        console.print(f"[green]模拟器：在浏览器打开 http://{host}:{port}/ [/green]")
    uvicorn.run(application, host=host, port=port, log_level="info")


def _warm_position_index(db: Any) -> None:
    """Build the in-memory position index while the server starts, not in the first graduate's request."""
    import threading

    from bot.positions.index import get_index

    def build() -> None:
        try:
            index = get_index(db)
            logging.getLogger("jianxi.positions").info("position index ready: %d positions", index.size)
        except Exception:  # the first request builds it instead
            logging.getLogger("jianxi.positions").exception("position index warm-up failed")

    threading.Thread(target=build, name="position-index-warm-up", daemon=True).start()


@app.command()
def ask(question: Annotated[str, typer.Argument(help="用户发来的一条消息")],
        openid: Annotated[str, typer.Option(help="以哪个用户的身份提问")] = "cli-ask",
        region: Annotated[str | None, typer.Option(help="提问者所在地区，如 郑州 或 410105")] = None) -> None:
    """打印机器人对一条消息的回答，与微信用户看到的一致。"""
    from bot.conversation.messages import Inbound
    from bot.db import Database
    from bot.handlers import build_dispatcher
    from bot.models import ConversationState
    from bot.services import build_services

    settings = _settings()
    db = Database(settings.database_url)
    db.upgrade()
    services = build_services(settings, db)
    if openid == "cli-ask":
        # One message, as a fresh user would send it: no form or context left from an earlier ask.
        with db.session() as s:
            state = s.get(ConversationState, openid)
            if state is not None:
                s.delete(state)
    place = None
    if region:
        by_code = services.divisions.get(region)
        found = [by_code] if by_code else services.divisions.resolve(region)
        if len(found) != 1:
            console.print(f"[red]无法唯一确定地区：{region}[/red]")
            raise typer.Exit(2)
        place = found[0]
    if place is not None or openid == "cli-ask":
        from sqlalchemy import select

        from bot.models import User

        with db.session() as s:
            user = s.scalar(select(User).where(User.openid == openid))
            if user is None:
                user = User(openid=openid)
                s.add(user)
            user.region_code = place.code if place else None
            user.region_name = place.full_name if place else None
    replies = build_dispatcher(services).handle(Inbound(openid=openid, kind="text", text=question))
    out = "\n\n".join(r.plain() for r in replies)
    typer.echo(out if out else "（无回复）")


@menu_app.command("sync")
def menu_sync() -> None:
    """按 bot/wechat/menu.py 创建公众号自定义菜单：找岗位 / 政策问答 / 我的。"""
    from bot.db import Database
    from bot.kv import make_store
    from bot.wechat.client import WeChatApi, WeChatApiError
    from bot.wechat.menu import MENU

    settings = _settings()
    db = Database(settings.database_url)
    db.upgrade()
    api = WeChatApi(settings, db, make_store(db, settings.redis_url))
    try:
        api.create_menu(MENU)
    except WeChatApiError as e:
        console.print(f"[red]菜单创建失败：{e}[/red]")
        raise typer.Exit(1) from e
    except Exception as e:  # network errors: say so plainly
        console.print(f"[red]无法连接微信接口 {settings.wechat_api_base}：{e.__class__.__name__}[/red]")
        raise typer.Exit(1) from e
    names = " / ".join(b["name"] for b in MENU["button"])
    console.print(f"[green]菜单已创建：{names}[/green]")
    typer.echo(json.dumps({"ok": True, "buttons": len(MENU["button"])}, ensure_ascii=False))


def _quiet_jieba() -> None:
    """jieba announces loading its dictionary on stderr; the catalogue commands have their own output."""
    import jieba

    jieba.setLogLevel(logging.WARNING)


def _progress() -> Any:
    """A rich progress bar on a terminal; quiet when output is not a terminal."""
    from rich import progress as rp

    return rp.Progress(rp.TextColumn("[bold]{task.description}"), rp.BarColumn(), rp.TaskProgressColumn(),
                       rp.TextColumn("{task.fields[rows]}"), rp.TimeElapsedColumn(), rp.TimeRemainingColumn(),
                       console=console, disable=not console.is_terminal)


@app.command("import-positions")
def import_positions(
        file: Annotated[Path, typer.Argument(help="岗位目录文件：.csv（UTF-8，含表头）或 .xlsx（第一个工作表）")],
        errors: Annotated[Path | None, typer.Option("--errors", help="错误报告 CSV 的路径（默认：与文件同目录）")] = None,
        batch_size: Annotated[int, typer.Option(help="每批写入的行数", min=100)] = 5000) -> None:
    """导入岗位目录：按岗位编号新增或更新；有问题的行按行号报告，其余照常导入。

    退出码：0 完成（可能有被拒绝的行，见错误报告）；1 有一批写入数据库失败（已整批回滚）；2 文件或表头不可用。
    """
    import csv

    from rich.markup import escape

    from bot.db import Database
    from bot.positions.importer import CatalogueFileError, Problem, import_catalogue
    from bot.privacy import Vault

    settings = _settings()
    _quiet_jieba()
    report_path = errors or file.with_name(f"{file.stem}.errors.csv")
    shown = {"errors": 0, "warnings": 0}
    report: dict[str, Any] = {}
    shown_limit = 20

    def on_problem(problem: Problem) -> None:
        if "writer" not in report:
            report["file"] = report_path.open("w", encoding="utf-8-sig", newline="")
            report["writer"] = csv.writer(report["file"])
            report["writer"].writerow(["行号", "岗位编号", "类型", "原因"])
        report["writer"].writerow([problem.rows, problem.code, "错误" if problem.kind == "error" else "提醒",
                                   problem.reason])
        key = "errors" if problem.kind == "error" else "warnings"
        shown[key] += 1
        if shown[key] <= shown_limit:
            colour = "red" if problem.kind == "error" else "yellow"
            console.print(f"[{colour}]{escape(problem.message())}[/{colour}]", soft_wrap=True)

    db = Database(settings.database_url)
    db.upgrade()
    try:
        with _progress() as progress:
            task = progress.add_task("导入岗位", total=1000, rows="")
            summary = import_catalogue(
                db, file, Vault(settings.secret_key), batch_size=batch_size, on_problem=on_problem,
                on_progress=lambda rows, done: progress.update(task, completed=done * 1000, rows=f"{rows:,} 行"))
    except CatalogueFileError as e:
        console.print(f"[red]无法导入 {escape(str(file))}：[/red]", soft_wrap=True)
        console.print(escape(str(e)), soft_wrap=True)
        console.print("[red]未写入任何数据。[/red]")
        raise typer.Exit(2) from e
    finally:
        if "file" in report:
            report["file"].close()
        db.dispose()
    for key, label in (("errors", "条错误"), ("warnings", "条提醒")):
        if shown[key] > shown_limit:
            console.print(f"……另有 {shown[key] - shown_limit} {label}未显示")
    console.print(f"共读取 {summary.rows:,} 行：导入 {summary.imported:,} 个岗位（新增 {summary.inserted:,}，"
                  f"更新 {summary.updated:,}），{summary.errors:,} 行未导入，{summary.duplicates:,} 个重复编号；"
                  f"用时 {summary.seconds:.1f} 秒（{summary.rows / max(summary.seconds, 1e-9):,.0f} 行/秒）。", soft_wrap=True)
    if "file" in report:
        console.print(f"全部问题已写入：{escape(str(report_path))}", soft_wrap=True)
    if summary.stopped:
        console.print(f"[red]{escape(summary.stopped)}[/red]", soft_wrap=True)
    out = summary.as_dict()
    out["errors_file"] = str(report_path) if "file" in report else None
    typer.echo(json.dumps(out, ensure_ascii=False))
    if summary.failed_batches or summary.stopped:
        raise typer.Exit(1)


@app.command("demo-data")
def demo_data(positions: Annotated[int, typer.Option(help="岗位数量", min=0)] = 2000,
              units: Annotated[int, typer.Option(help="见习单位数量", min=0)] = 200,
              trainees: Annotated[int, typer.Option(help="在岗见习人员数量", min=0)] = 100,
              seed: Annotated[int, typer.Option(help="随机种子（同一种子生成相同的数据）")] = 7) -> None:
    """写入演示数据：模拟器身份、示例毕业生、人社工作人员、见习单位、岗位目录和在岗见习人员。

    可重复运行：已存在的岗位编号和用户不会重复写入。
    """
    from bot.db import Database
    from bot.demo import seed as seed_demo
    from bot.privacy import Vault

    settings = _settings()
    _quiet_jieba()
    db = Database(settings.database_url)
    db.upgrade()
    with _progress() as progress:
        task = progress.add_task("生成岗位", total=max(positions, 1), rows="")
        summary = seed_demo(db, positions=positions, units=units, trainees=trainees, rng_seed=seed,
                            vault=Vault(settings.secret_key),
                            on_progress=lambda done, total: progress.update(task, completed=done,
                                                                            rows=f"{done:,} 个"))
    db.dispose()
    console.print(f"已写入：见习单位 {summary['units']:,} 个，岗位 {summary['positions']:,} 个"
                  f"（已存在 {summary['positions_existing']:,} 个），在岗见习人员 {summary['trainees']:,} 人，"
                  f"毕业生 {summary['graduates']:,} 人，人社工作人员 {summary['officials']:,} 人；"
                  f"用时 {summary['seconds']:.1f} 秒。", soft_wrap=True)
    typer.echo(json.dumps(summary, ensure_ascii=False))


from bot.cli_officials import official_app  # noqa: E402  (jianxi official add)

app.add_typer(official_app, name="official")

from bot.cli_scheduler import broadcast, remind, scheduler  # noqa: E402  (jianxi remind / scheduler / broadcast)

app.command("remind")(remind)
app.command("broadcast")(broadcast)
app.command("scheduler")(scheduler)


def main() -> None:  # pragma: no cover
    sys.exit(app())
