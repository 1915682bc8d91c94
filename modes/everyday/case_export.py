"""Export of cases: one row per case, as CSV or as GeoJSON points in WGS84, streamed.

``python main.py export cases --format csv|geojson > cases.csv`` writes every case (oldest first) with
its place in the grid, its type, channel, department and the times of its stages. Rows are read from the
database a batch at a time and written as they come, so a million cases never sit in memory.

CSV carries ``x``/``y`` in the city's CRS beside WGS84 ``lon``/``lat``; GeoJSON is RFC 7946 (a
FeatureCollection in WGS84 lon/lat, no ``crs`` member) with the same properties minus ``x``/``y``.
Times are local ISO 8601 (``YYYY-MM-DDTHH:MM:SS``), empty when a stage has not happened.

Exercise cases are left out unless asked (``exercises``: leave, include or only); an exported exercise
case says so in its ``exercise`` column (the exercise's id; empty for a real case), and a GeoJSON export
names its choice in the collection's ``exercises`` member.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import TextIO

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from data.city import city_crs
from data.errors import InputError
from data.geometry import WGS84, transformer
from data.models import Case, ComponentType, EventType, Supervisor
from modes.common.exercise_filter import exercise_choice, exercise_condition

FORMATS = ("csv", "geojson")
BATCH = 5000

# (output name, column); the order of the CSV header and of the GeoJSON properties.
_COLUMNS = (
    ("id", Case.id),
    ("state", Case.state),
    ("kind", Case.kind),
    ("type", Case.type_code),
    ("type_name", None),  # from the type tables, below
    ("channel", Case.channel),
    ("urgent", Case.urgent),
    ("district", Case.district_code),
    ("street", Case.street_code),
    ("community", Case.community_code),
    ("cell", Case.cell_code),
    ("department", Case.department_code),
    ("supervisor", Supervisor.code),
    ("component", Case.component_id),
    ("reported_at", Case.reported_at),
    ("accepted_at", Case.accepted_at),
    ("verified_at", Case.verified_at),
    ("filed_at", Case.filed_at),
    ("dispatched_at", Case.dispatched_at),
    ("deadline", Case.deadline),
    ("feedback_at", Case.feedback_at),
    ("checked_at", Case.checked_at),
    ("closed_at", Case.closed_at),
    ("closure_kind", Case.closure_kind),
    ("voided_at", Case.voided_at),
    ("evaluated_at", Case.evaluated_at),
    ("satisfaction", Case.satisfaction),
    ("rework_count", Case.rework_count),
    ("return_count", Case.return_count),
    ("extension_count", Case.extension_count),
    ("suspension_count", Case.suspension_count),
    ("duplicate_of", Case.duplicate_of),
    ("external_ref", Case.external_ref),
    ("exercise", Case.exercise_id),  # the exercise whose inject reported it: never mistaken for a real case
)
NAMES = tuple(name for name, _ in _COLUMNS)


def _statement(exercises: str):
    type_name = func.coalesce(EventType.name, ComponentType.name)
    columns = [type_name if col is None else col for _, col in _COLUMNS]
    stmt = (
        select(*columns, Case.x, Case.y)
        .outerjoin(EventType, and_(Case.kind == "event", EventType.code == Case.type_code))
        .outerjoin(ComponentType, and_(Case.kind == "component", ComponentType.code == Case.type_code))
        .outerjoin(Supervisor, Supervisor.id == Case.supervisor_id)
        .order_by(Case.id)
    )
    cond = exercise_condition(exercises, Case.exercise_id)
    return stmt if cond is None else stmt.where(cond)


def _value(v):
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="seconds")
    return v


def _batches(
    session: Session, exercises: str
) -> Iterator[tuple[list[list], np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """(property rows, x, y, lon, lat) a batch at a time: plain rows, never the whole table."""
    to_wgs84 = transformer(city_crs(session), WGS84)
    result = session.execute(_statement(exercises).execution_options(yield_per=BATCH))
    for part in result.partitions():
        xs = np.array([r[-2] for r in part], dtype=float)
        ys = np.array([r[-1] for r in part], dtype=float)
        lons, lats = to_wgs84.transform(xs, ys)
        yield [[_value(v) for v in r[:-2]] for r in part], xs, ys, np.atleast_1d(lons), np.atleast_1d(lats)


def export_cases(session: Session, fmt: str, out: TextIO, exercises: str = "leave") -> int:
    """Write every case to ``out`` as CSV or GeoJSON; returns the number written. ``exercises``: leave
    (real cases only, the default), include or only."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    exercises = exercise_choice(exercises)
    if fmt == "csv":
        return _write_csv(session, out, exercises)
    return _write_geojson(session, out, exercises)


def _write_csv(session: Session, out: TextIO, exercises: str) -> int:
    # "\n" whatever the stream: the csv module's "\r\n" doubles up on streams not opened with newline="".
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*NAMES, "x", "y", "lon", "lat"])
    count = 0
    for rows, xs, ys, lons, lats in _batches(session, exercises):
        for row, x, y, lon, lat in zip(
            rows, xs.tolist(), ys.tolist(), lons.tolist(), lats.tolist(), strict=True
        ):
            writer.writerow(["" if v is None else v for v in row] + [repr(x), repr(y), repr(lon), repr(lat)])
        count += len(rows)
    return count


def _write_geojson(session: Session, out: TextIO, exercises: str) -> int:
    out.write(f'{{"type": "FeatureCollection", "exercises": "{exercises}", "features": [\n')
    count = 0
    for rows, _xs, _ys, lons, lats in _batches(session, exercises):
        for row, lon, lat in zip(rows, lons.tolist(), lats.tolist(), strict=True):
            properties = json.dumps(dict(zip(NAMES, row, strict=True)), ensure_ascii=False)
            geometry = json.dumps({"type": "Point", "coordinates": [lon, lat]})
            separator = ",\n" if count else ""
            out.write(f'{separator}{{"type": "Feature", "properties": {properties}, "geometry": {geometry}}}')
            count += 1
    out.write("\n]}\n")
    return count
