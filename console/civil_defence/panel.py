"""Wires the civil-defence page into the main window: the summary strip above three tabs (alarms,
sirens, evacuation), the mode's map layers, and the journal.

Nothing is computed until the city first enters civil-defence mode (coverage and the optimal plan cost
seconds at Harbin scale, and a peacetime console should not pay for them at start-up). From then on the
journal keeps the page current: alarm events refresh the board, siren events the coverage, shelter
events the shelters and the plan.
"""

from __future__ import annotations

import traceback

import numpy as np
from PySide6.QtCore import QObject, Signal

from console.civil_defence.alarm_panel import AlarmPanel
from console.civil_defence.evacuation_panel import EvacuationPanel
from console.civil_defence.services import CivilDefenceServices
from console.civil_defence.sound import AlarmSound
from console.civil_defence.summary import SirensPanel, SummaryStrip
from modes.civil_defence.coverage import SirenSuggestion
from modes.civil_defence.evacuation import EvacuationPlan
from modes.civil_defence.queries import CoverageView
from modes.common.mode_switch import Mode

MODE = Mode.CIVIL_DEFENCE.value


class CivilDefenceTools(QObject):
    """The page's panels and their data flow; ``window`` is the ``MainWindow``."""

    coverage_loaded = Signal(object)  # CoverageView
    summary_changed = Signal(object)  # Summary
    suggestions_loaded = Signal(object)  # list[SirenSuggestion]
    failed = Signal(str)

    def __init__(self, window, sound: AlarmSound | None = None):
        super().__init__(window)
        self.window = window
        base = window.services
        self.services = CivilDefenceServices(
            base.session_factory, base.clock, base.login, getattr(base, "gateway", None)
        )
        self.workers = window.workers
        self.layers = window.map.civil_defence
        self.coverage: CoverageView | None = None
        self.plan: EvacuationPlan | None = None
        self.suggestions: list[SirenSuggestion] = []
        self.started = False

        self.summary = SummaryStrip()
        self.alarms = AlarmPanel(self.services, self.workers, sound)
        self.sirens = SirensPanel(self.services, self.workers)
        self.evacuation = EvacuationPanel(self.services, self.workers)
        page = window.page_for[Mode.CIVIL_DEFENCE]
        page.install_tools(
            self.summary,
            [
                (self.alarms, self.tr("Alarms")),
                (self.sirens, self.tr("Sirens")),
                (self.evacuation, self.tr("Evacuation")),
            ],
        )
        self.alarms.order_pending.connect(window.open_order_dialog)
        self.sirens.suggest_requested.connect(self.suggest_sirens)
        # A siren this console marked: the coverage follows at once (another's comes with the journal).
        self.sirens.siren_status_changed.connect(lambda _result: self.refresh_coverage())
        self.evacuation.plan_changed.connect(self._on_plan)
        self.evacuation.shelters_changed.connect(lambda _rows: self._draw_shelters())
        window.mode_changed.connect(self._on_mode_changed)
        window.loaded.connect(self._maybe_start)

    # --- lifecycle ------------------------------------------------------------------------------------

    def _on_mode_changed(self, mode: str) -> None:
        self.layers.set_active(mode == MODE)
        self._maybe_start()

    def _maybe_start(self) -> None:
        """Load the page's data the first time the page is shown (the city in civil-defence mode, or the
        page previewed) with the map loaded."""
        if self.started or not self.window.shows(Mode.CIVIL_DEFENCE) or not self.window.is_loaded:
            return
        self.layers.set_active(True)
        self.started = True
        self.alarms.set_districts(self.services.districts())
        self.alarms.load_latest()
        self.alarms.load_test_plans()
        self.refresh_coverage()
        self.evacuation.compute_plan()

    def refresh_coverage(self) -> None:
        self.workers.submit(self.services.coverage, self._on_coverage, self._on_failed)

    def on_journal_events(self, events) -> None:
        """Called by the main window with the journal events it just read."""
        if not self.started:
            return
        kinds = {e.kind for e in events}
        self.alarms.on_journal_events(events)
        # Shelter events this console wrote were applied when the write returned.
        shelter_kinds = {e.kind for e in events if e.seq not in self.evacuation.own_seqs}
        # A console attached to a node sees the centre's changes as replicated rows (console.remote):
        # a siren's row may carry a new status, a shelter's a new status or head count.
        if "siren.replicated" in kinds or any(
            e.kind == "siren.status_changed" and e.seq not in self.sirens.own_seqs for e in events
        ):
            self.refresh_coverage()
        replanned = shelter_kinds & {"shelter.status_changed", "shelter.replicated"}
        if replanned and not self.evacuation.computing:
            self.evacuation.compute_plan()  # another console closed or reopened one
        elif "shelter.occupancy" in shelter_kinds:
            self.evacuation.reload_shelters()

    # --- results --------------------------------------------------------------------------------------

    def _on_coverage(self, view: CoverageView) -> None:
        self.coverage = view
        s = view.sirens
        self.layers.set_sirens(s.x, s.y, s.radius_m, s.status_idx)
        self.layers.set_coverage(view.covered_area, view.uncovered_codes)
        self.sirens.set_coverage(view)
        self._update_summary()
        self.coverage_loaded.emit(view)

    def _on_plan(self, plan: EvacuationPlan) -> None:
        self.plan = plan
        p = plan.problem
        used = np.flatnonzero(plan.flow > 0)
        cells = p.pair_cell[used]
        self.layers.set_flows(
            p.cell_xy[cells, 0], p.cell_xy[cells, 1], p.pair_target_xy[used, 0], p.pair_target_xy[used, 1]
        )
        self._draw_shelters()
        self._update_summary()

    def _draw_shelters(self) -> None:
        x, y, load, capacity, open_ = self.evacuation.shelter_arrays()
        self.layers.set_shelters(x, y, load, capacity, open_)

    def _update_summary(self) -> None:
        if self.coverage is None or self.plan is None:
            return
        summary = self.services.summary(self.coverage, self.plan)
        self.summary.set_summary(summary)
        self.summary_changed.emit(summary)

    def suggest_sirens(self, n: int) -> None:
        self.sirens.suggest_button.setEnabled(False)
        self.workers.submit(lambda: self.services.suggest_sirens(n), self._on_suggestions, self._on_failed)

    def _on_suggestions(self, picks: list[SirenSuggestion]) -> None:
        self.sirens.suggest_button.setEnabled(True)
        self.suggestions = picks
        self.sirens.set_suggestions(picks)
        self.summary.set_suggestions(picks)
        self.layers.set_suggestions(
            np.array([p.x for p in picks]),
            np.array([p.y for p in picks]),
            np.array([p.radius_m for p in picks]),
        )
        self.suggestions_loaded.emit(picks)

    def _on_failed(self, exc: BaseException) -> None:
        self.sirens.suggest_button.setEnabled(True)
        message = self.tr("Civil-defence data could not be loaded: {reason}").format(reason=str(exc))
        self.window.notify(message)
        traceback.print_exception(exc)
        self.failed.emit(message)
