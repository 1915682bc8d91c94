"""A Binary Star pair (the ZeroMQ Guide's chapter 4 pattern; docs/protocol.md section 8): two nodes
of one service, a primary and a backup, exactly one of which is *active*.

The decision is a pure table (``TABLE``, ``decide``): the state a node is in and an event (the peer's
announced state, or a client's request) give the next state. The rule that keeps a pair from having
two active nodes: a passive node takes over only when it has lost its peer (no heartbeat for
``2 x heartbeat``, and ``peer_alive`` cannot reach it either) *and* a client asks it to.

``BinaryStar`` runs the heartbeat: a PUB bound on the node's heartbeat port announces its state every
``heartbeat`` seconds (and at once on a change), a SUB connected to the peer's port hears the peer's.
Both are CURVE sockets when the node has keys. Frames: ``SANWEI-BSTAR/1``, state, properties
(``name=value`` lines, what the application announces: its sequence reservation, what it confirmed).
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import zmq

from comms.agent import TERM, AgentFront
from comms.keys import Security
from comms.sockets import has_message, recv_frames, send_frames
from comms.stats import NodeStats
from comms.wire import WireError, decode_properties, encode_properties

log = logging.getLogger("comms")

BSTAR_PROTO = b"SANWEI-BSTAR/1"
ANNOUNCE = b"ANNOUNCE"


class State(enum.StrEnum):
    PRIMARY = "primary"  # started as the primary, peer not heard yet
    BACKUP = "backup"  # started as the backup, peer not heard yet
    ACTIVE = "active"
    PASSIVE = "passive"


class Event(enum.StrEnum):
    PEER_PRIMARY = "peer_primary"
    PEER_BACKUP = "peer_backup"
    PEER_ACTIVE = "peer_active"
    PEER_PASSIVE = "peer_passive"
    CLIENT_REQUEST = "client_request"


PEER_EVENTS = {
    State.PRIMARY: Event.PEER_PRIMARY,
    State.BACKUP: Event.PEER_BACKUP,
    State.ACTIVE: Event.PEER_ACTIVE,
    State.PASSIVE: Event.PEER_PASSIVE,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one (state, event) pair leads to. ``to`` None: stay. ``if_peer_lost``: only when the peer is
    lost (else the request is refused). ``fault``: a broken pair worth an operator's attention."""

    to: State | None
    why: str
    if_peer_lost: bool = False
    refuse: bool = False
    fault: bool = False


TABLE: Mapping[tuple[State, Event], Outcome] = {
    # A primary that hears a backup is the active one; one that hears an active peer (it failed over
    # while this one was away) comes back passive.
    (State.PRIMARY, Event.PEER_BACKUP): Outcome(State.ACTIVE, "the backup is there: the primary serves"),
    (State.PRIMARY, Event.PEER_PASSIVE): Outcome(State.ACTIVE, "the peer is passive: the primary serves"),
    (State.PRIMARY, Event.PEER_ACTIVE): Outcome(State.PASSIVE, "the peer is active: the primary stands by"),
    (State.PRIMARY, Event.PEER_PRIMARY): Outcome(None, "both nodes say primary", fault=True),
    # A primary started alone serves once it has waited long enough to know the backup is not active.
    (State.PRIMARY, Event.CLIENT_REQUEST): Outcome(
        State.ACTIVE, "no backup heard: the primary serves alone", if_peer_lost=True
    ),
    (State.BACKUP, Event.PEER_ACTIVE): Outcome(State.PASSIVE, "the peer is active: the backup stands by"),
    (State.BACKUP, Event.PEER_PRIMARY): Outcome(None, "waiting for the primary to serve"),
    (State.BACKUP, Event.PEER_BACKUP): Outcome(None, "both nodes say backup", fault=True),
    # A backup never serves before it has seen the pair working: it cannot know the primary is not.
    (State.BACKUP, Event.CLIENT_REQUEST): Outcome(None, "a backup serves only after a primary", refuse=True),
    # Two active nodes: a partition healed after both served. The backup steps down (the primary's
    # city is the one of record); the fault is logged for the operator.
    (State.ACTIVE, Event.PEER_ACTIVE): Outcome(None, "both nodes are active", fault=True),
    (State.PASSIVE, Event.PEER_PRIMARY): Outcome(
        State.ACTIVE, "the peer restarted as primary: this node serves, the peer will stand by"
    ),
    (State.PASSIVE, Event.PEER_BACKUP): Outcome(
        State.ACTIVE, "the peer restarted as backup: this node serves, the peer will stand by"
    ),
    (State.PASSIVE, Event.PEER_PASSIVE): Outcome(None, "both nodes are passive", fault=True),
    (State.PASSIVE, Event.CLIENT_REQUEST): Outcome(
        State.ACTIVE, "the active peer is lost and a client asked: failover", if_peer_lost=True
    ),
}


@dataclass(frozen=True, slots=True)
class Decision:
    state: State
    changed: bool
    accepted: bool  # for a client request: may this node serve it
    why: str
    fault: bool = False


def decide(state: State, event: Event, *, peer_lost: bool, role: State) -> Decision:
    """The next state after ``event`` in ``state``; ``role`` is PRIMARY or BACKUP (how the node started),
    used only where two active nodes meet: the backup steps down."""
    outcome = TABLE.get((state, event))
    if outcome is None:
        # Every other pair changes nothing; a client request to an active node is served.
        return Decision(state, False, state == State.ACTIVE, "no change")
    if outcome.fault and state == State.ACTIVE and role == State.BACKUP:
        return Decision(State.PASSIVE, True, False, outcome.why + ": the backup steps down", fault=True)
    if outcome.refuse:
        return Decision(state, False, False, outcome.why)
    if outcome.if_peer_lost and not peer_lost:
        return Decision(state, False, False, "the peer is alive: " + outcome.why.split(":")[0] + " refused")
    if outcome.to is None:
        return Decision(state, False, state == State.ACTIVE, outcome.why, fault=outcome.fault)
    return Decision(outcome.to, outcome.to != state, outcome.to == State.ACTIVE, outcome.why)


@dataclass(frozen=True, slots=True)
class PairInfo:
    state: State
    role: State
    peer: str
    peer_state: State | None
    peer_seen_s: float | None  # seconds since the peer's last heartbeat, None if never heard
    peer_props: dict[str, str]
    faults: int


class _BStarCore:
    def __init__(self, context: zmq.Context, front: BinaryStar) -> None:
        self.front = front
        self.context = context
        self.pub: zmq.Socket | None = None
        self.sub: zmq.Socket | None = None
        self._attached = False
        sec = front.security
        try:
            if sec is not None:
                sec.attach(context)
                self._attached = True
            pub = self.pub = context.socket(zmq.PUB)
            pub.linger = 0
            pub.sndhwm = 100
            if sec is not None:
                sec.make_server(pub)
            pub.bind(f"tcp://{front.bind[0]}:{front.bind[1]}")
            sub = self.sub = context.socket(zmq.SUB)
            sub.linger = 0
            sub.maxmsgsize = 64 * 1024
            sub.subscribe(BSTAR_PROTO)
            if sec is not None:
                sec.make_client(sub, front.peer_key)
            sub.connect(f"tcp://{front.peer[0]}:{front.peer[1]}")
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        for sock in (self.pub, self.sub):
            if sock is not None:
                sock.close(linger=0)
        if self._attached and self.front.security is not None:
            self.front.security.detach(self.context)
            self._attached = False

    def run(self, pipe: zmq.Socket) -> None:
        poller = zmq.Poller()
        poller.register(pipe, zmq.POLLIN)
        poller.register(self.sub, zmq.POLLIN)
        hb = self.front.heartbeat
        next_send = 0.0
        while True:
            now = time.monotonic()
            events = dict(poller.poll(max(0, int((next_send - now) * 1000)) + 1))
            if pipe in events:
                while has_message(pipe):
                    msg = pipe.recv_multipart()
                    if msg[0] == TERM:
                        return
                    if msg[0] == ANNOUNCE:
                        self.front._send_now = True  # now, not at the next beat
            if self.sub in events:
                while has_message(self.sub):
                    frames = recv_frames(self.sub)
                    try:
                        self.front._on_peer(frames)
                    except WireError as exc:
                        self.front.stats.drop(exc.reason, exc.detail, "peer")
            now = time.monotonic()
            if self.front._send_now:
                self.front._send_now = False
                next_send = 0.0
            if now >= next_send and self.front.sending:
                state, props = self.front._announcement()
                send_frames(self.pub, [BSTAR_PROTO, state.value.encode(), props])
                next_send = now + hb
            elif now >= next_send:
                next_send = now + hb


class BinaryStar(AgentFront):
    """One node's side of a Binary Star pair.

    ``client_request()`` (any thread) is the event a client's request makes: it returns True when this
    node may serve it (it is active, or has just become so). ``on_change(new, old, why)`` is called on
    every state change, in the thread that caused it, before ``client_request`` returns; a node takes
    over there. ``peer_alive()``, when given, is asked before a failover: a second path to the peer (its
    command port), so that a heartbeat lost while the peer still serves does not make two active nodes.
    ``announce(props)`` sets what the heartbeat carries and sends it at once; ``on_peer(props)`` gets
    what the peer announces.
    """

    def __init__(
        self,
        role: State,
        bind: tuple[str, int],
        peer: tuple[str, int],
        *,
        security: Security | None = None,
        peer_key: str = "centre",
        context: zmq.Context | None = None,
        heartbeat: float = 1.0,
        on_change: Callable[[State, State, str], None] | None = None,
        on_peer: Callable[[dict[str, str]], None] | None = None,
        peer_alive: Callable[[], bool] | None = None,
    ) -> None:
        if role not in (State.PRIMARY, State.BACKUP):
            raise ValueError(f"a pair node starts as primary or backup, not {role}")
        self.role = role
        self.bind = bind
        self.peer = peer
        self.security = security
        self.peer_key = peer_key
        self.heartbeat = heartbeat
        self.on_change = on_change
        self.on_peer = on_peer
        self.peer_alive = peer_alive
        self.stats = NodeStats(f"bstar:{bind[1]}")
        self.sending = True  # False stops the heartbeat (a partition, in tests and drills)
        self._lock = threading.RLock()
        self._state = role
        self._peer_state: State | None = None
        self._peer_seen: float | None = None
        # At start the peer is given two beats to show up before it counts as lost.
        self._peer_expiry = time.monotonic() + 2 * heartbeat
        self._peer_props: dict[str, str] = {}
        self._props: dict[str, str] = {}
        self.faults = 0
        self.last_fault: str | None = None
        self._send_now = False
        self._alive_checked: tuple[float, bool] | None = None
        super().__init__(f"bstar-{bind[1]}", context, lambda ctx: _BStarCore(ctx, self))

    # --- what the application asks -----------------------------------------------------------------
    @property
    def state(self) -> State:
        return self._state

    @property
    def active(self) -> bool:
        return self._state == State.ACTIVE

    def info(self) -> PairInfo:
        with self._lock:
            seen = None if self._peer_seen is None else round(time.monotonic() - self._peer_seen, 3)
            return PairInfo(
                self._state,
                self.role,
                f"tcp://{self.peer[0]}:{self.peer[1]}",
                self._peer_state,
                seen,
                dict(self._peer_props),
                self.faults,
            )

    def peer_lost(self) -> bool:
        return time.monotonic() >= self._peer_expiry

    def client_request(self) -> bool:
        """A client asked this node to serve: True when it may (active now or after a failover)."""
        if self._state == State.ACTIVE:
            return True
        with self._lock:
            lost = self.peer_lost()
            if lost and self.peer_alive is not None and self._state == State.PASSIVE:
                lost = not self._peer_answers()
                if not lost:
                    self.stats.count("failover_declined")
            decision = decide(self._state, Event.CLIENT_REQUEST, peer_lost=lost, role=self.role)
            self._apply(decision)
            return decision.accepted

    def _peer_answers(self) -> bool:
        """The second path, asked at most once a heartbeat: clients' requests come many a second."""
        now = time.monotonic()
        if self._alive_checked is not None and now - self._alive_checked[0] < self.heartbeat:
            return self._alive_checked[1]
        try:
            alive = bool(self.peer_alive())
        except Exception:
            log.exception("checking the peer failed")
            alive = True  # unknown: no failover on a doubt
        self._alive_checked = (time.monotonic(), alive)
        return alive

    def announce(self, **props: object) -> None:
        """What the heartbeat carries from now on (merged), sent at once."""
        with self._lock:
            new = {k: str(v) for k, v in props.items()}
            if all(self._props.get(k) == v for k, v in new.items()):
                return  # nothing new to say: the next beat carries it
            self._props.update(new)
        self._wake()

    def _wake(self) -> None:
        """Send the heartbeat now: from the agent's own thread a flag, from any other a word on the pipe."""
        self._send_now = True
        if self.running and threading.current_thread().name != f"sanwei-{self._agent.name}":
            self._agent.tell([ANNOUNCE])

    # --- the agent's side ---------------------------------------------------------------------------
    def _announcement(self) -> tuple[State, bytes]:
        with self._lock:
            return self._state, encode_properties(self._props)

    def _on_peer(self, frames: list[bytes]) -> None:
        if len(frames) != 3 or frames[0] != BSTAR_PROTO:
            raise WireError("malformed", f"heartbeat of {len(frames)} frames")
        try:
            peer_state = State(frames[1].decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise WireError("malformed", f"state {frames[1][:20]!r}") from None
        props = decode_properties(frames[2])
        with self._lock:
            now = time.monotonic()
            self._peer_state = peer_state
            self._peer_seen = now
            self._peer_expiry = now + 2 * self.heartbeat
            self._peer_props = props
            decision = decide(self._state, PEER_EVENTS[peer_state], peer_lost=False, role=self.role)
            self._apply(decision)
        if self.on_peer is not None:
            try:
                self.on_peer(props)
            except Exception:
                log.exception("on_peer callback failed")

    def _apply(self, decision: Decision) -> None:
        if decision.fault:
            self.faults += 1
            self.last_fault = decision.why
            self.stats.count("faults")
            log.error("binary star: %s", decision.why)
        if not decision.changed:
            return
        old, self._state = self._state, decision.state
        log.warning("binary star: %s -> %s (%s)", old, decision.state, decision.why)
        self._wake()
        if self.on_change is not None:
            self.on_change(decision.state, old, decision.why)
