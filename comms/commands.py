"""Commands that must not be lost: request-reply with a command id (docs/protocol.md section 4).

``CommandClient`` (a district, a console) persists each command in its outbox before ``submit``
returns, sends the outbox strictly in order with one command in flight, resends the head with backoff
until it has a final reply, and reports its link state. ``CommandServer`` (the centre) applies each
(peer, command id) at most once: the application's ``apply`` runs inside the application's transaction,
the id and the reply are recorded in that same transaction, and the reply leaves only after commit.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid as uuid_mod
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import zmq
from zmq.utils.monitor import parse_monitor_message

from comms.agent import REBIND, TERM, AgentFront, ServerFront, answer_rebind
from comms.keys import Security, peer_of, still_allowed
from comms.records import Command, CommandRefused, Peer
from comms.retention import DAY_S, RESEND_LIMIT_S
from comms.sockets import has_message, recv_bounded, recv_frames, send_frames
from comms.stats import MONITOR_MASK, NodeStats
from comms.wire import (
    ALL_STATUSES,
    CMD,
    CMD_PROTO,
    CMD_PROTO_PREFIX,
    DEFAULT_MAX_BODY,
    FINAL_STATUSES,
    PASSIVE,
    PING,
    PONG,
    REPLY,
    STATUS_EXPIRED,
    STATUS_INVALID,
    STATUS_OK,
    STATUS_REFUSED,
    STATUS_RETRY,
    UNSUPPORTED,
    WireError,
    check_body,
    check_command_id,
    maxmsgsize,
)

_NOBLOCK = int(zmq.NOBLOCK)

log = logging.getLogger("comms.commands")

_BATCH = 500
_RESEND_FIRST = 1.0
_RESEND_MAX = 30.0
PASSIVE_ERROR = "the node is passive (standby)"


def new_command_id() -> str:
    return uuid_mod.uuid4().hex


# ==================================================================================================
# Server side: dedup store and apply
# ==================================================================================================


class DedupTransaction(Protocol):
    def find_reply(self, peer: str, command_id: str) -> tuple[str, bytes] | None:
        """The (status, body) recorded for this command, or None if it was never applied."""
        ...

    def save_reply(self, peer: str, command_id: str, status: str, body: bytes) -> None: ...


class DedupStore(Protocol):
    """The table of applied command ids. ``transaction()`` opens the application's transaction:
    committed when the block ends normally, rolled back when it raises. The object it yields is
    passed to ``apply`` too, so the application can reach its own session through it."""

    def transaction(self) -> AbstractContextManager[DedupTransaction]: ...


ApplyFn = Callable[[Command, Any], bytes]


class MemoryDedupStore:
    """Applied ids in a dict (tests, or an application whose state is in memory anyway)."""

    def __init__(self) -> None:
        self.replies: dict[tuple[str, str], tuple[str, bytes]] = {}

    @contextmanager
    def transaction(self) -> Iterator[_MemoryDedupTx]:
        tx = _MemoryDedupTx(self.replies)
        yield tx
        self.replies.update(tx.staged)


class _MemoryDedupTx:
    def __init__(self, replies: dict[tuple[str, str], tuple[str, bytes]]) -> None:
        self._replies = replies
        self.staged: dict[tuple[str, str], tuple[str, bytes]] = {}

    def find_reply(self, peer: str, command_id: str) -> tuple[str, bytes] | None:
        key = (peer, command_id)
        return self.staged.get(key) or self._replies.get(key)

    def save_reply(self, peer: str, command_id: str, status: str, body: bytes) -> None:
        self.staged[(peer, command_id)] = (status, body)


class SqliteDedupStore:
    """Applied ids in a SQLite file. Its transactions expose ``connection`` so an application whose
    state lives in the same file applies commands in the same transaction."""

    def __init__(
        self, path: str | Path, synchronous: str = "FULL", *, now: Callable[[], float] = time.time
    ) -> None:
        """``now``: the clock entries are stamped with (``applied_at``), which pruning compares."""
        self.path = Path(path)
        self.synchronous = synchronous
        self.now = now
        self._db: sqlite3.Connection | None = None
        self._prune_db: sqlite3.Connection | None = None

    @property
    def connection(self) -> sqlite3.Connection:
        if self._db is None:
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE below.
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL by default: an id acknowledged to a sender must survive a power cut, or the sender
            # drops a command the centre has lost.
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS applied_command (peer TEXT NOT NULL, command_id TEXT NOT NULL,"
                " status TEXT NOT NULL, reply BLOB NOT NULL, applied_at REAL NOT NULL,"
                " PRIMARY KEY (peer, command_id))"
            )
            db.execute("CREATE INDEX IF NOT EXISTS applied_command_at ON applied_command (applied_at)")
            self._db = db
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[_SqliteDedupTx]:
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteDedupTx(db, self.now)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def prune(self, older_than: float, limit: int | None = None) -> int:
        """Forget up to ``limit`` ids applied before ``older_than`` (Unix time), in one transaction;
        senders never resend that old (comms.retention). On a connection of its own: the pruning thread
        must not slip its statements into a command's open transaction."""
        if self._prune_db is None:
            _ = self.connection  # creates the table and its index
            self._prune_db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
        db = self._prune_db
        if limit is None:
            return db.execute("DELETE FROM applied_command WHERE applied_at < ?", (older_than,)).rowcount
        return db.execute(
            "DELETE FROM applied_command WHERE rowid IN (SELECT rowid FROM applied_command"
            " WHERE applied_at < ? ORDER BY applied_at LIMIT ?)",
            (older_than, limit),
        ).rowcount

    def close(self) -> None:
        for db in (self._db, self._prune_db):
            if db is not None:
                db.close()
        self._db = self._prune_db = None


class _SqliteDedupTx:
    def __init__(self, connection: sqlite3.Connection, now: Callable[[], float] = time.time) -> None:
        self.connection = connection
        self.now = now

    def find_reply(self, peer: str, command_id: str) -> tuple[str, bytes] | None:
        row = self.connection.execute(
            "SELECT status, reply FROM applied_command WHERE peer = ? AND command_id = ?", (peer, command_id)
        ).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def save_reply(self, peer: str, command_id: str, status: str, body: bytes) -> None:
        self.connection.execute(
            "INSERT INTO applied_command (peer, command_id, status, reply, applied_at) VALUES (?, ?, ?, ?, ?)",
            (peer, command_id, status, body, self.now()),
        )


@dataclass
class CommandServerConfig:
    host: str
    port: int
    security: Security | None
    apply: ApplyFn
    store: DedupStore
    max_body: int
    active: Callable[[], bool] | None = None  # None: always active (see CommandServer)
    hold: HoldFn | None = None
    hold_timeout: float = 2.0
    answers_passive: Callable[[bytes], bool] | None = None


# After a command is applied: a mark to hold its reply until ``release(mark)``, or None to reply now.
HoldFn = Callable[[Command, str], "int | None"]
_RELEASE = b"RELEASE"


class _CommandServerCore:
    def __init__(self, context: zmq.Context, cfg: CommandServerConfig, front: CommandServer) -> None:
        self.cfg = cfg
        self.context = context
        self.front = front
        self.stats = front.stats
        self.monitors: list[zmq.Socket] = []
        self.router: zmq.Socket | None = None
        self._attached = False
        # Replies held until the application releases their mark (a standby confirmed it has them):
        # (mark, deadline, peer, command id) -> [routing id, frames...], in the order applied.
        self.held: OrderedDict[tuple[str, str], tuple[int, float, bytes, tuple[bytes, ...]]] = OrderedDict()
        try:
            if cfg.security is not None:
                cfg.security.attach(context)
                self._attached = True
            router = self.router = context.socket(zmq.ROUTER)
            router.linger = 0
            router.maxmsgsize = maxmsgsize(cfg.max_body)
            # A reply to a client that went away is dropped silently by ROUTER; it will resend.
            if cfg.security is not None:
                cfg.security.make_server(router)
            self.monitors.append(router.get_monitor_socket(MONITOR_MASK))
            router.bind(f"tcp://{cfg.host}:{cfg.port}")
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        for mon in self.monitors:
            try:
                self.router.disable_monitor()
            except zmq.ZMQError:
                pass
            mon.close(linger=0)
        if self.router is not None:
            self.router.close(linger=0)
        if self._attached and self.cfg.security is not None:
            self.cfg.security.detach(self.context)
            self._attached = False

    def run(self, pipe: zmq.Socket) -> None:
        poller = zmq.Poller()
        for sock in (pipe, self.router, *self.monitors):
            poller.register(sock, zmq.POLLIN)
        while True:
            timeout = 1000
            if self.held:
                first = next(iter(self.held.values()))[1]
                timeout = max(0, min(timeout, int((first - time.monotonic()) * 1000) + 1))
            events = dict(poller.poll(timeout))
            if pipe in events:
                while has_message(pipe):
                    msg = pipe.recv_multipart()
                    if msg[0] == TERM:
                        return
                    if msg[0] == _RELEASE:
                        self._release(int(msg[1]))
                    if msg[0] == REBIND:
                        answer_rebind(pipe, [(self.router, f"tcp://{self.cfg.host}:{self.cfg.port}")])
            if self.held:
                self._release_late()
            if self.router in events:
                self._drain()
            for mon in self.monitors:
                if mon in events:
                    while mon.poll(0):
                        self.stats.monitor_event(mon)

    def _drain(self) -> None:
        for _ in range(_BATCH):
            if not has_message(self.router):
                return
            frames, count = recv_bounded(self.router, 6)
            peer = peer_of(frames[-1])
            try:
                self._on_message(frames, count, peer)
            except WireError as exc:
                self.stats.drop(exc.reason, exc.detail, peer.name)

    def _send(self, routing_id: bytes, *frames: bytes) -> None:
        try:
            send_frames(self.router, [routing_id, CMD_PROTO, *frames], _NOBLOCK)
        except zmq.ZMQError:
            # Gone or flooded: the client resends and gets the stored reply then.
            self.stats.count("replies_lost")

    def _on_message(self, frames: list[zmq.Frame], count: int, peer: Peer) -> None:
        if count < 3:
            raise WireError("wrong_frame_count", f"{count} frames")
        routing_id = frames[0].bytes
        tag = frames[1].bytes
        if tag != CMD_PROTO:
            if tag.startswith(CMD_PROTO_PREFIX) and len(tag) < 32:
                self._send(routing_id, UNSUPPORTED, tag)
                self.stats.drop("unsupported_version", repr(tag), peer.name)
                return
            raise WireError("malformed", f"protocol tag {tag[:20]!r}")
        kind = frames[2].bytes
        if not still_allowed(self.cfg.security, peer):
            # Sent on a connection made before the peer's key left the allow-list (the node closes
            # such connections; this covers what arrives until it has).
            if kind == CMD and count == 5:
                self._send(
                    routing_id, REPLY, frames[3].bytes, STATUS_REFUSED.encode(), b"key no longer allowed"
                )
            raise WireError("key_revoked", f"{peer.name} ({peer.role}) is no longer on the allow-list")
        self.front._seen(peer.name)
        if kind == PING:
            if count != 3:
                raise WireError("wrong_frame_count", f"PING of {count - 1} frames")
            self._send(routing_id, PONG if self._active() else PASSIVE)
            return
        if kind != CMD:
            raise WireError("unknown_command", repr(kind[:20]))
        if count != 5:
            raise WireError("wrong_frame_count", f"CMD of {count - 1} frames")
        command_id = check_command_id(frames[3].bytes)
        if not self._active() and not (
            self.cfg.answers_passive is not None and self.cfg.answers_passive(frames[4].bytes)
        ):
            # A standby node applies nothing and records nothing: the sender keeps the command.
            self._send(routing_id, PASSIVE, frames[3].bytes)
            self.stats.count("passive")
            return
        body = frames[4].bytes
        if len(body) > self.cfg.max_body:
            self._send(routing_id, REPLY, frames[3].bytes, STATUS_INVALID.encode(), b"body too large")
            raise WireError("oversized", f"command body of {len(body)} bytes")
        held = self.held.get((peer.name, command_id))
        if held is not None:
            # A resend while the first reply waits for its release: answered once, on the newest route.
            self.held[(peer.name, command_id)] = (held[0], held[1], routing_id, held[3])
            self.stats.count("held_resends")
            return
        command = Command(command_id, peer, body)
        status, reply = self._apply_once(command)
        frames = (REPLY, command_id.encode(), status.encode(), reply)
        mark = self.cfg.hold(command, status) if self.cfg.hold is not None and status != STATUS_RETRY else None
        if mark is None:
            self._send(routing_id, *frames)
            return
        self.held[(peer.name, command_id)] = (mark, time.monotonic() + self.cfg.hold_timeout, routing_id, frames)
        self.stats.count("held")

    def _release(self, mark: int) -> None:
        """Send the held replies whose mark is at most ``mark``, in the order they were applied."""
        for key in [k for k, v in self.held.items() if v[0] <= mark]:
            _, _, routing_id, frames = self.held.pop(key)
            self._send(routing_id, *frames)

    def _release_late(self) -> None:
        """A reply is not held past its deadline: a standby that does not confirm must not stop the
        service (counted, and the application is told by the count)."""
        now = time.monotonic()
        while self.held:
            key, (_, deadline, routing_id, frames) = next(iter(self.held.items()))
            if deadline > now:
                return
            del self.held[key]
            self.stats.count("released_unconfirmed")
            self._send(routing_id, *frames)

    def _active(self) -> bool:
        return self.cfg.active is None or bool(self.cfg.active())

    def _apply_once(self, command: Command) -> tuple[str, bytes]:
        store = self.cfg.store
        refused: CommandRefused | None = None
        try:
            with store.transaction() as tx:
                prior = tx.find_reply(command.peer.name, command.id)
                if prior is not None:
                    self.stats.count("duplicates")
                    return prior
                try:
                    reply = self.cfg.apply(command, tx)
                except CommandRefused as exc:
                    refused = exc
                    raise
                if not isinstance(reply, bytes | bytearray):
                    raise TypeError(f"apply returned {type(reply).__name__}, not bytes")
                tx.save_reply(command.peer.name, command.id, STATUS_OK, bytes(reply))
            self.stats.count("applied")
            return STATUS_OK, bytes(reply)
        except CommandRefused:
            pass
        except Exception as exc:
            # Nothing was recorded: the sender keeps the command and resends it later.
            log.exception("applying command %s from %s failed", command.id, command.peer.name)
            self.stats.count("apply_errors")
            return STATUS_RETRY, f"{type(exc).__name__}: {exc}".encode()[:1000]
        assert refused is not None
        reason = str(refused).encode()[:1000]
        try:
            # The refusal is an answer too: recorded, so a resend gets the same one.
            with store.transaction() as tx:
                if tx.find_reply(command.peer.name, command.id) is None:
                    tx.save_reply(command.peer.name, command.id, STATUS_REFUSED, reason)
        except Exception:
            log.exception("recording the refusal of %s failed", command.id)
            return STATUS_RETRY, b"could not record refusal"
        self.stats.count("refused")
        return STATUS_REFUSED, reason


class CommandServer(ServerFront):
    """The centre's end of the command channel.

    ``apply(command, tx) -> reply bytes`` runs in the server's agent thread inside
    ``store.transaction()``; ``tx`` is what that transaction yields (for ``SqliteDedupStore`` it has a
    ``connection``; an application store would carry its session). Raise ``CommandRefused`` to refuse.

    ``active() -> bool`` (None: always active) is asked, in the agent thread, for every PING and CMD; it
    must be cheap. While it says False the server answers PASSIVE and applies nothing (the standby node
    of a failover pair).
    """

    def __init__(
        self,
        host: str,
        port: int,
        apply: ApplyFn,
        *,
        store: DedupStore | None = None,
        security: Security | None = None,
        context: zmq.Context | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        active: Callable[[], bool] | None = None,
        hold: HoldFn | None = None,
        hold_timeout: float = 2.0,
        answers_passive: Callable[[bytes], bool] | None = None,
    ) -> None:
        """``answers_passive(body)``: a command a passive node still answers (its own diagnostics),
        never one that changes anything. ``hold(command, status)``: asked after each command is applied (in the agent thread); a mark
        holds its reply until ``release(mark)`` or ``hold_timeout`` seconds, None sends it now."""
        self.stats = NodeStats(f"command-server:{port}")
        self.config = CommandServerConfig(
            host, port, security, apply, store or MemoryDedupStore(), max_body, active, hold, hold_timeout,
            answers_passive,
        )
        self._peers_lock = threading.Lock()
        self._last_seen: dict[str, float] = {}
        super().__init__(
            f"command-server-{port}", context, lambda ctx: _CommandServerCore(ctx, self.config, self)
        )

    def release(self, mark: int) -> None:
        """Send every held reply whose mark is at most ``mark`` (any thread)."""
        self._agent.tell([_RELEASE, str(int(mark)).encode()])

    def _seen(self, peer: str) -> None:
        with self._peers_lock:
            self._last_seen[peer] = time.time()

    def peers(self) -> dict[str, float]:
        """Wall-clock time each peer was last heard from."""
        with self._peers_lock:
            return dict(self._last_seen)


# ==================================================================================================
# Client side: outbox, link state, ordered resend
# ==================================================================================================


class Outbox(Protocol):
    """Commands not yet answered, in submission order. Used only from the client's agent thread."""

    def load(self) -> list[tuple[str, bytes]]: ...
    def add(self, command_id: str, body: bytes) -> bool:
        """Persist a command; False if that id is already queued."""
        ...

    def remove(self, command_id: str) -> None: ...
    def queued_at(self, command_id: str) -> float | None:
        """Wall-clock time the command was queued (None if unknown): a command queued longer ago than
        the resend limit is expired, not resent (comms.retention)."""
        ...

    def close(self) -> None: ...


class MemoryOutbox:
    def __init__(self) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._queued_at: dict[str, float] = {}

    def load(self) -> list[tuple[str, bytes]]:
        return list(self._items.items())

    def add(self, command_id: str, body: bytes) -> bool:
        if command_id in self._items:
            return False
        self._items[command_id] = body
        self._queued_at[command_id] = time.time()
        return True

    def remove(self, command_id: str) -> None:
        self._items.pop(command_id, None)
        self._queued_at.pop(command_id, None)

    def queued_at(self, command_id: str) -> float | None:
        return self._queued_at.get(command_id)

    def close(self) -> None:
        pass


class SqliteOutbox:
    """The outbox in a SQLite file, committed before ``submit`` returns.

    ``synchronous=FULL`` by default so a queued command survives a power cut, not only a crash;
    ``NORMAL`` survives a crash of the process (kill -9) and is faster.
    """

    def __init__(self, path: str | Path, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS outbox (position INTEGER PRIMARY KEY AUTOINCREMENT,"
                " command_id TEXT NOT NULL UNIQUE, body BLOB NOT NULL, queued_at REAL NOT NULL)"
            )
            self._db = db
        return self._db

    def load(self) -> list[tuple[str, bytes]]:
        rows = self.db.execute("SELECT command_id, body FROM outbox ORDER BY position").fetchall()
        return [(cid, bytes(body)) for cid, body in rows]

    def add(self, command_id: str, body: bytes) -> bool:
        try:
            self.db.execute(
                "INSERT INTO outbox (command_id, body, queued_at) VALUES (?, ?, ?)",
                (command_id, body, time.time()),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def remove(self, command_id: str) -> None:
        # Not worth an fsync: a removal lost in a power cut only means one resend, which the receiver
        # answers from its table of applied ids. The next add's fsync makes it durable anyway.
        db = self.db
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("DELETE FROM outbox WHERE command_id = ?", (command_id,))
        db.execute(f"PRAGMA synchronous={self.synchronous}")

    def queued_at(self, command_id: str) -> float | None:
        row = self.db.execute("SELECT queued_at FROM outbox WHERE command_id = ?", (command_id,)).fetchone()
        return None if row is None else float(row[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@dataclass(frozen=True, slots=True)
class EndpointState:
    """What a client of several servers (a failover pair) knows of one of them."""

    address: str  # tcp://HOST:PORT
    role: str  # "active" (answers PONG), "passive" (answers PASSIVE) or "silent" (nothing for 3 heartbeats)
    last_heartbeat: float | None  # wall-clock time of its last answer


@dataclass(frozen=True, slots=True)
class LinkState:
    up: bool
    since: float  # wall-clock time of the last change of ``up``
    queue_length: int
    last_heartbeat: float | None  # wall-clock time of the last PONG or REPLY
    head_attempts: int  # sends of the command at the head of the queue
    last_error: str | None
    endpoint: str | None = None  # the active server commands go to; None while none is known
    endpoints: tuple[EndpointState, ...] = ()  # every server, in the order given


@dataclass(frozen=True, slots=True)
class CommandReply:
    command_id: str
    # OK, REFUSED or INVALID (final); EXPIRED: given up by this client, body the reason (never sent
    # again: comms.retention); RETRY is handled by the client itself
    status: str
    body: bytes


@dataclass
class CommandClientConfig:
    host: str
    port: int
    security: Security | None
    server: str
    heartbeat: float
    max_body: int
    resend_first: float
    on_reply: Callable[[CommandReply], None] | None
    on_link: Callable[[LinkState], None] | None
    resend_limit: float = RESEND_LIMIT_S
    more: tuple[tuple[str, int], ...] = ()  # the other servers of a failover pair

    @property
    def endpoints(self) -> list[tuple[str, int]]:
        return [(self.host, self.port), *self.more]


# While no server of a pair is known active, each is pinged this often: a passive server whose active
# peer is gone takes over when a client's request reaches it.
_SEEK_PING = 0.25
# A server not heard from since the socket was made gets a fresh socket this often (seconds, at least).
_REMAKE_SILENT = 2.0


class _Endpoint:
    """One server of the client and what the client knows of it (agent thread only)."""

    __slots__ = (
        "address", "alive", "dealer", "last_heard", "last_heartbeat", "made", "monitor", "next_ping", "role",
    )

    def __init__(self, address: str) -> None:
        self.address = address
        self.dealer: zmq.Socket | None = None
        self.monitor: zmq.Socket | None = None
        self.alive = False  # heard from within 3 heartbeats
        self.role = "silent"
        self.last_heard = 0.0  # monotonic
        self.last_heartbeat: float | None = None  # wall clock
        self.next_ping = 0.0
        self.made = 0.0  # monotonic time its socket was made


class _CommandClientCore:
    def __init__(self, context: zmq.Context, cfg: CommandClientConfig, outbox: Outbox, front: CommandClient):
        self.cfg = cfg
        self.context = context
        self.outbox = outbox
        self.front = front
        self.stats = front.stats
        self.queue: OrderedDict[str, bytes] = OrderedDict(outbox.load())
        self.queued_at: dict[str, float] = {}  # when each queued command was queued, once looked up
        self.poller = zmq.Poller()
        self.endpoints = [_Endpoint(f"tcp://{host}:{port}") for host, port in cfg.endpoints]
        # Several servers are a failover pair: commands go only to the one that answers PONG.
        self.pair = len(self.endpoints) > 1
        self.sockets: dict[zmq.Socket, _Endpoint] = {}  # each endpoint's dealer and monitor
        try:
            for endpoint in self.endpoints:
                self._connect(endpoint)
        except Exception:
            for endpoint in self.endpoints:
                self._disconnect(endpoint)
            raise
        self.active: _Endpoint | None = None
        self.sent_to: _Endpoint | None = None  # where the head was last sent
        self.in_flight: str | None = None  # the head's id once sent
        self.next_send = 0.0  # monotonic time the head may be (re)sent
        self.backoff = self.cfg.resend_first
        self.attempts = 0
        self.last_error: str | None = None
        self.last_heartbeat: float | None = None
        self.up = False
        self.since = time.time()
        self._publish_link(force=True)

    def _connect(self, endpoint: _Endpoint) -> None:
        self._disconnect(endpoint)
        dealer = endpoint.dealer = self.context.socket(zmq.DEALER)
        dealer.linger = 0
        # Queue nothing for a server that is not connected: a send then fails at once (link down)
        # instead of piling stale copies that would all arrive on reconnection.
        dealer.immediate = 1
        dealer.maxmsgsize = maxmsgsize(self.cfg.max_body)
        if self.cfg.security is not None:
            self.cfg.security.make_client(dealer, self.cfg.server)
        if self.pair:
            # A killed server is noticed at once, not after 3 heartbeats of silence.
            endpoint.monitor = dealer.get_monitor_socket(zmq.EVENT_DISCONNECTED)
            self.sockets[endpoint.monitor] = endpoint
            self.poller.register(endpoint.monitor, zmq.POLLIN)
        dealer.connect(endpoint.address)
        endpoint.made = time.monotonic()
        self.sockets[dealer] = endpoint
        self.poller.register(dealer, zmq.POLLIN)

    def _disconnect(self, endpoint: _Endpoint) -> None:
        for sock in (endpoint.monitor, endpoint.dealer):
            if sock is not None and self.sockets.pop(sock, None) is not None:
                self.poller.unregister(sock)
        if endpoint.monitor is not None:
            try:
                endpoint.dealer.disable_monitor()
            except zmq.ZMQError:
                pass
            endpoint.monitor.close(linger=0)
            endpoint.monitor = None
        if endpoint.dealer is not None:
            endpoint.dealer.close(linger=0)
            endpoint.dealer = None

    def close(self) -> None:
        for endpoint in self.endpoints:
            self._disconnect(endpoint)
        self.outbox.close()

    def _target(self) -> _Endpoint | None:
        """Where the head goes: the active server of a pair (None while none is known); a lone server
        always, as before pairs existed."""
        return self.active if self.pair else self.endpoints[0]

    def run(self, pipe: zmq.Socket) -> None:
        self.poller.register(pipe, zmq.POLLIN)
        while True:
            now = time.monotonic()
            wake = min(endpoint.next_ping for endpoint in self.endpoints)
            if self.queue and self._target() is not None:
                wake = min(wake, self.next_send)
            events = dict(self.poller.poll(max(0, int((wake - now) * 1000) + 1)))
            if pipe in events and self._drain_pipe(pipe):
                return
            for sock in events:
                endpoint = self.sockets.get(sock)
                if endpoint is None:
                    continue
                if sock is endpoint.dealer:
                    self._drain_dealer(endpoint)
                elif sock is endpoint.monitor:
                    self._drain_monitor(endpoint)
            now = time.monotonic()
            self._check_silence(now)
            self._ping(now)
            if self.queue and now >= self.next_send:
                self._send_head(now)
            self._publish_link()

    def _check_silence(self, now: float) -> None:
        for endpoint in self.endpoints:
            if endpoint.alive and now - endpoint.last_heard > 3 * self.cfg.heartbeat:
                self._lost(endpoint)
                # A stalled connection may hold our messages; a fresh socket starts clean.
                self._connect(endpoint)
            elif not endpoint.alive and now - endpoint.made > max(_REMAKE_SILENT, 3 * self.cfg.heartbeat):
                # Never heard on this socket: libzmq does not retry a connection the server's ZAP
                # denied, so a key enrolled at the server since then would never be tried. A fresh
                # socket makes a fresh handshake (docs/protocol.md section 1, "Key reloading").
                self._connect(endpoint)

    def _lost(self, endpoint: _Endpoint) -> None:
        endpoint.alive = False
        endpoint.role = "silent"
        if endpoint is self.active:
            self._set_active(None)

    def _ping(self, now: float) -> None:
        interval = self.cfg.heartbeat
        if self.pair and self.active is None:
            interval = min(interval, _SEEK_PING)
        for endpoint in self.endpoints:
            if now >= endpoint.next_ping:
                self._send(endpoint, [PING])
                endpoint.next_ping = now + interval

    def _drain_pipe(self, pipe: zmq.Socket) -> bool:
        for _ in range(_BATCH):
            if not has_message(pipe):
                return False
            msg = recv_frames(pipe)
            if msg[0] == TERM:
                return True
            if msg[0] in (b"SUBMIT", b"SUBMIT_TRANSIENT"):
                command_id, body = msg[1].decode("ascii"), msg[2]
                try:
                    # A transient command (one that carries a secret) lives in memory only: it is lost
                    # with the process, never written to the outbox file.
                    added = (
                        self.outbox.add(command_id, body)
                        if msg[0] == b"SUBMIT"
                        else command_id not in self.queue
                    )
                except Exception as exc:  # disk full, locked file: the caller must know
                    pipe.send_multipart([b"ERROR", repr(exc).encode()])
                    continue
                if added:
                    self.queue[command_id] = body
                self._publish_link()  # so the caller sees its command in queue_length on return
                pipe.send_multipart([b"OK"])
                if self.in_flight is None:
                    self.next_send = 0.0
        return False

    def _send(self, endpoint: _Endpoint, frames: list[bytes]) -> bool:
        try:
            send_frames(endpoint.dealer, [CMD_PROTO, *frames], _NOBLOCK)
            return True
        except zmq.Again:
            return False

    def _send_head(self, now: float) -> None:
        target = self._target()
        if target is None:
            # No active server known: the next PONG makes one so and sends the head at once.
            self.next_send = now + self.cfg.heartbeat
            return
        command_id, body = next(iter(self.queue.items()))
        if self._expire_if_old(command_id):
            self.next_send = 0.0  # the next command in line goes now
            return
        if self._send(target, [CMD, command_id.encode(), body]):
            self.in_flight = command_id
            self.sent_to = target
            self.attempts += 1
            self.stats.count("sent" if self.attempts == 1 else "resent")
            self.next_send = now + self.backoff
            self.backoff = min(self.backoff * 2, _RESEND_MAX)
        else:
            # No connection (IMMEDIATE): try again soon, the link state already says down.
            self.next_send = now + min(self.backoff, 0.1 * self.cfg.heartbeat + 0.05)

    def _drain_dealer(self, endpoint: _Endpoint) -> None:
        for _ in range(_BATCH):
            if endpoint.dealer is None or not has_message(endpoint.dealer):
                return
            frames = recv_frames(endpoint.dealer)
            try:
                self._on_message(endpoint, frames)
            except WireError as exc:
                self.stats.drop(exc.reason, exc.detail, endpoint.address)

    def _drain_monitor(self, endpoint: _Endpoint) -> None:
        while endpoint.monitor is not None and has_message(endpoint.monitor):
            try:
                event = parse_monitor_message(endpoint.monitor.recv_multipart(_NOBLOCK))
            except (zmq.Again, ValueError, KeyError):
                return
            if event["event"] == zmq.EVENT_DISCONNECTED and endpoint.alive:
                self.stats.count("disconnected")
                # libzmq reconnects by itself; the server is active again once it answers PONG.
                self._lost(endpoint)

    def _on_message(self, endpoint: _Endpoint, frames: list[bytes]) -> None:
        if len(frames) < 2 or frames[0] != CMD_PROTO:
            raise WireError("malformed", "reply without protocol tag")
        endpoint.last_heard = time.monotonic()
        endpoint.alive = True
        endpoint.last_heartbeat = time.time()
        kind = frames[1]
        if kind == PASSIVE:
            self._on_passive(endpoint, frames)
            return
        self.last_heartbeat = endpoint.last_heartbeat
        endpoint.role = "active"
        if self.active is None:
            self._set_active(endpoint)
        if kind == PONG:
            return
        if kind == UNSUPPORTED:
            self.last_error = "server does not speak " + CMD_PROTO.decode()
            return
        if kind != REPLY or len(frames) != 5:
            raise WireError("malformed", f"{kind[:20]!r} of {len(frames)} frames")
        command_id = check_command_id(frames[2])
        status = frames[3].decode("ascii", errors="replace")
        if status not in ALL_STATUSES:
            raise WireError("malformed", f"status {status[:20]!r}")
        # Matched by id, whichever server sent it: the old active of a pair may answer late.
        if command_id != next(iter(self.queue), None):
            self.stats.count("stale_replies")  # the answer to an earlier resend
            return
        if status == STATUS_RETRY:
            self.last_error = frames[4].decode(errors="replace")
            return
        assert status in FINAL_STATUSES
        self._finish(CommandReply(command_id, status, frames[4]))
        self.stats.count("answered")

    def _expire_if_old(self, command_id: str) -> bool:
        """Give up on the head when it was queued longer ago than the resend limit: the receiver may have
        forgotten by now whether it applied it (comms.retention). It leaves the queue with a final
        EXPIRED reply, so the application reports it as failed."""
        queued = self.queued_at.get(command_id)
        if queued is None:
            # A transient command is not in the outbox: its age counts from its first send.
            queued = self.queued_at[command_id] = self.outbox.queued_at(command_id) or time.time()
        age = time.time() - queued
        if age <= self.cfg.resend_limit:
            return False
        reason = (
            f"expired: not answered within {self.cfg.resend_limit / DAY_S:g} days of being queued "
            f"({age / DAY_S:.1f} days ago), so it is not sent again; the node may no longer remember "
            "whether it applied it: check there before taking it again"
        )
        self.stats.count("expired")
        self._finish(CommandReply(command_id, STATUS_EXPIRED, reason.encode()))
        return True

    def _finish(self, reply: CommandReply) -> None:
        if self.cfg.on_reply is not None:
            try:
                self.cfg.on_reply(reply)
            except Exception:
                log.exception("on_reply callback failed")
        # Removed only after the application saw the reply: a crash in between means a resend and the
        # same stored reply again, never a lost one.
        self.outbox.remove(reply.command_id)
        self.queue.pop(reply.command_id, None)
        self.queued_at.pop(reply.command_id, None)
        self.in_flight = None
        self.attempts = 0
        self.backoff = self.cfg.resend_first
        self.next_send = 0.0
        self.last_error = (
            None
            if reply.status == STATUS_OK
            else f"{reply.status}: {reply.body[:200].decode(errors='replace')}"
        )

    def _on_passive(self, endpoint: _Endpoint, frames: list[bytes]) -> None:
        """PASSIVE: the server is the backup of a pair (``PASSIVE`` after a PING; ``PASSIVE``, command
        id after a CMD, which it did not apply). Commands go elsewhere until it answers PONG."""
        if len(frames) not in (2, 3):
            raise WireError("malformed", f"PASSIVE of {len(frames)} frames")
        command_id = check_command_id(frames[2]) if len(frames) == 3 else None
        endpoint.role = "passive"
        self.stats.count("passive")
        was_active = endpoint is self.active
        if was_active:
            self._set_active(None)
        if command_id is not None and command_id == self.in_flight and self.sent_to is endpoint:
            self.in_flight = None
            if self.pair:
                # Not applied there: the head goes to the server that answers PONG next.
                self.backoff = self.cfg.resend_first
                self.next_send = 0.0
        if was_active or command_id is not None:
            self.last_error = PASSIVE_ERROR if not self.pair else f"{endpoint.address}: {PASSIVE_ERROR}"

    def _set_active(self, endpoint: _Endpoint | None) -> None:
        if endpoint is self.active:
            return
        self.active = endpoint
        self.in_flight = None  # the head is sent (again) to the new active server
        if endpoint is not None:
            # Back from an outage, or a new server: resend the head now rather than at the end of its backoff.
            self.backoff = self.cfg.resend_first
            self.next_send = 0.0
        elif self.pair:
            for other in self.endpoints:
                other.next_ping = 0.0  # seek the active one at once
        up = endpoint is not None
        if up != self.up:
            self.up = up
            self.since = time.time()
        self._publish_link(force=True)

    def _publish_link(self, force: bool = False) -> None:
        state = LinkState(
            self.up,
            self.since,
            len(self.queue),
            self.last_heartbeat,
            self.attempts,
            self.last_error,
            self.active.address if self.active is not None else None,
            tuple(EndpointState(e.address, e.role, e.last_heartbeat) for e in self.endpoints),
        )
        self.front._link = state
        if force and self.cfg.on_link is not None:
            try:
                self.cfg.on_link(state)
            except Exception:
                log.exception("on_link callback failed")


class CommandClient(AgentFront):
    """A district's (or console's) end of the command channel.

    ``submit(body)`` returns once the command is persisted in the outbox; ``on_reply(reply)`` is
    called in the agent thread with each final reply (possibly twice for one command after a crash),
    including the EXPIRED one of a command given up after ``resend_limit`` seconds (comms.retention);
    ``on_link(state)`` when the link goes up or down; ``link`` is the current state.

    ``more``: the other servers of a failover pair, as (host, port). The client then keeps a line to
    each, pings each every heartbeat and sends commands only to the one that answers PONG (the
    active one); when it falls silent, drops its connection or answers PASSIVE, the head of the
    queue goes to whichever answers PONG next (docs/protocol.md section 4, "Several endpoints").
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        more: Sequence[tuple[str, int]] = (),
        outbox: Outbox | None = None,
        security: Security | None = None,
        server: str = "centre",
        context: zmq.Context | None = None,
        heartbeat: float = 1.0,
        max_body: int = DEFAULT_MAX_BODY,
        resend_first: float = _RESEND_FIRST,
        on_reply: Callable[[CommandReply], None] | None = None,
        on_link: Callable[[LinkState], None] | None = None,
        resend_limit: float = RESEND_LIMIT_S,
    ) -> None:
        self.stats = NodeStats(f"command-client:{port}")
        self.max_body = max_body
        self.outbox = outbox if outbox is not None else MemoryOutbox()
        more = tuple((h, int(p)) for h, p in more)
        if len({(host, int(port)), *more}) != 1 + len(more):
            raise ValueError(f"a server is named twice among {[(host, port), *more]}")
        self.config = CommandClientConfig(
            host, port, security, server, heartbeat, max_body, resend_first, on_reply, on_link,
            resend_limit=resend_limit, more=more,
        )
        self._link = LinkState(False, time.time(), 0, None, 0, None)
        super().__init__(
            f"command-client-{port}",
            context,
            lambda ctx: _CommandClientCore(ctx, self.config, self.outbox, self),
        )

    @property
    def link(self) -> LinkState:
        return self._link

    def submit(self, body: bytes, command_id: str | None = None, *, persist: bool = True) -> str:
        """Queue a command; returns its id once it is persisted (``persist`` False: once queued in memory,
        for a command that must never reach the disk). Submitting an id twice queues it once."""
        command_id = command_id or new_command_id()
        check_command_id(command_id.encode("ascii"))
        check_body(body, self.max_body)
        reply = self._agent.call(
            [b"SUBMIT" if persist else b"SUBMIT_TRANSIENT", command_id.encode("ascii"), body]
        )
        if reply[0] != b"OK":
            raise OSError(f"outbox refused the command: {reply[1].decode(errors='replace')}")
        return command_id
