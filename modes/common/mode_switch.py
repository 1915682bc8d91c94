"""Switching the city between its three modes: everyday city management (城管), wartime civil air
defence (人防) and emergency rescue (应急).

The mode is city-wide state, and the journal is its only record: the current mode is the target of the
last ``mode.switched`` event (everyday when there is none), so every console and district centre that
follows the journal agrees on it, and the audit trail shows who switched and when.

Who may switch: anyone may return to everyday; only a commander may declare an emergency; a commander
or the civil-defence officer may put the city on a wartime footing.
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
from modes.common.changes import Changes
from modes.common.clock import Clock

EVENT_KIND = "mode.switched"


class Mode(enum.StrEnum):
    EVERYDAY = "everyday"
    CIVIL_DEFENCE = "civil-defence"
    EMERGENCY = "emergency"


# None: anyone may switch into the mode.
SWITCH_ROLES: dict[Mode, frozenset[Role] | None] = {
    Mode.EVERYDAY: None,
    Mode.CIVIL_DEFENCE: frozenset({Role.COMMANDER, Role.CIVIL_DEFENCE}),
    Mode.EMERGENCY: frozenset({Role.COMMANDER}),
}

# Switching into these modes changes what the whole city does: the console asks for confirmation.
NEEDS_CONFIRMATION = frozenset({Mode.CIVIL_DEFENCE, Mode.EMERGENCY})


class ModeSwitchRefused(InputError):
    """The role may not switch the city into the requested mode."""


@dataclass(frozen=True)
class ModeSwitch:
    """The outcome of a switch request; ``journal_seq`` is None when the city was already in ``mode``."""

    previous: Mode
    mode: Mode
    actor: str
    role: str
    at: dt.datetime
    journal_seq: int | None
    changes: Changes

    @property
    def switched(self) -> bool:
        return self.journal_seq is not None


def parse_mode(value: str | Mode) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        choices = ", ".join(m.value for m in Mode)
        raise InputError(f"unknown mode {value!r} (expected one of {choices})") from None


def may_switch(role: str, target: str | Mode) -> bool:
    allowed = SWITCH_ROLES[parse_mode(target)]
    return allowed is None or role in {r.value for r in allowed}


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


def switch_mode(session: Session, clock: Clock, actor: str, role: str, target: str | Mode) -> ModeSwitch:
    """Switch the city to ``target`` and journal who did it and when.

    Raises ``ModeSwitchRefused`` when ``role`` may not switch into ``target``. Asking for the mode the
    city is already in changes nothing and writes no event.
    """
    mode = parse_mode(target)
    if not actor or not actor.strip():
        raise InputError("a mode switch needs the actor who asks for it")
    if role not in {r.value for r in Role}:
        raise InputError(f"unknown role {role!r}")
    if not may_switch(role, mode):
        allowed = sorted(r.value for r in SWITCH_ROLES[mode] or ())
        raise ModeSwitchRefused(
            f"role {role!r} may not switch the city into {mode.value} mode (allowed: {', '.join(allowed)})"
        )
    previous = current_mode(session)
    at = clock.now()
    if previous == mode:
        return ModeSwitch(previous, mode, actor, role, at, None, Changes())
    seq = journal.append(
        session,
        journal.NewEvent(
            kind=EVENT_KIND,
            actor=actor,
            at=at,
            subject=f"mode:{mode.value}",
            payload={"from": previous.value, "to": mode.value, "role": role},
        ),
    )
    return ModeSwitch(previous, mode, actor, role, at, seq, Changes(mode=True, journal_seq=seq))
