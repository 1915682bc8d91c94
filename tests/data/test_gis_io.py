"""GIS import and export on real public data (tests/data/public) and on small files made here.

Expected values are computed independently of ``data.gis_io``: areas on the ellipsoid with
``pyproj.Geod`` (the importer measures them in the city's UTM zone), positions with a transformer built
here, cells holding a point with plain shapely predicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import box, mapping, shape
from sqlalchemy import func, select

from data import gis_io
from data.city import city_crs, get_meta, has_city
from data.codes import load_types
from data.db import open_database, session_factory
from data.errors import CityExists, InputError, NoCity, NotFound
from data.geometry import CrsError
from data.models import (
    Camera,
    CityMeta,
    Community,
    Component,
    ComponentType,
    Department,
    District,
    GridCell,
    JournalEvent,
    Street,
)
from data.spatial import GridIndex

AT = dt.datetime(2026, 3, 2, 9, 30)
GEOD = Geod(ellps="WGS84")
# The UTM zone the importer should pick is a fact about the data, checked independently here.
SF_UTM, HAMBURG_UTM = "EPSG:32610", "EPSG:32632"
TORONTO_MTM10 = "EPSG:2019"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _write_geojson(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _geodesic_area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def _repaired_source(feature: dict):
    """The source polygon as shapely would repair it, keeping polygonal parts: what the city should hold."""
    geom = shape(feature["geometry"])
    if geom.is_valid:
        return geom
    parts = [
        p for p in shapely.get_parts(shapely.make_valid(geom)) if p.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(parts)


def _cells_by_source(session) -> dict[str, GridCell]:
    mapping = json.loads(get_meta(session, "cell_source_codes"))
    return {mapping[c.code]: c for c in session.scalars(select(GridCell))}


def _to_city(session, lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4326", city_crs(session), always_xy=True).transform(lon, lat)


def _vectorised(tr: Transformer):
    return lambda coords: np.column_stack(tr.transform(coords[:, 0], coords[:, 1]))


def _import_events(session, kind: str) -> list[JournalEvent]:
    return list(session.scalars(select(JournalEvent).where(JournalEvent.kind == f"import.{kind}")))


# --- a small standard grid, for cameras and components -------------------------------------------


def _grid_features(
    x0: float, y0: float, cols: int, rows: int, size: float, district: str = "230102"
) -> list[dict]:
    """Square cells with standard codes, rows north to south; two communities split at the middle column."""
    features = []
    for r in range(rows):
        for c in range(cols):
            community = 1 if c < cols // 2 else 2
            seq = r * cols + c + 1
            code = f"{district}001{community:03d}{seq:03d}"
            cell = box(x0 + c * size, y0 - (r + 1) * size, x0 + (c + 1) * size, y0 - r * size)
            features.append(
                {"type": "Feature", "properties": {"code": code, "pop": 100 + seq}, "geometry": mapping(cell)}
            )
    return features


@pytest.fixture
def toronto_grid(tmp_path) -> Path:
    # A 4 x 3 grid of 2 km cells over central Toronto written in MTM zone 10 with a crs member, so the
    # new city keeps that metric CRS: a camera layer then covers both "inside a cell" and "outside".
    return _write_geojson(
        tmp_path / "toronto_grid.geojson", _grid_features(308000, 4842000, 4, 3, 2000), TORONTO_MTM10
    )


@pytest.fixture
def small_city(session, tmp_path):
    """A 3 x 2 grid of 500 m cells near Harbin, the standard types and two departments."""
    tr = Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True)
    x0, y0 = tr.transform(126.65, 45.75)
    features = _grid_features(round(x0), round(y0), 3, 2, 500)
    # Written in WGS84 like most real files, so the city CRS is chosen (UTM 52N) rather than given.
    inverse = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    for f in features:
        f["geometry"] = mapping(shapely.transform(shape(f["geometry"]), _vectorised(inverse)))
    path = _write_geojson(tmp_path / "grid.geojson", features)
    gis_io.import_layer(session, "cells", path, at=AT)
    load_types(session)
    session.add_all([Department(code="water", name="供水公司"), Department(code="roads", name="市政工程处")])
    # The founding gave 01001 its standard owner (water_supply); these tests want a type without one.
    session.get(ComponentType, "01001").default_owner = None
    session.flush()
    return {"x0": round(x0), "y0": round(y0), "features": features}


# --- San Francisco: a new city from neighbourhoods with invalid polygons and holes ----------------


def test_san_francisco_neighbourhoods_make_a_new_city(session, public_copy):
    path = public_copy("cth_san-francisco.geojson")
    source = _features(path)
    assert not has_city(session)

    report = gis_io.import_layer(session, "cells", path, code_field="name", actor="tester", at=AT)

    invalid = [i for i, f in enumerate(source) if not shape(f["geometry"]).is_valid]
    assert invalid == [1, 5, 10]  # the data README's three invalid polygons
    assert (report.read, report.inserted, report.updated) == (37, 37, 0)
    assert report.city_created and report.crs_to == SF_UTM == city_crs(session)
    assert [r[0] for r in report.repaired] == invalid
    assert [r[1] for r in report.repaired] == [source[i]["properties"]["name"] for i in invalid]
    assert all("Self-intersection" in r[2] for r in report.repaired)

    cells = _cells_by_source(session)
    assert sorted(cells) == sorted(f["properties"]["name"] for f in source)
    assert all(c.geometry.is_valid and c.geometry.area > 0 for c in cells.values())
    assert all(len(c.code) == 15 and c.code.startswith("990001") for c in cells.values())

    # Areas: the metric-CRS area of every cell against the ellipsoidal area of the repaired source.
    for f in source:
        expected = _geodesic_area(_repaired_source(f))
        assert cells[f["properties"]["name"]].area_m2 == pytest.approx(expected, rel=2e-3)
    total = sum(_geodesic_area(_repaired_source(f)) for f in source)
    assert sum(c.area_m2 for c in cells.values()) == pytest.approx(total, rel=2e-3)

    index = GridIndex.load(session)
    # Points well inside three valid neighbourhoods locate to them.
    for i in (0, 18, 30):
        p = shape(source[i]["geometry"]).representative_point()
        assert index.locate(*_to_city(session, p.x, p.y)).cell == cells[source[i]["properties"]["name"]].code
    # Holes survive: a point inside a hole is not in the cell that has the hole.
    for i in (16, 30):
        polygon = shape(source[i]["geometry"]).geoms[0]
        hole = shapely.Polygon(polygon.interiors[0]).representative_point()
        assert not polygon.contains(hole)
        x, y = _to_city(session, hole.x, hole.y)
        assert index.locate_many([x], [y])[0] != cells[source[i]["properties"]["name"]].code
    # The islands of North Beach (64 parts) stay one cell.
    assert len(shapely.get_parts(cells["North Beach"].geometry)) > 1

    # One synthetic district, street and community, whose geometry is the union of the cells.
    assert session.scalars(select(District.code)).all() == ["990001"]
    community = session.scalars(select(Community)).one()
    assert community.code == "990001001001"
    assert community.geometry.area == pytest.approx(
        shapely.union_all([c.geometry for c in cells.values()]).area
    )

    events = _import_events(session, "cells")
    assert len(events) == 1 and events[0].actor == "tester" and events[0].subject == path.name
    assert events[0].payload["inserted"] == 37 and events[0].payload["repaired"] == 3


def test_hamburg_quarters_make_a_new_city(session, public_copy):
    path = public_copy("cth_hamburg.geojson")
    source = _features(path)

    report = gis_io.import_layer(session, "cells", path, code_field="name", at=AT)

    assert (report.read, report.inserted, report.repaired) == (103, 103, [])
    assert city_crs(session) == HAMBURG_UTM
    cells = _cells_by_source(session)
    assert len(cells) == 103 and all(c.geometry.is_valid for c in cells.values())
    for f in source:
        assert cells[f["properties"]["name"]].area_m2 == pytest.approx(
            _geodesic_area(shape(f["geometry"])), rel=2e-3
        )
    # At most 100 cells per synthetic community, balanced: 52 + 51.
    sizes = session.execute(
        select(GridCell.community_code, func.count()).group_by(GridCell.community_code)
    ).all()
    assert sorted(n for _, n in sizes) == [51, 52]
    assert _count(session, Street) == 1 and _count(session, District) == 1
    # Numbered north to south: the first code is in the northern part of the city, the last in the south.
    ordered = sorted(cells.values(), key=lambda c: c.code)
    ys = sorted(c.geometry.representative_point().y for c in ordered)
    assert ordered[0].geometry.representative_point().y > ys[len(ys) * 3 // 4]
    assert ordered[-1].geometry.representative_point().y < ys[len(ys) // 4]
    p = shape(source[0]["geometry"]).representative_point()
    assert (
        GridIndex.load(session).locate(*_to_city(session, p.x, p.y)).cell
        == cells[source[0]["properties"]["name"]].code
    )


def test_reimport_of_cells_updates_instead_of_duplicating(session, public_copy, tmp_path):
    path = public_copy("cth_san-francisco.geojson")
    gis_io.import_layer(session, "cells", path, code_field="name", at=AT)
    codes = {c.code: c.area_m2 for c in session.scalars(select(GridCell))}

    again = gis_io.import_layer(session, "cells", path, code_field="name", at=AT)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 37)
    assert {c.code: c.area_m2 for c in session.scalars(select(GridCell))} == codes

    features = _features(path)
    features[3]["properties"]["population"] = 12345
    features[4]["geometry"] = mapping(shape(features[4]["geometry"]).buffer(-0.0005))
    changed = _write_geojson(tmp_path / "changed.geojson", features)
    third = gis_io.import_layer(session, "cells", changed, code_field="name", at=AT)
    assert (third.inserted, third.updated, third.unchanged) == (0, 2, 35)
    cells = _cells_by_source(session)
    assert (
        cells[features[3]["properties"]["name"]].pop_day,
        cells[features[3]["properties"]["name"]].pop_night,
    ) == (
        12345,
        12345,
    )
    assert (
        cells[features[4]["properties"]["name"]].area_m2
        < codes[cells[features[4]["properties"]["name"]].code]
    )
    assert _count(session, GridCell) == 37
    assert len(_import_events(session, "cells")) == 3


def test_standard_codes_build_the_organisation_and_legacy_codes_are_widened(session, tmp_path):
    # New York State Plane in US feet: projected but not metric, so the city gets its UTM zone instead.
    to_feet = Transformer.from_crs("EPSG:4326", "EPSG:2263", always_xy=True)
    x0, y0 = to_feet.transform(-73.98, 40.75)
    features = _grid_features(x0, y0, 2, 2, 1000)
    features[3]["properties"]["code"] = "23010200100204"  # CJ/T 213: 14 digits, 2-digit sequence
    path = _write_geojson(tmp_path / "feet.geojson", features, "EPSG:2263")
    report = gis_io.import_layer(session, "cells", path, at=AT)
    assert report.crs_to == "EPSG:32618" and report.inserted == 4
    codes = session.scalars(select(GridCell.code).order_by(GridCell.code)).all()
    assert codes == ["230102001001001", "230102001001003", "230102001002002", "230102001002004"]
    assert session.get(GridCell, "230102001002004").legacy_code == "23010200100204"
    assert session.get(GridCell, "230102001001003").pop_day == 103  # "pop" fills day and night
    # Placeholder organisation rows named by their codes, each the union of its cells.
    assert [(d.code, d.name) for d in session.scalars(select(District))] == [("230102", "230102")]
    assert session.get(Street, "230102001").district_code == "230102"
    community = session.get(Community, "230102001001")
    assert community.street_code == "230102001"
    one_foot = 0.3048006096  # the US survey foot
    assert community.geometry.area == pytest.approx(2 * (1000 * one_foot) ** 2, rel=2e-3)
    assert session.get(District, "230102").geometry.area == pytest.approx(
        4 * (1000 * one_foot) ** 2, rel=2e-3
    )
    assert get_meta(session, "cell_source_codes") is None  # standard codes need no mapping


def test_new_free_codes_get_new_codes_and_old_ones_keep_theirs(session, public_copy, tmp_path):
    features = _features(public_copy("cth_san-francisco.geojson"))
    first = _write_geojson(tmp_path / "first.geojson", features[:30])
    gis_io.import_layer(session, "cells", first, code_field="name", at=AT)
    before = {name: cell.code for name, cell in _cells_by_source(session).items()}

    report = gis_io.import_layer(
        session, "cells", public_copy("cth_san-francisco.geojson"), code_field="name", at=AT
    )
    assert (report.inserted, report.unchanged) == (7, 30)
    after = {name: cell.code for name, cell in _cells_by_source(session).items()}
    assert {n: after[n] for n in before} == before
    # The newcomers form a new synthetic community rather than squeezing into the first one.
    assert {after[f["properties"]["name"]][:12] for f in features[30:]} == {"990001001002"}
    assert _count(session, Community) == 2


def test_duplicate_free_codes_are_rejected(session, public_copy, tmp_path):
    features = _features(public_copy("cth_san-francisco.geojson"))[:3]
    features[2]["properties"]["name"] = features[0]["properties"]["name"]
    path = _write_geojson(tmp_path / "twice.geojson", features)
    with pytest.raises(InputError, match=r"feature 2 \(Seacliff\): same code as feature 0"):
        gis_io.import_layer(session, "cells", path, code_field="name", at=AT)
    _assert_nothing_written(session)


# --- rejections: atomic, named, nothing written --------------------------------------------------


def _assert_nothing_written(session):
    assert not has_city(session)
    assert _count(session, GridCell) == 0 and _count(session, District) == 0
    assert _count(session, CityMeta) == 0 and _count(session, JournalEvent) == 0


def test_empty_or_point_geometry_is_rejected_with_its_index(session, tmp_path):
    good = {"type": "Feature", "properties": {"name": "a"}, "geometry": mapping(box(10, 53, 10.01, 53.01))}
    empty = {
        "type": "Feature",
        "properties": {"name": "b"},
        "geometry": {"type": "Polygon", "coordinates": []},
    }
    point = {
        "type": "Feature",
        "properties": {"name": "c"},
        "geometry": {"type": "Point", "coordinates": [10, 53]},
    }
    bowline = {
        "type": "Feature",
        "properties": {"name": "d"},
        "geometry": mapping(shapely.Polygon([(10, 53)] * 4)),
    }
    path = _write_geojson(tmp_path / "bad cells.geojson", [good, empty, point, bowline])

    with pytest.raises(gis_io.ImportRejected) as caught:
        gis_io.import_layer(session, "cells", path, at=AT)
    message = str(caught.value)
    assert str(path) in message and "nothing imported, 3 problems" in message
    assert "feature 1 (b): empty geometry" in message
    assert "feature 2 (c): Point is not a polygon" in message
    assert "feature 3 (d): invalid geometry that cannot be repaired" in message
    assert [p.index for p in caught.value.problems] == [1, 2, 3]
    _assert_nothing_written(session)


def test_mixed_standard_and_free_codes_are_rejected(session, tmp_path):
    features = _grid_features(10000, 20000, 2, 1, 100)
    features[1]["properties"]["code"] = "Altstadt"
    path = _write_geojson(tmp_path / "mixed.geojson", features, "EPSG:32632")
    with pytest.raises(InputError, match=r"feature 1 \(Altstadt\): not a 15-digit grid code"):
        gis_io.import_layer(session, "cells", path, at=AT)
    _assert_nothing_written(session)


def test_unknown_crs_is_a_clear_error(session, public_copy, tmp_path):
    path = public_copy("cth_hamburg.geojson")
    with pytest.raises(CrsError, match="unknown CRS 'EPSG:999999'") as caught:
        gis_io.import_layer(session, "cells", path, crs="EPSG:999999", at=AT)
    assert isinstance(caught.value, InputError) and str(path) in str(caught.value)

    features = _features(path)[:2]
    in_file = _write_geojson(tmp_path / "odd_crs.geojson", features, "urn:ogc:def:crs:EPSG::no-such")
    with pytest.raises(CrsError, match="no-such"):
        gis_io.import_layer(session, "cells", in_file, at=AT)
    _assert_nothing_written(session)


def test_projected_coordinates_without_their_crs_are_caught(session, tmp_path):
    path = _write_geojson(tmp_path / "grid.geojson", _grid_features(308000, 4842000, 2, 1, 2000))
    with pytest.raises(InputError, match="feature 0 .*out of longitude/latitude range.*give its CRS"):
        gis_io.import_layer(session, "cells", path, at=AT)
    _assert_nothing_written(session)


def test_malformed_csv_row_names_its_line_and_writes_nothing(session, toronto_grid, tmp_path):
    gis_io.import_layer(session, "cells", toronto_grid, at=AT)
    events = _count(session, JournalEvent)
    path = _write_csv(
        tmp_path / "cams.csv",
        [
            ["id", "name", "lon", "lat"],
            ["A1", "Jarvis / Isabella", "-79.37965121", "43.66883844"],
            ["A2", "Lake Shore / York", "-79.38106772"],
            ["A3", "Richmond / Parliament", "east", "43.65450345"],
            ["A4", "Bathurst / Davenport", "-79.41598523", "43.67667478"],
        ],
    )
    with pytest.raises(gis_io.ImportRejected) as caught:
        gis_io.import_layer(session, "cameras", path, at=AT)
    message = str(caught.value)
    assert message.startswith(f"{path}: nothing imported, 2 problems")
    assert "line 3 (A2): malformed row: 3 fields where the header has 4" in message
    assert "line 4 (A3): coordinates 'east', '43.65450345' are not numbers" in message
    assert _count(session, Camera) == 0 and _count(session, JournalEvent) == events


def test_a_camera_repeating_an_id_is_named_for_its_other_problems_too(session, toronto_grid, tmp_path):
    gis_io.import_layer(session, "cells", toronto_grid, at=AT)
    long_id = "B" * 33
    rows = [
        ["id", "lon", "lat", "fov_deg"],
        ["A1", "-79.37965121", "43.66883844", "60"],
        ["A1", "-79.38106772", "43.64903511", "400"],  # line 3: a repeat, and its field of view is wrong
        [long_id, "-79.41598523", "43.67667478", "60"],
    ]
    with pytest.raises(gis_io.ImportRejected) as caught:
        gis_io.import_layer(session, "cameras", _write_csv(tmp_path / "cams.csv", rows), at=AT)
    assert [(p.line, p.code, p.reason) for p in caught.value.problems] == [
        (3, "A1", "same id as feature 0"),
        (3, "A1", "fov_deg '400' is out of range"),
        (4, long_id, f"camera id {long_id!r} is longer than 32 characters"),
    ]
    assert _count(session, Camera) == 0


def test_points_need_a_city(session, tmp_path):
    path = _write_csv(tmp_path / "c.csv", [["id", "lon", "lat"], ["A1", "126.6", "45.7"]])
    with pytest.raises(NoCity):
        gis_io.import_layer(session, "cameras", path, at=AT)


def test_unknown_kind_and_format(session):
    with pytest.raises(InputError, match="unknown layer kind 'roads'"):
        gis_io.import_layer(session, "roads", "x.geojson")
    with pytest.raises(InputError, match="unknown export format 'shp'"):
        gis_io.export_layer(session, "cells", "shp", io.StringIO())


# --- Toronto cameras: lon/lat geometry and MTM zone 10 X/Y agree -----------------------------------


def test_toronto_cameras_land_in_the_same_place_from_lonlat_and_mtm(
    session, public_copy, toronto_grid, tmp_path
):
    gis_io.import_layer(session, "cells", toronto_grid, at=AT)
    assert city_crs(session) == TORONTO_MTM10  # a metric file CRS is kept for the new city
    assert _count(session, Street) == 1 and _count(session, Community) == 2

    path = public_copy("toronto_red_light_cameras_2018.geojson")
    features = _features(path)

    # PX (the signal number) is not unique: nine intersections are listed twice. Refused, named.
    with pytest.raises(InputError, match=r"feature 104 \(205\): same id as feature 7"):
        gis_io.import_layer(session, "cameras", path, code_field="PX", at=AT)
    assert _count(session, Camera) == 0

    # Hence ids made here: the file's position plus PX, in a copy (the original is never touched).
    for i, f in enumerate(features):
        f["properties"]["id"] = f"G{i:03d}-{f['properties']['PX']}"
        f["properties"]["name"] = f"{f['properties']['Main']} / {f['properties']['Side_1_Rou']}"
    with_ids = _write_geojson(tmp_path / "cameras.geojson", features, "urn:ogc:def:crs:OGC:1.3:CRS84")
    report = gis_io.import_layer(session, "cameras", with_ids, at=AT)
    assert (report.read, report.inserted) == (154, 154)
    assert report.crs_from == "urn:ogc:def:crs:OGC:1.3:CRS84" and report.crs_to == TORONTO_MTM10

    # Outside the 8 km x 6 km grid a camera keeps a NULL cell and is counted; checked with shapely here.
    to_mtm = Transformer.from_crs("OGC:CRS84", TORONTO_MTM10, always_xy=True)
    grid = shapely.union_all([shape(f["geometry"]) for f in _features(toronto_grid)])
    expected_outside = {
        f["properties"]["id"]
        for f in features
        if not grid.intersects(shapely.Point(to_mtm.transform(*f["geometry"]["coordinates"])))
    }
    assert 0 < len(expected_outside) < 154
    assert set(report.outside) == expected_outside
    assert {
        c.id for c in session.scalars(select(Camera).where(Camera.cell_code.is_(None)))
    } == expected_outside

    # The same cameras from their X/Y columns, as CSV in EPSG:2019.
    rows = [["id", "name", "X", "Y"]]
    rows += [
        [f"C{i:03d}", f["properties"]["Main"], f["properties"]["X"], f["properties"]["Y"]]
        for i, f in enumerate(features)
    ]
    csv_path = _write_csv(tmp_path / "cameras_mtm.csv", rows)
    from_xy = gis_io.import_layer(session, "cameras", csv_path, crs="EPSG:2019", at=AT)
    assert (from_xy.inserted, from_xy.crs_from) == (154, "EPSG:2019")

    cams = {c.id: c for c in session.scalars(select(Camera))}
    close, far = [], []
    for i, f in enumerate(features):
        g, c = cams[f["properties"]["id"]], cams[f"C{i:03d}"]
        (close if math.hypot(g.x - c.x, g.y - c.y) < 1.0 else far).append(i)
    # Real data: 75 rows carry a Y rounded to the kilometre and 3 carry X = Y = 0 (a missing value);
    # only those disagree, every other X/Y lands within a metre of its lon/lat.
    suspect = {i for i, f in enumerate(features) if f["properties"]["Y"] % 1000 == 0}
    assert set(far) == suspect and len(suspect) == 78 and len(close) == 76
    zero = [f"C{i:03d}" for i, f in enumerate(features) if f["properties"]["X"] == 0]
    assert len(zero) == 3 and set(zero) <= set(from_xy.outside)


def test_cameras_reimport_and_attributes(session, toronto_grid, tmp_path):
    gis_io.import_layer(session, "cells", toronto_grid, at=AT)
    rows = [
        ["ID", "name", "longitude", "latitude", "heading", "fov_deg", "status", "place", "stream_url"],
        ["A1", "Jarvis", "-79.37965121", "43.66883844", "370", "90", "online", "square", "rtsp://cam/a1"],
        ["A2", "", "-79.38106772", "43.64140429", "", "", "", "", ""],
    ]
    path = _write_csv(tmp_path / "cams.csv", rows)
    first = gis_io.import_layer(session, "cameras", path, at=AT)
    assert (first.inserted, first.updated) == (2, 0)
    a1, a2 = session.get(Camera, "A1"), session.get(Camera, "A2")
    assert (a1.heading_deg, a1.fov_deg, a1.place, a1.stream_url) == (10.0, 90.0, "square", "rtsp://cam/a1")
    assert (a2.name, a2.fov_deg, a2.range_m, a2.status, a2.place) == ("", 60.0, 150.0, "online", "road")
    assert a1.cell_code is not None and a1.cell_code.startswith("230102001")

    second = gis_io.import_layer(session, "cameras", path, at=AT)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)

    rows[2][1], rows[2][6] = "Lake Shore", "fault"
    third = gis_io.import_layer(session, "cameras", _write_csv(tmp_path / "cams2.csv", rows), at=AT)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 1)
    session.expire_all()
    assert (session.get(Camera, "A2").name, session.get(Camera, "A2").status) == ("Lake Shore", "fault")
    assert _count(session, Camera) == 2

    rows[1][6] = "burning"
    with pytest.raises(InputError, match=r"line 2 \(A1\): status 'burning' is not one of online"):
        gis_io.import_layer(session, "cameras", _write_csv(tmp_path / "cams3.csv", rows), at=AT)


# --- components ------------------------------------------------------------------------------------


def _component_csv(tmp_path: Path, rows: list[list], name: str = "components.csv") -> Path:
    return _write_csv(tmp_path / name, [["id", "x", "y", "owner", "state", "init_date", "name"], *rows])


def test_components_import_with_types_owners_and_cells(session, small_city, tmp_path):
    x0, y0 = small_city["x0"], small_city["y0"]
    path = _component_csv(
        tmp_path,
        [
            ["23010201001000001", x0 + 250, y0 - 250, "water", "intact", "2024-05-01", ""],
            ["23010201001000002", x0 + 1250, y0 - 750, "water", "破损", "", "东大直街井盖"],
            ["2301020101000003", x0 + 750, y0 - 250, "water", "LOST", "2024-05-02", ""],  # legacy 16 digits
        ],
    )
    report = gis_io.import_layer(session, "components", path, at=AT)
    assert (report.read, report.inserted) == (3, 3)
    c1, c2, c3 = (session.get(Component, f"2301020100100000{i}") for i in (1, 2, 3))
    assert (c1.type_code, c1.legacy_id, c1.cell_code, c1.state) == (
        "01001",
        "2301020101000001",
        "230102001001001",
        "intact",
    )
    assert c1.name == session.get(ComponentType, "01001").name and c1.init_date == dt.date(2024, 5, 1)
    assert (c2.cell_code, c2.state, c2.name, c2.init_date) == (
        "230102001002006",
        "damaged",
        "东大直街井盖",
        AT.date(),
    )
    assert (c3.legacy_id, c3.state, c3.cell_code) == ("2301020101000003", "lost", "230102001002002")

    again = gis_io.import_layer(session, "components", path, at=AT)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert _count(session, Component) == 3


@pytest.mark.parametrize(
    ("row", "error", "pattern"),
    [
        (
            ["23010299999000001", 250, 250, "water"],
            NotFound,
            r"line 2 \(23010299999000001\): unknown component type code '99999'",
        ),
        (["23010201001000001", 250, 250, "nobody"], NotFound, r"unknown department 'nobody' in owner_code"),
        (
            ["23010201001000001", 250, 250, ""],
            InputError,
            r"no owner_code, and type 01001 \(供水井盖\) has no default owner",
        ),
        (["2301020100100", 250, 250, "water"], InputError, r"neither a 17-digit GB/T 47678.5 nor a 16-digit"),
        (
            ["23010201001000001", 250, 9999, "water"],
            InputError,
            r"line 2 \(23010201001000001\): outside the city at",
        ),
        (
            ["23010201001000001", 250, 250, "water", "shiny"],
            InputError,
            r"state 'shiny' is not one of intact",
        ),
    ],
)
def test_component_problems_are_named(session, small_city, tmp_path, row, error, pattern):
    x0, y0 = small_city["x0"], small_city["y0"]
    row = [row[0], x0 + row[1], y0 - row[2], *row[3:]]
    row += [""] * (7 - len(row))
    path = _component_csv(tmp_path, [row])
    with pytest.raises(error, match=pattern) as caught:
        gis_io.import_layer(session, "components", path, at=AT)
    assert str(path) in str(caught.value)
    assert _count(session, Component) == 0


def test_component_default_owner_and_type_check(session, small_city, tmp_path):
    x0, y0 = small_city["x0"], small_city["y0"]
    session.get(ComponentType, "01001").default_owner = "water"
    session.flush()
    path = _component_csv(tmp_path, [["23010201001000007", x0 + 100, y0 - 100, "", "", "", ""]])
    gis_io.import_layer(session, "components", path, at=AT)
    assert session.get(Component, "23010201001000007").owner_code == "water"

    bad = _write_csv(
        tmp_path / "typed.csv",
        [
            ["id", "type_code", "owner_code", "x", "y"],
            ["23010201001000008", "01002", "water", x0 + 100, y0 - 100],
        ],
    )
    with pytest.raises(InputError, match="type_code '01002' disagrees with the type 01001"):
        gis_io.import_layer(session, "components", bad, at=AT)


# --- export ----------------------------------------------------------------------------------------


def test_cells_round_trip_keeps_codes_and_areas(session, public_copy, tmp_path):
    gis_io.import_layer(session, "cells", public_copy("cth_san-francisco.geojson"), code_field="name", at=AT)
    stored = {c.code: c.area_m2 for c in session.scalars(select(GridCell))}
    names = json.loads(get_meta(session, "cell_source_codes"))

    as_geojson = tmp_path / "cells.geojson"
    with open(as_geojson, "w", encoding="utf-8") as fh:
        assert gis_io.export_layer(session, "cells", "geojson", fh) == 37
    doc = json.loads(as_geojson.read_text(encoding="utf-8"))
    assert "crs" not in doc and len(doc["features"]) == 37
    first = doc["features"][0]
    assert -123 < first["geometry"]["coordinates"][0][0][0][0] < -122  # WGS84 lon/lat, RFC 7946
    assert first["properties"]["source_code"] == names[first["properties"]["code"]]

    as_csv = tmp_path / "cells.csv"
    with open(as_csv, "w", encoding="utf-8", newline="") as fh:
        gis_io.export_layer(session, "cells", "csv", fh)
    csv.field_size_limit(64 * 1024 * 1024)  # the Marina's WKT alone passes the 128 KiB default
    with open(as_csv, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["code"] for r in rows] == sorted(stored)
    assert float(rows[0]["area_m2"]) == stored[rows[0]["code"]]
    assert shapely.from_wkt(rows[0]["wkt"]).area == pytest.approx(stored[rows[0]["code"]], rel=1e-12)

    # Back into the same city: WKT is in the city CRS, so nothing changes.
    back = gis_io.import_layer(session, "cells", as_csv, at=AT)
    assert (back.inserted, back.updated, back.unchanged) == (0, 0, 37)

    # Into a fresh database from the GeoJSON: same CRS chosen, same codes, same areas, names kept.
    engine = open_database("sqlite:///" + str(tmp_path / "second.db"))
    try:
        with session_factory(engine)() as other, other.begin():
            report = gis_io.import_layer(other, "cells", as_geojson, at=AT)
            assert report.inserted == 37 and report.crs_to == SF_UTM
            again = {c.code: c.area_m2 for c in other.scalars(select(GridCell))}
            assert again.keys() == stored.keys()
            assert all(again[k] == pytest.approx(stored[k], rel=1e-9) for k in stored)
            assert json.loads(get_meta(other, "cell_source_codes")) == names
    finally:
        engine.dispose()


def test_points_export_streams_and_round_trips(session, toronto_grid, tmp_path):
    gis_io.import_layer(session, "cells", toronto_grid, at=AT)
    # More cameras than one export batch, so the streaming crosses batch boundaries.
    n = gis_io.CHUNK * 2 + 17
    rows = [["id", "name", "x", "y", "heading_deg"]]
    rows += [
        [f"K{i:05d}", f"cam {i}", 308000 + (i * 37) % 8000, 4836000 + (i * 53) % 6000, i % 360]
        for i in range(n)
    ]
    gis_io.import_layer(session, "cameras", _write_csv(tmp_path / "many.csv", rows), at=AT)

    out = io.StringIO()
    assert gis_io.export_layer(session, "cameras", "geojson", out) == n
    doc = json.loads(out.getvalue())
    assert [f["properties"]["id"] for f in doc["features"]] == [r[0] for r in rows[1:]]
    lon, lat = doc["features"][5]["geometry"]["coordinates"]
    x, y = Transformer.from_crs("EPSG:4326", TORONTO_MTM10, always_xy=True).transform(lon, lat)
    assert (x, y) == pytest.approx((rows[6][2], rows[6][3]), abs=1e-6)

    as_csv = tmp_path / "cameras.csv"
    with open(as_csv, "w", encoding="utf-8", newline="") as fh:
        gis_io.export_layer(session, "cameras", "csv", fh)
    again = gis_io.import_layer(session, "cameras", as_csv, at=AT)  # lon/lat columns: WGS84
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, n)
    geo = tmp_path / "cameras.geojson"
    geo.write_text(out.getvalue(), encoding="utf-8")
    assert gis_io.import_layer(session, "cameras", geo, at=AT).unchanged == n


def test_components_export_round_trip(session, small_city, tmp_path):
    x0, y0 = small_city["x0"], small_city["y0"]
    path = _component_csv(
        tmp_path,
        [
            [f"2301020100100{i:04d}", x0 + 10 + i, y0 - 10 - i, "water", "intact", "2024-05-01", ""]
            for i in range(20)
        ],
    )
    gis_io.import_layer(session, "components", path, at=AT)
    for fmt in ("csv", "geojson"):
        out = tmp_path / f"export.{fmt}"
        with open(out, "w", encoding="utf-8", newline="") as fh:
            assert gis_io.export_layer(session, "components", fmt, fh) == 20
        report = gis_io.import_layer(session, "components", out, at=AT)
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, 20)
    with open(tmp_path / "export.csv", encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    assert first["id"] == "23010201001000000" and first["owner_code"] == "water" and first["cell_code"]
    assert first["init_date"] == "2024-05-01" and float(first["x"]) == pytest.approx(x0 + 10)


# --- founding a city is explicit ------------------------------------------------------------------


def test_new_city_founds_one_in_an_empty_database(session, toronto_grid):
    report = gis_io.import_layer(session, "cells", toronto_grid, at=AT, new_city=True)
    assert report.city_created and has_city(session) and _count(session, GridCell) == 12


def test_new_city_into_a_city_is_refused_and_merges_nothing(session, toronto_grid, tmp_path):
    gis_io.import_layer(session, "cells", toronto_grid, at=AT)
    events = _count(session, JournalEvent)
    other = _write_geojson(
        tmp_path / "more.geojson", _grid_features(320000, 4842000, 2, 1, 2000, "230103"), TORONTO_MTM10
    )
    with pytest.raises(CityExists, match="already holds a city"):
        gis_io.import_layer(session, "cells", other, at=AT, new_city=True)
    assert _count(session, GridCell) == 12 and _count(session, JournalEvent) == events
    # Without the flag the same file adds to the city, as before.
    assert gis_io.import_layer(session, "cells", other, at=AT, new_city=False).inserted == 2


def test_cells_without_new_city_need_a_city(session, toronto_grid):
    with pytest.raises(NoCity, match="--new-city"):
        gis_io.import_layer(session, "cells", toronto_grid, at=AT, new_city=False)
    _assert_nothing_written(session)


def test_a_new_city_starts_from_cells_only(session, toronto_grid):
    with pytest.raises(InputError, match="grid cells"):
        gis_io.import_layer(session, "cameras", toronto_grid, at=AT, new_city=True)
    _assert_nothing_written(session)
