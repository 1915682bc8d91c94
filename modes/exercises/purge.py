"""Purging an exercise: its records removed from the city's tables, as one journaled act.

Stopping an exercise leaves every record it made (the players may still read them, the after-action
report reads the journal). Removing them is a decision of its own: a drill coordinator or the city
commander purges a stopped or completed exercise, giving the reason, and one ``exercise.purged`` event
lists every row removed, by table. The journal keeps the purged records' own events (the audit accepts a
case whose events exist and whose row this event removed, ``modes.everyday.case_audit``).

Removed: the exercise's cases (``exercise_id``) with their history rows, its incidents with their ICS
positions, dispatch tasks and log, its alarms with their deliveries. Nothing real is touched: a purge
that would leave a real record pointing at a removed one is refused, naming it, as is one while a unit
is still out on an exercise task or an alarm order of the exercise still waits for a second officer.
The highest ids removed become their tables' floor (``data.id_floor``), so no new record takes one.
Kept: the CAP delivery log of the exercise's alerts (status Exercise). It records what left the system
for outside receivers, and the deliverer, which follows the journal, would owe an alert without its rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from data import journal
from data.civil_defence_models import Alarm, AlarmDelivery
from data.emergency_models import DispatchTask, Incident, IncidentLogEntry, IncidentRole
from data.errors import InputError
from data.exercise_models import Exercise, ExerciseState
from data.id_floor import raise_floor
from data.models import Case, CaseHistory, OrderState, PendingOrder
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.exercise_filter import PURGED_EVENT
from modes.emergency.dispatch import FINISHED_TASKS
from modes.exercises.exercises import STARTERS, ExerciseRefused, get_exercise

ENDED = (ExerciseState.STOPPED.value, ExerciseState.COMPLETED.value)
NAMED = 20  # records named in a refusal; the rest are counted


@dataclass(frozen=True)
class Purged:
    exercise_id: int
    purged_at: dt.datetime
    removed: dict[str, list[int]]  # table -> ids removed
    changes: Changes

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.exercise_id,
            "purged_at": self.purged_at.isoformat(sep=" ", timespec="seconds"),
            "removed": {table: len(ids) for table, ids in self.removed.items()},
            "journal_seq": self.changes.journal_seq,
        }


def _named(ids: list[Any]) -> str:
    shown = ", ".join(str(i) for i in ids[:NAMED])
    return shown + (f" and {len(ids) - NAMED} more" if len(ids) > NAMED else "")


def _ids(session: Session, stmt: Select) -> list[Any]:
    return list(session.scalars(stmt))


def _check_nothing_real_refers_to(session: Session, ex: Exercise) -> None:
    """Refuse while a record outside the exercise refers to one of its cases: removing the case would
    change that record (the rules never link them; a record that does was not made by them)."""
    theirs = select(Case.id).where(Case.exercise_id == ex.id)
    linked = _ids(
        session,
        select(Case.id)
        .where(Case.duplicate_of.in_(theirs), Case.exercise_id.is_distinct_from(ex.id))
        .order_by(Case.id),
    )
    if linked:
        raise ExerciseRefused(
            f"exercise {ex.id} cannot be purged: case {_named(linked)}, not the exercise's, is linked to one "
            "of its cases as a duplicate"
        )
    escalated = _ids(
        session,
        select(Incident.id)
        .where(Incident.case_id.in_(theirs), Incident.exercise_id.is_distinct_from(ex.id))
        .order_by(Incident.id),
    )
    if escalated:
        raise ExerciseRefused(
            f"exercise {ex.id} cannot be purged: incident {_named(escalated)}, not the exercise's, was "
            "escalated from one of its cases"
        )


def _check_nothing_still_out(session: Session, clock: Clock, ex: Exercise) -> None:
    """Refuse while the exercise still has something going in the real world: a unit out on one of its
    tasks (its status would stay assigned), an alarm order of its waiting for a second officer."""
    out = _ids(
        session,
        select(DispatchTask.order_id)
        .join(Incident, Incident.id == DispatchTask.incident_id)
        .where(
            Incident.exercise_id == ex.id,
            DispatchTask.status.not_in([t.value for t in FINISHED_TASKS]),
        )
        .order_by(DispatchTask.id),
    )
    if out:
        raise ExerciseRefused(
            f"exercise {ex.id} cannot be purged: its dispatch task {_named(out)} is not finished (mark it "
            "done or cancelled first: python main.py incident task ...)"
        )
    waiting = [
        order.id
        for order in session.scalars(
            select(PendingOrder)
            .where(PendingOrder.state == OrderState.PENDING.value, PendingOrder.expires_at > clock.now())
            .order_by(PendingOrder.id)
        )
        if (order.args or {}).get("exercise_id") == ex.id
    ]
    if waiting:
        raise ExerciseRefused(
            f"exercise {ex.id} cannot be purged: its alarm order {_named(waiting)} still waits for a second "
            "officer (refuse it, or wait until it expires)"
        )


def purge(session: Session, clock: Clock, actor: Actor, exercise_id: Any, reason: str | None) -> Purged:
    """Remove a stopped or completed exercise's records, with the reason, in one journaled act."""
    if actor.role not in STARTERS or actor.district is not None:
        raise ExerciseRefused(
            f"{actor.login or actor.name} ({actor.role.value}) may not purge an exercise: a drill "
            "coordinator (role drill) or the city commander may"
        )
    reason = (reason or "").strip()
    if not reason:
        raise InputError("purging an exercise needs its reason (--reason TEXT): the journal keeps why")
    ex = get_exercise(session, exercise_id, for_update=True)
    if ex.purged_at is not None:
        raise ExerciseRefused(f"exercise {ex.id} was purged already, at {ex.purged_at:%Y-%m-%d %H:%M}")
    if ex.state not in ENDED:
        raise ExerciseRefused(
            f"exercise {ex.id} is {ex.state}: only a stopped or completed exercise is purged "
            f"(python main.py exercise stop {ex.id} first)"
        )
    _check_nothing_real_refers_to(session, ex)
    _check_nothing_still_out(session, clock, ex)

    incidents = select(Incident.id).where(Incident.exercise_id == ex.id)
    cases = select(Case.id).where(Case.exercise_id == ex.id)
    alarms = select(Alarm.id).where(Alarm.exercise_id == ex.id)
    # What goes, read before anything goes: table -> (its rows' model, which of them are the exercise's),
    # in the order they go (rows before the rows they refer to).
    plan = {
        "incident_log": (IncidentLogEntry, IncidentLogEntry.incident_id.in_(incidents)),
        "dispatch_tasks": (DispatchTask, DispatchTask.incident_id.in_(incidents)),
        "incident_roles": (IncidentRole, IncidentRole.incident_id.in_(incidents)),
        "incidents": (Incident, Incident.exercise_id == ex.id),
        "case_history": (CaseHistory, CaseHistory.case_id.in_(cases)),
        "cases": (Case, Case.exercise_id == ex.id),
        "cd_alarm_deliveries": (AlarmDelivery, AlarmDelivery.alarm_id.in_(alarms)),
        "cd_alarms": (Alarm, Alarm.exercise_id == ex.id),
    }
    removed = {
        table: _ids(session, select(model.id).where(cond).order_by(model.id))
        for table, (model, cond) in plan.items()
    }
    # The dispatch orders travel under their order ids (/task/<order id>): the picture drops those keys.
    orders = _ids(
        session, select(DispatchTask.order_id).where(plan["dispatch_tasks"][1]).order_by(DispatchTask.id)
    )
    for table, (model, cond) in plan.items():
        if removed[table]:
            session.execute(delete(model).where(cond), execution_options={"synchronize_session": "fetch"})
    for table in ("cases", "incidents", "cd_alarms"):
        if removed[table]:
            raise_floor(session, table, max(removed[table]))
    now = clock.now()
    ex.purged_at = now
    ex.updated_at = now
    seq = journal.append(
        session,
        journal.NewEvent(
            PURGED_EVENT,
            actor.name,
            now,
            f"exercise/{ex.id}",
            {
                "exercise": ex.id,
                "reason": reason,
                "removed": removed,
                "orders": orders,
                "counts": {table: len(ids) for table, ids in removed.items()},
            },
        ),
    )
    session.flush()
    return Purged(ex.id, now, removed, Changes(journal_seq=seq))
