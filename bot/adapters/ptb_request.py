"""python-telegram-bot's Bot API requests over aiohttp instead of httpx.

PTB sends its requests through any `BaseRequest`: its documented way to change the HTTP
library (its maintainers publish an aiohttp one in ptbcontrib, which is not on PyPI). httpx's
connection pool (httpcore 1.0) checks every open connection on every request, a system call
each, and a busy bot keeps dozens open: that check was a third of the PTB bot's CPU
(bench/updates.py). aiohttp's pool does no such thing, and aiohttp is already what the
aiogram adapter and the webhook server run on.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue  # BaseRequest's own signature types
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# What PTB's own request defaults to (ApplicationBuilder), in seconds.
READ_TIMEOUT = CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0


_TLS = ssl.create_default_context(cafile=certifi.where())


@dataclass(frozen=True, slots=True)
class _Timeouts:
    read: float | None
    connect: float | None
    pool: float | None


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session of up to `connections` connections.

    PTB's timeouts map onto aiohttp's: `read` bounds each wait for data, `connect` opening a
    connection, and `pool` plus `connect` getting one (free or new). aiohttp has no write
    timeout, so `write_timeout` is not used: a stalled upload ends at the read timeout.
    """

    __slots__ = ("_connections", "_defaults", "_session")

    def __init__(
        self,
        *,
        connections: int,
        read_timeout: float | None = READ_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self._connections = connections
        self._defaults = _Timeouts(read_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._defaults.read

    async def initialize(self) -> None:
        # Called again after `shutdown` (and on a retried start): a closed session is
        # replaced, an open one kept.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # certifi's certificates, as httpx and aiogram use: the same on every host.
                connector=aiohttp.TCPConnector(limit=self._connections, ssl=_TLS),
                timeout=aiohttp.ClientTimeout(total=None),
                # HTTPS_PROXY and NO_PROXY from the environment, as PTB's httpx honours them.
                trust_env=True,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        headers = {"User-Agent": self.USER_AGENT}
        try:
            async with session.request(
                method, url, data=_body(request_data), headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut(f"aiohttp: {type(error).__name__}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _timeout(
        self, read: ODVInput[float], connect: ODVInput[float], pool: ODVInput[float]
    ) -> aiohttp.ClientTimeout:
        """The call's timeouts, or this request's where the call gives none."""
        defaults = self._defaults
        reading = defaults.read if isinstance(read, DefaultValue) else read
        connecting = defaults.connect if isinstance(connect, DefaultValue) else connect
        waiting = defaults.pool if isinstance(pool, DefaultValue) else pool
        getting = None if connecting is None or waiting is None else connecting + waiting
        return aiohttp.ClientTimeout(
            total=None, connect=getting, sock_connect=connecting, sock_read=reading
        )


def _body(request_data: RequestData | None) -> dict[str, str] | aiohttp.FormData | None:
    """The parameters form-encoded, as PTB sends them; multipart when there are files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
