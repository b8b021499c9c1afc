"""Forms: a declared list of slots, each with an ask, a pure validator and a way to show its value.

The runner asks the slots in order, re-asks with a specific hint when a value is refused, and
understands 取消 / 返回 / 重填 / 跳过 / 修改 <项目> at every step (修改 jumps to that item, keeps everything
entered, then carries on where the form was). A summary is confirmed before anything is saved.
Everything lives in ``ConversationState``, so a restart in the middle of a form loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.conversation.router import Reply
from bot.validators import FormContext, Ok, Result

if TYPE_CHECKING:
    from bot.conversation.context import Context

CONFIRM = "__confirm__"
_EDIT = re.compile(r"^(修改|改|更正|重填)\s*(.+)$")
_EDIT_ALONE = {"修改", "更正", "改"}


@dataclass(frozen=True)
class Slot:
    name: str
    label: str
    ask: str
    validate: Callable[[str, FormContext], Result]
    show: Callable[[Any], str] = lambda v: str(v)
    optional: bool = False
    # A follow-up of the slot before it (asked only for some answers to that one): not a step of its own in
    # the counter, so the count does not grow from 10/10 to 11/11 half-way.
    follow_up: bool = False


@dataclass
class Form:
    name: str
    title: str
    slots: list[Slot]
    # Values already known (from the stored profile): offered with 跳过 to keep them.
    prefill: Callable[[Context], dict[str, Any]] = lambda ctx: {}
    complete: Callable[[Context, dict[str, Any]], Reply] = lambda ctx, values: None
    intro: str = ""
    # Slots to leave out for this user and these values (e.g. asked elsewhere).
    skip_when: Callable[[Slot, dict[str, Any]], bool] = field(default=lambda slot, values: False)
    # False: nothing is saved, so there is no summary to confirm; ``complete`` runs on the last answer.
    confirm: bool = True

    def slot(self, name: str) -> Slot:
        return next(s for s in self.slots if s.name == name)

    def by_label(self, text: str) -> Slot | None:
        text = text.strip()
        exact = next((s for s in self.slots if text in (s.label, s.name)), None)
        if exact is not None:
            return exact
        return next((s for s in self.slots if len(text) >= 2 and text in s.label), None)


class FormRunner:
    """Drives any :class:`Form` through the conversation state."""

    def __init__(self, forms: list[Form]) -> None:
        self.forms = {f.name: f for f in forms}

    def active(self, ctx: Context) -> Form | None:
        return self.forms.get(ctx.state.form or "")

    def form_context(self, ctx: Context) -> FormContext:
        return FormContext(today=ctx.now.date(), divisions=ctx.services.divisions, majors=ctx.services.majors,
                           values=dict(ctx.state.slots or {}), vault=ctx.services.vault)

    # --- starting and stopping -------------------------------------------------------------
    def start(self, ctx: Context, name: str, known: dict[str, Any] | None = None) -> Reply:
        """Start a form. ``known``: values already given (e.g. from the stored profile) that count as
        answered: they are not asked again, the summary shows them and 修改 X changes them."""
        form = self.forms[name]
        ctx.state.form = form.name
        ctx.state.slots = {"_prefill": form.prefill(ctx), **(known or {})}
        ctx.state.history = []
        ctx.forget("suspended_form")
        first = self._next_slot(form, self._values(ctx))
        ctx.state.slot = first.name if first else CONFIRM
        parts = [form.intro] if form.intro else []
        return "\n\n".join(parts + [self._prompt(ctx, form)])

    def stop(self, ctx: Context) -> None:
        ctx.state.form = None
        ctx.state.slot = None
        ctx.state.slots = {}
        ctx.state.history = []

    def suspend(self, ctx: Context) -> str | None:
        """Put the form aside (a menu click came in); ``继续`` brings it back."""
        form = self.active(ctx)
        if form is None:
            return None
        ctx.remember(suspended_form={"form": form.name, "slot": ctx.state.slot, "slots": ctx.state.slots,
                                     "history": ctx.state.history})
        ctx.state.form = None
        ctx.state.slot = None
        return f"（您的“{form.title}”已暂停，回复“继续”接着填写）"

    def resume(self, ctx: Context) -> Reply | None:
        saved = ctx.recall("suspended_form")
        if not saved or saved.get("form") not in self.forms:
            return None
        ctx.state.form, ctx.state.slot = saved["form"], saved["slot"]
        ctx.state.slots, ctx.state.history = saved["slots"], saved["history"]
        ctx.forget("suspended_form")
        return "好的，我们接着填写。\n\n" + self._prompt(ctx, self.forms[saved["form"]])

    # --- one message -------------------------------------------------------------------------
    def handle(self, ctx: Context) -> Reply:
        form = self.active(ctx)
        assert form is not None
        text = ctx.text
        command = ctx.services.classifier.command(text)
        values = self._values(ctx)
        if command == "form.cancel":
            self.stop(ctx)
            return f"已取消“{form.title}”，刚才填写的内容没有保存。需要时可随时重新开始。"
        if command == "form.restart":
            # What the form was started with (the profile, its options) stays; the answers go.
            ctx.state.slots = {k: v for k, v in (ctx.state.slots or {}).items() if k.startswith("_") and k != "_editing"}
            ctx.state.history = []
            first = self._next_slot(form, {})
            ctx.state.slot = first.name if first else CONFIRM
            return "好的，我们从头开始。\n\n" + self._prompt(ctx, form)
        if command == "form.back":
            return self._back(ctx, form)
        edited = self._edit(ctx, form, text, values)
        if edited is not None:
            return edited
        if ctx.state.slot == CONFIRM:
            return self._at_confirm(ctx, form, text, command, values)
        slot = form.slot(ctx.state.slot or "")
        if command == "form.skip":
            known = values.get(slot.name, self._prefill(ctx).get(slot.name))
            if known is None and not slot.optional:
                return f"“{slot.label}”是必填项，不能跳过。\n\n" + self._prompt(ctx, form)
            return self._accept(ctx, form, slot, known)
        result = slot.validate(text, self.form_context(ctx))
        if isinstance(result, Ok):
            return self._accept(ctx, form, slot, result.value)
        return f"{result.hint}\n\n{self._prompt(ctx, form, brief=True)}"

    # --- internals --------------------------------------------------------------------------
    @staticmethod
    def _values(ctx: Context) -> dict[str, Any]:
        return {k: v for k, v in (ctx.state.slots or {}).items() if not k.startswith("_")}

    @staticmethod
    def _prefill(ctx: Context) -> dict[str, Any]:
        return dict((ctx.state.slots or {}).get("_prefill") or {})

    def _next_slot(self, form: Form, values: dict[str, Any], after: str | None = None) -> Slot | None:
        started = after is None
        for s in form.slots:
            if not started:
                started = s.name == after
                continue
            if s.name in values or form.skip_when(s, values):
                continue
            return s
        return None

    def _accept(self, ctx: Context, form: Form, slot: Slot, value: Any) -> Reply:
        slots = dict(ctx.state.slots or {})
        slots[slot.name] = value
        slots.pop("_editing", None)  # kept by forms in progress before 修改 worked at every step
        ctx.state.slots = slots
        ctx.state.history = [*ctx.state.history, slot.name]
        # The next item not answered yet: after a 修改, where the form was (or the summary when all is done).
        nxt = self._next_slot(form, self._values(ctx))
        if nxt is None and not form.confirm:
            values = self._values(ctx)
            self.stop(ctx)
            return form.complete(ctx, values)
        ctx.state.slot = nxt.name if nxt else CONFIRM
        return self._prompt(ctx, form)

    def _back(self, ctx: Context, form: Form) -> Reply:
        history = list(ctx.state.history or [])
        if not history:
            return "已经是第一项了。\n\n" + self._prompt(ctx, form)
        previous = history.pop()
        slots = dict(ctx.state.slots or {})
        # Keep the old answer as the one offered with 跳过.
        prefill = dict(slots.get("_prefill") or {})
        if previous in slots:
            prefill[previous] = slots.pop(previous)
        slots["_prefill"] = prefill
        slots.pop("_editing", None)
        ctx.state.slots = slots
        ctx.state.history = history
        ctx.state.slot = previous
        return "好的，回到上一步。\n\n" + self._prompt(ctx, form)

    def _edit(self, ctx: Context, form: Form, text: str, values: dict[str, Any]) -> Reply | None:
        """修改 <项目> at any step: jump to that item (its old answer offered with 跳过); None if not one."""
        at_slot = ctx.state.slot != CONFIRM
        labels = "、".join(s.label for s in form.slots if not form.skip_when(s, values))
        if text.strip() in _EDIT_ALONE:
            return (f"请告诉我要修改哪一项，例如：修改 {form.slots[0].label}。可以修改的有：{labels}。\n\n"
                    + self._prompt(ctx, form, brief=True))
        m = _EDIT.match(text)
        if not m:
            return None
        slot = form.by_label(m.group(2))
        if slot is None:
            if at_slot and m.group(1) not in ("修改", "更正"):
                return None  # "改革路小学" is an answer, not a request
            return f"没有找到“{m.group(2)}”这一项。可以修改的有：{labels}。\n\n" + self._prompt(ctx, form, brief=True)
        if form.skip_when(slot, values):
            return f"“{slot.label}”这一项根据您前面的回答不用填写。\n\n" + self._prompt(ctx, form, brief=True)
        if at_slot and slot.name == ctx.state.slot:
            return f"好的，请填写“{slot.label}”。\n\n" + self._prompt(ctx, form)
        slots = dict(ctx.state.slots or {})
        prefill = dict(slots.get("_prefill") or {})
        if slot.name in slots:
            prefill[slot.name] = slots.pop(slot.name)
        slots["_prefill"] = prefill
        slots.pop("_editing", None)
        ctx.state.slots = slots
        ctx.state.slot = slot.name
        then = "改好后回到核对页" if not at_slot else "改好后接着往下填，已填的内容都会保留"
        return f"好的，修改“{slot.label}”（{then}）。\n\n" + self._prompt(ctx, form)

    def _at_confirm(self, ctx: Context, form: Form, text: str, command: str | None,
                    values: dict[str, Any]) -> Reply:
        if command == "form.confirm":
            result = form.complete(ctx, values)
            self.stop(ctx)
            return result
        return "请回复“确认”保存，或回复“修改 项目名”（例如：修改 手机号）更正某一项。\n\n" + self._summary(ctx, form)

    def _prompt(self, ctx: Context, form: Form, brief: bool = False) -> str:
        if ctx.state.slot == CONFIRM:
            return self._summary(ctx, form)
        slot = form.slot(ctx.state.slot or "")
        values = self._values(ctx)
        steps = [s for s in form.slots if not s.follow_up and not form.skip_when(s, values)]
        index = 1
        for s in form.slots:  # a follow-up counts as the step it follows
            if s in steps:
                index = steps.index(s) + 1
            if s.name == slot.name:
                break
        lines = [f"【{form.title} {index}/{len(steps)}{'（续）' if slot.follow_up else ''}】{slot.ask}"]
        known = self._prefill(ctx).get(slot.name)
        if known is not None:
            lines.append(f"当前：{slot.show(known)}（回复“跳过”保留）")
        elif slot.optional:
            lines.append("（选填，回复“跳过”略过）")
        if not brief:
            lines.append("随时回复“返回”回到上一步，“修改 项目名”更正已填的内容，“取消”退出。")
        return "\n".join(lines)

    def _summary(self, ctx: Context, form: Form) -> str:
        values = self._values(ctx)
        lines = [f"请核对您的{form.title}："]
        for s in form.slots:
            if s.name in values and not form.skip_when(s, values):
                shown = "（未填）" if values[s.name] is None else s.show(values[s.name])
                lines.append(f"· {s.label}：{shown}")
        lines.append("")
        lines.append("回复“确认”保存；回复“修改 项目名”更正某项（如：修改 手机号）；“返回”上一步；“取消”放弃。")
        return "\n".join(lines)


