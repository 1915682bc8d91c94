"""The command line's parser and its dispatch: every command group adds its own subcommands, in the order
``python main.py --help`` lists them; ``main`` runs the chosen handler and turns the errors every command
may meet into their exit codes (``cli/common.py``)."""

from __future__ import annotations

import argparse
import sys

from cli import authority, cases, city, civil_defence, emergency, exercises, links, open311, staff, video
from cli.common import EXIT_DATABASE, EXIT_INPUT, Handler, fail


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    # Subcommands repeat the options with SUPPRESS defaults so `--db X seed` and `seed --db X` both work.
    p = argparse.ArgumentParser(add_help=False)
    db_default = argparse.SUPPRESS if suppress else None
    json_default = argparse.SUPPRESS if suppress else False
    p.add_argument(
        "--db",
        metavar="URL",
        default=db_default,
        help="database URL (default: $SANWEI_DB, else the demo city file); a SQLite file must exist"
        " except for seed and import cells --new-city",
    )
    p.add_argument(
        "--json", action="store_true", default=json_default, help="print one JSON document to stdout"
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(suppress=True)
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="Sanwei 三位一体: city management, civil air defence and emergency rescue on one console.",
        parents=[_common_options(suppress=False)],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    city.add_parsers(add, common)
    cases.add_parsers(add, common)
    city.add_file_parsers(add, common)
    emergency.add_parsers(add, common)
    civil_defence.add_parsers(add, common)
    links.add_parsers(add)
    staff.add_parsers(add, common)
    authority.add_parsers(add, common)
    exercises.add_parsers(add, common)
    open311.add_parsers(add, common)
    video.add_parsers(add, common)
    city.add_audit_parsers(add)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        args = parser.parse_args(["console", *(argv if argv is not None else sys.argv[1:])])

    from data.db import DatabaseError
    from data.errors import InputError
    from data.geometry import CrsError, GeometryError

    try:
        return args.handler(args)
    except DatabaseError as exc:
        # A node that cannot be used says why by its own status (cli/reach.py), else: unreachable.
        return fail(str(exc), getattr(exc, "exit_code", EXIT_DATABASE))
    except (InputError, CrsError, GeometryError) as exc:
        return fail(str(exc), EXIT_INPUT)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        return 0
