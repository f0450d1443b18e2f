"""`keep_area_private` (postcodes and house numbers out of the area) and `privacy_facts`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.engine import (
    Action,
    ActionRequested,
    Ask,
    Check,
    End,
    Input,
    InputKind,
    MessageCreated,
    Say,
)
from bot.engine.answers import SKIP
from bot.engine.model import Flows
from bot.engine.session import Value
from bot.services.actions import ACTION_NAMES, ActionContext, ActionRegistry, builtin_actions
from bot.services.clock import FixedClock
from bot.services.conversation import ConversationService
from bot.services.helplines import HelplineDirectory, HelplineFinder
from bot.services.privacy import (
    PRIVACY_ACTIONS,
    KeptArea,
    keep_area_private,
    outward_code,
    retention_months,
)
from bot.storage import ContactRecord, ContactRepository, SqlSessionStore
from bot.storage.tables import session_table
from tests.engine.builders import NOW, flow, flows
from tests.fakes import RecordingSender

REPO = Path(__file__).resolve().parents[2]

# --- postcodes ---------------------------------------------------------------------------

# Real postcodes of every shape (A9, A99, AA9, AA99, A9A, AA9A) and nation.
POSTCODES = [
    ("LS6 2AB", "LS6"),
    ("M1 1AE", "M1"),
    ("B33 8TH", "B33"),
    ("CR2 6XH", "CR2"),
    ("DN55 1PT", "DN55"),
    ("W1A 0AX", "W1A"),
    ("SW1A 1AA", "SW1A"),
    ("EC1A 1BB", "EC1A"),
    ("CF10 1EP", "CF10"),  # Cardiff
    ("SA1 1DP", "SA1"),  # Swansea
    ("LL57 2DG", "LL57"),  # Bangor
    ("EH1 1YZ", "EH1"),  # Edinburgh
    ("G2 1DU", "G2"),  # Glasgow
    ("IV2 3JH", "IV2"),  # Inverness
    ("BT1 5GS", "BT1"),  # Belfast
    ("BT48 6DQ", "BT48"),  # Derry
    ("GIR 0AA", "GIR"),
]


@pytest.mark.parametrize(("postcode", "outward"), POSTCODES)
def test_a_full_postcode_is_cut_to_its_outward_code(postcode: str, outward: str) -> None:
    assert keep_area_private(postcode) == KeptArea(outward, trimmed=True)


@pytest.mark.parametrize(("postcode", "outward"), POSTCODES)
def test_any_case_and_any_spacing_is_a_postcode(postcode: str, outward: str) -> None:
    squashed = postcode.replace(" ", "")
    for typed in (postcode.lower(), squashed, squashed.lower(), postcode.replace(" ", "  ")):
        assert keep_area_private(typed).area == outward, typed
    assert outward_code(postcode.lower()) == outward


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Leeds LS6 2AB", "Leeds LS6"),
        ("ls62ab leeds", "LS6 leeds"),
        ("Hyde Park, Leeds, LS6 2AB", "Hyde Park, Leeds, LS6"),
        ("Cardiff CF10 1EP", "Cardiff CF10"),
        ("Edinburgh (EH1 1YZ)", "Edinburgh (EH1)"),
        ("Belfast BT1 5GS.", "Belfast BT1."),
        ("LS6-2AB", "LS6"),
        ("Leeds LS6 2AB, Bradford BD1 1HY", "Leeds LS6, Bradford BD1"),
        # A phone set to Arabic may type Arabic-Indic digits.
        ("LS٦ ٢AB", "LS6"),
    ],
)
def test_a_postcode_inside_other_words(typed: str, kept: str) -> None:
    assert keep_area_private(typed) == KeptArea(kept, trimmed=True)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("في ليدز LS6 2AB", "في ليدز LS6"),  # Arabic: "in Leeds"
        ("ليدز، LS6 2AB", "ليدز، LS6"),  # with an Arabic comma
        ("ليدزLS62AB", "ليدزLS6"),  # no space between the scripts
        ("لیڈز LS6 2AB میں", "لیڈز LS6 میں"),  # Urdu: "in Leeds"
        ("بیرمنگھم B33 8TH کے پاس", "بیرمنگھم B33 کے پاس"),  # Urdu: "near Birmingham"
        ("منچستر m1 1ae", "منچستر M1"),  # Farsi
    ],
)
def test_a_postcode_in_arabic_or_urdu_text(typed: str, kept: str) -> None:
    assert keep_area_private(typed) == KeptArea(kept, trimmed=True)


@pytest.mark.parametrize(
    "typed",
    [
        "LS6",
        "ls6",
        "SW1A",
        "EC1A",
        "M1",
        "Leeds",
        "Leeds LS6",
        "Hyde Park Road, Leeds",
        "Hyde Park, Leeds",
        "Near Leeds station",
        "Park Lane",
        "Ystradgynlais",
        "Llanfairpwllgwyngyll",
        "Milton Keynes",
        "N1 Upper Street",
        "A660 Otley Road",
        "near junction 5 of the M1",
        "Bus 42 to Leeds",
        "flat in Leeds",
        "LS6 2",  # a postcode sector is not a full postcode
        "Leeds 12",
        "ليدز",
        "لیڈز میں",
        "Caerdydd",
        "Doire",
    ],
)
def test_towns_streets_and_outward_codes_are_kept_as_typed(typed: str) -> None:
    assert keep_area_private(typed) == KeptArea(typed, trimmed=False)


def test_spaces_and_stray_commas_are_tidied_without_counting_as_trimmed() -> None:
    assert keep_area_private("  Leeds ,  , LS6 ") == KeptArea("Leeds, LS6", trimmed=False)


@pytest.mark.parametrize("typed", [None, "", "   ", " , "])
def test_nothing_typed_keeps_nothing(typed: str | None) -> None:
    assert keep_area_private(typed) == KeptArea(None, trimmed=False)


@pytest.mark.parametrize("typed", ["12", "Flat 3", "flat 3b,", "No. 7", "Unit 4", "#12"])
def test_a_number_alone_leaves_nothing(typed: str) -> None:
    assert keep_area_private(typed) == KeptArea(None, trimmed=True)


def test_something_that_is_not_a_postcode_has_no_outward_code() -> None:
    assert outward_code("LS6") is None
    assert outward_code("Leeds LS6 2AB") is None


# --- house and flat numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("12 Hyde Park Road, Leeds", "Hyde Park Road, Leeds"),
        ("12a Hyde Park Road", "Hyde Park Road"),
        ("12A, Hyde Park Road", "Hyde Park Road"),
        ("12-14 Market Street", "Market Street"),
        ("12 – 14 Market Street", "Market Street"),
        ("2/3 Rose Street, Edinburgh EH2 2PR", "Rose Street, Edinburgh EH2"),
        ("No. 7 Church Lane", "Church Lane"),
        ("No.7 Church Lane", "Church Lane"),
        ("no 7 church lane", "church lane"),
        ("Number 7, Church Lane", "Church Lane"),
        ("#7 Church Lane, York", "Church Lane, York"),
        ("Leeds, 12 Otley Road", "Leeds, Otley Road"),
        ("outside 12 Hyde Park Road", "outside Hyde Park Road"),
        ("near 5 Hyde Park", "near Hyde Park"),
        ("Otley Road 12, Leeds", "Otley Road, Leeds"),
        ("Hyde Park Road 12", "Hyde Park Road"),
        ("12, Leeds", "Leeds"),
        ("5 minutes from Leeds station", "minutes from Leeds station"),
        ("12 Heol y Frenhines, Caerdydd", "Heol y Frenhines, Caerdydd"),
        ("3 Castle Wynd, Inverness", "Castle Wynd, Inverness"),
        ("১২ Hyde Park Road", "Hyde Park Road"),  # Bengali digits
    ],
)
def test_house_numbers_are_removed(typed: str, kept: str) -> None:
    assert keep_area_private(typed) == KeptArea(kept, trimmed=True)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Flat 3, 12 Hyde Park Road, Leeds LS6 2AB", "Hyde Park Road, Leeds LS6"),
        ("Flat 3 12 Hyde Park Road", "Hyde Park Road"),
        ("Flat 3b Hyde Park Court", "Hyde Park Court"),
        ("flat: 3, Leeds", "Leeds"),
        ("Flat B, Leeds", "Leeds"),
        ("FLAT 12, LEEDS", "LEEDS"),
        ("Apartment 5, Leeds", "Leeds"),
        ("Apt. 5, Leeds", "Leeds"),
        ("Apartment 5 Leeds", "Leeds"),
        ("Leeds, flat 3", "Leeds"),
        ("Unit 4 Kirkstall Trading Estate", "Kirkstall Trading Estate"),
        ("house no. 7, Leeds", "Leeds"),
        ("House 12, Bradford", "Bradford"),
        ("Flat 2, 3rd floor, Leeds", "Leeds"),
        ("Ground floor, Hyde Park Road", "Hyde Park Road"),
    ],
)
def test_flat_and_house_words_go_with_their_numbers(typed: str, kept: str) -> None:
    assert keep_area_private(typed) == KeptArea(kept, trimmed=True)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("ليدز، 12 شارع هايد بارك", "ليدز، شارع هايد بارك"),  # Arabic: "12 Hyde Park Street"
        ("١٢ شارع الملك، برمنغهام", "شارع الملك، برمنغهام"),  # Arabic-Indic digits
        ("شقة 3، ليدز", "ليدز"),  # Arabic: "flat 3"
        ("شقة رقم 3، ليدز LS6 2AB", "ليدز LS6"),  # "flat number 3"
        ("مکان نمبر 12، لیڈز", "لیڈز"),  # Urdu: "house number 12"
        ("فلیٹ 4، بریڈفورڈ", "بریڈفورڈ"),  # Urdu: "flat 4"
        ("12 ہائیڈ پارک روڈ، لیڈز", "ہائیڈ پارک روڈ، لیڈز"),  # Urdu: "12 Hyde Park Road"
        ("پلاک 12، لیدز", "لیدز"),  # Farsi: "number 12"
    ],
)
def test_house_numbers_in_arabic_urdu_and_farsi(typed: str, kept: str) -> None:
    assert keep_area_private(typed) == KeptArea(kept, trimmed=True)


# --- the actions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "months"),
    [(365, 12), (180, 6), (730, 24), (30, 1), (1, 1), (15, 1), (45, 1), (46, 2), (90, 3)],
)
def test_retention_is_shown_in_whole_months(days: int, months: int) -> None:
    assert retention_months(days) == months


def test_no_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="at least a day"):
        retention_months(0)


def context(
    contact: ContactRecord, name: str, params: dict[str, Value] | None = None
) -> ActionContext:
    request = ActionRequested(name, dict(params or {}), "report", "area_private", "3:report:x")
    return ActionContext(contact=contact, request=request, sender=RecordingSender())


@pytest.fixture
async def contact(sessionmaker: async_sessionmaker[AsyncSession]) -> ContactRecord:
    return await ContactRepository(sessionmaker).get_or_create(2002, now=NOW, language="en")


def test_the_checker_knows_both_actions() -> None:
    assert {"keep_area_private", "privacy_facts"} == PRIVACY_ACTIONS
    assert PRIVACY_ACTIONS <= ACTION_NAMES


async def test_keep_area_private_answers_what_the_report_flow_saves(
    sessionmaker: async_sessionmaker[AsyncSession],
    contact: ContactRecord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    actions = builtin_actions_with(sessionmaker)
    typed = "Flat 3, 12 Hyde Park Road, Leeds LS6 2AB"

    trimmed = await actions.run(context(contact, "keep_area_private", {"text": typed}))
    kept = await actions.run(context(contact, "keep_area_private", {"text": "Leeds"}))
    skipped = await actions.run(context(contact, "keep_area_private", {"text": None}))

    assert (trimmed.ok, dict(trimmed.values)) == (
        True,
        {"area": "Hyde Park Road, Leeds LS6", "area_trimmed": "yes", "area_typed": None},
    )
    assert dict(kept.values) == {"area": "Leeds", "area_trimmed": "no", "area_typed": None}
    assert dict(skipped.values) == {"area": None, "area_trimmed": "no", "area_typed": None}
    assert "Hyde" not in caplog.text
    assert "2AB" not in caplog.text


async def test_keep_area_private_fails_on_something_that_is_not_text(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    actions = builtin_actions_with(sessionmaker)
    result = await actions.run(context(contact, "keep_area_private", {"text": ["LS6 2AB"]}))
    assert not result.ok


async def test_privacy_facts_tells_the_retention_in_months(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    default = await builtin_actions_with(sessionmaker).run(context(contact, "privacy_facts"))
    half_year = await builtin_actions_with(sessionmaker, report_retention_days=180).run(
        context(contact, "privacy_facts")
    )
    assert dict(default.values) == {"retention_months": 12}
    assert dict(half_year.values) == {"retention_months": 6}


def builtin_actions_with(
    sessionmaker: async_sessionmaker[AsyncSession], *, report_retention_days: int = 365
) -> ActionRegistry:
    helplines = HelplineFinder(HelplineDirectory, FixedClock(NOW), REPO / "locales")
    return builtin_actions(
        ContactRepository(sessionmaker),
        helplines=helplines,
        report_retention_days=report_retention_days,
    )


# --- through the conversation service and the engine -------------------------------------


def area_flows() -> Flows:
    """The report flow's area question and its action, then a question, so the turn ends
    with the session saved while it waits."""
    return flows(
        flow(
            "menu",
            Ask(
                "area",
                "Which town or area?",
                InputKind.TEXT,
                save="area_typed",
                optional=True,
                next="area_private",
            ),
            Action(
                "area_private",
                "keep_area_private",
                {"text": "{area_typed}"},
                ("area", "area_trimmed", "area_typed"),
                next="told",
                on_error="sorry",
            ),
            Check("told", "area_trimmed", (("yes", "trimmed"),), otherwise="story"),
            Say("trimmed", "I kept only this part: {area}", next="story"),
            Ask("story", "What happened?", InputKind.TEXT, save="story"),
            End("sorry", "Sorry."),
            home=True,
        )
    )


async def test_the_full_address_never_reaches_the_database(
    sessionmaker: async_sessionmaker[AsyncSession],
    contact: ContactRecord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    library = area_flows()
    sender = RecordingSender()
    talk = ConversationService(
        flows=lambda: library,
        sessions=SqlSessionStore(sessionmaker),
        actions=builtin_actions_with(sessionmaker),
        sender=sender,
        clock=FixedClock(NOW),
    )
    await talk.handle(contact, Input.refresh())
    await talk.handle(contact, Input.say("Flat 3, 12 Hyde Park Road, Leeds ls6 2ab"))

    messages = [e for e in sender.delivered[contact.id] if isinstance(e, MessageCreated)]
    assert [m.text for m in messages][-2:] == ["I kept only this part: {area}", "What happened?"]
    assert messages[-2].vars["area"] == "Hyde Park Road, Leeds LS6"
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert stored.session.step == "story"
    assert stored.session.vars["area"] == "Hyde Park Road, Leeds LS6"
    assert stored.session.vars["area_typed"] is None
    async with sessionmaker() as db:
        rows = (await db.execute(select(session_table.c.data))).scalars().all()
    written = json.dumps(rows)
    for private in ("Flat 3", "12 Hyde", "2ab", "2AB"):
        assert private not in written, f"{private!r} was saved"
    assert "Hyde" not in caplog.text


async def test_a_skipped_area_saves_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], contact: ContactRecord
) -> None:
    library = area_flows()
    sender = RecordingSender()
    talk = ConversationService(
        flows=lambda: library,
        sessions=SqlSessionStore(sessionmaker),
        actions=builtin_actions_with(sessionmaker),
        sender=sender,
        clock=FixedClock(NOW),
    )
    await talk.handle(contact, Input.refresh())
    await talk.handle(contact, Input.press("area", SKIP))
    stored = await SqlSessionStore(sessionmaker).load(contact.id)
    assert stored is not None
    assert stored.session.step == "story"
    assert (stored.session.vars["area"], stored.session.vars["area_trimmed"]) == (None, "no")


async def test_bootstrap_passes_the_retention_setting(tmp_path: Path) -> None:
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    (flows_dir / "start.yaml").write_text(
        "spec: 1\nflow: start\ntitle: Welcome\nhome: true\nsteps:\n"
        "  - id: facts\n    action: privacy_facts\n    save: retention_months\n"
        '  - id: bye\n    end: "I keep a report for {retention_months} months."\n',
        encoding="utf-8",
    )
    settings = Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'standby.db'}",
        FLOWS_DIR=flows_dir,
        LOCALES_DIR=REPO / "locales",
        REPORT_RETENTION_DAYS=180,
    )
    core = await bootstrap(settings, clock=FixedClock(NOW))
    try:
        person = await core.contacts.get_or_create(7, now=NOW, language="en")
        sender = RecordingSender()
        await core.conversation(sender).handle(person, Input.refresh())
    finally:
        await core.close()
    said = [e for e in sender.delivered[person.id] if isinstance(e, MessageCreated)]
    assert [(m.text, dict(m.vars)) for m in said] == [
        ("I keep a report for {retention_months} months.", {"retention_months": 6})
    ]
