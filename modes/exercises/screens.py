"""What the console shows of exercises, read in one place: the banner every page carries while an
exercise is on (with the injects waiting for this player's acknowledgement), the controller page's
MSEL table, notes and improvement plan, the choices of its ad-hoc inject form, and which records an
exercise made (the queue and the case panel mark them).

Plain reads that return frozen objects; the console runs them in its workers. On a console attached to
a node the rows come from the replica, which holds no journal: the inject progress (actioned, met) is
then the node's ``query.exercise`` answer, passed in as ``progress``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import RescueUnit, UnitStatus
from data.exercise_models import Exercise, ExerciseInject, ExerciseNote, ImprovementItem, InjectState
from data.models import CameraStatus, Case, ComponentState, District, EventType, Role
from modes.common import exercise_clock as xclock
from modes.exercises.exercises import ACTIVE, NOTE_KINDS, builtin_names, ends_at_s, load_scenario
from modes.exercises.kinds import CHANNELS
from modes.exercises.listing import ActiveExercise, active_exercise
from modes.exercises.liveness import DriverState, driver_state
from modes.exercises.msel import ALARM_KINDS, KINDS
from modes.exercises.progress import inject_progress

# The kinds a player acknowledges by hand: the others make a record the player acts on.
ACKNOWLEDGED_KINDS = ("message", "asset", "unit")
_RECIPIENTS = re.compile(r"[,;/，；、]")


# --- the banner ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxInject:
    """A delivered message, asset or unit inject addressed to this player, not yet acknowledged."""

    exercise_id: int
    no: str
    kind: str
    sender: str
    recipient: str
    message: str
    condition: str  # what an asset or unit inject announces: "230102-C0002 fault" ("" for a message)
    delivered_at: dt.datetime | None


@dataclass(frozen=True)
class BannerState:
    """The exercise that is on (None when none is), read at wall time ``read_at``, and this player's
    injects waiting for an acknowledgement, newest first."""

    active: ActiveExercise | None
    read_at: dt.datetime
    inbox: tuple[InboxInject, ...] = ()

    def clock_s(self, wall: dt.datetime) -> float:
        """Scenario seconds at ``wall``: the clock read, run on locally while the exercise runs."""
        a = self.active
        if a is None:
            return 0.0
        if a.state != "running":
            return a.clock_s
        return a.clock_s + max(0.0, (wall - self.read_at).total_seconds()) * a.speed

    def clock_time(self, wall: dt.datetime) -> dt.datetime | None:
        a = self.active
        if a is None:
            return None
        return a.clock_time + dt.timedelta(seconds=self.clock_s(wall) - a.clock_s)


def addressed_to(recipient: str, login: str, role: str) -> bool:
    """Whether an inject's ``To`` names this player: their login or their role, alone or in a list."""
    login = (login or "").strip().lower()
    own = Role.spelling(role) if role else None
    for part in _RECIPIENTS.split(recipient or ""):
        part = part.strip()
        if part and (part.lower() == login or (own is not None and Role.spelling(part) is own)):
            return True
    return False


def _condition(inj: ExerciseInject) -> str:
    p = inj.params or {}
    if inj.kind == "asset":
        return f"{p.get('asset', '')} {p.get('status', '')}".strip()
    if inj.kind == "unit":
        return f"{p.get('unit', '')} {p.get('status', '')}".strip()
    return ""


def banner_state(session: Session, wall: dt.datetime, login: str = "", role: str = "") -> BannerState:
    """The banner's exercise and, for the player ``login`` (role ``role``), the delivered message, asset
    and unit injects addressed to them that nobody has acknowledged yet."""
    active = active_exercise(session, wall)
    if active is None:
        return BannerState(None, wall)
    inbox: list[InboxInject] = []
    if login or role:
        rows = session.scalars(
            select(ExerciseInject)
            .where(
                ExerciseInject.exercise_id == active.id,
                ExerciseInject.state == InjectState.DELIVERED.value,
                ExerciseInject.kind.in_(ACKNOWLEDGED_KINDS),
                ExerciseInject.acknowledged_at.is_(None),
            )
            .order_by(ExerciseInject.position.desc())
        )
        inbox = [
            InboxInject(
                active.id, i.no, i.kind, i.sender, i.recipient, i.message, _condition(i), i.delivered_at
            )
            for i in rows
            if addressed_to(i.recipient, login, role)
        ]
    return BannerState(active, wall, tuple(inbox))


# --- the controller page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseSummary:
    id: int
    scenario: str
    title: str
    title_zh: str
    state: str
    demo: bool
    speed: float
    clock_s: float
    clock_time: dt.datetime
    started_at: dt.datetime
    started_by: str
    ended_at: dt.datetime | None
    objectives: tuple[str, ...]
    ends_s: float | None = None  # the scenario second it ends by itself at (None: a person ends it)

    @property
    def on(self) -> bool:
        return self.state in ACTIVE


@dataclass(frozen=True)
class MselRows:
    """The MSEL of one exercise as columns (thousands of rows: a table model reads them by index)."""

    no: np.ndarray  # object (str)
    time_s: np.ndarray  # float64, scenario seconds
    kind: np.ndarray
    recipient: np.ndarray
    message: np.ndarray
    expected: np.ndarray
    within_min: np.ndarray  # float64, NaN where no limit
    state: np.ndarray  # the progress: pending | delivered | acknowledged | actioned | refused | skipped
    met: np.ndarray  # int8: 1 met, 0 missed, -1 not decided
    acted_by: np.ndarray  # who acknowledged or actioned it ("" when nobody yet)
    response_min: np.ndarray  # float64 exercise minutes from delivery to the action, NaN when none
    refusal: np.ndarray  # why its command was refused ("" when it was not)
    awaiting_ack: np.ndarray  # bool: delivered and not acknowledged by hand yet (the Acknowledge button)

    def __len__(self) -> int:
        return len(self.no)

    def row_of(self, no: str) -> int:
        hits = np.flatnonzero(self.no == no)
        return int(hits[0]) if len(hits) else -1


@dataclass(frozen=True)
class NoteView:
    id: int
    inject_no: str | None
    kind: str
    text: str
    author: str
    at: dt.datetime
    clock_s: float | None


@dataclass(frozen=True)
class ImprovementView:
    id: int
    objective: str
    issue: str
    action: str
    owner: str
    due: dt.date | None
    author: str


@dataclass(frozen=True)
class ControllerView:
    exercise: ExerciseSummary
    read_at: dt.datetime
    rows: MselRows
    notes: tuple[NoteView, ...]
    improvements: tuple[ImprovementView, ...]
    counts: Mapping[str, int]  # progress state -> injects
    met: int
    missed: int
    driver: DriverState | None = None  # whether a driver ticks it (None: the node did not say)


def shown_exercise_id(session: Session, exercise_id: int | None = None) -> int | None:
    """The exercise the controller page shows: ``exercise_id`` when it exists, else the one that is on,
    else the last one run (its results stay on the page after ENDEX); None when there is none."""
    if exercise_id is not None:
        return session.scalar(select(Exercise.id).where(Exercise.id == int(exercise_id)))
    on = session.scalar(
        select(Exercise.id).where(Exercise.state.in_(ACTIVE)).order_by(Exercise.id.desc()).limit(1)
    )
    return on if on is not None else session.scalar(select(Exercise.id).order_by(Exercise.id.desc()).limit(1))


def _summary(session: Session, ex: Exercise, wall: dt.datetime) -> ExerciseSummary:
    s = xclock.scenario_seconds(ex, wall)
    return ExerciseSummary(
        ex.id, ex.scenario, ex.title, ex.title_zh, ex.state, ex.demo, ex.speed, s, xclock.clock_time(ex, s),
        ex.started_at, ex.started_by, ex.ended_at, tuple(str(o) for o in ex.objectives or ()),
        ends_at_s(session, ex),
    )  # fmt: skip


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _met_code(value: Any) -> int:
    return -1 if value is None else int(bool(value))


def controller_view(
    session: Session,
    wall: dt.datetime,
    exercise_id: int | None = None,
    progress: Sequence[Mapping[str, Any]] | None = None,
    driver: DriverState | None = None,
) -> ControllerView | None:
    """The controller page of ``exercise_id`` (by default the exercise that is on, else the last one),
    None when the city has run none. ``progress`` and ``driver``: the node's ``query.exercise`` injects
    and driver, for a replica that holds no journal to judge them from and no driver's heartbeat
    (``modes.exercises.liveness`` keeps it where the exercise runs)."""
    shown = shown_exercise_id(session, exercise_id)
    if shown is None:
        return None
    ex = session.get(Exercise, shown)
    injects = list(
        session.scalars(
            select(ExerciseInject)
            .where(ExerciseInject.exercise_id == ex.id)
            .order_by(ExerciseInject.position)
        )
    )
    notes = list(
        session.scalars(
            select(ExerciseNote).where(ExerciseNote.exercise_id == ex.id).order_by(ExerciseNote.id)
        )
    )
    if progress is None:
        judged = [
            {
                "state": p.state,
                "met": p.met,
                "by": p.actioned_by or p.acknowledged_by or "",
                "response_min": None if p.response_s is None else p.response_s / 60.0,
            }
            for p in inject_progress(session, ex, injects, wall, notes)
        ]
    else:
        by_no = {str(p.get("no")): p for p in progress}
        judged = []
        for i in injects:
            p = by_no.get(i.no, {})
            judged.append(
                {
                    "state": p.get("state", i.state),
                    "met": p.get("met"),
                    "by": p.get("actioned_by") or p.get("acknowledged_by") or i.acknowledged_by or "",
                    "response_min": p.get("response_min"),
                }
            )
    n = len(injects)

    def column(values: Iterable[Any], dtype: Any = object) -> np.ndarray:
        if dtype is not object:
            return np.fromiter(values, dtype=dtype, count=n)
        out = np.empty(n, dtype=object)
        out[:] = list(values)
        return out

    rows = MselRows(
        no=column(i.no for i in injects),
        time_s=column((i.time_s for i in injects), np.float64),
        kind=column(i.kind for i in injects),
        recipient=column(i.recipient for i in injects),
        message=column(i.message for i in injects),
        expected=column(i.expected_action for i in injects),
        within_min=column((_nan(i.expected_within_min) for i in injects), np.float64),
        state=column(j["state"] for j in judged),
        met=column((_met_code(j["met"]) for j in judged), np.int8),
        acted_by=column(j["by"] for j in judged),
        response_min=column((_nan(j["response_min"]) for j in judged), np.float64),
        refusal=column(i.refusal or "" for i in injects),
        awaiting_ack=column(
            (i.state == InjectState.DELIVERED.value and i.acknowledged_at is None for i in injects), np.bool_
        ),
    )
    counts: dict[str, int] = {}
    for j in judged:
        counts[j["state"]] = counts.get(j["state"], 0) + 1
    improvements = session.scalars(
        select(ImprovementItem).where(ImprovementItem.exercise_id == ex.id).order_by(ImprovementItem.id)
    )
    return ControllerView(
        _summary(session, ex, wall),
        wall,
        rows,
        tuple(NoteView(n.id, n.inject_no, n.kind, n.text, n.author, n.at, n.clock_s) for n in notes),
        tuple(
            ImprovementView(m.id, m.objective, m.issue, m.action, m.owner, m.due, m.author)
            for m in improvements
        ),
        counts,
        met=int((rows.met == 1).sum()),
        missed=int((rows.met == 0).sum()),
        driver=driver_state(session, ex.id, wall) if progress is None else driver,
    )


# --- the start dialog and the ad-hoc inject form ---------------------------------------------------------


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    title: str
    title_zh: str
    injects: int
    duration: str  # the last inject's scenario time, +HH:MM


@dataclass(frozen=True)
class InjectChoices:
    """What the controller's forms offer: the built-in scenarios and the vocabularies an inject names."""

    scenarios: tuple[ScenarioInfo, ...]
    kinds: tuple[str, ...]
    event_types: tuple[tuple[str, str], ...]  # (code, name)
    channels: tuple[str, ...]
    districts: tuple[tuple[str, str], ...]  # (code, name)
    units: tuple[tuple[str, str], ...]  # (id, name)
    unit_statuses: tuple[str, ...]
    asset_statuses: tuple[str, ...]  # a component's states, then a camera's
    alarms: tuple[str, ...]
    note_kinds: tuple[str, ...]


def inject_choices(session: Session) -> InjectChoices:
    scenarios = []
    for name in builtin_names():
        s = load_scenario(name).as_dict()
        scenarios.append(ScenarioInfo(name, s["title"], s["title_zh"], s["injects"], s["duration"]))
    return InjectChoices(
        scenarios=tuple(scenarios),
        kinds=KINDS,
        event_types=tuple(session.execute(select(EventType.code, EventType.name).order_by(EventType.code))),
        channels=CHANNELS,
        districts=tuple(session.execute(select(District.code, District.name).order_by(District.code))),
        units=tuple(session.execute(select(RescueUnit.id, RescueUnit.name).order_by(RescueUnit.id))),
        unit_statuses=tuple(s.value for s in UnitStatus),
        asset_statuses=tuple(
            dict.fromkeys([*(s.value for s in ComponentState), *(s.value for s in CameraStatus)])
        ),
        alarms=tuple(dict.fromkeys(ALARM_KINDS.values())),
        note_kinds=NOTE_KINDS,
    )


# --- records an exercise made ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseTag:
    """The exercise a record belongs to (the mark the queue and the case panel show)."""

    id: int
    title: str
    title_zh: str


def case_exercise(session: Session, case_id: int) -> ExerciseTag | None:
    row = session.execute(
        select(Exercise.id, Exercise.title, Exercise.title_zh)
        .join(Case, Case.exercise_id == Exercise.id)
        .where(Case.id == int(case_id))
    ).first()
    return ExerciseTag(*row) if row is not None else None


def exercise_case_ids(session: Session, case_ids: Sequence[int]) -> frozenset[int]:
    """Which of ``case_ids`` an exercise's inject made (a queue page at a time: a few hundred ids)."""
    ids = [int(i) for i in case_ids]
    if not ids:
        return frozenset()
    return frozenset(session.scalars(select(Case.id).where(Case.id.in_(ids), Case.exercise_id.is_not(None))))
