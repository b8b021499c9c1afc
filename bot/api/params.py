"""Reading query parameters and JSON fields the same way in every API module: a bad value is a 422 with a
message in Chinese that names the field, never a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import HTTPException


def bad(message: str) -> HTTPException:
    """A 422 whose ``detail`` is ``message`` (Chinese, for the caller)."""
    return HTTPException(status_code=422, detail=message)


def int_param(value: str | None, name: str, default: int, low: int, high: int) -> int:
    """An integer in ``[low, high]``; ``default`` when absent or blank."""
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise bad(f"{name} 必须是 {low} 到 {high} 之间的整数") from None
    if not low <= number <= high:
        raise bad(f"{name} 必须是 {low} 到 {high} 之间的整数")
    return number


def text_param(value: str | None, name: str, limit: int = 200) -> str | None:
    """Trimmed text of at most ``limit`` characters; None when absent or blank."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise bad(f"{name} 不能超过 {limit} 个字符")
    return value or None


def date_param(value: Any, name: str) -> date | None:
    """A ``YYYY-MM-DD`` date; None when absent or empty."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise bad(f"{name} 应为 YYYY-MM-DD 格式的日期") from None
