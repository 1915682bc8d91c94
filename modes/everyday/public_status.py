"""The figures of the public status page (served by the Open311 gateway at ``/``): read-only, real cases
only (exercise cases never), nothing about any person.

One call, one plain document (it travels over a link as it is, and the page is rendered from it by
``modes.everyday.public_page``):

``month``      cases reported this month (1st of ``now``'s month to ``now``) by channel and public stage
               (``STAGES``: the workflow's states in the few steps a citizen knows);
``departments``, ``districts``
               on-time and closure rates with the score and grade, exactly as ``modes.everyday.evaluation``
               gives them for the same period (``dashboard.rate_rows``: best first);
``stalls``     per department (and the whole city), the stage whose median wait is the longest, over the
               month's cases dispatched to it (a stage still running counts its wait up to ``now``), in
               clock hours;
``map``        open cases per grid cell (``case_map.open_cases_per_cell``) drawn over the districts as
               SVG paths, one per colour class;
``as_of``      when the figures were counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import Case, Department, District, GridCell
from modes.common.exercise_filter import exercise_conditions
from modes.everyday.case_map import open_cases_per_cell
from modes.everyday.cases import STAGES, Channel
from modes.everyday.config import EverydayConfig
from modes.everyday.dashboard import rate_rows
from modes.everyday.evaluation import evaluate
from modes.everyday.workflow import State

# The public steps of a case, (key, zh, en), and the states in each.
STAGES_PUBLIC: tuple[tuple[str, str, str, tuple[State, ...]], ...] = (
    ("intake", "受理中", "Being taken in", (State.REPORTED, State.VERIFYING, State.NOT_FOUND, State.ACCEPTED, State.SELF_FIX_REVIEW)),
    ("filed", "待派遣", "Waiting for dispatch", (State.FILED,)),
    ("handling", "处置中", "Being handled", (State.DISPATCHED, State.HANDLING, State.EXTENSION_REQUESTED, State.RETURN_REQUESTED, State.SUSPENSION_REQUESTED, State.REWORK_PENDING)),
    ("on_hold", "暂缓", "On hold", (State.SUSPENDED,)),
    ("checking", "核查中", "Being checked", (State.FEEDBACK, State.CHECKING, State.CHECKED)),
    ("closed", "已结案", "Closed", (State.CLOSED, State.EVALUATED)),
    ("voided", "不予立案", "Not taken up", (State.VOIDED,)),
    ("merged", "重复报告", "Repeat reports", (State.MERGED,)),
)  # fmt: skip
_STAGE_OF = {s.value: key for key, _, _, states in STAGES_PUBLIC for s in states}
CHANNELS: dict[str, tuple[str, str]] = {
    Channel.SUPERVISOR.value: ("监督员", "Supervisors"),
    Channel.CAMERA.value: ("视频", "Cameras"),
    Channel.HOTLINE.value: ("热线", "Hotline"),
    Channel.INTERNET.value: ("网络", "Internet"),
    Channel.PATROL.value: ("巡查车", "Patrol cars"),
    Channel.MEDIA.value: ("媒体", "Media"),
}
STAGE_NAMES: dict[str, tuple[str, str]] = {
    "accept": ("受理", "intake"),
    "verify": ("核实", "verification"),
    "file": ("立案", "filing"),
    "dispatch": ("派遣", "dispatch"),
    "handle": ("处置", "handling"),
    "check": ("核查", "check"),
}
# Open cases per cell: the lower bound of each colour class.
MAP_CLASSES: tuple[tuple[int, str], ...] = (
    (1, "#fde0c5"),
    (2, "#facba6"),
    (4, "#f59e72"),
    (8, "#e8604c"),
    (16, "#b3262e"),
)
MAP_WIDTH = 720.0


def month_start(now: dt.datetime) -> dt.date:
    return now.date().replace(day=1)


def _month_counts(session: Session, begin: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    rows = session.execute(
        select(Case.channel, Case.state, func.count())
        .where(
            Case.reported_at >= begin,
            Case.reported_at <= now,
            *exercise_conditions("leave", Case.exercise_id),
        )
        .group_by(Case.channel, Case.state)
    ).all()
    table: dict[str, dict[str, int]] = {c: dict.fromkeys(_STAGE_OF.values(), 0) for c in CHANNELS}
    for channel, state, n in rows:
        table.setdefault(channel, dict.fromkeys(_STAGE_OF.values(), 0))[_STAGE_OF.get(state, "intake")] += n
    totals = {stage: sum(row[stage] for row in table.values()) for stage in _STAGE_OF.values()}
    return {"by_channel": table, "totals": totals, "total": sum(totals.values())}


def _rates(session: Session, by: str, first: dt.date, now: dt.datetime, config: EverydayConfig) -> list[dict]:
    doc = evaluate(session, by=by, start=first, end=now.date(), now=now, config=config)
    model = Department if by == "department" else District
    english = dict(session.execute(select(model.code, model.name_en)).all())
    return [
        {
            "key": r.key,
            "name": r.name or r.key,
            "name_en": english.get(r.key) or "",
            "on_time_rate": r.on_time_rate,
            "closure_rate": r.closure_rate,
            "due_to_close": r.due_to_close,
            "score": r.score,
            "grade": r.grade,
            "colour": r.colour,
        }
        for r in rate_rows(doc, by)
    ]


def _stage_spans(c: Any) -> dict[str, tuple[dt.datetime | None, dt.datetime | None]]:
    """(start, end) of each stage of a case row, as ``CaseDesk.stage_clocks`` bounds them."""
    return {
        "accept": (c.reported_at, c.accepted_at),
        "verify": (c.accepted_at if c.verify_due else None, c.verified_at),
        "file": (c.verified_at or c.accepted_at, c.filed_at),
        "dispatch": (c.filed_at, c.dispatched_at),
        "handle": (c.dispatched_at, c.feedback_at),
        "check": (c.feedback_at if c.check_due else None, c.checked_at),
    }


def _stalls(session: Session, begin: dt.datetime, now: dt.datetime, names: dict) -> list[dict]:
    finished = {State.CLOSED.value, State.EVALUATED.value, State.VOIDED.value, State.MERGED.value}
    rows = session.execute(
        select(
            Case.department_code, Case.state, Case.reported_at, Case.accepted_at, Case.verify_due,
            Case.verified_at, Case.filed_at, Case.dispatched_at, Case.feedback_at, Case.check_due,
            Case.checked_at,
        ).where(
            Case.reported_at >= begin, Case.reported_at <= now, Case.dispatched_at.is_not(None),
            Case.department_code.is_not(None), *exercise_conditions("leave", Case.exercise_id),
        )
    ).all()  # fmt: skip
    waits: dict[str | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for c in rows:
        for stage, (start, end) in _stage_spans(c).items():
            if start is None:
                continue
            if end is None:
                if c.state in finished:
                    continue  # never reached its end (closed in error, voided): no wait to count
                end = now
            hours = max(0.0, (end - start).total_seconds() / 3600)
            waits[c.department_code][stage].append(hours)
            waits[None][stage].append(hours)
    out = []
    for key in sorted(waits, key=lambda k: (k is not None, k or "")):
        medians = {stage: float(np.median(v)) for stage, v in waits[key].items() if v}
        stage = max(medians, key=lambda s: (medians[s], -STAGES.index(s)))
        zh, en = names.get(key, (key, key)) if key is not None else ("全市", "Whole city")
        out.append(
            {
                "key": key or "city",
                "name": zh,
                "name_en": en or "",
                "stage": stage,
                "median_hours": round(medians[stage], 1),
                "cases": len(waits[key][stage]),
                "medians": {s: round(medians[s], 1) for s in STAGES if s in medians},
            }
        )
    return out


def _svg_path(geom, minx: float, maxy: float, scale: float) -> str:
    """An SVG path of a polygon or multipolygon (exteriors and holes, even-odd), in page pixels."""
    parts = []
    polygons = geom.geoms if hasattr(geom, "geoms") else [geom]
    for poly in polygons:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            pts = [f"{(x - minx) * scale:.1f} {(maxy - y) * scale:.1f}" for x, y in ring.coords[:-1]]
            if pts:
                parts.append("M" + "L".join(pts) + "Z")
    return "".join(parts)


def _map(session: Session) -> dict[str, Any]:
    cells = session.execute(select(GridCell.code, GridCell.geometry).order_by(GridCell.code)).all()
    if not cells:
        return {"width": MAP_WIDTH, "height": 0.0, "districts": [], "classes": [], "open": 0, "cells": 0}
    codes = np.array([c for c, _ in cells], dtype=object)
    geoms = np.array([g for _, g in cells], dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    scale = MAP_WIDTH / max(maxx - minx, 1.0)
    counts = open_cases_per_cell(session, codes)
    districts = []
    stored = dict(session.execute(select(District.code, District.geometry)).all())
    by_district: dict[str, list] = defaultdict(list)
    for code, g in zip(codes, geoms, strict=True):
        by_district[code[:6]].append(g)
    for code in sorted(by_district):
        outline = stored.get(code)
        if outline is None:  # a city imported from cells alone: the district is its cells' union
            outline = shapely.union_all(by_district[code])
        outline = shapely.simplify(outline, 2.0 / scale)
        districts.append({"code": code, "path": _svg_path(outline, minx, maxy, scale)})
    classes = []
    bounds = [b for b, _ in MAP_CLASSES] + [None]
    for (low, colour), high in zip(MAP_CLASSES, bounds[1:], strict=True):
        chosen = (counts >= low) & (counts < high) if high is not None else counts >= low
        if not chosen.any():
            continue
        path = "".join(_svg_path(g, minx, maxy, scale) for g in geoms[chosen])
        label = f"{low}" if high == low + 1 else (f"{low}–{high - 1}" if high is not None else f"{low}+")
        classes.append(
            {"low": low, "label": label, "colour": colour, "cells": int(chosen.sum()), "path": path}
        )
    return {
        "width": MAP_WIDTH,
        "height": round((maxy - miny) * scale, 1),
        "districts": districts,
        "classes": classes,
        "open": int(counts.sum()),
        "cells": int((counts > 0).sum()),
    }


def public_status(session: Session, now: dt.datetime) -> dict[str, Any]:
    """Every figure of the status page as of ``now`` (real cases only)."""
    config = EverydayConfig.load(session)
    first = month_start(now)
    begin = dt.datetime.combine(first, dt.time())
    departments = {
        c: (n, e) for c, n, e in session.execute(select(Department.code, Department.name, Department.name_en))
    }
    return {
        "as_of": now.isoformat(sep=" ", timespec="seconds"),
        "month": {"from": first.isoformat(), "to": now.date().isoformat(), **_month_counts(session, begin, now)},
        "departments": _rates(session, "department", first, now, config),
        "districts": _rates(session, "district", first, now, config),
        "grades": [[float(b), g, c] for b, g, c in config.evaluation["grades"]],
        "stalls": _stalls(session, begin, now, departments),
        "map": _map(session),
    }  # fmt: skip
