"""The city map: boundaries, the cell grid as outlines and choropleth, components, cameras with their
fields of view, supervisors; hover, click-to-select, fly-to, a scale bar and a north arrow.

The panel draws a ``CitySnapshot`` (numpy arrays) and knows nothing of the database: what the user
points at goes out as ``selection_changed`` / ``hover_changed`` signals, and the window decides what
to fetch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, QPointF, QRectF, QSize, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console import texts
from console.map.case_layer import CASE_LAYER_KEYS, CaseLayer, OpenCaseColumns
from console.map.choropleth import Classes
from console.map.civil_defence_layers import CIVIL_DEFENCE_LAYER_KEYS, CivilDefenceLayers
from console.map.emergency_layers import EMERGENCY_LAYER_KEYS, EmergencyLayers
from console.map.exercise_watermark import ExerciseWatermark
from console.map.layers import (
    CellRaster,
    ChoroplethLayer,
    LabelLayer,
    PathLayer,
    PointLayer,
    PointStyle,
    SelectionLayer,
    StyledPath,
    bold_offsets,
    cosmetic_pen,
    rings_path,
)
from console.theme import MAP_BACKGROUND
from modes.common.city_picture import CAMERA_STATUSES, COMPONENT_STATES, CitySnapshot, fov_wedges

MAJOR_SYMBOLS = ("o", "s", "t", "d", "h", "p", "star", "x")
MAJOR_COLOURS = ("#4da3ff", "#ffc13b", "#c77dff", "#4cd07d", "#ff7a59", "#a6b0bb", "#5ee0e6", "#e0e060")
# Component states drawn four ways: as usual, damaged (amber ring), lost (red, it is a hazard), retired.
STATE_CLASS = {"intact": 0, "damaged": 1, "lost": 2, "abandoned": 3, "removed": 3}
CAMERA_COLOURS = {"online": "#39d98a", "offline": "#7b8794", "fault": "#ff4d4f"}

LAYER_KEYS = (
    "districts",
    "streets",
    "communities",
    "labels",
    "cells",
    "choropleth",
    "roads",
    "components",
    "cameras",
    "fov",
    "supervisors",
    *CIVIL_DEFENCE_LAYER_KEYS,
    *EMERGENCY_LAYER_KEYS,
    *CASE_LAYER_KEYS,
)

# Zoom thresholds in metres per pixel: finer detail appears as the user zooms in.
COMMUNITY_LINES_BELOW = 7.0
FOV_BELOW = 3.0
STREET_LABELS_BELOW = 9.0
COMMUNITY_LABELS_BELOW = 3.2
COMPONENT_SYMBOLS_MAX = 8_000  # more in view than this read as noise: draw the density raster
PICK_RADIUS_PX = 8.0
COMPACT_ABOVE = 6.0  # metres per pixel beyond which cameras and supervisors shrink


@dataclass(frozen=True)
class MapSelection:
    kind: str  # cell | component | camera | supervisor | case
    key: str
    index: int


def component_styles(n_majors: int) -> list[PointStyle]:
    styles = []
    for m in range(max(n_majors, 1)):
        symbol, colour = MAJOR_SYMBOLS[m % len(MAJOR_SYMBOLS)], MAJOR_COLOURS[m % len(MAJOR_COLOURS)]
        styles += [
            PointStyle(symbol, 7, colour, "#0a0f14", 1.0),
            PointStyle(symbol, 8, colour, "#ffb300", 2.0),
            PointStyle(symbol, 9, "#ff3b30", "#ffffff", 1.5),
            PointStyle(symbol, 6, "#5b6670", "#0a0f14", 1.0),
        ]
    return styles


class ScaleBar(QWidget):
    """A scale bar of a round length and a north arrow, over the map's bottom-left corner."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._m_per_px = 1.0
        self.resize(190, 46)

    def set_scale(self, m_per_px: float) -> None:
        self._m_per_px = m_per_px
        self.update()

    def bar(self) -> tuple[float, str]:
        """(length in pixels, label) of the longest round length that fits in 140 px."""
        target = 140.0 * self._m_per_px
        exp = 10 ** math.floor(math.log10(max(target, 1e-9)))
        length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
        return length / self._m_per_px, label

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        px, label = self.bar()
        x0, y0 = 10.0, self.height() - 12.0
        p.setPen(QPen(QColor(0, 0, 0, 170), 5))
        p.drawLine(QPointF(x0, y0), QPointF(x0 + px, y0))
        p.setPen(QPen(QColor("#e8eef4"), 2))
        p.drawLine(QPointF(x0, y0), QPointF(x0 + px, y0))
        for x in (x0, x0 + px):
            p.drawLine(QPointF(x, y0 - 6), QPointF(x, y0 + 1))
        font = QFont(self.font())
        font.setPointSizeF(9)
        p.setFont(font)
        p.drawText(
            QRectF(x0, y0 - 24, px + 60, 18),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            label,
        )
        p.end()


class NorthArrow(QWidget):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.resize(28, 40)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        p.setPen(QPen(QColor(0, 0, 0, 160), 1))
        p.setBrush(QColor("#e8eef4"))
        p.drawPolygon(
            QPolygonF(
                [QPointF(w / 2, 14), QPointF(w / 2 + 7, 36), QPointF(w / 2, 30), QPointF(w / 2 - 7, 36)]
            )
        )
        p.setPen(QColor("#e8eef4"))
        p.drawText(QRectF(0, 0, w, 14), Qt.AlignmentFlag.AlignCenter, "N")
        p.end()


class MapPanel(QWidget):
    """The map widget. Coordinates inside are local (city CRS minus the snapshot's origin)."""

    selection_changed = Signal(object)  # MapSelection | None
    point_clicked = Signal(float, float)  # where a click landed, city CRS (before what it selects)
    hover_changed = Signal(str)  # what is under the cursor, translated
    cursor_moved = Signal(float, float)  # city CRS
    view_changed = Signal()
    flight_finished = Signal()
    cell_raster_ready = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.snapshot: CitySnapshot | None = None
        self.selection: MapSelection | None = None
        self._layer_on = dict.fromkeys(LAYER_KEYS, True)
        self._layer_on["communities"] = True
        self._component_mask: np.ndarray | None = None
        self._flight: QVariantAnimation | None = None
        self._last_hover = ""

        pg.setConfigOptions(antialias=False)
        self.view = pg.GraphicsView(background=MAP_BACKGROUND)
        self.view.setObjectName("map_view")
        self.viewbox = pg.ViewBox(lockAspect=True, enableMenu=False, defaultPadding=0.02)
        self.viewbox.setMouseEnabled(True, True)
        self.view.setCentralItem(self.viewbox)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.scale_bar = ScaleBar(self.view)
        self.north_arrow = NorthArrow(self.view)

        self.choropleth: ChoroplethLayer | None = None
        self.choropleth_classes: Classes | None = None
        self.cell_outlines = PathLayer(z=1)
        self.community_lines = PathLayer(z=2)
        self.street_lines = PathLayer(z=3)
        self.district_lines = PathLayer(z=4)
        self.road_lines = PathLayer(z=1.5, antialias=False)
        self.fov = PathLayer(z=5)
        self.components = PointLayer(component_styles(1), z=6, max_symbols=COMPONENT_SYMBOLS_MAX)
        self.supervisors = PointLayer(
            [PointStyle("o", 9, "#29b6f6", "#ffffff", 1.5), PointStyle("o", 8, "#0d141c", "#29b6f6", 2.0)],
            z=7,
            compact_above_m_per_px=COMPACT_ABOVE,
        )
        self.cameras = PointLayer(
            [PointStyle("d", 10, CAMERA_COLOURS[s], "#0a0f14", 1.0) for s in CAMERA_STATUSES],
            z=8,
            compact_above_m_per_px=COMPACT_ABOVE,
        )
        self.selection_layer = SelectionLayer(z=20)
        self.labels = LabelLayer(z=10)
        for item in (
            self.cell_outlines,
            self.road_lines,
            self.community_lines,
            self.street_lines,
            self.district_lines,
            self.fov,
            self.components,
            self.supervisors,
            self.cameras,
            self.labels,
            self.selection_layer,
        ):
            self.viewbox.addItem(item, ignoreBounds=True)
        self.civil_defence = CivilDefenceLayers(self.viewbox)  # drawn in civil-defence mode only
        self.emergency = EmergencyLayers()  # drawn in emergency mode only
        self.emergency.add_to(self.viewbox)
        self.case_layer = CaseLayer(z=8.5)  # open cases, drawn in everyday mode only
        self.case_layer.add_to(self.viewbox)
        self.exercise_watermark = ExerciseWatermark(self.viewbox)  # while an exercise is on

        self.viewbox.sigRangeChanged.connect(self._on_range_changed)
        scene = self.view.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)

    # --- data ----------------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: CitySnapshot) -> None:
        """Build every layer from the snapshot; the view keeps its range when one was already set."""
        first = self.snapshot is None
        self.snapshot = snapshot
        cells = snapshot.cells
        if self.choropleth is not None:
            self.viewbox.removeItem(self.choropleth)
        self.choropleth = ChoroplethLayer(cells.rings, cells.bounds, z=0)
        self.viewbox.addItem(self.choropleth, ignoreBounds=True)
        if self.choropleth_classes is not None:
            self.set_choropleth(self.choropleth_classes)
        self.cell_outlines.set_paths(
            [StyledPath(rings_path(cells.rings), cosmetic_pen(QColor(120, 150, 180, 70)), None)]
        )
        self.community_lines.set_paths(
            [
                StyledPath(
                    rings_path(snapshot.communities.boundary),
                    cosmetic_pen(QColor(170, 200, 230, 110), 1.0, Qt.PenStyle.DashLine),
                    None,
                )
            ]
        )
        self.street_lines.set_paths(
            [
                StyledPath(
                    rings_path(snapshot.streets.boundary), cosmetic_pen(QColor(200, 222, 245, 200), 1.0), None
                )
            ]
        )
        district = rings_path(snapshot.districts.boundary)
        self.district_lines.set_paths(
            [
                StyledPath(district, cosmetic_pen(QColor(0, 0, 0, 200), 1.0), None, bold_offsets(3)),
                StyledPath(district, cosmetic_pen("#eef4fa", 1.0), None, bold_offsets(2)),
            ]
        )
        roads = []
        for kind, rings in snapshot.roads.items():
            offsets = bold_offsets(2) if kind in ("main", "bridge") else ((0, 0),)
            roads.append(
                StyledPath(rings_path(rings), cosmetic_pen(QColor(235, 200, 120, 150), 1.0), None, offsets)
            )
        self.road_lines.set_paths(roads)
        self._set_fov_paths()
        self.civil_defence.set_snapshot(snapshot)

        comp = snapshot.components
        self.components = self._replace_point_layer(
            self.components,
            PointLayer(component_styles(len(comp.majors)), z=6, max_symbols=COMPONENT_SYMBOLS_MAX),
        )
        state_class = np.array([STATE_CLASS.get(s, 0) for s in COMPONENT_STATES], dtype=np.int16)
        styles = comp.major_idx.astype(np.int16) * 4 + state_class[comp.state_idx]
        overview = [s.brush for s in component_styles(len(comp.majors))]
        self.components.set_points(comp.x, comp.y, styles, overview_colours=overview)
        if self._component_mask is not None and len(self._component_mask) == len(comp.x):
            self.components.set_visible_mask(self._component_mask)
        cams = snapshot.cameras
        self.cameras.set_points(cams.x, cams.y, cams.status_idx)
        sups = snapshot.supervisors
        self.supervisors.set_points(sups.x, sups.y, np.where(sups.has_fix, 0, 1))

        self.labels.set_level(
            "districts", snapshot.districts.label_x, snapshot.districts.label_y, snapshot.districts.names,
            point_size=14, colour="#ffffff", bold=True, max_m_per_px=1e9,
        )  # fmt: skip
        self.labels.set_level(
            "streets", snapshot.streets.label_x, snapshot.streets.label_y, snapshot.streets.names,
            point_size=10, colour="#d7e6f5", bold=False, max_m_per_px=STREET_LABELS_BELOW,
        )  # fmt: skip
        self.labels.set_level(
            "communities", snapshot.communities.label_x, snapshot.communities.label_y, snapshot.communities.names,
            point_size=8.5, colour="#aabdd0", bold=False, max_m_per_px=COMMUNITY_LABELS_BELOW,
        )  # fmt: skip
        if self.selection is not None:
            self.select(self.selection.kind, self.selection.key, emit=False)
        if first:
            self.show_whole_city()
        self._apply_visibility()

    def _replace_point_layer(self, old: PointLayer, new: PointLayer) -> PointLayer:
        self.viewbox.removeItem(old)
        self.viewbox.addItem(new, ignoreBounds=True)
        return new

    def _set_fov_paths(self) -> None:
        rings = fov_wedges(self.snapshot.cameras)
        if not len(rings.x):
            self.fov.clear()
            return
        fill = QColor(57, 217, 138, 38)
        self.fov.set_paths(
            [StyledPath(rings_path(rings), cosmetic_pen(QColor(57, 217, 138, 140), 1.0), QBrush(fill))]
        )

    def set_choropleth(self, classes: Classes | None) -> None:
        self.choropleth_classes = classes
        if self.choropleth is None:
            return
        if classes is None or classes.count == 0:
            self.choropleth.clear()
            return
        colours = []
        for c in classes.colours:
            q = QColor(c)
            q.setAlpha(215)
            colours.append(q)
        self.choropleth.set_classes(classes.of_cell, colours)

    def set_cell_raster(self, raster: CellRaster) -> None:
        """The cell-index raster, built off the GUI thread once the map shows; the choropleth then
        recolours it instead of filling thousands of polygons per frame."""
        if self.choropleth is not None:
            self.choropleth.set_raster(raster)
        self.cell_raster_ready.emit()

    def set_component_filter(self, mask: np.ndarray) -> None:
        self._component_mask = np.asarray(mask, dtype=bool)
        self.components.set_visible_mask(self._component_mask)
        if (
            self.selection
            and self.selection.kind == "component"
            and not self._component_mask[self.selection.index]
        ):
            self.clear_selection()

    def update_component_states(self, state_idx: np.ndarray) -> None:
        """Restyle after component states changed (the journal said so); positions stay."""
        if self.snapshot is None:
            return
        comp = self.snapshot.components
        state_class = np.array([STATE_CLASS.get(s, 0) for s in COMPONENT_STATES], dtype=np.int16)
        self.components.set_styles(comp.major_idx.astype(np.int16) * 4 + state_class[state_idx])

    # --- layers and view -------------------------------------------------------------------------------

    def set_cases(self, cases: OpenCaseColumns) -> None:
        """Redraw the open cases (city CRS). A selected case keeps its ring while it is open; once it
        is finished it leaves the map and the selection with it."""
        if self.snapshot is None:
            return
        self.case_layer.set_cases(cases, self.snapshot.origin)
        sel = self.selection
        if sel is not None and sel.kind == "case":
            i = self.case_layer.index_of(int(sel.key))
            if i >= 0:
                self._show_selection(MapSelection("case", sel.key, i))
            else:
                self.selection = None
                self.selection_layer.clear()

    def set_layer_visible(self, key: str, visible: bool) -> None:
        if key not in self._layer_on:
            raise KeyError(key)
        self._layer_on[key] = visible
        self._apply_visibility()

    def layer_visible(self, key: str) -> bool:
        return self._layer_on[key]

    def set_exercise_watermark(self, *lines: str) -> None:
        """Write ``lines`` (the EXERCISE mark, DEMO) across the map; no lines: no watermark. Not a layer
        the user may switch off."""
        self.exercise_watermark.set_text(*lines)
        self.exercise_watermark.setVisible(bool(lines))

    def metres_per_pixel(self) -> float:
        (x0, x1), _ = self.viewbox.viewRange()
        width = max(self.viewbox.width(), 1.0)
        return (x1 - x0) / width

    def _apply_visibility(self) -> None:
        m = self.metres_per_pixel()
        on = self._layer_on
        self.district_lines.setVisible(on["districts"])
        self.street_lines.setVisible(on["streets"])
        self.community_lines.setVisible(on["communities"] and m < COMMUNITY_LINES_BELOW)
        self.cell_outlines.setVisible(on["cells"])
        if self.choropleth is not None:
            self.choropleth.setVisible(on["choropleth"])
        self.road_lines.setVisible(on["roads"])
        self.components.setVisible(on["components"])
        self.cameras.setVisible(on["cameras"])
        self.fov.setVisible(on["cameras"] and on["fov"] and m < FOV_BELOW)
        self.supervisors.setVisible(on["supervisors"])
        self.labels.setVisible(on["labels"])
        self.labels.set_level_enabled("districts", on["districts"])
        self.labels.set_level_enabled("streets", on["streets"])
        self.labels.set_level_enabled("communities", on["communities"])
        self.civil_defence.apply(on)
        self.emergency.apply(on)
        self.case_layer.apply(on)

    def _on_range_changed(self, *args) -> None:
        self.scale_bar.set_scale(self.metres_per_pixel())
        self._apply_visibility()
        self.view_changed.emit()

    def view_rect(self) -> QRectF:
        return self.viewbox.viewRect()

    def set_view_rect(self, rect: QRectF) -> None:
        self.viewbox.setRange(rect=rect, padding=0)

    def show_whole_city(self) -> None:
        if self.snapshot is None:
            return
        x0, y0, x1, y1 = self.snapshot.bounds
        self.viewbox.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)

    def fly_to_city_bounds(
        self, bounds: tuple[float, float, float, float], *, animate: bool = True, min_size: float = 400.0
    ) -> None:
        """Fly to a rectangle given in city CRS coordinates (at least ``min_size`` metres across)."""
        if self.snapshot is None:
            return
        ox, oy = self.snapshot.origin
        x0, y0, x1, y1 = bounds[0] - ox, bounds[1] - oy, bounds[2] - ox, bounds[3] - oy
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        w, h = max(x1 - x0, min_size) * 1.4, max(y1 - y0, min_size) * 1.4
        self.fly_to(QRectF(cx - w / 2, cy - h / 2, w, h), animate=animate)

    def fly_to(self, target: QRectF, *, animate: bool = True) -> None:
        if self._flight is not None:
            self._flight.stop()
            self._flight = None
        if not animate:
            self.set_view_rect(target)
            self.flight_finished.emit()
            return
        flight = QVariantAnimation(self)
        flight.setStartValue(self.view_rect())
        flight.setEndValue(target)
        flight.setDuration(450)
        flight.setEasingCurve(QEasingCurve.Type.InOutCubic)
        flight.valueChanged.connect(self.set_view_rect)
        flight.finished.connect(self._on_flight_finished)
        self._flight = flight
        flight.start()

    def _on_flight_finished(self) -> None:
        self._flight = None
        self.flight_finished.emit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_overlays()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._place_overlays()

    def _place_overlays(self) -> None:
        self.scale_bar.move(8, self.view.height() - self.scale_bar.height() - 6)
        self.north_arrow.move(self.view.width() - self.north_arrow.width() - 14, 12)
        self.scale_bar.set_scale(self.metres_per_pixel())

    def sizeHint(self) -> QSize:
        return QSize(900, 700)

    # --- picking -------------------------------------------------------------------------------------

    def pick(self, x: float, y: float) -> MapSelection | None:
        """What lies at a local point: a camera, supervisor or component near it, else its cell."""
        s = self.snapshot
        if s is None:
            return None
        radius = PICK_RADIUS_PX * self.metres_per_pixel()
        if self.case_layer.visible:  # drawn above the other points: what the user sees is picked
            i = self.case_layer.nearest(x, y, radius)
            if i >= 0:
                return MapSelection("case", str(int(self.case_layer.ids[i])), i)
        if self.cameras.isVisible():
            i = s.nearest("cameras", x, y, radius)
            if i >= 0:
                return MapSelection("camera", str(s.cameras.ids[i]), i)
        if self.supervisors.isVisible():
            i = s.nearest("supervisors", x, y, radius)
            if i >= 0:
                return MapSelection("supervisor", str(int(s.supervisors.ids[i])), i)
        if self.components.isVisible() and not self.components.showing_overview:
            i = s.nearest("components", x, y, radius, mask=self.components.visible)
            if i >= 0:
                return MapSelection("component", str(s.components.ids[i]), i)
        i = s.cell_at(x, y)
        if i >= 0:
            return MapSelection("cell", str(s.cells.codes[i]), i)
        return None

    def describe(self, sel: MapSelection | None) -> str:
        s = self.snapshot
        if sel is None or s is None:
            return ""
        if sel.kind == "case":
            return self.case_layer.describe(sel.index)
        if sel.kind == "cell":
            community = s.communities.names[s.cells.community_idx[sel.index]]
            return self.tr("Cell {code} · {community} · {people} residents").format(
                code=sel.key, community=community, people=f"{int(s.cells.pop_night[sel.index]):,}"
            )
        if sel.kind == "component":
            comp = s.components
            t = comp.type_idx[sel.index]
            return self.tr("Component {id} · {type} · {state}").format(
                id=sel.key,
                type=comp.type_names[t],
                state=texts.component_state_label(COMPONENT_STATES[comp.state_idx[sel.index]]),
            )
        if sel.kind == "camera":
            cams = s.cameras
            return self.tr("Camera {id} · {name} · {status}").format(
                id=sel.key,
                name=cams.names[sel.index],
                status=texts.camera_status_label(CAMERA_STATUSES[cams.status_idx[sel.index]]),
            )
        sups = s.supervisors
        return self.tr("Supervisor {code} · {name}").format(
            code=sups.codes[sel.index], name=sups.names[sel.index]
        )

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self.snapshot is None or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return
        p = self.viewbox.mapSceneToView(scene_pos)
        ox, oy = self.snapshot.origin
        self.cursor_moved.emit(p.x() + ox, p.y() + oy)
        text = self.describe(self.pick(p.x(), p.y()))
        if text != self._last_hover:
            self._last_hover = text
            self.view.setToolTip(text)
            self.hover_changed.emit(text)

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.snapshot is None:
            return
        p = self.viewbox.mapSceneToView(event.scenePos())
        self.click_at(p.x(), p.y())

    def click_at(self, x: float, y: float) -> MapSelection | None:
        """Select what lies at a local point, as a click there does."""
        if self.snapshot is not None:
            ox, oy = self.snapshot.origin
            self.point_clicked.emit(x + ox, y + oy)
        sel = self.pick(x, y)
        if sel is None:
            self.clear_selection()
        else:
            self._show_selection(sel)
            self.selection_changed.emit(sel)
        return sel

    def select(self, kind: str, key: str, *, emit: bool = True) -> MapSelection | None:
        """Select a feature by kind and key (search results, other panels)."""
        s = self.snapshot
        if s is None:
            return None
        if kind == "cell":
            i = s.cell_index(key)
        elif kind == "component":
            i = s.component_index(key)
        elif kind == "camera":
            i = s.camera_index(key)
        elif kind == "supervisor":
            i = s.supervisor_index(int(key))
        elif kind == "case":
            i = self.case_layer.index_of(int(key))
        else:
            i = -1
        if i < 0:
            return None
        sel = MapSelection(kind, key, i)
        self._show_selection(sel)
        if emit:
            self.selection_changed.emit(sel)
        return sel

    def _show_selection(self, sel: MapSelection) -> None:
        self.selection = sel
        s = self.snapshot
        if sel.kind == "cell":
            self.selection_layer.set_path(rings_path(s.cells.rings.select(np.array([sel.index]))))
        elif sel.kind == "case":
            self.selection_layer.set_point(
                float(self.case_layer.x[sel.index]), float(self.case_layer.y[sel.index])
            )
        else:
            layer = {"component": s.components, "camera": s.cameras, "supervisor": s.supervisors}[sel.kind]
            self.selection_layer.set_point(float(layer.x[sel.index]), float(layer.y[sel.index]))

    def clear_selection(self) -> None:
        had = self.selection is not None
        self.selection = None
        self.selection_layer.clear()
        if had:
            self.selection_changed.emit(None)

    def highlight_path(self, path: QPainterPath) -> None:
        self.selection_layer.set_path(path)
