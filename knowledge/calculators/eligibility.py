"""Can this person take part in 就业见习? "可以参加" / "不符合" / "需当地核实", with the reason and source.

The rules are the ``eligibility`` entries of the region (national where the region has no notice here):

* 离校2年内未就业的高校毕业生 (Beijing: 毕业2年内未就业的 **北京生源** 高校、中专、技工院校毕业生;
  Changsha also names 技师学院高级工班、预备技师班 and 特殊院校职业教育类 graduates);
* 16—24岁失业青年 (national text: 聚焦登记失业青年; Changsha: 登记失业人员; Beijing: **本市户籍** 的登记
  失业人员, and 转移就业登记的农村无业或务农劳动力).

A person may qualify by either route; the answer takes the better one and says what is missing. Ages are
read as "16 to 24 inclusive" and "离校2年内" as fewer than 24 months since the month of leaving school
(exactly 24 months, or a year without a month, is left to the local bureau).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

from knowledge.answer import Answer, knowledge_region
from knowledge.calculators.text import NUM, normalise, number, places_in
from knowledge.divisions import divisions
from knowledge.schema import REGION_NAMES, Entry, load_entries

Verdict = Literal["可以参加", "不符合", "需当地核实"]
Education = Literal["高校", "中专", "技工院校", "技师学院", "高中及以下"]
_RANK: dict[Verdict, int] = {"可以参加": 0, "需当地核实": 1, "不符合": 2}
_ORIGIN_AFTER = r"\s*(生源|户口|户籍|籍|人)"


@dataclass(frozen=True)
class Applicant:
    graduation: tuple[int, int | None] | None = None  # (year, month) of leaving school
    months_since: tuple[int, int] | None = None  # when said as "毕业两年了": (min, max) months
    not_graduated: bool = False
    age: tuple[int, int] | None = None  # (min, max): a birth year without month leaves a range
    employed: bool | None = None
    registered: bool | None = None  # 失业登记
    education: Education | None = None
    beijing_origin: bool | None = None  # 北京生源
    beijing_hukou: bool | None = None  # 本市户籍
    rural: bool = False

    @property
    def has_graduate_facts(self) -> bool:
        return self.graduation is not None or self.months_since is not None or self.not_graduated

    @property
    def has_youth_facts(self) -> bool:
        return self.age is not None or self.registered is True or self.beijing_hukou is not None


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Eligibility:
    verdict: Verdict
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    region: str  # knowledge region whose rule was used
    entry: Entry
    fallback: bool  # the place has no notice here: the national rule
    routes: dict[str, Check] = field(default_factory=dict)


# --- parsing ------------------------------------------------------------------------------------
def _year(raw: str) -> int:
    y = int(raw)
    return y + 2000 if y < 100 else y


def parse_applicant(text: str, today: date) -> Applicant:
    t = normalise(text)
    graduation: tuple[int, int | None] | None = None
    months_since: tuple[int, int] | None = None
    not_graduated = False
    grad_word = r"(毕业|离校|毕的业)"
    m = (re.search(r"(?P<y>\d{4}|\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*份?[^，,。;；\d]{0,10}?" + grad_word, t)
         or re.search(grad_word + r"(于|时间|是|在)?\s*[:：]?\s*(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月", t))
    if m and 1 <= int(m.group("m")) <= 12:
        graduation = (_year(m.group("y")), int(m.group("m")))
    if graduation is None:
        m = (re.search(r"(\d{4}|\d{2})\s*年\s*(的)?\s*(本科|专科|大专|研究生|硕士|博士)?\s*(毕业|离校)", t)
             or re.search(r"(\d{4}|\d{2})\s*届", t))
        if m:
            graduation = (_year(m.group(1)), None)
    if graduation is None:
        rel = {"今年": 0, "去年": 1, "前年": 2, "明年": -1}
        m = re.search(r"(今年|去年|前年|明年)\s*(\d{1,2})?\s*月?\s*份?\s*(就|刚|才|的)?\s*(毕业|离校)", t)
        if m:
            y = today.year - rel[m.group(1)]
            mon = int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 12 else None
            graduation = (y, mon)
    if graduation is None:
        m = re.search(r"(毕业|离校)\s*(已经|都|快)?\s*" + NUM + r"\s*(个)?\s*(年|月)", t)
        m_half = re.search(r"(毕业|离校)\s*(已经|都)?\s*(半年|一年半|两年半)", t)
        if m_half:
            months = {"半年": 6, "一年半": 18, "两年半": 30}[m_half.group(3)]
            months_since = (months, months)
        elif m and number(m.group(3)) is not None:
            n = number(m.group(3)) or 0
            months = n * 12 if m.group(5) == "年" else n
            months_since = (months, months)
        elif re.search(r"刚(刚)?毕业|刚离校", t):
            months_since = (0, 11)
    if re.search(r"还没毕业|没毕业|未毕业|在读|在校生|还在上学|大[一二三四](?![战学])|(?<!考)研[一二三](?!战)|明年毕业|即将毕业|快毕业", t):
        not_graduated = True
    if graduation and (graduation[0], graduation[1] or 1) > (today.year, today.month):
        not_graduated = True

    age: tuple[int, int] | None = None
    m = re.search(NUM + r"\s*(周)?岁", t)
    if m and number(m.group(1)) is not None:
        n = number(m.group(1)) or 0
        if 10 <= n <= 80:
            age = (n, n)
    if age is None:
        m = re.search(r"(今年|现在|目前)\s*(应该|大概|已经|都|刚)?\s*(满)?\s*" + NUM + r"\s*(了|周岁|岁)", t)
        n = number(m.group(4)) if m else None
        if n is not None and 10 <= n <= 80:
            age = (n, n)  # "今年应该25了吧"
    if age is None:
        m = (re.search(r"(\d{4}|\d{2})\s*年\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2}\s*日)?\s*(出生|生|的人|生人)", t)
             # "俺是2005年的", "我01年10月的": a birth year said as what someone is
             or re.search(r"(?:是|我|俺)\s*((?:19|20)?\d{2})\s*年\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2}\s*日)?\s*(的)(?=[\s,，。呢吧]|$)", t))
        if m:
            by = _year(m.group(1))
            if m.group(2):
                bm = int(m.group(2))
                base = today.year - by
                if today.month > bm:
                    age = (base, base)
                elif today.month < bm:
                    age = (base - 1, base - 1)
                else:
                    age = (base - 1, base)
            else:
                age = (today.year - by - 1, today.year - by)

    employed: bool | None = None
    if re.search(r"没(有)?(工作|上班|就业|找到工作)|未就业|待业|失业|无业|找不到工作|还没找到|在家(待着|呆着|闲着)?|没事做|辞职了|离职了", t):
        employed = False
    elif re.search(r"已(经)?(就业|工作|上班|入职)|在上班|上班了|有工作|签了(劳动)?合同|在职|交着社保|工作了", t):
        employed = True

    registered: bool | None = None
    if re.search(r"没(有)?(办|办理|做)?(过)?(失业登记|登记失业|登记)|未(办理)?(失业)?登记|不知道.*登记", t):
        registered = False
    elif re.search(r"登记(了)?失业|失业登记|办(了|理了|过)失业|失业证", t):
        registered = True

    education: Education | None = None
    if re.search(r"没(有)?(上|读|考)(过|上)?大学|高中毕业|初中|高中学历|小学", t):
        education = "高中及以下"
    elif re.search(r"技师学院|高级工班|预备技师", t):
        education = "技师学院"
    elif re.search(r"技校|技工学校|技工院校", t):
        education = "技工院校"
    elif re.search(r"中专|职高|中职|职业高中", t):
        education = "中专"
    elif re.search(r"本科|大专|专科|高职|研究生|硕士|博士|大学|高校|学院", t):
        education = "高校"

    origin: bool | None = None
    if re.search(r"(外地|外省|非北京|非京|非本市|不是北京|不是本市)\s*(的)?\s*生源|生源(地)?(不是|不在)北京", t):
        origin = False
    elif re.search(r"(北京|本市|京籍)\s*(的)?\s*生源", t):
        origin = True
    else:
        for mention in divisions().mentions(t):
            if re.match(r"\s*(的)?\s*生源", t[mention.end:]):
                origin = any(c.province_code == "11" for c in mention.candidates)
                break

    hukou: bool | None = None
    if re.search(r"(外地|外省|非北京|非京|非本市|不是北京|不是本市|没有北京|没有本市)\s*(的)?\s*(户口|户籍)|非京籍|不是京籍", t):
        hukou = False
    elif re.search(r"(北京|本市)\s*(的)?\s*(户口|户籍)|京籍", t):
        hukou = True
    else:
        for mention in divisions().mentions(t):
            if re.match(r"\s*(的)?\s*(户口|户籍)", t[mention.end:]):
                hukou = any(c.province_code == "11" for c in mention.candidates)
                break

    rural = bool(re.search(r"农村|务农|种地|农民", t))
    return Applicant(graduation, months_since, not_graduated, age, employed, registered, education, origin,
                     hukou, rural)


# --- rules --------------------------------------------------------------------------------------
@cache
def _entries() -> dict[str, Entry]:
    return {e.region: e for e in load_entries() if e.topic == "eligibility"}


def _int(facts: Mapping[str, object], *keys: str, default: int) -> int:
    for k in keys:
        v = facts.get(k)
        if isinstance(v, int):
            return v
    return default


def _worst(checks: list[Check]) -> Check:
    """The worst verdict; its reasons (for 需当地核实, what is met first, then what is to be checked)."""
    verdict = max((c.verdict for c in checks), key=lambda v: _RANK[v])
    if verdict == "不符合":
        reasons = tuple(r for c in checks if c.verdict == verdict for r in c.reasons)
    else:
        ordered = sorted(checks, key=lambda c: _RANK[c.verdict])
        reasons = tuple(dict.fromkeys(r for c in ordered for r in c.reasons))
    return Check(verdict, reasons)


def _months_since(a: Applicant, today: date) -> tuple[int, int] | None:
    if a.months_since is not None:
        return a.months_since
    if a.graduation is None:
        return None
    y, m = a.graduation
    now = today.year * 12 + today.month
    if m is not None:
        n = now - (y * 12 + m)
        return (n, n)
    return (now - (y * 12 + 12), now - (y * 12 + 1))


def _graduate_route(a: Applicant, e: Entry, today: date) -> Check | None:
    if not a.has_graduate_facts:
        return None
    years = _int(e.facts, "years_since_leaving_school_max", "years_since_graduation_max", default=2)
    limit = years * 12
    word = "毕业" if "years_since_graduation_max" in e.facts else "离校"
    checks: list[Check] = []
    span = _months_since(a, today)
    if a.not_graduated and (span is None or span[1] < 0):
        return Check("不符合", (f"您还没有毕业离校；见习面向{word}{years}年内未就业的毕业生，毕业后仍未就业可以参加",))
    if span is None:
        checks.append(Check("需当地核实", (f"需{word}{years}年内",)))
    elif span[0] > limit:
        return Check("不符合", (f"您{word}已超过{years}年，不属于{word}{years}年内未就业的高校毕业生",))
    elif span[1] < limit and span[0] >= 0:
        until = ""
        if a.graduation is not None and a.graduation[1] is not None:
            # "2025年7月毕业……资格能保留到什么时候": the month the two years run out.
            until = f"（按{a.graduation[0]}年{a.graduation[1]}月{word}计，至{a.graduation[0] + years}年{a.graduation[1]}月满{years}年）"
        checks.append(Check("可以参加", (f"您{word}未满{years}年{until}",)))
    elif span[0] < 0:
        checks.append(Check("需当地核实", ("您是否已经毕业离校需确认",)))
    else:
        summer = ""
        if a.graduation is not None and a.graduation[1] is None:
            # "前年毕业": the month unsaid; most leave school in June or July
            y = a.graduation[0] + years
            summer = f"（如为{a.graduation[0]}年6、7月{word}，至{y}年6、7月已满{years}年）"
        checks.append(Check("需当地核实", (f"您{word}接近或正好{years}年，是否仍在{years}年内以实际{word}日期为准{summer}",)))

    secondary_ok = "中专" in e.answer
    technician_ok = "技工院校" in e.answer
    includes = e.facts.get("includes")
    includes_text = "、".join(str(x) for x in includes) if isinstance(includes, list) else ""
    if a.education == "中专" and not secondary_ok:
        checks.append(Check("不符合", ("按毕业生参加的须为高校毕业生，中专毕业生不在其列",)))
    elif a.education == "技工院校" and not technician_ok:
        if "技师" in includes_text:
            checks.append(Check("需当地核实", (f"技工院校毕业生中只列了{includes_text}",)))
        else:
            checks.append(Check("不符合", ("按毕业生参加的须为高校毕业生，技工院校毕业生不在其列",)))
    elif a.education == "技师学院" and not technician_ok and "技师" not in includes_text:
        checks.append(Check("需当地核实", ("技师学院毕业生是否按高校毕业生对待需当地确认",)))
    elif a.education == "高中及以下":
        checks.append(Check("不符合", ("按毕业生参加的须为高校毕业生",)))

    if a.employed is True:
        checks.append(Check("不符合", ("见习对象须为未就业人员，您已就业",)))
    if e.facts.get("graduates_must_be") == "北京生源":
        if a.beijing_origin is False:
            checks.append(Check("不符合", ("北京只面向北京生源的毕业生，外地生源不在见习对象之列",)))
        elif a.beijing_origin is None:
            checks.append(Check("需当地核实", ("北京要求是北京生源毕业生",)))
    return _worst(checks)


def _youth_route(a: Applicant, e: Entry, today: date) -> Check | None:
    if not a.has_youth_facts:
        return None
    lo = _int(e.facts, "age_min", default=16)
    hi = _int(e.facts, "age_max", default=24)
    checks: list[Check] = []
    if a.age is None:
        checks.append(Check("需当地核实", (f"须为{lo}至{hi}岁",)))
    elif a.age[0] > hi or a.age[1] < lo:
        shown = a.age[0] if a.age[0] == a.age[1] else f"{a.age[0]}或{a.age[1]}"
        return Check("不符合", (f"您{shown}岁，不在{lo}至{hi}岁失业青年的年龄范围内",))
    elif a.age[0] >= lo and a.age[1] <= hi:
        shown = a.age[0] if a.age[0] == a.age[1] else f"{a.age[0]}或{a.age[1]}"
        checks.append(Check("可以参加", (f"您{shown}岁，在{lo}至{hi}岁范围内",)))
    else:
        checks.append(Check("需当地核实", (f"按出生年月，您可能刚满或将满{hi + 1}岁，以实际年龄为准",)))
    if a.employed is True:
        checks.append(Check("不符合", ("须为失业人员，您已就业",)))
    if a.registered is not True:
        if a.employed is None and a.registered is None:
            checks.append(Check("需当地核实", ("须为失业（未就业）人员",)))
        if e.region in ("11", "4301"):  # their notices name 登记失业人员 as the 见习对象
            why = "须为登记失业人员，请先到当地公共就业服务机构办理失业登记"
        else:  # 失业青年; the national notice's work focus is 登记失业青年
            why = "建议先到当地公共就业服务机构办理失业登记（国家通知聚焦登记失业青年）"
        checks.append(Check("需当地核实", (why,)))
    if e.facts.get("unemployed_must_be") == "本市户籍":
        if a.beijing_hukou is False:
            return Check("不符合", ("北京的失业青年须为本市户籍",))
        if a.beijing_hukou is None:
            checks.append(Check("需当地核实", ("北京要求本市户籍",)))
    return _worst(checks)


def check(a: Applicant, region_code: str | None, today: date) -> Eligibility | None:
    """The verdict for a person in a region; None when the message says nothing to judge by."""
    region = knowledge_region(region_code)
    entries = _entries()
    e = entries.get(region) or entries["national"]
    fallback = e.region != region or (region == "national" and bool(region_code))
    grad = _graduate_route(a, e, today)
    youth = _youth_route(a, e, today)
    routes = {k: v for k, v in (("毕业生", grad), ("失业青年", youth)) if v is not None}
    if not routes and e.facts.get("graduates_must_be") and a.beijing_origin is not None:
        # "我是外地生源在北京能参加吗": the origin alone decides the graduate route.
        if a.beijing_origin is False:
            routes["毕业生"] = Check("不符合", ("北京只面向北京生源的毕业生，外地生源不在见习对象之列",))
        else:
            routes["毕业生"] = Check("需当地核实", ("北京生源毕业生须毕业2年内且未就业",))
    if not routes:
        return None
    best = min(routes.values(), key=lambda c: _RANK[c.verdict])
    reasons = best.reasons
    notes: list[str] = []
    lo = _int(e.facts, "age_min", default=16)
    hi = _int(e.facts, "age_max", default=24)
    if best.verdict != "可以参加" and a.employed is not True:
        if "失业青年" not in routes:
            who = "本市户籍的" if e.facts.get("unemployed_must_be") == "本市户籍" else ""
            notes.append(f"如您是{who}{lo}至{hi}岁并已办理失业登记的失业青年，也可按失业青年参加")
        if "毕业生" not in routes and a.education != "高中及以下":
            years = _int(e.facts, "years_since_leaving_school_max", "years_since_graduation_max", default=2)
            who = "北京生源" if e.facts.get("graduates_must_be") else ""
            notes.append(f"如您是离校{years}年内未就业的{who}高校毕业生，也可按毕业生参加")
        if best.verdict == "不符合" and len(routes) == 2:
            reasons = tuple(r for c in routes.values() for r in c.reasons)
    if e.region == "11" and a.rural and best.verdict != "可以参加":
        notes.append("北京还包括转移就业登记的农村无业或务农劳动力，请向区人社局确认")
    if best.verdict == "可以参加" and a.employed is None:
        notes.append("前提是您目前未就业")
    if best.verdict == "可以参加" and a.education is None and "毕业生" in routes and routes["毕业生"] is best:
        notes.append("指高校（大专及以上）毕业生" + ("，北京还包括中专、技工院校毕业生" if e.region == "11" else ""))
    return Eligibility(best.verdict, reasons, tuple(notes), e.region, e, fallback, routes)


# --- answering ------------------------------------------------------------------------------------
_ASK = (r"(能不能|能否|可不可以|可以|能)\s*(参加|报名|申请|去|做|搞)?\s*(见习|吗)|符合|够格|有资格|资格|条件吗|算不算见习对象|"
        r"能.{0,2}(参加|报|走|去).{0,8}见习|还在.{0,10}(两年|2年|期限|范围).{0,4}内|(还能|能)报(不|吗|么)|保留到")
_STATUS = r"没(有)?(工作|上班|就业|找到工作)|未就业|待业|失业|无业|在家|找不到工作"


# Questions about the status during or after the internship, not about taking part.
_STATUS_QUESTION = (r"算不算(我)?(已经)?就业|算(是)?就业|视为就业|应届(生|毕业生)?(的)?身份|按应届|应届生政策|享受.*应届"
                    r"|算不算(参加|上|有)?(了)?工作|算(是)?参加(了)?工作|(当|按|算)应届(生|毕业生)?(对待|看待|待遇)?")


# What a question asks when it is not whether one may take part.
_OTHER_QUESTION = (r"多长|多久|期限|几个月|协议|合同|保险|工作经历|工龄|鉴定|证明|怎么报名|去哪(里|儿)?报名|哪里报名|"
                   r"(去|到|在)?哪(里|儿)?(找|查|看|有)|怎么(找|查)|"
                   r"how\s*long|duration|last")


def is_eligibility_question(text: str, today: date) -> bool:
    t = normalise(text)
    if re.search(r"补贴|补助|生活费|工资|给不给钱|给钱|多少钱|汇总表|月报|报表|指标|第.{1,2}(项|列|栏)|人数|本期|校验|填了|这样填|"
                 r"到岗|留用\s*\d+", t) or re.search(_STATUS_QUESTION, t):
        return False
    a = parse_applicant(t, today)
    personal = a.has_graduate_facts or a.age is not None or a.beijing_origin is not None or a.beijing_hukou is not None
    if not personal:
        return False
    last = [c for c in re.split(r"[，,。？?！!；;\s]+", t) if c][-1:] or [""]
    if re.search(_OTHER_QUESTION, last[0]) and not re.search(_ASK, last[0]):
        return False  # "……听说可以去见习，见习期一般多久啊": the last clause asks something else
    if re.search(_ASK, t):
        return True
    # A life story around another question ("刚毕业 见习期一般多长", "单位不跟我签见习协议 正常吗"): that question.
    return not re.search(_OTHER_QUESTION, t) and bool(re.search(_STATUS, t) or "见习" in t)


def eligibility_answer(text: str, user_region: str | None, today: date) -> Answer | None:
    if not is_eligibility_question(text, today):
        return None
    t = normalise(text)
    found = places_in(t, _ORIGIN_AFTER)
    if len(found) > 1:
        # "去北京见习 我是河南生源在郑州上的学": the place the internship is in.
        from knowledge.answer import default_answerer

        target = default_answerer().target_place(t, found)
        found = [target] if target is not None else found
    if len(found) > 1:
        names = "、".join(d.full_name for d in found[:6])
        return Answer(f"您说的地方对应多个地区：{names}。请告诉我具体是哪一个。", "clarify", confidence=0.3)
    region_code = found[0].code if found else user_region
    a = parse_applicant(t, today)
    if region_code is None and (a.beijing_origin is not None or a.beijing_hukou is not None):
        region_code = "11" if re.search(r"北京|本市|京籍", t) else None
    result = check(a, region_code, today)
    if result is None:
        return None
    e = result.entry
    if result.fallback and region_code:
        d = divisions().get(region_code)
        place = d.full_name if d else "您所在地区"
        head = f"【{place}·见习资格】我这里没有收录当地的见习文件，以下按全国规定，具体以当地人社部门规定为准。"
    else:
        head = f"【{REGION_NAMES[e.region]}·见习资格】"
    lines = [head, f"结论：{result.verdict}。" + "；".join(result.reasons) + "。"]
    if result.notes:
        lines.append("；".join(result.notes) + "。")
    lines.append(f"规定：{e.answer}")
    if result.verdict != "可以参加":
        lines.append("最终以当地人社部门审核为准。")
    lines.append("依据：" + _cite(e))
    body = _fit(lines)
    sources = [{"doc": s.doc, "section": s.section} for s in e.sources()]
    confidence = {"可以参加": 0.85, "不符合": 0.8, "需当地核实": 0.6}[result.verdict]
    context = {"entry_id": e.id, "topic": "eligibility", "region_code": region_code, "verdict": result.verdict}
    return Answer(body, "calculation", sources, confidence, e.id, e.region, context)


def _cite(e: Entry) -> str:
    by_doc: dict[str, list[str]] = {}
    for s in e.sources():
        sections = by_doc.setdefault(s.doc, [])
        if s.section not in sections:
            sections.append(s.section)
    return "；".join(f"{doc} {'、'.join(sections)}" for doc, sections in by_doc.items())


def _fit(lines: list[str], limit: int = 600) -> str:
    """Drop the quoted rule (the line starting 规定：) when the answer would be too long."""
    body = "\n".join(lines)
    if len(body) <= limit:
        return body
    return "\n".join(x for x in lines if not x.startswith("规定："))[:limit]
