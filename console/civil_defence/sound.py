"""The alarm as the console plays it: the standard pattern as a ~500 Hz tone, and where in its 3-minute
cycle an alarm stands now (for the countdown).

The samples come from ``modes.civil_defence.alarms.render_tone``; an exercise's alarm (a drill, a test,
an exercise's inject) plays ``render_exercise_tone`` instead, whose chime says EXERCISE by ear as the
board says it by sight, and begins with that chime even for a console that joins the cycle late. They go to a sink: Qt Multimedia's
``QAudioSink`` when PySide6-Addons is installed and a sound device answers, otherwise a
``RecordingSink`` that keeps what would have been played. A console without a sound card (offscreen,
a server, a video wall fed over the network) therefore never fails for lack of audio, and tests can
measure the very samples the console sends out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject

from modes.civil_defence.alarms import (
    CYCLE_S,
    SIGNALS,
    parse_kind,
    render_exercise_mark,
    render_exercise_tone,
    render_tone,
)

SAMPLE_RATE = 8000  # plenty for a 500 Hz tone, and 2.9 MB for the whole cycle


@dataclass(frozen=True)
class CyclePosition:
    sounding: bool  # the tone is on at this moment
    phase_left_s: float  # until the current on or off phase ends
    burst: int  # 1-based number of the current (or last) burst of sound
    bursts: int
    cycle_left_s: float  # until the 3-minute cycle ends; 0 when it is over

    @property
    def over(self) -> bool:
        return self.cycle_left_s <= 0


def cycle_position(kind: str, elapsed_s: float) -> CyclePosition:
    """Where the signal ``kind`` stands ``elapsed_s`` seconds after it started."""
    s = SIGNALS[parse_kind(kind)]
    if elapsed_s >= CYCLE_S:
        return CyclePosition(False, 0.0, s.repeats, s.repeats, 0.0)
    elapsed_s = max(elapsed_s, 0.0)
    period = s.on_s + s.off_s
    k = min(int(elapsed_s // period), s.repeats - 1)
    into = elapsed_s - k * period
    if into < s.on_s:
        return CyclePosition(True, s.on_s - into, k + 1, s.repeats, CYCLE_S - elapsed_s)
    return CyclePosition(False, period - into, k + 1, s.repeats, CYCLE_S - elapsed_s)


class RecordingSink:
    """Takes the samples as a sound card would and keeps them: used where no audio output exists."""

    name = "recording"

    def __init__(self) -> None:
        self.samples = np.empty(0, dtype=np.int16)
        self.sample_rate = SAMPLE_RATE
        self.playing = False

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        self.samples = np.asarray(samples, dtype=np.int16)
        self.sample_rate = sample_rate
        self.playing = True

    def stop(self) -> None:
        self.playing = False


class QtAudioSink:
    """Qt Multimedia's default output: 16-bit mono PCM pushed from a buffer."""

    name = "qt"

    def __init__(self, multimedia, parent: QObject | None = None) -> None:
        from PySide6.QtCore import QBuffer, QByteArray

        self._mm = multimedia
        self._parent = parent
        self._buffer_type = QBuffer
        self._bytes_type = QByteArray
        self._sink = None
        self._buffer = None
        self.samples = np.empty(0, dtype=np.int16)
        self.sample_rate = SAMPLE_RATE
        self.playing = False

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        self.stop()
        fmt = self._mm.QAudioFormat()
        fmt.setSampleRate(sample_rate)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(self._mm.QAudioFormat.SampleFormat.Int16)
        self.samples = np.asarray(samples, dtype=np.int16)
        self.sample_rate = sample_rate
        self._buffer = self._buffer_type(self._parent)
        self._buffer.setData(self._bytes_type(self.samples.astype("<i2").tobytes()))
        self._buffer.open(self._buffer_type.OpenModeFlag.ReadOnly)
        self._sink = self._mm.QAudioSink(self._mm.QMediaDevices.defaultAudioOutput(), fmt, self._parent)
        self._sink.start(self._buffer)
        # A device that vanished or refuses the format leaves the sink in error: say so, do not fail.
        self.playing = self._sink.error() == self._mm.QAudio.Error.NoError

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self.playing = False


def default_sink(parent: QObject | None = None) -> RecordingSink | QtAudioSink:
    """Qt's audio output when Qt Multimedia imports and a device exists, else a recording sink."""
    try:
        from PySide6 import QtMultimedia
    except ImportError:  # PySide6-Addons (or Debian's libpulse0) is not installed
        return RecordingSink()
    try:
        device = QtMultimedia.QMediaDevices.defaultAudioOutput()
        if device.isNull():
            return RecordingSink()
    except RuntimeError:
        return RecordingSink()
    return QtAudioSink(QtMultimedia, parent)


class AlarmSound:
    """Plays an alarm's cycle from a given second (a console joining a running alarm starts mid-way)."""

    def __init__(self, sink: RecordingSink | QtAudioSink | None = None, parent: QObject | None = None):
        self.sink = sink if sink is not None else default_sink(parent)
        self.muted = False
        self.kind: str | None = None
        self.exercise = False
        self._cache: dict[tuple[str, bool], np.ndarray] = {}

    def samples(self, kind: str, exercise: bool = False) -> np.ndarray:
        """The whole cycle of ``kind``: the real signal, or an exercise's with its chimes."""
        key = (parse_kind(kind).value, bool(exercise))
        if key not in self._cache:
            render = render_exercise_tone if exercise else render_tone
            self._cache[key] = render(key[0], SAMPLE_RATE)
        return self._cache[key]

    def start(self, kind: str, from_s: float = 0.0, *, exercise: bool = False) -> bool:
        """Sound ``kind`` from ``from_s`` into its cycle unless muted; True when something plays. An
        exercise's alarm starts with the exercise chime wherever it is joined, in place of the first
        seconds of the siren, so the sound stays in step with the board's countdown."""
        self.kind = parse_kind(kind).value
        self.exercise = bool(exercise)
        self.sink.stop()
        if self.muted or from_s >= CYCLE_S:
            return False
        first = int(max(from_s, 0.0) * SAMPLE_RATE)
        samples = self.samples(self.kind, self.exercise)[first:]
        if self.exercise and first > 0:
            mark = render_exercise_mark(SAMPLE_RATE)[: len(samples)]
            samples = np.concatenate([mark, samples[len(mark) :]])
        self.sink.play(samples, SAMPLE_RATE)
        return self.sink.playing

    def stop(self) -> None:
        self.sink.stop()

    def set_muted(
        self, muted: bool, kind: str | None = None, at_s: float = 0.0, *, exercise: bool = False
    ) -> None:
        self.muted = muted
        if muted:
            self.sink.stop()
        elif kind is not None:
            self.start(kind, at_s, exercise=exercise)
