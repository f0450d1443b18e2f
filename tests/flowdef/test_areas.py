"""The alert areas (`data/areas.yaml`): the checker's messages and lines, and the tree."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import flows as flows_cli
from bot.flowdef import load_flows
from bot.flowdef.areas import MAX_CHILDREN, Area, AreaDirectory, read_areas_text
from bot.flowdef.areas_model import postcode_keys
from bot.flowdef.limits import MAX_LABEL
from bot.flowdef.problems import Found
from bot.i18n.extract import AREA_COMMENT, extract_areas
from bot.services.actions import ACTION_NAMES
from bot.services.library import FlowLibrary

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
REAL = FLOWS / "data" / "areas.yaml"
HOME = "spec: 1\nflow: home\nhome: true\nsteps:\n  - id: hi\n    end: Hi\n"
# Line numbers matter: the messages below name them.
AREAS = """\
spec: 1
areas:
  - id: england
    name: England
    kind: nation
    areas:
      - id: yorkshire
        name: Yorkshire and the Humber
        kind: region
        areas:
          - id: rotherham
            name: Rotherham
            kind: town
            postcodes: [S60, S61]
"""
runner = CliRunner()


def _problems(text: str) -> list[str]:
    found = Found("areas.yaml")
    read_areas_text(text, found)
    return [str(problem) for problem in found.problems]


def _changed(old: str, new: str) -> str:
    assert AREAS.count(old) == 1, old
    return AREAS.replace(old, new)


def _real() -> AreaDirectory:
    found = Found(str(REAL))
    directory = read_areas_text(REAL.read_text(encoding="utf-8"), found)
    assert [str(problem) for problem in found.problems] == []
    return directory


# -- the real file ---------------------------------------------------------------------


def test_the_real_file_has_no_problems_and_every_area() -> None:
    directory = _real()
    assert len(directory) == REAL.read_text(encoding="utf-8").count("- id: ")
    assert [area.id for area in directory.children(None)] == [
        "england",
        "wales",
        "scotland",
        "northern_ireland",
    ]
    assert [area.name for area in directory.children("england")] == [
        "North East",
        "North West",
        "Yorkshire and the Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
    ]
    places = {area.name for area in directory if area.kind == "town"}
    assert places >= {
        *("Southport", "Liverpool", "Hartlepool", "Sunderland", "Middlesbrough", "Rotherham"),
        *("Hull", "Manchester", "Bolton", "Blackpool", "Stoke-on-Trent", "Tamworth"),
        *("Nottingham", "Leeds", "Bristol", "Plymouth", "Aldershot", "Weymouth", "Belfast"),
        *("Birmingham", "Leicester", "Bradford", "Sheffield", "Newcastle upon Tyne"),
        *("Cardiff", "Swansea", "Newport", "Glasgow", "Edinburgh", "Dundee", "Aberdeen"),
        "Derry/Londonderry",
    }


def test_the_real_file_puts_places_in_the_right_part_of_the_uk() -> None:
    directory = _real()

    def nation(area_id: str) -> str:
        return directory.ancestors(area_id)[-1].id

    assert [area.id for area in directory.ancestors("rotherham")] == [
        "yorkshire_and_the_humber",
        "england",
    ]
    assert {nation(town) for town in ("cardiff", "swansea", "newport")} == {"wales"}
    assert {nation(town) for town in ("glasgow", "edinburgh", "dundee", "aberdeen")} == {"scotland"}
    assert {nation(town) for town in ("belfast", "derry_londonderry")} == {"northern_ireland"}
    assert directory.ancestors("southport")[0].id == "north_west"
    assert directory.ancestors("aldershot")[0].id == "south_east"
    assert directory.ancestors("tamworth")[0].id == "west_midlands"


@pytest.mark.parametrize(
    ("postcode", "area"),
    [
        ("s60 1ab", "rotherham"),
        ("S601AB", "rotherham"),
        ("S6 1AB", "sheffield"),  # S6 is Sheffield's: S60 is not a prefix of it
        ("S10", "sheffield"),
        ("L1 8JQ", "liverpool"),
        ("LS1", "leeds"),  # LS is not L
        ("PR8", "southport"),
        ("TS24 7AA", "hartlepool"),
        ("TS1", "middlesbrough"),
        ("B77", "tamworth"),
        ("B7", "birmingham"),
        ("BT9", "northern_ireland"),
        ("bt48 6aa", "derry_londonderry"),
        ("SA1 1AA", "swansea"),
        ("SW1A 1AA", "london"),
        ("M1", "manchester"),
        ("SA2", None),  # only Swansea's centre is listed
        ("OX1", None),
        ("hello", None),
        ("", None),
    ],
)
def test_finding_an_area_by_postcode(postcode: str, area: str | None) -> None:
    found = _real().by_postcode(postcode)
    assert (found.id if found else None) == area


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("s60 1ab", ["S60", "S"]),
        ("EC1A 1BB", ["EC1A", "EC1", "EC"]),
        ("ec1a1bb", ["EC1A", "EC1", "EC"]),
        ("BT", ["BT"]),
        ("  B77  ", ["B77", "B"]),
        ("60", []),
    ],
)
def test_the_keys_a_postcode_is_looked_up_by(text: str, keys: list[str]) -> None:
    assert postcode_keys(text) == keys


def test_every_level_of_the_real_file_fits_a_menu() -> None:
    directory = _real()
    for parent in [None, *(area.id for area in directory)]:
        assert len(directory.children(parent)) <= MAX_CHILDREN
    assert max(len(area.name) for area in directory) <= MAX_LABEL


# -- the tree --------------------------------------------------------------------------


@pytest.fixture
def tree() -> AreaDirectory:
    return AreaDirectory(
        [
            Area("england", "England", "nation", None),
            Area("yorkshire", "Yorkshire and the Humber", "region", "england"),
            Area("rotherham", "Rotherham", "town", "yorkshire", ("S60",)),
            Area("maltby", "Maltby", "postcode_area", "rotherham", ("S66",)),
            Area("leeds", "Leeds", "town", "yorkshire", ("LS",)),
            Area("london", "London", "region", "england"),
            Area("wales", "Wales", "nation", None),
            Area("cardiff", "Cardiff", "town", "wales", ("CF",)),
        ]
    )


def test_children_ancestors_and_descendants(tree: AreaDirectory) -> None:
    assert [area.id for area in tree.children(None)] == ["england", "wales"]
    assert [area.id for area in tree.children("yorkshire")] == ["rotherham", "leeds"]
    assert tree.children("maltby") == []
    assert tree.children("nowhere") == []
    assert [area.id for area in tree.ancestors("maltby")] == ["rotherham", "yorkshire", "england"]
    assert tree.ancestors("england") == []
    assert tree.ancestors("nowhere") == []
    assert [area.id for area in tree.descendants("england")] == [
        "yorkshire",
        "rotherham",
        "maltby",
        "leeds",
        "london",
    ]
    assert tree.descendants("leeds") == []


def test_an_alert_reaches_the_areas_inside_and_around_it(tree: AreaDirectory) -> None:
    assert tree.reach(["rotherham"]) == {"rotherham", "maltby", "yorkshire", "england"}
    assert tree.reach(["yorkshire"]) == {"yorkshire", "rotherham", "maltby", "leeds", "england"}
    assert tree.reach(["leeds", "cardiff"]) == {"leeds", "yorkshire", "england", "cardiff", "wales"}
    assert tree.reach(["nowhere"]) == frozenset()
    assert tree.reach([]) == frozenset()


def test_the_directory_is_a_collection_in_file_order(tree: AreaDirectory) -> None:
    assert len(tree) == 8
    assert [area.id for area in tree][:3] == ["england", "yorkshire", "rotherham"]
    assert "leeds" in tree
    assert "nowhere" not in tree
    assert tree.get("cardiff") == Area("cardiff", "Cardiff", "town", "wales", ("CF",))
    assert tree.get("nowhere") is None
    assert tree.by_postcode("S66 8AA") == tree.get("maltby")


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        (
            [Area("wales", "Wales", "nation", None), Area("wales", "Wales", "nation", None)],
            "area 'wales' is given twice",
        ),
        ([Area("cardiff", "Cardiff", "town", "wales")], "area 'cardiff' comes before its parent"),
        ([Area("wales", "Wales", "country", None)], "area 'wales' has unknown kind 'country'"),
        (
            [Area("a", "A", "nation", None, ("BT",)), Area("b", "B", "nation", None, ("BT",))],
            "postcode 'BT' is given to two areas",
        ),
    ],
)
def test_a_directory_that_is_not_a_tree_is_refused(areas: list[Area], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AreaDirectory(areas)


# -- the checks ------------------------------------------------------------------------


def test_the_example_reads_well() -> None:
    found = Found("areas.yaml")
    directory = read_areas_text(AREAS, found)
    assert found.problems == []
    assert directory.get("rotherham") == Area(
        "rotherham", "Rotherham", "town", "yorkshire", ("S60", "S61")
    )


@pytest.mark.parametrize(
    ("old", "new", "problems"),
    [
        ("spec: 1", "spec: 2", ["areas.yaml:1: written for a newer version of Standby (spec 2): "
         "update Standby"]),
        ("spec: 1", "spec: one", ["areas.yaml:1: 'spec' must be 1"]),
        ("spec: 1\n", "", ["areas.yaml:1: 'spec' is required: write 'spec: 1' at the top"]),
        ("spec: 1", "spec: 1\narea: []", ["areas.yaml:2: unknown key 'area' (did you mean "
         "'areas'?)"]),
        ("name: Rotherham", "name: [Rotherham", ["areas.yaml:13: this is not valid YAML: did not "
         "find expected ',' or ']' (while parsing a flow sequence, line 12)"]),
        ("        name: York", "        nmae: York", [
            "areas.yaml:8: area 'yorkshire': unknown key 'nmae' (did you mean 'name'?)",
            "areas.yaml:7: area 'yorkshire': 'name' is required",
        ]),
        ("            kind: town\n", "", ["areas.yaml:11: area 'rotherham': 'kind' is required"]),
        ("- id: rotherham", "- name: x\n            id: rotherham", [
            "areas.yaml:13: key 'name' appears twice here (first on line 11)",
        ]),
        ("- id: rotherham", "- id: Rotherham Town", ["areas.yaml:11: area 'Rotherham Town': "
         "'id' must be a name: use a-z, 0-9 and _, start with a letter, at most 48 characters"]),
        ("- id: rotherham", "- id: england", ["areas.yaml:11: area 'england': the id is used "
         "twice (first on line 3, for England)"]),
        ("kind: town", "kind: twon", ["areas.yaml:13: area 'rotherham': unknown kind 'twon' (did "
         "you mean 'town'?): use nation, region, town or postcode_area"]),
        ("kind: town", "kind: city", ["areas.yaml:13: area 'rotherham': unknown kind 'city': use "
         "nation, region, town or postcode_area"]),
        ("kind: town", "kind: nation", ["areas.yaml:13: area 'rotherham': a nation can't go "
         "inside region 'yorkshire': nations go at the top of the list"]),
        ("kind: town", "kind: region", ["areas.yaml:13: area 'rotherham': a region can't go "
         "inside region 'yorkshire': a region goes directly inside a nation"]),
        ("kind: nation", "kind: region", [
            "areas.yaml:5: area 'england': a region can't go at the top: a region goes "
            "directly inside a nation",
            "areas.yaml:9: area 'yorkshire': a region can't go inside region 'england': a "
            "region goes directly inside a nation",
        ]),
        ("postcodes: [S60, S61]", "areas:\n              - id: x\n                name: X\n"
         "                kind: town", ["areas.yaml:17: area 'x': a town can't go inside town "
         "'rotherham': a town goes inside a nation or a region"]),
        ("kind: town", "kind: postcode_area\n            areas:\n              - id: x\n"
         "                name: X\n                kind: postcode_area", ["areas.yaml:17: area "
         "'x': a postcode_area can't go inside postcode_area 'rotherham': a postcode area goes "
         "inside a nation, a region or a town"]),
        ("name: Rotherham", "name: " + "R" * 65, ["areas.yaml:12: area 'rotherham': 'name' is "
         "too long for a button (65 characters): at most 64"]),
        ("name: Rotherham", "name: '{town}'", ["areas.yaml:12: area 'rotherham': 'name' can't "
         "hold '{' or '}'"]),
        ("name: Rotherham", "name: 12", ["areas.yaml:12: area 'rotherham': 'name' must be text"]),
        ("[S60, S61]", "[S60, s61]", ["areas.yaml:14: area 'rotherham': 's61' in 'postcodes' is "
         "not a postcode area or district: write it in capitals, like S or S60"]),
        ("[S60, S61]", "[S60, S60 1AB]", ["areas.yaml:14: area 'rotherham': 'S60 1AB' in "
         "'postcodes' is not a postcode area or district: write it in capitals, like S or S60"]),
        ("[S60, S61]", "\n              - S60\n              - S60", ["areas.yaml:16: area "
         "'rotherham': postcode 'S60' is already given to 'rotherham' on line 15"]),
        ("kind: nation", "kind: nation\n    postcodes: [S60]", ["areas.yaml:15: area "
         "'rotherham': postcode 'S60' is already given to 'england' on line 6"]),
        ("[S60, S61]", "{S60: yes}", ["areas.yaml:14: area 'rotherham': 'postcodes' must be a "
         "list, like [S60, S61]"]),
        ("        areas:\n", "        areas: []\n        aeras:\n", [
            "areas.yaml:11: area 'yorkshire': unknown key 'aeras' (did you mean 'areas'?)",
            "areas.yaml:10: area 'yorkshire': 'areas' is empty: leave it out or list something",
        ]),
        ("nation\n    areas:\n", "nation\n    areas: Yorkshire\n    extra:\n", [
            "areas.yaml:7: area 'england': unknown key 'extra'",
            "areas.yaml:6: area 'england': 'areas' must be a list of the areas inside this one, "
            "each starting '- id:'",
        ]),
        ("areas:\n  - id: england", "areas:\n  - England\n  - id: england", ["areas.yaml:3: "
         "each area must be a set of 'key: value' lines, starting with '- id:'"]),
    ],
)  # fmt: skip
def test_each_problem_is_named_at_its_line(old: str, new: str, problems: list[str]) -> None:
    assert _problems(_changed(old, new)) == problems


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("", ["areas.yaml:1: the file must start with 'spec: 1' then 'areas:'"]),
        ("spec: 1\n", ["areas.yaml:1: 'areas' is required: a list of areas, each starting "
         "with '- '"]),
        ("spec: 1\nareas: []\n", ["areas.yaml:2: warning: the file lists no areas"]),
    ],
)  # fmt: skip
def test_file_problems(text: str, problems: list[str]) -> None:
    assert _problems(text) == problems


def _nations(count: int) -> str:
    return "spec: 1\nareas:\n" + "".join(
        f"  - id: n{index}\n    name: N{index}\n    kind: nation\n" for index in range(count)
    )


def test_a_menu_of_more_than_twenty_areas_is_refused_at_the_first_one_too_many() -> None:
    assert _problems(_nations(20)) == []
    assert _problems(_nations(21)) == [
        "areas.yaml:63: there are 21 areas at the top: a menu shows at most 20, so group some "
        "of them or leave some out"
    ]
    towns = "".join(
        f"      - id: t{i}\n        name: T{i}\n        kind: town\n" for i in range(22)
    )
    text = _nations(1) + "    areas:\n" + towns
    assert _problems(text) == [
        "areas.yaml:67: there are 22 areas inside 'n0': a menu shows at most 20, so group some "
        "of them or leave some out"
    ]


def test_an_area_with_an_error_is_left_out_with_everything_inside_it() -> None:
    found = Found("areas.yaml")
    directory = read_areas_text(_changed("kind: region", "kind: regio"), found)
    assert len(found.problems) == 1
    assert [area.id for area in directory] == ["england"]


# -- loading, checking, reloading ------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "home.yaml").write_text(HOME, encoding="utf-8")
    (tmp_path / "data").mkdir()
    return tmp_path


def test_a_folder_without_the_file_has_no_areas(folder: Path) -> None:
    result = load_flows(folder, known_actions=())
    assert (result.flows is not None, result.areas) == (True, None)


def test_an_error_in_the_areas_stops_the_flows_loading(folder: Path) -> None:
    (folder / "data" / "areas.yaml").write_text(_changed("kind: town", "kind: twon"))
    result = load_flows(folder, known_actions=())
    assert result.flows is None
    assert [str(problem) for problem in result.problems] == [
        f"{folder}/data/areas.yaml:13: area 'rotherham': unknown kind 'twon' (did you mean "
        "'town'?): use nation, region, town or postcode_area"
    ]
    assert [area.id for area in result.areas or ()] == ["england", "yorkshire"]


def test_flows_check_reports_the_areas(folder: Path) -> None:
    (folder / "data" / "areas.yaml").write_text(_changed("[S60, S61]", "[S60, s61]"))
    outcome = runner.invoke(flows_cli.app, ["check", str(folder)])
    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        f"{folder}/data/areas.yaml:14: area 'rotherham': 's61' in 'postcodes' is not a postcode "
        "area or district: write it in capitals, like S or S60",
        "1 error in 1 flow and 2 areas",
    ]
    (folder / "data" / "areas.yaml").write_text(AREAS)
    outcome = runner.invoke(flows_cli.app, ["check", str(folder)])
    assert (outcome.exit_code, outcome.stdout) == (0, "1 flow and 3 areas OK\n")


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target


def test_the_library_keeps_its_areas_when_a_reload_finds_an_error(flows_dir: Path) -> None:
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    running = library.areas
    assert running.get("rotherham") is not None
    areas = flows_dir / "data" / "areas.yaml"
    areas.write_text(areas.read_text().replace("kind: town", "kind: twon", 1))

    problems = library.reload()

    assert [p.code for p in problems if p.is_error] == ["unknown_kind"]
    assert library.areas is running
    areas.write_text(areas.read_text().replace("kind: twon", "kind: town"))
    areas.write_text(areas.read_text().replace("name: Hull", "name: Kingston upon Hull"))
    library.reload()
    assert library.areas is not running
    hull = library.areas.get("hull")
    assert hull is not None
    assert hull.name == "Kingston upon Hull"


def test_the_library_has_no_areas_without_the_file(flows_dir: Path) -> None:
    (flows_dir / "data" / "areas.yaml").unlink()
    library = FlowLibrary(flows_dir, ACTION_NAMES)
    assert (len(library.areas), library.areas.children(None)) == (0, [])


# -- translation -----------------------------------------------------------------------


def test_every_area_name_is_extracted_with_its_line() -> None:
    found = list(extract_areas(io.BytesIO(AREAS.encode()), [], [], {}))
    assert found == [
        (4, None, "England", [AREA_COMMENT]),
        (8, None, "Yorkshire and the Humber", [AREA_COMMENT]),
        (12, None, "Rotherham", [AREA_COMMENT]),
    ]
    assert list(extract_areas(io.BytesIO(b"areas: [unclosed"), [], [], {})) == []


def test_the_extractors_are_registered_for_babel() -> None:
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[standby_areas: flows/data/areas.yaml]" in config
    assert config.index("standby_areas") < config.index("[standby_flows")
    assert 'standby_areas = "bot.i18n.extract:extract_areas"' in project


def test_the_docs_explain_the_kinds() -> None:
    docs = (ROOT / "docs" / "flows.md").read_text(encoding="utf-8")
    assert [
        kind for kind in ("nation", "region", "town", "postcode_area") if f"`{kind}`" not in docs
    ] == []
