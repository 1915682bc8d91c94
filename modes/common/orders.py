"""Grave acts and the two-person rule.

A *grave act* changes what the whole city does: switching it into or out of wartime (civil-defence
mode) or emergency, sounding or clearing an air-raid alarm. Each act is registered here once
(``register_act``) by the module that owns it (``modes.common.mode_switch``, ``modes.civil_defence.alarms``)
with four functions: who may do it with these arguments (``check``, used for the one who asks *and* for
the one who confirms), whether the two-person rule covers it, what it does, and a line saying what it is.

``give`` is the one way to do a grave act. With the city's two-person rule off (the default) the act
takes effect at once. With it on, an act the rule covers becomes a ``PendingOrder``: journaled as
``order.requested``, it takes effect only when a second person who may do the act themselves confirms it
(``confirm``, with their own identity) within ``CONFIRM_WITHIN``. The one who asked cannot confirm; a
role that may not do the act cannot either; an order found past its time is marked expired and journaled
(``order.expired``) instead of done. A second person may also refuse it, or the one who asked withdraw it
(``refuse``: ``order.refused``).

The rule is a city setting (``city_meta`` key ``two_person_rule``), changed only by the city commander
with ``set_two_person_rule``, journaled as ``settings.changed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data import journal
from data.city import get_meta, set_meta
from data.errors import InputError, NotFound
from data.models import OrderState, PendingOrder, Role
from modes.common import auth
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock

if TYPE_CHECKING:
    from modes.common.command_bus import CallContext, CommandBus

CONFIRM_WITHIN = dt.timedelta(seconds=60)
TWO_PERSON_KEY = "two_person_rule"
SETTINGS_EVENT = "settings.changed"


class AuthorityRefused(InputError):
    """The person may not do (or confirm) this grave act, or the order is not theirs to decide."""


class OrderRefused(AuthorityRefused):
    """A second person's decision on an order refused, with a ``reason`` a console can say in its own
    words: ``same_person`` (the one who asked cannot confirm), ``not_authorised`` (their role or district
    may not do the act), ``decided`` (already confirmed, refused or expired)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Done:
    """What an act did: its own result for the caller, and the journal event that records it."""

    result: Any
    journal_seq: int | None
    changes: Changes


@dataclass(frozen=True)
class GraveAct:
    name: str  # the command that asks for it: mode.switch, alarm.issue
    check: Callable[[Session, Actor, dict], None]  # raises AuthorityRefused when the actor may not
    two_person: Callable[[Session, dict], bool]  # whether the rule covers the act with these arguments
    apply: Callable[[Session, Clock, Actor, dict, str, dict], Done]  # (…, reason, journal extras)
    describe: Callable[[dict], str]  # "switch the city to civil-defence mode", for messages


_ACTS: dict[str, GraveAct] = {}


def register_act(act: GraveAct) -> None:
    _ACTS[act.name] = act


def grave_act(name: str) -> GraveAct:
    act = _ACTS.get(name)
    if act is None:
        raise InputError(f"{name!r} is not a grave act this node knows (known: {', '.join(sorted(_ACTS))})")
    return act


# --- the setting ---------------------------------------------------------------------------------------


def two_person_rule(session: Session) -> bool:
    return get_meta(session, TWO_PERSON_KEY, "off") == "on"


def require_city_commander(actor: Actor, what: str) -> None:
    if actor.role is not Role.COMMANDER or actor.district is not None:
        raise AuthorityRefused(
            f"{actor.name} ({actor.role.value}) may not {what}: only the city commander may"
        )


def set_two_person_rule(session: Session, clock: Clock, actor: Actor, on: bool) -> Changes:
    """Turn the two-person rule on or off; only the city commander may. No change writes nothing."""
    require_city_commander(actor, "change the two-person rule")
    before = two_person_rule(session)
    if before == bool(on):
        return Changes()
    set_meta(session, TWO_PERSON_KEY, "on" if on else "off")
    seq = journal.append(
        session,
        journal.NewEvent(
            SETTINGS_EVENT,
            actor.name,
            clock.now(),
            f"setting:{TWO_PERSON_KEY}",
            {"setting": TWO_PERSON_KEY, "from": before, "to": bool(on), "role": actor.role.value},
        ),
    )
    session.flush()
    return Changes(journal_seq=seq)


# --- orders --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderView:
    id: int
    act: str
    args: dict
    reason: str
    what: str
    requested_by: str
    requested_role: str
    requested_at: dt.datetime
    expires_at: dt.datetime
    state: OrderState
    decided_by: str | None
    decided_at: dt.datetime | None
    result_seq: int | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "act": self.act,
            "args": self.args,
            "reason": self.reason,
            "what": self.what,
            "requested_by": self.requested_by,
            "requested_role": self.requested_role,
            "requested_at": self.requested_at.isoformat(sep=" "),
            "expires_at": self.expires_at.isoformat(sep=" "),
            "state": self.state.value,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(sep=" ") if self.decided_at else None,
            "result_seq": self.result_seq,
        }


@dataclass(frozen=True)
class OrderOutcome:
    """``done`` when the act took effect (at once, or on this confirmation); ``order`` when the two-person
    rule made it an order (pending, or now decided)."""

    done: Done | None
    order: OrderView | None

    @property
    def changes(self) -> Changes:
        return self.done.changes if self.done is not None else Changes()


def view(row: PendingOrder, now: dt.datetime | None = None) -> OrderView:
    """The order as a reader sees it: still ``pending`` in the table but past its time reads as expired."""
    state = OrderState(row.state)
    if state is OrderState.PENDING and now is not None and now >= row.expires_at:
        state = OrderState.EXPIRED
    act = _ACTS.get(row.act)
    return OrderView(
        row.id,
        row.act,
        dict(row.args or {}),
        row.reason,
        act.describe(row.args or {}) if act else row.act,
        row.requested_by,
        row.requested_role,
        row.requested_at,
        row.expires_at,
        state,
        row.decided_by,
        row.decided_at,
        row.result_seq,
    )


def _event(session: Session, kind: str, actor: Actor, at: dt.datetime, row: PendingOrder, **payload) -> int:
    return journal.append(
        session,
        journal.NewEvent(
            kind, actor.name, at, f"order/{row.id}", {"order_id": row.id, "act": row.act, **payload}
        ),
    )


def _expire_overdue(session: Session, clock: Clock, actor: Actor) -> None:
    """Orders nobody confirmed in time become expired, each journaled (by whoever's command found it)."""
    now = clock.now()
    rows = session.scalars(
        select(PendingOrder).where(
            PendingOrder.state == OrderState.PENDING.value, PendingOrder.expires_at <= now
        )
    ).all()
    for row in rows:
        row.state = OrderState.EXPIRED.value
        row.decided_at = now
        _event(session, "order.expired", actor, now, row, expired_at=row.expires_at.isoformat(sep=" "))
    session.flush()


def give(
    session: Session, clock: Clock, actor: Actor, act_name: str, args: dict, reason: str
) -> OrderOutcome:
    """Do a grave act as ``actor``, or, under the two-person rule, make it an order for a second person."""
    act = grave_act(act_name)
    act.check(session, actor, args)
    if not (two_person_rule(session) and act.two_person(session, args)):
        return OrderOutcome(act.apply(session, clock, actor, args, reason, {}), None)
    _expire_overdue(session, clock, actor)
    waiting = session.scalar(
        select(PendingOrder).where(
            PendingOrder.act == act.name, PendingOrder.state == OrderState.PENDING.value
        )
    )
    if waiting is not None:
        raise AuthorityRefused(
            f"order {waiting.id} ({act.describe(waiting.args or {})}, asked by {waiting.requested_by}) is "
            f"waiting for a second person until {waiting.expires_at:%H:%M:%S}: confirm or refuse it first"
        )
    now = clock.now()
    row = PendingOrder(
        act=act.name,
        args=dict(args),
        reason=reason,
        requested_by=actor.name,
        requested_role=actor.role.value,
        requested_at=now,
        expires_at=now + CONFIRM_WITHIN,
        state=OrderState.PENDING.value,
    )
    session.add(row)
    session.flush()
    _event(
        session,
        "order.requested",
        actor,
        now,
        row,
        args=dict(args),
        reason=reason,
        role=actor.role.value,
        expires_at=row.expires_at.isoformat(sep=" "),
    )
    session.flush()
    return OrderOutcome(None, view(row, now))


def _pending(session: Session, order_id: int) -> PendingOrder:
    row = session.get(PendingOrder, order_id)
    if row is None:
        raise NotFound(f"no order {order_id}")
    return row


def _still_open(row: PendingOrder) -> None:
    if row.state != OrderState.PENDING.value:
        by = f" by {row.decided_by}" if row.decided_by else ""
        raise OrderRefused(f"order {row.id} is already {row.state}{by}: nothing left to decide", "decided")


def confirm(session: Session, clock: Clock, order_id: int, confirmer: Actor) -> OrderOutcome:
    """The second person's confirmation: the act takes effect, recorded as the asker's with the confirmer
    beside it. An order past its time is marked expired instead (``done`` is None): the caller tells the
    person and ends with an error, after committing the expiry."""
    row = _pending(session, order_id)
    _still_open(row)
    now = clock.now()
    if now >= row.expires_at:
        _expire_overdue(session, clock, confirmer)
        return OrderOutcome(None, view(row, now))
    if confirmer.name == row.requested_by:
        raise OrderRefused(
            f"{confirmer.name} gave order {row.id}: a second person must confirm it, not the one who asked",
            "same_person",
        )
    act = grave_act(row.act)
    try:
        act.check(session, confirmer, row.args or {})
    except AuthorityRefused as exc:
        raise OrderRefused(
            f"{confirmer.name} cannot confirm order {row.id}: {exc}", "not_authorised"
        ) from None
    asker = Actor.of(row.requested_role, row.requested_by)
    _event(
        session,
        "order.confirmed",
        confirmer,
        now,
        row,
        requested_by=row.requested_by,
        role=confirmer.role.value,
    )
    done = act.apply(
        session,
        clock,
        asker,
        row.args or {},
        row.reason,
        {"order_id": row.id, "confirmed_by": confirmer.name},
    )
    row.state = OrderState.CONFIRMED.value
    row.decided_by = confirmer.name
    row.decided_at = now
    row.result_seq = done.journal_seq
    session.flush()
    return OrderOutcome(done, view(row, now))


def refuse(session: Session, clock: Clock, order_id: int, actor: Actor, note: str = "") -> OrderView:
    """A second person declines the order, or the one who asked withdraws it."""
    row = _pending(session, order_id)
    _still_open(row)
    now = clock.now()
    if now >= row.expires_at:
        _expire_overdue(session, clock, actor)
        return view(row, now)
    if actor.name != row.requested_by:
        try:
            grave_act(row.act).check(session, actor, row.args or {})
        except AuthorityRefused as exc:
            raise OrderRefused(
                f"{actor.name} cannot refuse order {row.id}: {exc}", "not_authorised"
            ) from None
    row.state = OrderState.REFUSED.value
    row.decided_by = actor.name
    row.decided_at = now
    _event(session, "order.refused", actor, now, row, requested_by=row.requested_by, note=note)
    session.flush()
    return view(row, now)


def open_orders(session: Session, now: dt.datetime) -> list[OrderView]:
    """Orders still waiting for a second person (a read: the overdue ones are left to the next write)."""
    rows = session.scalars(
        select(PendingOrder)
        .where(PendingOrder.state == OrderState.PENDING.value, PendingOrder.expires_at > now)
        .order_by(PendingOrder.id)
    ).all()
    return [view(r, now) for r in rows]


def order_view(session: Session, order_id: int, now: dt.datetime) -> OrderView:
    return view(_pending(session, order_id), now)


def required_reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputError(f"{what} needs a reason (--reason TEXT): the journal records why")
    if len(text) > 500:
        raise InputError("a reason is at most 500 characters")
    return text


# --- commands on the bus -------------------------------------------------------------------------------


def acting_person(ctx: CallContext, args: dict[str, Any]) -> Actor:
    """The person giving a grave act: the staff login the door authenticated, with the role and
    district of its staff row. A role or name the command claims (``as``, ``actor``) is not enough."""
    person = ctx.actor(args)
    if not person.login:
        raise AuthorityRefused(
            "a grave act is given by a person who logged in: the command carries no login "
            "(a role named in it is not enough)"
        )
    return person


def _refusal(message: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "message": message, **extra}


def _with_password(ctx: CallContext, args: dict[str, Any]) -> Actor:
    """The person deciding an order who proves it here with their own login and password (a console's
    operator may hand the keyboard to the second person, whatever its channel proved). ``AuthRefused``
    when the password is wrong (counted), the login unknown or locked."""
    login = str(args.get("login") or "").strip()
    return auth.authenticate(ctx.session, login, str(args.get("password") or ""), ctx.clock)


def _expired(order: OrderView) -> dict[str, Any]:
    return _refusal(
        f"order {order.id} expired at {order.expires_at:%H:%M:%S} before anyone confirmed it: "
        "nothing was done; ask again",
        reason="expired",
        order=order.as_dict(),
    )


def _order_confirm(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """The second person confirms with their own password, checked here whatever the channel proved.
    Every refusal is a reply (``ok`` false, with ``reason`` and ``message``), not an exception, so a wrong
    password's count and an expiry commit: the sign-in reasons (``unknown``, ``no_password``,
    ``wrong_password``, ``locked``) and the order's (``same_person``, ``not_authorised``, ``decided``,
    ``expired``)."""
    ctx.decided_at_centre("orders wait at the municipal centre and are confirmed there, not at a district")
    order_id = _order_id(args)
    try:
        confirmer = _with_password(ctx, args)
    except auth.AuthRefused as exc:
        return exc.as_dict()
    try:
        outcome = confirm(ctx.session, ctx.clock, order_id, confirmer)
    except OrderRefused as exc:
        return _refusal(str(exc), reason=exc.reason, login=confirmer.login)
    assert outcome.order is not None
    if outcome.done is None:
        return _expired(outcome.order)
    return {
        "ok": True,
        "login": confirmer.login,
        "order": outcome.order.as_dict(),
        "journal_seq": outcome.done.journal_seq,
    }


def _order_refuse(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """A second person refuses, or the one who asked withdraws: the sender's person, or, when the command
    carries a ``password``, the ``login`` it names once the password is checked here (as for
    ``order.confirm``). Refusals are replies, as there."""
    ctx.decided_at_centre("orders wait at the municipal centre and are refused there, not at a district")
    order_id = _order_id(args)
    if "password" in args:
        try:
            actor = _with_password(ctx, args)
        except auth.AuthRefused as exc:
            return exc.as_dict()
    else:
        actor = acting_person(ctx, args)
    try:
        order = refuse(ctx.session, ctx.clock, order_id, actor, str(args.get("note") or ""))
    except OrderRefused as exc:
        return _refusal(str(exc), reason=exc.reason, login=actor.login)
    if order.state is not OrderState.REFUSED:
        return _expired(order)
    return {"ok": True, "login": actor.login, "order": order.as_dict()}


def _order_id(args: dict[str, Any]) -> int:
    try:
        return int(args["id"])
    except (KeyError, TypeError, ValueError):
        raise InputError("this command needs the order's number 'id'") from None


def _orders(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    now = ctx.clock.now()
    if args.get("id") is not None:
        return {"orders": [order_view(ctx.session, _order_id(args), now).as_dict()]}
    return {"orders": [o.as_dict() for o in open_orders(ctx.session, now)]}


def _two_person(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    ctx.decided_at_centre("the two-person rule is set at the municipal centre")
    if ctx.scope is not None:
        raise AuthorityRefused("the two-person rule is set at the municipal centre")
    if not isinstance(args.get("on"), bool):
        raise InputError("settings.two_person needs 'on': true or false")
    changes = set_two_person_rule(ctx.session, ctx.clock, acting_person(ctx, args), args["on"])
    return {"two_person_rule": two_person_rule(ctx.session), "journal_seq": changes.journal_seq or None}


def _settings(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    return {"two_person_rule": two_person_rule(ctx.session), "confirm_within_s": CONFIRM_WITHIN.seconds}


def register(bus: CommandBus) -> None:
    bus.register("order.confirm", _order_confirm)
    bus.register("order.refuse", _order_refuse)
    bus.register("query.orders", _orders)
    bus.register("settings.two_person", _two_person)
    bus.register("query.settings", _settings)
