"""Full repaint of the map with all layers on, at 1600x1000 offscreen, Harbin scale.

    python bench/bench_console_repaint.py [--db URL] [--frames 40]

The console's map (``console.map.MapPanel`` inside the main window, every layer switched on) is
repainted frame after frame while the view pans by a pixel each time, so every frame redraws
everything under a new transform (nothing cached by position). Three views:

- city: the whole city, as the console opens (levels of detail apply: components as a density raster,
  no fields of view, no community lines);
- district: about 3 km across (components still as density: ~11,000 would be in view);
- street: about 1 km across, where component symbols, camera wedges and community lines show;
- worst: the whole city with every level-of-detail rule off (108,000 component symbols, all 1,150
  wedges, all community lines).

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="an already-seeded Harbin-scale city (default: the cached demo city)")
    parser.add_argument("--frames", type=int, default=40)
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
    window.watcher.stop()
    m = window.map
    for key in m._layer_on:
        m.set_layer_visible(key, True)
    snap = window.snapshot
    print(
        f"map {m.view.viewport().width()}x{m.view.viewport().height()} px in a 1600x1000 window; "
        f"{len(snap.cells.codes):,} cells, {len(snap.components.ids):,} components, "
        f"{len(snap.cameras.ids):,} cameras, {len(snap.supervisors.ids):,} supervisors"
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
    around_centre(3000)
    results["district"] = frame_times(m, args.frames)
    around_centre(1000)
    results["street"] = frame_times(m, args.frames)
    street_symbols = m.components.symbols_drawn
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
    print(f"district view (3 km), all layers on:  median {med['district']:6.1f} ms")
    print(
        f"street view (1 km), all layers on:    median {med['street']:6.1f} ms  "
        f"({street_symbols:,} component symbols, wedges {'on' if street_wedges else 'off'})"
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
