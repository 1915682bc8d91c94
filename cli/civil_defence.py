"""Civil air defence on the command line: alarm signals and orders, siren coverage, the evacuation plan,
shelters."""

from __future__ import annotations

import argparse
import sys

from cli.common import (
    acting_person,
    actor_options,
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
from cli.human import when


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
    if c in ("cap", "hook"):
        from cli.cap import cmd_hook, print_alert

        return print_alert(args, f"alarm/{args.id}") if c == "cap" else cmd_hook(args)
    if c == "signal":
        doc = alarms.SIGNALS[alarms.parse_kind(args.kind)].as_dict()
        if args.wav:
            doc["wav"] = str(alarms.write_wav(args.wav, alarms.render_tone(args.kind)))
        _cd_print(
            args,
            doc,
            [
                f"{doc['name_zh']} ({doc['name_en']}): sounds "
                + ", ".join(f"{on}–{off} s" for on, off in doc["on_off"])
                + f" of a {doc['cycle_s']} s cycle"
            ],
        )
        return 0
    if getattr(args, "connect", None):
        doc = _alarm_via_link(args)
        _cd_print(args, doc, _alarm_lines(doc))
        return 0
    from cli.cap import deliver_alerts, journal_mark

    mark = journal_mark(args) if c == "issue" else None
    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if c == "issue":
            payload = {"kind": args.kind, "districts": args.districts, "exercise": args.exercise}
            doc = execute(Session, clock, acting_person(args, Session, clock), "alarm.issue", payload)
            if args.wav:
                doc["wav"] = str(alarms.write_wav(args.wav, _tone(args, args.kind)))
        elif c == "ack":
            at = _cd_time(args.at)
            payload = {"alarm_id": args.id, "district": args.district,
                       "acknowledged_at": at and at.isoformat()}  # fmt: skip
            execute(Session, clock, acting_person(args, Session, clock), "alarm.ack", payload)
        elif c == "test-plan":
            payload = {"date": args.date and args.date.isoformat()}
            doc = execute(Session, clock, acting_person(args, Session, clock), "alarm.plan_test", payload)
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
            f"  {when(x['starts_at'])}  {x['name_zh']}" for x in doc["signals"]
        ]
    else:
        lines = _alarm_lines(doc)
    _cd_print(args, doc, lines)
    if c == "issue" and doc.get("alarm_id") is not None:
        # Committed and said: now its CAP alert goes to the city's hooks (a centre node does this itself).
        sys.stdout.flush()
        deliver_alerts(args, mark)
    return 0


def _tone(args: argparse.Namespace, kind: str):
    """The samples ``--wav`` writes for an issued alarm: an exercise's carries the exercise chime."""
    from modes.civil_defence import alarms

    return alarms.render_exercise_tone(kind) if args.exercise else alarms.render_tone(kind)


def _alarm_lines(doc: dict) -> list[str]:
    if doc.get("queued"):  # through a district whose centre did not answer within --wait
        return [f"queued for the centre as {doc['forward_id']}: the alarm is not issued yet"]
    if doc.get("pending"):  # under the two-person rule: an order waiting for a second officer
        return [f"alarm order {doc['order']['id']} waits for a second officer's confirmation"]
    from cli.cap import hook_lines

    drill = exercise_mark(doc.get("exercise_id"), bool(doc.get("exercise")))
    return (
        [
            f"alarm {doc['alarm_id']} {doc['name_zh']} issued {when(doc['issued_at'])} by {doc['issued_by']}{drill}"
            + ("  演练 EXERCISE: not a real alarm" if drill else "")
        ]
        + [
            f"  {d['district']} {d['name']}: sent {when(d['sent_at'])}, received {when(d['received_at'])}, "
            f"acknowledged {when(d['acknowledged_at'])}{'  LATE' if d['late'] else ''}"
            for d in doc["deliveries"]
        ]
        + hook_lines(doc)
    )


def _alarm_via_link(args: argparse.Namespace) -> dict:
    """alarm issue|board|ack through the node at ``--connect``: an issued alarm is followed until every
    district acknowledged it or ``--wait`` seconds passed (the board then shows who has not)."""
    from modes.civil_defence import alarms

    c = args.alarm_command
    with link_session(args) as link:
        if c == "issue":
            payload = {"kind": args.kind, "districts": args.districts, "exercise": args.exercise,
                       "login": args.login}  # fmt: skip
            doc = link.request("alarm.issue", payload, wait=args.wait)
            if not doc.get("queued"):
                doc = follow(link, "query.alarm", {"id": doc["alarm_id"]}, args.wait, "all_acknowledged")
            if args.wav:
                doc["wav"] = str(alarms.write_wav(args.wav, _tone(args, args.kind)))
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
            doc = execute(Session, clock, acting_person(args, Session, clock), "siren.status", payload)
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

            who = acting_person(args, Session, clock)
            require_civil_defence(who.role, "open or close a shelter")  # before the plan's minutes
            with Session() as s:
                before = evacuation.optimal_plan(evacuation.load_problem(s, _evacuation_config(args)))
            payload = {"shelter": args.id, "status": "closed", "from": "open"}
            done = execute(Session, clock, who, "shelter.status", payload)
            doc = evacuation.replan_closed(
                before, args.id, Changes(journal_seq=done["journal_seq"]), keep_bonus_m=args.keep_bonus
            ).as_dict()
        elif c == "open":
            payload = {"shelter": args.id, "status": "open"}
            doc = execute(Session, clock, acting_person(args, Session, clock), "shelter.status", payload)
        elif c == "occupancy":
            at = _cd_time(args.at)
            payload = {"shelter": args.id, "persons": args.persons, "at": at and at.isoformat()}
            doc = execute(Session, clock, acting_person(args, Session, clock), "shelter.occupancy", payload)
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
    print_doc(args, doc)
    return 0


def import_civil_defence_layer(args: argparse.Namespace) -> int:
    from cli.city import coordinates_text

    engine, Session = open_city(args)
    payload = {"layer": args.layer, "file": args.file, "crs": args.crs, "code_field": args.code_field,
               "area_per_person": args.area_per_person, "file_layer": args.file_layer, "force": args.force,
               "encoding": args.encoding}  # fmt: skip
    try:
        d = execute(Session, make_clock(), None, "layer.import", payload)
    finally:
        engine.dispose()
    _cd_print(
        args,
        d,
        [
            f"imported {d['kind']} from {d['path']} ({coordinates_text(d)}): read {d['read']}, "
            f"inserted {d['inserted']}, "
            f"updated {d['updated']}, unchanged {d['unchanged']}, outside the grid {d['outside']['count']}"
        ]
        + (
            [f"  warning: the layer lies {d['far_km']:,.0f} km from the city; imported because of --force"]
            if d["far_km"] is not None
            else []
        ),  # fmt: skip
    )
    return 0


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    """alarm, sirens, evacuate, shelters."""

    # --- civil air defence ---
    def cd_sub(group, name: str, help_text: str, *, role: bool = False) -> argparse.ArgumentParser:
        q = group.add_parser(name, parents=[common], help=help_text, description=help_text)
        actor_options(q, role_required=role)
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
    p = add(
        "alarm", cmd_alarm, "civil air defence: alarm signals, sounding orders, the annual test, CAP alerts"
    )
    grp = p.add_subparsers(
        dest="alarm_command", metavar="signal|issue|board|ack|test-plan|cap|hook", required=True
    )
    q = cd_sub(grp, "signal", "a signal's on/off pattern (and its tone as a WAV file)")
    q.add_argument("kind", choices=signal_kinds)
    q.add_argument("--wav", metavar="FILE", help="write the 3-minute tone to this WAV file")
    q = cd_sub(grp, "issue", "order a signal sounded in districts (civil-defence office only)", role=True)
    q.add_argument("kind", choices=signal_kinds)
    q.add_argument("--districts", default="all", help="all, or district codes separated by commas")
    q.add_argument("--exercise", action="store_true", help="a drill or test, not a real alarm")
    q.add_argument("--wav", metavar="FILE", help="also write the tone to this WAV file")
    link_options(q)  # --wait: seconds to wait for every district's acknowledgement
    q = cd_sub(grp, "board", "per-district sent, received and acknowledged times of an alarm")
    q.add_argument("id", type=int)
    link_options(q)
    q = cd_sub(grp, "ack", "record a district's acknowledgement (applied once)", role=True)
    q.add_argument("id", type=int)
    q.add_argument("district")
    q.add_argument("--at", help="when it was acknowledged (ISO; default now)")
    link_options(q)
    q = cd_sub(
        grp, "test-plan", "plan the annual public test: three signals at 10:00, 10:08, 10:16", role=True
    )
    q.add_argument("--date", type=_cd_date, help="YYYY-MM-DD (default: the next 18 September)")
    from cli.cap import add_hook_parsers

    add_hook_parsers(grp, cd_sub, link_options)

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
