"""Bot API errors as Telegram words them, and the `ok: false` body that carries them."""

from __future__ import annotations

from typing import Any

BLOCKED = "bot was blocked by the user"
DEACTIVATED = "user is deactivated"
CANT_INITIATE = "bot can't initiate conversation with a user"


class ApiError(Exception):
    """A failed Bot API call: the HTTP status, Telegram's description and any parameters."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram answers with; `error_code` mirrors the HTTP status."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 "Bad Request: <detail>", the answer to almost every invalid call."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 "Forbidden: <detail>", e.g. when the person blocked the bot."""
    return ApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> ApiError:
    """409 "Conflict: <detail>", for getUpdates while a webhook is set or another poll runs."""
    return ApiError(409, f"Conflict: {detail}")


def unauthorized() -> ApiError:
    """401, the answer to a well-formed token that no bot owns."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """404, the answer to an unknown method or a malformed token."""
    return ApiError(404, "Not Found")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with `parameters.retry_after`, which clients turn into a pause."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def cant_parse_entities(detail: str) -> ApiError:
    """400 for text whose HTML or Markdown Telegram cannot read."""
    return bad_request(f"can't parse entities: {detail}")
