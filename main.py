"""Sanwei (三位一体): the one entry point.

``python main.py`` opens the console on the demo city (seeding it on first run); the subcommands are
the headless interface (``python main.py --help`` lists them). The commands live in the ``cli`` package,
one module per group (city, cases, civil defence, emergency, links, staff, authority); ``cli/app.py``
builds the parser and dispatches. The command handlers are the composition root: the only place that
builds engines and wires the layers together.

Every command takes ``--db URL`` (default: ``SANWEI_DB``, else a SQLite file in the user's data
directory); ``--json`` prints one JSON document to stdout; errors go to stderr with a non-zero exit
and leave the database unchanged.
"""

from __future__ import annotations

import sys

from cli.app import build_parser, main
from cli.common import EXIT_DATABASE, EXIT_INPUT, EXIT_NO_DISPLAY, EXIT_TAMPERED

__all__ = ["EXIT_DATABASE", "EXIT_INPUT", "EXIT_NO_DISPLAY", "EXIT_TAMPERED", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
