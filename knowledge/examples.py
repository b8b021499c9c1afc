"""Labelled example questions the answerer learns from, beside the entries' own sample questions.

The dev splits of ``tests/data/policy_questions/`` are questions people wrote the way users ask, each
labelled with its topic (or as out of scope). The answerer adds them to its topics' sample questions, and
matches a question against the out-of-scope ones too: a question that is nearer to an out-of-scope example
than to any topic is answered "I don't know". They live in ``knowledge/data/examples.yaml``, built from the
dev splits by

    python -m knowledge.examples

so the engine never reads the test data at run time. Held-out splits are never taken. Each example keeps
the split it came from: the evaluation of a split leaves that split's examples out (``load_examples(
exclude={"dev5"})``), so a tuned split's figure is not the engine recognising its own questions.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: 10x faster

EXAMPLES_FILE = Path(__file__).parent / "data" / "examples.yaml"
OUT_OF_SCOPE = "out_of_scope"
# The splits examples are taken from: the ones tuned on. heldout, heldout3, heldout4 and independent never.
EXAMPLE_SPLITS: tuple[str, ...] = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev26", "dev27", "dev28", "dev29", "dev30", "dev31", "dev32", "dev33", "dev34")


@dataclass(frozen=True)
class Example:
    q: str
    topic: str  # a topic of knowledge.schema.TOPICS, or "out_of_scope"
    split: str


def build(splits: Iterable[str] = EXAMPLE_SPLITS) -> list[Example]:
    """Examples from the labelled splits: every answered question that is not a follow-up (those lean on
    their conversation), and every out-of-scope one. A question the engine (without examples) answers right
    is filed under the topic of the entry that answered it, since that is the topic that holds its facts;
    another under the topic its writer gave. Questions the notices are silent on are left out: they are
    about the programme, so neither a topic's example nor an out-of-scope one."""
    from knowledge.answer import PolicyAnswerer
    from knowledge.evaluate import SPLIT_FILES, evaluate
    from knowledge.schema import TOPICS

    answerer = PolicyAnswerer(examples=[])
    out: list[Example] = []
    seen: set[str] = set()
    for split in splits:
        if split not in SPLIT_FILES:
            continue
        for r in evaluate(split, answerer=answerer).results:
            q = r.question
            if q.follow_up_of or q.q in seen:
                continue
            if q.out_of_scope:
                if q.category != "out_of_scope":
                    continue
                topic = OUT_OF_SCOPE
            elif r.right and r.entry_id in answerer.by_id:
                topic = answerer.by_id[r.entry_id].topic
            elif q.topic in TOPICS:
                topic = q.topic
            else:
                continue
            seen.add(q.q)
            out.append(Example(q.q, topic, split))
    return out


@cache
def _load(path: Path) -> tuple[Example, ...]:
    if not path.exists():
        return ()
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or []  # noqa: S506 (a safe loader)
    return tuple(Example(str(x["q"]), str(x["topic"]), str(x["split"])) for x in raw)


def load_examples(exclude: Iterable[str] = (), path: Path = EXAMPLES_FILE) -> list[Example]:
    """The stored examples, without those of the splits in ``exclude``."""
    left_out = set(exclude)
    return [e for e in _load(path) if e.split not in left_out]


def write(examples: list[Example], path: Path = EXAMPLES_FILE) -> None:
    header = ("# Labelled example questions the policy answerer learns from (knowledge/examples.py).\n"
              "# Built from the dev splits of tests/data/policy_questions/ by `python -m knowledge.examples`;\n"
              "# do not edit by hand: correct the split and build again. Held-out splits are never taken.\n")
    body = yaml.safe_dump([{"q": e.q, "topic": e.topic, "split": e.split} for e in examples],
                          allow_unicode=True, sort_keys=False, width=200)
    path.write_text(header + body, encoding="utf-8")
    _load.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.examples", description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", nargs="*", default=list(EXAMPLE_SPLITS))
    args = parser.parse_args(argv)
    examples = build(args.splits)
    write(examples)
    by_split: dict[str, int] = {}
    for e in examples:
        by_split[e.split] = by_split.get(e.split, 0) + 1
    oos = sum(e.topic == OUT_OF_SCOPE for e in examples)
    print(f"{len(examples)} examples ({oos} out of scope) from {by_split} -> {EXAMPLES_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
