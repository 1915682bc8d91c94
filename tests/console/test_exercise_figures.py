"""The console's figures follow its one exercise-records choice: the map's open cases and the dashboard
count real cases unless asked, and the overview counts an exercise's cases apart. While an exercise is
on the console includes them (so the players see the injected reports), and leaves them out again when
it ends."""

from __future__ import annotations

import pytest

from tests.console.conftest import copy_template
from tests.console.test_connect import overview_numbers
from tests.console.test_exercise_console import (  # noqa: F401 - fixtures and helpers shared
    FAST,
    cells,
    exercise_cases,
    live_window,
    start_exercise,
    stop_exercise,
    write_msel,
)


@pytest.fixture(scope="module")
def city_url(small_demo_template, tmp_path_factory) -> str:
    return copy_template(small_demo_template, tmp_path_factory)


def map_case_ids(window) -> set[int]:
    cases = window.case_layer.cases
    return set() if cases is None else {int(i) for i in cases.ids}


def test_the_map_dashboard_and_overview_follow_the_exercise_records_choice(
    qtbot,
    live_window,  # noqa: F811
    make_session,
    cells,  # noqa: F811
    tmp_path,
):
    window = live_window("commander")
    qtbot.waitUntil(lambda: overview_numbers(window)["open_cases"] is not None, timeout=30_000)
    real = overview_numbers(window)
    assert real["exercise_cases"] == 0
    ex_id = start_exercise(make_session, write_msel(tmp_path / "drill.csv", cells, reports=3), speed=FAST)
    try:
        qtbot.waitUntil(lambda: len(exercise_cases(make_session, ex_id)) == 3, timeout=30_000)
        made = set(exercise_cases(make_session, ex_id))
        assert window.services.exercise_records == "include"
        # The map shows the injected reports, the dashboard counts them and says so.
        qtbot.waitUntil(lambda: made <= map_case_ids(window), timeout=30_000)
        dashboard = window.intake_tools.dashboard
        assert dashboard.services.exercises == "include"
        dashboard.refresh()
        qtbot.waitUntil(
            lambda: dashboard.figures is not None and dashboard.figures.exercises == "include", timeout=30_000
        )
        assert "including exercise records" in dashboard.period_label.text()
        # The overview follows the journal: its real counts do not move, the exercise's cases are counted
        # apart.
        qtbot.waitUntil(lambda: overview_numbers(window)["exercise_cases"] == 3, timeout=30_000)
        shown = overview_numbers(window)
        assert (shown["open_cases"], shown["cases"], shown["exercise_cases"]) == (
            real["open_cases"],
            real["cases"],
            3,
        )
        # Asked to leave them out, the map drops them at once.
        window.services.set_exercise_records("leave")
        qtbot.waitUntil(lambda: not (made & map_case_ids(window)), timeout=30_000)
        assert dashboard.services.exercises == "leave"
        window.services.set_exercise_records("include")
        qtbot.waitUntil(lambda: made <= map_case_ids(window), timeout=30_000)
    finally:
        stop_exercise(make_session, ex_id)
    # Over: the console leaves exercise records out again.
    qtbot.waitUntil(lambda: window.services.exercise_records == "leave", timeout=30_000)
    qtbot.waitUntil(lambda: not (made & map_case_ids(window)), timeout=30_000)
