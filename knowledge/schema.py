"""The policy knowledge base: one YAML file per region under ``knowledge/entries/``, validated on load.

Every entry is a rule taken from one of the policy notices (cited by 文号 and section), written so an
official can read it and correct it. ``load_entries()`` refuses the whole set when any file is wrong
(unknown region / topic / 文号, an answer over 300 characters, duplicate ids ...) and says where.
The notice texts themselves are kept, verbatim, in ``knowledge/entries/sources/<文号>.txt``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

ENTRIES_DIR = Path(__file__).parent / "entries"
SOURCES_DIR = ENTRIES_DIR / "sources"

ANSWER_MAX = 300
DETAILS_MAX = 1200

# Regions: "national" or a division code (国家统计局 codes, as in knowledge/divisions.py).
Region = Literal["national", "15", "44", "41", "11", "4301"]
REGION_NAMES: dict[str, str] = {
    "national": "全国",
    "15": "内蒙古自治区",
    "44": "广东省",
    "41": "河南省",
    "11": "北京市",
    "4301": "湖南省长沙市",
}
# Which file holds which region's entries.
FILE_REGION: dict[str, str] = {
    "national": "national",
    "neimenggu": "15",
    "guangdong": "44",
    "henan": "41",
    "beijing": "11",
    "changsha": "4301",
}

# The notices (文号) an entry may cite, and the region each one speaks for.
# 人社部发〔2023〕27号 and 粤人社函〔2023〕50号 reached us inside 粤人社函〔2023〕228号.
DocNo = Literal[
    "人社部发〔2023〕27号",
    "内人社办发〔2023〕118号",
    "粤人社函〔2023〕228号",
    "粤人社函〔2023〕50号",
    "豫人社函〔2023〕138号",
    "京人社毕发〔2023〕21号",
    "长人社规〔2024〕4号",
]
DOC_REGION: dict[str, str] = {
    "人社部发〔2023〕27号": "national",
    "内人社办发〔2023〕118号": "15",
    "粤人社函〔2023〕228号": "44",
    "粤人社函〔2023〕50号": "44",
    "豫人社函〔2023〕138号": "41",
    "京人社毕发〔2023〕21号": "11",
    "长人社规〔2024〕4号": "4301",
}
KNOWN_DOCS: tuple[str, ...] = tuple(DOC_REGION)

Topic = Literal[
    "policy_basis",  # 依据文件、计划名称、转发关系
    "targets",  # 岗位 / 人数目标, 分市目标表
    "eligibility",  # 见习对象
    "outreach",  # 摸排、台账、报名渠道
    "duration",  # 见习期限
    "employment_status",  # 见习期间是否视为就业; 期满后身份
    "living_allowance",  # 见习人员拿到的基本生活费 / 补助
    "subsidy_rate",  # 见习补贴标准
    "subsidy_scope",  # 补贴给谁、用于什么
    "retention_tiers",  # 留用率达标后的提高标准
    "one_plus_one",  # "1+1" 申领模式, 不得见习结束后集中发放
    "remaining_period",  # 剩余期限见习补贴及其条件
    "tax_social_insurance",  # 税费支持
    "insurance",  # 人身意外伤害保险、商业医疗保险等
    "claim_procedure",  # 申领频次、材料
    "unit_criteria",  # 见习单位认定、审查
    "unit_obligations",  # 协议、带教、留用签合同
    "base_criteria",  # 见习基地认定、规模、有效期
    "demonstration_ratio",  # 示范性岗位比例
    "demonstration_units",  # 示范单位创建与评选
    "recruitment_directions",  # 岗位募集方向
    "matching_events",  # 对接活动频次与形式
    "platform",  # 线上服务专区
    "review_deadlines",  # 申请审核时限
    "follow_up",  # 留用与未留用人员帮扶
    "no_profit",  # 不得以营利为目的组织见习
    "privacy",  # 见习人员隐私
    "supervision",  # 督导、考核、防骗补
    "monthly_report",  # 月报期限
    "annual_report",  # 年度报告
    "indicators",  # 情况汇总表指标与逻辑校验
    "department_duties",  # 各部门职责
    "publicity",  # 宣传
    "contacts",  # 联系人、电话
    "validity",  # 施行日期、有效期
]
TOPICS: tuple[str, ...] = Topic.__args__  # type: ignore[attr-defined]

Audience = Literal["graduate", "unit", "official"]

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]

_ID_PREFIX: dict[str, str] = {region: stem for stem, region in FILE_REGION.items()}


class KnowledgeError(ValueError):
    """The knowledge base does not validate; the message names the file and the entry."""


class Source(BaseModel):
    """Where a rule is written: the notice's 文号 and the section as the notice numbers it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: DocNo
    section: NonEmpty  # e.g. "三（一）", "附件 填报说明1", "附件1"
    via: DocNo | None = None  # the notice that forwarded this text, if any
    quote: NonEmpty | None = None  # a short verbatim excerpt (whitespace may differ)


class ConflictValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: NonEmpty  # as the text states it, e.g. "下月前4个工作日内"
    source: Source


class Conflict(BaseModel):
    """Two texts that disagree on the same point; both are kept, each with its own source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: NonEmpty
    values: list[ConflictValue] = Field(min_length=2)
    note: str | None = None


class Silence(BaseModel):
    """A point the entry's notice leaves open although the entry is about it: a question that asks for it
    (``when``, a regular expression over the question) gets ``say`` and the contact, as an honest unknown
    (长沙's base subsidy rate, a 区's own top-up amount, the phone number a notice does not print)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: NonEmpty
    say: NonEmpty
    # Only for a question about a place (named, or the user's stored region), not the rule asked as such:
    # "广州见习补贴具体多少钱" has no figure in the notices; "见习补贴具体多少钱" gets the national rule.
    placed: bool = False

    @field_validator("when")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"when is not a valid regular expression: {exc}") from exc
        return v


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: EntryId
    region: Region
    topic: Topic
    audience: list[Audience] = Field(min_length=1)
    questions: list[NonEmpty] = Field(min_length=3, max_length=8)
    keywords: list[NonEmpty] = Field(min_length=1)
    answer: NonEmpty = Field(max_length=ANSWER_MAX)
    details: str | None = Field(default=None, max_length=DETAILS_MAX)
    facts: dict[str, JsonValue] = Field(default_factory=dict)
    source: Source
    more_sources: list[Source] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    silent: list[Silence] = Field(default_factory=list)

    @field_validator("region", mode="before")
    @classmethod
    def _region_as_text(cls, v: object) -> object:
        # YAML reads an unquoted 41 as a number; accept it.
        return str(v) if isinstance(v, int) else v

    @field_validator("questions", "keywords", mode="before")
    @classmethod
    def _numbers_as_text(cls, v: object) -> object:
        # YAML reads a bare 14500 as a number; a keyword is text.
        if isinstance(v, list):
            return [str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in v]
        return v

    @field_validator("audience", "questions", "keywords")
    @classmethod
    def _no_duplicates(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("duplicate items")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        prefix = _ID_PREFIX[self.region]
        if not self.id.startswith(prefix + "."):
            raise ValueError(f"id of a region {self.region} entry must start with {prefix!r}.")
        for src in [self.source, *self.more_sources]:
            # A region's own notice, or a notice it forwarded (doc 人社部发〔2023〕27号 via 粤人社函〔2023〕228号).
            own = DOC_REGION[src.doc] == self.region or (src.via is not None and DOC_REGION[src.via] == self.region)
            if not own:
                raise ValueError(f"{src.doc} is not a notice of region {self.region}")
        if DOC_REGION[self.source.doc] != self.region:
            raise ValueError(f"the main source of a region {self.region} entry must be that region's own notice")
        return self

    def sources(self) -> list[Source]:
        """The entry's own sources (not those cited only in its conflicts)."""
        return [self.source, *self.more_sources]

    def all_sources(self) -> list[Source]:
        return self.sources() + [v.source for c in self.conflicts for v in c.values]


def _load_file(path: Path) -> list[Entry]:
    region = FILE_REGION.get(path.stem)
    if region is None:
        raise KnowledgeError(f"{path.name}: unknown file; expected one of {sorted(FILE_REGION)} (.yaml)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, list):
        raise KnowledgeError(f"{path.name}: the file must be a list of entries")
    entries: list[Entry] = []
    for i, item in enumerate(raw, 1):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            entry = Entry.model_validate(item)
        except ValidationError as exc:
            raise KnowledgeError(f"{path.name}: entry {label}: {exc}") from exc
        if entry.region != region:
            raise KnowledgeError(f"{path.name}: entry {label} has region {entry.region}, file is for {region}")
        entries.append(entry)
    return entries


def load_entries(path: Path | str = ENTRIES_DIR) -> list[Entry]:
    """Every entry of every ``*.yaml`` under ``path``, validated; raises KnowledgeError when any is wrong."""
    root = Path(path)
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise KnowledgeError(f"no *.yaml files in {root}")
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for f in files:
        for e in _load_file(f):
            if e.id in seen:
                raise KnowledgeError(f"{f.name}: duplicate id {e.id} (also in {seen[e.id]})")
            seen[e.id] = f.name
            entries.append(e)
    return entries


@cache
def source_text(doc: str) -> str:
    """The verbatim text of a notice, from ``sources/<文号>.txt``."""
    if doc not in DOC_REGION:
        raise KnowledgeError(f"unknown 文号 {doc}")
    return (SOURCES_DIR / f"{doc}.txt").read_text(encoding="utf-8")
