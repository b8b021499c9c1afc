"""Route a message to an intent with jieba and rapidfuzz over the tables in ``intents.yaml``."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba
import yaml
from rapidfuzz import fuzz, process

TABLE = Path(__file__).parent / "intents.yaml"
# A pattern is written for its intent and beats any keyword ("见习岗位补贴多少" is policy.ask, not 见习岗位's search).
PATTERN_SCORE = 0.96
_PUNCT = re.compile(r"[\s\u3000,.!?;:'\"()\[\]{}<>~`@#$%^&*_+=|\\/，。！？；：“”‘’（）【】《》、…·—-]+")
jieba.setLogLevel(logging.WARNING)


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def bare(text: str) -> str:
    """Without spaces and punctuation: how commands are compared."""
    return _PUNCT.sub("", normalise(text))


@dataclass(frozen=True)
class IntentMatch:
    name: str
    score: float
    via: str  # command / menu / pattern / keyword / fuzzy / example


@dataclass
class IntentSpec:
    name: str
    keywords: list[str] = field(default_factory=list)
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


class IntentClassifier:
    def __init__(self, table: dict, threshold: float = 0.45) -> None:
        self.commands: dict[str, str] = {bare(k): v for k, v in (table.get("commands") or {}).items()}
        self.menu: dict[str, str] = dict(table.get("menu") or {})
        self.threshold = threshold
        self.tokenizer = jieba.Tokenizer()
        self.specs: list[IntentSpec] = []
        for name, spec in (table.get("intents") or {}).items():
            keywords = [normalise(k) for k in spec.get("keywords", [])]
            for k in keywords:
                self.tokenizer.add_word(k, freq=2000)
            self.specs.append(IntentSpec(
                name=name,
                keywords=keywords,
                patterns=[re.compile(p) for p in spec.get("patterns", [])],
                examples=[normalise(e) for e in spec.get("examples", [])],
            ))
        self._examples = [(self.tokens_joined(e), s.name) for s in self.specs for e in s.examples]

    def add_words(self, words: list[str]) -> None:
        for w in words:
            self.tokenizer.add_word(w, freq=2000)

    def tokens(self, text: str) -> list[str]:
        return [t for t in self.tokenizer.lcut(normalise(text)) if not _PUNCT.fullmatch(t)]

    def tokens_joined(self, text: str) -> str:
        return " ".join(self.tokens(text))

    def command(self, text: str) -> str | None:
        return self.commands.get(bare(text))

    def menu_intent(self, key: str | None) -> str | None:
        """The intent of a CLICK key; a key with an argument (``APPLY:GZ-KJ-01``) routes by its name."""
        key = key or ""
        return self.menu.get(key) or (self.menu.get(key.split(":", 1)[0]) if ":" in key else None)

    def classify(self, text: str) -> IntentMatch | None:
        """The best intent for a free-text message, or None below the threshold."""
        cmd = self.command(text)
        if cmd:
            return IntentMatch(cmd, 1.0, "command")
        norm = normalise(text)
        if not norm:
            return None
        best: IntentMatch | None = None

        def consider(m: IntentMatch) -> None:
            nonlocal best
            if best is None or m.score > best.score:
                best = m

        for spec in self.specs:
            for p in spec.patterns:
                if p.search(norm):
                    consider(IntentMatch(spec.name, PATTERN_SCORE, "pattern"))
            for k in spec.keywords:
                if k in norm:
                    # A keyword that is most of the message is a strong signal; in a long one, weaker.
                    coverage = len(k) / max(len(bare(norm)), 1)
                    # Among keywords that both cover the message, the longer wins (发布岗位 over 岗位).
                    consider(IntentMatch(spec.name, 0.6 + 0.35 * min(1.0, coverage * 2) + 0.001 * len(k), "keyword"))
                elif len(k) >= 3 and fuzz.partial_ratio(k, norm) >= 85:
                    consider(IntentMatch(spec.name, 0.5, "fuzzy"))
        if self._examples:
            found = process.extractOne(self.tokens_joined(norm), [e for e, _ in self._examples],
                                       scorer=fuzz.token_set_ratio, score_cutoff=70)
            if found:
                consider(IntentMatch(self._examples[found[2]][1], found[1] / 100 * 0.9, "example"))
        if best is not None and best.score >= self.threshold:
            return best
        return None


def load_table(path: Path = TABLE) -> dict:
    with path.open(encoding="utf-8") as f:
        table = yaml.safe_load(f)
    if not isinstance(table, dict) or "intents" not in table:
        raise ValueError(f"{path}: 缺少 intents 表")
    return table


@lru_cache(maxsize=1)
def load_classifier() -> IntentClassifier:
    return IntentClassifier(load_table())
