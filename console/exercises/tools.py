"""The console's exercise state, read and driven in one place, and its screens plugged into the window.

``ExerciseTools`` reads the exercise that is on (``modes.exercises.screens.banner_state``) in a worker:
when a page opens, whenever the journal (or, attached to a node, the replica) brings exercise changes,
and every second while one is on. The banner, the map's watermark and the controller page follow its
signals. The clock runs on between reads from the speed the read gave.

A console on its own database also *drives* a running exercise, as the centre node does for its
attached consoles: it sends ``exercise.tick`` through its gateway in a worker when the next inject falls
due (``nodes.exercise_driver.wait_after``, rechecked at least every half second for a pause, a resume or
an ad-hoc inject made elsewhere). A console attached to a node never does (the centre's driver
delivers), nor does a console taking a screenshot: rendering a page writes nothing.

While an exercise is on the exercise-records setting defaults to "include" (players see the injected
cases), otherwise to "leave out"; the person may change it either way in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from console.exercises.services import ExerciseServices
from console.exercises.texts import DEMO_STAMP, STAMP
from console.gateway import NodeNotAnswering
from data.errors import InputError
from modes.exercises.screens import BannerState, ControllerView, InjectChoices
from nodes.exercise_driver import wait_after

POLL_MS = 1000  # the banner's read while an exercise is on
RECHECK_S = 0.5  # the longest a driving console waits between ticks
MIN_WAIT_S = 0.02
CONTROLLER_EVERY_MS = 3000  # the controller page re-read while shown (its "missed" turns on the clock)


def refusal_text(exc: BaseException) -> str:
    """The rules' (or the node's) own words for a refusal; anything else with its kind."""
    if isinstance(exc, (InputError, NodeNotAnswering)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class ExerciseTools(QObject):
    state_changed = Signal(object)  # BannerState
    controller_changed = Signal(object)  # ControllerView | None
    choices_loaded = Signal(object)  # InjectChoices
    written = Signal(str, object)  # the write's name, its result
    refused = Signal(str, str)  # the write's name, the reason
    ticked = Signal(object)  # a tick's result (the exercises it looked at)
    drive_failed = Signal(str)

    def __init__(self, window, *, drive: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.base = window.services
        self.services = ExerciseServices.of(window.services)
        self.workers = window.workers
        # Only a console on its own database drives; never one attached to a node, never a screenshot.
        self.drives = drive and not self.services.remote
        self.state: BannerState | None = None
        self.controller: ControllerView | None = None
        self.controller_id: int | None = None  # the exercise the controller page shows (None: the newest)
        self.choices: InjectChoices | None = None
        self.controller_wanted = False  # the controller page is on screen: keep it fresh
        self._reading = False
        self._read_again = False
        self._reading_controller = False
        self._controller_again = False
        self._ticking = False
        self.ticks = 0
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.refresh)
        self._tick_timer = QTimer(self)
        self._tick_timer.setSingleShot(True)
        self._tick_timer.timeout.connect(self._tick)
        self._controller_timer = QTimer(self)
        self._controller_timer.setInterval(CONTROLLER_EVERY_MS)
        self._controller_timer.timeout.connect(self.refresh_controller)

    # --- the state ----------------------------------------------------------------------------------

    @property
    def active(self):
        """The exercise that is on (``modes.exercises.listing.ActiveExercise``), or None."""
        return self.state.active if self.state is not None else None

    @property
    def running(self) -> bool:
        a = self.active
        return a is not None and a.state == "running"

    def start(self) -> None:
        self.refresh()

    def stop(self) -> None:
        self._poll.stop()
        self._tick_timer.stop()
        self._controller_timer.stop()

    def refresh(self) -> None:
        """Read the exercise that is on again (one read at a time; one asked for meanwhile follows)."""
        if self._reading:
            self._read_again = True
            return
        self._reading, self._read_again = True, False
        self.workers.submit(self.services.banner, self._on_state, self._on_read_failed)

    def _on_read_failed(self, exc: BaseException) -> None:
        self._reading = False
        self.window.notify(self.tr("The exercise could not be read: {error}").format(error=refusal_text(exc)))
        if self._read_again:
            self.refresh()

    def _on_state(self, state: BannerState) -> None:
        self._reading = False
        was = self.active.id if self.active is not None else None
        self.state = state
        now = state.active.id if state.active is not None else None
        on = now is not None
        if on != (was is not None):
            # Players see the injected cases while an exercise is on; afterwards the real city again.
            self.base.set_exercise_records("include" if on else "leave")
        if now != was and self.controller_wanted:
            self.refresh_controller()
        if on:
            if not self._poll.isActive():
                self._poll.start()
        else:
            self._poll.stop()
        self._drive()
        self.state_changed.emit(state)
        if self._read_again:
            self.refresh()

    def on_journal_events(self, events) -> None:
        """Exercise events (or, attached to a node, replicated exercise rows): read again."""
        if any(e.kind.startswith("exercise") for e in events):
            self.refresh()
            if self.controller_wanted:
                self.refresh_controller()
        elif self.controller_wanted and self.active is not None and events:
            self.refresh_controller()  # a player's act may have actioned an inject

    # --- driving (a console on its own database) ----------------------------------------------------

    def _drive(self, wait_s: float = 0.0) -> None:
        if not self.drives or not self.running or self._ticking or self._tick_timer.isActive():
            return
        self._tick_timer.start(int(max(MIN_WAIT_S, wait_s) * 1000))

    def _tick(self) -> None:
        if not self.running:
            return
        self._ticking = True
        self.workers.submit(self.services.tick, self._on_ticked, self._on_tick_failed)

    def _on_ticked(self, result: dict[str, Any]) -> None:
        self._ticking = False
        self.ticks += 1
        self.ticked.emit(result)
        if any(ex.get("state") == "running" for ex in result.get("exercises", ())):
            self._drive(wait_after(result, RECHECK_S))
        # Else it was paused or stopped meanwhile: the next read of the state starts us again.

    def _on_tick_failed(self, exc: BaseException) -> None:
        self._ticking = False
        message = self.tr("The exercise tick failed: {error}").format(error=refusal_text(exc))
        self.window.notify(message)
        self.drive_failed.emit(message)
        self._drive(RECHECK_S)  # a busy database must not end the exercise: try again shortly

    # --- the controller page --------------------------------------------------------------------------

    def set_controller_wanted(self, wanted: bool) -> None:
        self.controller_wanted = wanted
        if wanted:
            self.refresh_controller()
            if self.choices is None:
                self.load_choices()
            self._controller_timer.start()
        else:
            self._controller_timer.stop()

    def refresh_controller(self) -> None:
        if self._reading_controller:
            self._controller_again = True
            return
        self._reading_controller, self._controller_again = True, False
        # The exercise that is on; after ENDEX, the one the page was showing (or the one just started).
        if self.active is not None:
            self.controller_id = self.active.id
        wanted = self.controller_id
        self.workers.submit(
            lambda: self.services.controller(wanted), self._on_controller, self._on_controller_failed
        )

    def _on_controller(self, view: ControllerView | None) -> None:
        self._reading_controller = False
        self.controller = view
        if view is not None and self.controller_id is None:
            self.controller_id = view.exercise.id
        self.controller_changed.emit(view)
        if self._controller_again:
            self.refresh_controller()

    def _on_controller_failed(self, exc: BaseException) -> None:
        self._reading_controller = False
        self.refused.emit("read", refusal_text(exc))
        if self._controller_again:
            self.refresh_controller()

    def load_choices(self) -> None:
        self.workers.submit(
            self.services.choices, self._on_choices, lambda exc: self.refused.emit("read", refusal_text(exc))
        )

    def _on_choices(self, choices: InjectChoices) -> None:
        self.choices = choices
        self.choices_loaded.emit(choices)

    # --- writes -------------------------------------------------------------------------------------

    def write(self, name: str, call: Callable[[], Any]) -> None:
        """One exercise command in a worker; refusals come back with the rules' words, success reads the
        state and the page again."""

        def done(result: Any) -> None:
            if name == "start" and isinstance(result, dict) and result.get("id") is not None:
                self.controller_id = int(result["id"])  # the page follows the exercise just started
            self.written.emit(name, result)
            self.refresh()
            if self.controller_wanted:
                self.refresh_controller()

        def failed(exc: BaseException) -> None:
            self.refused.emit(name, refusal_text(exc))

        self.workers.submit(call, done, failed)

    def acknowledge(self, exercise_id: int, no: str) -> None:
        self.write("acknowledge", lambda: self.services.acknowledge(exercise_id, no))


def watermark_lines(state: BannerState | None) -> tuple[str, ...]:
    a = state.active if state is not None else None
    if a is None:
        return ()
    return (STAMP, DEMO_STAMP) if a.demo else (STAMP,)
