"""The browser simulator: a chat page at ``/`` that talks to the real ``/wechat`` endpoint.

Served only without an AppID. The page signs each message with the development token (handed to it
by ``/simulator/config``), posts WeChat's XML to ``/wechat``, and polls the stand-in WeChat API for
pushes (customer-service and template messages).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy import select

from bot.config import STANDIN_MOUNT
from bot.models import ROLE_LABELS, Role, User

STATIC = Path(__file__).parent / "static"
ACCOUNT = "gh_jianxi_simulator"
PERSONAS = [
    {"role": Role.graduate.value, "openid": "sim-graduate", "label": "毕业生", "region_code": None,
     "region_name": None},
    {"role": Role.unit.value, "openid": "sim-unit", "label": "见习单位", "region_code": "440106",
     "region_name": "广东省广州市天河区"},
    # The simulator's official sees the whole country, so one newcomer can review what the other personas do
    # wherever they registered; real officials' accounts have a region (jianxi official add).
    {"role": Role.official.value, "openid": "sim-official", "label": "人社工作人员", "region_code": None,
     "region_name": None},
]

router = APIRouter(tags=["simulator"], include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/simulator/static/{name}")
def asset(name: str) -> FileResponse:
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve() or not path.is_file():
        raise HTTPException(404, "没有这个文件")
    return FileResponse(path)


@router.get("/simulator/config")
def config(request: Request) -> dict:
    from bot.wechat.menu import MENU

    return {
        "token": request.app.state.settings.wechat_token,
        "account": ACCOUNT,
        "personas": [{"role": p["role"], "openid": p["openid"], "label": p["label"]} for p in PERSONAS],
        "menu": MENU,
        "standin": STANDIN_MOUNT,
    }


class PersonaIn(BaseModel):
    role: Role


@router.post("/simulator/persona")
def persona(body: PersonaIn, request: Request) -> dict:
    """Make sure the simulator's user for this role exists with that role; return its openid."""
    p = next(p for p in PERSONAS if p["role"] == body.role.value)
    ensure_personas(request.app.state.services.db)
    return {"role": p["role"], "openid": p["openid"], "label": p["label"],
            "role_label": ROLE_LABELS[Role(p["role"])]}


def ensure_personas(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for p in PERSONAS:
            user = s.scalar(select(User).where(User.openid == p["openid"]))
            if user is None:
                s.add(User(openid=p["openid"], role=p["role"], region_code=p["region_code"],
                           region_name=p["region_name"], subscribed=True, pushes_enabled=True))
            elif user.role != p["role"]:
                user.role = p["role"]
