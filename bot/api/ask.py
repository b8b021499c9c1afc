"""``POST /api/v1/ask``: the same policy answers as in chat, for scripts and other channels."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from knowledge.answer import default_answerer

router = APIRouter(prefix="/api/v1", tags=["policy"])


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    region: str | None = Field(default=None, max_length=40, description="地区名称或区划代码，如 “郑州” 或 “410105”")


class SourceOut(BaseModel):
    doc: str
    section: str


class AskOut(BaseModel):
    answer: str
    sources: list[SourceOut]
    confidence: float
    kind: Literal["answer", "clarify", "unknown", "calculation"]
    region: str | None


@router.post("/ask", response_model=AskOut)
def ask(body: AskIn, request: Request) -> AskOut:
    from knowledge.calculators import calculate

    places = request.app.state.services.divisions
    region_code = None
    if body.region:
        raw = body.region.strip()
        if raw.isdigit() and places.get(raw):
            region_code = raw
        else:
            found = places.resolve(raw)
            if not found:
                raise HTTPException(422, f"无法识别地区：{raw}")
            if len(found) > 1:
                raise HTTPException(422, "地区不明确：" + "、".join(d.full_name for d in found[:6]))
            region_code = found[0].code
    question = body.question.strip()
    if not question:
        raise HTTPException(422, "问题不能为空")
    today = date.today()
    result = calculate(question, region_code, today) or default_answerer().ask(question, region_code, None, today)
    return AskOut(answer=result.text, sources=[SourceOut(**s) for s in result.sources],
                  confidence=result.confidence, kind=result.kind, region=result.region)
