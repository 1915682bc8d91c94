"""Many synthetic cases, fast: plain multi-row inserts of the queue's columns on a seeded city.

The case queue's tests (50,000 cases) and its benchmark (1,000,000) need volume, not a realistic
history: ``modes.everyday.history`` walks every case through the loop (minutes for a million). Rows
here are consistent enough for the queue: real cells, districts, streets, departments and event
types; every state of the loop; the due time of each state's stage; some deadlines in the past.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select

from data.models import Department, EventType, GridCell
from modes.everyday.workflow import State

CHUNK = 50_000
COLUMNS = (
    "kind", "type_code", "channel", "state", "urgent", "x", "y", "cell_code", "community_code", "street_code",
    "district_code", "department_code", "description", "reporter", "reported_at", "accept_due", "verify_due",
    "file_due", "dispatch_due", "deadline", "send_check_due", "check_due", "close_due", "closed_at",
    "suspended_minutes", "rework_count", "return_count", "extension_count", "suspension_count",
)  # fmt: skip
CHANNELS = ["supervisor", "camera", "hotline", "internet", "patrol", "media"]
STATES = [s.value for s in State]
# Most cases on record are finished; the open ones are spread over the loop's states.
FINISHED_SHARE = {"closed": 0.55, "evaluated": 0.2, "voided": 0.04, "merged": 0.03}


def _times(values: np.ndarray, mask: np.ndarray) -> list:
    """Datetimes as the text SQLAlchemy stores on SQLite, None where ``mask`` is off."""
    text = np.char.replace(np.datetime_as_string(values.astype("datetime64[us]"), unit="us"), "T", " ")
    return np.where(mask, text, None).tolist()


def fill_cases(engine, n: int, *, now: dt.datetime, seed: int = 1, days: int = 365) -> None:
    """Append ``n`` cases reported over the ``days`` before ``now`` (SQLite; the city must be seeded)."""
    if engine.dialect.name != "sqlite":
        raise ValueError(f"fill_cases writes SQLite only, not {engine.dialect.name}")
    with engine.connect() as conn:
        cells = conn.execute(select(GridCell.code)).scalars().all()
        departments = conn.execute(select(Department.code)).scalars().all()
        types = conn.execute(select(EventType.code)).scalars().all()
    if not cells or not departments or not types:
        raise ValueError("fill_cases needs a seeded city (cells, departments and event types)")
    rng = np.random.default_rng(seed)
    open_states = [s for s in STATES if s not in FINISHED_SHARE]
    open_share = 1 - sum(FINISHED_SHARE.values())
    p = [FINISHED_SHARE[s] if s in FINISHED_SHARE else open_share / len(open_states) for s in STATES]
    end = np.datetime64(now, "s")
    marks = ", ".join("?" * len(COLUMNS))
    sql = f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({marks})"
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        # Report times ascend with the id, as a live centre writes them.
        idx = np.arange(start, start + m, dtype=np.int64)
        span = days * 86400
        reported = end - np.timedelta64(span, "s") + (idx * span // max(n, 1)).astype("timedelta64[s]")
        state = rng.choice(STATES, m, p=p)
        st = {s: state == s for s in STATES}
        limit = rng.choice([4 * 3600, 2 * 86400, 4 * 86400], m).astype("timedelta64[s]")
        deadline = reported + limit
        stage = rng.integers(1800, 4 * 3600, m).astype("timedelta64[s]")
        closed = st["closed"] | st["evaluated"]
        cell = rng.integers(0, len(cells), m)
        dept = rng.integers(0, len(departments), m)
        has_dept = ~(st["reported"] | st["verifying"] | st["merged"]) & (rng.random(m) < 0.95)
        columns = [
            ["event"] * m,
            [types[i] for i in rng.integers(0, len(types), m)],
            rng.choice(CHANNELS, m, p=[0.64, 0.1, 0.12, 0.07, 0.04, 0.03]).tolist(),
            state.tolist(),
            (rng.random(m) < 0.02).tolist(),
            rng.uniform(0, 1000, m).tolist(),
            rng.uniform(0, 1000, m).tolist(),
            [cells[i] for i in cell],
            [cells[i][:12] for i in cell],
            [cells[i][:9] for i in cell],
            [cells[i][:6] for i in cell],
            np.where(has_dept, np.array(departments, dtype=object)[dept], None).tolist(),
            [f"synthetic case {start + i + 1}" for i in range(m)],
            rng.choice(["sup001", "op01", "hotline", "web"], m).tolist(),
            _times(reported, np.ones(m, bool)),
            _times(reported + stage, st["reported"] | st["not_found"]),
            _times(reported + stage, st["verifying"]),
            _times(reported + 2 * stage, st["accepted"] | st["self_fix_review"]),
            _times(reported + 3 * stage, st["filed"] | st["rework_pending"]),
            _times(deadline, ~st["merged"]),
            _times(deadline + stage // 2, st["feedback"]),
            _times(deadline + stage, st["checking"]),
            _times(deadline + 2 * stage, st["checked"]),
            _times(deadline - stage, closed),
            [0.0] * m,
            [0] * m,
            [0] * m,
            [0] * m,
            st["suspended"].astype(int).tolist(),
        ]
        rows = list(zip(*columns, strict=True))
        with engine.begin() as conn:
            conn.exec_driver_sql(sql, rows)
