"""The strip at the top of the civil-defence page, and the sirens tab behind it.

The strip answers the commander's four questions at a glance: how many people hear the sirens, how
many shelter places there are, how many people have no place, how many sirens are out. Its figures are
the modes' own (``CoverageModel.report``, the optimal ``EvacuationPlan``), never recomputed here.

The sirens tab lists every siren with its status; the civil-defence officer marks one faulty (out of
service, damaged) or back in service there (the ``siren.status`` command, in the worker pool), and the
page recomputes the coverage. A district's officer keeps the sirens of their own district; other logins
see the control disabled with the reason.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.civil_defence import labels
from console.civil_defence.services import CivilDefenceServices
from console.civil_defence.tables import RowsTableModel
from console.room import columns_fit_contents
from console.workers import WorkerPool
from data.civil_defence_models import SirenStatus
from modes.civil_defence.coverage import SirenStatusChanged, SirenSuggestion
from modes.civil_defence.queries import SIREN_STATUSES, CoverageView, Summary


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
    """Coverage by district, every siren with its status (and the control to change it), and where N
    new sirens would cover the most uncovered people."""

    suggest_requested = Signal(int)
    siren_status_changed = Signal(object)  # SirenStatusChanged
    siren_failed = Signal(str)

    def __init__(self, services: CivilDefenceServices, workers: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.workers = workers
        self.saving = False
        self._sirens: dict[str, tuple[str, str]] = {}  # id -> (district, status)
        # Journal entries this panel wrote: their echo through the journal poll needs no second recompute.
        self.own_seqs: set[int] = set()
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
        columns_fit_contents(view)
        view.setMinimumHeight(120)
        layout.addWidget(view, 1)

        sirens = QGroupBox(self.tr("Sirens"))
        v = QVBoxLayout(sirens)
        self.siren_model = RowsTableModel(
            [
                self.tr("Siren"),
                self.tr("Name"),
                self.tr("District"),
                self.tr("Status"),
                self.tr("Audible radius (m)"),
            ]
        )
        self.siren_model.set_numeric_columns([4])
        self.siren_view = QTableView()
        self.siren_view.setObjectName("siren_table")
        self.siren_view.setModel(self.siren_model)
        self.siren_view.verticalHeader().hide()
        self.siren_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.siren_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        columns_fit_contents(self.siren_view)
        self.siren_view.setMinimumHeight(150)
        self.siren_view.selectionModel().selectionChanged.connect(self._update_siren_controls)
        v.addWidget(self.siren_view, 1)
        row = QHBoxLayout()
        self.siren_status_box = QComboBox()
        self.siren_status_box.setObjectName("siren_status_box")
        for status in SIREN_STATUSES:
            self.siren_status_box.addItem(labels.siren_state(status), status)
        self.siren_status_box.currentIndexChanged.connect(self._update_siren_controls)
        row.addWidget(self.siren_status_box, 1)
        self.siren_status_button = QPushButton(self.tr("Set siren status"))
        self.siren_status_button.setObjectName("set_siren_status")
        self.siren_status_button.clicked.connect(self.set_selected_status)
        row.addWidget(self.siren_status_button)
        v.addLayout(row)
        self.siren_hint = QLabel()
        self.siren_hint.setObjectName("panel_hint")
        self.siren_hint.setWordWrap(True)
        v.addWidget(self.siren_hint)
        layout.addWidget(sirens, 1)

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
        columns_fit_contents(table)
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

        self._draw_sirens(view)

    # --- the sirens and their status ------------------------------------------------------------------

    def _draw_sirens(self, view: CoverageView) -> None:
        s = view.sirens
        selected = self.selected_siren()
        statuses = [SIREN_STATUSES[i] for i in s.status_idx]
        self._sirens = {
            str(sid): (district, status)
            for sid, district, status in zip(s.ids, s.districts, statuses, strict=True)
        }
        self.siren_model.set_rows(
            [
                (str(sid), name, district, labels.siren_state(status), f"{radius:,.0f}")
                for sid, name, district, status, radius in zip(
                    s.ids, s.names, s.districts, statuses, s.radius_m, strict=True
                )
            ],
            [str(sid) for sid in s.ids],
            ["" if status == SirenStatus.IN_SERVICE.value else "warn" for status in statuses],
        )
        if selected is not None:
            self.select_siren(selected)
        self._update_siren_controls()

    def selected_siren(self) -> str | None:
        rows = self.siren_view.selectionModel().selectedRows()
        return str(self.siren_model.key(rows[0].row())) if rows else None

    def select_siren(self, siren_id: str) -> bool:
        r = self.siren_model.row_of(siren_id)
        if r < 0:
            return False
        self.siren_view.selectRow(r)
        return True

    def choose_status(self, status: str) -> None:
        """Pick a status in the list, as the officer would."""
        self.siren_status_box.setCurrentIndex(self.siren_status_box.findData(status))

    def siren_refusal(self) -> str:
        """Why the siren control is disabled ("" when it is not)."""
        if not self.services.is_civil_defence:
            return self.tr(
                "Only the civil-defence officer may mark a siren faulty or back in service; you are logged in "
                "as {role}."
            ).format(role=texts.role_label(self.services.login.role))
        siren = self.selected_siren()
        if siren is None:
            return self.tr("Select a siren in the list.")
        district, status = self._sirens.get(siren, ("", ""))
        if not self.services.acts_for(district):
            return self.tr("Siren {id} is in district {district}; you act for district {own}.").format(
                id=siren, district=district, own=self.services.login.district_code
            )
        if self.saving:
            return self.tr("Saving the siren's status…")
        if self.siren_status_box.currentData() == status:
            return self.tr("Siren {id} is already {status}: choose another status.").format(
                id=siren, status=labels.siren_state(status)
            )
        return ""

    def _update_siren_controls(self, *_args) -> None:
        reason = self.siren_refusal()
        self.siren_status_button.setEnabled(not reason)
        self.siren_status_button.setToolTip(reason)
        self.siren_status_box.setEnabled(self.services.is_civil_defence)
        siren = self.selected_siren()
        district = self._sirens.get(siren, ("", ""))[0] if siren is not None else None
        if not self.services.is_civil_defence or (siren is not None and not self.services.acts_for(district)):
            self.siren_hint.setText(reason)  # not this login's to change: said where the control is

    def set_selected_status(self) -> bool:
        """Send the chosen status of the selected siren in a worker; False when refused here."""
        siren, status = self.selected_siren(), self.siren_status_box.currentData()
        reason = self.siren_refusal()
        if siren is None or reason:
            self._siren_failed(reason)
            return False
        self.saving = True
        self._update_siren_controls()
        self.workers.submit(
            lambda: self.services.set_siren_status(siren, status),
            self._on_siren_changed,
            self._on_siren_failed,
        )
        return True

    def _on_siren_changed(self, result: SirenStatusChanged) -> None:
        self.saving = False
        district, _ = self._sirens.get(result.siren_id, ("", ""))
        self._sirens[result.siren_id] = (district, result.status)
        if result.changes.journal_seq:
            self.own_seqs.add(result.changes.journal_seq)
        self.siren_hint.setText(
            self.tr("Siren {id}: {before} → {after}. The coverage is being recomputed.").format(
                id=result.siren_id,
                before=labels.siren_state(result.previous),
                after=labels.siren_state(result.status),
            )
        )
        self._update_siren_controls()
        self.siren_status_changed.emit(result)

    def _on_siren_failed(self, exc: BaseException) -> None:
        self.saving = False
        self._update_siren_controls()
        self._siren_failed(self.tr("The siren's status was not changed: {reason}").format(reason=str(exc)))

    def _siren_failed(self, message: str) -> None:
        self.siren_hint.setText(message)
        self.siren_failed.emit(message)

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
