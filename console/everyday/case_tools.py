"""Plugs the case queue and the case panel into the main window's everyday page.

The window keeps one ``CaseTools``; it owns the two panels, connects them to each other, to the map
(selecting a case flies there) and to the journal (other consoles' case actions refresh both in place).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from console.everyday.case_panel import CasePanel
from console.everyday.queue import CaseQueuePanel
from console.everyday.services import CaseServices
from modes.common.views import JournalEntry
from modes.everyday.case_detail import CaseDetail

CASE_VIEW_M = 250.0  # how much of the city around a case the map shows


class CaseTools(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.services = CaseServices.of(window.services)
        self.queue = CaseQueuePanel(self.services, window.workers)
        self.panel = CasePanel(self.services, window.workers)
        page = window.everyday_page
        self.queue_tab = page.add_panel(self.queue, self.tr("Case queue"))
        self.panel_tab = page.add_panel(self.panel, self.tr("Case"))
        self.queue.case_selected.connect(self._on_case_selected)
        self.queue.case_activated.connect(self._on_case_activated)
        self.panel.case_changed.connect(self._on_case_changed)
        # The console's one exercise-records setting decides whether exercise cases are listed.
        window.services.exercise_records_changed.connect(self.queue.set_exercise_records)
        self.queue.set_exercise_records(window.services.exercise_records)

    def open_case(self, case_id: int, *, show_panel: bool = True, fly: bool = True) -> CaseDetail | None:
        """Show a case in the case panel (and bring its tab forward), select it in the queue, fly to it."""
        detail = self.panel.show_case(case_id)
        if detail is None:
            return None
        if show_panel:
            self.window.everyday_page.tabs.setCurrentIndex(self.panel_tab)
        if self.queue.selected_case_id() != case_id:
            self.queue.select_case(case_id, announce=False)
        if fly:
            self.fly_to(detail)
        return detail

    def fly_to(self, detail: CaseDetail) -> None:
        r = CASE_VIEW_M / 2
        self.window.map.fly_to_city_bounds((detail.x - r, detail.y - r, detail.x + r, detail.y + r))
        # The case's cell outlined, without replacing what the details panel shows.
        self.window.map.select("cell", detail.cell, emit=False)

    def _on_case_selected(self, case_id: int) -> None:
        self.open_case(case_id, show_panel=False)

    def _on_case_activated(self, case_id: int) -> None:
        self.open_case(case_id, show_panel=True, fly=False)

    def _on_case_changed(self, _case_id: int) -> None:
        self.queue.refresh()

    def on_journal_events(self, events: list[JournalEntry]) -> None:
        """Another console or process changed cases: refresh both panels in place."""
        cases = {e.subject for e in events if e.kind.startswith("case.")}
        if cases:
            self.queue.refresh()
            if f"case/{self.panel.case_id}" in cases:
                self.panel.refresh()
                return
        # The shown case's incident changed level or status: the panel shows it as it stands now.
        link = self.panel.detail.incident if self.panel.detail is not None else None
        if link is not None and f"incident/{link.id}" in {e.subject for e in events}:
            self.panel.refresh()
