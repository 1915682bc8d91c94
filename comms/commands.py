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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import zmq

from comms.agent import REBIND, TERM, AgentFront, ServerFront, answer_rebind
from comms.keys import Security, peer_of, still_allowed
from comms.records import Command, CommandRefused, Peer
from comms.sockets import has_message, recv_bounded, recv_frames, send_frames
from comms.stats import MONITOR_MASK, NodeStats
from comms.wire import (
    ALL_STATUSES,
    CMD,
    CMD_PROTO,
    CMD_PROTO_PREFIX,
    DEFAULT_MAX_BODY,
    FINAL_STATUSES,
    PING,
    PONG,
    REPLY,
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

    def __init__(self, path: str | Path, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self._db: sqlite3.Connection | None = None

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
            self._db = db
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[_SqliteDedupTx]:
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteDedupTx(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def prune(self, older_than: float) -> int:
        """Forget ids applied before ``older_than`` (Unix time); senders never resend that old."""
        return self.connection.execute(
            "DELETE FROM applied_command WHERE applied_at < ?", (older_than,)
        ).rowcount

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class _SqliteDedupTx:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def find_reply(self, peer: str, command_id: str) -> tuple[str, bytes] | None:
        row = self.connection.execute(
            "SELECT status, reply FROM applied_command WHERE peer = ? AND command_id = ?", (peer, command_id)
        ).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def save_reply(self, peer: str, command_id: str, status: str, body: bytes) -> None:
        self.connection.execute(
            "INSERT INTO applied_command (peer, command_id, status, reply, applied_at) VALUES (?, ?, ?, ?, ?)",
            (peer, command_id, status, body, time.time()),
        )


@dataclass
class CommandServerConfig:
    host: str
    port: int
    security: Security | None
    apply: ApplyFn
    store: DedupStore
    max_body: int


class _CommandServerCore:
    def __init__(self, context: zmq.Context, cfg: CommandServerConfig, front: CommandServer) -> None:
        self.cfg = cfg
        self.context = context
        self.front = front
        self.stats = front.stats
        self.monitors: list[zmq.Socket] = []
        self.router: zmq.Socket | None = None
        self._attached = False
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
            events = dict(poller.poll(1000))
            if pipe in events:
                msg = pipe.recv_multipart()
                if msg[0] == TERM:
                    return
                if msg[0] == REBIND:
                    answer_rebind(pipe, [(self.router, f"tcp://{self.cfg.host}:{self.cfg.port}")])
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
            self._send(routing_id, PONG)
            return
        if kind != CMD:
            raise WireError("unknown_command", repr(kind[:20]))
        if count != 5:
            raise WireError("wrong_frame_count", f"CMD of {count - 1} frames")
        command_id = check_command_id(frames[3].bytes)
        body = frames[4].bytes
        if len(body) > self.cfg.max_body:
            self._send(routing_id, REPLY, frames[3].bytes, STATUS_INVALID.encode(), b"body too large")
            raise WireError("oversized", f"command body of {len(body)} bytes")
        status, reply = self._apply_once(Command(command_id, peer, body))
        self._send(routing_id, REPLY, command_id.encode(), status.encode(), reply)

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
    ) -> None:
        self.stats = NodeStats(f"command-server:{port}")
        self.config = CommandServerConfig(host, port, security, apply, store or MemoryDedupStore(), max_body)
        self._peers_lock = threading.Lock()
        self._last_seen: dict[str, float] = {}
        super().__init__(
            f"command-server-{port}", context, lambda ctx: _CommandServerCore(ctx, self.config, self)
        )

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
    def close(self) -> None: ...


class MemoryOutbox:
    def __init__(self) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def load(self) -> list[tuple[str, bytes]]:
        return list(self._items.items())

    def add(self, command_id: str, body: bytes) -> bool:
        if command_id in self._items:
            return False
        self._items[command_id] = body
        return True

    def remove(self, command_id: str) -> None:
        self._items.pop(command_id, None)

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

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@dataclass(frozen=True, slots=True)
class LinkState:
    up: bool
    since: float  # wall-clock time of the last change of ``up``
    queue_length: int
    last_heartbeat: float | None  # wall-clock time of the last PONG or REPLY
    head_attempts: int  # sends of the command at the head of the queue
    last_error: str | None


@dataclass(frozen=True, slots=True)
class CommandReply:
    command_id: str
    status: str  # OK, REFUSED or INVALID (final); RETRY is handled by the client itself
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


class _CommandClientCore:
    def __init__(self, context: zmq.Context, cfg: CommandClientConfig, outbox: Outbox, front: CommandClient):
        self.cfg = cfg
        self.context = context
        self.outbox = outbox
        self.front = front
        self.stats = front.stats
        self.queue: OrderedDict[str, bytes] = OrderedDict(outbox.load())
        self.dealer: zmq.Socket | None = None
        self.poller = zmq.Poller()
        self._connect()
        self.in_flight: str | None = None  # the head's id once sent
        self.next_send = 0.0  # monotonic time the head may be (re)sent
        self.backoff = self.cfg.resend_first
        self.attempts = 0
        self.last_error: str | None = None
        self.next_ping = 0.0
        self.last_heard = 0.0
        self.last_heartbeat: float | None = None
        self.up = False
        self.since = time.time()
        self._publish_link(force=True)

    def _connect(self) -> None:
        if self.dealer is not None:
            self.poller.unregister(self.dealer)
            self.dealer.close(linger=0)
        dealer = self.context.socket(zmq.DEALER)
        dealer.linger = 0
        # Queue nothing for a server that is not connected: a send then fails at once (link down)
        # instead of piling stale copies that would all arrive on reconnection.
        dealer.immediate = 1
        dealer.maxmsgsize = maxmsgsize(self.cfg.max_body)
        if self.cfg.security is not None:
            self.cfg.security.make_client(dealer, self.cfg.server)
        dealer.connect(f"tcp://{self.cfg.host}:{self.cfg.port}")
        self.dealer = dealer
        self.poller.register(dealer, zmq.POLLIN)

    def close(self) -> None:
        if self.dealer is not None:
            self.dealer.close(linger=0)
        self.outbox.close()

    def run(self, pipe: zmq.Socket) -> None:
        self.poller.register(pipe, zmq.POLLIN)
        hb = self.cfg.heartbeat
        while True:
            now = time.monotonic()
            wake = self.next_ping
            if self.queue:
                wake = min(wake, self.next_send)
            events = dict(self.poller.poll(max(0, int((wake - now) * 1000) + 1)))
            if pipe in events and self._drain_pipe(pipe):
                return
            if self.dealer in events:
                self._drain_dealer()
            now = time.monotonic()
            if self.up and now - self.last_heard > 3 * hb:
                self._set_up(False)
                # A stalled connection may hold our messages; a fresh socket starts clean.
                self._connect()
            if now >= self.next_ping:
                self._send([PING])
                self.next_ping = now + hb
            if self.queue and now >= self.next_send:
                self._send_head(now)
            self._publish_link()

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

    def _send(self, frames: list[bytes]) -> bool:
        try:
            send_frames(self.dealer, [CMD_PROTO, *frames], _NOBLOCK)
            return True
        except zmq.Again:
            return False

    def _send_head(self, now: float) -> None:
        command_id, body = next(iter(self.queue.items()))
        if self._send([CMD, command_id.encode(), body]):
            self.in_flight = command_id
            self.attempts += 1
            self.stats.count("sent" if self.attempts == 1 else "resent")
            self.next_send = now + self.backoff
            self.backoff = min(self.backoff * 2, _RESEND_MAX)
        else:
            # No connection (IMMEDIATE): try again soon, the link state already says down.
            self.next_send = now + min(self.backoff, 0.1 * self.cfg.heartbeat + 0.05)

    def _drain_dealer(self) -> None:
        for _ in range(_BATCH):
            if not has_message(self.dealer):
                return
            frames = recv_frames(self.dealer)
            try:
                self._on_message(frames)
            except WireError as exc:
                self.stats.drop(exc.reason, exc.detail, "server")

    def _on_message(self, frames: list[bytes]) -> None:
        if len(frames) < 2 or frames[0] != CMD_PROTO:
            raise WireError("malformed", "reply without protocol tag")
        self.last_heard = time.monotonic()
        self.last_heartbeat = time.time()
        if not self.up:
            self._set_up(True)
            # Back from an outage: resend the head now rather than at the end of its backoff.
            self.backoff = self.cfg.resend_first
            self.next_send = 0.0
        kind = frames[1]
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
        if command_id != next(iter(self.queue), None):
            self.stats.count("stale_replies")  # the answer to an earlier resend
            return
        if status == STATUS_RETRY:
            self.last_error = frames[4].decode(errors="replace")
            return
        assert status in FINAL_STATUSES
        reply = CommandReply(command_id, status, frames[4])
        if self.cfg.on_reply is not None:
            try:
                self.cfg.on_reply(reply)
            except Exception:
                log.exception("on_reply callback failed")
        # Removed only after the application saw the reply: a crash in between means a resend and the
        # same stored reply again, never a lost one.
        self.outbox.remove(command_id)
        self.queue.pop(command_id, None)
        self.in_flight = None
        self.attempts = 0
        self.backoff = self.cfg.resend_first
        self.next_send = 0.0
        self.last_error = (
            None if status == STATUS_OK else f"{status}: {frames[4][:200].decode(errors='replace')}"
        )
        self.stats.count("answered")

    def _set_up(self, up: bool) -> None:
        self.up = up
        self.since = time.time()
        if not up:
            self.in_flight = None  # resend the head once the link is back
        self._publish_link(force=True)

    def _publish_link(self, force: bool = False) -> None:
        state = LinkState(
            self.up, self.since, len(self.queue), self.last_heartbeat, self.attempts, self.last_error
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
    called in the agent thread with each final reply (possibly twice for one command after a crash);
    ``on_link(state)`` when the link goes up or down; ``link`` is the current state.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        outbox: Outbox | None = None,
        security: Security | None = None,
        server: str = "centre",
        context: zmq.Context | None = None,
        heartbeat: float = 1.0,
        max_body: int = DEFAULT_MAX_BODY,
        resend_first: float = _RESEND_FIRST,
        on_reply: Callable[[CommandReply], None] | None = None,
        on_link: Callable[[LinkState], None] | None = None,
    ) -> None:
        self.stats = NodeStats(f"command-client:{port}")
        self.max_body = max_body
        self.outbox = outbox if outbox is not None else MemoryOutbox()
        self.config = CommandClientConfig(
            host, port, security, server, heartbeat, max_body, resend_first, on_reply, on_link
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
