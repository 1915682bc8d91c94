""" "A busy day": a MSEL of about 2,000 reports over 24 scenario hours, at the channel mix and the hourly
curve of the demo history (``modes.everyday.history``), with the few sudden events a Harbin day brings,
for load drills, for the operators' intake practice and for the first-run demo.

``python main.py exercise generate busy-day --out FILE.csv`` writes one for any city (points in its own
grid, its own event types); the built-in ``busy_day`` scenario is this generator's output for the demo
city, seed 7.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.city import city_crs
from data.geometry import WGS84, transformer
from data.models import EventType, GridCell
from modes.everyday.history import CHANNEL_P, CHANNELS, EVENT_MIX, time_of_day
from modes.exercises.msel import format_scenario_time

OBJECTIVE_INTAKE = "Intake: every report taken up within 10 minutes (受理)"
# The operator's first step: a supervisor's own on-site report is accepted at once, everyone else's is
# sent to a supervisor to verify (modes.everyday.workflow).
FIRST_STEP = {"supervisor": "case.accept"}
OBJECTIVE_FILE = "Filing: urgent reports filed within 30 minutes (立案)"
OBJECTIVE_RESPONSE = "Response: units dispatched to each sudden event within 15 minutes"
# The sudden events of the day: (scenario time, incident type, level, radius m, text).
SUDDEN = (
    (
        "08:40",
        "0402",
        "IV",
        50,
        "自来水管破裂，路面大量冒水 / A water main burst; water pouring across the road",
    ),
    (
        "13:15",
        "0401",
        "IV",
        30,
        "人行道塌陷，一名行人受轻伤 / A pavement collapsed; one pedestrian slightly hurt",
    ),
    ("19:50", "0403", "III", 120, "施工挖断燃气管道，气味明显 / Works cut a gas main; a strong smell of gas"),
)
CHANNEL_ZH = {"supervisor": "监督员上报", "camera": "视频发现", "hotline": "12319热线", "internet": "网络",
              "patrol": "巡查车", "media": "媒体"}  # fmt: skip
COLUMNS = (
    "No", "Time", "Kind", "From", "To", "Message", "Expected Action", "Expected Within", "Objective",
    "Type", "Channel", "Level", "Radius", "Lon", "Lat",
)  # fmt: skip


def generate(
    session: Session, *, reports: int = 2000, seed: int = 7, day: dt.date | None = None
) -> list[dict[str, Any]]:
    """The MSEL rows, in time order: ``reports`` report injects plus the day's sudden events."""
    rng = np.random.default_rng(seed)
    names: dict[str, str] = {}
    for code, legacy, name in session.execute(select(EventType.code, EventType.legacy_code, EventType.name)):
        names[code] = name
        if legacy:
            names[legacy] = name
    known = set(names)
    mix = [(code, w) for code, w in EVENT_MIX if code in known]
    if not mix:
        raise ValueError("the city has none of the demo history's event types")
    codes = [c for c, _ in mix]
    weights = np.array([w for _, w in mix], dtype=float)
    channel_idx = rng.choice(len(CHANNELS), size=reports, p=CHANNEL_P)
    tod = time_of_day(rng, channel_idx)  # supervisors and patrol cars by day, the public around the clock
    order = np.argsort(tod, kind="stable")
    tod, channel_idx = tod[order], channel_idx[order]
    cells = session.execute(select(GridCell.code, GridCell.geometry, GridCell.pop_day)).all()
    pop = np.array([max(1, c[2] or 0) for c in cells], dtype=float)
    picks = rng.choice(len(cells), size=reports, p=pop / pop.sum())
    points = shapely.point_on_surface(np.array([cells[k][1] for k in picks], dtype=object))
    lon, lat = transformer(city_crs(session), WGS84).transform(shapely.get_x(points), shapely.get_y(points))
    types = rng.choice(len(codes), size=reports, p=weights / weights.sum())
    rows: list[dict[str, Any]] = []
    for k in range(reports):
        channel = CHANNELS[int(channel_idx[k])]
        rows.append(
            {
                "Time": format_scenario_time(float(tod[k]))[1:],
                "Kind": "report",
                "From": {"supervisor": "Supervisor", "camera": "Video patrol", "hotline": "12319 caller",
                         "internet": "Internet", "patrol": "Patrol vehicle", "media": "Media"}[channel],
                "To": "city_operator",
                "Message": f"{names[codes[int(types[k])]]} ({CHANNEL_ZH[channel]})",
                "Expected Action": FIRST_STEP.get(channel, "case.send_verify"),
                "Expected Within": 10,
                "Objective": OBJECTIVE_INTAKE,
                "Type": codes[int(types[k])],
                "Channel": channel,
                "Lon": round(float(lon[k]), 6),
                "Lat": round(float(lat[k]), 6),
                "_s": float(tod[k]),
            }
        )  # fmt: skip
    for when, itype, level, radius, text in SUDDEN:
        h, m = (int(x) for x in when.split(":"))
        k = int(rng.integers(len(cells)))
        p = cells[k][1].representative_point()
        (x,), (y,) = transformer(city_crs(session), WGS84).transform([p.x], [p.y])
        rows.append(
            {
                "Time": when, "Kind": "incident", "From": "Supervisor patrol", "To": "city_commander",
                "Message": text, "Expected Action": "incident.dispatched", "Expected Within": 15,
                "Objective": OBJECTIVE_RESPONSE, "Type": itype, "Level": level, "Radius": radius,
                "Lon": round(float(x), 6), "Lat": round(float(y), 6), "_s": float(h * 3600 + m * 60),
            }
        )  # fmt: skip
    rows.sort(key=lambda r: r["_s"])
    for n, r in enumerate(rows, start=1):
        r["No"] = n
        del r["_s"]
    return rows


def write_csv(rows: list[dict[str, Any]], out) -> None:
    import csv

    w = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="raise")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in COLUMNS})
