"""Staff and log-ins (modes/common/auth.py): the staff list, adding a person, setting a password, a kept
log-in for this database."""

from __future__ import annotations

import argparse
import sys

from cli.common import (
    PASSWORD_ENV,
    ask_password,
    auth_call,
    db_key,
    emit_json,
    kept_logins,
    make_clock,
    open_city,
    print_doc,
    save_kept_logins,
)
from cli.human import when


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
            doc = auth_call(Session, clock, "staff.add", payload)
        else:
            if not sys.stdin.isatty():
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = getpass.getpass(f"new password for {args.login}: ")
                if getpass.getpass("again: ") != password:
                    raise InputError("the two passwords differ; nothing changed")
            doc = auth_call(Session, clock, "staff.passwd", {"login": args.login, "password": password})
    finally:
        engine.dispose()
    print_doc(args, doc)
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from modes.common import auth

    engine, Session = open_city(args)
    try:
        reply = auth_call(Session, make_clock(), "auth.session_start",
                           {"login": args.login, "password": ask_password(args.login)})  # fmt: skip
    finally:
        engine.dispose()
    if not reply["ok"]:
        raise auth.AuthRefused.from_dict(reply)
    login = reply["actor"]["login"]  # the login meant (``--as drill`` is city_drill)
    kept = kept_logins()
    kept[db_key(args)] = {"login": login, "token": reply["token"], "expires_at": reply["expires_at"]}
    save_kept_logins(kept)
    doc = {**reply["actor"], "expires_at": reply["expires_at"]}
    if args.json:
        emit_json(doc)
    else:
        print(f"logged in as {login} ({doc['role']}) on this database until {when(doc['expires_at'])}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    kept = kept_logins()
    entry = kept.pop(db_key(args), None)
    if entry:
        engine, Session = open_city(args)
        try:
            auth_call(Session, make_clock(), "auth.session_end", {"token": entry.get("token", "")})
        finally:
            engine.dispose()
        save_kept_logins(kept)
    doc = {"logged_out": (entry or {}).get("login")}
    if args.json:
        emit_json(doc)
    else:
        print(f"logged out {doc['logged_out']}" if entry else "no kept log-in for this database")
    return 0


def add_parsers(add, common: argparse.ArgumentParser) -> None:
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
