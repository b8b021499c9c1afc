"""Applications as the rest of the code uses them: find a position to sign up for, list a person's sign-ups,
tell a person about a status change, and delete a person's data on request.

Phone and ID numbers are decrypted only to be masked; no function here logs or returns them in full.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.applications.lifecycle import date_text, is_overdue, label
from bot.models import (
    Application,
    ApplicationStatus,
    CacheEntry,
    ConversationState,
    MessageLog,
    Position,
    PositionStatus,
    SubsidyClaim,
    TemplateDelivery,
    Unit,
    User,
    utcnow,
)
from bot.notify import tell
from bot.privacy import Vault, mask_id_number, mask_phone

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

HARDSHIP_LABELS = {"dibao": "低保家庭", "tuopin": "脱贫家庭（含防止返贫监测对象）", "disabled": "残疾人"}
ANONYMOUS_PREFIX = "anon-"


# --- positions ---------------------------------------------------------------------------------
def find_position(session: Session, code: str) -> Position | None:
    code = code.strip()
    found = session.scalar(select(Position).where(Position.code == code))
    if found is None:
        found = session.scalar(select(Position).where(func.upper(Position.code) == code.upper()).limit(1))
    return found


def region_of(position: Position) -> str:
    """The position's most specific division code (what applications are scoped by)."""
    return position.county_code or position.city_code or position.province_code


def place_of(position: Position) -> str:
    parts = [position.province, position.city if position.city != position.province else None, position.district]
    return "".join(p for p in parts if p)


def position_problem(position: Position, today: date) -> str | None:
    """Why this position cannot take sign-ups now, or None."""
    if position.status == PositionStatus.pending.value:
        return (f"“{position.title}”（{position.code}）还在人社部门审核中，审核通过上线后才能报名。"
                "回复“找岗位”看看其他正在招募的见习岗位。")
    if position.status == PositionStatus.rejected.value:
        return (f"“{position.title}”（{position.code}）未通过审核，不能报名。"
                "回复“找岗位”看看其他正在招募的见习岗位。")
    if position.status == PositionStatus.closed.value or (position.closes_on and position.closes_on < today):
        return f"“{position.title}”（{position.code}）已停止报名。回复“找岗位”看看其他正在招募的见习岗位。"
    if position.status == PositionStatus.full.value or position.places_left <= 0:
        return f"“{position.title}”（{position.code}）的名额已满。回复“找岗位”看看其他正在招募的见习岗位。"
    if position.opens_on and position.opens_on > today:
        return (f"“{position.title}”（{position.code}）将于{date_text(position.opens_on)}开始报名，"
                "请到时再来报名。")
    return None


def trainee_label(a: Application) -> str:
    """How a sign-up's person is named to units and officials: the name, or a label once they deleted their data."""
    if a.applicant_name:
        return a.applicant_name
    return f"已匿名见习人员#{a.id}" if a.anonymised_at is not None else f"报名{a.id}"


def existing_application(session: Session, openid: str, position_id: int) -> Application | None:
    return session.scalar(select(Application).where(Application.openid == openid,
                                                    Application.position_id == position_id))


def duplicate_text(application: Application) -> str:
    return (f"您已经报名过这个岗位（{application.position_code}，{date_text(application.created_at)}报名），"
            f"当前状态：{label(application.status)}。同一岗位只能报名一次。回复“我的报名”查看全部报名。")


# --- a person's applications ---------------------------------------------------------------------
def applications_of(session: Session, openid: str) -> list[tuple[Application, Position | None]]:
    rows = session.execute(select(Application, Position).outerjoin(Position, Position.id == Application.position_id)
                           .where(Application.openid == openid)
                           .order_by(Application.created_at.desc(), Application.id.desc()))
    return [(a, p) for a, p in rows.tuples()]


def application_lines(application: Application, position: Position | None, today: date) -> list[str]:
    title = position.title if position else "（岗位已下架）"
    lines = [f"{title}（{application.position_code}）" + (f" · {position.unit_name}" if position else ""),
             f"   状态：{label(application.status)}｜{date_text(application.created_at)}报名"]
    if application.status == ApplicationStatus.rejected.value and application.reason:
        lines.append(f"   原因：{application.reason}")
    if application.starts_on and application.ends_on:
        lines.append(f"   见习期：{date_text(application.starts_on)}至{date_text(application.ends_on)}")
    if application.review_due_on and application.status in ("submitted", "under_review"):
        if is_overdue(application, today):
            lines.append(f"   已超过审核时限（{date_text(application.review_due_on)}），可向当地人社部门询问进度")
        else:
            lines.append(f"   最晚{date_text(application.review_due_on)}前审核")
    return lines


def applications_text(session: Session, openid: str, today: date) -> str:
    rows = applications_of(session, openid)
    if not rows:
        return ("您还没有报名任何见习岗位。回复“找岗位”查找适合您的岗位，"
                "看中后回复“报名 岗位编号”即可报名（例如：报名 GZ-KJ-01）。")
    lines = [f"您的报名（共 {len(rows)} 个）："]
    for i, (a, p) in enumerate(rows, 1):
        first, *rest = application_lines(a, p, today)
        lines.append(f"{i}. {first}")
        lines.extend(rest)
    lines.append("\n状态有变化时我会发消息通知您。")
    return "\n".join(lines)


# --- notifications -----------------------------------------------------------------------------
def status_message(application: Application, position: Position | None) -> str:
    """What the applicant is told when their application changes status (no phone or ID number in it)."""
    what = f"“{position.title}”（{application.position_code}，{position.unit_name}）" if position else \
        f"岗位 {application.position_code}"
    lines = [f"【报名状态更新】您报名的{what}：{label(application.status)}。"]
    status = application.status
    if status == ApplicationStatus.under_review.value:
        lines.append("人社部门正在审核您的报名，请留意后续通知。")
    elif status == ApplicationStatus.accepted.value:
        lines.append("恭喜！您的报名已审核通过，见习单位会与您联系，商定见习安排并签订见习协议。")
    elif status == ApplicationStatus.rejected.value:
        lines.append(f"原因：{application.reason or '未说明'}")
        lines.append("别灰心，回复“找岗位”看看其他岗位；有疑问可咨询当地人社部门或拨打 12333。")
    elif status == ApplicationStatus.on_internship.value:
        lines.append(f"见习协议已签订，见习期：{date_text(application.starts_on)}至{date_text(application.ends_on)}。"
                     "祝见习顺利！")
    elif status == ApplicationStatus.completed.value:
        lines.append("您的见习期已满，感谢参加就业见习！需要就业帮助可咨询当地人社部门。")
    elif status == ApplicationStatus.retained.value:
        lines.append("恭喜您被见习单位留用！")
    elif status == ApplicationStatus.ended_early.value:
        lines.append(f"见习于{date_text(application.ends_on)}结束。原因：{application.reason or '未说明'}")
    lines.append("回复“我的报名”查看全部报名。")
    return "\n".join(lines)


def notify_status_change(api: Any, db: Database, application_id: int) -> bool:
    """Tell the applicant the application's current status by a customer-service text message.

    ``api`` is the WeChat client (``bot.wechat.client.WeChatApi``, or anything with ``send_text(openid, text)``).
    Returns whether the message went out; a failure is logged (without the message) and recorded as a failed
    call by the client, and never undoes the status change. Anonymised applications are not notified.
    """
    with db.session() as s:
        application = s.get(Application, application_id)
        if application is None or application.openid.startswith(ANONYMOUS_PREFIX):
            return False
        position = s.get(Position, application.position_id)
        openid = application.openid
        text = status_message(application, position)
    return tell(api, db, openid, text, intent="applications.status", key=f"application:{application_id}")


# --- masked views ------------------------------------------------------------------------------
def masked_phone(vault: Vault, token: str | None) -> str:
    return mask_phone(vault.decrypt(token)) if token else ""


def masked_id(vault: Vault, token: str | None) -> str:
    return mask_id_number(vault.decrypt(token)) if token else ""


# --- 删除我的信息 ---------------------------------------------------------------------------------
def delete_personal_data(session: Session, user: User, now: datetime | None = None,
                         current_message: str | None = None) -> int:
    """Delete a person's data, keeping only what the programme's records need, anonymised.

    Applications keep position, unit, region, status and dates (and how the person qualified), lose name,
    phone, ID number and hardship flags, and are detached from the WeChat account. Subsidy claims keep their
    amounts, with the person's lines naming them only as 已匿名见习人员#<报名编号>; so do the units' own message logs
    (and the replies kept for WeChat's retries) where the name appears. The user row keeps only
    the openid and its subscription settings. Message logs of the openid are deleted, and so are the replies
    kept (up to a day) to answer WeChat's retries of its messages, except ``current_message``'s, still at work;
    where Redis holds those, they expire on their own. Returns the number of applications anonymised.
    """
    now = now or utcnow()
    openid = user.openid
    applications = list(session.scalars(select(Application).where(Application.openid == openid)))
    _anonymise_claims(session, applications)
    _anonymise_unit_logs(session, applications)
    for a in applications:
        a.openid = ANONYMOUS_PREFIX + secrets.token_hex(12)
        a.applicant_name = None
        a.phone_enc = None
        a.id_number_enc = None
        a.id_number_hash = None
        a.hardship_flags = None
        a.eligibility_notes = None
        a.anonymised_at = now
    for field in ("name", "phone_enc", "phone_hash", "id_number_enc", "id_number_hash", "birth_date", "education",
                  "school", "major", "graduation", "region_code", "region_name", "latitude", "longitude",
                  "location_at", "beijing_origin", "beijing_hukou", "hardship_flags", "hardship_consent_at"):
        setattr(user, field, None)
    user.anonymised_at = now
    keys = {k for k in session.scalars(select(MessageLog.msg_key).where(MessageLog.openid == openid)) if k}
    claims = [f"claim:{k}" for k in keys if k != current_message]
    for i in range(0, len(claims), 500):
        session.execute(delete(CacheEntry).where(CacheEntry.key.in_(claims[i:i + 500])))
    session.execute(delete(MessageLog).where(MessageLog.openid == openid))
    session.execute(delete(TemplateDelivery).where(TemplateDelivery.openid == openid))
    state = session.get(ConversationState, openid)
    if state is not None:
        state.form = None
        state.slot = None
        state.slots = {}
        state.history = []
        state.context = {}
    return len(applications)


def _anonymise_claims(session: Session, applications: list[Application]) -> None:
    """The person's lines in their units' subsidy claims: the name replaced by the anonymised label."""
    names = {a.id: (a.applicant_name, f"已匿名见习人员#{a.id}") for a in applications}
    units = {a.unit_id for a in applications if a.unit_id is not None}
    if not units:
        return
    for claim in session.scalars(select(SubsidyClaim).where(SubsidyClaim.unit_id.in_(units))):
        lines, changed = [], False
        for line in claim.lines or []:
            ref = line.get("application_id") if isinstance(line, dict) else None
            if ref in names:
                old, new = names[ref]
                line = dict(line)
                for said in {x for x in (old, line.get("name")) if x}:
                    line["text"] = str(line.get("text", "")).replace(said, new)
                line["name"] = new
                changed = True
            lines.append(line)
        if changed:
            claim.lines = lines  # a new list: the JSON column sees the change


def _anonymise_unit_logs(session: Session, applications: list[Application]) -> None:
    """The name in the message logs of the units' contacts (考勤 张三 22, 【新报名】张三…) → the label."""
    for a in applications:
        if not a.applicant_name or a.unit_id is None:
            continue
        contact = session.scalar(select(Unit.contact_openid).where(Unit.id == a.unit_id))
        if not contact:
            continue
        label = f"已匿名见习人员#{a.id}"
        keys = set()
        for row in session.scalars(select(MessageLog).where(MessageLog.openid == contact,
                                                            MessageLog.content.contains(a.applicant_name))):
            row.content = row.content.replace(a.applicant_name, label)
            if row.msg_key:
                keys.add(f"claim:{row.msg_key}")
        for entry in session.scalars(select(CacheEntry).where(CacheEntry.key.in_(keys))) if keys else ():
            entry.value = entry.value.replace(a.applicant_name, label)
