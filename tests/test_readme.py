"""The README's two set-up commands, exactly as written, in a fresh clone of the repository."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.wechat import peer

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- {marker} -->\s*```bash\n(.+?)\n```", text, re.S)
    assert m, f"README has no command marked {marker}"
    return m.group(1).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dest = tmp_path_factory.mktemp("clone") / "jianxi"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JIANXI_", "PYTEST_", "VIRTUAL_ENV")) and k != "PYTHONPATH"}
    env.update(extra)
    return env


def test_run_command_serves_the_simulator_with_demo_data(clone: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(["bash", "-c", readme_command("run")], cwd=clone, env=clean_env(JIANXI_PORT=str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not come up within 5 minutes"
            time.sleep(1)
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        config = httpx.get(base + "/simulator/config").json()
        assert {p["role"] for p in config["personas"]} == {"graduate", "unit", "official"}
        query = peer.signed_query(config["token"], openid="o_readme")
        reply = httpx.post(base + "/wechat", params=query, content=peer.text_xml("gh", "o_readme", "你好").encode())
        assert "找岗位" in peer.parse_reply(reply.text)["Content"]
        assert (clone / "jianxi.db").exists()  # the embedded SQLite database, with demo data
        import sqlite3

        with sqlite3.connect(clone / "jianxi.db") as conn:
            assert conn.execute("select count(*) from users where openid like 'demo-%'").fetchone()[0] > 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_test_command_runs_the_suite(clone: Path) -> None:
    # The full suite is what is running this test; in the clone, the quick smoke tests prove the command.
    r = subprocess.run(["bash", "-c", readme_command("test")], cwd=clone, capture_output=True, text=True,
                       env=clean_env(PYTEST_ADDOPTS="-m smoke -p no:cacheprovider"), timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert re.search(r"\d+ passed", r.stdout), r.stdout[-2000:]
