"""Exercises: a scenario run on its own clock, its injects delivered through the command bus, kept apart
from the real city (HSEEP; 应急演练).

- ``start``: a drill coordinator (or the city commander) starts a scenario at a scenario time and a
  speed. The scenario is checked against the city first (``check_against_city``): an unknown cell,
  type, district, unit or asset refuses it before anything is written, naming the row and column.
- ``tick``: whoever drives the exercise (the console, a node, ``exercise run``) asks for the injects
  that are due; each is delivered as the bus command its kind makes (``inject_command``) inside the
  tick's transaction, so it is delivered once however many drivers ask. The command runs as the
  exercise's simulation cell (``simulation_actor``): in the name of the person who started the
  exercise, with the role the act needs, and its records carry the exercise id (``CallContext``). A
  refused command is written on the inject and the exercise goes on.
- ``asset``, ``unit`` and ``message`` injects change nothing real: the condition they announce (a camera
  down, a unit out of service) is the exercise's own, shown to the addressed role on the controller
  page, in ``exercise status`` and in the after-action report.
- ``pause``, ``resume``, ``stop``: the clock; stopping leaves every record as it is. Removing an
  exercise's records is ``purge``, a journaled act of its own (``modes.exercises.purge``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data import journal
from data.city import city_crs, get_meta
from data.errors import InputError, NotFound
from data.exercise_models import (
    Exercise,
    ExerciseInject,
    ExerciseNote,
    ExerciseState,
    ImprovementItem,
    InjectState,
)
from data.geometry import WGS84, transformer
from data.models import (
    Camera,
    CameraStatus,
    Component,
    ComponentState,
    District,
    EventType,
    GridCell,
    JournalEvent,
    Role,
)
from data.spatial import GridIndex
from modes.common import exercise_clock as xclock
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.exercises.kinds import CHANNELS
from modes.exercises.liveness import note_tick
from modes.exercises.msel import (
    MselError,
    Scenario,
    format_scenario_time,
    parse_scenario_time,
    read_row,
    read_scenario,
)

SCENARIO_DIR = Path(__file__).parent / "scenarios"
SIMULATION_PREFIX = "exercise-"  # the journal's actor of an inject's acts: exercise-<id>:<starter>
AT_ONCE_KEY = "exercises_at_once"  # city_meta: how many exercises may run (or be paused) at once
STARTERS = frozenset({Role.DRILL, Role.COMMANDER})
ACTIVE = (ExerciseState.RUNNING.value, ExerciseState.PAUSED.value)
MAX_SPEED = 14400.0  # a 24-hour scenario headless in six minutes
NOTE_KINDS = (
    "observation",
    "strength",
    "improvement",
    "met",
    "missed",
)  # met/missed: an evaluator judges an inject
# The role an inject's command acts with (the simulation cell plays the sender).
_ROLE_OF_KIND = {"report": Role.OPERATOR, "incident": Role.COMMANDER, "alarm": Role.CIVIL_DEFENCE}
_SUPERVISOR_CHANNELS = {"supervisor"}
# When an exercise ends by itself (``Exercise.end_after``): real drills are ended by a person (None); the
# first-run demo once its injects are out; any exercise at a scenario time its starter chose.
END_AFTER_INJECTS = "injects"
END_AFTER_CLOCK = "clock"


class ExerciseRefused(InputError):
    """A request the exercise rules refuse (wrong state, wrong role, a second exercise...)."""


# --- scenarios -----------------------------------------------------------------------------------------


def builtin_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


@cache
def _builtin(name: str) -> Scenario:
    # Read once a process: the built-in files ship with the package, and the console's forms and
    # ``exercise list`` ask for all of them (the busy day is 2,003 rows).
    return read_scenario(SCENARIO_DIR / f"{name}.yaml")


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name, or a MSEL file by path."""
    if "/" not in name_or_path and (SCENARIO_DIR / f"{name_or_path}.yaml").is_file():
        return _builtin(name_or_path)
    path = Path(name_or_path)
    if not path.exists():
        raise NotFound(
            f"no scenario {name_or_path!r}: a built-in one ({', '.join(builtin_names())}) or a "
            ".csv, .xlsx or .yaml file"
        )
    return read_scenario(path)


def scenario_args(scenario: Scenario) -> dict[str, Any]:
    """A scenario as a command's arguments (a node cannot read the caller's file)."""
    return {
        "name": scenario.name,
        "title": scenario.title,
        "title_zh": scenario.title_zh,
        "objectives": list(scenario.objectives),
        "injects": [{**_row_of(i.as_dict()), "row": i.row} for i in scenario.injects],
    }


def _row_of(d: dict[str, Any]) -> dict[str, Any]:
    row = {
        "no": d["no"],
        "time": d["time"],
        "kind": d["kind"],
        "from": d["from"],
        "to": d["to"],
        "message": d["message"],
        "expected_action": d["expected_action"],
        "expected_within": d["expected_within_min"],
        "objective": d["objective"],
    }
    row.update(d["params"])
    if isinstance(row.get("districts"), list):
        row["districts"] = ",".join(row["districts"])
    return row


def scenario_from_args(doc: Any) -> Scenario:
    """The scenario a command carries, read again with the MSEL rules (the node trusts no caller)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("injects"), list) or not doc["injects"]:
        raise MselError("exercise.start needs 'scenario': a map with 'injects', a non-empty list")
    from modes.exercises.msel import check_order

    injects = []
    for i, row in enumerate(doc["injects"], start=1):
        if not isinstance(row, dict):
            raise MselError("an inject is a map of columns", i)
        # The file's own row number when the caller read one (messages name the spreadsheet's row).
        where = (
            row.get("row") if isinstance(row.get("row"), int) and not isinstance(row.get("row"), bool) else i
        )
        injects.append(read_row({k: v for k, v in row.items() if k != "row"}, where))
    check_order(injects)
    return Scenario(
        name=str(doc.get("name") or "scenario")[:80],
        title=str(doc.get("title") or doc.get("name") or "")[:200],
        title_zh=str(doc.get("title_zh") or doc.get("title") or "")[:200],
        injects=tuple(injects),
        objectives=tuple(str(o) for o in doc.get("objectives") or ()),
    )


# --- checking a scenario against the city ----------------------------------------------------------


def _row_error(inject, message: str, column: str) -> MselError:
    return MselError(f"inject {inject.no}: {message}", inject.row or None, column)


def check_against_city(session: Session, scenario: Scenario, index: GridIndex | None = None) -> None:
    """Refuse a scenario that names what the city does not have, before anything starts."""
    event_types = {
        code
        for row in session.execute(select(EventType.code, EventType.gb_code, EventType.legacy_code))
        for code in row
        if code
    }
    cells = None
    districts = set(session.scalars(select(District.code)))
    points: list[tuple[Any, float, float]] = []
    for inj in scenario.injects:
        p = inj.params
        if inj.kind in ("report", "incident"):
            if inj.kind == "report":
                if p["type"] not in event_types:
                    raise _row_error(inj, f"unknown event type {p['type']!r}", "Type")
                if p.get("channel") not in CHANNELS:
                    raise _row_error(
                        inj, f"unknown channel {p.get('channel')!r} (one of {', '.join(CHANNELS)})", "Channel"
                    )
            else:
                _check_incident_type(inj)
            if "cell" in p:
                if cells is None:
                    cells = set(session.scalars(select(GridCell.code)))
                if p["cell"] not in cells:
                    raise _row_error(inj, f"unknown cell {p['cell']!r}", "Cell")
            else:
                points.append((inj, p["lon"], p["lat"]))
        elif inj.kind == "alarm":
            unknown = [d for d in p.get("districts") or () if d not in districts]
            if unknown:
                raise _row_error(
                    inj,
                    f"unknown district {', '.join(unknown)} (known: {', '.join(sorted(districts))})",
                    "Districts",
                )
        elif inj.kind == "asset":
            _check_asset(session, inj)
        elif inj.kind == "unit":
            _check_unit(session, inj)
    if points:
        index = index or GridIndex.load(session)
        xs, ys = transformer(WGS84, city_crs(session)).transform(
            [p[1] for p in points], [p[2] for p in points]
        )
        for (inj, lon, lat), code in zip(points, index.locate_many(xs, ys), strict=True):
            if code is None:
                raise _row_error(inj, f"point {lon:.5f}, {lat:.5f} is outside the city's grid", "Lon")


def _check_incident_type(inj) -> None:
    from modes.exercises.kinds import incident_type_known

    message = incident_type_known(inj.params["type"])
    if message:
        raise _row_error(inj, message, "Type")


def _check_asset(session: Session, inj) -> None:
    ident, status = inj.params["asset"], inj.params["status"]
    if session.get(Component, ident) is not None:
        states = [s.value for s in ComponentState]
    elif session.get(Camera, ident) is not None:
        states = [s.value for s in CameraStatus]
    else:
        raise _row_error(inj, f"unknown asset {ident!r} (a component or camera id)", "Asset")
    if status not in states:
        raise _row_error(inj, f"unknown status {status!r} for {ident} (one of {', '.join(states)})", "Status")


def _check_unit(session: Session, inj) -> None:
    from data.emergency_models import RescueUnit, UnitStatus

    ident, status = inj.params["unit"], inj.params["status"]
    if session.get(RescueUnit, ident) is None:
        raise _row_error(inj, f"unknown rescue unit {ident!r}", "Unit")
    states = [s.value for s in UnitStatus]
    if status not in states:
        raise _row_error(inj, f"unknown unit status {status!r} (one of {', '.join(states)})", "Status")


# --- reading an exercise ---------------------------------------------------------------------------------


def get_exercise(session: Session, exercise_id: Any, *, for_update: bool = False) -> Exercise:
    try:
        ident = int(exercise_id)
    except (TypeError, ValueError):
        raise InputError(f"an exercise id is a number, not {exercise_id!r}") from None
    stmt = select(Exercise).where(Exercise.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"unknown exercise {ident}")
    return row


def active_exercises(session: Session) -> list[Exercise]:
    return list(session.scalars(select(Exercise).where(Exercise.state.in_(ACTIVE)).order_by(Exercise.id)))


def injects_of(session: Session, exercise_id: int) -> list[ExerciseInject]:
    return list(
        session.scalars(
            select(ExerciseInject)
            .where(ExerciseInject.exercise_id == exercise_id)
            .order_by(ExerciseInject.position)
        )
    )


# --- the acts ------------------------------------------------------------------------------------------------


def _require_starter(actor: Actor, doing: str) -> None:
    if actor.role not in STARTERS or actor.district is not None:
        raise ExerciseRefused(
            f"{actor.login or actor.name} ({actor.role.value}) may not {doing}: a drill coordinator "
            "(role drill) or the city commander may"
        )


def _event(session: Session, what: str, actor: str, at: dt.datetime, ex: Exercise, **payload) -> int:
    return journal.append(
        session,
        journal.NewEvent(
            f"exercise.{what}",
            actor,
            at,  # to the microsecond, as the acts of the players beside it (``one_instant``)
            f"exercise/{ex.id}",
            {"exercise": ex.id, **payload},
        ),
    )


def start(
    session: Session,
    clock: Clock,
    actor: Actor,
    scenario: Scenario,
    *,
    speed: float = 1.0,
    from_s: float = 0.0,
    demo: bool = False,
    end_after: str | None = None,
) -> tuple[Exercise, Changes]:
    """Start ``scenario`` at scenario time ``from_s`` (injects before it are skipped), ``speed`` times
    faster than the wall clock. ``end_after`` (``end_rule``) says whether it ends by itself."""
    _require_starter(actor, "start an exercise")
    try:
        speed = float(speed)
    except (TypeError, ValueError):
        raise InputError(f"speed {speed!r} is not a number") from None
    if not (0 < speed <= MAX_SPEED):
        raise InputError(f"speed {speed:g} is outside 0-{MAX_SPEED:g} (times the wall clock)")
    if from_s < 0:
        raise InputError("an exercise cannot start before its scenario's 00:00")
    ends, end_s = end_rule(end_after, demo=demo, from_s=from_s)
    allowed = int(get_meta(session, AT_ONCE_KEY, "1") or 1)
    running = active_exercises(session)
    if len(running) >= allowed:
        names = ", ".join(f"{e.id} ({e.scenario}, {e.state})" for e in running)
        raise ExerciseRefused(
            f"exercise {names} is still on; this city runs {allowed} at a time "
            f"(stop it first: python main.py exercise stop {running[0].id})"
        )
    check_against_city(session, scenario)
    wall = xclock.wall_now(clock)
    head = session.scalar(select(func.max(JournalEvent.seq))) or 0
    ex = Exercise(
        scenario=scenario.name[:80],
        title=scenario.title[:200],
        title_zh=scenario.title_zh[:200],
        demo=bool(demo),
        state=ExerciseState.RUNNING.value,
        speed=speed,
        start_offset_s=from_s,
        anchor_s=from_s,
        wall_anchor=wall,
        segments=[xclock.open_segment(wall, from_s, speed)],
        clock_origin=wall.replace(microsecond=0) - dt.timedelta(seconds=from_s),
        started_at=wall,
        started_by=actor.login or actor.name,
        start_seq=head,
        objectives=list(scenario.objectives),
        updated_at=wall,
        end_after=ends,
        end_s=end_s,
    )
    session.add(ex)
    session.flush()
    session.add_all(
        ExerciseInject(
            exercise_id=ex.id,
            position=i,
            no=inj.no,
            time_s=inj.time_s,
            kind=inj.kind,
            sender=inj.sender[:80],
            recipient=inj.recipient[:80],
            message=inj.message,
            expected_action=inj.expected_action[:200],
            expected_within_min=inj.expected_within_min,
            objective=inj.objective[:200],
            params=dict(inj.params),
            adhoc=False,
            state=(InjectState.SKIPPED if inj.time_s < from_s else InjectState.PENDING).value,
        )
        for i, inj in enumerate(scenario.injects)
    )
    seq = _event(
        session,
        "started",
        actor.name,
        wall,
        ex,
        scenario=ex.scenario,
        title=ex.title,
        speed=speed,
        start=format_scenario_time(from_s),
        injects=len(scenario.injects),
        demo=ex.demo,
        end_after=ends,
        end=None if end_s is None else format_scenario_time(end_s),
    )
    session.flush()
    return ex, Changes(journal_seq=seq)


def end_rule(end_after: Any, *, demo: bool, from_s: float) -> tuple[str | None, float | None]:
    """``exercise start --end-after``: ``"none"`` (a person ends it), ``"injects"`` (its driver ends it
    once every inject is out and the last Expected Within has passed) or a scenario time ``HH:MM`` (its
    driver ends it then; what is still pending is skipped). Not given: a DEMO ends after its injects,
    anything else is ended by a person, as real drills are."""
    text = "" if end_after is None else str(end_after).strip()
    if not text:
        return (END_AFTER_INJECTS, None) if demo else (None, None)
    if text.lower() == "none":
        return None, None
    if text.lower() == END_AFTER_INJECTS:
        return END_AFTER_INJECTS, None
    try:
        end_s = parse_scenario_time(text, column="end_after")
    except MselError:
        raise InputError(
            f"end after {text!r}? It is 'injects', 'none' or a scenario time such as 18:00"
        ) from None
    if end_s <= from_s:
        raise InputError(
            f"the exercise cannot end at {format_scenario_time(end_s)}: it starts at "
            f"{format_scenario_time(from_s)}"
        )
    return END_AFTER_CLOCK, end_s


def ends_at_s(session: Session, ex: Exercise) -> float | None:
    """The scenario second at which the exercise ends by itself (None: a person ends it). After its
    injects: the latest of each inject's time plus its Expected Within (ad-hoc ones too), the last
    moment a player's action can still be met."""
    if ex.end_after == END_AFTER_CLOCK:
        return ex.end_s
    if ex.end_after != END_AFTER_INJECTS:
        return None
    last = session.scalar(
        select(
            func.max(ExerciseInject.time_s + func.coalesce(ExerciseInject.expected_within_min, 0.0) * 60.0)
        ).where(ExerciseInject.exercise_id == ex.id, ExerciseInject.state != InjectState.SKIPPED.value)
    )
    return ex.start_offset_s if last is None else float(last)


def ending_actor(ex: Exercise) -> Actor:
    """Who ends an exercise that ends by itself: its simulation cell, as a drill coordinator (the journal
    says ``exercise-7:city_drill``, told apart from a person's ENDEX)."""
    return Actor(simulation_name(ex), Role.DRILL)


def simulation_actor(ex: Exercise, kind: str, channel: str | None = None) -> Actor:
    """Who an inject's command acts as: the exercise's simulation cell, in the name of the person who
    started it (their login), with the role the act needs."""
    role = _ROLE_OF_KIND[kind]
    if kind == "report" and channel in _SUPERVISOR_CHANNELS:
        role = Role.SUPERVISOR
    return Actor(simulation_name(ex), role, login=ex.started_by)


def simulation_name(ex: Exercise) -> str:
    """The name the simulation cell's acts are journaled under (``exercise-7:city_drill``): the players'
    acts are told apart from it by ``SIMULATION_PREFIX``."""
    return f"{SIMULATION_PREFIX}{ex.id}:{ex.started_by}"[:50]


def inject_command(session: Session, ex: Exercise, inj: ExerciseInject) -> tuple[str, dict[str, Any]] | None:
    """The bus command an inject makes (None for the kinds that change nothing real)."""
    p = inj.params or {}
    if inj.kind in ("report", "incident"):
        if "cell" in p:
            cell = session.get(GridCell, p["cell"])
            if cell is None:
                raise NotFound(f"unknown cell {p['cell']!r}")
            c = cell.geometry.representative_point()
            place = {"x": c.x, "y": c.y}
        else:
            place = {"x": p["lon"], "y": p["lat"], "lonlat": True}
        text = inj.message or f"exercise inject {inj.no}"
        if inj.kind == "report":
            return "case.report", {
                "channel": p.get("channel") or "hotline",
                "type": p["type"],
                "text": text,
                **place,
            }
        args = {
            "type": p["type"],
            "level": p.get("level") or "IV",
            "title": text[:120],
            "text": text,
            **place,
        }
        if p.get("radius"):
            args.update(inner_radius_m=float(p["radius"]), outer_radius_m=3 * float(p["radius"]))
        return "incident.open", args
    if inj.kind == "alarm":
        return "alarm.issue", {
            "kind": p["alarm"],
            "districts": p.get("districts") or None,
            "exercise": True,
            "note": inj.message,
        }
    return None


def record_of(name: str, result: Any) -> str | None:
    """The record an inject's command made: ``case/12``, ``incident/3``, ``alarm/7`` or ``order/4``."""
    if not isinstance(result, dict):
        return None
    if name == "case.report" and result.get("id") is not None:
        return f"case/{result['id']}"
    if name == "incident.open" and result.get("id") is not None:
        return f"incident/{result['id']}"
    if name == "alarm.issue":
        if result.get("pending"):
            return f"order/{result['order']['id']}"
        if result.get("alarm_id") is not None:
            return f"alarm/{result['alarm_id']}"
    return None


# A delivery: runs an inject's command and says what it made, or why it was refused.
Deliver = Callable[[Exercise, ExerciseInject], tuple[str | None, str | None]]


@dataclass(frozen=True)
class TickResult:
    exercise_id: int
    state: str
    speed: float
    clock_s: float
    delivered: tuple[str, ...]  # inject numbers delivered by this tick
    refused: tuple[str, ...]
    next_due_s: float | None  # scenario time of the next pending inject
    changes: Changes
    ends_s: float | None = None  # when it ends by itself (None: a person ends it)
    end_due: bool = False  # it ends by itself now: the tick's command ends it (ENDEX)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.exercise_id,
            "state": self.state,
            "speed": self.speed,
            "clock": format_scenario_time(self.clock_s),
            "clock_s": self.clock_s,
            "delivered": list(self.delivered),
            "refused": list(self.refused),
            "next_due_s": self.next_due_s,
            "ends_s": self.ends_s,
            "end_due": self.end_due,
            "journal_seq": self.changes.journal_seq,
        }


def tick(
    session: Session, clock: Clock, exercise_id: Any, deliver: Deliver, *, limit: int = 500, driver: str = ""
) -> TickResult:
    """Deliver the injects that are due, in MSEL order (at most ``limit`` a call). An exercise whose last
    inject is out goes on (the players still act on them) until a person ends it (``stop``), or, when
    it ends by itself (``end_after``), until ``end_due`` says its end has come: the caller then ends it
    (``modes.exercises.link_commands`` runs ``exercise.stop`` as ``ending_actor``). Every tick of a
    running or paused exercise notes that ``driver`` is alive."""
    ex = get_exercise(session, exercise_id, for_update=True)
    wall = xclock.wall_now(clock)
    now_s = xclock.scenario_seconds(ex, wall)
    if ex.state in ACTIVE:
        note_tick(session, ex.id, wall, driver)  # ``driver`` is alive (modes.exercises.liveness)
    # Nothing after a chosen end goes out, however late the driver came.
    due_until = min(now_s, ex.end_s) if ex.end_after == END_AFTER_CLOCK and ex.end_s is not None else now_s
    delivered: list[str] = []
    refused: list[str] = []
    seq = None
    if ex.state == ExerciseState.RUNNING.value:
        due = session.scalars(
            select(ExerciseInject)
            .where(
                ExerciseInject.exercise_id == ex.id,
                ExerciseInject.state == InjectState.PENDING.value,
                ExerciseInject.time_s <= due_until,
            )
            .order_by(ExerciseInject.position)
            .limit(limit)
        ).all()
        for inj in due:
            record, refusal = deliver(ex, inj)
            inj.delivered_at = wall
            inj.delivered_s = now_s
            inj.record = record
            inj.refusal = refusal
            inj.state = (InjectState.REFUSED if refusal else InjectState.DELIVERED).value
            seq = _event(
                session,
                "inject",
                simulation_name(ex),
                wall,
                ex,
                inject=inj.id,
                no=inj.no,
                kind=inj.kind,
                time=format_scenario_time(inj.time_s),
                clock=format_scenario_time(now_s),
                to=inj.recipient,
                record=record,
                refused=refusal,
                condition=_condition(inj),
            )
            inj.delivered_seq = seq
            (refused if refusal else delivered).append(inj.no)
        session.flush()
    next_due = session.scalar(
        select(func.min(ExerciseInject.time_s)).where(
            ExerciseInject.exercise_id == ex.id, ExerciseInject.state == InjectState.PENDING.value
        )
    )
    ends_s = ends_at_s(session, ex)
    end_due = (
        ex.state == ExerciseState.RUNNING.value
        and ends_s is not None
        and now_s >= ends_s
        and (ex.end_after == END_AFTER_CLOCK or next_due is None)
    )
    return TickResult(
        ex.id,
        ex.state,
        ex.speed,
        now_s,
        tuple(delivered),
        tuple(refused),
        next_due,
        Changes(journal_seq=seq),
        ends_s,
        end_due,
    )


def _condition(inj: ExerciseInject) -> dict[str, Any] | None:
    """What an asset or unit inject announces (the exercise's own condition; nothing real changes)."""
    p = inj.params or {}
    if inj.kind == "asset":
        return {"asset": p.get("asset"), "status": p.get("status")}
    if inj.kind == "unit":
        return {"unit": p.get("unit"), "status": p.get("status")}
    return None


def _set_state(
    session: Session, clock: Clock, actor: Actor, exercise_id: Any, to: str, reason: str = ""
) -> tuple[Exercise, Changes]:
    _require_starter(
        actor, f"{ {'paused': 'pause', 'running': 'resume', 'stopped': 'stop'}[to] } an exercise"
    )
    ex = get_exercise(session, exercise_id, for_update=True)
    wall = xclock.wall_now(clock)
    allowed = {
        ExerciseState.PAUSED.value: (ExerciseState.RUNNING.value,),
        ExerciseState.RUNNING.value: (ExerciseState.PAUSED.value,),
        ExerciseState.STOPPED.value: ACTIVE,
    }[to]
    if ex.state not in allowed:
        raise ExerciseRefused(
            f"exercise {ex.id} is {ex.state}; it cannot be {to if to != 'running' else 'resumed'}"
        )
    now_s = xclock.scenario_seconds(ex, wall)
    if ex.state == ExerciseState.RUNNING.value:
        ex.segments = xclock.close_segment(ex.segments, wall)
    ex.anchor_s = now_s
    ex.wall_anchor = wall
    if to == ExerciseState.RUNNING.value:
        ex.segments = [*ex.segments, xclock.open_segment(wall, now_s, ex.speed)]
    skipped = 0
    if to == ExerciseState.STOPPED.value:
        ex.ended_at, ex.ended_by = wall, actor.login or actor.name
        for inj in session.scalars(
            select(ExerciseInject).where(
                ExerciseInject.exercise_id == ex.id, ExerciseInject.state == InjectState.PENDING.value
            )
        ):
            inj.state = InjectState.SKIPPED.value
            skipped += 1
    if to == ExerciseState.STOPPED.value and skipped == 0:
        to = ExerciseState.COMPLETED.value  # every inject was out: the exercise ran its course
    ex.state = to
    ex.updated_at = wall
    kind = {"paused": "paused", "running": "resumed", "stopped": "stopped", "completed": "stopped"}[to]
    extra = {"reason": reason[:500]} if reason else {}
    seq = _event(
        session, kind, actor.name, wall, ex, clock=format_scenario_time(now_s), skipped=skipped, **extra
    )
    session.flush()
    return ex, Changes(journal_seq=seq)


def pause(session: Session, clock: Clock, actor: Actor, exercise_id: Any) -> tuple[Exercise, Changes]:
    return _set_state(session, clock, actor, exercise_id, ExerciseState.PAUSED.value)


def resume(session: Session, clock: Clock, actor: Actor, exercise_id: Any) -> tuple[Exercise, Changes]:
    return _set_state(session, clock, actor, exercise_id, ExerciseState.RUNNING.value)


def stop(
    session: Session, clock: Clock, actor: Actor, exercise_id: Any, reason: str = ""
) -> tuple[Exercise, Changes]:
    """End the exercise: pending injects are skipped; nothing it made is removed. ``reason`` goes into
    the journal (an exercise that ends by itself says why)."""
    return _set_state(session, clock, actor, exercise_id, ExerciseState.STOPPED.value, reason)


def add_inject(
    session: Session, clock: Clock, actor: Actor, exercise_id: Any, row: dict[str, Any]
) -> tuple[ExerciseInject, Changes]:
    """An ad-hoc inject from the controller: delivered at the next tick (its time is now unless later)."""
    _require_starter(actor, "add an inject")
    ex = get_exercise(session, exercise_id, for_update=True)
    if ex.state not in ACTIVE:
        raise ExerciseRefused(f"exercise {ex.id} is {ex.state}: injects go to a running or paused exercise")
    wall = xclock.wall_now(clock)
    now_s = xclock.scenario_seconds(ex, wall)
    existing = injects_of(session, ex.id)
    row = dict(row)
    if not row.get("no"):
        row["no"] = f"A{sum(1 for i in existing if i.adhoc) + 1}"
    if not row.get("time"):
        row["time"] = format_scenario_time(now_s)
    inj = read_row(row, len(existing) + 1)
    if any(i.no == inj.no for i in existing):
        raise MselError(f"inject number {inj.no!r} is already in exercise {ex.id}", None, "No")
    check_against_city(session, Scenario(ex.scenario, ex.title, ex.title_zh, (inj,)))
    item = ExerciseInject(
        exercise_id=ex.id,
        position=len(existing),
        no=inj.no,
        time_s=max(inj.time_s, now_s),
        kind=inj.kind,
        sender=inj.sender[:80] or (actor.login or actor.name),
        recipient=inj.recipient[:80],
        message=inj.message,
        expected_action=inj.expected_action[:200],
        expected_within_min=inj.expected_within_min,
        objective=inj.objective[:200],
        params=dict(inj.params),
        adhoc=True,
        state=InjectState.PENDING.value,
    )
    session.add(item)
    session.flush()
    seq = _event(
        session,
        "inject_added",
        actor.name,
        wall,
        ex,
        inject=item.id,
        no=inj.no,
        kind=inj.kind,
        time=format_scenario_time(item.time_s),
    )
    session.flush()
    return item, Changes(journal_seq=seq)


def acknowledge(
    session: Session, clock: Clock, actor: Actor, exercise_id: Any, no: str
) -> tuple[ExerciseInject, Changes]:
    """A player says the inject reached them (a message, an asset or unit condition)."""
    ex = get_exercise(session, exercise_id)
    inj = _inject(session, ex.id, no)
    if ex.state not in ACTIVE:
        # After ENDEX the players' part is over (the evaluators may still write notes).
        raise ExerciseRefused(f"exercise {ex.id} is {ex.state}: an inject is acknowledged while it runs")
    if inj.state not in (InjectState.DELIVERED.value, InjectState.ACKNOWLEDGED.value):
        raise ExerciseRefused(
            f"inject {no} of exercise {ex.id} is {inj.state}: only a delivered inject is acknowledged"
        )
    wall = xclock.wall_now(clock)
    if inj.acknowledged_at is None:
        inj.acknowledged_at, inj.acknowledged_by = wall, actor.login or actor.name
        inj.state = InjectState.ACKNOWLEDGED.value
    seq = _event(
        session,
        "acknowledged",
        actor.name,
        wall,
        ex,
        inject=inj.id,
        no=inj.no,
        clock=format_scenario_time(xclock.scenario_seconds(ex, wall)),
    )
    session.flush()
    return inj, Changes(journal_seq=seq)


def inject_of(session: Session, exercise_id: int, no: str) -> ExerciseInject:
    """Inject ``no`` of the exercise (``NotFound`` naming both when it has none)."""
    return _inject(session, exercise_id, no)


def _inject(session: Session, exercise_id: int, no: str) -> ExerciseInject:
    inj = session.scalar(
        select(ExerciseInject).where(ExerciseInject.exercise_id == exercise_id, ExerciseInject.no == str(no))
    )
    if inj is None:
        raise NotFound(f"exercise {exercise_id} has no inject {no!r}")
    return inj


def add_note(
    session: Session,
    clock: Clock,
    actor: Actor,
    exercise_id: Any,
    text: str,
    kind: str = "observation",
    no: str | None = None,
) -> tuple[ExerciseNote, Changes]:
    """An evaluator's note (any signed-in person may evaluate): an observation, a strength or an area for
    improvement, about the exercise or one inject."""
    text = (text or "").strip()
    if not text:
        raise InputError("a note needs its text")
    if kind not in NOTE_KINDS:
        raise InputError(f"unknown note kind {kind!r} (one of {', '.join(NOTE_KINDS)})")
    ex = get_exercise(session, exercise_id)
    if no:
        _inject(session, ex.id, no)
    wall = xclock.wall_now(clock)
    note = ExerciseNote(
        exercise_id=ex.id,
        inject_no=no or None,
        kind=kind,
        text=text[:4000],
        author=actor.login or actor.name,
        at=wall,
        clock_s=xclock.scenario_seconds(ex, wall),
    )
    session.add(note)
    session.flush()
    seq = _event(session, "note", actor.name, wall, ex, note=note.id, kind=kind, no=no, text=text[:4000])
    return note, Changes(journal_seq=seq)


def add_improvement(
    session: Session,
    clock: Clock,
    actor: Actor,
    exercise_id: Any,
    *,
    issue: str,
    action: str,
    owner: str,
    due: str | dt.date | None = None,
    objective: str = "",
) -> tuple[ImprovementItem, Changes]:
    """A row of the Improvement Plan (issue, corrective action, owner, due)."""
    _require_starter(actor, "write the improvement plan")
    for name, value in (("issue", issue), ("action", action), ("owner", owner)):
        if not (value or "").strip():
            raise InputError(f"an improvement item needs its {name}")
    if isinstance(due, str) and due:
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            raise InputError(f"due date {due!r} is not YYYY-MM-DD") from None
    ex = get_exercise(session, exercise_id)
    wall = xclock.wall_now(clock)
    item = ImprovementItem(
        exercise_id=ex.id,
        objective=(objective or "")[:200],
        issue=issue.strip(),
        action=action.strip(),
        owner=owner.strip()[:80],
        due=due or None,
        author=actor.login or actor.name,
        at=wall,
    )
    session.add(item)
    session.flush()
    seq = _event(
        session,
        "improvement",
        actor.name,
        wall,
        ex,
        item=item.id,
        issue=item.issue,
        action=item.action,
        owner=item.owner,
        due=item.due.isoformat() if item.due else None,
    )
    return item, Changes(journal_seq=seq)


def running_exercise_ids(session: Session) -> list[int]:
    return exercise_ids(session, [ExerciseState.RUNNING.value])


def exercise_ids(session: Session, states: Iterable[str] | None = None) -> list[int]:
    stmt = select(Exercise.id).order_by(Exercise.id)
    if states is not None:
        stmt = stmt.where(Exercise.state.in_(list(states)))
    return list(session.scalars(stmt))
