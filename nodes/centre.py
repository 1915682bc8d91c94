"""The municipal centre as a running node: the city's database, its shared picture served on a
``CloneServer`` (P, P+1, P+2) built from the database and kept current by a ``JournalFollower``, and
the commands that change it applied on a ``CommandServer`` (P+3) through a ``CommandBus``
(docs/protocol.md section 7.1)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import zmq

from comms.bstar import BinaryStar, State
from comms.clone import CloneServer
from comms.commands import CommandServer
from comms.keys import Security
from comms.records import CommandRefused, Peer
from comms.retention import DEDUP_RETENTION_S, check_retention
from comms.wire import Entry
from data import journal
from data.db import open_database, resolve_url, session_factory
from modes.common.clock import Clock
from modes.common.command_bus import CommandBus, DbDedupStore, NodeRole, call_local, decode_call, make_apply
from modes.common.picture import CASE_WINDOW_DAYS, Touched, build_state, classify, unpack
from modes.exercises.exercises import running_exercise_ids
from nodes.cap_hooks import CapDeliverer
from nodes.client import parse_endpoint
from nodes.exercise_driver import ExerciseDriver
from nodes.follower import JournalFollower
from nodes.key_watch import DEFAULT_POLL, KeyWatch, start_key_watch
from nodes.logs import NodeLog, seconds_since, wall_time
from nodes.pruning import start_pruner
from nodes.replica import WAL_BACKSTOP_PAGES, WalCheckpointer, sqlite_path
from nodes.sequence_store import ReservationStore
from nodes.standby import JOURNAL_MARK, Standby, journal_mark, probe_active, state_log
from nodes.state_commands import BulkSnapshots, install, position_command
from nodes.teardown import Teardown

log = logging.getLogger("sanwei.node")


def background_checkpoints(engine: sa.Engine) -> WalCheckpointer | None:
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


@dataclass(frozen=True)
class PairConfig:
    """This centre's place in a failover pair (docs/protocol.md section 8): ``role`` PRIMARY or BACKUP,
    ``peer`` the other centre's base endpoint (its heartbeat is on P+4), ``peer_key`` its key's name."""

    role: State
    peer: str
    peer_key: str = "centre"
    heartbeat: float = 1.0
    hold_timeout: float = 2.0

    @property
    def peer_heartbeat(self) -> tuple[str, int]:
        host, port = parse_endpoint(self.peer)
        return host, port + 4

    @staticmethod
    def copies(db_url: str | None) -> bool:
        """A pair on SQLite files keeps two copies of the city (the passive one follows); a pair on
        PostgreSQL shares one database, made highly available by PostgreSQL's own replication."""
        return sa.engine.make_url(resolve_url(db_url)).get_backend_name() == "sqlite"


def _left(props: dict[str, str], wall: float) -> dict[str, str]:
    """An entry's properties as a new server publishes it: a ttl becomes the time it has left."""
    if "ttl" not in props:
        return {}
    try:
        left = min(float(props["ttl"]), float(props.get("expires_at", "inf")) - wall)
    except ValueError:
        return {}
    left = max(left, 0.001)
    return {"ttl": f"{left:.3f}", "expires_at": f"{wall + left:.3f}"}


def _diagnostic(body: bytes) -> bool:
    """A command a passive centre answers: ``link.status`` and the pair's own switches (``link.*``
    change nothing in the city)."""
    try:
        name, _, _ = decode_call(body)
    except Exception:
        return False
    return isinstance(name, str) and name.startswith("link.")


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
        pair: PairConfig | None = None,
        seq_floor: int = 0,
        dedup_retention: float = DEDUP_RETENTION_S,
        key_poll: float = DEFAULT_POLL,
    ) -> None:
        """``context``: the ZeroMQ context every socket of the node lives in, made and terminated by
        whoever composes the node (``python main.py center|district``); without one the node makes its
        own at start and terminates it at stop. ``seq_floor``: a state sequence number known to have
        been used elsewhere (a failed peer's reservation); the picture is numbered above it and above
        the reservation this node recorded last (docs/protocol.md 3.7). ``key_poll``: seconds between looks at
        the key folder (``nodes.key_watch``)."""
        self.seq_floor = seq_floor
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
        self.dedup_retention = check_retention(dedup_retention)
        self.roster: dict[str, str] = {}
        self.context = context
        self._own_context = context is None
        self.server: CloneServer | None = None
        self.commands: CommandServer | None = None
        self.follower: JournalFollower | None = None
        self.engine = None
        self.checkpointer: WalCheckpointer | None = None
        self.teardown = Teardown()
        self.pair = pair
        self.bstar: BinaryStar | None = None
        self.standby: Standby | None = None
        self.serving = False
        self._serve_lock = threading.RLock()
        self._confirmed = 0  # the journal number the standby confirmed holding
        self._committed = False  # a command committed since the last reply was held
        self._standby_keeping_up = True  # False from a reply released unconfirmed to the next confirmation
        self._late_seen = 0
        self.key_poll = key_poll
        self.key_watch: KeyWatch | None = None

    def start(self) -> CentreNode:
        started = time.monotonic()
        pair = self.pair
        copies = pair is not None and pair.copies(self.db_url)
        # The centre serves a city that exists: a mistyped path must not become an empty city. A backup
        # that keeps its own copy may start from nothing: it loads the active centre's city.
        self.engine = open_database(self.db_url, create=copies and pair.role == State.BACKUP)
        self.teardown.push("the database engine", self.engine.dispose)
        self.checkpointer = background_checkpoints(self.engine)
        if self.checkpointer is not None:
            self.teardown.push("the checkpointer", self.checkpointer.stop)
        self.session_factory = session_factory(self.engine)
        # The state channel is numbered above anything an earlier run (or the peer) may have published,
        # so plain CHP clients never see the sequence go back (docs/protocol.md 3.7).
        self.reservations = ReservationStore(self.engine)
        if self._own_context:
            self.context = zmq.Context()
            self.teardown.push("the ZeroMQ context", self.context.term)
        self.teardown.push("serving", self._stop_serving)
        install(self.bus, "link.status", lambda ctx, args: self.status())
        if pair is not None:
            install(self.bus, "state.log", state_log(self.security))
            install(self.bus, "link.heartbeat", self._heartbeat_switch)
        services = {"generation": lambda: self.follower.generation if self.follower else 0}
        self.store = DbDedupStore(self.session_factory, on_commit=self._after_command)
        # Its connection was opened by the command server's thread, stopped by then: a failure is expected.
        self.teardown.push("the applied-command store", self.store.close, quiet=True)
        self.teardown.push("the pruner", start_pruner(self.store, self.dedup_retention, self.log).stop)
        self.commands = CommandServer(
            self.host,
            self.port + 3,
            make_apply(self.bus, NodeRole("centre", None, self.clock, services)),
            store=self.store,
            security=self.security,
            context=self.context,
            active=None if pair is None else self._client_request,
            hold=self._hold if copies else None,
            answers_passive=_diagnostic,
            hold_timeout=pair.hold_timeout if pair is not None else 2.0,
        ).start()
        self.teardown.push("the command server", self.commands.stop)
        if pair is None:
            self._serve()
        else:
            self.bstar = BinaryStar(
                pair.role,
                (self.host, self.port + 4),
                pair.peer_heartbeat,
                security=self.security,
                peer_key=pair.peer_key,
                context=self.context,
                heartbeat=pair.heartbeat,
                on_change=self._on_pair_change,
                on_peer=self._on_peer,
                peer_alive=self._peer_alive,
            )
            self.teardown.push("the pair's heartbeat", self.bstar.stop)
            self.bstar.announce(journal=self._journal_seq())
            self.bstar.start()
        self.key_watch = start_key_watch(self, self.bus, district=None, interval=self.key_poll)
        if self.key_watch is not None:
            self.teardown.push("the key watch", self.key_watch.stop)
        # The city's exercises run here: their injects go out on the exercise clock through this bus.
        self.exercises: ExerciseDriver | None = None
        self._exercise_services: dict[str, Any] = {}  # the handlers' caches, kept across ticks
        if self.bus.spec("exercise.tick") is not None:  # a bus without the exercise commands runs none
            self.exercises = ExerciseDriver(self._exercise_tick).start()
            self.teardown.push("the exercise driver", self.exercises.stop)
        # The city's CAP alerts go to its outbound hooks from here, while this centre serves.
        self.cap_deliverer: CapDeliverer | None = None
        if self.bus.spec("cap.attempt_start") is not None:
            self.cap_deliverer = CapDeliverer(
                self.session_factory, self._cap_record, clock=self.clock, active=lambda: self.serving
            ).start()
            self.teardown.push("the CAP deliverer", self.cap_deliverer.stop)
        self.log.event(
            "ready",
            bind=self.bind,
            state_ports=[self.port, self.port + 1, self.port + 2],
            command_port=self.port + 3,
            pair=None if pair is None else {"role": pair.role.value, "peer": pair.peer, "copies": copies},
            serving=self.serving,
            keys=self.server.info()["keys"] if self.server is not None else None,
            epoch=self.server.epoch if self.server is not None else None,
            seq_base=self.seq_base if self.server is not None else None,
            curve=self.security is not None,
            start_seconds=round(time.monotonic() - started, 2),
            db=resolve_url(self.db_url).split("?")[0],
        )
        return self

    # --- serving: the state channel and the journal follower (the active centre only) ---------------------
    def _serve(self, items: list[Entry] | None = None, seq_floor: int = 0) -> None:
        """Start serving the picture: built from the database, or (a standby taking over) from the
        replica's entries as the active centre served them, numbered above ``seq_floor``."""
        with self._serve_lock:
            if self.serving:
                return
            started = time.monotonic()
            with self.session_factory() as s, s.begin():
                after = journal.last_seq(s)
                self._load_roster(s)
                if items is None:
                    state = build_state(s, self.clock.now(), self.case_window_days)
            wall = time.time()
            seq_floor = self.reservations.base(max(seq_floor, self.seq_floor))
            self.seq_base = seq_floor
            entries = []
            published: dict[str, bytes] = {}
            if items is None:
                for seq, (key, item) in enumerate(state.items(), start=seq_floor + 1):
                    props = (
                        {}
                        if item.ttl is None
                        else {"ttl": f"{item.ttl:.3f}", "expires_at": f"{wall + item.ttl:.3f}"}
                    )
                    entries.append(Entry.make(key, seq, b"", props, item.body))
                    if item.ttl is None:
                        published[key] = item.body
            else:
                for seq, e in enumerate(items, start=seq_floor + 1):
                    entries.append(Entry.make(e.key, seq, b"", _left(e.props, wall), e.body))
                    if "ttl" not in e.props:
                        published[e.key] = e.body
            if self.pair is not None:
                entries.append(
                    Entry.make(JOURNAL_MARK, seq_floor + len(entries) + 1, b"", {}, journal_mark(after))
                )
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
                initial_seq=seq_floor + len(entries),
                seq_base=seq_floor,
                reserve=self.reservations.record,
            ).start()
            self.follower = JournalFollower(
                self.session_factory,
                lambda key, body, ttl: self.server.publish(key, body, ttl=ttl),
                self.clock,
                published=published,
                after_seq=after,
                interval=self.poll_interval,
                case_window_days=self.case_window_days,
                on_batch=self._on_batch,
                publish_many=lambda items: self.server.publish_many((k, b, None, t) for k, b, t in items),
            ).start()
            self.bulk = BulkSnapshots(self.server, initial=entries)
            install(self.bus, "state.bulk", lambda ctx, args: self.bulk.handle(ctx, args))
            install(self.bus, "state.position", lambda ctx, args: position_command(self.server)(ctx, args))
            self.serving = True
            if self.bstar is not None:
                self.bstar.announce(reserved=self.server.reserved)
            self.log.event(
                "serving",
                keys=len(entries),
                journal_seq=after,
                epoch=self.server.epoch,
                seq=self.server.info()["seq"],
                from_replica=items is not None,
                build_seconds=round(time.monotonic() - started, 2),
            )

    def _stop_serving(self) -> None:
        with self._serve_lock:
            if self.follower is not None:
                self.follower.stop()
                self.follower = None
            if self.server is not None:
                self.server.stop()
                self.server = None
            self.serving = False
            if self.standby is not None:
                self.standby.stop()
                self.standby = None

    # --- the pair -----------------------------------------------------------------------------------------
    def _client_request(self) -> bool:
        """The command server asks before each PING and command: may this node serve? (Binary Star's
        client request: a passive centre whose peer is lost takes over here.)"""
        assert self.bstar is not None
        return self.bstar.client_request() and self.serving

    def _on_pair_change(self, new: State, old: State, why: str) -> None:
        self.log.event("pair", "warning", state=new.value, was=old.value, why=why)
        if new == State.ACTIVE:
            self._take_over()
        elif new == State.PASSIVE:
            if self.serving:
                self._stop_serving()  # two active centres met: this one steps down
            # Loading the copy takes a while: not in the heartbeat's thread, which must keep beating.
            threading.Thread(target=self._follow, name="sanwei-standby-start", daemon=True).start()

    def _follow(self) -> None:
        """Stand by: keep a copy of the active centre's city (a pair on one shared database needs none)."""
        assert self.pair is not None
        with self._serve_lock:
            if not self.pair.copies(self.db_url) or self.standby is not None or self.serving:
                return
            self._start_standby()

    def _start_standby(self) -> None:
        assert self.pair is not None
        self.standby = Standby(
            self.pair.peer,
            sqlite_path(resolve_url(self.db_url)),
            self.session_factory,
            security=self.security,
            peer_key=self.pair.peer_key,
            context=self.context,
            heartbeat=self.heartbeat,
            confirm=lambda seq: self.bstar.announce(confirmed=seq) if self.bstar else None,
            log=self.log,
        )
        try:
            self.standby.start()
        except Exception as exc:
            self.log.event("standby_failed", "error", error=f"{type(exc).__name__}: {exc}"[:300])
            self.standby.stop()
            self.standby = None

    def _take_over(self) -> None:
        with self._serve_lock:
            self._take_over_locked()

    def _take_over_locked(self) -> None:
        started = time.monotonic()
        items = None
        floor = 0
        steps: dict[str, float] = {}
        if self.standby is not None:
            self.standby.stop()
            steps["stop_following"] = round(time.monotonic() - started, 3)
            items = self.standby.items()
            steps["read_copy"] = round(time.monotonic() - started, 3)
            floor = max((e.seq for e in items), default=0)
            self.standby = None
        peer = self.bstar.info().peer_props if self.bstar is not None else {}
        floor = max(floor, int(peer.get("reserved") or 0), int(peer.get("seq") or 0))
        self._serve(items, seq_floor=floor)
        steps["serving"] = round(time.monotonic() - started, 3)
        self.log.event(
            "took_over",
            seconds=round(time.monotonic() - started, 2),
            from_replica=items is not None,
            steps=steps,
        )

    def _on_peer(self, props: dict[str, str]) -> None:
        confirmed = int(props.get("confirmed") or 0)
        if confirmed > self._confirmed:
            self._confirmed = confirmed
            if not self._standby_keeping_up:
                self.log.event("standby_keeping_up", confirmed=confirmed)
            self._standby_keeping_up = True
            if self.commands is not None:
                self.commands.release(confirmed)

    def _peer_alive(self) -> bool:
        """The second path to the peer: does its command port answer a PING as an active node?"""
        assert self.pair is not None
        started = time.monotonic()
        alive = probe_active(self.pair.peer, self.security, self.pair.peer_key, self.context)
        self.log.event("peer_check", "warning", alive=alive, seconds=round(time.monotonic() - started, 3))
        return alive

    def _hold(self, command, status: str) -> int | None:
        """Hold a command's reply until the standby confirmed the journal number it committed at, while
        there is a standby to wait for."""
        if not self._committed:
            return None
        self._committed = False
        if self.bstar is None or self.bstar.peer_lost() or self.bstar.info().peer_state != State.PASSIVE:
            return None
        late = self.commands.stats.get("released_unconfirmed") if self.commands is not None else 0
        if late > self._late_seen:
            # A reply went out unconfirmed: the standby is stalled or far behind. Holding every reply
            # for the whole deadline would slow each district to one command per deadline: stop until
            # the standby confirms again.
            self._late_seen = late
            if self._standby_keeping_up:
                self.log.event("standby_lagging", "warning", confirmed=self._confirmed)
            self._standby_keeping_up = False
        if not self._standby_keeping_up:
            return None
        seq = self._journal_seq()
        return None if seq <= self._confirmed else seq

    def _heartbeat_switch(self, ctx, args: dict[str, Any]) -> dict[str, Any]:
        """``link.heartbeat {"on": bool}``: stop or resume the pair's heartbeat without stopping the node
        (a drill of a partition between the two centres). For a ``centre`` key only."""
        if self.security is not None and ctx.peer.role_kind != "centre":
            raise CommandRefused("link.heartbeat is for the centres' own key only")
        if self.bstar is None:
            raise CommandRefused("this centre is not one of a pair")
        if "on" in args:
            self.bstar.sending = bool(args["on"])
            self.log.event("pair_heartbeat", "warning", on=self.bstar.sending)
        return {"on": self.bstar.sending}

    def _journal_seq(self) -> int:
        with self.session_factory() as s:
            return journal.last_seq(s)

    def stop(self) -> None:
        """Stop what ``start`` started, in the reverse order (also after a start that failed halfway)."""
        self.teardown.close()

    def _exercise_tick(self) -> dict[str, Any]:
        if not self.serving:
            return {"exercises": []}  # a passive centre delivers nothing: the active one does
        # A read first: with no exercise running, no write transaction (SQLite's lock) every half second.
        with self.session_factory() as s:
            if not running_exercise_ids(s):
                return {"exercises": []}
        result = call_local(
            self.bus,
            self.session_factory,
            self.clock,
            "exercise.tick",
            {"driver": f"centre node (pid {os.getpid()} on {socket.gethostname()})"},
            services=self._exercise_services,
        )
        if any(ex.get("delivered") or ex.get("refused") for ex in result.get("exercises", ())):
            self._after_command()
        return result

    def _cap_record(self, name: str, args: dict[str, Any]) -> Any:
        result = call_local(self.bus, self.session_factory, self.clock, name, args)
        self._after_command()
        return result

    def _after_command(self) -> None:
        deliverer = getattr(self, "cap_deliverer", None)
        if deliverer is not None:
            deliverer.wake()  # an alarm just committed is delivered now, not at the next poll
        self._committed = True
        if self.follower is not None:
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
        if self.pair is not None and self.server is not None:
            # After the batch's keys: a standby that has this key has the picture up to ``seq``.
            self.server.publish(JOURNAL_MARK, journal_mark(seq))
            if self.bstar is not None:
                # The peer numbers above this if it takes over (it is always half a block ahead).
                self.bstar.announce(reserved=self.server.reserved)
        if "supervisor" in touched.tables:
            with self.session_factory() as s:
                self._load_roster(s)
        if touched.tables:
            self.log.event("rescan", tables=sorted(touched.tables), journal_seq=seq, published=sent)

    # --- status ------------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        assert self.commands is not None
        ha = None
        if self.bstar is not None:
            pi = self.bstar.info()
            ha = {
                "state": pi.state.value,
                "role": pi.role.value,
                "peer": self.pair.peer if self.pair else None,
                "peer_state": pi.peer_state.value if pi.peer_state else None,
                "peer_seen_s": pi.peer_seen_s,
                "faults": pi.faults,
                "failover_declined": self.bstar.stats.get("failover_declined"),
                "confirmed": self._confirmed,
                "held": self.commands.stats.get("held"),
                "standby_keeping_up": self._standby_keeping_up,
                "released_unconfirmed": self.commands.stats.get("released_unconfirmed"),
                "standby": self.standby.status() if self.standby is not None else None,
            }
        if not self.serving or self.server is None or self.follower is None:
            return {
                "node": "centre",
                "identity": self.security.me.name if self.security else None,
                "bind": self.bind,
                "serving": False,
                "ha": ha,
                "allow_list": self.key_watch.status() if self.key_watch is not None else None,
                "stats": {"commands": self.commands.stats.snapshot()},
            }
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
            "serving": True,
            "ha": ha,
        }
