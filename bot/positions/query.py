"""Read what a graduate types — "学会计的，想在广州天河附近", "计算机 郑州", "我想回河南" — into a major,
a place and an education level, with the official major catalogue and division table. Pure: no database.

* Majors: catalogue names, 专业类 names ("计算机类"), the catalogue's short forms (``knowledge.majors.ALIASES``)
  and a few more people type (``QUERY_ALIASES``: 人力资源, 国贸, 计算机应用技术 ...), longest match first;
  then typos ("软件工成", "会计学" misspelt) through rapidfuzz against the names, on what is left.
* Places: the division table's names and short names (``knowledge.divisions``), at their own level
  (province, city, county), and the short forms people type that the table does not give (``PLACE_ALIASES``:
  内蒙, 呼市, 锡盟, 黔东南州 ...; a word jieba reads as a place that begins exactly one province's or city's
  name: 呼和 → 呼和浩特市); a short name that only makes sense inside another place named with it
  ("北京朝阳", "长春朝阳") is resolved inside it; a name several divisions share (朝阳区, 鼓楼区) is reported
  as ambiguous with its candidates so the caller can ask — and so is a city's short name that is also the
  short name of a district of a municipality or a provincial capital elsewhere (朝阳: 辽宁省朝阳市, 北京市朝阳区,
  长春市朝阳区). A place the table does not have (香港, 台湾, 雄安, 东北, 美国; a word followed by 省/市/县
  such as "广洲市") is reported in ``unknown_places``, never dropped: the caller says so instead of searching
  the whole country. A place right before 大学/学院 is a school, not a wish ("郑州大学毕业，想去广州" → 广州).
* Education: 中专/中职/技校, 大专/专科/高职, 本科, 硕士/研究生, 博士.
* Keywords: the jieba tokens left over (job words such as 出纳, 文员), for matching position titles.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.positions.features import code_digits, group_code
from knowledge.divisions import MUNICIPALITIES, Division, Divisions, Mention, divisions
from knowledge.majors import ALIASES, Majors, majors

# Short forms and common spellings people type, beyond knowledge.majors.ALIASES (targets are catalogue names).
QUERY_ALIASES: dict[str, str] = {
    "人力资源": "人力资源管理", "人资": "人力资源管理", "计算机应用": "计算机科学与技术",
    "计算机应用技术": "计算机科学与技术", "计算机科学": "计算机科学与技术", "计算机技术": "计算机科学与技术",
    "软件开发": "软件工程", "软件技术": "软件工程", "数媒": "数字媒体技术", "网安": "网络空间安全",
    "电气自动化": "电气工程及其自动化", "机电": "机械电子工程", "国贸": "国际经济与贸易",
    "国际贸易": "国际经济与贸易", "财会": "会计学", "会记": "会计学", "会计电算化": "会计学", "工商": "工商管理",
    "对外汉语": "汉语国际教育", "广告": "广告学", "行政": "行政管理", "公共事业": "公共事业管理",
    "旅游": "旅游管理", "酒店": "酒店管理", "思政": "思想政治教育", "体育": "体育教育", "音乐": "音乐学",
    "美术": "美术学", "大数据技术": "数据科学与大数据技术", "大数据专业": "数据科学与大数据技术",
    "机器人": "机器人工程", "车辆": "车辆工程", "测绘": "测绘工程", "城规": "城乡规划", "园林": "园林",
    "动医": "动物医学", "口腔": "口腔医学", "中医": "中医学", "审计": "审计学", "税收": "税收学",
    "法律事务": "法学", "电子商务": "电子商务", "新媒体": "新媒体技术", "编导": "广播电视编导",
    "播音": "播音与主持艺术", "环艺": "环境设计", "视传": "视觉传达设计", "工设": "工业设计",
    "给排水": "给排水科学与工程", "暖通": "建筑环境与能源应用工程", "工程造价": "工程造价",
    "造价": "工程造价", "工程管理": "工程管理", "物联网": "物联网工程", "信管": "信息管理与信息系统",
    "信息管理": "信息管理与信息系统", "应用统计": "应用统计学", "精算": "精算学", "保险": "保险学",
    "投资": "投资学", "金融工程": "金融工程", "汉语言文学": "汉语言文学", "秘书": "秘书学",
    "文秘": "秘书学", "档案": "档案学", "图书馆": "图书馆学", "心理": "心理学", "社会学": "社会学",
    "护士": "护理学", "医学检验": "医学检验技术", "康复": "康复治疗学", "预防医学": "预防医学",
    "食品安全": "食品质量与安全", "农林经济": "农林经济管理", "水利": "水利水电工程",
    "材料": "材料科学与工程", "化工": "化学工程与工艺", "制药": "制药工程", "生物技术": "生物技术",
    "生物工程": "生物工程", "应用化学": "应用化学", "光电": "光电信息科学与工程", "微电子": "微电子科学与工程",
    "集成电路": "集成电路设计与集成系统", "交通运输": "交通运输", "交通工程": "交通工程",
    "航海": "航海技术", "轮机": "轮机工程", "汽车": "汽车服务工程", "能源动力": "能源与动力工程",
}
# Short forms of places that the division table does not give, as people type them (targets: division codes).
PLACE_ALIASES: dict[str, str] = {
    "内蒙": "15", "呼市": "1501", "包市": "1502", "巴盟": "1508", "乌盟": "1509", "锡盟": "1525", "阿盟": "1529",
    "乌市": "6501", "哈市": "2301", "齐市": "2302",
    "延边州": "2224", "恩施州": "4228", "湘西州": "4331", "阿坝州": "5132", "甘孜州": "5133", "凉山州": "5134",
    "黔西南": "5223", "黔西南州": "5223", "黔东南": "5226", "黔东南州": "5226", "黔南州": "5227",
    "楚雄州": "5323", "红河州": "5325", "文山州": "5326", "西双版纳": "5328", "西双版纳州": "5328",
    "大理州": "5329", "德宏州": "5331", "怒江州": "5333", "迪庆州": "5334", "临夏州": "6229", "甘南州": "6230",
    "海北州": "6322", "黄南州": "6323", "海南州": "6325", "果洛州": "6326", "玉树州": "6327", "海西州": "6328",
    "昌吉州": "6523", "博州": "6527", "博尔塔拉": "6527", "巴音郭楞": "6528", "克州": "6530", "克孜勒苏": "6530",
    "伊犁州": "6540",
    "黔西": "520581",  # 黔西市 (the table's short of 黔西南州 is 黔西)
    "航空港": "410173", "航空港区": "410173", "郑州航空港": "410173",
}
# Places people name that are not divisions of the catalogue (mainland provinces, cities and counties).
UNLISTED_PLACES = (
    "香港特别行政区", "澳门特别行政区", "香港", "澳门", "台湾省", "台湾", "港澳台", "港澳",
    "雄安新区", "雄安",
    "粤港澳大湾区", "粤港澳", "大湾区", "长三角", "珠三角", "京津冀", "江浙沪", "北上广深", "北上广",
    "东北", "西北", "西南", "华南", "华北", "华东", "华中", "东南沿海", "沿海",
    "海外", "国外", "境外", "美国", "日本", "韩国", "新加坡", "英国", "德国", "法国", "澳大利亚", "加拿大",
    "俄罗斯", "马来西亚", "泰国", "欧洲", "东南亚",
)
# A word followed by one of these reads as a place name ("广洲市"), known or not.
_PLACE_SUFFIX = re.compile(r"^(省|市|自治区|自治州|县|特别行政区)")
# Generic words that mean a major only with a cue ("环境工程", "学环境的"), not in "工作环境好".
_WEAK = {"环境", "经济", "网络", "设计", "生物", "物理", "化学", "数学", "建筑", "师范", "食品", "统计"}
_WEAK_CUE_BEFORE = ("学", "读", "是", "念")
_WEAK_CUE_AFTER = ("专业", "学", "的", "系", "类", "工程", "毕业")

EDUCATION_WORDS: tuple[tuple[str, str], ...] = (
    ("专升本", "本科"), ("硕士研究生", "硕士"), ("博士研究生", "博士"), ("研究生", "硕士"), ("硕士", "硕士"),
    ("博士", "博士"), ("本科", "本科"), ("学士", "本科"), ("大专", "大专"), ("专科", "大专"), ("高职", "大专"),
    ("中专", "中专"), ("中职", "中专"), ("技校", "中专"),
)
_EDUCATION = re.compile("|".join(re.escape(w) for w, _ in EDUCATION_WORDS))
_EDUCATION_OF = dict(EDUCATION_WORDS)
_ANY_MAJOR = re.compile(r"专业不限|不限专业|什么专业都(行|可以)|不限制专业|不挑专业")
# A place named right after this is one the person does not want.
_NEGATION = re.compile(r"(不想去|不想在|不想回|不愿去|不去|不要|不考虑|除了|除去|排除|别)$")
# A place named right before this is a school ("郑州大学"), not where the person wants to go.
_SCHOOL_AFTER = re.compile(r"^[\u4e00-\u9fff]{0,6}?(大学|学院)")
_STOP_TOKENS = {
    "我", "我们", "是", "的", "了", "学", "想", "要", "在", "去", "到", "回", "找", "有", "没有", "有没有", "吗", "呢",
    "啊", "吧", "和", "或", "或者", "还是", "以及", "及", "与", "一个", "一份", "岗位", "见习", "工作", "实习", "专业",
    "毕业", "毕业生", "应届", "附近", "周边", "一带", "那边", "这边", "地方", "什么", "哪些", "哪里", "能", "可以",
    "推荐", "帮", "帮我", "看看", "请", "你好", "相关", "方向", "机会", "单位", "职位", "市", "省", "区", "县",
    "老家", "家", "现在", "目前", "希望", "打算", "准备", "最好", "比较", "就业", "读", "念", "学的", "不限",
    "学历", "本人", "自己", "适合", "合适", "离", "近", "点", "些", "都", "也", "还", "就", "很", "想要", "想去",
    "想回", "想在", "需要", "需求", "类", "方面", "领域", "行业", "都行", "都可以", "均可", "随便", "不限于",
}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_COUNTY_SHORT = re.compile(r"(新区|区|县|市|旗|自治县|自治旗|林区|特区)$")
# Nouns that can stand before 市/县 without naming a place ("城市", "都市" are one word; these are not).
_NOT_PLACES = {"城市", "都市", "超市", "股市", "楼市", "夜市", "集市", "本市", "外省", "本省", "全省", "全市"}
_TAIL = re.compile(r"[^\s,，。.;；:：!！?？、/的想在去到回找和或]{1,10}")
_PUNCT = re.compile(r"[\s,，。.;；:：!！?？、/|()（）\[\]【】\"'“”‘’~～\-—]+")


@dataclass(frozen=True)
class MajorRef:
    """A major (or a whole 专业类) the person named."""

    code: str  # catalogue digits (080901) or a 4-digit 专业类 code (0809)
    name: str  # 计算机科学与技术 / 计算机类
    group: str  # its 专业类 (计算机类)
    said: str  # what the person typed (计科)
    how: str  # exact / alias / group / fuzzy

    @property
    def is_group(self) -> bool:
        return len(self.code) == 4

    @property
    def group_code(self) -> str:
        return self.code[:4]


@dataclass(frozen=True)
class ParsedQuery:
    """What a request says: majors, places (a hard filter), education and leftover keywords."""

    text: str
    majors: tuple[MajorRef, ...] = ()
    places: tuple[Division, ...] = ()  # each an unambiguous place; several = any of them
    ambiguous: tuple[tuple[Division, ...], ...] = ()  # per ambiguous name: its candidates
    ambiguous_names: tuple[str, ...] = ()
    education: str | None = None
    keywords: tuple[str, ...] = ()
    any_major: bool = False  # said 专业不限
    excluded: tuple[Division, ...] = ()  # places the person does not want ("不想去深圳")
    unknown_places: tuple[str, ...] = ()  # places named that the division table does not have ("香港")

    @property
    def place_ambiguous(self) -> bool:
        return bool(self.ambiguous)

    @property
    def clarify(self) -> tuple[Division, ...]:
        """Every candidate of the ambiguous place names, for a "which one?" question."""
        out: list[Division] = []
        for group in self.ambiguous:
            out.extend(d for d in group if d not in out)
        return tuple(out)

    @property
    def empty(self) -> bool:
        return not (self.majors or self.places or self.ambiguous or self.education or self.keywords
                    or self.unknown_places)

    def describe(self) -> str:
        """"会计学 · 广州市天河区 · 本科": what was understood, for a reply's first line."""
        parts = ["、".join(m.name for m in self.majors)] if self.majors else []
        if self.places:
            parts.append("、".join(d.full_name for d in self.places))
        if self.education:
            parts.append(self.education)
        return " · ".join(p for p in parts if p)


class QueryParser:
    """Parses free text with the division and major tables; build once, call :meth:`parse` per message."""

    def __init__(self, places: Divisions | None = None, catalogue: Majors | None = None) -> None:
        self.places = places or divisions()
        self.catalogue = catalogue or majors()
        self.groups: dict[str, str] = {}  # 专业类 name → 4-digit code
        for m in self.catalogue.by_name.values():
            self.groups.setdefault(m.group, m.code[:4])
        # surface form → (catalogue name or 专业类 name, how)
        self.surface: dict[str, tuple[str, str]] = {}
        for name in self.catalogue.names:
            self.surface[name] = (name, "exact")
        for group in self.groups:
            self.surface.setdefault(group, (group, "group"))
        for alias, target in {**ALIASES, **QUERY_ALIASES}.items():
            if target in self.catalogue.by_name and alias not in self.surface:
                self.surface[alias] = (target, "alias")
        self.max_surface = max(len(s) for s in self.surface)
        self.fuzzy_choices = [s for s in self.surface if len(s) >= 3]
        self._children: dict[str, list[Division]] = {}
        for d in self.places.by_code.values():
            if d.level != "province":
                self._children.setdefault(d.province_code, []).append(d)
            if d.level == "county" and d.city_code:
                self._children.setdefault(d.city_code, []).append(d)
        import jieba.posseg

        jieba.posseg.lcut("想去广州")  # load the dictionaries now, not in the first request
        self.place_names = self._place_names()
        self.unlisted_names = frozenset(UNLISTED_PLACES)
        self.max_place_name = max(len(n) for n in [*self.place_names, *self.unlisted_names])
        self._heads = [d for d in self.places.by_code.values() if d.level != "county"]

    def _place_names(self) -> dict[str, tuple[Division, ...]]:
        """Every name and short name → its divisions: the table's, the short forms of ``PLACE_ALIASES``, and
        a city's short name also standing for the districts elsewhere it shadows in a municipality or a
        provincial capital (朝阳 → 辽宁省朝阳市, 北京市朝阳区, 长春市朝阳区)."""
        table = self.places
        names = {name: tuple(table.lookup(name)) for name in table.aliases}
        for alias, code in PLACE_ALIASES.items():
            d = table.get(code)
            if d is not None and (alias not in names or alias == "黔西"):
                names[alias] = (d,)
        for d in table.by_code.values():
            if d.level != "county" or not (d.province_code in MUNICIPALITIES or (d.city_code or "").endswith("01")):
                continue
            short = _COUNTY_SHORT.sub("", d.name)
            if short == d.name or len(short) < 2:
                continue
            holders = names.get(short, ())
            if any(o.level == "city" and o.province_code != d.province_code for o in holders) and d not in holders:
                names[short] = (*holders, d)
        return names

    def mentions(self, text: str) -> tuple[list[Mention], list[Mention]]:
        """(places named in ``text``, names of places the table does not have), longest match first."""
        found: list[Mention] = []
        unlisted: list[Mention] = []
        names, others = self.place_names, self.unlisted_names
        i = 0
        while i < len(text):
            for length in range(min(self.max_place_name, len(text) - i), 1, -1):
                piece = text[i : i + length]
                if piece in others:
                    unlisted.append(Mention(i, i + length, piece, ()))
                elif piece in names:
                    found.append(Mention(i, i + length, piece, names[piece]))
                else:
                    continue
                i += length
                break
            else:
                i += 1
        return found, unlisted

    def _word_places(self, text: str) -> tuple[list[Mention], list[Mention]]:
        """Places among the words left after the table's names: a word jieba reads as a place that begins
        exactly one province's or city's name (呼和 → 呼和浩特市); any other such word, or a word followed by
        省/市/县 ("广洲市"), is a place the table does not have."""
        import jieba.posseg

        found: list[Mention] = []
        unlisted: list[Mention] = []
        at = 0
        for pair in jieba.posseg.lcut(text):
            word, flag = pair.word, pair.flag
            start, at = at, at + len(word)
            if len(word) < 2 or not _CJK.fullmatch(word) or word in _STOP_TOKENS:
                continue
            after = text[at:]
            suffix = _PLACE_SUFFIX.match(after)
            if flag == "ns":
                heads = [d for d in self._heads if d.name.startswith(word)]
                if len(heads) == 1 and not suffix:
                    found.append(Mention(start, at, word, (heads[0],)))
                    continue
            if suffix and (flag == "ns" or flag.startswith("n")) and word not in _NOT_PLACES:
                unlisted.append(Mention(start, at + suffix.end(), word + suffix.group(0), ()))
        return found, unlisted

    # -- majors ---------------------------------------------------------------------------------

    def _ref(self, target: str, said: str, how: str) -> MajorRef:
        if target in self.groups:
            return MajorRef(self.groups[target], target, target, said, "group")
        m = self.catalogue.by_name[target]
        return MajorRef(code_digits(m.code), m.name, m.group, said, how)

    def major(self, text: str) -> MajorRef | None:
        """One major as a form field gives it ("会计", "计算机类", "软件工成"); None when unknown."""
        text = unicodedata.normalize("NFKC", text).strip().removesuffix("专业").strip()
        if not text:
            return None
        if text in self.surface:
            target, how = self.surface[text]
            return self._ref(target, text, how)
        group = group_code(text) if text.endswith("类") else None
        if group:
            name = next(g for g, c in self.groups.items() if c == group)
            return MajorRef(group, name, name, text, "group")
        found = self._fuzzy(text)
        if found:
            return found
        refs = self._scan_majors(text)[0]
        return refs[0] if len(refs) == 1 else None

    def _fuzzy(self, piece: str) -> MajorRef | None:
        if len(piece) < 3:
            return None
        cutoff = 70 if len(piece) >= 4 else 66
        found = process.extractOne(piece, self.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        if not found:
            return None
        target, _ = self.surface[found[0]]
        return self._ref(target, piece, "fuzzy")

    def _scan_majors(self, text: str) -> tuple[list[MajorRef], list[tuple[int, int]]]:
        """Known names and short forms in ``text``, longest first, left to right; with their spans."""
        refs: list[MajorRef] = []
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(text):
            for length in range(min(self.max_surface, len(text) - i), 1, -1):
                piece = text[i : i + length]
                if piece not in self.surface:
                    continue
                if piece in _WEAK and not (text[i - 1 : i] in _WEAK_CUE_BEFORE or
                                           text[i + length :].startswith(_WEAK_CUE_AFTER)):
                    continue
                target, how = self.surface[piece]
                ref = self._ref(target, piece, how)
                # A misspelt longer name that begins like a short form: "软件工成" is 软件工程, not 软件.
                tail = _TAIL.match(text, i + length)
                if tail and tail.group(0):
                    longer = self._fuzzy(_strip_tail(piece + tail.group(0)))
                    if longer is not None and len(longer.name) > len(piece) and longer.name.startswith(piece):
                        ref = ref if longer.code == ref.code else longer
                        length += len(tail.group(0))
                if all(r.code != ref.code for r in refs):
                    refs.append(ref)
                spans.append((i, i + length))
                i += length
                break
            else:
                i += 1
        return refs, spans

    # -- places ---------------------------------------------------------------------------------

    def inside(self, parent: Division, text: str) -> list[Division]:
        """Divisions inside ``parent`` whose name begins with ``text`` ("北京" + "朝阳" → 北京市朝阳区)."""
        return [d for d in self._children.get(parent.code, []) if d.name.startswith(text)]

    def _places(self, text: str) -> tuple[list[Division], list[tuple[Division, ...]], list[str],
                                         list[tuple[int, int]], list[Division], list[str]]:
        found: list[Mention] = []
        negated: list[Mention] = []
        unknown: list[str] = []
        named, unlisted = self.mentions(text)
        more, more_unlisted = self._word_places(_blank(text, [(m.start, m.end) for m in named + unlisted]))
        skipped: list[Mention] = []
        for m in sorted(named + more + unlisted + more_unlisted, key=lambda m: m.start):
            if _SCHOOL_AFTER.match(text[m.end :]):
                skipped.append(m)
                continue
            if _NEGATION.search(text[max(0, m.start - 4) : m.start]):
                (negated if m.candidates else skipped).append(m)
                continue
            if not m.candidates:
                if m.text not in unknown:
                    unknown.append(m.text)
                skipped.append(m)
                continue
            found.append(m)
        spans = [(m.start, m.end) for m in found + negated + skipped if not _SCHOOL_AFTER.match(text[m.end :])]
        excluded = [m.candidates[0] for m in negated if len(m.candidates) == 1]
        pools = [list(m.candidates) for m in found]
        # A short name that only makes sense inside another named place: "北京朝阳" is 北京市朝阳区.
        for idx, m in enumerate(found):
            others = [d for j, p in enumerate(pools) if j != idx for d in p]
            if any(o.contains(d) for o in others for d in pools[idx]):
                continue
            inside = [c for o in others for c in self.inside(o, m.text)]
            if inside:
                pools[idx] = inside
        # Candidates of each name, narrowed by the others (a city narrows its districts).
        for idx, pool in enumerate(pools):
            others = [d for j, p in enumerate(pools) if j != idx for d in p]
            narrowed = [d for d in pool if any(o.contains(d) for o in others)]
            if narrowed:
                pools[idx] = narrowed
        flat = [d for pool in pools for d in pool]
        places: list[Division] = []
        ambiguous: list[tuple[Division, ...]] = []
        names: list[str] = []
        for m, pool in zip(found, pools, strict=True):
            # A name that merely contains a more specific place named too ("广州" in "广州天河") adds nothing.
            pool = [d for d in pool if not any(d.contains(o) for o in flat)]
            if not pool:
                continue
            if len(pool) == 1:
                if pool[0] not in places:
                    places.append(pool[0])
            elif tuple(pool) not in ambiguous:
                ambiguous.append(tuple(pool))
                names.append(m.text)
        return places, ambiguous, names, spans, excluded, unknown

    # -- the whole request ----------------------------------------------------------------------

    def parse(self, text: str) -> ParsedQuery:
        raw = unicodedata.normalize("NFKC", text or "").strip()
        any_major = bool(_ANY_MAJOR.search(raw))
        work = _ANY_MAJOR.sub(" ", raw)
        education = None
        for m in _EDUCATION.finditer(work):
            education = _EDUCATION_OF[m.group(0)]
        work = _EDUCATION.sub(" ", work)
        refs, major_spans = self._scan_majors(work)
        work = _blank(work, major_spans)
        places, ambiguous, names, place_spans, excluded, unknown = self._places(work)
        work = _blank(work, place_spans)
        keywords: list[str] = []
        for chunk in _PUNCT.split(work):
            for piece in _pieces(chunk):
                ref = self._fuzzy(piece)
                if ref is not None:
                    if all(r.code != ref.code for r in refs):
                        refs.append(ref)
                    continue
                for token in _tokens(piece):
                    if token not in keywords:
                        keywords.append(token)
        if any_major:
            refs = []
        return ParsedQuery(text=raw, majors=tuple(refs), places=tuple(places), ambiguous=tuple(ambiguous),
                           ambiguous_names=tuple(names), education=education, keywords=tuple(keywords),
                           any_major=any_major, excluded=tuple(excluded), unknown_places=tuple(unknown))

    def place(self, text: str) -> tuple[list[Division], list[Division]]:
        """A place field ("广州天河", "440106", "朝阳区"): (places, ambiguous candidates)."""
        text = unicodedata.normalize("NFKC", text or "").strip()
        if text.isdigit():
            d = self.places.get(text)
            return ([d] if d else []), []
        places, ambiguous, _, _, _, _ = self._places(text)
        return places, [d for group in ambiguous for d in group]

    def unlisted(self, text: str) -> list[str]:
        """The places ``text`` names that the division table does not have ("香港"), for a plain answer."""
        text = unicodedata.normalize("NFKC", text or "").strip()
        return self._places(text)[5]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for k in range(start, end):
            chars[k] = " "
    return "".join(chars)


def _strip_tail(piece: str) -> str:
    return re.sub(r"(专业|毕业|学历)+$", "", piece)


def _pieces(chunk: str) -> list[str]:
    """A chunk without the stop words around what might be a (misspelt) major: "学软件工成的" → 软件工成."""
    chunk = chunk.strip()
    if not chunk:
        return []
    chunk = re.sub(r"^(我是|我|是|学|读|念|想)+", "", chunk)
    chunk = re.sub(r"(专业|毕业|的|了|学历)+$", "", chunk)
    return [p for p in re.split(r"(?:的|想|在|去|到|回|找|和|或者|还是)", chunk) if p]


def _tokens(piece: str) -> list[str]:
    from bot.positions.features import title_tokens

    return [t for t in title_tokens(piece).split()
            if len(t) >= 2 and t not in _STOP_TOKENS and not t.isdigit() and not t.endswith(("大学", "学院"))]


@lru_cache(maxsize=1)
def default_parser() -> QueryParser:
    return QueryParser()


def parse_query(text: str) -> ParsedQuery:
    """What ``text`` asks for (see :class:`ParsedQuery`), with the packaged division and major tables."""
    return default_parser().parse(text)
