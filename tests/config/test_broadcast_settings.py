"""The broadcast settings: BROADCAST_RATE (with BROADCAST_PAID), BROADCAST_APPROVALS and
REDIS_URL. A wrong value stops Standby with one line naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import FREE_RATE, MAX_APPROVALS, PAID_RATE, SettingsError, load_settings

BROADCAST = ("BROADCAST_RATE", "BROADCAST_PAID", "BROADCAST_APPROVALS", "REDIS_URL")
RATE_RULE = (
    "setting BROADCAST_RATE is wrong: it should be messages per second, more than 0 and at "
    "most 30 (up to 1000 with BROADCAST_PAID=1); default 25"
)
PAID_RATE_RULE = (
    "setting BROADCAST_RATE is wrong: it should be messages per second, more than 0 and at "
    "most 1000; default 25"
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in BROADCAST:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


def wrong(monkeypatch: pytest.MonkeyPatch, **values: str) -> str:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_the_defaults_leave_room_for_conversations_and_need_no_redis() -> None:
    settings = load_settings()

    assert settings.BROADCAST_RATE == 25.0
    assert settings.BROADCAST_PAID is False
    assert settings.BROADCAST_APPROVALS == 1
    assert settings.REDIS_URL == ""
    assert (FREE_RATE, PAID_RATE, MAX_APPROVALS) == (30.0, 1000.0, 10)


# --- BROADCAST_RATE and BROADCAST_PAID ---------------------------------------------------


@pytest.mark.parametrize(("typed", "rate"), [("30", 30.0), ("0.5", 0.5), (" 12.5 ", 12.5)])
def test_a_free_rate_is_up_to_thirty_a_second(
    monkeypatch: pytest.MonkeyPatch, typed: str, rate: float
) -> None:
    monkeypatch.setenv("BROADCAST_RATE", typed)

    settings = load_settings()

    assert rate == settings.BROADCAST_RATE


@pytest.mark.parametrize("typed", ["0", "-5", "30.5", "31", "1000", "nan", "inf", "-inf"])
def test_a_free_rate_outside_zero_to_thirty_is_refused(
    monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    assert wrong(monkeypatch, BROADCAST_RATE=typed) == RATE_RULE


@pytest.mark.parametrize("typed", ["fast", "25/s", "", "1,5"])
def test_a_rate_that_is_not_a_number_is_named(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    assert wrong(monkeypatch, BROADCAST_RATE=typed) == (
        f"setting BROADCAST_RATE is {typed!r}: should be messages per second, a number such as 25"
    )


@pytest.mark.parametrize("paid", ["1", "true", "TRUE", "yes", "on", " 1 "])
def test_paid_broadcasts_allow_up_to_a_thousand_a_second(
    monkeypatch: pytest.MonkeyPatch, paid: str
) -> None:
    monkeypatch.setenv("BROADCAST_PAID", paid)
    monkeypatch.setenv("BROADCAST_RATE", "1000")

    settings = load_settings()

    assert settings.BROADCAST_PAID is True
    assert settings.BROADCAST_RATE == 1000.0


@pytest.mark.parametrize("unpaid", ["0", "false", "False", "no", "off", ""])
def test_unpaid_can_be_written_several_ways(monkeypatch: pytest.MonkeyPatch, unpaid: str) -> None:
    monkeypatch.setenv("BROADCAST_PAID", unpaid)

    assert load_settings().BROADCAST_PAID is False


def test_more_than_a_thousand_is_refused_even_when_paid(monkeypatch: pytest.MonkeyPatch) -> None:
    assert wrong(monkeypatch, BROADCAST_PAID="1", BROADCAST_RATE="1000.5") == PAID_RATE_RULE


def test_a_paid_rate_still_needs_to_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    assert wrong(monkeypatch, BROADCAST_PAID="1", BROADCAST_RATE="0") == PAID_RATE_RULE


@pytest.mark.parametrize("paid", ["maybe", "2", "paid", "y"])
def test_a_paid_switch_that_is_not_one_or_zero_is_named(
    monkeypatch: pytest.MonkeyPatch, paid: str
) -> None:
    assert wrong(monkeypatch, BROADCAST_PAID=paid) == (
        f"setting BROADCAST_PAID is {paid!r}: should be 1 (paid broadcasts, up to 1000 "
        "messages/s) or 0 (default)"
    )


# --- BROADCAST_APPROVALS -----------------------------------------------------------------


@pytest.mark.parametrize(("typed", "needed"), [("1", 1), ("2", 2), (" 3 ", 3), ("10", 10)])
def test_approvals_are_one_to_ten(monkeypatch: pytest.MonkeyPatch, typed: str, needed: int) -> None:
    monkeypatch.setenv("BROADCAST_APPROVALS", typed)

    settings = load_settings()

    assert needed == settings.BROADCAST_APPROVALS


@pytest.mark.parametrize("typed", ["0", "11", "-1", "two", "1.5", ""])
def test_approvals_outside_one_to_ten_are_named(
    monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    assert wrong(monkeypatch, BROADCAST_APPROVALS=typed) == (
        f"setting BROADCAST_APPROVALS is {typed!r}: should be how many admins must agree "
        "before an alert is sent, 1 to 10 (default 1: the admin who writes it)"
    )


# --- REDIS_URL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "redis://localhost:6379/0",
        "rediss://:secret@redis.example.org:6380/1",
        "unix:///run/redis/redis.sock",
        "",
    ],
)
def test_redis_urls_are_accepted_as_given(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("REDIS_URL", url)

    settings = load_settings()

    assert url == settings.REDIS_URL


@pytest.mark.parametrize(
    "url", ["redis-host:6379", "http://redis:6379", "redis:/x", "memcached://:hunter2@cache"]
)
def test_a_wrong_redis_url_is_named_but_never_echoed(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    message = wrong(monkeypatch, REDIS_URL=url)

    assert message == (
        "setting REDIS_URL is wrong: should look like redis://localhost:6379/0 (or empty: no Redis)"
    )
    assert url not in message  # it may hold a password


def test_the_broadcast_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "BROADCAST_RATE=500\nBROADCAST_PAID=1\nBROADCAST_APPROVALS=2\n"
        "REDIS_URL=redis://redis:6379/0\n"
    )

    settings = load_settings()

    assert (settings.BROADCAST_RATE, settings.BROADCAST_PAID) == (500.0, True)
    assert (settings.BROADCAST_APPROVALS, settings.REDIS_URL) == (2, "redis://redis:6379/0")
