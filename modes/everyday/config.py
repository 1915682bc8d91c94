"""Configuration of the everyday loop: time limits, calendar, duplicate detection, evaluation weights.

Defaults below follow the typical values of the standards (domain.md sections 3-4, reference 2.4 and
3.2); a city overrides any part by storing JSON under the ``everyday_config`` meta key (deep-merged).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session

from data.city import get_meta, set_meta
from data.errors import InputError
from modes.everyday.calendar import Limit, WorkingCalendar

DEFAULTS: dict = {
    "calendar": {
        "periods": [["08:00", "12:00"], ["14:00", "18:00"]],
        "weekend": [5, 6],
        "holidays": [],
        "workdays": [],
    },
    # Per-stage limits of the centre's steps (modes.everyday.cases.STAGES), in working time as the
    # standard counts every limit of an ordinary case (reference 2.4: 08:00-12:00, 14:00-18:00, no
    # weekends or holidays); urgent cases count them continuously. A natural unit ("minutes") counts
    # clock time for every case, and the clocks say so. send_check (the operator sends the check task
    # after the department's feedback) and close (the shift leader closes a passed check) are the seats'
    # steps the evaluation times with the accept and file limits.
    "stages": {
        "accept": [10, "working_minutes"],
        "verify": [30, "working_minutes"],
        "file": [30, "working_minutes"],
        "dispatch": [30, "working_minutes"],
        "send_check": [10, "working_minutes"],
        "check": [30, "working_minutes"],
        "close": [30, "working_minutes"],
    },
    # Handling limits, most specific first: exact type code, then major (first two digits), then default.
    "handling": {
        # Keys are "<kind>:<type code>" and "<kind>:<major>" (component and event majors overlap).
        "types": {
            "event:06010": [4, "working_hours"],  # 暴露垃圾
            "event:0102": [4, "working_hours"],
            "event:06011": [4, "working_days"],  # 积存垃圾渣土
            "event:0103": [4, "working_days"],
            "event:06012": [5, "working_hours"],  # 道路不洁
            "event:0104": [5, "working_hours"],
            "event:06001": [15, "working_days"],  # 私搭乱建
            "event:0101": [15, "working_days"],
            "event:08016": [15, "working_days"],  # 无证建设
        },
        "majors": {
            "component:01": [2, "working_days"],
            "component:04": [3, "working_days"],
            "event:07": [1, "working_days"],
            "event:09": [1, "working_days"],
        },
        "default": [2, "working_days"],
        "urgent": [4, "hours"],
    },
    "duplicates": {"radius_m": 50.0, "window_hours": 72.0},
    # The supervisors' patrol (监督员巡查): when they are on duty in the cells of their patch (periods
    # of the day, the days of the week, Monday = 0; a period may run past midnight). Coverage quality
    # (docs/coverage_quality.md) counts the problems reported in these hours; a cell or a supervisor
    # with fewer than min_problems such problems has a share shown but greyed, too few to judge.
    "supervision": {
        "duty_hours": [["07:00", "19:00"]],
        "duty_days": [0, 1, 2, 3, 4, 5, 6],
        "min_problems": 10,
    },
    "evaluation": {
        "grades": [
            [90, "A", "green"],
            [75, "B", "blue"],
            [60, "C", "yellow"],
            [40, "D", "red"],
            [0, "E", "black"],
        ],
        # 专业部门: 立案数×10% + 结案率×30% + 按期处置率×30% + 返工率×30% (reference 3.2)
        "department": {
            "weights": {"filed": 0.10, "closure": 0.30, "on_time": 0.30, "rework": 0.30},
            "filed_bands": [[50, 100], [100, 90], [200, 75], [500, 60], [1000, 40]],
        },
        # 区域: 监督举报率×10% + 立案数×20% + 结案率×30% + 按期结案率×40%
        "district": {
            "weights": {"public_report": 0.10, "filed": 0.20, "closure": 0.30, "on_time": 0.40},
            "filed_per_cell_bands": [[0, 100], [3, 90], [5, 75], [7, 60], [9, 40]],
        },
        # 监督员: 有效上报率×40% + 漏报率×20% + 按时核实率×20% + 按时核查率×20%
        "supervisor": {
            "weights": {"valid_report": 0.40, "missed": 0.20, "verify_on_time": 0.20, "check_on_time": 0.20}
        },
        # 受理员: 受理数×25% + 核实按时派发率×40% + 核查按时派发率×35%
        "operator": {"weights": {"volume": 0.25, "verify_sent_on_time": 0.40, "check_sent_on_time": 0.35}},
        # 值班长: 按时立案率×25% + 准确立案率×40% + 按时结案率×35%
        "shift_leader": {"weights": {"file_on_time": 0.25, "accurate_filing": 0.40, "close_on_time": 0.35}},
        # 派遣员: 派遣数×20% + 按时派遣率×40% + 准确派遣率×40%
        "dispatcher": {"weights": {"volume": 0.20, "dispatch_on_time": 0.40, "accurate_dispatch": 0.40}},
        "volume_bands": [[2000, 100], [1200, 90], [500, 75], [300, 60], [100, 40]],
    },
}


@dataclass(frozen=True)
class DutyHours:
    """When the supervisors patrol their cells, and how few problems are too few to judge a share."""

    periods: tuple[tuple[dt.time, dt.time], ...]  # start inclusive, end exclusive; end <= start: overnight
    days: frozenset[int]  # Monday = 0
    min_problems: int

    @classmethod
    def from_config(cls, cfg: dict) -> DutyHours:
        periods = tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in cfg["duty_hours"])
        if not periods or any(a == b for a, b in periods):
            raise ValueError("supervision duty_hours needs periods of some length, e.g. [['07:00', '19:00']]")
        days = frozenset(int(d) for d in cfg["duty_days"])
        if not days or not days <= set(range(7)):
            raise ValueError("supervision duty_days are weekdays 0 (Monday) to 6 (Sunday), at least one")
        minimum = int(cfg["min_problems"])
        if minimum < 1:
            raise ValueError(f"supervision min_problems must be at least 1, not {minimum}")
        return cls(periods, days, minimum)

    def on_duty(self, t: dt.datetime) -> bool:
        """Whether the supervisors are on duty at ``t``: the rule the SQL of the coverage counts."""
        if t.weekday() not in self.days:
            return False
        tod = t.time()
        return any((a <= tod < b) if a < b else (tod >= a or tod < b) for a, b in self.periods)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@dataclass(frozen=True)
class EverydayConfig:
    raw: dict

    @classmethod
    def load(cls, session: Session) -> EverydayConfig:
        text = get_meta(session, "everyday_config")
        return cls.from_dict(json.loads(text) if text else {})

    @classmethod
    def from_dict(cls, override: dict) -> EverydayConfig:
        cfg = cls(_merge(DEFAULTS, override))
        cfg.validate()
        return cfg

    def save(self, session: Session) -> None:
        set_meta(session, "everyday_config", json.dumps(self.raw, ensure_ascii=False))

    def validate(self) -> None:
        try:
            self.calendar  # noqa: B018 - parsing is the check
            for v in self.raw["stages"].values():
                Limit.parse(v)
            h = self.raw["handling"]
            for v in [*h["types"].values(), *h["majors"].values(), h["default"], h["urgent"]]:
                Limit.parse(v)
            self.supervision  # noqa: B018 - parsing is the check
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"invalid everyday configuration: {exc}") from None

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar.from_config(self.raw["calendar"])

    def stage_limit(self, stage: str) -> Limit:
        return Limit.parse(self.raw["stages"][stage])

    def handling_limit(self, kind: str, type_code: str, urgent: bool) -> Limit:
        h = self.raw["handling"]
        if urgent:
            return Limit.parse(h["urgent"])
        for table, key in ((h["types"], f"{kind}:{type_code}"), (h["majors"], f"{kind}:{type_code[:2]}")):
            if key in table:
                return Limit.parse(table[key])
        return Limit.parse(h["default"])

    @cached_property
    def supervision(self) -> DutyHours:
        return DutyHours.from_config(self.raw["supervision"])

    @property
    def duplicate_radius_m(self) -> float:
        return float(self.raw["duplicates"]["radius_m"])

    @property
    def duplicate_window_hours(self) -> float:
        return float(self.raw["duplicates"]["window_hours"])

    @property
    def evaluation(self) -> dict:
        return self.raw["evaluation"]
