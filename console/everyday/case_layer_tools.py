"""Keeps the map's live cases layer current.

The window keeps one ``CaseLayerTools``. It reads the open cases in the worker pool once the map is
loaded, again when the journal says cases changed (at most once a second however fast they change: a
busy centre writes several case events a second and one read covers them all), and once a minute
anyway, because a case turns overdue by the clock alone, without any event. One read at a time; a read
older than the one drawn is dropped. The layer draws only in everyday mode.
"""

from __future__ import annotations

import time
import traceback

from PySide6.QtCore import QObject, QTimer, Signal

from console.everyday.case_layer_services import CaseLayerServices
from modes.common.mode_switch import Mode
from modes.common.views import JournalEntry
from modes.everyday.case_map import OpenCases

MIN_INTERVAL_S = 1.0  # at most one read per second
CLOCK_REFRESH_MS = 60_000  # overdue flags follow the clock


class CaseLayerTools(QObject):
    cases_loaded = Signal(object)  # OpenCases, once drawn
    failed = Signal(str)

    def __init__(self, window, services: CaseLayerServices | None = None):
        super().__init__(window)
        self.window = window
        self.services = services or CaseLayerServices.of(window.services)
        self.map = window.map
        self.cases: OpenCases | None = None
        self.loading = False
        self._again = False  # a change arrived while a read ran: read once more after it
        self._last_read = -1e9  # monotonic seconds
        self._moment_serial = 0
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.timeout.connect(self.refresh)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(CLOCK_REFRESH_MS)
        self._clock_timer.timeout.connect(self.request_refresh)
        window.loaded.connect(self._on_loaded)
        window.mode_changed.connect(self._on_mode_changed)
        # The map shows the cases the console's exercise-records choice says (real ones unless asked).
        self.services.exercises = window.services.exercise_records
        window.services.exercise_records_changed.connect(self._on_exercise_records)
        self._on_mode_changed(window.mode.value)
        self.moment_box = getattr(getattr(window, "layers_panel", None), "case_moment", None)
        if self.moment_box is not None:
            self.moment_box.moment_chosen.connect(self.show_moment)

    def show_moment(self, at) -> None:
        """Draw the cases open at the past instant ``at`` (city local time), or now (None)."""
        if at is not None and at > self.services.clock.now():
            at = None  # the future is now: nothing has happened after it
        self.services.moment = at
        self._moment_serial += 1  # a read begun for the other moment is dropped when it arrives
        self.cases = None  # a moment's read replaces whatever was drawn, whatever its journal head
        self.refresh()

    def _on_loaded(self) -> None:
        self.refresh()
        self._clock_timer.start()

    def _on_exercise_records(self, choice: str) -> None:
        self.services.exercises = choice
        self.request_refresh()

    def _on_mode_changed(self, mode: str) -> None:
        self.map.case_layer.set_mode_active(mode == Mode.EVERYDAY.value)

    def on_journal_events(self, events: list[JournalEntry]) -> None:
        """Called by the main window with the journal events it just read."""
        if self.services.moment is None and any(e.kind.startswith("case.") for e in events):
            self.request_refresh()  # a past moment does not change with what happens now

    def request_refresh(self) -> None:
        """Read soon: now if the last read was a second ago or more, else when that second is up."""
        if not self.window.is_loaded:
            return
        if self.loading:
            self._again = True
            return
        wait = MIN_INTERVAL_S - (time.monotonic() - self._last_read)
        if wait <= 0:
            self.refresh()
        elif not self._throttle.isActive():
            self._throttle.start(int(wait * 1000) + 1)

    def refresh(self) -> None:
        if self.loading:
            self._again = True
            return
        self._throttle.stop()
        if self.moment_box is not None:  # the latest moment the box offers is now
            self.moment_box.set_now(self.services.clock.now())
        self.loading = True
        self._again = False
        self._last_read = time.monotonic()
        serial = self._moment_serial
        self.window.workers.submit(
            self.services.open_cases, lambda cases: self._on_cases(cases, serial), self._on_failed
        )

    def _on_cases(self, cases: OpenCases, serial: int | None = None) -> None:
        self.loading = False
        if serial is not None and serial != self._moment_serial:
            self._again = True  # read for another moment than the one chosen since: read again
        elif self.cases is None or cases.journal_seq >= self.cases.journal_seq:
            self.cases = cases
            self.map.set_cases(cases)
            if self.moment_box is not None:
                self.moment_box.show_state(self.services.moment, len(cases))
            self.cases_loaded.emit(cases)
        if self._again:
            self.request_refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self.loading = False
        message = self.tr("Open cases could not be read for the map: {reason}").format(reason=str(exc))
        self.window.notify(message)
        traceback.print_exception(exc)
        self.failed.emit(message)

    def stop(self) -> None:
        self._throttle.stop()
        self._clock_timer.stop()
