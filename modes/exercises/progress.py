"""What became of each inject, read from the journal: delivered, acknowledged, actioned, and whether the
expected action came within its time (met or missed).

**The expected action** is matched against journal events. Its text names the event it expects, as
``case.dispatch``, ``incident.dispatched``, ``alarm.acknowledged`` or ``shelter.opened`` (the event kinds
of ``docs/protocol.md``), optionally followed by words for the reader: ``case.dispatch: send the water
company``. A bare first word is taken as an act on the inject's own record (``dispatch`` after a report
means ``case.dispatch``). An expectation with no event name (free text only) is judged by the
evaluators: a note of kind ``met`` or ``missed`` on the inject decides it.

- **Acknowledged**: the first event on the inject's record by a player (anyone but the exercise's
  simulation cell), or the player's ``exercise.ack``.
- **Actioned**: the first event of the expected kind after delivery, by a player: on the inject's own
  record when it made one (``case/12``, ``incident/3``, ``alarm/7``), anywhere otherwise.
- **Response time** is exercise time (the exercise clock), from delivery to the action, so 2 minutes at
  60x counts as 2 hours, as the scenario meant.
- **Met** when actioned within ``Expected Within`` minutes of exercise time (or at all, with no limit);
  **missed** when not actioned in time; undecided while the time has not run out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.exercise_models import Exercise, ExerciseInject, ExerciseNote, ExerciseState, InjectState
from data.models import JournalEvent
from modes.exercises import clock as xclock
from modes.exercises.msel import format_scenario_time

_EVENT_KIND = re.compile(r"\b([a-z_]+\.[a-z_.]+)\b")
_FIRST_WORD = re.compile(r"^\s*([a-z_]+)\b")
SIMULATION_PREFIX = "exercise-"


@dataclass(frozen=True)
class Seen:
    seq: int
    at: dt.datetime
    actor: str
    kind: str
    subject: str


@dataclass(frozen=True)
class InjectProgress:
    no: str
    time_s: float
    kind: str
    state: str  # pending | delivered | acknowledged | actioned | refused | skipped
    expected: str
    expected_kind: str | None
    within_min: float | None
    objective: str
    recipient: str
    record: str | None
    refusal: str | None
    delivered_at: dt.datetime | None
    delivered_s: float | None
    late_s: float | None  # wall seconds after its exercise-clock time that it went out
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    actioned_at: dt.datetime | None
    actioned_by: str | None
    actioned_kind: str | None
    response_s: float | None  # exercise seconds from delivery to the action
    met: bool | None
    judged_by: str | None  # an evaluator's note decided ``met``

    def as_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "time": format_scenario_time(self.time_s),
            "kind": self.kind,
            "state": self.state,
            "expected": self.expected,
            "met": self.met,
            "objective": self.objective,
            "to": self.recipient,
            "record": self.record,
            "refusal": self.refusal,
            "delivered_at": self.delivered_at.isoformat(sep=" ", timespec="milliseconds")
            if self.delivered_at
            else None,
            "late_s": None if self.late_s is None else round(self.late_s, 3),
            "acknowledged_by": self.acknowledged_by,
            "actioned_by": self.actioned_by,
            "actioned_kind": self.actioned_kind,
            "response_min": None if self.response_s is None else round(self.response_s / 60.0, 1),
            "within_min": self.within_min,
        }


def expected_kind(inj: ExerciseInject) -> str | None:
    """The journal event kind an inject's expected action names (a prefix: ``case.dispatch``)."""
    text = (inj.expected_action or "").strip().lower()
    if not text:
        return None
    m = _EVENT_KIND.search(text)
    if m:
        return m.group(1)
    family = (inj.record or "").split("/", 1)[0]
    word = _FIRST_WORD.match(text)
    if family in ("case", "incident", "alarm") and word:
        return f"{family}.{word.group(1)}"
    return None


def _events(session: Session, ex: Exercise) -> list[Seen]:
    rows = session.execute(
        select(JournalEvent.seq, JournalEvent.at, JournalEvent.actor, JournalEvent.kind, JournalEvent.subject)
        .where(JournalEvent.seq > ex.start_seq)
        .order_by(JournalEvent.seq)
    )
    return [Seen(*r) for r in rows]


def _player(e: Seen) -> bool:
    return not e.actor.startswith(SIMULATION_PREFIX)


def inject_progress(
    session: Session,
    ex: Exercise,
    injects: Iterable[ExerciseInject],
    wall: dt.datetime,
    notes: Iterable[ExerciseNote] | None = None,
) -> list[InjectProgress]:
    """Each inject's progress at wall time ``wall``."""
    injects = list(injects)
    events = _events(session, ex)
    by_subject: dict[str, list[Seen]] = defaultdict(list)
    by_kind: dict[str, list[Seen]] = defaultdict(list)
    for e in events:
        if not _player(e):
            continue
        by_subject[e.subject].append(e)
        by_kind[e.kind].append(e)
    if notes is None:
        notes = session.scalars(
            select(ExerciseNote).where(ExerciseNote.exercise_id == ex.id).order_by(ExerciseNote.id)
        )
    judged: dict[str, tuple[bool, str]] = {}
    for n in notes:
        if n.inject_no and n.kind in ("met", "missed"):
            judged[n.inject_no] = (n.kind == "met", n.author)
    now_s = xclock.scenario_seconds(ex, wall)
    ended = ex.state in (ExerciseState.STOPPED.value, ExerciseState.COMPLETED.value)
    return [_one(ex, inj, by_subject, by_kind, judged, now_s, ended) for inj in injects]


def _first_after(items: list[Seen], seq: int, kind: str | None = None) -> Seen | None:
    for e in items:
        if e.seq > seq and (kind is None or e.kind == kind or e.kind.startswith(kind)):
            return e
    return None


def _one(ex, inj, by_subject, by_kind, judged, now_s: float, ended: bool) -> InjectProgress:
    state = inj.state
    kind = expected_kind(inj)
    ack_at, ack_by = inj.acknowledged_at, inj.acknowledged_by
    act: Seen | None = None
    response_s = None
    met: bool | None = None
    late_s = None
    delivered = inj.delivered_seq is not None and state not in (InjectState.REFUSED.value,)
    if inj.delivered_s is not None and inj.delivered_at is not None:
        late_s = max(0.0, inj.delivered_s - inj.time_s) / ex.speed
    if delivered:
        seq = inj.delivered_seq
        on_record = by_subject.get(inj.record or "", []) if inj.record else []
        if ack_at is None and on_record:
            first = _first_after(on_record, seq)
            if first is not None:
                ack_at, ack_by = first.at, first.actor
        if kind and "exercise.acknowledged".startswith(kind):
            # Acknowledging is the expected act: this inject's own acknowledgement, not another's.
            if inj.acknowledged_at is not None:
                act = Seen(0, inj.acknowledged_at, inj.acknowledged_by or "", "exercise.acknowledged", "")
        elif kind:
            pool = (
                on_record
                if inj.record
                else [e for k, es in by_kind.items() if k.startswith(kind) for e in es]
            )
            if not inj.record:
                pool.sort(key=lambda e: e.seq)
            act = _first_after(pool, seq, kind)
        if act is not None:
            at_s = xclock.scenario_at(ex.segments, act.at)
            response_s = max(0.0, (at_s if at_s is not None else inj.delivered_s) - inj.delivered_s)
            if ack_at is None:
                ack_at, ack_by = act.at, act.actor
        if act is not None:
            state = InjectState.ACTIONED.value
        elif ack_at is not None:
            state = InjectState.ACKNOWLEDGED.value
        else:
            state = InjectState.DELIVERED.value
        if kind or inj.expected_action:
            limit = None if inj.expected_within_min is None else inj.expected_within_min * 60.0
            if act is not None:
                met = limit is None or response_s <= limit
            elif limit is not None and now_s - inj.delivered_s > limit:
                met = False
            elif ended and kind:
                met = False
    elif state == InjectState.REFUSED.value and inj.expected_action:
        met = False
    judged_by = None
    if inj.no in judged:
        met, judged_by = judged[inj.no]
    return InjectProgress(
        no=inj.no,
        time_s=inj.time_s,
        kind=inj.kind,
        state=state,
        expected=inj.expected_action,
        expected_kind=kind,
        within_min=inj.expected_within_min,
        objective=inj.objective,
        recipient=inj.recipient,
        record=inj.record,
        refusal=inj.refusal,
        delivered_at=inj.delivered_at,
        delivered_s=inj.delivered_s,
        late_s=late_s,
        acknowledged_at=ack_at,
        acknowledged_by=ack_by,
        actioned_at=act.at if act else None,
        actioned_by=act.actor if act else None,
        actioned_kind=act.kind if act else None,
        response_s=response_s,
        met=met,
        judged_by=judged_by,
    )


def status_document(session: Session, ex: Exercise, wall: dt.datetime) -> dict[str, Any]:
    """``exercise status --json``: ``{"id","state","clock","injects":[{"no","time","kind","state",
    "expected","met"}, ...]}`` with the clock's date and time, speed and counts beside them."""
    from modes.exercises.exercises import injects_of

    injects = injects_of(session, ex.id)
    progress = inject_progress(session, ex, injects, wall)
    now_s = xclock.scenario_seconds(ex, wall)
    counts: dict[str, int] = defaultdict(int)
    for p in progress:
        counts[p.state] += 1
    return {
        "id": ex.id,
        "scenario": ex.scenario,
        "title": ex.title,
        "title_zh": ex.title_zh,
        "demo": ex.demo,
        "state": ex.state,
        "speed": ex.speed,
        "clock": format_scenario_time(now_s),
        "clock_s": round(now_s, 3),
        "clock_time": xclock.clock_time(ex, now_s).isoformat(sep=" ", timespec="seconds"),
        "started_at": ex.started_at.isoformat(sep=" ", timespec="seconds"),
        "started_by": ex.started_by,
        "ended_at": ex.ended_at.isoformat(sep=" ", timespec="seconds") if ex.ended_at else None,
        "counts": dict(counts),
        "met": sum(1 for p in progress if p.met is True),
        "missed": sum(1 for p in progress if p.met is False),
        "injects": [p.as_dict() for p in progress],
    }
