"""The HTML and Markdown parsers on their own, and UTF-16 bookkeeping."""

from __future__ import annotations

import pytest

from bot.testing.errors import ApiError
from bot.testing.formatting import format_text
from bot.testing.markup_html import parse_html
from bot.testing.markup_markdown import parse_markdown, parse_markdown_v2
from bot.testing.text import FormattedText, command_entities, utf16_len


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_len("a😀é") == 4


def test_html_entities_and_numeric_references() -> None:
    parsed = parse_html("&lt;3 &amp; &#128512; &#x41; &quot;q&quot; & stays")
    assert parsed.text == '<3 & 😀 A "q" & stays'


def test_html_pre_with_language_and_nested_tags() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre><b><i>bi</i></b>')
    assert parsed.text == "x = 1bi"
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "bold", "offset": 5, "length": 2},
        {"type": "italic", "offset": 5, "length": 2},
    ]


def test_html_spoilers_quotes_and_attribute_errors() -> None:
    parsed = parse_html('<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>')
    assert [e["type"] for e in parsed.entities] == ["spoiler", "expandable_blockquote"]
    with pytest.raises(ApiError, match='Tag "span" must have class "tg-spoiler"'):
        parse_html("<span>s</span>")
    with pytest.raises(ApiError, match="Unclosed start tag at byte offset 0"):
        parse_html('<a href="x')


def test_html_error_offsets_are_in_bytes() -> None:
    with pytest.raises(ApiError, match='"p" at byte offset 5'):
        parse_html("héé<p>")


def test_markdown_v2_entities_and_escapes() -> None:
    parsed = parse_markdown_v2(r"*bold* _it_ __u__ ~s~ ||sp|| `c\`` [link](https://x\.org) 1\+1")
    assert parsed.text == "bold it u s sp c` link 1+1"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert parsed.entities[-1]["url"] == "https://x.org"


def test_markdown_v2_pre_language_and_quotes() -> None:
    parsed = parse_markdown_v2("```python\nprint(1)\n```\n>quoted")
    assert parsed.text == "print(1)\n\nquoted"
    assert parsed.entities[0] == {"type": "pre", "offset": 0, "length": 9, "language": "python"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hello!", "Character '!' is reserved"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("*a _b* c_", "Can't find end of Bold entity"),
        ("[x](https://a", "Can't find end of a URL"),
    ],
)
def test_markdown_v2_errors(text: str, message: str) -> None:
    with pytest.raises(ApiError, match=message.replace("*", r"\*")):
        parse_markdown_v2(text)


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*b* _i_ `c` [t](https://u) a\\_b")
    assert parsed.text == "b i c t a_b"
    with pytest.raises(ApiError, match="Can't find end of the entity starting at byte offset 0"):
        parse_markdown("*open")


def test_explicit_entities_and_unknown_parse_modes() -> None:
    entities = [{"type": "bold", "offset": 0, "length": 2}]
    assert format_text("hi", "HTML", entities).entities == entities
    with pytest.raises(ApiError, match="can't parse entities JSON object"):
        format_text("hi", None, [{"type": "bold"}])
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("hi", "BBCode")


def test_trimming_moves_entities() -> None:
    trimmed = FormattedText("  ab  ", [{"type": "bold", "offset": 1, "length": 3}]).trimmed()
    assert trimmed == FormattedText("ab", [{"type": "bold", "offset": 0, "length": 2}])


def test_bot_commands_are_found_anywhere() -> None:
    assert command_entities("hi /help@standby_bot and /start") == [
        {"type": "bot_command", "offset": 3, "length": 17},
        {"type": "bot_command", "offset": 25, "length": 6},
    ]
    assert command_entities("a/b http://x/y") == []
