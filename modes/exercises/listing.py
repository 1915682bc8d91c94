"""The scenarios this city can run and the exercises it has run: ``exercise list`` and the console's
exercise banner (which exercise is on, its clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.exercise_models import Exercise, ExerciseInject, InjectState
from modes.common import exercise_clock as xclock
from modes.exercises.exercises import ACTIVE, builtin_names, load_scenario
from modes.exercises.msel import format_scenario_time


@dataclass(frozen=True)
class ActiveExercise:
    """What every console page shows while an exercise is on (the banner)."""

    id: int
    scenario: str
    title: str
    title_zh: str
    state: str
    demo: bool
    speed: float
    clock_s: float
    clock_time: dt.datetime

    @property
    def clock(self) -> str:
        return format_scenario_time(self.clock_s)


def active_exercise(session: Session, wall: dt.datetime) -> ActiveExercise | None:
    """The running or paused exercise (the newest, where a city allows several), or None."""
    ex = session.scalar(
        select(Exercise).where(Exercise.state.in_(ACTIVE)).order_by(Exercise.id.desc()).limit(1)
    )
    if ex is None:
        return None
    s = xclock.scenario_seconds(ex, wall)
    return ActiveExercise(
        ex.id, ex.scenario, ex.title, ex.title_zh, ex.state, ex.demo, ex.speed, s, xclock.clock_time(ex, s)
    )


def exercise_list(session: Session, wall: dt.datetime) -> dict[str, Any]:
    """``{"scenarios": [...built-in...], "exercises": [...run...]}``."""
    scenarios = []
    for name in builtin_names():
        s = load_scenario(name)
        scenarios.append({**s.as_dict(), "builtin": True})
    counts: dict[int, dict[str, int]] = {}
    for ex_id, state, n in session.execute(
        select(ExerciseInject.exercise_id, ExerciseInject.state, func.count()).group_by(
            ExerciseInject.exercise_id, ExerciseInject.state
        )
    ):
        counts.setdefault(ex_id, {})[state] = n
    runs = []
    for ex in session.scalars(select(Exercise).order_by(Exercise.id)):
        c = counts.get(ex.id, {})
        s = xclock.scenario_seconds(ex, wall)
        runs.append(
            {
                "id": ex.id,
                "scenario": ex.scenario,
                "title": ex.title,
                "state": ex.state,
                "demo": ex.demo,
                "speed": ex.speed,
                "clock": format_scenario_time(s),
                "started_at": ex.started_at.isoformat(sep=" ", timespec="seconds"),
                "started_by": ex.started_by,
                "ended_at": ex.ended_at.isoformat(sep=" ", timespec="seconds") if ex.ended_at else None,
                "purged": ex.purged_at is not None,
                "injects": sum(c.values()),
                "delivered": sum(
                    n for k, n in c.items() if k not in (InjectState.PENDING.value, InjectState.SKIPPED.value)
                ),
                "pending": c.get(InjectState.PENDING.value, 0),
            }
        )
    return {"scenarios": scenarios, "exercises": runs}
