"""Full Harbin-scale state to a new district node: 7,030 cells, 1,150 cameras, 108,000 components...

``python main.py center`` serves a Harbin demo city (seeded into a temporary file, or a copy of
``--db``); each run starts ``python main.py district`` on an empty database and times it. Figures:

- ``state``: the district's own measure from its first request to the committed replica (the bulk
  snapshot of docs/protocol.md 7.4 fetched page by page and written to the city tables, so ``stats``
  works on it) -- the target, under 5 s;
- ``start to ready``: from spawning the process (interpreter, imports, schema) to its ``ready`` line.

Baselines in the same run: raw pyzmq PUB/SUB of the same entries as five-frame messages between two
processes (bench/bench_comms_snapshot.py's), and the floor of SQLite itself on this machine: the same
rows inserted with ``executemany`` into empty tables, no network, no decoding.

    python bench/bench_links_snapshot.py [--runs 3] [--no-curve] [--db sqlite:///harbin.db]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
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

from _links import HOST, free_base  # noqa: E402


class Node:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), *args],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: list[dict] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            doc["_at"] = time.monotonic()
            self.events.append(doc)
            if doc.get("event") in ("ready", "failed"):
                self._ready.set()

    def wait_ready(self, timeout: float = 300) -> dict:
        if not self._ready.wait(timeout):
            raise RuntimeError("node not ready")
        ready = [e for e in self.events if e.get("event") in ("ready", "failed")][0]
        if ready["event"] == "failed":
            raise RuntimeError(ready)
        return ready

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(60)


def sqlite_floor(folder: Path, entries) -> float:
    """The same kv rows and component rows inserted into empty tables with executemany."""
    from modes.common.picture import SPEC_BY_NAME
    from nodes.replica_writer import prepare_entries

    path = folder / "floor.db"
    from data.db import open_database

    open_database(f"sqlite:///{path}").dispose()
    prepared = prepare_entries(entries)
    kv = [(e.key, e.seq, e.uuid, e.props_raw, e.body) for e in entries]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=OFF")
    # As the district's load: the WAL is copied back into the file after the commit, off the clock.
    db.execute("PRAGMA wal_autocheckpoint=0")
    assert SPEC_BY_NAME  # the prepared statements name the tables
    start = time.monotonic()
    db.execute("BEGIN")
    db.executemany("INSERT INTO link_replica_entry (key, seq, uuid, props, body) VALUES (?, ?, ?, ?, ?)", kv)
    prepared.run(db)
    db.execute("COMMIT")
    seconds = time.monotonic() - start
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument("--db", help="a Harbin city to copy (default: seed one, ~20 s)")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        centre_db = folder / "centre.db"
        if args.db:
            from data.db import resolve_url

            shutil.copyfile(resolve_url(args.db).split("///", 1)[1], centre_db)
        else:
            from data.db import open_database, session_factory
            from data.demo_city import seed_city

            t = time.monotonic()
            engine = open_database(f"sqlite:///{centre_db}")
            with session_factory(engine)() as s, s.begin():
                seed_city(s, scale="harbin", seed=1)
            engine.dispose()
            print(f"seeded a Harbin city in {time.monotonic() - t:.1f} s")
        keys: list[str] = []
        if not args.no_curve:
            from comms.keys import generate_keys

            generate_keys(folder / "keys", "centre", "centre")
            generate_keys(folder / "keys", "district-230102", "district:230102")
            generate_keys(folder / "keys", "console", "console")
            keys = ["--keys", str(folder / "keys")]
        port = free_base()
        centre = Node("center", "--db", f"sqlite:///{centre_db}", "--bind", f"tcp://{HOST}:{port}", *keys)
        ready = centre.wait_ready()
        print(f"centre ready: {ready['keys']:,} keys (built from its database in {ready['build_seconds']} s)")
        state, whole, stats_ok = [], [], []
        try:
            for run in range(args.runs):
                db = folder / f"district-{run}.db"
                t = time.monotonic()
                district = Node(
                    "district", "230102", "--db", f"sqlite:///{db}", "--center", f"tcp://{HOST}:{port}",
                    "--bind", f"tcp://{HOST}:{free_base()}", *keys,
                )  # fmt: skip
                doc = district.wait_ready()
                whole.append(time.monotonic() - t)
                state.append(doc["initial_seconds"])
                district.stop()
                with sqlite3.connect(db) as conn:
                    comps = conn.execute("SELECT count(*) FROM components").fetchone()[0]
                    cells = conn.execute("SELECT count(*) FROM grid_cells").fetchone()[0]
                stats_ok.append((cells, comps))
            # The same entries for the baselines, fetched as a district would.
            from comms.keys import Security
            from nodes.client import LinkClient
            from nodes.state_commands import fetch_bulk

            security = Security.from_dir(folder / "keys", "console") if keys else None
            with LinkClient(f"tcp://{HOST}:{port}", security) as link:
                _, entries, _ = fetch_bulk(link)
        finally:
            centre.stop()
        floor = sqlite_floor(folder, entries)
    import bench_comms_snapshot

    raw = bench_comms_snapshot.baseline(entries, free_base())
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    curve = "CURVE off" if args.no_curve else "CURVE on"
    cells, comps = stats_ok[-1]
    print(
        f"new district, full state ({curve}; {len(entries):,} keys -> {cells:,} cells, {comps:,} components in its "
        f"database): median {statistics.median(state):.2f} s, runs {', '.join(f'{x:.2f}' for x in state)}  "
        "(target < 5 s)"
    )
    print(
        f"  start to ready (process start, imports, schema, state, serving): median {statistics.median(whole):.2f} s,"
        f" runs {', '.join(f'{x:.2f}' for x in whole)}"
    )
    print(
        f"baseline raw pyzmq PUB/SUB of the same {len(entries):,} entries between two processes: {raw:.2f} s"
    )
    print(f"floor: SQLite executemany of the same rows into empty tables on this machine: {floor:.2f} s")


if __name__ == "__main__":
    main()
