"""GeoPackage and Shapefile import and export (data.ogr_io, data.layer_export), on both backends.

Exports of a small demo city are read back three ways: by our importers (a re-import changes nothing),
by pyogrio itself and by sqlite3 on the GeoPackage's own tables, and a Shapefile's .dbf, .cpg and .prj
are read as bytes and text. Files to import are written here with pyogrio directly, not with our writer,
so the reader is not only checked against itself. Expected positions come from a transformer built here.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import struct
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyogrio import raw
from pyproj import CRS, Transformer
from sqlalchemy import func, select, text

from data import gis_io, layer_export, ogr_io
from data.city import city_crs, get_meta, has_city
from data.civil_defence_io import import_civil_defence
from data.civil_defence_models import Shelter, Siren
from data.db import read_only
from data.demo import seed_demo
from data.errors import InputError
from data.geometry import HARBIN_CRS
from data.gis_io import ImportRejected, read_features
from data.models import Camera, Community, Component, District, GridCell, JournalEvent, Road, Street
from tests.data import test_civil_defence_import as civil_defence_tests

AT = dt.datetime(2026, 3, 2, 9, 30)
# Four 500 m cells in EPSG:4551 (two in 道里, two in 南岗): the civil-defence import tests' city.
city = civil_defence_tests.city
X0, Y0, TO_LONLAT = civil_defence_tests.X0, civil_defence_tests.Y0, civil_defence_tests.TO_LONLAT
MODELS = {"cells": GridCell, "components": Component, "cameras": Camera, "sirens": Siren, "shelters": Shelter}
CITY_MODELS = {
    "districts": District,
    "streets": Street,
    "communities": Community,
    "roads": Road,
    **MODELS,
}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _import(session, kind: str, path: Path, **kw):
    if kind in ("sirens", "shelters"):
        return import_civil_defence(session, kind, path, at=AT, **kw)
    return gis_io.import_layer(session, kind, path, at=AT, **kw)


def _cells_by_source(session) -> dict[str, GridCell]:
    codes = json.loads(get_meta(session, "cell_source_codes"))
    return {codes[c.code]: c for c in session.scalars(select(GridCell))}


def _same_shape(a, b, tolerance: float = 1e-6) -> bool:
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance))


@pytest.fixture
def demo(session):
    """The small demo city (seed 3) with a shelter that has no footprint and a note no Shapefile
    field holds."""
    seed_demo(session, scale="small", seed=3, at=AT)
    first = session.scalars(select(Shelter).order_by(Shelter.id)).first()
    session.add(
        Shelter(id="X-POINT-1", name="临时掩蔽点（无轮廓）", shelter_class="personnel_2", usable_area_m2=120.0,
                capacity=120, x=first.x + 30, y=first.y + 30, cell_code=first.cell_code,
                district_code=first.district_code, note="")
    )  # fmt: skip
    first.note = "人防工程备注，" * 40  # 280 characters, 840 bytes in UTF-8
    session.flush()
    return session


# --- export, and everything comes back --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_every_layer_comes_back_unchanged(demo, tmp_path, fmt):
    session = demo
    for kind, model in MODELS.items():
        n = _count(session, model)
        out = tmp_path / f"{kind}.{fmt}"
        written = layer_export.export_file(session, kind, fmt, out)
        assert written.layers == {kind: n} and written.crs == city_crs(session)
        report = _import(session, kind, out)
        # A Shapefile field holds 254 bytes: the long note comes back cut, so that one shelter changes.
        changed = 1 if (fmt, kind) == ("shp", "shelters") else 0
        assert (report.read, report.inserted, report.updated, report.unchanged) == (
            n,
            0,
            changed,
            n - changed,
        )
        assert report.crs_from == city_crs(session)


def test_exported_points_and_names_read_back_with_pyogrio(demo, tmp_path):
    session = demo
    stored = {c.id: c for c in session.scalars(select(Component))}
    for fmt in ("gpkg", "shp"):
        out = tmp_path / f"components.{fmt}"
        layer_export.export_file(session, "components", fmt, out)
        meta, _, wkb, columns = raw.read(out)
        assert CRS(meta["crs"]).to_epsg() == 4551
        fields = dict(zip(meta["fields"], columns, strict=True))
        points = shapely.from_wkb(wkb)
        assert set(fields["id"]) == set(stored)
        for ident, name, date, p in zip(
            fields["id"], fields["name"], fields["init_date"], points, strict=True
        ):
            c = stored[ident]
            assert (p.x, p.y) == pytest.approx((c.x, c.y), abs=1e-6)
            assert name == c.name and date == np.datetime64(c.init_date)
    assert any("\u4e00" <= ch <= "\u9fff" for c in stored.values() for ch in c.name)  # Chinese names


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_a_new_city_founded_from_exported_cells(session, tmp_path, fmt):
    seeded = session.begin_nested()
    seed_demo(session, scale="small", seed=3, at=AT)
    crs = city_crs(session)
    cells = {c.code: c.geometry for c in session.scalars(select(GridCell))}
    out = tmp_path / f"cells.{fmt}"
    layer_export.export_file(session, "cells", fmt, out)
    seeded.rollback()
    assert not has_city(session)

    report = gis_io.import_layer(session, "cells", out, new_city=True, at=AT)
    assert report.city_created and city_crs(session) == crs == report.crs_to
    got = {c.code: c.geometry for c in session.scalars(select(GridCell))}
    assert got.keys() == cells.keys()
    assert all(_same_shape(got[code], cells[code]) for code in cells)


def test_the_city_geopackage_opens_in_pyogrio_and_sqlite3(demo, tmp_path):
    session = demo
    out = tmp_path / "city.gpkg"
    written = layer_export.export_file(session, "city", "gpkg", out)
    counts = {name: _count(session, model) for name, model in CITY_MODELS.items()}
    assert written.layers == {name: counts[name] for name in layer_export.CITY_LAYERS}

    layers = dict(pyogrio.list_layers(out))
    assert list(layers) == list(layer_export.CITY_LAYERS)
    assert layers["cells"] == layers["districts"] == "MultiPolygon" and layers["components"] == "Point"
    assert layers["roads"] in ("LineString", "MultiLineString")
    for name in layers:
        info = pyogrio.read_info(out, layer=name)
        assert CRS(info["crs"]).to_epsg() == 4551 and info["features"] == counts[name]

    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(b"GPKG", "big")
        contents = dict(
            db.execute("SELECT table_name, srs_id FROM gpkg_contents WHERE data_type = 'features'")
        )
        assert contents == dict.fromkeys(layer_export.CITY_LAYERS, 4551)
        srs = db.execute(
            "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = 4551"
        ).fetchone()
        assert (srs[0].upper(), srs[1]) == ("EPSG", 4551)
        for name, n in counts.items():
            assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == n
        names = dict(db.execute("SELECT id, name FROM shelters"))
        notes = dict(db.execute("SELECT id, note FROM shelters"))
    stored = {s.id: s for s in session.scalars(select(Shelter))}
    assert names == {i: s.name for i, s in stored.items()} and names["X-POINT-1"] == "临时掩蔽点（无轮廓）"
    assert notes == {i: s.note for i, s in stored.items()}  # a GeoPackage keeps long text whole


def _dbf_field_names(path: Path) -> list[str]:
    data = path.read_bytes()
    header = struct.unpack("<H", data[8:10])[0]
    return [data[at : at + 11].split(b"\0")[0].decode("ascii") for at in range(32, header - 1, 32)]


def test_a_shapefile_has_short_field_names_utf8_and_its_prj(demo, tmp_path):
    session = demo
    with_footprint = session.scalar(select(func.count()).where(Shelter.footprint.is_not(None)))
    written = layer_export.export_file(session, "shelters", "shp", tmp_path / "shelters.shp")
    assert written.as_points == with_footprint and written.cut == {"note": 1}

    assert (tmp_path / "shelters.cpg").read_text() == "UTF-8"
    assert CRS.from_wkt((tmp_path / "shelters.prj").read_text()).to_epsg() == 4551
    names = _dbf_field_names(tmp_path / "shelters.dbf")
    assert all(len(n) <= 10 for n in names)
    assert {"class", "usable_m2", "dist_code", "entrances", "note"} <= set(names)
    dbf = (tmp_path / "shelters.dbf").read_bytes()
    assert "临时掩蔽点（无轮廓）".encode() in dbf
    assert pyogrio.read_info(tmp_path / "shelters.shp")["geometry_type"] == "Point"

    # Read back, the short names answer to the long ones.
    source = read_features(session, tmp_path / "shelters.shp")
    rec = next(r for r in source.records if r.prop("id") == "X-POINT-1")
    assert rec.prop("shelter_class") == "personnel_2" and rec.prop("usable_area_m2") == 120.0
    assert rec.prop("name") == "临时掩蔽点（无轮廓）"


def test_a_zipped_shapefile_export_imports_back(demo, tmp_path):
    session = demo
    out = tmp_path / "sirens.shp.zip"
    layer_export.export_file(session, "sirens", "shp", out)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == [f"sirens.{s}" for s in ("cpg", "dbf", "prj", "shp", "shx")]
    n = _count(session, Siren)
    assert _import(session, "sirens", out).unchanged == n


def test_export_refuses_what_a_format_cannot_hold(demo, tmp_path):
    with pytest.raises(InputError, match="one GeoPackage"):
        layer_export.export_file(demo, "city", "shp", tmp_path / "city.shp")
    with pytest.raises(InputError, match="named .gpkg"):
        layer_export.export_file(demo, "cells", "gpkg", tmp_path / "cells.shp")
    with pytest.raises(InputError, match="no folder"):
        layer_export.export_file(demo, "cells", "gpkg", tmp_path / "missing" / "cells.gpkg")
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_a_failed_export_leaves_the_file_that_was_there(demo, tmp_path):
    out = tmp_path / "cells.gpkg"
    out.write_bytes(b"the previous export")
    with pytest.raises(InputError):
        layer_export.export_file(demo, "nonsense", "gpkg", out)
    assert out.read_bytes() == b"the previous export"
    layer_export.export_file(demo, "cells", "gpkg", out)
    assert list(pyogrio.list_layers(out)[:, 0]) == ["cells"]
    assert [p.name for p in tmp_path.iterdir()] == ["cells.gpkg"]


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_sirens_and_shelters_export_as_text_and_come_back(demo, tmp_path, fmt):
    session = demo
    for kind in ("sirens", "shelters"):
        out = tmp_path / f"{kind}.{fmt}"
        with open(out, "w", encoding="utf-8", newline="") as fh:
            n = layer_export.export_text(session, kind, fmt, fh)
        assert n == _count(session, MODELS[kind])
        report = _import(session, kind, out)
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, n)
    if fmt == "geojson":  # entrances in GeoJSON are in its CRS, WGS84
        doc = json.loads((tmp_path / "shelters.geojson").read_text("utf-8"))
        stored = session.scalars(select(Shelter).where(Shelter.entrances.is_not(None))).first()
        feature = next(f for f in doc["features"] if f["properties"]["id"] == stored.id)
        lon, lat = feature["properties"]["entrances"]["coordinates"][0]
        door = shapely.get_coordinates(stored.entrances)[0]
        # Written to the millimetre: 1e-8 degrees is about a millimetre here.
        assert (lon, lat) == pytest.approx(TO_LONLAT.transform(*door), abs=1e-8)


def test_exports_only_read(engine, tmp_path):
    """The export's session refuses writes in the database itself, and the connection goes back to
    the pool writable."""
    from sqlalchemy.orm import Session

    with Session(engine) as s, read_only(s):
        with pytest.raises(Exception, match="(?i)read.?only|query_only|attempt to write"):
            s.execute(text("CREATE TABLE not_here (x INTEGER)"))
    with Session(engine) as s:
        if engine.dialect.name == "sqlite":
            assert s.execute(text("PRAGMA query_only")).scalar() == 0
        else:
            assert s.execute(text("SHOW transaction_read_only")).scalar() == "off"


# --- reading files made elsewhere -------------------------------------------------------------------


SIREN_XY = [(X0 + 250, Y0 + 250), (X0 + 1250, Y0 + 100), (X0 + 1900, Y0 + 400)]


def _write_sirens(path: Path, crs: str | None = HARBIN_CRS, layer: str = "sirens", **kw) -> Path:
    """Three sirens written by pyogrio itself, in ``crs`` (positions transformed here)."""
    xs, ys = np.array(SIREN_XY).T
    if crs not in (None, HARBIN_CRS):
        xs, ys = Transformer.from_crs(HARBIN_CRS, crs, always_xy=True).transform(xs, ys)
    driver = "GPKG" if path.suffix == ".gpkg" else "ESRI Shapefile"
    # A Shapefile's field names are at most 10 characters: radius_m is the short name of audible_radius_m.
    fields = ["id", "name", "power_w", "audible_radius_m" if driver == "GPKG" else "radius_m", "last_test"]
    values = [
        np.array(["S1", "S2", "S3"], dtype=object),
        np.array(["道里一号", "南岗二号", None], dtype=object),
        np.array([7500, 600, 1200], dtype=np.int64),
        np.array([1100.5, np.nan, 800.0]),
        np.array(["2025-05-01", "NaT", "2024-09-18"], dtype="datetime64[D]"),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    raw.write(path, shapely.to_wkb(shapely.points(xs, ys)), values, fields, layer=layer, driver=driver,
              geometry_type="Point", crs=crs, **kw)  # fmt: skip
    return path


def _nothing_stored(session) -> None:
    assert _count(session, Siren) == 0
    assert _count(session, JournalEvent) == 0


def test_sirens_from_gpkg_and_shp_with_types_and_chinese(city, tmp_path):
    for name in ("sirens.gpkg", "sirens.shp"):
        path = _write_sirens(tmp_path / name)
        source = read_features(city, path)
        assert source.crs_text == HARBIN_CRS
        first, second, third = source.records
        # Types kept: integers, reals, dates; a null is absent; radius_m in the Shapefile answers to its
        # long name.
        assert first.props["power_w"] == 7500 and isinstance(first.props["power_w"], int)
        assert first.prop("audible_radius_m") == 1100.5 and second.prop("audible_radius_m") is None
        assert first.props["last_test"] == dt.date(2025, 5, 1) and second.prop("last_test") is None
        assert first.prop("name") == "道里一号" and third.prop("name") is None
    report = _import(city, "sirens", tmp_path / "sirens.gpkg")
    assert report.inserted == 3 and report.crs_from == HARBIN_CRS
    s1 = city.get(Siren, "S1")
    assert (s1.name, s1.power_w, s1.audible_radius_m, s1.last_test) == (
        "道里一号",
        7500,
        1100.5,
        dt.date(2025, 5, 1),
    )
    assert (s1.x, s1.y, s1.cell_code) == (SIREN_XY[0][0], SIREN_XY[0][1], "230102001001001")
    assert _import(city, "sirens", tmp_path / "sirens.shp").unchanged == 3


def test_a_gbk_shapefile_without_cpg_is_refused_until_its_encoding_is_given(city, tmp_path):
    # Most Chinese GIS offices' Shapefiles are GBK, often handed out without the .cpg: GDAL would read
    # them as ISO-8859-1 and the names would be stored garbled without a word.
    path = _write_sirens(tmp_path / "gbk.shp", encoding="GBK")
    (tmp_path / "gbk.cpg").unlink()
    with pytest.raises(
        ImportRejected, match=r"the Shapefile gbk holds text that is not plain ASCII.*--encoding GBK"
    ):
        _import(city, "sirens", path)
    _nothing_stored(city)
    with pytest.raises(ImportRejected, match="unknown text encoding 'GKB'"):
        read_features(city, path, encoding="GKB")
    assert _import(city, "sirens", path, encoding="GBK").inserted == 3
    assert city.get(Siren, "S1").name == "道里一号" and city.get(Siren, "S2").name == "南岗二号"
    # Plain ASCII text needs no word on its encoding; the option is refused for a GeoPackage.
    ascii_only = tmp_path / "ascii.shp"
    raw.write(ascii_only, shapely.to_wkb(shapely.points(*np.array(SIREN_XY).T)),
              [np.array(["S1", "S2", "S3"], dtype=object)], ["id"], driver="ESRI Shapefile",
              geometry_type="Point", crs=HARBIN_CRS)  # fmt: skip
    (tmp_path / "ascii.cpg").unlink()
    assert [r.prop("id") for r in read_features(city, ascii_only).records] == ["S1", "S2", "S3"]
    with pytest.raises(ImportRejected, match="--encoding is for a Shapefile's .dbf"):
        read_features(city, _write_sirens(tmp_path / "sirens.gpkg"), encoding="GBK")


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_the_crs_of_the_file_is_used(city, tmp_path, suffix):
    path = _write_sirens(tmp_path / f"wgs84{suffix}", crs="EPSG:4326")
    report = _import(city, "sirens", path)
    assert report.crs_from == "EPSG:4326" and report.inserted == 3
    for ident, (x, y) in zip(("S1", "S2", "S3"), SIREN_XY, strict=True):
        s = city.get(Siren, ident)
        assert (s.x, s.y) == pytest.approx((x, y), abs=1e-4)


def test_a_shapefile_without_prj_needs_its_crs(city, tmp_path):
    path = _write_sirens(tmp_path / "sirens.shp")
    (tmp_path / "sirens.prj").unlink()
    with pytest.raises(ImportRejected, match=r"no sirens\.prj beside sirens\.shp.*--crs"):
        _import(city, "sirens", path)
    _nothing_stored(city)
    assert _import(city, "sirens", path, crs=HARBIN_CRS).inserted == 3


def test_a_geopackage_layer_without_crs_needs_one(city, tmp_path):
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        path = _write_sirens(tmp_path / "sirens.gpkg", crs=None)
    with pytest.raises(ImportRejected, match="has no CRS"):
        _import(city, "sirens", path)
    _nothing_stored(city)
    assert _import(city, "sirens", path, crs=HARBIN_CRS).inserted == 3


def test_a_geopackage_of_several_layers_needs_the_layer_named(city, tmp_path):
    path = _write_sirens(tmp_path / "many.gpkg", layer="警报器")
    _write_sirens(path, layer="old_sirens", append=True)
    with pytest.raises(InputError, match=r"holds 2 layers \(警报器, old_sirens\).*--layer"):
        _import(city, "sirens", path)
    with pytest.raises(InputError, match=r"no layer 'nope'.*警报器, old_sirens"):
        _import(city, "sirens", path, layer="nope")
    _nothing_stored(city)
    assert _import(city, "sirens", path, layer="警报器").inserted == 3


def test_a_layer_name_is_refused_for_files_of_one_layer(city, tmp_path):
    shp = _write_sirens(tmp_path / "sirens.shp")
    with pytest.raises(InputError, match="a Shapefile holds one layer"):
        _import(city, "sirens", shp, layer="sirens")
    geojson = tmp_path / "sirens.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    with pytest.raises(InputError, match="a layer name is for a GeoPackage"):
        _import(city, "sirens", geojson, layer="sirens")
    _nothing_stored(city)


def _zip(path: Path, files: list[Path], names: list[str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for f, name in zip(files, names or [f.name for f in files], strict=True):
            zf.write(f, name)
    return path


def _shapefile_parts(shp: Path) -> list[Path]:
    return sorted(p for p in shp.parent.iterdir() if p.stem == shp.stem and p.suffix != ".zip")


def test_zipped_shapefiles_and_geopackages(city, tmp_path):
    one = _write_sirens(tmp_path / "a" / "sirens.shp")
    two = _write_sirens(tmp_path / "b" / "spare.shp")
    parts = _shapefile_parts(one)
    # In a folder inside the zip, as offices often send them.
    single = _zip(tmp_path / "sirens.zip", parts, [f"城区/{p.name}" for p in parts])
    both = _zip(tmp_path / "both.zip", parts + _shapefile_parts(two))
    with pytest.raises(InputError, match=r"holds 2 layers \(sirens, spare\)"):
        _import(city, "sirens", both)
    assert _import(city, "sirens", single).inserted == 3
    assert _import(city, "sirens", both, layer="spare").unchanged == 3
    gpkg = _zip(tmp_path / "gpkg.zip", [_write_sirens(tmp_path / "sirens.gpkg")])
    assert _import(city, "sirens", gpkg).unchanged == 3


def test_a_zip_of_a_csv_is_not_read_as_a_shapefile(tmp_path):
    csv_file = tmp_path / "sirens.csv"
    csv_file.write_text("id,lon,lat\nS1,126.6,45.7\n", "utf-8")
    assert not ogr_io.takes(_zip(tmp_path / "sirens.zip", [csv_file]))
    assert ogr_io.takes(tmp_path / "any.gpkg") and ogr_io.takes(tmp_path / "ANY.SHP")


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _broken(kind: str, tmp_path: Path) -> Path:
    """A sirens file broken in one way."""
    if kind == "garbage gpkg":
        path = tmp_path / "sirens.gpkg"
        path.write_bytes(b"not a database at all")
        return path
    if kind == "truncated gpkg":
        path = _write_sirens(tmp_path / "sirens.gpkg")
        _truncate(path, 0.5)
        return path
    shp = _write_sirens(tmp_path / "sirens.shp")
    if kind == "truncated shp":
        _truncate(shp, 0.6)
    elif kind == "truncated dbf":
        _truncate(tmp_path / "sirens.dbf", 0.7)
    elif kind == "shp without shx":
        (tmp_path / "sirens.shx").unlink()
    elif kind == "zip without shx":
        return _zip(tmp_path / "s.zip", [p for p in _shapefile_parts(shp) if p.suffix != ".shx"])
    elif kind == "zip without shp":
        return _zip(tmp_path / "s.zip", [p for p in _shapefile_parts(shp) if p.suffix != ".shp"])
    elif kind == "shx of another shapefile":
        other = tmp_path / "other.shp"
        raw.write(other, shapely.to_wkb(shapely.points(np.arange(6.0), np.arange(6.0))), [], [],
                  driver="ESRI Shapefile", geometry_type="Point", crs=HARBIN_CRS)  # fmt: skip
        shutil.copyfile(tmp_path / "other.shx", tmp_path / "sirens.shx")
    return shp


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("garbage gpkg", "not a readable GeoPackage"),
        ("truncated gpkg", "not a readable GeoPackage"),
        ("truncated shp", r"sirens\.shp is truncated: its header says \d+ bytes"),
        ("truncated dbf", r"sirens\.dbf is truncated: 3 records need"),
        ("shp without shx", r"no sirens\.shx beside sirens\.shp"),
        ("zip without shx", r"no sirens\.shx beside sirens\.shp"),
        ("zip without shp", r"parts of a Shapefile \(.*\) but no \.shp"),
        ("shx of another shapefile", r"sirens\.shx indexes 6 shapes but sirens\.dbf holds 3 records"),
    ],
)
def test_malformed_files_are_refused_and_nothing_is_stored(city, tmp_path, kind, reason):
    path = _broken(kind, tmp_path)
    with pytest.raises(ImportRejected, match=reason) as caught:
        _import(city, "sirens", path)
    assert str(caught.value).startswith(f"{path}: nothing imported")
    _nothing_stored(city)


# --- a real data set through GDAL's own formats --------------------------------------------------------

HAMBURG_UTM = "EPSG:32632"  # the UTM zone the GeoJSON import picks for Hamburg (tests/data/test_gis_io.py)


def _hamburg_as(path: Path, crs: str, geojson: Path) -> Path:
    """Hamburg's quarters (OpenStreetMap, tests/data/public) read by GDAL's GeoJSON driver and written
    by GDAL into ``path`` in ``crs``, as an office's GIS would hand them out."""
    meta, _, wkb, columns = raw.read(geojson)
    geoms = shapely.from_wkb(wkb)
    if crs != "EPSG:4326":
        tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    driver = "GPKG" if path.suffix == ".gpkg" else "ESRI Shapefile"
    fields = list(meta["fields"])
    keep = [fields.index("name"), fields.index("cartodb_id")]
    raw.write(path, shapely.to_wkb(geoms), [columns[i] for i in keep], ["name", "cartodb_id"], layer="quarters",
              driver=driver, geometry_type="MultiPolygon", promote_to_multi=True, crs=crs)  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("suffix", "crs", "city"), [(".gpkg", "EPSG:4326", HAMBURG_UTM), (".shp", "EPSG:25832", "EPSG:25832")]
)
def test_hamburg_quarters_found_the_same_city_from_gpkg_and_shp(
    session, public_copy, tmp_path, suffix, crs, city
):
    geojson = public_copy("cth_hamburg.geojson")
    first = session.begin_nested()
    gis_io.import_layer(session, "cells", geojson, code_field="name", new_city=True, at=AT)
    expected = {source: cell.area_m2 for source, cell in _cells_by_source(session).items()}
    first.rollback()

    path = _hamburg_as(tmp_path / f"quarters{suffix}", crs, geojson)
    report = gis_io.import_layer(session, "cells", path, code_field="name", new_city=True, at=AT)
    # A metric CRS of the file becomes the city's; a geographic one gives the data's UTM zone.
    assert (report.read, report.inserted, report.crs_from, city_crs(session)) == (103, 103, crs, city)
    got = {source: cell.area_m2 for source, cell in _cells_by_source(session).items()}
    assert got.keys() == expected.keys() and "Barmbek-Süd" in got  # names with umlauts survive
    assert all(got[name] == pytest.approx(area, rel=2e-3) for name, area in expected.items())
