"""The one case filter: which cases a list shows, as SQL conditions.

The console's queue, ``python main.py case list`` and the links' ``query.cases`` filter cases with
``CaseFilter`` and ``case_conditions``; overdue is ``modes.everyday.overdue``'s rule, and exercise cases
are left out unless asked (``exercises``: ``modes.common.exercise_filter``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_

from data.errors import InputError
from data.models import Case
from modes.common import exercise_filter
from modes.common.exercise_filter import EXERCISE_CHOICES as EXERCISE_CHOICES  # the filter's choices
from modes.everyday.cases import Channel
from modes.everyday.overdue import overdue_condition
from modes.everyday.workflow import State

CASE_KINDS = ("event", "component")
# A search for one case by its number: "1234", "#1234", "案1234", "case 1234".
_CASE_ID = re.compile(r"^\s*(?:#|案|case\s*)?\s*(\d{1,18})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to show. Empty values mean "any".

    ``type_key`` is ``kind:code`` (``event:06010``, ``component:01001``) or a bare type code of either
    kind. ``search`` is a case number, or text found in the description, the reporter or the cell code,
    or an external reference given whole."""

    state: str | None = None
    channel: str | None = None
    type_key: str | None = None
    department: str | None = None
    district: str | None = None
    overdue: bool = False
    search: str = ""
    exercises: str = "leave"  # leave | include | only (EXERCISE_CHOICES): exercise cases kept apart


def case_conditions(f: CaseFilter, now: dt.datetime) -> list[ColumnElement[bool]]:
    """The filter as conditions on ``Case`` (overdue at ``now``); ``InputError`` names a bad value."""
    conds: list[ColumnElement[bool]] = exercise_filter.exercise_conditions(f.exercises, Case.exercise_id)
    if f.state:
        try:
            conds.append(Case.state == State(f.state).value)
        except ValueError:
            raise InputError(
                f"unknown case state {f.state!r} (one of {', '.join(s.value for s in State)})"
            ) from None
    if f.channel:
        try:
            conds.append(Case.channel == Channel(f.channel).value)
        except ValueError:
            raise InputError(
                f"unknown channel {f.channel!r} (one of {', '.join(c.value for c in Channel)})"
            ) from None
    if f.type_key:
        kind, sep, code = f.type_key.partition(":")
        if not sep:
            conds.append(Case.type_code == f.type_key)
        elif kind in CASE_KINDS and code:
            conds += [Case.kind == kind, Case.type_code == code]
        else:
            raise InputError(
                f"a type filter is 'event:CODE', 'component:CODE' or a type code, not {f.type_key!r}"
            )
    if f.department:
        conds.append(Case.department_code == f.department)
    if f.district:
        conds.append(Case.district_code == f.district)
    if f.overdue:
        conds.append(overdue_condition(now))
    text = f.search.strip()
    if text:
        m = _CASE_ID.match(text)
        if m:
            conds.append(Case.id == int(m.group(1)))
        else:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(
                or_(
                    Case.description.like(like, escape="\\"),
                    Case.reporter.like(like, escape="\\"),
                    Case.cell_code.like(like, escape="\\"),
                    Case.external_ref == text,
                )
            )
    return conds
