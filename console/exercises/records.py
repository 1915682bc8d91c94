"""The console-wide exercise-records setting in the status bar: "Exercise records: leave out / include /
only". It shows and changes ``ConsoleServices.exercise_records``; the queue (and whatever else counts
cases) follows the services' signal, never this box."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from console.exercises import texts
from console.services import ConsoleServices
from modes.everyday.case_filter import EXERCISE_CHOICES


class ExerciseRecordsBox(QWidget):
    def __init__(self, services: ConsoleServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setObjectName("exercise_records")
        label = QLabel(self.tr("Exercise records:"))
        self.box = QComboBox()
        self.box.setObjectName("exercise_records_box")
        for choice in EXERCISE_CHOICES:
            self.box.addItem(texts.records_label(choice), choice)
        self.box.setToolTip(
            self.tr(
                "Whether lists and figures leave out the records exercises made (cases, incidents, "
                "alarms), include them, or show only them. While an exercise is on this is “include”."
            )
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(label)
        row.addWidget(self.box)
        self.box.currentIndexChanged.connect(self._on_chosen)
        services.exercise_records_changed.connect(self._on_setting)
        self._on_setting(services.exercise_records)

    def _on_chosen(self, _index: int) -> None:
        self.services.set_exercise_records(self.box.currentData())

    def _on_setting(self, choice: str) -> None:
        i = self.box.findData(choice)
        if i != self.box.currentIndex():
            self.box.setCurrentIndex(i)
        emphasis = choice != "leave"
        self.box.setStyleSheet(f"color: {texts.MARK_FG}; font-weight: 700;" if emphasis else "")
