"""End to end, both frameworks: following a report up with its code, and /forget_me."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet

from bot.testing import Emulator, User
from tests.telegram.conftest import StartBot, reply_with

KEY = Fernet.generate_key().decode()
OPTIONS = "What would you like to do with your report?"
CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")


async def answer(user: User, *labels: str, then: str) -> None:
    for label in labels:
        await user.click(label)
    await reply_with(user, then)


async def short_report(user: User) -> str:
    """A report skipping what can be skipped, linked to the chat; returns its code."""
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
    for then in ("In your own words", "describe the people", "Did anyone else see it"):
        await answer(user, "Skip", then=then)
    for then in ("Do you have photos", "How has this affected you", "What kind of help"):
        await answer(user, "Skip", then=then)
    await answer(user, "Skip", then="Would you like to stay anonymous?")
    await answer(user, "No, I am happy to be contacted", then="Who may see your report?")
    await answer(user, "Keep it with Standby only", then="Is this right?")
    await user.click("Yes, finish my report")
    saved = await reply_with(user, "Your reference code is")
    found = CODE.search(saved.content)
    assert found is not None
    await reply_with(user, "Take care of yourself")
    return found.group()


def rows(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_a_report_is_followed_up_with_its_code_then_withdrawn(
    emulator: Emulator, start_bot: StartBot, tmp_path: Path
) -> None:
    await start_bot(REPORT_KEYS=KEY)
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

    with sqlite3.connect(tmp_path / "standby.db") as connection:
        status, consent = connection.execute("SELECT status, consent FROM report").fetchone()
    assert (status, consent) == ("withdrawn", "keep")


async def test_forget_me_deletes_every_message_and_everything_kept(
    emulator: Emulator, start_bot: StartBot, tmp_path: Path
) -> None:
    await start_bot(REPORT_KEYS=KEY)
    ravi = emulator.user(62, "Ravi")
    await short_report(ravi)

    await ravi.send("/forget_me")
    await reply_with(ravi, "What should happen to it?")
    await answer(ravi, "Delete it too", then="Are you sure?")
    await ravi.click("Yes, forget me now")
    await ravi.wait_until(lambda: all(m.deleted for m in ravi.history), 10, "forgetting")

    assert len(ravi.history) > 20, "the whole report was there to delete"
    database = tmp_path / "standby.db"
    # The messages go first, then the rows: wait for the last of them.
    await ravi.wait_until(lambda: rows(database, "contact") == 0, 10, "the contact deleted")
    for table in ("contact", "conversation_session", "chat_message", "report"):
        assert rows(database, table) == 0, table
    await ravi.send("/start")  # writing again: someone new
    await reply_with(ravi, "Hello. I am Standby")
    assert rows(database, "contact") == 1
