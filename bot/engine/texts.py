"""The engine's own words, as English source texts for translation.

`N_` only marks a string for the Babel extractor; translation happens when rendering,
outside the engine. Placeholders are filled from the message's `vars`.
"""

import string
from functools import lru_cache


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark `text` for extraction without translating it here."""
    return text


EXPIRED = N_(
    "We stopped our last conversation because it was quiet for a while. "
    "Nothing from it was kept. Let's start again."
)
FAILED = N_("Sorry, something went wrong on our side. Here is the menu again.")
BUTTON_EXPIRED = N_("That button has expired. Here is where we are now.")
FLOW_CHANGED = N_("This part of the conversation was updated, so we are starting it again.")
# Said for any command no flow has, staff commands included, so they look like any other.
UNKNOWN_COMMAND = N_(
    "I don't know that command. Send /help to see what I can do, or /menu for the menu."
)

PICK_ONE = N_("Please choose one of the buttons below.")
PICK_SOME = N_("Please choose at least one, then press Done.")
TYPE_ANSWER = N_("Please type your answer as a message.")
TOO_LONG = N_("That is a bit long. Please keep it under {limit} characters.")
NOT_A_NUMBER = N_("Please send a number, for example 3.")
NUMBER_TOO_SMALL = N_("Please send a number of at least {min}.")
NUMBER_TOO_LARGE = N_("Please send a number of at most {max}.")
NOT_A_DATE = N_("Please send a date like 21/11/2026, or press Today or Yesterday.")
NOT_A_DATE_AHEAD = N_("Please send a date like 28/11/2026, or press Today or Tomorrow.")
DATE_IN_FUTURE = N_("That date is in the future. Please send the date it happened.")
YES_OR_NO = N_("Please press Yes or No.")
SEND_PHOTO = N_("Please send a photo, or press a button below.")
SEND_FILE = N_("Please send a photo or a file, or press a button below.")
FILE_RECEIVED = N_("Got it. You can send another, or press Done.")

BACK = N_("Back")
SKIP = N_("Skip")
DONE = N_("Done")
YES = N_("Yes")
NO = N_("No")
TODAY = N_("Today")
YESTERDAY = N_("Yesterday")
TOMORROW = N_("Tomorrow")
# The quick exit's button under every menu: the same words as the main menu used for it.
LEAVE_NOW = N_("Leave now")
# Under every question: the emergency numbers, then back to the question.
# TRANSLATORS: a button (at most 64 characters) under every question; keep "999".
EMERGENCY_BUTTON = N_("Emergency: 999")


@lru_cache(maxsize=4096)
def placeholders(text: str) -> tuple[str, ...]:
    """Names of the `{name}` placeholders in `text`, in order, without repeats."""
    names: list[str] = []
    for _, name, _, _ in string.Formatter().parse(text):
        if name and name not in names:
            names.append(name)
    return tuple(names)
