"""``audit verify`` over a million journal events: the hash chain and every case row against its events.

    python bench/bench_audit.py [--shape generated|live] [--events 1000000] [--data-dir DIR]
                                [--rebuild] [--db URL] [--repeat 3] [--baseline-events 100000]

The database is built once and kept as ``audit_<shape>_<N>.db`` in ``--data-dir`` (default:
``sanwei-bench`` in the system's temporary directory), on the small demo city, in one of two shapes:

  generated  a year of generated history sized so the journal holds about N events: one
             ``case.history`` event per case, so N events are N case rows to compare (the heaviest
             case for the audit; 5 to 30 minutes to build on the busy 2-core machine), then cases taken
             round the loop at random through the case desk (tests/modes/case_walks.py) until the
             journal holds N, so every kind of live event is replayed too;
  live       only cases taken round the loop through the case desk, one event per step, as a centre's
             journal grows (about six events a case; building takes the desk's time: 24 minutes for a
             million events on the busy 2-core machine).

``--db URL`` builds into (or reuses) another database instead, e.g. a PostgreSQL one.

  figure:   ``run_audit`` with the case checker, as ``python main.py audit verify`` runs it: the chain
            and every case, one session; best and median of ``--repeat`` runs, with the CPU time; and
            the command itself once, as a process (start-up and imports included);
  baseline: the naive per-event ORM loop: each event loaded as a ``JournalEvent`` object and hashed
            with ``journal.chain_hash`` (the journal's verify before the audit), and for each case event
            its case loaded through ``Session.get`` and its state compared; timed over the first
            ``--baseline-events`` events and extrapolated to the whole journal.

Both come from the same run on the same file; the ratio is printed, with a calibration loop and the
load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_history import calibrate  # noqa: E402
from data import journal  # noqa: E402
from data.db import make_engine, session_factory, upgrade_schema  # noqa: E402
from data.models import Case, GridCell, JournalEvent  # noqa: E402
from modes.common.audit import run_audit  # noqa: E402
from modes.common.clock import FixedClock  # noqa: E402
from modes.everyday.case_audit import CaseChecker  # noqa: E402
from modes.everyday.cases import CaseDesk  # noqa: E402
from tests.modes.case_walks import report_and_walk  # noqa: E402

END = dt.date(2026, 2, 28)
DAYS = 365
LIVE_EVENTS = 9_000  # left for walks after the generated history


def build(url: str, events: int, shape: str) -> None:
    """Seed, generate, walk: each stage only when the database lacks it (an interrupted build resumes)."""
    from data.city import has_city
    from data.demo_city import seed_city
    from modes.everyday.history import generate_history

    engine = make_engine(url)
    upgrade_schema(engine)
    Session = session_factory(engine)

    def count(kind: str) -> int:
        with Session() as s:
            return s.scalar(select(func.count()).select_from(JournalEvent).where(JournalEvent.kind == kind))

    def progress(stage: str, fraction: float) -> None:
        sys.stderr.write(f"\r{stage:<30} {fraction * 100:5.1f}%")
        sys.stderr.flush()

    t = time.perf_counter()
    with Session() as s, s.begin():
        if not has_city(s):
            seed_city(s, scale="small", seed=1, at=dt.datetime(2025, 1, 1))
    if shape == "generated" and not count("case.history"):
        with Session() as s, s.begin():
            per_day = (events - journal.last_seq(s) - LIVE_EVENTS) / DAYS
            generate_history(s, days=DAYS, seed=1, end=END, per_day=per_day, progress=progress)
        sys.stderr.write("\n")
    rng = random.Random(1)
    with Session() as s:
        cells = s.execute(select(GridCell.geometry).order_by(GridCell.code)).scalars().all()
        points = [
            (p.x, p.y) for p in (c.representative_point() for c in rng.sample(cells, min(300, len(cells))))
        ]
        start = s.scalar(select(func.max(Case.updated_at))) or dt.datetime.combine(END, dt.time(8))
    clock = FixedClock(start + dt.timedelta(days=1))
    walked = 0
    while True:  # batches of walks, each committed: an interrupted build keeps what it made
        with Session() as s:
            have = journal.last_seq(s)
        if have >= events:
            break
        with Session() as s, s.begin():
            report_and_walk(CaseDesk(s, clock), clock, rng, points, 500)
        walked += 500
        sys.stderr.write(f"\rcases round the loop: {walked:,}, journal {have:,} of {events:,} events")
    with Session() as s:
        n = journal.last_seq(s)
    print(f"{url}: {n:,} journal events (built or checked in {time.perf_counter() - t:.0f} s)", flush=True)
    engine.dispose()


def audited(Session) -> tuple[float, float, object, CaseChecker]:
    t, c = time.perf_counter(), time.process_time()
    checker = CaseChecker()
    with Session() as s:
        report = run_audit(s, [checker])
    return time.perf_counter() - t, time.process_time() - c, report, checker


def command(url: str, events: int) -> float:
    """``python main.py audit verify --json`` on the database, as a process: seconds."""
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "audit", "verify", "--db", url, "--json"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["ok"] and doc["events"] == events, doc
    return seconds


def naive(Session, limit: int) -> tuple[float, int]:
    """The per-event ORM loop over the first ``limit`` events: seconds, events read."""
    t = time.perf_counter()
    n = 0
    with Session() as s:
        prev, expected = journal.GENESIS_HASH, 1
        for ev in journal.iter_events(s):
            assert ev.seq == expected and ev.prev_hash == prev, f"the journal breaks at {ev.seq}"
            assert journal.chain_hash(prev, ev.seq, ev) == ev.hash, f"event {ev.seq} does not hash"
            if ev.kind.startswith("case.") and ev.kind != "case.escalated":
                case = s.get(Case, int(ev.subject.split("/", 1)[1]))
                final = ev.payload.get("case", ev.payload)
                assert case is not None and (ev.kind != "case.history" or case.state == final["state"])
            prev, expected, n = ev.hash, expected + 1, n + 1
            if n >= limit:
                break
    return time.perf_counter() - t, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shape", choices=["generated", "live"], default="generated")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "sanwei-bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--db", help="build into (or reuse) this database instead of the kept SQLite file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-events", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.db:
        url = args.db
    else:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        path = args.data_dir / f"audit_{args.shape}_{args.events}.db"
        if args.rebuild:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    build(url, args.events, args.shape)

    print(
        f"calibration: a 10M-iteration Python loop took {calibrate():.2f} s (compare runs by it: the machine is shared)"
    )
    engine = make_engine(url)
    Session = session_factory(engine)
    with Session() as s:
        n = journal.last_seq(s)
        cases = s.scalar(select(func.count()).select_from(Case))
        generated = s.scalar(
            select(func.count()).select_from(JournalEvent).where(JournalEvent.kind == "case.history")
        )
    runs = [audited(Session) for _ in range(args.repeat)]
    report, checker = runs[-1][2], runs[-1][3]
    assert report.ok, f"the bench database does not verify: {report.as_dict()}"
    assert report.events == n and report.checked["case"] == cases
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the baseline's objects
    walls = [w for w, _, _, _ in runs]
    best = min(walls)
    cpu = min(c for _, c, _, _ in runs)
    command_s = command(url, n)
    base_s, base_n = naive(Session, args.baseline_events)
    extrapolated = base_s * n / base_n
    engine.dispose()

    load = os.getloadavg()
    print(f"\naudit verify on {engine.dialect.name}: {n:,} journal events ({generated:,} generated-history "
          f"events, {n - generated:,} others), {cases:,} case rows; load {load[0]:.1f}/{load[1]:.1f} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"  figure:   run_audit (chain + every case)   best {best:6.1f} s, median {statistics.median(walls):6.1f} s "
          f"over {args.repeat} runs; CPU {cpu:.1f} s; {n / best:,.0f} events/s   (target < 20 s)")  # fmt: skip
    print(f"  command:  python main.py audit verify     {command_s:6.1f} s   (one process: start-up and imports too)")  # fmt: skip
    print(f"  baseline: per-event ORM loop              {extrapolated:6.1f} s   (extrapolated from {base_n:,} events "
          f"in {base_s:.1f} s)")  # fmt: skip
    print(f"  ratio {extrapolated / best:.1f}x; peak resident memory of this process {peak_mb:.0f} MB; "
          f"{checker.recompared:,} cases compared column by column")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
