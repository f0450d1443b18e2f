"""The real `standby run`'s log after a whole report: no words, names, chat id or code.

Issue 5: "A test sends a report through the emulator and asserts the log holds none of its
words." At INFO for the happy path; at WARNING with Telegram failing (500, 403, a refused
delete), since error paths log more.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.testing import Emulator, Fault, RateLimits, User
from tests.telegram.conftest import FRAMEWORKS, ROOT, TOKEN, free_port, reply_with
from tests.telegram.test_process import BotProcess

pytestmark = pytest.mark.slow

CHAT_ID = 771234567
OTHER_CHAT_ID = 771234568
FIRST_NAME, LAST_NAME, USERNAME = "Wilhelmina", "Quenbyfoss", "wilhelmina_zq"
AREA = "Zebrafieldtown"
STORY = "They shouted Quixotrambulous at me near the Marrowgate bus stop"
PEOPLE = "Two Vortigernish men in green coats"
CRIME_REFERENCE = "WYP-Quarnebrick-4417"
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limits=RateLimits.off()) as tg:
        tg.add_bot(TOKEN, username="standby_test_bot")
        yield tg


def environment(emulator: Emulator, framework: str, tmp_path: Path, level: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": emulator.base_url,
        "BOT_FRAMEWORK": framework,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'standby.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "LOCALES_DIR": str(ROOT / "locales"),
        "WEBHOOK_LISTEN": f"127.0.0.1:{free_port()}",
        "LOG_LEVEL": level,
        "REPORT_KEYS": Fernet.generate_key().decode(),
    }


async def press(person: User, label: str, then: str) -> None:
    await person.click(label)
    await reply_with(person, then)


async def answer(person: User, text: str, then: str) -> None:
    await person.send(text)
    await reply_with(person, then)


async def report_up_to_the_area(person: User) -> None:
    await person.send("/report")
    await reply_with(person, "Are you somewhere safe", within=30)
    await press(person, "Yes, let's start", "Who are you reporting for?")
    await press(person, "It happened to me", "What do you think the hate was about?")
    await person.click("Race or nationality")
    await press(person, "Done", "What happened?")
    await person.click("Threats")
    await press(person, "Done", "When did it happen?")
    await answer(person, "yesterday", "What time of day")
    await press(person, "Evening", "Where did it happen?")
    await press(person, "On public transport", "Which part of the UK")
    await press(person, "England", "Which town or area")


async def whole_report(person: User) -> str:
    """Walk flows/report.yaml with distinctive typed answers; the reference code shown."""
    await report_up_to_the_area(person)
    await answer(person, AREA, "In your own words")
    await answer(person, STORY, "Can you describe the people")
    await answer(person, PEOPLE, "Do you know who did it?")
    await press(person, "A neighbour", "Did anyone else see it")
    await press(person, "No", "Has this happened before")
    await press(person, "It is still going on", "photos, screenshots")
    await press(person, "Skip", "How has this affected you")
    await press(person, "Skip", "Have you already told the police")
    await press(person, "Yes", "crime reference number")
    await answer(person, CRIME_REFERENCE, "What kind of help")
    await press(person, "Skip", "link your report to this chat")
    await press(person, "Link it to this chat", "Who may see your report?")
    await press(person, "Share with the police", "Is this right?")
    await person.click("Yes, finish my report")
    saved = await reply_with(person, "Your reference code is")
    found = CODE.search(saved.content)
    assert found is not None, saved.content
    await reply_with(person, "Take care of yourself")
    return found.group()


def assert_private(logged: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret.casefold() not in logged.casefold(), f"{secret!r} must not be logged"


def typed_words() -> list[str]:
    return [AREA, "Quixotrambulous", "Marrowgate", "Vortigernish", "Quarnebrick"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_whole_report_leaves_nothing_of_the_person_in_the_log(
    emulator: Emulator, framework: str, tmp_path: Path
) -> None:
    log = tmp_path / "info.log"
    bot = BotProcess(environment(emulator, framework, tmp_path, "INFO"), log)
    await bot.start()
    person = emulator.user(
        CHAT_ID, FIRST_NAME, last_name=LAST_NAME, username=USERNAME, language_code="en"
    )
    code = await whole_report(person)
    assert await bot.stop() == 0

    logged = log.read_text()
    assert "Standby is running as @standby_test_bot" in logged, logged
    assert_private(logged, *typed_words(), FIRST_NAME, LAST_NAME, USERNAME, str(CHAT_ID))
    assert_private(logged, code, code.replace("-", ""), TOKEN.split(":")[1])


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_telegram_failing_on_the_way_leaves_nothing_of_the_person_in_the_log(
    emulator: Emulator, framework: str, tmp_path: Path
) -> None:
    log = tmp_path / "warning.log"
    bot = BotProcess(environment(emulator, framework, tmp_path, "WARNING"), log)
    await bot.start()
    person = emulator.user(
        OTHER_CHAT_ID, FIRST_NAME, last_name=LAST_NAME, username=USERNAME, language_code="en"
    )
    await report_up_to_the_area(person)
    # A 500 (retried), then a 403 (the person "blocked" the bot for this send).
    emulator.inject(Fault.server_error(), 2, method="sendMessage", chat_id=OTHER_CHAT_ID)
    await answer(person, AREA, "In your own words")
    blocked = emulator.inject(Fault.blocked(), 1, method="sendMessage", chat_id=OTHER_CHAT_ID)
    await person.send(STORY)
    await person.wait_until(lambda: blocked.remaining == 0, 10, "the 403")
    await answer(person, PEOPLE, "Do you know who did it?")
    # A refused delete whose description quotes the chat, as some Telegram errors do.
    refused = Fault(400, f"Bad Request: chat {OTHER_CHAT_ID} of {FIRST_NAME} is gone")
    rule = emulator.inject(refused, 1, method="deleteMessages", chat_id=OTHER_CHAT_ID)
    await person.click("Leave now")
    await person.wait_until(lambda: rule.remaining == 0, 10, "the refused delete")
    assert await bot.stop() == 0

    logged = log.read_text()
    assert "Telegram call failed" in logged, logged  # the 500s
    assert "could not delete messages: Rejected" in logged, logged
    assert_private(logged, *typed_words(), FIRST_NAME, LAST_NAME, USERNAME, str(OTHER_CHAT_ID))
