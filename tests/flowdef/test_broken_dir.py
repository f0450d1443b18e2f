"""One directory of broken flows: every problem, reported at once, with exact wording."""

from __future__ import annotations

from pathlib import Path

from bot.flowdef import load_flows

BROKEN = Path(__file__).parent / "fixtures" / "broken"
ACTIONS = frozenset({"submit_report"})

# (problem as printed, without the directory; its code). One row per problem, in order.
EXPECTED = [
    ("dupkeys.yaml:6: key 'say' appears twice here (first on line 5)", "duplicate_key"),
    (
        "future.yaml:1: written for a newer version of Standby (spec 2); this Standby reads spec 1",
        "spec_newer",
    ),
    ("help.yaml:5: word 'Help!' is listed twice", "duplicate_trigger"),
    (
        "help.yaml:7: a flow that starts on its own (home or triggers) can't have 'needs': "
        "nothing is set when it starts",
        "needs_on_start",
    ),
    ("home.yaml:5: unknown key 'colour'", "unknown_key"),
    ("home.yaml:9: step 'intro': unknown key 'nxt' (did you mean 'next'?)", "unknown_key"),
    (
        "home.yaml:10: step 'menu': a step needs exactly one of: "
        "say, ask, action, check, call, goto, end (found: say, ask)",
        "step_kind",
    ),
    ("home.yaml:16: step 'pick': 'label' is required", "missing_key"),
    ("home.yaml:16: step 'pick': unknown key 'lable' (did you mean 'label'?)", "unknown_key"),
    ("home.yaml:21: step 'size': 'max_length' must be a whole number", "wrong_type"),
    ("home.yaml:24: step 'place': 'min' only goes with 'input: number'", "misplaced_key"),
    ("home.yaml:28: step 'note': 'choices' only goes with 'ask'", "misplaced_key"),
    ("loops.yaml:13: step 'trap': no way out: from here the flow can never end", "dead_end"),
    (
        "loops.yaml:16: step 'spin': this loop never waits for the person: "
        "spin → check_again → spin",
        "busy_loop",
    ),
    ("loops.yaml:24: step 'old': warning: unreachable: no step leads here", "unreachable_step"),
    (
        "orphan.yaml:2: warning: unreachable: not home, no triggers, "
        "and no flow calls it or goes to it",
        "unreachable_flow",
    ),
    (
        "ping.yaml:6: step 'go': this loop never waits for the person: go → pong:back → go",
        "busy_loop",
    ),
    (
        "placeholders.yaml:6: step 'a': placeholder '{name!r}' in 'say' "
        "must be a plain name like {area}",
        "bad_placeholder",
    ),
    (
        "placeholders.yaml:6: step 'a': placeholder '{0}' in 'say' "
        "must be a plain name like {area}",
        "bad_placeholder",
    ),
    (
        "placeholders.yaml:6: step 'a': placeholder '{}' in 'say' must be a plain name like {area}",
        "bad_placeholder",
    ),
    (
        "placeholders.yaml:8: step 'b': placeholder '{price:.2f}' in 'ask' "
        "must be a plain name like {area}",
        "bad_placeholder",
    ),
    (
        "placeholders.yaml:9: step 'b': unbalanced '}' in 'retry': write '}}' to show '}' itself",
        "bad_placeholder",
    ),
    (
        "placeholders.yaml:11: step 'c': unbalanced '{' in 'end': write '{{' to show '{' itself",
        "bad_placeholder",
    ),
    (
        f"refs.yaml:4: command '/refs' is already a trigger of flow 'help' ({BROKEN}/help.yaml)",
        "duplicate_trigger",
    ),
    ("refs.yaml:5: 'start' goes to unknown step 'begn' (did you mean 'begin'?)", "unknown_step"),
    (
        "refs.yaml:11: step 'begin': 'next' goes to unknown step 'finsh' (did you mean 'finish'?)",
        "unknown_step",
    ),
    (
        "refs.yaml:12: step 'begin': choice value 'me' appears twice in this step",
        "duplicate_choice",
    ),
    ("refs.yaml:16: step 'route': 'cases' goes to unknown step 'nowhere'", "unknown_step"),
    (
        "refs.yaml:18: step 'helper': 'call' names unknown flow 'helplnes' "
        "(did you mean 'helplines'?)",
        "unknown_flow",
    ),
    (
        "refs.yaml:20: step 'send': unknown action 'submit_reprot' (did you mean 'submit_report'?)",
        "unknown_action",
    ),
    (
        "refs.yaml:21: step 'begin': step id 'begin' is used twice in this flow (first on line 7)",
        "duplicate_step",
    ),
    (
        "refs.yaml:24: step 'finish': 'goto' names unknown flow 'emergncy' "
        "(did you mean 'emergency'?)",
        "unknown_flow",
    ),
    (
        "syntax.yaml:6: this is not valid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar, line 5)",
        "yaml_syntax",
    ),
    (
        "tags.yaml:5: YAML tags like '!python/object:os.system' are not supported: "
        "use plain text, numbers, true/false, lists and 'key: value' lines",
        "yaml_tag",
    ),
    (
        "tags.yaml:9: YAML anchors and aliases (& and *) are not supported: write it out in full",
        "yaml_alias",
    ),
    (
        "tags.yaml:9: each step must be a set of 'key: value' lines, starting with '- id:'",
        "wrong_type",
    ),
    (
        "vars.yaml:7: step 'hello': variable 'name' is used before anything sets it",
        "unset_variable",
    ),
    (
        "vars.yaml:19: step 'skip': flow 'helplines' needs variable 'area', "
        "but it may not be set here",
        "unset_variable",
    ),
    (
        "vars.yaml:22: step 'send': variable 'area' is used before anything sets it",
        "unset_variable",
    ),
    (
        "vars.yaml:22: step 'send': variable 'name' is used before anything sets it",
        "unset_variable",
    ),
    (
        "vars.yaml:24: step 'done': variable 'reference' is used before anything sets it",
        "unset_variable",
    ),
]


def test_every_problem_in_the_directory_is_reported_at_once() -> None:
    result = load_flows(BROKEN, known_actions=ACTIONS)

    found = [(str(problem).removeprefix(f"{BROKEN}/"), problem.code) for problem in result.problems]
    assert found == EXPECTED
    assert result.flows is None


def test_problems_name_their_flow_step_and_severity() -> None:
    result = load_flows(BROKEN, known_actions=ACTIONS)

    trap = next(problem for problem in result.problems if problem.code == "dead_end")
    assert (trap.flow, trap.step, trap.severity, trap.line) == ("loops", "trap", "error", 13)
    orphan = next(problem for problem in result.problems if problem.code == "unreachable_flow")
    assert (orphan.flow, orphan.step, orphan.severity) == ("orphan", None, "warning")


def test_subfolders_and_other_files_are_not_flows() -> None:
    result = load_flows(BROKEN.parent / "good", known_actions=ACTIONS)

    assert [Path(path).name for path in result.files] == [
        "help.yml",
        "helplines.yaml",
        "home.yaml",
        "report.yaml",
    ]
