"""A person's own data in chat: 我的信息 (masked), 修改身份证号, 删除我的信息 — on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.api.admin_auth import issue_official_token
from bot.models import Application, ApplicationEvent, ConversationState, MessageLog, User
from bot.privacy import Vault, mask_id_number
from tests.signup_helpers import add_positions, everything_stored, id_number, last_year_june

PHONE = "13812345678"


def _sign_up(u, code: str, idn: str, hardship: str | None = None) -> str:  # type: ignore[no-untyped-def]
    u.say(f"报名 {code}")
    for answer in ("张三", PHONE, idn, "本科", "郑州大学", "会计", last_year_june(), "郑州市金水区", "2"):
        u.say(answer)
    if hardship:  # consent, then the flags
        u.say("1")
        u.say(hardship)
    else:
        u.say("2")
    return u.say("确认")


def test_my_information_is_shown_masked(wechat_user, client) -> None:
    add_positions(client.app.state.services.db)
    u = wechat_user
    empty = u.say("我的信息")
    assert "（未填）" in empty and "还没有报名" in empty
    idn = id_number(22)
    assert "报名已提交" in _sign_up(u, "ZZ-JS-01", idn, hardship="1")
    mine = u.say("我的信息")
    assert "张三" in mine and "138****5678" in mine and mask_id_number(idn) in mine
    assert PHONE not in mine and idn not in mine
    assert "低保家庭" in mine and "会计助理（ZZ-JS-01）" in mine and "已提交，待审核" in mine
    assert "修改资料" in mine and "删除我的信息" in mine
    assert "138****5678" in u.say("查看我的信息")
    # 修改资料 goes through the profile form.
    assert "姓名" in u.say("修改资料")
    assert "已取消" in u.say("取消")


def test_correct_the_id_number(wechat_user, client, settings) -> None:
    db = client.app.state.services.db
    add_positions(db)
    u = wechat_user
    old = id_number(22)
    _sign_up(u, "ZZ-JS-01", old)
    ask = u.say("修改身份证号")
    assert "身份证" in ask and mask_id_number(old) in ask and old not in ask
    assert "校验" in u.say(old[:-1] + ("0" if old[-1] != "0" else "1"))
    new = id_number(22, serial="789")
    summary = u.say(new)
    assert mask_id_number(new) in summary and new not in summary
    assert "已更正" in u.say("确认")
    vault = Vault(settings.secret_key)
    with db.session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        application = s.scalar(select(Application).where(Application.openid == u.openid))
        assert vault.decrypt(user.id_number_enc) == new and user.id_number_hash == vault.lookup_hash(new)
        assert application.id_number_hash == vault.lookup_hash(new)
    assert new not in everything_stored(db) and old not in everything_stored(db)


def test_delete_my_data_keeps_only_anonymised_records(wechat_user, client, settings) -> None:
    db = client.app.state.services.db
    add_positions(db)
    u = wechat_user
    idn = id_number(22)
    _sign_up(u, "ZZ-JS-01", idn, hardship="1")
    with db.session() as s:
        before = s.scalar(select(Application).where(Application.openid == u.openid))
        application_id, created_at = before.id, before.created_at
    assert "没有待确认" in u.say("确认删除")
    ask = u.say("删除我的信息")
    assert "确认删除" in ask and "聊天记录" in ask and "保留岗位、状态和日期" in ask
    done = u.say("确认删除")
    assert "已删除" in done and "1 个报名已匿名化" in done

    with db.session() as s:
        user = s.scalar(select(User).where(User.openid == u.openid))
        for field in ("name", "phone_enc", "phone_hash", "id_number_enc", "id_number_hash", "birth_date",
                      "education", "school", "major", "graduation", "region_code", "hardship_flags"):
            assert getattr(user, field) is None, field
        assert user.anonymised_at is not None
        a = s.get(Application, application_id)
        assert (a.position_code, a.status, a.created_at, a.region_code) == ("ZZ-JS-01", "submitted", created_at,
                                                                           "410105")
        assert a.applicant_name is None and a.phone_enc is None and a.id_number_enc is None
        assert a.id_number_hash is None and a.hardship_flags is None and a.openid != u.openid
        assert a.anonymised_at is not None
        assert s.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == a.id)).first()
        # Only the deletion exchange itself is left in the message log, and it holds nothing personal.
        logs = list(s.scalars(select(MessageLog.content).where(MessageLog.openid == u.openid)))
        assert len(logs) == 2 and "张三" not in " ".join(logs)
        assert s.get(ConversationState, u.openid).context == {}
    stored = everything_stored(db)
    assert "张三" not in stored and PHONE not in stored and idn not in stored
    assert "还没有报名" in u.say("我的报名")
    assert "（未填）" in u.say("我的信息")
    # Officials still count the application, without the person.
    token = issue_official_token(client.app.state.services, "郑州市人社局", "4101")
    [item] = client.get("/api/v1/admin/applications", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert (item["id"], item["position_code"], item["status"]) == (application_id, "ZZ-JS-01", "submitted")
    assert (item["name"], item["phone"], item["id_number"]) == ("（已匿名）", "", "")
    # The person can sign up again, from scratch.
    assert "姓名" in u.say("报名 ZZ-JS-01")


def test_deletion_anonymises_claims_and_the_unit_sees_a_label(client, settings) -> None:
    """A trainee on internship deletes their data: the claim already submitted keeps its amounts but not the name;
    考勤 and 我的申请人 name them 已匿名见习人员#<报名编号>, and the unit can go on reporting their attendance."""
    from datetime import date

    from bot.models import Position, Role, SubsidyClaim, Unit
    from tests.conftest import WeChatUser

    db = client.app.state.services.db
    with db.session() as s:
        s.add_all([User(openid="o_unit_del", role=Role.unit.value), User(openid="o_trainee_del", name="欧阳娜娜")])
        unit = Unit(name="呼和浩特匿名测试单位", province_code="15", city_code="1501", county_code="150102",
                    contact_openid="o_unit_del", status="approved")
        s.add(unit)
        s.flush()
        p = Position(code=f"D{unit.id}-1", unit_id=unit.id, unit_name=unit.name, title="行政助理", category="管理类",
                     province_code="15", province="内蒙古自治区", city_code="1501", city="呼和浩特市",
                     county_code="150102", district="新城区", headcount=1, places_left=0, status="full")
        s.add(p)
        s.flush()
        a = Application(openid="o_trainee_del", position_id=p.id, position_code=p.code, unit_id=unit.id,
                        region_code="150102", status="on_internship", applicant_name="欧阳娜娜",
                        starts_on=date(2026, 8, 1), ends_on=date(2027, 1, 31))
        s.add(a)
        s.flush()
        ref = a.id
    unit_user = WeChatUser(client, settings, openid="o_unit_del")
    assert "已保存" in unit_user.say("考勤 2026-10 欧阳娜娜 21")
    assert "已提交" in unit_user.say("确认申领 2026-10")
    with db.session() as s:
        claim = s.scalar(select(SubsidyClaim))
        total, amounts = claim.total, [line["amount"] for line in claim.lines]
        assert "欧阳娜娜" in claim.lines[0]["text"]

    trainee = WeChatUser(client, settings, openid="o_trainee_del")
    trainee.say("删除我的信息")
    assert "已删除" in trainee.say("确认删除")

    label = f"已匿名见习人员#{ref}"
    with db.session() as s:
        claim = s.scalar(select(SubsidyClaim))
        assert claim.total == total and [line["amount"] for line in claim.lines] == amounts  # amounts kept
        assert claim.lines[0]["name"] == label and claim.lines[0]["text"].startswith(label + "：出勤21天")
    assert "欧阳娜娜" not in everything_stored(db)  # nor in the unit's own messages (考勤 2026-10 欧阳娜娜 21)
    listed = unit_user.say("考勤")
    assert f"{label}（未报）" in listed and "None" not in listed
    applicants = unit_user.say("我的申请人")
    assert f"报名{ref}：{label}" in applicants and "见习中" in applicants
    assert f"{label}：20 天" in unit_user.say(f"考勤 2026-11 {label} 20")
    assert "已保存" in unit_user.say(f"考勤 2026-11 报名{ref} 19")
    assert f"· {label}：出勤21天" in unit_user.say("申领补贴 2026-10")  # the submitted claim, as the unit sees it
