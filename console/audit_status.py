"""The audit in the status bar: is the journal intact, and do the cases say what it says?

``modes.common.audit`` does the work (the hash chain and every case replayed against its row). The
label asks for it in the worker pool when the city has loaded and then every few minutes, and shows
the answer: green when all holds; red, naming the first broken event and how many cases differ, when
not; amber when the audit could not run. A console attached to a node has no journal of its own to
check (its services answer None): the label hides. The audit runs in a pool of its own and stops
between batches when the window closes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from console.dto import AuditStatus
from console.workers import WorkerPool

AUDIT_INTERVAL_MS = 5 * 60 * 1000  # a full audit reads the whole journal: every few minutes, not seconds
LISTED_CASES = 10  # case ids named in the tooltip
STYLES = {
    "checking": "",
    "ok": "QLabel#audit_label { color: #7bd88f; }",
    "failed": "QLabel#audit_label { color: #ffffff; background: #c62828; font-weight: 700; }",
    "error": "QLabel#audit_label { color: #ffb300; }",
}


class AuditLabel(QLabel):
    """A status-bar label that runs ``check`` in the worker pool and shows its ``AuditStatus``."""

    checked = Signal(object)  # the AuditStatus just shown (None: nothing to check here)
    check_failed = Signal(str)

    def __init__(
        self,
        check: Callable[[Callable[[], bool]], AuditStatus | None],
        interval_ms: int = AUDIT_INTERVAL_MS,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("audit_label")
        self.setProperty("data_text", True)
        self._check = check
        # A pool of its own: an audit of a big city reads for many seconds and must not hold one of the
        # window's workers (nor make the window look busy to a screenshot waiting for its panels).
        self._workers = WorkerPool(self, max_threads=1)
        self._stopping = False
        self.running = False
        self.status: AuditStatus | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)
        self._show("checking", self.tr("Audit: not yet checked"))

    def start(self) -> None:
        """Check now, then every interval."""
        self.check_now()
        self._timer.start()

    def stop(self, msecs: int = 10_000) -> None:
        """No more checks; a running one is told to stop and waited for."""
        self._timer.stop()
        self._stopping = True
        self._workers.shutdown(msecs)

    def check_now(self) -> bool:
        """Run the audit in a worker unless one is running; False when it was already running."""
        if self.running:
            return False
        self.running = True
        if self.status is None:
            self._show("checking", self.tr("Audit: checking the journal…"))
        self._workers.submit(lambda: self._check(self._is_stopping), self._on_checked, self._on_failed)
        return True

    def _is_stopping(self) -> bool:  # asked from the worker thread, between batches of events
        return self._stopping

    def _on_checked(self, status: AuditStatus | None) -> None:
        self.running = False
        self.status = status
        if status is None:
            self.hide()
            self._timer.stop()
        elif status.ok:
            self._show(
                "ok",
                self.tr("Audit OK · {events} events · {cases} cases").format(
                    events=f"{status.events:,}", cases=f"{status.cases_checked:,}"
                ),
            )
        else:
            parts = []
            if status.first_bad_event is not None:
                parts.append(self.tr("journal broken at event {seq}").format(seq=status.first_bad_event))
            if status.case_mismatches:
                parts.append(self.tr("{count} cases differ").format(count=len(status.case_mismatches)))
            self._show("failed", self.tr("AUDIT FAILED: {what}").format(what=" · ".join(parts)))
        if status is not None:
            self.setToolTip(self._details(status))
        self.checked.emit(status)

    def _details(self, status: AuditStatus) -> str:
        lines = [
            self.tr("Checked at {time} in {seconds} s: {events} journal events, {cases} cases.").format(
                time=status.checked_at.strftime("%Y-%m-%d %H:%M:%S"),
                seconds=f"{status.seconds:.1f}",
                events=f"{status.events:,}",
                cases=f"{status.cases_checked:,}",
            )
        ]
        if status.first_bad_event is not None:
            lines.append(
                self.tr("The journal is not as it was written from event {seq} on ({reason}).").format(
                    seq=status.first_bad_event, reason=status.chain_problem
                )
            )
        if status.case_mismatches:
            shown = ", ".join(str(i) for i in status.case_mismatches[:LISTED_CASES])
            more = len(status.case_mismatches) - LISTED_CASES
            lines.append(
                self.tr("Cases that differ from their journal events: {ids}").format(ids=shown)
                + (self.tr(" and {count} more").format(count=more) if more > 0 else "")
            )
        lines.append(self.tr("Full list: python main.py audit verify"))
        return "\n".join(lines)

    def _on_failed(self, exc: BaseException) -> None:
        self.running = False
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self._show("error", self.tr("Audit could not run: {error}").format(error=message))
        self.check_failed.emit(message)

    def _show(self, state: str, text: str) -> None:
        self.setProperty("audit", state)
        self.setStyleSheet(STYLES[state])
        self.setText(text)
