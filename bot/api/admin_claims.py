"""``/api/v1/admin/claims``: units' monthly subsidy claims for officials, scoped to the caller's region.

* ``GET /api/v1/admin/claims?status=&month=YYYY-MM&limit=&offset=`` → ``{"items", "total"}`` with the amounts;
  ``kind`` is ``monthly`` or ``difference`` (the "1+1" difference claimed on its own; ``month``: the latest end)
* ``GET /api/v1/admin/claims/{id}`` → one claim with its lines per trainee and the basis of the computation
* ``POST /api/v1/admin/claims/{id}/review`` ``{"action": "approve" | "reject" | "pay", "reason"}``:
  submitted → approved → paid, or submitted → rejected (a reason required); anything else is a 409

The unit contact is told of every change by a customer-service message.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from sqlalchemy import func, select

from bot.api.admin_auth import Admin, AdminDep
from bot.api.params import bad, int_param
from bot.claims import service as claims
from bot.models import ClaimStatus, SubsidyClaim, Unit
from bot.notify import tell
from bot.units.service import parse_id

router = APIRouter(prefix="/api/v1/admin/claims", tags=["admin"])


def _item(c: SubsidyClaim, unit: Unit | None, full: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": c.id, "unit_id": c.unit_id, "unit": unit.name if unit else None, "month": c.month, "kind": c.kind,
        "title": claims.claim_title(c),
        "region_code": c.region_code, "status": c.status, "status_label": claims.claim_label(c.status),
        "total": str(Decimal(c.total).quantize(Decimal("0.01"))), "reason": c.reason,
        "created_at": c.created_at.isoformat(timespec="seconds"),
        "paid_at": c.paid_at.isoformat(timespec="seconds") if c.paid_at else None,
    }
    if full:
        item["lines"] = c.lines
        item["notes"] = c.notes
    return item


@router.get("")
def list_claims(request: Request, admin: AdminDep, status: str | None = None, month: str | None = None,
                limit: str | None = None, offset: str | None = None) -> dict[str, Any]:
    n = int_param(limit, "limit", 100, 1, 1000)
    skip = int_param(offset, "offset", 0, 0, 10_000_000)
    query = admin.scope(select(SubsidyClaim, Unit).join(Unit, Unit.id == SubsidyClaim.unit_id),
                        SubsidyClaim.region_code)
    if status:
        if status not in ClaimStatus.__members__:
            raise bad("status 应为 " + " / ".join(ClaimStatus.__members__) + " 之一")
        query = query.where(SubsidyClaim.status == status)
    if month:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise bad("month 应为 YYYY-MM，例如 2026-10")
        query = query.where(SubsidyClaim.month == month)
    with request.app.state.services.db.session() as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.execute(query.order_by(SubsidyClaim.created_at.desc(), SubsidyClaim.id.desc()).limit(n).offset(skip))
        return {"items": [_item(c, u) for c, u in rows.tuples()], "total": total, "limit": n, "offset": skip}


def _claim(s: Any, admin: Admin, claim_id: str) -> SubsidyClaim:
    pk = parse_id(claim_id)
    c = s.get(SubsidyClaim, pk) if pk is not None else None
    if c is None or not admin.sees(c.region_code):
        raise HTTPException(404, "没有找到这条申领")
    return c


@router.get("/{claim_id}")
def get_claim(claim_id: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    with request.app.state.services.db.session() as s:
        c = _claim(s, admin, claim_id)
        return _item(c, s.get(Unit, c.unit_id), full=True)


@router.post("/{claim_id}/review")
def review_claim(claim_id: str, request: Request, admin: AdminDep, body: Any = Body(...)) -> dict[str, Any]:  # noqa: B008
    services = request.app.state.services
    if not isinstance(body, dict) or body.get("action") not in claims.REVIEW:
        raise bad("action 应为 " + " / ".join(claims.REVIEW) + " 之一")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        raise bad("reason 应为不超过 500 字的文字")
    with services.db.session() as s:
        c = _claim(s, admin, claim_id)
        try:
            claims.review(c, body["action"], reason)
        except claims.ClaimError as e:
            raise HTTPException(409 if e.conflict else 422, e.message) from None
        unit = s.get(Unit, c.unit_id)
        item = _item(c, unit, full=True)
        openid = unit.contact_openid if unit else None
        text = claims.status_message(c)
    item["notified"] = bool(openid) and tell(request.app.state.api, services.db, openid, text,  # type: ignore[arg-type]
                                             intent="claims.review", key=f"claim:{item['id']}:{item['status']}")
    return item
