"""What the console's widgets may ask of the city.

Every call opens its own short session (the caller owns a session, one per thread), hands it to a query
of ``modes.common`` (``city_loading``, ``city_queries``) and returns its DTOs, and every write is one named command handed to ``self.gateway`` (console/gateway.py): the command bus on the
console's own database, or the attached node's command channel (``--connect``). Widgets never see a
session or SQL, and no service here opens a write transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QObject, Signal

from console.dto import AuditStatus, Login
from console.gateway import (
    LocalGateway,
    OrderDecision,
    WriteGateway,
    mode_switch_from_result,
    order_decision_from_result,
    person_of,
)
from console.measures import MEASURE_BY_KEY
from data import journal
from data.db import SessionFactory
from modes.common import city_loading, city_picture, city_queries
from modes.common.actor import Actor
from modes.common.audit import run_audit
from modes.common.city_picture import CitySnapshot, Rings
from modes.common.clock import Clock
from modes.common.mode_switch import Mode, ModeSwitch, current_mode, may_switch, parse_mode
from modes.common.orders import OrderView, open_orders
from modes.common.views import (
    AreaDetails,
    CameraDetails,
    CellDetails,
    CityOverview,
    ComponentDetails,
    JournalEntry,
    SearchHit,
    StaffEntry,
    SupervisorDetails,
)
from modes.everyday.case_audit import CaseChecker
from modes.everyday.case_filter import EXERCISE_CHOICES


class ConsoleServices(QObject):
    # The console-wide choice of exercise records (leave | include | only): the queue, the dashboard and
    # the map follow this one setting.
    exercise_records_changed = Signal(str)

    def __init__(
        self, session_factory: SessionFactory, clock: Clock, login: Login, gateway: WriteGateway | None = None
    ):
        super().__init__()
        self.session_factory = session_factory
        self.clock = clock
        self.login = login
        # Reads always use session_factory (the city's database, or a node's replica); writes go through
        # the gateway (console/gateway.py): local, or the attached node's command channel.
        self.gateway: WriteGateway = gateway or LocalGateway(session_factory, clock, login)
        self._exercise_records = "leave"

    # --- exercise records ----------------------------------------------------------------------------

    @property
    def exercise_records(self) -> str:
        """Whether lists and figures leave exercise records out (``leave``), take them in (``include``)
        or show nothing else (``only``)."""
        return self._exercise_records

    def set_exercise_records(self, choice: str) -> None:
        if choice not in EXERCISE_CHOICES:
            raise ValueError(f"exercise records are one of {', '.join(EXERCISE_CHOICES)}, not {choice!r}")
        if choice != self._exercise_records:
            self._exercise_records = choice
            self.exercise_records_changed.emit(choice)

    # --- the city ------------------------------------------------------------------------------------

    def load_snapshot(self, progress: city_loading.Progress | None = None) -> CitySnapshot:
        # The loader reads the component columns on a second thread meanwhile: the console's to start.
        with self.session_factory() as s, ThreadPoolExecutor(1, thread_name_prefix="sanwei-columns") as pool:
            return city_loading.load_snapshot(s, progress, executor=pool)

    def overview(self) -> CityOverview:
        with self.session_factory() as s:
            return city_queries.city_overview(s)

    def measure_values(self, key: str, snapshot: CitySnapshot) -> np.ndarray:
        with self.session_factory() as s:
            return MEASURE_BY_KEY[key].compute(s, snapshot, self.clock.now())

    def cell_details(self, code: str) -> CellDetails | None:
        with self.session_factory() as s:
            return city_queries.cell_details(s, code)

    def component_details(self, component_id: str) -> ComponentDetails | None:
        with self.session_factory() as s:
            return city_queries.component_details(s, component_id)

    def camera_details(self, snapshot: CitySnapshot | None, camera_id: str) -> CameraDetails | None:
        with self.session_factory() as s:
            return city_queries.camera_details(s, snapshot, camera_id)

    def supervisor_details(
        self, snapshot: CitySnapshot | None, supervisor_id: int
    ) -> SupervisorDetails | None:
        with self.session_factory() as s:
            return city_queries.supervisor_details(s, snapshot, supervisor_id)

    def search(self, snapshot: CitySnapshot, text: str) -> SearchHit | None:
        with self.session_factory() as s:
            return city_queries.search(s, snapshot, text)

    @staticmethod
    def area_details(snapshot: CitySnapshot, level: str, code: str) -> AreaDetails | None:
        return city_picture.area_details(snapshot, level, code)

    @staticmethod
    def area_outline(snapshot: CitySnapshot, level: str, code: str) -> Rings | None:
        """The outline of an area (union of its cells) for highlighting it on the map."""
        return city_picture.area_outline(snapshot, level, code)

    @staticmethod
    def component_mask(
        snapshot: CitySnapshot, majors: set[int], states: set[int], type_code: str | None
    ) -> np.ndarray:
        return city_picture.component_mask(snapshot, majors, states, type_code)

    # --- people --------------------------------------------------------------------------------------

    def staff(self) -> tuple[StaffEntry, ...]:
        with self.session_factory() as s:
            return city_queries.staff_list(s)

    # --- modes ---------------------------------------------------------------------------------------

    def current_mode(self) -> Mode:
        with self.session_factory() as s:
            return current_mode(s)

    def may_switch(self, target: Mode | str, current: Mode | str = Mode.EVERYDAY) -> bool:
        """Whether the login may switch the city from ``current`` to ``target`` (both ways; the city's
        mode is its municipal centre's officers' to switch)."""
        if self.login.district_code and parse_mode(target) != parse_mode(current):
            return False
        return may_switch(self.login.role, target, current)

    def actor(self) -> Actor:
        return person_of(self.login)

    def switch_mode(self, target: Mode | str, reason: str) -> ModeSwitch:
        """Runs in a worker: validates who may, journals the switch with its reason (or, under the
        two-person rule, the order a second person confirms), commits."""
        return self.gateway.write(
            "mode.switch",
            {"mode": parse_mode(target).value, "reason": reason},
            decode=lambda result: mode_switch_from_result(result, self.login),
        )

    # --- orders waiting for a second person (the two-person rule) -------------------------------------

    def pending_orders(self) -> tuple[OrderView, ...]:
        """The orders still waiting for a second person, oldest first (a read)."""
        with self.session_factory() as s:
            return tuple(open_orders(s, self.clock.now()))

    def confirm_order(self, order_id: int, login: str, password: str) -> OrderDecision:
        """Runs in a worker: the second person confirms with their own login and password, which the
        command bus checks (a wrong password counts towards the lock); the node says who confirmed."""
        return self.gateway.write(
            "order.confirm",
            {"id": int(order_id), "login": login.strip(), "password": password},
            decode=order_decision_from_result,
            secret=True,
        )

    def refuse_order(self, order_id: int, login: str, password: str, note: str = "") -> OrderDecision:
        """Runs in a worker: a second person refuses the order (or the one who asked withdraws it), proved
        by their own password as for ``confirm_order``."""
        return self.gateway.write(
            "order.refuse",
            {"id": int(order_id), "login": login.strip(), "password": password, "note": note.strip()},
            decode=order_decision_from_result,
            secret=True,
        )

    # --- the journal ---------------------------------------------------------------------------------

    def last_seq(self) -> int:
        with self.session_factory() as s:
            return journal.last_seq(s)

    def events_after(self, seq: int, limit: int = 1000) -> list[JournalEntry]:
        with self.session_factory() as s:
            return city_queries.journal_entries_after(s, seq, limit)

    def last_mode_event(self) -> JournalEntry | None:
        with self.session_factory() as s:
            return city_queries.last_mode_event(s)

    # --- the audit -----------------------------------------------------------------------------------

    def audit(self, cancelled: Callable[[], bool] | None = None) -> AuditStatus | None:
        """Runs in a worker: the journal's hash chain and every case against its events; reads only.
        ``cancelled`` stops it early (``data.journal.ScanCancelled``)."""
        with self.session_factory() as s:
            report = run_audit(s, [CaseChecker()], cancelled=cancelled)
        return AuditStatus(
            ok=report.ok,
            events=report.events,
            first_bad_event=report.first_bad_event,
            chain_problem=report.chain_problem,
            case_mismatches=tuple(report.mismatched("case")),
            cases_checked=report.checked["case"],
            checked_at=self.clock.now(),
            seconds=report.seconds,
        )
