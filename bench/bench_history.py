"""Generated history: a year of past cases (~730,000) on a Harbin-scale city, written into SQLite.

    python bench/bench_history.py [--days 365] [--base FILE.db] [--db URL] [--compare-with DIR]

Without ``--db`` it copies ``--base`` (a seeded Harbin-scale SQLite city; seeded there first when the
file does not exist, and kept for the next run) to a temporary file and times
``generate_history(days=N)`` plus the commit. Target: a year in under 5 minutes. Baseline in the same
run: the case desk writing a sample of the same kind of cases one action at a time (report, accept,
file, dispatch, start, feedback, send_check, check_pass, close: nine calls per case), scaled per case.
The machine is shared, so a calibration loop is timed first and printed beside the figures.

``--compare-with DIR`` also times the generator of the code in DIR (a checkout of another revision,
e.g. ``git worktree add ../before main``) on a copy of the same city, alternating with this code
``--rounds`` times, each run in a process of its own, and prints both and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from data.db import open_database, session_factory  # noqa: E402
from data.models import Case, CaseHistory, GridCell  # noqa: E402
from modes.common.clock import FixedClock  # noqa: E402
from modes.everyday.cases import Actor, CaseDesk  # noqa: E402
from modes.everyday.history import generate_history  # noqa: E402

END = dt.date(2026, 2, 28)


def calibrate() -> float:
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t


def seeded_base(path: Path) -> None:
    if path.exists():
        return
    from data.demo_city import seed_city

    print(f"seeding a Harbin-scale city into {path} (kept for later runs) ...", flush=True)
    engine = open_database(f"sqlite:///{path}")
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="harbin", seed=1, at=dt.datetime(2025, 1, 1))
    engine.dispose()


def desk_baseline(Session, n: int) -> float:
    """Seconds per case when the case desk writes a plain closed case, one action per call."""
    rnd = random.Random(1)
    with Session() as s:
        cells = s.execute(select(GridCell.geometry).limit(2000)).scalars().all()
    who = {r: Actor.of(r) for r in ("supervisor", "operator", "shift_leader", "dispatcher", "department")}
    steps = [
        ("accept", "operator"), ("file", "shift_leader"), ("dispatch", "dispatcher"), ("start", "department"),
        ("feedback", "department"), ("send_check", "operator"), ("check_pass", "supervisor"), ("close", "shift_leader"),
    ]  # fmt: skip
    clock = FixedClock(dt.datetime.combine(END + dt.timedelta(days=1), dt.time(9)))
    with Session() as s, s.begin():
        desk = CaseDesk(s, clock)
        t = time.perf_counter()
        for _ in range(n):
            p = rnd.choice(cells).representative_point()
            doc, _ = desk.report(who["supervisor"], x=p.x, y=p.y, channel="supervisor", type_code="07001")
            if doc["state"] == "merged":
                continue
            for action, role in steps:
                clock.advance(minutes=5)
                desk.act(doc["id"], action, who[role])
        elapsed = time.perf_counter() - t
        s.rollback()
    return elapsed / n


# Run in a process of its own with another checkout first on the path: times that code's generator.
_GENERATE = """
import datetime as dt, json, sys, time
from data.db import open_database, session_factory
from modes.everyday.history import generate_history
url, days, seed, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), dt.date.fromisoformat(sys.argv[4])
Session = session_factory(open_database(url))
t0, c0 = time.perf_counter(), time.process_time()
with Session() as s, s.begin():
    summary = generate_history(s, days=days, seed=seed, end=end)
print(json.dumps({"elapsed": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "cases": summary["cases"]}))
"""


def time_generation(code: Path, base: Path, days: int, seed: int) -> dict:
    """``generate_history`` of the code in ``code`` on a fresh copy of ``base``, in a process of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "history.db"
        shutil.copyfile(base, target)
        env = dict(os.environ, PYTHONPATH=str(code))
        args = [sys.executable, "-c", _GENERATE, f"sqlite:///{target}", str(days), str(seed), END.isoformat()]
        out = subprocess.run(args, cwd=code, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(other: Path, base: Path, days: int, seed: int, rounds: int) -> None:
    print(f"comparing with the code in {other}: {rounds} alternating round(s), {days} days each")
    runs: dict[str, list[dict]] = {"other": [], "this": []}
    for r in range(rounds):
        for name, code in (("other", other), ("this", REPO)):
            run = time_generation(code, base, days, seed)
            runs[name].append(run)
            print(f"  round {r + 1}, {name + ' code':<10} {run['elapsed']:7.1f} s, CPU {run['cpu']:6.1f} s, "
                  f"{run['cases']:,} cases", flush=True)  # fmt: skip
    best = {name: min(x["elapsed"] for x in xs) for name, xs in runs.items()}
    cpu = {name: min(x["cpu"] for x in xs) for name, xs in runs.items()}
    print(f"figure:   this code   best {best['this']:7.1f} s (CPU {cpu['this']:.1f} s)")
    print(f"baseline: other code  best {best['other']:7.1f} s (CPU {cpu['other']:.1f} s)")
    print(f"ratio this/other: {best['this'] / best['other']:.2f} (CPU {cpu['this'] / cpu['other']:.2f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--base", default=str(Path(tempfile.gettempdir()) / "sanwei_bench_harbin.db"))
    ap.add_argument("--db", help="generate into this database instead (it must hold a city and no history)")
    ap.add_argument("--baseline-cases", type=int, default=200)
    ap.add_argument("--compare-with", type=Path, help="a checkout of other code to time alternately")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds with --compare-with")
    args = ap.parse_args()

    print(
        f"calibration: a 10M-iteration Python loop took {calibrate():.2f} s (about 1.0 s when this machine is quiet; compare runs by it)"
    )
    if args.compare_with:
        base = Path(args.base)
        seeded_base(base)
        compare(args.compare_with.resolve(), base, args.days, args.seed, args.rounds)
        return 0
    tmp = tempfile.TemporaryDirectory()
    if args.db:
        url = args.db
    else:
        base = Path(args.base)
        seeded_base(base)
        target = Path(tmp.name) / "history.db"
        shutil.copyfile(base, target)
        url = f"sqlite:///{target}"
    engine = open_database(url)
    Session = session_factory(engine)

    def progress(stage: str, fraction: float) -> None:
        sys.stderr.write(f"\r{stage:<30} {fraction * 100:5.1f}%")
        sys.stderr.flush()

    t0, c0 = time.perf_counter(), time.process_time()
    with Session() as s, s.begin():
        summary = generate_history(s, days=args.days, seed=args.seed, end=END, progress=progress)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    sys.stderr.write("\n")
    with Session() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
        history = s.scalar(select(func.count()).select_from(CaseHistory))
    per_case = desk_baseline(Session, args.baseline_cases)
    engine.dispose()

    n = summary["cases"]
    print(f"history: {args.days} days, {n:,} cases ({cases:,} in the table), {history:,} history rows, "
          f"{summary['journal_events']:,} journal events")  # fmt: skip
    print(f"figure:   generate_history + commit  {elapsed:8.1f} s   ({n / elapsed:,.0f} cases/s; "
          f"CPU time {cpu:.1f} s: the rest was waiting for a core or the disk)")  # fmt: skip
    print(f"baseline: case desk, 9 calls a case  {per_case * n:8.1f} s   (extrapolated from "
          f"{args.baseline_cases} cases at {per_case * 1000:.1f} ms each)")  # fmt: skip
    print(f"ratio {per_case * n / elapsed:.1f}x; target: a year (~730,000 cases) in under 300 s")
    print(f"states: {summary['states']}")
    print(f"special paths: {summary['special_paths']}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
