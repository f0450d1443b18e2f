"""Replaying a golden transcript: the person's lines in, Standby's lines out.

A transcript file has comment lines (`# …`), the person's lines (`> …`, as typed in
`standby chat`: a number presses a button) and, after each, what Standby answered. Only
the comments and the person's lines are read; the answers are regenerated and compared.

A comment line `# language=ar` makes the person's saved language Arabic, and the
transcript is rendered with the Arabic catalog (`locales/ar/…/messages.mo`; English where
a message is missing). Name such files `<flow>[.<case>].<language>.txt`, e.g.
`report.ar.txt`.

Reports are saved with a fixed test key and reference codes from a seeded generator, so
codes never move. A comment line `# no report keys` replays as a Standby whose operators
set no REPORT_KEYS: saving a report then fails and the flow's honest route shows.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.render import SourceText, Translator
from bot.adapters.terminal import TerminalScreen, read_input
from bot.engine import Input
from bot.i18n import SOURCE_LANGUAGE, translator_for
from bot.services.actions import builtin_actions
from bot.services.broadcasts.subscribing import register_alert_actions
from bot.services.clock import FixedClock
from bot.services.conversation import ConversationService
from bot.services.helplines import HelplineFinder
from bot.services.library import FlowLibrary
from bot.services.notices import MachineTranslationNotice
from bot.services.reports import ReportCipher, ReportService
from bot.storage import (
    ContactRepository,
    ReportRepository,
    SqlSessionStore,
    make_engine,
    make_sessionmaker,
)
from bot.storage.migrate import upgrade
from bot.storage.subscriptions import SubscriptionRepository

# A Saturday afternoon in London, so dates in transcripts never move.
CLOCK_START = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
LOCALES = Path(__file__).resolve().parents[1] / "locales"
PERSON = "> "
# `# language=ar`: not `# language: …`, which is how language.txt (like every
# transcript) names its flow.
LANGUAGE_COMMENT = re.compile(r"# language=([a-z]{2,3})")
NO_REPORT_KEYS = "# no report keys"
# A key for transcripts only: never use a key that is in a public repository.
TEST_REPORT_KEY = "x2Hn6mnD3Ad8pdv7Ub5Jq4SCwRAuQuNVwMCj1hEjbQI="
REFERENCE_SEED = 2026


@dataclass(frozen=True)
class Script:
    comments: list[str]
    inputs: list[str]
    language: str | None = None
    report_keys: bool = True


def read_script(path: Path) -> Script:
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    inputs = [line[len(PERSON) :] for line in lines if line.startswith(PERSON)]
    languages = [found[1] for c in comments if (found := LANGUAGE_COMMENT.fullmatch(c))]
    return Script(
        comments, inputs, languages[0] if languages else None, NO_REPORT_KEYS not in comments
    )


async def replay(
    script: Script,
    flows_dir: Path,
    database: Path,
    *,
    language: str | None = None,
    translator: Translator | None = None,
) -> str:
    """Run `script` through the real service, storage and flows; return the transcript."""
    url = f"sqlite+aiosqlite:///{database}"
    await upgrade(url)
    engine = make_engine(url)
    try:
        makers = make_sessionmaker(engine)
        contacts = ContactRepository(makers)
        clock = FixedClock(CLOCK_START)
        helplines = HelplineFinder(lambda: library.helplines, clock, LOCALES)
        cipher = ReportCipher([TEST_REPORT_KEY]) if script.report_keys else None
        seeded = random.Random(REFERENCE_SEED)  # codes must not move, not be secret
        reports = ReportService(ReportRepository(makers), cipher, clock, choose=seeded.choice)
        actions = builtin_actions(contacts, helplines=helplines, reports=reports)
        register_alert_actions(
            actions,
            SubscriptionRepository(makers),
            lambda: library.areas,
            lambda code: translator_for(code, LOCALES),
            clock,
        )
        library = FlowLibrary(flows_dir, actions.names)

        def translators(code: str | None) -> Translator:
            # The person's language as the bot would show it: the script's, English as
            # written, or another catalog after the language menu.
            if code == language and translator is not None:
                return translator
            if code in (None, SOURCE_LANGUAGE):
                return SourceText()
            return translator_for(code, LOCALES)

        screen = TerminalScreen(translator or SourceText(), translators=translators)
        notice = MachineTranslationNotice(
            contacts, lambda code: translator_for(code, LOCALES).reviewed
        )
        service = ConversationService(
            flows=lambda: library.current,
            sessions=SqlSessionStore(makers),
            actions=actions,
            sender=screen,
            clock=clock,
            notice=notice,
        )
        out = [*script.comments]
        for typed in script.inputs:
            # Looked up on every line, as Telegram updates are: after /forget_me the
            # person is new.
            contact = await contacts.get_or_create(1, now=clock.now(), language=language)
            before = len(screen.texts)
            given: Input = read_input(typed, screen.buttons)
            await service.handle(contact, given)
            out.append(PERSON + typed)
            shown = screen.texts[before:] if screen.erased == 0 else screen.texts
            out += ["Standby: " + text for text in shown]
            if screen.erased:
                out.append("(the conversation was erased from the screen)")
                screen.erased = 0
        return "\n".join(out) + "\n"
    finally:
        await engine.dispose()
