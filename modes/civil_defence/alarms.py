"""Air-raid alarm signals, their sounding order per district, and the annual public test.

The three national signals, each a 3-minute cycle of a ~500 Hz tone (reference/standards.md 4.1):
pre-warning (预先警报) 36 s on / 24 s off x 3, air raid (空袭警报) 6 s on / 6 s off x 15, all clear
(解除警报) one continuous 3-minute tone. ``signal_schedule`` gives the on intervals; ``render_tone``
the samples of the whole cycle; ``write_wav`` a playable file. An exercise's alarm must never be
heard as a real attack: ``render_exercise_tone`` is the same cycle with a high two-note chime (the
exercise mark) at its start, in every pause and, for the all clear, at its end.

``issue_alarm`` records an order and one delivery per district (sent now); ``record_receipt`` and
``acknowledge`` fill in the district side; ``delivery_board`` shows who is late. They know nothing of
the transport: the links carry an alarm to the district nodes and call ``acknowledge`` with the time
the district acknowledged it. A receipt or acknowledgement is applied once; repeats change nothing,
so a resent message is harmless.
"""

from __future__ import annotations

import datetime as dt
import wave
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import journal
from data.civil_defence_models import Alarm, AlarmDelivery, AlarmKind, TestSignal
from data.errors import InputError, NotFound
from data.id_floor import free_id
from data.models import District, Role
from modes.civil_defence.authority import CivilDefenceRefused, Officer, require_civil_defence
from modes.common import orders
from modes.common.actor import Actor
from modes.common.cap_hooks import HookDelivery, delivery_log
from modes.common.changes import Changes
from modes.common.clock import Clock, SystemClock

CYCLE_S = 180
TONE_HZ = 500  # vendors give 500 +/- 20 Hz
ACK_LIMIT_S = 10.0  # a district that has not acknowledged within this is shown late
RAMP_S = 0.02  # the tone fades in and out over this, so the gating does not click


@dataclass(frozen=True)
class Signal:
    kind: AlarmKind
    name_zh: str
    name_en: str
    on_s: int
    off_s: int
    repeats: int
    action: str  # what the public does on hearing it

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "on_off": [list(p) for p in signal_schedule(self.kind)],
            "cycle_s": CYCLE_S,
            "tone_hz": TONE_HZ,
            "action": self.action,
        }


SIGNALS: dict[AlarmKind, Signal] = {
    AlarmKind.PRE: Signal(
        AlarmKind.PRE, "预先警报", "pre-warning", 36, 24, 3, "prepare, start moving to shelters"
    ),
    AlarmKind.RAID: Signal(AlarmKind.RAID, "空袭警报", "air raid", 6, 6, 15, "take cover immediately"),
    AlarmKind.CLEAR: Signal(AlarmKind.CLEAR, "解除警报", "all clear", 180, 0, 1, "leave the shelters"),
}

_KIND_ALIASES = {
    "pre": AlarmKind.PRE,
    "pre-warning": AlarmKind.PRE,
    "prewarning": AlarmKind.PRE,
    "预先警报": AlarmKind.PRE,
    "raid": AlarmKind.RAID,
    "air-raid": AlarmKind.RAID,
    "空袭警报": AlarmKind.RAID,
    "clear": AlarmKind.CLEAR,
    "all-clear": AlarmKind.CLEAR,
    "解除警报": AlarmKind.CLEAR,
}

# The annual public test (e.g. 9·18): each signal's start, 8 minutes apart (reference 4.1).
TEST_TIMETABLE: tuple[tuple[AlarmKind, dt.time], ...] = (
    (AlarmKind.PRE, dt.time(10, 0)),
    (AlarmKind.RAID, dt.time(10, 8)),
    (AlarmKind.CLEAR, dt.time(10, 16)),
)
TEST_DAY = (9, 18)  # 18 September, the anniversary of 1931, when most cities sound the test


def parse_kind(kind: str | AlarmKind) -> AlarmKind:
    if isinstance(kind, AlarmKind):
        return kind
    found = _KIND_ALIASES.get(str(kind).strip().lower().replace("_", "-"))
    if found is None:
        raise InputError(f"unknown alarm signal {kind!r} (one of pre, raid, clear)")
    return found


# --- the sound -------------------------------------------------------------------------------------


def signal_schedule(kind: str | AlarmKind) -> list[tuple[int, int]]:
    """The (start_s, end_s) intervals of sound within the 3-minute cycle."""
    s = SIGNALS[parse_kind(kind)]
    period = s.on_s + s.off_s
    return [(i * period, i * period + s.on_s) for i in range(s.repeats)]


def envelope(kind: str | AlarmKind, sample_rate: int = 8000, ramp_s: float = RAMP_S) -> np.ndarray:
    """Gain 0..1 per sample over the cycle: 1 while sounding, with raised-cosine ramps inside each
    sounding interval (so the sound never starts before or lasts beyond the standard's times)."""
    n = CYCLE_S * sample_rate
    env = np.zeros(n)
    ramp = max(1, int(round(ramp_s * sample_rate)))
    up = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    for start, end in signal_schedule(kind):
        a, b = start * sample_rate, end * sample_rate
        env[a:b] = 1.0
        env[a : a + ramp] = up
        env[b - ramp : b] = up[::-1]
    return env


def render_tone(
    kind: str | AlarmKind, sample_rate: int = 8000, freq: float = TONE_HZ, amplitude: float = 0.8
) -> np.ndarray:
    """The whole 3-minute cycle as 16-bit samples: a pure tone gated by the signal's envelope."""
    if sample_rate < 2 * freq:
        raise InputError(f"sample rate {sample_rate} Hz cannot carry a {freq} Hz tone")
    t = np.arange(CYCLE_S * sample_rate) / sample_rate
    wave_ = np.sin(2 * np.pi * freq * t) * envelope(kind, sample_rate) * amplitude
    return np.round(wave_ * 32767).astype(np.int16)


# The exercise mark: two high-low chimes, far above the siren's 500 Hz and unlike any national signal,
# so nobody who hears an exercise alarm, on a console or from its WAV file, takes it for a real attack.
EXERCISE_MARK_HZ = (1320.0, 990.0)
EXERCISE_NOTE_S = 0.2  # each note of the chime
EXERCISE_MARK_S = 2.0  # the mark's place in the cycle: two chimes, then a breath before the siren


def render_exercise_mark(sample_rate: int = 8000, amplitude: float = 0.7) -> np.ndarray:
    """The exercise mark, ``EXERCISE_MARK_S`` long: high, low (0.25 s apart), again 0.7 s later, then
    silence. Each note rises and falls over ``RAMP_S`` so it does not click."""
    if sample_rate < 2 * max(EXERCISE_MARK_HZ):
        raise InputError(f"sample rate {sample_rate} Hz cannot carry the exercise mark")
    out = np.zeros(int(round(EXERCISE_MARK_S * sample_rate)))
    n = int(round(EXERCISE_NOTE_S * sample_rate))
    t = np.arange(n) / sample_rate
    ramp = max(1, int(round(RAMP_S * sample_rate)))
    gain = np.ones(n)
    gain[:ramp] = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    gain[-ramp:] = gain[:ramp][::-1]
    for start_s, freq in ((0.0, 0), (0.25, 1), (0.7, 0), (0.95, 1)):
        a = int(round(start_s * sample_rate))
        out[a : a + n] = np.sin(2 * np.pi * EXERCISE_MARK_HZ[freq] * t) * gain * amplitude
    return np.round(out * 32767).astype(np.int16)


def exercise_mark_places(kind: str | AlarmKind) -> list[float]:
    """Where (seconds into the cycle) ``render_exercise_tone`` puts the mark: at the start, in the
    middle of every pause long enough to hold it with a second either side, and at the end of a cycle
    that ends sounding (the all clear, which has no pause)."""
    places = [0.0]
    on = signal_schedule(kind)
    for (_a, end), (start, _b) in zip(on, [*on[1:], (CYCLE_S, CYCLE_S)], strict=True):
        if start - end >= EXERCISE_MARK_S + 2:
            places.append(end + (start - end - EXERCISE_MARK_S) / 2)
    if on[-1][1] == CYCLE_S:
        places.append(CYCLE_S - EXERCISE_MARK_S)
    return places


def render_exercise_tone(
    kind: str | AlarmKind, sample_rate: int = 8000, freq: float = TONE_HZ, amplitude: float = 0.8
) -> np.ndarray:
    """An exercise's alarm: ``render_tone``'s cycle (same length, same bursts, so the console's countdown
    holds) with the exercise mark in place of the siren at ``exercise_mark_places``."""
    samples = render_tone(kind, sample_rate, freq, amplitude)
    mark = render_exercise_mark(sample_rate)
    for place in exercise_mark_places(kind):
        a = int(round(place * sample_rate))
        samples[a : a + len(mark)] = mark[: len(samples) - a]
    return samples


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = 8000) -> Path:
    """A mono 16-bit PCM WAV file."""
    path = Path(path)
    try:
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(sample_rate)
            w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    return path


# --- ordering an alarm -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryStatus:
    district: str
    name: str
    sent_at: dt.datetime
    received_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    ack_seconds: float | None
    late: bool

    def as_dict(self) -> dict:
        return {
            "district": self.district,
            "name": self.name,
            "sent_at": self.sent_at.isoformat(),
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "acknowledged_by": self.acknowledged_by,
            "ack_seconds": self.ack_seconds,
            "late": self.late,
        }


@dataclass(frozen=True)
class AlarmBoard:
    """An alarm and where it stands in each district, as of ``now``."""

    alarm_id: int
    kind: AlarmKind
    issued_at: dt.datetime
    issued_by: str
    exercise: bool  # a drill or a test: every board says EXERCISE
    now: dt.datetime
    deliveries: tuple[DeliveryStatus, ...]
    exercise_id: int | None = None  # the exercise whose inject sounded it
    # Its CAP alert at each outbound hook: attempts and where each stands (modes.common.cap_hooks).
    hooks: tuple[HookDelivery, ...] = ()

    @property
    def late(self) -> tuple[str, ...]:
        return tuple(d.district for d in self.deliveries if d.late)

    @property
    def all_acknowledged(self) -> bool:
        return all(d.acknowledged_at is not None for d in self.deliveries)

    def as_dict(self) -> dict:
        s = SIGNALS[self.kind]
        return {
            "alarm_id": self.alarm_id,
            "kind": self.kind.value,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "issued_at": self.issued_at.isoformat(),
            "issued_by": self.issued_by,
            "exercise": self.exercise,
            "exercise_id": self.exercise_id,
            "as_of": self.now.isoformat(),
            "ack_limit_s": ACK_LIMIT_S,
            "deliveries": [d.as_dict() for d in self.deliveries],
            "late": list(self.late),
            "all_acknowledged": self.all_acknowledged,
            "cap_hooks": [h.as_dict() for h in self.hooks],
        }


@dataclass(frozen=True)
class AlarmIssued:
    board: AlarmBoard
    changes: Changes

    @property
    def alarm_id(self) -> int:
        return self.board.alarm_id


def resolve_districts(session: Session, districts: str | Iterable[str] | None) -> list[str]:
    """District codes from ``None``/"all", a comma-separated string or a list; unknown codes refused."""
    known = list(session.scalars(select(District.code).order_by(District.code)))
    if not known:
        raise NotFound("the city has no districts: seed or import a city first")
    if districts is None or (isinstance(districts, str) and districts.strip().lower() in ("", "all")):
        return known
    items = districts.split(",") if isinstance(districts, str) else list(districts)
    codes = list(dict.fromkeys(str(c).strip() for c in items if str(c).strip()))
    if not codes:
        raise InputError("no district given: name district codes or 'all'")
    unknown = [c for c in codes if c not in set(known)]
    if unknown:
        raise NotFound(f"unknown district {', '.join(unknown)} (known: {', '.join(known)})")
    return codes


def issue_alarm(
    session: Session,
    clock: Clock,
    actor_role: str | Role | None,
    kind: str | AlarmKind,
    districts: str | Iterable[str] | None = None,
    *,
    actor: str | None = None,
    exercise: bool = False,
    note: str = "",
    test_signal_id: int | None = None,
    order: dict | None = None,
    exercise_id: int | None = None,
) -> AlarmIssued:
    """Order ``kind`` sounded in ``districts`` (default all). Only the civil-defence role may.

    Writes the alarm, one delivery per district with ``sent_at`` = now, and journal events: one
    ``alarm.issued`` for the order and one ``alarm.sent`` per district (carrying the district code, so
    a district node following its part of the journal sees its own order). ``order`` (the pending
    order's id and who confirmed it, under the two-person rule) is recorded in ``alarm.issued``.
    """
    role = require_civil_defence(actor_role, "sound an air-raid alarm")
    who = Officer.of(role, actor)
    signal = SIGNALS[parse_kind(kind)]
    codes = resolve_districts(session, districts)
    now = clock.now()
    alarm = Alarm(
        id=free_id(session, Alarm.__table__),  # never a purged exercise alarm's id: a district keys on it
        kind=signal.kind.value,
        issued_at=now,
        issued_by=who.name,
        role=role.value,
        districts=codes,
        exercise=exercise or exercise_id is not None,
        exercise_id=exercise_id,
        test_signal_id=test_signal_id,
        note=note,
    )
    session.add(alarm)
    session.flush()
    session.add_all(AlarmDelivery(alarm_id=alarm.id, district_code=c, sent_at=now) for c in codes)
    subject = f"alarm/{alarm.id}"
    payload = {
        "alarm_id": alarm.id,
        "kind": signal.kind.value,
        "name_zh": signal.name_zh,
        "exercise": alarm.exercise,
    }
    if exercise_id is not None:
        payload["exercise_id"] = exercise_id
    issued = {**payload, "districts": codes, "role": role.value, **(order or {})}
    events = [journal.NewEvent("alarm.issued", who.name, now, subject, issued)]
    events += [
        journal.NewEvent("alarm.sent", who.name, now, subject, payload, district_code=c) for c in codes
    ]
    seqs = journal.append_many(session, events)
    session.flush()
    return AlarmIssued(delivery_board(session, alarm.id, now), Changes(journal_seq=seqs[-1]))


# Sounding and clearing are equally grave (a false all-clear sends people out of the shelters): under the
# two-person rule every signal waits for a second civil-defence officer.
TWO_PERSON_SIGNALS = frozenset(AlarmKind)
ISSUE_ACT = "alarm.issue"


def sound_alarm(
    session: Session,
    clock: Clock,
    actor: Actor,
    kind: str | AlarmKind,
    districts: str | Iterable[str] | None = None,
    *,
    exercise: bool = False,
    note: str = "",
    exercise_id: int | None = None,
) -> orders.OrderOutcome:
    """Sound (or clear) an alarm as ``actor``: at once, or, under the two-person rule, as an order a
    second civil-defence officer confirms (``orders.confirm``). The outcome's ``done.result`` is the
    ``AlarmIssued`` when it was sounded."""
    args = {
        "kind": parse_kind(kind).value,
        "districts": resolve_districts(session, districts),
        "exercise": bool(exercise) or exercise_id is not None,
        "note": note or "",
    }
    if exercise_id is not None:
        args["exercise_id"] = exercise_id  # set by an exercise's inject (CallContext), never by a caller
    return orders.give(session, clock, actor, ISSUE_ACT, args, note or "")


def check_officer(session: Session, actor: Actor, args: dict) -> None:
    require_civil_defence(actor.role, "sound or clear an air-raid alarm")
    outside = sorted(set(args.get("districts") or ()) - {actor.district}) if actor.district else []
    if outside:
        raise CivilDefenceRefused(
            f"{actor.name} acts for district {actor.district}: the alarm in {', '.join(outside)} is "
            "not theirs to sound"
        )


def _two_person(session: Session, args: dict) -> bool:
    return parse_kind(args.get("kind") or "") in TWO_PERSON_SIGNALS


def _apply_alarm(
    session: Session, clock: Clock, actor: Actor, args: dict, reason: str, extra: dict
) -> orders.Done:
    issued = issue_alarm(
        session,
        clock,
        actor.role,
        args["kind"],
        args.get("districts"),
        actor=actor.name,
        exercise=bool(args.get("exercise")),
        note=str(args.get("note") or ""),
        order=extra,
        exercise_id=args.get("exercise_id"),
    )
    return orders.Done(issued, issued.changes.journal_seq, issued.changes)


def _describe_alarm(args: dict) -> str:
    signal = SIGNALS[parse_kind(args.get("kind") or "")]
    where = ", ".join(args.get("districts") or ()) or "all districts"
    return f"sound the {signal.name_en} signal ({signal.name_zh}) in {where}"


orders.register_act(orders.GraveAct(ISSUE_ACT, check_officer, _two_person, _apply_alarm, _describe_alarm))


def _delivery(session: Session, alarm_id: int, district: str) -> AlarmDelivery:
    row = session.scalars(
        select(AlarmDelivery).where(
            AlarmDelivery.alarm_id == alarm_id, AlarmDelivery.district_code == district
        )
    ).one_or_none()
    if row is None:
        if session.get(Alarm, alarm_id) is None:
            raise NotFound(f"no alarm {alarm_id}")
        raise NotFound(f"alarm {alarm_id} was not sent to district {district}")
    return row


def record_receipt(session: Session, alarm_id: int, district: str, at: dt.datetime) -> Changes:
    """The district node has the order (before anyone there acknowledged it). Applied once."""
    row = _delivery(session, alarm_id, district)
    if row.received_at is not None:
        return Changes()
    row.received_at = at
    seq = journal.append(
        session,
        journal.NewEvent(
            "alarm.received",
            f"district:{district}",
            at,
            f"alarm/{alarm_id}",
            {"alarm_id": alarm_id},
            district,
        ),
    )
    session.flush()
    return Changes(journal_seq=seq)


def acknowledge(
    session: Session, alarm_id: int, district: str, at: dt.datetime, *, by: str | None = None
) -> Changes:
    """The district centre acknowledged the order at ``at`` (received then too, if not recorded
    earlier). Applied once: a repeated acknowledgement keeps the first time and writes nothing."""
    row = _delivery(session, alarm_id, district)
    if row.acked_at is not None:
        return Changes()
    who = by or f"district:{district}"
    events = []
    if row.received_at is None:
        row.received_at = at
        events.append(
            journal.NewEvent("alarm.received", who, at, f"alarm/{alarm_id}", {"alarm_id": alarm_id}, district)
        )
    row.acked_at = at
    row.acked_by = who
    seconds = (at - row.sent_at).total_seconds()
    events.append(
        journal.NewEvent(
            "alarm.acknowledged",
            who,
            at,
            f"alarm/{alarm_id}",
            {"alarm_id": alarm_id, "ack_seconds": seconds, "late": seconds > ACK_LIMIT_S},
            district,
        )
    )
    seqs = journal.append_many(session, events)
    session.flush()
    return Changes(journal_seq=seqs[-1])


def delivery_board(session: Session, alarm_id: int, now: dt.datetime) -> AlarmBoard:
    """Per district: sent, received and acknowledged times; ``late`` when the acknowledgement came
    (or, still missing, would come) more than ``ACK_LIMIT_S`` after sending."""
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound(f"no alarm {alarm_id}")
    rows = session.execute(
        select(AlarmDelivery, District.name)
        .join(District, District.code == AlarmDelivery.district_code)
        .where(AlarmDelivery.alarm_id == alarm_id)
        .order_by(AlarmDelivery.district_code)
    ).all()
    out = []
    for d, name in rows:
        ack_s = (d.acked_at - d.sent_at).total_seconds() if d.acked_at else None
        waited = ack_s if ack_s is not None else (now - d.sent_at).total_seconds()
        out.append(
            DeliveryStatus(
                d.district_code,
                name,
                d.sent_at,
                d.received_at,
                d.acked_at,
                d.acked_by,
                ack_s,
                waited > ACK_LIMIT_S,
            )
        )
    return AlarmBoard(
        alarm.id,
        AlarmKind(alarm.kind),
        alarm.issued_at,
        alarm.issued_by,
        alarm.exercise,
        now,
        tuple(out),
        alarm.exercise_id,
        _hook_log(session, alarm.id),
    )


def _hook_log(session: Session, alarm_id: int) -> tuple[HookDelivery, ...]:
    # Here, not at the top: the alarms' CAP alerts are built from this module's signals.
    from modes.civil_defence import cap_alerts

    cap_alerts.register()
    return delivery_log(session, f"alarm/{alarm_id}")


def latest_alarms(session: Session, limit: int = 20) -> list[Alarm]:
    return list(session.scalars(select(Alarm).order_by(Alarm.issued_at.desc(), Alarm.id.desc()).limit(limit)))


# --- the annual public test ------------------------------------------------------------------------


@dataclass(frozen=True)
class TestPlan:
    __test__ = False  # not a pytest class

    date: dt.date
    signals: tuple[tuple[int, AlarmKind, dt.datetime, dt.datetime], ...]  # (id, kind, starts, ends)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "signals": [
                {
                    "id": i,
                    "kind": k.value,
                    "name_zh": SIGNALS[k].name_zh,
                    "starts_at": a.isoformat(),
                    "ends_at": b.isoformat(),
                    "on_off": [list(p) for p in signal_schedule(k)],
                }
                for i, k, a, b in self.signals
            ],
        }

    @classmethod
    def from_dict(cls, d: dict) -> TestPlan:
        signals = tuple(
            (int(x["id"]), AlarmKind(x["kind"]), dt.datetime.fromisoformat(x["starts_at"]),
             dt.datetime.fromisoformat(x["ends_at"]))
            for x in d["signals"]
        )  # fmt: skip
        return cls(dt.date.fromisoformat(d["date"]), signals)


def default_test_date(today: dt.date) -> dt.date:
    """The next 18 September on or after ``today``."""
    this_year = dt.date(today.year, *TEST_DAY)
    return this_year if this_year >= today else dt.date(today.year + 1, *TEST_DAY)


def plan_annual_test(
    session: Session,
    date: dt.date | None = None,
    *,
    clock: Clock | None = None,
    actor: str = Role.CIVIL_DEFENCE.value,
) -> TestPlan:
    """Store the three test signals at 10:00, 10:08 and 10:16 on ``date`` (default the next
    18 September). Planning a date already planned changes nothing and returns the stored plan."""
    clock = clock or SystemClock()
    now = clock.now()
    date = date or default_test_date(now.date())
    existing = {r.kind for r in session.scalars(select(TestSignal).where(TestSignal.test_date == date))}
    new = []
    for kind, start in TEST_TIMETABLE:
        if kind.value in existing:
            continue
        starts = dt.datetime.combine(date, start)
        new.append(
            TestSignal(
                test_date=date,
                kind=kind.value,
                starts_at=starts,
                ends_at=starts + dt.timedelta(seconds=CYCLE_S),
                planned_at=now,
                planned_by=actor,
            )
        )
    if new:
        session.add_all(new)
        session.flush()
        journal.append(
            session,
            journal.NewEvent(
                "alarm_test.planned",
                actor,
                now,
                f"alarm_test/{date.isoformat()}",
                {"date": date.isoformat(), "signals": [s.kind for s in new]},
            ),
        )
    return _test_plans(session, [date])[0]


def list_test_plans(session: Session, since: dt.date | None = None) -> list[TestPlan]:
    """Every planned test date (from ``since`` when given), earliest first."""
    stmt = select(TestSignal.test_date).distinct()
    if since is not None:
        stmt = stmt.where(TestSignal.test_date >= since)
    dates = sorted(session.scalars(stmt))
    return _test_plans(session, dates)


def _test_plans(session: Session, dates: Sequence[dt.date]) -> list[TestPlan]:
    if not dates:
        return []
    rows = session.scalars(
        select(TestSignal).where(TestSignal.test_date.in_(dates)).order_by(TestSignal.starts_at)
    )
    by_date: dict[dt.date, list] = {d: [] for d in dates}
    for r in rows:
        by_date[r.test_date].append((r.id, AlarmKind(r.kind), r.starts_at, r.ends_at))
    return [TestPlan(d, tuple(s)) for d, s in by_date.items()]
