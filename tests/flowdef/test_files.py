"""Reading a directory: which files are flows, file limits, spec versions, speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.flowdef import MAX_FILE_BYTES, load_flows, migrations
from bot.flowdef.problems import Found
from bot.flowdef.yamlload import YamlMap

ACTIONS = frozenset({"submit_report"})
HOME = "spec: 1\nflow: home\nhome: true\nsteps:\n  - id: hi\n    say: Hi\n"


def _write(directory: Path, name: str, content: str | bytes) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _messages(directory: Path) -> list[str]:
    result = load_flows(directory, known_actions=ACTIONS)
    return [str(problem).removeprefix(f"{directory}/") for problem in result.problems]


def test_only_top_level_yaml_files_are_flows(tmp_path: Path) -> None:
    _write(tmp_path, "home.yaml", HOME)
    _write(tmp_path, "data/notes.yaml", "- not a flow\n")
    _write(tmp_path, ".draft.yaml", "not: [valid\n")
    _write(tmp_path, "README.md", "# Flows\n")

    result = load_flows(tmp_path, known_actions=ACTIONS)

    assert result.files == (str(tmp_path / "home.yaml"),)
    assert result.flows is not None


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    _write(tmp_path, "home.yaml", HOME)
    _write(tmp_path, "big.yaml", "# " + "x" * MAX_FILE_BYTES + "\n")

    assert _messages(tmp_path) == ["big.yaml:1: file is too big (512 KiB); the limit is 512 KiB"]


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path, "home.yaml", HOME)
    _write(tmp_path, "latin.yaml", "spec: 1\nflow: latin\ntitle: caf\xe9\n".encode("latin-1"))

    assert _messages(tmp_path) == ["latin.yaml:3: this is not UTF-8 text: save the file as UTF-8"]


def test_an_empty_directory_has_no_flows(tmp_path: Path) -> None:
    assert _messages(tmp_path) == [f"{tmp_path}: no flow files (*.yaml) in this directory"]


def test_too_many_flows(tmp_path: Path) -> None:
    _write(tmp_path, "home.yaml", HOME)
    for number in range(200):
        text = f"spec: 1\nflow: f{number}\ntriggers: {{commands: [/f{number}]}}\n"
        _write(tmp_path, f"f{number:03}.yaml", text + "steps:\n  - id: hi\n    say: Hi\n")

    assert _messages(tmp_path) == [f"{tmp_path}: too many flows (201); the limit is 200"]


def test_a_missing_directory_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_flows(tmp_path / "nowhere", known_actions=ACTIONS)


def test_older_specs_are_upgraded_one_version_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    def rename_text_to_say(document: YamlMap) -> YamlMap:
        for step in document["steps"]:
            step["say"] = step.pop("text")
        return document

    monkeypatch.setattr(migrations, "CURRENT_SPEC", 2)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: rename_text_to_say})
    document = YamlMap(1)
    document["steps"] = [{"id": "hi", "text": "Hello"}]
    document["spec"] = 1

    assert migrations.read_spec(document, Found("f.yaml")) == 1
    assert migrations.migrate(document, 1)["steps"] == [{"id": "hi", "say": "Hello"}]


def test_fifty_flows_of_two_hundred_steps_check_quickly(tmp_path: Path) -> None:
    for number in range(50):
        header = f"spec: 1\nflow: f{number}\n" + ("home: true\n" if number == 0 else "")
        steps = [f"  - id: call\n    call: f{number + 1}\n"] if number < 49 else []
        for index in range(100):
            steps.append(
                f"  - id: ask{index}\n    ask: Question {index}?\n"
                f"    choices:\n      - label: Yes\n      - label: No\n    save: answer{index}\n"
            )
            steps.append(f"  - id: say{index}\n    say: You said {{answer{index}}}.\n")
        _write(tmp_path, f"f{number:02}.yaml", header + "steps:\n" + "".join(steps))

    started = time.perf_counter()
    result = load_flows(tmp_path, known_actions=ACTIONS)
    elapsed = time.perf_counter() - started

    assert result.problems == []
    assert result.flows is not None
    assert sum(len(flow.steps) for flow in result.flows.by_id.values()) == 49 * 201 + 200
    assert elapsed < 5
