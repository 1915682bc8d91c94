"""Injects on time at 120x (issue #13's target: "a busy day" delivers every inject within 1 s of its
exercise-clock time).

The built-in busy day (2,003 injects) runs at ``--speed`` (120) from ``--from`` (08:00, the morning peak)
for ``--minutes`` of wall time (2: four scenario hours, about 500 reports and a sudden event) on a
Harbin-scale demo city, driven as ``exercise drive`` drives it: ``nodes.exercise_driver.ExerciseDriver``
ticking through the command bus when the next inject falls due. For each delivered inject, its lateness
is the wall time it went out minus the wall time the exercise clock reached its time.

Baseline in the same run, on a fresh copy of the city: the obvious driver, a tick every second whatever
is due (what a cron-like poller does).

    python bench/bench_exercise_clock.py [--db URL] [--speed 120] [--minutes 2] [--from 08:00]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from _city import seeded_demo_url  # noqa: E402
from _links import percentiles  # noqa: E402


def run_exercise(
    url: str, speed: float, start: str, minutes: float, *, fixed_interval: float | None
) -> list[tuple[float, str]]:
    from sqlalchemy import select

    from data.db import make_engine, session_factory
    from data.exercise_models import Exercise, ExerciseInject
    from data.models import Staff
    from modes.bus import city_bus
    from modes.common import exercise_clock as xclock
    from modes.common.actor import Actor
    from modes.common.clock import SystemClock
    from modes.common.command_bus import call_local
    from modes.common.door import LocalDoor
    from nodes.exercise_driver import ExerciseDriver

    engine = make_engine(url)
    Session = session_factory(engine)
    clock = SystemClock()
    with Session() as s:
        drill = Actor.of_staff(s.scalar(select(Staff).where(Staff.login == "city_drill")))
    started = LocalDoor(city_bus(), Session, clock, drill).execute(
        "exercise.start", {"builtin": "busy_day", "speed": speed, "from": start}
    )
    ex_id = started["id"]

    services: dict = {}

    def tick() -> dict:
        return call_local(city_bus(), Session, clock, "exercise.tick", {"id": ex_id}, services=services)

    driver = ExerciseDriver(tick)
    deadline = time.monotonic() + minutes * 60
    while time.monotonic() < deadline:
        wait = driver.step()
        time.sleep(
            fixed_interval if fixed_interval is not None else min(wait, max(0.0, deadline - time.monotonic()))
        )
    with Session() as s:
        ex = s.get(Exercise, ex_id)
        late = []
        for inj in s.scalars(
            select(ExerciseInject).where(
                ExerciseInject.exercise_id == ex_id, ExerciseInject.delivered_at.is_not(None)
            )
        ):
            due = ex.segments[0]
            due_wall = dt.datetime.fromisoformat(due[0]) + dt.timedelta(
                seconds=(inj.time_s - due[2]) / due[3]
            )
            late.append(((inj.delivered_at - due_wall).total_seconds(), f"{inj.no} {inj.kind}"))
        assert xclock.scenario_at(ex.segments, ex.wall_anchor) is not None
    engine.dispose()
    return late


def report(name: str, found: list[tuple[float, str]]) -> float:
    late = [x for x, _ in found]
    p50, p99, worst = percentiles(late)
    within = sum(1 for x in late if x <= 1.0) / len(late)
    print(
        f"{name:<34} {len(late):>5} injects   lateness p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   "
        f"max {worst * 1000:7.1f} ms   within 1 s {within:6.1%}"
    )
    slowest = sorted(found, reverse=True)[:3]
    print(" " * 36 + "latest: " + ", ".join(f"inject {what} {x * 1000:.0f} ms" for x, what in slowest))
    return p99


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="a Harbin-scale demo city (copied; default: seeded into a temporary folder)")
    ap.add_argument("--speed", type=float, default=120.0)
    ap.add_argument("--minutes", type=float, default=2.0, help="wall minutes of each run")
    ap.add_argument("--from", dest="start", default="08:00")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        url = args.db or seeded_demo_url(folder)
        shutil.copyfile(url.removeprefix("sqlite:///"), template)
        results = {}
        for name, interval in (
            ("driver (next inject's due time)", None),
            ("baseline: a tick every second", 1.0),
        ):
            copy = Path(folder) / f"run-{len(results)}.db"
            shutil.copyfile(template, copy)
            print(
                f"running {name} for {args.minutes:g} min at x{args.speed:g} from {args.start} ...",
                flush=True,
            )
            results[name] = run_exercise(
                f"sqlite:///{copy}", args.speed, args.start, args.minutes, fixed_interval=interval
            )
        print()
        ours = report("driver (next inject's due time)", results["driver (next inject's due time)"])
        base = report("baseline: a tick every second", results["baseline: a tick every second"])
        print(f"p99 lateness: {base / ours:.1f}x lower than the baseline; target: every inject within 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
