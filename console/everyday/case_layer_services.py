"""The read behind the map's live cases layer: every open case as numpy columns.

One short query per refresh, run in the worker pool: id, position, state, urgency, type and whether the
handling deadline has passed (the desk's meaning of overdue, ``services.overdue_expr``, at the injected
clock's now). Finished cases (closed, evaluated, voided, merged) are not on the map. Columns, not row
objects: 20,000 open cases must cost milliseconds to hand to the map (design section 8).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.everyday.services import overdue_expr
from data import journal
from data.models import Case, ComponentType, EventType
from modes.common.clock import Clock
from modes.everyday.workflow import FINISHED

SessionFactory = Callable[[], Session]
_FINISHED = [s.value for s in FINISHED]


@dataclass(frozen=True, eq=False)
class OpenCases:
    """The open cases at ``at``, one entry per case, overdue ones last (they are drawn on top)."""

    ids: np.ndarray  # int64
    x: np.ndarray  # float64, city CRS
    y: np.ndarray
    state_idx: np.ndarray  # int16 into ``states``
    type_idx: np.ndarray  # int32 into ``type_keys`` / ``type_names``
    urgent: np.ndarray  # bool
    overdue: np.ndarray  # bool: the handling deadline passed on a running case
    states: tuple[str, ...]  # the state codes present
    type_keys: tuple[str, ...]  # ``kind:code``
    type_names: tuple[str, ...]
    at: dt.datetime
    journal_seq: int  # the journal head read in the same session (older reads must not win)

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


class CaseLayerServices:
    def __init__(self, session_factory: SessionFactory, clock: Clock):
        self.session_factory = session_factory
        self.clock = clock
        self._type_names: dict[str, str] = {}
        self._lock = threading.Lock()  # reads may overlap in the pool

    @classmethod
    def of(cls, services) -> CaseLayerServices:
        """From the console's services (same sessions and clock)."""
        return cls(services.session_factory, services.clock)

    def open_cases(self) -> OpenCases:
        now = self.clock.now()
        stmt = select(
            Case.id,
            Case.x,
            Case.y,
            Case.state,
            Case.kind,
            Case.type_code,
            Case.urgent,
            overdue_expr(now).label("overdue"),
        ).where(Case.state.not_in(_FINISHED))
        with self.session_factory() as s:
            seq = journal.last_seq(s)
            rows = s.execute(stmt).all()
            names = self._names(s, {f"{r.kind}:{r.type_code}" for r in rows})
        if not rows:
            return OpenCases.empty(now, seq)
        ids, x, y, state, kind, code, urgent, overdue = zip(*rows, strict=True)
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
        )

    def _names(self, s: Session, keys: set[str]) -> dict[str, str]:
        """Type names (a few hundred, they never change while the console runs): read once, and again
        only when a case brings a type not seen before."""
        with self._lock:
            if keys - self._type_names.keys():
                names = {
                    f"component:{c}": n for c, n in s.execute(select(ComponentType.code, ComponentType.name))
                }
                names |= {f"event:{c}": n for c, n in s.execute(select(EventType.code, EventType.name))}
                self._type_names = names
            return dict(self._type_names)
