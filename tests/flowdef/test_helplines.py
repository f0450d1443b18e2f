"""The helpline directory (`data/helplines.yaml`): what the checker says, and where."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import shortnumberinfo
from typer.testing import CliRunner

from bot.cli import flows as flows_cli
from bot.engine.runner import LOCAL_TIME
from bot.flowdef import load_flows
from bot.flowdef.helplines import read_helplines_text
from bot.flowdef.helplines_hours import HoursKind, OpeningHours, parse_days, parse_times
from bot.flowdef.helplines_model import COVERS, NATIONS
from bot.flowdef.helplines_phones import SHORT_NUMBERS, phone_problem
from bot.flowdef.problems import Found

FIXTURES = Path(__file__).parent / "fixtures" / "helplines"
REAL = Path(__file__).resolve().parents[2] / "flows" / "data" / "helplines.yaml"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "flows.md"
TODAY = date(2026, 12, 2)
# The real directory is read on the real day: its dates are days someone really checked.
REAL_TODAY = datetime.now(LOCAL_TIME).date()
ENTRY = """\
spec: 1
helplines:
  - id: line
    name: A line
    description: Helps.
    covers: [any_hate]
    phone: "0800 138 1625"
    nations: [england]
    confidence: H
    source: A test
    last_checked: 2026-11-01
"""

runner = CliRunner()


def _messages(text: str, today: date = TODAY) -> list[str]:
    found = Found("helplines.yaml")
    read_helplines_text(text, found, today)
    return [str(problem) for problem in found.problems]


def _with(*lines: str, drop: str | None = None) -> str:
    """`ENTRY` without the key `drop`, plus `lines` (indented as the entry's keys)."""
    kept = [
        line for line in ENTRY.splitlines() if drop is None or not line.strip().startswith(drop)
    ]
    return "\n".join([*kept, *(f"    {line}" for line in lines)]) + "\n"


def test_the_broken_directory_lists_every_problem_with_its_line() -> None:
    directory = FIXTURES / "broken"
    result = load_flows(directory, known_actions=(), today=TODAY)
    assert [str(problem).removeprefix(f"{directory}/") for problem in result.problems] == [
        "data/helplines.yaml:8: helpline 'bad_number': 'phone': '0800 138 16255' is not a valid "
        "UK phone number: check the digits",
        "data/helplines.yaml:22: notice: helpline 'stale': last checked on 2025-01-01, over six "
        "months ago: check it with its source, then update 'last_checked'",
        "data/helplines.yaml:27: helpline 'unknown_words': 'covers' has unknown value "
        "'antisemitsm' (did you mean 'antisemitism'?)",
        "data/helplines.yaml:29: helpline 'unknown_words': 'nations' has unknown value "
        "'ireland' (did you mean 'northern_ireland'?)",
        "data/helplines.yaml:41: helpline 'bad_hours': '10:00 to 16:30' is not a time range: "
        'write times like "10:00-20:30" (24-hour clock); several: "09:00-12:00, 13:00-17:00"',
        "data/helplines.yaml:42: helpline 'bad_hours': 'sunday' is not a day or days: use mon, "
        "tue, wed, thu, fri, sat, sun, daily or mon-fri",
        "data/helplines.yaml:43: helpline 'bad_hours': 'thu' repeats a day already given by "
        "'mon-thu'",
        "data/helplines.yaml:49: helpline 'stale': the id is used twice (first on line 14)",
        "data/helplines.yaml:59: helpline 'doubtful': 'source' is required",
        "data/helplines.yaml:65: warning: helpline 'doubtful': an entry marked M needs a 'note' "
        "that tells people what to check (such as the number) before they rely on it",
        "data/helplines.yaml:66: helpline 'doubtful': 'last_checked' is in the future (2026-12-25)",
    ]
    assert result.flows is None, "an error in the directory stops the flows loading too"
    assert [entry.id for entry in result.helplines or ()] == ["stale", "stale"]


def test_a_folder_without_a_directory_has_no_helplines() -> None:
    result = load_flows(FIXTURES.parent / "good", known_actions={"submit_report"})
    assert result.flows is not None
    assert result.helplines is None


def test_looking_helplines_up_without_a_directory_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "home.yaml").write_text(
        "spec: 1\nflow: home\nhome: true\nsteps:\n"
        "  - id: find\n    action: find_helplines\n    on_error: sorry\n"
        "  - id: sorry\n    end: Sorry.\n",
        encoding="utf-8",
    )

    result = load_flows(tmp_path, known_actions={"find_helplines"})

    assert result.flows is not None  # still loads: people get the fallback
    assert [str(problem) for problem in result.problems] == [
        f"{tmp_path}/home.yaml:6: step 'find': warning: there is no helpline directory "
        f"({tmp_path}/data/helplines.yaml), so 'find_helplines' always fails here"
    ]


def test_a_stale_entry_is_a_notice_even_strict_checks_pass() -> None:
    outcome = runner.invoke(flows_cli.app, ["check", str(FIXTURES / "stale"), "--strict"])
    lines = outcome.stdout.splitlines()
    assert outcome.exit_code == 0
    assert lines[0].startswith(
        f"{FIXTURES}/stale/data/helplines.yaml:12: notice: helpline 'samaritans': "
        "last checked on 2025-01-01"
    )
    assert lines[1:] == ["1 flow and 1 helpline OK, 1 notice"]


def test_json_output_counts_helplines_and_names_notices() -> None:
    outcome = runner.invoke(flows_cli.app, ["check", str(FIXTURES / "stale"), "--format", "json"])
    report = json.loads(outcome.stdout)
    assert (report["ok"], report["flows"], report["helplines"]) == (True, 1, 1)
    assert [(p["line"], p["severity"], p["code"]) for p in report["problems"]] == [
        (12, "notice", "stale_helpline")
    ]


def test_the_summary_counts_notices_after_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flows_cli, "known_actions", frozenset)
    outcome = runner.invoke(flows_cli.app, ["check", str(FIXTURES / "broken")])
    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines()[-1] == (
        "9 errors, 1 warning, 1 notice in 1 flow and 2 helplines"
    )


def test_the_real_directory_has_no_errors_or_warnings() -> None:
    found = Found(str(REAL))
    entries = read_helplines_text(REAL.read_text(encoding="utf-8"), found, REAL_TODAY)
    assert [str(p) for p in found.problems if p.severity != "notice"] == []
    assert len(entries) == REAL.read_text(encoding="utf-8").count("\n  - id: ")


def test_every_number_in_the_real_directory_parses() -> None:
    found = Found(str(REAL))
    entries = read_helplines_text(REAL.read_text(encoding="utf-8"), found, REAL_TODAY)
    numbers = [n for entry in entries for n in (*entry.phone, *entry.text, *entry.textphone)]
    assert len(numbers) > 20
    for number in numbers:
        digits = number.replace(" ", "")
        if digits in SHORT_NUMBERS:
            continue
        parsed = phonenumbers.parse(number, "GB")
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == "GB", number


def test_the_real_directory_carries_its_doubts() -> None:
    found = Found(str(REAL))
    entries = {e.id: e for e in read_helplines_text(REAL.read_text(), found, REAL_TODAY)}
    assert all(entry.note for entry in entries.values() if entry.confidence != "H")
    assert entries["tell_mama"].confidence == "M"
    assert entries["galop"].hours.kind is HoursKind.UNKNOWN, "hours seen in 2023 are unverified"
    assert entries["stop_hate_uk"].hours.kind is HoursKind.VARIES
    assert entries["true_vision"].nations == {"england", "wales", "northern_ireland"}


def test_the_short_numbers_are_ones_libphonenumber_knows() -> None:
    for digits in SHORT_NUMBERS.keys() - {"18001101"}:  # a relay prefix, then 101
        parsed = phonenumbers.parse(digits, "GB")
        assert shortnumberinfo.is_valid_short_number_for_region(parsed, "GB"), digits


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("0800 138 1625", None),
        ("+44 800 138 1625", None),
        ("116 123", None),
        ("18001 101", None),
        ("9999", "'9999' is not a UK short number this directory knows (999, 112, 101, 111, "
         "116 123, 18000, 18001 101)"),
        ("+33 1 42 68 53 00", "'+33 1 42 68 53 00' is not a UK phone number"),
        ("0800-138-1625", "'0800-138-1625' is not a phone number: use digits and spaces, "
         "like 0800 138 1625"),
    ],
)  # fmt: skip
def test_phone_numbers(number: str, problem: str | None) -> None:
    assert phone_problem(number) == problem


def test_every_word_of_the_vocabularies_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert [word for word in (*COVERS, *NATIONS) if f"`{word}`" not in docs] == []


@pytest.mark.parametrize(
    ("lines", "drop", "message"),
    [
        (("phones: '0800 138 1625'",), None, "unknown key 'phones' (did you mean 'phone'?)"),
        ((), "covers", "'covers' is required"),
        (("covers: any_hate",), "covers", "'covers' must be a list, like [a, b]"),
        (("covers: []",), "covers", "'covers' is empty: leave it out or list something"),
        ((), "phone", "give at least one way to reach it: phone, text, textphone, web or email"),
        (("web: www.example.org",), None, "'web' must be a web address starting with https://"),
        (("email: help(at)example.org",), None, "'email' must be an email address like "
         "help@example.org"),
        (("bsl: yes",), None, "'bsl' must be true (offered; see their website) or a web "
         "address starting with https://"),
        (("languages: [English]",), None, "'English' in 'languages' must be a language code "
         "like en or cy"),
        (("note: Call {them}",), None, "'note' can't hold '{' or '}'"),
        (("confidence: high",), "confidence", "'confidence' must be H (checked), M (needs "
         "checking) or U (unverified)"),
        (("last_checked: 01/11/2026",), "last_checked", "'01/11/2026' is not a date: write it "
         "like 2025-01-31"),
        (("closed_on: [2026-02-30]",), None, "'2026-02-30' is not a date: write it like "
         "2025-01-31"),
        (("hours: sometimes",), None, "'hours' must be always, varies, unknown, or days with "
         "times such as mon-fri: \"09:00-17:00\""),
        (("hours:", "  mon: 10",), None, "the times for 'mon' must be in quotes, like "
         "\"09:00-17:00\""),
    ],
)  # fmt: skip
def test_entry_problems(lines: tuple[str, ...], drop: str | None, message: str) -> None:
    problems = _messages(_with(*lines, drop=drop))
    assert len(problems) == 1, problems
    assert problems[0].split(": ", 2)[2] == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "helplines.yaml:1: the helpline directory must start with 'spec: 1' then "
         "'helplines:'"),
        ("helplines: []\n", "helplines.yaml:1: 'spec' is required: write 'spec: 1' at the top"),
        ("spec: 2\nhelplines: []\n", "helplines.yaml:1: written for a newer version of Standby "
         "(spec 2): update Standby"),
        ("spec: 1\n", "helplines.yaml:1: 'helplines' is required: a list of entries, each "
         "starting with '- id:'"),
        ("spec: 1\nhelplines: []\n", "helplines.yaml:2: warning: the directory lists no "
         "helplines"),
        ("spec: 1\nhelpline: []\n", "helplines.yaml:2: unknown key 'helpline' (did you mean "
         "'helplines'?)"),
        ("spec: 1\nhelplines:\n  - samaritans\n", "helplines.yaml:3: each helpline must be a set "
         "of 'key: value' lines, starting with '- id:'"),
    ],
)  # fmt: skip
def test_file_problems(text: str, message: str) -> None:
    assert _messages(text)[0] == message


def test_a_phone_number_written_as_a_number_is_read_as_digits() -> None:
    found = Found("helplines.yaml")
    text = _with("phone: 101", drop="phone")
    (entry,) = read_helplines_text(text, found, TODAY)
    assert (entry.phone, found.problems) == (("101",), [])


def test_an_id_that_is_not_a_name() -> None:
    assert _messages(ENTRY.replace("- id: line", "- id: Line 1")) == [
        "helplines.yaml:3: helpline 'Line 1': 'id' must be a name: use a-z, 0-9 and _, start "
        "with a letter, at most 48 characters"
    ]


def test_a_long_note_is_a_warning() -> None:
    problems = _messages(_with("note: " + "Long. " * 60))
    assert problems == [
        "helplines.yaml:12: warning: helpline 'line': 'note' is long (359 characters): keep it "
        "under 300"
    ]


# -- opening hours -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("mon", [0]),
        ("mon-fri", [0, 1, 2, 3, 4]),
        ("fri-mon", [4, 5, 6, 0]),
        ("daily", list(range(7))),
    ],
)
def test_days(key: str, days: list[int]) -> None:
    assert parse_days(key) == days


@pytest.mark.parametrize(
    ("times", "problem"),
    [
        ("24:00-01:00", "'24:00-01:00': a time goes from 00:00 to 24:00, and 24:00 only ends a "
         "range"),
        ("10:00-10:00", "'10:00-10:00' opens and closes at the same time: for all day, use "
         "00:00-24:00"),
        ("9-5", "'9-5' is not a time range: write times like \"10:00-20:30\" (24-hour clock); "
         "several: \"09:00-12:00, 13:00-17:00\""),
    ],
)  # fmt: skip
def test_times_that_are_refused(times: str, problem: str) -> None:
    assert parse_times(times, 0) == problem


def _london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A London wall-clock time, naive as `OpeningHours` takes it."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def _weekly(spec: dict[str, str], closed_on: frozenset[date] = frozenset()) -> OpeningHours:
    ranges = []
    for key, times in spec.items():
        days = parse_days(key)
        assert isinstance(days, list)
        for day in days:
            parsed = parse_times(times, day)
            assert isinstance(parsed, list)
            ranges += parsed
    return OpeningHours(HoursKind.WEEKLY, tuple(ranges), closed_on)


def test_a_range_past_midnight_closes_the_next_morning() -> None:
    hours = _weekly({"fri": "22:00-02:00"})
    saturday_1am = _london(2026, 11, 28, 1, 0)
    assert hours.open_until(saturday_1am) == _london(2026, 11, 28, 2, 0)
    assert hours.is_open(_london(2026, 11, 28, 2, 0)) is False
    assert hours.next_opening(saturday_1am) == _london(2026, 12, 4, 22, 0)


def test_ranges_that_touch_count_as_one_opening() -> None:
    hours = _weekly({"mon": "09:00-12:00, 12:00-17:00", "tue": "00:00-24:00", "wed": "00:00-08:00"})
    assert hours.open_until(_london(2026, 11, 23, 10, 0)) == _london(2026, 11, 23, 17, 0)
    assert hours.open_until(_london(2026, 11, 24, 23, 0)) == _london(2026, 11, 25, 8, 0)


def test_a_closed_date_starts_no_opening() -> None:
    christmas = date(2026, 12, 25)
    hours = OpeningHours(HoursKind.ALWAYS, closed_on=frozenset({christmas}))
    assert hours.is_open(_london(2026, 12, 24, 23, 59)) is True
    assert hours.is_open(_london(2026, 12, 25, 12, 0)) is False
    assert hours.next_opening(_london(2026, 12, 25, 12, 0)) == _london(2026, 12, 26, 0, 0)


def test_unknown_and_varying_hours_are_never_called_open() -> None:
    noon = _london(2026, 11, 23, 12, 0)
    for kind in (HoursKind.UNKNOWN, HoursKind.VARIES):
        hours = OpeningHours(kind)
        assert (hours.is_open(noon), hours.next_opening(noon)) == (None, None)
