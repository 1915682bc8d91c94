"""An escalated case's panel names its incident (id, level and status as they stand now) and links to
it: following the link in everyday mode shows the incident's summary beside the map; in emergency mode
it selects the incident on the emergency page. The case's timeline shows the escalation."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from console.everyday.case_panel import CasePanel
from console.everyday.services import CaseServices
from console.workers import WorkerPool
from data.models import GridCell
from modes.common.clock import FixedClock
from modes.common.mode_switch import Mode
from modes.emergency.desk import IncidentDesk
from modes.emergency.incidents import Actor as IncidentActor
from modes.everyday.cases import Actor, CaseDesk

NOW = dt.datetime(2009, 9, 18, 10, 0)  # the console fixtures' clock
COMMANDER = IncidentActor.of("commander", "wang_commander")
_cells = itertools.count(17, 11)


def _escalated_case(make_session, level: str = "III") -> tuple[int, int]:
    with make_session() as s, s.begin():
        cell = s.scalar(select(GridCell).order_by(GridCell.code).offset(next(_cells)).limit(1))
        c = cell.geometry.centroid
        clock = FixedClock(NOW - dt.timedelta(minutes=30))
        doc, _ = CaseDesk(s, clock).report(
            Actor.of("supervisor", "someone"), x=c.x, y=c.y, channel="supervisor", type_code="0401"
        )
        clock.set(NOW - dt.timedelta(minutes=20))
        opened = IncidentDesk(s, clock).escalate(COMMANDER, doc["id"], level=level)
        return doc["id"], opened["id"]


def _change(make_session, incident_id: int, *, level: str | None = None, status: str | None = None) -> None:
    with make_session() as s, s.begin():
        desk = IncidentDesk(s, FixedClock(NOW))
        if level:
            desk.level(COMMANDER, incident_id, level, "spreading")
        if status:
            desk.status(COMMANDER, incident_id, status)


@pytest.fixture
def panel(services_for, qtbot, translations):
    translations("en")
    workers = WorkerPool()
    built = CasePanel(CaseServices.of(services_for("commander")), workers)
    qtbot.addWidget(built)
    built.resize(520, 800)
    built.show()
    yield built
    workers.shutdown()
    built.close()


def test_the_case_panel_names_the_incident_as_it_stands_now(panel, make_session, qtbot):
    case_id, incident_id = _escalated_case(make_session)
    panel.show_case(case_id)
    assert panel.incident_link is not None
    qtbot.waitUntil(panel.incident_link.isVisible, timeout=2000)  # laid out by a posted event
    text = panel.value_of("Incident")
    assert text.startswith(f"#{incident_id} · Level III (relatively serious) · Reported")
    assert f'href="incident:{incident_id}"' in panel.incident_link.text()
    assert "ESCALATED" in panel.badges.text()
    timeline = [panel.timeline.item(r, 2).text() for r in range(panel.timeline.rowCount())]
    assert f"Escalated to incident #{incident_id}" in timeline
    # The incident moves on; the panel reads it again and shows its level and status now.
    _change(make_session, incident_id, level="II", status="responding")
    panel.refresh()
    assert panel.value_of("Incident").startswith(f"#{incident_id} · Level II (serious) · Responding")
    with qtbot.waitSignal(panel.incident_requested, timeout=2000) as followed:
        panel.incident_link.linkActivated.emit(f"incident:{incident_id}")
    link = followed.args[0]
    assert (link.id, link.level, link.status, link.level_at_escalation) == (
        incident_id,
        "II",
        "responding",
        "III",
    )


def test_a_case_never_escalated_has_no_incident_row(panel, make_session):
    with make_session() as s, s.begin():
        cell = s.scalar(select(GridCell).order_by(GridCell.code).offset(next(_cells)).limit(1))
        c = cell.geometry.centroid
        doc, _ = CaseDesk(s, FixedClock(NOW)).report(
            Actor.of("supervisor", "someone"), x=c.x, y=c.y, channel="supervisor", type_code="06010"
        )
    panel.show_case(doc["id"])
    assert panel.value_of("Incident") is None and panel.incident_link is None


def test_following_the_link_shows_the_summary_or_the_emergency_page(open_window, make_session, qtbot):
    case_id, incident_id = _escalated_case(make_session, level="IV")
    window = open_window("commander")
    assert window.mode == Mode.EVERYDAY
    window.cases.open_case(case_id, fly=False)
    case_panel = window.cases.panel
    # Everyday mode: the emergency page is not on screen; the incident's summary shows beside the map.
    case_panel.incident_link.linkActivated.emit(f"incident:{incident_id}")
    assert (window.details.kind, window.details.key) == ("incident", str(incident_id))
    assert window.details.value_of("Level now") == "Level IV (general)"
    assert window.details.value_of("Status now") == "Reported"
    assert window.details.value_of("From case") == str(case_id)
    # Emergency mode: the link selects the incident on the emergency page.
    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.switch_now(Mode.EMERGENCY, "test")
    window.cases.panel.show_case(case_id)
    case_panel.incident_link.linkActivated.emit(f"incident:{incident_id}")
    console = window.emergency
    qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=30_000)
    assert console.selected_id == incident_id
    assert console.board.selected is not None and console.board.selected.id == incident_id
    page = window.page_for[Mode.EMERGENCY]
    assert window.pages.currentWidget() is page and page.tabs.currentWidget() is console.panels[0]
