"""The case panel: one case in full, its clocks and timeline, and the steps the user may take now.

The buttons are exactly the case desk's next actions that the logged-in role may take on this case
(the desk's own scope rule included), so a role that may not act sees no button at all. Actions that
need input (a department to dispatch to, a reason, the time an extension asks for, the citizen's
satisfaction) ask in a small dialog. Every action runs in the worker pool through
``CaseServices.act``; a refusal shows the desk's reason and changes nothing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.emergency import texts as emergency_texts
from console.everyday import case_texts
from console.everyday.services import ActionNeeds, ActionResult, CaseServices, action_needs
from console.exercises.texts import BANNER_BG, BANNER_EDGE, BANNER_FG, STAMP
from console.room import columns_fit_contents
from console.workers import WorkerPool
from modes.everyday.case_detail import CaseDetail, StageClock
from modes.everyday.cases import SATISFACTION

BUTTONS_PER_ROW = 3


def _when(t) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if t is not None else "—"


class CaseActionDialog(QDialog):
    """Asks what an action needs before it runs: department, reason, extension, satisfaction."""

    def __init__(
        self,
        action: str,
        needs: ActionNeeds,
        departments: tuple[tuple[str, str], ...],
        current_department: str | None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("case_action_dialog")
        self.action = action
        self.needs = needs
        self.setWindowTitle(case_texts.action_label(action))
        form = QFormLayout()
        self.department_box: QComboBox | None = None
        self.note_edit: QLineEdit | None = None
        self.amount_box: QDoubleSpinBox | None = None
        self.unit_box: QComboBox | None = None
        self.satisfaction_box: QComboBox | None = None
        if needs.department:
            self.department_box = QComboBox()
            self.department_box.setObjectName("action_department")
            self.department_box.setProperty("data_text", True)
            for code, name in departments:
                self.department_box.addItem(name, code)
            i = self.department_box.findData(current_department)
            self.department_box.setCurrentIndex(max(i, 0))
            form.addRow(self.tr("Department"), self.department_box)
        if needs.extension:
            self.amount_box = QDoubleSpinBox()
            self.amount_box.setObjectName("action_extension_amount")
            self.amount_box.setRange(0.5, 60)
            self.amount_box.setSingleStep(0.5)
            self.amount_box.setValue(1)
            self.unit_box = QComboBox()
            self.unit_box.setObjectName("action_extension_unit")
            self.unit_box.addItem(self.tr("working days"), "working_days")
            self.unit_box.addItem(self.tr("working hours"), "working_hours")
            row = QHBoxLayout()
            row.addWidget(self.amount_box)
            row.addWidget(self.unit_box)
            form.addRow(self.tr("Extension asked for"), row)
        if needs.satisfaction:
            self.satisfaction_box = QComboBox()
            self.satisfaction_box.setObjectName("action_satisfaction")
            for value in SATISFACTION:
                self.satisfaction_box.addItem(case_texts.satisfaction_label(value), value)
            form.addRow(self.tr("Citizen's satisfaction"), self.satisfaction_box)
        if needs.note or needs.note_optional:
            self.note_edit = QLineEdit()
            self.note_edit.setObjectName("action_note")
            self.note_edit.setMinimumWidth(320)
            if needs.note:
                self.note_edit.setPlaceholderText(self.tr("Required: say why"))
                form.addRow(self.tr("Reason"), self.note_edit)
            else:
                form.addRow(self.tr("Note"), self.note_edit)
            self.note_edit.textChanged.connect(self._update_ok)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(case_texts.action_label(action))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_ok()

    def _update_ok(self, *_args) -> None:
        ok = not self.needs.note or bool(self.note_edit and self.note_edit.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def fields(self) -> dict:
        out: dict = {}
        if self.department_box is not None:
            out["department"] = self.department_box.currentData()
        if self.note_edit is not None and self.note_edit.text().strip():
            out["note"] = self.note_edit.text().strip()
        if self.amount_box is not None and self.unit_box is not None:
            amount = self.amount_box.value()
            amount_text = str(int(amount)) if amount == int(amount) else str(amount)
            out["extension"] = f"{amount_text} {self.unit_box.currentData()}"
        if self.satisfaction_box is not None:
            out["satisfaction"] = self.satisfaction_box.currentData()
        return out


class CasePanel(QFrame):
    """One case: fields, stage clocks, timeline, and the buttons of the steps the user may take."""

    case_changed = Signal(int)  # an action of ours changed this case
    incident_requested = Signal(object)  # IncidentLink: the user followed the case's link to its incident
    action_failed = Signal(str)  # the desk refused: its reason
    action_done = Signal(object)  # ActionResult

    def __init__(self, services: CaseServices, workers: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("case_panel")
        self.services = services
        self.workers = workers
        self.detail: CaseDetail | None = None
        self.exercise_tag = (
            None  # the exercise that made the case shown (modes.exercises.screens.ExerciseTag)
        )
        self.case_id: int | None = None
        self.busy = False
        self.dialog: CaseActionDialog | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.incident_link: QLabel | None = None  # the escalated case's link to its incident
        self._departments: tuple[tuple[str, str], ...] | None = None

        self.title = QLabel(self.tr("No case selected"))
        self.title.setObjectName("panel_title")
        self.title.setWordWrap(True)
        self.badges = QLabel()
        self.badges.setObjectName("case_badges")
        self.exercise_mark = QLabel()  # an exercise's case: never to be taken for a real report
        self.exercise_mark.setObjectName("case_exercise_mark")
        self.exercise_mark.setProperty("data_text", True)  # the mark and the exercise's own title
        self.exercise_mark.setWordWrap(True)
        self.exercise_mark.setStyleSheet(
            f"background: {BANNER_BG}; color: {BANNER_FG}; font-weight: 700; padding: 3px 8px;"
            f" border-left: 4px solid {BANNER_EDGE};"
        )
        self.exercise_mark.hide()
        self.hint = QLabel(self.tr("Choose a case in the queue or on the map."))
        self.hint.setObjectName("panel_hint")
        self.hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("case_message")
        self.message.setWordWrap(True)
        self.message.setProperty("data_text", True)  # carries the desk's own reason when it refuses
        self.message.hide()
        self._actions_box = QWidget()
        self._actions_grid = QGridLayout(self._actions_box)
        self._actions_grid.setContentsMargins(0, 0, 0, 0)
        self.no_actions = QLabel()
        self.no_actions.setObjectName("panel_hint")
        self.no_actions.setWordWrap(True)

        self._fields_body = QWidget()
        self._fields = QGridLayout(self._fields_body)
        self._fields.setContentsMargins(2, 2, 2, 2)
        self._fields.setHorizontalSpacing(10)
        self._fields.setVerticalSpacing(3)
        self._fields.setColumnStretch(1, 1)
        fields_scroll = QScrollArea()
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setWidget(self._fields_body)
        self.rows: list[tuple[str, str]] = []

        self.clocks = self._table(
            "case_clocks",
            [
                self.tr("Stage"),
                self.tr("Limit"),
                self.tr("Due"),
                self.tr("Done"),
                self.tr("Elapsed"),
                self.tr("State"),
            ],
        )
        self.clocks_note = QLabel(
            self.tr(
                "Times in city time (UTC+8); a day name marks a day other than today. Working time counts "
                "the city's working hours only; natural time counts every minute."
            )
        )
        self.clocks_note.setObjectName("panel_hint")
        self.clocks_note.setWordWrap(True)
        clocks_tab = QWidget()
        clocks_box = QVBoxLayout(clocks_tab)
        clocks_box.setContentsMargins(0, 4, 0, 0)
        clocks_box.addWidget(self.clocks_note)
        clocks_box.addWidget(self.clocks, 1)
        self.timeline = self._table(
            "case_timeline", [self.tr("When"), self.tr("Who"), self.tr("What"), self.tr("Note")]
        )
        self.tabs = QTabWidget()
        self.tabs.setObjectName("case_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(fields_scroll, self.tr("Details"))
        self.tabs.addTab(clocks_tab, self.tr("Clocks"))
        self.tabs.addTab(self.timeline, self.tr("Timeline"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.badges)
        layout.addWidget(self.exercise_mark)
        layout.addWidget(self.hint)
        layout.addWidget(self._actions_box)
        layout.addWidget(self.no_actions)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.tabs.hide()
        self.no_actions.hide()

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        columns_fit_contents(table)
        return table

    # --- showing a case ------------------------------------------------------------------------------

    def show_case(self, case_id: int) -> CaseDetail | None:
        if self.case_id != case_id:
            self.message.hide()
        self.case_id = case_id
        detail = self.services.case_detail(case_id)
        self.detail = detail
        self._show_exercise(case_id if detail is not None else None)
        if detail is None:
            self.title.setText(self.tr("Case {id} does not exist").format(id=case_id))
            self.badges.clear()
            self.tabs.hide()
            self._set_buttons(())
            self.no_actions.hide()
            return None
        self.hint.hide()
        self.tabs.show()
        type_text = detail.type_name or detail.type_code
        self.title.setText(self.tr("Case {id} · {type}").format(id=detail.id, type=type_text))
        badges = [case_texts.state_label(detail.state)]
        if detail.urgent:
            badges.append(self.tr("URGENT"))
        if detail.incident is not None:
            badges.append(self.tr("ESCALATED"))
        if detail.overdue:
            badges.append(self.tr("OVERDUE"))
        self.badges.setText("  ·  ".join(badges))
        self.badges.setStyleSheet(
            "color: #ff8080; font-weight: 700;" if detail.overdue else "font-weight: 700;"
        )
        self._show_fields(detail)
        self._show_clocks(detail.stages, detail.as_of)
        self._show_timeline(detail)
        self._set_buttons(detail.my_actions)
        if detail.my_actions:
            self.no_actions.hide()
        else:
            role = texts.role_label(self.services.login.role)
            if detail.scope_note:
                text = self.tr("Your role ({role}) could act, but not on this case: {reason}").format(
                    role=role, reason=detail.scope_note
                )
            elif detail.next_actions:
                text = self.tr("Your role ({role}) has no step to take on this case now.").format(role=role)
            else:
                text = self.tr("The case is finished: no further steps.")
            self.no_actions.setText(text)
            self.no_actions.show()
        return detail

    def _show_exercise(self, case_id: int | None) -> None:
        tag = self.services.case_exercise(case_id) if case_id is not None else None
        self.exercise_tag = tag
        self.exercise_mark.setVisible(tag is not None)
        if tag is None:
            self.exercise_mark.clear()
            return
        title = (tag.title_zh if QLocale().language() == QLocale.Language.Chinese else tag.title) or tag.title
        self.exercise_mark.setText(
            self.tr("{mark} · made by exercise {id} ({title}): not a real report").format(
                mark=STAMP, id=tag.id, title=title
            )
        )

    def refresh(self) -> None:
        """The city changed (maybe this case): show it afresh, keeping the tab the user is on."""
        if self.case_id is not None and not self.busy:
            self.show_case(self.case_id)

    def _show_fields(self, d: CaseDetail) -> None:
        while self._fields.count():
            item = self._fields.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        place = lambda code, name: f"{name} ({code})" if name else (code or "—")  # noqa: E731
        rows: list[tuple[str, str]] = [
            (self.tr("Case"), str(d.id)),
            (self.tr("Kind"), case_texts.kind_label(d.kind)),
            (self.tr("Type"), f"{d.type_name} ({d.type_code})" if d.type_name else d.type_code),
            (self.tr("Channel"), case_texts.channel_label(d.channel)),
            (self.tr("State"), case_texts.state_label(d.state)),
            (self.tr("Urgent"), self.tr("yes") if d.urgent else self.tr("no")),
            (self.tr("Reported"), _when(d.reported_at)),
            (self.tr("Reporter"), d.reporter or "—"),
            (self.tr("Description"), d.text or "—"),
            (self.tr("Cell"), d.cell),
            (self.tr("Community"), place(d.community, d.community_name)),
            (self.tr("Street"), place(d.street, d.street_name)),
            (self.tr("District"), place(d.district, d.district_name)),
            (
                self.tr("Responsible"),
                place(d.department, d.department_name) if d.department else self.tr("the district"),
            ),
            (self.tr("Supervisor"), d.supervisor or "—"),
            (self.tr("Component"), d.component or "—"),
            (self.tr("Position"), f"X {d.x:,.1f}  Y {d.y:,.1f}"),
            (self.tr("Handling deadline"), _when(d.deadline)),
            (self.tr("Overdue"), self.tr("yes") if d.overdue else self.tr("no")),
            (self.tr("Closed"), _when(d.closed_at)),
            (self.tr("Closure"), case_texts.closure_label(d.closure_kind) or "—"),
            (self.tr("Satisfaction"), case_texts.satisfaction_label(d.satisfaction) or "—"),
            (self.tr("Duplicate of"), str(d.duplicate_of) if d.duplicate_of else "—"),
            (self.tr("Duplicates"), ", ".join(str(i) for i in d.duplicates) or "—"),
            (
                self.tr("Reworks · returns · extensions · suspensions"),
                " · ".join(str(d.counts.get(k, 0)) for k in ("rework", "return", "extension", "suspension")),
            ),
        ]
        if d.pending:
            what = case_texts.action_label(d.pending.get("action"))
            extra = d.pending.get("extension") or ""
            note = d.pending.get("note") or ""
            rows.append(
                (
                    self.tr("Awaiting approval"),
                    " · ".join(x for x in (what, extra, note, str(d.pending.get("by") or "")) if x),
                )
            )
        incident_row = None
        if d.incident is not None:
            incident_row = len(rows)
            rows.insert(incident_row, (self.tr("Incident"), self._incident_text(d.incident)))
        self.rows = rows
        self.incident_link = None
        for r, (k, v) in enumerate(rows):
            key_label = QLabel(k)
            key_label.setObjectName("detail_key")
            key_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel(v)
            value.setObjectName("detail_value")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setProperty("data_text", True)  # database content, not a UI string to translate
            if r == incident_row:
                value = self._incident_label(d, v)
            self._fields.addWidget(key_label, r, 0)
            self._fields.addWidget(value, r, 1)
        self._fields.setRowStretch(len(rows), 1)

    def _incident_text(self, link) -> str:
        """ "#12 · Level II (serious) · Responding · title": the incident's level and status now."""
        parts = [
            f"#{link.id}",
            emergency_texts.level_label(link.level),
            emergency_texts.status_label(link.status),
        ]
        if link.title:
            parts.append(link.title)
        if link.exercise:
            parts.append(STAMP)
        return " · ".join(parts)

    def _incident_label(self, d: CaseDetail, text: str) -> QLabel:
        """The incident as a link: following it shows the incident (``incident_requested``)."""
        link = QLabel(f'<a href="incident:{d.incident.id}">{html.escape(text)}</a>')
        link.setObjectName("case_incident_link")
        link.setTextFormat(Qt.TextFormat.RichText)
        link.setWordWrap(True)
        link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        link.setProperty("data_text", True)
        colour = emergency_texts.LEVEL_HEX.get(d.incident.level)
        if colour:
            link.setStyleSheet(f"border-left: 4px solid {colour}; padding-left: 4px;")
        link.setToolTip(self.tr("Show incident #{id}").format(id=d.incident.id))
        link.linkActivated.connect(self._on_incident_link)
        self.incident_link = link
        return link

    def _on_incident_link(self, _href: str = "") -> None:
        if self.detail is not None and self.detail.incident is not None:
            self.incident_requested.emit(self.detail.incident)

    def value_of(self, label: str) -> str | None:
        return next((v for k, v in self.rows if k == label), None)

    def _duration(self, minutes: float, working: bool = False) -> str:
        """A span of minutes; working time in hours and minutes (a working day is not 24 hours)."""
        m = int(round(abs(minutes)))
        d, rest = divmod(m, 24 * 60)
        if working:
            d, rest = 0, m
        h, mm = divmod(rest, 60)
        if d:
            return self.tr("{d} d {h} h").format(d=d, h=h)
        if h:
            return self.tr("{h} h {m} min").format(h=h, m=mm)
        return self.tr("{m} min").format(m=mm)

    def _limit_text(self, c: StageClock) -> str:
        """The limit and the time it counts: "10 min · working time", "4 h · natural time"."""
        amount_text, unit = c.limit.split()
        amount = float(amount_text)
        n = f"{amount:g}"
        unit = unit.removeprefix("working_")
        span = {
            "minutes": self.tr("{n} min"),
            "hours": self.tr("{n} h"),
            "days": self.tr("{n} working days") if c.working else self.tr("{n} days"),
        }[unit].format(n=n)
        kind = self.tr("working time") if c.working else self.tr("natural time")
        return f"{span} · {kind}"

    def _when_due(self, t, now) -> str:
        """A time in city time: "14:05" today, "Mon 03-09 08:05" on another day."""
        if t is None:
            return "—"
        if now is not None and t.date() == now.date():
            return t.strftime("%H:%M")
        return f"{case_texts.weekday_label(t.date())} {t.strftime('%m-%d %H:%M')}"

    def _clock_state(self, c: StageClock) -> str:
        span = lambda minutes: self._duration(minutes, c.working)  # noqa: E731
        if c.paused:
            text = self.tr("stopped while suspended")
        elif c.running and c.remaining_minutes is not None:
            if c.remaining_minutes >= 0:
                text = self.tr("{time} left").format(time=span(c.remaining_minutes))
            else:
                text = self.tr("overdue by {time}").format(time=span(c.remaining_minutes))
        elif c.done is not None and c.late_minutes is not None:
            text = self.tr("done in {time}, late by {late}").format(
                time=span(c.elapsed_minutes), late=span(c.late_minutes)
            )
        elif c.done is not None:
            text = self.tr("done in {time}, on time").format(time=span(c.elapsed_minutes))
        elif c.ended_by is not None:
            text = self.tr("ended by {action}: not charged").format(
                action=case_texts.action_label(c.ended_by)
            )
        else:
            text = "—"
        if c.attempts > 1:
            return self.tr("attempt {n}: {state}").format(n=c.attempt, state=text)
        return text

    def _show_clocks(self, stages: tuple[StageClock, ...], now=None) -> None:
        self.clocks.setRowCount(len(stages))
        for r, c in enumerate(stages):
            stage = case_texts.stage_label(c.stage)
            if c.attempts > 1:
                stage = self.tr("{stage} ({n})").format(stage=stage, n=c.attempt)
            cells = [
                stage,
                self._limit_text(c),
                self._when_due(c.due, now),
                self._when_due(c.done or c.ended_at, now),
                self._duration(c.elapsed_minutes, c.working),
                self._clock_state(c),
            ]
            earlier = c.attempt < c.attempts  # an earlier attempt: kept for the record, greyed
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # the panel is narrow: the whole text on hover
                if c.overdue and (c.running or c.on_time is False):
                    item.setForeground(Qt.GlobalColor.red)
                elif earlier:
                    item.setForeground(Qt.GlobalColor.gray)
                self.clocks.setItem(r, col, item)

    def _show_timeline(self, d: CaseDetail) -> None:
        self.timeline.setRowCount(len(d.timeline))
        for r, h in enumerate(d.timeline):
            who = f"{h.actor} ({texts.role_label(h.role)})"
            if h.action == "escalated":
                what = self.tr("Escalated to incident #{id}").format(id=h.incident)
            elif h.from_state:
                what = self.tr("{action}: {before} → {after}").format(
                    action=case_texts.action_label(h.action),
                    before=case_texts.state_label(h.from_state),
                    after=case_texts.state_label(h.to_state),
                )
            else:
                what = self.tr("{action}: {after}").format(
                    action=case_texts.action_label(h.action), after=case_texts.state_label(h.to_state)
                )
            for col, text in enumerate((_when(h.at), who, what, h.note)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.timeline.setItem(r, col, item)

    def _set_buttons(self, actions: tuple[str, ...]) -> None:
        for button in self.action_buttons.values():
            button.hide()
            button.deleteLater()
        self.action_buttons = {}
        for i, action in enumerate(actions):
            button = QPushButton(case_texts.action_label(action))
            button.setObjectName(f"case_action_{action}")
            button.clicked.connect(lambda _checked=False, a=action: self.request_action(a))
            self._actions_grid.addWidget(button, i // BUTTONS_PER_ROW, i % BUTTONS_PER_ROW)
            self.action_buttons[action] = button

    # --- acting --------------------------------------------------------------------------------------

    def request_action(self, action: str) -> None:
        """A button was pressed: ask for what the action needs, then run it."""
        if self.detail is None or self.busy:
            return
        option = next((o for o in self.detail.next_actions if o.action == action), None)
        needs = action_needs(action, option.needs_note if option else False)
        if not needs.any and not needs.note_optional:
            self.run_action(action)
            return
        if self._departments is None and needs.department:
            self._departments = self.services.departments()
        dialog = CaseActionDialog(action, needs, self._departments or (), self.detail.department, self)
        dialog.accepted.connect(lambda: self.run_action(action, **dialog.fields()))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def run_action(self, action: str, **fields) -> None:
        """Send one action to the desk in a worker; the panel shows the outcome when it returns."""
        if self.case_id is None or self.busy:
            return
        self.busy = True
        for button in self.action_buttons.values():
            button.setEnabled(False)
        case_id = self.case_id
        self.workers.submit(
            lambda: self.services.act(case_id, action, **fields), self._on_acted, self._on_act_failed
        )

    def _on_acted(self, result: ActionResult) -> None:
        self.busy = False
        self.show_case(result.case_id)
        self.message.setText(
            self.tr("{action} done: the case is now {state} (journal #{seq}).").format(
                action=case_texts.action_label(result.action),
                state=case_texts.state_label(result.state),
                seq=result.journal_seq,
            )
        )
        self.message.setStyleSheet("")
        self.message.show()
        self.case_changed.emit(result.case_id)
        self.action_done.emit(result)

    def _on_act_failed(self, exc: BaseException) -> None:
        self.busy = False
        reason = str(exc) or type(exc).__name__
        if self.case_id is not None:
            self.show_case(self.case_id)
        self.message.setText(self.tr("Refused: {reason}").format(reason=reason))
        self.message.setStyleSheet("color: #ff8080;")
        self.message.show()
        self.action_failed.emit(reason)
