"""``/api/v1/admin/events``: matching events (专项对接活动) officials announce to their region's followers.

* ``POST /api/v1/admin/events`` ``{"title", "text", "date": "YYYY-MM-DD", "place", "region", "major",
  "roles": ["graduate", ...]}`` → 201 with the audience and the delivery summary. An official's event goes to
  their own region (or a part of it); the operator's may go anywhere. The audience gets a recall the day before.
* ``GET /api/v1/admin/events`` → the events of the caller's region, newest first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from sqlalchemy import or_, select

from bot.api.admin_auth import AdminDep
from bot.api.params import bad, date_param
from bot.models import MatchingEvent
from knowledge.divisions import divisions
from scheduler.events import EventError, announce

router = APIRouter(prefix="/api/v1/admin/events", tags=["admin"])


def _item(e: MatchingEvent) -> dict[str, Any]:
    return {"id": e.id, "title": e.title, "text": e.text, "date": e.starts_on.isoformat() if e.starts_on else None,
            "place": e.place, "region_code": e.region_code, "major": e.major, "roles": e.roles.split(),
            "audience": e.audience, "created_by": e.created_by, "created_at": e.created_at.isoformat(timespec="seconds")}


@router.post("", status_code=201)
def create_event(request: Request, admin: AdminDep, body: Any = Body(...)) -> dict[str, Any]:  # noqa: B008
    services = request.app.state.services
    if not isinstance(body, dict):
        raise bad("请求体应为 JSON 对象")
    region = str(body.get("region") or "").strip() or admin.region_code
    if region:
        d = divisions().get(region) if region.isdigit() else None
        found = [d] if d else divisions().resolve(region)
        if len(found) != 1:
            raise bad("region 应为一个明确的地区（代码或名称）")
        region = found[0].code
    if not admin.sees(region):
        raise HTTPException(403, "只能向本地区发布活动")
    starts_on = date_param(body.get("date"), "date")
    if starts_on is not None and starts_on < services.clock().date():
        raise bad("活动日期不能早于今天")
    roles = body.get("roles") or ["graduate"]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise bad("roles 应为列表，例如 [\"graduate\"]")
    for key in ("title", "text", "place", "major"):
        if body.get(key) is not None and not isinstance(body.get(key), str):
            raise bad(f"{key} 应为文字")
    if len(str(body.get("place") or "")) > 200:
        raise bad("place 不能超过 200 个字")
    try:
        event, summary = announce(services.db, request.app.state.api, services.settings,
                                  title=str(body.get("title") or ""), text=str(body.get("text") or ""),
                                  starts_on=starts_on, place=body.get("place") or None, region=region or None,
                                  major=body.get("major") or None, roles=tuple(roles), created_by=admin.name)
    except EventError as e:
        raise bad(str(e)) from None
    return {**_item(event), "summary": summary.as_dict()}


@router.get("")
def list_events(request: Request, admin: AdminDep) -> dict[str, Any]:
    query = select(MatchingEvent).order_by(MatchingEvent.created_at.desc(), MatchingEvent.id.desc()).limit(200)
    if admin.region_code:
        query = query.where(or_(MatchingEvent.region_code.startswith(admin.region_code),
                                MatchingEvent.region_code.is_(None)))
    with request.app.state.services.db.session() as s:
        return {"items": [_item(e) for e in s.scalars(query)], "today": date.today().isoformat()}
