"""What became of each inject, read from the journal: delivered, acknowledged, actioned, and whether the
expected action came within its time (met or missed).

**The expected action** is matched against journal events. Its text names the event it expects, as
``case.dispatch``, ``incident.dispatched``, ``alarm.acknowledged`` or ``shelter.opened`` (the event kinds
of ``docs/protocol.md``), optionally followed by words for the reader: ``case.dispatch: send the water
company``. A bare first word is taken as an act on the inject's own record (``dispatch`` after a report
means ``case.dispatch``). Where the case rules reach a stage by several acts, any of them meets it
(``SAME_STAGE``: a camera's report is accepted by sending it for verification). An expectation with no
event name (free text only) is judged by the evaluators: a note of kind ``met`` or ``missed`` on the
inject decides it, and until one does it is neither met nor missed.

- **Acknowledged**: the first event on the inject's record by a player (anyone but the exercise's
  simulation cell), or the player's ``exercise.ack``.
- **Actioned**: the first event of the expected kind after delivery, by a player: on the inject's own
  record when it made one (``case/12``, ``incident/3``, ``alarm/7``), otherwise on any record of this
  exercise or on what has no exercise of its own (a shelter, a siren) — never on a real case, incident
  or alarm, which may be worked on beside the exercise.
- **A duplicate report**: a report's case linked to an earlier one of the same problem (merged on
  intake, ``duplicate_of``) is handled on that case, not on its own: the expected act on the case it
  was merged into meets it, its response timed from its own delivery (nought when the act came first:
  the problem was in hand when the repeat came). Unlinked again, it is judged on its own record.
- Only what players did **before the exercise ended** counts: the journal is read from the exercise's
  start to its ``exercise.stopped`` event (records stay open after ENDEX and may still be worked on).
- **Response time** is exercise time (the exercise clock), from delivery to the action, so 2 minutes at
  60x counts as 2 hours, as the scenario meant.
- **Met** when actioned within ``Expected Within`` minutes of exercise time (or at all, with no limit);
  **missed** when not actioned in time; undecided while the time has not run out. A **refused** inject
  (its command did not run) never reached the players: it is not judged unless an evaluator judges it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.civil_defence_models import Alarm
from data.emergency_models import Incident
from data.exercise_models import Exercise, ExerciseInject, ExerciseNote, ExerciseState, InjectState
from data.models import Case, JournalEvent
from modes.common import exercise_clock as xclock
from modes.exercises.exercises import SIMULATION_PREFIX, ends_at_s, injects_of
from modes.exercises.liveness import driver_state
from modes.exercises.msel import format_scenario_time

# The families of journal event kinds an expectation may name; "e.g." or "i.e." in free text is no event.
EVENT_FAMILIES = (
    "alarm", "asset", "auth", "case", "exercise", "incident", "layer", "mode", "order", "settings",
    "shelter", "siren", "staff", "task",
)  # fmt: skip
_EVENT_KIND = re.compile(r"\b((?:" + "|".join(EVENT_FAMILIES) + r")\.[a-z_]+(?:\.[a-z_]+)*)\b")
# The records an exercise's inject or a player can make: a real one is never a player's response.
RECORD_FAMILIES = ("case", "incident", "alarm")
# Where the case rules reach one stage by several acts, any of them meets an expectation naming the
# stage's usual act: a report is accepted (受理: ``accepted_at`` set, modes/everyday/cases.py ``_accept``,
# ``_send_verify``, ``_self_fix``) by ``accept`` when a supervisor reported it on site, by ``send_verify``
# when a camera, a caller or the internet reported it and a supervisor must see it first, or by
# ``self_fix`` when the supervisor fixed it there and then.
SAME_STAGE = {"case.accept": ("case.accept", "case.send_verify", "case.self_fix")}
_FIRST_WORD = re.compile(r"^\s*([a-z_]+)\b")


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
    duplicate_of: int | None = None  # its report's case is merged into this case, where it is handled

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
            "duplicate_of": self.duplicate_of,
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


def ended(ex: Exercise) -> bool:
    return ex.state in (ExerciseState.STOPPED.value, ExerciseState.COMPLETED.value)


def end_seq(session: Session, ex: Exercise) -> int | None:
    """The journal number of the event that ended the exercise (None while it is on)."""
    if not ended(ex):
        return None
    return session.scalar(
        select(func.min(JournalEvent.seq)).where(
            JournalEvent.subject == f"exercise/{ex.id}",
            JournalEvent.kind == "exercise.stopped",
            JournalEvent.seq > ex.start_seq,
        )
    )


def _events(session: Session, ex: Exercise) -> list[Seen]:
    """The journal from the exercise's start to its end (to now while it is on), in one read."""
    stmt = select(
        JournalEvent.seq, JournalEvent.at, JournalEvent.actor, JournalEvent.kind, JournalEvent.subject
    ).where(JournalEvent.seq > ex.start_seq)
    last = end_seq(session, ex)
    if last is not None:
        stmt = stmt.where(JournalEvent.seq < last)
    return [Seen(*r) for r in session.execute(stmt.order_by(JournalEvent.seq))]


def exercise_records(session: Session, ex: Exercise) -> frozenset[str]:
    """The cases, incidents and alarms that carry this exercise's id, as journal subjects."""
    out: set[str] = set()
    for family, model in (("case", Case), ("incident", Incident), ("alarm", Alarm)):
        out.update(
            f"{family}/{i}" for i in session.scalars(select(model.id).where(model.exercise_id == ex.id))
        )
    return frozenset(out)


def _player(e: Seen) -> bool:
    return not e.actor.startswith(SIMULATION_PREFIX)


class PlayerEvents:
    """The players' events of one exercise, read once, by record and by kind."""

    def __init__(
        self, events: Iterable[Seen], own_records: frozenset[str], merged_into: dict[str, int] | None = None
    ) -> None:
        # A duplicate report's case (``case/12``) -> the case it is merged into, as it stands now.
        self.merged_into = merged_into or {}
        self.by_subject: dict[str, list[Seen]] = defaultdict(list)
        self.by_kind: dict[str, list[Seen]] = defaultdict(list)
        for e in events:
            if not _player(e):
                continue
            self.by_subject[e.subject].append(e)
            family = e.subject.split("/", 1)[0]
            if family in RECORD_FAMILIES and e.subject not in own_records:
                continue  # a real case, incident or alarm: worked on beside the exercise, not in it
            self.by_kind[e.kind].append(e)
        self._pools: dict[str, tuple[list[int], list[Seen]]] = {}

    def on_record(self, record: str | None) -> list[Seen]:
        return self.by_subject.get(record, []) if record else []

    def first_of_kind(self, kind: str, after_seq: int) -> Seen | None:
        """The first event that meets ``kind`` after ``after_seq``, on this exercise's records or on no
        record of the three families."""
        pool = self._pools.get(kind)
        if pool is None:
            events = sorted(
                (e for k, es in self.by_kind.items() if meets(k, kind) for e in es), key=lambda e: e.seq
            )
            pool = self._pools[kind] = ([e.seq for e in events], events)
        seqs, events = pool
        i = bisect.bisect_right(seqs, after_seq)
        return events[i] if i < len(events) else None


def merged_cases(session: Session, ex: Exercise) -> dict[str, int]:
    """This exercise's cases merged into another as duplicates: ``case/<id>`` -> the other's id."""
    rows = session.execute(
        select(Case.id, Case.duplicate_of).where(Case.exercise_id == ex.id, Case.duplicate_of.is_not(None))
    )
    return {f"case/{i}": int(master) for i, master in rows}


def read_players(session: Session, ex: Exercise) -> PlayerEvents:
    return PlayerEvents(_events(session, ex), exercise_records(session, ex), merged_cases(session, ex))


def inject_progress(
    session: Session,
    ex: Exercise,
    injects: Iterable[ExerciseInject],
    wall: dt.datetime,
    notes: Iterable[ExerciseNote] | None = None,
) -> list[InjectProgress]:
    """Each inject's progress at wall time ``wall``, from one read of the journal."""
    injects = list(injects)
    players = read_players(session, ex)
    if notes is None:
        notes = session.scalars(
            select(ExerciseNote).where(ExerciseNote.exercise_id == ex.id).order_by(ExerciseNote.id)
        )
    judged: dict[str, tuple[bool, str]] = {}
    for n in notes:
        if n.inject_no and n.kind in ("met", "missed"):
            judged[n.inject_no] = (n.kind == "met", n.author)
    now_s = xclock.scenario_seconds(ex, wall)
    return [_one(ex, inj, players, judged, now_s, ended(ex)) for inj in injects]


def meets(event_kind: str, kind: str) -> bool:
    """Whether a journal event of ``event_kind`` is the act an expectation of ``kind`` asks for."""
    return event_kind.startswith(SAME_STAGE.get(kind, (kind,)))


def _first_after(items: list[Seen], seq: int, kind: str | None = None) -> Seen | None:
    for e in items:
        if e.seq > seq and (kind is None or meets(e.kind, kind)):
            return e
    return None


def _one(
    ex: Exercise,
    inj: ExerciseInject,
    players: PlayerEvents,
    judged: dict[str, tuple[bool, str]],
    now_s: float,
    is_over: bool,
) -> InjectProgress:
    state = inj.state
    kind = expected_kind(inj)
    ack_at, ack_by = inj.acknowledged_at, inj.acknowledged_by
    if ack_at is not None and ex.ended_at is not None and ack_at > ex.ended_at:
        ack_at, ack_by = None, None  # acknowledged after ENDEX: too late to count
    act: Seen | None = None
    response_s = None
    met: bool | None = None
    late_s = None
    delivered = inj.delivered_seq is not None and state not in (InjectState.REFUSED.value,)
    master = players.merged_into.get(inj.record or "")
    if inj.delivered_s is not None and inj.delivered_at is not None:
        late_s = max(0.0, inj.delivered_s - inj.time_s) / ex.speed
    if delivered:
        seq = inj.delivered_seq
        on_record = players.on_record(inj.record)
        if ack_at is None and on_record:
            first = _first_after(on_record, seq)
            if first is not None:
                ack_at, ack_by = first.at, first.actor
        if kind and "exercise.acknowledged".startswith(kind):
            # Acknowledging is the expected act: this inject's own acknowledgement, not another's.
            if ack_at is not None and ack_at == inj.acknowledged_at:
                act = Seen(0, ack_at, ack_by or "", "exercise.acknowledged", "")
        elif kind and master is not None:
            # Handled on the case it was merged into; done there before it came, it was in hand already.
            handled = players.on_record(f"case/{master}")
            act = _first_after(handled, seq, kind) or _first_after(handled, 0, kind)
        elif kind:
            act = _first_after(on_record, seq, kind) if inj.record else players.first_of_kind(kind, seq)
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
        if kind:  # free text waits for an evaluator's note, however long it has been
            limit = None if inj.expected_within_min is None else inj.expected_within_min * 60.0
            if act is not None:
                met = limit is None or response_s <= limit
            elif (limit is not None and now_s - inj.delivered_s > limit) or is_over:
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
        duplicate_of=master,
    )


def status_document(session: Session, ex: Exercise, wall: dt.datetime) -> dict[str, Any]:
    """``exercise status --json``: ``{"id","state","clock","injects":[{"no","time","kind","state",
    "expected","met"}, ...]}`` with the clock's date and time, speed, counts, how it ends and whether a
    driver is alive (``"driver": {"alive","last_tick","age_s","by"}``) beside them."""
    injects = injects_of(session, ex.id)
    progress = inject_progress(session, ex, injects, wall)
    now_s = xclock.scenario_seconds(ex, wall)
    ends_s = ends_at_s(session, ex)
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
        "ended_by": ex.ended_by,
        # Whether it ends by itself ("injects", "clock") or a person ends it (None), and when.
        "end_after": ex.end_after,
        "ends": None if ends_s is None else format_scenario_time(ends_s),
        "ends_s": ends_s,
        # Whether a driver is ticking it (modes.exercises.liveness): without one, injects stop arriving.
        "driver": driver_state(session, ex.id, wall).as_dict(),
        "counts": dict(counts),
        "met": sum(1 for p in progress if p.met is True),
        "missed": sum(1 for p in progress if p.met is False),
        "injects": [p.as_dict() for p in progress],
    }
