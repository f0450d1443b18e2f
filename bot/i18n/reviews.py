"""Translations a fluent speaker checked one by one: the `reviewed` flag on an entry.

A whole catalog is marked reviewed in its header (`X-Reviewed-By-Fluent-Speaker`, see
`bot.i18n.headers`); a single translation the `.po` way, with a flag on its entry:

    #, reviewed
    msgid "Are you safe right now?"
    msgstr "هل أنتم بأمان الآن؟"

Babel, Poedit and GNU gettext keep flags they don't know, and msgfmt accepts them. When
the English of an entry changes, `standby i18n update` marks it fuzzy and drops the flag:
what was reviewed was the translation of the old English.
"""

from __future__ import annotations

from babel.messages.catalog import Catalog, Message

REVIEWED_FLAG = "reviewed"
FUZZY_FLAG = "fuzzy"


def is_reviewed(message: Message) -> bool:
    """Whether `message` is marked reviewed and still holds a translation that counts
    (a fuzzy or empty one is not shown, so its review says nothing)."""
    forms = message.string if isinstance(message.string, tuple | list) else [message.string]
    return REVIEWED_FLAG in message.flags and not message.fuzzy and all(forms)


def drop_outdated_reviews(catalog: Catalog) -> int:
    """Take the reviewed flag off every fuzzy entry of `catalog`; how many lost it."""
    dropped = 0
    for message in catalog:
        if message.id and FUZZY_FLAG in message.flags and REVIEWED_FLAG in message.flags:
            message.flags.discard(REVIEWED_FLAG)
            dropped += 1
    return dropped
