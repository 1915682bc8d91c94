"""The exercise clock: scenario time that runs from a chosen start, at a chosen speed, and stops while the
exercise is paused.

Stored as an anchor (scenario seconds ``anchor_s`` at wall time ``wall_anchor``) and a speed, so any
process (the console, a node, ``exercise run``) reads the same clock from the row without talking to
the others. Every running stretch is also kept (``segments``), which turns a journal time back into
exercise time for the after-action report.

It lives with what the modes share because more than the exercises read it: an exercise incident's
reporting deadline runs on its exercise's clock (``modes.emergency.incidents``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from data.exercise_models import Exercise, ExerciseState
from modes.common.clock import Clock


def wall_now(clock: Clock) -> dt.datetime:
    """The wall time an exercise clock is read at (to the microsecond: at 120x a wall second is two
    scenario minutes)."""
    return clock.now()


def scenario_seconds(ex: Exercise, wall: dt.datetime) -> float:
    """Scenario time (seconds from the scenario's 00:00) at wall time ``wall``."""
    if ex.state != ExerciseState.RUNNING.value:
        return ex.anchor_s
    return ex.anchor_s + max(0.0, (wall - ex.wall_anchor).total_seconds()) * ex.speed


def clock_time(ex: Exercise, seconds: float) -> dt.datetime:
    """The exercise clock's date and time at scenario second ``seconds``."""
    return ex.clock_origin + dt.timedelta(seconds=seconds)


def wall_due(ex: Exercise, seconds: float) -> dt.datetime | None:
    """When, on the wall clock, the scenario reaches ``seconds`` (None while paused or ended)."""
    if ex.state != ExerciseState.RUNNING.value:
        return None
    return ex.wall_anchor + dt.timedelta(seconds=max(0.0, seconds - ex.anchor_s) / ex.speed)


def open_segment(wall: dt.datetime, seconds: float, speed: float) -> list[Any]:
    return [wall.isoformat(), None, seconds, speed]


def close_segment(segments: Sequence[list[Any]], wall: dt.datetime) -> list[list[Any]]:
    out = [list(s) for s in segments]
    if out and out[-1][1] is None:
        out[-1][1] = wall.isoformat()
    return out


def scenario_at(segments: Sequence[Sequence[Any]], wall: dt.datetime) -> float | None:
    """Scenario seconds at wall time ``wall`` from the exercise's running stretches: inside a stretch,
    its time; between stretches (paused), where the clock stood; before the first, None."""
    last: float | None = None
    for start_iso, end_iso, seconds, speed in segments:
        start = dt.datetime.fromisoformat(start_iso)
        if wall < start:
            return last
        end = dt.datetime.fromisoformat(end_iso) if end_iso else None
        if end is None or wall <= end:
            return seconds + (wall - start).total_seconds() * speed
        last = seconds + (end - start).total_seconds() * speed
    return last


def scenario_at_or_start(ex: Exercise, wall: dt.datetime) -> float:
    """Scenario seconds at the journal time ``wall`` (``scenario_at``); a time before the exercise began
    reads as its start."""
    at = scenario_at(ex.segments or (), wall)
    return ex.start_offset_s if at is None else at
