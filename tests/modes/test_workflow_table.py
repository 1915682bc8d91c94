"""The transition table itself: every row reachable, every state handled, roles sane."""

from __future__ import annotations

import pytest

from data.models import Role
from modes.everyday import workflow
from modes.everyday.cases import EFFECTS, GUARDS
from modes.everyday.workflow import FINISHED, TRANSITIONS, IllegalTransition, State


@pytest.mark.parametrize("tr", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_each_row_is_allowed_for_its_roles_and_refused_for_others(tr):
    for role in Role:
        if role in tr.roles:
            assert workflow.check(tr.source, tr.action, role) is tr
        else:
            with pytest.raises(IllegalTransition, match=f"an? {role.value} may not {tr.action}"):
                workflow.check(tr.source, tr.action, role)


@pytest.mark.parametrize("tr", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_each_row_names_a_real_effect_and_guard(tr):
    assert tr.effect is None or tr.effect in EFFECTS
    assert tr.guard is None or tr.guard in GUARDS


def test_every_state_is_reachable_from_reported():
    seen, frontier = {State.REPORTED}, [State.REPORTED]
    while frontier:
        s = frontier.pop()
        for tr in workflow.allowed(s):
            if tr.target not in seen:
                seen.add(tr.target)
                frontier.append(tr.target)
    assert seen | {State.MERGED} == set(State)


def test_every_unfinished_state_has_a_way_out_and_finished_ones_only_evaluate_or_unlink():
    for s in State:
        outs = {tr.action for tr in workflow.allowed(s)}
        if s in FINISHED:
            assert outs <= {"evaluate", "unlink"}, (s, outs)
        else:
            assert outs, s


def test_unknown_action_and_role_are_named():
    with pytest.raises(IllegalTransition, match="unknown action 'fly'"):
        workflow.check(State.REPORTED, "fly", Role.OPERATOR)
    with pytest.raises(IllegalTransition, match="unknown role 'mayor'"):
        workflow.check(State.REPORTED, "accept", "mayor")
    with pytest.raises(IllegalTransition, match="cannot dispatch a reported case"):
        workflow.check(State.REPORTED, "dispatch", Role.DISPATCHER)
