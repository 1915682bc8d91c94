"""Exercise cases kept apart, read by read, on the tiny city (SQLite and PostgreSQL): every list, count,
map and export of cases leaves them out unless asked (``exercises``: leave, include, only), names them
when it shows them, and a real report never links to an exercise's case as a duplicate, nor the other
way round."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from data.city import stats
from data.errors import InputError
from modes.everyday import queue
from modes.everyday.case_detail import case_detail
from modes.everyday.case_export import export_cases
from modes.everyday.case_filter import CaseFilter
from modes.everyday.case_map import open_cases, open_cases_per_cell
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.dashboard import dashboard_figures, rate_rows
from modes.everyday.evaluation import evaluate, evaluate_from_journal
from modes.everyday.trends import daily_trends, recount_last_day
from tests.modes.conftest import X0, Y0

OP, SUP, LEAD, DISP = (Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher"))
EXERCISE = 7  # the exercise id an inject's report carries (no exercise row is needed for the reads)
DAOLI, NANGANG = (X0 + 50, Y0 + 50), (X0 + 50, Y0 + 250)


def _dispatch(desk: CaseDesk, case_id: int) -> None:
    for action, actor in (("accept", OP), ("file", LEAD), ("dispatch", DISP)):
        desk.act(case_id, action, actor)


@pytest.fixture
def city(tiny_city, clock):
    """Two real cases (one dispatched in 道里, one reported in 南岗) and two of exercise 7 (one dispatched
    in 道里 by the same seats, one reported in 南岗, 10 m from the real one)."""
    desk = CaseDesk(tiny_city, clock)
    ids = {}
    for name, (x, y), exercise in (
        ("real_daoli", DAOLI, None),
        ("real_nangang", NANGANG, None),
        ("ex_daoli", (DAOLI[0] + 150, DAOLI[1]), EXERCISE),
        ("ex_nangang", (NANGANG[0] + 10, NANGANG[1]), EXERCISE),
    ):
        clock.advance(minutes=5)
        doc, _ = desk.report(SUP, x=x, y=y, channel="supervisor", type_code="06010", exercise_id=exercise)
        assert doc["state"] == "reported", f"{name} was linked as a duplicate"
        assert doc["exercise"] == exercise
        ids[name] = doc["id"]
    clock.advance(minutes=5)
    _dispatch(desk, ids["real_daoli"])
    _dispatch(desk, ids["ex_daoli"])
    clock.advance(minutes=5)
    return desk, ids


REAL, EXERCISE_CASES = {"real_daoli", "real_nangang"}, {"ex_daoli", "ex_nangang"}
CHOSEN = {"leave": REAL, "include": REAL | EXERCISE_CASES, "only": EXERCISE_CASES}


def _names(ids: dict[str, int], found) -> set[str]:
    by_id = {v: k for k, v in ids.items()}
    return {by_id[int(i)] for i in found}


@pytest.mark.parametrize("exercises", list(CHOSEN))
def test_case_list_and_queue_take_the_cases_asked_for(city, clock, exercises):
    desk, ids = city
    doc = queue.list_cases(desk.session, clock.now(), exercises=exercises)
    assert {c["id"]: c["exercise"] for c in doc["cases"]} == {
        ids[n]: (EXERCISE if n in EXERCISE_CASES else None) for n in CHOSEN[exercises]
    }
    assert doc["total"] == len(CHOSEN[exercises]) and doc["exercises"] == exercises
    f = CaseFilter(exercises=exercises)
    assert queue.count(desk.session, f, clock.now()) == len(CHOSEN[exercises])
    page = queue.page(desk.session, f, queue.QueueOrder(), 0, 10, clock.now())
    marked = dict(zip(page.ids.tolist(), page.exercise_id.tolist(), strict=True))
    assert _names(ids, marked) == CHOSEN[exercises]
    assert {k for k, v in marked.items() if v} == {ids[n] for n in CHOSEN[exercises] & EXERCISE_CASES}


def test_a_case_shows_its_exercise(city):
    desk, ids = city
    assert desk.show(ids["ex_daoli"])["exercise"] == EXERCISE
    assert desk.show(ids["real_daoli"])["exercise"] is None
    assert case_detail(desk, ids["ex_daoli"], OP).exercise_id == EXERCISE
    assert case_detail(desk, ids["real_daoli"], OP).exercise_id is None


@pytest.mark.parametrize("exercises", list(CHOSEN))
def test_the_map_and_its_choropleth_take_the_cases_asked_for(city, clock, exercises):
    desk, ids = city
    shown = open_cases(desk.session, clock.now(), lambda keys: {}, exercises=exercises)
    assert _names(ids, shown.ids.tolist()) == CHOSEN[exercises]
    if exercises == "leave":
        assert shown.exercise_id is None  # every case shown is real
    else:
        marked = dict(zip(shown.ids.tolist(), shown.exercise_id.tolist(), strict=True))
        assert {k for k, v in marked.items() if v == EXERCISE} == {
            ids[n] for n in CHOSEN[exercises] & EXERCISE_CASES
        }
    codes = np.array(sorted({"230102001001001", "230102001001002", "230103001001001", "230103001001002"}))
    per_cell = open_cases_per_cell(desk.session, codes, exercises=exercises)
    assert per_cell.sum() == len(CHOSEN[exercises])


@pytest.mark.parametrize("exercises", list(CHOSEN))
def test_trends_and_the_dashboard_count_the_cases_asked_for(city, clock, exercises):
    desk, _ = city
    trends = daily_trends(desk.session, now=clock.now(), days=3, exercises=exercises)
    assert sum(trends.intake["supervisor"]) == len(CHOSEN[exercises])
    assert trends.open[-1] == len(CHOSEN[exercises]) and trends.exercises == exercises
    again = recount_last_day(desk.session, trends, clock.now())
    assert again == trends  # the recount of today counts the same cases
    figures = dashboard_figures(desk.session, trends, clock.now())
    assert figures.exercises == exercises
    period = {"start": trends.period.first, "end": trends.period.last, "now": clock.now()}
    doc = evaluate(desk.session, by="department", exercises=exercises, **period)
    assert figures.departments == rate_rows(doc, "department")
    dispatched = {"leave": 1, "include": 2, "only": 1}[exercises]
    assert [(r["key"], r["reported"], r["in_handling"]) for r in doc["rows"]] == [
        ("sanitation", dispatched, dispatched)
    ]
    by_district = evaluate(desk.session, by="district", exercises=exercises, **period)
    assert figures.districts == rate_rows(by_district, "district")
    assert sum(r["reported"] for r in by_district["rows"]) == len(CHOSEN[exercises])


def test_a_bad_choice_is_refused_naming_it(city, clock):
    desk, _ = city
    for read in (
        lambda: queue.list_cases(desk.session, clock.now(), exercises="some"),
        lambda: open_cases(desk.session, clock.now(), lambda keys: {}, exercises="some"),
        lambda: daily_trends(desk.session, now=clock.now(), exercises="some"),
        lambda: evaluate(
            desk.session, by="district", start=None, end=None, now=clock.now(), exercises="some"
        ),
        lambda: export_cases(desk.session, "csv", io.StringIO(), exercises="some"),
    ):
        with pytest.raises(InputError, match="exercises is one of leave, include, only .*not 'some'"):
            read()


@pytest.mark.parametrize("exercises", list(CHOSEN))
def test_kpis_from_the_tables_and_from_the_journal_count_the_same_cases(city, clock, exercises):
    desk, _ = city
    for by in ("department", "district"):
        a = evaluate(desk.session, by=by, start=None, end=None, now=clock.now(), exercises=exercises)
        b = evaluate_from_journal(
            desk.session, by=by, start=None, end=None, now=clock.now(), exercises=exercises
        )
        assert a["rows"] and a["rows"] == b["rows"]
        assert sum(r["reported"] for r in a["rows"]) == (
            len(CHOSEN[exercises])
            if by == "district"
            else len(CHOSEN[exercises] & {"real_daoli", "ex_daoli"})
        )


def test_the_seats_kpis_leave_out_their_acts_on_exercise_cases(city, clock):
    desk, _ = city
    rows = {
        choice: {r["key"]: r for r in evaluate(desk.session, by="role", start=None, end=None, now=clock.now(),
                                               exercises=choice)["rows"]}
        for choice in CHOSEN
    }  # fmt: skip
    dispatcher = next(k for k in rows["include"] if k.startswith("dispatcher:"))
    assert [rows[c][dispatcher]["dispatches"] for c in CHOSEN] == [1, 2, 1]


@pytest.mark.parametrize("exercises", list(CHOSEN))
def test_the_case_export_takes_the_cases_asked_for_and_marks_exercise_ones(city, exercises):
    desk, ids = city
    out = io.StringIO()
    assert export_cases(desk.session, "csv", out, exercises=exercises) == len(CHOSEN[exercises])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert _names(ids, [r["id"] for r in rows]) == CHOSEN[exercises]
    assert {r["id"]: r["exercise"] for r in rows} == {
        str(ids[n]): (str(EXERCISE) if n in EXERCISE_CASES else "") for n in CHOSEN[exercises]
    }
    out = io.StringIO()
    export_cases(desk.session, "geojson", out, exercises=exercises)
    doc = json.loads(out.getvalue())
    assert doc["exercises"] == exercises
    assert {f["properties"]["id"]: f["properties"]["exercise"] for f in doc["features"]} == {
        ids[n]: (EXERCISE if n in EXERCISE_CASES else None) for n in CHOSEN[exercises]
    }


def test_stats_count_the_exercise_cases_among_the_cases(city):
    desk, _ = city
    counts = stats(desk.session)
    assert (counts["cases"], counts["open_cases"], counts["exercise_cases"]) == (4, 4, 2)


def test_real_and_exercise_reports_never_link_as_duplicates_of_each_other(city, clock):
    desk, ids = city
    x, y = NANGANG  # the real 南岗 case and exercise 7's stand 10 m apart, both open
    clock.advance(minutes=1)
    real, _ = desk.report(OP, x=x + 5, y=y, channel="hotline", type_code="06010")
    assert real["duplicate_of"] == ids["real_nangang"]
    same, _ = desk.report(OP, x=x + 5, y=y, channel="hotline", type_code="06010", exercise_id=EXERCISE)
    assert same["duplicate_of"] == ids["ex_nangang"]
    other, _ = desk.report(OP, x=x + 5, y=y, channel="hotline", type_code="06010", exercise_id=EXERCISE + 1)
    assert (other["state"], other["duplicate_of"]) == ("reported", None)  # another exercise's is not its own
    candidates = desk.duplicate_candidates("06010", x + 5, y, "230103001001001")
    assert [c.id for _, c in candidates] == [ids["real_nangang"]]
    with pytest.raises(
        InputError, match=f"case {ids['ex_nangang']} is exercise 7's case: a real report is never"
    ):
        desk.report(OP, x=x + 5, y=y, channel="hotline", type_code="06010", duplicate_of=ids["ex_nangang"])
    with pytest.raises(
        InputError, match=f"case {ids['real_nangang']} is a real case: exercise 7's report is never"
    ):
        desk.report(
            OP, x=x + 5, y=y, channel="hotline", type_code="06010", exercise_id=EXERCISE,
            duplicate_of=ids["real_nangang"],
        )  # fmt: skip
