"""Which helplines are offered, in which order, and how `find_helplines` lists them."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import ActionRequested
from bot.engine.runner import LOCAL_TIME
from bot.flowdef.helplines import read_helplines_text
from bot.flowdef.problems import Found
from bot.i18n import DOMAIN
from bot.services.actions import ActionContext, builtin_actions
from bot.services.clock import FixedClock
from bot.services.helplines import (
    HelplineDirectory,
    HelplineFinder,
    Offer,
    Status,
    describe_offers,
    read_about,
    read_nation,
)
from bot.services.library import FlowLibrary
from bot.storage import ContactRecord, ContactRepository
from tests.fakes import RecordingSender

REAL = Path(__file__).resolve().parents[2] / "flows" / "data" / "helplines.yaml"
EVERYWHERE = "[england, wales, scotland, northern_ireland]"
LINES = f"""\
spec: 1
helplines:
  - id: emergency
    name: Emergency
    description: In danger now.
    covers: [emergency]
    phone: "999"
    nations: {EVERYWHERE}
    hours: always
    confidence: H
    source: A test
    last_checked: 2026-11-01
  - id: evening_line
    name: Evening line
    description: Any hate, into the evening.
    covers: [any_hate]
    phone: "0800 138 1625"
    nations: {EVERYWHERE}
    hours:
      mon-thu: "10:00-20:30"
      fri: "10:00-16:30"
    confidence: H
    source: A test
    last_checked: 2026-11-01
  - id: office_line
    name: Office line
    description: Racism, office hours.
    covers: [race]
    phone: "0800 144 8848"
    nations: [england]
    hours:
      mon-fri: "09:00-17:00"
    confidence: H
    source: A test
    last_checked: 2026-11-01
  - id: police
    name: Police
    description: Not an emergency.
    covers: [police_report]
    phone: "101"
    nations: [england, wales, northern_ireland]
    confidence: H
    source: A test
    last_checked: 2026-11-01
"""


def _directory(text: str, today: date = date(2026, 12, 2)) -> HelplineDirectory:
    found = Found("helplines.yaml")
    entries = read_helplines_text(text, found, today)
    assert [p for p in found.problems if p.severity != "notice"] == []
    return HelplineDirectory(entries)


TEST_LINES = _directory(LINES)
# The real directory is checked against the real day: its dates are days someone really checked.
REAL_LINES = _directory(REAL.read_text(encoding="utf-8"), datetime.now(LOCAL_TIME).date())


class English:
    def gettext(self, message: str) -> str:
        return message


def _statuses(offers: list[Offer]) -> list[tuple[str, Status]]:
    return [(offer.helpline.id, offer.status) for offer in offers]


def _say(offers: list[Offer], now: datetime, *, nation_known: bool = True) -> str:
    return describe_offers(offers, English(), now, nation_known=nation_known)


def _status_of(line: str, text: str) -> str:
    """The status line of the paragraph about `line` (its fourth line here)."""
    paragraph = next(p for p in text.split("\n\n") if p.startswith(line))
    return paragraph.splitlines()[3]


# -- open now, at fixed clock times (November: London is on GMT) ---------------------


def test_a_weekday_evening_offers_the_evening_line_as_open_until_it_closes() -> None:
    tuesday_7pm = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    offers = TEST_LINES.offers({"race"}, "england", tuesday_7pm)
    assert _statuses(offers) == [
        ("emergency", Status.ALWAYS),
        ("evening_line", Status.OPEN),
        ("police", Status.UNKNOWN),
        ("office_line", Status.CLOSED),  # closed lines come last, whatever they cover
    ]
    text = _say(offers, tuesday_7pm)
    assert _status_of("Evening line", text) == "Open now, until 20:30."
    assert _status_of("Office line", text) == "Closed now. Opens tomorrow at 09:00."


def test_after_closing_a_line_says_when_it_opens() -> None:
    tuesday_9pm = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    friday_5pm = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    monday_8am = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    for now, said in (
        (tuesday_9pm, "Closed now. Opens tomorrow at 10:00."),
        (friday_5pm, "Closed now. Opens on Monday at 10:00."),
        (monday_8am, "Closed now. Opens today at 10:00."),
    ):
        text = _say(TEST_LINES.offers({"any_hate"}, "wales", now), now)
        assert _status_of("Evening line", text) == said, now


def test_on_a_sunday_the_closed_lines_are_listed_after_the_others() -> None:
    sunday_noon = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    offers = TEST_LINES.offers({"race"}, "england", sunday_noon)
    assert [offer.helpline.id for offer in offers] == [
        "emergency",
        "police",
        "office_line",
        "evening_line",
    ]
    assert _status_of("Office line", _say(offers, sunday_noon)) == (
        "Closed now. Opens tomorrow at 09:00."
    )


def test_christmas_day_is_an_ordinary_friday_unless_the_data_says_so() -> None:
    christmas_noon = datetime(2026, 12, 25, 12, 0, tzinfo=UTC)
    offers = TEST_LINES.offers(set(), "scotland", christmas_noon)
    assert _status_of("Evening line", _say(offers, christmas_noon)) == "Open now, until 16:30."

    closing = LINES.replace(
        '      fri: "10:00-16:30"\n', '      fri: "10:00-16:30"\n    closed_on: [2026-12-25]\n'
    )
    offers = _directory(closing).offers(set(), "scotland", christmas_noon)
    said = _say(offers, christmas_noon)
    assert _status_of("Evening line", said) == "Closed now. Opens on Monday at 10:00."


def test_a_24_hour_line_closing_tomorrow_says_until_when() -> None:
    christmas_eve_late = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)
    closing = LINES.replace(
        "    hours: always\n", "    hours: always\n    closed_on: [2026-12-25]\n", 1
    )
    offers = _directory(closing).offers(set(), "scotland", christmas_eve_late)

    assert _status_of("Emergency", _say(offers, christmas_eve_late)) == "Open now, until 00:00."


def test_opening_hours_are_london_time_in_summer_and_in_winter() -> None:
    summer_half_past_four = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)  # 17:30 BST
    summer_half_past_eight = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 BST
    winter_half_past_four = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # 16:30 GMT
    for now, said in (
        (summer_half_past_four, "Closed now. Opens tomorrow at 09:00."),
        (summer_half_past_eight, "Open now, until 17:00."),
        (winter_half_past_four, "Open now, until 17:00."),
    ):
        text = _say(TEST_LINES.offers({"race"}, "england", now), now)
        assert _status_of("Office line", text) == said, now


def test_now_must_know_its_timezone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TEST_LINES.offers(set(), "england", datetime(2026, 11, 24, 19, 0))  # noqa: DTZ001


# -- the real directory ----------------------------------------------------------------


def test_antisemitism_in_scotland_at_11pm_on_a_sunday() -> None:
    sunday_11pm = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    offers = REAL_LINES.offers({"antisemitism"}, "scotland", sunday_11pm)
    assert _statuses(offers) == [
        ("police_emergency", Status.ALWAYS),
        ("cst", Status.ALWAYS),
        ("cst_north_scotland", Status.UNKNOWN),
        ("stop_hate_uk", Status.VARIES),
        ("police_scotland", Status.UNKNOWN),
        ("samaritans", Status.ALWAYS),
        ("victim_support_scotland", Status.UNKNOWN),
    ]
    text = _say(offers, sunday_11pm)
    assert "CST (Community Security Trust)\n" in text
    assert "Call: 0800 032 3263\nEmail: incidents@cst.org.uk\nOpen 24 hours." in text
    assert "Call: 999, 112" in text
    assert "Police Scotland\nReport a hate crime to the police in Scotland.\nCall: 101" in text
    assert "Opening hours vary by area.\nThe phone line is open 24 hours only in areas" in text
    assert "Samaritans\n" in text
    assert "True Vision" not in text
    assert "Galop" not in text


def test_anti_muslim_hate_never_gets_tell_mama_alone() -> None:
    now = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    for nation in ("england", "wales", "scotland", "northern_ireland", "unknown"):
        offered = [offer.helpline for offer in REAL_LINES.offers({"anti_muslim"}, nation, now)]
        ids = [line.id for line in offered]
        assert "tell_mama" in ids, nation
        assert "stop_hate_uk" in ids, nation
        assert any("police_report" in line.covers for line in offered), nation


def test_lines_for_one_part_of_the_uk_say_so_when_the_part_is_not_known() -> None:
    now = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    offers = REAL_LINES.offers(set(), "unknown", now)
    text = _say(offers, now, nation_known=False)
    assert "True Vision" in text
    assert "Police Scotland" in text
    assert "Only in: Scotland" in text
    assert "Only in: England, Wales, Northern Ireland" in text


def test_several_kinds_of_hate_bring_the_lines_for_each() -> None:
    now = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    offers = REAL_LINES.offers({"antisemitism", "sexual_orientation"}, "england", now)
    ids = [offer.helpline.id for offer in offers]
    assert ids[:3] == ["police_emergency", "cst", "galop"]
    assert "police_scotland" not in ids
    assert "cst_north_scotland" not in ids, "CST's northern line is offered only in Scotland"


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("race", {"race"}),
        (["race", "religion", "made_up"], {"race", "religion"}),
        (None, set()),
        ("other", set()),
    ],
)
def test_about_values(value: object, kinds: set[str]) -> None:
    assert read_about(value) == kinds


def test_an_unknown_nation_is_read_as_not_known(caplog: pytest.LogCaptureFixture) -> None:
    assert read_nation("scotland") == "scotland"
    assert read_nation("Ireland") == "unknown"
    assert "Ireland" not in caplog.text, "parameters are never logged"


# -- the action -----------------------------------------------------------------------


def _contact(language: str | None) -> ContactRecord:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return ContactRecord(id=1, chat_id=1, language=language, created_at=at, last_seen_at=at)


def _request(**params: str) -> ActionRequested:
    return ActionRequested("find_helplines", params, "helplines", "find", "1:helplines:find")


def _polish(locales: Path) -> Path:
    """A Polish catalog, as `.po` and `.mo`: whichever `translator_for` reads."""
    catalog = Catalog(locale="pl")
    catalog.add("Open 24 hours.", "Otwarte całą dobę.")
    catalog.add(
        "Someone to listen, whatever you are going through. Calls are free.",
        "Ktoś, kto wysłucha.",
    )
    catalog.add("Call: {phone}", "Zadzwoń: {numer}")  # a broken placeholder: English is used
    target = locales / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{DOMAIN}.po").open("wb") as file:
        write_po(file, catalog)
    with (target / f"{DOMAIN}.mo").open("wb") as file:
        write_mo(file, catalog)
    return locales


async def test_find_helplines_through_the_registry(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    sunday_11pm = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    finder = HelplineFinder(lambda: REAL_LINES, FixedClock(sunday_11pm), _polish(tmp_path))
    registry = builtin_actions(ContactRepository(sessionmaker), helplines=finder)
    request = _request(about="antisemitism", nation="scotland")

    english = await registry.run(ActionContext(_contact(None), request, RecordingSender()))
    polish = await registry.run(ActionContext(_contact("pl"), request, RecordingSender()))

    assert english.ok
    assert english.values["helplines"] == _say(
        REAL_LINES.offers({"antisemitism"}, "scotland", sunday_11pm), sunday_11pm
    )
    samaritans = str(polish.values["helplines"]).split("\n\n")[5]
    assert samaritans.splitlines() == [
        "Samaritans",
        "Ktoś, kto wysłucha.",
        "Call: 116 123",
        "Email: jo@samaritans.org",
        "Otwarte całą dobę.",
    ]


async def test_find_helplines_fails_without_a_directory(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))
    finder = HelplineFinder(HelplineDirectory, clock, Path("locales"))
    registry = builtin_actions(ContactRepository(sessionmaker), helplines=finder)
    with caplog.at_level(logging.ERROR):
        result = await registry.run(
            ActionContext(_contact(None), _request(about="race", nation="wales"), RecordingSender())
        )
    assert not result.ok, "the flow's on_error then lists the lines that are always there"
    assert "no helpline fits" in caplog.text


# -- loading and reloading with the flows ----------------------------------------------

HOME = "spec: 1\nflow: home\nhome: true\nsteps:\n  - id: hi\n    end: Hi\n"


def test_the_directory_reloads_with_the_flows_and_only_when_it_checks_out(tmp_path: Path) -> None:
    (tmp_path / "home.yaml").write_text(HOME)
    (tmp_path / "data").mkdir()
    directory = tmp_path / "data" / "helplines.yaml"
    directory.write_text(LINES)
    library = FlowLibrary(tmp_path, ())
    assert [line.id for line in library.helplines.entries] == [
        "emergency",
        "evening_line",
        "office_line",
        "police",
    ]

    directory.write_text(LINES.replace("id: police", "id: police_line"))
    library.reload()
    assert library.helplines.entries[-1].id == "police_line"

    directory.write_text(LINES.replace('phone: "101"', 'phone: "1011"'))
    problems = library.reload()
    assert [p.message for p in problems if p.is_error] == [
        "helpline 'police': 'phone': '1011' is not a UK short number this directory knows "
        "(999, 112, 101, 111, 116 123, 18000, 18001 101)"
    ]
    assert library.helplines.entries[-1].id == "police_line", "the running directory stays"


def test_a_folder_without_a_directory_offers_no_helplines(tmp_path: Path) -> None:
    (tmp_path / "home.yaml").write_text(HOME)
    assert len(FlowLibrary(tmp_path, ()).helplines) == 0


def _real_finder_at_weekday_noon() -> HelplineFinder:
    weekday_noon = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    return HelplineFinder(lambda: REAL_LINES, FixedClock(weekday_noon), Path("locales"))


@pytest.mark.parametrize(
    ("wanted", "offered"),
    [
        (["rights_advice"], {"Citizens Advice (England)", "Equality Advisory Support Service"}),
        (["safety_advice"], {"Hope not Hate", "Tactical Tech"}),
        (["asylum"], {"Migrant Help"}),
        (["anonymous_reporting"], {"Crimestoppers"}),
        (["safety_advice", "rights_advice", "none"], {"Hope not Hate", "Netpol"}),
    ],
)
def test_the_help_someone_asks_for_brings_its_lines(wanted: list[str], offered: set[str]) -> None:
    finder = _real_finder_at_weekday_noon()

    asked = finder.find(["race"], "england", None, wanted)
    plain = finder.find(["race"], "england", None)

    assert asked is not None
    assert plain is not None
    assert all(name in asked for name in offered)
    assert not any(name in plain for name in offered)


def test_abuse_online_in_what_happened_brings_online_abuse_help() -> None:
    """The report's "what happened" answers: "online_abuse" is a covers value, the others
    ("threats") are not and change nothing."""
    finder = _real_finder_at_weekday_noon()

    online = finder.find(["race"], "wales", None, what=["threats", "online_abuse"])
    offline = finder.find(["race"], "wales", None, what=["threats"])

    assert online is not None
    assert offline is not None
    assert "Report Harmful Content" in online
    assert "Report Harmful Content" not in offline
    assert offline == finder.find(["race"], "wales", None)


def test_being_a_refugee_brings_migrant_help_with_its_doubt() -> None:
    finder = _real_finder_at_weekday_noon()
    found = finder.find(["asylum"], "scotland", None)
    assert found is not None
    assert "Migrant Help" in found
    assert "could not confirm" in found, "an unverified number is shown with its doubt"
