"""``jianxi official add --name N --region CODE``: an official's admin-API account, bound to a region.

The token is printed once (only its keyed hash is stored); the last line of output is JSON
``{"id", "name", "region_code", "region_name", "token"}``.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

official_app = typer.Typer(help="人社部门工作人员的管理接口账号", no_args_is_help=True)
console = Console(stderr=True)


@official_app.command("add")
def add(name: Annotated[str, typer.Option("--name", help="账号名称，如：郑州市人社局就业科")],
        region: Annotated[str, typer.Option("--region", help="负责的地区：行政区划代码（如 4101）或名称（如 郑州市）")]
        ) -> None:
    """创建人社部门工作人员账号，只能看到和处理本地区的报名；令牌只显示这一次。"""
    from bot.api.admin_auth import issue_official_token
    from bot.cli import _settings
    from bot.db import Database
    from bot.models import OfficialAccount
    from bot.privacy import Vault
    from knowledge.divisions import divisions

    name = name.strip()
    if not 1 <= len(name) <= 40:
        console.print("[red]账号名称应为 1 至 40 个字。[/red]")
        raise typer.Exit(2)
    places = divisions()
    found = places.get(region.strip())
    candidates = [found] if found else places.resolve(region.strip())
    if len(candidates) != 1:
        shown = "、".join(f"{d.full_name}（{d.code}）" for d in candidates[:6])
        console.print(f"[red]无法唯一确定地区“{region}”" + (f"：{shown}" if shown else "") + "。请使用行政区划代码。[/red]")
        raise typer.Exit(2)
    place = candidates[0]
    settings = _settings()
    db = Database(settings.database_url)
    db.upgrade()
    vault = Vault(settings.secret_key)
    token = issue_official_token(SimpleNamespace(db=db, vault=vault), name, place.code)
    with db.session() as s:
        account_id = s.scalar(select(OfficialAccount.id).where(
            OfficialAccount.token_hash == vault.lookup_hash("official-token:" + token)))
    db.dispose()
    console.print(f"[green]已创建账号：{name}（{place.full_name}，{place.code}）。[/green]")
    console.print("令牌只显示这一次，请妥善保存；调用管理接口时使用 Authorization: Bearer <令牌>。")
    typer.echo(json.dumps({"id": account_id, "name": name, "region_code": place.code, "region_name": place.full_name,
                           "token": token}, ensure_ascii=False))
