"""The emergency mode's map layers: incidents as symbols coloured by their level, inner and outer cordons
as filled translucent polygons, and the units out on tasks with a line to their incident.

Few big items, as the other layers (design.md section 7): all outer cordons are one path, the inner
cordons one path per level colour, every unit-to-incident line one path, the incidents and the units
one ``PointLayer`` each. The layers show only in emergency mode and while their checkbox is on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPolygonF

from console.map.layers import PathLayer, PointLayer, PointStyle, StyledPath, cosmetic_pen

EMERGENCY_LAYER_KEYS = ("incidents",)  # one checkbox: incidents, cordons and dispatched units
LEVELS = ("I", "II", "III", "IV")
LEVEL_COLOURS = {"I": "#d32f2f", "II": "#f57c00", "III": "#fbc02d", "IV": "#1976d2"}
UNIT_COLOUR = "#29b6f6"
# A unit's square says where its task stands: ordered (hollow), on its way (filled), on scene (larger,
# green). A state not listed here is drawn as ordered.
UNIT_STATES = ("assigned", "en_route", "on_scene")
UNIT_STYLES = (
    PointStyle("s", 11, "#0a0f14", UNIT_COLOUR, 2.0),
    PointStyle("s", 11, UNIT_COLOUR, "#0a0f14", 1.5),
    PointStyle("s", 14, "#43a047", "#0a0f14", 1.5),
)
OUTER_FILL = QColor(245, 124, 0, 46)
OUTER_PEN = QColor(255, 167, 38, 220)
INNER_ALPHA = 90


def polygon_path(geometries: Iterable, origin: tuple[float, float]) -> QPainterPath:
    """Polygons (shapely, city CRS) as one path in map-local coordinates; holes stay open (odd-even)."""
    ox, oy = origin
    path = QPainterPath()
    for geometry in geometries:
        if geometry is None or geometry.is_empty:
            continue
        for part in shapely.get_parts(geometry):
            if part.geom_type != "Polygon":
                continue
            for ring in (part.exterior, *part.interiors):
                xy = shapely.get_coordinates(ring)
                path.addPolygon(QPolygonF([QPointF(x - ox, y - oy) for x, y in xy]))
                path.closeSubpath()
    return path


class EmergencyLayers:
    """The emergency items on one view box; ``set_incidents`` / ``set_units`` redraw them."""

    def __init__(self):
        self.outer = PathLayer(z=4.6, antialias=True)
        self.inner = PathLayer(z=4.7, antialias=True)
        self.unit_lines = PathLayer(z=4.8, antialias=True)
        self.incidents = PointLayer(
            [PointStyle("star", 26, LEVEL_COLOURS[lvl], "#111111", 2.5) for lvl in LEVELS], z=9.5
        )
        self.units = PointLayer(list(UNIT_STYLES), z=9.4)
        self.items = (self.outer, self.inner, self.unit_lines, self.units, self.incidents)
        self.in_mode = False  # the city is in emergency mode
        self.layer_on = True  # the user's checkbox
        self.incident_ids: tuple[int, ...] = ()
        self.incident_levels: tuple[str, ...] = ()
        self.cordon_area_m2 = 0.0  # of the outer cordons drawn
        self.unit_ids: tuple[str, ...] = ()
        self.unit_states: tuple[str, ...] = ()
        self._apply()

    def add_to(self, viewbox) -> None:
        for item in self.items:
            viewbox.addItem(item, ignoreBounds=True)

    # --- visibility ------------------------------------------------------------------------------------

    @property
    def visible(self) -> bool:
        return self.in_mode and self.layer_on

    def set_mode_active(self, active: bool) -> None:
        self.in_mode = active
        self._apply()

    def set_layer_on(self, on: bool) -> None:
        self.layer_on = on
        self._apply()

    def apply(self, on: dict[str, bool]) -> None:
        """Follow the map's layer switches (``MapPanel._apply_visibility``)."""
        self.set_layer_on(on.get("incidents", True))

    def _apply(self) -> None:
        for item in self.items:
            item.setVisible(self.visible)

    # --- data ------------------------------------------------------------------------------------------

    def set_incidents(self, shapes: Sequence, origin: tuple[float, float]) -> None:
        """``shapes``: objects with ``id``, ``level``, ``x``, ``y``, ``inner``, ``outer`` (city CRS)."""
        ox, oy = origin
        self.incident_ids = tuple(s.id for s in shapes)
        self.incident_levels = tuple(s.level for s in shapes)
        self.cordon_area_m2 = sum(s.outer.area for s in shapes if s.outer is not None)
        self.outer.set_paths(
            [
                StyledPath(
                    polygon_path((s.outer for s in shapes), origin),
                    cosmetic_pen(OUTER_PEN, 1.5, Qt.PenStyle.DashLine),
                    QBrush(OUTER_FILL),
                )
            ]
        )
        inner = []
        for level in LEVELS:
            of_level = [s.inner for s in shapes if s.level == level]
            if of_level:
                fill = QColor(LEVEL_COLOURS[level])
                fill.setAlpha(INNER_ALPHA)
                inner.append(
                    StyledPath(
                        polygon_path(of_level, origin), cosmetic_pen(LEVEL_COLOURS[level], 2.0), QBrush(fill)
                    )
                )
        self.inner.set_paths(inner)
        style = np.array([LEVELS.index(s.level) if s.level in LEVELS else 3 for s in shapes], dtype=np.int16)
        self.incidents.set_points(
            np.array([s.x - ox for s in shapes], dtype=float),
            np.array([s.y - oy for s in shapes], dtype=float),
            style,
        )

    def set_units(self, marks: Sequence, origin: tuple[float, float]) -> None:
        """``marks``: objects with ``unit_id``, ``status`` (the task's), ``x``, ``y``, ``incident_x``,
        ``incident_y`` (city CRS)."""
        ox, oy = origin
        self.unit_ids = tuple(m.unit_id for m in marks)
        self.unit_states = tuple(m.status for m in marks)
        lines = QPainterPath()
        for m in marks:
            lines.moveTo(m.x - ox, m.y - oy)
            lines.lineTo(m.incident_x - ox, m.incident_y - oy)
        self.unit_lines.set_paths(
            [StyledPath(lines, cosmetic_pen(UNIT_COLOUR, 1.5, Qt.PenStyle.DashLine), None)]
        )
        self.units.set_points(
            np.array([m.x - ox for m in marks], dtype=float),
            np.array([m.y - oy for m in marks], dtype=float),
            np.array(
                [UNIT_STATES.index(m.status) if m.status in UNIT_STATES else 0 for m in marks], dtype=np.int16
            ),
        )

    def clear(self) -> None:
        self.set_incidents((), (0.0, 0.0))
        self.set_units((), (0.0, 0.0))
