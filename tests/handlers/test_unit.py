"""Host units in chat, through the real webhook on SQLite and PostgreSQL: 单位申报 with every bad answer and
Changsha's 见习基地 criteria, the official's review, a position published and reviewed, and a graduate taken
from 报名 to an internship by the unit (each person told by the stand-in WeChat API)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.models import Application, Position, Role, Unit, User
from bot.validators import credit_check_char
from tests.conftest import WeChatUser
from tests.signup_helpers import everything_stored, id_number, last_year_june

CREDIT = "91430104MA4L0XQ12" + credit_check_char("91430104MA4L0XQ12")
PHONE = "13912345678"
# An internship agreement starts on or after the sign-up (today in these tests).
START = date.today() + timedelta(days=14)
END = START + timedelta(days=180)
AGREEMENT = f"{START.isoformat()} {END.isoformat()}"


def _person(client, settings, openid: str, role: str = Role.graduate.value, region: str | None = None,
            name: str | None = None) -> WeChatUser:  # type: ignore[no-untyped-def]
    with client.app.state.services.db.session() as s:
        s.add(User(openid=openid, role=role, region_code=region, region_name=name, name=name))
    return WeChatUser(client, settings, openid=openid)


def _register(u: WeChatUser, insured: str = "45", registered: str = "2018年5月") -> str:
    assert "单位全称" in u.say("单位申报")
    assert "统一社会信用代码" in u.say("长沙岳麓湘江人力资源服务有限公司")
    assert "地区" in u.say(CREDIT)
    assert "联系人" in u.say("长沙市岳麓区")
    assert "手机号" in u.say("王芳")
    assert "参保人数" in u.say(PHONE)
    assert "成立日期" in u.say(insured)
    assert "见习基地" in u.say(registered)
    return u.say("1")


def test_registration_bad_answers_criteria_review_and_a_position(client, settings, standin) -> None:
    db = client.app.state.services.db
    unit = _person(client, settings, "o_unit_cs")
    assert "单位全称" in unit.say("单位申报")
    assert "单位全称" in unit.say("ab")  # too short: asked again
    assert "统一社会信用代码" in unit.say("长沙岳麓湘江人力资源服务有限公司")
    assert "18 位" in unit.say(CREDIT[:-1])
    wrong = CREDIT[:-1] + ("1" if CREDIT[-1] != "1" else "2")
    assert "校验不通过" in unit.say(wrong)
    assert "不会出现" in unit.say("91430104MA4L0XQ1I" + "0")  # I is not in the alphabet
    assert "地区" in unit.say(CREDIT)
    assert "没有找到这个地区" in unit.say("火星")
    assert "联系人" in unit.say("长沙市岳麓区")
    assert "手机号" in unit.say("王芳")
    assert "11 位" in unit.say("1391234567")
    assert "参保人数" in unit.say(PHONE)
    assert "整数" in unit.say("很多")
    assert "成立日期" in unit.say("45人")
    assert "晚于今天" in unit.say(f"{date.today().year + 1}年1月")
    assert "见习基地" in unit.say("2018年5月")
    summary = unit.say("1")
    assert "请核对" in summary and "139****5678" in summary and PHONE not in summary and CREDIT in summary
    done = unit.say("确认")
    assert "已提交" in done and "长人社规〔2024〕4号" in done
    assert "经营3年以上（已成立" in done and "30人以上（申报45人）：符合" in done and "不少于10个" in done
    with db.session() as s:
        u = s.scalar(select(Unit).where(Unit.credit_code == CREDIT))
        assert u.status == "pending" and u.wants_base and u.insured_headcount == 45
        assert s.scalar(select(User.role).where(User.openid == "o_unit_cs")) == Role.unit.value
        unit_id = u.id
    assert PHONE not in everything_stored(db)  # encrypted at rest
    assert "审核通过后" in unit.say("发布岗位")  # not before the review

    # An official of another province does not see it; Changsha's does, and approves it.
    other = _person(client, settings, "o_off_41", Role.official.value, "41", "河南省")
    assert f"单位{unit_id}" not in other.say("待办")
    assert "没有找到" in other.say(f"通过 单位{unit_id}")
    official = _person(client, settings, "o_off_4301", Role.official.value, "4301", "长沙市")
    assert f"单位{unit_id}" in official.say("待办")
    assert "条件核对" in official.say(f"查看 单位{unit_id}")
    assert "已认定为见习基地" in official.say(f"通过 单位{unit_id}")
    told = standin.messages("o_unit_cs")[-1]["payload"]["text"]["content"]
    assert "已通过" in told and "有效期至" in told
    with db.session() as s:
        u = s.get(Unit, unit_id)
        assert u.is_base and u.base_valid_until.year == date.today().year + 3

    # A position: form with bad answers, pending until approved, then public.
    assert "岗位名称" in unit.say("发布岗位")
    assert "岗位类别" in unit.say("人事助理")
    assert "专业要求" in unit.say("3")
    assert "没有在专业目录中找到" in unit.say("火箭修理")
    assert "学历要求" in unit.say("人力资源管理、行政管理")
    assert "招募人数" in unit.say("3")
    assert "不超过 50 人" in unit.say("80")
    assert "见习期限" in unit.say("2")
    assert "3 到 12" in unit.say("24")
    assert "岗位描述" in unit.say("6")
    assert "请核对" in unit.say("协助招聘、入职办理，有专人带教。")
    published = unit.say("确认")
    code = f"U{unit_id}-001"
    assert code in published and "审核通过后上线" in published
    graduate = _person(client, settings, "o_grad_cs")
    assert "没有找到岗位编号" in graduate.say(f"岗位 {code}")  # under review: not public
    assert code in official.say("待办")
    assert "招募中" in official.say(f"通过 岗位{code}")
    assert "已通过审核" in standin.messages("o_unit_cs")[-1]["payload"]["text"]["content"]
    assert "人事助理" in graduate.say(f"岗位 {code}")

    # 报名 → the unit accepts → the agreement: on internship.
    graduate.say(f"报名 {code}")
    for answer in ("赵六", "13700001111", id_number(23, serial="555"), "本科", "湖南大学", "人力资源管理",
                   last_year_june(), "长沙市岳麓区", "2", "2"):
        graduate.say(answer)
    assert "报名已提交" in graduate.say("确认")
    with db.session() as s:
        application_id = s.scalar(select(Application.id).where(Application.openid == "o_grad_cs"))
    news = standin.messages("o_unit_cs")[-1]["payload"]["text"]["content"]  # the unit is told of the sign-up
    assert "新报名" in news and "赵六" in news and f"录用 报名{application_id}" in news and "13700001111" not in news
    listed = unit.say("我的申请人")
    assert f"报名{application_id}" in listed and "赵六" in listed and "137****1111" in listed
    assert "没有找到" in unit.say("录用 报名999999")
    assert "审核通过" in unit.say(f"录用 报名{application_id}")
    assert "起止日期" in unit.say(f"签协议 报名{application_id}")
    assert "晚于开始日期" in unit.say(f"签协议 报名{application_id} {START} {START - timedelta(days=30)}")
    early = unit.say(f"签协议 报名{application_id} {date.today() - timedelta(days=1)} {END}")
    assert "不能早于报名日期" in early  # an agreement cannot start before the person signed up
    started = unit.say(f"签协议 报名{application_id} {AGREEMENT}")
    assert "见习中" in started and "已通知申请人" in started
    texts = [m["payload"]["text"]["content"] for m in standin.messages("o_grad_cs")]
    assert any("审核通过" in t for t in texts) and any("见习协议已签订" in t for t in texts)
    with db.session() as s:
        a = s.get(Application, application_id)
        assert a.status == "on_internship" and a.starts_on == START
        assert s.scalar(select(Position.places_left).where(Position.code == code)) == 1  # 2 places, one taken


def test_a_small_young_unit_is_told_what_it_misses(client, settings) -> None:
    unit = _person(client, settings, "o_unit_small")
    _register(unit, insured="12", registered="2025年3月")
    done = unit.say("确认")
    assert "30人以上（申报12人）：不符合" in done and "可能不予认定见习基地" in done and "放宽" in done


def test_outside_changsha_the_notices_set_no_numbers(client, settings) -> None:
    unit = WeChatUser(client, settings, openid="o_unit_gz")
    unit.say("单位申报")
    for answer in ("广州天河明信会计师事务所", "91440106MA59XXXX0" + credit_check_char("91440106MA59XXXX0"),
                   "广州市天河区", "李明", "13600001111", "20", "2024年1月", "2"):
        unit.say(answer)
    done = unit.say("确认")
    assert "未列出见习单位的数量条件" in done and "不符合" not in done


def test_back_edit_and_cancel_lose_nothing(client, settings) -> None:
    db = client.app.state.services.db
    unit = _person(client, settings, "o_unit_edit")
    unit.say("单位申报")
    unit.say("长沙岳麓湘江人力资源服务有限公司")
    assert "地区" in unit.say(CREDIT)
    back = unit.say("返回")
    assert "统一社会信用代码" in back  # the previous question again
    assert "校验不通过" in unit.say(CREDIT[:-1] + ("1" if CREDIT[-1] != "1" else "2"))
    assert "地区" in unit.say(CREDIT)
    unit.say("长沙市岳麓区")
    unit.say("王芳")
    assert "11 位" in unit.say("139123456789")  # 12 digits
    unit.say(PHONE)
    unit.say("45")
    unit.say("2018年5月")
    summary = unit.say("1")
    for kept in ("长沙岳麓湘江人力资源服务有限公司", CREDIT, "岳麓区", "王芳", "139****5678", "45", "2018年5月1日"):
        assert kept in summary
    assert "参保人数" in unit.say("修改 参保人数")
    assert "整数" in unit.say("四十")
    edited = unit.say("60")
    assert "60" in edited and CREDIT in edited and "139****5678" in edited  # the rest is still there
    assert "已取消" in unit.say("取消")
    with db.session() as s:
        assert s.scalar(select(Unit).where(Unit.credit_code == CREDIT)) is None
        assert s.scalar(select(User.role).where(User.openid == "o_unit_edit")) == Role.graduate.value


def test_the_menu_names_every_unit_service(client, settings, standin) -> None:
    unit = _person(client, settings, "o_unit_menu")
    before = unit.say("单位服务")
    assert "单位申报" in before and "发布岗位" in before and "我的申请人" in before
    assert "考勤" in before and "申领补贴" in before
    _register(unit)
    unit.say("确认")
    with client.app.state.services.db.session() as s:
        s.scalar(select(Unit).where(Unit.credit_code == CREDIT)).status = "approved"
    after = unit.say("单位服务")
    for word in ("已通过", "发布岗位", "我的申请人", "考勤 2026-10", "申领补贴 2026-10"):
        assert word in after


def test_a_unit_registered_on_its_behalf_is_bound_by_code_and_phone(client, settings) -> None:
    from bot.units import service

    services = client.app.state.services
    with services.db.session() as s:
        unit, _ = service.register(s, services.vault, name="长沙岳麓湘江人力资源服务有限公司", credit_code=CREDIT,
                                   region_code="430104", contact_name="王芳", contact_phone=PHONE, insured=45,
                                   registered_on=date(2018, 5, 1), wants_base=True, today=date.today())
        unit_id = unit.id
    stranger = _person(client, settings, "o_unit_stranger")
    stranger.say("单位申报")
    for answer in ("长沙岳麓湘江人力资源服务有限公司", CREDIT, "长沙市岳麓区", "李雷", "13800001111", "45", "2018年5月", "1"):
        stranger.say(answer)
    assert "已经申报过" in stranger.say("确认")  # the phone does not match: not bound
    contact = _person(client, settings, "o_unit_contact")
    _register(contact)
    bound = contact.say("确认")
    assert "已绑定到您的微信" in bound and "待审核" in bound
    with services.db.session() as s:
        assert s.get(Unit, unit_id).contact_openid == "o_unit_contact"
        assert s.scalar(select(func.count()).select_from(Unit)) == 1
        assert s.scalar(select(User.role).where(User.openid == "o_unit_contact")) == Role.unit.value
        assert s.scalar(select(User.role).where(User.openid == "o_unit_stranger")) == Role.graduate.value
    assert "长沙岳麓湘江" in contact.say("单位服务")


def test_a_base_over_its_trainee_cap_is_reminded_at_the_agreement(client, settings, standin) -> None:
    services = client.app.state.services
    unit = _person(client, settings, "o_unit_cap")
    _register(unit, insured="30")
    unit.say("确认")
    with services.db.session() as s:
        u = s.scalar(select(Unit).where(Unit.credit_code == CREDIT))
        u.status, u.is_base, u.insured_headcount = "approved", True, 3  # fewer staff now: the cap is 0 people
        p = Position(code=f"U{u.id}-001", unit_id=u.id, unit_name=u.name, title="行政助理", category="管理类",
                     province_code="43", province="湖南省", city_code="4301", city="长沙市", county_code="430104",
                     district="岳麓区", headcount=2, places_left=2, months=6, status="open")
        s.add(p)
        s.flush()
        s.add(User(openid="o_grad_cap", role=Role.graduate.value))
        a = Application(openid="o_grad_cap", position_id=p.id, position_code=p.code, unit_id=u.id,
                        region_code="430104", status="accepted", applicant_name="钱七")
        s.add(a)
        s.flush()
        application_id = a.id
    assert "没有找到报名" in unit.say("录用 报名99999999999999999999")  # no such number, no crash
    official = _person(client, settings, "o_off_cap", Role.official.value, "4301", "长沙市")
    assert "没有找到单位" in official.say("查看 单位99999999999999999999")
    started = unit.say(f"签协议 报名{application_id} {AGREEMENT}")
    assert "见习中" in started
    assert "超过申报参保人数3人的30%（0人）" in started and "长人社规〔2024〕4号 二（二）" in started


def test_a_refused_unit_applies_again(client, settings, standin) -> None:
    db = client.app.state.services.db
    unit = _person(client, settings, "o_unit_again")
    _register(unit, insured="12")
    unit.say("确认")
    official = _person(client, settings, "o_off_again", Role.official.value, "4301", "长沙市")
    with db.session() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.credit_code == CREDIT))
    assert "未通过" in official.say(f"驳回 单位{unit_id} 参保人数不足30人")
    told = standin.messages("o_unit_again")[-1]["payload"]["text"]["content"]
    assert "参保人数不足30人" in told and "重新申报" in told
    assert "重新申报" in unit.say("单位服务")
    again = _register(unit, insured="35")
    assert "参保人数" in again and "35" in again
    done = unit.say("确认")
    assert "已提交" in done and "30人以上（申报35人）：符合" in done
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 1
        u = s.get(Unit, unit_id)
        assert u.status == "pending" and u.insured_headcount == 35 and u.review_reason is None
    assert "待审核" in unit.say("单位申报")  # pending again: the menu, not a second form


def test_edit_at_any_step_of_the_registration(client, settings) -> None:
    unit = _person(client, settings, "o_unit_edit_any")
    unit.say("单位申报")
    unit.say("长沙岳麓湘江人力资源服务有限公司")
    unit.say(CREDIT)
    unit.say("长沙市岳麓区")
    assert "手机号" in unit.say("王芳")
    jump = unit.say("修改 联系人")  # at the phone question
    assert "当前：王芳" in jump and "3/8" not in jump and "4/8" in jump
    assert "手机号" in unit.say("李娜")  # back to where the form was
    unit.say(PHONE)
    unit.say("45")
    assert "见习基地" in unit.say("2019-05-10")  # the date form the hint suggests
    summary = unit.say("2")
    assert "李娜" in summary and "2019年5月10日" in summary and "王芳" not in summary
