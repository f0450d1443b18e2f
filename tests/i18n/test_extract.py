"""The Babel extractors: flow and helpline texts reach the template with their lines."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from bot.i18n.extract import extract_flows, extract_helplines

ROOT = Path(__file__).resolve().parents[2]
FLOW = """\
spec: 1
flow: welcome
title: Welcome
steps:
  - id: hello
    say: "Hello. You are in {area}."
  - id: safe
    ask: Are you safe?
    choices:
      - label: Yes, I am safe
        value: safe
      - label: 999
    retry: Please press a button.
  - id: bye
    end: true
"""
HELPLINES = """\
helplines:
  - name: Tell MAMA
    description: Support after anti-Muslim hate.
    phone: 0800 456 1226
  - name: Galop
    note: Opening hours may change.
"""
PYTHON = 'from bot.engine.texts import N_\n\nSORRY = N_("Sorry, that did not work.")\n'


def test_every_text_a_person_sees_comes_with_its_line_and_step() -> None:
    found = list(extract_flows(io.BytesIO(FLOW.encode()), [], [], {}))

    assert found == [
        (3, None, "Welcome", ["flow welcome: its title, in menus"]),
        (6, None, "Hello. You are in {area}.", ["flow welcome, step hello: a message"]),
        (8, None, "Are you safe?", ["flow welcome, step safe: a question"]),
        (
            13,
            None,
            "Please press a button.",
            ["flow welcome, step safe: said when an answer doesn't fit the question"],
        ),
        (
            10,
            None,
            "Yes, I am safe",
            ["flow welcome, step safe: a button (at most 64 characters)"],
        ),
        (12, None, "999", ["flow welcome, step safe: a button (at most 64 characters)"]),
    ]


def test_helpline_names_descriptions_and_notes_are_extracted() -> None:
    found = list(extract_helplines(io.BytesIO(HELPLINES.encode()), [], [], {}))

    assert found == [
        (2, None, "Tell MAMA", ["helpline Tell MAMA: its name"]),
        (3, None, "Support after anti-Muslim hate.", ["helpline Tell MAMA: its description"]),
        (5, None, "Galop", ["helpline Galop: its name"]),
        (6, None, "Opening hours may change.", ["helpline Galop: its note"]),
    ]


def test_a_file_that_is_not_yaml_gives_nothing_rather_than_failing() -> None:
    assert list(extract_flows(io.BytesIO(b"steps: [unclosed"), [], [], {})) == []
    assert list(extract_flows(io.BytesIO(b"\xff\xfe"), [], [], {})) == []


def test_pybabel_extract_collects_yaml_and_python_texts(tmp_path: Path) -> None:
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "flows" / "data").mkdir(parents=True)
    (tmp_path / "flows" / "welcome.yaml").write_text(FLOW, encoding="utf-8")
    (tmp_path / "flows" / "data" / "helplines.yaml").write_text(HELPLINES, encoding="utf-8")
    (tmp_path / "bot").mkdir()
    (tmp_path / "locales").mkdir()
    (tmp_path / "bot" / "words.py").write_text(PYTHON, encoding="utf-8")
    pybabel = Path(sys.executable).parent / "pybabel"

    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", "locales/messages.pot", "."],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )

    template = (tmp_path / "locales" / "messages.pot").read_text(encoding="utf-8")
    assert (
        "#. flow welcome, step hello: a message\n"
        "#: flows/welcome.yaml:6\n"
        "#, python-brace-format\n"
        'msgid "Hello. You are in {area}."\n'
    ) in template
    assert '#: bot/words.py:3\nmsgid "Sorry, that did not work."\n' in template
    assert (
        "#. helpline Tell MAMA: its description\n"
        "#: flows/data/helplines.yaml:3\n"
        'msgid "Support after anti-Muslim hate."\n'
    ) in template
