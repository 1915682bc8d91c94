"""The one meaning of "overdue" for a case, in SQL and in memory.

A case is overdue at ``now`` when its clock runs and its deadline has passed:

- its clock runs: it is not finished (closed, evaluated, voided, merged) and not suspended (挂账 stops
  the clock until the case is resumed);
- its deadline has passed: ``Case.deadline`` is before ``now``. A deadline exactly at ``now`` has not
  passed yet; a case without a deadline is never overdue.

``Case.deadline`` is the handling deadline: set provisionally when a case is reported, and again from
its dispatch on. So a case still waiting at the centre past that provisional deadline is overdue too, as
the queue, the map, the case panel and ``case list`` show it. The KPIs and the dashboard's trend count
overdue cases *in handling* (超时未处置数): this rule on the dispatched cases only.

Three forms of the same rule, tested to agree on the same rows:

``overdue_condition(now)``
    the SQL condition, for filters, counts and selected columns;
``is_overdue(state, deadline, now)``
    its twin over values in memory: a case the desk holds, a case rebuilt from the journal;
``overdue_as_of(at)``
    the rule at a past instant, read from the case's timestamps because its state column says only
    what holds now (the dashboard's day-by-day trend). At ``now`` it gives what
    ``overdue_condition(now)`` gives.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, literal, or_

from data.models import Case
from modes.everyday.workflow import FINISHED, State

# The states in which a case's clock does not run.
NOT_RUNNING: frozenset[str] = frozenset({s.value for s in FINISHED} | {State.SUSPENDED.value})
# Later than any deadline: what a missing due time sorts and compares as.
FAR_FUTURE = dt.datetime(9999, 12, 31)


def overdue_condition(now: dt.datetime) -> ColumnElement[bool]:
    """Overdue at ``now``, as a condition on ``Case``.

    The deadline is wrapped in ``coalesce`` on purpose: almost every deadline on record is past, so an
    index on it selects nearly the whole table (measured 1.8 s to count over a million cases on
    SQLite); kept off that index the planner filters by state first (0.6 s)."""
    far = literal(FAR_FUTURE, Case.deadline.type)
    return and_(Case.state.not_in(sorted(NOT_RUNNING)), func.coalesce(Case.deadline, far) < now)


def is_overdue(state: str, deadline: dt.datetime | None, now: dt.datetime) -> bool:
    """``overdue_condition(now)`` for one case held in memory."""
    return state not in NOT_RUNNING and deadline is not None and deadline < now


def overdue_as_of(at: dt.datetime) -> ColumnElement[bool]:
    """Overdue at the instant ``at``, past or present, from the timestamps the case row keeps.

    At ``at`` the case had been reported, was not a linked duplicate, was neither closed nor voided yet,
    was not suspended, and its deadline was before ``at``. The row keeps only the current deadline and
    the current suspension (an extension moves the deadline, a resumption clears ``suspended_at``), so a
    past instant is a close reconstruction; at now it is exact."""
    c = Case
    return and_(
        c.reported_at <= at,
        c.state != State.MERGED.value,
        or_(c.closed_at.is_(None), c.closed_at > at),
        or_(c.voided_at.is_(None), c.voided_at > at),
        or_(c.suspended_at.is_(None), c.suspended_at > at),
        c.deadline < at,
    )
