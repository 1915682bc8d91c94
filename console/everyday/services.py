"""What the case queue and the case panel may ask of the city.

Reads are ``modes.everyday``'s queries (``queue`` for the queue's pages and counts, ``case_detail`` for
one case), each in its own short session on the worker pool; they return frozen DTOs. The one write,
``act``, is the ``case.act`` command through the console's write gateway, so a link-connected console
sends the same call over the command channel instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, provisional_result
from data.db import SessionFactory
from data.errors import InputError
from modes.common.clock import Clock
from modes.everyday import queue
from modes.everyday.case_detail import CaseDetail, case_detail
from modes.everyday.case_filter import CaseFilter
from modes.everyday.cases import SATISFACTION, Actor, CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.queue import QueueLookups, QueueOrder, QueuePage
from modes.everyday.routing import Router
from modes.exercises import screens as exercise_screens


@dataclass(frozen=True)
class ActionResult:
    case_id: int
    action: str
    state: str
    journal_seq: int


@dataclass(frozen=True)
class ActionNeeds:
    """What the user must supply before an action can run (the panel asks in a small dialog)."""

    department: bool = False
    note: bool = False
    note_optional: bool = False
    extension: bool = False
    satisfaction: bool = False

    @property
    def any(self) -> bool:
        return self.department or self.note or self.extension or self.satisfaction


def action_needs(action: str, needs_note: bool) -> ActionNeeds:
    return ActionNeeds(
        department=action == "dispatch",
        note=needs_note,
        note_optional=action == "dispatch",
        extension=action == "request_extension",
        satisfaction=action == "evaluate",
    )


# --- the services -------------------------------------------------------------------------------------


_NO_ROUTING = Router(None, {})  # type: ignore[arg-type] - see CaseServices._desk


@dataclass
class _Cached:
    config: EverydayConfig | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class CaseServices:
    """Case queue reads, case details and case actions for one logged-in user."""

    def __init__(
        self, session_factory: SessionFactory, clock: Clock, login: Login, gateway: WriteGateway | None = None
    ):
        self.session_factory = session_factory  # reads: the city's database or a node's replica
        self.clock = clock
        self.login = login
        self.gateway: WriteGateway = gateway or LocalGateway(session_factory, clock, login)  # writes
        self._cached = _Cached()

    @classmethod
    def of(cls, services) -> CaseServices:
        """From the console's services (same sessions, clock, login and write gateway)."""
        return cls(
            services.session_factory, services.clock, services.login, getattr(services, "gateway", None)
        )

    def actor(self) -> Actor:
        return Actor.of(
            self.login.role,
            self.login.actor,
            department=self.login.department_code,
            district=self.login.district_code,
        )

    def _desk(self, s) -> CaseDesk:
        # The configuration is read once. Showing a case and acting on it never locate a point (only
        # ``report`` does), so the desk gets a router without the grid index, the costly part to load.
        with self._cached.lock:
            if self._cached.config is None:
                self._cached.config = EverydayConfig.load(s)
            return CaseDesk(s, self.clock, _NO_ROUTING, self._cached.config)

    # --- the queue -----------------------------------------------------------------------------------

    def lookups(self) -> QueueLookups:
        with self.session_factory() as s:
            return queue.lookups(s)

    def types_in_use(self) -> tuple[str, ...]:
        """The ``kind:code`` of every type some case has (the type filter offers these, not all 300)."""
        with self.session_factory() as s:
            return queue.types_in_use(s)

    def count(self, f: CaseFilter) -> int:
        now = self.clock.now()
        with self.session_factory() as s:
            return queue.count(s, f, now)

    def page(
        self, f: CaseFilter, order: QueueOrder, offset: int, limit: int, total: int | None = None
    ) -> QueuePage:
        """Rows ``offset`` to ``offset + limit`` of the queue (``modes.everyday.queue.page``)."""
        now = self.clock.now()
        with self.session_factory() as s:
            return queue.page(s, f, order, offset, limit, now, total)

    def row_of(self, f: CaseFilter, order: QueueOrder, case_id: int) -> int | None:
        """Where a case stands in the queue (None when the filter hides it): how many rows sort before it."""
        now = self.clock.now()
        with self.session_factory() as s:
            return queue.row_of(s, f, order, case_id, now)

    def exercise_case_ids(self, case_ids) -> frozenset[int]:
        """Which of ``case_ids`` (a queue page) an exercise made: the queue marks them."""
        with self.session_factory() as s:
            return exercise_screens.exercise_case_ids(s, case_ids)

    # --- one case ------------------------------------------------------------------------------------

    def case_detail(self, case_id: int) -> CaseDetail | None:
        with self.session_factory() as s:
            return case_detail(self._desk(s), case_id, self.actor())

    def case_exercise(self, case_id: int) -> exercise_screens.ExerciseTag | None:
        """The exercise whose inject made this case (None for a real one)."""
        with self.session_factory() as s:
            return exercise_screens.case_exercise(s, case_id)

    def departments(self) -> tuple[tuple[str, str], ...]:
        with self.session_factory() as s:
            return queue.departments(s)

    def act(self, case_id: int, action: str, **fields) -> ActionResult:
        """Take one step of the loop as the logged-in user. Runs in a worker; one transaction.

        ``fields``: ``note``, ``department`` (dispatch), ``extension`` (e.g. "2 working_days"),
        ``satisfaction`` (one of ``SATISFACTION``). Raises the desk's ``IllegalTransition``,
        ``InputError`` or ``NotFound`` with its message; nothing is written then.
        """
        unknown = set(fields) - {"note", "department", "extension", "satisfaction"}
        if unknown:
            raise InputError(f"unknown fields for a case action: {', '.join(sorted(unknown))}")
        satisfaction = fields.get("satisfaction")
        if satisfaction is not None and satisfaction not in SATISFACTION:
            raise InputError(f"satisfaction must be one of {', '.join(SATISFACTION)}, not {satisfaction!r}")
        args = {"id": int(case_id), "action": action, "note": fields.get("note") or ""}
        for name in ("department", "extension", "satisfaction"):
            if fields.get(name):
                args[name] = fields[name]

        def decode(result) -> ActionResult:
            doc, queued = provisional_result(result)
            return ActionResult(
                case_id, action, doc["state"], 0 if queued else int(doc.get("journal_seq") or 0)
            )

        return self.gateway.write("case.act", args, decode=decode)
