"""The official undergraduate major catalogue (教育部 2026): names, 专业类 and 门类, with common short forms."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

DATA = Path(__file__).parent / "data" / "majors_undergraduate.csv"

# Short forms people type, mapped to the catalogue's name.
ALIASES = {
    "计科": "计算机科学与技术", "计算机": "计算机科学与技术", "软工": "软件工程", "软件": "软件工程",
    "大数据": "数据科学与大数据技术", "数据科学": "数据科学与大数据技术", "人工智能": "人工智能",
    "会计": "会计学", "财务": "财务管理", "金融": "金融学", "经济": "经济学", "法律": "法学",
    "英语": "英语", "日语": "日语", "汉语言": "汉语言文学", "中文": "汉语言文学", "新闻": "新闻学",
    "电商": "电子商务", "物流": "物流管理", "市场营销": "市场营销", "营销": "市场营销", "人力": "人力资源管理",
    "行政管理": "行政管理", "工商管理": "工商管理", "土木": "土木工程", "机械": "机械设计制造及其自动化",
    "电气": "电气工程及其自动化", "自动化": "自动化", "通信": "通信工程", "电子信息": "电子信息工程",
    "护理": "护理学", "临床": "临床医学", "药学": "药学", "师范": "教育学", "学前": "学前教育",
    "小教": "小学教育", "数学": "数学与应用数学", "物理": "物理学", "化学": "化学", "生物": "生物科学",
    "环境": "环境工程", "建筑": "建筑学", "设计": "视觉传达设计", "网络": "网络工程", "信息安全": "信息安全",
    "物联网": "物联网工程", "统计": "统计学", "社工": "社会工作", "农学": "农学", "食品": "食品科学与工程",
}


@dataclass(frozen=True)
class Major:
    code: str
    name: str
    group: str  # 专业类
    category: str  # 门类


class Majors:
    def __init__(self, path: Path = DATA) -> None:
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.by_name: dict[str, Major] = {}
        for r in rows:
            self.by_name.setdefault(r["name"], Major(r["code"], r["name"], r["class"], r["category"]))
        self.names = list(self.by_name)

    def get(self, name: str) -> Major | None:
        return self.by_name.get(name)

    def match(self, text: str, cutoff: float = 86) -> Major | None:
        """The catalogue major a person means: exact, a known short form, or a close spelling."""
        text = text.strip().removesuffix("专业")
        if text in self.by_name:
            return self.by_name[text]
        if text in ALIASES and ALIASES[text] in self.by_name:
            return self.by_name[ALIASES[text]]
        found = process.extractOne(text, self.names, scorer=fuzz.ratio, score_cutoff=cutoff)
        return self.by_name[found[0]] if found else None

    def related(self, a: str, b: str) -> bool:
        ma, mb = self.by_name.get(a), self.by_name.get(b)
        return bool(ma and mb and ma.group == mb.group)


@lru_cache(maxsize=1)
def majors() -> Majors:
    return Majors()
