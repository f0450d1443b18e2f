"""What caseworkers read in the staff chat: a report's answers, never who sent it.

The summary is built from the answers and the report's clear columns only. It never
holds the chat id, a name, the reference code or its hash: the staff chat is a group,
and whoever is in it must not be able to tell which chat a report came from. What the
person typed (the area, their own words) is shown as typed, because their consent
allows sharing it.

Staff texts are English, for one team reading in one language: they are not in the
catalogs people's languages come from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.services.reports import OpenedReport

HEADING = "New report #{id}, shared with {audience}"
RECEIVED = "Received: {when} UTC"
# Standby has no way yet to pass a caseworker's message on: the line must not promise one.
CONTACTABLE = "Linked to their chat: yes (Standby cannot pass messages to them yet)"
ANONYMOUS = "Linked to their chat: no, the person stayed anonymous"
EVIDENCE = "Evidence: {count} file(s)"
FULL_REPORT = "To read it in full: standby reports show {id}"
CLAIMED_BY = "Claimed by {name}"
# What a post becomes once its report may no longer be shared: no answers left.
WITHDRAWN = "Report #{id} was withdrawn by the person who sent it."
DELETED = "Report #{id} was deleted."

AUDIENCES = {
    "partner": "a partner organisation (consent: partner)",
    "police": "the police (consent: police)",
}

# (answer, label) in the order a caseworker reads them; answers not given are left out.
LINES: Sequence[tuple[str, str]] = (
    ("reporter", "Reported by"),
    ("they_agree", "The person it happened to knows and agrees"),
    ("about", "The hate was about"),
    ("what", "What happened"),
    ("date", "When"),
    ("time_of_day", "Time of day"),
    ("place", "Where"),
    ("area", "Area"),
    ("nation", "Part of the UK"),
    ("people", "The people who did it"),
    ("offender", "Who did it"),
    ("witnesses", "Witnesses"),
    ("repeat", "Happened before"),
    ("impact", "Impact"),
    ("police_told", "Already told the police"),
    ("crime_reference", "Crime reference number"),
    ("support", "Support wanted"),
)
STORY = "In their own words:"


def summary(report: OpenedReport) -> str:
    """The staff chat's text for `report`: plain text, to be escaped when sent."""
    record, answers = report.record, report.answers
    audience = AUDIENCES.get(record.consent, record.consent)
    lines = [
        HEADING.format(id=record.id, audience=audience),
        # Anonymous reports keep only the day: a time would be midnight, and misleading.
        RECEIVED.format(
            when=record.created_at.strftime(
                "%Y-%m-%d" if record.contact_id is None else "%Y-%m-%d %H:%M"
            )
        ),
        "",
    ]
    lines += [f"{label}: {shown}" for key, label in LINES if (shown := _shown(answers.get(key)))]
    story = _shown(answers.get("story"))
    if story:
        lines += ["", STORY, story, ""]
    files = answers.get("evidence")
    if isinstance(files, list) and files:
        lines.append(EVIDENCE.format(count=len(files)))
    lines.append(CONTACTABLE if record.contact_id is not None else ANONYMOUS)
    lines += ["", FULL_REPORT.format(id=record.id)]
    return "\n".join(lines)


def claimed_line(name: str) -> str:
    """The line a claimed report's message ends with."""
    return CLAIMED_BY.format(name=name)


def retracted(report_id: int, *, deleted: bool) -> str:
    """What every message of a retracted post is edited to."""
    return (DELETED if deleted else WITHDRAWN).format(id=report_id)


def _shown(value: Any) -> str:
    """An answer as words: choice values lose their underscores, lists are joined."""
    if value is None or isinstance(value, Mapping):
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(part for item in value if (part := _shown(item)))
    text = str(value).strip()
    return text.replace("_", " ") if _is_choice_value(text) else text


def _is_choice_value(text: str) -> bool:
    # Choice values are lower-case identifiers ("anti_muslim"); typed text is left as typed.
    return text.replace("_", "").isalnum() and text == text.lower() and text.isascii()
