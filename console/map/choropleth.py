"""Choropleth classes: per-cell values into a handful of colour classes (Qt-free maths).

The map takes any per-cell value array (population now; open, overdue and per-capita cases and
supervisor patches as the case loop fills them), so a new measure is one function and one palette.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEQUENTIAL_COOL = ("#1a2c40", "#1d4560", "#206474", "#357f72", "#8a9a4e")
SEQUENTIAL_WARM = ("#3d2418", "#6e3216", "#a5461a", "#d8692a", "#ffae4a")
CATEGORICAL = ("#3b6ea8", "#4f9d69", "#b0804a", "#8a5fa8", "#a8485a", "#3f9aa0", "#9a9a48", "#6a7a8c")


@dataclass(frozen=True)
class Classes:
    """Class of each cell (-1: not filled) and the class bounds shown in the legend."""

    of_cell: np.ndarray
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...] = ()  # the legend's text per class, where bounds alone do not say it

    @property
    def count(self) -> int:
        return len(self.colours)


def quantile_classes(values: np.ndarray, palette: tuple[str, ...], *, zero_is_empty: bool = False) -> Classes:
    """Quantile breaks over the finite (and, if asked, non-zero) values; ties merge classes."""
    values = np.asarray(values, dtype=float)
    of_cell = np.full(len(values), -1, dtype=np.int64)
    ok = np.isfinite(values)
    if zero_is_empty:
        ok &= values != 0
    if not ok.any():
        return Classes(of_cell, (), (), ())
    k = len(palette)
    breaks = np.unique(np.quantile(values[ok], np.linspace(0, 1, k + 1)))
    if len(breaks) == 1:
        breaks = np.array([breaks[0], breaks[0]])
    n = len(breaks) - 1
    # Spread the palette over the classes that survived the ties, keeping its ends.
    pick = np.round(np.linspace(0, k - 1, n)).astype(int) if n > 1 else np.array([k - 1])
    idx = np.clip(np.searchsorted(breaks, values[ok], side="right") - 1, 0, n - 1)
    of_cell[ok] = idx
    return Classes(
        of_cell,
        tuple(float(b) for b in breaks[:-1]),
        tuple(float(b) for b in breaks[1:]),
        tuple(palette[i] for i in pick),
    )


def fixed_classes(
    values: np.ndarray, breaks: tuple[float, ...], palette: tuple[str, ...]
) -> tuple[np.ndarray, tuple[float, ...], tuple[float, ...]]:
    """Classes between fixed ``breaks`` (the last class takes its upper bound in): a class per cell
    (-1 for a value outside the breaks or not finite) and the classes' bounds."""
    values = np.asarray(values, dtype=float)
    of_cell = np.full(len(values), -1, dtype=np.int64)
    edges = np.asarray(breaks, dtype=float)
    ok = np.isfinite(values) & (values >= edges[0]) & (values <= edges[-1])
    of_cell[ok] = np.clip(np.searchsorted(edges, values[ok], side="right") - 1, 0, len(palette) - 1)
    return of_cell, tuple(float(b) for b in edges[:-1]), tuple(float(b) for b in edges[1:])


def categorical_classes(category: np.ndarray, palette: tuple[str, ...] = CATEGORICAL) -> Classes:
    """Colour by category (e.g. supervisor patches): neighbours rarely share a colour when the
    categories are numbered along the grid; -1 stays unfilled."""
    category = np.asarray(category)
    of_cell = np.where(category >= 0, category % len(palette), -1).astype(np.int64)
    return Classes(of_cell, (), (), tuple(palette))
