"""What is computed once per position at import time, so that boot never re-tokenises the catalogue.

``major_codes`` is a space-separated list of catalogue codes: the digits of a named major's code
(``080901``; the catalogue's T/K markers dropped, so ``080910T`` is stored as ``080910`` and the few
seven-digit language codes keep their seven digits), a 4-digit code (``0809``) for a whole 专业类
(``计算机类``, ``计算机相关专业``); an empty string means 专业不限.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.majors import majors

_SPLIT = re.compile(r"[、，,;；/\s]+")
_NO_LIMIT = {"", "不限", "专业不限", "无", "无要求", "不限专业", "无限制", "专业不限制"}
_FILLER = re.compile(r"(等相关专业|相关专业|等专业|专业|相关|等)$")
# "计算机相关专业", "电子信息类相关": the whole 专业类 when the stem names one.
_BROAD = re.compile(r"(类相关专业|类相关|相关专业|相关|类专业|类)$")


def code_digits(code: str) -> str:
    """A catalogue code without its T/K markers: ``080910T`` → ``080910``."""
    return code.rstrip("TKtk")


def _parts(text: str) -> list[tuple[str, bool]]:
    """(name, broad) for each major a catalogue cell names; broad when it says 相关/类."""
    text = text.strip()
    if text in _NO_LIMIT:
        return []
    out: list[tuple[str, bool]] = []
    for part in _SPLIT.split(text):
        part = part.strip()
        broad = bool(_BROAD.search(part.removesuffix("等")))
        name = _FILLER.sub("", part)
        name = _FILLER.sub("", name)  # "等相关" after "专业"
        if name and name not in _NO_LIMIT:
            out.append((name, broad))
    return out


def split_majors(text: str) -> list[str]:
    """The majors a catalogue cell names, in order; [] when it says 不限."""
    return [name for name, _ in _parts(text)]


@lru_cache(maxsize=1)
def _groups() -> dict[str, str]:
    """专业类 name → its 4-digit code."""
    out: dict[str, str] = {}
    for m in majors().by_name.values():
        out.setdefault(m.group, m.code[:4])
    return out


def group_code(name: str) -> str | None:
    """The 4-digit code of a 专业类 named in full or by its stem: 计算机类, 计算机, 金融类 (金融学类)."""
    groups = _groups()
    stem = name.removesuffix("类")
    for candidate in (stem + "类", stem + "学类"):
        if candidate in groups:
            return groups[candidate]
    return None


@lru_cache(maxsize=65536)
def major_code(name: str, broad: bool = False) -> str | None:
    """The catalogue code for one named major or 专业类, or None when the catalogue does not know it.

    ``broad``: the cell said "X相关专业" / "X类", so a 专业类 named X wins over a major named X.
    """
    cat = majors()
    name = name.strip()
    if name.endswith("类") or broad:
        group = group_code(name)
        if group:
            return group
    if name in cat.by_name:
        return code_digits(cat.by_name[name].code)
    if name + "学" in cat.by_name:  # 审计 → 审计学
        return code_digits(cat.by_name[name + "学"].code)
    m = cat.match(name)
    return code_digits(m.code) if m else None


def major_codes(text: str) -> str:
    codes: list[str] = []
    for name, broad in _parts(text):
        code = major_code(name, broad)
        if code and code not in codes:
            codes.append(code)
    return " ".join(codes)


@lru_cache(maxsize=65536)
def title_tokens(title: str) -> str:
    import jieba

    return " ".join(t for t in jieba.lcut(title) if t.strip())
