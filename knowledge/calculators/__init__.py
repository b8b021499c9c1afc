"""Calculators: questions answered by computing rather than by quoting a rule.

    calculate(text, user_region, today) -> Answer | None

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
from collections.abc import Callable
from datetime import date

import zhconv

from knowledge.answer import Answer
from knowledge.calculators.deadlines import annual_answer, deadline_answer, report_deadline, review_answer
from knowledge.calculators.eligibility import eligibility_answer
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


def calculate(text: str, user_region: str | None, today: date) -> Answer | None:
    """A calculation answer when the message asks for one (subsidy amount, eligibility, deadline), else None."""
    if not text or not text.strip():
        return None
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
