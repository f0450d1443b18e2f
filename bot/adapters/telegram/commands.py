"""The bot's command menu in Telegram, in every language Standby speaks.

Built from the flows: each flow with a command trigger shows its first command, described
by the flow's title, translated. Set once at start for each language and as the default.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from bot.adapters.render import Translator
from bot.adapters.telegram.api import BotApi, Command
from bot.adapters.telegram.errors import TelegramError
from bot.adapters.telegram.retry import patiently
from bot.engine import Flows

log = logging.getLogger(__name__)
DESCRIPTION_LIMIT = 256


def command_menu(flows: Flows, translator: Translator) -> list[Command]:
    ordered = sorted(flows.by_id.values(), key=lambda flow: (not flow.home, flow.id))
    menu: list[Command] = []
    for flow in ordered:
        if flow.trigger is None or not flow.trigger.commands:
            continue
        title = translator.gettext(flow.title or flow.id)
        menu.append(Command(flow.trigger.commands[0].lstrip("/"), title[:DESCRIPTION_LIMIT]))
    return menu


async def publish_menus(
    api: BotApi,
    flows: Flows,
    languages: Iterable[str],
    translators: Callable[[str | None], Translator],
) -> None:
    """Set the menu as the default and for each language; failures are logged, not fatal."""
    for language in (None, *sorted(languages)):
        menu = command_menu(flows, translators(language))
        try:
            await patiently(partial(api.set_commands, menu, language))
        except TelegramError as error:
            log.warning("command menu for %s not set: %s", language or "default", error)
