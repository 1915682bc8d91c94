"""CAP 1.2 on the command line: an alarm's or an incident's alert (``alarm cap ID``, ``incident cap ID``),
the city's outbound hooks (``alarm hook add|list|remove|deliver``), and the delivery of a local command's
alerts to those hooks once the command has committed (docs/cap.md)."""

from __future__ import annotations

import argparse
import sys

from cli.common import (
    acting_person,
    emit_json,
    execute,
    link_session,
    make_clock,
    open_city,
)


def _query(args: argparse.Namespace, name: str, payload: dict) -> dict:
    """A read through the node at ``--connect``, or on the database."""
    if getattr(args, "connect", None):
        with link_session(args) as link:
            return link.call(name, payload)
    engine, Session = open_city(args)
    try:
        return execute(Session, make_clock(), None, name, payload)
    finally:
        engine.dispose()


def print_alert(args: argparse.Namespace, subject: str, n: int | None = None) -> int:
    """The alert as XML (``--json``: its fields and the XML in one object)."""
    payload = {"subject": subject} if n is None else {"subject": subject, "n": n}
    doc = _query(args, "query.cap", payload)
    if args.json:
        emit_json(doc)
    else:
        sys.stdout.write(doc["xml"])
    return 0


def cmd_hook(args: argparse.Namespace) -> int:
    c = args.hook_command
    if c == "list":
        doc = _query(args, "query.cap_hooks", {"removed": args.removed})
        if args.json:
            emit_json(doc)
        else:
            for h in doc["hooks"]:
                gone = f"  removed {h['removed_at'][:16]} by {h['removed_by']}" if h.get("removed_at") else ""
                print(
                    f"{h['id']:>3}  {h['kind']:<7} {h['target']}  ({h['attempts']} attempts, "
                    f"{h['timeout_s']:g} s each, back-off {h['backoff_s']:g} s){gone}"
                )
            if not doc["hooks"]:
                print("no CAP hook: alerts go nowhere (python main.py alarm hook add --http URL --as LOGIN)")
        return 0
    if c == "deliver":
        left = deliver_alerts(args, None, quiet=False)
        return 0 if left == 0 else 1
    if c == "add":
        payload = {
            "url": args.http,
            "command": args.command_line,
            "attempts": args.attempts,
            "timeout_s": args.timeout,
            "backoff_s": args.backoff,
            "note": args.note or "",
        }
        name = "cap.hook_add"
    else:
        payload, name = {"id": args.id}, "cap.hook_remove"
    if getattr(args, "connect", None):
        with link_session(args) as link:
            doc = link.call(name, payload)
    else:
        engine, Session = open_city(args)
        clock = make_clock()
        try:
            doc = execute(Session, clock, acting_person(args, Session, clock), name, payload)
        finally:
            engine.dispose()
    if args.json:
        emit_json(doc)
    elif c == "add":
        print(f"CAP hook {doc['id']} ({doc['kind']}) {doc['target']}: receives every alert from now on")
    else:
        print(f"CAP hook {doc['id']} removed: {doc['target']}")
    return 0


def journal_mark(args: argparse.Namespace) -> int | None:
    """The journal's last number before a local command, to deliver the alerts made after it (None
    through ``--connect``: the centre delivers)."""
    if getattr(args, "connect", None):
        return None
    from data import journal

    engine, Session = open_city(args, upgrade=False)
    try:
        with Session() as s:
            return journal.last_seq(s)
    finally:
        engine.dispose()


def deliver_alerts(args: argparse.Namespace, after_seq: int | None, *, quiet: bool | None = None) -> int:
    """Deliver to the city's CAP hooks the alerts of journal events after ``after_seq`` (None: every
    alert of the last day still owed), waiting until each is delivered or given up, and say on stderr
    how each went. Returns how many deliveries are left owed (0 when all are done)."""
    from modes.bus import city_bus
    from modes.common import cap, cap_hooks
    from nodes.cap_hooks import CapDeliverer, drain_timeout, local_record

    city_bus()  # the modes register their alerts' sources with their commands
    engine, Session = open_city(args, upgrade=False)
    clock = make_clock()
    try:
        with Session() as s:
            hooks = cap_hooks.list_hooks(s)
            events = cap.alert_events(s, after_seq) if after_seq is not None else None
        if not hooks or events == []:
            if after_seq is None and not quiet:
                print("nothing to deliver" if hooks else "no CAP hook", file=sys.stderr)
            return 0

        deliverer = CapDeliverer(Session, local_record(Session, clock), clock=clock, after_seq=after_seq)
        deliverer.drain(drain_timeout(hooks))
        left = deliverer.owed
        if not quiet:
            with Session() as s:
                if events is None:
                    from nodes.cap_hooks import WINDOW

                    events = cap.alert_events(s, 0, since=clock.now() - WINDOW)
                subjects = dict.fromkeys(ev.subject for ev in events)
                for subject in subjects:
                    for d in cap_hooks.delivery_log(s, subject):
                        last = d.attempts[-1] if d.attempts else None
                        how = f": {last.outcome} ({last.detail})" if last else ""
                        print(
                            f"CAP {d.identifier} -> hook {d.hook_id} {d.target}: {d.state} after "
                            f"{len(d.attempts)} attempt{'' if len(d.attempts) == 1 else 's'}{how}",
                            file=sys.stderr,
                        )
        return left
    finally:
        engine.dispose()


def hook_lines(doc: dict) -> list[str]:
    """The ``cap_hooks`` section of an alarm's board, for people."""
    rows = doc.get("cap_hooks") or []
    if not rows:
        return []
    lines = ["  CAP alert to the outbound hooks:"]
    for h in rows:
        lines.append(f"    hook {h['hook_id']} {h['target']}: {h['state']} ({h['identifier']})")
        for a in h["attempts"]:
            ended = a["finished_at"][11:23] if a.get("finished_at") else "-"
            lines.append(
                f"      attempt {a['attempt']}: {a['started_at'][11:23]} -> {ended} {a['outcome']}"
                + (f" {a['detail']}" if a.get("detail") else "")
            )
    return lines


def add_hook_parsers(grp, cd_sub, link_options) -> None:
    """``alarm cap`` and ``alarm hook ...`` under the ``alarm`` group."""
    q = cd_sub(grp, "cap", "the alarm as a CAP 1.2 alert (XML; --json: its fields and the XML)")
    q.add_argument("id", type=int)
    link_options(q)
    q = grp.add_parser(
        "hook",
        help="the city's outbound CAP hooks: where every alert is sent",
        description="HTTP endpoints (POSTed application/cap+xml) and commands (the alert on stdin) that "
        "receive every CAP alert of an alarm or incident; each delivery is retried with back-off and logged",
    )
    hooks = q.add_subparsers(dest="hook_command", metavar="add|list|remove|deliver", required=True)
    h = cd_sub(hooks, "add", "add a hook (civil-defence office or city commander)", role=True)
    target = h.add_mutually_exclusive_group(required=True)
    target.add_argument("--http", metavar="URL", help="POST each alert to this http(s) URL")
    target.add_argument(
        "--command",
        dest="command_line",
        metavar="CMD",
        help="run this command (split like a shell, never run by one) with each alert on its stdin",
    )
    h.add_argument("--attempts", type=int, default=None, help="attempts per alert (default 5, at most 10)")
    h.add_argument(
        "--timeout", type=float, default=None, metavar="S", help="seconds per attempt (default 10)"
    )
    h.add_argument(
        "--backoff",
        type=float,
        default=None,
        metavar="S",
        help="seconds before the second attempt, doubled before each next one (default 1)",
    )
    h.add_argument("--note", help="what the hook is (a line for the list)")
    link_options(h)
    h = cd_sub(hooks, "list", "the hooks (--removed: with the removed ones)")
    h.add_argument("--removed", action="store_true")
    link_options(h)
    h = cd_sub(hooks, "remove", "remove a hook (civil-defence office or city commander)", role=True)
    h.add_argument("id", type=int)
    link_options(h)
    cd_sub(hooks, "deliver", "deliver every alert of the last day still owed to a hook, then exit")
