"""The case layer's moment: the open cases now (live), or as they stood at a chosen past instant.

A small box under the cases layer's legend: a date-time in the city's local time, "Show" draws the cases
that were open then in their state then (``modes.everyday.case_map.open_cases_as_of``), "Now" returns
to the live layer. While a past moment is shown the box says so, and the layer does not follow new case
events (they happened after it).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import QDateTimeEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class MomentBox(QWidget):
    moment_chosen = Signal(object)  # a datetime (city local time), or None for now

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("case_moment")
        self.edit = QDateTimeEdit()
        self.edit.setObjectName("case_moment_at")
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setCalendarPopup(True)
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setObjectName("case_moment_show")
        self.show_button.setToolTip(
            self.tr("Draw the cases that were open at this moment, in their state then")
        )
        self.now_button = QPushButton(self.tr("Now"))
        self.now_button.setObjectName("case_moment_now")
        self.now_button.setToolTip(self.tr("Back to the live cases"))
        self.now_button.setEnabled(False)
        self.state = QLabel(self.tr("Cases: live"))
        self.state.setObjectName("case_moment_state")
        self.state.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.show_button)
        row.addWidget(self.now_button)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 2, 0, 0)
        col.addLayout(row)
        col.addWidget(self.state)
        self.show_button.clicked.connect(self._on_show)
        self.now_button.clicked.connect(lambda: self.moment_chosen.emit(None))

    def set_now(self, now: dt.datetime) -> None:
        """The console clock's now: the latest moment offered, and the default one (an hour before)."""
        self.edit.setMaximumDateTime(QDateTime(now.replace(second=0, microsecond=0)))
        if not self.now_button.isEnabled():
            self.edit.setDateTime(QDateTime(now.replace(second=0, microsecond=0) - dt.timedelta(hours=1)))

    def _on_show(self) -> None:
        self.moment_chosen.emit(self.edit.dateTime().toPython())

    def show_state(self, at: dt.datetime | None, count: int) -> None:
        """What the layer draws now: live, or the cases open at ``at`` (``count`` of them)."""
        self.now_button.setEnabled(at is not None)
        if at is None:
            self.state.setText(self.tr("Cases: live"))
        else:
            self.state.setText(
                self.tr("Cases open at {at}: {count} (the map shows that moment)").format(
                    at=f"{at:%Y-%m-%d %H:%M}", count=f"{count:,}"
                )
            )
