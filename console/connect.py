"""Opening the console's city from a running node (``--connect``), before Qt is imported.

Like the local database, the node's replica is opened (and brought up to date) on the launching thread
while nothing else runs yet; the window then loads it as it would load a local city. Problems are
reported as main.py reports a database's: bad input (an endpoint that is not one) exits 2, a node that
cannot be reached or refuses this console's key exits 3, each with a message naming the problem.
"""

from __future__ import annotations

import argparse
import sys

from data.city import has_city
from data.db import DatabaseError
from data.errors import InputError
from modes.civil_defence import replicated as civil_defence_tables
from modes.common.clock import SystemClock
from modes.emergency import replicated as emergency_tables
from modes.exercises import replicated as exercise_tables
from nodes.console_link import ConnectError, ConsoleLink, default_replica_path


def open_remote(args: argparse.Namespace) -> ConsoleLink:
    """The opened link for ``args.connect`` (with ``args.security``, ``args.server``, ``args.identity``
    as main.py resolves them; ``args.replica`` overrides the replica's file)."""
    identity = getattr(args, "identity", None) or "console"
    path = getattr(args, "replica", None) or default_replica_path(args.connect, identity)
    # The modes' own tables (sirens, shelters, incidents, exercises...) are applied to the replica like the city's.
    civil_defence_tables.register()
    emergency_tables.register()
    exercise_tables.register()  # the EXERCISE banner, the watermark and the controller page read them
    try:
        link = ConsoleLink(
            args.connect,
            getattr(args, "security", None),
            path,
            clock=SystemClock(),
            server=getattr(args, "server", None) or "centre",
        )
    except ValueError as exc:
        raise InputError(f"--connect: {exc}") from None
    # A bulk load (first attach, or a replica the node's log no longer covers) copies the node's whole
    # map before the window can open: seconds at city scale, so say what is happening.
    link.on_bulk = lambda: sys.stderr.write(f"loading the city from {args.connect} into {path} ...\n")
    try:
        link.open()
        with link.session_factory() as s:
            if not has_city(s):
                raise ConnectError(
                    f"the node at {args.connect} serves no city (its database was never seeded)"
                )
    except ConnectError as exc:
        link.close()
        raise DatabaseError(str(exc)) from None
    except BaseException:
        link.close()
        raise
    return link
