"""The alarm board's CAP section: each outbound hook's state, attempts and last attempt, as the
deliverer logged them (real command hooks, run by a real deliverer), in English and in Chinese."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from PySide6.QtCore import Qt

from modes.bus import city_bus
from modes.common import auth
from modes.common.clock import FixedClock
from modes.common.command_bus import call_local
from modes.common.door import LocalDoor
from nodes.cap_hooks import CapDeliverer
from tests.console.test_civil_defence_panel import enter_civil_defence


@pytest.fixture(scope="module")
def alarm_id(make_session) -> int:
    """Two command hooks, one that takes the alert and one that always fails; a raid; delivered."""
    clock = FixedClock(dt.datetime(2026, 3, 2, 10, 0))
    with make_session() as s:
        officer = auth.staff_actor(s, "city_civil_defence")
    door = LocalDoor(city_bus(), make_session, clock, officer)
    ok = door.execute("cap.hook_add", {"command": [sys.executable, "-c", "import sys; sys.stdin.read()"]})
    door.execute(
        "cap.hook_add",
        {"command": [sys.executable, "-c", "import sys; sys.exit(3)"], "attempts": 2, "backoff_s": 0.05},
    )
    board = door.execute("alarm.issue", {"kind": "raid", "districts": "all"})

    def record(name, args):
        return call_local(city_bus(), make_session, clock, name, args)

    assert CapDeliverer(make_session, record, after_seq=ok["from_seq"]).drain(60)
    return board["alarm_id"]


def test_the_board_shows_each_hooks_attempts(open_window, qtbot, request):
    window = open_window("civil_defence")
    panel = enter_civil_defence(window, qtbot).alarms
    alarm_id = request.getfixturevalue("alarm_id")  # sounded and delivered while the console is open
    with qtbot.waitSignal(panel.board_refreshed, timeout=10_000):
        window.watcher.poll()  # the journal brings the alarm (and its deliveries): the panel shows it
    assert panel.board.alarm_id == alarm_id
    model = panel.hooks_model
    rows = [model.row(r) for r in range(model.rowCount())]
    assert [(r[2], r[3]) for r in rows] == [("Delivered", "1/5"), ("Gave up", "2/2")]
    assert rows[0][4].endswith("delivered") and rows[1][4].endswith("failed") and rows[1][5] == "exit 3"
    assert [model.flag(r) for r in range(model.rowCount())] == ["ok", "late"]
    assert panel.hooks_label.text() == f"CAP alert sanwei-230100.alarm.{alarm_id}: delivered to 1 of 2 hooks."


def test_the_cap_section_speaks_chinese(open_window, qtbot, alarm_id):
    window = open_window("civil_defence", lang="zh_CN")
    panel = window.civil_defence.alarms
    panel.load_latest()
    assert panel.board.alarm_id == alarm_id
    model = panel.hooks_model
    assert model.rowCount() == 2
    assert [model.row(r)[2] for r in range(2)] == ["已送达", "已放弃"]
    assert "已送达 1 个" in panel.hooks_label.text()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == ["接收端", "地址", "状态"]
