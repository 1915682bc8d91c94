"""Dispatch orders and the tasks they create: assigned -> en_route -> on_scene -> done (or cancelled).

Only the commander dispatches. A task is assigned to the unit's owner (its department, else its
district) with a due time; the owner acknowledges it and reports its progress; a task not done by its
due time is overdue, and shows so until it is done.

For the links between nodes (a district centre may be down when the order is given): ``dispatch``
takes an optional ``order_id`` and returns a ``DispatchOrder`` DTO whose ``order_id`` is stable, and
applying an order id that is already stored returns the stored order without writing anything, so a
resent order is applied exactly once; ``acknowledge(order_id, at=...)`` is idempotent the same way.
Both are transport-free: the links deliver and call them.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import DispatchTask, RescueUnit, TaskStatus, UnitStatus
from data.errors import NotFound
from data.models import Role
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.state_table import StateTable
from modes.emergency.incidents import (
    Actor,
    IncidentRefused,
    get_incident,
    log_line,
    record,
    require_open,
    require_role,
)
from modes.emergency.resources import ETA_BASIS, UnitIndex, eta_minutes

DEFAULT_WORK_MINUTES = 60  # on top of the ETA: the default time a task has to be done by
FINISHED_TASKS = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})

T = TaskStatus
_WORKERS = frozenset({Role.DEPARTMENT, Role.COMMANDER, Role.DISPATCHER})


@dataclass(frozen=True)
class TaskStep:
    source: TaskStatus
    action: str
    target: TaskStatus
    roles: frozenset[Role]
    stamp: str


TASK_STEPS: tuple[TaskStep, ...] = (
    TaskStep(T.ASSIGNED, "depart", T.EN_ROUTE, _WORKERS, "en_route_at"),
    TaskStep(T.EN_ROUTE, "arrive", T.ON_SCENE, _WORKERS, "on_scene_at"),
    TaskStep(T.ON_SCENE, "finish", T.DONE, _WORKERS, "done_at"),
    *(
        TaskStep(s, "cancel", T.CANCELLED, frozenset({Role.COMMANDER}), "cancelled_at")
        for s in (T.ASSIGNED, T.EN_ROUTE, T.ON_SCENE)
    ),
)
TASK_TABLE = StateTable(
    TASK_STEPS, TaskStatus, noun="task", finished="the task is finished", refused=IncidentRefused
)


@dataclass(frozen=True)
class DispatchOrder:
    """A dispatch order and its task, as it travels and as the console shows it."""

    order_id: str
    task_id: int
    incident_id: int
    unit_id: str
    unit_name: str
    capability: str
    assignee_district: str | None
    assignee_department: str | None
    status: str
    instructions: str
    ordered_by: str
    ordered_at: dt.datetime
    due_at: dt.datetime
    distance_m: float
    eta_minutes: float
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    en_route_at: dt.datetime | None
    on_scene_at: dt.datetime | None
    done_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    overdue: bool  # as of the time the DTO was made

    def as_dict(self) -> dict:
        def iso(t):
            return t.isoformat(timespec="seconds") if t is not None else None

        return {
            "order_id": self.order_id,
            "task_id": self.task_id,
            "incident_id": self.incident_id,
            "unit": self.unit_id,
            "unit_name": self.unit_name,
            "capability": self.capability,
            "assignee_district": self.assignee_district,
            "assignee_department": self.assignee_department,
            "status": self.status,
            "instructions": self.instructions,
            "ordered_by": self.ordered_by,
            "ordered_at": iso(self.ordered_at),
            "due_at": iso(self.due_at),
            "distance_m": round(self.distance_m, 1),
            "eta_minutes": round(self.eta_minutes, 1),
            "eta_basis": ETA_BASIS,
            "acknowledged_at": iso(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "en_route_at": iso(self.en_route_at),
            "on_scene_at": iso(self.on_scene_at),
            "done_at": iso(self.done_at),
            "cancelled_at": iso(self.cancelled_at),
            "overdue": self.overdue,
        }

    @classmethod
    def from_dict(cls, d: dict) -> DispatchOrder:
        """The order back from ``as_dict`` (a command's answer; distances rounded as sent)."""

        def t(name: str) -> dt.datetime | None:
            return dt.datetime.fromisoformat(d[name]) if d.get(name) else None

        return cls(
            d["order_id"], int(d["task_id"]), int(d["incident_id"]), d["unit"], d["unit_name"], d["capability"],
            d["assignee_district"], d["assignee_department"], d["status"], d["instructions"], d["ordered_by"],
            t("ordered_at"), t("due_at"), float(d["distance_m"]), float(d["eta_minutes"]), t("acknowledged_at"),
            d["acknowledged_by"], t("en_route_at"), t("on_scene_at"), t("done_at"), t("cancelled_at"),
            bool(d["overdue"]),
        )  # fmt: skip


def is_overdue(task: DispatchTask, now: dt.datetime) -> bool:
    return task.status not in FINISHED_TASKS and now > task.due_at


def order_view(task: DispatchTask, unit: RescueUnit, now: dt.datetime) -> DispatchOrder:
    return DispatchOrder(
        order_id=task.order_id,
        task_id=task.id,
        incident_id=task.incident_id,
        unit_id=task.unit_id,
        unit_name=unit.name,
        capability=unit.capability,
        assignee_district=task.assignee_district,
        assignee_department=task.assignee_department,
        status=task.status,
        instructions=task.instructions,
        ordered_by=task.ordered_by,
        ordered_at=task.ordered_at,
        due_at=task.due_at,
        distance_m=task.distance_m,
        eta_minutes=task.eta_minutes,
        acknowledged_at=task.acknowledged_at,
        acknowledged_by=task.acknowledged_by,
        en_route_at=task.en_route_at,
        on_scene_at=task.on_scene_at,
        done_at=task.done_at,
        cancelled_at=task.cancelled_at,
        overdue=is_overdue(task, now),
    )


def _unit(session: Session, unit_id: str, *, for_update: bool = False) -> RescueUnit:
    stmt = select(RescueUnit).where(RescueUnit.id == unit_id)
    if for_update:
        stmt = stmt.with_for_update()
    unit = session.execute(stmt).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"no rescue unit {unit_id!r}")
    return unit


def _task_by_order(session: Session, order_id: str, *, for_update: bool = False) -> DispatchTask | None:
    stmt = select(DispatchTask).where(DispatchTask.order_id == order_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def get_task(session: Session, ref: int | str, *, for_update: bool = False) -> DispatchTask:
    """A task by its number or by its order id."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        stmt = select(DispatchTask).where(DispatchTask.id == int(ref))
        if for_update:
            stmt = stmt.with_for_update()
        task = session.execute(stmt).scalar_one_or_none()
    else:
        task = _task_by_order(session, str(ref), for_update=for_update)
    if task is None:
        raise NotFound(f"no task {ref!r}")
    return task


def dispatch(
    session: Session,
    clock: Clock,
    actor: Actor,
    incident_id: int,
    unit_id: str,
    *,
    instructions: str = "",
    due_minutes: float | None = None,
    order_id: str | None = None,
    units: UnitIndex | None = None,
) -> tuple[DispatchOrder, Changes]:
    """Order a unit to an incident. The task goes to the unit's department (else its district).

    ``order_id``: the id the order travels under; given again (a resend), the stored order is returned
    and nothing is written. ``due_minutes``: time to be done, from now (default: ETA + 60 minutes).
    ``units``: an index to keep in step with the unit's new status.
    """
    require_role(actor, {Role.COMMANDER}, "dispatch units")
    now = clock.now()
    if order_id is not None:
        order_id = order_id.strip()
        if not order_id or len(order_id) > 40:
            raise IncidentRefused("an order id is 1 to 40 characters")
        existing = _task_by_order(session, order_id)
        if existing is not None:
            if existing.incident_id != int(incident_id) or existing.unit_id != unit_id:
                raise IncidentRefused(
                    f"order {order_id} is already used for unit {existing.unit_id} on incident {existing.incident_id}"
                )
            return order_view(existing, _unit(session, existing.unit_id), now), Changes()
    incident = get_incident(session, incident_id, for_update=True)
    require_open(incident, "dispatch units to it")
    unit = _unit(session, unit_id, for_update=True)
    if unit.status != UnitStatus.AVAILABLE:
        busy = session.execute(
            select(DispatchTask.id, DispatchTask.incident_id).where(
                DispatchTask.unit_id == unit.id, DispatchTask.status.not_in([s.value for s in FINISHED_TASKS])
            )
        ).first()
        where = f" (task {busy.id} on incident {busy.incident_id})" if busy else ""
        raise IncidentRefused(f"unit {unit.id} is {unit.status}{where}: it cannot be dispatched")
    if due_minutes is not None and (not math.isfinite(due_minutes) or due_minutes <= 0):
        raise IncidentRefused(f"the time to be done must be a positive number of minutes (got {due_minutes})")
    distance = math.hypot(unit.x - incident.x, unit.y - incident.y)
    eta = float(eta_minutes(distance, unit.speed_kmh))
    minutes = due_minutes if due_minutes is not None else math.ceil(eta) + DEFAULT_WORK_MINUTES
    task = DispatchTask(
        order_id=order_id or uuid.uuid4().hex,
        incident_id=incident.id,
        unit_id=unit.id,
        assignee_district=unit.district_code,
        assignee_department=unit.department_code,
        status=TaskStatus.ASSIGNED.value,
        instructions=instructions,
        ordered_by=actor.name,
        ordered_at=now,
        due_at=now + dt.timedelta(minutes=minutes),
        distance_m=distance,
        eta_minutes=eta,
        updated_at=now,
    )
    session.add(task)
    unit.status = UnitStatus.ASSIGNED.value
    unit.updated_at = now
    incident.updated_at = now
    session.flush()
    if units is not None:
        units.set_status(unit.id, unit.status)
    owner = unit.department_code or unit.district_code
    log_line(
        session,
        incident,
        actor,
        now,
        f"派遣 Dispatched {unit.name} ({unit.id}) to {owner}, ETA {eta:.0f} min, due {task.due_at:%H:%M}"
        + (f": {instructions}" if instructions else ""),
        "dispatch",
        task.id,
    )
    seq = record(
        session,
        incident,
        actor,
        now,
        "dispatched",
        {
            "order_id": task.order_id,
            "task_id": task.id,
            "unit": unit.id,
            "capability": unit.capability,
            "assignee_district": task.assignee_district,
            "assignee_department": task.assignee_department,
            "instructions": instructions,
            "due_at": task.due_at.isoformat(timespec="seconds"),
            "eta_minutes": round(eta, 2),
            "distance_m": round(distance, 1),
        },
        district=unit.district_code,
    )
    session.flush()
    return order_view(task, unit, now), Changes(journal_seq=seq)


def acknowledge(
    session: Session,
    clock: Clock,
    order_id: str,
    *,
    at: dt.datetime | None = None,
    actor: Actor | None = None,
) -> tuple[DispatchOrder, Changes]:
    """The owner has the order. Idempotent: the first acknowledgement counts, later ones change nothing.

    ``at`` is when the owner acknowledged it (from the district's node), default now.
    """
    task = _task_by_order(session, order_id, for_update=True)
    if task is None:
        raise NotFound(f"no dispatch order {order_id!r}")
    now = clock.now()
    unit = _unit(session, task.unit_id)
    if task.acknowledged_at is not None:
        return order_view(task, unit, now), Changes()
    who = actor or Actor(task.assignee_department or task.assignee_district or "owner", Role.DEPARTMENT)
    _check_owner(who, task)
    when = at or now
    task.acknowledged_at, task.acknowledged_by, task.updated_at = when, who.name, now
    incident = get_incident(session, task.incident_id)
    log_line(
        session, incident, who, when, f"签收 Order acknowledged by {who.name} ({unit.name})", "task", task.id
    )
    seq = record(
        session,
        incident,
        who,
        when,
        "task_acknowledged",
        {
            "order_id": task.order_id,
            "task_id": task.id,
            "unit": task.unit_id,
            "at": when.isoformat(timespec="seconds"),
        },
        district=task.assignee_district,
    )
    session.flush()
    return order_view(task, unit, now), Changes(journal_seq=seq)


def _check_owner(actor: Actor, task: DispatchTask) -> None:
    """A department or district login acts only on tasks assigned to it."""
    if actor.role == Role.COMMANDER or actor.role == Role.DISPATCHER:
        return
    if actor.department and actor.department != task.assignee_department:
        raise IncidentRefused(
            f"task {task.id} is assigned to {task.assignee_department or task.assignee_district}, not to {actor.department}"
        )
    if actor.district and not actor.department and actor.district != task.assignee_district:
        raise IncidentRefused(
            f"task {task.id} is assigned in district {task.assignee_district}, not {actor.district}"
        )


def set_task_status(
    session: Session,
    clock: Clock,
    actor: Actor,
    task_ref: int | str,
    status: str,
    note: str = "",
    *,
    incident_id: int | None = None,
    units: UnitIndex | None = None,
) -> tuple[DispatchOrder, Changes]:
    """Move a task along (by its number or order id; ``incident_id``, when given, must be the task's).
    Leaving for the scene counts as acknowledging."""
    task = get_task(session, task_ref, for_update=True)
    if incident_id is not None and task.incident_id != int(incident_id):
        raise IncidentRefused(f"task {task.id} belongs to incident {task.incident_id}, not {incident_id}")
    step = TASK_TABLE.step_to(task.status, status, actor.role)
    _check_owner(actor, task)
    now = clock.now()
    before = task.status
    task.status = step.target.value
    setattr(task, step.stamp, now)
    if task.acknowledged_at is None and step.target != TaskStatus.CANCELLED:
        task.acknowledged_at, task.acknowledged_by = now, actor.name
    task.updated_at = now
    unit = _unit(session, task.unit_id, for_update=True)
    if step.target in FINISHED_TASKS and unit.status == UnitStatus.ASSIGNED:
        unit.status, unit.updated_at = UnitStatus.AVAILABLE.value, now
        if units is not None:
            units.set_status(unit.id, unit.status)
    incident = get_incident(session, task.incident_id)
    incident.updated_at = now
    overdue = now > task.due_at and step.target == TaskStatus.DONE
    text = (
        f"任务 Task {task.id} ({unit.name}): {before} -> {step.target.value}"
        + (" (late)" if overdue else "")
        + (f": {note}" if note else "")
    )
    log_line(session, incident, actor, now, text, "task", task.id)
    seq = record(
        session,
        incident,
        actor,
        now,
        "task",
        {
            "order_id": task.order_id,
            "task_id": task.id,
            "unit": unit.id,
            "from": before,
            "to": step.target.value,
            "note": note,
        },
        district=task.assignee_district,
    )
    session.flush()
    return order_view(task, unit, now), Changes(journal_seq=seq)


def list_tasks(
    session: Session,
    now: dt.datetime,
    *,
    incident_id: int | None = None,
    overdue: bool | None = None,
    department: str | None = None,
    district: str | None = None,
) -> list[DispatchOrder]:
    """Tasks, oldest order first; ``overdue=True`` keeps only those past due and not finished."""
    stmt = select(DispatchTask, RescueUnit).join(RescueUnit, RescueUnit.id == DispatchTask.unit_id)
    if incident_id is not None:
        stmt = stmt.where(DispatchTask.incident_id == int(incident_id))
    if department:
        stmt = stmt.where(DispatchTask.assignee_department == department)
    if district:
        stmt = stmt.where(DispatchTask.assignee_district == district)
    if overdue:
        stmt = stmt.where(
            DispatchTask.status.not_in([s.value for s in FINISHED_TASKS]), DispatchTask.due_at < now
        )
    stmt = stmt.order_by(DispatchTask.ordered_at, DispatchTask.id)
    out = [order_view(t, u, now) for t, u in session.execute(stmt)]
    if overdue is False:
        out = [o for o in out if not o.overdue]
    return out
