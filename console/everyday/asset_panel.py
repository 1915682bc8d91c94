"""The status control under a selected component or camera: mark a manhole cover lost, a lamp damaged,
a tree removed, a camera at fault, or put it back as intact or online.

The control shows the asset's status now and the ones it may take; it is enabled when the login may
change this asset (a district's staff their district's, a department's staff its own components), and
says why not otherwise. The change is the ``asset.status`` command, run in the worker pool; a refusal
shows the rules' reason and changes nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.everyday.asset_services import AssetServices, AssetStatusResult
from console.workers import WorkerPool
from modes.everyday.assets import ASSET_STATUSES, AssetState


def status_label(kind: str, status: str) -> str:
    return texts.component_state_label(status) if kind == "component" else texts.camera_status_label(status)


class AssetStatusPanel(QGroupBox):
    status_changed = Signal(object)  # AssetStatusResult
    failed = Signal(str)

    def __init__(self, services: AssetServices, workers: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("asset_status")
        self.setTitle(self.tr("Status"))
        self.services = services
        self.workers = workers
        self.asset: AssetState | None = None
        self.busy = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        row = QHBoxLayout()
        self.status_box = QComboBox()
        self.status_box.setObjectName("asset_status_box")
        self.status_box.currentIndexChanged.connect(self._update_button)
        row.addWidget(self.status_box, 1)
        self.apply_button = QPushButton(self.tr("Set status"))
        self.apply_button.setObjectName("set_asset_status")
        self.apply_button.clicked.connect(self.apply)
        row.addWidget(self.apply_button)
        layout.addLayout(row)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("asset_status_note")
        self.note_edit.setPlaceholderText(self.tr("Note (optional, recorded in the journal)"))
        layout.addWidget(self.note_edit)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("panel_hint")
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        self._update_button()

    # --- what is shown --------------------------------------------------------------------------------

    def show_asset(self, kind: str, ident: str) -> AssetState | None:
        """Show a component's or camera's status (a short read); hidden when there is no such asset."""
        asset = self.services.asset(kind, ident)
        same = (
            self.asset is not None and asset is not None and (self.asset.kind, self.asset.id) == (kind, ident)
        )
        chosen = self.chosen_status() if same else None
        self.asset = asset
        if asset is None:
            self.hide()
            return None
        self.setTitle(self.tr("Status: {status}").format(status=status_label(kind, asset.status)))
        self.status_box.blockSignals(True)
        self.status_box.clear()
        for status in ASSET_STATUSES[kind]:
            self.status_box.addItem(status_label(kind, status), status)
        # The person's pick survives a refresh of the same asset (another console's change, say).
        self.status_box.setCurrentIndex(max(self.status_box.findData(chosen or asset.status), 0))
        self.status_box.blockSignals(False)
        if not same:
            self.note_edit.clear()
            self.hint_label.clear()
        self.show()
        self._update_button()
        return asset

    def chosen_status(self) -> str | None:
        return self.status_box.currentData()

    def choose(self, status: str) -> None:
        """Pick a status in the list, as the person would."""
        self.status_box.setCurrentIndex(self.status_box.findData(status))

    def refusal_text(self) -> str:
        """Why the button is disabled ("" when it is not)."""
        a = self.asset
        if a is None:
            return ""
        if a.refusal:
            return self.tr("Your login may not change this status: {reason}").format(reason=a.refusal)
        if self.busy:
            return self.tr("Saving the status…")
        if self.chosen_status() == a.status:
            return self.tr("Choose a status other than the current one.")
        return ""

    def _update_button(self) -> None:
        reason = self.refusal_text()
        allowed = self.asset is not None and not reason
        self.apply_button.setEnabled(allowed)
        self.apply_button.setToolTip(reason)
        self.status_box.setEnabled(self.asset is not None and not self.asset.refusal)
        self.note_edit.setEnabled(self.asset is not None and not self.asset.refusal)
        if self.asset is not None and self.asset.refusal:
            self.hint_label.setText(reason)

    # --- the change -----------------------------------------------------------------------------------

    def apply(self) -> bool:
        """Send the chosen status in a worker; False when there is nothing to send."""
        a, status = self.asset, self.chosen_status()
        if a is None or status is None or self.busy:
            return False
        if a.refusal:
            self._fail(self.refusal_text())
            return False
        self.busy = True
        self._update_button()
        note = self.note_edit.text()
        self.workers.submit(
            lambda: self.services.set_status(a.kind, a.id, status, note), self._on_done, self._on_failed
        )
        return True

    def _on_done(self, result: AssetStatusResult) -> None:
        self.busy = False
        self.hint_label.setText(
            self.tr("{id}: {before} → {after}, journal event {seq}.").format(
                id=result.id,
                before=status_label(result.kind, result.previous),
                after=status_label(result.kind, result.status),
                seq=result.journal_seq or "—",
            )
            if result.changed
            else self.tr("{id} was already {status}.").format(
                id=result.id, status=status_label(result.kind, result.status)
            )
        )
        self.note_edit.clear()
        self.show_asset(result.kind, result.id)
        self.status_changed.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self.busy = False
        self._update_button()
        self._fail(self.tr("The status was not changed: {reason}").format(reason=str(exc)))

    def _fail(self, message: str) -> None:
        self.hint_label.setText(message)
        self.failed.emit(message)
