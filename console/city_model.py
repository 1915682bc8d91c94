"""What is left of the console's read model: the open cases per cell, which moves to the everyday
mode's queries with the other case queries.

The city's picture, its loading and the detail and search queries live in ``modes.common``
(``city_picture``, ``city_loading``, ``city_queries``); the names below are re-exported for the
modules that still import them from here (``console.measures``, the everyday intake's services).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.city import FINISHED_CASE_STATES
from data.models import Case
from modes.common.city_picture import CitySnapshot, components_per_cell, per_thousand_people
from modes.common.city_queries import search

__all__ = ["CitySnapshot", "components_per_cell", "open_cases_per_cell", "per_thousand_people", "search"]


def open_cases_per_cell(session: Session, snapshot: CitySnapshot, *, overdue_at: dt.datetime | None = None):
    """Open cases per cell (or only the overdue ones, given the time to compare deadlines with)."""
    q = select(Case.cell_code, func.count()).where(Case.state.not_in(FINISHED_CASE_STATES))
    if overdue_at is not None:
        q = q.where(Case.deadline.is_not(None), Case.deadline < overdue_at)
    values = np.zeros(len(snapshot.cells.codes), dtype=float)
    for code, n in session.execute(q.group_by(Case.cell_code)).all():
        i = snapshot.cell_index(code)
        if i >= 0:
            values[i] = n
    return values
