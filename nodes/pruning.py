"""The scheduled pruning of a node's table of applied command ids (comms.retention), logged."""

from __future__ import annotations

from comms.dedup_pruner import DedupPruner, PrunableStore
from nodes.logs import NodeLog, wall_time


def start_pruner(store: PrunableStore, retention: float, log: NodeLog) -> DedupPruner:
    """Prune ``store`` now and every ten minutes in a thread of its own; each prune that deleted
    something is logged (``dedup_pruned``)."""

    def pruned(count: int, cutoff: float) -> None:
        if count:
            log.event("dedup_pruned", deleted=count, applied_before=wall_time(cutoff))

    return DedupPruner(store, retention=retention, on_pruned=pruned, name="sanwei-dedup-pruner").start()
