"""The case queue: filtered, ordered pages of cases, counted and sorted in SQL.

The console's queue reads a window of a few hundred rows at a time as numpy columns (``QueuePage``,
design section 8), never the whole table: a proxy model needed 13 s to sort 100,000 rows.
``list_cases`` is the same filter as a document, newest first, for ``python main.py case list`` and the
links' ``query.cases``. Which cases match is ``modes.everyday.case_filter``; overdue is
``modes.everyday.overdue``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.models import Case, ComponentType, Department, District, EventType, Street
from modes.common.exercise_filter import exercise_choice
from modes.everyday.case_filter import CaseFilter, case_conditions
from modes.everyday.overdue import FAR_FUTURE, NOT_RUNNING, overdue_condition
from modes.everyday.workflow import State

# The queue's columns, in display order; the console's model and the SQL ordering share these keys.
QUEUE_COLUMNS = ("id", "reported_at", "channel", "type", "place", "department", "state", "due", "reporter")

# Which due time runs in each state: the current stage's clock (None where no clock runs).
STAGE_DUE_BY_STATE: dict[State, ColumnElement] = {
    State.REPORTED: Case.accept_due,
    State.VERIFYING: Case.verify_due,
    State.ACCEPTED: Case.file_due,
    State.SELF_FIX_REVIEW: Case.file_due,
    State.FILED: Case.dispatch_due,
    State.DISPATCHED: Case.deadline,
    State.HANDLING: Case.deadline,
    State.EXTENSION_REQUESTED: Case.deadline,
    State.RETURN_REQUESTED: Case.deadline,
    State.SUSPENSION_REQUESTED: Case.deadline,
    State.FEEDBACK: Case.send_check_due,
    State.CHECKING: Case.check_due,
    State.CHECKED: Case.close_due,
    State.REWORK_PENDING: Case.dispatch_due,
}


def stage_due_expr() -> ColumnElement:
    return case(*((Case.state == s.value, col) for s, col in STAGE_DUE_BY_STATE.items()), else_=None)


@dataclass(frozen=True)
class QueueOrder:
    column: str = "id"
    descending: bool = True


@dataclass(frozen=True, eq=False)
class QueuePage:
    """``len(ids)`` consecutive rows of the queue starting at ``offset``, column by column."""

    offset: int
    ids: np.ndarray  # int64
    reported_at: np.ndarray  # datetime64[s]
    channel: np.ndarray  # object (str)
    kind: np.ndarray
    type_code: np.ndarray
    district: np.ndarray
    street: np.ndarray
    department: np.ndarray  # object (str or None)
    state: np.ndarray
    stage_due: np.ndarray  # datetime64[s], NaT where no stage clock runs
    reporter: np.ndarray
    urgent: np.ndarray  # bool
    overdue: np.ndarray  # bool: ``modes.everyday.overdue``
    stage_late: np.ndarray  # bool: the current stage's due time passed
    # int64: the exercise whose inject reported the case, 0 for a real case (shown only when the filter's
    # ``exercises`` takes them: ``include`` or ``only``)
    exercise_id: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class QueueLookups:
    """Names for the codes the queue shows, and the choices of its filters (all small tables)."""

    type_names: dict[str, str]  # kind:code -> name
    districts: dict[str, str]
    streets: dict[str, str]
    departments: dict[str, str]

    def type_name(self, kind: str, code: str) -> str:
        return self.type_names.get(f"{kind}:{code}", "")


# --- names and choices --------------------------------------------------------------------------------


def type_names(session: Session) -> dict[str, str]:
    """The name of every case type, by ``kind:code`` (a few hundred rows)."""
    names = {f"component:{c}": n for c, n in session.execute(select(ComponentType.code, ComponentType.name))}
    names |= {f"event:{c}": n for c, n in session.execute(select(EventType.code, EventType.name))}
    return names


def departments(session: Session) -> tuple[tuple[str, str], ...]:
    """(code, name) of every department, by code."""
    return tuple(session.execute(select(Department.code, Department.name).order_by(Department.code)).all())


def lookups(session: Session) -> QueueLookups:
    return QueueLookups(
        type_names=type_names(session),
        districts=dict(session.execute(select(District.code, District.name).order_by(District.code)).all()),
        streets=dict(session.execute(select(Street.code, Street.name)).all()),
        departments=dict(departments(session)),
    )


def types_in_use(session: Session) -> tuple[str, ...]:
    """The ``kind:code`` of every type some case has (the type filter offers these, not all 300)."""
    rows = session.execute(select(Case.kind, Case.type_code).distinct()).all()
    return tuple(sorted(f"{k}:{c}" for k, c in rows))


# --- ordering -----------------------------------------------------------------------------------------


# Orderings by a computed key (no index serves them): their pages sort the ids first.
SORTED_IN_FULL = frozenset({"due", "department"})


def sort_key(column: str) -> ColumnElement:
    """The ordering key of a column; NULLs folded so both backends order alike and rank works."""
    keys: dict[str, ColumnElement] = {
        "id": Case.id,
        "reported_at": Case.reported_at,
        "channel": Case.channel,
        "type": Case.type_code,
        "place": Case.street_code,  # a street code starts with its district's: district, then street
        "department": func.coalesce(Case.department_code, ""),
        "state": Case.state,
        "due": func.coalesce(stage_due_expr(), literal(FAR_FUTURE, Case.deadline.type)),
        "reporter": Case.reporter,
    }
    try:
        return keys[column]
    except KeyError:
        raise InputError(f"the queue cannot sort by {column!r} (one of {', '.join(keys)})") from None


def _ordering(order: QueueOrder) -> list[ColumnElement]:
    key = sort_key(order.column)
    by = [key] if order.column == "id" else [key, Case.id]
    return [k.desc() if order.descending else k.asc() for k in by]


# --- the queue ----------------------------------------------------------------------------------------


def count(session: Session, f: CaseFilter, now: dt.datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(Case).where(*case_conditions(f, now))) or 0)


def page(
    session: Session,
    f: CaseFilter,
    order: QueueOrder,
    offset: int,
    limit: int,
    now: dt.datetime,
    total: int | None = None,
) -> QueuePage:
    """Rows ``offset`` to ``offset + limit`` of the queue. Given the ``total``, a page in the second
    half is read from the end in the reverse order (the same rows: every ordering ends with the
    unique id), so ``OFFSET`` never skips more than half the table and the end costs nothing."""
    if offset < 0 or limit <= 0:
        raise InputError(f"a queue page needs offset >= 0 and limit > 0 (got {offset}, {limit})")
    from_end = total is not None and offset > total // 2
    if from_end:
        limit = max(min(limit, total - offset), 0)
        skip = max(total - offset - limit, 0)
    else:
        skip = offset
    ordering = _ordering(QueueOrder(order.column, not order.descending) if from_end else order)
    conditions = case_conditions(f, now)
    shown = select(
        Case.id,
        Case.reported_at,
        Case.channel,
        Case.kind,
        Case.type_code,
        Case.district_code,
        Case.street_code,
        Case.department_code,
        Case.state,
        stage_due_expr().label("stage_due"),
        Case.reporter,
        Case.urgent,
        overdue_condition(now).label("overdue"),
        Case.exercise_id,
    )
    if order.column in SORTED_IN_FULL:
        # A computed key has no index: every matching row is sorted. Sort the ids alone, then read the
        # shown columns of the page's rows (SQLite's sorter would carry every shown column of every row).
        ids = select(Case.id).where(*conditions).order_by(*ordering).limit(limit).offset(skip).subquery()
        stmt = shown.join(ids, ids.c.id == Case.id).order_by(*ordering)
    else:
        stmt = shown.where(*conditions).order_by(*ordering).limit(limit).offset(skip)
    rows = session.execute(stmt).all() if limit else []
    return _page_of(offset, rows[::-1] if from_end else rows, now)


def row_of(session: Session, f: CaseFilter, order: QueueOrder, case_id: int, now: dt.datetime) -> int | None:
    """Where a case stands in the queue (None when the filter hides it): how many rows sort before it."""
    conds = case_conditions(f, now)
    key = sort_key(order.column)
    value = session.execute(select(key).where(Case.id == case_id, *conds)).first()
    if value is None:
        return None
    v = value[0]
    if order.column == "id":
        before = Case.id > case_id if order.descending else Case.id < case_id
    elif order.descending:
        before = or_(key > v, and_(key == v, Case.id > case_id))
    else:
        before = or_(key < v, and_(key == v, Case.id < case_id))
    return int(session.scalar(select(func.count()).select_from(Case).where(*conds, before)) or 0)


def _dt64(values: list) -> np.ndarray:
    return np.array([np.datetime64(v, "s") if v is not None else np.datetime64("NaT") for v in values])


def _page_of(offset: int, rows: list, now: dt.datetime) -> QueuePage:
    if rows:
        cols = list(zip(*rows, strict=True))
    else:
        cols = [()] * 14
    (
        ids,
        reported,
        channel,
        kind,
        type_code,
        district,
        street,
        department,
        state,
        due,
        reporter,
        urgent,
        overdue,
        exercise,
    ) = cols
    running = np.array([s not in NOT_RUNNING for s in state], dtype=bool)
    late = np.array([d is not None and d < now for d in due], dtype=bool) & running

    def obj(values) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out

    return QueuePage(
        offset=offset,
        ids=np.array(ids, dtype=np.int64),
        reported_at=_dt64(list(reported)).astype("datetime64[s]"),
        channel=obj(channel),
        kind=obj(kind),
        type_code=obj(type_code),
        district=obj(district),
        street=obj(street),
        department=obj(department),
        state=obj(state),
        stage_due=_dt64(list(due)).astype("datetime64[s]"),
        reporter=obj(reporter),
        urgent=np.array(urgent, dtype=bool),
        overdue=np.array([bool(v) for v in overdue], dtype=bool),
        stage_late=late,
        exercise_id=np.array([e or 0 for e in exercise], dtype=np.int64),
    )


# --- the list of ``case list`` -------------------------------------------------------------------------


def list_cases(
    session: Session,
    now: dt.datetime,
    *,
    state: str | None = None,
    department: str | None = None,
    district: str | None = None,
    channel: str | None = None,
    type_code: str | None = None,
    overdue: bool = False,
    limit: int = 50,
    offset: int = 0,
    exercises: str = "leave",
) -> dict:
    """One page of cases (newest first) and the total that match, filtered and counted in SQL.
    ``type_code`` is a bare code (either kind) or ``kind:code``; ``exercises``: leave (real cases only),
    include or only (``CaseFilter.exercises``); a listed exercise case names its exercise (``exercise``)."""
    f = CaseFilter(
        state=state,
        channel=channel,
        type_key=type_code,
        department=department,
        district=district,
        overdue=overdue,
        exercises=exercise_choice(exercises),
    )
    conds = case_conditions(f, now)
    if limit < 0 or offset < 0:
        raise InputError("limit and offset must not be negative")
    total = session.scalar(select(func.count()).select_from(Case).where(*conds))
    rows = session.execute(
        select(
            Case.id,
            Case.state,
            Case.kind,
            Case.type_code,
            Case.channel,
            Case.urgent,
            Case.cell_code,
            Case.district_code,
            Case.department_code,
            Case.reported_at,
            Case.deadline,
            Case.closed_at,
            overdue_condition(now).label("overdue"),
            Case.exercise_id,
        )
        .where(*conds)
        .order_by(Case.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "exercises": f.exercises,
        "cases": [
            {
                "id": r.id,
                "state": r.state,
                "kind": r.kind,
                "type": r.type_code,
                "channel": r.channel,
                "urgent": r.urgent,
                "cell": r.cell_code,
                "district": r.district_code,
                "department": r.department_code,
                "reported_at": _iso(r.reported_at),
                "deadline": _iso(r.deadline),
                "closed_at": _iso(r.closed_at),
                "overdue": bool(r.overdue),
                "exercise": r.exercise_id,
            }
            for r in rows
        ],
    }


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None
