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
from modes.everyday.calendar import WorkingCalendar
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


@dataclass(frozen=True)
class StageClock:
    stage: str
    started: dt.datetime | None
    due: dt.datetime | None
    done: dt.datetime | None
    running: bool
    overdue: bool
    continuous: bool  # urgent cases: clock time, not working time
    remaining_minutes: float | None  # running stages: left until due, negative when past it
    late_minutes: float | None  # finished stages done after their due time: by how much


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


def case_detail(desk: CaseDesk, case_id: int, person: Actor) -> CaseDetail | None:
    """The case as ``person`` sees it at the desk's now; None when there is no such case."""
    try:
        case_row = desk.get(case_id)
    except NotFound:
        return None
    doc = desk.view(case_row, full=True)
    now = desk.clock.now()
    calendar = desk.config.calendar
    stages = tuple(_stage_clock(c, now, calendar, case_row.urgent) for c in doc["stages"])
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
                _dt(h["at"]), h["actor"], h["role"], h["action"], h["from"], h["to"], h["note"] or ""
            )
            for h in doc["history"]
        ),
        stages=stages,
        next_actions=options,
        my_actions=mine,
        scope_note=scope_note,
        exercise_id=doc["exercise"],
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


def _stage_clock(doc: dict, now: dt.datetime, calendar: WorkingCalendar, urgent: bool) -> StageClock:
    due, done = _dt(doc["due"]), _dt(doc["done"])

    def minutes(a: dt.datetime, b: dt.datetime) -> float:
        return (b - a).total_seconds() / 60 if urgent else calendar.working_minutes(a, b)

    remaining = late = None
    if doc["running"] and due is not None:
        remaining = round(minutes(now, due) if now <= due else -minutes(due, now), 1)
    if done is not None and due is not None and done > due:
        late = round(minutes(due, done), 1)
    return StageClock(
        stage=doc["stage"],
        started=_dt(doc["started"]),
        due=due,
        done=done,
        running=bool(doc["running"]),
        overdue=bool(doc["overdue"]),
        continuous=doc["clock"] == "continuous",
        remaining_minutes=remaining,
        late_minutes=late,
    )
