"""What the emergency panel may ask of the city: reads as frozen DTOs, writes through ``modes.emergency``.

Every call opens its own short session (one per thread); every write is one method taking plain values
and committing one transaction as the login's actor and role, so a link-connected console can later
route the same call to the centre instead of its own database. The impact index (``ImpactIndex``) is
loaded once, on first use in a worker, and shared by the calls behind a lock; the units' index is read
afresh for each suggestion, because their statuses change from elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import shapely

from console.brief_export import briefing_pdf
from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, provisional_result
from data.db import SessionFactory
from data.errors import InputError
from data.geometry import GeometryError
from data.models import Role
from modes.common.clock import Clock
from modes.emergency import incidents, queries, replay
from modes.emergency.brief import Briefing, build_briefing, render_html
from modes.emergency.dispatch import DispatchOrder
from modes.emergency.impact import ImpactIndex
from modes.emergency.incidents import OPEN_ROLES, Actor, IncidentRefused, IncidentView, LogLine, RoleHolder
from modes.emergency.queries import IncidentBoard
from modes.emergency.resources import Suggestion

Ring = Sequence[tuple[float, float]]  # corners of a drawn polygon, city CRS
DISPATCH_ROLES = frozenset({Role.COMMANDER})  # modes.emergency.dispatch.dispatch: only the commander
COMMAND_ROLES = frozenset({Role.COMMANDER})  # level changes and ICS positions (modes.emergency.incidents)
AREA_ROLES = frozenset({Role.COMMANDER, Role.DISPATCHER})  # modes.emergency.incidents.change_area


class EmergencyServices:
    def __init__(
        self, session_factory: SessionFactory, clock: Clock, login: Login, gateway: WriteGateway | None = None
    ):
        self.session_factory = session_factory  # reads: the city's database or a node's replica
        self.clock = clock
        self.login = login
        self.gateway: WriteGateway = gateway or LocalGateway(session_factory, clock, login)  # writes
        self._lock = threading.Lock()
        self._index: ImpactIndex | None = None

    # --- who is asking -------------------------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        role = Role.parse(self.login.role)
        return Actor(
            self.login.actor or role.value,
            role,
            department=self.login.department_code,
            district=self.login.district_code,
        )

    def role_allowed(self, allowed: frozenset[Role]) -> bool:
        return self.login.role in {r.value for r in allowed}

    @property
    def may_open(self) -> bool:
        return self.role_allowed(OPEN_ROLES)

    @property
    def may_dispatch(self) -> bool:
        return self.role_allowed(DISPATCH_ROLES)

    @property
    def may_command(self) -> bool:
        return self.role_allowed(COMMAND_ROLES)

    @property
    def may_change_area(self) -> bool:
        return self.role_allowed(AREA_ROLES)

    # --- indexes -------------------------------------------------------------------------------------

    def _impact_index(self, s) -> ImpactIndex:
        with self._lock:
            if self._index is None:
                self._index = ImpactIndex.load(s)
            return self._index

    # --- reads ---------------------------------------------------------------------------------------

    def board(self, incident_id: int | None, status: str | None = None) -> IncidentBoard:
        """The incident list (filtered by status), the selected incident with its impact, tasks, log,
        organisation and timeline, and what the map draws."""
        with self.session_factory() as s:
            now = self.clock.now()
            board = queries.incident_board(s, self._impact_index(s), incident_id, status, now)
            return replay.with_moments(s, board)  # what the map shows at each step of the replay

    def suggest(self, incident_id: int, need: str | None = None, limit: int = 10) -> tuple[Suggestion, ...]:
        """The nearest available units of a capability (None: of the capabilities the type needs)."""
        with self.session_factory() as s:
            return queries.suggest_units(s, incident_id, need, limit)

    def briefing(self, incident_id: int) -> Briefing:
        with self.session_factory() as s:
            return build_briefing(
                s, self.clock, incident_id, self._impact_index(s), self.login.name or self.login.actor
            )

    @staticmethod
    def write_briefing(briefing: Briefing, path: str | Path) -> Path:
        """Write the briefing as HTML (``.html``/``.htm``) or PDF (``.pdf``), by the file's suffix.

        The PDF is laid out by Qt (``console.brief_export``): call this on the GUI thread.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            path.write_text(render_html(briefing), encoding="utf-8")
        elif suffix == ".pdf":
            path.write_bytes(briefing_pdf(briefing))
        else:
            raise InputError(
                f"a briefing is written as .html or .pdf, not {suffix or 'a file without a suffix'}"
            )
        return path

    # --- writes: one method, one transaction each -------------------------------------------------------

    def open_incident(
        self,
        *,
        type_code: str,
        level: str,
        x: float,
        y: float,
        inner_radius_m: float | None = None,
        outer_radius_m: float | None = None,
        title: str = "",
        commander: str = "",
        area: Ring | None = None,
        inner_cordon: Ring | None = None,
        outer_cordon: Ring | None = None,
        exercise: bool = False,
    ) -> IncidentView:
        """Open an incident at a point, or over a drawn area with the area's site as its point (cordons
        drawn too, or from the radii around the area); a commander other than the login takes command
        in the same act. ``exercise``: a drill's incident, marked as such everywhere."""
        args = {
            "type": type_code, "level": level, "x": x, "y": y, "title": title, "commander": commander.strip(),
            **_drawn(area, inner_cordon, outer_cordon),
            **_radii(inner_radius_m, outer_radius_m),
        }  # fmt: skip
        if exercise:
            args["exercise"] = True
        return self.gateway.write("incident.open", args, decode=_incident_of)

    def escalate_case(
        self,
        case_id: int,
        *,
        type_code: str | None = None,
        level: str = "IV",
        inner_radius_m: float | None = None,
        outer_radius_m: float | None = None,
    ) -> IncidentView:
        args = {"case_id": int(case_id), "level": level, **_radii(inner_radius_m, outer_radius_m)}
        if type_code:
            args["type"] = type_code
        return self.gateway.write("incident.escalate", args, decode=_incident_of)

    def incident_for_case(self, case_id: int) -> int | None:
        """The case's side of an escalation link (its journal)."""
        with self.session_factory() as s:
            return incidents.incident_for_case(s, case_id)

    def set_status(self, incident_id: int, status: str, note: str = "") -> IncidentView:
        args = {"id": int(incident_id), "status": status, "note": note}
        return self.gateway.write("incident.status", args, decode=_incident_of)

    def set_level(self, incident_id: int, level: str, note: str = "") -> IncidentView:
        args = {"id": int(incident_id), "level": level, "note": note}
        return self.gateway.write("incident.level", args, decode=_incident_of)

    def change_area(
        self,
        incident_id: int,
        *,
        x: float | None = None,
        y: float | None = None,
        inner_radius_m: float | None = None,
        outer_radius_m: float | None = None,
        area: Ring | None = None,
        inner_cordon: Ring | None = None,
        outer_cordon: Ring | None = None,
    ) -> IncidentView:
        """Move the site or change the radii, or redraw the area (its site moves with it) or a cordon."""
        args = {"id": int(incident_id), **_drawn(area, inner_cordon, outer_cordon)}
        args |= _radii(inner_radius_m, outer_radius_m)
        if x is not None and y is not None and "area" not in args:
            args |= {"x": x, "y": y}
        return self.gateway.write("incident.area", args, decode=_incident_of)

    def assign_role(self, incident_id: int, position: str, person: str, agency: str = "") -> RoleHolder:
        args = {"id": int(incident_id), "position": position, "person": person, "agency": agency}
        return self.gateway.write(
            "incident.role", args, decode=lambda result: RoleHolder.from_dict(provisional_result(result)[0])
        )

    def add_log(self, incident_id: int, text: str, task_id: int | None = None) -> LogLine:
        args = {"id": int(incident_id), "text": text}
        if task_id is not None:
            args["task"] = int(task_id)

        def decode(result) -> LogLine:
            lines = provisional_result(result)[0]["log"]
            return LogLine.from_dict(max(lines, key=lambda line: line["id"]))

        return self.gateway.write("incident.log", args, decode=decode)

    def dispatch(self, incident_id: int, unit_id: str, instructions: str = "") -> DispatchOrder:
        args = {"incident_id": int(incident_id), "unit": unit_id, "instructions": instructions}
        return self.gateway.write("incident.dispatch", args, decode=_order_of)

    def set_task_status(self, task_id: int, status: str, note: str = "") -> DispatchOrder:
        args = {"task": str(int(task_id)), "status": status, "note": note}
        return self.gateway.write("task.status", args, decode=_order_of)


def _radii(inner_radius_m: float | None, outer_radius_m: float | None) -> dict:
    out = {}
    if inner_radius_m is not None:
        out["inner_radius_m"] = float(inner_radius_m)
    if outer_radius_m is not None:
        out["outer_radius_m"] = float(outer_radius_m)
    return out


def _drawn(area: Ring | None, inner_cordon: Ring | None, outer_cordon: Ring | None) -> dict:
    """Drawn shapes as the command carries them (WKT), checked here first: a slip of the hand is told
    at once, before anything is sent; a drawn area puts the site at its centre."""
    out: dict = {}
    area_shape = drawn_polygon(area, "the incident area")
    if area_shape is not None:
        out["x"], out["y"] = site_of(area_shape)
        out["area"] = area_shape.wkt
    for name, ring, what in (
        ("inner_cordon", inner_cordon, "the inner cordon"),
        ("outer_cordon", outer_cordon, "the outer cordon"),
    ):
        shape = drawn_polygon(ring, what)
        if shape is not None:
            out[name] = shape.wkt
    return out


def _incident_of(result) -> IncidentView:
    doc = provisional_result(result)[0]
    return IncidentView.from_dict(doc.get("incident", doc))


def _order_of(result) -> DispatchOrder:
    return DispatchOrder.from_dict(provisional_result(result)[0])


def refusal_text(exc: BaseException) -> str:
    """The rules' own words for a refusal (they name the problem); other errors keep their message."""
    if isinstance(exc, (IncidentRefused, InputError, GeometryError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def drawn_polygon(ring: Ring | None, what: str) -> shapely.Polygon | None:
    """A polygon from corners drawn on the map (city CRS), or a reason it is not one.

    Stricter than the rules, which repair an invalid polygon where they can (a bow-tie becomes two
    triangles): a hand-drawn ring that crosses itself is a slip of the hand, and silently turning it
    into something else would cordon off what the user did not draw. Corners repeated in a row (a
    double-click) count once.
    """
    if ring is None:
        return None
    corners: list[tuple[float, float]] = []
    for x, y in ring:
        if not corners or (x, y) != corners[-1]:
            corners.append((float(x), float(y)))
    if len(corners) > 1 and corners[0] == corners[-1]:
        corners.pop()
    if len(corners) < 3:
        raise GeometryError(f"{what} needs at least 3 corners, got {len(corners)}")
    polygon = shapely.Polygon(corners)
    if shapely.MultiPoint(corners).convex_hull.area <= 0:  # GEOS would call it a self-intersection
        raise GeometryError(f"{what} has no area: its {len(corners)} corners lie on one line")
    if not polygon.is_valid:
        raise GeometryError(f"{what} is not a valid polygon: {shapely.is_valid_reason(polygon)}")
    return polygon


def site_of(area: shapely.Polygon) -> tuple[float, float]:
    """An incident's site for a drawn area: its centroid, or a point surely inside it when the
    centroid falls outside (a crescent, an L), since the site must lie in what was drawn."""
    c = area.centroid
    if not area.contains(c):
        c = area.representative_point()
    return c.x, c.y
