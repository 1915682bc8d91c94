"""The scheduled pruning of a table of applied command ids (comms.retention says how long and why)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from comms.retention import DEDUP_RETENTION_S, PRUNE_BATCH, PRUNE_EVERY_S, check_retention

log = logging.getLogger("comms.dedup_pruner")


class PrunableStore(Protocol):
    def prune(self, older_than: float, limit: int | None = None) -> int:
        """Delete up to ``limit`` entries applied before ``older_than`` (Unix time) in one transaction;
        the number deleted."""
        ...


class DedupPruner:
    """Prunes a dedup store once at start and every ``every`` seconds, in its own thread.

    ``now`` is the clock the store stamps its entries with (injectable, so a test can let days pass);
    ``prune_due()`` is one scheduled step (what the thread runs), usable without the thread."""

    def __init__(
        self,
        store: PrunableStore,
        *,
        retention: float = DEDUP_RETENTION_S,
        every: float = PRUNE_EVERY_S,
        batch: int = PRUNE_BATCH,
        now: Callable[[], float] = time.time,
        on_pruned: Callable[[int, float], None] | None = None,
        name: str = "dedup-pruner",
    ) -> None:
        self.store = store
        self.retention = check_retention(retention)
        self.every = every
        self.batch = batch
        self.now = now
        self.on_pruned = on_pruned
        self.name = name
        self.next_at = -float("inf")  # due at once
        self.pruned = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def prune_now(self) -> int:
        """Delete every entry older than the retention, batch by batch; the number deleted."""
        now = self.now()
        cutoff = now - self.retention
        total = 0
        while not self._stop.is_set():
            deleted = self.store.prune(cutoff, self.batch)
            total += deleted
            if deleted < self.batch:
                break
        self.next_at = now + self.every
        self.pruned += total
        if self.on_pruned is not None:
            self.on_pruned(total, cutoff)
        return total

    def prune_due(self) -> int:
        """``prune_now`` if a prune is due by ``now``; else nothing (0)."""
        return self.prune_now() if self.now() >= self.next_at else 0

    def start(self) -> DedupPruner:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.prune_due()
            except Exception:
                # A locked or unreachable database: the entries wait for the next round.
                log.exception("pruning applied command ids failed")
                self.next_at = self.now() + self.every
            self._stop.wait(max(0.0, min(self.every, self.next_at - self.now())))
