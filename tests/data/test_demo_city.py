"""The demo city generator: codes, tiling, supervisors, components, determinism and all-or-nothing writes.

Most checks read a small city seeded once into its own SQLite file (``small_city``); the checks that
depend on the database (writing, rolling back, reading geometry and dates back) run on both backends
through the shared ``session`` fixture. One Harbin-scale test checks the seed article's figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from sqlalchemy import func, select

from data import journal
from data.city import get_meta, has_city, set_meta, stats
from data.codes import STANDARDS_DIR, component_type_rows, event_type_rows
from data.db import open_database, session_factory
from data.demo_city import (
    LAND_USES,
    ROW_BAND_M,
    SCALES,
    STAGES,
    apportion,
    generate_city,
    reading_order,
    seed_city,
)
from data.departments import (
    DEPARTMENT_CODES,
    DEPARTMENTS,
    department_for_event_type,
    event_assignments,
    is_valid_credit_code,
    owner_for_component_type,
)
from data.errors import CityExists
from data.geometry import HARBIN_CRS, WGS84, transformer
from data.models import (
    Camera,
    CityMeta,
    Community,
    Component,
    ComponentState,
    ComponentType,
    Department,
    District,
    EventAssignment,
    GridCell,
    JournalEvent,
    Road,
    Role,
    Staff,
    Street,
    Supervisor,
)
from data.spatial import GridIndex

AT = dt.datetime(2026, 3, 2, 9, 0)
SMALL = SCALES["small"]


# --- a small city, seeded once, read back into plain structures --------------------------------------


@dataclass
class City:
    districts: dict[str, tuple[str, object]]  # code -> (name, polygon)
    streets: dict[str, tuple[str, object]]
    communities: dict[str, tuple[str, object]]
    cells: list[dict]
    supervisors: dict[int, dict]
    components: list[dict]
    cameras: list[dict]
    staff: list[dict]
    summary: dict


def _read_city(session, summary: dict) -> City:
    def named(model) -> dict:
        return {r.code: (r.name, r.geometry) for r in session.scalars(select(model))}

    def rows(model, order) -> list[dict]:
        cols = [c.key for c in model.__table__.columns]
        return [
            dict(zip(cols, r, strict=True))
            for r in session.execute(select(*model.__table__.columns).order_by(order))
        ]

    return City(
        districts=named(District),
        streets=named(Street),
        communities=named(Community),
        cells=rows(GridCell, GridCell.code),
        supervisors={r["id"]: r for r in rows(Supervisor, Supervisor.id)},
        components=rows(Component, Component.id),
        cameras=rows(Camera, Camera.id),
        staff=rows(Staff, Staff.login),
        summary=summary,
    )


@pytest.fixture(scope="module")
def small_city(tmp_path_factory) -> City:
    engine = open_database("sqlite:///" + str(tmp_path_factory.mktemp("demo") / "small.db"))
    make_session = session_factory(engine)
    with make_session() as s, s.begin():
        summary = seed_city(s, scale="small", seed=1, at=AT)
    with make_session() as s:
        city = _read_city(s, summary)
    engine.dispose()
    return city


def _cell_polys(city: City) -> np.ndarray:
    return np.array([c["geometry"] for c in city.cells], dtype=object)


# --- seeding through the shared fixtures, on SQLite and PostgreSQL -----------------------------------


def test_seed_small_city_writes_everything_once(session):
    stages: list[tuple[str, float]] = []
    summary = seed_city(session, scale="small", seed=1, at=AT, progress=lambda s, f: stages.append((s, f)))
    session.commit()

    counts = stats(session)
    for key in ("districts", "streets", "communities", "cells", "supervisors", "cameras", "components"):
        assert counts[key] == summary[key], key
    assert summary["districts"] == len(SMALL.districts)
    assert summary["streets"] == SMALL.streets
    assert summary["communities"] == SMALL.communities
    assert summary["cells"] == SMALL.cells
    assert summary["supervisors"] == SMALL.supervisors
    assert summary["cameras"] == SMALL.cameras
    assert summary["components"] == SMALL.components
    assert counts["departments"] == 23
    assert has_city(session)
    assert get_meta(session, "crs") == HARBIN_CRS
    assert get_meta(session, "city_name") == "哈尔滨"
    assert get_meta(session, "scale") == "small"
    assert get_meta(session, "seed") == "1"

    seeded = session.scalars(select(JournalEvent).where(JournalEvent.kind == "city.seeded")).all()
    assert len(seeded) == 1
    assert seeded[0].payload == summary
    assert seeded[0].at == AT
    assert journal.verify(session) >= 1

    n_events = len(event_type_rows())
    assert session.scalar(select(func.count()).select_from(EventAssignment)) == n_events * len(
        SMALL.districts
    )
    owners = dict(session.execute(select(ComponentType.code, ComponentType.default_owner)).all())
    assert all(owners[r.code] == owner_for_component_type(r) for r in component_type_rows())

    assert {s for s, _ in stages} == set(STAGES)
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions) and fractions[0] >= 0.0
    assert stages[-1] == ("done", 1.0)


def test_seeded_rows_read_back_valid_on_each_backend(session):
    seed_city(session, scale="small", seed=1, at=AT)
    session.flush()
    cells = session.execute(select(GridCell.code, GridCell.geometry, GridCell.area_m2)).all()
    polys = np.array([g for _, g, _ in cells], dtype=object)
    assert shapely.is_valid(polys).all()
    assert np.allclose(shapely.area(polys), [a for _, _, a in cells])
    grid = GridIndex.load(session)
    comps = session.execute(select(Component.x, Component.y, Component.cell_code, Component.init_date)).all()
    assert grid.locate_many([c.x for c in comps], [c.y for c in comps]) == [c.cell_code for c in comps]
    assert all(isinstance(c.init_date, dt.date) for c in comps)


def test_second_seed_raises_city_exists(session):
    seed_city(session, scale="small", seed=1, at=AT)
    with pytest.raises(CityExists, match="already holds a city"):
        seed_city(session, scale="small", seed=2, at=AT)


@pytest.mark.parametrize("failing_stage", ["supervisors and cells", "components", "done"])
def test_a_failed_seed_leaves_nothing_behind(session, failing_stage):
    set_meta(session, "note", "written by the caller before seeding")
    session.flush()

    def fail_midway(stage: str, fraction: float) -> None:
        # By "components" districts, cells and supervisors are written; by "done" everything is.
        if stage == failing_stage and fraction > 0.7:
            raise RuntimeError("operator cancelled")

    with pytest.raises(RuntimeError, match="operator cancelled"):
        seed_city(session, scale="small", seed=1, at=AT, progress=fail_midway)

    assert not has_city(session)
    for model in (
        District,
        Street,
        Community,
        GridCell,
        Supervisor,
        Component,
        Camera,
        Road,
        Staff,
        Department,
    ):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    assert session.scalar(select(func.count()).select_from(JournalEvent)) == 0
    assert get_meta(session, "note") == "written by the caller before seeding"
    # The caller's transaction is still usable: the same seed now goes through.
    assert seed_city(session, scale="small", seed=1, at=AT)["cells"] == SMALL.cells


def _snapshot(session) -> tuple:
    cells = session.execute(
        select(GridCell.code, GridCell.area_m2, GridCell.geometry).order_by(GridCell.code)
    ).all()
    comps = session.execute(
        select(Component.id, Component.x, Component.y, Component.cell_code, Component.state).order_by(
            Component.id
        )
    ).all()
    return (
        [(c, a, shapely.to_wkb(g)) for c, a, g in cells],
        [tuple(r) for r in comps],
    )


def test_same_seed_same_city_other_seed_other_city(session):
    seed_city(session, scale="small", seed=7, at=AT)
    first = _snapshot(session)
    session.rollback()
    assert not has_city(session)
    seed_city(session, scale="small", seed=7, at=AT)
    assert _snapshot(session) == first
    session.rollback()
    seed_city(session, scale="small", seed=8, at=AT)
    other = _snapshot(session)
    assert [a for _, a, _ in other[0]] != [a for _, a, _ in first[0]]
    assert other[1] != first[1]


def test_generation_is_byte_identical_for_a_seed():
    a, b = generate_city("small", 3), generate_city("small", 3)
    assert a.cells == b.cells
    assert a.components == b.components
    assert a.cameras == b.cameras
    assert a.communities == b.communities and a.streets == b.streets and a.districts == b.districts
    assert a.supervisors == b.supervisors and a.staff == b.staff and a.roads == b.roads


def test_unknown_scale_is_refused(session):
    with pytest.raises(ValueError, match="unknown scale 'huge'"):
        seed_city(session, scale="huge")
    assert not has_city(session)


# --- codes --------------------------------------------------------------------------------------------


def _real_streets() -> dict[str, str]:
    with open(STANDARDS_DIR / "harbin_streets_nbs2023.csv", encoding="utf-8", newline="") as fh:
        return {r["code"]: r["name"] for r in csv.DictReader(fh)}


def test_codes_nest_and_follow_the_standards(small_city):
    city = small_city
    assert set(city.districts) == {d.code for d in SMALL.districts}
    assert {city.districts[d.code][0] for d in SMALL.districts} == {d.name for d in SMALL.districts}
    real = _real_streets()
    for code, (name, _) in city.streets.items():
        assert re.fullmatch(r"\d{9}", code)
        assert code[:6] in city.districts
        assert real[code] == name, "a street office keeps its real NBS name"
        assert int(code[6:]) < 100 and name.endswith("街道")
    for code, (name, _) in city.communities.items():
        assert re.fullmatch(r"\d{12}", code) and code[:9] in city.streets
        assert name.endswith("社区")
    assert len({name for name, _ in city.communities.values()}) == len(city.communities)
    for cell in city.cells:
        assert re.fullmatch(r"\d{15}", cell["code"])
        assert cell["community_code"] == cell["code"][:12]
        assert cell["community_code"] in city.communities
        assert cell["legacy_code"] == cell["code"][:12] + cell["code"][13:]
        assert cell["land_use"] in LAND_USES


def test_cells_are_numbered_west_to_east_north_to_south(small_city):
    by_community: dict[str, list[dict]] = defaultdict(list)
    for cell in small_city.cells:
        by_community[cell["community_code"]].append(cell)
    for community, cells in by_community.items():
        cells.sort(key=lambda c: c["code"])
        assert [int(c["code"][12:]) for c in cells] == list(range(1, len(cells) + 1)), community
        polys = np.array([c["geometry"] for c in cells], dtype=object)
        xy = shapely.get_coordinates(shapely.centroid(polys))
        top = shapely.bounds(polys)[:, 3].max()
        assert reading_order(xy[:, 0], xy[:, 1], top).tolist() == list(range(len(cells))), community
        rows = np.floor((top - xy[:, 1]) / ROW_BAND_M)
        assert (np.diff(rows) >= 0).all()  # row by row, north to south
        same_row = np.diff(rows) == 0
        assert (np.diff(xy[:, 0])[same_row] > 0).all()  # west to east within a row


# --- geometry -------------------------------------------------------------------------------------------


def _assert_tiles(parent, children: list, what: str) -> None:
    children = np.array(children, dtype=object)
    union = shapely.coverage_union_all(children)
    assert shapely.coverage_is_valid(children), f"{what}: children overlap or do not share edges exactly"
    assert abs(shapely.area(children).sum() - union.area) < 1e-6 * union.area, f"{what}: children overlap"
    assert shapely.symmetric_difference(parent, union).area < 0.01, f"{what}: children do not tile it"


def test_every_level_tiles_the_one_above(small_city):
    city = small_city
    polys = _cell_polys(city)
    assert shapely.is_valid(polys).all()
    assert (shapely.get_type_id(polys) == shapely.GeometryType.POLYGON).all()
    assert shapely.coverage_is_valid(polys)
    assert np.allclose(shapely.area(polys), [c["area_m2"] for c in city.cells])
    cells_of: dict[str, list] = defaultdict(list)
    for c in city.cells:
        cells_of[c["community_code"]].append(c["geometry"])
    for code, (_, geom) in city.communities.items():
        assert geom.is_valid and geom.geom_type == "Polygon"
        _assert_tiles(geom, cells_of[code], f"community {code}")
    for code, (_, geom) in city.streets.items():
        _assert_tiles(geom, [g for c, (_, g) in city.communities.items() if c[:9] == code], f"street {code}")
    for code, (_, geom) in city.districts.items():
        _assert_tiles(geom, [g for s, (_, g) in city.streets.items() if s[:6] == code], f"district {code}")
    districts = np.array([g for _, g in city.districts.values()], dtype=object)
    assert shapely.coverage_is_valid(districts)
    total = shapely.area(polys).sum()
    assert total == pytest.approx(sum(g.area for g in districts), rel=1e-9)
    assert total / 1e6 == pytest.approx(SMALL.area_km2, rel=0.02)
    assert total / len(polys) == pytest.approx(25_000, rel=0.02)


def test_city_sits_at_harbin_with_a_district_north_of_the_river(small_city):
    city = small_city
    lon, lat = transformer(HARBIN_CRS, WGS84).transform(
        *shapely.unary_union(_cell_polys(city)).centroid.coords[0]
    )
    assert lon == pytest.approx(126.65, abs=0.05) and lat == pytest.approx(45.72, abs=0.05)
    north = [d.code for d in SMALL.districts if d.north]
    south = [d.code for d in SMALL.districts if not d.north]
    assert len(north) == 1
    north_y = min(city.districts[c][1].centroid.y for c in north)
    assert all(city.districts[c][1].centroid.y < north_y for c in south)
    # The river lies between: no southern district touches a northern one.
    for n in north:
        for s in south:
            assert city.districts[n][1].distance(city.districts[s][1]) > 2 * SMALL.river_half_width_m * 0.9


# --- supervisors, components, cameras, people ------------------------------------------------------------


def test_every_cell_has_one_supervisor_whose_patch_is_connected(small_city):
    city = small_city
    patches: dict[int, list] = defaultdict(list)
    for c in city.cells:
        assert c["supervisor_id"] is not None
        patches[c["supervisor_id"]].append(c)
    assert set(patches) == set(city.supervisors)
    assert len(city.supervisors) == SMALL.supervisors
    for sid, cells in patches.items():
        sup = city.supervisors[sid]
        assert re.fullmatch(rf"{sup['district_code']}-S\d{{3}}", sup["code"])
        assert all(c["code"][:6] == sup["district_code"] for c in cells)
        union = shapely.coverage_union_all(np.array([c["geometry"] for c in cells], dtype=object))
        assert union.geom_type == "Polygon", f"supervisor {sup['code']}'s cells are not connected"
        assert re.fullmatch(r"\d{15}", sup["device_id"])
    assert len({s["device_id"] for s in city.supervisors.values()}) == len(city.supervisors)


def test_components_lie_in_their_cells_with_standard_ids(small_city):
    city = small_city
    comps = city.components
    assert len(comps) == SMALL.components
    polys = {c["code"]: c["geometry"] for c in city.cells}
    inside = shapely.contains_xy(
        np.array([polys[c["cell_code"]] for c in comps], dtype=object),
        [c["x"] for c in comps],
        [c["y"] for c in comps],
    )
    assert inside.all()
    types = {r.code: r for r in component_type_rows()}
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for c in comps:
        t = types[c["type_code"]]
        district = c["cell_code"][:6]
        assert c["id"][:6] == district
        if t.gb_code:
            assert re.fullmatch(r"\d{17}", c["id"]) and c["id"][6:11] == t.gb_code
        else:
            assert re.fullmatch(r"\d{16}", c["id"]) and c["id"][6:10] == t.legacy_code
        if t.legacy_code:
            assert c["legacy_id"] == district + t.legacy_code + c["id"][-6:]
        else:
            assert c["legacy_id"] is None
        assert c["owner_code"] == owner_for_component_type(t)
        assert c["owner_code"] in DEPARTMENT_CODES and c["maintenance_code"] in DEPARTMENT_CODES
        assert c["state"] in {s.value for s in ComponentState}
        assert c["data_source"] in ("实测", "地形图", "基础地理数据", "其他")
        assert c["change_date"] is None or c["change_date"] >= c["init_date"]
        seqs[(district, t.code)].append(int(c["id"][-6:]))
    for key, numbers in seqs.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    kinds = Counter(c["name"] for c in comps)
    assert kinds["行道树"] > kinds["路灯"] > kinds["售货亭"]  # many trees, fewer lamps, few kiosks
    covers = sum(n for name, n in kinds.items() if "井盖" in name)
    assert covers > 0.25 * len(comps)
    states = Counter(c["state"] for c in comps)
    assert states["intact"] > 0.85 * len(comps) and states["lost"] > 0


def test_cameras_watch_roads_squares_and_parks_from_their_cells(small_city):
    city = small_city
    cams = city.cameras
    assert len(cams) == SMALL.cameras
    polys = {c["code"]: c["geometry"] for c in city.cells}
    for cam in cams:
        assert re.fullmatch(r"\d{6}-C\d{4}", cam["id"]) and cam["id"][:6] == cam["cell_code"][:6]
        assert polys[cam["cell_code"]].contains(shapely.Point(cam["x"], cam["y"]))
        assert 40 <= cam["fov_deg"] <= 90 and 80 <= cam["range_m"] <= 250 and 0 <= cam["heading_deg"] < 360
        assert cam["stream_url"] == f"demo://cameras/{cam['id']}.mjpg"
    places = Counter(c["place"] for c in cams)
    assert set(places) == {"road", "square", "park"} and places["road"] > len(cams) / 2
    assert Counter(c["status"] for c in cams)["online"] > len(cams) / 2


def test_staff_can_log_in_for_every_role_everywhere(small_city):
    staff = small_city.staff
    assert len({s["login"] for s in staff}) == len(staff)
    roles_at: dict[str | None, set[str]] = defaultdict(set)
    for s in staff:
        roles_at[s["district_code"]].add(s["role"])
    # Every role at every district centre but the drill coordinator, who runs exercises at the centre;
    # an Open311 application is no person and has no login anywhere.
    for d in SMALL.districts:
        assert roles_at[d.code] == {r.value for r in Role} - {Role.DRILL.value, Role.APP.value}
    assert roles_at[None] == {r.value for r in Role} - {Role.APP.value}
    assert {s["department_code"] for s in staff if s["department_code"]} == set(DEPARTMENT_CODES)


def _core_denser_than_edges(cells: list[dict], south: list) -> bool:
    """Residents per m2 in the third of the south bank's cells nearest its middle beat the farthest third."""
    centre = shapely.unary_union(south).centroid
    homes = [
        c for c in cells if c["land_use"] == "residential" and any(c["geometry"].within(s) for s in south)
    ]
    homes.sort(key=lambda c: c["geometry"].centroid.distance(centre))
    third = len(homes) // 3
    density = [c["pop_night"] / c["area_m2"] for c in homes]
    return np.mean(density[:third]) > 1.5 * np.mean(density[-third:])


def test_population_is_denser_in_the_core(small_city):
    cells = small_city.cells
    assert sum(c["pop_night"] for c in cells) == SMALL.pop_night
    assert sum(c["pop_day"] for c in cells) == SMALL.pop_day
    assert all(c["pop_night"] >= 0 and c["pop_day"] >= 0 for c in cells)
    south = [
        g
        for code, (_, g) in small_city.districts.items()
        if code in {d.code for d in SMALL.districts if not d.north}
    ]
    assert _core_denser_than_edges(cells, south)


# --- departments and routing tables -------------------------------------------------------------------


def test_departments_are_the_23_with_valid_credit_codes():
    assert len(DEPARTMENTS) == 23 and len(set(DEPARTMENT_CODES)) == 23
    for d in DEPARTMENTS:
        assert re.fullmatch(r"[a-z_]+", d.code)
        assert d.name.startswith("哈尔滨") and d.name_en and d.duties
        assert len(d.credit_code) == 18 and is_valid_credit_code(d.credit_code)
    assert len({d.credit_code for d in DEPARTMENTS}) == 23
    broken = DEPARTMENTS[0].credit_code[:-1] + ("0" if DEPARTMENTS[0].credit_code[-1] != "0" else "1")
    assert not is_valid_credit_code(broken)


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("供水井盖", "water_supply"),
        ("污水井盖", "drainage"),
        ("雨水箅子", "drainage"),
        ("电力井盖", "power"),
        ("路灯", "street_lighting"),
        ("路灯井盖", "street_lighting"),
        ("通信井盖", "telecom"),
        ("电视井盖", "cable_tv"),
        ("热力井盖", "heating"),
        ("燃气井盖", "gas"),
        ("公安井盖", "public_security"),
        ("消防设施", "fire"),
        ("邮筒", "post"),
        ("交通信号灯", "traffic_police"),
        ("跨河桥", "roads_bridges"),
        ("地下通道", "roads_bridges"),
        ("公交站设施", "public_transit"),
        ("行道树", "landscaping"),
        ("垃圾箱", "sanitation"),
        ("人防工事", "civil_defence"),
    ],
)
def test_component_owners(name, owner):
    row = next(r for r in component_type_rows() if r.name == name)
    assert owner_for_component_type(row) == owner


def test_every_standard_type_has_a_department():
    for r in component_type_rows():
        assert owner_for_component_type(r) in DEPARTMENT_CODES, r
    for r in event_type_rows():
        assert department_for_event_type(r) in DEPARTMENT_CODES, r


def _event(code: str):
    return next(r for r in event_type_rows() if r.code == code)


@pytest.mark.parametrize(
    ("code", "department"),
    [
        ("01001", "water_supply"),  # 供水井盖异常: the owner of the component
        ("01037", "street_lighting"),  # 路灯异常
        ("06010", "sanitation"),  # 暴露垃圾
        ("06001", "enforcement"),  # 私搭乱建
        ("08016", "planning"),  # 无证建设
        ("07001", "enforcement"),  # 非法小广告
        ("08002", "construction"),  # 施工占道
        ("09006", "enforcement"),  # 占道经营
        ("09009", "traffic_police"),  # 机动车乱停放
        ("0401", "roads_bridges"),  # 路面塌陷
        ("0402", "water_supply"),  # 自来水管破裂
        ("0403", "gas"),  # 燃气管道破裂
        ("0404", "drainage"),  # 下水道堵塞或破损
        ("0405", "heating"),  # 热力管道破裂
        ("0406", "drainage"),  # 道路积水
        ("10001", "sanitation"),  # 道路积雪、结冰
        ("10002", "power"),  # 架空线缆脱落
        ("0409", "public_security"),  # 群发性事件
    ],
)
def test_default_event_assignments(code, department):
    assert dict(event_assignments("230103", [_event(code)]))[code] == department


def test_event_assignments_differ_by_district_and_cover_every_type():
    types = event_type_rows()
    tables = {d: dict(event_assignments(d, types)) for d in ("230102", "230103", "230104", "230109")}
    for table in tables.values():
        assert set(table) == {t.code for t in types}
    assert tables["230102"]["06012"] == "landscaping"
    assert tables["230103"]["06012"] == "sanitation"
    assert len({tuple(sorted(t.items())) for t in tables.values()}) == len(tables)
    assert event_assignments("230102", types) == event_assignments("230102", types)


def test_seeded_assignments_are_the_default_tables(session):
    seed_city(session, scale="small", seed=1, at=AT)
    rows = session.execute(
        select(
            EventAssignment.district_code, EventAssignment.event_type_code, EventAssignment.department_code
        )
    ).all()
    by_district: dict[str, dict[str, str]] = defaultdict(dict)
    for d, t, dep in rows:
        by_district[d][t] = dep
    for d in SMALL.districts:
        assert by_district[d.code] == dict(event_assignments(d.code, event_type_rows()))


# --- helpers -------------------------------------------------------------------------------------------


def test_apportion_is_exact_and_respects_bounds():
    assert apportion(83, [36, 38, 30, 12, 16, 32, 12], caps=[19, 18, 23, 9, 7, 20, 16]).tolist() == [
        17,
        18,
        14,
        6,
        7,
        15,
        6,
    ]
    shares = apportion(10, [1, 1, 1], minimum=0)
    assert shares.sum() == 10 and shares.max() - shares.min() <= 1
    assert apportion(5, [100, 0, 0]).tolist() == [3, 1, 1]
    with pytest.raises(ValueError):
        apportion(2, [1, 1, 1])


def test_a_cell_cut_in_two_by_the_shore_gives_its_stray_piece_to_a_neighbour():
    from data.demo_city import _fold_fragments

    cut = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 22, 10)])
    cells = np.array([cut, shapely.box(22, 0, 30, 10), shapely.box(10, 0, 20, 10)], dtype=object)
    folded = _fold_fragments(cells)
    assert (shapely.get_type_id(folded) == shapely.GeometryType.POLYGON).all()
    assert folded[0].equals(shapely.box(0, 0, 10, 10))
    assert folded[1].area + folded[2].area == pytest.approx(
        80 + 100 + 20
    )  # the stray 2 x 10 went to a neighbour
    assert shapely.area(folded).sum() == pytest.approx(shapely.area(cells).sum())


def test_reading_order_is_rows_then_west_to_east():
    xs = np.array([10.0, 0.0, 5.0, 0.0])
    ys = np.array([1000.0, 1000.0, 900.0, 700.0])
    assert reading_order(xs, ys, top=1000.0, band=150.0).tolist() == [1, 2, 0, 3]


# --- Harbin scale ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_harbin_scale_has_the_seed_articles_figures(sqlite_url):
    engine = open_database(sqlite_url)
    make_session = session_factory(engine)
    with make_session() as s, s.begin():
        summary = seed_city(s, scale="harbin", seed=1, at=AT)
    with make_session() as s:
        counts = stats(s)
        assert counts["districts"] == 7
        assert counts["streets"] == 83
        assert counts["communities"] == 480
        assert counts["cells"] == 7030
        assert counts["departments"] == 23
        assert counts["cameras"] == 1150
        assert counts["supervisors"] == 963
        assert counts["components"] >= 100_000
        assert summary["cells"] == 7030 and summary["components"] == counts["components"]
        names = dict(s.execute(select(District.code, District.name_en)).all())
        assert names == {
            "230102": "Daoli",
            "230103": "Nangang",
            "230104": "Daowai",
            "230108": "Pingfang",
            "230109": "Songbei",
            "230110": "Xiangfang",
            "230111": "Hulan",
        }
        real = _real_streets()
        streets = s.execute(select(Street.code, Street.name)).all()
        assert all(real[code] == name and int(code[6:]) < 100 for code, name in streets)
        cells = s.execute(
            select(GridCell.code, GridCell.geometry, GridCell.supervisor_id, GridCell.pop_night)
        ).all()
        polys = np.array([g for _, g, _, _ in cells], dtype=object)
        assert shapely.area(polys).sum() / 1e6 == pytest.approx(176, abs=5)
        assert shapely.coverage_is_valid(polys)
        assert 3_000_000 <= sum(p for *_, p in cells) <= 4_000_000
        patches: dict[int, list] = defaultdict(list)
        for _, geom, sid, _ in cells:
            patches[sid].append(geom)
        assert None not in patches and len(patches) == 963
        assert all(
            shapely.coverage_union_all(np.array(p, dtype=object)).geom_type == "Polygon"
            for p in patches.values()
        )
        homes = [
            {"geometry": g, "area_m2": g.area, "pop_night": p, "land_use": u}
            for g, p, u in s.execute(select(GridCell.geometry, GridCell.pop_night, GridCell.land_use))
        ]
        north = s.scalars(select(District.geometry).where(District.code.in_(["230109", "230111"]))).all()
        south = s.scalars(select(District.geometry).where(District.code.not_in(["230109", "230111"]))).all()
        assert min(g.centroid.y for g in north) > max(g.centroid.y for g in south)
        assert _core_denser_than_edges(homes, south)
        assert s.scalar(select(func.count()).select_from(Road).where(Road.kind == "bridge")) >= 2
        assert s.scalar(select(CityMeta.value).where(CityMeta.key == "scale")) == "harbin"
    engine.dispose()
