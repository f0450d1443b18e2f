"""getUpdates (long polling) and the webhook methods."""

from __future__ import annotations

import re
from typing import Any

from bot.testing.accounts import WebhookConfig
from bot.testing.api.context import Call, Described, Handler
from bot.testing.errors import bad_request, conflict
from bot.testing.models import Json

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(call: Call) -> list[str] | None:
    value = call.params.decoded("allowed_updates", "can't parse allowed updates JSON object")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise bad_request("can't parse allowed updates JSON object")
    return value


async def get_updates(call: Call) -> list[Json]:
    """getUpdates: confirm below `offset`, then answer at once or wait up to `timeout`."""
    bot, params = call.bot, call.params
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = max(params.number("timeout") or 0.0, 0.0)
    queue = bot.updates
    queue.set_allowed(_allowed_updates(call))
    queue.confirm(params.integer("offset") or 0)
    # A newer poll ends this one with 409, as when two bot instances share a token.
    queue.poll_generation += 1
    generation = queue.poll_generation
    call.changed()
    if not queue.pending and timeout > 0:
        await call.world.changed.wait_for(
            lambda: (
                bool(queue.pending)
                or queue.poll_generation != generation
                or bot.webhook is not None
                or call.world.closed
            ),
            timeout,
        )
    if queue.poll_generation != generation:
        raise conflict(TERMINATED)
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    return queue.take(limit)


async def set_webhook(call: Call) -> Described:
    """setWebhook: deliver updates by POST from now on (an empty url removes it)."""
    params = call.params
    url = (params.text("url") or "").strip()
    if not url:
        return await delete_webhook(call)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.text("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = _allowed_updates(call)
    if params.flag("drop_pending_updates"):
        call.bot.updates.drop_all()
    call.bot.updates.set_allowed(allowed)
    call.bot.webhook = WebhookConfig(url, secret, max_connections, allowed)
    call.world.on_webhook_change(call.bot)
    call.changed()
    return Described(True, "Webhook was set")


async def delete_webhook(call: Call) -> Described:
    """deleteWebhook: back to getUpdates, optionally dropping what is pending."""
    if call.params.flag("drop_pending_updates"):
        call.bot.updates.drop_all()
    had_webhook = call.bot.webhook is not None
    call.bot.webhook = None
    call.world.on_webhook_change(call.bot)
    call.changed()
    return Described(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


async def get_webhook_info(call: Call) -> Json:
    """getWebhookInfo: the url, pending count and the last delivery error."""
    bot = call.bot
    info: dict[str, Any] = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates.pending),
    }
    status = bot.webhook_status
    if status.last_error_date is not None:
        info["last_error_date"] = status.last_error_date
        info["last_error_message"] = status.last_error_message
    if bot.webhook is not None:
        info["max_connections"] = bot.webhook.max_connections
        if bot.webhook.allowed_updates is not None:
            info["allowed_updates"] = bot.webhook.allowed_updates
    return info


HANDLERS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
