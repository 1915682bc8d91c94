"""The alarm keys the centre publishes (``/alarm/<id>/<district>``), built from the database on both
backends, and the journal events that make the follower republish them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.models import JournalEvent
from modes.civil_defence import alarms
from modes.civil_defence.link_commands import EVENT_KINDS, _alarm_rule, build_alarm_keys
from modes.common.clock import FixedClock
from modes.common.picture import Touched, unpack


def _bodies(session, now, ids=None) -> dict[str, dict]:
    return {k: unpack(v.body) for k, v in build_alarm_keys(session, now, ids).items()}


def test_one_key_per_district_with_the_times_and_the_events_name_the_alarm(tiny_city, clock):
    issued = alarms.issue_alarm(tiny_city, clock, "civil_defence", "raid", "all", actor="王强")
    aid = issued.alarm_id
    keys = _bodies(tiny_city, clock.now())
    assert set(keys) == {f"/alarm/{aid}/230102", f"/alarm/{aid}/230103"}
    doc = keys[f"/alarm/{aid}/230102"]
    assert doc["kind"] == "raid" and doc["district"] == "230102" and doc["district_name"] == "道里区"
    assert doc["on_off"][:2] == [[0, 6], [12, 18]] and doc["issued_by"] == "王强"
    assert doc["acknowledged_at"] is None and doc["sent_at"] == clock.now().isoformat(sep=" ")

    later = clock.now() + dt.timedelta(seconds=3)
    alarms.acknowledge(tiny_city, aid, "230103", later, by="district-230103")
    doc = _bodies(tiny_city, later, {str(aid)})[f"/alarm/{aid}/230103"]
    assert doc["acknowledged_at"] == doc["received_at"] == later.isoformat(sep=" ")
    assert doc["acknowledged_by"] == "district-230103"

    # Every journal event of the alarm names it, so the follower rebuilds exactly its keys.
    touched = Touched()
    events = tiny_city.scalars(select(JournalEvent).where(JournalEvent.subject == f"alarm/{aid}")).all()
    assert {e.kind for e in events} <= set(EVENT_KINDS) and len(events) == 5
    for ev in events:
        _alarm_rule(ev, touched)
    assert touched.sources == {"alarm": {str(aid)}}


def test_the_picture_keeps_recent_alarms_and_old_ones_still_unacknowledged(tiny_city, clock):
    old = FixedClock(clock.now() - dt.timedelta(days=3))
    stale = alarms.issue_alarm(tiny_city, old, "civil_defence", "pre", "230102,230103").alarm_id
    alarms.acknowledge(tiny_city, stale, "230102", old.now(), by="district-230102")
    ancient = FixedClock(clock.now() - dt.timedelta(days=9))
    alarms.issue_alarm(tiny_city, ancient, "civil_defence", "clear", "230102")
    fresh = alarms.issue_alarm(tiny_city, clock, "civil_defence", "clear", "230103").alarm_id
    # Three days old: only the district that has not acknowledged; nine days old: gone; today: all.
    assert set(_bodies(tiny_city, clock.now())) == {f"/alarm/{stale}/230103", f"/alarm/{fresh}/230103"}
    assert _bodies(tiny_city, clock.now(), {"x", ""}) == {}
