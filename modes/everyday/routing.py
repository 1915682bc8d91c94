"""Who is responsible: a point gives its cell, community, street, district and supervisor; a component
gives its owner department; an event type at a point gives the department its district assigns.
Unclear responsibility goes to the district itself (属地管理).

The ``Router`` holds the grid index and the assignment table in memory, so routing a report costs
a spatial lookup and two dictionary reads, not minutes of a person's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.codes import resolve_event_type
from data.errors import NotFound
from data.models import Component, EventAssignment
from data.spatial import GridIndex, Location


@dataclass(frozen=True)
class Routing:
    location: Location
    department: str | None  # None: the district itself is responsible
    reason: str

    @property
    def responsible(self) -> str:
        return f"department:{self.department}" if self.department else f"district:{self.location.district}"

    def as_dict(self) -> dict:
        return {
            **self.location.as_dict(),
            "department": self.department,
            "responsible": self.responsible,
            "reason": self.reason,
        }


class Router:
    def __init__(self, grid: GridIndex, assignments: dict[tuple[str, str], str]):
        self.grid = grid
        self.assignments = assignments

    @classmethod
    def load(cls, session: Session) -> Router:
        rows = session.execute(
            select(
                EventAssignment.district_code,
                EventAssignment.event_type_code,
                EventAssignment.department_code,
            )
        ).all()
        return cls(GridIndex.load(session), {(d, t): dep for d, t, dep in rows})

    def locate(self, x: float, y: float) -> Location:
        return self.grid.locate(x, y)

    def department_for_event(self, district: str, event_type_code: str) -> str | None:
        return self.assignments.get((district, event_type_code))

    def route_event(
        self, session: Session, x: float, y: float, type_code: str, type_name: str | None = None
    ) -> Routing:
        """``type_code`` in either standard's form; a caller that resolved it already passes the GB code
        with its ``type_name``, and the type is not read again."""
        loc = self.locate(x, y)
        if type_name is None:
            etype = resolve_event_type(session, type_code)
            type_code, type_name = etype.code, etype.name
        dept = self.department_for_event(loc.district, type_code)
        if dept:
            return Routing(loc, dept, f"district {loc.district} assigns {type_code} {type_name} to {dept}")
        return Routing(
            loc,
            None,
            f"district {loc.district} assigns no department to {type_code}: the district is responsible",
        )

    def route_component(
        self, session: Session, component_id: str, x: float | None = None, y: float | None = None
    ) -> Routing:
        comp = session.get(Component, component_id.strip())
        if comp is None:
            comp = session.scalar(select(Component).where(Component.legacy_id == component_id.strip()))
        if comp is None:
            raise NotFound(f"unknown component id {component_id!r}")
        loc = self.locate(comp.x if x is None else x, comp.y if y is None else y)
        return Routing(
            loc, comp.owner_code, f"component {comp.id} ({comp.name}) is owned by {comp.owner_code}"
        )
