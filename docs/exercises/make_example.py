"""The example after-action report in this folder: the Songhua flood scenario played on the Harbin demo
city, the players acting through the command bus with their own logins, and its report written as HTML
and PDF.

    python docs/exercises/make_example.py [--db sqlite:///harbin.db] [--out docs/exercises] [--pdf]

Without ``--db`` a Harbin-scale demo city is seeded into a temporary folder (with ``--db`` the exercise
is played on that city: give it a copy). ``--pdf`` writes the PDF beside the HTML. The exercise runs on a fixed
clock at 60x (a wall second is a scenario minute), so the report is the same on every run but for the
database's own numbering. What the players do and when (scenario minutes) is the ``PLAY`` table below:
some in time, some late, one not at all, so the report has something to say.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from data.db import open_database, session_factory  # noqa: E402
from data.emergency_models import RescueUnit, UnitStatus  # noqa: E402
from data.exercise_models import ExerciseInject  # noqa: E402
from data.models import Staff  # noqa: E402
from modes.bus import city_bus  # noqa: E402
from modes.common.actor import Actor  # noqa: E402
from modes.common.clock import FixedClock  # noqa: E402
from modes.common.door import LocalDoor  # noqa: E402
from modes.exercises.exercises import load_scenario  # noqa: E402
from modes.exercises.report import build_report, render_html  # noqa: E402

START = dt.datetime(2026, 7, 21, 9, 0)
SPEED = 60.0  # a wall second is a scenario minute

# (scenario minute, login, what): what the players do. Inject numbers name the record to act on.
PLAY = (
    (4, "city_commander", ("ack", "1")),
    (13, "city_operator", ("case", "2", "send_verify")),  # accepted for verification in 5 min
    (27, "city_operator", ("case", "3", "send_verify")),  # 15 min: over the 10 allowed
    (31, "city_commander", ("dispatch", "4", "flood_rescue")),  # 11 min
    (41, "city_commander", ("ack", "6")),
    (52, "city_commander", ("dispatch", "5", "road_repair")),  # 20 min: over the 15 allowed
    (58, "city_operator", ("case", "8", "send_verify")),
    (64, "city_supervisor", ("case", "8", "verify")),
    (62, "city_drill", ("adhoc", "A1")),
    (65, "city_commander", ("area", "4")),  # the riverside moved out: 20 min of 30
    (70, "city_shift_leader", ("case", "8", "file")),  # 15 min of 20
    (74, "city_operator", ("ack", "9")),
    (80, "city_drill", ("judge", "A1", "met")),
    (88, "city_commander", ("level", "4", "II")),  # 8 min of 15
    (50, "city_drill", ("note", "strength", "2", "视频巡查发现积水后5分钟内受理 / The camera report was accepted within 5 minutes")),
    (56, "city_drill", ("note", "improvement", "5", "塌陷点调度等待了20分钟：指挥员在处理洪水调度 / The collapse waited 20 minutes for a unit while the commander worked on the flood")),
    (110, "city_operator", ("case", "11", "accept")),
    (115, "city_shift_leader", ("case", "11", "file")),
    (125, "city_dispatcher", ("case", "11", "dispatch")),  # 20 min of 30
    (140, "city_drill", ("note", "observation", None, "洪峰通过期间指挥中心保持了全市态势 / The centre kept the city picture through the crest")),
    (160, "city_commander", ("status", "4", "responding")),
    (163, "city_drill", ("improve", "Intake", "汛期12319热线与视频上报排队超过10分钟 / Flood reports queued over 10 minutes at the hotline and video desks",
                         "汛期增开一个受理席位并预设积水类型快捷键 / A second intake seat in the flood season, with a shortcut for flooding", "市数字城管中心值班长 Centre shift leader", "2027-01-31")),
)  # fmt: skip
STOP_AT = 165


def _person(Session, login: str) -> Actor:
    with Session() as s:
        return Actor.of_staff(s.scalars(select(Staff).where(Staff.login == login)).one())


def _nearest_unit(Session, incident_id: int, capability: str) -> str:
    from data.emergency_models import Incident

    with Session() as s:
        inc = s.get(Incident, incident_id)
        units = s.scalars(
            select(RescueUnit).where(
                RescueUnit.capability == capability, RescueUnit.status == UnitStatus.AVAILABLE.value
            )
        ).all()
        if not units:
            units = s.scalars(select(RescueUnit).where(RescueUnit.status == UnitStatus.AVAILABLE.value)).all()
        return min(units, key=lambda u: (u.x - inc.x) ** 2 + (u.y - inc.y) ** 2).id


def play(url: str) -> int:
    """Run the scenario with its players; the exercise's id."""
    engine = open_database(url)
    Session = session_factory(engine)
    clock = FixedClock(START)
    bus = city_bus()
    doors: dict[str, LocalDoor] = {}

    def door(login: str) -> LocalDoor:
        if login not in doors:
            doors[login] = LocalDoor(bus, Session, clock, _person(Session, login))
        return doors[login]

    ex = door("city_drill").execute("exercise.start", {"builtin": "songhua_flood", "speed": SPEED})["id"]

    def at(minute: float) -> None:
        clock.set(START + dt.timedelta(seconds=minute * 60.0 / SPEED))
        door("city_drill").execute("exercise.tick", {"id": ex})

    def record(no: str) -> str:
        with Session() as s:
            return s.scalars(
                select(ExerciseInject.record).where(ExerciseInject.exercise_id == ex, ExerciseInject.no == no)
            ).one()

    # The driver's ticks: each inject goes out at its time, before anyone acts in the same minute.
    due = [(i.time_s / 60.0, "", ("tick",)) for i in load_scenario("songhua_flood").injects]
    for minute, login, what in sorted([*due, *PLAY], key=lambda p: p[0]):
        at(minute)
        verb, *rest = what
        if verb == "tick":
            continue
        d = door(login)
        if verb == "ack":
            d.execute("exercise.ack", {"id": ex, "no": rest[0]})
        elif verb == "case":
            d.execute("case.act", {"id": int(record(rest[0]).split("/")[1]), "action": rest[1]})
        elif verb == "dispatch":
            incident = int(record(rest[0]).split("/")[1])
            unit = _nearest_unit(Session, incident, rest[1])
            d.execute("incident.dispatch", {"incident_id": incident, "unit": unit})
        elif verb == "area":
            d.execute("incident.area", {"id": int(record(rest[0]).split("/")[1]), "outer_radius_m": 1500})
        elif verb == "level":
            d.execute("incident.level", {"id": int(record(rest[0]).split("/")[1]), "level": rest[1]})
        elif verb == "status":
            d.execute("incident.status", {"id": int(record(rest[0]).split("/")[1]), "status": rest[1]})
        elif verb == "adhoc":
            d.execute(
                "exercise.inject",
                {
                    "id": ex,
                    "inject": {
                        "no": rest[0],
                        "kind": "message",
                        "from": "Harbin Daily",
                        "to": "city_commander",
                        "message": "记者询问沿江转移情况，请求发布口径 / The press asks about the riverside move: a statement, please",
                        "expected_action": "Issue a press statement (judged by the evaluator)",
                        "expected_within": 20,
                        "objective": "Information: level changes and reports on time",
                    },
                },
            )
            door("city_drill").execute("exercise.tick", {"id": ex})
        elif verb == "judge":
            d.execute(
                "exercise.note",
                {
                    "id": ex,
                    "no": rest[0],
                    "kind": rest[1],
                    "text": "新闻口径12分钟内发布 / Statement out in 12 minutes",
                },
            )
        elif verb == "note":
            kind, no, text = rest
            d.execute("exercise.note", {"id": ex, "no": no, "kind": kind, "text": text})
        elif verb == "improve":
            objective, issue, action, owner, due = rest
            d.execute(
                "exercise.improvement",
                {
                    "id": ex,
                    "objective": objective,
                    "issue": issue,
                    "action": action,
                    "owner": owner,
                    "due": due,
                },
            )
    at(STOP_AT)
    door("city_drill").execute("exercise.stop", {"id": ex})
    engine.dispose()
    return ex


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="a Harbin-scale demo city (default: one seeded into a temporary folder)")
    ap.add_argument("--out", default=str(Path(__file__).parent))
    ap.add_argument("--pdf", action="store_true", help="also write the PDF (Qt, offscreen)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if not url:
            url = f"sqlite:///{tmp}/harbin.db"
            subprocess.run(
                [sys.executable, str(REPO / "main.py"), "seed", "--db", url, "--json"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        ex = play(url)
        engine = open_database(url)
        with session_factory(engine)() as s:
            report = build_report(s, ex, FixedClock(START + dt.timedelta(seconds=STOP_AT * 60.0 / SPEED)))
        engine.dispose()
    out = Path(args.out)
    (out / "aar-songhua-flood.html").write_text(render_html(report), encoding="utf-8")
    print(f"wrote {out / 'aar-songhua-flood.html'} (exercise {ex})")
    if args.pdf:
        from console.exercise_report import report_pdf

        (out / "aar-songhua-flood.pdf").write_bytes(report_pdf(report))
        print(f"wrote {out / 'aar-songhua-flood.pdf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
