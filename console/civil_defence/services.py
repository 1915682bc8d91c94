"""What the civil-defence panel may ask of the city (the mode's counterpart of ``console.services``).

Each call opens its own short session and returns frozen DTOs (or the modes' own plain results, which
hold numpy arrays and shapely geometry, never ORM objects). Every write is one method that goes through
``modes.civil_defence`` with the login's actor and role. The alarm order goes through the console's
write gateway (``console/gateway.py``): into the own database, or as the ``alarm.issue`` command to the
node a ``--connect`` console is attached to. So do the other writes: a siren's status
(``siren.status``), a district's acknowledgement of an alarm (``alarm.ack``), a shelter's status and
head count (``shelter.status``, ``shelter.occupancy``) and the annual test (``alarm.plan_test``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.dto import CodeName, Login
from console.gateway import LocalGateway, WriteGateway, order_from_doc, provisional_result
from data.civil_defence_models import PERSONNEL_CLASSES, AlarmKind, Shelter, Siren, SirenStatus
from data.errors import InputError
from data.models import District, Role
from modes.civil_defence import alarms, coverage, evacuation, replica_board
from modes.civil_defence.alarms import AlarmBoard, DeliveryStatus, TestPlan, parse_kind
from modes.civil_defence.authority import require_civil_defence
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.orders import OrderView

SessionFactory = Callable[[], Session]

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


class CivilDefenceServices:
    def __init__(
        self, session_factory: SessionFactory, clock: Clock, login: Login, gateway: WriteGateway | None = None
    ):
        self.session_factory = session_factory
        self.clock = clock
        self.login = login
        self.gateway: WriteGateway = gateway or LocalGateway(session_factory, clock, login)

    # --- who may --------------------------------------------------------------------------------------

    @property
    def is_civil_defence(self) -> bool:
        return self.login.role == Role.CIVIL_DEFENCE.value

    def acts_for(self, district: str | None) -> bool:
        """Whether the login acts for ``district``: a district's staff for theirs, city staff for any
        (the rule of ``siren.status`` and ``alarm.ack``)."""
        return self.login.district_code in (None, district)

    # --- reads ----------------------------------------------------------------------------------------

    def districts(self) -> tuple[CodeName, ...]:
        with self.session_factory() as s:
            rows = s.execute(select(District.code, District.name).order_by(District.code)).all()
            return tuple(CodeName(c, n or "") for c, n in rows)

    def board(self, alarm_id: int) -> AlarmBoard:
        with self.session_factory() as s:
            if self.gateway.remote:  # the alarm rows stay at the centre: the picture's /alarm/ keys
                return replica_board.board_from_replica(s, alarm_id, self.clock.now())
            return alarms.delivery_board(s, alarm_id, self.clock.now())

    def latest_board(self) -> AlarmBoard | None:
        with self.session_factory() as s:
            if self.gateway.remote:
                return replica_board.latest_board_from_replica(s, self.clock.now())
            latest = alarms.latest_alarms(s, limit=1)
            return alarms.delivery_board(s, latest[0].id, self.clock.now()) if latest else None

    def test_plans(self) -> list[TestPlan]:
        with self.session_factory() as s:
            return alarms.list_test_plans(s, since=self.clock.now().date())

    def sirens(self) -> SirenSet:
        with self.session_factory() as s:
            return _siren_set(s.scalars(select(Siren).order_by(Siren.id)).all())

    def coverage(self, population: str = "night") -> CoverageView:
        with self.session_factory() as s:
            model = coverage.CoverageModel.load(s, population=population)
            sirens = _siren_set(s.scalars(select(Siren).order_by(Siren.id)).all())
        report = model.report()
        live = model.disks[model.in_service]
        union = shapely.union_all(live) if len(live) else shapely.Polygon()
        codes = np.array([c.cell for c in report.uncovered_cells], dtype=object)
        return CoverageView(report, union, codes, sirens)

    def suggest_sirens(self, n: int, population: str = "night") -> list[coverage.SirenSuggestion]:
        with self.session_factory() as s:
            return coverage.suggest_for_city(s, n, population=population)[1]

    def shelters(self) -> tuple[ShelterRow, ...]:
        """The personnel shelters (the ones the evacuation plan fills), open or not."""
        with self.session_factory() as s:
            rows = s.scalars(
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

    def plan(self, max_walk_min: float = 30.0) -> evacuation.EvacuationPlan:
        config = evacuation.EvacuationConfig(max_walk_min=max_walk_min)
        with self.session_factory() as s:
            problem = evacuation.load_problem(s, config)
        return evacuation.optimal_plan(problem)

    def summary(self, view: CoverageView, plan: evacuation.EvacuationPlan) -> Summary:
        r = view.report
        return Summary(
            r.population,
            r.covered,
            int(plan.problem.capacity.sum()),
            plan.unplaced,
            view.sirens.out_of_service,
            len(view.sirens.ids),
        )

    @staticmethod
    def export_plan(plan: evacuation.EvacuationPlan, path: str | Path, fmt: str) -> Path:
        path = Path(path)
        if fmt not in ("csv", "geojson"):
            raise InputError(f"unknown export format {fmt!r}: csv or geojson")
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                evacuation.write_plan(plan, fmt, out)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
        return path

    # --- writes (one method each) ---------------------------------------------------------------------

    def issue_alarm(
        self, kind: str, districts: Iterable[str] | None = None, *, exercise: bool = False
    ) -> AlarmBoard:
        codes = None if districts is None else list(districts)
        return self.gateway.write(
            "alarm.issue",
            {
                "kind": parse_kind(kind).value,
                "districts": "all" if codes is None else codes,
                "exercise": exercise,
            },
            decode=board_from_result,
        )

    def plan_annual_test(self, date: dt.date | None = None) -> TestPlan:
        # Checked here too: the button says so before the command goes anywhere.
        require_civil_defence(self.login.role, "plan the annual alarm test")
        args = {"date": date.isoformat()} if date else {}
        return self.gateway.write("alarm.plan_test", args, decode=TestPlan.from_dict)

    def close_shelter(self, shelter_id: str, max_walk_min: float = 30.0) -> evacuation.Replan:
        """Close the shelter (the ``shelter.status`` command) and re-plan: the plan before, with it open,
        against the plan without it, computed here from what this console reads."""
        config = evacuation.EvacuationConfig(max_walk_min=max_walk_min)
        with self.session_factory() as s:
            before = evacuation.optimal_plan(evacuation.load_problem(s, config))
        done = self.gateway.write(
            "shelter.status", {"shelter": shelter_id, "status": "closed", "from": "open"}, decode=_changes_of
        )
        return evacuation.replan_closed(before, shelter_id, done)

    def reopen_shelter(self, shelter_id: str) -> Changes:
        return self.gateway.write(
            "shelter.status", {"shelter": shelter_id, "status": "open"}, decode=_changes_of
        )

    def set_siren_status(self, siren_id: str, status: str) -> coverage.SirenStatusChanged:
        """A siren faulty (``out_of_service``, ``damaged``) or back ``in_service``. The coverage is
        recomputed here afterwards (``coverage``), not by the node inside its write."""
        return self.gateway.write(
            "siren.status", {"siren": siren_id, "status": status}, decode=siren_changed_from_result
        )

    def acknowledge_alarm(self, alarm_id: int, district: str) -> DeliveryStatus:
        """The district's acknowledgement of an alarm's delivery, by the logged-in person."""
        return self.gateway.write(
            "alarm.ack", {"alarm_id": int(alarm_id), "district": district}, decode=delivery_from_result
        )

    def report_occupancy(self, shelter_id: str, persons: int) -> evacuation.OccupancyReport:
        return self.gateway.write(
            "shelter.occupancy",
            {"shelter": shelter_id, "persons": persons},
            decode=lambda result: evacuation.OccupancyReport.from_dict(provisional_result(result)[0]),
        )


def _changes_of(result) -> Changes:
    doc, _ = provisional_result(result)
    return Changes(journal_seq=int(doc.get("journal_seq") or 0))


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def siren_changed_from_result(result) -> coverage.SirenStatusChanged:
    doc, _ = provisional_result(result)
    return coverage.SirenStatusChanged(
        doc["siren"],
        doc["previous"],
        doc["status"],
        doc.get("covered_before"),
        doc.get("covered_after"),
        Changes(journal_seq=int(doc.get("journal_seq") or 0)),
    )


def delivery_from_result(result) -> DeliveryStatus:
    """The node's ``alarm.ack`` result (one district's delivery) as the board's row."""
    doc, _ = provisional_result(result)
    return DeliveryStatus(
        doc["district"],
        doc.get("name", ""),
        _time(doc["sent_at"]),
        _time(doc.get("received_at")),
        _time(doc.get("acknowledged_at")),
        doc.get("acknowledged_by"),
        doc.get("ack_seconds"),
        bool(doc.get("late")),
    )


class AlarmPending(Exception):
    """Under the two-person rule the alarm is an order that waits for a second officer's confirmation."""

    def __init__(self, order: OrderView) -> None:
        super().__init__(f"alarm order {order.id} waits for a second officer until {order.expires_at}")
        self.order = order
        self.order_id = order.id
        self.expires_at = order.expires_at


def board_from_result(result) -> AlarmBoard:
    """The node's ``alarm.issue`` result (``AlarmBoard.as_dict``) as the board the local call returns;
    ``AlarmPending`` when the two-person rule holds it for a second officer."""
    doc, _queued = provisional_result(result)
    if isinstance(doc, dict) and doc.get("pending"):
        raise AlarmPending(order_from_doc(doc["order"]))
    if not isinstance(doc, dict) or "alarm_id" not in doc:
        raise InputError(f"the node answered alarm.issue without a delivery board: {doc!r}")
    deliveries = tuple(delivery_from_result(d) for d in doc.get("deliveries", ()))
    return AlarmBoard(
        int(doc["alarm_id"]),
        AlarmKind(doc["kind"]),
        _time(doc["issued_at"]),
        doc.get("issued_by", ""),
        bool(doc.get("exercise")),
        _time(doc.get("as_of")) or _time(doc["issued_at"]),
        deliveries,
    )


def _siren_set(rows) -> SirenSet:
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
