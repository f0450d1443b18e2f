"""End to end, both frameworks: subscribing to alerts, and admins broadcasting them from
Telegram through the emulator, with approvals, corrections, expiry and Telegram's errors."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta

import pytest

from bot.adapters.telegram.runtime import Running
from bot.testing import Emulator, Fault, User
from bot.testing.models import ChatMessage
from tests.telegram.broadcasting import add_subscribers, alerts_in, delivery_statuses
from tests.telegram.conftest import StartBot, answer, reply_with

ADMIN, SECOND_ADMIN, STRANGER = 7001, 7002, 7003
READERS = [(100 + i, language, "rotherham") for i, language in enumerate(["ar", "en", "pl", "ur"])]


async def start_admins(start_bot: StartBot, database_url: str, **settings: object) -> Running:
    return await start_bot(
        DATABASE_URL=database_url, ADMIN_IDS=f"{ADMIN},{SECOND_ADMIN}", **settings
    )


async def write_gathering_alert(admin: User) -> int:
    """/broadcast with the "Gathering announced" template for Rotherham, to the Send button;
    the broadcast's number."""
    await admin.send("/broadcast")
    await reply_with(admin, "What do you want to send?")
    await answer(admin, "Gathering announced", then="Where is the gathering?")
    await admin.send("Clifton Park")
    await reply_with(admin, "Which day?")
    await admin.send("14/12/2026")
    await reply_with(admin, "From what time?")
    await admin.send("14:00")
    await reply_with(admin, "Which areas is it for?")
    await admin.click("Rotherham")
    await admin.wait_for_edit(admin.last_bot_message or admin.messages[-1])
    await answer(admin, "Done", then="Which languages?")
    await answer(admin, "Done", then="When is it no longer worth sending?")
    await admin.click("24 hours")
    confirm = await reply_with(admin, "language(s)?")
    found = re.search(r"\(#(\d+)\)", confirm.content)
    assert found is not None
    return int(found.group(1))


async def final_report(admin: User) -> ChatMessage:
    return await reply_with(admin, "Delivered:", within=20)


async def test_a_person_subscribes_to_an_area_and_stops_alerts(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    person = emulator.user(501, "Amina", language_code="en")

    await person.send("/alerts")
    await reply_with(person, "I can send you a short alert")
    await reply_with(person, "Which part of the UK would you like alerts for?")
    await answer(person, "England", then="Which area?")
    await answer(person, "Yorkshire and the Humber", then="Which area?")
    await person.click("Rotherham")
    added = await reply_with(person, "You will get alerts for Rotherham")
    assert "• Rotherham" in added.content
    await reply_with(person, "another area too?")
    await answer(person, "No, that is all", then="In an emergency, call 999")

    await person.send("/alerts")
    await reply_with(person, "You get alerts for:")
    await reply_with(person, "What would you like to do?")
    await answer(person, "Add an area", then="Which part of the UK")
    await answer(person, "Wales", then="Which area?")
    await person.click("All of Wales")
    both = await reply_with(person, "You will get alerts for Wales")
    assert "• Rotherham" in both.content
    assert "• Wales" in both.content
    await reply_with(person, "another area too?")
    await answer(person, "No, that is all", then="999")

    await person.send("/alerts")
    await reply_with(person, "What would you like to do?")
    await answer(person, "Remove an area", then="Which area should I stop alerts for?")
    await answer(person, "Wales", then="No more alerts for Wales")
    await reply_with(person, "You still get alerts for:\n• Rotherham")

    await person.send("/stop_alerts")
    await reply_with(person, "Alerts are stopped")
    await person.send("/stop_alerts")
    await reply_with(person, "You were not getting any alerts")


async def test_admin_commands_are_unknown_to_everyone_else(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    running = await start_admins(start_bot, database_url)
    stranger = emulator.user(STRANGER, language_code="en")
    for command in ("/broadcast", "/broadcast_status", "/approve 1", "/retract 1"):
        await stranger.send(command)
        await reply_with(stranger, "I don't know that command")
    assert await running.core.broadcasts.with_status() == []


async def test_an_alert_needs_a_second_admin_then_reaches_each_subscriber_in_their_language(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_admins(start_bot, database_url, BROADCAST_APPROVALS="2")
    await add_subscribers(emulator, database_url, [*READERS, (200, "so", "leeds")])
    admin = emulator.user(ADMIN, language_code="en")
    second = emulator.user(SECOND_ADMIN, language_code="en")
    await second.send("/start")  # a bot may only write to people who opened its chat
    await reply_with(second, "Are you safe right now?")

    number = await write_gathering_alert(admin)
    assert "1 other admin(s) must approve it" in admin.messages[-1].content
    await admin.click("Send")
    await reply_with(
        admin, f"Waiting for 1 more admin(s) to approve broadcast #{number}. I asked 1."
    )
    await asyncio.sleep(0.5)
    assert alerts_in(emulator, 100) == []  # nothing before the second approval

    await reply_with(second, "needs your approval")
    await second.click("Approve")
    await reply_with(second, f"Approved. Broadcast #{number} is being sent.")
    report = await final_report(admin)
    assert "Delivered: 4 of 4." in report.content
    assert "Nobody received it twice." in report.content
    for chat_id, _, _ in READERS:
        (alert,) = alerts_in(emulator, chat_id)
        assert "Clifton Park" in alert
    assert "14 December 2026" in alerts_in(emulator, 101)[0]
    assert "grudnia" in alerts_in(emulator, 102)[0]  # Polish date
    assert alerts_in(emulator, 200) == []  # Leeds is not Rotherham


async def test_the_writer_cannot_approve_their_own_alert(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_admins(start_bot, database_url, BROADCAST_APPROVALS="2")
    await add_subscribers(emulator, database_url, READERS)
    admin = emulator.user(ADMIN, language_code="en")
    number = await write_gathering_alert(admin)
    await admin.click("Send")
    await reply_with(admin, "Waiting for 1 more")

    await admin.send(f"/approve {number}")
    await reply_with(admin, "another admin must approve it")
    assert await delivery_statuses(database_url, number) == {}


async def test_a_correction_goes_as_a_reply_to_exactly_who_received_the_alert(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_admins(start_bot, database_url)
    await add_subscribers(emulator, database_url, READERS)
    admin = emulator.user(ADMIN, language_code="en")
    number = await write_gathering_alert(admin)
    await admin.click("Send")
    await final_report(admin)
    await add_subscribers(emulator, database_url, [(300, "en", "rotherham")])  # came later

    await admin.send(f"/correct {number}")
    await reply_with(admin, "Type the correction in English")
    await admin.send("The gathering has moved to the town hall.")
    await reply_with(admin, "Add the same text written in another language?")
    await answer(admin, "No, go on", then=f"Send this correction (#{number + 1}) to 4 people")
    await admin.click("Send")
    assert "Delivered: 4 of 4." in (await final_report(admin)).content

    for chat_id, _, _ in READERS:
        chat = emulator.chat(chat_id)
        (correction,) = [m for m in chat.messages if m.from_bot and m.reply_to is not None]
        assert "town hall" in correction.content
        answered = correction.reply_to
        assert answered is not None
        assert "Clifton Park" in answered.content  # it answers the alert
    assert alerts_in(emulator, 300) == []  # subscribed after the alert: no correction


async def test_an_expired_alert_is_not_delivered(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    running = await start_admins(start_bot, database_url)
    await add_subscribers(emulator, database_url, READERS)
    admin = emulator.user(ADMIN, language_code="en")
    number = await write_gathering_alert(admin)
    # The admin hesitates past the expiry they chose before pressing Send.
    past = running.core.clock.now() - timedelta(minutes=1)
    assert await running.core.broadcasts.update(number, expires_at=past) is not None
    await admin.click("Send")

    report = await final_report(admin)
    assert "Not sent because the alert expired: 4." in report.content
    assert all(alerts_in(emulator, chat_id) == [] for chat_id, _, _ in READERS)


async def test_flood_control_and_blocked_subscribers(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    await start_admins(start_bot, database_url)
    await add_subscribers(emulator, database_url, READERS)
    emulator.block(103)
    emulator.inject(Fault.too_many_requests(1), method="sendMessage", chat_id=100)
    admin = emulator.user(ADMIN, language_code="en")
    number = await write_gathering_alert(admin)
    await admin.click("Send")

    report = await final_report(admin)
    assert "Delivered: 3 of 4." in report.content
    assert "Blocked the bot or left Telegram: 1" in report.content
    assert len(alerts_in(emulator, 100)) == 1  # sent once, after the wait
    statuses = await delivery_statuses(database_url, number)
    assert statuses == {"sent": 3, "blocked": 1}
    # The blocked person's subscription ended: a second alert does not try them.
    await write_gathering_alert(admin)
    await admin.click("Send")
    assert "Delivered: 3 of 3." in (await final_report(admin)).content


@pytest.mark.parametrize("framework", ["aiogram"], indirect=True)
async def test_a_broadcast_stopped_halfway_resumes_after_a_restart_without_doubling(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    people = [(1000 + i, "en", "rotherham") for i in range(40)]
    running = await start_admins(start_bot, database_url, BROADCAST_RATE="20")
    await add_subscribers(emulator, database_url, people)
    admin = emulator.user(ADMIN, language_code="en")
    number = await write_gathering_alert(admin)
    await admin.click("Send")
    await admin.wait_until(
        lambda: sum(len(alerts_in(emulator, chat)) for chat, _, _ in people) >= 15, 10
    )
    await running.stop()

    await start_admins(start_bot, database_url, BROADCAST_RATE="20")
    report = await reply_with(admin, "Delivered:", within=30)
    assert "Delivered: 40 of 40." in report.content
    doubled = [chat for chat, _, _ in people if len(alerts_in(emulator, chat)) != 1]
    assert (await delivery_statuses(database_url, number)).get("sent") == 40
    assert len(doubled) <= 1  # at most what was on its way when it stopped


async def test_conversations_are_answered_while_a_broadcast_is_sent(
    emulator: Emulator, start_bot: StartBot, database_url: str
) -> None:
    people = [(2000 + i, "en", "rotherham") for i in range(30)]
    await start_admins(start_bot, database_url, BROADCAST_RATE="5")
    await add_subscribers(emulator, database_url, people)
    admin = emulator.user(ADMIN, language_code="en")
    await write_gathering_alert(admin)
    await admin.click("Send")
    # Whoever is sent the first alert (the order of delivery is the database's).
    await admin.wait_until(
        lambda: any(alerts_in(emulator, chat) for chat, _, _ in people), 10, "the first alert"
    )

    someone = emulator.user(555, language_code="en")
    asked = time.monotonic()
    await someone.send("/menu")
    await reply_with(someone, "What would you like to do?", within=5)
    answered_in = time.monotonic() - asked
    still_sending = sum(1 for chat, _, _ in people if not alerts_in(emulator, chat))
    assert still_sending > 0  # the broadcast was still going
    assert answered_in < 2.0
