"""Policy answers: a question in, a short answer for the user's region with its source out.

Interface (stable; the chat handler, ``POST /api/v1/ask``, ``jianxi ask`` and the evaluation use it):

    answerer = PolicyAnswerer()
    a = answerer.ask("河南见习补贴多少", user_region="410105", context=None, today=date.today())
    a.kind        # "answer" | "clarify" (您是想问……, numbered options) | "unknown" (with the contact) | "calculation"
    a.text        # what the user reads (answers ≤ about 300 characters plus the 依据 line)
    a.sources     # [{"doc": 文号, "section": ...}]
    a.confidence  # 0..1
    a.context     # pass back on the next question for follow-ups ("那北京呢？", "详细", "2")

How it works: the question is normalised (full-width, synonyms and slips from ``lexicon.yaml``), the
place it names is resolved through the division table (else the user's stored region), and every entry
is scored against what is left (fuzzy match to the entry's sample questions, weighted term overlap,
keywords). The best entry's topic is then answered with the entry of the user's region, or the national
rule with "具体以当地人社部门规定为准" where the region's notice is silent. Two thresholds decide between
answering, "您是想问……", and "I don't know" with the region's contact.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jieba
import yaml
from rapidfuzz import fuzz

from knowledge.divisions import Division, Divisions, divisions
from knowledge.schema import REGION_NAMES, Entry, load_entries

jieba.setLogLevel(logging.WARNING)
AnswerKind = Literal["answer", "clarify", "unknown", "calculation"]
LEXICON = Path(__file__).parent / "lexicon.yaml"
ANSWER_AT = 0.50  # at or above: answer
CLARIFY_AT = 0.34  # between: "您是想问……" with the top choices
WEAK_ANSWER_AT = 0.70  # a question with only everyday words (社保, 单位) must match this well
FALLBACK_NOTE = "具体以当地人社部门规定为准"
_STOP = set("的 了 吗 呢 啊 呀 吧 么 嘛 哦 是 在 我 我们 你 你们 他 她 它 这 那 这个 那个 请问 一下 想 问 问下 "
            "知道 有 有没有 和 与 及 或 还 也 都 就 要 会 能 得 地 个 么 多少 什么 怎么 如何 哪些 哪 谁 几 吗 "
            "? ？ ， , 。 . ! ！ 、 ~ 呗 咱 咱们 俺 他们 现在 今年 这边 那边 这里 那里".split())


@dataclass
class Answer:
    text: str
    kind: AnswerKind
    sources: list[dict[str, str]] = field(default_factory=list)
    confidence: float = 0.0
    entry_id: str | None = None
    region: str | None = None  # the knowledge region used: "national", "41", "4301" ...
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float


def knowledge_region(code: str | None) -> str:
    """The knowledge region that speaks for a division code: 长沙市 (4301…), a province, or national."""
    if not code:
        return "national"
    if code.startswith("4301"):
        return "4301"
    return code[:2] if code[:2] in REGION_NAMES else "national"


class PolicyAnswerer:
    def __init__(self, entries: list[Entry] | None = None, places: Divisions | None = None) -> None:
        self.entries = entries if entries is not None else load_entries()
        self.by_id = {e.id: e for e in self.entries}
        self.places = places or divisions()
        with LEXICON.open(encoding="utf-8") as f:
            lex = yaml.safe_load(f)
        self.synonyms: dict[str, str] = {str(k).lower(): str(v) for k, v in lex["synonyms"].items()}
        self._synonym_re = re.compile("|".join(re.escape(k) for k in sorted(self.synonyms, key=len, reverse=True)))
        self.strong_terms: list[str] = lex["strong_terms"]
        self.weak_terms: list[str] = lex["weak_terms"]
        self.tokenizer = jieba.Tokenizer()
        for w in lex["domain_words"]:
            self.tokenizer.add_word(w, freq=5000)
        for e in self.entries:
            for k in e.keywords:
                if 2 <= len(k) <= 8 and not re.search(r"\d", k):
                    self.tokenizer.add_word(self.normalise(k), freq=3000)
        self._build_index()

    # --- text ---------------------------------------------------------------------------------
    def normalise(self, text: str) -> str:
        t = unicodedata.normalize("NFKC", text).lower().strip()
        return self._synonym_re.sub(lambda m: self.synonyms[m.group(0)], t)

    def tokens(self, text: str) -> list[str]:
        return [w for w in self.tokenizer.lcut(text) if w.strip() and w not in _STOP]

    def _strip_places(self, text: str) -> tuple[str, list[Division]]:
        mentions = self.places.mentions(text)
        found = self.places.narrow(mentions)
        for m in reversed(mentions):  # mentions come left to right: cut from the end
            text = text[: m.start] + " " + text[m.end :]
        return text, found

    # --- index --------------------------------------------------------------------------------
    def _build_index(self) -> None:
        self.entry_questions: list[list[str]] = []
        self.entry_terms: list[Counter[str]] = []
        # Keywords as a query is matched against them: normalised once, here.
        self.entry_keywords: list[list[str]] = [
            [self.normalise(k) for k in e.keywords if len(k) >= 2] for e in self.entries]
        df: Counter[str] = Counter()
        for e in self.entries:
            q_tokens = [self.tokens(self._strip_places(self.normalise(q))[0]) for q in e.questions]
            self.entry_questions.append([" ".join(t) for t in q_tokens])
            terms: Counter[str] = Counter()
            for t in q_tokens:
                terms.update(t)
            for k in e.keywords:
                terms.update(self.tokens(self.normalise(k)))
            terms.update(self.tokens(self._strip_places(self.normalise(e.answer))[0]))
            self.entry_terms.append(terms)
            df.update(set(terms))
        n = len(self.entries)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self.default_idf = math.log(1 + n)

    def score(self, query: str) -> list[Scored]:
        q_tokens = self.tokens(query)
        if not q_tokens:
            return []
        q_joined = " ".join(q_tokens)
        q_weight = sum(self.idf.get(t, self.default_idf) for t in set(q_tokens))
        out = []
        for e, qs, terms, keywords in zip(self.entries, self.entry_questions, self.entry_terms,
                                          self.entry_keywords, strict=True):
            fuzzy = max((fuzz.token_set_ratio(q_joined, q) for q in qs), default=0) / 100
            overlap = sum(self.idf.get(t, self.default_idf) for t in set(q_tokens) if t in terms) / q_weight
            kw = sum(1 for k in keywords if k in query)
            out.append(Scored(e, 0.55 * fuzzy + 0.35 * overlap + 0.1 * min(1.0, kw / 2)))
        out.sort(key=lambda s: -s.score)
        return out

    def domain(self, text: str) -> Literal["strong", "weak", "none"]:
        if any(t in text for t in self.strong_terms):
            return "strong"
        return "weak" if any(t in text for t in self.weak_terms) else "none"

    # --- answering ------------------------------------------------------------------------------
    def ask(self, question: str, user_region: str | None = None, context: dict[str, Any] | None = None,
            today: date | None = None) -> Answer:
        context = dict(context or {})
        text = self.normalise(question)
        rest, places = self._strip_places(text)
        bare = re.sub(r"[\s，,。.？?！!、~]+", "", rest)

        if len(places) > 1:
            names = "、".join(d.full_name for d in places[:6])
            return Answer(f"您说的地方对应多个地区：{names}。请告诉我具体是哪一个，例如“{places[0].full_name}见习补贴”。",
                          "clarify", confidence=0.3, context={**context, "pending_question": question})
        place = places[0] if places else None
        region_code = place.code if place else user_region

        # Follow-ups: "详细", a number for "您是想问", "那北京呢？"
        if bare in ("详细", "详情", "原文", "具体", "展开") and context.get("entry_id") in self.by_id:
            return self._details(self.by_id[context["entry_id"]], context)
        if bare.isdigit() and context.get("options"):
            idx = int(bare) - 1
            if 0 <= idx < len(context["options"]):
                entry = self.by_id[context["options"][idx]]
                return self._answer_topic(entry, context.get("region_code") or region_code, 0.9, context)
        if place is not None and context.get("entry_id") in self.by_id and _is_follow_up(bare):
            return self._answer_topic(self.by_id[context["entry_id"]], place.code, 0.9, context)

        domain = self.domain(text)
        if domain == "none":
            return self._unknown(region_code, context, reason="scope")
        ranked = self.score(rest)
        if not ranked or ranked[0].score < CLARIFY_AT:
            return self._unknown(region_code, context, reason="scope" if domain == "weak" else "low")
        best = ranked[0]
        if domain == "weak" and best.score < WEAK_ANSWER_AT:
            # Only everyday words in common with the programme (社保, 单位 ...): no guessing.
            return self._unknown(region_code, context, reason="scope")
        if best.score >= ANSWER_AT:
            return self._answer_topic(best.entry, region_code, best.score, context, ranked)
        return self._clarify(ranked, region_code, context)

    def _answer_topic(self, entry: Entry, region_code: str | None, confidence: float, context: dict[str, Any],
                      ranked: list[Scored] | None = None) -> Answer:
        region = knowledge_region(region_code)
        scores = {s.entry.id: s.score for s in (ranked or [])}
        same_topic = [e for e in self.entries if e.topic == entry.topic]
        chosen: Entry | None = None
        if entry.region == region:
            chosen = entry
        else:
            mine = [e for e in same_topic if e.region == region]
            if mine:
                chosen = max(mine, key=lambda e: scores.get(e.id, 0.0))
            elif region != "national":
                national = [e for e in same_topic if e.region == "national"]
                if national:
                    chosen = max(national, key=lambda e: scores.get(e.id, 0.0))
            else:
                # No region given: answer with the national rule if there is one, else the best entry,
                # saying whose rule it is.
                national = [e for e in same_topic if e.region == "national"]
                chosen = max(national, key=lambda e: scores.get(e.id, 0.0)) if national else entry

        if chosen is None:
            return self._unknown(region_code, context, reason="silent", topic_entry=entry)
        # A region named or stored whose own notice is silent (or which has none here): the national rule.
        fallback = bool(region_code) and chosen.region == "national"
        label = REGION_NAMES[chosen.region] if chosen.region != "national" else "全国"
        lines = []
        if fallback:
            lines.append(f"{self._whose(region_code)}，以下为全国规定，{FALLBACK_NOTE}。")
        lines.append(f"【{label}】{chosen.answer}")
        lines.append(f"依据：{_cite(chosen)}")
        if chosen.details:
            lines.append("回复“详细”查看原文要点")
        new_context = {k: v for k, v in context.items() if k not in ("options", "pending_question")}
        new_context.update(entry_id=chosen.id, topic=chosen.topic, region_code=region_code)
        return Answer("\n".join(lines), "answer", _sources(chosen), round(min(confidence, 1.0), 3), chosen.id,
                      chosen.region, new_context)

    def _details(self, entry: Entry, context: dict[str, Any]) -> Answer:
        body = entry.details or entry.answer
        text = f"【原文要点】{body}\n依据：{_cite(entry)}"
        return Answer(text, "answer", _sources(entry), 0.95, entry.id, entry.region, context)

    def _clarify(self, ranked: list[Scored], region_code: str | None, context: dict[str, Any]) -> Answer:
        options: list[Entry] = []
        seen_topics: set[str] = set()
        for s in ranked:
            if s.score < CLARIFY_AT * 0.8 or len(options) == 3:
                break
            if s.entry.topic in seen_topics:
                continue
            seen_topics.add(s.entry.topic)
            options.append(s.entry)
        if len(options) == 1:
            return self._answer_topic(options[0], region_code, ranked[0].score, context, ranked)
        lines = ["您是想问："] + [f"{i}. {e.questions[0]}" for i, e in enumerate(options, 1)]
        lines.append("请回复序号；都不是的话，换个说法再问我。")
        new_context = {**context, "options": [e.id for e in options], "region_code": region_code}
        return Answer("\n".join(lines), "clarify", [], round(ranked[0].score, 3), None, None, new_context)

    def _unknown(self, region_code: str | None, context: dict[str, Any], reason: str = "low",
                 topic_entry: Entry | None = None) -> Answer:
        region = knowledge_region(region_code)
        contact = self.contact(region) if region != "national" else None
        if reason == "scope":
            head = "抱歉，这个问题不在就业见习政策的范围内，我回答不了。"
        elif reason == "silent" and topic_entry is not None:
            head = f"{self._whose(region_code)}，全国文件也没有统一规定，我不能替当地作答。"
        else:
            head = "抱歉，这个问题我在见习政策文件里没有找到确切答案，不敢乱说。"
        tail = f"\n建议咨询：{contact}" if contact else "\n建议咨询当地人社部门或公共就业服务机构。"
        context = {k: v for k, v in context.items() if k not in ("options",)}
        return Answer(head + tail, "unknown", [], 0.0, None, region, context)

    def _whose(self, region_code: str | None) -> str:
        """Who is silent: the region's notice, or (for a place without one here) the place itself."""
        region = knowledge_region(region_code)
        if region != "national":
            return f"{REGION_NAMES[region]}的见习通知对此没有单独规定"
        return f"我这里没有收录{_region_label(region_code, self.places)}的见习文件"

    def contact(self, region: str) -> str | None:
        """The first contact entry of a region (its 联系人 and 电话), shortened for a reply."""
        for e in self.entries:
            if e.region == region and e.topic == "contacts":
                text = e.answer
                return text if len(text) <= 160 else text[:157] + "…"
        return None


def _is_follow_up(bare: str) -> bool:
    """What is left of "那北京呢？" once the place is taken out: nothing much."""
    leftover = re.sub(r"(那|那么|呢|的|又|怎么样|如何|是|多少|情况|地区|这块|那边|咋样|什么|政策|规定)", "", bare)
    return len(leftover) <= 1


def _region_label(code: str | None, places: Divisions) -> str:
    if not code:
        return "您所在地区"
    d = places.get(code)
    return d.full_name if d else "您所在地区"


def _cite(e: Entry) -> str:
    parts = [f"{e.source.doc} {e.source.section}"]
    for s in e.more_sources[:1]:
        if s.doc != e.source.doc or s.section != e.source.section:
            parts.append(f"{s.doc} {s.section}" if s.doc != e.source.doc else s.section)
    return "；".join(parts)


def _sources(e: Entry) -> list[dict[str, str]]:
    out = [{"doc": e.source.doc, "section": e.source.section}]
    out += [{"doc": s.doc, "section": s.section} for s in e.more_sources]
    return out


@cache
def default_answerer() -> PolicyAnswerer:
    return PolicyAnswerer()
