"""Empty pages say what to do, and an incident's cordons are described as they were made.

The emergency page with no incident says how to open one (New incident…, or a right-click on the map in
emergency mode, which opens the form at that place and writes nothing); a status filter that finds none
says so; the case queue says which filter to loosen; the alarm board and the exercise controller say
what fills them. The incident summary gives radii for radius cordons and "drawn by hand" with the areas
the impact computed for drawn ones.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMenu
from shapely.geometry import Point

from data import journal
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.door import LocalDoor
from modes.common.mode_switch import Mode
from tests.console import test_emergency_panel

NOW = dt.datetime(2009, 9, 18, 10, 0)
# The same city as the emergency panel's tests: the small demo city with its units, hospitals, shelters.
city_url, index = test_emergency_panel.city_url, test_emergency_panel.index


def commander_door(make_session) -> LocalDoor:
    return LocalDoor(
        city_bus(),
        make_session,
        FixedClock(NOW),
        Actor.of("commander", "city_commander", login="city_commander"),
    )


def in_emergency(window, qtbot):
    if window.mode != Mode.EMERGENCY:
        with qtbot.waitSignal(window.mode_changed, timeout=10_000):
            window.switch_now(Mode.EMERGENCY, "test")
    console = window.emergency
    qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=30_000)
    return console


def last_seq(make_session) -> int:
    with make_session() as s:
        return journal.last_seq(s)


# Run first in the module: the city has no incident yet.
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_incidents_says_how_to_open_one(open_window, qtbot, lang):
    window = open_window("city_commander", lang)
    console = in_emergency(window, qtbot)
    panel = console.panels[0]
    assert console.board.incidents == ()
    assert panel.empty_hint.isVisible() and not panel.table.isVisible()
    text = panel.empty_hint.text()
    if lang == "en":
        assert text == (
            "No incidents. Open one with New incident…, or in emergency mode (F3) right-click the map "
            "where it is."
        )
    else:
        assert "新事件…" in text and "右键" in text and "No incidents" not in text

    panel.filter_box.setCurrentIndex(panel.filter_box.findData("closed"))
    qtbot.waitUntil(lambda: console.status_filter == "closed" and not console._loading, timeout=10_000)
    expected = "No incident is Closed. Show all statuses to see the others." if lang == "en" else "已关闭"
    assert expected in panel.empty_hint.text()


def test_a_role_that_may_not_open_is_not_told_to(open_window, qtbot):
    window = open_window("city_operator")
    console = window.emergency
    console.refresh()
    qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=30_000)
    assert console.panels[0].empty_hint.text() == "No incidents."


# A popup menu on the offscreen platform: the plugin says it cannot raise it or grab the keyboard.
@pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise", "does not support grabbing the keyboard"
)
def test_a_right_click_on_the_map_opens_the_form_there(open_window, qtbot, make_session, index):
    window = open_window("city_commander")
    console = in_emergency(window, qtbot)
    panel = console.panels[0]
    window.page_for[Mode.EMERGENCY].tabs.setCurrentIndex(2)  # another tab: the click brings Incidents back
    assert not panel.form.isVisible()
    before = last_seq(make_session)

    site = index.cell_polygons[len(index.cell_codes) // 3].representative_point()
    origin = window.snapshot.origin
    view = window.map.view
    scene_pos = window.map.viewbox.mapViewToScene(QPointF(site.x - origin[0], site.y - origin[1]))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=view.mapFromScene(scene_pos))
    qtbot.waitUntil(lambda: bool(window.map.findChildren(QMenu)), timeout=5000)
    menu = window.map.findChildren(QMenu)[-1]
    assert [a.text() for a in menu.actions()] == ["Open an incident here…"]
    menu.actions()[0].trigger()

    assert window.page_for[Mode.EMERGENCY].tabs.currentWidget() is panel
    assert panel.form.isVisible()
    # The place clicked, within a map pixel or two.
    assert (
        Point(panel.form.x_box.value(), panel.form.y_box.value()).distance(site)
        < 3 * window.map.metres_per_pixel()
    )
    assert last_seq(make_session) == before  # nothing is written until the form is sent


def test_a_role_that_may_not_open_incidents_gets_no_menu(open_window, qtbot):
    window = open_window("city_operator")
    view = window.map.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=view.viewport().rect().center())
    qtbot.wait(50)
    assert not window.map.findChildren(QMenu)


def test_drawn_cordons_are_described_as_drawn(open_window, qtbot, make_session, index):
    door = commander_door(make_session)
    site = index.cell_polygons[len(index.cell_codes) // 2].representative_point()
    inner = site.buffer(60).envelope  # squares: no radius could make them
    outer = site.buffer(220).envelope
    drawn = door.execute(
        "incident.open",
        {"type": "fire", "level": "III", "x": site.x, "y": site.y, "title": "Drawn",
         "inner_cordon": inner.wkt, "outer_cordon": outer.wkt},
    )["id"]  # fmt: skip
    half = door.execute(
        "incident.open",
        {"type": "fire", "level": "III", "x": site.x, "y": site.y, "title": "Half drawn",
         "inner_cordon": inner.wkt, "outer_radius_m": 300},
    )["id"]  # fmt: skip
    round_ = door.execute(
        "incident.open",
        {"type": "fire", "level": "III", "x": site.x, "y": site.y, "title": "Round",
         "inner_radius_m": 100, "outer_radius_m": 300},
    )["id"]  # fmt: skip

    window = open_window("city_commander")
    console = in_emergency(window, qtbot)
    panel = console.panels[0]

    def summary_of(incident_id: int) -> str:
        console.select(incident_id)
        qtbot.waitUntil(
            lambda: (
                console.board.selected is not None
                and console.board.selected.id == incident_id
                and console.board.impact is not None
                and not console._loading
            ),
            timeout=30_000,
        )
        return panel.summary.text()

    text = summary_of(drawn)
    impact = console.board.impact
    assert (
        f"cordons drawn by hand (inner {impact.inner.area_m2:,.0f} m², outer {impact.outer.area_m2:,.0f} m²)"
        in text
    )
    assert round(impact.inner.area_m2) == round(inner.area) and "100 m" not in text
    text = summary_of(half)
    assert f"cordons: inner drawn by hand ({console.board.impact.inner.area_m2:,.0f} m²), outer 300 m" in text
    assert "cordons 100 m / 300 m" in summary_of(round_)


def test_the_queue_alarm_board_and_controller_say_what_fills_them(open_window, qtbot, make_session, index):
    window = open_window("city_commander")
    queue = window.cases.queue
    assert queue.model.rowCount() == 0  # the demo city has no case yet
    assert queue.empty_hint.isVisibleTo(queue)
    assert queue.empty_hint.text() == (
        "No cases yet: reports come in from the Intake tab, the supervisors' devices and the 12319 hotline."
    )

    site = index.cell_polygons[0].representative_point()
    LocalDoor(
        city_bus(),
        make_session,
        FixedClock(NOW),
        Actor.of("operator", "city_operator", login="city_operator"),
    ).execute(
        "case.report", {"x": site.x, "y": site.y, "type": "06010", "channel": "hotline", "text": "litter"}
    )
    queue.refresh()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=10_000)
    assert not queue.empty_hint.isVisibleTo(queue)
    queue.search_box.setText("nothing like this anywhere 7c1f")
    queue.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0 and not queue.model.pending, timeout=10_000)
    assert queue.empty_hint.isVisibleTo(queue)
    assert queue.empty_hint.text().startswith("No case matches these filters: set a filter back to Any…")

    assert window.civil_defence.alarms.alarm_label.text().startswith("No alarm issued. The board fills when")
    assert window.controller_page.title.text().startswith("No exercise has been run. Start… loads")
