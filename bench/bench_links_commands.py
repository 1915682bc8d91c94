"""Command round trip through the real centre: district -> centre commit -> reply, 200 commands/s.

The centre is ``python main.py center`` (its own process, CURVE on) on a small demo city. A district's
command client (its key, role ``district:230102``, an outbox in a SQLite file as the district node's)
sends domain commands that each commit at the centre with their journal event and applied id:
``asset.status`` (a component's state toggled; the default) or ``case.report`` (locate, route, check
for duplicates, open a case). Latency is from ``submit`` (which persists the command first) to the
reply. Baseline in the same run: a raw pyzmq DEALER/ROUTER echo at the same rate
(bench/bench_comms_commands.py's). Target: p99 under 30 ms.

    python bench/bench_links_commands.py [--seconds 10] [--rate 200] [--command asset.status|case.report]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from _links import HOST, free_base, percentiles  # noqa: E402

DISTRICT = "230102"
PERSON = "daoli_operator"  # a demo login of the district


def start_centre(folder: str, keys: str | None, port: int) -> subprocess.Popen:
    args = [sys.executable, str(REPO / "main.py"), "center", "--db", f"sqlite:///{folder}/centre.db"]
    args += ["--bind", f"tcp://{HOST}:{port}"] + (["--keys", keys] if keys else [])
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if '"event": "ready"' in line:
            break
    else:
        raise RuntimeError(f"centre exited {proc.wait()}")

    def drain() -> None:
        for line in proc.stderr:
            if '"level": "error"' in line or '"level": "warning"' in line:
                sys.stderr.write("centre: " + line[:400] + ("\n" if len(line) > 400 else ""))

    threading.Thread(target=drain, daemon=True).start()
    return proc


def commands(folder: str, command: str, total: int) -> list[dict]:
    """Arguments of ``total`` commands inside district 230102."""
    import sqlalchemy as sa

    from data.db import open_database, session_factory
    from data.models import Component, GridCell

    engine = open_database(f"sqlite:///{folder}/centre.db")
    with session_factory(engine)() as s:
        if command == "asset.status":
            ids = list(
                s.scalars(
                    sa.select(Component.id).where(Component.id.like(f"{DISTRICT}%")).order_by(Component.id)
                )
            )
            out = [
                {
                    "kind": "component",
                    "id": ids[n % len(ids)],
                    "status": ("damaged", "intact")[(n // len(ids)) % 2],
                }
                for n in range(total)
            ]
        else:
            cells = [
                c.geometry.representative_point()
                for c in s.scalars(sa.select(GridCell).where(GridCell.code.like(f"{DISTRICT}%")))
            ]
            types = ["06010", "01001", "01002", "01003", "01004", "01005", "01006", "01007"]
            # Each (cell, type) once, so reports open cases rather than merging into duplicates.
            out = [
                {"x": cells[n % len(cells)].x, "y": cells[n % len(cells)].y, "channel": "hotline",
                 "type": types[(n // len(cells)) % len(types)], "text": f"bench {n}"}
                for n in range(total)
            ]  # fmt: skip
    engine.dispose()
    # A district node forwards the person who acted there (docs/protocol.md section 7.5).
    return [{**a, "login": PERSON} for a in out]


def run_nodes(args: argparse.Namespace, folder: str) -> list[float]:
    from comms.commands import CommandClient, CommandReply, SqliteOutbox
    from comms.keys import Security, generate_keys
    from data.db import open_database, session_factory
    from data.demo_city import seed_city
    from modes.common.command_bus import encode_call

    engine = open_database(f"sqlite:///{folder}/centre.db")
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=1)
    engine.dispose()
    keys = None
    if not args.no_curve:
        keys = f"{folder}/keys"
        generate_keys(keys, "centre", "centre")
        generate_keys(keys, f"district-{DISTRICT}", f"district:{DISTRICT}")
    total = int(args.rate * args.seconds)
    bodies = [encode_call(args.command, a) for a in commands(folder, args.command, total)]
    port = free_base()
    centre = start_centre(folder, keys, port)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    refused: list[str] = []
    lock = threading.Lock()
    finished = threading.Event()

    def on_reply(reply: CommandReply) -> None:
        now = time.monotonic()
        with lock:
            latencies.append((now - sent[reply.command_id]) * 1000)
            if reply.status != "OK":
                refused.append(reply.body.decode(errors="replace"))
            if len(latencies) == total:
                finished.set()

    client = CommandClient(
        HOST,
        port + 3,
        outbox=SqliteOutbox(Path(folder) / "outbox.db", synchronous="NORMAL"),
        security=Security.from_dir(keys, f"district-{DISTRICT}") if keys else None,
        on_reply=on_reply,
    ).start()
    try:
        deadline = time.monotonic() + 20
        while not client.link.up and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
        for n, body in enumerate(bodies):
            delay = start + n / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            cid = f"bench-{n:06d}"
            with lock:
                sent[cid] = time.monotonic()
            client.submit(body, command_id=cid)
        finished.wait(120)
    finally:
        client.stop()
        centre.terminate()
        centre.wait(30)
    if refused:
        print(f"  {len(refused)} refused, e.g. {refused[0]}")
    assert len(latencies) == total, (len(latencies), total)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--command", choices=["asset.status", "case.report"], default="asset.status")
    parser.add_argument("--no-curve", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        ours = run_nodes(args, folder)
    import bench_comms_commands

    raw = bench_comms_commands.run_raw(free_base(), args.rate, args.seconds)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    curve = "CURVE off" if args.no_curve else "CURVE on"
    p50, p99, worst = percentiles(ours)
    print(
        f"nodes command round trip ({curve}), {args.command}: district submit -> centre commit -> reply, "
        f"{len(ours):,} commands at {args.rate:.0f}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
        "  (target p99 < 30 ms)"
    )
    p50, p99, worst = percentiles(raw)
    print(
        f"baseline raw pyzmq DEALER/ROUTER echo, same rate: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
    )


if __name__ == "__main__":
    main()
