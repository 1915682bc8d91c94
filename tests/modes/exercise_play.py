"""An exercise played for the after-action report's tests: a scenario of ten injects on a seeded small
city, the players and the controller acting through the command bus with their own logins, on a fixed
clock, with a pause in the middle. Each inject ends in a known way (the comment on each says how).
Used by ``test_exercise_report.py`` and ``tests/console/test_exercise_report_pdf.py``."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from data.db import open_database, session_factory
from data.exercise_models import ExerciseInject
from data.models import GridCell, Staff
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.door import LocalDoor

REPO = Path(__file__).resolve().parents[2]
START = dt.datetime(2026, 7, 21, 9, 0)
SPEED = 60.0  # a wall second is a scenario minute
INTAKE = "Intake: reports accepted within 10 minutes"
RESPONSE = "Response: units dispatched within 15 minutes"
INFORMATION = "Information: messages acknowledged and acted on"
HOSTILE = '<script>alert("x")</script> & "quoted" <b>bold</b>'


def scenario(cells: list[str]) -> dict:
    """Ten injects, each there to end in a known way (the comment on each says how)."""

    def row(no, minute, kind, to, expected, within, objective, **extra):
        return {
            "no": str(no),
            "time": f"+00:{minute:02d}",
            "kind": kind,
            "from": "Control",
            "to": to,
            "message": extra.pop("message", f"inject {no}"),
            "expected_action": expected,
            "expected_within": within,
            "objective": objective,
            **extra,
        }

    # Reports of different types in cells apart, so none is taken for another's duplicate.
    report = [{"type": t, "cell": c} for t, c in zip(("06010", "07001", "09005"), cells, strict=True)]
    cell = cells[0]
    return {
        "name": "aar_test",
        "title": "After-action test",
        "title_zh": "演练评估测试",
        "objectives": [INTAKE, RESPONSE, INFORMATION],
        "injects": [
            # acknowledged 3 minutes after it went out: met
            row(1, 0, "message", "city_commander", "exercise.ack", 10, INFORMATION, message=HOSTILE),
            # a supervisor's report accepted in 4 minutes: met
            row(
                2, 5, "report", "city_operator", "case.accept", 10, INTAKE, channel="supervisor", **report[0]
            ),
            # a hotline report sent for verification (its acceptance) 16 minutes on: missed, across a pause
            row(3, 6, "report", "city_operator", "case.accept", 10, INTAKE, channel="hotline", **report[1]),
            # a cordon beyond the city: the incident is refused, the exercise goes on
            row(
                4,
                10,
                "incident",
                "city_commander",
                "incident.dispatched",
                15,
                RESPONSE,
                type="0401",
                level="IV",
                radius=20000,
                cell=cell,
            ),
            # dispatched 8 minutes on: met
            row(
                5,
                12,
                "incident",
                "city_commander",
                "incident.dispatched",
                15,
                RESPONSE,
                type="0401",
                level="IV",
                radius=30,
                cell=cell,
            ),
            # free text, judged met by the evaluator's note
            row(
                6,
                15,
                "message",
                "city_commander",
                "Brief the district heads (judged by the evaluator)",
                20,
                INFORMATION,
            ),
            # free text nobody judged
            row(7, 18, "message", "city_commander", "Call the water company", 20, INFORMATION),
            # never acknowledged: missed; and it goes out a minute late
            row(8, 20, "message", "city_commander", "exercise.ack", 5, INFORMATION),
            # accepted only after ENDEX: missed
            row(
                9,
                25,
                "report",
                "city_operator",
                "case.accept",
                None,
                INTAKE,
                channel="supervisor",
                **report[2],
            ),
            # asks for an acceptance anywhere: a real case accepted meanwhile does not count
            row(10, 26, "message", "city_operator", "case.accept", 10, INTAKE),
        ],
    }


class Play:
    """The players and the controller, each through their own door, on one fixed clock."""

    def __init__(self, url: str) -> None:
        self.engine = open_database(url)
        self.Session = session_factory(self.engine)
        self.clock = FixedClock(START)
        self.bus = city_bus()
        self.doors: dict[str, LocalDoor] = {}
        self.exercise_id = 0
        self.wall_s = 0.0  # wall seconds since START

    def door(self, login: str) -> LocalDoor:
        if login not in self.doors:
            with self.Session() as s:
                staff = s.scalars(select(Staff).where(Staff.login == login)).one()
                person = Actor.of_staff(staff)
            self.doors[login] = LocalDoor(self.bus, self.Session, self.clock, person)
        return self.doors[login]

    def wall(self, seconds: float) -> None:
        self.wall_s = seconds
        self.clock.set(START + dt.timedelta(seconds=seconds))

    def tick(self) -> dict:
        return self.door("city_drill").execute("exercise.tick", {"id": self.exercise_id})

    def as_(self, login: str, command: str, **args) -> dict:
        return self.door(login).execute(command, args)

    def record_id(self, no: str) -> int:
        with self.Session() as s:
            record = s.scalars(
                select(ExerciseInject.record).where(
                    ExerciseInject.exercise_id == self.exercise_id, ExerciseInject.no == no
                )
            ).one()
        return int(record.split("/")[1])


def play(url: str) -> Play:
    """The whole exercise. Scenario minute m is wall second m until the pause at minute 21, which
    lasts 30 wall seconds; after it scenario minute m is wall second m + 30."""
    p = Play(url)
    with p.Session() as s:
        cells = cells_apart(s)
        unit = s.execute(text("SELECT id FROM rescue_units ORDER BY id LIMIT 1")).scalar_one()
    started = p.as_("city_drill", "exercise.start", scenario=scenario(cells), speed=SPEED)
    p.exercise_id = started["id"]

    def at(minute: float, tick: bool = True) -> None:
        p.wall(minute + (30 if minute > 21 else 0))
        if tick:
            p.tick()

    at(0)
    at(3)
    p.as_("city_commander", "exercise.ack", id=p.exercise_id, no="1")
    at(5)
    at(6)
    at(9)
    p.as_("city_operator", "case.act", id=p.record_id("2"), action="accept")
    at(10)
    at(12)
    at(15)
    at(18)
    at(20, tick=False)
    p.as_("city_commander", "incident.dispatch", incident_id=p.record_id("5"), unit=unit)
    at(21)  # inject 8 (due +00:20) goes out now, a minute late
    p.as_("city_drill", "exercise.pause", id=p.exercise_id)
    p.wall(35)  # paused: the exercise clock stands at +00:21
    p.as_("city_drill", "exercise.note", id=p.exercise_id, no="6", kind="met", text="briefed at +00:21")
    p.wall(51)
    p.as_("city_drill", "exercise.resume", id=p.exercise_id)
    at(22)
    p.as_("city_operator", "case.act", id=p.record_id("3"), action="send_verify")
    at(25)
    at(26)
    # A real report, accepted during the exercise: nothing to do with inject 10.
    real = p.as_("city_supervisor", "case.report", channel="supervisor", type="06010", **cell_xy(p))
    at(28)
    p.as_("city_operator", "case.act", id=real["id"], action="accept")
    p.as_("city_drill", "exercise.note", id=p.exercise_id, kind="strength", text=HOSTILE)
    p.as_(
        "city_drill", "exercise.note", id=p.exercise_id, no="5", kind="improvement", text="the unit left late"
    )
    p.as_("city_drill", "exercise.note", id=p.exercise_id, kind="observation", text="the room was calm")
    p.as_(
        "city_drill",
        "exercise.improvement",
        id=p.exercise_id,
        objective="Intake",
        issue="Hotline reports waited",
        action="A second intake seat",
        owner="Shift leader",
        due="2027-01-31",
    )
    at(40)
    p.as_("city_drill", "exercise.stop", id=p.exercise_id)
    at(45, tick=False)
    p.as_("city_operator", "case.act", id=p.record_id("9"), action="accept")  # after ENDEX
    return p


def cells_apart(session) -> list[str]:
    codes = session.scalars(select(GridCell.code).order_by(GridCell.code)).all()
    return [codes[0], codes[len(codes) // 3], codes[2 * len(codes) // 3]]


def cell_xy(p: Play) -> dict:
    with p.Session() as s:
        geom = s.scalars(select(GridCell.geometry).order_by(GridCell.code.desc()).limit(1)).one()
    c = geom.representative_point()
    return {"x": c.x, "y": c.y}


def seed_small_city(url: str) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "main.py"),
            "seed",
            "--scale",
            "small",
            "--seed",
            "1",
            "--db",
            url,
            "--json",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
