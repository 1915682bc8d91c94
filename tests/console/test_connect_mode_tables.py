"""``console --connect``: the civil-defence and emergency pages of a console attached to the centre show
the centre's data (docs/protocol.md section 7.12).

A real centre serves the small demo city with both modes' sets; the console's window is opened in this
process as ``run_console`` does (``console.connect.open_remote``, ``console.remote.remote_window``). The
civil-defence summary strip and the emergency board are computed from the rows replicated into the
console's file and equal what the centre's own data gives; what the console does on an incident (a log
line, a position, a dispatch, the task moved along) is shown once it comes back through the replica.
Real sockets, files and widgets (offscreen).
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from tests.conftest import wait_until
from tests.modes.test_links import inside, nodes  # noqa: F401 - fixtures
from tests.modes.test_links_alarms import cluster, demo_template, keys3  # noqa: F401 - fixtures
from tests.modes.test_links_mode_tables import D1, attach_console, cli_json, value  # noqa: F401 - fixtures


def test_a_connected_consoles_civil_defence_and_emergency_pages_show_the_centres_data(
    cluster,  # noqa: F811
    attach_console,  # noqa: F811
    qtbot,
):
    """The window of a console attached to the centre: the civil-defence summary strip and the
    emergency board are computed from the replicated rows and equal what the centre's data gives."""
    from console.remote import remote_window
    from console.services import ConsoleServices
    from data.db import make_engine, session_factory
    from data.emergency_models import Incident
    from modes.civil_defence import coverage, evacuation
    from modes.civil_defence.alarms import delivery_board
    from modes.common.clock import SystemClock
    from modes.common.mode_switch import Mode
    from tests.console.conftest import resolve_login

    cluster.start_centre()
    x, y = inside(cluster.centre_db, D1)
    incident = cli_json(cluster, cluster.centre_db, "incident", "open", "--type", "fire", "--x", str(x),
                        "--y", str(y), "--level", "II", "--as", "city_commander")["id"]  # fmt: skip
    # An air-raid alarm sounded at the centre (no district node runs: nobody acknowledges).
    alarm = cli_json(cluster, cluster.centre_db, "alarm", "issue", "raid", "--as", "city_civil_defence")
    alarm_id = alarm["alarm_id"]
    link = attach_console()
    wait_until(
        lambda: value(link.path, "SELECT status FROM incidents WHERE id = ?", incident) is not None,
        timeout=30,
        what="the incident in the console's replica",
    )
    clock = SystemClock()
    login = resolve_login(ConsoleServices(link.session_factory, clock, None).staff(), "commander")
    signed = link.sign_in(login.actor, "sanwei-demo")  # the node checks the password
    assert signed["ok"], signed
    window, bridge = remote_window(link, clock, login)
    qtbot.addWidget(window)
    try:
        window.resize(1280, 800)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=60_000):
            window.start()

        engine = make_engine(f"sqlite:///{cluster.centre_db}")
        try:
            with session_factory(engine)() as s:
                report = coverage.coverage_report(s)
                plan = evacuation.plan_for_city(s)
                at_centre = sorted(i for (i,) in s.query(Incident.id))
                alarm_districts = [
                    d.district for d in delivery_board(s, alarm_id, dt.datetime.now()).deliveries
                ]
        finally:
            engine.dispose()

        # Civil defence: the switch goes to the centre; the page computes from the replica's rows.
        with qtbot.waitSignal(window.mode_changed, timeout=30_000):
            window.switch_now(Mode.CIVIL_DEFENCE, "test")
        tools = window.civil_defence
        qtbot.waitUntil(lambda: tools.coverage is not None and tools.plan is not None, timeout=60_000)
        summary = tools.summary.summary
        assert summary.sirens_total > 0 and summary.sheltered_capacity > 0
        assert summary.covered == pytest.approx(report.covered)
        assert summary.population == pytest.approx(report.population)
        assert summary.sheltered_capacity == int(plan.problem.capacity.sum())
        assert summary.unplaced == plan.unplaced
        # The alarm board, from the picture's /alarm/ keys: every district sent, none acknowledged.
        qtbot.waitUntil(lambda: tools.alarms.board is not None, timeout=30_000)
        board_shown = tools.alarms.board
        assert board_shown.alarm_id == alarm_id and board_shown.kind.value == "raid"
        assert sorted(d.district for d in board_shown.deliveries) == sorted(alarm_districts)
        assert all(d.acknowledged_at is None for d in board_shown.deliveries)

        # A shelter closed at the centre: the connected console re-plans without it.
        before = int(tools.plan.problem.capacity.sum())
        closed = value(
            cluster.centre_db, "SELECT id FROM cd_shelters WHERE status = 'open' ORDER BY capacity DESC"
        )
        capacity = value(cluster.centre_db, "SELECT capacity FROM cd_shelters WHERE id = ?", closed)
        cluster.cli("shelters", "close", closed, "--as", "city_civil_defence", "--json",
                    "--db", f"sqlite:///{cluster.centre_db}")  # fmt: skip
        qtbot.waitUntil(
            lambda: tools.plan is not None and int(tools.plan.problem.capacity.sum()) == before - capacity,
            timeout=30_000,
        )

        # Emergency: the incident opened at the centre is on the board.
        with qtbot.waitSignal(window.mode_changed, timeout=30_000):
            window.switch_now(Mode.EMERGENCY, "test")
        board = window.emergency
        qtbot.waitUntil(lambda: board.board is not None and not board._loading, timeout=60_000)
        qtbot.waitUntil(lambda: incident in board.panels[0].model.row_ids(), timeout=30_000)
        assert sorted(v.id for v in board.board.incidents) == at_centre

        # The incident's command record and task board, from the replica: the opening's log line and
        # commander (in the bulk load), then what this console does, once the centre's rows come back.
        resources, command = board.panels[2], board.panels[3]
        qtbot.waitUntil(
            lambda: board.board.selected is not None and board.board.selected.id == incident, timeout=30_000
        )
        qtbot.waitUntil(lambda: [line.kind for line in command.log.rows] == ["status"], timeout=30_000)
        assert ("commander", "city_commander", "") in command.roles.rows
        assert resources.tasks.rows == ()
        command.entry.setText("crowd kept behind the outer cordon")
        qtbot.mouseClick(command.add_button, Qt.MouseButton.LeftButton)
        command.position_box.setCurrentIndex(command.position_box.findData("safety"))
        command.person_edit.setText("Wang Anquan")
        qtbot.mouseClick(command.assign_button, Qt.MouseButton.LeftButton)
        unit = value(cluster.centre_db, "SELECT id FROM rescue_units WHERE status = 'available' ORDER BY id")
        board.dispatch(unit, "cut the gas")
        qtbot.waitUntil(
            lambda: (
                "crowd kept behind the outer cordon" in [line.text for line in command.log.rows]
                and ("safety", "Wang Anquan", "") in command.roles.rows
                and [t.unit_id for t in resources.tasks.rows] == [unit]
            ),
            timeout=30_000,
        )
        task = resources.tasks.rows[0]
        resources.select_task(task.task_id)
        qtbot.mouseClick(resources.task_buttons["en_route"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: resources.tasks.rows[0].status == "en_route", timeout=30_000)
        assert value(link.path, "SELECT status FROM dispatch_tasks WHERE id = ?", task.task_id) == "en_route"
    finally:
        bridge.detach()
        window.close()
