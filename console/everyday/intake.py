"""The intake form: a call to the 12319 hotline (or a report from another channel) becomes a case.

The operator clicks the map or types a place (projected x/y, longitude/latitude, a cell code, a
component id or a place name) and picks the event type, or a component near the point; the cell,
community, street, district and the responsible department appear at once, routed in memory by the
form's ``IntakeContext``. Open cases of the same type nearby are listed: the report is linked to the
chosen one (the nearest by default, as the desk's rule does) or, for the roles the workflow lets undo a
link, filed as a case of its own. Submit sends one ``IntakeServices.report`` call to the worker pool.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.everyday.case_texts import channel_label, state_label
from console.everyday.intake_services import (
    ComponentOption,
    DuplicateCandidate,
    IntakeContext,
    IntakeResult,
    IntakeServices,
    RoutingPreview,
)
from console.workers import WorkerPool
from data.errors import InputError
from modes.common.city_picture import CitySnapshot, PointIndex
from modes.common.views import CodeName
from modes.everyday.cases import Channel

# The hotline first: this form is where its calls are taken.
CHANNEL_ORDER = (
    Channel.HOTLINE,
    Channel.INTERNET,
    Channel.MEDIA,
    Channel.PATROL,
    Channel.CAMERA,
    Channel.SUPERVISOR,
)
COMPONENT_NEAR_M = 15.0  # a component this close to the point is offered as what is at fault
COMPONENTS_OFFERED = 8
DUPLICATES_DEBOUNCE_MS = 200
_NUMBER = r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*(?:[,，;；\s])\s*({_NUMBER})\s*$")


def parse_coordinates(text: str) -> tuple[float, float, bool] | None:
    """Two numbers: (a, b, is_lonlat). Longitude/latitude when they fit (|a| <= 180, |b| <= 90), which
    projected metres of a city never do; None when the text is not a pair of numbers."""
    m = _PAIR.match(text)
    if not m:
        return None
    a, b = float(m.group(1)), float(m.group(2))
    return a, b, abs(a) <= 180.0 and abs(b) <= 90.0


def _cn(value: CodeName | None) -> str:
    return value.label() if value else "—"


class IntakePanel(QWidget):
    context_ready = Signal()
    preview_changed = Signal(object)  # RoutingPreview | None
    duplicates_shown = Signal()
    case_reported = Signal(object)  # IntakeResult
    report_failed = Signal(str)

    def __init__(self, services: IntakeServices, workers: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("intake_panel")
        self.services = services
        self.workers = workers
        self.context: IntakeContext | None = None
        self.snapshot: CitySnapshot | None = None
        self._components_index: PointIndex | None = None
        self.point: tuple[float, float] | None = None
        self.preview: RoutingPreview | None = None
        self.component: ComponentOption | None = None
        self.duplicates: tuple[DuplicateCandidate, ...] = ()
        self.submitting = False
        self._loading_context = False
        self._urgent_touched = False
        self._dup_request = 0
        self._component_request = 0
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(DUPLICATES_DEBOUNCE_MS)
        self._dup_timer.timeout.connect(self._fetch_duplicates)
        self._build()
        self._update_enabled()

    # --- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        body = QWidget()
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("intake_channel")
        for channel in CHANNEL_ORDER:
            self.channel_combo.addItem(channel_label(channel.value), channel.value)
        if self.services.login.role == "supervisor":
            self.channel_combo.setCurrentIndex(CHANNEL_ORDER.index(Channel.SUPERVISOR))
        form.addRow(self.tr("Channel"), self.channel_combo)

        self.place_edit = QLineEdit()
        self.place_edit.setObjectName("intake_place")
        self.place_edit.setPlaceholderText(self.tr("x, y · lon, lat · cell code · component id · place"))
        self.place_edit.setClearButtonEnabled(True)
        self.place_edit.textEdited.connect(self._on_place_edited)
        self.place_edit.returnPressed.connect(self._on_place_entered)
        self.take_clicks = QCheckBox(self.tr("Take the point from map clicks"))
        self.take_clicks.setObjectName("intake_take_clicks")
        self.take_clicks.setChecked(True)
        place = QVBoxLayout()
        place.setContentsMargins(0, 0, 0, 0)
        place.addWidget(self.place_edit)
        place.addWidget(self.take_clicks)
        form.addRow(self.tr("Place"), place)

        self.type_combo = QComboBox()
        self.type_combo.setObjectName("intake_type")
        self.type_combo.setEditable(True)
        self.type_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.type_combo.lineEdit().setPlaceholderText(self.tr("Type a code or part of a name…"))
        completer = self.type_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.type_combo.currentIndexChanged.connect(self._on_type_changed)
        self.type_combo.lineEdit().editingFinished.connect(self._on_type_text_entered)
        form.addRow(self.tr("Event type"), self.type_combo)

        self.component_combo = QComboBox()
        self.component_combo.setObjectName("intake_component")
        self.component_combo.currentIndexChanged.connect(self._on_component_changed)
        form.addRow(self.tr("Component"), self.component_combo)

        self.urgent_check = QCheckBox(self.tr("Urgent (the clock runs continuously)"))
        self.urgent_check.setObjectName("intake_urgent")
        self.urgent_check.clicked.connect(self._on_urgent_clicked)
        form.addRow("", self.urgent_check)

        self.text_edit = QPlainTextEdit()
        self.text_edit.setObjectName("intake_text")
        self.text_edit.setPlaceholderText(self.tr("What the caller says, landmarks, how to reach them"))
        self.text_edit.setFixedHeight(64)
        form.addRow(self.tr("Description"), self.text_edit)

        self.ref_edit = QLineEdit()
        self.ref_edit.setObjectName("intake_ref")
        self.ref_edit.setPlaceholderText(self.tr("Hotline ticket or other reference (optional)"))
        form.addRow(self.tr("Reference"), self.ref_edit)

        routing = QGroupBox(self.tr("Where and who"))
        routing_form = QFormLayout(routing)
        routing_form.setContentsMargins(8, 4, 8, 4)
        self.route_labels: dict[str, QLabel] = {}
        for key, caption in (
            ("cell", self.tr("Cell")),
            ("community", self.tr("Community")),
            ("street", self.tr("Street office")),
            ("district", self.tr("District")),
            ("supervisor", self.tr("Supervisor")),
            ("responsible", self.tr("Responsible")),
        ):
            label = QLabel("—")
            label.setObjectName(f"intake_route_{key}")
            label.setProperty("data_text", True)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            routing_form.addRow(caption, label)
            self.route_labels[key] = label

        dup_box = QGroupBox(self.tr("Open cases of this type nearby"))
        dup_layout = QVBoxLayout(dup_box)
        dup_layout.setContentsMargins(8, 4, 8, 4)
        self.duplicates_list = QListWidget()
        self.duplicates_list.setObjectName("intake_duplicates")
        self.duplicates_list.setMaximumHeight(84)
        self.duplicates_list.setWordWrap(True)
        self.duplicates_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.duplicates_list.currentRowChanged.connect(lambda _row: self._update_submit_text())
        self.duplicates_hint = QLabel(self.tr("None: the report opens a new case."))
        self.duplicates_hint.setObjectName("panel_hint")
        self.duplicates_hint.setWordWrap(True)
        self.separate_check = QCheckBox(self.tr("Not the same problem: file as a separate case"))
        self.separate_check.setObjectName("intake_separate")
        self.separate_check.toggled.connect(self._on_separate_toggled)
        self.separate_check.setVisible(self.services.may_file_separately())
        dup_layout.addWidget(self.duplicates_hint)
        dup_layout.addWidget(self.duplicates_list)
        dup_layout.addWidget(self.separate_check)

        self.submit_button = QPushButton(self.tr("File report"))
        self.submit_button.setObjectName("intake_submit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setObjectName("intake_clear")
        self.clear_button.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)

        self.status_label = QLabel()
        self.status_label.setObjectName("intake_status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        outer = QVBoxLayout(body)
        outer.setContentsMargins(8, 8, 8, 8)
        if not self.services.may_report():
            note = QLabel(
                self.tr("Your role ({role}) does not take reports; the form only shows the routing.").format(
                    role=texts.role_label(self.services.login.role)
                )
            )
            note.setObjectName("panel_hint")
            note.setWordWrap(True)
            outer.addWidget(note)
        outer.addLayout(form)
        outer.addWidget(routing)
        outer.addWidget(dup_box)
        outer.addLayout(buttons)
        outer.addWidget(self.status_label)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._set_component_options([])

    # --- loading -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the routing context in a worker; the form routes in memory from then on."""
        if self.context is not None or self._loading_context:
            return
        self._loading_context = True
        self.workers.submit(self.services.load_context, self._on_context, self._on_context_failed)

    def showEvent(self, event) -> None:
        # Loaded when first shown, not at startup: the grid index would compete with the map's load.
        super().showEvent(event)
        self.start()

    def _on_context_failed(self, exc: BaseException) -> None:
        self._loading_context = False
        self._on_failed(exc)

    def _on_context(self, context: IntakeContext) -> None:
        self._loading_context = False
        self.context = context
        with QSignalBlocker(self.type_combo):
            self.type_combo.clear()
            for t in context.event_types:
                self.type_combo.addItem(t.label(), t.code)
            self.type_combo.setCurrentIndex(-1)
        self._update_enabled()
        if self.point is not None:
            self._update_preview()
        self.context_ready.emit()

    def set_snapshot(self, snapshot: CitySnapshot) -> None:
        self.snapshot = snapshot
        comp = snapshot.components
        self._components_index = PointIndex(comp.x, comp.y)

    # --- the point ---------------------------------------------------------------------------------

    def on_map_point(self, x: float, y: float) -> None:
        """A map click (city CRS): the point, while the form is on screen and takes clicks."""
        if self.isVisible() and self.take_clicks.isChecked():
            self.set_point(x, y)

    def on_map_selection(self, selection) -> None:
        """A component picked on the map is what is at fault."""
        if (
            selection is not None
            and selection.kind == "component"
            and self.isVisible()
            and self.take_clicks.isChecked()
        ):
            self.choose_component(selection.key)

    def set_point(self, x: float, y: float, *, show: bool = True) -> bool:
        """Put the report at (x, y), city CRS; False (with the reason shown) when it is outside the city."""
        if self.context is not None:
            try:
                self.context.locate(x, y)
            except InputError as exc:
                self._show_error(str(exc))
                return False
        self.point = (x, y)
        if show:
            self.place_edit.setText(f"{x:.1f}, {y:.1f}")
        self.status_label.clear()
        self._set_component_options(self._components_near(x, y))
        self._update_preview()
        return True

    def _on_place_edited(self, text: str) -> None:
        parsed = parse_coordinates(text)
        if parsed is None or self.context is None:
            return
        a, b, lonlat = parsed
        x, y = self.context.lonlat_to_city(a, b) if lonlat else (a, b)
        self.set_point(x, y, show=False)

    def _on_place_entered(self) -> None:
        text = self.place_edit.text().strip()
        if not text or parse_coordinates(text) is not None:
            return
        snapshot = self.snapshot
        if snapshot is None:
            self._show_error(self.tr("The map is still loading; try again in a moment."))
            return
        self.workers.submit(
            lambda: self.services.find_place(snapshot, text),
            lambda hit: self._on_place_found(text, hit),
            self._on_failed,
        )

    def _on_place_found(self, text: str, hit) -> None:
        if hit is None or hit.kind == "case":
            self._show_error(self.tr("Nothing found for “{text}”.").format(text=text))
            return
        self.set_point(hit.x, hit.y, show=False)
        if hit.kind == "component":
            self.choose_component(hit.key)

    def _components_near(self, x: float, y: float) -> list[tuple[str, float]]:
        s = self.snapshot
        if s is None or self._components_index is None:
            return []
        (lx,), (ly,) = s.to_local([x], [y])
        comp = s.components
        found = self._components_index.within(float(lx), float(ly), COMPONENT_NEAR_M)
        d = ((comp.x[found] - lx) ** 2 + (comp.y[found] - ly) ** 2) ** 0.5
        order = sorted(zip(d.tolist(), found.tolist(), strict=True))[:COMPONENTS_OFFERED]
        return [(str(comp.ids[i]), dist) for dist, i in order]

    # --- type and component ------------------------------------------------------------------------

    def set_type(self, code: str) -> bool:
        """Choose the event type by its code (GB or legacy); False when no type has that code."""
        t = self.context.event_type(code) if self.context else None
        i = self.type_combo.findData(t.code) if t else -1
        if i < 0:
            return False
        self.type_combo.setCurrentIndex(i)
        return True

    def type_code(self) -> str | None:
        if self.type_combo.currentIndex() < 0:
            return None
        return self.type_combo.currentData()

    def _on_type_text_entered(self) -> None:
        text = self.type_combo.currentText().strip()
        if self.context is None or not text:
            return
        t = self.context.event_type(text.split()[0])
        if t is not None and t.code != self.type_code():
            self.set_type(t.code)

    def _on_type_changed(self, _index: int) -> None:
        t = self.context.event_type(self.type_code()) if self.context else None
        if t is not None and not self._urgent_touched:
            self.urgent_check.setChecked(t.urgent)
        self._update_preview()

    def _on_urgent_clicked(self) -> None:
        self._urgent_touched = True

    def _set_component_options(self, near: list[tuple[str, float]]) -> None:
        """Offer the components near a new point; a component chosen for the old point is dropped."""
        self._component_request += 1  # and so is a component read still on its way
        with QSignalBlocker(self.component_combo):
            self.component_combo.clear()
            self.component_combo.addItem(self.tr("None: an event"), None)
            for cid, dist in near:
                self.component_combo.addItem(
                    self.tr("{id} · {distance} m").format(id=cid, distance=f"{dist:.0f}"), cid
                )
            self.component_combo.setCurrentIndex(0)
        if self.component is not None:
            self.component = None
            self._update_type_enabled()

    def choose_component(self, component_id: str) -> None:
        """Report a component at fault (its owner department is responsible). The point stays where
        the caller put it; without one, the report goes at the component."""
        if self.component_combo.findData(component_id) < 0:
            self.component_combo.addItem(component_id, component_id)
        self.component_combo.setCurrentIndex(self.component_combo.findData(component_id))

    def _on_component_changed(self, _index: int) -> None:
        cid = self.component_combo.currentData()
        self._component_request += 1
        if not cid:
            self.component = None
            self._update_type_enabled()
            self._update_preview()
            return
        request = self._component_request
        self.workers.submit(
            lambda: self.services.component(cid),
            lambda option: self._on_component_loaded(request, option),
            self._on_failed,
        )

    def _on_component_loaded(self, request: int, option: ComponentOption | None) -> None:
        if request != self._component_request:
            return  # the operator chose another one meanwhile
        if option is None:
            self._show_error(self.tr("The component is no longer on record."))
            return
        self.component = option
        if self.point is None:
            self.point = (option.x, option.y)
            self.place_edit.setText(f"{option.x:.1f}, {option.y:.1f}")
        self._update_type_enabled()
        self._update_preview()

    def _update_type_enabled(self) -> None:
        self.type_combo.setEnabled(self.context is not None and self.component is None)

    # --- routing and duplicates --------------------------------------------------------------------

    def _update_preview(self) -> None:
        if self.context is None or self.point is None:
            self._show_preview(None)
            return
        try:
            preview = self.context.preview(*self.point, self.type_code(), self.component)
        except InputError as exc:
            self._show_error(str(exc))
            preview = None
        self._show_preview(preview)
        self._schedule_duplicates()

    def _show_preview(self, p: RoutingPreview | None) -> None:
        self.preview = p
        lab = self.route_labels
        if p is None:
            for label in lab.values():
                label.setText("—")
        else:
            lab["cell"].setText(p.cell)
            lab["community"].setText(_cn(p.community))
            lab["street"].setText(_cn(p.street))
            lab["district"].setText(_cn(p.district))
            lab["supervisor"].setText(p.supervisor or "—")
            if not p.decided:
                lab["responsible"].setText(self.tr("choose the event type or a component"))
            elif p.department is not None:
                lab["responsible"].setText(
                    self.tr("{department} (owner of the component)").format(department=_cn(p.department))
                    if p.by_component
                    else _cn(p.department)
                )
            else:
                lab["responsible"].setText(
                    self.tr("{district} itself (no department assigned)").format(district=_cn(p.district))
                )
        self._update_enabled()
        self.preview_changed.emit(p)

    def _duplicate_type(self) -> str | None:
        if self.component is not None:
            return self.component.type_code
        return self.type_code()

    def _schedule_duplicates(self) -> None:
        self._dup_request += 1
        if self.preview is None or self._duplicate_type() is None:
            self._show_duplicates(self._dup_request, ())
            return
        self._dup_timer.start()

    def _fetch_duplicates(self) -> None:
        if self.preview is None or (type_code := self._duplicate_type()) is None:
            return
        request = self._dup_request
        p = self.preview
        self.workers.submit(
            lambda: self.services.duplicates(type_code, p.x, p.y, p.cell),
            lambda found: self._show_duplicates(request, found),
            self._on_failed,
        )

    def refresh_duplicates(self) -> None:
        """The cases changed elsewhere (the journal advanced): read the candidates again."""
        if self.preview is not None and self._duplicate_type() is not None:
            self._schedule_duplicates()

    def _show_duplicates(self, request: int, found: tuple[DuplicateCandidate, ...]) -> None:
        if request != self._dup_request:
            return  # an answer for a point or type the form has left
        self.duplicates = found
        with QSignalBlocker(self.duplicates_list):
            self.duplicates_list.clear()
            for d in found:
                item = QListWidgetItem(
                    self.tr("#{id} · {state} · {distance} m · {time}").format(
                        id=d.id,
                        state=state_label(d.state),
                        distance=f"{d.distance_m:.0f}",
                        time=d.reported_at.strftime("%m-%d %H:%M"),
                    )
                )
                item.setData(Qt.ItemDataRole.UserRole, d.id)
                item.setToolTip("\n".join(filter(None, (channel_label(d.channel), d.cell, d.text))))
                self.duplicates_list.addItem(item)
            if found:
                self.duplicates_list.setCurrentRow(0)  # the desk's own choice: the nearest
        if found:
            self.duplicates_hint.setText(
                self.tr("The report will be linked to the selected case unless it is a different problem.")
            )
        else:
            self.duplicates_hint.setText(self.tr("None: the report opens a new case."))
        self.duplicates_list.setVisible(bool(found))
        self.separate_check.setEnabled(bool(found))
        if not found:
            self.separate_check.setChecked(False)
        self._update_submit_text()
        self.duplicates_shown.emit()

    def choose_duplicate(self, case_id: int) -> bool:
        for row, d in enumerate(self.duplicates):
            if d.id == case_id:
                self.duplicates_list.setCurrentRow(row)
                return True
        return False

    def link_target(self) -> int | None:
        if self.separate_check.isChecked() or not self.duplicates:
            return None
        row = self.duplicates_list.currentRow()
        return self.duplicates[row].id if 0 <= row < len(self.duplicates) else None

    def _on_separate_toggled(self, on: bool) -> None:
        self.duplicates_list.setEnabled(not on)
        self._update_submit_text()

    def _update_submit_text(self) -> None:
        target = self.link_target()
        if target is not None:
            self.submit_button.setText(self.tr("Link to case #{id}").format(id=target))
        else:
            self.submit_button.setText(self.tr("File report"))

    def _update_enabled(self) -> None:
        self._update_type_enabled()
        ready = (
            self.context is not None
            and self.preview is not None
            and self.preview.decided
            and not self.submitting
            and self.services.may_report()
        )
        self.submit_button.setEnabled(ready)

    # --- submit ------------------------------------------------------------------------------------

    def submit(self) -> bool:
        """Send the report to the worker pool; False when the form is not complete."""
        if self.point is None or self.preview is None:
            self._show_error(self.tr("Click the map or type the place first."))
            return False
        if self.component is None and self.type_code() is None:
            self._show_error(self.tr("Choose the event type, or a component at fault."))
            return False
        if self.submitting:
            return False
        x, y = self.point
        args = {
            "x": x,
            "y": y,
            "channel": self.channel_combo.currentData(),
            "type_code": None if self.component is not None else self.type_code(),
            "component_id": self.component.id if self.component is not None else None,
            "text": self.text_edit.toPlainText(),
            "urgent": self.urgent_check.isChecked() if self._urgent_touched else None,
            "external_ref": self.ref_edit.text().strip() or None,
            "link_to": self.link_target(),
            "file_separately": bool(self.duplicates) and self.separate_check.isChecked(),
        }
        self.submitting = True
        self._update_enabled()
        self.status_label.setText(self.tr("Filing…"))
        self.workers.submit(lambda: self.services.report(**args), self._on_reported, self._on_report_failed)
        return True

    def _on_reported(self, result: IntakeResult) -> None:
        self.submitting = False
        self.clear()
        if result.duplicate_of is not None:
            message = self.tr("Report #{id} linked to case #{original}.").format(
                id=result.id, original=result.duplicate_of
            )
        else:
            message = self.tr("Case #{id} opened in cell {cell}; responsible: {who}.").format(
                id=result.id,
                cell=result.cell,
                who=self._department_name(result.department) or self.tr("the district"),
            )
        if result.queued:
            message += " " + self.tr("The district node holds it until the centre confirms.")
        self.status_label.setStyleSheet("color: #39d98a;")
        self.status_label.setText(message)
        self.case_reported.emit(result)

    def _department_name(self, code: str | None) -> str:
        if not code:
            return ""
        name = self.context.names.get(code, "") if self.context else ""
        return f"{name} ({code})" if name else code

    def _on_report_failed(self, exc: BaseException) -> None:
        self.submitting = False
        self._update_enabled()
        self._show_error(str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}")
        self.report_failed.emit(str(exc))

    def _on_failed(self, exc: BaseException) -> None:
        self._show_error(f"{type(exc).__name__}: {exc}")

    def _show_error(self, message: str) -> None:
        self.status_label.setStyleSheet("color: #ff6b6b;")
        self.status_label.setText(message)

    def clear(self) -> None:
        """Empty the form for the next call; the channel stays (an operator takes many of one kind)."""
        self._dup_timer.stop()
        self._dup_request += 1
        self._component_request += 1
        self.point = None
        self.component = None
        self._urgent_touched = False
        self.place_edit.clear()
        with QSignalBlocker(self.type_combo):
            self.type_combo.setCurrentIndex(-1)
            self.type_combo.setEditText("")
        self.urgent_check.setChecked(False)
        self.text_edit.clear()
        self.ref_edit.clear()
        self.separate_check.setChecked(False)
        self._set_component_options([])
        self._show_duplicates(self._dup_request, ())
        self._show_preview(None)
        self.status_label.clear()
