"""End to end: the simulator page in a real headless Chromium, against the real server process.

The server is started as ``jianxi serve`` would start it (a subprocess, SQLite file, no AppID, so the
simulator and the stand-in WeChat API are served) and is restarted in the middle of the profile form:
the conversation must carry on where it was. Needs /usr/bin/chromium (Playwright's own browser
download is not used): skipped without it on a developer's machine, a failure in CI (``CI=true``).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from bot.config import SIMULATOR_APPID, SIMULATOR_SECRET

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SCREENSHOT = Path("/tmp/sim-e2e.png")
TIMEOUT_MS = 20_000
GRADUATION = f"{date.today().year - 1}年6月"  # left school within two years: eligible


def _require(condition: bool, message: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``jianxi serve`` in a subprocess on a fixed port, so it can be restarted under the same page."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("JIANXI_")}
        self.env.update({
            "JIANXI_DATABASE_URL": f"sqlite:///{workdir / 'sim.db'}",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
            "PYTHONUNBUFFERED": "1",
        })

    @property
    def log(self) -> Path:
        return self.workdir / f"server-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        # cwd is the temporary directory: a developer's .env in the checkout must not leak in.
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import app; app()", "serve", "--port", str(self.port)],
                cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the server exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"the server did not answer /healthz within 60 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def page(server: Server) -> Iterator:  # type: ignore[type-arg]
    _require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: install Chromium (apt-get install chromium) "
                                       "to run the simulator's end-to-end test")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _require(False, "Playwright for Python is missing: pip install -e '.[test]'")
        raise
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 480, "height": 900}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield pg
        finally:
            context.close()
            browser.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def _standin_push(server: Server, openid: str) -> None:
    """Push a customer-service text and a template message through the stand-in, as the bot would."""
    api = f"{server.base}/wechat-api/cgi-bin"
    token = httpx.get(f"{api}/token", params={"grant_type": "client_credential", "appid": SIMULATOR_APPID,
                                              "secret": SIMULATOR_SECRET}).json()["access_token"]
    sent = httpx.post(f"{api}/message/custom/send", params={"access_token": token}, json={
        "touser": openid, "msgtype": "text", "text": {"content": "见习报到提醒：\n明天 9:00 到单位报到"},
    }).json()
    assert sent["errcode"] == 0, sent
    sent = httpx.post(f"{api}/message/template/send", params={"access_token": token}, json={
        "touser": openid, "template_id": "TPL_REMINDER", "url": "https://example.com/detail",
        "data": {"first": {"value": "您有一条见习提醒"}, "thing1": {"value": "月度考勤确认"},
                 "time2": {"value": "2024年7月1日"}, "remark": {"value": "请按时处理"}},
    }).json()
    assert sent["errcode"] == 0, sent


def test_simulator_chat_end_to_end(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    bot = page.locator("#messages .msg.bot")
    user = page.locator("#messages .msg.user")
    notes = page.locator("#messages .note")

    def keyboard() -> None:
        if not page.locator("#input").is_visible():
            page.click("#menu-toggle")
        expect(page.locator("#input")).to_be_visible()

    def menu() -> None:
        if not page.locator("#menu-bar").is_visible():
            page.click("#menu-toggle")
        expect(page.locator(".menu-btn").first).to_be_visible()

    def say(text: str, *expected: str) -> None:
        """Type a message, press Enter, and wait for the bot's next bubble containing ``expected``."""
        keyboard()
        before = bot.count()
        page.fill("#input", text)
        page.press("#input", "Enter")
        expect(user.last).to_contain_text(text)
        expect(bot).to_have_count(before + 1)
        for part in expected:
            expect(bot.last).to_contain_text(part)

    def click_menu(top: str, sub: str | None, *expected: str) -> None:
        menu()
        before = bot.count()
        page.click(f'.menu-btn[data-name="{top}"]')
        if sub is not None:
            page.click(f'.submenu-item[data-name="{sub}"]')
        expect(notes.last).to_have_text(f"点击菜单：{sub or top}")
        expect(bot).to_have_count(before + 1)
        for part in expected:
            expect(bot.last).to_contain_text(part)

    page.goto(server.base + "/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator(".title")).to_have_text("就业见习助手")
    expect(page.locator(".persona[data-role=graduate]")).to_have_attribute("aria-pressed", "true")

    # The page's pure-JS SHA-1 (for hosts that are not a secure context) agrees with hashlib.
    for sample in ["", "abc", "jianxi-dev-token17000000001234567", "见习" * 40, "x" * 55, "y" * 64]:
        got = page.evaluate("s => window.jianxiSimulator.sha1Fallback(s)", sample)
        assert got == hashlib.sha1(sample.encode("utf-8")).hexdigest(), sample

    # First visit: the subscribe event brings the welcome.
    expect(bot).to_have_count(1)
    expect(bot.first).to_contain_text("欢迎关注就业见习助手")
    expect(page.locator("#messages .time-sep").first).to_be_visible()

    say("你好", "我可以帮您", "找岗位", "政策问答")
    expect(bot.last.locator(".bubble")).to_have_css("white-space", "pre-wrap")
    click_menu("我的", "个人信息", "您还没有填写个人资料")

    # A request the server refuses shows a red note with the HTTP status.
    def is_callback(url: str) -> bool:
        return "/wechat?" in url

    page.route(is_callback, lambda route: route.continue_(url=route.request.url.replace("signature=", "signature=0")))
    keyboard()
    page.fill("#input", "签名错误的消息")
    page.press("#input", "Enter")
    expect(page.locator("#messages .note.error").last).to_have_text("发送失败（HTTP 403）")
    page.unroute(is_callback)

    say("填写资料", "请问您的姓名")
    say("张三", "11 位手机号")
    say("1381234567", "11 位", "10 位")
    say("13812345678", "最高学历")
    say("本科", "毕业院校")
    say("郑州大学", "所学专业")

    # Restart the server in the middle of the form; reload the page too: the history comes back from
    # localStorage, and the conversation carries on at the same question.
    server.restart()
    bubbles = bot.count()
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(bot).to_have_count(bubbles)
    expect(bot.last).to_contain_text("所学专业")
    say("会计", "哪年哪月毕业")
    say(GRADUATION, "哪个地区")
    say("郑州市金水区", "请核对您的个人资料", "张三", "138****5678", "郑州大学", GRADUATION)
    say("确认", "个人资料已保存", "138****5678")
    click_menu("我的", "个人信息", "张三", "138****5678", "河南省郑州市金水区")
    page.screenshot(path=str(SCREENSHOT), animations="disabled")
    assert not [t for t in bot.all_inner_texts() if "13812345678" in t], "the bot must never echo the full phone"

    # 找岗位 from the menu: the profile's major and region are used, nothing is asked; the demo catalogue
    # (seeded at start) answers with 岗位编号 and why; 更多 pages on; 岗位 编号 shows one; 报名 编号 signs up.
    click_menu("找岗位", None, "为你找到", "专业：会计学", "更多")
    first_code = re.search(r"1\. .*?（([A-Z0-9-]+)）", bot.last.inner_text())
    assert first_code, bot.last.inner_text()
    say("更多", "第 2 页", "6. ")
    say("计算机 郑州", "计算机科学与技术", "河南省郑州市")
    listed = bot.last.inner_text()
    assert "深圳" not in listed and "北京市" not in listed
    page.screenshot(path=str(SCREENSHOT.with_name("sim-positions.png")), animations="disabled")
    say(f"岗位 {first_code.group(1)}", "岗位编号", first_code.group(1), "专业要求", f"报名 {first_code.group(1)}")
    say(f"报名 {first_code.group(1)}", "报名")
    say("取消", "已取消")

    # Pushes through the stand-in WeChat API appear as bot bubbles with a label.
    _standin_push(server, "sim-graduate")
    # (On a loaded machine a slow reply may itself arrive as a 客服消息 after WeChat's reply window: not these.)
    pushes = page.locator("#messages .msg.bot.push").filter(has_text=re.compile("见习报到提醒|您有一条见习提醒"))
    expect(pushes).to_have_count(2)
    expect(pushes.first.locator(".push-label")).to_have_text("客服消息")
    expect(pushes.first).to_contain_text("明天 9:00 到单位报到")
    expect(pushes.last.locator(".push-label")).to_have_text("模板消息")
    expect(pushes.last.locator(".template-card")).to_contain_text("月度考勤确认")
    expect(pushes.last.locator(".template-card")).to_contain_text("请按时处理")

    # Another persona has its own chat (and its own welcome).
    page.click(".persona[data-role=unit]")
    expect(page.locator(".persona[data-role=unit]")).to_have_attribute("aria-pressed", "true")
    expect(bot).to_have_count(1)
    expect(user).to_have_count(0)
    expect(bot.first).to_contain_text("欢迎关注就业见习助手")
    expect(bot.first).to_contain_text("单位服务")
    expect(page.locator("#messages")).not_to_contain_text("张三")
    # "]]>" in a message is split across CDATA sections; the server still accepts it.
    say("见习]]>补贴")
    expect(page.locator("#messages .note.error")).to_have_count(0)

    # Back to the graduate: the whole conversation is still there.
    page.click(".persona[data-role=graduate]")
    expect(page.locator("#messages")).to_contain_text("个人资料已保存")
    expect(pushes).to_have_count(2)
    menu()
    page.click('.menu-btn[data-name="我的"]')
    expect(page.locator(".submenu-item").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".submenu-item").first).to_be_hidden()


def _chat(page):  # type: ignore[no-untyped-def]
    """say(text, *expected) and persona(role) for one page, as a newcomer types and clicks."""
    from playwright.sync_api import expect

    bot = page.locator("#messages .msg.bot")
    user = page.locator("#messages .msg.user")

    def say(text: str, *expected: str) -> str:
        if not page.locator("#input").is_visible():
            page.click("#menu-toggle")
        before = bot.count()
        page.fill("#input", text)
        page.press("#input", "Enter")
        expect(user.last).to_contain_text(text)
        # The reply: the new bot message with the expected words (a notification pushed meanwhile, such as the
        # unit's approval, may come in beside it).
        deadline = time.monotonic() + 20
        while True:
            new = [bot.nth(i).inner_text() for i in range(before, bot.count())]
            reply = next((t for t in new if all(part in t for part in expected)), None)
            if reply is not None and (expected or new):
                return reply
            assert time.monotonic() < deadline, (text, expected, new)
            page.wait_for_timeout(100)

    def persona(role: str) -> None:
        page.click(f".persona[data-role={role}]")
        expect(page.locator(f".persona[data-role={role}]")).to_have_attribute("aria-pressed", "true")
        expect(bot.first).to_contain_text("欢迎关注")

    return say, persona


def test_paperwork_in_the_simulator(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    """A newcomer plays the three personas: a unit registers in 呼和浩特 and publishes a position, the official
    approves both, a graduate signs up, the unit accepts, signs the agreement, reports last month's attendance
    and claims the subsidy, and the official approves and pays it — with the amount the notice gives."""
    from playwright.sync_api import expect

    from bot.validators import credit_check_char
    from knowledge.calculators.min_wage import current_table

    page.goto(server.base + "/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    say, persona = _chat(page)
    today = date.today()
    start = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    month = f"{start.year}-{start.month:02d}"
    credit = "91150102MA0N5678Y"
    credit += credit_check_char(credit)

    persona("unit")
    say("单位申报", "单位全称")
    say("呼和浩特新城青城数据服务有限公司", "统一社会信用代码")
    say(credit[:-1] + ("0" if credit[-1] != "0" else "1"), "校验不通过")
    say(credit, "地区")
    for answer, expected in (("呼和浩特市新城区", "联系人"), ("高娃", "手机号"), ("1380471000", "11 位"),
                             ("13804710000", "参保人数"), ("60", "成立日期"), ("2015年6月", "见习基地"),
                             ("2", "请核对")):
        say(answer, expected)
    say("确认", "已提交")

    persona("official")
    inbox = say("待办", "单位待审核")
    unit_ref = re.search(r"单位(\d+)：呼和浩特新城青城", inbox).group(1)
    say(f"通过 单位{unit_ref}", "已通过")

    persona("unit")
    say("发布岗位", "岗位名称")
    for answer, expected in (("数据标注助理", "岗位类别"), ("2", "专业要求"), ("计算机科学与技术、软件工程", "学历要求"),
                             ("3", "招募人数"), ("2", "见习期限"), ("24", "3 到 12"), ("6", "岗位描述"),
                             ("数据整理与标注，有带教。", "请核对")):
        say(answer, expected)
    code = re.search(r"岗位编号 (\S+?)）", say("确认", "审核通过后上线")).group(1)

    persona("official")
    say("待办", code)
    say(f"通过 岗位{code}", "招募中")

    persona("graduate")
    say(f"岗位 {code}", "数据标注助理", f"报名 {code}")
    say(f"报名 {code}", "姓名")
    for answer, expected in (("其其格", "手机号"), ("13904710000", "身份证"),
                             ("150102200301017771", "校验"),):
        say(answer, expected)
    first17 = f"150102{today.year - 23}0101777"
    say(first17 + _with_check_char(first17), "学历")
    for answer in ("本科", "内蒙古大学", "计算机科学与技术", GRADUATION, "呼和浩特市新城区", "2"):
        say(answer)
    reply = page.locator("#messages .msg.bot").last.inner_text()
    if "困难" in reply:
        say("2")
    say("确认", "报名已提交")
    # The agreement below starts on the first of last month, and no agreement may start before the sign-up:
    # the graduate signed up ten days before that (the server's own database, as an operator would fix it).
    import sqlite3

    with sqlite3.connect(server.workdir / "sim.db") as conn:
        conn.execute("UPDATE applications SET created_at = ? WHERE position_code = ?",
                     (f"{start - timedelta(days=10)} 09:00:00.000000", code))

    persona("unit")
    application = re.search(r"报名(\d+)：其其格", say("我的申请人", "其其格", "139****0000")).group(1)
    say(f"录用 报名{application}", "审核通过")
    end = date(start.year + (start.month + 4) // 12, (start.month + 4) % 12 + 1, 28)
    say(f"签协议 报名{application} {start.isoformat()} {end.isoformat()}", "见习中")
    say(f"考勤 {month} 其其格 40", "超过了")
    say(f"考勤 {month} 其其格 20", "已保存")
    wage = current_table().tier_rule("15", "一类", start).monthly_yuan
    amount = (wage * Decimal("0.5")).quantize(Decimal("1"))
    say(f"申领补贴 {month}", f"合计：{amount}元", "内人社办发〔2023〕118号", "以当地人社部门核定为准")
    say(f"确认申领 {month}", "已提交")

    persona("official")
    claim = re.search(r"补贴(\d+)：呼和浩特新城青城", say("待办", "补贴待审核")).group(1)
    say(f"通过 补贴{claim}", "待拨付")
    say(f"拨付 补贴{claim}", "已拨付")

    persona("unit")
    pushes = page.locator("#messages .msg.bot.push")
    expect(pushes.last).to_contain_text("已拨付")
    persona("graduate")
    expect(page.locator("#messages")).to_contain_text("见习协议已签订")
    page.screenshot(path=str(SCREENSHOT.with_name("sim-paperwork.png")), animations="disabled")


def _with_check_char(first17: str) -> str:
    """The ID number's 18th character (the checksum) for its first 17."""
    from bot.validators import id_check_char

    return id_check_char(first17)
