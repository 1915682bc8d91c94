"""The node-level commands every node serves, ``state.position`` and ``state.bulk`` (the bulk snapshot
extension, docs/protocol.md section 7.4), and their client side: a replica's first synchronisation
(``log_covers``: replay, or else ``load_bulk``)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgpack

from comms.clone import CloneServer, Position
from comms.records import CommandRefused
from comms.wire import NO_PROPERTIES, Entry, decode_properties
from modes.common.command_bus import CallContext, CommandBus
from nodes.client import LinkClient
from nodes.replica import DomainReplica
from nodes.replica_writer import prepare_entries


@dataclass
class _Snapshot:
    token: str
    epoch: str
    seq: int
    entries: list[Entry]
    made: float
    packed: dict[int, bytes] = field(default_factory=dict)


class BulkSnapshots:
    """Serves ``state.bulk``: the whole map in msgpack pages, consistent at one sequence number.

    A snapshot is the server's map (``dump``) or, until enough has changed, the map the node started
    with; its position is the largest sequence number in it. Every update after that position either
    is in the snapshot already or deletes a key the snapshot does not hold, so a client that replays
    from there (``ICANHAZ-SINCE?``) ends up exact. A snapshot is reused while the replay it implies stays
    short (``max_replay`` updates), so seven districts starting together cost one dump, and a district
    starting soon after the centre costs none. Pages are packed when first asked for.
    """

    def __init__(
        self,
        server: CloneServer,
        *,
        initial: list[Entry] | None = None,
        page_entries: int = 6000,
        max_replay: int = 20_000,
        keep: float = 120.0,
    ) -> None:
        self.server = server
        self.page_entries = page_entries
        self.max_replay = max_replay
        self.keep = keep
        self._snapshots: dict[str, _Snapshot] = {}
        self._current: _Snapshot | None = None
        self._lock = threading.Lock()
        self._made = 0
        if initial is not None:
            self._current = self._add(server.epoch, list(initial))

    def _add(self, epoch: str, entries: list[Entry]) -> _Snapshot:
        self._made += 1
        seq = max((e.seq for e in entries), default=0)
        snap = _Snapshot(f"{int(time.time() * 1000):x}-{self._made}", epoch, seq, entries, time.monotonic())
        self._snapshots[snap.token] = snap
        return snap

    def handle(self, ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            now = time.monotonic()
            for token in [t for t, s in self._snapshots.items() if now - s.made > self.keep]:
                if self._snapshots[token] is not self._current:
                    del self._snapshots[token]
            token = args.get("token")
            if token:
                snap = self._snapshots.get(token)
                if snap is None:
                    raise CommandRefused("that bulk snapshot has expired: ask for a new one")
            else:
                info = self.server.info()
                snap = self._current
                limit = 0 if args.get("fresh") else self.max_replay
                if snap is None or snap.epoch != info["epoch"] or int(info["seq"]) - snap.seq > limit:
                    snap = self._current = self._add(str(info["epoch"]), list(self.server.dump().values()))
                snap.made = now
            pages = max(1, -(-len(snap.entries) // self.page_entries))
            page = int(args.get("page", 0))
            if not 0 <= page < pages:
                raise CommandRefused(f"page {page} of a snapshot of {pages} pages")
            raw = snap.packed.get(page)
            if raw is None:
                chunk = snap.entries[page * self.page_entries : (page + 1) * self.page_entries]
                raw = snap.packed[page] = msgpack.packb(
                    [[e.key, e.seq, e.props_raw, e.body] for e in chunk], use_bin_type=True
                )
        return {
            "token": snap.token,
            "epoch": snap.epoch,
            "seq": snap.seq,
            "count": len(snap.entries),
            "pages": pages,
            "page": page,
            "entries": raw,
        }


def decode_bulk_page(raw: bytes) -> list[Entry]:
    out = []
    for key, seq, props_raw, body in msgpack.unpackb(raw, raw=False):
        out.append(
            Entry(
                key, seq, b"", decode_properties(props_raw) if props_raw else NO_PROPERTIES, body, props_raw
            )
        )
    return out


def fetch_bulk(
    link: LinkClient, timeout: float = 60.0, *, fresh: bool = False
) -> tuple[Position, list[Entry], float]:
    """The whole state of a node through ``state.bulk``: (position, entries, seconds). ``fresh``: the
    map as it is now, not a recent snapshot plus the updates since (diagnostics, tests)."""
    started = time.monotonic()
    first = link.call("state.bulk", {"fresh": True} if fresh else {}, timeout=timeout)
    entries = decode_bulk_page(first["entries"])
    for page in range(1, first["pages"]):
        reply = link.call("state.bulk", {"token": first["token"], "page": page}, timeout=timeout)
        entries.extend(decode_bulk_page(reply["entries"]))
    return Position(first["epoch"], "", first["seq"]), entries, time.monotonic() - started


def load_bulk(link: LinkClient, replica: DomainReplica, *, replace: bool, timeout: float = 60.0):
    """Fetch a node's state through ``state.bulk`` into ``replica``: the next page is fetched (and
    decoded) on a helper thread while this one is written, since SQLite releases the GIL while it
    works. Returns (position, counts, seconds spent waiting for pages)."""
    first = link.call("state.bulk", {}, timeout=timeout)
    position = Position(first["epoch"], "", first["seq"])
    pages: queue.Queue = queue.Queue(maxsize=2)

    def fetch() -> None:
        try:
            for page in range(1, first["pages"]):
                reply = link.call("state.bulk", {"token": first["token"], "page": page}, timeout=timeout)
                entries = decode_bulk_page(reply["entries"])
                pages.put(entries if replace else prepare_entries(entries, kv=True))
            pages.put(None)
        except BaseException as exc:  # handed to the writer, which aborts the load
            pages.put(exc)

    fetcher = threading.Thread(target=fetch, name="sanwei-bulk-fetch", daemon=True)
    fetcher.start()
    load = replica.bulk(replace=replace)
    waited = 0.0
    try:
        load.add(decode_bulk_page(first["entries"]))
        while True:
            t = time.monotonic()
            item = pages.get()
            waited += time.monotonic() - t
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            load.add(item)
    except BaseException:
        load.abort()
        raise
    finally:
        fetcher.join(timeout)
    return position, load.finish(position), waited


def position_command(server: CloneServer) -> Callable[[CallContext, dict[str, Any]], dict[str, Any]]:
    def handle(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
        info = server.info()
        return {"epoch": info["epoch"], "seq": info["seq"], "keys": info["keys"], "log": info["log"]}

    return handle


def log_covers(have: Position | None, there: dict[str, Any]) -> bool:
    """Whether a replica at ``have`` can catch up by replay from a node whose ``state.position`` answer
    is ``there``: the whole picture (no subtree), the same epoch, and a position the node's update log
    still holds. Otherwise the replica needs a bulk snapshot. A district node and a console's replica
    decide their first synchronisation by it."""
    return (
        have is not None
        and have.subtree == ""
        and have.epoch == there["epoch"]
        and there["seq"] - there["log"] <= have.seq <= there["seq"]
    )


def install(bus: CommandBus, name: str, handler) -> None:
    # Node-level commands are the node's own; a bus shared by two nodes in one process (tests) keeps
    # the first node's, so each node builds its own bus.
    if bus.spec(name) is None:
        bus.register(name, handler)
