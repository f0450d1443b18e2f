"""`standby run`: wire a Telegram library to the core and keep it running."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.adapters.telegram.admin import AdminHandler
from bot.adapters.telegram.alerts import TelegramAlertChannel
from bot.adapters.telegram.api import BotApi, BotInfo
from bot.adapters.telegram.callbacks import CallbackCodec
from bot.adapters.telegram.commands import publish_menus
from bot.adapters.telegram.errors import Rejected, RetryAfter, Transient, Unreadable
from bot.adapters.telegram.files import TelegramFiles
from bot.adapters.telegram.inbound import InboundHandler, Incoming
from bot.adapters.telegram.retry import Sleep, patiently
from bot.adapters.telegram.sender import TelegramSender
from bot.adapters.telegram.staff import StaffChat, open_staff_chat
from bot.adapters.telegram.webhook import HttpServer, make_app, webhook_path
from bot.bootstrap import Core, bootstrap
from bot.config import Settings, SettingsError
from bot.i18n import Translations, translator_for
from bot.i18n.languages import LANGUAGES
from bot.services.broadcasts.compose import AlertComposer
from bot.services.broadcasts.delivery import DeliveryEngine, DeliveryServices
from bot.services.broadcasts.desk import BroadcastDesk
from bot.services.broadcasts.ratelimit import (
    RateLimiter,
    RedisUnavailableError,
    check_redis,
    make_rate_limiter,
)
from bot.services.clock import Clock
from bot.services.housekeeping import keep_tidy
from bot.services.watch import watch_flows
from bot.storage import MessageLog, ReportRepository, UpdateLedger, resolve_url

log = logging.getLogger(__name__)
Receive = Callable[[Incoming], Awaitable[None]]
# How long to wait between attempts while Telegram can't be reached at start.
FIRST_WAIT, LONGEST_WAIT = 1.0, 60.0


class TokenRefused(Exception):
    """The Bot API refused BOT_TOKEN (wrong, or revoked in @BotFather)."""


class BotApiUnreadable(Exception):
    """The library could not read the Bot API's getMe reply; the message says what is
    wrong in it. Another Bot API version, or no Bot API server at BOT_API_URL."""


async def introduce(framework: Framework, sleep: Sleep = asyncio.sleep) -> BotInfo:
    """Start the library and getMe, waiting as long as it takes while Telegram can't be
    reached: a bot started before the network is up should come up with it, not die."""
    wait = FIRST_WAIT
    while True:
        try:
            await framework.start()
            return await framework.api.get_me()
        except Unreadable as unreadable:
            # Waiting would not help: the same reply would come again, forever.
            raise BotApiUnreadable(str(unreadable)) from None
        except Rejected as refused:
            raise TokenRefused(str(refused)) from None
        except (Transient, RetryAfter) as failure:
            log.warning(
                "Telegram can't be reached yet (%s); trying again in %.0f s",
                type(failure).__name__,
                wait,
            )
            await sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)


class Framework(Protocol):
    @property
    def api(self) -> BotApi: ...

    async def start(self) -> None: ...
    async def poll(self) -> None: ...
    async def stop_polling(self) -> None: ...
    async def feed(self, data: dict[str, Any]) -> None: ...
    async def close(self) -> None: ...


def make_framework(settings: Settings, receive: Receive) -> Framework:
    """Imported lazily: a deployment needs only the library it uses to import cleanly."""
    if settings.BOT_FRAMEWORK == "ptb":
        from bot.adapters.ptb_bot import PtbRuntime

        return PtbRuntime(settings.BOT_TOKEN, settings.BOT_API_URL, receive)
    from bot.adapters.aiogram_bot import AiogramRuntime

    return AiogramRuntime(settings.BOT_TOKEN, settings.BOT_API_URL, receive)


# How long a shutdown waits for updates already received to be answered.
DRAIN_SECONDS = 20.0


@dataclass
class Running:
    """A started bot; `stop` ends it. Tests start one in-process and read `http_port`."""

    core: Core
    framework: Framework
    http: HttpServer
    inbound: InboundHandler | None = None
    limiter: RateLimiter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stopped: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def http_port(self) -> int:
        return self.http.port

    async def stop(self) -> None:
        """Stop taking updates, finish those already taken, then let go of everything."""
        self.stopped.set()
        await self.framework.stop_polling()
        await self.http.stop()
        if self.inbound is not None:
            try:
                await asyncio.wait_for(self.inbound.drain(), DRAIN_SECONDS)
            except TimeoutError:
                log.warning("stopped with updates still being handled")
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.limiter is not None:
            await self.limiter.close()
        await self.framework.close()
        await self.core.close()


async def start(settings: Settings, *, clock: Clock | None = None) -> Running:
    """Start the bot: polling, or a webhook when WEBHOOK_URL is set."""
    core = await bootstrap(settings, clock=clock)
    handler: list[InboundHandler] = []

    async def receive(update: Incoming) -> None:
        await handler[0].receive(update)

    framework = make_framework(settings, receive)
    try:
        me = await introduce(framework)
    except BaseException:  # a Ctrl-C while starting cancels: let go then too
        await framework.close()
        await core.close()
        raise
    sessionmaker = core.sessionmaker
    messages, ledger = MessageLog(sessionmaker), UpdateLedger(sessionmaker)

    def translators(language: str | None) -> Translations:
        return translator_for(language, settings.LOCALES_DIR)

    secret = button_secret(settings.BOT_TOKEN)
    codec = CallbackCodec(secret)
    sender = TelegramSender(
        framework.api,
        contacts=core.contacts,
        messages=messages,
        codec=codec,
        translators=translators,
        clock=core.clock,
    )
    staff: StaffChat | None = None
    if settings.STAFF_CHAT_ID is not None:
        staff = open_staff_chat(
            framework.api,
            settings.STAFF_CHAT_ID,
            secret,
            reports=core.reports,
            repository=ReportRepository(sessionmaker),
            clock=core.clock,
        )
    broadcasts = await open_broadcasts(core, framework.api, me, secret)
    handler.append(
        InboundHandler(
            bot_id=me.id,
            api=framework.api,
            conversation=core.conversation(sender, TelegramFiles(framework.api)),
            sender=sender,
            contacts=core.contacts,
            ledger=ledger,
            codec=codec,
            flows=lambda: core.library.current,
            clock=core.clock,
            staff=None if staff is None else staff.handler,
            admin=broadcasts.admin,
        )
    )
    webhook = bool(settings.WEBHOOK_URL)
    host, port = settings.listen
    app = make_app(
        feed=framework.feed if webhook else None,
        secret=settings.WEBHOOK_SECRET,
        path=webhook_path(settings.WEBHOOK_URL),
    )
    http = HttpServer(app, host, port)
    running = Running(core, framework, http, handler[0], broadcasts.limiter)
    try:
        try:
            await http.start()
        except OSError as error:
            raise SettingsError(listen_problem(host, port, error)) from None
        # In the background: people are answered while menus are set (or failing to be).
        menus = publish_menus(framework.api, core.library.current, LANGUAGES - {"en"}, translators)
        running.tasks.append(asyncio.create_task(menus))
        if webhook:
            await patiently(
                lambda: framework.api.set_webhook(settings.WEBHOOK_URL, settings.WEBHOOK_SECRET)
            )
        else:
            await patiently(framework.api.delete_webhook)
            running.tasks.append(asyncio.create_task(framework.poll()))
        running.tasks += [
            asyncio.create_task(watch_flows(core.library)),
            asyncio.create_task(broadcasts.engine.run()),
            asyncio.create_task(
                keep_tidy(core.clock, core.sessions, ledger, messages, core.retention)
            ),
        ]
        if staff is not None:
            # Also posts what an earlier run could not (Telegram down, a restart).
            running.tasks.append(asyncio.create_task(staff.desk.keep_posting()))
    except BaseException:
        await running.stop()
        raise
    mode = f"webhook on {host}:{http.port}" if webhook else "polling"
    log.info("Standby is running as @%s with %s (%s)", me.username, settings.BOT_FRAMEWORK, mode)
    return running


def listen_problem(host: str, port: int, error: OSError) -> str:
    """What to say when the web server cannot listen: a port in use says how to choose
    another (with WEBHOOK_LISTEN not set, the default 8080 may well be taken)."""
    if error.errno != errno.EADDRINUSE:
        return (
            f"setting WEBHOOK_LISTEN is wrong: cannot listen on {host}:{port} "
            f"({error.strerror or error})"
        )
    problem = f"setting WEBHOOK_LISTEN: port {port} on {host} is in use by another program"
    free = free_port_near(host, port)
    if free is None:
        return f"{problem}; choose another port with WEBHOOK_LISTEN={host}:<port>"
    shown = f"[{host}]" if ":" in host else host
    return f"{problem}; choose another with WEBHOOK_LISTEN={shown}:{free}"


def free_port_near(host: str, port: int, tries: int = 100) -> int | None:
    """A port after `port` that is free on `host` right now, to suggest."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port + 1, min(port + tries, 65535) + 1):
        with socket.socket(family) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def button_secret(token: str) -> bytes:
    """The key that signs the bot's buttons: the same in every process of one bot."""
    return hashlib.sha256(b"standby-buttons:" + token.encode()).digest()


def stop_on_signals(stopped: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    loop.add_signal_handler(signal.SIGINT, stopped.set)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The delivery engine of this process, with what it sends through."""

    engine: DeliveryEngine
    limiter: RateLimiter
    channel: TelegramAlertChannel
    composer: AlertComposer


@dataclass(frozen=True, slots=True)
class Broadcasts:
    """Broadcast alerts, wired: the delivery engine to run, the admin commands' handler."""

    engine: DeliveryEngine
    admin: AdminHandler
    limiter: RateLimiter


async def open_delivery(core: Core, api: BotApi, me: BotInfo) -> Delivery:
    settings = core.settings
    if settings.REDIS_URL:
        try:
            await check_redis(settings.REDIS_URL)
        except RedisUnavailableError as error:
            # Conversations matter more than a shared rate: start, and pace alone meanwhile.
            log.warning("%s; broadcasts use this process's own rate until it can be", error)
    limiter = make_rate_limiter(
        settings.BROADCAST_RATE, settings.REDIS_URL or None, f"standby:broadcast-rate:{me.id}"
    )
    channel = TelegramAlertChannel(api)
    library = core.library
    composer = AlertComposer(
        lambda: library.alert_templates, lambda: library.areas, core.translators
    )
    services = DeliveryServices(core.broadcasts, core.contacts, core.subscriptions, core.audit)
    engine = DeliveryEngine(
        services,
        channel,
        composer,
        limiter,
        core.clock,
        rate=settings.BROADCAST_RATE,
        paid=settings.BROADCAST_PAID,
        single_sender=core.database.dialect.name == "sqlite",
    )
    return Delivery(engine, limiter, channel, composer)


async def open_broadcasts(core: Core, api: BotApi, me: BotInfo, secret: bytes) -> Broadcasts:
    settings = core.settings
    delivery = await open_delivery(core, api, me)
    library = core.library
    desk = BroadcastDesk(
        repository=core.broadcasts,
        subscriptions=core.subscriptions,
        roles=core.roles,
        audit=core.audit,
        composer=delivery.composer,
        areas=lambda: library.areas,
        clock=core.clock,
        admin_ids=settings.ADMIN_IDS,
        approvals_needed=settings.BROADCAST_APPROVALS,
        rate=settings.BROADCAST_RATE,
        channel=delivery.channel,
        wake=delivery.engine.wake,
    )
    admin = AdminHandler(
        api,
        desk,
        core.roles,
        frozenset(settings.ADMIN_IDS),
        lambda: library.alert_templates,
        lambda: library.areas,
        secret,
    )
    return Broadcasts(delivery.engine, admin, delivery.limiter)


async def deliver_until_signalled(settings: Settings) -> None:
    """`standby broadcast deliver`: only the delivery engine, no conversations; for a
    process that helps send a large broadcast beside the bots, until SIGINT/SIGTERM."""
    if resolve_url(settings.DATABASE_URL or None).get_backend_name() == "sqlite":
        # Each SQLite sender takes back at start what others hold: only one may run.
        raise SettingsError(
            "setting DATABASE_URL is SQLite: extra senders need PostgreSQL, where several "
            "processes share a broadcast; with SQLite the bot itself is the one sender"
        )
    core = await bootstrap(settings)

    async def ignore(_update: Incoming) -> None:
        return None

    framework = make_framework(settings, ignore)
    try:
        me = await introduce(framework)
        delivery = await open_delivery(core, framework.api, me)
        stopped = asyncio.Event()
        stop_on_signals(stopped)
        log.info("delivering broadcasts as @%s (no conversations)", me.username)
        sending = asyncio.create_task(delivery.engine.run())
        await stopped.wait()
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        await delivery.limiter.close()
    finally:
        await framework.close()
        await core.close()


async def run_until_signalled(
    settings: Settings, *, started: Callable[[], None] | None = None
) -> None:
    """`standby run`: until SIGINT/SIGTERM; SIGHUP reloads the flows. `started` is called
    once the bot answers, so nothing claims it runs before a start-up error could show."""
    running = await start(settings)
    if started is not None:
        started()
    stop_on_signals(running.stopped)
    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, running.core.library.reload)
    try:
        await running.stopped.wait()
    finally:
        log.info("stopping")
        await running.stop()
