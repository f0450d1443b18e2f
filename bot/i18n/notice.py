"""The notice that a translation was made with the help of a machine.

A language whose catalog no fluent speaker has reviewed yet (its header does not say
`X-Reviewed-By-Fluent-Speaker: yes`) tells each person once, in that language, that it
may have mistakes, with a button that switches them to English. English never needs it.
"""

from __future__ import annotations

from bot.engine.texts import N_
from bot.i18n.languages import SOURCE_LANGUAGE

# TRANSLATORS: shown once to each person who gets Standby in your language, while no
# fluent speaker has reviewed the translation. The button under it reads "English" in
# English (so that people who need it can find it): keep the word English in English, or
# write both. Keep /language.
MACHINE_TRANSLATION = N_(
    "This translation was made with the help of a machine and may have mistakes. "
    "Press English to read in English, or send /language to choose another."
)
# The same text as the language menu's button: each language's own name, so "English"
# stays "English" in every catalog.
ENGLISH = N_("English")
READ_IN_ENGLISH = "~english"
"""The value the notice's button sends. No flow can have it: flow values are a-z, 0-9, _."""


def notice_due(language: str, *, reviewed: bool, noticed: str | None) -> bool:
    """Whether someone written to in `language` should be given its notice now.

    `reviewed`: whether a fluent speaker reviewed that language's catalog; `noticed`: the
    language whose notice they were last given, if any.
    """
    return language != SOURCE_LANGUAGE and not reviewed and noticed != language
