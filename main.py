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
import contextlib
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


def open_city(args: argparse.Namespace, *, upgrade: bool = True, create: bool = False):
    """Engine and session factory for ``--db``, with the schema brought up to date. A SQLite file that
    does not exist is refused (exit 3) unless the command founds a city (``create``): seed, import
    cells --new-city."""
    from data.db import open_database, session_factory

    engine = open_database(args.db, upgrade=upgrade, create=create)
    return engine, session_factory(engine)


# --- seed, stats --------------------------------------------------------------------------------------


def cmd_seed(args: argparse.Namespace) -> int:
    from data.demo import seed_new_city
    from data.demo_city import DEMO_PASSWORD

    engine, Session = open_city(args, create=True)
    started = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        if not args.json:
            sys.stderr.write(f"\r{stage:<40} {fraction * 100:5.1f}%")
            sys.stderr.flush()

    summary = seed_new_city(Session, scale=args.scale, seed=args.seed, progress=progress)
    if args.history_days:
        from modes.everyday.history import add_history

        summary["history"] = add_history(Session, days=args.history_days, seed=args.seed, progress=progress)
    elapsed = time.perf_counter() - started
    if args.json:
        emit_json({**summary, "seconds": round(elapsed, 2), "demo_password": DEMO_PASSWORD})
    else:
        sys.stderr.write("\n")
        print(f"seeded {args.scale} city (seed {args.seed}) in {elapsed:.1f} s: " + _counts_line(summary))
        print(f"every demo login (python main.py staff list) has the password {DEMO_PASSWORD!r}")
    engine.dispose()
    return 0


def _counts_line(summary: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, int))


def cmd_stats(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        return cmd_via_link(args)
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
    if getattr(args, "connect", None):
        return cmd_via_link(args)
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


# --- staff and log-ins (modes/common/auth.py) ------------------------------------------------------

PASSWORD_ENV = "SANWEI_PASSWORD"


def _auth_call(Session, clock, command: str, payload: dict):
    """A staff or log-in command through the command bus, applied here on the database."""
    from modes.common import auth
    from modes.common.command_bus import CommandBus, call_local

    bus = CommandBus()
    auth.register(bus)
    return call_local(bus, Session, clock, command, payload)


def _ask_password(prompt: str) -> str:
    """The password from ``SANWEI_PASSWORD``, else a prompt on a terminal, else a clear refusal."""
    import getpass

    from data.errors import InputError

    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise InputError(f"no password: set {PASSWORD_ENV} (stdin is not a terminal to ask on)")
    return getpass.getpass(prompt)


def _kept_logins_path():
    import platformdirs

    return os.path.join(platformdirs.user_config_dir("sanwei"), "logins.json")


def _kept_logins() -> dict:
    try:
        with open(_kept_logins_path(), encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _save_kept_logins(doc: dict) -> None:
    """Written 0600 from the start (no moment when another user could read the token)."""
    path = _kept_logins_path()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    if not doc:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        return
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    os.chmod(path + ".tmp", 0o600)
    os.replace(path + ".tmp", path)


def _db_key(args: argparse.Namespace) -> str:
    from data.db import resolve_url

    return str(resolve_url(getattr(args, "db", None)))


def _person(args: argparse.Namespace, Session, clock):
    """The person ``--as LOGIN`` names, once they proved it: with the password (``SANWEI_PASSWORD`` or a
    prompt), or a kept log-in of ``python main.py login`` for this database. Role, district and department
    come from their staff row. A refusal (unknown, wrong password, locked) is bad input, exit 2; a wrong
    password is counted even so."""
    from data.errors import InputError
    from modes.common import auth

    login = getattr(args, "login", None)
    if not login:
        raise InputError(f"{args.command} needs --as LOGIN (the person acting)")
    kept = _kept_logins().get(_db_key(args))
    if os.environ.get(PASSWORD_ENV) is None and kept and kept.get("login") == login:
        with Session() as s:
            return auth.session_actor(s, clock, login, kept.get("token", ""))
    reply = _auth_call(
        Session, clock, "auth.sign_in", {"login": login, "password": _ask_password(f"password for {login}: ")}
    )
    if not reply["ok"]:
        raise auth.AuthRefused.from_dict(reply)
    return auth.actor_from_doc(reply["actor"])


def _execute(Session, clock, person, command: str, payload: dict):
    """Apply the bus command as ``person`` through the local door, in one transaction with its journal
    events (person None: the database administrator's own act, as for ``staff add``). A refusal is bad
    input, exit 2, and nothing is written."""
    from comms.commands import CommandRefused
    from data.errors import InputError
    from modes.bus import city_bus
    from modes.common.command_bus import call_local
    from modes.common.door import LocalDoor

    try:
        if person is None:
            return call_local(city_bus(), Session, clock, command, payload)
        return LocalDoor(city_bus(), Session, clock, person).execute(command, payload)
    except CommandRefused as exc:
        raise InputError(str(exc)) from None


def cmd_staff(args: argparse.Namespace) -> int:
    import getpass

    from data.errors import InputError
    from modes.common import auth

    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if args.staff_command == "list":
            with Session() as s:
                doc = auth.list_staff(s)
            if not args.json:
                for r in doc:
                    where = r["district"] or r["department"] or "-"
                    print(
                        f"{r['login']:<24} {r['role']:<14} {where:<12} {'' if r['has_password'] else 'NO PASSWORD '}{r['name']}"
                    )
                return 0
        elif args.staff_command == "add":
            payload = {"login": args.login, "role": args.role, "name": args.name, "district": args.district,
                       "department": args.department}  # fmt: skip
            doc = _auth_call(Session, clock, "staff.add", payload)
        else:
            if not sys.stdin.isatty():
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = getpass.getpass(f"new password for {args.login}: ")
                if getpass.getpass("again: ") != password:
                    raise InputError("the two passwords differ; nothing changed")
            doc = _auth_call(Session, clock, "staff.passwd", {"login": args.login, "password": password})
    finally:
        engine.dispose()
    _print_doc(args, doc)
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from modes.common import auth

    engine, Session = open_city(args)
    try:
        reply = _auth_call(Session, make_clock(), "auth.session_start",
                           {"login": args.login, "password": _ask_password(f"password for {args.login}: ")})  # fmt: skip
    finally:
        engine.dispose()
    if not reply["ok"]:
        raise auth.AuthRefused.from_dict(reply)
    kept = _kept_logins()
    kept[_db_key(args)] = {"login": args.login, "token": reply["token"], "expires_at": reply["expires_at"]}
    _save_kept_logins(kept)
    doc = {**reply["actor"], "expires_at": reply["expires_at"]}
    if args.json:
        emit_json(doc)
    else:
        print(f"logged in as {args.login} ({doc['role']}) on this database until {doc['expires_at']}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    kept = _kept_logins()
    entry = kept.pop(_db_key(args), None)
    if entry:
        engine, Session = open_city(args)
        try:
            _auth_call(Session, make_clock(), "auth.session_end", {"token": entry.get("token", "")})
        finally:
            engine.dispose()
        _save_kept_logins(kept)
    doc = {"logged_out": (entry or {}).get("login")}
    if args.json:
        emit_json(doc)
    else:
        print(f"logged out {doc['logged_out']}" if entry else "no kept log-in for this database")
    return 0


def _staff_parsers(add, common: argparse.ArgumentParser) -> None:
    admin = (
        "Adding staff and setting passwords is for the administrator of a local database: whoever holds the "
        "database file may do it, and the journal records it as local-admin."
    )
    p = add("staff", cmd_staff, "the staff list: who may log in, with which role, district, department")
    p.description = f"{p.description}. {admin}"
    sub = p.add_subparsers(dest="staff_command", metavar="list|add|passwd", required=True)
    sub.add_parser("list", parents=[common], help="every login, and whether it has a password")
    q = sub.add_parser("add", parents=[common], help="add a person (then: staff passwd LOGIN)",
                       description=admin)  # fmt: skip
    q.add_argument("login")
    q.add_argument(
        "--role",
        required=True,
        help="supervisor, operator, shift_leader, dispatcher, department, commander, civil_defence",
    )
    q.add_argument("--district", metavar="CODE", help="the district centre the person works for")
    q.add_argument("--department", metavar="CODE", help="the department the person works for")
    q.add_argument("--name", help="the person's name (default: the login)")
    q = sub.add_parser("passwd", parents=[common], help="set a password: from stdin when it is not "
                       "a terminal, else asked twice", description=admin)  # fmt: skip
    q.add_argument("login")
    p = add("login", cmd_login, f"log in for 8 hours on this database (password: ${PASSWORD_ENV} or asked)")
    p.add_argument("login")
    add("logout", cmd_logout, "forget the kept log-in for this database")


def cmd_report(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        return cmd_via_link(args)
    engine, Session = open_city(args)
    clock = make_clock()
    payload = {"x": args.x, "y": args.y, "lonlat": args.lonlat, "channel": args.channel, "type": args.type,
               "component": args.component, "text": args.text or "", "urgent": True if args.urgent else None}  # fmt: skip
    try:
        # Authenticated before the report's transaction: a refusal's count commits.
        doc = _execute(Session, clock, _person(args, Session, clock), "case.report", payload)
    finally:
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
    if getattr(args, "connect", None):
        return cmd_via_link(args)
    from modes.everyday.cases import CaseDesk, list_cases
    from modes.everyday.workflow import IllegalTransition

    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if args.case_command == "act":
            payload = {"id": args.id, "action": args.action, "note": args.note or "", "department": args.department,
                       "extension": args.extension, "satisfaction": args.satisfaction}  # fmt: skip
            doc = _execute(Session, clock, _person(args, Session, clock), "case.act", payload)
        else:
            with Session() as s:
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
                else:
                    doc = CaseDesk(s, clock).show(args.id)
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
    if getattr(args, "connect", None):
        return cmd_via_link(args)
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
    if args.new_city and args.layer != "cells":
        return fail("--new-city founds a city from its grid cells: use it with `import cells FILE`")
    if args.layer == "cases":
        return _import_cases(args)
    if args.layer in ("sirens", "shelters"):
        return _import_civil_defence(args)
    from data.db import new_city_file
    from data.gis_io import found_city

    # Only an explicit --new-city creates the database; a refused file then leaves none behind.
    with new_city_file(args.db) if args.new_city else contextlib.nullcontext():
        engine, Session = open_city(args, create=args.new_city)
        try:
            if args.new_city:  # founding a city is not a command on one
                d = found_city(Session, args.file, crs=args.crs, code_field=args.code_field).as_dict()
            else:
                payload = {"layer": args.layer, "file": args.file, "crs": args.crs,
                           "code_field": args.code_field}  # fmt: skip
                d = _execute(Session, make_clock(), None, "layer.import", payload)
        finally:
            engine.dispose()
    if args.json:
        emit_json(d)
    else:
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


def _import_cases(args: argparse.Namespace) -> int:
    if not args.map:
        return fail("import cases needs --map MAPPING.json (see docs/examples/boston311_mapping.json)")
    engine, Session = open_city(args)
    try:
        d = _execute(Session, make_clock(), None, "case.import", {"file": args.file, "map": args.map})
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
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.layer == "cases":
        from modes.everyday.case_export import export_cases

        engine, Session = open_city(args)
        with Session() as s:
            export_cases(s, args.format, sys.stdout)
        engine.dispose()
        return 0
    from data.gis_io import export_layer

    engine, Session = open_city(args)
    with Session() as s:
        export_layer(s, args.layer, args.format, sys.stdout)
    engine.dispose()
    return 0


# --- emergency rescue ---------------------------------------------------------------------------------


def cmd_incident(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        return _incident_via_link(args)
    import datetime as dt

    from data.errors import InputError
    from modes.emergency.desk import IncidentDesk

    def point() -> dict:
        if getattr(args, "x", None) is None or getattr(args, "y", None) is None:
            return {}
        return {"x": args.x, "y": args.y, "lonlat": args.lonlat}

    def radii() -> dict:
        return {"inner_radius_m": args.radius, "outer_radius_m": args.outer}

    def at():
        try:
            return dt.datetime.fromisoformat(args.at).isoformat() if args.at else None
        except ValueError:
            raise InputError(f"--at {args.at!r} is not an ISO date-time") from None

    if args.incident_command == "brief" and args.format == "pdf":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a file, never a window
    clock = make_clock()
    engine, Session = open_city(args)
    c = args.incident_command
    if c == "log" and args.add is not None:
        c = "log-add"
    # The writes: a bus command each, applied through the door as the person --as names.
    writes = {
        "open": lambda: ("incident.open", {
            "type": args.type, "level": args.level, "area": args.area, "title": args.title or "",
            "text": args.text or "", "exercise": args.exercise, **point(), **radii(),
        }),
        "escalate": lambda: ("incident.escalate", {"case_id": args.case_id, "type": args.type, "level": args.level,
                                                    **radii()}),
        "status": lambda: ("incident.status", {"id": args.id, "status": args.status, "note": args.note}),
        "level": lambda: ("incident.level", {"id": args.id, "level": args.level, "note": args.note}),
        "area": lambda: ("incident.area", {
            "id": args.id, "area": args.area, "inner_cordon": args.inner_wkt, "outer_cordon": args.outer_wkt,
            "clear_drawn": args.clear_drawn, **point(), **radii(),
        }),
        "role": lambda: ("incident.role", {"id": args.id, "position": args.position, "person": args.person,
                                           "agency": args.agency}),
        "dispatch": lambda: ("incident.dispatch", {
            "incident_id": args.id, "unit": args.unit, "instructions": args.task or "",
            "due_minutes": args.due_minutes, "order_id": args.order_id,
        }),
        "task": lambda: ("task.status", {"order_id": args.task, "incident_id": args.id, "status": args.status,
                                         "note": args.note}),
        "ack": lambda: ("task.ack", {"order_id": args.order_id, "acknowledged_at": at()}),
        "log-add": lambda: ("incident.log", {"id": args.id, "text": args.add, "task": args.task}),
    }  # fmt: skip
    try:
        if c == "open" and not point() and not args.area:
            raise InputError("incident open needs --x and --y, or --area WKT")
        if c in writes:
            command, payload = writes[c]()
            doc = _execute(Session, clock, _person(args, Session, clock), command, payload)
        elif c == "demo-units":  # demo data for a new city, not a command on one
            from data.emergency_demo import add_demo_units

            doc = add_demo_units(Session, seed=args.seed, at=clock.now())
        else:
            with Session() as s:
                desk = IncidentDesk(s, clock)
                if c == "brief":
                    briefing = desk.briefing(args.id, prepared_by=args.prepared_by)
                    if args.format == "pdf":
                        from console.brief_export import briefing_pdf

                        sys.stdout.buffer.write(briefing_pdf(briefing))
                        sys.stdout.flush()
                    else:
                        from modes.emergency.brief import render_html

                        sys.stdout.write(render_html(briefing))
                    return 0
                run = {
                    "impact": lambda: desk.impact(args.id),
                    "show": lambda: desk.show(args.id),
                    "list": lambda: desk.list(args.status),
                    "timeline": lambda: desk.timeline(args.id),
                    "suggest": lambda: desk.suggest(args.id, args.need, args.limit),
                    "tasks": lambda: desk.tasks(args.incident, True if args.overdue else None),
                    "log": lambda: desk.log(args.id),
                }
                doc = run[c]()
    finally:
        engine.dispose()
    _print_doc(args, doc)
    return 0


def _incident_via_link(args: argparse.Namespace) -> int:
    """incident dispatch|task through the node at ``--connect``: a dispatch order is followed until its
    owner acknowledged it or ``--wait`` seconds passed."""
    c = args.incident_command
    actor = _actor_payload(args)
    with _link_session(args) as link:
        if c == "dispatch":
            payload = {"incident_id": args.id, "unit": args.unit, "instructions": args.task or "",
                       "due_minutes": args.due_minutes, "order_id": args.order_id, **actor}  # fmt: skip
            doc = link.request("incident.dispatch", payload, wait=args.wait)
            if not doc.get("queued"):
                doc = _follow(link, "query.task", {"order_id": doc["order_id"]}, args.wait, "acknowledged_at")
        else:
            payload = {"order_id": args.task, "incident_id": args.id, "status": args.status,
                       "note": args.note, **actor}  # fmt: skip
            doc = link.request("task.status", payload, wait=args.wait)
    if doc.get("queued"):
        sys.stderr.write(f"queued for the centre as {doc['forward_id']}; not applied there yet\n")
    _print_doc(args, doc)
    return 0


# --- civil air defence ------------------------------------------------------------------------------


def _cd_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _cd_time(text: str | None):
    if not text:
        return None
    import datetime as dt

    from data.errors import InputError

    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--at {text!r} is not an ISO date-time") from None


def _cd_print(args: argparse.Namespace, doc: dict, lines: list[str]) -> None:
    if args.json:
        emit_json(doc)
    else:
        print("\n".join(lines))


def cmd_alarm(args: argparse.Namespace) -> int:
    from modes.civil_defence import alarms

    c = args.alarm_command
    if c == "signal":
        doc = alarms.SIGNALS[alarms.parse_kind(args.kind)].as_dict()
        if args.wav:
            doc["wav"] = str(alarms.write_wav(args.wav, alarms.render_tone(args.kind)))
        _cd_print(
            args, doc, [f"{doc['name_zh']} ({doc['name_en']}): sound {doc['on_off']} in {doc['cycle_s']} s"]
        )
        return 0
    if getattr(args, "connect", None):
        doc = _alarm_via_link(args)
        _cd_print(args, doc, _alarm_lines(doc))
        return 0
    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if c == "issue":
            payload = {"kind": args.kind, "districts": args.districts, "exercise": args.exercise}
            doc = _execute(Session, clock, _person(args, Session, clock), "alarm.issue", payload)
            if args.wav:
                doc["wav"] = str(alarms.write_wav(args.wav, alarms.render_tone(args.kind)))
        elif c == "ack":
            at = _cd_time(args.at)
            payload = {"alarm_id": args.id, "district": args.district,
                       "acknowledged_at": at and at.isoformat()}  # fmt: skip
            _execute(Session, clock, _person(args, Session, clock), "alarm.ack", payload)
        elif c == "test-plan":
            payload = {"date": args.date and args.date.isoformat()}
            doc = _execute(Session, clock, _person(args, Session, clock), "alarm.plan_test", payload)
        if c in ("ack", "board", "test-plan"):
            with Session() as s:
                if c == "test-plan":
                    doc["planned_dates"] = [p.date.isoformat() for p in alarms.list_test_plans(s)]
                else:
                    doc = alarms.delivery_board(s, args.id, clock.now()).as_dict()
    finally:
        engine.dispose()
    if c == "test-plan":
        lines = [f"annual test {doc['date']}:"] + [
            f"  {x['starts_at']}  {x['name_zh']}" for x in doc["signals"]
        ]
    else:
        lines = _alarm_lines(doc)
    _cd_print(args, doc, lines)
    return 0


def _alarm_lines(doc: dict) -> list[str]:
    if doc.get("queued"):  # through a district whose centre did not answer within --wait
        return [f"queued for the centre as {doc['forward_id']}: the alarm is not issued yet"]
    return [f"alarm {doc['alarm_id']} {doc['name_zh']} issued {doc['issued_at']} by {doc['issued_by']}"] + [
        f"  {d['district']} {d['name']}: sent {d['sent_at']}, received {d['received_at'] or '-'}, "
        f"acknowledged {d['acknowledged_at'] or '-'}{'  LATE' if d['late'] else ''}"
        for d in doc["deliveries"]
    ]


def _alarm_via_link(args: argparse.Namespace) -> dict:
    """alarm issue|board|ack through the node at ``--connect``: an issued alarm is followed until every
    district acknowledged it or ``--wait`` seconds passed (the board then shows who has not)."""
    from modes.civil_defence import alarms

    c = args.alarm_command
    with _link_session(args) as link:
        if c == "issue":
            payload = {"kind": args.kind, "districts": args.districts, "exercise": args.exercise,
                       "login": args.login}  # fmt: skip
            doc = link.request("alarm.issue", payload, wait=args.wait)
            if not doc.get("queued"):
                doc = _follow(link, "query.alarm", {"id": doc["alarm_id"]}, args.wait, "all_acknowledged")
            if args.wav:
                doc["wav"] = str(alarms.write_wav(args.wav, alarms.render_tone(args.kind)))
            return doc
        if c == "ack":
            link.call("alarm.ack", {"alarm_id": args.id, "district": args.district,
                                    "acknowledged_at": args.at, "by": args.login})  # fmt: skip
        return link.call("query.alarm", {"id": args.id})


def cmd_sirens(args: argparse.Namespace) -> int:
    from modes.civil_defence import coverage

    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if args.sirens_command == "set":
            payload = {"siren": args.id, "status": args.status, "population": args.population}
            doc = _execute(Session, clock, _person(args, Session, clock), "siren.status", payload)
        else:
            with Session() as s:
                model = coverage.CoverageModel.load(s, population=args.population)
                if args.sirens_command == "suggest":
                    from data.city import city_crs

                    before = model.report()
                    picks = coverage.suggest_sirens(
                        model, args.n, kind=args.kind, power_w=args.power, crs=city_crs(s)
                    )
                    doc = {
                        "covered_before": round(before.covered),
                        "population": round(before.population),
                        "suggestions": [p.as_dict() for p in picks],
                    }
                else:
                    doc = model.report().as_dict(max_cells=args.max_cells)
    finally:
        engine.dispose()
    if args.sirens_command == "coverage":
        lines = [
            f"{doc['population_kind']} population {doc['population']}: covered {doc['covered']}, "
            f"uncovered {doc['uncovered']} ({doc['sirens_in_service']} of {doc['sirens_total']} sirens in service)"
        ]
        lines += [
            f"  {d['district']} {d['name']}: uncovered {d['uncovered']} of {d['population']}"
            for d in doc["districts"]
        ]
    elif args.sirens_command == "suggest":
        lines = [
            f"  #{p['rank']} {p['cell']} ({p['lon']}, {p['lat']}): +{p['gain_people']} people"
            for p in doc["suggestions"]
        ]
    else:
        lines = [
            f"siren {doc['siren']}: {doc['previous']} -> {doc['status']}, covered {doc['covered_before']} -> {doc['covered_after']}"
        ]
    _cd_print(args, doc, lines)
    return 0


def _evacuation_config(args: argparse.Namespace):
    from modes.civil_defence.evacuation import EvacuationConfig

    return EvacuationConfig(
        staying_share=args.staying_share,
        max_walk_min=args.max_walk_min,
        walk_speed_mps=args.speed,
        detour_factor=args.detour,
    )


def cmd_evacuate(args: argparse.Namespace) -> int:
    from modes.civil_defence import evacuation

    engine, Session = open_city(args)
    with Session() as s:
        problem = evacuation.load_problem(s, _evacuation_config(args))
    engine.dispose()
    plan = evacuation.greedy_plan(problem) if args.greedy else evacuation.optimal_plan(problem)
    if args.format in ("csv", "geojson"):
        evacuation.write_plan(plan, args.format, sys.stdout)
        return 0
    doc = plan.summary(max_cells=args.max_cells)
    lines = [
        f"{doc['method']} (status {doc['solver_status']}, {doc['seconds']} s): staying {doc['staying_population']}, "
        f"assigned {doc['assigned']}, unplaced {doc['unplaced']}, {doc['person_metres']:.0f} person-metres"
    ]
    lines += [
        f"  {d['district']} {d['name']}: unplaced {d['unplaced']} of {d['staying']}, places {d['places']}"
        for d in doc["districts"]
    ]
    _cd_print(args, doc, lines)
    return 0


def cmd_shelters(args: argparse.Namespace) -> int:
    from modes.civil_defence import evacuation
    from modes.common.changes import Changes

    c = args.shelters_command
    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if c == "close":
            from modes.civil_defence.authority import require_civil_defence

            who = _person(args, Session, clock)
            require_civil_defence(who.role, "open or close a shelter")  # before the plan's minutes
            with Session() as s:
                before = evacuation.optimal_plan(evacuation.load_problem(s, _evacuation_config(args)))
            payload = {"shelter": args.id, "status": "closed", "from": "open"}
            done = _execute(Session, clock, who, "shelter.status", payload)
            doc = evacuation.replan_closed(
                before, args.id, Changes(journal_seq=done["journal_seq"]), keep_bonus_m=args.keep_bonus
            ).as_dict()
        elif c == "open":
            payload = {"shelter": args.id, "status": "open"}
            doc = _execute(Session, clock, _person(args, Session, clock), "shelter.status", payload)
        elif c == "occupancy":
            at = _cd_time(args.at)
            payload = {"shelter": args.id, "persons": args.persons, "at": at and at.isoformat()}
            doc = _execute(Session, clock, _person(args, Session, clock), "shelter.occupancy", payload)
        elif c == "demo":  # demo data for a new city, not a command on one
            from data.civil_defence_demo import add_demo_set

            doc = add_demo_set(Session, seed=args.seed, at=clock.now())
        else:
            with Session() as s:
                doc = {"shelters": evacuation.list_shelters(s, args.shelter_class)}
    finally:
        engine.dispose()
    if c == "list" and not args.json:
        for x in doc["shelters"]:
            print(
                f"{x['id']:<14} {x['class']:<18} {x['status']:<8} {x['occupancy']:>6}/{x['capacity']:<6} {x['name']}"
            )
        return 0
    _print_doc(args, doc)
    return 0


def _import_civil_defence(args: argparse.Namespace) -> int:
    engine, Session = open_city(args)
    payload = {"layer": args.layer, "file": args.file, "crs": args.crs, "code_field": args.code_field,
               "area_per_person": args.area_per_person}  # fmt: skip
    try:
        d = _execute(Session, make_clock(), None, "layer.import", payload)
    finally:
        engine.dispose()
    _cd_print(
        args,
        d,
        [
            f"imported {d['kind']} from {d['path']}: read {d['read']}, inserted {d['inserted']}, "
            f"updated {d['updated']}, unchanged {d['unchanged']}, outside the grid {d['outside']['count']}"
        ],
    )
    return 0


# --- links between the centres (docs/protocol.md section 7) ------------------------------------------


def _link_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    g = p.add_argument_group("through a running centre or district node")
    g.add_argument(
        "--connect",
        metavar="tcp://HOST:PORT",
        help="act through the node at this endpoint (no database opened)",
    )
    g.add_argument(
        "--keys", metavar="DIR", help="CURVE key folder (without it CURVE is off: lab and tests only)"
    )
    g.add_argument(
        "--identity", metavar="NAME", default="console", help="this client's key in DIR (default console)"
    )
    g.add_argument(
        "--server",
        metavar="NAME",
        help="the node's key in DIR (default: centre, else the one district key in DIR)",
    )
    g.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="S",
        help="via a district: seconds to wait for the centre's answer",
    )
    return p


def _link_security(keys: str | None, identity: str):
    if not keys:
        return None
    from comms.keys import KeyFileError, Security
    from data.errors import InputError

    try:
        return Security.from_dir(keys, identity)
    except KeyFileError as exc:
        raise InputError(f"key folder {keys}: {exc}") from None


def _server_key(args: argparse.Namespace) -> str:
    if getattr(args, "server", None) or not getattr(args, "keys", None):
        return getattr(args, "server", None) or "centre"
    from comms.keys import load_keys

    ring = load_keys(args.keys)
    if "centre" in ring:
        return "centre"
    districts = [n for n in ring.names() if ring[n].role.startswith("district:") and n != args.identity]
    return districts[0] if len(districts) == 1 else "centre"


def _remote(args: argparse.Namespace, command: str, payload: dict, *, wait: bool = False):
    """Run a command on the node at ``--connect``; a refusal is bad input (exit 2), no answer exit 3."""
    from data.db import DatabaseError
    from data.errors import InputError
    from modes.common.nodes import LinkClient, LinkError, LinkRefused

    security = _link_security(args.keys, args.identity)
    try:
        with LinkClient(args.connect, security, server=_server_key(args)) as link:
            _sign_in_link(link, args)
            if wait:
                return link.request(command, payload, wait=args.wait)
            return link.call(command, payload)
    except LinkRefused as exc:
        raise InputError(exc.reason) from None
    except (LinkError, ValueError) as exc:
        hint = "" if not args.keys else f" (is {_server_key(args)!r} the node's key in {args.keys}? see --server)"
        raise DatabaseError(f"{exc}{hint}") from None


@contextlib.contextmanager
def _link_session(args: argparse.Namespace):
    """One link to the node at ``--connect`` for several calls; errors as ``_remote`` reports them."""
    from data.db import DatabaseError
    from data.errors import InputError
    from modes.common.nodes import LinkClient, LinkError, LinkRefused

    security = _link_security(args.keys, args.identity)
    try:
        with LinkClient(args.connect, security, server=_server_key(args)) as link:
            _sign_in_link(link, args)
            yield link
    except LinkRefused as exc:
        raise InputError(exc.reason) from None
    except InputError:
        raise
    except (LinkError, ValueError) as exc:
        raise DatabaseError(str(exc)) from None


def _follow(link, query: str, args: dict, wait: float, done: str) -> dict:
    """Ask ``query`` until its answer's ``done`` field is set or ``wait`` seconds passed. A district
    node answers from its replica, which may not hold the order yet: it is asked again meanwhile."""
    from modes.common.nodes import LinkRefused

    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            doc = link.call(query, args)
        except LinkRefused:
            if time.monotonic() >= deadline:
                raise
        else:
            if doc.get(done) or time.monotonic() >= deadline:
                return doc
        time.sleep(0.05)


def _sign_in_link(link, args: argparse.Namespace) -> None:
    """``--as LOGIN`` over a link: the node checks the password and opens a session that the following
    commands carry (a login merely named in a command is refused there)."""
    from data.errors import InputError

    login = getattr(args, "login", None)
    if not login:
        return
    reply = link.sign_in(login, _ask_password(f"password for {login}: "))
    if not reply.get("ok"):
        raise InputError(str(reply.get("message") or f"the node refused the log-in of {login!r}"))


def _actor_payload(args: argparse.Namespace) -> dict:
    # The node takes role, district and department from its staff row of this login.
    return {"login": getattr(args, "login", None)}


def cmd_via_link(args: argparse.Namespace) -> int:
    """stats, locate, report, case show|act|list and kpi through a node (``--connect``)."""
    if args.command == "stats":
        counts = _remote(args, "query.stats", {})
        if args.json:
            emit_json(counts)
        else:
            for k, v in counts.items():
                print(f"{k:>12}  {v}")
        return 0
    if args.command == "locate":
        if args.batch is not None or args.x is None or args.y is None:
            return fail("locate --connect takes X Y (no --batch)")
        doc = _remote(
            args,
            "query.locate",
            {"x": args.x, "y": args.y, "lonlat": args.lonlat, "type": args.type, "component": args.component},
        )
    elif args.command == "report":
        payload = {
            "x": args.x,
            "y": args.y,
            "lonlat": args.lonlat,
            "channel": args.channel,
            "type": args.type,
            "component": args.component,
            "text": args.text or "",
            "urgent": True if args.urgent else None,
            **_actor_payload(args),
        }
        doc = _remote(args, "case.report", payload, wait=True)
    elif args.command == "case" and args.case_command == "show":
        doc = _remote(args, "query.case", {"id": args.id})
    elif args.command == "case" and args.case_command == "act":
        payload = {
            "id": args.id,
            "action": args.action,
            "note": args.note or "",
            "department": args.department,
            "extension": args.extension,
            "satisfaction": args.satisfaction,
            **_actor_payload(args),
        }
        doc = _remote(args, "case.act", payload, wait=True)
    elif args.command == "case":
        payload = {
            "state": args.state,
            "department": args.department,
            "district": args.district,
            "overdue": args.overdue,
            "limit": args.limit,
            "offset": args.offset,
        }
        doc = _remote(args, "query.cases", payload)
        if not args.json:
            print(f"{doc['total']} cases match; showing {len(doc['cases'])} from {doc['offset']}")
            for c in doc["cases"]:
                flag = " OVERDUE" if c["overdue"] else ""
                queued = " QUEUED" if c.get("queued") else ""
                print(
                    f"{c['id']:>8}  {c['state']:<20} {c['type']:<6} {c['district']} {c['department'] or '-':<16}{flag}{queued}"
                )
            return 0
    elif args.command == "kpi":
        doc = _remote(args, "query.kpi", {"by": args.by, "start": args.start, "end": args.end})
        if not args.json:
            for row in doc["rows"]:
                print(f"{row['key']:<18} {row.get('name', ''):<20} score {row['score']:6.1f}  {row['grade']}")
            return 0
    else:
        return fail(f"{args.command} cannot run through --connect")
    if isinstance(doc, dict) and doc.get("queued"):
        link = doc.get("link") or {}
        state = "up" if link.get("up") else f"down since {link.get('since')}"
        sys.stderr.write(
            f"queued for the centre as {doc['forward_id']} (link {state}); provisional result:\n"
        )
    _print_doc(args, doc)
    return 0


def _command_bus():
    """Every mode's commands on one bus (the composition root decides which modes a node serves)."""
    from modes.bus import build_bus

    return build_bus()


def cmd_center(args: argparse.Namespace) -> int:
    from modes.common.nodes import CentreNode, serve, setup_json_logging

    log = setup_json_logging(args.identity)
    node = CentreNode(
        args.db,
        args.bind,
        bus=_command_bus(),
        clock=make_clock(),
        security=_link_security(args.keys, args.identity),
        log=log,
        heartbeat=args.heartbeat,
        case_window_days=args.case_window_days,
    )
    if args.keys is None:
        log.event("no_curve", "warning", message="running without CURVE: tests and lab only")
    return serve(node, log)


def cmd_district(args: argparse.Namespace) -> int:
    from modes.common.nodes import DistrictNode, serve, setup_json_logging

    identity = args.identity or f"district-{args.code}"
    log = setup_json_logging(identity)
    db = args.db
    if db is None:
        import platformdirs

        db = f"sqlite:///{platformdirs.user_data_dir('sanwei')}/district-{args.code}.db"
    node = DistrictNode(
        args.code,
        db,
        args.center,
        args.bind,
        bus=_command_bus(),
        clock=make_clock(),
        security=_link_security(args.keys, identity),
        centre_key=args.center_key,
        log=log,
        heartbeat=args.heartbeat,
    )
    from modes.civil_defence import link_commands as civil_defence_links
    from modes.emergency import link_commands as emergency_links

    # Alarms and dispatch orders the centre sends down are acknowledged by the node itself.
    civil_defence_links.watch(node)
    emergency_links.watch(node)
    if args.keys is None:
        log.event("no_curve", "warning", message="running without CURVE: tests and lab only")
    return serve(node, log)


def cmd_keys(args: argparse.Namespace) -> int:
    from comms.keys import KeyFileError, generate_keys

    try:
        key = generate_keys(args.keys, args.name, args.key_role)
    except KeyFileError as exc:
        return fail(str(exc))
    doc = {
        "name": key.name,
        "role": key.role,
        "public": f"{args.keys}/{key.name}.key",
        "secret": f"{args.keys}/{key.name}.key_secret",
    }
    if args.json:
        emit_json(doc)
    else:
        print(
            f"wrote {doc['public']} and {doc['secret']} (role {key.role}); give the .key file to the other side"
        )
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    if not args.connect:
        return fail("link status needs --connect tcp://HOST:PORT (the node's base endpoint)")
    doc = _remote(args, "link.status", {})
    if args.json:
        emit_json(doc)
        return 0
    if doc["node"] == "centre":
        print(f"centre {doc['bind']}  epoch {doc['epoch'][:8]}  seq {doc['seq']}  keys {doc['keys']}")
        for p in doc["peers"]:
            print(f"  peer {p['name']:<20} {p['role']:<18} last seen {p['age_s']} s ago")
        for code, d in sorted(doc["districts"].items()):
            print(
                f"  district {code}: queue {d.get('queue')}  lag {d.get('lag')}  commands up {d.get('commands_up')}"
            )
        return 0
    c, s = doc["commands"], doc["state"]
    for name, part in (("commands", c), ("state", s)):
        line = "up" if part["up"] else f"DOWN for {part['down_for_s']} s (since {part['since']})"
        print(f"{name:>9}: {line}  last heartbeat {part['last_heartbeat']}")
    print(
        f"    queue: {c['queue_length']} command(s){'  last error: ' + c['last_error'] if c['last_error'] else ''}"
    )
    print(f"  replica: seq {s['seq']}  lag {s['lag']}")
    for q in doc["queue"]:
        print(f"  queued {q['forward_id']} {q['command']:<14} {q['subject']:<20} {q['age_s']} s")
    for r in doc["recent"]:
        if r["state"] != "ok":
            print(f"  {r['state']} {r['forward_id']} {r['command']}: {r['reason']}")
    return 0


def _link_parsers(add) -> None:
    p = add(
        "center", cmd_center, "run the municipal centre node (headless): state on P..P+2, commands on P+3"
    )
    p.add_argument("--bind", default="tcp://127.0.0.1:5556", metavar="tcp://HOST:P", help="base endpoint P")
    p.add_argument(
        "--keys", metavar="DIR", help="key folder: this node's pair and the allowed peers' public keys"
    )
    p.add_argument(
        "--identity", default="centre", metavar="NAME", help="this node's key in DIR (default centre)"
    )
    p.add_argument("--heartbeat", type=float, default=1.0, metavar="S")
    p.add_argument(
        "--case-window-days",
        type=float,
        default=30.0,
        metavar="D",
        help="finished cases kept in the shared picture",
    )

    p = add("district", cmd_district, "run a district centre node with its own replica database")
    p.add_argument("code", help="the district's GB/T 2260 code, e.g. 230102")
    p.add_argument(
        "--center", required=True, metavar="tcp://HOST:P", help="the municipal centre's base endpoint"
    )
    p.add_argument(
        "--bind", default="tcp://127.0.0.1:5556", metavar="tcp://HOST:P", help="where this node serves"
    )
    p.add_argument(
        "--keys", metavar="DIR", help="key folder: this node's pair, centre.key, its consoles' keys"
    )
    p.add_argument("--identity", metavar="NAME", help="this node's key in DIR (default district-CODE)")
    p.add_argument("--center-key", default="centre", metavar="NAME", help="the centre's key in DIR")
    p.add_argument("--heartbeat", type=float, default=1.0, metavar="S")

    p = add("keys", cmd_keys, "CURVE keys for the links")
    keys_sub = p.add_subparsers(dest="keys_command", metavar="new", required=True)
    q = keys_sub.add_parser("new", help="write DIR/NAME.key and DIR/NAME.key_secret")
    q.add_argument("name")
    q.add_argument("--role", dest="key_role", required=True, help="centre | district:CODE | console[:CODE]")
    q.add_argument("--keys", required=True, metavar="DIR")
    q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)

    p = add("link", cmd_link, "the links of a running node")
    link_sub = p.add_subparsers(dest="link_command", metavar="status", required=True)
    _link_options(link_sub.add_parser("status", help="peers, sequence, lag, queue, heartbeats of a node"))
    link_sub.choices["status"].add_argument("--json", action="store_true", default=argparse.SUPPRESS)


# --- audit -------------------------------------------------------------------------------------------

EXIT_TAMPERED = 5  # audit verify: the journal, or a row it vouches for, is not as it was written
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


def _audit_parsers(add) -> None:
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
    if getattr(args, "connect", None):
        # Attach to a running node: its keys as the CLI actions use them (console/connect.py opens it).
        args.security = _link_security(args.keys, args.identity)
        args.server = _server_key(args)
    from console.app import run_console

    return run_console(args)


# --- the parser ---------------------------------------------------------------------------------------


def _actor_options(p: argparse.ArgumentParser, *, role_required: bool) -> None:
    p.add_argument(
        "--as",
        dest="login",
        metavar="LOGIN",
        required=role_required,
        help=f"the person acting (a staff login: role, district and department come from the staff list); "
        f"password from ${PASSWORD_ENV}, a kept log-in (`login`), or asked on a terminal",
    )


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
            help="database URL (default: $SANWEI_DB, else the demo city file); a SQLite file must exist"
            " except for seed and import cells --new-city",
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
    p.add_argument(
        "--mode",
        choices=["everyday", "civil-defence", "emergency"],
        default=None,
        help="open this mode's page as a preview: the city's mode is not changed (default: the city's current mode)",
    )
    p.add_argument("--lang", choices=["zh_CN", "en"], default=None)
    p.add_argument("--screenshot", metavar="FILE.png", help="render the loaded window to a PNG and exit")
    p.add_argument("--size", default="1600x1000", help="window size for --screenshot, WxH")
    p.add_argument(
        "--as",
        dest="login",
        metavar="LOGIN",
        default=None,
        help=f"log in as this staff login (skips the login dialog; password from ${PASSWORD_ENV})",
    )
    _link_options(p)

    p = add("seed", cmd_seed, "generate the demo city (deterministic from --seed)")
    p.add_argument("--scale", choices=["harbin", "small"], default="harbin")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--history-days", type=int, default=0, help="also generate N days of past cases")

    _link_options(add("stats", cmd_stats, "count what the city holds"))

    p = add("locate", cmd_locate, "find the cell, community, street, district and supervisor of a point")
    _link_options(p)
    p.add_argument("x", nargs="?", type=float)
    p.add_argument("y", nargs="?", type=float)
    p.add_argument("--lonlat", action="store_true", help="X Y are WGS84 longitude, latitude")
    p.add_argument("--batch", metavar="FILE.csv", help="read x,y rows and write x,y,cell rows to stdout")
    p.add_argument("--type", help="also route: the department the district assigns this event type to")
    p.add_argument("--component", metavar="ID", help="also route: the owner department of this component")

    p = add("report", cmd_report, "report a problem: locate, route and open a case (or link a duplicate)")
    _link_options(p)
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
    _actor_options(p, role_required=True)

    p = add("case", cmd_case, "show, act on and list cases")
    case_sub = p.add_subparsers(dest="case_command", metavar="show|act|list", required=True)
    q = case_sub.add_parser(
        "show", parents=[common], help="a case with its history, stage clocks and next actions"
    )
    _link_options(q)
    q.add_argument("id", type=int)
    q = case_sub.add_parser("act", parents=[common], help="take an action of the loop on a case")
    _link_options(q)
    q.add_argument("id", type=int)
    q.add_argument("action")
    q.add_argument("--note", default="")
    q.add_argument("--department", help="dispatch: the department to send the case to (default: routed)")
    q.add_argument("--extension", help="request_extension/approve_extension: e.g. '2 working_days'")
    q.add_argument("--satisfaction", choices=["satisfied", "basic", "unsatisfied"], help="evaluate")
    _actor_options(q, role_required=True)
    q = case_sub.add_parser("list", parents=[common], help="cases, newest first")
    _link_options(q)
    q.add_argument("--state")
    q.add_argument("--department")
    q.add_argument("--district")
    q.add_argument("--overdue", action="store_true")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--offset", type=int, default=0)

    p = add("kpi", cmd_kpi, "evaluation: rates, composite scores and grades")
    _link_options(p)
    p.add_argument("--from", dest="start", help="first day (YYYY-MM-DD), inclusive")
    p.add_argument("--to", dest="end", help="last day (YYYY-MM-DD), inclusive")
    p.add_argument("--by", choices=["department", "district", "supervisor", "role"], default="department")

    p = add("import", cmd_import, "import a GIS layer (GeoJSON or CSV) into the city")
    p.add_argument("layer", choices=["cells", "components", "cameras", "cases", "sirens", "shelters"])
    p.add_argument("file")
    p.add_argument(
        "--map", metavar="MAPPING.json", help="import cases: how the file's columns and codes map to ours"
    )
    p.add_argument(
        "--crs", help="CRS of the file's coordinates, e.g. EPSG:2019 (default: from the file, else WGS84)"
    )
    p.add_argument("--code-field", help="property holding the feature's code or id")
    p.add_argument("--area-per-person", type=float, metavar="M2", help="shelters: usable m2 per person")
    p.add_argument(
        "--new-city",
        action="store_true",
        help="cells: found a new city from this file, creating the database (refused where a city exists)",
    )

    p = add("export", cmd_export, "export a layer to stdout")
    p.add_argument("layer", choices=["cells", "components", "cameras", "cases"])
    p.add_argument("--format", choices=["geojson", "csv"], default="geojson")

    p = add("incident", cmd_incident, "emergency rescue: incidents, impact, units, dispatch, log, briefing")
    inc = p.add_subparsers(dest="incident_command", metavar="SUBCOMMAND", required=True)

    def incident_sub(name: str, help_text: str, actor: bool | None = None) -> argparse.ArgumentParser:
        q = inc.add_parser(name, parents=[common], help=help_text, description=help_text)
        if actor is not None:
            _actor_options(q, role_required=actor)
        return q

    def where(q: argparse.ArgumentParser, *, radii: bool = True) -> None:
        q.add_argument("--x", type=float)
        q.add_argument("--y", type=float)
        q.add_argument("--lonlat", action="store_true", help="--x --y are WGS84 longitude, latitude")
        q.add_argument("--area", metavar="WKT", help="a drawn incident area (polygon in the city CRS)")
        if radii:
            q.add_argument("--radius", type=float, metavar="M", help="inner cordon radius (default: type's)")
            q.add_argument("--outer", type=float, metavar="M", help="outer cordon radius (default: scaled)")

    q = incident_sub("open", "open an incident (commander) and print its impact summary", actor=True)
    q.add_argument("--type", required=True, help="incident type: 0401..0499, fire, flood, gas_leak, ...")
    q.add_argument("--level", default="IV", help="response level I, II, III or IV (I is the highest)")
    where(q)
    q.add_argument("--title")
    q.add_argument("--text", help="what is known")
    q.add_argument("--exercise", action="store_true", help="a drill: marked EXERCISE everywhere")
    q = incident_sub("escalate", "open an incident from an everyday case, linked both ways", actor=True)
    q.add_argument("case_id", type=int)
    q.add_argument("--type", help="incident type (default: from the case's event type)")
    q.add_argument("--level", default="IV")
    q.add_argument("--radius", type=float, metavar="M")
    q.add_argument("--outer", type=float, metavar="M")
    for name, help_text in (
        ("impact", "cells, population, components by department, cameras, shelters, hospitals, open cases"),
        ("show", "an incident with its organisation and tasks"),
        ("timeline", "the incident replayed from the journal (with its case's events)"),
    ):
        incident_sub(name, help_text).add_argument("id", type=int)
    q = incident_sub("list", "incidents, newest first")
    q.add_argument("--status", choices=["reported", "responding", "contained", "closed"])
    q = incident_sub("status", "move an incident to another status", actor=True)
    q.add_argument("id", type=int)
    q.add_argument("status", choices=["reported", "responding", "contained", "closed"])
    q.add_argument("--note", default="")
    q = incident_sub("level", "change the response level (commander)", actor=True)
    q.add_argument("id", type=int)
    q.add_argument("level")
    q.add_argument("--note", default="")
    q = incident_sub("area", "move the site, redraw the area or cordons, change the radii", actor=True)
    q.add_argument("id", type=int)
    where(q)
    q.add_argument("--inner-wkt", metavar="WKT", help="a drawn inner cordon")
    q.add_argument("--outer-wkt", metavar="WKT", help="a drawn outer cordon")
    q.add_argument("--clear-drawn", action="store_true", help="drop drawn cordons: the radii apply again")
    q = incident_sub("role", "put a person in an ICS position (commander)", actor=True)
    q.add_argument("id", type=int)
    q.add_argument("position", help="commander, operations, planning, logistics, finance, safety, ...")
    q.add_argument("person")
    q.add_argument("--agency", default="")
    q = incident_sub("suggest", "nearest available units, with straight-line ETA")
    q.add_argument("id", type=int)
    q.add_argument("--need", metavar="CAPABILITY", help="fire, medical, gas_repair, pumping, ... or any")
    q.add_argument("--limit", type=int, default=10)
    q = incident_sub("dispatch", "order a unit to the incident (commander)", actor=True)
    q.add_argument("id", type=int)
    q.add_argument("unit")
    q.add_argument("--task", help="instructions for the unit")
    q.add_argument("--due-minutes", type=float, help="time to be done (default: ETA + 60 min)")
    q.add_argument("--order-id", help="the order's id (default: a new one); the same id is applied once")
    _link_options(q)
    q = incident_sub("task", "move a task: en_route, on_scene, done, cancelled", actor=True)
    q.add_argument("id", type=int)
    q.add_argument("task", help="task number or order id")
    q.add_argument("status", choices=["en_route", "on_scene", "done", "cancelled"])
    q.add_argument("--note", default="")
    _link_options(q)
    q = incident_sub("ack", "acknowledge a dispatch order (idempotent; its owner)", actor=True)
    q.add_argument("order_id")
    q.add_argument("--at", help="when it was acknowledged (ISO; default now)")
    q = incident_sub("tasks", "dispatch tasks, with overdue flags")
    q.add_argument("--incident", type=int)
    q.add_argument("--overdue", action="store_true")
    q = incident_sub("log", "the significant-events log; --add TEXT --as ROLE to write to it", actor=False)
    q.add_argument("id", type=int)
    q.add_argument("--add", metavar="TEXT")
    q.add_argument("--task", type=int, help="the task the entry is about")
    q = incident_sub("brief", "the ICS 201 briefing as HTML or PDF, to stdout")
    q.add_argument("id", type=int)
    q.add_argument("--format", choices=["html", "pdf"], default="html")
    q.add_argument("--prepared-by", default="commander")
    q = incident_sub("demo-units", "seed the demo rescue units, depots and hospitals into a seeded city")
    q.add_argument("--seed", type=int, default=1)

    # --- civil air defence ---
    def cd_sub(group, name: str, help_text: str, *, role: bool = False) -> argparse.ArgumentParser:
        q = group.add_parser(name, parents=[common], help=help_text, description=help_text)
        _actor_options(q, role_required=role)
        return q

    def evacuation_options(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--max-walk-min", type=float, default=30.0, metavar="M", help="walking limit in minutes"
        )
        q.add_argument("--speed", type=float, default=1.0, metavar="M_S", help="walking speed, m/s")
        q.add_argument("--detour", type=float, default=1.3, help="walking distance / straight-line distance")
        q.add_argument(
            "--staying-share", type=float, default=0.6, help="share of the night population staying"
        )

    signal_kinds = ["pre", "raid", "clear"]
    p = add("alarm", cmd_alarm, "civil air defence: alarm signals, sounding orders, the annual test")
    grp = p.add_subparsers(dest="alarm_command", metavar="signal|issue|board|ack|test-plan", required=True)
    q = cd_sub(grp, "signal", "a signal's on/off pattern (and its tone as a WAV file)")
    q.add_argument("kind", choices=signal_kinds)
    q.add_argument("--wav", metavar="FILE", help="write the 3-minute tone to this WAV file")
    q = cd_sub(grp, "issue", "order a signal sounded in districts (civil-defence office only)", role=True)
    q.add_argument("kind", choices=signal_kinds)
    q.add_argument("--districts", default="all", help="all, or district codes separated by commas")
    q.add_argument("--exercise", action="store_true", help="a drill or test, not a real alarm")
    q.add_argument("--wav", metavar="FILE", help="also write the tone to this WAV file")
    _link_options(q)  # --wait: seconds to wait for every district's acknowledgement
    q = cd_sub(grp, "board", "per-district sent, received and acknowledged times of an alarm")
    q.add_argument("id", type=int)
    _link_options(q)
    q = cd_sub(grp, "ack", "record a district's acknowledgement (applied once)", role=True)
    q.add_argument("id", type=int)
    q.add_argument("district")
    q.add_argument("--at", help="when it was acknowledged (ISO; default now)")
    _link_options(q)
    q = cd_sub(
        grp, "test-plan", "plan the annual public test: three signals at 10:00, 10:08, 10:16", role=True
    )
    q.add_argument("--date", type=_cd_date, help="YYYY-MM-DD (default: the next 18 September)")

    p = add("sirens", cmd_sirens, "civil air defence: siren coverage, suggested sites, status")
    grp = p.add_subparsers(dest="sirens_command", metavar="coverage|suggest|set", required=True)
    q = cd_sub(grp, "coverage", "population covered and not covered by in-service sirens, per district")
    q.add_argument("--max-cells", type=int, default=100, help="list at most this many uncovered cells")
    q = cd_sub(grp, "suggest", "N new siren sites, each covering the most people not yet covered")
    q.add_argument("n", type=int)
    q.add_argument("--kind", default="electronic", choices=["electronic", "electro_mechanical"])
    q.add_argument("--power", type=float, default=1200.0, metavar="W", help="power of the new sirens")
    q = cd_sub(grp, "set", "put a siren in or out of service (civil-defence office only)", role=True)
    q.add_argument("id")
    q.add_argument("status", choices=["in_service", "out_of_service", "damaged"])
    for q in grp.choices.values():
        q.add_argument("--population", choices=["night", "day"], default="night")

    p = add("evacuate", cmd_evacuate, "civil air defence: the shelter plan for the staying population")
    grp = p.add_subparsers(dest="evacuate_command", metavar="plan", required=True)
    q = cd_sub(grp, "plan", "optimal assignment of cells to shelters within the walking limit")
    evacuation_options(q)
    q.add_argument(
        "--format", choices=["json", "csv", "geojson"], default="json", help="csv/geojson: the flows"
    )
    q.add_argument("--greedy", action="store_true", help="the nearest-shelter greedy baseline instead")
    q.add_argument(
        "--max-cells", type=int, default=50, help="list at most this many cells with unplaced people"
    )

    p = add("shelters", cmd_shelters, "civil air defence: shelters (civil-defence works)")
    grp = p.add_subparsers(dest="shelters_command", metavar="list|close|open|occupancy|demo", required=True)
    q = cd_sub(grp, "list", "the shelters with class, status, occupancy and capacity")
    q.add_argument("--class", dest="shelter_class")
    q = cd_sub(
        grp, "close", "close a shelter and re-plan the evacuation (civil-defence office only)", role=True
    )
    q.add_argument("id")
    evacuation_options(q)
    q.add_argument("--keep-bonus", type=float, default=100.0, metavar="M", help="metres a kept place saves")
    q = cd_sub(grp, "open", "reopen a shelter (civil-defence office only)", role=True)
    q.add_argument("id")
    q = cd_sub(grp, "occupancy", "report a shelter's head count", role=True)
    q.add_argument("id")
    q.add_argument("persons", type=int)
    q.add_argument("--at", help="when it was counted (ISO; default now)")
    q = cd_sub(grp, "demo", "add the demo shelters, sirens, receiving areas and teams to a seeded city")
    q.add_argument("--seed", type=int, default=1)
    _link_parsers(add)
    _staff_parsers(add, common)
    from cli import authority

    authority.add_parsers(add, common, authority.Wiring(open_city, make_clock, _command_bus))
    _audit_parsers(add)
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
