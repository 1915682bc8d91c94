"""Full-state transfer: a new client takes a snapshot of Harbin-scale state (~110,000 keys).

7,030 cells, 1,150 cameras and 100,000 components with ~200-byte msgpack bodies, served by a
CloneServer (CURVE on, as in production) to a CloneClient in another process. Baseline in the same
run: raw pyzmq PUB/SUB of the same five-frame messages between two processes. Target: under 5 s.

    python bench/bench_comms_snapshot.py [--no-curve] [--runs 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgpack  # noqa: E402
import zmq  # noqa: E402

from comms.wire import Entry  # noqa: E402

HOST = "127.0.0.1"


def harbin_state() -> list[Entry]:
    entries: list[Entry] = []
    seq = 0

    def add(key: str, value: dict) -> None:
        nonlocal seq
        seq += 1
        entries.append(Entry.make(key, seq, os.urandom(16), {}, msgpack.packb(value)))

    for i in range(7030):
        code = f"230102{i // 1000:03d}{(i // 100) % 10:03d}{i % 100:03d}"
        add(f"/cell/{code}", {"code": code, "area_m2": 25000.0, "community": code[:12], "supervisor": f"S{i % 963:04d}",
                              "state": "normal", "open_cases": i % 7, "centroid": [126.6 + i * 1e-5, 45.75 + i * 1e-5],
                              "updated": 1700000000 + i, "pad": "x" * 40})  # fmt: skip
    for i in range(1150):
        add(f"/camera/{i:05d}", {"id": i, "name": f"Camera {i} 中央大街", "status": "online", "ptz": True,
                                 "stream": f"http://10.0.{i // 250}.{i % 250}/mjpg", "cell": "230102001001001",
                                 "xy": [126.6, 45.75], "pad": "y" * 50})  # fmt: skip
    for i in range(100_000):
        code = f"23010201{i % 99:03d}{i:06d}"
        add(f"/component/{code}", {"id": code, "type": "0101", "gbt": "01001", "state": "intact", "owner": "热力公司",
                                   "maintainer": "养护部门", "cell": "230102001001001", "xy": [126.6, 45.75],
                                   "since": "2008-05-01", "source": "survey"})  # fmt: skip
    return entries


def _client(port: int, keys: str | None, out: mp.Queue) -> None:
    from comms.clone import CloneClient
    from comms.keys import Security

    security = Security.from_dir(keys, "district-230102") if keys else None
    done = mp.Event() if False else None  # noqa: F841 - kept simple: poll wait_synced below
    start = time.monotonic()
    client = CloneClient(HOST, port, security=security)
    client.start()
    ok = client.wait_synced(120)
    seconds = time.monotonic() - start
    count = len(client.dump()) if ok else 0
    client.stop()
    out.put((ok, seconds, count))


def _raw_sub(port: int, n: int, out: mp.Queue) -> None:
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.rcvhwm = 0
    sub.subscribe(b"")
    sub.connect(f"tcp://{HOST}:{port}")
    got = 0
    out.put("ready")
    while True:
        frames = sub.recv_multipart()
        if frames[0] == b"HELLO":
            continue
        if frames[0] == b"END":
            break
        got += 1
    out.put((got, time.monotonic()))
    sub.close(0)
    ctx.term()


def baseline(entries: list[Entry], port: int) -> float:
    """Raw PUB/SUB of the same messages to another process; seconds from first send to last receipt."""
    q: mp.Queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_raw_sub, args=(port, len(entries), q))
    proc.start()
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.sndhwm = 0
    pub.bind(f"tcp://{HOST}:{port}")
    q.get(timeout=30)
    # Wait until the subscription has reached the PUB (the slow joiner) before timing.
    for _ in range(200):
        pub.send_multipart([b"HELLO"])
        time.sleep(0.01)
    frames = [e.frames() for e in entries]
    start = time.monotonic()
    for f in frames:
        pub.send_multipart(f)
    pub.send_multipart([b"END"])
    got, end = q.get(timeout=120)
    proc.join()
    pub.close(0)
    ctx.term()
    assert got == len(entries), got
    return end - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=45600)
    args = parser.parse_args()

    from comms.clone import CloneServer
    from comms.keys import Security, generate_keys

    t = time.monotonic()
    entries = harbin_state()
    size = sum(len(e.body) for e in entries) / len(entries)
    print(f"state: {len(entries):,} keys, mean body {size:.0f} bytes (built in {time.monotonic() - t:.1f} s)")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory() as keys:
        security = None
        if not args.no_curve:
            generate_keys(keys, "centre", "centre")
            generate_keys(keys, "district-230102", "district:230102")
            security = Security.from_dir(keys, "centre")
        server = CloneServer(HOST, args.port, security=security, initial=entries, log_size=1000)
        server.start()
        times = []
        try:
            spawn = mp.get_context("spawn")
            for _ in range(args.runs):
                q = spawn.Queue()
                proc = spawn.Process(target=_client, args=(args.port, None if args.no_curve else keys, q))
                proc.start()
                ok, seconds, count = q.get(timeout=180)
                proc.join()
                assert ok and count == len(entries), (ok, count)
                times.append(seconds)
        finally:
            server.stop()
    raw = [baseline(entries, args.port + 10) for _ in range(args.runs)]
    curve = "CURVE off" if args.no_curve else "CURVE on"
    print(f"snapshot to a new client ({curve}): median {statistics.median(times):.2f} s, runs {', '.join(f'{x:.2f}' for x in times)}"
          f"  ({len(entries) / statistics.median(times):,.0f} keys/s; target < 5 s)")  # fmt: skip
    print(f"baseline raw pyzmq PUB/SUB, same messages: median {statistics.median(raw):.2f} s, runs {', '.join(f'{x:.2f}' for x in raw)}")  # fmt: skip


if __name__ == "__main__":
    main()
