"""Why the node at ``--connect`` cannot be used, said before anything is sent, with an exit status of
its own (README, "Command line"): the node refused this client's key (6), no node listens there (7),
the node is the passive standby of a failover pair (8). ``nodes.reach`` probes each endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cli.common import EXIT_KEY_REFUSED, EXIT_NO_NODE, EXIT_PASSIVE
from data.db import DatabaseError
from data.errors import InputError


class NodeUnusable(DatabaseError):
    """The node (or every node given) cannot be used; ``exit_code`` says why."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def check_endpoints(
    endpoints: Iterable[str],
    security,
    *,
    server: str,
    key_folder: str | Path | None,
    timeout: float = 5.0,
) -> str:
    """The first endpoint whose node this client can use. Otherwise ``NodeUnusable`` with one line per
    endpoint and the exit status of the first one's problem (``InputError`` when the node's own public
    key is missing from the key folder: that is the command's input)."""
    from nodes.reach import Reach, diagnose

    codes = {
        Reach.KEY_REFUSED: EXIT_KEY_REFUSED,
        Reach.HANDSHAKE_FAILED: EXIT_KEY_REFUSED,
        Reach.NO_NODE: EXIT_NO_NODE,
        Reach.PASSIVE: EXIT_PASSIVE,
    }
    found = []
    for endpoint in endpoints:
        diagnosis = diagnose(endpoint, security, server=server, key_folder=key_folder, timeout=timeout)
        if diagnosis.usable:
            return endpoint
        if diagnosis.reach == Reach.NO_NODE_KEY:
            raise InputError(diagnosis.message)
        found.append(diagnosis)
    if not found:
        raise InputError("--connect names no endpoint")
    message = "\n".join(d.message for d in found) if len(found) > 1 else found[0].message
    raise NodeUnusable(message, codes[found[0].reach])
