"""Supervisor coverage quality: how often the public reports first what the patrols should have found.

The rule (docs/coverage_quality.md) is ``evaluation``'s, counted in the same query as ``kpi --by
supervisor``, so the figures agree: a problem is a filed case not voided, of the period, reported while
the supervisors were on duty (``EverydayConfig.supervision``); it is public-first when its first report
came from the hotline, the internet or the media (a linked duplicate is a later report of a problem,
never its first). The share is public-first / problems, per supervisor (the cases of their patch) and
per cell; fewer than ``min_problems`` problems are too few to judge (shown, marked). Exercise cases are
left out unless asked.

Two readings for the console: the dashboard's table per supervisor and the map's value per cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from modes.everyday.config import EverydayConfig
from modes.everyday.evaluation import evaluate

COVERAGE_DAYS = 30  # the period the console shows: the 30 days ending today, as the dashboard's


@dataclass(frozen=True)
class SupervisorCoverage:
    code: str
    name: str
    cells: int  # cells in the patch now
    problems: int  # filed, not voided, reported in the duty hours
    public_first: int
    share: float | None  # public_first / problems
    enough: bool  # problems >= the configured minimum


def _period(now: dt.datetime, days: int) -> dict:
    return {"start": now.date() - dt.timedelta(days=days - 1), "end": now.date(), "now": now}


def supervisor_coverage(
    session: Session,
    now: dt.datetime,
    *,
    days: int = COVERAGE_DAYS,
    exercises: str = "leave",
    config: EverydayConfig | None = None,
    doc: dict | None = None,
) -> tuple[SupervisorCoverage, ...]:
    """Every supervisor with a case in the period: those with enough problems first, the highest share
    (the weakest coverage) first; the others after them, by the problems they have. ``doc``: a
    ``kpi --by supervisor`` document already read for the same period."""
    if doc is None:
        doc = evaluate(session, by="supervisor", config=config, exercises=exercises, **_period(now, days))
    rows = [
        SupervisorCoverage(
            code=str(r["key"]),
            name=r.get("name") or "",
            cells=int(r["cells"]),
            problems=int(r["duty_filed"]),
            public_first=int(r["duty_public_filed"]),
            share=r["public_first_rate"],
            enough=bool(r["enough"]),
        )
        for r in doc["rows"]
    ]
    rows.sort(key=lambda c: (not c.enough, -(c.share or 0.0) if c.enough else -c.problems, c.code))
    return tuple(rows)


@dataclass(frozen=True)
class CellCoverage:
    """Per cell of the city's cell array: the share and the number of problems in the period."""

    share: np.ndarray  # float: public_first / problems, NaN for a cell without a problem
    problems: np.ndarray  # int64
    min_problems: int  # below it a share is too few to judge

    @property
    def enough(self) -> np.ndarray:
        return self.problems >= self.min_problems


def cell_coverage(
    session: Session,
    codes: np.ndarray,
    now: dt.datetime,
    *,
    days: int = COVERAGE_DAYS,
    exercises: str = "leave",
    config: EverydayConfig | None = None,
) -> CellCoverage:
    """Coverage quality of each cell of ``codes`` over the ``days`` days ending on ``now``'s date."""
    config = config or EverydayConfig.load(session)
    doc = evaluate(session, by="cell", config=config, exercises=exercises, **_period(now, days))
    index = {str(code): i for i, code in enumerate(codes)}
    share = np.full(len(codes), np.nan)
    problems = np.zeros(len(codes), dtype=np.int64)
    for r in doc["rows"]:
        i = index.get(r["key"])
        if i is not None:
            problems[i] = r["duty_filed"]
            share[i] = r["public_first_rate"]
    return CellCoverage(share, problems, config.supervision.min_problems)
