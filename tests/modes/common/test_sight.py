"""Who sees this (modes.common.sight): the indexed query agrees with a brute-force check of every camera
on the Harbin-scale demo city's 1,150 cameras, and the sector's edges, apex, wrap-around north and
bearings are as the module defines them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from modes.common.sight import SightIndex, bearing, camera_feeds, compass_point

HARBIN_POINTS = 4000


@pytest.fixture(scope="module")
def harbin_cameras() -> list[dict]:
    from data.demo_city import generate_city

    return generate_city("harbin", seed=1).cameras


def index_of(cams: list[dict]) -> SightIndex:
    cols = ("id", "name", "x", "y", "heading_deg", "fov_deg", "range_m", "status")
    return SightIndex(*([c[k] for c in cams] for k in cols))


def brute_force(cams: list[dict], x: float, y: float, margin: float = 1e-6):
    """(seen ids by distance, ambiguous ids): every camera in turn, by the dot product of the heading and
    the direction to the point (not the index's angle arithmetic). Points within ``margin`` of a
    sector's edge are ambiguous to floating point and are not counted either way."""
    seen, ambiguous = [], set()
    for c in cams:
        dx, dy = x - c["x"], y - c["y"]
        d = math.hypot(dx, dy)
        h = math.radians(c["heading_deg"])
        if d == 0:
            seen.append((0.0, c["id"]))
            continue
        cos_off = (dx * math.sin(h) + dy * math.cos(h)) / d
        limit = math.cos(math.radians(c["fov_deg"] / 2))
        if abs(d - c["range_m"]) < margin * 1e3 or abs(cos_off - limit) < margin:
            ambiguous.add(c["id"])
        elif d <= c["range_m"] and cos_off >= limit:
            seen.append((d, c["id"]))
    return [i for _, i in sorted(seen)], ambiguous


def test_the_index_agrees_with_every_camera_checked_in_turn_at_harbin_scale(harbin_cameras):
    cams = harbin_cameras
    assert len(cams) == 1150
    index = index_of(cams)
    rng = np.random.default_rng(16)
    xs = np.array([c["x"] for c in cams])
    ys = np.array([c["y"] for c in cams])
    # Half anywhere in the cameras' extent (mostly seen by none), half near a camera (often seen).
    n_near = HARBIN_POINTS // 2
    near = rng.integers(0, len(cams), n_near)
    reach = rng.uniform(0, 260, n_near)
    angle = rng.uniform(0, 2 * np.pi, n_near)
    px = np.concatenate(
        [
            rng.uniform(xs.min() - 300, xs.max() + 300, HARBIN_POINTS - n_near),
            xs[near] + reach * np.sin(angle),
        ]
    )
    py = np.concatenate(
        [
            rng.uniform(ys.min() - 300, ys.max() + 300, HARBIN_POINTS - n_near),
            ys[near] + reach * np.cos(angle),
        ]
    )
    by_id = {c["id"]: c for c in cams}
    seen_somewhere = 0
    several = 0
    for x, y in zip(px.tolist(), py.tolist(), strict=True):
        found = index.who_sees(x, y)
        expected, ambiguous = brute_force(cams, x, y)
        got = [c.id for c in found if c.id not in ambiguous]
        assert got == [i for i in expected if i not in ambiguous], (x, y)
        for c in found:
            cam = by_id[c.id]
            assert c.distance_m == pytest.approx(math.hypot(cam["x"] - x, cam["y"] - y), abs=1e-6)
            assert c.bearing_deg == pytest.approx(bearing(x, y, cam["x"], cam["y"]), abs=1e-9)
            assert (c.name, c.status, c.x, c.y) == (cam["name"], cam["status"], cam["x"], cam["y"])
        assert [c.distance_m for c in found] == sorted(c.distance_m for c in found)
        seen_somewhere += bool(found)
        several += len(found) > 1
    # The check means something: many points seen, some by more than one camera.
    assert seen_somewhere > 600 and several > 100, (seen_somewhere, several)


def sector_index(heading: float, fov: float, reach: float = 100.0) -> SightIndex:
    return SightIndex(["C1"], ["one"], [0.0], [0.0], [heading], [fov], [reach], ["online"])


def seen(index: SightIndex, x: float, y: float) -> bool:
    return [c.id for c in index.who_sees(x, y)] == ["C1"]


def test_the_sector_includes_its_edges_and_apex_and_nothing_beyond():
    east = sector_index(90.0, 60.0)
    assert seen(east, 50, 0)
    assert seen(east, 0, 0)  # the camera's own spot
    assert seen(east, 100, 0)  # the arc itself
    assert not seen(east, 100.001, 0)
    edge = math.radians(30.0)
    assert seen(east, 80 * math.cos(edge), 80 * math.sin(edge))  # on the left edge, 30 degrees off
    assert not seen(east, 80 * math.cos(edge + 1e-4), 80 * math.sin(edge + 1e-4))
    assert not seen(east, -10, 0)  # behind


def test_a_field_of_view_across_north_wraps_round():
    north = sector_index(350.0, 40.0)
    for deg in (331, 350, 0, 5, 9.9):
        a = math.radians(deg)
        assert seen(north, 50 * math.sin(a), 50 * math.cos(a)), deg
    for deg in (329, 11, 180):
        a = math.radians(deg)
        assert not seen(north, 50 * math.sin(a), 50 * math.cos(a)), deg
    full = sector_index(0.0, 360.0)
    assert all(seen(full, 60 * math.sin(a), 60 * math.cos(a)) for a in np.linspace(0, 2 * np.pi, 37))


def test_distance_and_bearing_run_from_the_point_to_the_camera():
    east = sector_index(90.0, 60.0)
    (cam,) = east.who_sees(40.0, 0.0)
    assert cam.distance_m == pytest.approx(40.0)
    assert cam.bearing_deg == pytest.approx(270.0) and cam.compass == "W"
    assert [compass_point(d) for d in (0, 22.4, 22.5, 90, 180, 269, 337.5, 359.9)] == [
        "N", "N", "NE", "E", "S", "W", "N", "N",
    ]  # fmt: skip
    assert cam.as_dict() == {
        "id": "C1", "name": "one", "status": "online", "distance_m": 40.0, "bearing_deg": 270.0,
        "compass": "W", "x": 0.0, "y": 0.0,
    }  # fmt: skip


def test_equally_near_cameras_come_in_id_order():
    index = SightIndex(
        ["B", "A", "C"], ["b", "a", "c"], [10.0, -10.0, 0.0], [0.0, 0.0, -30.0],
        [270.0, 90.0, 0.0], [90.0, 90.0, 90.0], [50.0, 50.0, 50.0], ["online"] * 3,
    )  # fmt: skip
    assert [c.id for c in index.who_sees(0.0, 0.0)] == ["A", "B", "C"]


def test_an_empty_city_sees_nothing():
    assert SightIndex([], [], [], [], [], [], [], []).who_sees(0.0, 0.0) == ()


def test_the_map_picture_and_the_database_give_the_same_index(make_session, snapshot):
    with make_session() as s:
        loaded = SightIndex.load(s)
    pictured = SightIndex.from_snapshot(snapshot)
    assert list(loaded.ids) == list(pictured.ids) and len(loaded) == 30
    np.testing.assert_allclose(loaded.x, pictured.x, atol=1e-6)
    np.testing.assert_allclose(loaded.y, pictured.y, atol=1e-6)
    assert list(loaded.status) == list(pictured.status)
    for i in range(len(loaded)):  # a point 40 % of the way along each camera's heading
        a = math.radians(loaded.heading[i])
        x = loaded.x[i] + 0.4 * loaded.range[i] * math.sin(a)
        y = loaded.y[i] + 0.4 * loaded.range[i] * math.cos(a)
        assert loaded.who_sees(x, y) == pictured.who_sees(x, y)
        assert loaded.ids[i] in {c.id for c in loaded.who_sees(x, y)}


def test_camera_feeds_come_in_the_order_asked(make_session):
    with make_session() as s:
        feeds = camera_feeds(s, ["230102-C0003", "nope", "230102-C0001", "230102-C0003"])
    assert [f.id for f in feeds] == ["230102-C0003", "230102-C0001"]
    assert feeds[0].stream_url == "demo://cameras/230102-C0003.mjpg" and feeds[0].name
