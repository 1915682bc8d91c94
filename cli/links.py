"""The links between the centres (docs/protocol.md section 7): run the centre or a district node, make
CURVE keys, look at a running node's links."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from cli.common import (
    command_bus,
    emit_json,
    fail,
    link_options,
    link_security,
    make_clock,
    remote,
)
from cli.human import plural, when
from comms.retention import DAY_S, DEDUP_RETENTION_S, PRUNE_EVERY_S

if TYPE_CHECKING:
    import zmq


def cmd_center(args: argparse.Namespace) -> int:
    from comms.bstar import State
    from nodes.centre import CentreNode, PairConfig
    from nodes.logs import setup_json_logging
    from nodes.serve import serve

    log = setup_json_logging(args.identity)
    pair = None
    if args.primary or args.backup:
        if not args.peer:
            return fail("a centre of a pair needs --peer tcp://HOST:P (the other centre's base endpoint)")
        pair = PairConfig(
            State.PRIMARY if args.primary else State.BACKUP,
            args.peer,
            peer_key=args.peer_key,
            heartbeat=args.pair_heartbeat,
        )
    elif args.peer:
        return fail("--peer names the other centre of a pair: say --primary or --backup too")
    with node_context() as context:
        node = CentreNode(
            args.db,
            args.bind,
            bus=command_bus(),
            clock=make_clock(),
            security=link_security(args.keys, args.identity),
            log=log,
            heartbeat=args.heartbeat,
            case_window_days=args.case_window_days,
            context=context,
            pair=pair,
            dedup_retention=args.dedup_retention_days * DAY_S,
            key_poll=args.key_poll,
        )
        if args.keys is None:
            log.event("no_curve", "warning", message="running without CURVE: tests and lab only")
        return serve(node, log)


def cmd_district(args: argparse.Namespace) -> int:
    from nodes.district import DistrictNode
    from nodes.logs import setup_json_logging
    from nodes.serve import serve

    identity = args.identity or f"district-{args.code}"
    log = setup_json_logging(identity)
    db = args.db
    if db is None:
        import platformdirs

        db = f"sqlite:///{platformdirs.user_data_dir('sanwei')}/district-{args.code}.db"
    with node_context() as context:
        node = DistrictNode(
            args.code,
            db,
            args.center,
            args.bind,
            bus=command_bus(),
            clock=make_clock(),
            security=link_security(args.keys, identity),
            centre_key=args.center_key,
            log=log,
            heartbeat=args.heartbeat,
            context=context,
            dedup_retention=args.dedup_retention_days * DAY_S,
            key_poll=args.key_poll,
        )
        from modes.civil_defence import link_commands as civil_defence_links
        from modes.emergency import link_commands as emergency_links

        # Alarms and dispatch orders the centre sends down are acknowledged by the node itself.
        civil_defence_links.watch(node)
        emergency_links.watch(node)
        if args.keys is None:
            log.event("no_curve", "warning", message="running without CURVE: tests and lab only")
        return serve(node, log)


@contextlib.contextmanager
def node_context() -> Iterator[zmq.Context]:
    """The one ZeroMQ context of a node's process: every socket of the node lives in it, and it is
    terminated once ``serve`` has stopped the node (its sockets closed)."""
    import zmq

    context = zmq.Context()
    try:
        yield context
    finally:
        context.term()


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
    doc = remote(args, "link.status", {})
    if args.json:
        emit_json(doc)
        return 0
    if doc["node"] == "centre":
        ha = doc.get("ha")
        if ha is not None:
            seen = "never" if ha["peer_seen_s"] is None else f"{ha['peer_seen_s']} s ago"
            print(
                f"pair: {ha['state'].upper()} ({ha['role']})  peer {ha['peer']} {ha['peer_state'] or '-'},"
                f" heard {seen}  confirmed journal {ha['confirmed']}"
            )
            if ha.get("standby"):
                sb = ha["standby"]
                print(f"  standby copy: journal {sb['journal_seq']}  picture {sb['picture_journal_seq']}")
        if not doc.get("serving", True):
            print(f"centre {doc['bind']}  not serving (standby)")
            return 0
        print(f"centre {doc['bind']}  epoch {doc['epoch'][:8]}  seq {doc['seq']}  keys {doc['keys']}")
        print_allow_list(doc.get("allow_list"))
        for p in doc["peers"]:
            print(f"  peer {p['name']:<20} {p['role']:<18} last seen {p['age_s']} s ago")
        for code, d in sorted(doc["districts"].items()):
            print(
                f"  district {code}: queue {d.get('queue')}  lag {d.get('lag')}  commands up {d.get('commands_up')}"
            )
        return 0
    print_allow_list(doc.get("allow_list"))
    c, s = doc["commands"], doc["state"]
    for name, part in (("commands", c), ("state", s)):
        # A node's wall clock: the city's local time with its offset (the node may run elsewhere).
        since = when(part["since"], offset=True)
        line = "up" if part["up"] else f"DOWN for {part['down_for_s']} s (since {since})"
        print(f"{name:>9}: {line}  last heartbeat {when(part['last_heartbeat'], offset=True)}")
    print(
        f"    queue: {plural(c['queue_length'], 'command')}{'  last error: ' + c['last_error'] if c['last_error'] else ''}"
    )
    print(f"  replica: seq {s['seq']}  lag {s['lag']}")
    for q in doc["queue"]:
        print(f"  queued {q['forward_id']} {q['command']:<14} {q['subject']:<20} {q['age_s']} s")
    for r in doc["recent"]:
        if r["state"] != "ok":
            print(f"  {r['state']} {r['forward_id']} {r['command']}: {r['reason']}")
    return 0


def print_allow_list(allow: dict | None) -> None:
    """The node's CURVE allow-list: how many keys, when last (re)loaded, and any file it could not read."""
    if allow is None:
        print("  allow-list: none (CURVE is off)")
        return
    print(
        f"  allow-list: {plural(len(allow['keys']), 'key')}, loaded {when(allow['loaded_at'], offset=True)} "
        f"({plural(allow['reloads'], 'reload')})"
    )
    for problem in allow["problems"]:
        print(f"    unreadable {problem['file']}: {problem['problem']}")
    if allow["own_key_problem"]:
        print(f"    own key: {allow['own_key_problem']}")


def key_poll_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--key-poll",
        type=positive_seconds,
        default=1.0,
        metavar="S",
        help="seconds between looks at the key folder for added or removed keys (SIGHUP: at once)",
    )


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return value


def dedup_retention_days(text: str) -> float:
    from comms.retention import check_retention

    try:
        return check_retention(float(text) * DAY_S) / DAY_S
    except ValueError as exc:
        problem = str(exc) if "retention" in str(exc) else f"{text!r} is not a number"
        raise argparse.ArgumentTypeError(problem) from None


def dedup_retention_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dedup-retention-days",
        type=dedup_retention_days,
        default=DEDUP_RETENTION_S / DAY_S,
        metavar="D",
        help=f"days the ids of applied commands are kept to answer resends (default and least "
        f"{DEDUP_RETENTION_S / DAY_S:g}; pruned every {PRUNE_EVERY_S / 60:g} minutes)",
    )


def add_parsers(add) -> None:
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
    key_poll_option(p)
    p.add_argument(
        "--case-window-days",
        type=float,
        default=30.0,
        metavar="D",
        help="finished cases kept in the shared picture",
    )
    role = p.add_mutually_exclusive_group()
    role.add_argument(
        "--primary", action="store_true", help="the primary of a failover pair (with --peer): serves first"
    )
    role.add_argument(
        "--backup",
        action="store_true",
        help="the backup of a failover pair (with --peer): keeps a copy, serves when the primary is lost",
    )
    p.add_argument("--peer", metavar="tcp://HOST:Q", help="the other centre of the pair (heartbeat on Q+4)")
    p.add_argument("--peer-key", default="centre", metavar="NAME", help="the other centre's key in DIR")
    p.add_argument("--pair-heartbeat", type=float, default=1.0, metavar="S", help="heartbeat of the pair")
    dedup_retention_option(p)

    p = add("district", cmd_district, "run a district centre node with its own replica database")
    p.add_argument("code", help="the district's GB/T 2260 code, e.g. 230102")
    p.add_argument(
        "--center",
        required=True,
        metavar="tcp://HOST:P[,tcp://HOST:Q]",
        help="the municipal centre's base endpoint, or the two of a failover pair, comma-separated",
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
    dedup_retention_option(p)
    key_poll_option(p)

    p = add("keys", cmd_keys, "CURVE keys for the links")
    keys_sub = p.add_subparsers(dest="keys_command", metavar="new", required=True)
    q = keys_sub.add_parser("new", help="write DIR/NAME.key and DIR/NAME.key_secret")
    q.add_argument("name")
    q.add_argument("--role", dest="key_role", required=True, help="centre | district:CODE | console[:CODE]")
    q.add_argument("--keys", required=True, metavar="DIR")
    q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)

    p = add("link", cmd_link, "the links of a running node")
    link_sub = p.add_subparsers(dest="link_command", metavar="status", required=True)
    link_options(link_sub.add_parser("status", help="peers, sequence, lag, queue, heartbeats of a node"))
    link_sub.choices["status"].add_argument("--json", action="store_true", default=argparse.SUPPRESS)
