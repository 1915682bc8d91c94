"""The map: clicking selects the right cell, component or camera and shows its details; hover,
search and fly-to, layer toggles, the choropleth and component filters."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from sqlalchemy import select

from data.models import Camera, Community, Component, Department, GridCell


def viewport_point(window, x: float, y: float) -> QPoint:
    """Where a local map point is on the map's viewport, in pixels."""
    scene = window.map.viewbox.mapViewToScene(QPointF(x, y))
    return window.map.view.mapFromScene(scene)


def zoom_to(window, qtbot, x: float, y: float, half_width: float = 150.0) -> None:
    window.map.set_view_rect(QRectF(x - half_width, y - half_width, 2 * half_width, 2 * half_width))
    window.map.view.viewport().repaint()
    qtbot.wait(10)


def isolated(xs: np.ndarray, ys: np.ndarray, others: list[tuple[np.ndarray, np.ndarray]], gap: float) -> int:
    """Index of a point at least ``gap`` metres from every other point of its own and the other layers."""
    for i in range(len(xs)):
        d = np.hypot(xs - xs[i], ys - ys[i])
        d[i] = np.inf
        if d.min() < gap:
            continue
        if all(len(ox) == 0 or np.hypot(ox - xs[i], oy - ys[i]).min() >= gap for ox, oy in others):
            return i
    raise AssertionError("no isolated point in the test city")


def test_click_on_a_cell_shows_its_details(open_window, qtbot, make_session):
    window = open_window()
    snap = window.snapshot
    window.map.set_layer_visible("cameras", False)
    window.map.set_layer_visible("supervisors", False)
    window.map.set_layer_visible("components", False)
    i = 37
    code = str(snap.cells.codes[i])
    pos = viewport_point(window, snap.cells.centroid_x[i], snap.cells.centroid_y[i])
    with qtbot.waitSignal(window.details_shown, timeout=5000) as shown:
        qtbot.mouseClick(window.map.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert shown.args == ["cell", code]
    assert window.map.selection.kind == "cell" and window.map.selection.key == code
    with make_session() as s:
        community = s.scalar(select(Community.name).where(Community.code == code[:12]))
        n_components = len(s.scalars(select(Component.id).where(Component.cell_code == code)).all())
        legacy = s.scalar(select(GridCell.legacy_code).where(GridCell.code == code))
    assert window.details.value_of("Cell code") == code
    assert window.details.value_of("Legacy code") == (legacy or "—")
    assert community in window.details.value_of("Community")
    assert window.details.value_of("District").endswith(f"({code[:6]})")
    assert window.details.title.text() == f"Cell {code}"
    assert f"Components ({n_components:,})" in window.details.sections


def test_click_on_a_component_shows_its_record_and_owner(open_window, qtbot, make_session):
    window = open_window()
    snap = window.snapshot
    comp, cams, sups = snap.components, snap.cameras, snap.supervisors
    i = isolated(comp.x, comp.y, [(cams.x, cams.y), (sups.x, sups.y)], gap=25.0)
    zoom_to(window, qtbot, comp.x[i], comp.y[i])
    assert not window.map.components.showing_overview and window.map.components.symbols_drawn > 0
    with qtbot.waitSignal(window.details_shown, timeout=5000) as shown:
        qtbot.mouseClick(
            window.map.view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=viewport_point(window, comp.x[i] + 1.0, comp.y[i]),
        )
    cid = str(comp.ids[i])
    assert shown.args == ["component", cid]
    with make_session() as s:
        row = s.execute(
            select(Component, Department.name)
            .join(Department, Department.code == Component.owner_code)
            .where(Component.id == cid)
        ).one()
    component, owner_name = row
    assert window.details.value_of("Component id") == cid
    assert window.details.value_of("Owner") == f"{owner_name} ({component.owner_code})"
    assert window.details.value_of("Cell") == component.cell_code
    assert window.details.value_of("Registered") == component.init_date.isoformat()


def test_click_on_a_camera_shows_status_view_and_stream(open_window, qtbot, make_session):
    window = open_window()
    snap = window.snapshot
    cams, sups = snap.cameras, snap.supervisors
    i = isolated(cams.x, cams.y, [(sups.x, sups.y)], gap=30.0)
    zoom_to(window, qtbot, cams.x[i], cams.y[i], half_width=400)
    assert window.map.fov.isVisible()  # wedges show when zoomed in
    with qtbot.waitSignal(window.details_shown, timeout=5000) as shown:
        qtbot.mouseClick(
            window.map.view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=viewport_point(window, cams.x[i], cams.y[i]),
        )
    cam_id = str(cams.ids[i])
    assert shown.args == ["camera", cam_id]
    with make_session() as s:
        cam = s.get(Camera, cam_id)
    assert window.details.value_of("Camera id") == cam_id
    assert window.details.value_of("Stream") == (cam.stream_url or "—")
    assert window.details.value_of("Status") == cam.status.capitalize()
    assert int(window.details.value_of("Cells in view").replace(",", "")) >= 1


def test_fields_of_view_show_only_when_zoomed_in(open_window, qtbot):
    from console.map.map_panel import FOV_BELOW

    window = open_window()
    window.map.show_whole_city()
    assert window.map.metres_per_pixel() > FOV_BELOW
    assert not window.map.fov.isVisible()
    # A 300 m square in the middle of the city: close enough to see where each camera looks.
    x0, y0, x1, y1 = window.snapshot.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    window.map.set_view_rect(QRectF(cx - 150, cy - 150, 300, 300))
    qtbot.waitUntil(lambda: window.map.metres_per_pixel() < FOV_BELOW, timeout=5000)
    assert window.map.fov.isVisible()
    window.map.show_whole_city()
    qtbot.waitUntil(lambda: not window.map.fov.isVisible(), timeout=5000)


def test_hover_tells_what_is_under_the_cursor_and_where(open_window, qtbot):
    window = open_window()
    snap = window.snapshot
    for key in ("cameras", "supervisors", "components"):
        window.map.set_layer_visible(key, False)
    i = 12
    qtbot.mouseMove(
        window.map.view.viewport(), viewport_point(window, snap.cells.centroid_x[i], snap.cells.centroid_y[i])
    )
    qtbot.waitUntil(lambda: str(snap.cells.codes[i]) in window.hover_label.text(), timeout=3000)
    assert "°E" in window.coords_label.text() and "°N" in window.coords_label.text()
    x, y = snap.to_city(snap.cells.centroid_x[i], snap.cells.centroid_y[i])
    assert f"{float(x):,.0f}"[:5] in window.coords_label.text()


@pytest.mark.parametrize("kind", ["cell", "component", "camera", "district"])
def test_search_flies_to_the_target_and_selects_it(open_window, qtbot, kind):
    window = open_window()
    snap = window.snapshot
    key = {
        "cell": str(snap.cells.codes[100]),
        "component": str(snap.components.ids[500]),
        "camera": str(snap.cameras.ids[3]),
        "district": str(snap.districts.codes[1]),
    }[kind]
    window.map.show_whole_city()
    window.search_box.setText(key)
    with qtbot.waitSignal(window.map.flight_finished, timeout=5000):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    view = window.map.view_rect()
    if kind == "cell":
        i = snap.cell_index(key)
        b = snap.cells.bounds[i]
        assert view.contains(QRectF(b[0], b[1], b[2] - b[0], b[3] - b[1]))
        assert view.width() < 2000  # it zoomed in
    elif kind in ("component", "camera"):
        layer = snap.components if kind == "component" else snap.cameras
        j = snap.component_index(key) if kind == "component" else snap.camera_index(key)
        assert view.contains(QPointF(layer.x[j], layer.y[j]))
        assert view.width() < 2000
    if kind == "district":
        assert window.details.kind == "district" and window.details.key == key
    else:
        assert window.map.selection.kind == kind and window.map.selection.key == key
        assert window.details.key == key


def test_search_for_nothing_says_so(open_window, qtbot):
    window = open_window()
    before = window.map.view_rect()
    assert window.search("no-such-thing") is None
    assert "Nothing found" in window.statusBar().currentMessage()
    assert window.map.view_rect() == before


def test_layer_checkboxes_toggle_map_items(open_window, qtbot):
    window = open_window()
    boxes = window.layers_panel.layer_boxes
    items = {
        "districts": window.map.district_lines,
        "streets": window.map.street_lines,
        "cells": window.map.cell_outlines,
        "choropleth": window.map.choropleth,
        "components": window.map.components,
        "cameras": window.map.cameras,
        "supervisors": window.map.supervisors,
        "labels": window.map.labels,
        "roads": window.map.road_lines,
    }
    for key, item in items.items():
        assert item.isVisible(), key
        boxes[key].setChecked(False)
        assert not item.isVisible(), key
        boxes[key].setChecked(True)
        assert item.isVisible(), key


def test_choropleth_measure_changes_fill_and_legend(open_window, qtbot):
    window = open_window()
    assert window.map.choropleth.filled_classes >= 3
    window.layers_panel.set_measure("supervisor")
    assert window.map.choropleth.filled_classes >= 3
    window.layers_panel.set_measure("open_cases")  # no cases yet: nothing filled, legend says so
    assert window.map.choropleth.filled_classes == 0
    texts = [w.text() for w in window.layers_panel.legend.findChildren(type(window.hover_label))]
    assert "No data yet" in texts


def test_cell_raster_holds_each_cell_at_its_centroid(open_window, qtbot):
    window = open_window()
    qtbot.waitUntil(lambda: window.map.choropleth.has_raster, timeout=20_000)
    snap, raster = window.snapshot, window.map.choropleth._raster
    for i in range(0, len(snap.cells.codes), 7):
        col = int((snap.cells.centroid_x[i] - raster.x0) // raster.res)
        row = int((raster.y1 - snap.cells.centroid_y[i]) // raster.res)
        assert raster.ids[row, col] == i + 1


def test_raster_and_path_fills_paint_the_same_colours(open_window, qtbot):
    """Zoomed out the choropleth recolours the raster, zoomed in it fills paths: same colour per cell."""
    window = open_window()
    qtbot.waitUntil(lambda: window.map.choropleth.has_raster, timeout=20_000)
    m, snap = window.map, window.snapshot
    for key in (
        "cells",
        "districts",
        "streets",
        "communities",
        "labels",
        "roads",
        "components",
        "cameras",
        "supervisors",
    ):
        m.set_layer_visible(key, False)
    i = 50
    cx, cy = snap.cells.centroid_x[i], snap.cells.centroid_y[i]

    def colour_at_centroid(half_width: float):
        m.set_view_rect(QRectF(cx - half_width, cy - half_width, 2 * half_width, 2 * half_width))
        image = m.view.viewport().grab().toImage()
        p = viewport_point(window, cx, cy)
        return m.choropleth.used_raster, image.pixelColor(p).name()

    used_raster, zoomed_out = colour_at_centroid(1500)
    used_paths, zoomed_in = colour_at_centroid(60)
    assert used_raster and not used_paths
    assert zoomed_out == zoomed_in


def test_component_filter_hides_by_major_and_state(open_window):
    window = open_window()
    comp = window.snapshot.components
    window.layers_panel.major_boxes[0].setChecked(False)
    assert np.array_equal(window.map.components.visible, comp.major_idx != 0)
    window.layers_panel.state_boxes[0].setChecked(False)  # intact
    assert np.array_equal(window.map.components.visible, (comp.major_idx != 0) & (comp.state_idx != 0))


@pytest.mark.parametrize("typed", ["{id}", "#{id}", "案{id}", "case {id}"])
def test_search_by_case_id_flies_to_the_case_and_opens_it(open_window, qtbot, make_session, typed):
    import datetime as dt

    from modes.common.clock import FixedClock
    from modes.everyday.cases import Actor, CaseDesk
    from modes.everyday.routing import Router

    with make_session() as s, s.begin():
        router = Router.load(s)
        p = router.grid.polygons[150].representative_point()
        doc, _ = CaseDesk(s, FixedClock(dt.datetime(2009, 9, 18, 9, 0)), router=router).report(
            Actor.of("operator", "op"), x=p.x, y=p.y, channel="hotline", type_code="06010"
        )
    case_id = doc["id"]
    window = open_window()
    snap = window.snapshot
    window.map.show_whole_city()
    window.search_box.setText(typed.format(id=case_id))
    with qtbot.waitSignal(window.map.flight_finished, timeout=5000):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    (lx,), (ly,) = snap.to_local([p.x], [p.y])
    view = window.map.view_rect()
    assert view.contains(QPointF(lx, ly)) and view.width() < 2000
    assert window.cases.panel.case_id == case_id
    assert window.everyday_page.tabs.currentIndex() == window.cases.panel_tab
    assert window.map.selection.kind == "cell" and window.map.selection.key == doc["cell"]


def test_search_for_a_case_that_does_not_exist_says_so(open_window):
    window = open_window()
    assert window.search("#987654321") is None
    assert "Nothing found" in window.statusBar().currentMessage()
