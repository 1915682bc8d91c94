"""The map's colour classes: quantiles over the values, categories by index."""

from __future__ import annotations

import numpy as np

from console.map.choropleth import categorical_classes, fixed_classes, quantile_classes


def test_quantile_classes_cover_the_values():
    values = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, np.nan, 0])
    classes = quantile_classes(values, ("a", "b", "c", "d", "e"), zero_is_empty=True)
    assert classes.of_cell[0] == -1 and classes.of_cell[10] == -1
    assert set(classes.of_cell[1:10]) == set(range(classes.count))
    assert classes.lower[0] == 1 and classes.upper[-1] == 9
    # Ties collapse classes instead of producing empty ones.
    same = quantile_classes(np.full(10, 4.0), ("a", "b", "c"))
    assert same.count == 1 and set(same.of_cell) == {0}
    assert set(categorical_classes(np.array([-1, 0, 9]), ("x", "y")).of_cell) == {-1, 0, 1}


def test_fixed_classes_take_each_lower_bound_in_and_the_top_bound_too():
    values = np.array([0.0, 0.049, 0.05, 0.2, 1.0, np.nan, -3.0, 1.5])
    of_cell, lower, upper = fixed_classes(values, (0.0, 0.05, 0.2, 1.0), ("a", "b", "c"))
    assert of_cell.tolist() == [0, 0, 1, 2, 2, -1, -1, -1]
    assert (lower, upper) == ((0.0, 0.05, 0.2), (0.05, 0.2, 1.0))
