"""The buttons under a question: its choices, then Done, Skip, Back, Emergency and Leave now."""

from __future__ import annotations

from bot.engine import texts
from bot.engine.answers import BACK, DONE, EMERGENCY, EXIT, SKIP
from bot.engine.events import Button, ButtonRole
from bot.engine.model import Ask, InputKind
from bot.engine.session import Value


def buttons_for(
    step: Ask,
    flow: str,
    picked: list[Value],
    can_go_back: bool,
    can_exit: bool = False,
    can_call_for_help: bool = False,
) -> tuple[Button, ...]:
    """Yes/No for yes-no questions, Today and Yesterday (or Tomorrow) for dates; with
    `can_call_for_help` (there is an emergency flow, and this is not it) the emergency
    button, and with `can_exit` (there is a quick exit flow) Leave now, under every
    question, whatever it waits for: typed text, a date or files too."""

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
    if can_call_for_help:
        buttons.append(button(texts.EMERGENCY_BUTTON, EMERGENCY, ButtonRole.EMERGENCY))
    if can_exit:
        buttons.append(button(texts.LEAVE_NOW, EXIT, ButtonRole.EXIT))
    return tuple(buttons)
