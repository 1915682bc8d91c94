"""The after-action report of a real exercise: a scenario played on a seeded small city, the players
acting through the command bus with their own logins on a fixed clock, then the report read back.

What is checked: each inject's outcome with who, when and how long (an acknowledged message, an action
in time, an action after the time limit, a refused inject, a free-text expectation judged by an
evaluator's note and one nobody judged, an action after ENDEX, a real case worked on beside the
exercise), the figures per objective, the computed findings, the improvement plan, and the HTML: well
formed, its SVG timeline valid XML, every text escaped. On SQLite and on PostgreSQL; the command line
(``exercise report --format html``) in a process of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select, text

from data.db import make_engine
from data.exercise_models import Exercise
from data.models import Staff
from modes.exercises.report import (
    MET,
    MISSED,
    NOT_JUDGED,
    OPEN,
    PENDING,
    REFUSED,
    TO_BE_ASSIGNED,
    build_report,
    percentile,
    render_html,
    timeline_svg,
)
from tests.conftest import PG_URL, pg_admin_engine
from tests.modes.exercise_play import (
    HOSTILE,
    INFORMATION,
    INTAKE,
    RESPONSE,
    SPEED,
    START,
    cells_apart,
    play,
    scenario,
    seed_small_city,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def played(request, tmp_path_factory):
    """(url, Play, report) of the exercise, on a fresh city of each backend."""
    schema = None
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("aar") / "city.db")
    else:
        admin = pg_admin_engine()
        schema = f"aar_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    seed_small_city(url)
    p = play(url)
    with p.Session() as s:
        report = build_report(s, p.exercise_id, p.clock)
    yield url, p, report
    p.engine.dispose()
    if schema:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _inject(report, no: str):
    (found,) = [i for i in report.injects if i.no == no]
    return found


def test_each_inject_says_what_became_of_it(played):
    _, _, report = played
    one = _inject(report, "1")
    assert (one.outcome, one.acknowledged_by, one.acknowledged_s, one.response_s) == (
        MET,
        f"{_name(played, 'city_commander')} city_commander",
        180.0,
        180.0,
    )
    assert one.actioned_kind == "exercise.acknowledged"

    two = _inject(report, "2")
    assert (two.outcome, two.actioned_kind, two.actioned_s, two.response_s) == (
        MET,
        "case.accept",
        540.0,
        240.0,
    )
    assert two.actioned_by == f"{_name(played, 'city_operator')} city_operator"
    assert two.record.startswith("case/") and two.late_s == 0.0

    # Acted on 16 exercise minutes after it went out (the 30 wall seconds of the pause not counted):
    # after its 10 minutes, so missed; sending a hotline report for verification is its acceptance.
    three = _inject(report, "3")
    assert (three.outcome, three.actioned_kind, three.response_s) == (MISSED, "case.send_verify", 960.0)

    four = _inject(report, "4")
    assert four.outcome == REFUSED and four.record is None
    assert "incident.open refused" in four.refusal and "50,000 m" in four.refusal

    five = _inject(report, "5")
    assert (five.outcome, five.actioned_kind, five.response_s) == (MET, "incident.dispatched", 480.0)
    assert five.record.startswith("incident/")

    six = _inject(report, "6")
    assert six.outcome == MET and six.judged_by == f"{_name(played, 'city_drill')} city_drill"
    assert six.actioned_s is None

    assert _inject(report, "7").outcome == NOT_JUDGED

    eight = _inject(report, "8")
    assert (eight.outcome, eight.acknowledged_by, eight.late_s) == (MISSED, None, 60.0)

    nine = _inject(report, "9")
    assert (nine.outcome, nine.actioned_s, nine.acknowledged_s) == (MISSED, None, None)

    ten = _inject(report, "10")
    assert (ten.outcome, ten.actioned_by) == (MISSED, None)


def _name(played, login: str) -> str:
    _, p, _ = played
    with p.Session() as s:
        return s.scalars(select(Staff.name).where(Staff.login == login)).one()


def test_the_figures_per_objective(played):
    _, _, report = played
    figures = {f.objective: f for f in report.objectives}
    assert list(figures) == [INTAKE, RESPONSE, INFORMATION]
    intake = figures[INTAKE]
    assert (intake.injects, intake.met, intake.missed, intake.undecided) == (4, 1, 3, 0)
    assert (intake.median_s, intake.p90_s, intake.share_met) == (600.0, 960.0, 0.25)
    assert intake.missed_nos == ("3", "9", "10")
    response = figures[RESPONSE]
    assert (response.injects, response.met, response.missed, response.undecided) == (2, 1, 0, 1)
    assert (response.median_s, response.p90_s, response.share_met) == (480.0, 480.0, 1.0)
    information = figures[INFORMATION]
    assert (information.met, information.missed, information.undecided) == (2, 1, 1)
    assert information.share_met == pytest.approx(2 / 3)
    counts = report.counts
    assert (counts.injects, counts.met, counts.missed, counts.not_judged, counts.refused) == (10, 4, 4, 1, 1)
    assert counts.delivered == 9


def test_findings_and_the_improvement_plan(played):
    _, _, report = played
    computed = [f for f in report.improvements if f.computed]
    assert [f.objective for f in computed] == [INTAKE, INFORMATION]
    assert "1 of 4 met (25%)" in computed[0].text and "3, 9, 10" in computed[0].text
    assert [f.objective for f in report.strengths if f.computed] == [RESPONSE]
    noted = [
        (f.kind, f.text, f.inject_no) for f in (*report.strengths, *report.improvements) if not f.computed
    ]
    assert noted == [("strength", HOSTILE, None), ("improvement", "the unit left late", "5")]
    observations = " | ".join(f.text for f in report.observations)
    assert "Injects refused, never reached the players (the scenario needs fixing): 1 — 4: " in observations
    assert "awaiting an evaluator's judgement (a met or missed note): 1 — 7" in observations
    assert "the room was calm" in observations

    # Intake has its item (named by the objective's short name); Information gets a row to be assigned.
    assert [(r.issue, r.owner, r.due, r.assigned) for r in report.plan if r.assigned] == [
        ("Hotline reports waited", "Shift leader", dt.date(2027, 1, 31), True)
    ]
    (todo,) = [r for r in report.plan if not r.assigned]
    assert (todo.objective, todo.owner, todo.action) == (INFORMATION, TO_BE_ASSIGNED, TO_BE_ASSIGNED)


def test_the_header(played):
    _, p, report = played
    h = report.header
    assert (h.exercise_id, h.scenario, h.state, h.speed) == (p.exercise_id, "aar_test", "completed", SPEED)
    assert h.started_by.endswith("city_drill") and h.ended_by.endswith("city_drill")
    # The clock ran +00:00 to +00:40 (the pause stood still): 09:00 to 09:40 on the exercise clock.
    assert (h.start_s, h.end_s) == (0.0, 2400.0)
    assert (h.clock_from, h.clock_to) == (START, START + dt.timedelta(minutes=40))
    assert h.objectives == (INTAKE, RESPONSE, INFORMATION)
    assert report.final and len(report.notes) == 4


class _Balance(HTMLParser):
    """Fails on a closing tag that does not close the innermost open one."""

    VOID = {"meta", "br", "img", "hr", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass  # <br/>, <circle .../>: closed where they open

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.texts.append(data)


def test_the_html_is_well_formed_and_escaped(played):
    _, _, report = played
    page = render_html(report)
    parser = _Balance()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert HOSTILE in "".join(parser.texts)  # read back as the text it was
    assert page.count("演练 EXERCISE") == 2  # above and below
    assert "演示 DEMO" not in page
    demo = dataclasses.replace(report, header=dataclasses.replace(report.header, demo=True))
    assert render_html(demo).count("演示 DEMO · 演练 EXERCISE") == 2
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "src=" not in page
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)  # the inline chart is XML too
    assert sum(1 for el in root.iter() if el.tag == "{http://www.w3.org/2000/svg}title") == 10


def test_the_timeline_colours_each_inject_by_its_outcome(played):
    _, _, report = played
    root = ET.fromstring(timeline_svg(report))
    ns = "{http://www.w3.org/2000/svg}"
    by_no = {}
    for el in root.iter():
        title = el.find(f"{ns}title")
        if title is not None:
            by_no[title.text.split()[0]] = el.get("fill")
    assert by_no["2"] == "#2e7d32" and by_no["3"] == "#c62828" and by_no["4"] == "#6a1b9a"
    assert len(by_no) == 10


def test_percentile_by_nearest_rank():
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(v) for v in range(1, 11)], 90) == 9.0
    assert percentile([float(v) for v in range(1, 12)], 90) == 10.0


def test_the_command_line_writes_the_report_to_stdout(played):
    url, p, _ = played
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SANWEI_CLOCK": (START + dt.timedelta(minutes=5)).isoformat(),
    }
    out = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "exercise", "report", str(p.exercise_id), "--format", "html",
         "--db", url],
        capture_output=True, check=True, cwd=REPO, env=env,
    ).stdout.decode("utf-8")  # fmt: skip
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "演练评估报告与改进计划 After-Action Report / Improvement Plan" in out
    assert "Hotline reports waited" in out


def test_an_exercise_under_way_reads_as_an_interim_report(played):
    _, p, finished = played
    assert "Interim report" not in render_html(finished)
    with p.Session() as s:
        cells = cells_apart(s)
    second = p.as_("city_drill", "exercise.start", scenario=scenario(cells), speed=SPEED)["id"]
    p.wall(p.wall_s + 2)  # two exercise minutes in: inject 1 is out, its ten minutes not yet run
    p.as_("city_drill", "exercise.tick", id=second)
    try:
        with p.Session() as s:
            report = build_report(s, second, p.clock)
            assert s.get(Exercise, second).state == "running"
        assert not report.final and "Interim report" in render_html(report)
        assert [i.outcome for i in report.injects[:2]] == [OPEN, PENDING]
        assert report.counts.not_judged == 1 and report.counts.pending == 9
    finally:
        p.as_("city_drill", "exercise.stop", id=second)
