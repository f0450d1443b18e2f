"""reply_markup as Telegram checks it: inline keyboards strictly, the others loosely."""

from __future__ import annotations

from typing import Any

from bot.testing.errors import bad_request

MAX_BUTTONS = 100
MAX_ROW = 8
MAX_CALLBACK_BYTES = 64

# Exactly one of these makes an inline button do something.
_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def checked_markup(markup: Any) -> dict[str, Any] | None:
    """The reply_markup to store, after Telegram's checks; None when none was given."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_keyboard(markup["inline_keyboard"])}
    if "keyboard" in markup:
        _rows(markup["keyboard"])
        return dict(markup)
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return dict(markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every inline button of a markup, row by row; none for other keyboards."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def _rows(rows: Any) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return rows


def _inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    checked = _rows(rows)
    if sum(len(row) for row in checked) > MAX_BUTTONS or any(len(r) > MAX_ROW for r in checked):
        raise bad_request("reply markup is too long")
    return [[_inline_button(button) for button in row] for row in checked]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: only one action is allowed")
    if "callback_data" in actions:
        data = button["callback_data"]
        # The limit is in bytes: 33 "é" (two bytes each) are already too many.
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions and not (isinstance(button["url"], str) and button["url"].strip()):
        raise bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if value is not None}
