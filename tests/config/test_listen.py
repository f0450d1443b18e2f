"""Where the web server listens: local in polling mode, open with a webhook, as set when set;
a port in use says which, and what to set instead."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest

from bot.adapters.telegram.runtime import listen_problem
from bot.config import load_settings

WEBHOOK = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "s3cret"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


@pytest.mark.parametrize(
    ("values", "listen"),
    [
        ({}, ("127.0.0.1", 8080)),
        (WEBHOOK, ("0.0.0.0", 8080)),
        ({"WEBHOOK_LISTEN": "0.0.0.0:9000"}, ("0.0.0.0", 9000)),
        ({**WEBHOOK, "WEBHOOK_LISTEN": "127.0.0.1:8081"}, ("127.0.0.1", 8081)),
        ({"WEBHOOK_LISTEN": "[::1]:8080"}, ("::1", 8080)),
    ],
    ids=["polling", "webhook", "set-polling", "set-webhook", "ipv6"],
)
def test_the_mode_chooses_the_host_unless_it_is_set(
    values: dict[str, str], listen: tuple[str, int]
) -> None:
    assert load_settings(**values).listen == listen


def test_a_port_in_use_names_it_and_suggests_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        in_use = OSError(errno.EADDRINUSE, "address already in use")
        message = listen_problem("127.0.0.1", port, in_use)
    assert message.startswith(
        f"setting WEBHOOK_LISTEN: port {port} on 127.0.0.1 is in use by another program; "
        "choose another with WEBHOOK_LISTEN=127.0.0.1:"
    )
    suggested = int(message.rpartition(":")[2])
    assert suggested > port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", suggested))  # free, as suggested


def test_other_listening_problems_say_what_the_system_said() -> None:
    refused = OSError(errno.EADDRNOTAVAIL, "cannot assign requested address")
    assert listen_problem("10.9.9.9", 8080, refused) == (
        "setting WEBHOOK_LISTEN is wrong: cannot listen on 10.9.9.9:8080 "
        "(cannot assign requested address)"
    )
