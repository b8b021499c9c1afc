"""Pure validate-and-normalise functions for form slots: ``(value, ctx) -> Ok | Retry``.

Each returns the normalised value, or a hint in Chinese that says what was wrong and how to answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.privacy import Vault
    from knowledge.divisions import Divisions
    from knowledge.majors import Majors


@dataclass(frozen=True)
class Ok:
    value: Any


@dataclass(frozen=True)
class Retry:
    hint: str


Result = Ok | Retry


@dataclass(frozen=True)
class FormContext:
    """What a validator may look at besides the value: nothing that changes the world."""

    today: date
    divisions: Divisions
    majors: Majors
    values: dict[str, Any] = field(default_factory=dict)
    # For slots that keep a personal number sealed (encrypted) even while a form is in progress.
    vault: Vault | None = None


_NAME = re.compile(r"^[\u4e00-\u9fa5]{2,10}([·•][\u4e00-\u9fa5]{1,10})*$|^[A-Za-z][A-Za-z .'-]{1,38}[A-Za-z]$")


def name(value: str, ctx: FormContext) -> Result:
    v = re.sub(r"\s+", " ", value.strip()).replace("•", "·")
    if re.search(r"\d", v):
        return Retry("姓名里不应有数字，请输入您的真实姓名，例如：张三。")
    if not _NAME.match(v):
        return Retry("请输入 2 至 20 个字的真实姓名（中文姓名或英文姓名），例如：张三、阿依古丽·买买提。")
    return Ok(v)


def mobile(value: str, ctx: FormContext) -> Result:
    digits = re.sub(r"[\s\-()（）]", "", value.strip())
    digits = re.sub(r"^(\+?86)", "", digits)
    if not digits.isdigit():
        return Retry("手机号只能包含数字，请输入 11 位手机号，例如：13812345678。")
    if len(digits) != 11:
        return Retry(f"手机号应为 11 位数字，您输入了 {len(digits)} 位，请核对后重新输入。")
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        return Retry("这不像是大陆手机号（应以 13～19 开头），请核对后重新输入。")
    return Ok(digits)


EDUCATION_LEVELS = ("中专", "大专", "本科", "硕士", "博士")
_EDU_ALIASES = {"中职": "中专", "技校": "中专", "职高": "中专", "专科": "大专", "高职": "大专", "大学": "本科",
                "学士": "本科", "本科生": "本科", "研究生": "硕士", "硕士研究生": "硕士", "博士研究生": "博士"}


def education(value: str, ctx: FormContext) -> Result:
    v = value.strip()
    if v.isdigit() and 1 <= int(v) <= len(EDUCATION_LEVELS):
        return Ok(EDUCATION_LEVELS[int(v) - 1])
    v = _EDU_ALIASES.get(v, v)
    for level in EDUCATION_LEVELS:
        if level in v:
            return Ok(level)
    return Retry("请从以下选项中选择学历（回复序号或名称）：" + "、".join(
        f"{i}. {x}" for i, x in enumerate(EDUCATION_LEVELS, 1)))


def school(value: str, ctx: FormContext) -> Result:
    v = value.strip()
    if not 2 <= len(v) <= 40 or not re.search(r"[\u4e00-\u9fa5A-Za-z]", v):
        return Retry("请输入毕业院校的全称，例如：郑州大学。")
    return Ok(v)


def major(value: str, ctx: FormContext) -> Result:
    v = value.strip()
    found = ctx.majors.match(v)
    if found:
        return Ok(found.name)
    if 2 <= len(v) <= 30 and re.search(r"[\u4e00-\u9fa5A-Za-z]", v) and not v.isdigit():
        return Ok(v)  # vocational majors are not in the undergraduate catalogue: keep what was typed
    return Retry("请输入所学专业的名称，例如：会计学、计算机科学与技术。")


_YM = re.compile(r"^(\d{2,4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|月份)?$")


def graduation(value: str, ctx: FormContext) -> Result:
    v = value.strip().replace(" ", "")
    m = _YM.match(v)
    if not m:
        if re.fullmatch(r"\d{4}年?", v):
            return Retry("请同时告诉我月份，例如：2024年6月 或 2024-06。")
        return Retry("请按“年-月”输入毕业时间，例如：2024年6月 或 2024-06。")
    year, month = int(m.group(1)), int(m.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        return Retry("月份应在 1 到 12 之间，请重新输入毕业时间，例如：2024-06。")
    if year < 1980:
        return Retry("毕业年份看起来不对，请重新输入，例如：2024-06。")
    if (year, month) > (ctx.today.year, ctx.today.month):
        return Retry(f"毕业时间不能晚于本月（{ctx.today.year}年{ctx.today.month}月）。"
                     "就业见习面向已离校的毕业生，请输入实际毕业（离校）时间。")
    sealed = ctx.values.get("id_number")
    birth = sealed.get("birth_date") if isinstance(sealed, dict) else None
    if birth and too_young_at_graduation(date.fromisoformat(birth), f"{year:04d}-{month:02d}"):
        return Retry(f"按您填写的身份证号，{year}年{month}月毕业时还不满 {MIN_AGE_AT_GRADUATION} 周岁，"
                     "请核对毕业时间（如身份证号填错，可回复“修改 身份证号”）。")
    return Ok(f"{year:04d}-{month:02d}")


MIN_AGE_AT_GRADUATION = 15  # no one leaves 中专 or a university younger


def too_young_at_graduation(birth: date, graduation: str) -> bool:
    """Whether someone born on ``birth`` would be under 15 in the graduation month (``YYYY-MM``)."""
    year, month = int(graduation[:4]), int(graduation[5:7])
    return (year - birth.year) * 12 + (month - birth.month) < MIN_AGE_AT_GRADUATION * 12


def region(value: str, ctx: FormContext) -> Result:
    found = ctx.divisions.resolve(value.strip())
    if not found:
        return Retry("没有找到这个地区，请输入省、市或区县的名称，例如：广州市天河区、郑州、北京市海淀区。")
    if len(found) > 1:
        names = "、".join(f"“{d.full_name}”" for d in found[:6])
        return Retry(f"“{value.strip()}”对应多个地区：{names}。请回复完整名称，例如：{found[0].full_name}。")
    d = found[0]
    return Ok({"code": d.code, "name": d.full_name})


# --- ID numbers (居民身份证号码, GB 11643-1999) --------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The 18th character (校验码) of an ID number from its first 17 digits: ISO 7064 MOD 11-2."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def age_on(birth: date, today: date) -> int:
    """Full years of age on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def id_number(value: str, ctx: FormContext) -> Result:
    """An 18-character ID number: normalised (half-width, upper-case X) with its birth date and age.

    ``Ok({"number": "41010520010503123X", "birth_date": "2001-05-03", "age": 25})``; never echoes the number
    back in a hint.
    """
    v = unicodedata.normalize("NFKC", value).strip().upper()
    v = re.sub(r"[\s\-]", "", v)
    if not re.fullmatch(r"[0-9X]*", v) or "X" in v[:-1]:
        return Retry("身份证号只能由数字组成，最后一位可以是 X，请核对后重新输入。")
    if len(v) != 18:
        if len(v) == 15:
            return Retry("这是 15 位的旧身份证号，请输入 18 位的居民身份证号码。")
        return Retry(f"身份证号应为 18 位，您输入了 {len(v)} 位，请核对后重新输入。")
    try:
        birth = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return Retry("身份证号第 7 至 14 位的出生日期不是有效日期，请核对后重新输入。")
    if birth > ctx.today or birth.year < 1900:
        return Retry("身份证号里的出生日期不对（晚于今天或过早），请核对后重新输入。")
    if id_check_char(v[:17]) != v[17]:
        return Retry("身份证号校验不通过，可能有数字输错了，请逐位核对后重新输入。")
    graduated = ctx.values.get("graduation")
    if isinstance(graduated, str) and re.fullmatch(r"\d{4}-\d{2}", graduated) and \
            too_young_at_graduation(birth, graduated):
        return Retry(f"身份证号里的出生日期（{birth.year}年）与毕业时间（{graduated[:4]}年{int(graduated[5:])}月）对不上："
                     f"毕业时应至少年满 {MIN_AGE_AT_GRADUATION} 周岁。请核对身份证号，或回复“修改 毕业时间”。")
    return Ok({"number": v, "birth_date": birth.isoformat(), "age": age_on(birth, ctx.today)})


_YES = {"1", "是", "是的", "对", "对的", "有", "嗯", "yes", "y", "同意", "好", "好的", "可以"}
_NO = {"2", "否", "不是", "不", "没有", "无", "no", "n", "不同意", "不行", "不可以"}


def yes_no(value: str, ctx: FormContext) -> Result:
    v = unicodedata.normalize("NFKC", value).strip().lower().rstrip("。.!！")
    if v in _YES:
        return Ok(True)
    if v in _NO:
        return Ok(False)
    return Retry("请回复“1”（是）或“2”（否）。")


# --- host units (见习单位申报) -----------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015): 18 characters from this alphabet (no I, O, Z, S, V); the 18th is a check
# character: 31 - (Σ value × weight mod 31), where 31 maps to 0.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code from its first 17."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code(value: str, ctx: FormContext) -> Result:
    v = unicodedata.normalize("NFKC", value).strip().replace(" ", "").upper()
    if len(v) != 18:
        return Retry(f"统一社会信用代码应为 18 位，您输入的是 {len(v)} 位。请对照营业执照重新输入。")
    wrong = sorted({c for c in v if c not in CREDIT_ALPHABET})
    if wrong:
        return Retry(f"统一社会信用代码里不会出现“{'、'.join(wrong)}”（不含字母 I、O、Z、S、V），请对照营业执照核对。")
    if credit_check_char(v[:17]) != v[17]:
        return Retry("统一社会信用代码校验不通过，可能有一位输错了，请对照营业执照重新输入。")
    return Ok(v)


def unit_name(value: str, ctx: FormContext) -> Result:
    v = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    if not 4 <= len(v) <= 60 or not re.search(r"[\u4e00-\u9fa5]", v):
        return Retry("请输入单位全称（与营业执照或登记证书一致），例如：广州天河明信会计师事务所。")
    return Ok(v)


def headcount(value: str, ctx: FormContext) -> Result:
    v = unicodedata.normalize("NFKC", value).strip().removesuffix("人").strip()
    if not v.isdigit():
        return Retry("请输入一个整数（人数），例如：45。")
    n = int(v)
    if not 1 <= n <= 1_000_000:
        return Retry("人数应在 1 到 1000000 之间，请核对后重新输入。")
    return Ok(n)


# 2019年3月, 2019-03, 2019-05-10, 2019/5/10, 2019年5月10日, 2019.5.10; and the digits alone: 201905, 20190510.
_REGISTERED = re.compile(r"^(\d{4})(?:年|[-./])(\d{1,2})(?:月?|(?:月|[-./])(\d{1,2})[日号]?)$")
_REGISTERED_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


def registered_on(value: str, ctx: FormContext) -> Result:
    """The date the unit was registered (成立日期, as on its licence): year and month at least."""
    v = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    m = _REGISTERED.match(v) or _REGISTERED_DIGITS.match(v)
    if not m:
        return Retry("请按营业执照上的成立日期输入年月，例如：2019年3月 或 2019-03-15。")
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        d = date(year, month, day)
    except ValueError:
        return Retry("这个日期不存在，请核对后重新输入，例如：2019-03-15。")
    if d > ctx.today:
        return Retry("成立日期不能晚于今天，请核对营业执照。")
    if year < 1949:
        return Retry("成立年份看起来不对，请核对营业执照。")
    return Ok(d.isoformat())
