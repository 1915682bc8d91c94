"""Every case row against the replay of its journal events (the audit's case half; see
``modes.common.audit``).

A case's events are its ``case.report`` and one ``case.<action>`` per step of the loop (the case desk),
or one ``case.history`` event holding the whole generated or imported path (``history.BulkRows``),
possibly followed by live steps. The replay walks them through ``workflow.TRANSITIONS``: each step's
named effect sets what ``cases.EFFECTS`` sets, from the step's time and what its event recorded.

What the events let us check, and how:

- exactly, for every case: kind, type, channel, urgent, cell, district, department, component,
  reporter, duplicate link, the exercise an inject reported it for (none for generated history), state,
  the time of every step (reported, accepted, verified, filed, dispatched, started, fed back, checked,
  closed, voided, evaluated, suspended, last updated), closure kind, satisfaction and the four loop
  counters;
- when the events recorded them: x and y (live reports exactly; generated history to the centimetre it
  kept), the description (live reports), the handling deadline (set by dispatch, extension, resumption
  and rework, and the final one of a generated path; not after a report, an unlink or a close out of
  suspension, whose new deadline no event records), the verify and check due times (live), the pending
  request (live exactly; generated paths only whether there is one) and the suspended minutes (live
  resumptions, to the tenth of a minute they record);
- not at all (``UNCHECKED``): no event records the accept, file, dispatch, send-check and close due
  times, the supervisor, the community and street codes or the external reference.

Speed: the journal is read once by the chain check and handed here a batch at a time; a case is
compared as soon as its last event is seen (which events are last comes from one indexed query first),
so a million generated cases need neither a million objects in memory nor a query each. A generated
path's payload is read with orjson and its effects are worked out once per sequence of actions (a year
holds a few hundred); the values its event vouches for exactly are written as one JSON text, which the
database writes from the row too, so a case costs one string comparison (``_JsonRows``), and x, y and
the few partial columns are compared beside it a batch at a time. Replayed cases' rows are read as plain
tuples, times as SQLite stores them (PostgreSQL is asked for the same text), and a batch is compared
with one list comparison. Only a row that differs is looked at column by column, where equal values
written differently (a time without its microseconds) are not a difference.

A replica (a district node's database) holds the centre's case rows but not the centre's events: its
cases are not checked (its own journal still is).

An exercise's cases removed by its purge (one ``exercise.purged`` event lists them) keep their events
and have no row: they are not replayed, and a row found under one of their ids is a difference.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter, sub

import numpy as np
import orjson
from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    inspect,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from data.db import DriverQuery
from data.journal import ScannedEvent
from data.models import Case, JournalEvent
from modes.common.exercise_filter import PURGED_EVENT
from modes.everyday import workflow

# Compared for every case; times last (a generated path's come from its steps, in this order).
EXACT = (
    "kind", "type_code", "channel", "urgent", "cell_code", "district_code", "department_code",
    "component_id", "reporter", "duplicate_of", "state", "closure_kind", "satisfaction", "exercise_id",
    "rework_count", "return_count", "extension_count", "suspension_count", "updated_at",
    "reported_at", "accepted_at", "verified_at", "filed_at", "dispatched_at", "started_at",
    "feedback_at", "checked_at", "closed_at", "voided_at", "evaluated_at", "suspended_at",
)  # fmt: skip
STEP_TIMES = EXACT[EXACT.index("reported_at") :]  # set by the steps of the loop
COUNTS = ("rework_count", "return_count", "extension_count", "suspension_count")
# Compared when the events recorded them (see the module's docstring).
PARTIAL = ("x", "y", "description", "deadline", "verify_due", "check_due", "pending", "suspended_minutes")
UNCHECKED = (
    "accept_due", "file_due", "dispatch_due", "send_check_due", "close_due", "supervisor_id", "community_code",
    "street_code", "external_ref",
)  # fmt: skip
COMPARED = (*EXACT, *PARTIAL)
TIMES = frozenset(
    c.key for c in Case.__table__.columns if c.key in COMPARED and c.type.python_type is dt.datetime
)
_BATCH = 2000
NO_ROW = ("no row",)
NO_EVENTS = ("no journal events",)
UNREPLAYABLE = ("events cannot be replayed",)
_REPLICA_POSITION = text("SELECT 1 FROM link_replica_meta WHERE name = 'seq'")


# --- what an expected value may be besides a plain one (all compare with ==, so a whole row is
# compared as one tuple) ------------------------------------------------------------------------------------


class _Unknown:
    """A column the events do not vouch for: equal to anything."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "unknown"


class _Set:
    """Not null, value unknown: the pending request of a generated path."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return other is not None

    def __repr__(self) -> str:
        return "set"


class _Near:
    """A number an event recorded rounded: equal within ``tolerance``."""

    __slots__ = ("value", "tolerance")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: float, tolerance: float):
        self.value, self.tolerance = value, tolerance

    def __eq__(self, other: object) -> bool:
        try:
            return isinstance(other, int | float) and abs(other - self.value) <= self.tolerance
        except (TypeError, OverflowError):  # the event recorded no number, or one past a double
            return False

    def __repr__(self) -> str:
        return f"{self.value}±{self.tolerance}"


class _Json:
    """A JSON text column (the pending request) equal to what the event recorded."""

    __slots__ = ("value",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: object):
        self.value = value

    def __eq__(self, other: object) -> bool:
        try:
            return isinstance(other, str) and json.loads(other) == self.value
        except ValueError:
            return False

    def __repr__(self) -> str:
        return repr(self.value)


UNKNOWN, SET = _Unknown(), _Set()
CENTIMETRE = 0.005 + 1e-6  # generated paths keep x and y rounded to the centimetre


class _Replay:
    """What the events say one case's row holds: ``EXACT`` columns as attributes (times as text in
    SQLite's storage form, see ``_at``), ``PARTIAL`` ones in ``known`` when the events recorded them.

    The columns' starting values are class attributes: a replay made per case (a million of them)
    sets only what its events set."""

    def __init__(self) -> None:
        # Before any step: no request pending, no verification or check asked for, never suspended.
        self.known: dict[str, object] = {
            "pending": None, "verify_due": None, "check_due": None, "suspended_minutes": 0.0,
        }  # fmt: skip
        self.minutes_tolerance = 0.0  # the suspended minutes a live path recorded are rounded


for _name in EXACT:
    setattr(_Replay, _name, 0 if _name.endswith("_count") else None)


def _at(iso: str) -> str:
    """A journal time as ``scan`` reads it (SQLite's storage form, or the canonical ISO form with its
    "T") as case times are compared: as SQLite stores them ("YYYY-MM-DD HH:MM:SS.ffffff"; PostgreSQL is
    asked for the same text)."""
    return f"{iso[:10]} {iso[11:]}"


def _step_time(iso: str) -> str:
    """A step time of a generated path ("YYYY-MM-DDTHH:MM:SS", whole seconds) as compared."""
    return f"{iso[:10]} {iso[11:19]}.000000"


class _ToTheSecond(str):
    """A time an event recorded to the second: equal to a column's time within that second."""

    __slots__ = ()
    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other[:19] == self[:19]

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)


def _second(iso: str | None) -> str | None:
    return None if iso is None else _ToTheSecond(_step_time(iso))


def _learn(c: _Replay, column: str, value: object, known: bool = True) -> None:
    if known:
        c.known[column] = value
    else:
        c.known.pop(column, None)


# --- the effects: what each named effect of the transition table sets (``cases.EFFECTS``), as far as
# the step's time ``t`` and its event's payload ``p`` (None for a step of a generated path) tell ------------

Effect = Callable[[_Replay, str, dict | None], None]
EFFECTS: dict[str, Effect] = {}  # effect name (workflow.Transition.effect) -> its replay


def _effect(fn: Effect) -> Effect:
    """Register ``_name`` as the replay of the effect ``name``."""
    EFFECTS[fn.__name__[1:]] = fn
    return fn


@_effect
def _accept(c: _Replay, t: str, p: dict | None) -> None:
    c.accepted_at = c.accepted_at or t


@_effect
def _send_verify(c: _Replay, t: str, p: dict | None) -> None:
    c.accepted_at = c.accepted_at or t
    c.verified_at = None
    _learn(c, "verify_due", _second(p.get("verify_due")) if p else None, p is not None and "verify_due" in p)


@_effect
def _verify(c: _Replay, t: str, p: dict | None) -> None:
    c.verified_at = t


@_effect
def _self_fix(c: _Replay, t: str, p: dict | None) -> None:
    c.accepted_at = t


@_effect
def _file(c: _Replay, t: str, p: dict | None) -> None:
    c.filed_at = t


def _deadline(c: _Replay, p: dict | None) -> None:
    _learn(c, "deadline", _second(p.get("deadline")) if p else None, p is not None and "deadline" in p)


@_effect
def _dispatch(c: _Replay, t: str, p: dict | None) -> None:
    if p is not None and "department" in p:
        c.department_code = p["department"]
    c.dispatched_at = t
    c.started_at = None
    _deadline(c, p)


@_effect
def _start(c: _Replay, t: str, p: dict | None) -> None:
    c.started_at = t


@_effect
def _request(c: _Replay, t: str, p: dict | None) -> None:
    c.known["pending"] = SET if p is None else _Json(p["request"])


@_effect
def _extend(c: _Replay, t: str, p: dict | None) -> None:
    _deadline(c, p)
    c.extension_count += 1
    c.known["pending"] = None


@_effect
def _clear_request(c: _Replay, t: str, p: dict | None) -> None:
    c.known["pending"] = None


@_effect
def _return_to_centre(c: _Replay, t: str, p: dict | None) -> None:
    c.return_count += 1
    c.known["pending"] = None


@_effect
def _suspend(c: _Replay, t: str, p: dict | None) -> None:
    c.suspended_at = t
    c.suspension_count += 1
    c.known["pending"] = None


@_effect
def _resume(c: _Replay, t: str, p: dict | None) -> None:
    c.suspended_at = None
    minutes = c.known.get("suspended_minutes")
    if p is not None and minutes is not None and "stopped_minutes" in p:
        c.known["suspended_minutes"] = minutes + p["stopped_minutes"]
        c.minutes_tolerance += 0.05 + 1e-9  # recorded rounded to a tenth of a minute
    else:
        c.known.pop("suspended_minutes", None)
    _deadline(c, p)


def _close_with(kind: str | None) -> Effect:
    def effect(c: _Replay, t: str, p: dict | None) -> None:
        if c.suspended_at is not None:  # the clock stopped: minutes and deadline move, unrecorded
            c.suspended_at = None
            c.known.pop("suspended_minutes", None)
            c.known.pop("deadline", None)
        c.closed_at = t
        c.closure_kind = kind if kind is not None else (p or {}).get("closure_kind")

    return effect


@_effect
def _close_self_fixed(c: _Replay, t: str, p: dict | None) -> None:
    c.filed_at = c.filed_at or t
    _close_with("normal")(c, t, p)


@_effect
def _feedback(c: _Replay, t: str, p: dict | None) -> None:
    c.feedback_at = t


@_effect
def _send_check(c: _Replay, t: str, p: dict | None) -> None:
    _learn(c, "check_due", _second(p.get("check_due")) if p else None, p is not None and "check_due" in p)
    c.checked_at = None


@_effect
def _check(c: _Replay, t: str, p: dict | None) -> None:
    c.checked_at = t


@_effect
def _rework(c: _Replay, t: str, p: dict | None) -> None:
    c.rework_count += 1
    c.dispatched_at = t
    c.started_at = c.feedback_at = c.checked_at = None
    c.known["check_due"] = None
    _deadline(c, p)


@_effect
def _evaluate(c: _Replay, t: str, p: dict | None) -> None:
    c.evaluated_at = t
    c.satisfaction = p.get("satisfaction") if p is not None else c.satisfaction


@_effect
def _void(c: _Replay, t: str, p: dict | None) -> None:
    c.voided_at = t


@_effect
def _unlink(c: _Replay, t: str, p: dict | None) -> None:
    c.duplicate_of = None
    c.known.pop("deadline", None)  # a new provisional deadline, unrecorded


EFFECTS.update(
    close=_close_with(None), close_special=_close_with("special"), close_error=_close_with("error")
)
# (state, action) -> (effect, target state): the transition table, looked up once per step.
_STEPS = {
    (tr.source.value, tr.action): (EFFECTS[tr.effect] if tr.effect else None, tr.target.value)
    for tr in workflow.TRANSITIONS
}


# --- building a replay from events ----------------------------------------------------------------------


def _reported(c: _Replay, case: dict, district: str | None) -> None:
    """The report's facts, from a ``case.report`` payload or a generated path's final ``case`` record."""
    c.kind, c.type_code, c.channel = case["kind"], case["type"], case["channel"]
    c.urgent, c.cell_code, c.component_id = case["urgent"], case["cell"], case["component"]
    c.department_code, c.duplicate_of = case["department"], case["duplicate_of"]
    c.district_code = district


def _from_report(at: str, actor: str, district: str | None, p: dict) -> _Replay:
    c = _Replay()
    _reported(c, p, district)
    c.reporter, c.state = actor, p["state"]
    c.exercise_id = p.get("exercise")  # an exercise's inject reported it: its report says which
    c.reported_at = c.updated_at = at
    c.known.update(x=p["x"], y=p["y"], description=p["text"])
    return c


def _from_history(at: str, district: str | None, p: dict) -> _Replay:
    """A generated or imported path: its steps in order, then the final facts the event kept."""
    c = _Replay()
    final, steps = p["case"], p["steps"]
    _reported(c, final, district)
    _action, _role, c.reporter, first = steps[0]
    c.reported_at = _step_time(first)
    state = "merged" if final["duplicate_of"] is not None else "reported"
    for action, _role, _actor, when in steps[1:]:
        effect, state = _STEPS[state, action]
        if effect is not None:
            effect(c, _step_time(when), None)
    c.state = final["state"]
    c.department_code = final["department"]
    c.closure_kind, c.satisfaction = final["closure_kind"], final["satisfaction"]
    deadline = final["deadline"]
    c.known["deadline"] = None if deadline is None else _step_time(deadline)
    c.known.update(x=_Near(final["x"], CENTIMETRE), y=_Near(final["y"], CENTIMETRE))
    c.updated_at = at
    return c


def _step(c: _Replay, action: str, at: str, p: dict) -> None:
    """One live step: the effect of its row of the table (the event says from which state)."""
    effect, target = _STEPS[p["from"], action]
    if target != p["to"] or p["from"] != c.state:
        raise ValueError(
            f"{action} from {p['from']} to {p['to']} is not the next step of {workflow.TABLE.a(c.state)}"
        )
    if effect is not None:
        effect(c, at, p)
    c.state = p["to"]
    c.updated_at = at


# --- generated paths without a replay object: a plan per sequence of actions -------------------------------

# What a generated path's event says exactly of its case's row: ``EXACT`` and the deadline. The database
# hands these back as one JSON text a row (``_row_json``), compared with the JSON of the expected values
# (``_JsonRows``) as one string: reading 31 columns one by one and comparing them as tuples took twice as
# long, for a million cases.
ROW_JSON = (*EXACT, "deadline")
# A generated case's row as read for that comparison: the id, ``ROW_JSON`` as JSON, x and y, and the
# partial columns a generated path may know as bits of one number (``_row_partials``).
GENERATED_ROW = ("id", "json", "x", "y", "partials")
_GEN_ID, _GEN_JSON, _GEN_X, _GEN_Y, _GEN_PARTIALS = (itemgetter(i) for i in range(len(GENERATED_ROW)))
# What a generated path can leave known of the partial columns: a bit of ``partials`` each, set when
# the row holds that (a path knows no other value of them: its steps record none).
PARTIAL_BITS = {
    ("verify_due", None): 1,  # is null
    ("check_due", None): 2,  # is null
    ("pending", None): 4,  # is null (a request pending: 4 not set)
    ("suspended_minutes", 0.0): 8,  # is 0
}


class _Plan:
    """What a generated path's steps set, worked out once per sequence of actions: which step's time
    each step time column takes, the counters, which partial columns end known (and how), and so how
    its cases' rows are compared.

    A year of history has a million cases but a few hundred distinct paths, so a case costs a lookup
    and a tuple built in C instead of a replay step by step."""

    number: int  # in ``_PLAN_LIST``

    def __init__(self, actions: tuple[str, ...], merged: bool):
        c = _Replay()
        state = "merged" if merged else "reported"
        c.reported_at = 1  # step numbers stand for the times (1-based: never false)
        for i, action in enumerate(actions[1:], start=2):
            effect, state = _STEPS[state, action]
            if effect is not None:
                effect(c, i, None)  # type: ignore[arg-type]
        # Step n's time is item n - 1 of the path's times; item -1 is None (a time no step set).
        self.times = itemgetter(
            *(-1 if getattr(c, name) is None else getattr(c, name) - 1 for name in STEP_TIMES)
        )
        self.counts = tuple(getattr(c, name) for name in COUNTS)
        known = c.known
        self.pending = known["pending"]
        self.verify_due = known.get("verify_due", UNKNOWN)
        self.check_due = known.get("check_due", UNKNOWN)
        self.suspended_minutes = known.get("suspended_minutes", UNKNOWN)
        # The partial columns the path leaves known, as bits of a row's ``partials``: ``care`` are the
        # bits it knows, ``want`` their values (a request pending: the "pending is null" bit clear).
        self.care = self.want = 0
        for name in ("verify_due", "check_due", "pending", "suspended_minutes"):
            value = getattr(self, name)
            if value is UNKNOWN:
                continue
            bit = PARTIAL_BITS[name, None] if value is SET else PARTIAL_BITS[name, value]
            self.care |= bit
            self.want |= 0 if value is SET else bit

    def expected(self, case: _GeneratedCase, values: Sequence) -> tuple:
        """The case's expected row in full, as a replay gives it: id, then ``COMPARED`` (``values`` are
        ``ROW_JSON``'s, read back from the case's JSON)."""
        x, y = case[2], case[3]
        return (
            case[0], *values[:-1], _Near(x, CENTIMETRE), _Near(y, CENTIMETRE), UNKNOWN, values[-1],
            self.verify_due, self.check_due, self.pending, self.suspended_minutes,
        )  # fmt: skip


_PLANS: dict[tuple[tuple[str, ...], bool], _Plan] = {}
_PLAN_LIST: list[_Plan] = []  # by number: what a generated case keeps instead of its plan

# A generated case as the audit keeps it until its row is read: (id, the JSON its row's ``ROW_JSON``
# columns must read as, x, y, its plan's number). A few plain values: the garbage collector soon stops
# looking at such a tuple, where a million tuples holding objects (or 31 values each) passed through
# its generations and made it walk them again and again.
_GeneratedCase = tuple[int, str, float, float, int]

_UNREPLAYABLE_ERRORS = (KeyError, ValueError, TypeError, IndexError, AttributeError)
_ORJSON_REFUSES = (orjson.JSONDecodeError, KeyError, TypeError)


def _new_plan(key: tuple[tuple[str, ...], bool]) -> _Plan:
    """A plan numbered by its place in ``_PLAN_LIST``: appending and then finding itself keeps the
    number right when two audits (two threads) meet a new path at once."""
    plan = _Plan(*key)
    _PLAN_LIST.append(plan)
    plan.number = _PLAN_LIST.index(plan)
    _PLANS[key] = plan
    return plan


def _generated(
    case_id: int, at: str, district: str | None, p: dict, dumps: Callable[[tuple], str]
) -> _GeneratedCase:
    """What a generated path's event says its case's row holds (``at`` as ``_at`` gives it), with
    ``ROW_JSON``'s values written by ``dumps``."""
    final = p["case"]
    actions, _roles, actors, when = zip(*p["steps"], strict=True)
    key = (actions, final["duplicate_of"] is not None)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _new_plan(key)
    # Every step's "YYYY-MM-DDTHH:MM:SS" as "YYYY-MM-DD HH:MM:SS.000000", in three passes of C.
    times = (".000000|".join(when) + ".000000|").replace("T", " ").split("|")
    times[-1] = None
    deadline = final["deadline"]
    values = (
        final["kind"], final["type"], final["channel"], final["urgent"], final["cell"], district,
        final["department"], final["component"], actors[0], final["duplicate_of"], final["state"],
        final["closure_kind"], final["satisfaction"], None, *plan.counts, at, *plan.times(times),
        None if deadline is None else f"{deadline[:10]} {deadline[11:19]}.000000",
    )  # fmt: skip
    return case_id, dumps(values), final["x"], final["y"], plan.number


def _history_expected(case_id: int, at: str, district: str | None, p: dict) -> tuple:
    """The row a generated path's event vouches for, as a replay gives it: id, then ``COMPARED``."""
    case = _generated(case_id, at, district, p, _JsonRows("sqlite").dumps)
    return _PLAN_LIST[case[4]].expected(case, orjson.loads(case[1]))


def _expected(case_id: int, c: _Replay) -> tuple:
    known = c.known
    minutes = known.get("suspended_minutes", UNKNOWN)
    if c.minutes_tolerance and minutes is not UNKNOWN:
        minutes = _Near(minutes, c.minutes_tolerance + 1e-6)  # type: ignore[arg-type]
    return (
        case_id,
        *[getattr(c, name) for name in EXACT],
        *[known.get(name, UNKNOWN) for name in PARTIAL[:-1]],
        minutes,
    )


# --- comparing ------------------------------------------------------------------------------------------


def _time_text(col, dialect: str):
    """A time column as the text expected times are kept in (SQLite's own storage form): no datetime
    object per value."""
    if dialect == "postgresql":
        return func.to_char(col, "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(col, String)


def _row_statement(dialect: str, names: tuple[str, ...] = ("id", *COMPARED)):
    """The cases with ids from ``lo`` to ``hi``, in order: ``names``, times as text."""
    c = Case.__table__.c
    special = {"json": _row_json(dialect), "partials": _row_partials()}
    cols = [
        special.get(n) if n in special else _time_text(c[n], dialect) if n in TIMES else c[n] for n in names
    ]
    return select(*cols).where(c.id.between(bindparam("lo", 0), bindparam("hi", 0))).order_by(c.id)


def _row_json(dialect: str):
    """A row's ``ROW_JSON`` columns as one JSON text, as ``_JsonRows.dumps`` writes the expected values:
    a JSON array on SQLite, a record's JSON (keys f1, f2...) on PostgreSQL."""
    c = Case.__table__.c
    if dialect == "postgresql":
        return cast(
            func.row_to_json(tuple_(*[_time_text(c[n], dialect) if n in TIMES else c[n] for n in ROW_JSON])),
            Text,
        )
    # SQLite keeps the urgent flag as 0 or 1: JSON's false and true, as the event records it.
    urgent = sql_case(
        (c.urgent.is_(1), literal_column("json('true')")),
        (c.urgent.is_(0), literal_column("json('false')")),
        else_=c.urgent,
    )
    return func.json_array(*[urgent if n == "urgent" else c[n] for n in ROW_JSON])


def _row_partials():
    """A row's partial columns as ``PARTIAL_BITS``: one small number instead of four values to read."""
    c = Case.__table__.c
    holds = {
        "verify_due": c.verify_due.is_(None),
        "check_due": c.check_due.is_(None),
        "pending": c.pending.is_(None),
        "suspended_minutes": c.suspended_minutes.is_not_distinct_from(0),
    }
    return sum(cast(holds[name], Integer) * bit for (name, _), bit in PARTIAL_BITS.items())


class _JsonRows:
    """The expected ``ROW_JSON`` values as the database writes a row's (``_row_json``), so that equal
    texts mean equal values. JSON texts are equal only for equal sequences of JSON values: text, whole
    numbers, null, true and false read alike in Python (the flag is compared as a truth value anyway).
    Fractions could differ yet read alike (SQLite writes 15 digits): the values hold none (a generated
    path's duplicate link that is a fraction is replayed instead, see ``CaseChecker.visit``), and the
    text columns cannot hold one."""

    def __init__(self, dialect: str):
        # As text, not orjson's bytes: keeping a million of those made the kernel hand out fresh pages
        # for every one (twice as long as the rest of a case's work); a str is a copy of the right size.
        if dialect == "postgresql":
            keys = [f"f{i}" for i in range(1, len(ROW_JSON) + 1)]
            self.dumps = lambda values: orjson.dumps(dict(zip(keys, values, strict=True))).decode()
            self.loads = lambda text: list(orjson.loads(text).values())
        else:
            self.dumps = lambda values: orjson.dumps(values).decode()
            self.loads = orjson.loads


def _same_time(expected: str | None, actual: object) -> bool:
    """Equal times written differently are the same; ``expected`` may hold whole seconds only, for a
    time an event recorded to the second."""
    if expected is None or actual is None:
        return expected is None and actual is None
    try:
        a = actual if isinstance(actual, dt.datetime) else dt.datetime.fromisoformat(str(actual))
        e = dt.datetime.fromisoformat(expected)
    except ValueError:
        return False
    if len(expected) <= 19:
        a = a.replace(microsecond=0)
    return a == e


def _differences(expected: tuple, row: tuple) -> tuple[str, ...]:
    """The columns of ``row`` (``COMPARED`` order) that ``expected`` contradicts."""
    out = []
    for name, want, have in zip(COMPARED, expected, row, strict=True):
        if want == have:
            continue
        if name in TIMES and isinstance(want, str) and _same_time(want, have):
            continue
        if name == "urgent" and have is not None and bool(want) == bool(have):
            continue
        out.append(name)
    return tuple(out)


def _runs(ids: list[int]) -> Iterator[tuple[int, int]]:
    """Sorted ids cut into runs ``[start, end)`` read as one id range each: generated cases are
    consecutive ids (one range whose rows line up with them); scattered ids (live cases) go in pieces,
    so a range never reads many rows it does not need."""
    if ids and ids[-1] - ids[0] < 2 * len(ids) + 64:  # generated history: one range, found at once
        yield 0, len(ids)
        return
    start = 0
    while start < len(ids):
        end = start + 1
        first = ids[start]
        while end < len(ids) and ids[end] - first < 2 * (end - start + 1) + 64:
            end += 1
        yield start, end
        start = end


def _generated_agree(cases: list[_GeneratedCase], rows: list[tuple]) -> bool:
    """Whether the rows (``GENERATED_ROW``, ids from the first case's to the last's) agree with the
    generated cases, all of them, compared a whole run at a time in C; when they do not, the caller
    finds which do not and why, column by column."""
    if len(rows) != len(cases):  # a replayed case among them, or a row missing
        by_id = {row[0]: row for row in rows}
        rows = [by_id.get(case[0]) for case in cases]
    ids, jsons, xs, ys, plans = zip(*cases, strict=True)
    try:
        if tuple(map(_GEN_ID, rows)) != ids or tuple(map(_GEN_JSON, rows)) != jsons:
            return False
        # The partial columns each path knows, all cases at once.
        plans = np.fromiter(plans, np.intp, len(plans))
        care = np.array([plan.care for plan in _PLAN_LIST])[plans]
        held = np.fromiter(map(_GEN_PARTIALS, rows), np.int64, len(rows)) & care
        if (held != np.array([plan.want for plan in _PLAN_LIST])[plans]).any():
            return False
        # x and y within the centimetre: numbers only (no text or blob that would read as one), and
        # float arithmetic as ``_Near`` does it.
        for get, want in ((_GEN_X, xs), (_GEN_Y, ys)):
            apart = np.abs(np.array(list(map(sub, map(get, rows), want)), dtype=np.float64))
            if not (apart <= CENTIMETRE).all():
                return False
    except (TypeError, OverflowError, ValueError):  # a row missing, or a value that is no number
        return False
    return True


class CaseChecker:
    """The audit's check of the ``cases`` table (a ``modes.common.audit.RowChecker``)."""

    name = "case"
    unchecked = UNCHECKED

    def __init__(self, batch: int = _BATCH) -> None:
        self.batch = batch
        self.checked = 0
        self.recompared = 0  # cases the comparison of a whole batch left to be compared column by column
        self._last: dict[int, int] = {}  # case id -> seq of its last event, for cases with several events
        self._open: dict[int, _Replay] = {}  # replays waiting for their case's last event
        self._generated: list[_GeneratedCase] = []  # generated cases waiting for their rows
        self._replayed: list[tuple] = []  # expected rows of replayed cases (id first) waiting for theirs
        self._seen = array("q")  # every case id an event accounts for
        self._bad: dict[int, tuple[str, ...]] = {}
        self._rows: DriverQuery | None = None
        self._generated_rows: DriverQuery | None = None
        self._json = _JsonRows("sqlite")
        self._purged: dict[int, object] = {}  # case id -> the exercise whose journaled purge removed it
        self.skipped = ""  # why the rows were not checked at all, if they were not

    def begin(self, session: Session) -> None:
        conn = session.connection(bind_arguments={"mapper": Case})
        if inspect(conn).has_table("link_replica_meta") and conn.execute(_REPLICA_POSITION).first():
            # A district's (or console's) replica: its case rows come from the centre's journal.
            self.skipped = "this database is a replica of a centre's city: audit the centre's cases there"
            return
        # Rows come back from the driver as plain tuples, compared with the expected ones in C.
        self._rows = DriverQuery(conn, _row_statement(conn.dialect.name))
        self._generated_rows = DriverQuery(conn, _row_statement(conn.dialect.name, GENERATED_ROW))
        self._json = _JsonRows(conn.dialect.name)
        # Which events are each case's last: only cases with more than one event need remembering (a
        # generated path is one event, compared as soon as it is read). Two ranges of the kind index
        # rather than LIKE, which SQLite cannot take to an index.
        kind = JournalEvent.kind
        live = or_(
            and_(kind >= "case.", kind < "case.history"),
            and_(kind > "case.history", kind < "case/"),
        )
        stmt = (
            select(JournalEvent.subject, func.max(JournalEvent.seq))
            .where(JournalEvent.subject.like("case/%"), live)
            .group_by(JournalEvent.subject)
        )
        for subject, seq in session.execute(stmt):
            try:
                self._last[int(subject[5:])] = seq
            except ValueError:
                continue
        # Cases an exercise's purge removed (the chain check vouches for these events as for any).
        for payload in session.scalars(select(JournalEvent.payload).where(JournalEvent.kind == PURGED_EVENT)):
            payload = payload if isinstance(payload, dict) else {}
            for case_id in (payload.get("removed") or {}).get("cases") or ():
                self._purged[int(case_id)] = payload.get("exercise")

    def visit(self, events: list[ScannedEvent]) -> None:
        if self.skipped:
            return
        last, bad = self._last, self._bad
        generated, dumps = self._generated, self._json.dumps
        for seq, at, actor, kind, subject, district, payload, _prev, _hash in events:
            if kind != "case.history":
                if kind[:5] == "case." and subject[:5] == "case/":
                    self._replay(seq, at, actor, kind, subject, district, payload)
                continue
            if subject[:5] != "case/":
                continue
            try:
                case_id = int(subject[5:])
            except ValueError:
                continue
            if case_id in bad:
                continue
            if case_id in last:  # live steps follow the path: replayed step by step
                self._replay(seq, at, actor, kind, subject, district, payload)
                continue
            # A whole path in one event (a million of them in a year's history): no replay object, and
            # the payload read by orjson (twice as fast as json). Replayed instead: a payload orjson
            # refuses (NaN, lone surrogates, numbers past a double, all of which json takes), and one
            # whose duplicate link orjson reads as a float (an integer past 64 bits, where json keeps
            # the integer; ``_JsonRows`` takes no float). Every other value orjson reads as json does,
            # or one compared alike: text, the urgent flag (as a truth value), x and y (within a
            # tolerance, by float arithmetic, which turns json's integer into the same float).
            try:
                p = orjson.loads(payload)
                refused = p["case"]["duplicate_of"].__class__ is float
            except _ORJSON_REFUSES:
                refused = True
            if refused:
                self._replay(seq, at, actor, kind, subject, district, payload)
                continue
            try:
                generated.append(_generated(case_id, at if at[10:11] == " " else _at(at), district, p, dumps))
            except _UNREPLAYABLE_ERRORS:
                self._unreplayable(case_id)
        if len(generated) + len(self._replayed) >= self.batch:
            self._compare()

    def _replay(
        self, seq: int, at: str, actor: str, kind: str, subject: str, district: str | None, payload: str
    ) -> None:
        """One event of a case replayed step by step; the case is compared after its last one."""
        try:
            case_id = int(subject[5:])
        except ValueError:
            return
        if case_id in self._bad or case_id in self._purged:  # a purged case has no row to compare
            return
        try:
            action = kind[5:]
            if action == "history":
                replay = _from_history(_at(at), district, json.loads(payload))
            elif action == "report":
                replay = _from_report(_at(at), actor, district, json.loads(payload))
            elif action == "escalated":  # the incident's link: the case row is left as it is
                replay = self._open[case_id]
            else:
                replay = self._open[case_id]
                _step(replay, action, _at(at), json.loads(payload))
            expected = _expected(case_id, replay) if self._last.get(case_id, seq) == seq else None
        except _UNREPLAYABLE_ERRORS:
            # Not a path through the table, or a step of a case whose report the journal lacks.
            self._unreplayable(case_id)
            return
        if expected is None:
            self._open[case_id] = replay
            return
        self._open.pop(case_id, None)
        self._seen.append(case_id)
        self._replayed.append(expected)

    def _unreplayable(self, case_id: int) -> None:
        self._open.pop(case_id, None)
        self._seen.append(case_id)
        self._bad[case_id] = UNREPLAYABLE

    def _compare(self) -> None:
        generated, self._generated = self._generated, []
        replayed, self._replayed = self._replayed, []
        generated.sort(key=itemgetter(0))
        ids = [case[0] for case in generated]
        self._seen.extend(ids)
        for start, end in _runs(ids):
            cases = generated[start:end]
            lo, hi = cases[0][0], cases[-1][0]
            self.checked += len(cases)
            if not _generated_agree(cases, self._generated_rows.all(lo=lo, hi=hi)):
                loads = self._json.loads
                expected = [_PLAN_LIST[case[4]].expected(case, loads(case[1])) for case in cases]
                self._compare_each(expected, self._rows.all(lo=lo, hi=hi))
                self.recompared += len(cases)
        replayed.sort(key=itemgetter(0))
        for start, end in _runs([expected[0] for expected in replayed]):
            expected = replayed[start:end]
            rows = self._rows.all(lo=expected[0][0], hi=expected[-1][0])
            self.checked += len(expected)
            if len(rows) != len(expected) or rows != expected:
                self._compare_each(expected, rows)
                self.recompared += len(expected)

    def _compare_each(self, expected: list[tuple], rows: list[tuple]) -> None:
        by_id = {row[0]: row for row in rows}
        for want in expected:
            row = by_id.get(want[0])
            if row is None:
                self.checked -= 1
                self._bad[want[0]] = NO_ROW
            elif want != row:
                differ = _differences(want[1:], row[1:])
                if differ:
                    self._bad[want[0]] = differ

    def finish(self, session: Session) -> dict[int, tuple[str, ...]]:
        if self.skipped:
            return {}
        # Cases whose last event never came (it was removed, or renamed out of "case."): unreplayable.
        for case_id in self._open:
            self._seen.append(case_id)
            self._bad[case_id] = UNREPLAYABLE
        self._open.clear()
        self._compare()
        # Rows no event accounts for.
        conn = session.connection(bind_arguments={"mapper": Case})
        ids = DriverQuery(conn, select(Case.id)).all()
        ids = np.fromiter(map(itemgetter(0), ids), dtype=np.int64, count=len(ids))
        seen = np.frombuffer(self._seen, dtype=np.int64)
        for case_id in ids[~np.isin(ids, seen)].tolist():
            self._bad[case_id] = NO_EVENTS
        if self._purged:
            for case_id in ids[np.isin(ids, np.fromiter(self._purged, dtype=np.int64))].tolist():
                self._bad[case_id] = (
                    f"removed by the purge of exercise {self._purged[case_id]}, yet its row is here",
                )
        return dict(sorted(self._bad.items()))
