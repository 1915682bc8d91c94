"""Import of the civil-defence layers: sirens and shelters (civil-defence works), GeoJSON or CSV, or a
GeoPackage or Shapefile (read by ``data.ogr_io``; exports are in ``data.layer_export``).

Same rules as ``data.gis_io`` (whose readers and writers this reuses): the whole file is checked before
anything is written, one ``ImportRejected`` lists every bad feature with its index or CSV line; CRS as
there (GeoJSON: its ``crs`` member, else WGS84; CSV: lon/lat are WGS84, x/y the city CRS unless
``crs`` says otherwise); re-importing updates the rows a file names by ``id``; one ``import.<kind>``
journal event per import.

Sirens: a point each. Properties: ``id``, ``name``, ``kind`` (electronic | electro_mechanical, also
电声/电动), ``power_w`` (or ``power_kw``; required for a new siren), ``audible_radius_m`` (optional
measured reach), ``mount``, ``status`` (in_service | out_of_service | damaged), ``last_test`` (date).

Shelters: a footprint polygon (GeoJSON Polygon/MultiPolygon, CSV ``wkt`` column) or a point. Properties:
``id``, ``name``, ``class`` (command_post | medical | professional_team | personnel_1 | personnel_2 |
support, or the Chinese names), ``usable_area_m2`` (required for a new shelter), ``capacity``
(persons; default from the area by the class norm, ``AREA_PER_PERSON_M2``, or ``area_per_person_m2``),
``status`` (open | closed | damaged), ``occupancy``, ``note`` and ``entrances``: a GeoJSON MultiPoint
object or a list of [x, y] pairs in GeoJSON, a WKT MULTIPOINT in CSV, in the file's CRS. Entrances more
than ``MAX_ENTRANCE_M`` from the footprint are refused (a unit or CRS mix-up, not a long corridor).

Points outside every cell are accepted (a siren on a hill beyond the grid still covers it): their
cell and district are empty and the report lists them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, shape

from data.city import city_crs, has_city
from data.civil_defence_models import (
    AREA_PER_PERSON_M2,
    SHELTER_CLASS_ZH,
    Shelter,
    ShelterClass,
    ShelterStatus,
    Siren,
    SirenKind,
    SirenStatus,
    capacity_for,
)
from data.errors import InputError, NoCity
from data.geometry import all_finite, repair_polygonal, reproject, transformer
from data.gis_io import (
    OUT_OF_LONLAT,
    WKT_COLUMNS,
    FeatureRejected,
    ImportReport,
    Problem,
    Record,
    Source,
    identify,
    points_in_city,
    read_features,
    write_points,
)
from data.source_files import open_source

KINDS = ("sirens", "shelters")
MAX_ENTRANCE_M = 500.0

_SIREN_COLUMNS = (
    "id",
    "name",
    "kind",
    "power_w",
    "audible_radius_m",
    "mount",
    "status",
    "last_test",
    "x",
    "y",
    "cell_code",
    "district_code",
)
_SIREN_DEFAULTS = {
    "name": "",
    "kind": SirenKind.ELECTRONIC.value,
    "audible_radius_m": None,
    "mount": "rooftop",
    "status": SirenStatus.IN_SERVICE.value,
    "last_test": None,
}
_SIREN_KINDS = {
    "electronic": SirenKind.ELECTRONIC,
    "电声": SirenKind.ELECTRONIC,
    "电声警报器": SirenKind.ELECTRONIC,
    "electro_mechanical": SirenKind.ELECTRO_MECHANICAL,
    "electromechanical": SirenKind.ELECTRO_MECHANICAL,
    "mechanical": SirenKind.ELECTRO_MECHANICAL,
    "电动": SirenKind.ELECTRO_MECHANICAL,
    "电动警报器": SirenKind.ELECTRO_MECHANICAL,
}
_MOUNTS = ("rooftop", "pole", "vehicle", "ground")

_SHELTER_COLUMNS = (
    "id",
    "name",
    "shelter_class",
    "usable_area_m2",
    "capacity",
    "status",
    "x",
    "y",
    "footprint",
    "entrances",
    "occupancy",
    "cell_code",
    "district_code",
    "note",
)
_SHELTER_DEFAULTS = {
    "name": "",
    "status": ShelterStatus.OPEN.value,
    "footprint": None,
    "entrances": None,
    "occupancy": 0,
    "note": "",
}
_SHELTER_CLASSES = {c.value: c for c in ShelterClass} | {zh: c for c, zh in SHELTER_CLASS_ZH.items()}
_SHELTER_CLASSES |= {"一等人员掩蔽": ShelterClass.PERSONNEL_1, "二等人员掩蔽": ShelterClass.PERSONNEL_2}


def _choice(rec: Record, names: tuple[str, ...], table: dict[str, Any]) -> Any:
    value = rec.prop(*names)
    if value is None:
        return None
    text = str(value).strip()
    found = table.get(text) or table.get(text.lower().replace("-", "_").replace(" ", "_"))
    if found is None:
        raise FeatureRejected(
            f"{names[0]} {text!r} is not one of {', '.join(dict.fromkeys(str(v) for v in table.values()))}"
        )
    return found


# --- sirens ----------------------------------------------------------------------------------------


def _siren_row(rec: Record, ident: str, xy: tuple[float, float], cell: str | None, old: dict | None) -> dict:
    row: dict[str, Any] = {
        "id": ident,
        "x": xy[0],
        "y": xy[1],
        "cell_code": cell,
        "district_code": cell[:6] if cell else None,
    }
    name = rec.text(("name", "Name"), 100)
    if name is not None:
        row["name"] = name
    kind = _choice(rec, ("kind", "type", "siren_type"), _SIREN_KINDS)
    if kind is not None:
        row["kind"] = kind.value
    power = rec.number(("power_w", "power"), low=0.0)
    if power is None:
        kw = rec.number(("power_kw",), low=0.0)
        power = None if kw is None else kw * 1000.0
    if power is not None:
        if power <= 0:
            raise FeatureRejected("power_w must be above 0")
        row["power_w"] = power
    elif old is None:
        raise FeatureRejected("no power_w: a new siren needs its power in watts")
    radius = rec.number(("audible_radius_m", "radius_m", "radius"), low=0.0)
    if radius is not None:
        if radius <= 0:
            raise FeatureRejected("audible_radius_m must be above 0")
        row["audible_radius_m"] = radius
    mount = _choice(rec, ("mount",), {m: m for m in _MOUNTS})
    if mount is not None:
        row["mount"] = mount
    status = _choice(rec, ("status",), {s.value: s for s in SirenStatus})
    if status is not None:
        row["status"] = status.value
    last = rec.date("last_test")
    if last is not None:
        row["last_test"] = last
    return row


def _import_sirens(
    session, source: Source, code_field: str | None, report: ImportReport, force: bool
) -> None:
    target = city_crs(session)
    report.crs_to = target
    problems: list[Problem] = []
    points = points_in_city(source, target, code_field, problems)
    ids = identify(source, code_field, points, problems)
    write_points(
        session, source, points, ids, problems, report,
        model=Siren, columns=_SIREN_COLUMNS, defaults=_SIREN_DEFAULTS, make_row=_siren_row, force=force,
    )  # fmt: skip


# --- shelters --------------------------------------------------------------------------------------


def _entrance_points(rec: Record) -> np.ndarray | None:
    """Entrance coordinates in the file's CRS, or None when the feature gives none."""
    value = rec.prop("entrances", "entrance")
    if value is None:
        return None
    try:
        if isinstance(value, dict):
            geom = shape(value)
        elif isinstance(value, list):
            geom = MultiPoint([tuple(p) for p in value])
        else:
            text = str(value).strip()
            if text.startswith("{"):
                geom = shape(json.loads(text))
            elif text.startswith("["):
                geom = MultiPoint([tuple(p) for p in json.loads(text)])
            else:
                geom = shapely.from_wkt(text)
    except Exception as exc:  # WKT, JSON and shapely raise several types for malformed input
        raise FeatureRejected(f"entrances: cannot read points ({exc})") from None
    if geom.geom_type not in ("Point", "MultiPoint") or geom.is_empty:
        raise FeatureRejected(f"entrances must be points, not {geom.geom_type}")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise FeatureRejected("entrances: coordinates are not finite numbers")
    return coords


def _shelter_geometry(rec: Record) -> tuple[Any, tuple[float, float] | None]:
    """(footprint or None, point or None) in the file's CRS."""
    geom = rec.geometry
    if rec.error:
        raise FeatureRejected(rec.error)
    if isinstance(geom, tuple):
        return None, geom
    if geom is None or geom.is_empty:
        raise FeatureRejected("no geometry: a shelter needs a footprint polygon or a point")
    if isinstance(geom, Point):
        return None, (geom.x, geom.y)
    if isinstance(geom, MultiPoint) and len(geom.geoms) == 1:
        return None, (geom.geoms[0].x, geom.geoms[0].y)
    if isinstance(geom, Polygon | MultiPolygon):
        fixed, reason = repair_polygonal(geom)
        if fixed is None:
            raise FeatureRejected(f"invalid footprint that cannot be repaired ({reason})")
        return fixed, None
    raise FeatureRejected(f"{geom.geom_type} is neither a footprint polygon nor a point")


def _shelter_fields(rec: Record, old: dict | None, area_per_person: float | None) -> dict:
    row: dict[str, Any] = {}
    name = rec.text(("name", "Name"), 100)
    if name is not None:
        row["name"] = name
    cls = _choice(rec, ("class", "shelter_class", "category"), _SHELTER_CLASSES)
    if cls is not None:
        row["shelter_class"] = cls.value
    elif old is None:
        raise FeatureRejected(f"no class: one of {', '.join(c.value for c in ShelterClass)}")
    area = rec.number(("usable_area_m2", "area_m2", "usable_area"), low=0.0)
    if area is not None:
        if area <= 0:
            raise FeatureRejected("usable_area_m2 must be above 0")
        row["usable_area_m2"] = area
    elif old is None:
        raise FeatureRejected("no usable_area_m2: a new shelter needs its usable area")
    capacity = rec.number(("capacity", "persons"), low=0.0)
    if capacity is not None:
        if capacity != int(capacity):
            raise FeatureRejected(f"capacity {capacity} is not a whole number of persons")
        row["capacity"] = int(capacity)
    elif area is not None or cls is not None:
        # The class norm sets the places when the file does not: 1 m2 a person in personnel works.
        use_cls = row.get("shelter_class") or old["shelter_class"]
        use_area = row.get("usable_area_m2") or old["usable_area_m2"]
        row["capacity"] = capacity_for(use_cls, use_area, area_per_person)
    status = _choice(rec, ("status",), {s.value: s for s in ShelterStatus})
    if status is not None:
        row["status"] = status.value
    occupancy = rec.number(("occupancy",), low=0.0)
    if occupancy is not None:
        row["occupancy"] = int(occupancy)
    note = rec.text(("note",), 10_000)
    if note is not None:
        row["note"] = note
    return row


def _import_shelters(
    session,
    source: Source,
    code_field: str | None,
    report: ImportReport,
    area_per_person: float | None,
    force: bool,
) -> None:
    target = city_crs(session)
    report.crs_to = target
    problems: list[Problem] = []
    footprints: dict[int, Any] = {}
    points: dict[int, tuple[float, float]] = {}
    entrances: dict[int, np.ndarray] = {}
    for rec in source.records:
        try:
            footprint, point = _shelter_geometry(rec)
            doors = _entrance_points(rec)
        except FeatureRejected as exc:
            problems.append(rec.problem(rec.id_or_none(code_field), exc.reason))
            continue
        if footprint is not None:
            footprints[rec.index] = footprint
        else:
            points[rec.index] = point
        if doors is not None:
            entrances[rec.index] = doors
    tr = transformer(source.crs_text, target)
    city_geom: dict[int, tuple[Any, tuple[float, float]]] = {}
    if footprints:
        keys = sorted(footprints)
        projected = reproject(
            np.asarray([footprints[k] for k in keys], dtype=object), source.crs_text, target
        )
        for k, geom in zip(keys, projected, strict=True):
            city_geom[k] = (geom, None)
    for k, (x, y) in points.items():
        tx, ty = tr.transform(x, y)
        city_geom[k] = (None, (float(tx), float(ty)))
    placed: dict[int, tuple[float, float]] = {}
    shapes: dict[int, tuple[Any, Any]] = {}
    for k, (footprint, point) in sorted(city_geom.items()):
        rec = source.records[k]
        try:
            raw = footprints.get(k)
            raw_xy = shapely.get_coordinates(raw) if raw is not None else np.array([points[k]])
            if not source.lonlat_ok(raw_xy[:, 0], raw_xy[:, 1]).all():
                raise FeatureRejected(OUT_OF_LONLAT)
            if footprint is not None:
                if not all_finite(footprint):
                    raise FeatureRejected(source.untransformable(target))
                if not footprint.is_valid:
                    footprint, _ = repair_polygonal(footprint)
                    if footprint is None:
                        raise FeatureRejected("footprint invalid after reprojection")
                p = footprint.representative_point()
                point = (p.x, p.y)
            if not (np.isfinite(point[0]) and np.isfinite(point[1])):
                raise FeatureRejected(source.untransformable(target))
            doors = None
            if k in entrances:
                ex, ey = tr.transform(entrances[k][:, 0], entrances[k][:, 1])
                doors = MultiPoint(np.column_stack([np.atleast_1d(ex), np.atleast_1d(ey)]))
                anchor = footprint if footprint is not None else Point(point)
                far = [
                    i
                    for i, d in enumerate(shapely.distance(np.asarray(doors.geoms), anchor))
                    if d > MAX_ENTRANCE_M
                ]
                if far:
                    raise FeatureRejected(
                        f"entrance {far[0]} is more than {MAX_ENTRANCE_M:.0f} m from the shelter"
                    )
            placed[k] = point
            shapes[k] = (footprint, doors)
        except FeatureRejected as exc:
            problems.append(rec.problem(rec.id_or_none(code_field), exc.reason))

    def shelter_row(
        rec: Record, ident: str, xy: tuple[float, float], cell: str | None, old: dict | None
    ) -> dict:
        row = _shelter_fields(rec, old, area_per_person)
        row.update(id=ident, x=xy[0], y=xy[1], cell_code=cell, district_code=cell[:6] if cell else None)
        footprint, doors = shapes[rec.index]
        if footprint is not None:
            row["footprint"] = footprint
        if doors is not None:
            row["entrances"] = doors
        return row

    ids = identify(source, code_field, placed, problems)
    write_points(
        session, source, placed, ids, problems, report,
        model=Shelter, columns=_SHELTER_COLUMNS, defaults=_SHELTER_DEFAULTS, make_row=shelter_row,
        force=force,
    )  # fmt: skip


def _csv_has_wkt(path: str | Path) -> bool:
    try:
        file = open_source(path)
        if file.suffix not in (".csv", ".txt"):
            return False
        with file.open_text() as fh:
            for row in csv.reader(fh):
                if row:
                    return any(c.strip().lower() in WKT_COLUMNS for c in row)
    except (InputError, OSError, UnicodeDecodeError, csv.Error):
        return False  # the shared reader reports the problem with the file
    return False


# --- the public entry point ------------------------------------------------------------------------


def import_civil_defence(
    session,
    kind: str,
    path: str | Path,
    *,
    crs: str | None = None,
    code_field: str | None = None,
    area_per_person_m2: float | None = None,
    actor: str = "import",
    at: dt.datetime | None = None,
    layer: str | None = None,
    force: bool = False,
    encoding: str | None = None,
) -> ImportReport:
    """Import a GeoJSON, CSV, GeoPackage or Shapefile layer of sirens or shelters into the city (see the
    module doc); ``layer`` names the layer of a GeoPackage that holds several.

    Raises ``ImportRejected`` naming each bad feature, and writes nothing then; ``NoCity`` without a city;
    ``FarLayer`` for a layer more than 50 km from the city, unless ``force``.
    """
    if kind not in KINDS:
        raise InputError(f"unknown civil-defence layer {kind!r}: expected one of {', '.join(KINDS)}")
    if area_per_person_m2 is not None and area_per_person_m2 <= 0:
        raise InputError("area per person must be above 0 m2")
    if not has_city(session):
        raise NoCity(
            "the database holds no city yet: run `python main.py seed` or `import cells FILE --new-city` first"
        )
    at = at or dt.datetime.now()  # the CLI's edge; services pass their injected clock's time
    # A shelter CSV with a WKT column carries footprints: read it the way cell files are read.
    source = read_features(
        session, path, crs=crs, wkt=kind == "shelters" and _csv_has_wkt(path), layer=layer, encoding=encoding
    )
    report = ImportReport(
        kind=kind, path=source.label, read=len(source.records), crs_from=source.crs_text,
        coordinates=source.coordinates,
    )  # fmt: skip
    if kind == "sirens":
        _import_sirens(session, source, code_field, report, force)
    else:
        _import_shelters(session, source, code_field, report, area_per_person_m2, force)
    report.append_event(session, actor, at)
    return report


__all__ = ["AREA_PER_PERSON_M2", "KINDS", "MAX_ENTRANCE_M", "import_civil_defence"]
