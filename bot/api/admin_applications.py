"""``/api/v1/admin/applications``: sign-ups for officials, scoped to the caller's region.

* ``GET /api/v1/admin/applications?status=&overdue=true&limit=&offset=`` → ``{"items": [{"id", "position_code",
  "name", "phone", "id_number", "status", "created_at", ...}], "total", "limit", "offset"}``, newest first, phone
  and ID number masked. Extra fields per item: ``status_label``, ``region_code``, ``review_due_on``, ``overdue``,
  ``reason``, ``starts_on``, ``ends_on``.
* ``GET /api/v1/admin/applications/{id}`` → one application with its status history.
* ``POST /api/v1/admin/applications/{id}/review`` ``{"action": "start_review" | "accept" | "reject", "reason"}``.
* ``POST /api/v1/admin/applications/{id}/internship`` ``{"action": "start" | "complete" | "retain" | "end_early",
  "starts_on", "ends_on", "reason"}`` (start: the agreement's dates; end_early: a reason).

A change the state table does not allow is a 409 with a Chinese message; an application outside the caller's
region is a 404, as if it did not exist. Every change is told to the applicant (customer-service message).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from sqlalchemy import func, not_, select

from bot.api.admin_auth import Admin, AdminDep
from bot.api.params import bad, date_param, int_param
from bot.applications.lifecycle import (
    TransitionError,
    is_overdue,
    label,
    overdue_clause,
    transition,
)
from bot.applications.service import HARDSHIP_LABELS, masked_id, masked_phone, notify_status_change
from bot.models import Application, ApplicationEvent, ApplicationStatus, Position, User
from bot.privacy import Vault
from bot.units.service import parse_id

router = APIRouter(prefix="/api/v1/admin/applications", tags=["admin"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
REVIEW_ACTIONS = {"start_review": ApplicationStatus.under_review, "accept": ApplicationStatus.accepted,
                  "reject": ApplicationStatus.rejected}
INTERNSHIP_ACTIONS = {"start": ApplicationStatus.on_internship, "complete": ApplicationStatus.completed,
                      "retain": ApplicationStatus.retained, "end_early": ApplicationStatus.ended_early}
_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否"}








def _today(request: Request) -> date:
    return request.app.state.services.clock().date()


def _item(a: Application, user: User | None, vault: Vault, today: date) -> dict[str, Any]:
    """One application as officials see it: phone and ID number masked. Rows from before sign-ups kept a
    snapshot (e.g. demo trainees) fall back to the person's profile."""
    anonymised = a.anonymised_at is not None
    profile = None if anonymised else user
    return {
        "id": a.id,
        "position_code": a.position_code,
        "name": a.applicant_name or (profile.name if profile else None) or ("（已匿名）" if anonymised else ""),
        "phone": masked_phone(vault, a.phone_enc or (profile.phone_enc if profile else None)),
        "id_number": masked_id(vault, a.id_number_enc or (profile.id_number_enc if profile else None)),
        "status": a.status,
        "created_at": a.created_at.isoformat(timespec="seconds"),
        "status_label": label(a.status),
        "region_code": a.region_code,
        "review_due_on": a.review_due_on.isoformat() if a.review_due_on else None,
        "overdue": is_overdue(a, today),
        "reason": a.reason,
        "starts_on": a.starts_on.isoformat() if a.starts_on else None,
        "ends_on": a.ends_on.isoformat() if a.ends_on else None,
    }


@router.get("")
def list_applications(request: Request, admin: AdminDep, status: str | None = None, overdue: str | None = None,
                      limit: str | None = None, offset: str | None = None) -> dict[str, Any]:
    """Sign-ups in the caller's region, newest first, phone and ID number masked."""
    services = request.app.state.services
    today = _today(request)
    n = int_param(limit, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    skip = int_param(offset, "offset", 0, 0, 10_000_000)
    query = select(Application, User).outerjoin(User, User.openid == Application.openid)
    query = admin.scope(query, Application.region_code)
    if status is not None and status.strip():
        if status.strip() not in ApplicationStatus.__members__:
            raise bad("status 应为 " + " / ".join(ApplicationStatus.__members__) + " 之一")
        query = query.where(Application.status == status.strip())
    if overdue is not None and overdue.strip():
        flag = overdue.strip().lower()
        if flag not in _TRUE | _FALSE:
            raise bad("overdue 应为 true 或 false")
        query = query.where(overdue_clause(today) if flag in _TRUE else not_(overdue_clause(today)))
    with services.db.session() as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.execute(query.order_by(Application.created_at.desc(), Application.id.desc()).limit(n).offset(skip))
        items = [_item(a, u, services.vault, today) for a, u in rows.tuples()]
    return {"items": items, "total": total, "limit": n, "offset": skip}


def _parse_id(application_id: str) -> int:
    number = parse_id(application_id)
    if number is None:  # not a row id (letters, a number beyond the column): no such sign-up
        raise HTTPException(404, "没有找到这条报名")
    return number


def _load(s: Any, admin: Admin, application_id: str, lock: bool = False) -> Application:
    a = s.get(Application, _parse_id(application_id), with_for_update=lock or None)
    if a is None or not admin.sees(a.region_code):
        raise HTTPException(404, "没有找到这条报名")  # another region's application does not exist for the caller
    return a


@router.get("/{application_id}")
def get_application(application_id: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    """One application with its position, eligibility and status history."""
    services = request.app.state.services
    today = _today(request)
    with services.db.session() as s:
        a = _load(s, admin, application_id)
        user = s.scalar(select(User).where(User.openid == a.openid))
        position = s.get(Position, a.position_id)
        events = s.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == a.id)
                           .order_by(ApplicationEvent.created_at, ApplicationEvent.id))
        item = _item(a, user, services.vault, today)
        item.update({
            "position_title": position.title if position else None,
            "unit_name": position.unit_name if position else None,
            "education": a.education,
            "route": a.route,
            "eligibility": a.eligibility,
            "eligibility_notes": a.eligibility_notes,
            "hardship": [HARDSHIP_LABELS.get(c, c) for c in (a.hardship_flags or "").split()],
            "agreement_signed_on": a.agreement_signed_on.isoformat() if a.agreement_signed_on else None,
            "history": [{"from": e.from_status, "to": e.to_status, "reason": e.reason, "actor": e.actor,
                         "at": e.created_at.isoformat(timespec="seconds")} for e in events],
        })
    return item


def _change(request: Request, admin: AdminDep, application_id: str, target: ApplicationStatus,
            body: dict[str, Any]) -> dict[str, Any]:
    services = request.app.state.services
    today = _today(request)
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise bad("reason 应为文字")
    if reason and len(reason) > 500:
        raise bad("reason 不能超过 500 个字")
    with services.db.session() as s:
        a = _load(s, admin, application_id, lock=True)
        try:
            transition(s, a, target, actor=f"official:{admin.name}", today=today, reason=reason,
                       starts_on=date_param(body.get("starts_on"), "starts_on"), ends_on=date_param(body.get("ends_on"), "ends_on"),
                       agreement_signed_on=date_param(body.get("agreement_signed_on"), "agreement_signed_on"))
        except TransitionError as e:
            raise HTTPException(409 if e.conflict else 422, e.message) from None
        user = s.scalar(select(User).where(User.openid == a.openid))
        item = _item(a, user, services.vault, today)
        application_pk = a.id
    # After the commit: the change stands whether or not the message gets through.
    item["notified"] = notify_status_change(request.app.state.api, services.db, application_pk)
    return item


def _action(body: Any, actions: dict[str, ApplicationStatus]) -> ApplicationStatus:
    if not isinstance(body, dict):
        raise bad("请求体应为 JSON 对象，例如 {\"action\": \"accept\"}")
    action = body.get("action")
    if action not in actions:
        raise bad("action 应为 " + " / ".join(actions) + " 之一")
    return actions[action]


@router.post("/{application_id}/review")
def review(application_id: str, request: Request, admin: AdminDep,
           body: Any = Body(default=None)) -> dict[str, Any]:
    """Review an application: start_review, accept, or reject (with a reason the applicant is told)."""
    return _change(request, admin, application_id, _action(body, REVIEW_ACTIONS), body)


@router.post("/{application_id}/internship")
def internship(application_id: str, request: Request, admin: AdminDep,
               body: Any = Body(default=None)) -> dict[str, Any]:
    """The internship after acceptance: start (agreement dates), complete, retain, end_early (with a reason)."""
    return _change(request, admin, application_id, _action(body, INTERNSHIP_ACTIONS), body)
