"""Which units to send: the nearest available units, optionally of one capability, with an ETA.

A ``UnitIndex`` keeps one KD-tree (``scipy.spatial.cKDTree``) per capability over the available units,
built lazily and rebuilt when a unit's status changes (a thousand points take well under a
millisecond); the nearest 10 among 1,000 is then a few tens of microseconds (bench/bench_nearest_units.py).

ETA is straight-line distance over the unit's speed (``ETA_BASIS``): the demo city's roads are a
handful of main lines, not a routable network, so a road-network time would pretend to a precision we
do not have. A commander reads it as a lower bound.

Ties (vehicles of one station share a position) are broken by unit id, so the answer is the same as
sorting every candidate by (distance, id): the KD-tree's k-th distance bounds a ball query that
collects every unit at that distance before the final sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import Capability, RescueUnit, UnitStatus
from data.errors import InputError

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

ETA_BASIS = "straight_line"


@dataclass(frozen=True)
class Suggestion:
    unit_id: str
    name: str
    kind: str
    capability: str
    capacity: int
    distance_m: float
    eta_minutes: float
    speed_kmh: float
    district: str | None
    department: str | None
    base: str
    x: float
    y: float

    def as_dict(self) -> dict:
        return {
            "unit": self.unit_id,
            "name": self.name,
            "kind": self.kind,
            "capability": self.capability,
            "capacity": self.capacity,
            "distance_m": round(self.distance_m, 1),
            "eta_minutes": round(self.eta_minutes, 1),
            "eta_basis": ETA_BASIS,
            "speed_kmh": self.speed_kmh,
            "district": self.district,
            "department": self.department,
            "base": self.base,
        }


def eta_minutes(distance_m: float | np.ndarray, speed_kmh: float | np.ndarray) -> float | np.ndarray:
    return np.asarray(distance_m) / 1000.0 / np.asarray(speed_kmh) * 60.0


def parse_capability(need: str | None) -> Capability | None:
    if need is None or need == "" or need == "any":
        return None
    try:
        return Capability(need.strip().lower())
    except ValueError:
        known = ", ".join(c.value for c in Capability)
        raise InputError(f"unknown capability {need!r} (one of {known}, or any)") from None


class UnitIndex:
    """All rescue units in arrays; KD-trees over the available ones, per capability and overall."""

    def __init__(self, rows: list):
        self.ids = np.array([r.id for r in rows], dtype=object)
        self.names = np.array([r.name for r in rows], dtype=object)
        self.kinds = np.array([r.kind for r in rows], dtype=object)
        self.capability = np.array([r.capability for r in rows], dtype=object)
        self.capacity = np.array([r.capacity for r in rows], dtype=np.int64)
        self.status = np.array([r.status for r in rows], dtype=object)
        self.xy = np.array([(r.x, r.y) for r in rows], dtype=float).reshape(-1, 2)
        self.speed = np.array([r.speed_kmh for r in rows], dtype=float)
        self.district = np.array([r.district_code for r in rows], dtype=object)
        self.department = np.array([r.department_code for r in rows], dtype=object)
        self.base = np.array([r.base_name for r in rows], dtype=object)
        self._row_of = {uid: i for i, uid in enumerate(self.ids)}
        self._trees: dict[str | None, tuple[cKDTree, np.ndarray] | None] = {}

    @classmethod
    def load(cls, session: Session) -> UnitIndex:
        rows = session.connection().execute(
            select(
                RescueUnit.id,
                RescueUnit.name,
                RescueUnit.kind,
                RescueUnit.capability,
                RescueUnit.capacity,
                RescueUnit.status,
                RescueUnit.x,
                RescueUnit.y,
                RescueUnit.speed_kmh,
                RescueUnit.district_code,
                RescueUnit.department_code,
                RescueUnit.base_name,
            ).order_by(RescueUnit.id)
        )
        return cls(rows.all())

    def __len__(self) -> int:
        return len(self.ids)

    def set_status(self, unit_id: str, status: str) -> None:
        """Keep the index in step with a status change (the trees of that capability are rebuilt lazily)."""
        i = self._row_of.get(unit_id)
        if i is None or self.status[i] == status:
            return
        self.status[i] = status
        self._trees.pop(self.capability[i], None)
        self._trees.pop(None, None)

    def _tree(self, capability: str | None) -> tuple[cKDTree, np.ndarray] | None:
        if capability not in self._trees:
            ok = self.status == UnitStatus.AVAILABLE.value
            if capability is not None:
                ok &= self.capability == capability
            rows = np.flatnonzero(ok)
            # scipy costs a command-line call 0.6 s to import
            from scipy.spatial import cKDTree

            self._trees[capability] = (cKDTree(self.xy[rows]), rows) if len(rows) else None
        return self._trees[capability]

    def nearest_rows(
        self, x: float, y: float, k: int = 10, capability: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row indices, distances) of the ``k`` nearest available units, by (distance, id)."""
        built = self._tree(capability)
        if built is None or k <= 0:
            return np.array([], dtype=np.int64), np.array([])
        tree, rows = built
        k = min(k, len(rows))
        # One neighbour more than asked: when it is strictly further than the k-th, no tie crosses the
        # cut and the k found are the answer; otherwise collect everyone at the k-th distance.
        dist, found = tree.query((x, y), k=min(k + 1, len(rows)))
        dist, found = np.atleast_1d(dist), np.atleast_1d(found)
        if len(found) > k and dist[k] > dist[k - 1] * (1 + 1e-12) + 1e-9:
            cand = rows[found[:k]]
        else:
            cand = rows[
                np.asarray(tree.query_ball_point((x, y), dist[k - 1] * (1 + 1e-12) + 1e-9), dtype=np.int64)
            ]
        d = np.hypot(self.xy[cand, 0] - x, self.xy[cand, 1] - y)
        order = np.lexsort((self.ids[cand].astype(str), d))[:k]
        return cand[order], d[order]

    def nearest(self, x: float, y: float, k: int = 10, need: str | None = None) -> list[Suggestion]:
        cap = parse_capability(need)
        rows, dist = self.nearest_rows(x, y, k, cap.value if cap else None)
        # Columns sliced once and turned into Python values in bulk: per-field numpy scalars cost more
        # than the KD-tree lookup itself.
        speed = self.speed[rows]
        cols = zip(
            self.ids[rows].tolist(), self.names[rows].tolist(), self.kinds[rows].tolist(),
            self.capability[rows].tolist(), self.capacity[rows].tolist(), dist.tolist(),
            eta_minutes(dist, speed).tolist(), speed.tolist(), self.district[rows].tolist(),
            self.department[rows].tolist(), self.base[rows].tolist(), self.xy[rows, 0].tolist(),
            self.xy[rows, 1].tolist(), strict=True,
        )  # fmt: skip
        return [Suggestion(*c) for c in cols]
