"""Replaying another system's cases (a 311-style CSV) through the closed loop.

``python main.py import cases FILE --map MAPPING.json`` reads a CSV of cases with their open, close and
(optionally) target times, type, department, status, channel and lon/lat, and takes each row round the
loop at the row's own times: report (located and routed like any report), intake, filing, dispatch to the
mapped department and start at the open time; feedback, check and close at the close time. Our deadlines
come from the city's configuration; the mapping may carry a configuration that mirrors the source's
rules (its calendar and per-type limits), which is stored in the city first.

Two ways, one result: by default the rows are written in bulk through ``history.SimulatedCase`` (the
transition table and the case desk's own effects, on the working clock; one ``case.history`` journal
event per case); ``through_desk=True`` calls ``CaseDesk`` for every step with a ``FixedClock`` set to the row's
times, all rows' steps merged into one timeline in time order (so duplicates are looked for among the
cases open at that moment, and linked ones are unlinked again: the source kept each row as a case).
A test replays the same 300 Boston rows both ways and finds the same cases and histories; the bulk way
is about a hundred times faster.

The mapping (JSON; ``docs/examples/boston311_mapping.json`` is a complete one)::

    {"columns": {"id": ..., "opened": ..., "closed": ..., "deadline": ..., "status": ..., "type": ...,
                 "department": ..., "channel": ..., "lon": ..., "lat": ..., "text": ...},
     "time_format": "%m/%d/%Y %I:%M:%S %p",      # strptime, or "iso"
     "crs": "EPSG:4326",                          # of lon/lat (x, y order)
     "types": {source type: our event type code}, "departments": {source: our department code},
     "statuses": {source status: "open" | "closed"}, "channels": {source: our channel},
     "default_channel": "hotline",
     "placeholder_points": [{"lon": ..., "lat": ..., "radius_m": 20, "what": "..."}],
     "keep_source_cases": true,                   # undo our duplicate link: the source kept each row
     "config": {everyday configuration override}}

Rows are checked before anything is written: a malformed row (an unreadable time or number, a
closed row without a close time) raises ``InputError`` naming its line, and nothing is written. Values
the mapping does not know (a type, department, status or channel) are collected over the whole file:
the file is refused listing every one with its row count, or with ``skip_unmapped`` (``import cases
--skip-unmapped``) their rows are left out and the values listed in the report (``unmapped``). Rows
that cannot be replayed are counted and listed by line, not refused: no location, a placeholder
location (a source's default point, such as Boston's City Hall), outside the city, closed before
opened. A file of cases more than 50 km from the city is refused unless forced (``data.import_checks``).
The file may be packed (.gz, .bz2, a one-file .zip: ``data.source_files``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.city import city_crs
from data.codes import resolve_event_type
from data.errors import InputError, NotFound
from data.geometry import CrsError, transformer
from data.import_checks import check_near_city
from data.models import Case, Department, EventType, Role, Supervisor
from data.source_files import open_source
from modes.common.clock import FixedClock
from modes.everyday.calendar import WorkingClock
from modes.everyday.cases import Actor, CaseDesk, Channel
from modes.everyday.config import EverydayConfig
from modes.everyday.history import BulkRows, BulkWriter, SimulatedCase, Simulation
from modes.everyday.routing import Router

Progress = Callable[[str, float], None]

COLUMN_KEYS = (
    "id",
    "opened",
    "closed",
    "deadline",
    "status",
    "type",
    "department",
    "channel",
    "lon",
    "lat",
    "text",
)
REQUIRED_COLUMNS = ("id", "opened", "type", "lon", "lat")
LISTED_LINES = 50  # line numbers listed per reason in the report (all are counted)
REPLAY_ACTOR = "replay"
UNLINK_NOTE = "replay: the source system kept this report as a case of its own"


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]
    time_format: str
    crs: str
    types: dict[str, str]
    departments: dict[str, str] | None
    statuses: dict[str, str] | None
    channels: dict[str, str]
    default_channel: str | None
    placeholders: list[dict]
    keep_source_cases: bool
    config: dict | None

    @classmethod
    def load(cls, source: str | Path | dict) -> Mapping:
        if isinstance(source, dict):
            doc, label = source, "mapping"
        else:
            label = str(source)
            try:
                doc = json.loads(Path(source).read_text(encoding="utf-8"))
            except OSError as exc:
                raise InputError(f"cannot read mapping {label}: {exc.strerror}") from None
            except json.JSONDecodeError as exc:
                raise InputError(f"mapping {label} is not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InputError(f"mapping {label} must be a JSON object")
        columns = doc.get("columns")
        if not isinstance(columns, dict):
            raise InputError(f'mapping {label} needs "columns": {{"id": ..., "opened": ..., ...}}')
        unknown = set(columns) - set(COLUMN_KEYS)
        if unknown:
            raise InputError(
                f"mapping {label}: unknown column keys {sorted(unknown)} (known: {', '.join(COLUMN_KEYS)})"
            )
        missing = [k for k in REQUIRED_COLUMNS if not columns.get(k)]
        if missing:
            raise InputError(f"mapping {label} must name the columns {', '.join(missing)}")
        if not isinstance(doc.get("types"), dict) or not doc["types"]:
            raise InputError(f'mapping {label} needs "types": {{source type: event type code}}')
        statuses = doc.get("statuses")
        if statuses is not None:
            bad = {v for v in statuses.values() if v not in ("open", "closed")}
            if bad:
                raise InputError(f'mapping {label}: statuses map to "open" or "closed", not {sorted(bad)}')
        channels = doc.get("channels") or {}
        default_channel = doc.get("default_channel")
        for value in [*channels.values(), *([default_channel] if default_channel else [])]:
            if value not in {c.value for c in Channel}:
                raise InputError(
                    f"mapping {label}: unknown channel {value!r} (one of {', '.join(c.value for c in Channel)})"
                )
        placeholders = list(doc.get("placeholder_points", []))
        for p in placeholders:
            if not (isinstance(p, dict) and _number(p.get("lon")) and _number(p.get("lat"))):
                raise InputError(
                    f'mapping {label}: each placeholder point needs numeric "lon" and "lat", not {p!r}'
                )
        return cls(
            columns={k: v for k, v in columns.items() if v},
            time_format=doc.get("time_format", "iso"),
            crs=doc.get("crs", "EPSG:4326"),
            types={str(k): str(v) for k, v in doc["types"].items()},
            departments=doc.get("departments"),
            statuses=statuses,
            channels=channels,
            default_channel=default_channel,
            placeholders=placeholders,
            keep_source_cases=bool(doc.get("keep_source_cases", True)),
            config=doc.get("config"),
        )


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass
class _Row:
    line: int
    ref: str
    opened: dt.datetime
    closed: dt.datetime | None
    deadline: dt.datetime | None
    type_code: str
    department: str | None
    channel: str
    lon: float | None
    lat: float | None
    text: str
    x: float = math.nan
    y: float = math.nan


@dataclass
class ReplayReport:
    path: str
    read: int = 0
    replayed: int = 0
    closed: int = 0
    open: int = 0
    unlinked_duplicates: int = 0
    merged: int = 0
    skipped: Counter = field(default_factory=Counter)
    skipped_lines: dict[str, list[int]] = field(default_factory=dict)
    closure_kinds: Counter = field(default_factory=Counter)
    source_deadline: Counter = field(default_factory=Counter)
    config_applied: bool = False
    unmapped: list[dict] = field(default_factory=list)  # values left out with --skip-unmapped
    far_km: float | None = None  # cases this far from the city, imported with force

    def skip(self, reason: str, line: int) -> None:
        self.skipped[reason] += 1
        lines = self.skipped_lines.setdefault(reason, [])
        if len(lines) < LISTED_LINES:
            lines.append(line)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "read": self.read,
            "replayed": self.replayed,
            "closed": self.closed,
            "open": self.open,
            "merged": self.merged,
            "unlinked_duplicates": self.unlinked_duplicates,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_lines": self.skipped_lines,
            "closure_kinds": dict(sorted(self.closure_kinds.items())),
            # Closed rows: does our on-time verdict agree with the source's own deadline?
            "source_deadline": dict(sorted(self.source_deadline.items())),
            "config_applied": self.config_applied,
            "unmapped": self.unmapped,
            "far_km": None if self.far_km is None else round(self.far_km, 1),
        }


# --- reading ---------------------------------------------------------------------------------------


def _time(value: str, fmt: str) -> dt.datetime:
    value = value.strip()
    if fmt == "iso":
        t = dt.datetime.fromisoformat(value)
    else:
        t = dt.datetime.strptime(value, fmt)
    return t.replace(tzinfo=None) if t.tzinfo else t


class _Unmapped:
    """Values of the mapped columns (type, department, status, channel) the mapping does not know:
    (key, value) -> [rows, first line], and the lines of the rows that carry one."""

    KEYS = ("type", "department", "status", "channel")

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], list[int]] = {}
        self.lines: list[int] = []

    def add(self, misses: list[tuple[str, str]], line: int) -> None:
        """A row at ``line`` left out for its (key, value) ``misses``."""
        self.lines.append(line)
        for key, value in misses:
            seen = self.values.setdefault((key, value), [0, line])
            seen[0] += 1

    def table(self, m: Mapping) -> list[dict]:
        """Every unmapped value with its row count, by column then most rows first."""
        order = {k: i for i, k in enumerate(self.KEYS)}
        items = sorted(self.values.items(), key=lambda kv: (order[kv[0][0]], -kv[1][0], kv[0][1]))
        return [
            {"key": key, "column": m.columns[key], "value": value, "rows": rows, "first_line": line}
            for (key, value), (rows, line) in items
        ]

    def refusal(self, path: Path, m: Mapping) -> InputError:
        rows = self.table(m)
        listed = "; ".join(
            f"{r['key']} {r['value']!r} (column {r['column']}): {r['rows']} row{'s' if r['rows'] != 1 else ''}, "
            f"first on line {r['first_line']}"
            for r in rows
        )
        n = len(self.lines)
        return InputError(
            f"{path}: nothing imported: {n} row{'s' if n != 1 else ''} carry values the mapping does not "
            f"know: {listed}. Add them to the mapping, or give --skip-unmapped to import the other rows"
        )


def _read_rows(path: Path, m: Mapping, unmapped: _Unmapped) -> list[_Row]:
    """Every row parsed and checked; the first malformed one raises with its line number. A row with a
    value the mapping does not know is left out and its values are counted in ``unmapped``."""
    rows: list[_Row] = []
    with open_source(path).open_text() as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [f"{k} ({v!r})" for k, v in m.columns.items() if v not in header]
        if missing:
            raise InputError(
                f"{path}: the mapping names columns the file does not have: {', '.join(missing)}"
            )
        col = m.columns
        line = 1
        for raw in reader:
            first_line, line = line + 1, reader.line_num

            def bad(reason: str, first_line: int = first_line) -> InputError:
                return InputError(f"{path}, line {first_line}: {reason}")

            def get(key: str, raw: dict = raw) -> str:
                return (raw.get(col[key]) or "").strip() if key in col else ""

            if not any((v or "").strip() for v in raw.values()):
                continue
            ref = get("id")
            if not ref:
                raise bad(f"no case id in column {col['id']!r}")
            times = {}
            for key in ("opened", "closed", "deadline"):
                text = get(key)
                if not text:
                    times[key] = None
                    continue
                try:
                    times[key] = _time(text, m.time_format)
                except ValueError:
                    raise bad(f"{col[key]} {text!r} is not a time in the format {m.time_format!r}") from None
            if times["opened"] is None:
                raise bad(f"no open time in column {col['opened']!r}")
            misses: list[tuple[str, str]] = []  # (mapped column key, value) the mapping does not know
            source_type = get("type")
            if source_type not in m.types:
                misses.append(("type", source_type))
            department = None
            if m.departments is not None and "department" in col:
                source_dept = get("department")
                if source_dept:
                    if source_dept not in m.departments:
                        misses.append(("department", source_dept))
                    department = m.departments.get(source_dept)
            if m.statuses is not None and "status" in col:
                status = get("status")
                if status not in m.statuses:
                    misses.append(("status", status))
                elif m.statuses[status] == "closed" and times["closed"] is None:
                    raise bad(
                        f"status {status!r} means closed but {col.get('closed', 'the close time')!r} is empty"
                    )
                elif m.statuses[status] == "open":
                    times["closed"] = None  # reopened or still open at export: the source says open
            source_channel = get("channel")
            channel = m.channels.get(source_channel) or m.default_channel
            if channel is None:
                misses.append(("channel", source_channel))
            lon_text, lat_text = get("lon"), get("lat")
            lon = lat = None
            if lon_text and lat_text:
                try:
                    lon, lat = float(lon_text), float(lat_text)
                except ValueError:
                    raise bad(f"coordinates {lon_text!r}, {lat_text!r} are not numbers") from None
                if not (math.isfinite(lon) and math.isfinite(lat)):
                    raise bad("coordinates must be finite numbers")
            if misses:
                unmapped.add(misses, first_line)
                continue
            rows.append(
                _Row(
                    first_line,
                    ref,
                    times["opened"],
                    times["closed"],
                    times["deadline"],
                    m.types[source_type],
                    department,
                    channel,
                    lon,
                    lat,
                    get("text"),
                )
            )
    return rows


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


# --- replaying ----------------------------------------------------------------------------------------


def _check_targets(session: Session, m: Mapping) -> dict[str, str]:
    """Our codes named by the mapping must exist: the event types (resolved to their keys), departments."""
    codes = {}
    for source, ours in m.types.items():
        try:
            codes[ours] = resolve_event_type(session, ours).code
        except NotFound as exc:
            raise InputError(f"mapping type {source!r}: {exc}") from None
    if m.departments:
        known = set(session.scalars(select(Department.code)))
        unknown = sorted({v for v in m.departments.values() if v not in known})
        if unknown:
            raise InputError(
                f"mapping departments name departments the city does not have: {', '.join(unknown)}"
            )
    return codes


def _to_city(session: Session, m: Mapping):
    try:
        return transformer(m.crs, city_crs(session))
    except CrsError as exc:
        raise InputError(f"mapping crs: {exc}") from None


def _near_city(session: Session, rows: list[_Row], m: Mapping, report: ReplayReport, force: bool) -> None:
    """Refuse cases more than 50 km from the city unless ``force`` (``data.import_checks``): checked
    before the mapping's codes, as cases of another city are the bigger mistake."""
    located = [r for r in rows if r.lon is not None]
    if located:
        xs, ys = _to_city(session, m).transform([r.lon for r in located], [r.lat for r in located])
        report.far_km = check_near_city(
            session, report.path, np.atleast_1d(xs), np.atleast_1d(ys), force=force, what="the cases lie",
            crs_hint='the mapping\'s "crs"',
        )  # fmt: skip


def _place(
    session: Session, rows: list[_Row], m: Mapping, router: Router, report: ReplayReport
) -> list[_Row]:
    """Transform to the city CRS, then drop rows without a usable place (counted, listed by line)."""
    to_city = _to_city(session, m)
    located = [r for r in rows if r.lon is not None]
    for r in rows:
        if r.lon is None:
            report.skip("no_location", r.line)
    if not located:
        return []
    xs, ys = to_city.transform([r.lon for r in located], [r.lat for r in located])
    xs, ys = np.atleast_1d(xs), np.atleast_1d(ys)
    holders = []
    for p in m.placeholders:
        px, py = to_city.transform(p["lon"], p["lat"])
        holders.append((px, py, float(p.get("radius_m", 10.0))))
    cells = router.grid.locate_indices(xs, ys)
    kept = []
    for r, x, y, cell in zip(located, xs.tolist(), ys.tolist(), cells.tolist(), strict=True):
        r.x, r.y = x, y
        if any(math.hypot(x - px, y - py) <= radius for px, py, radius in holders):
            report.skip("placeholder_location", r.line)
        elif cell < 0:
            report.skip("outside_city", r.line)
        elif r.closed is not None and r.closed < r.opened:
            report.skip("closed_before_opened", r.line)
        else:
            kept.append(r)
    return kept


def replay_file(
    session: Session,
    path: str | Path,
    mapping: str | Path | dict,
    *,
    through_desk: bool = False,
    progress: Progress | None = None,
    skip_unmapped: bool = False,
    force: bool = False,
) -> ReplayReport:
    """Replay a CSV of cases into the loop in the caller's transaction; returns what was done.

    By default the cases are written in bulk, equivalently to the case desk: each row's steps go through
    ``history.SimulatedCase`` (the transition table and the desk's own effects, on the working clock) and
    land as rows and one ``case.history`` journal event per case. ``through_desk=True`` drives every
    step through ``CaseDesk`` itself (one journal event per step; about a hundred times slower), which is
    also what a mapping with ``"keep_source_cases": false`` needs: linking duplicates is the desk's job.
    A test replays the same rows both ways and compares them.

    A row with a type, department, status or channel the mapping does not know refuses the file, all
    such values listed with their row counts, unless ``skip_unmapped``: then those rows are left out,
    counted under ``unmapped_value`` and their values listed in ``unmapped``. Cases more than 50 km
    from the city refuse the file unless ``force``.
    """
    path = Path(path)
    m = Mapping.load(mapping)
    unmapped = _Unmapped()
    try:
        rows = _read_rows(path, m, unmapped)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: nothing imported: not UTF-8 text ({exc.reason})") from None
    if unmapped.lines and not skip_unmapped:
        raise unmapped.refusal(path, m)
    report = ReplayReport(str(path), read=len(rows) + len(unmapped.lines))
    report.unmapped = unmapped.table(m)
    for line in unmapped.lines:
        report.skip("unmapped_value", line)
    _near_city(session, rows, m, report, force)
    codes = _check_targets(session, m)
    for r in rows:
        r.type_code = codes[r.type_code]
    router = Router.load(session)
    rows = _place(session, rows, m, router, report)
    if m.config is not None:
        current = EverydayConfig.load(session)
        EverydayConfig.from_dict(_deep_merge(current.raw, m.config)).save(session)
        report.config_applied = True
    config = EverydayConfig.load(session)
    rows.sort(key=lambda r: r.opened)  # stable: rows opened together keep their file order
    with session.begin_nested():
        if through_desk or not m.keep_source_cases:
            _through_desk(session, rows, m, router, config, report, progress)
        else:
            _in_bulk(session, rows, router, config, report, progress)
        session.flush()
    return report


def _through_desk(session, rows, m, router, config, report, progress) -> None:
    # One timeline of every row's steps, in time order (ties: open order, then step order), so the desk
    # looks for duplicates among the cases open at that moment, as it would have live.
    timeline = []
    for order, r in enumerate(rows):
        timeline.append((r.opened, order, 0))
        if r.closed is not None:
            timeline.append((r.closed, order, 1))
    timeline.sort()
    clock = FixedClock(rows[0].opened if rows else dt.datetime(2000, 1, 1))
    ids: dict[int, int | None] = {}
    desk = CaseDesk(session, clock, router, config)
    for done, (when, order, phase) in enumerate(timeline):
        clock.set(when)
        r = rows[order]
        if phase == 0:
            ids[order] = _open(desk, r, m, report)
        elif ids.get(order) is not None:
            _close(desk, ids[order], r)
        if progress and done % 500 == 0:
            progress("replaying cases", done / len(timeline))
    session.flush()
    _tally(session, rows, ids, report)


def _in_bulk(session, rows, router, config, report, progress) -> None:
    if not rows:
        return
    first = min(r.opened for r in rows)
    last = max(r.closed or r.opened for r in rows)
    base = dt.datetime.combine(first.date(), dt.time())
    # The working-time table reaches past the last event by the longest plausible working-day limit.
    clock = WorkingClock(config.calendar, base, (last.date() - first.date()).days + 400)
    writer = BulkWriter(session, clock)
    timeline = Simulation(config, clock, writer.iso_time)
    urgent_types = dict(session.execute(select(EventType.code, EventType.urgent)).all())
    supervisor_ids = dict(session.execute(select(Supervisor.code, Supervisor.id)).all())
    cells = router.grid.locate_indices([r.x for r in rows], [r.y for r in rows])
    out = BulkRows(actor=REPLAY_ACTOR)
    next_id = writer.first_free_id()
    for k, (r, cell) in enumerate(zip(rows, cells.tolist(), strict=True)):
        code = router.grid.codes[cell]
        supervisor = router.grid.supervisors[cell]
        routed = router.department_for_event(code[:6], r.type_code)
        urgent = bool(urgent_types.get(r.type_code))
        sim = SimulatedCase(timeline, next_id, "event", r.type_code, urgent, r.channel, routed)
        on_site = r.channel == "supervisor"
        opened = clock.to_s(r.opened)
        sim.report(REPLAY_ACTOR, "supervisor" if on_site else "operator", opened, None)
        if on_site:
            sim.do("accept", "operator", REPLAY_ACTOR, opened)
        else:
            sim.do("send_verify", "operator", REPLAY_ACTOR, opened)
            sim.do("verify", "supervisor", REPLAY_ACTOR, opened)
        sim.do("file", "shift_leader", REPLAY_ACTOR, opened)
        sim.do("dispatch", "dispatcher", REPLAY_ACTOR, opened, department=r.department)
        unit = sim.department_code or REPLAY_ACTOR
        sim.do("start", "department", unit, opened)
        if r.closed is not None:
            closed = clock.to_s(r.closed)
            sim.do("feedback", "department", unit, closed)
            sim.do("send_check", "operator", REPLAY_ACTOR, closed)
            sim.do("check_pass", "supervisor", REPLAY_ACTOR, closed)
            sim.do("close", "shift_leader", REPLAY_ACTOR, closed)
        facts = {
            "kind": "event",
            "type": r.type_code,
            "channel": r.channel,
            "urgent": sim.urgent,
            "x": r.x,
            "y": r.y,
            "cell": cell,
            "component": None,
            "duplicate_of": None,
            "reporter": REPLAY_ACTOR,
            "text": r.text,
            "external_ref": r.ref,
        }
        out.add(writer, sim, facts, next_id, code, supervisor_ids.get(supervisor))
        next_id += 1
        _count(report, sim.closure_kind, r)
        if len(out.cases) >= 20_000:
            writer.flush(out)
            out = BulkRows(actor=REPLAY_ACTOR)
        if progress and k % 5000 == 0:
            progress("replaying cases", k / len(rows))
    writer.flush(out)
    writer.finish()
    report.replayed = len(rows)


def _count(report: ReplayReport, kind: str | None, r: _Row) -> None:
    if kind is None:
        report.open += 1
        return
    report.closed += 1
    report.closure_kinds[kind] += 1
    if r.deadline is not None and kind in ("normal", "overdue"):
        source_on_time = r.closed <= r.deadline
        report.source_deadline["agree" if source_on_time == (kind == "normal") else "disagree"] += 1


_SEATS = {role: Actor(REPLAY_ACTOR, role) for role in Role}


def _unit(department: str | None) -> Actor:
    """The department acts under its own code (the replay has no logins of the source's staff)."""
    return Actor(department or REPLAY_ACTOR, Role.DEPARTMENT)


def _open(desk: CaseDesk, r: _Row, m: Mapping, report: ReplayReport) -> int | None:
    """Report, then intake, filing, dispatch and start at the open time (the source records no more)."""
    reporter = Actor.of("supervisor" if r.channel == "supervisor" else "operator", REPLAY_ACTOR)
    doc, _ = desk.report(
        reporter, x=r.x, y=r.y, channel=r.channel, type_code=r.type_code, text=r.text, external_ref=r.ref
    )
    case_id = doc["id"]
    if doc["state"] == "merged":
        if not m.keep_source_cases:
            report.merged += 1
            return None
        desk.act(case_id, "unlink", _SEATS[Role.OPERATOR], UNLINK_NOTE)
        report.unlinked_duplicates += 1
    if r.channel == "supervisor":
        desk.act(case_id, "accept", _SEATS[Role.OPERATOR])
    else:
        desk.act(case_id, "send_verify", _SEATS[Role.OPERATOR])
        desk.act(case_id, "verify", _SEATS[Role.SUPERVISOR])
    desk.act(case_id, "file", _SEATS[Role.SHIFT_LEADER])
    desk.act(case_id, "dispatch", _SEATS[Role.DISPATCHER], department=r.department)
    desk.act(case_id, "start", _unit(r.department or doc["department"]))
    return case_id


def _close(desk: CaseDesk, case_id: int, r: _Row) -> None:
    unit = _unit(desk.get(case_id).department_code)
    desk.act(case_id, "feedback", unit)
    desk.act(case_id, "send_check", _SEATS[Role.OPERATOR])
    desk.act(case_id, "check_pass", _SEATS[Role.SUPERVISOR])
    desk.act(case_id, "close", _SEATS[Role.SHIFT_LEADER])


def _tally(session: Session, rows: list[_Row], ids: dict[int, int | None], report: ReplayReport) -> None:
    replayed = {ids[k]: rows[k] for k in ids if ids[k] is not None}
    report.replayed = len(replayed)
    kinds: dict[int, str | None] = {}
    id_list = list(replayed)
    for k in range(0, len(id_list), 5000):
        chunk = id_list[k : k + 5000]
        kinds.update(session.execute(select(Case.id, Case.closure_kind).where(Case.id.in_(chunk))).all())
    for case_id, r in replayed.items():
        _count(report, kinds.get(case_id), r)
