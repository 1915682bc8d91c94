"""Command round trip: a district's CommandClient (own process, SQLite outbox) sends 200 commands/s to
the centre's CommandServer (SQLite dedup store, apply writes a row in the same transaction), CURVE on.

Latency is from ``submit`` (which persists the command first) to ``on_reply``. Baseline in the same
run: a raw pyzmq DEALER/ROUTER echo at the same rate and payload. Target: p99 under 30 ms.

    python bench/bench_comms_commands.py [--no-curve] [--seconds 10] [--rate 200]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgpack  # noqa: E402
import zmq  # noqa: E402

HOST = "127.0.0.1"


def body(n: int) -> bytes:
    return msgpack.packb({"op": "case.dispatch", "case": f"2301020{n:08d}", "to": "热力公司", "by": "dispatcher-7",
                          "note": "井盖丢失，请尽快处理", "deadline": "2026-11-27T12:00:00", "pad": "p" * 60})  # fmt: skip


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], ordered[-1]


def _comms_client(
    port: int, keys: str | None, folder: str, rate: float, seconds: float, sync: str, out: mp.Queue
) -> None:
    from comms.commands import CommandClient, CommandReply, SqliteOutbox
    from comms.keys import Security

    sent: dict[str, float] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    total = int(rate * seconds)
    finished = threading.Event()

    def on_reply(reply: CommandReply) -> None:
        now = time.monotonic()
        with lock:
            latencies.append((now - sent[reply.command_id]) * 1000)
            if len(latencies) == total:
                finished.set()

    security = Security.from_dir(keys, "district-230102") if keys else None
    client = CommandClient(
        HOST,
        port,
        security=security,
        outbox=SqliteOutbox(Path(folder) / "outbox.db", synchronous=sync),
        on_reply=on_reply,
    )
    client.start()
    deadline = time.monotonic() + 10
    while not client.link.up and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.monotonic()
    for n in range(total):
        # Paced by a schedule, not by sleeps after each send, so slow submits do not lower the rate.
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        cid = f"bench-{n:06d}"
        with lock:
            sent[cid] = time.monotonic()
        client.submit(body(n), command_id=cid)
    finished.wait(60)
    client.stop()
    out.put(latencies)


def _raw_client(port: int, rate: float, seconds: float, out: mp.Queue) -> None:
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(f"tcp://{HOST}:{port}")
    total = int(rate * seconds)
    latencies: list[float] = []
    start = time.monotonic()
    for n in range(total):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = time.monotonic()
        dealer.send_multipart([b"CMD", b"%d" % n, body(n)])
        dealer.recv_multipart()
        latencies.append((time.monotonic() - t) * 1000)
    dealer.close(0)
    ctx.term()
    out.put(latencies)


def run_comms(
    port: int, rate: float, seconds: float, keys: str | None, folder: str, sync: str
) -> list[float]:
    from comms.commands import Command, CommandServer, SqliteDedupStore
    from comms.keys import Security

    def apply(command: Command, tx) -> bytes:
        tx.connection.execute(
            "INSERT INTO dispatched (command_id, body) VALUES (?, ?)", (command.id, command.body)
        )
        return b"\x81\xa2ok\xc3"

    store = SqliteDedupStore(Path(folder) / f"centre-{sync}.db", synchronous=sync)
    store.connection.execute("CREATE TABLE IF NOT EXISTS dispatched (command_id TEXT, body BLOB)")
    security = Security.from_dir(keys, "centre") if keys else None
    server = CommandServer(HOST, port, apply, store=store, security=security).start()
    spawn = mp.get_context("spawn")
    q = spawn.Queue()
    proc = spawn.Process(target=_comms_client, args=(port, keys, folder, rate, seconds, sync, q))
    proc.start()
    try:
        latencies = q.get(timeout=seconds + 120)
    finally:
        proc.join(30)
        server.stop()
    assert len(latencies) == int(rate * seconds), len(latencies)
    return latencies


def run_raw(port: int, rate: float, seconds: float) -> list[float]:
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    router.bind(f"tcp://{HOST}:{port}")
    spawn = mp.get_context("spawn")
    q = spawn.Queue()
    proc = spawn.Process(target=_raw_client, args=(port, rate, seconds, q))
    proc.start()
    total = int(rate * seconds)
    for _ in range(total):
        rid, _, cid, _payload = router.recv_multipart()
        router.send_multipart([rid, b"REPLY", cid, b"OK", b"\x81\xa2ok\xc3"])
    latencies = q.get(timeout=60)
    proc.join(30)
    router.close(0)
    ctx.term()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--port", type=int, default=45800)
    args = parser.parse_args()
    from comms.keys import generate_keys

    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        keys = None
        if not args.no_curve:
            keys = str(Path(folder) / "keys")
            generate_keys(keys, "centre", "centre")
            generate_keys(keys, "district-230102", "district:230102")
        results = []
        for i, sync in enumerate(("FULL", "NORMAL")):
            (Path(folder) / "outbox.db").unlink(missing_ok=True)
            results.append((sync, run_comms(args.port + 2 * i, args.rate, args.seconds, keys, folder, sync)))
    raw = run_raw(args.port + 5, args.rate, args.seconds)
    curve = "CURVE off" if args.no_curve else "CURVE on"
    rows = [
        (f"comms command round trip ({curve}, SQLite outbox + dedup, synchronous={sync})", lat)
        for sync, lat in results
    ]
    for name, lat in rows + [("baseline raw pyzmq DEALER/ROUTER echo", raw)]:
        p50, p99, worst = percentiles(lat)
        print(f"{name}: {len(lat):,} commands at {args.rate:.0f}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
              + ("  (target p99 < 30 ms)" if name.startswith("comms") else ""))  # fmt: skip


if __name__ == "__main__":
    main()
