"""Import and export of GIS layers: grid cells, components and cameras, as GeoJSON or CSV (a GeoPackage
or a Shapefile is read by ``data.ogr_io`` into the same records; ``data.layer_export`` writes them).

Imports read the whole file and check every feature before writing anything, so a file is taken whole
or refused whole: one ``ImportRejected`` lists the problems, each with the feature index (0-based, the
position in the FeatureCollection or among the CSV data rows) or the CSV line number (the header is
line 1), and the reason. Nothing is committed here: the caller owns the transaction.

Coordinates are transformed with pyproj into the city's metric CRS. A GeoJSON file's CRS is its
``crs`` member when it has one, else WGS84 (RFC 7946); a CSV file's lon/lat columns are WGS84 and its
x/y columns are in the city CRS (as ``export_layer`` writes them) unless ``crs`` says otherwise.

Cells: invalid polygons are repaired with ``shapely.make_valid`` (only polygonal parts kept) and listed
in the report, not refused. A cell import into a database without a city creates the city, in the
file's CRS when that is metric, else in the UTM zone of the data; ``new_city`` makes that intent
explicit (True: found a city, refused where one exists; False: add to the city, refused where there is
none), as the command line does with and without ``--new-city``. Codes that are not national grid
codes (neighbourhood names, say) get 15-digit codes allocated under the synthetic district ``990001``
and the original codes are kept in ``city_meta["cell_source_codes"]`` (JSON, cell code -> source code).

Re-importing updates the rows a file names (cells by code, components and cameras by id), leaves rows
it does not name alone, and inserts the rest. Each import appends one ``import.<kind>`` journal event.

Forgiving, and saying so: a gzip, bzip2 or one-file zip archive reads as the file it holds
(``data.source_files``). Cells that overlap (among the file's, or with the city's) are kept and listed
with their shared area, or refused with ``overlaps="refuse"``; a layer more than 50 km from the city is
refused unless ``force`` (``data.import_checks``). A city founded here gets the standard code tables
(types, the template departments, routing: ``data.code_tables``), and a district a cell file adds gets
the default routing.

An importer of another layer (``data.civil_defence_io``) builds on the same public pieces:
``read_features`` reads a file into ``Record``s; a record's getters (``prop``, ``number``, ``text``,
``date``, ``identifier``) and the importer's own checks raise ``FeatureRejected``, which the importer
keeps as a ``Problem`` (``Record.problem``); ``points_in_city`` and ``identify`` take point features
into the city and ``write_points`` refuses or writes them (``locate_points``, ``raise_problems``,
``stored_rows`` and ``upsert_rows`` are its steps); ``ImportReport.append_event`` journals the import.
Geometry repair and reprojection are in ``data.geometry``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data import journal
from data.city import city_crs, get_meta, has_city, set_city_crs, set_meta
from data.code_tables import standard_tables
from data.codes import (
    CELL_CODE,
    COMPONENT_ID,
    LEGACY_CELL_CODE,
    LEGACY_COMPONENT_ID,
    component_ids,
    legacy_cell_code,
    resolve_component_type,
)
from data.errors import CityExists, InputError, NoCity, NotFound
from data.geometry import (
    WGS84,
    CrsError,
    all_finite,
    parse_crs,
    polygonal,
    repair_polygonal,
    reproject,
    transformer,
    utm_crs_for,
)
from data.import_checks import LISTED_OVERLAPS, OVERLAP_CHOICES, Overlap, check_near_city, find_overlaps
from data.models import (
    Camera,
    CameraStatus,
    Community,
    Component,
    ComponentState,
    Department,
    District,
    GridCell,
    Street,
)
from data.source_files import SourceFile, open_source
from data.spatial import GridIndex

KINDS = ("cells", "components", "cameras")
FORMATS = ("geojson", "csv")

# GB/T 2260 has no province 99, so codes under it can never clash with a real district.
SYNTHETIC_DISTRICT = "990001"
CELLS_PER_SYNTHETIC_COMMUNITY = 100
SOURCE_CODES_KEY = "cell_source_codes"
CAMERA_PLACES = ("road", "square", "park")

# Properties searched, in order, when the caller names no code field.
CELL_CODE_FIELDS = ("code", "cell_code", "CODE", "id", "ID", "name", "NAME")
ID_FIELDS = ("id", "ID", "_id")
WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom")
LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"))
XY_COLUMNS = (("x", "y"),)

STATE_NAMES = {
    "完好": ComponentState.INTACT,
    "破损": ComponentState.DAMAGED,
    "丢失": ComponentState.LOST,
    "废弃": ComponentState.ABANDONED,
    "移除": ComponentState.REMOVED,
}

LISTED_PROBLEMS = 10
CHUNK = 2000  # rows per IN (...) lookup and per export batch
# A cell's WKT easily passes the csv module's default 128 KiB field limit (San Francisco's Marina does).
CSV_FIELD_LIMIT = 64 * 1024 * 1024
# Differences below these are reprojection noise (e.g. a city -> WGS84 -> city round trip), not edits.
COORD_TOLERANCE_M = 1e-3
FLOAT_REL_TOLERANCE = 1e-9
# Longer ids do not fit the id columns of components, cameras, sirens and shelters.
MAX_ID_LENGTH = 32
OUT_OF_LONLAT = "coordinates out of longitude/latitude range: is the file projected? give its CRS"


# --- errors and the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why one feature (or the whole file, ``index`` -1) cannot be imported."""

    index: int
    line: int | None
    code: str | None
    reason: str
    missing: bool = False  # names a type or department that does not exist

    def where(self) -> str:
        if self.line is not None:
            place = f"line {self.line}"
        elif self.index >= 0:
            place = f"feature {self.index}"
        else:
            place = "file"
        return f"{place} ({self.code})" if self.code else place


class ImportRejected(InputError):
    """A file refused as a whole; ``problems`` lists every feature that failed and why."""

    def __init__(self, path: str, problems: Sequence[Problem]):
        self.path = path
        self.problems = list(problems)
        shown = "; ".join(f"{p.where()}: {p.reason}" for p in self.problems[:LISTED_PROBLEMS])
        more = len(self.problems) - LISTED_PROBLEMS
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        super().__init__(
            f"{path}: nothing imported, {count}: {shown}{f'; and {more} more' if more > 0 else ''}"
        )


class ImportNotFound(ImportRejected, NotFound):
    """Refused only because the file names types or departments the database does not have."""


class ImportCrsError(InputError, CrsError):
    """The CRS given for or found in a file is unknown; both an ``InputError`` and a ``CrsError``."""


@dataclass
class ImportReport:
    kind: str
    path: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: list[tuple[int, str, str]] = field(default_factory=list)  # (feature index, code, reason)
    outside: list[str] = field(default_factory=list)  # ids placed in no cell (cameras only)
    crs_from: str = ""
    crs_to: str = ""
    coordinates: str = ""  # where a CSV's coordinates came from ("lon/lat columns"); "" for geometries
    city_created: bool = False
    journal_seq: int | None = None
    # Cells only: overlapping pairs, largest first (data.import_checks); the code tables a new city got.
    overlaps: list[Overlap] = field(default_factory=list)
    code_tables: dict[str, int] = field(default_factory=dict)
    far_km: float | None = None  # a layer this far from the city, imported with force

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "path": self.path,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repaired": [{"index": i, "code": c, "reason": r} for i, c, r in self.repaired],
            "outside": {"count": len(self.outside), "ids": list(self.outside)},
            "overlaps": {
                "count": len(self.overlaps),
                "area_m2": round(sum(o.area_m2 for o in self.overlaps), 1),
                "pairs": [o.as_dict() for o in self.overlaps[:LISTED_OVERLAPS]],
            },
            "far_km": None if self.far_km is None else round(self.far_km, 1),
            "crs_from": self.crs_from,
            "crs_to": self.crs_to,
            "coordinates": self.coordinates,
            "city_created": self.city_created,
            "code_tables": dict(self.code_tables),
            "journal_seq": self.journal_seq,
        }

    def append_event(self, session: Session, actor: str, at: dt.datetime) -> None:
        """Append the import's ``import.<kind>`` journal event and keep its number in ``journal_seq``.

        The event counts the repaired, outside and overlapping features rather than listing them.
        """
        payload = self.as_dict()
        payload["repaired"] = len(self.repaired)
        payload["outside"] = len(self.outside)
        payload["overlaps"] = len(self.overlaps)
        del payload["journal_seq"]
        self.journal_seq = journal.append(
            session,
            journal.NewEvent(
                f"import.{self.kind}", actor, at, subject=Path(self.path).name[:80], payload=payload
            ),
        )


class FeatureRejected(Exception):
    """One feature's problem, raised inside per-feature checks and collected into a ``Problem``."""

    def __init__(self, reason: str, *, missing: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


# --- reading ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Record:
    """One feature of a file read by ``read_features``: its properties and its geometry as read.

    The getters look a property up under several names, exact spellings first, then in any letter
    case; a blank value counts as absent. An unusable value raises ``FeatureRejected`` naming the first
    of the names.
    """

    index: int  # 0-based, among the GeoJSON features or the CSV data rows
    line: int | None  # the CSV line (the header is line 1); None in GeoJSON
    props: dict[str, Any]
    keys: _Keys  # the property names of the whole file

    # In the source CRS: a shapely geometry, or for CSV points a bare (x, y) (a Point costs 50 us each).
    geometry: Any = None
    fid: Any = None  # the GeoJSON Feature's own "id" member
    error: str | None = None  # why the geometry could not be read

    def prop(self, *names: str) -> Any:
        """The first non-blank property among ``names``, or None."""
        props = self.props
        for key in self.keys.resolve(names):
            value = props.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            return value
        return None

    def identifier(self, code_field: str | None, defaults: Sequence[str] = ID_FIELDS) -> str:
        """The feature's id (or code) as text: the property ``code_field`` when it is named, else the
        first of ``defaults`` that is set, else the GeoJSON Feature's own ``id``."""
        if code_field is not None:
            value = self.prop(code_field)
            if value is None:
                raise FeatureRejected(f"no value in property {code_field!r}")
            return _code_text(value)
        value = self.prop(*defaults)
        if value is None and not _blank(self.fid):
            value = self.fid
        if value is None:
            raise FeatureRejected(
                f"no id: none of the properties {', '.join(defaults)} is set (name one with code_field)"
            )
        return _code_text(value)

    def id_or_none(self, code_field: str | None) -> str | None:
        """The feature's id for an error message, if it has one."""
        try:
            return self.identifier(code_field)
        except FeatureRejected:
            return None

    def number(
        self, names: Sequence[str], *, low: float | None = None, high: float | None = None
    ) -> float | None:
        """A finite number within [``low``, ``high``], or None when the property is absent."""
        value = self.prop(*names)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise FeatureRejected(f"{names[0]} {value!r} is not a number") from None
        if (
            not math.isfinite(number)
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            raise FeatureRejected(f"{names[0]} {value!r} is out of range")
        return number

    def count(self, *names: str) -> int | None:
        """A count (a number of at least 0, rounded to a whole one), or None when absent."""
        number = self.number(names, low=0)
        return None if number is None else int(round(number))

    def text(self, names: Sequence[str], limit: int) -> str | None:
        """Stripped text of at most ``limit`` characters, or None when absent."""
        value = self.prop(*names)
        if value is None:
            return None
        text = str(value).strip()
        if len(text) > limit:
            raise FeatureRejected(f"{names[0]} is {len(text)} characters long, at most {limit} fit")
        return text

    def date(self, *names: str) -> dt.date | None:
        """An ISO 8601 date (a date-time gives its date), or None when absent."""
        value = self.prop(*names)
        if value is None:
            return None
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            raise FeatureRejected(f"{names[0]} {text!r} is not an ISO date (YYYY-MM-DD)") from None

    def problem(self, code: str | None, reason: str, missing: bool = False) -> Problem:
        """A ``Problem`` at this feature."""
        return Problem(self.index, self.line, code, reason, missing)


@dataclass
class Source:
    """A file read by ``read_features``: its label for messages, its CRS and its features in order."""

    label: str
    crs_text: str
    crs: CRS
    records: list[Record]
    coordinates: str = ""  # a CSV's: which columns the coordinates came from ("lon/lat columns")

    def lonlat_ok(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Where coordinates fit the file's CRS: everywhere in a projected CRS, within 180/90 degrees in
        a geographic one (beyond, the file is projected and was read without its CRS: ``OUT_OF_LONLAT``).
        """
        if not self.crs.is_geographic:
            return np.ones(np.shape(x), dtype=bool)
        return (np.abs(x) <= 180) & (np.abs(y) <= 90)

    def untransformable(self, target: str) -> str:
        """The reason given for coordinates that reprojection into ``target`` turned into inf/NaN."""
        return f"coordinates cannot be transformed from {self.crs_text} to {target}"


def _parse_crs(label: str, text: str) -> CRS:
    try:
        return parse_crs(text)
    except CrsError as exc:
        raise ImportCrsError(f"{label}: {exc}") from None


def _file_format(source: SourceFile) -> str:
    suffix = source.suffix
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".txt"):
        return "csv"
    head = source.head().decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return "geojson" if head.startswith("{") else "csv"


def read_features(
    session: Session,
    path: str | Path,
    *,
    crs: str | None = None,
    wkt: bool = False,
    layer: str | None = None,
    encoding: str | None = None,
) -> Source:
    """Every feature of a GeoJSON or CSV file with its properties and its geometry as read, in order.

    A GeoPackage, a Shapefile or a zip of either is read by ``data.ogr_io.read_layer`` (its ``layer``
    when it holds several); ``layer`` is refused for any other file. A gzip, bzip2 or one-file zip archive
    of GeoJSON or CSV reads as the file it holds (``data.source_files``).

    The format follows the (inner) suffix (.geojson or .json, .csv or .txt), else the first bytes. The CRS is
    ``crs`` when given; else a GeoJSON file's ``crs`` member, or WGS84; a CSV's lon/lat columns are
    WGS84 and its x/y columns in the city CRS. A CSV row's geometry is its WKT column (one of
    ``WKT_COLUMNS``) with ``wkt``, else a bare (x, y) from its coordinate columns. A feature whose
    geometry cannot be read keeps the reason in ``Record.error``; a file that cannot be read at all
    raises ``ImportRejected`` (``InputError`` when there is no such file, ``ImportCrsError`` for an
    unknown CRS). Messages name the file as ``str(path)``.
    """
    from data import ogr_io  # it builds on this module; GDAL loads only for its files

    plain = Path(path)
    if plain.is_file() and ogr_io.takes(plain):
        return ogr_io.read_layer(plain, str(path), crs=crs, layer=layer, encoding=encoding)
    if layer is not None:
        raise InputError(f"{path}: a layer name is for a GeoPackage or a zip of Shapefiles, not this file")
    if encoding is not None:
        raise InputError(
            f"{path}: --encoding is for a Shapefile's .dbf; GeoJSON and CSV files are read as UTF-8"
        )
    # Packed files (.gz, .bz2, a .zip of one file) read as what they hold: data.source_files.
    file = open_source(path)
    label = file.label
    try:
        if _file_format(file) == "geojson":
            return _read_geojson(file, label, crs)
        return _read_csv(session, wkt, file, label, crs)
    except UnicodeDecodeError as exc:
        raise ImportRejected(label, [Problem(-1, None, None, f"not UTF-8 text: {exc.reason}")]) from None


def _read_geojson(file: SourceFile, label: str, crs: str | None) -> Source:
    def refuse(reason: str, line: int | None = None) -> ImportRejected:
        return ImportRejected(label, [Problem(-1, line, None, reason)])

    try:
        with file.open_text() as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise refuse(f"not valid JSON: {exc.msg} at column {exc.colno}", exc.lineno) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise refuse("not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list):
        raise refuse("the FeatureCollection has no 'features' list")
    crs_text = crs or _geojson_crs_member(doc, refuse) or WGS84
    records = []
    keys = _Keys(
        {
            k
            for f in features
            if isinstance(f, dict) and isinstance(f.get("properties"), dict)
            for k in f["properties"]
        }
    )
    for i, feature in enumerate(features):
        rec = Record(i, None, {}, keys)
        records.append(rec)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            rec.error = "not a GeoJSON Feature"
            continue
        props = feature.get("properties")
        rec.props = props if isinstance(props, dict) else {}
        rec.fid = feature.get("id")
        geometry = feature.get("geometry")
        if geometry is None:
            rec.error = "the feature has no geometry"
            continue
        try:
            rec.geometry = shape(geometry)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            rec.error = f"malformed geometry: {exc}"
    return Source(label, crs_text, _parse_crs(label, crs_text), records)


def _geojson_crs_member(doc: dict, refuse: Callable[..., ImportRejected]) -> str | None:
    """The name in a 2008-style ``"crs": {"type": "name", ...}`` member (RFC 7946 dropped it)."""
    member = doc.get("crs")
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not (isinstance(member, dict) and member.get("type") == "name" and isinstance(name, str)):
        raise refuse(f"unsupported 'crs' member {json.dumps(member)[:80]}: give the CRS explicitly")
    return name


def _pick_column(header: dict[str, str], names: Iterable[str]) -> str | None:
    return next((header[n] for n in names if n in header), None)


def _pick_pair(header: dict[str, str], pairs: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    return next(((header[a], header[b]) for a, b in pairs if a in header and b in header), None)


def _read_csv(session: Session, wkt: bool, file: SourceFile, label: str, crs: str | None) -> Source:
    # The limit is process-wide; raising it never breaks another reader.
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    with file.open_text() as fh:
        reader = csv.reader(fh)
        records: list[Record] = []
        names: list[str] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # The csv module cannot resynchronise after e.g. an unclosed quote: stop at that line.
                problem = Problem(
                    len(records) if names else -1, reader.line_num, None, f"malformed CSV: {exc}"
                )
                raise ImportRejected(label, [problem]) from None
            if not row:  # blank lines are skipped, as csv.DictReader does
                continue
            if not names:
                names = [n.strip() for n in row]
                keys = _Keys(names)
                header = {n.lower(): n for n in names}
                read_geometry, crs_text, coordinates = _csv_geometry_reader(session, wkt, header, label, crs)
                continue
            rec = Record(
                len(records), reader.line_num, dict(zip(names, row, strict=False)), keys
            )  # short rows keep what they have
            records.append(rec)
            if len(row) != len(names):
                rec.error = f"malformed row: {len(row)} fields where the header has {len(names)}"
                continue
            try:
                rec.geometry = read_geometry(rec.props)
            except FeatureRejected as exc:
                rec.error = exc.reason
    if not names:
        raise ImportRejected(label, [Problem(-1, 1, None, "empty CSV file: no header row")])
    return Source(label, crs_text, _parse_crs(label, crs_text), records, coordinates)


def _csv_geometry_reader(
    session: Session, wkt: bool, header: dict[str, str], label: str, crs: str | None
) -> tuple[Callable[[dict], Any], str, str]:
    """How to get a geometry out of a row, the CRS it is in, and which columns it comes from."""

    def refuse(reason: str) -> ImportRejected:
        return ImportRejected(label, [Problem(-1, 1, None, reason)])

    if wkt:
        column = _pick_column(header, WKT_COLUMNS)
        if column is None:
            raise refuse(f"a cell CSV needs a WKT geometry column (one of {', '.join(WKT_COLUMNS)})")
        if crs is None and not has_city(session):
            raise refuse("the WKT has no CRS and there is no city yet: give the file's CRS")

        def read_wkt(row: dict) -> Any:
            try:
                return shapely.from_wkt(row[column])
            except shapely.errors.GEOSException as exc:
                raise FeatureRejected(f"malformed WKT in column {column!r}: {exc}") from None

        return read_wkt, crs or city_crs(session), f"{column} column"

    lonlat = _pick_pair(header, LONLAT_COLUMNS)
    xy = _pick_pair(header, XY_COLUMNS)
    if crs is not None:
        geographic = _parse_crs(label, crs).is_geographic
        columns = (lonlat or xy) if geographic else (xy or lonlat)
    elif lonlat is not None:
        columns, crs = lonlat, WGS84
    elif xy is not None:
        if not has_city(session):
            raise refuse("columns x/y are projected coordinates and there is no city yet: give their CRS")
        columns, crs = xy, city_crs(session)
    else:
        columns = None
    if columns is None:
        raise refuse("no coordinate columns: expected lon/lat, longitude/latitude or x/y")
    xcol, ycol = columns

    def read_point(row: dict) -> tuple[float, float]:
        try:
            return float(row[xcol]), float(row[ycol])
        except ValueError:
            raise FeatureRejected(f"coordinates {row[xcol]!r}, {row[ycol]!r} are not numbers") from None

    return read_point, crs, f"{xcol}/{ycol} columns"


# --- small value parsers ---------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Keys:
    """The property names used in one file, and which of them answer to a list of wanted names.

    Resolved once per file, not per feature: a 100k-row file asks the same few questions 100k times.
    """

    def __init__(self, names: Iterable[Any]):
        self.names = {n for n in names if isinstance(n, str)}
        self.lowered: dict[str, list[str]] = {}
        for name in sorted(self.names):
            self.lowered.setdefault(name.lower(), []).append(name)
        self.memo: dict[tuple[str, ...], tuple[str, ...]] = {}

    def resolve(self, wanted: tuple[str, ...]) -> tuple[str, ...]:
        found = self.memo.get(wanted)
        if found is None:
            exact = [w for w in wanted if w in self.names]
            loose = [s for w in wanted for s in self.lowered.get(w.lower(), ()) if s not in exact]
            found = self.memo[wanted] = tuple(dict.fromkeys(exact + loose))
        return found


def _code_text(value: Any) -> str:
    # JSON numbers lose nothing for codes (districts never start with 0), but 2.3e14 must not print so.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- geometry helpers ------------------------------------------------------------------------------


def _crs_label(crs: CRS, given: str) -> str:
    authority = crs.to_authority(min_confidence=90)
    return f"{authority[0]}:{authority[1]}" if authority else given


def _is_metric(crs: CRS) -> bool:
    return crs.is_projected and all(a.unit_name in ("metre", "meter") for a in crs.axis_info[:2])


def _choose_city_crs(source: Source, geoms: Sequence) -> str:
    """The metric CRS for a new city: the file's own when it is metric, else the data's UTM zone."""
    if _is_metric(source.crs):
        return _crs_label(source.crs, source.crs_text)
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    lon, lat = transformer(source.crs_text, WGS84).transform((minx + maxx) / 2, (miny + maxy) / 2)
    return utm_crs_for(lon, lat)


def _reading_order(points: Sequence, band: float) -> list[int]:
    """Indices of points west to east within bands of height ``band``, bands north to south."""
    if not points:
        return []
    xs = np.array([p.x for p in points])
    ys = np.array([p.y for p in points])
    rows = np.floor((ys.max() - ys) / max(band, 1e-9))
    return [int(i) for i in np.lexsort((xs, rows))]


# --- writing ---------------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
    """Equal, or apart by less than reprojection noise; rings the same whichever way round (a Shapefile
    writes outer rings clockwise) and from whichever vertex they start."""
    if isinstance(new, float) and isinstance(old, float | int):
        return math.isclose(old, new, rel_tol=FLOAT_REL_TOLERANCE, abs_tol=COORD_TOLERANCE_M)
    if isinstance(new, shapely.Geometry):
        if not isinstance(old, shapely.Geometry):
            return False
        return bool(shapely.equals_exact(shapely.normalize(old), shapely.normalize(new), COORD_TOLERANCE_M))
    return old == new


def stored_rows(session: Session, model, keys: Sequence[str], columns: Sequence[str]) -> dict[str, dict]:
    """The stored rows of ``model`` (one primary key column) whose keys are among ``keys``: key -> a
    dict of ``columns``, which must include the key. What ``upsert_rows`` compares against."""
    key = model.__mapper__.primary_key[0].key
    attrs = [getattr(model, c) for c in columns]
    found: dict[str, dict] = {}
    # Plain Core rows: the ORM's row loading tripled the time of this lookup for 100k components. A
    # Core execute skips autoflush, so flush the caller's pending changes as the ORM would have.
    session.flush()
    connection = session.connection()
    for chunk in _chunks(sorted(set(keys))):
        for row in connection.execute(select(*attrs).where(getattr(model, key).in_(chunk))):
            values = dict(zip(columns, row, strict=True))
            found[values[key]] = values
    return found


def upsert_rows(
    session: Session,
    model,
    rows: list[dict],
    existing: dict[str, dict],
    columns: Sequence[str],
    defaults: dict[str, Any],
    report: ImportReport,
) -> None:
    """Insert new rows, update changed ones; values a row lacks keep their stored (or default) value.

    Every dict sent to one bulk statement carries the same keys, as SQLAlchemy's bulk paths expect.
    """
    key = model.__mapper__.primary_key[0].key
    inserts, updates = [], []
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            inserts.append({c: row.get(c, defaults.get(c)) for c in columns})
            continue
        merged = {c: row[c] if c in row else old[c] for c in columns}
        if all(old[c] == merged[c] or _same(old[c], merged[c]) for c in columns):
            report.unchanged += 1
        else:
            updates.append(merged)
    for chunk in _chunks(inserts):
        session.execute(insert(model), list(chunk))
    for chunk in _chunks(updates):
        session.execute(update(model), list(chunk))
    report.inserted += len(inserts)
    report.updated += len(updates)


def raise_problems(problems: list[Problem], label: str) -> None:
    """Refuse the file ``label`` for ``problems``, if there are any: ``ImportNotFound`` when each names
    something missing from the database, else ``ImportRejected``; the problems sorted by feature."""
    if not problems:
        return
    problems.sort(key=lambda p: p.index)
    if all(p.missing for p in problems):
        raise ImportNotFound(label, problems)
    raise ImportRejected(label, problems)


# --- the public entry points -----------------------------------------------------------------------


def import_layer(
    session: Session,
    kind: str,
    path: str | Path,
    *,
    crs: str | None = None,
    code_field: str | None = None,
    actor: str = "import",
    at: dt.datetime | None = None,
    new_city: bool | None = None,
    layer: str | None = None,
    overlaps: str = "keep",
    force: bool = False,
    encoding: str | None = None,
) -> ImportReport:
    """Import a GeoJSON, CSV, GeoPackage or Shapefile layer of ``kind`` (cells, components or cameras);
    see the module doc. ``layer`` names the layer of a GeoPackage that holds several; ``encoding`` a
    Shapefile's text encoding where its files do not say it.

    Raises ``ImportRejected`` (an ``InputError``) naming the file and each bad feature, and writes
    nothing then; ``ImportCrsError`` for an unknown CRS; ``NoCity`` for points without a city, or
    cells without a city when ``new_city`` is False; ``CityExists`` when ``new_city`` is True and the
    database already holds a city (a new city is never merged into another). Overlapping cells are kept
    and listed in the report, or refused with ``overlaps="refuse"``; a layer more than 50 km from the
    city is refused (``FarLayer``) unless ``force`` (``data.import_checks``).
    """
    if kind not in KINDS:
        raise InputError(f"unknown layer kind {kind!r}: expected one of {', '.join(KINDS)}")
    if overlaps not in OVERLAP_CHOICES:
        raise InputError(f"overlaps must be one of {', '.join(OVERLAP_CHOICES)}, not {overlaps!r}")
    if new_city is not None:
        _check_new_city(session, kind, new_city)
    at = at or dt.datetime.now()  # the CLI's edge; services pass their injected clock's time
    source = read_features(session, path, crs=crs, wkt=kind == "cells", layer=layer, encoding=encoding)
    report = ImportReport(
        kind=kind, path=source.label, read=len(source.records), crs_from=source.crs_text,
        coordinates=source.coordinates,
    )  # fmt: skip
    if kind == "cells":
        _import_cells(session, source, code_field, report, overlaps=overlaps, force=force)
    elif kind == "components":
        _import_components(session, source, code_field, report, at, force=force)
    else:
        _import_cameras(session, source, code_field, report, force=force)
    report.append_event(session, actor, at)
    return report


def _check_new_city(session: Session, kind: str, new_city: bool) -> None:
    if new_city and kind != "cells":
        raise InputError(f"a new city is founded from its grid cells, not from {kind}: import cells first")
    holds = has_city(session)
    if new_city and holds:
        raise CityExists(
            "the database already holds a city: a new city is founded in a new database "
            "(import without --new-city adds to or updates this city's cells)"
        )
    if not new_city and not holds and kind == "cells":
        raise NoCity("the database holds no city: importing cells founds one only with --new-city")


# --- cells -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CellIn:
    rec: Record
    source_code: str
    geometry: Any  # valid, in the city CRS
    code: str = ""  # the 15-digit code
    legacy: str | None = None
    synthetic: bool = False  # code allocated here, the source code kept in city_meta


def _import_cells(
    session: Session,
    source: Source,
    code_field: str | None,
    report: ImportReport,
    *,
    overlaps: str,
    force: bool,
) -> None:
    problems: list[Problem] = []
    accepted: list[tuple[Record, str, Any]] = []  # (record, source code, geometry in the source CRS)
    first_of: dict[str, int] = {}
    for rec in source.records:
        code = None
        try:
            code = rec.identifier(code_field, CELL_CODE_FIELDS)
            if first_of.setdefault(code, rec.index) != rec.index:
                raise FeatureRejected(f"same code as feature {first_of[code]}")
            geom = _check_cell_geometry(rec)
            if not source.lonlat_ok(*shapely.get_coordinates(geom).T).all():
                raise FeatureRejected(OUT_OF_LONLAT)
            fixed, reason = repair_polygonal(geom)
            if fixed is None:
                raise FeatureRejected(f"invalid geometry that cannot be repaired ({reason})")
            if reason is not None:
                report.repaired.append((rec.index, code, reason))
            accepted.append((rec, code, fixed))
        except FeatureRejected as exc:
            problems.append(rec.problem(code, exc.reason))

    creating = not has_city(session)
    if creating and not accepted:
        raise_problems(problems or [Problem(-1, None, None, "no cells in the file")], source.label)
    target = _choose_city_crs(source, [g for _, _, g in accepted]) if creating else city_crs(session)
    report.crs_to, report.city_created = target, creating

    projected = reproject(np.asarray([g for _, _, g in accepted], dtype=object), source.crs_text, target)
    cells: list[_CellIn] = []
    for (rec, code, _), geom in zip(accepted, projected, strict=True):
        try:
            if not all_finite(geom):
                raise FeatureRejected(source.untransformable(target))
            if not geom.is_valid:
                geom, reason = repair_polygonal(geom)
                if geom is None:
                    raise FeatureRejected(f"invalid after reprojection and cannot be repaired ({reason})")
                report.repaired.append((rec.index, code, f"after reprojection: {reason}"))
            cells.append(_CellIn(rec, code, geom))
        except FeatureRejected as exc:
            problems.append(rec.problem(code, exc.reason))
    if not creating and cells:
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray([c.geometry for c in cells], dtype=object))
        report.far_km = check_near_city(session, source.label, [minx, maxx], [miny, maxy], force=force)

    mixed = _assign_cell_codes(session, cells)
    if mixed:  # no codes were assigned: nothing more to check
        raise_problems(problems + mixed, source.label)
    rows = []
    seen: dict[str, _CellIn] = {}
    for cell in cells:
        try:
            if cell.code in seen:
                raise FeatureRejected(f"same cell code as feature {seen[cell.code].rec.index}")
            seen[cell.code] = cell
            rows.append(_cell_row(cell))
        except FeatureRejected as exc:
            problems.append(cell.rec.problem(cell.source_code, exc.reason))
    report.repaired.sort()
    raise_problems(problems, source.label)
    report.overlaps = _overlapping_cells(session, cells, creating)
    if report.overlaps and overlaps == "refuse":
        raise ImportRejected(source.label, _overlap_problems(cells, report.overlaps))

    # Everything is checked: from here on only writes.
    if creating:
        set_city_crs(session, target)
    new_districts = _ensure_organisation(session, sorted({c.code[:12] for c in cells}))
    # A founded city gets the standard code tables; a district added later gets the routing template.
    report.code_tables = standard_tables(session, new_districts, founding=creating)
    existing = stored_rows(session, GridCell, [r["code"] for r in rows], _CELL_COLUMNS)
    upsert_rows(session, GridCell, rows, existing, _CELL_COLUMNS, _CELL_DEFAULTS, report)
    _refresh_unions(session, sorted({c.code[:12] for c in cells}))
    _record_source_codes(session, cells)


def _overlapping_cells(session: Session, cells: list[_CellIn], creating: bool) -> list[Overlap]:
    """The overlaps among the file's cells and with the city's cells the file leaves as they are."""
    mine = {c.code: c.geometry for c in cells}
    others: dict[str, Any] = {}
    if not creating:
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(list(mine.values()), dtype=object))
        for code, geom in session.execute(select(GridCell.code, GridCell.geometry)):
            if code not in mine and geom is not None:
                gx0, gy0, gx1, gy1 = geom.bounds
                if gx0 <= maxx and minx <= gx1 and gy0 <= maxy and miny <= gy1:
                    others[code] = geom
    found = find_overlaps(mine, others)
    if not found:
        return found
    sources = _load_source_codes(session) | {c.code: c.source_code for c in cells if c.synthetic}
    return [Overlap(o.a, o.b, o.area_m2, sources.get(o.a), sources.get(o.b)) for o in found]


def _overlap_problems(cells: list[_CellIn], found: list[Overlap]) -> list[Problem]:
    """One problem per overlapping pair, at the file's feature (the first of the two in the file)."""
    by_code = {c.code: c for c in cells}
    problems = []
    for o in found:
        here = [by_code[code] for code in (o.a, o.b) if code in by_code]
        first = min(here, key=lambda c: c.rec.index)
        other = o.b if first.code == o.a else o.a
        problems.append(
            first.rec.problem(first.source_code, f"overlaps cell {other}: {o.describe()} (--overlaps refuse)")
        )
    return problems


_CELL_COLUMNS = (
    "code",
    "legacy_code",
    "community_code",
    "geometry",
    "area_m2",
    "pop_day",
    "pop_night",
    "land_use",
)
_CELL_DEFAULTS = {"pop_day": 0, "pop_night": 0, "land_use": ""}


def _check_cell_geometry(rec: Record):
    if rec.error:
        raise FeatureRejected(rec.error)
    geom = rec.geometry
    if geom is None:
        raise FeatureRejected("the feature has no geometry")
    if not isinstance(geom, Polygon | MultiPolygon):
        raise FeatureRejected(f"{geom.geom_type} is not a polygon: a cell needs a Polygon or MultiPolygon")
    if geom.is_empty:
        raise FeatureRejected("empty geometry")
    return shapely.force_2d(geom)


def _cell_row(cell: _CellIn) -> dict:
    rec = cell.rec
    row = {
        "code": cell.code,
        "legacy_code": cell.legacy,
        "community_code": cell.code[:12],
        "geometry": cell.geometry,
        "area_m2": float(cell.geometry.area),
    }
    # A single population figure is the resident (night) count; day defaults to it unless given.
    pop = rec.count("pop", "population")
    pop_day, pop_night = rec.count("pop_day"), rec.count("pop_night")
    if pop_day is not None or pop is not None:
        row["pop_day"] = pop_day if pop_day is not None else pop
    if pop_night is not None or pop is not None:
        row["pop_night"] = pop_night if pop_night is not None else pop
    land_use = rec.text(("land_use",), 32)
    if land_use is not None:
        row["land_use"] = land_use
    return row


def _load_source_codes(session: Session) -> dict[str, str]:
    return json.loads(get_meta(session, SOURCE_CODES_KEY) or "{}")


def _assign_cell_codes(session: Session, cells: list[_CellIn]) -> list[Problem]:
    """Give each cell its 15-digit code: its own when standard, else one allocated under 990001."""
    standard = [bool(CELL_CODE.match(c.source_code) or LEGACY_CELL_CODE.match(c.source_code)) for c in cells]
    if all(standard):
        for cell in cells:
            if LEGACY_CELL_CODE.match(cell.source_code):  # CJ/T 213: 2-digit sequence
                cell.code = cell.source_code[:12] + "0" + cell.source_code[12:]
            else:
                cell.code = cell.source_code
            cell.legacy = legacy_cell_code(cell.code)
        return []
    if any(standard):
        n = sum(standard)
        return [
            c.rec.problem(
                c.source_code, f"not a 15-digit grid code, unlike the {n} standard codes in this file"
            )
            for c, ok in zip(cells, standard, strict=True)
            if not ok
        ]
    known = {src: code for code, src in _load_source_codes(session).items()}
    fresh = [c for c in cells if c.source_code not in known]
    for cell in cells:
        cell.code = known.get(cell.source_code, "")
        cell.synthetic = True
    if fresh:
        _allocate_codes(session, fresh, set(known.values()))
    for cell in cells:
        cell.legacy = legacy_cell_code(cell.code)
    return []


def _allocate_codes(session: Session, fresh: list[_CellIn], taken: set[str]) -> None:
    """Number new cells west to east, north to south, into new synthetic communities of at most 100."""
    taken |= set(session.scalars(select(GridCell.code).where(GridCell.code.like(SYNTHETIC_DISTRICT + "%"))))
    ordinals = [(int(c[6:9]) - 1) * 999 + int(c[9:12]) - 1 for c in taken if c.startswith(SYNTHETIC_DISTRICT)]
    next_ordinal = max(ordinals, default=-1) + 1
    areas = np.array([c.geometry.area for c in fresh])
    order = _reading_order([c.geometry.representative_point() for c in fresh], math.sqrt(np.median(areas)))
    groups = math.ceil(len(fresh) / CELLS_PER_SYNTHETIC_COMMUNITY)
    size = math.ceil(len(fresh) / groups)  # balanced: 103 cells make 52 + 51, not 100 + 3
    for g in range(groups):
        ordinal = next_ordinal + g
        street, community = ordinal // 999 + 1, ordinal % 999 + 1
        if street > 999:
            raise InputError(f"no synthetic grid codes left under district {SYNTHETIC_DISTRICT}")
        for seq, i in enumerate(order[g * size : (g + 1) * size], start=1):
            fresh[i].code = f"{SYNTHETIC_DISTRICT}{street:03d}{community:03d}{seq:03d}"


def _record_source_codes(session: Session, cells: list[_CellIn]) -> None:
    """Keep each allocated cell's source code (or an exported ``source_code``) beside its grid code."""
    mapping = _load_source_codes(session)
    before = dict(mapping)
    for cell in cells:
        original = cell.source_code if cell.synthetic else cell.rec.prop("source_code")
        if original is not None:
            mapping[cell.code] = _code_text(original)
    if mapping != before:
        set_meta(session, SOURCE_CODES_KEY, json.dumps(mapping, ensure_ascii=False, sort_keys=True))


def _ensure_organisation(session: Session, communities: Sequence[str]) -> list[str]:
    """Placeholder district, street and community rows, named by their codes, for unknown prefixes.
    Returns the codes of the districts it added."""
    added: list[str] = []
    for model, width, parent in (
        (District, 6, None),
        (Street, 9, "district_code"),
        (Community, 12, "street_code"),
    ):
        wanted = sorted({c[:width] for c in communities})
        have = set(stored_rows(session, model, wanted, ["code"]))
        rows = []
        for code in wanted:
            if code not in have:
                row = {"code": code, "name": code}
                if parent is not None:
                    row[parent] = code[: width - 3]
                rows.append(row)
        if rows:
            session.execute(insert(model), rows)
        if model is District:
            added = [r["code"] for r in rows]
    return added


def _union_into(session: Session, model, parent_attr, child_model, codes: Sequence[str]) -> None:
    """Set each ``model`` row's geometry to the union of its children's geometries."""
    parts: dict[str, list] = {code: [] for code in codes}
    for chunk in _chunks(list(codes)):
        stmt = select(parent_attr, child_model.geometry).where(parent_attr.in_(chunk))
        for parent, geom in session.execute(stmt):
            if geom is not None:
                parts[parent].append(geom)
    rows = [{"code": c, "geometry": polygonal(shapely.union_all(g))} for c, g in parts.items() if g]
    for chunk in _chunks(rows):
        session.execute(update(model), list(chunk))


def _refresh_unions(session: Session, communities: Sequence[str]) -> None:
    _union_into(session, Community, GridCell.community_code, GridCell, communities)
    streets = sorted({c[:9] for c in communities})
    _union_into(session, Street, Community.street_code, Community, streets)
    _union_into(session, District, Street.district_code, Street, sorted({s[:6] for s in streets}))


# --- points: components and cameras ----------------------------------------------------------------


def points_in_city(
    source: Source, target: str, code_field: str | None, problems: list[Problem]
) -> dict[int, tuple[float, float]]:
    """City-CRS (x, y) of each record with a usable point, keyed by record index; others to problems."""

    def refuse(rec: Record, reason: str) -> None:
        problems.append(rec.problem(rec.id_or_none(code_field), reason))

    good: list[Record] = []
    xs, ys = [], []
    for rec in source.records:
        geom = rec.geometry
        if isinstance(geom, tuple):  # a CSV row's bare coordinates
            good.append(rec)
            xs.append(geom[0])
            ys.append(geom[1])
            continue
        if geom is not None and geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if rec.error:
            refuse(rec, rec.error)
        elif geom is None or geom.geom_type != "Point" or geom.is_empty:
            kind = "no geometry" if geom is None else f"{geom.geom_type}{' (empty)' if geom.is_empty else ''}"
            refuse(rec, f"{kind} is not a point")
        else:
            good.append(rec)
            xs.append(geom.x)
            ys.append(geom.y)
    if not good:
        return {}
    sx, sy = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    tx, ty = transformer(source.crs_text, target).transform(sx, sy)
    tx, ty = np.atleast_1d(tx), np.atleast_1d(ty)
    in_range = source.lonlat_ok(sx, sy)
    out: dict[int, tuple[float, float]] = {}
    for rec, x, y, ok in zip(good, tx, ty, in_range, strict=True):
        if not ok:
            refuse(rec, OUT_OF_LONLAT)
        elif not (math.isfinite(x) and math.isfinite(y)):
            refuse(rec, source.untransformable(target))
        else:
            out[rec.index] = (float(x), float(y))
    return out


def points_near_city(
    session: Session, source: Source, points: dict[int, tuple[float, float]], force: bool
) -> float | None:
    """``data.import_checks.check_near_city`` for a layer's points in the city CRS."""
    if not points:
        return None
    xs, ys = np.asarray(list(points.values()), dtype=float).T
    return check_near_city(session, source.label, xs, ys, force=force)


def locate_points(
    index: GridIndex, points: dict[int, tuple[float, float]], ids: dict[int, str], existing: dict[str, dict]
) -> dict[int, str | None]:
    """The cell of each identified point, keyed by record index.

    A point within reprojection noise of its stored position keeps the stored one: otherwise a point on
    a cell edge could hop to the neighbouring cell on a mere export/import round trip.
    """
    for i, ident in ids.items():
        old = existing.get(ident)
        if old is not None and math.dist(points[i], (old["x"], old["y"])) <= COORD_TOLERANCE_M:
            points[i] = (old["x"], old["y"])
    order = sorted(ids)
    cells = index.locate_many([points[i][0] for i in order], [points[i][1] for i in order])
    return dict(zip(order, cells, strict=True))


def write_points(
    session: Session,
    source: Source,
    points: dict[int, tuple[float, float]],
    ids: dict[int, str],
    problems: list[Problem],
    report: ImportReport,
    *,
    model,
    columns: Sequence[str],
    defaults: dict[str, Any],
    make_row: Callable[[Record, str, tuple[float, float], str | None, dict | None], dict],
    force: bool = False,
) -> None:
    """The last steps of importing a layer of points kept by ``id`` (cameras, sirens, shelters).

    A layer far from the city is refused first, unless ``force`` (``points_near_city``). Each
    identified record gets its stored row (``stored_rows``) and its cell (``locate_points``, None
    outside the grid), then its row from ``make_row(record, id, (x, y), cell, stored row or None)``,
    which raises ``FeatureRejected`` for a bad value. Then the file is refused for all ``problems``, or
    written (``upsert_rows``) with the ids placed in no cell listed in ``report.outside``.
    """
    report.far_km = points_near_city(session, source, points, force)
    existing = stored_rows(session, model, list(ids.values()), columns)
    cell_of = locate_points(GridIndex.load(session), points, ids, existing)
    rows = []
    for index, ident in ids.items():
        rec = source.records[index]
        try:
            rows.append(make_row(rec, ident, points[index], cell_of[index], existing.get(ident)))
        except FeatureRejected as exc:
            problems.append(rec.problem(ident, exc.reason))
    raise_problems(problems, source.label)
    report.outside = [r["id"] for r in rows if r["cell_code"] is None]
    upsert_rows(session, model, rows, existing, columns, defaults, report)


def identify(
    source: Source,
    code_field: str | None,
    indices: Container[int],
    problems: list[Problem],
    *,
    noun: str = "id",
    keep_repeats: bool = False,
) -> dict[int, str]:
    """The id of each record whose index is in ``indices``: record index -> id (see
    ``Record.identifier``), at most ``MAX_ID_LENGTH`` characters. A record without a usable id goes to
    ``problems``; so does one that repeats an earlier record's id, and it is left out of the result
    unless ``keep_repeats``. ``noun`` names the id in the message about its length."""
    ids: dict[int, str] = {}
    for rec in source.records:
        if rec.index not in indices:
            continue
        ident = None
        try:
            ident = rec.identifier(code_field)
            if len(ident) > MAX_ID_LENGTH:
                raise FeatureRejected(f"{noun} {ident!r} is longer than {MAX_ID_LENGTH} characters")
            ids[rec.index] = ident
        except FeatureRejected as exc:
            problems.append(rec.problem(ident, exc.reason))
    for index, earlier in repeated_ids(ids).items():
        problems.append(source.records[index].problem(ids[index], f"same id as feature {earlier}"))
        if not keep_repeats:
            del ids[index]
    return ids


def repeated_ids(ids: dict[int, str]) -> dict[int, int]:
    """Record index -> index of the earlier record with the same id."""
    first: dict[str, int] = {}
    dupes: dict[int, int] = {}
    for index, ident in ids.items():
        if ident in first:
            dupes[index] = first[ident]
        else:
            first[ident] = index
    return dupes


_COMPONENT_COLUMNS = (
    "id",
    "legacy_id",
    "type_code",
    "name",
    "owner_code",
    "property_code",
    "maintenance_code",
    "cell_code",
    "state",
    "init_date",
    "change_date",
    "data_source",
    "note",
    "x",
    "y",
)


@dataclass(frozen=True, slots=True)
class _TypeInfo:
    code: str
    gb_code: str | None
    legacy_code: str | None
    name: str
    default_owner: str | None


def _component_id(
    session: Session, raw: str, types: dict[str, _TypeInfo | None]
) -> tuple[str, str | None, _TypeInfo]:
    """(primary id, legacy id, type) of a 17-digit GB or 16-digit CJ/T 214 component id."""
    if COMPONENT_ID.match(raw):
        type_code, seq = raw[6:11], raw[11:]
    elif LEGACY_COMPONENT_ID.match(raw):
        type_code, seq = raw[6:10], raw[10:]
    else:
        raise FeatureRejected(
            f"id {raw!r} is neither a 17-digit GB/T 47678.5 nor a 16-digit CJ/T 214 component id"
        )
    if type_code not in types:
        try:
            found = resolve_component_type(session, type_code)
        except NotFound:
            types[type_code] = None
        else:
            # A plain copy: ORM attribute access was a visible cost at 100k rows.
            types[type_code] = _TypeInfo(
                found.code, found.gb_code, found.legacy_code, found.name, found.default_owner
            )
    ctype = types[type_code]
    if ctype is None:
        raise FeatureRejected(f"unknown component type code {type_code!r} in id {raw}", missing=True)
    primary, legacy = component_ids(raw[:6], ctype, int(seq))
    return primary, legacy, ctype


def _import_components(
    session: Session,
    source: Source,
    code_field: str | None,
    report: ImportReport,
    at: dt.datetime,
    *,
    force: bool = False,
) -> None:
    target = city_crs(session)
    report.crs_to = target
    index = GridIndex.load(session)
    problems: list[Problem] = []
    points = points_in_city(source, target, code_field, problems)
    report.far_km = points_near_city(session, source, points, force)
    departments = set(session.scalars(select(Department.code)))
    types: dict[str, _TypeInfo | None] = {}

    parsed: dict[int, tuple[str, str | None, _TypeInfo]] = {}
    for rec in source.records:
        if rec.index not in points:
            continue
        raw = None
        try:
            raw = rec.identifier(code_field)
            parsed[rec.index] = _component_id(session, raw, types)
        except FeatureRejected as exc:
            problems.append(rec.problem(raw, exc.reason, exc.missing))
    dupes = repeated_ids({i: p[0] for i, p in parsed.items()})
    existing = stored_rows(session, Component, [p[0] for p in parsed.values()], _COMPONENT_COLUMNS)
    cell_of = locate_points(index, points, {i: p[0] for i, p in parsed.items()}, existing)

    rows = []
    for rec in source.records:
        if rec.index not in parsed:
            continue
        ident, legacy, ctype = parsed[rec.index]
        try:
            if rec.index in dupes:
                raise FeatureRejected(f"same id as feature {dupes[rec.index]}")
            x, y = points[rec.index]
            if cell_of[rec.index] is None:
                raise FeatureRejected(f"outside the city at ({x:.1f}, {y:.1f}) in {target}")
            rows.append(
                _component_row(
                    rec, ident, legacy, ctype, (x, y), cell_of[rec.index], existing.get(ident), departments
                )
            )
        except FeatureRejected as exc:
            problems.append(rec.problem(ident, exc.reason, exc.missing))
    raise_problems(problems, source.label)
    defaults = {
        "state": ComponentState.INTACT.value,
        "init_date": at.date(),
        "data_source": "实测",
        "note": "",
    }
    upsert_rows(session, Component, rows, existing, _COMPONENT_COLUMNS, defaults, report)


def _component_row(
    rec: Record,
    ident: str,
    legacy: str | None,
    ctype: _TypeInfo,
    xy: tuple[float, float],
    cell: str,
    old: dict | None,
    departments: set[str],
) -> dict:
    given_type = rec.prop("type_code")
    if given_type is not None and _code_text(given_type) not in (
        ctype.code,
        ctype.gb_code,
        ctype.legacy_code,
    ):
        raise FeatureRejected(
            f"type_code {_code_text(given_type)!r} disagrees with the type {ctype.code} in the id"
        )
    row: dict[str, Any] = {
        "id": ident,
        "legacy_id": legacy,
        "type_code": ctype.code,
        "cell_code": cell,
        "x": xy[0],
        "y": xy[1],
    }
    for column, names in (
        ("owner_code", ("owner_code", "owner")),
        ("property_code", ("property_code", "property")),
        ("maintenance_code", ("maintenance_code", "maintenance")),
    ):
        value = rec.prop(*names)
        if value is None:
            continue
        code = _code_text(value)
        if code not in departments:
            raise FeatureRejected(f"unknown department {code!r} in {names[0]}", missing=True)
        row[column] = code
    if "owner_code" not in row and old is None:
        if ctype.default_owner is None:
            raise FeatureRejected(f"no owner_code, and type {ctype.code} ({ctype.name}) has no default owner")
        row["owner_code"] = ctype.default_owner
    name = rec.text(("name",), 30)
    if name is not None:
        row["name"] = name
    elif old is None:
        row["name"] = ctype.name[:30]
    state = rec.prop("state")
    if state is not None:
        text = str(state).strip()
        chosen = STATE_NAMES.get(text) or next((s for s in ComponentState if s.value == text.lower()), None)
        if chosen is None:
            raise FeatureRejected(
                f"state {text!r} is not one of {', '.join(s.value for s in ComponentState)}"
            )
        row["state"] = chosen.value
    for column in ("init_date", "change_date"):
        value = rec.date(column)
        if value is not None:
            row[column] = value
    for column, limit in (("data_source", 30), ("note", 10_000)):
        value = rec.text((column,), limit)
        if value is not None:
            row[column] = value
    return row


_CAMERA_COLUMNS = (
    "id",
    "name",
    "x",
    "y",
    "heading_deg",
    "fov_deg",
    "range_m",
    "status",
    "stream_url",
    "place",
    "cell_code",
)
_CAMERA_DEFAULTS = {
    "name": "",
    "heading_deg": 0.0,
    "fov_deg": 60.0,
    "range_m": 150.0,
    "status": CameraStatus.ONLINE.value,
    "stream_url": "",
    "place": "road",
}


def _import_cameras(
    session: Session, source: Source, code_field: str | None, report: ImportReport, *, force: bool = False
) -> None:
    target = city_crs(session)
    report.crs_to = target
    problems: list[Problem] = []
    points = points_in_city(source, target, code_field, problems)
    # A camera with a repeated id is checked for its other problems too (the others' ids are not).
    ids = identify(source, code_field, points, problems, noun="camera id", keep_repeats=True)
    # Cameras may stand outside every cell (a city's cameras need not follow its grid): cell NULL then.
    write_points(
        session, source, points, ids, problems, report,
        model=Camera, columns=_CAMERA_COLUMNS, defaults=_CAMERA_DEFAULTS, make_row=_camera_row, force=force,
    )  # fmt: skip


def _camera_row(rec: Record, ident: str, xy: tuple[float, float], cell: str | None, old: dict | None) -> dict:
    row: dict[str, Any] = {"id": ident, "x": xy[0], "y": xy[1], "cell_code": cell}
    name = rec.text(("name", "Name"), 100)
    if name is not None:
        row["name"] = name
    heading = rec.number(("heading_deg", "heading"))
    if heading is not None:
        row["heading_deg"] = heading % 360.0
    fov = rec.number(("fov_deg", "fov"), low=0.0, high=360.0)
    if fov is not None:
        if fov == 0:
            raise FeatureRejected("fov_deg must be above 0")
        row["fov_deg"] = fov
    reach = rec.number(("range_m", "range"), low=0.0)
    if reach is not None:
        row["range_m"] = reach
    status = rec.prop("status")
    if status is not None:
        text = str(status).strip().lower()
        if text not in {s.value for s in CameraStatus}:
            raise FeatureRejected(
                f"status {status!r} is not one of {', '.join(s.value for s in CameraStatus)}"
            )
        row["status"] = text
    url = rec.text(("stream_url", "url"), 255)
    if url is not None:
        row["stream_url"] = url
    place = rec.prop("place")
    if place is not None:
        text = str(place).strip().lower()
        if text not in CAMERA_PLACES:
            raise FeatureRejected(f"place {place!r} is not one of {', '.join(CAMERA_PLACES)}")
        row["place"] = text
    return row


# --- export ----------------------------------------------------------------------------------------


def export_layer(session: Session, kind: str, fmt: str, out: TextIO) -> int:
    """Write a layer to the text stream ``out``; returns the number of features written.

    GeoJSON is RFC 7946: a FeatureCollection in WGS84 lon/lat, no ``crs`` member. CSV carries the
    city-CRS geometry (``wkt`` for cells, ``x``/``y`` for points) beside WGS84 ``lon``/``lat`` (the
    centroid for cells). Rows are streamed in batches, never loaded all at once.
    """
    if kind not in KINDS:
        raise InputError(f"unknown layer kind {kind!r}: expected one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    crs = city_crs(session)
    geojson = fmt == "geojson"
    if kind == "cells":
        columns, extra = _CELL_EXPORT_COLUMNS, ["lon", "lat", "wkt"]
        batches = _cell_batches(session, crs, geojson)
    else:
        model, names = (Component, _COMPONENT_COLUMNS) if kind == "components" else (Camera, _CAMERA_COLUMNS)
        columns, extra = [c for c in names if c not in ("x", "y")], ["x", "y", "lon", "lat"]
        batches = _point_batches(session, crs, model, columns, geojson)
    if geojson:
        return _write_geojson(out, columns, batches)
    return _write_csv(out, [*columns, *extra], batches)


_CELL_EXPORT_COLUMNS = [
    "code",
    "legacy_code",
    "community",
    "street",
    "district",
    "area_m2",
    "pop_day",
    "pop_night",
    "land_use",
    "source_code",
]

# A batch is a list of (property values, what follows them): for GeoJSON the geometry as a GeoJSON
# string, for CSV the geometry columns.
_Batch = list[tuple[tuple, Any]]


def _streamed(session: Session, stmt) -> Iterator[Sequence]:
    # Plain Core rows, CHUNK at a time: no ORM objects, no list of the whole table (PostgreSQL gets a
    # server-side cursor). Core skips autoflush, so flush pending changes as the ORM would have.
    session.flush()
    # The option goes on the statement: Connection.execution_options() would change the shared
    # connection for good (every later statement in the transaction through a server-side cursor).
    result = session.connection().execute(stmt.execution_options(yield_per=CHUNK))
    yield from result.partitions()


def _cell_batches(session: Session, crs: str, geojson: bool) -> Iterator[_Batch]:
    sources = _load_source_codes(session)
    stmt = select(
        GridCell.code,
        GridCell.legacy_code,
        GridCell.area_m2,
        GridCell.pop_day,
        GridCell.pop_night,
        GridCell.land_use,
        GridCell.geometry,
    ).order_by(GridCell.code)
    for part in _streamed(session, stmt):
        values = [
            (r[0], r[1], r[0][:12], r[0][:9], r[0][:6], r[2], r[3], r[4], r[5], sources.get(r[0]))
            for r in part
        ]
        geoms = np.asarray([r[6] for r in part], dtype=object)
        if geojson:
            yield list(zip(values, shapely.to_geojson(reproject(geoms, crs, WGS84)), strict=True))
        else:
            # The centroid is taken in the metric CRS, where it means something, then given in WGS84.
            cx, cy = shapely.get_coordinates(shapely.centroid(geoms)).T
            lons, lats = transformer(crs, WGS84).transform(cx, cy)
            wkts = shapely.to_wkt(geoms, rounding_precision=-1)
            extras = zip(np.atleast_1d(lons).tolist(), np.atleast_1d(lats).tolist(), wkts, strict=True)
            yield list(zip(values, extras, strict=True))


def _point_batches(session: Session, crs: str, model, columns: list[str], geojson: bool) -> Iterator[_Batch]:
    key = model.__mapper__.primary_key[0].key
    stmt = select(*(getattr(model, c) for c in columns), model.x, model.y).order_by(getattr(model, key))
    tr = transformer(crs, WGS84)
    n = len(columns)
    for part in _streamed(session, stmt):
        xs = np.fromiter((r[n] for r in part), dtype=float, count=len(part))
        ys = np.fromiter((r[n + 1] for r in part), dtype=float, count=len(part))
        lons, lats = (np.atleast_1d(v).tolist() for v in tr.transform(xs, ys))
        values = [tuple(r[:n]) for r in part]
        if geojson:
            points = (
                f'{{"type":"Point","coordinates":[{lon!r},{lat!r}]}}'
                for lon, lat in zip(lons, lats, strict=True)
            )
            yield list(zip(values, points, strict=True))
        else:
            yield list(zip(values, zip(xs.tolist(), ys.tolist(), lons, lats, strict=True), strict=True))


def _write_geojson(out: TextIO, columns: list[str], batches: Iterator[_Batch]) -> int:
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for batch in batches:
        features = []
        for values, geometry in batch:
            # default=str writes dates as ISO 8601.
            properties = json.dumps(dict(zip(columns, values, strict=True)), ensure_ascii=False, default=str)
            features.append(f'{{"type": "Feature", "properties": {properties}, "geometry": {geometry}}}')
        out.write((",\n" if count else "") + ",\n".join(features))
        count += len(features)
    out.write("\n]}\n")
    return count


def _write_csv(out: TextIO, header: list[str], batches: Iterator[_Batch]) -> int:
    # "\n" whatever the stream: the csv module's "\r\n" doubles up on streams not opened with newline="".
    # The csv module writes None as "", dates as ISO 8601 and floats with repr (round-trip exact).
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for batch in batches:
        writer.writerows(values + tuple(extra) for values, extra in batch)
        count += len(batch)
    return count


def found_city(make_session: Callable[[], Session], path: str | Path, **kw) -> ImportReport:
    """A new city founded from a file of grid cells, in a transaction of its own (``import_layer`` with
    ``new_city=True``: refused where the database already holds a city). Founding a city is not a
    command on one, so the command line calls this rather than opening a write transaction itself."""
    with make_session() as s, s.begin():
        return import_layer(s, "cells", path, new_city=True, **kw)
