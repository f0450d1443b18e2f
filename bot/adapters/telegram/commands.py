"""The bot's command menu in Telegram, in every language Standby speaks.

Built from the flows: each flow with a command trigger shows its first command, described
by the flow's title, translated. Set at start for each language and as the default, in the
background: answering people must not wait for menus (a Bot API failing setMyCommands
once held the first answer back a minute).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from functools import partial

from bot.adapters.render import Translator
from bot.adapters.telegram.api import BotApi, Command
from bot.adapters.telegram.errors import RetryAfter, TelegramError, Transient
from bot.adapters.telegram.retry import Sleep, patiently
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
    *,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Set the menu as the default and for each language, once each, with `patiently`'s
    few retries; failures are logged, not fatal. Telegram keeps the menus of the last start,
    so when it cannot be reached the rest are left for the next start."""
    for language in (None, *sorted(languages)):
        menu = command_menu(flows, translators(language))
        try:
            await patiently(partial(api.set_commands, menu, language), sleep=sleep)
        except (Transient, RetryAfter) as error:
            # Telegram can't be reached: the other menus would only wait as long again.
            log.warning("command menus not set (%s); tried again at the next start", error)
            return
        except TelegramError as error:
            log.warning("command menu for %s not set: %s", language or "default", error)
