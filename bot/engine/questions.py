"""The buttons under a question: its choices, then Done, Skip and Back as they apply."""

from __future__ import annotations

from bot.engine import texts
from bot.engine.answers import BACK, DONE, SKIP
from bot.engine.events import Button, ButtonRole
from bot.engine.model import Ask, InputKind
from bot.engine.session import Value


def buttons_for(step: Ask, flow: str, picked: list[Value], can_go_back: bool) -> tuple[Button, ...]:
    """Yes/No for yes-no questions, Today and Yesterday (or Tomorrow) for dates."""

    def button(label: str, value: str, role: ButtonRole = ButtonRole.CHOICE) -> Button:
        return Button(label, step.id, value, role, value in picked, flow)

    buttons = [button(c.label, c.value) for c in step.choices]
    if step.kind is InputKind.YES_NO:
        buttons += [button(texts.YES, "yes"), button(texts.NO, "no")]
    elif step.kind is InputKind.DATE:
        ahead = step.allow_future
        other = ("tomorrow", texts.TOMORROW) if ahead else ("yesterday", texts.YESTERDAY)
        buttons += [button(texts.TODAY, "today"), button(other[1], other[0])]
    if step.multiple:
        buttons.append(button(texts.DONE, DONE, ButtonRole.DONE))
    if step.optional:
        buttons.append(button(texts.SKIP, SKIP, ButtonRole.SKIP))
    if can_go_back:
        buttons.append(button(texts.BACK, BACK, ButtonRole.BACK))
    return tuple(buttons)
