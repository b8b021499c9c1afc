"""Evaluate the policy answerer against the labelled questions in ``tests/data/policy_questions/``.

    python -m knowledge.evaluate [--split dev|heldout|all] [--show-errors]

Every question is asked with ``today=2026-11-22`` (the date the set was written against); a follow-up
(``follow_up_of``) is asked with the context its previous question returned. A question is right when:

* the kind matches: an expected "answer" also accepts "calculation" and vice versa (the facts below must
  still hold); "clarify" is never right; an out-of-scope question (expected "unknown") is right only when
  the answerer says "unknown", whatever the text;
* every ``must`` fact is in the text (an item that is a list: any one of it), and no ``must_not`` string is;
* the text is at most 600 characters;
* ``source_doc`` (a 文号, or a list of acceptable ones) is among the answer's sources, when given.

Text is compared after NFKC normalisation with all whitespace removed, so "月后 3 日内" matches "月后3日内".
``evaluate(split)`` returns a :class:`Report` for tests; the command prints it (``rich`` tables on a terminal).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "policy_questions"
SPLIT_FILES: dict[str, str] = {"dev": "dev.yaml", "dev2": "dev2.yaml", "dev3": "dev3.yaml", "dev4": "dev4.yaml", "dev5": "dev5.yaml",
                               "dev6": "dev6.yaml", "dev7": "dev7.yaml", "dev8": "dev8.yaml", "dev9": "dev9.yaml", "dev10": "dev10.yaml", "dev11": "dev11.yaml", "dev12": "dev12.yaml", "dev13": "dev13.yaml", "dev14": "dev14.yaml", "dev15": "dev15.yaml", "dev16": "dev16.yaml", "dev17": "dev17.yaml", "dev18": "dev18.yaml", "dev19": "dev19.yaml", "dev20": "dev20.yaml", "dev21": "dev21.yaml", "dev22": "dev22.yaml", "dev23": "dev23.yaml", "dev24": "dev24.yaml", "dev25": "dev25.yaml", "dev26": "dev26.yaml", "dev27": "dev27.yaml", "dev28": "dev28.yaml", "dev29": "dev29.yaml", "dev30": "dev30.yaml", "dev31": "dev31.yaml", "dev32": "dev32.yaml", "dev33": "dev33.yaml", "dev34": "dev34.yaml", "heldout": "heldout.yaml", "heldout3": "heldout3.yaml", "heldout4": "heldout4.yaml", "heldout5": "heldout5.yaml", "heldout6": "heldout6.yaml", "heldout7": "heldout7.yaml", "heldout8": "heldout8.yaml", "heldout9": "heldout9.yaml", "heldout11": "heldout11.yaml", "heldout12": "heldout12.yaml", "heldout13": "heldout13.yaml", "heldout14": "heldout14.yaml", "heldout15": "heldout15.yaml", "heldout16": "heldout16.yaml", "heldout17": "heldout17.yaml", "heldout18": "heldout18.yaml", "heldout19": "heldout19.yaml", "heldout20": "heldout20.yaml", "heldout21": "heldout21.yaml", "heldout22": "heldout22.yaml", "heldout23": "heldout23.yaml", "heldout24": "heldout24.yaml", "independent": "independent.yaml"}
TODAY = date(2026, 11, 22)
MAX_CHARS = 600
POLICY_KINDS = frozenset({"answer", "calculation"})
KINDS = frozenset({"answer", "calculation", "unknown"})
OUT_OF_SCOPE = "unknown"  # the expected kind of an out-of-scope (or notice-silent) question


# ---------------------------------------------------------------------------------------------
# The labelled set


@dataclass(frozen=True)
class Question:
    id: str
    q: str
    user_region: str | None
    kind: str
    region: str | None
    topic: str
    must: tuple[tuple[str, ...], ...]  # each fact: its acceptable spellings
    must_not: tuple[str, ...] = ()
    source_docs: tuple[str, ...] = ()  # acceptable 文号 (any one)
    follow_up_of: str | None = None
    category: str | None = None
    calc: dict[str, Any] | None = None
    split: str = ""

    @property
    def out_of_scope(self) -> bool:
        return self.kind == OUT_OF_SCOPE


class DatasetError(ValueError):
    """The labelled set is malformed; the message names the file and the item."""


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _question(raw: dict[str, Any], split: str, where: str) -> Question:
    try:
        must = tuple(_as_tuple(m) for m in raw.get("must") or [])
        ur = raw.get("user_region")
        region = raw.get("region")
        q = Question(
            id=str(raw["id"]),
            q=str(raw["q"]),
            user_region=None if ur is None else str(ur),
            kind=str(raw["kind"]),
            region=None if region is None else str(region),
            topic=str(raw["topic"]),
            must=must,
            must_not=_as_tuple(raw.get("must_not")),
            source_docs=_as_tuple(raw.get("source_doc")),
            follow_up_of=raw.get("follow_up_of"),
            category=raw.get("category"),
            calc=raw.get("calc"),
            split=split,
        )
    except (KeyError, TypeError) as exc:
        raise DatasetError(f"{where}: item {raw.get('id', '?') if isinstance(raw, dict) else raw!r}: {exc!r}") from exc
    if q.kind not in KINDS:
        raise DatasetError(f"{where}: {q.id}: kind {q.kind!r} is not one of {sorted(KINDS)}")
    return q


def load_questions(split: str = "all", data_dir: Path = DATA_DIR) -> list[Question]:
    """The labelled questions of one split ("dev", "heldout") or of both ("all"), in file order."""
    names = list(SPLIT_FILES) if split == "all" else [split]
    out: list[Question] = []
    for name in names:
        if name not in SPLIT_FILES:
            raise DatasetError(f"unknown split {name!r}; expected dev, heldout or all")
        path = data_dir / SPLIT_FILES[name]
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, list):
            raise DatasetError(f"{path.name}: must be a list of questions")
        out.extend(_question(item, name, path.name) for item in raw)
    seen: set[str] = set()
    for q in out:
        if q.id in seen:
            raise DatasetError(f"duplicate id {q.id}")
        if q.follow_up_of is not None and q.follow_up_of not in seen:
            raise DatasetError(f"{q.id}: follow_up_of {q.follow_up_of} is not an earlier question of the set")
        seen.add(q.id)
    return out


# ---------------------------------------------------------------------------------------------
# Grading


def squash(text: str) -> str:
    """NFKC, without any whitespace: the form facts are compared in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _source_docs(sources: Iterable[Any]) -> set[str]:
    docs: set[str] = set()
    for s in sources or []:
        if isinstance(s, dict):
            for key in ("doc", "via"):
                if s.get(key):
                    docs.add(squash(str(s[key])))
        else:  # a Source-like object
            for key in ("doc", "via"):
                v = getattr(s, key, None)
                if v:
                    docs.add(squash(str(v)))
    return docs


def grade(question: Question, kind: str, text: str, sources: Iterable[Any]) -> list[str]:
    """Why the answer is wrong (empty when it is right)."""
    if question.out_of_scope:
        return [] if kind == OUT_OF_SCOPE else [f"out of scope, got kind {kind!r}"]
    reasons: list[str] = []
    if kind != question.kind and not (kind in POLICY_KINDS and question.kind in POLICY_KINDS):
        reasons.append(f"kind {kind!r}, expected {question.kind!r}")
    body = squash(text)
    for fact in question.must:
        if not any(squash(alt) in body for alt in fact):
            reasons.append("missing " + (fact[0] if len(fact) == 1 else "one of " + "/".join(fact)))
    for bad in question.must_not:
        if squash(bad) in body:
            reasons.append(f"must not say {bad}")
    if len(text or "") > MAX_CHARS:
        reasons.append(f"{len(text)} characters > {MAX_CHARS}")
    if question.source_docs:
        got = _source_docs(sources)
        if not any(squash(d) in got for d in question.source_docs):
            reasons.append(f"source {'/'.join(question.source_docs)} not cited (got {sorted(got) or 'none'})")
    return reasons


@dataclass
class Result:
    question: Question
    kind: str
    text: str
    sources: list[dict[str, str]]
    entry_id: str | None
    region: str | None
    confidence: float
    reasons: list[str]

    @property
    def right(self) -> bool:
        return not self.reasons


@dataclass
class Score:
    right: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += int(ok)

    def __str__(self) -> str:
        return f"{self.right}/{self.total} ({self.accuracy:.1%})"


@dataclass
class Report:
    split: str
    total: int
    right: int
    by_split: dict[str, Score]
    by_topic: dict[str, Score]
    by_kind: dict[str, Score]  # by expected kind
    by_region: dict[str, Score]  # by expected region ("-" for out of scope)
    out_of_scope_total: int
    out_of_scope_unknown: int  # said "unknown": right
    out_of_scope_answered: int  # got a policy answer ("answer" / "calculation"): the worst failure
    mean_length: float  # characters, over every answer given
    mean_length_policy: float  # characters, over the "answer" / "calculation" ones
    failures: list[Result]
    results: list[Result] = field(repr=False, default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def idk_rate(self) -> float:
        """Share of out-of-scope questions answered "unknown" (higher is better)."""
        return self.out_of_scope_unknown / self.out_of_scope_total if self.out_of_scope_total else 0.0

    def confusions(self) -> list[tuple[str, str, str, str]]:
        """(question id, expected topic/region, got entry id/region, reasons) for every wrong answer."""
        out = []
        for r in self.failures:
            q = r.question
            expected = f"{q.topic}/{q.region or '-'}" + (f" [{q.category}]" if q.category else "")
            got = f"{r.entry_id or '-'}/{r.region or '-'} ({r.kind})"
            out.append((q.id, expected, got, "; ".join(r.reasons)))
        return out

    def confusion_counts(self) -> Counter[tuple[str, str]]:
        return Counter((exp, got) for _, exp, got, _ in self.confusions())


def _ask(answerer: Any, q: Question, context: dict[str, Any] | None, today: date) -> Any:
    """What a user gets: the calculators first (as in chat and at /api/v1/ask), then retrieval."""
    if getattr(answerer, "use_calculators", True):
        from knowledge.calculators import calculate

        calculated = calculate(q.q, q.user_region, today, context)
        if calculated is not None:
            return calculated
    return answerer.ask(q.q, user_region=q.user_region, context=context, today=today)


def evaluate(split: str = "all", answerer: Any = None, today: date = TODAY,
             questions: list[Question] | None = None) -> Report:
    """Ask every question of ``split`` and grade the answers."""
    if answerer is None and questions is None and split == "all":
        # Each split by an engine that has not learnt from it (knowledge/examples.py). The splits no example
        # comes from (the held-out ones) leave nothing out, so they share one engine: built once, not 20 times.
        from knowledge.answer import PolicyAnswerer
        from knowledge.examples import load_examples

        everything = load_examples()
        learnt_from = {e.split for e in everything}
        shared = PolicyAnswerer(examples=everything)
        results = [r for name in SPLIT_FILES
                   for r in evaluate(name, answerer=None if name in learnt_from else shared, today=today).results]
        return _report(split, results)
    if questions is None:
        questions = load_questions(split)
    if answerer is None:
        from knowledge.answer import PolicyAnswerer  # the engine; imported late so the set loads without it
        from knowledge.examples import load_examples

        # The split's own questions are not among the examples the engine learns from.
        answerer = PolicyAnswerer(examples=load_examples(exclude={split, *(q.split for q in questions)}))
    by_id = {q.id: q for q in questions}
    contexts: dict[str, dict[str, Any]] = {}
    results: list[Result] = []
    for q in questions:
        context = None
        if q.follow_up_of:
            if q.follow_up_of not in contexts:  # the previous question was not asked in this run
                prev = by_id[q.follow_up_of]
                try:
                    contexts[prev.id] = dict(_ask(answerer, prev, None, today).context or {})
                except Exception:  # noqa: BLE001 — graded on the follow-up itself
                    contexts[prev.id] = {}
            context = contexts[q.follow_up_of]
        try:
            a = _ask(answerer, q, context, today)
        except Exception as exc:  # noqa: BLE001 — an engine crash is a wrong answer, not a crashed evaluation
            results.append(Result(q, "error", "", [], None, None, 0.0, [f"error: {exc!r}"]))
            contexts[q.id] = {}
            continue
        contexts[q.id] = dict(getattr(a, "context", None) or {})
        sources = list(getattr(a, "sources", None) or [])
        text = getattr(a, "text", "") or ""
        kind = str(getattr(a, "kind", ""))
        results.append(Result(
            question=q, kind=kind, text=text, sources=sources,
            entry_id=getattr(a, "entry_id", None), region=getattr(a, "region", None),
            confidence=float(getattr(a, "confidence", 0.0) or 0.0),
            reasons=grade(q, kind, text, sources),
        ))
    return _report(split, results)


def _report(split: str, results: list[Result]) -> Report:
    by_split: dict[str, Score] = defaultdict(Score)
    by_topic: dict[str, Score] = defaultdict(Score)
    by_kind: dict[str, Score] = defaultdict(Score)
    by_region: dict[str, Score] = defaultdict(Score)
    oos_total = oos_unknown = oos_answered = 0
    for r in results:
        q = r.question
        by_split[q.split].add(r.right)
        by_topic[q.topic].add(r.right)
        by_kind[q.kind].add(r.right)
        by_region[q.region or "-"].add(r.right)
        if q.out_of_scope:
            oos_total += 1
            oos_unknown += r.kind == OUT_OF_SCOPE
            oos_answered += r.kind in POLICY_KINDS
    given = [len(r.text) for r in results if r.kind != "error"]
    policy = [len(r.text) for r in results if r.kind in POLICY_KINDS]
    return Report(
        split=split,
        total=len(results),
        right=sum(r.right for r in results),
        by_split=dict(sorted(by_split.items())),
        by_topic=dict(sorted(by_topic.items())),
        by_kind=dict(sorted(by_kind.items())),
        by_region=dict(sorted(by_region.items())),
        out_of_scope_total=oos_total,
        out_of_scope_unknown=oos_unknown,
        out_of_scope_answered=oos_answered,
        mean_length=sum(given) / len(given) if given else 0.0,
        mean_length_policy=sum(policy) / len(policy) if policy else 0.0,
        failures=[r for r in results if not r.right],
        results=results,
    )


# ---------------------------------------------------------------------------------------------
# Printing


def _tables(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    summary = [
        ["questions", str(report.total)],
        ["accuracy", f"{report.right}/{report.total} ({report.accuracy:.1%})"],
        *[[f"accuracy {name}", str(score)] for name, score in report.by_split.items()],
        ["out of scope: said \"unknown\"",
         f"{report.out_of_scope_unknown}/{report.out_of_scope_total} ({report.idk_rate:.1%})"],
        ["out of scope: got a policy answer", str(report.out_of_scope_answered)],
        ["mean answer length (chars)", f"{report.mean_length:.0f}"],
        ["mean policy answer length (chars)", f"{report.mean_length_policy:.0f}"],
    ]

    def rows(scores: dict[str, Score]) -> list[list[str]]:
        return [[k, str(s.right), str(s.total), f"{s.accuracy:.1%}"] for k, s in scores.items()]

    head = ["", "right", "total", "accuracy"]
    tables = [
        (f"Policy answers — split {report.split}", ["figure", "value"], summary),
        ("By expected kind", ["kind", *head[1:]], rows(report.by_kind)),
        ("By expected region", ["region", *head[1:]], rows(report.by_region)),
        ("By topic", ["topic", *head[1:]], rows(report.by_topic)),
    ]
    wrong = report.confusions()
    if wrong:
        tables.append(("Wrong answers: expected topic/region → got entry id/region (kind)",
                       ["id", "expected", "got"], [[i, e, g] for i, e, g, _ in wrong]))
        tables.append(("Confusions, counted", ["expected", "got", "n"],
                       [[e, g, str(n)] for (e, g), n in report.confusion_counts().most_common()]))
    return tables


def _errors(report: Report) -> list[str]:
    out = []
    for r in report.failures:
        q = r.question
        out.append(f"[{q.id}] {q.q}  (user_region={q.user_region}, expected {q.kind} {q.topic}/{q.region or '-'})")
        if q.follow_up_of:
            out.append(f"    follow-up of {q.follow_up_of}")
        out.append(f"    got {r.kind} {r.entry_id or '-'}/{r.region or '-'} conf={r.confidence:.2f}: "
                   + " ".join((r.text or "").split())[:300])
        out.append("    why: " + "; ".join(r.reasons))
    return out


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render(report: Report, show_errors: bool = False, rich: bool | None = None) -> None:
    use_rich = sys.stdout.isatty() if rich is None else rich
    if use_rich:
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:  # pragma: no cover - rich is a dependency
            use_rich = False
    if use_rich:
        console = Console()
        for title, columns, rows in _tables(report):
            table = Table(title=title)
            numeric = columns[1:] == ["right", "total", "accuracy"]
            for i, c in enumerate(columns):
                table.add_column(c, justify="right" if numeric and i else "left")
            for row in rows:
                table.add_row(*row)
            console.print(table)
        if show_errors and report.failures:
            console.rule("Errors")
            for line in _errors(report):
                console.print(line, markup=False, highlight=False)
        return
    for title, columns, rows in _tables(report):
        print(f"== {title}")
        widths = [max(_width(str(x)) for x in col) for col in zip(columns, *rows, strict=False)]
        for row in [columns, *rows]:
            print("  ".join(_pad(str(c), w) for c, w in zip(row, widths, strict=False)).rstrip())
        print()
    if show_errors and report.failures:
        print("== Errors")
        for line in _errors(report):
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=[*SPLIT_FILES, "all"], default="all")
    parser.add_argument("--show-errors", action="store_true", help="print every wrong answer and why")
    args = parser.parse_args(argv)
    report = evaluate(args.split)
    try:
        render(report, show_errors=args.show_errors)
    except BrokenPipeError:  # piped into head
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
