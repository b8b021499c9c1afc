"""The policy knowledge base (knowledge/entries/*.yaml) against the notices it cites.

The notice texts are the verbatim copies in knowledge/entries/sources/<文号>.txt, so these tests need
nothing outside the repository.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from knowledge.schema import (
    ANSWER_MAX,
    DOC_REGION,
    ENTRIES_DIR,
    SOURCES_DIR,
    TOPICS,
    Entry,
    KnowledgeError,
    load_entries,
    source_text,
)

try:
    ENTRIES: list[Entry] = load_entries()
    LOAD_ERROR = ""
except KnowledgeError as exc:  # reported by test_entries_validate, not as a collection error
    ENTRIES, LOAD_ERROR = [], str(exc)

BY_ID = {e.id: e for e in ENTRIES}

# ---------------------------------------------------------------------------------------------
# Numbers as the notices write them: 3—12, 1.4万, 百分之七十, 两年, 十万, (0471) 6944009 ...

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_PERCENT_CN = re.compile(r"百分之([零〇一二两三四五六七八九十百千]+)")
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)(\s*万)?")


def cn_to_int(run: str) -> int:
    total = section = num = 0
    for ch in run:
        if ch in _CN_DIGIT:
            num = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (num or 1) * _CN_UNIT[ch]
            num = 0
        else:  # 万
            total = (total + section + num) * 10000
            section = num = 0
    return total + section + num


def _canon(d: Decimal) -> str:
    return format(d.normalize(), "f")


def numbers_in(text: str) -> set[str]:
    """Every number in ``text``, canonical ("020" → "20", "1.4万" → "1.4" and "14000")."""
    text = unicodedata.normalize("NFKC", text)
    text = _PERCENT_CN.sub(lambda m: f"{cn_to_int(m.group(1))}%", text)
    text = _CN_RUN.sub(
        lambda m: str(cn_to_int(m.group())) if re.search(r"[零〇一二两三四五六七八九十]", m.group()) else m.group(),
        text,
    )
    found: set[str] = set()
    for m in _ARABIC.finditer(text):
        d = Decimal(m.group(1))
        found.add(_canon(d))
        if m.group(2):
            found.add(_canon(d * 10000))
    return found


def squash(text: str) -> str:
    """The text without any whitespace (the OCR breaks lines and scatters spaces)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fact_numbers(value: object) -> list[tuple[str, set[str]]]:
    """(what, acceptable spellings) for every number inside a facts value."""
    out: list[tuple[str, set[str]]] = []
    if isinstance(value, bool) or value is None:
        return out
    if isinstance(value, (int, float)):
        d = Decimal(str(value))
        out.append((str(value), {_canon(d), _canon(d * 100)}))  # 0.7 may be written 70%
    elif isinstance(value, str):
        out.extend((n, {n}) for n in numbers_in(value))
    elif isinstance(value, list):
        for v in value:
            out.extend(fact_numbers(v))
    elif isinstance(value, dict):
        for v in value.values():
            out.extend(fact_numbers(v))
    return out


def cited_numbers(entry: Entry) -> set[str]:
    nums: set[str] = set()
    for doc in {s.doc for s in entry.all_sources()}:
        nums |= numbers_in(source_text(doc))
    return nums


def entry_param(e: Entry) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(e, id=e.id)


PARAMS = [entry_param(e) for e in ENTRIES]

# ---------------------------------------------------------------------------------------------


def test_number_reader() -> None:
    assert numbers_in("补贴标准为当地最低工资标准的70%") == {"70"}
    assert numbers_in("按照不少于百分之二的比例") == {"2"}
    assert numbers_in("离校两年内，16—24岁") == {"2", "16", "24"}
    assert numbers_in("不少于1.4万个") == {"1.4", "14000"}
    assert numbers_in("十万就业见习岗位") == {"100000"}
    assert numbers_in("百万就业见习岗位") == set()
    assert numbers_in("电 话：(0471) 6944009") == {"471", "6944009"}
    assert numbers_in("有效期三年") == {"3"}


def test_entries_validate() -> None:
    assert not LOAD_ERROR, LOAD_ERROR
    assert len(ENTRIES) >= 100


def test_ids_unique() -> None:
    dupes = [i for i, n in Counter(e.id for e in ENTRIES).items() if n > 1]
    assert not dupes


def test_every_notice_has_its_text() -> None:
    for doc in DOC_REGION:
        assert (SOURCES_DIR / f"{doc}.txt").is_file(), doc
        assert squash(doc) in squash(source_text(doc)), doc


def test_no_personal_data() -> None:
    """The name / ID-number table appended to the Changsha scan is not policy and is not kept."""
    id_number = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
    for path in [*SOURCES_DIR.glob("*.txt"), *ENTRIES_DIR.glob("*.yaml"), *ENTRIES_DIR.glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert not id_number.search(text), path.name
        assert "身份证" not in text, path.name


@pytest.mark.parametrize("entry", PARAMS)
def test_answer_numbers_are_in_the_notice(entry: Entry) -> None:
    missing = numbers_in(entry.answer) - cited_numbers(entry)
    assert not missing, f"{entry.id}: answer has {sorted(missing)}, not in {[s.doc for s in entry.all_sources()]}"


@pytest.mark.parametrize("entry", PARAMS)
def test_details_numbers_are_in_the_notice(entry: Entry) -> None:
    missing = numbers_in(entry.details or "") - cited_numbers(entry)
    assert not missing, f"{entry.id}: details have {sorted(missing)}"


@pytest.mark.parametrize("entry", PARAMS)
def test_fact_numbers_are_in_the_notice(entry: Entry) -> None:
    nums = cited_numbers(entry)
    for key, value in entry.facts.items():
        for shown, spellings in fact_numbers(value):
            assert spellings & nums, f"{entry.id}: facts.{key} has {shown}, not in the notice"


@pytest.mark.parametrize("entry", PARAMS)
def test_quotes_are_verbatim(entry: Entry) -> None:
    for src in entry.all_sources():
        if src.quote:
            assert squash(src.quote) in squash(source_text(src.doc)), f"{entry.id}: quote not in {src.doc}"


# Where each quote sits: the notice's own headings ("三、…", "（一）…", a line "附件 2") cut it into sections.
_CN_NUM = "一二三四五六七八九十"
_TOP = re.compile(rf"^[#\s]*([{_CN_NUM}]+)、")
_SUB = re.compile(rf"^\s*[（(]([{_CN_NUM}]+)[)）]")
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*(\d*)\s*$")
_SECTION = re.compile(rf"^([{_CN_NUM}]+)(?:（([{_CN_NUM}]+)）)?(.*)$")


def segments(doc: str) -> list[tuple[str | None, str | None, str | None, str]]:
    """(top heading, sub heading, attachment number or "" , squashed text) runs of a notice."""
    out: list[tuple[str | None, str | None, str | None, str]] = []
    top = sub = attach = None
    buf: list[str] = []
    for line in source_text(doc).splitlines():
        m_att, m_top, m_sub = _ATTACHMENT.match(line), _TOP.match(line), _SUB.match(line)
        if m_att or (attach is None and (m_top or m_sub)):
            out.append((top, sub, attach, squash("".join(buf))))
            buf = []
            if m_att:
                attach, top, sub = m_att.group(1), None, None
            elif m_top:
                top, sub = m_top.group(1), None
            elif m_sub:
                sub = m_sub.group(1)
        buf.append(line)
    out.append((top, sub, attach, squash("".join(buf))))
    return out


def section_matches(section: str, top: str | None, sub: str | None, attach: str | None) -> bool:
    if section.startswith("附件"):
        number = re.match(r"附件\s*(\d*)", section)
        return attach is not None and (not number or not number.group(1) or number.group(1) == attach)
    if section.startswith("文末"):  # after the last numbered section: anywhere in the body
        return attach is None
    m = _SECTION.match(section)
    if not m:  # 导语, 印发通知, "导语、一": before the first numbered section (or the one named)
        named = re.findall(rf"、([{_CN_NUM}]+)", section)
        return attach is None and (top is None or top in named)
    if attach is not None or top != m.group(1):
        return False
    exact = m.group(2) and not m.group(3)
    return not exact or sub == m.group(2)


@pytest.mark.parametrize("entry", PARAMS)
def test_quotes_sit_in_the_cited_section(entry: Entry) -> None:
    for src in entry.all_sources():
        if not src.quote:
            continue
        q = squash(src.quote)
        places = [(t, s, a) for t, s, a, text in segments(src.doc) if q in text]
        assert places, f"{entry.id}: quote {src.quote!r} not within one section of {src.doc}"
        assert any(section_matches(src.section, *p) for p in places), (
            f"{entry.id}: quote {src.quote!r} is in {places}, not in section {src.section}"
        )


def test_every_number_bearing_source_has_a_quote() -> None:
    for e in ENTRIES:
        if numbers_in(e.answer) - {"1"}:
            assert e.source.quote or any(s.quote for s in e.more_sources), e.id


@pytest.mark.parametrize("entry", PARAMS)
def test_answer_is_short_and_region_correct(entry: Entry) -> None:
    assert len(entry.answer) <= ANSWER_MAX
    assert entry.source.doc in DOC_REGION and DOC_REGION[entry.source.doc] == entry.region


def test_conflicts_keep_both_values_and_say_so() -> None:
    with_conflicts = [e for e in ENTRIES if e.conflicts]
    assert with_conflicts
    for e in with_conflicts:
        for c in e.conflicts:
            for v in c.values:
                assert squash(v.value) in squash(source_text(v.source.doc)), f"{e.id}: {v.value} not in {v.source.doc}"
                assert squash(v.value) in squash(e.answer), f"{e.id}: the answer does not give {v.value}"


def test_inner_mongolia_report_deadline_conflict_is_recorded() -> None:
    e = BY_ID["neimenggu.report.monthly"]
    values = {v.value for c in e.conflicts for v in c.values}
    assert {"下月前4个工作日内", "下月前5个工作日内"} <= values


# What each notice says, so its region must have an entry on it.
REQUIRED: dict[str, set[str]] = {
    "national": {"eligibility", "duration", "employment_status", "subsidy_rate", "subsidy_scope", "retention_tiers",
                 "one_plus_one", "remaining_period", "tax_social_insurance", "insurance", "demonstration_ratio",
                 "matching_events", "targets", "monthly_report", "annual_report", "indicators", "contacts"},
    "15": {"eligibility", "duration", "employment_status", "subsidy_rate", "subsidy_scope", "retention_tiers",
           "one_plus_one", "remaining_period", "tax_social_insurance", "insurance", "demonstration_ratio",
           "matching_events", "targets", "monthly_report", "annual_report", "indicators", "contacts", "unit_criteria"},
    "44": {"eligibility", "targets", "demonstration_ratio", "monthly_report", "indicators", "one_plus_one",
           "contacts"},
    "41": {"eligibility", "duration", "employment_status", "subsidy_rate", "subsidy_scope", "retention_tiers",
           "one_plus_one", "remaining_period", "tax_social_insurance", "demonstration_ratio", "matching_events",
           "targets", "privacy", "no_profit", "contacts"},
    "11": {"eligibility", "duration", "subsidy_rate", "subsidy_scope", "remaining_period", "tax_social_insurance",
           "claim_procedure", "matching_events", "targets", "no_profit", "recruitment_directions", "contacts"},
    "4301": {"eligibility", "duration", "employment_status", "living_allowance", "retention_tiers",
             "one_plus_one", "base_criteria", "review_deadlines", "demonstration_ratio", "matching_events",
             "monthly_report", "annual_report", "indicators", "validity", "contacts"},
}
# What a notice is silent on, so its region must NOT have an entry (the bot falls back to national).
SILENT: dict[str, set[str]] = {
    "44": {"subsidy_rate", "duration", "remaining_period", "tax_social_insurance"},
    "41": {"monthly_report", "annual_report", "indicators", "base_criteria", "review_deadlines"},
    "11": {"one_plus_one", "retention_tiers", "monthly_report", "annual_report", "indicators", "privacy"},
    "4301": {"targets", "remaining_period", "privacy", "no_profit"},
    "15": {"privacy", "no_profit", "base_criteria"},
}


@pytest.mark.parametrize("region", sorted(REQUIRED))
def test_region_covers_what_its_notice_says(region: str) -> None:
    have = {e.topic for e in ENTRIES if e.region == region}
    assert REQUIRED[region] <= have, f"{region} lacks {sorted(REQUIRED[region] - have)}"


@pytest.mark.parametrize("region", sorted(SILENT))
def test_region_has_nothing_its_notice_does_not_say(region: str) -> None:
    have = {e.topic for e in ENTRIES if e.region == region}
    assert not SILENT[region] & have


def test_topics_are_the_defined_list() -> None:
    assert {e.topic for e in ENTRIES} <= set(TOPICS)


@pytest.mark.parametrize("entry_id,table,total", [
    ("guangdong.targets.trainees_by_city", "trainees_by_city", 14500),
    ("guangdong.targets.positions_by_city", "positions_by_city", 60000),
    ("henan.targets.by_city", "positions_by_unit", 100000),
])
def test_per_city_tables_add_up(entry_id: str, table: str, total: int) -> None:
    facts = BY_ID[entry_id].facts
    rows = facts[table]
    assert isinstance(rows, dict) and sum(rows.values()) == total  # type: ignore[arg-type]


def test_subsidy_rates() -> None:
    assert BY_ID["neimenggu.subsidy.rate"].facts["rate_of_min_wage"] == 0.5
    assert BY_ID["neimenggu.subsidy.rate"].facts["retained_rate_of_min_wage"] == 0.7
    assert BY_ID["henan.subsidy.rate"].facts["rate_of_min_wage"] == 0.7
    assert BY_ID["henan.subsidy.rate"].facts["retained_rate_of_min_wage"] == 1.1
    assert BY_ID["changsha.subsidy.retention"].facts["retained_rate_of_min_wage"] == 1.2
    for e in ("neimenggu.subsidy.rate", "henan.subsidy.rate", "changsha.subsidy.retention"):
        assert BY_ID[e].facts["retention_threshold"] == 0.5


# ---------------------------------------------------------------------------------------------
# The loader refuses what an official could get wrong.

GOOD = {
    "id": "henan.test.entry", "region": 41, "topic": "duration", "audience": ["graduate"],
    "questions": ["见习多久", "见习期多长", "能见习几个月"], "keywords": ["见习期"],
    "answer": "见习时间一般为3—12个月。",
    "source": {"doc": "豫人社函〔2023〕138号", "section": "三（三）"},
}


def _write(tmp_path: Path, name: str, entries: list[dict]) -> Path:
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_loader_accepts_a_good_entry(tmp_path: Path) -> None:
    [e] = load_entries(_write(tmp_path, "henan", [GOOD]))
    assert e.region == "41"


@pytest.mark.parametrize("change", [
    {"region": "32"},
    {"topic": "weather"},
    {"answer": "长" * (ANSWER_MAX + 1)},
    {"source": {"doc": "豫人社函〔2023〕999号", "section": "三（三）"}},
    {"source": {"doc": "豫人社函〔2023〕138号", "section": " "}},
    {"source": {"doc": "豫人社函〔2023〕138号"}},
    {"source": {"doc": "京人社毕发〔2023〕21号", "section": "二（三）"}},
    {"questions": ["见习多久"]},
    {"id": "beijing.duration"},
    {"unknown_field": 1},
])
def test_loader_refuses(tmp_path: Path, change: dict) -> None:
    with pytest.raises(KnowledgeError):
        load_entries(_write(tmp_path, "henan", [{**GOOD, **change}]))


def test_loader_refuses_duplicate_ids_and_wrong_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="duplicate"):
        load_entries(_write(tmp_path, "henan", [GOOD, GOOD]))
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(KnowledgeError):
        load_entries(_write(other, "beijing", [GOOD]))
