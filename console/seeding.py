"""First run: generate the demo city, with a month of case history so the queue, the map and the
dashboard have something to show, in a thread while a progress dialog shows how far it got."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog

from console import texts
from data.demo import seed_new_city  # imported here, on the GUI thread: never import on two threads
from data.progress import TextProgress
from modes.everyday.history import add_history

HISTORY_DAYS = 30  # the first run's month of past cases (about 60,000 at Harbin scale)
CITY_SHARE = 0.4  # of the progress bar: the city, then its history


class _SeedThread(QThread):
    progressed = Signal(str, float)
    failed = Signal(str)

    def __init__(self, make_session, scale: str, history_days: int):
        super().__init__()
        self._make_session = make_session
        self._scale = scale
        self._history_days = history_days
        self.summary: dict | None = None

    def run(self) -> None:
        share = CITY_SHARE if self._history_days else 1.0
        try:
            self.summary = seed_new_city(
                self._make_session,
                scale=self._scale,
                progress=lambda st, f: self.progressed.emit(st, f * share),
            )
            if self._history_days:
                self.summary["history"] = add_history(
                    self._make_session,
                    days=self._history_days,
                    seed=1,  # the demo city's own seed: the same month on every machine
                    progress=lambda st, f: self.progressed.emit(st, share + f * (1 - share)),
                )
        except Exception as exc:  # noqa: BLE001 - reported to the user, who then sees an empty console
            self.failed.emit(str(exc))


class _SeedProgress(QObject):
    """Feeds the generator's progress into a progress dialog (and stderr when there is no one to look)."""

    def __init__(self, dialog: QProgressDialog | None):
        super().__init__()
        self.dialog = dialog
        self.text = TextProgress(sys.stderr, prefix="seeding the demo city: ")

    def on_progress(self, stage: str, fraction: float) -> None:
        if self.dialog is not None:
            self.dialog.setLabelText(
                QApplication.translate("Seeding", "Generating the demo city: {stage}").format(
                    stage=texts.seed_stage_label(stage)
                )
            )
            self.dialog.setValue(int(fraction * 1000))
        else:  # a bar on a terminal, one line per stage in a log
            self.text(stage, fraction)


def seed_with_progress(
    make_session, *, scale: str = "harbin", show_dialog: bool = True, history_days: int = HISTORY_DAYS
) -> str | None:
    """Seed the demo city and ``history_days`` of its past in a thread while a progress dialog shows;
    returns an error message or None."""
    dialog = None
    if show_dialog:
        dialog = QProgressDialog(
            QApplication.translate("Seeding", "Generating the demo city of Harbin (first run only)…"),
            "",
            0,
            1000,
        )
        dialog.setWindowTitle(QApplication.translate("Seeding", "Sanwei · first run"))
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(0)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumWidth(460)
        dialog.show()
    feed = _SeedProgress(dialog)
    thread = _SeedThread(make_session, scale, history_days)
    thread.progressed.connect(feed.on_progress)
    errors: list[str] = []
    thread.failed.connect(errors.append)
    loop = QEventLoop()
    thread.finished.connect(loop.quit)
    thread.start()
    loop.exec()
    thread.wait()
    if dialog is not None:
        dialog.close()
    else:
        feed.text.finish()
    return errors[0] if errors else None
