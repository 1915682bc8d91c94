"""The strip at the top of the civil-defence page, and the sirens tab behind it.

The strip answers the commander's four questions at a glance: how many people hear the sirens, how
many shelter places there are, how many people have no place, how many sirens are out. Its figures are
the modes' own (``CoverageModel.report``, the optimal ``EvacuationPlan``), never recomputed here.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.civil_defence.services import CoverageView, Summary
from console.civil_defence.tables import RowsTableModel
from modes.civil_defence.coverage import SirenSuggestion


class SummaryStrip(QFrame):
    """Population covered by sirens, sheltered capacity, unplaced people, sirens out of service."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cd_summary")
        self.setStyleSheet(
            "QFrame#cd_summary { border-bottom: 2px solid #ffb300; }"
            "QLabel[stat='value'] { font-size: 15pt; font-weight: 700; color: #ffc53d; }"
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(0)
        self.values: dict[str, QLabel] = {}
        tiles = [
            ("covered", self.tr("Covered by sirens")),
            ("capacity", self.tr("Shelter places")),
            ("unplaced", self.tr("Unplaced people")),
            ("sirens_out", self.tr("Sirens out of service")),
        ]
        for i, (key, caption) in enumerate(tiles):
            value = QLabel("—")
            value.setObjectName(f"summary_{key}")
            value.setProperty("stat", "value")
            name = QLabel(caption)
            name.setObjectName("stat_name")
            # Two tiles a row: the page is a side panel, four numbers side by side would be cut off.
            r, c = divmod(i, 2)
            grid.addWidget(value, 2 * r, c)
            grid.addWidget(name, 2 * r + 1, c)
            self.values[key] = value
        self.suggestions_label = QLabel()
        self.suggestions_label.setObjectName("summary_suggestions")
        self.suggestions_label.setWordWrap(True)
        grid.addWidget(self.suggestions_label, 4, 0, 1, 2)
        self.suggestions_label.hide()
        self.summary: Summary | None = None

    def set_summary(self, s: Summary) -> None:
        self.summary = s
        self.values["covered"].setText(f"{s.covered:,.0f} ({100 * s.covered_share:.1f}%)")
        self.values["capacity"].setText(f"{s.sheltered_capacity:,}")
        self.values["unplaced"].setText(f"{s.unplaced:,}")
        self.values["unplaced"].setStyleSheet("color: #ff6b6b;" if s.unplaced else "color: #4cd07d;")
        self.values["sirens_out"].setText(f"{s.sirens_out} / {s.sirens_total}")

    def set_suggestions(self, picks: list[SirenSuggestion]) -> None:
        if not picks:
            self.suggestions_label.hide()
            return
        gains = " · ".join(f"#{p.rank} {p.cell} +{p.gain_people:,.0f}" for p in picks)
        self.suggestions_label.setText(
            self.tr("{n} new sirens suggested: {gains}").format(n=len(picks), gains=gains)
        )
        self.suggestions_label.show()

    def value(self, key: str) -> str:
        return self.values[key].text()


class SirensPanel(QWidget):
    """Coverage by district, and where N new sirens would cover the most uncovered people."""

    suggest_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.coverage_label = QLabel(self.tr("Siren coverage is being computed…"))
        self.coverage_label.setObjectName("coverage_label")
        self.coverage_label.setWordWrap(True)
        layout.addWidget(self.coverage_label)
        self.district_model = RowsTableModel(
            [
                self.tr("District"),
                self.tr("Name"),
                self.tr("Population"),
                self.tr("Covered"),
                self.tr("Uncovered"),
                self.tr("Sirens in service"),
                self.tr("Sirens out"),
            ]
        )
        self.district_model.set_numeric_columns([2, 3, 4, 5, 6])
        view = QTableView()
        view.setObjectName("coverage_table")
        view.setModel(self.district_model)
        view.verticalHeader().hide()
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(view, 1)

        box = QGroupBox(self.tr("Suggest new sirens"))
        v = QVBoxLayout(box)
        row = QHBoxLayout()
        self.count_box = QSpinBox()
        self.count_box.setObjectName("suggest_count")
        self.count_box.setRange(1, 20)
        self.count_box.setValue(3)
        row.addWidget(self.count_box)
        self.suggest_button = QPushButton(self.tr("Suggest sites"))
        self.suggest_button.setObjectName("suggest_button")
        self.suggest_button.clicked.connect(lambda: self.suggest_requested.emit(self.count_box.value()))
        row.addWidget(self.suggest_button, 1)
        v.addLayout(row)
        self.suggestion_model = RowsTableModel(
            [
                self.tr("Rank"),
                self.tr("Cell"),
                self.tr("District"),
                self.tr("People gained"),
                self.tr("Covered after"),
            ]
        )
        self.suggestion_model.set_numeric_columns([0, 3, 4])
        table = QTableView()
        table.setObjectName("suggestion_table")
        table.setModel(self.suggestion_model)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        v.addWidget(table)
        self.suggestion_label = QLabel()
        self.suggestion_label.setObjectName("panel_hint")
        self.suggestion_label.setWordWrap(True)
        v.addWidget(self.suggestion_label)
        layout.addWidget(box)

    def set_coverage(self, view: CoverageView) -> None:
        r = view.report
        share = r.covered / r.population if r.population else 0.0
        self.coverage_label.setText(
            self.tr(
                "{covered} of {population} people ({share:.1f}%) hear a siren; {sirens} of {total} sirens "
                "in service; {cells} populated cells not fully covered."
            ).format(
                covered=f"{r.covered:,.0f}",
                population=f"{r.population:,.0f}",
                share=100 * share,
                sirens=r.sirens_in_service,
                total=r.sirens_total,
                cells=f"{len(r.uncovered_cells):,}",
            )
        )
        self.district_model.set_rows(
            [
                (
                    d.district,
                    d.name,
                    f"{d.population:,.0f}",
                    f"{d.covered:,.0f}",
                    f"{d.uncovered:,.0f}",
                    d.sirens_in_service,
                    d.sirens_out,
                )  # fmt: skip
                for d in r.districts
            ],
            [d.district for d in r.districts],
            [
                "warn" if d.sirens_out or d.uncovered >= 0.5 * max(d.population, 1) else ""
                for d in r.districts
            ],
        )

    def set_suggestions(self, picks: list[SirenSuggestion]) -> None:
        self.suggestion_model.set_rows(
            [
                (p.rank, p.cell, p.district, f"+{p.gain_people:,.0f}", f"{p.covered_after:,.0f}")
                for p in picks
            ],
            [p.rank for p in picks],
        )
        if picks:
            gained = sum(p.gain_people for p in picks)
            self.suggestion_label.setText(
                self.tr("{n} new sirens would cover {gain} more people (shown as stars on the map).").format(
                    n=len(picks), gain=f"{gained:,.0f}"
                )
            )
        else:
            self.suggestion_label.setText(self.tr("No site would cover anyone new."))
