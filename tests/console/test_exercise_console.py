"""Exercises on the console (offscreen, real widgets, a real SQLite city): the EXERCISE banner and the
map's watermark on every page while an exercise is on, a local console driving a running exercise's
injects through its own door (never when it renders a screenshot), the exercise-records setting and the
marks on exercise cases, the controller page and its permissions, a player acknowledging an inject
addressed to them, and the exercise options of the incident form and the alarm confirmation.

Exercises are started through the command bus as the drill coordinator (``city_drill``), as the command
line or another console would; the console under test only reads and, on its own database, ticks.
The scenarios are small MSEL files written for the small demo city (its cells and event types).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from console.exercises.texts import STAMP
from data.exercise_models import Exercise, ExerciseInject
from data.models import Case, GridCell
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.clock import SystemClock
from modes.common.door import LocalDoor
from tests.console.conftest import copy_template

TITLE = "Console drill"
TITLE_ZH = "控制台演练"
FAST = 3600.0  # the fastest the rules allow: an exercise hour a wall second


@pytest.fixture(scope="module")
def city_url(small_demo_template, tmp_path_factory) -> str:
    return copy_template(small_demo_template, tmp_path_factory)


@pytest.fixture(scope="module")
def cells(make_session) -> list[str]:
    with make_session() as s:
        return list(s.scalars(select(GridCell.code).order_by(GridCell.code).limit(400)))[::50]


def write_msel(path: Path, cells: list[str], *, reports: int = 3, message_to: str = "city_commander") -> Path:
    """A MSEL for the small city: a message to ``message_to``, then ``reports`` reports a minute apart."""
    rows = [
        {"No": "1", "Time": "+00:00", "Kind": "message", "From": "Control", "To": message_to,
         "Message": "Stand by for the drill", "Expected Action": "exercise.ack", "Expected Within": "10"},
    ]  # fmt: skip
    for k in range(reports):
        rows.append(
            {"No": str(k + 2), "Time": f"+00:{k + 1:02d}", "Kind": "report", "From": "12319 caller",
             "To": "city_operator", "Message": f"drill report {k + 1}", "Expected Action": "case.accept",
             "Expected Within": "10", "Type": "06010", "Channel": "hotline", "Cell": cells[k]}
        )  # fmt: skip
    columns = ["No", "Time", "Kind", "From", "To", "Message", "Expected Action", "Expected Within", "Type",
               "Channel", "Cell"]  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def drill_door(make_session) -> LocalDoor:
    """The drill coordinator's own door onto the city (as the command line gives them)."""
    return LocalDoor(
        city_bus(), make_session, SystemClock(), Actor.of("drill", "city_drill", login="city_drill")
    )


def start_exercise(make_session, path: Path, *, speed: float = 1.0, **extra) -> int:
    from modes.exercises.exercises import load_scenario, scenario_args

    scenario = scenario_args(load_scenario(str(path)))
    scenario.update(title=TITLE, title_zh=TITLE_ZH)
    return drill_door(make_session).execute(
        "exercise.start", {"scenario": scenario, "speed": speed, **extra}
    )["id"]


def stop_exercise(make_session, exercise_id: int) -> None:
    drill_door(make_session).execute("exercise.stop", {"id": exercise_id})


@pytest.fixture
def live_window(qtbot, services_for, translations):
    """A loaded window on the wall clock (exercise clocks run on it) with its journal watcher running, as
    the console runs."""
    from console.main_window import MainWindow

    opened = []

    def build(role: str = "commander", *, drive: bool = True, lang: str = "en"):
        translations(lang)
        window = MainWindow(services_for(role, SystemClock()), drive_exercises=drive)
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        opened.append(window)
        return window

    yield build
    for window in opened:
        window.close()


def exercise_cases(make_session, exercise_id: int) -> list[int]:
    with make_session() as s:
        return list(s.scalars(select(Case.id).where(Case.exercise_id == exercise_id).order_by(Case.id)))


def inject_states(make_session, exercise_id: int) -> dict[str, str]:
    with make_session() as s:
        rows = s.execute(
            select(ExerciseInject.no, ExerciseInject.state).where(ExerciseInject.exercise_id == exercise_id)
        )
        return dict(rows.all())


# --- the banner and the watermark ---------------------------------------------------------------------


def test_the_banner_and_the_watermark_come_with_an_exercise_and_go_with_it(
    live_window, qtbot, make_session, cells, tmp_path
):
    window = live_window("commander", drive=False)
    banner, mark = window.exercise_banner, window.map.exercise_watermark
    assert not banner.isVisible() and not mark.isVisible()
    assert window.services.exercise_records == "leave"

    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells))
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=10_000)
    assert banner.stamp.text() == STAMP
    assert TITLE in banner.detail.text() and "×1" in banner.detail.text()
    assert "T+00:0" in banner.detail.text()
    assert mark.isVisible() and mark.lines == (STAMP,)
    # One item on the map, drawn over the view (not the city's coordinates): the watermark is no layer.
    assert mark.parentItem() is window.map.viewbox
    # While it is on, the console lists exercise records with the real ones.
    assert window.services.exercise_records == "include"
    assert window.exercise_records.box.currentData() == "include"

    stop_exercise(make_session, ex_id)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
    assert not mark.isVisible() and mark.lines == ()
    assert window.services.exercise_records == "leave"


def test_every_page_carries_the_banner(live_window, qtbot, make_session, cells, tmp_path):
    from modes.common.mode_switch import Mode

    window = live_window("commander", drive=False)
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells))
    try:
        qtbot.waitUntil(lambda: window.exercise_banner.isVisible(), timeout=10_000)
        for mode in (Mode.CIVIL_DEFENCE, Mode.EMERGENCY):
            window.preview_mode(mode)
            assert window.pages.currentWidget() is window.page_for[mode]
            assert window.exercise_banner.isVisible() and window.map.exercise_watermark.isVisible()
        window.show_controller(True)
        assert window.pages.currentWidget() is window.controller_page
        assert window.exercise_banner.isVisible()
    finally:
        stop_exercise(make_session, ex_id)
    qtbot.waitUntil(lambda: not window.exercise_banner.isVisible(), timeout=10_000)


# --- driving ------------------------------------------------------------------------------------------------


def test_a_local_console_delivers_a_running_exercises_injects(
    live_window, qtbot, make_session, cells, tmp_path
):
    """Nothing else drives: the console ticks through its own door when the injects fall due, and the
    queue (exercise records included while the exercise is on) shows the cases they made, marked."""
    window = live_window("commander")
    assert window.exercises.drives
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells, reports=3), speed=FAST)
    try:
        qtbot.waitUntil(
            lambda: set(inject_states(make_session, ex_id).values()) == {"delivered"}, timeout=30_000
        )
        made = exercise_cases(make_session, ex_id)
        assert len(made) == 3
        queue = window.cases.queue
        qtbot.waitUntil(lambda: queue.model.filter.exercises == "include", timeout=10_000)
        qtbot.waitUntil(lambda: all(queue.model.row_of(c) is not None for c in made), timeout=10_000)
        for case_id in made:
            row = queue.model.row_of(case_id)
            assert queue.model.index(row, 0).data() == f"{case_id}  {STAMP}"
        assert "including exercise records" in queue.count_label.text()
        # Left out again by the person's choice: the queue no longer lists them.
        window.exercise_records.box.setCurrentIndex(window.exercise_records.box.findData("leave"))
        assert window.services.exercise_records == "leave"
        qtbot.waitUntil(
            lambda: queue.model.filter.exercises == "leave" and not queue.model.pending, timeout=10_000
        )
        assert all(queue.model.row_of(c) is None for c in made)
        # The case panel marks an exercise's case.
        window.cases.open_case(made[0], fly=False)
        assert window.cases.panel.exercise_mark.isVisible()
        assert (
            STAMP in window.cases.panel.exercise_mark.text()
            and TITLE in window.cases.panel.exercise_mark.text()
        )
    finally:
        stop_exercise(make_session, ex_id)


def test_a_demo_ends_by_itself_on_the_console_that_drives_it_and_its_banner_goes(
    live_window, qtbot, make_session, cells, tmp_path
):
    """The demo's last limit is +00:13 (the third report at +00:03, within 10 min): at 120x the console's
    own ticks deliver everything and, 6.5 wall seconds in, end it; the banner and the watermark go."""
    window = live_window("commander")
    banner, mark = window.exercise_banner, window.map.exercise_watermark
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells), speed=120.0, demo=True)
    try:
        qtbot.waitUntil(lambda: banner.isVisible() and "DEMO" in banner.detail.text(), timeout=10_000)
        window.show_controller(True)
        detail = window.controller_page.clock_detail
        qtbot.waitUntil(lambda: "ends by itself at T+00:13:00" in detail.text(), timeout=10_000)
        qtbot.waitUntil(lambda: exercise_state(make_session, ex_id) == "completed", timeout=60_000)
        qtbot.waitUntil(lambda: not banner.isVisible() and not mark.isVisible(), timeout=10_000)
        assert window.services.exercise_records == "leave"  # the real city again
        assert set(inject_states(make_session, ex_id).values()) == {"delivered"}
        with make_session() as s:
            ended_by = s.scalar(select(Exercise.ended_by).where(Exercise.id == ex_id))
        assert ended_by == f"exercise-{ex_id}:city_drill"
    finally:
        if exercise_state(make_session, ex_id) in ("running", "paused"):
            stop_exercise(make_session, ex_id)


def exercise_state(make_session, exercise_id: int) -> str:
    with make_session() as s:
        return s.scalar(select(Exercise.state).where(Exercise.id == exercise_id))


def test_a_screenshot_console_never_ticks(live_window, qtbot, make_session, cells, tmp_path):
    window = live_window("commander", drive=False)
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells), speed=FAST)
    try:
        qtbot.waitUntil(lambda: window.exercises.running, timeout=10_000)
        assert not window.exercises.drives
        assert window.exercises.ticks == 0 and not window.exercises._tick_timer.isActive()
        assert set(inject_states(make_session, ex_id).values()) == {"pending"}
    finally:
        stop_exercise(make_session, ex_id)


# --- the controller page --------------------------------------------------------------------------------


def bad_msel(path: Path) -> Path:
    path.write_text(
        "No,Time,Kind,Message\n1,+00:00,message,fine\n2,soon,message,bad time\n", encoding="utf-8"
    )
    return path


def test_the_drill_coordinator_runs_an_exercise_from_the_controller_page(
    live_window, qtbot, make_session, cells, tmp_path
):
    window = live_window("city_drill")
    page = window.controller_page
    assert window.controller_shown and window.pages.currentWidget() is page
    assert page.start_button.isEnabled() and page.start_button.toolTip() == ""

    # A bad file is refused before anything starts, naming the row and the column.
    with qtbot.waitSignal(page.start_refused, timeout=10_000) as refused:
        page.start_exercise(path=str(bad_msel(tmp_path / "bad.csv")), speed=FAST)
    assert "row 3" in refused.args[0] and "'Time'" in refused.args[0]
    assert "row 3" in page.message.text()

    with qtbot.waitSignal(page.start_done, timeout=10_000):
        page.start_exercise(
            path=str(write_msel(tmp_path / "msel.csv", cells, message_to="city_drill")), speed=FAST
        )
    ex_id = window.exercises.controller_id  # the page follows the exercise it started
    with make_session() as s:
        assert s.get(Exercise, ex_id).started_by == "city_drill"
    qtbot.waitUntil(lambda: page.exercise_id == ex_id and page.model.rowCount() == 4, timeout=10_000)
    qtbot.waitUntil(lambda: set(inject_states(make_session, ex_id).values()) == {"delivered"}, timeout=30_000)
    qtbot.waitUntil(lambda: set(page.view.rows.state) != {"pending"}, timeout=10_000)
    assert (
        page.pause_button.isEnabled() and not page.resume_button.isEnabled() and page.stop_button.isEnabled()
    )
    assert not page.start_button.isEnabled() and str(ex_id) in page.start_button.toolTip()

    # Acknowledge the delivered message inject, then note on it.
    assert page.select_inject("1")
    assert page.ack_button.isEnabled()
    page.acknowledge_selected()
    qtbot.waitUntil(lambda: inject_states(make_session, ex_id)["1"] == "acknowledged", timeout=10_000)
    qtbot.waitUntil(lambda: not page.ack_button.isEnabled(), timeout=10_000)
    page.note_kind.setCurrentIndex(page.note_kind.findData("strength"))
    page.note_on_inject.setChecked(True)
    page.note_text.setText("acknowledged within a minute")
    page.add_note()
    qtbot.waitUntil(lambda: page.notes.count() == 1, timeout=10_000)
    assert "acknowledged within a minute" in page.notes.item(0).text()

    # An ad-hoc message inject, and a row of the improvement plan.
    form = page.inject_form
    form.kind_box.setCurrentIndex(form.kind_box.findData("message"))
    form.to_edit.setText("city_commander")
    form.message_edit.setText("the bridge is closed")
    form.send_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    assert page.model.index(4, 0).data() == "A1"
    page.plan_issue.setText("slow intake")
    page.plan_action.setText("a second operator at the hotline")
    page.plan_owner.setText("city_shift_leader")
    page.add_improvement()
    qtbot.waitUntil(lambda: page.plan_list.count() == 1, timeout=10_000)

    # Pause, resume, ENDEX.
    page.pause_button.click()
    qtbot.waitUntil(lambda: page.resume_button.isEnabled(), timeout=10_000)
    assert "paused" in window.exercise_banner.detail.text()
    page.resume_button.click()
    qtbot.waitUntil(lambda: page.pause_button.isEnabled(), timeout=10_000)
    page.confirm_stop = lambda: True
    assert page.request_stop()
    qtbot.waitUntil(lambda: not window.exercise_banner.isVisible(), timeout=10_000)
    with make_session() as s:
        assert s.get(Exercise, ex_id).state in ("stopped", "completed")
    qtbot.waitUntil(lambda: page.view is not None and not page.view.exercise.on, timeout=10_000)
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()


def test_the_controller_page_warns_when_no_driver_delivers_and_says_which_one_does(
    live_window, qtbot, make_session, city_url, cells, tmp_path
):
    """A console that does not drive (as a screenshot's), and nothing else does: the page says injects
    are not being delivered and how to start a driver; once one ticks, the page names it."""
    window = live_window("city_drill", drive=False)
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells), speed=1.0)
    page, label = window.controller_page, window.controller_page.driver_label
    try:
        window.show_controller(True)
        qtbot.waitUntil(lambda: page.exercise_id == ex_id and label.isVisible(), timeout=10_000)
        assert label.text() == (
            "No driver: injects are not being delivered (last tick: never). Start one: python main.py "
            f"exercise drive {ex_id} --db {city_url} & (or open a console on this database)."
        )
        drill_door(make_session).execute(
            "exercise.tick", {"id": ex_id, "driver": "exercise drive (pid 7 on ops-1)"}
        )
        window.exercises.refresh_controller()
        qtbot.waitUntil(lambda: label.text().startswith("Driver: alive, last tick"), timeout=10_000)
        assert label.text().endswith("s ago (exercise drive (pid 7 on ops-1)).")
    finally:
        stop_exercise(make_session, ex_id)
    qtbot.waitUntil(lambda: page.view is not None and not page.view.exercise.on, timeout=10_000)
    assert not label.isVisible()  # an ended exercise needs no driver


def test_a_player_sees_the_controls_disabled_with_the_reason_and_may_note(
    live_window, qtbot, make_session, cells, tmp_path
):
    window = live_window("operator", drive=False)
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells))
    try:
        window.show_controller(True)
        page = window.controller_page
        qtbot.waitUntil(lambda: page.view is not None and page.exercise_id == ex_id, timeout=10_000)
        for button in (page.start_button, page.pause_button, page.stop_button, page.inject_form.send_button,
                       page.plan_button):  # fmt: skip
            assert not button.isEnabled()
            assert "drill coordinator or the city commander" in button.toolTip()
        assert page.note_button.isEnabled()
        page.note_text.setText("the operator watched")
        page.add_note()
        qtbot.waitUntil(lambda: page.notes.count() == 1, timeout=10_000)
        # Back to the mode's page: the controller stands in for it only while asked.
        window.show_controller(False)
        assert window.pages.currentWidget() is window.page_for[window.mode]
    finally:
        stop_exercise(make_session, ex_id)


def test_a_player_acknowledges_an_inject_addressed_to_them_from_the_banner(
    live_window, qtbot, make_session, cells, tmp_path
):
    window = live_window("city_commander")
    banner = window.exercise_banner
    ex_id = start_exercise(make_session, write_msel(tmp_path / "msel.csv", cells, reports=0), speed=FAST)
    try:
        qtbot.waitUntil(lambda: banner.ack_button.isVisible(), timeout=30_000)
        assert banner.shown_inject.no == "1" and "Stand by for the drill" in banner.inbox.toolTip()
        banner.ack_button.click()
        qtbot.waitUntil(lambda: inject_states(make_session, ex_id)["1"] == "acknowledged", timeout=10_000)
        qtbot.waitUntil(lambda: not banner.ack_button.isVisible(), timeout=10_000)
        assert banner.isVisible()
    finally:
        stop_exercise(make_session, ex_id)


def test_a_busy_msel_is_one_model_over_arrays(live_window, qtbot, make_session, cells, tmp_path):
    """2,000 injects: the table's model holds the columns and answers any row."""
    window = live_window("city_drill", drive=False)
    path = tmp_path / "busy.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["No", "Time", "Kind", "To", "Message"])
        for k in range(2003):
            writer.writerow(
                [k + 1, f"+{k // 60:02d}:{k % 60:02d}", "message", "city_commander", f"note {k + 1}"]
            )
    ex_id = start_exercise(make_session, path)
    try:
        page = window.controller_page
        qtbot.waitUntil(lambda: page.model.rowCount() == 2003, timeout=30_000)
        last = page.model.index(2002, 0)
        assert last.data() == "2003" and page.model.index(2002, 1).data() == "+33:22"
        assert page.model.index(2002, 7).data() == "Pending"
        assert page.select_inject("2003")
    finally:
        stop_exercise(make_session, ex_id)


# --- the exercise options of the incident form and the alarm confirmation ---------------------------------


def test_an_exercise_incident_from_the_form_is_marked_with_its_exercise_deadline(
    live_window, qtbot, make_session, cells
):
    from modes.common.mode_switch import Mode

    window = live_window("commander", drive=False)
    window.preview_mode(Mode.EMERGENCY)
    console = window.emergency
    console.refresh()
    qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=30_000)
    panel, form = console.panels[0], console.panels[0].form
    with make_session() as s:
        cell = s.get(GridCell, cells[1])
        p = cell.geometry.representative_point()
    form.choose("fire", "II")
    form.set_location(p.x, p.y)
    form.exercise_box.setChecked(True)
    with qtbot.waitSignal(console.written, timeout=20_000):
        form.open_button.click()
    qtbot.waitUntil(
        lambda: console.board.selected is not None and console.board.selected.exercise, timeout=20_000
    )
    incident = console.board.selected
    row = panel.model.row_of(incident.id)
    assert panel.model.index(row, 0).data() == f"{STAMP} #{incident.id}"
    summary = panel.summary.text()
    assert summary.startswith(f"{STAMP} · #{incident.id}")
    assert "Exercise deadline 演练时限" in summary and "Report to the State Council" not in summary


def test_an_exercise_incidents_deadline_on_the_panel_runs_on_the_exercise_clock(
    open_window, qtbot, make_session, cells, tmp_path
):
    """An exercise's level II incident opened at +01:00 is due at +05:00 on the exercise clock (4 wall
    minutes later at 60x); the panel says the time is the exercise clock's, and says overdue once the
    exercise clock, not the wall clock, has passed it."""
    import datetime as dt

    from modes.common.clock import FixedClock
    from modes.common.mode_switch import Mode
    from modes.exercises.exercises import load_scenario, scenario_args

    clock = FixedClock(dt.datetime(2009, 9, 18, 10, 0))  # the exercise clock reads 10:00 at +00:00
    path = tmp_path / "level_ii.csv"
    path.write_text(
        "No,Time,Kind,From,To,Message,Type,Level,Radius,Cell\n"
        f"1,+01:00,incident,HQ,city_commander,Embankment breached,fire,II,40,{cells[2]}\n",
        encoding="utf-8",
    )
    drill = LocalDoor(city_bus(), make_session, clock, Actor.of("drill", "city_drill", login="city_drill"))
    ex_id = drill.execute(
        "exercise.start", {"scenario": scenario_args(load_scenario(str(path))), "speed": 60.0}
    )["id"]
    try:
        clock.advance(seconds=60)
        drill.execute("exercise.tick", {"id": ex_id})
        with make_session() as s:
            record = s.scalar(select(ExerciseInject.record).where(ExerciseInject.exercise_id == ex_id))
        incident_id = int(record.split("/")[1])
        window = open_window("commander", clock=clock)
        window.preview_mode(Mode.EMERGENCY)
        console, panel = window.emergency, window.emergency.panels[0]

        def summary_at(now: dt.datetime) -> str:
            console.select(incident_id)
            console.refresh()
            qtbot.waitUntil(
                lambda: (
                    console.board is not None
                    and not console._loading
                    and console.board.now == now
                    and console.board.selected is not None
                    and console.board.selected.id == incident_id
                ),
                timeout=30_000,
            )
            return panel.summary.text()

        text = summary_at(clock.now())
        assert "Exercise deadline 演练时限 15:00 on the exercise clock" in text and "overdue" not in text
        clock.advance(seconds=4 * 60 + 1)  # +05:01 on the exercise clock, 10:05 on the wall's
        assert summary_at(clock.now()).endswith("(no real report is due) — overdue")
    finally:
        drill.execute("exercise.stop", {"id": ex_id})


def test_the_alarm_confirmation_says_exercise_when_exercise_is_ticked(qtbot, translations):
    from PySide6.QtWidgets import QLabel

    from console.civil_defence.alarm_panel import ConfirmAlarmDialog

    translations("en")
    drill = ConfirmAlarmDialog("raid", "the whole city", "city_civil_defence", exercise=True)
    real = ConfirmAlarmDialog("raid", "the whole city", "city_civil_defence")
    for dialog in (drill, real):
        qtbot.addWidget(dialog)
    texts_of = {d: " ".join(label.text() for label in d.findChildren(QLabel)) for d in (drill, real)}
    assert "EXERCISE — a drill, not a real alarm" in texts_of[drill] and STAMP in texts_of[drill]
    assert "(exercise)" in drill.confirm_button.text()
    assert "EXERCISE" not in texts_of[real] and "exercise" not in real.confirm_button.text()


def test_the_alarm_board_marks_an_exercise_alarm(live_window, make_session):
    window = live_window("civil_defence", drive=False)
    officer = Actor.of("civil_defence", "city_civil_defence", login="city_civil_defence")
    LocalDoor(city_bus(), make_session, SystemClock(), officer).execute(
        "alarm.issue", {"kind": "pre", "exercise": True, "note": "console drill"}
    )
    panel = window.civil_defence.alarms
    panel.load_latest()
    assert panel.board is not None and panel.board.exercise
    assert panel.alarm_label.text().startswith(f"{STAMP} · ")


def _peak_hz(samples, start_s: float, length_s: float = 0.1) -> float:
    import numpy as np

    from console.civil_defence.sound import SAMPLE_RATE

    a = int(round(start_s * SAMPLE_RATE))
    window = samples[a : a + int(round(length_s * SAMPLE_RATE))].astype(float)
    return float(np.fft.rfftfreq(len(window), 1 / SAMPLE_RATE)[np.abs(np.fft.rfft(window)).argmax()])


def test_an_exercise_injects_air_raid_alarm_sounds_the_exercise_chime_not_the_real_siren(
    live_window, qtbot, make_session, tmp_path
):
    """The board of an alarm an exercise's inject sounded says EXERCISE, and what the console plays
    opens with the exercise chime (1320 Hz), where a real air raid opens with the 500 Hz siren; a
    console joining the alarm late hears the chime first too."""
    from console.civil_defence.sound import CYCLE_S, SAMPLE_RATE, AlarmSound, RecordingSink
    from data.civil_defence_models import Alarm
    from modes.civil_defence.alarms import EXERCISE_MARK_HZ

    window = live_window("civil_defence", drive=False)
    panel = window.civil_defence.alarms
    panel.sound = AlarmSound(RecordingSink())  # what a console without a sound card keeps
    msel = tmp_path / "raid.csv"
    msel.write_text(
        "No,Time,Kind,To,Message,Alarm\n1,+00:00,alarm,districts,Air raid drill,raid\n", encoding="utf-8"
    )
    ex_id = start_exercise(make_session, msel, speed=FAST)
    try:
        drill_door(make_session).execute("exercise.tick", {"id": ex_id})
        panel.load_latest()
        board = panel.board
        assert board is not None and board.exercise_id == ex_id and board.kind.value == "raid"
        assert panel.alarm_label.text().startswith(f"{STAMP} · ")
        drill = panel.sound.sink.samples
        assert panel.sound.sink.playing and panel.sound.exercise
        assert _peak_hz(drill, 0.05) == pytest.approx(EXERCISE_MARK_HZ[0], abs=10)
        assert _peak_hz(drill, 0.30) == pytest.approx(EXERCISE_MARK_HZ[1], abs=10)
        # Joined 30 s into the cycle (in a burst of the siren): the chime comes first all the same.
        panel.sound.start("raid", 30.0, exercise=True)
        assert _peak_hz(panel.sound.sink.samples, 0.05) == pytest.approx(EXERCISE_MARK_HZ[0], abs=10)
    finally:
        stop_exercise(make_session, ex_id)
    # A real air raid, sounded by the officer: the siren from its first second, no mark on the board.
    officer = Actor.of("civil_defence", "city_civil_defence", login="city_civil_defence")
    LocalDoor(city_bus(), make_session, SystemClock(), officer).execute("alarm.issue", {"kind": "raid"})
    panel.load_latest()
    assert panel.board is not None and not panel.board.exercise and panel.board.exercise_id is None
    assert not panel.alarm_label.text().startswith(STAMP)
    real = panel.sound.sink.samples
    assert not panel.sound.exercise and _peak_hz(real, 0.05) == pytest.approx(500, abs=10)
    # The same 3-minute cycle from the moment each was sounded (a few ms in): the countdown holds for both.
    cycle = CYCLE_S * SAMPLE_RATE
    assert cycle - SAMPLE_RATE < len(drill) <= cycle and cycle - SAMPLE_RATE < len(real) <= cycle
    with make_session() as s:
        assert s.scalar(select(Alarm.exercise_id).where(Alarm.id == board.alarm_id)) == ex_id


def test_the_console_opens_on_the_page_asked_for(live_window):
    """``console --page``: the case queue, or the controller page (a view, as a screenshot needs)."""
    window = live_window("commander", drive=False)
    window.open_page("controller")
    assert window.controller_shown and window.pages.currentWidget() is window.controller_page
    window.open_page("queue")
    assert not window.controller_shown and window.pages.currentWidget() is window.everyday_page
    assert window.everyday_page.tabs.currentIndex() == window.cases.queue_tab
    with pytest.raises(ValueError, match="unknown page"):
        window.open_page("nowhere")


def test_a_screenshot_during_a_running_exercise_writes_nothing(city_url, make_session, cells, tmp_path):
    """``console --screenshot`` renders the banner, the watermark and the controller page of a running
    exercise whose injects are all due, and delivers none of them: the file stays as it was."""
    import shutil

    from data.db import make_engine, session_factory
    from tests.console.test_screenshot import city_fingerprint, run_console

    path = tmp_path / "city.db"
    with make_session() as s:  # a consistent copy of the module's city (its WAL checkpointed first)
        s.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(city_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        start_exercise(session_factory(engine), write_msel(tmp_path / "msel.csv", cells), speed=FAST)
    finally:
        engine.dispose()
    before = city_fingerprint(url)
    for who, page in (("city_drill", "controller"), ("city_commander", "queue")):
        out = tmp_path / f"{page}.png"
        done = run_console(url, "--screenshot", str(out), "--size", "1280x800", "--as", who, "--page", page)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 0
        assert city_fingerprint(url) == before
