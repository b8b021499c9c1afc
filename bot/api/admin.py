"""``/api/v1/admin``: the caller's identity. Feature routers (applications, units, events …) add the rest,
each depending on ``bot.api.admin_auth.AdminDep``."""

from __future__ import annotations

from fastapi import APIRouter

from bot.api.admin_auth import AdminDep

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.get("/whoami")
def whoami(admin: AdminDep) -> dict[str, str | None]:
    """Who the token belongs to and which region it sees (null: every region)."""
    return {"name": admin.name, "region_code": admin.region_code}
