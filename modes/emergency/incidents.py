"""Incidents: open, escalate from an everyday case, move through their statuses, change level and area,
assign ICS positions, keep the significant-events log, list, and replay from the journal.

Every call takes the caller's session (the caller owns the transaction), a clock and an actor,
validates, writes the rows and their journal events together, and returns a DTO with the ``Changes``.
Journal events are on the subject ``incident/<id>`` (kinds ``incident.*``), in the incident's district,
so the journal alone replays an incident (``timeline``) and replicates it to the district's node.

The status machine is data (``STATUS_STEPS``): reported -> responding -> contained -> closed, contained
back to responding when the situation flares up, and reported straight to closed for a false alarm.
Only the commander opens and closes; the centre's dispatcher may also move an incident between
responding and contained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from data import journal
from data.city import FINISHED_CASE_STATES
from data.emergency_models import (
    LEVEL_COLOUR,
    DispatchTask,
    IcsPosition,
    Incident,
    IncidentLevel,
    IncidentLogEntry,
    IncidentRole,
    IncidentStatus,
)
from data.errors import InputError, NotFound, OutsideCity
from data.exercise_models import Exercise
from data.geometry import GeometryError
from data.id_floor import free_id
from data.models import Case, JournalEvent, Role
from modes.common import exercise_clock as xclock
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.escalation import ESCALATED_KIND
from modes.common.exercise_filter import exercise_condition
from modes.common.state_table import StateTable, article
from modes.emergency.impact import ImpactIndex
from modes.emergency.types import IncidentType, for_event_type, incident_type

REPORT_WITHIN = dt.timedelta(hours=4)  # level I/II: reported to the State Council within 4 hours


class IncidentRefused(InputError):
    """An action the rules do not allow: wrong status, wrong role, bad values. The message says why."""


def require_role(actor: Actor, allowed: Iterable[Role], doing: str) -> None:
    allowed = frozenset(allowed)
    if actor.role not in allowed:
        who = ", ".join(sorted(r.value for r in allowed))
        raise IncidentRefused(f"{article(actor.role.value)} {actor.role.value} may not {doing} (only {who})")


# --- the status machine ------------------------------------------------------------------------------

S = IncidentStatus
_COMMAND = frozenset({Role.COMMANDER})
_CENTRE = frozenset({Role.COMMANDER, Role.DISPATCHER})


@dataclass(frozen=True)
class StatusStep:
    source: IncidentStatus
    action: str
    target: IncidentStatus
    roles: frozenset[Role]
    stamp: str | None = None  # the incident's time column the step sets
    needs_note: bool = False


STATUS_STEPS: tuple[StatusStep, ...] = (
    StatusStep(S.REPORTED, "respond", S.RESPONDING, _CENTRE, "responding_at"),
    StatusStep(S.RESPONDING, "contain", S.CONTAINED, _CENTRE, "contained_at"),
    StatusStep(S.CONTAINED, "resume", S.RESPONDING, _CENTRE, needs_note=True),  # flare-up
    StatusStep(S.CONTAINED, "close", S.CLOSED, _COMMAND, "closed_at"),
    StatusStep(S.REPORTED, "close", S.CLOSED, _COMMAND, "closed_at", needs_note=True),  # false alarm
)
OPEN_ROLES = _COMMAND
STATUS_TABLE = StateTable(
    STATUS_STEPS, IncidentStatus, noun="incident", finished="the incident is closed", refused=IncidentRefused
)


# --- the view -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentView:
    id: int
    type_code: str
    type_name: str
    category: str
    level: str
    colour: str
    status: str
    title: str
    description: str
    objectives: tuple[str, ...]
    x: float
    y: float
    area_wkt: str | None
    inner_radius_m: float
    outer_radius_m: float
    drawn_cordons: bool
    cell: str | None
    district: str | None
    commander: str
    opened_at: dt.datetime
    responding_at: dt.datetime | None
    contained_at: dt.datetime | None
    closed_at: dt.datetime | None
    case_id: int | None
    exercise: bool
    # Level I/II only: when the report to the State Council is due. An exercise incident's is on its
    # exercise's clock (``report_on_exercise_clock``), where the exercise is known.
    report_due_at: dt.datetime | None
    next_statuses: tuple[str, ...]
    exercise_id: int | None = None  # the exercise whose inject opened it (or whose case it escalates)
    # Which cordon was drawn by hand (``drawn_cordons`` says either); the other is its radius.
    inner_drawn: bool = False
    outer_drawn: bool = False
    report_on_exercise_clock: bool = False
    report_overdue: bool | None = None  # at the moment the view was read; None: not asked, or no deadline

    @property
    def report_deadline(self) -> str | None:
        """The reporting deadline as the CLI and the briefing say it, an exercise's said to be one (and
        to be on the exercise clock when it is)."""
        if self.report_due_at is None:
            return None
        when = f"{self.report_due_at:%Y-%m-%d %H:%M}"
        if self.report_on_exercise_clock:
            return (
                f"演练时限：Ⅰ/Ⅱ级事件须于演练时钟 {when} 前报国务院（演练，不实际上报） "
                f"EXERCISE deadline: report to the State Council by {when} on the exercise clock (an "
                "exercise: no real report)"
            )
        if self.exercise:
            return (
                f"演练时限：Ⅰ/Ⅱ级事件须于 {when} 前报国务院（演练，不实际上报） "
                f"EXERCISE deadline: report to the State Council by {when} (an exercise: no real report)"
            )
        return f"Ⅰ/Ⅱ级事件须于 {when} 前报国务院 Report to the State Council by {when}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "type": self.type_code,
            "type_name": self.type_name,
            "category": self.category,
            "level": self.level,
            "colour": self.colour,
            "status": self.status,
            "title": self.title,
            "description": self.description,
            "objectives": list(self.objectives),
            "x": self.x,
            "y": self.y,
            "area": self.area_wkt,
            "inner_radius_m": self.inner_radius_m,
            "outer_radius_m": self.outer_radius_m,
            "drawn_cordons": self.drawn_cordons,
            "inner_drawn": self.inner_drawn,
            "outer_drawn": self.outer_drawn,
            "cell": self.cell,
            "district": self.district,
            "commander": self.commander,
            "opened_at": _iso(self.opened_at),
            "responding_at": _iso(self.responding_at),
            "contained_at": _iso(self.contained_at),
            "closed_at": _iso(self.closed_at),
            "case_id": self.case_id,
            "exercise": self.exercise,
            "exercise_id": self.exercise_id,
            "report_due_at": _iso(self.report_due_at),
            "report_on_exercise_clock": self.report_on_exercise_clock,
            "report_overdue": self.report_overdue,
            "report_deadline": self.report_deadline,
            "next_statuses": list(self.next_statuses),
        }

    @classmethod
    def from_dict(cls, d: dict) -> IncidentView:
        """The view back from ``as_dict`` (a command's answer, from a node or the local door)."""
        return cls(
            id=int(d["id"]), type_code=d["type"], type_name=d["type_name"], category=d["category"],
            level=d["level"], colour=d["colour"], status=d["status"], title=d["title"],
            description=d["description"], objectives=tuple(d["objectives"]), x=float(d["x"]), y=float(d["y"]),
            area_wkt=d["area"], inner_radius_m=float(d["inner_radius_m"]),
            outer_radius_m=float(d["outer_radius_m"]), drawn_cordons=bool(d["drawn_cordons"]),
            cell=d["cell"], district=d["district"], commander=d["commander"],
            opened_at=_from_iso(d["opened_at"]), responding_at=_from_iso(d["responding_at"]),
            contained_at=_from_iso(d["contained_at"]), closed_at=_from_iso(d["closed_at"]),
            case_id=d["case_id"], exercise=bool(d["exercise"]), report_due_at=_from_iso(d["report_due_at"]),
            next_statuses=tuple(d["next_statuses"]), exercise_id=d.get("exercise_id"),
            inner_drawn=bool(d.get("inner_drawn", d["drawn_cordons"])),
            outer_drawn=bool(d.get("outer_drawn", d["drawn_cordons"])),
            report_on_exercise_clock=bool(d.get("report_on_exercise_clock")),
            report_overdue=d.get("report_overdue"),
        )  # fmt: skip


def cordons_words(v: IncidentView, inner_m2: float | None = None, outer_m2: float | None = None) -> str:
    """The cordons in English as they were made, for the command line and the briefing: ``inner 100 m,
    outer 300 m`` (radii; ``... around the drawn area`` when an area is drawn), a cordon drawn by hand
    said so (``inner drawn by hand (3.1 ha)``); each with its area when it is known."""

    def one(name: str, drawn: bool, radius_m: float, m2: float | None) -> str:
        size = f" ({m2 / 1e4:,.1f} ha)" if m2 is not None else ""
        return f"{name} drawn by hand{size}" if drawn else f"{name} {radius_m:g} m{size}"

    text = (
        f"{one('inner', v.inner_drawn, v.inner_radius_m, inner_m2)}, "
        f"{one('outer', v.outer_drawn, v.outer_radius_m, outer_m2)}"
    )
    if v.area_wkt and not (v.inner_drawn and v.outer_drawn):
        text += " around the drawn area"
    return text


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t is not None else None


def _from_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def view(incident: Incident, now: dt.datetime | None = None) -> IncidentView:
    """The incident as the screens and commands show it; ``now`` (the wall time it is read at) says
    whether its reporting deadline has passed."""
    due, on_exercise_clock, overdue = report_due(incident, now)
    return IncidentView(
        id=incident.id,
        type_code=incident.type_code,
        type_name=incident.type_name,
        category=incident.category,
        level=incident.level,
        colour=incident.colour,
        status=incident.status,
        title=incident.title,
        description=incident.description,
        objectives=tuple(line for line in (incident.objectives or "").splitlines() if line.strip()),
        x=incident.x,
        y=incident.y,
        area_wkt=incident.area.wkt if incident.area is not None else None,
        inner_radius_m=incident.inner_radius_m,
        outer_radius_m=incident.outer_radius_m,
        drawn_cordons=incident.inner_cordon is not None or incident.outer_cordon is not None,
        inner_drawn=incident.inner_cordon is not None,
        outer_drawn=incident.outer_cordon is not None,
        cell=incident.cell_code,
        district=incident.district_code,
        commander=incident.commander,
        opened_at=incident.opened_at,
        responding_at=incident.responding_at,
        contained_at=incident.contained_at,
        closed_at=incident.closed_at,
        case_id=incident.case_id,
        exercise=incident.exercise,
        report_due_at=due,
        next_statuses=tuple(st.target.value for st in STATUS_STEPS if st.source == incident.status),
        exercise_id=incident.exercise_id,
        report_on_exercise_clock=on_exercise_clock,
        report_overdue=overdue,
    )


def report_due(
    incident: Incident, now: dt.datetime | None = None
) -> tuple[dt.datetime | None, bool, bool | None]:
    """When a level I/II incident's report to the State Council is due, whether that is on its
    exercise's clock, and whether it has passed at the wall time ``now`` (None when not asked).

    An exercise incident's deadline runs on its exercise's clock: at 60x the four hours pass in four
    wall minutes, and a paused exercise holds them. Its time is the exercise clock's, counted from the
    exercise time its level was set at (read back from the exercise's running stretches). An incident
    whose exercise is not known here (opened by hand as an exercise) keeps the wall clock."""
    if IncidentLevel(incident.level) not in (IncidentLevel.I, IncidentLevel.II):
        return None, False, None
    ex = _exercise_of(incident)
    if ex is None:
        due = incident.level_set_at + REPORT_WITHIN
        return due, False, None if now is None else now > due
    due_s = xclock.scenario_at_or_start(ex, incident.level_set_at) + REPORT_WITHIN.total_seconds()
    overdue = None if now is None else xclock.scenario_seconds(ex, now) > due_s
    return xclock.clock_time(ex, due_s), True, overdue


def _exercise_of(incident: Incident) -> Exercise | None:
    if incident.exercise_id is None:
        return None
    session = object_session(incident)
    return None if session is None else session.get(Exercise, incident.exercise_id)


# --- helpers ------------------------------------------------------------------------------------------


def get_incident(session: Session, incident_id: int, *, for_update: bool = False) -> Incident:
    stmt = select(Incident).where(Incident.id == int(incident_id))
    if for_update:
        stmt = stmt.with_for_update()
    incident = session.execute(stmt).scalar_one_or_none()
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def require_open(incident: Incident, doing: str) -> None:
    if incident.status == IncidentStatus.CLOSED:
        raise IncidentRefused(f"incident {incident.id} is closed: cannot {doing}")


def parse_level(level: str | IncidentLevel) -> IncidentLevel:
    text = str(level).strip().upper()
    text = {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(text, text)
    try:
        return IncidentLevel(text)
    except ValueError:
        raise IncidentRefused(
            f"unknown response level {level!r} (I, II, III or IV; I is the highest)"
        ) from None


def _polygon(geom, what: str):
    if geom is None:
        return None
    if isinstance(geom, str):
        try:
            geom = shapely.from_wkt(geom)
        except shapely.errors.GEOSException as exc:
            raise GeometryError(f"{what}: not a WKT geometry ({exc})") from None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"{what} must be a polygon, got {geom.geom_type}")
    if not geom.is_valid:
        # Refused, not repaired: a self-crossing outline repaired into two triangles would put a
        # cordon where the commander did not draw it, without a word.
        raise GeometryError(f"{what} is not a valid polygon: {shapely.is_valid_reason(geom)}")
    if geom.area <= 0:
        raise GeometryError(f"{what} has no area")
    return geom


def _radii(
    kind: IncidentType, inner: float | None, outer: float | None, has_area: bool
) -> tuple[float, float]:
    """Radii with the type's defaults; given only the inner, the outer keeps the type's proportion."""
    if inner is None and outer is None:
        inner, outer = kind.inner_m, kind.outer_m
    elif inner is None:
        inner = min(kind.inner_m, float(outer))
    elif outer is None:
        outer = float(inner) * kind.outer_m / kind.inner_m
    inner, outer = float(inner), float(outer)
    if inner < 0 or (inner == 0 and not has_area):
        raise IncidentRefused(f"the inner cordon radius must be above 0 m (got {inner:g})")
    if outer < inner:
        raise IncidentRefused(
            f"the outer cordon radius ({outer:g} m) is smaller than the inner one ({inner:g} m)"
        )
    if outer > 50_000:
        raise IncidentRefused(f"an outer cordon of {outer:g} m is beyond the city: at most 50,000 m")
    return inner, outer


def _place(index: ImpactIndex, x: float | None, y: float | None, area) -> tuple[float, float, str | None]:
    """The site point and its cell: the given point, or a drawn area's representative point."""
    if x is None or y is None:
        if area is None:
            raise IncidentRefused("an incident needs a point (x, y) or a drawn area")
        p = area.representative_point()
        x, y = p.x, p.y
    cell = index.locate(x, y)
    if cell is None and area is not None:
        cell = index.main_cell(area)
    if cell is None:
        minx, miny, maxx, maxy = index.bounds()
        raise OutsideCity(
            f"point ({x:.1f}, {y:.1f}) is outside the city (cells cover x {minx:.0f}..{maxx:.0f}, "
            f"y {miny:.0f}..{maxy:.0f} in the city CRS); draw an area over the city to open it there"
        )
    return float(x), float(y), cell


def _subject(incident_id: int) -> str:
    return f"incident/{incident_id}"


def record(
    session: Session,
    incident: Incident,
    actor: Actor,
    at: dt.datetime,
    kind: str,
    payload: dict,
    *,
    district: str | None = None,
) -> int:
    """Append the incident's journal event; ``district`` overrides the incident's (dispatch to a unit's)."""
    return journal.append(
        session,
        journal.NewEvent(
            kind=f"incident.{kind}",
            actor=actor.name,
            at=at,
            subject=_subject(incident.id),
            district_code=district or incident.district_code,
            payload={"role": actor.role.value, **payload},
        ),
    )


def log_line(
    session: Session,
    incident: Incident,
    actor: Actor,
    at: dt.datetime,
    text: str,
    kind: str,
    task_id: int | None = None,
) -> IncidentLogEntry:
    entry = IncidentLogEntry(
        incident_id=incident.id,
        at=at,
        actor=actor.name,
        role=actor.role.value,
        kind=kind,
        text=text,
        task_id=task_id,
    )
    session.add(entry)
    return entry


def _case_changes(incident: Incident) -> frozenset[int]:
    return frozenset({incident.case_id}) if incident.case_id is not None else frozenset()


# --- opening -----------------------------------------------------------------------------------------


def open_incident(
    session: Session,
    clock: Clock,
    actor: Actor,
    index: ImpactIndex,
    *,
    type_code: str,
    level: str = "IV",
    x: float | None = None,
    y: float | None = None,
    area=None,
    inner_radius_m: float | None = None,
    outer_radius_m: float | None = None,
    inner_cordon=None,
    outer_cordon=None,
    title: str = "",
    description: str = "",
    objectives: Iterable[str] | None = None,
    exercise: bool = False,
    case_id: int | None = None,
    exercise_id: int | None = None,
) -> tuple[IncidentView, Changes]:
    """Open an incident at a point or over a drawn area (WKT or shapely), with default cordons from its
    type. ``exercise_id``: an exercise's inject opened it (it is then an exercise incident)."""
    exercise = exercise or exercise_id is not None
    require_role(actor, OPEN_ROLES, "open an incident")
    kind = incident_type(type_code)
    lvl = parse_level(level)
    area = _polygon(area, "the incident area")
    inner_cordon = _polygon(inner_cordon, "the inner cordon")
    outer_cordon = _polygon(outer_cordon, "the outer cordon")
    inner_r, outer_r = _radii(
        kind, inner_radius_m, outer_radius_m, area is not None or inner_cordon is not None
    )
    x, y, cell = _place(index, x, y, area)
    now = clock.now()
    incident = Incident(
        id=free_id(session, Incident.__table__),  # never a purged exercise incident's id
        type_code=kind.code,
        type_name=kind.name,
        category=kind.category.value,
        level=lvl.value,
        level_set_at=now,
        colour=LEVEL_COLOUR[lvl].value,
        status=IncidentStatus.REPORTED.value,
        title=title or f"{kind.name}",
        description=description,
        objectives="\n".join(objectives if objectives is not None else kind.objectives),
        x=x,
        y=y,
        area=area,
        inner_radius_m=inner_r,
        outer_radius_m=outer_r,
        inner_cordon=inner_cordon,
        outer_cordon=outer_cordon,
        cell_code=cell,
        district_code=cell[:6] if cell else None,
        commander=actor.name,
        opened_at=now,
        case_id=case_id,
        exercise=exercise,
        exercise_id=exercise_id,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    session.add(
        IncidentRole(
            incident_id=incident.id,
            position=IcsPosition.COMMANDER.value,
            person=actor.name,
            assigned_at=now,
            assigned_by=actor.name,
        )
    )
    log_line(
        session,
        incident,
        actor,
        now,
        f"事件开启 Incident opened: {kind.name} / {kind.name_en}, level {lvl.value} ({LEVEL_COLOUR[lvl].value})",
        "status",
    )
    seq = record(
        session,
        incident,
        actor,
        now,
        "opened",
        {
            "type": kind.code,
            "type_name": kind.name,
            "category": kind.category.value,
            "level": lvl.value,
            "colour": LEVEL_COLOUR[lvl].value,
            "x": x,
            "y": y,
            "area": area.wkt if area is not None else None,
            "inner_radius_m": inner_r,
            "outer_radius_m": outer_r,
            "inner_cordon": inner_cordon.wkt if inner_cordon is not None else None,
            "outer_cordon": outer_cordon.wkt if outer_cordon is not None else None,
            "cell": cell,
            "title": incident.title,
            "case_id": case_id,
            "exercise": exercise,
            **({"exercise_id": exercise_id} if exercise_id is not None else {}),
        },
    )
    session.flush()
    return view(incident, now), Changes(cases=_case_changes(incident), journal_seq=seq)


def escalate_case(
    session: Session,
    clock: Clock,
    actor: Actor,
    index: ImpactIndex,
    case_id: int,
    *,
    type_code: str | None = None,
    level: str = "IV",
    inner_radius_m: float | None = None,
    outer_radius_m: float | None = None,
) -> tuple[IncidentView, Changes]:
    """Open an incident from an everyday case in one action, linked both ways.

    The incident keeps ``case_id``; the case's side is a ``case.escalated`` event on ``case/<id>``
    (the case's own table belongs to the everyday loop and is left as it is; the case keeps going
    round its loop). A case is escalated at most once; a finished case cannot be.
    """
    require_role(actor, OPEN_ROLES, "escalate a case to an incident")
    case = session.execute(select(Case).where(Case.id == int(case_id)).with_for_update()).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no case {case_id}")
    if case.state in FINISHED_CASE_STATES:
        raise IncidentRefused(f"case {case.id} is {case.state}: only an open case can be escalated")
    existing = session.scalar(select(Incident.id).where(Incident.case_id == case.id))
    if existing is not None:
        raise IncidentRefused(f"case {case.id} is already escalated to incident {existing}")
    kind = incident_type(type_code) if type_code else for_event_type(case.type_code) or incident_type("0499")
    text = f"由案件 {case.id} 升级 Escalated from case {case.id}" + (
        f": {case.description}" if case.description else ""
    )
    incident_view, changes = open_incident(
        session,
        clock,
        actor,
        index,
        type_code=kind.code,
        level=level,
        x=case.x,
        y=case.y,
        inner_radius_m=inner_radius_m,
        outer_radius_m=outer_radius_m,
        description=text,
        case_id=case.id,
        # An exercise's case escalated by a player opens an incident of that exercise, kept apart alike.
        exercise_id=case.exercise_id,
    )
    seq = journal.append(
        session,
        journal.NewEvent(
            kind=ESCALATED_KIND,
            actor=actor.name,
            at=clock.now(),
            subject=f"case/{case.id}",
            district_code=case.district_code,
            # "from"/"to" as every case event has them: escalation leaves the case's state as it is.
            payload={
                "role": actor.role.value,
                "from": case.state,
                "to": case.state,
                "incident": incident_view.id,
                "incident_type": kind.code,
                "level": incident_view.level,
                "note": text,
            },
        ),
    )
    return incident_view, Changes(cases=frozenset({case.id}), journal_seq=max(seq, changes.journal_seq))


def incident_for_case(session: Session, case_id: int) -> int | None:
    """The incident a case was escalated to, read from the case's side of the link (its journal)."""
    row = session.execute(
        select(JournalEvent.payload)
        .where(JournalEvent.subject == f"case/{int(case_id)}", JournalEvent.kind == ESCALATED_KIND)
        .order_by(JournalEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    return int(row["incident"]) if row else None


# --- changing ----------------------------------------------------------------------------------------


def set_status(
    session: Session, clock: Clock, actor: Actor, incident_id: int, status: str, note: str = ""
) -> tuple[IncidentView, Changes]:
    incident = get_incident(session, incident_id, for_update=True)
    step = STATUS_TABLE.step_to(incident.status, status, actor.role)
    if step.needs_note and not note.strip():
        raise IncidentRefused(f"to {step.action} a {incident.status} incident, say why (a note)")
    if step.target == IncidentStatus.CLOSED:
        # Resources are tracked to completion: nobody is left out on a closed incident.
        working = session.scalars(
            select(DispatchTask.id).where(
                DispatchTask.incident_id == incident.id, DispatchTask.status.not_in(("done", "cancelled"))
            )
        ).all()
        if working:
            raise IncidentRefused(
                f"incident {incident.id} still has open tasks ({', '.join(map(str, working))}): "
                "finish or cancel them before closing"
            )
    now = clock.now()
    before = incident.status
    incident.status = step.target.value
    if step.stamp:
        setattr(incident, step.stamp, now)
    incident.updated_at = now
    text = f"状态 Status: {before} -> {step.target.value}" + (f" ({note})" if note else "")
    log_line(session, incident, actor, now, text, "status")
    seq = record(
        session,
        incident,
        actor,
        now,
        "status",
        {"action": step.action, "from": before, "to": step.target.value, "note": note},
    )
    session.flush()
    return view(incident, now), Changes(cases=_case_changes(incident), journal_seq=seq)


def set_level(
    session: Session, clock: Clock, actor: Actor, incident_id: int, level: str, note: str = ""
) -> tuple[IncidentView, Changes]:
    """Raise or lower the response level; the 4-hour report clock of I/II starts when it is set."""
    require_role(actor, _COMMAND, "change an incident's level")
    incident = get_incident(session, incident_id, for_update=True)
    require_open(incident, "change its level")
    lvl = parse_level(level)
    if lvl.value == incident.level:
        return view(incident, clock.now()), Changes()
    now = clock.now()
    before = incident.level
    incident.level, incident.colour, incident.level_set_at = lvl.value, LEVEL_COLOUR[lvl].value, now
    incident.updated_at = now
    log_line(
        session,
        incident,
        actor,
        now,
        f"级别 Level: {before} -> {lvl.value}" + (f" ({note})" if note else ""),
        "status",
    )
    seq = record(
        session,
        incident,
        actor,
        now,
        "level",
        {"from": before, "to": lvl.value, "colour": incident.colour, "note": note},
    )
    session.flush()
    return view(incident, now), Changes(journal_seq=seq)


def change_area(
    session: Session,
    clock: Clock,
    actor: Actor,
    index: ImpactIndex,
    incident_id: int,
    *,
    x: float | None = None,
    y: float | None = None,
    area=None,
    inner_radius_m: float | None = None,
    outer_radius_m: float | None = None,
    inner_cordon=None,
    outer_cordon=None,
    clear_drawn: bool = False,
) -> tuple[IncidentView, Changes]:
    """Move the site, redraw the area or cordons, or change the radii; the impact is then recomputed.

    Values not given stay as they are; ``clear_drawn`` drops drawn cordons so the radii apply again.
    """
    require_role(actor, _CENTRE, "change an incident's area")
    incident = get_incident(session, incident_id, for_update=True)
    require_open(incident, "change its area")
    kind = incident_type(incident.type_code)
    if area is not None:  # a redrawn area, at the given point or its own representative point
        new_area = _polygon(area, "the incident area")
        px, py = x, y
    elif x is not None and y is not None:  # a new point replaces a drawn area
        new_area, px, py = None, x, y
    else:
        new_area, px, py = incident.area, incident.x, incident.y
    inner_c = None if clear_drawn else incident.inner_cordon
    outer_c = None if clear_drawn else incident.outer_cordon
    if inner_cordon is not None:
        inner_c = _polygon(inner_cordon, "the inner cordon")
    if outer_cordon is not None:
        outer_c = _polygon(outer_cordon, "the outer cordon")
    inner_r = incident.inner_radius_m if inner_radius_m is None else inner_radius_m
    outer_r = incident.outer_radius_m if outer_radius_m is None else outer_radius_m
    if outer_radius_m is None and outer_r < inner_r:  # a grown inner cordon pushes the outer one out
        outer_r = inner_r * kind.outer_m / kind.inner_m
    inner_r, outer_r = _radii(kind, inner_r, outer_r, new_area is not None or inner_c is not None)
    px, py, cell = _place(index, px, py, new_area)
    now = clock.now()
    incident.x, incident.y, incident.area = px, py, new_area
    incident.inner_radius_m, incident.outer_radius_m = inner_r, outer_r
    incident.inner_cordon, incident.outer_cordon = inner_c, outer_c
    incident.cell_code = cell
    incident.updated_at = now
    log_line(
        session, incident, actor, now, f"区域 Area changed: cordons {inner_r:g} m / {outer_r:g} m", "area"
    )
    seq = record(
        session,
        incident,
        actor,
        now,
        "area",
        {
            "x": px,
            "y": py,
            "area": new_area.wkt if new_area is not None else None,
            "inner_radius_m": inner_r,
            "outer_radius_m": outer_r,
            "inner_cordon": inner_c.wkt if inner_c is not None else None,
            "outer_cordon": outer_c.wkt if outer_c is not None else None,
            "cell": cell,
        },
    )
    session.flush()
    return view(incident, now), Changes(journal_seq=seq)


# --- ICS positions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleHolder:
    position: str
    person: str
    agency: str
    assigned_at: dt.datetime
    assigned_by: str

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "person": self.person,
            "agency": self.agency,
            "assigned_at": _iso(self.assigned_at),
            "assigned_by": self.assigned_by,
        }

    @classmethod
    def from_dict(cls, d: dict) -> RoleHolder:
        return cls(d["position"], d["person"], d["agency"], _from_iso(d["assigned_at"]), d["assigned_by"])


def parse_position(position: str) -> IcsPosition:
    try:
        return IcsPosition(position.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in IcsPosition)
        raise IncidentRefused(f"unknown ICS position {position!r} (one of {known})") from None


def assign_role(
    session: Session,
    clock: Clock,
    actor: Actor,
    incident_id: int,
    position: str,
    person: str,
    agency: str = "",
) -> tuple[RoleHolder, Changes]:
    """Put a person in an ICS position, relieving the one who held it; the commander position transfers
    command (the incident's ``commander``)."""
    require_role(actor, _COMMAND, "assign ICS positions")
    pos = parse_position(position)
    person = (person or "").strip()
    if not person:
        raise IncidentRefused("name the person to assign")
    incident = get_incident(session, incident_id, for_update=True)
    require_open(incident, "assign positions")
    now = clock.now()
    for held in session.scalars(
        select(IncidentRole).where(
            IncidentRole.incident_id == incident.id,
            IncidentRole.position == pos.value,
            IncidentRole.relieved_at.is_(None),
        )
    ):
        held.relieved_at = now
    holder = IncidentRole(
        incident_id=incident.id,
        position=pos.value,
        person=person,
        agency=agency,
        assigned_at=now,
        assigned_by=actor.name,
    )
    session.add(holder)
    if pos == IcsPosition.COMMANDER:
        incident.commander = person
    incident.updated_at = now
    log_line(
        session,
        incident,
        actor,
        now,
        f"任命 Assigned {pos.value}: {person}" + (f" ({agency})" if agency else ""),
        "role",
    )
    seq = record(
        session, incident, actor, now, "role", {"position": pos.value, "person": person, "agency": agency}
    )
    session.flush()
    return RoleHolder(pos.value, person, agency, now, actor.name), Changes(journal_seq=seq)


def organisation(session: Session, incident_id: int) -> tuple[RoleHolder, ...]:
    """Current holders of the ICS positions, in the order of the ICS chart."""
    order = {p.value: i for i, p in enumerate(IcsPosition)}
    rows = session.scalars(
        select(IncidentRole).where(
            IncidentRole.incident_id == int(incident_id), IncidentRole.relieved_at.is_(None)
        )
    ).all()
    return tuple(
        RoleHolder(r.position, r.person, r.agency, r.assigned_at, r.assigned_by)
        for r in sorted(rows, key=lambda r: (order.get(r.position, 99), r.assigned_at))
    )


# --- the significant-events log ----------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    id: int
    at: dt.datetime
    actor: str
    role: str
    kind: str
    text: str
    task_id: int | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "at": _iso(self.at),
            "actor": self.actor,
            "role": self.role,
            "kind": self.kind,
            "text": self.text,
            "task_id": self.task_id,
        }

    @classmethod
    def from_dict(cls, d: dict) -> LogLine:
        return cls(
            int(d["id"]), _from_iso(d["at"]), d["actor"], d["role"], d["kind"], d["text"], d["task_id"]
        )


def add_log(
    session: Session, clock: Clock, actor: Actor, incident_id: int, text: str, task_id: int | None = None
) -> tuple[LogLine, Changes]:
    """A significant event, by anyone on the incident; optionally about one of its tasks."""
    text = (text or "").strip()
    if not text:
        raise IncidentRefused("a log entry needs text")
    incident = get_incident(session, incident_id)
    require_open(incident, "add to its log")
    if task_id is not None:
        task = session.get(DispatchTask, int(task_id))
        if task is None or task.incident_id != incident.id:
            raise IncidentRefused(f"task {task_id} is not a task of incident {incident.id}")
    now = clock.now()
    entry = log_line(session, incident, actor, now, text, "note", task_id)
    session.flush()
    seq = record(session, incident, actor, now, "log", {"text": text, "task_id": task_id, "entry": entry.id})
    return (
        LogLine(entry.id, entry.at, entry.actor, entry.role, entry.kind, entry.text, entry.task_id),
        Changes(journal_seq=seq),
    )


def read_log(session: Session, incident_id: int) -> tuple[LogLine, ...]:
    get_incident(session, incident_id)
    rows = session.scalars(
        select(IncidentLogEntry)
        .where(IncidentLogEntry.incident_id == int(incident_id))
        .order_by(IncidentLogEntry.at, IncidentLogEntry.id)
    )
    return tuple(LogLine(e.id, e.at, e.actor, e.role, e.kind, e.text, e.task_id) for e in rows)


# --- reading -----------------------------------------------------------------------------------------


def list_incidents(
    session: Session,
    *,
    status: str | None = None,
    include_closed: bool = True,
    exercises: str = "include",
    now: dt.datetime | None = None,
) -> list[IncidentView]:
    """Incidents, newest first. Exercise incidents stay on the board with the real ones by default (the
    players work them; each says ``exercise``); ``exercises`` leave or only takes real or exercise ones.
    ``now``: the wall time they are read at, for whether each reporting deadline has passed."""
    stmt = select(Incident).order_by(Incident.opened_at.desc(), Incident.id.desc())
    cond = exercise_condition(exercises, Incident.exercise)
    if cond is not None:
        stmt = stmt.where(cond)
    if status:
        try:
            stmt = stmt.where(Incident.status == IncidentStatus(status).value)
        except ValueError:
            raise IncidentRefused(
                f"unknown incident status {status!r} (one of {', '.join(s.value for s in IncidentStatus)})"
            ) from None
    elif not include_closed:
        stmt = stmt.where(Incident.status != IncidentStatus.CLOSED.value)
    return [view(i, now) for i in session.scalars(stmt)]


@dataclass(frozen=True)
class TimelineEvent:
    seq: int
    at: dt.datetime
    kind: str
    actor: str
    subject: str
    summary: str
    payload: dict

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "at": _iso(self.at),
            "kind": self.kind,
            "actor": self.actor,
            "subject": self.subject,
            "summary": self.summary,
            "payload": self.payload,
        }


def _summary(kind: str, p: dict) -> str:
    match kind:
        case "incident.opened":
            return f"opened: {p.get('type_name', p.get('type'))}, level {p.get('level')}"
        case "incident.status":
            return f"status {p.get('from')} -> {p.get('to')}" + (f": {p['note']}" if p.get("note") else "")
        case "incident.level":
            return f"level {p.get('from')} -> {p.get('to')}"
        case "incident.area":
            return f"area changed: cordons {p.get('inner_radius_m'):g} m / {p.get('outer_radius_m'):g} m"
        case "incident.role":
            return f"{p.get('position')}: {p.get('person')}"
        case "incident.log":
            return str(p.get("text", ""))
        case "incident.dispatched":
            return f"dispatched {p.get('unit')} (order {p.get('order_id')})"
        case "incident.task_acknowledged":
            return f"order {p.get('order_id')} acknowledged"
        case "incident.task":
            return f"task {p.get('task_id')} {p.get('from')} -> {p.get('to')}"
        case "case.escalated":
            return f"case escalated to incident {p.get('incident')}"
    if kind.startswith("case."):
        return f"case {kind.split('.', 1)[1]}: {p.get('from')} -> {p.get('to')}"
    return kind


def timeline(session: Session, incident_id: int) -> list[TimelineEvent]:
    """The incident as the journal tells it, oldest first, with the linked case's events interleaved."""
    incident = get_incident(session, incident_id)
    subjects = [_subject(incident.id)]
    if incident.case_id is not None:
        subjects.append(f"case/{incident.case_id}")
    rows = session.scalars(
        select(JournalEvent)
        .where(or_(*(JournalEvent.subject == s for s in subjects)))
        .order_by(JournalEvent.seq)
    )
    return [
        TimelineEvent(
            e.seq, e.at, e.kind, e.actor, e.subject, _summary(e.kind, e.payload or {}), e.payload or {}
        )
        for e in rows
    ]
