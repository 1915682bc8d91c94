"""Sanwei (三位一体): the one entry point.

``python main.py`` opens the console on the demo city (seeding it on first run); the subcommands are
the headless interface (``python main.py --help`` lists them). This is the composition root: the only
place that builds engines and wires the layers together.

Every command takes ``--db URL`` (default: ``SANWEI_DB``, else a SQLite file in the user's data
directory); ``--json`` prints one JSON document to stdout; errors go to stderr with a non-zero exit
and leave the database unchanged.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from collections.abc import Callable

EXIT_INPUT = 2  # bad input: unknown code, malformed file, point outside the city, illegal action
EXIT_DATABASE = 3  # the database cannot be reached or used
EXIT_NO_DISPLAY = 4

Handler = Callable[[argparse.Namespace], int]


# --- output helpers ---------------------------------------------------------------------------------


def emit_json(doc) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=None, default=str) + "\n")


def fail(message: str, code: int = EXIT_INPUT) -> int:
    sys.stderr.write(f"error: {message}\n")
    return code


def open_city(args: argparse.Namespace, *, upgrade: bool = True):
    """Engine and session factory for ``--db``, with the schema brought up to date."""
    from data.db import open_database, session_factory

    engine = open_database(args.db, upgrade=upgrade)
    return engine, session_factory(engine)


# --- seed, stats --------------------------------------------------------------------------------------


def cmd_seed(args: argparse.Namespace) -> int:
    from data.demo_city import seed_city

    engine, Session = open_city(args)
    started = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        if not args.json:
            sys.stderr.write(f"\r{stage:<40} {fraction * 100:5.1f}%")
            sys.stderr.flush()

    with Session() as s, s.begin():
        summary = seed_city(s, scale=args.scale, seed=args.seed, progress=progress)
    if args.history_days:
        from modes.everyday.history import generate_history

        with Session() as s, s.begin():
            summary["history"] = generate_history(
                s, days=args.history_days, seed=args.seed, progress=progress
            )
    elapsed = time.perf_counter() - started
    if args.json:
        emit_json({**summary, "seconds": round(elapsed, 2)})
    else:
        sys.stderr.write("\n")
        print(f"seeded {args.scale} city (seed {args.seed}) in {elapsed:.1f} s: " + _counts_line(summary))
    engine.dispose()
    return 0


def _counts_line(summary: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, int))


def cmd_stats(args: argparse.Namespace) -> int:
    from data.city import stats

    engine, Session = open_city(args)
    with Session() as s:
        counts = stats(s)
    engine.dispose()
    if args.json:
        emit_json(counts)
    else:
        for k, v in counts.items():
            print(f"{k:>12}  {v}")
    return 0


# --- locate ------------------------------------------------------------------------------------------


def _to_city_xy(session, xs, ys, lonlat: bool):
    if not lonlat:
        return xs, ys
    from data.city import city_crs
    from data.geometry import WGS84, transformer

    return transformer(WGS84, city_crs(session)).transform(xs, ys)


def _read_xy_csv(path: str) -> tuple[list[str], list[str], list[float], list[float]]:
    """x,y rows (an optional header line), with the line number of any malformed row in the error."""
    from data.errors import InputError

    raw_x: list[str] = []
    raw_y: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        for lineno, row in enumerate(csv.reader(fh), start=1):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < 2:
                raise InputError(f"{path}, line {lineno}: expected two columns x,y, found {len(row)}")
            try:
                x, y = float(row[0]), float(row[1])
            except ValueError:
                if lineno == 1:  # a header
                    continue
                raise InputError(
                    f"{path}, line {lineno}: x,y must be numbers, found {row[0]!r},{row[1]!r}"
                ) from None
            if not (x == x and y == y) or abs(x) == float("inf") or abs(y) == float("inf"):
                raise InputError(f"{path}, line {lineno}: x,y must be finite numbers")
            raw_x.append(row[0].strip())
            raw_y.append(row[1].strip())
            xs.append(x)
            ys.append(y)
    return raw_x, raw_y, xs, ys


def cmd_locate(args: argparse.Namespace) -> int:
    from modes.everyday.routing import Router

    if args.batch is None and (args.x is None or args.y is None):
        return fail("locate needs X Y, or --batch FILE.csv")
    engine, Session = open_city(args)
    with Session() as s:
        router = Router.load(s)
        if args.batch is not None:
            raw_x, raw_y, xs, ys = _read_xy_csv(args.batch)
            cx, cy = _to_city_xy(s, xs, ys, args.lonlat)
            cells = router.grid.locate_many(cx, cy)
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["x", "y", "cell"])
            w.writerows(zip(raw_x, raw_y, (c or "" for c in cells), strict=True))
            sys.stdout.write(out.getvalue())
            return 0
        (cx,), (cy,) = _to_city_xy(s, [args.x], [args.y], args.lonlat)
        if args.component:
            doc = router.route_component(s, args.component, cx, cy).as_dict()
        elif args.type:
            doc = router.route_event(s, cx, cy, args.type).as_dict()
        else:
            doc = router.locate(cx, cy).as_dict()
    engine.dispose()
    if args.json:
        emit_json(doc)
    else:
        for k, v in doc.items():
            print(f"{k:>10}  {v}")
    return 0


# --- the everyday loop ------------------------------------------------------------------------------


def make_clock():
    """The wall clock, or a fixed one from ``SANWEI_CLOCK`` (ISO time) for drills, replays and checks."""
    from modes.common.clock import FixedClock, SystemClock

    fixed = os.environ.get("SANWEI_CLOCK")
    if fixed:
        import datetime as dt

        try:
            return FixedClock(dt.datetime.fromisoformat(fixed))
        except ValueError:
            from data.errors import InputError

            raise InputError(f"SANWEI_CLOCK={fixed!r} is not an ISO date-time") from None
    return SystemClock()


def _actor(args: argparse.Namespace, default_role: str):
    from modes.everyday.cases import Actor

    role = getattr(args, "role", None) or default_role
    return Actor.of(
        role,
        getattr(args, "actor", None),
        department=getattr(args, "actor_department", None),
        district=getattr(args, "actor_district", None),
    )


def cmd_report(args: argparse.Namespace) -> int:
    from modes.everyday.cases import CaseDesk

    engine, Session = open_city(args)
    with Session() as s, s.begin():
        (x,), (y,) = _to_city_xy(s, [args.x], [args.y], args.lonlat)
        desk = CaseDesk(s, make_clock())
        doc, _ = desk.report(
            _actor(args, "supervisor" if args.channel == "supervisor" else "operator"),
            x=x,
            y=y,
            channel=args.channel,
            type_code=args.type,
            component_id=args.component,
            text=args.text or "",
            urgent=True if args.urgent else None,
        )
    engine.dispose()
    _print_doc(args, doc)
    return 0


def _print_doc(args: argparse.Namespace, doc: dict) -> None:
    if args.json:
        emit_json(doc)
        return
    for k, v in doc.items():
        if isinstance(v, list):
            print(f"{k}:")
            for item in v:
                print(f"  {item}")
        else:
            print(f"{k:>14}  {v}")


def cmd_case(args: argparse.Namespace) -> int:
    from modes.everyday.cases import CaseDesk, list_cases
    from modes.everyday.workflow import IllegalTransition

    engine, Session = open_city(args)
    clock = make_clock()
    try:
        with Session() as s, s.begin():
            if args.case_command == "list":
                doc = list_cases(
                    s,
                    clock.now(),
                    state=args.state,
                    department=args.department,
                    district=args.district,
                    overdue=args.overdue,
                    limit=args.limit,
                    offset=args.offset,
                )
            elif args.case_command == "show":
                doc = CaseDesk(s, clock).show(args.id)
            else:
                desk = CaseDesk(s, clock)
                desk.act(
                    args.id,
                    args.action,
                    _actor(args, args.role),
                    args.note or "",
                    department=args.department,
                    extension=args.extension,
                    satisfaction=args.satisfaction,
                )
                doc = desk.show(args.id)
    except IllegalTransition as exc:
        return fail(f"case {args.id}: {exc}")
    finally:
        engine.dispose()
    if args.case_command == "list" and not args.json:
        print(f"{doc['total']} cases match; showing {len(doc['cases'])} from {doc['offset']}")
        for c in doc["cases"]:
            flag = " OVERDUE" if c["overdue"] else ""
            print(
                f"{c['id']:>8}  {c['state']:<20} {c['type']:<6} {c['district']} {c['department'] or '-':<16}{flag}"
            )
        return 0
    _print_doc(args, doc)
    return 0


def cmd_kpi(args: argparse.Namespace) -> int:
    from modes.everyday.evaluation import evaluate

    engine, Session = open_city(args)
    with Session() as s:
        doc = evaluate(s, by=args.by, start=args.start, end=args.end, now=make_clock().now())
    engine.dispose()
    if args.json:
        emit_json(doc)
    else:
        for row in doc["rows"]:
            print(f"{row['key']:<18} {row.get('name', ''):<20} score {row['score']:6.1f}  {row['grade']}")
    return 0


# --- import / export ---------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from data.gis_io import import_layer

    engine, Session = open_city(args)
    with Session() as s, s.begin():
        report = import_layer(s, args.layer, args.file, crs=args.crs, code_field=args.code_field)
    engine.dispose()
    if args.json:
        emit_json(report.as_dict())
    else:
        d = report.as_dict()
        print(
            f"imported {d['kind']} from {d['path']} ({d['crs_from']} -> {d['crs_to']}): read {d['read']}, "
            f"inserted {d['inserted']}, updated {d['updated']}, unchanged {d['unchanged']}"
            + (", created a new city" if d["city_created"] else "")
        )
        for item in d["repaired"]:
            print(f"  repaired feature {item['index']} ({item['code']}): {item['reason']}")
        if d["outside"]["count"]:
            print(f"  {d['outside']['count']} outside every cell: {', '.join(map(str, d['outside']['ids'][:20]))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from data.gis_io import export_layer

    engine, Session = open_city(args)
    with Session() as s:
        export_layer(s, args.layer, args.format, sys.stdout)
    engine.dispose()
    return 0


# --- console -----------------------------------------------------------------------------------------

HEADLESS_HELP = (
    "no display available (DISPLAY/WAYLAND_DISPLAY unset and QT_QPA_PLATFORM is not offscreen).\n"
    "Headless commands: `python main.py console --screenshot FILE.png` (with QT_QPA_PLATFORM=offscreen),\n"
    "`python main.py center|district` (nodes), `stats`, `locate`, `report`, `case`, `kpi` — see --help."
)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_console(args: argparse.Namespace) -> int:
    if getattr(args, "screenshot", None) and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not has_display():
        return fail(HEADLESS_HELP, EXIT_NO_DISPLAY)
    from console.app import run_console

    return run_console(args)


# --- the parser ---------------------------------------------------------------------------------------


def _actor_options(p: argparse.ArgumentParser, *, role_required: bool) -> None:
    roles = [
        "supervisor",
        "operator",
        "shift_leader",
        "dispatcher",
        "department",
        "commander",
        "civil_defence",
    ]
    p.add_argument("--as", dest="role", choices=roles, required=role_required, help="the role acting")
    p.add_argument("--actor", help="who is acting (default: the role's name)")
    p.add_argument("--actor-department", help="the acting department's code (limits it to its own cases)")
    p.add_argument("--actor-district", help="the acting district centre's code (limits it to its district)")


def build_parser() -> argparse.ArgumentParser:
    def common_options(suppress: bool) -> argparse.ArgumentParser:
        # Subcommands repeat the options with SUPPRESS defaults so `--db X seed` and `seed --db X` both work.
        p = argparse.ArgumentParser(add_help=False)
        db_default = argparse.SUPPRESS if suppress else None
        json_default = argparse.SUPPRESS if suppress else False
        p.add_argument(
            "--db",
            metavar="URL",
            default=db_default,
            help="database URL (default: $SANWEI_DB, else the demo city file)",
        )
        p.add_argument(
            "--json", action="store_true", default=json_default, help="print one JSON document to stdout"
        )
        return p

    common = common_options(suppress=True)
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="Sanwei 三位一体: city management, civil air defence and emergency rescue on one console.",
        parents=[common_options(suppress=False)],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add("console", cmd_console, "open the console (default when no command is given)")
    p.add_argument("--mode", choices=["everyday", "civil-defence", "emergency"], default="everyday")
    p.add_argument("--lang", choices=["zh_CN", "en"], default=None)
    p.add_argument("--screenshot", metavar="FILE.png", help="render the loaded window to a PNG and exit")
    p.add_argument("--size", default="1600x1000", help="window size for --screenshot, WxH")
    p.add_argument("--as", dest="role", default=None, help="log in with this role (skips the login dialog)")

    p = add("seed", cmd_seed, "generate the demo city (deterministic from --seed)")
    p.add_argument("--scale", choices=["harbin", "small"], default="harbin")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--history-days", type=int, default=0, help="also generate N days of past cases")

    add("stats", cmd_stats, "count what the city holds")

    p = add("locate", cmd_locate, "find the cell, community, street, district and supervisor of a point")
    p.add_argument("x", nargs="?", type=float)
    p.add_argument("y", nargs="?", type=float)
    p.add_argument("--lonlat", action="store_true", help="X Y are WGS84 longitude, latitude")
    p.add_argument("--batch", metavar="FILE.csv", help="read x,y rows and write x,y,cell rows to stdout")
    p.add_argument("--type", help="also route: the department the district assigns this event type to")
    p.add_argument("--component", metavar="ID", help="also route: the owner department of this component")

    p = add("report", cmd_report, "report a problem: locate, route and open a case (or link a duplicate)")
    p.add_argument("--x", type=float, required=True)
    p.add_argument("--y", type=float, required=True)
    p.add_argument("--lonlat", action="store_true", help="--x --y are WGS84 longitude, latitude")
    p.add_argument("--type", help="event type code (GB/T 47678.5 5-digit or CJ/T 214 4-digit)")
    p.add_argument(
        "--channel", required=True, choices=["supervisor", "camera", "hotline", "internet", "patrol", "media"]
    )
    p.add_argument("--component", metavar="ID", help="the component the problem is about")
    p.add_argument("--text", help="what was seen")
    p.add_argument("--urgent", action="store_true", help="continuous clock (default: from the type)")
    _actor_options(p, role_required=False)

    p = add("case", cmd_case, "show, act on and list cases")
    case_sub = p.add_subparsers(dest="case_command", metavar="show|act|list", required=True)
    q = case_sub.add_parser(
        "show", parents=[common], help="a case with its history, stage clocks and next actions"
    )
    q.add_argument("id", type=int)
    q = case_sub.add_parser("act", parents=[common], help="take an action of the loop on a case")
    q.add_argument("id", type=int)
    q.add_argument("action")
    q.add_argument("--note", default="")
    q.add_argument("--department", help="dispatch: the department to send the case to (default: routed)")
    q.add_argument("--extension", help="request_extension/approve_extension: e.g. '2 working_days'")
    q.add_argument("--satisfaction", choices=["satisfied", "basic", "unsatisfied"], help="evaluate")
    _actor_options(q, role_required=True)
    q = case_sub.add_parser("list", parents=[common], help="cases, newest first")
    q.add_argument("--state")
    q.add_argument("--department")
    q.add_argument("--district")
    q.add_argument("--overdue", action="store_true")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--offset", type=int, default=0)

    p = add("kpi", cmd_kpi, "evaluation: rates, composite scores and grades")
    p.add_argument("--from", dest="start", help="first day (YYYY-MM-DD), inclusive")
    p.add_argument("--to", dest="end", help="last day (YYYY-MM-DD), inclusive")
    p.add_argument("--by", choices=["department", "district", "supervisor", "role"], default="department")

    p = add("import", cmd_import, "import a GIS layer (GeoJSON or CSV) into the city")
    p.add_argument("layer", choices=["cells", "components", "cameras"])
    p.add_argument("file")
    p.add_argument(
        "--crs", help="CRS of the file's coordinates, e.g. EPSG:2019 (default: from the file, else WGS84)"
    )
    p.add_argument("--code-field", help="property holding the feature's code or id")

    p = add("export", cmd_export, "export a layer to stdout")
    p.add_argument("layer", choices=["cells", "components", "cameras"])
    p.add_argument("--format", choices=["geojson", "csv"], default="geojson")

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
        return fail(str(exc), EXIT_DATABASE)
    except (InputError, CrsError, GeometryError) as exc:
        return fail(str(exc), EXIT_INPUT)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
