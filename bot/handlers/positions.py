"""Finding a position in chat (找岗位): read major and place from what the graduate types, ask for what is
missing, show the best five with their 岗位编号 and why, page on with 更多, show one in full with 岗位 编号,
and hand over to sign-up with 报名 编号.

What the person said wins; then what they said before in this conversation (remembered); then the profile.
A place the person names is a hard filter (bot.positions.recommend); the profile's region is only a
preference. The major a person gives here is kept in the profile when it has none. When the place needs
asking about (朝阳区: which one? 香港: not in the catalogue's divisions), the request is kept with the question
and run again with the answer, so nothing else it said (the major, the education, a job word) is lost.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from bot.applications.service import find_position, position_problem
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot
from bot.conversation.router import Reply, Router
from bot.models import Position, PositionStatus
from bot.positions.index import get_index
from bot.positions.query import ParsedQuery, default_parser
from bot.positions.recommend import (
    MAX_LIMIT,
    QueryError,
    Recommendation,
    Recommendations,
    by_positions,
    place_label,
    recommend,
    unknown_place_notice,
)
from bot.privacy import mask_phone
from bot.validators import FormContext, Ok, Result, Retry

router = Router("positions")

PAGE = 5
ANY = "不限"
_ANY_WORDS = {"不限", "都行", "都可以", "随便", "无所谓", "全国", "哪里都行", "不限专业", "专业不限", "不限地区", "任意"}
# The words that start this flow; what follows them is the request itself ("找岗位 会计 广州").
_TRIGGER = re.compile(r"^(?:帮我)?(?:找|推荐|查|查找|搜索|搜)?(?:见习)?(?:岗位|工作)(?:推荐)?\s*[:：,，]?\s*")
_DETAIL = re.compile(r"^(?:查看)?岗位\s*(?:编号)?\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9_\-]{0,31})$")
_PUBLIC = {PositionStatus.open.value, PositionStatus.full.value, PositionStatus.closed.value}
FOOTER = "回复“更多”看下一页；“岗位 编号”看详情（如：岗位 {code}）；“报名 编号”报名。换条件直接说，例如“计算机 郑州”。"


# --- the two questions, as a form without a summary ------------------------------------------------
def _bare(value: str) -> str:
    return re.sub(r"[\s。，,.!！]", "", unicodedata.normalize("NFKC", value))


def validate_major(value: str, ctx: FormContext) -> Result:
    text = _bare(value)
    if text in _ANY_WORDS:
        return Ok(ANY)
    ref = default_parser().major(text)
    if ref is None:
        parsed = default_parser().parse(text)
        ref = parsed.majors[0] if parsed.majors else None
    if ref is None:
        return Retry("没有认出这个专业。请输入专业名称，例如：会计学、计算机、电子商务；专业不限请回复“不限”。")
    return Ok(ref.name)


def validate_place(value: str, ctx: FormContext) -> Result:
    text = _bare(value)
    if text in _ANY_WORDS:
        return Ok(ANY)
    options: list[dict[str, str]] = list(ctx.values.get("_place_options") or [])
    if options:  # answering "which 朝阳区?": a number, or any part of the full name ("北京", "长春")
        if text.isdigit() and 1 <= int(text) <= len(options):
            return Ok(options[int(text) - 1])
        picked = [o for o in options if text in o["name"]]
        if len(picked) == 1:
            return Ok(picked[0])
    found, ambiguous = default_parser().place(text)
    if len(found) == 1:
        d = found[0]
        return Ok({"code": d.code, "name": d.full_name})
    if ambiguous or len(found) > 1:
        names = "、".join(d.full_name for d in (ambiguous or found)[:6])
        return Retry(f"“{value.strip()}”有几处：{names}。请说得具体一些，例如“{(ambiguous or found)[0].full_name}”。")
    unlisted = default_parser().unlisted(text)
    if unlisted:
        return Retry(unknown_place_notice(unlisted))
    return Retry("没有找到这个地方。请输入省、市或区县，例如：广州天河、郑州、河南；不限地区请回复“不限”。")


def _show_place(value: Any) -> str:
    return value["name"] if isinstance(value, dict) else str(value)


def _found(ctx: Context, values: dict[str, Any]) -> Reply:
    # "request": what the person typed when the form began (kept while the place was asked about)
    return search(ctx, values.get("request") or "", major=values.get("major"), place=values.get("place"))


FIND_FORM = router.form(Form(
    name="find_positions",
    title="找岗位",
    slots=[
        Slot("major", "专业", "你学的是什么专业？（例如：会计学、计算机、电子商务；专业不限请回复“不限”）", validate_major),
        Slot("place", "地点", "想在哪里见习？请说省、市或区县（例如：广州天河、郑州、河南；不限地区请回复“不限”）",
             validate_place, show=_show_place),
    ],
    complete=_found,
    confirm=False,
))


# --- the search and how it reads in chat ----------------------------------------------------------
def _prefs(ctx: Context) -> dict[str, Any]:
    return dict(ctx.recall("position_prefs") or {})


def _remember(ctx: Context, major: str | None, place: dict[str, str] | str | None) -> None:
    prefs = _prefs(ctx)
    if major:
        prefs["major"] = major
        if major != ANY and not ctx.user.major:
            ctx.user.major = major  # the profile keeps what the person studied
    if place:
        prefs["place"] = place
    ctx.remember(position_prefs=prefs)


def search(ctx: Context, text: str, major: str | None = None, place: dict[str, str] | str | None = None) -> Reply:
    """Understand the request, fill the gaps from memory and profile (or ask), and show the first page.

    ``major`` and ``place`` are the form's answers; a ``place`` given so replaces the place in ``text``."""
    parsed = default_parser().parse(text) if text else None
    chosen = place  # answered in the form: wins over any place in the text
    if chosen == ANY and parsed and (parsed.places or parsed.clarify or parsed.unknown_places):
        text, parsed = "", None  # "不限" after "which 朝阳区?": the rest of the request, anywhere
    said_major = bool(parsed and (parsed.majors or parsed.any_major))
    said_place = bool(parsed and (parsed.places or parsed.clarify or parsed.unknown_places))
    text_major = (parsed.majors[0].name if parsed.majors else ANY) if parsed and said_major else None
    if parsed and parsed.any_major:
        major = ANY
    prefs = _prefs(ctx)
    major = major or (None if said_major else prefs.get("major") or ctx.user.major)
    place = place or (None if said_place else prefs.get("place"))
    if parsed and chosen is None and not parsed.places:
        if parsed.clarify:
            return _ask_place(ctx, text, text_major or major, parsed)
        if parsed.unknown_places:
            return _ask_unknown_place(ctx, text, text_major or major, parsed)
    missing_major = not said_major and not major
    missing_place = not said_place and not place and not ctx.user.region_code
    if missing_major or missing_place:
        known: dict[str, Any] = {}
        if said_major and parsed:
            known["major"] = text_major
        elif major:
            known["major"] = major
        if said_place and parsed:
            known["place"] = {"code": parsed.places[0].code, "name": parsed.places[0].full_name}
        elif place:
            known["place"] = place
        if text:
            known["request"] = text
        return ctx.dispatcher.forms.start(ctx, FIND_FORM.name, known=known)
    location = place["code"] if isinstance(place, dict) and (chosen is not None or not said_place) else None
    query = {"text": text, "major": None if said_major or major == ANY else major, "location": location,
             "any_major": major == ANY and not said_major, "page": 0}
    result = _run(ctx, query)
    if isinstance(result, str):
        return result
    if parsed:
        _remember(ctx, text_major, chosen if isinstance(chosen, dict) else
                  {"code": parsed.places[0].code, "name": parsed.places[0].full_name} if len(parsed.places) == 1
                  else None)
    else:
        _remember(ctx, major, place)
    ctx.remember(last_flow="positions")
    return _page(ctx, query, result)


def _ask_place(ctx: Context, text: str, major: str | None, parsed: ParsedQuery) -> Reply:
    """Which of the places of that name? The request waits with the question and runs with the answer."""
    candidates = by_positions(get_index(ctx.services.db), parsed.clarify)[:8]
    options = [{"code": d.code, "name": d.full_name} for d in candidates]
    said = "、".join(parsed.ambiguous_names)
    ctx.dispatcher.forms.start(ctx, FIND_FORM.name, known={"major": major or ANY, "request": text})
    ctx.state.slots = {**ctx.state.slots, "_place_options": options}
    listed = "\n".join(f"{i}. {o['name']}" for i, o in enumerate(options, 1))
    return f"“{said}”有{len(options)}处，你想去的是哪一个？回复序号或名称：\n{listed}"


def _ask_unknown_place(ctx: Context, text: str, major: str | None, parsed: ParsedQuery) -> Reply:
    """A place the catalogue's divisions do not have (香港): said plainly, then asked for one they have."""
    known: dict[str, Any] = {"request": text}
    if major:
        known["major"] = major
    question = ctx.dispatcher.forms.start(ctx, FIND_FORM.name, known=known)
    return f"{unknown_place_notice(parsed.unknown_places, ask=False)}\n\n{question}"


def _run(ctx: Context, query: dict[str, Any]) -> Recommendations | str:
    limit = min(PAGE * (query["page"] + 1), MAX_LIMIT)
    try:
        return recommend(ctx.services.db, query["text"], major=query["major"], location=query["location"],
                         education=ctx.user.education, home=None if query["location"] else ctx.user.region_code,
                         limit=limit, today=ctx.now.date())
    except QueryError as e:
        return f"{e}。请换个说法，例如“会计 广州天河”。"


def _line(i: int, r: Recommendation) -> str:
    badge = "【示范】" if r.demonstration and "示范岗位" not in r.why else ""
    return f"{i}. {badge}{r.title}（{r.code}）\n   {r.unit}｜{r.place}\n   {r.why}"


def _page(ctx: Context, query: dict[str, Any], result: Recommendations) -> str:
    ctx.forget("pages")  # an older long reply's pages must not take this list's 更多
    start = PAGE * query["page"]
    items = list(result.items[start:start + PAGE])
    if result.clarify:
        return result.notice or ""
    lines: list[str] = []
    if query["page"] == 0:
        if result.notice:
            lines.append(result.notice)
        elif items:
            lines.append(f"为你找到 {result.total} 个在招岗位（{_understood(result)}），最合适的是：")
    elif items:
        lines.append(f"第 {query['page'] + 1} 页：")
    for i, r in enumerate(items, start + 1):
        lines.append(_line(i, r))
    alternatives = list(result.alternatives[:PAGE]) if query["page"] == 0 else []
    if alternatives:
        lines.append("可以考虑附近的岗位：")
        for i, r in enumerate(alternatives, start + len(items) + 1):
            lines.append(_line(i, r))
    shown = items + alternatives
    if not shown:
        if query["page"] > 0:
            ctx.forget("position_query")
            return "没有更多了。换个条件试试，例如“计算机 郑州”，或回复“找岗位”重新开始。"
        return (result.notice or "暂时没有符合条件的在招岗位。") + "\n可以放宽地点（只说省或市）或说“专业不限”再找找。"
    more = start + len(items) < min(result.total, MAX_LIMIT) and len(items) == PAGE
    if more:
        ctx.remember(position_query=query)
    else:
        ctx.forget("position_query")
    lines.append("")
    lines.append(FOOTER.format(code=shown[0].code) if more else
                 FOOTER.format(code=shown[0].code).replace("回复“更多”看下一页；", "回复"))
    return "\n".join(lines)


def _understood(result: Recommendations) -> str:
    parts = []
    if result.majors:
        parts.append("专业：" + "、".join(m.name for m in result.majors))
    if result.places:
        parts.append("地点：" + "、".join(d.full_name for d in result.places))
    if result.education:
        parts.append(f"学历：{result.education}")
    return " · ".join(parts) or "全部在招岗位"


def wants_positions(ctx: Context) -> bool:
    """Free text no intent claimed that reads as a request for positions: "计算机 郑州", "我想回河南".

    A bare place right after a policy answer ("那北京呢？") is that answer's follow-up, not a search.
    """
    parsed = default_parser().parse(ctx.text)
    if parsed.majors or parsed.any_major:
        return True
    if parsed.places or parsed.clarify or parsed.unknown_places:
        return ctx.recall("last_flow") != "policy"
    return False


# --- handlers ------------------------------------------------------------------------------------
@router.intent("positions.find")
def find_positions(ctx: Context) -> Reply:
    if ctx.inbound.kind == "event":  # the 找岗位 menu button
        return search(ctx, "")
    text = _TRIGGER.sub("", ctx.text, count=1)
    return search(ctx, text)


@router.intent("more")
def more(ctx: Context) -> Reply:
    query = ctx.recall("position_query")
    if not query:
        return "没有可以继续显示的内容了。回复“找岗位”查找见习岗位，或直接提问。"
    query = {**query, "page": int(query["page"]) + 1}
    if PAGE * query["page"] >= MAX_LIMIT:
        ctx.forget("position_query")
        return f"已经显示了最合适的 {MAX_LIMIT} 个岗位。换个条件（专业、地点）再找找看。"
    result = _run(ctx, query)
    return result if isinstance(result, str) else _page(ctx, query, result)


@router.intent("positions.detail")
def position_detail(ctx: Context) -> Reply:
    m = _DETAIL.match(unicodedata.normalize("NFKC", ctx.text).strip())
    if not m:
        return "请回复“岗位 编号”查看岗位详情，例如：岗位 GZ-KJ-01。"
    position = find_position(ctx.session, m.group(1))
    if position is None or position.status not in _PUBLIC:  # a position under review is not shown yet
        return f"没有找到岗位编号“{m.group(1)}”。请核对编号，或回复“找岗位”重新查找。"
    return detail_text(ctx, position, ctx.now.date())


def detail_text(ctx: Context, p: Position, today: date) -> str:
    lines = [f"【{p.title}】岗位编号：{p.code}" + ("（示范岗位）" if p.demonstration else ""),
             f"单位：{p.unit_name}",
             f"地点：{place_label(p.province, p.city, p.district) if p.city else p.province}",
             f"类别：{p.category} · 学历：{p.education} · 见习期限：{p.months} 个月",
             f"专业要求：{p.majors_text or '不限'}",
             f"招募人数：{p.headcount} 人（剩余 {max(p.places_left, 0)} 个名额）"]
    if p.opens_on or p.closes_on:
        span = f"{p.opens_on.isoformat() if p.opens_on else '即日'} 至 {p.closes_on.isoformat() if p.closes_on else '招满为止'}"
        lines.append(f"报名时间：{span}")
    if p.description:
        lines.append(f"岗位描述：{p.description[:300]}")
    if p.contact_phone_enc:
        phone = ctx.services.vault.decrypt(p.contact_phone_enc)
        lines.append(f"联系电话：{mask_phone(phone)}（报名后单位会与你联系）")
    problem = position_problem(p, today)
    lines.append("")
    lines.append(problem or f"想报名请回复“报名 {p.code}”。")
    return "\n".join(lines)
