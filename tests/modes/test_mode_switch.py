"""The mode switch: who may switch where, and the journal event each switch leaves."""

from __future__ import annotations

import datetime as dt

import pytest

from data import journal
from data.errors import InputError
from data.models import Role
from modes.common.clock import FixedClock
from modes.common.mode_switch import (
    EVENT_KIND,
    Mode,
    ModeSwitchRefused,
    current_mode,
    may_switch,
    switch_mode,
)

T0 = dt.datetime(2009, 9, 18, 10, 0, 0)

ALLOWED = {
    (Role.COMMANDER, Mode.CIVIL_DEFENCE),
    (Role.COMMANDER, Mode.EMERGENCY),
    (Role.CIVIL_DEFENCE, Mode.CIVIL_DEFENCE),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", list(Mode))
def test_who_may_switch(role, target):
    expected = target == Mode.EVERYDAY or (role, target) in ALLOWED
    assert may_switch(role.value, target) is expected


def test_a_new_city_is_in_everyday_mode(session):
    assert current_mode(session) == Mode.EVERYDAY


def test_switch_writes_who_and_when(session):
    clock = FixedClock(T0)
    before = journal.last_seq(session)
    result = switch_mode(session, clock, "cmdr01", Role.COMMANDER.value, "civil-defence")
    assert result.switched and result.previous == Mode.EVERYDAY and result.mode == Mode.CIVIL_DEFENCE
    assert result.changes.mode and result.changes.journal_seq == result.journal_seq
    (event,) = journal.events_after(session, before)
    assert event.kind == EVENT_KIND
    assert event.actor == "cmdr01" and event.at == T0
    assert event.payload == {"from": "everyday", "to": "civil-defence", "role": "commander"}
    assert current_mode(session) == Mode.CIVIL_DEFENCE
    assert journal.verify(session) >= 1


def test_anyone_may_return_to_everyday(session):
    clock = FixedClock(T0)
    switch_mode(session, clock, "cmdr01", "commander", Mode.EMERGENCY)
    clock.advance(hours=2)
    result = switch_mode(session, clock, "op07", "operator", Mode.EVERYDAY)
    assert result.switched and result.previous == Mode.EMERGENCY
    assert current_mode(session) == Mode.EVERYDAY
    assert journal.events_after(session, result.journal_seq - 1)[0].actor == "op07"


@pytest.mark.parametrize(
    "role,target",
    [("operator", "emergency"), ("supervisor", "civil-defence"), ("civil_defence", "emergency")],
)
def test_refused_switch_writes_nothing(session, role, target):
    before = journal.last_seq(session)
    with pytest.raises(ModeSwitchRefused, match="may not switch"):
        switch_mode(session, FixedClock(T0), "someone", role, target)
    assert journal.last_seq(session) == before
    assert current_mode(session) == Mode.EVERYDAY


def test_switching_to_the_current_mode_changes_nothing(session):
    before = journal.last_seq(session)
    result = switch_mode(session, FixedClock(T0), "cmdr01", "commander", "everyday")
    assert not result.switched and not result.changes.mode
    assert journal.last_seq(session) == before


@pytest.mark.parametrize(
    "actor,role,target",
    [("", "commander", "emergency"), ("x", "mayor", "emergency"), ("x", "commander", "war")],
)
def test_bad_requests_are_input_errors(session, actor, role, target):
    with pytest.raises(InputError):
        switch_mode(session, FixedClock(T0), actor, role, target)
