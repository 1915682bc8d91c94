"""The after-action report with its improvement plan (HSEEP AAR/IP; 演练评估报告), as a Qt-free
``AfterActionReport`` and as one self-contained HTML page, Chinese and English side by side.

What it says, and where each figure comes from:

- **Each inject**: what went out and when on the exercise clock (and how late against its MSEL time),
  who acknowledged and who acted and when, the response in exercise minutes, and whether the expected
  action was met (``modes.exercises.progress``: the journal read once, from the exercise's start to its
  end). An evaluator's ``met``/``missed`` note decides an expectation written as free text, and says so;
  a report merged into an earlier case as its duplicate is said to be, and judged by that case.
- **Each objective**: its injects, how many were met and missed, the median and 90th percentile of the
  responses (nearest rank: nine responses in ten came at or before it), the share met of those judged.
- **Strengths and areas for improvement**: the evaluators' notes, and findings computed from the figures:
  an objective below ``OBJECTIVE_MET_SHARE`` met is an area for improvement, one met throughout a
  strength; refused, late and unjudged injects are observations for the exercise's controllers.
- **The improvement plan**: the items the drill coordinator wrote (``exercise improve``), and a row "to
  be assigned" for each objective below the share with no item of its own.

``build_report`` reads everything in a fixed handful of queries (the exercise, its injects, notes, plan
items, the journal since the exercise began, its records, the staff names), whatever the number of
injects: a busy day's 2,003 build in well under the 5 s the issue asks (``bench/bench_exercise_report.py``).
Every text from the database is escaped in the HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.exercise_models import Exercise, ExerciseNote, ImprovementItem, InjectState
from data.models import Staff
from modes.common import exercise_clock as xclock
from modes.common.clock import Clock
from modes.exercises.exercises import SIMULATION_PREFIX, get_exercise, injects_of
from modes.exercises.msel import format_scenario_time
from modes.exercises.progress import InjectProgress, ended, inject_progress

OBJECTIVE_MET_SHARE = 0.8  # HSEEP practice: below this an objective is an area for improvement
LATE_DELIVERY_S = 300.0  # an inject out more than 5 exercise minutes after its time is worth a remark
NO_OBJECTIVE = ""

# Outcomes of an inject, in the report's words.
MET, MISSED, NOT_JUDGED, OPEN, REFUSED, SKIPPED, PENDING, NO_EXPECTATION = (
    "met", "missed", "not_judged", "open", "refused", "skipped", "pending", "no_expectation",
)  # fmt: skip
OUTCOME_NAMES = {
    MET: "达成 met",
    MISSED: "未达成 missed",
    NOT_JUDGED: "待评判 not judged",
    OPEN: "进行中 open",
    REFUSED: "被拒绝 refused",
    SKIPPED: "跳过 skipped",
    PENDING: "未送达 not yet out",
    NO_EXPECTATION: "无预期行动 no expectation",
}
OUTCOME_COLOURS = {
    MET: "#2e7d32",
    MISSED: "#c62828",
    NOT_JUDGED: "#ef8f00",
    OPEN: "#1565c0",
    REFUSED: "#6a1b9a",
    SKIPPED: "#9e9e9e",
    PENDING: "#9e9e9e",
    NO_EXPECTATION: "#757575",
}
# The outcome cell's background: a pale tint of its colour, so the cell's own words stay readable.
OUTCOME_TINTS = {
    MET: "#e3f1e4",
    MISSED: "#fbe3e3",
    NOT_JUDGED: "#fff1d6",
    OPEN: "#e2ecf8",
    REFUSED: "#efe3f4",
    SKIPPED: "#f2f2f2",
    PENDING: "#f2f2f2",
    NO_EXPECTATION: "#f2f2f2",
}
STATE_NAMES = {
    "running": "进行中 running",
    "paused": "暂停 paused",
    "stopped": "已终止 stopped (ended before every inject was out)",
    "completed": "已完成 completed",
}
KIND_NAMES = {
    "report": "上报 report",
    "incident": "事件 incident",
    "alarm": "警报 alarm",
    "asset": "设施 asset",
    "unit": "队伍 unit",
    "message": "消息 message",
}
NOTE_NAMES = {
    "observation": "观察 observation",
    "strength": "优势 strength",
    "improvement": "待改进 improvement",
    "met": "判定达成 judged met",
    "missed": "判定未达成 judged missed",
}
TO_BE_ASSIGNED = "待指定 to be assigned"


# --- the report's data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInject:
    """One inject as the report shows it (times on the exercise clock, in scenario seconds)."""

    no: str
    time_s: float
    kind: str
    sender: str
    recipient: str
    message: str
    expected: str
    within_min: float | None
    objective: str
    adhoc: bool
    state: str
    outcome: str  # one of OUTCOME_NAMES
    judged_by: str | None  # the evaluator whose note decided it
    delivered_s: float | None
    late_s: float | None  # exercise seconds after its MSEL time that it went out
    acknowledged_by: str | None
    acknowledged_s: float | None
    actioned_by: str | None
    actioned_s: float | None
    actioned_kind: str | None
    response_s: float | None  # exercise seconds from delivery to the action
    record: str | None
    refusal: str | None
    duplicate_of: int | None = None  # its report's case was merged into this case, where it was handled

    @property
    def response_min(self) -> float | None:
        return None if self.response_s is None else self.response_s / 60.0


@dataclass(frozen=True)
class ObjectiveFigures:
    objective: str
    injects: int
    met: int
    missed: int
    undecided: int  # not judged, still open, refused, skipped, not yet out, or nothing expected
    responses: int  # injects actioned (in time or not)
    median_s: float | None
    p90_s: float | None
    missed_nos: tuple[str, ...]

    @property
    def judged(self) -> int:
        return self.met + self.missed

    @property
    def share_met(self) -> float | None:
        return self.met / self.judged if self.judged else None

    @property
    def below_target(self) -> bool:
        return self.share_met is not None and self.share_met < OBJECTIVE_MET_SHARE

    @property
    def all_met(self) -> bool:
        return self.judged > 0 and self.missed == 0


@dataclass(frozen=True)
class Finding:
    kind: str  # strength | improvement | observation
    text: str
    computed: bool  # from the figures (else an evaluator's note)
    author: str | None = None
    clock_s: float | None = None
    inject_no: str | None = None
    objective: str | None = None


@dataclass(frozen=True)
class PlanRow:
    issue: str
    action: str
    owner: str
    due: dt.date | None
    objective: str
    assigned: bool  # False: a row the report added for an objective below target with no item
    author: str | None = None


@dataclass(frozen=True)
class NoteLine:
    at: dt.datetime
    clock_s: float | None
    author: str
    kind: str
    inject_no: str | None
    text: str


@dataclass(frozen=True)
class Counts:
    injects: int
    delivered: int  # went out to the players (acknowledged and actioned ones included)
    acknowledged: int
    actioned: int
    refused: int
    skipped: int
    pending: int
    met: int
    missed: int
    not_judged: int  # an expectation that is neither met nor missed (yet)


@dataclass(frozen=True)
class ReportHeader:
    exercise_id: int
    scenario: str
    title: str
    title_zh: str
    demo: bool
    state: str
    speed: float
    started_at: dt.datetime
    started_by: str
    ended_at: dt.datetime | None
    ended_by: str | None
    start_s: float
    end_s: float  # where the exercise clock stands (or stood when it ended)
    clock_from: dt.datetime
    clock_to: dt.datetime
    objectives: tuple[str, ...]
    evaluators: tuple[str, ...]
    prepared_at: dt.datetime


@dataclass(frozen=True)
class AfterActionReport:
    header: ReportHeader
    counts: Counts
    injects: tuple[ReportInject, ...]
    objectives: tuple[ObjectiveFigures, ...]
    strengths: tuple[Finding, ...]
    improvements: tuple[Finding, ...]
    observations: tuple[Finding, ...]
    plan: tuple[PlanRow, ...]
    notes: tuple[NoteLine, ...]

    @property
    def title(self) -> str:
        h = self.header
        return f"演练评估报告 After-Action Report: {h.title_zh} {h.title} (exercise {h.exercise_id})"

    @property
    def final(self) -> bool:
        return self.header.state in ("stopped", "completed")


# --- building it -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest rank: the smallest value with at least ``q`` percent of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100.0 * len(ordered)) - 1)]


def _outcome(p: InjectProgress, is_over: bool) -> str:
    if p.met is True:
        return MET
    if p.met is False:
        return MISSED
    if p.state == InjectState.REFUSED.value:
        return REFUSED
    if p.state == InjectState.SKIPPED.value:
        return SKIPPED
    if p.state == InjectState.PENDING.value:
        return PENDING
    if not p.expected:
        return NO_EXPECTATION
    if p.expected_kind is None or is_over:
        return NOT_JUDGED  # free text waits for an evaluator's note
    return OPEN


class _Names:
    """A login as the report names a person: "孔华 city_operator" (the simulation cell as itself)."""

    def __init__(self, session: Session) -> None:
        self._names = {login: name for login, name in session.execute(select(Staff.login, Staff.name))}

    def __call__(self, login: str | None) -> str | None:
        if not login:
            return None
        if login.startswith(SIMULATION_PREFIX):
            return f"模拟组 simulation cell ({login})"
        name = self._names.get(login)
        return f"{name} {login}" if name and name != login else login


def _objective_order(ex: Exercise, injects: Iterable[ReportInject]) -> list[str]:
    out = [str(o) for o in ex.objectives or ()]
    seen = set(out)
    for i in injects:
        if i.objective not in seen:
            seen.add(i.objective)
            out.append(i.objective)
    # Injects with no objective go last, in a lane of their own.
    if NO_OBJECTIVE in out:
        out.remove(NO_OBJECTIVE)
        out.append(NO_OBJECTIVE)
    return out


def _figures(objective: str, injects: list[ReportInject]) -> ObjectiveFigures:
    responses = [i.response_s for i in injects if i.response_s is not None]
    met = sum(1 for i in injects if i.outcome == MET)
    missed = [i.no for i in injects if i.outcome == MISSED]
    return ObjectiveFigures(
        objective=objective,
        injects=len(injects),
        met=met,
        missed=len(missed),
        undecided=len(injects) - met - len(missed),
        responses=len(responses),
        median_s=statistics.median(responses) if responses else None,
        p90_s=percentile(responses, 90),
        missed_nos=tuple(missed),
    )


def _nos(nos: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(nos[:limit])
    return shown + (f" … (+{len(nos) - limit})" if len(nos) > limit else "")


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60.0:.1f}"


def objective_label(objective: str) -> str:
    return objective or "(无目标 no objective)"


def _short(objective: str) -> str:
    """An objective's name: the words before its colon ("Intake" of "Intake: reports accepted ...")."""
    return objective.split(":", 1)[0].strip()


def _covers(item_objective: str, objective: str) -> bool:
    wanted = item_objective.strip().casefold()
    return bool(wanted) and wanted in (objective.casefold(), _short(objective).casefold())


def _computed_findings(
    figures: Sequence[ObjectiveFigures], injects: Sequence[ReportInject]
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    strengths, improvements, observations = [], [], []
    for f in figures:
        if not f.judged:
            continue
        pct = 100.0 * (f.share_met or 0.0)
        times = f"响应中位数 median {_minutes(f.median_s)} min, 90% {_minutes(f.p90_s)} min"
        name = objective_label(f.objective)
        if f.below_target:
            improvements.append(
                Finding(
                    "improvement",
                    f"{name} — 达成 {f.met}/{f.judged} ({pct:.0f}%)，低于{OBJECTIVE_MET_SHARE:.0%} / "
                    f"{f.met} of {f.judged} met ({pct:.0f}%), below {OBJECTIVE_MET_SHARE:.0%}; {times}; "
                    f"未达成 missed: {_nos(f.missed_nos)}",
                    True,
                    objective=f.objective,
                )
            )
        elif f.all_met:
            strengths.append(
                Finding(
                    "strength",
                    f"{name} — 全部达成 all {f.met} met; {times}",
                    True,
                    objective=f.objective,
                )
            )
        else:
            observations.append(
                Finding(
                    "observation",
                    f"{name} — 达成 {f.met}/{f.judged} ({pct:.0f}%) met; {times}; "
                    f"未达成 missed: {_nos(f.missed_nos)}",
                    True,
                    objective=f.objective,
                )
            )
    refused = [i for i in injects if i.outcome == REFUSED]
    if refused:
        reasons = "; ".join(f"{i.no}: {i.refusal}" for i in refused[:5]) + (" …" if len(refused) > 5 else "")
        observations.append(
            Finding(
                "observation",
                f"被拒绝的注入 {len(refused)} 条，未送达参演人员，需修改情景 / Injects refused, never reached the "
                f"players (the scenario needs fixing): {len(refused)} — {reasons}",
                True,
            )
        )
    unjudged = [i.no for i in injects if i.outcome == NOT_JUDGED]
    if unjudged:
        observations.append(
            Finding(
                "observation",
                f"待评估员判定的预期行动 {len(unjudged)} 项 / Expectations awaiting an evaluator's judgement "
                f"(a met or missed note): {len(unjudged)} — {_nos(unjudged)}",
                True,
            )
        )
    late = [i for i in injects if i.late_s is not None and i.late_s > LATE_DELIVERY_S]
    if late:
        worst = max(i.late_s or 0.0 for i in late)
        observations.append(
            Finding(
                "observation",
                f"晚于计划时间{LATE_DELIVERY_S / 60:.0f}分钟以上送达的注入 {len(late)} 条 / Injects out more than "
                f"{LATE_DELIVERY_S / 60:.0f} exercise minutes after their time: {len(late)} (at most "
                f"{worst / 60:.1f} min) — {_nos([i.no for i in late])}",
                True,
            )
        )
    return strengths, improvements, observations


def build_report(session: Session, exercise_id: int, clock: Clock) -> AfterActionReport:
    """The after-action report of an exercise as it stands (an interim one while it is on)."""
    ex = get_exercise(session, exercise_id)
    wall = xclock.wall_now(clock)
    rows = injects_of(session, ex.id)
    notes = list(
        session.scalars(
            select(ExerciseNote).where(ExerciseNote.exercise_id == ex.id).order_by(ExerciseNote.id)
        )
    )
    items = list(
        session.scalars(
            select(ImprovementItem).where(ImprovementItem.exercise_id == ex.id).order_by(ImprovementItem.id)
        )
    )
    names = _Names(session)
    progress = inject_progress(session, ex, rows, wall, notes=notes)
    is_over = ended(ex)

    def at_s(when: dt.datetime | None) -> float | None:
        return None if when is None else xclock.scenario_at(ex.segments, when)

    injects = tuple(
        ReportInject(
            no=p.no,
            time_s=p.time_s,
            kind=p.kind,
            sender=row.sender,
            recipient=p.recipient,
            message=row.message,
            expected=p.expected,
            within_min=p.within_min,
            objective=p.objective,
            adhoc=row.adhoc,
            state=p.state,
            outcome=_outcome(p, is_over),
            judged_by=names(p.judged_by),
            delivered_s=p.delivered_s,
            late_s=None if p.delivered_s is None else max(0.0, p.delivered_s - p.time_s),
            acknowledged_by=names(p.acknowledged_by),
            acknowledged_s=at_s(p.acknowledged_at),
            actioned_by=names(p.actioned_by),
            actioned_s=at_s(p.actioned_at),
            actioned_kind=p.actioned_kind,
            response_s=p.response_s,
            record=p.record,
            refusal=p.refusal,
            duplicate_of=p.duplicate_of,
        )
        for p, row in zip(progress, rows, strict=True)
    )
    by_objective: dict[str, list[ReportInject]] = {}
    for i in injects:
        by_objective.setdefault(i.objective, []).append(i)
    figures = tuple(_figures(o, by_objective.get(o, [])) for o in _objective_order(ex, injects))

    strengths, improvements, observations = _computed_findings(figures, injects)
    for n in notes:
        if n.kind in ("strength", "improvement", "observation"):
            finding = Finding(n.kind, n.text, False, names(n.author), n.clock_s, n.inject_no)
            {"strength": strengths, "improvement": improvements, "observation": observations}[n.kind].append(
                finding
            )

    plan = [PlanRow(i.issue, i.action, i.owner, i.due, i.objective, True, names(i.author)) for i in items]
    for f in figures:
        if f.below_target and f.objective and not any(_covers(i.objective, f.objective) for i in items):
            plan.append(
                PlanRow(
                    f"{objective_label(f.objective)}: 达成 {f.met}/{f.judged} met "
                    f"({100.0 * (f.share_met or 0.0):.0f}%); 未达成 missed {_nos(f.missed_nos)}",
                    TO_BE_ASSIGNED,
                    TO_BE_ASSIGNED,
                    None,
                    f.objective,
                    False,
                )
            )

    end_s = xclock.scenario_seconds(ex, wall)
    states = Counter(i.state for i in injects)
    outcomes = Counter(i.outcome for i in injects)
    header = ReportHeader(
        exercise_id=ex.id,
        scenario=ex.scenario,
        title=ex.title,
        title_zh=ex.title_zh,
        demo=ex.demo,
        state=ex.state,
        speed=ex.speed,
        started_at=ex.started_at,
        started_by=names(ex.started_by) or ex.started_by,
        ended_at=ex.ended_at,
        ended_by=names(ex.ended_by),
        start_s=ex.start_offset_s,
        end_s=end_s,
        clock_from=xclock.clock_time(ex, ex.start_offset_s),
        clock_to=xclock.clock_time(ex, end_s),
        objectives=tuple(str(o) for o in ex.objectives or ()),
        evaluators=tuple(dict.fromkeys(names(n.author) or n.author for n in notes)),
        prepared_at=wall,
    )
    counts = Counts(
        injects=len(injects),
        delivered=sum(
            1 for i in injects if i.delivered_s is not None and i.state != InjectState.REFUSED.value
        ),
        acknowledged=sum(1 for i in injects if i.acknowledged_s is not None or i.acknowledged_by),
        actioned=states[InjectState.ACTIONED.value],
        refused=states[InjectState.REFUSED.value],
        skipped=states[InjectState.SKIPPED.value],
        pending=states[InjectState.PENDING.value],
        met=outcomes[MET],
        missed=outcomes[MISSED],
        not_judged=outcomes[NOT_JUDGED] + outcomes[OPEN],
    )
    return AfterActionReport(
        header=header,
        counts=counts,
        injects=injects,
        objectives=figures,
        strengths=tuple(strengths),
        improvements=tuple(improvements),
        observations=tuple(observations),
        plan=tuple(plan),
        notes=tuple(
            NoteLine(n.at, n.clock_s, names(n.author) or n.author, n.kind, n.inject_no, n.text) for n in notes
        ),
    )


# --- the timeline chart (SVG) ----------------------------------------------------------------------------

CHART_WIDTH = 1000
_LEFT, _RIGHT = 24, 24
_LABEL_H, _BAND_H, _AXIS_H, _LEGEND_H = 17, 30, 26, 24
_FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
_TICK_STEPS_MIN = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720)


def _tick_step_s(span_s: float) -> float:
    for minutes in _TICK_STEPS_MIN:
        if span_s / (minutes * 60.0) <= 12:
            return minutes * 60.0
    return 1440 * 60.0


_BUSY_LANE = 40  # more injects than this in a lane: small marks over several rows, no numbers
_ROW_H = 6.0


def _lane_rows(injects: int) -> int:
    """Rows of marks in a lane: one, numbered, for a few injects; for a busy lane enough that a day's
    reports spread out (about 150 a row, 5 to 12 rows)."""
    return 1 if injects <= _BUSY_LANE else min(12, max(5, math.ceil(injects / 150)))


def _lanes(report: AfterActionReport) -> list[tuple[float, int, float]]:
    """Each objective's lane: its top, its rows of marks and the height of its band of marks."""
    per_lane = Counter(i.objective for i in report.injects)
    out, top = [], 0.0
    for f in report.objectives:
        rows = _lane_rows(per_lane[f.objective])
        band = _BAND_H if rows == 1 else 10 + rows * _ROW_H
        out.append((top, rows, band))
        top += _LABEL_H + band
    return out


def chart_height(report: AfterActionReport) -> int:
    lanes = _lanes(report)
    bottom = lanes[-1][0] + _LABEL_H + lanes[-1][2] if lanes else 0.0
    return math.ceil(bottom + _AXIS_H + _LEGEND_H + 8)


def timeline_svg(report: AfterActionReport, width: int = CHART_WIDTH) -> str:
    """Scenario time across, one lane per objective: each inject a mark at the time it went out (its MSEL
    time if it did not), coloured by outcome; a line from it to the players' action; the expected window
    as a pale bar under it."""
    h = report.header
    height = chart_height(report)
    times = [h.start_s, h.end_s]
    for i in report.injects:
        times.append(i.delivered_s if i.delivered_s is not None else i.time_s)
        if i.actioned_s is not None:
            times.append(i.actioned_s)
    t0, t1 = min(times), max(times)
    if t1 - t0 < 600:
        t1 = t0 + 600.0
    pad = (t1 - t0) * 0.02
    t0, t1 = max(0.0, t0 - pad), t1 + pad
    plot_w = width - _LEFT - _RIGHT

    def x_of(seconds: float) -> float:
        return _LEFT + (seconds - t0) / (t1 - t0) * plot_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{_FONT}" font-size="11" role="img" '
        f'aria-label="{_e("时间线 Timeline")}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    lanes = _lanes(report)
    lanes_bottom = lanes[-1][0] + _LABEL_H + lanes[-1][2] if lanes else 0.0
    step = _tick_step_s(t1 - t0)
    tick = math.ceil(t0 / step) * step
    while tick <= t1:
        x = x_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{lanes_bottom}" stroke="#e3e3e3" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{lanes_bottom + 15}" text-anchor="middle" fill="#444">'
            f"{_e(format_scenario_time(tick))}</text>"
        )
        tick += step
    lane_of = {f.objective: k for k, f in enumerate(report.objectives)}
    seen_in_lane: Counter[str] = Counter()
    for k, f in enumerate(report.objectives):
        top, _, band = lanes[k]
        fill = "#f6f7f9" if k % 2 == 0 else "#ffffff"
        out.append(
            f'<rect x="0" y="{top}" width="{width}" height="{_LABEL_H + band}" fill="{fill}"/>'
            f'<text x="{_LEFT}" y="{top + 13}" font-weight="bold" fill="#222">'
            f"{_e(_clip(objective_label(f.objective), 120))}</text>"
        )
    marks, lines = [], []
    for i in report.injects:
        top, rows, band = lanes[lane_of[i.objective]]
        # In a busy lane injects close in time go to different rows, so they do not hide each other.
        row = seen_in_lane[i.objective] % rows
        seen_in_lane[i.objective] += 1
        band_top = top + _LABEL_H
        y = band_top + band / 2 if rows == 1 else band_top + 5 + (row + 0.5) * _ROW_H
        r = 5.0 if rows == 1 else 2.4
        start = i.delivered_s if i.delivered_s is not None else i.time_s
        x = x_of(start)
        colour = OUTCOME_COLOURS[i.outcome]
        if rows == 1 and i.within_min is not None and i.delivered_s is not None:
            w = x_of(start + i.within_min * 60.0) - x
            lines.append(
                f'<rect x="{x:.1f}" y="{y - 3:.1f}" width="{w:.1f}" height="6" fill="#000" fill-opacity="0.07"/>'
            )
        if i.actioned_s is not None:
            xa = x_of(i.actioned_s)
            lines.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{xa:.1f}" y2="{y:.1f}" stroke="{colour}" '
                f'stroke-width="{1.6 if rows == 1 else 0.8}"/>'
                f'<line x1="{xa:.1f}" y1="{y - r:.1f}" x2="{xa:.1f}" y2="{y + r:.1f}" stroke="{colour}" '
                f'stroke-width="{2 if rows == 1 else 1}"/>'
            )
        tip = f"{i.no} {format_scenario_time(i.time_s)} {i.kind}: {OUTCOME_NAMES[i.outcome]}" + (
            f", {i.response_min:.1f} min" if i.response_min is not None else ""
        )
        hollow = i.outcome in (SKIPPED, PENDING)
        if i.outcome == REFUSED:
            marks.append(
                f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'fill="{colour}"><title>{_e(tip)}</title></rect>'
            )
        else:
            marks.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
                + (f'fill="#ffffff" stroke="{colour}"' if hollow else f'fill="{colour}" stroke="#ffffff"')
                + f' stroke-width="{0.8 if rows == 1 else 0.3}"><title>{_e(tip)}</title></circle>'
            )
        if rows == 1:
            marks.append(
                f'<text x="{x:.1f}" y="{y - r - 2:.1f}" text-anchor="middle" font-size="9" fill="#333">'
                f"{_e(i.no)}</text>"
            )
    out += lines + marks
    # The legend: each outcome present, then what the line and the pale bar mean.
    y = lanes_bottom + _AXIS_H + 10
    x = float(_LEFT)
    present = [o for o in OUTCOME_NAMES if any(i.outcome == o for i in report.injects)]
    for o in present:
        out.append(
            f'<circle cx="{x + 5:.1f}" cy="{y:.1f}" r="5" fill="{OUTCOME_COLOURS[o]}"/>'
            f'<text x="{x + 14:.1f}" y="{y + 4:.1f}" fill="#333">{_e(OUTCOME_NAMES[o])}</text>'
        )
        x += 24 + 6.5 * _text_units(OUTCOME_NAMES[o])
    out.append(
        f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="#555" stroke-width="1.6"/>'
        f'<line x1="{x + 22:.1f}" y1="{y - 5:.1f}" x2="{x + 22:.1f}" y2="{y + 5:.1f}" stroke="#555" stroke-width="2"/>'
        f'<text x="{x + 28:.1f}" y="{y + 4:.1f}" fill="#333">{_e("至参演人员行动 to the action")}</text>'
    )
    x += 40 + 6.5 * _text_units("至参演人员行动 to the action")
    out.append(
        f'<rect x="{x:.1f}" y="{y - 3:.1f}" width="22" height="6" fill="#000" fill-opacity="0.07"/>'
        f'<text x="{x + 28:.1f}" y="{y + 4:.1f}" fill="#333">{_e("预期时限 expected within")}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _text_units(text: str) -> float:
    """Width of ``text`` in half-em units (a CJK character is two)."""
    return sum(2.0 if ord(c) > 0x2E80 else 1.0 for c in text)


def _clip(text: str, units: int) -> str:
    out, used = [], 0.0
    for c in text:
        used += 2.0 if ord(c) > 0x2E80 else 1.0
        if used > units:
            return "".join(out).rstrip() + "…"
        out.append(c)
    return text


# --- HTML ----------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _st(seconds: float | None) -> str:
    return "—" if seconds is None else format_scenario_time(seconds)


def _t(value: dt.datetime | None) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


def marking(report: AfterActionReport) -> str:
    demo = "演示 DEMO · " if report.header.demo else ""
    return f"{demo}演练 EXERCISE · EXERCISE · EXERCISE"


_CSS = """
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10pt; color: #1d1d1d; }
h1 { font-size: 17pt; margin: 10px 0 2px 0; }
h2 { font-size: 12.5pt; margin: 18px 0 6px 0; border-bottom: 2px solid #37474f; padding-bottom: 2px; }
h3 { font-size: 10.5pt; margin: 12px 0 4px 0; }
p.subtitle { font-size: 12pt; margin: 0 0 8px 0; color: #37474f; }
.interim { color: #c62828; font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
th { background: #eceff1; text-align: left; font-size: 8.5pt; vertical-align: bottom; }
td { font-size: 8.5pt; vertical-align: top; }
th, td { border: 1px solid #b0bec5; padding: 3px 4px; }
table.facts td { font-size: 9pt; }
td.num, th.num { text-align: right; }
td.outcome { font-weight: bold; }
.small { font-size: 7.5pt; color: #546e7a; }
ul.findings li { margin-bottom: 3px; }
.tag { font-size: 7.5pt; color: #546e7a; font-weight: normal; }
"""
# For a browser only: Qt's layout engine takes ``@media`` rules as if they were plain ones, and reads
# ``margin: auto`` as an indent, so the PDF's document leaves these out.
_SCREEN_CSS = """
body { margin: 0 auto; max-width: 1060px; padding: 0 16px 24px 16px; }
.marking { background: #c62828; color: #ffffff; font-weight: bold; text-align: center; font-size: 12pt;
           padding: 4px; letter-spacing: 1px; }
.chart svg { width: 100%; height: auto; }
@media print {
  .marking.top { position: fixed; top: 0; left: 0; right: 0; }
  .marking.bottom { position: fixed; bottom: 0; left: 0; right: 0; }
  body { padding-top: 28px; padding-bottom: 28px; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
}
"""


NUM = ' class="num" align="right"'


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    numeric: Iterable[int] = (),
) -> str:
    """A table of cells that are already HTML (each caller escapes its texts), its columns ``widths``
    percent wide (Qt's layout engine would give every column the same width)."""
    numeric = set(numeric)
    head = "".join(
        f'<th width="{w}%"{NUM if k in numeric else ""} bgcolor="#eceff1">{_e(h)}</th>'
        for k, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    if not rows:
        rows = [["—"] + [""] * (len(headers) - 1)]
    body = "".join(
        "<tr>"
        + "".join(f"<td{NUM}>{c}</td>" if k in numeric else f"<td>{c}</td>" for k, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return (
        '<table border="1" cellspacing="0" cellpadding="3" width="100%">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _outcome_cell(i: ReportInject) -> str:
    text = _e(OUTCOME_NAMES[i.outcome])
    if i.judged_by:
        text += f'<br/><span class="tag">评估员判定 judged by {_e(i.judged_by)}</span>'
    if i.refusal:
        text += f'<br/><span class="tag">{_e(i.refusal)}</span>'
    if i.duplicate_of is not None:
        text += f'<br/><span class="tag">{_e(duplicate_words(i.duplicate_of))}</span>'
    return text


def duplicate_words(case_id: int) -> str:
    """What the report says of an inject whose report was merged into an earlier case."""
    return f"按重复报告处理，并入案件 {case_id} / handled as a duplicate of case {case_id}"


def _inject_rows(report: AfterActionReport) -> list[str]:
    rows = []
    for i in report.injects:
        late = ""
        if i.late_s is not None and i.late_s >= 30:
            late = f'<br/><span class="tag">迟 late {i.late_s / 60.0:.1f} min</span>'
        within = f"<br/>≤ {i.within_min:g} min" if i.within_min is not None else ""
        ack = (
            f"{_e(i.acknowledged_by)}<br/>{_e(_st(i.acknowledged_s))}"
            if i.acknowledged_by or i.acknowledged_s is not None
            else "—"
        )
        act = (
            f"{_e(i.actioned_by)}<br/>{_e(_st(i.actioned_s))} <span class='tag'>{_e(i.actioned_kind)}</span>"
            if i.actioned_s is not None or i.actioned_by
            else "—"
        )
        inject = (
            f"{_e(KIND_NAMES.get(i.kind, i.kind))}{' (临时 ad hoc)' if i.adhoc else ''}"
            f'<br/><span class="tag">{_e(i.sender)} → {_e(i.recipient)}</span>'
            + (f'<br/><span class="small">{_e(_clip(i.message, 160))}</span>' if i.message else "")
        )
        colour, tint = OUTCOME_COLOURS[i.outcome], OUTCOME_TINTS[i.outcome]
        rows.append(
            f"<tr><td><b>{_e(i.no)}</b><br/>{_e(_st(i.time_s))}</td><td>{inject}</td>"
            f"<td>{_e(i.expected) or '—'}{within}</td>"
            f"<td>{_e(_st(i.delivered_s))}{late}</td><td>{ack}</td><td>{act}</td>"
            f'<td class="num" align="right">{_e(_minutes(i.response_s))}</td>'
            f'<td bgcolor="{tint}" style="background:{tint}" class="outcome">'
            f'<font color="{colour}">{_outcome_cell(i)}</font></td>'
            f"<td>{_e(i.record) or '—'}</td></tr>"
        )
    return rows


def _findings(items: Sequence[Finding], empty: str) -> str:
    if not items:
        return f"<p>{_e(empty)}</p>"
    out = []
    for f in items:
        if f.computed:
            source = "（由数据得出 from the figures）"
        else:
            where = f", 注入 inject {f.inject_no}" if f.inject_no else ""
            source = f"（{f.author}, {_st(f.clock_s)}{where}）"
        out.append(f'<li>{_e(f.text)} <span class="tag">{_e(source)}</span></li>')
    return f'<ul class="findings">{"".join(out)}</ul>'


def render_html(
    report: AfterActionReport, chart_src: str | None = None, chart_size: tuple[int, int] = (0, 0)
) -> str:
    """The report as one HTML page for a browser, its CSS and its timeline (SVG) inline, the exercise
    marking above and below.

    ``chart_src`` makes it the document of a paged layout engine instead (the PDF's ``QTextDocument``):
    the timeline is the image at that URL, shown ``chart_size`` (width, height) pixels, since the engine
    draws no SVG;
    the marking bands and the browser's page styling are left out, since the PDF paints the marking on
    every page itself."""
    paged = chart_src is not None
    # On paper the timeline and the appendix begin a page, rather than leave their heading on the last.
    new_page = ' style="page-break-before: always"' if paged else ""
    h, c = report.header, report.counts
    banner = _e(marking(report))
    top_band = "" if paged else f'<div class="marking top">{banner}</div>'
    bottom_band = "" if paged else f'<div class="marking bottom">{banner}</div>'
    interim = (
        ""
        if report.final
        else f'<p class="interim">中期报告：演练尚未结束（{_e(STATE_NAMES.get(h.state, h.state))}）/ '
        "Interim report: the exercise is still on; open injects may yet be met.</p>"
    )
    facts = [
        ("演练编号 Exercise", f"{h.exercise_id} — {_e(h.scenario)}"),
        ("状态 State", _e(STATE_NAMES.get(h.state, h.state))),
        ("组织者 Run by", _e(h.started_by)),
        ("速度 Speed", f"×{h.speed:g} (演练时钟 exercise clock / 实际时间 wall clock)"),
        ("开始 Started", _e(_t(h.started_at))),
        ("结束 Ended", _e(f"{_t(h.ended_at)} — {h.ended_by}" if h.ended_at else "—")),
        (
            "演练时钟 Exercise clock",
            _e(
                f"{_st(h.start_s)} → {_st(h.end_s)} ({h.clock_from:%Y-%m-%d %H:%M} → {h.clock_to:%Y-%m-%d %H:%M})"
            ),
        ),
        ("评估员 Evaluators", _e(", ".join(h.evaluators) or "—")),
        ("报告生成 Prepared", _e(_t(h.prepared_at))),
    ]
    fact_rows = "".join(
        f'<tr><td bgcolor="#eceff1" width="22%"><b>{_e(k)}</b></td><td>{v}</td></tr>' for k, v in facts
    )
    count_cells = [
        ("注入 Injects", c.injects),
        ("送达 Delivered", c.delivered),
        ("确认 Acknowledged", c.acknowledged),
        ("行动 Actioned", c.actioned),
        ("达成 Met", c.met),
        ("未达成 Missed", c.missed),
        ("待定 Not judged", c.not_judged),
        ("被拒绝 Refused", c.refused),
        ("跳过 Skipped", c.skipped),
    ]
    counts = (
        '<table border="1" cellspacing="0" cellpadding="3" width="100%"><tr>'
        # Chinese over English: nine columns across a page leave no room for both on one line.
        + "".join(f'<th bgcolor="#eceff1">{_e(k).replace(" ", "<br/>", 1)}</th>' for k, _ in count_cells)
        + "</tr><tr>"
        + "".join(f'<td align="center"><b>{n:,}</b></td>' for _, n in count_cells)
        + "</tr></table>"
    )
    objective_rows = [
        [
            _e(objective_label(f.objective)),
            f"{f.injects:,}",
            f"{f.met:,}",
            f"{f.missed:,}",
            f"{f.undecided:,}",
            _e(_minutes(f.median_s)),
            _e(_minutes(f.p90_s)),
            "—" if f.share_met is None else f"{100.0 * f.share_met:.0f}%",
        ]
        for f in report.objectives
    ]
    objectives = _table(
        [
            "目标 Objective",
            "注入 Injects",
            "达成 Met",
            "未达成 Missed",
            "待定 Other",
            "中位响应 Median (min)",
            "90% 响应 90th pct (min)",
            "达成率 Share met",
        ],
        objective_rows,
        (37, 8, 7, 8, 7, 11, 11, 11),
        numeric=range(1, 8),
    )
    chart = (
        f'<img src="{_e(chart_src)}" width="{chart_size[0]}" height="{chart_size[1]}" alt="timeline"/>'
        if chart_src
        else timeline_svg(report)
    )
    plan_rows = [
        [
            _e(p.issue),
            _e(p.action),
            _e(p.owner),
            _e(p.due.isoformat() if p.due else ("—" if p.assigned else TO_BE_ASSIGNED)),
            _e(objective_label(p.objective) if p.objective else "—"),
        ]
        for p in report.plan
    ]
    note_rows = [
        [
            _e(_t(n.at)),
            _e(_st(n.clock_s)),
            _e(n.author),
            _e(NOTE_NAMES.get(n.kind, n.kind)),
            _e(n.inject_no or "—"),
            _e(n.text),
        ]
        for n in report.notes
    ]
    inject_head = "".join(
        f'<th width="{w}%" bgcolor="#eceff1">{_e(x)}</th>'
        for x, w in (
            ("编号 No / 时间 Time", 8),
            ("注入 Inject", 21),
            ("预期行动 Expected", 12),
            ("送达 Delivered", 8),
            ("确认 Acknowledged", 13),
            ("行动 Actioned", 13),
            ("响应 Response (min)", 8),
            ("结果 Outcome", 10),
            ("记录 Record", 7),
        )
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{_e(report.title)}</title>
<style>{_CSS}{"" if paged else _SCREEN_CSS}</style></head>
<body>
{top_band}
<h1>演练评估报告与改进计划 After-Action Report / Improvement Plan</h1>
<p class="subtitle">{_e(h.title_zh)} / {_e(h.title)}</p>
{interim}
<h2>1. 演练概况 Exercise overview</h2>
<table class="facts" border="1" cellspacing="0" cellpadding="3" width="100%">{fact_rows}</table>
<h3>目标 Objectives</h3>
<ol>{"".join(f"<li>{_e(o)}</li>" for o in h.objectives) or "<li>—</li>"}</ol>
<h3>注入统计 Injects at a glance</h3>
{counts}
<h2>2. 目标与响应时间 Objectives and response times</h2>
<p class="small">响应时间按演练时钟计（分钟），自送达至预期行动；90% 为最近秩百分位。Response times are exercise-clock
minutes from delivery to the expected action; the 90th percentile is by nearest rank. Share met: of the injects judged
met or missed. Below {OBJECTIVE_MET_SHARE:.0%} an objective is an area for improvement.</p>
{objectives}
<h2{new_page}>3. 时间线 Timeline</h2>
<p class="small">横轴为情景时间；每条注入按结果着色，连线指向参演人员的行动，浅色条为预期时限。Scenario time across; each inject
coloured by its outcome, a line to the players' action, the pale bar its expected window.</p>
<div class="chart">{chart}</div>
<h2>4. 优势 Strengths</h2>
{_findings(report.strengths, "—")}
<h2>5. 待改进领域 Areas for improvement</h2>
{_findings(report.improvements, "—")}
<h3>观察 Observations</h3>
{_findings(report.observations, "—")}
<h2>6. 改进计划 Improvement Plan</h2>
{_table(["问题 Issue", "纠正措施 Corrective action", "责任人 Owner", "期限 Due", "目标 Objective"], plan_rows, (30, 30, 14, 11, 15))}
<h2{new_page}>附录A 注入明细 Appendix A: Injects</h2>
<p class="small">时间为情景时间（演练时钟）。Times are scenario times on the exercise clock.</p>
<table border="1" cellspacing="0" cellpadding="3" width="100%"><thead><tr>{inject_head}</tr></thead>
<tbody>{"".join(_inject_rows(report))}</tbody></table>
<h2>附录B 评估记录 Appendix B: Evaluator notes</h2>
{_table(["时间 At", "演练时钟 Clock", "评估员 By", "类别 Kind", "注入 Inject", "内容 Note"], note_rows, (11, 8, 13, 11, 6, 51))}
{bottom_band}
</body></html>
"""
