"""Alarm signals against the national standard, measured from the rendered samples; sounding orders,
acknowledgements and the annual test timetable."""

from __future__ import annotations

import datetime as dt
import wave

import numpy as np
import pytest
from sqlalchemy import select

from data.civil_defence_models import Alarm, AlarmDelivery, TestSignal
from data.errors import InputError, NotFound
from data.models import JournalEvent, Role
from modes.civil_defence import alarms
from modes.civil_defence.authority import CivilDefenceRefused
from modes.common.clock import FixedClock

# The standard, written out (reference/standards.md 4.1): (seconds on, seconds off) x repeats.
STANDARD = {"pre": [(36, 24)] * 3, "raid": [(6, 6)] * 15, "clear": [(180, 0)]}
RATE = 8000
FRAME_S = 0.1


def _expected_intervals(kind: str) -> list[tuple[int, int]]:
    out, t = [], 0
    for on, off in STANDARD[kind]:
        out.append((t, t + on))
        t += on + off
    assert t == 180
    return out


def _measured_intervals(samples: np.ndarray) -> list[tuple[float, float]]:
    """Sounding intervals from the samples: RMS per 100 ms frame, a frame on above half the top RMS."""
    frame = int(RATE * FRAME_S)
    rms = np.sqrt((samples.astype(float).reshape(-1, frame) ** 2).mean(axis=1))
    on = rms > rms.max() / 2
    edges = np.flatnonzero(np.diff(np.r_[0, on.astype(int), 0]))
    return [(a * FRAME_S, b * FRAME_S) for a, b in zip(edges[::2], edges[1::2], strict=True)]


@pytest.mark.parametrize("kind", ["pre", "raid", "clear"])
def test_schedule_is_the_standard(kind):
    assert alarms.signal_schedule(kind) == _expected_intervals(kind)
    doc = alarms.SIGNALS[alarms.parse_kind(kind)].as_dict()
    assert doc["cycle_s"] == 180 and doc["tone_hz"] == 500
    assert doc["on_off"] == [list(p) for p in _expected_intervals(kind)]


@pytest.mark.parametrize("kind", ["pre", "raid", "clear"])
def test_rendered_tone_has_the_standard_envelope_and_pitch(kind):
    samples = alarms.render_tone(kind, sample_rate=RATE, freq=500)
    assert samples.dtype == np.int16 and len(samples) == 180 * RATE
    measured = _measured_intervals(samples)
    # pytest 9 refuses approx over nested lists: compare the (on, off) pairs as one flat array.
    assert len(measured) == len(_expected_intervals(kind))
    assert np.ravel(measured) == pytest.approx(np.ravel(_expected_intervals(kind)).astype(float), abs=1e-9)
    # Silence really is silent; sound is near full scale (0.8 amplitude).
    frame = int(RATE * FRAME_S)
    rms = np.sqrt((samples.astype(float).reshape(-1, frame) ** 2).mean(axis=1))
    if kind != "clear":  # all clear sounds the whole cycle
        assert rms.min() == 0.0
    assert rms.max() == pytest.approx(0.8 * 32767 / np.sqrt(2), rel=0.01)
    # The pitch: the spectrum of the first second of sound peaks at 500 Hz.
    start = _expected_intervals(kind)[0][0] * RATE
    spectrum = np.abs(np.fft.rfft(samples[start + RATE // 10 : start + RATE // 10 + RATE].astype(float)))
    assert np.fft.rfftfreq(RATE, 1 / RATE)[spectrum.argmax()] == pytest.approx(500, abs=1)


def test_ramps_keep_the_tone_from_clicking():
    samples = alarms.render_tone("raid", sample_rate=RATE).astype(float)
    # The first and last samples of each burst are (near) zero, not a jump to full scale.
    for start, end in alarms.signal_schedule("raid"):
        assert abs(samples[start * RATE]) < 50
        assert abs(samples[end * RATE - 1]) < 300


def _peak_hz(samples: np.ndarray, start_s: float, length_s: float = 0.1) -> float:
    """The strongest frequency of ``length_s`` of samples from ``start_s`` (10 Hz bins at 0.1 s)."""
    a = int(round(start_s * RATE))
    window = samples[a : a + int(round(length_s * RATE))].astype(float)
    return float(np.fft.rfftfreq(len(window), 1 / RATE)[np.abs(np.fft.rfft(window)).argmax()])


@pytest.mark.parametrize(
    ("kind", "places"),
    [("pre", [0, 47, 107, 167]), ("raid", [0, *(12 * k + 8 for k in range(15))]), ("clear", [0, 178])],
)
def test_an_exercise_alarm_chimes_at_its_start_and_in_its_pauses_and_keeps_the_bursts(kind, places):
    real = alarms.render_tone(kind, sample_rate=RATE)
    drill = alarms.render_exercise_tone(kind, sample_rate=RATE)
    assert alarms.exercise_mark_places(kind) == places
    assert drill.dtype == np.int16 and len(drill) == len(real) == 180 * RATE
    # Each mark is the two-note chime, high then low, far from the siren's 500 Hz.
    high, low = alarms.EXERCISE_MARK_HZ
    for place in places:
        assert _peak_hz(drill, place + 0.05) == pytest.approx(high, abs=10)
        assert _peak_hz(drill, place + 0.30) == pytest.approx(low, abs=10)
        assert _peak_hz(drill, place + 0.75) == pytest.approx(high, abs=10)
    # The real signal has no chime: its first sound is the siren.
    assert _peak_hz(real, 0.05) == pytest.approx(500, abs=10)
    # Outside the marks every sample is the real signal's: the same bursts at the same times.
    outside = np.ones(len(real), dtype=bool)
    for place in places:
        outside[int(place * RATE) : int((place + alarms.EXERCISE_MARK_S) * RATE)] = False
    assert np.array_equal(drill[outside], real[outside])


def test_wav_file_round_trip(tmp_path):
    samples = alarms.render_tone("pre", sample_rate=RATE)
    path = alarms.write_wav(tmp_path / "pre.wav", samples, RATE)
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (
            1,
            2,
            RATE,
            180 * RATE,
        )
        back = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.array_equal(back, samples)


def test_unknown_signal_is_refused():
    with pytest.raises(InputError, match="unknown alarm signal"):
        alarms.parse_kind("siren")
    assert alarms.parse_kind("空袭警报") is alarms.AlarmKind.RAID


# --- orders ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.CIVIL_DEFENCE] + [None])
def test_only_the_civil_defence_office_may_sound_an_alarm(tiny_city, clock, role):
    with pytest.raises(CivilDefenceRefused, match="civil-defence"):
        alarms.issue_alarm(tiny_city, clock, role, "raid")
    assert tiny_city.scalars(select(Alarm)).first() is None


@pytest.mark.parametrize("spelling", ["civil_defence", "civil-defence", Role.CIVIL_DEFENCE])
def test_issue_records_one_delivery_per_district_and_journals(tiny_city, clock, spelling):
    issued = alarms.issue_alarm(tiny_city, clock, spelling, "raid", "all", actor="王强")
    board = issued.board
    assert [d.district for d in board.deliveries] == ["230102", "230103"]
    assert all(
        d.sent_at == clock.now() and d.received_at is None and d.acknowledged_at is None
        for d in board.deliveries
    )
    assert not board.late
    events = tiny_city.scalars(select(JournalEvent).order_by(JournalEvent.seq)).all()
    assert [(e.kind, e.district_code) for e in events] == [
        ("alarm.issued", None),
        ("alarm.sent", "230102"),
        ("alarm.sent", "230103"),
    ]
    assert events[0].actor == "王强" and events[0].payload["districts"] == ["230102", "230103"]
    assert issued.changes.journal_seq == events[-1].seq


def test_issue_to_named_districts_and_unknown_ones(tiny_city, clock):
    issued = alarms.issue_alarm(tiny_city, clock, "civil_defence", "pre", "230103")
    assert [d.district for d in issued.board.deliveries] == ["230103"]
    with pytest.raises(NotFound, match="999999"):
        alarms.issue_alarm(tiny_city, clock, "civil_defence", "pre", ["230102", "999999"])


def test_acknowledgements_and_lateness(tiny_city, clock):
    alarm_id = alarms.issue_alarm(tiny_city, clock, "civil_defence", "raid").alarm_id
    sent = clock.now()
    # 230102 acknowledges after 4 s; 230103 only receives after 3 s and has not acknowledged.
    alarms.acknowledge(tiny_city, alarm_id, "230102", sent + dt.timedelta(seconds=4))
    alarms.record_receipt(tiny_city, alarm_id, "230103", sent + dt.timedelta(seconds=3))
    board = alarms.delivery_board(tiny_city, alarm_id, sent + dt.timedelta(seconds=9))
    by = {d.district: d for d in board.deliveries}
    assert by["230102"].ack_seconds == 4 and not by["230102"].late
    assert by["230103"].received_at == sent + dt.timedelta(seconds=3) and by["230103"].acknowledged_at is None
    assert not by["230103"].late  # 9 s: still within the 10 s
    board = alarms.delivery_board(tiny_city, alarm_id, sent + dt.timedelta(seconds=11))
    assert board.late == ("230103",)
    # A late acknowledgement stays late on the board; a repeat changes nothing.
    alarms.acknowledge(tiny_city, alarm_id, "230103", sent + dt.timedelta(seconds=12))
    seq_before = tiny_city.scalar(select(JournalEvent.seq).order_by(JournalEvent.seq.desc()).limit(1))
    again = alarms.acknowledge(tiny_city, alarm_id, "230103", sent + dt.timedelta(seconds=30))
    assert again.journal_seq == 0
    assert tiny_city.scalar(select(JournalEvent.seq).order_by(JournalEvent.seq.desc()).limit(1)) == seq_before
    board = alarms.delivery_board(tiny_city, alarm_id, sent + dt.timedelta(seconds=60))
    by = {d.district: d for d in board.deliveries}
    assert by["230103"].ack_seconds == 12 and by["230103"].late
    assert board.all_acknowledged
    kinds = tiny_city.scalars(
        select(JournalEvent.kind)
        .where(JournalEvent.subject == f"alarm/{alarm_id}")
        .order_by(JournalEvent.seq)
    ).all()
    # 230102: received and acknowledged at once; 230103: received, later acknowledged.
    assert kinds == ["alarm.issued", "alarm.sent", "alarm.sent", "alarm.received", "alarm.acknowledged",
                     "alarm.received", "alarm.acknowledged"]  # fmt: skip


def test_acknowledging_what_was_not_sent(tiny_city, clock):
    alarm_id = alarms.issue_alarm(tiny_city, clock, "civil_defence", "clear", "230102").alarm_id
    with pytest.raises(NotFound, match="not sent to district 230103"):
        alarms.acknowledge(tiny_city, alarm_id, "230103", clock.now())
    with pytest.raises(NotFound, match="no alarm"):
        alarms.acknowledge(tiny_city, alarm_id + 100, "230102", clock.now())
    with pytest.raises(NotFound, match="no alarm"):
        alarms.delivery_board(tiny_city, alarm_id + 100, clock.now())


# --- the annual test -------------------------------------------------------------------------------


def test_annual_test_plan_default_date_and_times(tiny_city, clock):
    plan = alarms.plan_annual_test(tiny_city, clock=clock)
    assert plan.date == dt.date(2026, 9, 18)
    assert [(k.value, a.time(), (b - a).total_seconds()) for _, k, a, b in plan.signals] == [
        ("pre", dt.time(10, 0), 180.0),
        ("raid", dt.time(10, 8), 180.0),
        ("clear", dt.time(10, 16), 180.0),
    ]
    # Planned again: the same rows, no duplicates, no second journal event.
    again = alarms.plan_annual_test(tiny_city, dt.date(2026, 9, 18), clock=clock)
    assert again == plan
    assert len(tiny_city.scalars(select(TestSignal)).all()) == 3
    events = tiny_city.scalars(select(JournalEvent).where(JournalEvent.kind == "alarm_test.planned")).all()
    assert len(events) == 1
    after = alarms.plan_annual_test(tiny_city, clock=FixedClock(dt.datetime(2026, 10, 1, 8, 0)))
    assert after.date == dt.date(2027, 9, 18)
    assert [p.date for p in alarms.list_test_plans(tiny_city)] == [dt.date(2026, 9, 18), dt.date(2027, 9, 18)]
    assert [p.date for p in alarms.list_test_plans(tiny_city, since=dt.date(2027, 1, 1))] == [
        dt.date(2027, 9, 18)
    ]


def test_test_alarms_are_marked_exercise(tiny_city, clock):
    plan = alarms.plan_annual_test(tiny_city, dt.date(2026, 9, 18), clock=clock)
    signal_id = plan.signals[0][0]
    issued = alarms.issue_alarm(
        tiny_city, clock, "civil_defence", "pre", exercise=True, test_signal_id=signal_id
    )
    row = tiny_city.get(Alarm, issued.alarm_id)
    assert row.exercise and row.test_signal_id == signal_id
    assert issued.board.as_dict()["exercise"] is True
    assert len(tiny_city.scalars(select(AlarmDelivery)).all()) == 2
