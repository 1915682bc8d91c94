"""Drills and exercises on the command line: scenarios (MSEL files), the exercise clock, injects, notes,
the after-action report.

    python main.py exercise list [--json]
    python main.py exercise start SCENARIO [--speed N] [--from HH:MM] [--end-after injects|HH:MM|none]
                                  [--as LOGIN] [--json]
    python main.py exercise run SCENARIO [--speed N] [--json]          # headless: returns when all is out
    python main.py exercise status ID [--json]
    python main.py exercise pause|resume|stop ID --as LOGIN
    python main.py exercise purge ID --reason TEXT --as LOGIN      # remove its records, journaled
    python main.py exercise report ID --format html|pdf > aar.html

``start`` on a database leaves a driver running in the background (``exercise drive ID``) that delivers
the injects on the exercise clock and ends with the exercise; through ``--connect`` the centre node
drives it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from cli.common import (
    acting_person,
    actor_options,
    emit_json,
    execute,
    link_options,
    link_session,
    make_clock,
    open_city,
    print_doc,
)
from cli.human import when

DEFAULT_LOGIN = "city_drill"


def _scenario_payload(name: str) -> dict:
    from modes.exercises.exercises import builtin_names, load_scenario, scenario_args

    if name in builtin_names():
        return {"builtin": name}
    return {"scenario": scenario_args(load_scenario(name))}


def _start_payload(args: argparse.Namespace) -> dict:
    payload = {
        **_scenario_payload(args.scenario),
        "speed": args.speed,
        "demo": bool(getattr(args, "demo", False)),
    }
    if args.start:
        payload["from"] = args.start
    if getattr(args, "end_after", None):
        payload["end_after"] = args.end_after
    return payload


def _done(ex_id: int, *, all_out: bool):
    """Whether a driver is done with exercise ``ex_id``: when it ended, or (``all_out``) when nothing of
    it waits to be delivered."""

    def done(result: dict) -> bool:
        for ex in result.get("exercises", ()):
            if ex["id"] == ex_id:
                return ex["state"] in ("completed", "stopped") or (all_out and ex["next_due_s"] is None)
        return True

    return done


def spawn_driver(args: argparse.Namespace, ex_id: int) -> int:
    """A detached ``exercise drive ID`` for this database: it outlives this command, ends with the exercise."""
    from data.db import resolve_url

    main = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "main.py")
    cmd = [sys.executable, main, "exercise", "drive", str(ex_id), "--db", str(resolve_url(args.db))]
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [os.path.dirname(main), os.environ.get("PYTHONPATH")])
            ),
        },
    )
    return proc.pid


def _print_status(args: argparse.Namespace, doc: dict) -> None:
    if args.json:
        emit_json(doc)
        return
    print(
        f"exercise {doc['id']} {doc['scenario']} ({doc['title']}): {doc['state']}, clock {doc['clock']} "
        f"({doc['clock_time']}), x{doc['speed']:g}{'  DEMO' if doc.get('demo') else ''}"
    )
    counts = ", ".join(f"{n} {k}" for k, n in sorted(doc["counts"].items()))
    print(f"injects: {counts}; met {doc['met']}, missed {doc['missed']}")
    print(_end_line(doc))
    if doc["state"] in ("running", "paused"):
        print(_driver_line(args, doc))
    for i in doc["injects"]:
        met = {True: "met", False: "MISSED", None: ""}[i["met"]]
        extra = f"  refused: {i['refusal']}" if i.get("refusal") else ""
        if i.get("duplicate_of") is not None:
            extra += f"  duplicate of case {i['duplicate_of']}"
        print(
            f"  {i['no']:>5} {i['time']:>9} {i['kind']:<9} {i['state']:<13} {met:<7} {i['expected'][:50]}{extra}"
        )


def _end_line(doc: dict) -> str:
    """How the exercise ends: ``ended ... by ...``, or who will end it and when."""
    if doc.get("ended_at"):
        return f"ended {when(doc['ended_at'])} by {doc.get('ended_by') or '?'}"
    if doc.get("end_after") == "injects":
        return f"ends by itself at {doc['ends']}: every inject out and the last one's Expected Within passed"
    if doc.get("end_after") == "clock":
        return f"ends by itself at {doc['ends']} (what is pending then is skipped)"
    return f"a person ends it: python main.py exercise stop {doc['id']} --as a drill login"


def _driver_line(args: argparse.Namespace, doc: dict) -> str:
    """Whether a driver is ticking the exercise; when none is, that injects are not being delivered and
    how to start one."""
    d = doc.get("driver") or {}
    last = f"last tick {d['last_tick']}" if d.get("last_tick") else "no tick yet"
    if d.get("alive"):
        return f"driver: alive, last tick {d['age_s']:g} s ago by {d.get('by') or '?'}"
    if doc["state"] == "paused":
        return f"driver: none alive ({last}); a driver is needed again when it resumes"
    return (
        f"driver: NONE ALIVE ({last}): injects are not being delivered; start one: "
        f"{_drive_command(args, doc['id'])}"
    )


def _drive_command(args: argparse.Namespace, ex_id: int) -> str:
    if getattr(args, "connect", None):
        return "the centre node drives its exercises: start it, or make it the active centre"
    from sqlalchemy.engine import make_url

    from data.db import resolve_url

    url = make_url(resolve_url(args.db)).render_as_string(hide_password=True)
    return f"python main.py exercise drive {ex_id} --db {url} &"


def cmd_exercise(args: argparse.Namespace) -> int:
    c = args.exercise_command
    if c == "generate":
        return _generate(args)
    if getattr(args, "connect", None):
        return _via_link(args)
    clock = make_clock()
    engine, Session = open_city(args)
    if c == "list":
        doc = execute(Session, clock, None, "query.exercises", {})
        if args.json:
            emit_json(doc)
            return 0
        print("built-in scenarios:")
        for s in doc["scenarios"]:
            print(
                f"  {s['name']:<24} {s['injects']:>5} injects over {s['duration']:>7}  {s['title']} / {s['title_zh']}"
            )
        if not doc["exercises"]:
            print("exercises: none yet (python main.py exercise start SCENARIO --as a drill login)")
        else:
            print("exercises:")
        for e in doc["exercises"]:
            print(
                f"  {e['id']:>4} {e['scenario']:<24} {e['state']:<10} {e['clock']:>9} {e['delivered']}/{e['injects']}"
                + ("  PURGED" if e.get("purged") else "")
            )
        return 0
    if c == "status":
        _print_status(args, execute(Session, clock, None, "query.exercise", {"id": args.id}))
        return 0
    if c == "report":
        return _report(args, Session, clock)
    if c == "drive":
        return _drive(Session, clock, args.id, all_out=False, driver="exercise drive")
    person = acting_person(args, Session, clock)
    if c in ("start", "run"):
        started = execute(Session, clock, person, "exercise.start", _start_payload(args))
        if c == "start":
            pid = None if args.no_driver else spawn_driver(args, started["id"])
            if args.json:
                print_doc(args, {"id": started["id"], "injects": started["injects"], "driver_pid": pid})
                return 0
            driver = f"driver pid {pid}" if pid else "no driver: a console or `exercise drive` delivers"
            print(
                f"exercise {started['id']} started: {started['scenario']}, {started['injects']} injects at "
                f"x{started['speed']:g} ({driver}; python main.py exercise status {started['id']})"
            )
            return 0
        _drive(Session, clock, started["id"], all_out=True, driver="exercise run")
        if not args.keep_running:
            # Headless, nobody plays on: end it (ENDEX) so what was not done in time reads as missed.
            execute(Session, clock, person, "exercise.stop", {"id": started["id"]})
        doc = execute(Session, clock, None, "query.exercise", {"id": started["id"]})
        _print_status(args, doc)
        return 0
    if c in ("pause", "resume", "stop"):
        doc = execute(Session, clock, person, f"exercise.{c}", {"id": args.id})
        print_doc(args, doc)
        return 0
    if c == "purge":
        _print_purged(
            args, execute(Session, clock, person, "exercise.purge", {"id": args.id, "reason": args.reason})
        )
        return 0
    made = _player_write(args)
    if made is not None:
        print_doc(args, execute(Session, clock, person, *made))
        return 0
    raise AssertionError(c)


def _player_write(args: argparse.Namespace) -> tuple[str, dict] | None:
    """The command of ``exercise inject|ack|note|improve``, on a database or through a node alike."""
    c = args.exercise_command
    if c == "inject":
        row = {"kind": args.kind, "message": args.message or "", "to": args.to or "", "no": args.no or ""}
        for item in args.field or ():
            name, sep, value = item.partition("=")
            if not sep:
                from data.errors import InputError

                raise InputError(f"--field {item!r} is NAME=VALUE")
            row[name.strip()] = value
        return "exercise.inject", {"id": args.id, "inject": row}
    if c == "ack":
        return "exercise.ack", {"id": args.id, "no": args.no}
    if c == "note":
        return "exercise.note", {"id": args.id, "text": args.text, "kind": args.kind, "no": args.inject}
    if c == "improve":
        due = {"due": args.due, "objective": args.objective or ""}
        return "exercise.improvement", {
            "id": args.id,
            "issue": args.issue,
            "action": args.action,
            "owner": args.owner,
            **due,
        }
    return None


def _print_purged(args: argparse.Namespace, doc: dict) -> None:
    if args.json:
        emit_json(doc)
        return
    removed = ", ".join(
        f"{n:,} {table.replace('_', ' ').removesuffix('s') if n == 1 else table.replace('_', ' ')}"
        for table, n in doc["removed"].items()
        if n
    )  # "8 cases, 1 incident"
    removed = removed or "nothing"
    print(
        f"exercise {doc['id']} purged at {when(doc['purged_at'])}: removed {removed} (journal event {doc['journal_seq']})"
    )


def _drive(Session, clock, ex_id: int, *, all_out: bool, driver: str) -> int:
    """Deliver the exercise's injects on its clock until it is completed or stopped; each tick says which
    driver is alive (``exercise status`` shows it)."""
    import socket

    from modes.bus import city_bus
    from modes.common.command_bus import call_local
    from nodes.exercise_driver import ExerciseDriver

    services: dict = {}  # the handlers' caches (the router, the impact index), kept across ticks
    args = {"id": ex_id, "driver": f"{driver} (pid {os.getpid()} on {socket.gethostname()})"}

    def tick() -> dict:
        return call_local(city_bus(), Session, clock, "exercise.tick", args, services=services)

    ExerciseDriver(tick).run_until(_done(int(ex_id), all_out=all_out))
    return 0


def _report(args: argparse.Namespace, Session, clock) -> int:
    from modes.exercises.report import build_report, render_html

    with Session() as s:
        report = build_report(s, args.id, clock)
    if args.format == "pdf":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a file, never a window
        from console.exercise_report import report_pdf

        sys.stdout.buffer.write(report_pdf(report))
    else:
        sys.stdout.write(render_html(report))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from modes.exercises.busy_day import generate, write_csv

    engine, Session = open_city(args)
    with Session() as s:
        rows = generate(s, reports=args.reports, seed=args.seed)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        write_csv(rows, f)
    print(f"wrote {len(rows)} injects to {args.out}")
    return 0


def _via_link(args: argparse.Namespace) -> int:
    c = args.exercise_command
    with link_session(args) as link:
        if c == "list":
            doc = link.call("query.exercises", {})
        elif c == "status":
            doc = link.call("query.exercise", {"id": args.id})
            _print_status(args, doc)
            return 0
        elif c == "start":
            doc = link.call("exercise.start", _start_payload(args))
            doc = {"id": doc["id"], "injects": doc["injects"]}
        elif c == "run":
            started = link.call("exercise.start", _start_payload(args))
            import time

            while True:  # the centre's driver delivers; wait until nothing is pending
                doc = link.call("query.exercise", {"id": started["id"]})
                if doc["state"] in ("completed", "stopped") or not doc["counts"].get("pending"):
                    break
                time.sleep(0.2)
            if not args.keep_running:
                link.call("exercise.stop", {"id": started["id"]})
                doc = link.call("query.exercise", {"id": started["id"]})
            _print_status(args, doc)
            return 0
        elif c in ("pause", "resume", "stop"):
            doc = link.call(f"exercise.{c}", {"id": args.id})
        elif c == "purge":
            _print_purged(args, link.call("exercise.purge", {"id": args.id, "reason": args.reason}))
            return 0
        elif (made := _player_write(args)) is not None:
            # Through a district node, an acknowledgement or a note is forwarded to the centre.
            doc = link.request(*made, wait=args.wait)
        else:
            from data.errors import InputError

            raise InputError(f"exercise {c} runs on a database (--db), not through --connect")
    print_doc(args, doc)
    return 0


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    p = add(
        "exercise",
        cmd_exercise,
        "drills and exercises: MSEL scenarios on an exercise clock, after-action reports",
    )
    ex = p.add_subparsers(dest="exercise_command", metavar="SUBCOMMAND", required=True)

    def sub(name: str, help_text: str, *, actor: bool = False, link: bool = False) -> argparse.ArgumentParser:
        q = ex.add_parser(name, parents=[common], help=help_text, description=help_text)
        if actor:
            actor_options(q, role_required=False)
            q.set_defaults(login=None)
        if link:
            link_options(q)
        return q

    sub("list", "the built-in scenarios and the exercises run", link=True)
    for name, help_text in (
        ("start", "start a scenario (built-in name or MSEL file) and return its id; a driver delivers it"),
        ("run", "start a scenario and return when every inject is delivered (headless, for scripts)"),
    ):
        q = sub(name, help_text, actor=True, link=True)
        q.add_argument("scenario", help="a built-in scenario name or a .csv, .xlsx or .yaml MSEL file")
        q.add_argument("--speed", type=float, default=1.0, help="times the wall clock (default 1)")
        q.add_argument("--from", dest="start", metavar="HH:MM", help="start at this scenario time")
        q.add_argument("--demo", action="store_true", help="mark it DEMO (the first-run demo)")
        if name == "run":
            q.add_argument(
                "--keep-running", action="store_true", help="leave it running for the players (no ENDEX)"
            )
        if name == "start":
            q.add_argument(
                "--no-driver", action="store_true", help="leave delivering to a console or `exercise drive`"
            )
            q.add_argument(
                "--end-after",
                metavar="injects|HH:MM|none",
                help="let the driver end it (ENDEX) once every inject is out and the last one's Expected "
                "Within has passed (injects), or at a scenario time; default: a person ends it (a --demo "
                "ends after its injects)",
            )
    q = sub("status", "an exercise's clock and each inject's state", link=True)
    q.add_argument("id", type=int)
    for name in ("pause", "resume", "stop"):
        q = sub(name, f"{name} an exercise (drill coordinator or city commander)", actor=True, link=True)
        q.add_argument("id", type=int)
    q = sub(
        "purge",
        "remove a stopped or completed exercise's cases, incidents and alarms (drill coordinator or city "
        "commander); one journal event lists what went",
        actor=True,
        link=True,
    )
    q.add_argument("id", type=int)
    q.add_argument("--reason", required=True, help="why the records go (kept in the journal)")
    q = sub("drive", "deliver an exercise's injects on its clock until it ends (what `start` leaves running)")
    q.add_argument("id", type=int)
    q = sub("inject", "an ad-hoc inject from the controller, delivered at once", actor=True, link=True)
    q.add_argument("id", type=int)
    q.add_argument(
        "--kind", required=True, choices=["report", "incident", "alarm", "asset", "unit", "message"]
    )
    q.add_argument("--message")
    q.add_argument("--to", help="the addressed role or login")
    q.add_argument("--no", help="its number (default A1, A2...)")
    q.add_argument(
        "--field", action="append", metavar="NAME=VALUE", help="a MSEL column: Type=0406, Lon=126.6..."
    )
    q = sub("ack", "acknowledge a delivered inject (a player)", actor=True, link=True)
    q.add_argument("id", type=int)
    q.add_argument("no")
    q = sub("note", "an evaluator's note on the exercise or one inject", actor=True, link=True)
    q.add_argument("id", type=int)
    q.add_argument("text")
    q.add_argument(
        "--kind", default="observation", choices=["observation", "strength", "improvement", "met", "missed"]
    )
    q.add_argument("--inject", metavar="NO")
    q = sub("improve", "a row of the improvement plan (issue, action, owner, due)", actor=True, link=True)
    q.add_argument("id", type=int)
    q.add_argument("--issue", required=True)
    q.add_argument("--action", required=True)
    q.add_argument("--owner", required=True)
    q.add_argument("--due", metavar="YYYY-MM-DD")
    q.add_argument("--objective")
    q = sub("report", "the after-action report with its improvement plan, to stdout")
    q.add_argument("id", type=int)
    q.add_argument("--format", choices=["html", "pdf"], default="html")
    q = sub(
        "generate", "write a MSEL for this city: busy-day (2,000 reports over 24 h at the demo history's mix)"
    )
    q.add_argument("what", choices=["busy-day"])
    q.add_argument("--out", required=True, metavar="FILE.csv")
    q.add_argument("--reports", type=int, default=2000)
    q.add_argument("--seed", type=int, default=7)
