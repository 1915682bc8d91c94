"""The one state-table engine behind the case workflow, the incident status and the task status: every
step of each table is found both ways, and each kind of refusal names what is possible and who may act."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pytest

from data.models import Role
from modes.common.state_table import StateTable
from modes.emergency.dispatch import TASK_TABLE
from modes.emergency.incidents import STATUS_TABLE, IncidentRefused
from modes.everyday.workflow import TABLE as CASE_TABLE
from modes.everyday.workflow import IllegalTransition


class Light(enum.StrEnum):
    RED = "red"
    GREEN = "green"
    OFF = "off"


@dataclass(frozen=True)
class Change:
    source: Light
    action: str
    target: Light
    roles: frozenset[Role]


class Refused(Exception):
    pass


OPERATOR = frozenset({Role.OPERATOR})
LIGHTS = StateTable(
    [Change(Light.RED, "go", Light.GREEN, OPERATOR), Change(Light.GREEN, "stop", Light.RED, OPERATOR),
     Change(Light.GREEN, "switch_off", Light.OFF, frozenset({Role.COMMANDER}))],
    Light, noun="light", finished="the light is off", refused=Refused,
)  # fmt: skip


@pytest.mark.parametrize("table", [CASE_TABLE, STATUS_TABLE, TASK_TABLE], ids=["case", "incident", "task"])
def test_every_step_of_the_three_machines_is_found_by_action_and_by_target(table):
    for step in table.steps:
        role = sorted(step.roles)[0]
        assert table.step_by_action(step.source, step.action, role) is step
        assert table.step_by_action(step.source.value, step.action, role.value) is step  # as plain text
        assert table.find(step.source, step.action) is step
        assert step in table.leaving(step.source)
    for step in (s for s in table.steps if [x.target for x in table.leaving(s.source)].count(s.target) == 1):
        assert table.step_to(step.source, step.target, sorted(step.roles)[0]) is step


def test_the_refusals_say_what_is_possible_and_who_may():
    assert LIGHTS.step_to("red", "green", "operator").action == "go"
    with pytest.raises(Refused, match=r"^a light that is red cannot become off \(possible now: green\)$"):
        LIGHTS.step_to("red", "off", "operator")
    with pytest.raises(
        Refused, match=r"^an operator may not make a green light off \(switch_off: only commander\)$"
    ):
        LIGHTS.step_to("green", "off", "operator")
    with pytest.raises(Refused, match=r"^unknown light status 'blue' \(one of red, green, off\)$"):
        LIGHTS.step_to("red", "blue", "operator")
    with pytest.raises(
        Refused, match=r"^cannot go a light that is off \(possible now: none: the light is off\)$"
    ):
        LIGHTS.step_by_action("off", "go", "operator")
    with pytest.raises(Refused, match=r"^unknown action 'fly' \(known: go, stop, switch_off\)$"):
        LIGHTS.step_by_action("red", "fly", "operator")
    with pytest.raises(Refused, match=r"^unknown role 'mayor'"):
        LIGHTS.step_by_action("red", "go", "mayor")
    with pytest.raises(Refused, match=r"^a commander may not go a red light \(only operator\)$"):
        LIGHTS.step_by_action("red", "go", "commander")


def test_each_machine_refuses_with_its_own_error_and_words():
    with pytest.raises(IllegalTransition, match="a department may not accept a reported case"):
        CASE_TABLE.step_by_action("reported", "accept", "department")
    with pytest.raises(
        IncidentRefused, match="an incident that is closed cannot become responding .*the incident is closed"
    ):
        STATUS_TABLE.step_to("closed", "responding", "commander")
    with pytest.raises(IncidentRefused, match="an operator may not make an assigned task en_route"):
        TASK_TABLE.step_to("assigned", "en_route", "operator")


def test_a_table_with_two_steps_for_one_action_from_one_state_is_refused_when_built():
    twice = [Change(Light.RED, "go", Light.GREEN, OPERATOR), Change(Light.RED, "go", Light.OFF, OPERATOR)]
    with pytest.raises(ValueError, match="two steps with one action"):
        StateTable(twice, Light, noun="light", finished="-", refused=Refused)


def test_a_case_refusal_names_its_stage_in_words_and_keeps_the_code_the_commands_take():
    possible = ", ".join(st.action for st in CASE_TABLE.leaving("extension_requested"))
    with pytest.raises(IllegalTransition) as refused:
        CASE_TABLE.step_by_action("extension_requested", "dispatch", "dispatcher")
    assert str(refused.value) == (
        "cannot dispatch a case awaiting a decision on its extension "
        f"(it is extension_requested; possible now: {possible})"
    )
    with pytest.raises(IllegalTransition, match=r"^a department may not approve_extension a case awaiting a "
                       r"decision on its extension \(only "):  # fmt: skip
        CASE_TABLE.step_by_action("extension_requested", "approve_extension", "department")
    # Every state of the case table has its words.
    assert all(not CASE_TABLE.a(s).startswith(("a extension", "an extension_")) for s in CASE_TABLE.states)
    assert {s.value for s in CASE_TABLE.states} == set(CASE_TABLE.phrases)


@pytest.mark.parametrize("spelling", ["civil_defence", "civil-defence", "Civil Defence", " CIVIL-defence "])
def test_a_role_is_taken_in_any_spelling_everywhere(spelling):
    from modes.common.actor import Actor
    from modes.common.mode_switch import Mode, may_switch
    from modes.exercises.screens import addressed_to

    assert Role.parse(spelling) is Role.CIVIL_DEFENCE
    assert Actor.of(spelling).role is Role.CIVIL_DEFENCE
    assert CASE_TABLE._role(spelling) is Role.CIVIL_DEFENCE
    assert may_switch(spelling, Mode.CIVIL_DEFENCE)
    assert addressed_to(f"city_commander, {spelling}", "daoli_civil_defence", "civil_defence")
    assert not addressed_to(spelling, "city_commander", "commander")


def test_an_unknown_role_is_named_with_the_roles():
    from data.errors import InputError

    with pytest.raises(InputError, match=r"unknown role 'civil defense' \(one of supervisor, operator, "):
        Role.parse("civil defense")
    assert Role.spelling("city_commander") is None
