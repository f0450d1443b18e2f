"""`quick_exit: true`: the flow the Leave now button under every menu runs."""

from __future__ import annotations

from bot.flowdef import load_flow_texts

ACTIONS = frozenset({"quick_exit"})
# A menu that loops forever: only the Leave now button gets out of it.
MENU = """spec: 1
flow: menu
home: true
steps:
  - id: choose
    ask: What would you like to do?
    choices:
      - label: About
        next: about
  - id: about
    say: We are here.
    next: choose
"""
EXIT = """spec: 1
flow: leave
quick_exit: true
steps:
  - id: erase
    action: quick_exit
    on_error: kept
  - id: done
    end: Done.
  - id: kept
    end: Some messages could not be deleted.
"""


def _problems(files: dict[str, str]) -> list[tuple[str, str]]:
    result = load_flow_texts(files, known_actions=ACTIONS)
    return [(problem.code, str(problem)) for problem in result.problems]


def test_the_quick_exit_flow_is_known_to_the_engine_and_is_reachable() -> None:
    result = load_flow_texts(
        {"flows/menu.yaml": MENU, "flows/leave.yaml": EXIT}, known_actions=ACTIONS
    )
    assert result.problems == []  # not "unreachable", though nothing calls it
    assert result.flows is not None
    assert result.flows.quick_exit == "leave"


def test_a_menu_is_a_way_out_when_there_is_a_quick_exit() -> None:
    without = _problems({"flows/menu.yaml": MENU})
    assert [code for code, _ in without] == ["dead_end", "dead_end"]
    assert _problems({"flows/menu.yaml": MENU, "flows/leave.yaml": EXIT}) == []


def test_only_one_flow_can_be_the_quick_exit() -> None:
    other = EXIT.replace("flow: leave", "flow: hide")
    problems = _problems(
        {"flows/menu.yaml": MENU, "flows/leave.yaml": EXIT, "flows/hide.yaml": other}
    )
    message = "'quick_exit: true' is set in 2 flows (hide, leave): only one can be"
    assert problems == [
        ("many_quick_exits", f"flows/hide.yaml:3: {message}"),
        ("many_quick_exits", f"flows/leave.yaml:3: {message}"),
    ]


def test_a_quick_exit_must_say_when_messages_stayed() -> None:
    # Telegram may refuse to delete: "Done, I deleted our messages" would then be untrue.
    without = EXIT.replace("    on_error: kept\n", "").replace(
        "  - id: kept\n    end: Some messages could not be deleted.\n", ""
    )
    problems = _problems({"flows/menu.yaml": MENU, "flows/leave.yaml": without})
    assert problems == [
        (
            "quick_exit_without_on_error",
            "flows/leave.yaml:6: step 'erase': 'quick_exit' needs `on_error:` naming a step "
            "that tells the person some messages could not be deleted (Telegram may refuse "
            "to delete them)",
        )
    ]
