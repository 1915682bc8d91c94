"""What the choropleth can show: one per-cell value array per measure.

Population is there from the start; the case measures count the case table per cell
(``modes.everyday.case_map.open_cases_per_cell``), which the everyday case loop fills. A new measure is
an entry here (a label, a palette and a function of a session, the snapshot and the time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.map.choropleth import (
    CATEGORICAL,
    SEQUENTIAL_COOL,
    SEQUENTIAL_WARM,
    Classes,
    categorical_classes,
    fixed_classes,
    quantile_classes,
)
from modes.common.city_picture import CitySnapshot, components_per_cell, per_thousand_people
from modes.everyday.case_map import open_cases_per_cell
from modes.everyday.coverage import cell_coverage

# (a database session, the city snapshot, now) -> one value per cell
Compute = Callable[[Any, CitySnapshot, dt.datetime], np.ndarray]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # source text, context "Measures"
    unit: str  # source text, context "Measures"
    palette: tuple[str, ...]
    compute: Compute
    zero_is_empty: bool = False
    categorical: bool = False
    uses_cases: bool = False
    classes: Callable[[np.ndarray], Classes] | None = None  # fixed classes of its own, with legend labels

    def title(self) -> str:
        return QCoreApplication.translate("Measures", self.label)

    def unit_label(self) -> str:
        return QCoreApplication.translate("Measures", self.unit) if self.unit else ""

    def classify(self, values: np.ndarray) -> Classes:
        if self.classes is not None:
            return self.classes(values)
        if self.categorical:
            return categorical_classes(values.astype(np.int64), self.palette)
        return quantile_classes(values, self.palette, zero_is_empty=self.zero_is_empty)


def _pop_night(session, snap, now):
    return snap.cells.pop_night.astype(float)


def _pop_day(session, snap, now):
    return snap.cells.pop_day.astype(float)


def _density(session, snap, now):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(snap.cells.area_m2 > 0, snap.cells.pop_night / (snap.cells.area_m2 / 1e6), np.nan)


def _components(session, snap, now):
    return components_per_cell(snap)


def _open_cases(session, snap, now):
    return open_cases_per_cell(session, snap.cells.codes)


def _overdue(session, snap, now):
    return open_cases_per_cell(session, snap.cells.codes, overdue_at=now)


def _per_thousand(session, snap, now):
    return per_thousand_people(open_cases_per_cell(session, snap.cells.codes), snap)


def _supervisor_patches(session, snap, now):
    sup = snap.cells.supervisor_id
    # Number patches in the order they appear along the (row-ordered) cell codes: neighbours differ.
    _, first = np.unique(sup, return_index=True)
    order = np.argsort(np.argsort(first))
    _, inverse = np.unique(sup, return_inverse=True)
    return np.where(sup >= 0, order[inverse.ravel()], -1)


# Supervisor coverage quality (docs/coverage_quality.md): the share of a cell's problems in the duty hours
# that the public reported first; the more, the weaker the patrol's coverage. Fixed classes, so a colour
# means the same share on any day, and a grey class for cells with too few problems to judge.
COVERAGE_BREAKS = (0.0, 0.05, 0.10, 0.20, 0.35, 1.0)
COVERAGE_COLOURS = ("#2e8b57", "#7fae3e", "#e0b228", "#e07b28", "#d0342c")
TOO_FEW_COLOUR = "#59636e"


def _coverage(session, snap, now):
    """The share per cell; a cell with too few problems carries minus the minimum (its grey class and
    the legend's "fewer than N" read it back); NaN without a problem."""
    c = cell_coverage(session, snap.cells.codes, now)
    return np.where(c.problems == 0, np.nan, np.where(c.enough, c.share, -float(c.min_problems)))


def _coverage_classes(values: np.ndarray) -> Classes:
    of_cell, lower, upper = fixed_classes(values, COVERAGE_BREAKS, COVERAGE_COLOURS)
    labels = [f"{lo * 100:.0f} – {hi * 100:.0f} %" for lo, hi in zip(lower, upper, strict=True)]
    too_few = np.isfinite(values) & (values < 0)
    colours = COVERAGE_COLOURS
    if too_few.any():
        of_cell = np.where(too_few, len(COVERAGE_COLOURS), of_cell)
        minimum = int(-values[too_few].max())
        labels.append(QCoreApplication.translate("Measures", "too few: under {n} problems").format(n=minimum))
        colours = (*COVERAGE_COLOURS, TOO_FEW_COLOUR)
        lower, upper = (*lower, float("nan")), (*upper, float("nan"))
    if not (of_cell >= 0).any():
        return Classes(of_cell, (), (), ())
    return Classes(of_cell, lower, upper, colours, tuple(labels))


MEASURES: tuple[Measure, ...] = (
    Measure("pop_night", QT_TRANSLATE_NOOP("Measures", "Residents per cell"), QT_TRANSLATE_NOOP("Measures", "people"), SEQUENTIAL_COOL, _pop_night),
    Measure("pop_day", QT_TRANSLATE_NOOP("Measures", "Daytime population per cell"), QT_TRANSLATE_NOOP("Measures", "people"), SEQUENTIAL_COOL, _pop_day),
    Measure("density", QT_TRANSLATE_NOOP("Measures", "Residents per km²"), QT_TRANSLATE_NOOP("Measures", "people/km²"), SEQUENTIAL_COOL, _density),
    Measure("components", QT_TRANSLATE_NOOP("Measures", "Components per cell"), QT_TRANSLATE_NOOP("Measures", "components"), SEQUENTIAL_COOL, _components, zero_is_empty=True),
    Measure("open_cases", QT_TRANSLATE_NOOP("Measures", "Open cases"), QT_TRANSLATE_NOOP("Measures", "cases"), SEQUENTIAL_WARM, _open_cases, zero_is_empty=True, uses_cases=True),
    Measure("overdue_cases", QT_TRANSLATE_NOOP("Measures", "Overdue cases"), QT_TRANSLATE_NOOP("Measures", "cases"), SEQUENTIAL_WARM, _overdue, zero_is_empty=True, uses_cases=True),
    Measure("cases_per_1000", QT_TRANSLATE_NOOP("Measures", "Open cases per 1,000 people"), QT_TRANSLATE_NOOP("Measures", "cases"), SEQUENTIAL_WARM, _per_thousand, zero_is_empty=True, uses_cases=True),
    Measure("supervisor", QT_TRANSLATE_NOOP("Measures", "Supervisor patches"), "", CATEGORICAL, _supervisor_patches, categorical=True),
    Measure("coverage", QT_TRANSLATE_NOOP("Measures", "Supervisor coverage: public-first share"), "", COVERAGE_COLOURS, _coverage, uses_cases=True, classes=_coverage_classes),
)  # fmt: skip

MEASURE_BY_KEY = {m.key: m for m in MEASURES}
