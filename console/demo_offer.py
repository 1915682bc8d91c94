"""First run: offer to start "a busy day" at 60x as a DEMO exercise, so the queue, the map, the dashboard
and the emergency page move within a minute of opening the demo city. None of it counts in the real
figures: it is an exercise, its records carry its id.

An exercise is started by a drill coordinator (or the city commander), who signs in here with their own
password: the console's person may be anyone, and the door takes the actor from the sign-in, never from
this dialog's say-so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from console.dto import Login
from console.gateway import LocalGateway
from console.workers import WorkerPool
from data.demo_city import DRILL_COORDINATOR

DEMO_SCENARIO = "busy_day"
DEMO_SPEED = 60.0
DEMO_FROM = "08:00"  # a working morning: reports come in at once, the first sudden event at 08:40


def demo_start_args() -> dict[str, Any]:
    return {"builtin": DEMO_SCENARIO, "speed": DEMO_SPEED, "from": DEMO_FROM, "demo": True}


class DemoOfferDialog(QDialog):
    """Start the demo exercise, or not now. ``started`` carries the exercise's id."""

    started = Signal(int)

    def __init__(
        self,
        authenticate: Callable[[str, str], Login],
        make_session,
        clock,
        workers: WorkerPool,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._authenticate = authenticate
        self._make_session = make_session
        self._clock = clock
        self._workers = workers
        self.setWindowTitle(self.tr("Sanwei · a demo that moves"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "This is the demo city of Harbin with a month of case history.\n\n"
                "Start “a busy day” as a DEMO exercise? About 2,000 reports and three sudden events "
                "arrive over 24 scenario hours, played 60 times faster from 08:00: the queue, the map, "
                "the dashboard and the emergency page move within a minute. It ends by itself about 16 "
                "minutes later, once the day's last report is out.\n\n"
                "It is marked EXERCISE / 演练 on every screen and none of it counts in the real figures. "
                "The drill coordinator starts it (the demo password is sanwei-demo)."
            )
        )
        intro.setWordWrap(True)
        intro.setMinimumWidth(460)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login_edit = QLineEdit(DRILL_COORDINATOR)
        self.login_edit.setObjectName("demo_login")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("demo_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Drill coordinator"), self.login_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setObjectName("demo_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            self.tr("Start the demo"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setObjectName("demo_start")
        later = self.buttons.addButton(self.tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        later.setObjectName("demo_later")
        self.start_button.clicked.connect(self._on_start)
        later.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.password_edit.setFocus()

    def _on_start(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        self.start_button.setEnabled(False)
        self.message.setText(self.tr("Checking the scenario against the city and starting it…"))

        def start() -> int:
            person = self._authenticate(login, password)
            gateway = LocalGateway(self._make_session, self._clock, person)
            return gateway.write("exercise.start", demo_start_args(), decode=lambda r: int(r["id"]))

        self._workers.submit(start, self._on_started, self._on_failed)

    def _on_started(self, exercise_id: int) -> None:
        self.started.emit(exercise_id)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.start_button.setEnabled(True)
        self.message.setText(str(exc))
