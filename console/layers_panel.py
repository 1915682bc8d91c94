"""The left panel: which layers show, what the choropleth measures (with its legend), and which
components are drawn (by major class, state and type)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.everyday.moment_box import MomentBox
from console.map.case_layer import CASE_CLASSES, case_style, case_styles, class_label
from console.map.choropleth import Classes
from console.map.layers import swatch_pixmap, symbol_pixmap
from console.map.map_panel import component_styles
from console.measures import MEASURES, Measure
from console.room import PanelScroll
from modes.common.city_picture import COMPONENT_STATES

LAYER_LABELS = {
    "districts": QT_TRANSLATE_NOOP("LayersPanel", "District boundaries"),
    "streets": QT_TRANSLATE_NOOP("LayersPanel", "Street boundaries"),
    "communities": QT_TRANSLATE_NOOP("LayersPanel", "Community boundaries"),
    "labels": QT_TRANSLATE_NOOP("LayersPanel", "Area names"),
    "roads": QT_TRANSLATE_NOOP("LayersPanel", "Main roads"),
    "cells": QT_TRANSLATE_NOOP("LayersPanel", "Grid cells"),
    "choropleth": QT_TRANSLATE_NOOP("LayersPanel", "Colour cells by"),
    "components": QT_TRANSLATE_NOOP("LayersPanel", "Components"),
    "cameras": QT_TRANSLATE_NOOP("LayersPanel", "Cameras"),
    "fov": QT_TRANSLATE_NOOP("LayersPanel", "Fields of view (zoomed in)"),
    "supervisors": QT_TRANSLATE_NOOP("LayersPanel", "Supervisors"),
    "cd_sirens": QT_TRANSLATE_NOOP("LayersPanel", "Sirens and audible circles"),
    "cd_coverage": QT_TRANSLATE_NOOP("LayersPanel", "Siren coverage and gaps"),
    "cd_shelters": QT_TRANSLATE_NOOP("LayersPanel", "Shelters by load"),
    "cd_flows": QT_TRANSLATE_NOOP("LayersPanel", "Evacuation flows"),
    "incidents": QT_TRANSLATE_NOOP("LayersPanel", "Incidents, cordons and dispatched units"),
    "cases": QT_TRANSLATE_NOOP("LayersPanel", "Open cases"),
}


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.1f}"


class LayersPanel(QFrame):
    layer_toggled = Signal(str, bool)
    measure_changed = Signal(str)
    component_filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("side_panel")
        self.layer_boxes: dict[str, QCheckBox] = {}
        self.major_boxes: list[QCheckBox] = []
        self.state_boxes: list[QCheckBox] = []

        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(8, 4, 8, 8)
        col.setSpacing(6)

        title = QLabel(self.tr("Map layers"))
        title.setObjectName("panel_title")
        col.addWidget(title)

        everyday = QGroupBox(self.tr("Everyday city management"))
        everyday.setObjectName("everyday_layers")
        v = QVBoxLayout(everyday)
        v.addWidget(self._layer_box("cases"))
        self.case_legend = self._case_legend()
        v.addWidget(self.case_legend)
        self.case_moment = MomentBox()  # the open cases now, or at a past moment
        v.addWidget(self.case_moment)
        col.addWidget(everyday)

        areas = QGroupBox(self.tr("Areas"))
        v = QVBoxLayout(areas)
        for key in ("districts", "streets", "communities", "labels", "roads"):
            v.addWidget(self._layer_box(key))
        col.addWidget(areas)

        grid = QGroupBox(self.tr("Unit grid"))
        v = QVBoxLayout(grid)
        v.addWidget(self._layer_box("cells"))
        v.addWidget(self._layer_box("choropleth"))
        self.measure_box = QComboBox()
        self.measure_box.setObjectName("measure_box")
        for m in MEASURES:
            self.measure_box.addItem(m.title(), m.key)
        self.measure_box.currentIndexChanged.connect(self._on_measure_changed)
        v.addWidget(self.measure_box)
        self.legend = QWidget()
        self.legend_grid = QGridLayout(self.legend)
        self.legend_grid.setContentsMargins(4, 2, 4, 2)
        self.legend_grid.setVerticalSpacing(2)
        v.addWidget(self.legend)
        col.addWidget(grid)

        comps = QGroupBox(self.tr("Components"))
        self.components_group = comps
        v = QVBoxLayout(comps)
        v.addWidget(self._layer_box("components"))
        self.majors_area = QVBoxLayout()
        v.addLayout(self.majors_area)
        states_label = QLabel(self.tr("State"))
        states_label.setObjectName("panel_hint")
        v.addWidget(states_label)
        states_row = QGridLayout()
        for i, state in enumerate(COMPONENT_STATES):
            box = QCheckBox(texts.component_state_label(state))
            box.setChecked(True)
            box.toggled.connect(lambda _on: self.component_filter_changed.emit())
            self.state_boxes.append(box)
            states_row.addWidget(box, i // 2, i % 2)
        v.addLayout(states_row)
        self.type_box = QComboBox()
        self.type_box.setObjectName("type_box")
        self.type_box.addItem(self.tr("All types"), None)
        self.type_box.currentIndexChanged.connect(lambda _i: self.component_filter_changed.emit())
        v.addWidget(self.type_box)
        self.zoom_hint = QLabel(self.tr("Zoom in to see each component's symbol."))
        self.zoom_hint.setObjectName("panel_hint")
        self.zoom_hint.setWordWrap(True)
        v.addWidget(self.zoom_hint)
        col.addWidget(comps)

        field = QGroupBox(self.tr("Field"))
        v = QVBoxLayout(field)
        for key in ("cameras", "fov", "supervisors"):
            v.addWidget(self._layer_box(key))
        col.addWidget(field)

        civil_defence = QGroupBox(self.tr("Civil air defence"))
        civil_defence.setObjectName("civil_defence_layers")
        v = QVBoxLayout(civil_defence)
        for key in ("cd_sirens", "cd_coverage", "cd_shelters", "cd_flows"):
            v.addWidget(self._layer_box(key))
        col.addWidget(civil_defence)

        emergency = QGroupBox(self.tr("Emergency rescue"))
        emergency.setObjectName("emergency_layers")
        v = QVBoxLayout(emergency)
        v.addWidget(self._layer_box("incidents"))
        col.addWidget(emergency)
        col.addStretch(1)
        self.mode_groups = {"everyday": everyday, "civil-defence": civil_defence, "emergency": emergency}
        # The mode's own group comes first, under the title.
        for group in (civil_defence, emergency):
            col.removeWidget(group)
            col.insertWidget(2, group)

        scroll = PanelScroll(body)  # as wide as its widest layer's name
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def set_mode(self, mode: str) -> None:
        """Only the current mode's own group shows; the shared groups stay."""
        for name, group in self.mode_groups.items():
            group.setVisible(name == mode)

    def _layer_box(self, key: str) -> QCheckBox:
        box = QCheckBox(QCoreApplication.translate("LayersPanel", LAYER_LABELS[key]))
        box.setObjectName(f"layer_{key}")
        box.setChecked(True)
        box.toggled.connect(lambda on, k=key: self.layer_toggled.emit(k, on))
        self.layer_boxes[key] = box
        return box

    def _case_legend(self) -> QWidget:
        """The case layer's symbols: one per state group, then what overdue and urgent look like."""
        legend = QWidget()
        legend.setObjectName("case_legend")
        grid = QGridLayout(legend)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setVerticalSpacing(2)
        styles = case_styles()
        rows = [(case_style(k), class_label(k)) for k in range(len(CASE_CLASSES))]
        rows += [
            (case_style(2, overdue=True), self.tr("Overdue (red, ringed in its state's colour)")),
            (case_style(2, urgent=True), self.tr("Urgent (star)")),
        ]
        for r, (style, text) in enumerate(rows):
            swatch = QLabel()
            swatch.setPixmap(symbol_pixmap(styles[style], 16))
            label = QLabel(text)
            label.setObjectName("panel_hint")
            label.setWordWrap(True)
            grid.addWidget(swatch, r, 0)
            grid.addWidget(label, r, 1)
        grid.setColumnStretch(1, 1)
        return legend

    def set_components(self, majors: tuple[str, ...], types: list[tuple[str, str, int]]) -> None:
        """Majors (standard names) get a checkbox with their map symbol; types (code, name, count) the combo."""
        for box in self.major_boxes:
            box.hide()
            box.deleteLater()
        self.major_boxes = []
        styles = component_styles(len(majors))
        for i, major in enumerate(majors):
            box = QCheckBox(texts.component_major_label(major))
            box.setIcon(QIcon(symbol_pixmap(styles[i * 4])))
            box.setChecked(True)
            box.toggled.connect(lambda _on: self.component_filter_changed.emit())
            self.majors_area.addWidget(box)
            self.major_boxes.append(box)
        self.type_box.blockSignals(True)
        while self.type_box.count() > 1:
            self.type_box.removeItem(1)
        for code, name, count in types:
            self.type_box.addItem(f"{name} ({code}) · {count:,}", code)
        self.type_box.blockSignals(False)

    def component_filter(self) -> tuple[set[int], set[int], str | None]:
        majors = {i for i, b in enumerate(self.major_boxes) if b.isChecked()}
        states = {i for i, b in enumerate(self.state_boxes) if b.isChecked()}
        return majors, states, self.type_box.currentData()

    def measure_key(self) -> str:
        return self.measure_box.currentData()

    def set_measure(self, key: str) -> None:
        i = self.measure_box.findData(key)
        if i >= 0:
            self.measure_box.setCurrentIndex(i)

    def _on_measure_changed(self, _index: int) -> None:
        self.measure_changed.emit(self.measure_key())

    def set_legend(self, measure: Measure, classes: Classes) -> None:
        while self.legend_grid.count():
            item = self.legend_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # deleteLater waits for the event loop; do not show both meanwhile
                item.widget().deleteLater()
        if classes.count == 0:
            empty = QLabel(self.tr("No data yet"))
            empty.setObjectName("panel_hint")
            self.legend_grid.addWidget(empty, 0, 0, 1, 2)
            return
        if measure.categorical:
            note = QLabel(self.tr("One colour per patch"))
            note.setObjectName("panel_hint")
            swatches = QHBoxLayout()
            for c in classes.colours:
                sw = QLabel()
                sw.setPixmap(swatch_pixmap(c, 12))
                swatches.addWidget(sw)
            holder = QWidget()
            holder.setLayout(swatches)
            self.legend_grid.addWidget(holder, 0, 0, 1, 2)
            self.legend_grid.addWidget(note, 1, 0, 1, 2)
            return
        unit = measure.unit_label()
        for r, (colour, lo, hi) in enumerate(zip(classes.colours, classes.lower, classes.upper, strict=True)):
            sw = QLabel()
            sw.setPixmap(swatch_pixmap(colour))
            label = classes.labels[r] if classes.labels else f"{_fmt(lo)} – {_fmt(hi)} {unit}".rstrip()
            text = QLabel(label)
            text.setObjectName("panel_hint")
            text.setProperty("data_text", True)
            self.legend_grid.addWidget(sw, r, 0)
            self.legend_grid.addWidget(text, r, 1)

    def set_zoom_hint_visible(self, visible: bool) -> None:
        self.zoom_hint.setVisible(visible)
