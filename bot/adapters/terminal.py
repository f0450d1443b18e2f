"""A conversation in a terminal: numbered buttons, typed answers, pretend files.

Used by `standby chat` and by the golden transcripts, so both read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bot.adapters.render import OutButton, OutMessage, Translator, render
from bot.engine import Attachment, Event, Input
from bot.storage import ContactRecord

PHOTO_COMMAND = "!photo"
FILE_COMMAND = "!file"


def read_input(line: str, buttons: Sequence[OutButton]) -> Input:
    """A typed line: a button's number presses it; `!photo`/`!file [name]` sends a file;
    anything else is text, exactly as typed."""
    stripped = line.strip()
    if stripped.isdecimal() and 1 <= int(stripped) <= len(buttons):
        button = buttons[int(stripped) - 1].button
        return Input.press(button.step, button.value)
    command, _, name = stripped.partition(" ")
    if command in (PHOTO_COMMAND, FILE_COMMAND):
        return Input.send(_pretend_file(command, name.strip()))
    return Input.say(line)


def _pretend_file(command: str, name: str) -> Attachment:
    path = Path(name) if name else None
    size = path.stat().st_size if path and path.is_file() else None
    if command == PHOTO_COMMAND:
        return Attachment("photo", name or "photo.jpg", size, "image/jpeg")
    return Attachment("document", name or "file", size, None)


def format_message(message: OutMessage, first_number: int = 1) -> str:
    """A message as plain text, its buttons numbered from `first_number`."""
    lines = message.text.splitlines() or [""]
    number = first_number
    for row in message.rows:
        labels = []
        for button in row:
            labels.append(f"[{number}] {button.text}")
            number += 1
        lines.append("  " + "   ".join(labels))
    return "\n".join(lines)


class TerminalScreen:
    """A Sender that keeps what was shown, for printing or for a transcript.

    `buttons` are those typed numbers refer to: the last question's, numbered from 1,
    then those of any other message shown with it (the machine-translation notice's
    English button), numbered on from there, so a question's numbers never move. `texts`
    are the shown messages as printed, with those numbers.

    With `translators`, each turn is shown in the person's saved language (so the English
    button, or the language menu, changes what the screen shows); without, always with
    `translator`.
    """

    def __init__(
        self,
        translator: Translator,
        *,
        translators: Callable[[str | None], Translator] | None = None,
    ) -> None:
        self.translator = translator
        self.translators = translators
        self.shown: list[OutMessage] = []
        self.texts: list[str] = []
        self.buttons: list[OutButton] = []
        self.erased = 0
        self._question: list[OutButton] = []

    async def deliver(self, contact: ContactRecord, events: Sequence[Event]) -> None:
        if self.translators is not None:
            self.translator = self.translators(contact.language)
        messages = render(events, self.translator)
        for message in messages:
            if message.question is not None:
                self._question = message.buttons  # numbers always mean the latest question
        others = [m for m in messages if m.question is None and m.rows]
        self.buttons = [*self._question, *(b for m in others for b in m.buttons)]
        number = len(self._question) + 1
        for message in messages:
            first = 1
            if message.question is None and message.rows:
                first, number = number, number + len(message.buttons)
            text = format_message(message, first)
            self.shown.append(message)
            self.texts.append(text)
            self.on_message(message, text)

    async def erase(self, contact: ContactRecord, *, tell_if_kept: bool = True) -> bool:
        self.erased += 1
        self.shown.clear()
        self.texts.clear()
        self.buttons = []
        self._question = []
        self.on_erase()
        return True

    def on_message(self, message: OutMessage, text: str) -> None:
        """Called for each message shown, with its `text` as printed (printing subclasses
        override this)."""

    def on_erase(self) -> None:
        """Called when the conversation is erased (printing subclasses clear the screen)."""
