"""Past cases for the demo city: N days of the closed loop, written in bulk.

``generate_history`` simulates about 2,000 reports a day (Harbin's intake, domain.md section 1) ending
yesterday, or on ``end``: the six channels in realistic shares, a type mix dominated by exposed
rubbish, small ads and street order with a few urgent sudden events, points inside cells weighted by
population, routed with the ``Router`` (batch point location plus the district assignment table).
Special paths occur at plausible rates: verification, self-fix, voiding before and after filing,
return, extension, suspension, rework, closing in error, duplicates linked to an open original,
satisfaction callbacks.

This module decides only *which* steps a case takes, *who* takes them and *when*. What a step does is
the case desk's: each case is a plain row (``SimulatedCase``) that its report opens with
``cases.open_case``; every step is found and checked in ``workflow.TABLE`` (state, role) and by
``cases.check_step`` (note, guard), and changes the row through ``cases.apply_step`` (the row's named
effect: times, due times, deadline, counters, pending request, closure kind), under the city's
``EverydayConfig`` (``cases.LoopRules``).
The only difference from the desk is the time line: integer seconds on ``calendar.WorkingClock`` (the
working calendar as a per-minute table) rather than datetimes on ``WorkingCalendar``, because a year
asks it tens of millions of times. Where the generator itself needs working time (a department works in
office hours; the work is done within its deadline, mostly) it asks the same clock.

Time is simulated up to "now" (midnight after the last day): steps that would happen later are not
written, so recent cases are still open and some of them overdue, as in a live centre.

Rows go to the driver in chunks (SQLite ``executemany``, PostgreSQL ``COPY``: see ``BulkWriter`` for
why not ``session.execute(insert(...))``); the journal gets one ``case.history`` event per case (its
compact transition list and final fields) through ``journal.append_many``, rather than one per
transition, to keep the journal's volume sane; live actions write one event per transition.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
import random
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data import journal
from data.errors import InputError, NoCity
from data.id_floor import first_free_id, id_floor
from data.models import (
    Case,
    CaseHistory,
    Component,
    ComponentType,
    EventType,
    GridCell,
    Role,
    Staff,
    Supervisor,
)
from modes.common.clock import SystemClock
from modes.everyday import workflow
from modes.everyday.calendar import Limit, WorkingClock
from modes.everyday.cases import LoopRules, Step, apply_step, check_step, open_case
from modes.everyday.config import EverydayConfig
from modes.everyday.routing import Router

Progress = Callable[[str, float], None]

PER_DAY = 2000  # Harbin: ~2,000 problems a day
CHUNK_CASES = 20_000
DEFER_INDEXES_ABOVE = 100_000  # expected cases above which SQLite indexes are rebuilt, not updated
HISTORY_ACTOR = "history"

# Channel shares: supervisors find most problems; the rest come from cameras and the public.
CHANNELS = ("supervisor", "camera", "hotline", "internet", "patrol", "media")
CHANNEL_P = (0.64, 0.10, 0.12, 0.07, 0.04, 0.03)
PUBLIC = frozenset({"hotline", "internet", "media"})  # citizens: these get a satisfaction callback

# Monday..Sunday: fewer reports at weekends (fewer supervisors on patrol, fewer calls).
WEEKDAY_FACTOR = (1.06, 1.06, 1.06, 1.06, 1.06, 0.88, 0.82)

COMPONENT_SHARE = 0.33  # of reports: a registered component (manhole cover, lamp, sign...) is at fault

# Event types by GB/T 47678.5 code (legacy 4-digit codes where the type has no GB code) and weight.
# fmt: off
EVENT_MIX: tuple[tuple[str, float], ...] = (
    ("06010", 14.0),  # 暴露垃圾
    ("07001", 14.0),  # 非法小广告
    ("09005", 7.0),   # 店外经营
    ("09001", 6.0),   # 无照经营游商
    ("06036", 6.0),   # 乱堆杂物
    ("06012", 5.0),   # 道路不洁
    ("09009", 4.0),   # 机动车乱停放
    ("06013", 4.0),   # 道路破损
    ("09010", 3.0),   # 非机动车乱停放
    ("06011", 3.0),   # 积存垃圾渣土
    ("09006", 3.0),   # 占道经营
    ("06014", 2.0),   # 道路遗撒
    ("08002", 2.0),   # 施工占道
    ("08004", 2.0),   # 工地扬尘
    ("06019", 2.0),   # 非装饰性吊挂
    ("06001", 2.0),   # 私搭乱建
    ("07003", 2.0),   # 违规户外广告
    ("06042", 2.0),   # 垃圾站（箱）满溢
    ("08005", 1.5),   # 施工废弃料
    ("06017", 1.5),   # 绿地脏乱
    ("06029", 1.5),   # 露天烧烤
    ("07002", 1.0),   # 街头散发广告
    ("06034", 1.0),   # 废弃车辆
    ("06035", 1.0),   # 废弃家具设备
    ("06007", 1.0),   # 沿街晾挂
)
# Sudden events (urgent, continuous clock): ~0.6% of all cases (5,600 of 930,000 in the seed article).
URGENT_MIX: tuple[tuple[str, float, tuple[int, ...] | None], ...] = (
    ("0401", 0.10, None),            # 路面塌陷
    ("0402", 0.15, None),            # 自来水管破裂
    ("0403", 0.03, None),            # 燃气管道破裂
    ("0404", 0.25, None),            # 下水道堵塞或破损
    ("0405", 0.10, (10, 11, 12, 1, 2, 3)),  # 热力管道破裂: the heating season
    ("0406", 0.20, (6, 7, 8)),       # 道路积水: summer storms
    ("10001", 0.30, (11, 12, 1, 2, 3)),  # 道路积雪、结冰
    ("10002", 0.10, None),           # 架空线缆脱落
)
# fmt: on

NOTES = {
    "void_unfounded": "现场核实不属实，作废",
    "void_remit": "不属于城管受理范围，作废",
    "void_after_filing": "立案有误（重复立案），作废",
    "not_found": "现场未发现该问题",
    "request_return": "非本单位职责，申请回退",
    "request_extension": "需协调施工单位，申请延期",
    "reject_extension": "延期理由不充分",
    "request_suspension": "需纳入年度维修计划，申请挂账",
    "check_fail": "现场核查未整改到位",
    "close_error": "经核实不属于立案范围，差错结案",
    "close_special": "已纳入改造计划，特殊结案",
}


# --- one case walking the transition table -----------------------------------------------------------


class _Stop(Exception):
    """The next step would happen after "now": the case stays where it is."""


_FINISHED = frozenset(s.value for s in workflow.FINISHED)
_TABLE = workflow.TABLE  # workflow.check, without a call in between (millions of steps)
_TIME_COLUMNS = (
    "accept_due",
    "accepted_at",
    "verify_due",
    "verified_at",
    "file_due",
    "filed_at",
    "dispatch_due",
    "dispatched_at",
    "started_at",
    "deadline",
    "feedback_at",
    "send_check_due",
    "check_due",
    "checked_at",
    "close_due",
    "closed_at",
    "voided_at",
    "evaluated_at",
    "suspended_at",
)


class Simulation:
    """A timeline of simulated cases: the case desk's rules (``cases.LoopRules``) on the working clock,
    and when steps may happen.

    ``now_s`` is the moment nothing may happen after (the generator's "now"; an import has none).
    ``step_apart``: seconds between consecutive steps of a case at least; the generator keeps history
    order equal to time order, an import takes a source's times as they are (several steps in one
    second). ``time_text`` writes a moment as the journal does.
    """

    def __init__(
        self,
        config: EverydayConfig,
        clock: WorkingClock,
        time_text: Callable[[int], str],
        now_s: float = math.inf,
        step_apart: int = 0,
    ):
        self.clock = clock
        self.rules: LoopRules[int] = LoopRules(config, clock, time_text)
        self.now_s = now_s
        self.step_apart = step_apart


class SimulatedCase:
    """One case as a plain row: the ``Case`` columns the loop sets, times as seconds on the simulation's
    clock, and the steps taken. Each step is looked up in the transition table, checked (role, note,
    guard) and applied by the case desk's own ``cases.check_step`` and ``cases.apply_step``."""

    __slots__ = (
        "sim",
        "id",
        "kind",
        "type_code",
        "urgent",
        "channel",
        "state",
        "department_code",
        "duplicate_of",
        "closure_kind",
        "satisfaction",
        "pending",
        "suspended_minutes",
        "rework_count",
        "return_count",
        "extension_count",
        "suspension_count",
        "reported_at",
        "updated_at",
        "steps",
        *_TIME_COLUMNS,
    )

    def __init__(
        self,
        sim: Simulation,
        case_id: int,
        kind: str,
        type_code: str,
        urgent: bool,
        channel: str,
        department: str | None,
    ):
        self.sim = sim
        self.id, self.kind, self.type_code, self.urgent = case_id, kind, type_code, urgent
        self.channel, self.department_code = channel, department
        for c in _TIME_COLUMNS:
            setattr(self, c, None)
        self.state = self.duplicate_of = self.reported_at = self.updated_at = None
        self.closure_kind = self.satisfaction = self.pending = None
        self.suspended_minutes = 0.0
        self.rework_count = self.return_count = self.extension_count = self.suspension_count = 0
        # Per step, report first: (action, role, state before, state after, then what the rules were
        # given: second, actor, note, department, extension as text, satisfaction; last the due time
        # of the stage clock the step stopped, as the history row keeps it). Plain tuples of
        # strings and numbers, which the garbage collector stops tracking: a year's steps as objects
        # made it scan millions of them again and again.
        self.steps: list[tuple] = []

    @property
    def last(self) -> int:
        """When the case last changed (its last step)."""
        return self.updated_at

    def report(self, actor: str, role: str, s: int, duplicate_of: int | None) -> None:
        self.reported_at = self.updated_at = s
        open_case(self.sim.rules, self, s, duplicate_of)
        self.steps.append(("report", role, None, self.state, s, actor, "", None, None, None, None))

    def do(
        self,
        action: str,
        role: str,
        actor: str,
        s: int,
        note: str = "",
        *,
        department: str | None = None,
        extension: Limit | None = None,
        satisfaction: str | None = None,
    ) -> None:
        """Take ``action`` at second ``s`` (or just after the last step), unless that is after "now"."""
        sim = self.sim
        if s > sim.now_s:
            raise _Stop
        s = max(s, self.updated_at + sim.step_apart)
        if s > sim.now_s:
            raise _Stop
        before = self.state
        tr = _TABLE.step_by_action(before, action, role)  # a refusal here is a bug of the generator
        if tr.needs_note or tr.guard:
            check_step(self, tr, action, note)
        step = Step(s, actor, note, department, extension, satisfaction)
        apply_step(sim.rules, self, tr, step)
        asked = None if extension is None else str(extension)
        self.steps.append(
            (action, role, before, self.state, s, actor, note, department, asked, satisfaction, step.held_to)
        )

    @property
    def finished_at(self) -> float:
        """When the case stopped being open (for duplicate linking): closed, voided, or never."""
        if self.state in _FINISHED:
            return self.updated_at
        return math.inf


# --- the generator ----------------------------------------------------------------------------------


@dataclass
class _Seats:
    """Who sits at each desk: the municipal centre's seats and each district's command seats."""

    # district code -> the seats that may act on its cases: the centre's and the district's own (the
    # case desk refuses a district's staff a case of another district); None: the centre's alone.
    operators: dict[str | None, list[str]]
    shift_leaders: dict[str | None, list[str]]
    dispatchers: dict[str | None, str]  # district code -> its dispatcher (None: the city's)
    departments: dict[str, str]  # department code -> its login
    district_units: dict[str, str]  # district code -> its own "department" login (属地)


class _Generator(Simulation):
    def __init__(self, seed: int, config: EverydayConfig, clock: WorkingClock, days: int):
        self.texts = TimeTexts(clock)
        super().__init__(config, clock, self.texts.iso, now_s=days * 86400, step_apart=1)
        self.rng = np.random.default_rng(seed)
        self.rand = random.Random(seed)
        # The stage limits as plain seconds of clock time, only to draw realistic delays around them
        # (whether a step is on time is its stage clock's: the due time the rules set on the row).
        self.stage_seconds = {
            k: float(self.rules.stage_limit(k).due(0, clock, continuous=True))
            for k in ("accept", "verify", "file", "dispatch", "send_check", "check", "close")
        }
        self.extensions = [Limit(n, "working_days") for n in (1, 2, 3)]
        duty = config.supervision
        self.duty_days = duty.days
        self.duty_spans = sorted((_seconds(a), _seconds(b)) for a, b in duty.periods)
        self.first_weekday = clock.base.weekday()
        self.dup_window_s = config.duplicate_window_hours * 3600


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return SystemClock().now().date() - dt.timedelta(days=1)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"end must be a date YYYY-MM-DD, not {value!r}") from None


def generate_history(
    session: Session,
    *,
    days: int,
    seed: int,
    progress: Progress | None = None,
    end: dt.date | str | None = None,
    per_day: float = PER_DAY,
    defer_indexes: bool | None = None,
) -> dict:
    """Write ``days`` days of past cases ending on ``end`` (default yesterday); returns a summary.

    Deterministic for a given city, ``seed``, ``days``, ``end`` and configuration. Runs in the caller's
    transaction (the caller commits); ``progress(stage, fraction)`` is called once a simulated day.
    ``defer_indexes`` (default: when more than ``DEFER_INDEXES_ABOVE`` cases are expected) rebuilds the
    SQLite indexes of the tables written once at the end instead of updating them row by row.
    """
    report = progress or (lambda stage, fraction: None)
    gen, city, first_day, last_day = _prepare(session, days, seed, end, per_day, report)
    writer = BulkWriter(session, gen.clock, gen.texts)
    if defer_indexes if defer_indexes is not None else days * per_day >= DEFER_INDEXES_ABOVE:
        writer.defer_indexes()
    first_id = next_id = writer.first_free_id()
    counts = _Counts()
    out = BulkRows()
    for d, cases in _simulate_days(gen, city, first_day, days, per_day, first_id):
        for sim, facts in cases:
            cell = facts["cell"]
            out.add(writer, sim, facts, next_id, city.codes[cell], city.supervisor_id[cell], counts)
            next_id += 1
        if len(out.cases) >= CHUNK_CASES or d == days - 1:
            writer.flush(out)
            out = BulkRows()
        report("history: cases", (d + 1) / days)
    writer.finish()
    return counts.summary(first_day, last_day, first_id, next_id - 1)


def simulate_history(
    session: Session,
    *,
    days: int,
    seed: int,
    end: dt.date | str | None = None,
    per_day: float = PER_DAY,
    first_id: int = 1,
) -> Iterator[tuple[SimulatedCase, dict]]:
    """The cases ``generate_history`` would write with the same arguments, numbered from ``first_id``,
    without writing them: each case's row with its steps (``SimulatedCase.steps``: who took each step,
    when and with what inputs, so the same steps can be put to the case desk) and the facts of its
    report. Lazy: a day at a time."""
    gen, city, first_day, _last = _prepare(session, days, seed, end, per_day, lambda stage, fraction: None)
    for _d, cases in _simulate_days(gen, city, first_day, days, per_day, first_id):
        yield from cases


def _prepare(
    session: Session, days: int, seed: int, end: dt.date | str | None, per_day: float, report: Progress
) -> tuple[_Generator, _CityData, dt.date, dt.date]:
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise InputError(f"days must be a positive whole number, not {days!r}")
    if not per_day > 0:
        raise InputError(f"per_day must be positive, not {per_day!r}")
    last_day = _as_date(end)
    first_day = last_day - dt.timedelta(days=days - 1)
    config = EverydayConfig.load(session)
    base = dt.datetime.combine(first_day, dt.time())
    # Deadlines run past "now" (15 working days, extensions, suspensions): a long table beyond it.
    clock = WorkingClock(config.calendar, base, days + 400)
    report("history: loading the city", 0.0)
    city = _CityData.load(session)
    return _Generator(seed, config, clock, days), city, first_day, last_day


def _simulate_days(
    gen: _Generator, city: _CityData, first_day: dt.date, days: int, per_day: float, first_id: int
) -> Iterator[tuple[int, Iterator[tuple[SimulatedCase, dict]]]]:
    """Day by day, the cases reported that day (numbered on from ``first_id``), each walked to "now"
    when it is asked for: take them in order, a day's before the next day's."""
    ids = itertools.count(first_id)
    recent: deque = deque()  # recent reports that a duplicate may point to: (reported s, id, facts)

    def day_cases(batch: _Batch) -> Iterator[tuple[SimulatedCase, dict]]:
        for i in range(batch.n):
            yield _simulate_case(gen, city, batch, i, next(ids), recent)

    for d in range(days):
        yield d, day_cases(city.sample_day(gen, first_day + dt.timedelta(days=d), d, per_day))


# --- the city as arrays ---------------------------------------------------------------------------------


@dataclass
class _Batch:
    n: int
    report_s: list[int]
    channel: list[str]
    cell: list[int]  # index into _CityData arrays
    x: list[float]
    y: list[float]
    component: list[int]  # index into _CityData.components, -1 for an event
    event_type: list[str | None]


class _CityData:
    """What the generator needs of the city, loaded once into arrays."""

    def __init__(self):
        self.codes: np.ndarray
        self.polys: np.ndarray

    @classmethod
    def load(cls, session: Session) -> _CityData:
        self = cls()
        rows = session.execute(
            select(
                GridCell.code, GridCell.geometry, GridCell.pop_day, GridCell.pop_night, GridCell.supervisor_id
            ).order_by(GridCell.code)
        ).all()
        if not rows:
            raise NoCity("the database holds no grid cells: seed or import a city before generating history")
        self.router = Router.load(session)
        self.codes = np.array([r[0] for r in rows], dtype=object)
        self.polys = np.array([r[1] for r in rows], dtype=object)
        shapely.prepare(self.polys)
        self.bounds = shapely.bounds(self.polys)
        pop_day = np.array([r[2] or 0 for r in rows], dtype=float)
        pop_night = np.array([r[3] or 0 for r in rows], dtype=float)
        # Problems follow people (day and night) with a floor so empty cells (parks, works) still get some.
        weight = pop_day + 0.5 * pop_night
        weight = weight + max(weight.mean() * 0.05, 1.0)
        self.cell_p = weight / weight.sum()
        self.supervisor_id = [r[4] for r in rows]
        sup_codes = dict(session.execute(select(Supervisor.id, Supervisor.code)).all())
        self.supervisor_code = [sup_codes.get(s) if s is not None else None for s in self.supervisor_id]
        self.index_of = {c: i for i, c in enumerate(self.codes)}

        comps = session.execute(
            select(
                Component.id,
                Component.type_code,
                Component.owner_code,
                Component.cell_code,
                Component.x,
                Component.y,
            )
        ).all()
        self.comp_id = [c[0] for c in comps]
        self.comp_type = [c[1] for c in comps]
        self.comp_owner = [c[2] for c in comps]
        self.comp_x = [c[4] for c in comps]
        self.comp_y = [c[5] for c in comps]
        by_cell: dict[int, list[int]] = {}
        for k, c in enumerate(comps):
            i = self.index_of.get(c[3])
            if i is not None:
                by_cell.setdefault(i, []).append(k)
        self.comps_in_cell = by_cell
        names = dict(session.execute(select(ComponentType.code, ComponentType.name)).all())
        # Manhole covers that go missing are what made Harbin's urgent list (domain.md section 1).
        self.cover_types = {code for code, name in names.items() if "井盖" in name}

        etypes = dict(session.execute(select(EventType.code, EventType.urgent)).all())
        legacy = dict(session.execute(select(EventType.legacy_code, EventType.code)).all())

        def known(code: str) -> str | None:
            if code in etypes:
                return code
            return legacy.get(code)

        self.event_codes = [known(c) for c, _ in EVENT_MIX]
        self.event_w = np.array([w for c, w in EVENT_MIX], dtype=float)
        self.event_urgent = {c: bool(etypes[c]) for c in etypes}
        keep = [k for k, c in enumerate(self.event_codes) if c is not None]
        if not keep:
            raise NoCity("the database holds none of the common event types: load the standard types first")
        self.event_codes = [self.event_codes[k] for k in keep]
        self.event_w = self.event_w[keep]
        self.urgent_mix = [(known(c), w, months) for c, w, months in URGENT_MIX if known(c) is not None]
        self.seats = _load_seats(session)
        return self

    def sample_day(self, gen: _Generator, day: dt.date, d: int, per_day: float) -> _Batch:
        rng = gen.rng
        mean = per_day * WEEKDAY_FACTOR[day.weekday()] / (sum(WEEKDAY_FACTOR) / 7)
        n = int(rng.poisson(mean))
        channel_idx = rng.choice(len(CHANNELS), size=n, p=CHANNEL_P)
        channels = [CHANNELS[k] for k in channel_idx]
        tod = time_of_day(rng, channel_idx)
        order = np.argsort(tod, kind="stable")
        tod = tod[order]
        channels = [channels[k] for k in order]
        report_s = (d * 86400 + tod).tolist()

        cells = rng.choice(len(self.codes), size=n, p=self.cell_p)
        xs, ys = self._points_in(rng, cells)
        comp = np.full(n, -1, dtype=np.int64)
        want_comp = rng.random(n) < COMPONENT_SHARE
        picks = rng.random(n)
        for k in np.flatnonzero(want_comp):
            pool = self.comps_in_cell.get(int(cells[k]))
            if pool:
                c = pool[int(picks[k] * len(pool))]
                comp[k] = c
                xs[k], ys[k] = self.comp_x[c], self.comp_y[c]
        # Routing the vectorised way: one batch point location, then the assignment table per case.
        located = self.router.grid.locate_indices(xs, ys)
        cells = np.where(located >= 0, located, cells)

        month = day.month
        urgent = [(c, w) for c, w, months in self.urgent_mix if months is None or month in months]
        codes = self.event_codes + [c for c, _ in urgent]
        # The urgent weights are shares of all cases; scale the ordinary ones to the rest.
        u_total = sum(w for _, w in urgent) / 100.0
        e_total = self.event_w.sum()
        p = np.concatenate([self.event_w / e_total * (1 - u_total), np.array([w for _, w in urgent]) / 100.0])
        p = p / p.sum()
        etype = rng.choice(len(codes), size=n, p=p)
        event_type = [codes[e] if comp[k] < 0 else None for k, e in enumerate(etype.tolist())]
        return _Batch(
            n, report_s, channels, cells.tolist(), xs.tolist(), ys.tolist(), comp.tolist(), event_type
        )

    def _points_in(self, rng: np.random.Generator, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        b = self.bounds[cells]
        xs = np.empty(len(cells))
        ys = np.empty(len(cells))
        todo = np.arange(len(cells))
        for _ in range(20):
            if not len(todo):
                break
            bx = b[todo]
            cx = rng.uniform(bx[:, 0], bx[:, 2])
            cy = rng.uniform(bx[:, 1], bx[:, 3])
            ok = shapely.contains_xy(self.polys[cells[todo]], cx, cy)
            xs[todo[ok]], ys[todo[ok]] = cx[ok], cy[ok]
            todo = todo[~ok]
        if len(todo):
            pts = shapely.point_on_surface(self.polys[cells[todo]])
            xs[todo], ys[todo] = shapely.get_x(pts), shapely.get_y(pts)
        return xs, ys


def time_of_day(rng: np.random.Generator, channel_idx: np.ndarray) -> np.ndarray:
    """Seconds after midnight: supervisors and patrol cars in the daytime, the public around the clock."""
    n = len(channel_idx)
    field = (channel_idx == 0) | (channel_idx == 4)
    day = rng.uniform(7.0 * 3600, 18.5 * 3600, n)
    # The public: a broad daytime peak plus a thin night.
    public = np.where(
        rng.random(n) < 0.85,
        np.clip(rng.normal(14.0 * 3600, 3.6 * 3600, n), 6 * 3600, 23.5 * 3600),
        rng.uniform(0, 86400, n),
    )
    return np.where(field, day, public).astype(np.int64)


def _load_seats(session: Session) -> _Seats:
    rows = session.execute(select(Staff.login, Staff.role, Staff.district_code, Staff.department_code)).all()

    def by_district(role: Role) -> dict[str | None, list[str]]:
        centre = [login for login, r, district, _ in rows if r == role.value and district is None]
        seats: dict[str | None, list[str]] = {None: sorted(centre) or [role.value]}
        for login, r, district, _ in rows:
            if r == role.value and district is not None:
                seats.setdefault(district, list(centre)).append(login)
        return {district: sorted(logins) for district, logins in seats.items()}

    operators, leaders = by_district(Role.OPERATOR), by_district(Role.SHIFT_LEADER)
    dispatchers: dict[str | None, str] = {}
    departments: dict[str, str] = {}
    units: dict[str, str] = {}
    for login, role, district, department in rows:
        if role == Role.DISPATCHER.value:
            dispatchers.setdefault(district, login)
        elif role == Role.DEPARTMENT.value:
            if department:
                departments.setdefault(department, login)
            elif district:
                units.setdefault(district, login)
    dispatchers.setdefault(None, "dispatcher")
    return _Seats(operators, leaders, dispatchers, departments, units)


# --- the life of one case -----------------------------------------------------------------------------

_MIN = 60
_HOUR = 3600


@dataclass(slots=True)
class _Crew:
    """The people one case meets: its cell's supervisor and the seats on duty when it came in."""

    supervisor: str
    operator: str
    leader: str
    dispatcher: str
    unit: str  # the department's login, or the district's own unit when no department is responsible


def _simulate_case(gen: _Generator, city: _CityData, b: _Batch, i: int, case_id: int, recent: deque):
    rand = gen.rand
    seats = city.seats
    t0 = b.report_s[i]
    channel = b.channel[i]
    cell = b.cell[i]
    comp = b.component[i]
    facts = {"channel": channel, "x": b.x[i], "y": b.y[i], "cell": cell, "duplicate_of": None}
    if comp >= 0:
        facts["kind"], facts["type"], facts["component"] = (
            "component",
            city.comp_type[comp],
            city.comp_id[comp],
        )
        facts["department"] = city.comp_owner[comp]
        facts["urgent"] = facts["type"] in city.cover_types and rand.random() < 0.03
    else:
        facts["kind"], facts["type"], facts["component"] = "event", b.event_type[i], None
        facts["department"] = city.router.department_for_event(city.codes[cell][:6], facts["type"])
        facts["urgent"] = city.event_urgent.get(facts["type"], False)

    # A citizen or a camera often reports what is already open: the desk links it to the original.
    if channel != "supervisor":
        while recent and recent[0][0] < t0 - gen.dup_window_s:
            recent.popleft()
        if recent and rand.random() < 0.05:
            _, original, seen = recent[int(rand.random() * len(recent))]
            if seen["finished"] > t0:
                facts.update({k: seen[k] for k in _DUPLICATE_KEYS})
                facts["duplicate_of"] = original
    cell = facts["cell"]
    district = city.codes[cell][:6]
    department = facts["department"]
    unit = seats.departments.get(department) if department else seats.district_units.get(district)
    operators = seats.operators.get(district) or seats.operators[None]
    leaders = seats.shift_leaders.get(district) or seats.shift_leaders[None]
    crew = _Crew(
        supervisor=city.supervisor_code[cell] or "supervisor",
        operator=operators[int(rand.random() * len(operators))],
        leader=leaders[int(rand.random() * len(leaders))],
        dispatcher=seats.dispatchers.get(district) or seats.dispatchers[None],
        unit=unit or department or f"district {district}",
    )
    sim = SimulatedCase(gen, case_id, facts["kind"], facts["type"], facts["urgent"], channel, department)
    on_site = channel == "supervisor"
    facts["reporter"] = crew.supervisor if on_site else crew.operator
    sim.report(facts["reporter"], "supervisor" if on_site else "operator", t0, facts["duplicate_of"])
    if facts["duplicate_of"] is None:
        try:
            _walk(gen, sim, channel, crew, seats)
        except _Stop:
            pass
        # Public reports draw repeat reports; a supervisor's patch is seen by others too, less often.
        if channel != "supervisor" or rand.random() < 0.5:
            recent.append(
                (t0, case_id, {**{k: facts[k] for k in _DUPLICATE_KEYS}, "finished": sim.finished_at})
            )
    return sim, facts


_DUPLICATE_KEYS = ("kind", "type", "component", "department", "urgent", "cell", "x", "y")


def _within(rand: random.Random, s: int, due: int, limit_s: float, on_time: float) -> int:
    """When a stage's step is taken, its clock having started at ``s``: by the stage's due time with
    probability ``on_time`` (a delay around the limit's length in clock time, ``limit_s`` seconds, so the
    centre's seats work round the clock while a working-time limit waits for the next working hours),
    else after the due time."""
    if rand.random() < on_time:
        return min(s + max(30, int(limit_s * (0.15 + 0.8 * rand.random()))), due)
    return max(s, due) + max(60, int(limit_s * (0.05 + rand.expovariate(1.5))))


def _next_field_time(gen: _Generator, s: int) -> int:
    """Supervisors are on the street in their duty hours (``EverydayConfig.supervision``, by default
    07:00-19:00 every day): a task outside them waits for the next duty period, and a little more.
    ``DutyHours.on_duty`` on whole seconds (a year asks it a million times)."""
    day, tod = divmod(s, 86400)
    weekday = (gen.first_weekday + day) % 7
    if weekday in gen.duty_days and any(
        (a <= tod < b) if a < b else (tod >= a or tod < b) for a, b in gen.duty_spans
    ):
        return s
    for d in range(8):
        if (gen.first_weekday + day + d) % 7 not in gen.duty_days:
            continue
        for a, _b in gen.duty_spans:  # in order of the day
            start = (day + d) * 86400 + a
            if start > s:
                return start + int(gen.rand.random() * 40 * _MIN)
    return s  # no duty period in a week: the configuration allows none, the task is done at once


def _walk(gen: _Generator, sim: SimulatedCase, channel: str, crew: _Crew, seats: _Seats) -> None:
    """Intake, filing and dispatch; then ``_handle``; then the citizen's satisfaction callback."""
    rand = gen.rand
    lim = gen.stage_seconds
    s = sim.last
    if channel == "supervisor":  # on-site: accepted directly, or fixed on the spot
        if rand.random() < 0.08 and not sim.urgent:
            s += int(rand.uniform(2, 20) * _MIN)
            sim.do("self_fix", "supervisor", crew.supervisor, s)
            s = _within(rand, sim.last, sim.file_due, lim["file"], 0.95)
            sim.do("approve_self_fix", "shift_leader", crew.leader, s)
            return
        s = _within(rand, s, sim.accept_due, lim["accept"], 0.97)
        sim.do("accept", "operator", crew.operator, s)
    else:  # everyone else's report is verified on site first
        s = _within(rand, s, sim.accept_due, lim["accept"], 0.96)
        sim.do("send_verify", "operator", crew.operator, s)
        there = _next_field_time(gen, s)
        if there == s:
            s = _within(rand, s, sim.verify_due, lim["verify"], 0.94)
        else:
            s = there + int(rand.uniform(5, 60) * _MIN)
        if rand.random() < 0.03:
            sim.do("not_found", "supervisor", crew.supervisor, s, NOTES["not_found"])
            s += int(rand.uniform(10, 90) * _MIN)
            sim.do("void", "shift_leader", crew.leader, s, NOTES["void_unfounded"])
            return
        sim.do("verify", "supervisor", crew.supervisor, s)
    s = sim.last
    if rand.random() < 0.015:
        s = _within(rand, s, sim.file_due, lim["file"], 0.9)
        sim.do("void", "shift_leader", crew.leader, s, NOTES["void_remit"])
        return
    s = _within(rand, s, sim.file_due, lim["file"], 0.96)
    sim.do("file", "shift_leader", crew.leader, s)
    if rand.random() < 0.008:
        s += int(rand.uniform(5, 120) * _MIN)
        sim.do("void", "shift_leader", crew.leader, s, NOTES["void_after_filing"])
        return

    s = _within(rand, sim.last, sim.dispatch_due, lim["dispatch"], 0.96)
    department = sim.department_code
    if department and rand.random() < 0.03:  # sent to the wrong unit first, which returns it (回退)
        wrong = [d for d in seats.departments if d != department]
        if wrong:
            sim.do(
                "dispatch",
                "dispatcher",
                crew.dispatcher,
                s,
                department=wrong[int(rand.random() * len(wrong))],
            )
            s += int(rand.uniform(20, 240) * _MIN)
            sim.do(
                "request_return",
                "department",
                seats.departments[sim.department_code],
                s,
                NOTES["request_return"],
            )
            s += int(rand.uniform(5, 60) * _MIN)
            sim.do("approve_return", "dispatcher", crew.dispatcher, s)
            s = _within(rand, sim.last, sim.dispatch_due, lim["dispatch"], 0.9)
    sim.do("dispatch", "dispatcher", crew.dispatcher, s, department=department)
    _handle(gen, sim, s, crew)
    if sim.closure_kind in ("normal", "overdue") and channel in PUBLIC and rand.random() < 0.85:
        s = sim.last + int(rand.uniform(1, 30) * _HOUR)
        r = rand.random()
        satisfaction = "satisfied" if r < 0.86 else "basic" if r < 0.962 else "unsatisfied"
        sim.do("evaluate", "operator", crew.operator, s, satisfaction=satisfaction)


def _handle(gen: _Generator, sim: SimulatedCase, s: int, crew: _Crew) -> None:
    """From dispatch to closing, with the department's special paths and rework."""
    rand = gen.rand
    clock = gen.clock
    lim = gen.stage_seconds
    unit, urgent = crew.unit, sim.urgent
    for attempt in range(3):
        s = _office_time(clock, s + int(rand.uniform(5, 90) * _MIN), urgent)
        sim.do("start", "department", unit, s)
        if attempt == 0 and rand.random() < 0.004:
            s = _office_time(clock, s + int(rand.uniform(1, 24) * _HOUR), urgent)
            sim.do("close_error", "shift_leader", crew.leader, s, NOTES["close_error"])
            return
        if attempt == 0 and rand.random() < 0.04:
            ext = gen.extensions[int(rand.random() * len(gen.extensions))]
            s = _office_time(clock, s + int(rand.uniform(1, 8) * _HOUR), urgent)
            sim.do("request_extension", "department", unit, s, NOTES["request_extension"], extension=ext)
            s += int(rand.uniform(10, 120) * _MIN)
            if rand.random() < 0.85:
                sim.do("approve_extension", "dispatcher", crew.dispatcher, s, extension=ext)
            else:
                sim.do("reject_extension", "dispatcher", crew.dispatcher, s, NOTES["reject_extension"])
        if attempt == 0 and rand.random() < 0.015:
            s = _office_time(clock, s + int(rand.uniform(1, 8) * _HOUR), urgent)
            sim.do("request_suspension", "department", unit, s, NOTES["request_suspension"])
            s += int(rand.uniform(10, 120) * _MIN)
            sim.do("approve_suspension", "dispatcher", crew.dispatcher, s)
            s += int(rand.uniform(2, 30) * 86400)
            if rand.random() < 0.3:
                sim.do("close_special", "shift_leader", crew.leader, s, NOTES["close_special"])
                return
            sim.do("resume", "dispatcher", crew.dispatcher, s)
        s = _work_done(gen, sim, sim.last)
        sim.do("feedback", "department", unit, s)
        s = _within(rand, sim.last, sim.send_check_due, lim["send_check"], 0.95)
        sim.do("send_check", "operator", crew.operator, s)
        s = sim.last
        there = _next_field_time(gen, s)
        if there == s:
            s = _within(rand, s, sim.check_due, lim["check"], 0.95)
        else:
            s = there + int(rand.uniform(5, 60) * _MIN)
        if attempt < 2 and rand.random() < 0.05:
            sim.do("check_fail", "supervisor", crew.supervisor, s, NOTES["check_fail"])
            s = _within(rand, sim.last, sim.dispatch_due, lim["dispatch"], 0.95)
            sim.do("rework", "dispatcher", crew.dispatcher, s)
            continue
        sim.do("check_pass", "supervisor", crew.supervisor, s)
        s = _within(rand, sim.last, sim.close_due, lim["close"], 0.95)
        sim.do("close", "shift_leader", crew.leader, s)
        return


def _work_done(gen: _Generator, sim: SimulatedCase, s: int) -> int:
    """When the department reports the work done: nine in ten inside the deadline, a tail beyond it."""
    rand, clock, due = gen.rand, gen.clock, sim.deadline
    if rand.random() < 0.9:
        frac = 0.08 + 0.85 * rand.betavariate(2.0, 2.6)
    else:
        frac = 1.02 + rand.expovariate(1.8)
    limit = gen.rules.handling_limit(sim.kind, sim.type_code, sim.urgent)
    if sim.urgent or not limit.working:
        span = max(due - s, 600) if due is not None else 4 * _HOUR
        return s + 60 + int(span * frac)
    left = clock.working_minutes(s, due) if due is not None else 240
    return clock.add_working(s, max(left, 10) * frac) + 60


def _office_time(clock: WorkingClock, s: int, urgent: bool) -> int:
    """Departments work in working hours (urgent cases at once, day or night)."""
    if urgent:
        return s
    return clock.add_working(s, 1 / 60) - 1  # the same moment inside working time, else the next opening


# --- rows ---------------------------------------------------------------------------------------------


@dataclass
class _Counts:
    cases: int = 0
    history_rows: int = 0
    states: Counter = field(default_factory=Counter)
    closure: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    special: Counter = field(default_factory=Counter)

    def summary(self, first: dt.date, last: dt.date, first_id: int, last_id: int) -> dict:
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "cases": self.cases,
            "history_rows": self.history_rows,
            "journal_events": self.cases,
            "first_case_id": first_id if self.cases else None,
            "last_case_id": last_id if self.cases else None,
            "states": dict(sorted(self.states.items())),
            "closure_kinds": dict(sorted(self.closure.items())),
            "channels": dict(sorted(self.channels.items())),
            "special_paths": dict(sorted(self.special.items())),
        }


_SPECIAL = {
    "self_fix": "self_fixed",
    "request_return": "returned",
    "approve_extension": "extended",
    "approve_suspension": "suspended",
    "rework": "reworked",
    "void": "voided",
    "not_found": "not_found",
    "close_error": "closed_in_error",
}

CASE_COLUMNS = (
    "id",
    "kind",
    "type_code",
    "channel",
    "state",
    "urgent",
    "x",
    "y",
    "cell_code",
    "community_code",
    "street_code",
    "district_code",
    "department_code",
    "supervisor_id",
    "component_id",
    "description",
    "reporter",
    "reported_at",
    *_TIME_COLUMNS,
    "closure_kind",
    "satisfaction",
    "suspended_minutes",
    "rework_count",
    "return_count",
    "extension_count",
    "suspension_count",
    "pending",
    "duplicate_of",
    "external_ref",
    "updated_at",
)
HISTORY_COLUMNS = ("case_id", "at", "actor", "role", "action", "from_state", "to_state", "note", "stage_due")
_case_times = operator.attrgetter(*_TIME_COLUMNS)


@dataclass
class BulkRows:
    actor: str = HISTORY_ACTOR  # who the journal says wrote the events
    cases: list[tuple] = field(default_factory=list)
    history: list[tuple] = field(default_factory=list)
    events: list[journal.NewEvent] = field(default_factory=list)

    def add(
        self,
        w: BulkWriter,
        sim: SimulatedCase,
        facts: dict,
        case_id: int,
        code: str,
        supervisor_id: int | None,
        counts: _Counts | None = None,
    ) -> None:
        """One case's row, its history rows and its ``case.history`` journal event."""
        counts = counts if counts is not None else _Counts()
        fmt = w.db_time
        times = _case_times(sim)
        self.cases.append(
            (
                case_id,
                facts["kind"],
                facts["type"],
                facts["channel"],
                sim.state,
                facts["urgent"],
                facts["x"],
                facts["y"],
                code,
                code[:12],
                code[:9],
                code[:6],
                sim.department_code,
                supervisor_id,
                facts["component"],
                facts.get("text", ""),
                facts["reporter"],
                fmt(sim.reported_at),
                *[None if t is None else fmt(t) for t in times],
                sim.closure_kind,
                sim.satisfaction,
                sim.suspended_minutes,
                sim.rework_count,
                sim.return_count,
                sim.extension_count,
                sim.suspension_count,
                sim.pending,
                sim.duplicate_of,
                facts.get("external_ref"),
                fmt(sim.updated_at),
            )
        )
        compact = []
        iso = w.iso_time
        for (
            action,
            role,
            before,
            after,
            s,
            actor,
            note,
            _department,
            _extension,
            _satisfaction,
            due,
        ) in sim.steps:
            self.history.append(
                (case_id, fmt(s), actor, role, action, before, after, note, None if due is None else fmt(due))
            )
            compact.append([action, role, actor, iso(s)])
            if action in _SPECIAL:
                counts.special[_SPECIAL[action]] += 1
        if facts["duplicate_of"] is not None:
            counts.special["merged"] += 1
        self.events.append(
            journal.NewEvent(
                kind="case.history",
                actor=self.actor,
                at=w.clock.to_dt(sim.last),
                subject=f"case/{case_id}",
                district_code=code[:6],
                payload={
                    "steps": compact,
                    "case": {
                        "kind": facts["kind"],
                        "type": facts["type"],
                        "channel": facts["channel"],
                        "urgent": facts["urgent"],
                        "x": round(facts["x"], 2),
                        "y": round(facts["y"], 2),
                        "cell": code,
                        "department": sim.department_code,
                        "component": facts["component"],
                        "duplicate_of": facts["duplicate_of"],
                        "state": sim.state,
                        "deadline": None if sim.deadline is None else iso(sim.deadline),
                        "closure_kind": sim.closure_kind,
                        "satisfaction": sim.satisfaction,
                    },
                },
            )
        )
        counts.cases += 1
        counts.history_rows += len(sim.steps)
        counts.states[sim.state] += 1
        counts.channels[facts["channel"]] += 1
        if sim.closure_kind:
            counts.closure[sim.closure_kind] += 1


class TimeTexts:
    """Seconds on a ``WorkingClock`` as text: what SQLAlchemy stores on SQLite (``db``) and the
    journal's ISO form to the second (``iso``).

    A time is a day's text plus a second-of-day's text, both made once here: two list reads and a
    concatenation per time, for the ~25 times a case writes (a year: 18 million)."""

    def __init__(self, clock: WorkingClock):
        self.clock = clock
        self._days = clock.horizon // 86400 + 1
        base = clock.base.date()
        days = [(base + dt.timedelta(days=d)).isoformat() for d in range(self._days)]
        sod = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self._day_db = [d + " " for d in days]
        self._sod_db = [t + ".000000" for t in sod]
        self._day_iso = [d + "T" for d in days]
        self._sod_iso = sod

    def db(self, s: int) -> str:
        day = s // 86400
        if 0 <= day < self._days:
            return self._day_db[day] + self._sod_db[s - day * 86400]
        return self.clock.to_dt(s).isoformat(sep=" ", timespec="microseconds")

    def iso(self, s: int) -> str:
        day = s // 86400
        if 0 <= day < self._days:
            return self._day_iso[day] + self._sod_iso[s - day * 86400]
        return self.clock.to_dt(s).isoformat(timespec="seconds")


class BulkWriter:
    """Rows straight to the driver: SQLite ``executemany``, PostgreSQL ``COPY``.

    SQLAlchemy's per-row parameter processing cost more than everything else together at a year's
    volume, so times are formatted once (``TimeTexts``), as the text SQLAlchemy itself stores on SQLite
    (``YYYY-MM-DD HH:MM:SS.ffffff``, which keeps SQL comparisons between columns right) and which
    PostgreSQL's COPY parses. The journal still goes through ``journal.append_many`` (one hash chain).
    """

    def __init__(self, session: Session, clock: WorkingClock, texts: TimeTexts | None = None):
        self.session = session
        self.clock = clock
        self.texts = texts if texts is not None else TimeTexts(clock)
        self.db_time = self.texts.db
        self.iso_time = self.texts.iso
        self.dialect = session.get_bind().dialect.name
        if self.dialect not in ("sqlite", "postgresql"):
            raise InputError(f"history generation supports SQLite and PostgreSQL, not {self.dialect}")
        self._cache_size = None
        self._deferred: list = []
        if self.dialect == "sqlite":
            # A year of cases updates a dozen indexes; SQLite's default 2 MB page cache would spill to
            # the file all the time. Borrow 256 MB for the duration, give it back in ``finish``.
            conn = session.connection()
            self._cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql("PRAGMA cache_size = -262144")

    def defer_indexes(self) -> None:
        """SQLite: drop the secondary indexes of the tables written here, to rebuild them in ``finish``.

        Building an index once over a year of rows (a sort) costs a fraction of updating a dozen of them
        row by row. Everything happens in the caller's transaction: a failure rolls the drops back too,
        and other connections keep reading the committed tables with their indexes meanwhile.
        """
        if self.dialect != "sqlite":
            return
        conn = self.session.connection()
        self._deferred = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('cases', 'case_history', 'journal') ORDER BY name"
        ).all()
        for name, _sql in self._deferred:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')

    def first_free_id(self) -> int:
        """Case ids are given here, so history rows can name their case before it is inserted; never an id
        a purged exercise's case had (``data.id_floor``)."""
        return first_free_id(self.session, Case.__table__)

    def finish(self) -> None:
        if self._deferred:
            conn = self.session.connection()
            for _name, sql in self._deferred:
                conn.exec_driver_sql(sql)
            self._deferred = []
        if self._cache_size is not None:
            self.session.connection().exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
        if self.dialect == "postgresql":
            # Ids were given explicitly: move the sequence past them so the case desk's inserts continue
            # (never back below a purged exercise's ids).
            self.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                    "GREATEST((SELECT MAX(id) FROM cases), NULLIF(:floor, 0)))"
                ),
                {"floor": id_floor(self.session, Case.__tablename__)},
            )

    def flush(self, rows: BulkRows) -> None:
        if not rows.cases:
            return
        self._write(Case.__tablename__, CASE_COLUMNS, rows.cases)
        self._write(CaseHistory.__tablename__, HISTORY_COLUMNS, rows.history)
        journal.append_many(self.session, rows.events)

    def _write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        conn = self.session.connection()
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def add_history(make_session: Callable[[], Session], **kw) -> dict:
    """``generate_history`` in a transaction of its own: the demo city's past, written when it is
    founded (``seed --history-days``), not a command on a city."""
    with make_session() as s, s.begin():
        return generate_history(s, **kw)
