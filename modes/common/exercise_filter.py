"""Exercise records kept apart from the real city: which records a list, a count or an export takes.

The records an exercise's inject made carry its id (``exercise_id`` on cases, incidents and alarms;
incidents and alarms also say ``exercise``). Real lists, figures and exports leave them out unless
asked: ``leave`` (the default) takes real records only, ``include`` both, ``only`` the exercises' alone.
The same three words everywhere: the ``exercises`` parameter of the queries in ``modes``, the
``exercises`` argument of the ``query.*`` commands and ``--exercises`` on the command line.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from data.errors import InputError

EXERCISE_CHOICES = ("leave", "include", "only")
LEAVE, INCLUDE, ONLY = EXERCISE_CHOICES
# An exercise's records removed (``modes.exercises.purge``): the event's payload lists the removed ids by
# table (``removed``: {"cases": [...], ...}); readers of the journal take those records as gone.
PURGED_EVENT = "exercise.purged"


def exercise_choice(choice: str | None) -> str:
    """``choice`` checked (None or "" mean ``leave``); ``InputError`` names a word that is none of them."""
    if choice is None or choice == "":
        return LEAVE
    word = str(choice).strip().lower()
    if word not in EXERCISE_CHOICES:
        raise InputError(
            f"exercises is one of {', '.join(EXERCISE_CHOICES)} (leave: real records only, the default), "
            f"not {choice!r}"
        )
    return word


def exercise_condition(choice: str | None, column: ColumnElement) -> ColumnElement[bool] | None:
    """The condition on ``column`` (an ``exercise_id``, or an ``exercise`` flag) that ``choice`` makes:
    None for ``include``, which takes every row."""
    word = exercise_choice(choice)
    if word == INCLUDE:
        return None
    is_flag = column.type.python_type is bool
    if word == LEAVE:
        return column.is_not(True) if is_flag else column.is_(None)
    return column.is_(True) if is_flag else column.is_not(None)


def exercise_conditions(choice: str | None, column: ColumnElement) -> list[ColumnElement[bool]]:
    """``exercise_condition`` as a list to spread into a ``where``: empty for ``include``."""
    cond = exercise_condition(choice, column)
    return [] if cond is None else [cond]


def keeps(choice: str | None, exercise_id: int | None) -> bool:
    """Whether a record with ``exercise_id`` (None: a real one) is taken: ``exercise_condition`` for a
    record already in memory (the KPIs replayed from the journal)."""
    word = exercise_choice(choice)
    if word == INCLUDE:
        return True
    return (exercise_id is None) == (word == LEAVE)
