"""The everyday loop on the command line: report a problem, show, act on and list cases, evaluate."""

from __future__ import annotations

import argparse
import datetime as dt

from cli.common import (
    acting_person,
    actor_options,
    actor_payload,
    emit_json,
    execute,
    exercise_mark,
    exercises_option,
    fail,
    link_options,
    make_clock,
    open_city,
    print_doc,
    print_remote,
    remote,
)
from cli.human import agreeing


def cmd_report(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        return cmd_via_link(args)
    engine, Session = open_city(args)
    clock = make_clock()
    payload = {"x": args.x, "y": args.y, "lonlat": args.lonlat, "channel": args.channel, "type": args.type,
               "component": args.component, "text": args.text or "", "urgent": True if args.urgent else None}  # fmt: skip
    try:
        # Authenticated before the report's transaction: a refusal's count commits.
        doc = execute(Session, clock, acting_person(args, Session, clock), "case.report", payload)
    finally:
        engine.dispose()
    print_doc(args, doc)
    return 0


def cmd_case(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        return cmd_via_link(args)
    from modes.everyday.cases import CaseDesk
    from modes.everyday.queue import list_cases
    from modes.everyday.workflow import IllegalTransition

    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if args.case_command == "act":
            payload = {"id": args.id, "action": args.action, "note": args.note or "", "department": args.department,
                       "extension": args.extension, "satisfaction": args.satisfaction}  # fmt: skip
            doc = execute(Session, clock, acting_person(args, Session, clock), "case.act", payload)
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
                        exercises=args.exercises,
                    )
                else:
                    doc = CaseDesk(s, clock).show(args.id)
    except IllegalTransition as exc:
        return fail(f"case {args.id}: {exc}")
    finally:
        engine.dispose()
    if args.case_command == "list" and not args.json:
        _print_case_list(doc)
        return 0
    if not args.json:
        _print_case(doc, clock.now())
        return 0
    print_doc(args, doc)
    return 0


_UNITS = {"minutes": "min", "hours": "h", "days": "days"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _time(text: str | None, now: dt.datetime) -> str:
    """City time (UTC+8): "14:05" today, "Mon 03-09 08:05" on another day."""
    if not text:
        return "-"
    t = dt.datetime.fromisoformat(text)
    if t.date() == now.date():
        return t.strftime("%H:%M")
    return f"{_WEEKDAYS[t.weekday()]} {t.strftime('%m-%d %H:%M')}"


def _stamp(text: str | None) -> str:
    return text.replace("T", " ")[:16] if text else "-"


def _span(minutes: float, working: bool) -> str:
    m = int(round(abs(minutes)))
    days, rest = (0, m) if working else divmod(m, 24 * 60)
    h, mm = divmod(rest, 60)
    if days:
        return f"{days} d {h} h"
    return f"{h} h {mm} min" if h else f"{mm} min"


def _limit(clock: dict) -> str:
    amount, unit = clock["limit"].split()
    unit = unit.removeprefix("working_")
    shown = "working days" if unit == "days" and clock["clock"] == "working" else _UNITS[unit]
    if float(amount) == 1 and shown.endswith("days"):
        shown = shown[:-1]
    return f"{float(amount):g} {shown}, {clock['clock']} time"


def _clock_state(c: dict, attempts: int) -> str:
    working = c["clock"] == "working"
    if c["paused"]:
        text = "stopped while suspended"
    elif c["running"] and c["remaining_minutes"] is not None:
        left = c["remaining_minutes"]
        text = f"{_span(left, working)} left" if left >= 0 else f"OVERDUE by {_span(left, working)}"
    elif c["done"] and c["late_minutes"] is not None:
        text = f"done in {_span(c['elapsed_minutes'], working)}, LATE by {_span(c['late_minutes'], working)}"
    elif c["done"]:
        text = f"done in {_span(c['elapsed_minutes'], working)}, on time"
    elif c["ended_by"]:
        text = f"ended by {c['ended_by']}, not charged"
    else:
        text = "-"
    return f"attempt {c['attempt']}: {text}" if attempts > 1 else text


def _print_case(doc: dict, now: dt.datetime) -> None:
    """``case show`` / ``case act`` for a person: the case, its incident, stage clocks and timeline."""
    flags = [doc["state"]]
    if doc["urgent"]:
        flags.append("URGENT")
    if doc["overdue"]:
        flags.append("OVERDUE")
    print(f"Case {doc['id']}  {doc['type']} {doc.get('type_name') or ''}  [{', '.join(flags)}]"
          f"{exercise_mark(doc.get('exercise'))}")  # fmt: skip
    rows = [
        ("reported", f"{_stamp(doc['reported_at'])} via {doc['channel']} by {doc['reporter'] or '-'}"),
        ("place", f"cell {doc['cell']}, district {doc['district']}  (x {doc['x']}, y {doc['y']})"),
        ("responsible", doc["responsible"]),
        ("deadline", _time(doc["deadline"], now) + ("  OVERDUE" if doc["overdue"] else "")),
    ]
    if doc.get("closed_at"):
        rows.append(("closed", f"{_stamp(doc['closed_at'])} ({doc['closure_kind']})"))
    if doc.get("text"):
        rows.append(("text", doc["text"]))
    incident = doc.get("incident")
    if incident:
        mark = exercise_mark(incident["exercise_id"], incident["exercise"])
        rows.append(
            (
                "incident",
                f"#{incident['id']} level {incident['level']} ({incident['colour']}), {incident['status']}"
                f" - {incident['title'] or incident['type_name']}{mark}"
                f"  (incident show {incident['id']})",
            )
        )
        rows.append(
            (
                "escalated",
                f"{_stamp(incident['escalated_at'])} by {incident['escalated_by']}"
                f" at level {incident['level_at_escalation']}",
            )
        )
    for key, value in rows:
        print(f"  {key:<12} {value}")
    stages = doc.get("stages") or []
    if stages:
        print(f"Stage clocks (city time, UTC+8; now {_WEEKDAYS[now.weekday()]} {now:%Y-%m-%d %H:%M}):")
        attempts: dict[str, int] = {}
        for c in stages:
            attempts[c["stage"]] = max(attempts.get(c["stage"], 0), c["attempt"])
        table = [("stage", "limit", "due", "done", "elapsed", "state")]
        for c in stages:
            stage = c["stage"] if attempts[c["stage"]] == 1 else f"{c['stage']} ({c['attempt']})"
            done = c["done"] or c["ended_at"]
            elapsed = _span(c["elapsed_minutes"], c["clock"] == "working")
            table.append(
                (
                    stage,
                    _limit(c),
                    _time(c["due"], now),
                    _time(done, now),
                    elapsed,
                    _clock_state(c, attempts[c["stage"]]),
                )
            )
        widths = [max(len(r[i]) for r in table) for i in range(5)]
        for r in table:
            print("  " + "  ".join(v.ljust(w) for v, w in zip(r[:5], widths, strict=True)) + "  " + r[5])
    history = doc.get("history") or []
    if history:
        print("Timeline:")
        for h in history:
            moved = f"{h['from']} -> {h['to']}" if h["from"] else h["to"]
            if h["action"] == "escalated":
                moved = f"to incident #{h['incident']}"
            note = f"  {h['note']}" if h["note"] else ""
            print(f"  {_stamp(h['at'])}  {h['action']:<18} {h['actor']} ({h['role']})  {moved}{note}")
    actions = doc.get("next_actions")
    if actions is not None:
        shown = ", ".join(f"{a['action']} ({'/'.join(a['roles'])})" for a in actions) or "none: finished"
        print(f"Next: {shown}")


def _print_case_list(doc: dict) -> None:
    print(case_list_heading(doc["total"], len(doc["cases"]), doc["offset"], doc.get("exercises", "leave")))
    for c in doc["cases"]:
        flag = " OVERDUE" if c["overdue"] else ""
        queued = " QUEUED" if c.get("queued") else ""
        print(
            f"{c['id']:>8}  {c['state']:<20} {c['type']:<6} {c['district']} {c['department'] or '-':<16}"
            f"{flag}{queued}{exercise_mark(c.get('exercise'))}"
        )


def _share(row: dict) -> str:
    """Coverage quality: "12.5% of 40 public-first", marked when too few to judge."""
    rate = row["public_first_rate"]
    shown = "-" if rate is None else f"{rate * 100:.1f}%"
    few = "" if row["enough"] else "  (too few to judge)"
    return f"public-first {shown:>6} of {row['duty_filed']:>4}{few}"


def case_list_heading(total: int, shown: int, offset: int, exercises: str = "leave") -> str:
    """``1 case matches; showing 1 of 1``, ``75 cases match; showing 21–40 of 75``, ``no case matches``."""
    which = {"leave": "", "include": " (exercise cases included)", "only": " (exercise cases only)"}[
        exercises
    ]
    if total == 0:
        return f"no case matches{which}"
    head = agreeing(total, "case", "matches", "match") + which
    if shown == 0:
        return f"{head}; none shown: --offset {offset:,} is past the last"
    first, last = offset + 1, offset + shown
    span = f"{first:,}" if shown == 1 else f"{first:,}–{last:,}"
    return f"{head}; showing {span} of {total:,}"


def _print_kpis(doc: dict) -> None:
    if doc.get("exercises", "leave") != "leave":
        print(f"EXERCISE: these figures count exercise cases ({doc['exercises']})")
    if not doc["rows"]:
        print("no case to evaluate in this period (--from/--to choose another)")
    if doc["by"] == "cell":
        print(f"coverage quality per cell, {doc['from']} to {doc['to']}: problems in the duty hours")
        for row in doc["rows"]:
            print(f"{row['key']:<16} {row['supervisor'] or '-':<14} {row['name']:<10} {_share(row)}")
        return
    for row in doc["rows"]:
        line = f"{row['key']:<18} {row.get('name', ''):<20} score {row['score']:6.1f}  {row['grade']}"
        if doc["by"] == "supervisor":
            line += f"  {row['cells']:>4} cells  {_share(row)}"
        print(line)


def cmd_kpi(args: argparse.Namespace) -> int:
    if getattr(args, "connect", None):
        return cmd_via_link(args)
    from modes.everyday.evaluation import evaluate

    engine, Session = open_city(args)
    with Session() as s:
        doc = evaluate(
            s, by=args.by, start=args.start, end=args.end, now=make_clock().now(), exercises=args.exercises
        )
    engine.dispose()
    if args.json:
        emit_json(doc)
    else:
        _print_kpis(doc)
    return 0


def cmd_via_link(args: argparse.Namespace) -> int:
    """report, case show|act|list and kpi through a node (``--connect``)."""
    if args.command == "report":
        payload = {
            "x": args.x,
            "y": args.y,
            "lonlat": args.lonlat,
            "channel": args.channel,
            "type": args.type,
            "component": args.component,
            "text": args.text or "",
            "urgent": True if args.urgent else None,
            **actor_payload(args),
        }
        doc = remote(args, "case.report", payload, wait=True)
    elif args.command == "case" and args.case_command == "show":
        doc = remote(args, "query.case", {"id": args.id})
    elif args.command == "case" and args.case_command == "act":
        payload = {
            "id": args.id,
            "action": args.action,
            "note": args.note or "",
            "department": args.department,
            "extension": args.extension,
            "satisfaction": args.satisfaction,
            **actor_payload(args),
        }
        doc = remote(args, "case.act", payload, wait=True)
    elif args.command == "case":
        payload = {
            "state": args.state,
            "department": args.department,
            "district": args.district,
            "overdue": args.overdue,
            "limit": args.limit,
            "offset": args.offset,
            "exercises": args.exercises,
        }
        doc = remote(args, "query.cases", payload)
        if not args.json:
            _print_case_list(doc)
            return 0
    elif args.command == "kpi":
        payload = {"by": args.by, "start": args.start, "end": args.end, "exercises": args.exercises}
        doc = remote(args, "query.kpi", payload)
        if not args.json:
            _print_kpis(doc)
            return 0
    else:
        return fail(f"{args.command} cannot run through --connect")
    if args.command == "case" and not args.json and "stages" in doc and "forward_id" not in doc:
        _print_case(doc, make_clock().now())  # a provisional (queued) answer prints as before, said so
        return 0
    print_remote(args, doc)
    return 0


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    """report, case show|act|list, kpi."""
    p = add("report", cmd_report, "report a problem: locate, route and open a case (or link a duplicate)")
    link_options(p)
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
    actor_options(p, role_required=True)

    p = add("case", cmd_case, "show, act on and list cases")
    case_sub = p.add_subparsers(dest="case_command", metavar="show|act|list", required=True)
    q = case_sub.add_parser(
        "show", parents=[common], help="a case with its history, stage clocks and next actions"
    )
    link_options(q)
    q.add_argument("id", type=int)
    q = case_sub.add_parser("act", parents=[common], help="take an action of the loop on a case")
    link_options(q)
    q.add_argument("id", type=int)
    q.add_argument("action")
    q.add_argument("--note", default="")
    q.add_argument("--department", help="dispatch: the department to send the case to (default: routed)")
    q.add_argument("--extension", help="request_extension/approve_extension: e.g. '2 working_days'")
    q.add_argument("--satisfaction", choices=["satisfied", "basic", "unsatisfied"], help="evaluate")
    actor_options(q, role_required=True)
    q = case_sub.add_parser("list", parents=[common], help="cases, newest first")
    link_options(q)
    q.add_argument("--state")
    q.add_argument("--department")
    q.add_argument("--district")
    q.add_argument("--overdue", action="store_true")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--offset", type=int, default=0)
    exercises_option(q)

    p = add("kpi", cmd_kpi, "evaluation: rates, composite scores and grades")
    link_options(p)
    p.add_argument("--from", dest="start", help="first day (YYYY-MM-DD), inclusive")
    p.add_argument("--to", dest="end", help="last day (YYYY-MM-DD), inclusive")
    p.add_argument(
        "--by",
        choices=["department", "district", "supervisor", "role", "cell"],
        default="department",
        help="cell: supervisor coverage quality per grid cell (docs/coverage_quality.md)",
    )
    exercises_option(p)
