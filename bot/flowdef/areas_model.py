"""The areas people can subscribe to for alerts, as a tree: nations, regions, towns.

An alert is sent to areas; it reaches whoever subscribed to one of them, to an area
inside one (an alert for a region is for every town in it) or to an area one lies in
(someone following a region hears of an alert for a town in it). The tree is read from
`flows/data/areas.yaml` (bot/flowdef/areas.py checks it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

AREA_KINDS = ("nation", "region", "town", "postcode_area")
# A postcode area (`S`, `BT`) or district (`S60`, `EC1A`), as volunteers write them.
POSTCODE_RE = re.compile(r"[A-Z]{1,2}[0-9]{0,2}[A-Z]?")

# What people type: a whole postcode ("S60 1AB", "s601ab") or only its first part.
_OUTWARD = r"([A-Z]{1,2})([0-9][A-Z0-9]?)?"
_FIRST_PART = re.compile(_OUTWARD)
_WHOLE = re.compile(_OUTWARD + r"(?:[0-9][A-Z]{2})?")


@dataclass(frozen=True, slots=True)
class Area:
    """One area. `name` is English source text, translated through the Babel catalogs.

    `parent` is the id of the area it lies in (None for nations); `postcodes` are the
    postcode areas and districts it covers, upper case: `("S60", "S61")` or `("BT",)`.
    """

    id: str
    name: str
    kind: str
    parent: str | None
    postcodes: tuple[str, ...] = ()


def postcode_keys(text: str) -> list[str]:
    """Where a postcode may be listed, most specific first: "s60 1ab" -> ["S60", "S"].

    "EC1A 1BB" -> ["EC1A", "EC1", "EC"]; text that is not a postcode -> [].
    """
    words = text.upper().split()
    if not words:
        return []
    # With a space, the first word is the first part; without one, the last three
    # characters of a whole postcode are its second part ("S601AB").
    pattern = _FIRST_PART if len(words) > 1 else _WHOLE
    match = pattern.fullmatch(words[0])
    if match is None:
        return []
    letters, district = match.group(1), match.group(2) or ""
    keys = [letters + district] if district else []
    if len(district) == 2 and district[1].isalpha():
        keys.append(letters + district[0])  # EC1A lies in EC1
    return [*keys, letters]


class AreaDirectory:
    """The areas in file order, each after the area it lies in.

    Raises ValueError for areas that don't form a tree (a repeated id, a parent not
    given before its child, an unknown kind) or a postcode given to two areas: the
    checker in bot/flowdef/areas.py makes sure a file never produces them.
    """

    def __init__(self, areas: Iterable[Area]) -> None:
        self._areas: dict[str, Area] = {}
        self._children: dict[str | None, list[Area]] = {None: []}
        self._postcodes: dict[str, Area] = {}
        for area in areas:
            self._add(area)

    def _add(self, area: Area) -> None:
        if area.id in self._areas:
            raise ValueError(f"area '{area.id}' is given twice")
        if area.kind not in AREA_KINDS:
            raise ValueError(f"area '{area.id}' has unknown kind '{area.kind}'")
        if area.parent is not None and area.parent not in self._areas:
            raise ValueError(f"area '{area.id}' comes before its parent '{area.parent}'")
        for postcode in area.postcodes:
            if postcode in self._postcodes:
                raise ValueError(f"postcode '{postcode}' is given to two areas")
            self._postcodes[postcode] = area
        self._areas[area.id] = area
        self._children[area.parent].append(area)
        self._children[area.id] = []

    def __len__(self) -> int:
        return len(self._areas)

    def __iter__(self) -> Iterator[Area]:
        return iter(self._areas.values())

    def __contains__(self, area_id: object) -> bool:
        return area_id in self._areas

    def get(self, area_id: str) -> Area | None:
        """The area with this id, or None."""
        return self._areas.get(area_id)

    def children(self, area_id: str | None) -> list[Area]:
        """The areas directly inside `area_id` (None: the nations), in file order."""
        return list(self._children.get(area_id, ()))

    def ancestors(self, area_id: str) -> list[Area]:
        """The areas `area_id` lies in, nearest first ([] for a nation or an unknown id)."""
        found: list[Area] = []
        area = self._areas.get(area_id)
        while area is not None and area.parent is not None:
            area = self._areas[area.parent]
            found.append(area)
        return found

    def descendants(self, area_id: str) -> list[Area]:
        """Every area inside `area_id`, at any depth, in file order."""
        found: list[Area] = []
        waiting = list(reversed(self._children.get(area_id, ())))
        while waiting:  # depth first, which is the file's order
            area = waiting.pop()
            found.append(area)
            waiting += reversed(self._children[area.id])
        return found

    def reach(self, area_ids: Iterable[str]) -> frozenset[str]:
        """The areas whose subscribers receive an alert sent to `area_ids`: each area,
        every area inside it, and every area it lies in (someone subscribed to a region
        hears of an alert for a town in it; an alert for a region reaches every town in
        it). Unknown ids reach nobody."""
        reached: set[str] = set()
        for area_id in area_ids:
            if area_id not in self._areas:
                continue
            reached.add(area_id)
            reached.update(area.id for area in self.descendants(area_id))
            reached.update(area.id for area in self.ancestors(area_id))
        return frozenset(reached)

    def by_postcode(self, text: str) -> Area | None:
        """The most specific area for a postcode or its first part ("s60 1ab", "S60",
        "BT9"): the longest matching district/area prefix; None if none."""
        for key in postcode_keys(text):
            if key in self._postcodes:
                return self._postcodes[key]
        return None
