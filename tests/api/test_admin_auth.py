"""Admin API authentication: the operator's token sees every region, an official's token only theirs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.admin_auth import Admin, issue_official_token
from bot.config import Settings

ADMIN = "operator-token-0123456789"


@pytest.fixture
def admin_client(settings: Settings) -> Any:
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"admin_token": ADMIN}))
    with TestClient(app) as c:
        yield c
    app.state.services.db.dispose()


def test_without_a_token_everyone_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/admin/whoami")
    assert r.status_code == 401 and "令牌" in r.json()["detail"]
    assert client.get("/api/v1/admin/whoami", headers={"Authorization": "Bearer x" * 3}).status_code == 401


def test_operator_and_official_tokens(admin_client) -> None:  # type: ignore[no-untyped-def]
    ok = admin_client.get("/api/v1/admin/whoami", headers={"Authorization": f"Bearer {ADMIN}"})
    assert ok.status_code == 200 and ok.json()["region_code"] is None
    assert admin_client.get("/api/v1/admin/whoami", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert admin_client.get("/api/v1/admin/whoami", headers={"Authorization": ADMIN}).status_code == 401
    token = issue_official_token(admin_client.app.state.services, "郑州市人社局", "4101")
    me = admin_client.get("/api/v1/admin/whoami", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"name": "郑州市人社局", "region_code": "4101"}


def test_region_scope() -> None:
    zz = Admin("郑州", "4101")
    assert zz.sees("410105") and zz.sees("4101") and not zz.sees("4401") and not zz.sees(None)
    assert Admin("全国", None).sees("4401")
