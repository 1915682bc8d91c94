"""Bodies -> rows of a district's (or a console's) SQLite database: replicated entries turned into
statements, one ``executemany`` per table and operation, run on a raw ``sqlite3`` connection inside the
replica's own transaction (docs/protocol.md sections 7.1 and 7.2)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import msgpack
import sqlalchemy as sa

from comms.wire import Entry
from modes.common.picture import SPEC_BY_NAME, TableSpec, classify, unpack

log = logging.getLogger("sanwei.replication")


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
    "INSERT INTO case_history (case_id, at, actor, role, action, from_state, to_state, note, stage_due)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _history_row(case_id: int, h: list) -> tuple:
    """A step as the wire carries it; a centre of an earlier version sends no stage due (seven fields)."""
    due = h[7] if len(h) > 7 else None
    return (case_id, _sqlite_datetime(h[0]), *h[1:7], _sqlite_datetime(due))


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
            rows = [_history_row(cid, h) for cid, hs in self.history_of.items() for h in hs]
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
