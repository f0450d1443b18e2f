"""Each kind of problem, from small flows written inline: exact wording and line."""

from __future__ import annotations

import pytest

from bot.engine import Ask, InputKind
from bot.engine import choices as engine_choices
from bot.flowdef import limits, load_flow_texts

ACTIONS = frozenset({"submit_report", "alert_areas"})

HOME = "spec: 1\nflow: home\nhome: true\nsteps:\n  - id: hi\n    say: Hi\n"


def _flow(header: str, steps: str) -> str:
    """A flow file: `spec: 1`, then `header` lines (from line 2), then `steps:`."""
    return f"spec: 1\n{header}steps:\n{steps}"


def _problems(texts: dict[str, str]) -> list[str]:
    files = {f"flows/{name}": text for name, text in texts.items()}
    result = load_flow_texts(files, known_actions=ACTIONS)
    return [str(problem) for problem in result.problems]


CHOICES = "".join(f"      - label: Choice {n}\n" for n in range(25))
MANY_STEPS = "".join(f"  - id: s{n}\n    say: Hi\n" for n in range(2001))

# A summary whose answers can be changed one by one (`revisit`), for the cases below.
REVISIT = (
    "spec: 1\nflow: home\nhome: true\nsteps:\n"
    "  - id: name\n    ask: Your name?\n    input: text\n    save: name\n"
    "  - id: town\n    ask: Your town?\n    input: text\n    save: town\n"
    '  - id: summary\n    say: "{name} in {town}"\n'
    "  - id: change\n    ask: Change what?\n    return_to: summary\n    choices:\n"
    "      - label: Name\n        revisit: name\n        until: town\n"
    "      - label: Town\n        revisit: town\n"
    "      - label: Nothing\n        next: bye\n"
    "  - id: bye\n    end: Bye\n"
)
NEEDS_RETURN_TO = "a choice with 'revisit' needs 'return_to' on its step: where to go after"


def _revisit(old: str, new: str) -> str:
    assert old in REVISIT
    return REVISIT.replace(old, new)


CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "a misspelt kind of step",
        {"home.yaml": HOME + "  - id: typo\n    sayy: Hello\n"},
        ["flows/home.yaml:8: step 'typo': unknown key 'sayy' (did you mean 'say'?)"],
    ),
    (
        "no home",
        {"a.yaml": _flow("flow: a\ntriggers: {commands: [/a]}\n", "  - id: hi\n    say: Hi\n")},
        ["flows: no flow has 'home: true': mark the flow new conversations start in"],
    ),
    (
        "several homes",
        {"a.yaml": HOME.replace("home\n", "a\n", 1), "b.yaml": HOME.replace("home\n", "b\n", 1)},
        [
            "flows/a.yaml:3: 'home: true' is set in 2 flows (a, b): only one can be home",
            "flows/b.yaml:3: 'home: true' is set in 2 flows (a, b): only one can be home",
        ],
    ),
    (
        "duplicate flow id",
        {"a.yaml": HOME, "b.yaml": _flow("flow: home\n", "  - id: hi\n    say: Hi\n")},
        ["flows/b.yaml:2: flow id 'home' is already used in flows/a.yaml"],
    ),
    (
        "spec missing",
        {"home.yaml": HOME.replace("spec: 1\n", "")},
        ["flows/home.yaml:1: 'spec' is missing: add 'spec: 1' at the top"],
    ),
    (
        "spec in words",
        {"home.yaml": HOME.replace("spec: 1", "spec: one")},
        ["flows/home.yaml:1: 'spec' must be a whole number, like 'spec: 1'"],
    ),
    (
        "empty file",
        {"a.yaml": "# nothing yet\n", "home.yaml": HOME},
        ["flows/a.yaml:1: this file is empty: a flow needs 'spec', 'flow' and 'steps'"],
    ),
    (
        "a list instead of a flow",
        {"a.yaml": "- spec: 1\n", "home.yaml": HOME},
        [
            "flows/a.yaml:1: a flow file must be a set of 'key: value' lines, "
            "starting with 'spec: 1'"
        ],
    ),
    (
        "no steps",
        {"home.yaml": "spec: 1\nflow: home\nhome: true\nsteps: []\n"},
        ["flows/home.yaml:4: 'steps' needs at least one step"],
    ),
    (
        "required keys",
        {"home.yaml": "spec: 1\nhome: true\n"},
        ["flows/home.yaml:1: 'flow' is required", "flows/home.yaml:1: 'steps' is required"],
    ),
    (
        "text and label too long",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                f"  - id: hi\n    say: {'x' * 4097}\n"
                f"  - id: pick\n    ask: Pick\n    choices:\n      - label: {'y' * 65}\n",
            )
        },
        [
            "flows/home.yaml:6: step 'hi': 'say' is too long (4097 characters; the limit is 4096)",
            "flows/home.yaml:10: step 'pick': 'label' is too long (65 characters; the limit is 64)",
        ],
    ),
    (
        "too many or no choices",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                f"  - id: pick\n    ask: Pick\n    choices:\n{CHOICES}"
                "  - id: none\n    ask: Pick\n    choices: []\n",
            )
        },
        [
            "flows/home.yaml:7: step 'pick': 'choices' needs 1 to 24 buttons (found 25)",
            "flows/home.yaml:35: step 'none': 'choices' needs 1 to 24 buttons (found 0)",
        ],
    ),
    (
        "too many steps",
        {"home.yaml": _flow("flow: home\nhome: true\n", MANY_STEPS)},
        ["flows/home.yaml:4: too many steps (2001); the limit is 2000"],
    ),
    (
        "ids",
        {
            "home.yaml": _flow(
                "flow: Home\nhome: true\n",
                "  - id: Step 1\n    say: Hi\n  - id: 7\n    say: Hi\n",
            )
        },
        [
            "flows/home.yaml:2: 'Home' is not a valid id: "
            "use a-z, 0-9 and _, start with a letter, at most 48 characters",
            "flows/home.yaml:5: step 'Step 1': 'Step 1' is not a valid id: "
            "use a-z, 0-9 and _, start with a letter, at most 48 characters",
            "flows/home.yaml:7: step '7': '7' is not a valid id: "
            "use a-z, 0-9 and _, start with a letter, at most 48 characters",
        ],
    ),
    (
        "expiry",
        {
            "home.yaml": HOME.replace("home: true", "home: true\nexpires_after: 45d"),
            "a.yaml": _flow("flow: a\nexpires_after: soon\n", "  - id: hi\n    say: Hi\n"),
            "b.yaml": _flow("flow: b\nexpires_after: 30s\n", "  - id: hi\n    say: Hi\n"),
        },
        [
            "flows/a.yaml:3: 'expires_after' must look like 30m, 12h or 7d",
            "flows/b.yaml:3: 'expires_after' must be between 1m and 30d",
            "flows/home.yaml:4: 'expires_after' must be between 1m and 30d",
        ],
    ),
    (
        "triggers",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\ntriggers:\n  commands: [help, /ok]\n  command: [/x]\n",
                "  - id: hi\n    say: Hi\n",
            ),
            "a.yaml": _flow("flow: a\ntriggers: {returns: true}\n", "  - id: hi\n    say: Hi\n"),
        },
        [
            "flows/a.yaml:3: 'triggers' needs 'commands' or 'words'",
            "flows/home.yaml:5: 'help' is not a valid command: "
            "write / and then a-z, 0-9 or _ (at most 32)",
            "flows/home.yaml:6: unknown key 'command' (did you mean 'commands'?)",
        ],
    ),
    (
        "trigger words are compared as the engine compares them",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\ntriggers:\n  words: [yes, no, on, Emergency!]\n",
                "  - id: hi\n    say: Hi\n",
            ),
            "a.yaml": _flow(
                "flow: a\ntriggers:\n  words: [emergency]\n", "  - id: hi\n    say: Hi\n"
            ),
        },
        [
            "flows/home.yaml:5: word 'yes' is something people type as an answer (or a button's "
            "number): they would be taken away mid-question; choose another word",
            "flows/home.yaml:5: word 'no' is something people type as an answer (or a button's "
            "number): they would be taken away mid-question; choose another word",
            "flows/home.yaml:5: word 'Emergency!' is already a trigger of flow 'a' (flows/a.yaml)",
        ],
    ),
    (
        "keys of questions",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: a\n    ask: Tell us\n    multiple: true\n"
                "  - id: b\n    ask: Pick\n    input: text\n    choices:\n      - label: One\n"
                "  - id: c\n    ask: How many?\n    input: number\n    min: 10\n    max: 1\n"
                "  - id: d\n    ask: Why?\n    max_length: 0\n"
                "  - id: e\n    ask: What?\n    input: txt\n",
            )
        },
        [
            "flows/home.yaml:7: step 'a': "
            "'multiple' only goes with 'choices', 'input: photo' or 'input: document'",
            "flows/home.yaml:10: step 'b': use either 'choices' or 'input', not both",
            "flows/home.yaml:16: step 'c': 'min' is more than 'max'",
            "flows/home.yaml:20: step 'd': 'max_length' must be between 1 and 4096",
            "flows/home.yaml:23: step 'e': "
            "'input' must be one of: text, number, date, yes_no, photo, document",
        ],
    ),
    (
        "choices",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: a\n    ask: نعم؟\n    choices:\n      - label: نعم\n"
                "  - id: b\n    ask: Who?\n    choices:\n"
                "      - label: Victim\n        value: Victim\n"
                "  - id: c\n    ask: Which?\n    multiple: true\n    choices:\n"
                "      - label: One\n        next: d\n      - label: Two\n"
                "  - id: d\n    end: true\n",
            )
        },
        [
            "flows/home.yaml:8: step 'a': can't make a value from label 'نعم': add 'value:'",
            "flows/home.yaml:13: step 'b': 'Victim' is not a valid value: "
            "use a-z, 0-9 and _, at most 48 characters",
            "flows/home.yaml:19: step 'c': a choice's 'next' doesn't work with 'multiple: true': "
            "after Done the flow goes on to the step's 'next'",
        ],
    ),
    (
        "types and keys",
        {
            "home.yaml": _flow(
                "flow: home\nhome: yes\ntitel: Menu\n",
                "  - id: a\n    say: 1.5\n"
                "  - id: b\n    say: 999\n"
                "  - id: c\n    action: submit_report\n    with: summary\n"
                "  - id: d\n    check: x\n    cases: {a: e}\n    next: e\n"
                "  - id: e\n    end: 5.5\n"
                "  - id: f\n    say:\n"
                "  - id: g\n"
                "  - just words\n",
            )
        },
        [
            "flows: no flow has 'home: true': mark the flow new conversations start in",
            "flows/home.yaml:3: 'home' must be true or false",
            "flows/home.yaml:4: unknown key 'titel' (did you mean 'title'?)",
            "flows/home.yaml:7: step 'a': 'say' must be text (put it in quotes)",
            "flows/home.yaml:12: step 'c': 'with' must be a set of 'key: value' lines",
            "flows/home.yaml:16: step 'd': 'next' only goes with 'say', 'ask', 'action' or 'call'",
            "flows/home.yaml:18: step 'e': 'end' must be a closing text, or true",
            "flows/home.yaml:20: step 'f': 'say' has no value",
            "flows/home.yaml:21: step 'g': a step needs exactly one of: "
            "say, ask, action, check, call, goto, end (found: none)",
            "flows/home.yaml:22: each step must be a set of 'key: value' lines, "
            "starting with '- id:'",
        ],
    ),
    (
        "needs on the home flow",
        {"home.yaml": HOME.replace("home: true", "home: true\nneeds: [area]")},
        [
            "flows/home.yaml:4: a flow that starts on its own (home or triggers) "
            "can't have 'needs': nothing is set when it starts"
        ],
    ),
    (
        "a call gives the caller what the called flow always sets",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: where\n    call: place\n  - id: bye\n    end: Take care in {area}.\n",
            ),
            "place.yaml": _flow(
                "flow: place\n",
                "  - id: ask\n    ask: Which town?\n    optional: true\n    save: area\n",
            ),
        },
        [],
    ),
    (
        "a flow calling itself is assumed to set nothing",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: q\n    ask: Again?\n    input: yes_no\n    save: again\n"
                "  - id: branch\n    check: again\n    cases: {yes: more}\n"
                "  - id: bye\n    end: Bye {town}.\n"
                "  - id: more\n    call: home\n    next: bye\n",
            )
        },
        [
            "flows/home.yaml:13: step 'bye': variable 'town' is used before anything sets it",
            "flows/home.yaml:15: step 'more': 'call: home' can lead back here and call it "
            "again, so every round adds another place to return to: use 'goto' to go back "
            "instead",
        ],
    ),
    (
        "a trigger word that is a button's number",
        {"home.yaml": HOME.replace("home: true\n", "home: true\ntriggers: {words: ['2']}\n")},
        [
            "flows/home.yaml:4: word '2' is something people type as an answer (or a button's "
            "number): they would be taken away mid-question; choose another word"
        ],
    ),
    (
        "braces in a button label",
        {
            "home.yaml": HOME + "  - id: q\n    ask: Where?\n    choices:\n"
            "      - label: Report {area}\n        value: r\n"
        },
        [
            "flows/home.yaml:10: step 'q': a button label can't hold '{' or '}' "
            "(placeholders work in texts only)"
        ],
    ),
    (
        "invisible characters pasted from a word processor",
        {"home.yaml": HOME.replace("say: Hi", "say: Hi\u2028there") + "  - id: z\n    say: \x0b\n"},
        [
            "flows/home.yaml:6: there is an invisible character here (U+2028), often pasted "
            "from a word processor: delete it",
            "flows/home.yaml:8: there is an invisible character here (U+000B), often pasted "
            "from a word processor: delete it",
        ],
    ),
    (
        "two flows calling each other",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: q\n    ask: Go?\n    choices:\n"
                "      - {label: Go, value: go, next: go}\n      - {label: Stop, next: bye}\n"
                "  - id: go\n    call: other\n    next: q\n"
                "  - id: bye\n    end: true\n",
            ),
            "other.yaml": _flow(
                "flow: other\n",
                "  - id: q\n    ask: Back?\n    input: yes_no\n  - id: go\n    call: home\n",
            ),
        },
        [
            "flows/home.yaml:11: step 'go': 'call: other' can lead back here and call it again, "
            "so every round adds another place to return to: use 'goto' to go back instead",
            "flows/other.yaml:8: step 'go': 'call: home' can lead back here and call it again, "
            "so every round adds another place to return to: use 'goto' to go back instead",
        ],
    ),
    (
        "a variable must be set on every way to where it is used",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: q\n    ask: Share your town?\n    input: yes_no\n    save: share\n"
                "  - id: branch\n    check: share\n    cases: {no: send}\n"
                "  - id: town\n    ask: Which town?\n    save: town\n"
                "  - id: send\n    action: submit_report\n    with: {town: '{town}'}\n"
                "    save: [reference]\n    on_error: sorry\n"
                "  - id: thanks\n    end: Your reference is {reference}.\n"
                "  - id: sorry\n    end: Sorry, {reference} failed.\n",
            )
        },
        [
            "flows/home.yaml:17: step 'send': variable 'town' is used before anything sets it",
            "flows/home.yaml:23: step 'sorry': "
            "variable 'reference' is used before anything sets it",
        ],
    ),
    (
        "buttons from a variable make a choice question",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: list\n    action: alert_areas\n    save: [areas]\n"
                "  - id: a\n    ask: Which?\n    choices_from: areas\n    choices:\n"
                "      - label: One\n"
                "  - id: b\n    ask: Which?\n    choices_from: areas\n    input: text\n"
                "  - id: c\n    ask: Which?\n    choices_from: areas\n    save: areas\n"
                "  - id: d\n    ask: Which?\n    choices_from: Areas\n"
                "  - id: e\n    ask: Which?\n    choices_from: areas\n    max_length: 10\n"
                "  - id: f\n    ask: Which?\n    choices_from: areas\n    multiple: true\n"
                "    optional: true\n    save: picked\n",
            )
        },
        [
            "flows/home.yaml:10: step 'a': use either 'choices' or 'choices_from', not both",
            "flows/home.yaml:16: step 'b': use either 'choices_from' or 'input', not both",
            "flows/home.yaml:20: step 'c': "
            "'save' can't be 'areas': that variable holds this question's buttons",
            "flows/home.yaml:23: step 'd': 'Areas' is not a valid name: "
            "use a-z, 0-9 and _, start with a letter, at most 48 characters",
            "flows/home.yaml:27: step 'e': 'max_length' only goes with 'input: text'",
        ],
    ),
    (
        "buttons from a variable that may not be set",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: q\n    ask: Alerts for your area?\n    input: yes_no\n    save: want\n"
                "  - id: branch\n    check: want\n    cases: {no: pick}\n"
                "  - id: list\n    action: alert_areas\n    save: [areas]\n    on_error: pick\n"
                "  - id: pick\n    ask: Which area?\n    choices_from: areas\n    save: area\n"
                "  - id: bye\n    end: You chose {area}.\n",
            )
        },
        [
            "flows/home.yaml:18: step 'pick': variable 'areas' is used before anything sets it",
        ],
    ),
    (
        "a loop through a flow that never asks",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n", "  - id: again\n    call: note\n    next: again\n"
            ),
            "note.yaml": _flow("flow: note\n", "  - id: hi\n    say: Hi\n"),
        },
        [
            "flows/home.yaml:5: step 'again': no way out: from here the flow can never end",
            "flows/home.yaml:5: step 'again': this loop never waits for the person: again → again",
        ],
    ),
    (
        "a loop through a flow that asks waits",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n", "  - id: again\n    call: q\n    next: again\n"
            ),
            "q.yaml": _flow("flow: q\n", "  - id: hi\n    ask: Hi?\n"),
        },
        ["flows/home.yaml:5: step 'again': no way out: from here the flow can never end"],
    ),
    (
        "a goto back to the start without a question",
        {
            "home.yaml": _flow(
                "flow: home\nhome: true\n",
                "  - id: hi\n    say: Hi\n  - id: round\n    goto: home\n",
            )
        },
        ["flows/home.yaml:5: step 'hi': this loop never waits for the person: hi → round → hi"],
    ),
    (
        "nested too deeply",
        {"a.yaml": "spec: 1\nflow: a\nsteps: " + "[" * 40 + "]" * 40 + "\n", "home.yaml": HOME},
        ["flows/a.yaml:3: this is nested too deeply"],
    ),
    (
        "a file that cannot be read may hold the home flow",
        {"home.yaml": 'spec: 1\nflow: "home\n'},
        [
            "flows/home.yaml:3: this is not valid YAML: found unexpected end of stream "
            "(while scanning a quoted scalar, line 2)"
        ],
    ),
    (
        "two documents in one file",
        {"home.yaml": HOME + "---\n" + HOME},
        ["flows/home.yaml:7: a flow file holds one YAML document: remove the second '---'"],
    ),
    (
        "a revisit without return_to",
        {"home.yaml": _revisit("    return_to: summary\n", "")},
        [
            f"flows/home.yaml:18: step 'change': {NEEDS_RETURN_TO}",
            f"flows/home.yaml:21: step 'change': {NEEDS_RETURN_TO}",
        ],
    ),
    (
        "until without revisit",
        {
            "home.yaml": _revisit(
                "        revisit: name\n        until: town\n", "        until: town\n"
            )
        },
        ["flows/home.yaml:19: step 'change': 'until' needs 'revisit' on the same choice"],
    ),
    (
        "revisit and next on one choice",
        {
            "home.yaml": _revisit(
                "        revisit: town\n", "        revisit: town\n        next: bye\n"
            )
        },
        ["flows/home.yaml:22: step 'change': use either 'revisit' or 'next' on a choice, not both"],
    ),
    (
        "revisit to a step that is no question",
        {"home.yaml": _revisit("        revisit: town\n", "        revisit: summary\n")},
        [
            "flows/home.yaml:23: step 'change': 'revisit' must name a question ('ask' step); "
            "'summary' is not one"
        ],
    ),
    (
        "revisit to an unknown step",
        {"home.yaml": _revisit("        revisit: town\n", "        revisit: nowhere\n")},
        ["flows/home.yaml:23: step 'change': 'revisit' goes to unknown step 'nowhere'"],
    ),
    (
        "return_to without revisit",
        {
            "home.yaml": _revisit(
                "        revisit: name\n        until: town\n", "        next: bye\n"
            ).replace("        revisit: town\n", "        next: bye\n")
        },
        [
            "flows/home.yaml:17: step 'change': warning: "
            "'return_to' is only used by choices with 'revisit'"
        ],
    ),
    (
        "a variable set only when an answer is changed",
        {
            "home.yaml": _revisit(
                'say: "{name} in {town}"', 'say: "{name} in {town}, {extra}"'
            ).replace(
                "      - label: Nothing\n",
                "      - label: Extra\n        revisit: extra\n      - label: Nothing\n",
            )
            + "  - id: extra\n    ask: Extra?\n    input: text\n    save: extra\n"
            + "    next: summary\n"
        },
        ["flows/home.yaml:14: step 'summary': variable 'extra' is used before anything sets it"],
    ),
]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [(texts, expected) for _, texts, expected in CASES],
    ids=[c[0] for c in CASES],
)
def test_problem(texts: dict[str, str], expected: list[str]) -> None:
    assert _problems(texts) == expected


def test_a_summary_with_revisit_has_no_problems() -> None:
    assert _problems({"home.yaml": REVISIT}) == []


def test_flows_load_only_without_errors() -> None:
    broken = load_flow_texts(
        {"flows/home.yaml": HOME + "    next: nowhere\n"}, known_actions=ACTIONS
    )
    good = load_flow_texts({"flows/home.yaml": HOME}, known_actions=ACTIONS)

    assert broken.flows is None
    assert good.flows is not None
    assert good.flows.home == "home"


def test_warnings_alone_still_load() -> None:
    text = _flow("flow: home\nhome: true\n", "  - id: hi\n    end: Hi\n  - id: old\n    say: Old\n")

    result = load_flow_texts({"flows/home.yaml": text}, known_actions=ACTIONS)

    assert [problem.code for problem in result.problems] == ["unreachable_step"]
    assert result.flows is not None


def test_buttons_from_a_variable_load_as_a_choice_question() -> None:
    text = _flow(
        "flow: home\nhome: true\n",
        "  - id: list\n    action: alert_areas\n    with: {within: england}\n"
        "    save: [areas]\n"
        "  - id: pick\n    ask: Which area?\n    choices_from: areas\n    multiple: true\n"
        "    save: area\n"
        "  - id: bye\n    end: You chose {area}.\n",
    )

    result = load_flow_texts({"flows/home.yaml": text}, known_actions=ACTIONS)

    assert result.problems == []
    assert result.flows is not None
    pick = result.flows.step("home", "pick")
    assert pick == Ask(
        "pick",
        "Which area?",
        InputKind.CHOICE,
        next="bye",
        save="area",
        multiple=True,
        choices_from="areas",
    )


def test_the_checker_and_the_engine_allow_as_many_buttons() -> None:
    assert limits.MAX_CHOICES == engine_choices.MAX_CHOICES
    assert limits.VALUE_RE.pattern == engine_choices.VALUE_RE.pattern
