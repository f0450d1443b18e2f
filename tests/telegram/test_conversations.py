"""End to end, both frameworks: a person on (emulated) Telegram talking to Standby."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from bot.config import configure_logging
from bot.engine import texts
from bot.testing import Emulator, Fault
from tests.telegram.conftest import ROOT, TOKEN, StartBot, reply_with
from tests.telegram.test_command_menus import menus_set


async def test_from_start_to_the_end_of_a_flow_with_a_quick_exit(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    amina = emulator.user(42, "Amina")
    await amina.send("/start")
    await reply_with(amina, "Are you safe right now?")
    query = await amina.click("Yes, I am safe")
    await amina.wait_for_answer(query)
    await reply_with(amina, "What would you like to do?")
    await amina.click("About and privacy")
    await reply_with(amina, "We are not the police")
    await reply_with(amina, "What would you like to do?")
    await amina.click("Leave now")
    await amina.wait_until(lambda: all(m.deleted for m in amina.history), 10, "a quick exit")
    assert len(amina.history) >= 8, "both sides' messages were there to delete"


async def test_a_person_whose_telegram_is_in_arabic_is_answered_in_arabic(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    layla = emulator.user(44, "Layla", language_code="ar-EG")
    await layla.send("/start")
    await reply_with(layla, "أنا لست الشرطة")  # "I am not the police"
    await reply_with(layla, "/language")  # how to change language is offered
    await reply_with(layla, "هل أنتم بأمان الآن؟")  # "Are you safe right now?"
    await layla.click("لا، أنا في خطر")  # "No, I am in danger"
    emergency = await reply_with(layla, "999")
    # Numbers read left to right inside the right-to-left text.
    assert "\u2066999\u2069" in emergency.content
    assert "\u2066112\u2069" in emergency.content
    await layla.send("طوارئ")  # "emergency", typed in Arabic
    await reply_with(layla, "\u2066999\u2069")


async def test_helplines_come_in_the_language_of_an_app_set_to_arabic_later(
    emulator: Emulator, start_bot: StartBot
) -> None:
    # Regression: the helpline list (made by an action) was in English while the rest of
    # the turn was in Arabic, for a contact known before their app's language was.
    await start_bot()
    omar = emulator.user(45, "Omar")
    await omar.send("/menu")
    await reply_with(omar, "What would you like to do?")
    emulator.world.people[45].language_code = "ar"
    await omar.send("/helplines")
    await reply_with(omar, "ما سبب الكراهية؟")  # "What was the hate about?"
    await omar.click("كون الشخص يهوديًا أو يُظن أنه يهودي")  # antisemitism
    await reply_with(omar, "في أي جزء من المملكة المتحدة")  # "Which part of the UK"
    await omar.click("اسكتلندا")  # Scotland
    listed = await reply_with(omar, "CST")
    assert "خدمات الطوارئ" in listed.content  # "Emergency services", in Arabic


async def test_buttons_and_typed_answers_make_a_plan(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    sam = emulator.user(43, "Sam")
    await sam.send("/menu")
    await reply_with(sam, "What would you like to do?")
    await sam.click("Protest safety")
    await reply_with(sam, "Where is the protest?")
    await sam.click("England")
    await reply_with(sam, "What would you like to know about?")
    await sam.click("Make a safety plan")
    await reply_with(sam, "When are you going?")
    await sam.send("in a week")
    await reply_with(sam, "Please send a date like")
    await sam.send("28/11/2026")
    await reply_with(sam, "Which town or city?")
    await sam.send("Leeds <& Bradford>")
    await reply_with(sam, "Who are you going with?")
    await sam.click("On my own")
    plan = await reply_with(sam, "Your plan:")
    assert "Where: Leeds <& Bradford>" in plan.content, "typed text is escaped, shown as typed"
    assert "When: 28 November 2026" in plan.content
    assert plan.parse_mode == "HTML"


async def test_stale_and_forged_buttons_get_a_gentle_answer(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    ola = emulator.user(44, "Ola")
    await ola.send("/start")
    safety = await reply_with(ola, "Are you safe right now?")
    await ola.click("Yes, I am safe")
    await reply_with(ola, "What would you like to do?")

    stale = await ola.click("No, I am in danger", message=safety)
    await ola.wait_for_answer(stale)
    await reply_with(ola, texts.BUTTON_EXPIRED)
    current = await reply_with(ola, "What would you like to do?")
    assert current.button_labels[0] == "Report a hate incident"

    forged = await ola.click_data("x" * 64)
    await ola.wait_for_answer(forged)
    await reply_with(ola, texts.BUTTON_EXPIRED)
    await reply_with(ola, "What would you like to do?")


async def test_a_restart_in_the_middle_resumes_where_the_person_was(
    emulator: Emulator, start_bot: StartBot
) -> None:
    first = await start_bot()
    kim = emulator.user(45, "Kim")
    await kim.send("/menu")
    await reply_with(kim, "What would you like to do?")
    await kim.click("Protest safety")
    await reply_with(kim, "Where is the protest?")
    await kim.click("England")
    await reply_with(kim, "What would you like to know about?")
    await first.stop()

    await start_bot()
    await kim.click("Stop and search")
    await reply_with(kim, "GOWISELY")


async def test_duplicate_updates_are_handled_once(emulator: Emulator, start_bot: StartBot) -> None:
    await start_bot()
    lee = emulator.user(46, "Lee")
    await lee.send("/about")
    await reply_with(lee, "You can send /exit")
    sent_before = len(emulator.calls_of("sendMessage"))
    await lee.repeat_last_update()
    await asyncio.sleep(1.0)
    assert len(emulator.calls_of("sendMessage")) == sent_before


async def test_one_chat_in_order_many_chats_at_once(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    people = [emulator.user(100 + n, f"P{n}") for n in range(5)]
    for person in people:
        await person.send("/menu")
        await person.send("999")
        await person.send("/about")
    for person in people:
        await reply_with(person, "What would you like to do?")
        await reply_with(person, "call 999")
        await reply_with(person, "Standby is run by volunteers")


@pytest.mark.parametrize(
    "fault",
    [Fault.too_many_requests(1), Fault.server_error(), Fault.bad_gateway(html=True)],
    ids=["429", "500", "502"],
)
async def test_flood_waits_and_server_errors_are_retried(
    emulator: Emulator, start_bot: StartBot, fault: Fault
) -> None:
    await start_bot()
    ana = emulator.user(47, "Ana")
    emulator.inject(fault, method="sendMessage")
    await ana.send("/about")
    await reply_with(ana, "Standby is run by volunteers")


async def test_a_person_who_blocked_the_bot_is_not_written_to_until_they_write(
    emulator: Emulator, start_bot: StartBot
) -> None:
    running = await start_bot()
    bo = emulator.user(48, "Bo")
    await bo.send("/about")
    await reply_with(bo, "You can send /exit")
    emulator.inject(Fault.blocked(), times=10, method="sendMessage")
    await bo.send("/menu")
    contacts = running.core.contacts
    await bo.wait_until(lambda: len(emulator.calls_of("sendMessage")) > 0, 5, "a send")
    for _ in range(50):
        contact = await contacts.get_by_chat(48)
        if contact is not None and contact.unreachable_since is not None:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the contact was not marked unreachable")
    emulator.world.faults.clear()
    await bo.send("/about")
    await reply_with(bo, "Standby is run by volunteers")


async def test_the_command_menu_is_set_per_language(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    bot = emulator.bot()
    await menus_set(emulator)  # in the background, so as not to hold answers back
    default = [c["command"] for c in bot.commands_for(language_code="")]
    assert default[0] == "start"
    assert {"menu", "help", "language", "cancel", "exit", "emergency"} <= set(default)
    for language in ("ar", "ur", "bn", "tr", "fa", "pl", "so"):
        assert bot.commands_for(language_code=language), language


async def test_logs_hold_no_token_no_chat_id_and_no_typed_text(
    emulator: Emulator, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("INFO")
    caplog.set_level(logging.INFO)
    await start_bot()
    zed = emulator.user(987654321, "Zed")
    await zed.send("/menu")
    await reply_with(zed, "What would you like to do?")
    await zed.click("Protest safety")
    await reply_with(zed, "Where is the protest?")
    await zed.click("England")
    await reply_with(zed, "What would you like to know about?")
    await zed.click("Make a safety plan")
    await reply_with(zed, "When are you going?")
    await zed.send("tomorrow")
    await zed.send("Quietplace")
    await reply_with(zed, "Who are you going with?")
    logged = caplog.text
    assert TOKEN.split(":")[1] not in logged
    assert "987654321" not in logged
    assert "Quietplace" not in logged
    assert "Zed" not in logged


async def test_regression_a_typed_exit_is_deleted_too(
    emulator: Emulator, start_bot: StartBot
) -> None:
    await start_bot()
    ida = emulator.user(49, "Ida")
    await ida.send("/about")
    await reply_with(ida, "You can send /exit")
    await ida.send("/exit")
    await ida.wait_until(lambda: all(m.deleted for m in ida.history), 10, "a quick exit")
    assert [m.content for m in ida.history if not m.from_bot] == ["/about", "/exit"]


EVIDENCE_FLOW = """\
spec: 1
flow: evidence
triggers:
  commands: [/evidence]
steps:
  - id: photo
    ask: Send a photo.
    input: photo
    save: picture
  - id: file
    ask: Now a file.
    input: document
    save: paper
  - id: thanks
    say: "Thanks for {picture} and {paper}."
"""


async def test_photos_and_documents_arrive_as_attachments(
    emulator: Emulator, start_bot: StartBot, tmp_path: Path
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    (flows / "evidence.yaml").write_text(EVIDENCE_FLOW)
    await start_bot(FLOWS_DIR=flows)
    eve = emulator.user(50, "Eve")
    await eve.send("/evidence")
    await reply_with(eve, "Send a photo.")
    await eve.send("not a photo")
    await reply_with(eve, texts.SEND_PHOTO)
    await eve.send_photo(b"\xff\xd8\xff\xe0 pretend jpeg")
    await reply_with(eve, "Now a file.")
    await eve.send_document(b"%PDF-1.4 pretend", "statement.pdf")
    await reply_with(eve, "Thanks for a photo and a file.")
