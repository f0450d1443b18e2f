"""The actions behind /alerts and /stop_alerts: areas to choose from, subscribing,
unsubscribing. Area names reach the flow already in the person's language.

Choices for a region start with "All of <region>" (value `all_of_<id>`), then the areas in it;
choosing an area that has areas inside it asks again, one level down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.engine import ActionResult, Value
from bot.engine.texts import N_
from bot.flowdef.areas import WHOLE_AREA, AreaDirectory
from bot.i18n import Translations
from bot.services.clock import Clock
from bot.storage.subscriptions import SubscriptionRepository

if TYPE_CHECKING:  # actions.py lists these actions' names: no import cycle at run time
    from bot.services.actions import ActionContext, ActionRegistry

# TRANSLATORS: a button: alerts for a whole nation or region, e.g. "All of Yorkshire".
ALL_OF = N_("All of {area}")
WHOLE = WHOLE_AREA
# A person can follow this many areas: enough for home, work and family.
MAX_SUBSCRIPTIONS = 10

ALERT_ACTIONS = frozenset(
    {"alert_areas", "subscribe_alerts", "alert_subscriptions", "unsubscribe_alerts", "stop_alerts"}
)


def register_alert_actions(
    registry: ActionRegistry,
    subscriptions: SubscriptionRepository,
    areas: Callable[[], AreaDirectory],
    translators: Callable[[str | None], Translations],
    clock: Clock,
) -> None:
    def names(language: str | None) -> Callable[[str], str]:
        translator = translators(language)
        directory = areas()

        def name(area_id: str) -> str:
            area = directory.get(area_id)
            return translator.gettext(area.name) if area is not None else area_id

        return name

    async def alert_areas(context: ActionContext) -> ActionResult:
        """`within` ("" for the nations) -> `areas` (choices), `more` ("yes"/"no")."""
        within = str(context.request.params.get("within", ""))
        if within.startswith(WHOLE):
            return ActionResult(values={"areas": [], "more": "no"})
        directory = areas()
        if within and directory.get(within) is None:
            return ActionResult(ok=False)
        inside = directory.children(within or None)
        if within and not inside:
            return ActionResult(values={"areas": [], "more": "no"})
        language = context.contact.language
        name = names(language)
        choices = [{"label": name(area.id), "value": area.id} for area in inside]
        if within:
            whole = translators(language).gettext(ALL_OF).format(area=name(within))
            choices.insert(0, {"label": whole, "value": f"{WHOLE}{within}"})
        return ActionResult(values={"areas": choices, "more": "yes"})

    async def subscribe_alerts(context: ActionContext) -> ActionResult:
        """`area` (an id, or `all_of_<id>`) -> `area_name`, `subscribed`, `full` ("yes"/"no")."""
        area = str(context.request.params.get("area", "")).removeprefix(WHOLE)
        if areas().get(area) is None:
            return ActionResult(ok=False)
        contact = context.contact
        current = await subscriptions.areas(contact.id)
        full = area not in current and len(current) >= MAX_SUBSCRIPTIONS
        if not full:
            await subscriptions.add(contact.id, area, now=clock.now())
        listed = await _listed(contact.id, contact.language)
        name = names(contact.language)
        return ActionResult(
            values={"area_name": name(area), "full": "yes" if full else "no", **listed}
        )

    async def alert_subscriptions(context: ActionContext) -> ActionResult:
        """-> `subscribed` (a list to show), `subscribed_areas` (choices), `subscribed_any`."""
        return ActionResult(values=await _listed(context.contact.id, context.contact.language))

    async def unsubscribe_alerts(context: ActionContext) -> ActionResult:
        """`area` -> `area_name`, and the list as `alert_subscriptions` gives it."""
        area = str(context.request.params.get("area", ""))
        await subscriptions.remove(context.contact.id, area)
        listed = await _listed(context.contact.id, context.contact.language)
        return ActionResult(values={"area_name": names(context.contact.language)(area), **listed})

    async def stop_alerts(context: ActionContext) -> ActionResult:
        """Every subscription ends at once -> `stopped` ("yes" if there were any)."""
        removed = await subscriptions.remove_all(context.contact.id)
        return ActionResult(values={"stopped": "yes" if removed else "no"})

    async def _listed(contact_id: int, language: str | None = None) -> dict[str, Value]:
        name = names(language)
        current = await subscriptions.areas(contact_id)
        return {
            "subscribed": "\n".join(f"• {name(area)}" for area in current),
            "subscribed_areas": [{"label": name(area), "value": area} for area in current],
            "subscribed_any": "yes" if current else "no",
        }

    registry.register("alert_areas", alert_areas)
    registry.register("subscribe_alerts", subscribe_alerts)
    registry.register("alert_subscriptions", alert_subscriptions)
    registry.register("unsubscribe_alerts", unsubscribe_alerts)
    registry.register("stop_alerts", stop_alerts)
