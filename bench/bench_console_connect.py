"""``python main.py console --connect`` on a centre node serving the Harbin-scale city, to an interactive
window.

    python bench/bench_console_connect.py [--db URL] [--runs 3]

A centre node (no CURVE: the handshake costs milliseconds, not what is measured here) serves the city;
each run starts a console in a fresh process and times it from spawning to the window shown with the
city loaded and the map painted (the ``SANWEI_REPORT_READY=exit`` marker, as
``bench_console_startup.py``). Three figures:

- first attach: an empty cache, so the console loads the node's whole map (``state.bulk``) into its
  replica before the window opens;
- later attaches: the replica is kept, the console catches up from its sequence (a replay of nothing);
- baseline in the same run: the local console opening the same city file (``--db``).

Without ``--db`` the Harbin-scale demo city is seeded once into a cache file (about 1.5 minutes).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_console_startup import REPO, harbin_url, timed_start  # noqa: E402


def free_base() -> int:
    for _ in range(500):
        port = random.randrange(20000, 60000, 4)
        try:
            for i in range(4):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + i))
        except OSError:
            continue
        return port
    raise SystemExit("no four consecutive free ports")


def wait_ready(proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    for line in proc.stderr:
        if '"event": "ready"' in line:
            # Keep reading its log, or the node blocks once the pipe is full.
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return
        if time.monotonic() > deadline:
            break
    raise SystemExit("the centre did not come up")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="an already-seeded Harbin-scale city (default: the cached demo city)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    url = harbin_url(args.db)
    endpoint = f"tcp://127.0.0.1:{free_base()}"
    cache = Path(tempfile.mkdtemp(prefix="sanwei-connect-bench-"))
    centre = subprocess.Popen(
        [sys.executable, "main.py", "center", "--db", url, "--bind", endpoint],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_ready(centre)
        local = [sys.executable, "main.py", "console", "--db", url, "--as", "city_commander", "--lang", "zh_CN"]
        connected = [sys.executable, "main.py", "console", "--connect", endpoint, "--as", "city_commander",
                     "--lang", "zh_CN"]  # fmt: skip
        os.environ["XDG_CACHE_HOME"] = str(cache)
        timed_start(local)  # warm the page cache and the .pyc files, as a second start would be
        first, first_rss = timed_start(connected)
        later, base = [], []
        for _ in range(args.runs):
            base.append(timed_start(local)[0])
            later.append(timed_start(connected)[0])
        replica = next((cache / "sanwei" / "links").glob("*.db"))
        b, c = statistics.median(base), statistics.median(later)
        print(
            f"first attach (bulk load of the node's map into an empty replica): {first:.2f} s, {first_rss:.0f} MB"
        )
        print(
            f"later attaches (replica kept, catch-up from its sequence), {args.runs} runs: median {c:.2f} s "
            f"(min {min(later):.2f}, max {max(later):.2f})"
        )
        print(f"baseline, the local console on the same city file in the same run: median {b:.2f} s")
        print(f"ratios to the baseline: first {first / b:.2f}x, later {c / b:.2f}x")
        print(f"replica file: {replica.stat().st_size / 2**20:.0f} MiB")
        started = time.perf_counter()
        sum(range(10_000_000))
        print(
            f"machine load probe: {time.perf_counter() - started:.2f} s for a fixed Python loop "
            "(about 0.2 s on an idle core)"
        )
    finally:
        centre.terminate()
        centre.wait(30)
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
