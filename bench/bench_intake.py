"""The intake form's routing preview per point/type change, and the dashboard's figures.

    python bench/bench_intake.py --db sqlite:///harbin.db [--points 2000]

Preview: ``IntakeContext.preview`` (grid index, assignment table and names in memory) against the
baseline of routing each change through the database as the command line does (a session, the
router's event-type lookup, and the names of the community, street, district and department read
back), on the same random points and types. Dashboard: ``DashboardServices.figures`` (trends and KPIs
counted in SQL) against loading the period's cases into Python and counting there. The database should
hold a seeded city with history (``python main.py seed --history-days 30``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from console.dto import Login  # noqa: E402
from console.everyday.dashboard_services import DashboardServices  # noqa: E402
from console.everyday.intake_services import IntakeServices  # noqa: E402
from data.db import open_database, session_factory  # noqa: E402
from data.models import Case, Community, Department, District, Street  # noqa: E402
from modes.common.clock import FixedClock  # noqa: E402
from modes.everyday.routing import Router  # noqa: E402


def _ms(values: list[float]) -> str:
    v = sorted(values)
    return f"median {statistics.median(v) * 1000:.3f} ms, p99 {v[int(len(v) * 0.99) - 1] * 1000:.3f} ms"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=4)
    args = ap.parse_args()
    engine = open_database(args.db)
    Session = session_factory(engine)
    with Session() as s:
        last = s.scalar(select(func.max(Case.reported_at)))
    now = (last or dt.datetime(2026, 1, 1)) + dt.timedelta(hours=1)
    clock = FixedClock(now)
    services = IntakeServices(Session, clock, Login("bench", "operator"))
    t0 = time.perf_counter()
    ctx = services.load_context()
    print(f"context load (once per form): {time.perf_counter() - t0:.2f} s")

    rng = np.random.default_rng(1)
    grid = ctx.router.grid
    cells = rng.integers(0, len(grid), args.points)
    points = [grid.polygons[i].representative_point() for i in cells]
    keys = sorted(ctx.router.assignments)
    types = [keys[i][1] for i in rng.integers(0, len(keys), args.points)]

    fast = []
    for p, t in zip(points, types, strict=True):
        a = time.perf_counter()
        ctx.preview(p.x, p.y, t)
        fast.append(time.perf_counter() - a)

    router = Router.load(Session())
    slow = []
    for p, t in zip(points, types, strict=True):
        a = time.perf_counter()
        with Session() as s:
            r = router.route_event(s, p.x, p.y, t)
            loc = r.location
            for model, code in (
                (Community, loc.community),
                (Street, loc.street),
                (District, loc.district),
                (Department, r.department),
            ):
                s.scalar(select(model.name).where(model.code == code))
        slow.append(time.perf_counter() - a)
    print(f"preview in memory:            {_ms(fast)}")
    print(
        f"baseline, database per change: {_ms(slow)}  ({statistics.median(slow) / statistics.median(fast):.0f}x)"
    )

    dash = DashboardServices(Session, clock)
    figures_s = []
    for _ in range(args.repeat):
        a = time.perf_counter()
        f = dash.figures()
        figures_s.append(time.perf_counter() - a)
    reported = sum(map(sum, f.intake.values()))
    base_s = []
    for _ in range(args.repeat):
        a = time.perf_counter()
        with Session() as s:
            rows = s.execute(
                select(Case.reported_at, Case.channel, Case.state, Case.closed_at, Case.voided_at).where(
                    Case.reported_at >= dt.datetime.combine(f.first, dt.time())
                )
            ).all()
        ends = [dt.datetime.combine(d + dt.timedelta(days=1), dt.time()) for d in f.days]
        for e in ends:
            sum(1 for r in rows if r.reported_at <= e and (r.closed_at is None or r.closed_at > e))
        base_s.append(time.perf_counter() - a)
    print(
        f"dashboard figures (SQL, {reported:,} reports in {len(f.days)} days): first (whole period) "
        f"{figures_s[0]:.3f} s, refresh (past days kept) median {statistics.median(figures_s[1:]):.3f} s"
    )
    print(
        f"baseline, the period's cases loaded and the open counts alone done in Python: "
        f"median {statistics.median(base_s):.3f} s"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
