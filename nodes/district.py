"""A district command centre as a running node: a replica of the city in its own Sanwei database, its
children's commands forwarded to the centre through a persisted outbox (applied provisionally first,
so it keeps working while cut off), and its own consoles served the same way on its own ports:
centre -> district -> street consoles (docs/protocol.md section 7)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import zmq

from comms.clone import CloneClient, CloneLinkState, CloneServer, SyncInfo
from comms.commands import CommandClient, CommandReply, CommandServer, LinkState
from comms.keys import Security
from comms.records import CommandRefused
from comms.retention import DEDUP_RETENTION_S, check_retention
from comms.wire import STATUS_EXPIRED, STATUS_OK, STATUS_REFUSED, Entry
from data import journal
from data.db import open_database, resolve_url, session_factory
from modes.common import auth
from modes.common.clock import Clock
from modes.common.command_bus import (
    CallContext,
    CommandBus,
    CommandSpec,
    DbDedupStore,
    NodeRole,
    decode_result,
    encode_call,
    make_apply,
    new_forward_id,
)
from modes.common.mode_switch import EVENT_KIND as MODE_EVENT
from modes.common.mode_switch import current_mode
from modes.common.picture import classify, district_status_key, pack, unpack
from nodes.client import LinkClient, LinkError, LinkRefused, parse_endpoint, parse_endpoints
from nodes.key_watch import DEFAULT_POLL, KeyWatch, start_key_watch
from nodes.logs import NodeLog, seconds_since, wall_time
from nodes.pruning import start_pruner
from nodes.replica import DomainReplica, connect_replica_db, revert_rows, sqlite_path
from nodes.sequence_store import ReservationStore
from nodes.state_commands import BulkSnapshots, install, load_bulk, log_covers, position_command
from nodes.teardown import Teardown

log = logging.getLogger("sanwei.node")

# How often a district node fetches its people's password hashes from the centre (and at its start).
CREDENTIALS_EVERY_S = 60.0
# Specs whose change means the router (grid index, assignments) must be rebuilt.
_ROUTING_SPECS = {"cell", "district", "street", "community", "assignment", "supervisor"}

FORWARD = sa.table(
    "link_forward",
    sa.column("position", sa.Integer),
    sa.column("forward_id", sa.String),
    sa.column("command", sa.String),
    sa.column("body", sa.LargeBinary),
    sa.column("origin", sa.String),
    sa.column("state", sa.String),
    sa.column("queued_at", sa.Float),
    sa.column("answered_at", sa.Float),
    sa.column("reply", sa.LargeBinary),
    sa.column("reason", sa.Text),
    sa.column("provisional_case", sa.Integer),
    sa.column("real_case", sa.Integer),
    sa.column("subject", sa.String),
)


class DbOutbox:
    """The district's outbox is the ``link_forward`` table of its own database: a forwarded command is
    written in the same transaction as the provisional local change it stands for, so the two cannot
    part in a crash. Implements ``comms.commands.Outbox``; used from the command client's agent thread."""

    def __init__(self, path) -> None:
        self.path = path
        self._db = None

    @property
    def db(self):
        if self._db is None:
            self._db = connect_replica_db(self.path)
        return self._db

    def load(self) -> list[tuple[str, bytes]]:
        rows = self.db.execute(
            "SELECT forward_id, body FROM link_forward WHERE state = 'queued' ORDER BY position"
        ).fetchall()
        return [(fid, bytes(body)) for fid, body in rows]

    def add(self, command_id: str, body: bytes) -> bool:
        row = self.db.execute("SELECT state FROM link_forward WHERE forward_id = ?", (command_id,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO link_forward (forward_id, command, body, origin, state, queued_at, subject)"
                " VALUES (?, '', ?, '', 'queued', ?, '')",
                (command_id, body, time.time()),
            )
            return True
        return row[0] == "queued"

    def queued_at(self, command_id: str) -> float | None:
        row = self.db.execute(
            "SELECT queued_at FROM link_forward WHERE forward_id = ?", (command_id,)
        ).fetchone()
        return None if row is None else float(row[0])

    def remove(self, command_id: str) -> None:
        # The reply handler has already recorded the answer; this only covers a reply it missed.
        self.db.execute(
            "UPDATE link_forward SET state = 'answered', answered_at = ? WHERE forward_id = ? AND state = 'queued'",
            (time.time(), command_id),
        )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# What a forwarded command's row says when the centre did not take it (an expired one was given up here).
_FAILED_STATES = {STATUS_REFUSED: "refused", STATUS_EXPIRED: "expired"}

# A mode's reaction to replicated keys at a district (``DistrictNode.watch``).
Watcher = Callable[["DistrictNode", list[Entry]], None]


class DistrictNode:
    """A district command centre: a replica of the city in its own database, its own commands queued
    to the centre, and the same two channels served to its own consoles."""

    def __init__(
        self,
        district: str,
        db_url: str,
        centre: str,
        bind: str,
        *,
        bus: CommandBus,
        clock: Clock,
        security: Security | None = None,
        centre_key: str = "centre",
        log: NodeLog | None = None,
        heartbeat: float = 1.0,
        status_interval: float = 5.0,
        bulk: bool = True,
        on_applied: Callable[[list[Entry]], None] | None = None,
        context: zmq.Context | None = None,
        dedup_retention: float = DEDUP_RETENTION_S,
        key_poll: float = DEFAULT_POLL,
    ) -> None:
        """``context``: the ZeroMQ context every socket of the node lives in, made and terminated by
        whoever composes the node (``python main.py center|district``); without one the node makes its
        own at start and terminates it at stop. ``key_poll``: seconds between looks at the key folder
        (``nodes.key_watch``)."""
        self.district = district
        self.db_url = db_url
        self.centre = centre
        self.bind = bind
        self.bus = bus
        self.clock = clock
        self.security = security
        self.centre_key = centre_key
        self.log = log or NodeLog(f"district-{district}")
        self.heartbeat = heartbeat
        self.status_interval = status_interval
        self.bulk = bulk
        self.on_applied = on_applied
        self.dedup_retention = check_retention(dedup_retention)
        self.generation = 0
        self.context = context
        self._own_context = context is None
        self.teardown = Teardown()
        self.key_poll = key_poll
        self.key_watch: KeyWatch | None = None
        self.server: CloneServer | None = None
        self.clone: CloneClient | None = None
        self.upstream: CommandClient | None = None
        self.commands: CommandServer | None = None
        self.query_link: LinkClient | None = None
        self.engine = None
        self._stop = threading.Event()
        self._status_thread: threading.Thread | None = None
        self.initial_sync: dict[str, Any] = {}
        self._watchers: list[tuple[str, Watcher]] = []
        self._watch_lock = threading.Lock()
        self._own_lock = threading.Lock()
        self._upstream_ready = False
        self._credentials_synced = False
        self._own_waiting: list[tuple[str, bytes]] = []

    # --- start / stop ------------------------------------------------------------------------------
    def start(self) -> DistrictNode:
        if self.security is not None and self.security.me.role != f"district:{self.district}":
            raise ValueError(
                f"key {self.security.me.name!r} has role {self.security.me.role!r}, not district:{self.district}"
            )
        self.path = sqlite_path(resolve_url(self.db_url))
        self.engine = open_database(self.db_url)
        self.teardown.push("the database engine", self.engine.dispose)
        self.session_factory = session_factory(self.engine)
        if self._own_context:
            self.context = zmq.Context()
            self.teardown.push("the ZeroMQ context", self.context.term)
        # The centre, or the two of a failover pair: both clients follow whichever is active.
        (chost, cport), *more = parse_endpoints(self.centre)
        bhost, bport = parse_endpoint(self.bind)
        self.replica = DomainReplica(self.path, on_commit=self._on_replica_commit)
        self.query_link = LinkClient(
            self.centre, self.security, server=self.centre_key, heartbeat=self.heartbeat, context=self.context
        ).start()
        self.teardown.push("the query link", self.query_link.close)
        if self.bulk:
            self._initial_sync()
        self._journal_mode()
        # The people who may sign in here while the centre is away; fetched again every minute.
        self._credentials_synced = self._sync_credentials(timeout=3.0)
        items = list(self.replica.items())
        self.replica.close()  # reopened by the clone client's agent thread, which owns it from now on
        # Served to this district's consoles under its own numbering, above anything an earlier run
        # published (docs/protocol.md 3.7): the replica's entries carry the centre's numbers.
        reservations = ReservationStore(self.engine)
        seq_base = reservations.base()
        served = [e._replace(seq=seq) for seq, e in enumerate(items, start=seq_base + 1)]
        self.server = CloneServer(
            bhost,
            bport,
            security=self.security,
            context=self.context,
            heartbeat=self.heartbeat,
            write_policy=lambda peer, key: False,
            initial=served,
            initial_seq=seq_base + len(served),
            seq_base=seq_base,
            reserve=reservations.record,
        ).start()
        self.teardown.push("the clone server", self.server.stop)
        with self.session_factory() as s:
            for row in s.execute(sa.select(FORWARD).where(FORWARD.c.state == "queued")).mappings():
                self._publish_forward(dict(row))
        self.clone = CloneClient(
            chost,
            cport,
            more=more,
            security=self.security,
            server=self.centre_key,
            replica=self.replica,
            context=self.context,
            heartbeat=self.heartbeat,
            on_synced=self._on_synced,
            on_link=self._on_state_link,
        )
        self.teardown.push("the clone client", self.clone.stop)
        self.outbox = DbOutbox(self.path)
        self.upstream = CommandClient(
            chost,
            cport + 3,
            more=[(host, port + 3) for host, port in more],
            outbox=self.outbox,
            security=self.security,
            server=self.centre_key,
            context=self.context,
            heartbeat=self.heartbeat,
            on_reply=self._on_upstream_reply,
            on_link=self._on_command_link,
        )
        self.teardown.push("the upstream command client", self.upstream.stop)
        install(self.bus, "state.bulk", BulkSnapshots(self.server, initial=served).handle)
        install(self.bus, "state.position", position_command(self.server))
        install(self.bus, "link.status", lambda ctx, args: self.status())
        install(self.bus, "query.result", self._result)
        self.store = DbDedupStore(self.session_factory)
        # Its connection was opened by the command server's thread, stopped by then: a failure is expected.
        self.teardown.push("the applied-command store", self.store.close, quiet=True)
        self.teardown.push("the pruner", start_pruner(self.store, self.dedup_retention, self.log).stop)
        services = {
            "generation": lambda: self.generation,
            "pending_subjects": self._pending_subjects,
            "resolve_provisional": self._resolve_provisional,
        }
        self.commands = CommandServer(
            bhost,
            bport + 3,
            make_apply(self.bus, NodeRole("district", self.district, self.clock, services), self._forward),
            store=self.store,
            security=self.security,
            context=self.context,
        )
        self.teardown.push("the command server", self.commands.stop)
        self.clone.start()
        self.upstream.start()
        self.commands.start()
        self.key_watch = start_key_watch(self, self.bus, district=self.district, interval=self.key_poll)
        if self.key_watch is not None:
            self.teardown.push("the key watch", self.key_watch.stop)
        self._release_own()
        # What reached the replica before a crash (or during the bulk load) and was not handled yet.
        self._notify_watchers(items)
        self._status_thread = threading.Thread(
            target=self._status_loop, name="sanwei-district-status", daemon=True
        )
        self._status_thread.start()
        self.log.event(
            "ready",
            district=self.district,
            centre=self.centre,
            bind=self.bind,
            state_ports=[bport, bport + 1, bport + 2],
            command_port=bport + 3,
            keys=len(items),
            queued=self.upstream.link.queue_length,
            curve=self.security is not None,
            **{f"initial_{k}": v for k, v in self.initial_sync.items()},
        )
        return self

    def stop(self, drain: float = 2.0) -> None:
        self._stop.set()
        with self._own_lock:
            self._upstream_ready = False  # what a watcher queues from now on is sent after the next start
        if self.upstream is not None and drain > 0:
            # Give a live link a moment to empty the queue; what is left stays in the database.
            deadline = time.monotonic() + drain
            while self.upstream.link.up and self.upstream.link.queue_length and time.monotonic() < deadline:
                time.sleep(0.05)
        if self._status_thread is not None:
            self._status_thread.join(5)
        self.teardown.close()

    # --- the first synchronisation: bulk when the log cannot replay what is missing ---------------------
    def _initial_sync(self) -> None:
        assert self.query_link is not None
        have = self.replica.position()
        try:
            there = self.query_link.call("state.position", {}, timeout=3 * self.heartbeat + 2)
        except LinkError as exc:
            # Cut off at start: work from the replica as it is; the clone client catches up later.
            self.initial_sync = {"mode": "offline", "error": str(exc)[:200]}
            self.log.event(
                "centre_unreachable", "warning", error=str(exc)[:200], replica_seq=have.seq if have else None
            )
            return
        if log_covers(have, there):
            assert have is not None
            self.initial_sync = {"mode": "replay", "from_seq": have.seq, "centre_seq": there["seq"]}
            return
        started = time.monotonic()
        position, counts, waited = load_bulk(self.query_link, self.replica, replace=have is not None)
        self.initial_sync = {
            "mode": "bulk",
            "seq": position.seq,
            "seconds": round(time.monotonic() - started, 2),
            "waited_for_pages_s": round(waited, 2),
            **counts,
        }
        self.log.event("bulk_loaded", **self.initial_sync)

    # --- replica (clone client's agent thread) -------------------------------------------------------
    def _republish(self, entries: list[Entry]) -> None:
        """Serve the centre's picture to this district's own consoles, with the ttl it has left: what
        the replica committed, as one batch (one hand-over to the server's thread per commit rather
        than one per update, which cost a district more than applying the update)."""
        if self.server is None:  # the bulk load at start: the server is seeded with the replica
            return
        now = time.time()
        updates: list[tuple[str, bytes, dict[str, str] | None, float | None]] = []
        for entry in entries:
            if not entry.props:
                updates.append((entry.key, entry.body, None, None))
                continue
            props = {k: v for k, v in entry.props.items() if k not in ("ttl", "expires_at")}
            ttl = entry.ttl_left(now)
            if ttl is not None and ttl <= 0:
                continue
            updates.append((entry.key, entry.body, props, ttl))
        self.server.publish_many(updates)

    def _on_replica_commit(self, entries: list[Entry], mode: str | None) -> None:
        if any((k := classify(e.key)).spec is not None and k.spec.name in _ROUTING_SPECS for e in entries):
            self.generation += 1
        if mode is not None:
            self._journal_mode()
        self._notify_watchers(entries)
        if self.on_applied is not None:
            self.on_applied(entries)
        self._republish(entries)

    # --- watchers: the modes react to what the centre sends down (clone client's agent thread) ---------
    def watch(self, prefix: str, handler: Watcher) -> None:
        """Call ``handler(node, entries)`` with the replicated entries under ``prefix`` (a deletion has
        an empty body) each time the replica commits some, and once at start with every such entry the
        replica holds, so what arrived before a crash is not lost. Calls are serialised; a handler must
        be idempotent (it sees entries again at start) and quick. Register before ``start``."""
        self._watchers.append((prefix, handler))

    def _notify_watchers(self, entries: list[Entry]) -> None:
        for prefix, handler in self._watchers:
            mine = [e for e in entries if e.key.startswith(prefix)]
            if not mine:
                continue
            with self._watch_lock:
                try:
                    handler(self, mine)
                except Exception:
                    log.exception("watcher of %s failed", prefix)

    def queue_own(
        self,
        command: str,
        args: dict[str, Any],
        *,
        subject: str,
        also: Callable[[Any], None] | None = None,
    ) -> str | None:
        """Queue a command of this node's own for the centre (an acknowledgement of an order it got),
        at most once per (command, subject) however often it is asked: the row in ``link_forward`` and
        whatever ``also(session)`` writes commit together, and the outbox sends it until answered.
        Returns the forward id, or None when it was queued before."""
        with self.session_factory() as s, s.begin():
            # Take the write lock first (see BusTransaction): the check and the insert must not race.
            s.connection().exec_driver_sql("UPDATE link_forward SET state = state WHERE 0")
            done = s.scalar(
                sa.select(FORWARD.c.forward_id)
                .where(FORWARD.c.command == command, FORWARD.c.subject == subject)
                .limit(1)
            )
            if done is not None:
                return None
            fid = new_forward_id()
            body = encode_call(command, args, self.clock.now())
            row = {
                "forward_id": fid,
                "command": command,
                "body": body,
                "origin": "node",
                "state": "queued",
                "queued_at": time.time(),
                "subject": subject,
            }
            s.execute(sa.insert(FORWARD).values(**row))
            if also is not None:
                also(s)
        self._publish_forward(row)
        with self._own_lock:
            if not self._upstream_ready:
                # The outbox is not running yet (bulk load, start) or any more (stop): it loads the row
                # from the table when it starts; until then it waits here.
                self._own_waiting.append((fid, body))
            send_now = self._upstream_ready
        if send_now:
            self._submit_own(fid, body)
        self.log.event("queued", forward_id=fid, command=command, origin="node", subject=subject)
        return fid

    def _submit_own(self, fid: str, body: bytes) -> None:
        try:
            assert self.upstream is not None
            self.upstream.submit(body, fid)  # an id the outbox already holds is queued once
        except Exception as exc:  # stays queued in the database; sent after the next start
            self.log.event("submit_failed", "error", forward_id=fid, error=str(exc))

    def _release_own(self) -> None:
        with self._own_lock:
            self._upstream_ready = True
            waiting, self._own_waiting = self._own_waiting, []
        for fid, body in waiting:
            self._submit_own(fid, body)

    def _journal_mode(self) -> None:
        """The city's mode is the last ``mode.switched`` event of the journal: a district records the
        centre's switches in its own journal, so the local readers of the mode agree with the centre."""
        with self.session_factory() as s, s.begin():
            row = s.execute(sa.text("SELECT body FROM link_replica_entry WHERE key = '/mode'")).first()
            if row is None:
                return
            doc = unpack(bytes(row[0]))
            local = current_mode(s).value
            if doc.get("mode") and doc["mode"] != local:
                journal.append(
                    s,
                    journal.NewEvent(
                        kind=MODE_EVENT,
                        actor=doc.get("actor") or "centre",
                        at=self.clock.now(),
                        subject=f"mode:{doc['mode']}",
                        payload={
                            "from": local,
                            "to": doc["mode"],
                            "role": doc.get("role"),
                            "source": "centre",
                        },
                    ),
                )
                self.log.event("mode", mode=doc["mode"], previous=local)

    def _on_synced(self, info: SyncInfo) -> None:
        self.log.event(
            "synced", mode=info.mode, seq=info.seq, count=info.count, seconds=round(info.seconds, 3)
        )

    def _on_state_link(self, state: CloneLinkState) -> None:
        self.log.event(
            "state_link",
            "info" if state.up else "warning",
            up=state.up,
            synced=state.synced,
            seq=state.seq,
            endpoint=state.endpoint,
        )

    def _on_command_link(self, state: LinkState) -> None:
        self.log.event(
            "command_link",
            "info" if state.up else "warning",
            up=state.up,
            queue=state.queue_length,
            last_error=state.last_error,
            endpoint=state.endpoint,
        )

    # --- forwarding (command server's agent thread, then the upstream client's) -----------------------
    def _forward(
        self, ctx: CallContext, spec: CommandSpec, args: dict[str, Any], at: dt.datetime, result: Any
    ) -> dict:
        assert ctx.forward_id is not None
        forwarded = dict(ctx.forward_args or args)
        if ctx.person is not None and ctx.person.login:
            # The centre takes the person from its own staff row; this node vouches it signed in here.
            forwarded["login"] = ctx.person.login
        body = encode_call(spec.name, forwarded, at)
        provisional = result.get("id") if spec.name == "case.report" and isinstance(result, dict) else None
        row = {
            "forward_id": ctx.forward_id,
            "command": spec.name,
            "body": body,
            "origin": ctx.peer.name,
            "state": "queued",
            "queued_at": time.time(),
            "provisional_case": provisional if isinstance(provisional, int) and provisional < 0 else None,
            "subject": ctx.forward_subject,
        }
        ctx.session.execute(sa.insert(FORWARD).values(**row))
        fid = ctx.forward_id

        def submit() -> None:
            try:
                assert self.upstream is not None
                self.upstream.submit(body, fid)
            except Exception as exc:  # stays queued in the database; sent after the next start
                self.log.event("submit_failed", "error", forward_id=fid, error=str(exc))
            self._publish_forward(row)
            self.log.event(
                "queued", forward_id=fid, command=spec.name, origin=ctx.peer.name, subject=row["subject"]
            )

        ctx.after_commit(submit)
        return {"queued": True, "forward_id": fid, "command": spec.name, "provisional": result}

    def _on_upstream_reply(self, reply: CommandReply) -> None:
        db = self.outbox.db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT command, subject, origin, queued_at FROM link_forward WHERE forward_id = ?",
                (reply.command_id,),
            ).fetchone()
            if row is None:
                db.execute("COMMIT")
                return
            command, subject, origin, queued_at = row
            real_case = reason = None
            if reply.status == STATUS_OK:
                state = "ok"
                result = decode_result(reply.body)
                if command == "case.report" and isinstance(result, dict):
                    real_case = result.get("id")
                # A provisional report gives way to the centre's case (which the state channel brings).
                undo = command == "case.report"
            else:
                state = _FAILED_STATES.get(reply.status, "invalid")
                reason = reply.body.decode(errors="replace")
                undo = True  # the centre's rules won: the provisional change is undone
            if undo and subject:
                revert_rows(db, [subject])
            db.execute(
                "UPDATE link_forward SET state = ?, answered_at = ?, reply = ?, reason = ?, real_case = ?"
                " WHERE forward_id = ?",
                (state, time.time(), reply.body, reason, real_case, reply.command_id),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._publish_forward(
            {"forward_id": reply.command_id, "command": command, "state": state, "reason": reason,
             "real_case": real_case, "subject": subject, "origin": origin, "queued_at": queued_at}
        )  # fmt: skip
        self.log.event(
            {"ok": "answered", "expired": "expired"}.get(state, "refused"),
            "info" if state == "ok" else "warning",
            forward_id=reply.command_id,
            command=command,
            subject=subject,
            reason=reason,
            real_case=real_case,
            waited_s=round(time.time() - queued_at, 3),
        )

    def _publish_forward(self, row: dict[str, Any]) -> None:
        """``/district/<code>/queue/<forward id>`` on this district's own state channel: its consoles see
        what is queued, and why the centre refused what it refused (kept an hour after the answer)."""
        if self.server is None:
            return
        doc = {
            k: row.get(k)
            for k in (
                "forward_id",
                "command",
                "state",
                "subject",
                "origin",
                "queued_at",
                "reason",
                "real_case",
            )
        }
        ttl = None if row.get("state") == "queued" else 3600.0
        self.server.publish(f"/district/{self.district}/queue/{row['forward_id']}", pack(doc), ttl=ttl)

    def _pending_subjects(self, session) -> set[str]:
        return set(session.scalars(sa.select(FORWARD.c.subject).where(FORWARD.c.state == "queued")))

    def _resolve_provisional(self, session, case_id: int) -> int | None:
        return session.scalar(
            sa.select(FORWARD.c.real_case).where(
                FORWARD.c.provisional_case == case_id, FORWARD.c.real_case.is_not(None)
            )
        )

    def _result(self, ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
        row = (
            ctx.session.execute(
                sa.select(FORWARD).where(FORWARD.c.forward_id == str(args.get("forward_id") or ""))
            )
            .mappings()
            .first()
        )
        if row is None:
            raise CommandRefused(f"no forwarded command {args.get('forward_id')!r} here")
        doc: dict[str, Any] = {
            "forward_id": row["forward_id"],
            "command": row["command"],
            "state": row["state"],
            "queued_at": wall_time(row["queued_at"]),
            "answered_at": wall_time(row["answered_at"]),
            "reason": row["reason"],
            "real_case": row["real_case"],
        }
        if row["state"] == "ok" and row["reply"] is not None:
            doc["result"] = decode_result(bytes(row["reply"]))
        if row["state"] == "queued" and self.upstream is not None:
            link = self.upstream.link
            doc["link"] = {"up": link.up, "since": wall_time(link.since), "queue_length": link.queue_length,
                           "last_error": link.last_error}  # fmt: skip
        return doc

    # --- status ------------------------------------------------------------------------------------------
    def _status_loop(self) -> None:
        # The first report goes out as soon as the state link is up (polled every half second), so
        # the centre's ``link status`` lists a district from its first seconds, not after a period.
        reported = False
        synced_at = time.monotonic() if self._credentials_synced else -math.inf
        while not self._stop.wait(self.status_interval if reported else min(0.5, self.status_interval)):
            try:
                reported = self._report_status() or reported
            except Exception:
                log.exception("district status report failed")
            if reported and time.monotonic() - synced_at >= CREDENTIALS_EVERY_S:
                synced_at = time.monotonic() if self._sync_credentials() else synced_at

    def _sync_credentials(self, timeout: float = 10.0) -> bool:
        """Fetch the password hashes of this district's people and the city's officers, so log-ins are
        checked here while the centre is unreachable (auth.credentials_for_district)."""
        try:
            doc = self.query_link.call("query.credentials", {}, timeout=timeout)
        except (LinkError, LinkRefused) as exc:
            self.log.event("credentials_not_synced", "warning", error=str(exc))
            return False
        with self.session_factory() as s, s.begin():
            changed = auth.store_credentials(s, doc.get("credentials") or [])
        if changed:
            self.log.event("credentials_synced", changed=changed, logins=len(doc.get("credentials") or []))
        return True

    def _report_status(self) -> bool:
        assert self.clone is not None and self.upstream is not None
        state, cmd = self.clone.link, self.upstream.link
        if not state.up:
            return False
        doc = {
            "district": self.district,
            "queue": cmd.queue_length,
            "commands_up": cmd.up,
            "state_up": state.up,
            "seq": state.seq,
            "epoch": state.epoch,
            "at": time.time(),
        }
        self.clone.write(district_status_key(self.district), pack(doc), ttl=3 * self.status_interval)
        return True

    def status(self) -> dict[str, Any]:
        assert self.clone is not None and self.upstream is not None and self.server is not None
        state, cmd = self.clone.link, self.upstream.link
        lag = None
        if self.query_link is not None and state.up:
            try:
                there = self.query_link.call("state.position", {}, timeout=1.0)
                if there["epoch"] == state.epoch:
                    lag = there["seq"] - state.seq
            except LinkError:
                pass
        with self.session_factory() as s:
            queued = s.execute(
                sa.select(
                    FORWARD.c.forward_id,
                    FORWARD.c.command,
                    FORWARD.c.subject,
                    FORWARD.c.origin,
                    FORWARD.c.queued_at,
                )
                .where(FORWARD.c.state == "queued")
                .order_by(FORWARD.c.position)
                .limit(100)
            ).all()
            recent = s.execute(
                sa.select(
                    FORWARD.c.forward_id,
                    FORWARD.c.command,
                    FORWARD.c.state,
                    FORWARD.c.reason,
                    FORWARD.c.answered_at,
                )
                .where(FORWARD.c.state != "queued")
                .order_by(FORWARD.c.position.desc())
                .limit(20)
            ).all()
        info = self.server.info()
        return {
            "node": "district",
            "district": self.district,
            "identity": self.security.me.name if self.security else None,
            "centre": self.centre,
            "bind": self.bind,
            "commands": {
                "up": cmd.up,
                "since": wall_time(cmd.since),
                "down_for_s": None if cmd.up else seconds_since(cmd.since),
                "queue_length": cmd.queue_length,
                "last_heartbeat": wall_time(cmd.last_heartbeat),
                "head_attempts": cmd.head_attempts,
                "last_error": cmd.last_error,
                "endpoint": cmd.endpoint,  # the active centre of a pair
            },
            "state": {
                "up": state.up,
                "synced": state.synced,
                "since": wall_time(state.since),
                "down_for_s": None if state.up else seconds_since(state.since),
                "seq": state.seq,
                "epoch": state.epoch,
                "last_heartbeat": wall_time(state.last_heartbeat),
                "lag": lag,
                "endpoint": state.endpoint,
            },
            "queue": [
                {
                    "forward_id": f,
                    "command": c,
                    "subject": sub,
                    "origin": o,
                    "queued_at": wall_time(q),
                    "age_s": seconds_since(q),
                }
                for f, c, sub, o, q in queued
            ],
            "recent": [
                {"forward_id": f, "command": c, "state": st, "reason": r, "answered_at": wall_time(a)}
                for f, c, st, r, a in recent
            ],
            "children": [
                {"name": name, "last_seen": wall_time(t), "age_s": seconds_since(t)}
                for name, t in sorted(self.commands.peers().items())
            ]
            if self.commands is not None
            else [],
            "serving": {"epoch": info["epoch"], "seq": info["seq"], "keys": info["keys"]},
            "allow_list": self.key_watch.status() if self.key_watch is not None else None,
            "stats": {
                "state": self.clone.stats.snapshot(),
                "commands": self.upstream.stats.snapshot(),
            },
        }
