"""Monthly attendance (考勤) and subsidy claims (补贴申领) of host units.

* Attendance: days per trainee per month, at most the days of that month the trainee was on internship; only for
  a month that has begun; correctable until the month's claim is submitted.
* A claim for a month that is over: per trainee with attendance, the region's base rate (knowledge base) times
  the minimum wage in force that month where the unit is (the minimum-wage table) — the "1+1" mode's monthly
  payment; in the month an internship ends, the retention-tier difference once per trainee and month of
  internship when the unit's retention has reached the region's threshold; the remaining-period subsidy for a
  trainee kept on before the end, while the policy runs (it ran to the end of 2023 in every notice here; Beijing's
  extra conditions are stated). One month per claim: the notices forbid paying after the internship in one lump.
  The notices do not say how a month with few days attended is counted: a month with attendance is paid in full
  and the claim says that the local bureau's figure rules.
* Claims move submitted → approved → paid, or submitted → rejected (with a reason); a rejected claim may be
  submitted again.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.applications.lifecycle import date_text
from bot.applications.service import trainee_label
from bot.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Attendance,
    ClaimKind,
    ClaimStatus,
    SubsidyClaim,
    Unit,
    utcnow,
)
from knowledge.answer import knowledge_region
from knowledge.calculators.min_wage import MinWageTableError, WageRule, current_table, yuan
from knowledge.calculators.subsidy import SubsidyRule, rule_for
from knowledge.schema import REGION_NAMES, Entry, load_entries

ON_OR_AFTER_INTERNSHIP = (ApplicationStatus.on_internship.value, ApplicationStatus.completed.value,
                          ApplicationStatus.retained.value, ApplicationStatus.ended_early.value)
CLAIM_LABELS = {ClaimStatus.submitted: "已提交，待审核", ClaimStatus.approved: "审核通过，待拨付",
                ClaimStatus.paid: "已拨付", ClaimStatus.rejected: "未通过"}
CAVEAT = "出勤不满整月是否折算，通知未作规定：此处按月计发，最终金额以当地人社部门核定为准。"
MONTH = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?")


class ClaimError(ValueError):
    """Input or a state that does not allow the step; ``message`` is for the person in chat (Chinese),
    ``problems`` the same, one item each, without chat wording (for the admin API)."""

    def __init__(self, message: str, *, conflict: bool = False, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict
        self.problems = problems if problems is not None else [message]


def claim_label(status: str) -> str:
    return CLAIM_LABELS.get(status, status)  # type: ignore[call-overload]


# --- months --------------------------------------------------------------------------------------
def parse_month(text: str) -> str | None:
    m = MONTH.search(unicodedata.normalize("NFKC", text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def month_bounds(month: str) -> tuple[date, date]:
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def month_text(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


def days_on_internship(a: Application, month: str) -> int:
    """Calendar days of ``month`` within the trainee's internship (0 when none)."""
    first, last = month_bounds(month)
    if a.starts_on is None:
        return 0
    start = max(first, a.starts_on)
    end = min(last, a.ends_on or last)
    return max(0, (end - start).days + 1)


# --- trainees and attendance ------------------------------------------------------------------------
def trainees(session: Session, unit: Unit, month: str) -> list[Application]:
    """The unit's trainees on internship for at least a day of ``month``."""
    rows = session.scalars(select(Application).where(Application.unit_id == unit.id,
                                                     Application.status.in_(ON_OR_AFTER_INTERNSHIP))
                           .order_by(Application.id))
    return [a for a in rows if days_on_internship(a, month) > 0]


def claim_of(session: Session, unit: Unit, month: str) -> SubsidyClaim | None:
    """The unit's monthly claim for ``month``."""
    return session.scalar(select(SubsidyClaim).where(SubsidyClaim.unit_id == unit.id, SubsidyClaim.month == month,
                                                     SubsidyClaim.kind == ClaimKind.monthly.value))


def _locked(session: Session, unit: Unit, month: str) -> SubsidyClaim | None:
    claim = claim_of(session, unit, month)
    return claim if claim is not None and claim.status != ClaimStatus.rejected.value else None


def _check_month_started(month: str, today: date) -> None:
    first, _ = month_bounds(month)
    if first > today:
        raise ClaimError(f"{month_text(month)}还没有开始，不能报送考勤。")


# 报名12 (or, for someone who deleted their data, the label units see: 已匿名见习人员#12), a number of days
# (22, 22天), or a word (a name, 二十, 很多).
_REF = re.compile(r"^(?:报名|已匿名见习人员\s*#)\s*(\d+)$")
_TOKEN = re.compile(r"(?:报名|已匿名见习人员\s*#)\s*\d+|\d+(?:\.\d+)?\s*天?|[^\s\d,，、;；:：]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """二十二 → 22, 十五 → 15, 廿一 → 21, 三十 → 30, 五 → 5, 二二 → 22; None when it is not a number."""
    t = text.strip().removesuffix("天").replace("廿", "二十").replace("卅", "三十")
    if not t:
        return None
    if "十" not in t:
        if not all(c in _CN_DIGITS for c in t):
            return None
        return int("".join(str(_CN_DIGITS[c]) for c in t))
    tens, _, ones = t.partition("十")
    if (tens and (len(tens) != 1 or tens not in _CN_DIGITS)) or len(ones) > 1 or (ones and ones not in _CN_DIGITS):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _is_count(token: str) -> bool:
    return token.removesuffix("天").strip().replace(".", "", 1).isdigit() or chinese_number(token) is not None


def parse_attendance(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    """"考勤 2026-10 张三 22 李四 二十" → ("2026-10", [("张三", "22"), ("李四", "20")]).

    A day count in Chinese numerals is read as a number; a name without a count is kept with "" (and one
    followed by something that is not a number, with that), so the reply can say exactly what is wrong."""
    body = re.sub(r"^\s*(报送|报)?(月度)?考勤(报送)?\s*", "", unicodedata.normalize("NFKC", text))
    month = parse_month(body)
    if month:
        body = MONTH.sub(" ", body, count=1)
    tokens = [t.strip() for t in _TOKEN.findall(body) if t.strip() not in ("天", "日", "号")]
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        name = re.sub(r"\s+", "", tokens[i])
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        # The next token is this name's count if it is a number, or if it is followed by nothing or by another
        # word (张三 很多 李四 20); a word followed by a number is the next name (张三 李四 20: 张三 has none).
        if nxt is not None and not _is_count(name) and (_is_count(nxt) or after is None or not _is_count(after)):
            raw = nxt.removesuffix("天").strip()
            number = chinese_number(raw)
            pairs.append((name, str(number) if number is not None else raw))
            i += 2
        else:
            pairs.append((name, ""))
            i += 1
    return month, pairs


def _match_trainee(name: str, people: list[Application], *, sheet: bool = False) -> Application | str:
    named = [a for a in people if (a.applicant_name or "") == name]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        how = (f"请在姓名一栏填写报名编号（如 报名{named[0].id}）加以区分" if sheet
               else f"请按“报名编号 天数”报送，例如：考勤 2026-10 报名{named[0].id} 22")
        return f"有 {len(named)} 位见习人员叫“{name}”，{how}"
    choices = {a.id: a.applicant_name or "" for a in people}
    found = process.extract(name, choices, scorer=fuzz.ratio, score_cutoff=60, limit=2)
    if len(found) == 1 or (found and found[0][1] - found[1][1] >= 15):
        return next(a for a in people if a.id == found[0][2])
    listed = "、".join(trainee_label(a) for a in people) or "（无）"
    return f"没有找到见习人员“{name}”。本月在岗的有：{listed}。"


def record_attendance(session: Session, unit: Unit, month: str, entries: list[tuple[str, str]], *, today: date,
                      actor: str, rows: list[int] | None = None) -> list[tuple[Application, int]]:
    """Save days per trainee for ``month``; raises :class:`ClaimError` (nothing saved) on any bad entry.

    ``rows``: the sheet's row number of each entry (an uploaded attendance sheet): each problem then names
    its row, and the wording is a sheet's, not a chat message's."""
    _check_month_started(month, today)
    locked = _locked(session, unit, month)
    if locked is not None:
        raise ClaimError(f"{month_text(month)}的补贴已申领（{claim_label(locked.status)}），考勤不能再修改。"
                         "如需更正请联系当地人社部门。", conflict=True)
    people = trainees(session, unit, month)
    if not people:
        raise ClaimError(f"{month_text(month)}单位没有在岗的见习人员（按见习协议的起止日期）。")
    if not entries:
        example = people[0].applicant_name or f"报名{people[0].id}"
        raise ClaimError(f"请写明姓名和出勤天数，例如：考勤 {month} {example} 22")
    sheet = rows is not None
    saved: list[tuple[Application, int]] = []
    problems: list[str] = []
    first, last = month_bounds(month)
    for n, (name, raw) in enumerate(entries):
        where = f"第 {rows[n]} 行：" if rows is not None else ""
        ref = _REF.fullmatch(name)
        who = next((a for a in people if a.id == int(ref.group(1))), None) if ref else None
        target: Application | str = who if who is not None else _match_trainee(name, people, sheet=sheet)
        if isinstance(target, str):
            problems.append(where + target)
            continue
        raw = raw.strip()
        number = chinese_number(raw) if raw and not raw.isdigit() else None
        if number is not None:
            raw = str(number)
        if not raw:
            how = "" if sheet else f"（姓名和天数之间用空格隔开，例如：{target.applicant_name or name} 20）"
            problems.append(f"{where}{name} 缺少出勤天数{how}。")
            continue
        if not raw.isdigit():
            problems.append(f"{where}{name} 的出勤天数“{raw}”不是整数天数，请写数字，例如 20 或 二十。")
            continue
        days, limit = int(raw), days_on_internship(target, month)
        if days <= 0:
            problems.append(f"{where}{name} 的出勤天数应大于 0；本月未出勤的不用报送。")
        elif days > limit:
            span = "" if limit == last.day else f"（见习期内只有 {limit} 天）"
            problems.append(f"{where}{name} 出勤 {days} 天，超过了{month_text(month)}的天数{span}，请核对。")
        elif first <= today <= last and days > (today - max(first, target.starts_on or first)).days + 1:
            problems.append(f"{where}{name} 出勤 {days} 天，但本月到今天为止还没有这么多天，请核对。")
        else:
            saved.append((target, days))
    if problems:
        raise ClaimError("考勤未保存：\n" + "\n".join(problems) + "\n请更正后重新发送整条考勤。", problems=problems)
    for a, days in saved:
        row = session.scalar(select(Attendance).where(Attendance.application_id == a.id, Attendance.month == month))
        if row is None:
            session.add(Attendance(application_id=a.id, unit_id=unit.id, month=month, days=days, reported_by=actor))
        else:
            row.days, row.reported_by = days, actor
    return saved


def attendance_of(session: Session, unit: Unit, month: str) -> dict[int, int]:
    rows = session.scalars(select(Attendance).where(Attendance.unit_id == unit.id, Attendance.month == month))
    return {r.application_id: r.days for r in rows}


# --- computing a claim ------------------------------------------------------------------------------
@dataclass
class Computation:
    month: str
    region: str  # knowledge region
    lines: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # anything here: the claim cannot be submitted
    tier_question: TierQuestion | None = None  # the unit's minimum-wage tier must be stated first
    kind: str = "monthly"  # or "difference": the "1+1" differences alone (month: the latest end month)

    @property
    def total(self) -> Decimal:
        return sum((Decimal(line["amount"]) for line in self.lines), Decimal("0"))


def _money(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@cache
def _entries() -> dict[str, Entry]:
    return {e.id: e for e in load_entries()}


def _entry(entry_id: str) -> Entry | None:
    return _entries().get(entry_id)


def _cite(e: Entry | None) -> str | None:
    return f"{e.source.doc} {e.source.section}" if e is not None else None


@dataclass(frozen=True)
class TierQuestion:
    """The table lists the tiers of the unit's province but not which counties are in each: someone must say."""

    month: str
    tiers: tuple[WageRule, ...]

    def text(self) -> str:
        listed = "\n".join(f"{i}. {r.tier}：{r.amount}元（自 {r.effective_from.isoformat()} 起）"
                           for i, r in enumerate(self.tiers, 1))
        return (f"贵单位所在县区执行第几档最低工资标准？最低工资表列出了{self.tiers[0].province}各档的标准，"
                f"但没有列出各县区属于哪一档（{month_text(self.month)}在用的标准）：\n{listed}\n"
                "请按当地人社部门公布的档次回复序号或档次名称；只需回答一次，以后的申领都按这一档计算，"
                "以当地人社部门核定的档次和金额为准。")


def tier_label(tier: str) -> str:
    return tier if tier.endswith(("区", "地区")) else tier + "地区"


def _wage(rule: SubsidyRule, unit: Unit, month: str) -> WageRule | TierQuestion | str:
    first, _ = month_bounds(month)
    try:
        table = current_table()
    except MinWageTableError as e:
        return f"最低工资表无法读取：{e}"
    if rule.fixed_tier:
        found = table.tier_rule(unit.province_code or "", rule.fixed_tier, first)
        return found or f"最低工资表没有{rule.fixed_tier}区在{month_text(month)}的标准。"
    m = table.match(unit.county_code or unit.city_code or unit.province_code or "", first)
    if m.determined:
        return m.rules[0]
    tiers = table.tiers(unit.province_code or "", first)
    if unit.wage_tier:  # the tier the unit or an official stated
        stated = table.tier_rule(unit.province_code or "", unit.wage_tier, first)
        if stated is not None:
            return stated
        return (f"最低工资表没有{tier_label(unit.wage_tier)}在{month_text(month)}的标准"
                f"（表中有：{'、'.join(r.tier for r in tiers) or '无'}），请联系当地人社部门更正档次。")
    if tiers:
        return TierQuestion(month, tuple(tiers))
    listed = "、".join(f"{r.label}{r.amount}元" for r in m.rules) or "（表中没有）"
    return (f"最低工资表未确定单位所在地属于哪一档（{listed}），需当地人社部门确定档次后核算，"
            "请联系当地人社部门申领。")


def tier_message(unit: Unit, rule_text: str, official: str) -> str:
    """What the unit is told when an official sets its tier."""
    return (f"【最低工资档次】人社部门（{official}）已确定{unit.name}按{rule_text}申领见习补贴，"
            "以后的补贴申领都按这一档计算。")


def tier_source(unit: Unit) -> str:
    """Who said which tier the unit is in, for the claim's notes."""
    by = unit.wage_tier_by or ""
    return f"人社部门（{by.split(':', 1)[1]}）确定" if by.startswith("official:") else "单位申报"


_NUMERALS = "一二三四五六七八九"


def province_tiers(unit: Unit, on: date) -> list[WageRule]:
    """The numbered tiers of the unit's province in force on ``on`` (empty where the table has none)."""
    try:
        return current_table().tiers(unit.province_code or "", on)
    except MinWageTableError:
        return []


def parse_tier(text: str, tiers: list[str]) -> str | None:
    """"2", "二类", "第二档", "2档", "二类地区" → the tier among ``tiers`` (一类, 二类 …); None when it names none."""
    t = unicodedata.normalize("NFKC", text).strip().removeprefix("第").replace(" ", "")
    if t.isdigit():
        n = int(t)
        return tiers[n - 1] if 1 <= n <= len(tiers) else None
    m = re.fullmatch(r"([1-9]|[一二三四五六七八九])(类|档)?(地区|区)?", t)
    if not m:
        return None
    numeral = _NUMERALS[int(m.group(1)) - 1] if m.group(1).isdigit() else m.group(1)
    found = [tier for tier in tiers if tier.startswith(numeral)]
    return found[0] if len(found) == 1 else None


def set_wage_tier(unit: Unit, text: str, *, by: str, on: date) -> WageRule:
    """Record the unit's minimum-wage tier (``by``: "unit" or "official:<name>"); raises ClaimError if the
    table has no such tier for the unit's province."""
    tiers = province_tiers(unit, on)
    if not tiers:
        raise ClaimError("最低工资表没有列出贵单位所在省份的分档标准，不需要选择档次。")
    name = parse_tier(text, [r.tier for r in tiers])
    if name is None:
        listed = "、".join(f"{i}. {r.tier}（{r.amount}元）" for i, r in enumerate(tiers, 1))
        raise ClaimError(f"没有这一档。{tiers[0].province}的最低工资标准分为：{listed}。请回复序号或档次名称。")
    unit.wage_tier, unit.wage_tier_by, unit.wage_tier_at = name, by[:64], utcnow()
    return next(r for r in tiers if r.tier == name)


def _retention(session: Session, unit: Unit) -> tuple[int, int]:
    """(kept on, finished) over the unit's internships that have ended."""
    finished = list(session.scalars(select(Application.status).where(
        Application.unit_id == unit.id, Application.status.in_((ApplicationStatus.completed.value,
                                                               ApplicationStatus.retained.value,
                                                               ApplicationStatus.ended_early.value)))))
    return sum(1 for s in finished if s == ApplicationStatus.retained.value), len(finished)


def _months_between(start: date, end: date) -> int:
    return max(1, (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0))


def compute(session: Session, unit: Unit, month: str, today: date) -> Computation:
    region = knowledge_region(unit.region_code)
    c = Computation(month, region)
    first, last = month_bounds(month)
    if last >= today:
        c.problems.append(f"{month_text(month)}还没有结束，月度补贴要等月份结束后再申领（{last.month}月{last.day}日之后）。")
        return c
    rule = rule_for(region)
    if not rule.computable:
        where = REGION_NAMES.get(region, "当地") if region != "national" else "当地"
        c.problems.append(f"{where}的通知没有规定见习补贴的基础标准（金额或比例），无法在这里测算，"
                          "请向当地人社部门申领。")
        c.sources += [s for s in (_cite(rule.rate_entry),) if s]
        return c
    wage = _wage(rule, unit, month)
    if isinstance(wage, TierQuestion):
        c.tier_question = wage
        c.problems.append(wage.text())
        return c
    if isinstance(wage, str):
        c.problems.append(wage)
        return c
    assert rule.base_rate is not None
    monthly = _money(wage.monthly_yuan * rule.base_rate)
    days = attendance_of(session, unit, month)
    people = trainees(session, unit, month)
    if not people:
        c.problems.append(f"{month_text(month)}单位没有在岗的见习人员，不需要申领。")
        return c
    missing = [trainee_label(a) for a in people if a.id not in days]
    if missing:
        c.problems.append(f"还没有报送{month_text(month)}的考勤：{'、'.join(missing)}。请先发送“考勤 {month} 姓名 天数”。")
        return c
    rate_text = f"{yuan(rule.base_rate * 100)}%"
    for a in people:
        c.lines.append({"application_id": a.id, "name": trainee_label(a), "kind": "monthly",
                        "days": days[a.id], "rate": str(rule.base_rate), "wage": str(wage.monthly_yuan),
                        "amount": str(monthly),
                        "text": f"{trainee_label(a)}：出勤{days[a.id]}天，"
                                f"{wage.amount}×{rate_text}={yuan(monthly)}元"})
    c.notes.append(wage.basis())
    if wage.is_tier and unit.wage_tier and not rule.fixed_tier:
        c.notes.append(f"最低工资档次：{tier_label(wage.tier)}，由{tier_source(unit)}（最低工资表未列出各县区所属档次），"
                       "以当地人社部门核定的档次和金额为准。")
    c.sources += [s for s in (_cite(rule.rate_entry),) if s]
    _differences(session, unit, rule, last, c)
    _remaining_period(session, unit, month, rule, wage, people, c)
    c.notes.append(CAVEAT)
    return c


def _claimed_differences(session: Session, unit: Unit) -> set[int]:
    """Sign-ups whose "1+1" difference is in a claim already (any claim not rejected): never paid twice."""
    done: set[int] = set()
    for claim in session.scalars(select(SubsidyClaim).where(SubsidyClaim.unit_id == unit.id,
                                                            SubsidyClaim.status != ClaimStatus.rejected.value)):
        for line in claim.lines or []:
            if isinstance(line, dict) and line.get("kind") == "retention_difference":
                ref = line.get("application_id")
                if isinstance(ref, int):
                    done.add(ref)
    return done


def _month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _differences(session: Session, unit: Unit, rule: SubsidyRule, upto: date, c: Computation) -> None:
    """The "1+1" difference, once per trainee whose internship ended by ``upto`` (期满 or 留用 recorded) and whose
    difference no claim carries yet, when the unit's retention has reached the threshold. Whenever the
    retention becomes known, the next claim (or 申领补贴 差额) carries it: it is never lost."""
    if rule.retained_rate is None or rule.threshold is None or rule.base_rate is None:
        return
    ended = [ApplicationStatus.completed.value, ApplicationStatus.retained.value]
    rows = list(session.scalars(select(Application).where(
        Application.unit_id == unit.id, Application.ends_on.is_not(None), Application.ends_on <= upto,
        Application.status.in_([*ended, ApplicationStatus.on_internship.value]))
        .order_by(Application.ends_on, Application.id)))
    for a in rows:
        if a.status == ApplicationStatus.on_internship.value:
            c.notes.append(f"{trainee_label(a)}的见习期已于{date_text(a.ends_on)}届满，尚未登记期满或留用：回复"
                           f"“期满 报名{a.id}”或“留用 报名{a.id}”登记后，“1+1”差额（留用率达标时）会在下次申领时计发，"
                           "也可回复“申领补贴 差额”单独申领，不会遗漏。")
    done = _claimed_differences(session, unit)
    due = [a for a in rows if a.status in ended and a.id not in done]
    if not due:
        return
    kept, finished = _retention(session, unit)
    share = Decimal(kept) / Decimal(finished) if finished else Decimal(0)
    threshold = Decimal(rule.threshold.numerator) / Decimal(rule.threshold.denominator)
    cite = _cite(rule.one_plus_one or rule.retention_entry)
    if share < threshold:
        c.notes.append(f"见习期满留用率 {kept}/{finished}，未达到{yuan(threshold * 100)}%，暂不发“1+1”差额；"
                       "留用率达到后，已期满人员的差额可回复“申领补贴 差额”申领。")
        return
    for a in due:
        assert a.ends_on is not None
        end_month = _month_of(a.ends_on)
        wage = _wage(rule, unit, end_month)
        if isinstance(wage, TierQuestion):
            c.tier_question = wage
            c.problems.append(wage.text())
            return
        if isinstance(wage, str):
            c.problems.append(wage)
            return
        diff = _money(wage.monthly_yuan * (rule.retained_rate - rule.base_rate))
        months = _months_between(a.starts_on or a.ends_on, a.ends_on)
        amount = _money(diff * months)
        c.lines.append({"application_id": a.id, "name": trainee_label(a), "kind": "retention_difference",
                        "months": months, "end_month": end_month, "wage": str(wage.monthly_yuan), "amount": str(amount),
                        "text": f"{trainee_label(a)}：“1+1”差额（留用率{kept}/{finished}，{month_text(end_month)}期满）"
                                f"{yuan(diff)}元×{months}个月={yuan(amount)}元"})
    c.notes.append("“1+1”差额每人只计发一次，按见习月数和见习期满当月的最低工资计算；通知未写明计算口径，"
                   "以当地人社部门核定为准。")
    if cite:
        c.sources.append(cite)


def pays_difference(unit: Unit) -> bool:
    """Whether the unit's region pays a "1+1" retention difference this code can compute."""
    rule = rule_for(knowledge_region(unit.region_code))
    return rule.retained_rate is not None and rule.threshold is not None and rule.base_rate is not None


def compute_difference(session: Session, unit: Unit, today: date) -> Computation:
    """申领补贴 差额: the "1+1" differences due and not claimed yet, on their own (no month's attendance)."""
    region = knowledge_region(unit.region_code)
    c = Computation(_month_of(today), region, kind=ClaimKind.difference.value)
    rule = rule_for(region)
    if rule.retained_rate is None or rule.threshold is None or rule.base_rate is None:
        where = REGION_NAMES.get(region, "当地") if region != "national" else "当地"
        c.problems.append(f"{where}的通知没有可在这里测算的“1+1”留用差额补贴标准，请向当地人社部门咨询。")
        return c
    _differences(session, unit, rule, today, c)
    if not c.lines and not c.problems:
        c.problems.append("现在没有待申领的“1+1”差额：见习期满并登记“期满”或“留用”、且单位留用率达到规定比例后才能申领，"
                          "每人只计发一次。" + ("\n" + "\n".join(c.notes) if c.notes else ""))
        return c
    if c.lines:
        c.month = max(str(line["end_month"]) for line in c.lines)
        c.sources += [s for s in (_cite(rule.rate_entry),) if s]
    return c


def _retained_on(session: Session, a: Application) -> date | None:
    at = session.scalar(select(ApplicationEvent.created_at).where(
        ApplicationEvent.application_id == a.id, ApplicationEvent.to_status == ApplicationStatus.retained.value))
    return at.date() if at else None


def _remaining_period(session: Session, unit: Unit, month: str, rule: SubsidyRule, wage: WageRule,
                      people: list[Application], c: Computation) -> None:
    """A trainee kept on before the end of the agreement, in the month they were kept on."""
    first, last = month_bounds(month)
    early = []
    for a in people:
        if a.status != ApplicationStatus.retained.value or a.ends_on is None:
            continue
        kept = _retained_on(session, a)
        if kept is not None and first <= kept <= last and kept < a.ends_on:
            early.append((a, kept))
    if not early:
        return
    entry = _entry(f"{_region_prefix(c.region)}.subsidy.remaining_period") or _entry("national.subsidy.remaining_period")
    until_text = str(entry.facts.get("policy_until", "")) if entry is not None else ""
    until = _policy_end(until_text)
    cite = _cite(entry)
    if until is not None and last > until:
        c.notes.append(f"剩余期限见习补贴政策截至{until_text}，{month_text(month)}提前留用的不再计发（{cite}）。")
        return
    assert rule.base_rate is not None
    monthly = _money(wage.monthly_yuan * rule.base_rate)
    for a, kept in early:
        months = _months_between(kept, a.ends_on or last) - 1
        if months <= 0:
            continue
        amount = _money(monthly * months)
        c.lines.append({"application_id": a.id, "name": trainee_label(a), "kind": "remaining_period",
                        "months": months, "amount": str(amount),
                        "text": f"{trainee_label(a)}：剩余期限补贴 {yuan(monthly)}元×{months}个月"})
    if c.region == "11" and entry is not None:
        c.notes.append("北京：须提前终止见习协议、签订1年以上劳动合同并缴纳社会保险，劳动合同履行满原见习期限后方可申请。")
    if cite:
        c.sources.append(cite)


def _region_prefix(region: str) -> str:
    return {"11": "beijing", "15": "neimenggu", "41": "henan", "44": "guangdong", "4301": "changsha"}.get(region, "national")


def _policy_end(text: str) -> date | None:
    m = re.search(r"(\d{4})年(?:(\d{1,2})月(\d{1,2})日|底)", text)
    if not m:
        return None
    if m.group(2):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return date(int(m.group(1)), 12, 31)


# --- submitting and reviewing --------------------------------------------------------------------------
def _lock(session: Session, unit: Unit) -> None:
    """One claim of a unit at a time (PostgreSQL row lock; SQLite writes one at a time anyway), so that two
    claims computed at once cannot both carry the same "1+1" difference."""
    session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())


def submit(session: Session, unit: Unit, month: str, today: date) -> SubsidyClaim:
    _lock(session, unit)
    existing = claim_of(session, unit, month)
    if existing is not None and existing.status != ClaimStatus.rejected.value:
        raise ClaimError(f"{month_text(month)}的补贴已经申领过（申领{existing.id}，{claim_label(existing.status)}）。",
                         conflict=True)
    c = compute(session, unit, month, today)
    if c.problems:
        raise ClaimError("\n".join(c.problems))
    notes = "\n".join(c.notes + ["依据：" + "；".join(dict.fromkeys(c.sources))])
    if existing is not None:  # a rejected claim, submitted again with the corrected figures
        existing.status, existing.total, existing.lines, existing.notes = (
            ClaimStatus.submitted.value, c.total, c.lines, notes)
        existing.reason, existing.reviewed_at = None, None
        return existing
    claim = SubsidyClaim(unit_id=unit.id, month=month, region_code=unit.region_code, total=c.total, lines=c.lines,
                         notes=notes, status=ClaimStatus.submitted.value)
    session.add(claim)
    session.flush()
    return claim


def submit_difference(session: Session, unit: Unit, today: date) -> SubsidyClaim:
    """确认申领 差额: a claim of the "1+1" differences due (numbered d1, d2 … per unit)."""
    _lock(session, unit)
    c = compute_difference(session, unit, today)
    if c.problems:
        raise ClaimError("\n".join(c.problems))
    notes = "\n".join(c.notes + ["依据：" + "；".join(dict.fromkeys(c.sources))])
    count = session.scalar(select(func.count()).select_from(SubsidyClaim).where(
        SubsidyClaim.unit_id == unit.id, SubsidyClaim.kind == ClaimKind.difference.value)) or 0
    claim = SubsidyClaim(unit_id=unit.id, month=c.month, kind=ClaimKind.difference.value, ref=f"d{count + 1}",
                         region_code=unit.region_code, total=c.total, lines=c.lines, notes=notes,
                         status=ClaimStatus.submitted.value)
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:  # the same unit, from two devices at once
        raise ClaimError("刚刚已经提交过一笔差额申领，请回复“我的申领”查看。", conflict=True) from None
    return claim


def claim_title(claim: SubsidyClaim) -> str:
    """申领12's subject: 2026年10月见习补贴, or “1+1”差额补贴（2026年10月期满）."""
    if claim.kind == ClaimKind.difference.value:
        return f"“1+1”差额补贴（{month_text(claim.month)}期满）"
    return f"{month_text(claim.month)}见习补贴"


REVIEW = {"approve": (ClaimStatus.submitted, ClaimStatus.approved), "reject": (ClaimStatus.submitted, ClaimStatus.rejected),
          "pay": (ClaimStatus.approved, ClaimStatus.paid)}


def review(claim: SubsidyClaim, action: str, reason: str | None) -> None:
    if action not in REVIEW:
        raise ClaimError("审核操作应为 approve（通过）、reject（不通过）或 pay（已拨付）。")
    before, after = REVIEW[action]
    if claim.status != before.value:
        raise ClaimError(f"申领{claim.id}当前是“{claim_label(claim.status)}”，不能{_VERB[action]}。", conflict=True)
    reason = (reason or "").strip() or None
    if action == "reject" and not reason:
        raise ClaimError("请填写不通过的原因，单位会收到这一说明。")
    claim.status = after.value
    claim.reason = reason if action == "reject" else claim.reason
    if action == "pay":
        claim.paid_at = utcnow()
    else:
        claim.reviewed_at = utcnow()


_VERB = {"approve": "审核通过", "reject": "驳回", "pay": "标记为已拨付"}


def claim_text(claim: SubsidyClaim, unit_name: str) -> str:
    lines = [f"【申领{claim.id}】{unit_name} {claim_title(claim)}：{claim_label(claim.status)}",
             *[f"· {line['text']}" for line in claim.lines], f"合计：{yuan(Decimal(claim.total))}元"]
    if claim.reason:
        lines.append(f"原因：{claim.reason}")
    if claim.notes:
        lines.append(claim.notes)
    return "\n".join(lines)


def preview_text(c: Computation, unit_name: str) -> str:
    if c.problems:
        return "\n".join(c.problems)
    what = (f"“1+1”差额补贴（{month_text(c.month)}期满）" if c.kind == ClaimKind.difference.value
            else f"{month_text(c.month)}见习补贴")
    lines = [f"{unit_name} {what}测算：", *[f"· {line['text']}" for line in c.lines],
             f"合计：{yuan(c.total)}元", *c.notes, "依据：" + "；".join(dict.fromkeys(c.sources))]
    return "\n".join(lines)


def status_message(claim: SubsidyClaim) -> str:
    """What the unit is told when its claim changes status."""
    text = (f"【补贴申领】{claim_title(claim)}（申领{claim.id}，{yuan(Decimal(claim.total))}元）："
            f"{claim_label(claim.status)}。")
    if claim.status == ClaimStatus.rejected.value:
        again = "可重新申领" if claim.kind == ClaimKind.difference.value else "考勤更正后可重新申领"
        text += f"原因：{claim.reason or '未说明'}。{again}。"
    return text
