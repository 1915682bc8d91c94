"""Full repaint of the map with all layers on, at 1600x1000 offscreen, Harbin scale.

    python bench/bench_console_repaint.py [--db URL] [--frames 40] [--cases 20000]

The console's map (``console.map.MapPanel`` inside the main window, every layer switched on) is
repainted frame after frame while the view pans by a pixel each time, so every frame redraws
everything under a new transform (nothing cached by position). Three views:

- city: the whole city, as the console opens (levels of detail apply: components as a density raster,
  no fields of view, no community lines);
- district: about 3 km across (components still as density: ~11,000 would be in view);
- street: about 1 km across, where component symbols, camera wedges and community lines show;
- worst: the whole city with every level-of-detail rule off (108,000 component symbols, all 1,150
  wedges, all community lines).

"All layers" includes the live cases layer with ``--cases`` open cases (20,000 by default): the
open cases read from the database (the read is timed too), topped up with synthetic ones at random
cells (fixed seed; every state group, 15 % overdue, 2 % urgent) so the figure does not depend on how
much history the city holds.

The baseline, timed the same way in the same run and view: the 7,030 cells as one graphics item
each (a ``QGraphicsPathItem`` with its outline and choropleth brush), nothing else.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

LIMIT_MS = 50.0


def load_probe() -> float:
    """Seconds for a fixed pure-Python loop: other work on the machine slows every figure alike."""
    started = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - started


def frame_times(window_map, frames: int) -> list[float]:
    from PySide6.QtCore import QRectF

    view = window_map.view.viewport()
    rect = window_map.view_rect()
    m_per_px = window_map.metres_per_pixel()
    times = []
    for i in range(frames + 3):
        dx = (i % 2) * m_per_px  # one pixel right, then back
        window_map.set_view_rect(QRectF(rect.x() + dx, rect.y(), rect.width(), rect.height()))
        started = time.perf_counter()
        view.repaint()
        if i >= 3:  # the first frames build caches (atlases, glyphs)
            times.append((time.perf_counter() - started) * 1000)
    return times


def with_synthetic_cases(stored, snap, n: int):
    """``stored`` (the database's open cases) topped up to ``n`` with synthetic open cases."""
    import numpy as np

    from console.map.case_layer import CASE_CLASSES
    from modes.everyday.case_map import OpenCases

    extra = max(n - len(stored), 0)
    rng = np.random.default_rng(7)
    cell = rng.integers(0, len(snap.cells.codes), extra)
    jitter = rng.uniform(-30.0, 30.0, (2, extra))
    x, y = snap.to_city(snap.cells.centroid_x[cell] + jitter[0], snap.cells.centroid_y[cell] + jitter[1])
    states = tuple(sorted(set(stored.states) | {s for _, _, group in CASE_CLASSES for s in group}))
    remap = np.array([states.index(s) for s in stored.states], dtype=np.int16)
    overdue = np.concatenate([stored.overdue, rng.random(extra) < 0.15])
    order = np.argsort(overdue, kind="stable")  # overdue drawn last, as the service orders them
    types = stored.type_keys or ("event:bench",)
    return OpenCases(
        ids=np.concatenate([stored.ids, 10**12 + np.arange(extra)])[order],
        x=np.concatenate([stored.x, x])[order],
        y=np.concatenate([stored.y, y])[order],
        state_idx=np.concatenate([remap[stored.state_idx], rng.integers(0, len(states), extra)]).astype(
            np.int16
        )[order],
        type_idx=np.concatenate([stored.type_idx, rng.integers(0, len(types), extra)]).astype(np.int32)[
            order
        ],
        urgent=np.concatenate([stored.urgent, rng.random(extra) < 0.02])[order],
        overdue=overdue[order],
        states=states,
        type_keys=types,
        type_names=stored.type_names or ("bench",),
        at=stored.at,
        journal_seq=stored.journal_seq,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="an already-seeded Harbin-scale city (default: the cached demo city)")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--cases", type=int, default=20_000, help="open cases on the map (default 20,000)")
    args = parser.parse_args(argv)

    from bench_console_startup import harbin_url
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QBrush, QColor
    from PySide6.QtWidgets import QApplication, QGraphicsPathItem

    import console.map.map_panel as map_panel
    from console.dto import Login
    from console.i18n import install_translations
    from console.main_window import MainWindow
    from console.map.layers import cosmetic_pen, rings_path
    from console.services import ConsoleServices
    from console.theme import apply_theme
    from data.db import open_database, session_factory
    from modes.common.clock import SystemClock

    app = QApplication.instance() or QApplication([])
    keep = install_translations(app, "zh_CN")  # noqa: F841 - the translators must stay alive
    apply_theme(app)
    engine = open_database(harbin_url(args.db))
    services = ConsoleServices(session_factory(engine), SystemClock(), Login("bench", "commander"))
    window = MainWindow(services)
    window.resize(1600, 1000)
    window.show()
    ready = []
    window.map.cell_raster_ready.connect(lambda: ready.append(True))  # the steady state: raster built
    window.start()
    deadline = time.perf_counter() + 120
    while not ready and time.perf_counter() < deadline:
        app.processEvents()
    while window.case_layer.cases is None and time.perf_counter() < deadline:
        app.processEvents()
    window.watcher.stop()
    window.case_layer.stop()  # the synthetic cases below must stay drawn
    m = window.map
    started = time.perf_counter()
    stored = window.case_layer.services.open_cases()
    read_ms = (time.perf_counter() - started) * 1000
    cases = with_synthetic_cases(stored, window.snapshot, args.cases)
    m.case_layer.set_mode_active(True)
    started = time.perf_counter()
    m.set_cases(cases)  # what a refresh costs the GUI thread
    set_ms = (time.perf_counter() - started) * 1000
    for key in m._layer_on:
        m.set_layer_visible(key, True)
    snap = window.snapshot
    print(
        f"map {m.view.viewport().width()}x{m.view.viewport().height()} px in a 1600x1000 window; "
        f"{len(snap.cells.codes):,} cells, {len(snap.components.ids):,} components, "
        f"{len(snap.cameras.ids):,} cameras, {len(snap.supervisors.ids):,} supervisors, "
        f"{len(cases):,} open cases ({len(stored):,} from the database, read in {read_ms:.0f} ms; "
        f"{int(cases.overdue.sum()):,} overdue; handed to the map in {set_ms:.1f} ms)"
    )

    def whole_city():
        m.show_whole_city()
        app.processEvents()

    def around_centre(width: float):
        x0, y0, x1, y1 = snap.bounds
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        m.set_view_rect(QRectF(cx - width / 2, cy - width / 3, width, width * 2 / 3))
        app.processEvents()

    results = {}
    whole_city()
    results["city"] = frame_times(m, args.frames)
    m.set_layer_visible("cases", False)  # what the cases layer adds to the whole-city frame
    results["city_no_cases"] = frame_times(m, args.frames)
    m.set_layer_visible("cases", True)
    around_centre(3000)
    results["district"] = frame_times(m, args.frames)
    around_centre(1000)
    results["street"] = frame_times(m, args.frames)
    street_symbols = m.components.symbols_drawn
    street_cases = m.case_layer.points.symbols_drawn
    street_wedges = m.fov.isVisible()

    # Worst case: every level-of-detail rule off.
    saved = (map_panel.COMMUNITY_LINES_BELOW, map_panel.FOV_BELOW, m.components.max_symbols)
    map_panel.COMMUNITY_LINES_BELOW = map_panel.FOV_BELOW = 1e9
    m.components.max_symbols = None
    whole_city()
    m._apply_visibility()
    results["worst"] = frame_times(m, args.frames)
    worst_symbols = m.components.symbols_drawn
    map_panel.COMMUNITY_LINES_BELOW, map_panel.FOV_BELOW, m.components.max_symbols = saved

    # Baseline: one QGraphicsPathItem per cell, with the same outline pen and class brushes.
    for item in list(m.viewbox.addedItems):
        item.setVisible(False)
    pen = cosmetic_pen(QColor(120, 150, 180, 70))
    colours = [QColor(c) for c in ("#1d3148", "#1f4e6a", "#1f7482", "#3d9c7f", "#b8c65a")]
    classes = m.choropleth_classes.of_cell if getattr(m, "choropleth_classes", None) is not None else None
    items = []
    started = time.perf_counter()
    for i in range(len(snap.cells.codes)):
        item = QGraphicsPathItem(rings_path(snap.cells.rings.select([i])))
        item.setPen(pen)
        k = int(classes[i]) if classes is not None and classes[i] >= 0 else i % len(colours)
        item.setBrush(QBrush(colours[k]))
        m.viewbox.addItem(item, ignoreBounds=True)
        items.append(item)
    build_ms = (time.perf_counter() - started) * 1000
    whole_city()
    results["baseline"] = frame_times(m, args.frames)

    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"whole city, all layers on:            median {med['city']:6.1f} ms  (limit {LIMIT_MS:.0f} ms)")
    print(f"whole city, all but the cases layer:  median {med['city_no_cases']:6.1f} ms")
    print(f"district view (3 km), all layers on:  median {med['district']:6.1f} ms")
    print(
        f"street view (1 km), all layers on:    median {med['street']:6.1f} ms  "
        f"({street_symbols:,} component symbols, {street_cases:,} cases, wedges {'on' if street_wedges else 'off'})"
    )
    print(
        f"whole city, level of detail off:      median {med['worst']:6.1f} ms  ({worst_symbols:,} component symbols)"
    )
    print(
        f"baseline, one item per cell (cells only, built in {build_ms:.0f} ms): median {med['baseline']:6.1f} ms"
    )
    print(f"machine load probe: {load_probe():.2f} s for a fixed Python loop (about 0.2 s on an idle core)")
    window.close()
    engine.dispose()
    return 0 if max(med["city"], med["district"], med["street"]) < LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
