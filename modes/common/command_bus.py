"""Commands by name over the command channel (docs/protocol.md section 7.3).

A ``CommandBus`` maps a command name to a handler ``handler(ctx, args) -> result``; each mode fills it
with its own commands (``modes.everyday.link_commands``), ``register_common`` adds what the modes share
(``query.stats``, ``query.mode``, ``mode.switch``, ``modes.common.auth``'s ``auth.*`` and
``staff.*``, and ``modes.common.orders``' ``order.*`` and ``settings.*``), the nodes add their own (``state.*``, ``link.*``),
and ``main.py`` wires them together. ``make_apply`` turns a bus into the ``apply`` function of a
``comms.commands.CommandServer``: it decodes the body, confines the caller to what its CURVE role allows
(a ``district:<code>`` peer acts only within its district), runs the handler inside the node's database
transaction and encodes the result. The applied command id is recorded in that same transaction by
``DbDedupStore``, so a command is applied at most once however often it is resent.

Names that start with ``query.``, ``state.`` or ``link.`` are *queries*: read-only, answered by whichever
node receives them, never forwarded and never recorded (a resend simply runs again).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msgpack
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comms.records import Command, CommandRefused, Peer
from comms.retention import DAY_S, RESEND_LIMIT_S
from data import journal
from data.city import reference_version, stats
from data.errors import InputError
from data.models import Role
from modes.common import app_keys, auth, orders
from modes.common.actor import Actor
from modes.common.clock import Clock, FixedClock, one_instant
from modes.common.mode_switch import ModeSwitch, mode_status, switch_mode

log = logging.getLogger("sanwei.bus")

PROTOCOL = 1
QUERY_PREFIXES = ("query.", "state.", "link.")
# A queued command carries the time it was taken at the district; the centre accepts it within this
# window (an offline district's clock may be off, and an old time must not reopen closed deadlines).
MAX_BACKDATE = dt.timedelta(hours=24)
# A command taken longer ago than this is refused, not applied: its sender should have given it up, and
# this node may have forgotten its id by now (comms.retention).
TOO_OLD = dt.timedelta(seconds=RESEND_LIMIT_S)
# Replies of writes not recorded on disk (a sign-in: its token), kept in memory for resends of their id.
IN_MEMORY_REPLIES = 4096

APPLIED = sa.table(
    "link_applied_command",
    sa.column("peer", sa.String),
    sa.column("command_id", sa.String),
    sa.column("status", sa.String),
    sa.column("reply", sa.LargeBinary),
    sa.column("applied_at", sa.Float),
)


# Built once: at 200 commands a second, building a statement costs more than running it.
_FIND_REPLY = sa.select(APPLIED.c.status, APPLIED.c.reply).where(
    APPLIED.c.peer == sa.bindparam("peer"), APPLIED.c.command_id == sa.bindparam("command_id")
)
_SAVE_REPLY = sa.insert(APPLIED)


def is_query(name: str) -> bool:
    return name.startswith(QUERY_PREFIXES)


# ==================================================================================================
# Bodies
# ==================================================================================================


def encode_call(
    name: str, args: dict[str, Any], at: dt.datetime | None = None, session: dict[str, str] | None = None
) -> bytes:
    """A command body: ``{"v": 1, "cmd": name, "args": {...}, "at": "YYYY-MM-DD HH:MM:SS[.ffffff]",
    "session": {"login": ..., "token": ...}}``; ``session`` is the sender's signed-in person
    (``auth.session_start``), absent for a node acting for itself."""
    doc: dict[str, Any] = {"v": PROTOCOL, "cmd": name, "args": args}
    if at is not None:
        doc["at"] = at.isoformat(sep=" ")  # to the microsecond: it is compared with the centre's times
    if session is not None:
        doc["session"] = {"login": session["login"], "token": session["token"]}
    return msgpack.packb(doc, use_bin_type=True, default=_jsonable)


def session_of(body: bytes) -> dict[str, str] | None:
    """The ``session`` of a command body (None when it carries none); ``CommandRefused`` when malformed."""
    doc = msgpack.unpackb(body, raw=False, strict_map_key=False)
    session = doc.get("session") if isinstance(doc, dict) else None
    if session is None:
        return None
    if (
        not isinstance(session, dict)
        or not isinstance(session.get("login"), str)
        or not isinstance(session.get("token"), str)
    ):
        raise CommandRefused("a command's 'session' is a map with 'login' and 'token' (strings)")
    return session


def decode_call(body: bytes) -> tuple[str, dict[str, Any], dt.datetime | None]:
    try:
        doc = msgpack.unpackb(body, raw=False, strict_map_key=False)
    except Exception as exc:
        raise CommandRefused(f"unreadable command body: {exc}") from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("cmd"), str)
        or not isinstance(doc.get("args", {}), dict)
    ):
        raise CommandRefused("a command body is a map with 'cmd' (a name) and 'args' (a map)")
    if doc.get("v", PROTOCOL) != PROTOCOL:
        raise CommandRefused(
            f"command body version {doc.get('v')!r} is not supported (this node speaks {PROTOCOL})"
        )
    at = None
    if isinstance(doc.get("at"), str):
        try:
            at = dt.datetime.fromisoformat(doc["at"])
        except ValueError:
            raise CommandRefused(f"'at' {doc['at']!r} is not an ISO date-time") from None
    return doc["cmd"], doc.get("args") or {}, at


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def encode_result(result: Any) -> bytes:
    return msgpack.packb(result, use_bin_type=True, default=_jsonable)


def decode_result(body: bytes) -> Any:
    return msgpack.unpackb(body, raw=False, strict_map_key=False)


# ==================================================================================================
# Registry
# ==================================================================================================


@dataclass
class CallContext:
    """What a handler gets besides its arguments: the transaction, who is calling, the time."""

    tx: BusTransaction
    peer: Peer
    scope: str | None  # the district the caller is confined to (None: the whole city)
    clock: Clock
    node: str  # "centre" or "district"
    node_district: str | None = None  # the district a district node serves
    forward_id: str | None = None  # at a district: the id the command will be forwarded under
    services: dict[str, Any] = field(default_factory=dict)
    forward_args: dict[str, Any] | None = None  # a handler's rewrite of what goes to the centre
    forward_subject: str = ""
    # The person the door authenticated (password checked locally, or by the node): the actor of every
    # write. None only for a peer that speaks for itself (a district node's own acknowledgements).
    person: Actor | None = None
    # Set only by an exercise delivering an inject (modes.exercises): the records the command makes carry
    # this exercise id. Never taken from a command's arguments, so no caller can hide a real record.
    exercise_id: int | None = None
    _reference: tuple[int, int] | None = field(default=None, init=False, repr=False)

    @property
    def session(self) -> Session:
        return self.tx.session

    @property
    def at_centre(self) -> bool:
        return self.node == "centre"

    def after_commit(self, fn: Callable[[], None]) -> None:
        self.tx.after_commit.append(fn)

    def reference_generation(self) -> tuple[int, int]:
        """What a handler's cache of the city's reference data (cells, organisation, routing, types)
        must match to be used: the node's generation (a district's picture reloaded) and the city's
        reference version (an import on this database, by whichever process). Read once a command:
        a report asks for its router and its catalogue."""
        if self._reference is None:
            self._reference = self.services.get("generation", lambda: 0)(), reference_version(self.session)
        return self._reference

    def decided_at_centre(self, refusal: str) -> None:
        """Refuse at a district node what only the municipal centre decides (the city's mode, orders,
        the annual alarm test...): a district's replica is not where it lives."""
        if self.node == "district":
            raise CommandRefused(refusal)

    def confine(self, district: str | None, what: str) -> None:
        """Refuse when a confined caller reaches outside its district."""
        if self.scope is not None and district != self.scope:
            raise CommandRefused(
                f"{what} is in district {district or '?'}; {self.peer.name} acts for district {self.scope}"
            )

    def actor(self, args: dict[str, Any], default_role: str | None = None) -> Actor:
        """Who acts: the authenticated person, whose role, district and department come from the staff
        table. A command that names another actor or role (``as``, ``actor``) is refused, not believed;
        a confined caller's person must belong to the caller's district (or to no district)."""
        person = self.person
        if person is None:
            # Only the centre's own key may name the acting role (its tools and tests do); a district
            # node forwards the person who signed in there, and everyone else signs in.
            if self.peer.role_kind != "centre":
                raise CommandRefused(
                    f"{self.peer.name} sends this without a person: sign in (auth.session_start), or a "
                    "district node forwards the login of the person who acted"
                )
            role, district = self.acting_as(args, default_role)
            return Actor.of(
                role, args.get("actor"), department=args.get("actor_department"), district=district
            )
        claimed_role, claimed = args.get("as"), args.get("actor")
        if claimed_role and Role.spelling(str(claimed_role)) is not person.role:
            raise CommandRefused(
                f"the command says it acts as {claimed_role!r}, but {person.login or person.name} "
                f"is {person.role.value}"
            )
        if claimed and claimed not in (person.login, person.name):
            raise CommandRefused(
                f"the command names actor {claimed!r}, but it comes from {person.login or person.name}"
            )
        if self.scope is not None and person.district not in (None, self.scope):
            raise CommandRefused(
                f"{person.login or person.name} belongs to district {person.district}; "
                f"{self.peer.name} acts for district {self.scope}"
            )
        return person

    def acting_as(self, args: dict[str, Any], default_role: str | None = None) -> tuple[str, str | None]:
        """The role (``as``, else ``default_role``) and district (``actor_district``) a command's actor
        claims; a confined caller acts for its own district whatever it claims, and claiming another is
        refused. Each mode builds its own ``Actor`` from these."""
        role = args.get("as") or default_role
        if not role:
            raise InputError("this command needs the acting role ('as')")
        district = args.get("actor_district")
        if self.scope is not None:
            if district and district != self.scope:
                raise CommandRefused(f"{self.peer.name} acts for district {self.scope}, not {district}")
            district = self.scope
        return role, district


Handler = Callable[[CallContext, dict[str, Any]], Any]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: Handler
    forward: bool = False  # at a district: applied provisionally, queued and forwarded to the centre
    # False: the reply is not kept for resends (it holds a secret, such as a new session's token); a
    # resend runs the command again.
    record: bool = True

    @property
    def query(self) -> bool:
        return is_query(self.name)


class CommandBus:
    """Command name -> handler. Filled at start-up by the composition root, read-only afterwards."""

    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}
        # Exceptions that mean "no" (bad input, an illegal step of a workflow): the caller is told why
        # and the command is final, not retried. Modes add their own (``refuse_on``).
        self.refusals: tuple[type[BaseException], ...] = (InputError, CommandRefused)

    def register(self, name: str, handler: Handler, *, forward: bool = False, record: bool = True) -> None:
        if name in self._specs:
            raise ValueError(f"command {name!r} is registered twice")
        if forward and is_query(name):
            raise ValueError(f"{name!r} is a query (by its name) and cannot be forwarded")
        self._specs[name] = CommandSpec(name, handler, forward, record)

    def refuse_on(self, *errors: type[BaseException]) -> None:
        self.refusals = (*self.refusals, *errors)

    def spec(self, name: str) -> CommandSpec | None:
        return self._specs.get(name)

    def names(self) -> list[str]:
        return sorted(self._specs)


# ==================================================================================================
# The applied-ids store inside the node's own database
# ==================================================================================================


class BusTransaction:
    """One command's transaction. The session is opened on first use, so a query that touches nothing
    (``state.bulk``) costs no database round trip; ``record`` is False for queries."""

    def __init__(self, store: DbDedupStore) -> None:
        self.store = store
        self._session: Session | None = None
        self.record = True  # keep the reply for resends
        self.writes = True  # may write: take SQLite's write lock up front
        self.after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            s = self.store.session_factory()
            s.begin()
            if self.writes and s.get_bind().dialect.name == "sqlite":
                # Take SQLite's write lock first: a deferred transaction that reads and then writes
                # fails at once (SQLITE_BUSY_SNAPSHOT) when another connection committed in between.
                s.connection().exec_driver_sql("UPDATE link_applied_command SET status = status WHERE 0")
            self._session = s
        return self._session

    def find_reply(self, peer: str, command_id: str) -> tuple[str, bytes] | None:
        # Outside the command's transaction: only this node's command server writes the table (one
        # command at a time), so nothing can record the id between this read and the command's commit.
        return self.store.lookup(peer, command_id)

    def save_reply(self, peer: str, command_id: str, status: str, body: bytes) -> None:
        if not self.record:
            if self.writes:
                # Not kept on disk (a session's token), yet a resend of the same id must not act twice
                # (a wrong password counted twice): kept in memory, once the transaction committed.
                self.after_commit.append(lambda: self.store.remember(peer, command_id, status, body))
            return
        self.session.connection().execute(
            _SAVE_REPLY,
            {
                "peer": peer,
                "command_id": command_id,
                "status": status,
                "reply": body,
                "applied_at": self.store.now(),
            },
        )


class DbDedupStore:
    """``comms.commands.DedupStore`` over the node's database: the applied ids live beside the city, in
    the same transaction as each command's changes."""

    def __init__(
        self,
        session_factory,
        on_commit: Callable[[], None] | None = None,
        *,
        now: Callable[[], float] = time.time,
    ):
        """``now``: the clock applied ids are stamped with (``applied_at``), which pruning compares."""
        self.session_factory = session_factory
        self.on_commit = on_commit
        self.now = now
        self._lookup: sa.Connection | None = None
        self._in_memory: OrderedDict[tuple[str, str], tuple[str, bytes]] = OrderedDict()

    def remember(self, peer: str, command_id: str, status: str, body: bytes) -> None:
        """Keep the reply of an unrecorded write in memory for resends of its id (bounded, oldest out)."""
        self._in_memory[(peer, command_id)] = (status, body)
        while len(self._in_memory) > IN_MEMORY_REPLIES:
            self._in_memory.popitem(last=False)

    def lookup(self, peer: str, command_id: str) -> tuple[str, bytes] | None:
        """The stored reply of a command, on a connection kept for the command server's thread (a
        session per lookup cost a millisecond a command)."""
        kept = self._in_memory.get((peer, command_id))
        if kept is not None:
            return kept
        if self._lookup is None:
            self._lookup = self.session_factory.kw["bind"].connect()
        conn = self._lookup
        try:
            row = conn.execute(_FIND_REPLY, {"peer": peer, "command_id": command_id}).first()
        finally:
            conn.rollback()  # no read transaction left open to pin an old snapshot
        return None if row is None else (row[0], bytes(row[1]))

    def close(self) -> None:
        if self._lookup is not None:
            self._lookup.close()
            self._lookup = None

    @contextmanager
    def transaction(self) -> Iterator[BusTransaction]:
        tx = BusTransaction(self)
        try:
            yield tx
        except BaseException:
            if tx._session is not None:
                tx._session.rollback()
                tx._session.close()
            raise
        if tx._session is not None:
            try:
                tx._session.commit()
            finally:
                tx._session.close()
            if tx.writes and self.on_commit is not None:
                self.on_commit()
        for fn in tx.after_commit:
            try:
                fn()
            except Exception:
                log.exception("after-commit action failed")

    def prune(self, older_than: float, limit: int | None = None) -> int:
        """Forget up to ``limit`` ids applied before ``older_than`` (Unix time), in one transaction; a
        sender never resends that late (comms.retention). Called from the pruning thread."""
        old = APPLIED.c.applied_at < older_than
        if limit is not None:
            oldest = sa.select(APPLIED.c.peer, APPLIED.c.command_id).where(old).order_by(APPLIED.c.applied_at)
            old = sa.tuple_(APPLIED.c.peer, APPLIED.c.command_id).in_(oldest.limit(limit))
        with self.session_factory() as s, s.begin():
            return s.execute(sa.delete(APPLIED).where(old)).rowcount


# ==================================================================================================
# apply
# ==================================================================================================


def peer_scope(peer: Peer) -> str | None:
    """The district a peer is confined to: the scope of ``district:<code>`` / ``console:<code>``."""
    return peer.role_scope


def refuse_if_too_old(clock: Clock, at: dt.datetime | None) -> None:
    """Refuse a command taken (``at``) longer ago than senders resend: its id may be pruned here, so
    applying it could apply it twice."""
    if at is not None and at < clock.now() - TOO_OLD:
        raise CommandRefused(
            f"this command was taken at {at:%Y-%m-%d %H:%M}, more than {RESEND_LIMIT_S / DAY_S:g} days ago: "
            "too old to apply (this node may no longer know whether it applied it already)"
        )


def command_clock(clock: Clock, at: dt.datetime | None) -> Clock:
    """The clock a command runs under: the moment it runs (``one_instant``), or the time it was taken
    (a queued command from an offline district), kept within ``MAX_BACKDATE`` of now and never in the
    future."""
    if at is None:
        return one_instant(clock)
    now = clock.now()
    return FixedClock(min(now, max(at, now - MAX_BACKDATE)))


@dataclass
class NodeRole:
    """Which node applies: the centre, or the district centre of ``district``."""

    node: str
    district: str | None = None
    clock: Clock | None = None
    services: dict[str, Any] = field(default_factory=dict)


Forwarder = Callable[[CallContext, CommandSpec, dict[str, Any], dt.datetime, Any], Any]


def make_apply(bus: CommandBus, role: NodeRole, forwarder: Forwarder | None = None):
    """The ``apply(command, tx)`` of a CommandServer serving ``bus``.

    At a district, a ``forward`` command runs here provisionally and ``forwarder`` queues it for the
    centre (in the same transaction) and builds the reply the caller gets.
    """
    assert role.clock is not None

    def apply(command: Command, tx: BusTransaction) -> bytes:
        name, args, at = decode_call(command.body)
        spec = bus.spec(name)
        if spec is None:
            raise CommandRefused(f"unknown command {name!r}")
        tx.record = spec.record and not spec.query
        tx.writes = not spec.query
        if tx.writes:
            tx.session.info[journal.ORIGIN] = f"{command.peer.name}/{command.id}"
        scope = peer_scope(command.peer)
        if role.node == "district":
            # Whoever calls a district node acts for that district, whatever its key says.
            if scope is not None and scope != role.district:
                raise CommandRefused(f"{command.peer.name} acts for district {scope}, not {role.district}")
            scope = role.district
        refuse_if_too_old(role.clock, at)
        clock = command_clock(role.clock, at)
        ctx = CallContext(tx, command.peer, scope, clock, role.node, role.district, services=role.services)
        forwarding = role.node == "district" and spec.forward and forwarder is not None
        if forwarding:
            ctx.forward_id = new_forward_id()
        try:
            ctx.person = sender(ctx, name, args, session_of(command.body))
            result = spec.handler(ctx, dict(args))
            if forwarding:
                assert forwarder is not None
                result = forwarder(ctx, spec, args, clock.now(), result)
        except bus.refusals as exc:
            raise CommandRefused(str(exc) or type(exc).__name__) from None
        return encode_result(result)

    return apply


# Peers that speak for themselves or vouch for their people: a district node (its own acknowledgements,
# and the commands it forwards for the person who signed in there) and the centre's own key.
VOUCHING_PEERS = frozenset({"district", "centre"})


def sender(ctx: CallContext, name: str, args: dict[str, Any], session: dict[str, str] | None) -> Actor | None:
    """The person a command comes from, as this node knows them (docs/protocol.md section 7.5):

    - a command carrying a ``session`` comes from the person whose kept log-in it is (the node checks the
      token against its own table: signed in at this node);
    - a district node forwards the ``login`` of the person who signed in there; the centre takes that
      person's staff row, who must belong to the district (or to no district);
    - anyone else must sign in (``auth.session_start``): a role or login written into the arguments is
      refused, not believed.

    None for the sign-in commands themselves, queries, and a vouching peer acting for itself."""
    if auth.proves_itself(name, args):
        return None  # their 'login' is an argument: the person signing in, or a decider with a password
    if app_keys.is_app_session(session):
        assert session is not None
        return _app_sender(ctx, name, args, session["token"])
    kind = ctx.peer.role_kind
    login = args.pop("login", None)
    try:
        if session is not None:
            if login is not None and login != session["login"]:
                raise CommandRefused(f"the command names {login!r} but its session is {session['login']!r}")
            person = auth.session_actor(ctx.session, ctx.clock, session["login"], session["token"])
        elif login is not None and kind in VOUCHING_PEERS:
            person = auth.staff_actor(ctx.session, str(login))
        elif login is not None:
            raise CommandRefused(
                f"{ctx.peer.name} names {login!r} without proving it: sign in first (auth.session_start) "
                "and send the session with each command"
            )
        elif kind in VOUCHING_PEERS or is_query(name):
            return None
        else:
            raise CommandRefused(
                f"{name} needs a person: {ctx.peer.name} has not signed in (auth.session_start)"
            )
    except auth.AuthRefused as exc:
        raise CommandRefused(str(exc)) from None
    if ctx.scope is not None and person.district not in (None, ctx.scope):
        raise CommandRefused(
            f"{person.login} belongs to district {person.district}; {ctx.peer.name} acts for district {ctx.scope}"
        )
    return person


def _app_sender(ctx: CallContext, name: str, args: dict[str, Any], key: str) -> Actor:
    """An Open311 application's command (its session's token is its API key): the node checks the key
    here and lets the app send only what apps may (``app_keys.APP_COMMANDS``)."""
    if name not in app_keys.APP_COMMANDS:
        raise CommandRefused(
            f"an Open311 application may send {', '.join(sorted(app_keys.APP_COMMANDS))} only, not {name}"
        )
    if args.pop("login", None) is not None:
        raise CommandRefused("an Open311 application's command names no login: its key says who it is")
    try:
        return app_keys.app_actor(ctx.session, key)
    except app_keys.KeyRefused as exc:
        raise CommandRefused(str(exc)) from None


def new_forward_id() -> str:
    import uuid

    return "f" + uuid.uuid4().hex


# ==================================================================================================
# What the modes share
# ==================================================================================================


def _stats(ctx: CallContext, args: dict[str, Any]) -> dict[str, int]:
    return stats(ctx.session)


def _mode(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return mode_status(ctx.session).as_dict()


def mode_switch_doc(result: ModeSwitch) -> dict[str, Any]:
    return {
        "previous": result.previous.value,
        "mode": result.mode.value,
        "switched": result.switched,
        "journal_seq": result.journal_seq,
        "at": result.at,
        "actor": result.actor,
        "reason": result.reason,
        "pending": result.pending,
        "order": result.order.as_dict() if result.order is not None else None,
    }


def _switch_mode(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    if ctx.scope is not None and ctx.at_centre:
        # One-level supervision: the city's mode is the municipal centre's decision.
        raise CommandRefused(f"{ctx.peer.name} may not switch the city's mode: the municipal centre does")
    ctx.decided_at_centre("the city's mode is switched at the municipal centre, not at a district")
    actor = orders.acting_person(ctx, args)
    return mode_switch_doc(
        switch_mode(ctx.session, ctx.clock, actor, args.get("mode", ""), args.get("reason") or "")
    )


def register_common(bus: CommandBus) -> None:
    bus.register("query.stats", _stats)
    bus.register("query.mode", _mode)
    bus.register("mode.switch", _switch_mode)
    auth.register(bus)
    app_keys.register(bus)
    orders.register(bus)


# ==================================================================================================
# In this process, on a database the caller opened
# ==================================================================================================

# Whoever holds the database file: the local command line and the console on a database.
LOCAL_PEER = Peer("local", auth.LOCAL_PEER_ROLE)


def call_local(
    bus: CommandBus,
    session_factory,
    clock: Clock,
    name: str,
    args: dict[str, Any],
    *,
    person: Actor | None = None,
    services: dict[str, Any] | None = None,
) -> Any:
    """Apply the command ``name`` here, as a node would: the same handler, in one transaction with its
    journal events, called by ``LOCAL_PEER`` (unconfined) as ``person`` (the one the caller
    authenticated; None only for the commands that authenticate or administer, ``auth.*`` and
    ``staff.*``). A refusal raises the handler's error; the result is the handler's own (not encoded)."""
    spec = bus.spec(name)
    if spec is None:
        raise InputError(f"unknown command {name!r}")
    with DbDedupStore(session_factory).transaction() as tx:
        tx.record = spec.record and not spec.query
        tx.writes = not spec.query
        ctx = CallContext(
            tx,
            LOCAL_PEER,
            None,
            command_clock(clock, None),
            "centre",
            services=services if services is not None else {},
        )
        ctx.person = person
        return spec.handler(ctx, dict(args))
