"""Which helplines to offer someone, and how to list them in a chat message.

The lines come from the helpline directory (`flows/data/helplines.yaml`, checked and
reloaded with the flows). What is offered depends on what the hate was about, the part
of the UK and the time in London:

1. the emergency line, always first;
2. lines for what the hate was about, then lines for any kind of hate, then the police,
   then support for victims and someone to talk to (these last three always);
3. within that, lines that are closed now come last, with when they open: a closed
   line is still worth knowing about.

A line about one kind of hate is therefore never offered alone: the police and any
"any_hate" line (Stop Hate UK) come with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Protocol

from bot.engine.runner import LOCAL_TIME as LONDON
from bot.engine.texts import N_
from bot.flowdef.helplines_hours import HoursKind
from bot.flowdef.helplines_model import COVERS, NATIONS, Helpline
from bot.i18n import translator_for
from bot.services.clock import Clock

log = logging.getLogger(__name__)

ANY_HATE = "any_hate"
UNKNOWN_NATION = "unknown"
# What a flow may pass when the person did not say (a skipped question, "not sure").
_NOT_KNOWN = (None, "", "unknown", "other", "none")


class Group(IntEnum):
    """Why a line is offered, in the order the groups are listed."""

    EMERGENCY = 0
    ABOUT_THIS = 1
    ANY_HATE = 2
    POLICE = 3
    SUPPORT = 4


class Status(IntEnum):
    """Whether a line answers now, best first."""

    OPEN = 0  # open now (`until` says till when, when it matters)
    ALWAYS = 1  # open 24 hours
    VARIES = 2  # depends on the area
    UNKNOWN = 3  # hours not known
    CLOSED = 4  # closed now (`opens` says when it opens next, when known)


@dataclass(frozen=True, slots=True)
class Offer:
    """A line to offer, why, and whether it is open. Times are London wall-clock times."""

    helpline: Helpline
    group: Group
    status: Status
    until: datetime | None = None
    opens: datetime | None = None


class HelplineDirectory:
    """The directory's entries (frozen `Helpline`s), in the order of the file."""

    def __init__(self, entries: Iterable[Helpline] = ()) -> None:
        self.entries = tuple(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def offers(self, about: Collection[str], nation: str, now: datetime) -> list[Offer]:
        """The lines to offer; see `helplines_to_offer`."""
        return helplines_to_offer(self.entries, about, nation, now)


def helplines_to_offer(
    entries: Iterable[Helpline], about: Collection[str], nation: str, now: datetime
) -> list[Offer]:
    """The lines for hate about `about` (covers values; empty or `any_hate` when not
    known) in `nation` (or `unknown`) at `now` (timezone-aware), in the order to list them.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(LONDON).replace(tzinfo=None)
    kinds = frozenset(about) - {ANY_HATE}
    offers = []
    for helpline in entries:
        group = _group(helpline.covers, kinds)
        if group is not None and (nation not in NATIONS or nation in helpline.nations):
            offers.append(_offer(helpline, group, local))
    first = [offer for offer in offers if offer.group is Group.EMERGENCY]
    rest = sorted(
        (offer for offer in offers if offer.group is not Group.EMERGENCY),
        key=lambda offer: (offer.status is Status.CLOSED, offer.group, _rank(offer.status)),
    )  # a stable sort: the file's order breaks ties
    return first + rest


def _rank(status: Status) -> int:
    """Open now and open 24 hours are as good as each other."""
    return max(status, Status.ALWAYS)


def _group(covers: frozenset[str], kinds: frozenset[str]) -> Group | None:
    if "emergency" in covers:
        return Group.EMERGENCY
    if "police_report" in covers:
        return Group.POLICE
    if covers & kinds:
        return Group.ABOUT_THIS
    if ANY_HATE in covers:
        return Group.ANY_HATE
    if covers & {"crime_victims", "emotional_support"}:
        return Group.SUPPORT
    return None


def _offer(helpline: Helpline, group: Group, local: datetime) -> Offer:
    hours = helpline.hours
    if hours.kind is HoursKind.VARIES:
        return Offer(helpline, group, Status.VARIES)
    if hours.kind is HoursKind.UNKNOWN:
        return Offer(helpline, group, Status.UNKNOWN)
    until = hours.open_until(local)
    if until is None:
        return Offer(helpline, group, Status.CLOSED, opens=hours.next_opening(local))
    if hours.kind is HoursKind.ALWAYS and until - local > timedelta(1):
        return Offer(helpline, group, Status.ALWAYS)
    # A 24-hour line that closes within a day (a `closed_on` day) says until when.
    # Open for more than a day more: "open now" says it better than a far-off time.
    return Offer(helpline, group, Status.OPEN, until if until - local <= timedelta(1) else None)


# -- in a chat message ---------------------------------------------------------------


class Translations(Protocol):
    """What `find_helplines` needs from a gettext catalog."""

    def gettext(self, message: str, /) -> str: ...


CALL = N_("Call: {phone}")
TEXT = N_("Text: {phone}")
TEXTPHONE = N_("Textphone: {phone}")
WEBSITE = N_("Website: {web}")
EMAIL = N_("Email: {email}")
BSL_AT = N_("British Sign Language (BSL): {web}")
BSL = N_("You can use British Sign Language (BSL) with them.")
COVERS_ONLY = N_("Only in: {places}")
OPEN_24_HOURS = N_("Open 24 hours.")
OPEN_NOW = N_("Open now.")
OPEN_UNTIL = N_("Open now, until {time}.")
HOURS_VARY = N_("Opening hours vary by area.")
CLOSED_NOW = N_("Closed now.")
OPENS_TODAY = N_("Closed now. Opens today at {time}.")
OPENS_TOMORROW = N_("Closed now. Opens tomorrow at {time}.")
OPENS_ON = (
    N_("Closed now. Opens on Monday at {time}."),
    N_("Closed now. Opens on Tuesday at {time}."),
    N_("Closed now. Opens on Wednesday at {time}."),
    N_("Closed now. Opens on Thursday at {time}."),
    N_("Closed now. Opens on Friday at {time}."),
    N_("Closed now. Opens on Saturday at {time}."),
    N_("Closed now. Opens on Sunday at {time}."),
)
PLACES = {
    "england": N_("England"),
    "wales": N_("Wales"),
    "scotland": N_("Scotland"),
    "northern_ireland": N_("Northern Ireland"),
}


def describe_offers(
    offers: Iterable[Offer], translations: Translations, now: datetime, *, nation_known: bool
) -> str:
    """One paragraph per line: name, what it helps with, how to reach it, whether it is open.

    Directory texts and fixed words are translated; numbers and addresses are not.
    Where the part of the UK is not known, lines for only some parts say which.
    """
    today = now.astimezone(LONDON).date()
    say = _Sayer(translations)
    return "\n\n".join(_paragraph(offer, today, say, nation_known) for offer in offers)


def _paragraph(offer: Offer, today: date, say: _Sayer, nation_known: bool) -> str:
    helpline = offer.helpline
    lines = [say(helpline.name), say(helpline.description), *_contacts(helpline, say)]
    lines.append(_status(offer, today, say))
    lines.append(say(helpline.note) if helpline.note else "")
    if not nation_known and not helpline.everywhere:
        places = [say(PLACES[nation]) for nation in NATIONS if nation in helpline.nations]
        lines.append(say(COVERS_ONLY, places=", ".join(places)))
    return "\n".join(line for line in lines if line)


class _Sayer:
    """Translates a text, then fills its placeholders; a broken translation falls back
    to the English source rather than losing the whole list."""

    def __init__(self, translations: Translations) -> None:
        self.translations = translations

    def __call__(self, source: str, **values: str) -> str:
        translated = self.translations.gettext(source)
        if not values:
            return translated
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError):
            return source.format(**values)


def _contacts(helpline: Helpline, say: _Sayer) -> list[str]:
    lines = []
    for numbers, text in ((helpline.phone, CALL), (helpline.text, TEXT)):
        if numbers:
            lines.append(say(text, phone=", ".join(numbers)))
    if helpline.textphone:
        lines.append(say(TEXTPHONE, phone=", ".join(helpline.textphone)))
    if helpline.web:
        lines.append(say(WEBSITE, web=helpline.web))
    if helpline.email:
        lines.append(say(EMAIL, email=helpline.email))
    if helpline.bsl_web:
        lines.append(say(BSL_AT, web=helpline.bsl_web))
    elif helpline.bsl:
        lines.append(say(BSL))
    return lines


def _status(offer: Offer, today: date, say: _Sayer) -> str:
    if offer.status is Status.ALWAYS:
        return say(OPEN_24_HOURS)
    if offer.status is Status.OPEN:
        return say(OPEN_UNTIL, time=f"{offer.until:%H:%M}") if offer.until else say(OPEN_NOW)
    if offer.status is Status.VARIES:
        return say(HOURS_VARY)
    if offer.status is Status.UNKNOWN:
        return ""  # say nothing rather than guess; the entry's note may say more
    opens = offer.opens
    if opens is None or (days := (opens.date() - today).days) > 6:
        return say(CLOSED_NOW)
    text = OPENS_TODAY if days == 0 else OPENS_TOMORROW if days == 1 else OPENS_ON[opens.weekday()]
    return say(text, time=f"{opens:%H:%M}")


# -- the action ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HelplineFinder:
    """What the `find_helplines` action needs: the directory in use now (it is swapped
    on reload), the clock and the translation catalogs."""

    directory: Callable[[], HelplineDirectory]
    clock: Clock
    locales_dir: Path

    def find(
        self,
        about: object,
        nation: object,
        language: str | None,
        wanted: object = None,
        what: object = None,
    ) -> str | None:
        """The list for a chat message in `language`, or None when nothing fits.

        `about` is a covers value or a list of them (several kinds of hate may apply);
        `nation` one of england, wales, scotland, northern_ireland or unknown; `wanted`
        more covers values, for the kinds of help the person asked for; `what`, what
        happened (the report's answer): those of its values that are covers values
        ("online_abuse") bring their lines too, the rest are ignored. Other values of
        `about` and `wanted` are treated as "not known", so a content mistake still lists
        the lines that are there for everyone.
        """
        now = self.clock.now()
        kinds = read_about(about) | read_about(wanted) | _covered(what)
        place = read_nation(nation)
        offers = self.directory().offers(kinds, place, now)
        if not offers:
            return None
        translations = translator_for(language, self.locales_dir)
        return describe_offers(offers, translations, now, nation_known=place in NATIONS)


def read_about(value: object) -> frozenset[str]:
    """Covers values from the action's `about` (a value or a list), unknown ones dropped."""
    values = value if isinstance(value, list) else [value]
    known = frozenset(item for item in values if isinstance(item, str) and item in COVERS)
    if any(item not in known and item not in _NOT_KNOWN for item in values):
        # Never log the value itself: it might be something the person typed.
        log.warning("find_helplines: 'about' has values not in the directory's covers")
    return known


def _covered(value: object) -> frozenset[str]:
    """The covers values among what happened: most answers ("threats") are not one."""
    values = value if isinstance(value, list) else [value]
    return frozenset(item for item in values if isinstance(item, str) and item in COVERS)


def read_nation(value: object) -> str:
    """The action's `nation` when it is a known one; `unknown` otherwise."""
    if isinstance(value, str) and value in NATIONS:
        return value
    if value not in _NOT_KNOWN:
        log.warning("find_helplines: 'nation' is not one of %s", ", ".join(NATIONS))
    return UNKNOWN_NATION
