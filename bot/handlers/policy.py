"""Policy questions (政策问答): answers from the knowledge base, for the user's region, with sources.

Also the fallback for free text no other flow claimed: a policy question asked without keywords still
gets its answer; anything else gets an honest "I don't know" and what the bot can do.
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.router import Reply, Router
from bot.handlers.help import capabilities
from bot.handlers.help import fallback as help_fallback
from bot.handlers.positions import search as search_positions
from bot.handlers.positions import wants_positions
from knowledge.answer import Answer, PolicyAnswerer, default_answerer

router = Router("policy")

PROMPT = ("请直接输入您想了解的见习政策问题，例如：\n"
          "· 河南见习补贴是多少？\n· 离校两年了还能参加见习吗？\n· 长沙见习基地要什么条件？\n"
          "· 汇总表这个月几号前报？\n我会按您所在地区的文件回答，并注明依据。")


def answerer(ctx: Context) -> PolicyAnswerer:
    return ctx.services.extras.get("policy") or default_answerer()


def ask(ctx: Context) -> Answer:
    from knowledge.calculators import calculate

    previous = ctx.recall("policy") or {}
    calculated = calculate(ctx.text, ctx.user.region_code, ctx.now.date(), previous)
    result = calculated or answerer(ctx).ask(ctx.text, ctx.user.region_code, previous, ctx.now.date())
    ctx.remember(policy=result.context, last_flow="policy")
    return result


@router.intent("policy.ask")
def policy_question(ctx: Context) -> str:
    if ctx.inbound.kind == "event":  # the 政策问答 menu button
        return PROMPT
    return ask(ctx).text


def fallback(ctx: Context) -> Reply:
    """Free text no flow claimed: try it as a policy question, else say plainly what works."""
    engine = answerer(ctx)
    if ctx.text and engine.domain(engine.normalise(ctx.text)) == "none" and wants_positions(ctx):
        return search_positions(ctx, ctx.text)
    if not ctx.text or (engine.domain(engine.normalise(ctx.text)) == "none" and not ctx.recall("policy")):
        return help_fallback(ctx)
    result = ask(ctx)
    if result.kind != "unknown" or result.context.get("options") or result.sources:
        # An "I don't know" that offers numbered near questions keeps its numbers to itself; one that says
        # what a notice leaves open (or gives the wage table's figure) cites its source and needs no menu.
        return result.text
    return result.text + "\n\n我能帮您：\n" + capabilities(ctx)
