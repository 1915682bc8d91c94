"""Switching the city between its three modes: everyday city management (城管), wartime civil air
defence (人防) and emergency rescue (应急).

The mode is city-wide state, and the journal is its only record: the current mode is the target of the
last ``mode.switched`` event (everyday when there is none), so every console and district centre that
follows the journal agrees on it, and the audit trail shows who switched, when and why.

Who may switch, both ways (``MODE_AUTHORITY``): entering *or leaving* emergency belongs to the city
commander; entering or leaving wartime to the city commander or the city's civil-defence officer. A
switch from one grave mode to the other needs authority over both. Officers of a district centre do not
switch the city. Every switch gives a reason, stored in the event. The switch is a grave act
(``modes.common.orders``): under the two-person rule, entering or leaving wartime waits for a second
authorised person.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data import journal
from data.errors import InputError
from data.models import JournalEvent, Role
from modes.common import orders
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock

EVENT_KIND = "mode.switched"
ACT = "mode.switch"


class Mode(enum.StrEnum):
    EVERYDAY = "everyday"
    CIVIL_DEFENCE = "civil-defence"
    EMERGENCY = "emergency"


# Who may enter or leave each grave mode (everyday is no one's: it is where leaving the others goes).
MODE_AUTHORITY: dict[Mode, frozenset[Role]] = {
    Mode.CIVIL_DEFENCE: frozenset({Role.COMMANDER, Role.CIVIL_DEFENCE}),
    Mode.EMERGENCY: frozenset({Role.COMMANDER}),
}

# Switching into or out of these changes what the whole city does: the console asks for confirmation.
NEEDS_CONFIRMATION = frozenset(MODE_AUTHORITY)
# The two-person rule covers the wartime switch, both ways.
TWO_PERSON_MODES = frozenset({Mode.CIVIL_DEFENCE})


class ModeSwitchRefused(orders.AuthorityRefused):
    """The person may not switch the city from its mode into the requested one."""


@dataclass(frozen=True)
class ModeSwitch:
    """The outcome of a switch request. ``journal_seq`` is None when nothing switched: the city was
    already in ``mode``, or (``order`` set) the switch waits for a second person's confirmation."""

    previous: Mode
    mode: Mode
    actor: str
    role: str
    at: dt.datetime
    journal_seq: int | None
    changes: Changes
    reason: str = ""
    order: orders.OrderView | None = None

    @property
    def switched(self) -> bool:
        return self.journal_seq is not None

    @property
    def pending(self) -> bool:
        return self.order is not None and self.journal_seq is None


@dataclass(frozen=True)
class ModeStatus:
    mode: Mode
    since: dt.datetime | None
    actor: str | None

    def as_dict(self) -> dict:
        return {
            "mode": self.mode.value,
            "since": self.since.isoformat(sep=" ") if self.since else None,
            "actor": self.actor,
        }


def parse_mode(value: str | Mode) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        choices = ", ".join(m.value for m in Mode)
        raise InputError(f"unknown mode {value!r} (expected one of {choices})") from None


def _grave(previous: Mode, target: Mode) -> list[Mode]:
    """The grave modes a switch enters or leaves: authority over each is needed."""
    return [m for m in dict.fromkeys((previous, target)) if m in MODE_AUTHORITY and previous != target]


def may_switch(role: str | Role, target: str | Mode, current: str | Mode = Mode.EVERYDAY) -> bool:
    """Whether ``role`` (of the city centre) may switch the city from ``current`` to ``target``."""
    previous, mode = parse_mode(current), parse_mode(target)
    parsed = Role.spelling(str(role))
    return all(parsed in MODE_AUTHORITY[m] for m in _grave(previous, mode))


def check_switch(actor: Actor, previous: Mode, target: Mode) -> None:
    """Raises ``ModeSwitchRefused`` naming who may, when ``actor`` may not switch ``previous`` -> ``target``."""
    for m in _grave(previous, target):
        allowed = MODE_AUTHORITY[m]
        if actor.role not in allowed:
            verb = "enter" if m == target else "leave"
            names = " or the ".join(f"city {r.value}" for r in sorted(allowed))
            raise ModeSwitchRefused(
                f"{actor.name} ({actor.role.value}) may not {verb} {m.value} mode: only the {names} may"
            )
    if actor.district is not None and _grave(previous, target):
        raise ModeSwitchRefused(
            f"{actor.name} acts for district {actor.district}: the city's mode is switched by the "
            "municipal centre's officers"
        )


def last_switch(session: Session) -> JournalEvent | None:
    """The latest ``mode.switched`` event, or None when the city never switched."""
    return session.scalars(
        select(JournalEvent).where(JournalEvent.kind == EVENT_KIND).order_by(JournalEvent.seq.desc()).limit(1)
    ).first()


def mode_status(session: Session) -> ModeStatus:
    """The city's mode, since when and who switched it (None, None: it never switched)."""
    e = last_switch(session)
    if e is None:
        return ModeStatus(Mode.EVERYDAY, None, None)
    try:
        mode = Mode((e.payload or {}).get("to", Mode.EVERYDAY.value))
    except ValueError:
        mode = Mode.EVERYDAY
    return ModeStatus(mode, e.at, e.actor)


def current_mode(session: Session) -> Mode:
    """The target of the last ``mode.switched`` event; everyday when the city never switched."""
    payload = session.scalar(
        select(JournalEvent.payload)
        .where(JournalEvent.kind == EVENT_KIND)
        .order_by(JournalEvent.seq.desc())
        .limit(1)
    )
    if not payload:
        return Mode.EVERYDAY
    try:
        return Mode(payload.get("to", Mode.EVERYDAY.value))
    except ValueError:
        return Mode.EVERYDAY


def switch_mode(session: Session, clock: Clock, actor: Actor, target: str | Mode, reason: str) -> ModeSwitch:
    """Switch the city to ``target`` as ``actor`` for ``reason``, and journal it.

    Raises ``ModeSwitchRefused`` when the actor may not leave the current mode or enter ``target``, and
    ``InputError`` without a reason. Asking for the mode the city is already in changes nothing. Under
    the two-person rule a wartime switch returns ``pending`` with the order a second person confirms
    (``orders.confirm``).
    """
    mode = parse_mode(target)
    previous = current_mode(session)
    at = clock.now()
    if previous == mode:
        return ModeSwitch(previous, mode, actor.name, actor.role.value, at, None, Changes())
    reason = orders.required_reason(reason, "a mode switch")
    outcome = orders.give(session, clock, actor, ACT, {"mode": mode.value}, reason)
    if outcome.done is not None:
        return outcome.done.result
    return ModeSwitch(
        previous, mode, actor.name, actor.role.value, at, None, Changes(), reason, outcome.order
    )


# --- the act, as modes.common.orders knows it ----------------------------------------------------------


def _check(session: Session, actor: Actor, args: dict) -> None:
    check_switch(actor, current_mode(session), parse_mode(args.get("mode", "")))


def _two_person(session: Session, args: dict) -> bool:
    return bool({current_mode(session), parse_mode(args.get("mode", ""))} & TWO_PERSON_MODES)


def _apply(session: Session, clock: Clock, actor: Actor, args: dict, reason: str, extra: dict) -> orders.Done:
    mode = parse_mode(args.get("mode", ""))
    previous = current_mode(session)
    at = clock.now()
    if previous == mode:  # switched meanwhile (a confirmation that came after another switch)
        switch = ModeSwitch(previous, mode, actor.name, actor.role.value, at, None, Changes(), reason)
        return orders.Done(switch, None, Changes())
    seq = journal.append(
        session,
        journal.NewEvent(
            kind=EVENT_KIND,
            actor=actor.name,
            at=at,
            subject=f"mode:{mode.value}",
            payload={
                "from": previous.value,
                "to": mode.value,
                "role": actor.role.value,
                "reason": reason,
                **extra,
            },
        ),
    )
    changes = Changes(mode=True, journal_seq=seq)
    switch = ModeSwitch(previous, mode, actor.name, actor.role.value, at, seq, changes, reason)
    return orders.Done(switch, seq, changes)


def _describe(args: dict) -> str:
    return f"switch the city to {args.get('mode')} mode"


orders.register_act(orders.GraveAct(ACT, _check, _two_person, _apply, _describe))
