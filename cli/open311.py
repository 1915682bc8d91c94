"""The Open311 gateway on the command line: serve GeoReport v2 and the public status page, and the API
keys of the applications that may report (``open311 key new|list|revoke``)."""

from __future__ import annotations

import argparse

from cli.common import (
    check_node,
    command_bus,
    execute,
    fail,
    link_options,
    link_security,
    make_clock,
    open_city,
    print_doc,
    server_key,
)


def cmd_serve(args: argparse.Namespace) -> int:
    from nodes.logs import setup_json_logging
    from nodes.open311 import Gateway, GatewayConfig, LinkBackend, LocalBackend, parse_bind, serve

    host, port = parse_bind(args.bind)
    config = GatewayConfig(
        jurisdiction=args.jurisdiction,
        key_rate=args.key_rate,
        key_burst=args.key_burst,
        read_rate=args.read_rate,
        read_burst=args.read_burst,
        max_body=args.max_body,
        status_ttl=args.status_ttl,
    )
    log = setup_json_logging("open311")
    if getattr(args, "connect", None):
        from nodes.client import LinkClient

        security = link_security(args.keys, args.identity)
        check_node(args, security)
        backend = LinkBackend(LinkClient(args.connect, security, server=server_key(args)).start())
        log.event("connected", node=args.connect)
        return serve(Gateway(backend, config, log), host, port, log)
    engine, Session = open_city(args)
    try:
        backend = LocalBackend(Session, make_clock(), command_bus())
        return serve(Gateway(backend, config, log), host, port, log)
    finally:
        engine.dispose()


def cmd_key(args: argparse.Namespace) -> int:
    engine, Session = open_city(args)
    clock = make_clock()
    try:
        if args.key_command == "new":
            doc = execute(Session, clock, None, "open311.key_new", {"app": args.app})
        elif args.key_command == "revoke":
            doc = execute(Session, clock, None, "open311.key_revoke", {"app": args.app})
        else:
            doc = execute(Session, clock, None, "query.open311_keys", {})
            if not args.json:
                for r in doc["apps"]:
                    state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "live"
                    print(f"{r['app']:<24} {r['key_hint']}…  made {r['created_at']}  {state}")
                return 0
    finally:
        engine.dispose()
    if args.key_command == "new" and not args.json:
        print(f"API key of {doc['app']} (shown once; only its hash is kept):\n{doc['api_key']}")
        return 0
    print_doc(args, doc)
    return 0


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a rate is 0 (no limit) or more")
    return value


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    p = add("open311", lambda args: fail("open311 needs a subcommand: serve or key"), "the Open311 gateway")
    sub = p.add_subparsers(dest="open311_command", metavar="serve|key", required=True)

    q = sub.add_parser(
        "serve",
        parents=[common],
        help="serve Open311 GeoReport v2 under /open311/v2/ and the public status page at /",
        description="Serve Open311 GeoReport v2 (http://HOST:PORT/open311/v2/) and the public status page "
        "(http://HOST:PORT/) over the database (--db) or a running centre (--connect).",
    )
    q.set_defaults(handler=cmd_serve)
    link_options(q)
    q.add_argument("--bind", default="127.0.0.1:8311", metavar="HOST:PORT", help="where to listen")
    q.add_argument("--jurisdiction", default="harbin", metavar="ID", help="the jurisdiction_id served")
    q.add_argument("--key-rate", type=_rate, default=10.0, metavar="N", help="reports a second per API key")
    q.add_argument("--key-burst", type=_rate, default=30.0, metavar="N", help="reports at once per API key")
    q.add_argument(
        "--read-rate",
        type=_rate,
        default=50.0,
        metavar="N",
        help="reads a second per client address (0: none)",
    )
    q.add_argument("--read-burst", type=_rate, default=100.0, metavar="N", help="reads at once per address")
    q.add_argument("--max-body", type=int, default=16 * 1024, metavar="BYTES", help="largest POST body")
    q.add_argument(
        "--status-ttl",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds the status page's figures are kept",
    )

    q = sub.add_parser("key", parents=[common], help="API keys of the applications that may report")
    q.set_defaults(handler=cmd_key)
    keys = q.add_subparsers(dest="key_command", metavar="new|list|revoke", required=True)
    k = keys.add_parser("new", parents=[common], help="a new app and its key, shown once: {app, api_key}")
    k.add_argument("app", help="the application's name: 2-32 of a-z 0-9 _ . -")
    keys.add_parser("list", parents=[common], help="the apps, their key hints, when made or revoked")
    k = keys.add_parser("revoke", parents=[common], help="refuse an app's key from now on")
    k.add_argument("app")
