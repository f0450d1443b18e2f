"""Reading a person's answer to a question: accept it, ask again, or keep collecting."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.engine import texts
from bot.engine.inputs import Input
from bot.engine.model import Ask, Choice, InputKind
from bot.engine.session import Value

BACK, SKIP, DONE = "~back", "~skip", "~done"
# Pressed under any question to leave at once (see `Flows.quick_exit`), or to see the
# emergency numbers and come back (see `Flows.emergency`).
EXIT = "~exit"
EMERGENCY = "~emergency"
YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "ok", "okay"})
NO_WORDS = frozenset({"no", "n", "nope"})


@dataclass(frozen=True, slots=True)
class Accepted:
    value: Value
    labels: tuple[str, ...] = ()
    next: str | None = None
    chosen_next: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    text: str
    vars: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Collecting:
    """A multi-answer in progress: `picked` is the new selection."""

    picked: list[Value]
    note: str | None = None


Answer = Accepted | Rejected | Collecting


def read_answer(step: Ask, given: Input, picked: list[Value], today: date) -> Answer:
    """Interpret `given` for `step`. System presses (Skip, Done) are handled here too."""
    if given.value == SKIP and step.optional:
        return Accepted(None)
    if step.kind is InputKind.CHOICE:
        return _choice(step, given, picked)
    if step.kind in (InputKind.PHOTO, InputKind.DOCUMENT):
        return _file(step, given, picked)
    if given.value == DONE or given.attachment is not None:
        return Rejected(step.retry or _retry_text(step))
    reader = _READERS[step.kind]
    return reader(step, given, today)


def _retry_text(step: Ask) -> str:
    return {
        InputKind.YES_NO: texts.YES_OR_NO,
        InputKind.DATE: texts.NOT_A_DATE_AHEAD if step.allow_future else texts.NOT_A_DATE,
        InputKind.NUMBER: texts.NOT_A_NUMBER,
    }.get(step.kind, texts.TYPE_ANSWER)


def _choice(step: Ask, given: Input, picked: list[Value]) -> Answer:
    by_value = {choice.value: choice for choice in step.choices}
    retry = Rejected(step.retry or (texts.PICK_SOME if step.multiple else texts.PICK_ONE))
    if given.is_press:
        if step.multiple and given.value == DONE:
            chosen = [c for c in step.choices if c.value in picked]
            if not chosen and not step.optional:
                return retry
            return _accept_many(chosen) if chosen else Accepted(None)
        choice = by_value.get(given.value or "")
        if choice is None:
            return retry
        if step.multiple:
            toggled = [v for v in picked if v != choice.value]
            return Collecting(toggled if len(toggled) < len(picked) else [*picked, choice.value])
        return Accepted(choice.value, (choice.label,), choice.next, choice.next is not None)
    chosen = typed_choices(step.choices, given.text or "")
    if not chosen or (len(chosen) > 1 and not step.multiple):
        return retry
    if step.multiple:
        return _accept_many(chosen)
    choice = chosen[0]
    return Accepted(choice.value, (choice.label,), choice.next, choice.next is not None)


def _accept_many(chosen: list[Choice]) -> Accepted:
    return Accepted([c.value for c in chosen], tuple(c.label for c in chosen))


def typed_choices(choices: tuple[Choice, ...], text: str) -> list[Choice]:
    """Typed answers: "2", "1, 3", or a label/value written out (any case)."""
    wanted = [part.strip().casefold() for part in re.split(r"[,;]", text) if part.strip()]
    chosen: list[Choice] = []
    for part in wanted:
        match = _one_typed_choice(choices, part)
        if match is None:
            return []
        if match not in chosen:
            chosen.append(match)
    return sorted(chosen, key=choices.index)


def _one_typed_choice(choices: tuple[Choice, ...], part: str) -> Choice | None:
    if part.isdecimal():
        index = int(part) - 1
        return choices[index] if 0 <= index < len(choices) else None
    for choice in choices:
        if part in (choice.label.casefold(), choice.value.casefold()):
            return choice
    return None


def _file(step: Ask, given: Input, picked: list[Value]) -> Answer:
    retry = Rejected(step.retry or _retry_text_file(step))
    if given.value == DONE and step.multiple:
        if not picked:
            return Accepted(None) if step.optional else retry
        return Accepted(list(picked))
    attachment = given.attachment
    if attachment is None or (
        step.kind is InputKind.PHOTO and not _is_image(attachment.kind, attachment.mime_type)
    ):
        return retry
    if step.multiple:
        return Collecting([*picked, attachment.as_value()], texts.FILE_RECEIVED)
    return Accepted(attachment.as_value())


def _retry_text_file(step: Ask) -> str:
    return texts.SEND_PHOTO if step.kind is InputKind.PHOTO else texts.SEND_FILE


def _is_image(kind: str, mime_type: str | None) -> bool:
    return kind == "photo" or (mime_type or "").startswith("image/")


def _text(step: Ask, given: Input, _today: date) -> Answer:
    text = (given.text or "").strip()
    if given.is_press or not text:
        return Rejected(step.retry or texts.TYPE_ANSWER)
    if len(text) > step.max_length:
        return Rejected(texts.TOO_LONG, {"limit": step.max_length})
    return Accepted(text)


def _number(step: Ask, given: Input, _today: date) -> Answer:
    number = parse_number(given.text or "")
    if given.is_press or number is None:
        return Rejected(step.retry or texts.NOT_A_NUMBER)
    if step.min is not None and number < step.min:
        return Rejected(texts.NUMBER_TOO_SMALL, {"min": _plain(step.min)})
    if step.max is not None and number > step.max:
        return Rejected(texts.NUMBER_TOO_LARGE, {"max": _plain(step.max)})
    return Accepted(number)


def _date(step: Ask, given: Input, today: date) -> Answer:
    picked_day = parse_date(given.value or given.text or "", today, ahead=step.allow_future)
    if picked_day is None:
        return Rejected(step.retry or _retry_text(step))
    if picked_day > today and not step.allow_future:
        return Rejected(texts.DATE_IN_FUTURE)
    return Accepted(picked_day.isoformat())


def _yes_no(step: Ask, given: Input, _today: date) -> Answer:
    word = (given.value or given.text or "").strip().casefold().rstrip(".!")
    if word in YES_WORDS:
        return Accepted("yes", (texts.YES,))
    if word in NO_WORDS:
        return Accepted("no", (texts.NO,))
    return Rejected(step.retry or texts.YES_OR_NO)


_READERS = {
    InputKind.TEXT: _text,
    InputKind.NUMBER: _number,
    InputKind.DATE: _date,
    InputKind.YES_NO: _yes_no,
}


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def parse_number(text: str) -> int | float | None:
    """ "3", "1,200", "2.5", "٣" (any script's digits) -> a number; anything else -> None."""
    cleaned = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text.strip())
    try:
        number = float(cleaned)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return _plain(number)


_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)(?:,?\s+(\d{4}))?")
_WORDY_US = re.compile(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")


def parse_date(text: str, today: date, *, ahead: bool = False) -> date | None:
    """UK-style dates: today, yesterday, tomorrow, 21/11/2026, 21-11-26, 21/11, 2026-11-21,
    21 November 2026, 21st Nov, November 21. None when it is not a real date."""
    word = text.strip().casefold().rstrip(".")
    if word in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[word])
    if found := _ISO.fullmatch(word):
        return _make(int(found[1]), int(found[2]), int(found[3]))
    if found := _NUMERIC.fullmatch(word):
        return _dated(found[3], int(found[2]), int(found[1]), today, ahead)
    if found := _WORDY.fullmatch(word):
        month = _MONTHS.get(found[2])
        return _dated(found[3], month, int(found[1]), today, ahead) if month else None
    if found := _WORDY_US.fullmatch(word):
        month = _MONTHS.get(found[1])
        return _dated(found[3], month, int(found[2]), today, ahead) if month else None
    return None


def _dated(year: str | None, month: int, day: int, today: date, ahead: bool) -> date | None:
    """A date from its parts. Without a year: the nearest such day in the past (or, when
    looking ahead, the next one), so "28/12" on 2 January means last December. Two-digit
    years are the nearest century's ("99" is 1999, "26" is 2026)."""
    if year is None:
        this_year = _make(today.year, month, day)
        if this_year is None:
            return _make(today.year + (1 if ahead else -1), month, day)  # 29 February
        if ahead and this_year < today:
            return _make(today.year + 1, month, day)
        if not ahead and this_year > today:
            return _make(today.year - 1, month, day)
        return this_year
    number = int(year)
    if number < 100:
        number += 2000 if 2000 + number <= today.year + 20 else 1900
    return _make(number, month, day)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Words people type as answers: a trigger word must not be one of them.
ANSWER_WORDS = YES_WORDS | NO_WORDS | frozenset(RELATIVE_DAYS) | {"done", "skip", "back"}
