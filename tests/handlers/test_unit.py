"""Host units in chat, through the real webhook on SQLite and PostgreSQL: 单位申报 with every bad answer and
Changsha's 见习基地 criteria, the official's review, a position published and reviewed, and a graduate taken
from 报名 to an internship by the unit (each person told by the stand-in WeChat API)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.models import Application, Position, Role, Unit, User
from bot.validators import credit_check_char
from tests.conftest import WeChatUser
from tests.signup_helpers import everything_stored, id_number, last_year_june

CREDIT = "91430104MA4L0XQ12" + credit_check_char("91430104MA4L0XQ12")
PHONE = "13912345678"


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
    listed = unit.say("我的申请人")
    assert f"报名{application_id}" in listed and "赵六" in listed and "137****1111" in listed
    assert "没有找到" in unit.say("录用 报名999999")
    assert "审核通过" in unit.say(f"录用 报名{application_id}")
    assert "起止日期" in unit.say(f"签协议 报名{application_id}")
    assert "晚于开始日期" in unit.say(f"签协议 报名{application_id} 2026-12-01 2026-11-01")
    started = unit.say(f"签协议 报名{application_id} 2026-12-01 2027-05-31")
    assert "见习中" in started and "已通知申请人" in started
    texts = [m["payload"]["text"]["content"] for m in standin.messages("o_grad_cs")]
    assert any("审核通过" in t for t in texts) and any("见习协议已签订" in t for t in texts)
    with db.session() as s:
        a = s.get(Application, application_id)
        assert a.status == "on_internship" and a.starts_on == date(2026, 12, 1)
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
