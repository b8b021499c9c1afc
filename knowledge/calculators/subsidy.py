"""见习补贴测算: "我们在郑州，3个见习生，留用率60%，每月补贴多少" → per person and in total per month,
plus the "1+1" end payment, for the region's rule, with its sources.

The rates are the ``facts`` of the region's entries (``subsidy_rate``, ``retention_tiers``,
``one_plus_one``, ``living_allowance``), the wage is the local minimum wage in force today
(``min_wage.py``):

* Henan: 70% of the local minimum wage, 110% when ≥50% are kept on (见习当月当地最低工资标准);
* Inner Mongolia: 50% of the 自治区一类区 minimum wage, 70% when ≥50% are kept on;
* Beijing: 本市当年月最低工资 (the full amount), plus district top-ups the notice leaves to each 区;
  no retention tier;
* Changsha: 120% when ≥50% are kept on; the base rate is not stated;
* Guangdong (its own texts) and the national notice set no amount: said so plainly.

"1+1": paid monthly at the base rate; where retention reaches the threshold, the difference between the
raised and the base rate is paid once when the internship ends. The texts do not say whether that
difference counts every trainee or only those kept on, nor which month's wage applies to it; the answer
computes it per trainee and per month of internship at today's wage and says the local bureau decides.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache

from knowledge.answer import Answer, knowledge_region
from knowledge.calculators.min_wage import STATED, MinWageTableError, WageRule, current_table, yuan
from knowledge.calculators.text import NUM, normalise, num, number, places_in
from knowledge.divisions import Division, divisions
from knowledge.schema import REGION_NAMES, Entry, load_entries

log = logging.getLogger(__name__)
TEXT_MAX = 600
_WHO = r"(个|名|位)?\s*(见习生|见习人员|见习学员|学员|学生|毕业生|人|见习期满的?|期满的?)"
_RETAIN = r"(留用|留下|留)"


# --- the question -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SubsidyQuery:
    trainees: int | None = None
    retention: Fraction | None = None  # the retention rate, when known exactly
    retention_said: str | None = None  # as the user put it: "60%", "一半", "5人留用3人", "过半"
    at_least: Fraction | None = None  # "过半", "50%以上": a lower bound when the exact rate is not given
    below: Fraction | None = None  # "不到50%": an upper bound (exclusive)
    months: int | None = None
    tier: str | None = None  # "一类" when the user names the tier
    per_person: bool = False
    compute_cue: bool = False
    wage: Decimal | None = None  # a monthly minimum wage the user states ("最低工资按1980算")
    tier1_wage: Decimal | None = None  # the 一类区 figure, when stated beside the user's own ("一类区是1980")
    tier_asked: bool = False  # "能拿120%那一档吗": which tier the retention earns is the question

    def meets(self, threshold: Fraction) -> bool | None:
        if self.retention is not None:
            return self.retention >= threshold
        if self.at_least is not None and self.at_least >= threshold:
            return True
        if self.below is not None and self.below <= threshold:
            return False
        return None

    @property
    def has_retention(self) -> bool:
        return self.retention is not None or self.at_least is not None or self.below is not None


def _pct(value: str) -> Fraction:
    return Fraction(Decimal(value)) / 100


def parse_query(text: str) -> SubsidyQuery:
    t = normalise(text)
    trainees: int | None = None
    retention: Fraction | None = None
    said: str | None = None
    at_least: Fraction | None = None
    below: Fraction | None = None
    used: list[tuple[int, int]] = []

    # "5人留用3人", "5个见习生里留了3个"
    m = re.search(num("total") + r"\s*" + _WHO + r"\s*(中|里|里面|当中|中间)?\s*[,，]?\s*(最后|期满)?\s*"
                  + _RETAIN + r"\s*了?\s*" + num("kept") + r"(?![半成%])\s*(个|名|位)?\s*(人)?", t)
    if not m:  # "见习生9个，期满留用了4个"
        m = re.search(r"(见习生|见习人员|见习学员|学员|学生)\s*(有|共|一共)?\s*" + num("total") + r"\s*(个|名|位|人)\s*[,，]?\s*"
                      r"(期满|最后)?\s*(只)?\s*" + _RETAIN + r"\s*了?\s*" + num("kept") + r"(?![半成%])\s*(个|名|位)?\s*(人)?", t)
    if not m:  # "4个里面留了3个"
        m = re.search(num("total") + r"\s*(个|名|位)(人)?\s*(里面|里头|里|中|当中|之中)\s*[,，]?\s*(最后|期满)?\s*(只)?\s*"
                      + _RETAIN + r"\s*了?\s*" + num("kept") + r"(?![半成%])\s*(个|名|位)?\s*(人)?", t)
    if m:
        total, kept = number(m.group("total")), number(m.group("kept"))
        if total and kept is not None and kept <= total:
            trainees, retention, said = total, Fraction(kept, total), f"{total}人留用{kept}人"
            used.append(m.span())
    if retention is None:
        m = re.search(r"留用率?\s*(?P<pre>[^\d，,。;；%]{0,5}?)\s*(?P<v>\d+(?:\.\d+)?)\s*%\s*(?P<post>以上|以下|多|出头)?", t)
        if m and (re.search(r"不到|低于|不足|没到|没达到|未达到|没有达到|(?<!够)不够", m.group("pre"))
                  or m.group("post") == "以下"):
            below, said = _pct(m.group("v")), f"不到{m.group('v')}%"
            used.append(m.span())
        elif m and (re.search(r"超过|高于|以上|多于", m.group("pre")) or m.group("post") in ("以上", "多", "出头")):
            at_least, said = _pct(m.group("v")), f"{m.group('v')}%以上"
            used.append(m.span())
    if retention is None and at_least is None and below is None:
        for pattern, kind in (
            (r"留用率?\s*(?:[^\d，,。;；%]{0,5}?)\s*(\d+(?:\.\d+)?)\s*%", "pct"),
            (r"(\d+(?:\.\d+)?)\s*%\s*(的)?\s*(人)?\s*" + _RETAIN, "pct"),
            (r"留用率?\s*(是|为|达到|达|有|约)?\s*百分之" + NUM, "cnpct"),
            (r"留用率?\s*(是|为|达到|达|有|约)?\s*" + r"([一二三四五六七八九十])\s*成", "cheng"),
        ):
            m = re.search(pattern, t)
            if not m:
                continue
            if kind == "pct":
                retention, said = _pct(m.group(1)), f"{m.group(1)}%"
            elif kind == "cnpct":
                n = number(m.group(2))
                if n is not None:
                    retention, said = Fraction(n, 100), f"{n}%"
            else:
                n = number(m.group(2))
                if n is not None:
                    retention, said = Fraction(n, 10), f"{n * 10}%"
            if retention is not None:
                used.append(m.span())
                break
    if retention is None and at_least is None and below is None and re.search(
            r"(没|未|没有|不)(达到|够)?\s*(留用率|标准|要求)|(没|未|不)达标", t):
        below, said = Fraction(1, 2), "未达标"  # "那没达到留用率呢": under the notice's line (50%)
    if retention is None and at_least is None and below is None and re.search(
            r"留用率?\s*(已经|都)?\s*(达标|够了|够标准|达到标准|达到要求)|达标了", t):
        at_least, said = Fraction(1, 2), "达标"  # "留用率达标了": at the notice's line (50%)
    if retention is None and at_least is None and below is None:
        if re.search(_RETAIN + r"\s*(了|率)?\s*(超过一半|过一半|过半|一半以上|大半|多数|大部分)|(超过一半|过一半|过半|一半以上|大半|大部分)\s*(的人)?\s*(都)?\s*" + _RETAIN, t):
            at_least, said = Fraction(1, 2), "过半"
        elif re.search(_RETAIN + r"\s*(了|率)?\s*(达到|达|有|是|为|到了|到)?\s*(一半|50%|半数)|(一半|半数)\s*(的人)?\s*(都)?\s*" + _RETAIN, t):
            retention, said = Fraction(1, 2), "一半"
        elif re.search(r"(全部|都|全)\s*" + _RETAIN + r"|" + _RETAIN + r"\s*了?\s*(全部|所有人)", t):
            retention, said = Fraction(1), "全部留用"
        elif re.search(r"(没有?|不|未|一个都没|一个也没)\s*" + _RETAIN, t):
            retention, said = Fraction(0), "未留用"
    kept_count: int | None = None
    if retention is None and at_least is None and below is None:
        m = (re.search(_RETAIN + r"\s*了?\s*" + num("kept") + r"\s*((个|名|位)\s*(人)?|人)", t)
             # "期满之后留下来签合同的有6个"
             or re.search(r"(留用|留下来|留下)[^，,。;；\d%]{0,8}?的\s*(有|是|共)\s*" + num("kept") + r"\s*(个|名|位|人)", t))
        if m:
            kept_count = number(m.group("kept"))
            if kept_count is not None:
                used.append(m.span())
    if trainees is None:  # "见习生3个"
        m = re.search(r"(见习生|见习人员|见习学员)\s*(有|共|一共)?\s*" + NUM + r"\s*(个|名|位|人)(?!月)", t)
        n = number(m.group(3)) if m else None
        if n and n < 100000 and not any(a <= m.start() < b for a, b in used):
            trainees = n
    if trainees is None:
        for m in re.finditer(NUM + r"\s*" + _WHO, t):
            if any(a <= m.start() < b for a, b in used):
                continue
            n = number(m.group(1))
            if n and n < 100000:
                trainees = n
                break
    if kept_count is not None and trainees:
        if kept_count <= trainees:
            retention, said = Fraction(kept_count, trainees), f"{trainees}人留用{kept_count}人"

    months: int | None = None
    # (not "2420一个月", a wage per month, nor "每个月")
    m = next((x for x in re.finditer(NUM + r"\s*个\s*月", t)
              if not re.search(r"(\d|元|块|工资)\s*$", t[:x.start()])), None)
    per_month = m is not None and number(m.group(1)) == 1 and re.match(r"\s*(能|可以)?\s*(补|多少|能拿|发|拿)", t[m.end():])
    if m and not per_month and not re.search(r"(这|上|下|每)\s*" + re.escape(m.group(0)), t):
        months = number(m.group(1))
    if months is None and re.search(r"(一|这|本|每|一个|这个)\s*季度", t):
        months = 3  # "补贴按季度申报……这季度市级能申请多少"
    if months is None:
        m = re.search(r"见习(期)?\s*(是|为|共)?\s*(半年|一年)", t)
        if m:
            months = 6 if m.group(3) == "半年" else 12
    tier = None
    m = re.search(r"([一二三四])\s*(类|档)\s*(地区|区)?", t)
    if m:
        tier = m.group(1) + m.group(2)
    per_person = bool(re.search(r"每人|每个人|一个人|人均|每名|每位|一人|每个见习", t))
    cue = bool(re.search(r"算|一共|总共|合计|能拿|能领|能补|多少钱|发多少|补多少|补贴多少|补几|"
                         r"(每个?|一个)月.{0,4}多少", t))
    wage = None
    m = (re.search(r"最低工资(标准)?\s*(也|都)?\s*(要是|如果|若|假如|假设)?\s*(是|为|按|按照|算|取|定为|大概|约|[:：])?\s*(?P<w>\d{3,5}(\.\d+)?)\s*(元|块)?", t)
         or re.search(r"(?P<w>\d{3,5}(\.\d+)?)\s*(元|块)\s*(的|这个)?\s*最低工资", t))
    if m is None:
        m = re.search(r"按\s*(?P<w>\d{3,5})\s*(元|块)?\s*(算|计算|计)", t)  # "换到郑州 按2100算呢"
    if m:
        wage = Decimal(m.group("w"))
    m = re.search(r"一类(区|地区)?\s*(的)?\s*(最低工资)?\s*(标准)?\s*(要是|如果|若|假如|假设)?\s*(是|为|按|按照|算|[:：])?\s*(?P<w>\d{3,5}(\.\d+)?)", t)
    tier1_wage = Decimal(m.group("w")) if m else None
    return SubsidyQuery(trainees, retention, said, at_least, below, months, tier, per_person, cue, wage, tier1_wage,
                        bool(_TIER_ASKED.search(t)))


# Other subsidies (not the 见习 subsidy) and questions about procedure rather than amounts.
_OTHER_SUBSIDY = r"培训补贴|技能补贴|扩岗|社保补贴|社会保险补贴|创业|租房|住房|交通补贴|稳岗|一次性(?!补|发|支付|拨付|给|差)|求职补贴|吸纳就业补贴"
_PROCEDURE = (r"剩余期限|申领|怎么(申请|领|办|发)|什么材料|流程|(满足|需要|要)什么条件|集中(发放|申请)|一起(申请|发)|"
              r"结束了?再|是不是得?按月|按月(来|发|申请)?吗|中不中|行不行|合不合规|1\+1|发给谁|给谁")


def is_subsidy_question(text: str) -> bool:
    t = normalise(text)
    if re.search(r"汇总表|月报|报表|拨付", t):
        return False
    q = parse_query(t)
    if not re.search(r"补贴|补多少|补几|能补", t):
        if _asks_tier(t):
            return True
        # "5个人见习6个月，期满留了3个，按1+1每月先发多少，最后一次性补的差额多少": a sum, in other words.
        if not (re.search(r"差额.{0,4}多少|先发多少|每月发多少|发多少|拿多少|领多少|(一共|总共|合计).{0,6}(多少钱|多少)", t)
                and (q.trainees or q.wage) and (q.has_retention or q.wage or q.months)):
            return False
    if re.search(_OTHER_SUBSIDY, t) or re.search(r"区级|额外|加码|另外(给|发|加)|多给", t):
        return False  # (a 区's own subsidy: no figure in the notices; the answerer says so)
    if re.search(_PROCEDURE, t) and not (re.search(r"1\+1", t) and (q.trainees or q.per_person) and (q.wage or q.months)):
        # "按1+1模式每个月先发多少" with trainees and a wage or months given is still a sum to work out.
        return False
    if "见习" not in t and not q.has_retention:  # "长沙县 5个人 留用一半 补贴": 留用 is 见习 language
        return False
    return bool(q.trainees or q.per_person or (q.compute_cue and q.has_retention)
                or (q.wage is not None and (q.compute_cue or q.months)))


_TIER_ASKED = re.compile(r"高标准|提高(到|至)?|提到|提至|上浮|按(高|110|120|70)|拿(到)?.{0,4}(110|120|70)%|(那|这|高)一?档|"
                         r"够不够|够没够|达没达到|是否达到|达不达标|有没有达到|算不算达标")


def _asks_tier(text: str) -> bool:
    """"8个人留了4个 能按高标准拿吗": the retention given, which tier it earns."""
    q = parse_query(text)
    return q.tier_asked and q.has_retention


# --- the region's rule --------------------------------------------------------------------------
@dataclass(frozen=True)
class SubsidyRule:
    region: str  # the knowledge region whose notice gives it
    base_rate: Decimal | None
    retained_rate: Decimal | None
    threshold: Fraction | None
    threshold_inclusive: bool | None  # as the facts say; None: the notice writes "50%以上" (read as ≥)
    fixed_tier: str | None  # "一类" when the notice fixes the wage tier (内蒙古: 自治区一类区)
    basis: str | None  # min_wage_basis as the notice words it
    top_up: bool  # districts may add their own (北京)
    rate_entry: Entry | None
    retention_entry: Entry | None
    one_plus_one: Entry | None
    living: Entry | None

    @property
    def computable(self) -> bool:
        return self.base_rate is not None

    def entries(self) -> list[Entry]:
        return [e for e in (self.rate_entry, self.retention_entry, self.one_plus_one, self.living) if e is not None]


def _dec(v: object) -> Decimal | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return Decimal(str(v))


@cache
def _by_region_topic() -> dict[tuple[str, str], list[Entry]]:
    out: dict[tuple[str, str], list[Entry]] = {}
    for e in load_entries():
        out.setdefault((e.region, e.topic), []).append(e)
    return out


def rule_for(region: str) -> SubsidyRule:
    """The subsidy rule of a knowledge region ("41", "15", "11", "4301", "44", "national")."""
    idx = _by_region_topic()

    def first(topic: str, reg: str = region) -> Entry | None:
        found = idx.get((reg, topic), [])
        return found[0] if found else None

    rate = first("subsidy_rate")
    own = rate is not None
    if rate is None:
        rate = first("subsidy_rate", "national")
    retention = first("retention_tiers") or (None if own else first("retention_tiers", "national"))
    one = first("one_plus_one")
    living = first("living_allowance")
    facts: dict[str, object] = {}
    for e in (retention, rate):  # the rate entry wins where both say
        if e is not None:
            facts.update(e.facts)
    base = _dec(facts.get("rate_of_min_wage")) or _dec(facts.get("base_rate_of_min_wage"))
    if not own or facts.get("base_rate_stated") is False:
        base = None  # the national notice sets no amount; Changsha states no base rate
    raised = _dec(facts.get("retained_rate_of_min_wage"))
    thr = _dec(facts.get("retention_threshold"))
    basis = facts.get("min_wage_basis")
    basis_text = basis if isinstance(basis, str) else None
    fixed = None
    if basis_text:
        m = re.search(r"([一二三四])类区", basis_text)
        fixed = m.group(1) + "类" if m else None
    inclusive = facts.get("threshold_inclusive")
    return SubsidyRule(region, base, raised, Fraction(thr) if thr is not None else None,
                       inclusive if isinstance(inclusive, bool) else None, fixed, basis_text,
                       bool(facts.get("district_top_up_allowed")), rate, retention, one, living)


# --- computing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TierAmounts:
    wage: WageRule
    base: Decimal | None  # per person per month at the base rate
    raised: Decimal | None  # per person per month at the raised rate
    living_min: Decimal | None  # Changsha: the trainee's allowance floor

    @property
    def difference(self) -> Decimal | None:
        if self.base is None or self.raised is None:
            return None
        return self.raised - self.base


def amounts(rule: SubsidyRule, wage: WageRule) -> TierAmounts:
    mw = wage.monthly_yuan
    base = mw * rule.base_rate if rule.base_rate is not None else None
    raised = mw * rule.retained_rate if rule.retained_rate is not None else None
    living = None
    if rule.living is not None:
        r = _dec(rule.living.facts.get("allowance_min_rate_of_min_wage"))
        living = mw * r if r is not None else None
    return TierAmounts(wage, base, raised, living)


def _pct_text(rate: Decimal) -> str:
    return f"{yuan(rate * 100)}%"


def _fraction_pct(f: Fraction) -> str:
    return f"{yuan(Decimal(f.numerator) / Decimal(f.denominator) * 100)}%"


def _wages(rule: SubsidyRule, place: Division | None, q: SubsidyQuery, today: date,
           province_code: str) -> tuple[list[WageRule], bool, str]:
    """The wage standard(s) to use, whether the tier is settled, and how they were found
    ("fixed": the notice names the tier; "told": the user did; else the WageMatch level)."""
    stated = q.tier1_wage if rule.fixed_tier == "一类" and q.tier1_wage is not None else q.wage
    if stated is not None:
        # (内蒙古 pays on the 一类区 wage: "我们旗属于三类区，最低工资1750，自治区一类区是1980" is 1980)
        d = divisions().get(province_code)
        told = WageRule(province_code, d.name if d else "", "您给出的标准", "您给出的标准", (), stated, today,
                        "提问中给出", STATED, 0)
        return [told], True, "told"
    table = current_table()
    if rule.fixed_tier:
        r = table.tier_rule(province_code, rule.fixed_tier, today)
        return ([r] if r else []), True, "fixed"
    if q.tier:
        r = table.tier_rule(province_code, q.tier, today)
        if r:
            return [r], True, "told"
    code = place.code if place else province_code
    m = table.match(code, today)
    if m.determined:
        return list(m.rules), True, ""
    return list(m.rules), False, m.level


def _money(x: Decimal) -> str:
    return yuan(x) + "元"


def _compute_lines(rule: SubsidyRule, tier: TierAmounts, q: SubsidyQuery, short: bool) -> list[str]:
    """Amount lines for one wage standard."""
    n = q.trainees or 1
    group = n > 1
    out: list[str] = []
    w = tier.wage
    meets = q.meets(rule.threshold) if rule.threshold is not None else None
    prefix = f"{w.tier}（{w.amount}元）：" if short else ""
    if tier.base is not None and rule.base_rate is not None:
        whole = "（即月最低工资全额）" if rule.base_rate == 1 and not short else ""
        monthly = (f"每人每月{_money(tier.base)}{whole}"
                   + (f"，{n}人每月共{_money(tier.base * n)}" if group else ""))
        if short:
            text = prefix + f"按{_pct_text(rule.base_rate)}" + monthly
        elif rule.base_rate == 1:
            text = "按月发放：" + monthly
        else:
            text = f"按月发放：{w.amount}元×{_pct_text(rule.base_rate)}=" + monthly
        if q.months and not short:
            text += f"，见习{q.months}个月共{_money(tier.base * n * q.months)}"
        diff = tier.difference
        if diff is not None and rule.retained_rate is not None and meets is not False:
            cond = "" if meets else "若留用率达标，"
            end = f"每人每月差额{_money(diff)}"
            if group:
                end += f"，{n}人每见习1个月共{_money(diff * n)}"
            if q.months:
                end += f"，见习{q.months}个月共{_money(diff * n * q.months)}"
            if short:
                text += f"；{cond}期满按{_pct_text(rule.retained_rate)}补差：{end}"
            else:
                out.append(text + "。")
                text = (f"{cond}“1+1”期满补差：标准提高到{_pct_text(rule.retained_rate)}（每人每月"
                        f"{_money(tier.raised or Decimal(0))}），{end}，结束见习后一次性发放")
                if meets and q.months and tier.raised is not None:
                    # "单位总共能拿多少": the monthly payments and the end payment together.
                    paid, end_paid = tier.base * n * q.months, diff * n * q.months
                    out.append(text + "。")
                    text = (f"合计：{yuan(paid)}+{yuan(end_paid)}={_money(paid + end_paid)}"
                            f"（即按{_pct_text(rule.retained_rate)}计，{n}人×{q.months}个月）")
        out.append(text + "。")
    elif tier.raised is not None and rule.retained_rate is not None:
        raised = f"每人每月{_money(tier.raised)}" + (f"，{n}人每月共{_money(tier.raised * n)}" if group else "")
        if q.months:
            raised += f"，见习{q.months}个月共{_money(tier.raised * n * q.months)}"
        if meets:
            out.append(prefix + f"留用率达标，补贴标准为当地最低工资标准的{_pct_text(rule.retained_rate)}："
                       + raised + "。")
        elif meets is False:
            pass  # the raised rate does not apply: no figure that could be read as the subsidy
        else:
            out.append(prefix + f"留用率达到{_fraction_pct(rule.threshold or Fraction(1, 2))}以上时为"
                       f"{_pct_text(rule.retained_rate)}：" + raised + "。")
    if tier.living_min is not None and not short:
        out.append(f"见习基地须向见习人员提供不低于当地最低工资标准（{w.amount}元）的基本生活补助。")
    elif tier.living_min is not None and short:
        if out:
            out[-1] = out[-1].rstrip("。") + f"；生活补助不低于{w.amount}元。"
        else:
            out.append(prefix + f"见习人员生活补助不低于{w.amount}元。")
    return out


def _cite(entries: list[Entry]) -> tuple[str, list[dict[str, str]]]:
    by_doc: dict[str, list[str]] = {}
    sources: list[dict[str, str]] = []
    for e in entries:
        for s in e.sources():
            sections = by_doc.setdefault(s.doc, [])
            if s.section not in sections:
                sections.append(s.section)
                sources.append({"doc": s.doc, "section": s.section})
    return "；".join(f"{doc} {'、'.join(sec)}" for doc, sec in by_doc.items()), sources


def _wage_sentence(wages: list[WageRule]) -> str:
    if len(wages) == 1:
        w = wages[0]
        prov = w.provenance()
        return w.basis() + (f"（标准来源：{prov}）" if prov else "") + "。"
    dates = "、".join(dict.fromkeys(w.effective_from.isoformat() for w in wages))
    tiers = "、".join(w.tier for w in wages)
    provs = "；".join(dict.fromkeys(w.provenance() for w in wages))
    return (f"按{wages[0].province}{tiers}月最低工资标准（自 {dates} 起）计算，以当地人社部门核定为准"
            f"（标准来源：{provs}）。")


def _place_label(place: Division | None, region: str) -> str:
    if place is None:
        return REGION_NAMES.get(region, "")
    return place.full_name


def compute_answer(q: SubsidyQuery, place: Division | None, region_code: str, today: date) -> Answer:
    region = knowledge_region(region_code)
    rule = rule_for(region)
    d = place or divisions().get(region_code)
    province_code = d.province_code if d else region_code[:2]
    label = REGION_NAMES[region] if region != "national" else (d.full_name if d else "全国")
    facts_line = [_place_label(d, region)] if d and d.code != region else []
    if q.trainees:
        facts_line.append(f"{q.trainees}人")
    lines = [f"【{label}·见习补贴测算】" + "，".join(facts_line)]
    entries = rule.entries()
    confidence = 0.9

    if not rule.computable and rule.retained_rate is None:
        # Guangdong's own texts and the national notice: no amount to compute with.
        thr = _fraction_pct(rule.threshold) if rule.threshold is not None else None
        raise_note = f"留用率达到{thr}以上的可适当提高" if thr else "可适当提高"
        if region == "44":
            lines.append("广东省文件（粤人社函〔2023〕228号、50号）没有规定见习补贴金额；转发的国家通知规定对吸纳见习的单位"
                         f"“按规定给予就业见习补贴”，{raise_note}，标准由各地市确定，这里无法替您计算金额，"
                         "具体以当地人社部门规定为准。")
        else:
            place_name = d.full_name if d else "您所在地区"
            lines.append(f"我这里没有收录{place_name}的见习文件。国家通知没有全国统一的补贴金额：对吸纳见习的单位"
                         f"“按规定给予就业见习补贴”，{raise_note}，标准由各地确定，这里无法替您计算金额，"
                         "具体以当地人社部门规定为准。")
        if thr and q.retention_said:
            # "9个留用了4个，留用率够不够50%": the line, reckoned, though the raise itself is the place's to set
            met = {True: "达到", False: "未达到", None: "是否达到无法确定："}[q.meets(rule.threshold or Fraction(1, 2))]
            lines.append(f"{_retention_text(q)}，{met}{thr}。")
        if rule.one_plus_one is not None or region == "national":
            lines.append("发放按“1+1”模式：按月发放，不得见习结束后集中发放，留用率高的单位期满后一次性发差额。")
            if rule.one_plus_one is None:
                nat = _by_region_topic().get(("national", "one_plus_one"), [])
                entries = entries + nat[:1]
        cite, sources = _cite(entries)
        if region == "44" and not (thr and q.retention_said):
            # Guangdong has a notice, and it gives no amount: an honest unknown, with the province's contact.
            from knowledge.answer import default_answerer

            contact = default_answerer().contact(region)
            lines.append(f"建议咨询：{contact}" if contact else "建议咨询当地人社部门。")
            lines.append("依据：" + cite)
            return Answer("\n".join(lines), "unknown", sources, 0.0, entries[0].id if entries else None,
                          region, _context(entries, region_code))
        lines.append("依据：" + cite)
        lines.append("金额以当地人社部门核定为准。")
        return Answer("\n".join(lines), "calculation", sources, 0.6, entries[0].id if entries else None,
                      region, _context(entries, region_code))

    try:
        wages, settled, how = _wages(rule, d, q, today, province_code)
    except MinWageTableError as exc:
        log.error("最低工资表有误：%s", exc)
        wages, settled, how = [], False, "error"
    if not wages:
        if how == "error":
            lines.append("最低工资标准表正在更新，暂时无法给出金额。")
        else:
            lines.append(f"表中没有{_place_label(d, region)}在{today.isoformat()}适用的最低工资标准，无法计算金额。")
        lines.append(_rule_summary(rule))
        cite, sources = _cite(entries)
        lines.append("依据：" + cite)
        lines.append("请以当地人社部门核定为准。")
        return Answer("\n".join(lines), "calculation", sources, 0.5, _main_id(rule), region,
                      _context(entries, region_code))

    if rule.fixed_tier and rule.basis:
        lines.append(f"补贴以{rule.basis}为基数，与所在旗县区档次无关。")
    elif not settled:
        where = _place_label(d, region)
        if how == "counties":
            lines.append(f"{where}各县区档次不同，分别为：")
        else:
            word = "档" if any("档" in w.tier for w in wages) else "类"
            lines.append(f"{where}属于几{word}最低工资地区，表中没有记载，请告知所在县区属于几{word}地区；下面按各{word}分别列出：")
        confidence = 0.6
    meets = q.meets(rule.threshold) if rule.threshold is not None else None
    if rule.threshold is not None and rule.retained_rate is not None and q.retention_said:
        thr = _fraction_pct(rule.threshold)
        if meets:
            exact = q.retention is not None and q.retention == rule.threshold
            note = ""
            if exact:  # exactly at the threshold: say why it counts
                note = "（通知写“及以上”，含本数）" if rule.threshold_inclusive else "（通知写“以上”，按含本数理解）"
            lines.append(f"{_retention_text(q)}，达到{thr}" + note +
                         f"，期满后标准提高到{_pct_text(rule.retained_rate)}。")
        elif meets is False:
            lines.append(f"{_retention_text(q)}，未达到{thr}，不提高标准。")
        else:
            lines.append(f"{_retention_text(q)}，是否达到{thr}无法确定，下面分别列出。")
    elif rule.region == "11" and q.retention_said:
        lines.append(f"{_retention_text(q)}；北京通知未规定留用率提高标准。")
    elif rule.threshold is not None and q.retention_said:
        # a place on the national rule: whether the line is met, and that the raise is the place's to set
        thr = _fraction_pct(rule.threshold)
        met = {True: "达到", False: "未达到", None: "是否达到无法确定："}[meets]
        lines.append(f"{_retention_text(q)}，{met}{thr}；国家通知规定达到{thr}以上的可适当提高补贴标准，提高多少由各地规定。")
    if rule.region == "11" and rule.base_rate is not None:
        lines.append(f"市级见习补贴为{rule.basis or '本市当年月最低工资'}：")
    if rule.region == "4301" and rule.base_rate is None:
        lines.append("长沙通知未写明基础补贴标准，基础部分无法计算，具体以当地人社部门规定为准。")
    short = len(wages) > 1
    for w in wages:
        lines.extend(_compute_lines(rule, amounts(rule, w), q, short))
    if rule.top_up:
        district = d.name if d and d.level == "county" else "各区"
        lines.append(f"{district}可另发区级见习补贴，金额通知未列，请咨询区人社局。")
    if rule.region == "4301" and rule.base_rate is None and meets:
        lines.append("按“1+1”模式，按月先发基础标准，差额期满后一次性发放；基础标准未写明，差额无法计算。")
    if rule.one_plus_one is not None and rule.base_rate is not None and meets is not False and rule.retained_rate:
        lines.append("差额按全部见习人员和见习月数计算；是否只计留用人员、按哪月标准，文件未写明。")
    cite, sources = _cite(entries)
    for w in (w for w in wages if not w.stated):
        s = {"doc": w.source_label(), "section": f"{w.label}月最低工资标准（自 {w.effective_from.isoformat()} 起）"}
        if s not in sources:
            sources.append(s)
    if rule.base_rate is None and meets is False:
        # 长沙 below the threshold: the notice gives no rate to reckon with; said plainly, with the contact.
        from knowledge.answer import default_answerer

        contact = default_answerer().contact(rule.region)
        lines.append(f"建议咨询：{contact}" if contact else "建议咨询当地人社部门。")
        # "留了3个 能拿120%那一档吗": that much is answered (no); else the amount asked for is not known.
        kind, sure = ("calculation", confidence) if q.tier_asked else ("unknown", 0.0)
        return Answer(_fit(lines, ["依据：" + cite, _wage_sentence(wages)]), kind, sources, sure, _main_id(rule), region,
                      _context(entries, region_code))
    tail = ["依据：" + cite, _wage_sentence(wages)]
    body = _fit(lines, tail)
    return Answer(body, "calculation", sources, confidence, _main_id(rule), region, _context(entries, region_code))


def _retention_text(q: SubsidyQuery) -> str:
    """留用率60% / 留用率75%（4人留用3人） / 留用过半."""
    said = q.retention_said or ""
    if q.retention is None:
        return f"留用率{said}" if "%" in said else f"留用{said}"
    pct = _fraction_pct(q.retention)
    return f"留用率{said}" if said.endswith("%") else f"留用率{pct}（{said}）"


def _rule_summary(rule: SubsidyRule) -> str:
    e = rule.rate_entry
    return f"规定：{e.answer}" if e else ""


def _main_id(rule: SubsidyRule) -> str | None:
    return rule.rate_entry.id if rule.rate_entry else None


def _context(entries: list[Entry], region_code: str | None) -> dict[str, object]:
    main = entries[0] if entries else None
    return {"entry_id": main.id, "topic": main.topic, "region_code": region_code} if main else {}


def _fit(lines: list[str], tail: list[str]) -> str:
    """The answer within TEXT_MAX characters: optional notes go first, the sources and caveat stay."""
    optional = ("差额按全部见习人员", "区级见习补贴", "与所在旗县区档次无关")
    body = lines + tail
    while len("\n".join(body)) > TEXT_MAX:
        drop = next((i for i, x in enumerate(lines) if any(o in x for o in optional)), None)
        if drop is None:
            break
        lines = lines[:drop] + lines[drop + 1:]
        body = lines + tail
    text = "\n".join(body)
    if len(text) > TEXT_MAX:  # never expected with the current rules; keep the tail whole
        head = "\n".join(lines)[: TEXT_MAX - len("\n".join(tail)) - 2] + "…"
        text = head + "\n" + "\n".join(tail)
    return text


def subsidy_answer(text: str, user_region: str | None, today: date) -> Answer | None:
    """An Answer for a subsidy amount question, or None when the message is not one."""
    if not is_subsidy_question(text):
        return None
    t = normalise(text)
    found = places_in(t)
    if len(found) > 1 and user_region:
        # "朝阳区单位……" from a user registered in Beijing: Beijing's 朝阳区.
        mine = [d for d in found if d.code.startswith(user_region[:2])]
        found = mine if len(mine) == 1 else found
    if len(found) > 1:
        names = "、".join(d.full_name for d in found[:6])
        return Answer(f"您说的地方对应多个地区：{names}。请告诉我具体是哪一个，例如“{found[0].full_name}3个见习生补贴多少”。",
                      "clarify", confidence=0.3)
    place = found[0] if found else (divisions().get(user_region) if user_region else None)
    if place is None:
        return Answer("请告诉我见习单位所在的县区（例如“郑州市金水区 3个见习生 留用率60% 补贴多少”），"
                      "各地补贴标准和最低工资不同，我按当地标准测算。", "clarify", confidence=0.3)
    q = parse_query(t)
    return compute_answer(q, place, place.code, today)
