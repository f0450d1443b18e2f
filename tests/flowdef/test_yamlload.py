"""The YAML reader: lines for everything, no duplicate keys, only plain data."""

from __future__ import annotations

from typing import Any

import pytest

from bot.flowdef import yamlload
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlList, YamlMap, load_yaml

TEXT = """\
spec: 1
steps:
  - id: a
    words: [yes, no, on, off]
  - id: b
    phone: 0800 138 1625
    code: 0800
    count: 12
    ratio: 1.5
    flag: true
    empty:
"""


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each test with libyaml and with PyYAML's pure-Python parser."""
    if request.param == "python":
        monkeypatch.setattr(yamlload, "_FastEvents", None)
    return str(request.param)


def _load(text: str) -> tuple[Any, list[str]]:
    found = Found("f.yaml")
    data = load_yaml(text, found)
    return data, [str(problem) for problem in found.problems]


@pytest.mark.usefixtures("parser")
def test_mappings_lists_and_keys_know_their_lines() -> None:
    data, problems = _load(TEXT)

    assert problems == []
    assert isinstance(data, YamlMap)
    steps = data["steps"]
    assert isinstance(steps, YamlList)
    assert (data.line_of("spec"), data.line_of("steps"), steps.line_of(1)) == (1, 2, 5)
    assert steps[1].line == 5
    assert steps[1].line_of("count") == 8


@pytest.mark.usefixtures("parser")
def test_plain_scalars_follow_yaml_1_2_and_keep_phone_numbers() -> None:
    data, _ = _load(TEXT)

    assert data["steps"][0]["words"] == ["yes", "no", "on", "off"]
    second = data["steps"][1]
    assert second["phone"] == "0800 138 1625"
    assert second["code"] == "0800"
    assert (second["count"], second["ratio"], second["flag"], second["empty"]) == (
        12,
        1.5,
        True,
        None,
    )


@pytest.mark.usefixtures("parser")
def test_duplicate_keys_are_reported_with_both_lines() -> None:
    _, problems = _load("a: 1\nb:\n  c: 1\n  c: 2\n")

    assert problems == ["f.yaml:4: key 'c' appears twice here (first on line 3)"]


@pytest.mark.usefixtures("parser")
def test_a_syntax_error_names_its_line() -> None:
    data, problems = _load("a: 1\nb: [1, 2\nc: 3\n")

    assert data is None
    assert len(problems) == 1
    assert problems[0].startswith("f.yaml:3: this is not valid YAML: ")
    assert problems[0].endswith("(while parsing a flow sequence, line 2)")


@pytest.mark.usefixtures("parser")
def test_tags_and_aliases_are_refused() -> None:
    text = "a: !!python/name:os.system x\nb: &b [1]\nc: *b\nd: !!set {x}\ne: !!str 5\n"

    data, problems = _load(text)

    assert problems == [
        "f.yaml:1: YAML tags like '!!python/name:os.system' are not supported: "
        "use plain text, numbers, true/false, lists and 'key: value' lines",
        "f.yaml:3: YAML anchors and aliases (& and *) are not supported: write it out in full",
        "f.yaml:4: YAML tags like '!!set' are not supported: "
        "use plain text, numbers, true/false, lists and 'key: value' lines",
    ]
    assert data["e"] == "5"


@pytest.mark.usefixtures("parser")
def test_very_deep_nesting_is_refused_without_crashing() -> None:
    data, problems = _load("[" * 100_000)

    assert data is None
    assert problems == ["f.yaml:1: this is nested too deeply"]


@pytest.mark.usefixtures("parser")
def test_keys_must_be_plain() -> None:
    _, problems = _load("? [a, b]\n: 1\n")

    assert problems == ["f.yaml:1: a key must be a plain word"]
