"""Who is calling the admin API: the operator's ``JIANXI_ADMIN_TOKEN`` (the whole country) or an official's
own account token (their region only). Every admin router depends on ``AdminDep``.

    @router.get("/applications")
    def list_applications(admin: AdminDep, ...):
        query = admin.scope(query, Application.region_code)   # only the caller's region
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import ColumnElement, Select, select

from bot.models import OfficialAccount

TOKEN_BYTES = 24


@dataclass(frozen=True)
class Admin:
    """The authenticated caller. ``region_code`` None: every region."""

    name: str
    region_code: str | None
    account_id: int | None = None

    def sees(self, region_code: str | None) -> bool:
        """Whether a record of ``region_code`` (a division code of any level) is in the caller's region."""
        if self.region_code is None:
            return True
        return bool(region_code) and str(region_code).startswith(self.region_code)

    def scope(self, query: Select[Any], column: ColumnElement[Any]) -> Select[Any]:
        """``query`` narrowed to the caller's region (a prefix match on a division-code column)."""
        if self.region_code is None:
            return query
        return query.where(column.startswith(self.region_code))


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def require_admin(request: Request) -> Admin:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("需要管理员令牌（Authorization: Bearer …）")
    settings = request.app.state.settings
    if settings.admin_token and hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        return Admin(name="管理员", region_code=None)
    services = request.app.state.services
    token_hash = services.vault.lookup_hash("official-token:" + token)
    with services.db.session() as s:
        account = s.scalar(select(OfficialAccount).where(OfficialAccount.token_hash == token_hash,
                                                         OfficialAccount.active.is_(True)))
        if account is not None:
            return Admin(name=account.name, region_code=account.region_code, account_id=account.id)
    raise _unauthorized("令牌无效或已停用")


AdminDep = Annotated[Admin, Depends(require_admin)]


def issue_official_token(services: Any, name: str, region_code: str | None, openid: str | None = None) -> str:
    """Create an official's account and return its token (shown once; only its keyed hash is stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with services.db.session() as s:
        s.add(OfficialAccount(name=name, region_code=region_code, openid=openid,
                              token_hash=services.vault.lookup_hash("official-token:" + token)))
    return token
