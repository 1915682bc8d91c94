"""Tables of the emergency rescue mode (应急): incidents, their command staff, rescue units, dispatch
tasks, the significant-events log and medical facilities.

They sit on the city's one ``Base`` and arrive on their own migration branch (``em_0001``). The rules
(status machines, who may do what, impact, dispatch) live in ``modes.emergency``; these are the rows.

Vocabulary (domain.md section 6, reference/standards.md section 5): four event categories, response
levels I (特别重大) to IV (一般) with warning colours red, orange, yellow, blue; ICS positions; ICS 201
briefing and 214 activity log. Times are naive local datetimes like the rest of the city.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.geometry import Geometry
from data.models import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")  # SQLite only autoincrements INTEGER keys


class IncidentCategory(enum.StrEnum):
    """The four categories of the national overall emergency plan (国家突发公共事件总体应急预案)."""

    NATURAL_DISASTER = "natural_disaster"  # 自然灾害
    ACCIDENT = "accident"  # 事故灾难
    PUBLIC_HEALTH = "public_health"  # 公共卫生事件
    SOCIAL_SECURITY = "social_security"  # 社会安全事件


class IncidentLevel(enum.StrEnum):
    I = "I"  # noqa: E741 - the official name of the level; 特别重大
    II = "II"  # 重大
    III = "III"  # 较大
    IV = "IV"  # 一般


class WarningColour(enum.StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"


# 突发事件应对法 Art. 42: level 1 red is the highest. Some secondary sources reverse it; they are wrong.
LEVEL_COLOUR: dict[IncidentLevel, WarningColour] = {
    IncidentLevel.I: WarningColour.RED,
    IncidentLevel.II: WarningColour.ORANGE,
    IncidentLevel.III: WarningColour.YELLOW,
    IncidentLevel.IV: WarningColour.BLUE,
}


class IncidentStatus(enum.StrEnum):
    REPORTED = "reported"
    RESPONDING = "responding"
    CONTAINED = "contained"
    CLOSED = "closed"


class IcsPosition(enum.StrEnum):
    """Incident Command System positions: the commander, command staff and general staff (sections)."""

    COMMANDER = "commander"
    PUBLIC_INFORMATION = "public_information"
    SAFETY = "safety"
    LIAISON = "liaison"
    OPERATIONS = "operations"
    PLANNING = "planning"
    LOGISTICS = "logistics"
    FINANCE = "finance"


class UnitKind(enum.StrEnum):
    TEAM = "team"  # people (rescue squads, repair crews, civil-defence professional teams)
    VEHICLE = "vehicle"  # engines, ambulances, pumps, cranes
    DEPOT = "depot"  # stockpiles: sandbags, tents, pumps to lend; capacity is in stock units


class Capability(enum.StrEnum):
    """What a unit can do; one per unit, so "suggest the nearest pumps" is one filter."""

    FIRE = "fire"  # 灭火: fire engines
    RESCUE = "rescue"  # 抢险救援 vehicles of the fire brigade (cutting, lifting, traffic rescue)
    SEARCH_RESCUE = "search_rescue"  # 搜救: collapse search and rescue (civil-defence professional teams)
    HAZMAT = "hazmat"  # 危化品处置 / 防化
    MEDICAL = "medical"  # 120 ambulances
    POLICE = "police"  # 110 patrols: cordons, traffic, public order
    GAS_REPAIR = "gas_repair"  # 燃气抢修
    WATER_REPAIR = "water_repair"  # 供水抢修
    HEATING_REPAIR = "heating_repair"  # 供热抢修
    POWER_REPAIR = "power_repair"  # 电力抢修
    PUMPING = "pumping"  # 排水抢险: pump trucks
    ROAD_REPAIR = "road_repair"  # 道路抢修, also snow and ice clearing
    HEAVY_EQUIPMENT = "heavy_equipment"  # cranes, excavators
    TRANSPORT = "transport"  # buses for evacuation
    SUPPLIES = "supplies"  # depots: sandbags, tents, blankets, drinking water


class UnitStatus(enum.StrEnum):
    AVAILABLE = "available"
    ASSIGNED = "assigned"  # holds an open task
    OUT_OF_SERVICE = "out_of_service"


class TaskStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    DONE = "done"
    CANCELLED = "cancelled"


class FacilityKind(enum.StrEnum):
    HOSPITAL = "hospital"
    EMERGENCY_CENTRE = "emergency_centre"  # 120 急救中心/站


class Incident(Base):
    """A sudden event under command. Its area is a point (``x``/``y``) or a drawn polygon (``area``);
    its cordons are buffers of ``inner_radius_m``/``outer_radius_m`` around it unless drawn.

    ``case_id`` links the everyday case it was escalated from (the case side of the link is a
    ``case.escalated`` journal event on ``case/<id>``).
    """

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    type_code: Mapped[str] = mapped_column(String(16), index=True)
    type_name: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(3))
    level_set_at: Mapped[dt.datetime] = mapped_column(DateTime)  # the 4-hour report clock of I/II starts here
    colour: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")  # one per line (ICS 201/202)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    area: Mapped[object | None] = mapped_column(Geometry, nullable=True)  # drawn incident area
    inner_radius_m: Mapped[float] = mapped_column(Float)
    outer_radius_m: Mapped[float] = mapped_column(Float)
    inner_cordon: Mapped[object | None] = mapped_column(Geometry, nullable=True)  # drawn, replaces the buffer
    outer_cordon: Mapped[object | None] = mapped_column(Geometry, nullable=True)
    cell_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    commander: Mapped[str] = mapped_column(String(50))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    responding_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    contained_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)  # drills: kept apart from real operations
    # The exercise whose inject opened it (data.exercise_models); None for a real incident or one marked
    # exercise by hand. Migration em_0002.
    exercise_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class IncidentRole(Base):
    """Who holds an ICS position on an incident. A new holder relieves the previous one (kept)."""

    __tablename__ = "incident_roles"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(String(24))
    person: Mapped[str] = mapped_column(String(50))
    agency: Mapped[str] = mapped_column(String(100), default="")
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    assigned_by: Mapped[str] = mapped_column(String(50))
    relieved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class RescueUnit(Base):
    """A rescue team, vehicle or depot with one capability, owned by a department or a district."""

    __tablename__ = "rescue_units"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    capability: Mapped[str] = mapped_column(String(24), index=True)
    capacity: Mapped[int] = mapped_column(Integer, default=1)  # people, seats or stock units
    status: Mapped[str] = mapped_column(String(16), default=UnitStatus.AVAILABLE.value, index=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), nullable=True, index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    base_name: Mapped[str] = mapped_column(String(100), default="")  # the station or depot it starts from
    phone: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class DispatchTask(Base):
    """A dispatch order and the task it creates for the unit's owner.

    ``order_id`` is the stable id the order travels under (to a district node and back): applying the
    same order id twice changes nothing the second time.
    """

    __tablename__ = "dispatch_tasks"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("rescue_units.id"), index=True)
    assignee_district: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    assignee_department: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    ordered_by: Mapped[str] = mapped_column(String(50))
    ordered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    distance_m: Mapped[float] = mapped_column(Float)
    eta_minutes: Mapped[float] = mapped_column(Float)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(50), nullable=True)
    en_route_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    on_scene_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class IncidentLogEntry(Base):
    """One line of the significant-events log (ICS 214 activity log): when, who, what, which task."""

    __tablename__ = "incident_log"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(24))
    # note | status | dispatch | task | role | area
    kind: Mapped[str] = mapped_column(String(12), default="note")
    text: Mapped[str] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_tasks.id"), nullable=True)

    __table_args__ = (Index("ix_incident_log_incident_at", "incident_id", "at"),)


class MedicalFacility(Base):
    """A hospital or 120 emergency centre: where casualties go, shown as "nearby" in the impact."""

    __tablename__ = "medical_facilities"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = mapped_column(String(20), default="")  # 三级甲等 ...
    beds: Mapped[int] = mapped_column(Integer, default=0)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), nullable=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
