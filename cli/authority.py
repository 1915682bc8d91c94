"""``mode``, ``order`` and ``settings``: the city's mode, the orders waiting for a second person, and the
two-person rule, on the command line.

Every change is a named command applied by the command bus on the database (``mode.switch``,
``order.confirm``, ``order.refuse``, ``settings.two_person``), given by the person ``--as LOGIN`` names
once they proved it with their password (``SANWEI_PASSWORD``, else asked on a terminal). Reads
(``mode show``, ``order list``, ``settings show``) need no one.

    python main.py mode show --json                      {"mode", "since", "actor"}
    python main.py mode set civil-defence --as city_commander --reason "exercise 9.18"
    python main.py order confirm 3 --as city_civil_defence
    python main.py settings two-person on --as city_commander
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.common import PASSWORD_ENV, ask_password, command_bus, emit_json, make_clock, open_city
from cli.human import when
from data.errors import InputError

MODES = ("everyday", "civil-defence", "emergency")


class Refused(InputError):
    """A refusal the bus answered as a reply (a wrong password, an expired order): exit 2."""


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    def acting(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--as", dest="login", required=True, metavar="LOGIN",
            help=f"the person acting (password: ${PASSWORD_ENV}, else asked)",
        )  # fmt: skip

    p = add("mode", cmd_mode, "the city's mode: show it, or switch it (a grave act)")
    sub = p.add_subparsers(dest="mode_command", metavar="show|set", required=True)
    sub.add_parser("show", parents=[common], help="the mode, since when, and who switched it")
    q = sub.add_parser(
        "set",
        parents=[common],
        help="switch the city (emergency: the city commander; wartime: the commander or the civil-defence "
        "officer; both ways)",
    )
    q.add_argument("mode", choices=MODES)
    acting(q)
    q.add_argument("--reason", required=True, help="why (recorded in the journal)")

    p = add("order", cmd_order, "orders waiting for a second person under the two-person rule")
    sub = p.add_subparsers(dest="order_command", metavar="list|show|confirm|refuse", required=True)
    sub.add_parser("list", parents=[common], help="orders still waiting for a confirmation")
    q = sub.add_parser("show", parents=[common], help="one order, whatever its state")
    q.add_argument("id", type=int)
    q = sub.add_parser("confirm", parents=[common], help="confirm an order as the second person")
    q.add_argument("id", type=int)
    acting(q)
    q = sub.add_parser("refuse", parents=[common], help="refuse an order, or withdraw your own")
    q.add_argument("id", type=int)
    acting(q)
    q.add_argument("--note", default="", help="why")

    p = add("settings", cmd_settings, "the city's settings: the two-person rule")
    sub = p.add_subparsers(dest="settings_command", metavar="show|two-person", required=True)
    sub.add_parser("show", parents=[common], help="the city's settings")
    q = sub.add_parser(
        "two-person",
        parents=[common],
        help="turn the two-person rule on or off (the city commander only): the wartime switch and "
        "air-raid alarms then wait for a second authorised person's confirmation within 60 s",
    )
    q.add_argument("state", choices=("on", "off"))
    acting(q)


# --- who is acting -------------------------------------------------------------------------------------


def _signed_in(bus, Session, clock, login: str, password: str):
    """The person, once their password checked through ``auth.sign_in`` (its own transaction, so a
    failure counts)."""
    from modes.common.auth import AuthRefused, actor_from_doc
    from modes.common.command_bus import call_local

    reply = call_local(bus, Session, clock, "auth.sign_in", {"login": login, "password": password})
    if not reply["ok"]:
        raise AuthRefused.from_dict(reply)
    return actor_from_doc(reply["actor"])


def _call(args: argparse.Namespace, name: str, payload: dict, *, person: bool) -> Any:
    from modes.common.command_bus import call_local

    engine, Session = open_city(args)
    try:
        clock = make_clock()
        bus = command_bus()
        actor = None
        if person:
            password = ask_password(args.login)
            if name == "order.confirm":  # the confirmer's own credentials: it checks the password itself
                payload = {**payload, "login": args.login, "password": password}
            else:
                actor = _signed_in(bus, Session, clock, args.login, password)
        return call_local(bus, Session, clock, name, payload, person=actor)
    finally:
        engine.dispose()


def _emit(args: argparse.Namespace, doc: Any, lines: list[str]) -> None:
    if args.json:
        emit_json(doc)
    else:
        print("\n".join(lines))


def _confirm_hint(order: dict) -> str:
    return f"python main.py order confirm {order['id']} --as LOGIN2"


def _order_lines(order: dict) -> list[str]:
    decided = f" by {order['decided_by']}" if order.get("decided_by") else ""
    return [
        f"order {order['id']}: {order['what']} ({order['state']}{decided})",
        f"  asked by {order['requested_by']} ({order['requested_role']}) at {when(order['requested_at'])}, "
        f"expires {when(order['expires_at'])}",
        f"  reason: {order['reason'] or '-'}",
    ]


# --- the commands --------------------------------------------------------------------------------------


def cmd_mode(args: argparse.Namespace) -> int:
    if args.mode_command == "show":
        doc = _call(args, "query.mode", {}, person=False)
        since = f" since {when(doc['since'])} (by {doc['actor']})" if doc["since"] else " (never switched)"
        _emit(args, doc, [f"{doc['mode']}{since}"])
        return 0
    payload = {"mode": args.mode, "reason": args.reason}
    doc = _call(args, "mode.switch", payload, person=True)
    if doc["pending"]:
        order = doc["order"]
        doc = {**doc, "confirm_with": _confirm_hint(order)}
        lines = [
            f"order {order['id']}: {order['what']} waits for a second person until {when(order['expires_at'])}.",
            f"A second authorised person confirms it with: {_confirm_hint(order)}",
        ]
    elif doc["switched"]:
        lines = [f"{doc['previous']} -> {doc['mode']}: journal event {doc['journal_seq']}"]
    else:
        lines = [f"the city is already in {doc['mode']} mode: nothing changed"]
    _emit(args, doc, lines)
    return 0


def cmd_order(args: argparse.Namespace) -> int:
    if args.order_command in ("list", "show"):
        payload = {"id": args.id} if args.order_command == "show" else {}
        doc = _call(args, "query.orders", payload, person=False)
        lines = [line for o in doc["orders"] for line in _order_lines(o)] or ["no order is waiting"]
        _emit(args, doc, lines)
        return 0
    if args.order_command == "confirm":
        from cli.cap import deliver_alerts, journal_mark

        mark = journal_mark(args)
        doc = _call(args, "order.confirm", {"id": args.id}, person=True)
    else:
        doc = _call(args, "order.refuse", {"id": args.id, "note": args.note}, person=True)
    if not doc["ok"]:
        # Committed (the failure count, the expiry); still an error for whoever asked.
        raise Refused(doc.get("message") or f"order {args.id} is {doc['order']['state']}")
    _emit(args, doc, _order_lines(doc["order"]))
    if args.order_command == "confirm":  # a confirmed alarm is sounded now: its CAP alert goes out
        sys.stdout.flush()
        deliver_alerts(args, mark)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    if args.settings_command == "show":
        doc = _call(args, "query.settings", {}, person=False)
    else:
        doc = _call(args, "settings.two_person", {"on": args.state == "on"}, person=True)
    rule = "on" if doc["two_person_rule"] else "off"
    _emit(args, doc, [f"two-person rule: {rule}"])
    return 0
