"""Resident memory of the console with the Harbin-scale city open.

    python bench/bench_console_memory.py [--db URL]

The console runs in its own process (offscreen), logged in, with the city loaded and painted; it
reports its resident set size (VmRSS) once the map is painted and again after the choropleth raster
is built and the map was repainted at street level with every layer on (components as symbols,
camera wedges). The baseline, measured the same way in the same run, is a bare PySide6 + pyqtgraph
window: what any Qt window costs here before it holds a city.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_console_startup import BARE_WINDOW, REPO, harbin_url, timed_start  # noqa: E402

LIMIT_MB = 700.0

STEADY = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication
from console.dto import Login
from console.i18n import install_translations
from console.main_window import MainWindow
from console.services import ConsoleServices
from console.theme import apply_theme
from data.db import open_database, session_factory
from modes.common.clock import SystemClock

def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) / 1024 for l in fh if l.startswith("VmRSS:"))

app = QApplication([])
keep = install_translations(app, "zh_CN")
apply_theme(app)
engine = open_database(sys.argv[2])
window = MainWindow(ConsoleServices(session_factory(engine), SystemClock(), Login("bench", "commander")))
window.resize(1600, 1000)
window.show()
ready = []
window.map.cell_raster_ready.connect(lambda: ready.append(True))
window.start()
deadline = time.perf_counter() + 120
while not ready and time.perf_counter() < deadline:
    app.processEvents()
m = window.map
for key in m._layer_on:
    m.set_layer_visible(key, True)
x0, y0, x1, y1 = window.snapshot.bounds
m.set_view_rect(QRectF((x0 + x1) / 2 - 500, (y0 + y1) / 2 - 300, 1000, 600))
for _ in range(5):
    app.processEvents()
    m.view.viewport().repaint()
m.show_whole_city()
app.processEvents()
m.view.viewport().repaint()
print("steady_rss_mb=%.1f" % rss(), flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="an already-seeded Harbin-scale city (default: the cached demo city)")
    args = parser.parse_args(argv)
    url = harbin_url(args.db)
    _, at_ready = timed_start([sys.executable, "main.py", "console", "--db", url, "--as", "city_commander"])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", STEADY, str(REPO), url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    steady = next(
        (float(line.split("=")[1]) for line in done.stdout.splitlines() if line.startswith("steady_rss_mb=")),
        None,
    )
    if steady is None:
        raise SystemExit(f"the steady-state probe failed:\n{done.stderr[-2000:]}")
    _, bare = timed_start([sys.executable, "-c", BARE_WINDOW])
    print(
        f"console, Harbin city loaded and painted (python main.py): {at_ready:.0f} MB resident (limit {LIMIT_MB:.0f} MB)"
    )
    print(
        f"console, after the raster and a street-level repaint with every layer on: {steady:.0f} MB resident"
    )
    print(f"baseline, bare PySide6 + pyqtgraph window in the same run: {bare:.0f} MB resident")
    started = time.perf_counter()
    sum(range(10_000_000))
    print(
        f"machine load probe: {time.perf_counter() - started:.2f} s for a fixed Python loop (about 0.2 s on an idle core)"
    )
    return 0 if max(at_ready, steady) < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
