"""The dispatch-order keys the centre publishes (``/task/<order id>``), built from the database on both
backends, and the journal events that make the follower republish them; the rows of an incident's
positions, tasks and log, which the follower republishes from the incident's events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.emergency_models import IncidentLogEntry, IncidentRole
from data.models import JournalEvent, Role
from modes.common.picture import Touched, unpack
from modes.emergency import dispatch as dsp
from modes.emergency import incidents as inc
from modes.emergency import replicated
from modes.emergency.incidents import Actor
from modes.emergency.link_commands import _task_rule, build_task_keys
from nodes.follower import JournalFollower
from tests.modes.test_emergency_city import (  # noqa: F401 - the shared fixtures
    COMMANDER,
    _incident_and_unit,
    clock,
    em_city,
    es,
)


def test_a_task_key_follows_the_order_and_finished_ones_leave_after_a_day(em_city, es, clock):  # noqa: F811
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id, order_id="order-1")
    key = "/task/order-1"
    doc = unpack(build_task_keys(es, clock.now(), {"order-1"})[key].body)
    assert doc["assignee_district"] == unit.district and doc["status"] == "assigned"
    assert doc["acknowledged_at"] is None and doc["incident"]["id"] == view.id
    assert doc["incident"]["level"] == "III" and doc["unit"] == unit.unit_id
    assert key in build_task_keys(es, clock.now(), None)  # open: in the picture at the centre's start

    owner = Actor(f"district:{unit.district}", Role.DEPARTMENT, district=unit.district)
    dsp.acknowledge(es, clock, "order-1", actor=owner)
    dsp.set_task_status(es, clock, COMMANDER, "order-1", "cancelled")
    doc = unpack(build_task_keys(es, clock.now(), {"order-1"})[key].body)
    assert doc["status"] == "cancelled" and doc["acknowledged_by"] == owner.name

    touched = Touched()
    for ev in es.scalars(select(JournalEvent).where(JournalEvent.subject == f"incident/{view.id}")):
        _task_rule(ev, touched)
    assert touched.sources == {"task": {"order-1"}}
    assert key in build_task_keys(es, clock.now() + dt.timedelta(hours=23), None)
    assert key not in build_task_keys(es, clock.now() + dt.timedelta(days=2), None)


def test_the_follower_publishes_an_incidents_positions_task_and_log_lines_from_its_events(em_city, es, clock):  # noqa: F811
    replicated.register()
    after = es.scalar(select(func.max(JournalEvent.seq))) or 0
    view, unit = _incident_and_unit(em_city, es, clock)
    order, _ = dsp.dispatch(es, clock, COMMANDER, view.id, unit.unit_id)
    inc.assign_role(es, clock, COMMANDER, view.id, "commander", "李指挥")  # relieves the one who opened it
    inc.add_log(es, clock, COMMANDER, view.id, "阀门已关", order.task_id)
    es.flush()

    sent: dict[str, bytes] = {}
    follower = JournalFollower(
        # The follower's own transactions, inside the test's (rolled back after it).
        lambda: Session(bind=es.connection(), join_transaction_mode="create_savepoint"),
        lambda key, body, ttl: sent.__setitem__(key, body),
        clock,
        published={},
        after_seq=after,
    )
    while follower.poll():
        pass

    def mine(prefix: str) -> dict[str, dict]:
        return {k: unpack(b) for k, b in sent.items() if k.startswith(prefix)}

    lines = es.scalars(select(IncidentLogEntry).where(IncidentLogEntry.incident_id == view.id)).all()
    assert len(lines) == 4  # opened, dispatched, position, the note
    assert {k: d["text"] for k, d in mine("/incident_log/").items()} == {
        f"/incident_log/{line.id}": line.text for line in lines
    }
    assert mine("/incident_log/")[f"/incident_log/{lines[-1].id}"]["task_id"] == order.task_id
    roles = es.scalars(select(IncidentRole).where(IncidentRole.incident_id == view.id)).all()
    assert {(d["person"], d["relieved_at"]) for d in mine("/incident_role/").values()} == {
        (COMMANDER.name, "2026-03-02 10:00:00"),
        ("李指挥", None),
    }
    assert set(mine("/incident_role/")) == {f"/incident_role/{r.id}" for r in roles}
    task_key = f"/dispatch_task/{order.task_id}"
    assert list(mine("/dispatch_task/")) == [task_key] and unpack(sent[task_key])["status"] == "assigned"

    # The next event on the incident: only what it changed goes out again (the task and its new line),
    # although the incident's other positions and lines are read again.
    sent.clear()
    dsp.set_task_status(es, clock, COMMANDER, order.order_id, "en_route")
    es.flush()
    while follower.poll():
        pass
    newest = es.scalar(select(func.max(IncidentLogEntry.id)).where(IncidentLogEntry.incident_id == view.id))
    assert sorted(k for k in sent if not k.startswith("/task/")) == sorted(
        [task_key, f"/incident_log/{newest}"]
    )
    assert unpack(sent[task_key])["status"] == "en_route"
