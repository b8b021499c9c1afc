"""Calculators: questions answered by computing rather than by quoting a rule.

    calculate(text, user_region, today, context=None) -> Answer | None

* a subsidy amount ("我们在郑州，3个见习生，留用率60%，每月补贴多少") — ``subsidy.py``;
* an eligibility check ("我2025年6月毕业，现在还没工作，能参加见习吗") — ``eligibility.py``;
* the minimum wage in force for a place ("北京现在月最低工资是多少") — ``wages.py``;
* a deadline — ``deadlines.py``: the monthly report ("汇总表这个月几号前报"), the annual report
  ("今年的年度报告截止到哪天"), and Changsha's review of an application ("我昨天提交了见习申请，最晚啥时候
  给审核意见").

Anything else returns None, so ordinary policy questions fall through to the retrieval engine
(``knowledge.answer.PolicyAnswerer``). A calculator that fails is logged and also falls through.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import zhconv

from knowledge.answer import Answer
from knowledge.calculators.deadlines import annual_answer, deadline_answer, report_deadline, review_answer
from knowledge.calculators.eligibility import eligibility_answer, parse_applicant
from knowledge.calculators.min_wage import lookup
from knowledge.calculators.subsidy import subsidy_answer
from knowledge.calculators.wages import wage_answer

log = logging.getLogger(__name__)

__all__ = ["calculate", "report_deadline", "lookup"]

_CALCULATORS: tuple[tuple[str, Callable[[str, str | None, date], Answer | None]], ...] = (
    ("deadline", deadline_answer),
    ("annual", annual_answer),
    ("review", review_answer),
    ("subsidy", subsidy_answer),
    ("eligibility", eligibility_answer),
    ("wage", wage_answer),
)


def calculate(text: str, user_region: str | None, today: date,
              context: dict[str, Any] | None = None) -> Answer | None:
    """A calculation answer when the message asks for one (subsidy amount, eligibility, deadline), else None.
    ``context``: the last answer's; a follow-up that changes one figure of the last calculation ("要是留用率到了
    60%呢", "那12月的呢") is reckoned again with the rest of it."""
    if not text or not text.strip():
        return None
    answer = _calculate(text, user_region, today)
    where = (context or {}).get("region_code")
    if answer is not None and answer.kind == "calculation" and where and where != user_region \
            and _FOLLOW_UP_START.match(text.strip()) \
            and not _names_a_place(text):
        # "那11月份的表最晚哪天交" right after a question about Guangdong: Guangdong's, not the user's own region's.
        answer = _calculate(text, where, today) or answer
    # (a message that alone would be asked where or which, "假如见习了6个月……", after a calculation: its follow-up)
    follow = None if answer is not None and answer.kind != "clarify" else _follow_up(text, context)
    merged = None
    if follow is not None:
        merged, placed = follow
        # (the place the follow-up names, else the last calculation's)
        region = user_region if placed else (context or {}).get("region_code") or user_region
        answer = _calculate(merged, region, today)
    if answer is not None and answer.kind == "calculation":
        answer.context["calc_text"] = merged or text
    return answer


def _names_a_place(text: str) -> bool:
    from knowledge.answer import default_answerer

    answerer = default_answerer()
    return bool(answerer.places.mentions(answerer.normalise(text)))


_FOLLOW_UP_START = re.compile(r"^(那|那么|要是|如果|假如|假设|换成|改成|若是?|万一)")


def _follow_up(text: str, context: dict[str, Any] | None) -> tuple[str, bool] | None:
    """The last calculation's question with this message's figures first (the first figure found counts), and
    whether the message names a place of its own (the last question's is then taken out), when the message is a
    short follow-up; else None."""
    from knowledge.answer import default_answerer
    from knowledge.calculators.subsidy import parse_query

    previous = (context or {}).get("calc_text")
    t = text.strip()
    if not previous or len(t) > 30 or not (_FOLLOW_UP_START.match(t) or re.search(r"呢[？?]?$", t)):
        return None
    answerer = default_answerer()
    q = parse_query(t)
    person = parse_applicant(t, date.today())
    placed = bool(answerer.places.mentions(answerer.normalise(t)))
    if placed:
        # "那北京呢", "如果是长沙呢，最低工资也按2000": the last calculation for the new place (the old one taken out)
        for m in sorted(answerer.places.mentions(previous), key=lambda m: -m.start):
            previous = previous[:m.start] + previous[m.end:]
    month = re.search(r"(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月", t)
    day = re.search(r"\d{1,2}\s*(号|日)", t)
    kept = re.search(r"(留用|留下|留)\D{0,3}" + _COUNT, t)
    graduate, aged = person.has_graduate_facts, person.age is not None  # "要是我是前年毕业的呢", "…2002年12月的呢"
    if not (placed or q.has_retention or kept or q.trainees or q.wage or q.months or month or day or graduate or aged):
        return None
    for said, figure in ((graduate, _GRADUATED), (aged, _BORN)):
        if said:
            previous = re.sub(figure, "", previous)
    # The figures this message changes are taken out of the last question, so that they are not read twice.
    for said, figure in ((q.has_retention or kept, _RETAINED), (q.wage, _WAGE), (q.months, _MONTHS),
                         (q.trainees, _TRAINEES), (day, _DATE)):
        if said:
            previous = re.sub(figure, "", previous)
    return f"{t}，{previous}", placed


_COUNT = r"(\d+|[一二两三四五六七八九十]+)\s*(个|名|位|人)"
_GRADUATED = re.compile(r"((\d{4}|\d{2})\s*年\s*(\d{1,2}\s*月)?|(今年|去年|前年))\s*份?[^，,。;；\d]{0,10}?(毕业|离校)")
_BORN = re.compile(r"(\d{4}|\d{2})\s*年\s*(\d{1,2}\s*月)?\s*(\d{1,2}\s*日)?\s*(出生|生|的)|\d+\s*(周)?岁")
_RETAINED = re.compile(r"(期满)?(之后|后)?(留用|留下来?|留)(率)?(了|的)?[^，,。;；\d%]{0,6}?(有|是|达到|达|为|到了|到)?\s*"
                       r"(\d+(\.\d+)?\s*%|(\d+|[一二两三四五六七八九十]+)\s*(个|名|位|人)\s*(人)?|一半|过半|半数|全部)")
_WAGE = re.compile(r"(当地|本地)?最低工资(标准)?\s*(是|为|按|按照|算|取|[:：])?\s*\d{3,5}(\.\d+)?\s*(元|块)?\s*(算)?")
_MONTHS = re.compile(r"(见习)?(了|满了?)?\s*(\d+|[一二两三四五六七八九十]+)\s*个\s*月")
_DATE = re.compile(r"(\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*(日|号)\s*([(（]\s*(周|星期).\s*[)）])?")
_TRAINEES = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*(个|名|位)?\s*(见习生|见习人员|学员|学生|毕业生)")


def _calculate(text: str, user_region: str | None, today: date) -> Answer | None:
    from knowledge.answer import default_answerer

    answerer = default_answerer()
    simplified = zhconv.convert(text, "zh-cn")
    normalised = answerer.normalise(simplified)
    if answerer.out_of_scope(normalised, simplified.lower()):
        return None  # 在校生实习证明, 社保转移 …: the answerer says plainly it does not know
    # "盟市每月的汇总表啥时候报到自治区": no place named, but a word only Inner Mongolia uses.
    user_region = user_region or answerer.region_hint(normalised)
    for name, calc in _CALCULATORS:
        try:
            answer = calc(text, user_region, today)
        except Exception:  # a calculator bug must not silence the bot: fall through to retrieval
            log.exception("calculator %s failed on %r", name, text[:100])
            continue
        if answer is not None:
            return answer
    return None
