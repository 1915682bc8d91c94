"""What the emergency console reads: the incident board, the map's shapes and units, unit suggestions.

Each function takes the caller's session and returns frozen dataclasses (or the mode's own views),
never ORM objects. Reads only; the writes are commands (``modes.emergency.link_commands``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import DispatchTask, Incident, IncidentStatus, RescueUnit
from modes.emergency import dispatch as dispatching
from modes.emergency import incidents
from modes.emergency.desk import PER_NEED
from modes.emergency.dispatch import DispatchOrder
from modes.emergency.impact import Impact, ImpactIndex, incident_cordons, incident_impact
from modes.emergency.incidents import IncidentView, LogLine, RoleHolder, TimelineEvent
from modes.emergency.resources import Suggestion, UnitIndex, parse_capability
from modes.emergency.types import incident_type

if TYPE_CHECKING:
    from modes.emergency.replay import IncidentMoment


@dataclass(frozen=True)
class IncidentShape:
    """One incident as the map draws it: the site, the cordons (shapely, city CRS) and the level colour."""

    id: int
    level: str
    colour: str
    status: str
    x: float
    y: float
    site: object
    inner: object
    outer: object


@dataclass(frozen=True)
class UnitMark:
    """A unit out on a task, for the map: where it is and which incident it serves."""

    unit_id: str
    name: str
    task_id: int
    incident_id: int
    status: str
    x: float
    y: float
    incident_x: float
    incident_y: float


@dataclass(frozen=True)
class IncidentBoard:
    """Everything the panel shows at once, read in one session so the parts agree with each other."""

    incidents: tuple[IncidentView, ...]
    selected: IncidentView | None
    impact: Impact | None
    tasks: tuple[DispatchOrder, ...]
    log: tuple[LogLine, ...]
    organisation: tuple[RoleHolder, ...]
    timeline: tuple[TimelineEvent, ...]
    shapes: tuple[IncidentShape, ...]  # every incident not closed
    units: tuple[UnitMark, ...]  # units on unfinished tasks
    now: dt.datetime
    # The selected incident at each step of its timeline (``modes.emergency.replay.with_moments``).
    moments: tuple[IncidentMoment, ...] = ()


def incident_board(
    session: Session, index: ImpactIndex, incident_id: int | None, status: str | None, now: dt.datetime
) -> IncidentBoard:
    """The incident list (filtered by status), the selected incident with its impact, tasks, log,
    organisation and timeline, and what the map draws."""
    listed = tuple(incidents.list_incidents(session, status=status or None, now=now))
    selected = impact = None
    tasks: tuple[DispatchOrder, ...] = ()
    log: tuple[LogLine, ...] = ()
    org: tuple[RoleHolder, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    if incident_id is not None:
        row = session.get(Incident, int(incident_id))
        if row is not None:
            selected = incidents.view(row, now)
            impact = incident_impact(session, index, row, at=now)
            tasks = tuple(dispatching.list_tasks(session, now, incident_id=row.id))
            log = incidents.read_log(session, row.id)
            org = incidents.organisation(session, row.id)
            timeline = tuple(incidents.timeline(session, row.id))
    shapes = incident_shapes(session)
    units = unit_marks(session)
    return IncidentBoard(listed, selected, impact, tasks, log, org, timeline, shapes, units, now)


def incident_shapes(session: Session) -> tuple[IncidentShape, ...]:
    """Every incident not closed, with its site and cordons."""
    rows = session.scalars(
        select(Incident).where(Incident.status != IncidentStatus.CLOSED.value).order_by(Incident.id)
    ).all()
    out = []
    for r in rows:
        site, inner, outer = incident_cordons(r)
        out.append(IncidentShape(r.id, r.level, r.colour, r.status, r.x, r.y, site, inner, outer))
    return tuple(out)


def unit_marks(session: Session) -> tuple[UnitMark, ...]:
    """Units on unfinished tasks, with their incident's site: one query."""
    rows = session.execute(
        select(
            DispatchTask.unit_id,
            RescueUnit.name,
            DispatchTask.id,
            DispatchTask.incident_id,
            DispatchTask.status,
            RescueUnit.x,
            RescueUnit.y,
            Incident.x,
            Incident.y,
        )  # fmt: skip
        .join(RescueUnit, RescueUnit.id == DispatchTask.unit_id)
        .join(Incident, Incident.id == DispatchTask.incident_id)
        .where(DispatchTask.status.not_in([t.value for t in dispatching.FINISHED_TASKS]))
        .order_by(DispatchTask.id)
    ).all()
    return tuple(UnitMark(*row) for row in rows)


def suggest_units(
    session: Session, incident_id: int, need: str | None = None, limit: int = 10
) -> tuple[Suggestion, ...]:
    """The nearest available units of a capability (None: of the capabilities the type needs)."""
    # Unit statuses change from other consoles and over the links: read them afresh each time (a
    # thousand rows and their KD-tree take a few milliseconds).
    units = UnitIndex.load(session)
    incident = incidents.get_incident(session, incident_id)
    if need:
        cap = parse_capability(need)
        return tuple(units.nearest(incident.x, incident.y, limit, cap.value if cap else None))
    needs = [c.value for c in incident_type(incident.type_code).needs]
    return tuple(u for c in needs for u in units.nearest(incident.x, incident.y, PER_NEED, c))
