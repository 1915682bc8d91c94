"""An incident as it stood at each step of its journal: what the map draws when the replay slider is
moved back (level colour, site, cordons, the units out and the state of their tasks).

Everything comes from the journal events of the incident's subject (``incident/ID``), folded in order:
``incident.opened`` and ``incident.area`` carry the site and the cordons (radii, or drawn polygons as
WKT), ``incident.level`` the level and its colour, ``incident.status`` the status,
``incident.dispatched`` a unit's task, ``incident.task`` its state changes. Only where a unit stands is
read from its row (units are drawn at their base, as the live map draws them). The live tables are not
consulted for the rest, so a step shows what the record says, not what the incident is now.

``incident_moments`` folds the whole journal once and returns one ``IncidentMoment`` per timeline event
(the events of the escalated case interleaved change nothing on the map): moving the slider is then a
look-up, and a redraw of one incident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from shapely import wkt as shapely_wkt
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import Incident, RescueUnit
from modes.emergency import dispatch as dispatching
from modes.emergency.impact import cordons
from modes.emergency.incidents import TimelineEvent, get_incident, timeline
from modes.emergency.queries import IncidentBoard, IncidentShape, UnitMark

_FINISHED_TASKS = frozenset(t.value for t in dispatching.FINISHED_TASKS)


@dataclass(frozen=True)
class IncidentMoment:
    """The incident after journal event ``seq`` (step ``step`` of the timeline, from 0)."""

    step: int
    seq: int
    at: dt.datetime
    level: str
    colour: str
    status: str
    drawn: bool  # the cordons were drawn by hand (else they are circles of the radii)
    inner_radius_m: float
    outer_radius_m: float
    shape: IncidentShape  # site and cordons, city CRS
    units: tuple[UnitMark, ...]  # units on unfinished tasks then, with their task state then


@dataclass
class _State:
    level: str = "IV"
    colour: str = ""
    status: str = "reported"
    x: float = 0.0
    y: float = 0.0
    area: object = None
    inner_radius_m: float = 0.0
    outer_radius_m: float = 0.0
    inner_cordon: object = None
    outer_cordon: object = None


def _geometry(text: str | None):
    return shapely_wkt.loads(text) if text else None


def _place(state: _State, p: dict) -> None:
    """The site and cordons an ``opened`` or ``area`` event sets."""
    state.x, state.y = float(p["x"]), float(p["y"])
    state.area = _geometry(p.get("area"))
    state.inner_radius_m = float(p.get("inner_radius_m") or 0.0)
    state.outer_radius_m = float(p.get("outer_radius_m") or 0.0)
    state.inner_cordon = _geometry(p.get("inner_cordon"))
    state.outer_cordon = _geometry(p.get("outer_cordon"))


def incident_moments(session: Session, incident_id: int) -> tuple[IncidentMoment, ...]:
    """One moment per event of ``incidents.timeline`` (same order, same length)."""
    incident = get_incident(session, incident_id)
    events = timeline(session, incident.id)
    return fold(events, incident.id, _unit_places(session, events))


def with_moments(session: Session, board: IncidentBoard) -> IncidentBoard:
    """``board`` with its selected incident's moments, from the timeline it already holds."""
    if board.selected is None:
        return board
    events = list(board.timeline)
    return replace(board, moments=fold(events, board.selected.id, _unit_places(session, events)))


def _unit_places(session: Session, events: list[TimelineEvent]) -> dict[str, tuple[str, float, float]]:
    ids = {str(e.payload["unit"]) for e in events if e.kind == "incident.dispatched" and "unit" in e.payload}
    if not ids:
        return {}
    rows = session.execute(
        select(RescueUnit.id, RescueUnit.name, RescueUnit.x, RescueUnit.y).where(RescueUnit.id.in_(ids))
    ).all()
    return {r.id: (r.name, r.x, r.y) for r in rows}


def fold(
    events: list[TimelineEvent], incident_id: int, units: dict[str, tuple[str, float, float]]
) -> tuple[IncidentMoment, ...]:
    """The moments of ``events`` (an incident's timeline), given where each unit stands (name, x, y)."""
    state = _State()
    tasks: dict[int, tuple[str, str]] = {}  # task id -> (unit id, state), in dispatch order
    opened = False
    out: list[IncidentMoment] = []
    shape_cache: tuple | None = None
    for step, e in enumerate(events):
        p = e.payload
        if e.subject == f"incident/{incident_id}":
            match e.kind:
                case "incident.opened":
                    opened = True
                    state.level, state.colour = str(p["level"]), str(p.get("colour") or "")
                    _place(state, p)
                    shape_cache = None
                case "incident.area":
                    _place(state, p)
                    shape_cache = None
                case "incident.level":
                    state.level, state.colour = str(p["to"]), str(p.get("colour") or state.colour)
                case "incident.status":
                    state.status = str(p["to"])
                case "incident.dispatched":
                    tasks[int(p["task_id"])] = (str(p["unit"]), dispatching.TaskStatus.ASSIGNED.value)
                case "incident.task":
                    task = int(p["task_id"])
                    unit = tasks.get(task, (str(p.get("unit")), ""))[0]
                    tasks[task] = (unit, str(p["to"]))
        if not opened:  # the escalated case's events before the incident was opened
            continue
        if shape_cache is None:
            shape_cache = cordons(
                state.x,
                state.y,
                area=state.area,
                inner_radius_m=state.inner_radius_m,
                outer_radius_m=state.outer_radius_m,
                inner_cordon=state.inner_cordon,
                outer_cordon=state.outer_cordon,
            )
        site, inner, outer = shape_cache
        shape = IncidentShape(
            incident_id, state.level, state.colour, state.status, state.x, state.y, site, inner, outer
        )
        marks = []
        for task_id, (unit_id, task_state) in tasks.items():
            if task_state in _FINISHED_TASKS or unit_id not in units:
                continue
            name, ux, uy = units[unit_id]
            marks.append(UnitMark(unit_id, name, task_id, incident_id, task_state, ux, uy, state.x, state.y))
        out.append(
            IncidentMoment(
                step=step,
                seq=e.seq,
                at=e.at,
                level=state.level,
                colour=state.colour,
                status=state.status,
                drawn=state.inner_cordon is not None or state.outer_cordon is not None,
                inner_radius_m=state.inner_radius_m,
                outer_radius_m=state.outer_radius_m,
                shape=shape,
                units=tuple(marks),
            )
        )
    return _before_opening(out, len(events))


def _before_opening(moments: list[IncidentMoment], count: int) -> tuple[IncidentMoment, ...]:
    """Steps before the incident was opened (its case's events) show the incident as first opened:
    one moment per timeline event, so the slider's step is the index."""
    if not moments:
        return ()
    first = moments[0]
    early = [replace(first, step=i, units=()) for i in range(count - len(moments))]
    return (*early, *moments)


def live_matches(moment: IncidentMoment, incident: Incident) -> bool:
    """The last moment agrees with the incident's row: level, status, site (used by the tests and the
    console's check that the replay's end is the live state)."""
    return (
        moment.level == incident.level
        and moment.status == incident.status
        and abs(moment.shape.x - incident.x) < 1e-6
        and abs(moment.shape.y - incident.y) < 1e-6
    )
