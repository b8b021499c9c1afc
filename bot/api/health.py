"""``GET /healthz``: 200 with a small JSON body when the app can serve (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        with state.services.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        database = "unavailable"
    body = {"status": "ok" if database == "ok" else "degraded", "database": database,
            "mode": "simulator" if state.settings.simulator_mode else "wechat",
            "safe_mode": state.settings.safe_mode}
    return JSONResponse(body, status_code=200 if database == "ok" else 503)
