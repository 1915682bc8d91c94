"""Export of the city's GIS layers in every format: GeoJSON and CSV to a text stream, GeoPackage and
Shapefile to a file, and the whole city as one GeoPackage. Exports only read.

Cells, components and cameras as GeoJSON or CSV stream in batches (``data.gis_io.export_layer``). Every
other export reads its layer whole into a ``LayerTable`` (``layer_table``): the fields GeoJSON and CSV
carry, each with its type (text, integer, real, date, from the column's own type), and the geometry in
the city CRS; ``data.ogr_io`` writes those into a GeoPackage or a Shapefile with the city's CRS.

Sirens and shelters carry the fields their importer reads (``data.civil_defence_io``), so an export
imports back unchanged. A shelter's geometry is its footprint where it has one, else its point; its
entrances are a WKT MULTIPOINT in the city CRS to the millimetre (in GeoJSON a MultiPoint object in WGS84,
the file's CRS).
As GeoJSON (RFC 7946, WGS84) and CSV they follow ``export_layer``: CSV has the city-CRS ``x``/``y`` beside
WGS84 ``lon``/``lat``, and shelters their geometry as ``wkt`` in the city CRS.

``export city`` writes ``CITY_LAYERS``: the organisation (districts, streets, communities), the grid
cells, roads, components, cameras, sirens and shelters, each a layer of one GeoPackage, empty layers too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy import Date, DateTime, Float, Integer, select
from sqlalchemy.orm import Session

from data.city import city_crs
from data.civil_defence_io import _SHELTER_COLUMNS, _SIREN_COLUMNS
from data.civil_defence_models import Shelter, Siren
from data.errors import InputError
from data.geometry import WGS84, reproject, transformer
from data.gis_io import (
    _CAMERA_COLUMNS,
    _CELL_EXPORT_COLUMNS,
    _COMPONENT_COLUMNS,
    _load_source_codes,
    _write_csv,
    _write_geojson,
    export_layer,
)
from data.models import Camera, Community, Component, District, GridCell, Road, Street
from data.ogr_io import DATE, DATETIME, INTEGER, REAL, TEXT, LayerTable, Written, write_layers

LAYERS = ("cells", "components", "cameras", "sirens", "shelters")
CITY = "city"
CITY_LAYERS = (
    "districts",
    "streets",
    "communities",
    "cells",
    "roads",
    "components",
    "cameras",
    "sirens",
    "shelters",
)
TEXT_FORMATS = ("geojson", "csv")
FILE_FORMATS = ("gpkg", "shp")


@dataclass(frozen=True)
class _Spec:
    """A layer read straight from one table: its fields and where its geometry is."""

    model: Any
    columns: tuple[str, ...]
    geometry: str = "xy"  # "xy": a point from the x and y columns; else the geometry column's name
    empty_type: str = "Point"  # the geometry type of the layer when it has no rows


def _no_xy(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in columns if c not in ("x", "y"))


_SPECS = {
    "components": _Spec(Component, _no_xy(_COMPONENT_COLUMNS)),
    "cameras": _Spec(Camera, _no_xy(_CAMERA_COLUMNS)),
    "sirens": _Spec(Siren, _no_xy(_SIREN_COLUMNS)),
    "districts": _Spec(District, ("code", "name", "name_en"), "geometry", "MultiPolygon"),
    "streets": _Spec(Street, ("code", "name", "district_code"), "geometry", "MultiPolygon"),
    "communities": _Spec(Community, ("code", "name", "street_code"), "geometry", "MultiPolygon"),
    "roads": _Spec(Road, ("id", "name", "kind"), "geometry", "MultiLineString"),
}
_SHELTER_FIELDS = tuple(c for c in _no_xy(_SHELTER_COLUMNS) if c not in ("footprint", "entrances"))


def _field_type(attr) -> str:
    kind = attr.type
    if isinstance(kind, DateTime):
        return DATETIME
    if isinstance(kind, Date):
        return DATE
    if isinstance(kind, Integer):
        return INTEGER
    if isinstance(kind, Float):
        return REAL
    return TEXT


def _geometry_type(geoms: np.ndarray, empty: str) -> str:
    kinds = {g.geom_type for g in geoms if g is not None}
    if not kinds:
        return empty
    if kinds == {"Point"}:
        return "Point"
    for single in ("Point", "Polygon", "LineString"):
        if kinds <= {single, f"Multi{single}"}:
            return f"Multi{single}"
    return "Unknown"


def _rows(session: Session, model, attrs: list) -> list:
    key = model.__mapper__.primary_key[0]
    # Core rows: the ORM's row handling doubled the time of 100k components. Core skips autoflush.
    session.flush()
    return session.connection().execute(select(*attrs).order_by(key)).all()


def _points(rows: list, n: int) -> np.ndarray:
    xs = np.fromiter((r[n] for r in rows), dtype=float, count=len(rows))
    ys = np.fromiter((r[n + 1] for r in rows), dtype=float, count=len(rows))
    return shapely.points(xs, ys) if rows else np.empty(0, dtype=object)


def _spec_table(session: Session, name: str, spec: _Spec) -> LayerTable:
    attrs = [getattr(spec.model, c) for c in spec.columns]
    extra = [spec.model.x, spec.model.y] if spec.geometry == "xy" else [getattr(spec.model, spec.geometry)]
    rows = _rows(session, spec.model, attrs + extra)
    n = len(attrs)
    columns = {
        c: (_field_type(a), [r[i] for r in rows])
        for i, (c, a) in enumerate(zip(spec.columns, attrs, strict=True))
    }
    if spec.geometry == "xy":
        return LayerTable(name, columns, _points(rows, n), "Point")
    geometry = np.array([r[n] for r in rows] or [], dtype=object)
    return LayerTable(name, columns, geometry, _geometry_type(geometry, spec.empty_type))


def _cells_table(session: Session) -> LayerTable:
    sources = _load_source_codes(session)
    rows = _rows(
        session,
        GridCell,
        [GridCell.code, GridCell.legacy_code, GridCell.area_m2, GridCell.pop_day, GridCell.pop_night,
         GridCell.land_use, GridCell.geometry],
    )  # fmt: skip
    codes = [r[0] for r in rows]
    values = {
        "code": codes,
        "legacy_code": [r[1] for r in rows],
        "community": [c[:12] for c in codes],
        "street": [c[:9] for c in codes],
        "district": [c[:6] for c in codes],
        "area_m2": [r[2] for r in rows],
        "pop_day": [r[3] for r in rows],
        "pop_night": [r[4] for r in rows],
        "land_use": [r[5] for r in rows],
        "source_code": [sources.get(c) for c in codes],
    }
    types = {"area_m2": REAL, "pop_day": INTEGER, "pop_night": INTEGER}
    columns = {c: (types.get(c, TEXT), values[c]) for c in _CELL_EXPORT_COLUMNS}
    geometry = np.array([r[6] for r in rows], dtype=object)
    return LayerTable("cells", columns, geometry, "MultiPolygon")


def _shelters_table(session: Session) -> LayerTable:
    attrs = [getattr(Shelter, c) for c in _SHELTER_FIELDS]
    rows = _rows(session, Shelter, attrs + [Shelter.x, Shelter.y, Shelter.footprint, Shelter.entrances])
    n = len(attrs)
    columns = {
        c: (_field_type(a), [r[i] for r in rows])
        for i, (c, a) in enumerate(zip(_SHELTER_FIELDS, attrs, strict=True))
    }
    # Millimetres are plenty for a door, and keep the text within a Shapefile field.
    columns["entrances"] = (TEXT, [None if r[n + 3] is None else shapely.to_wkt(r[n + 3], 3) for r in rows])
    points = _points(rows, n)
    geometry = np.array(
        [r[n + 2] if r[n + 2] is not None else p for r, p in zip(rows, points, strict=True)] or [],
        dtype=object,
    )
    return LayerTable("shelters", columns, geometry, _geometry_type(geometry, "MultiPolygon"), points)


def layer_table(session: Session, kind: str) -> LayerTable:
    """The layer ``kind`` (one of ``CITY_LAYERS``) read whole: its fields and geometries in the city CRS."""
    if kind == "cells":
        return _cells_table(session)
    if kind == "shelters":
        return _shelters_table(session)
    if kind not in _SPECS:
        raise InputError(f"unknown layer {kind!r}: expected one of {', '.join(CITY_LAYERS)}")
    return _spec_table(session, kind, _SPECS[kind])


# --- GeoJSON and CSV of the layers export_layer does not stream -------------------------------------


def _text_batches(table: LayerTable, crs: str, geojson: bool) -> Iterator[list[tuple[tuple, Any]]]:
    names = list(table.columns)
    rows = list(zip(*(values for _, values in table.columns.values()), strict=True)) if names else []
    if not rows:
        return
    if "entrances" in table.columns and geojson:
        # GeoJSON's CRS is WGS84, and so is a shelter's entrances object there.
        at = names.index("entrances")
        doors = reproject(shapely.from_wkt(np.array(table.columns["entrances"][1], dtype=object)), crs, WGS84)
        rows = [
            r[:at] + (None if d is None else mapping(d),) + r[at + 1 :]
            for r, d in zip(rows, doors, strict=True)
        ]
    if geojson:
        shapes = shapely.to_geojson(reproject(table.geometry, crs, WGS84))
        yield list(zip(rows, shapes, strict=True))
        return
    points = table.points if table.points is not None else table.geometry
    xs, ys = shapely.get_coordinates(points).T
    lons, lats = (np.atleast_1d(v).tolist() for v in transformer(crs, WGS84).transform(xs, ys))
    extras: list[tuple] = list(zip(xs.tolist(), ys.tolist(), lons, lats, strict=True))
    if table.points is not None:  # the geometry itself too: footprints, or the point
        wkts = shapely.to_wkt(table.geometry, rounding_precision=-1)
        extras = [e + (w,) for e, w in zip(extras, wkts, strict=True)]
    yield list(zip(rows, extras, strict=True))


def export_text(session: Session, kind: str, fmt: str, out: TextIO) -> int:
    """Write the layer ``kind`` (one of ``LAYERS``) to the text stream ``out`` as GeoJSON or CSV;
    returns the number of features written."""
    if fmt not in TEXT_FORMATS:
        raise InputError(f"a {fmt} file is binary: it is written to a file, not to a text stream")
    if kind in ("cells", "components", "cameras"):
        return export_layer(session, kind, fmt, out)
    if kind not in LAYERS:
        raise InputError(f"unknown layer {kind!r}: expected one of {', '.join(LAYERS)}")
    table = layer_table(session, kind)
    crs = city_crs(session)
    batches = _text_batches(table, crs, fmt == "geojson")
    if fmt == "geojson":
        return _write_geojson(out, list(table.columns), batches)
    extra = ["x", "y", "lon", "lat"] + (["wkt"] if table.points is not None else [])
    return _write_csv(out, [*table.columns, *extra], batches)


def export_file(session: Session, kind: str, fmt: str, out: str | Path) -> Written:
    """Write the layer ``kind`` (one of ``LAYERS``), or every layer of the city (``kind`` "city", a
    GeoPackage only), to the file ``out`` as a GeoPackage or a Shapefile, in the city's CRS."""
    if fmt not in FILE_FORMATS:
        raise InputError(f"unknown file format {fmt!r}: expected one of {', '.join(FILE_FORMATS)}")
    if kind == CITY:
        if fmt != "gpkg":
            raise InputError(
                "the whole city is exported as one GeoPackage (--format gpkg): a Shapefile holds one layer"
            )
        kinds = CITY_LAYERS
    elif kind in LAYERS:
        kinds = (kind,)
    else:
        raise InputError(f"unknown layer {kind!r}: expected one of {', '.join((*LAYERS, CITY))}")
    crs = city_crs(session)
    # One layer in memory at a time: each is read as the one before has been written.
    return write_layers((layer_table(session, k) for k in kinds), fmt, out, crs)
