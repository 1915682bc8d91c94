"""Every case row against the replay of its journal events (the audit's case half; see
``modes.common.audit``).

A case's events are its ``case.report`` and one ``case.<action>`` per step of the loop (the case desk),
or one ``case.history`` event holding the whole generated or imported path (``history.BulkRows``),
possibly followed by live steps. The replay walks them through ``workflow.TRANSITIONS``: each step's
named effect sets what ``cases.EFFECTS`` sets, from the step's time and what its event recorded.

What the events let us check, and how:

- exactly, for every case: kind, type, channel, urgent, cell, district, department, component,
  reporter, duplicate link, state, the time of every step (reported, accepted, verified, filed,
  dispatched, started, fed back, checked, closed, voided, evaluated, suspended, last updated), closure
  kind, satisfaction and the four loop counters;
- when the events recorded them: x and y (live reports exactly; generated history to the centimetre it
  kept), the description (live reports), the handling deadline (set by dispatch, extension, resumption
  and rework, and the final one of a generated path; not after a report, an unlink or a close out of
  suspension, whose new deadline no event records), the verify and check due times (live), the pending
  request (live exactly; generated paths only whether there is one) and the suspended minutes (live
  resumptions, to the tenth of a minute they record);
- not at all (``UNCHECKED``): no event records the accept, file and dispatch due times, the supervisor,
  the community and street codes or the external reference.

Speed: the journal is read once by the chain check and handed here event by event; a case is compared
as soon as its last event is seen (which events are last comes from one indexed query first), so a
million generated cases need neither a million objects in memory nor a query each. Rows are read in
batches, their times as text; the columns compared exactly are compared as one tuple, and only a row
that differs is looked at column by column (where equal values written differently, such as a time
without its microseconds, are not a difference).
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Callable
from operator import attrgetter

import numpy as np
from sqlalchemy import String, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from data.journal import ScannedEvent
from data.models import Case, JournalEvent
from modes.everyday import workflow

# Compared as one tuple, for every case.
EXACT = (
    "kind", "type_code", "channel", "urgent", "cell_code", "district_code", "department_code",
    "component_id", "reporter", "duplicate_of", "state", "reported_at", "accepted_at", "verified_at",
    "filed_at", "dispatched_at", "started_at", "feedback_at", "checked_at", "closed_at", "closure_kind",
    "voided_at", "evaluated_at", "satisfaction", "suspended_at", "rework_count", "return_count",
    "extension_count", "suspension_count", "updated_at",
)  # fmt: skip
# Compared when the replay knows them (see the module's docstring).
PARTIAL = ("x", "y", "description", "deadline", "verify_due", "check_due", "pending", "suspended_minutes")
UNCHECKED = (
    "accept_due", "file_due", "dispatch_due", "supervisor_id", "community_code", "street_code", "external_ref",
)  # fmt: skip
TIMES = frozenset(
    c.key for c in Case.__table__.columns if c.key in (*EXACT, *PARTIAL) and c.type.python_type is dt.datetime
)
_COLUMNS = ("id", *EXACT, *PARTIAL)
_EXPECTED = attrgetter(*EXACT)
_BATCH = 1000
SOME = object()  # "not null, value unknown": a pending request of a generated path
NO_ROW = ("no row",)
NO_EVENTS = ("no journal events",)
UNREPLAYABLE = ("events cannot be replayed",)


class _Replay:
    """What the events say one case's row holds: ``EXACT`` columns as attributes (times as
    ``YYYY-MM-DD HH:MM:SS.ffffff``), ``PARTIAL`` ones in ``known`` when the events recorded them.

    The columns' starting values are class attributes: a replay made per case (a million of them)
    sets only what its events set."""

    def __init__(self) -> None:
        # Before any step: no request pending, no verification or check asked for, never suspended.
        self.known: dict[str, object] = {
            "pending": None, "verify_due": None, "check_due": None, "suspended_minutes": 0.0,
        }  # fmt: skip
        self.position_tolerance = 0.0
        self.minutes_tolerance = 0.0


for _name in EXACT:
    setattr(_Replay, _name, 0 if _name.endswith("_count") else None)


def _at(iso: str) -> str:
    """A journal time (canonical ISO, microseconds always) as the case columns are compared."""
    return f"{iso[:10]} {iso[11:]}"


def _second(iso: str | None) -> str | None:
    """A time an event recorded to the second ("YYYY-MM-DDTHH:MM:SS"), as a prefix of the column's."""
    return None if iso is None else f"{iso[:10]} {iso[11:19]}"


def _whole_second(iso: str) -> str:
    """A step time of a generated path: whole seconds, stored with zero microseconds."""
    return f"{iso[:10]} {iso[11:19]}.000000"


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
    c.known["pending"] = SOME if p is None else p["request"]


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
    c.reported_at = c.updated_at = at
    c.known.update(x=p["x"], y=p["y"], description=p["text"])
    return c


def _from_history(at: str, district: str | None, p: dict) -> _Replay:
    """A generated or imported path: its steps in order, then the final facts the event kept."""
    c = _Replay()
    final, steps = p["case"], p["steps"]
    _reported(c, final, district)
    _action, _role, c.reporter, first = steps[0]
    c.reported_at = _whole_second(first)
    state = "merged" if final["duplicate_of"] is not None else "reported"
    for action, _role, _actor, when in steps[1:]:
        effect, state = _STEPS[state, action]
        if effect is not None:
            effect(c, _whole_second(when), None)
    c.state = final["state"]
    c.department_code = final["department"]
    c.closure_kind, c.satisfaction = final["closure_kind"], final["satisfaction"]
    c.known["deadline"] = _second(final["deadline"])
    c.known.update(x=final["x"], y=final["y"])
    c.position_tolerance = 0.005 + 1e-6  # kept rounded to the centimetre
    c.updated_at = at
    return c


def _step(c: _Replay, action: str, at: str, p: dict) -> None:
    """One live step: the effect of its row of the table (the event says from which state)."""
    effect, target = _STEPS[p["from"], action]
    if target != p["to"] or p["from"] != c.state:
        raise ValueError(f"{action} from {p['from']} to {p['to']} is not the next step of a {c.state} case")
    if effect is not None:
        effect(c, at, p)
    c.state = p["to"]
    c.updated_at = at


# --- comparing ------------------------------------------------------------------------------------------


def _row_statement(dialect: str):
    """The compared columns, times as text in one form on both backends (no datetime objects made)."""
    cols = []
    for name in _COLUMNS:
        col = Case.__table__.c[name]
        if name in TIMES:
            if dialect == "postgresql":
                col = func.to_char(col, "YYYY-MM-DD HH24:MI:SS.US")
            else:
                col = type_coerce(col, String)
        cols.append(col.label(name))
    return select(*cols)


def _same_time(expected: str | None, actual: object) -> bool:
    """Equal times written differently (no microseconds, a T) are the same; ``expected`` may hold whole
    seconds only, for a time an event recorded to the second."""
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


def _same(name: str, want: object, have: object) -> bool:
    if name in TIMES:
        return _same_time(want, have)  # type: ignore[arg-type]
    if name == "urgent":
        return have is not None and bool(want) == bool(have)
    return want == have


def _same_partial(c: _Replay, name: str, want: object, have: object) -> bool:
    if want is None or have is None:
        return want is None and have is None
    if name in ("x", "y"):
        return abs(have - want) <= c.position_tolerance  # type: ignore[operator]
    if name == "suspended_minutes":
        return abs(have - want) <= c.minutes_tolerance + 1e-6  # type: ignore[operator]
    if name == "description":
        return want == have
    if name == "pending":
        if want is SOME:
            return True
        try:
            return json.loads(have) == want  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    # A time an event recorded to the second: a prefix of the column's text, or the same value.
    return str(have)[: len(want)] == want or _same_time(want, have)  # type: ignore[arg-type]


def _differences(c: _Replay, row) -> tuple[str, ...]:
    """The columns of ``row`` that the replay contradicts (empty: they agree)."""
    out = []
    if _EXPECTED(c) != row[1 : 1 + len(EXACT)]:  # the usual case, an equal row, costs one comparison
        out = [name for name in EXACT if not _same(name, getattr(c, name), getattr(row, name))]
    for name, want in c.known.items():
        if not _same_partial(c, name, want, getattr(row, name)):
            out.append(name)
    return tuple(out)


class CaseChecker:
    """The audit's check of the ``cases`` table (a ``modes.common.audit.RowChecker``)."""

    name = "case"
    kinds = "case."
    unchecked = UNCHECKED

    def __init__(self, batch: int = _BATCH) -> None:
        self.batch = batch
        self.checked = 0
        self._last: dict[int, int] = {}  # case id -> seq of its last event, for cases with several events
        self._open: dict[int, _Replay] = {}  # replays waiting for their case's last event
        self._ready: list[tuple[int, _Replay | None]] = []  # complete replays waiting for their rows
        self._seen = array("q")
        self._bad: dict[int, tuple[str, ...]] = {}
        self._session: Session | None = None
        self._statement = None

    def begin(self, session: Session) -> None:
        self._session = session
        self._statement = _row_statement(session.get_bind(mapper=Case).dialect.name)
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

    def visit(self, event: ScannedEvent) -> None:
        seq, iso, actor, kind, subject, district, payload = event
        try:
            case_id = int(subject[5:]) if subject.startswith("case/") else None
        except ValueError:
            return
        if case_id is None:
            return
        if case_id in self._bad:
            return
        action = kind[5:]
        try:
            if action == "history":
                replay = _from_history(_at(iso), district, json.loads(payload))
            elif action == "report":
                replay = _from_report(_at(iso), actor, district, json.loads(payload))
            elif action == "escalated":  # the incident's link: the case row is left as it is
                replay = self._open.get(case_id)
                if replay is None:
                    raise KeyError(case_id)
            else:
                replay = self._open[case_id]
                _step(replay, action, _at(iso), json.loads(payload))
        except (KeyError, ValueError, TypeError, IndexError, AttributeError):
            # Not a path through the table, or a step of a case whose report the journal lacks.
            self._open.pop(case_id, None)
            self._seen.append(case_id)
            self._bad[case_id] = UNREPLAYABLE
            return
        if self._last.get(case_id, seq) > seq:
            self._open[case_id] = replay
            return
        self._open.pop(case_id, None)
        self._seen.append(case_id)
        self._ready.append((case_id, replay))
        if len(self._ready) >= self.batch:
            self._compare()

    def _rows(self, ids: list[int]):
        case_id = Case.__table__.c.id
        lo, hi = ids[0], ids[-1]
        if hi - lo < 2 * len(ids):  # a generated run: consecutive ids, one range
            where = case_id.between(lo, hi)
        else:
            where = case_id.in_(ids)
        return {r.id: r for r in self._session.execute(self._statement.where(where))}

    def _compare(self) -> None:
        ready, self._ready = self._ready, []
        if not ready:
            return
        ready.sort(key=lambda item: item[0])
        rows = self._rows([case_id for case_id, _ in ready])
        for case_id, replay in ready:
            row = rows.get(case_id)
            if row is None:
                self._bad[case_id] = NO_ROW
                continue
            self.checked += 1
            differ = _differences(replay, row)
            if differ:
                self._bad[case_id] = differ

    def finish(self, session: Session) -> dict[int, tuple[str, ...]]:
        # Cases whose last event never came (it was removed, or renamed out of "case."): unreplayable.
        for case_id in self._open:
            self._seen.append(case_id)
            self._bad[case_id] = UNREPLAYABLE
        self._open.clear()
        self._compare()
        # Rows no event accounts for.
        seen = (
            np.unique(np.frombuffer(self._seen, dtype=np.int64)) if len(self._seen) else np.empty(0, np.int64)
        )
        ids = np.fromiter(session.execute(select(Case.id)).scalars(), dtype=np.int64)
        for case_id in np.setdiff1d(ids, seen, assume_unique=False).tolist():
            self._bad[case_id] = NO_EVENTS
        return dict(sorted(self._bad.items()))
