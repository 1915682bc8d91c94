"""The two-person rule at the console: a second person confirms (or refuses) a waiting order with their own
login and password, and a view of every order still waiting.

Under the rule (a city setting) a wartime switch or an air-raid alarm comes back as an *order* that takes
effect only when a second authorised person confirms it within 60 s. The second officer usually stands
beside the first: ``ConfirmOrderDialog`` takes their login and password and sends ``order.confirm`` or
``order.refuse`` carrying them (``ConsoleServices.confirm_order``). The command bus, on this console's
database or at the node it is attached to, checks the password, counts a wrong one towards the lock and
records the person it authenticated, never the console's own login. ``PendingOrdersView`` (opened from
the status bar) lists the waiting orders with what, who and the time left, and opens the dialog for one.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.civil_defence import labels
from console.confirm import lay_out_confirmation
from console.gateway import OrderDecision
from console.theme import MODE_STYLES
from console.workers import WorkerPool
from modes.common.auth import LOCK_FOR, MAX_FAILURES
from modes.common.mode_switch import Mode
from modes.common.orders import OrderView

translate = QCoreApplication.translate
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
EXPIRED_BRUSH = QBrush(QColor(183, 28, 28))
CLOSING_BRUSH = QBrush(QColor(122, 74, 0))  # fewer than CLOSING_S seconds left
CLOSING_S = 15


def seconds_left(order: OrderView, now: dt.datetime) -> int:
    return max(0, int((order.expires_at - now).total_seconds()))


def act_text(order: OrderView) -> str:
    """What the order does, in the console's language (the node's own line when the act is unknown here)."""
    if order.act == "mode.switch":
        return translate("OrderTexts", "Switch the city to {mode} mode").format(
            mode=texts.mode_label(str(order.args.get("mode")))
        )
    if order.act == "alarm.issue":
        districts = order.args.get("districts") or []
        where = ", ".join(districts) if districts else translate("OrderTexts", "all districts")
        return translate("OrderTexts", "Sound the {signal} signal in {where}").format(
            signal=labels.signal_name(str(order.args.get("kind"))), where=where
        )
    return order.what


def decision_text(decision: OrderDecision, order: OrderView) -> str:
    """Why the node said no, in the console's language."""
    who = decision.login or translate("OrderTexts", "this login")
    reason = decision.reason
    if reason == "unknown":
        return translate("OrderTexts", "Unknown login {login}.").format(login=who)
    if reason == "no_password":
        return translate(
            "OrderTexts", "{login} has no password yet: ask the administrator to set one."
        ).format(login=who)
    if reason == "wrong_password":
        return translate(
            "OrderTexts",
            "Wrong password for {login}: {n} failed tries in a row; after {max} the login is locked for {s} s.",
        ).format(login=who, n=decision.failures, max=MAX_FAILURES, s=int(LOCK_FOR.total_seconds()))
    if reason == "locked":
        until = decision.locked_until.strftime("%H:%M:%S") if decision.locked_until else "?"
        return translate("OrderTexts", "{login} is locked after {max} failed tries, until {time}.").format(
            login=who, max=MAX_FAILURES, time=until
        )
    if reason == "same_person":
        return translate(
            "OrderTexts", "{login} gave this order: a second person must confirm it, not the one who asked."
        ).format(login=who)
    if reason == "not_authorised":
        return translate("OrderTexts", "{login} is not authorised to decide on this order: {detail}").format(
            login=who, detail=decision.message
        )
    if reason == "expired":
        return translate(
            "OrderTexts",
            "Order {id} expired at {time} before anyone confirmed it: nothing was done. Ask again.",
        ).format(id=order.id, time=order.expires_at.strftime("%H:%M:%S"))
    if reason == "decided":
        return translate("OrderTexts", "Order {id} was already decided: {detail}").format(
            id=order.id, detail=decision.message
        )
    return translate("OrderTexts", "Refused: {detail}").format(detail=decision.message)


class ConfirmOrderDialog(QDialog):
    """One waiting order: what it does, who asked and why, the time left, and the second person's login
    and password. Confirm and Refuse send the decision with those credentials; the node's answer shows
    here (a refusal keeps the dialog open for another try). Enter does nothing: deciding is a click."""

    decided = Signal(object)  # OrderDecision, ok: the order was confirmed or refused
    refused = Signal(str)  # the text shown when the node said no

    def __init__(self, services, workers: WorkerPool, order: OrderView, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.workers = workers
        self.order = order
        self.busy = False
        self.closed_for_good = False  # the order is past deciding (expired, decided elsewhere)
        self.decision: OrderDecision | None = None
        self.setWindowTitle(self.tr("Order {id} waits for a second person").format(id=order.id))
        target = order.args.get("mode") if order.act == "mode.switch" else None
        style = MODE_STYLES[Mode(target) if target in {m.value for m in Mode} else Mode.CIVIL_DEFENCE]
        lay_out_confirmation(
            self,
            name="confirm_order_dialog",
            border=style.accent,
            banner_fg=style.banner_fg,
            banner_bg=style.banner_bg,
            title=act_text(order),
            body=self.tr(
                "Order {id}, given by {who} ({role}) at {time}. Reason: {reason}\n"
                "The two-person rule is on: it takes effect only when a second authorised person "
                "confirms it with their own login and password. The journal records both persons."
            ).format(
                id=order.id,
                who=order.requested_by,
                role=texts.role_label(order.requested_role),
                time=order.requested_at.strftime("%H:%M:%S"),
                reason=order.reason or "—",
            ),
            confirm_text=self.tr("Confirm order"),
            cancel_text=self.tr("Close"),
        )
        self.confirm_button.clicked.disconnect(self.accept)
        self.confirm_button.clicked.connect(self.confirm)
        self.refuse_button = QPushButton(self.tr("Refuse order"))
        self.refuse_button.setObjectName("refuse_button")
        self.refuse_button.clicked.connect(self.refuse)
        for button in (self.confirm_button, self.cancel_button, self.refuse_button):
            button.setAutoDefault(False)
            button.setDefault(False)

        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("order_countdown")
        self.countdown_label.setStyleSheet("font-size: 13pt; font-weight: 700;")
        self.login_edit = QLineEdit()
        self.login_edit.setObjectName("second_login_edit")
        self.login_edit.setProperty("data_text", True)  # a staff login, as typed
        self.login_edit.setPlaceholderText(self.tr("the second person's login"))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("second_password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("refuse_note_edit")
        self.note_edit.setPlaceholderText(self.tr("why (when refusing; recorded in the journal)"))
        form = QFormLayout()
        form.addRow(self.tr("Second person's login"), self.login_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        form.addRow(self.tr("Note"), self.note_edit)
        self.message_label = QLabel()
        self.message_label.setObjectName("order_message")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #d9534f;")
        self.message_label.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(2, self.countdown_label)
        layout.insertLayout(3, form)
        layout.insertWidget(4, self.message_label)
        buttons = layout.itemAt(layout.count() - 1).layout()
        assert isinstance(buttons, QHBoxLayout)
        buttons.insertWidget(buttons.indexOf(self.confirm_button), self.refuse_button)

        self.setMinimumWidth(560)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.update_countdown)
        self.timer.start()
        self.update_countdown()
        self.login_edit.setFocus()

    # --- what shows -----------------------------------------------------------------------------------

    def seconds_left(self) -> int:
        return seconds_left(self.order, self.services.clock.now())

    def update_countdown(self) -> None:
        left = self.seconds_left()
        if left > 0:
            self.countdown_label.setText(self.tr("{s} s left to confirm").format(s=left))
            colour = "#ffb300" if left < CLOSING_S else ""
        else:
            # The node decides (its clock, not this console's): the buttons stay until it says so.
            self.countdown_label.setText(
                self.tr("Time is up: the order expired at {time}").format(
                    time=self.order.expires_at.strftime("%H:%M:%S")
                )
            )
            colour = "#e53935"
        self.countdown_label.setStyleSheet(
            "font-size: 13pt; font-weight: 700;" + (f" color: {colour};" if colour else "")
        )

    def show_message(self, text: str, *, error: bool = True) -> None:
        self.message_label.setStyleSheet("color: #d9534f;" if error else "")
        self.message_label.setText(text)
        self.message_label.show()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        enabled = not busy and not self.closed_for_good
        for widget in (self.confirm_button, self.refuse_button, self.login_edit, self.password_edit):
            widget.setEnabled(enabled)

    # --- deciding -------------------------------------------------------------------------------------

    def confirm(self) -> bool:
        """Send the confirmation as the person whose login and password are typed. False when not sent."""
        return self._send(confirm=True)

    def refuse(self) -> bool:
        return self._send(confirm=False)

    def _send(self, *, confirm: bool) -> bool:
        if self.busy or self.closed_for_good:
            return False
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login:
            self.show_message(self.tr("Enter the second person's login."))
            self.refused.emit(self.message_label.text())
            return False
        if not password:
            self.show_message(self.tr("Enter {login}'s password.").format(login=login))
            self.refused.emit(self.message_label.text())
            return False
        self._set_busy(True)
        self.show_message(self.tr("Checking {login}'s password…").format(login=login), error=False)
        order_id, note, services = self.order.id, self.note_edit.text(), self.services
        if confirm:
            work = lambda: services.confirm_order(order_id, login, password)  # noqa: E731
        else:
            work = lambda: services.refuse_order(order_id, login, password, note)  # noqa: E731
        self.workers.submit(work, self._on_answer, self._on_failed)
        return True

    def _on_answer(self, decision: OrderDecision) -> None:
        self.password_edit.clear()
        if decision.order is not None:
            self.order = decision.order
        if decision.ok:
            self.decision = decision
            self.closed_for_good = True
            self._set_busy(False)
            self.timer.stop()
            self.decided.emit(decision)
            self.accept()
            return
        if decision.reason in ("expired", "decided"):
            self.closed_for_good = True
            self.timer.stop()
            self.update_countdown()
        self._set_busy(False)
        text = decision_text(decision, self.order)
        self.show_message(text)
        self.refused.emit(text)

    def _on_failed(self, exc: BaseException) -> None:
        self.password_edit.clear()
        self._set_busy(False)
        text = self.tr("The decision did not go through: {reason}").format(reason=str(exc))
        self.show_message(text)
        self.refused.emit(text)

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)


class OrdersTableModel(QAbstractTableModel):
    """The waiting orders: number, what, who asked, why, and the seconds left (counted on the console's
    clock; red once up, amber in the last seconds)."""

    COLUMNS = 5
    LEFT = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.orders: tuple[OrderView, ...] = ()
        self.now = dt.datetime.min
        self._headers: list[str] = []

    def set_headers(self, headers: list[str]) -> None:
        self._headers = headers
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMNS - 1)

    def set_orders(self, orders: tuple[OrderView, ...], now: dt.datetime) -> None:
        self.beginResetModel()
        self.orders, self.now = tuple(orders), now
        self.endResetModel()

    def set_now(self, now: dt.datetime) -> None:
        self.now = now
        if self.orders:
            self.dataChanged.emit(self.index(0, self.LEFT), self.index(len(self.orders) - 1, self.LEFT))

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.orders)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        order, column = self.orders[index.row()], index.column()
        left = seconds_left(order, self.now)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(order.id)
            if column == 1:
                return act_text(order)
            if column == 2:
                return f"{order.requested_by} ({texts.role_label(order.requested_role)})"
            if column == 3:
                return order.reason
            return (
                translate("OrderTexts", "{s} s").format(s=left)
                if left
                else translate("OrderTexts", "expired")
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == self.LEFT:
            return EXPIRED_BRUSH if not left else CLOSING_BRUSH if left < CLOSING_S else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, self.LEFT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class PendingOrdersView(QDialog):
    """Every order waiting for a second person, with the time left; "Confirm or refuse…" (or a double
    click) opens the confirmation dialog for the chosen one (``order_chosen``). The main window feeds it
    (``set_orders``) whenever it reads the orders again."""

    order_chosen = Signal(object)  # OrderView
    refresh_requested = Signal()

    def __init__(self, clock, parent: QWidget | None = None):
        super().__init__(parent)
        self.clock = clock
        self.setObjectName("pending_orders_view")
        self.setWindowTitle(self.tr("Orders waiting for a second person"))
        self.setMinimumWidth(760)
        hint = QLabel(
            self.tr(
                "Under the two-person rule a wartime switch or an air-raid alarm takes effect only when a "
                "second authorised person confirms it with their own password within 60 s."
            )
        )
        hint.setObjectName("panel_hint")
        hint.setWordWrap(True)
        self.model = OrdersTableModel(self)
        self.model.set_headers(
            [self.tr("No."), self.tr("Order"), self.tr("Given by"), self.tr("Reason"), self.tr("Time left")]
        )
        self.table = QTableView()
        self.table.setObjectName("pending_orders_table")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the reason takes what is left
        self.table.doubleClicked.connect(lambda index: self._choose(index.row()))
        self.empty_label = QLabel(self.tr("No order is waiting for a second person."))
        self.empty_label.setObjectName("no_orders_label")
        self.decide_button = QPushButton(self.tr("Confirm or refuse…"))
        self.decide_button.setObjectName("decide_button")
        self.decide_button.clicked.connect(lambda: self._choose(self.selected_row()))
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.refresh_requested.emit)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(refresh)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.decide_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.set_orders(())

    def set_orders(self, orders: tuple[OrderView, ...]) -> None:
        chosen = self.selected_order()
        self.model.set_orders(orders, self.clock.now())
        self.empty_label.setVisible(not orders)
        self.table.setVisible(bool(orders))
        ids = [o.id for o in orders]
        row = ids.index(chosen.id) if chosen is not None and chosen.id in ids else 0 if orders else -1
        if row >= 0:
            self.table.selectRow(row)
        self._update_buttons()

    def tick(self) -> None:
        self.model.set_now(self.clock.now())
        self._update_buttons()

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def selected_order(self) -> OrderView | None:
        row = self.selected_row()
        return self.model.orders[row] if 0 <= row < len(self.model.orders) else None

    def _update_buttons(self) -> None:
        self.decide_button.setEnabled(self.selected_order() is not None)

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self.model.orders):
            self.order_chosen.emit(self.model.orders[row])

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)
