"""Failures a test can order: the next N calls answer 403, 500, 502, 429 or never answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.testing.errors import BLOCKED, DEACTIVATED, ApiError
from bot.testing.errors import too_many_requests as _too_many_requests

# What nginx in front of api.telegram.org answers during an outage: HTML, not JSON.
NGINX_BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class Fault:
    """One way a call can fail. Build them with the class methods."""

    status: int
    description: str
    retry_after: int | None = None
    hang: float | None = None
    html: bool = False
    body: dict[str, Any] | None = None

    @classmethod
    def blocked(cls) -> Fault:
        """403 "Forbidden: bot was blocked by the user"."""
        return cls(403, f"Forbidden: {BLOCKED}")

    @classmethod
    def deactivated(cls) -> Fault:
        """403 "Forbidden: user is deactivated"."""
        return cls(403, f"Forbidden: {DEACTIVATED}")

    @classmethod
    def server_error(cls) -> Fault:
        """500 "Internal Server Error"."""
        return cls(500, "Internal Server Error")

    @classmethod
    def bad_gateway(cls, html: bool = False) -> Fault:
        """502 "Bad Gateway"; with `html=True` the nginx page seen in real outages."""
        return cls(502, "Bad Gateway", html=html)

    @classmethod
    def too_many_requests(cls, retry_after: int) -> Fault:
        """429 with `parameters.retry_after` (whole seconds)."""
        error = _too_many_requests(retry_after)
        return cls(429, error.description, retry_after=retry_after)

    @classmethod
    def timeout(cls, hang: float = 90.0) -> Fault:
        """No answer: hold the request `hang` seconds, then drop the connection."""
        return cls(0, "timed out", hang=hang)

    @classmethod
    def raw(cls, body: dict[str, Any], status: int = 200) -> Fault:
        """Answer with `body` as JSON, as it is: a reply the Bot API would not give (a getMe
        result without `id`, say), to see how a library copes."""
        return cls(status, "raw reply", body=body)

    def error(self) -> ApiError:
        """The API error this fault answers with."""
        return ApiError(self.status, self.description, self.retry_after)


@dataclass
class FaultRule:
    """A fault waiting to happen `remaining` more times to matching calls."""

    fault: Fault
    remaining: int
    method: str | None = None
    chat_id: str | None = None

    def matches(self, method: str, chat_id: object) -> bool:
        """Whether a call of `method` to `chat_id` should fail."""
        if self.method is not None and self.method != method.lower():
            return False
        return self.chat_id is None or self.chat_id == str(chat_id)


class FaultInjector:
    """The queue of ordered faults, consumed by matching calls in order."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(
        self,
        fault: Fault,
        times: int = 1,
        method: str | None = None,
        chat_id: int | None = None,
    ) -> FaultRule:
        """Make the next `times` matching calls fail with `fault`."""
        if times < 1:
            raise ValueError("times must be at least 1")
        rule = FaultRule(
            fault,
            times,
            method.lower() if method else None,
            None if chat_id is None else str(chat_id),
        )
        self.rules.append(rule)
        return rule

    def take(self, method: str, chat_id: object) -> Fault | None:
        """The fault for this call, if one is due, counting it as used."""
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self.rules.remove(rule)
                return rule.fault
        return None

    def clear(self) -> None:
        """Cancel every fault still waiting."""
        self.rules.clear()
