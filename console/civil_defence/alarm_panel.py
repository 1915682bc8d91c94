"""Alarm control: sound pre-warning, air raid or all clear in the whole city or chosen districts, watch
each district acknowledge, hear the pattern, plan the annual public test.

Only the civil-defence officer may sound an alarm or plan the test; any other login sees the controls
disabled with the reason. Issuing asks for confirmation, then runs in the worker pool through
``modes.civil_defence.alarms.issue_alarm`` (one journal event for the order, one per district). The
board is re-read every second while the alarm is live and whenever the journal brings alarm events
(the main window polls the journal), so acknowledgements from the district nodes show as they land.

A district's person acknowledges their district's delivery on the board (the ``alarm.ack`` command, as
the district node does by itself when it runs): their own district's row is chosen for them. City
staff, without a district, may acknowledge for any district (one that phones in, its node down).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.civil_defence import labels
from console.civil_defence.services import AlarmPending, CivilDefenceServices
from console.civil_defence.sound import AlarmSound, cycle_position
from console.civil_defence.tables import RowsTableModel
from console.confirm import lay_out_confirmation
from console.exercises.texts import BANNER_EDGE, MARK_FG, STAMP, STAMP_BG, STAMP_FG
from console.room import columns_fit_contents
from console.workers import WorkerPool
from data.civil_defence_models import AlarmKind
from modes.civil_defence.alarms import (
    ACK_LIMIT_S,
    CYCLE_S,
    AlarmBoard,
    DeliveryStatus,
    TestPlan,
    default_test_date,
)
from modes.common.views import CodeName

KINDS = (AlarmKind.PRE.value, AlarmKind.RAID.value, AlarmKind.CLEAR.value)
KIND_COLOURS = {"pre": "#ffb300", "raid": "#e53935", "clear": "#2bb3a3"}


class ConfirmAlarmDialog(QDialog):
    """Asks before a signal is sounded; names the signal, its pattern and where it will sound. An
    exercise says so first, in the exercise's colours: nobody may confirm a drill believing it real, nor
    a real alarm believing it a drill."""

    def __init__(
        self, kind: str, where: str, actor: str, parent: QWidget | None = None, *, exercise: bool = False
    ):
        super().__init__(parent)
        self.kind = kind
        self.exercise = exercise
        self.setWindowTitle(self.tr("Confirm exercise alarm") if exercise else self.tr("Confirm alarm"))
        colour = KIND_COLOURS.get(kind, "#e53935")
        signal = labels.signal_name(kind)
        body = self.tr(
            "Sound the {signal} signal ({pattern}) in {where}? Every district centre is ordered to "
            "sound it and must acknowledge; the journal records the order as given by {actor}."
        ).format(signal=signal, pattern=labels.signal_pattern(kind), where=where, actor=actor)
        if exercise:
            body = self.tr("EXERCISE — a drill, not a real alarm.") + "\n\n" + body
        lay_out_confirmation(
            self,
            name="confirm_alarm_dialog",
            border=BANNER_EDGE if exercise else colour,
            banner_fg=STAMP_FG if exercise else "#0d141c",
            banner_bg=STAMP_BG if exercise else colour,
            title=f"{STAMP} · {signal}" if exercise else signal,
            body=body,
            confirm_text=(
                self.tr("Sound {signal} (exercise)") if exercise else self.tr("Sound {signal}")
            ).format(signal=signal),
            cancel_text=self.tr("Cancel"),
        )


def _rows_view(model: RowsTableModel, name: str) -> QTableView:
    """A table of the board: no row numbers, columns as wide as their contents, the last one stretched."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    columns_fit_contents(view)
    return view


def _hms(t: dt.datetime | None) -> str:
    return t.strftime("%H:%M:%S") if t is not None else "—"


class AlarmPanel(QWidget):
    alarm_issued = Signal(object)  # AlarmBoard
    alarm_failed = Signal(str)
    alarm_acknowledged = Signal(object)  # DeliveryStatus
    order_pending = Signal(object)  # OrderView: the two-person rule holds the alarm for a second officer
    board_refreshed = Signal(object)  # AlarmBoard
    test_planned = Signal(object)  # TestPlan

    def __init__(
        self,
        services: CivilDefenceServices,
        workers: WorkerPool,
        sound: AlarmSound | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.services = services
        self.workers = workers
        self.sound = sound if sound is not None else AlarmSound(parent=self)
        self.board: AlarmBoard | None = None
        self.issuing = False
        self.acknowledging = False
        self._played_alarm: int | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        control = QGroupBox(self.tr("Sound an alarm"))
        v = QVBoxLayout(control)
        where = QHBoxLayout()
        self.whole_city = QRadioButton(self.tr("Whole city"))
        self.whole_city.setObjectName("whole_city")
        self.whole_city.setChecked(True)
        self.chosen = QRadioButton(self.tr("Chosen districts"))
        self.chosen.setObjectName("chosen_districts")
        self.whole_city.toggled.connect(self._on_scope_changed)
        where.addWidget(self.whole_city)
        where.addWidget(self.chosen)
        where.addStretch(1)
        v.addLayout(where)
        self.district_list = QListWidget()
        self.district_list.setObjectName("district_list")
        self.district_list.setMaximumHeight(90)
        self.district_list.setEnabled(False)
        v.addWidget(self.district_list)
        buttons = QHBoxLayout()
        self.kind_buttons: dict[str, QPushButton] = {}
        for kind in KINDS:
            b = QPushButton(labels.signal_name(kind))
            b.setObjectName(f"alarm_{kind}")
            b.setStyleSheet(
                f"QPushButton:enabled {{ border: 2px solid {KIND_COLOURS[kind]}; font-weight: 700; }}"
            )
            b.clicked.connect(lambda _c=False, k=kind: self.request_alarm(k))
            buttons.addWidget(b)
            self.kind_buttons[kind] = b
        v.addLayout(buttons)
        self.exercise_box = QCheckBox(self.tr("Exercise (drill or test)"))
        self.exercise_box.setObjectName("exercise_box")
        v.addWidget(self.exercise_box)
        self.permission_label = QLabel()
        self.permission_label.setObjectName("panel_hint")
        self.permission_label.setWordWrap(True)
        v.addWidget(self.permission_label)
        layout.addWidget(control)

        state = QGroupBox(self.tr("Current alarm"))
        v = QVBoxLayout(state)
        top = QHBoxLayout()
        self.alarm_label = QLabel(
            self.tr(
                "No alarm issued. The board fills when the civil-defence officer sounds one with the buttons "
                "above (Pre-warning, Air raid, All clear)."
            )
        )
        self.alarm_label.setObjectName("alarm_label")
        self.alarm_label.setProperty("data_text", True)  # names the issuing login (data)
        self.alarm_label.setWordWrap(True)
        top.addWidget(self.alarm_label, 1)
        self.mute_button = QPushButton(self.tr("Mute"))
        self.mute_button.setObjectName("mute_button")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self.set_muted)
        top.addWidget(self.mute_button)
        v.addLayout(top)
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("countdown_label")
        self.countdown_label.setStyleSheet("font-size: 12pt; font-weight: 700;")
        self.countdown_label.setWordWrap(True)
        v.addWidget(self.countdown_label)
        self.board_model = RowsTableModel([])
        self.board_model.set_numeric_columns([5])
        self._set_board_headers()
        self.board_view = _rows_view(self.board_model, "ack_board")
        self.board_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.board_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.board_view.selectionModel().selectionChanged.connect(self._update_ack_button)
        self.board_view.setMinimumHeight(190)  # seven districts without scrolling
        v.addWidget(self.board_view, 1)
        ack = QHBoxLayout()
        self.ack_button = QPushButton(self.tr("Acknowledge for the district"))
        self.ack_button.setObjectName("ack_button")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        ack.addWidget(self.ack_button)
        self.ack_hint = QLabel()
        self.ack_hint.setObjectName("panel_hint")
        self.ack_hint.setWordWrap(True)
        ack.addWidget(self.ack_hint, 1)
        v.addLayout(ack)
        self.late_label = QLabel()
        self.late_label.setObjectName("late_label")
        self.late_label.setWordWrap(True)
        v.addWidget(self.late_label)
        # The alarm's CAP alert at each outbound hook: state, attempts, the last attempt (docs/cap.md).
        self.hooks_label = QLabel()
        self.hooks_label.setObjectName("cap_hooks_label")
        self.hooks_label.setWordWrap(True)
        v.addWidget(self.hooks_label)
        self.hooks_model = RowsTableModel([])
        self.hooks_model.set_numeric_columns([3])
        self._set_hooks_headers()
        self.hooks_view = _rows_view(self.hooks_model, "cap_hooks_board")
        self.hooks_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.hooks_view.setMaximumHeight(120)
        v.addWidget(self.hooks_view)
        layout.addWidget(state, 1)

        test = QGroupBox(self.tr("Annual public test"))
        v = QVBoxLayout(test)
        row = QHBoxLayout()
        self.test_date = QDateEdit()
        self.test_date.setObjectName("test_date")
        self.test_date.setCalendarPopup(True)
        self.test_date.setDisplayFormat("yyyy-MM-dd")
        d = default_test_date(self.services.clock.now().date())
        self.test_date.setDate(QDate(d.year, d.month, d.day))
        row.addWidget(self.test_date)
        self.plan_test_button = QPushButton(self.tr("Plan the test"))
        self.plan_test_button.setObjectName("plan_test_button")
        self.plan_test_button.clicked.connect(self.plan_annual_test)
        row.addWidget(self.plan_test_button, 1)
        v.addLayout(row)
        times = QLabel(self.tr("Pre-warning 10:00, air raid 10:08, all clear 10:16"))
        times.setObjectName("panel_hint")
        v.addWidget(times)
        self.test_label = QLabel(self.tr("No test planned."))
        self.test_label.setObjectName("test_label")
        self.test_label.setWordWrap(True)
        v.addWidget(self.test_label)
        layout.addWidget(test)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(1000)
        self.refresh_timer.timeout.connect(self.refresh_board)
        self._update_permissions()
        self._update_ack_button()
        self._update_countdown()

    # --- setup ----------------------------------------------------------------------------------------

    def _set_board_headers(self) -> None:
        self.board_model.set_headers(
            [
                self.tr("District"),
                self.tr("Name"),
                self.tr("Sent"),
                self.tr("Received"),
                self.tr("Acknowledged"),
                self.tr("Seconds"),
            ]
        )

    def _set_hooks_headers(self) -> None:
        self.hooks_model.set_headers(
            [
                self.tr("Hook"),
                self.tr("Where"),
                self.tr("State"),
                self.tr("Attempts"),
                self.tr("Last attempt"),
                self.tr("Detail"),
            ]
        )

    def set_districts(self, districts: tuple[CodeName, ...]) -> None:
        self.district_list.clear()
        for d in districts:
            item = QListWidgetItem(f"{d.code} {d.name}")
            item.setData(Qt.ItemDataRole.UserRole, d.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.district_list.addItem(item)

    def _update_permissions(self) -> None:
        allowed = self.services.is_civil_defence
        reason = self.permission_text()
        for b in [*self.kind_buttons.values(), self.plan_test_button]:
            b.setEnabled(allowed)
            b.setToolTip("" if allowed else reason)
        self.permission_label.setText("" if allowed else reason)
        self.permission_label.setVisible(not allowed)

    def _on_scope_changed(self) -> None:
        self.district_list.setEnabled(self.chosen.isChecked())

    def chosen_districts(self) -> list[str] | None:
        """None for the whole city, else the checked district codes."""
        if self.whole_city.isChecked():
            return None
        return [
            self.district_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.district_list.count())
            if self.district_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def check_districts(self, codes: list[str]) -> None:
        """Choose districts as a user would tick them (tests, scripted drills)."""
        self.chosen.setChecked(True)
        for i in range(self.district_list.count()):
            item = self.district_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # --- issuing --------------------------------------------------------------------------------------

    def request_alarm(self, kind: str) -> bool:
        """Role check, district choice, confirmation, then the order in a worker. False when refused
        or cancelled here."""
        if not self.services.is_civil_defence:
            self._fail(self.permission_text())
            return False
        if self.issuing:
            return False
        districts = self.chosen_districts()
        if districts is not None and not districts:
            self._fail(self.tr("Tick at least one district, or choose the whole city."))
            return False
        where = (
            self.tr("the whole city")
            if districts is None
            else self.tr("districts {codes}").format(codes=", ".join(districts))
        )
        if not self.confirm_alarm(kind, where):
            self._fail(self.tr("Alarm cancelled."))
            return False
        self.issuing = True
        exercise = self.exercise_box.isChecked()
        self.workers.submit(
            lambda: self.services.issue_alarm(kind, districts, exercise=exercise),
            self._on_issued,
            self._on_issue_failed,
        )
        return True

    def permission_text(self) -> str:
        return self.tr(
            "Only the civil-defence officer may sound alarms or plan the annual test; you are logged in "
            "as {role}."
        ).format(role=texts.role_label(self.services.login.role))

    def confirm_alarm(self, kind: str, where: str) -> bool:
        dialog = ConfirmAlarmDialog(
            kind, where, self.services.login.actor, self, exercise=self.exercise_box.isChecked()
        )
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _on_issued(self, board: AlarmBoard) -> None:
        self.issuing = False
        self.show_board(board)
        self.alarm_issued.emit(board)

    def _on_issue_failed(self, exc: BaseException) -> None:
        self.issuing = False
        if isinstance(exc, AlarmPending):
            self._fail(
                self.tr(
                    "Alarm order {id} waits for a second civil-defence officer until {time}: they confirm it "
                    "with their own password in the order's dialog (or from the orders in the status bar)."
                ).format(id=exc.order_id, time=exc.expires_at.strftime("%H:%M:%S"))
            )
            self.order_pending.emit(exc.order)
            return
        self._fail(self.tr("The alarm was not issued: {reason}").format(reason=str(exc)))

    def _fail(self, message: str) -> None:
        self.late_label.setText(message)
        self.alarm_failed.emit(message)

    # --- the board ------------------------------------------------------------------------------------

    def elapsed_s(self) -> float:
        if self.board is None:
            return float(CYCLE_S)
        return (self.services.clock.now() - self.board.issued_at).total_seconds()

    def is_live(self) -> bool:
        b = self.board
        return b is not None and (self.elapsed_s() < CYCLE_S or not b.all_acknowledged)

    def show_board(self, board: AlarmBoard) -> None:
        """Show an alarm (ours or one another console issued) and sound it if it is still in its cycle."""
        self.board = board
        if self._played_alarm != board.alarm_id:
            self._played_alarm = board.alarm_id
            elapsed = self.elapsed_s()
            if elapsed < CYCLE_S:
                # An exercise's alarm (a drill, a test, an exercise's inject) carries the exercise chime.
                self.sound.start(board.kind.value, elapsed, exercise=board.exercise)
        self._draw_board()
        self.board_refreshed.emit(board)
        if self.is_live():
            if not self.refresh_timer.isActive():
                self.refresh_timer.start()
        else:
            self.refresh_timer.stop()

    def refresh_board(self) -> None:
        """Re-read the current alarm's deliveries (a short indexed read, on the GUI thread)."""
        if self.board is None:
            self.refresh_timer.stop()
            self._update_countdown()
            return
        try:
            board = self.services.board(self.board.alarm_id)
        except Exception as exc:  # noqa: BLE001 - a lost database must show, not kill the timer
            self.late_label.setText(self.tr("The board could not be read: {reason}").format(reason=str(exc)))
            return
        self.show_board(board)

    def load_latest(self) -> None:
        board = self.services.latest_board()
        if board is not None:
            self.show_board(board)

    def on_journal_events(self, events) -> None:
        kinds = {e.kind for e in events}
        # A console attached to a node: an alarm arrives, or moves on, as a replicated /alarm/ key.
        replicated = any(str((e.payload or {}).get("key", "")).startswith("/alarm/") for e in events)
        if "alarm.issued" in kinds or replicated:
            self.load_latest()  # perhaps another console's order: show and sound it
        elif any(k.startswith(("alarm.", "cap.")) for k in kinds):  # cap.*: a hook's delivery moved on
            self.refresh_board()
        if "alarm_test.planned" in kinds:
            self.load_test_plans()

    def _draw_board(self) -> None:
        b = self.board
        if b is None:
            return
        selected = self.selected_district()
        rows, keys, flags = [], [], []
        for d in b.deliveries:
            rows.append(
                (
                    d.district,
                    d.name,
                    _hms(d.sent_at),
                    _hms(d.received_at),
                    _hms(d.acknowledged_at),
                    f"{d.ack_seconds:.1f}" if d.ack_seconds is not None else "",
                )
            )
            keys.append(d.district)
            flags.append("late" if d.late else ("ok" if d.acknowledged_at else ""))
        self.board_model.set_rows(rows, keys, flags)
        # The row stays selected across redraws; at first, a district's login finds its own row chosen.
        self.select_district(selected or self.services.login.district_code or "")
        self._update_ack_button()
        text = self.tr("{signal} · alarm {id} · issued {time} by {actor}").format(
            signal=labels.signal_name(b.kind.value),
            id=b.alarm_id,
            time=b.issued_at.strftime("%Y-%m-%d %H:%M:%S"),
            actor=b.issued_by,
        )
        # An exercise alarm carries the mark first, in the exercise's colours, on every console.
        self.alarm_label.setText(f"{STAMP} · {text}" if b.exercise else text)
        self.alarm_label.setStyleSheet(
            f"color: {MARK_FG if b.exercise else KIND_COLOURS.get(b.kind.value, '#ffffff')}; font-weight: 700;"
        )
        acked = sum(1 for d in b.deliveries if d.acknowledged_at is not None)
        late = b.late
        text = self.tr("{acked} of {total} districts acknowledged.").format(
            acked=acked, total=len(b.deliveries)
        )
        if late:
            text += " " + self.tr("Not acknowledged within {limit:g} s: {codes}").format(
                limit=ACK_LIMIT_S, codes=", ".join(late)
            )
        self.late_label.setText(text)
        self.late_label.setStyleSheet("color: #ff6b6b; font-weight: 700;" if late else "")
        self._draw_hooks(b)
        self._update_countdown()

    def _draw_hooks(self, b: AlarmBoard) -> None:
        rows, keys, flags = [], [], []
        for h in b.hooks:
            last = h.attempts[-1] if h.attempts else None
            when = ""
            if last is not None:
                when = f"{_hms(last.started_at)} {labels.attempt_outcome(last.outcome)}"
            rows.append(
                (
                    str(h.hook_id),
                    h.target,
                    labels.hook_state(h.state),
                    f"{len(h.attempts)}/{h.max_attempts}",
                    when,
                    last.detail if last is not None else "",
                )
            )
            keys.append(h.hook_id)
            flags.append({"delivered": "ok", "gave_up": "late", "retrying": "warn"}.get(h.state, ""))
        self.hooks_model.set_rows(rows, keys, flags)
        if not b.hooks:
            self.hooks_label.setText(self.tr("CAP alert: no outbound hook (alarm hook add)."))
        else:
            done = sum(1 for h in b.hooks if h.state == "delivered")
            self.hooks_label.setText(
                self.tr("CAP alert {identifier}: delivered to {done} of {total} hooks.").format(
                    identifier=b.hooks[0].identifier, done=done, total=len(b.hooks)
                )
            )

    def _update_countdown(self) -> None:
        b = self.board
        if b is None:
            self.countdown_label.setText("")
            return
        pos = cycle_position(b.kind.value, self.elapsed_s())
        if pos.over:
            self.countdown_label.setText(self.tr("Signal finished."))
            self.sound.stop()
            return
        phase = self.tr("SOUNDING") if pos.sounding else self.tr("pause")
        left = int(round(pos.cycle_left_s))
        self.countdown_label.setText(
            self.tr("{phase} {phase_left} s · burst {burst} of {bursts} · cycle ends in {m}:{s:02d}").format(
                phase=phase,
                phase_left=int(round(pos.phase_left_s)),
                burst=pos.burst,
                bursts=pos.bursts,
                m=left // 60,
                s=left % 60,
            )
        )

    # --- acknowledging --------------------------------------------------------------------------------

    def selected_district(self) -> str | None:
        rows = self.board_view.selectionModel().selectedRows()
        return str(self.board_model.key(rows[0].row())) if rows else None

    def select_district(self, district: str) -> bool:
        r = self.board_model.row_of(district)
        if r < 0:
            return False
        self.board_view.selectRow(r)
        return True

    def _delivery(self, district: str | None) -> DeliveryStatus | None:
        if self.board is None or district is None:
            return None
        return next((d for d in self.board.deliveries if d.district == district), None)

    def ack_refusal(self) -> str:
        """Why the acknowledge button is disabled ("" when it is not)."""
        if self.board is None:
            return self.tr("No alarm to acknowledge.")
        delivery = self._delivery(self.selected_district())
        if delivery is None:
            return self.tr("Select a district's row on the board.")
        if not self.services.acts_for(delivery.district):
            return self.tr(
                "You act for district {own}; district {district} acknowledges its own delivery."
            ).format(own=self.services.login.district_code, district=delivery.district)
        if delivery.acknowledged_at is not None:
            return self.tr("District {district} acknowledged at {time} ({by}).").format(
                district=delivery.district,
                time=_hms(delivery.acknowledged_at),
                by=delivery.acknowledged_by or "—",
            )
        if self.acknowledging:
            return self.tr("Recording the acknowledgement…")
        return ""

    def _update_ack_button(self, *_args) -> None:
        reason = self.ack_refusal()
        self.ack_button.setEnabled(not reason)
        self.ack_button.setToolTip(reason)
        district = self.selected_district()
        self.ack_button.setText(
            self.tr("Acknowledge for district {district}").format(district=district)
            if district
            else self.tr("Acknowledge for the district")
        )

    def acknowledge_selected(self) -> bool:
        """Record the selected district's acknowledgement in a worker; False when refused here."""
        district = self.selected_district()
        reason = self.ack_refusal()
        if self.board is None or district is None or reason:
            self._ack_failed(reason)
            return False
        self.acknowledging = True
        self._update_ack_button()
        alarm_id = self.board.alarm_id
        self.workers.submit(
            lambda: self.services.acknowledge_alarm(alarm_id, district),
            self._on_acknowledged,
            self._on_ack_error,
        )
        return True

    def _on_acknowledged(self, delivery: DeliveryStatus) -> None:
        self.acknowledging = False
        self.ack_hint.setText(
            self.tr("District {district} acknowledged at {time}, {seconds:.1f} s after sending.").format(
                district=delivery.district,
                time=_hms(delivery.acknowledged_at),
                seconds=delivery.ack_seconds or 0.0,
            )
        )
        self.refresh_board()
        self._update_ack_button()
        self.alarm_acknowledged.emit(delivery)

    def _on_ack_error(self, exc: BaseException) -> None:
        self.acknowledging = False
        self._update_ack_button()
        self._ack_failed(self.tr("The acknowledgement was not recorded: {reason}").format(reason=str(exc)))

    def _ack_failed(self, message: str) -> None:
        self.ack_hint.setText(message)
        self.alarm_failed.emit(message)

    # --- sound ----------------------------------------------------------------------------------------

    def set_muted(self, muted: bool) -> None:
        if self.mute_button.isChecked() != muted:
            self.mute_button.setChecked(muted)  # comes back here through toggled
            return
        self.mute_button.setText(self.tr("Unmute") if muted else self.tr("Mute"))
        live = self.board is not None and self.elapsed_s() < CYCLE_S
        self.sound.set_muted(
            muted,
            self.board.kind.value if live else None,
            self.elapsed_s(),
            exercise=self.board is not None and self.board.exercise,
        )

    # --- the annual test ------------------------------------------------------------------------------

    def plan_annual_test(self) -> None:
        if not self.services.is_civil_defence:
            self._fail(self.permission_text())
            return
        q = self.test_date.date()
        date = dt.date(q.year(), q.month(), q.day())
        self.workers.submit(
            lambda: self.services.plan_annual_test(date), self._on_test_planned, self._on_test_failed
        )

    def _on_test_planned(self, plan: TestPlan) -> None:
        self.load_test_plans()
        self.test_planned.emit(plan)

    def _on_test_failed(self, exc: BaseException) -> None:
        self.test_label.setText(self.tr("The test was not planned: {reason}").format(reason=str(exc)))

    def load_test_plans(self) -> None:
        plans = self.services.test_plans()
        if not plans:
            self.test_label.setText(self.tr("No test planned."))
            return
        lines = []
        for p in plans[:3]:
            times = ", ".join(
                f"{labels.signal_name(k.value)} {a.strftime('%H:%M')}" for _i, k, a, _b in p.signals
            )
            lines.append(f"{p.date.isoformat()}: {times}")
        self.test_label.setText("\n".join(lines))
