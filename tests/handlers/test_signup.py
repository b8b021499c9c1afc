"""Signing up for a position in chat, through the real webhook, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.models import Application, ApplicationEvent, ConversationState, MessageLog, Position, User
from bot.privacy import Vault, mask_id_number
from knowledge.calculators.deadlines import work_calendar
from tests.conftest import WeChatUser
from tests.signup_helpers import (
    add_position,
    add_positions,
    everything_stored,
    id_number,
    last_year_june,
    years_ago_june,
)

PHONE = "13812345678"


def _db(client):  # type: ignore[no-untyped-def]
    return client.app.state.services.db


def _applications(client, openid: str | None = None) -> list[Application]:  # type: ignore[no-untyped-def]
    with _db(client).session() as s:
        query = select(Application)
        if openid:
            query = query.where(Application.openid == openid)
        return list(s.scalars(query))


def _fill_fresh(u: WeChatUser, idn: str, region: str = "广州市天河区", graduation: str | None = None) -> str:
    """Answer every question of the sign-up form (no stored profile), correctly; returns the summary."""
    u.say("张三")
    u.say(PHONE)
    u.say(idn)
    u.say("本科")
    u.say("郑州大学")
    u.say("会计")
    u.say(graduation or last_year_june())
    u.say(region)
    u.say("2")  # 未就业，未办理失业登记
    return u.say("2")  # no hardship details given: the hardship question is skipped


def test_sign_up_end_to_end_with_every_bad_answer(wechat_user, client, settings, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    add_positions(_db(client))
    u = wechat_user
    idn = id_number(23)
    start = u.say("报名 GZ-KJ-01")
    assert "审计助理" in start and "GZ-KJ-01" in start and "广州天河明信会计师事务所" in start
    assert "姓名" in start and "取消" in start
    assert "数字" in u.say("张3")
    assert "手机号" in u.say("张三")
    hint = u.say("1381234567")
    assert "11 位" in hint and "10 位" in hint and "手机号" in hint
    assert "身份证" in u.say(PHONE)
    # ID number: wrong length, old 15-digit number, letters, impossible date, bad checksum: each re-asked.
    short = u.say(idn[:14])
    assert "18 位" in short and "14 位" in short and "身份证" in short
    assert "15 位" in u.say(idn[:15])
    assert "数字" in u.say("41010520AB05031234")
    impossible = "41010520010230123"
    assert "有效日期" in u.say(impossible + "0")
    wrong = idn[:-1] + ("0" if idn[-1] != "0" else "1")
    bad_sum = u.say(wrong)
    assert "校验" in bad_sum and "身份证" in bad_sum
    assert wrong not in bad_sum and idn[:14] not in short  # never echoed back
    assert "学历" in u.say(idn)
    assert "请从以下选项中选择学历" in u.say("小学")
    assert "毕业院校" in u.say("3")
    assert "全称" in u.say("1")
    assert "专业" in u.say("郑州大学")
    assert "毕业" in u.say("会计")
    assert "不能晚于本月" in u.say("2099年6月")
    assert "地区" in u.say(last_year_june())
    ambiguous = u.say("朝阳区")
    assert "北京市朝阳区" in ambiguous and "长春市朝阳区" in ambiguous
    assert "就业状况" in u.say("广州市天河区")
    assert "序号" in u.say("不知道")
    assert "失业登记" in u.say("没工作")
    consent = u.say("2")
    assert "困难毕业生" in consent and "敏感个人信息" in consent and "同意提供" in consent
    assert "请回复“1”" in u.say("随便")
    assert "低保家庭" in u.say("1")
    assert "0" in u.say("5")
    summary = u.say("1 3")
    assert "请核对您的报名信息" in summary
    assert "138****5678" in summary and mask_id_number(idn) in summary
    assert PHONE not in summary and idn not in summary
    assert "低保家庭" in summary and "残疾人" in summary and "会计学" in summary
    done = u.say("确认")
    assert "报名已提交" in done and "审计助理" in done and "已提交，待审核" in done and "我的报名" in done

    [a] = _applications(client, u.openid)
    assert (a.position_code, a.status, a.region_code, a.applicant_name) == ("GZ-KJ-01", "submitted", "440106", "张三")
    assert a.route == "毕业生" and a.eligibility == "可以参加" and a.review_due_on is None  # 广东: no review limit
    assert a.hardship_flags == "dibao disabled" and a.education == "本科"
    vault = Vault(settings.secret_key)
    assert vault.decrypt(a.phone_enc) == PHONE and vault.decrypt(a.id_number_enc) == idn
    assert a.id_number_hash == vault.lookup_hash(idn)
    with _db(client).session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        assert user.name == "张三" and user.region_code == "440106" and user.graduation
        assert vault.decrypt(user.id_number_enc) == idn and user.birth_date == date(date.today().year - 23, 1, 1)
        assert user.hardship_flags == "dibao disabled" and user.hardship_consent_at is not None
        assert s.get(ConversationState, u.openid).form is None
        [event] = s.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == a.id))
        assert (event.from_status, event.to_status, event.actor) == (None, "submitted", "applicant")
        logged = " ".join(s.scalars(select(MessageLog.content)))
    # No phone or ID number in the clear anywhere: not in any table, not in the message log, not in the logs.
    stored = everything_stored(_db(client))
    for secret in (PHONE, idn, wrong, idn[:14], idn[:15], "1381234567"):
        assert secret not in stored
        assert secret not in logged
        assert secret not in caplog.text
    assert "138****5678" in logged


def test_stored_profile_is_reused_and_only_missing_answers_asked(wechat_user, client, settings) -> None:
    db = _db(client)
    add_positions(db)
    u = wechat_user
    u.say("填写资料")
    for answer in ("李四", "13900001111", "3", "河南大学", "计算机科学与技术", last_year_june(), "郑州市金水区"):
        u.say(answer)
    assert "已保存" in u.say("确认")
    first = u.say("报名 ZZ-JS-01")
    assert "身份证" in first and "姓名" not in first.split("【")[1]
    assert "就业状况" in u.say(id_number(22))
    assert "困难毕业生" in u.say("1")
    assert "低保家庭" in u.say("1")
    summary = u.say("0")
    assert "请核对" in summary and "李四" in summary and "139****1111" in summary and "河南大学" in summary
    assert "报名已提交" in u.say("确认")
    # The second sign-up asks only what changes: the employment status (and nothing about hardship again).
    second = u.say("报名 GZ-KJ-01")
    assert "就业状况" in second and "身份证" not in second.split("【")[1]
    summary = u.say("1")
    assert "请核对" in summary and "困难情况：无" in summary
    assert "报名已提交" in u.say("确认")
    assert {a.position_code for a in _applications(client, u.openid)} == {"ZZ-JS-01", "GZ-KJ-01"}


def test_cancel_back_and_edit(wechat_user, client) -> None:
    add_positions(_db(client))
    u = wechat_user
    u.say("报名 GZ-KJ-01")
    assert "第一项" in u.say("返回")
    u.say("王五")
    back = u.say("返回")
    assert "姓名" in back and "王五" in back
    assert "手机号" in u.say("跳过")
    u.say(PHONE)
    idn = id_number(21)
    for answer in (idn, "大专", "河南职业技术学院", "会计", last_year_june(), "广州市天河区", "1"):
        u.say(answer)
    summary = u.say("2")
    assert "请核对" in summary and "王五" in summary
    assert "手机号" in u.say("修改 手机号")
    edited = u.say("13900002222")
    assert "请核对" in edited and "139****2222" in edited and "138****5678" not in edited
    assert "身份证" in u.say("修改 身份证号")
    assert "校验" in u.say(idn[:-1] + ("0" if idn[-1] != "0" else "1"))
    assert "请核对" in u.say(id_number(21, serial="456"))
    assert "没有找到" in u.say("修改 爱好")
    cancelled = u.say("取消")
    assert "已取消" in cancelled
    assert _applications(client) == []
    with _db(client).session() as s:
        assert s.scalar(select(User.id_number_enc).where(User.openid == u.openid)) is None


def test_ineligible_person_is_told_why_and_what_else_to_do(wechat_user, client) -> None:
    db = _db(client)
    add_positions(db)
    u = wechat_user
    u.say("报名 GZ-KJ-01")
    refused = _fill_fresh(u, id_number(30), graduation=years_ago_june(5))
    assert "请核对" in refused
    refused = u.say("确认")
    assert "很抱歉" in refused and "没有提交" in refused
    assert "超过2年" in refused and "30岁" in refused
    assert "公共就业服务机构" in refused and "职业技能培训" in refused and "12333" in refused
    assert "报名 GZ-KJ-01" in refused and "粤人社函" in refused
    assert _applications(client) == []
    with db.session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        assert user.id_number_enc is None and user.name is None  # nothing saved for a sign-up that did not go in


def test_beijing_asks_origin_and_hukou_and_a_correction_goes_through(wechat_user, client) -> None:
    add_positions(_db(client))
    u = wechat_user
    u.say("报名 BJ-HD-01")
    for answer in ("赵六", PHONE, id_number(25, area="110108"), "本科", "北京工业大学", "软件工程", last_year_june(),
                   "北京市海淀区"):
        reply = u.say(answer)
    assert "北京生源" in reply
    assert "请回复“1”" in u.say("也许")
    assert "本市" in u.say("2")
    assert "就业状况" in u.say("2")
    u.say("2")
    assert "北京生源：否" in u.say("2")
    refused = u.say("确认")
    assert "很抱歉" in refused and "北京生源" in refused and "25岁" in refused and "京人社毕发" in refused
    assert _applications(client) == []
    # A wrong answer: sign up again, everything comes back, correct the one answer.
    again = u.say("报名 BJ-HD-01")
    assert "困难毕业生" in again  # hardship details are not kept from a sign-up that did not go in
    again = u.say("2")
    assert "请核对" in again and "赵六" in again
    assert "北京生源" in u.say("修改 北京生源")
    assert "北京生源：是" in u.say("1")
    assert "报名已提交" in u.say("确认")
    [a] = _applications(client, u.openid)
    assert a.region_code == "110108" and a.route == "毕业生"


def test_outside_beijing_origin_is_not_asked_and_hardship_needs_consent(wechat_user, client) -> None:
    add_positions(_db(client))
    u = wechat_user
    u.say("报名 GZ-KJ-01")
    summary = _fill_fresh(u, id_number(23))  # declines to give hardship details
    assert "北京生源" not in summary and "本市户籍" not in summary
    assert "提供困难情况：不提供" in summary and "低保" not in summary
    assert "报名已提交" in u.say("确认")
    [a] = _applications(client, u.openid)
    assert a.hardship_flags is None
    with _db(client).session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        assert user.hardship_flags == "" and user.hardship_consent_at is None
    assert "困难情况：未提供" in u.say("我的信息")
    again = u.say("报名 ZZ-JS-01")  # the answer is remembered: not asked again
    assert "就业状况" in again and "困难毕业生" not in u.say("1")


def test_one_application_per_person_and_position(wechat_user, client, settings) -> None:
    add_positions(_db(client))
    u = wechat_user
    idn = id_number(23)
    u.say("报名 GZ-KJ-01")
    _fill_fresh(u, idn)
    assert "报名已提交" in u.say("确认")
    again = u.say("报名 GZ-KJ-01")
    assert "已经报名过" in again and "已提交，待审核" in again and "只能报名一次" in again
    assert "已经报名过" in u.say("报名 gz-kj-01")  # codes are matched whatever the case
    # The same person (ID number) from another WeChat account.
    other = WeChatUser(client, settings, openid="o_second_phone")
    other.say("报名 GZ-KJ-01")
    _fill_fresh(other, idn)
    assert "这个身份证号已经报名过该岗位" in other.say("确认")
    assert len(_applications(client)) == 1


def test_changsha_review_deadline_is_tracked(wechat_user, client) -> None:
    add_positions(_db(client))
    u = wechat_user
    u.say("报名 CS-YL-01")
    _fill_fresh(u, id_number(23), region="长沙市岳麓区")
    done = u.say("确认")
    assert "报名已提交" in done and "长人社规〔2024〕4号" in done and "5个工作日" in done
    [a] = _applications(client, u.openid)
    due, _ = work_calendar().nth_workday(date.today() + timedelta(days=1), 5)
    assert a.review_due_on == due
    mine = u.say("我的报名")
    assert "行政助理" in mine and "前审核" in mine


def test_my_applications_lists_statuses_in_chinese(wechat_user, client) -> None:
    db = _db(client)
    add_positions(db)
    u = wechat_user
    assert "还没有报名" in u.say("我的报名")
    u.say("报名 GZ-KJ-01")
    _fill_fresh(u, id_number(23))
    u.say("确认")
    u.say("报名 ZZ-JS-01")
    u.say("1")
    u.say("确认")
    with db.session() as s:
        a = s.scalar(select(Application).where(Application.position_code == "ZZ-JS-01"))
        a.status, a.reason = "rejected", "专业不对口"
    mine = u.click("MY_APPLICATIONS")
    assert "共 2 个" in mine and "审计助理（GZ-KJ-01）" in mine and "已提交，待审核" in mine
    assert "未通过" in mine and "专业不对口" in mine
    assert "rejected" not in mine and "submitted" not in mine


def test_apply_button_event_key(wechat_user, client) -> None:
    add_positions(_db(client))
    started = wechat_user.click("APPLY:GZ-KJ-01")
    assert "审计助理" in started and "姓名" in started


@pytest.mark.parametrize("text,expected", [("报名", "岗位编号"), ("报名 NOPE-99", "没有找到")])
def test_unknown_or_missing_code(wechat_user, client, text: str, expected: str) -> None:
    add_positions(_db(client))
    assert expected in wechat_user.say(text)


def test_closed_and_full_positions(wechat_user, client) -> None:
    db = _db(client)
    add_position(db, "GZ-KJ-01", status="closed")
    add_position(db, "ZZ-JS-01", status="full", places_left=0)
    add_position(db, "CS-YL-01", closes_on=date.today() - timedelta(days=1))
    assert "停止报名" in wechat_user.say("报名 GZ-KJ-01")
    assert "名额已满" in wechat_user.say("报名 ZZ-JS-01")
    assert "停止报名" in wechat_user.say("报名 CS-YL-01")
    with db.session() as s:
        assert s.scalar(select(Position.places_left).where(Position.code == "ZZ-JS-01")) == 0


def test_positions_not_approved_take_no_sign_ups(wechat_user, client) -> None:
    db = _db(client)
    add_position(db, "GZ-KJ-01", status="pending")  # published by a unit, waiting for review
    add_position(db, "ZZ-JS-01", status="rejected")
    pending = wechat_user.say("报名 GZ-KJ-01")
    assert "审核中" in pending and "审核通过上线后才能报名" in pending and "姓名" not in pending
    rejected = wechat_user.say("报名 ZZ-JS-01")
    assert "未通过审核" in rejected and "不能报名" in rejected and "姓名" not in rejected
    with db.session() as s:
        assert s.get(ConversationState, wechat_user.openid).form is None
    assert _applications(client) == []


def test_edit_works_at_every_step_and_the_form_carries_on(wechat_user, client) -> None:
    add_positions(_db(client))
    u = wechat_user
    idn = id_number(23)
    u.say("报名 GZ-KJ-01")
    u.say("张三")
    u.say(PHONE)
    u.say(idn)
    assert "毕业院校" in u.say("本科")
    # At the school question: 修改 姓名 goes to the name (not saved as the school's name), then back here.
    jump = u.say("修改 姓名")
    assert "【报名信息 1/10】" in jump and "当前：张三" in jump
    assert "毕业院校" in u.say("李四")
    unknown = u.say("修改 爱好")
    assert "没有找到“爱好”" in unknown and "毕业院校" in unknown  # still at the school question
    assert "毕业院校" in u.say("修改")  # which item? the question stays
    assert "专业" in u.say("改革开放大学")  # an answer that starts with 改 is an answer
    for answer in ("会计", last_year_june(), "广州市天河区"):
        u.say(answer)
    consent = u.say("2")
    assert "困难毕业生" in consent and "【报名信息 10/10】" in consent
    # At the consent question: 修改 手机号 asks the phone again (the old one offered), then the consent again.
    jump = u.say("修改 手机号")
    assert "【报名信息 2/10】" in jump and "当前：138****5678" in jump
    assert "困难毕业生" in u.say("13900002222")
    flags = u.say("1")
    assert "【报名信息 10/10（续）】" in flags and "11/11" not in flags  # the counter does not grow
    summary = u.say("3")
    for kept in ("李四", "139****2222", mask_id_number(idn), "本科", "改革开放大学", "会计学", "残疾人"):
        assert kept in summary
    assert "修改 姓名" not in summary
    # At the summary, declining the hardship details hides them (and they are not saved).
    assert "提供困难情况" in u.say("修改 提供困难情况")
    summary = u.say("2")
    assert "请核对" in summary and "残疾人" not in summary and "不提供" in summary
    assert "不用填写" in u.say("修改 困难情况")
    assert "报名已提交" in u.say("确认")
    [a] = _applications(client, u.openid)
    assert a.applicant_name == "李四" and a.hardship_flags is None
    with _db(client).session() as s:
        assert s.scalar(select(User.school).where(User.openid == u.openid)) == "改革开放大学"
