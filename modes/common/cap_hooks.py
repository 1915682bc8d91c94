"""The city's outbound CAP hooks and their delivery log: the rules and the bus commands.

A hook receives every CAP alert the city issues after it was added (``modes.common.cap``): an HTTP
endpoint POSTed the alert (``application/cap+xml``) or a command run with the alert on its stdin. Adding
or removing one decides where the city's public warnings go, so it belongs to the civil-defence office
or the city commander (city-wide, not a district's officer), at the municipal centre, journaled.

The deliverer (``nodes.cap_hooks``) records each attempt through the bus as the system itself: it
claims an attempt (``cap.attempt_start``: a second deliverer of the same database cannot make the same
attempt) and completes it (``cap.attempt_end``). Nobody else may send those two: only a caller on this
database with no person (the node's or the command line's own deliverer).

docs/cap.md says it for users: the commands, the retries, what the log shows.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from comms.records import CommandRefused
from data import journal
from data.cap_models import AttemptOutcome, CapDelivery, CapHook, HookKind
from data.errors import InputError, NotFound
from data.models import Role
from modes.common import auth, cap
from modes.common.actor import Actor
from modes.common.clock import Clock
from modes.common.command_bus import CallContext, CommandBus
from modes.common.orders import AuthorityRefused, acting_person

HOOK_ROLES = frozenset({Role.CIVIL_DEFENCE, Role.COMMANDER})
DEFAULT_ATTEMPTS = 5
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_BACKOFF_S = 1.0  # 1 s, 2 s, 4 s, 8 s between five attempts
MAX_ATTEMPTS = 10
SYSTEM_ACTOR = "cap-deliverer"


@dataclass(frozen=True)
class HookView:
    id: int
    kind: str
    target: str  # the URL, or the command as one would type it
    argv: tuple[str, ...]
    attempts: int
    timeout_s: float
    backoff_s: float
    note: str
    from_seq: int
    added_at: dt.datetime
    added_by: str
    removed_at: dt.datetime | None = None
    removed_by: str | None = None

    @classmethod
    def of(cls, row: CapHook) -> HookView:
        argv = tuple(row.argv or ())
        target = row.url if row.kind == HookKind.HTTP.value else shlex.join(argv)
        return cls(
            row.id, row.kind, target or "", argv, row.attempts, row.timeout_s, row.backoff_s, row.note or "",
            row.from_seq, row.added_at, row.added_by, row.removed_at, row.removed_by,
        )  # fmt: skip

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait after attempt ``attempt - 1`` ended: backoff, doubled each time."""
        return self.backoff_s * 2 ** (attempt - 2) if attempt >= 2 else 0.0

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "url": self.target if self.kind == HookKind.HTTP.value else None,
            "argv": list(self.argv) if self.kind == HookKind.COMMAND.value else None,
            "attempts": self.attempts,
            "timeout_s": self.timeout_s,
            "backoff_s": self.backoff_s,
            "note": self.note,
            "from_seq": self.from_seq,
            "added_at": _iso(self.added_at),
            "added_by": self.added_by,
            "removed_at": _iso(self.removed_at),
            "removed_by": self.removed_by,
        }


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="microseconds") if t is not None else None


# --- the hooks ----------------------------------------------------------------------------------------


def require_hook_authority(actor: Actor, what: str) -> None:
    if actor.role not in HOOK_ROLES or actor.district is not None:
        raise AuthorityRefused(
            f"{actor.name} ({actor.role.value}{', district ' + actor.district if actor.district else ''}) "
            f"may not {what}: the city's civil-defence office or the city commander may"
        )


def _number(args: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = args.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}, not {number:g}")
    return number


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"a hook's URL is http:// or https:// with a host, not {url!r}")
    return url


def check_argv(command: Any) -> list[str]:
    """An argument list, or a command line split as a POSIX shell would (but never run by one)."""
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise InputError(f"the hook's command cannot be split into arguments: {exc}") from None
    elif isinstance(command, list | tuple) and all(isinstance(a, str) for a in command):
        argv = list(command)
    else:
        raise InputError("a hook's command is a command line or a list of arguments")
    if not argv or not argv[0].strip():
        raise InputError("a hook's command is empty")
    return argv


def add_hook(session: Session, clock: Clock, actor: Actor, args: dict[str, Any]) -> HookView:
    require_hook_authority(actor, "add a CAP hook")
    url, command = args.get("url"), args.get("command")
    if (url is None) == (command is None):
        raise InputError("a hook is either an HTTP endpoint (url) or a command, one of the two")
    now = clock.now()
    seq = journal.last_seq(session)
    row = CapHook(
        kind=(HookKind.HTTP if url is not None else HookKind.COMMAND).value,
        url=check_url(url) if url is not None else None,
        argv=check_argv(command) if command is not None else None,
        attempts=int(_number(args, "attempts", DEFAULT_ATTEMPTS, 1, MAX_ATTEMPTS)),
        timeout_s=_number(args, "timeout_s", DEFAULT_TIMEOUT_S, 0.1, 300),
        backoff_s=_number(args, "backoff_s", DEFAULT_BACKOFF_S, 0, 3600),
        note=str(args.get("note") or ""),
        from_seq=seq,  # alerts of later events only: a new hook is not sent the past
        added_at=now,
        added_by=actor.name,
    )
    session.add(row)
    session.flush()
    view = HookView.of(row)
    journal.append(
        session, journal.NewEvent("cap.hook_added", actor.name, now, f"cap_hook/{row.id}", view.as_dict())
    )
    return view


def remove_hook(session: Session, clock: Clock, actor: Actor, hook_id: int) -> HookView:
    require_hook_authority(actor, "remove a CAP hook")
    row = session.get(CapHook, hook_id)
    if row is None:
        raise NotFound(f"no CAP hook {hook_id}")
    if row.removed_at is not None:
        raise InputError(f"CAP hook {hook_id} was removed already, at {row.removed_at:%Y-%m-%d %H:%M}")
    now = clock.now()
    row.removed_at, row.removed_by = now, actor.name
    session.flush()
    journal.append(
        session,
        journal.NewEvent("cap.hook_removed", actor.name, now, f"cap_hook/{row.id}", {"hook_id": row.id}),
    )
    return HookView.of(row)


def list_hooks(session: Session, *, removed: bool = False) -> list[HookView]:
    stmt = select(CapHook).order_by(CapHook.id)
    if not removed:
        stmt = stmt.where(CapHook.removed_at.is_(None))
    return [HookView.of(r) for r in session.scalars(stmt)]


# --- the delivery log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    id: int
    hook_id: int
    identifier: str
    attempt: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    detail: str
    final: bool

    @classmethod
    def of(cls, r: CapDelivery) -> Attempt:
        return cls(
            r.id, r.hook_id, r.identifier, r.attempt, r.started_at, r.finished_at, r.outcome, r.detail or "",
            bool(r.final),
        )  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict, hook_id: int, identifier: str) -> Attempt:
        return cls(
            0, hook_id, identifier, int(d["attempt"]), dt.datetime.fromisoformat(d["started_at"]),
            dt.datetime.fromisoformat(d["finished_at"]) if d.get("finished_at") else None, d["outcome"],
            d.get("detail") or "", bool(d.get("final")),
        )  # fmt: skip

    def as_dict(self) -> dict:
        return {
            "attempt": self.attempt,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "outcome": self.outcome,
            "detail": self.detail,
            "final": self.final,
        }


# The state of one alert at one hook, as the board says it.
PENDING, SENDING, RETRYING, DELIVERED, GAVE_UP = "pending", "sending", "retrying", "delivered", "gave_up"


@dataclass(frozen=True)
class HookDelivery:
    """One alert's way to one hook: its attempts so far and where it stands."""

    hook_id: int
    kind: str
    target: str
    identifier: str
    attempts: tuple[Attempt, ...]
    max_attempts: int

    @property
    def state(self) -> str:
        if any(a.outcome == AttemptOutcome.DELIVERED.value for a in self.attempts):
            return DELIVERED
        if not self.attempts:
            return PENDING
        last = self.attempts[-1]
        if last.final or (last.outcome != AttemptOutcome.SENDING.value and last.attempt >= self.max_attempts):
            return GAVE_UP
        return SENDING if last.outcome == AttemptOutcome.SENDING.value else RETRYING

    @classmethod
    def from_dict(cls, d: dict) -> HookDelivery:
        """Back from ``as_dict`` (a node's answer)."""
        attempts = tuple(
            Attempt.from_dict(a, int(d["hook_id"]), d["identifier"]) for a in d.get("attempts", ())
        )
        return cls(
            int(d["hook_id"]), d["kind"], d["target"], d["identifier"], attempts, int(d["max_attempts"])
        )

    def as_dict(self) -> dict:
        return {
            "hook_id": self.hook_id,
            "kind": self.kind,
            "target": self.target,
            "identifier": self.identifier,
            "state": self.state,
            "max_attempts": self.max_attempts,
            "attempts": [a.as_dict() for a in self.attempts],
        }


def attempts_of(session: Session, identifiers: list[str]) -> dict[tuple[int, str], list[Attempt]]:
    """The recorded attempts of these alerts, by (hook, identifier), in attempt order."""
    out: dict[tuple[int, str], list[Attempt]] = {}
    if not identifiers:
        return out
    rows = session.scalars(
        select(CapDelivery)
        .where(CapDelivery.identifier.in_(identifiers))
        .order_by(CapDelivery.hook_id, CapDelivery.identifier, CapDelivery.attempt)
    )
    for r in rows:
        out.setdefault((r.hook_id, r.identifier), []).append(Attempt.of(r))
    return out


def delivery_log(session: Session, subject: str) -> tuple[HookDelivery, ...]:
    """Every alert of ``subject`` (``alarm/12``, ``incident/3``) at every hook that is to receive it:
    the hooks that were there when it was made (a removed hook keeps what it had)."""
    events = cap.subject_events(session, subject)
    if not events:
        return ()
    hooks = {h.id: h for h in list_hooks(session, removed=True)}
    keyed = [(ev, cap.identifier_of(session, ev)) for ev in events]
    recorded = attempts_of(session, [i for _, i in keyed if i])
    out = []
    for ev, identifier in keyed:
        if identifier is None:
            continue
        for h in hooks.values():
            attempts = recorded.get((h.id, identifier), [])
            due = h.from_seq < ev.seq and (h.removed_at is None or h.removed_at >= ev.at)
            if attempts or due:
                out.append(HookDelivery(h.id, h.kind, h.target, identifier, tuple(attempts), h.attempts))
    return tuple(out)


def start_attempt(session: Session, args: dict[str, Any]) -> dict[str, Any]:
    """Claim attempt ``attempt`` of delivering an alert to a hook: ``{"id": ...}``, or ``{"taken":
    true}`` when another deliverer holds it (or it was made)."""
    hook_id, identifier, attempt = int(args["hook_id"]), str(args["identifier"]), int(args["attempt"])
    hook = session.get(CapHook, hook_id)
    if hook is None:
        raise NotFound(f"no CAP hook {hook_id}")
    taken = session.scalar(
        select(CapDelivery.id).where(
            CapDelivery.hook_id == hook_id,
            CapDelivery.identifier == identifier,
            CapDelivery.attempt >= attempt,
        )
    )
    if taken is not None:
        return {"taken": True}
    at = dt.datetime.fromisoformat(str(args["at"]))
    row = CapDelivery(
        hook_id=hook_id,
        identifier=identifier,
        subject=str(args["subject"]),
        journal_seq=int(args["journal_seq"]),
        attempt=attempt,
        started_at=at,
        outcome=AttemptOutcome.SENDING.value,
        detail="",
        final=False,
        exercise=bool(args.get("exercise")),
    )
    session.add(row)
    session.flush()
    journal.append(
        session,
        journal.NewEvent(
            "cap.sending",
            SYSTEM_ACTOR,
            at,
            f"cap/{row.subject}",
            {"hook_id": hook_id, "identifier": identifier, "attempt": attempt, "delivery": row.id},
        ),
    )
    return {"id": row.id}


def finish_attempt(session: Session, args: dict[str, Any]) -> dict[str, Any]:
    """Complete an attempt with its outcome (once: a finished attempt is left as it is)."""
    row = session.get(CapDelivery, int(args["id"]))
    if row is None:
        raise NotFound(f"no CAP delivery attempt {args['id']}")
    outcome = AttemptOutcome(str(args["outcome"]))
    if outcome is AttemptOutcome.SENDING:
        raise InputError("an attempt ends delivered, failed, timeout or abandoned")
    if row.outcome != AttemptOutcome.SENDING.value:
        return {"id": row.id, "outcome": row.outcome, "changed": False}
    at = dt.datetime.fromisoformat(str(args["at"]))
    row.finished_at, row.outcome = at, outcome.value
    row.detail = str(args.get("detail") or "")[:2000]
    row.final = outcome is AttemptOutcome.DELIVERED or bool(args.get("final"))
    session.flush()
    journal.append(
        session,
        journal.NewEvent(
            "cap.delivery",
            SYSTEM_ACTOR,
            at,
            f"cap/{row.subject}",
            {
                "hook_id": row.hook_id,
                "identifier": row.identifier,
                "attempt": row.attempt,
                "outcome": row.outcome,
                "detail": row.detail,
                "final": row.final,
            },
        ),
    )
    return {"id": row.id, "outcome": row.outcome, "changed": True}


# --- commands -------------------------------------------------------------------------------------------


def _centre_person(ctx: CallContext, args: dict[str, Any], what: str) -> Actor:
    ctx.decided_at_centre(f"{what} is done at the municipal centre, not at a district node")
    return acting_person(ctx, args)


def _hook_add(ctx: CallContext, args: dict[str, Any]) -> dict:
    person = _centre_person(ctx, args, "adding a CAP hook")
    return add_hook(ctx.session, ctx.clock, person, args).as_dict()


def _hook_remove(ctx: CallContext, args: dict[str, Any]) -> dict:
    person = _centre_person(ctx, args, "removing a CAP hook")
    try:
        hook_id = int(args["id"])
    except (KeyError, TypeError, ValueError):
        raise InputError("this command needs the hook's number 'id'") from None
    return remove_hook(ctx.session, ctx.clock, person, hook_id).as_dict()


def _hooks(ctx: CallContext, args: dict[str, Any]) -> dict:
    return {"hooks": [h.as_dict() for h in list_hooks(ctx.session, removed=bool(args.get("removed")))]}


def _system_only(ctx: CallContext, name: str) -> None:
    if ctx.person is not None or ctx.peer.role != auth.LOCAL_PEER_ROLE:
        raise CommandRefused(f"{name} is recorded by the CAP deliverer of this database only")


def _attempt_start(ctx: CallContext, args: dict[str, Any]) -> dict:
    _system_only(ctx, "cap.attempt_start")
    return start_attempt(ctx.session, args)


def _attempt_end(ctx: CallContext, args: dict[str, Any]) -> dict:
    _system_only(ctx, "cap.attempt_end")
    return finish_attempt(ctx.session, args)


def subject_of(args: dict[str, Any]) -> str:
    subject = str(args.get("subject") or "")
    kind, _, number = subject.partition("/")
    if kind not in ("alarm", "incident") or not number.isdigit():
        raise InputError(f"a CAP subject is alarm/ID or incident/ID, not {subject!r}")
    return subject


def alert_doc(session: Session, subject: str, n: int | None = None) -> dict:
    """The alert of an alarm, or the ``n``-th (default the latest) of an incident, with its XML, how
    many the subject has, and its delivery to each hook (``hooks``)."""
    alerts = cap.alerts_of(session, subject)
    if not alerts:
        raise NotFound(f"{subject.replace('/', ' ')} has no CAP alert (no such {subject.partition('/')[0]})")
    if n is None:
        n = len(alerts)
    if not 1 <= n <= len(alerts):
        raise InputError(
            f"{subject.replace('/', ' ')} has {len(alerts)} CAP alert(s): ask for 1..{len(alerts)}"
        )
    alert = alerts[n - 1]
    hooks = [d.as_dict() for d in delivery_log(session, subject) if d.identifier == alert.identifier]
    return {**alert.as_dict(), "n": n, "count": len(alerts), "hooks": hooks}


def _alert(ctx: CallContext, args: dict[str, Any]) -> dict:
    n = args.get("n")
    return alert_doc(ctx.session, subject_of(args), int(n) if n is not None else None)


def _log(ctx: CallContext, args: dict[str, Any]) -> dict:
    return {"hooks": [d.as_dict() for d in delivery_log(ctx.session, subject_of(args))]}


def register(bus: CommandBus) -> None:
    bus.register("cap.hook_add", _hook_add)
    bus.register("cap.hook_remove", _hook_remove)
    bus.register("query.cap_hooks", _hooks)
    bus.register("query.cap", _alert)
    bus.register("query.cap_log", _log)
    bus.register("cap.attempt_start", _attempt_start)
    bus.register("cap.attempt_end", _attempt_end)
