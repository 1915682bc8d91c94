"""The city as a shared picture: domain rows <-> CHP keys and msgpack bodies (docs/protocol.md section 7).

What the picture holds and how it is read, without running anything: the replicated tables
(``TableSpec``, ``register_table``), what each key stands for (``classify``), the bodies of rows
(``build_state``, ``load_rows``) read through a caller's session, and what a journal event touched
(``Touched``, ``register_event_rule``, ``KeySource``) so that the centre knows which keys to publish
again. The node runtime (``nodes/``) runs it: the centre's journal follower (``nodes.follower``) and
the replicas that write bodies back into rows (``nodes.replica``).

Bodies are msgpack maps of column name -> value with portable values: datetimes as
``YYYY-MM-DD HH:MM:SS[.ffffff]`` strings (city local time), dates as ``YYYY-MM-DD``, geometry as WKB
bytes, booleans as booleans. Maps rather than arrays so a third-party CHP client can read them and a
district on an older schema ignores a column it does not know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import msgpack
import sqlalchemy as sa
from sqlalchemy import LargeBinary, select, type_coerce
from sqlalchemy.orm import Session

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
from modes.common.mode_switch import EVENT_KIND as MODE_EVENT
from modes.common.mode_switch import current_mode

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


def _wire_step(r) -> list:
    """A history row on the wire: at, actor, role, action, from, to, note, stage due (protocol 7.2)."""
    return [_wire_datetime(r[1]), *r[2:8], _wire_datetime(r[8])]


def _history(session: Session, case_ids: Iterable[int] | None, where=None) -> dict[int, list]:
    h = CaseHistory
    stmt = select(
        h.case_id, h.at, h.actor, h.role, h.action, h.from_state, h.to_state, h.note, h.stage_due
    ).order_by(h.case_id, h.id)
    if case_ids is not None:
        ids = list(case_ids)
        out: dict[int, list] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            for r in session.execute(stmt.where(h.case_id.in_(chunk))):
                out.setdefault(r[0], []).append(_wire_step(r))
        return out
    out = {}
    for r in session.execute(stmt.where(h.case_id.in_(select(Case.id).where(where)))).yield_per(20_000):
        out.setdefault(r[0], []).append(_wire_step(r))
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
# What a batch of journal events touched
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


_CODE_TABLES = {"departments": "department", "routing": "assignment"}


def _import_rule(ev: JournalEvent, t: Touched) -> None:
    layer = ev.kind.split(".", 1)[1] if "." in ev.kind else ""
    if layer in ("components", "cameras"):
        t.tables.add(layer[:-1])
        t.tables.add("city")
    elif layer in _CODE_TABLES:  # data.code_tables: one table each
        t.tables.add(_CODE_TABLES[layer])
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
    (``Touched.thing(name, id)``); the follower rebuilds exactly those and publishes what changed. A
    thing that leaves the window leaves the picture at the centre's next start; a touched thing that is
    gone from the database (an exercise's alarm purged) leaves it at once: its keys are deleted.
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


def rebuild(
    session: Session,
    touched: Touched,
    now: dt.datetime,
    *,
    published: Mapping[str, bytes],
    case_window_days: float = CASE_WINDOW_DAYS,
) -> dict[str, StateItem]:
    """The current body of every key ``touched`` names, empty for a key that is gone: a deleted row, a
    case out of the window. ``published`` holds the keys the picture has now, which a rescanned table
    compares with what it still holds."""
    fresh: dict[str, StateItem] = {}
    for name in touched.tables:
        spec = SPEC_BY_NAME[name]
        built = build_spec(session, spec, now, case_window_days=case_window_days)
        fresh.update(built)
        # A rescan also says which keys are gone: deleted rows, cases out of the window.
        for key in [k for k in published if k.startswith(spec.prefix) and k not in built]:
            kind = classify(key)
            if kind.kind == "row" and kind.spec is spec:
                fresh[key] = StateItem(b"")
    for name, values in touched.rows.items():
        if name in touched.tables:
            continue
        spec = SPEC_BY_NAME[name]
        found = load_rows(session, spec, values, now)
        fresh.update(found)
        for v in values:
            key = spec.prefix + "/".join(v)
            if key not in found:
                fresh[key] = StateItem(b"")
    for (name, column), values in touched.groups.items():
        if name not in touched.tables:
            fresh.update(load_where(session, SPEC_BY_NAME[name], column, values, now))
    if touched.mode:
        fresh[MODE_KEY] = StateItem(mode_body(session))
    for name, ids in touched.sources.items():
        source = KEY_SOURCES.get(name)
        if source is not None:
            built = source.build(session, now, ids)
            fresh.update(built)
            fresh.update(_gone_things(source, ids, built, published))
    return fresh


def _gone_things(
    source: KeySource, ids: set[str], built: Mapping[str, StateItem], published: Mapping[str, bytes]
) -> dict[str, StateItem]:
    """Deletions of the published keys of touched things that built no key: the thing is gone. Given its
    ids a source builds a thing whatever its window, so no key means no row."""

    def of(thing: str, key: str) -> bool:  # a thing's keys: prefix + id [+ "/" + more]
        own = source.prefix + thing
        return key == own or key.startswith(own + "/")

    gone = [str(i) for i in ids if not any(of(str(i), key) for key in built)]
    if not gone:  # the usual case: no scan of the published keys
        return {}
    return {
        key: StateItem(b"")
        for key in published
        if key.startswith(source.prefix) and key not in built and any(of(thing, key) for thing in gone)
    }
