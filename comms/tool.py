"""Command-line tools around the comms nodes: key generation, a follower and a command server.

    python -m comms.tool keys DIR NAME ROLE
    python -m comms.tool follow --port P --replica replica.db [--subtree /camera/] [--keys DIR --me NAME]
    python -m comms.tool command-server --port C --db applied.db [--keys DIR --me NAME]

``follow`` keeps a SQLite replica of a clone server's subtree and prints one JSON line per
synchronisation; ``command-server`` applies each command once by recording it in a table of its SQLite
file. Operators use them to enrol nodes and to check a link; the tests run them as real processes.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import asdict

from comms.keys import Security, generate_keys


def _security(args: argparse.Namespace) -> Security | None:
    if args.keys is None:
        return None
    return Security.from_dir(args.keys, args.me)


def _emit(event: dict[str, object]) -> None:
    print(json.dumps(event), flush=True)


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass


def _follow(args: argparse.Namespace) -> None:
    from comms.clone import CloneClient, SqliteReplica, SyncInfo

    def synced(info: SyncInfo) -> None:
        _emit({"event": "synced", **asdict(info)})

    client = CloneClient(
        args.host,
        args.port,
        subtree=args.subtree,
        security=_security(args),
        server=args.server,
        replica=SqliteReplica(args.replica),
        heartbeat=args.heartbeat,
        on_synced=synced,
    )
    client.start()
    _emit({"event": "started"})
    _wait_for_signal()
    client.stop()
    _emit({"event": "stopped", "stats": client.stats.snapshot()})


def _command_server(args: argparse.Namespace) -> None:
    import msgpack

    from comms.commands import Command, CommandServer, SqliteDedupStore

    store = SqliteDedupStore(args.db)

    def apply(command: Command, tx: object) -> bytes:
        # The "application" is one table in the same file, written in the dedup store's transaction.
        db = tx.connection  # type: ignore[attr-defined]
        db.execute(
            "CREATE TABLE IF NOT EXISTS applied (n INTEGER PRIMARY KEY AUTOINCREMENT, command_id TEXT,"
            " peer TEXT, body BLOB, at REAL)"
        )
        cur = db.execute(
            "INSERT INTO applied (command_id, peer, body, at) VALUES (?, ?, ?, ?)",
            (command.id, command.peer.name, command.body, time.time()),
        )
        return msgpack.packb({"n": cur.lastrowid})

    from comms.dedup_pruner import DedupPruner

    server = CommandServer(args.host, args.port, apply, store=store, security=_security(args))
    server.start()
    pruner = DedupPruner(store).start()  # the table of applied ids stays bounded (comms.retention)
    _emit({"event": "ready"})
    _wait_for_signal()
    pruner.stop()
    server.stop()
    _emit({"event": "stopped", "stats": server.stats.snapshot()})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m comms.tool", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    keys = sub.add_parser("keys", help="generate DIR/NAME.key and DIR/NAME.key_secret")
    keys.add_argument("dir")
    keys.add_argument("name")
    keys.add_argument("role", help="centre | district:<code> | console[:<code>]")

    def node_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--keys", help="key folder; without it CURVE is off (tests and lab only)")
        p.add_argument("--me", help="this node's key name in the folder")
        p.add_argument("--server", default="centre", help="the server's key name")

    follow = sub.add_parser("follow", help="keep a SQLite replica of a clone server's subtree")
    node_options(follow)
    follow.add_argument("--subtree", default="")
    follow.add_argument("--replica", required=True)
    follow.add_argument("--heartbeat", type=float, default=1.0)

    cmd = sub.add_parser("command-server", help="apply commands once, recording them in a SQLite file")
    node_options(cmd)
    cmd.add_argument("--db", required=True)

    args = parser.parse_args(argv)
    if args.command == "keys":
        key = generate_keys(args.dir, args.name, args.role)
        print(f"{args.dir}/{key.name}.key ({key.role})")
    elif args.command == "follow":
        _follow(args)
    elif args.command == "command-server":
        _command_server(args)


if __name__ == "__main__":
    sys.exit(main())
