"""How an inject's expected action is read: the event it names, the acts that meet it, and a scenario's
objectives as the lines they were written as. (A whole exercise, played and judged, is
``test_exercise_report.py``.)"""

from __future__ import annotations

from data.exercise_models import ExerciseInject
from modes.exercises.exercises import load_scenario
from modes.exercises.msel import read_row
from modes.exercises.progress import expected_kind, meets


def _kind(expected: str, record: str | None = None) -> str | None:
    row = read_row(
        {"no": "1", "time": "+00:00", "kind": "message", "message": "m", "expected_action": expected}, 1
    )
    return expected_kind(ExerciseInject(expected_action=row.expected_action, record=record))


def test_an_expectation_in_words_names_no_event():
    assert _kind("Call the press, e.g. the evening paper") is None
    assert _kind("Send the report (i.e. by phone)") is None
    assert _kind("Then case.dispatch: send the water company") == "case.dispatch"
    assert _kind("shelter.occupancy within the quarter hour") == "shelter.occupancy"
    # A bare first word on an inject that made a record is an act on that record.
    assert _kind("dispatch the water company", record="case/12") == "case.dispatch"


def test_a_report_is_accepted_by_any_act_that_accepts_it():
    """The case rules set ``accepted_at`` by accept (a supervisor's own report), send_verify (a camera,
    caller or internet report a supervisor must see first) and self_fix; each meets "case.accept"."""
    for act in ("case.accept", "case.send_verify", "case.self_fix"):
        assert meets(act, "case.accept")
    assert not meets("case.file", "case.accept")
    assert not meets("case.verify", "case.accept")
    assert meets("incident.dispatched", "incident.dispatch") and not meets(
        "incident.level", "incident.dispatch"
    )


def test_objectives_written_without_quotes_read_as_their_lines():
    """``- Intake: flood reports ...`` in YAML is a one-entry map; the scenario keeps the line."""
    flood = load_scenario("songhua_flood")
    assert flood.objectives[0] == "Intake: flood reports taken up within 10 minutes"
    assert all(isinstance(o, str) and not o.startswith("{") for o in flood.objectives)
    # Each inject's objective is one of the scenario's, so the report's lanes are the scenario's.
    assert {i.objective for i in flood.injects} <= set(flood.objectives)
    drill = load_scenario("air_defence_alarm_test")
    assert {i.objective for i in drill.injects} <= set(drill.objectives)
