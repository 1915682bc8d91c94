"""No id a purge removed is handed out again, on SQLite (which would give the largest id plus one) and
PostgreSQL (whose sequences never go back, nor may the bulk history's explicit ids), for cases,
incidents and alarms."""

from __future__ import annotations

from sqlalchemy import delete

from data.civil_defence_models import Alarm, AlarmDelivery
from data.emergency_models import Incident, IncidentLogEntry, IncidentRole
from data.id_floor import first_free_id, free_id, id_floor, raise_floor
from data.models import Case, CaseHistory
from modes.civil_defence import alarms
from modes.emergency import incidents as inc
from modes.emergency.impact import ImpactIndex
from modes.everyday.cases import Actor, CaseDesk
from tests.modes.conftest import X0, Y0

SUP = Actor.of("supervisor")


def _purge_rows(session, model, ids: list[int], children=()) -> None:
    """Remove rows as a purge does, raising their table's floor."""
    for child, column in children:
        session.execute(delete(child).where(column.in_(ids)))
    session.execute(delete(model).where(model.id.in_(ids)))
    raise_floor(session, model.__tablename__, max(ids))


def test_a_case_reported_after_a_purge_takes_an_id_above_the_purged_ones(tiny_city, clock):
    desk = CaseDesk(tiny_city, clock)
    ids = [
        desk.report(SUP, x=X0 + 20 + 60 * i, y=Y0 + 50, channel="supervisor", type_code="06010")[0]["id"]
        for i in range(3)
    ]
    assert id_floor(tiny_city, "cases") == 0 and free_id(tiny_city, Case.__table__) is None
    _purge_rows(tiny_city, Case, ids[1:], [(CaseHistory, CaseHistory.case_id)])
    assert id_floor(tiny_city, "cases") == ids[2]
    after, _ = desk.report(SUP, x=X0 + 30, y=Y0 + 250, channel="supervisor", type_code="06010")
    assert after["id"] == ids[2] + 1
    assert free_id(tiny_city, Case.__table__) is None  # the largest id is above the floor again
    assert first_free_id(tiny_city, Case.__table__) == ids[2] + 2
    raise_floor(tiny_city, "cases", ids[0])  # a floor never comes down
    assert id_floor(tiny_city, "cases") == ids[2]


def test_bulk_ids_start_above_the_floor(tiny_city, clock):
    desk = CaseDesk(tiny_city, clock)
    first, _ = desk.report(SUP, x=X0 + 20, y=Y0 + 50, channel="supervisor", type_code="06010")
    raise_floor(tiny_city, "cases", first["id"] + 40)
    assert first_free_id(tiny_city, Case.__table__) == first["id"] + 41


def test_incidents_and_alarms_after_a_purge_take_ids_above_the_purged_ones(tiny_city, clock):
    index = ImpactIndex.load(tiny_city)
    commander = inc.Actor.of("commander")
    opened = [
        inc.open_incident(tiny_city, clock, commander, index, type_code="fire", x=X0 + 100, y=Y0 + 100)[0].id
        for _ in range(2)
    ]
    _purge_rows(
        tiny_city,
        Incident,
        opened[1:],
        [(IncidentLogEntry, IncidentLogEntry.incident_id), (IncidentRole, IncidentRole.incident_id)],
    )
    again, _ = inc.open_incident(tiny_city, clock, commander, index, type_code="fire", x=X0 + 100, y=Y0 + 100)
    assert again.id == opened[1] + 1
    sounded = [alarms.issue_alarm(tiny_city, clock, "civil_defence", "pre").alarm_id for _ in range(2)]
    _purge_rows(tiny_city, Alarm, sounded[1:], [(AlarmDelivery, AlarmDelivery.alarm_id)])
    # A district acknowledges an alarm once per key (/alarm/<id>/<district>): a new alarm needs a new id.
    assert alarms.issue_alarm(tiny_city, clock, "civil_defence", "raid").alarm_id == sounded[1] + 1
