"""A console attached to a running centre or district node (``python main.py console --connect``).

The console reads the city from a replica of the node's shared picture kept in a Sanwei SQLite file of
its own, written by the same machinery a district node uses (``DomainReplica``: entries and city rows
committed together with the position): a bulk snapshot the first time, then the node's state channel;
after a restart, a catch-up from the sequence the file records. Every read the console makes goes to
that file through the ordinary services, so no panel knows whether it is local or remote. Writes go to
the node's command channel (``call``), where the node applies the same rules as for its own CLI (a
district node applies them provisionally and queues them for the centre).

The replica's own journal holds what its readers need of it: the node's mode switches (as a district
does, docs/protocol.md section 7.1), so ``current_mode`` agrees with the node. What changed is told by
``version`` (one step per committed batch of entries, never going back, unlike the node's sequence
numbers which restart with a new epoch) and ``changes_after``.

Threads: ``open`` and ``call`` block their caller (never the GUI thread for ``call``); the callbacks
``on_advanced`` and ``on_link`` run in the state client's agent thread and must return quickly.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa

from comms.clone import CloneClient, CloneLinkState, SyncInfo
from comms.commands import SqliteOutbox
from comms.keys import Security
from comms.probe import ProbeResult, probe
from comms.wire import Entry
from data import journal
from data.db import APP_NAME, open_database, session_factory
from modes.common.clock import Clock
from modes.common.mode_switch import EVENT_KIND as MODE_EVENT
from modes.common.mode_switch import Mode, current_mode
from modes.common.picture import MODE_KEY, classify, unpack
from nodes.client import LinkClient, LinkError, LinkRefused, parse_endpoints
from nodes.replica import DomainReplica
from nodes.state_commands import load_bulk, log_covers

log = logging.getLogger("sanwei.console_link")

# How many changed keys are remembered for ``changes_after``; a reader further behind is told to
# reload everything (a bulk re-snapshot changes far more keys than any panel wants one by one).
CHANGES_KEPT = 20_000


# What a probe says of an endpoint the console cannot use, the most telling first.
_UNUSABLE = (ProbeResult.DENIED, ProbeResult.FAILED, ProbeResult.SILENT)


def default_replica_path(endpoint: str, identity: str) -> Path:
    """The console's replica of a node: one SQLite file per endpoint and identity in the user's cache
    (it can always be rebuilt from the node, so it is cache, not data)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{endpoint.removeprefix('tcp://')}-{identity}")
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "links" / f"console-{name}.db"


class ConnectError(Exception):
    """The console could not attach to the node; the message says why and what to check."""


@dataclass(frozen=True)
class Change:
    """One key that changed in the replica: ``version`` of the batch, the key, deleted or not."""

    version: int
    key: str
    deleted: bool


@dataclass(frozen=True)
class LinkView:
    """The link as a status bar shows it. ``up`` needs both channels; ``since`` is the wall-clock
    time of the last change of ``up``; ``queue`` counts this console's commands not yet answered plus
    the commands the node still holds for the centre (a district cut off from the centre)."""

    up: bool
    since: float
    state_up: bool
    commands_up: bool
    synced: bool
    seq: int
    queue: int
    node_queue: int
    last_error: str | None
    offline_start: bool
    serving: str | None = None  # of a failover pair, the centre followed now (tcp://HOST:P)


class ConsoleLink:
    """The console's replica of a node and its line to the node's commands (see the module's doc)."""

    def __init__(
        self,
        endpoint: str,
        security: Security | None,
        path: Path | str,
        *,
        clock: Clock,
        server: str = "centre",
        heartbeat: float = 1.0,
        connect_timeout: float = 10.0,
    ) -> None:
        self.endpoint = endpoint
        # One node, or the two of a failover pair (``tcp://A:P,tcp://B:Q``).
        self.endpoints = parse_endpoints(endpoint)
        (self.host, self.port), *self.more = self.endpoints
        self.security = security
        self.path = Path(path)
        self.clock = clock
        self.server = server
        self.heartbeat = heartbeat
        self.connect_timeout = connect_timeout
        self.on_advanced: Callable[[int], None] | None = None
        self.on_link: Callable[[LinkView], None] | None = None
        self.on_bulk: Callable[[], object] | None = None  # told before a bulk load starts (in ``open``)
        self.engine: sa.Engine | None = None
        self.session_factory = None
        self.link: LinkClient | None = None
        self.clone: CloneClient | None = None
        self.initial_sync: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._version = 0
        self._changes: deque[Change] = deque(maxlen=CHANGES_KEPT)
        self._node_queue: set[str] = set()
        self._state = CloneLinkState(False, time.time(), False, 0, "", None)
        self._offline_start = False

    # --- attach / detach -------------------------------------------------------------------------------
    def open(self) -> ConsoleLink:
        """Reach the node, bring the replica up to date, start following the node. ``ConnectError`` when
        the node refuses this console's key, or cannot be reached and there is no replica to work from."""
        if self.security is not None and self.server not in self.security.keyring:
            raise ConnectError(
                f"the node's public key {self.server!r} is not in this console's key folder: copy the node's "
                f"{self.server}.key there (or name it with --server)"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        have_replica = self.path.exists()
        answer, (host, port) = self._probe()
        where = self.endpoint if len(self.endpoints) == 1 else f"tcp://{host}:{port}"
        who = self.security.me.name if self.security is not None else "anonymous"
        if answer == ProbeResult.DENIED:
            raise ConnectError(
                f"the node at {where} refused this console's key {who!r}: it is not enrolled there "
                f"(the node's key folder must hold {who}.key with a console role)"
            )
        if answer == ProbeResult.FAILED and self.security is None:
            raise ConnectError(
                f"the node at {where} refused a connection without CURVE: give this console its key "
                "folder (--keys DIR, --identity NAME)"
            )
        if answer == ProbeResult.FAILED:
            raise ConnectError(
                f"the secure handshake with {where} failed: is {self.server!r} the key of the node "
                "running there (see --server), and does the node run with --keys?"
            )
        if answer == ProbeResult.PASSIVE and not have_replica:
            raise ConnectError(
                f"the node at {self.endpoint} is passive (standby): it serves nothing until it takes over, "
                "and this console has no replica of it yet; connect to the active node of the pair"
            )
        if answer == ProbeResult.SILENT and not have_replica:
            # Silence is the least telling answer: every endpoint gave it.
            command_ports = ", ".join(str(p + 3) for _, p in self.endpoints)
            raise ConnectError(
                f"no node answers at {self.endpoint} (nothing listens on its command port {command_ports}, "
                f"or no answer within {self.connect_timeout:g} s), and this console has no replica of it yet"
            )
        self.engine = open_database(f"sqlite:///{self.path}")
        self.session_factory = session_factory(self.engine)
        # The console's own unanswered commands wait in a file beside its replica: a console closed
        # while its node is unreachable sends them when it next attaches (the node applies each once).
        self.link = LinkClient(
            self.endpoint,
            self.security,
            server=self.server,
            heartbeat=self.heartbeat,
            outbox=SqliteOutbox(self.path.with_name(self.path.stem + ".outbox.sqlite"), synchronous="NORMAL"),
        ).start()
        replica = DomainReplica(self.path, on_commit=self._on_commit)
        try:
            self._initial_sync(replica, reachable=answer not in _UNUSABLE)
            self._journal_mode()
            with self._lock:
                self._node_queue = self._queued_keys(replica)
        finally:
            replica.close()  # reopened by the clone client's agent thread, which owns it from now on
        self.clone = CloneClient(
            self.host,
            self.port,
            more=self.more,
            security=self.security,
            server=self.server,
            replica=replica,
            heartbeat=self.heartbeat,
            on_synced=self._on_synced,
            on_link=self._on_state_link,
        ).start()
        return self

    def _probe(self) -> tuple[ProbeResult, tuple[str, int]]:
        """Probe each endpoint's command port until one is usable; else the most telling failure (a
        refused key, then a failed handshake, then silence) and the endpoint that gave it."""
        found: list[tuple[ProbeResult, tuple[str, int]]] = []
        for host, port in self.endpoints:
            answer = probe(host, port + 3, self.security, server=self.server, timeout=self.connect_timeout)
            if answer not in _UNUSABLE:  # OK (or the passive node of a pair, which takes over when asked)
                return answer, (host, port)
            found.append((answer, (host, port)))
        return min(found, key=lambda item: _UNUSABLE.index(item[0]))

    def close(self) -> None:
        # No callback may reach a window that is going away while the agent threads stop.
        self.on_advanced = None
        self.on_link = None
        if self.clone is not None:
            self.clone.stop()
            self.clone = None
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    def _initial_sync(self, replica: DomainReplica, *, reachable: bool) -> None:
        """As a district does: replay from the replica's position when the node's log still covers it,
        else a bulk snapshot; cut off at start, work from the replica as it is."""
        assert self.link is not None
        have = replica.position()
        there = None
        if reachable:
            try:
                there = self.link.call("state.position", {}, timeout=self.connect_timeout)
            except LinkRefused as exc:
                raise ConnectError(
                    f"the node at {self.endpoint} refused this console: {exc.reason}"
                ) from None
            except LinkError as exc:
                if have is None:
                    raise ConnectError(f"the node at {self.endpoint} does not answer: {exc}") from None
        if there is None:
            if have is None:
                raise ConnectError(
                    f"no node answers at {self.endpoint} and this console has no replica of it"
                )
            self._offline_start = True
            self.initial_sync = {"mode": "offline", "seq": have.seq}
            log.warning("node %s unreachable: working from the replica at seq %s", self.endpoint, have.seq)
            return
        if log_covers(have, there):
            assert have is not None
            self.initial_sync = {"mode": "replay", "from_seq": have.seq, "node_seq": there["seq"]}
            return
        if self.on_bulk is not None:
            self.on_bulk()
        started = time.monotonic()
        try:
            position, counts, _ = load_bulk(self.link, replica, replace=have is not None)
        except LinkError as exc:
            raise ConnectError(f"loading the city from {self.endpoint} failed: {exc}") from None
        self.initial_sync = {
            "mode": "bulk",
            "seq": position.seq,
            "seconds": round(time.monotonic() - started, 2),
            **counts,
        }

    # --- commands ----------------------------------------------------------------------------------------
    def sign_in(self, login: str, password: str, *, timeout: float = 30.0) -> dict[str, Any]:
        """Sign the console's person in at the node (``LinkClient.sign_in``); commands carry the session."""
        if self.link is None:
            raise LinkError("the console is not attached to a node")
        return self.link.sign_in(login, password, timeout=timeout)

    def call(self, name: str, args: dict[str, Any], *, timeout: float = 30.0, persist: bool = True) -> Any:
        """A command on the node, resent until answered: the result, or ``LinkRefused`` (the node's rules
        said no, with the reason), or ``LinkError`` when no answer came within ``timeout`` (the command
        stays queued in this console and is still resent while the console runs). ``persist`` False: a
        command holding a password waits in memory only, never in the outbox file (lost if the console
        closes before the node answers)."""
        if self.link is None:
            raise LinkError("the console is not attached to a node")
        return self.link.call(name, args, timeout=timeout, persist=persist)

    # --- what changed --------------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return self._version

    def changes_after(self, version: int, limit: int = 1000) -> tuple[list[Change], bool]:
        """The changes committed after ``version`` (at most ``limit``, the latest ones) and whether some
        were lost to the reader (too far behind, or more than ``limit``): then reload everything."""
        with self._lock:
            found = [c for c in self._changes if c.version > version]
            oldest = self._changes[0].version if self._changes else self._version + 1
        lost = version + 1 < oldest and version < self._version
        if len(found) > limit:
            found, lost = found[-limit:], True
        return found, lost

    def _on_commit(self, entries: list[Entry], mode: str | None) -> None:
        # The clone client's agent thread, right after the replica committed these entries.
        if mode is not None:
            try:
                self._journal_mode()
            except Exception:
                log.exception("recording the node's mode switch in the replica failed")
        with self._lock:
            self._version += 1
            version = self._version
            for e in entries:
                self._changes.append(Change(version, e.key, not e.body))
                if _is_queue_key(e.key):
                    queued = bool(e.body) and _queued(e.body)
                    (self._node_queue.add if queued else self._node_queue.discard)(e.key)
        if self.on_advanced is not None:
            self.on_advanced(version)

    def _journal_mode(self) -> None:
        """The city's mode is the last ``mode.switched`` event of the journal: record the node's switches
        in the replica's own journal (who and when as the node says), so the console's readers agree."""
        assert self.session_factory is not None
        with self.session_factory() as s, s.begin():
            row = s.execute(
                sa.text("SELECT body FROM link_replica_entry WHERE key = :k"), {"k": MODE_KEY}
            ).first()
            if row is None:
                return
            doc = unpack(bytes(row[0]))
            local = current_mode(s).value
            target = doc.get("mode")
            if not target or target == local or target not in {m.value for m in Mode}:
                return
            at = self.clock.now()
            if isinstance(doc.get("since"), str):
                try:
                    at = dt.datetime.fromisoformat(doc["since"])
                except ValueError:
                    pass
            journal.append(
                s,
                journal.NewEvent(
                    kind=MODE_EVENT,
                    actor=doc.get("actor") or "centre",
                    at=at,
                    subject=f"mode:{target}",
                    payload={"from": local, "to": target, "role": doc.get("role"), "source": "node"},
                ),
            )

    def _queued_keys(self, replica: DomainReplica) -> set[str]:
        found = set()
        for key in replica.keys("/district/"):
            if _is_queue_key(key):
                entry = replica.get(key)
                if entry is not None and _queued(entry.body):
                    found.add(key)
        return found

    # --- the link ------------------------------------------------------------------------------------------
    def _on_state_link(self, state: CloneLinkState) -> None:
        self._state = state
        if self.on_link is not None:
            self.on_link(self.view())

    def _on_synced(self, info: SyncInfo) -> None:
        self._state = self.clone.link if self.clone is not None else self._state
        if self.on_link is not None:
            self.on_link(self.view())

    def view(self) -> LinkView:
        state = self.clone.link if self.clone is not None else self._state
        cmd = self.link.link if self.link is not None else None
        commands_up = bool(cmd and cmd.up)
        up = state.up and commands_up
        # Since when the combined link is what it is: the later change when up, the earlier when down.
        parts = [(state.since, state.up)] + ([(cmd.since, cmd.up)] if cmd is not None else [])
        down = [t for t, ok in parts if not ok]
        since = max(t for t, _ in parts) if up or not down else min(down)
        with self._lock:
            node_queue = len(self._node_queue)
        return LinkView(
            up=up,
            since=since,
            state_up=state.up,
            commands_up=commands_up,
            synced=state.synced,
            seq=state.seq,
            queue=cmd.queue_length if cmd is not None else 0,
            node_queue=node_queue,
            last_error=cmd.last_error if cmd is not None else None,
            offline_start=self._offline_start,
            serving=getattr(state, "endpoint", None) if state.up else None,
        )


def _is_queue_key(key: str) -> bool:
    parts = key.split("/")
    return len(parts) == 5 and parts[1] == "district" and parts[3] == "queue"


def _queued(body: bytes) -> bool:
    try:
        return unpack(body).get("state") == "queued"
    except Exception:  # a body this console cannot read is not counted
        return False


def describe_key(key: str) -> tuple[str, str]:
    """(kind, subject) of a replicated key in the journal's vocabulary: ``/case/12`` -> ("case",
    "case/12"), ``/mode`` -> ("mode", "mode"), anything else -> ("other", key)."""
    kind = classify(key)
    if kind.kind == "mode":
        return "mode", "mode"
    if kind.spec is not None:
        name = kind.spec.name
        return name, f"{name}/{'/'.join(kind.values)}"
    return "other", key
