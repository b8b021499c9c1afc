"""Attendance and subsidy claims in chat, through the real webhook on SQLite and PostgreSQL: bad attendance
refused with the reason and nothing saved, a claim computed from the notice's rate and the minimum-wage table,
the "1+1" difference, the official's review and payment, and the unit told each time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bot.models import Application, ApplicationEvent, Attendance, Position, Role, SubsidyClaim, Unit, User
from knowledge.calculators.min_wage import current_table
from tests.conftest import WeChatUser

TODAY = date.today()


def _setup(client, region: tuple[str, str, str | None, str, str | None, str | None], unit_openid: str) -> int:  # type: ignore[no-untyped-def]
    """An approved unit with a position and two trainees on internship since August (张三, 李四)."""
    prov_code, prov, city_code, city, county_code, district = region
    with client.app.state.services.db.session() as s:
        s.add(User(openid=unit_openid, role=Role.unit.value))
        unit = Unit(name="测试见习单位", province_code=prov_code, city_code=city_code, county_code=county_code,
                    contact_openid=unit_openid, status="approved")
        s.add(unit)
        s.flush()
        p = Position(code=f"T{unit.id}-1", unit_id=unit.id, unit_name=unit.name, title="行政助理", category="管理类",
                     province_code=prov_code, province=prov, city_code=city_code, city=city, county_code=county_code,
                     district=district, headcount=3, places_left=1)
        s.add(p)
        s.flush()
        for name, ends in (("张三", date(2027, 1, 31)), ("李四", date(2026, 10, 31))):
            s.add(Application(openid=f"o_{name}_{unit.id}", position_id=p.id, position_code=p.code, unit_id=unit.id,
                              region_code=county_code or city_code or prov_code, status="on_internship",
                              applicant_name=name, starts_on=date(2026, 8, 1), ends_on=ends))
        return unit.id


HOHHOT = ("15", "内蒙古自治区", "1501", "呼和浩特市", "150102", "新城区")


def test_attendance_claim_review_and_payment(client, settings, standin) -> None:
    db = client.app.state.services.db
    unit_id = _setup(client, HOHHOT, "o_unit_nm")
    unit = WeChatUser(client, settings, openid="o_unit_nm")
    help_text = unit.say("考勤")
    assert "考勤 " in help_text and "张三" in help_text
    # Bad attendance: over the month's days, a month not begun, an unknown name: nothing saved.
    over = unit.say("考勤 2026-10 张三 32 李四 20")
    assert "超过了2026年10月的天数" in over and "未保存" in over
    assert "还没有开始" in unit.say(f"考勤 {TODAY.year + 1}-01 张三 3")
    assert "没有找到见习人员“王五”" in unit.say("考勤 2026-10 王五 20")
    with db.session() as s:
        assert s.scalar(select(Attendance.id)) is None
    saved = unit.say("考勤 2026-10 张三 22 李四 20")
    assert "已保存" in saved and "考勤已齐" in saved
    assert "已保存" in unit.say("考勤 2026-10 张三 21")  # corrections allowed until the claim
    # The month not yet over cannot be claimed; the same month in one lump cannot either.
    this_month = f"{TODAY.year}-{TODAY.month:02d}"
    assert "还没有结束" in unit.say(f"申领补贴 {this_month}")
    assert "不得见习结束后集中发放" in unit.say("一次性申领补贴 2026-08至2026-10")

    # 李四's internship ended in October and the unit kept them on: retention 1/1 reaches 50%.
    with db.session() as s:
        lisi = s.scalar(select(Application).where(Application.applicant_name == "李四"))
        lisi.status = "retained"
        s.add(ApplicationEvent(application_id=lisi.id, from_status="on_internship", to_status="retained",
                               actor="unit"))
    # 内人社办发〔2023〕118号: 50% of the 自治区一类区 minimum wage a month, 70% when retention ≥ 50%, the
    # difference paid once at the end ("1+1"). The table's 一类 row in force on 2026-10-01 (min_wage.csv line 20,
    # from 2025-12-01): 2380 元.
    wage = current_table().tier_rule("15", "一类", date(2026, 10, 1)).monthly_yuan
    assert wage == Decimal("2380")
    monthly = wage * Decimal("0.5")  # 1190.00 per trainee
    difference = wage * (Decimal("0.7") - Decimal("0.5")) * 3  # 李四: August to October, 3 months = 1428.00
    preview = unit.say("申领补贴 2026-10")
    assert "张三：出勤21天，2380×50%=1190元" in preview and "“1+1”差额" in preview
    assert f"合计：{monthly * 2 + difference:.0f}元" in preview and "以当地人社部门核定为准" in preview
    assert "内人社办发〔2023〕118号" in preview and "确认申领 2026-10" in preview
    assert "已提交" in unit.say("确认申领 2026-10")
    assert "已经申领过" in unit.say("确认申领 2026-10")
    assert "不能再修改" in unit.say("考勤 2026-10 张三 20")  # locked once claimed
    with db.session() as s:
        claim = s.scalar(select(SubsidyClaim))
        assert claim.total == monthly * 2 + difference and claim.status == "submitted"
        claim_id = claim.id

    # The official of Inner Mongolia reviews and pays; one of Henan does not see it.
    with db.session() as s:
        s.add(User(openid="o_off_15", role=Role.official.value, region_code="15", region_name="内蒙古自治区",
                   name="内蒙古自治区"))
        s.add(User(openid="o_off_41", role=Role.official.value, region_code="41", region_name="河南省", name="河南省"))
    henan = WeChatUser(client, settings, openid="o_off_41")
    assert f"补贴{claim_id}" not in henan.say("待办")
    official = WeChatUser(client, settings, openid="o_off_15")
    assert f"补贴{claim_id}" in official.say("待办")
    assert "合计：3808元" in official.say(f"查看 补贴{claim_id}")
    assert "不能标记为已拨付" in official.say(f"拨付 补贴{claim_id}")  # approve first
    assert "审核通过，待拨付" in official.say(f"通过 补贴{claim_id}")
    assert "已拨付" in official.say(f"拨付 补贴{claim_id}")
    told = [m["payload"]["text"]["content"] for m in standin.messages("o_unit_nm")]
    assert any("审核通过，待拨付" in t for t in told) and any("已拨付" in t for t in told)
    assert "已拨付" in unit.say("我的申领")
    assert unit_id


def test_a_region_without_a_rate_says_so(client, settings) -> None:
    _setup(client, ("44", "广东省", "4401", "广州市", "440106", "天河区"), "o_unit_gd")
    unit = WeChatUser(client, settings, openid="o_unit_gd")
    unit.say("考勤 2026-10 张三 22 李四 20")
    reply = unit.say("申领补贴 2026-10")
    assert "没有规定见习补贴的基础标准" in reply and "当地人社部门" in reply
    assert "没有规定" in unit.say("确认申领 2026-10")


def test_missing_attendance_is_named(client, settings) -> None:
    _setup(client, HOHHOT, "o_unit_nm2")
    unit = WeChatUser(client, settings, openid="o_unit_nm2")
    unit.say("考勤 2026-10 张三 22")
    assert "还没有报送2026年10月的考勤：李四" in unit.say("申领补贴 2026-10")


def test_not_a_unit(wechat_user) -> None:
    assert "单位申报" in wechat_user.say("考勤 2026-10 张三 22")
    with_no_unit = wechat_user.say("申领补贴 2026-10")
    assert "见习单位" in with_no_unit
    assert Position  # imported for the setup's model


def test_attendance_in_chinese_numerals_or_a_specific_hint(client, settings) -> None:
    db = client.app.state.services.db
    _setup(client, HOHHOT, "o_unit_cn")
    unit = WeChatUser(client, settings, openid="o_unit_cn")
    missing = unit.say("考勤 2026-10 张三 22 李四")
    assert "李四 缺少出勤天数" in missing and "未保存" in missing
    glued = unit.say("考勤 2026-10 张三二十 李四 20")
    assert "缺少出勤天数" in glued and "用空格隔开，例如：张三 20" in glued
    words = unit.say("考勤 2026-10 张三 22 李四 很多")
    assert "李四 的出勤天数“很多”不是整数天数" in words and "二十" in words
    with db.session() as s:
        assert s.scalar(select(Attendance.id)) is None  # nothing saved from a bad message
    saved = unit.say("考勤 2026-10 张三 二十二天 李四 二十")
    assert "张三：22 天" in saved and "李四：20 天" in saved and "考勤已齐" in saved
    assert "张三：15 天" in unit.say("报送考勤 2026年10月 张三 十五")
    with db.session() as s:
        days = {a.applicant_name: d for a, d in s.execute(
            select(Application, Attendance.days).join(Attendance, Attendance.application_id == Application.id))}
    assert days == {"张三": 15, "李四": 20}


def test_chinese_numbers() -> None:
    from bot.claims.service import chinese_number, parse_attendance

    assert [chinese_number(t) for t in ("二十", "二十二", "十五", "廿一", "三十", "五", "二二", "十", "三十一天")] == [
        20, 22, 15, 21, 30, 5, 22, 10, 31]
    assert chinese_number("很多") is None and chinese_number("二十三十") is None and chinese_number("张三") is None
    assert parse_attendance("考勤 2026-10 王五 22天 赵六：十九 报名12 3") == (
        "2026-10", [("王五", "22"), ("赵六", "19"), ("报名12", "3")])


ZHENGZHOU = ("41", "河南省", "4101", "郑州市", "410105", "金水区")


def test_henan_asks_the_wage_tier_once_and_computes_from_it(client, settings, standin) -> None:
    """河南: the table has 一类/二类/三类 but no county lists; the unit states its tier once and claims from it."""
    db = client.app.state.services.db
    unit_id = _setup(client, ZHENGZHOU, "o_unit_zz")
    unit = WeChatUser(client, settings, openid="o_unit_zz")
    assert "已保存" in unit.say("考勤 2026-10 张三 22 李四 20")
    # The tiers in force on 2026-10-01: min_wage.csv lines 14-16 (河南省 from 2025-12-01): 2350, 2150, 2000 元.
    table = current_table()
    wages = {t: table.tier_rule("41", t, date(2026, 10, 1)).monthly_yuan for t in ("一类", "二类", "三类")}
    assert wages == {"一类": Decimal("2350"), "二类": Decimal("2150"), "三类": Decimal("2000")}
    asked = unit.say("申领补贴 2026-10")
    assert "贵单位所在县区执行第几档最低工资标准" in asked
    assert "1. 一类：2350元" in asked and "2. 二类：2150元" in asked and "3. 三类：2000元" in asked
    assert "合计" not in asked  # no amount before the tier is known
    assert "请回复序号或档次名称" in unit.say("五类")
    assert "二类地区（2150元）" in unit.say("2")
    preview = unit.say("确认")
    # 豫人社函〔2023〕138号: 70% of the local minimum wage: 2150 × 70% = 1505 元 per trainee, 3010 for two.
    monthly = wages["二类"] * Decimal("0.7")
    assert monthly == Decimal("1505.0")
    assert "已记录" in preview and "河南省二类地区" in preview
    assert "张三：出勤22天，2150×70%=1505元" in preview and "合计：3010元" in preview
    assert "最低工资档次：二类地区，由单位申报" in preview and "以当地人社部门核定的档次和金额为准" in preview
    assert "已提交" in unit.say("确认申领 2026-10")
    with db.session() as s:
        claim = s.scalar(select(SubsidyClaim))
        assert claim.total == monthly * 2 and "二类地区，由单位申报" in claim.notes
        u = s.get(Unit, unit_id)
        assert (u.wage_tier, u.wage_tier_by) == ("二类", "unit")
    # The next month is not asked again.
    assert "已保存" in unit.say("考勤 2026-11 张三 20")
    assert "合计：1505元" in unit.say("申领补贴 2026-11")

    # The official corrects the tier in chat; the unit is told; the next claim uses it.
    with db.session() as s:
        s.add(User(openid="o_off_henan", role=Role.official.value, region_code="41", region_name="河南省", name="河南省"))
    official = WeChatUser(client, settings, openid="o_off_henan")
    assert "二类地区（单位申报）" in official.say(f"查看 单位{unit_id}")
    assert "没有这一档" in official.say(f"档次 单位{unit_id} 五类")
    done = official.say(f"档次 单位{unit_id} 一类")
    assert "河南省一类地区最低工资标准（2350元" in done and "已通知单位" in done
    assert "河南省一类地区" in standin.messages("o_unit_zz")[-1]["payload"]["text"]["content"]
    assert "一类地区（人社部门（河南省）确定）" in official.say(f"查看 单位{unit_id}")
    assert "合计：1645元" in unit.say("申领补贴 2026-11")  # 2350 × 70%


def test_changsha_states_no_base_rate_and_invents_no_amount(client, settings) -> None:
    import re

    db = client.app.state.services.db
    _setup(client, ("43", "湖南省", "4301", "长沙市", "430104", "岳麓区"), "o_unit_cs_claim")
    unit = WeChatUser(client, settings, openid="o_unit_cs_claim")
    unit.say("考勤 2026-10 张三 22 李四 20")
    reply = unit.say("申领补贴 2026-10")
    assert "长沙市的通知没有规定见习补贴的基础标准" in reply and "请向当地人社部门申领" in reply
    assert not re.search(r"\d+(\.\d+)?元", reply) and "合计" not in reply and "档" not in reply
    assert "没有规定" in unit.say("确认申领 2026-10")
    with db.session() as s:
        assert s.scalar(select(SubsidyClaim.id)) is None


def _kept_on_later(client, settings, unit_openid: str) -> tuple[WeChatUser, int]:  # type: ignore[no-untyped-def]
    """October claimed while 李四 (whose internship ended on 31 October) was still recorded as on internship."""
    _setup(client, HOHHOT, unit_openid)
    unit = WeChatUser(client, settings, openid=unit_openid)
    unit.say("考勤 2026-10 张三 22 李四 20")
    preview = unit.say("申领补贴 2026-10")
    assert "李四：“1+1”差额" not in preview and "合计：2380元" in preview  # 2 × 2380 × 50%
    assert "李四的见习期已于2026年10月31日届满，尚未登记期满或留用" in preview and "不会遗漏" in preview
    assert "已提交" in unit.say("确认申领 2026-10")
    with client.app.state.services.db.session() as s:
        lisi = s.scalar(select(Application.id).where(Application.applicant_name == "李四",
                                                     Application.position_code.like("T%")))
    kept = unit.say(f"留用 报名{lisi}")
    assert "已留用" in kept and "申领补贴 差额" in kept
    return unit, lisi


def test_a_difference_known_after_its_month_is_claimed_on_its_own_once(client, settings, standin) -> None:
    db = client.app.state.services.db
    unit, lisi = _kept_on_later(client, settings, "o_unit_diff")
    # 内人社办发〔2023〕118号: (70% − 50%) × 2380 (一类, in force in October 2026) = 476 a month, August to October.
    difference = Decimal("2380") * (Decimal("0.7") - Decimal("0.5")) * 3
    assert difference == Decimal("1428.0")
    preview = unit.say("申领补贴 差额")
    assert "“1+1”差额补贴（2026年10月期满）测算" in preview
    assert "李四：“1+1”差额（留用率1/1，2026年10月期满）476元×3个月=1428元" in preview and "合计：1428元" in preview
    assert "确认申领 差额" in preview
    done = unit.say("确认申领 差额")
    assert "已提交“1+1”差额补贴（2026年10月期满）申领" in done and "1428" in done
    # Never twice: not again on its own, not in the next month's claim.
    assert "现在没有待申领的“1+1”差额" in unit.say("确认申领 差额")
    unit.say("考勤 2026-11 张三 20")
    november = unit.say("申领补贴 2026-11")
    assert "李四：“1+1”差额" not in november and "合计：1190元" in november
    with db.session() as s:
        claims = {c.kind: c for c in s.scalars(select(SubsidyClaim))}
        assert claims["difference"].total == difference and claims["difference"].ref == "d1"
        assert claims["difference"].lines[0]["application_id"] == lisi
        assert claims["monthly"].total == Decimal("2380")
        claim_id = claims["difference"].id
    # The official sees and approves it; the unit is told.
    with db.session() as s:
        s.add(User(openid="o_off_diff", role=Role.official.value, region_code="15", region_name="内蒙古自治区",
                   name="内蒙古自治区"))
    official = WeChatUser(client, settings, openid="o_off_diff")
    assert f"补贴{claim_id}：测试见习单位 “1+1”差额补贴（2026年10月期满） 1428元" in official.say("待办")
    assert "审核通过" in official.say(f"通过 补贴{claim_id}")
    assert "“1+1”差额补贴（2026年10月期满）" in standin.messages("o_unit_diff")[-1]["payload"]["text"]["content"]
    assert "“1+1”差额补贴（2026年10月期满） 1428 元" in unit.say("我的申领")


def test_a_difference_known_after_its_month_goes_in_the_next_claim(client, settings) -> None:
    unit, lisi = _kept_on_later(client, settings, "o_unit_diff2")
    unit.say("考勤 2026-11 张三 20")
    november = unit.say("申领补贴 2026-11")
    assert "李四：“1+1”差额（留用率1/1，2026年10月期满）476元×3个月=1428元" in november
    assert "合计：2618元" in november  # 1190 for 张三's November + 1428
    assert "已提交" in unit.say("确认申领 2026-11")
    assert "现在没有待申领的“1+1”差额" in unit.say("申领补贴 差额")
