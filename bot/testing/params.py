"""Method parameters from any body a client sends: query string, JSON, urlencoded, multipart.

Form bodies carry every value as a string, so (like Telegram) a value is decoded by the
type its parameter expects: "42" is a number for chat_id, a JSON string is an object for
reply_markup, "true" is a boolean for allow_paid_broadcast, and text stays text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.testing.errors import ApiError, bad_request

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    data: bytes
    file_name: str | None
    content_type: str | None

    def __repr__(self) -> str:
        return f"UploadedFile({self.file_name!r}, {len(self.data)} bytes)"


class Params:
    """Typed, read-only access to one call's parameters."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def as_dict(self) -> dict[str, Any]:
        """All parameters as received (files as `UploadedFile`), for call records."""
        return dict(self._values)

    def raw(self, name: str) -> Any:
        """The value as received, or None."""
        return self._values.get(name)

    def text(self, name: str) -> str | None:
        """A string parameter; numbers are accepted and turned into text."""
        value = self._values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def integer(self, name: str) -> int | None:
        """An integer parameter, from a JSON number or a decimal string."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def number(self, name: str) -> float | None:
        """A numeric parameter (e.g. a timeout)."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def flag(self, name: str) -> bool:
        """A boolean parameter; absent means false."""
        value = self._values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def decoded(self, name: str, error: str) -> Any:
        """An object or array parameter, decoding JSON text; 400 `error` when unreadable."""
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error) from None

    def file(self, name: str) -> UploadedFile | str | None:
        """An InputFile: an upload, "attach://<part>" naming one, a file_id or a URL."""
        value = self._values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self._values.get(value.removeprefix("attach://"))
            if not isinstance(value, UploadedFile):
                raise bad_request(f"file of field {name} not found in the request")
        if value is None or isinstance(value, UploadedFile | str):
            return value
        raise bad_request(f"wrong type of field {name}")


async def read_params(request: web.Request) -> Params:
    """Collect parameters from the query string and the body, whatever its encoding."""
    values: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return Params(values)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        values.update(body)
    elif request.content_type in _FORM_TYPES:
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        for key, value in form.items():
            if isinstance(value, web.FileField):
                values[key] = UploadedFile(value.file.read(), value.filename, value.content_type)
            else:
                values[key] = value
    return Params(values)
