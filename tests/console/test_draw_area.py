"""Drawing an incident's area and cordons on the map with real mouse clicks and keys (offscreen): the
incident opens over exactly what was drawn, its impact is modes.emergency's for that polygon, a redrawn
outer cordon changes the affected cells, a ring that crosses itself or has too few corners is refused
with the reason and nothing is written, and Esc cancels.
"""

from __future__ import annotations

import math

import pytest
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt

from console.emergency.services import drawn_polygon, site_of
from console.map.draw_tool import DRAW_COLOUR
from data import journal
from data.emergency_models import Incident
from data.geometry import GeometryError
from modes.common.clock import FixedClock
from modes.emergency.desk import IncidentDesk
from modes.emergency.impact import incident_cordons, incident_impact
from modes.emergency.incidents import Actor
from tests.console.test_emergency_panel import (  # noqa: F401 - the shared fixtures
    NOW,
    city_url,
    emergency_window,
    index,
    show_form,
    site,
)


def viewport_point(window, x: float, y: float) -> QPoint:
    """Where a city-CRS point is on the map's viewport, in pixels."""
    ox, oy = window.snapshot.origin
    scene = window.map.viewbox.mapViewToScene(QPointF(x - ox, y - oy))
    return window.map.view.mapFromScene(scene)


def city_point(window, pos: QPoint) -> tuple[float, float]:
    """The city-CRS point a viewport pixel stands for (what a click there lands on)."""
    ox, oy = window.snapshot.origin
    p = window.map.viewbox.mapSceneToView(window.map.view.mapToScene(pos))
    return p.x() + ox, p.y() + oy


def look_at(window, qtbot, x: float, y: float, half: float) -> None:
    window.map.fly_to_city_bounds((x - half, y - half, x + half, y + half), animate=False, min_size=1.0)
    window.map.view.viewport().repaint()
    qtbot.wait(10)


def click_corners(window, qtbot, corners, close: str = "double") -> tuple[tuple[float, float], ...]:
    """Click each corner on the map; close by double-clicking the last one (as a user does: its first
    click places it) or by Enter. Returns the corners as the clicked pixels map back."""
    viewport = window.map.view.viewport()
    clicked = []
    for i, (x, y) in enumerate(corners):
        pos = viewport_point(window, x, y)
        clicked.append(city_point(window, pos))
        qtbot.mouseMove(viewport, pos)
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
        if close == "double" and i == len(corners) - 1:
            qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    if close == "enter":
        qtbot.keyClick(window.map.view, Qt.Key.Key_Return)
    return tuple(clicked)


def flat(ring) -> list[float]:
    return [c for corner in ring for c in corner]


def pentagon(x: float, y: float, r: float) -> list[tuple[float, float]]:
    return [(x + r * math.cos(a), y + r * math.sin(a)) for a in (2 * math.pi * k / 5 + 0.3 for k in range(5))]


def wait_board(console, qtbot, predicate) -> None:
    qtbot.waitUntil(
        lambda: console.board is not None and not console._loading and predicate(), timeout=20_000
    )


def open_drawn(window, qtbot, x: float, y: float, r: float = 70.0):
    """Open a gas-leak incident over a pentagon drawn with real clicks; (board's incident, drawn ring)."""
    console = window.emergency
    panel, form = console.panels[0], console.panels[0].form
    show_form(panel, qtbot)
    form.choose("0403", "II")
    look_at(window, qtbot, x, y, 2 * r)
    qtbot.mouseClick(form.draw_buttons["new_area"], Qt.MouseButton.LeftButton)
    assert console.drawing == "new_area" and console.draw_tool.active
    ring = click_corners(window, qtbot, pentagon(x, y, r), close="double")
    assert not console.draw_tool.active and console.drawing is None
    assert flat(form.drawn["new_area"]) == pytest.approx(flat(ring), abs=1e-6)
    assert console.last_message == "Drawn the incident area: 5 corners."
    assert "area (5 corners)" in form.drawn_label.text()
    before = {v.id for v in console.board.incidents}
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(form.open_button, Qt.MouseButton.LeftButton)
    wait_board(
        console, qtbot, lambda: console.board.selected is not None and console.board.selected.id not in before
    )
    return console.board.selected, ring


def test_an_incident_opened_over_a_drawn_area_has_that_area_and_its_impact(
    emergency_window,  # noqa: F811
    qtbot,
    make_session,
    index,  # noqa: F811
):
    window = emergency_window("commander")
    console = window.emergency
    x, y = site(index, 2)
    view, ring = open_drawn(window, qtbot, x, y)
    drawn = shapely.Polygon(ring)
    m_per_px = window.map.metres_per_pixel()
    # The clicks landed where the pentagon's corners are (to a pixel), and the stored area is the ring.
    assert shapely.hausdorff_distance(drawn, shapely.Polygon(pentagon(x, y, 70.0))) <= 1.5 * m_per_px
    with make_session() as s:
        incident = s.get(Incident, view.id)
        assert incident.area is not None and incident.area.geom_type == "Polygon"
        assert shapely.hausdorff_distance(incident.area, drawn) < 1e-6
        assert incident.area.area == pytest.approx(drawn.area, rel=1e-9)
        assert (incident.x, incident.y) == pytest.approx(site_of(drawn), abs=1e-6)
        assert drawn.contains(shapely.Point(incident.x, incident.y))
        expected = incident_impact(s, index, incident, at=NOW)
        _, inner, outer = incident_cordons(incident)
    # The cordons are buffers of the radii around the area, not around a point.
    assert outer.contains(drawn) and inner.contains(drawn)
    assert inner.area > drawn.buffer(view.inner_radius_m * 0.9).area
    summary = expected.summary()
    values = console.panels[1].values
    assert summary["cells"] > 0
    assert values["cells"].text() == f"{summary['cells']:,}"
    assert values["population"].text() == f"{summary['population']:,}"
    assert values["components"].text() == f"{summary['components']:,}"
    # The map draws the cordons around the area (map-local coordinates).
    ox, oy = window.snapshot.origin
    rect = window.map.emergency.outer.boundingRect()
    assert view.id in window.map.emergency.incident_ids
    assert rect.contains(QPointF(x - ox, y - oy))
    assert rect.width() >= outer.bounds[2] - outer.bounds[0] - 1.0


def test_a_new_incident_at_a_picked_point_takes_a_drawn_outer_cordon(
    emergency_window,  # noqa: F811
    qtbot,
    make_session,
    index,  # noqa: F811
):
    window = emergency_window("commander")
    console = window.emergency
    panel, form = console.panels[0], console.panels[0].form
    x, y = site(index, 4)
    show_form(panel, qtbot)
    form.choose("fire", "III")
    look_at(window, qtbot, x, y, 400.0)
    viewport = window.map.view.viewport()
    qtbot.mouseClick(form.pick_button, Qt.MouseButton.LeftButton)
    pos = viewport_point(window, x, y)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    px, py = city_point(window, pos)
    assert (form.x_box.value(), form.y_box.value()) == (
        pytest.approx(px, abs=0.06),
        pytest.approx(py, abs=0.06),
    )
    qtbot.mouseClick(form.draw_buttons["new_outer"], Qt.MouseButton.LeftButton)
    corners = [(x - 300, y - 200), (x + 350, y - 250), (x + 250, y + 300), (x - 320, y + 220)]
    ring = click_corners(window, qtbot, corners, close="enter")
    assert "new_area" not in form.drawn and len(form.drawn["new_outer"]) == 4
    before = {v.id for v in console.board.incidents}
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(form.open_button, Qt.MouseButton.LeftButton)
    wait_board(
        console, qtbot, lambda: console.board.selected is not None and console.board.selected.id not in before
    )
    assert form.drawn == {}  # used: the next incident starts afresh
    with make_session() as s:
        incident = s.get(Incident, console.board.selected.id)
        assert incident.area is None and (incident.x, incident.y) == pytest.approx((px, py), abs=0.06)
        assert shapely.hausdorff_distance(incident.outer_cordon, shapely.Polygon(ring)) < 1e-6
        expected = incident_impact(s, index, incident, at=NOW).summary()
    assert console.panels[1].values["cells"].text() == f"{expected['cells']:,}"


def test_redrawing_the_outer_cordon_changes_the_affected_cells(
    emergency_window,  # noqa: F811
    qtbot,
    make_session,
    index,  # noqa: F811
):
    window = emergency_window("commander")
    console = window.emergency
    x, y = site(index, 5)
    view, _ = open_drawn(window, qtbot, x, y, r=50.0)
    impact_panel = console.panels[1]
    with make_session() as s:
        before = incident_impact(s, index, s.get(Incident, view.id), at=NOW).summary()

    half = 900.0  # a rectangle far wider than the default outer cordon
    look_at(window, qtbot, x, y, half * 1.2)
    assert impact_panel.draw_buttons["outer"].isEnabled()
    qtbot.mouseClick(impact_panel.draw_buttons["outer"], Qt.MouseButton.LeftButton)
    assert console.drawing == "outer"
    corners = [
        (x - half, y - half * 0.6),
        (x + half, y - half * 0.6),
        (x + half, y + half * 0.6),
        (x - half, y + half * 0.6),
    ]
    with qtbot.waitSignal(console.written, timeout=20_000):
        ring = click_corners(window, qtbot, corners, close="enter")
    wait_board(
        console, qtbot, lambda: console.board.selected.id == view.id and console.board.impact is not None
    )
    qtbot.waitUntil(lambda: impact_panel.values["cells"].text() != f"{before['cells']:,}", timeout=20_000)
    with make_session() as s:
        incident = s.get(Incident, view.id)
        assert shapely.hausdorff_distance(incident.outer_cordon, shapely.Polygon(ring)) < 1e-6
        after = incident_impact(s, index, incident, at=NOW).summary()
    assert after["cells"] > before["cells"]
    assert impact_panel.values["cells"].text() == f"{after['cells']:,}"
    assert impact_panel.values["population"].text() == f"{after['population']:,}"
    ox, _ = window.snapshot.origin
    rect = window.map.emergency.outer.boundingRect()
    assert rect.left() <= x - half - ox + 2.0 and rect.right() >= x + half - ox - 2.0


def test_a_bow_tie_or_too_few_corners_are_refused_and_nothing_is_written(
    emergency_window,  # noqa: F811
    qtbot,
    make_session,
    index,  # noqa: F811
):
    window = emergency_window("commander")
    console = window.emergency
    x, y = site(index, 0)
    view, _ = open_drawn(window, qtbot, x, y, r=60.0)
    impact_panel = console.panels[1]
    with make_session() as s:
        seq = journal.last_seq(s)
        outer_before = s.get(Incident, view.id).outer_cordon
    d = 100.0
    bow_tie = [(x - d, y - d), (x + d, y + d), (x + d, y - d), (x - d, y + d)]
    look_at(window, qtbot, x, y, 2 * d)

    qtbot.mouseClick(impact_panel.draw_buttons["outer"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(console.refused, timeout=20_000) as refused:
        click_corners(window, qtbot, bow_tie, close="enter")
    assert refused.args[0].startswith("the outer cordon is not a valid polygon: Self-intersection")
    assert "Self-intersection" in console.panels[0].message.text()

    # Two corners: no polygon.
    qtbot.mouseClick(impact_panel.draw_buttons["area"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(console.refused, timeout=20_000) as refused:
        click_corners(window, qtbot, bow_tie[:2], close="double")
    assert refused.args[0] == "the incident area needs at least 3 corners, got 2"

    # The open form judges a drawn area at once: the bow-tie never reaches it.
    form = console.panels[0].form
    show_form(console.panels[0], qtbot)
    qtbot.mouseClick(form.draw_buttons["new_area"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(console.refused, timeout=5_000) as refused:
        click_corners(window, qtbot, bow_tie, close="double")
    assert "not a valid polygon" in refused.args[0]
    assert "new_area" not in form.drawn

    qtbot.waitUntil(lambda: not console._loading, timeout=20_000)
    with make_session() as s:
        assert journal.last_seq(s) == seq
        incident = s.get(Incident, view.id)
        assert (incident.outer_cordon is None) == (outer_before is None)
        assert incident.area is not None and len(shapely.get_coordinates(incident.area.exterior)) == 6


def test_backspace_takes_back_a_corner_and_esc_cancels(
    emergency_window,  # noqa: F811
    qtbot,
    make_session,
    index,  # noqa: F811
):
    window = emergency_window("commander")
    console = window.emergency
    x, y = site(index, 3)
    look_at(window, qtbot, x, y, 200.0)
    with make_session() as s:
        seq = journal.last_seq(s)
    selection = window.map.selection
    form = console.panels[0].form
    show_form(console.panels[0], qtbot)
    qtbot.mouseClick(form.draw_buttons["new_area"], Qt.MouseButton.LeftButton)
    tool = console.draw_tool
    clicked = click_corners(window, qtbot, pentagon(x, y, 80.0)[:3], close="none")
    assert flat(tool.vertices) == pytest.approx(flat(clicked), abs=1e-6)
    assert tool.item.isVisible() and not tool.item.boundingRect().isEmpty()
    # Drawn on the map: the first corner's mark in the drawing colour, the others white.
    image = window.map.view.viewport().grab().toImage()
    first, second = (viewport_point(window, *c) for c in clicked[:2])
    assert image.pixelColor(first).name() == DRAW_COLOUR.name()
    assert image.pixelColor(second).name() == "#ffffff"
    # The rubber band follows the cursor.
    cursor = viewport_point(window, x, y)
    qtbot.mouseMove(window.map.view.viewport(), cursor)
    qtbot.waitUntil(lambda: tool.item.cursor is not None)
    ox, oy = window.snapshot.origin
    cx, cy = city_point(window, cursor)
    assert (tool.item.cursor.x() + ox, tool.item.cursor.y() + oy) == pytest.approx((cx, cy), abs=1e-6)
    # Clicks while drawing place corners; they select nothing on the map.
    assert window.map.selection == selection

    qtbot.keyClick(window.map.view, Qt.Key.Key_Backspace)
    assert flat(tool.vertices) == pytest.approx(flat(clicked[:2]), abs=1e-6)
    with qtbot.waitSignal(tool.cancelled, timeout=5_000):
        qtbot.keyClick(window.map.view, Qt.Key.Key_Escape)
    assert not tool.active and not tool.item.isVisible() and console.drawing is None
    assert "new_area" not in form.drawn
    assert "cancelled" in console.last_message
    with make_session() as s:
        assert journal.last_seq(s) == seq


def test_a_role_that_may_not_change_the_area_is_told_before_drawing_and_refused_after(
    emergency_window,  # noqa: F811
    qtbot,
    make_session,
    index,  # noqa: F811
):
    x, y = site(index, 6)
    square = shapely.Polygon([(x - 40, y - 40), (x + 40, y - 40), (x + 40, y + 40), (x - 40, y + 40)])
    with make_session() as s, s.begin():
        opened = IncidentDesk(s, FixedClock(NOW), index=index).open(
            Actor.of("commander", "王指挥"), type_code="flood", level="III", area=square.wkt
        )["id"]
    window = emergency_window("operator")
    console = window.emergency
    impact_panel = console.panels[1]
    console.select(opened)
    wait_board(
        console, qtbot, lambda: console.board.selected is not None and console.board.selected.id == opened
    )
    for button in impact_panel.draw_buttons.values():
        assert not button.isEnabled()
        assert "may change an incident's area" in button.toolTip() and "Commander" in button.toolTip()
    with make_session() as s:
        seq = journal.last_seq(s)
    # Asked anyway (a script, a stale button): the rules refuse with their reason; nothing is written.
    look_at(window, qtbot, x, y, 150.0)
    console.start_drawing("inner")
    with qtbot.waitSignal(console.refused, timeout=20_000) as refused:
        click_corners(window, qtbot, pentagon(x, y, 30.0), close="enter")
    assert "operator may not change an incident's area" in refused.args[0]
    with make_session() as s:
        assert journal.last_seq(s) == seq
        assert s.get(Incident, opened).inner_cordon is None


@pytest.mark.parametrize(
    ("ring", "reason"),
    [
        ([(0, 0), (10, 0)], "needs at least 3 corners, got 2"),
        ([(0, 0), (10, 0), (10, 0), (0, 0)], "needs at least 3 corners, got 2"),
        ([(0, 0), (10, 10), (10, 0), (0, 10)], "not a valid polygon: Self-intersection"),
        ([(0, 0), (10, 0), (20, 0)], "no area: its 3 corners lie on one line"),
    ],
)
def test_drawn_polygon_names_the_problem(ring, reason):
    with pytest.raises(GeometryError, match=reason):
        drawn_polygon(ring, "the incident area")


def test_drawn_polygon_drops_repeated_corners():
    polygon = drawn_polygon([(0, 0), (10, 0), (10, 0), (10, 10), (0, 0)], "the incident area")
    assert len(shapely.get_coordinates(polygon.exterior)) == 4 and polygon.area == 50.0
