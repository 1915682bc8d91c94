"""The dispatch-order keys the centre publishes (``/task/<order id>``), built from the database on both
backends, and the journal events that make the follower republish them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.models import JournalEvent, Role
from modes.common.replication import Touched, unpack
from modes.emergency import dispatch as dsp
from modes.emergency.incidents import Actor
from modes.emergency.link_commands import _task_rule, build_task_keys
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
