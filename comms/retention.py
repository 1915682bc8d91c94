"""How long the command channel remembers, and the pruning that keeps its table bounded
(docs/protocol.md section 4, "Retention").

A receiver applies each (peer, command id) at most once by remembering the ids it applied. That table
cannot grow forever, so entries older than the *retention* are deleted; and so that a deleted entry can
never meet a resend of its command, every sender gives up on a command older than the *resend limit*,
which is shorter than the retention by a margin. The two numbers live here, together, because exactly-once
rests on their difference:

    a command is resent at most RESEND_LIMIT_S after it was queued; its id is applied no earlier than it
    was queued; so the last copy reaches the receiver while its entry is younger than
    RESEND_LIMIT_S + the time in transit + the skew between the two clocks, which the margin
    (RESEND_MARGIN_S) covers, and the entry lives at least DEDUP_RETENTION_S.

A receiver may keep its entries longer than the default (never shorter: the senders' limit is fixed by
the protocol, not negotiated). Pruning (``comms.dedup_pruner``) is a thread of its own, deleting in small
batches, each its own short transaction, so the command server's thread never waits long for the
table's write lock.

No sockets and no threads here: the rules of the modes read these numbers too.
"""

from __future__ import annotations

DAY_S = 86400.0
# What a receiver keeps an applied id (and its reply) by default, and at least.
DEDUP_RETENTION_S = 7 * DAY_S
# Time in transit and the skew between the sender's and the receiver's clocks, at most.
RESEND_MARGIN_S = 1 * DAY_S
# A sender stops resending a command queued longer ago than this and reports it expired; a receiver
# refuses a command whose body says it was taken longer ago.
RESEND_LIMIT_S = DEDUP_RETENTION_S - RESEND_MARGIN_S
# How often a receiver prunes (and once at start), and how many entries one prune transaction deletes.
PRUNE_EVERY_S = 600.0
PRUNE_BATCH = 1000


def check_retention(seconds: float) -> float:
    """``seconds`` if it is a retention a receiver may use; ``ValueError`` naming the floor otherwise."""
    if not seconds >= DEDUP_RETENTION_S:
        raise ValueError(
            f"a retention of {seconds / DAY_S:g} days is too short: senders resend a command for up to "
            f"{RESEND_LIMIT_S / DAY_S:g} days, so applied ids are kept at least {DEDUP_RETENTION_S / DAY_S:g} days"
        )
    return float(seconds)
