"""Update fan-out through the real nodes: centre commit -> applied in the databases of 7 district nodes.

A ``CentreNode`` runs in this process on a small demo city; a writer commits component status changes
(with their journal events) at 2,000 updates/s, in batches of ``--batch`` per transaction, and wakes
the journal follower after each commit, as the centre's command handler does. Seven ``DistrictNode``s
run in their own processes (CURVE on), each applying what it receives to its own SQLite database.
Latency is from the centre's commit returning to the district's replica commit that holds the update
(wall clocks of one machine). Baseline in the same run: raw pyzmq PUB to 7 SUB processes, same rate
and payload size (bench/bench_comms_fanout.py's). Target: p99 under 50 ms.

    python bench/bench_links_fanout.py [--seconds 10] [--rate 2000] [--batch 100] [--no-curve]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from _links import HOST, free_base, percentiles  # noqa: E402

DISTRICTS = ["230102", "230103", "230104", "230108", "230109", "230110", "230111"]


def _district(
    index: int, centre: str, keys: str | None, folder: str, q: mp.Queue, stop: mp.Event, expected: mp.Value
) -> None:
    logging.basicConfig(level=logging.WARNING)
    from comms.keys import Security
    from modes.common.clock import SystemClock
    from modes.common.command_bus import CommandBus, register_common
    from nodes.district import DistrictNode
    from nodes.logs import NodeLog
    from nodes.serve import settle_garbage_collector

    code = DISTRICTS[index]
    applied: list[tuple[int, float]] = []

    def on_applied(entries) -> None:
        # Runs in the node's thread, on the clock: the batch number is read straight from the body
        # (a short msgpack string "bench:<n>", its length in the byte before it) instead of decoding
        # every body a second time, so the measure costs the node little.
        t = time.time()
        for e in entries:
            at = e.body.find(b"bench:") if e.key.startswith("/component/") else -1
            if at > 0 and 0xA0 <= e.body[at - 1] <= 0xBF:
                applied.append((int(e.body[at + 6 : at + e.body[at - 1] - 0xA0]), t))

    bus = CommandBus()
    register_common(bus)
    node = DistrictNode(
        code,
        f"sqlite:///{folder}/district-{code}.db",
        centre,
        f"tcp://{HOST}:{free_base()}",
        bus=bus,
        clock=SystemClock(),
        security=Security.from_dir(keys, f"district-{code}") if keys else None,
        log=NodeLog(code),
        on_applied=on_applied,
    ).start()
    settle_garbage_collector()  # as ``serve`` does for a node run by main.py
    q.put(("ready", index))
    cpu = time.process_time()
    stop.wait()
    # The last batches are still on their way: wait for them (a loaded machine may take a while), so
    # a late delivery counts in the percentiles instead of going missing.
    deadline = time.monotonic() + 60
    while len(applied) < expected.value and time.monotonic() < deadline:
        time.sleep(0.05)
    cpu = time.process_time() - cpu
    node.stop(drain=0)
    q.put(("done", applied, cpu))


def run_nodes(args: argparse.Namespace, folder: str) -> tuple[list[float], int, float]:
    import sqlalchemy as sa

    from comms.keys import Security, generate_keys
    from data import journal
    from data.db import open_database, session_factory
    from data.demo_city import seed_city
    from data.models import Component
    from modes.common.clock import SystemClock
    from modes.common.command_bus import CommandBus, register_common
    from nodes.centre import CentreNode
    from nodes.logs import NodeLog
    from nodes.serve import settle_garbage_collector

    url = f"sqlite:///{folder}/centre.db"
    engine = open_database(url)
    sf = session_factory(engine)
    with sf() as s, s.begin():
        seed_city(s, scale="small", seed=1)
        components = list(s.scalars(sa.select(Component.id).order_by(Component.id)))
    keys = None
    if not args.no_curve:
        keys = f"{folder}/keys"
        generate_keys(keys, "centre", "centre")
        for code in DISTRICTS:
            generate_keys(keys, f"district-{code}", f"district:{code}")
    bus = CommandBus()
    register_common(bus)
    endpoint = f"tcp://{HOST}:{free_base()}"
    centre = CentreNode(
        url,
        endpoint,
        bus=bus,
        clock=SystemClock(),
        security=Security.from_dir(keys, "centre") if keys else None,
        log=NodeLog("centre"),
    ).start()
    spawn = mp.get_context("spawn")
    q = spawn.Queue()
    stop = spawn.Event()
    expected = spawn.Value("i", 0)
    procs = [
        spawn.Process(target=_district, args=(i, endpoint, keys, folder, q, stop, expected))
        for i in range(args.districts)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        assert q.get(timeout=180)[0] == "ready"
    settle_garbage_collector()
    time.sleep(1.0)

    committed: dict[int, float] = {}
    centre_cpu = time.process_time()
    update = (
        sa.update(Component.__table__)
        .where(Component.__table__.c.id == sa.bindparam("b_id"))
        .values(state=sa.bindparam("b_state"), note=sa.bindparam("b_note"))
    )
    per_second = args.rate / args.batch
    total_batches = int(args.seconds * per_second)
    start = time.monotonic()
    n = 0
    for batch in range(total_batches):
        delay = start + batch / per_second - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        ids = [components[(n + i) % len(components)] for i in range(args.batch)]
        n += args.batch
        state = "damaged" if (n // len(components)) % 2 == 0 else "intact"
        now = dt.datetime.now()
        with sf() as s, s.begin():
            s.execute(update, [{"b_id": c, "b_state": state, "b_note": f"bench:{batch}"} for c in ids])
            journal.append_many(
                s,
                [
                    journal.NewEvent("asset.status", "bench", now, f"component/{c}", {"to": state}, c[:6])
                    for c in ids
                ],
            )
        committed[batch] = time.time()
        centre.follower.wake()
    elapsed = time.monotonic() - start
    expected.value = total_batches * args.batch
    stop.set()
    results = [q.get(timeout=120) for _ in procs]
    # The centre's share: the writer's commits, the journal follower, the state server's publishing.
    centre_cpu = time.process_time() - centre_cpu
    for p in procs:
        p.join(30)
    centre.stop()
    engine.dispose()
    latencies = [max(0.0, (t - committed[b]) * 1000) for _, applied, _ in results for b, t in applied]
    updates = total_batches * args.batch
    cpu = sum(c for _, _, c in results) / len(results)
    # CPU time per update does not depend on how busy the machine is; the latencies do.
    print(
        f"CPU per 1,000 updates: centre process (writer included) {centre_cpu / updates * 1e6:.0f} ms, "
        f"each district node {cpu / updates * 1e6:.0f} ms"
    )
    return latencies, updates, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--batch", type=int, default=100, help="updates per centre transaction")
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument("--districts", type=int, default=len(DISTRICTS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        ours, updates, elapsed = run_nodes(args, folder)
    import bench_comms_fanout

    raw = bench_comms_fanout.run_raw(free_base(), args.rate, args.seconds)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    curve = "CURVE off" if args.no_curve else "CURVE on"
    expected = updates * args.districts
    p50, p99, worst = percentiles(ours)
    print(
        f"nodes fan-out ({curve}), centre commit -> committed in {args.districts} district databases: {updates:,} updates in "
        f"{elapsed:.1f} s ({updates / elapsed:,.0f}/s, {args.batch} per transaction), {len(ours):,} of {expected:,} "
        f"deliveries seen: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms  (target p99 < 50 ms)"
    )
    p50, p99, worst = percentiles(raw)
    print(
        f"baseline raw pyzmq PUB/SUB to 7 processes, same rate: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
    )


if __name__ == "__main__":
    main()
