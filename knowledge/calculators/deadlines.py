"""Monthly report (月报 / 情况汇总表) deadlines, counted in working days with China's holiday calendar.

The rules come from the ``monthly_report`` entries of the knowledge base, with their sources:

* national (人社部发〔2023〕27号): 下月前5个工作日内, 遇节假日顺延 — also used for Henan and Beijing, whose
  notices have no monthly report, with "具体以当地人社部门规定为准";
* Inner Mongolia: text 下月前4个工作日内, its table 下月前5个工作日内 — both are given;
* Guangdong: text 次月前3个工作日内, its table 月后3日内 (遇节假日顺延) — both are given;
* Changsha: 月后2日内, 遇节假日顺延 (calendar days; a due date on a non-working day moves to the next
  working day).

Working days are those of ``chinese_calendar`` (holidays and make-up working days). For a year it does
not cover (it raises NotImplementedError) the official arrangement in ``knowledge/data/holidays.yaml`` is
used; when that has no such year either, weekends plus the statutory fixed-date holidays, and the date is
marked provisional: "（节假日安排以国务院公布为准，此日期为推算）".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import chinese_calendar
import yaml

from knowledge.answer import Answer, knowledge_region
from knowledge.divisions import Division, divisions
from knowledge.schema import REGION_NAMES, Entry, load_entries

HOLIDAYS_YAML = Path(__file__).resolve().parent.parent / "data" / "holidays.yaml"
PROVISIONAL_NOTE = "（节假日安排以国务院公布为准，此日期为推算）"
WEEKDAYS = "一二三四五六日"
_CC_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


# --- the working-day calendar -----------------------------------------------------------------
@dataclass(frozen=True)
class Day:
    day: date
    workday: bool
    holiday: str | None  # the holiday's name, on a day off for a holiday
    makeup: bool  # a weekend day that is a working day (调休上班)
    provisional: bool  # from weekends + fixed-date statutory holidays only


class WorkCalendar:
    """Working days: chinese_calendar; else the official arrangement in holidays.yaml; else a projection."""

    def __init__(self, path: Path = HOLIDAYS_YAML) -> None:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        self.years: dict[int, tuple[dict[date, str], set[date]]] = {}
        for year, spec in (raw.get("years") or {}).items():
            off: dict[date, str] = {}
            for h in spec.get("holidays") or []:
                d = _as_date(h["from"])
                while d <= _as_date(h["to"]):
                    off[d] = str(h["name"])
                    d += timedelta(days=1)
            self.years[int(year)] = (off, {_as_date(w) for w in spec.get("workdays") or []})
        fixed = raw.get("statutory_fixed") or {}
        self.fixed: dict[tuple[int, int], str] = {}
        for f in fixed.get("dates") or []:
            month, day = (int(x) for x in str(f["date"]).split("-"))
            self.fixed[(month, day)] = str(f["name"])

    def day(self, d: date) -> Day:
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            return self._fallback(d)
        cn = _CC_NAMES.get(name, name) if name else None
        weekend = d.weekday() >= 5
        if is_holiday:
            return Day(d, False, cn, False, False)
        return Day(d, True, None, weekend, False)

    def _fallback(self, d: date) -> Day:
        weekend = d.weekday() >= 5
        if d.year in self.years:
            off, work = self.years[d.year]
            if d in work:
                return Day(d, True, None, weekend, False)
            if d in off:
                return Day(d, False, off[d], False, False)
            return Day(d, not weekend, None, False, False)
        name = self.fixed.get((d.month, d.day))
        if name:
            return Day(d, False, name, False, True)
        return Day(d, not weekend, None, False, True)

    def nth_workday(self, start: date, n: int) -> tuple[date, bool]:
        """The n-th working day counting from ``start`` (inclusive); and whether any day was projected."""
        d, count, provisional = start, 0, False
        while True:
            info = self.day(d)
            provisional |= info.provisional
            if info.workday:
                count += 1
                if count == n:
                    return d, provisional
            d += timedelta(days=1)

    def on_or_after(self, d: date) -> tuple[date, bool]:
        """``d`` if it is a working day, else the next one (遇节假日顺延)."""
        provisional = False
        while True:
            info = self.day(d)
            provisional |= info.provisional
            if info.workday:
                return d, provisional
            d += timedelta(days=1)


def _as_date(v: object) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


@cache
def work_calendar() -> WorkCalendar:
    return WorkCalendar()


# --- the rules ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportRule:
    region: str  # the knowledge region whose notice says it
    wording: str  # as the notice writes it: 下月前4个工作日内, 月后2日内
    kind: Literal["working_days", "calendar_days"]
    n: int
    holiday_extends: bool
    doc: str
    section: str
    entry_id: str
    report_to: str | None = None
    form: str | None = None  # 《…汇总表》

    @property
    def where(self) -> str:
        return "附表填报说明" if "附件" in self.section else "正文"


@dataclass(frozen=True)
class Deadline:
    rule: ReportRule
    period: tuple[int, int]
    due: date
    provisional: bool
    notes: tuple[str, ...] = field(default=())

    def due_text(self) -> str:
        d = self.due
        return f"{d.year}年{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"

    @property
    def note(self) -> str:
        return PROVISIONAL_NOTE if self.provisional else ""


@dataclass(frozen=True)
class RegionRules:
    region: str  # the knowledge region asked about
    rules: tuple[ReportRule, ...]
    fallback: bool  # the region's notice is silent: these are the national rules
    entry: Entry


def _parse_wording(value: str) -> tuple[Literal["working_days", "calendar_days"], int] | None:
    m = re.search(r"(\d+)\s*个工作日", value)
    if m:
        return "working_days", int(m.group(1))
    m = re.search(r"(\d+)\s*日内", value)
    if m:
        return "calendar_days", int(m.group(1))
    return None


def _rules_of(e: Entry) -> list[ReportRule]:
    facts = e.facts
    extends = bool(facts.get("holiday_extends", False))
    raw_to = facts.get("report_to")
    report_to = raw_to if isinstance(raw_to, str) else None
    forms = re.findall(r"《[^》]*汇总表》", e.answer)
    form = forms[0] if forms else None
    out: list[ReportRule] = []
    for c in e.conflicts:
        if "期限" not in c.about:
            continue
        for v in c.values:
            parsed = _parse_wording(v.value)
            if parsed:
                out.append(ReportRule(e.region, v.value, parsed[0], parsed[1], extends, v.source.doc,
                                      v.source.section, e.id, report_to, form))
    if out:
        return out
    n = facts.get("deadline_working_days")
    if isinstance(n, int):
        return [ReportRule(e.region, f"下月前{n}个工作日内", "working_days", n, extends, e.source.doc,
                           e.source.section, e.id, report_to, form)]
    n = facts.get("deadline_days_after_month_end")
    if isinstance(n, int):
        return [ReportRule(e.region, f"月后{n}日内", "calendar_days", n, extends, e.source.doc,
                           e.source.section, e.id, report_to, form)]
    return []


@cache
def _monthly_entries() -> dict[str, Entry]:
    return {e.region: e for e in load_entries() if e.topic == "monthly_report"}


def rules_for(region_code: str | None) -> RegionRules:
    region = knowledge_region(region_code)
    entries = _monthly_entries()
    if region in entries:
        e = entries[region]
        return RegionRules(region, tuple(_rules_of(e)), False, e)
    e = entries["national"]
    return RegionRules(region, tuple(_rules_of(e)), region != "national", e)


# --- computing ----------------------------------------------------------------------------------
def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _prev_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def compute(rule: ReportRule, period: tuple[int, int], cal: WorkCalendar | None = None) -> Deadline:
    cal = cal or work_calendar()
    y, m = period
    ny, nm = _next_month(y, m)
    start = date(ny, nm, 1)
    if rule.kind == "working_days":
        due, provisional = cal.nth_workday(start, rule.n)
    else:
        due = date(y, m, calendar.monthrange(y, m)[1]) + timedelta(days=rule.n)
        provisional = cal.day(due).provisional
        if rule.holiday_extends:
            due, p2 = cal.on_or_after(due)
            provisional |= p2
    return Deadline(rule, period, due, provisional, tuple(_window_notes(start, due, cal)))


def _window_notes(start: date, end: date, cal: WorkCalendar) -> list[str]:
    """Holidays on weekdays and make-up working days between the 1st of the month and the due date."""
    notes: list[str] = []
    d = start
    block: list[Day] = []

    def flush() -> None:
        if block and any(b.day.weekday() < 5 for b in block):
            names = "、".join(dict.fromkeys(n for b in block if b.holiday for n in b.holiday.split("、")))
            a, b = block[0].day, block[-1].day
            span = f"{a.month}月{a.day}日" if a == b else f"{a.month}月{a.day}日至{_short(a, b)}"
            notes.append(f"{span}{names}放假" + ("（推算）" if block[0].provisional else ""))
        block.clear()

    while d <= end:
        info = cal.day(d)
        if info.holiday and not info.workday:
            block.append(info)
        else:
            flush()
            if info.makeup:
                notes.append(f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）调休上班")
        d += timedelta(days=1)
    flush()
    return notes


def _authority(report_to: str) -> str:
    """省厅就业局 → 省厅; 自治区人社厅 stays."""
    return re.sub(r"就业局$|就业促进司$", "", report_to) or report_to


def _short(a: date, b: date) -> str:
    return f"{b.day}日" if a.month == b.month else f"{b.month}月{b.day}日"


def parse_period(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"统计月份应写成 YYYY-MM，如 2025-09：{value!r}")
    return int(m.group(1)), int(m.group(2))


def deadlines(region_code: str | None, period: tuple[int, int]) -> list[Deadline]:
    """Every deadline the region's texts give for a period's report (two where the texts disagree)."""
    return [compute(r, period) for r in rules_for(region_code).rules]


def report_deadline(region_code: str | None, period: str) -> date:
    """For the scheduler: the date by which the report for ``period`` ('YYYY-MM') is due in a region.

    Where the region's texts disagree (Inner Mongolia 4 / 5 working days; Guangdong 3 working days / 月后3日),
    the earlier date, which satisfies both.
    """
    return min(d.due for d in deadlines(region_code, parse_period(period)))


def report_deadline_is_provisional(region_code: str | None, period: str) -> bool:
    return any(d.provisional for d in deadlines(region_code, parse_period(period)))


# --- questions ----------------------------------------------------------------------------------
_FORM = r"(汇总表|月报|报表|统计表|情况表|月度报表|月度统计|见习统计|(\d{1,2}|[一二三四五六七八九十]{1,2})月(份)?的(那张)?表|(这|上|本|下)个?月的(那张)?表)"
_WHEN = r"(几号|几日|哪天|哪一天|什么时候|啥时候|何时|截止|期限|最晚|最迟|日期|多少号|之前报|前报|前交|前上报)"
_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}


def is_deadline_question(text: str) -> bool:
    if re.search(r"年报|年度报告|年度计划实施情况", text):
        return False
    if re.search(r"从(什么时候|啥时候|哪个月|哪年|何时|几月)(起|开始)|(什么时候|啥时候|何时|哪个月)开始(每月)?(填|报)", text):
        return False  # "广东从什么时候开始每月填报": when the reporting began, not this month's date
    return bool(re.search(_FORM, text) and re.search(_WHEN, text))


def period_asked(text: str, today: date, region_code: str | None = None) -> tuple[int, int]:
    """Which month's report the question is about."""
    this = (today.year, today.month)
    prev = _prev_month(*this)
    nxt = _next_month(*this)
    form_after = r"\s*(份)?\s*(的)?\s*(数据|" + _FORM[1:-1] + ")"
    when_after = r"\s*" + _WHEN  # "11月几号前报": due in November; "11月的（11月份的）最晚几号": November's report
    m = re.search(r"(\d{4}|\d{2})\s*年\s*(\d{1,2})\s*月", text)
    if m:
        y = int(m.group(1)) + (2000 if len(m.group(1)) == 2 else 0)
        mon = int(m.group(2))
        if 1 <= mon <= 12:
            rest = text[m.end():]
            return _prev_month(y, mon) if re.match(when_after, rest) else (y, mon)
    for words, month in ((r"(这个月|本月|这月|当月)", this), (r"(上个月|上月)", prev), (r"(下个月|下月)", nxt)):
        m = re.search(words, text)
        if m:
            rest = text[m.end():]
            if re.match(form_after, rest):
                return month
            return _prev_month(*month)
    m = re.search(r"(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月", text)
    if m:
        raw = m.group(1)
        mon = int(raw) if raw.isdigit() else _CN_MONTH.get(raw, 0)
        if 1 <= mon <= 12:
            rest = text[m.end():]
            deadline_month = bool(re.match(when_after, rest))
            best: tuple[int, int] | None = None
            best_gap: int | None = None
            for y in (today.year - 1, today.year, today.year + 1):
                period = _prev_month(y, mon) if deadline_month else (y, mon)
                gap = abs((date(*_next_month(*period), 1) - today).days)
                if best_gap is None or gap < best_gap:
                    best, best_gap = period, gap
            assert best is not None
            return best
    # The next deadline not yet passed.
    due_prev = min(d.due for d in deadlines(region_code, prev))
    return prev if due_prev >= today else this


def _region_code_in(text: str, user_region: str | None = None) -> tuple[str | None, list[Division]]:
    found = divisions().resolve(text)
    if len(found) > 1 and user_region:
        # 朝阳区 from a user registered in Beijing: Beijing's.
        mine = [d for d in found if d.code.startswith(user_region[:2])]
        found = mine if len(mine) == 1 else found
    return (found[0].code if len(found) == 1 else None), found


def answer_text(region_code: str | None, period: tuple[int, int], *, place_name: str | None = None,
                region_given: bool = True,
                today: date | None = None) -> tuple[str, list[dict[str, str]], RegionRules, list[Deadline]]:
    rr = rules_for(region_code)
    dls = [compute(r, period) for r in rr.rules]
    y, m = period
    label = REGION_NAMES[rr.region] if rr.region != "national" else (place_name or "全国")
    if rr.region == "national" and place_name:
        label = place_name
    form = next((r.form for r in rr.rules if r.form), None) or "情况汇总表"
    to = next((r.report_to for r in rr.rules if r.report_to), None)
    lines: list[str] = [f"【{label}·月报期限】"]
    if rr.fallback:
        lines.append(f"{REGION_NAMES[rr.region]}的见习通知对月报没有单独规定，以下为全国规定（各地报人社部的期限），"
                     "市县向上报送的时间以当地人社部门规定为准。")
    elif rr.region == "national" and place_name:
        lines.append(f"我这里没有收录{place_name}的见习文件，以下为全国规定，具体以当地人社部门规定为准。")
    head = f"{y}年{m}月的{form}" + (f"报{to}" if to else "")
    if len(dls) == 1:
        d = dls[0]
        extra = "，遇节假日顺延" if d.rule.holiday_extends else ""
        lines.append(f"{head}，按“{d.rule.wording}”{extra}，应于{d.due_text()}前报送{d.note}。")
    else:
        lines.append(f"{head}，文件两处写法不一：")
        for d in dls:
            extra = "，遇节假日顺延" if d.rule.holiday_extends and d.rule.kind == "calendar_days" else ""
            lines.append(f"· {d.rule.where}“{d.rule.wording}”{extra}：{d.due_text()}前{d.note}；")
        earliest = min(dls, key=lambda d: d.due)
        boss = f"以{_authority(to)}通知为准" if to else "以上级人社部门通知为准"
        lines.append(f"按较早的{earliest.due.month}月{earliest.due.day}日报送两处都满足，{boss}。")
    notes = list(dict.fromkeys(n for d in dls for n in d.notes))
    if notes:
        lines.append("期间" + "，".join(notes) + "，已计入。")
    if today is not None and dls and max(d.due for d in dls) < today:
        nxt = _next_month(*period)
        upcoming = min((compute(r, nxt) for r in rr.rules), key=lambda d: d.due)
        lines.append(f"这一期限已过（今天是{today.month}月{today.day}日）；{nxt[0]}年{nxt[1]}月的应于"
                     f"{upcoming.due_text()}前报送{upcoming.note}。")
    if not region_given:
        lines.append("内蒙古、广东、长沙另有期限，告诉我地区可按当地规定计算。")
    cites: list[str] = []
    sources: list[dict[str, str]] = []
    refs = [(r.doc, r.section) for r in rr.rules] + [(s.doc, s.section) for s in rr.entry.more_sources]
    for doc, section in refs:
        s = {"doc": doc, "section": section}
        if s not in sources:
            sources.append(s)
    by_doc: dict[str, list[str]] = {}
    for s in sources:
        by_doc.setdefault(s["doc"], []).append(s["section"])
    for doc, sections in by_doc.items():
        cites.append(f"{doc} {'、'.join(sections)}")
    lines.append("依据：" + "；".join(cites))
    return "\n".join(lines), sources, rr, dls


# Reporting up within a province (to the 省厅, the city bureau), not to the ministry.
_UP_THE_CHAIN = re.compile(r"((报|交|送|给|到)(到|给)?|(向|往|给))(省厅|省里|省人社|省就业|市人社局|市局|市里|市人社)"
                           r"|各(区|县|区县|县区|旗县)\S{0,16}(报|交|送)")  # "北京各区每个月要不要报": a district's report


def deadline_answer(text: str, user_region: str | None, today: date) -> Answer | None:
    """An Answer for "汇总表这个月几号前报" / "月报什么时候交", or None when it is not such a question."""
    if not is_deadline_question(text):
        return None
    code, found = _region_code_in(text, user_region)
    if len(found) > 1:
        names = "、".join(d.full_name for d in found[:6])
        return Answer(f"您说的地方对应多个地区：{names}。请告诉我具体是哪一个。", "clarify", confidence=0.3)
    return monthly_deadline(text, code or user_region, today)


def monthly_deadline(text: str, region_code: str | None, today: date) -> Answer:
    """The monthly report's due date for ``region_code`` (None: the national rule), for the month ``text``
    asks about; also for a follow-up that names only the month ("那11月的最晚几号报")."""
    place_name = None
    if region_code and knowledge_region(region_code) == "national":
        d = divisions().get(region_code)
        place_name = d.full_name if d else None
    rr = rules_for(region_code)
    if region_code and rr.entry.region == "national" and _UP_THE_CHAIN.search(text):
        # "河南各市见习月报表几号前报省厅": the national notice sets the deadline to the ministry only; the one
        # within the province is the province's, and its notice (or none here) says nothing of it.
        from knowledge.answer import default_answerer

        rule = "、".join(dict.fromkeys(r.wording for r in rr.rules))
        say = f"国家通知只规定各地报人社部的期限（{rule}），没有规定市县向省里、市里报送月报的时间，我不能替当地作答。"
        return default_answerer().silence(rr.entry, say, region_code)
    period = period_asked(text, today, region_code)
    body, sources, rr, dls = answer_text(region_code, period, place_name=place_name,
                                         region_given=bool(region_code), today=today)
    confidence = 0.6 if any(d.provisional for d in dls) or rr.fallback else 0.9
    context = {"entry_id": rr.entry.id, "topic": "monthly_report", "region_code": region_code,
               # what a follow-up ("那12月的呢") is reckoned with: this question, naming the report
               "calc_text": text if re.search(_FORM, text) else f"{text}（月报）"}
    return Answer(body, "calculation", sources, confidence, rr.entry.id, rr.entry.region, context)


# --- the annual report ------------------------------------------------------------------------------
_ANNUAL = r"年报|年度报告|年度计划实施情况|年度.{0,10}报告"


def is_annual_question(text: str) -> bool:
    return bool(re.search(_ANNUAL, text) and re.search(_WHEN + r"|还有几天|还剩几天|还有多少天|几天", text))


@cache
def _entries_of(topic: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for e in load_entries():
        if e.topic == topic:
            out.setdefault(e.region, e)
    return out


def annual_answer(text: str, user_region: str | None, today: date) -> Answer | None:
    """"今年的年度报告截止到哪天": 长沙 12月10日前; 内蒙古 年底前; national 年底 (no date)."""
    if not is_annual_question(text):
        return None
    code, found = _region_code_in(text, user_region)
    if len(found) > 1:
        return None
    region_code = code or user_region
    region = knowledge_region(region_code)
    entries = _entries_of("annual_report")
    e = entries.get(region) or entries["national"]
    if region_code and e.region == "national" and _UP_THE_CHAIN.search(text):
        # "北京各区的见习年度总结报告几号前要交给市人社局": the national notice's year-end report is to the ministry
        from knowledge.answer import default_answerer

        say = "国家通知只规定各地人社部门于年底报送年度计划实施情况报告，没有规定区县向市里、省里报送的时间，我不能替当地作答。"
        return default_answerer().silence(e, say, region_code)
    label = REGION_NAMES[e.region] if e.region != "national" else "全国"
    lines = [f"【{label}·年度报告期限】"]
    if e.region != region:
        who = REGION_NAMES.get(region) if region != "national" else None
        if who:
            lines.append(f"{who}的见习通知对年度报告没有单独规定，以下为全国规定，具体以当地人社部门规定为准。")
    due = e.facts.get("due")
    m = re.search(r"(\d{1,2})月(\d{1,2})日", due) if isinstance(due, str) else None
    confidence = 0.9
    if m:
        year = today.year
        d = date(year, int(m.group(1)), int(m.group(2)))
        if d < today and "今年" not in text:
            d = date(year + 1, d.month, d.day)
        info = work_calendar().day(d)
        line = (f"年度计划实施情况报告于每年{d.month}月{d.day}日前报送，"
                f"这次为{d.year}年{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）")
        if not info.workday:
            line += "；当天不是工作日，通知未写遇节假日顺延，建议提前报送"
        if d < today:
            line += f"（今年的期限已过，今天是{today.month}月{today.day}日）"
        else:
            line += f"，距今天（{today.month}月{today.day}日）还有{(d - today).days}天"
        lines.append(line + "。")
    else:
        lines.append(f"{e.answer}文件没有写具体日期，以上级人社部门通知为准。")
        confidence = 0.7
    lines.append(f"依据：{e.source.doc} {e.source.section}")
    sources = [{"doc": e.source.doc, "section": e.source.section}]
    context = {"entry_id": e.id, "topic": "annual_report", "region_code": region_code}
    return Answer("\n".join(lines), "calculation", sources, confidence, e.id, e.region, context)


# --- reviewing applications (长沙: 5个工作日内) --------------------------------------------------------
_REVIEW = r"审核|审批|推送|答复|回复|结果"
_SUBMIT = r"提交|申请|报名|报了|申报"


def is_review_question(text: str) -> bool:
    return bool(re.search(_REVIEW, text) and re.search(_SUBMIT, text)
                and re.search(_WHEN + r"|几天|多久|多长时间|哪天", text))


def _submitted_on(text: str, today: date) -> tuple[date, bool]:
    """The day the application went in, and whether the message said it (else today is assumed)."""
    for word, days in (("大前天", 3), ("前天", 2), ("昨天", 1), ("今天", 0)):
        if word in text:
            return today - timedelta(days=days), True
    m = re.search(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*(日|号)", text)
    if m:
        y = int(m.group(1)) if m.group(1) else today.year
        try:
            d = date(y, int(m.group(2)), int(m.group(3)))
        except ValueError:
            return today, False
        if not m.group(1) and (d - today).days > 183:
            # a date without its year is the nearest one: "11月23号(周一)" asked on 11月22日 is tomorrow's
            d = date(y - 1, d.month, d.day)
        elif not m.group(1) and (today - d).days > 183:
            d = date(y + 1, d.month, d.day)
        return d, True
    m = re.search(r"(?<![\d月])(\d{1,2})\s*(日|号)", text)  # "要是我是25号提交的呢": this month's
    if m and 1 <= int(m.group(1)) <= calendar.monthrange(today.year, today.month)[1]:
        return date(today.year, today.month, int(m.group(1))), True
    return today, False


def review_answer(text: str, user_region: str | None, today: date) -> Answer | None:
    """"我昨天在省级专区提交了见习申请，区里最晚啥时候给审核意见" (长沙: within 5 working days)."""
    if not is_review_question(text):
        return None
    code, found = _region_code_in(text, user_region)
    if len(found) > 1:
        return None
    region_code = code or user_region
    e = _entries_of("review_deadlines").get(knowledge_region(region_code))
    if e is None:  # only Changsha's notice sets review times; the retrieval engine says so for the others
        return None
    unit = bool(re.search(r"单位|基地|公司|企业|岗位", text)) or "审核意见" in text
    key = "unit_application_working_days" if unit else "applicant_application_working_days"
    n = e.facts.get(key)
    if not isinstance(n, int):
        return None
    submitted, said = _submitted_on(text, today)
    due, provisional = work_calendar().nth_workday(submitted + timedelta(days=1), n)
    what = "明确审核意见" if unit else "审核并推送相关见习基地"
    who = "对用人单位在省级专区提交的见习申请" if unit else "对毕业生等青年线上提交的见习申请"
    lines = [f"【{REGION_NAMES[e.region]}·审核时限】",
             f"区、县（市）人社部门{who}，要在{n}个工作日内{what}。"]
    when = f"{submitted.month}月{submitted.day}日提交" if said else f"按今天（{submitted.month}月{submitted.day}日）提交计"
    lines.append(f"{when}，从次日起算{n}个工作日，最晚{due.year}年{due.month}月{due.day}日（周{WEEKDAYS[due.weekday()]}）"
                 + (PROVISIONAL_NOTE if provisional else "") + "。")
    notes = _window_notes(submitted + timedelta(days=1), due, work_calendar())
    if notes:
        lines.append("期间" + "，".join(notes) + "，已计入。")
    lines.append("逾期未有结果可向所在区县人社部门询问。")
    lines.append(f"依据：{e.source.doc} {e.source.section}")
    sources = [{"doc": e.source.doc, "section": e.source.section}]
    context = {"entry_id": e.id, "topic": "review_deadlines", "region_code": region_code}
    return Answer("\n".join(lines), "calculation", sources, 0.6 if provisional else 0.85, e.id, e.region, context)
