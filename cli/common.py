"""Plumbing every command group shares: output, the database, the clock, who is acting (``--as LOGIN``
with a password or a kept log-in) and the door every write goes through, and the link to a running node
(``--connect``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable

EXIT_INPUT = 2  # bad input: unknown code, malformed file, point outside the city, illegal action
EXIT_DATABASE = 3  # the database cannot be reached or used
EXIT_NO_DISPLAY = 4
EXIT_TAMPERED = 5  # audit verify: the journal, or a row it vouches for, is not as it was written
# --connect, before anything is sent (cli/reach.py): the node refused this client's key (or the keys do
# not match), no node listens at the endpoint, the node is the passive standby of a failover pair.
EXIT_KEY_REFUSED = 6
EXIT_NO_NODE = 7
EXIT_PASSIVE = 8
PASSWORD_ENV = "SANWEI_PASSWORD"

Handler = Callable[[argparse.Namespace], int]


# --- output ------------------------------------------------------------------------------------------


def emit_json(doc) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=None, default=str) + "\n")


def fail(message: str, code: int = EXIT_INPUT) -> int:
    sys.stderr.write(f"error: {message}\n")
    return code


def print_doc(args: argparse.Namespace, doc: dict) -> None:
    """A command's answer: one JSON document with ``--json``, else aligned fields, nested records as
    indented blocks and lists of records as tables (``cli.human.fields``)."""
    if args.json:
        emit_json(doc)
        return
    from cli.human import fields

    print("\n".join(fields(doc)))


# --- the database, the clock, the bus --------------------------------------------------------------


def print_remote(args: argparse.Namespace, doc) -> None:
    """A node's answer; through a district whose centre has not answered yet, said to be provisional."""
    if isinstance(doc, dict) and doc.get("queued"):
        from cli.human import when

        link = doc.get("link") or {}
        state = "up" if link.get("up") else f"down since {when(link.get('since'), offset=True)}"
        sys.stderr.write(
            f"queued for the centre as {doc['forward_id']} (link {state}); provisional result:\n"
        )
    print_doc(args, doc)


def open_city(args: argparse.Namespace, *, upgrade: bool = True, create: bool = False):
    """Engine and session factory for ``--db``, with the schema brought up to date. A SQLite file that
    does not exist is refused (exit 3) unless the command founds a city (``create``): seed, import
    cells --new-city."""
    from data.db import open_database, session_factory

    engine = open_database(args.db, upgrade=upgrade, create=create)
    return engine, session_factory(engine)


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


def command_bus():
    """Every mode's commands on one bus (the composition root decides which modes a node serves)."""
    from modes.bus import build_bus

    return build_bus()


# --- exercise records (modes/common/exercise_filter.py) ---------------------------------------------


def exercises_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--exercises",
        choices=["leave", "include", "only"],
        default="leave",
        help="the cases an exercise's injects reported: left out (leave, the default), counted with the "
        "real ones (include), or alone (only); listed exercise cases are marked EXERCISE",
    )


def exercise_mark(exercise_id: int | None, exercise: bool = False) -> str:
    """How human output marks a record an exercise made: `` [EXERCISE 3]`` (`` [EXERCISE]`` for one a
    person marked as a drill); nothing for a real one."""
    if exercise_id is not None:
        return f" [EXERCISE {exercise_id}]"
    return " [EXERCISE]" if exercise else ""


# --- who is acting (modes/common/auth.py) ---------------------------------------------------------


def actor_options(p: argparse.ArgumentParser, *, role_required: bool) -> None:
    p.add_argument(
        "--as",
        dest="login",
        metavar="LOGIN",
        required=role_required,
        help=f"the person acting (a staff login, or a role only one login holds, spelt any way: role, "
        f"district and department come from the staff list); "
        f"password from ${PASSWORD_ENV}, a kept log-in (`login`), or asked on a terminal",
    )


def auth_call(Session, clock, command: str, payload: dict):
    """A staff or log-in command through the command bus, applied here on the database."""
    from modes.common import auth
    from modes.common.command_bus import CommandBus, call_local

    bus = CommandBus()
    auth.register(bus)
    return call_local(bus, Session, clock, command, payload)


def ask_password(login: str) -> str:
    """The password of ``login`` from ``SANWEI_PASSWORD``, else asked on a terminal, else a clear
    refusal."""
    import getpass

    from data.errors import InputError

    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise InputError(f"no password for {login}: set {PASSWORD_ENV} (stdin is not a terminal to ask on)")
    return getpass.getpass(f"password for {login}: ")


def kept_logins_path():
    import platformdirs

    return os.path.join(platformdirs.user_config_dir("sanwei"), "logins.json")


def kept_logins() -> dict:
    try:
        with open(kept_logins_path(), encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def save_kept_logins(doc: dict) -> None:
    """Written 0600 from the start (no moment when another user could read the token)."""
    path = kept_logins_path()
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


def db_key(args: argparse.Namespace) -> str:
    from data.db import resolve_url

    return str(resolve_url(getattr(args, "db", None)))


def acting_person(args: argparse.Namespace, Session, clock):
    """The person ``--as LOGIN`` names, once they proved it: with the password (``SANWEI_PASSWORD`` or a
    prompt), or a kept log-in of ``python main.py login`` for this database. Role, district and department
    come from their staff row. A refusal (unknown, wrong password, locked) is bad input, exit 2; a wrong
    password is counted even so."""
    from data.errors import InputError
    from modes.common import auth

    login = getattr(args, "login", None)
    if not login:
        raise InputError(f"{args.command} needs --as LOGIN (the person acting)")
    kept = kept_logins().get(db_key(args))
    if os.environ.get(PASSWORD_ENV) is None and kept and kept.get("login") == login:
        with Session() as s:
            return auth.session_actor(s, clock, login, kept.get("token", ""))
    reply = auth_call(Session, clock, "auth.sign_in", {"login": login, "password": ask_password(login)})
    if not reply["ok"]:
        raise auth.AuthRefused.from_dict(reply)
    return auth.actor_from_doc(reply["actor"])


def execute(Session, clock, person, command: str, payload: dict):
    """Apply the bus command as ``person`` through the local door, in one transaction with its journal
    events (person None: the database administrator's own act, as for ``staff add``). A refusal is bad
    input, exit 2, and nothing is written."""
    from comms.records import CommandRefused
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


# --- through a running node (docs/protocol.md section 7) ---------------------------------------------


def link_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    g = p.add_argument_group("through a running centre or district node")
    g.add_argument(
        "--connect",
        metavar="tcp://HOST:PORT[,tcp://HOST:PORT]",
        help="act through the node at this endpoint (no database opened); two endpoints, comma-separated,"
        " name a failover pair of centres and the active one is used",
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


def link_security(keys: str | None, identity: str):
    if not keys:
        return None
    from comms.keys import KeyFileError, Security
    from data.errors import InputError

    try:
        return Security.from_dir(keys, identity)
    except KeyFileError as exc:
        raise InputError(f"key folder {keys}: {exc}") from None


def server_key(args: argparse.Namespace) -> str:
    if getattr(args, "server", None) or not getattr(args, "keys", None):
        return getattr(args, "server", None) or "centre"
    from comms.keys import load_keys

    ring = load_keys(args.keys)
    if "centre" in ring:
        return "centre"
    districts = [n for n in ring.names() if ring[n].role.startswith("district:") and n != args.identity]
    return districts[0] if len(districts) == 1 else "centre"


def remote(args: argparse.Namespace, command: str, payload: dict, *, wait: bool = False):
    """Run a command on the node at ``--connect``; a refusal is bad input (exit 2), no answer exit 3."""
    from data.db import DatabaseError
    from data.errors import InputError
    from nodes.client import LinkClient, LinkError, LinkRefused

    security = link_security(args.keys, args.identity)
    try:
        check_node(args, security)
        with LinkClient(args.connect, security, server=server_key(args)) as link:
            sign_in_link(link, args)
            if wait:
                return link.request(command, payload, wait=args.wait)
            return link.call(command, payload)
    except LinkRefused as exc:
        raise InputError(exc.reason) from None
    except InputError:
        raise
    except (LinkError, ValueError) as exc:
        hint = (
            "" if not args.keys else f" (is {server_key(args)!r} the node's key in {args.keys}? see --server)"
        )
        raise DatabaseError(f"{exc}{hint}") from None


@contextlib.contextmanager
def link_session(args: argparse.Namespace):
    """One link to the node at ``--connect`` for several calls; errors as ``remote`` reports them."""
    from data.db import DatabaseError
    from data.errors import InputError
    from nodes.client import LinkClient, LinkError, LinkRefused

    security = link_security(args.keys, args.identity)
    try:
        check_node(args, security)
        with LinkClient(args.connect, security, server=server_key(args)) as link:
            sign_in_link(link, args)
            yield link
    except LinkRefused as exc:
        raise InputError(exc.reason) from None
    except InputError:
        raise
    except (LinkError, ValueError) as exc:
        raise DatabaseError(str(exc)) from None


def check_node(args: argparse.Namespace, security) -> None:
    """Before sending anything over ``--connect``: say plainly why the node cannot be used, with its
    own exit status (cli/reach.py)."""
    from cli.reach import NodeUnusable, check_endpoints
    from data.errors import InputError
    from nodes.client import parse_endpoints

    try:
        endpoints = [f"tcp://{host}:{port}" for host, port in parse_endpoints(args.connect)]
    except ValueError as exc:
        raise InputError(f"--connect: {exc}") from None
    try:
        check_endpoints(endpoints, security, server=server_key(args), key_folder=args.keys)
    except NodeUnusable as exc:
        # A pair with no active centre yet but a passive one: the probe's request counts as a client's
        # (docs/protocol.md section 8), so the passive one may be taking over; the link waits for it.
        if not (len(endpoints) > 1 and exc.exit_code == EXIT_PASSIVE):
            raise


def follow(link, query: str, args: dict, wait: float, done: str) -> dict:
    """Ask ``query`` until its answer's ``done`` field is set or ``wait`` seconds passed. A district
    node answers from its replica, which may not hold the order yet: it is asked again meanwhile."""
    from nodes.client import LinkRefused

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


def sign_in_link(link, args: argparse.Namespace) -> None:
    """``--as LOGIN`` over a link: the node checks the password and opens a session that the following
    commands carry (a login merely named in a command is refused there)."""
    from data.errors import InputError

    login = getattr(args, "login", None)
    if not login:
        return
    reply = link.sign_in(login, ask_password(login))
    if not reply.get("ok"):
        raise InputError(str(reply.get("message") or f"the node refused the log-in of {login!r}"))


def actor_payload(args: argparse.Namespace) -> dict:
    # The node takes role, district and department from its staff row of this login.
    return {"login": getattr(args, "login", None)}
