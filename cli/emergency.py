"""Emergency rescue on the command line: incidents, impact, units, dispatch, tasks, log, briefing."""

from __future__ import annotations

import argparse
import os
import sys

from cli.common import (
    acting_person,
    actor_options,
    actor_payload,
    emit_json,
    execute,
    exercise_mark,
    follow,
    link_options,
    link_session,
    make_clock,
    open_city,
    print_doc,
)
from cli.human import fields, plural, table, when

# The writes that make a CAP alert; after one on a database the alert goes to the city's hooks.
CAP_WRITES = ("open", "escalate", "status", "level", "area")


def cmd_incident(args: argparse.Namespace) -> int:
    if args.incident_command == "cap":
        from cli.cap import print_alert

        return print_alert(args, f"incident/{args.id}", args.n)
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
    from cli.cap import deliver_alerts, journal_mark

    mark = journal_mark(args) if args.incident_command in CAP_WRITES else None
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
            doc = execute(Session, clock, acting_person(args, Session, clock), command, payload)
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
                    "list": lambda: desk.list(args.status, args.exercises),
                    "timeline": lambda: desk.timeline(args.id),
                    "suggest": lambda: desk.suggest(args.id, args.need, args.limit),
                    "tasks": lambda: desk.tasks(args.incident, True if args.overdue else None),
                    "log": lambda: desk.log(args.id),
                }
                doc = run[c]()
    finally:
        engine.dispose()
    _print_incident_doc(args, c, doc)
    if mark is not None:
        sys.stdout.flush()
        deliver_alerts(args, mark)
    return 0


def _incident_lines(v: dict) -> list[str]:
    """An incident as a person reads it first: what, where it stands, EXERCISE when it is one, and its
    reporting deadline (an exercise's said to be one, on the exercise clock) and whether it has passed."""
    lines = [
        f"incident {v['id']}  {v['type']} {v['type_name']}  level {v['level']} {v['colour']}  {v['status']}"
        f"{exercise_mark(v.get('exercise_id'), v['exercise'])}  {v['title']}"
    ]
    if v.get("report_deadline"):
        lines.append(f"  {v['report_deadline']}" + (" — OVERDUE" if v.get("report_overdue") else ""))
    return lines


# The columns of the incident's lists, as (key, title); numbers aligned right.
TASK_COLUMNS = (("task_id", "task"), ("unit", "unit"), ("unit_name", "name"), ("status", "status"),
                ("due_at", "due"), ("eta_minutes", "ETA min"), ("overdue", "overdue"))  # fmt: skip
SECTIONS = {
    "organisation": (("position", "position"), ("person", "person"), ("agency", "agency"),
                     ("assigned_at", "assigned")),
    "tasks": TASK_COLUMNS,
    "events": (("at", "time"), ("actor", "who"), ("kind", "event"), ("summary", "what")),
    "log": (("at", "time"), ("actor", "who"), ("kind", "kind"), ("task_id", "task"), ("text", "entry")),
    "units": (("unit", "unit"), ("name", "name"), ("capability", "capability"), ("distance_m", "metres"),
              ("eta_minutes", "ETA min"), ("base", "base")),
    "cameras": (("id", "camera"), ("name", "name"), ("status", "status"), ("distance_m", "metres"),
                ("sees_inner", "sees the inner cordon")),
    "shelters": (("id", "shelter"), ("name", "name"), ("kind", "kind"), ("distance_m", "metres"),
                 ("capacity", "capacity"), ("inside_outer", "inside the outer cordon")),
    "hospitals": (("id", "hospital"), ("name", "name"), ("distance_m", "metres"), ("capacity", "capacity"),
                  ("inside_outer", "inside the outer cordon")),
    "open_cases": (("id", "case"), ("type", "type"), ("state", "state"), ("department", "department"),
                   ("zone", "zone")),
}  # fmt: skip
# Parts of a document the person does not read (--json has them): drawing geometry, timings, payloads.
UNREAD = {"geometry", "elapsed_ms", "incident", "id"}


def _incident_view_lines(v: dict, doc: dict) -> list[str]:
    """The incident's heading, then where it is, its cordons as they were made, who commands it and
    its times."""
    from modes.emergency.incidents import IncidentView, cordons_words

    inner = doc.get("inner", {}).get("area_m2") if isinstance(doc.get("inner"), dict) else None
    outer = doc.get("outer", {}).get("area_m2") if isinstance(doc.get("outer"), dict) else None
    times = ", ".join(
        f"{name} {when(v[key])}"
        for key, name in (("opened_at", "opened"), ("responding_at", "responding"),
                          ("contained_at", "contained"), ("closed_at", "closed"))
        if v.get(key)
    )  # fmt: skip
    facts = {
        "site": f"cell {v['cell'] or '—'}, district {v['district'] or '—'} ({v['x']:.1f}, {v['y']:.1f})",
        "cordons": cordons_words(IncidentView.from_dict(v), inner, outer),
        "commander": v["commander"],
        "times": times,
    }
    if v.get("case_id") is not None:
        facts["escalated from"] = f"case {v['case_id']}"
    if v.get("description"):
        facts["what is known"] = v["description"]
    lines = _incident_lines(v) + fields(facts, indent=2)
    if v.get("objectives"):
        lines += ["  objectives:"] + [f"    {o}" for o in v["objectives"]]
    return lines


def _section(name: str, rows: list) -> list[str]:
    if not rows:
        return [f"{name.replace('_', ' ')}: none"]
    columns = SECTIONS[name]
    return [f"{name.replace('_', ' ')} ({len(rows)}):"] + table(rows, columns)


def incident_text(command: str, doc: dict) -> list[str]:
    """The human lines of an ``incident`` subcommand's answer: the incident's block, its figures as
    fields, its lists as tables (what ``--json`` holds whole)."""
    view = doc.get("incident") if isinstance(doc.get("incident"), dict) else None
    if view is None and "report_due_at" in doc:  # status and level answer with the incident itself
        view = doc
    lines = _incident_view_lines(view, doc) if view is not None else []
    if view is doc:
        return lines
    rest = {k: v for k, v in doc.items() if k not in UNREAD}
    figures = rest.pop("impact", None) or rest.pop("summary", None)
    if figures:
        lines += ["impact:"] + fields(figures, indent=2)
    for zone in ("inner", "outer"):
        z = rest.pop(zone, None)
        if z:
            communities = ", ".join(c["name"] for c in z.get("communities", []))
            lines.append(
                f"{zone} cordon: {z['area_m2'] / 1e4:,.1f} ha, {plural(z['cell_count'], 'cell')}, "
                f"{z['pop_night']:,} people at night, {z['pop_day']:,} by day; {communities or 'no community'}"
            )
    components = rest.pop("components", None)
    if isinstance(components, dict):
        lines.append(f"components inside: {components['total']:,}")
        columns = (("name", "owner"), ("count", "components"), ("inner", "in the inner cordon"))
        lines += table(components["by_department"], columns)
    if "needs" in rest:
        lines.append(f"needs: {', '.join(rest.pop('needs')) or 'any capability'} "
                     f"(ETA {rest.pop('eta_basis', 'straight_line').replace('_', ' ')})")  # fmt: skip
    if "position" in rest and "organisation" in rest:  # a position given
        agency = f" ({rest['agency']})" if rest.get("agency") else ""
        lines.append(
            f"{rest.pop('position')}: {rest.pop('person')}{agency}, assigned {when(rest.pop('assigned_at'))} "
            f"by {rest.pop('assigned_by')}"
        )
        rest.pop("agency", None)
    for name in SECTIONS:
        if name in rest:
            lines += _section(name, rest.pop(name))
    if "order_id" in rest and "task_id" in rest:  # a dispatch order and its task
        lines.append(
            f"task {rest['task_id']} (order {rest['order_id']}): {rest['unit']} {rest['unit_name']} "
            f"to incident {rest['incident_id']}, {rest['status'].replace('_', ' ')}"
            + ("  OVERDUE" if rest.get("overdue") else "")
        )
        rest = {k: rest[k] for k in ("instructions", "ordered_by", "ordered_at", "due_at", "eta_minutes",
                                     "acknowledged_at", "acknowledged_by") if k in rest}  # fmt: skip
    if "total" in rest and "tasks" in doc:
        lines.append(f"{plural(rest.pop('total'), 'task')}, {rest.pop('overdue', 0)} overdue")
    return lines + fields(rest)


def _print_incident_doc(args: argparse.Namespace, command: str, doc: dict) -> None:
    if args.json:
        emit_json(doc)
        return
    if command == "list":
        for v in doc["incidents"]:
            print("\n".join(_incident_lines(v)))
        print(plural(doc["total"], "incident"))
        return
    print("\n".join(incident_text(command, doc)))


def _incident_via_link(args: argparse.Namespace) -> int:
    """incident dispatch|task through the node at ``--connect``: a dispatch order is followed until its
    owner acknowledged it or ``--wait`` seconds passed."""
    c = args.incident_command
    actor = actor_payload(args)
    with link_session(args) as link:
        if c == "dispatch":
            payload = {"incident_id": args.id, "unit": args.unit, "instructions": args.task or "",
                       "due_minutes": args.due_minutes, "order_id": args.order_id, **actor}  # fmt: skip
            doc = link.request("incident.dispatch", payload, wait=args.wait)
            if not doc.get("queued"):
                doc = follow(link, "query.task", {"order_id": doc["order_id"]}, args.wait, "acknowledged_at")
        else:
            payload = {"order_id": args.task, "incident_id": args.id, "status": args.status,
                       "note": args.note, **actor}  # fmt: skip
            doc = link.request("task.status", payload, wait=args.wait)
    if doc.get("queued"):
        sys.stderr.write(f"queued for the centre as {doc['forward_id']}; not applied there yet\n")
        print_doc(args, doc)
        return 0
    _print_incident_doc(args, c, doc)
    return 0


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    """incident and its subcommands."""
    p = add("incident", cmd_incident, "emergency rescue: incidents, impact, units, dispatch, log, briefing")
    inc = p.add_subparsers(dest="incident_command", metavar="SUBCOMMAND", required=True)

    def incident_sub(name: str, help_text: str, actor: bool | None = None) -> argparse.ArgumentParser:
        q = inc.add_parser(name, parents=[common], help=help_text, description=help_text)
        if actor is not None:
            actor_options(q, role_required=actor)
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
    q.add_argument(
        "--exercises",
        choices=["leave", "include", "only"],
        default="include",
        help="exercise incidents: listed with the real ones and marked EXERCISE (include, the default), "
        "left out (leave), or alone (only)",
    )
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
    link_options(q)
    q = incident_sub("task", "move a task: en_route, on_scene, done, cancelled", actor=True)
    q.add_argument("id", type=int)
    q.add_argument("task", help="task number or order id")
    q.add_argument("status", choices=["en_route", "on_scene", "done", "cancelled"])
    q.add_argument("--note", default="")
    link_options(q)
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
    q = incident_sub("cap", "the incident's CAP 1.2 alert (XML; --json: its fields and the XML)")
    q.add_argument("id", type=int)
    q.add_argument("--n", type=int, metavar="N", help="its N-th alert (default: the latest)")
    link_options(q)
    q = incident_sub("demo-units", "seed the demo rescue units, depots and hospitals into a seeded city")
    q.add_argument("--seed", type=int, default=1)
