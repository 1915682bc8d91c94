"""Supervisor coverage quality (docs/coverage_quality.md) on a generated history with a fixed seed: the
figures per supervisor and per cell equal a brute-force recount of the case rows in Python, the
per-supervisor figures are ``kpi --by supervisor``'s own, the cells of a patch add up to it, exercise
cases stay out unless asked, and other duty hours (weekdays only, a night shift) are counted alike;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from sqlalchemy import select, update

from data.models import Case, GridCell, Supervisor
from modes.everyday.config import EverydayConfig
from modes.everyday.coverage import cell_coverage, supervisor_coverage
from modes.everyday.evaluation import PUBLIC_CHANNELS, evaluate
from tests.modes.test_history import NOW, history_city, hs  # noqa: F401 - the shared fixtures
from tests.test_cli import run

PERIOD = {"start": "2026-02-18", "end": "2026-03-01", "now": NOW}  # the whole generated history


def _recount(session, config: EverydayConfig, *, exercises: bool = False) -> tuple[Counter, Counter]:
    """The rule counted by hand over every case row: (problems, public-first) per (supervisor id) and
    per (cell code), in one Counter each keyed by ("sup", id, what) / ("cell", code, what)."""
    duty = config.supervision
    first, last = dt.datetime(2026, 2, 18), dt.datetime(2026, 3, 2)
    by_sup, by_cell = Counter(), Counter()
    rows = session.execute(
        select(Case.supervisor_id, Case.cell_code, Case.reported_at, Case.filed_at, Case.voided_at,
               Case.channel, Case.exercise_id)
    ).all()  # fmt: skip
    for r in rows:
        if not (first <= r.reported_at < last) or (r.exercise_id is not None and not exercises):
            continue
        if r.filed_at is None or r.voided_at is not None or not duty.on_duty(r.reported_at):
            continue
        public = r.channel in PUBLIC_CHANNELS
        if r.supervisor_id is not None:
            by_sup[r.supervisor_id, "problems"] += 1
            by_sup[r.supervisor_id, "public"] += public
        by_cell[r.cell_code, "problems"] += 1
        by_cell[r.cell_code, "public"] += public
    return by_sup, by_cell


def _check_against_recount(session, config: EverydayConfig, exercises: str = "leave") -> dict:
    by_sup, by_cell = _recount(session, config, exercises=exercises == "include")
    codes = dict(session.execute(select(Supervisor.id, Supervisor.code)).all())
    sup_doc = evaluate(session, by="supervisor", config=config, exercises=exercises, **PERIOD)
    seen = {}
    for row in sup_doc["rows"]:
        sid = next(i for i, c in codes.items() if c == row["key"])
        expected = (by_sup[sid, "problems"], by_sup[sid, "public"])
        assert (row["duty_filed"], row["duty_public_filed"]) == expected, row["key"]
        assert row["public_first_rate"] == (round(expected[1] / expected[0], 4) if expected[0] else None)
        assert row["missed_rate"] == row["public_first_rate"]
        assert row["enough"] == (expected[0] >= config.supervision.min_problems)
        seen[sid] = expected
    assert {sid for (sid, what) in by_sup if by_sup[sid, "problems"]} <= set(seen)
    cell_doc = evaluate(session, by="cell", config=config, exercises=exercises, **PERIOD)
    cells = {r["key"]: r for r in cell_doc["rows"]}
    expected_cells = {code for (code, what) in by_cell if by_cell[code, "problems"]}
    assert set(cells) == expected_cells
    for code, r in cells.items():
        assert (r["duty_filed"], r["duty_public_filed"]) == (
            by_cell[code, "problems"],
            by_cell[code, "public"],
        )
    return {"supervisors": sup_doc, "cells": cell_doc, "recount": (by_sup, by_cell)}


def test_the_figures_per_supervisor_and_per_cell_equal_a_recount_by_hand(hs):  # noqa: F811
    config = EverydayConfig.load(hs)
    found = _check_against_recount(hs, config)
    by_sup, _ = found["recount"]
    assert sum(v for (sid, what), v in by_sup.items() if what == "problems") > 500
    shares = [r["public_first_rate"] for r in found["supervisors"]["rows"] if r["enough"]]
    assert shares and all(0.0 < s < 0.5 for s in shares)  # the public reports a fifth of everything
    # Public reports at night, out of the supervisors' hours (07:00-19:00), count nowhere.
    reported = hs.execute(
        select(Case.reported_at).where(
            Case.channel.in_(PUBLIC_CHANNELS), Case.filed_at.is_not(None), Case.voided_at.is_(None)
        )
    ).scalars()
    night = sum(1 for t in reported if not 7 <= t.hour < 19)
    counted = sum(r["duty_public_filed"] for r in found["supervisors"]["rows"])
    assert night > 20
    assert counted + night == sum(
        1
        for _ in hs.execute(
            select(Case.id).where(
                Case.channel.in_(PUBLIC_CHANNELS), Case.filed_at.is_not(None), Case.voided_at.is_(None)
            )
        )
    )


def test_the_cells_of_a_patch_add_up_to_its_supervisor(hs):  # noqa: F811
    config = EverydayConfig.load(hs)
    patch = dict(hs.execute(select(GridCell.code, GridCell.supervisor_id)).all())
    codes = dict(hs.execute(select(Supervisor.id, Supervisor.code)).all())
    cells = evaluate(hs, by="cell", config=config, **PERIOD)["rows"]
    summed = Counter()
    for r in cells:
        assert r["supervisor"] == codes[patch[r["key"]]]
        summed[r["supervisor"], "problems"] += r["duty_filed"]
        summed[r["supervisor"], "public"] += r["duty_public_filed"]
    for row in evaluate(hs, by="supervisor", config=config, **PERIOD)["rows"]:
        assert (row["duty_filed"], row["duty_public_filed"]) == (
            summed[row["key"], "problems"], summed[row["key"], "public"],
        )  # fmt: skip


def test_the_console_readings_are_the_kpi_figures(hs):  # noqa: F811
    doc = evaluate(hs, by="supervisor", start=None, end=None, now=NOW)  # 30 days ending on now's date
    rows = {c.code: c for c in supervisor_coverage(hs, NOW)}
    assert set(rows) == {r["key"] for r in doc["rows"]}
    for r in doc["rows"]:
        c = rows[r["key"]]
        assert (c.problems, c.public_first, c.share, c.enough, c.cells) == (
            r["duty_filed"], r["duty_public_filed"], r["public_first_rate"], r["enough"], r["cells"],
        )  # fmt: skip
    ordered = list(rows.values())
    judged = [c for c in supervisor_coverage(hs, NOW) if c.enough]
    assert [c.share for c in judged] == sorted((c.share for c in judged), reverse=True)  # weakest first
    assert ordered
    codes = hs.scalars(select(GridCell.code).order_by(GridCell.code)).all()
    import numpy as np

    per_cell = cell_coverage(hs, np.array(codes, dtype=object), NOW)
    cell_doc = {
        r["key"]: r for r in evaluate(hs, by="cell", start="2026-01-31", end="2026-03-01", now=NOW)["rows"]
    }
    for i, code in enumerate(codes):
        r = cell_doc.get(code)
        assert per_cell.problems[i] == (r["duty_filed"] if r else 0)
        if r is None:
            assert np.isnan(per_cell.share[i])
        else:
            assert per_cell.share[i] == r["public_first_rate"]
            assert per_cell.enough[i] == r["enough"]


def test_exercise_cases_stay_out_unless_asked(hs):  # noqa: F811
    config = EverydayConfig.load(hs)
    before = _check_against_recount(hs, config)["supervisors"]
    # Some public reports become an exercise's: real figures leave them out, "include" counts them.
    marked = hs.scalars(
        select(Case.id).where(Case.channel.in_(PUBLIC_CHANNELS), Case.filed_at.is_not(None)).limit(40)
    ).all()
    hs.execute(update(Case).where(Case.id.in_(marked)).values(exercise_id=9))
    after = _check_against_recount(hs, config)["supervisors"]
    assert sum(r["duty_public_filed"] for r in after["rows"]) < sum(
        r["duty_public_filed"] for r in before["rows"]
    )
    included = _check_against_recount(hs, config, exercises="include")["supervisors"]
    assert [(r["key"], r["duty_filed"], r["duty_public_filed"]) for r in included["rows"]] == [
        (r["key"], r["duty_filed"], r["duty_public_filed"]) for r in before["rows"]
    ]


@pytest.mark.parametrize(
    "supervision",
    [
        {"duty_hours": [["08:00", "12:00"], ["14:00", "17:30"]], "duty_days": [0, 1, 2, 3, 4]},
        {"duty_hours": [["18:00", "06:00"]], "duty_days": [5, 6], "min_problems": 3},
    ],
    ids=["weekday-office-hours", "weekend-night-shift"],
)
def test_other_duty_hours_are_counted_alike_in_sql_and_by_hand(hs, supervision):  # noqa: F811
    config = EverydayConfig.from_dict({"supervision": supervision})
    found = _check_against_recount(hs, config)
    by_sup, _ = found["recount"]
    assert sum(v for (sid, what), v in by_sup.items() if what == "problems") > 20


def test_bad_duty_hours_are_refused():
    from data.errors import InputError

    for bad, says in (
        ({"duty_hours": [["07:00", "07:00"]]}, "some length"),
        ({"duty_days": [7]}, "weekdays 0"),
        ({"min_problems": 0}, "at least 1"),
        ({"duty_hours": [["7 am", "19:00"]]}, "invalid"),
    ):
        with pytest.raises(InputError, match=says):
            EverydayConfig.from_dict({"supervision": bad})


def test_kpi_by_cell_and_by_supervisor_on_the_command_line(history_city):  # noqa: F811
    url = history_city.engine.url.render_as_string(hide_password=False)
    env = {"SANWEI_CLOCK": "2026-03-02T00:00:00"}
    cells = json.loads(run("kpi", "--by", "cell", "--json", "--db", url, env=env).stdout)
    assert cells["by"] == "cell" and cells["rows"]
    with history_city.Session() as s:
        assert cells["rows"] == evaluate(s, by="cell", start=None, end=None, now=NOW)["rows"]
    out = run("kpi", "--by", "cell", "--db", url, env=env).stdout.splitlines()
    assert out[0] == "coverage quality per cell, 2026-02-01 to 2026-03-02: problems in the duty hours"
    first = cells["rows"][0]
    assert out[1].startswith(first["key"]) and f"of {first['duty_filed']:>4}" in out[1]
    out = run("kpi", "--by", "supervisor", "--db", url, env=env).stdout
    assert "cells  public-first" in out
