"""Alarm issued -> acknowledged by all 7 district nodes, on loopback (issue #6's target: p99 < 200 ms).

Real processes, CURVE on: ``python main.py center`` and seven ``python main.py district CODE`` nodes on a
small demo city with seven districts (the small city's three plus four more district rows: an alarm
needs only the district, and the path it measures does not depend on the size of the map). A console
of the centre issues ``alarm.issue`` (all districts) and follows ``/alarm/`` on the centre's state
channel; an alarm counts as done when the centre has published all seven deliveries acknowledged, so
each latency covers: command -> centre commit -> journal follower -> publish -> seven district replicas
-> each district's watcher queues ``alarm.ack`` in its persisted outbox -> seven commits at the centre
-> republished. Alarms are issued one after another.

Baseline in the same run: a raw pyzmq round trip to 7 peers (a ROUTER sends one small message to seven
DEALER peers in another process, each answers at once; time until the seventh answer).

    python bench/bench_links_alarm.py [--alarms 200] [--no-curve]
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

SMALL_CITY = ("230102", "230103", "230109")
MORE = (("230104", "道外区", "Daowai"), ("230108", "平房区", "Pingfang"), ("230110", "香坊区", "Xiangfang"),
        ("230111", "呼兰区", "Hulan"))  # fmt: skip
DISTRICTS = SMALL_CITY + tuple(code for code, _, _ in MORE)


def start(args: list[str], name: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        if '"event": "ready"' in line:
            break
    else:
        raise RuntimeError(f"{name} exited {proc.wait()}")

    def drain() -> None:
        for line in proc.stderr:
            if '"level": "error"' in line:
                sys.stderr.write(f"{name}: {line[:400]}\n")

    threading.Thread(target=drain, daemon=True).start()
    return proc


def city(folder: str) -> None:
    from data.db import open_database, session_factory
    from data.demo import seed_demo
    from data.models import District

    engine = open_database(f"sqlite:///{folder}/centre.db")
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=1)
        s.add_all(District(code=code, name=name, name_en=en) for code, name, en in MORE)
    engine.dispose()


def run_nodes(args: argparse.Namespace, folder: str) -> tuple[list[float], int]:
    from comms.keys import Security, generate_keys
    from modes.common.picture import unpack
    from nodes.client import LinkClient

    city(folder)
    keys = None
    if not args.no_curve:
        keys = f"{folder}/keys"
        generate_keys(keys, "centre", "centre")
        generate_keys(keys, "console", "console")
        for code in DISTRICTS:
            generate_keys(keys, f"district-{code}", f"district:{code}")
    key_args = ["--keys", keys] if keys else []
    centre_ep = f"tcp://{HOST}:{free_base()}"
    procs = [
        start(["center", "--db", f"sqlite:///{folder}/centre.db", "--bind", centre_ep, *key_args], "centre")
    ]
    acked: dict[int, set[str]] = {}
    done: dict[int, float] = {}
    cond = threading.Condition()

    def on_update(entry) -> None:
        if not entry.body:
            return
        doc = unpack(entry.body)
        if not doc.get("acknowledged_at"):
            return
        now = time.perf_counter()
        with cond:
            got = acked.setdefault(doc["alarm_id"], set())
            got.add(doc["district"])
            if len(got) == len(DISTRICTS) and doc["alarm_id"] not in done:
                done[doc["alarm_id"]] = now
                cond.notify_all()

    try:
        for code in DISTRICTS:
            procs.append(
                start(
                    [
                        "district",
                        code,
                        "--db",
                        f"sqlite:///{folder}/district-{code}.db",
                        "--center",
                        centre_ep,
                        "--bind",
                        f"tcp://{HOST}:{free_base()}",
                        *key_args,
                    ],
                    f"district-{code}",
                )  # fmt: skip
            )
        security = Security.from_dir(keys, "console") if keys else None
        with LinkClient(centre_ep, security) as console:
            # The officer signs in at the centre (the demo password); alarms carry the session.
            signed = console.sign_in("city_civil_defence", "sanwei-demo")
            assert signed["ok"], signed
            sub = console.subscribe("/alarm/", on_update=on_update)
            sub.wait_synced(30)
            # Every district's command link up before timing (a district reports it on its status key).
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                districts = console.call("link.status")["districts"]
                if all(districts.get(c, {}).get("commands_up") for c in DISTRICTS):
                    break
                time.sleep(0.2)
            latencies: list[float] = []
            late = 0
            for n in range(args.alarms + args.warmup):
                t0 = time.perf_counter()
                board = console.call("alarm.issue", {"kind": ("pre", "raid", "clear")[n % 3],
                                                     "exercise": True})  # fmt: skip
                alarm_id = board["alarm_id"]
                with cond:
                    if not cond.wait_for(lambda a=alarm_id: a in done, timeout=30):
                        late += 1
                        continue
                if n >= args.warmup:
                    latencies.append((done[alarm_id] - t0) * 1000)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(30)
    return latencies, late


PEER = r"""
import sys, threading, zmq
ctx = zmq.Context()
def peer(name):
    s = ctx.socket(zmq.DEALER); s.identity = name.encode(); s.connect(sys.argv[1])
    s.send(b"HELLO")
    while True:
        msg = s.recv()
        if msg == b"BYE":
            break
        s.send(msg)
    s.close(0)
threads = [threading.Thread(target=peer, args=(f"p{i}",)) for i in range(7)]
[t.start() for t in threads]; [t.join() for t in threads]
"""


def run_raw(count: int) -> list[float]:
    """Round trip to 7 peers with plain pyzmq: ROUTER here, seven DEALERs in another process."""
    import zmq

    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port(f"tcp://{HOST}")
    proc = subprocess.Popen([sys.executable, "-c", PEER, f"tcp://{HOST}:{port}"])
    peers = []
    while len(peers) < 7:
        ident, _ = router.recv_multipart()
        peers.append(ident)
    out = []
    payload = b"x" * 200  # about the size of an alarm key's body
    for _ in range(count):
        t0 = time.perf_counter()
        for ident in peers:
            router.send_multipart([ident, payload])
        for _ in peers:
            router.recv_multipart()
        out.append((time.perf_counter() - t0) * 1000)
    for ident in peers:
        router.send_multipart([ident, b"BYE"])
    proc.wait(10)
    router.close(0)
    ctx.term()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alarms", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-curve", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        ours, late = run_nodes(args, folder)
    raw = run_raw(len(ours))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    curve = "CURVE off" if args.no_curve else "CURVE on"
    p50, p99, worst = percentiles(ours)
    print(
        f"alarm issued -> acknowledged by all {len(DISTRICTS)} district nodes ({curve}), {len(ours)} alarms: "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms  (target p99 < 200 ms)"
        + (f"; {late} not complete within 30 s" if late else "")
    )
    r50, r99, rworst = percentiles(raw)
    print(
        f"baseline raw pyzmq round trip to 7 peers: p50 {r50:.2f} ms, p99 {r99:.2f} ms, max {rworst:.2f} ms"
    )
    print(f"ratio p99 ours / raw: {p99 / r99:.0f}x")


if __name__ == "__main__":
    main()
