"""What keeps an exercise going: sends ``exercise.tick`` when the next inject falls due on the exercise
clock, so every inject goes out on time through the command bus.

The clock itself lives in the database (``modes.common.exercise_clock``), so a driver holds no state:
it asks the tick what is due next and waits until then (at most ``recheck`` seconds, to notice a pause,
a resume, a stop or an ad-hoc inject made elsewhere). Several drivers of one exercise are harmless: the
tick delivers each inject once, under the exercise row's lock.

Used by the centre node (a thread beside its command server), by ``exercise run`` and ``exercise
drive`` (in the foreground), and by nothing in the console, which drives a local exercise from a Qt
timer through its own door.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("sanwei.exercise")

Tick = Callable[[], dict[str, Any]]  # runs exercise.tick, returns its result


def wait_after(result: dict[str, Any], recheck: float) -> float:
    """Seconds until the next inject, or the end, of any running exercise in a tick's result (at most
    ``recheck``)."""
    wait = recheck
    for ex in result.get("exercises", ()):
        if ex.get("state") != "running":
            continue
        speed = float(ex.get("speed") or 1.0)
        for due in (ex.get("next_due_s"), ex.get("ends_s")):
            if due is not None:
                wait = min(wait, max(0.0, (due - ex["clock_s"]) / speed))
    return wait


class ExerciseDriver:
    """Ticks until told to stop, or (``run_until``) until a condition on the tick's result holds."""

    def __init__(
        self, tick: Tick, *, recheck: float = 0.5, min_wait: float = 0.002, give_up_after: int = 20
    ) -> None:
        self.tick = tick
        self.give_up_after = give_up_after  # failed ticks in a row before ``run_until`` gives up
        self._failed_in_row = 0
        self.recheck = recheck
        self.min_wait = min_wait
        self.errors = 0
        self.last: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> float:
        """One tick; the seconds to wait before the next."""
        try:
            self.last = self.tick()
        except Exception:
            # A database hiccup must not end the exercise: log it and try again shortly.
            self.errors += 1
            self._failed_in_row += 1
            log.exception("exercise tick failed")
            return self.recheck
        self._failed_in_row = 0
        return max(self.min_wait, wait_after(self.last, self.recheck))

    def run_until(
        self, done: Callable[[dict[str, Any]], bool], timeout: float | None = None
    ) -> dict[str, Any]:
        """Tick in this thread until ``done(result)``; returns the last result (``TimeoutError`` when
        ``timeout`` seconds pass first)."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = self.step()
            if self._failed_in_row >= self.give_up_after:
                raise RuntimeError(
                    f"the exercise tick failed {self._failed_in_row} times in a row (see the log)"
                )
            if self.last is not None and done(self.last):
                return self.last
            if deadline is not None and time.monotonic() + wait > deadline:
                raise TimeoutError("the exercise did not finish in time")
            if self._stop.wait(wait):
                return self.last or {}

    def start(self) -> ExerciseDriver:
        self._thread = threading.Thread(target=self._loop, name="exercise-driver", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = self.step()
            self._stop.wait(wait)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
