"""最低工资 in force: "北京现在月最低工资是多少" → the standard(s) of the place on the day, from the table.

The notices set subsidies as a share of the minimum wage but do not print the wage itself; the project's
table (``knowledge/data/min_wage.csv``, or the officials' corrected copy at ``JIANXI_MIN_WAGE_CSV``) does,
with its source and how sure it is. A question about a subsidy amount goes to ``subsidy.py`` instead.

Since no notice states it, the reply is not a policy answer: its kind is "unknown" (as every writer of the
blind question sets labelled such questions), and it says so before it gives the table's figure for reference.
"""

from __future__ import annotations

import re
from datetime import date

from knowledge.answer import Answer, knowledge_region
from knowledge.calculators.min_wage import lookup
from knowledge.calculators.text import normalise, places_in
from knowledge.divisions import divisions

_ASKS = re.compile(r"最低工资(标准)?.{0,8}(多少|几多|是几|标准是|什么标准|啥标准|咋定|怎么定|现在是|哪一档|几档|几类)|"
                   r"(多少|几多).{0,4}最低工资")
_NOT = re.compile(r"补贴|见习|%|百分之|倍")
MAX_LINES = 6


def is_wage_question(text: str) -> bool:
    if re.search(r"按(哪个|什么|啥|哪一个)(时候|月|时间|月份)|哪个月的", normalise(text)):
        return False  # "河南的最低工资标准是按哪个时候的算": the rule (见习当月), not a figure
    # The clause that asks ("河南见习补贴是70%，那郑州现在最低工资标准到底是多少钱": the second) must not be
    # about the subsidy itself ("补贴是最低工资的百分之多少" is a subsidy question).
    clauses = [c for c in re.split(r"[，,。？?；;！!\s]+", normalise(text)) if _ASKS.search(c)]
    return any(not _NOT.search(c) for c in clauses)


def wage_answer(text: str, user_region: str | None, today: date) -> Answer | None:
    if not is_wage_question(text):
        return None
    found = places_in(normalise(text))
    place = found[0] if len(found) == 1 else divisions().get(user_region) if user_region else None
    if place is None:
        return Answer("请告诉我您问的是哪个省、市或县区的最低工资，例如“郑州市金水区最低工资是多少”。", "clarify",
                      confidence=0.5, context={})
    rules = lookup(place.code, today)
    tier = re.search(r"([一二三四五])(类|档)", normalise(text))
    if tier and len(rules) > 1:  # "一类区最低工资": the tier asked for
        rules = [r for r in rules if r.tier.startswith(tier.group(1))] or rules
    if not rules:
        return Answer(f"我的最低工资表里没有{place.full_name}的标准。最低工资由省级人民政府发布，"
                      "请以当地人社部门公布的为准。", "unknown", confidence=0.0, region=knowledge_region(place.code))
    lines = ["见习通知本身不列最低工资金额，以下不是政策答复，仅供参考：",
             f"【{place.full_name}·月最低工资标准】（{today.isoformat()} 时有效）"]
    for r in rules[:MAX_LINES]:
        note = r.caveat()
        lines.append(f"{r.label}：{r.amount}元/月，自 {r.effective_from.isoformat()} 起"
                     + (f"（{note}）" if note else ""))
    if len(rules) > 1:
        lines.append("表中没有记载该地属于哪一档，请以当地人社部门公布的档次为准。")
    sources = list(dict.fromkeys(r.source_label() for r in rules[:MAX_LINES]))
    lines.append("来源：" + "；".join(sources) + "。以当地人社部门公布为准。")
    return Answer("\n".join(lines), "unknown",
                  [{"doc": s, "section": "月最低工资标准"} for s in sources], 0.85, None,
                  knowledge_region(place.code), {"region_code": place.code})
