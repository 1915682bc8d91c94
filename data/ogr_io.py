"""GeoPackage and Shapefile layers, read and written through GDAL (pyogrio).

Reading: ``read_layer`` turns one layer of a GeoPackage (``.gpkg``), of a Shapefile (``.shp`` with its
``.shx`` and ``.dbf`` beside it) or of a zip holding Shapefiles or a GeoPackage into the ``Source`` of
``Record``s that ``data.gis_io.read_features`` gives every importer, so each importer takes these files
as they are. ``takes`` says which files these are: a zip is ours when it holds a Shapefile's parts or a
GeoPackage (a zip of a CSV or GeoJSON file is not). The CRS is the layer's own (a GeoPackage's spatial
reference system, a Shapefile's ``.prj``) unless the caller gives one; a layer that has none is refused
without one. Attribute types are kept: numbers stay numbers, dates dates; a null is absent.

A GeoPackage or zip with several layers needs the layer named (``layer``): without it the file is
refused with the list of its layers; a file with one layer needs no name. A malformed file (a truncated
GeoPackage, a Shapefile part cut short, a missing ``.shx`` or ``.dbf``, no ``.prj``) is refused as a
whole with an ``ImportRejected`` naming the problem, before anything is read into the city.

Writing: ``write_layers`` writes ``LayerTable``s (attribute columns and geometries in the city CRS) into
one GeoPackage, every layer with the CRS given, or one table into a Shapefile (``.shp`` and its parts,
or all of them in a ``.zip``). The file is written beside its destination and moved there whole, so a
failed export leaves what was there before. A Shapefile's field names are at most 10 characters:
``SHAPEFILE_FIELDS`` shortens ours, and reading a Shapefile lengthens them back. Its text is UTF-8 with
a ``.cpg`` saying so; a text longer than the 254 bytes a field holds is cut (at a character boundary)
and counted in ``Written.cut``. It holds one geometry type: a layer of polygons and points (shelters with
and without a footprint) is written as its points, the polygons counted in ``Written.as_points``.
"""

from __future__ import annotations

import codecs
import glob
import itertools
import os
import re
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import shapely

from data.errors import InputError
from data.gis_io import ImportRejected, Problem, Record, Source, _Keys, _parse_crs

GPKG, SHAPEFILE = "GeoPackage", "Shapefile"
WRITE_FORMATS = {"gpkg": "GPKG", "shp": "ESRI Shapefile"}

# Our field names longer than a Shapefile's 10 characters -> the names written there. Reading a
# Shapefile gives a short name back its long one (unless the file has a field of the long name too).
SHAPEFILE_FIELDS = {
    "legacy_code": "leg_code",
    "source_code": "src_code",
    "property_code": "prop_code",
    "maintenance_code": "maint_code",
    "change_date": "chg_date",
    "data_source": "data_src",
    "heading_deg": "heading",
    "audible_radius_m": "radius_m",
    "district_code": "dist_code",
    "shelter_class": "class",
    "usable_area_m2": "usable_m2",
}
LONG_FIELDS = {short: long for long, short in SHAPEFILE_FIELDS.items()}
SHAPEFILE_TEXT_BYTES = 254
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")
_OURS_IN_ZIP = (*_SHAPEFILE_PARTS, ".gpkg")


def _refuse(label: str, reason: str) -> ImportRejected:
    return ImportRejected(label, [Problem(-1, None, None, reason)])


# --- which files, which layers ---------------------------------------------------------------------


def _zip_members(path: Path) -> list[str] | None:
    """The files in a zip archive (no folders, no macOS resource forks), or None when it is none."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return None
    return [n for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")]


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def takes(path: Path) -> bool:
    """Whether ``read_layer`` is the reader of this file: a .gpkg, a .shp, or a .zip that holds a
    Shapefile's parts or a GeoPackage."""
    suffix = path.suffix.lower()
    if suffix in (".gpkg", ".shp"):
        return True
    if suffix != ".zip":
        return False
    members = _zip_members(path)
    return members is not None and any(_suffix(m) in _OURS_IN_ZIP for m in members)


@dataclass(frozen=True)
class _Part:
    """One file of a Shapefile: its name (for messages), size and first bytes."""

    name: str
    size: int
    head: bytes


@dataclass
class _Layers:
    """What a file holds: its kind (GeoPackage or Shapefile) and its layers, name -> how GDAL opens it
    (path, layer name in the dataset or None), with a Shapefile's parts for the checks."""

    kind: str
    layers: dict[str, tuple[str, str | None]]
    parts: dict[str, dict[str, _Part]] = field(default_factory=dict)  # layer -> suffix -> part
    several_allowed: bool = True  # may the caller pick among layers (not for a single .shp)


def _disk_parts(shp: Path) -> dict[str, _Part]:
    """The parts beside a .shp on disk, found whatever the case of their suffixes."""
    parts: dict[str, _Part] = {}
    stem = shp.stem.lower()
    for sibling in shp.parent.iterdir():
        if sibling.stem.lower() == stem and sibling.is_file():
            with open(sibling, "rb") as fh:
                parts[sibling.suffix.lower()] = _Part(sibling.name, sibling.stat().st_size, fh.read(100))
    return parts


def _zip_parts(zf: zipfile.ZipFile, shp: str, members: Sequence[str]) -> dict[str, _Part]:
    base = shp[: -len(".shp")].lower()
    parts: dict[str, _Part] = {}
    for member in members:
        suffix = _suffix(member)
        if suffix and member[: -len(suffix)].lower() == base:
            info = zf.getinfo(member)
            with zf.open(info) as fh:
                parts[suffix] = _Part(PurePosixPath(member).name, info.file_size, fh.read(100))
    return parts


def _gpkg_layers(label: str, gdal_path: str) -> dict[str, tuple[str, str | None]]:
    import pyogrio  # GDAL is loaded only for the files that need it

    try:
        listed = pyogrio.list_layers(gdal_path)
    except Exception as exc:  # pyogrio's errors and GDAL's: the file is not a readable GeoPackage
        raise _refuse(label, f"not a readable GeoPackage: {_gdal_message(exc)}") from None
    return {str(name): (gdal_path, str(name)) for name, _ in listed}


def _open(path: Path, label: str) -> _Layers:
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return _Layers(GPKG, _gpkg_layers(label, str(path)))
    if suffix == ".shp":
        layers = _Layers(SHAPEFILE, {path.stem: (str(path), None)}, several_allowed=False)
        layers.parts[path.stem] = _disk_parts(path)
        return layers
    members = _zip_members(path) or []
    archive = f"/vsizip/{path.resolve().as_posix()}"
    shps = [m for m in members if _suffix(m) == ".shp"]
    gpkgs = [m for m in members if _suffix(m) == ".gpkg"]
    if gpkgs and shps:
        raise _refuse(label, "the zip holds both Shapefiles and a GeoPackage: unzip it and import one")
    if len(gpkgs) > 1:
        raise _refuse(label, f"the zip holds {len(gpkgs)} GeoPackages ({', '.join(gpkgs)}): unzip it")
    if gpkgs:
        return _Layers(GPKG, _gpkg_layers(label, f"{archive}/{gpkgs[0]}"))
    if not shps:
        orphans = ", ".join(m for m in members if _suffix(m) in _SHAPEFILE_PARTS)
        raise _refuse(label, f"the zip holds parts of a Shapefile ({orphans}) but no .shp")
    layers = _Layers(SHAPEFILE, {})
    with zipfile.ZipFile(path) as zf:
        for shp in shps:
            name = PurePosixPath(shp).stem
            if name in layers.layers:
                raise _refuse(label, f"the zip holds two Shapefiles named {name}: unzip it")
            layers.layers[name] = (f"{archive}/{shp}", None)
            layers.parts[name] = _zip_parts(zf, shp, members)
    return layers


def _choose(label: str, found: _Layers, layer: str | None) -> str:
    names = list(found.layers)
    if layer is not None:
        if not found.several_allowed:
            raise InputError(
                f"{label}: a Shapefile holds one layer: a layer name is for a GeoPackage or a zip of "
                "several Shapefiles"
            )
        if layer not in found.layers:
            raise InputError(
                f"{label}: no layer {layer!r} in the {found.kind}: its layers are {', '.join(names)}"
            )
        return layer
    if not names:
        raise _refuse(label, f"the {found.kind} holds no layer")
    if len(names) > 1:
        raise InputError(
            f"{label}: the {found.kind} holds {len(names)} layers ({', '.join(names)}): name the one to "
            "import (--layer NAME)"
        )
    return names[0]


# --- a Shapefile's parts, checked before GDAL reads them (it reads a truncated .shp without a word) ----


def _check_shapefile(label: str, name: str, parts: dict[str, _Part], crs_given: bool) -> None:
    for suffix in _SHAPEFILE_PARTS[1:]:
        if suffix not in parts:
            raise _refuse(
                label, f"no {name}{suffix} beside {name}.shp: a Shapefile needs its .shp, .shx and .dbf"
            )
    if ".prj" not in parts and not crs_given:
        raise _refuse(
            label, f"no {name}.prj beside {name}.shp: the Shapefile's CRS is unknown; give it (--crs)"
        )
    for suffix in (".shp", ".shx"):
        part = parts[suffix]
        if len(part.head) < 100 or struct.unpack(">i", part.head[:4])[0] != 9994:
            raise _refuse(label, f"{part.name} is not a Shapefile {suffix} (its header is not one)")
        declared = struct.unpack(">i", part.head[24:28])[0] * 2
        if part.size < declared:
            raise _refuse(
                label, f"{part.name} is truncated: its header says {declared} bytes, it has {part.size}"
            )
    dbf = parts[".dbf"]
    if len(dbf.head) < 32:
        raise _refuse(label, f"{dbf.name} is truncated: {dbf.size} bytes, not even a dBASE header")
    count, header, record = struct.unpack("<IHH", dbf.head[4:12])
    if dbf.size < header + count * record:
        raise _refuse(
            label,
            f"{dbf.name} is truncated: {count} records need {header + count * record} bytes, it has {dbf.size}",
        )
    shapes = (parts[".shx"].size - 100) // 8
    if shapes != count:
        raise _refuse(label, f"{name}.shx indexes {shapes} shapes but {dbf.name} holds {count} records")


def _unsaid(parts: dict[str, _Part]) -> bool:
    """Neither a ``.cpg`` nor the ``.dbf``'s language driver byte says the text's encoding: GDAL then
    reads it as ISO-8859-1, which turns GBK or UTF-8 names into other characters without a word."""
    return ".cpg" not in parts and parts[".dbf"].head[29] == 0


def _non_ascii(columns: Sequence[np.ndarray] | None) -> bool:
    return any(
        isinstance(v, str) and not v.isascii()
        for column in columns or ()
        if column.dtype == object
        for v in column
    )


# --- reading ---------------------------------------------------------------------------------------


def _gdal_message(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _python_values(values: np.ndarray) -> list:
    """A column as Python values: NaN (a null number) and NaT (a null date) become None."""
    items = values.tolist()
    if values.dtype.kind == "f":
        return [None if v != v else v for v in items]
    return items


def _single_parts(geoms: np.ndarray) -> np.ndarray:
    """A multi-geometry of one part as that part: writers make every polygon of a layer a MultiPolygon
    (a GeoPackage column and a Shapefile hold one type), which says nothing about the polygon."""
    multi = np.isin(shapely.get_type_id(geoms), (4, 5, 6)) & (shapely.get_num_geometries(geoms) == 1)
    if multi.any():
        geoms = geoms.copy()
        geoms[multi] = shapely.get_geometry(geoms[multi], 0)
    return geoms


def read_layer(
    path: Path, label: str, *, crs: str | None = None, layer: str | None = None, encoding: str | None = None
) -> Source:
    """One layer of a GeoPackage, a Shapefile or a zip of either, as ``data.gis_io.read_features``
    reads a GeoJSON or CSV file (see the module doc). ``crs`` overrides the layer's own; ``encoding``
    is a Shapefile's text encoding where neither a ``.cpg`` nor its ``.dbf`` says (see ``_unsaid``)."""
    import pyogrio  # GDAL is loaded only for the files that need it

    found = _open(path, label)
    name = _choose(label, found, layer)
    if encoding is not None:
        if found.kind != SHAPEFILE:
            raise _refuse(label, "--encoding is for a Shapefile's .dbf; a GeoPackage's text is UTF-8")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _refuse(
                label, f"unknown text encoding {encoding!r} (GBK, GB18030, UTF-8, CP1252...)"
            ) from None
    if found.kind == SHAPEFILE:
        _check_shapefile(label, name, found.parts[name], crs is not None)
    gdal_path, gdal_layer = found.layers[name]
    where = f"layer {name!r} of the {found.kind}" if found.kind == GPKG else f"the Shapefile {name}"
    try:
        meta, _, wkb, columns = pyogrio.raw.read(gdal_path, layer=gdal_layer, encoding=encoding)
    except Exception as exc:  # pyogrio's errors and GDAL's
        raise _refuse(label, f"cannot read {where}: {_gdal_message(exc)}") from None
    if found.kind == SHAPEFILE and encoding is None and _unsaid(found.parts[name]) and _non_ascii(columns):
        raise _refuse(
            label,
            f"the Shapefile {name} holds text that is not plain ASCII, and neither a {name}.cpg nor its "
            ".dbf says how it is encoded: give it (--encoding GBK for most files of Chinese GIS offices, "
            "or UTF-8, CP1252...), or the names would be stored garbled",
        )
    if wkb is None:
        raise _refuse(label, f"{where} has no geometry: it is a table, not a map layer")
    crs_text = crs or meta.get("crs")
    if not crs_text:
        raise _refuse(label, f"{where} has no CRS: give it (--crs)")
    fields = [str(f) for f in meta["fields"]]
    if found.kind == SHAPEFILE:
        fields = [LONG_FIELDS[f] if f in LONG_FIELDS and LONG_FIELDS[f] not in fields else f for f in fields]
    keys = _Keys(fields)
    geoms = _single_parts(shapely.from_wkb(wkb, on_invalid="ignore"))
    records = []
    rows = zip(*(_python_values(c) for c in columns), strict=True) if columns else itertools.repeat(())
    for index, (values, raw, geom) in enumerate(zip(rows, wkb, geoms, strict=False)):
        rec = Record(index, None, dict(zip(fields, values, strict=True)), keys)
        if raw is None:
            rec.error = "the feature has no geometry"
        elif geom is None:
            rec.error = "a geometry that cannot be read (a curve or a malformed shape?)"
        else:
            rec.geometry = geom
        records.append(rec)
    return Source(label, crs_text, _parse_crs(label, crs_text), records)


# --- writing ---------------------------------------------------------------------------------------

# Field types of a LayerTable column: how its Python values become the array GDAL writes.
TEXT, INTEGER, REAL, DATE, DATETIME = "text", "integer", "real", "date", "datetime"


@dataclass
class LayerTable:
    """One layer to write: its name, its attribute columns (name -> (field type, Python values), in
    order; None is a null) and its geometries (shapely, in the CRS the file is written in; None for
    none). ``geometry_type`` is the GDAL type: Point, MultiPolygon, MultiLineString or Unknown."""

    name: str
    columns: dict[str, tuple[str, list]]
    geometry: np.ndarray
    geometry_type: str
    points: np.ndarray | None = None  # a point for each row, for a Shapefile of a mixed layer

    def __len__(self) -> int:
        return len(self.geometry)


@dataclass
class Written:
    """What a file got: features per layer, and what a Shapefile could not hold."""

    path: str
    format: str
    layers: dict[str, int] = field(default_factory=dict)
    crs: str = ""
    cut: dict[str, int] = field(default_factory=dict)  # field -> texts cut to SHAPEFILE_TEXT_BYTES
    as_points: int = 0  # polygons written as their points (a Shapefile of a mixed layer)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "layers": dict(self.layers),
            "crs": self.crs,
            "cut": dict(self.cut),
            "as_points": self.as_points,
        }


def _array(kind: str, values: list) -> tuple[np.ndarray, np.ndarray | None]:
    """(the values as GDAL takes them, the null mask where one is needed)."""
    if kind == TEXT:
        return np.array(values, dtype=object), None
    if kind == REAL:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64), None
    if kind == INTEGER:
        mask = np.array([v is None for v in values], dtype=bool)
        ints = np.array([0 if v is None else v for v in values], dtype=np.int64)
        return ints, mask if mask.any() else None
    unit = "D" if kind == DATE else "ms"
    return np.array(["NaT" if v is None else v for v in values], dtype=f"datetime64[{unit}]"), None


def _cut_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")  # drops a character cut in two


def _shapefile_text(values: list, written: Written, name: str) -> list:
    cut = [v if v is None else _cut_utf8(str(v), SHAPEFILE_TEXT_BYTES) for v in values]
    changed = sum(1 for old, new in zip(values, cut, strict=True) if old is not None and old != new)
    if changed:
        written.cut[name] = written.cut.get(name, 0) + changed
    return cut


def _write_one(target: str, table: LayerTable, driver: str, crs: str, written: Written) -> None:
    from pyogrio import raw  # GDAL is loaded only for the files that need it

    shapefile = driver == WRITE_FORMATS["shp"]
    geometry, geometry_type = table.geometry, table.geometry_type
    if shapefile and geometry_type == "Unknown":
        if table.points is None:
            raise InputError(
                f"layer {table.name} mixes geometry types: a Shapefile holds one, use a GeoPackage"
            )
        written.as_points += sum(1 for g in geometry if g is not None and g.geom_type != "Point")
        geometry, geometry_type = table.points, "Point"
    names, arrays, masks = [], [], []
    for name, (kind, values) in table.columns.items():
        if shapefile:
            name = SHAPEFILE_FIELDS.get(name, name)
            if kind == TEXT:
                values = _shapefile_text(values, written, name)
        array, mask = _array(kind, values)
        names.append(name)
        arrays.append(array)
        masks.append(mask)
    field_mask = None
    if any(m is not None for m in masks):
        field_mask = [np.zeros(len(table), dtype=bool) if m is None else m for m in masks]
    raw.write(
        target,
        shapely.to_wkb(geometry),
        arrays,
        names,
        field_mask=field_mask,
        layer=table.name,
        driver=driver,
        geometry_type=geometry_type,
        promote_to_multi=geometry_type.startswith("Multi"),
        crs=crs,
        encoding="UTF-8" if shapefile else None,
    )
    written.layers[table.name] = len(table)


def write_layers(tables: Iterable[LayerTable], fmt: str, out: str | Path, crs: str) -> Written:
    """Write ``tables`` (geometries in ``crs``) to ``out`` as ``fmt``: every table into one GeoPackage
    (gpkg), or one table into a Shapefile (shp; ``out`` a .shp, or a .zip to get its parts zipped).
    Replaces ``out`` whole once everything is written (see the module doc)."""
    if fmt not in WRITE_FORMATS:
        raise InputError(f"unknown file format {fmt!r}: expected one of {', '.join(WRITE_FORMATS)}")
    out = Path(out)
    suffix = out.suffix.lower()
    if fmt == "gpkg" and suffix != ".gpkg":
        raise InputError(f"{out}: a GeoPackage is written to a file named .gpkg")
    if fmt == "shp":
        if suffix not in (".shp", ".zip"):
            raise InputError(f"{out}: a Shapefile is written to a .shp (with its parts beside it) or a .zip")
        tables = list(tables)
        if len(tables) != 1:
            raise InputError("a Shapefile holds one layer: export the layers one by one, or as a GeoPackage")
    if not out.parent.is_dir():
        raise InputError(f"{out}: no folder {out.parent} to write into")
    written = Written(str(out), fmt, crs=crs)
    driver = WRITE_FORMATS[fmt]
    # Written in a folder beside the destination (same file system), then moved there whole.
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out.parent) as scratch:
        stem = out.stem if fmt == "gpkg" or suffix == ".shp" else _layer_stem(out)
        target = Path(scratch) / f"{stem}{'.gpkg' if fmt == 'gpkg' else '.shp'}"
        for table in tables:
            _write_one(str(target), table, driver, crs, written)
        if fmt == "gpkg":
            os.replace(target, out)
        elif suffix == ".zip":
            parts = sorted(Path(scratch).glob(f"{glob.escape(stem)}.*"))
            packed = Path(scratch) / f"{stem}.packed"
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
                for part in parts:
                    zf.write(part, part.name)
            os.replace(packed, out)
        else:
            # A spatial index left from an earlier file would point into the new one at random.
            for index in (".qix", ".sbn", ".sbx"):
                out.with_suffix(index).unlink(missing_ok=True)
            for part in sorted(Path(scratch).glob(f"{glob.escape(stem)}.*")):
                shutil.move(part, out.with_suffix(part.suffix))
    return written


def _layer_stem(out: Path) -> str:
    # "cells.shp.zip" (GDAL's own naming) and "cells.zip" both hold cells.shp.
    name = out.name[: -len(out.suffix)]
    return re.sub(r"\.shp$", "", name, flags=re.IGNORECASE) or "layer"
