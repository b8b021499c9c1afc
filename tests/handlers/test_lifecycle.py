"""The whole paperwork in one scripted conversation, through the real webhook on SQLite and PostgreSQL: a unit
registers, an official approves it and its position, a graduate signs up, the unit accepts and signs the
agreement, reports a month of attendance and claims the subsidy, the official approves and pays — with the
amount computed by hand from the notice and the minimum-wage table."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.models import Application, ApplicationEvent, Position, Role, SubsidyClaim, Unit, User
from bot.validators import credit_check_char
from knowledge.calculators.min_wage import current_table
from tests.conftest import WeChatUser
from tests.signup_helpers import id_number, last_year_june

CREDIT = "91150102MA0N1234X"  # 17 characters; the check character is computed
CREDIT += credit_check_char(CREDIT)


def test_from_registration_to_a_paid_claim(client, settings, standin) -> None:
    db = client.app.state.services.db
    today = date.today()
    with db.session() as s:
        s.add(User(openid="o_official_nm", role=Role.official.value, region_code="15", region_name="内蒙古自治区",
                   name="自治区人社厅"))
    unit = WeChatUser(client, settings, openid="o_unit_hohhot")
    official = WeChatUser(client, settings, openid="o_official_nm")
    graduate = WeChatUser(client, settings, openid="o_graduate_hohhot")

    # The unit registers; the official approves it.
    unit.say("单位申报")
    for answer in ("呼和浩特新城青城数据服务有限公司", CREDIT, "呼和浩特市新城区", "高娃", "13804710000", "60",
                   "2015年6月", "2"):
        unit.say(answer)
    assert "已提交" in unit.say("确认")
    inbox = official.say("待办")
    unit_ref = re.search(r"· 单位(\d+)：", inbox).group(1)
    assert "已通过" in official.say(f"通过 单位{unit_ref}")

    # The unit publishes a position; the official approves it; the graduate finds it and signs up.
    unit.say("发布岗位")
    for answer in ("数据标注助理", "2", "计算机科学与技术、软件工程", "3", "2", "6", "数据整理与标注，有带教。"):
        unit.say(answer)
    published = unit.say("确认")
    code = re.search(r"岗位编号 (\S+?)）", published).group(1)
    assert "招募中" in official.say(f"通过 岗位{code}")
    found = graduate.say("计算机 呼和浩特")
    assert code in found
    graduate.say(f"报名 {code}")
    for answer in ("其其格", "13904710000", id_number(23, area="150102", serial="777"), "本科", "内蒙古大学",
                   "计算机科学与技术", last_year_june(), "呼和浩特市新城区", "2", "2"):
        graduate.say(answer)
    assert "报名已提交" in graduate.say("确认")
    # The unit accepts and signs the agreement from the first of last month: the graduate signed up before that
    # (an agreement cannot start before the sign-up).
    first = date(today.year, today.month, 1)
    start = date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)
    with db.session() as s:
        application = s.scalar(select(Application).where(Application.openid == "o_graduate_hohhot"))
        application.created_at = datetime.combine(start - timedelta(days=10), datetime.min.time())
        application_id = application.id
    end = date(start.year + (start.month + 4) // 12, (start.month + 4) % 12 + 1, 28)
    month = f"{start.year}-{start.month:02d}"
    assert "审核通过" in unit.say(f"录用 报名{application_id}")
    assert "见习中" in unit.say(f"签协议 报名{application_id} {start.isoformat()} {end.isoformat()}")
    told = [m["payload"]["text"]["content"] for m in standin.messages("o_graduate_hohhot")]
    assert any("审核通过" in t for t in told) and any("见习协议已签订" in t for t in told)
    assert "见习中" in graduate.say("我的报名")

    # A month of attendance, then the claim: 50% of the 自治区一类区 minimum wage (内人社办发〔2023〕118号).
    assert "超过了" in unit.say(f"考勤 {month} 其其格 40")
    assert "已保存" in unit.say(f"考勤 {month} 其其格 20")
    preview = unit.say(f"申领补贴 {month}")
    wage = current_table().tier_rule("15", "一类", start).monthly_yuan
    expected = (wage * Decimal("0.5")).quantize(Decimal("0.01"))
    assert f"合计：{expected:f}".rstrip("0").rstrip(".") + "元" in preview, preview
    assert "已提交" in unit.say(f"确认申领 {month}")
    inbox = official.say("待办")
    claim_ref = re.search(r"· 补贴(\d+)：", inbox).group(1)
    assert "审核通过，待拨付" in official.say(f"通过 补贴{claim_ref}")
    assert "已拨付" in official.say(f"拨付 补贴{claim_ref}")
    with db.session() as s:
        claim = s.scalar(select(SubsidyClaim))
        assert claim.status == "paid" and claim.total == expected
    told = [m["payload"]["text"]["content"] for m in standin.messages("o_unit_hohhot")]
    assert sum("已拨付" in t or "待拨付" in t for t in told) == 2


def test_the_unit_records_the_end_of_internships_in_chat(client, settings, standin) -> None:
    """期满 / 留用 / 提前结束 in chat, through the same state table as the admin API; the trainee is told."""
    db = client.app.state.services.db
    today = date.today()
    with db.session() as s:
        s.add(User(openid="o_unit_end", role=Role.unit.value))
        unit = Unit(name="呼和浩特期满测试单位", province_code="15", city_code="1501", county_code="150102",
                    contact_openid="o_unit_end", status="approved")
        other = Unit(name="别的单位", province_code="15", city_code="1501", county_code="150102",
                     contact_openid="o_unit_other", status="approved")
        s.add_all([unit, other])
        s.flush()
        p = Position(code=f"E{unit.id}-1", unit_id=unit.id, unit_name=unit.name, title="行政助理", category="管理类",
                     province_code="15", province="内蒙古自治区", city_code="1501", city="呼和浩特市",
                     county_code="150102", district="新城区", headcount=3, places_left=0, status="full")
        s.add(p)
        s.flush()
        ids = {}
        for name, ends in (("甲一", today - timedelta(days=3)), ("乙二", today + timedelta(days=60)),
                           ("丙三", today + timedelta(days=60))):
            a = Application(openid=f"o_end_{name}", position_id=p.id, position_code=p.code, unit_id=unit.id,
                            region_code="150102", status="on_internship", applicant_name=name,
                            starts_on=today - timedelta(days=150), ends_on=ends,
                            created_at=datetime.combine(today - timedelta(days=160), datetime.min.time()))
            s.add(a)
            s.flush()
            ids[name] = a.id
    u = WeChatUser(client, settings, openid="o_unit_end")
    stranger = WeChatUser(client, settings, openid="o_unit_other")
    with db.session() as s:
        s.add(User(openid="o_unit_other", role=Role.unit.value))
    assert "没有找到" in stranger.say(f"期满 报名{ids['甲一']}")  # another unit's trainee

    done = u.say(f"期满 报名{ids['甲一']}")
    assert "见习期满" in done and "已通知见习人员" in done
    assert "已留用" in u.say(f"留用 报名{ids['甲一']}")  # kept on after the end: completed → retained
    assert "不能改为" in u.say(f"提前结束 报名{ids['甲一']} 个人原因")  # the state table refuses
    told = [m["payload"]["text"]["content"] for m in standin.messages("o_end_甲一")]
    assert any("见习期已满" in t for t in told) and any("恭喜您被见习单位留用" in t for t in told)

    assert "才满" in u.say(f"期满 报名{ids['乙二']}")  # not yet over: 提前结束 or 留用 instead
    assert "请写明提前结束的原因" in u.say(f"提前结束 报名{ids['乙二']}")
    assert "不能晚于今天" in u.say(f"提前结束 报名{ids['乙二']} {today + timedelta(days=5)} 个人原因")
    ended = u.say(f"提前结束 报名{ids['乙二']} 考上研究生")
    assert "提前结束见习" in ended and "已通知见习人员" in ended
    [told] = standin.messages("o_end_乙二")
    assert "考上研究生" in told["payload"]["text"]["content"]
    assert "已留用" in u.say(f"留用 报名{ids['丙三']}")  # kept on before the end
    with db.session() as s:
        rows = {a.applicant_name: a for a in s.scalars(select(Application).where(Application.unit_id == unit.id))}
        assert rows["甲一"].status == "retained" and rows["丙三"].status == "retained"
        assert rows["乙二"].status == "ended_early" and rows["乙二"].ends_on == today
        assert rows["乙二"].reason == "考上研究生"
        actors = set(s.scalars(select(ApplicationEvent.actor).where(ApplicationEvent.application_id.in_(ids.values()))))
        assert actors == {f"unit:{unit.id}"}
    listed = u.say("我的申请人")
    assert "期满 报名12" in listed and "留用 报名12" in listed and "提前结束 报名12" in listed
