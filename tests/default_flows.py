"""The default flows in flows/, loaded as Standby loads them, for tests that walk them."""

from __future__ import annotations

from pathlib import Path

from bot.engine import Flows
from bot.flowdef import load_flows
from bot.services.actions import ACTION_NAMES

FLOWS_DIR = Path(__file__).resolve().parents[1] / "flows"
# The first words of the emergency flow, wherever it is reached from.
CALL_999 = "If you or someone else is in danger right now, call 999."


def load_default_flows() -> Flows:
    result = load_flows(FLOWS_DIR, known_actions=ACTION_NAMES)
    assert result.flows is not None, [str(problem) for problem in result.problems]
    return result.flows
