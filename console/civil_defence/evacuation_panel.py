"""The evacuation plan view: compute the optimal shelter plan for the staying population, see each
shelter's load against its capacity and where people cannot be placed, export the plan, close or
reopen a shelter (which re-plans), and enter a shelter's reported head count.

Plans are computed in the worker pool (``modes.civil_defence.evacuation``: HiGHS on a sparse LP; a
few seconds at Harbin scale). Closing and reopening are orders of the civil-defence office; other
logins see those buttons disabled with the reason. Reporting occupancy is open to every login (it is a
warden's head count, recorded under the login that typed it).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
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
from data.civil_defence_models import ShelterStatus
from modes.civil_defence.evacuation import EvacuationPlan, OccupancyReport, Replan
from modes.civil_defence.queries import ShelterRow


def _table(model: RowsTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    columns_fit_contents(view)
    return view


class EvacuationPanel(QWidget):
    plan_changed = Signal(object)  # EvacuationPlan
    shelters_changed = Signal(object)  # tuple[ShelterRow, ...]
    failed = Signal(str)

    def __init__(self, services: CivilDefenceServices, workers: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.workers = workers
        self.plan: EvacuationPlan | None = None
        self.shelter_rows: tuple[ShelterRow, ...] = ()
        self.computing = False
        self.last_replan: Replan | None = None
        # Journal entries this panel wrote: their echo through the journal poll needs no re-plan.
        self.own_seqs: set[int] = set()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Longest walk")))
        self.max_walk = QDoubleSpinBox()
        self.max_walk.setObjectName("max_walk")
        self.max_walk.setRange(5.0, 120.0)
        self.max_walk.setDecimals(0)
        self.max_walk.setSingleStep(5.0)
        self.max_walk.setValue(30.0)
        self.max_walk.setSuffix(self.tr(" min"))
        top.addWidget(self.max_walk)
        self.compute_button = QPushButton(self.tr("Compute plan"))
        self.compute_button.setObjectName("compute_plan")
        self.compute_button.clicked.connect(self.compute_plan)
        top.addWidget(self.compute_button, 1)
        layout.addLayout(top)
        exports = QHBoxLayout()
        self.export_csv_button = QPushButton(self.tr("Export CSV"))
        self.export_csv_button.setObjectName("export_csv")
        self.export_csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.export_geojson_button = QPushButton(self.tr("Export GeoJSON"))
        self.export_geojson_button.setObjectName("export_geojson")
        self.export_geojson_button.clicked.connect(lambda: self._ask_export("geojson"))
        for b in (self.export_csv_button, self.export_geojson_button):
            # The format names (CSV, GeoJSON) stay Latin in every language, like the standards' codes.
            b.setProperty("data_text", True)
            exports.addWidget(b)
        layout.addLayout(exports)

        self.status_label = QLabel(self.tr("No plan computed yet."))
        self.status_label.setObjectName("plan_status")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        split = QSplitter(Qt.Orientation.Vertical)
        shelters = QGroupBox(self.tr("Shelters: planned load and capacity"))
        v = QVBoxLayout(shelters)
        self.shelter_model = RowsTableModel(
            [
                self.tr("Shelter"),
                self.tr("District"),
                self.tr("Class"),
                self.tr("Status"),
                self.tr("Capacity"),
                self.tr("Planned load"),
                self.tr("Load %"),
                self.tr("Occupancy"),
            ]
        )
        self.shelter_model.set_numeric_columns([4, 5, 6, 7])
        self.shelter_view = _table(self.shelter_model, "shelter_table")
        self.shelter_view.selectionModel().selectionChanged.connect(self._on_shelter_selected)
        self.shelter_view.setMinimumHeight(200)
        v.addWidget(self.shelter_view, 1)
        actions = QHBoxLayout()
        self.close_button = QPushButton(self.tr("Close shelter"))
        self.close_button.setObjectName("close_shelter")
        self.close_button.clicked.connect(lambda: self._act_on_selected(self.close_shelter))
        self.reopen_button = QPushButton(self.tr("Reopen shelter"))
        self.reopen_button.setObjectName("reopen_shelter")
        self.reopen_button.clicked.connect(lambda: self._act_on_selected(self.reopen_shelter))
        actions.addWidget(self.close_button)
        actions.addWidget(self.reopen_button)
        v.addLayout(actions)
        actions = QHBoxLayout()
        actions.addWidget(QLabel(self.tr("Head count")))
        self.occupancy_box = QSpinBox()
        self.occupancy_box.setObjectName("occupancy_box")
        self.occupancy_box.setRange(0, 1_000_000)
        actions.addWidget(self.occupancy_box)
        self.occupancy_button = QPushButton(self.tr("Report occupancy"))
        self.occupancy_button.setObjectName("report_occupancy")
        self.occupancy_button.clicked.connect(
            lambda: self._act_on_selected(lambda sid: self.report_occupancy(sid, self.occupancy_box.value()))
        )
        actions.addWidget(self.occupancy_button, 1)
        v.addLayout(actions)
        self.permission_label = QLabel()
        self.permission_label.setObjectName("panel_hint")
        self.permission_label.setWordWrap(True)
        v.addWidget(self.permission_label)
        split.addWidget(shelters)

        deficits = QGroupBox(self.tr("Deficits: people without a place"))
        v = QVBoxLayout(deficits)
        self.district_model = RowsTableModel(
            [
                self.tr("District"),
                self.tr("Name"),
                self.tr("Staying"),
                self.tr("Placed"),
                self.tr("Unplaced"),
                self.tr("Places in district"),
            ]
        )
        self.district_model.set_numeric_columns([2, 3, 4, 5])
        districts = _table(self.district_model, "deficit_districts")
        districts.setMinimumHeight(150)
        v.addWidget(districts, 1)
        self.cell_model = RowsTableModel(
            [self.tr("Cell"), self.tr("District"), self.tr("Staying"), self.tr("Unplaced")]
        )
        self.cell_model.set_numeric_columns([2, 3])
        cells = _table(self.cell_model, "deficit_cells")
        cells.setMinimumHeight(150)
        v.addWidget(cells, 1)
        split.addWidget(deficits)
        layout.addWidget(split, 1)
        self._update_buttons()

    # --- permissions ----------------------------------------------------------------------------------

    def permission_text(self) -> str:
        return self.tr(
            "Only the civil-defence officer may close or reopen shelters; you are logged in as {role}."
        ).format(role=texts.role_label(self.services.login.role))

    def _update_buttons(self) -> None:
        allowed = self.services.is_civil_defence
        row = self.selected_shelter()
        for b in (self.close_button, self.reopen_button):
            b.setToolTip("" if allowed else self.permission_text())
        # One re-plan at a time: a second order while one is computing would plan from stale statuses.
        ready = allowed and row is not None and not self.computing
        self.close_button.setEnabled(ready and row.status == ShelterStatus.OPEN.value)
        self.reopen_button.setEnabled(ready and row.status != ShelterStatus.OPEN.value)
        self.occupancy_button.setEnabled(row is not None)
        has_plan = self.plan is not None
        self.export_csv_button.setEnabled(has_plan)
        self.export_geojson_button.setEnabled(has_plan)
        self.compute_button.setEnabled(not self.computing)
        self.permission_label.setText("" if allowed else self.permission_text())
        self.permission_label.setVisible(not allowed)

    # --- selection ------------------------------------------------------------------------------------

    def selected_shelter(self) -> ShelterRow | None:
        rows = self.shelter_view.selectionModel().selectedRows() if self.shelter_view.selectionModel() else []
        if not rows:
            return None
        key = self.shelter_model.key(rows[0].row())
        return next((r for r in self.shelter_rows if r.id == key), None)

    def select_shelter(self, shelter_id: str) -> bool:
        r = self.shelter_model.row_of(shelter_id)
        if r < 0:
            return False
        self.shelter_view.selectRow(r)
        return True

    def _on_shelter_selected(self, *_args) -> None:
        row = self.selected_shelter()
        if row is not None:
            self.occupancy_box.setValue(row.occupancy)
        self._update_buttons()

    def _act_on_selected(self, action) -> None:
        row = self.selected_shelter()
        if row is not None:
            action(row.id)

    # --- computing ------------------------------------------------------------------------------------

    def compute_plan(self) -> None:
        if self.computing:
            return
        self.computing = True
        self.status_label.setText(self.tr("Computing the optimal plan…"))
        walk = float(self.max_walk.value())
        self._update_buttons()
        self.workers.submit(
            lambda: (self.services.shelters(), self.services.plan(walk)), self._on_planned, self._on_failed
        )

    def _on_planned(self, result) -> None:
        shelters, plan, *own = result
        self.own_seqs.update(own)
        self.computing = False
        self.shelter_rows = shelters
        self.set_plan(plan)
        self.shelters_changed.emit(shelters)

    def _on_failed(self, exc: BaseException) -> None:
        self.computing = False
        message = self.tr("The plan failed: {reason}").format(reason=str(exc))
        self.status_label.setText(message)
        self._update_buttons()
        self.failed.emit(message)

    def close_shelter(self, shelter_id: str) -> bool:
        if not self.services.is_civil_defence:
            self.status_label.setText(self.permission_text())
            self.failed.emit(self.permission_text())
            return False
        if self.computing:
            return False
        self.computing = True
        self.status_label.setText(self.tr("Closing {id} and re-planning…").format(id=shelter_id))
        walk = float(self.max_walk.value())
        self._update_buttons()

        def work():
            replan = self.services.close_shelter(shelter_id, walk)
            return replan, self.services.shelters()

        self.workers.submit(work, self._on_replanned, self._on_failed)
        return True

    def _on_replanned(self, result) -> None:
        replan, shelters = result
        self.computing = False
        self.last_replan = replan
        self.own_seqs.add(replan.changes.journal_seq)
        self.shelter_rows = shelters
        self.set_plan(replan.plan)
        self.shelters_changed.emit(shelters)
        self.status_label.setText(
            self.status_label.text()
            + "\n"
            + self.tr(
                "{id} closed: {displaced} people displaced, {moved} moved, {unplaced} more unplaced."
            ).format(
                id=replan.closed,
                displaced=f"{replan.displaced:,}",
                moved=f"{replan.moved:,}",
                unplaced=f"{max(replan.newly_unplaced, 0):,}",
            )
        )

    def reopen_shelter(self, shelter_id: str) -> bool:
        if not self.services.is_civil_defence:
            self.status_label.setText(self.permission_text())
            self.failed.emit(self.permission_text())
            return False
        if self.computing:
            return False
        self.computing = True
        walk = float(self.max_walk.value())
        self._update_buttons()

        def work():
            changes = self.services.reopen_shelter(shelter_id)
            return self.services.shelters(), self.services.plan(walk), changes.journal_seq

        self.workers.submit(work, self._on_planned, self._on_failed)
        return True

    def report_occupancy(self, shelter_id: str, persons: int) -> None:
        def work():
            report = self.services.report_occupancy(shelter_id, persons)
            return report, self.services.shelters()

        self.workers.submit(work, self._on_occupancy, self._on_failed)

    def _on_occupancy(self, result) -> None:
        report: OccupancyReport = result[0]
        shelters = result[1]
        self.own_seqs.add(report.changes.journal_seq)
        self.shelter_rows = shelters
        self._draw_shelters()
        self.shelters_changed.emit(shelters)
        if report.over_capacity:
            self.status_label.setText(
                self.tr("{id} reports {persons} people, over its capacity of {capacity}.").format(
                    id=report.shelter, persons=f"{report.persons:,}", capacity=f"{report.capacity:,}"
                )
            )

    def reload_shelters(self) -> None:
        """Re-read the shelters (statuses, occupancy) after journal events from elsewhere."""
        self.shelter_rows = self.services.shelters()
        self._draw_shelters()
        self.shelters_changed.emit(self.shelter_rows)

    # --- drawing --------------------------------------------------------------------------------------

    def loads(self) -> dict[str, int]:
        """Planned persons per shelter id (0 for a shelter the plan does not use, e.g. closed)."""
        if self.plan is None:
            return {}
        p = self.plan.problem
        load = self.plan.load
        return {str(p.shelter_ids[j]): int(load[j]) for j in range(p.n_shelters)}

    def set_plan(self, plan: EvacuationPlan) -> None:
        self.plan = plan
        s = plan.summary(max_cells=200)
        self.status_label.setText(
            self.tr(
                "Staying {staying} · placed {assigned} · unplaced {unplaced} · {pm} person-km · mean walk "
                "{walk} m · solver: {status}"
            ).format(
                staying=f"{s['staying_population']:,}",
                assigned=f"{s['assigned']:,}",
                unplaced=f"{s['unplaced']:,}",
                pm=f"{s['person_metres'] / 1000:,.0f}",
                walk=s["mean_walk_m"] if s["mean_walk_m"] is not None else "—",
                status=self.tr("optimal") if s["solver_status"] == 0 else s["solver_message"],
            )
        )
        self.status_label.setProperty("data_text", s["solver_status"] != 0)
        self._draw_shelters()
        self.district_model.set_rows(
            [
                (
                    d["district"],
                    d["name"],
                    f"{d['staying']:,}",
                    f"{d['assigned']:,}",
                    f"{d['unplaced']:,}",
                    f"{d['places']:,}",
                )
                for d in s["districts"]
            ],
            [d["district"] for d in s["districts"]],
            ["warn" if d["unplaced"] > 0 else "" for d in s["districts"]],
        )
        cells = s["unplaced_cells"]
        self.cell_model.set_rows(
            [(c["cell"], c["district"], f"{c['staying']:,}", f"{c['unplaced']:,}") for c in cells],
            [c["cell"] for c in cells],
            ["warn"] * len(cells),
        )
        self._update_buttons()
        self.plan_changed.emit(plan)

    def _draw_shelters(self) -> None:
        selected = self.selected_shelter()
        loads = self.loads()
        rows, keys, flags = [], [], []
        for r in self.shelter_rows:
            load = loads.get(r.id, 0)
            share = load / r.capacity if r.capacity else 0.0
            rows.append(
                (
                    r.id,
                    r.district or "",
                    labels.shelter_class(r.shelter_class),
                    labels.shelter_state(r.status),
                    f"{r.capacity:,}",
                    f"{load:,}",
                    f"{100 * share:.0f}",
                    f"{r.occupancy:,}",
                )
            )
            keys.append(r.id)
            closed = r.status != ShelterStatus.OPEN.value
            flags.append("late" if closed or r.occupancy > r.capacity else ("warn" if share >= 0.999 else ""))
        self.shelter_model.set_rows(rows, keys, flags)
        if selected is not None:
            self.select_shelter(selected.id)

    def shelter_arrays(self) -> tuple[np.ndarray, ...]:
        """x, y, shown load (planned, or the reported head count when larger), capacity, open (map)."""
        loads = self.loads()
        rows = self.shelter_rows
        return (
            np.array([r.x for r in rows], dtype=float),
            np.array([r.y for r in rows], dtype=float),
            np.array([max(loads.get(r.id, 0), r.occupancy) for r in rows], dtype=float),
            np.array([r.capacity for r in rows], dtype=float),
            np.array([r.status == ShelterStatus.OPEN.value for r in rows], dtype=bool),
        )

    # --- export ---------------------------------------------------------------------------------------

    def _ask_export(self, fmt: str) -> None:
        if self.plan is None:
            return
        pattern = self.tr("CSV files (*.csv)") if fmt == "csv" else self.tr("GeoJSON files (*.geojson)")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the evacuation plan"), f"evacuation.{fmt}", pattern
        )
        if path:
            self.export(path, fmt)

    def export(self, path: str, fmt: str) -> bool:
        if self.plan is None:
            return False
        try:
            written = self.services.export_plan(self.plan, path, fmt)
        except Exception as exc:  # noqa: BLE001 - shown to the user, nothing stored is touched
            self.status_label.setText(self.tr("Export failed: {reason}").format(reason=str(exc)))
            return False
        self.status_label.setText(self.tr("Plan exported to {path}.").format(path=str(written)))
        return True
