"""``python main.py`` on an already-seeded Harbin-scale city, to an interactive window.

    python bench/bench_console_startup.py [--db URL] [--runs 5]

Each run starts the console in a fresh process (offscreen platform, logged in with ``--as``) and
times from spawning it to the moment it reports the window shown, the city loaded and the map
painted (``SANWEI_REPORT_READY=exit``: the console prints a marker after the first full paint of the
loaded map, with its resident memory, and quits). The baseline, timed the same way in the same run,
is the floor for any Qt window on this machine and interpreter: a process that imports PySide6 and
pyqtgraph, shows an empty 1600x1000 main window and paints it once.

Without ``--db`` the Harbin-scale demo city is seeded once into a cache file (about 1.5 minutes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT_S = 4.0
MARKER = "sanwei-console-ready"
CACHE = Path(tempfile.gettempdir()) / "sanwei-bench" / "harbin.db"

BARE_WINDOW = r"""
import sys, time
import pyqtgraph  # noqa: F401 - the console imports it too
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QLabel("x")); w.resize(1600, 1000); w.show()
app.processEvents(); w.repaint()
with open("/proc/self/status") as fh:
    rss = next(int(l.split()[1]) / 1024 for l in fh if l.startswith("VmRSS:"))
print("sanwei-console-ready seconds=0 rss_mb=%.1f" % rss, flush=True)
"""


def harbin_url(url: str | None) -> str:
    """The city to open: the given URL, else the cached Harbin-scale demo city (seeded on first use)."""
    if url:
        return url
    cached = "sqlite:///" + str(CACHE)
    if not CACHE.exists():
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        sys.stderr.write(f"seeding the Harbin-scale demo city into {CACHE} (once)...\n")
        subprocess.run(
            [sys.executable, "main.py", "--db", cached, "seed", "--scale", "harbin"], cwd=REPO, check=True
        )
    return cached


def timed_start(cmd: list[str], cpu: list[float] | None = None) -> tuple[float, float]:
    """Seconds from spawn to the ready marker, and the resident memory (MB) it reported; the process's
    CPU seconds (user + system, start to exit) are appended to ``cpu`` when given."""
    # The demo logins' password (README, "Logging in"): the console logs in as city_commander.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SANWEI_REPORT_READY": "exit", "SANWEI_PASSWORD": "sanwei-demo"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = rss = None
    for line in proc.stdout:
        if line.startswith(MARKER):
            ready = time.perf_counter() - started
            rss = float(line.split("rss_mb=")[1])
            break
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    if ready is None:
        raise SystemExit(f"no ready marker from {' '.join(cmd)}:\n{proc.stderr.read()[-2000:]}")
    return ready, rss


def console_cmd(url: str) -> list[str]:
    return [sys.executable, "main.py", "console", "--db", url, "--as", "city_commander", "--lang", "zh_CN"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="an already-seeded Harbin-scale city (default: the cached demo city)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    url = harbin_url(args.db)
    timed_start(console_cmd(url))  # warm the page cache and the .pyc files, as a second start would be
    console, base, console_cpu, base_cpu = [], [], [], []
    for _ in range(args.runs):
        base.append(timed_start([sys.executable, "-c", BARE_WINDOW], base_cpu)[0])
        console.append(timed_start(console_cmd(url), console_cpu)[0])
    c, b = statistics.median(console), statistics.median(base)
    print(
        f"console start to interactive window (Harbin scale, {args.runs} runs): median {c:.2f} s "
        f"(min {min(console):.2f}, max {max(console):.2f}; limit {LIMIT_S:.0f} s)"
    )
    print(f"baseline, bare PySide6 + pyqtgraph window in the same run: median {b:.2f} s")
    print(f"the console's own share: {c - b:.2f} s")
    print(
        f"CPU time per process (user + system, to exit): console median {statistics.median(console_cpu):.2f} s, "
        f"baseline {statistics.median(base_cpu):.2f} s"
    )
    started = time.perf_counter()
    sum(range(10_000_000))
    print(
        f"machine load probe: {time.perf_counter() - started:.2f} s for a fixed Python loop (about 0.2 s on an idle core)"
    )
    return 0 if c < LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
