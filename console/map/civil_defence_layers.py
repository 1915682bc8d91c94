"""Map layers of the civil air defence mode, each a few big items (design.md section 7).

- sirens: one ``PointLayer`` (symbol by status) and one path of all audible circles;
- coverage: the covered area (the union of in-service disks) as one filled path, and the populated
  cells no siren reaches as one filled path of their outlines;
- shelters: one ``PointLayer`` whose style index encodes load class (size and colour) and status;
- flows: every cell -> shelter-entrance line of the current evacuation plan in one path;
- suggestions: proposed siren sites (stars) with their would-be audible circles.

Inputs are in the city CRS; the layers subtract the map's origin. They draw only while the city is in
civil-defence mode and their key is switched on in the layers panel.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtGui import QBrush, QColor, QPainterPath

from console.map.layers import PathLayer, PointLayer, PointStyle, StyledPath, cosmetic_pen, rings_path
from modes.common.city_picture import CitySnapshot, flatten_rings

CIVIL_DEFENCE_LAYER_KEYS = ("cd_sirens", "cd_coverage", "cd_shelters", "cd_flows")

SIREN_STYLES = [
    PointStyle("t", 13, "#ffb300", "#0a0f14", 1.5),  # in service
    PointStyle("t", 12, "#5b6670", "#ff3b30", 2.0),  # out of service
    PointStyle("x", 13, "#ff3b30", "#0a0f14", 1.0),  # damaged
]
SUGGESTION_STYLE = PointStyle("star", 22, "#00e5ff", "#ffffff", 1.5)
# Shelter load classes: free, filling, nearly full, full; then closed or damaged.
LOAD_BOUNDS = (0.5, 0.9, 0.999)
LOAD_COLOURS = ("#4cd07d", "#ffe14d", "#ff9f1c", "#ff3b30")
LOAD_SIZES = (8, 9, 10, 11)
SHELTER_STYLES = [
    PointStyle("s", size, c, "#0a0f14", 1.0) for size, c in zip(LOAD_SIZES, LOAD_COLOURS, strict=True)
]
SHELTER_STYLES.append(PointStyle("s", 9, "#3a4450", "#a6b0bb", 1.5))
SHELTER_CLOSED_STYLE = len(SHELTER_STYLES) - 1


def load_class(load: np.ndarray, capacity: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """Style index per shelter: its share of capacity in use (by plan or reported occupancy)."""
    load = np.asarray(load, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(capacity > 0, load / capacity, 1.0)
    style = np.searchsorted(np.asarray(LOAD_BOUNDS), share, side="right").astype(np.int16)
    return np.where(np.asarray(open_, dtype=bool), style, SHELTER_CLOSED_STYLE).astype(np.int16)


def _circles_path(x: np.ndarray, y: np.ndarray, r: np.ndarray) -> QPainterPath:
    path = QPainterPath()
    for cx, cy, rr in zip(x.tolist(), y.tolist(), r.tolist(), strict=True):
        if rr > 0:
            path.addEllipse(cx - rr, cy - rr, 2 * rr, 2 * rr)
    return path


def _segments_path(x0, y0, x1, y1) -> QPainterPath:
    n = len(x0)
    if not n:
        return QPainterPath()
    xs = np.empty(2 * n)
    ys = np.empty(2 * n)
    xs[0::2], xs[1::2] = x0, x1
    ys[0::2], ys[1::2] = y0, y1
    connect = np.zeros(2 * n, dtype=np.int32)
    connect[0::2] = 1  # join each start to its end, never an end to the next start
    return pg.arrayToQPath(xs, ys, connect=connect, finiteCheck=False)


class CivilDefenceLayers:
    """Owns the mode's map items; ``MapPanel`` adds them and tells them what is on."""

    def __init__(self, viewbox: pg.ViewBox):
        self.coverage = PathLayer(z=0.6)  # covered area under the grid lines
        self.uncovered = PathLayer(z=0.7)
        self.circles = PathLayer(z=4.5, antialias=True)
        self.flows = PathLayer(z=4.6)
        self.sirens = PointLayer(SIREN_STYLES, z=9)
        self.shelters = PointLayer(SHELTER_STYLES, z=9.1)
        self.suggestions = PointLayer([SUGGESTION_STYLE], z=9.2)
        self.suggestion_circles = PathLayer(z=4.7, antialias=True)
        self.items = (
            self.coverage,
            self.uncovered,
            self.circles,
            self.flows,
            self.sirens,
            self.shelters,
            self.suggestions,
            self.suggestion_circles,
        )
        for item in self.items:
            viewbox.addItem(item, ignoreBounds=True)
        self.active = False
        self._origin = (0.0, 0.0)
        self._snapshot: CitySnapshot | None = None
        self._on = dict.fromkeys(CIVIL_DEFENCE_LAYER_KEYS, True)
        self._counts = {"circles": 0, "covered_parts": 0, "uncovered_cells": 0, "flows": 0}
        self.apply()

    # --- state ----------------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: CitySnapshot) -> None:
        self._snapshot = snapshot
        self._origin = snapshot.origin

    def set_active(self, active: bool) -> None:
        self.active = active
        self.apply()

    def set_layer_on(self, key: str, on: bool) -> None:
        self._on[key] = on
        self.apply()

    def apply(self, on: dict[str, bool] | None = None) -> None:
        if on is not None:
            self._on.update({k: v for k, v in on.items() if k in self._on})
        a = self.active
        self.sirens.setVisible(a and self._on["cd_sirens"])
        self.circles.setVisible(a and self._on["cd_sirens"])
        self.coverage.setVisible(a and self._on["cd_coverage"])
        self.uncovered.setVisible(a and self._on["cd_coverage"])
        self.suggestions.setVisible(a and self._on["cd_coverage"])
        self.suggestion_circles.setVisible(a and self._on["cd_coverage"])
        self.shelters.setVisible(a and self._on["cd_shelters"])
        self.flows.setVisible(a and self._on["cd_flows"])

    def _local(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(x, dtype=float) - self._origin[0], np.asarray(y, dtype=float) - self._origin[1]

    # --- data -----------------------------------------------------------------------------------------

    def set_sirens(self, x, y, radius_m, status_idx) -> None:
        lx, ly = self._local(x, y)
        self.sirens.set_points(lx, ly, np.asarray(status_idx, dtype=np.int16))
        in_service = np.asarray(status_idx) == 0
        self._counts["circles"] = int((np.asarray(radius_m) > 0).sum())
        self.circles.set_paths(
            [
                StyledPath(
                    _circles_path(lx[in_service], ly[in_service], np.asarray(radius_m)[in_service]),
                    cosmetic_pen(QColor(255, 179, 0, 200), 1.0),
                    None,
                ),
                StyledPath(
                    _circles_path(lx[~in_service], ly[~in_service], np.asarray(radius_m)[~in_service]),
                    cosmetic_pen(QColor(255, 59, 48, 160), 1.0),
                    None,
                ),
            ]
        )

    def set_coverage(self, covered_area, uncovered_codes: np.ndarray) -> None:
        """``covered_area`` a shapely (multi)polygon in the city CRS; ``uncovered_codes`` cell codes."""
        items = []
        if covered_area is not None and not shapely.is_empty(covered_area):
            rings = flatten_rings(np.array([covered_area], dtype=object), self._origin)
            items.append(StyledPath(rings_path(rings), None, QBrush(QColor(255, 193, 7, 46))))
        self._counts["covered_parts"] = len(rings.start) if items else 0
        self.coverage.set_paths(items)
        cells = []
        self._counts["uncovered_cells"] = 0
        s = self._snapshot
        if s is not None and len(uncovered_codes):
            which = np.flatnonzero(np.isin(s.cells.codes, np.asarray(uncovered_codes, dtype=object)))
            self._counts["uncovered_cells"] = len(which)
            if len(which):
                cells.append(
                    StyledPath(
                        rings_path(s.cells.rings.select(which)),
                        cosmetic_pen(QColor(255, 59, 48, 200), 1.0),
                        QBrush(QColor(255, 59, 48, 80)),
                    )
                )
        self.uncovered.set_paths(cells)

    def set_shelters(self, x, y, load, capacity, open_) -> None:
        lx, ly = self._local(x, y)
        self.shelters.set_points(lx, ly, load_class(load, capacity, open_))

    def set_flows(self, cell_x, cell_y, target_x, target_y) -> None:
        cx, cy = self._local(cell_x, cell_y)
        tx, ty = self._local(target_x, target_y)
        self._counts["flows"] = len(cx)
        self.flows.set_paths(
            [StyledPath(_segments_path(cx, cy, tx, ty), cosmetic_pen(QColor(0, 229, 255, 70), 1.0), None)]
        )

    def set_suggestions(self, x, y, radius_m) -> None:
        lx, ly = self._local(x, y)
        self.suggestions.set_points(lx, ly, np.zeros(len(lx), dtype=np.int16))
        self.suggestion_circles.set_paths(
            [
                StyledPath(
                    _circles_path(lx, ly, np.asarray(radius_m, dtype=float)),
                    cosmetic_pen(QColor(0, 229, 255, 200), 1.0),
                    QBrush(QColor(0, 229, 255, 28)),
                )
            ]
        )

    def drawn_counts(self) -> dict[str, int]:
        """How much each layer holds (tests and the status bar)."""
        return {
            "sirens": len(self.sirens.x),
            "shelters": len(self.shelters.x),
            "suggestions": len(self.suggestions.x),
            **self._counts,
        }
