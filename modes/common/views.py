"""What readers are given: frozen dataclasses built from the database, never ORM objects.

The queries of ``modes.common.queries`` and ``modes.common.city_picture`` return these; a widget may keep
one as long as it likes. It never lazily loads, never touches a session, and can be handed across
threads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class StaffEntry:
    login: str
    name: str
    role: str
    district_code: str | None
    department_code: str | None


@dataclass(frozen=True)
class CodeName:
    code: str
    name: str

    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


@dataclass(frozen=True)
class TypeCount:
    type_code: str
    type_name: str
    major_name: str
    count: int


@dataclass(frozen=True)
class CellDetails:
    code: str
    legacy_code: str | None
    community: CodeName
    street: CodeName
    district: CodeName
    supervisor: CodeName | None
    area_m2: float
    pop_day: int
    pop_night: int
    land_use: str
    components: tuple[TypeCount, ...]
    open_cases: int

    @property
    def components_total(self) -> int:
        return sum(t.count for t in self.components)


@dataclass(frozen=True)
class ComponentDetails:
    id: str
    legacy_id: str | None
    type_code: str
    gb_type_code: str | None
    legacy_type_code: str | None
    type_name: str
    major_name: str
    name: str
    state: str
    owner: CodeName
    property_owner: CodeName | None
    maintainer: CodeName | None
    cell_code: str
    init_date: dt.date
    change_date: dt.date | None
    data_source: str
    note: str
    x: float
    y: float
    open_cases: int


@dataclass(frozen=True)
class CameraDetails:
    id: str
    name: str
    status: str
    place: str
    heading_deg: float
    fov_deg: float
    range_m: float
    stream_url: str
    cell_code: str | None
    community: CodeName | None
    cells_seen: int
    components_seen: tuple[TypeCount, ...]
    x: float
    y: float

    @property
    def components_seen_total(self) -> int:
        return sum(t.count for t in self.components_seen)


@dataclass(frozen=True)
class SupervisorDetails:
    id: int
    code: str
    name: str
    district: CodeName
    device_id: str
    last_seen: dt.datetime | None
    has_fix: bool  # False: shown at the centre of their patch, no position reported yet
    cells: int
    x: float
    y: float


@dataclass(frozen=True)
class SearchHit:
    """Where a search leads: the kind and key select it, the bounds are what the map flies to (city CRS)."""

    kind: str  # cell | component | camera | supervisor | district | street | community
    key: str
    label: str
    x: float
    y: float
    bounds: tuple[float, float, float, float]


@dataclass(frozen=True)
class CityOverview:
    name: str
    crs: str
    counts: dict


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    at: dt.datetime
    actor: str
    kind: str
    subject: str
    payload: dict


@dataclass(frozen=True)
class AreaDetails:
    """A district, street or community, summarised from the cells it is made of."""

    level: str  # district | street | community
    code: str
    name: str
    cells: int
    pop_day: int
    pop_night: int
    area_m2: float
    components: int
    parent: CodeName | None
