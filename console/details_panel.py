"""The side panel showing what is selected: a cell, a component, a camera, a supervisor or an area.

A mode's tools may put a control under the details (``add_footer``) and follow what is shown through
``shown`` (the status control of a component or camera does)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from console import texts
from console.emergency import texts as emergency_texts
from modes.common.escalation import IncidentLink
from modes.common.views import (
    AreaDetails,
    CameraDetails,
    CellDetails,
    CodeName,
    ComponentDetails,
    SupervisorDetails,
)

Row = tuple[str, str]


def _cn(value: CodeName | None) -> str:
    return value.label() if value else "—"


def _num(n: float, digits: int = 0) -> str:
    return f"{n:,.{digits}f}"


class DetailsPanel(QFrame):
    shown = Signal(str, str)  # kind, key of what the panel now shows ("", "" when it shows nothing)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("side_panel")
        self.title = QLabel(self.tr("Selection"))
        self.title.setObjectName("panel_title")
        self.title.setWordWrap(True)
        self.hint = QLabel(self.tr("Click the map or search to see details."))
        self.hint.setObjectName("panel_hint")
        self.hint.setWordWrap(True)
        self._body = QWidget()
        self._grid = QGridLayout(self._body)
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(3)
        self._grid.setColumnStretch(1, 1)
        # The rows, then what a mode's tools show about the selection (add_below), scrolled together: the
        # panel's height is shared with the mode's page below it.
        content = QWidget()
        self._content = QVBoxLayout(content)
        self._content.setContentsMargins(0, 0, 0, 0)
        self._content.setSpacing(4)
        self._content.addWidget(self._body)
        self._content.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        self._layout = layout
        self.kind: str | None = None
        self.key: str | None = None
        self.rows: list[Row] = []
        self.sections: list[str] = []

    # --- the generic form ----------------------------------------------------------------------------

    def _show(self, kind: str, key: str, title: str, rows: list[Row | str]) -> None:
        """Rows are (label, value) pairs; a plain string starts a section."""
        self.kind, self.key = kind, key
        self.title.setText(title)
        self.hint.hide()
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # deleteLater waits for the event loop; do not show both meanwhile
                item.widget().deleteLater()
        self.rows = []
        self.sections = []
        r = 0
        for row in rows:
            if isinstance(row, str):
                self.sections.append(row)
                head = QLabel(row)
                head.setObjectName("panel_title")
                self._grid.addWidget(head, r, 0, 1, 2)
            else:
                k, v = row
                key_label = QLabel(k)
                key_label.setObjectName("detail_key")
                key_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                value = QLabel(v)
                value.setObjectName("detail_value")
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setProperty("data_text", True)  # database content, not a UI string to translate
                self._grid.addWidget(key_label, r, 0)
                self._grid.addWidget(value, r, 1)
                self.rows.append((k, v))
            r += 1
        self.shown.emit(kind, key)

    def add_footer(self, widget: QWidget) -> None:
        """A control under the details (its owner shows and hides it)."""
        self._layout.addWidget(widget)

    def add_below(self, widget: QWidget) -> None:
        """A section under the rows, scrolled with them (its owner shows and hides it)."""
        self._content.insertWidget(self._content.count() - 1, widget)

    def value_of(self, label: str) -> str | None:
        return next((v for k, v in self.rows if k == label), None)

    def clear(self) -> None:
        self._show_empty()

    def _show_empty(self) -> None:
        self.kind = self.key = None
        self.rows = []
        self.sections = []
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # deleteLater waits for the event loop; do not show both meanwhile
                item.widget().deleteLater()
        self.title.setText(self.tr("Selection"))
        self.hint.show()
        self.shown.emit("", "")

    # --- what can be shown ---------------------------------------------------------------------------

    def show_cell(self, d: CellDetails) -> None:
        rows: list[Row | str] = [
            (self.tr("Cell code"), d.code),
            (self.tr("Legacy code"), d.legacy_code or "—"),
            (self.tr("Community"), _cn(d.community)),
            (self.tr("Street"), _cn(d.street)),
            (self.tr("District"), _cn(d.district)),
            (self.tr("Supervisor"), _cn(d.supervisor)),
            (self.tr("Area"), self.tr("{n} m²").format(n=_num(d.area_m2))),
            (self.tr("Residents"), _num(d.pop_night)),
            (self.tr("Daytime population"), _num(d.pop_day)),
            (self.tr("Land use"), texts.land_use_label(d.land_use) if d.land_use else "—"),
            (self.tr("Open cases"), _num(d.open_cases)),
            self.tr("Components ({n})").format(n=_num(d.components_total)),
        ]
        rows += [(t.type_name, f"{t.count:,}  ·  {t.type_code}") for t in d.components]
        self._show("cell", d.code, self.tr("Cell {code}").format(code=d.code), rows)

    def show_component(self, d: ComponentDetails) -> None:
        rows: list[Row | str] = [
            (self.tr("Component id"), d.id),
            (self.tr("Legacy id"), d.legacy_id or "—"),
            (self.tr("Name"), d.name),
            (self.tr("Type"), f"{d.type_name} ({d.type_code})"),
            (self.tr("Type code GB/T 47678.5"), d.gb_type_code or "—"),
            (self.tr("Type code CJ/T 214"), d.legacy_type_code or "—"),
            (self.tr("Major class"), texts.component_major_label(d.major_name)),
            (self.tr("State"), texts.component_state_label(d.state)),
            (self.tr("Owner"), _cn(d.owner)),
            (self.tr("Property"), _cn(d.property_owner)),
            (self.tr("Maintenance"), _cn(d.maintainer)),
            (self.tr("Cell"), d.cell_code),
            (self.tr("Registered"), d.init_date.isoformat()),
            (self.tr("Last change"), d.change_date.isoformat() if d.change_date else "—"),
            (self.tr("Data source"), d.data_source),
            (self.tr("Open cases"), _num(d.open_cases)),
            (self.tr("Position"), f"{d.x:,.1f}, {d.y:,.1f}"),
        ]
        if d.note:
            rows.append((self.tr("Note"), d.note))
        self._show("component", d.id, self.tr("Component {id}").format(id=d.id), rows)

    def show_camera(self, d: CameraDetails) -> None:
        rows: list[Row | str] = [
            (self.tr("Camera id"), d.id),
            (self.tr("Name"), d.name or "—"),
            (self.tr("Status"), texts.camera_status_label(d.status)),
            (self.tr("Placed at"), texts.camera_place_label(d.place)),
            (self.tr("Stream"), d.stream_url or "—"),
            (self.tr("Heading"), self.tr("{deg}° from north").format(deg=f"{d.heading_deg:.0f}")),
            (
                self.tr("Field of view"),
                self.tr("{deg}°, {range} m").format(deg=f"{d.fov_deg:.0f}", range=f"{d.range_m:.0f}"),
            ),
            (self.tr("Cell"), d.cell_code or "—"),
            (self.tr("Community"), _cn(d.community)),
            self.tr("What it sees"),
            (self.tr("Cells in view"), _num(d.cells_seen)),
            (self.tr("Components in view"), _num(d.components_seen_total)),
        ]
        rows += [(t.type_name, f"{t.count:,}  ·  {t.type_code}") for t in d.components_seen[:8]]
        self._show("camera", d.id, self.tr("Camera {id}").format(id=d.id), rows)

    def show_supervisor(self, d: SupervisorDetails) -> None:
        rows: list[Row | str] = [
            (self.tr("Supervisor code"), d.code),
            (self.tr("Name"), d.name),
            (self.tr("District"), _cn(d.district)),
            (self.tr("Device"), d.device_id or "—"),
            (self.tr("Cells in patch"), _num(d.cells)),
            (
                self.tr("Position"),
                self.tr("last reported {when}").format(when=d.last_seen.strftime("%Y-%m-%d %H:%M"))
                if d.has_fix and d.last_seen
                else self.tr("centre of patch (no report yet)"),
            ),
        ]
        self._show("supervisor", str(d.id), self.tr("Supervisor {name}").format(name=d.name), rows)

    def show_area(self, d: AreaDetails) -> None:
        level = {
            "district": self.tr("District"),
            "street": self.tr("Street"),
            "community": self.tr("Community"),
        }[d.level]
        rows: list[Row | str] = [
            (self.tr("Code"), d.code),
            (self.tr("Name"), d.name),
            (self.tr("Part of"), _cn(d.parent)),
            (self.tr("Cells"), _num(d.cells)),
            (self.tr("Area"), self.tr("{n} km²").format(n=_num(d.area_m2 / 1e6, 2))),
            (self.tr("Residents"), _num(d.pop_night)),
            (self.tr("Daytime population"), _num(d.pop_day)),
            (self.tr("Components"), _num(d.components)),
        ]
        self._show(d.level, d.code, f"{level} · {d.name}", rows)

    def show_incident(self, link: IncidentLink, case_id: int) -> None:
        """The incident an everyday case was escalated to, as it stands now: its summary while the
        emergency page is not on screen (it shows the incident in full in emergency mode)."""
        when = lambda t: t.strftime("%Y-%m-%d %H:%M") if t is not None else "—"  # noqa: E731
        rows: list[Row | str] = [
            (self.tr("Incident"), f"#{link.id} · {emergency_texts.type_label(link.type_code)}"),
            (self.tr("Title"), link.title or "—"),
            (self.tr("Level now"), emergency_texts.level_label(link.level)),
            (self.tr("Status now"), emergency_texts.status_label(link.status)),
            (self.tr("Commander"), link.commander or "—"),
            (self.tr("Opened"), when(link.opened_at)),
            (self.tr("Closed"), when(link.closed_at)),
            (
                self.tr("Escalated"),
                self.tr("{when} by {who}, at {level}").format(
                    when=when(link.escalated_at),
                    who=link.escalated_by,
                    level=emergency_texts.level_label(link.level_at_escalation),
                ),
            ),
            (self.tr("From case"), str(case_id)),
            self.tr("The emergency page shows the incident in full while the city is in emergency mode."),
        ]
        if link.exercise:
            rows.insert(0, (self.tr("Exercise"), self.tr("yes: a drill's incident, not a real one")))
        self._show("incident", str(link.id), self.tr("Incident #{id}").format(id=link.id), rows)

    def show_missing(self, kind: str, key: str) -> None:
        self._show(kind, key, self.tr("Not found"), [(self.tr("Key"), key)])
