"""A case's stage clocks, attempt by attempt, read from its history.

Which step stops and which starts each stage's clock is the transition table's (``workflow.Transition``
``stops`` / ``starts``); the due time an attempt was held to is the one its stopping step's history row
kept (``CaseHistory.stage_due``), or for the attempt still running the case's own due column. So a
rework or a return that starts a stage again shows a fresh attempt, while the earlier one keeps its
verdict ("attempt 1: done in 4 min") and is not charged twice.

Each clock counts the time its limit counts (``Limit.counts_working``): working time on the city's
calendar for an ordinary case's working limits, natural (clock) time for a natural unit or an urgent
case. Elapsed, remaining and late minutes are all counted on that clock; the handling clock does not run
while the case is suspended (挂账).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modes.everyday import workflow
from modes.everyday.calendar import Limit, WorkingCalendar
from modes.everyday.workflow import FINISHED, STAGES, State

_ORDER = {stage: i for i, stage in enumerate(STAGES)}
_FINISHED = frozenset(s.value for s in FINISHED)


@dataclass
class _Attempt:
    stage: str
    number: int
    started: dt.datetime
    due: dt.datetime | None = None
    done: dt.datetime | None = None
    ended_by: str | None = None  # the step that ended it without its own completion (not charged)
    ended_at: dt.datetime | None = None
    pauses: list[list[Any]] = field(default_factory=list)  # [[from, to or None], ...]: suspended


def stage_clocks(
    case: Any,
    history: Iterable[Any],
    *,
    limits: dict[str, Limit],
    due_of: Any,
    calendar: WorkingCalendar,
    now: dt.datetime,
    due_column: dict[str, str],
) -> list[dict]:
    """Every attempt of every stage, in the loop's stage order and then attempt by attempt.

    ``history``: the case's history rows in order (``at``, ``action``, ``from_state``, ``to_state``,
    ``stage_due``); ``limits``: each stage's limit (handling: the case's handling limit);
    ``due_of(stage, start)``: the due time the rules give an attempt started at ``start`` (read for
    steps recorded before their history kept one); ``due_column``: the case column of each stage's
    current due time."""
    open_: dict[str, _Attempt] = {}
    attempts: list[_Attempt] = []
    counts: dict[str, int] = {}

    def start(stage: str, at: dt.datetime) -> None:
        counts[stage] = counts.get(stage, 0) + 1
        attempt = _Attempt(stage, counts[stage], at)
        open_[stage] = attempt
        attempts.append(attempt)

    def end(stage: str, at: dt.datetime, action: str) -> None:
        attempt = open_.pop(stage, None)
        if attempt is not None:
            attempt.ended_by, attempt.ended_at = action, at

    for h in history:
        if h.action == "report":
            if h.to_state == State.REPORTED.value:
                start("accept", h.at)
            continue
        tr = workflow.find(h.from_state, h.action) if h.from_state else None
        if tr is None:  # a step the table does not know (an import's summary row): no clock of it
            continue
        if tr.stops is not None and tr.stops in open_:
            attempt = open_.pop(tr.stops)
            attempt.done = h.at
            attempt.due = h.stage_due or due_of(tr.stops, attempt.started)
        if tr.action == "approve_suspension" and "handle" in open_:
            open_["handle"].pauses.append([h.at, None])
        elif tr.action == "resume" and "handle" in open_ and open_["handle"].pauses:
            open_["handle"].pauses[-1][1] = h.at
        if tr.starts is not None:
            # Starting a stage again ends, uncharged, that stage and any later one still running.
            for stage in [s for s in open_ if _ORDER[s] >= _ORDER[tr.starts]]:
                end(stage, h.at, tr.action)
            start(tr.starts, h.at)
        if tr.target.value in _FINISHED:
            for stage in list(open_):
                end(stage, h.at, tr.action)
    for stage, attempt in open_.items():  # the running attempts: the case's own due times
        attempt.due = getattr(case, due_column[stage]) or due_of(stage, attempt.started)
    attempts.sort(key=lambda a: (_ORDER[a.stage], a.number))
    suspended = case.state == State.SUSPENDED.value
    return [
        _clock(a, limits[a.stage], case.urgent, calendar, now, running=a.stage in open_, suspended=suspended)
        for a in attempts
    ]


def _clock(
    a: _Attempt,
    limit: Limit,
    urgent: bool,
    calendar: WorkingCalendar,
    now: dt.datetime,
    *,
    running: bool,
    suspended: bool,
) -> dict:
    working = limit.counts_working(urgent)

    def minutes(start: dt.datetime, end: dt.datetime) -> float:
        if working:
            return calendar.working_minutes(start, end)
        return (end - start).total_seconds() / 60

    end = a.done or a.ended_at or now
    elapsed = minutes(a.started, end)
    for p_from, p_to in a.pauses:
        lo, hi = max(p_from, a.started), min(p_to or end, end)
        if hi > lo:
            elapsed -= minutes(lo, hi)
    paused = running and suspended and a.stage == "handle"
    ticking = running and not paused
    remaining = late = None
    if ticking and a.due is not None:
        remaining = minutes(now, a.due) if now <= a.due else -minutes(a.due, now)
    if a.done is not None and a.due is not None and a.done > a.due:
        late = minutes(a.due, a.done)
    on_time = None if a.done is None or a.due is None else a.done <= a.due
    return {
        "stage": a.stage,
        "attempt": a.number,
        "started": _iso(a.started),
        "due": _iso(a.due),
        "done": _iso(a.done),
        "ended_by": a.ended_by,
        "ended_at": _iso(a.ended_at),
        "limit": str(limit),
        "clock": "working" if working else "natural",
        "elapsed_minutes": round(max(elapsed, 0.0), 1),
        "running": ticking,
        "paused": paused,
        "on_time": on_time,
        "overdue": bool((ticking and a.due is not None and now > a.due) or on_time is False),
        "remaining_minutes": None if remaining is None else round(remaining, 1),
        "late_minutes": None if late is None else round(late, 1),
    }


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None
