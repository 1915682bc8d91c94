"""State replication: the Clone pattern, compatible with CHP (ZeroMQ RFC 12), plus catch-up.

``CloneServer`` holds the authoritative map on the centre: ROUTER at P answers snapshot and catch-up
requests, PUB at P+1 publishes numbered updates and HUGZ, SUB at P+2 collects clients' writes.
``CloneClient`` keeps a replica of one subtree: it takes a snapshot (or catches up from its last
sequence number), follows updates, watches the heartbeat and confirms its own writes by their echo.
docs/protocol.md section 3 is the specification.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import os
import sqlite3
import struct
import threading
import time
import uuid as uuid_mod
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import msgpack
import zmq

from comms.agent import REBIND, TERM, AgentFront, ServerFront, answer_rebind
from comms.keys import Peer, PeerPolicy, Security, allow_all, peer_of, scoped_write_policy, still_allowed
from comms.sequence import DEFAULT_BLOCK, SequenceBlocks
from comms.sockets import has_message, recv_bounded, recv_frames, send_frames
from comms.stats import MONITOR_MASK, NodeStats
from comms.wire import (
    CATCHUP,
    CHP_PROTO,
    DEFAULT_MAX_BODY,
    HUGZ,
    ICANHAZ,
    ICANHAZ_SINCE,
    KTHXBAI,
    NO_PROPERTIES,
    SORRY,
    Entry,
    WireError,
    check_body,
    check_path_key,
    control_frames,
    decode_entry,
    decode_properties,
    decode_subtree,
    encode_properties,
    maxmsgsize,
    pack_seq,
    unpack_seq,
)

_NOBLOCK = int(zmq.NOBLOCK)

log = logging.getLogger("comms.clone")

# How many messages one socket may deliver per loop turn before the others get a look in.
_BATCH = 500
# Snapshot entries sent per stream per loop turn: big enough to be fast, small enough that a 110,000-key
# snapshot never holds up publishing for more than a few milliseconds.
_SNAPSHOT_SLICE = 1000
# Updates of one ``publish_many`` hand-over: the agent publishes one slice per loop turn.
_PUBLISH_SLICE = 500


def ports(port: int) -> tuple[int, int, int]:
    """The snapshot (ROUTER), publisher and collector ports of a clone server at base port P."""
    return port, port + 1, port + 2


def _ttl_seconds(props: Mapping[str, str]) -> float | None:
    """The ``ttl`` property as seconds, None when absent; WireError when it is not a positive number."""
    raw = props.get("ttl")
    if raw is None:
        return None
    try:
        ttl = float(raw)
    except ValueError:
        raise WireError("malformed", f"ttl {raw[:20]!r}") from None
    if not math.isfinite(ttl) or ttl <= 0:
        raise WireError("malformed", f"ttl {raw[:20]!r}")
    return ttl


def _expiry_text(expires: float) -> str:
    """``expires`` as seconds with millisecond decimals, never later than it: rounding up would promise
    a key more time than its ttl (and a float's decimal text may read back a hair above the float)."""
    ms = math.floor(expires * 1000)
    while float(f"{ms / 1000:.3f}") > expires:
        ms -= 1
    return f"{ms / 1000:.3f}"


def _stamp_expiry(props: Mapping[str, str], body: bytes, now: float) -> dict[str, str]:
    """Properties as the server stores them: ``expires_at`` recomputed beside ``ttl`` (ours, not the
    writer's, so clocks of other centres do not matter), and dropped where there is no ``ttl``."""
    if not props:
        return {}
    out = {k: v for k, v in props.items() if k != "expires_at"}
    ttl = _ttl_seconds(out)
    if ttl is not None and body:
        out["expires_at"] = _expiry_text(now + ttl)
    return out


_UUID_COUNTER = struct.Struct("!Q")


def _reseed_uuids() -> None:
    global _uuid_prefix, _uuid_counter
    _uuid_prefix = os.urandom(8)
    _uuid_counter = itertools.count()


_reseed_uuids()
# A forked child must not repeat its parent's UUIDs.
os.register_at_fork(after_in_child=_reseed_uuids)


def _new_uuid() -> bytes:
    """16 bytes unique to this update: 8 random per process, then a counter. A district re-publishes
    2,000 updates a second, and a system call for 16 random bytes each cost it more than the rest of
    the numbering."""
    return _uuid_prefix + _UUID_COUNTER.pack(next(_uuid_counter))


def _dump_entries(entries: Iterable[Entry]) -> bytes:
    return msgpack.packb([[e.key, e.seq, e.uuid, e.props_raw, e.body] for e in entries], use_bin_type=True)


def _load_entries(raw: bytes) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for key, seq, uuid, props_raw, body in msgpack.unpackb(raw, raw=False):
        out[key] = Entry(key, seq, uuid, decode_properties(props_raw), body, props_raw)
    return out


def _monitored(sock: zmq.Socket, monitors: list[zmq.Socket]) -> None:
    monitors.append(sock.get_monitor_socket(MONITOR_MASK))


def _close_all(sockets: Iterable[zmq.Socket | None], monitored: Iterable[zmq.Socket]) -> None:
    for sock in monitored:
        try:
            sock.disable_monitor()
        except zmq.ZMQError:
            pass
    for sock in sockets:
        if sock is not None:
            sock.close(linger=0)


# ==================================================================================================
# Server
# ==================================================================================================


# A lone server silent this long (seconds, at least) is followed again on fresh sockets.
_REFOLLOW_SILENT = 3.0

class UpdateLog:
    """The last ``size`` updates in sequence order, for catch-up and for re-echoing resent writes."""

    def __init__(self, size: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)

    def append(self, entry: Entry) -> None:
        self._entries.append(entry)

    def covers(self, since: int, current: int) -> bool:
        """True when every update after ``since`` up to ``current`` is still held."""
        if since == current:
            return True
        if since > current or not self._entries:
            return False
        return self._entries[0].seq <= since + 1

    def after(self, since: int) -> list[Entry]:
        if not self._entries:
            return []
        start = max(0, since + 1 - self._entries[0].seq)
        return [self._entries[i] for i in range(start, len(self._entries))]

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, seq: int) -> Entry | None:
        if not self._entries:
            return None
        index = seq - self._entries[0].seq
        if 0 <= index < len(self._entries):
            return self._entries[index]
        return None


@dataclass
class _Stream:
    """A snapshot or replay on its way to one client, sent a slice per loop turn."""

    routing_id: bytes
    items: list[Entry]
    seq: int
    subtree: str
    position: int = 0


@dataclass
class CloneServerConfig:
    host: str
    port: int
    security: Security | None
    heartbeat: float
    log_size: int
    max_body: int
    write_policy: PeerPolicy
    read_policy: PeerPolicy
    on_write: Callable[[Peer, Entry], None] | None
    initial: Iterable[Entry]
    initial_seq: int
    epoch: str
    numbering: SequenceBlocks


class _CloneServerCore:
    def __init__(self, context: zmq.Context, cfg: CloneServerConfig, stats: NodeStats) -> None:
        self.cfg = cfg
        self.stats = stats
        self.context = context
        self.map: dict[str, Entry] = {}
        self.seq = cfg.initial_seq
        self.log = UpdateLog(cfg.log_size)
        self.recent_writes: OrderedDict[bytes, int] = OrderedDict()
        self.ttl_heap: list[tuple[float, int, str]] = []
        self.streams: dict[bytes, _Stream] = {}
        self.monitors: list[zmq.Socket] = []
        self.router = self.pub = self.collector = None
        # False while every stream waits for its client to drain (then the loop naps instead of spins).
        self._streams_ready = True
        numbering = cfg.numbering
        for entry in cfg.initial:
            if entry.body:
                if entry.seq <= numbering.base:
                    raise ValueError(
                        f"initial entry {entry.key} has sequence {entry.seq}, not above seq_base"
                        f" {numbering.base}: number the initial entries from seq_base + 1"
                    )
                self.map[entry.key] = entry
                self.seq = max(self.seq, entry.seq)
                self._schedule_expiry(entry)
        # Recorded before anything is served: the initial entries' numbers are seen in snapshots.
        numbering.start(self.seq)
        self.seq = numbering.last
        self._attached = False
        try:
            self._open()
        except Exception:
            self.close()
            raise

    def _open(self) -> None:
        cfg = self.cfg
        if cfg.security is not None:
            # The ZAP handler must be listening before the first client can finish a handshake.
            cfg.security.attach(self.context)
            self._attached = True
        p_router, p_pub, p_collector = ports(cfg.port)
        limit = maxmsgsize(cfg.max_body)

        router = self.router = self.context.socket(zmq.ROUTER)
        router.router_mandatory = 1
        # Snapshots are paced by the loop; a large HWM lets one slice go out without EAGAIN.
        router.sndhwm = 50_000
        pub = self.pub = self.context.socket(zmq.PUB)
        pub.sndhwm = 100_000
        collector = self.collector = self.context.socket(zmq.SUB)
        collector.setsockopt(zmq.SUBSCRIBE, b"")
        for sock in (router, pub, collector):
            sock.linger = 0
            sock.maxmsgsize = limit
            if cfg.security is not None:
                cfg.security.make_server(sock)
            _monitored(sock, self.monitors)
        router.bind(f"tcp://{cfg.host}:{p_router}")
        pub.bind(f"tcp://{cfg.host}:{p_pub}")
        collector.bind(f"tcp://{cfg.host}:{p_collector}")

    def close(self) -> None:
        _close_all((self.router, self.pub, self.collector), self.monitors)
        for mon in self.monitors:
            mon.close(linger=0)
        if self._attached and self.cfg.security is not None:
            self.cfg.security.detach(self.context)
            self._attached = False

    # --- loop --------------------------------------------------------------------------------------
    def run(self, pipe: zmq.Socket) -> None:
        poller = zmq.Poller()
        for sock in (pipe, self.router, self.collector, *self.monitors):
            poller.register(sock, zmq.POLLIN)
        next_hugz = time.monotonic()
        while True:
            timeout = max(0.0, next_hugz - time.monotonic())
            if self.ttl_heap:
                timeout = min(timeout, max(0.0, self.ttl_heap[0][0] - time.time()))
            if self.streams:
                timeout = 0.0 if self._streams_ready else min(timeout, 0.005)
            events = dict(poller.poll(math.ceil(timeout * 1000)))
            if pipe in events and self._drain_pipe(pipe):
                return
            if self.router in events:
                self._drain(self.router, self._on_router)
            if self.collector in events:
                self._drain(self.collector, self._on_collector)
            for mon in self.monitors:
                if mon in events:
                    while mon.poll(0):
                        self.stats.monitor_event(mon)
            self._expire()
            if time.monotonic() >= next_hugz:
                self.cfg.numbering.retry()
                self._send_hugz()
                next_hugz = time.monotonic() + self.cfg.heartbeat
            if self.streams:
                self._pump_streams()

    def _drain(self, sock: zmq.Socket, handle: Callable[[list[zmq.Frame], int], None]) -> None:
        for _ in range(_BATCH):
            if not has_message(sock):
                return
            frames, count = recv_bounded(sock, 6)
            try:
                handle(frames, count)
            except WireError as exc:
                self.stats.drop(exc.reason, exc.detail, peer_of(frames[-1]).name)

    def _drain_pipe(self, pipe: zmq.Socket) -> bool:
        for _ in range(_BATCH):
            if not has_message(pipe):
                return False
            msg = recv_frames(pipe)
            op = msg[0]
            if op == TERM:
                return True
            if len(msg) == 1:  # PUT, packed in one frame (see CloneServer.publish)
                key, uuid, props_raw, body = msgpack.unpackb(op)
                self._publish(key, uuid, decode_properties(props_raw), body)
            elif op == b"PUTS":  # many PUTs in one frame (CloneServer.publish_many)
                for key, uuid, props_raw, body in msgpack.unpackb(msg[1]):
                    self._publish(
                        key, uuid, decode_properties(props_raw) if props_raw else NO_PROPERTIES, body
                    )
                # One slice per loop turn, so a rescan of the whole map never holds up snapshots,
                # writes or HUGZ for long.
                return False
            elif op == b"DUMP":
                subtree = msg[1].decode()
                pipe.send(_dump_entries(e for e in self.map.values() if e.key.startswith(subtree)))
            elif op == REBIND:
                socks = (self.router, self.pub, self.collector)
                ends = [f"tcp://{self.cfg.host}:{p}" for p in ports(self.cfg.port)]
                answer_rebind(pipe, list(zip(socks, ends, strict=True)))
            elif op == b"INFO":
                info = {
                    "seq": self.seq,
                    "epoch": self.cfg.epoch,
                    "keys": len(self.map),
                    "log": len(self.log),
                    "reserved": self.cfg.numbering.reserved,
                }
                pipe.send(msgpack.packb(info))
        return False

    # --- updates -------------------------------------------------------------------------------------
    def _publish(
        self, key: str, uuid: bytes, props: Mapping[str, str], body: bytes, from_client: bool = False
    ) -> Entry:
        # Raises SequenceReservationError (which stops the agent) rather than reuse a number.
        self.seq = self.cfg.numbering.take()
        if props:
            entry = Entry.make(key, self.seq, uuid, _stamp_expiry(props, body, time.time()), body)
        else:  # most updates: nothing to stamp or encode
            entry = Entry(key, self.seq, uuid, NO_PROPERTIES, body, b"")
        if body:
            self.map[key] = entry
            self._schedule_expiry(entry)
        else:
            self.map.pop(key, None)
        self.log.append(entry)
        if from_client and uuid:
            # Only clients resend (docs/protocol.md 3.3), so only their UUIDs need remembering.
            self.recent_writes[uuid] = entry.seq
            if len(self.recent_writes) > self.cfg.log_size:
                self.recent_writes.popitem(last=False)
        send_frames(self.pub, entry.frames())
        return entry

    def _schedule_expiry(self, entry: Entry) -> None:
        expires_at = entry.expires_at
        if expires_at is not None:
            heapq.heappush(self.ttl_heap, (expires_at, entry.seq, entry.key))

    def _expire(self) -> None:
        now = time.time()
        while self.ttl_heap and self.ttl_heap[0][0] <= now:
            _, seq, key = heapq.heappop(self.ttl_heap)
            current = self.map.get(key)
            # Only the version that carried this ttl expires; a newer write has its own.
            if current is not None and current.seq == seq:
                self._publish(key, b"", {}, b"")
                self.stats.count("expired")

    def _send_hugz(self) -> None:
        props = {"epoch": self.cfg.epoch, "seq": str(self.seq), "reserved": str(self.cfg.numbering.reserved)}
        self.pub.send_multipart(control_frames(HUGZ, 0, props))

    # --- collector (KVSET) -------------------------------------------------------------------------------
    def _on_collector(self, frames: list[zmq.Frame], count: int) -> None:
        peer = peer_of(frames[0])
        if count != 5:
            raise WireError("wrong_frame_count", f"KVSET of {count} frames")
        entry = decode_entry([f.bytes for f in frames], self.cfg.max_body)
        if entry.uuid and entry.uuid in self.recent_writes:
            # A resend whose first copy was applied: repeat the original echo, do not apply twice.
            original = self.log.find(self.recent_writes[entry.uuid])
            if original is not None:
                send_frames(self.pub, original.frames())
            self.stats.count("duplicate_write")
            return
        _ttl_seconds(entry.props)
        if not still_allowed(self.cfg.security, peer):
            self.stats.drop("key_revoked", f"{peer.name} is no longer on the allow-list", peer.name)
            return
        if not self.cfg.write_policy(peer, entry.key):
            self.stats.drop(
                "write_refused", f"{peer.name} ({peer.role}) may not write {entry.key}", peer.name
            )
            return
        published = self._publish(entry.key, entry.uuid, entry.props, entry.body, from_client=True)
        self.stats.count("writes")
        if self.cfg.on_write is not None:
            try:
                self.cfg.on_write(peer, published)
            except Exception:
                log.exception("on_write callback failed")

    # --- snapshots and catch-up (ROUTER) ----------------------------------------------------------------
    def _on_router(self, frames: list[zmq.Frame], count: int) -> None:
        if count < 2:
            raise WireError("wrong_frame_count", "empty request")
        routing_id = frames[0].bytes
        peer = peer_of(frames[1])
        command = frames[1].bytes
        if command == ICANHAZ:
            if count != 3:
                raise WireError("wrong_frame_count", f"ICANHAZ? of {count - 1} frames")
            subtree = decode_subtree(frames[2].bytes)
            if self._allowed(routing_id, peer, subtree):
                self._start_snapshot(routing_id, subtree)
        elif command == ICANHAZ_SINCE:
            if count != 5:
                raise WireError("wrong_frame_count", f"ICANHAZ-SINCE? of {count - 1} frames")
            subtree = decode_subtree(frames[2].bytes)
            since = unpack_seq(frames[3].bytes)
            epoch = frames[4].bytes.decode(errors="replace")
            if not self._allowed(routing_id, peer, subtree):
                return
            if epoch == self.cfg.epoch and self.log.covers(since, self.seq):
                self._send_to(routing_id, control_frames(CATCHUP, since, {"mode": "replay"}, frames[2].bytes))
                items = [e for e in self.log.after(since) if e.key.startswith(subtree)]
                self.streams[routing_id] = _Stream(routing_id, items, self.seq, subtree)
                self.stats.count("replays")
            else:
                self._send_to(routing_id, control_frames(CATCHUP, 0, {"mode": "snapshot"}, frames[2].bytes))
                self._start_snapshot(routing_id, subtree)
        else:
            raise WireError("unknown_command", repr(command[:20]))

    def _allowed(self, routing_id: bytes, peer: Peer, subtree: str) -> bool:
        if not still_allowed(self.cfg.security, peer):
            self.stats.drop("key_revoked", f"{peer.name} is no longer on the allow-list", peer.name)
        elif self.cfg.read_policy(peer, subtree):
            return True
        else:
            self.stats.drop("read_refused", f"{peer.name} may not read {subtree!r}", peer.name)
        self._send_to(routing_id, control_frames(SORRY, 0, {"reason": "refused"}, subtree.encode()))
        return False

    def _start_snapshot(self, routing_id: bytes, subtree: str) -> None:
        # A copy of the entry references taken now is a consistent snapshot at self.seq: later updates
        # get larger sequence numbers, which the client applies on top.
        if subtree:
            items = [e for e in self.map.values() if e.key.startswith(subtree)]
        else:
            items = list(self.map.values())
        self.streams[routing_id] = _Stream(routing_id, items, self.seq, subtree)
        self.stats.count("snapshots")

    def _send_to(self, routing_id: bytes, frames: list[bytes]) -> bool | None:
        """True when sent, None when the peer's queue is full (try later), False when it is gone."""
        try:
            send_frames(self.router, [routing_id, *frames], _NOBLOCK)
            return True
        except zmq.Again:
            return None
        except zmq.ZMQError as exc:
            if exc.errno == zmq.EHOSTUNREACH:
                return False
            raise

    def _pump_streams(self) -> None:
        ready = False
        for routing_id in list(self.streams):
            stream = self.streams[routing_id]
            end = min(len(stream.items), stream.position + _SNAPSHOT_SLICE)
            gone = False
            while stream.position < end:
                sent = self._send_to(routing_id, stream.items[stream.position].frames())
                if sent is None:
                    break
                if sent is False:
                    gone = True
                    break
                stream.position += 1
            if not gone and stream.position == len(stream.items):
                props = {"epoch": self.cfg.epoch, "proto": CHP_PROTO, "count": str(len(stream.items))}
                sent = self._send_to(
                    routing_id, control_frames(KTHXBAI, stream.seq, props, stream.subtree.encode())
                )
                if sent is None:
                    continue
                gone = sent is False
                if not gone:
                    del self.streams[routing_id]
                    continue
            if gone:
                # The client went away mid-stream; it will ask again when it comes back.
                del self.streams[routing_id]
                self.stats.count("snapshots_abandoned")
                continue
            if stream.position < len(stream.items) and stream.position == end:
                ready = True
        self._streams_ready = ready


class CloneServer(ServerFront):
    """The centre's side of the state channel. Start it, publish into it, stop it.

    ``publish`` may be called from any thread; the update is numbered and sent by the agent thread.
    ``initial`` (entries with their sequence numbers) and ``initial_seq`` seed the map from the
    application's database; ``epoch`` names the sequence space (see docs/protocol.md 3.4).

    Sequence numbers never go back across restarts (docs/protocol.md 3.7, ``comms.sequence``):
    ``seq_base`` is the highest number an earlier run may have used (the application's recorded
    reservation, or higher); the initial entries must be numbered above it (``seq_base + 1``, ...).
    ``reserve(upto)`` is called in the agent thread, at start and then about once per ``block // 2``
    updates, and must record ``upto`` durably before it returns: the server never publishes a number
    above the last ``upto`` that returned. If it raises, the server goes on within what is recorded and
    tries again each heartbeat; with nothing recorded left it stops (``running`` turns False) rather
    than reuse a number. ``reserved`` is the current reservation, also sent in HUGZ as ``reserved``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Security | None = None,
        context: zmq.Context | None = None,
        heartbeat: float = 1.0,
        log_size: int = 100_000,
        max_body: int = DEFAULT_MAX_BODY,
        write_policy: PeerPolicy = scoped_write_policy,
        read_policy: PeerPolicy = allow_all,
        on_write: Callable[[Peer, Entry], None] | None = None,
        initial: Iterable[Entry] = (),
        initial_seq: int = 0,
        epoch: str | None = None,
        seq_base: int = 0,
        reserve: Callable[[int], None] | None = None,
        block: int = DEFAULT_BLOCK,
    ) -> None:
        self.stats = NodeStats(f"clone-server:{port}")
        self.max_body = max_body
        self._numbering = SequenceBlocks(seq_base, reserve, block, retry_after=heartbeat)
        self.config = CloneServerConfig(
            host=host,
            port=port,
            security=security,
            heartbeat=heartbeat,
            log_size=log_size,
            max_body=max_body,
            write_policy=write_policy,
            read_policy=read_policy,
            on_write=on_write,
            initial=initial,
            initial_seq=initial_seq,
            epoch=epoch or uuid_mod.uuid4().hex,
            numbering=self._numbering,
        )
        super().__init__(
            f"clone-server-{port}", context, lambda ctx: _CloneServerCore(ctx, self.config, self.stats)
        )

    @property
    def epoch(self) -> str:
        return self.config.epoch

    @property
    def reserved(self) -> int:
        """The sequence reservation recorded last: no number above it has been published."""
        return self._numbering.reserved

    def publish(
        self,
        key: str,
        body: bytes,
        properties: Mapping[str, str] | None = None,
        *,
        ttl: float | None = None,
        uuid: bytes | None = None,
    ) -> None:
        """Set ``key`` to ``body`` (an empty body deletes it) for every client."""
        check_path_key(key)
        check_body(body, self.max_body)
        props = dict(properties or {})
        if ttl is not None:
            props["ttl"] = repr(float(ttl))
        _ttl_seconds(props)
        # One frame, not five: every send on the pipe is a chance for the agent thread to take the GIL,
        # and at 2,000 updates/s those hand-overs cost more than the packing.
        self._agent.tell([msgpack.packb((key, uuid or _new_uuid(), encode_properties(props), body))])

    def publish_many(
        self, updates: Iterable[tuple[str, bytes, Mapping[str, str] | None, float | None]]
    ) -> int:
        """``publish`` for each (key, body, properties, ttl), in order, handed to the agent thread as one
        message: a batch of a thousand costs one hand-over instead of a thousand. Returns the count."""
        batch = []
        for key, body, properties, ttl in updates:
            check_path_key(key)
            check_body(body, self.max_body)
            props = dict(properties or {})
            if ttl is not None:
                props["ttl"] = repr(float(ttl))
            _ttl_seconds(props)
            batch.append((key, _new_uuid(), encode_properties(props), body))
        # Validated whole before anything is sent; then handed over in slices (see _drain_pipe).
        for lo in range(0, len(batch), _PUBLISH_SLICE):
            self._agent.tell([b"PUTS", msgpack.packb(batch[lo : lo + _PUBLISH_SLICE])])
        return len(batch)

    def delete(self, key: str) -> None:
        self.publish(key, b"")

    def dump(self, subtree: str = "") -> dict[str, Entry]:
        """A copy of the map (or of one subtree), for diagnostics and tests."""
        return _load_entries(self._agent.call([b"DUMP", subtree.encode()])[0])

    def info(self) -> dict[str, object]:
        return msgpack.unpackb(self._agent.call([b"INFO", b""])[0])


# ==================================================================================================
# Client side: replicas
# ==================================================================================================


@dataclass(frozen=True, slots=True)
class Position:
    """Where a replica stands: which history (epoch), which subtree, the last sequence applied."""

    epoch: str
    subtree: str
    seq: int


class Replica(Protocol):
    """Storage of a client's copy. Used only from the client's agent thread."""

    def position(self) -> Position | None: ...
    def set_position(self, position: Position) -> None: ...
    def get(self, key: str) -> Entry | None: ...
    def put(self, entry: Entry) -> bool:
        """Store ``entry`` (an empty body deletes); True when the replica changed."""
        ...

    def keys(self, subtree: str) -> set[str]: ...
    def items(self) -> Iterator[Entry]: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...


class MemoryReplica:
    """A replica that lives as long as the process: after a restart the client takes a snapshot."""

    def __init__(self) -> None:
        self._map: dict[str, Entry] = {}
        self._position: Position | None = None

    def position(self) -> Position | None:
        return self._position

    def set_position(self, position: Position) -> None:
        self._position = position

    def get(self, key: str) -> Entry | None:
        return self._map.get(key)

    def put(self, entry: Entry) -> bool:
        if entry.body:
            self._map[entry.key] = entry
            return True
        return self._map.pop(entry.key, None) is not None

    def keys(self, subtree: str) -> set[str]:
        return {k for k in self._map if k.startswith(subtree)}

    def items(self) -> Iterator[Entry]:
        return iter(list(self._map.values()))

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


class SqliteReplica:
    """A replica in a SQLite file, so a restarted client catches up instead of starting over.

    Entries and position are committed together, so after a crash (kill -9) the file holds a state
    that existed at that position, and catch-up from there is exact.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            # Opened lazily, in the agent thread that uses it.
            db = sqlite3.connect(self.path, isolation_level="DEFERRED", check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
                " uuid BLOB NOT NULL, props BLOB NOT NULL, body BLOB NOT NULL)"
            )
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.commit()
            self._db = db
        return self._db

    def position(self) -> Position | None:
        rows = dict(self.db.execute("SELECT name, value FROM meta").fetchall())
        if "seq" not in rows:
            return None
        return Position(rows.get("epoch", ""), rows.get("subtree", ""), int(rows["seq"]))

    def set_position(self, position: Position) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
            [("epoch", position.epoch), ("subtree", position.subtree), ("seq", str(position.seq))],
        )

    def get(self, key: str) -> Entry | None:
        row = self.db.execute("SELECT key, seq, uuid, props, body FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._entry(row)

    def put(self, entry: Entry) -> bool:
        if entry.body:
            self.db.execute(
                "INSERT OR REPLACE INTO kv (key, seq, uuid, props, body) VALUES (?, ?, ?, ?, ?)",
                (entry.key, entry.seq, entry.uuid, entry.props_raw, entry.body),
            )
            return True
        return self.db.execute("DELETE FROM kv WHERE key = ?", (entry.key,)).rowcount > 0

    def keys(self, subtree: str) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT key FROM kv") if k.startswith(subtree)}

    def items(self) -> Iterator[Entry]:
        for row in self.db.execute("SELECT key, seq, uuid, props, body FROM kv").fetchall():
            yield self._entry(row)

    @staticmethod
    def _entry(row: tuple) -> Entry:
        key, seq, uuid, props_raw, body = row
        return Entry(
            key, seq, bytes(uuid), decode_properties(bytes(props_raw)), bytes(body), bytes(props_raw)
        )

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# ==================================================================================================
# Client
# ==================================================================================================


@dataclass(frozen=True, slots=True)
class CloneLinkState:
    up: bool
    since: float  # wall-clock time of the last change of ``up``
    synced: bool  # False while a snapshot or catch-up is under way
    seq: int  # last sequence number applied
    epoch: str
    last_heartbeat: float | None  # wall-clock time of the last HUGZ
    endpoint: str | None = None  # the server followed, tcp://HOST:P (one of a failover pair)


@dataclass(frozen=True, slots=True)
class SyncInfo:
    mode: str  # "snapshot" or "replay"
    seq: int
    count: int  # entries received
    epoch: str
    seconds: float


@dataclass
class _PendingWrite:
    frames: list[bytes]
    next_at: float
    interval: float
    deadline: float


@dataclass
class _Sync:
    since_request: bool
    started: float
    deadline: float
    mode: str | None = None  # set by CATCHUP; None means a plain ICANHAZ? (a snapshot)
    seen: set[str] = field(default_factory=set)
    count: int = 0
    received_any: bool = False


@dataclass
class CloneClientConfig:
    host: str
    port: int
    subtree: str
    security: Security | None
    server: str
    heartbeat: float
    max_body: int
    write_timeout: float
    on_update: Callable[[Entry], None] | None
    on_synced: Callable[[SyncInfo], None] | None
    on_link: Callable[[CloneLinkState], None] | None
    on_write_result: Callable[[bytes, bool], None] | None
    more: tuple[tuple[str, int], ...] = ()  # the other servers of a failover pair

    @property
    def endpoints(self) -> list[tuple[str, int]]:
        return [(self.host, self.port), *self.more]


_WRITE_RETRY_FIRST = 0.25
_WRITE_RETRY_MAX = 2.0
_LIVE_BUFFER_MAX = 2_000_000


class _CloneClientCore:
    def __init__(self, context: zmq.Context, cfg: CloneClientConfig, replica: Replica, front: CloneClient):
        self.cfg = cfg
        self.context = context
        self.replica = replica
        self.front = front
        self.stats = front.stats
        self.dealer: zmq.Socket | None = None
        self.poller = zmq.Poller()
        self.sub: zmq.Socket | None = None
        self.pub: zmq.Socket | None = None
        self.followed = 0  # index in cfg.endpoints of the server followed
        self.followed_since = time.monotonic()
        self._follow(0)
        position = replica.position()
        if position is not None and position.subtree != cfg.subtree:
            position = None  # a replica of another subtree is no base for catch-up
        # Kept as plain attributes, not a Position, because the hot path updates seq per message.
        self.epoch = position.epoch if position else ""
        self.seq = position.seq if position else 0
        self.has_base = position is not None
        self.supports_since: bool | None = None
        self.sync: _Sync | None = None
        self.live_buffer: list[Entry] = []
        self.pending: dict[bytes, _PendingWrite] = {}
        self.ttl_heap: list[tuple[float, int, str]] = []
        for entry in replica.items():
            self._schedule_expiry(entry)
        self.link_up = False
        self.link_since = time.time()
        self.last_message = time.monotonic()
        self.last_heartbeat: float | None = None
        self.dirty = False
        self.applied = 0
        self.next_link_publish = 0.0
        self._publish_link()

    def _follow(self, index: int) -> None:
        """Connect the update and write sockets to server ``index`` (the snapshot socket follows at the
        next sync request), closing those of the server followed before."""
        for sock in (self.sub, self.dealer):
            if sock is not None:
                self.poller.unregister(sock)
        _close_all((self.sub, self.pub, self.dealer), ())
        self.sub = self.pub = self.dealer = None
        host, port = self.cfg.endpoints[index]
        p_router, p_pub, p_collector = ports(port)
        self.followed = index
        self.followed_since = time.monotonic()
        self.router_endpoint = f"tcp://{host}:{p_router}"
        try:
            sub = self.sub = self.context.socket(zmq.SUB)
            sub.linger = 0
            sub.rcvhwm = 1_000_000
            sub.maxmsgsize = maxmsgsize(self.cfg.max_body)
            self._secure(sub)
            sub.setsockopt(zmq.SUBSCRIBE, self.cfg.subtree.encode())
            if self.cfg.subtree:
                sub.setsockopt(zmq.SUBSCRIBE, HUGZ)
            sub.connect(f"tcp://{host}:{p_pub}")
            pub = self.pub = self.context.socket(zmq.PUB)
            pub.linger = 0
            self._secure(pub)
            pub.connect(f"tcp://{host}:{p_collector}")
        except Exception:
            _close_all((self.sub, self.pub), ())
            self.sub = self.pub = None
            raise
        self.poller.register(sub, zmq.POLLIN)

    @property
    def endpoint(self) -> str:
        host, port = self.cfg.endpoints[self.followed]
        return f"tcp://{host}:{port}"

    def _move_on(self) -> None:
        """The server followed is silent: follow the next one of the pair and catch up there. A
        different server has its own epoch, so the usual rules (3.4) give a snapshot unless the two
        share a sequence space."""
        index = (self.followed + 1) % len(self.cfg.endpoints)
        silent = self.endpoint
        self.stats.count("failovers" if len(self.cfg.endpoints) > 1 else "refollowed")
        self.sync = None
        self.live_buffer.clear()
        # What the last server said of the extension says nothing of this one.
        self.supports_since = None
        self._follow(index)
        log.info("%s is silent: following %s", silent, self.endpoint)
        self._request_sync()
        now = time.monotonic()
        for write in self.pending.values():
            # Unconfirmed writes go to the new server, soon.
            write.interval = _WRITE_RETRY_FIRST
            write.next_at = now
        self._publish_link(force=True)

    def _secure(self, sock: zmq.Socket) -> None:
        if self.cfg.security is not None:
            self.cfg.security.make_client(sock, self.cfg.server)

    def close(self) -> None:
        _close_all((self.dealer, self.sub, self.pub), ())
        try:
            # A half-received snapshot is left uncommitted: the replica keeps its last consistent state.
            if getattr(self, "sync", None) is None:
                self.replica.set_position(self.position)
                self.replica.commit()
        finally:
            self.replica.close()

    # --- loop ----------------------------------------------------------------------------------------------
    def run(self, pipe: zmq.Socket) -> None:
        poller = self.poller
        poller.register(pipe, zmq.POLLIN)
        self._request_sync()
        hb = self.cfg.heartbeat
        while True:
            now = time.monotonic()
            wake = now + hb / 2
            if self.sync is not None:
                wake = min(wake, self.sync.deadline)
            for write in self.pending.values():
                wake = min(wake, write.next_at)
            if self.ttl_heap:
                wake = min(wake, now + max(0.0, self.ttl_heap[0][0] - time.time()))
            events = dict(poller.poll(math.ceil(max(0.0, wake - now) * 1000)))
            if pipe in events and self._drain_pipe(pipe):
                return
            if self.dealer in events:
                self._drain_dealer()
            if self.sub in events:
                self._drain_sub()
            self._check_timers()
            if self.dirty and self.sync is None:
                self.replica.set_position(self.position)
                self.replica.commit()
                self.dirty = False
            self._publish_link()

    def _drain_pipe(self, pipe: zmq.Socket) -> bool:
        for _ in range(_BATCH):
            if not has_message(pipe):
                return False
            msg = recv_frames(pipe)
            op = msg[0]
            if op == TERM:
                return True
            if op == b"SET":
                _, uuid, key, props_raw, body = msg
                frames = [key, pack_seq(0), uuid, props_raw, body]
                now = time.monotonic()
                self.pending[uuid] = _PendingWrite(
                    frames, now + _WRITE_RETRY_FIRST, _WRITE_RETRY_FIRST, now + self.cfg.write_timeout
                )
                self.pub.send_multipart(frames)
                self.stats.count("writes_sent")
            elif op == b"DUMP":
                pipe.send(_dump_entries(self.replica.items()))
        return False

    # --- sync (snapshot / catch-up) -----------------------------------------------------------------------
    def _request_sync(self) -> None:
        if self.dealer is not None:
            # A fresh socket, so nothing left over from a stalled request gets mixed into the next one.
            self.poller.unregister(self.dealer)
            self.dealer.close(linger=0)
            self.dealer = None
        dealer = self.context.socket(zmq.DEALER)
        dealer.linger = 0
        dealer.rcvhwm = 1_000_000
        dealer.maxmsgsize = maxmsgsize(self.cfg.max_body)
        self._secure(dealer)
        dealer.connect(self.router_endpoint)
        self.dealer = dealer
        self.poller.register(dealer, zmq.POLLIN)
        now = time.monotonic()
        use_since = self.has_base and bool(self.epoch) and self.supports_since is not False
        subtree = self.cfg.subtree.encode()
        if use_since:
            dealer.send_multipart([ICANHAZ_SINCE, subtree, pack_seq(self.seq), self.epoch.encode()])
        else:
            dealer.send_multipart([ICANHAZ, subtree])
        self.sync = _Sync(since_request=use_since, started=now, deadline=now + 3 * self.cfg.heartbeat)
        self.stats.count("sync_requests")

    def _drain_dealer(self) -> None:
        for _ in range(_BATCH * 4):
            if not has_message(self.dealer):
                return
            frames = recv_frames(self.dealer)
            if self.sync is None:
                self.stats.drop("unexpected", "snapshot message outside a sync")
                continue
            try:
                self._on_sync_message(frames)
            except WireError as exc:
                self.stats.drop(exc.reason, exc.detail, "server")

    def _on_sync_message(self, frames: list[bytes]) -> None:
        sync = self.sync
        assert sync is not None
        if len(frames) != 5:
            raise WireError("wrong_frame_count", f"{len(frames)} frames on the snapshot socket")
        sync.received_any = True
        sync.deadline = time.monotonic() + 3 * self.cfg.heartbeat
        if not self.link_up:
            # The server answers, so the link is up; the SUB proves the same with its next HUGZ.
            self.last_message = time.monotonic()
            self._set_link(True)
        word = frames[0]
        if word == CATCHUP:
            sync.mode = decode_properties(frames[3]).get("mode", "snapshot")
            if sync.mode not in ("snapshot", "replay"):
                raise WireError("malformed", f"CATCHUP mode {sync.mode!r}")
            return
        if word == KTHXBAI:
            self._finish_sync(unpack_seq(frames[1]), decode_properties(frames[3]))
            return
        if word == SORRY:
            reason = decode_properties(frames[3]).get("reason", "")
            log.warning("server refused the snapshot of %r: %s", self.cfg.subtree, reason)
            self.stats.count("sync_refused")
            # Ask again later; the operator may fix the key's role meanwhile.
            sync.deadline = time.monotonic() + 10 * self.cfg.heartbeat
            return
        entry = decode_entry(frames, self.cfg.max_body)
        sync.count += 1
        self._confirm_write(entry.uuid)
        if sync.mode == "replay":
            if entry.seq > self.seq:
                self._apply(entry)
        else:
            sync.seen.add(entry.key)
            if self.has_base:
                # A resnapshot after an outage mostly repeats what the replica has: report only changes.
                current = self.replica.get(entry.key)
                if current is not None and current.seq == entry.seq and current.body == entry.body:
                    return
            if self.replica.put(entry):
                self._schedule_expiry(entry)
                self._notify(entry)

    def _finish_sync(self, seq: int, props: dict[str, str]) -> None:
        sync = self.sync
        assert sync is not None
        mode = sync.mode or "snapshot"
        if "proto" in props:
            self.supports_since = True
        if mode == "snapshot":
            for key in self.replica.keys(self.cfg.subtree) - sync.seen:
                gone = Entry.make(key, seq)
                if self.replica.put(gone):
                    self._notify(gone)
        epoch = props.get("epoch", "")
        self.epoch = epoch
        self.seq = max(seq, self.seq) if mode == "replay" else seq
        self.has_base = True
        self.sync = None
        self.replica.set_position(self.position)
        self.replica.commit()
        self.dirty = False
        info = SyncInfo(mode, self.seq, sync.count, epoch, time.monotonic() - sync.started)
        self.stats.count(f"synced_{mode}")
        buffered, self.live_buffer = self.live_buffer, []
        for entry in buffered:
            if self.sync is not None:  # a gap among the buffered updates started another sync
                self.live_buffer.append(entry)
                continue
            self._on_live(entry)
        self._publish_link()
        self.front._synced.set()
        if self.cfg.on_synced is not None:
            try:
                self.cfg.on_synced(info)
            except Exception:
                log.exception("on_synced callback failed")

    # --- live updates ---------------------------------------------------------------------------------------
    def _drain_sub(self) -> None:
        self.last_message = time.monotonic()
        if not self.link_up:
            self._set_link(True)
            if self.sync is None and self.has_base:
                # The PUB keeps nothing for a subscriber that was away: ask for what was missed.
                self._request_sync()
        for _ in range(_BATCH * 4):
            # When the client has fallen behind, batches are long: one zmq.Again at the end is cheaper
            # than asking before each message.
            try:
                frames = recv_frames(self.sub)
            except zmq.Again:
                return
            try:
                if len(frames) != 5:
                    raise WireError("wrong_frame_count", f"{len(frames)} frames on the update socket")
                if frames[0] == HUGZ:
                    self._on_hugz(decode_properties(frames[3]))
                    continue
                entry = decode_entry(frames, self.cfg.max_body)
            except WireError as exc:
                self.stats.drop(exc.reason, exc.detail, "server")
                continue
            self._confirm_write(entry.uuid)
            if self.sync is not None:
                if len(self.live_buffer) >= _LIVE_BUFFER_MAX:
                    self.live_buffer.clear()
                    self._request_sync()
                self.live_buffer.append(entry)
            else:
                self._on_live(entry)

    def _on_hugz(self, props: dict[str, str]) -> None:
        self.last_heartbeat = time.time()
        epoch = props.get("epoch")
        if epoch:
            self.supports_since = True
        if self.sync is not None:
            return
        if epoch and self.epoch and epoch != self.epoch:
            log.info("server epoch changed (%s -> %s): resynchronising", self.epoch, epoch)
            self._request_sync()
            return
        seq = props.get("seq")
        if not self.cfg.subtree and seq is not None and seq.isdigit() and int(seq) > self.seq:
            self.stats.count("gaps")
            self._request_sync()

    def _on_live(self, entry: Entry) -> None:
        if entry.seq <= self.seq:
            return
        if not self.cfg.subtree and entry.seq > self.seq + 1:
            # Whole-map clients see every sequence number, so a jump means updates were lost.
            self.stats.count("gaps")
            self.live_buffer.append(entry)
            self._request_sync()
            return
        if not entry.key.startswith(self.cfg.subtree):
            return
        self._apply(entry)

    def _apply(self, entry: Entry) -> None:
        self.seq = entry.seq
        self.dirty = True
        if self.replica.put(entry):
            if entry.props:
                self._schedule_expiry(entry)
            self._notify(entry)

    @property
    def position(self) -> Position:
        return Position(self.epoch, self.cfg.subtree, self.seq)

    def _notify(self, entry: Entry) -> None:
        self.applied += 1
        if self.cfg.on_update is not None:
            try:
                self.cfg.on_update(entry)
            except Exception:
                log.exception("on_update callback failed")

    def _schedule_expiry(self, entry: Entry) -> None:
        expires_at = entry.expires_at
        if expires_at is not None and entry.body:
            heapq.heappush(self.ttl_heap, (expires_at, entry.seq, entry.key))

    # --- writes and timers ------------------------------------------------------------------------------------
    def _confirm_write(self, uuid: bytes) -> None:
        if self.pending and uuid and self.pending.pop(uuid, None) is not None:
            self.stats.count("writes_confirmed")
            self._write_result(uuid, True)

    def _write_result(self, uuid: bytes, ok: bool) -> None:
        if self.cfg.on_write_result is not None:
            try:
                self.cfg.on_write_result(uuid, ok)
            except Exception:
                log.exception("on_write_result callback failed")

    def _check_timers(self) -> None:
        now = time.monotonic()
        if self.link_up and now - self.last_message > 3 * self.cfg.heartbeat:
            self._set_link(False)
        silent_for = now - max(self.last_message, self.followed_since)
        if not self.link_up and (
            (len(self.cfg.endpoints) > 1 and silent_for > 3 * self.cfg.heartbeat)
            # One server, silent on these sockets for a while: fresh ones. libzmq does not retry a
            # connection the server's ZAP denied, so a key enrolled there since would never be tried
            # (docs/protocol.md section 1, "Key reloading").
            or silent_for > max(_REFOLLOW_SILENT, 5 * self.cfg.heartbeat)
        ):
            self._move_on()
        if self.sync is not None and now >= self.sync.deadline:
            if (
                self.sync.since_request
                and not self.sync.received_any
                and self.link_up
                and not self.supports_since
            ):
                # The server is alive (HUGZ) but ignores our extension: a plain RFC 12 server.
                self.supports_since = False
            self.stats.count("sync_timeouts")
            self.live_buffer.clear()
            self._request_sync()
        for uuid, write in list(self.pending.items()):
            if now >= write.deadline:
                del self.pending[uuid]
                self.stats.count("writes_failed")
                self._write_result(uuid, False)
            elif now >= write.next_at:
                self.pub.send_multipart(write.frames)
                self.stats.count("writes_resent")
                write.interval = min(write.interval * 2, _WRITE_RETRY_MAX)
                write.next_at = now + write.interval
        wall = time.time()
        while self.ttl_heap and self.ttl_heap[0][0] <= wall:
            _, seq, key = heapq.heappop(self.ttl_heap)
            current = self.replica.get(key)
            if current is not None and current.seq == seq:
                gone = Entry.make(key, seq)
                self.replica.put(gone)
                self.dirty = True
                self.stats.count("expired")
                self._notify(gone)

    def _set_link(self, up: bool) -> None:
        self.link_up = up
        self.link_since = time.time()
        self._publish_link()

    def _publish_link(self, force: bool = False) -> None:
        now = time.monotonic()
        front = self.front._link
        synced = self.sync is None and self.has_base
        # Rebuilt at most every 50 ms unless up/synced changed: the hot path must stay cheap.
        if not force and now < self.next_link_publish and front.up == self.link_up and front.synced == synced:
            return
        self.next_link_publish = now + 0.05
        if self.applied:
            self.stats.count("applied", self.applied)
            self.applied = 0
        state = CloneLinkState(
            up=self.link_up,
            since=self.link_since,
            synced=self.sync is None and self.has_base,
            seq=self.seq,
            epoch=self.epoch,
            last_heartbeat=self.last_heartbeat,
            endpoint=self.endpoint,
        )
        old = self.front._link
        changed = state.up != old.up or state.synced != old.synced or state.endpoint != old.endpoint
        self.front._link = state
        if changed and self.cfg.on_link is not None:
            try:
                self.cfg.on_link(state)
            except Exception:
                log.exception("on_link callback failed")


class CloneClient(AgentFront):
    """A district's (or console's) copy of one subtree of the centre's map.

    Callbacks run in the agent thread and must return quickly: ``on_update(entry)`` for each change of
    the replica (an entry with an empty body is a deletion), ``on_synced(info)`` after each snapshot or
    catch-up, ``on_link(state)`` when the link goes up or down, ``on_write_result(uuid, ok)`` when a write
    was echoed (or given up).

    ``more``: the other servers of a failover pair, as (host, port). The client follows one server at a
    time; when it has heard nothing from it for 3 heartbeats it follows the next one, catches up there,
    and sends its writes there (docs/protocol.md section 3.6, "Several endpoints").
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        more: Sequence[tuple[str, int]] = (),
        subtree: str = "",
        security: Security | None = None,
        server: str = "centre",
        replica: Replica | None = None,
        context: zmq.Context | None = None,
        heartbeat: float = 1.0,
        max_body: int = DEFAULT_MAX_BODY,
        write_timeout: float = 30.0,
        on_update: Callable[[Entry], None] | None = None,
        on_synced: Callable[[SyncInfo], None] | None = None,
        on_link: Callable[[CloneLinkState], None] | None = None,
        on_write_result: Callable[[bytes, bool], None] | None = None,
    ) -> None:
        decode_subtree(subtree.encode())
        more = tuple((h, int(p)) for h, p in more)
        if len({(host, int(port)), *more}) != 1 + len(more):
            raise ValueError(f"a server is named twice among {[(host, port), *more]}")
        self.stats = NodeStats(f"clone-client:{subtree or '/'}")
        self.max_body = max_body
        self.replica = replica if replica is not None else MemoryReplica()
        self.config = CloneClientConfig(
            host, port, subtree, security, server, heartbeat, max_body, write_timeout,
            on_update, on_synced, on_link, on_write_result, more,
        )  # fmt: skip
        self._synced = threading.Event()
        self._link = CloneLinkState(False, time.time(), False, 0, "", None)
        super().__init__(
            f"clone-client-{port}",
            context,
            lambda ctx: _CloneClientCore(ctx, self.config, self.replica, self),
        )

    @property
    def link(self) -> CloneLinkState:
        return self._link

    def wait_synced(self, timeout: float) -> bool:
        """Block until the first snapshot or catch-up has been applied."""
        return self._synced.wait(timeout)

    def write(
        self, key: str, body: bytes, properties: Mapping[str, str] | None = None, *, ttl: float | None = None
    ) -> bytes:
        """Send a KVSET; returns its UUID, which ``on_write_result`` reports when the echo arrives."""
        check_path_key(key)
        check_body(body, self.max_body)
        props = dict(properties or {})
        if ttl is not None:
            props["ttl"] = repr(float(ttl))
        _ttl_seconds(props)
        uuid = _new_uuid()
        self._agent.tell([b"SET", uuid, key.encode(), encode_properties(props), body])
        return uuid

    def delete(self, key: str) -> bytes:
        return self.write(key, b"")

    def dump(self) -> dict[str, Entry]:
        """A copy of the replica."""
        return _load_entries(self._agent.call([b"DUMP"])[0])
