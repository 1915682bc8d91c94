"""Plugs the intake form and the dashboard into the main window's everyday page.

The window keeps one ``IntakeTools``: it owns the two panels, feeds the form the map's clicks and the
loaded city, and tells both when the journal says cases changed (the form's duplicate list and the
dashboard's figures follow other consoles' work).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF

from console.everyday.dashboard import DashboardPanel
from console.everyday.dashboard_services import DashboardServices
from console.everyday.intake import IntakePanel
from console.everyday.intake_services import IntakeResult, IntakeServices, RoutingPreview
from modes.common.views import JournalEntry

TYPED_VIEW_M = 300.0  # how much of the city around a typed place the map shows


class IntakeTools(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        services = window.services
        self.intake = IntakePanel(
            IntakeServices(
                services.session_factory, services.clock, services.login, getattr(services, "gateway", None)
            ),
            window.workers,
        )
        self.dashboard = DashboardPanel(
            DashboardServices(services.session_factory, services.clock), window.workers
        )
        # The figures count what the console's exercise-records choice says (real cases unless asked).
        self.dashboard.set_exercise_records(services.exercise_records)
        services.exercise_records_changed.connect(self.dashboard.set_exercise_records)
        page = window.everyday_page
        self.intake_tab = page.add_panel(self.intake, self.tr("Intake"))
        self.dashboard_tab = page.add_panel(self.dashboard, self.tr("Dashboard"))
        window.map.point_clicked.connect(self.intake.on_map_point)
        window.map.selection_changed.connect(self.intake.on_map_selection)
        window.loaded.connect(self._on_loaded)
        self.intake.case_reported.connect(self._on_case_reported)
        self.intake.preview_changed.connect(self._on_preview_changed)

    def show_intake(self) -> None:
        self.window.everyday_page.tabs.setCurrentIndex(self.intake_tab)

    def show_dashboard(self) -> None:
        self.window.everyday_page.tabs.setCurrentIndex(self.dashboard_tab)

    def _on_loaded(self) -> None:
        if self.window.snapshot is not None:
            self.intake.set_snapshot(self.window.snapshot)

    def _on_preview_changed(self, preview: RoutingPreview | None) -> None:
        """A typed place shows on the map: its cell outlined, flown to when out of view. A map click
        has already selected what it hit (perhaps a component), which stays."""
        window = self.window
        selection = window.map.selection
        if preview is None or window.snapshot is None or not self.intake.isVisible():
            return
        if selection is not None and (selection.kind != "cell" or selection.key == preview.cell):
            return
        window.map.select("cell", preview.cell, emit=False)
        (lx,), (ly,) = window.snapshot.to_local([preview.x], [preview.y])
        if not window.map.view_rect().contains(QPointF(float(lx), float(ly))):
            r = TYPED_VIEW_M / 2
            window.map.fly_to_city_bounds((preview.x - r, preview.y - r, preview.x + r, preview.y + r))

    def _on_case_reported(self, result: IntakeResult) -> None:
        self.window.notify(
            self.tr("Case #{id} is on record.").format(id=result.id)
            if result.duplicate_of is None
            else self.tr("Report #{id} is linked to case #{original}.").format(
                id=result.id, original=result.duplicate_of
            )
        )

    def on_journal_events(self, events: list[JournalEntry]) -> None:
        if any(e.kind.startswith("case.") for e in events):
            self.intake.refresh_duplicates()
            self.dashboard.on_journal_advanced()
