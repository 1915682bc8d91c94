"""The civil-defence page: alarm control and its acknowledgement board, the tone, the evacuation plan
view, the summary strip and the mode's map layers, on a small demo city with its civil-defence set."""

from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from console.civil_defence.alarm_panel import ConfirmAlarmDialog
from console.civil_defence.services import board_from_result
from console.civil_defence.sound import SAMPLE_RATE, AlarmSound, RecordingSink, cycle_position
from console.civil_defence.tables import LATE_BRUSH
from data import journal
from data.civil_defence_models import Alarm, Shelter, Siren, SirenStatus
from data.db import make_engine, session_factory, upgrade_schema
from modes.civil_defence import alarms, coverage, evacuation
from modes.civil_defence.alarms import CYCLE_S, signal_schedule
from modes.common.clock import FixedClock
from modes.common.mode_switch import Mode


@pytest.fixture(scope="module")
def city_url(tmp_path_factory) -> str:
    """The small demo city with the civil-defence set (sirens, shelters, ...), one per module."""
    from data.demo import seed_demo

    path = tmp_path_factory.mktemp("cd_city") / "city.db"
    engine = make_engine("sqlite:///" + str(path))
    upgrade_schema(engine)
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=1, at=dt.datetime(2009, 9, 1, 8, 0))
    engine.dispose()
    return "sqlite:///" + str(path)


def enter_civil_defence(window, qtbot):
    """Put the city in civil-defence mode (if it is not already) and wait for the page's data."""
    tools = window.civil_defence
    if window.mode != Mode.CIVIL_DEFENCE:
        with qtbot.waitSignal(window.mode_changed, timeout=5000):
            window.switch_now(Mode.CIVIL_DEFENCE, "test")
    qtbot.waitUntil(lambda: tools.coverage is not None and tools.plan is not None, timeout=30_000)
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=30_000)
    return tools


def answer_alarm_confirmation(qtbot, accept: bool, seen: list) -> None:
    def handler():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConfirmAlarmDialog):
            QTimer.singleShot(20, handler)
            return
        seen.append(dialog)
        qtbot.mouseClick(dialog.confirm_button if accept else dialog.cancel_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, handler)


def alarm_count(make_session) -> int:
    with make_session() as s:
        return s.scalar(select(func.count()).select_from(Alarm))


# --- who may ---------------------------------------------------------------------------------------


def test_a_non_civil_defence_login_cannot_issue(open_window, qtbot, make_session):
    window = open_window("commander")
    tools = enter_civil_defence(window, qtbot)
    panel = tools.alarms
    for kind in ("pre", "raid", "clear"):
        button = panel.kind_buttons[kind]
        assert not button.isEnabled()
        assert "civil-defence officer" in button.toolTip()
    assert panel.permission_label.isVisibleTo(panel) and "Commander" in panel.permission_label.text()
    assert not tools.evacuation.close_button.isEnabled()
    before = alarm_count(make_session)
    with make_session() as s:
        seq = journal.last_seq(s)
    with qtbot.waitSignal(panel.alarm_failed, timeout=2000) as failed:
        assert panel.request_alarm("raid") is False
    assert "civil-defence officer" in failed.args[0]
    assert alarm_count(make_session) == before
    with make_session() as s:
        assert journal.last_seq(s) == seq


# --- sounding an alarm -----------------------------------------------------------------------------


def test_cancelling_the_confirmation_issues_nothing(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    panel = enter_civil_defence(window, qtbot).alarms
    before = alarm_count(make_session)
    seen: list = []
    answer_alarm_confirmation(qtbot, False, seen)
    with qtbot.waitSignal(panel.alarm_failed, timeout=5000):
        qtbot.mouseClick(panel.kind_buttons["pre"], Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and seen[0].kind == "pre"
    assert alarm_count(make_session) == before


def test_air_raid_alarm_board_late_flags_and_acknowledgement(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    tools = enter_civil_defence(window, qtbot)
    panel = tools.alarms
    clock = window.services.clock
    seen: list = []
    answer_alarm_confirmation(qtbot, True, seen)
    with qtbot.waitSignal(panel.alarm_issued, timeout=10_000) as issued:
        qtbot.mouseClick(panel.kind_buttons["raid"], Qt.MouseButton.LeftButton)
    board = issued.args[0]
    assert len(seen) == 1 and seen[0].kind == "raid"

    # The journal has the order, by this login, for every district.
    with make_session() as s:
        codes = alarms.resolve_districts(s, None)
        events = journal.events_after(s, 0, 100_000)
    order = [e for e in events if e.kind == "alarm.issued" and e.payload["alarm_id"] == board.alarm_id]
    assert len(order) == 1
    assert order[0].actor == window.services.login.actor
    assert order[0].payload["kind"] == "raid" and order[0].payload["districts"] == codes
    sent = [e for e in events if e.kind == "alarm.sent" and e.payload["alarm_id"] == board.alarm_id]
    assert sorted(e.district_code for e in sent) == codes

    # The board lists every district, sent and not yet acknowledged, not late at first.
    model = panel.board_model
    assert model.keys() == codes
    assert all(model.row(r)[2] == "10:00:00" and model.row(r)[4] == "—" for r in range(model.rowCount()))
    assert [model.flag(r) for r in range(model.rowCount())] == [""] * len(codes)

    # Sound: the whole raid cycle went to the sink, and the countdown shows the first burst.
    sink = panel.sound.sink
    assert sink.playing and len(sink.samples) == CYCLE_S * SAMPLE_RATE
    assert "SOUNDING 6 s" in panel.countdown_label.text() and "burst 1 of 15" in panel.countdown_label.text()

    # Eleven seconds on (an injected clock), nobody has acknowledged: every district is flagged red.
    clock.advance(seconds=11)
    panel.refresh_board()
    assert [model.flag(r) for r in range(model.rowCount())] == ["late"] * len(codes)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) == LATE_BRUSH
    assert "Not acknowledged within 10 s" in panel.late_label.text()
    assert "pause 1 s" in panel.countdown_label.text()  # 11 s in: the first 6 s pause ends at 12 s

    # A district acknowledges in another session (as the links do); the journal poll brings it in.
    first = codes[0]
    with make_session() as s, s.begin():
        alarms.acknowledge(s, board.alarm_id, first, board.issued_at + dt.timedelta(seconds=4))
    with qtbot.waitSignal(panel.board_refreshed, timeout=5000):
        window.watcher.poll()
    r = model.row_of(first)
    assert model.row(r)[4] == "10:00:04" and model.row(r)[5] == "4.0"
    assert model.flag(r) == "ok"
    assert all(model.flag(k) == "late" for k in range(model.rowCount()) if k != r)
    assert f"1 of {len(codes)} districts acknowledged" in panel.late_label.text()

    # Muting stops the sound; unmuting resumes it where the cycle stands.
    panel.mute_button.click()
    assert not sink.playing and panel.sound.muted
    panel.mute_button.click()
    assert sink.playing and len(sink.samples) == (CYCLE_S - 11) * SAMPLE_RATE


def test_alarm_to_chosen_districts_only(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    panel = enter_civil_defence(window, qtbot).alarms
    with make_session() as s:
        codes = alarms.resolve_districts(s, None)
    chosen = codes[-1:]
    panel.check_districts(chosen)
    assert panel.chosen_districts() == chosen
    panel.confirm_alarm = lambda kind, where: True
    with qtbot.waitSignal(panel.alarm_issued, timeout=10_000) as issued:
        assert panel.request_alarm("pre")
    board = issued.args[0]
    assert [d.district for d in board.deliveries] == chosen
    assert panel.board_model.keys() == chosen
    # A console attached to a node gets the board back as the node's JSON: it decodes to the same board,
    # also when a district node answers provisionally.
    doc = json.loads(json.dumps(board.as_dict()))
    assert board_from_result(doc) == board
    assert board_from_result({"queued": True, "forward_id": 7, "provisional": doc}) == board


@pytest.mark.parametrize("kind", ["pre", "raid", "clear"])
def test_the_tone_has_the_standard_on_off_envelope(kind):
    sound = AlarmSound(RecordingSink())
    assert sound.start(kind)
    samples = sound.sink.samples.astype(float)
    assert len(samples) == CYCLE_S * SAMPLE_RATE
    # Measured from the samples: 10 ms blocks with any sound in them, joined into intervals.
    block = SAMPLE_RATE // 100
    loud = np.abs(samples).reshape(-1, block).max(axis=1) > 0.05 * 32767
    edges = np.flatnonzero(np.diff(np.r_[0, loud.astype(int), 0]))
    measured = [(a / 100, b / 100) for a, b in zip(edges[0::2], edges[1::2], strict=True)]
    expected = signal_schedule(kind)
    assert len(measured) == len(expected)
    for (a, b), (x, y) in zip(measured, expected, strict=True):
        assert abs(a - x) <= 0.02 and abs(b - y) <= 0.02
    # The carrier is ~500 Hz: zero crossings in the first second of sound.
    first = samples[int(expected[0][0] * SAMPLE_RATE) : int(expected[0][0] * SAMPLE_RATE) + SAMPLE_RATE]
    crossings = np.count_nonzero(np.diff(np.signbit(first)))
    assert 980 <= crossings <= 1020
    # Muted, nothing plays; joining 30 s into the cycle plays its remainder.
    sound.set_muted(True)
    assert not sound.start(kind) and not sound.sink.playing
    sound.set_muted(False)
    assert sound.start(kind, 30.0)
    assert len(sound.sink.samples) == (CYCLE_S - 30) * SAMPLE_RATE


def test_cycle_position_counts_down_each_phase():
    assert cycle_position("raid", 0) == cycle_position("raid", 0.0)
    p = cycle_position("raid", 13.0)  # second burst, 1 s in
    assert p.sounding and p.burst == 2 and p.phase_left_s == 5.0 and p.cycle_left_s == 167.0
    p = cycle_position("pre", 40.0)  # first pause
    assert not p.sounding and p.burst == 1 and p.phase_left_s == 20.0
    assert cycle_position("clear", 179.0).sounding
    assert cycle_position("clear", 180.0).over


def test_annual_test_planned_from_the_panel(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    panel = enter_civil_defence(window, qtbot).alarms
    assert panel.test_date.date().toString("yyyy-MM-dd") == "2009-09-18"
    with qtbot.waitSignal(panel.test_planned, timeout=10_000) as planned:
        qtbot.mouseClick(panel.plan_test_button, Qt.MouseButton.LeftButton)
    plan = planned.args[0]
    assert [(k.value, a.strftime("%H:%M")) for _i, k, a, _b in plan.signals] == [
        ("pre", "10:00"),
        ("raid", "10:08"),
        ("clear", "10:16"),
    ]
    assert "2009-09-18" in panel.test_label.text() and "10:16" in panel.test_label.text()
    with make_session() as s:
        assert [p.date for p in alarms.list_test_plans(s)] == [dt.date(2009, 9, 18)]


# --- evacuation ------------------------------------------------------------------------------------


def test_closing_a_shelter_replans_and_its_load_goes_to_zero(open_window, qtbot, make_session, tmp_path):
    window = open_window("civil_defence")
    tools = enter_civil_defence(window, qtbot)
    evac = tools.evacuation
    loads = evac.loads()
    busiest = max(loads, key=loads.get)
    assert loads[busiest] > 0
    assert evac.select_shelter(busiest) and evac.close_button.isEnabled()
    with qtbot.waitSignal(evac.plan_changed, timeout=30_000) as changed:
        qtbot.mouseClick(evac.close_button, Qt.MouseButton.LeftButton)
    plan = changed.args[0]
    j = plan.shelter_of(busiest)  # the re-plan keeps the shelter with no capacity
    assert plan.problem.capacity[j] == 0 and plan.load[j] == 0
    assert evac.loads().get(busiest, 0) == 0
    r = evac.shelter_model.row_of(busiest)
    assert evac.shelter_model.row(r)[3] == "Closed" and evac.shelter_model.row(r)[5] == "0"
    assert evac.last_replan.displaced == loads[busiest]
    # Nothing exceeds a capacity in the new plan.
    assert (plan.load <= plan.problem.capacity).all()
    with make_session() as s:
        assert s.get(Shelter, busiest).status == "closed"
        last = journal.events_after(s, journal.last_seq(s) - 1)[0]
    assert last.kind == "shelter.status_changed" and last.actor == window.services.login.actor

    # Export what the panel shows.
    assert evac.export(str(tmp_path / "plan.csv"), "csv")
    rows = list(csv.DictReader((tmp_path / "plan.csv").open(encoding="utf-8")))
    placed = sum(int(x["persons"]) for x in rows if x["shelter"])
    assert placed == plan.assigned and busiest not in {x["shelter"] for x in rows}
    assert evac.export(str(tmp_path / "plan.geojson"), "geojson")
    doc = json.loads((tmp_path / "plan.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["features"]
    assert not evac.export(str(tmp_path / "missing" / "plan.csv"), "csv")
    assert "Export failed" in evac.status_label.text()

    # Reopening re-plans with the shelter back in.
    evac.select_shelter(busiest)
    assert evac.reopen_button.isEnabled()
    with qtbot.waitSignal(evac.plan_changed, timeout=30_000):
        qtbot.mouseClick(evac.reopen_button, Qt.MouseButton.LeftButton)
    assert evac.loads()[busiest] > 0
    with make_session() as s:
        assert s.get(Shelter, busiest).status == "open"


def test_occupancy_entry_updates_the_table(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    evac = enter_civil_defence(window, qtbot).evacuation
    shelter = evac.shelter_rows[0].id
    evac.select_shelter(shelter)
    evac.occupancy_box.setValue(123)
    with qtbot.waitSignal(evac.shelters_changed, timeout=10_000):
        qtbot.mouseClick(evac.occupancy_button, Qt.MouseButton.LeftButton)
    r = evac.shelter_model.row_of(shelter)
    assert evac.shelter_model.row(r)[7] == "123"
    with make_session() as s:
        assert s.get(Shelter, shelter).occupancy == 123


# --- summary strip and map -------------------------------------------------------------------------


def test_summary_strip_equals_the_modes_functions(open_window, qtbot, make_session):
    window = open_window("commander")
    tools = enter_civil_defence(window, qtbot)
    with make_session() as s:
        report = coverage.coverage_report(s)
        plan = evacuation.plan_for_city(s)
        out = s.scalar(
            select(func.count()).select_from(Siren).where(Siren.status != SirenStatus.IN_SERVICE.value)
        )
        total = s.scalar(select(func.count()).select_from(Siren))
    summary = tools.summary.summary
    assert summary.covered == pytest.approx(report.covered)
    assert summary.population == pytest.approx(report.population)
    assert summary.sheltered_capacity == int(plan.problem.capacity.sum())
    assert summary.unplaced == plan.unplaced
    assert (summary.sirens_out, summary.sirens_total) == (out, total)
    assert out >= 1  # the demo has a siren out of service
    strip = tools.summary
    assert (
        strip.value("covered") == f"{report.covered:,.0f} ({100 * report.covered / report.population:.1f}%)"
    )
    assert strip.value("capacity") == f"{int(plan.problem.capacity.sum()):,}"
    assert strip.value("unplaced") == f"{plan.unplaced:,}"
    assert strip.value("sirens_out") == f"{out} / {total}"


def test_a_siren_taken_out_elsewhere_shows_after_the_journal_poll(open_window, qtbot, make_session):
    window = open_window("commander")
    tools = enter_civil_defence(window, qtbot)
    before = tools.summary.summary
    with make_session() as s:
        model = coverage.CoverageModel.load(s)
    # A siren whose loss leaves someone unwarned (some are wholly overlapped by their neighbours).
    in_service = [sid for sid, on in zip(model.siren_ids, model.in_service, strict=True) if on]
    siren = max(in_service, key=lambda sid: len(model.clone().set_in_service(sid, False)))
    clock = FixedClock(dt.datetime(2009, 9, 18, 10, 5))
    with make_session() as s, s.begin():  # another console, or the CLI
        coverage.set_siren_status(s, clock, "civil_defence", siren, "out_of_service")
    try:
        with qtbot.waitSignal(tools.coverage_loaded, timeout=30_000):
            window.watcher.poll()
        after = tools.summary.summary
        assert after.sirens_out == before.sirens_out + 1
        with make_session() as s:
            assert after.covered == pytest.approx(coverage.coverage_report(s).covered)
        assert after.covered < before.covered
        i = list(tools.coverage.sirens.ids).index(siren)
        assert tools.layers.sirens.style[i] == 1  # drawn as out of service
    finally:
        with make_session() as s, s.begin():
            coverage.set_siren_status(s, clock, "civil_defence", siren, "in_service")


def test_suggested_sirens_show_in_the_strip_and_on_the_map(open_window, qtbot, make_session):
    window = open_window("commander")
    tools = enter_civil_defence(window, qtbot)
    tools.sirens.count_box.setValue(2)
    with qtbot.waitSignal(tools.suggestions_loaded, timeout=30_000) as loaded:
        qtbot.mouseClick(tools.sirens.suggest_button, Qt.MouseButton.LeftButton)
    picks = loaded.args[0]
    with make_session() as s:
        expected = coverage.suggest_for_city(s, 2)[1]
    assert [(p.cell, round(p.gain_people)) for p in picks] == [
        (p.cell, round(p.gain_people)) for p in expected
    ]
    assert tools.layers.drawn_counts()["suggestions"] == len(picks) > 0
    assert f"+{picks[0].gain_people:,.0f}" in tools.summary.suggestions_label.text()


def test_the_layers_draw_in_civil_defence_mode_only(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    tools = enter_civil_defence(window, qtbot)
    layers = tools.layers
    counts = layers.drawn_counts()
    with make_session() as s:
        sirens = s.scalar(select(func.count()).select_from(Siren))
    assert counts["sirens"] == sirens and counts["circles"] == sirens
    assert counts["shelters"] == len(tools.evacuation.shelter_rows) > 0
    assert counts["flows"] == int((tools.plan.flow > 0).sum()) > 0
    assert (
        counts["covered_parts"] > 0 and counts["uncovered_cells"] == len(tools.coverage.uncovered_codes) > 0
    )
    # The flows (thousands of lines) start hidden in wartime; the user turns them on.
    assert not layers.flows.isVisible() and not layers.flows.boundingRect().isEmpty()
    window.layers_panel.layer_boxes["cd_flows"].setChecked(True)
    for item in (
        layers.sirens,
        layers.circles,
        layers.coverage,
        layers.uncovered,
        layers.shelters,
        layers.flows,
    ):
        assert item.isVisible() and not item.boundingRect().isEmpty()
    window.map.view.viewport().repaint()
    assert layers.sirens.symbols_drawn == sirens
    # Toggled off in the layers panel, then back on.
    window.layers_panel.layer_boxes["cd_flows"].setChecked(False)
    assert not layers.flows.isVisible() and layers.shelters.isVisible()
    window.layers_panel.layer_boxes["cd_flows"].setChecked(True)
    assert layers.flows.isVisible()
    # Out of civil-defence mode, none of them draws.
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        window.switch_now(Mode.EVERYDAY, "test")
    assert not any(item.isVisible() for item in layers.items)


def test_under_the_two_person_rule_the_alarm_sounds_when_a_second_officer_confirms_it(
    open_window, qtbot, make_session
):
    from data.demo_city import DEMO_PASSWORD, DEPUTY_CIVIL_DEFENCE
    from modes.bus import city_bus
    from modes.common.actor import Actor
    from modes.common.command_bus import call_local

    commander = Actor.of("commander", "city_commander", login="city_commander")
    clock = FixedClock(dt.datetime(2009, 9, 18, 10, 0))

    def two_person(on: bool) -> None:
        call_local(city_bus(), make_session, clock, "settings.two_person", {"on": on}, person=commander)

    window = open_window("civil_defence")
    panel = enter_civil_defence(window, qtbot).alarms
    before = alarm_count(make_session)
    two_person(True)
    try:
        answer_alarm_confirmation(qtbot, True, [])
        with qtbot.waitSignal(panel.alarm_failed, timeout=10_000) as failed:
            qtbot.mouseClick(panel.kind_buttons["raid"], Qt.MouseButton.LeftButton)
        assert "waits for a second civil-defence officer" in failed.args[0]
        assert alarm_count(make_session) == before  # nothing sounds until the second officer confirms
        with make_session() as s:
            mark = journal.last_seq(s)
            assert journal.events_after(s, mark - 1)[0].kind == "order.requested"
        # The order's dialog is open at this console: the deputy officer beside them confirms it.
        qtbot.waitUntil(
            lambda: window.order_dialog is not None and window.order_dialog.isVisible(), timeout=10_000
        )
        dialog = window.order_dialog
        assert dialog.order.act == "alarm.issue" and dialog.order.requested_by == window.services.login.actor
        qtbot.keyClicks(dialog.login_edit, DEPUTY_CIVIL_DEFENCE)
        qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
        with make_session() as s:
            last_alarm = s.scalar(select(func.max(Alarm.id))) or 0
        with qtbot.waitSignal(
            panel.board_refreshed, timeout=10_000, check_params_cb=lambda b: b.alarm_id > last_alarm
        ) as shown:
            qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        board = shown.args[0]
        assert board.kind.value == "raid" and board.issued_by == window.services.login.actor
        assert alarm_count(make_session) == before + 1
        with make_session() as s:
            events = journal.events_after(s, mark)
        confirmed = [e for e in events if e.kind == "order.confirmed"]
        issued = [e for e in events if e.kind == "alarm.issued"]
        assert [e.actor for e in confirmed] == [DEPUTY_CIVIL_DEFENCE]
        assert [(e.actor, e.payload["confirmed_by"]) for e in issued] == [
            (window.services.login.actor, DEPUTY_CIVIL_DEFENCE)
        ]
    finally:
        two_person(False)
