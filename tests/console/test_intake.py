"""The intake form: a point (clicked or typed) and an event type or component give the cell, area and
responsible department at once, as the router decides; Submit puts the case on record; open cases of
the same type nearby are offered, and the report is linked to the chosen one or filed separately."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from sqlalchemy import func, select

from console.everyday.intake import IntakePanel, parse_coordinates
from console.everyday.intake_services import IntakeServices
from console.workers import WorkerPool
from data import journal
from data.city import city_crs
from data.errors import InputError
from data.geometry import WGS84, transformer
from data.models import Case, Component, Department
from modes.everyday.queue import QUEUE_COLUMNS
from modes.everyday.routing import Router


@pytest.fixture(scope="module")
def router(make_session) -> Router:
    with make_session() as s:
        return Router.load(s)


@pytest.fixture
def form(qtbot, make_session, services_for, snapshot):
    """An intake form for a role, loaded and shown; ``form.workers`` drains its worker pool."""

    def build(role: str = "operator") -> IntakePanel:
        services = services_for(role)
        workers = WorkerPool()
        panel = IntakePanel(IntakeServices(make_session, services.clock, services.login), workers)
        qtbot.addWidget(panel)
        panel.resize(420, 900)
        with qtbot.waitSignal(panel.context_ready, timeout=30_000):
            panel.show()  # showing it loads the routing context
        panel.set_snapshot(snapshot)
        return panel

    return build


def cell_point(router: Router, index: int) -> tuple[float, float]:
    p = router.grid.polygons[index].representative_point()
    return float(p.x), float(p.y)


def assigned_type(router: Router, district: str, skip: set[str] = frozenset()) -> tuple[str, str]:
    """An event type the district assigns to a department, and that department."""
    for (d, t), dept in sorted(router.assignments.items()):
        if d == district and t not in skip:
            return t, dept
    raise AssertionError(f"district {district} assigns no event type")


def submit_and_wait(qtbot, panel: IntakePanel):
    with qtbot.waitSignal(panel.case_reported, timeout=30_000) as blocker:
        assert panel.submit()
    return blocker.args[0]


def wait_duplicates(qtbot, panel: IntakePanel) -> None:
    with qtbot.waitSignal(panel.duplicates_shown, timeout=30_000):
        pass


def test_coordinates_are_parsed_as_projected_or_lonlat():
    assert parse_coordinates("500123.5, 5060000") == (500123.5, 5060000.0, False)
    assert parse_coordinates("126.63，45.75") == (126.63, 45.75, True)
    assert parse_coordinates("126.63 45.75") == (126.63, 45.75, True)
    assert parse_coordinates("230102001001001") is None
    assert parse_coordinates("中央大街") is None


def test_the_form_files_a_case_with_the_routers_cell_and_department(qtbot, form, router, make_session):
    panel = form("operator")
    x, y = cell_point(router, 17)
    loc = router.locate(x, y)
    type_code, department = assigned_type(router, loc.district)

    assert panel.set_point(x, y)
    assert panel.route_labels["cell"].text() == loc.cell  # at once, before any type is chosen
    assert loc.district in panel.route_labels["district"].text()
    assert not panel.submit_button.isEnabled()
    assert panel.set_type(type_code)
    assert department in panel.route_labels["responsible"].text()
    assert panel.submit_button.isEnabled()
    panel.text_edit.setPlainText("caller: rubbish beside the bus stop")
    panel.ref_edit.setText("12319-0001")
    wait_duplicates(qtbot, panel)

    result = submit_and_wait(qtbot, panel)

    with make_session() as s:
        case = s.get(Case, result.id)
        routing = router.route_event(s, x, y, type_code)
        events = [e for e in journal.events_after(s, 0) if e.subject == f"case/{result.id}"]
    assert case.cell_code == loc.cell == routing.location.cell
    assert case.department_code == routing.department == department
    assert (case.channel, case.state, case.duplicate_of) == ("hotline", "reported", None)
    assert case.reporter == panel.services.login.actor
    assert case.description == "caller: rubbish beside the bus stop" and case.external_ref == "12319-0001"
    assert [e.kind for e in events] == ["case.report"]
    # The form is cleared for the next call and says what became of this one.
    assert panel.point is None and panel.place_edit.text() == "" and panel.type_code() is None
    assert panel.route_labels["cell"].text() == "—"
    assert f"#{result.id}" in panel.status_label.text()


def test_typed_coordinates_route_at_once(qtbot, form, router, make_session):
    panel = form("operator")
    x, y = cell_point(router, 40)
    loc = router.locate(x, y)
    qtbot.keyClicks(panel.place_edit, f"{x:.2f}, {y:.2f}")
    assert panel.route_labels["cell"].text() == loc.cell
    with make_session() as s:
        (lon,), (lat,) = transformer(city_crs(s), WGS84).transform([x], [y])
    panel.place_edit.clear()
    qtbot.keyClicks(panel.place_edit, f"{lon:.7f}, {lat:.7f}")
    assert panel.route_labels["cell"].text() == loc.cell
    assert abs(panel.point[0] - x) < 0.5 and abs(panel.point[1] - y) < 0.5
    # A point outside the city says so and keeps the last good one.
    assert not panel.set_point(x + 1e6, y)
    assert "outside the city" in panel.status_label.text()
    assert panel.route_labels["cell"].text() == loc.cell


def test_a_typed_cell_code_is_a_place(qtbot, form, router):
    panel = form("operator")
    code = str(router.grid.codes[60])
    panel.place_edit.setText(code)
    with qtbot.waitSignal(panel.preview_changed, timeout=10_000):
        qtbot.keyClick(panel.place_edit, Qt.Key.Key_Return)
    assert panel.route_labels["cell"].text() == code


def test_duplicates_are_offered_and_the_chosen_one_is_linked(qtbot, form, router, make_session):
    panel = form("operator")
    x, y = cell_point(router, 90)
    loc = router.locate(x, y)
    type_code, _ = assigned_type(router, loc.district)

    panel.set_point(x, y)
    panel.set_type(type_code)
    wait_duplicates(qtbot, panel)
    assert panel.duplicates == ()
    first = submit_and_wait(qtbot, panel)

    # The same problem called in again: the first case is offered, and the report is linked to it.
    panel.set_point(x + 5, y)
    panel.set_type(type_code)
    wait_duplicates(qtbot, panel)
    assert [d.id for d in panel.duplicates] == [first.id]
    assert panel.submit_button.text() == f"Link to case #{first.id}"
    linked = submit_and_wait(qtbot, panel)
    assert linked.duplicate_of == first.id

    # Not the same problem after all: filed as a case of its own (the operator may undo the link).
    panel.set_point(x, y)
    panel.set_type(type_code)
    wait_duplicates(qtbot, panel)
    panel.separate_check.setChecked(True)
    assert panel.link_target() is None and panel.submit_button.text() == "File report"
    separate = submit_and_wait(qtbot, panel)
    assert separate.separated and separate.duplicate_of is None

    # Two open cases here now; the operator links the third call to the second, not the nearest.
    panel.set_point(x, y)
    panel.set_type(type_code)
    wait_duplicates(qtbot, panel)
    assert [d.id for d in panel.duplicates] == [first.id, separate.id]
    assert panel.choose_duplicate(separate.id)
    third = submit_and_wait(qtbot, panel)
    assert third.duplicate_of == separate.id

    with make_session() as s:
        rows = {
            c.id: c
            for c in s.scalars(select(Case).where(Case.id.in_([first.id, linked.id, separate.id, third.id])))
        }
        unlink = [e for e in journal.events_after(s, 0) if e.subject == f"case/{separate.id}"]
    assert (rows[linked.id].state, rows[linked.id].duplicate_of) == ("merged", first.id)
    assert (rows[separate.id].state, rows[separate.id].duplicate_of) == ("reported", None)
    assert (rows[third.id].state, rows[third.id].duplicate_of) == ("merged", separate.id)
    assert rows[first.id].state == "reported"
    assert [e.kind for e in unlink] == ["case.report", "case.unlink"]


def test_bad_links_are_refused_and_nothing_is_stored(form, router, make_session):
    panel = form("dispatcher")
    assert not panel.separate_check.isVisibleTo(panel)  # a dispatcher may not undo a link
    services = panel.services
    x, y = cell_point(router, 120)
    type_code, _ = assigned_type(router, router.locate(x, y).district)
    with make_session() as s:
        before = s.scalar(select(func.count()).select_from(Case))
        # An open case of another type elsewhere: never a duplicate of this report.
        far = s.scalar(select(Case.id).where(Case.type_code != type_code).order_by(Case.id).limit(1))
    with pytest.raises(InputError, match="may not file a duplicate"):
        services.report(x=x, y=y, channel="hotline", type_code=type_code, file_separately=True)
    if far is not None:
        with pytest.raises(InputError, match="cannot be linked"):
            services.report(x=x, y=y, channel="hotline", type_code=type_code, link_to=far)
    with pytest.raises(InputError, match="cannot be linked"):
        services.report(x=x, y=y, channel="hotline", type_code=type_code, link_to=10**12)
    with make_session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == before


def test_a_department_login_sees_routing_but_cannot_file(form, router):
    panel = form("department")
    x, y = cell_point(router, 10)
    panel.set_point(x, y)
    panel.set_type(assigned_type(router, router.locate(x, y).district)[0])
    assert panel.preview is not None and panel.preview.decided
    assert not panel.submit_button.isEnabled()
    with pytest.raises(InputError, match="does not take reports"):
        panel.services.report(x=x, y=y, channel="hotline", type_code=panel.type_code())


def test_a_component_at_fault_goes_to_its_owner(qtbot, form, snapshot, make_session, router):
    panel = form("operator")
    cid = str(snapshot.components.ids[250])
    with make_session() as s:
        comp = s.get(Component, cid)
        cx, cy = comp.x, comp.y
        owner = comp.owner_code
    panel.set_point(cx + 1.0, cy)
    assert cid in [panel.component_combo.itemData(i) for i in range(panel.component_combo.count())]
    with qtbot.waitSignal(panel.preview_changed, timeout=10_000):
        panel.choose_component(cid)
    assert owner in panel.route_labels["responsible"].text()
    assert not panel.type_combo.isEnabled()  # the type is the component's
    result = submit_and_wait(qtbot, panel)
    with make_session() as s:
        case = s.get(Case, result.id)
        expected = router.route_component(s, cid, cx + 1.0, cy)
    assert (case.kind, case.component_id, case.department_code) == ("component", cid, expected.department)
    assert case.cell_code == expected.location.cell


def test_a_map_click_in_the_window_puts_the_point_on_the_form(open_window, qtbot, router):
    window = open_window("operator")
    tools = window.intake_tools
    with qtbot.waitSignal(tools.intake.context_ready, timeout=30_000):
        tools.show_intake()
    snap = window.snapshot
    x, y = cell_point(router, 33)
    (lx,), (ly,) = snap.to_local([x], [y])
    window.map.click_at(float(lx), float(ly))
    assert tools.intake.point == pytest.approx((x, y), abs=1e-6)
    assert tools.intake.route_labels["cell"].text() == router.locate(x, y).cell
    # A typed place is outlined on the map and flown to.
    x2, y2 = cell_point(router, 150)
    assert abs(x2 - x) + abs(y2 - y) > 400
    window.map.fly_to_city_bounds((x - 100, y - 100, x + 100, y + 100), animate=False)
    window.map.clear_selection()
    tools.intake.place_edit.clear()
    qtbot.keyClicks(tools.intake.place_edit, f"{x2:.2f}, {y2:.2f}")
    cell2 = router.locate(x2, y2).cell
    assert window.map.selection.kind == "cell" and window.map.selection.key == cell2
    (lx2,), (ly2,) = snap.to_local([x2], [y2])
    qtbot.waitUntil(lambda: window.map.view_rect().contains(QPointF(lx2, ly2)), timeout=5000)
    assert tools.intake.route_labels["cell"].text() == cell2
    tools.intake.set_point(x, y)
    # Not while another tab is in front: a click there only selects.
    window.everyday_page.tabs.setCurrentIndex(0)
    window.map.click_at(float(lx) + 50, float(ly))
    assert tools.intake.point == pytest.approx((x, y), abs=1e-6)


def test_a_call_taken_in_the_window_lands_in_the_case_queue(open_window, qtbot, router, make_session):
    """End to end in one window: the intake form files the call, the queue lists it with the router's
    department, and opening it shows the case panel."""
    window = open_window("operator")
    tools = window.intake_tools
    with qtbot.waitSignal(tools.intake.context_ready, timeout=30_000):
        tools.show_intake()
    x, y = cell_point(router, 61)
    loc = router.locate(x, y)
    type_code, department = assigned_type(router, loc.district)
    assert tools.intake.set_point(x, y) and tools.intake.set_type(type_code)
    result = submit_and_wait(qtbot, tools.intake)
    window.watcher.poll()  # the journal grew: the window hears of it as from its timer
    model = window.cases.queue.model
    qtbot.waitUntil(lambda: model.row_of(result.id) is not None, timeout=10_000)
    row = model.row_of(result.id)
    cells = {c: model.data(model.index(row, QUEUE_COLUMNS.index(c))) for c in QUEUE_COLUMNS}
    with make_session() as s:
        case = s.get(Case, result.id)
        dept_name = s.scalar(select(Department.name).where(Department.code == department))
    assert (case.cell_code, case.department_code) == (loc.cell, department)
    assert cells["id"].lstrip("#") == str(result.id)
    assert dept_name in cells["department"] or department in cells["department"]
    assert cells["channel"] and cells["state"]
    window.cases.open_case(result.id)
    assert window.cases.panel.case_id == result.id
