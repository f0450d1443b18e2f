"""python-telegram-bot's requests over aiohttp: bodies, timeouts and errors as PTB expects."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator

import pytest
from aiohttp import BodyPartReader, web
from aiohttp.test_utils import TestServer
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.adapters.ptb_request import AiohttpRequest


async def _echo(request: web.Request) -> web.Response:
    """Answers with what it was sent, the way a test can read it back."""
    if request.content_type == "multipart/form-data":
        parts: dict[str, dict[str, str | None]] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader)
            parts[part.name or ""] = {
                "filename": part.filename,
                "type": part.headers.get("Content-Type"),
                "value": (await part.read()).decode(),
            }
        return web.json_response({"multipart": parts})
    form = await request.post()
    body = {
        "method": request.method,
        "type": request.content_type,
        "form": dict(form),
        "agent": request.headers["User-Agent"],
    }
    return web.json_response(body, status=int(request.query.get("status", "200")))


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query["seconds"]))
    return web.json_response({"ok": True, "result": True})


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/slow", _slow)
    app.router.add_post("/bot123:abc/getMe", _get_me)
    started = TestServer(app, host="127.0.0.1")
    await started.start_server()
    try:
        yield started
    finally:
        await started.close()


async def _get_me(_request: web.Request) -> web.Response:
    me = {"id": 123, "is_bot": True, "first_name": "Standby", "username": "standby_bot"}
    return web.json_response({"ok": True, "result": me})


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    made = AiohttpRequest(connections=4, read_timeout=0.5)
    await made.initialize()
    yield made
    await made.shutdown()


def _data(**parameters: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])


async def test_parameters_are_sent_form_encoded_as_json_values(
    server: TestServer, request_: AiohttpRequest
) -> None:
    status, body = await request_.do_request(
        str(server.make_url("/echo")), "POST", _data(chat_id=42, text="سلام", flag=True)
    )

    sent = json.loads(body)
    assert status == 200
    assert sent["type"] == "application/x-www-form-urlencoded"
    assert sent["form"] == {"chat_id": "42", "text": "سلام", "flag": "true"}
    assert sent["agent"].startswith("python-telegram-bot")


async def test_files_go_as_multipart_with_their_names_and_types(
    server: TestServer, request_: AiohttpRequest
) -> None:
    document = InputFile(b"evidence", filename="note.txt", attach=True)

    _, body = await request_.do_request(
        str(server.make_url("/echo")), "POST", _data(chat_id=42, document=document)
    )

    parts = json.loads(body)["multipart"]
    assert parts["chat_id"]["value"] == "42"
    attached = next(part for name, part in parts.items() if name not in {"chat_id", "document"})
    assert attached["filename"] == "note.txt"
    assert attached["value"] == "evidence"
    assert attached["type"] == "text/plain"


async def test_a_status_and_body_come_back_as_they_are(
    server: TestServer, request_: AiohttpRequest
) -> None:
    status, body = await request_.do_request(str(server.make_url("/echo?status=502")), "GET")

    assert status == 502  # PTB's BaseRequest turns statuses into its errors
    assert json.loads(body)["method"] == "GET"


async def test_a_reply_slower_than_the_read_timeout_is_timed_out(
    server: TestServer, request_: AiohttpRequest
) -> None:
    with pytest.raises(TimedOut):
        await request_.do_request(str(server.make_url("/slow?seconds=2")), "GET")


async def test_a_longer_read_timeout_for_one_call_is_honoured(
    server: TestServer, request_: AiohttpRequest
) -> None:
    # As for getUpdates, whose long poll outlasts the default read timeout.
    status, _ = await request_.do_request(
        str(server.make_url("/slow?seconds=0.8")), "GET", read_timeout=3
    )

    assert status == 200


async def test_nothing_listening_is_a_network_error_not_a_timeout(
    request_: AiohttpRequest,
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        await request_.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")

    assert not isinstance(raised.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in raised.value.message


async def test_a_request_works_only_between_initialize_and_shutdown(server: TestServer) -> None:
    made = AiohttpRequest(connections=1)
    url = str(server.make_url("/echo"))
    with pytest.raises(RuntimeError, match="not initialized"):
        await made.do_request(url, "GET")
    await made.initialize()
    await made.initialize()  # again (a retried start): the same session is kept
    assert (await made.do_request(url, "GET"))[0] == 200
    await made.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await made.do_request(url, "GET")
    await made.initialize()  # after a shutdown, a new session
    assert (await made.do_request(url, "GET"))[0] == 200
    await made.shutdown()
    await made.shutdown()  # twice is harmless


async def test_python_telegram_bots_bot_runs_on_it(server: TestServer) -> None:
    bot = Bot(
        "123:abc",
        base_url=str(server.make_url("/bot")),
        request=AiohttpRequest(connections=2),
        get_updates_request=AiohttpRequest(connections=1),
    )
    async with bot:
        me = await bot.get_me()

    assert me.username == "standby_bot"
    assert bot.request.read_timeout == 5.0


def test_telegram_is_reached_over_verified_tls() -> None:
    from bot.adapters import ptb_request

    assert ptb_request._TLS.verify_mode is ssl.CERT_REQUIRED
    assert ptb_request._TLS.check_hostname


async def test_a_proxy_set_in_the_environment_is_used(
    server: TestServer, request_: AiohttpRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As with PTB's default httpx: operators behind an outbound proxy set HTTPS_PROXY.
    monkeypatch.setenv("HTTP_PROXY", str(server.make_url("/")))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    status, body = await request_.do_request("http://telegram.invalid/echo", "GET")

    assert status == 200  # answered by the proxy: telegram.invalid does not exist
    assert json.loads(body)["method"] == "GET"
