"""The mode switch: who may enter and leave each mode (both ways), the reason, the journal event."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from data import journal
from data.errors import InputError
from data.models import Role
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.mode_switch import (
    EVENT_KIND,
    Mode,
    ModeSwitchRefused,
    check_switch,
    current_mode,
    may_switch,
    mode_status,
    switch_mode,
)

T0 = dt.datetime(2009, 9, 18, 10, 0, 0)
COMMANDER = Actor.of("commander", "cmdr01", login="cmdr01")
OFFICER = Actor.of("civil_defence", "cd01", login="cd01")
OPERATOR = Actor.of("operator", "op07", login="op07")

# Who may enter or leave: emergency is the commander's, wartime the commander's or the officer's.
MAY = {Mode.EMERGENCY: {Role.COMMANDER}, Mode.CIVIL_DEFENCE: {Role.COMMANDER, Role.CIVIL_DEFENCE}}


def _expected(role: Role, previous: Mode, target: Mode) -> bool:
    if previous == target:
        return True
    return all(role in MAY[m] for m in (previous, target) if m in MAY)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("previous,target", list(itertools.product(Mode, Mode)))
def test_who_may_switch_both_ways(role, previous, target):
    expected = _expected(role, previous, target)
    assert may_switch(role.value, target, previous) is expected
    actor = Actor.of(role, "someone")
    if expected:
        check_switch(actor, previous, target)
    else:
        with pytest.raises(ModeSwitchRefused, match="may not (enter|leave)"):
            check_switch(actor, previous, target)


def test_a_district_officer_does_not_switch_the_city():
    with pytest.raises(ModeSwitchRefused, match="district 230102"):
        check_switch(
            Actor.of("commander", "daoli_commander", district="230102"), Mode.EVERYDAY, Mode.EMERGENCY
        )


def test_a_new_city_is_in_everyday_mode(session):
    assert current_mode(session) == Mode.EVERYDAY
    assert mode_status(session).as_dict() == {"mode": "everyday", "since": None, "actor": None}


def test_switch_writes_who_when_and_why(session):
    clock = FixedClock(T0)
    before = journal.last_seq(session)
    result = switch_mode(session, clock, COMMANDER, "civil-defence", "air-raid exercise 9.18")
    assert result.switched and result.previous == Mode.EVERYDAY and result.mode == Mode.CIVIL_DEFENCE
    assert result.changes.mode and result.changes.journal_seq == result.journal_seq
    (event,) = journal.events_after(session, before)
    assert event.kind == EVENT_KIND
    assert event.actor == "cmdr01" and event.at == T0
    assert event.payload == {
        "from": "everyday",
        "to": "civil-defence",
        "role": "commander",
        "reason": "air-raid exercise 9.18",
    }
    assert mode_status(session).as_dict() == {
        "mode": "civil-defence",
        "since": "2009-09-18 10:00:00",
        "actor": "cmdr01",
    }
    assert journal.verify(session) >= 1


def test_an_operator_cannot_end_an_emergency(session):
    clock = FixedClock(T0)
    switch_mode(session, clock, COMMANDER, Mode.EMERGENCY, "flood on the Songhua")
    clock.advance(hours=2)
    before = journal.last_seq(session)
    for who in (OPERATOR, OFFICER):
        with pytest.raises(ModeSwitchRefused, match="may not leave emergency mode: only the city commander"):
            switch_mode(session, clock, who, Mode.EVERYDAY, "all quiet")
    assert journal.last_seq(session) == before and current_mode(session) == Mode.EMERGENCY
    result = switch_mode(session, clock, COMMANDER, Mode.EVERYDAY, "water receded")
    assert result.switched and current_mode(session) == Mode.EVERYDAY


def test_the_officer_ends_wartime_but_not_into_emergency(session):
    clock = FixedClock(T0)
    switch_mode(session, clock, OFFICER, Mode.CIVIL_DEFENCE, "exercise")
    with pytest.raises(ModeSwitchRefused, match="may not enter emergency"):
        switch_mode(session, clock, OFFICER, Mode.EMERGENCY, "fire")
    assert switch_mode(session, clock, OFFICER, Mode.EVERYDAY, "exercise over").switched


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_switch_without_a_reason_writes_nothing(session, reason):
    before = journal.last_seq(session)
    with pytest.raises(InputError, match="needs a reason"):
        switch_mode(session, FixedClock(T0), COMMANDER, Mode.EMERGENCY, reason)
    assert journal.last_seq(session) == before and current_mode(session) == Mode.EVERYDAY


def test_switching_to_the_current_mode_changes_nothing(session):
    before = journal.last_seq(session)
    result = switch_mode(session, FixedClock(T0), COMMANDER, "everyday", "")
    assert not result.switched and not result.changes.mode
    assert journal.last_seq(session) == before


def test_an_unknown_mode_is_an_input_error(session):
    with pytest.raises(InputError, match="unknown mode 'war'"):
        switch_mode(session, FixedClock(T0), COMMANDER, "war", "because")
