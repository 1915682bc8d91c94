"""One case as the case panel shows it: its facts with names, its timeline, its stage clocks and the steps
the transition table allows now, with the ones a given person may take.

Read through the case desk (``CaseDesk.view``) so the panel and ``case show`` say the same; the steps a
person may take are the desk's own scope rule, asked rather than restated, so the buttons and the desk
cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.models import Case, Community, Department, District, Street
from modes.common.actor import Actor
from modes.common.escalation import IncidentLink
from modes.everyday.cases import CaseDesk
from modes.everyday.workflow import IllegalTransition


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str
    note: str
    incident: int | None = None  # an escalation: the incident it opened


@dataclass(frozen=True)
class StageClock:
    """One attempt of one stage's clock (``modes.everyday.stage_clocks``); minutes are counted on the
    clock's own time: working minutes when ``working``, clock minutes otherwise."""

    stage: str
    attempt: int  # 1, 2...: a return or a rework starts a stage again on a fresh clock
    attempts: int  # how many attempts the stage has had
    started: dt.datetime | None
    due: dt.datetime | None
    done: dt.datetime | None
    running: bool
    overdue: bool
    working: bool  # counts working time on the city's calendar; False: natural (clock) time
    limit: str  # the limit as configured, e.g. "10 working_minutes" (urgent cases count it naturally)
    elapsed_minutes: float
    remaining_minutes: float | None  # running stages: left until due, negative when past it
    late_minutes: float | None  # finished stages done after their due time: by how much
    on_time: bool | None = None  # done by the due time; None while running or when ended otherwise
    paused: bool = False  # the handling clock of a suspended case
    ended_by: str | None = None  # the step that ended the attempt without completing it (not charged)
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class ActionOption:
    action: str
    roles: tuple[str, ...]
    needs_note: bool


@dataclass(frozen=True)
class CaseDetail:
    id: int
    kind: str
    type_code: str
    type_name: str
    channel: str
    state: str
    urgent: bool
    x: float
    y: float
    cell: str
    community: str
    community_name: str
    street: str
    street_name: str
    district: str
    district_name: str
    department: str | None
    department_name: str
    supervisor: str | None
    component: str | None
    text: str
    reporter: str
    reported_at: dt.datetime
    deadline: dt.datetime | None
    overdue: bool
    closed_at: dt.datetime | None
    closure_kind: str | None
    duplicate_of: int | None
    duplicates: tuple[int, ...]
    satisfaction: str | None
    counts: dict[str, int]
    pending: dict | None
    timeline: tuple[TimelineEntry, ...]
    stages: tuple[StageClock, ...]
    next_actions: tuple[ActionOption, ...]  # every step the table allows now, for any role
    my_actions: tuple[str, ...]  # the ones the person may take
    scope_note: str = ""  # why the person may take none of them although their role could
    exercise_id: int | None = None  # the exercise whose inject reported it: shown EXERCISE, never real
    as_of: dt.datetime | None = None  # the desk's now: the clocks' remaining times are as of it
    incident: IncidentLink | None = None  # the incident the case was escalated to, as it stands now


def case_detail(desk: CaseDesk, case_id: int, person: Actor) -> CaseDetail | None:
    """The case as ``person`` sees it at the desk's now; None when there is no such case."""
    try:
        case_row = desk.get(case_id)
    except NotFound:
        return None
    doc = desk.view(case_row, full=True)
    now = desk.clock.now()
    attempts: dict[str, int] = {}
    for c in doc["stages"]:
        attempts[c["stage"]] = max(attempts.get(c["stage"], 0), c["attempt"])
    stages = tuple(_stage_clock(c, attempts[c["stage"]]) for c in doc["stages"])
    options = tuple(
        ActionOption(a["action"], tuple(a["roles"]), a["needs_note"]) for a in doc["next_actions"]
    )
    mine, scope_note = _my_actions(desk, case_row, options, person)
    names = _names(desk.session, case_row)
    return CaseDetail(
        id=doc["id"],
        kind=doc["kind"],
        type_code=doc["type"],
        type_name=doc["type_name"],
        channel=doc["channel"],
        state=doc["state"],
        urgent=bool(doc["urgent"]),
        x=float(case_row.x),
        y=float(case_row.y),
        cell=doc["cell"],
        community=doc["community"],
        community_name=names["community"],
        street=doc["street"],
        street_name=names["street"],
        district=doc["district"],
        district_name=names["district"],
        department=doc["department"],
        department_name=names["department"],
        supervisor=doc["supervisor"],
        component=doc["component"],
        text=doc["text"] or "",
        reporter=doc["reporter"] or "",
        reported_at=_dt(doc["reported_at"]),
        deadline=_dt(doc["deadline"]),
        overdue=bool(doc["overdue"]),
        closed_at=_dt(doc["closed_at"]),
        closure_kind=doc["closure_kind"],
        duplicate_of=doc["duplicate_of"],
        duplicates=tuple(doc["duplicates"]),
        satisfaction=doc["satisfaction"],
        counts=dict(doc["counts"]),
        pending=doc["pending"],
        timeline=tuple(
            TimelineEntry(
                _dt(h["at"]),
                h["actor"],
                h["role"],
                h["action"],
                h["from"],
                h["to"],
                h["note"] or "",
                h.get("incident"),
            )
            for h in doc["history"]
        ),
        stages=stages,
        next_actions=options,
        my_actions=mine,
        scope_note=scope_note,
        exercise_id=doc["exercise"],
        as_of=now,
        incident=_incident(doc.get("incident")),
    )


def _my_actions(
    desk: CaseDesk, case_row: Case, options: tuple[ActionOption, ...], person: Actor
) -> tuple[tuple[str, ...], str]:
    by_role = [o.action for o in options if person.role.value in o.roles]
    if not by_role:
        return (), ""
    try:
        # The desk's own scope rule (a district login acts in its district, a department on its cases).
        desk._check_scope(case_row, person, by_role[0])
    except IllegalTransition as exc:
        return (), str(exc)
    return tuple(by_role), ""


def _incident(doc: dict | None) -> IncidentLink | None:
    if doc is None:
        return None
    times = ("opened_at", "closed_at", "escalated_at")
    return IncidentLink(**{k: (_dt(v) if k in times else v) for k, v in doc.items()})


def _dt(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _names(s: Session, c: Case) -> dict[str, str]:
    def name(model, code: str | None) -> str:
        if not code:
            return ""
        return s.scalar(select(model.name).where(model.code == code)) or ""

    return {
        "community": name(Community, c.community_code),
        "street": name(Street, c.street_code),
        "district": name(District, c.district_code),
        "department": name(Department, c.department_code),
    }


def _stage_clock(doc: dict, attempts: int) -> StageClock:
    return StageClock(
        stage=doc["stage"],
        attempt=int(doc["attempt"]),
        attempts=attempts,
        started=_dt(doc["started"]),
        due=_dt(doc["due"]),
        done=_dt(doc["done"]),
        running=bool(doc["running"]),
        overdue=bool(doc["overdue"]),
        working=doc["clock"] == "working",
        limit=doc["limit"],
        elapsed_minutes=float(doc["elapsed_minutes"]),
        remaining_minutes=doc["remaining_minutes"],
        late_minutes=doc["late_minutes"],
        on_time=doc["on_time"],
        paused=bool(doc["paused"]),
        ended_by=doc["ended_by"],
        ended_at=_dt(doc["ended_at"]),
    )
