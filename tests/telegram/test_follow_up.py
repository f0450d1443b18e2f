"""End to end, both frameworks: following a report up with its code, and /forget_me."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.storage import make_engine
from bot.testing import Emulator, User
from tests.telegram.conftest import StartBot, answer, reply_with

KEY = Fernet.generate_key().decode()
OPTIONS = "What would you like to do with your report?"
CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")


async def short_report(user: User, *, anonymous: bool = False) -> str:
    """A report skipping what can be skipped (linked to the chat unless `anonymous`);
    returns its code."""
    await user.send("/report")
    await reply_with(user, "Are you somewhere safe")
    await answer(user, "Yes, let's start", then="Who are you reporting for?")
    await answer(user, "It happened to me", then="What do you think the hate was about?")
    await answer(user, "Disability", "Done", then="What happened?")
    await answer(user, "Threats", "Done", then="When did it happen?")
    await answer(user, "Skip", then="What time of day was it?")
    await answer(user, "Skip", then="Where did it happen?")
    await answer(user, "At work", then="Which part of the UK was it in?")
    await answer(user, "Wales", then="Which town or area was it in?")
    for then in ("In your own words", "describe the people", "Do you know who did it"):
        await answer(user, "Skip", then=then)
    for then in ("Did anyone else see it", "Has this happened before", "Do you have photos"):
        await answer(user, "Skip", then=then)
    for then in ("How has this affected you", "told the police", "What kind of help"):
        await answer(user, "Skip", then=then)
    await answer(user, "Skip", then="link your report to this chat")
    stay = "Do not link it, keep me anonymous" if anonymous else "Link it to this chat"
    await answer(user, stay, then="Who may see your report?")
    await answer(user, "Keep it with Standby only", then="Is this right?")
    await user.click("Yes, finish my report")
    saved = await reply_with(user, "Your reference code is")
    found = CODE.search(saved.content)
    assert found is not None
    await reply_with(user, "Take care of yourself")
    return found.group()


async def test_an_anonymous_report_has_no_link_to_the_chat(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_bot(REPORT_KEYS=KEY, DATABASE_URL=database_url)
    await short_report(emulator.user(62, "Dara"), anonymous=True)
    await short_report(emulator.user(63, "Sam"))

    links = await query(database_url, "SELECT contact_id FROM report ORDER BY id")
    sam = await query(database_url, "SELECT id FROM contact WHERE chat_id = 63")
    assert links == [(None,), sam[0]]


async def query(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def rows(database_url: str, table: str) -> int:
    return int((await query(database_url, f"SELECT count(*) FROM {table}"))[0][0])


async def test_a_report_is_followed_up_with_its_code_then_withdrawn(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_bot(REPORT_KEYS=KEY, DATABASE_URL=database_url)
    nadia = emulator.user(61, "Nadia")
    code = await short_report(nadia)

    await nadia.send("/myreport")
    await reply_with(nadia, "Please send the reference code")
    await nadia.send(code.lower().replace("-", " "))
    await reply_with(nadia, "I found your report. It is saved with Standby.")
    await reply_with(nadia, OPTIONS)
    await answer(nadia, "Add information", then="What would you like to add?")
    await nadia.send("He was there again on Monday.")
    await reply_with(nadia, "I added it to your report")
    await reply_with(nadia, OPTIONS)
    await answer(nadia, "Withdraw it", then="Do you want to withdraw it?")
    await answer(nadia, "Yes, withdraw it", then="Your report is withdrawn.")

    assert await query(database_url, "SELECT status, consent FROM report") == [
        ("withdrawn", "keep")
    ]


async def test_forget_me_deletes_every_message_and_everything_kept(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_bot(REPORT_KEYS=KEY, DATABASE_URL=database_url)
    ravi = emulator.user(62, "Ravi")
    await short_report(ravi)

    await ravi.send("/forget_me")
    await reply_with(ravi, "What should happen to it?")
    await answer(ravi, "Delete it too", then="Are you sure?")
    await ravi.click("Yes, forget me now")
    await ravi.wait_until(lambda: all(m.deleted for m in ravi.history), 10, "forgetting")

    assert len(ravi.history) > 20, "the whole report was there to delete"
    # The messages go first, then the rows: wait for the last of them.
    for _ in range(100):
        if await rows(database_url, "contact") == 0:
            break
        await asyncio.sleep(0.1)
    for table in ("contact", "conversation_session", "chat_message", "report"):
        assert await rows(database_url, table) == 0, table
    await ravi.send("/start")  # writing again: someone new
    await reply_with(ravi, "Hello. I am Standby")
    assert await rows(database_url, "contact") == 1
