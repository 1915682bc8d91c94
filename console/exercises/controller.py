"""The drill coordinator's controller page (演练导调): the MSEL with each inject's progress, the exercise
clock, Start… / Pause / Resume / Stop (ENDEX), ad-hoc injects, the evaluators' notes, acknowledging a
delivered inject, and the improvement plan.

A thin view over ``ExerciseTools``: it shows what the tools read and asks them to write. Who may do
what is the rules' (``modes.exercises``): the drill coordinator and the city commander run the
exercise; anyone signed in may note and acknowledge. A control this login may not use is disabled with
the reason in its tooltip, and a refused command shows the rules' own words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console import texts as common_texts
from console.civil_defence import labels as cd_labels
from console.emergency import texts as em_texts
from console.everyday import case_texts
from console.exercises import texts
from console.exercises.msel_model import COLUMN, MselTableModel
from console.exercises.tools import ExerciseTools
from modes.emergency.types import INCIDENT_TYPES
from modes.exercises.exercises import MAX_SPEED
from modes.exercises.screens import BannerState, ControllerView, InjectChoices

DEFAULT_SPEED = 60.0
MSEL_FILES = "MSEL (*.csv *.xlsx *.yaml *.yml)"


def _in_chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


def _title(zh: str, en: str, fallback: str = "") -> str:
    return ((zh if _in_chinese() else en) or en or fallback).strip()


# --- starting ---------------------------------------------------------------------------------------------


class StartExerciseDialog(QDialog):
    """Start…: a built-in scenario or a MSEL file, the speed and the scenario time to start at. It stays
    open until the start is done, showing why a file or a start was refused (the row and the column)."""

    def __init__(self, page: ControllerPage, choices: InjectChoices | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.page = page
        self.setObjectName("start_exercise_dialog")
        self.setWindowTitle(self.tr("Start an exercise"))
        self.builtin_radio = QRadioButton(self.tr("Built-in scenario"))
        self.builtin_radio.setObjectName("start_builtin")
        self.file_radio = QRadioButton(self.tr("MSEL file (.csv, .xlsx, .yaml)"))
        self.file_radio.setObjectName("start_file")
        group = QButtonGroup(self)
        group.addButton(self.builtin_radio)
        group.addButton(self.file_radio)
        self.builtin_radio.setChecked(True)
        self.scenario_box = QComboBox()
        self.scenario_box.setObjectName("start_scenario")
        self.scenario_box.setProperty("data_text", True)  # the scenarios' own titles
        for s in choices.scenarios if choices is not None else ():
            self.scenario_box.addItem(
                self.tr("{title} · {n} injects · {duration}").format(
                    title=_title(s.title_zh, s.title, s.name), n=f"{s.injects:,}", duration=s.duration
                ),
                s.name,
            )
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("start_path")
        self.path_edit.setPlaceholderText(self.tr("A .csv, .xlsx or .yaml file"))
        browse = QPushButton(self.tr("Browse…"))
        browse.setObjectName("start_browse")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        self.speed_box = QDoubleSpinBox()
        self.speed_box.setObjectName("start_speed")
        self.speed_box.setRange(0.1, MAX_SPEED)
        self.speed_box.setDecimals(1)
        self.speed_box.setValue(DEFAULT_SPEED)
        self.speed_box.setSuffix(self.tr(" × wall clock"))
        self.from_edit = QLineEdit("+00:00")
        self.from_edit.setObjectName("start_from")
        self.from_edit.setToolTip(self.tr("Scenario time to start at; earlier injects are skipped."))
        self.message = QLabel()
        self.message.setObjectName("start_message")
        self.message.setProperty("data_text", True)  # the rules' own words
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #ff8a80;")
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setObjectName("start_confirm")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._on_start)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start_button)
        form = QFormLayout()
        form.addRow(self.builtin_radio, self.scenario_box)
        form.addRow(self.file_radio, file_row)
        form.addRow(self.tr("Speed"), self.speed_box)
        form.addRow(self.tr("Start at"), self.from_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 260)
        page.start_refused.connect(self._on_refused)
        page.start_done.connect(self._on_done)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a MSEL"), "", MSEL_FILES)
        if path:
            self.path_edit.setText(path)
            self.file_radio.setChecked(True)

    def _on_start(self) -> None:
        self.message.clear()
        self.start_button.setEnabled(False)
        speed, start = self.speed_box.value(), self.from_edit.text().strip()
        if self.file_radio.isChecked():
            self.page.start_exercise(path=self.path_edit.text().strip(), speed=speed, start=start)
        else:
            self.page.start_exercise(builtin=self.scenario_box.currentData(), speed=speed, start=start)

    def _on_refused(self, reason: str) -> None:
        self.start_button.setEnabled(True)
        self.message.setText(reason)

    def _on_done(self) -> None:
        self.accept()


# --- the ad-hoc inject form ---------------------------------------------------------------------------


class InjectForm(QGroupBox):
    """An inject the controller adds while the exercise runs: kind, to, message, and the kind's own
    fields; out at the next tick."""

    submitted = Signal(dict)  # the MSEL row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inject_form")
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("inject_kind")
        for kind in texts.KINDS:
            self.kind_box.addItem(texts.kind_label(kind), kind)
        self.to_edit = QLineEdit()
        self.to_edit.setObjectName("inject_to")
        self.to_edit.setPlaceholderText(self.tr("A login or a role, e.g. city_commander"))
        self.message_edit = QLineEdit()
        self.message_edit.setObjectName("inject_message")
        self.message_edit.setPlaceholderText(self.tr("What the players are told"))
        self.expected_edit = QLineEdit()
        self.expected_edit.setObjectName("inject_expected")
        self.expected_edit.setPlaceholderText(self.tr("Expected action, e.g. case.accept (optional)"))
        self.within_box = QSpinBox()
        self.within_box.setObjectName("inject_within")
        self.within_box.setRange(0, 24 * 60)
        self.within_box.setSpecialValueText(self.tr("no limit"))
        self.within_box.setSuffix(self.tr(" min"))

        # The kind's own fields, one page a kind.
        self.type_box = self._combo("inject_event_type", data=True)  # report: an event type
        self.channel_box = self._combo("inject_channel")
        self.report_cell = self._cell_edit("inject_report_cell")
        self.incident_type_box = self._combo("inject_incident_type")
        for t in INCIDENT_TYPES:
            self.incident_type_box.addItem(em_texts.type_label(t.code), t.code)
        self.level_box = self._combo("inject_level")
        for level in ("IV", "III", "II", "I"):
            self.level_box.addItem(em_texts.level_label(level), level)
        self.radius_box = QSpinBox()
        self.radius_box.setObjectName("inject_radius")
        self.radius_box.setRange(0, 20_000)
        self.radius_box.setSpecialValueText(self.tr("the type's"))
        self.radius_box.setSuffix(" m")
        self.incident_cell = self._cell_edit("inject_incident_cell")
        self.alarm_box = self._combo("inject_alarm")
        for kind in ("pre", "raid", "clear"):
            self.alarm_box.addItem(cd_labels.signal_name(kind), kind)
        self.districts_edit = QLineEdit()
        self.districts_edit.setObjectName("inject_districts")
        self.districts_edit.setPlaceholderText(self.tr("District codes, or empty for the whole city"))
        self.asset_edit = QLineEdit()
        self.asset_edit.setObjectName("inject_asset")
        self.asset_edit.setPlaceholderText(self.tr("Component or camera id"))
        self.asset_status_box = self._combo("inject_asset_status")
        self.unit_box = self._combo("inject_unit", data=True)
        self.unit_status_box = self._combo("inject_unit_status")
        self.fields = QStackedWidget()
        self.fields.setObjectName("inject_fields")
        self._pages: dict[str, QWidget] = {}
        for kind, rows in (
            ("report", [(self.tr("Type"), self.type_box), (self.tr("Channel"), self.channel_box),
                        (self.tr("Cell"), self.report_cell)]),
            ("incident", [(self.tr("Type"), self.incident_type_box), (self.tr("Level"), self.level_box),
                          (self.tr("Radius"), self.radius_box), (self.tr("Cell"), self.incident_cell)]),
            ("alarm", [(self.tr("Signal"), self.alarm_box), (self.tr("Districts"), self.districts_edit)]),
            ("asset", [(self.tr("Asset"), self.asset_edit), (self.tr("Status"), self.asset_status_box)]),
            ("unit", [(self.tr("Unit"), self.unit_box), (self.tr("Status"), self.unit_status_box)]),
            ("message", []),
        ):  # fmt: skip
            page = QWidget()
            grid = QGridLayout(page)  # two fields a row: the form must leave the MSEL table room
            grid.setContentsMargins(0, 0, 0, 0)
            for i, (label, widget) in enumerate(rows):
                grid.addWidget(QLabel(label), i // 2, (i % 2) * 2)
                grid.addWidget(widget, i // 2, (i % 2) * 2 + 1)
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(3, 1)
            self.fields.addWidget(page)
            self._pages[kind] = page
        self.kind_box.currentIndexChanged.connect(self._on_kind)
        self.send_button = QPushButton(self.tr("Send inject"))
        self.send_button.setObjectName("inject_send")
        self.send_button.clicked.connect(self._on_send)
        grid = QGridLayout(self)
        grid.addWidget(QLabel(self.tr("Kind")), 0, 0)
        grid.addWidget(self.kind_box, 0, 1)
        grid.addWidget(QLabel(self.tr("To")), 0, 2)
        grid.addWidget(self.to_edit, 0, 3)
        grid.addWidget(QLabel(self.tr("Message")), 1, 0)
        grid.addWidget(self.message_edit, 1, 1, 1, 3)
        grid.addWidget(self.fields, 2, 0, 1, 4)
        grid.addWidget(QLabel(self.tr("Expected")), 3, 0)
        grid.addWidget(self.expected_edit, 3, 1)
        within = QHBoxLayout()
        within.addWidget(QLabel(self.tr("Within")))
        within.addWidget(self.within_box)
        within.addStretch(1)
        within.addWidget(self.send_button)
        grid.addLayout(within, 3, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self._on_kind()

    @staticmethod
    def _combo(name: str, *, data: bool = False) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        if data:
            box.setProperty("data_text", True)  # the city's own names
        return box

    def _cell_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(self.tr("Cell code (choose a cell on the map)"))
        edit.setProperty("data_text", True)
        return edit

    def set_choices(self, choices: InjectChoices) -> None:
        self.type_box.clear()
        for code, name in choices.event_types:
            self.type_box.addItem(f"{code} {name}", code)
        self.channel_box.clear()
        for channel in choices.channels:
            self.channel_box.addItem(case_texts.channel_label(channel), channel)
        self.asset_status_box.clear()
        for status in choices.asset_statuses:
            label = common_texts.component_state_label(status)
            if label == status:
                label = common_texts.camera_status_label(status)
            self.asset_status_box.addItem(label, status)
        self.unit_box.clear()
        for ident, name in choices.units:
            self.unit_box.addItem(f"{ident} {name}", ident)
        self.unit_status_box.clear()
        for status in choices.unit_statuses:
            self.unit_status_box.addItem(texts.unit_status_label(status), status)

    def set_cell(self, code: str) -> None:
        """A cell chosen on the map: the place of a report or incident inject."""
        self.report_cell.setText(code)
        self.incident_cell.setText(code)

    def kind(self) -> str:
        return self.kind_box.currentData()

    def _on_kind(self, *_args) -> None:
        self.fields.setCurrentWidget(self._pages[self.kind()])

    def row(self) -> dict:
        """The form as a MSEL row (the rules check it and name what is missing)."""
        kind = self.kind()
        row: dict = {
            "kind": kind,
            "to": self.to_edit.text().strip(),
            "message": self.message_edit.text().strip(),
            "expected_action": self.expected_edit.text().strip(),
        }
        if self.within_box.value():
            row["expected_within"] = self.within_box.value()
        if kind == "report":
            row.update(type=self.type_box.currentData(), channel=self.channel_box.currentData(),
                       cell=self.report_cell.text().strip())  # fmt: skip
        elif kind == "incident":
            row.update(type=self.incident_type_box.currentData(), level=self.level_box.currentData(),
                       cell=self.incident_cell.text().strip())  # fmt: skip
            if self.radius_box.value():
                row["radius"] = self.radius_box.value()
        elif kind == "alarm":
            row.update(alarm=self.alarm_box.currentData(), districts=self.districts_edit.text().strip())
        elif kind == "asset":
            row.update(asset=self.asset_edit.text().strip(), status=self.asset_status_box.currentData())
        elif kind == "unit":
            row.update(unit=self.unit_box.currentData(), status=self.unit_status_box.currentData())
        return {k: v for k, v in row.items() if v not in (None, "")}

    def _on_send(self) -> None:
        self.submitted.emit(self.row())

    def clear_message(self) -> None:
        self.message_edit.clear()


# --- the page ---------------------------------------------------------------------------------------------


class ControllerPage(QWidget):
    start_refused = Signal(str)
    start_done = Signal()

    def __init__(self, tools: ExerciseTools, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tools = tools
        self.services = tools.services
        self.view: ControllerView | None = None
        self.start_dialog: StartExerciseDialog | None = None
        self.setObjectName("exercise_controller")

        self.title = QLabel(
            self.tr(
                "No exercise has been run. Start… loads an MSEL scenario and runs it on the exercise clock."
            )
        )
        self.title.setObjectName("controller_title")
        self.title.setProperty("data_text", True)  # the scenario's own title
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 12pt; font-weight: 700;")
        self.clock = QLabel("T+00:00:00")
        self.clock.setObjectName("controller_clock")
        self.clock.setStyleSheet(
            f"color: {texts.MARK_FG}; font-family: 'DejaVu Sans Mono', monospace; font-size: 30pt;"
            " font-weight: 800;"
        )
        self.clock_detail = QLabel()
        self.clock_detail.setObjectName("controller_clock_detail")
        self.clock_detail.setProperty("data_text", True)
        self.counts = QLabel()
        self.counts.setObjectName("controller_counts")
        self.counts.setWordWrap(True)
        # Whether a driver ticks the exercise: without one, injects silently stop arriving.
        self.driver_label = QLabel()
        self.driver_label.setObjectName("controller_driver")
        self.driver_label.setWordWrap(True)
        self.driver_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.driver_label.hide()

        self.start_button = QPushButton(self.tr("Start…"))
        self.start_button.setObjectName("exercise_start")
        self.start_button.clicked.connect(self.open_start_dialog)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("exercise_pause")
        self.pause_button.clicked.connect(lambda: self._state_write("pause"))
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setObjectName("exercise_resume")
        self.resume_button.clicked.connect(lambda: self._state_write("resume"))
        self.stop_button = QPushButton(self.tr("Stop (ENDEX)"))
        self.stop_button.setObjectName("exercise_stop")
        self.stop_button.setStyleSheet("QPushButton:enabled { border: 2px solid #e53935; font-weight: 700; }")
        self.stop_button.clicked.connect(self.request_stop)
        self.message = QLabel()
        self.message.setObjectName("controller_message")
        self.message.setProperty("data_text", True)  # the rules' own words
        self.message.setWordWrap(True)

        self.model = MselTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("msel_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures 2,000 rows
        vertical.setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Times keep their seconds (+00:21:25): a busy day has injects a few seconds apart.
        for key, width in (("no", 40), ("time", 70), ("kind", 58), ("to", 94), ("expected", 104),
                           ("within", 54), ("state", 86), ("met", 64), ("by", 86), ("response", 66)):  # fmt: skip
            self.table.setColumnWidth(COLUMN[key], width)
        # The message takes the room the others leave (its whole text is in the tooltip).
        header.setSectionResizeMode(COLUMN["message"], QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.ack_button = QPushButton(self.tr("Acknowledge inject"))
        self.ack_button.setObjectName("exercise_ack_selected")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.selected_label = QLabel()
        self.selected_label.setObjectName("controller_selected")
        self.selected_label.setProperty("data_text", True)  # the inject's own message
        self.selected_label.setWordWrap(True)

        self.inject_form = InjectForm()
        self.inject_form.submitted.connect(self.send_inject)
        self.note_kind = QComboBox()
        self.note_kind.setObjectName("note_kind")
        for kind in texts.NOTE_KINDS:
            self.note_kind.addItem(texts.note_kind_label(kind), kind)
        self.note_on_inject = QCheckBox(self.tr("About the selected inject"))
        self.note_on_inject.setObjectName("note_on_inject")
        self.note_text = QLineEdit()
        self.note_text.setObjectName("note_text")
        self.note_text.setPlaceholderText(self.tr("What the evaluator saw"))
        self.note_text.returnPressed.connect(self.add_note)
        self.note_button = QPushButton(self.tr("Add note"))
        self.note_button.setObjectName("note_add")
        self.note_button.clicked.connect(self.add_note)
        self.notes = QListWidget()
        self.notes.setObjectName("note_list")
        self.notes.setProperty("data_text", True)  # the evaluators' own words
        self.notes.setWordWrap(True)

        self.plan_objective = QComboBox()
        self.plan_objective.setObjectName("plan_objective")
        self.plan_objective.setEditable(True)
        self.plan_objective.setProperty("data_text", True)  # the scenario's objectives
        self.plan_issue = QLineEdit()
        self.plan_issue.setObjectName("plan_issue")
        self.plan_issue.setPlaceholderText(self.tr("What went wrong or was missing"))
        self.plan_action = QLineEdit()
        self.plan_action.setObjectName("plan_action")
        self.plan_action.setPlaceholderText(self.tr("The corrective action"))
        self.plan_owner = QLineEdit()
        self.plan_owner.setObjectName("plan_owner")
        self.plan_owner.setPlaceholderText(self.tr("Who owns it (a person or a department)"))
        self.plan_due = QDateEdit()
        self.plan_due.setObjectName("plan_due")
        self.plan_due.setCalendarPopup(True)
        self.plan_due.setDisplayFormat("yyyy-MM-dd")
        self.plan_has_due = QCheckBox(self.tr("Due"))
        self.plan_has_due.setObjectName("plan_has_due")
        self.plan_has_due.setChecked(True)
        self.plan_has_due.toggled.connect(self.plan_due.setEnabled)
        today = dt.date.today() + dt.timedelta(days=30)
        self.plan_due.setDate(QDate(today.year, today.month, today.day))
        self.plan_button = QPushButton(self.tr("Add to the plan"))
        self.plan_button.setObjectName("plan_add")
        self.plan_button.clicked.connect(self.add_improvement)
        self.plan_list = QListWidget()
        self.plan_list.setObjectName("plan_list")
        self.plan_list.setProperty("data_text", True)
        self.plan_list.setWordWrap(True)

        self._lay_out()
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._update_clock)
        self._clock_timer.start()
        tools.controller_changed.connect(self._on_view)
        tools.state_changed.connect(self._on_state)
        tools.choices_loaded.connect(self._on_choices)
        tools.written.connect(self._on_written)
        tools.refused.connect(self._on_refused)
        self._on_view(None)

    def _lay_out(self) -> None:
        head = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.counts)
        left.addWidget(self.driver_label)
        head.addLayout(left, 1)
        clock = QVBoxLayout()
        clock.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignRight)
        clock.addWidget(self.clock_detail, 0, Qt.AlignmentFlag.AlignRight)
        head.addLayout(clock)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.resume_button, self.stop_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        ack = QHBoxLayout()
        ack.addWidget(self.selected_label, 1)
        ack.addWidget(self.ack_button)

        notes = QWidget()
        v = QVBoxLayout(notes)
        row = QHBoxLayout()
        row.addWidget(self.note_kind)
        row.addWidget(self.note_on_inject)
        row.addStretch(1)
        v.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.note_text, 1)
        row.addWidget(self.note_button)
        v.addLayout(row)
        v.addWidget(self.notes, 1)

        plan = QWidget()
        v = QVBoxLayout(plan)
        form = QFormLayout()
        form.addRow(self.tr("Objective"), self.plan_objective)
        form.addRow(self.tr("Issue"), self.plan_issue)
        form.addRow(self.tr("Action"), self.plan_action)
        owner = QHBoxLayout()
        owner.addWidget(self.plan_owner, 1)
        owner.addWidget(self.plan_has_due)
        owner.addWidget(self.plan_due)
        form.addRow(self.tr("Owner"), owner)
        v.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.plan_button)
        v.addLayout(row)
        v.addWidget(self.plan_list, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("controller_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.inject_form, self.tr("Ad-hoc inject"))
        self.tabs.addTab(notes, self.tr("Evaluator notes"))
        self.tabs.addTab(plan, self.tr("Improvement plan"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(head)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(ack)
        layout.addWidget(self.tabs)
        self.tabs.setMaximumHeight(270)  # the MSEL table keeps the rest
        for listing in (self.notes, self.plan_list):
            listing.setMinimumHeight(36)  # the forms above them keep their height

    # --- following the tools ---------------------------------------------------------------------------

    @property
    def exercise_id(self) -> int | None:
        return self.view.exercise.id if self.view is not None else None

    def _on_view(self, view: ControllerView | None) -> None:
        selected = self.selected_no()
        self.view = view
        self.model.set_rows(view.rows if view is not None else None)
        if selected is not None and self.selected_no() != selected:
            self.select_inject(selected)
        if view is None:
            self.title.setText(
                self.tr(
                    "No exercise has been run. Start… loads an MSEL scenario and runs it on the exercise clock."
                )
            )
            self.counts.clear()
        else:
            ex = view.exercise
            self.title.setText(
                self.tr("Exercise {id}: {title} · {state}").format(
                    id=ex.id,
                    title=_title(ex.title_zh, ex.title, ex.scenario),
                    state=texts.exercise_state_label(ex.state),
                )
            )
            c = view.counts
            self.counts.setText(
                self.tr(
                    "{total} injects · {pending} pending · {out} out · {refused} refused · "
                    "{met} met · {missed} missed"
                ).format(
                    total=f"{len(view.rows):,}",
                    pending=f"{c.get('pending', 0):,}",
                    out=f"{sum(c.get(k, 0) for k in ('delivered', 'acknowledged', 'actioned')):,}",
                    refused=f"{c.get('refused', 0):,}",
                    met=f"{view.met:,}",
                    missed=f"{view.missed:,}",
                )
            )
        self._show_notes()
        self._update_driver()
        self._update_clock()
        self._update_buttons()

    def _update_driver(self) -> None:
        """The driver's heartbeat as the last read found it: a quiet line while one ticks, a warning with
        how to start one when none is alive and the exercise runs."""
        view = self.view
        driver = view.driver if view is not None else None
        if view is None or driver is None or not view.exercise.on:
            self.driver_label.hide()
            return
        last = driver.last_tick.strftime("%H:%M:%S") if driver.last_tick else self.tr("never")
        if driver.alive:
            text = self.tr("Driver: alive, last tick {age:.0f} s ago ({by}).").format(
                age=driver.age_s or 0.0, by=driver.by or "—"
            )
            style = f"color: {texts.DRIVER_OK_FG};"
        elif view.exercise.state == "running":
            if self.services.remote:
                how = self.tr("The centre node drives its exercises: check that it runs and serves.")
            else:
                how = self.tr("Start one: {command} (or open a console on this database).").format(
                    command=self.services.drive_command(view.exercise.id)
                )
            text = self.tr("No driver: injects are not being delivered (last tick: {last}).").format(
                last=last
            )
            text += " " + how
            style = f"color: {texts.DRIVER_DEAD_FG}; font-weight: 700;"
        else:
            text = self.tr(
                "No driver is ticking (last tick: {last}); one is needed again when the exercise resumes."
            ).format(last=last)
            style = f"color: {texts.DRIVER_OK_FG};"
        self.driver_label.setText(text)
        self.driver_label.setStyleSheet(style)
        self.driver_label.show()

    def _on_state(self, _state: BannerState) -> None:
        self._update_clock()
        self._update_buttons()

    def _on_choices(self, choices: InjectChoices) -> None:
        self.inject_form.set_choices(choices)

    def _show_notes(self) -> None:
        view = self.view
        self.notes.clear()
        self.plan_list.clear()
        current = self.plan_objective.currentText()
        self.plan_objective.clear()
        self.plan_objective.addItem("")
        if view is None:
            return
        for objective in view.exercise.objectives:
            self.plan_objective.addItem(objective)
        self.plan_objective.setCurrentText(current)
        for n in reversed(view.notes):
            about = self.tr(" · inject {no}").format(no=n.inject_no) if n.inject_no else ""
            when = texts.t_plus(n.clock_s) if n.clock_s is not None else n.at.strftime("%H:%M")
            self.notes.addItem(f"[{when}] {texts.note_kind_label(n.kind)}{about} · {n.author}: {n.text}")
        for m in view.improvements:
            due = m.due.isoformat() if m.due else "—"
            objective = f" ({m.objective})" if m.objective else ""
            self.plan_list.addItem(
                self.tr("{issue}{objective} → {action} · {owner} · due {due}").format(
                    issue=m.issue, objective=objective, action=m.action, owner=m.owner, due=due
                )
            )

    def _update_clock(self) -> None:
        state = self.tools.state
        view = self.view
        wall = self.services.wall()
        if (
            state is not None
            and state.active is not None
            and (view is None or view.exercise.id == state.active.id)
        ):
            seconds, at = state.clock_s(wall), state.clock_time(wall)
            speed, status = state.active.speed, state.active.state
        elif view is not None:
            seconds, at = view.exercise.clock_s, view.exercise.clock_time
            speed, status = view.exercise.speed, view.exercise.state
        else:
            self.clock.setText("T+00:00:00")
            self.clock_detail.clear()
            return
        self.clock.setText(texts.t_plus(seconds))
        detail = self.tr("exercise clock {time} · ×{speed:g} · {state}").format(
            time=at.strftime("%Y-%m-%d %H:%M:%S") if at else "—",
            speed=speed,
            state=texts.exercise_state_label(status),
        )
        if view is not None and view.exercise.on and view.exercise.ends_s is not None:
            detail += " · " + self.tr("ends by itself at {t_plus}").format(
                t_plus=texts.t_plus(view.exercise.ends_s)
            )
        self.clock_detail.setText(detail)

    # --- permissions ---------------------------------------------------------------------------------------

    def runner_refusal(self) -> str:
        """Why this login may not run the exercise ("" when it may)."""
        if self.services.may_run:
            return ""
        login = self.services.login
        if login is not None and login.district_code:
            return self.tr(
                "Exercises are run at the municipal centre; you act for district {district}."
            ).format(district=login.district_code)
        return self.tr(
            "Only the drill coordinator or the city commander may run an exercise; you are signed in as {role}."
        ).format(role=common_texts.role_label(login.role if login else ""))

    def _update_buttons(self, *_args) -> None:
        refusal = self.runner_refusal()
        active = self.tools.active
        shown = self.view.exercise if self.view is not None else None
        on = shown is not None and shown.on and active is not None and active.id == shown.id
        state = active.state if on else None

        def set_(button: QPushButton, reason: str) -> None:
            button.setEnabled(not reason)
            button.setToolTip(reason)

        set_(
            self.start_button,
            refusal
            or (
                self.tr("Exercise {id} is on: stop it (ENDEX) before starting another.").format(id=active.id)
                if active is not None
                else ""
            ),
        )
        not_on = self.tr("No exercise is on.")
        set_(
            self.pause_button,
            refusal
            or ("" if state == "running" else not_on if not on else self.tr("The exercise is paused.")),
        )
        set_(
            self.resume_button,
            refusal
            or ("" if state == "paused" else not_on if not on else self.tr("The exercise is running.")),
        )
        set_(self.stop_button, refusal or ("" if on else not_on))
        set_(self.inject_form.send_button, refusal or ("" if on else not_on))
        no_exercise = "" if shown is not None else self.tr("No exercise to write about.")
        signed = "" if self.services.signed_in else self.tr("Sign in to take notes.")
        set_(self.note_button, signed or no_exercise)
        set_(self.plan_button, refusal or no_exercise)
        set_(self.ack_button, self.ack_refusal())
        no = self.selected_no()
        if no is None or self.view is None:
            self.selected_label.setText(
                self.tr("Select an inject in the list to acknowledge it or note on it.")
            )
        else:
            i = self.model.row_of(no)
            rows = self.view.rows
            text = f"{no} · {texts.kind_label(str(rows.kind[i]))} · {rows.message[i]}"
            if rows.refusal[i]:
                text += " · " + self.tr("refused: {reason}").format(reason=rows.refusal[i])
            self.selected_label.setText(text)

    def ack_refusal(self) -> str:
        if not self.services.signed_in:
            return self.tr("Sign in to acknowledge injects.")
        no = self.selected_no()
        if no is None or self.view is None:
            return self.tr("Select a delivered inject.")
        i = self.model.row_of(no)
        if i < 0 or not bool(self.view.rows.awaiting_ack[i]):
            return self.tr("Inject {no} is not waiting for an acknowledgement ({state}).").format(
                no=no, state=texts.state_label(str(self.view.rows.state[i])) if i >= 0 else "—"
            )
        return ""

    # --- selection -----------------------------------------------------------------------------------------

    def selected_no(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.no_at(rows[0].row()) if rows else None

    def select_inject(self, no: str) -> bool:
        row = self.model.row_of(no)
        if row < 0:
            self.table.clearSelection()
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    # --- writing -------------------------------------------------------------------------------------------

    def start_exercise(
        self,
        *,
        builtin: str | None = None,
        path: str | None = None,
        speed: float = DEFAULT_SPEED,
        start: str = "",
    ) -> None:
        """Start a built-in scenario or a MSEL file (read and checked in a worker first: a bad file is
        refused with its row and column). ``start_done`` or ``start_refused`` says how it went."""
        refusal = self.runner_refusal()
        if refusal:
            self._refuse("start", refusal)
            return
        if path is not None:
            if not path:
                self._refuse("start", self.tr("Choose a MSEL file."))
                return
            self.tools.workers.submit(
                lambda: self.services.read_scenario(Path(path)),
                lambda scenario: self.tools.write(
                    "start", lambda: self.services.start(scenario=scenario, speed=speed, start=start)
                ),
                lambda exc: self._refuse("start", str(exc)),
            )
            return
        self.tools.write("start", lambda: self.services.start(builtin=builtin, speed=speed, start=start))

    def open_start_dialog(self) -> StartExerciseDialog:
        if self.tools.choices is None:
            self.tools.load_choices()
        dialog = StartExerciseDialog(self, self.tools.choices, self)
        self.start_dialog = dialog
        dialog.open()
        return dialog

    def _state_write(self, what: str) -> None:
        ex_id = self.exercise_id
        if ex_id is None:
            return
        call = {"pause": self.services.pause, "resume": self.services.resume, "stop": self.services.stop}[
            what
        ]
        self.tools.write(what, lambda: call(ex_id))

    def confirm_stop(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("End the exercise"),
            self.tr(
                "End exercise {id} (ENDEX)? Injects not yet delivered are skipped; what the exercise made "
                "stays on record, marked as the exercise's."
            ).format(id=self.exercise_id),
        )
        return answer == QMessageBox.StandardButton.Yes

    def request_stop(self) -> bool:
        if self.exercise_id is None or not self.confirm_stop():
            return False
        self._state_write("stop")
        return True

    def send_inject(self, row: dict) -> None:
        ex_id = self.exercise_id
        if ex_id is None:
            return
        self.tools.write("inject", lambda: self.services.inject(ex_id, row))

    def acknowledge_selected(self) -> bool:
        reason = self.ack_refusal()
        no = self.selected_no()
        if reason or no is None or self.exercise_id is None:
            self._refuse("acknowledge", reason)
            return False
        self.tools.acknowledge(self.exercise_id, no)
        return True

    def add_note(self) -> None:
        ex_id = self.exercise_id
        text = self.note_text.text().strip()
        if ex_id is None:
            return
        if not text:
            self._refuse("note", self.tr("Write the note first."))
            return
        kind = self.note_kind.currentData()
        no = self.selected_no() if self.note_on_inject.isChecked() else None
        self.tools.write("note", lambda: self.services.note(ex_id, text, kind, no))

    def add_improvement(self) -> None:
        ex_id = self.exercise_id
        if ex_id is None:
            return
        q = self.plan_due.date()
        due = dt.date(q.year(), q.month(), q.day()) if self.plan_has_due.isChecked() else None
        issue, action, owner = (
            e.text().strip() for e in (self.plan_issue, self.plan_action, self.plan_owner)
        )
        objective = self.plan_objective.currentText().strip()
        self.tools.write(
            "improve",
            lambda: self.services.improve(
                ex_id, issue=issue, action=action, owner=owner, due=due, objective=objective
            ),
        )

    def _on_written(self, name: str, result) -> None:
        doc = result if isinstance(result, dict) else {}
        messages = {
            "start": self.tr("Exercise {id} started: {n} injects at ×{speed:g}."),
            "pause": self.tr("Exercise {id} paused."),
            "resume": self.tr("Exercise {id} resumed."),
            "stop": self.tr("Exercise {id} ended (ENDEX)."),
            "inject": self.tr("Inject {no} added: it goes out at the next tick."),
            "acknowledge": self.tr("Inject {no} acknowledged."),
            "note": self.tr("Note recorded."),
            "improve": self.tr("Improvement item recorded."),
        }
        if name not in messages:
            return
        self._show(
            messages[name].format(
                id=doc.get("id", ""),
                n=doc.get("injects", ""),
                speed=float(doc.get("speed") or 0),
                no=doc.get("no", ""),
            )
        )
        if name == "start":
            self.start_done.emit()
        elif name == "inject":
            self.inject_form.clear_message()
        elif name == "note":
            self.note_text.clear()
        elif name == "improve":
            for edit in (self.plan_issue, self.plan_action, self.plan_owner):
                edit.clear()

    def _on_refused(self, name: str, reason: str) -> None:
        self._refuse(name, reason)

    def _refuse(self, name: str, reason: str) -> None:
        self._show(self.tr("Refused: {reason}").format(reason=reason), error=True)
        if name == "start":
            self.start_refused.emit(reason)

    def _show(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #ff8a80; font-weight: 600;" if error else "color: #4cd07d;")

    def set_cell(self, code: str) -> None:
        self.inject_form.set_cell(code)
