"""`standby broadcast send|status|cancel|approve|correct|retract|deliver`, `standby admins`
and `standby audit`, on both databases: what the operator sees, the exit codes, what is
stored and the audit trail. Delivery is done here by an engine with a fake channel (the
bot processes do it for real)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.services.clock import FixedClock
from bot.storage import make_engine, make_sessionmaker
from bot.storage.audit import AuditLog, AuditRecord
from bot.storage.broadcasts import BroadcastRecord, BroadcastRepository, Outcome
from tests.services.broadcast_fakes import (
    FLOWS,
    LOCALES,
    FakeChannel,
    deliveries,
    drain,
    engine_for,
    subscribe,
)

T = TypeVar("T")
Maker = async_sessionmaker[AsyncSession]
runner = CliRunner()
READERS = {
    101: ("en", "rotherham"),
    102: ("pl", "rotherham"),
    103: ("ar", "yorkshire_and_the_humber"),
    200: ("en", "cardiff"),
}
GATHERING = [
    "--area",
    "rotherham",
    "--template",
    "gathering_announced",
    "--set",
    "place=Clifton Park",
    "--set",
    "day=14/12/2026",
    "--set",
    "time=14:00",
]
FREE_TEXT = ["--area", "rotherham", "--text", "Avoid the town centre today."]
SETTINGS: tuple[str, ...] = (
    "DATABASE_URL",
    "ADMIN_IDS",
    "BOT_TOKEN",
    "REDIS_URL",
    "BROADCAST_RATE",
)
SETTINGS += ("BROADCAST_PAID", "BROADCAST_APPROVALS")


class Cli:
    """Runs `standby` on one database as a terminal user, and looks into that database."""

    def __init__(self, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.url = url
        self.monkeypatch = monkeypatch
        self.login("ana")

    def login(self, name: str) -> None:
        """Who runs the next commands (getpass.getuser reads LOGNAME first)."""
        self.monkeypatch.setenv("LOGNAME", name)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return runner.invoke(app, [*args, "--db", self.url], input=input)

    def broadcast(self, *args: str, input: str | None = None) -> Result:
        return self(
            "broadcast", *args, *([] if input is not None else ["--yes"]), "--no-wait", input=input
        )

    def look(self, work: Callable[[Maker], Awaitable[T]]) -> T:
        async def run() -> T:
            engine = make_engine(self.url)
            try:
                return await work(make_sessionmaker(engine))
            finally:
                await engine.dispose()

        return asyncio.run(run())

    def subscribers(self) -> None:
        self.look(lambda maker: subscribe(maker, READERS))

    def records(self) -> list[BroadcastRecord]:
        return self.look(lambda maker: BroadcastRepository(maker).with_status())

    def record(self, broadcast_id: int) -> BroadcastRecord:
        found = self.look(lambda maker: BroadcastRepository(maker).get(broadcast_id))
        assert found is not None
        return found

    def newest(self) -> int:
        """The number of the broadcast made last (PostgreSQL never reuses one)."""
        return self.records()[0].id

    def audit(self) -> list[AuditRecord]:
        return self.look(lambda maker: AuditLog(maker).entries())

    def actions(self) -> list[tuple[str, str, int | None, int | None]]:
        return [(e.actor, e.action, e.broadcast_id, e.count) for e in self.audit()]

    def deliver(self, channel: FakeChannel | None = None) -> FakeChannel:
        """What the bot processes would do: send every broadcast being sent."""
        clock = FixedClock(datetime.now(UTC))
        used = channel or FakeChannel(clock)

        async def work(maker: Maker) -> None:
            await drain(engine_for(maker, used, clock))

        self.look(work)
        return used


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    monkeypatch.setenv("LOCALES_DIR", str(LOCALES))
    monkeypatch.setenv("COLUMNS", "250")  # rich tables unabridged
    return Cli(database_url, monkeypatch)


def one_problem(result: Result) -> str:
    """The single line a refused command prints (exit 2)."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("standby: ")
    return lines[0].removeprefix("standby: ")


# --- send --------------------------------------------------------------------------------


def test_send_previews_each_language_and_starts_the_alert(cli: Cli) -> None:
    cli.subscribers()

    result = cli.broadcast("send", *GATHERING)

    assert result.exit_code == 0, result.output
    assert "en · 1 person" in result.stdout
    assert "pl · 1 person" in result.stdout
    assert "ar · 1 person" in result.stdout
    assert "Monday, 14 December 2026, from 14:00" in result.stdout
    assert "poniedziałek, 14 grudnia 2026" in result.stdout
    (record,) = cli.records()
    assert (record.status, record.total, record.created_by) == ("sending", 3, "cli:ana")
    assert record.content["fields"] == {
        "place": "Clifton Park",
        "day": "2026-12-14",
        "time": "14:00",
    }
    assert cli.actions() == [
        ("cli:ana", "alert_submitted", record.id, None),
        ("cli:ana", "alert_started", record.id, 3),
    ]
    assert cli.audit()[0].detail == "template gathering_announced; areas rotherham; all languages"


def test_send_free_text_with_translations_and_chosen_languages(cli: Cli) -> None:
    cli.subscribers()

    result = cli.broadcast(
        "send",
        *FREE_TEXT,
        "--translation",
        "pl=Omijaj dziś centrum.",
        "--language",
        "pl",
        "--language",
        "en",
        "--expires",
        "14/12/2099 18:00",
    )

    assert result.exit_code == 0, result.output
    assert "Omijaj dziś centrum." in result.stdout
    assert "ar ·" not in result.stdout
    (record,) = cli.records()
    assert record.languages == ["en", "pl"]
    assert record.total == 2
    assert record.expires_at == datetime(2099, 12, 14, 18, 0, tzinfo=UTC)  # GMT in December
    assert record.content["texts"] == {
        "en": "Avoid the town centre today.",
        "pl": "Omijaj dziś centrum.",
    }


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ["--area", "nowhere", "--text", "hi"],
            "unknown area(s): nowhere (see flows/data/areas.yaml)",
        ),
        (
            ["--area", "rotherham", "--template", "nope"],
            "there is no alert template 'nope' in flows/data/alerts.yaml",
        ),
        (
            ["--area", "rotherham", "--template", "disorder"],
            "template disorder needs --set place=… (Where is the disorder? (a street, square "
            "or landmark))",
        ),
        (
            [*GATHERING[:6], "--set", "day=someday", "--set", "time=14:00"],
            "--set day: Please type a date like 14/12/2026.",
        ),
        (
            [*GATHERING, "--set", "colour=red"],
            "template gathering_announced has no blank named colour",
        ),
        (
            ["--area", "rotherham", "--template", "disorder", "--set", "place"],
            "--set takes name=value, got 'place'",
        ),
        (["--area", "rotherham"], "give either --template (with --set) or --text"),
        (
            ["--area", "rotherham", "--text", "hi", "--template", "disorder"],
            "give either --template (with --set) or --text",
        ),
        (
            [*FREE_TEXT, "--expires", "tomorrow"],
            "--expires: Please type a day and a time like 14/12/2026 18:00.",
        ),
        (
            [*FREE_TEXT, "--expires", "01/01/2020 10:00"],
            "--expires: That moment has passed. Please type one in the future.",
        ),
        (
            [*FREE_TEXT, "--language", "xx"],
            "--language xx: Standby speaks ar, bn, en, fa, pl, so, tr, ur",
        ),
        (
            [*FREE_TEXT, "--translation", "de=Hallo"],
            "--translation de: Standby speaks ar, bn, en, fa, pl, so, tr, ur",
        ),
        ([*FREE_TEXT, "--translation", "pl= "], "the pl text should be 1 to 3500 characters"),
        (
            ["--area", "rotherham", "--text", "x" * 3501],
            "the en text should be 1 to 3500 characters",
        ),
    ],
)
def test_send_refuses_bad_input_in_one_line_and_stores_nothing(
    cli: Cli, args: list[str], problem: str
) -> None:
    cli.subscribers()

    result = cli.broadcast("send", *args)

    assert one_problem(result) == problem
    assert cli.records() == []
    assert cli.audit() == []


def test_send_to_nobody_is_refused_and_the_draft_cancelled(cli: Cli) -> None:
    cli.subscribers()

    result = cli.broadcast("send", "--area", "glasgow", "--text", "hi")

    assert one_problem(result) == (
        "nobody would receive it: no reachable subscriber in those areas and languages"
    )
    assert [r.status for r in cli.records()] == ["cancelled"]


def test_send_asks_first_and_a_no_sends_nothing(cli: Cli) -> None:
    cli.subscribers()

    result = cli.broadcast("send", *FREE_TEXT, input="n\n")

    assert f"Send broadcast #{cli.newest()} to 3 people?" in result.stdout
    assert one_problem(result) == "not sent"
    assert [r.status for r in cli.records()] == ["cancelled"]
    assert [entry.action for entry in cli.audit()] == ["broadcast_cancelled"]


def test_send_asks_first_and_a_yes_sends(cli: Cli) -> None:
    cli.subscribers()

    result = cli.broadcast("send", *FREE_TEXT, input="y\n")

    assert result.exit_code == 0, result.output
    assert [r.status for r in cli.records()] == ["sending"]


def test_send_without_waiting_says_which_broadcast_was_started(cli: Cli) -> None:
    cli.subscribers()

    result = cli.broadcast("send", *FREE_TEXT)

    assert result.exit_code == 0, result.output
    assert f"#{cli.newest()}" in result.stdout


# --- status ------------------------------------------------------------------------------


def test_status_shows_the_counts_and_the_final_report_of_a_finished_broadcast(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *GATHERING)
    number = cli.newest()
    cli.deliver()

    one = cli("broadcast", "status", str(number))
    every = cli("broadcast", "status")

    assert one.exit_code == 0, one.output
    row = next(line for line in one.stdout.splitlines() if f"│ {number} " in line)
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells[1:3] == ["alert", "done"]
    assert cells[4:] == ["cli:ana", "3", "0", "0", "0", "3"]
    assert f"Broadcast #{number} finished." in one.stdout
    assert "Delivered: 3 of 3." in one.stdout
    assert "Nobody received it twice." in one.stdout
    assert every.exit_code == 0, every.output
    assert "done" in every.stdout
    assert "Delivered" not in every.stdout  # the list has no reports


def test_status_of_a_broadcast_being_sent_has_no_report_yet(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *FREE_TEXT)

    result = cli("broadcast", "status", str(cli.newest()))

    assert result.exit_code == 0, result.output
    assert "sending" in result.stdout
    assert "Delivered" not in result.stdout


def test_status_of_an_unknown_broadcast_is_one_line(cli: Cli) -> None:
    assert one_problem(cli("broadcast", "status", "999999")) == "there is no broadcast 999999"


# --- cancel ------------------------------------------------------------------------------


def test_cancel_stops_a_broadcast_and_is_audited(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *GATHERING)
    number = cli.newest()

    result = cli("broadcast", "cancel", str(number))
    again = cli("broadcast", "cancel", str(number))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Broadcast #{number} cancelled."
    assert cli.record(number).status == "cancelled"
    assert cli.actions()[-1] == ("cli:ana", "broadcast_cancelled", number, 3)
    assert again.exit_code == 1
    assert f"Broadcast #{number} is not running or waiting: nothing to cancel." in again.stdout
    assert cli.deliver().attempts == []  # nothing left to send
    shown = cli("broadcast", "status", str(number))
    assert f"Broadcast #{number} was cancelled." in shown.stdout
    assert "Not sent because it was cancelled: 3." in shown.stdout


def test_cancelling_an_unknown_broadcast_exits_1(cli: Cli) -> None:
    result = cli("broadcast", "cancel", "999999")

    assert result.exit_code == 1
    assert "nothing to cancel" in result.stdout
    assert cli.audit() == []


# --- approvals ---------------------------------------------------------------------------


@pytest.fixture
def two_approvals(cli: Cli) -> tuple[Cli, str]:
    """ana's alert, waiting for a second admin; with its number."""
    cli.monkeypatch.setenv("BROADCAST_APPROVALS", "2")
    cli.subscribers()
    sent = cli.broadcast("send", *FREE_TEXT)
    assert sent.exit_code == 0, sent.output
    number = cli.newest()
    assert (
        f"Broadcast #{number} waits for 1 more admin(s) to approve it: /approve {number} in "
        f"Telegram, or `standby broadcast approve {number}`." in sent.stdout
    )
    assert cli.record(number).status == "awaiting_approval"
    return cli, str(number)


def test_the_writer_cannot_approve_their_own_broadcast(two_approvals: tuple[Cli, str]) -> None:
    cli, number = two_approvals

    result = cli("broadcast", "approve", number, "--no-wait")

    assert f"You already agreed to broadcast #{number}: another admin must." in result.stdout
    assert cli.record(int(number)).status == "awaiting_approval"
    assert [a for _, a, _, _ in cli.actions()] == ["alert_submitted"]


def test_the_writers_refused_approval_exits_1(two_approvals: tuple[Cli, str]) -> None:
    cli, number = two_approvals

    result = cli("broadcast", "approve", number, "--no-wait")

    assert result.exit_code == 1


def test_another_admins_approval_starts_the_broadcast(two_approvals: tuple[Cli, str]) -> None:
    cli, number = two_approvals
    cli.login("ben")

    result = cli("broadcast", "approve", number, "--no-wait")
    again = cli("broadcast", "approve", number, "--no-wait")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Approved: broadcast #{number} is being sent."
    record = cli.record(int(number))
    assert (record.status, record.total) == ("sending", 3)
    assert cli.actions() == [
        ("cli:ana", "alert_submitted", record.id, None),
        ("cli:ben", "broadcast_approved", record.id, None),
        ("cli:ben", "alert_started", record.id, 3),
    ]
    assert again.exit_code == 1
    assert f"Broadcast #{number} is not waiting for approval." in again.stdout


def test_with_three_approvals_the_second_admin_is_not_enough(cli: Cli) -> None:
    cli.monkeypatch.setenv("BROADCAST_APPROVALS", "3")
    cli.subscribers()
    cli.broadcast("send", *FREE_TEXT)
    number = str(cli.newest())

    cli.login("ben")
    second = cli("broadcast", "approve", number, "--no-wait")
    cli.login("cy")
    third = cli("broadcast", "approve", number, "--no-wait")

    assert second.stdout.strip() == f"Approved: broadcast #{number} needs more approvals."
    assert third.stdout.strip() == f"Approved: broadcast #{number} is being sent."
    assert cli.record(int(number)).status == "sending"


def test_approving_an_unknown_broadcast_exits_1(cli: Cli) -> None:
    result = cli("broadcast", "approve", "999999", "--no-wait")

    assert result.exit_code == 1
    assert "Broadcast #999999 is not waiting for approval." in result.stdout


# --- corrections and retractions ---------------------------------------------------------


def test_a_correction_goes_to_those_who_received_the_alert(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *GATHERING)
    original = cli.newest()
    first = cli.deliver()

    result = cli.broadcast("correct", str(original), "--text", "It moved to Market Square.")
    second = cli.deliver()

    assert result.exit_code == 0, result.output
    for language in ("en", "pl", "ar"):
        assert f"{language} · 1 person" in result.stdout
    correction = cli.record(cli.newest())
    assert (correction.kind, correction.correction_of, correction.total) == (
        "correction",
        original,
        3,
    )
    received = cli.look(lambda maker: deliveries(maker, original))
    assert sorted(a.chat_id for a in second.sent) == sorted(a.chat_id for a in first.sent)
    assert {a.chat_id: a.reply_to for a in second.sent} == {
        chat: row.message_id for chat, row in received.items()
    }
    assert [a for _, a, b, _ in cli.actions() if b == correction.id] == [
        "correction_written",
        "correction_submitted",
        "correction_started",
        "broadcast_finished",
    ]


@pytest.mark.parametrize("command", ["correct", "retract"])
def test_following_up_an_alert_never_sent_is_one_line(cli: Cli, command: str) -> None:
    cli.monkeypatch.setenv("BROADCAST_APPROVALS", "2")
    cli.subscribers()
    cli.broadcast("send", *FREE_TEXT)  # awaiting approval: never sent
    waiting = cli.newest()
    extra = ["--text", "x"] if command == "correct" else []

    for number in (str(waiting), "999999"):
        result = cli.broadcast(command, number, *extra)
        assert one_problem(result) == f"broadcast #{number} is not an alert that was sent"
    assert cli.record(waiting).status == "awaiting_approval"


def test_a_retraction_with_a_note_is_sent_and_audited(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *FREE_TEXT)
    original = cli.newest()
    cli.deliver()

    result = cli.broadcast("retract", str(original), "--note", "It was a hoax.")
    channel = cli.deliver()

    assert result.exit_code == 0, result.output
    assert "It was a hoax." in result.stdout
    assert cli.record(original).status == "done"
    assert len(channel.sent) == 3
    assert all("It was a hoax." in a.text for a in channel.sent)
    assert ("cli:ana", "retraction_started", cli.newest(), 3) in cli.actions()


def _partly_sent(broadcast_id: int) -> Callable[[Maker], Awaitable[None]]:
    """One of the alert's deliveries sent, the others still to go (a bot is sending)."""

    async def work(maker: Maker) -> None:
        repository = BroadcastRepository(maker)
        now = datetime.now(UTC)
        (claimed, *_) = await repository.claim(broadcast_id, "bot:1:aa", now=now, limit=1)
        sent = [Outcome(claimed.contact_id, "sent", 77)]
        await repository.record(broadcast_id, "bot:1:aa", sent, now=now)

    return work


def test_declining_a_retraction_leaves_the_alert_being_sent(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *FREE_TEXT)
    original = cli.newest()
    cli.look(_partly_sent(original))

    result = cli.broadcast("retract", str(original), input="n\n")

    assert one_problem(result) == "not sent"
    assert cli.record(original).status == "sending"


# --- delivering --------------------------------------------------------------------------


def test_deliver_needs_the_bot_token(cli: Cli) -> None:
    result = runner.invoke(app, ["broadcast", "deliver"])

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "standby: setting BOT_TOKEN is missing: delivering needs the bot's token"
    )


def test_a_wrong_broadcast_setting_stops_every_command_in_one_line(cli: Cli) -> None:
    cli.monkeypatch.setenv("BROADCAST_APPROVALS", "0")

    result = cli("broadcast", "status")

    assert one_problem(result).startswith("setting BROADCAST_APPROVALS is '0': should be")


# --- admins and the audit log ------------------------------------------------------------


def test_admins_are_added_listed_and_removed_with_an_audit_trail(cli: Cli) -> None:
    cli.monkeypatch.setenv("ADMIN_IDS", "7001")

    added = cli("admins", "add", "42", "--role", "approver")
    again = cli("admins", "add", "42", "--role", "approver")
    sender = cli("admins", "add", "43")
    listed = cli("admins", "list")
    removed = cli("admins", "remove", "42")
    nothing = cli("admins", "remove", "42")

    assert added.exit_code == 0, added.output
    assert "tg:42 is now a" in added.stdout
    assert "tg:42 is already a" in again.stdout
    assert "tg:43 is now a sender." in sender.stdout
    lines = listed.stdout.splitlines()
    assert any("tg:7001" in line and "admin" in line and "ADMIN_IDS" in line for line in lines)
    assert any("tg:42" in line and "approver" in line and "cli:ana" in line for line in lines)
    assert any("tg:43" in line and "sender" in line for line in lines)
    assert removed.stdout.strip() == "1 role(s) taken from tg:42."
    assert nothing.exit_code == 1
    assert [(e.actor, e.action, e.detail) for e in cli.audit()] == [
        ("cli:ana", "role_granted", "approver to tg:42"),
        ("cli:ana", "role_granted", "sender to tg:43"),
        ("cli:ana", "role_revoked", "every role from tg:42"),
    ]


def test_adding_an_approver_reads_well(cli: Cli) -> None:
    result = cli("admins", "add", "42", "--role", "approver")

    assert result.stdout.strip() == "tg:42 is now an approver."


def test_an_unknown_role_is_refused(cli: Cli) -> None:
    result = cli("admins", "add", "42", "--role", "owner")

    assert result.exit_code == 2
    assert "should be one of admin, sender, approver" in result.output
    assert cli.audit() == []


def test_the_audit_command_lists_who_did_what(cli: Cli) -> None:
    cli.subscribers()
    cli.broadcast("send", *FREE_TEXT)
    number = str(cli.newest())
    cli("admins", "add", "42")
    cli.login("ben")
    cli("broadcast", "cancel", number)

    everything = cli("audit")
    one = cli("audit", "--broadcast", number)
    wrong = cli("audit", "--since", "yesterday")

    assert everything.exit_code == 0, everything.output
    assert everything.stdout.strip().endswith("4 entries.")
    for expected in ("alert_submitted", "alert_started", "role_granted", "broadcast_cancelled"):
        assert expected in everything.stdout
    assert "cli:ben" in everything.stdout
    assert one.stdout.strip().endswith("3 entries.")
    assert "role_granted" not in one.stdout
    assert wrong.exit_code == 2
    assert "should be a day like 2026-01-31" in wrong.output
