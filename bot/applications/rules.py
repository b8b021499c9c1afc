"""Whether a sign-up may go in: the eligibility rules of the position's region
(``knowledge.calculators.eligibility``), fed with what the sign-up form collected, and a kind answer for
someone who does not qualify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.calculators.eligibility import Applicant, Eligibility, check
from knowledge.divisions import divisions
from knowledge.schema import REGION_NAMES

# The employment answers of the sign-up form.
REGISTERED = "registered"  # 未就业，已办理失业登记
UNREGISTERED = "unregistered"  # 未就业，未办理失业登记
EMPLOYED = "employed"
EMPLOYMENT_LABELS = {REGISTERED: "未就业，已办理失业登记", UNREGISTERED: "未就业，未办理失业登记",
                     EMPLOYED: "已就业"}

# What someone who cannot take part can do instead.
OTHER_HELP = (
    "· 到当地公共就业服务机构（人社部门）登记求职，可免费获得职业指导、职业介绍和招聘会信息；\n"
    "· 参加政府补贴的职业技能培训，提升技能后再找工作；\n"
    "· 拨打 12333 人社服务热线，或到当地人社部门咨询适合您的就业帮扶政策。"
)


@dataclass(frozen=True)
class Assessment:
    verdict: str  # 可以参加 / 需当地核实 / 不符合
    route: str | None  # 毕业生 / 失业青年: the route that qualifies best
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    place: str  # whose rules: 北京市 / 湖南省长沙市 / 全国
    fallback: bool  # the place has no notice here: the national rule
    citation: str

    @property
    def may_submit(self) -> bool:
        return self.verdict != "不符合"


def _education(level: str | None) -> str | None:
    if not level:
        return None
    return "中专" if level == "中专" else "高校"


def assess(*, region_code: str | None, today: date, graduation: str | None, age: int | None,
           education: str | None, employment: str | None, beijing_origin: bool | None = None,
           beijing_hukou: bool | None = None) -> Assessment:
    """The verdict for this person and a position in ``region_code`` (its most specific division code)."""
    grad: tuple[int, int | None] | None = None
    if graduation:
        year, month = graduation.split("-")
        grad = (int(year), int(month))
    applicant = Applicant(
        graduation=grad,
        age=(age, age) if age is not None else None,
        employed=None if employment is None else employment == EMPLOYED,
        registered=None if employment is None else employment == REGISTERED,
        education=_education(education),  # type: ignore[arg-type]
        beijing_origin=beijing_origin,
        beijing_hukou=beijing_hukou,
    )
    result = check(applicant, region_code, today)
    if result is None:  # nothing to judge by: cannot happen with a graduation date or an age
        return Assessment("需当地核实", None, ("需由当地人社部门审核",), (), "全国", True, "")
    return Assessment(result.verdict, _route(result), result.reasons, result.notes, _place(result, region_code),
                      result.fallback, f"{result.entry.source.doc} {result.entry.source.section}")


def _route(result: Eligibility) -> str | None:
    rank = {"可以参加": 0, "需当地核实": 1, "不符合": 2}
    best = sorted(result.routes.items(), key=lambda kv: (rank[kv[1].verdict], kv[0] != "毕业生"))
    return best[0][0] if best and best[0][1].verdict != "不符合" else None


def _place(result: Eligibility, region_code: str | None) -> str:
    if result.fallback and region_code:
        d = divisions().get(region_code)
        return d.full_name if d else "当地"
    return REGION_NAMES.get(result.region, "全国")


def refusal_text(a: Assessment, position_code: str) -> str:
    """For someone who does not qualify: why, kindly, and what else they can do."""
    rules = f"{a.place}的就业见习条件" if not a.fallback else f"就业见习条件（{a.place}按全国规定）"
    lines = [f"很抱歉，根据您填写的信息，暂时不符合{rules}，这次的报名没有提交："]
    lines += [f"· {r}" for r in a.reasons]
    if a.notes:
        lines.append("；".join(a.notes) + "。")
    lines += ["", "您还可以：", OTHER_HELP, "",
              f"如果是信息填写有误，回复“报名 {position_code}”重新填写（已填的内容会自动带出，可用“修改 项目名”更正）。"]
    if a.citation:
        lines.append(f"依据：{a.citation}，最终以当地人社部门审核为准。")
    return "\n".join(lines)


def caution_text(a: Assessment) -> str | None:
    """For a sign-up that goes in but has something the bureau will check."""
    if a.verdict != "需当地核实":
        return None
    return "提醒：" + "；".join(a.reasons) + "。最终以人社部门审核为准。"
