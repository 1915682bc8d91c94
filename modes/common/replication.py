"""The city as replicated state: domain rows <-> CHP keys and msgpack bodies (docs/protocol.md section 7).

The centre builds its key-value map from its database (``build_state``) and keeps it current by
following its journal (``JournalFollower``): each committed event names what it touched, and the
follower re-reads exactly those rows and publishes the keys whose bodies changed. A district applies
what it receives to a normal Sanwei database (``DomainReplica``, the ``comms.clone.Replica`` a
``CloneClient`` writes into), so ``stats``, ``locate``, ``case`` and ``kpi`` work on it unchanged.

Bodies are msgpack maps of column name -> value with portable values: datetimes as
``YYYY-MM-DD HH:MM:SS[.ffffff]`` strings (city local time), dates as ``YYYY-MM-DD``, geometry as WKB
bytes, booleans as booleans. Maps rather than arrays so a third-party CHP client can read them and a
district on an older schema ignores a column it does not know.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import msgpack
import sqlalchemy as sa
from sqlalchemy import LargeBinary, select, type_coerce
from sqlalchemy.orm import Session

from comms.clone import Position
from comms.wire import Entry, decode_properties
from data.city import FINISHED_CASE_STATES
from data.geometry import Geometry
from data.models import (
    Camera,
    Case,
    CaseHistory,
    CityMeta,
    Community,
    Component,
    ComponentType,
    Department,
    District,
    EventAssignment,
    EventType,
    GridCell,
    JournalEvent,
    Road,
    Staff,
    Street,
    Supervisor,
)
from modes.common.clock import Clock
from modes.common.mode_switch import EVENT_KIND as MODE_EVENT
from modes.common.mode_switch import current_mode

log = logging.getLogger("sanwei.replication")

# A supervisor's handheld reports its position about every 30 s; a position not refreshed for this
# long is no longer "live" and leaves the shared picture (the database keeps it as the last known).
POSITION_TTL = 300.0
# Finished cases stay in the shared picture this long after their last change; open ones always.
CASE_WINDOW_DAYS = 30
MODE_KEY = "/mode"

_pack = msgpack.Packer(use_bin_type=True, datetime=False).pack


def pack(doc: Mapping[str, Any]) -> bytes:
    return msgpack.packb(doc, use_bin_type=True)


def unpack(body: bytes) -> Any:
    return msgpack.unpackb(body, raw=False, strict_map_key=False)


# ==================================================================================================
# Tables and keys
# ==================================================================================================


@dataclass(frozen=True)
class TableSpec:
    """One replicated table: its key prefix, the columns that make the key, the columns sent."""

    name: str
    table: sa.Table
    prefix: str
    key_columns: tuple[str, ...]

    @property
    def columns(self) -> list[sa.Column]:
        return list(self.table.columns)

    def key(self, values: Mapping[str, Any]) -> str:
        return self.prefix + "/".join(str(values[c]) for c in self.key_columns)

    def key_values(self, key: str) -> tuple[str, ...]:
        return tuple(key[len(self.prefix) :].split("/"))


def _spec(name: str, model, key_columns: tuple[str, ...], prefix: str | None = None) -> TableSpec:
    return TableSpec(name, model.__table__, prefix or f"/{name}/", key_columns)


# In the order a district applies a bulk load (parents before children; the replica connection runs
# without foreign-key enforcement, but a reader of a half-applied table still sees sense this way).
SPECS: tuple[TableSpec, ...] = (
    _spec("city", CityMeta, ("key",)),
    _spec("department", Department, ("code",)),
    _spec("type.component", ComponentType, ("code",), "/type/component/"),
    _spec("type.event", EventType, ("code",), "/type/event/"),
    _spec("district", District, ("code",)),
    _spec("street", Street, ("code",)),
    _spec("community", Community, ("code",)),
    _spec("assignment", EventAssignment, ("district_code", "event_type_code")),
    _spec("supervisor", Supervisor, ("code",)),
    _spec("staff", Staff, ("login",)),
    _spec("road", Road, ("id",)),
    _spec("cell", GridCell, ("code",)),
    _spec("camera", Camera, ("id",)),
    _spec("component", Component, ("id",)),
    _spec("case", Case, ("id",)),
)
SPEC_BY_NAME = {s.name: s for s in SPECS}
_BY_FIRST_SEGMENT = {s.prefix.split("/")[1]: s for s in SPECS if not s.name.startswith("type.")}
_TYPE_SPECS = {s.prefix.split("/")[2]: s for s in SPECS if s.name.startswith("type.")}
# Tables a mode adds to the shared picture (``register_table``), applied after the city model's: their
# rows refer to cells, districts and departments. Kept apart from SPECS, which every node has.
MODE_SPECS: list[TableSpec] = []
# First key segments that are not rows of a table: a mode table must not take one of them.
_RESERVED_SEGMENTS = {"type", "mode"}


def all_specs() -> tuple[TableSpec, ...]:
    """The city model's tables and the modes' registered ones, in the order a bulk load applies them."""
    return SPECS + tuple(MODE_SPECS)


def register_table(spec: TableSpec) -> None:
    """Put a mode's table on the shared picture: the centre publishes its rows as ``spec.prefix`` + key
    (in snapshots, and on change through the mode's event rules) and every replica (district node,
    console) writes them into the same table. Each process that builds or applies the picture must
    register the same tables before it starts; registering the same spec again changes nothing."""
    existing = SPEC_BY_NAME.get(spec.name)
    if existing is not None:
        if existing.table is spec.table and existing.prefix == spec.prefix:
            return
        raise ValueError(f"replicated table {spec.name!r} is already registered with another table or prefix")
    parts = spec.prefix.split("/")
    if len(parts) != 3 or parts[0] or parts[2] or not parts[1]:
        raise ValueError(f"prefix of replicated table {spec.name!r} must be /<segment>/, not {spec.prefix!r}")
    first = parts[1]
    taken = first in _BY_FIRST_SEGMENT or first in _RESERVED_SEGMENTS
    if taken or any(src.prefix.split("/")[1] == first for src in KEY_SOURCES.values()):
        raise ValueError(f"key prefix {spec.prefix!r} of replicated table {spec.name!r} is already in use")
    missing = [c for c in spec.key_columns if c not in spec.table.c]
    if missing:
        raise ValueError(f"replicated table {spec.name!r} has no key column {', '.join(missing)}")
    MODE_SPECS.append(spec)
    SPEC_BY_NAME[spec.name] = spec
    _BY_FIRST_SEGMENT[first] = spec


class KeyKind(NamedTuple):
    """What a key stands for: a row of a table, a supervisor's live position, the mode, or nothing
    the database holds (a district's own status under ``/district/<code>/``)."""

    kind: str  # "row" | "position" | "mode" | "other"
    spec: TableSpec | None = None
    values: tuple[str, ...] = ()


_OTHER = KeyKind("other")
_MODE = KeyKind("mode")


def classify(key: str) -> KeyKind:
    # On the hot path of a bulk load (110,000 keys): string slicing rather than a general split.
    cut = key.find("/", 1)
    if cut < 0:
        return _MODE if key == MODE_KEY else _OTHER
    first, rest = key[1:cut], key[cut + 1 :]
    spec = _BY_FIRST_SEGMENT.get(first)
    if spec is not None:
        if "/" not in rest:
            return KeyKind("row", spec, (rest,)) if len(spec.key_columns) == 1 and rest else _OTHER
        values = tuple(rest.split("/"))
        if len(values) == len(spec.key_columns):
            return KeyKind("row", spec, values)
        if first == "supervisor" and len(values) == 2 and values[1] == "position":
            return KeyKind("position", spec, values[:1])
        return _OTHER  # /district/<code>/link and friends: not a row
    if first == "type":
        kind, _, code = rest.partition("/")
        spec = _TYPE_SPECS.get(kind)
        if spec is not None and code and "/" not in code:
            return KeyKind("row", spec, (code,))
    return _OTHER


def position_key(supervisor_code: str) -> str:
    return f"/supervisor/{supervisor_code}/position"


def district_status_key(district_code: str) -> str:
    return f"/district/{district_code}/link"


# ==================================================================================================
# Centre side: rows -> bodies
# ==================================================================================================


def _wire_datetime(v: dt.datetime | None) -> str | None:
    return None if v is None else v.isoformat(sep=" ")


def _wire_date(v: dt.date | None) -> str | None:
    return None if v is None else v.isoformat()


def _wire_value(col: sa.Column) -> Callable[[Any], Any] | None:
    t = col.type
    if isinstance(t, sa.DateTime):
        return _wire_datetime
    if isinstance(t, sa.Date):
        return _wire_date
    if isinstance(t, Geometry | LargeBinary):
        return lambda v: None if v is None else bytes(v)
    return None


def _select_columns(spec: TableSpec) -> list:
    # Geometry is read as the stored WKB: no shapely object is built only to be serialised again.
    return [
        type_coerce(c, LargeBinary).label(c.name) if isinstance(c.type, Geometry) else c for c in spec.columns
    ]


def _encoder(spec: TableSpec) -> Callable[[tuple], dict]:
    names = [c.name for c in spec.columns]
    convert = [(i, f) for i, f in enumerate(_wire_value(c) for c in spec.columns) if f is not None]

    def encode(row: tuple) -> dict:
        values = list(row)
        for i, f in convert:
            values[i] = f(values[i])
        return dict(zip(names, values, strict=True))

    return encode


_SELECTS: dict[str, sa.Select] = {}
_BY_KEYS: dict[str, sa.Select] = {}
_ENCODERS: dict[str, Callable[[tuple], dict]] = {}


def _base_select(spec: TableSpec) -> sa.Select:
    # Built once per table: at a command a second, building the statement cost more than running it.
    stmt = _SELECTS.get(spec.name)
    if stmt is None:
        stmt = _SELECTS[spec.name] = select(*_select_columns(spec))
        _ENCODERS[spec.name] = _encoder(spec)
    return stmt


def _rows(
    session: Session, spec: TableSpec, where=None, params: dict | None = None, stmt=None
) -> Iterator[dict]:
    if stmt is None:
        stmt = _base_select(spec)
        if where is not None:
            stmt = stmt.where(where)
    encode = _ENCODERS[spec.name]
    # Through the connection: a Core statement needs none of the ORM's per-execution bookkeeping.
    for row in session.connection().execute(stmt.execution_options(yield_per=20_000), params or {}):
        yield encode(tuple(row))


def _by_keys(spec: TableSpec) -> sa.Select:
    stmt = _BY_KEYS.get(spec.name)
    if stmt is None:
        col = spec.table.c[spec.key_columns[0]]
        stmt = _BY_KEYS[spec.name] = _base_select(spec).where(col.in_(sa.bindparam("keys", expanding=True)))
    return stmt


def _case_filter(now: dt.datetime, window_days: float):
    since = now - dt.timedelta(days=window_days)
    return sa.or_(
        Case.state.not_in(FINISHED_CASE_STATES), sa.func.coalesce(Case.updated_at, Case.reported_at) >= since
    )


def _history(session: Session, case_ids: Iterable[int] | None, where=None) -> dict[int, list]:
    h = CaseHistory
    stmt = select(h.case_id, h.at, h.actor, h.role, h.action, h.from_state, h.to_state, h.note).order_by(
        h.case_id, h.id
    )
    if case_ids is not None:
        ids = list(case_ids)
        out: dict[int, list] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            for r in session.execute(stmt.where(h.case_id.in_(chunk))):
                out.setdefault(r[0], []).append([_wire_datetime(r[1]), *r[2:]])
        return out
    out = {}
    for r in session.execute(stmt.where(h.case_id.in_(select(Case.id).where(where)))).yield_per(20_000):
        out.setdefault(r[0], []).append([_wire_datetime(r[1]), *r[2:]])
    return out


def mode_body(session: Session) -> bytes:
    row = session.execute(
        select(JournalEvent.seq, JournalEvent.at, JournalEvent.actor, JournalEvent.payload)
        .where(JournalEvent.kind == MODE_EVENT)
        .order_by(JournalEvent.seq.desc())
        .limit(1)
    ).first()
    doc = {"mode": current_mode(session).value, "since": None, "actor": None, "role": None, "journal_seq": 0}
    if row is not None:
        doc.update(since=_wire_datetime(row.at), actor=row.actor, role=(row.payload or {}).get("role"),
                   journal_seq=row.seq)  # fmt: skip
    return pack(doc)


@dataclass
class StateItem:
    body: bytes
    ttl: float | None = None


def build_spec(
    session: Session,
    spec: TableSpec,
    now: dt.datetime,
    *,
    where=None,
    case_window_days: float = CASE_WINDOW_DAYS,
) -> dict[str, StateItem]:
    """Every key of one table (or the rows matching ``where``) with its body."""
    out: dict[str, StateItem] = {}
    if spec.name == "case":
        cond = _case_filter(now, case_window_days) if where is None else where
        history = _history(session, None, cond)
        for doc in _rows(session, spec, cond):
            doc["history"] = history.get(doc["id"], [])
            out[spec.key(doc)] = StateItem(_pack(doc))
        return out
    for doc in _rows(session, spec, where):
        out[spec.key(doc)] = StateItem(_pack(doc))
    if spec.name == "supervisor":
        out.update(positions(session, now, where))
    return out


def positions(session: Session, now: dt.datetime, where=None) -> dict[str, StateItem]:
    """Live positions: supervisors seen within ``POSITION_TTL``, each with the ttl it has left."""
    s = Supervisor
    stmt = select(s.code, s.last_x, s.last_y, s.last_seen).where(
        s.last_seen.is_not(None), s.last_seen > now - dt.timedelta(seconds=POSITION_TTL)
    )
    if where is not None:
        stmt = stmt.where(where)
    out = {}
    for code, x, y, seen in session.execute(stmt):
        # A report stamped after ``now`` (a handheld's clock ahead) still gets no more than the ttl.
        left = min(POSITION_TTL, POSITION_TTL - (now - seen).total_seconds())
        if left > 0 and x is not None and y is not None:
            out[position_key(code)] = StateItem(pack({"x": x, "y": y, "at": _wire_datetime(seen)}), ttl=left)
    return out


def build_state(
    session: Session, now: dt.datetime, case_window_days: float = CASE_WINDOW_DAYS
) -> dict[str, StateItem]:
    """The whole shared picture, as the centre publishes it on start."""
    out: dict[str, StateItem] = {}
    for spec in all_specs():
        out.update(build_spec(session, spec, now, case_window_days=case_window_days))
    out[MODE_KEY] = StateItem(mode_body(session))
    for source in KEY_SOURCES.values():
        out.update(source.build(session, now, None))
    return out


def load_where(
    session: Session, spec: TableSpec, column: str, values: Iterable[str], now: dt.datetime
) -> dict[str, StateItem]:
    """The current bodies of every row of ``spec`` whose ``column`` is one of ``values`` (an incident's
    log lines, by ``incident_id``)."""
    col = spec.table.c[column]
    wanted = sorted({int(v) if isinstance(col.type, sa.Integer) else v for v in values})
    out: dict[str, StateItem] = {}
    for lo in range(0, len(wanted), 500):
        out.update(build_spec(session, spec, now, where=col.in_(wanted[lo : lo + 500])))
    return out


def load_rows(
    session: Session, spec: TableSpec, key_values: Iterable[tuple], now: dt.datetime
) -> dict[str, StateItem]:
    """The current bodies of the given rows; a row that no longer exists is absent from the result."""
    wanted = list({tuple(v) for v in key_values})
    out: dict[str, StateItem] = {}
    if not wanted:
        return out
    cols = [spec.table.c[c] for c in spec.key_columns]
    for lo in range(0, len(wanted), 500):
        chunk = wanted[lo : lo + 500]
        if len(cols) == 1:
            col = cols[0]
            values = [int(v[0]) if isinstance(col.type, sa.Integer) else v[0] for v in chunk]
            where = col.in_(values)
        else:
            where = sa.tuple_(*cols).in_(chunk)
        if spec.name == "case":
            out.update(build_spec(session, spec, now, where=where))
        elif len(cols) == 1:
            for doc in _rows(session, spec, params={"keys": values}, stmt=_by_keys(spec)):
                out[spec.key(doc)] = StateItem(_pack(doc))
        else:
            for doc in _rows(session, spec, where):
                out[spec.key(doc)] = StateItem(_pack(doc))
    return out


# ==================================================================================================
# Centre side: the journal follower
# ==================================================================================================


@dataclass
class Touched:
    """What a batch of journal events touched: rows by table, whole tables, the mode."""

    rows: dict[str, set[tuple]] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)
    mode: bool = False
    sources: dict[str, set[str]] = field(default_factory=dict)  # key source name -> ids touched
    groups: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (table, column) -> values

    def row(self, spec: str, *values: object) -> None:
        self.rows.setdefault(spec, set()).add(tuple(str(v) for v in values))

    def rows_where(self, spec: str, column: str, value: object) -> None:
        """Every row of ``spec`` whose ``column`` is ``value``: rows an event added or changed without
        naming them (an incident's log lines). Read again and published where changed; such rows are
        never deleted one by one (a rescan of the table removes what is gone)."""
        self.groups.setdefault((spec, column), set()).add(str(value))

    def thing(self, source: str, ident: object) -> None:
        """One thing of a mode's ``KeySource`` (an alarm, a dispatch order) changed."""
        self.sources.setdefault(source, set()).add(str(ident))

    def everything(self) -> None:
        self.tables.update(s.name for s in all_specs())
        self.mode = True


EventRule = Callable[[JournalEvent, Touched], None]


def _subject_id(ev: JournalEvent, prefix: str) -> str | None:
    subject = ev.subject or ""
    return subject[len(prefix) :] if subject.startswith(prefix) else None


def _case_rule(ev: JournalEvent, t: Touched) -> None:
    if ev.kind == "case.history":  # generated history: many cases at once
        t.tables.add("case")
        return
    case_id = _subject_id(ev, "case/")
    if case_id:
        t.row("case", case_id)
    dup = (ev.payload or {}).get("duplicate_of")
    if dup:
        t.row("case", dup)


def _asset_rule(ev: JournalEvent, t: Touched) -> None:
    for spec in ("component", "camera"):
        ident = _subject_id(ev, f"{spec}/")
        if ident:
            t.row(spec, ident)


def _import_rule(ev: JournalEvent, t: Touched) -> None:
    layer = ev.kind.split(".", 1)[1] if "." in ev.kind else ""
    if layer in ("components", "cameras"):
        t.tables.add(layer[:-1])
        t.tables.add("city")
    else:  # cells bring communities, streets, districts and the city's CRS with them
        t.everything()


def _everything(ev: JournalEvent, t: Touched) -> None:
    t.everything()


def _mode_rule(ev: JournalEvent, t: Touched) -> None:
    t.mode = True


# Event kind (exact, or prefix ending in ".") -> what it touched. Modes register their own kinds here
# (``register_event_rule``) when their tables join the shared picture.
EVENT_RULES: dict[str, EventRule] = {
    "case.": _case_rule,
    "asset.": _asset_rule,
    "import.": _import_rule,
    "city.": _everything,
    MODE_EVENT: _mode_rule,
}


def register_event_rule(kind: str, rule: EventRule) -> None:
    """Add what events of ``kind`` touch; a second rule for the same kind runs beside the first (two
    modes may both care about one kind), and registering the same rule again changes nothing."""
    existing = EVENT_RULES.get(kind)
    if existing is None or existing is rule or rule in getattr(existing, "parts", ()):
        EVENT_RULES[kind] = existing or rule
        return

    def both(ev: JournalEvent, t: Touched) -> None:
        existing(ev, t)
        rule(ev, t)

    both.parts = (*getattr(existing, "parts", (existing,)), rule)  # type: ignore[attr-defined]
    EVENT_RULES[kind] = both


@dataclass(frozen=True)
class KeySource:
    """Keys a mode adds to the shared picture beside the replicated tables (``/alarm/<id>/<district>``,
    ``/task/<order id>``): orders the centre sends down to the districts.

    ``build(session, now, ids)`` returns the current keys of the given things, or with ``ids`` None of
    every thing that belongs in the picture now (the centre's start). Each key is ``prefix`` + the
    thing's id [+ ``/`` + more]. The mode's event rules say which things an event touched
    (``Touched.thing(name, id)``); the follower rebuilds exactly those and publishes what changed. Keys
    of a source are not deleted by the follower: a thing that leaves the window leaves the picture at
    the centre's next start.
    """

    name: str
    prefix: str
    build: Callable[[Session, dt.datetime, set[str] | None], dict[str, StateItem]]


KEY_SOURCES: dict[str, KeySource] = {}


def register_key_source(source: KeySource) -> None:
    KEY_SOURCES[source.name] = source


def touched_by(events: Iterable[JournalEvent]) -> Touched:
    t = Touched()
    for ev in events:
        # The exact kind's rule and its prefix's both run: a mode's order keys (``incident.dispatched``
        # -> ``/task/``) and its tables (``incident.`` -> ``/incident/``) follow the same events.
        rule = EVENT_RULES.get(ev.kind)
        if rule is not None:
            rule(ev, t)
        prefix_rule = EVENT_RULES.get(ev.kind.split(".", 1)[0] + ".")
        if prefix_rule is not None and prefix_rule is not rule:
            prefix_rule(ev, t)
    return t


Publisher = Callable[[str, bytes, float | None], None]

_EVENTS = (
    select(JournalEvent.seq, JournalEvent.kind, JournalEvent.subject, JournalEvent.payload)
    .where(JournalEvent.seq > sa.bindparam("after"))
    .order_by(JournalEvent.seq)
    .limit(sa.bindparam("limit"))
)


class JournalFollower:
    """Publishes the keys that committed journal events changed, in journal order, on its own thread.

    It polls every ``interval`` seconds and at once when ``wake()`` is called (the centre's command
    handler calls it after each commit, so an applied command reaches the districts without waiting for
    the next poll). ``published`` holds the body last published per key: a row re-read with an
    unchanged body is not sent again, and a full rescan (seeding, imports) sends only differences.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        publish: Publisher,
        clock: Clock,
        *,
        published: dict[str, bytes],
        after_seq: int,
        interval: float = 0.05,
        min_gap: float = 0.005,
        case_window_days: float = CASE_WINDOW_DAYS,
        on_batch: Callable[[int, int, Touched], None] | None = None,
        publish_many: Callable[[list[tuple[str, bytes, float | None]]], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.publish = publish
        self.clock = clock
        self.published = published
        self.seq = after_seq
        self.interval = interval
        self.min_gap = min_gap
        self.case_window_days = case_window_days
        self.on_batch = on_batch
        # A batch's keys in one call when the server takes them so (CloneServer.publish_many): at 2,000
        # updates a second one hand-over per key to the server's thread was the follower's largest cost.
        self.publish_many = publish_many
        self.generation = 0  # bumped when cells or the organisation changed: routers must reload
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._positions: dict[str, tuple[float, float, dt.datetime]] = {}
        self.errors = 0

    # --- thread -------------------------------------------------------------------------------------
    def start(self) -> JournalFollower:
        self._thread = threading.Thread(target=self._run, name="sanwei-journal-follower", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                while self.poll():
                    pass
                self._flush_positions()
                # Commits that come in a burst (a command each) are published together: a poll costs
                # more than the few milliseconds this waits.
                self._stop.wait(self.min_gap)
            except Exception:
                # The database may be busy or briefly gone: the next poll tries again from the same seq.
                self.errors += 1
                log.exception("journal follower failed at seq %s", self.seq)
                self._stop.wait(1.0)

    # --- positions (telemetry, not journalled) ------------------------------------------------------
    def record_position(self, code: str, x: float, y: float, at: dt.datetime) -> None:
        with self._lock:
            self._positions[code] = (x, y, at)
        self._wake.set()

    def _flush_positions(self) -> None:
        with self._lock:
            batch, self._positions = self._positions, {}
        if not batch:
            return
        with self.session_factory() as s, s.begin():
            table = Supervisor.__table__
            s.execute(
                sa.update(table)
                .where(table.c.code == sa.bindparam("b_code"))
                .values(
                    last_x=sa.bindparam("b_x"), last_y=sa.bindparam("b_y"), last_seen=sa.bindparam("b_at")
                ),
                [{"b_code": c, "b_x": x, "b_y": y, "b_at": at} for c, (x, y, at) in batch.items()],
            )

    # --- one poll -----------------------------------------------------------------------------------
    def poll(self, limit: int = 2000) -> bool:
        """Publish what the events after ``seq`` changed; True when there may be more to read."""
        with self.session_factory() as s, s.begin():
            # Plain rows, not ORM objects: at 2,000 events a second the identity map is the hot spot.
            events = s.connection().execute(_EVENTS, {"after": self.seq, "limit": limit}).all()
            if not events:
                return False
            touched = touched_by(events)
            now = self.clock.now()
            fresh: dict[str, StateItem] = {}
            for name in touched.tables:
                spec = SPEC_BY_NAME[name]
                built = build_spec(s, spec, now, case_window_days=self.case_window_days)
                fresh.update(built)
                # A rescan also says which keys are gone: deleted rows, cases out of the window.
                for key in [k for k in self.published if k.startswith(spec.prefix) and k not in built]:
                    kind = classify(key)
                    if kind.kind == "row" and kind.spec is spec:
                        fresh[key] = StateItem(b"")
            for name, values in touched.rows.items():
                if name in touched.tables:
                    continue
                spec = SPEC_BY_NAME[name]
                found = load_rows(s, spec, values, now)
                fresh.update(found)
                for v in values:
                    key = spec.prefix + "/".join(v)
                    if key not in found:
                        fresh[key] = StateItem(b"")
            for (name, column), values in touched.groups.items():
                if name not in touched.tables:
                    fresh.update(load_where(s, SPEC_BY_NAME[name], column, values, now))
            if touched.mode:
                fresh[MODE_KEY] = StateItem(mode_body(s))
            for name, ids in touched.sources.items():
                source = KEY_SOURCES.get(name)
                if source is not None:
                    fresh.update(source.build(s, now, ids))
        changed: list[tuple[str, bytes, float | None]] = []
        for key, item in fresh.items():
            if item.body == self.published.get(key, b""):
                continue
            if item.body:
                self.published[key] = item.body
            else:
                self.published.pop(key, None)
            changed.append((key, item.body, item.ttl))
        sent = len(changed)
        if self.publish_many is not None:
            self.publish_many(changed)
        else:
            for key, body, ttl in changed:
                self.publish(key, body, ttl)
        self.seq = events[-1].seq
        if touched.tables & {"cell", "district", "street", "community", "assignment", "supervisor"}:
            self.generation += 1
        if self.on_batch is not None:
            self.on_batch(self.seq, sent, touched)
        return len(events) >= limit


# ==================================================================================================
# District side: bodies -> rows of a SQLite database
# ==================================================================================================


def _sqlite_datetime(v: Any) -> Any:
    if v is None or not isinstance(v, str):
        return v
    s = v.replace("T", " ", 1)
    # SQLAlchemy's SQLite DATETIME storage always has six decimals; its reader needs them to match.
    return s + ".000000" if len(s) == 19 else s


def _sqlite_bool(v: Any) -> Any:
    return None if v is None else int(bool(v))


def _sqlite_json(v: Any) -> Any:
    return None if v is None else json.dumps(v, ensure_ascii=False)


def _column_default(col: sa.Column) -> Any:
    default = col.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg
    return None


class _TableWriter:
    """Prepared statements and value converters for one table of the district database."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        cols = spec.columns
        self.names = [c.name for c in cols]
        self.defaults = [_column_default(c) for c in cols]
        self.getter = itemgetter(*self.names)
        conv: list[Callable[[Any], Any] | None] = []
        for c in cols:
            t = c.type
            if isinstance(t, sa.DateTime):
                conv.append(_sqlite_datetime)
            elif isinstance(t, sa.Boolean):
                conv.append(_sqlite_bool)
            elif isinstance(t, sa.JSON):
                conv.append(_sqlite_json)
            else:
                conv.append(None)
        self.convert = [(i, f) for i, f in enumerate(conv) if f is not None]
        table = spec.table.name
        quoted = ", ".join(f'"{n}"' for n in self.names)
        marks = ", ".join("?" for _ in self.names)
        # OR REPLACE also clears a row that clashes on another unique column (a legacy id, a
        # supervisor's code under a new id): the centre's row is the truth.
        self.upsert = f'INSERT OR REPLACE INTO "{table}" ({quoted}) VALUES ({marks})'
        where = " AND ".join(f'"{c}" = ?' for c in spec.key_columns)
        self.delete = f'DELETE FROM "{table}" WHERE {where}'
        self.key_types = [spec.table.c[c].type for c in spec.key_columns]

    def row(self, doc: Mapping[str, Any]) -> tuple:
        try:
            values = list(self.getter(doc))
        except KeyError:  # a centre on another schema version: missing columns take their defaults
            values = [doc.get(n, d) for n, d in zip(self.names, self.defaults, strict=True)]
        for i, f in self.convert:
            values[i] = f(values[i])
        return tuple(values)

    def key_params(self, values: tuple[str, ...]) -> tuple:
        return tuple(
            int(v) if isinstance(t, sa.Integer) else v for v, t in zip(values, self.key_types, strict=True)
        )


_WRITERS: dict[str, _TableWriter] = {}


def writer(spec: TableSpec) -> _TableWriter:
    w = _WRITERS.get(spec.name)
    if w is None:
        w = _WRITERS[spec.name] = _TableWriter(spec)
    return w


_HISTORY_INSERT = (
    "INSERT INTO case_history (case_id, at, actor, role, action, from_state, to_state, note)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Batch:
    """Entries grouped into one ``executemany`` per table and operation, flushed in an order that keeps
    the result equal to applying them one by one."""

    def __init__(self) -> None:
        # (sql, rows) in execution order: built without the database, so a bulk load can prepare the
        # next page on another thread while this one is written.
        self.ops: list[tuple[str, list]] = []
        self.upserts: dict[str, list[tuple]] = {}
        self.deletes: dict[str, list[tuple]] = {}
        self.history_of: dict[int, list] = {}
        self.provisional_refs: list[tuple] = []
        self.moves: list[tuple] = []
        self.mode: str | None = None

    def add(self, entry: Entry) -> None:
        kind = classify(entry.key)
        if kind.kind == "row":
            spec = kind.spec
            assert spec is not None
            if entry.body:
                doc = unpack(entry.body)
                if spec.name in self.deletes:  # a delete of this table queued earlier must run first
                    self.flush()
                if spec.name == "case":
                    self.history_of[int(doc["id"])] = doc.get("history") or []
                    ref = doc.get("external_ref")
                    if ref and str(ref).startswith("link:"):
                        self.provisional_refs.append((ref,))
                self.upserts.setdefault(spec.name, []).append(writer(spec).row(doc))
            else:
                if spec.name in self.upserts:
                    self.flush()
                params = writer(spec).key_params(kind.values)
                self.deletes.setdefault(spec.name, []).append(params)
                if spec.name == "case":
                    self.history_of.pop(int(params[0]), None)
                    self.ops.append(("DELETE FROM case_history WHERE case_id = ?", [params]))
        elif kind.kind == "position":
            if entry.body:  # an expired position leaves the last known one in the database
                doc = unpack(entry.body)
                # Positions come from districts' writes, not from the centre's rows: checked here.
                x, y = float(doc["x"]), float(doc["y"])
                at = doc.get("at")
                self.moves.append(
                    (x, y, _sqlite_datetime(at) if isinstance(at, str) else None, kind.values[0])
                )
        elif kind.kind == "mode" and entry.body:
            self.mode = unpack(entry.body).get("mode")

    def flush(self) -> None:
        ops = self.ops
        for name in list(self.deletes):
            ops.append((writer(SPEC_BY_NAME[name]).delete, self.deletes.pop(name)))
        for name in list(self.upserts):
            ops.append((writer(SPEC_BY_NAME[name]).upsert, self.upserts.pop(name)))
        if self.history_of:
            ops.append(("DELETE FROM case_history WHERE case_id = ?", [(i,) for i in self.history_of]))
            rows = [(cid, _sqlite_datetime(h[0]), *h[1:]) for cid, hs in self.history_of.items() for h in hs]
            ops.append((_HISTORY_INSERT, rows))
            self.history_of = {}
        if self.provisional_refs:
            # The centre's copy of a case the district reported itself: its provisional row goes.
            refs, self.provisional_refs = self.provisional_refs, []
            ops.append(
                (
                    "DELETE FROM case_history WHERE case_id IN"
                    " (SELECT id FROM cases WHERE external_ref = ? AND id < 0)",
                    refs,
                )
            )
            ops.append(("DELETE FROM cases WHERE external_ref = ? AND id < 0", refs))
        if self.moves:
            moves, self.moves = self.moves, []
            ops.append(("UPDATE supervisors SET last_x = ?, last_y = ?, last_seen = ? WHERE code = ?", moves))


@dataclass
class Prepared:
    """Entries turned into statements, ready to run against a district database."""

    entries: list[Entry]
    ops: list[tuple[str, list]]
    mode: str | None
    kv_rows: list[tuple] | None = None  # the entries as ``link_replica_entry`` rows, when asked for

    def run(self, db: sqlite3.Connection) -> str | None:
        for sql, rows in self.ops:
            db.executemany(sql, rows)
        return self.mode


def prepare_entries(entries: list[Entry], *, kv: bool = False) -> Prepared:
    """Entries (in order; an empty body deletes) as statements with one row list per table and
    operation, in an order that gives the result of applying them one by one. ``kv``: also their
    ``link_replica_entry`` rows (a bulk load prepares pages on the fetching thread, so the writing
    thread, the load's bottleneck, only writes)."""
    batch = _Batch()
    for entry in entries:
        try:
            batch.add(entry)
        except (ValueError, TypeError, KeyError, AttributeError, msgpack.ExtraData) as exc:
            # A body this node cannot read (a hostile or newer peer) is skipped, never fatal: the
            # replica entry is kept, so the row follows at the next good update.
            log.warning("skipped unreadable entry %s: %s", entry.key[:80], exc)
    batch.flush()
    kv_rows = [(e.key, e.seq, e.uuid, e.props_raw, e.body) for e in entries] if kv else None
    return Prepared(entries, batch.ops, batch.mode, kv_rows)


def apply_entries(db: sqlite3.Connection, entries: list[Entry]) -> str | None:
    """Write entries into the city tables of ``db`` in the caller's transaction; returns the mode named
    by a ``/mode`` entry among them (the caller journals a mode change), else None."""
    return prepare_entries(entries).run(db)


# ==================================================================================================
# District side: the replica
# ==================================================================================================


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL; districts keep their replica in a local SQLite file."""
    url_obj = sa.engine.make_url(url)
    if url_obj.get_backend_name() != "sqlite" or not url_obj.database or url_obj.database == ":memory:":
        raise ValueError(f"a district's database must be a SQLite file, not {url!r}")
    return Path(url_obj.database).expanduser().resolve()


def connect_replica_db(path: Path | str) -> sqlite3.Connection:
    """A raw connection for replica writes: autocommit mode (transactions opened explicitly), WAL,
    and foreign keys off, because the centre already enforced them and entries arrive in key order."""
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA busy_timeout=30000")
    return db


# 40 MiB of WAL: past this the replica's writer checkpoints in its own commit after all.
WAL_BACKSTOP_PAGES = 10_000


class WalCheckpointer:
    """Copies a database's write-ahead log back into the file on its own thread and connection.

    The replica's writer runs with ``wal_autocheckpoint=0``: SQLite's automatic checkpoint would
    otherwise run inside the writer's COMMIT every 1,000 pages (copying them and syncing the file
    twice), which is what a live update or a bulk load waited for. A PASSIVE checkpoint here never
    blocks the writer or readers; ``poke`` after each commit, and at most one checkpoint runs per
    ``delay`` seconds, so a burst of commits costs one.
    """

    def __init__(self, path: Path | str, delay: float = 0.5) -> None:
        self.path = Path(path)
        self.delay = delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0

    def poke(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sanwei-wal-checkpoint", daemon=True)
            self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            while True:
                self._wake.wait()
                if self._stop.wait(self.delay):
                    return
                self._wake.clear()
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # busy or gone: the next poke tries again
                    log.warning("checkpoint of %s failed: %s", self.path.name, exc)
        finally:
            db.close()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._stop.clear()
        self._wake.clear()


class DomainReplica:
    """A ``comms.clone.Replica`` that keeps the entries *and* the city rows they stand for in one SQLite
    database, committed together with the position: after a kill -9 the file holds the rows of exactly
    the sequence it says, and catch-up from there is exact.

    Used from the CloneClient's agent thread only (``bulk_load`` before the client starts). Writes are
    buffered and applied in ``commit`` with one ``executemany`` per table.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        on_commit: Callable[[list[Entry], str | None], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.on_commit = on_commit
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, Entry] = {}
        self._seq_only: dict[str, Entry] = {}
        self._position: Position | None = None
        self._position_dirty = False
        self._items: list[Entry] | None = None
        self.checkpointer = WalCheckpointer(self.path)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect_replica_db(self.path)
            # Checkpoints run on the checkpointer's thread; this is only the backstop for a WAL that
            # never gets a quiet moment to be reset (see WalCheckpointer).
            self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        return self._db

    # --- Replica protocol ---------------------------------------------------------------------------
    def position(self) -> Position | None:
        self._position = replica_position(self.db)
        return self._position

    def set_position(self, position: Position) -> None:
        self._position = position
        self._position_dirty = True

    def get(self, key: str) -> Entry | None:
        entry = self._pending.get(key)
        if entry is not None:
            return entry if entry.body else None
        row = self.db.execute(
            "SELECT key, seq, uuid, props, body FROM link_replica_entry WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else _entry(row)

    def put(self, entry: Entry) -> bool:
        self._items = None
        if self._position is not None and entry.seq > self._position.seq:
            # A live or replayed update (numbered after the position): it is a change by definition, and
            # a lookup per update would cost the hot path a query. Only a resnapshot (numbers from a
            # restarted centre, or the same numbers again) is compared with what the replica holds.
            self._seq_only.pop(entry.key, None)
            self._pending[entry.key] = entry
            return True
        current = self.get(entry.key)
        if entry.body:
            if current is not None and current.body == entry.body and current.props_raw == entry.props_raw:
                # The same value under a new number (a resnapshot after the centre restarted): keep the
                # number, skip the rows, tell nobody.
                self._seq_only[entry.key] = entry
                return False
        elif current is None:
            return False
        self._seq_only.pop(entry.key, None)
        self._pending[entry.key] = entry
        return True

    def keys(self, subtree: str) -> set[str]:
        found = {k for (k,) in self.db.execute("SELECT key FROM link_replica_entry") if k.startswith(subtree)}
        for key, entry in self._pending.items():
            if key.startswith(subtree):
                (found.add if entry.body else found.discard)(key)
        return found

    def items(self) -> Iterator[Entry]:
        if self._items is not None and not self._pending:
            # Right after a fresh bulk load the replica is exactly those entries: the clone client's
            # start and the district's own server read them from memory instead of 100,000 rows.
            return iter(self._items)
        return self._read_items()

    def _read_items(self) -> Iterator[Entry]:
        self.commit()
        for row in self.db.execute("SELECT key, seq, uuid, props, body FROM link_replica_entry").fetchall():
            yield _entry(row)

    def commit(self) -> None:
        if not (self._pending or self._seq_only or self._position_dirty):
            return
        pending, self._pending = list(self._pending.values()), {}
        seq_only, self._seq_only = list(self._seq_only.values()), {}
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            sets = [(e.key, e.seq, e.uuid, e.props_raw, e.body) for e in pending if e.body]
            gone = [(e.key,) for e in pending if not e.body]
            if sets:
                db.executemany(
                    "INSERT OR REPLACE INTO link_replica_entry (key, seq, uuid, props, body) VALUES (?, ?, ?, ?, ?)",
                    sets,
                )
            if gone:
                db.executemany("DELETE FROM link_replica_entry WHERE key = ?", gone)
            if seq_only:
                db.executemany(
                    "UPDATE link_replica_entry SET seq = ?, uuid = ? WHERE key = ?",
                    [(e.seq, e.uuid, e.key) for e in seq_only],
                )
            mode = apply_entries(db, pending)
            if self._position_dirty and self._position is not None:
                _write_position(db, self._position)
                self._position_dirty = False
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.checkpointer.poke()
        if self.on_commit is not None and (pending or mode):
            try:
                self.on_commit(pending, mode)
            except Exception:
                log.exception("on_commit callback failed")

    def close(self) -> None:
        self.checkpointer.stop()
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- bulk load (the state.bulk extension, before the CloneClient starts) ------------------------
    def bulk(self, *, replace: bool) -> BulkLoad:
        """Start a bulk load: ``add`` pages as they arrive, then ``finish(position)``; one transaction."""
        return BulkLoad(self, replace=replace)

    def bulk_load(self, entries: list[Entry], position: Position, *, replace: bool) -> dict[str, int]:
        """Make the replica equal to ``entries`` at ``position`` in one transaction (see ``BulkLoad``)."""
        load = self.bulk(replace=replace)
        try:
            load.add(entries)
        except BaseException:
            load.abort()
            raise
        return load.finish(position)


class BulkLoad:
    """One transaction that makes the replica equal to a bulk snapshot, fed page by page so the next
    page can be fetched while this one is written.

    ``replace``: the replica had an older base; keys absent from the snapshot are deleted at the end and
    only entries whose body or properties changed are written to the city tables. Otherwise the load is
    fresh: indexes of empty city tables are dropped for the load and rebuilt at the end (building an
    index from sorted data costs less than keeping it up to date through 100,000 inserts).
    """

    def __init__(self, replica: DomainReplica, *, replace: bool) -> None:
        self.replica = replica
        self.db = db = replica.db
        self.replace = replace
        self.changed: list[Entry] = []
        self.mode: str | None = None
        self._indexes: list[str] = []
        db.execute("PRAGMA cache_size=-131072")  # 128 MiB for this connection: index builds sort in memory
        # The whole map is one commit of ~20,000 pages: past the backstop, SQLite would copy them all
        # back into the file inside COMMIT; the checkpointer does it after the load instead.
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute("BEGIN IMMEDIATE")
        try:
            if replace:
                self.have: dict[str, tuple[bytes, bytes]] | None = {
                    k: (bytes(b), bytes(p))
                    for k, b, p in db.execute("SELECT key, body, props FROM link_replica_entry")
                }
            else:
                self.have = None
                db.execute("DELETE FROM link_replica_entry")
                self._drop_indexes()
        except BaseException:
            db.execute("ROLLBACK")
            _end_bulk_pragmas(db)
            raise

    def _drop_indexes(self) -> None:
        for spec in all_specs():
            name = spec.table.name
            if self.db.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None:
                continue
            for index, sql in self.db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (name,),
            ).fetchall():
                self._indexes.append(sql)
                self.db.execute(f'DROP INDEX "{index}"')

    def add(self, page: list[Entry] | Prepared) -> None:
        """Write one page: entries, or entries already turned into statements (``prepare_entries``,
        done on the fetching thread) when the load is fresh."""
        db = self.db
        entries = page.entries if isinstance(page, Prepared) else page
        kv_rows = page.kv_rows if isinstance(page, Prepared) else None
        db.executemany(
            "INSERT OR REPLACE INTO link_replica_entry (key, seq, uuid, props, body) VALUES (?, ?, ?, ?, ?)",
            kv_rows
            if kv_rows is not None
            else [(e.key, e.seq, e.uuid, e.props_raw, e.body) for e in entries],
        )
        if self.have is not None:
            have = self.have
            entries = [e for e in entries if have.pop(e.key, None) != (e.body, e.props_raw)]
            page = entries
        prepared = page if isinstance(page, Prepared) else prepare_entries(entries)
        self.mode = prepared.run(db) or self.mode
        self.changed.extend(entries)

    def finish(self, position: Position) -> dict[str, int]:
        db = self.db
        removed: list[Entry] = []
        try:
            if self.have is not None:
                removed = [Entry.make(k, position.seq) for k in self.have]
                db.executemany("DELETE FROM link_replica_entry WHERE key = ?", [(e.key,) for e in removed])
                self.mode = apply_entries(db, removed) or self.mode
            for sql in self._indexes:
                db.execute(sql)
            _write_position(db, position)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            _end_bulk_pragmas(db)
        self.replica.checkpointer.poke()
        self.replica._position = position
        self.replica._items = list(self.changed) if self.have is None else None
        if self.replica.on_commit is not None:
            self.replica.on_commit(self.changed + removed, self.mode)
        total = db.execute("SELECT count(*) FROM link_replica_entry").fetchone()[0]
        return {"entries": total, "changed": len(self.changed), "removed": len(removed)}

    def abort(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        finally:
            _end_bulk_pragmas(self.db)


def _end_bulk_pragmas(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA cache_size=-2000")
    db.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")


def _write_position(db: sqlite3.Connection, position: Position) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO link_replica_meta (name, value) VALUES (?, ?)",
        [("epoch", position.epoch), ("subtree", position.subtree), ("seq", str(position.seq))],
    )


def _entry(row: tuple) -> Entry:
    key, seq, uuid, props_raw, body = row
    props_raw = bytes(props_raw)
    return Entry(key, seq, bytes(uuid), decode_properties(props_raw), bytes(body), props_raw)


def revert_rows(db: sqlite3.Connection, keys: Iterable[str]) -> None:
    """Put the centre's version (the replica entry) of these keys back into the city tables, in the
    caller's transaction: a provisional local change the centre refused is undone this way."""
    entries: list[Entry] = []
    for key in keys:
        row = db.execute(
            "SELECT key, seq, uuid, props, body FROM link_replica_entry WHERE key = ?", (key,)
        ).fetchone()
        entries.append(_entry(row) if row is not None else Entry.make(key, 0))
    apply_entries(db, entries)


def replica_position(db: sqlite3.Connection) -> Position | None:
    rows = dict(db.execute("SELECT name, value FROM link_replica_meta").fetchall())
    if "seq" not in rows:
        return None
    return Position(rows.get("epoch", ""), rows.get("subtree", ""), int(rows["seq"]))
