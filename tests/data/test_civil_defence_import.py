"""Import of sirens and shelters from GeoJSON and CSV into a tiny hand-built city.

Expected positions come from a transformer built here; cells holding a point from plain shapely.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
import shapely
import shapely.geometry
from pyproj import Transformer
from shapely.geometry import box
from sqlalchemy import func, select

from data.city import set_city_crs
from data.civil_defence_io import import_civil_defence
from data.civil_defence_models import Shelter, Siren
from data.errors import InputError, NoCity
from data.geometry import HARBIN_CRS
from data.gis_io import ImportRejected
from data.models import Community, District, GridCell, JournalEvent, Street

AT = dt.datetime(2026, 3, 2, 9, 30)
X0, Y0 = 500_000.0, 5_060_000.0  # EPSG:4551, near Harbin
TO_LONLAT = Transformer.from_crs(HARBIN_CRS, "EPSG:4326", always_xy=True)


@pytest.fixture
def city(session):
    """Four 500 m cells: two in 道里 (west), two in 南岗 (east)."""
    set_city_crs(session, HARBIN_CRS)
    session.add_all([District(code="230102", name="道里区"), District(code="230103", name="南岗区")])
    session.flush()
    session.add_all([Street(code="230102001", name="甲", district_code="230102"),
                     Street(code="230103001", name="乙", district_code="230103")])  # fmt: skip
    session.flush()
    session.add_all([Community(code="230102001001", name="甲社区", street_code="230102001"),
                     Community(code="230103001001", name="乙社区", street_code="230103001")])  # fmt: skip
    session.flush()
    for k, community in enumerate(["230102001001", "230102001001", "230103001001", "230103001001"]):
        poly = box(X0 + k * 500, Y0, X0 + (k + 1) * 500, Y0 + 500)
        session.add(
            GridCell(code=f"{community}{k + 1:03d}", community_code=community, geometry=poly, area_m2=poly.area,
                     pop_night=1000, pop_day=1000)
        )  # fmt: skip
    session.flush()
    return session


def _lonlat(x: float, y: float) -> list[float]:
    lon, lat = TO_LONLAT.transform(x, y)
    return [lon, lat]


def _geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8"
    )
    return path


def _csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _point(x: float, y: float, **props) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": _lonlat(x, y)},
    }


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- sirens ----------------------------------------------------------------------------------------


def test_sirens_from_geojson_then_updated_from_csv(city, tmp_path):
    features = [
        _point(
            X0 + 250, Y0 + 250, id="J1", name="甲警报点", kind="电声", power_w=1200, last_test="2025-09-18"
        ),
        _point(X0 + 1250, Y0 + 100, id="J2", kind="electro_mechanical", power_kw=4, status="out_of_service"),
        _point(
            X0 + 2600, Y0 + 250, id="J3", power_w=600, audible_radius_m=650, mount="pole"
        ),  # beyond the grid
    ]
    report = import_civil_defence(city, "sirens", _geojson(tmp_path / "s.geojson", features), at=AT)
    assert (report.read, report.inserted, report.updated) == (3, 3, 0)
    assert report.outside == ["J3"]
    j1, j2, j3 = (city.get(Siren, i) for i in ("J1", "J2", "J3"))
    assert (j1.x, j1.y) == pytest.approx((X0 + 250, Y0 + 250), abs=1e-3)
    assert (j1.kind, j1.power_w, j1.cell_code, j1.district_code) == (
        "electronic",
        1200,
        "230102001001001",
        "230102",
    )
    assert j1.last_test == dt.date(2025, 9, 18) and j1.status == "in_service" and j1.audible_radius_m is None
    assert (j2.kind, j2.power_w, j2.status, j2.district_code) == (
        "electro_mechanical",
        4000,
        "out_of_service",
        "230103",
    )
    assert (j3.cell_code, j3.audible_radius_m, j3.mount) == (None, 650, "pole")
    # CSV in the city CRS: J2 back in service; the others as they were.
    rows = [["id", "x", "y", "status"], ["J1", X0 + 250, Y0 + 250, ""], ["J2", j2.x, j2.y, "in_service"]]
    again = import_civil_defence(city, "sirens", _csv(tmp_path / "s.csv", rows), at=AT)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    assert city.get(Siren, "J2").status == "in_service" and city.get(Siren, "J2").power_w == 4000
    kinds = city.scalars(select(JournalEvent.kind).where(JournalEvent.kind == "import.sirens")).all()
    assert len(kinds) == 2


def test_bad_siren_rows_are_named_and_nothing_is_written(city, tmp_path):
    rows = [
        ["id", "lon", "lat", "kind", "power_w", "status"],
        ["J1", *_lonlat(X0 + 100, Y0 + 100), "electronic", "1200", "in_service"],
        ["J2", *_lonlat(X0 + 200, Y0 + 100), "pneumatic", "1200", ""],  # line 3: unknown kind
        ["J3", *_lonlat(X0 + 300, Y0 + 100), "electronic", "", ""],  # line 4: no power
        ["J4", *_lonlat(X0 + 400, Y0 + 100), "electronic", "1200", "broken"],  # line 5: bad status
        ["J1", *_lonlat(X0 + 500, Y0 + 100), "electronic", "1200", ""],  # line 6: duplicate id
        ["J6", "abc", "45.7", "electronic", "1200", ""],  # line 7: not a number
    ]
    with pytest.raises(ImportRejected) as err:
        import_civil_defence(city, "sirens", _csv(tmp_path / "bad.csv", rows), at=AT)
    message = str(err.value)
    for line, words in ((3, "pneumatic"), (4, "power_w"), (5, "broken"), (6, "same id"), (7, "not numbers")):
        assert f"line {line}" in message and words in message, (line, message)
    assert "line 2" not in message
    assert _count(city, Siren) == 0
    assert not city.scalars(select(JournalEvent).where(JournalEvent.kind == "import.sirens")).all()


def test_a_polygon_is_not_a_siren(city, tmp_path):
    feature = {"type": "Feature", "properties": {"id": "J9", "power_w": 600},
               "geometry": shapely.geometry.mapping(box(126.6, 45.7, 126.61, 45.71))}  # fmt: skip
    with pytest.raises(ImportRejected, match="feature 0"):
        import_civil_defence(city, "sirens", _geojson(tmp_path / "p.geojson", [feature]), at=AT)


def test_repeated_and_long_ids_and_metres_read_as_degrees_are_named(city, tmp_path):
    long_id = "J" * 33
    features = [
        _point(X0 + 100, Y0 + 100, id="J1", power_w=600),
        _point(X0 + 200, Y0 + 100, id="J1"),  # a repeat, named for that alone (its power is missing too)
        _point(X0 + 300, Y0 + 100, id=long_id, power_w=600),
        {"type": "Feature", "properties": {"id": "J4", "power_w": 600},
         "geometry": {"type": "Point", "coordinates": [X0 + 400, Y0 + 100]}},  # city metres, no crs member
    ]  # fmt: skip
    with pytest.raises(ImportRejected) as err:
        import_civil_defence(city, "sirens", _geojson(tmp_path / "ids.geojson", features), at=AT)
    assert [(p.index, p.code, p.reason) for p in err.value.problems] == [
        (1, "J1", "same id as feature 0"),
        (2, long_id, f"id {long_id!r} is longer than 32 characters"),
        (3, "J4", "coordinates out of longitude/latitude range: is the file projected? give its CRS"),
    ]
    assert _count(city, Siren) == 0


def test_the_import_event_counts_what_the_report_lists(city, tmp_path):
    features = [
        _point(X0 + 100, Y0 + 100, id="J1", power_w=600),
        _point(X0 + 2600, Y0 + 100, id="J2", power_w=600),  # beyond the grid
    ]
    path = _geojson(tmp_path / "two.geojson", features)
    report = import_civil_defence(city, "sirens", path, actor="tester", at=AT)
    event = city.get(JournalEvent, report.journal_seq)
    assert (event.kind, event.actor, event.subject) == ("import.sirens", "tester", "two.geojson")
    assert event.at == AT
    assert report.outside == ["J2"]
    assert {k: event.payload[k] for k in ("path", "read", "inserted", "outside", "repaired")} == {
        "path": str(path),
        "read": 2,
        "inserted": 2,
        "outside": 1,
        "repaired": 0,
    }
    assert "journal_seq" not in event.payload


# --- shelters --------------------------------------------------------------------------------------


def _footprint_lonlat(x0: float, y0: float, w: float, h: float) -> dict:
    ring = [_lonlat(x, y) for x, y in ((x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0))]
    return {"type": "Polygon", "coordinates": [ring]}


def test_shelters_from_geojson_footprints_and_points(city, tmp_path):
    features = [
        {"type": "Feature",
         "properties": {"id": "S1", "name": "甲人防", "class": "二等人员掩蔽工程", "usable_area_m2": 2500,
                        "entrances": [_lonlat(X0 + 100, Y0 + 150), _lonlat(X0 + 150, Y0 + 100)]},
         "geometry": _footprint_lonlat(X0 + 100, Y0 + 100, 100, 50)},
        {"type": "Feature",
         "properties": {"id": "S2", "class": "command_post", "usable_area_m2": 900, "status": "closed"},
         "geometry": {"type": "Point", "coordinates": _lonlat(X0 + 1600, Y0 + 200)}},
        {"type": "Feature",
         "properties": {"id": "S3", "class": "personnel_1", "usable_area_m2": 1000, "capacity": 700},
         "geometry": {"type": "Point", "coordinates": _lonlat(X0 + 800, Y0 + 300)}},
    ]  # fmt: skip
    report = import_civil_defence(city, "shelters", _geojson(tmp_path / "sh.geojson", features), at=AT)
    assert (report.inserted, report.outside) == (3, [])
    s1, s2, s3 = (city.get(Shelter, i) for i in ("S1", "S2", "S3"))
    assert s1.shelter_class == "personnel_2" and s1.capacity == 2500  # 1 m2 a person
    assert s1.footprint.area == pytest.approx(5000, rel=1e-6)
    assert s1.footprint.contains(shapely.Point(s1.x, s1.y)) and s1.cell_code == "230102001001001"
    doors = shapely.get_coordinates(s1.entrances).ravel()
    assert doors == pytest.approx([X0 + 100, Y0 + 150, X0 + 150, Y0 + 100], abs=1e-3)
    assert (s2.capacity, s2.status, s2.footprint, s2.district_code) == (
        300,
        "closed",
        None,
        "230103",
    )  # 3 m2 each
    assert s3.capacity == 700  # given, not derived


def test_shelter_csv_with_wkt_footprints_and_a_custom_norm(city, tmp_path):
    wkt = box(X0 + 1100, Y0 + 100, X0 + 1200, Y0 + 200).wkt
    doors = f"MULTIPOINT (({X0 + 1100} {Y0 + 150}), ({X0 + 1200} {Y0 + 150}))"
    rows = [["id", "wkt", "class", "usable_area_m2", "entrances"], ["S7", wkt, "personnel_2", "9000", doors]]
    report = import_civil_defence(
        city, "shelters", _csv(tmp_path / "sh.csv", rows), crs=HARBIN_CRS, area_per_person_m2=1.5, at=AT
    )
    assert report.inserted == 1
    s7 = city.get(Shelter, "S7")
    assert s7.capacity == 6000 and s7.district_code == "230103"
    assert len(shapely.get_parts(s7.entrances)) == 2
    # Re-import with a larger area: capacity follows by the default norm.
    rows[1][3] = "9500"
    again = import_civil_defence(city, "shelters", _csv(tmp_path / "sh2.csv", rows), crs=HARBIN_CRS, at=AT)
    assert again.updated == 1 and city.get(Shelter, "S7").capacity == 9500


def test_bad_shelter_features_are_named_and_nothing_is_written(city, tmp_path):
    good = {"type": "Feature", "properties": {"id": "S1", "class": "personnel_2", "usable_area_m2": 800},
            "geometry": _footprint_lonlat(X0 + 100, Y0 + 100, 40, 20)}  # fmt: skip
    features = [
        good,
        {**good, "properties": {"id": "S2", "usable_area_m2": 800}},  # 1: no class
        {**good, "properties": {"id": "S3", "class": "bunker", "usable_area_m2": 800}},  # 2: unknown class
        {**good, "properties": {"id": "S4", "class": "medical"}},  # 3: no area
        {**good, "properties": {"id": "S5", "class": "medical", "usable_area_m2": 500,
                                "entrances": [_lonlat(X0 + 1900, Y0 + 400)]}},  # 4: entrance 1.8 km away
        {**good, "geometry": {"type": "LineString", "coordinates": [_lonlat(X0, Y0), _lonlat(X0 + 9, Y0)]}},  # 5
        {**good, "properties": {"id": "S7", "class": "medical", "usable_area_m2": 500, "capacity": 10.5}},  # 6
    ]  # fmt: skip
    with pytest.raises(ImportRejected) as err:
        import_civil_defence(city, "shelters", _geojson(tmp_path / "bad.geojson", features), at=AT)
    problems = {p.index: p.reason for p in err.value.problems}
    assert sorted(problems) == [1, 2, 3, 4, 5, 6]
    assert "no class" in problems[1] and "bunker" in problems[2] and "usable_area_m2" in problems[3]
    assert "entrance 0" in problems[4] and "LineString" in problems[5] and "whole number" in problems[6]
    assert _count(city, Shelter) == 0


def test_import_needs_a_city_and_a_known_kind(session, tmp_path):
    path = _geojson(tmp_path / "x.geojson", [])
    with pytest.raises(NoCity):
        import_civil_defence(session, "sirens", path, at=AT)
    with pytest.raises(InputError, match="unknown civil-defence layer"):
        import_civil_defence(session, "bunkers", path, at=AT)
