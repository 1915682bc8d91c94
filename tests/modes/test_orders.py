"""The two-person rule: the setting, pending orders for the wartime switch and air-raid alarms, their
confirmation by a second authorised person within 60 s, refusals and expiry, each journaled. The clock
is a FixedClock moved by hand: no test waits. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data import journal
from data.models import JournalEvent, OrderState, PendingOrder
from modes.civil_defence import alarms
from modes.civil_defence.authority import CivilDefenceRefused
from modes.common import orders
from modes.common.actor import Actor
from modes.common.mode_switch import Mode, current_mode, switch_mode

COMMANDER = Actor.of("commander", "city_commander", login="city_commander")
OFFICER = Actor.of("civil_defence", "city_civil_defence", login="city_civil_defence")
DEPUTY = Actor.of("civil_defence", "deputy_civil_defence", login="deputy_civil_defence")
OPERATOR = Actor.of("operator", "city_operator", login="city_operator")


def _kinds_after(session, seq: int) -> list[str]:
    return [e.kind for e in journal.events_after(session, seq)]


@pytest.fixture
def two_person(tiny_city, clock):
    orders.set_two_person_rule(tiny_city, clock, COMMANDER, True)
    return tiny_city


# --- the setting ---------------------------------------------------------------------------------------


def test_the_rule_is_off_until_the_city_commander_turns_it_on(tiny_city, clock):
    assert not orders.two_person_rule(tiny_city)
    before = journal.last_seq(tiny_city)
    for who in (OFFICER, OPERATOR, Actor.of("commander", "daoli_commander", district="230102")):
        with pytest.raises(orders.AuthorityRefused, match="only the city commander"):
            orders.set_two_person_rule(tiny_city, clock, who, True)
    assert journal.last_seq(tiny_city) == before and not orders.two_person_rule(tiny_city)
    changes = orders.set_two_person_rule(tiny_city, clock, COMMANDER, True)
    assert orders.two_person_rule(tiny_city)
    (event,) = journal.events_after(tiny_city, before)
    assert event.seq == changes.journal_seq and event.kind == "settings.changed"
    assert event.actor == "city_commander"
    assert event.payload["setting"] == "two_person_rule" and event.payload["to"] is True
    assert orders.set_two_person_rule(tiny_city, clock, COMMANDER, True).journal_seq == 0  # no change
    orders.set_two_person_rule(tiny_city, clock, COMMANDER, False)
    assert not orders.two_person_rule(tiny_city)


# --- off: at once ---------------------------------------------------------------------------------------


def test_rule_off_the_wartime_switch_and_the_alarm_take_effect_at_once(tiny_city, clock):
    assert switch_mode(tiny_city, clock, OFFICER, Mode.CIVIL_DEFENCE, "exercise").switched
    outcome = alarms.sound_alarm(tiny_city, clock, OFFICER, "raid")
    assert outcome.order is None and outcome.done.result.board.kind.value == "raid"
    assert tiny_city.scalars(select(PendingOrder)).all() == []


# --- on: the wartime switch waits -------------------------------------------------------------------


def test_the_wartime_switch_waits_for_a_second_person(two_person, clock):
    s = two_person
    before = journal.last_seq(s)
    asked = switch_mode(s, clock, COMMANDER, Mode.CIVIL_DEFENCE, "air raid expected")
    assert asked.pending and not asked.switched and current_mode(s) == Mode.EVERYDAY
    order = asked.order
    assert order.state is OrderState.PENDING and order.requested_by == "city_commander"
    assert (order.expires_at - order.requested_at).total_seconds() == 60
    assert _kinds_after(s, before) == ["order.requested"]
    requested = journal.events_after(s, before)[0]
    assert requested.payload["reason"] == "air raid expected" and requested.payload["args"] == {
        "mode": "civil-defence"
    }

    # The one who asked cannot confirm; a role that may not switch cannot either. Nothing is written.
    mark = journal.last_seq(s)
    with pytest.raises(orders.AuthorityRefused, match="a second person must confirm it"):
        orders.confirm(s, clock, order.id, COMMANDER)
    with pytest.raises(orders.AuthorityRefused, match="city_operator cannot confirm order"):
        orders.confirm(s, clock, order.id, OPERATOR)
    assert journal.last_seq(s) == mark and current_mode(s) == Mode.EVERYDAY

    clock.advance(seconds=59)
    outcome = orders.confirm(s, clock, order.id, OFFICER)
    assert outcome.order.state is OrderState.CONFIRMED and outcome.order.decided_by == "city_civil_defence"
    assert current_mode(s) == Mode.CIVIL_DEFENCE
    assert _kinds_after(s, mark) == ["order.confirmed", "mode.switched"]
    switched = journal.events_after(s, mark)[1]
    assert switched.actor == "city_commander" and switched.seq == outcome.order.result_seq
    assert switched.payload["reason"] == "air raid expected"
    assert switched.payload["confirmed_by"] == "city_civil_defence"
    assert switched.payload["order_id"] == order.id
    with pytest.raises(orders.AuthorityRefused, match="already confirmed by city_civil_defence"):
        orders.confirm(s, clock, order.id, DEPUTY)
    assert journal.verify(s) > 0


def test_leaving_wartime_waits_too_and_emergency_does_not(two_person, clock):
    s = two_person
    orders.set_two_person_rule(s, clock, COMMANDER, False)
    switch_mode(s, clock, OFFICER, Mode.CIVIL_DEFENCE, "exercise")
    orders.set_two_person_rule(s, clock, COMMANDER, True)
    leaving = switch_mode(s, clock, OFFICER, Mode.EVERYDAY, "exercise over")
    assert leaving.pending and current_mode(s) == Mode.CIVIL_DEFENCE
    orders.confirm(s, clock, leaving.order.id, COMMANDER)
    assert current_mode(s) == Mode.EVERYDAY
    # Emergency is the commander's alone: the rule does not cover it.
    assert switch_mode(s, clock, COMMANDER, Mode.EMERGENCY, "flood").switched


def test_an_order_nobody_confirms_in_60_s_expires(two_person, clock):
    s = two_person
    order = switch_mode(s, clock, COMMANDER, Mode.CIVIL_DEFENCE, "air raid expected").order
    clock.advance(seconds=60)
    mark = journal.last_seq(s)
    outcome = orders.confirm(s, clock, order.id, OFFICER)
    assert outcome.done is None and outcome.order.state is OrderState.EXPIRED
    assert current_mode(s) == Mode.EVERYDAY
    assert _kinds_after(s, mark) == ["order.expired"]
    with pytest.raises(orders.AuthorityRefused, match="already expired"):
        orders.confirm(s, clock, order.id, OFFICER)
    # The expired order no longer blocks a new one.
    assert switch_mode(s, clock, COMMANDER, Mode.CIVIL_DEFENCE, "again").pending


def test_one_order_of_a_kind_waits_at_a_time(two_person, clock):
    s = two_person
    first = switch_mode(s, clock, COMMANDER, Mode.CIVIL_DEFENCE, "air raid expected").order
    with pytest.raises(orders.AuthorityRefused, match=f"order {first.id} .* is waiting"):
        switch_mode(s, clock, OFFICER, Mode.CIVIL_DEFENCE, "me too")
    assert [o.id for o in orders.open_orders(s, clock.now())] == [first.id]


def test_a_second_person_refuses_and_the_asker_withdraws(two_person, clock):
    s = two_person
    order = switch_mode(s, clock, COMMANDER, Mode.CIVIL_DEFENCE, "rumour").order
    with pytest.raises(orders.AuthorityRefused, match="cannot refuse"):
        orders.refuse(s, clock, order.id, OPERATOR)
    mark = journal.last_seq(s)
    refused = orders.refuse(s, clock, order.id, OFFICER, "no confirmation from the province")
    assert refused.state is OrderState.REFUSED and refused.decided_by == "city_civil_defence"
    assert _kinds_after(s, mark) == ["order.refused"] and current_mode(s) == Mode.EVERYDAY
    again = switch_mode(s, clock, COMMANDER, Mode.CIVIL_DEFENCE, "confirmed now").order
    assert orders.refuse(s, clock, again.id, COMMANDER).state is OrderState.REFUSED


# --- on: air-raid alarms wait ----------------------------------------------------------------------------


def test_an_air_raid_alarm_waits_for_a_second_officer(two_person, clock):
    s = two_person
    mark = journal.last_seq(s)
    asked = alarms.sound_alarm(s, clock, OFFICER, "raid", "230102", note="radar contact")
    assert asked.done is None and alarms.latest_alarms(s) == []
    assert _kinds_after(s, mark) == ["order.requested"]
    with pytest.raises(orders.AuthorityRefused, match="city_commander cannot confirm.*civil-defence office"):
        orders.confirm(s, clock, asked.order.id, COMMANDER)
    with pytest.raises(orders.AuthorityRefused, match="a second person"):
        orders.confirm(s, clock, asked.order.id, OFFICER)
    # A district's officer may sound (and so confirm) only in their own district.
    with pytest.raises(orders.AuthorityRefused, match="not theirs to sound"):
        orders.confirm(s, clock, asked.order.id, Actor.of("civil_defence", "nangang_cd", district="230103"))
    clock.advance(seconds=30)
    done = orders.confirm(s, clock, asked.order.id, DEPUTY)
    (alarm,) = alarms.latest_alarms(s)
    assert alarm.kind == "raid" and alarm.issued_by == "city_civil_defence" and alarm.districts == ["230102"]
    issued = next(e for e in journal.events_after(s, mark) if e.kind == "alarm.issued")
    assert issued.payload["confirmed_by"] == "deputy_civil_defence" and issued.seq <= done.order.result_seq


@pytest.mark.parametrize("kind", ["pre", "raid", "clear"])
def test_sounding_and_clearing_stay_with_the_civil_defence_office(tiny_city, clock, kind):
    before = journal.last_seq(tiny_city)
    for who in (COMMANDER, OPERATOR):
        with pytest.raises(CivilDefenceRefused, match="only the civil-defence office"):
            alarms.sound_alarm(tiny_city, clock, who, kind)
    assert journal.last_seq(tiny_city) == before
    assert alarms.sound_alarm(tiny_city, clock, OFFICER, kind).done is not None


# --- the commands: a second person with their own password --------------------------------------------------


PASSWORD = "second person 2"


@pytest.fixture
def staffed(tmp_path, clock):
    """A session factory on a migrated SQLite file of its own (these commands commit), with the city's
    officers and their passwords, and the rule on."""
    from data.db import open_database, session_factory
    from modes.common import auth

    engine = open_database("sqlite:///" + str(tmp_path / "orders.db"))
    make = session_factory(engine)
    with make() as s, s.begin():
        for who in (COMMANDER, OFFICER, DEPUTY, OPERATOR):
            auth.add_staff(s, clock, who.login, who.role.value)
            auth.set_password(s, clock, who.login, PASSWORD)
        orders.set_two_person_rule(s, clock, COMMANDER, True)
    yield make
    engine.dispose()


def test_the_commands_answer_every_refusal_with_its_reason_and_record_the_password_holder(staffed, clock):
    """``order.confirm`` and ``order.refuse`` carrying a login and password: the person is the one whose
    password the bus checked, whoever sends the command; each refusal is a reply with a reason, and a
    wrong password's count commits."""
    from data.models import StaffCredential
    from modes.bus import city_bus
    from modes.common.command_bus import call_local

    bus, make = city_bus(), staffed

    def run(name: str, args: dict, person: Actor | None = COMMANDER) -> dict:
        return call_local(bus, make, clock, name, args, person=person)

    asked = run("mode.switch", {"mode": "civil-defence", "reason": "air raid expected"})
    order_id = asked["order"]["id"]

    def confirm(login: str, password: str = PASSWORD) -> dict:
        # Sent by the commander's console: the deciding person is the password's, not the sender.
        return run("order.confirm", {"id": order_id, "login": login, "password": password})

    same = confirm(COMMANDER.login)
    assert (same["ok"], same["reason"], same["login"]) == (False, "same_person", COMMANDER.login)
    assert "a second person must confirm it" in same["message"]
    assert confirm(OPERATOR.login)["reason"] == "not_authorised"
    assert confirm("nobody")["reason"] == "unknown"
    wrong = confirm(OFFICER.login, "not the password")
    assert (wrong["ok"], wrong["reason"], wrong["failures"]) == (False, "wrong_password", 1)
    with make() as s:
        assert s.get(StaffCredential, OFFICER.login).failed_count == 1  # committed with the reply
        assert current_mode(s) == Mode.EVERYDAY

    done = confirm(OFFICER.login)
    assert done["ok"] and done["login"] == OFFICER.login and done["order"]["decided_by"] == OFFICER.login
    with make() as s:
        assert current_mode(s) == Mode.CIVIL_DEFENCE
        (event,) = s.scalars(select(JournalEvent).where(JournalEvent.seq == done["journal_seq"])).all()
        assert (event.kind, event.actor, event.payload["confirmed_by"]) == (
            "mode.switched",
            COMMANDER.login,
            OFFICER.login,
        )
    assert confirm(DEPUTY.login)["reason"] == "decided"

    # Leaving wartime waits too: refused by the deputy with their own password, sent from the officer's
    # console; without a password, by the sender (the one who asked may withdraw).
    back = run("mode.switch", {"mode": "everyday", "reason": "all clear"}, OFFICER)["order"]["id"]
    refuse = {"id": back, "login": DEPUTY.login, "password": "wrong again", "note": "not yet"}
    assert run("order.refuse", refuse, OFFICER)["reason"] == "wrong_password"
    refused = run("order.refuse", {**refuse, "password": PASSWORD}, OFFICER)
    assert refused["ok"] and refused["order"]["decided_by"] == DEPUTY.login
    later = run("mode.switch", {"mode": "everyday", "reason": "all clear now"}, OFFICER)["order"]["id"]
    clock.advance(seconds=61)
    expired = run("order.refuse", {"id": later}, OFFICER)
    assert (expired["ok"], expired["reason"], expired["order"]["state"]) == (False, "expired", "expired")
    with make() as s:
        assert current_mode(s) == Mode.CIVIL_DEFENCE
