"""End to end, both frameworks: reports that may be shared reach the staff chat, where a
caseworker claims them; the reporter's identity never does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from bot.adapters.telegram.runtime import Running
from bot.testing import ChatMessage, Emulator, Fault, User
from bot.testing import conversation as people
from bot.testing.models import CallbackQuery
from tests.telegram.conftest import StartBot, answer, reply_with

STAFF_CHAT = -100777
OTHER_GROUP = -100888
REPORTER_ID, REPORTER_NAME = 4242, "Zainab"
KEY = Fernet.generate_key().decode()
CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")
STORY = "Two men shouted at me on the bus and told me to go home."


async def start_with_staff_chat(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> Running:
    emulator.add_group(STAFF_CHAT, "Caseworkers")
    return await start_bot(STAFF_CHAT_ID=STAFF_CHAT, REPORT_KEYS=KEY, DATABASE_URL=database_url)


async def report(user: User, consent: str) -> str:
    """Walk the report flow with `consent` (a button label); return the reference code."""
    await user.send("/report")
    await reply_with(user, "Are you somewhere safe")
    await answer(user, "Yes, let's start", then="Who are you reporting for?")
    await answer(user, "It happened to me", then="What do you think the hate was about?")
    await answer(user, "Being Jewish or seen as Jewish", "Done", then="What happened?")
    await answer(user, "Insults or shouting", "Done", then="When did it happen?")
    await answer(user, "Yesterday", then="What time of day was it?")
    await answer(user, "Evening", then="Where did it happen?")
    await answer(user, "On public transport", then="Which part of the UK was it in?")
    await answer(user, "England", then="Which town or area was it in?")
    await user.send("Leeds, LS6")
    await reply_with(user, "In your own words")
    await user.send(STORY)
    await reply_with(user, "describe the people")
    await answer(user, "Skip", then="Do you know who did it?")
    await answer(user, "A stranger", then="Did anyone else see it happen?")
    await answer(user, "No", then="Has this happened before")
    await answer(user, "It happened once", then="Do you have photos")
    await answer(user, "Skip", then="How has this affected you")
    await answer(user, "Scared or worried", "Done", then="Have you already told the police")
    await answer(user, "No", then="What kind of help would you like?")
    await answer(user, "Someone to talk to", "Done", then="link your report to this chat")
    await answer(user, "Link it to this chat", then="Who may see your report?")
    await answer(user, consent, then="Is this right?")
    await user.click("Yes, finish my report")
    saved = await reply_with(user, "Your reference code is")
    found = CODE.search(saved.content)
    assert found is not None
    return found.group()


async def staff_posts(emulator: Emulator, user: User, count: int) -> list[ChatMessage]:
    chat = emulator.chat(STAFF_CHAT)
    await user.wait_until(lambda: len(chat.messages) >= count, 10, "a staff chat post")
    return list(chat.messages)


async def press(
    emulator: Emulator, user: User, message: ChatMessage, person_id: int, data: str
) -> CallbackQuery:
    """A member of the group `message` is in presses a button carrying `data` under it."""
    person = emulator.world.person(person_id, first_name=f"Staff{person_id}")
    query = people.click(emulator.world, emulator.bot(), person, message, data)
    await user.wait_for_answer(query)
    return query


def answer_text(query: CallbackQuery) -> str:
    return str((query.answer or {}).get("text", ""))


async def test_a_shared_report_is_posted_without_identity_and_claimed_once(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    running = await start_with_staff_chat(emulator, start_bot, database_url)
    zainab = emulator.user(REPORTER_ID, REPORTER_NAME)
    kept = await report(zainab, "Keep it with Standby only")
    code = await report(zainab, "Share with the police")

    (post,) = await staff_posts(emulator, zainab, 1)  # the kept report never came
    text = post.content
    for shown in (
        "shared with the police",
        "antisemitism",
        "What happened: verbal abuse",
        "Leeds, LS6",
        STORY,
        "evening",
        "scared",
        "emotional support",
    ):
        assert shown.lower() in text.lower()
    assert "Linked to their chat: yes (Standby cannot pass messages to them yet)" in text
    for secret in (str(REPORTER_ID), REPORTER_NAME, code, code.replace("-", ""), kept):
        assert secret not in text
    assert post.button_labels == ["Claim"]
    (stored,) = [r for r in await running.core.reports.list() if r.consent == "police"]
    assert f"standby reports show {stored.id}" in text

    claim = str(post.buttons[0]["callback_data"])
    emulator.world.person(9001, first_name="Priya")
    first = await press(emulator, zainab, post, 9001, claim)
    assert answer_text(first) == "You claimed this report."
    await zainab.wait_until(lambda: "Claimed by Priya" in post.content, 10, "the claim shown")
    assert text in post.content  # the report as it was, the claim added below
    assert post.buttons == []
    claimed = await running.core.reports.get(stored.id)
    assert claimed is not None
    assert (claimed.status, claimed.claimed_by) == ("claimed", 9001)

    # A second press (another client still showing the button) changes nothing.
    second = await press(emulator, zainab, post, 9002, claim)
    assert answer_text(second) == "This report was already claimed."
    again = await running.core.reports.get(stored.id)
    assert again is not None
    assert again.claimed_by == 9001


async def test_a_post_that_fails_is_posted_on_a_later_round(
    emulator: Emulator, start_bot: StartBot, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.adapters.telegram.retry.BACKOFF", (0.0, 0.0, 0.0, 0.0))
    monkeypatch.setattr("bot.services.staff.RETRY_EVERY", timedelta(seconds=0.5))
    await start_with_staff_chat(emulator, start_bot, database_url)
    # Five 500s: every attempt of the first round fails, so the report waits unposted.
    emulator.inject(Fault.server_error(), times=5, method="sendMessage", chat_id=STAFF_CHAT)
    zainab = emulator.user(REPORTER_ID, REPORTER_NAME)
    await report(zainab, "Share with a partner organisation")

    (post,) = await staff_posts(emulator, zainab, 1)
    assert "shared with a partner organisation" in post.content
    failed = [c for c in emulator.calls_of("sendMessage") if c.status == 500]
    assert len(failed) == 5


async def test_claim_buttons_work_only_in_the_staff_chat(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    running = await start_with_staff_chat(emulator, start_bot, database_url)
    zainab = emulator.user(REPORTER_ID, REPORTER_NAME)
    await report(zainab, "Share with the police")
    (post,) = await staff_posts(emulator, zainab, 1)

    other = emulator.add_group(OTHER_GROUP, "Somewhere else")
    copy = other.add(post.sender, True, emulator.world.now(), text=post.content)
    copy.reply_markup = post.reply_markup
    elsewhere = await press(emulator, zainab, copy, 9003, str(post.buttons[0]["callback_data"]))
    assert answer_text(elsewhere) == "This button works only in the staff chat."

    forged = await press(emulator, zainab, post, 9001, "claim:1:AAAAAA")
    assert answer_text(forged) == "This button is not valid."
    (stored,) = await running.core.reports.list()
    assert stored.status == "new"


async def test_regression_posts_of_withdrawn_and_deleted_reports_are_retracted(
    emulator: Emulator, start_bot: StartBot, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.services.staff.RETRY_EVERY", timedelta(seconds=0.2))
    running = await start_with_staff_chat(emulator, start_bot, database_url)
    zainab = emulator.user(REPORTER_ID, REPORTER_NAME)
    withdrawn_code = await report(zainab, "Share with the police")
    deleted_code = await report(zainab, "Share with a partner organisation")
    first, second = await staff_posts(emulator, zainab, 2)
    withdrawn, deleted = sorted(await running.core.reports.list(), key=lambda r: r.id)

    await running.core.reports.withdraw(withdrawn_code, asker=REPORTER_ID)
    await running.core.reports.delete(deleted_code, asker=REPORTER_ID)

    gone = f"Report #{withdrawn.id} was withdrawn by the person who sent it."
    await zainab.wait_until(lambda: first.content == gone, 10, "the withdrawn post edited")
    deleted_text = f"Report #{deleted.id} was deleted."
    await zainab.wait_until(lambda: second.content == deleted_text, 10, "the deleted post edited")
    assert first.buttons == []
    assert second.buttons == []
    assert STORY not in first.content + second.content
