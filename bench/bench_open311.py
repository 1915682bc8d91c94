"""The Open311 gateway under load, on a Harbin-scale city in SQLite: ``POST requests.json`` p99 under
50 ms at 100 requests/s, ``GET requests.json`` (50 results) p99 under 30 ms.

    python bench/bench_open311.py [--seconds 20] [--rate 100] [--get-rate 50] [--base FILE.db]

``python main.py open311 serve --db`` runs as its own process; this script is the load, from another
process: requests sent open-loop at a fixed rate over HTTP/1.1 keep-alive connections, each timed from
the moment it was due to its whole answer (a late send counts against the server, not for it). The
sender frames HTTP with h11 over asyncio streams in one process: httpx took 3-4 ms of CPU a request,
which on a two-core machine took a third of a core from the server it measured; this takes about 0.6. POSTs carry one app's key and random points and
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
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import h11  # noqa: E402
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


def load(url: str, rate: float, seconds: float, make, connections: int = 24):
    """Open-loop from one process: request i is due at start + i / rate and goes out at once on a free
    kept-alive connection (h11 frames it over asyncio streams: a fraction of httpx's CPU), timed from
    the moment it was due, so a stall of the server counts in full for every request it delays."""
    host, port = urlsplit(url).hostname, urlsplit(url).port

    async def run():
        free: asyncio.Queue = asyncio.Queue()
        for _ in range(connections):
            reader, writer = await asyncio.open_connection(host, port)
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            free.put_nowait((reader, writer, h11.Connection(h11.CLIENT)))
        times: list[float] = []
        bad = 0
        loop = asyncio.get_running_loop()

        async def one(i: int, due: float) -> None:
            nonlocal bad
            method, path, kw = make(i)
            body = b""
            headers = [("Host", f"{host}:{port}")]
            if "params" in kw:
                path = f"{path}?{urlencode(kw['params'])}"
            if "data" in kw:
                body = urlencode(kw["data"]).encode()
                headers += [
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Content-Length", str(len(body))),
                ]
            reader, writer, conn = await free.get()
            out = conn.send(h11.Request(method=method, target=path, headers=headers))
            if body:
                out += conn.send(h11.Data(data=body))
            out += conn.send(h11.EndOfMessage())
            writer.write(out)
            status, answer = None, b""
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(await reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    answer += event.data
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise SystemExit(f"the gateway closed a connection during request {i}")
            times.append((loop.time() - due) * 1000)
            conn.start_next_cycle()
            free.put_nowait((reader, writer, conn))
            if status not in (200, 201):
                bad += 1
                if bad == 1:
                    print(f"first failure: {status} {answer[:300]!r}", flush=True)

        t0 = loop.time() + 0.2
        tasks = []
        for i in range(int(rate * seconds)):
            due = t0 + i / rate
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        for _ in range(connections):
            free.get_nowait()[1].close()
        return times, bad

    return asyncio.run(run())


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


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        cpu0 = cpu_seconds(proc.pid)
        posts, bad_posts = (load(
            url, args.rate, args.seconds,
            lambda i: ("POST", "/open311/v2/requests.json", {"data": {**report_fields(random.Random(i), points), "api_key": key}}),
        ))  # fmt: skip
        cpu1 = cpu_seconds(proc.pid)
        gets, bad_gets = (load(
            url, args.get_rate, args.seconds,
            lambda i: ("GET", "/open311/v2/requests.json", {"params": GET_FILTERS[i % len(GET_FILTERS)]}),
        ))  # fmt: skip
        cpu2 = cpu_seconds(proc.pid)
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
        f"the gateway's CPU (user + system): {(cpu1 - cpu0) * 1000 / len(posts):.2f} ms a POST, "
        f"{(cpu2 - cpu1) * 1000 / len(gets):.2f} ms a GET"
    )
    print(f"refused or failed: {bad_posts} POSTs, {bad_gets} GETs")
    print(
        f"ratio p99: POST {percentile(posts, 99) / percentile(door, 99):.2f}x the door, "
        f"GET {percentile(gets, 99) / percentile(query, 99):.2f}x the query; targets: POST p99 < 50 ms, GET p99 < 30 ms"
    )
    return 0 if not (bad_posts or bad_gets) else 1


if __name__ == "__main__":
    sys.exit(main())
