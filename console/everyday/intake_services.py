"""What the intake form (hotline and other channels) asks of the city.

The routing preview runs in memory: ``load_context`` reads the grid index, the district assignment
table, the event types and the names once (``modes.everyday.intake.references``, in a worker), and the
form then locates and routes every point and type change without touching the database. Duplicate
candidates need the open cases, so they are one short read per (debounced) change; the write is one
method, ``report``, taking plain values so a console connected over the links can later send the same
arguments as a ``case.report`` command.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, provisional_result
from data.db import SessionFactory
from data.errors import InputError
from data.geometry import WGS84, transformer
from data.models import Role
from data.spatial import Location
from modes.common import city_queries
from modes.common.city_picture import CitySnapshot
from modes.common.clock import Clock
from modes.common.views import CodeName, SearchHit
from modes.everyday import intake, workflow
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.intake import ComponentOption, DuplicateCandidate, EventTypeOption
from modes.everyday.routing import Router
from modes.everyday.workflow import State

# Who takes reports at a seat: the public's calls go to operators, supervisors report what they find,
# leaders and the commander may take one; departments and the civil-defence office do not file cases.
INTAKE_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.COMMANDER})


@dataclass(frozen=True)
class RoutingPreview:
    """Where a report at (x, y) lands and who is responsible; names resolved for display."""

    x: float
    y: float
    cell: str
    community: CodeName
    street: CodeName
    district: CodeName
    supervisor: str | None
    department: CodeName | None  # None: the district itself (属地管理), or no type chosen yet
    decided: bool  # a type or component was given, so ``department`` is the routing's answer
    by_component: bool


@dataclass(frozen=True)
class IntakeResult:
    id: int
    state: str
    duplicate_of: int | None
    separated: bool  # the desk linked it, and the operator filed it as a case of its own
    cell: str
    department: str | None
    journal_seq: int  # the journal event of the report; 0 while a district node holds it for the centre
    queued: bool = False  # a district node holds it until the centre answers


class IntakeContext:
    """The in-memory routing of the form: built once in a worker, then read from the GUI thread."""

    def __init__(
        self,
        router: Router,
        config: EverydayConfig,
        event_types: tuple[EventTypeOption, ...],
        names: dict[str, str],
        crs: str,
    ):
        self.router = router
        self.config = config
        self.event_types = event_types
        self.names = names  # district, street, community and department code -> name
        self.crs = crs
        self._by_code: dict[str, EventTypeOption] = {}
        for t in event_types:
            for c in (t.code, t.gb_code, t.legacy_code):
                if c:
                    self._by_code.setdefault(c, t)
        self._from_lonlat = transformer(WGS84, crs)

    def event_type(self, code: str | None) -> EventTypeOption | None:
        return self._by_code.get((code or "").strip())

    def lonlat_to_city(self, lon: float, lat: float) -> tuple[float, float]:
        (x,), (y,) = self._from_lonlat.transform([lon], [lat])
        return float(x), float(y)

    def _cn(self, code: str) -> CodeName:
        return CodeName(code, self.names.get(code, ""))

    def locate(self, x: float, y: float) -> Location:
        """The cell under a point; ``OutsideCity`` (an ``InputError``) naming the city's extent if none."""
        return self.router.locate(x, y)

    def preview(
        self, x: float, y: float, type_code: str | None = None, component: ComponentOption | None = None
    ) -> RoutingPreview:
        loc = self.locate(x, y)
        department: str | None = None
        decided = False
        if component is not None:
            department, decided = component.owner_code, True
        elif (etype := self.event_type(type_code)) is not None:
            department, decided = self.router.department_for_event(loc.district, etype.code), True
        return RoutingPreview(
            x=x,
            y=y,
            cell=loc.cell,
            community=self._cn(loc.community),
            street=self._cn(loc.street),
            district=self._cn(loc.district),
            supervisor=loc.supervisor,
            department=self._cn(department) if department else None,
            decided=decided,
            by_component=component is not None,
        )


class IntakeServices:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        login: Login,
        gateway: WriteGateway | None = None,
    ):
        self.session_factory = session_factory  # reads: the city's database or a node's replica
        self.clock = clock
        self.login = login
        self.gateway: WriteGateway = gateway or LocalGateway(session_factory, clock, login)  # the write
        self.context: IntakeContext | None = None

    # --- who --------------------------------------------------------------------------------------

    def may_report(self) -> bool:
        return self.login.role in {r.value for r in INTAKE_ROLES}

    def may_file_separately(self) -> bool:
        """Filing a report as a case of its own although the rule links it: the ``unlink`` step's roles."""
        unlink = workflow.find(State.MERGED, "unlink")
        return unlink is not None and self.login.role in {r.value for r in unlink.roles}

    def actor(self) -> Actor:
        return Actor.of(
            self.login.role,
            self.login.actor,
            department=self.login.department_code,
            district=self.login.district_code,
        )

    # --- reading ----------------------------------------------------------------------------------

    def load_context(self) -> IntakeContext:
        """Runs in a worker: everything the form needs to route without the database."""
        with self.session_factory() as s:
            ref = intake.references(s)
        context = IntakeContext(ref.router, ref.config, ref.event_types, ref.names, ref.crs)
        self.context = context
        return context

    def component(self, component_id: str, distance_m: float = 0.0) -> ComponentOption | None:
        with self.session_factory() as s:
            return intake.component_option(s, component_id, distance_m)

    def find_place(self, snapshot: CitySnapshot, text: str) -> SearchHit | None:
        """A typed place (cell code, component id, camera, area name) as the map's search finds it."""
        with self.session_factory() as s:
            return city_queries.search(s, snapshot, text)

    def duplicates(self, type_code: str, x: float, y: float, cell: str) -> tuple[DuplicateCandidate, ...]:
        """The open cases a report of this type here would be linked to, nearest first."""
        with self.session_factory() as s:
            return intake.duplicate_candidates(self._desk(s), type_code, x, y, cell)

    def _desk(self, s) -> CaseDesk:
        ctx = self.context
        return CaseDesk(s, self.clock, router=ctx.router if ctx else None, config=ctx.config if ctx else None)

    # --- the write ----------------------------------------------------------------------------------

    def report(
        self,
        *,
        x: float,
        y: float,
        channel: str,
        type_code: str | None = None,
        component_id: str | None = None,
        text: str = "",
        urgent: bool | None = None,
        external_ref: str | None = None,
        link_to: int | None = None,
        file_separately: bool = False,
    ) -> IntakeResult:
        """Runs in a worker: report the case through the desk (locate, route, link a duplicate: the
        nearest, or ``link_to`` when the operator chose one) and, when ``file_separately`` and the desk
        linked it, take the ``unlink`` step the workflow allows, in the same ``case.report`` command."""
        if not self.may_report():
            raise InputError(f"a {self.login.role} does not take reports at the intake form")
        if link_to is not None and file_separately:
            raise InputError("a report is either linked to an open case or filed separately, not both")
        if file_separately and not self.may_file_separately():
            raise InputError(f"a {self.login.role} may not file a duplicate as a separate case")
        args = {
            "x": x,
            "y": y,
            "channel": channel,
            "type": type_code or None,
            "component": component_id or None,
            "text": text.strip(),
            "urgent": urgent,
            "external_ref": external_ref or None,
            "duplicate_of": link_to,
        }
        args = {k: v for k, v in args.items() if v is not None}
        if file_separately:
            args["file_separately"] = True
        return self.gateway.write("case.report", args, decode=_result_of)


def _result_of(result) -> IntakeResult:
    """A case document (``CaseDesk.view``, or a node's answer, perhaps provisional) as the form's result."""
    doc, queued = provisional_result(result)
    return IntakeResult(
        id=int(doc["id"]),
        state=doc["state"],
        duplicate_of=doc.get("duplicate_of"),
        separated=bool(doc.get("separated")),
        cell=doc["cell"],
        department=doc.get("department"),
        journal_seq=0 if queued else int(doc.get("journal_seq") or 0),
        queued=queued,
    )
