"""End to end, both frameworks: the machine-translation notice and its English button."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.pofile import escape

from bot.i18n.catalogs import catalog_path
from bot.i18n.notice import MACHINE_TRANSLATION
from bot.testing import Emulator, User
from tests.telegram.conftest import ROOT, StartBot, reply_with

# "This translation was made with the help of a machine and may have mistakes…"
ARABIC_NOTICE = (
    "تمت هذه الترجمة بمساعدة آلة وقد تحتوي على أخطاء. اضغطوا English للقراءة "
    "بالإنجليزية، أو أرسلوا /language لاختيار لغة أخرى."
)
SAFE_IN_ARABIC = "هل أنتم بأمان الآن؟"  # "Are you safe right now?"


def locales_with_arabic_notice(folder: Path) -> Path:
    """The real catalogs, with the notice translated into Arabic if it is not yet (the
    Arabic catalog stays unreviewed, as it is)."""
    locales = folder / "locales"
    shutil.copytree(ROOT / "locales", locales)
    arabic = catalog_path(locales, "ar")
    text = arabic.read_text(encoding="utf-8")
    if escape(MACHINE_TRANSLATION) not in text:
        entry = f"\nmsgid {escape(MACHINE_TRANSLATION)}\nmsgstr {escape(ARABIC_NOTICE)}\n"
        arabic.write_text(text + entry, encoding="utf-8")
    return locales


def notices(user: User) -> int:
    return sum(1 for message in user.bot_messages if "بمساعدة آلة" in message.content)


async def test_an_arabic_app_is_told_once_and_the_english_button_shows_the_question(
    emulator: Emulator, start_bot: StartBot, tmp_path: Path
) -> None:
    await start_bot(LOCALES_DIR=locales_with_arabic_notice(tmp_path))
    layla = emulator.user(47, "Layla", language_code="ar-EG")

    await layla.send("/start")
    notice = await layla.wait_for_reply()
    assert "بمساعدة آلة" in notice.content, "the first thing she reads, in Arabic"
    assert notice.button_labels == ["English"]
    await reply_with(layla, SAFE_IN_ARABIC)

    await layla.send("/start")
    await reply_with(layla, SAFE_IN_ARABIC)
    assert notices(layla) == 1, "once: not at every /start"

    pressed = await layla.click("English", message=notice)
    await layla.wait_for_answer(pressed)
    question = await reply_with(layla, "Are you safe right now?")
    assert question.button_labels[:2] == ["Yes, I am safe", "No, I am in danger"]

    await layla.send("/start")
    await reply_with(layla, "Hello. I am Standby")
    await reply_with(layla, "Are you safe right now?")
    assert notices(layla) == 1
    assert not any(MACHINE_TRANSLATION in message.content for message in layla.bot_messages)
