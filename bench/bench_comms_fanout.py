"""Update fan-out: one CloneServer, 7 district CloneClients (separate processes), 2,000 updates/s.

Latency is from just before ``publish`` to the client's ``on_update`` (CLOCK_MONOTONIC is shared by
the processes). Baseline in the same run: raw pyzmq PUB to 7 SUB processes, same payloads and rate.
Target: p99 under 50 ms.

    python bench/bench_comms_fanout.py [--no-curve] [--seconds 10] [--rate 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgpack  # noqa: E402
import zmq  # noqa: E402

HOST = "127.0.0.1"
CLIENTS = 7
DISTRICTS = ["230102", "230103", "230104", "230108", "230109", "230110", "230111"]


def payload(n: int) -> bytes:
    # ~200 bytes, like a component or case update; "t" is the publish time in ns.
    return msgpack.packb({"t": time.monotonic_ns(), "n": n, "state": "damaged", "owner": "热力公司",
                          "cell": "230102001001001", "xy": [126.6, 45.75], "pad": "z" * 110})  # fmt: skip


def percentiles(latencies_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies_ms)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    return pct(50), pct(99), ordered[-1]


def _comms_client(index: int, port: int, keys: str | None, expected: int, out: mp.Queue) -> None:
    from comms.clone import CloneClient
    from comms.keys import Security

    latencies: list[float] = []
    done = mp.Event() if False else None  # noqa: F841

    def on_update(entry) -> None:
        if entry.key.startswith("/bench/"):
            t = msgpack.unpackb(entry.body)["t"]
            latencies.append((time.monotonic_ns() - t) / 1e6)

    security = Security.from_dir(keys, f"district-{DISTRICTS[index]}") if keys else None
    client = CloneClient(HOST, port, security=security, on_update=on_update)
    client.start()
    client.wait_synced(60)
    out.put(("ready", index))
    deadline = time.monotonic() + 120
    while len(latencies) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    client.stop()
    out.put(("done", latencies))


def _raw_client(index: int, port: int, expected: int, out: mp.Queue) -> None:
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.rcvhwm = 0
    sub.subscribe(b"")
    sub.connect(f"tcp://{HOST}:{port}")
    latencies: list[float] = []
    ready_sent = False
    while len(latencies) < expected:
        if not sub.poll(30000):
            break
        frames = sub.recv_multipart()
        if frames[0] == b"HELLO":
            if not ready_sent:
                out.put(("ready", index))
                ready_sent = True
            continue
        t = msgpack.unpackb(frames[4])["t"]
        latencies.append((time.monotonic_ns() - t) / 1e6)
    sub.close(0)
    ctx.term()
    out.put(("done", latencies))


def paced(rate: float, seconds: float, send) -> int:
    """Call ``send(n)`` ``rate`` times a second, in 5 ms ticks."""
    total = int(rate * seconds)
    start = time.monotonic()
    n = 0
    while n < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        while n < due:
            send(n)
            n += 1
        time.sleep(0.005)
    return total


def run_comms(port: int, rate: float, seconds: float, keys: str | None) -> list[float]:
    from comms.clone import CloneServer
    from comms.keys import Security

    security = Security.from_dir(keys, "centre") if keys else None
    # A realistic map underneath: the grid, so each client first takes a 7,030-key snapshot.
    initial = []
    from comms.wire import Entry

    for i in range(7030):
        initial.append(Entry.make(f"/cell/{i:015d}", i + 1, b"", {}, b"c" * 150))
    server = CloneServer(HOST, port, security=security, initial=initial).start()
    spawn = mp.get_context("spawn")
    q = spawn.Queue()
    expected = int(rate * seconds)
    procs = [spawn.Process(target=_comms_client, args=(i, port, keys, expected, q)) for i in range(CLIENTS)]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            assert q.get(timeout=120)[0] == "ready"
        time.sleep(0.5)
        paced(rate, seconds, lambda n: server.publish(f"/bench/{n % 5000}", payload(n)))
        results = [q.get(timeout=180) for _ in procs]
    finally:
        for p in procs:
            p.join(30)
        server.stop()
    latencies = [x for kind, lat in results for x in lat]
    assert len(latencies) == CLIENTS * expected, (len(latencies), CLIENTS * expected)
    return latencies


def run_raw(port: int, rate: float, seconds: float) -> list[float]:
    spawn = mp.get_context("spawn")
    q = spawn.Queue()
    expected = int(rate * seconds)
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.sndhwm = 0
    pub.bind(f"tcp://{HOST}:{port}")
    procs = [spawn.Process(target=_raw_client, args=(i, port, expected, q)) for i in range(CLIENTS)]
    for p in procs:
        p.start()
    ready = 0
    while ready < CLIENTS:
        pub.send_multipart([b"HELLO"])
        while not q.empty():
            ready += q.get()[0] == "ready"
        time.sleep(0.01)
    time.sleep(0.5)
    key = b"/bench/x"
    paced(rate, seconds, lambda n: pub.send_multipart([key, n.to_bytes(8, "big"), b"", b"", payload(n)]))
    results = [q.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(30)
    pub.close(0)
    ctx.term()
    return [x for kind, lat in results for x in lat]


def main() -> None:
    global CLIENTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--port", type=int, default=45700)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    args = parser.parse_args()
    CLIENTS = args.clients
    from comms.keys import generate_keys

    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as keys:
        if not args.no_curve:
            generate_keys(keys, "centre", "centre")
            for code in DISTRICTS:
                generate_keys(keys, f"district-{code}", f"district:{code}")
        ours = run_comms(args.port, args.rate, args.seconds, None if args.no_curve else keys)
    raw = run_raw(args.port + 10, args.rate, args.seconds)
    curve = "CURVE off" if args.no_curve else "CURVE on"
    for name, lat in ((f"comms fan-out ({curve})", ours), ("baseline raw pyzmq PUB/SUB", raw)):
        p50, p99, worst = percentiles(lat)
        print(f"{name}: {CLIENTS} clients x {args.rate:.0f} updates/s x {args.seconds:.0f} s, {len(lat):,} deliveries:"
              f" p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms" + ("  (target p99 < 50 ms)" if name.startswith("comms") else ""))  # fmt: skip


if __name__ == "__main__":
    main()
