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
from collections.abc import Iterable
from pathlib import Path

from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, order_from_doc, provisional_result
from data.civil_defence_models import AlarmKind
from data.db import SessionFactory
from data.errors import InputError
from data.models import Role
from modes.civil_defence import alarms, coverage, evacuation, queries, replica_board
from modes.civil_defence.alarms import AlarmBoard, DeliveryStatus, TestPlan, parse_kind
from modes.civil_defence.authority import require_civil_defence
from modes.civil_defence.queries import CoverageView, ShelterRow, SirenSet, Summary
from modes.common.cap_hooks import HookDelivery
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.orders import OrderView
from modes.common.views import CodeName


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
            return queries.districts(s)

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
            return queries.sirens(s)

    def coverage(self, population: str = "night") -> CoverageView:
        with self.session_factory() as s:
            model = coverage.CoverageModel.load(s, population=population)
            sirens = queries.sirens(s)
        return queries.coverage_view(model, sirens)

    def suggest_sirens(self, n: int, population: str = "night") -> list[coverage.SirenSuggestion]:
        with self.session_factory() as s:
            return coverage.suggest_for_city(s, n, population=population)[1]

    def shelters(self) -> tuple[ShelterRow, ...]:
        """The personnel shelters (the ones the evacuation plan fills), open or not."""
        with self.session_factory() as s:
            return queries.personnel_shelters(s)

    def plan(self, max_walk_min: float = 30.0) -> evacuation.EvacuationPlan:
        config = evacuation.EvacuationConfig(max_walk_min=max_walk_min)
        with self.session_factory() as s:
            problem = evacuation.load_problem(s, config)
        return evacuation.optimal_plan(problem)

    def summary(self, view: CoverageView, plan: evacuation.EvacuationPlan) -> Summary:
        return queries.summary(view, plan)

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
        doc.get("exercise_id"),
        tuple(HookDelivery.from_dict(h) for h in doc.get("cap_hooks", ())),
    )
