"""Escalation both ways: an escalated case shows its incident (id, level, status) as the incident stands
now, in ``case show`` (JSON and for a person) and in its timeline; on SQLite and PostgreSQL, and through
the command line."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from modes.common.clock import FixedClock
from modes.common.escalation import incident_link
from modes.emergency.desk import IncidentDesk
from modes.emergency.incidents import Actor as IncidentActor
from modes.everyday.cases import Actor, CaseDesk
from tests.modes.conftest import X0, Y0
from tests.test_cli import _a_cell_centre, run

D = dt.datetime
OP, SUP, LEAD = (Actor.of(r) for r in ("operator", "supervisor", "shift_leader"))
COMMANDER = IncidentActor.of("commander", "wang_commander")


@pytest.fixture
def escalated(tiny_city):
    """A road collapse reported at 09:00 on Monday 2 March 2026, escalated at 09:20 at level III."""
    s = tiny_city
    clock = FixedClock(D(2026, 3, 2, 9, 0))
    desk = CaseDesk(s, clock)
    doc, _ = desk.report(SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code="0401", text="路面塌陷")
    clock.set(D(2026, 3, 2, 9, 5))
    desk.act(doc["id"], "accept", OP)
    clock.set(D(2026, 3, 2, 9, 20))
    incidents = IncidentDesk(s, clock)
    opened = incidents.escalate(COMMANDER, doc["id"], level="III")
    return desk, incidents, clock, doc["id"], opened["id"]


def test_a_case_that_was_never_escalated_shows_no_incident(tiny_city):
    desk = CaseDesk(tiny_city, FixedClock(D(2026, 3, 2, 9, 0)))
    doc, _ = desk.report(SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code="06010")
    assert desk.show(doc["id"])["incident"] is None
    assert incident_link(tiny_city, doc["id"]) is None


def test_case_show_names_the_incident_with_its_level_and_status_now(escalated):
    desk, incidents, clock, case_id, incident_id = escalated
    shown = desk.show(case_id)
    link = shown["incident"]
    assert (link["id"], link["level"], link["colour"], link["status"]) == (
        incident_id,
        "III",
        "yellow",
        "reported",
    )
    assert (link["escalated_at"], link["escalated_by"], link["level_at_escalation"]) == (
        "2026-03-02T09:20:00", "wang_commander", "III",
    )  # fmt: skip
    # The incident moves on: the case shows where it stands now, not a copy from the escalation.
    clock.set(D(2026, 3, 2, 9, 40))
    incidents.level(COMMANDER, incident_id, "II", "spreading")
    incidents.status(COMMANDER, incident_id, "responding")
    link = desk.show(case_id)["incident"]
    assert (link["level"], link["colour"], link["status"], link["level_at_escalation"]) == (
        "II", "orange", "responding", "III",
    )  # fmt: skip


def test_the_escalation_stands_in_the_case_timeline_where_it_happened(escalated):
    desk, _incidents, clock, case_id, incident_id = escalated
    clock.set(D(2026, 3, 2, 9, 30))
    desk.act(case_id, "file", LEAD)
    history = desk.show(case_id)["history"]
    assert [(h["action"], h["at"]) for h in history] == [
        ("report", "2026-03-02T09:00:00"),
        ("accept", "2026-03-02T09:05:00"),
        ("escalated", "2026-03-02T09:20:00"),
        ("file", "2026-03-02T09:30:00"),
    ]
    step = history[2]
    assert (step["incident"], step["actor"], step["role"], step["from"], step["to"]) == (
        incident_id, "wang_commander", "commander", "accepted", "accepted",
    )  # fmt: skip


def test_the_command_line_shows_the_incident_both_ways(tmp_path):
    city = "sqlite:///" + str(tmp_path / "city.db")
    run("seed", "--scale", "small", "--seed", "3", "--db", city)
    _code, x, y = _a_cell_centre(city)
    reported = json.loads(
        run("report", "--x", str(x), "--y", str(y), "--type", "0401", "--channel", "supervisor",
            "--as", "city_supervisor", "--json", "--db", city).stdout
    )  # fmt: skip
    cid = str(reported["id"])
    opened = json.loads(
        run(
            "incident", "escalate", cid, "--level", "III", "--as", "city_commander", "--json", "--db", city
        ).stdout
    )
    iid = str(opened["id"])
    run("incident", "level", iid, "II", "--note", "spreading", "--as", "city_commander", "--db", city)
    shown = json.loads(run("case", "show", cid, "--json", "--db", city).stdout)
    assert (shown["incident"]["id"], shown["incident"]["level"], shown["incident"]["level_at_escalation"]) == (
        int(iid), "II", "III",
    )  # fmt: skip
    out = run("case", "show", cid, "--db", city).stdout
    assert f"incident     #{iid} level II (orange), reported" in out
    assert "at level III" in out
    assert f"escalated          city_commander (commander)  to incident #{iid}" in out
    # The incident's side names the case it came from.
    incident = json.loads(run("incident", "show", iid, "--json", "--db", city).stdout)
    assert incident["incident"]["case_id"] == int(cid)
