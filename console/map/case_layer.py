"""The everyday mode's live cases on the map: every open case as one symbol in one ``PointLayer``.

Colour says where the case stands in the loop (a small fixed palette, one colour per group of states);
an overdue case is filled red, drawn larger and ringed in its state's colour; an urgent case is a star
instead of a disc. The style of a point is ``class * 4 + urgent * 2 + overdue``, so a refresh is numpy
only. The layer draws while the city is in everyday mode and its checkbox is on.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.everyday import case_texts
from console.map.layers import PointLayer, PointStyle

CASE_LAYER_KEYS = ("cases",)

# Groups of states, in loop order: (label, colour, states).
CASE_CLASSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        QT_TRANSLATE_NOOP("CaseLayer", "Reported / awaiting verification"),
        "#f5f7fa",  # white: new, not yet sorted (and unlike the supervisors' blue)
        ("reported", "verifying", "not_found"),
    ),
    (
        QT_TRANSLATE_NOOP("CaseLayer", "Accepted / filed, awaiting dispatch"),
        "#b388ff",
        ("accepted", "self_fix_review", "filed"),
    ),
    (
        QT_TRANSLATE_NOOP("CaseLayer", "Dispatched / in handling"),
        "#ffc13b",
        ("dispatched", "handling", "extension_requested", "return_requested", "suspension_requested"),
    ),
    (QT_TRANSLATE_NOOP("CaseLayer", "Suspended"), "#8a96a3", ("suspended",)),
    (
        QT_TRANSLATE_NOOP("CaseLayer", "Fed back / awaiting check"),
        "#4cd07d",
        ("feedback", "checking", "checked", "rework_pending"),
    ),
)
CLASS_OF_STATE: dict[str, int] = {
    state: k for k, (_, _, states) in enumerate(CASE_CLASSES) for state in states
}
OVERDUE_COLOUR = "#ff3b30"
COMPACT_ABOVE = 6.0  # metres per pixel beyond which the symbols shrink (as cameras and supervisors)


def case_style(colour_class: int, *, urgent: bool = False, overdue: bool = False) -> int:
    return colour_class * 4 + int(urgent) * 2 + int(overdue)


def case_styles() -> list[PointStyle]:
    styles = []
    for _label, colour, _states in CASE_CLASSES:
        for symbol, size in (("o", 8), ("star", 13)):
            styles.append(PointStyle(symbol, size, colour, "#0a0f14", 1.0))
            # Overdue: red, larger, and ringed in the state's colour so the stage still shows.
            styles.append(PointStyle(symbol, size + 4, OVERDUE_COLOUR, colour, 2.5))
    return styles


def class_label(k: int) -> str:
    return QCoreApplication.translate("CaseLayer", CASE_CLASSES[k][0])


class OpenCaseColumns(Protocol):
    """What the layer draws (``modes.everyday.case_map.OpenCases``)."""

    ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    state_idx: np.ndarray
    urgent: np.ndarray
    overdue: np.ndarray
    states: tuple[str, ...]

    def __len__(self) -> int: ...

    def state_of(self, i: int) -> str: ...

    def type_name_of(self, i: int) -> str: ...


class CaseLayer:
    """Owns the case symbols; ``MapPanel`` adds the item and asks it for picks and hover texts."""

    def __init__(self, *, z: float = 8.5):
        self.points = PointLayer(case_styles(), z=z, compact_above_m_per_px=COMPACT_ABOVE)
        self.items = (self.points,)
        self.in_mode = True  # the city is in everyday mode
        self.layer_on = True  # the user's checkbox
        self.cases: OpenCaseColumns | None = None
        self.ids = np.empty(0, dtype=np.int64)
        self.colour_class = np.empty(0, dtype=np.int16)
        self._row_of: dict[int, int] = {}
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

    def apply(self, on: dict[str, bool]) -> None:
        """Follow the map's layer switches (``MapPanel._apply_visibility``)."""
        self.layer_on = on.get("cases", True)
        self._apply()

    def _apply(self) -> None:
        for item in self.items:
            item.setVisible(self.visible)

    # --- data ------------------------------------------------------------------------------------------

    def set_cases(self, cases: OpenCaseColumns, origin: tuple[float, float]) -> None:
        """Draw ``cases`` (city CRS) on a map whose local coordinates start at ``origin``."""
        classes = np.array([CLASS_OF_STATE.get(s, 0) for s in cases.states] or [0], dtype=np.int16)
        self.colour_class = classes[cases.state_idx] if len(cases) else np.empty(0, dtype=np.int16)
        style = self.colour_class * 4 + cases.urgent.astype(np.int16) * 2 + cases.overdue.astype(np.int16)
        self.cases = cases
        self.ids = cases.ids
        self._row_of = {int(v): i for i, v in enumerate(cases.ids.tolist())}
        self.points.set_points(cases.x - origin[0], cases.y - origin[1], style)

    @property
    def x(self) -> np.ndarray:
        return self.points.x

    @property
    def y(self) -> np.ndarray:
        return self.points.y

    def index_of(self, case_id: int) -> int:
        return self._row_of.get(int(case_id), -1)

    def nearest(self, x: float, y: float, radius: float) -> int:
        """The case drawn nearest a local point within ``radius`` metres (-1: none). Among cases at the
        same spot the one drawn last (on top, overdue) wins, as the user sees it."""
        if not len(self.points.x):
            return -1
        d2 = (self.points.x - x) ** 2 + (self.points.y - y) ** 2
        best = float(d2.min())
        if best > radius * radius:
            return -1
        return int(np.flatnonzero(d2 <= best)[-1])

    def describe(self, i: int) -> str:
        c = self.cases
        if c is None or not 0 <= i < len(c):
            return ""
        parts = [
            QCoreApplication.translate("CaseLayer", "Case {id}").format(id=int(c.ids[i])),
            c.type_name_of(i),
            case_texts.state_label(c.state_of(i)),
        ]
        if c.overdue[i]:
            parts.append(QCoreApplication.translate("CaseLayer", "overdue"))
        if c.urgent[i]:
            parts.append(QCoreApplication.translate("CaseLayer", "urgent"))
        return " · ".join(parts)
