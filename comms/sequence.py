"""Sequence numbers that never go back, across restarts of a state server (docs/protocol.md 3.7).

A plain CHP (RFC 12) client applies an update only when its sequence number is greater than the last it
applied, and knows nothing of our epoch. A server that numbered from 1 again after a restart would have
such a client drop updates in silence. So the server hands out numbers from *reservations*: before it
uses a number above the reservation it has recorded, it asks the application to record a higher one
durably (``reserve(upto)``), and after a restart the application starts it above the last recorded
reservation. The application keeps the record (comms knows no database); the server only calls it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from comms.agent import CommsError

log = logging.getLogger("comms.sequence")

DEFAULT_BLOCK = 1_000_000


class SequenceReservationError(CommsError):
    """The reservation could not be recorded and no recorded number is left: the server stops
    publishing rather than use a number an earlier run may have used (or a later one may use again)."""


class SequenceBlocks:
    """The numbering of one state server: the last number used and the reservation above it.

    ``base`` is the highest number an earlier run may have used (its recorded reservation, or a floor
    the application knows of, such as a failed peer's); every number handed out is above it.
    ``reserve(upto)`` must record ``upto`` durably before it returns: from then on the server may use
    every number up to ``upto``, and the next start begins above it. The server reserves ``block``
    numbers at a time and reserves the next block as soon as half of the current headroom is used, so
    the recorded reservation stays well ahead of what was published.

    When ``reserve`` raises, the server goes on with the numbers already recorded and tries again after
    ``retry_after`` seconds (a database busy for a moment must not stop the picture); only when none is
    left does ``take`` raise ``SequenceReservationError``. ``reserve=None`` records nothing (tests,
    labs): the numbering is the same, but a restart starts again from ``base``.

    Used from the server's agent thread only; ``reserved`` and ``error`` may be read from any thread.
    """

    def __init__(
        self,
        base: int = 0,
        reserve: Callable[[int], None] | None = None,
        block: int = DEFAULT_BLOCK,
        retry_after: float = 1.0,
    ) -> None:
        if base < 0:
            raise ValueError(f"seq_base must be 0 or more, not {base}")
        if block < 2:
            raise ValueError(f"a reservation block must hold at least 2 numbers, not {block}")
        self.base = base
        self.block = block
        self.last = base
        self.reserved = base
        self.error: str | None = None
        self._reserve = reserve
        self._retry_after = retry_after
        self._retry_at = 0.0

    @property
    def headroom(self) -> int:
        """Numbers the server may still use without recording a new reservation."""
        return self.reserved - self.last

    def start(self, used: int) -> None:
        """Before serving: the initial entries use the numbers up to ``used`` (at least ``base``).
        Reserves above them and raises ``SequenceReservationError`` when that cannot be recorded."""
        self.last = max(used, self.base)
        if not self._extend(force=True):
            raise SequenceReservationError(f"cannot record the sequence reservation: {self.error}")

    def take(self) -> int:
        """The next number, recorded before it is returned."""
        n = self.last + 1
        if self.reserved - n < self.block // 2:
            self._extend(force=n > self.reserved)
            if n > self.reserved:
                raise SequenceReservationError(
                    f"sequence {n} is above the recorded reservation {self.reserved} and recording a new"
                    f" one failed: {self.error}"
                )
        self.last = n
        return n

    def retry(self) -> None:
        """Try again to record a reservation that failed (called on the server's heartbeat)."""
        if self.error is not None and self.reserved - (self.last + 1) < self.block // 2:
            self._extend(force=False)

    def _extend(self, *, force: bool) -> bool:
        now = time.monotonic()
        if not force and now < self._retry_at:
            return False
        target = self.reserved
        while target - (self.last + 1) < self.block // 2:
            target += self.block
        try:
            if self._reserve is not None:
                self._reserve(target)
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"[:300]
            self._retry_at = now + self._retry_after
            log.error(
                "could not record sequence reservation %d (%d numbers left): %s",
                target,
                max(0, self.reserved - self.last),
                self.error,
            )
            return False
        self.reserved = target
        self.error = None
        return True
