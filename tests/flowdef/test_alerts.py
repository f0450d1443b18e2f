"""Alert templates (`data/alerts.yaml`): the checker's messages and lines, and the real file."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import flows as flows_cli
from bot.flowdef import load_flows
from bot.flowdef.alerts import (
    FIELD_KINDS,
    MAX_ALERT_TEXT,
    AlertField,
    AlertTemplate,
    AlertTemplates,
    read_alerts_text,
)
from bot.flowdef.problems import Found
from bot.i18n.extract import extract_alerts
from bot.services.actions import ACTION_NAMES
from bot.services.library import FlowLibrary

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
REAL = FLOWS / "data" / "alerts.yaml"
HOME = "spec: 1\nflow: home\nhome: true\nsteps:\n  - id: hi\n    end: Hi\n"
# Line numbers matter: the messages below name them.
ALERTS = """\
spec: 1
templates:
  - id: gathering
    title: Gathering announced
    text: "Alert for {area}: a gathering at {place} on {day}."
    fields:
      - name: place
        ask: Where?
        kind: text
      - name: day
        ask: Which day?
        kind: date
"""
runner = CliRunner()


def _problems(text: str) -> list[str]:
    found = Found("alerts.yaml")
    read_alerts_text(text, found)
    return [str(problem) for problem in found.problems]


def _changed(old: str, new: str) -> str:
    assert ALERTS.count(old) == 1, old
    return ALERTS.replace(old, new)


def _real() -> AlertTemplates:
    found = Found(str(REAL))
    templates = read_alerts_text(REAL.read_text(encoding="utf-8"), found)
    assert [str(problem) for problem in found.problems] == []
    return templates


def _commands() -> set[str]:
    """Every command a flow answers to."""
    found: set[str] = set()
    for path in FLOWS.glob("*.yaml"):
        for line in re.findall(r"commands: \[([^\]]*)\]", path.read_text(encoding="utf-8")):
            found.update(command.strip() for command in line.split(","))
    return found


# -- the real file ---------------------------------------------------------------------


def test_the_real_file_has_no_problems() -> None:
    templates = _real()
    assert [template.id for template in templates] == [
        "gathering_announced",
        "gathering_now",
        "disorder",
        "venue_targeted",
        "all_clear",
    ]
    announced = templates.get("gathering_announced")
    assert announced is not None
    assert [(field.name, field.kind) for field in announced.fields] == [
        ("place", "text"),
        ("day", "date"),
        ("time", "time"),
    ]


def test_the_real_templates_give_no_number_but_999_and_only_real_commands() -> None:
    commands = _commands()
    for template in _real():
        assert re.findall(r"\d+", template.text) == ["999"], template.id
        assert set(re.findall(r"/[a-z_]+", template.text)) <= commands, template.id
        assert "{area}" in template.text, template.id
        assert len(template.text) <= MAX_ALERT_TEXT


# -- the model -------------------------------------------------------------------------


def test_the_example_reads_well() -> None:
    found = Found("alerts.yaml")
    templates = read_alerts_text(ALERTS, found)
    assert found.problems == []
    assert list(templates) == [
        AlertTemplate(
            "gathering",
            "Gathering announced",
            "Alert for {area}: a gathering at {place} on {day}.",
            (AlertField("place", "Where?", "text"), AlertField("day", "Which day?", "date")),
        )
    ]
    assert (len(templates), "gathering" in templates, "other" in templates) == (1, True, False)
    assert templates.get("other") is None


def test_templates_with_one_id_are_refused() -> None:
    template = AlertTemplate("a", "A", "For {area}.", ())
    with pytest.raises(ValueError, match="'a' is given twice"):
        AlertTemplates([template, template])


def test_a_template_needs_no_fields() -> None:
    found = Found("alerts.yaml")
    text = "spec: 1\ntemplates:\n  - id: calm\n    title: Calm\n    text: All calm in {area}.\n"
    (template,) = read_alerts_text(text, found)
    assert (template.fields, found.problems) == ((), [])


# -- the checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problems"),
    [
        ("spec: 1", "spec: 2", ["alerts.yaml:1: written for a newer version of Standby (spec "
         "2): update Standby"]),
        ("spec: 1\n", "", ["alerts.yaml:1: 'spec' is required: write 'spec: 1' at the top"]),
        ("templates:", "template: []\ntemplates:", ["alerts.yaml:2: unknown key 'template' (did "
         "you mean 'templates'?)"]),
        ("ask: Where?", "ask: [Where?", ["alerts.yaml:9: this is not valid YAML: did not find "
         "expected ',' or ']' (while parsing a flow sequence, line 8)"]),
        ("title:", "titel:", [
            "alerts.yaml:4: template 'gathering': unknown key 'titel' (did you mean 'title'?)",
            "alerts.yaml:3: template 'gathering': 'title' is required",
        ]),
        ("        kind: text", "        kinds: text", [
            "alerts.yaml:9: template 'gathering': unknown key 'kinds' (did you mean 'kind'?)",
            "alerts.yaml:7: template 'gathering': 'kind' is required",
        ]),
        ("        ask: Which day?\n", "", ["alerts.yaml:10: template 'gathering': 'ask' is "
         "required"]),
        ("- id: gathering", "- id: Gathering", ["alerts.yaml:3: template 'Gathering': 'id' must "
         "be a name: use a-z, 0-9 and _, start with a letter, at most 48 characters"]),
        ("title: Gathering announced", "title: " + "G" * 65, ["alerts.yaml:4: template "
         "'gathering': 'title' is too long for a button (65 characters): at most 64"]),
        ("title: Gathering announced", "title: 42", ["alerts.yaml:4: template 'gathering': "
         "'title' must be text"]),
        ("kind: date", "kind: dates", ["alerts.yaml:12: template 'gathering': field 'day': "
         "unknown kind 'dates' (did you mean 'date'?): use text, date or time"]),
        ("kind: date", "kind: number", ["alerts.yaml:12: template 'gathering': field 'day': "
         "unknown kind 'number': use text, date or time"]),
        ("name: day", "name: Day", [
            "alerts.yaml:10: template 'gathering': field 'Day': 'name' must be a name: use a-z, "
            "0-9 and _, start with a letter, at most 48 characters",
            "alerts.yaml:5: template 'gathering': 'text' uses {day} (did you mean 'Day'?), which "
            "is neither a field nor {area}: add it under 'fields' or remove it",
        ]),
        ("name: day", "name: place", [
            "alerts.yaml:10: template 'gathering': field 'place' is given twice (first on line 7)",
            "alerts.yaml:5: template 'gathering': 'text' uses {day}, which is neither a field nor "
            "{area}: add it under 'fields' or remove it",
        ]),
        ("kind: date\n", "kind: date\n      - name: area\n        ask: Where?\n        kind: "
         "text\n", ["alerts.yaml:13: template 'gathering': field 'area' is filled in by Standby "
         "with the areas the alert is sent to: remove the field and just write {area} in "
         "the text"]),
        ("on {day}.", "on {dya}.", [
            "alerts.yaml:5: template 'gathering': 'text' uses {dya} (did you mean 'day'?), which "
            "is neither a field nor {area}: add it under 'fields' or remove it",
            "alerts.yaml:10: template 'gathering': field 'day' is never used: put {day} in the "
            "text or remove the field",
        ]),
        (" on {day}.", ".", ["alerts.yaml:10: template 'gathering': field 'day' is never used: "
         "put {day} in the text or remove the field"]),
        ("on {day}.", "on {day}. {when}", ["alerts.yaml:5: template 'gathering': 'text' uses "
         "{when}, which is neither a field nor {area}: add it under 'fields' or remove it"]),
        ("on {day}.", "on {day!r}.", ["alerts.yaml:5: template 'gathering': placeholder "
         "'{day!r}' in 'text' must be a plain name like {place}"]),
        ("on {day}.", "on {day:>10}.", ["alerts.yaml:5: template 'gathering': placeholder "
         "'{day:>10}' in 'text' must be a plain name like {place}"]),
        ("on {day}.", "on {day} {}.", ["alerts.yaml:5: template 'gathering': placeholder '{}' "
         "in 'text' must be a plain name like {place}"]),
        ("on {day}.", "on {day.", ["alerts.yaml:5: template 'gathering': the braces in 'text' "
         "don't pair up (expected '}' before end of string): a placeholder is a name in braces "
         "like {place}; write {{ or }} to show a brace itself"]),
        ("on {day}.", "on {day}}.", ["alerts.yaml:5: template 'gathering': the braces in 'text' "
         "don't pair up (Single '}' encountered in format string): a placeholder is a name in "
         "braces like {place}; write {{ or }} to show a brace itself"]),
        ("on {day}.", "on {day} {{maybe}}.", []),
        ("    fields:\n", "    fields: place\n    extra:\n", [
            "alerts.yaml:7: template 'gathering': unknown key 'extra' (did you mean 'text'?)",
            "alerts.yaml:6: template 'gathering': 'fields' must be a list of fields, each "
            "starting with '- name:'",
            "alerts.yaml:5: template 'gathering': 'text' uses {place}, which is neither a field "
            "nor {area}: add it under 'fields' or remove it",
            "alerts.yaml:5: template 'gathering': 'text' uses {day}, which is neither a field nor "
            "{area}: add it under 'fields' or remove it",
        ]),
        ("      - name: place", "      - place\n      - name: place", ["alerts.yaml:7: template "
         "'gathering': each field must be a set of 'key: value' lines, starting with '- name:'"]),
        ("  - id: gathering", "  - gathering\n  - id: gathering", ["alerts.yaml:3: each template "
         "must be a set of 'key: value' lines, starting with '- id:'"]),
    ],
)  # fmt: skip
def test_each_problem_is_named_at_its_line(old: str, new: str, problems: list[str]) -> None:
    assert _problems(_changed(old, new)) == problems


def test_a_text_over_the_limit_is_refused() -> None:
    long = "Alert for {area}. " + "x" * MAX_ALERT_TEXT
    text = "spec: 1\ntemplates:\n  - id: long\n    title: Long\n    text: " + long + "\n"
    assert _problems(text) == [
        "alerts.yaml:5: template 'long': 'text' is too long (3518 characters): at most 3500"
    ]


def test_a_template_id_used_twice() -> None:
    template = ALERTS.split("templates:\n")[1]
    assert _problems(ALERTS + template) == [
        "alerts.yaml:13: template 'gathering': the id is used twice (first on line 3)"
    ]


def _templates(count: int) -> str:
    return "spec: 1\ntemplates:\n" + "".join(
        f"  - id: t{index}\n    title: T\n    text: For {{area}}.\n" for index in range(count)
    )


def test_the_menu_holds_at_most_twenty_templates() -> None:
    assert _problems(_templates(20)) == []
    assert _problems(_templates(21)) == [
        "alerts.yaml:63: there are 21 templates: the /broadcast menu shows at most 20, so merge "
        "some or leave some out"
    ]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("[]", ["alerts.yaml:1: the file must start with 'spec: 1' then 'templates:'"]),
        ("spec: 1\n", ["alerts.yaml:1: 'templates' is required: a list of templates, each "
         "starting with '- '"]),
        ("spec: 1\ntemplates: []\n", ["alerts.yaml:2: warning: the file lists no templates"]),
    ],
)  # fmt: skip
def test_file_problems(text: str, problems: list[str]) -> None:
    assert _problems(text) == problems


def test_every_field_kind_is_documented() -> None:
    docs = (ROOT / "docs" / "flows.md").read_text(encoding="utf-8")
    assert "## Alert templates" in docs
    assert [kind for kind in FIELD_KINDS if f"`{kind}`" not in docs] == []


# -- loading, checking, reloading ------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "home.yaml").write_text(HOME, encoding="utf-8")
    (tmp_path / "data").mkdir()
    return tmp_path


def test_a_folder_without_the_file_has_no_templates(folder: Path) -> None:
    result = load_flows(folder, known_actions=())
    assert (result.flows is not None, result.alert_templates) == (True, None)


def test_flows_check_reports_the_templates(folder: Path) -> None:
    (folder / "data" / "alerts.yaml").write_text(_changed("kind: date", "kind: dat"))
    result = load_flows(folder, known_actions=())
    assert result.flows is None, "an error in the templates stops the flows loading"
    outcome = runner.invoke(flows_cli.app, ["check", str(folder)])
    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        f"{folder}/data/alerts.yaml:12: template 'gathering': field 'day': unknown kind 'dat' "
        "(did you mean 'date'?): use text, date or time",
        "1 error in 1 flow and 0 alert templates",
    ]
    (folder / "data" / "alerts.yaml").write_text(ALERTS)
    outcome = runner.invoke(flows_cli.app, ["check", str(folder)])
    assert (outcome.exit_code, outcome.stdout) == (0, "1 flow and 1 alert template OK\n")


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target


def test_the_library_keeps_its_templates_when_a_reload_finds_an_error(flows_dir: Path) -> None:
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    running = library.alert_templates
    assert len(running) == 5
    alerts = flows_dir / "data" / "alerts.yaml"
    alerts.write_text(alerts.read_text().replace("at {place}.", "at {plaice}.", 1))

    problems = library.reload()

    assert [p.code for p in problems if p.is_error] == ["unknown_placeholder", "unused_field"]
    assert library.alert_templates is running
    (alerts.parent / "areas.yaml").unlink()
    alerts.unlink()
    assert [p for p in library.reload() if p.is_error] == []
    assert (len(library.alert_templates), len(library.areas)) == (0, 0)


# -- translation -----------------------------------------------------------------------


def test_only_the_texts_are_extracted_with_the_placeholders_to_keep() -> None:
    found = list(extract_alerts(io.BytesIO(ALERTS.encode()), [], [], {}))
    assert found == [
        (
            5,
            None,
            "Alert for {area}: a gathering at {place} on {day}.",
            [
                "alert gathering: sent to the people subscribed to an area. Keep {area}, "
                "{place}, {day} as they are: Standby fills them in"
            ],
        )
    ]
    broken = _changed("on {day}.", "on {day.").encode()
    assert [comment for *_, comment in extract_alerts(io.BytesIO(broken), [], [], {})] == [
        ["alert gathering: sent to the people subscribed to an area"]
    ]


def test_the_alert_extractor_is_registered_for_babel() -> None:
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[standby_alerts: flows/data/alerts.yaml]" in config
    assert config.index("standby_alerts") < config.index("[standby_flows")
    assert 'standby_alerts = "bot.i18n.extract:extract_alerts"' in project
