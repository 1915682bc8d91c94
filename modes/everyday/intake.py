"""What the intake form (hotline and other channels) reads of the city.

``references`` reads, once, everything the form needs to locate and route a point without the database:
the grid index and the district assignment table (``Router``), the configuration, the event types and
the names of districts, streets, communities and departments. A component at fault and the open cases a
report would be linked to are one short read each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.city import city_crs
from data.models import Community, Component, ComponentType, Department, District, EventType, Street
from modes.everyday.cases import CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.routing import Router


@dataclass(frozen=True)
class EventTypeOption:
    code: str
    gb_code: str | None
    legacy_code: str | None
    name: str
    major: str
    urgent: bool

    def label(self) -> str:
        return f"{self.code} {self.name} · {self.major}"


@dataclass(frozen=True)
class ComponentOption:
    id: str
    type_code: str
    type_name: str
    owner_code: str  # the owner department: responsible for a component at fault
    owner_name: str
    x: float
    y: float
    distance_m: float = 0.0


@dataclass(frozen=True)
class DuplicateCandidate:
    id: int
    state: str
    distance_m: float
    reported_at: dt.datetime
    channel: str
    cell: str
    text: str


@dataclass(frozen=True)
class IntakeReferences:
    """What routing a report needs, read once (the grid index is the costly part)."""

    router: Router
    config: EverydayConfig
    event_types: tuple[EventTypeOption, ...]  # by code
    names: dict[str, str]  # district, street, community and department code -> name
    crs: str


def references(session: Session) -> IntakeReferences:
    types = tuple(
        EventTypeOption(r.code, r.gb_code, r.legacy_code, r.name, r.major_name, bool(r.urgent))
        for r in session.scalars(select(EventType).order_by(EventType.code))
    )
    names: dict[str, str] = {}
    for model in (District, Street, Community, Department):
        names.update((code, name) for code, name in session.execute(select(model.code, model.name)))
    return IntakeReferences(
        Router.load(session), EverydayConfig.load(session), types, names, city_crs(session)
    )


def component_option(session: Session, component_id: str, distance_m: float = 0.0) -> ComponentOption | None:
    """A component by its id or its legacy id, with its type's and owner's names; None if there is none."""
    row = session.execute(
        select(Component, ComponentType.name, Department.name)
        .join(ComponentType, Component.type_code == ComponentType.code)
        .join(Department, Component.owner_code == Department.code)
        .where((Component.id == component_id) | (Component.legacy_id == component_id))
    ).first()
    if row is None:
        return None
    c, type_name, owner_name = row
    return ComponentOption(c.id, c.type_code, type_name, c.owner_code, owner_name, c.x, c.y, distance_m)


def duplicate_candidates(
    desk: CaseDesk, type_code: str, x: float, y: float, cell: str
) -> tuple[DuplicateCandidate, ...]:
    """The open cases a report of this type here would be linked to, nearest first (the desk's rule)."""
    return tuple(
        DuplicateCandidate(
            c.id, c.state, round(d, 1), c.reported_at, c.channel, c.cell_code, c.description or ""
        )
        for d, c in desk.duplicate_candidates(type_code, x, y, cell)
    )
