"""The map's live cases layer: exactly the open cases, coloured by the state's group, overdue ones
flagged at the injected clock; another session's report appears once the journal advances and a
closed case leaves; a click on a case opens it in the case panel; hover names it; the checkbox and
the mode hide it; the legend lists its colours."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from PySide6.QtCore import QDateTime, QPoint, QPointF, QRectF, Qt
from sqlalchemy import func, select

from console.everyday.case_layer_services import CaseLayerServices
from data.models import Case, EventType, GridCell
from modes.common.clock import FixedClock
from modes.common.mode_switch import Mode
from modes.everyday.cases import Actor, CaseDesk

NOW = dt.datetime(2009, 9, 18, 10, 0)
LATER = NOW + dt.timedelta(days=30)  # every handling deadline of a case reported at NOW has passed
_cells = itertools.count(5, 37)  # a fresh cell per case: no duplicate linking between reports

TO_FILED = [("send_verify", "operator", ""), ("verify", "supervisor", ""), ("file", "shift_leader", "")]
TO_HANDLING = [*TO_FILED, ("dispatch", "dispatcher", ""), ("start", "department", "")]
TO_SUSPENDED = [*TO_HANDLING, ("request_suspension", "department", "waiting for parts"), ("approve_suspension", "dispatcher", "")]  # fmt: skip
TO_CHECKING = [*TO_HANDLING, ("feedback", "department", ""), ("send_check", "operator", "")]
TO_CLOSED = [*TO_CHECKING, ("check_pass", "supervisor", ""), ("close", "shift_leader", "")]

# The colour group each state must show in (CaseLayer's legend, in loop order).
EXPECTED_CLASS = {"reported": 0, "verifying": 0, "accepted": 1, "filed": 1, "handling": 2, "suspended": 3, "checking": 4}  # fmt: skip


def report(make_session, *, urgent: bool = False) -> int:
    """A hotline report by another console, at a cell of its own."""
    with make_session() as s, s.begin():
        n_cells = s.scalar(select(func.count()).select_from(GridCell))
        cell = s.scalar(select(GridCell).order_by(GridCell.code).offset(next(_cells) % n_cells).limit(1))
        etype = s.scalar(
            select(EventType).where(EventType.urgent.is_(urgent)).order_by(EventType.code).limit(1)
        )
        p = cell.geometry.representative_point()
        doc, _ = CaseDesk(s, FixedClock(NOW)).report(
            Actor.of("operator", "another-console"), x=p.x, y=p.y, channel="hotline", type_code=etype.code
        )
        assert doc["state"] == "reported"
        return doc["id"]


def advance(make_session, case_id: int, steps) -> None:
    with make_session() as s, s.begin():
        desk = CaseDesk(s, FixedClock(NOW))
        for action, role, note in steps:
            fields = {"department": "drainage"} if action == "dispatch" else {}
            desk.act(case_id, action, Actor.of(role, f"other-{role}"), note, **fields)


def open_rows(make_session, now: dt.datetime) -> dict[int, tuple[str, float, float, bool]]:
    """Every case not finished, with the overdue flag worked out here from the stored columns."""
    finished = {"closed", "evaluated", "voided", "merged"}
    with make_session() as s:
        rows = s.execute(select(Case.id, Case.state, Case.x, Case.y, Case.deadline)).all()
    return {
        r.id: (r.state, r.x, r.y, r.deadline is not None and r.state != "suspended" and r.deadline < now)
        for r in rows
        if r.state not in finished
    }


@pytest.fixture(scope="module")
def cases(make_session) -> dict[str, int]:
    """One case per colour group, an urgent one and two finished ones, all by other consoles."""
    made = {state: report(make_session) for state in EXPECTED_CLASS}
    made["urgent"] = report(make_session, urgent=True)
    made["voided"] = report(make_session)
    made["closed"] = report(make_session)
    advance(make_session, made["verifying"], TO_FILED[:1])
    advance(make_session, made["accepted"], TO_FILED[:2])
    advance(make_session, made["filed"], TO_FILED)
    advance(make_session, made["handling"], TO_HANDLING)
    advance(make_session, made["suspended"], TO_SUSPENDED)
    advance(make_session, made["checking"], TO_CHECKING)
    advance(make_session, made["voided"], [("void", "shift_leader", "a prank call")])
    advance(make_session, made["closed"], TO_CLOSED)
    return made


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def window(cases, services_for, translations, qtbot, clock):
    """A loaded commander's window on the module's city whose clock the test moves, cases drawn."""
    from console.main_window import MainWindow

    translations("en")
    w = MainWindow(services_for("commander", clock))
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    with qtbot.waitSignal(w.case_layer.cases_loaded, timeout=30_000):
        w.start()
    w.watcher.stop()  # the test polls the journal itself
    yield w
    w.close()


def reread(qtbot, window) -> None:
    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        window.case_layer.refresh()


def viewport_point(window, x: float, y: float) -> QPoint:
    scene = window.map.viewbox.mapViewToScene(QPointF(x, y))
    return window.map.view.mapFromScene(scene)


def local(window, case_id: int) -> tuple[float, float]:
    i = window.map.case_layer.index_of(case_id)
    assert i >= 0, f"case {case_id} is not on the map"
    return float(window.map.case_layer.x[i]), float(window.map.case_layer.y[i])


def test_the_layer_holds_exactly_the_open_cases_coloured_by_state(window, cases, make_session):
    layer = window.map.case_layer
    expected = open_rows(make_session, NOW)
    assert sorted(layer.ids.tolist()) == sorted(expected)
    assert cases["voided"] not in expected and cases["closed"] not in expected
    assert layer.index_of(cases["voided"]) == layer.index_of(cases["closed"]) == -1
    ox, oy = window.snapshot.origin
    for case_id, (state, x, y, _overdue) in expected.items():
        i = layer.index_of(case_id)
        assert (layer.x[i] + ox, layer.y[i] + oy) == pytest.approx((x, y), abs=1e-6)
        assert layer.cases.state_of(i) == state
    for state, k in EXPECTED_CLASS.items():
        assert layer.colour_class[layer.index_of(cases[state])] == k, state
    urgent = layer.index_of(cases["urgent"])
    assert layer.cases.urgent[urgent] and layer.points.style[urgent] == 0 * 4 + 2  # a star, not overdue
    assert not layer.cases.urgent[layer.index_of(cases["reported"])]
    assert not layer.cases.overdue.any()  # reported at NOW: no deadline has passed yet


def test_overdue_follows_the_injected_clock_and_draws_red_on_top(window, cases, make_session, clock, qtbot):
    layer = window.map.case_layer
    clock.set(LATER)
    reread(qtbot, window)
    expected = open_rows(make_session, LATER)
    got = {int(layer.ids[i]): bool(layer.cases.overdue[i]) for i in range(len(layer.ids))}
    assert got == {case_id: row[3] for case_id, row in expected.items()}
    assert got[cases["handling"]] and got[cases["reported"]]  # past the deadline, clocks running
    assert not got[cases["suspended"]]  # suspension stops the clock
    styles = layer.points.style
    handling = layer.index_of(cases["handling"])
    assert styles[handling] == 2 * 4 + 1  # its state's group, overdue variant (red, larger, ringed)
    assert layer.points._styles[styles[handling]].brush == "#ff3b30"
    assert layer.points._styles[styles[handling]].size > layer.points._styles[2 * 4].size
    overdue = layer.cases.overdue
    assert not overdue[: np.argmax(overdue)].any() and overdue[np.argmax(overdue) :].all()  # drawn last
    assert "overdue" in layer.describe(handling)


def test_a_report_from_another_session_appears_after_the_journal_advances(window, make_session, qtbot):
    before = set(window.map.case_layer.ids.tolist())
    case_id = report(make_session)
    assert case_id not in before
    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        window.watcher.poll()  # the journal grew: the window hears of it as from its timer
    layer = window.map.case_layer
    assert set(layer.ids.tolist()) == before | {case_id}
    with make_session() as s:
        row = s.get(Case, case_id)
        x, y = row.x, row.y
    ox, oy = window.snapshot.origin
    assert local(window, case_id) == pytest.approx((x - ox, y - oy), abs=1e-6)
    assert layer.colour_class[layer.index_of(case_id)] == EXPECTED_CLASS["reported"]


def test_closing_a_case_removes_it(window, make_session, qtbot):
    case_id = report(make_session)
    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        window.watcher.poll()
    x, y = local(window, case_id)
    window.map.set_view_rect(QRectF(x - 150, y - 150, 300, 300))
    window.map.select("case", str(case_id))
    assert window.map.selection.kind == "case"
    advance(make_session, case_id, TO_CLOSED)
    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        window.watcher.poll()
    assert window.map.case_layer.index_of(case_id) == -1
    assert case_id not in window.map.case_layer.ids.tolist()
    assert window.map.selection is None  # the closed case's ring went with it
    pick = window.map.pick(x, y)
    assert pick is None or pick.kind != "case"


def test_a_click_on_a_case_opens_it_in_the_case_panel(window, cases, qtbot):
    case_id = cases["filed"]
    x, y = local(window, case_id)
    window.map.set_view_rect(QRectF(x - 150, y - 150, 300, 300))
    window.map.view.viewport().repaint()
    assert window.map.case_layer.points.symbols_drawn > 0
    before = window.map.view_rect()
    with qtbot.waitSignal(window.details_shown, timeout=5000) as shown:
        qtbot.mouseClick(
            window.map.view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(window, x + 1.0, y)
        )
    assert shown.args == ["case", str(case_id)]
    assert window.cases.panel.case_id == case_id
    assert window.everyday_page.tabs.currentIndex() == window.cases.panel_tab
    assert window.map.selection.kind == "case" and window.map.selection.key == str(case_id)
    qtbot.wait(600)  # longer than a flight takes: the view must not have moved
    assert window.map.view_rect() == before


def test_hover_names_the_case_type_and_state(window, cases, qtbot):
    case_id = cases["handling"]
    x, y = local(window, case_id)
    window.map.set_view_rect(QRectF(x - 150, y - 150, 300, 300))
    qtbot.mouseMove(window.map.view.viewport(), viewport_point(window, x, y))
    qtbot.waitUntil(lambda: f"Case {case_id}" in window.hover_label.text(), timeout=3000)
    layer = window.map.case_layer
    text = window.hover_label.text()
    assert layer.cases.type_name_of(layer.index_of(case_id)) in text
    assert "Handling" in text and "overdue" not in text  # the clock is at the report time


def test_the_checkbox_and_the_mode_hide_the_layer(window, cases, qtbot):
    case_id = cases["checking"]
    x, y = local(window, case_id)
    window.map.set_view_rect(QRectF(x - 150, y - 150, 300, 300))
    box = window.layers_panel.layer_boxes["cases"]
    points = window.map.case_layer.points
    assert box.isChecked() and points.isVisible()
    assert window.map.pick(x, y).kind == "case"
    box.setChecked(False)
    assert not points.isVisible()
    pick = window.map.pick(x, y)
    assert pick is not None and pick.kind != "case"  # what lies beneath: a component or the cell
    box.setChecked(True)
    assert points.isVisible() and window.map.pick(x, y).key == str(case_id)
    # Another mode's map has no case layer; back in everyday mode it returns.
    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.switch_now(Mode.CIVIL_DEFENCE, "test")
    assert not points.isVisible() and window.map.pick(x, y).kind != "case"
    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.switch_now(Mode.EVERYDAY, "test")
    assert points.isVisible()


def test_the_legend_lists_the_colours(window):
    legend = window.layers_panel.case_legend
    texts = [w.text() for w in legend.findChildren(type(window.hover_label)) if w.text()]
    for text in (
        "Reported / awaiting verification",
        "Accepted / filed, awaiting dispatch",
        "Dispatched / in handling",
        "Suspended",
        "Fed back / awaiting check",
    ):
        assert text in texts
    assert any("Overdue" in t for t in texts) and any("Urgent" in t for t in texts)
    swatches = [
        w for w in legend.findChildren(type(window.hover_label)) if w.pixmap() and not w.pixmap().isNull()
    ]
    assert len(swatches) == 7


def test_the_service_reads_the_open_cases_as_columns(make_session, cases):
    cases_now = CaseLayerServices(make_session, FixedClock(NOW)).open_cases()
    expected = open_rows(make_session, NOW)
    assert len(cases_now) == len(expected)
    assert cases_now.ids.dtype == np.int64 and cases_now.x.dtype == np.float64
    for i, case_id in enumerate(cases_now.ids.tolist()):
        state, x, y, overdue = expected[case_id]
        assert (cases_now.state_of(i), cases_now.x[i], cases_now.y[i]) == (state, x, y)
        assert bool(cases_now.overdue[i]) == overdue


def test_a_past_moment_draws_the_cases_open_then_in_their_state_then(window, make_session, qtbot, clock):
    """The moment box under the legend: "Show" draws the cases open at the chosen instant, each in its
    state then; new events do not move it; "Now" returns to the live layer."""
    t1 = NOW + dt.timedelta(hours=1)
    with make_session() as s, s.begin():
        n_cells = s.scalar(select(func.count()).select_from(GridCell))
        cell = s.scalar(select(GridCell).order_by(GridCell.code).offset(next(_cells) % n_cells).limit(1))
        etype = s.scalar(
            select(EventType).where(EventType.urgent.is_(False)).order_by(EventType.code).limit(1)
        )
        p = cell.geometry.representative_point()
        desk = CaseDesk(s, FixedClock(t1))
        doc, _ = desk.report(Actor.of("operator", "another-console"), x=p.x, y=p.y, channel="hotline", type_code=etype.code)  # fmt: skip
        case_id = doc["id"]
        later = CaseDesk(s, FixedClock(t1 + dt.timedelta(minutes=30)))
        later.act(case_id, "void", Actor.of("shift_leader", "other-shift_leader"), "a prank call")
    clock.set(NOW + dt.timedelta(hours=3))
    reread(qtbot, window)
    box = window.layers_panel.case_moment
    layer = window.map.case_layer
    assert layer.index_of(case_id) == -1 and box.state.text() == "Cases: live"
    assert not box.now_button.isEnabled()

    box.edit.setDateTime(QDateTime(t1 + dt.timedelta(minutes=10)))
    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        qtbot.mouseClick(box.show_button, Qt.MouseButton.LeftButton)
    assert layer.index_of(case_id) >= 0  # reported, not voided yet
    cases = window.case_layer.cases
    assert cases.at == t1 + dt.timedelta(minutes=10)
    assert cases.state_of(int(np.flatnonzero(cases.ids == case_id)[0])) == "reported"
    # The other cases of the module were open since NOW and still are: drawn too, in their state now.
    assert set(open_rows(make_session, NOW)) <= set(cases.ids.tolist())
    assert box.now_button.isEnabled() and "Cases open at" in box.state.text()
    assert f"{len(cases):,}" in box.state.text()

    # A case reported meanwhile (after that moment) does not move the past.
    new = report(make_session)
    window.watcher.poll()
    qtbot.waitUntil(lambda: not window.case_layer.loading, timeout=10_000)
    assert layer.index_of(new) == -1

    box.edit.setDateTime(QDateTime(t1 + dt.timedelta(minutes=40)))
    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        qtbot.mouseClick(box.show_button, Qt.MouseButton.LeftButton)
    assert layer.index_of(case_id) == -1  # voided by then

    with qtbot.waitSignal(window.case_layer.cases_loaded, timeout=10_000):
        qtbot.mouseClick(box.now_button, Qt.MouseButton.LeftButton)
    assert layer.index_of(new) >= 0 and layer.index_of(case_id) == -1
    assert box.state.text() == "Cases: live" and not box.now_button.isEnabled()
