"""Settings: the public environment variables, and production's refusal of development secrets."""

from __future__ import annotations

import pytest

from bot.config import DEV_SECRET_KEY, DEV_WECHAT_TOKEN, InsecureSettingsError, Settings

pytestmark = pytest.mark.smoke


def make(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def test_public_variables_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "JIANXI_DATABASE_URL": "postgresql://u@h/db", "JIANXI_REDIS_URL": "redis://127.0.0.1:6379/3",
        "JIANXI_WECHAT_TOKEN": "tok", "JIANXI_WECHAT_APPID": "wx123", "JIANXI_WECHAT_SECRET": "sec",
        "JIANXI_WECHAT_AES_KEY": "a" * 43, "JIANXI_WECHAT_API_BASE": "http://127.0.0.1:9/base/",
        "JIANXI_WECHAT_MAX_SKEW_S": "0", "JIANXI_ADMIN_TOKEN": "adm",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url == "postgresql://u@h/db" and s.redis_url == "redis://127.0.0.1:6379/3"
    assert (s.wechat_token, s.wechat_appid, s.wechat_secret) == ("tok", "wx123", "sec")
    assert s.safe_mode and s.wechat_api_base == "http://127.0.0.1:9/base"
    assert s.wechat_max_skew_s == 0 and s.admin_token == "adm"
    assert not s.simulator_mode


def test_defaults() -> None:
    s = make()
    assert s.database_url == "sqlite:///./jianxi.db"
    assert s.redis_url is None and s.wechat_appid is None and not s.safe_mode
    assert s.simulator_mode and s.wechat_max_skew_s == 300 and s.admin_token is None
    assert s.wechat_api_base == "https://api.weixin.qq.com"


def test_bad_aes_key_is_refused() -> None:
    with pytest.raises(ValueError, match="43"):
        make(wechat_aes_key="short")


def test_production_refuses_development_secrets() -> None:
    s = make(env="production", wechat_appid="wx1", wechat_secret="s")
    assert s.wechat_token == DEV_WECHAT_TOKEN and s.secret_key == DEV_SECRET_KEY
    with pytest.raises(InsecureSettingsError) as e:
        s.assert_safe()
    assert "JIANXI_WECHAT_TOKEN" in str(e.value) and "JIANXI_SECRET_KEY" in str(e.value)
    ok = make(env="production", wechat_appid="wx1", wechat_secret="s", wechat_token="a-real-token",
              secret_key="x" * 32)
    ok.assert_safe()
    make().assert_safe()  # development starts with its defaults


def test_app_refuses_to_start_in_production_with_defaults(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_app

    with pytest.raises(InsecureSettingsError):
        create_app(make(env="production", database_url=f"sqlite:///{tmp_path}/p.db"))
