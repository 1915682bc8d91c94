"""Keys without restarts (docs/protocol.md section 1, "Key reloading"): a node watches its key folder and
reloads its CURVE allow-list when a ``*.key`` file is added, changed or removed, or at once on SIGHUP.

``KeyWatch`` is a thread beside the node's servers. It polls the folder (names, sizes and modification
times; every second by default), and on a change or a ``wake`` (the SIGHUP handler of ``nodes.serve``)
it reloads the ``Security`` the node's sockets share, so the ZAP handler answers from the new list at the
next handshake. When a key left the list it asks each server to rebind (``ServerFront.rebind``, done in
the server's own agent thread), which closes every accepted connection: the peers still allowed come
back by themselves through ZAP, the removed one is denied. Each addition and removal is journaled at
the node by the command ``keys.changed``, run by the node itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from comms.agent import ServerFront
from comms.keys import KeyChange, KeyFileError, PeerKey, Security, folder_signature
from comms.records import CommandRefused
from data import journal
from modes.common.auth import LOCAL_PEER_ROLE
from modes.common.command_bus import CallContext, CommandBus, call_local
from nodes.logs import NodeLog, in_city_time
from nodes.state_commands import install

KEY_ADDED = "link.key_added"
KEY_REMOVED = "link.key_removed"
JOURNAL_COMMAND = "keys.changed"
DEFAULT_POLL = 1.0


class KeyWatch:
    """Reloads a node's allow-list when its key folder changes or on ``wake``; see the module text.

    ``servers()``: the node's servers to rebind when a key is removed; ``journal(args)``: runs the
    ``keys.changed`` command with the change (``args`` as ``change_args`` builds them).
    """

    def __init__(
        self,
        security: Security,
        log: NodeLog,
        *,
        servers: Callable[[], Iterable[ServerFront | None]],
        journal: Callable[[dict[str, Any]], object],
        interval: float = DEFAULT_POLL,
    ) -> None:
        if security.directory is None:
            raise KeyFileError("a key watch needs keys read from a folder")
        self.security = security
        self.log = log
        self.servers = servers
        self.journal = journal
        self.interval = interval
        self.last_rebind_s: float | None = None
        self._wake = threading.Event()
        self._signalled = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> KeyWatch:
        self._thread = threading.Thread(target=self._loop, name="sanwei-key-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None

    def wake(self) -> None:
        """Reload now (what SIGHUP does). Only sets events, so a signal handler may call it."""
        self._signalled.set()
        self._wake.set()

    def _loop(self) -> None:
        assert self.security.directory is not None
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            signalled = self._signalled.is_set()
            self._signalled.clear()
            if not signalled and folder_signature(self.security.directory) == self.security.signature:
                continue
            try:
                self.reload("signal" if signalled else "folder")
            except Exception:
                # Never expected (every step reports its own failures); the watch goes on.
                self.log.logger.exception("reloading the keys failed")

    def reload(self, trigger: str) -> KeyChange | None:
        """Reload the allow-list now, close the sessions of removed keys, journal the change."""
        try:
            change = self.security.reload()
        except KeyFileError as exc:
            self.log.event("keys_not_reloaded", "error", trigger=trigger, error=str(exc))
            return None
        for problem in change.problems:
            self.log.event("key_file_bad", "error", file=problem.file, problem=problem.problem)
        if change.own_key_problem is not None:
            self.log.event(
                "own_key_missing",
                "error",
                identity=self.security.me.name,
                problem=change.own_key_problem,
                message="this node keeps the key pair it started with; restore its files",
            )
        self.log.event(
            "keys_reloaded",
            trigger=trigger,
            added=[k.name for k in change.added],
            removed=[k.name for k in change.removed],
            keys=len(self.security.keyring.names()),
        )
        if change.removed:
            self._close_sessions(change)
        if change.changed:
            try:
                self.journal(change_args(change, trigger))
            except Exception as exc:
                self.log.event("key_change_not_journaled", "error", error=f"{type(exc).__name__}: {exc}")
        return change

    def _close_sessions(self, change: KeyChange) -> None:
        started = time.monotonic()
        for server in self.servers():
            if server is None or not server.running:
                continue
            try:
                server.rebind()
            except Exception as exc:
                self.log.event("sessions_not_closed", "error", error=f"{type(exc).__name__}: {exc}")
        self.last_rebind_s = round(time.monotonic() - started, 4)
        self.log.event(
            "sessions_closed", removed=[k.name for k in change.removed], rebind_seconds=self.last_rebind_s
        )

    def status(self) -> dict[str, Any]:
        allow = self.security.allow_list()
        allow["loaded_at"] = in_city_time(allow["loaded_at"])  # the node's one time convention
        return {**allow, "poll_s": self.interval, "last_rebind_s": self.last_rebind_s}


def change_args(change: KeyChange, trigger: str) -> dict[str, Any]:
    def docs(keys: tuple[PeerKey, ...]) -> list[dict[str, str]]:
        return [k.describe() for k in keys]

    return {"added": docs(change.added), "removed": docs(change.removed), "trigger": trigger}


# --- the journal command ------------------------------------------------------------------------------


def _keys_changed(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """Journal a node's allow-list change: one event per key removed, then one per key added. Run by
    the node itself (``call_local``), never over a link: its actor is the node (``node_actor``)."""
    if ctx.peer.role != LOCAL_PEER_ROLE:
        raise CommandRefused(
            f"{JOURNAL_COMMAND} is journaled by the node itself, not sent by {ctx.peer.name}"
        )
    actor = str(ctx.services["node_actor"])
    district = ctx.services.get("node_district")
    now = ctx.clock.now()
    trigger = str(args.get("trigger") or "")
    events = [
        journal.NewEvent(
            kind,
            actor,
            now,
            f"key/{key['name']}",
            {"name": key["name"], "role": key["role"], "fingerprint": key["fingerprint"], "trigger": trigger},
            district,
        )
        for kind, keys in ((KEY_REMOVED, args.get("removed") or ()), (KEY_ADDED, args.get("added") or ()))
        for key in keys
    ]
    return {"journal_seq": journal.append_many(ctx.session, events) if events else []}


def start_key_watch(node: Any, bus: CommandBus, *, district: str | None, interval: float) -> KeyWatch | None:
    """The key watch of a started node (``CentreNode``, ``DistrictNode``: its ``security``, ``log``,
    ``session_factory``, ``clock``, ``server`` and ``commands``), journaling in ``district``'s name
    (None: the centre's); None without CURVE or key folder. The caller stops it first at teardown.

    The journal's actor is the node's own role (``centre``, ``district:<code>``), as a district node's
    acknowledgements of orders are."""
    security: Security | None = node.security
    if security is None or security.directory is None:
        return None
    install(bus, JOURNAL_COMMAND, _keys_changed)
    services = {"node_actor": security.me.role, "node_district": district}

    def write(args: dict[str, Any]) -> object:
        return call_local(bus, node.session_factory, node.clock, JOURNAL_COMMAND, args, services=services)

    return KeyWatch(
        security, node.log, servers=lambda: (node.server, node.commands), journal=write, interval=interval
    ).start()
