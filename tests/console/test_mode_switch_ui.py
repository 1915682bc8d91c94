"""The always-visible mode switch: F1/F2/F3 and the buttons, the confirmation with its reason before
every switch, the refusal by role both ways (entering and leaving), the journal event, what stays put
(map view, selection), and the preview of a page that switches nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtWidgets import QApplication

from console.main_window import ConfirmModeDialog
from data import journal
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.mode_switch import EVENT_KIND, Mode, current_mode, switch_mode

CMDR = Actor.of("commander", "cmdr_other_seat")


def answer_confirmation(qtbot, accept: bool, seen: list, reason: str = "exercise 9.18") -> None:
    """Answer the modal confirmation dialog as a user would, once it is up: the switch button is off
    until a reason is typed."""

    def handler():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConfirmModeDialog):
            QTimer.singleShot(20, handler)
            return
        seen.append((dialog, dialog.confirm_button.isEnabled()))
        if accept:
            qtbot.keyClicks(dialog.reason_edit, reason)
        qtbot.mouseClick(dialog.confirm_button if accept else dialog.cancel_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, handler)


def press(qtbot, window, key) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, key)


def last_event(make_session):
    with make_session() as s:
        seq = journal.last_seq(s)
        (event,) = journal.events_after(s, seq - 1)
        return event.kind, event.actor, dict(event.payload), seq


def reset_to_everyday(make_session):
    with make_session() as s, s.begin():
        switch_mode(s, FixedClock(dt.datetime(2009, 9, 18, 9, 0)), CMDR, Mode.EVERYDAY, "reset")


@pytest.fixture(autouse=True)
def everyday_first(make_session):
    reset_to_everyday(make_session)
    yield
    reset_to_everyday(make_session)


def test_f2_asks_then_switches_to_wartime_and_journals_it(open_window, qtbot, make_session):
    window = open_window("commander")
    seen: list = []
    answer_confirmation(qtbot, True, seen)
    with qtbot.waitSignal(window.mode_changed, timeout=5000) as changed:
        press(qtbot, window, Qt.Key.Key_F2)
    assert changed.args == ["civil-defence"] and len(seen) == 1
    assert seen[0][0].target == Mode.CIVIL_DEFENCE and seen[0][1] is False  # no reason yet: disabled
    assert window.mode == Mode.CIVIL_DEFENCE
    assert "CIVIL AIR DEFENCE · WARTIME" in window.banner_title.text()
    assert window.pages.currentWidget() is window.page_for[Mode.CIVIL_DEFENCE]
    cd_tabs = window.page_for[Mode.CIVIL_DEFENCE].tabs
    assert [cd_tabs.tabText(i) for i in range(cd_tabs.count())] == ["Alarms", "Sirens", "Evacuation"]
    assert window.mode_buttons[Mode.CIVIL_DEFENCE].isChecked()
    assert not window.mode_buttons[Mode.EVERYDAY].isChecked()
    kind, actor, payload, seq = last_event(make_session)
    assert kind == EVENT_KIND and actor == window.services.login.actor
    assert payload == {
        "from": "everyday",
        "to": "civil-defence",
        "role": "commander",
        "reason": "exercise 9.18",
    }
    assert f"event {seq}" in window.statusBar().currentMessage()
    assert window.services.login.actor in window.banner_detail.text()


def test_cancelled_confirmation_changes_nothing(open_window, qtbot, make_session):
    window = open_window("commander")
    with make_session() as s:
        before = journal.last_seq(s)
    seen: list = []
    answer_confirmation(qtbot, False, seen)
    qtbot.mouseClick(window.mode_buttons[Mode.EMERGENCY], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=3000)
    assert window.mode == Mode.EVERYDAY and not window.mode_buttons[Mode.EMERGENCY].isChecked()
    assert "cancelled" in window.statusBar().currentMessage()
    with make_session() as s:
        assert journal.last_seq(s) == before and current_mode(s) == Mode.EVERYDAY


def test_emergency_then_back_to_everyday_asks_again(open_window, qtbot, make_session):
    window = open_window("commander")
    seen: list = []
    answer_confirmation(qtbot, True, seen)
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        press(qtbot, window, Qt.Key.Key_F3)
    assert window.mode == Mode.EMERGENCY and "EMERGENCY" in window.banner_title.text()
    em_tabs = window.page_for[Mode.EMERGENCY].tabs  # the emergency tools replaced the notice
    assert window.page_for[Mode.EMERGENCY].notice_text == ""
    assert [em_tabs.widget(i).objectName() for i in range(em_tabs.count())] == [
        "emergency_incidents", "emergency_impact", "emergency_resources", "emergency_command",
    ]  # fmt: skip
    answer_confirmation(qtbot, True, seen, "water receded")
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        press(qtbot, window, Qt.Key.Key_F1)
    assert len(seen) == 2  # leaving emergency is as grave as entering it
    assert window.mode == Mode.EVERYDAY
    kind, _actor, payload, _ = last_event(make_session)
    assert payload["from"] == "emergency" and payload["to"] == "everyday"
    assert payload["reason"] == "water receded"


def test_operator_is_refused_and_nothing_is_written(open_window, qtbot, make_session):
    window = open_window("operator")
    assert not window.mode_buttons[Mode.CIVIL_DEFENCE].isEnabled()
    assert not window.mode_buttons[Mode.EMERGENCY].isEnabled()
    assert "may not switch" in window.mode_buttons[Mode.EMERGENCY].toolTip()
    with make_session() as s:
        before = journal.last_seq(s)
    with qtbot.waitSignal(window.mode_switch_failed, timeout=3000):
        press(qtbot, window, Qt.Key.Key_F3)
    assert window.mode == Mode.EVERYDAY
    assert "may not switch" in window.statusBar().currentMessage()
    with make_session() as s:
        assert journal.last_seq(s) == before


def test_civil_defence_officer_may_declare_wartime_only(open_window, qtbot):
    window = open_window("civil_defence")
    assert window.mode_buttons[Mode.CIVIL_DEFENCE].isEnabled()
    assert not window.mode_buttons[Mode.EMERGENCY].isEnabled()
    seen: list = []
    answer_confirmation(qtbot, True, seen)
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        qtbot.mouseClick(window.mode_buttons[Mode.CIVIL_DEFENCE], Qt.MouseButton.LeftButton)
    assert window.mode == Mode.CIVIL_DEFENCE


def test_switching_keeps_the_map_view_and_selection(open_window, qtbot):
    window = open_window("commander")
    snap = window.snapshot
    window.map.set_view_rect(QRectF(1000, 1000, 800, 500))
    code = str(snap.cells.codes[20])
    window.map.select("cell", code)
    view = window.map.view_rect()
    answer_confirmation(qtbot, True, [])
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        window.request_mode(Mode.EMERGENCY)
    assert window.map.view_rect() == view
    assert window.map.selection.key == code and window.details.key == code


def test_a_switch_elsewhere_is_followed_live(open_window, qtbot, make_session):
    window = open_window("operator")
    with make_session() as s, s.begin():
        switch_mode(s, FixedClock(dt.datetime(2009, 9, 18, 11, 0)), CMDR, Mode.EMERGENCY, "flood")
    with qtbot.waitSignal(window.mode_changed, timeout=3000):
        window.watcher.poll()
    assert window.mode == Mode.EMERGENCY
    assert "cmdr_other_seat" in window.banner_detail.text()
    assert "cmdr_other_seat" in window.statusBar().currentMessage()
    # Only the commander ends an emergency: the operator's way back is off, and says why.
    assert not window.mode_buttons[Mode.EVERYDAY].isEnabled()
    assert "may not take the city out of" in window.mode_buttons[Mode.EVERYDAY].toolTip()
    assert window.mode_buttons[Mode.EMERGENCY].isChecked()
    with make_session() as s:
        before = journal.last_seq(s)
    with qtbot.waitSignal(window.mode_switch_failed, timeout=3000):
        press(qtbot, window, Qt.Key.Key_F1)
    with make_session() as s:
        assert journal.last_seq(s) == before and current_mode(s) == Mode.EMERGENCY


def test_a_preview_shows_a_page_and_switches_nothing(open_window, make_session):
    window = open_window("operator")
    with make_session() as s:
        before = journal.last_seq(s)
    window.preview_mode(Mode.CIVIL_DEFENCE)
    assert window.pages.currentWidget() is window.page_for[Mode.CIVIL_DEFENCE]
    assert window.mode == Mode.EVERYDAY and window.mode_buttons[Mode.EVERYDAY].isChecked()
    assert "previewing" in window.banner_detail.text() and "not switched" in window.banner_detail.text()
    with make_session() as s:
        assert journal.last_seq(s) == before and current_mode(s) == Mode.EVERYDAY


def test_live_watcher_reports_growth_once(qtbot, make_session):
    from console.live import JournalWatcher

    def read():
        with make_session() as s:
            return journal.last_seq(s)

    watcher = JournalWatcher(read, interval_ms=20)
    start = watcher.seq
    with qtbot.assertNotEmitted(watcher.journal_advanced, wait=50):
        watcher.poll()
    reset_to_everyday(make_session)  # already everyday: no event
    with make_session() as s, s.begin():
        switch_mode(s, FixedClock(dt.datetime(2009, 9, 18, 12, 0)), CMDR, Mode.CIVIL_DEFENCE, "drill")
    watcher.start()
    with qtbot.waitSignal(watcher.journal_advanced, timeout=3000) as advanced:
        pass
    watcher.stop()
    assert advanced.args == [start, start + 1]


def test_each_mode_keeps_its_own_layers(open_window, qtbot):
    """Wartime opens without the everyday clutter; going back restores what the user had chosen."""
    window = open_window("commander")
    boxes = window.layers_panel.layer_boxes
    groups = window.layers_panel.mode_groups
    boxes["cameras"].setChecked(False)  # the user's own choice in everyday mode
    assert boxes["components"].isChecked() and window.map.layer_visible("components")
    answer_confirmation(qtbot, True, [])
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        window.request_mode(Mode.CIVIL_DEFENCE)
    assert not boxes["components"].isChecked() and not window.map.layer_visible("components")
    assert not boxes["supervisors"].isChecked()
    assert not groups["everyday"].isVisibleTo(window) and groups["civil-defence"].isVisibleTo(window)
    boxes["supervisors"].setChecked(True)  # a choice made in wartime stays with wartime
    answer_confirmation(qtbot, True, [])  # leaving wartime asks too
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        window.request_mode(Mode.EVERYDAY)
    assert boxes["components"].isChecked() and window.map.layer_visible("components")
    assert not boxes["cameras"].isChecked()
    assert groups["everyday"].isVisibleTo(window) and not groups["civil-defence"].isVisibleTo(window)
    answer_confirmation(qtbot, True, [])
    with qtbot.waitSignal(window.mode_changed, timeout=5000):
        window.request_mode(Mode.CIVIL_DEFENCE)
    assert boxes["supervisors"].isChecked() and not boxes["components"].isChecked()
