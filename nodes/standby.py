"""The passive centre of a failover pair: its copy of the active centre's city, and the log it serves
(docs/protocol.md section 8).

A passive centre holds, in its own database:

- the **picture**: every key the active centre serves, with the city rows they stand for, kept by a
  ``DomainReplica`` exactly as a district keeps its replica (bulk load, then the state channel);
- the **journal**: the active centre's events copied verbatim (numbers and hash chain kept), so the
  audit trail goes on unbroken after a failover;
- the **applied command ids** with their replies, so a command the active centre acknowledged is
  answered from them, never applied again, when its sender resends it after the failover.

The active centre marks its picture with ``/link/journal`` (the journal number its published keys
cover) after each batch it publishes. The standby confirms a journal number once it holds the events,
the applied ids and the picture up to it; the active centre holds each command's reply until the
standby confirmed it (``CommandServer(hold=...)``), so an acknowledged command is never lost with the
active centre.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack
import sqlalchemy as sa
import zmq
from sqlalchemy.dialects import postgresql, sqlite

from comms.clone import CloneClient
from comms.keys import Security
from comms.records import CommandRefused
from comms.wire import CMD_PROTO, PING, PONG, Entry
from data import journal
from data.journal import JournalCorrupted
from modes.common.command_bus import APPLIED, CallContext
from nodes.client import LinkClient, LinkError, parse_endpoint
from nodes.logs import NodeLog
from nodes.replica import DomainReplica
from nodes.state_commands import load_bulk, log_covers

log = logging.getLogger("sanwei.node")

JOURNAL_MARK = "/link/journal"  # the journal number the published picture covers
LOG_PAGE = 2000


def journal_mark(seq: int) -> bytes:
    return msgpack.packb({"seq": seq})


# --- the active centre's side: state.log ------------------------------------------------------------
def state_log(own_security: Security | None) -> Callable[[CallContext, dict[str, Any]], dict[str, Any]]:
    """``state.log {after, applied_since, limit}`` -> ``{journal: [...], applied: [...], head}``: the
    journal events after ``after`` as stored, and the applied command ids recorded at or after
    ``applied_since`` (Unix time). Only for the pair's other centre (a ``centre`` key): the replies are
    each peer's own."""

    def handle(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
        if own_security is not None and ctx.peer.role_kind != "centre":
            raise CommandRefused("state.log is for the other centre of the pair only")
        after = int(args.get("after") or 0)
        since = float(args.get("applied_since") or 0.0)
        limit = max(1, min(int(args.get("limit") or LOG_PAGE), 10 * LOG_PAGE))
        s = ctx.session
        head = journal.last_seq(s)
        events = journal.rows_after(s, after, limit)
        applied = [
            list(r)
            for r in s.execute(
                sa.select(
                    APPLIED.c.peer,
                    APPLIED.c.command_id,
                    APPLIED.c.status,
                    APPLIED.c.reply,
                    APPLIED.c.applied_at,
                )
                .where(APPLIED.c.applied_at >= since)
                .order_by(APPLIED.c.applied_at)
                .limit(limit)
            )
        ]
        return {"journal": [list(r) for r in events], "applied": applied, "head": head}

    return handle


def _insert_applied(session, rows: list[list[Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    values = [
        dict(zip(("peer", "command_id", "status", "reply", "applied_at"), r, strict=True)) for r in rows
    ]
    if insert is None:
        for v in values:
            exists = session.execute(
                sa.select(APPLIED.c.peer).where(
                    APPLIED.c.peer == v["peer"], APPLIED.c.command_id == v["command_id"]
                )
            ).first()
            if exists is None:
                session.execute(sa.insert(APPLIED), v)
        return
    session.execute(insert(APPLIED).on_conflict_do_nothing(), values)


def probe_active(
    endpoint: str, security: Security | None, server_key: str, context: zmq.Context, timeout: float = 1.0
) -> bool:
    """Whether the node at ``endpoint`` answers a PING on its command port as an active node (PONG).

    A refused connection (nothing listens: the process is gone) answers False at once; a host that
    does not answer at all takes ``timeout``."""
    host, port = parse_endpoint(endpoint)
    sock = context.socket(zmq.DEALER)
    sock.linger = 0
    monitor = sock.get_monitor_socket(zmq.EVENT_CONNECT_RETRIED)
    try:
        if security is not None:
            security.make_client(sock, server_key)
        sock.connect(f"tcp://{host}:{port + 3}")
        sock.send_multipart([CMD_PROTO, PING])
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            events = dict(poller.poll(int(left * 1000) + 1))
            if sock in events:
                frames = sock.recv_multipart()
                return len(frames) >= 2 and frames[0] == CMD_PROTO and frames[1] == PONG
            if monitor in events:
                return False  # connection refused: no node there
        return False
    finally:
        sock.disable_monitor()
        monitor.close(linger=0)
        sock.close(linger=0)


# --- the passive centre's side ------------------------------------------------------------------------
class Standby:
    """Follows the active centre into this node's database while the node is passive."""

    def __init__(
        self,
        peer: str,
        path: Path,
        session_factory,
        *,
        security: Security | None,
        peer_key: str,
        context: zmq.Context,
        heartbeat: float,
        confirm: Callable[[int], None],
        log: NodeLog,
    ) -> None:
        self.peer = peer
        self.path = path
        self.session_factory = session_factory
        self.security = security
        self.peer_key = peer_key
        self.context = context
        self.heartbeat = heartbeat
        self.confirm = confirm
        self.log = log
        self.picture_mark = 0
        self.journal_seq = 0
        self.applied_since = 0.0
        self.confirmed = 0
        self.errors = 0
        self.last_error: str | None = None
        self.initial: dict[str, Any] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.replica: DomainReplica | None = None
        self.link: LinkClient | None = None
        self.clone: CloneClient | None = None

    # --- life ----------------------------------------------------------------------------------------
    def start(self) -> Standby:
        self.replica = DomainReplica(self.path, on_commit=self._on_replica_commit)
        self.link = LinkClient(
            self.peer, self.security, server=self.peer_key, heartbeat=self.heartbeat, context=self.context
        ).start()
        with self.session_factory() as s:
            self.journal_seq = journal.last_seq(s)
            self.applied_since = float(s.scalar(sa.select(sa.func.max(APPLIED.c.applied_at))) or 0.0)
        mark = self.replica.get(JOURNAL_MARK)
        self.picture_mark = msgpack.unpackb(mark.body)["seq"] if mark is not None and mark.body else 0
        self._initial_sync()
        self.replica.close()  # reopened by the clone client's agent thread, which owns it from now on
        host, port = parse_endpoint(self.peer)
        self.clone = CloneClient(
            host,
            port,
            security=self.security,
            server=self.peer_key,
            replica=self.replica,
            context=self.context,
            heartbeat=self.heartbeat,
        ).start()
        self._thread = threading.Thread(target=self._run, name="sanwei-standby", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following. Does not wait for a request to a peer that is gone (the takeover must not):
        only for a page being written, so nothing is written after this returns."""
        self._stop.set()
        self._wake.set()
        with self._write_lock:
            self._thread = None
        if self.clone is not None:
            self.clone.stop()  # commits what the replica holds
            self.clone = None
        if self.link is not None:
            self.link.close()
            self.link = None

    def items(self) -> list[Entry]:
        """The picture as the replica holds it (after ``stop``)."""
        assert self.replica is not None
        return [e for e in self.replica.items() if e.key != JOURNAL_MARK]

    def status(self) -> dict[str, Any]:
        state = self.clone.link if self.clone is not None else None
        return {
            "peer": self.peer,
            "picture_journal_seq": self.picture_mark,
            "journal_seq": self.journal_seq,
            "confirmed": self.confirmed,
            "state_up": bool(state and state.up),
            "errors": self.errors,
            "last_error": self.last_error,
            "initial": self.initial,
        }

    # --- the first synchronisation ---------------------------------------------------------------------
    def _initial_sync(self) -> None:
        assert self.link is not None and self.replica is not None
        have = self.replica.position()
        try:
            there = self.link.call("state.position", {}, timeout=3 * self.heartbeat + 2)
        except LinkError as exc:
            self.initial = {"mode": "offline", "error": str(exc)[:200]}
            return
        if log_covers(have, there):
            self.initial = {"mode": "replay", "from_seq": have.seq}
            return
        started = time.monotonic()
        position, counts, _ = load_bulk(self.link, self.replica, replace=have is not None)
        mark = self.replica.get(JOURNAL_MARK)
        if mark is not None and mark.body:
            self.picture_mark = msgpack.unpackb(mark.body)["seq"]
        self.initial = {
            "mode": "bulk",
            "seq": position.seq,
            "seconds": round(time.monotonic() - started, 2),
            **counts,
        }
        self.log.event("standby_loaded", **self.initial)

    # --- following -------------------------------------------------------------------------------------
    def _on_replica_commit(self, entries: list[Entry], mode: str | None) -> None:
        for e in entries:
            if e.key == JOURNAL_MARK and e.body:
                self.picture_mark = max(self.picture_mark, int(msgpack.unpackb(e.body)["seq"]))
                self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(max(0.05, self.heartbeat / 2))
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                while self._pull() and not self._stop.is_set():
                    pass
            except Exception as exc:  # a peer gone, a busy database, a journal that forked
                if self._stop.is_set():
                    return
                self.errors += 1
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                if isinstance(exc, JournalCorrupted):
                    self._realign()
                self._stop.wait(min(2.0, self.heartbeat))
                continue
            done = min(self.journal_seq, self.picture_mark)
            if done > self.confirmed:
                self.confirmed = done
                self.confirm(done)

    def _pull(self) -> bool:
        """One page of the active centre's log into this database; True when there may be more."""
        assert self.link is not None
        doc = self.link.call(
            "state.log",
            {"after": self.journal_seq, "applied_since": self.applied_since, "limit": LOG_PAGE},
            timeout=3 * self.heartbeat + 2,
        )
        events = [tuple(r) for r in doc["journal"]]
        applied = doc["applied"]
        with self._write_lock:
            if self._stop.is_set():
                return False  # taking over: this node's database is its own from now on
            with self.session_factory() as s, s.begin():
                seq = journal.copy_rows(s, events)
                _insert_applied(s, applied)
            self.journal_seq = seq
        if applied:
            self.applied_since = max(self.applied_since, max(float(r[4]) for r in applied))
        return len(events) >= LOG_PAGE or len(applied) >= LOG_PAGE

    def _realign(self) -> None:
        """This journal went past the active peer's (a centre that served, died with events no one
        acknowledged, and came back passive): drop its events after the last one both share."""
        assert self.link is not None
        with self.session_factory() as s:
            mine = journal.last_seq(s)
        back = 1
        while True:
            start = max(0, mine - back)
            doc = self.link.call(
                "state.log", {"after": start, "applied_since": time.time() + 1e9, "limit": back + 1}
            )
            theirs = {r[0]: r[8] for r in doc["journal"]}
            with self.session_factory() as s:
                common = 0
                for seq in range(mine, start, -1):
                    if theirs.get(seq) is not None and theirs[seq] == journal.hash_at(s, seq):
                        common = seq
                        break
            if common or start == 0:
                break
            back *= 4
        with self.session_factory() as s, s.begin():
            dropped = journal.truncate_after(s, common)
        self.journal_seq = common
        self.log.event("standby_realigned", "warning", common_seq=common, dropped=dropped)
