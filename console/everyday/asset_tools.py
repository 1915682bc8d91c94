"""Plugs the asset status control under the selection details and keeps the map's components current.

The control shows for a selected component or camera (a map click, a search). A status change, this
console's or another's (an ``asset.status`` journal event, or a component row replicated from the
node), restyles the component on the map: a lost manhole cover turns red where it lies.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from console.everyday.asset_panel import AssetStatusPanel
from console.everyday.asset_services import AssetServices, AssetStatusResult
from modes.common.city_picture import COMPONENT_STATES
from modes.common.views import JournalEntry

ASSET_KINDS = ("component", "camera")
_COMPONENT_EVENTS = ("asset.status", "component.replicated")


class AssetTools(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.services = AssetServices.of(window.services)
        self.panel = AssetStatusPanel(self.services, window.workers)
        self.panel.hide()
        window.details.add_footer(self.panel)
        window.details.shown.connect(self._on_details_shown)
        self.panel.status_changed.connect(self._on_status_changed)

    def _on_details_shown(self, kind: str, key: str) -> None:
        if kind in ASSET_KINDS and key:
            self.panel.show_asset(kind, key)
        else:
            self.panel.asset = None
            self.panel.hide()

    def _on_status_changed(self, result: AssetStatusResult) -> None:
        if result.kind == "component":
            self.restyle_components([result.id])
        details = self.window.details
        if (details.kind, details.key) == (result.kind, result.id):
            self.window.show_details(result.kind, result.id)  # its state row, as the database has it now

    def on_journal_events(self, events: list[JournalEntry]) -> None:
        ids = [
            e.subject.split("/", 1)[1]
            for e in events
            if e.kind in _COMPONENT_EVENTS and e.subject.startswith("component/")
        ]
        if ids:
            self.restyle_components(ids)

    def restyle_components(self, ids: list[str]) -> None:
        """Read the components' states and redraw them (a short indexed read, on the GUI thread)."""
        snapshot = self.window.snapshot
        if snapshot is None:
            return
        comp = snapshot.components
        for ident, state in self.services.component_states(ids).items():
            i = snapshot.component_index(ident)
            if i >= 0 and state in COMPONENT_STATES:
                comp.state_idx[i] = COMPONENT_STATES.index(state)
        self.window.map.update_component_states(np.asarray(comp.state_idx))
