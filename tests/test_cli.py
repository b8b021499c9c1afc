"""The ``jianxi`` command line, run as an operator would: a real process on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.config import SIMULATOR_APPID, SIMULATOR_SECRET
from bot.wechat.menu import MENU


def jianxi(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIANXI_")}
    return subprocess.run([sys.executable, "-c", "from bot.cli import app; app()", *args], env={**clean, **env},
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_ask_prints_the_reply_on_a_fresh_database(tmp_path: Path) -> None:
    env = {"JIANXI_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"}
    r = jianxi("ask", "你好", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "找岗位" in r.stdout and "政策问答" in r.stdout
    assert "Traceback" not in r.stderr
    # A form started by one ask does not leak into the next: each ask is one message from a fresh user.
    r1 = jianxi("ask", "填写资料", env=env, cwd=tmp_path)
    assert "姓名" in r1.stdout
    r2 = jianxi("ask", "今天天气怎么样", env=env, cwd=tmp_path)
    assert "没听懂" in r2.stdout


def test_menu_sync_creates_the_menu_at_the_api_base(tmp_path: Path, standin) -> None:  # type: ignore[no-untyped-def]
    env = {"JIANXI_DATABASE_URL": f"sqlite:///{tmp_path}/m.db", "JIANXI_WECHAT_API_BASE": standin.url,
           "JIANXI_WECHAT_APPID": SIMULATOR_APPID, "JIANXI_WECHAT_SECRET": SIMULATOR_SECRET}
    r = jianxi("menu", "sync", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"ok": True, "buttons": 3}
    import httpx

    menu = httpx.get(f"{standin.url}/_standin/menu").json()
    buttons = menu.get("menu", menu).get("button")
    assert [b["name"] for b in buttons] == ["找岗位", "政策问答", "我的"]
    assert [b["name"] for b in buttons[2]["sub_button"]] == ["报名进度", "个人信息", "单位服务"]
    keys = [b.get("key") or [c["key"] for c in b["sub_button"]] for b in buttons]
    assert keys == [b.get("key") or [c["key"] for c in b["sub_button"]] for b in MENU["button"]]
    paths = [c["path"] for c in standin.calls()]
    assert any("stable_token" in p for p in paths) and any("menu/create" in p for p in paths)


def test_menu_sync_reports_an_unreachable_api(tmp_path: Path) -> None:
    env = {"JIANXI_DATABASE_URL": f"sqlite:///{tmp_path}/m.db", "JIANXI_WECHAT_API_BASE": "http://127.0.0.1:9",
           "JIANXI_WECHAT_APPID": "wx1", "JIANXI_WECHAT_SECRET": "s"}
    r = jianxi("menu", "sync", env=env, cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    assert "菜单创建失败" in r.stderr or "无法连接" in r.stderr


def test_production_with_default_secrets_refuses_to_start(tmp_path: Path) -> None:
    env = {"JIANXI_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "JIANXI_ENV": "production",
           "JIANXI_WECHAT_APPID": "wx1", "JIANXI_WECHAT_SECRET": "s"}
    r = jianxi("serve", "--port", "1", env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert "拒绝以生产模式启动" in r.stderr


def test_demo_data_is_idempotent(tmp_path: Path) -> None:
    env = {"JIANXI_DATABASE_URL": f"sqlite:///{tmp_path}/d.db"}
    first = json.loads(jianxi("demo-data", env=env, cwd=tmp_path).stdout.strip().splitlines()[-1])
    second = json.loads(jianxi("demo-data", env=env, cwd=tmp_path).stdout.strip().splitlines()[-1])
    assert first["graduates"] == 100 and second["graduates"] == 0
