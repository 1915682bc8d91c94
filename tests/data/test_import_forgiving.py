"""Imports that forgive, and say so, on SQLite and PostgreSQL: packed files read as the file they hold,
overlapping cells listed with their shared area (or refused), a layer far from the city refused unless
forced, and the code tables a founded city gets and that CSV files edit.

Expected figures are computed here, apart from the importer: shared areas with plain shapely over the
source polygons transformed with a transformer built here, distances from the grid's own geometry.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping
from sqlalchemy import func, select

from data import code_tables, gis_io
from data.city import city_crs, has_city
from data.civil_defence_io import import_civil_defence
from data.civil_defence_models import Shelter, Siren
from data.departments import DEPARTMENTS, department_for_event_type
from data.errors import InputError
from data.import_checks import FAR_KM, FarLayer, find_overlaps
from data.models import (
    Camera,
    Component,
    ComponentType,
    Department,
    District,
    EventAssignment,
    EventType,
    GridCell,
    JournalEvent,
)
from data.source_files import open_source
from data.spatial import GridIndex
from modes.everyday.routing import Router
from tests.data.test_gis_io import AT, _grid_features, _repaired_source, _write_csv, _write_geojson

SF = ("cth_san-francisco.geojson", "EPSG:32610")
HAMBURG = ("cth_hamburg.geojson", "EPSG:32632")
GRID_CRS = "EPSG:32652"  # UTM 52N, Harbin's zone
CELL_M = 500


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _source_overlaps(path: Path, utm: str) -> dict[frozenset, float]:
    """Pairs of source neighbourhoods (by name) sharing at least 1 m2 in ``utm``, computed here."""
    tr = Transformer.from_crs("EPSG:4326", utm, always_xy=True)
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    names = [f["properties"]["name"] for f in features]
    geoms = [
        shapely.transform(_repaired_source(f), lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        for f in features
    ]
    found = {}
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            area = geoms[i].intersection(geoms[j]).area
            if area >= 1.0:
                found[frozenset((names[i], names[j]))] = area
    return found


# --- packed files ----------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_packed_files_read_as_the_file_they_hold(session, public_copy, tmp_path):
    plain = public_copy("cth_hamburg.geojson")
    data = plain.read_bytes()
    packed = {
        "gzip": tmp_path / "hamburg.geojson.gz",
        "bzip2": tmp_path / "hamburg.geojson.bz2",
        "zip": tmp_path / "hamburg.zip",
    }
    packed["gzip"].write_bytes(gzip.compress(data))
    packed["bzip2"].write_bytes(bz2.compress(data))
    # Beside the layer, what real archives carry: a folder, macOS metadata and a read-me.
    _zip(packed["zip"], {"quarters/": b"", "quarters/hamburg.geojson": data, "__MACOSX/._x.geojson": b"x",
                         "quarters/README.txt": b"Hamburg quarters"})  # fmt: skip

    expected = gis_io.read_features(session, plain)
    for packing, path in packed.items():
        file = open_source(path)
        assert (file.packing, file.name, file.suffix) == (packing, "hamburg.geojson", ".geojson")
        got = gis_io.read_features(session, path)
        assert got.label == str(path)
        assert [r.props for r in got.records] == [r.props for r in expected.records]
        assert all(
            a.geometry.equals_exact(b.geometry, 0) for a, b in zip(got.records, expected.records, strict=True)
        )

    report = gis_io.import_layer(session, "cells", packed["bzip2"], code_field="name", at=AT)
    assert (report.read, report.inserted, report.path) == (103, 103, str(packed["bzip2"]))


def test_a_mislabelled_packed_file_is_read_by_its_first_bytes(session, public_copy, tmp_path):
    cameras = public_copy("toronto_red_light_cameras_2018.geojson")
    # gzip data under a plain name, and a gzip CSV whose name tells nothing of its format.
    disguised = tmp_path / "cameras.geojson"
    disguised.write_bytes(gzip.compress(cameras.read_bytes()))
    source = gis_io.read_features(session, disguised)
    assert len(source.records) == len(json.loads(cameras.read_text(encoding="utf-8"))["features"]) == 154
    points = tmp_path / "points.gz"
    points.write_bytes(gzip.compress(b"id,lon,lat\nA,126.65,45.75\nB,126.66,45.76\n"))
    assert open_source(points).name == "points"
    source = gis_io.read_features(session, points)
    assert [(r.props["id"], r.geometry) for r in source.records] == [
        ("A", (126.65, 45.75)),
        ("B", (126.66, 45.76)),
    ]


def test_a_zip_of_several_files_lists_them_and_one_is_picked(session, tmp_path):
    csv_text = b"id,lon,lat\nA,126.65,45.75\n"
    geojson = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    both = _zip(tmp_path / "both.zip", {"cells.geojson": geojson, "points.csv": csv_text})
    with pytest.raises(
        InputError,
        match=r"holds 2 files that could be read \(cells\.geojson, points\.csv\): name one as '.*both\.zip!MEMBER'",
    ):
        gis_io.read_features(session, both)
    source = gis_io.read_features(session, f"{both}!points.csv")
    assert [r.props["id"] for r in source.records] == ["A"]
    with pytest.raises(
        InputError, match=r"has no member 'roads\.csv' \(members: cells\.geojson, points\.csv\)"
    ):
        gis_io.read_features(session, f"{both}!roads.csv")
    # A zip of Shapefile parts is GDAL's (data.ogr_io), which names the part that is missing.
    shapes = _zip(tmp_path / "shapes.zip", {"a.shp": b"x", "a.dbf": b"y"})
    with pytest.raises(InputError, match=r"no a\.shx beside a\.shp"):
        gis_io.read_features(session, shapes)
    other = _zip(tmp_path / "other.zip", {"a.txt.bak": b"x", "b.xml": b"y"})
    with pytest.raises(
        InputError, match=r"holds no \.csv, \.geojson or \.json file \(members: a\.txt\.bak, b\.xml\)"
    ):
        gis_io.read_features(session, other)
    with pytest.raises(InputError, match=r"is not a zip archive, so it has no member"):
        gis_io.read_features(session, f"{_write_csv(tmp_path / 'x.csv', [['id']])}!y.csv")


@pytest.mark.parametrize("damage", ["truncated gzip", "flipped gzip", "bzip2", "zip", "encrypted zip"])
def test_a_damaged_archive_is_a_clear_error_and_nothing_is_written(session, public_copy, tmp_path, damage):
    data = public_copy("cth_hamburg.geojson").read_bytes()
    path = tmp_path / "hamburg.geojson.gz"
    if damage == "truncated gzip":
        path.write_bytes(gzip.compress(data)[: len(data) // 20])
        message = r"damaged gzip file: it ends before its end marker"
    elif damage == "flipped gzip":
        packed = bytearray(gzip.compress(data))
        packed[-6] ^= 0xFF  # the CRC-32 of the content
        path.write_bytes(bytes(packed))
        message = r"damaged gzip file: CRC check failed"
    elif damage == "bzip2":
        path = tmp_path / "hamburg.geojson.bz2"
        path.write_bytes(bz2.compress(data)[:10] + b"\x00" * 200)
        message = r"damaged bzip2 file: Invalid data stream"
    elif damage == "zip":
        path = tmp_path / "hamburg.zip"
        path.write_bytes(_zip(tmp_path / "whole.zip", {"hamburg.geojson": data}).read_bytes()[:3000])
        message = r"damaged zip file"
    else:
        # The "encrypted" flag (bit 0 of the general purpose flags) set in both headers of the member.
        packed = bytearray(_zip(tmp_path / "whole.zip", {"hamburg.geojson": data}).read_bytes())
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = packed.find(signature) + offset
            packed[at] |= 0x01
        path = tmp_path / "hamburg.zip"
        path.write_bytes(bytes(packed))
        message = r"cannot unpack hamburg\.geojson: File 'hamburg\.geojson' is encrypted"
    with pytest.raises(InputError, match=message) as caught:
        gis_io.import_layer(session, "cells", path, code_field="name", at=AT)
    assert str(path) in str(caught.value)
    assert not has_city(session) and _count(session, GridCell) == 0


# --- overlapping cells -----------------------------------------------------------------------------


@pytest.mark.parametrize("city", [SF, HAMBURG], ids=["san-francisco", "hamburg"])
def test_overlapping_neighbourhoods_are_listed_with_their_shared_area(session, public_copy, city):
    name, utm = city
    path = public_copy(name)
    report = gis_io.import_layer(session, "cells", path, code_field="name", actor="tester", at=AT)

    expected = _source_overlaps(path, utm)
    # San Francisco: 3 pairs around Chinatown; Hamburg: 1 of its 274 touching pairs shares 7.5 m2.
    assert len(expected) == {"cth_san-francisco.geojson": 3, "cth_hamburg.geojson": 1}[name]
    got = {frozenset((o.a_source, o.b_source)): o.area_m2 for o in report.overlaps}
    assert got.keys() == expected.keys()
    for pair, area in expected.items():
        assert got[pair] == pytest.approx(area, rel=1e-6)
    assert [o.area_m2 for o in report.overlaps] == sorted(got.values(), reverse=True)
    doc = report.as_dict()["overlaps"]
    assert doc["count"] == len(expected) and doc["area_m2"] == pytest.approx(sum(expected.values()), abs=0.1)
    assert all(o.a < o.b for o in report.overlaps)
    event = session.scalar(select(JournalEvent).where(JournalEvent.kind == "import.cells"))
    assert event.payload["overlaps"] == len(expected)

    # A point in a shared area goes to the cell with the lower code, every time.
    index = GridIndex.load(session)
    for o in report.overlaps:
        shared = index.polygon(o.a).intersection(index.polygon(o.b))
        p = shared.representative_point()
        assert {index.locate(p.x, p.y).cell for _ in range(3)} == {o.a}
        assert index.locate_many([p.x] * 5, [p.y] * 5) == [o.a] * 5


def test_refusing_overlaps_names_the_pairs_and_writes_nothing(session, public_copy):
    path = public_copy(SF[0])
    with pytest.raises(InputError) as caught:
        gis_io.import_layer(session, "cells", path, code_field="name", at=AT, overlaps="refuse")
    text = str(caught.value)
    assert "nothing imported, 3 problems" in text
    assert "(Chinatown) and" in text and "(Financial District) share 322.2 m2" in text
    assert "(Nob Hill) and" in text and "(Downtown/Civic Center) share 10.1 m2" in text
    assert not has_city(session) and _count(session, GridCell) == 0 and _count(session, Department) == 0
    with pytest.raises(InputError, match="overlaps must be one of keep, refuse"):
        gis_io.import_layer(session, "cells", path, code_field="name", at=AT, overlaps="merge")


def _grid_city(session, tmp_path, cols: int = 4, rows: int = 2) -> tuple[float, float]:
    """A founded city of ``cols`` x ``rows`` 500 m cells near Harbin, in UTM 52N; its north-west corner."""
    tr = Transformer.from_crs("EPSG:4326", GRID_CRS, always_xy=True)
    x0, y0 = (round(v) for v in tr.transform(126.65, 45.75))
    path = _write_geojson(tmp_path / "grid.geojson", _grid_features(x0, y0, cols, rows, CELL_M), crs=GRID_CRS)
    gis_io.import_layer(session, "cells", path, new_city=True, at=AT)
    return x0, y0


def test_cells_added_over_the_citys_cells_are_overlaps_too(session, tmp_path):
    x0, y0 = _grid_city(session, tmp_path)
    # A new cell reaching 40 m into the first cell (230102001001001) and a neighbour that only touches.
    extra = [
        {"type": "Feature", "properties": {"code": "230102001003001"},
         "geometry": mapping(box(x0 - 300, y0 - 500, x0 + 40, y0))},
        {"type": "Feature", "properties": {"code": "230102001003002"},
         "geometry": mapping(box(x0 - 300, y0 - 1000, x0, y0 - 500))},
    ]  # fmt: skip
    report = gis_io.import_layer(
        session, "cells", _write_geojson(tmp_path / "x.geojson", extra, crs=GRID_CRS), at=AT
    )
    assert [(o.a, o.b, round(o.area_m2, 3)) for o in report.overlaps] == [
        ("230102001001001", "230102001003001", 40 * 500.0)
    ]
    assert report.inserted == 2


def test_slivers_below_a_square_metre_and_touching_edges_are_no_overlap():
    a = box(0, 0, 100, 100)
    cells = {
        "1": a,
        "2": box(100, 0, 200, 100),
        "3": box(99.995, 100 - 90, 150, 100),
        "4": box(0, 50, 10, 60),
    }
    found = find_overlaps(cells)
    # 3 reaches 0.005 m into 1 (0.45 m2: noise) and 50 m into 2; 4 lies inside 1.
    assert [(o.a, o.b, round(o.area_m2, 6)) for o in found] == [("2", "3", 4500.0), ("1", "4", 100.0)]


# --- a layer far from the city -----------------------------------------------------------------------


def _shifted_grid(
    tmp_path: Path, x0: float, y0: float, east_m: float, name: str, district: str = "230103"
) -> Path:
    features = _grid_features(x0 + east_m, y0, 2, 1, CELL_M, district=district)
    return _write_geojson(tmp_path / name, features, crs=GRID_CRS)


def test_a_layer_beyond_50_km_is_refused_and_one_within_is_taken(session, tmp_path):
    x0, y0 = _grid_city(session, tmp_path)
    east = x0 + 4 * CELL_M  # the city's east edge
    near = _shifted_grid(tmp_path, x0, y0, 4 * CELL_M + 45_000, "near.geojson", "230104")  # 45 km east
    far = _shifted_grid(tmp_path, x0, y0, 4 * CELL_M + 58_000, "far.geojson")  # 58 km
    with pytest.raises(FarLayer) as caught:
        gis_io.import_layer(session, "cells", far, at=AT)
    text = str(caught.value)
    # The gap is 58 km in UTM; on the ellipsoid it differs by the zone's scale factor (under 0.1 %).
    km = float(text.split("lies about ")[1].split(" km")[0])
    assert abs(km - 58) <= 0.5, text
    lon, lat = Transformer.from_crs(GRID_CRS, "EPSG:4326", always_xy=True).transform(east + 58_500, y0 - 250)
    assert f"around lon {lon:.3f}, lat {lat:.3f}" in text
    assert "--crs" in text and "--new-city" in text and "--force" in text and f"{FAR_KM:.0f} km" in text
    assert _count(session, GridCell) == 8

    forced = gis_io.import_layer(session, "cells", far, at=AT, force=True)
    assert forced.inserted == 2 and forced.far_km == pytest.approx(58, abs=0.5)
    report = gis_io.import_layer(session, "cells", near, at=AT)
    assert (report.inserted, report.far_km) == (2, None)
    assert forced.as_dict()["far_km"] == round(forced.far_km, 1)


def test_far_points_of_every_layer_are_refused_unless_forced(session, tmp_path):
    x0, y0 = _grid_city(session, tmp_path)
    # 75 km north of the city's north edge, in the city CRS.
    x, y = x0 + 200, y0 + 75_000
    files = {
        "components": _write_csv(tmp_path / "c.csv", [["id", "x", "y", "owner"], ["23010201001000001", x, y, "water_supply"]]),
        "cameras": _write_csv(tmp_path / "k.csv", [["id", "x", "y"], ["K1", x, y]]),
        "sirens": _write_csv(tmp_path / "s.csv", [["id", "x", "y", "power_w"], ["S1", x, y, 600]]),
        "shelters": _write_csv(tmp_path / "h.csv", [["id", "x", "y", "usable_area_m2", "class"], ["H1", x, y, 800, "personnel_2"]]),
    }  # fmt: skip
    for kind, path in files.items():
        run = gis_io.import_layer if kind in gis_io.KINDS else import_civil_defence
        with pytest.raises(FarLayer, match=r"lies about 75 km from the city"):
            run(session, kind, path, at=AT)
        if kind == "components":  # forced or not, a component stands in a cell
            with pytest.raises(InputError, match="outside the city"):
                run(session, kind, path, at=AT, force=True)
            continue
        report = run(session, kind, path, at=AT, force=True)
        assert report.inserted == 1 and report.outside == [report.as_dict()["outside"]["ids"][0]], kind
        assert report.far_km == pytest.approx(75, abs=0.5), kind
    assert _count(session, Component) == 0
    assert _count(session, Camera) == _count(session, Siren) == _count(session, Shelter) == 1


# --- code tables ---------------------------------------------------------------------------------------


def test_a_founded_city_gets_the_standard_tables_and_routes_with_them(session, public_copy):
    report = gis_io.import_layer(session, "cells", public_copy(SF[0]), code_field="name", at=AT)
    assert report.code_tables == {
        "event_types": 263,
        "component_types": 156,
        "departments": 23,
        "owners": 156,
        "routing": 263,
    }
    assert _count(session, EventType) == 263 and _count(session, ComponentType) == 156
    assert sorted(session.scalars(select(Department.code))) == sorted(d.code for d in DEPARTMENTS)
    assert session.get(ComponentType, "01001").default_owner == "water_supply"
    assert session.scalar(select(func.count()).where(EventAssignment.district_code == "990001")) == 263
    router = Router.load(session)
    tr = Transformer.from_crs("EPSG:4326", city_crs(session), always_xy=True)
    x, y = tr.transform(-122.4194, 37.7749)  # San Francisco City Hall, in Civic Center
    routed = router.route_event(session, x, y, "06010")
    assert routed.department == department_for_event_type(session.get(EventType, "06010"), "990001")
    assert routed.department == "sanitation"


def test_a_district_added_later_gets_the_default_routing(session, tmp_path):
    x0, y0 = _grid_city(session, tmp_path)
    assert session.scalar(select(func.count()).where(EventAssignment.district_code == "230102")) == 263
    report = gis_io.import_layer(
        session, "cells", _shifted_grid(tmp_path, x0, y0, 2000, "east.geojson"), at=AT
    )
    assert report.code_tables == {"routing": 263}
    assert session.get(EventAssignment, ("230103", "09010")).department_code == "traffic_police"  # 南岗's own
    assert session.get(EventAssignment, ("230102", "09010")).department_code == "enforcement"
    again = gis_io.import_layer(
        session, "cells", _shifted_grid(tmp_path, x0, y0, 2000, "east.geojson"), at=AT
    )
    assert again.code_tables == {}


def _csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_departments_import_upserts_and_names_every_bad_cell(session, tmp_path):
    _grid_city(session, tmp_path)
    before = {d.code: (d.name, d.name_en) for d in session.scalars(select(Department))}
    bad = _csv(
        tmp_path / "bad.csv",
        [
            ["code", "name_zh", "name_en", "credit_code", "duties"],
            ["sanitation", "", "Sanitation and Snow", "", ""],
            ["", "无名", "", "", ""],
            ["street_cleaning", "", "Street cleaning", "", ""],
            ["parks", "公园", "", "12230100MA1234567X", ""],
            ["sanitation", "环卫", "", "", ""],
            ["gardens", "园" * 101, "", "", ""],
        ],
    )
    with pytest.raises(InputError) as caught:
        code_tables.import_departments(session, bad, at=AT)
    assert str(caught.value) == (
        f"{bad}: nothing imported, 5 problems: line 3, column code: no department code (letters, "
        "digits, _ . -, at most 32); line 4, column name_zh: a new department (street_cleaning) needs its "
        "name; line 5, column credit_code: '12230100MA1234567X' is not an 18-character unified social "
        "credit code; line 6, column code: department 'sanitation' again (first on line 2); line 7, column "
        "name_zh: 101 characters, at most 100 fit"
    )
    assert {d.code: (d.name, d.name_en) for d in session.scalars(select(Department))} == before

    credit = DEPARTMENTS[0].credit_code
    good = _csv(
        tmp_path / "good.csv",
        [
            ["Code", "Name", "name_en", "credit_code"],
            ["sanitation", "", "Sanitation and Snow", ""],
            ["street_cleaning", "道路清扫队", "Street cleaning", credit.lower()],
            ["heating", "", "", ""],
        ],
    )
    report = code_tables.import_departments(session, good, actor="tester", at=AT)
    assert (report.read, report.inserted, report.updated, report.unchanged) == (3, 1, 1, 1)
    sanitation = session.get(Department, "sanitation")
    assert (sanitation.name, sanitation.name_en) == (before["sanitation"][0], "Sanitation and Snow")
    new = session.get(Department, "street_cleaning")
    assert (new.name, new.credit_code, new.duties) == ("道路清扫队", credit, "")
    event = session.scalar(select(JournalEvent).where(JournalEvent.kind == "import.departments"))
    assert (event.actor, event.payload["inserted"]) == ("tester", 1)

    with pytest.raises(InputError, match=r"unknown column 'nmae' \(the columns are code, name_zh"):
        code_tables.import_departments(
            session, _csv(tmp_path / "typo.csv", [["code", "nmae"], ["x", "y"]]), at=AT
        )


def test_routing_import_takes_star_rows_and_district_rows_whatever_their_order(session, tmp_path):
    x0, y0 = _grid_city(session, tmp_path)
    gis_io.import_layer(session, "cells", _shifted_grid(tmp_path, x0, y0, 2000, "east.geojson"), at=AT)
    bad = _csv(
        tmp_path / "bad.csv",
        [
            ["event_type", "district", "department"],
            ["99999", "*", "sanitation"],
            ["06010", "230199", "sanitation"],
            ["06010", "*", "nobody"],
            ["0401", "230102", ""],
            ["06010", "*", "enforcement"],
            ["06010", "*", "sanitation"],
        ],
    )
    stored = {
        (a.district_code, a.event_type_code): a.department_code
        for a in session.scalars(select(EventAssignment))
    }
    with pytest.raises(InputError) as caught:
        code_tables.import_routing(session, bad, at=AT)
    assert str(caught.value).endswith(
        "4 problems: line 2, column event_type: unknown event type code '99999'; line 3, column district: the "
        "city has no district '230199'; line 4, column department: unknown department 'nobody' (import "
        "departments first); line 7, column district: 06010 in * again (first on line 6)"
    )
    good = _csv(
        tmp_path / "routing.csv",
        [
            ["event_type", "district", "department", "event_type_name"],
            ["06010", "230103", "sanitation", "暴露垃圾"],  # before the * row: still wins in 230103
            ["06010", "*", "enforcement", ""],
            ["0401", "230102", "", ""],  # a legacy code, no department: the district is responsible
        ],
    )
    report = code_tables.import_routing(session, good, at=AT)
    assert (report.read, report.inserted, report.updated, report.removed, report.unchanged) == (3, 0, 1, 1, 1)
    routed = {
        (a.district_code, a.event_type_code): a.department_code
        for a in session.scalars(select(EventAssignment))
    }
    assert routed[("230102", "06010")] == "enforcement" and routed[("230103", "06010")] == "sanitation"
    legacy = session.scalar(select(EventType.code).where(EventType.legacy_code == "0401"))
    assert ("230102", legacy) not in routed and routed[("230103", legacy)] == stored[("230103", legacy)]
    assert {k: v for k, v in routed.items() if k[1] not in ("06010", legacy)} == {
        k: v for k, v in stored.items() if k[1] not in ("06010", legacy)
    }


def test_routing_and_departments_export_round_trip(session, tmp_path):
    x0, y0 = _grid_city(session, tmp_path)
    gis_io.import_layer(session, "cells", _shifted_grid(tmp_path, x0, y0, 2000, "east.geojson"), at=AT)
    before = {
        (a.district_code, a.event_type_code): a.department_code
        for a in session.scalars(select(EventAssignment))
    }
    out = io.StringIO()
    count = code_tables.export_routing(session, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == count
    # The two districts differ on 06012 (道里 230102 gives it to landscaping) and 09010 (南岗 230103 to
    # the traffic police): one * row per type, and a district row for each difference.
    differing = sorted(t for (d, t), dep in before.items() if d == "230102" and before[("230103", t)] != dep)
    assert differing == ["06012", "09010"] and count == 263 + 2
    star = {r["event_type"]: r["department"] for r in rows if r["district"] == "*"}
    own = {(r["district"], r["event_type"]): r["department"] for r in rows if r["district"] != "*"}
    assert len(star) == 263 and sorted(t for _, t in own) == differing
    assert {(d, t): own.get((d, t), star[t]) for d, t in before} == before
    names = {r["event_type"]: r["event_type_name"] for r in rows}
    assert names["09010"] == session.get(EventType, "09010").name
    path = tmp_path / "routing.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = code_tables.import_routing(session, path, at=AT)
    assert (report.inserted, report.updated, report.removed, report.unchanged) == (0, 0, 0, 2 * 263)
    assert {
        (a.district_code, a.event_type_code): a.department_code
        for a in session.scalars(select(EventAssignment))
    } == before

    out = io.StringIO()
    assert code_tables.export_departments(session, out) == 23
    path = tmp_path / "departments.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = code_tables.import_departments(session, path, at=AT)
    assert (report.read, report.unchanged, report.inserted, report.updated) == (23, 23, 0, 0)
    assert session.get(District, "230103") is not None
