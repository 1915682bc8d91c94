"""A scenario's objectives as the lines they were written as."""

from __future__ import annotations

from modes.exercises.exercises import load_scenario


def test_objectives_written_without_quotes_read_as_their_lines():
    """``- Intake: flood reports ...`` in YAML is a one-entry map; the scenario keeps the line."""
    flood = load_scenario("songhua_flood")
    assert flood.objectives[0] == "Intake: flood reports accepted and filed within 10 minutes"
    assert all(isinstance(o, str) and not o.startswith("{") for o in flood.objectives)
    # Each inject's objective is one of the scenario's, so the report's lanes are the scenario's.
    assert {i.objective for i in flood.injects} <= set(flood.objectives)
    drill = load_scenario("air_defence_alarm_test")
    assert {i.objective for i in drill.injects} <= set(drill.objectives)
