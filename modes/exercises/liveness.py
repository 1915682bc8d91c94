"""Whether anything drives an exercise: its driver's heartbeat.

Injects go out only when some process sends ``exercise.tick``: a console on the database, the centre
node, the ``exercise drive`` that ``exercise start`` leaves in the background, ``exercise run``. Each
ticks at least every half second while the exercise runs (``nodes.exercise_driver``). If none is left
(the background driver killed, the machine rebooted, the console closed), injects silently stop
arriving. So the tick notes when it ran and for which driver (``note_tick``), and ``driver_state``
says from that note whether a driver is alive: ``exercise status`` and the controller page warn when
none is.

The note is written by the tick command, so through the one door, but it is not journaled and not
replicated: it says something about a process, not about the city or the exercise; an event every
two seconds would bury the exercise's own events in the journal, in the replication stream to every
district and console, and in the after-action report's reading of the journal; and nothing would ever
replay or audit it. It is one row an exercise, overwritten in place (at most every
``HEARTBEAT_EVERY_S``, so a busy exercise does not rewrite it on every tick), and it never grows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from data.exercise_models import ExerciseDriverBeat

HEARTBEAT_EVERY_S = 2.0  # the note is rewritten at most this often
# Without a tick for this long, no driver is alive. A driver ticks at least every 0.5 s, but a tick
# that delivers its 500 injects at once was measured to take 2.4-4.6 s on the Harbin demo city (its
# note is committed at its end): three times that, so a busy driver is never called dead.
STALE_AFTER_S = 15.0
DRIVER_LABEL_MAX = 120


@dataclass(frozen=True)
class DriverState:
    """Whether a driver is alive (ticked within ``STALE_AFTER_S``), when it last ticked, and which."""

    alive: bool
    last_tick: dt.datetime | None
    age_s: float | None  # seconds since the last tick, at the time it was read
    by: str  # the driver's own words: "exercise drive (pid 4242 on ops-1)", "centre node", ...

    def as_dict(self) -> dict[str, Any]:
        return {
            "alive": self.alive,
            "last_tick": self.last_tick.isoformat(sep=" ", timespec="seconds") if self.last_tick else None,
            "age_s": None if self.age_s is None else round(self.age_s, 1),
            "by": self.by or None,
        }

    @classmethod
    def from_dict(cls, doc: Any) -> DriverState | None:
        """A node's ``query.exercise`` answer read back (None when it carries none)."""
        if not isinstance(doc, dict) or "alive" not in doc:
            return None
        last = doc.get("last_tick")
        return cls(
            bool(doc["alive"]),
            dt.datetime.fromisoformat(last) if isinstance(last, str) else None,
            None if doc.get("age_s") is None else float(doc["age_s"]),
            str(doc.get("by") or ""),
        )


def driver_label(text: Any) -> str:
    return str(text or "").strip()[:DRIVER_LABEL_MAX]


def note_tick(session: Session, exercise_id: int, wall: dt.datetime, driver: str) -> None:
    """The tick of ``driver`` at ``wall``, in the tick's transaction (the caller holds the exercise
    row's lock, so two drivers never race to write the first note)."""
    beat = session.get(ExerciseDriverBeat, exercise_id)
    if beat is None:
        session.add(ExerciseDriverBeat(exercise_id=exercise_id, last_tick=wall, driver=driver_label(driver)))
        return
    since = (wall - beat.last_tick).total_seconds()
    if since >= HEARTBEAT_EVERY_S or since < 0:  # < 0: another machine's clock ran ahead of ours
        beat.last_tick = wall
        beat.driver = driver_label(driver)


def driver_state(session: Session, exercise_id: int, wall: dt.datetime) -> DriverState:
    """As of ``wall``: alive when a driver ticked within ``STALE_AFTER_S`` (a clock a little ahead on
    another machine still counts as now)."""
    beat = session.get(ExerciseDriverBeat, exercise_id)
    if beat is None:
        return DriverState(False, None, None, "")
    age = max(0.0, (wall - beat.last_tick).total_seconds())
    return DriverState(age <= STALE_AFTER_S, beat.last_tick, age, beat.driver)
