"""The cases on the map: every open case as numpy columns (the live case layer), and open or overdue cases
counted per grid cell (the choropleth).

Finished cases (closed, evaluated, voided, merged) are not on the map; overdue is
``modes.everyday.overdue``'s rule at the caller's ``now``. Exercise cases are left off unless asked
(``exercises``: leave, include or only, ``modes.common.exercise_filter``). Columns, not row objects: 20,000 open cases
must cost milliseconds to hand to the map (design section 8).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data import journal
from data.models import Case, CaseHistory
from modes.common.exercise_filter import exercise_conditions
from modes.everyday.overdue import overdue_as_of, overdue_condition
from modes.everyday.workflow import FINISHED

_FINISHED = sorted(s.value for s in FINISHED)


@dataclass(frozen=True, eq=False)
class OpenCases:
    """The open cases at ``at``, one entry per case, overdue ones last (they are drawn on top)."""

    ids: np.ndarray  # int64
    x: np.ndarray  # float64, city CRS
    y: np.ndarray
    state_idx: np.ndarray  # int16 into ``states``
    type_idx: np.ndarray  # int32 into ``type_keys`` / ``type_names``
    urgent: np.ndarray  # bool
    overdue: np.ndarray  # bool: ``modes.everyday.overdue``
    states: tuple[str, ...]  # the state codes present
    type_keys: tuple[str, ...]  # ``kind:code``
    type_names: tuple[str, ...]
    at: dt.datetime
    journal_seq: int  # the journal head read in the same session (older reads must not win)
    # int64, the exercise of each case (0: a real one); None when every case shown is real
    exercise_id: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def state_of(self, i: int) -> str:
        return self.states[int(self.state_idx[i])]

    def type_name_of(self, i: int) -> str:
        k = int(self.type_idx[i])
        return self.type_names[k] or self.type_keys[k].partition(":")[2]

    @classmethod
    def empty(cls, at: dt.datetime, journal_seq: int = 0) -> OpenCases:
        return cls(
            np.empty(0, dtype=np.int64),
            np.empty(0),
            np.empty(0),
            np.empty(0, dtype=np.int16),
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=bool),
            np.empty(0, dtype=bool),
            (),
            (),
            (),
            at,
            journal_seq,
        )


def open_cases(
    session: Session,
    now: dt.datetime,
    names_of: Callable[[set[str]], dict[str, str]],
    *,
    exercises: str = "leave",
) -> OpenCases:
    """Every open case at ``now``, in one query. ``names_of`` gives the names of the ``kind:code`` type
    keys present (the caller may keep them: they never change while a console runs). ``exercises``:
    leave (real cases only), include or only."""
    stmt = select(
        Case.id,
        Case.x,
        Case.y,
        Case.state,
        Case.kind,
        Case.type_code,
        Case.urgent,
        overdue_condition(now).label("overdue"),
        Case.exercise_id,
    ).where(Case.state.not_in(_FINISHED), *exercise_conditions(exercises, Case.exercise_id))
    seq = journal.last_seq(session)
    return _columns(session.execute(stmt).all(), now, seq, names_of)


def open_cases_as_of(
    session: Session,
    at: dt.datetime,
    names_of: Callable[[set[str]], dict[str, str]],
    *,
    exercises: str = "leave",
) -> OpenCases:
    """The cases that were open at the past instant ``at``, each in the state it was in then: the last
    step of its history at or before ``at`` (``case_history``, written with each step's journal event).
    A case not yet reported then is absent, one finished by then too. Overdue is
    ``modes.everyday.overdue.overdue_as_of`` (a close reconstruction: the row keeps only the current
    deadline). ``journal_seq`` is the journal head read in the same session, as for ``open_cases``."""
    last = (
        select(CaseHistory.case_id, func.max(CaseHistory.id).label("step"))
        .where(CaseHistory.at <= at)
        .group_by(CaseHistory.case_id)
        .subquery()
    )
    stmt = (
        select(
            Case.id,
            Case.x,
            Case.y,
            CaseHistory.to_state,
            Case.kind,
            Case.type_code,
            Case.urgent,
            overdue_as_of(at).label("overdue"),
            Case.exercise_id,
        )
        .join(last, last.c.case_id == Case.id)
        .join(CaseHistory, CaseHistory.id == last.c.step)
        .where(CaseHistory.to_state.not_in(_FINISHED), *exercise_conditions(exercises, Case.exercise_id))
    )
    seq = journal.last_seq(session)
    return _columns(session.execute(stmt).all(), at, seq, names_of)


def _columns(rows, now: dt.datetime, seq: int, names_of: Callable[[set[str]], dict[str, str]]) -> OpenCases:
    """Rows of (id, x, y, state, kind, type_code, urgent, overdue, exercise_id) as the map's columns."""
    names = names_of({f"{r.kind}:{r.type_code}" for r in rows})
    if not rows:
        return OpenCases.empty(now, seq)
    ids, x, y, state, kind, code, urgent, overdue, exercise = zip(*rows, strict=True)
    states = tuple(sorted(set(state)))
    state_of = {v: k for k, v in enumerate(states)}
    keys = [f"{k}:{c}" for k, c in zip(kind, code, strict=True)]
    type_keys = tuple(sorted(set(keys)))
    type_of = {v: k for k, v in enumerate(type_keys)}
    overdue_arr = np.array([bool(v) for v in overdue], dtype=bool)
    # Overdue cases last: the map draws in order, and a late case must not hide under others.
    order = np.argsort(overdue_arr, kind="stable")
    return OpenCases(
        ids=np.array(ids, dtype=np.int64)[order],
        x=np.array(x, dtype=float)[order],
        y=np.array(y, dtype=float)[order],
        state_idx=np.array([state_of[v] for v in state], dtype=np.int16)[order],
        type_idx=np.array([type_of[v] for v in keys], dtype=np.int32)[order],
        urgent=np.array([bool(v) for v in urgent], dtype=bool)[order],
        overdue=overdue_arr[order],
        states=states,
        type_keys=type_keys,
        type_names=tuple(names.get(k, "") for k in type_keys),
        at=now,
        journal_seq=seq,
        exercise_id=(
            None
            if all(e is None for e in exercise)
            else np.array([e or 0 for e in exercise], dtype=np.int64)[order]
        ),
    )


def open_cases_per_cell(
    session: Session,
    cell_codes: np.ndarray,
    *,
    overdue_at: dt.datetime | None = None,
    exercises: str = "leave",
) -> np.ndarray:
    """Open cases per cell of ``cell_codes`` (sorted, as the city snapshot keeps them), or only the ones
    overdue at ``overdue_at``; cells without any count 0. ``exercises``: leave (real cases only),
    include or only."""
    q = select(Case.cell_code, func.count()).where(
        Case.state.not_in(_FINISHED), *exercise_conditions(exercises, Case.exercise_id)
    )
    if overdue_at is not None:
        q = q.where(overdue_condition(overdue_at))
    values = np.zeros(len(cell_codes), dtype=float)
    for code, n in session.execute(q.group_by(Case.cell_code)).all():
        i = int(np.searchsorted(cell_codes, code))
        if i < len(cell_codes) and cell_codes[i] == code:
            values[i] = n
    return values
