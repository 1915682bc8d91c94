"""The municipal centre and the district centres as running nodes, and the client that talks to them.

``CentreNode`` serves the city's shared picture on a ``CloneServer`` (P, P+1, P+2) built from its
database and kept current by a ``JournalFollower``, and applies commands on a ``CommandServer`` (P+3)
through a ``CommandBus``. ``DistrictNode`` keeps a replica of that picture in its own Sanwei database,
forwards its children's commands to the centre through a persisted outbox (applying them provisionally
first, so it keeps working while cut off), and serves its own consoles the same way on its own ports:
centre -> district -> street consoles. ``LinkClient`` is what a console or the command line uses to
call a node and follow its state. docs/protocol.md section 7 is the specification.

Nodes log one JSON object per line to stderr (``ts``, ``level``, ``node``, ``event`` and fields) and stop
cleanly on SIGTERM (``serve``).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import math
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgpack
import sqlalchemy as sa
import zmq

from comms.clone import CloneClient, CloneLinkState, CloneServer, Position, SyncInfo
from comms.commands import (
    CommandClient,
    CommandRefused,
    CommandReply,
    CommandServer,
    LinkState,
    MemoryOutbox,
    Outbox,
)
from comms.keys import Peer, Security
from comms.wire import NO_PROPERTIES, STATUS_OK, STATUS_REFUSED, Entry, decode_properties
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
from modes.common.replication import (
    CASE_WINDOW_DAYS,
    WAL_BACKSTOP_PAGES,
    DomainReplica,
    JournalFollower,
    Touched,
    WalCheckpointer,
    build_state,
    classify,
    connect_replica_db,
    district_status_key,
    pack,
    prepare_entries,
    revert_rows,
    sqlite_path,
    unpack,
)

log = logging.getLogger("sanwei.node")

# Replies of state.bulk can be a few MiB; everything else stays far below the transport's default.
BULK_MAX_BODY = 64 << 20
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


# ==================================================================================================
# Structured logs
# ==================================================================================================


class JsonLines(logging.Formatter):
    """One JSON object per line: ts, level, node, event, then the event's fields."""

    def __init__(self, node: str) -> None:
        super().__init__()
        self.node = node

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "node": self.node,
            "event": getattr(record, "event", "log"),
        }
        fields = getattr(record, "fields", None)
        if fields:
            doc.update(fields)
        if not hasattr(record, "event"):
            doc["logger"] = record.name
            doc["message"] = record.getMessage()
        if record.exc_info:
            doc["error"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class NodeLog:
    """``log.event("ready", port=5556)`` -> ``{"ts": ..., "level": "info", "node": ..., "event": "ready", "port": 5556}``."""

    def __init__(self, node: str, logger: logging.Logger | None = None) -> None:
        self.node = node
        self.logger = logger or logging.getLogger(f"sanwei.node.{node}")

    def event(self, event: str, level: str = "info", **fields: Any) -> None:
        self.logger.log(
            getattr(logging, level.upper(), logging.INFO), event, extra={"event": event, "fields": fields}
        )


def setup_json_logging(node: str, level: int = logging.INFO) -> NodeLog:
    """Route every log record of the process (ours and the comms layer's) to stderr as JSON lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines(node))
    root.addHandler(handler)
    root.setLevel(level)
    # Schema upgrades announce themselves at INFO on every start; only their problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return NodeLog(node)


# ==================================================================================================
# Endpoints and the client
# ==================================================================================================


def parse_endpoint(endpoint: str) -> tuple[str, int]:
    """``tcp://HOST:PORT`` (the node's base port P) -> (HOST, P)."""
    text = endpoint.strip()
    if text.startswith("tcp://"):
        text = text[len("tcp://") :]
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"endpoint {endpoint!r} is not of the form tcp://HOST:PORT")
    return host.strip("[]"), int(port)


class LinkError(Exception):
    """A node could not be reached or did not answer in time."""


class LinkRefused(LinkError):
    """The node refused the command; ``reason`` says why (final: resending will not help)."""

    def __init__(self, reason: str, status: str = STATUS_REFUSED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class LinkClient:
    """Calls a node's commands and follows its state: what consoles and ``--connect`` use.

    ``endpoint`` is the node's base endpoint ``tcp://HOST:P`` (commands go to P+3). ``server`` names the
    node's public key in ``security``'s folder (``centre``, ``district-230102``). Replies come back on
    the client's agent thread and are handed to the waiting caller; ``call`` may be used from several
    threads (commands are sent one at a time, in order).

        with LinkClient("tcp://10.0.0.1:5556", Security.from_dir(keys, "console-3")) as link:
            doc = link.request("case.report", {"x": ..., "y": ..., "channel": "hotline", "type": "06010"})
            link.subscribe("/case/", on_update=lambda entry: ...)
    """

    def __init__(
        self,
        endpoint: str,
        security: Security | None = None,
        *,
        server: str = "centre",
        heartbeat: float = 1.0,
        max_body: int = BULK_MAX_BODY,
        context: zmq.Context | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        """``outbox``: where unanswered commands wait (default in memory, for one-shot CLI calls); a
        console passes a file so that closing it while the node is unreachable loses nothing."""
        self.endpoint = endpoint
        self.host, self.port = parse_endpoint(endpoint)
        self.security = security
        self.server = server
        self.session: dict[str, str] | None = None  # the signed-in person's login and token
        self.heartbeat = heartbeat
        self.context = context
        self._cond = threading.Condition()
        self._replies: dict[str, CommandReply] = {}
        self._subscriptions: list[CloneClient] = []
        self._client = CommandClient(
            self.host,
            self.port + 3,
            outbox=outbox if outbox is not None else MemoryOutbox(),
            security=security,
            server=server,
            context=context,
            heartbeat=heartbeat,
            max_body=max_body,
            resend_first=0.5,
            on_reply=self._on_reply,
        )
        self._started = False

    def start(self) -> LinkClient:
        if not self._started:
            self._client.start()
            self._started = True
        return self

    def close(self) -> None:
        for sub in self._subscriptions:
            sub.stop()
        self._subscriptions.clear()
        if self._started:
            self._client.stop()
            self._started = False

    def __enter__(self) -> LinkClient:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def link(self) -> LinkState:
        return self._client.link

    def _on_reply(self, reply: CommandReply) -> None:
        with self._cond:
            self._replies[reply.command_id] = reply
            self._cond.notify_all()

    def sign_in(self, login: str, password: str, *, timeout: float = 20.0) -> dict[str, Any]:
        """Sign ``login`` in at the node (``auth.session_start``: the node checks the password and counts
        a failure); every later command carries the session. The password travels on the encrypted
        channel only and is never written to the outbox. Returns the node's reply (the person, the
        session's expiry), or its refusal (``ok`` false, with ``reason`` and ``message``)."""
        reply = self.call(
            "auth.session_start", {"login": login, "password": password}, timeout=timeout, persist=False
        )
        if reply.get("ok"):
            self.session = {"login": reply["actor"]["login"], "token": reply["token"]}
        return reply

    def call(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        timeout: float = 10.0,
        persist: bool = True,
        command_id: str | None = None,
    ) -> Any:
        """Send one command and wait for its final reply; ``LinkRefused`` carries a refusal's reason,
        ``LinkError`` a node that did not answer within ``timeout``. The command carries this client's
        session once ``sign_in`` succeeded. ``command_id``: resend a command under its own id (the node
        applies an id once and answers a repeat with the stored reply)."""
        self.start()
        body = encode_call(name, args or {}, session=self.session)
        command_id = self._client.submit(body, command_id, persist=persist)
        deadline = time.monotonic() + timeout
        with self._cond:
            while command_id not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LinkError(
                        f"no answer from {self.endpoint} to {name} within {timeout:g} s ({self._describe()})"
                    )
                self._cond.wait(left)
            reply = self._replies.pop(command_id)
        if reply.status != STATUS_OK:
            raise LinkRefused(reply.body.decode(errors="replace"), reply.status)
        return decode_result(reply.body)

    def _describe(self) -> str:
        link = self._client.link
        state = "link up" if link.up else "link down"
        return f"{state}; last error: {link.last_error}" if link.last_error else state

    def request(
        self, name: str, args: dict[str, Any] | None = None, *, timeout: float = 10.0, wait: float = 10.0
    ) -> Any:
        """``call``, and if a district node answered "queued", wait up to ``wait`` seconds for the
        centre's final answer. Returns the centre's result, or the district's queued reply (with
        ``"queued": true``) when the centre did not answer in time. Raises ``LinkRefused`` when the
        centre refused the command."""
        result = self.call(name, args, timeout=timeout)
        if not (isinstance(result, dict) and result.get("queued")) or wait <= 0:
            return result
        deadline = time.monotonic() + wait
        while True:
            status = self.call("query.result", {"forward_id": result["forward_id"]}, timeout=timeout)
            if status["state"] == "ok":
                return status["result"]
            if status["state"] in ("refused", "invalid"):
                raise LinkRefused(status.get("reason") or "refused by the centre", status["state"].upper())
            if time.monotonic() >= deadline:
                return {**result, "link": status.get("link")}
            time.sleep(0.05)

    def subscribe(
        self,
        subtree: str = "",
        *,
        on_update: Callable[[Entry], None] | None = None,
        on_synced: Callable[[SyncInfo], None] | None = None,
        on_link: Callable[[CloneLinkState], None] | None = None,
        replica=None,
    ) -> CloneClient:
        """Follow the node's state (or one subtree): a started ``CloneClient`` whose callbacks run in
        its agent thread (bodies are msgpack maps; ``modes.common.replication.unpack`` reads them)."""
        client = CloneClient(
            self.host,
            self.port,
            subtree=subtree,
            security=self.security,
            server=self.server,
            replica=replica,
            context=self.context,
            heartbeat=self.heartbeat,
            on_update=on_update,
            on_synced=on_synced,
            on_link=on_link,
        ).start()
        self._subscriptions.append(client)
        return client


# ==================================================================================================
# Node-level commands: state.position, state.bulk (the bulk snapshot extension)
# ==================================================================================================


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


def _position(server: CloneServer) -> Callable[[CallContext, dict[str, Any]], dict[str, Any]]:
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


def _install(bus: CommandBus, name: str, handler) -> None:
    # Node-level commands are the node's own; a bus shared by two nodes in one process (tests) keeps
    # the first node's, so each node builds its own bus.
    if bus.spec(name) is None:
        bus.register(name, handler)


def _seconds_since(t: float | None) -> float | None:
    return None if t is None else round(max(0.0, time.time() - t), 3)


def _wall(t: float | None) -> str | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds")


# ==================================================================================================
# The municipal centre
# ==================================================================================================


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
    ) -> None:
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
        self.context: zmq.Context | None = None
        self.server: CloneServer | None = None
        self.commands: CommandServer | None = None
        self.follower: JournalFollower | None = None
        self.engine = None
        self.checkpointer: WalCheckpointer | None = None

    def start(self) -> CentreNode:
        started = time.monotonic()
        # The centre serves a city that exists: a mistyped path must not become an empty city.
        self.engine = open_database(self.db_url, create=False)
        self.checkpointer = _background_checkpoints(self.engine)
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
        self.context = zmq.Context()
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
        self.bulk = BulkSnapshots(self.server, initial=entries)
        _install(self.bus, "state.bulk", self.bulk.handle)
        _install(self.bus, "state.position", _position(self.server))
        _install(self.bus, "link.status", lambda ctx, args: self.status())
        services = {"generation": lambda: self.follower.generation}
        self.store = DbDedupStore(self.session_factory, on_commit=self._after_command)
        self.commands = CommandServer(
            self.host,
            self.port + 3,
            make_apply(self.bus, NodeRole("centre", None, self.clock, services)),
            store=self.store,
            security=self.security,
            context=self.context,
        ).start()
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
        for part in (self.commands, self.follower, self.server):
            if part is not None:
                try:
                    part.stop()
                except Exception:
                    log.exception("stopping %s failed", type(part).__name__)
        if self.context is not None:
            self.context.term()
            self.context = None
        if getattr(self, "store", None) is not None:
            try:
                self.store.close()
            except Exception:  # opened by the stopped command server's thread; the process ends anyway
                pass
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self.engine is not None:
            self.engine.dispose()

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
            {"name": name, "role": roles.get(name, ""), "last_seen": _wall(t), "age_s": _seconds_since(t)}
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
            "districts": districts,
            "stats": {"state": self.server.stats.snapshot(), "commands": self.commands.stats.snapshot()},
        }


# ==================================================================================================
# A district centre
# ==================================================================================================


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
    ) -> None:
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
        self.generation = 0
        self.context: zmq.Context | None = None
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
        self.session_factory = session_factory(self.engine)
        self.context = zmq.Context()
        chost, cport = parse_endpoint(self.centre)
        bhost, bport = parse_endpoint(self.bind)
        self.replica = DomainReplica(self.path, on_commit=self._on_replica_commit)
        self.query_link = LinkClient(
            self.centre, self.security, server=self.centre_key, heartbeat=self.heartbeat, context=self.context
        ).start()
        if self.bulk:
            self._initial_sync()
        self._journal_mode()
        # The people who may sign in here while the centre is away; fetched again every minute.
        self._credentials_synced = self._sync_credentials(timeout=3.0)
        items = list(self.replica.items())
        self.replica.close()  # reopened by the clone client's agent thread, which owns it from now on
        self.server = CloneServer(
            bhost,
            bport,
            security=self.security,
            context=self.context,
            heartbeat=self.heartbeat,
            write_policy=lambda peer, key: False,
            initial=items,
            initial_seq=max((e.seq for e in items), default=0),
        ).start()
        with self.session_factory() as s:
            for row in s.execute(sa.select(FORWARD).where(FORWARD.c.state == "queued")).mappings():
                self._publish_forward(dict(row))
        self.clone = CloneClient(
            chost,
            cport,
            security=self.security,
            server=self.centre_key,
            replica=self.replica,
            context=self.context,
            heartbeat=self.heartbeat,
            on_synced=self._on_synced,
            on_link=self._on_state_link,
        )
        self.outbox = DbOutbox(self.path)
        self.upstream = CommandClient(
            chost,
            cport + 3,
            outbox=self.outbox,
            security=self.security,
            server=self.centre_key,
            context=self.context,
            heartbeat=self.heartbeat,
            on_reply=self._on_upstream_reply,
            on_link=self._on_command_link,
        )
        _install(self.bus, "state.bulk", BulkSnapshots(self.server, initial=items).handle)
        _install(self.bus, "state.position", _position(self.server))
        _install(self.bus, "link.status", lambda ctx, args: self.status())
        _install(self.bus, "query.result", self._result)
        self.store = DbDedupStore(self.session_factory)
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
        self.clone.start()
        self.upstream.start()
        self.commands.start()
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
        for part in (self.commands, self.clone, self.upstream, self.server):
            if part is not None:
                try:
                    part.stop()
                except Exception:
                    log.exception("stopping %s failed", type(part).__name__)
        if self.query_link is not None:
            self.query_link.close()
        if self.context is not None:
            self.context.term()
            self.context = None
        if getattr(self, "store", None) is not None:
            try:
                self.store.close()
            except Exception:  # opened by the stopped command server's thread; the process ends anyway
                pass
        if self.engine is not None:
            self.engine.dispose()

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
            "state_link", "info" if state.up else "warning", up=state.up, synced=state.synced, seq=state.seq
        )

    def _on_command_link(self, state: LinkState) -> None:
        self.log.event(
            "command_link",
            "info" if state.up else "warning",
            up=state.up,
            queue=state.queue_length,
            last_error=state.last_error,
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
                state = "refused" if reply.status == STATUS_REFUSED else "invalid"
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
            "answered" if state == "ok" else "refused",
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
            "queued_at": _wall(row["queued_at"]),
            "answered_at": _wall(row["answered_at"]),
            "reason": row["reason"],
            "real_case": row["real_case"],
        }
        if row["state"] == "ok" and row["reply"] is not None:
            doc["result"] = decode_result(bytes(row["reply"]))
        if row["state"] == "queued" and self.upstream is not None:
            link = self.upstream.link
            doc["link"] = {"up": link.up, "since": _wall(link.since), "queue_length": link.queue_length,
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
                "since": _wall(cmd.since),
                "down_for_s": None if cmd.up else _seconds_since(cmd.since),
                "queue_length": cmd.queue_length,
                "last_heartbeat": _wall(cmd.last_heartbeat),
                "head_attempts": cmd.head_attempts,
                "last_error": cmd.last_error,
            },
            "state": {
                "up": state.up,
                "synced": state.synced,
                "since": _wall(state.since),
                "down_for_s": None if state.up else _seconds_since(state.since),
                "seq": state.seq,
                "epoch": state.epoch,
                "last_heartbeat": _wall(state.last_heartbeat),
                "lag": lag,
            },
            "queue": [
                {
                    "forward_id": f,
                    "command": c,
                    "subject": sub,
                    "origin": o,
                    "queued_at": _wall(q),
                    "age_s": _seconds_since(q),
                }
                for f, c, sub, o, q in queued
            ],
            "recent": [
                {"forward_id": f, "command": c, "state": st, "reason": r, "answered_at": _wall(a)}
                for f, c, st, r, a in recent
            ],
            "children": [
                {"name": name, "last_seen": _wall(t), "age_s": _seconds_since(t)}
                for name, t in sorted(self.commands.peers().items())
            ]
            if self.commands is not None
            else [],
            "serving": {"epoch": info["epoch"], "seq": info["seq"], "keys": info["keys"]},
            "stats": {
                "state": self.clone.stats.snapshot(),
                "commands": self.upstream.stats.snapshot(),
            },
        }


# ==================================================================================================
# Running a node until SIGTERM
# ==================================================================================================


def settle_garbage_collector() -> None:
    """Keep what a started node holds for good (its map, the schema, the modules) out of Python's
    full collections, which walk every object and pause the whole process while they do (50-80 ms
    each on the small demo city, measured at a centre's start; more at Harbin scale). What is
    allocated later is collected as usual."""
    gc.collect()
    gc.freeze()


def serve(node: CentreNode | DistrictNode, log: NodeLog) -> int:
    """Start the node, run until SIGTERM or SIGINT, stop it cleanly (sockets closed, replica committed,
    outbox kept), exit 0."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        node.start()
    except Exception as exc:
        log.event("failed", "error", error=f"{type(exc).__name__}: {exc}")
        node.stop()
        return 3
    settle_garbage_collector()
    while not stop.wait(0.5):
        pass
    log.event("stopping")
    node.stop()
    log.event("stopped")
    return 0
