"""The case panel: actions through its buttons (and their dialogs) change the case's state and
timeline and journal the logged-in user; each role sees exactly the steps the workflow table gives it;
a refused step shows the desk's reason and changes nothing; another console's change shows live."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select

from console.everyday.case_panel import CaseActionDialog, CasePanel
from console.everyday.services import CaseServices
from console.workers import WorkerPool
from data import journal
from data.models import Case, CaseHistory, EventType, GridCell, Role
from modes.common.clock import FixedClock
from modes.everyday import workflow
from modes.everyday.cases import GUARDS, Actor, CaseDesk

NOW = dt.datetime(2009, 9, 18, 10, 0)
_cell_offset = itertools.count(3, 7)  # a fresh cell per case: no duplicate linking between tests


def report(make_session, channel: str = "hotline") -> int:
    with make_session() as s, s.begin():
        n_cells = s.scalar(select(func.count()).select_from(GridCell))
        cell = s.scalar(
            select(GridCell).order_by(GridCell.code).offset(next(_cell_offset) % n_cells).limit(1)
        )
        etype = s.scalar(
            select(EventType).where(EventType.urgent.is_(False)).order_by(EventType.code).limit(1)
        )
        c = cell.geometry.centroid
        who = Actor.of("supervisor" if channel == "supervisor" else "operator", "someone-else")
        doc, _ = CaseDesk(s, FixedClock(NOW)).report(who, x=c.x, y=c.y, channel=channel, type_code=etype.code)
        assert doc["state"] == "reported"
        return doc["id"]


def advance(make_session, case_id: int, *steps) -> None:
    """Move a case on with the desk, as other consoles would: (action, role, fields) per step."""
    with make_session() as s, s.begin():
        desk = CaseDesk(s, FixedClock(NOW))
        for action, role, fields in steps:
            desk.act(case_id, action, Actor.of(role, f"other-{role}"), fields.pop("note", ""), **fields)


TO_FILED = (
    ("send_verify", "operator", {}),
    ("verify", "supervisor", {}),
    ("file", "shift_leader", {}),
)


def state_and_history(make_session, case_id: int) -> tuple[str, list[CaseHistory]]:
    with make_session() as s:
        case = s.get(Case, case_id)
        history = list(
            s.scalars(select(CaseHistory).where(CaseHistory.case_id == case_id).order_by(CaseHistory.id))
        )
        return case.state, history


@pytest.fixture
def panel_for(services_for, qtbot):
    """A shown case panel for a login, with its own worker pool; both live until the test's teardown
    (as the console's live as long as its window)."""
    made: list[tuple[CasePanel, WorkerPool]] = []

    def build(who: str) -> CasePanel:
        workers = WorkerPool()
        panel = CasePanel(CaseServices.of(services_for(who, FixedClock(NOW))), workers)
        made.append((panel, workers))
        qtbot.addWidget(panel)
        panel.resize(420, 700)
        panel.show()
        return panel

    yield build
    for panel, workers in made:
        workers.shutdown()
        panel.close()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_an_operator_sends_a_hotline_report_to_verify(panel_for, make_session, qtbot):
    case_id = report(make_session)
    panel = panel_for("operator")
    panel.show_case(case_id)
    # a hotline report cannot be accepted unverified (the guard), and voiding is the shift leader's
    assert set(panel.action_buttons) == {"send_verify"}
    with qtbot.waitSignal(panel.action_done, timeout=10_000):
        click(qtbot, panel.action_buttons["send_verify"])
    state, history = state_and_history(make_session, case_id)
    assert state == "verifying"
    assert [h.action for h in history] == ["report", "send_verify"]
    assert history[-1].actor == panel.services.login.actor
    assert panel.detail.state == "verifying"
    assert panel.timeline.rowCount() == 2
    assert panel.services.login.actor in panel.timeline.item(1, 1).text()
    assert "Verifying" in panel.timeline.item(1, 2).text()
    stages = [panel.clocks.item(r, 0).text() for r in range(panel.clocks.rowCount())]
    assert "Verification" in stages
    assert panel.action_buttons == {}  # the supervisor verifies now, not the operator
    with make_session() as s:
        (event,) = journal.events_after(s, journal.last_seq(s) - 1)
    assert (event.kind, event.actor, event.subject) == (
        "case.send_verify",
        panel.services.login.actor,
        f"case/{case_id}",
    )


def test_a_dispatcher_dispatches_to_the_department_chosen_in_the_dialog(panel_for, make_session, qtbot):
    case_id = report(make_session)
    advance(make_session, case_id, *[(a, r, dict(f)) for a, r, f in TO_FILED])
    panel = panel_for("dispatcher")
    panel.show_case(case_id)
    assert set(panel.action_buttons) == {"dispatch"}
    click(qtbot, panel.action_buttons["dispatch"])
    dialog = panel.dialog
    assert isinstance(dialog, CaseActionDialog) and dialog.isVisible()
    dialog.department_box.setCurrentIndex(dialog.department_box.findData("drainage"))
    with qtbot.waitSignal(panel.action_done, timeout=10_000):
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    with make_session() as s:
        case = s.get(Case, case_id)
        assert (case.state, case.department_code) == ("dispatched", "drainage")
        assert case.deadline is not None
    assert panel.detail.department == "drainage"
    handling = [c for c in panel.detail.stages if c.stage == "handle"]
    assert handling and handling[0].running and handling[0].remaining_minutes > 0
    row = [panel.clocks.item(r, 0).text() for r in range(panel.clocks.rowCount())].index("Handling")
    assert "left" in panel.clocks.item(row, 5).text()


def test_a_department_asks_to_return_with_a_reason_and_other_departments_cannot(
    panel_for, make_session, qtbot
):
    case_id = report(make_session)
    advance(
        make_session,
        case_id,
        *[(a, r, dict(f)) for a, r, f in TO_FILED],
        ("dispatch", "dispatcher", {"department": "drainage"}),
    )
    other = panel_for("dept_heating")
    other.show_case(case_id)
    assert other.action_buttons == {}
    assert not other.no_actions.isHidden()
    assert "drainage" in other.no_actions.text()  # the desk's scope reason

    panel = panel_for("dept_drainage")
    panel.show_case(case_id)
    assert set(panel.action_buttons) == {"start", "request_return"}
    click(qtbot, panel.action_buttons["request_return"])
    dialog = panel.dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a return must say why
    qtbot.keyClicks(dialog.note_edit, "not ours: a heating pipe")
    assert ok.isEnabled()
    with qtbot.waitSignal(panel.action_done, timeout=10_000):
        click(qtbot, ok)
    state, history = state_and_history(make_session, case_id)
    assert state == "return_requested"
    assert history[-1].note == "not ours: a heating pipe"
    assert panel.timeline.item(panel.timeline.rowCount() - 1, 3).text() == "not ours: a heating pipe"
    assert panel.value_of("Awaiting approval") is not None


def test_recording_satisfaction_asks_for_it(panel_for, make_session, qtbot):
    case_id = report(make_session, channel="supervisor")
    advance(make_session, case_id, ("self_fix", "supervisor", {}), ("approve_self_fix", "shift_leader", {}))
    panel = panel_for("operator")
    panel.show_case(case_id)
    assert set(panel.action_buttons) == {"evaluate"}
    click(qtbot, panel.action_buttons["evaluate"])
    dialog = panel.dialog
    dialog.satisfaction_box.setCurrentIndex(dialog.satisfaction_box.findData("basic"))
    with qtbot.waitSignal(panel.action_done, timeout=10_000):
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    with make_session() as s:
        case = s.get(Case, case_id)
        assert (case.state, case.satisfaction) == ("evaluated", "basic")
    assert panel.value_of("Satisfaction") == "Basically satisfied"
    assert not panel.no_actions.isHidden()  # finished: nothing more to do


ROLE_LOGIN = {r.value: r.value for r in Role} | {"department": "dept_drainage"}


# An Open311 application has no console (it reports through the gateway only).
@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.APP])
@pytest.mark.parametrize("stage", ["reported_by_hotline", "reported_on_site", "filed", "handling"])
def test_each_role_sees_exactly_its_steps(panel_for, make_session, qtbot, role, stage):
    channel = "supervisor" if stage == "reported_on_site" else "hotline"
    case_id = report(make_session, channel=channel)
    if stage in ("filed", "handling"):
        advance(make_session, case_id, *[(a, r, dict(f)) for a, r, f in TO_FILED])
    if stage == "handling":
        advance(
            make_session,
            case_id,
            ("dispatch", "dispatcher", {"department": "drainage"}),
            ("start", "department", {}),
        )
    with make_session() as s:
        case = s.get(Case, case_id)
        expected = {
            tr.action
            for tr in workflow.TRANSITIONS
            if tr.source == workflow.State(case.state)
            and Role(role) in tr.roles
            and (tr.guard is None or GUARDS[tr.guard](case))
        }
    panel = panel_for(ROLE_LOGIN[role])
    panel.show_case(case_id)
    assert set(panel.action_buttons) == expected
    qtbot.waitUntil(lambda: all(b.isVisible() and b.isEnabled() for b in panel.action_buttons.values()))
    assert panel.no_actions.isHidden() == bool(expected)


def test_a_refused_step_shows_the_desks_reason_and_changes_nothing(panel_for, make_session, qtbot):
    case_id = report(make_session)
    panel = panel_for("operator")
    panel.show_case(case_id)
    assert "send_verify" in panel.action_buttons
    # meanwhile a shift leader elsewhere voids the report; this panel still shows the old button
    advance(make_session, case_id, ("void", "shift_leader", {"note": "prank call"}))
    with make_session() as s:
        seq = journal.last_seq(s)
    with qtbot.waitSignal(panel.action_failed, timeout=10_000) as blocker:
        click(qtbot, panel.action_buttons["send_verify"])
    assert "voided" in blocker.args[0]
    assert panel.message.text().startswith("Refused:") and "voided" in panel.message.text()
    state, history = state_and_history(make_session, case_id)
    assert state == "voided"
    assert [h.action for h in history] == ["report", "void"]
    with make_session() as s:
        assert journal.last_seq(s) == seq
        assert (
            s.scalar(select(func.count()).select_from(CaseHistory).where(CaseHistory.case_id == case_id)) == 2
        )
    assert panel.detail.state == "voided" and panel.action_buttons == {}


def test_bad_input_is_refused_with_a_message(panel_for, make_session, qtbot):
    case_id = report(make_session)
    advance(make_session, case_id, *[(a, r, dict(f)) for a, r, f in TO_FILED])
    panel = panel_for("dispatcher")
    panel.show_case(case_id)
    with qtbot.waitSignal(panel.action_failed, timeout=10_000) as blocker:
        panel.run_action("dispatch", department="no_such_department")
    assert "no_such_department" in blocker.args[0]
    assert state_and_history(make_session, case_id)[0] == "filed"
    with pytest.raises(Exception, match="unknown fields"):
        panel.services.act(case_id, "dispatch", departmnet="drainage")


def test_another_consoles_change_shows_in_the_open_case(open_window, make_session, qtbot):
    case_id = report(make_session)
    window = open_window("commander")
    detail = window.cases.open_case(case_id)
    assert detail.state == "reported"
    assert window.everyday_page.tabs.currentWidget() is window.cases.panel
    advance(make_session, case_id, ("send_verify", "operator", {}))
    window.watcher.poll()
    panel = window.cases.panel
    assert panel.detail.state == "verifying"
    assert panel.timeline.rowCount() == 2
    assert "other-operator" in panel.timeline.item(1, 1).text()
