"""What the console reads of exercises (``modes.exercises.screens``), without Qt: the banner's exercise
and the injects waiting for a player's acknowledgement, the controller page's MSEL columns (judged here,
or by the node for a replica), and which exercise is shown."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from modes.common.actor import Actor
from modes.exercises import exercises as ex_rules
from modes.exercises.msel import Scenario, read_row
from modes.exercises.screens import addressed_to, banner_state, controller_view, shown_exercise_id

DRILL = Actor.of("drill", "city_drill", login="city_drill")
COMMANDER = Actor.of("commander", "city_commander", login="city_commander")


def scenario() -> Scenario:
    rows = [
        {"no": "1", "time": "+00:00", "kind": "message", "to": "city_commander", "message": "stand by",
         "expected_action": "exercise.ack", "expected_within": 10},
        {"no": "2", "time": "+00:05", "kind": "message", "to": "operator", "message": "to the operators"},
        {"no": "3", "time": "+00:10", "kind": "message", "to": "city_commander; city_drill", "message": "both"},
        {"no": "4", "time": "+01:00", "kind": "message", "to": "city_commander", "message": "later"},
    ]  # fmt: skip
    return Scenario(
        "screens", "Screens drill", "屏幕演练", tuple(read_row(r, i) for i, r in enumerate(rows, 2))
    )


def nothing_real(_ex, _inj) -> tuple[None, None]:
    return None, None  # message injects change nothing real


@pytest.fixture
def running(tiny_city, clock):
    """An exercise started at 09:00 at 60x, ticked at 09:00:12 (scenario +00:12: injects 1-3 out)."""
    ex, _ = ex_rules.start(tiny_city, clock, DRILL, scenario(), speed=60.0)
    clock.advance(seconds=12)
    ex_rules.tick(tiny_city, clock, ex.id, nothing_real)
    tiny_city.flush()
    return ex


def test_addressed_to_names_a_login_or_a_role_alone_or_in_a_list():
    assert addressed_to("city_commander", "city_commander", "commander")
    assert addressed_to("Commander", "city_commander", "commander")
    assert addressed_to("city_operator, city_commander", "city_commander", "commander")
    assert addressed_to("operator；commander", "someone", "commander")
    assert not addressed_to("district civil-defence offices", "city_civil_defence", "civil_defence")
    assert not addressed_to("", "city_commander", "commander")


def test_the_banner_reads_the_exercise_and_the_players_waiting_injects(tiny_city, clock, running):
    state = banner_state(tiny_city, clock.now(), "city_commander", "commander")
    a = state.active
    assert (a.id, a.title, a.title_zh, a.state, a.speed) == (
        running.id,
        "Screens drill",
        "屏幕演练",
        "running",
        60.0,
    )
    assert a.clock_s == pytest.approx(720.0)
    # Newest first; inject 2 is for the operators, inject 4 not out yet.
    assert [i.no for i in state.inbox] == ["3", "1"]
    # The clock runs on between reads at the exercise's speed.
    later = clock.now() + dt.timedelta(seconds=3)
    assert state.clock_s(later) == pytest.approx(900.0)
    assert state.clock_time(later) == a.clock_time + dt.timedelta(seconds=180)

    ex_rules.acknowledge(tiny_city, clock, COMMANDER, running.id, "3")
    assert [i.no for i in banner_state(tiny_city, clock.now(), "city_commander", "commander").inbox] == ["1"]
    assert [i.no for i in banner_state(tiny_city, clock.now(), "city_operator", "operator").inbox] == ["2"]

    ex_rules.pause(tiny_city, clock, DRILL, running.id)
    paused = banner_state(tiny_city, clock.now(), "city_commander", "commander")
    assert paused.active.state == "paused"
    assert paused.clock_s(clock.now() + dt.timedelta(hours=1)) == paused.active.clock_s
    ex_rules.stop(tiny_city, clock, DRILL, running.id)
    assert banner_state(tiny_city, clock.now(), "city_commander", "commander").active is None


def test_the_controller_view_holds_the_msel_as_columns(tiny_city, clock, running):
    view = controller_view(tiny_city, clock.now())
    rows = view.rows
    assert view.exercise.id == running.id and view.exercise.on
    assert len(rows) == 4 and rows.no.tolist() == ["1", "2", "3", "4"]
    assert rows.time_s.tolist() == [0.0, 300.0, 600.0, 3600.0]
    assert rows.state.tolist() == ["delivered", "delivered", "delivered", "pending"]
    assert rows.awaiting_ack.tolist() == [True, True, True, False]
    assert rows.within_min[0] == 10.0 and np.isnan(rows.within_min[1])
    assert rows.met.tolist() == [-1, -1, -1, -1]  # nobody acted, and inject 1's ten minutes have not run out
    assert rows.row_of("3") == 2 and rows.row_of("nine") == -1
    assert view.counts == {"delivered": 3, "pending": 1}

    ex_rules.acknowledge(tiny_city, clock, COMMANDER, running.id, "1")
    rows = controller_view(tiny_city, clock.now()).rows
    assert rows.state[0] == "actioned" and rows.met[0] == 1 and rows.acted_by[0] == "city_commander"
    assert not rows.awaiting_ack[0]


def test_a_replica_takes_the_nodes_judgement(tiny_city, clock, running):
    progress = [
        {"no": "2", "state": "actioned", "met": False, "actioned_by": "city_operator", "response_min": 12.5}
    ]
    rows = controller_view(tiny_city, clock.now(), running.id, progress).rows
    assert rows.state.tolist() == ["delivered", "actioned", "delivered", "pending"]  # the rest: as stored
    assert rows.met.tolist() == [-1, 0, -1, -1]
    assert rows.acted_by[1] == "city_operator" and rows.response_min[1] == 12.5


def test_the_page_shows_the_exercise_that_is_on_else_the_last_one(tiny_city, clock, running):
    assert shown_exercise_id(tiny_city) == running.id
    ex_rules.stop(tiny_city, clock, DRILL, running.id)
    assert shown_exercise_id(tiny_city) == running.id  # after ENDEX its results stay on the page
    second, _ = ex_rules.start(tiny_city, clock, DRILL, scenario(), speed=1.0)
    assert shown_exercise_id(tiny_city) == second.id
    assert shown_exercise_id(tiny_city, running.id) == running.id
    assert shown_exercise_id(tiny_city, 9999) is None
