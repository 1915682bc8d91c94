"""A replica of the shared picture in a Sanwei SQLite database (a district node's, a console's): the
entries *and* the city rows they stand for, committed together with the position (``DomainReplica``,
the ``comms.clone.Replica`` a ``CloneClient`` writes into), the bulk load of a snapshot (``BulkLoad``),
and the checkpointer that copies the write-ahead log back into the file on its own thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa

from comms.clone import Position
from comms.wire import Entry, decode_properties
from modes.common.picture import all_specs
from nodes.replica_writer import Prepared, apply_entries, prepare_entries

log = logging.getLogger("sanwei.replication")


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
