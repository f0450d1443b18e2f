"""The engine's "I don't know that command" points to commands the shipped flows have."""

from __future__ import annotations

import re
from pathlib import Path

from bot.engine import texts
from bot.engine.triggers import match_trigger
from bot.flowdef import load_flows
from bot.services.actions import ACTION_NAMES

FLOWS = Path(__file__).resolve().parents[1] / "flows"


def test_every_command_the_notice_names_opens_a_flow() -> None:
    flows = load_flows(FLOWS, known_actions=ACTION_NAMES).flows
    assert flows is not None
    named = re.findall(r"/[a-z_]+", texts.UNKNOWN_COMMAND)
    assert named == ["/help", "/menu"]

    opened = {command: match_trigger(flows, command) for command in named}

    assert {command: found and found.flow for command, found in opened.items()} == {
        "/help": "help",
        "/menu": "menu",
    }
