"""Live updates: notice when the journal grows.

For now a timer polls the journal head every 500 ms (one indexed single-row read); the links issue
replaces the timer with pushes from the comms agent, and the signal stays the same.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal


class JournalWatcher(QObject):
    """Emits ``journal_advanced(old_seq, new_seq)`` when the journal's last sequence number grows."""

    journal_advanced = Signal(int, int)
    failed = Signal(str)

    def __init__(
        self, read_last_seq: Callable[[], int], interval_ms: int = 500, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._read = read_last_seq
        self.seq = read_last_seq()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def poll(self) -> None:
        try:
            seq = self._read()
        except Exception as exc:  # noqa: BLE001 - a lost database must show, not kill the timer
            self.failed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        if seq > self.seq:
            old, self.seq = self.seq, seq
            self.journal_advanced.emit(old, seq)
