"""The emergency console driven as a user would (offscreen): open an incident from the panel, escalate a
case, dispatch the suggested unit and move its task on the board, refusals for roles that may not act,
the log, the ICS positions, the briefing export, the timeline replay and the map layers in the mode.

The city is the small demo city with every mode's demo set (``data.demo.seed_demo``); the figures the
panel shows are held to ``modes.emergency`` computed directly on the same database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from console.emergency import texts
from console.emergency.tables import LEVEL_COLUMN, OVERDUE_BG
from data import journal
from data.emergency_models import Incident
from modes.common.clock import FixedClock
from modes.common.mode_switch import Mode
from modes.emergency import incidents as inc
from modes.emergency.desk import IncidentDesk
from modes.emergency.impact import ImpactIndex, incident_impact
from modes.emergency.incidents import Actor
from modes.emergency.resources import UnitIndex
from modes.everyday.cases import Actor as CaseActor
from modes.everyday.cases import CaseDesk
from tests.console.conftest import copy_template

NOW = dt.datetime(2009, 9, 18, 10, 0)  # the console fixtures' clock


@pytest.fixture(scope="module")
def city_url(small_demo_template, tmp_path_factory) -> str:
    return copy_template(small_demo_template, tmp_path_factory)


@pytest.fixture(scope="module")
def index(make_session) -> ImpactIndex:
    with make_session() as s:
        return ImpactIndex.load(s)


@pytest.fixture
def emergency_window(qtbot, services_for, translations):
    """A loaded window in emergency mode (English), its emergency board loaded; ``clock`` to move time."""
    from console.main_window import MainWindow

    def build(role: str = "commander", clock: FixedClock | None = None):
        translations("en")
        window = MainWindow(services_for(role, clock))
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        window.watcher.stop()  # tests drive the refreshes themselves
        if window.mode != Mode.EMERGENCY and window.services.may_switch(Mode.EMERGENCY):
            with qtbot.waitSignal(window.mode_changed, timeout=10_000):
                window.switch_now(Mode.EMERGENCY, "test")
        console = window.emergency
        if not console.active:  # a role that may not switch the city: the page is read as it is
            console.refresh()
        qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=30_000)
        return window

    return build


def site(index: ImpactIndex, k: int) -> tuple[float, float]:
    """A point well inside the city: the representative point of a cell spread over the grid."""
    n = len(index.cell_codes)
    p = index.cell_polygons[(n * (k + 1)) // 8].representative_point()
    return p.x, p.y


def show_form(panel, qtbot) -> None:
    if not panel.form.isVisible():
        qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert panel.form.isVisible()


def open_from_panel(window, qtbot, x: float, y: float, type_code: str = "0403", level: str = "II", **kw):
    """Fill the open form as a user does (location by a map click) and wait for the incident's board."""
    console = window.emergency
    panel, form = console.panels[0], console.panels[0].form
    show_form(panel, qtbot)
    form.choose(type_code, level)
    qtbot.mouseClick(form.pick_button, Qt.MouseButton.LeftButton)
    assert console.picking
    ox, oy = window.snapshot.origin
    console.pick_local(x - ox, y - oy)  # what a click on the map at (x, y) does
    assert (form.x_box.value(), form.y_box.value()) == (
        pytest.approx(x, abs=0.06),
        pytest.approx(y, abs=0.06),
    )
    form.title_edit.setText(kw.get("title", ""))
    form.commander_edit.setText(kw.get("commander", ""))
    before = {v.id for v in console.board.incidents}
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(form.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            console.board is not None
            and console.board.selected is not None
            and console.board.selected.id not in before
            and not console._loading
        ),
        timeout=20_000,
    )
    return console.board.selected


def test_an_incident_opened_from_the_panel_is_listed_with_its_colour_and_impact(
    emergency_window, qtbot, make_session, index
):
    window = emergency_window("commander")
    x, y = site(index, 0)
    view = open_from_panel(window, qtbot, x, y, "0403", "II", title="燃气管道破裂", commander="李指挥")
    console = window.emergency
    panel, impact_panel = console.panels[0], console.panels[1]

    row = panel.model.row_of(view.id)
    assert row >= 0
    level_cell = panel.model.index(row, LEVEL_COLUMN)
    assert panel.model.data(level_cell, Qt.ItemDataRole.BackgroundRole).color() == QColor("#f57c00")
    assert panel.model.data(level_cell) == texts.level_short("II")
    assert panel.model.data(panel.model.index(row, 5)) == "李指挥"  # the commander given in the form

    # Several incidents at once: a second, level I, is listed red beside the first.
    x2, y2 = site(index, 3)
    second = open_from_panel(window, qtbot, x2, y2, "fire", "I")
    rows = {v.id: i for i, v in enumerate(panel.model.rows)}
    assert {view.id, second.id} <= set(rows)
    red = panel.model.data(panel.model.index(rows[second.id], LEVEL_COLUMN), Qt.ItemDataRole.BackgroundRole)
    assert red.color() == QColor("#d32f2f")

    # The impact numbers are modes.emergency's, computed directly.
    console.select(view.id)
    qtbot.waitUntil(lambda: console.board.selected.id == view.id and not console._loading, timeout=20_000)
    with make_session() as s:
        incident = s.get(Incident, view.id)
        expected = incident_impact(s, index, incident, at=NOW)
    summary = expected.summary()
    values = impact_panel.values
    assert values["cells"].text() == f"{summary['cells']:,}"
    assert values["population"].text() == f"{summary['population']:,}"
    assert values["components"].text() == f"{summary['components']:,}"
    assert values["cameras"].text() == f"{summary['cameras']:,}"
    assert values["communities"].text() == f"{summary['communities']:,}"
    assert summary["cells"] > 0 and summary["population"] > 0
    assert [d.department for d in impact_panel.departments.rows] == [
        d.department for d in expected.components
    ]
    assert [c.id for c in impact_panel.cameras.rows] == [c.id for c in expected.cameras]
    assert len(impact_panel.places.rows) == summary["shelters_nearby"] + summary["hospitals_nearby"]

    # Clicking a camera of the impact selects it on the map and shows its details.
    if impact_panel.cameras.rows:
        camera = impact_panel.cameras.rows[0]
        with qtbot.waitSignal(window.details_shown, timeout=5000) as shown:
            impact_panel._on_camera_clicked(impact_panel.cameras.index(0, 0))
        assert shown.args == ["camera", camera.id]
        assert window.map.selection.kind == "camera" and window.map.selection.key == camera.id

    # A changed cordon recomputes the impact.
    with qtbot.waitSignal(console.written, timeout=20_000):
        console.change_radii(200.0, 800.0)
    qtbot.waitUntil(
        lambda: console.board.selected.outer_radius_m == 800.0 and not console._loading, timeout=20_000
    )
    with make_session() as s:
        wider = incident_impact(s, index, s.get(Incident, view.id), at=NOW).summary()
    assert wider["cells"] > summary["cells"]
    assert values["cells"].text() == f"{wider['cells']:,}"


def test_escalating_a_case_links_both_ways(emergency_window, qtbot, make_session, index):
    x, y = site(index, 5)
    with make_session() as s, s.begin():
        case, _ = CaseDesk(s, FixedClock(NOW)).report(
            CaseActor.of("operator"), x=x, y=y, channel="hotline", type_code="06010", text="路面塌陷"
        )
    case_id = case["id"]
    window = emergency_window("commander")
    console = window.emergency
    form = console.panels[0].form
    show_form(console.panels[0], qtbot)
    queue = getattr(getattr(window, "cases", None), "queue", None)
    if queue is not None:  # the case selected in the everyday queue is the one to escalate
        queue.case_selected.emit(case_id)
    else:
        form.set_case(case_id)
    assert form.case_box.value() == case_id
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(form.escalate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            console.board.selected is not None
            and console.board.selected.case_id == case_id
            and not console._loading
        ),
        timeout=20_000,
    )
    incident_id = console.board.selected.id
    assert str(case_id) in console.panels[0].summary.text()
    with make_session() as s:
        assert s.get(Incident, incident_id).case_id == case_id  # incident -> case
        assert inc.incident_for_case(s, case_id) == incident_id  # case -> incident (its journal)
    assert console.services.incident_for_case(case_id) == incident_id
    # Escalating the same case again is refused with the rules' reason.
    show_form(console.panels[0], qtbot)
    with qtbot.waitSignal(console.refused, timeout=20_000) as refused:
        qtbot.mouseClick(form.escalate_button, Qt.MouseButton.LeftButton)
    assert f"already escalated to incident {incident_id}" in refused.args[0]


def test_dispatch_the_suggested_unit_then_move_its_task_and_see_it_overdue(
    emergency_window, qtbot, make_session, index
):
    clock = FixedClock(NOW)
    window = emergency_window("commander", clock=clock)
    console = window.emergency
    resources = console.panels[2]
    x, y = site(index, 1)
    view = open_from_panel(window, qtbot, x, y, "0403", "III")
    resources.need_box.setCurrentIndex(resources.need_box.findData("gas_repair"))
    qtbot.waitUntil(
        lambda: (
            resources.suggestions.rows
            and all(u.capability == "gas_repair" for u in resources.suggestions.rows)
        ),
        timeout=20_000,
    )
    with make_session() as s:
        nearest = UnitIndex.load(s).nearest(x, y, 10, "gas_repair")
    assert [u.unit_id for u in resources.suggestions.rows] == [u.unit_id for u in nearest]
    assert resources.dispatch_button.isEnabled()
    unit = resources.selected_unit()
    assert unit.unit_id == nearest[0].unit_id

    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(resources.dispatch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(resources.tasks.rows) == 1 and not console._loading, timeout=20_000)
    task = resources.tasks.rows[0]
    assert (task.unit_id, task.status, task.incident_id) == (unit.unit_id, "assigned", view.id)
    # The dispatched unit is no longer suggested, and the map shows it with its line to the incident.
    qtbot.waitUntil(
        lambda: unit.unit_id not in [u.unit_id for u in resources.suggestions.rows], timeout=20_000
    )
    assert unit.unit_id in window.map.emergency.unit_ids
    assert not window.map.emergency.unit_lines.boundingRect().isEmpty()

    resources.select_task(task.task_id)
    assert resources.task_buttons["en_route"].isEnabled()
    assert not resources.task_buttons["done"].isEnabled()  # assigned -> done skips the steps
    assert "cannot become Done" in resources.task_buttons["done"].toolTip()
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(resources.task_buttons["en_route"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: resources.tasks.rows[0].status == "en_route" and not console._loading, timeout=20_000
    )
    cell = resources.tasks.index(0, 0)
    assert resources.tasks.data(cell, Qt.ItemDataRole.BackgroundRole) is None

    # Past its due time (the injected clock moves), the task turns red.
    clock.set(task.due_at + dt.timedelta(minutes=1))
    console.refresh()
    qtbot.waitUntil(lambda: resources.tasks.rows[0].overdue and not console._loading, timeout=20_000)
    assert resources.tasks.data(cell, Qt.ItemDataRole.BackgroundRole).color() == QColor(OVERDUE_BG)
    assert resources.overdue_label.text() != ""

    resources.select_task(task.task_id)
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(resources.task_buttons["on_scene"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: resources.tasks.rows[0].status == "on_scene" and not console._loading, timeout=20_000
    )
    resources.select_task(task.task_id)
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(resources.task_buttons["done"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: resources.tasks.rows[0].status == "done" and not console._loading, timeout=20_000)
    assert resources.tasks.data(cell, Qt.ItemDataRole.BackgroundRole) is None  # done: no longer overdue
    assert unit.unit_id not in window.map.emergency.unit_ids


@pytest.mark.parametrize("role", ["operator", "dispatcher"])
def test_a_role_not_allowed_is_refused_with_the_reason(emergency_window, qtbot, make_session, index, role):
    x, y = site(index, 2)
    with make_session() as s, s.begin():  # an incident to try to dispatch to
        an_incident = IncidentDesk(s, FixedClock(NOW), index=index).open(
            Actor.of("commander", "王指挥"), type_code="fire", level="IV", x=x, y=y
        )["id"]
    window = emergency_window(role)
    console = window.emergency
    panel, resources = console.panels[0], console.panels[2]
    assert not panel.new_button.isEnabled()
    assert not panel.open_hint.isHidden()  # shown with the page (the city may not be in emergency mode)
    assert "may not open incidents" in panel.open_hint.text() and "Commander" in panel.open_hint.text()
    assert not resources.dispatch_button.isEnabled()
    assert "may not dispatch units" in resources.dispatch_hint.text()
    with make_session() as s:
        before = journal.last_seq(s)
    # Asking anyway (a script, a stale button): refused with the reason, nothing written.
    with qtbot.waitSignal(console.refused, timeout=5000) as refused:
        console.open_incident(type_code="fire", level="IV", x=x, y=y)
    assert "may not open incidents" in refused.args[0]
    console.select(an_incident)
    qtbot.waitUntil(lambda: console.board.selected is not None and not console._loading, timeout=20_000)
    assert not panel.status_buttons["closed"].isEnabled()
    assert "may not do this" in panel.status_buttons["closed"].toolTip()
    with make_session() as s:
        unit = UnitIndex.load(s).nearest(x, y, 1)[0].unit_id
    with qtbot.waitSignal(console.refused, timeout=20_000) as refused:
        console.dispatch(unit)
    article = "an" if role == "operator" else "a"
    assert refused.args[0] == f"{article} {role} may not dispatch units (only commander)"
    assert console.last_message.endswith(refused.args[0])
    with make_session() as s:
        assert journal.last_seq(s) == before


def test_log_roles_briefing_and_timeline(emergency_window, qtbot, index, tmp_path):
    window = emergency_window("commander")
    console = window.emergency
    command = console.panels[3]
    x, y = site(index, 4)
    view = open_from_panel(window, qtbot, x, y, "building_collapse", "II", title="教学楼倒塌")

    command.entry.setText("现场已封锁，疏散居民")
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(command.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(e.text == "现场已封锁，疏散居民" for e in command.log.rows), timeout=20_000)
    entry = next(e for e in command.log.rows if e.text == "现场已封锁，疏散居民")
    assert entry.actor == window.services.login.actor
    assert command.log.data(command.log.index(command.log.rows.index(entry), 2)) == "现场已封锁，疏散居民"

    command.position_box.setCurrentIndex(command.position_box.findData("operations"))
    command.person_edit.setText("李行动")
    command.agency_edit.setText("消防支队")
    with qtbot.waitSignal(console.written, timeout=20_000):
        qtbot.mouseClick(command.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("operations", "李行动", "消防支队") in command.roles.rows, timeout=20_000)
    assert len(command.roles.rows) == len(texts.POSITION_ORDER)

    # Timeline replay: the slider steps through the journal's events of the incident.
    qtbot.waitUntil(lambda: not console._loading, timeout=20_000)
    events = console.board.timeline
    assert [e.kind for e in events][:1] == ["incident.opened"]
    assert {"incident.log", "incident.role"} <= {e.kind for e in events}
    assert command.slider.maximum() == len(events) - 1
    assert len(command.timeline.rows) == len(events)
    command.slider.setValue(0)
    assert len(command.timeline.rows) == 1 and "opened" in command.step_label.text()
    command.slider.setValue(command.slider.maximum())
    assert len(command.timeline.rows) == len(events)

    out = tmp_path / "brief.html"
    written = []
    console.export_briefing(out, done=written.append)
    qtbot.waitUntil(lambda: bool(written), timeout=20_000)
    html = out.read_text(encoding="utf-8")
    for fact in (
        "ICS 201",
        f"#{view.id}",
        "教学楼倒塌",
        "建筑物倒塌",
        "现场已封锁，疏散居民",
        "李行动",
        "消防支队",
    ):
        assert fact in html, fact
    pdf = tmp_path / "brief.pdf"
    console.export_briefing(pdf, done=written.append)
    qtbot.waitUntil(lambda: len(written) == 2, timeout=30_000)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    # A file of another kind is refused with the reason; nothing is written.
    console.export_briefing(tmp_path / "brief.docx", done=written.append)
    qtbot.waitUntil(lambda: "docx" in console.last_message, timeout=20_000)
    assert len(written) == 2 and not (tmp_path / "brief.docx").exists()


def test_the_layers_draw_in_emergency_mode_only(emergency_window, qtbot, index):
    window = emergency_window("commander")
    console = window.emergency
    layers = window.map.emergency
    if not console.board.shapes:
        x, y = site(index, 6)
        open_from_panel(window, qtbot, x, y, "flood", "III")
    qtbot.waitUntil(lambda: bool(layers.incident_ids), timeout=20_000)
    assert layers.visible and layers.incidents.isVisible() and layers.outer.isVisible()
    assert set(layers.incident_ids) == {s.id for s in console.board.shapes}
    assert not layers.outer.boundingRect().isEmpty() and not layers.inner.boundingRect().isEmpty()
    console.fly_to_incident()
    window.map.view.viewport().repaint()
    assert layers.incidents.symbols_drawn >= 1

    window.layers_panel.layer_boxes["incidents"].setChecked(False)
    assert not layers.incidents.isVisible()
    window.layers_panel.layer_boxes["incidents"].setChecked(True)
    assert layers.incidents.isVisible()

    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.switch_now(Mode.EVERYDAY, "test")
    assert not layers.visible and not layers.incidents.isVisible() and not layers.outer.isVisible()


def test_an_incident_opened_elsewhere_appears_when_the_journal_advances(
    emergency_window, qtbot, make_session, index
):
    window = emergency_window("commander")
    console = window.emergency
    assert console.active  # the city is in emergency mode: the board follows the journal
    x, y = site(index, 0)
    with make_session() as s, s.begin():  # another console, the command line or a district node
        opened = IncidentDesk(s, FixedClock(NOW), index=index).open(
            Actor.of("commander", "赵指挥"), type_code="hazmat", level="I", x=x + 40, y=y
        )["id"]
    window.watcher.poll()
    qtbot.waitUntil(lambda: opened in console.panels[0].model.row_ids(), timeout=20_000)
    qtbot.waitUntil(lambda: opened in window.map.emergency.incident_ids, timeout=20_000)


def test_the_replay_moves_the_map_to_each_step(emergency_window, qtbot, index):
    """At each step of the replay the map draws the incident as it stood then (level, cordons, units
    and their task states); at the last step it draws the live board again."""
    window = emergency_window("commander")
    console = window.emergency
    command = console.panels[3]
    layers = window.map.emergency
    x, y = site(index, 3)
    view = open_from_panel(window, qtbot, x, y, "0403", "III")
    with window.services.session_factory() as s:
        unit = UnitIndex.load(s).nearest(x, y, 1, "fire")[0]
    for write in (
        lambda: console.dispatch(unit.unit_id),
        lambda: console.set_level("I"),
        lambda: console.change_radii(200, 900),
    ):
        with qtbot.waitSignal(console.written, timeout=20_000):
            write()
        qtbot.waitUntil(lambda: not console._loading, timeout=20_000)
    console.refresh()
    qtbot.waitUntil(lambda: not console._loading, timeout=20_000)
    board = console.board
    kinds = [e.kind for e in board.timeline]
    assert kinds == ["incident.opened", "incident.dispatched", "incident.level", "incident.area"]
    assert command.slider.value() == command.slider.maximum() == 3
    live_area = layers.cordon_area_m2
    assert console.replay_moment is None and view.id in layers.incident_ids

    command.slider.setValue(0)  # just opened: level III, the type's default cordons, no unit out
    assert layers.incident_ids == (view.id,) and layers.incident_levels == ("III",)
    assert layers.unit_ids == () and layers.cordon_area_m2 < live_area
    assert "The map shows this moment: level III" in command.step_label.text()
    command.slider.setValue(1)  # the fire unit ordered
    assert layers.unit_ids == (unit.unit_id,) and layers.unit_states == ("assigned",)
    assert layers.incident_levels == ("III",)
    command.slider.setValue(2)  # raised to I
    assert layers.incident_levels == ("I",) and "level I," in command.step_label.text()
    command.slider.setValue(3)  # the last step is now: the live board, every open incident
    assert console.replay_moment is None and "The map shows" not in command.step_label.text()
    assert set(layers.incident_ids) == {s.id for s in console.board.shapes}
    assert layers.cordon_area_m2 == pytest.approx(live_area)
