"""The municipal centre as a running node: the city's database, its shared picture served on a
``CloneServer`` (P, P+1, P+2) built from the database and kept current by a ``JournalFollower``, and
the commands that change it applied on a ``CommandServer`` (P+3) through a ``CommandBus``
(docs/protocol.md section 7.1)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import sqlalchemy as sa
import zmq

from comms.clone import CloneServer
from comms.commands import CommandServer
from comms.keys import Security
from comms.records import Peer
from comms.wire import Entry
from data import journal
from data.db import open_database, resolve_url, session_factory
from modes.common.clock import Clock
from modes.common.command_bus import CommandBus, DbDedupStore, NodeRole, call_local, make_apply
from modes.common.picture import CASE_WINDOW_DAYS, Touched, build_state, classify, unpack
from modes.exercises.exercises import running_exercise_ids
from nodes.client import parse_endpoint
from nodes.exercise_driver import ExerciseDriver
from nodes.follower import JournalFollower
from nodes.key_watch import DEFAULT_POLL, KeyWatch, start_key_watch
from nodes.logs import NodeLog, seconds_since, wall_time
from nodes.replica import WAL_BACKSTOP_PAGES, WalCheckpointer
from nodes.state_commands import BulkSnapshots, install, position_command
from nodes.teardown import Teardown

log = logging.getLogger("sanwei.node")


def _background_checkpoints(engine: sa.Engine) -> WalCheckpointer | None:
    """A SQLite centre's commands commit without copying the WAL back into the file: SQLite would do
    it inside one command's commit every 1,000 pages, syncing the file twice, and that command (and
    those queued behind it) would wait. The node's own connections leave it to a ``WalCheckpointer``
    (poked after each command), down to a backstop (see ``DomainReplica``). PostgreSQL needs none of
    this."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None

    def backstop_only(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        cursor.close()

    sa.event.listen(engine, "connect", backstop_only)
    engine.dispose()  # the schema upgrade's pooled connections predate the listener
    return WalCheckpointer(url.database)


class CentreNode:
    """The municipal centre: the city's database, its shared picture, and the commands that change it."""

    def __init__(
        self,
        db_url: str | None,
        bind: str,
        *,
        bus: CommandBus,
        clock: Clock,
        security: Security | None = None,
        log: NodeLog | None = None,
        heartbeat: float = 1.0,
        poll_interval: float = 0.05,
        case_window_days: float = CASE_WINDOW_DAYS,
        context: zmq.Context | None = None,
        key_poll: float = DEFAULT_POLL,
    ) -> None:
        """``context``: the ZeroMQ context every socket of the node lives in, made and terminated by
        whoever composes the node (``python main.py center|district``); without one the node makes its
        own at start and terminates it at stop. ``key_poll``: seconds between looks at the key folder
        (``nodes.key_watch``)."""
        self.db_url = db_url
        self.bind = bind
        self.host, self.port = parse_endpoint(bind)
        self.bus = bus
        self.clock = clock
        self.security = security
        self.log = log or NodeLog("centre")
        self.heartbeat = heartbeat
        self.poll_interval = poll_interval
        self.case_window_days = case_window_days
        self.roster: dict[str, str] = {}
        self.context = context
        self._own_context = context is None
        self.server: CloneServer | None = None
        self.commands: CommandServer | None = None
        self.follower: JournalFollower | None = None
        self.engine = None
        self.checkpointer: WalCheckpointer | None = None
        self.teardown = Teardown()
        self.key_poll = key_poll
        self.key_watch: KeyWatch | None = None

    def start(self) -> CentreNode:
        started = time.monotonic()
        # The centre serves a city that exists: a mistyped path must not become an empty city.
        self.engine = open_database(self.db_url, create=False)
        self.teardown.push("the database engine", self.engine.dispose)
        self.checkpointer = _background_checkpoints(self.engine)
        if self.checkpointer is not None:
            self.teardown.push("the checkpointer", self.checkpointer.stop)
        self.session_factory = session_factory(self.engine)
        with self.session_factory() as s, s.begin():
            after = journal.last_seq(s)
            state = build_state(s, self.clock.now(), self.case_window_days)
            self._load_roster(s)
        built = time.monotonic() - started
        wall = time.time()
        entries = []
        for seq, (key, item) in enumerate(state.items(), start=1):
            props = (
                {} if item.ttl is None else {"ttl": f"{item.ttl:.3f}", "expires_at": f"{wall + item.ttl:.3f}"}
            )
            entries.append(Entry.make(key, seq, b"", props, item.body))
        if self._own_context:
            self.context = zmq.Context()
            self.teardown.push("the ZeroMQ context", self.context.term)
        self.server = CloneServer(
            self.host,
            self.port,
            security=self.security,
            context=self.context,
            heartbeat=self.heartbeat,
            write_policy=self._write_policy,
            read_policy=self._read_policy,
            on_write=self._on_write,
            initial=entries,
            initial_seq=len(entries),
        ).start()
        self.teardown.push("the clone server", self.server.stop)
        self.follower = JournalFollower(
            self.session_factory,
            lambda key, body, ttl: self.server.publish(key, body, ttl=ttl),
            self.clock,
            published={k: v.body for k, v in state.items() if v.ttl is None},
            after_seq=after,
            interval=self.poll_interval,
            case_window_days=self.case_window_days,
            on_batch=self._on_batch,
            publish_many=lambda items: self.server.publish_many((k, b, None, t) for k, b, t in items),
        ).start()
        self.teardown.push("the journal follower", self.follower.stop)
        self.bulk = BulkSnapshots(self.server, initial=entries)
        install(self.bus, "state.bulk", self.bulk.handle)
        install(self.bus, "state.position", position_command(self.server))
        install(self.bus, "link.status", lambda ctx, args: self.status())
        services = {"generation": lambda: self.follower.generation}
        self.store = DbDedupStore(self.session_factory, on_commit=self._after_command)
        # Its connection was opened by the command server's thread, stopped by then: a failure is expected.
        self.teardown.push("the applied-command store", self.store.close, quiet=True)
        self.commands = CommandServer(
            self.host,
            self.port + 3,
            make_apply(self.bus, NodeRole("centre", None, self.clock, services)),
            store=self.store,
            security=self.security,
            context=self.context,
        ).start()
        self.teardown.push("the command server", self.commands.stop)
        self.key_watch = start_key_watch(self, self.bus, district=None, interval=self.key_poll)
        if self.key_watch is not None:
            self.teardown.push("the key watch", self.key_watch.stop)
        # The city's exercises run here: their injects go out on the exercise clock through this bus.
        self.exercises: ExerciseDriver | None = None
        self._exercise_services: dict[str, Any] = {}  # the handlers' caches, kept across ticks
        if self.bus.spec("exercise.tick") is not None:  # a bus without the exercise commands runs none
            self.exercises = ExerciseDriver(self._exercise_tick).start()
            self.teardown.push("the exercise driver", self.exercises.stop)
        self.log.event(
            "ready",
            bind=self.bind,
            state_ports=[self.port, self.port + 1, self.port + 2],
            command_port=self.port + 3,
            keys=len(entries),
            journal_seq=after,
            epoch=self.server.epoch,
            curve=self.security is not None,
            build_seconds=round(built, 2),
            db=resolve_url(self.db_url).split("?")[0],
        )
        return self

    def stop(self) -> None:
        """Stop what ``start`` started, in the reverse order (also after a start that failed halfway)."""
        self.teardown.close()

    def _exercise_tick(self) -> dict[str, Any]:
        # A read first: with no exercise running, no write transaction (SQLite's lock) every half second.
        with self.session_factory() as s:
            if not running_exercise_ids(s):
                return {"exercises": []}
        result = call_local(
            self.bus, self.session_factory, self.clock, "exercise.tick", {}, services=self._exercise_services
        )
        if any(ex.get("delivered") or ex.get("refused") for ex in result.get("exercises", ())):
            self._after_command()
        return result

    def _after_command(self) -> None:
        assert self.follower is not None
        self.follower.wake()
        if self.checkpointer is not None:
            self.checkpointer.poke()

    # --- policies and callbacks (clone server's agent thread) ----------------------------------------
    def _load_roster(self, session) -> None:
        from data.models import Supervisor

        self.roster = dict(session.execute(sa.select(Supervisor.code, Supervisor.district_code)).all())

    def _write_policy(self, peer: Peer, key: str) -> bool:
        """Clients write only live positions (a district: of its own supervisors) and their own status
        under ``/district/<code>/``; every other change goes through a command and the rules."""
        kind = classify(key)
        scope = peer.role_scope
        if kind.kind == "position":
            return scope is None or self.roster.get(kind.values[0]) == scope
        if kind.kind != "other" or not key.startswith("/district/"):
            return False
        return scope is None or key.startswith(f"/district/{scope}/")

    def _read_policy(self, peer: Peer, subtree: str) -> bool:
        scope = peer.role_scope
        if scope is None or not subtree.startswith("/district/"):
            return True
        rest = subtree[len("/district/") :]
        return rest == "" or rest == scope or rest.startswith(f"{scope}/")

    def _on_write(self, peer: Peer, entry: Entry) -> None:
        kind = classify(entry.key)
        if kind.kind != "position" or not entry.body or self.follower is None:
            return
        try:
            doc = unpack(entry.body)
            at = doc.get("at")
            when = dt.datetime.fromisoformat(at) if isinstance(at, str) else self.clock.now()
            self.follower.record_position(kind.values[0], float(doc["x"]), float(doc["y"]), when)
        except (ValueError, TypeError, KeyError) as exc:
            self.log.event("bad_position", "warning", peer=peer.name, key=entry.key, error=str(exc))

    def _on_batch(self, seq: int, sent: int, touched: Touched) -> None:
        if "supervisor" in touched.tables:
            with self.session_factory() as s:
                self._load_roster(s)
        if touched.tables:
            self.log.event("rescan", tables=sorted(touched.tables), journal_seq=seq, published=sent)

    # --- status ------------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        assert self.server is not None and self.commands is not None and self.follower is not None
        info = self.server.info()
        seq = int(info["seq"])
        roles = {}
        if self.security is not None:
            roles = {name: self.security.keyring[name].role for name in self.security.keyring.names()}
        peers = [
            {"name": name, "role": roles.get(name, ""), "last_seen": wall_time(t), "age_s": seconds_since(t)}
            for name, t in sorted(self.commands.peers().items())
        ]
        districts = {}
        for key, entry in self.server.dump("/district/").items():
            if not key.endswith("/link"):
                continue
            try:
                doc = unpack(entry.body)
            except Exception:
                continue
            code = key.split("/")[2]
            doc["lag"] = seq - int(doc.get("seq") or 0) if doc.get("epoch") == info["epoch"] else None
            districts[code] = doc
        return {
            "node": "centre",
            "identity": self.security.me.name if self.security else None,
            "bind": self.bind,
            "epoch": info["epoch"],
            "seq": seq,
            "keys": info["keys"],
            "journal_seq": self.follower.seq,
            "follower_errors": self.follower.errors,
            "peers": peers,
            "allow_list": self.key_watch.status() if self.key_watch is not None else None,
            "districts": districts,
            "stats": {"state": self.server.stats.snapshot(), "commands": self.commands.stats.snapshot()},
        }
