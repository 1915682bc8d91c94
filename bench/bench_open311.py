"""The Open311 gateway under load, on a Harbin-scale city in SQLite: ``POST requests.json`` p99 under
50 ms at 100 requests/s, ``GET requests.json`` (50 results) p99 under 30 ms.

    python bench/bench_open311.py [--seconds 20] [--rate 100] [--get-rate 50] [--base FILE.db]

``python main.py open311 serve --db`` runs as its own process; this script is the load, from another
process: requests sent open-loop at a fixed rate over HTTP/1.1 keep-alive connections (httpx, four sending processes of four threads each), each
timed from the moment it is sent to its whole answer. POSTs carry one app's key and random points and
services across the city; GETs ask 50 results, in turn without a filter, ``status=open`` and one
service code.

Baselines, same run, same database, no HTTP: the same ``open311.report`` through a local door in this
process (what the gateway adds is HTTP, the key check and the hop to its writer thread), and the same
queries as ``find_requests`` called directly.

The city is copied from ``--base`` (seeded at Harbin scale the first time and kept, as for
bench_report.py), with a few days of generated history so the requests table is realistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.bench_history import calibrate, seeded_base  # noqa: E402
from bench.bench_report import percentile  # noqa: E402
from data.city import city_crs  # noqa: E402
from data.db import open_database, session_factory  # noqa: E402
from data.geometry import WGS84, transformer  # noqa: E402
from data.models import Case, GridCell  # noqa: E402
from modes.bus import city_bus  # noqa: E402
from modes.common import app_keys  # noqa: E402
from modes.common.clock import FixedClock  # noqa: E402
from modes.common.command_bus import call_local  # noqa: E402
from modes.common.door import LocalDoor  # noqa: E402
from modes.everyday import open311  # noqa: E402
from modes.everyday.history import generate_history  # noqa: E402

START = dt.datetime(2026, 3, 2, 8, 0)
SERVICES = ("event-06010", "event-06036", "event-09005", "event-09009", "event-06013", "event-07001")
GET_FILTERS = ({"page_size": "50"}, {"page_size": "50", "status": "open"},
               {"page_size": "50", "service_code": "event-06010"})  # fmt: skip


def report_fields(rnd: random.Random, points: list[tuple[float, float]]) -> dict[str, str]:
    """A report at a random point of the city (``rnd`` seeded per request: the same run, the same load)."""
    lon, lat = rnd.choice(points)
    return {"service_code": rnd.choice(SERVICES), "lat": f"{lat + rnd.uniform(-2e-4, 2e-4):.6f}",
            "long": f"{lon + rnd.uniform(-2e-4, 2e-4):.6f}", "description": "bench report"}  # fmt: skip


def door_baseline(Session, key: str, points, n: int, rnd: random.Random) -> list[float]:
    clock = FixedClock(START)
    services: dict = {}
    with Session() as s:
        person = app_keys.app_actor(s, key)
    times = []
    for i in range(n + 20):
        fields = report_fields(rnd, points)
        t = time.perf_counter()
        with Session() as s:  # the key check, as the gateway makes it
            app_keys.app_actor(s, key)
        LocalDoor(city_bus(), Session, clock, person, services=services).execute("open311.report", fields)
        if i >= 20:  # the first ones warm the door's caches
            times.append((time.perf_counter() - t) * 1000)
    return times


def query_baseline(Session, n: int) -> list[float]:
    with Session() as s:
        catalogue = open311.load_catalogue(s)
    times = []
    for i in range(n + 10):
        flt = open311.parse_filter(GET_FILTERS[i % len(GET_FILTERS)])
        t = time.perf_counter()
        with Session() as s:
            rows = open311.find_requests(s, START, flt, "zh", catalogue)
        if i >= 10:
            times.append((time.perf_counter() - t) * 1000)
        assert len(rows) == 50
    return times


_MAKE = None  # the request maker of the running load, inherited by the forked senders


def _send_part(url: str, rate: float, seconds: float, first: int, step: int, t0: float, workers: int):
    """One sending process: requests first, first + step, ... each at t0 + i / rate (wall clock)."""
    times: list[float] = []
    bad = late = 0
    local = threading.local()
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal bad
        client = getattr(local, "client", None)
        if client is None:
            # TCP_NODELAY, as curl and browsers set it: httpx writes a POST's headers and body apart.
            transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
            client = local.client = httpx.Client(base_url=url, timeout=30, transport=transport)
        method, path, kw = _MAKE(i)
        t = time.perf_counter()
        r = client.request(method, path, **kw)
        elapsed = (time.perf_counter() - t) * 1000
        with lock:
            times.append(elapsed)
            if r.status_code not in (200, 201):
                bad += 1
                if bad == 1:
                    print(f"first failure: {r.status_code} {r.text[:300]}", flush=True)

    with ThreadPoolExecutor(workers) as pool:
        futures = []
        for i in range(first, int(rate * seconds), step):
            wait = t0 + i / rate - time.time()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.005:
                late += 1
            futures.append(pool.submit(one, i))
        for f in futures:
            f.result()
    return times, bad, late


def load(
    url: str, rate: float, seconds: float, make, procs: int = 4, workers: int = 4
) -> tuple[list[float], int, int]:
    """Open-loop: request i is sent at start + i / rate, whatever the answers before it did, by ``procs``
    processes of ``workers`` threads, each thread with its own keep-alive connection (httpx), so that
    no sender's interpreter lock delays the others; each request is timed from its sending."""
    global _MAKE
    _MAKE = make
    t0 = time.time() + 0.5
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs) as pool:
        parts = pool.starmap(_send_part, [(url, rate, seconds, k, procs, t0, workers) for k in range(procs)])
    return [t for p in parts for t in p[0]], sum(p[1] for p in parts), sum(p[2] for p in parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "open311", "serve", "--db", db, "--bind", f"127.0.0.1:{port}",
         "--key-rate", "10000", "--key-burst", "10000", "--read-rate", "0"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=REPO,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if '"ready"' in line:
            return proc, json.loads(line)["url"].removesuffix("/open311/v2/")
    raise SystemExit(f"the gateway did not start (exit {proc.wait()})")


def line(label: str, t: list[float]) -> str:
    return (f"{label:<46} n={len(t):>5}  p50 {percentile(t, 50):7.2f} ms  p95 {percentile(t, 95):7.2f} ms  "
            f"p99 {percentile(t, 99):7.2f} ms  max {max(t):7.2f} ms")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=float, default=100.0, help="POSTs a second")
    ap.add_argument("--get-rate", type=float, default=50.0, help="GETs a second")
    ap.add_argument("--baseline", type=int, default=300, help="calls of each baseline")
    ap.add_argument("--history-days", type=int, default=3)
    ap.add_argument("--base", default=str(Path(tempfile.gettempdir()) / "sanwei_bench_harbin.db"))
    args = ap.parse_args()
    print(f"calibration: a 10M-iteration Python loop took {calibrate():.2f} s; load {os.getloadavg()[0]:.1f}")
    tmp = tempfile.TemporaryDirectory()
    seeded_base(Path(args.base))
    target = Path(tmp.name) / "open311.db"
    shutil.copyfile(args.base, target)
    db = f"sqlite:///{target}"
    engine = open_database(db)
    Session = session_factory(engine)
    with Session() as s, s.begin():
        generate_history(s, days=args.history_days, seed=2, end=START.date() - dt.timedelta(days=1))
    clock = FixedClock(START)
    key = call_local(city_bus(), Session, clock, "open311.key_new", {"app": "bench"})["api_key"]
    with Session() as s:
        to_wgs = transformer(city_crs(s), WGS84)
        points = [
            to_wgs.transform(p.x, p.y)
            for p in (g.representative_point() for g in s.scalars(select(GridCell.geometry)))
        ]
        cases = s.scalar(select(func.count()).select_from(Case))
    rnd = random.Random(7)
    door = door_baseline(Session, key, points, args.baseline, rnd)
    query = query_baseline(Session, args.baseline)
    engine.dispose()

    env = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_CLOCK=START.isoformat())
    proc, url = start_server(db, env)
    try:
        warm = load(url, 20, 1, lambda i: ("GET", "/open311/v2/requests.json", {"params": GET_FILTERS[0]}))
        assert warm[1] == 0
        # The first reports build what the write path keeps (transformers, compiled statements).
        warm = load(url, 20, 2, lambda i: ("POST", "/open311/v2/requests.json",
                                           {"data": {**report_fields(random.Random(i), points), "api_key": key}}))  # fmt: skip
        assert warm[1] == 0
        posts, bad_posts, late_posts = (load(
            url, args.rate, args.seconds,
            lambda i: ("POST", "/open311/v2/requests.json", {"data": {**report_fields(random.Random(i), points), "api_key": key}}),
        ))  # fmt: skip
        gets, bad_gets, late_gets = (load(
            url, args.get_rate, args.seconds,
            lambda i: ("GET", "/open311/v2/requests.json", {"params": GET_FILTERS[i % len(GET_FILTERS)]}),
        ))  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(20)
        tmp.cleanup()
    print(f"Harbin-scale city, {len(points):,} cells, {cases:,} cases before the run; SQLite (WAL)")
    print(line(f"figure: POST requests.json at {args.rate:g}/s over HTTP", posts))
    print(line("baseline: open311.report through a local door", door))
    print(line(f"figure: GET requests.json (50) at {args.get_rate:g}/s", gets))
    print(line("baseline: find_requests (50) without HTTP", query))
    print(
        f"refused or failed: {bad_posts} POSTs, {bad_gets} GETs; sent more than 5 ms late: {late_posts} / {late_gets}"
    )
    print(
        f"ratio p99: POST {percentile(posts, 99) / percentile(door, 99):.2f}x the door, "
        f"GET {percentile(gets, 99) / percentile(query, 99):.2f}x the query; targets: POST p99 < 50 ms, GET p99 < 30 ms"
    )
    return 0 if not (bad_posts or bad_gets) else 1


if __name__ == "__main__":
    sys.exit(main())
