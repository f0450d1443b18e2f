"""Replaying a golden transcript: the person's lines in, Standby's lines out.

A transcript file has comment lines (`# …`), the person's lines (`> …`, as typed in
`standby chat`: a number presses a button) and, after each, what Standby answered. Only
the comments and the person's lines are read; the answers are regenerated and compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.render import SourceText, Translator
from bot.adapters.terminal import TerminalScreen, format_message, read_input
from bot.engine import Input
from bot.services.actions import builtin_actions
from bot.services.clock import FixedClock
from bot.services.conversation import ConversationService
from bot.services.library import FlowLibrary
from bot.storage import ContactRepository, SqlSessionStore, make_engine, make_sessionmaker
from bot.storage.migrate import upgrade

# A Saturday afternoon in London, so dates in transcripts never move.
CLOCK_START = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
PERSON = "> "


@dataclass(frozen=True)
class Script:
    comments: list[str]
    inputs: list[str]


def read_script(path: Path) -> Script:
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    inputs = [line[len(PERSON) :] for line in lines if line.startswith(PERSON)]
    return Script(comments, inputs)


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
        library = FlowLibrary(flows_dir, builtin_actions(contacts).names)
        screen = TerminalScreen(translator or SourceText())
        clock = FixedClock(CLOCK_START)
        service = ConversationService(
            flows=lambda: library.current,
            sessions=SqlSessionStore(makers),
            actions=builtin_actions(contacts),
            sender=screen,
            clock=clock,
        )
        contact = await contacts.get_or_create(1, now=clock.now(), language=language)
        out = [*script.comments]
        for typed in script.inputs:
            before = len(screen.shown)
            given: Input = read_input(typed, screen.buttons)
            await service.handle(contact, given)
            out.append(PERSON + typed)
            shown = screen.shown[before:] if screen.erased == 0 else screen.shown
            out += ["Standby: " + format_message(message) for message in shown]
            if screen.erased:
                out.append("(the conversation was erased from the screen)")
                screen.erased = 0
        return "\n".join(out) + "\n"
    finally:
        await engine.dispose()
