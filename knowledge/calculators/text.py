"""Small text helpers shared by the calculators: normalising a message and reading Chinese numbers."""

from __future__ import annotations

import re
import unicodedata

from knowledge.divisions import Division, divisions

# Slips and colloquial words that matter to the calculators (the retrieval lexicon rewrites too much:
# "几个月" → "多长时间" would hide a number of months).
_REPLACE = [("补助", "补贴"), ("补帖", "补贴"), ("津贴", "补贴"), ("实习", "见习"), ("建习", "见习"), ("见席", "见习"), ("剑习", "见习"), ("件习", "见习"),
            ("流用", "留用"), ("刘用", "留用"), ("留任", "留用"), ("转正", "留用")]
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM_BODY = r"\d+|[零〇一二两俩三四五六七八九十百千]+"
NUM = rf"({_NUM_BODY})"


def num(name: str) -> str:
    """A number as a named group."""
    return rf"(?P<{name}>{_NUM_BODY})"


def normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().lower()
    for a, b in _REPLACE:
        t = t.replace(a, b)
    return t


def number(s: str) -> int | None:
    """'23' → 23; '二十三' → 23; '十' → 10; '两' → 2; '一百零五' → 105; else None."""
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def places_in(text: str, skip_before: str | None = None) -> list[Division]:
    """The places a message names; with ``skip_before`` (a regex), mentions followed by it are ignored
    (北京 in "北京生源" names where someone comes from, not where they are)."""
    d = divisions()
    if skip_before:
        kept = text
        for m in sorted(d.mentions(text), key=lambda m: -m.start):
            if re.match(skip_before, text[m.end:]):
                kept = kept[: m.start] + "　" * (m.end - m.start) + kept[m.end:]
        text = kept
    return d.resolve(text)
