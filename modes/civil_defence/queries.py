"""What the civil-defence console reads: districts, sirens, coverage, shelters and the page's summary.

Each function takes the caller's session (or what was read with one) and returns frozen dataclasses or
the mode's own plain results, which hold numpy arrays and shapely geometry, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.civil_defence_models import PERSONNEL_CLASSES, Shelter, Siren, SirenStatus
from data.errors import InputError
from data.models import District
from modes.civil_defence import coverage, evacuation
from modes.common.views import CodeName

SIREN_STATUSES = tuple(s.value for s in SirenStatus)
PLAN_SHELTER_CLASSES = tuple(c.value for c in PERSONNEL_CLASSES)


@dataclass(frozen=True)
class SirenSet:
    """Every siren as arrays (city CRS): the map draws them, the strip counts them."""

    ids: np.ndarray
    names: tuple[str, ...]
    districts: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    radius_m: np.ndarray
    status_idx: np.ndarray  # index into SIREN_STATUSES

    @property
    def out_of_service(self) -> int:
        return int((self.status_idx != SIREN_STATUSES.index(SirenStatus.IN_SERVICE.value)).sum())


@dataclass(frozen=True)
class CoverageView:
    report: coverage.CoverageReport
    covered_area: object  # shapely geometry: the union of the in-service audible disks (city CRS)
    uncovered_codes: np.ndarray  # cells with people nobody's siren reaches (at least partly)
    sirens: SirenSet


@dataclass(frozen=True)
class ShelterRow:
    id: str
    name: str
    shelter_class: str
    district: str | None
    status: str
    capacity: int
    occupancy: int
    x: float
    y: float


@dataclass(frozen=True)
class Summary:
    """The strip at the top of the page."""

    population: float
    covered: float
    sheltered_capacity: int  # places in the open personnel shelters the plan may use
    unplaced: int
    sirens_out: int
    sirens_total: int

    @property
    def covered_share(self) -> float:
        return self.covered / self.population if self.population else 0.0


def districts(session: Session) -> tuple[CodeName, ...]:
    rows = session.execute(select(District.code, District.name).order_by(District.code)).all()
    return tuple(CodeName(c, n or "") for c, n in rows)


def sirens(session: Session) -> SirenSet:
    return _siren_set(session.scalars(select(Siren).order_by(Siren.id)).all())


def coverage_view(model: coverage.CoverageModel, all_sirens: SirenSet) -> CoverageView:
    """The coverage report of a loaded model, the audible area it draws, and the cells left out."""
    report = model.report()
    live = model.disks[model.in_service]
    union = shapely.union_all(live) if len(live) else shapely.Polygon()
    codes = np.array([c.cell for c in report.uncovered_cells], dtype=object)
    return CoverageView(report, union, codes, all_sirens)


def personnel_shelters(session: Session) -> tuple[ShelterRow, ...]:
    """The personnel shelters (the ones the evacuation plan fills), open or not."""
    rows = session.scalars(
        select(Shelter).where(Shelter.shelter_class.in_(PLAN_SHELTER_CLASSES)).order_by(Shelter.id)
    )
    return tuple(
        ShelterRow(
            r.id,
            r.name or "",
            r.shelter_class,
            r.district_code,
            r.status,
            int(r.capacity),
            int(r.occupancy or 0),
            float(r.x),
            float(r.y),
        )  # fmt: skip
        for r in rows
    )


def summary(view: CoverageView, plan: evacuation.EvacuationPlan) -> Summary:
    r = view.report
    return Summary(
        r.population,
        r.covered,
        int(plan.problem.capacity.sum()),
        plan.unplaced,
        view.sirens.out_of_service,
        len(view.sirens.ids),
    )


def _siren_set(rows: Sequence[Siren]) -> SirenSet:
    radii = []
    for r in rows:
        try:
            radii.append(coverage.siren_radius(r))
        except InputError:
            radii.append(0.0)  # a siren without a usable power covers nothing; it still shows
    return SirenSet(
        np.array([r.id for r in rows], dtype=object),
        tuple(r.name or "" for r in rows),
        tuple(r.district_code or "" for r in rows),
        np.array([r.x for r in rows], dtype=float),
        np.array([r.y for r in rows], dtype=float),
        np.array(radii, dtype=float),
        np.array(
            [SIREN_STATUSES.index(r.status) if r.status in SIREN_STATUSES else 1 for r in rows],
            dtype=np.int16,
        ),
    )
