"""The city itself: open the console on it, found the demo city, count it, locate a point in it, import
and export its layers, and verify its journal (``audit verify``)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import sys
import time

from cli.common import (
    EXIT_NO_DISPLAY,
    EXIT_TAMPERED,
    PASSWORD_ENV,
    emit_json,
    execute,
    exercises_option,
    fail,
    link_options,
    link_security,
    make_clock,
    open_city,
    print_remote,
    remote,
    server_key,
)
from cli.human import fields, plural

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
    if getattr(args, "connect", None):
        # Attach to a running node: its keys as the CLI actions use them (console/connect.py opens it).
        args.security = link_security(args.keys, args.identity)
        args.server = server_key(args)
    from console.app import run_console

    return run_console(args)


def cmd_seed(args: argparse.Namespace) -> int:
    from data.demo import seed_new_city
    from data.demo_city import DEMO_PASSWORD
    from data.progress import TextProgress

    engine, Session = open_city(args, create=True)
    started = time.perf_counter()
    # On stderr: a bar redrawn in place on a terminal, one line per stage in a log (never with --json's
    # document, which is stdout's alone).
    progress = TextProgress(sys.stderr)
    summary = seed_new_city(Session, scale=args.scale, seed=args.seed, progress=progress)
    if args.history_days:
        from modes.everyday.history import add_history

        summary["history"] = add_history(Session, days=args.history_days, seed=args.seed, progress=progress)
    progress.finish()
    elapsed = time.perf_counter() - started
    if args.json:
        emit_json({**summary, "seconds": round(elapsed, 2), "demo_password": DEMO_PASSWORD})
    else:
        print(f"seeded {args.scale} city (seed {args.seed}) in {elapsed:.1f} s: " + _counts_line(summary))
        history = summary.get("history")
        if history:
            print(
                f"history {history['from']} to {history['to']}: {plural(history['cases'], 'case')}, "
                f"{plural(history['journal_events'], 'journal event')}"
            )
        print(f"every demo login (python main.py staff list) has the password {DEMO_PASSWORD!r}")
    engine.dispose()
    return 0


def _counts_line(summary: dict) -> str:
    return ", ".join(
        f"{k.replace('_', ' ')} {v:,}" for k, v in summary.items() if isinstance(v, int) and k != "seed"
    )


def cmd_stats(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        counts = remote(args, "query.stats", {})
    else:
        from data.city import stats

        engine, Session = open_city(args)
        with Session() as s:
            counts = stats(s)
        engine.dispose()
    if args.json:
        emit_json(counts)
    else:
        print("\n".join(fields(counts)))
    return 0


def _to_city_xy(session, xs, ys, lonlat: bool):
    if not lonlat:
        return xs, ys
    from data.city import city_crs
    from data.geometry import WGS84, transformer

    return transformer(WGS84, city_crs(session)).transform(xs, ys)


def _read_xy_csv(path: str) -> tuple[list[str], list[str], list[float], list[float]]:
    """x,y rows (an optional header line), with the line number of any malformed row in the error; a
    packed file (.gz, .bz2, a one-file .zip) reads as the file it holds."""
    from data.errors import InputError
    from data.source_files import open_source

    raw_x: list[str] = []
    raw_y: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    with open_source(path, members=(".csv", ".txt")).open_text() as fh:
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
    if getattr(args, "connect", None):
        if args.batch is not None or args.x is None or args.y is None:
            return fail("locate --connect takes X Y (no --batch)")
        payload = {
            "x": args.x,
            "y": args.y,
            "lonlat": args.lonlat,
            "type": args.type,
            "component": args.component,
        }
        print_remote(args, remote(args, "query.locate", payload))
        return 0
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
        print("\n".join(fields(doc)))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if args.new_city and args.layer != "cells":
        return fail("--new-city founds a city from its grid cells: use it with `import cells FILE`")
    if args.overlaps is not None and args.layer != "cells":
        return fail("--overlaps applies to import cells")
    if args.skip_unmapped and args.layer != "cases":
        return fail("--skip-unmapped applies to import cases (values its --map does not know)")
    if args.encoding is not None and args.layer in ("cases", "departments", "routing"):
        return fail("--encoding is for a Shapefile layer's .dbf; CSV files are read as UTF-8")
    if args.force and args.layer in ("departments", "routing"):
        return fail(f"--force lets in a layer far from the city; {args.layer} have no place to be far from")
    if args.layer == "cases":
        return _import_cases(args)
    if args.layer in ("departments", "routing"):
        return _import_table(args)
    if args.layer in ("sirens", "shelters"):
        from cli.civil_defence import import_civil_defence_layer

        return import_civil_defence_layer(args)
    from data.db import new_city_file
    from data.gis_io import found_city

    overlaps = args.overlaps or "keep"
    # Only an explicit --new-city creates the database; a refused file then leaves none behind.
    with new_city_file(args.db) if args.new_city else contextlib.nullcontext():
        engine, Session = open_city(args, create=args.new_city)
        try:
            if args.new_city:  # founding a city is not a command on one
                d = found_city(
                    Session,
                    args.file,
                    crs=args.crs,
                    code_field=args.code_field,
                    layer=args.file_layer,
                    overlaps=overlaps,
                    encoding=args.encoding,
                ).as_dict()
            else:
                payload = {"layer": args.layer, "file": args.file, "crs": args.crs,
                           "code_field": args.code_field, "file_layer": args.file_layer,
                           "overlaps": overlaps, "force": args.force, "encoding": args.encoding}  # fmt: skip
                d = execute(Session, make_clock(), None, "layer.import", payload)
        finally:
            engine.dispose()
    if args.json:
        emit_json(d)
    else:
        print(
            f"imported {d['kind']} from {d['path']} ({coordinates_text(d)}): read {d['read']}, "
            f"inserted {d['inserted']}, updated {d['updated']}, unchanged {d['unchanged']}"
            + (", created a new city" if d["city_created"] else "")
        )
        for item in d["repaired"]:
            print(f"  repaired feature {item['index']} ({item['code']}): {item['reason']}")
        if d["outside"]["count"]:
            print(
                f"  {d['outside']['count']} outside every cell: {', '.join(map(str, d['outside']['ids'][:20]))}"
            )
        print_import_warnings(d)
    return 0


def coordinates_text(d: dict) -> str:
    """Where an import's coordinates came from and went: ``lon/lat columns (EPSG:4326) → EPSG:4551``
    for a CSV (the columns it used), ``EPSG:4326 → EPSG:4551`` for a file of geometries."""
    source = f"{d['coordinates']} ({d['crs_from']})" if d.get("coordinates") else d["crs_from"]
    return f"{source} → {d['crs_to']}"


OVERLAPS_LISTED = 10  # overlapping pairs named in the human output (--json lists up to 100)


def print_import_warnings(d: dict) -> None:
    """What a layer import let through and a person should know: a far layer forced in, overlapping
    cells, and the code tables a new city was given."""
    if d.get("far_km") is not None:
        print(f"  warning: the layer lies {d['far_km']:,.0f} km from the city; imported because of --force")
    overlaps = d.get("overlaps") or {"count": 0}
    if overlaps["count"]:
        n = overlaps["count"]
        print(
            f"  warning: {n} pair{'s' if n != 1 else ''} of cells overlap, {overlaps['area_m2']:,.1f} m2 in all; "
            "a point where cells overlap is placed in the cell with the lower code "
            "(--overlaps refuse refuses such a file):"
        )
        for pair in overlaps["pairs"][:OVERLAPS_LISTED]:
            a = f"{pair['a']} ({pair['a_source']})" if pair["a_source"] else pair["a"]
            b = f"{pair['b']} ({pair['b_source']})" if pair["b_source"] else pair["b"]
            print(f"    {a} and {b} share {pair['area_m2']:,.1f} m2")
        if n > OVERLAPS_LISTED:
            print(f"    ... and {n - OVERLAPS_LISTED} more (--json lists up to 100)")
    tables = d.get("code_tables") or {}
    if "event_types" in tables:
        print(
            f"  the new city has the standard code tables: {tables['event_types']} event types, "
            f"{tables['component_types']} component types, {tables['departments']} departments and routing "
            f"for {tables['routing']} district/type pairs, a template to edit "
            "(export departments|routing --format csv, import departments|routing FILE.csv)"
        )
    elif tables.get("routing"):
        print(f"  new districts got the default routing: {tables['routing']} district/type pairs")


def _import_table(args: argparse.Namespace) -> int:
    engine, Session = open_city(args)
    try:
        d = execute(Session, make_clock(), None, f"{args.layer}.import", {"file": args.file})
    finally:
        engine.dispose()
    if args.json:
        emit_json(d)
    else:
        print(
            f"imported {d['kind']} from {d['path']}: read {d['read']}, inserted {d['inserted']}, "
            f"updated {d['updated']}, unchanged {d['unchanged']}"
            + (f", removed {d['removed']}" if d["kind"] == "routing" else "")
        )
    return 0


def _import_cases(args: argparse.Namespace) -> int:
    if not args.map:
        return fail("import cases needs --map MAPPING.json (see docs/examples/boston311_mapping.json)")
    engine, Session = open_city(args)
    payload = {"file": args.file, "map": args.map, "skip_unmapped": args.skip_unmapped, "force": args.force}
    try:
        d = execute(Session, make_clock(), None, "case.import", payload)
    finally:
        engine.dispose()
    if args.json:
        emit_json(d)
        return 0
    print(
        f"replayed {d['replayed']} of {d['read']} cases from {d['path']}: {d['closed']} closed, {d['open']} open"
    )
    for reason, count in d["skipped"].items():
        lines = ", ".join(map(str, d["skipped_lines"][reason][:20]))
        print(f"  skipped {count} ({reason.replace('_', ' ')}): lines {lines}{' ...' if count > 20 else ''}")
    if d["source_deadline"]:
        print(f"  on-time verdict vs the source's own deadline: {d['source_deadline']}")
    if d["unmapped"]:
        print("  values not in the mapping (their rows were left out):")
        table = [("column", "source column", "value", "rows", "first line")]
        table += [(u["key"], u["column"], u["value"], u["rows"], u["first_line"]) for u in d["unmapped"]]
        _print_table(table, numbers_from=3)
    if d["far_km"] is not None:
        print(f"  warning: the cases lie {d['far_km']:,.0f} km from the city; imported because of --force")
    return 0


def _print_table(rows: list[tuple], numbers_from: int, indent: str = "    ") -> None:
    """Rows in aligned columns, those from ``numbers_from`` on right-aligned."""
    texts = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in texts) for i in range(len(texts[0]))]
    for row in texts:
        cells = [
            c.rjust(w) if i >= numbers_from else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print(indent + "  ".join(cells).rstrip())


def cmd_export(args: argparse.Namespace) -> int:
    from data.db import read_only

    if args.layer in ("departments", "routing"):
        return _export_table(args)
    args.format = args.format or "geojson"
    if args.layer == "cases":
        from modes.everyday.case_export import export_cases

        engine, Session = open_city(args)
        try:
            with Session() as s, read_only(s), _text_out(args.out) as out:
                export_cases(s, args.format, out, exercises=args.exercises)
        finally:
            engine.dispose()
        if args.exercises != "leave":
            # Said where a person reads it, beside the file's own ``exercise`` column.
            taken = "with the real ones" if args.exercises == "include" else "alone"
            sys.stderr.write(
                f"EXERCISE: exercise cases exported {taken}; their 'exercise' column names the exercise\n"
            )
        return 0
    if args.exercises != "leave":
        return fail(f"--exercises applies to export cases, not to export {args.layer}")
    from data.layer_export import FILE_FORMATS, export_file, export_text

    binary = args.format in FILE_FORMATS
    if args.layer == "city" and args.format != "gpkg":
        return fail("export city writes every layer into one GeoPackage: --format gpkg --out FILE.gpkg")
    if binary and not args.out:
        return fail(f"a {args.format} file is binary and cannot go to stdout: give --out FILE")
    engine, Session = open_city(args)
    try:
        with Session() as s, read_only(s):
            if binary:
                d = export_file(s, args.layer, args.format, args.out).as_dict()
            else:
                with _text_out(args.out) as out:
                    count = export_text(s, args.layer, args.format, out)
                if not args.out:
                    return 0
                d = {"path": args.out, "format": args.format, "layers": {args.layer: count}}
    finally:
        engine.dispose()
    if args.json:
        emit_json(d)
        return 0
    layers = ", ".join(f"{name} {count}" for name, count in d["layers"].items())
    print(f"exported {layers} to {d['path']} ({d['format']}{', ' + d['crs'] if d.get('crs') else ''})")
    for name, count in d.get("cut", {}).items():
        print(
            f"  {count} values of {name} cut to the 254 bytes a Shapefile field holds (a GeoPackage keeps them)"
        )
    if d.get("as_points"):
        print(f"  {d['as_points']} footprints written as their points: a Shapefile holds one geometry type")
    return 0


@contextlib.contextmanager
def _text_out(path: str | None):
    """stdout, or a text file written beside ``path`` and moved there once complete: a failed export
    leaves whatever was there before."""
    import tempfile

    from data.errors import InputError

    if path is None:
        yield sys.stdout
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"{path}: no folder {folder} to write into")
    fd, scratch = tempfile.mkstemp(prefix=".export-", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(scratch, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's owner-only mode
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(scratch, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)


def _export_table(args: argparse.Namespace) -> int:
    if args.format not in (None, "csv"):
        return fail(f"export {args.layer} writes CSV only (--format csv)")
    if args.exercises != "leave":
        return fail(f"--exercises applies to export cases, not to export {args.layer}")
    from data.code_tables import export_departments, export_routing
    from data.db import read_only

    engine, Session = open_city(args)
    try:
        with Session() as s, read_only(s), _text_out(args.out) as out:
            (export_departments if args.layer == "departments" else export_routing)(s, out)
    finally:
        engine.dispose()
    return 0


AUDIT_LISTED = 50  # mismatched cases named in the human output (--json lists all)


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit verify``: the journal's hash chain, and every case against its journal events. Read-only."""
    from sqlalchemy.exc import SQLAlchemyError

    from data.db import (
        DatabaseError,
        has_schema,
        make_engine,
        require_database_file,
        resolve_url,
        session_factory,
    )
    from modes.common.audit import run_audit
    from modes.everyday.case_audit import CaseChecker

    require_database_file(args.db)  # reading must not create a database
    engine = make_engine(resolve_url(args.db), create_folder=False)
    where = engine.url.render_as_string(hide_password=True)
    try:
        if not has_schema(engine):
            raise DatabaseError(f"{where} holds no Sanwei city: nothing to audit")
        with session_factory(engine)() as s:
            report = run_audit(s, [CaseChecker()])
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot audit {where}: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    if args.json:
        emit_json(report.as_dict())
    else:
        _print_audit(report)
    return 0 if report.ok else EXIT_TAMPERED


def _print_audit(report) -> None:
    if report.first_bad_event is None:
        print(f"journal  {report.events:,} events: the hash chain holds")
    else:
        print(
            f"journal  {report.events:,} events: BROKEN at event {report.first_bad_event} ({report.chain_problem})"
        )
    bad = report.mismatches["case"]
    checked = report.checked["case"]
    if "case" in report.skipped:
        print(f"cases    not checked: {report.skipped['case']}")
    elif not bad:
        print(f"cases    {checked:,} checked against their journal events: all agree")
    else:
        print(f"cases    {checked:,} checked against their journal events: {len(bad):,} differ")
        for case_id, what in list(bad.items())[:AUDIT_LISTED]:
            print(f"         case {case_id}: {', '.join(what)}")
        if len(bad) > AUDIT_LISTED:
            print(f"         ... and {len(bad) - AUDIT_LISTED:,} more (--json lists them all)")
    print(f"         not recorded by any event, so not checked: {', '.join(report.unchecked['case'])}")
    verdict = "OK" if report.ok else "FAILED: the journal or the cases are not as they were written"
    print(f"audit verify: {verdict} ({report.seconds:.1f} s)")


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    """console, seed, stats, locate."""
    p = add("console", cmd_console, "open the console (default when no command is given)")
    p.add_argument(
        "--mode",
        choices=["everyday", "civil-defence", "emergency"],
        default=None,
        help="open this mode's page as a preview: the city's mode is not changed (default: the city's current mode)",
    )
    p.add_argument(
        "--page",
        choices=["queue", "dashboard", "coverage", "controller"],
        default=None,
        help="open on this page: the everyday case queue, its dashboard (coverage: at the supervisor coverage table), or the exercise controller page (a view: nothing is written)",
    )
    p.add_argument(
        "--measure",
        metavar="KEY",
        default=None,
        help="colour the cells by this measure, e.g. coverage (supervisor coverage quality), overdue_cases, pop_night",
    )
    p.add_argument("--lang", choices=["zh_CN", "en"], default=None)
    p.add_argument("--screenshot", metavar="FILE.png", help="render the loaded window to a PNG and exit")
    p.add_argument("--size", default="1600x1000", help="window size for --screenshot, WxH")
    p.add_argument(
        "--video-wall",
        metavar="X,Y",
        default=None,
        help="open the video wall on the cameras that see this point (city CRS); with --screenshot, "
        "the PNG is of the wall once its tiles play",
    )
    p.add_argument(
        "--as",
        dest="login",
        metavar="LOGIN",
        default=None,
        help=f"log in as this staff login, or a role only one login holds, spelt any way (skips the login "
        f"dialog; password from ${PASSWORD_ENV})",
    )
    link_options(p)

    p = add("seed", cmd_seed, "generate the demo city (deterministic from --seed)")
    p.add_argument("--scale", choices=["harbin", "small"], default="harbin")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--history-days", type=int, default=0, help="also generate N days of past cases")

    link_options(add("stats", cmd_stats, "count what the city holds"))

    p = add("locate", cmd_locate, "find the cell, community, street, district and supervisor of a point")
    link_options(p)
    p.add_argument("x", nargs="?", type=float)
    p.add_argument("y", nargs="?", type=float)
    p.add_argument("--lonlat", action="store_true", help="X Y are WGS84 longitude, latitude")
    p.add_argument("--batch", metavar="FILE.csv", help="read x,y rows and write x,y,cell rows to stdout")
    p.add_argument("--type", help="also route: the department the district assigns this event type to")
    p.add_argument("--component", metavar="ID", help="also route: the owner department of this component")


def add_file_parsers(add, common: argparse.ArgumentParser) -> None:
    """import, export."""
    p = add(
        "import",
        cmd_import,
        "import a GIS layer (GeoJSON, CSV, GeoPackage, Shapefile or a zip of one) into the city, or the departments/routing tables (CSV); .gz, .bz2 and one-file .zip archives are read as the file they hold",
    )
    p.add_argument(
        "layer",
        choices=["cells", "components", "cameras", "cases", "sirens", "shelters", "departments", "routing"],
    )
    p.add_argument("file", help="the file; ARCHIVE.zip!MEMBER picks one file of a zip archive")
    p.add_argument(
        "--map", metavar="MAPPING.json", help="import cases: how the file's columns and codes map to ours"
    )
    p.add_argument(
        "--crs", help="CRS of the file's coordinates, e.g. EPSG:2019 (default: from the file, else WGS84)"
    )
    p.add_argument("--code-field", help="property holding the feature's code or id")
    p.add_argument(
        "--layer",
        dest="file_layer",
        metavar="NAME",
        help="the layer to read from a GeoPackage (or zip of Shapefiles) that holds several",
    )
    p.add_argument("--area-per-person", type=float, metavar="M2", help="shelters: usable m2 per person")
    p.add_argument(
        "--new-city",
        action="store_true",
        help="cells: found a new city from this file, creating the database (refused where a city exists);"
        " it gets the standard event and component types, 23 template departments and default routing",
    )
    p.add_argument(
        "--overlaps",
        choices=["keep", "refuse"],
        default=None,
        help="cells: keep overlapping cells and list them (default), or refuse the file",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="import a layer that lies more than 50 km from the city (refused without it)",
    )
    p.add_argument(
        "--encoding",
        default=None,
        help="a Shapefile whose .cpg is missing: the text encoding of its .dbf (GBK, GB18030, UTF-8...)",
    )
    p.add_argument(
        "--skip-unmapped",
        action="store_true",
        help="cases: leave out rows whose values --map does not know and list those values (else refused)",
    )

    p = add(
        "export",
        cmd_export,
        "export a layer (to stdout, or --out FILE), the whole city as a GeoPackage, or the departments/routing tables",
    )
    p.add_argument(
        "layer",
        choices=[
            "cells",
            "components",
            "cameras",
            "sirens",
            "shelters",
            "cases",
            "city",
            "departments",
            "routing",
        ],
    )
    p.add_argument(
        "--format",
        choices=["geojson", "csv", "gpkg", "shp"],
        default=None,
        help="geojson (default for layers and cases), csv (the only one for departments and routing), gpkg or shp",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        help="write to FILE (replaced once complete; a .shp gets its parts beside it, a .zip holds them); "
        "required for gpkg and shp",
    )
    exercises_option(p)


def add_audit_parsers(add) -> None:
    p = add("audit", cmd_audit, "check that the journal and the cases are as they were written (read-only)")
    sub = p.add_subparsers(dest="audit_command", metavar="verify", required=True)
    q = sub.add_parser(
        "verify",
        help="the journal's hash chain and every case against its events; exit 5 when anything differs",
        description="Verify the journal's hash chain and replay every case's journal events against its "
        "row. Prints the first broken event and the cases that differ. Exit status 0 when all holds, 5 when "
        "anything differs, 3 when the database cannot be read.",
    )
    q.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="database URL")
    q.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")
