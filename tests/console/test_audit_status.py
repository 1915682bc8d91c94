"""The audit in the console's status bar: green on an untouched city, red naming the first broken event
and the cases that differ once the SQLite file is edited behind the program's back, again on its timer,
and in Chinese too."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from console.audit_status import STYLES, AuditLabel
from modes.common.clock import FixedClock
from modes.everyday.cases import Actor, CaseDesk


@pytest.fixture(scope="module")
def reported_case(make_session) -> int:
    """One case on the module's city, through the case desk (the small city is seeded without cases)."""
    from data.models import GridCell

    with make_session() as s, s.begin():
        cell = s.query(GridCell).order_by(GridCell.code).first()
        p = cell.geometry.representative_point()
        desk = CaseDesk(s, FixedClock(dt.datetime(2026, 3, 2, 9)))
        doc, _ = desk.report(Actor.of("operator"), x=p.x, y=p.y, channel="hotline", type_code="06010")
        desk.act(doc["id"], "send_verify", Actor.of("operator"))
    return doc["id"]


def _path(city_url: str) -> str:
    return city_url.removeprefix("sqlite:///")


def test_green_then_red_after_the_file_is_edited(open_window, qtbot, city_url, reported_case):
    window = open_window()
    label = window.audit_label
    qtbot.waitUntil(lambda: label.status is not None, timeout=30_000)
    assert label.status.ok and label.property("audit") == "ok"
    assert label.text().startswith("Audit OK") and label.styleSheet() == STYLES["ok"]
    assert label.status.cases_checked >= 1

    with sqlite3.connect(_path(city_url)) as db:
        seq, actor = db.execute("SELECT seq, actor FROM journal ORDER BY seq LIMIT 1").fetchone()
        db.execute("UPDATE journal SET actor = 'intruder' WHERE seq = ?", (seq,))
        db.execute("UPDATE cases SET state = 'closed' WHERE id = ?", (reported_case,))
    try:
        with qtbot.waitSignal(label.checked, timeout=30_000) as blocker:
            assert label.check_now()
        status = blocker.args[0]
        assert not status.ok and status.first_bad_event == seq and status.case_mismatches == (reported_case,)
        assert label.property("audit") == "failed" and label.styleSheet() == STYLES["failed"]
        assert f"journal broken at event {seq}" in label.text() and "1 cases differ" in label.text()
        assert str(reported_case) in label.toolTip() and "audit verify" in label.toolTip()
        assert label.isVisible()
    finally:
        window.audit_label.stop()
        with sqlite3.connect(_path(city_url)) as db:  # the module's other tests see the city as it was
            db.execute("UPDATE journal SET actor = ? WHERE seq = ?", (actor, seq))
            db.execute("UPDATE cases SET state = 'verifying' WHERE id = ?", (reported_case,))


def test_the_audit_runs_again_on_its_timer_and_never_twice_at_once(qtbot, services_for, reported_case):
    services = services_for("operator")
    label = AuditLabel(services.audit, interval_ms=50)
    qtbot.addWidget(label)
    seen = []
    label.checked.connect(seen.append)
    label.start()
    assert not label.check_now()  # one is running: not a second
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=30_000)
    label.stop()
    assert all(s.ok for s in seen)
    assert seen[-1].checked_at == dt.datetime(2009, 9, 18, 10, 0)  # the services' clock


def test_a_console_with_nothing_to_audit_hides_the_label(qtbot):
    label = AuditLabel(lambda cancelled: None)
    qtbot.addWidget(label)
    label.show()
    with qtbot.waitSignal(label.checked, timeout=10_000):
        label.start()
    assert label.isHidden()
    label.stop()


def test_an_audit_that_cannot_run_is_amber(qtbot):
    def broken(cancelled):
        raise RuntimeError("database is locked")

    label = AuditLabel(broken)
    qtbot.addWidget(label)
    with qtbot.waitSignal(label.check_failed, timeout=10_000):
        label.start()
    assert label.property("audit") == "error" and "database is locked" in label.text()
    label.stop()


def test_the_label_speaks_chinese(qtbot, translations, services_for, reported_case):
    translations("zh_CN")
    label = AuditLabel(services_for("operator").audit)
    qtbot.addWidget(label)
    with qtbot.waitSignal(label.checked, timeout=30_000):
        label.start()
    assert "审计" in label.text() and "Audit" not in label.text()
    label.stop()
