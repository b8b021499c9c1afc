"""Reading query parameters and JSON fields the same way in every API module: a bad value is a 422 with a
message in Chinese that names the field, never a 500."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi import HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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


# --- what FastAPI itself refuses (a body that is not JSON, a missing body, a wrong type) ------------
_KINDS = {"missing": "缺少", "json_invalid": "不是有效的 JSON", "dict_type": "应为 JSON 对象",
          "model_attributes_type": "应为 JSON 对象", "string_type": "应为文字", "int_type": "应为整数",
          "int_parsing": "应为整数", "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
          "float_parsing": "应为数字", "list_type": "应为列表", "string_too_short": "不能为空",
          "string_too_long": "太长"}


def validation_message(errors: Sequence[Any]) -> str:
    """One Chinese sentence for FastAPI's validation errors."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return "请求体不是有效的 JSON，请检查引号、逗号和括号，并以 Content-Type: application/json 发送。"
    if any(e.get("type") == "missing" and tuple(e.get("loc", ())) == ("body",) for e in errors):
        return "缺少请求体：请发送 JSON 对象（Content-Type: application/json）。"
    parts = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ())]
        field = ".".join(loc[1:]) or {"body": "请求体", "query": "查询参数", "path": "路径参数"}.get(loc[0] if loc else "",
                                                                                           "参数")
        kind = str(e.get("type"))
        parts.append(f"缺少 {field}" if kind == "missing" else f"{field} {_KINDS.get(kind, '格式不对')}")
    return "请求不正确：" + "；".join(dict.fromkeys(parts)) + "。"


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 in Chinese (``detail``), with FastAPI's own list kept as ``errors`` for programs."""
    errors = list(exc.errors())
    return JSONResponse(status_code=422, content={"detail": validation_message(errors),
                                                   "errors": jsonable_encoder(errors)})
