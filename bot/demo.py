"""Demo population for the simulator and for trying the bot.

The simulator's three personas, sample graduates, and a realistic catalogue: host units across the
country (the five regions of the notices weigh more), each with a contact user; positions from real
divisions and real majors, written through the importer's bulk path (bot.positions.importer); trainees on
internship at those units; officials for each focus region. Deterministic for a seed, and running it again
adds only what is missing (codes and openids that exist are skipped).
"""

from __future__ import annotations

import calendar
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, select, update

from bot.db import Database
from bot.models import Application, ApplicationStatus, Position, PositionStatus, Role, Unit, User, utcnow
from bot.positions import features
from bot.positions.catalogue import Place, PositionRecord
from bot.positions.importer import DEFAULT_BATCH, PositionWriter
from bot.privacy import Vault
from bot.simulator.router import ensure_personas
from knowledge.divisions import MUNICIPALITIES, Division, divisions
from knowledge.majors import majors

# The five regions of the notices weigh more than the rest of the country.
FOCUS_PROVINCES = ["15", "44", "41", "11", "43"]
FOCUS_REGIONS = ("15", "44", "41", "11", "4301")  # 内蒙古, 广东, 河南, 北京, 长沙
FOCUS_SHARE = 0.6  # of units (hence positions) placed in a focus region
# 示范性岗位: 不少于百分之二 in 内蒙古 (内人社办发〔2023〕118号); 不少于百分之一 nationally (人社部发〔2023〕27号)
# and in 河南, 广东, 长沙. A little above each floor, as the regions aim to exceed it.
DEMO_RATIO_MIN = {"15": 0.02}
DEMO_RATIO_DEFAULT_MIN = 0.01
DEMO_RATIO = {"15": 0.03}
DEMO_RATIO_DEFAULT = 0.015
POSITION_CODE = "JX{:08d}"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉健俊帆浩宇欣怡梓涵子轩雨"
BRANDS = ("华创", "恒信", "鼎盛", "中科", "宏达", "锦程", "天成", "远航", "新锐", "博远", "瑞丰", "汇通", "启明",
          "众诚", "盛世", "领航", "卓越", "国泰", "兴业", "金桥", "蓝天", "长风", "创源", "智联", "安泰", "永和",
          "明德", "方圆", "嘉禾", "康达", "润泽", "华夏", "腾飞", "同心", "联创", "信达", "聚力", "云帆", "星辰",
          "东方", "泰和", "德润", "宇通", "海纳", "晨光", "青松", "沃土", "精诚", "广源", "九州", "弘毅", "致远")
STREETS = ("人民路", "解放路", "建设路", "新华", "文化路", "东风路", "和平", "中山路", "青年路", "光明", "迎宾路",
           "胜利", "朝阳", "滨河", "幸福", "南湖", "北城", "西关", "东城", "育才")
FIELDS = ("智能制造", "新材料", "生物技术", "农业科学", "信息技术", "环境科学", "新能源", "数字经济", "食品科学",
          "医药", "现代农业", "节能环保")
@dataclass(frozen=True)
class TitleSpec:
    category: str
    title: str
    duty: str
    majors: tuple[tuple[str, tuple[str, ...]], ...]  # (专业类, majors of that 专业类 the position would name)


def _t(title: str, duty: str, *groups: tuple[str, str]) -> TitleSpec:
    return TitleSpec("", title, duty, tuple((g, tuple(names.split())) for g, names in groups))


TITLES: dict[str, tuple[TitleSpec, ...]] = {
    "科研类": (
        _t("研发助理", "产品研发、技术文档整理和实验数据记录", ("计算机类", "计算机科学与技术 软件工程 智能科学与技术 数据科学与大数据技术"),
           ("电子信息类", "电子信息工程 通信工程 微电子科学与工程")),
        _t("实验室助理", "样品处理、实验操作和仪器维护", ("化学类", "化学 应用化学 化学生物学"),
           ("生物科学类", "生物科学 生物技术 生物信息学")),
        _t("数据分析助理", "数据采集清洗、统计分析和报告撰写", ("统计学类", "统计学 应用统计学 数据科学"),
           ("数学类", "数学与应用数学 信息与计算科学")),
        _t("材料测试助理", "材料性能测试和检测报告整理", ("材料类", "材料科学与工程 材料物理 材料化学 高分子材料与工程 金属材料工程")),
        _t("农业技术研究助理", "田间试验、品种比对和数据记录", ("植物生产类", "农学 园艺 植物保护 种子科学与工程 智慧农业")),
        _t("生物医药研发助理", "药物制剂研究和实验记录", ("药学类", "药学 药物制剂 药物分析 药物化学"),
           ("生物工程类", "生物工程 生物制药 合成生物学")),
        _t("环境监测研究助理", "环境监测采样、分析和数据整理", ("环境科学与工程类", "环境工程 环境科学 环境生态工程 资源环境科学")),
        _t("算法研究助理", "算法实现、模型训练与评测", ("计算机类", "计算机科学与技术 智能科学与技术 数据科学与大数据技术"), ("电子信息类", "人工智能 电子信息工程 信息工程"),
           ("数学类", "数学与应用数学 信息与计算科学 数据计算及应用")),
        _t("食品研发助理", "新产品配方试验与品质检测", ("食品科学与工程类", "食品科学与工程 食品质量与安全 食品营养与健康")),
        _t("科研项目管理助理", "科研项目申报材料整理和进度跟踪", ("管理科学与工程类", "管理科学 信息管理与信息系统 工程管理 大数据管理与应用")),
    ),
    "技术技能类": (
        _t("机械设计助理", "机械零部件设计、绘图和工艺文件编制", ("机械类", "机械设计制造及其自动化 机械工程 机械电子工程 材料成型及控制工程")),
        _t("电气技术员", "电气设备安装调试和日常维护", ("电气类", "电气工程及其自动化 电气工程与智能控制 智能电网信息工程"),
           ("自动化类", "自动化 机器人工程 智能装备与系统")),
        _t("软件开发见习生", "软件功能开发、单元测试和文档编写", ("计算机类", "软件工程 计算机科学与技术 网络工程 数据科学与大数据技术 物联网工程")),
        _t("软件测试员", "测试用例编写、缺陷跟踪和测试报告", ("计算机类", "软件工程 计算机科学与技术 信息安全 网络工程")),
        _t("质量检验员", "原材料与成品检验、质量记录", ("机械类", "机械工程 机械设计制造及其自动化 车辆工程"),
           ("仪器类", "测控技术与仪器 精密仪器"), ("材料类", "材料科学与工程 金属材料工程 焊接技术与工程")),
        _t("施工技术员", "现场施工管理、质量安全检查和资料整理", ("土木类", "土木工程 给排水科学与工程 道路桥梁与渡河工程 智能建造"),
           ("建筑类", "建筑学 城乡规划 风景园林")),
        _t("测绘技术员", "外业测量、内业数据处理和制图", ("测绘类", "测绘工程 遥感科学与技术 地理空间信息工程")),
        _t("护理见习生", "临床护理、健康宣教和护理记录", ("护理学类", "护理学 助产学")),
        _t("医学检验技术员", "标本采集、检验操作和结果登记", ("医学技术类", "医学检验技术 医学实验技术 卫生检验与检疫")),
        _t("网络运维员", "网络设备巡检、故障排查和系统维护", ("计算机类", "网络工程 计算机科学与技术 信息安全 网络空间安全"),
           ("电子信息类", "通信工程 电子信息工程 信息工程")),
        _t("数控技术员", "数控设备操作、编程与工艺优化", ("机械类", "机械设计制造及其自动化 机械电子工程 机械工艺技术")),
        _t("食品检验员", "食品理化与微生物检验", ("食品科学与工程类", "食品质量与安全 食品科学与工程 食品安全与检测")),
        _t("汽车检测技术员", "车辆性能检测与维修记录", ("机械类", "车辆工程 汽车服务工程"), ("交通运输类", "交通运输 交通工程")),
    ),
    "管理类": (
        _t("行政助理", "公文处理、会务组织和日常行政事务", ("公共管理类", "行政管理 公共事业管理 劳动与社会保障"),
           ("工商管理类", "工商管理 人力资源管理")),
        _t("会计助理", "凭证录入、账务核对和报表编制", ("工商管理类", "会计学 财务管理 审计学 资产评估")),
        _t("人力资源专员", "招聘、培训和员工档案管理", ("工商管理类", "人力资源管理 工商管理 劳动关系"),
           ("公共管理类", "劳动与社会保障 行政管理")),
        _t("市场营销专员", "市场调研、客户维护和活动策划", ("工商管理类", "市场营销 工商管理 国际商务"),
           ("电子商务类", "电子商务 跨境电子商务")),
        _t("法务助理", "合同审查、法律文书整理和合规事务", ("法学类", "法学 知识产权 国际经贸规则")),
        _t("文秘", "文稿起草、档案整理和会议记录", ("中国语言文学类", "汉语言文学 秘书学 应用语言学"),
           ("新闻传播学类", "新闻学 传播学")),
        _t("新媒体运营", "公众号与短视频内容策划和运营", ("新闻传播学类", "网络与新媒体 新闻学 广告学 传播学"),
           ("设计学类", "视觉传达设计 数字媒体艺术")),
        _t("物流管理助理", "仓储调度、单据管理和供应链协调", ("物流管理与工程类", "物流管理 物流工程 供应链管理 采购管理")),
        _t("外贸业务助理", "外贸单证、客户沟通和订单跟进", ("经济与贸易类", "国际经济与贸易 贸易经济 数字贸易"),
           ("外国语言文学类", "英语 商务英语 日语 俄语")),
        _t("金融业务助理", "客户服务、业务资料审核和数据统计", ("金融学类", "金融学 金融工程 保险学 投资学 金融科技")),
        _t("档案管理员", "档案整理、数字化和借阅管理", ("图书情报与档案管理类", "档案学 信息资源管理 图书馆学")),
        _t("项目管理助理", "项目计划编制、进度跟踪和资料归档", ("管理科学与工程类", "工程管理 工程造价 管理科学 信息管理与信息系统")),
        _t("酒店运营助理", "前厅接待、客房管理和服务质量跟进", ("旅游管理类", "酒店管理 旅游管理 会展经济与管理")),
    ),
    "社会服务类": (
        _t("社区工作者", "社区走访、居民服务和台账整理", ("社会学类", "社会工作 社会学 社会政策"),
           ("公共管理类", "公共事业管理 行政管理 城市管理")),
        _t("养老服务专员", "老年人照护服务、活动组织和健康档案管理", ("社会学类", "社会工作 老年学 家政学"),
           ("护理学类", "护理学")),
        _t("幼儿教师助理", "幼儿保育、教学活动组织和家园沟通", ("教育学类", "学前教育 小学教育 教育学 特殊教育")),
        _t("心理辅导员", "心理咨询辅助、心理健康宣传和个案记录", ("心理学类", "心理学 应用心理学")),
        _t("社区卫生服务助理", "健康档案管理、慢病随访和卫生宣传", ("公共卫生与预防医学类", "预防医学 妇幼保健医学 卫生监督"),
           ("护理学类", "护理学")),
        _t("文化活动策划", "群众文化活动策划、组织和宣传", ("艺术学理论类", "艺术管理 艺术史论 非物质文化遗产保护"),
           ("新闻传播学类", "传播学 网络与新媒体")),
        _t("社会体育指导员", "全民健身活动组织和体育指导", ("体育学类", "社会体育指导与管理 体育教育 运动训练 休闲体育")),
        _t("图书馆服务助理", "图书流通、阅读推广和数字资源管理", ("图书情报与档案管理类", "图书馆学 信息资源管理 档案学")),
        _t("就业服务专员", "就业登记、岗位推送和政策宣传", ("公共管理类", "劳动与社会保障 行政管理 公共事业管理"),
           ("社会学类", "社会工作 社会学")),
        _t("志愿服务协调员", "志愿者招募、培训和服务项目管理", ("社会学类", "社会工作 社会学"),
           ("公共管理类", "公共事业管理 行政管理")),
    ),
}
TITLE_SPECS: dict[str, TitleSpec] = {
    spec.title: TitleSpec(category, spec.title, spec.duty, spec.majors)
    for category, specs in TITLES.items() for spec in specs
}


@dataclass(frozen=True)
class UnitKind:
    """A kind of host unit: how it is named, the positions it offers, the prefix of its credit code."""

    names: tuple[str, ...]
    titles: tuple[str, ...]  # its own positions
    extra: tuple[str, ...]  # positions any organisation of its kind may also offer (about one in five)
    weight: int
    credit_prefix: str = "91"  # 91 企业; 12 事业单位; 52 民办非企业单位


def _k(names: str, titles: str, extra: str, weight: int, credit_prefix: str = "91") -> UnitKind:
    return UnitKind(tuple(names.split()), tuple(titles.split()), tuple(extra.split()), weight, credit_prefix)


_OFFICE = "行政助理 会计助理 人力资源专员"
UNIT_KINDS: tuple[UnitKind, ...] = (
    _k("{city}{field}研究院 {city}{field}研究所 {prov}{field}研究中心",
       "研发助理 实验室助理 数据分析助理 材料测试助理 农业技术研究助理 环境监测研究助理 算法研究助理 科研项目管理助理",
       "行政助理 档案管理员 会计助理", 5, "12"),
    _k("{city}{brand}{field}科技有限公司 {city}{brand}信息技术有限公司",
       "研发助理 算法研究助理 数据分析助理 软件开发见习生 软件测试员", "市场营销专员 " + _OFFICE, 6),
    _k("{city}{brand}生物医药有限公司 {city}{brand}药业有限公司", "生物医药研发助理 实验室助理 质量检验员",
       "市场营销专员 行政助理", 2),
    _k("{city}{brand}检验检测有限公司", "实验室助理 食品检验员 环境监测研究助理 材料测试助理", _OFFICE, 2),
    _k("{city}{brand}机械制造有限公司 {city}{brand}精密制造有限公司 {city}{brand}新材料股份有限公司",
       "机械设计助理 数控技术员 质量检验员 电气技术员 材料测试助理", _OFFICE + " 物流管理助理", 12),
    _k("{city}{brand}汽车零部件有限公司", "机械设计助理 汽车检测技术员 质量检验员 数控技术员", _OFFICE, 3),
    _k("{city}{brand}食品有限公司", "食品研发助理 食品检验员 质量检验员", "市场营销专员 物流管理助理 会计助理", 3),
    _k("{city}{brand}电子科技有限公司 {city}{brand}软件有限公司", "软件开发见习生 软件测试员 网络运维员 电气技术员",
       "市场营销专员 新媒体运营 行政助理", 7),
    _k("{city}{brand}建设工程有限公司 {city}{brand}电力工程有限公司 {city}{brand}测绘有限公司",
       "施工技术员 测绘技术员 电气技术员", "项目管理助理 会计助理 行政助理", 6),
    _k("{district}人民医院 {district}中医医院", "护理见习生 医学检验技术员", "行政助理 档案管理员 会计助理", 4, "12"),
    _k("{city}技师学院 {city}{brand}职业技能培训学校", "数控技术员 电气技术员 网络运维员", "行政助理 文秘", 2, "12"),
    _k("{city}{brand}商贸有限公司 {city}{brand}电子商务有限公司",
       "市场营销专员 外贸业务助理 会计助理 新媒体运营 物流管理助理", "人力资源专员 行政助理", 7),
    _k("{city}{brand}物流有限公司 {city}{brand}供应链管理有限公司", "物流管理助理 会计助理", "行政助理 人力资源专员", 4),
    _k("{city}{brand}会计师事务所有限公司 {city}{brand}税务师事务所有限公司", "会计助理", "行政助理", 2),
    _k("{city}{brand}律师事务所", "法务助理 文秘", "行政助理", 2, "31"),
    _k("{city}{brand}文化传媒有限公司 {district}融媒体中心", "新媒体运营 文秘 文化活动策划", "行政助理 会计助理", 3),
    _k("{city}城市建设投资集团有限公司 {city}{brand}农业发展有限公司 {city}{brand}产业投资有限公司",
       "行政助理 会计助理 项目管理助理 法务助理 档案管理员 人力资源专员", "施工技术员", 4),
    _k("{city}{brand}人力资源服务有限公司", "人力资源专员 就业服务专员", "行政助理 会计助理", 2),
    _k("{city}{brand}酒店管理有限公司 {city}{brand}旅游发展有限公司", "酒店运营助理 市场营销专员", "会计助理 行政助理", 2),
    _k("{city}{brand}投资管理有限公司 {city}{brand}融资担保有限公司", "金融业务助理 会计助理", "法务助理 行政助理", 2),
    _k("{district}{street}街道社区服务中心 {district}{street}街道便民服务中心", "社区工作者 就业服务专员 志愿服务协调员",
       "行政助理 档案管理员", 7, "12"),
    _k("{city}{brand}社会工作服务中心", "社区工作者 志愿服务协调员 养老服务专员 心理辅导员", "行政助理", 3, "52"),
    _k("{district}养老服务中心 {city}{brand}康养服务有限公司", "养老服务专员 社区卫生服务助理", "行政助理 会计助理", 3),
    _k("{city}{brand}幼儿园", "幼儿教师助理", "行政助理", 3, "52"),
    _k("{district}图书馆 {district}文化馆", "图书馆服务助理 文化活动策划 档案管理员", "行政助理", 2, "12"),
    _k("{city}{brand}心理咨询服务中心", "心理辅导员", "行政助理", 1, "52"),
    _k("{district}{street}社区卫生服务中心", "社区卫生服务助理 护理见习生", "行政助理 档案管理员", 3, "12"),
    _k("{district}青少年活动中心 {district}全民健身中心", "社会体育指导员 文化活动策划", "行政助理", 2, "12"),
    _k("{district}公共就业服务中心", "就业服务专员 档案管理员", "行政助理", 2, "12"),
)
OWN_TITLE_SHARE = 0.8
EDUCATION_WEIGHTS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "科研类": (("不限", "大专", "本科", "硕士", "博士"), (5, 10, 55, 25, 5)),
    "技术技能类": (("不限", "中专", "大专", "本科", "硕士"), (10, 10, 42, 35, 3)),
    "管理类": (("不限", "大专", "本科", "硕士"), (10, 35, 50, 5)),
    "社会服务类": (("不限", "中专", "大专", "本科"), (20, 5, 45, 30)),
}
HEADCOUNTS = ((1, 2, 3, 4, 5, 6, 8, 10), (30, 25, 15, 8, 10, 4, 3, 5))
MONTHS = ((6, 12, 3, 4, 5, 8, 9, 10, 11, 7), (45, 30, 10, 3, 2, 3, 3, 2, 1, 1))
NO_LIMIT_SHARE = 0.12  # positions open to any major
WHOLE_GROUP_SHARE = 0.10  # positions that name a whole 专业类 (计算机类)
MAJOR_VARIANTS = 12  # precomputed major combinations per title


@dataclass
class DemoUnit:
    index: int
    name: str
    place: Place
    kind: UnitKind
    is_base: bool
    phone: str
    contact_name: str
    openid: str
    credit_code: str
    id: int | None = None
    samples: list[tuple[str, int, str, str]] = field(default_factory=list)  # (code, months, education, majors)


def seed_if_empty(db: Database, vault: Vault | None = None) -> bool:
    """Seed the demo population only into a database with neither users nor positions (an imported
    catalogue is never mixed with demo positions); True when it seeded."""
    with db.session() as s:
        if s.scalar(select(User.id).limit(1)) is not None or s.scalar(select(Position.id).limit(1)) is not None:
            return False
    seed(db, vault=vault)
    return True


def seed(db: Database, positions: int = 2000, units: int = 200, trainees: int = 100, graduates: int = 100,
         rng_seed: int = 7, *, vault: Vault | None = None, today: date | None = None,
         batch_size: int = DEFAULT_BATCH, on_progress: Callable[[int, int], None] | None = None,
         ) -> dict[str, Any]:
    """Fill the database; returns what was added (``positions_existing``: codes already there)."""
    started = time.perf_counter()
    if vault is None:
        from bot.config import get_settings

        vault = Vault(get_settings().secret_key)
    today = today or date.today()
    ensure_personas(db)
    summary: dict[str, Any] = {"personas": 3, "graduates": _seed_graduates(db, graduates, rng_seed)}
    summary["officials"] = _seed_officials(db, random.Random(rng_seed * 1000 + 4))
    demo_units = _make_units(max(units, 1 if positions else 0), random.Random(rng_seed * 1000 + 1))
    summary["units"] = _write_units(db, vault, demo_units)
    inserted, existing = _write_positions(db, vault, demo_units, positions, random.Random(rng_seed * 1000 + 2),
                                          today, batch_size, on_progress)
    summary["positions"], summary["positions_existing"] = inserted, existing
    summary["trainees"] = _seed_trainees(db, demo_units, trainees, random.Random(rng_seed * 1000 + 3), today)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


# ----------------------------------------------------------------------------------------- people


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188",
                       "130", "131", "132", "155", "156", "133", "153", "180", "181", "189", "177", "199")) + \
        f"{rng.randrange(10**8):08d}"


def _seed_graduates(db: Database, graduates: int, rng_seed: int) -> int:
    rng = random.Random(rng_seed)
    counties = [d for d in divisions().by_code.values() if d.level == "county"]
    focus = [d for d in counties if d.province_code in FOCUS_PROVINCES]
    names = majors().names
    made = 0
    with db.session() as s:
        existing = set(s.scalars(select(User.openid).where(User.openid.startswith("demo-g-"))))
        for i in range(graduates):
            openid = f"demo-g-{i:05d}"
            if openid in existing:
                continue
            place = rng.choice(focus if rng.random() < 0.7 else counties)
            s.add(User(openid=openid, role=Role.graduate.value, name=rng.choice(SURNAMES) + rng.choice(GIVEN) +
                       rng.choice(GIVEN), education=rng.choice(["大专", "本科", "本科", "硕士"]),
                       major=rng.choice(names), graduation=f"{rng.choice([2025, 2026])}-0{rng.choice([6, 7])}",
                       region_code=place.code, region_name=place.full_name, subscribed=True, pushes_enabled=True))
            made += 1
    return made


def _seed_officials(db: Database, rng: random.Random, per_region: int = 2) -> int:
    made = 0
    divs = divisions()
    with db.session() as s:
        existing = set(s.scalars(select(User.openid).where(User.openid.startswith("demo-o-"))))
        for region in FOCUS_REGIONS:
            place = divs.by_code[region]
            for k in range(1, per_region + 1):
                openid = f"demo-o-{region}-{k}"
                name = _person(rng)
                if openid in existing:
                    continue
                s.add(User(openid=openid, role=Role.official.value, name=name, region_code=place.code,
                           region_name=place.full_name, subscribed=True, pushes_enabled=True))
                made += 1
    return made


# ----------------------------------------------------------------------------------------- units


def place_of(d: Division) -> Place:
    """The catalogue place of a county-level division (what the importer would resolve for it)."""
    divs = divisions()
    prov = divs.by_code[d.province_code]
    if d.level == "county" and d.city_code:
        return Place(prov.code, d.city_code, d.code, prov.name, divs.by_code[d.city_code].name, d.name)
    if d.level == "county" and prov.code in MUNICIPALITIES:
        return Place(prov.code, None, d.code, prov.name, prov.name, d.name)
    if d.level == "county":  # a county-level city directly under its province (济源市)
        return Place(prov.code, None, d.code, prov.name, d.name, None)
    if d.level == "city":
        return Place(prov.code, d.code, None, prov.name, d.name, None)
    return Place(prov.code, None, None, prov.name, prov.name if prov.code in MUNICIPALITIES else None, None)


def place_name(place: Place) -> str:
    """广东省广州市天河区; 北京市朝阳区; 河南省济源市."""
    city = place.city if place.city and place.city != place.province else ""
    return place.province + city + (place.district or "")


def _places() -> tuple[list[list[Division]], list[Division]]:
    """Counties of each focus region, and every county of the country."""
    counties = [d for d in divisions().by_code.values() if d.level == "county"]
    focus = [[d for d in counties if d.code.startswith(r)] for r in FOCUS_REGIONS]
    return focus, counties


def _short(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "自治州", "地区", "省", "市", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(index: int, county: str, prefix: str = "91") -> str:
    """A well-formed 统一社会信用代码 (GB 32100, with a GB 11714 organisation code), unique per index."""
    body = f"{(index * 7919 + 12345678) % 10**8:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = prefix + county + org
    total = sum(_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _ALPHABET[(31 - total % 31) % 31]


def _make_units(count: int, rng: random.Random) -> list[DemoUnit]:
    focus, counties = _places()
    kind_weights = [k.weight for k in UNIT_KINDS]
    taken: set[tuple[str, str]] = set()
    out = []
    for i in range(count):
        if rng.random() < FOCUS_SHARE:
            county = rng.choice(rng.choice(focus))
        else:
            county = rng.choice(counties)
        place = place_of(county)
        kind = rng.choices(UNIT_KINDS, kind_weights)[0]
        city = _short(place.city or place.province)
        district = place.district or place.city or place.province
        name = ""
        for attempt in range(30):
            name = rng.choice(kind.names).format(
                city=city, prov=_short(place.province), district=district, brand=rng.choice(BRANDS),
                field=rng.choice(FIELDS), street=rng.choice(STREETS))
            if attempt >= 20:  # the place already has every plain variant: a branch
                name = f"{name}{rng.choice(BRANDS)}分部"
            if (name, place.code) not in taken:
                break
        taken.add((name, place.code))
        assert place.county_code is not None
        out.append(DemoUnit(index=i, name=name, place=place, kind=kind, is_base=rng.random() < 0.1,
                            phone=_mobile(rng), contact_name=_person(rng), openid=f"demo-u-{i + 1:06d}",
                            credit_code=credit_code(i, place.county_code, kind.credit_prefix)))
    return out


def _write_units(db: Database, vault: Vault, units: list[DemoUnit]) -> int:
    """Create the units and their contact users that are missing; set every unit's id."""
    now = utcnow()
    openids = [u.openid for u in units]
    with db.engine.begin() as conn:
        known: dict[str, int] = {}
        users: set[str] = set()
        for i in range(0, len(openids), 5000):
            chunk = openids[i : i + 5000]
            query = select(Unit.contact_openid, Unit.id).where(Unit.contact_openid.in_(chunk))
            known.update((str(openid), int(uid)) for openid, uid in conn.execute(query))
            users.update(conn.scalars(select(User.openid).where(User.openid.in_(chunk))))
        new = [u for u in units if u.openid not in known]
        if new:
            rows = []
            for u in new:
                p = u.place
                rows.append({"name": u.name, "credit_code": u.credit_code, "province_code": p.province_code,
                             "city_code": p.city_code, "county_code": p.county_code, "contact_name": u.contact_name,
                             "contact_phone_enc": vault.encrypt(u.phone),
                             "contact_phone_hash": vault.lookup_hash(u.phone), "contact_openid": u.openid,
                             "is_base": u.is_base, "status": "approved", "created_at": now, "updated_at": now})
            stmt = Unit.__table__.insert().returning(Unit.__table__.c.id, sort_by_parameter_order=True)
            for u, row in zip(new, conn.execute(stmt, rows), strict=True):
                known[u.openid] = row[0]
        user_rows = [{"openid": u.openid, "role": Role.unit.value, "region_code": u.place.code,
                      "region_name": place_name(u.place),
                      "name": u.contact_name, "subscribed": True, "pushes_enabled": True, "subscribed_at": now,
                      "created_at": now, "updated_at": now}
                     for u in units if u.openid not in users]
        if user_rows:
            conn.execute(User.__table__.insert(), user_rows)
    for u in units:
        u.id = known[u.openid]
    return len(new)


# ----------------------------------------------------------------------------------------- positions


@dataclass(frozen=True)
class _Variant:
    title: str
    category: str
    description: str
    majors_text: str
    major_codes: str
    tokens: str


def _variants(rng: random.Random) -> dict[str, list[_Variant]]:
    """Per title: a few major combinations, with their features computed once."""
    catalogue = majors()
    by_group: dict[str, list[str]] = {}
    for m in catalogue.by_name.values():
        if not any(sep in m.name for sep in "、，,;；/ "):
            by_group.setdefault(m.group, []).append(m.name)
    out: dict[str, list[_Variant]] = {}
    for title, spec in TITLE_SPECS.items():
        tokens = features.title_tokens(title)
        description = f"协助开展{spec.duty}等工作；有带教老师指导，按规定享受见习补贴。"
        variants = []
        for v in range(MAJOR_VARIANTS):
            group, named = spec.majors[v % len(spec.majors)]
            pool = [n for n in named if n in catalogue.by_name and catalogue.by_name[n].group == group]
            pool = pool or by_group[group]
            roll = rng.random()
            if roll < NO_LIMIT_SHARE:
                text = "不限"
            elif roll < NO_LIMIT_SHARE + WHOLE_GROUP_SHARE:
                text = group
            else:
                text = "、".join(rng.sample(pool, min(len(pool), rng.randint(2, 4))))
            codes = "" if text == "不限" else features.major_codes(text)
            variants.append(_Variant(title, spec.category, description, text, codes, tokens))
        out[title] = variants
    return out


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _generate(units: list[DemoUnit], count: int, rng: random.Random, today: date) -> Iterator[PositionRecord]:
    variants = _variants(rng)
    own = {u.index: [variants[t] for t in u.kind.titles] for u in units}
    extra = {u.index: [variants[t] for t in u.kind.extra] or own[u.index] for u in units}
    cum: list[float] = []
    total = 0.0
    for u in units:
        total += (4.0 if u.is_base else 1.0) * rng.lognormvariate(0, 0.8)
        cum.append(total)
    heads, head_cum = HEADCOUNTS[0], _cumulative(HEADCOUNTS[1])
    months_v, months_cum = MONTHS[0], _cumulative(MONTHS[1])
    edu_cum = {c: (levels, _cumulative(w)) for c, (levels, w) in EDUCATION_WEIGHTS.items()}
    # 示范岗位 at each province's ratio: flagged whenever the province's rounded quota (ratio × positions so
    # far) goes up, so every province is at its ratio within half a position, whatever the count.
    ratio = {p: DEMO_RATIO.get(p, DEMO_RATIO_DEFAULT) for p in {u.place.province_code for u in units}}
    seen = dict.fromkeys(ratio, 0)
    random_ = rng.random
    unit_total, head_total, months_total = cum[-1], head_cum[-1], months_cum[-1]
    day = [today + timedelta(days=k - 400) for k in range(800)]  # day[400] is today
    open_, full, closed = PositionStatus.open.value, PositionStatus.full.value, PositionStatus.closed.value
    for i in range(count):
        unit = units[bisect(cum, random_() * unit_total)]
        titles = own[unit.index] if random_() < OWN_TITLE_SHARE else extra[unit.index]
        v = titles[int(random_() * len(titles))]
        variant = v[int(random_() * len(v))]
        category = variant.category
        levels, ecum = edu_cum[category]
        education = levels[bisect(ecum, random_() * ecum[-1])]
        headcount = heads[bisect(head_cum, random_() * head_total)]
        months = months_v[bisect(months_cum, random_() * months_total)]
        roll = random_()
        opens = day[400 - int(random_() * 120)]
        if roll < 0.85:
            status, left = open_, 1 + int(random_() * headcount)
            closes = day[415 + int(random_() * 165)]
        elif roll < 0.95:
            status, left = full, 0
            closes = day[415 + int(random_() * 165)]
        else:
            status, left = closed, int(random_() * headcount)
            back = 1 + int(random_() * 60)
            closes = day[400 - back]
            opens = day[400 - back - 30 - int(random_() * 90)]
        province = unit.place.province_code
        n = seen[province]
        seen[province] = n + 1
        share = ratio[province]
        demonstration = int(share * (n + 1) + 0.5) > int(share * n + 0.5)
        code = POSITION_CODE.format(i + 1)
        if len(unit.samples) < 8:
            unit.samples.append((code, months, education, variant.majors_text))
        yield PositionRecord(row=i + 1, code=code, unit_name=unit.name, title=variant.title, category=category,
                             majors_text=variant.majors_text, major_codes=variant.major_codes,
                             search_tokens=variant.tokens, education=education, place=unit.place,
                             headcount=headcount, months=months, demonstration=demonstration,
                             description=variant.description, phone=unit.phone, status=status,
                             places_left=left, opens_on=opens, closes_on=closes)


def _cumulative(weights: tuple[int, ...] | list[int]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def generate_positions(units: int, positions: int, rng_seed: int = 7,
                       today: date | None = None) -> Iterator[PositionRecord]:
    """The demo catalogue as records, without a database (for benchmarks and test files)."""
    demo_units = _make_units(max(units, 1), random.Random(rng_seed * 1000 + 1))
    return _generate(demo_units, positions, random.Random(rng_seed * 1000 + 2), today or date.today())


def _write_positions(db: Database, vault: Vault, units: list[DemoUnit], count: int, rng: random.Random,
                     today: date, batch_size: int, on_progress: Callable[[int, int], None] | None,
                     ) -> tuple[int, int]:
    if not count:
        return 0, 0
    inserted = existing = done = 0
    with PositionWriter(db, vault, update_existing=False) as writer:
        for u in units:  # every unit's phone is encrypted once already: reuse one ciphertext per unit
            writer.encrypt_phone(u.phone)
        batch: list[PositionRecord] = []
        for record in _generate(units, count, rng, today):
            batch.append(record)
            if len(batch) >= batch_size:
                found = len(writer.write(batch))
                existing += found
                inserted += len(batch) - found
                done += len(batch)
                batch = []
                if on_progress:
                    on_progress(done, count)
        if batch:
            found = len(writer.write(batch))
            existing += found
            inserted += len(batch) - found
            done += len(batch)
    if on_progress:
        on_progress(done, count)
    return inserted, existing


# ----------------------------------------------------------------------------------------- trainees


def _seed_trainees(db: Database, units: list[DemoUnit], count: int, rng: random.Random, today: date) -> int:
    """Graduates on internship at demo positions, spread over units so that many units have one."""
    hosts = [u for u in units if u.samples]
    if not count or not hosts:
        return 0
    rng.shuffle(hosts)
    catalogue = majors()
    plan = []
    for j in range(count):
        unit = hosts[j % len(hosts)]
        code, months, education, majors_text = rng.choice(unit.samples)
        named = [n for n in majors_text.split("、") if n in catalogue.by_name]
        major = rng.choice(named) if named else rng.choice(catalogue.names)
        if education == "不限":
            education = rng.choice(["大专", "本科", "本科"])
        starts = today - timedelta(days=1 + int(rng.random() * max(1, months * 30 - 10)))
        plan.append((f"demo-t-{j + 1:06d}", unit, code, months, education, major, starts, _person(rng)))
    now = utcnow()
    made = 0
    for i in range(0, len(plan), 5000):
        chunk = plan[i : i + 5000]
        with db.engine.begin() as conn:
            known = set(conn.scalars(select(User.openid).where(User.openid.in_([p[0] for p in chunk]))))
            chunk = [p for p in chunk if p[0] not in known]
            codes = sorted({p[2] for p in chunk})
            query = select(Position.code, Position.id).where(Position.code.in_(codes))
            ids = {str(code): int(pid) for code, pid in conn.execute(query)}
            chunk = [p for p in chunk if p[2] in ids]
            if not chunk:
                continue
            conn.execute(User.__table__.insert(), [
                {"openid": openid, "role": Role.graduate.value, "name": name, "education": education,
                 "major": major, "graduation": f"{rng.choice([2025, 2026])}-0{rng.choice([6, 7])}",
                 "region_code": unit.place.code, "region_name": place_name(unit.place), "subscribed": True,
                 "pushes_enabled": True, "subscribed_at": now, "created_at": now, "updated_at": now}
                for openid, unit, _c, _m, education, major, _s, name in chunk])
            conn.execute(Application.__table__.insert(), [
                {"openid": openid, "position_id": ids[code], "position_code": code, "unit_id": unit.id,
                 "region_code": unit.place.code, "status": ApplicationStatus.on_internship.value,
                 "starts_on": starts, "ends_on": _add_months(starts, months),
                 "created_at": datetime.combine(starts - timedelta(days=7 + int(rng.random() * 21)),
                                                datetime.min.time()), "updated_at": now}
                for openid, unit, code, months, _e, _m, starts, _n in chunk])
            # Each trainee fills a place; the last place filled makes an open position full.
            table = Position.__table__
            left, status = table.c.places_left, table.c.status
            conn.execute(update(table).where(table.c.id == bindparam("pid")).values(
                places_left=case((left > 0, left - 1), else_=0),
                status=case((and_(left <= 1, status == PositionStatus.open.value), PositionStatus.full.value),
                            else_=status)), [{"pid": ids[p[2]]} for p in chunk])
            made += len(chunk)
    return made
