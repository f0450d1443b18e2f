"""The actions behind /alerts and /stop_alerts, over a real database: areas to choose
from (in the person's language), subscribing, the limit, unsubscribing and stopping."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import ActionRequested, ActionResult, Value
from bot.services.actions import ACTION_NAMES, ActionContext, ActionRegistry
from bot.services.broadcasts.subscribing import (
    ALERT_ACTIONS,
    ALL_OF,
    MAX_SUBSCRIPTIONS,
    register_alert_actions,
)
from bot.services.clock import FixedClock
from bot.storage import ContactRecord, ContactRepository
from bot.storage.subscriptions import SubscriptionRepository
from tests.fakes import RecordingSender
from tests.services.broadcast_fakes import NOW, Holder, fake_translators, real_areas

Maker = async_sessionmaker[AsyncSession]
POLISH = {
    ALL_OF: "Cały obszar: {area}",
    "England": "Anglia",
    "Wales": "Walia",
    "Scotland": "Szkocja",
    "Northern Ireland": "Irlandia Północna",
    "Yorkshire and the Humber": "Yorkshire i Humber",
    "North East": "Północny Wschód",
}
NATIONS = ["England", "Wales", "Scotland", "Northern Ireland"]
YORKSHIRE_TOWNS = ["Leeds", "Bradford", "Sheffield", "Rotherham", "Hull"]


class Alerts:
    """The alert actions on a registry, run for contacts as a flow would."""

    def __init__(self, maker: Maker) -> None:
        self.maker = maker
        self.clock = FixedClock(NOW)
        self.subscriptions = SubscriptionRepository(maker)
        self.registry = ActionRegistry()
        register_alert_actions(
            self.registry,
            self.subscriptions,
            Holder(real_areas()),
            fake_translators({"pl": POLISH}),
            self.clock,
        )
        self.sender = RecordingSender()
        self._requests = 0

    async def person(self, chat_id: int = 5, language: str | None = "en") -> ContactRecord:
        return await ContactRepository(self.maker).get_or_create(
            chat_id, now=NOW, language=language
        )

    async def run(
        self, contact: ContactRecord, name: str, params: Mapping[str, Value] | None = None
    ) -> ActionResult:
        self._requests += 1
        request = ActionRequested(name, dict(params or {}), "alerts", "step", f"k{self._requests}")
        result = await self.registry.run(ActionContext(contact, request, self.sender))
        json.dumps(dict(result.values))  # they become session data
        return result

    async def subscribe(self, contact: ContactRecord, area: str) -> ActionResult:
        self.clock.advance(timedelta(seconds=1))  # chosen one after the other
        return await self.run(contact, "subscribe_alerts", {"area": area})


def labels(result: ActionResult, key: str = "areas") -> list[str]:
    choices: list[dict[str, Any]] = result.values[key]  # type: ignore[assignment]
    return [choice["label"] for choice in choices]


def values(result: ActionResult, key: str = "areas") -> list[str]:
    choices: list[dict[str, Any]] = result.values[key]  # type: ignore[assignment]
    return [choice["value"] for choice in choices]


def test_the_actions_are_registered_and_known_to_the_flow_checker() -> None:
    registry = ActionRegistry()
    register_alert_actions(
        registry,
        SubscriptionRepository(None),  # type: ignore[arg-type]
        Holder(real_areas()),
        fake_translators(),
        FixedClock(NOW),
    )
    assert registry.names == ALERT_ACTIONS
    assert ALERT_ACTIONS <= ACTION_NAMES


# --- choosing an area --------------------------------------------------------------------


async def test_the_first_choice_is_between_the_nations(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    for params in ({}, {"within": ""}):
        result = await alerts.run(person, "alert_areas", params)
        assert result.ok
        assert labels(result) == NATIONS
        assert values(result) == ["england", "wales", "scotland", "northern_ireland"]
        assert result.values["more"] == "yes"


async def test_inside_a_nation_all_of_it_comes_first_then_its_regions(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    result = await alerts.run(person, "alert_areas", {"within": "england"})

    assert labels(result)[:3] == ["All of England", "North East", "North West"]
    assert values(result)[0] == "all_of_england"
    assert len(values(result)) == 1 + 9
    assert result.values["more"] == "yes"


@pytest.mark.parametrize(
    ("within", "first", "inside"),
    [
        ("yorkshire_and_the_humber", "All of Yorkshire and the Humber", YORKSHIRE_TOWNS),
        ("wales", "All of Wales", ["Cardiff", "Swansea", "Newport"]),
        ("northern_ireland", "All of Northern Ireland", ["Belfast", "Derry/Londonderry"]),
    ],
)
async def test_inside_a_region_or_a_nation_without_regions_come_its_towns(
    sessionmaker: Maker, within: str, first: str, inside: list[str]
) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    result = await alerts.run(person, "alert_areas", {"within": within})

    assert labels(result) == [first, *inside]
    assert values(result)[0] == f"all_of_{within}"


@pytest.mark.parametrize("within", ["rotherham", "london", "east_of_england", "all_of_wales"])
async def test_an_area_with_nothing_inside_or_a_whole_area_ends_the_choosing(
    sessionmaker: Maker, within: str
) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    result = await alerts.run(person, "alert_areas", {"within": within})

    assert result.ok
    assert dict(result.values) == {"areas": [], "more": "no"}


async def test_an_unknown_area_to_look_inside_fails(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    assert not (await alerts.run(person, "alert_areas", {"within": "atlantis"})).ok


async def test_area_names_come_in_the_persons_language(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    polish = await alerts.person(6, "pl")
    arabic = await alerts.person(7, "ar")  # nothing translated: English

    nations = await alerts.run(polish, "alert_areas")
    england = await alerts.run(polish, "alert_areas", {"within": "england"})
    yorkshire = await alerts.run(polish, "alert_areas", {"within": "yorkshire_and_the_humber"})
    english = await alerts.run(arabic, "alert_areas", {"within": "england"})

    assert labels(nations) == ["Anglia", "Walia", "Szkocja", "Irlandia Północna"]
    assert labels(england)[:2] == ["Cały obszar: Anglia", "Północny Wschód"]
    assert labels(yorkshire)[0] == "Cały obszar: Yorkshire i Humber"
    assert values(england) == values(english)  # the values never change
    assert labels(english)[:2] == ["All of England", "North East"]


# --- subscribing -------------------------------------------------------------------------


async def test_subscribing_keeps_the_area_and_lists_what_the_person_follows(
    sessionmaker: Maker,
) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    first = await alerts.subscribe(person, "rotherham")
    second = await alerts.subscribe(person, "cardiff")

    assert first.values["area_name"] == "Rotherham"
    assert first.values["full"] == "no"
    assert dict(second.values) == {
        "area_name": "Cardiff",
        "full": "no",
        "subscribed": "• Rotherham\n• Cardiff",
        "subscribed_areas": [
            {"label": "Rotherham", "value": "rotherham"},
            {"label": "Cardiff", "value": "cardiff"},
        ],
        "subscribed_any": "yes",
    }
    assert await alerts.subscriptions.areas(person.id) == ["rotherham", "cardiff"]


async def test_all_of_a_region_subscribes_to_the_region_itself(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person(language="pl")

    result = await alerts.subscribe(person, "all_of_yorkshire_and_the_humber")

    assert result.values["area_name"] == "Yorkshire i Humber"
    assert result.values["subscribed"] == "• Yorkshire i Humber"
    assert await alerts.subscriptions.areas(person.id) == ["yorkshire_and_the_humber"]


async def test_subscribing_twice_to_an_area_keeps_one_subscription(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    await alerts.subscribe(person, "leeds")
    again = await alerts.subscribe(person, "leeds")

    assert again.values["subscribed"] == "• Leeds"
    assert await alerts.subscriptions.areas(person.id) == ["leeds"]


async def test_a_person_follows_at_most_ten_areas(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()
    towns = ["leeds", "bradford", "sheffield", "rotherham", "hull"]
    towns += ["cardiff", "swansea", "newport", "glasgow", "edinburgh"]
    assert len(towns) == MAX_SUBSCRIPTIONS

    for town in towns:
        assert (await alerts.subscribe(person, town)).values["full"] == "no"
    eleventh = await alerts.subscribe(person, "dundee")
    already = await alerts.subscribe(person, "leeds")

    assert eleventh.ok
    assert eleventh.values["full"] == "yes"
    assert eleventh.values["area_name"] == "Dundee"
    assert "Dundee" not in str(eleventh.values["subscribed"])
    assert already.values["full"] == "no"  # one they have is never "too many"
    assert await alerts.subscriptions.areas(person.id) == towns
    # Another person is not limited by the first one's choices.
    other = await alerts.person(chat_id=9)
    assert (await alerts.subscribe(other, "dundee")).values["full"] == "no"


@pytest.mark.parametrize("area", ["atlantis", "", "all_of_atlantis", "all_of_"])
async def test_subscribing_to_an_unknown_area_fails_and_keeps_nothing(
    sessionmaker: Maker, area: str
) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()

    assert not (await alerts.subscribe(person, area)).ok
    assert await alerts.subscriptions.areas(person.id) == []


# --- listing, unsubscribing, stopping ----------------------------------------------------


async def test_listing_shows_the_areas_in_the_order_chosen_in_the_persons_language(
    sessionmaker: Maker,
) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person(language="pl")
    nobody = await alerts.person(chat_id=9)

    await alerts.subscribe(person, "wales")
    await alerts.subscribe(person, "all_of_england")
    listed = await alerts.run(person, "alert_subscriptions")
    empty = await alerts.run(nobody, "alert_subscriptions")

    assert listed.values["subscribed"] == "• Walia\n• Anglia"
    assert values(listed, "subscribed_areas") == ["wales", "england"]
    assert listed.values["subscribed_any"] == "yes"
    assert dict(empty.values) == {"subscribed": "", "subscribed_areas": [], "subscribed_any": "no"}


async def test_unsubscribing_ends_one_area_and_lists_the_rest(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()
    await alerts.subscribe(person, "rotherham")
    await alerts.subscribe(person, "wales")

    result = await alerts.run(person, "unsubscribe_alerts", {"area": "wales"})
    not_followed = await alerts.run(person, "unsubscribe_alerts", {"area": "leeds"})
    last = await alerts.run(person, "unsubscribe_alerts", {"area": "rotherham"})

    assert result.values["area_name"] == "Wales"
    assert result.values["subscribed"] == "• Rotherham"
    assert not_followed.ok
    assert not_followed.values["subscribed"] == "• Rotherham"
    assert last.values["subscribed_any"] == "no"
    assert await alerts.subscriptions.areas(person.id) == []


async def test_an_area_removed_from_the_file_is_still_listed_and_can_be_ended(
    sessionmaker: Maker,
) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()
    await alerts.subscriptions.add(person.id, "old_town", now=NOW)

    listed = await alerts.run(person, "alert_subscriptions")
    ended = await alerts.run(person, "unsubscribe_alerts", {"area": "old_town"})

    assert listed.values["subscribed"] == "• old_town"
    assert ended.values["area_name"] == "old_town"
    assert ended.values["subscribed_any"] == "no"


async def test_stopping_alerts_ends_every_subscription(sessionmaker: Maker) -> None:
    alerts = Alerts(sessionmaker)
    person = await alerts.person()
    other = await alerts.person(chat_id=9)
    for area in ("rotherham", "wales", "all_of_scotland"):
        await alerts.subscribe(person, area)
    await alerts.subscribe(other, "leeds")

    stopped = await alerts.run(person, "stop_alerts")
    again = await alerts.run(person, "stop_alerts")

    assert dict(stopped.values) == {"stopped": "yes"}
    assert dict(again.values) == {"stopped": "no"}
    assert await alerts.subscriptions.areas(person.id) == []
    assert await alerts.subscriptions.areas(other.id) == ["leeds"]
