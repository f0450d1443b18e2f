"""Writing an alert out for each subscriber: header per kind, template or free text,
values as each language writes them, right-to-left isolation, and what happens when a
translation or a template is broken."""

from __future__ import annotations

import logging

import pytest

from bot.flowdef.alerts import AlertTemplate, AlertTemplates
from bot.i18n import LANGUAGES, translator_for
from bot.services.broadcasts.compose import (
    FOOTER,
    HEADERS,
    NOT_IN_YOUR_LANGUAGE,
    RETRACTED,
    AlertComposer,
    AlertContent,
    ContentError,
    format_value,
)
from tests.services.broadcast_fakes import (
    FREE,
    GATHERING,
    LOCALES,
    Holder,
    composer,
    fake_translators,
    real_areas,
    real_templates,
)

FSI, PDI, LRI = "\u2068", "\u2069", "\u2066"
ENGLISH_GATHERING = (
    "⚠️ Alert for Rotherham: a far-right gathering has been announced at Clifton Park on "
    "Monday, 14 December 2026, from 14:00."
)


def _gathering() -> AlertTemplate:
    found = real_templates().get("gathering_announced")
    assert found is not None
    return found


TEMPLATE = _gathering()
POLISH = {
    HEADERS["alert"]: "🔔 Alert Standby",
    HEADERS["correction"]: "🔔 Poprawka do naszego wcześniejszego alertu",
    HEADERS["retraction"]: "🔔 Prosimy zignorować nasz wcześniejszy alert",
    RETRACTED: "Wcześniejszy alert był pomyłką. Prosimy go zignorować.",
    NOT_IN_YOUR_LANGUAGE: "Ten alert nie został napisany po polsku, więc jest po angielsku.",
    FOOTER: "Dostajesz alerty, bo o nie prosiłeś.",
    TEMPLATE.text: "⚠️ Alert dla {area}: zgromadzenie w {place}, {day}, od {time}.",
    "Yorkshire and the Humber": "Yorkshire i Humber",
    "Rotherham": "Rotherham (PL)",
}
ARABIC = {
    HEADERS["alert"]: "🔔 تنبيه",
    NOT_IN_YOUR_LANGUAGE: "لم يُكتب هذا التنبيه بلغتك، لذا فهو بالإنجليزية.",
    FOOTER: "تصلك التنبيهات لأنك طلبتها.",
    TEMPLATE.text: "⚠️ تنبيه لـ {area}: تجمع في {place} يوم {day} من الساعة {time}.",
    "Rotherham": "روثرهام",
}


def parts(text: str) -> list[str]:
    return text.split("\n\n")


# --- each kind, with a template or free text ------------------------------------------------


def test_an_alert_from_a_template_has_the_header_the_filled_text_and_the_footer() -> None:
    text = composer().compose("alert", GATHERING, ["rotherham"], "en")

    assert parts(text)[0] == "🔔 Standby alert"
    assert parts(text)[1] == ENGLISH_GATHERING
    assert text.endswith(
        "You get alerts because you asked for them. /alerts changes them, /stop_alerts stops them."
    )
    assert "not written in your language" not in text


@pytest.mark.parametrize(
    ("kind", "header"),
    [("alert", "🔔 Standby alert"), ("correction", "🔔 Correction to our earlier alert")],
)
@pytest.mark.parametrize("content", [GATHERING, FREE], ids=["template", "free text"])
def test_alerts_and_corrections_carry_their_own_header_over_either_kind_of_text(
    kind: str, header: str, content: AlertContent
) -> None:
    text = composer().compose(kind, content, ["rotherham"], None)

    body = ENGLISH_GATHERING if content is GATHERING else "Avoid the town centre today."
    assert parts(text)[:2] == [header, body]
    assert parts(text)[-1].startswith("You get alerts because you asked for them.")


@pytest.mark.parametrize("content", [GATHERING, FREE], ids=["template", "free text"])
def test_a_retraction_says_to_ignore_the_alert_whatever_its_content(
    content: AlertContent,
) -> None:
    text = composer().compose("retraction", content, ["rotherham"], "en")

    assert parts(text) == [
        "🔔 Please ignore our earlier alert",
        "The alert we sent earlier was a mistake or no longer applies. Please ignore it.",
        "You get alerts because you asked for them. /alerts changes them, /stop_alerts stops them.",
    ]


def test_a_retraction_note_follows_the_retraction_in_every_language() -> None:
    note = AlertContent(note="The gathering was called off.")
    alerts = composer({"pl": POLISH})

    english = alerts.compose("retraction", note, ["rotherham"], None)
    polish = alerts.compose("retraction", note, ["rotherham"], "pl")

    assert parts(english)[1:3] == [
        "The alert we sent earlier was a mistake or no longer applies. Please ignore it.",
        "The gathering was called off.",
    ]
    assert parts(polish)[:3] == [
        POLISH[HEADERS["retraction"]],
        POLISH[RETRACTED],
        "The gathering was called off.",
    ]


# --- languages ---------------------------------------------------------------------------


def test_a_template_is_translated_whole_with_values_written_the_polish_way() -> None:
    text = composer({"pl": POLISH}).compose(
        "alert", GATHERING, ["rotherham", "yorkshire_and_the_humber"], "pl"
    )

    assert parts(text) == [
        "🔔 Alert Standby",
        "⚠️ Alert dla Rotherham (PL) i Yorkshire i Humber: zgromadzenie w Clifton Park, "
        "poniedziałek, 14 grudnia 2026, od 14:00.",
        "Dostajesz alerty, bo o nie prosiłeś.",
    ]


def test_arabic_gets_its_date_and_time_and_typed_values_are_isolated() -> None:
    text = composer({"ar": ARABIC}).compose("alert", GATHERING, ["rotherham"], "ar")

    body = parts(text)[1]
    assert body.startswith("⚠️ تنبيه لـ روثرهام: تجمع في ")
    # The place typed in Latin letters keeps its direction inside the Arabic sentence.
    assert f"{FSI}Clifton Park{PDI}" in body
    # Babel's Arabic date and 12-hour time, each isolated as a whole; their digits are
    # also laid out left to right.
    assert f"{FSI}الاثنين، 14 ديسمبر {LRI}2026{PDI}{PDI}" in body
    assert f"{FSI}{LRI}2:00{PDI} م{PDI}" in body
    assert parts(text)[0] == "🔔 تنبيه"


@pytest.mark.parametrize("language", ["ar", "ur", "fa"])
def test_every_right_to_left_language_isolates_values_and_numbers(language: str) -> None:
    text = composer().compose("alert", GATHERING, ["rotherham"], language)

    assert f"{FSI}Clifton Park{PDI}" in text
    assert f"{LRI}999{PDI}" in text


@pytest.mark.parametrize("language", [None, "en", "pl", "tr", "so", "bn"])
def test_left_to_right_languages_have_no_isolates(language: str | None) -> None:
    text = composer().compose("alert", GATHERING, ["rotherham"], language)

    assert not {FSI, PDI, LRI} & set(text)
    assert "Clifton Park" in text


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_template_fits_the_real_catalogs_in_every_language(
    language: str, caplog: pytest.LogCaptureFixture
) -> None:
    alerts = AlertComposer(
        Holder(real_templates()),
        Holder(real_areas()),
        lambda code: translator_for(code, LOCALES),
    )
    values = {"place": "Clifton Park", "day": "2026-12-14", "time": "14:00"}

    with caplog.at_level(logging.ERROR, logger="bot.services.broadcasts.compose"):
        for template in real_templates():
            fields = {field.name: values[field.name] for field in template.fields}
            content = AlertContent(template=template.id, fields=fields)
            text = alerts.compose("alert", content, ["rotherham", "sheffield"], language)
            assert "Clifton Park" in text
            assert "{" not in text
            if "day" in fields:
                plain = text.translate(dict.fromkeys(map(ord, (FSI, PDI, LRI, "\u200f"))))
                assert format_value("date", "2026-12-14", language) in plain

    assert caplog.text == ""  # no translation fell back to English


# --- free text and the "not in your language" note ---------------------------------------


def test_free_text_is_shown_in_the_subscribers_language_when_written_in_it() -> None:
    content = AlertContent(texts={"en": "Avoid the centre.", "pl": "Omijaj centrum."})
    alerts = composer({"pl": POLISH, "ar": ARABIC})

    assert parts(alerts.compose("alert", content, ["leeds"], "pl"))[1:] == [
        "Omijaj centrum.",
        POLISH[FOOTER],
    ]
    for english_reader in (None, "en"):
        assert parts(alerts.compose("alert", content, ["leeds"], english_reader))[1] == (
            "Avoid the centre."
        )
        assert NOT_IN_YOUR_LANGUAGE not in alerts.compose(
            "alert", content, ["leeds"], english_reader
        )


@pytest.mark.parametrize("language", ["ar", "tr", "so"])
def test_without_a_text_in_their_language_people_get_english_and_a_note(language: str) -> None:
    content = AlertContent(texts={"en": "Avoid the centre.", "pl": "Omijaj centrum."})
    alerts = composer({"ar": ARABIC})

    text = alerts.compose("alert", content, ["leeds"], language)

    note = ARABIC[NOT_IN_YOUR_LANGUAGE] if language == "ar" else NOT_IN_YOUR_LANGUAGE
    assert parts(text)[1:3] == ["Avoid the centre.", note]
    assert "Omijaj" not in text


def test_the_note_is_only_for_free_text_not_for_templates_or_retractions() -> None:
    alerts = composer()
    for kind, content in (("alert", GATHERING), ("retraction", AlertContent(note="x"))):
        assert NOT_IN_YOUR_LANGUAGE not in alerts.compose(kind, content, ["leeds"], "tr")


# --- broken translations and templates ---------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        "⚠️ Alert dla {obszar}: zgromadzenie w {place}, {day}, od {time}.",  # renamed
        "⚠️ Alert dla {area}: zgromadzenie w {place}, {day}, od {time.",  # unpaired brace
        "⚠️ Alert dla {0}: zgromadzenie.",  # positional
    ],
    ids=["renamed placeholder", "unpaired brace", "positional placeholder"],
)
def test_a_translation_that_does_not_fit_the_values_falls_back_to_english(
    broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    alerts = composer({"pl": {**POLISH, TEMPLATE.text: broken}})

    with caplog.at_level(logging.ERROR, logger="bot.services.broadcasts.compose"):
        text = alerts.compose("alert", GATHERING, ["rotherham"], "pl")

    body = parts(text)[1]
    assert body == (
        "⚠️ Alert for Rotherham (PL): a far-right gathering has been announced at Clifton "
        "Park on poniedziałek, 14 grudnia 2026, from 14:00."
    )
    assert parts(text)[0] == POLISH[HEADERS["alert"]]  # the rest stays translated
    assert "the pl translation does not fit" in caplog.text


def test_a_translation_that_lost_a_placeholder_falls_back_to_english() -> None:
    lost = "⚠️ Alert dla {area}: zgromadzenie {day}, od {time}."  # no {place}
    alerts = composer({"pl": {**POLISH, TEMPLATE.text: lost}})

    text = alerts.compose("alert", GATHERING, ["rotherham"], "pl")

    assert "Clifton Park" in text


def test_a_removed_template_cannot_be_written_out() -> None:
    templates = Holder(real_templates())
    alerts = composer(templates=templates)
    assert alerts.compose("alert", GATHERING, ["rotherham"], "en")

    templates.value = AlertTemplates(t for t in real_templates() if t.id != GATHERING.template)

    with pytest.raises(ContentError, match="no alert template 'gathering_announced'"):
        alerts.compose("alert", GATHERING, ["rotherham"], "en")
    with pytest.raises(ContentError):
        alerts.template("gathering_announced")


def test_a_missing_or_malformed_value_cannot_be_written_out() -> None:
    alerts = composer()
    missing = AlertContent(template="gathering_announced", fields={"place": "Clifton Park"})
    malformed = AlertContent(
        template="gathering_announced",
        fields={"place": "Clifton Park", "day": "14/12/2026", "time": "14:00"},
    )

    with pytest.raises(ContentError, match="needs a value for day"):
        alerts.compose("alert", missing, ["rotherham"], "en")
    with pytest.raises(ContentError, match="is not a date"):
        alerts.compose("alert", malformed, ["rotherham"], "en")


def test_a_value_holding_braces_is_shown_as_typed() -> None:
    content = AlertContent(template="disorder", fields={"place": "{area} Road {0}"})

    text = composer().compose("alert", content, ["leeds"], "en")

    assert "disorder has been reported at {area} Road {0}." in text


# --- values and area names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "language", "shown"),
    [
        ("date", "2026-12-14", "en", "Monday, 14 December 2026"),
        ("date", "2026-12-14", "pl", "poniedziałek, 14 grudnia 2026"),
        ("date", "2026-12-14", "ar", "الاثنين، 14 ديسمبر 2026"),
        ("time", "14:00", "en", "14:00"),
        ("time", "09:30", "en", "09:30"),
        ("time", "14:00", "pl", "14:00"),
        ("time", "14:00", "ar", "2:00 م"),
        ("text", "Clifton Park", "ar", "Clifton Park"),
        ("date", "2026-12-14", "xx", "2026-12-14"),  # no such locale: as typed
    ],
)
def test_values_are_written_as_each_language_writes_them(
    kind: str, raw: str, language: str, shown: str
) -> None:
    assert format_value(kind, raw, language) == shown


def test_a_malformed_time_is_a_content_error() -> None:
    with pytest.raises(ContentError, match="is not a time"):
        format_value("time", "2pm", "en")


def test_area_names_are_translated_and_joined_as_the_language_lists_things() -> None:
    alerts = composer({"pl": POLISH})

    assert alerts.area_names(["rotherham", "sheffield"], None) == "Rotherham and Sheffield"
    assert alerts.area_names(["leeds", "rotherham", "sheffield"], "en") == (
        "Leeds, Rotherham and Sheffield"
    )
    assert alerts.area_names(["rotherham", "yorkshire_and_the_humber"], "pl") == (
        "Rotherham (PL) i Yorkshire i Humber"
    )
    assert alerts.area_names(["leeds"], "pl") == "Leeds"
    assert alerts.area_names([], "en") == ""


def test_an_area_no_longer_in_the_file_is_shown_by_its_id() -> None:
    assert composer().area_names(["leeds", "atlantis"], "en") == "Leeds and atlantis"


def test_a_language_babel_does_not_know_gets_a_plain_list() -> None:
    alerts = AlertComposer(Holder(real_templates()), Holder(real_areas()), fake_translators())

    assert alerts.area_names(["leeds", "hull", "bradford"], "xx") == "Leeds, Hull, Bradford"


def test_content_survives_its_json_round_trip() -> None:
    content = AlertContent(
        template="disorder", fields={"place": "Market Square"}, texts={}, note="n"
    )

    assert AlertContent.from_json(content.as_json()) == content
    assert AlertContent.from_json({}) == AlertContent(fields={}, texts={})
