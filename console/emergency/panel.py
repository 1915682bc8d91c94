"""The emergency rescue console: incident list, opening and escalating, impact, resources and tasks,
the command record (log, ICS positions, briefing, timeline replay), and the map's emergency layers.

``EmergencyConsole`` holds the selected incident and the last ``IncidentBoard``; the four panels are
thin views over it (tabs of the mode's page). Reads and writes run in the window's worker pool and
come back as signals; every write is one ``EmergencyServices`` method, made as the login's actor and
role, and refused writes show the rules' reason. A role that may not act sees the buttons disabled
with the reason beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import texts as common_texts
from console.emergency import texts
from console.emergency.services import (
    AREA_ROLES,
    COMMAND_ROLES,
    DISPATCH_ROLES,
    EmergencyServices,
    drawn_polygon,
    refusal_text,
    site_of,
)
from console.emergency.tables import (
    IncidentTableModel,
    TaskTableModel,
    camera_model,
    cases_model,
    departments_model,
    log_model,
    places_model,
    roles_model,
    suggestion_model,
    timeline_model,
)
from console.exercises.texts import STAMP
from console.map.draw_tool import PolygonDrawTool
from console.room import columns_fit_contents, room_for_placeholder
from data.emergency_models import IncidentStatus, TaskStatus
from data.geometry import GeometryError
from modes.common.mode_switch import Mode
from modes.emergency.dispatch import TASK_STEPS
from modes.emergency.incidents import OPEN_ROLES, STATUS_STEPS
from modes.emergency.queries import IncidentBoard
from modes.emergency.types import INCIDENT_TYPES, incident_type

STATUS_ACTIONS = (  # (target status, button object name)
    (IncidentStatus.RESPONDING.value, "status_responding"),
    (IncidentStatus.CONTAINED.value, "status_contained"),
    (IncidentStatus.CLOSED.value, "status_closed"),
)
LEVEL_RANK = {"I": 0, "II": 1, "III": 2, "IV": 3}
TASK_ACTIONS = (
    (TaskStatus.EN_ROUTE.value, "task_en_route"),
    (TaskStatus.ON_SCENE.value, "task_on_scene"),
    (TaskStatus.DONE.value, "task_done"),
    (TaskStatus.CANCELLED.value, "task_cancelled"),
)
# What a drawing on the map is for: the open form's area and cordons, or the selected incident's.
FORM_DRAWINGS = ("new_area", "new_inner", "new_outer")
INCIDENT_DRAWINGS = {"area": "area", "inner": "inner_cordon", "outer": "outer_cordon"}  # -> change_area
# The rules' names of what is drawn: a refusal is in the rules' own words, whatever the console's language.
RULE_NAMES = {"area": "the incident area", "inner": "the inner cordon", "outer": "the outer cordon"}


def _table(model, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    columns_fit_contents(view)
    view.setAlternatingRowColors(False)
    return view


def _hint(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("panel_hint")
    label.setWordWrap(True)
    label.setProperty("role_name", name)
    return label


def _radius(name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setObjectName(name)
    box.setRange(1, 50_000)
    box.setDecimals(0)
    box.setSingleStep(10)
    return box


def _selected_row(view: QTableView) -> int:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return rows[0].row() if rows else -1


def _roles_text(allowed) -> str:
    return ", ".join(common_texts.role_label(r.value) for r in sorted(allowed, key=lambda r: r.value))


# --- the coordinator ------------------------------------------------------------------------------------


class EmergencyConsole(QObject):
    """The selected incident, the last board, and the writes; panels and the map follow its signals."""

    board_changed = Signal(object)  # IncidentBoard
    suggestions_changed = Signal(object)  # tuple[Suggestion, ...]
    message_shown = Signal(str, bool)  # text, is_error
    written = Signal(str)  # the write that succeeded (its service method's name)
    refused = Signal(str)  # the reason a write was refused
    location_picked = Signal(float, float)  # city CRS
    open_here_requested = Signal(float, float)  # city CRS: open an incident there (the map's right-click)
    shape_drawn = Signal(str, object)  # what for (FORM_DRAWINGS), the corners (city CRS), checked valid

    def __init__(self, services: EmergencyServices, workers, map_panel=None, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self.workers = workers
        self.map = map_panel
        self.selected_id: int | None = None
        self.status_filter: str | None = None
        self.board: IncidentBoard | None = None
        self.suggestions: tuple = ()
        self.need: str | None = None
        self.last_message = ""
        self.active = False  # the city is in emergency mode: keep the board fresh
        self.picking = False  # the next map click is an incident's location
        self.drawing: str | None = None  # what the polygon being drawn on the map is for
        self._drawing_for: int | None = None  # the incident a cordon or area is redrawn for
        self._loading = False
        self._again = False
        self._fly_to_selected = False
        self._suggested_for: int | None = None  # the incident the suggestions are for
        self._suggestion_serial = 0
        self.replay_moment = None  # the replay step the map shows (an IncidentMoment), None: as now
        self.panels: tuple[QWidget, ...] = ()
        self.draw_tool: PolygonDrawTool | None = None
        if map_panel is not None:
            map_panel.view.scene().sigMouseClicked.connect(self._on_map_clicked)
            self.draw_tool = PolygonDrawTool(map_panel, self)
            self.draw_tool.drawn.connect(self._on_drawn)
            self.draw_tool.cancelled.connect(self._on_draw_cancelled)

    # --- reading ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the board in a worker; a refresh asked for while one runs happens right after it."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        incident_id, status = self.selected_id, self.status_filter
        self.workers.submit(lambda: self.services.board(incident_id, status), self._on_board, self._on_failed)

    def _on_board(self, board: IncidentBoard) -> None:
        self._loading = False
        if self.selected_id is None and board.incidents:
            # The most serious open incident first (level I before IV), the newest among equals.
            open_ones = [v for v in board.incidents if v.status != IncidentStatus.CLOSED.value]
            first = min(open_ones or board.incidents, key=lambda v: (LEVEL_RANK.get(v.level, 9), -v.id))
            self.selected_id = first.id
            self._fly_to_selected = True
            self._again = True  # the board of the chosen incident
        self.board = board
        self._draw_map(board)
        self.board_changed.emit(board)
        if self._fly_to_selected and board.selected is not None and board.impact is not None:
            self._fly_to_selected = False
            self.fly_to_incident()
        if self._again:
            self._again = False
            self.refresh()
        elif board.selected is not None and self._suggested_for != board.selected.id:
            self.load_suggestions(self.need)

    def _on_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.show_message(refusal_text(exc), error=True)

    def select(self, incident_id: int | None) -> None:
        if incident_id == self.selected_id:
            return
        self.selected_id = incident_id
        self.replay_moment = None  # another incident: the map shows now until its replay is moved
        self.suggestions = ()
        self._suggested_for = None
        self.suggestions_changed.emit(())
        self._fly_to_selected = True
        self.refresh()

    def set_status_filter(self, status: str | None) -> None:
        self.status_filter = status or None
        self.refresh()

    def load_suggestions(self, need: str | None) -> None:
        self.need = need or None
        incident_id = self.selected_id
        if incident_id is None:
            return
        self._suggested_for = incident_id
        need = self.need
        self._suggestion_serial += 1
        serial = self._suggestion_serial
        self.workers.submit(
            lambda: self.services.suggest(incident_id, need),
            lambda found: self._on_suggestions(serial, found),
            lambda exc: self.show_message(refusal_text(exc), error=True),  # the board's load is not ours
        )

    def _on_suggestions(self, serial: int, suggestions) -> None:
        if serial != self._suggestion_serial:
            return  # an answer to an earlier question (another incident or need): a newer one is coming
        self.suggestions = tuple(suggestions)
        self.suggestions_changed.emit(self.suggestions)

    # --- writing ---------------------------------------------------------------------------------------

    def write(self, name: str, call: Callable[[], Any], done: Callable[[Any], None] | None = None) -> None:
        """Run one service write in the pool; refusals show the rules' reason, success refreshes."""

        def ok(result: Any) -> None:
            if done is not None:
                done(result)
            self._suggested_for = None  # units may have changed: suggest again with the new board
            self.written.emit(name)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._refuse(refusal_text(exc))

        self.workers.submit(call, ok, failed)

    def open_incident(self, **kw) -> None:
        if not self.services.may_open:
            reason = self.open_refusal()
            self.show_message(reason, error=True)
            self.refused.emit(reason)
            return

        def opened(view) -> None:
            self.selected_id = view.id
            self._fly_to_selected = True
            self.show_message(self.tr("Incident #{id} opened.").format(id=view.id))

        self.write("open_incident", lambda: self.services.open_incident(**kw), opened)

    def escalate_case(self, case_id: int, **kw) -> None:
        def escalated(view) -> None:
            self.selected_id = view.id
            self._fly_to_selected = True
            self.show_message(
                self.tr("Case {case} escalated to incident #{id}.").format(case=case_id, id=view.id)
            )

        self.write("escalate_case", lambda: self.services.escalate_case(case_id, **kw), escalated)

    def set_status(self, status: str, note: str = "") -> None:
        incident_id = self.selected_id
        if incident_id is not None:
            self.write("set_status", lambda: self.services.set_status(incident_id, status, note))

    def set_level(self, level: str) -> None:
        incident_id = self.selected_id
        if incident_id is not None:
            self.write("set_level", lambda: self.services.set_level(incident_id, level))

    def change_radii(self, inner_m: float, outer_m: float) -> None:
        incident_id = self.selected_id
        if incident_id is not None:
            self.write(
                "change_area",
                lambda: self.services.change_area(
                    incident_id, inner_radius_m=inner_m, outer_radius_m=outer_m
                ),
            )

    def dispatch(self, unit_id: str, instructions: str = "") -> None:
        incident_id = self.selected_id
        if incident_id is not None:
            self.write("dispatch", lambda: self.services.dispatch(incident_id, unit_id, instructions))

    def set_task_status(self, task_id: int, status: str) -> None:
        self.write("set_task_status", lambda: self.services.set_task_status(task_id, status))

    def add_log(self, text: str, task_id: int | None = None) -> None:
        incident_id = self.selected_id
        if incident_id is not None:
            self.write("add_log", lambda: self.services.add_log(incident_id, text, task_id))

    def assign_role(self, position: str, person: str, agency: str = "") -> None:
        incident_id = self.selected_id
        if incident_id is not None:
            self.write(
                "assign_role", lambda: self.services.assign_role(incident_id, position, person, agency)
            )

    def export_briefing(self, path: str | Path, done: Callable[[Path], None] | None = None) -> None:
        """Build the ICS 201 briefing in a worker; write it (HTML or PDF by suffix) on the GUI thread."""
        incident_id = self.selected_id
        if incident_id is None:
            return

        def write_file(briefing) -> None:
            try:
                written = self.services.write_briefing(briefing, path)
            except (OSError, ValueError) as exc:
                self.show_message(
                    self.tr("The briefing could not be written: {error}").format(error=exc), True
                )
                return
            self.show_message(self.tr("Briefing written to {path}.").format(path=written))
            if done is not None:
                done(written)

        self.workers.submit(lambda: self.services.briefing(incident_id), write_file, self._on_failed)

    # --- rules, for the panels -------------------------------------------------------------------------

    def open_refusal(self) -> str:
        return self.tr("Your role ({role}) may not open incidents or escalate cases: only {allowed}.").format(
            role=common_texts.role_label(self.services.login.role), allowed=_roles_text(OPEN_ROLES)
        )

    def status_refusal(self, current: str, target: str) -> str | None:
        """Why this login cannot move an incident from ``current`` to ``target`` (None: it can), in the
        console's language, from the rules' own table."""
        step = next((st for st in STATUS_STEPS if st.source == current and st.target == target), None)
        if step is None:
            return self.tr("An incident that is {current} cannot become {target}.").format(
                current=texts.status_label(current), target=texts.status_label(target)
            )
        return self._role_refusal(step.roles)

    def task_refusal(self, current: str, target: str) -> str | None:
        step = next((st for st in TASK_STEPS if st.source == current and st.target == target), None)
        if step is None:
            return self.tr("A task that is {current} cannot become {target}.").format(
                current=texts.task_status_label(current), target=texts.task_status_label(target)
            )
        return self._role_refusal(step.roles)

    def _role_refusal(self, roles) -> str | None:
        if self.services.role_allowed(roles):
            return None
        return self.tr("Your role ({role}) may not do this: only {allowed}.").format(
            role=common_texts.role_label(self.services.login.role), allowed=_roles_text(roles)
        )

    def tab_titles(self) -> tuple[str, str, str, str]:
        return (self.tr("Incidents"), self.tr("Impact"), self.tr("Resources"), self.tr("Command record"))

    def show_message(self, text: str, error: bool = False) -> None:
        self.last_message = text
        self.message_shown.emit(text, error)

    # --- the map ---------------------------------------------------------------------------------------

    def set_mode_active(self, active: bool) -> None:
        self.active = active
        if self.map is not None:
            self.map.emergency.set_mode_active(active)
        if active:
            self.refresh()

    def _origin(self) -> tuple[float, float] | None:
        snapshot = getattr(self.map, "snapshot", None)
        return tuple(snapshot.origin) if snapshot is not None else None

    def show_moment(self, moment) -> None:
        """Draw the map as at a step of the selected incident's replay (``IncidentMoment``: its level
        colour, site, cordons, units and their task states then), or as now (None)."""
        self.replay_moment = moment
        if self.board is not None:
            self._draw_map(self.board)

    def _draw_map(self, board: IncidentBoard) -> None:
        origin = self._origin()
        if origin is None:
            return
        moment = self.replay_moment
        if moment is not None:  # a replay step: that incident alone, as it stood then
            self.map.emergency.set_incidents((moment.shape,), origin)
            self.map.emergency.set_units(moment.units, origin)
            return
        self.map.emergency.set_incidents(board.shapes, origin)
        self.map.emergency.set_units(board.units, origin)

    def redraw_map(self) -> None:
        if self.board is not None:
            self._draw_map(self.board)

    def fly_to_incident(self) -> None:
        board = self.board
        if self.map is None or board is None or board.impact is None or self._origin() is None:
            return
        shape = next((s for s in board.shapes if s.id == board.selected.id), None)
        if shape is not None:
            self.map.fly_to_city_bounds(tuple(shape.outer.bounds), animate=False)

    def select_camera(self, camera_id: str) -> None:
        if self.map is not None:
            self.map.select("camera", camera_id)

    def start_picking(self) -> None:
        if self.draw_tool is not None:
            self.draw_tool.cancel()
        self.picking = True
        self.show_message(self.tr("Click on the map where the incident is."))

    def _on_map_clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton and self.active and self.services.may_open:
            p = self.map.viewbox.mapSceneToView(event.scenePos())
            menu = QMenu(self.map)
            menu.addAction(self.tr("Open an incident here…"), lambda: self.open_here_local(p.x(), p.y()))
            menu.popup(event.screenPos().toPoint())
            event.accept()
            return
        if not self.picking or event.button() != Qt.MouseButton.LeftButton:
            return
        p = self.map.viewbox.mapSceneToView(event.scenePos())
        self.pick_local(p.x(), p.y())

    def open_here_local(self, x: float, y: float) -> None:
        """The map's right-click "Open an incident here…" at map-local coordinates: the form opens with
        the place filled in (nothing is written until the form is sent)."""
        origin = self._origin()
        if origin is None:
            return
        self.picking = False
        self.open_here_requested.emit(x + origin[0], y + origin[1])
        self.location_picked.emit(x + origin[0], y + origin[1])

    def pick_local(self, x: float, y: float) -> None:
        """A location picked at map-local coordinates (what a click does)."""
        origin = self._origin()
        if origin is None:
            return
        self.picking = False
        self.location_picked.emit(x + origin[0], y + origin[1])

    # --- drawing areas and cordons -----------------------------------------------------------------------

    def _drawing_names(self) -> dict[str, str]:
        area, inner, outer = (
            self.tr("the incident area"),
            self.tr("the inner cordon"),
            self.tr("the outer cordon"),
        )
        return {
            "new_area": area, "new_inner": inner, "new_outer": outer,
            "area": area, "inner": inner, "outer": outer,
        }  # fmt: skip

    def start_drawing(self, purpose: str) -> None:
        """Draw a polygon on the map for the open form (``FORM_DRAWINGS``) or for the selected
        incident (``INCIDENT_DRAWINGS``: written as soon as the ring closes)."""
        if purpose not in FORM_DRAWINGS and purpose not in INCIDENT_DRAWINGS:
            raise ValueError(f"nothing to draw for {purpose!r}")
        if self.draw_tool is None:
            return
        if purpose in INCIDENT_DRAWINGS and self.selected_id is None:
            self.show_message(self.tr("Select an incident first."), error=True)
            return
        self.picking = False
        self.drawing = purpose
        self._drawing_for = self.selected_id if purpose in INCIDENT_DRAWINGS else None
        self.draw_tool.start()
        self.show_message(
            self.tr(
                "Draw {what} on the map: click its corners; double-click or Enter closes it, Backspace takes back a corner, Esc cancels."
            ).format(what=self._drawing_names()[purpose])
        )

    def _on_drawn(self, ring) -> None:
        purpose, incident_id = self.drawing, self._drawing_for
        self.drawing, self._drawing_for = None, None
        if purpose in FORM_DRAWINGS:
            # Judged at once, so a ring that is no polygon never sits in the form looking valid.
            try:
                drawn_polygon(ring, RULE_NAMES[purpose.removeprefix("new_")])
            except GeometryError as exc:
                self._refuse(refusal_text(exc))
                return
            self.shape_drawn.emit(purpose, tuple(ring))
            self.show_message(
                self.tr("Drawn {what}: {n} corners.").format(what=self._drawing_names()[purpose], n=len(ring))
            )
        elif purpose in INCIDENT_DRAWINGS and incident_id is not None:
            field = INCIDENT_DRAWINGS[purpose]
            self.write(
                "change_area",
                lambda: self.services.change_area(incident_id, **{field: tuple(ring)}),
                lambda _view: self.show_message(
                    self.tr("Incident #{id}: area changed.").format(id=incident_id)
                ),
            )

    def _on_draw_cancelled(self) -> None:
        self.drawing, self._drawing_for = None, None
        self.show_message(self.tr("Drawing cancelled: nothing changed."))

    def _refuse(self, reason: str) -> None:
        self.show_message(self.tr("Refused: {reason}").format(reason=reason), error=True)
        self.refused.emit(reason)


# --- incidents ------------------------------------------------------------------------------------------


class IncidentsPanel(QWidget):
    """The incident list with its status filter, the status and level actions, and the open form."""

    def __init__(self, console: EmergencyConsole, parent: QWidget | None = None):
        super().__init__(parent)
        self.console = console
        self.setObjectName("emergency_incidents")
        self.model = IncidentTableModel(self)

        self.filter_box = QComboBox()
        self.filter_box.setObjectName("incident_filter")
        self.filter_box.addItem(self.tr("All statuses"), None)
        for status in IncidentStatus:
            self.filter_box.addItem(texts.status_label(status.value), status.value)
        self.filter_box.currentIndexChanged.connect(
            lambda _i: console.set_status_filter(self.filter_box.currentData())
        )
        self.new_button = QPushButton(self.tr("New incident…"))
        self.new_button.setObjectName("new_incident")
        self.new_button.clicked.connect(self._toggle_form)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show")))
        top.addWidget(self.filter_box, 1)
        top.addWidget(self.new_button)

        self.table = _table(self.model, "incident_table")
        self.table.clicked.connect(self._on_row_clicked)
        # What to do when the list is empty, in place of an empty table.
        self.empty_hint = _hint("incidents_empty")

        self.form = OpenIncidentForm(console)
        self.form.hide()
        self.open_hint = _hint("open_hint")

        self.summary = QLabel()
        self.summary.setObjectName("incident_summary")
        self.summary.setProperty("data_text", True)  # the incident's own title, place and times
        self.summary.setWordWrap(True)
        self.status_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        labels = {
            IncidentStatus.RESPONDING.value: self.tr("Responding"),
            IncidentStatus.CONTAINED.value: self.tr("Contained"),
            IncidentStatus.CLOSED.value: self.tr("Close"),
        }
        for status, name in STATUS_ACTIONS:
            button = QPushButton(labels[status])
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, s=status: self._on_status(s))
            actions.addWidget(button)
            self.status_buttons[status] = button
        self.note = QLineEdit()
        self.note.setObjectName("status_note")
        self.note.setPlaceholderText(self.tr("Note (why: needed to resume or to close a false alarm)"))
        self.level_box = QComboBox()
        self.level_box.setObjectName("level_box")
        for level in ("I", "II", "III", "IV"):
            self.level_box.addItem(texts.level_label(level), level)
        self.level_button = QPushButton(self.tr("Set level"))
        self.level_button.setObjectName("set_level")
        self.level_button.clicked.connect(lambda: console.set_level(self.level_box.currentData()))
        level_row = QHBoxLayout()
        level_row.addWidget(self.level_box, 1)
        level_row.addWidget(self.level_button)
        self.message = QLabel()
        self.message.setObjectName("emergency_message")
        self.message.setProperty("data_text", True)  # the rules' own words
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.open_hint)
        layout.addWidget(self.form)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addLayout(level_row)
        layout.addWidget(self.message)

        console.board_changed.connect(self._on_board)
        console.message_shown.connect(self._on_message)
        console.written.connect(self._on_written)
        console.open_here_requested.connect(lambda _x, _y: self.form.show())
        self._update_permissions()
        self._on_board(None)

    def _update_permissions(self) -> None:
        allowed = self.console.services.may_open
        self.new_button.setEnabled(allowed)
        self.open_hint.setVisible(not allowed)
        if not allowed:
            reason = self.console.open_refusal()
            self.new_button.setToolTip(reason)
            self.open_hint.setText(reason)
        may_command = self.console.services.may_command
        self.level_button.setEnabled(may_command)
        if not may_command:
            self.level_button.setToolTip(
                self.tr("Only {allowed} may change an incident's level.").format(
                    allowed=_roles_text(COMMAND_ROLES)
                )
            )

    def _toggle_form(self) -> None:
        self.form.setVisible(not self.form.isVisible())

    def _on_written(self, name: str) -> None:
        if name in ("open_incident", "escalate_case"):
            self.form.hide()  # done: the list and the new incident get the room back

    def _on_row_clicked(self, index) -> None:
        view = self.model.row(index.row())
        if view is not None:
            self.console.select(view.id)

    def _on_status(self, status: str) -> None:
        self.console.set_status(status, self.note.text().strip())
        self.note.clear()

    def _on_message(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #ff8a80;" if error else "")

    def empty_text(self) -> str:
        """What the empty list says: how to open an incident (or who may), or that none has the status
        the filter asks for."""
        status = self.filter_box.currentData()
        if status:
            return self.tr("No incident is {status}. Show all statuses to see the others.").format(
                status=texts.status_label(status)
            )
        if not self.console.services.may_open:
            return self.tr("No incidents.")
        return self.tr(
            "No incidents. Open one with New incident…, or in emergency mode (F3) right-click the map "
            "where it is."
        )

    def _on_board(self, board: IncidentBoard | None) -> None:
        incidents = board.incidents if board is not None else ()
        self.model.set_rows(incidents)
        empty = board is not None and not incidents
        self.empty_hint.setText(self.empty_text() if empty else "")
        self.empty_hint.setVisible(empty)
        self.table.setVisible(not empty)
        selected = board.selected if board is not None else None
        if selected is not None:
            row = self.model.row_of(selected.id)
            if row >= 0:
                self.table.selectRow(row)
            self.summary.setText(self._describe(selected, board.impact))
            self.level_box.setCurrentIndex(self.level_box.findData(selected.level))
        else:
            self.summary.setText("")
        for status, button in self.status_buttons.items():
            if selected is None:
                button.setEnabled(False)
                continue
            refusal = self.console.status_refusal(selected.status, status)
            button.setEnabled(refusal is None)
            button.setToolTip(refusal or "")
        self.level_button.setEnabled(selected is not None and self.console.services.may_command)

    def _describe(self, v, impact=None) -> str:
        mark = f"{STAMP} · " if v.exercise else ""  # a drill's incident: never to be taken for a real one
        lines = [
            f"{mark}#{v.id} {v.title} · {texts.type_label(v.type_code)} · {texts.category_label(v.category)}",
            " · ".join(
                (texts.level_label(v.level), texts.status_label(v.status), self.cordons_text(v, impact))
            ),
        ]
        if v.case_id is not None:
            lines.append(self.tr("Escalated from case {case}").format(case=v.case_id))
        if v.report_due_at is not None:
            if v.report_on_exercise_clock:
                # Its exercise's clock, not the wall clock: at 60x the four hours pass in four minutes.
                deadline = self.tr(
                    "Exercise deadline 演练时限 {time} on the exercise clock: the drill's report to the State "
                    "Council (no real report is due)"
                )
            elif v.exercise:
                deadline = self.tr(
                    "Exercise deadline 演练时限 {time}: the drill's report to the State Council (no real "
                    "report is due)"
                )
            else:
                deadline = self.tr("Report to the State Council by {time}")
            late = self.tr(" — overdue") if v.report_overdue else ""
            lines.append(deadline.format(time=v.report_due_at.strftime("%H:%M")) + late)
        return "\n".join(lines)

    def cordons_text(self, v, impact=None) -> str:
        """The cordons as they were made: radii (around the drawn area, if one is drawn), or drawn by
        hand with their areas (from the impact, once it is read)."""
        inner_m2 = impact.inner.area_m2 if impact is not None else None
        outer_m2 = impact.outer.area_m2 if impact is not None else None
        if v.inner_drawn and v.outer_drawn:
            if impact is None:
                return self.tr("cordons drawn by hand")
            return self.tr("cordons drawn by hand (inner {inner} m², outer {outer} m²)").format(
                inner=f"{inner_m2:,.0f}", outer=f"{outer_m2:,.0f}"
            )
        if v.inner_drawn or v.outer_drawn:

            def drawn(m2: float | None) -> str:
                if m2 is None:
                    return self.tr("drawn by hand")
                return self.tr("drawn by hand ({n} m²)").format(n=f"{m2:,.0f}")

            def radius(m: float) -> str:
                return self.tr("{m} m").format(m=f"{m:g}")

            return self.tr("cordons: inner {inner}, outer {outer}").format(
                inner=drawn(inner_m2) if v.inner_drawn else radius(v.inner_radius_m),
                outer=drawn(outer_m2) if v.outer_drawn else radius(v.outer_radius_m),
            )
        if v.area_wkt:
            return self.tr("cordons {inner:g} m / {outer:g} m around the drawn area").format(
                inner=v.inner_radius_m, outer=v.outer_radius_m
            )
        return self.tr("cordons {inner:g} m / {outer:g} m").format(
            inner=v.inner_radius_m, outer=v.outer_radius_m
        )


class OpenIncidentForm(QGroupBox):
    """Open an incident (type, level, place by map click or coordinates, cordons, commander), or
    escalate an everyday case to one in one action."""

    def __init__(self, console: EmergencyConsole, parent: QWidget | None = None):
        super().__init__(parent)
        self.console = console
        self.setTitle(self.tr("Open an incident"))
        self.setObjectName("open_incident_form")
        self.type_box = QComboBox()
        self.type_box.setObjectName("incident_type")
        for kind in INCIDENT_TYPES:
            self.type_box.addItem(
                f"{texts.type_label(kind.code)} · {texts.category_label(kind.category.value)}", kind.code
            )
        self.type_box.currentIndexChanged.connect(self._on_type_changed)
        self.level_box = QComboBox()
        self.level_box.setObjectName("incident_level")
        for level in ("I", "II", "III", "IV"):
            self.level_box.addItem(texts.level_label(level), level)
        self.level_box.setCurrentIndex(3)
        self.x_box = self._coordinate("incident_x")
        self.y_box = self._coordinate("incident_y")
        self.pick_button = QPushButton(self.tr("Pick on map"))
        self.pick_button.setObjectName("pick_location")
        self.pick_button.clicked.connect(console.start_picking)
        where = QHBoxLayout()
        where.addWidget(self.x_box)
        where.addWidget(self.y_box)
        where.addWidget(self.pick_button)
        # A drawn area (and cordons) instead of the point: the area's centre becomes the site.
        self.drawn: dict[str, tuple[tuple[float, float], ...]] = {}
        self.draw_buttons: dict[str, QPushButton] = {}
        drawing = QGridLayout()  # two by two: four buttons in a row do not fit the side panel
        for i, (purpose, name, label) in enumerate(
            (
                ("new_area", "draw_area", self.tr("Draw area")),
                ("new_inner", "draw_new_inner", self.tr("Draw inner cordon")),
                ("new_outer", "draw_new_outer", self.tr("Draw outer cordon")),
            )
        ):
            button = QPushButton(label)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, p=purpose: console.start_drawing(p))
            drawing.addWidget(button, *((0, 0), (1, 0), (1, 1))[i])
            self.draw_buttons[purpose] = button
        self.clear_drawn_button = QPushButton(self.tr("Clear drawing"))
        self.clear_drawn_button.setObjectName("clear_drawn")
        self.clear_drawn_button.clicked.connect(self.clear_drawings)
        drawing.addWidget(self.clear_drawn_button, 0, 1)
        self.drawn_label = QLabel()
        self.drawn_label.setObjectName("drawn_summary")
        self.drawn_label.setWordWrap(True)
        self.inner_box = _radius("inner_radius")
        self.outer_box = _radius("outer_radius")
        radii = QHBoxLayout()
        radii.addWidget(self.inner_box)
        radii.addWidget(self.outer_box)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("incident_title")
        self.title_edit.setPlaceholderText(self.tr("Short title (optional)"))
        self.commander_edit = QLineEdit()
        self.commander_edit.setObjectName("incident_commander")
        self.commander_edit.setPlaceholderText(self.tr("Commander (default: you)"))
        self.exercise_box = QCheckBox(self.tr("Exercise (a drill, not a real incident)"))
        self.exercise_box.setObjectName("incident_exercise")
        self.open_button = QPushButton(self.tr("Open incident"))
        self.open_button.setObjectName("open_incident")
        self.open_button.clicked.connect(self.submit)
        self.case_box = QSpinBox()
        self.case_box.setObjectName("case_number")
        self.case_box.setRange(0, 2_000_000_000)
        self.case_box.setSpecialValueText(self.tr("case no."))
        self.escalate_button = QPushButton(self.tr("Escalate case"))
        self.escalate_button.setObjectName("escalate_case")
        self.escalate_button.clicked.connect(self.escalate)
        escalate = QHBoxLayout()
        escalate.addWidget(self.case_box, 1)
        escalate.addWidget(self.escalate_button)

        form = QFormLayout(self)
        # A row too wide for the column puts its field under its label: the form fits the side panel
        # rather than widen it (and narrow the map) when it opens.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("Type"), self.type_box)
        form.addRow(self.tr("Level"), self.level_box)
        form.addRow(self.tr("Location (X, Y)"), where)
        form.addRow(self.tr("Or draw"), drawing)
        form.addRow("", self.drawn_label)
        form.addRow(self.tr("Cordons inner / outer (m)"), radii)
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Commander"), self.commander_edit)
        form.addRow(self.exercise_box)  # the whole row: its text is longer than a field
        form.addRow("", self.open_button)
        form.addRow(self.tr("Or escalate"), escalate)
        console.location_picked.connect(self.set_location)
        console.shape_drawn.connect(self._on_shape_drawn)
        console.written.connect(lambda name: self.clear_drawings() if name == "open_incident" else None)
        self._on_type_changed()
        self._update_drawn()

    @staticmethod
    def _coordinate(name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(-1e8, 1e8)
        box.setDecimals(1)
        box.setProperty("data_text", True)
        return box

    def _on_type_changed(self, *_args) -> None:
        kind = incident_type(self.type_box.currentData())
        self.inner_box.setValue(kind.inner_m)
        self.outer_box.setValue(kind.outer_m)

    def set_location(self, x: float, y: float) -> None:
        """A picked point: it replaces a drawn area (drawn cordons stay: they need no area)."""
        self.drawn.pop("new_area", None)
        self._update_drawn()
        self.x_box.setValue(x)
        self.y_box.setValue(y)

    def _on_shape_drawn(self, purpose: str, ring) -> None:
        if purpose not in FORM_DRAWINGS:
            return
        self.drawn[purpose] = tuple(ring)
        if purpose == "new_area":
            x, y = site_of(drawn_polygon(ring, "the incident area"))
            self.x_box.setValue(x)
            self.y_box.setValue(y)
        self._update_drawn()

    def clear_drawings(self) -> None:
        self.drawn.clear()
        self._update_drawn()

    def _update_drawn(self) -> None:
        names = {
            "new_area": self.tr("area"),
            "new_inner": self.tr("inner cordon"),
            "new_outer": self.tr("outer cordon"),
        }
        parts = [
            self.tr("{what} ({n} corners)").format(what=names[p], n=len(self.drawn[p]))
            for p in FORM_DRAWINGS
            if p in self.drawn
        ]
        self.drawn_label.setText(self.tr("Drawn: {parts}").format(parts="; ".join(parts)) if parts else "")
        self.drawn_label.setVisible(bool(parts))
        self.clear_drawn_button.setEnabled(bool(parts))
        self.pick_button.setToolTip(
            self.tr("The drawn area's centre is the site; picking a point replaces the area.")
            if "new_area" in self.drawn
            else ""
        )

    def set_case(self, case_id: int) -> None:
        """The everyday case selected elsewhere in the console, ready to escalate."""
        self.case_box.setValue(int(case_id))

    def choose(self, type_code: str, level: str) -> None:
        self.type_box.setCurrentIndex(self.type_box.findData(type_code))
        self.level_box.setCurrentIndex(self.level_box.findData(level))

    def submit(self) -> None:
        self.console.open_incident(
            type_code=self.type_box.currentData(),
            level=self.level_box.currentData(),
            x=self.x_box.value(),
            y=self.y_box.value(),
            inner_radius_m=self.inner_box.value(),
            outer_radius_m=self.outer_box.value(),
            title=self.title_edit.text().strip(),
            commander=self.commander_edit.text().strip(),
            area=self.drawn.get("new_area"),
            inner_cordon=self.drawn.get("new_inner"),
            outer_cordon=self.drawn.get("new_outer"),
            exercise=self.exercise_box.isChecked(),
        )

    def escalate(self) -> None:
        if self.case_box.value() <= 0:
            self.console.show_message(self.tr("Enter the number of the case to escalate."), error=True)
            return
        if not self.console.services.may_open:
            self.console.open_incident()  # refused with the reason, as opening is
            return
        self.console.escalate_case(self.case_box.value(), level=self.level_box.currentData())


# --- impact ---------------------------------------------------------------------------------------------


class ImpactPanel(QWidget):
    """What the selected incident touches, recomputed whenever its area changes."""

    def __init__(self, console: EmergencyConsole, parent: QWidget | None = None):
        super().__init__(parent)
        self.console = console
        self.setObjectName("emergency_impact")
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        tiles = [
            ("cells", self.tr("Affected cells")),
            ("communities", self.tr("Communities")),
            ("population", self.tr("People (outer cordon)")),
            ("inner_population", self.tr("People (inner cordon)")),
            ("components", self.tr("Components")),
            ("cameras", self.tr("Cameras seeing it")),
            ("open_cases", self.tr("Open cases inside")),
            ("places", self.tr("Shelters / hospitals nearby")),
        ]
        for i, (key, name) in enumerate(tiles):
            value = QLabel("—")
            value.setObjectName("stat_value")
            value.setProperty("data_text", True)
            caption = QLabel(name)
            caption.setObjectName("stat_name")
            r, c = divmod(i, 2)
            grid.addWidget(value, 2 * r, c)
            grid.addWidget(caption, 2 * r + 1, c)
            self.values[key] = value
        self.departments = departments_model(self)
        self.departments_view = _table(self.departments, "impact_departments")
        self.cameras = camera_model(self)
        self.cameras_view = _table(self.cameras, "impact_cameras")
        self.cameras_view.clicked.connect(self._on_camera_clicked)
        self.places = places_model(self)
        self.places_view = _table(self.places, "impact_places")
        self.cases = cases_model(self)
        self.cases_view = _table(self.cases, "impact_cases")

        self.inner_box = _radius("area_inner")
        self.outer_box = _radius("area_outer")
        self.area_button = QPushButton(self.tr("Change cordons"))
        self.area_button.setObjectName("change_area")
        self.area_button.clicked.connect(
            lambda: console.change_radii(self.inner_box.value(), self.outer_box.value())
        )
        area = QHBoxLayout()
        area.addWidget(QLabel(self.tr("Cordons (m)")))
        area.addWidget(self.inner_box)
        area.addWidget(self.outer_box)
        area.addWidget(self.area_button)
        self.draw_buttons: dict[str, QPushButton] = {}
        redraw = QHBoxLayout()
        for purpose, name, label in (
            ("area", "redraw_area", self.tr("Redraw area")),
            ("inner", "draw_inner", self.tr("Draw inner cordon")),
            ("outer", "draw_outer", self.tr("Draw outer cordon")),
        ):
            button = QPushButton(label)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, p=purpose: console.start_drawing(p))
            redraw.addWidget(button)
            self.draw_buttons[purpose] = button
            if not console.services.may_change_area:  # say why before the user draws in vain
                button.setToolTip(
                    self.tr("Only {allowed} may change an incident's area.").format(
                        allowed=_roles_text(AREA_ROLES)
                    )
                )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(grid)
        layout.addLayout(area)
        layout.addLayout(redraw)
        for title, view in (
            (self.tr("Components by owner department"), self.departments_view),
            (self.tr("Cameras covering the area (nearest first; click to view)"), self.cameras_view),
            (self.tr("Shelters and hospitals nearby"), self.places_view),
            (self.tr("Open everyday cases inside"), self.cases_view),
        ):
            caption = QLabel(title)
            caption.setObjectName("panel_title")
            layout.addWidget(caption)
            layout.addWidget(view, 1)
        console.board_changed.connect(self._on_board)

    def _on_board(self, board: IncidentBoard) -> None:
        selected = board.selected if board is not None else None
        may_draw = (
            selected is not None
            and selected.status != IncidentStatus.CLOSED.value
            and self.console.services.may_change_area
        )
        for button in self.draw_buttons.values():
            button.setEnabled(may_draw)
        impact = board.impact if board is not None else None
        if impact is None:
            for label in self.values.values():
                label.setText("—")
            for model in (self.departments, self.cameras, self.places, self.cases):
                model.set_rows(())
            return
        summary = impact.summary()
        self.values["cells"].setText(f"{summary['cells']:,}")
        self.values["communities"].setText(f"{summary['communities']:,}")
        self.values["population"].setText(f"{summary['population']:,}")
        basis = "inner_pop_day" if impact.population_basis == "day" else "inner_pop_night"
        self.values["inner_population"].setText(f"{summary[basis]:,}")
        self.values["components"].setText(f"{summary['components']:,}")
        self.values["cameras"].setText(f"{summary['cameras']:,}")
        self.values["open_cases"].setText(f"{summary['open_cases']:,}")
        self.values["places"].setText(f"{summary['shelters_nearby']} / {summary['hospitals_nearby']}")
        self.departments.set_rows(impact.components)
        self.cameras.set_rows(impact.cameras)
        self.places.set_rows(impact.shelters + impact.hospitals)
        self.cases.set_rows(impact.open_cases)
        if board.selected is not None:
            self.inner_box.setValue(board.selected.inner_radius_m)
            self.outer_box.setValue(board.selected.outer_radius_m)

    def _on_camera_clicked(self, index) -> None:
        camera = self.cameras.row(index.row())
        if camera is not None:
            self.console.select_camera(camera.id)


# --- resources and tasks --------------------------------------------------------------------------------


class ResourcesPanel(QWidget):
    """Suggested units with their ETA (filtered by the capability needed), dispatch, and the task board."""

    def __init__(self, console: EmergencyConsole, parent: QWidget | None = None):
        super().__init__(parent)
        self.console = console
        self.setObjectName("emergency_resources")
        self.need_box = QComboBox()
        self.need_box.setObjectName("need_box")
        self.need_box.addItem(self.tr("What the incident type needs"), None)
        self.need_box.addItem(self.tr("Any capability"), "any")
        for cap in texts.CAPABILITIES:
            self.need_box.addItem(texts.capability_label(cap), cap)
        self.need_box.currentIndexChanged.connect(
            lambda _i: console.load_suggestions(self.need_box.currentData())
        )
        self.suggestions = suggestion_model(self)
        self.suggestions_view = _table(self.suggestions, "suggestions")
        self.instructions = QLineEdit()
        self.instructions.setObjectName("instructions")
        self.instructions.setPlaceholderText(self.tr("Instructions for the unit (optional)"))
        self.dispatch_button = QPushButton(self.tr("Dispatch"))
        self.dispatch_button.setObjectName("dispatch")
        self.dispatch_button.clicked.connect(self._on_dispatch)
        self.dispatch_hint = _hint("dispatch_hint")
        if not console.services.may_dispatch:
            self.dispatch_hint.setText(
                self.tr("Your role ({role}) may not dispatch units: only {allowed}.").format(
                    role=common_texts.role_label(console.services.login.role),
                    allowed=_roles_text(DISPATCH_ROLES),
                )
            )
        self.dispatch_hint.setVisible(not console.services.may_dispatch)

        self.tasks = TaskTableModel(self)
        self.tasks_view = _table(self.tasks, "task_board")
        self.tasks_view.clicked.connect(lambda _i: self._update_task_buttons())
        self.task_buttons: dict[str, QPushButton] = {}
        labels = {
            TaskStatus.EN_ROUTE.value: self.tr("En route"),
            TaskStatus.ON_SCENE.value: self.tr("On scene"),
            TaskStatus.DONE.value: self.tr("Done"),
            TaskStatus.CANCELLED.value: self.tr("Cancel"),
        }
        task_row = QHBoxLayout()
        for status, name in TASK_ACTIONS:
            button = QPushButton(labels[status])
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, s=status: self._on_task_status(s))
            task_row.addWidget(button)
            self.task_buttons[status] = button
        self.overdue_label = QLabel()
        self.overdue_label.setObjectName("overdue_label")
        self.overdue_label.setProperty("data_text", True)

        need_row = QHBoxLayout()
        need_row.addWidget(QLabel(self.tr("Need")))
        need_row.addWidget(self.need_box, 1)
        dispatch_row = QHBoxLayout()
        dispatch_row.addWidget(self.instructions, 1)
        dispatch_row.addWidget(self.dispatch_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        title = QLabel(self.tr("Nearest suitable units (straight-line ETA)"))
        title.setObjectName("panel_title")
        layout.addWidget(title)
        layout.addLayout(need_row)
        layout.addWidget(self.suggestions_view, 1)
        layout.addLayout(dispatch_row)
        layout.addWidget(self.dispatch_hint)
        board_title = QLabel(self.tr("Task board"))
        board_title.setObjectName("panel_title")
        layout.addWidget(board_title)
        layout.addWidget(self.tasks_view, 1)
        layout.addWidget(self.overdue_label)
        layout.addLayout(task_row)
        console.board_changed.connect(self._on_board)
        console.suggestions_changed.connect(self._on_suggestions)
        self._update_task_buttons()
        self._on_suggestions(())

    def _on_suggestions(self, suggestions) -> None:
        self.suggestions.set_rows(suggestions)
        if suggestions:
            self.suggestions_view.selectRow(0)
        self.dispatch_button.setEnabled(bool(suggestions) and self.console.services.may_dispatch)

    def selected_unit(self):
        row = _selected_row(self.suggestions_view)
        return self.suggestions.row(row if row >= 0 else 0)

    def _on_dispatch(self) -> None:
        unit = self.selected_unit()
        if unit is not None:
            self.console.dispatch(unit.unit_id, self.instructions.text().strip())
            self.instructions.clear()

    def _on_board(self, board: IncidentBoard) -> None:
        keep = self.selected_task()
        self.tasks.set_rows(board.tasks if board is not None else ())
        if keep is not None:
            row = next((i for i, t in enumerate(self.tasks.rows) if t.task_id == keep.task_id), -1)
            if row >= 0:
                self.tasks_view.selectRow(row)
        overdue = sum(t.overdue for t in self.tasks.rows)
        self.overdue_label.setText(self.tr("{n} overdue").format(n=overdue) if overdue else "")
        self.overdue_label.setStyleSheet("color: #ff5252; font-weight: 600;" if overdue else "")
        self._update_task_buttons()

    def selected_task(self):
        return self.tasks.row(_selected_row(self.tasks_view))

    def select_task(self, task_id: int) -> None:
        row = next((i for i, t in enumerate(self.tasks.rows) if t.task_id == task_id), -1)
        if row >= 0:
            self.tasks_view.selectRow(row)
        self._update_task_buttons()

    def _update_task_buttons(self) -> None:
        task = self.selected_task()
        for status, button in self.task_buttons.items():
            refusal = self.console.task_refusal(task.status, status) if task is not None else ""
            button.setEnabled(task is not None and refusal is None)
            button.setToolTip(refusal or "")

    def _on_task_status(self, status: str) -> None:
        task = self.selected_task()
        if task is not None:
            self.console.set_task_status(task.task_id, status)


# --- the command record ---------------------------------------------------------------------------------


class CommandPanel(QWidget):
    """Significant-events log with an add box, the incident's ICS positions, the ICS 201 briefing export
    and a replay of the incident's journal."""

    def __init__(self, console: EmergencyConsole, parent: QWidget | None = None):
        super().__init__(parent)
        self.console = console
        self.setObjectName("emergency_command")
        self.log = log_model(self)
        self.log_view = _table(self.log, "incident_log")
        self.entry = QLineEdit()
        self.entry.setObjectName("log_entry")
        self.entry.setPlaceholderText(self.tr("What happened (a significant event)"))
        self.entry.returnPressed.connect(self._on_add)
        self.add_button = QPushButton(self.tr("Add to log"))
        self.add_button.setObjectName("add_log")
        self.add_button.clicked.connect(self._on_add)
        add_row = QHBoxLayout()
        add_row.addWidget(self.entry, 1)
        add_row.addWidget(self.add_button)

        self.roles = roles_model(self)
        self.roles_view = _table(self.roles, "ics_roles")
        self.position_box = QComboBox()
        self.position_box.setObjectName("position_box")
        for position in texts.POSITION_ORDER:
            self.position_box.addItem(texts.position_label(position), position)
        self.person_edit = QLineEdit()
        self.person_edit.setObjectName("role_person")
        self.person_edit.setPlaceholderText(self.tr("Person"))
        self.agency_edit = QLineEdit()
        self.agency_edit.setObjectName("role_agency")
        self.agency_edit.setPlaceholderText(self.tr("Agency"))
        for edit in (self.person_edit, self.agency_edit):
            room_for_placeholder(edit)
        self.assign_button = QPushButton(self.tr("Assign"))
        self.assign_button.setObjectName("assign_role")
        self.assign_button.clicked.connect(self._on_assign)
        self.assign_button.setEnabled(console.services.may_command)
        if not console.services.may_command:
            self.assign_button.setToolTip(
                self.tr("Only {allowed} may assign ICS positions.").format(allowed=_roles_text(COMMAND_ROLES))
            )
        assign_row = QHBoxLayout()
        assign_row.addWidget(self.position_box)
        assign_row.addWidget(self.person_edit, 1)
        assign_row.addWidget(self.agency_edit, 1)
        assign_row.addWidget(self.assign_button)

        self.export_button = QPushButton(self.tr("Export briefing (ICS 201)…"))
        self.export_button.setObjectName("export_briefing")
        self.export_button.clicked.connect(self._on_export)

        self.timeline = timeline_model(self)
        self.timeline_view = _table(self.timeline, "timeline")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline_slider")
        self.slider.setMinimum(0)
        self.slider.valueChanged.connect(self._on_step)
        self.step_label = QLabel()
        self.step_label.setObjectName("timeline_step")
        self.step_label.setProperty("data_text", True)  # the journal's own summary of the event
        self.step_label.setWordWrap(True)
        self._events: tuple = ()
        self._moments: tuple = ()  # the incident at each step (modes.emergency.replay)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for title, widget in (
            (self.tr("Significant events"), self.log_view),
            (None, add_row),
            (self.tr("Command and general staff"), self.roles_view),
            (None, assign_row),
            (None, self.export_button),
            (self.tr("Timeline replay"), self.slider),
            (None, self.step_label),
            (None, self.timeline_view),
        ):
            if title:
                caption = QLabel(title)
                caption.setObjectName("panel_title")
                layout.addWidget(caption)
            if isinstance(widget, QHBoxLayout):
                layout.addLayout(widget)
            else:
                layout.addWidget(widget, 1 if isinstance(widget, QTableView) else 0)
        console.board_changed.connect(self._on_board)

    def _on_add(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.console.add_log(text)
            self.entry.clear()

    def _on_assign(self) -> None:
        self.console.assign_role(
            self.position_box.currentData(), self.person_edit.text().strip(), self.agency_edit.text().strip()
        )

    def _on_export(self) -> None:
        if self.console.selected_id is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the incident briefing"),
            f"incident-{self.console.selected_id}-ics201.pdf",
            self.tr("PDF (*.pdf);;HTML (*.html)"),
        )
        if path:
            self.console.export_briefing(path)

    def _on_board(self, board: IncidentBoard) -> None:
        if board is None:
            return
        self.log.set_rows(board.log)
        if board.log:
            self.log_view.scrollToBottom()
        held = {r.position: r for r in board.organisation}
        self.roles.set_rows(
            [
                (p, held[p].person if p in held else "", held[p].agency if p in held else "")
                for p in texts.POSITION_ORDER
            ]
        )
        self.export_button.setEnabled(board.selected is not None)
        at_end = self.slider.value() >= self.slider.maximum()
        self._events = board.timeline
        self._moments = board.moments
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(len(self._events) - 1, 0))
        if at_end or self.slider.value() > self.slider.maximum():
            self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)
        self._on_step(self.slider.value())

    def _on_step(self, step: int) -> None:
        """Replay up to ``step``: the events so far in the list, the current one described, and the map
        as the incident stood after it (the last step is now, and the map follows the live board)."""
        shown = self._events[: step + 1] if self._events else ()
        self.timeline.set_rows(shown)
        back = step < len(self._events) - 1 and step < len(self._moments)
        moment = self._moments[step] if back else None
        if shown:
            e = shown[-1]
            text = f"{step + 1}/{len(self._events)} · {e.at:%Y-%m-%d %H:%M:%S} · {e.summary}"
            if moment is not None:
                text += "\n" + self.tr("The map shows this moment: {state}").format(
                    state=self.moment_text(moment)
                )
            self.step_label.setText(text)
            self.timeline_view.scrollToBottom()
        else:
            self.step_label.setText("")
        self.console.show_moment(moment)

    def moment_text(self, moment) -> str:
        """Level, status, cordons and units out at a replay step, in the console's language."""
        if moment.drawn:
            cordons = self.tr("cordons drawn by hand")
        else:
            cordons = self.tr("cordons {inner:g} m / {outer:g} m").format(
                inner=moment.inner_radius_m, outer=moment.outer_radius_m
            )
        units = ", ".join(f"{u.name} ({texts.task_status_label(u.status)})" for u in moment.units)
        return self.tr("level {level}, {status}, {cordons}; units out: {units}").format(
            level=moment.level,
            status=texts.status_label(moment.status),
            cordons=cordons,
            units=units or self.tr("none"),
        )


# --- installing -----------------------------------------------------------------------------------------


def install_emergency(window) -> EmergencyConsole:
    """Build the emergency console into a main window: its panels as the emergency page's tabs, its
    layers following the city's mode, its board following the journal."""
    base = window.services
    services = EmergencyServices(base.session_factory, base.clock, base.login, getattr(base, "gateway", None))
    console = EmergencyConsole(services, window.workers, window.map, window)
    page = window.page_for[Mode.EMERGENCY]
    titles = console.tab_titles()
    panels = (
        (IncidentsPanel(console), titles[0]),
        (ImpactPanel(console), titles[1]),
        (ResourcesPanel(console), titles[2]),
        (CommandPanel(console), titles[3]),
    )
    page.install_tools(list(panels))
    console.panels = tuple(w for w, _ in panels)
    console.open_here_requested.connect(lambda _x, _y: page.tabs.setCurrentWidget(console.panels[0]))
    console.message_shown.connect(lambda text, _error: window.notify(text))

    def on_mode(mode: str) -> None:
        console.set_mode_active(mode == Mode.EMERGENCY.value)

    window.mode_changed.connect(on_mode)
    window.loaded.connect(console.redraw_map)
    window.loaded.connect(lambda: console.set_mode_active(window.shows(Mode.EMERGENCY)))

    def on_journal(_old: int, _new: int) -> None:
        if console.active:
            console.refresh()

    window.watcher.journal_advanced.connect(on_journal)
    # The case selected in the everyday queue is the one "Escalate case" takes.
    queue = getattr(getattr(window, "cases", None), "queue", None)
    if queue is not None and hasattr(queue, "case_selected"):
        queue.case_selected.connect(console.panels[0].form.set_case)
    # An escalated case's link to its incident, followed from the case panel.
    case_panel = getattr(getattr(window, "cases", None), "panel", None)
    if case_panel is not None and hasattr(case_panel, "incident_requested"):
        case_panel.incident_requested.connect(lambda link: show_linked_incident(window, console, link))
    return console


def show_linked_incident(window, console: EmergencyConsole, link) -> None:
    """Follow a case's link to its incident: with the emergency page on screen (the city in emergency
    mode, or previewing it), select the incident there; otherwise show its summary beside the map,
    since the emergency page belongs to emergency mode and following a link switches no mode."""
    if window.shows(Mode.EMERGENCY) and not window.controller_shown:
        console.select(link.id)
        page = window.page_for[Mode.EMERGENCY]
        page.tabs.setCurrentWidget(console.panels[0])
        return
    case_id = window.cases.panel.case_id
    window.details.show_incident(link, case_id)
