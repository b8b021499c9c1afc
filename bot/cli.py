"""The ``jianxi`` command line (see ../shared/INTERFACES.md)."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Annotated

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
    if settings.simulator_mode:
        console.print(f"[green]模拟器：在浏览器打开 http://{host}:{port}/ [/green]")
    uvicorn.run(application, host=host, port=port, log_level="info")


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


@app.command("demo-data")
def demo_data(positions: Annotated[int, typer.Option(help="岗位数量")] = 200,
              units: Annotated[int, typer.Option(help="单位数量")] = 50,
              trainees: Annotated[int, typer.Option(help="在岗见习人员数量")] = 100) -> None:
    """写入演示数据：模拟器的三个身份，以及示例关注者。"""
    from bot.db import Database
    from bot.demo import seed

    settings = _settings()
    db = Database(settings.database_url)
    db.upgrade()
    summary = seed(db, positions=positions, units=units, trainees=trainees)
    if positions or units or trainees:
        console.print("提示：岗位目录、见习单位和在岗见习人员的演示数据将随岗位与单位功能上线后生成。")
    typer.echo(json.dumps(summary, ensure_ascii=False))


def main() -> None:  # pragma: no cover
    sys.exit(app())
