"""One place for configuration: environment variables (prefix ``JIANXI_``) or a ``.env`` file.

The public variables are listed in ``../shared/INTERFACES.md``; the ones added here
(``JIANXI_ENV``, ``JIANXI_SECRET_KEY`` ...) have development defaults that production refuses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_WECHAT_TOKEN = "jianxi-dev-token"
DEV_SECRET_KEY = "jianxi-dev-secret-key-change-me"
OFFICIAL_API_BASE = "https://api.weixin.qq.com"
# In simulator mode the built-in stand-in for WeChat's API answers with these credentials.
SIMULATOR_APPID = "wxjianxisimulator"
SIMULATOR_SECRET = "jianxi-simulator-secret"
STANDIN_MOUNT = "/wechat-api"


class InsecureSettingsError(RuntimeError):
    """Raised when production mode would run with a development secret."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIANXI_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite:///./jianxi.db"
    redis_url: str | None = None

    wechat_token: str = DEV_WECHAT_TOKEN
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_base: str = OFFICIAL_API_BASE
    wechat_max_skew_s: int = Field(default=300, ge=0)

    admin_token: str | None = None
    secret_key: str = DEV_SECRET_KEY

    # Time WeChat gives us is 5 s; we answer within this budget or fall back to the
    # customer-service message API.
    reply_budget_s: float = Field(default=4.5, gt=0)
    max_body_bytes: int = 64 * 1024
    # Serve the built-in simulator (chat page at / and the WeChat API stand-in) when no AppID is set.
    simulator: bool | None = None
    # Fill an empty database with a small demo population when serving in simulator mode.
    demo_on_empty: bool = True

    # Pushes (scheduler.push): WeChat calls per second at most (token bucket), and attempts per message.
    push_rate_per_s: float = Field(default=20.0, gt=0)
    push_max_attempts: int = Field(default=5, ge=1, le=20)
    # A failed message waits this, then twice as long, ... before its next attempt.
    push_retry_base_s: float = Field(default=5.0, gt=0)
    # Senders working at once (WeChat calls wait on the network).
    push_workers: int = Field(default=4, ge=1, le=32)
    # An event audience this large goes by WeChat's mass send (at most 4 a month per follower) instead of one
    # message per person.
    push_mass_threshold: int = Field(default=5000, ge=2)
    # The template id per kind of reminder ({"attendance": "TEMPLATE_ID", ...} as JSON); a kind without one goes
    # as a customer-service message, which WeChat accepts only within 48 hours of the person's last message.
    push_template_ids: dict[str, str] = Field(default_factory=dict)
    # Which of a message's values fills which field of the template: {"default": {"thing1": "title", ...}} as
    # JSON, a kind's own entry ({"report": {"thing2": "title", "time5": "when"}}) replacing the default for it.
    # The values are title (the matter), when (the time or deadline), note (a remark) and text (the full text).
    push_template_fields: dict[str, dict[str, str]] = Field(default_factory=lambda: {
        "default": {"thing1": "title", "time2": "when", "thing3": "note"}})
    # Run the scheduler inside `jianxi serve` (turn off when several web processes run; then run
    # `jianxi scheduler` once). A lock in the database keeps a second one from acting anyway.
    scheduler_embedded: bool = True

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.wechat_aes_key is not None and self.wechat_aes_key != "" and len(self.wechat_aes_key) != 43:
            raise ValueError("JIANXI_WECHAT_AES_KEY 必须是 43 个字符的 EncodingAESKey")
        if self.wechat_aes_key == "":
            self.wechat_aes_key = None
        if self.wechat_appid == "":
            self.wechat_appid = None
        self.wechat_api_base = self.wechat_api_base.rstrip("/")
        return self

    @property
    def simulator_mode(self) -> bool:
        if self.simulator is not None:
            return self.simulator
        return not self.wechat_appid

    @property
    def appid(self) -> str:
        return self.wechat_appid or SIMULATOR_APPID

    @property
    def appsecret(self) -> str:
        return self.wechat_secret or SIMULATOR_SECRET

    @property
    def safe_mode(self) -> bool:
        return self.wechat_aes_key is not None

    def problems_for_production(self) -> list[str]:
        """What would make this configuration unsafe in production."""
        problems = []
        if self.wechat_token == DEV_WECHAT_TOKEN:
            problems.append("JIANXI_WECHAT_TOKEN 仍是开发默认值")
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 16:
            problems.append("JIANXI_SECRET_KEY 仍是开发默认值或短于 16 个字符")
        if not self.wechat_appid or not self.wechat_secret:
            problems.append("生产环境必须设置 JIANXI_WECHAT_APPID 和 JIANXI_WECHAT_SECRET")
        if self.admin_token is not None and len(self.admin_token) < 16:
            problems.append("JIANXI_ADMIN_TOKEN 短于 16 个字符")
        return problems

    def assert_safe(self) -> None:
        if self.env == "production":
            problems = self.problems_for_production()
            if problems:
                raise InsecureSettingsError("拒绝以生产模式启动：" + "；".join(problems))


@lru_cache
def get_settings() -> Settings:
    return Settings()
