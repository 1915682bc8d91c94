"""Tables of the wartime civil air defence mode (人防): sirens, civil-defence works (shelters),
receiving areas for early evacuation, professional teams, alarms with their per-district deliveries,
and the annual test timetable.

They sit on the city's one ``Base`` and arrive on their own migration branch (``cd_0001``). The rules
(who may sound an alarm, coverage, evacuation planning) live in ``modes.civil_defence``; these are the
rows. Vocabulary: domain.md section 5 and reference/standards.md section 4. Coordinates are in the
city's metric CRS like every other layer; times are naive local datetimes.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.geometry import Geometry
from data.models import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")  # SQLite only autoincrements INTEGER keys


# --- vocabularies ----------------------------------------------------------------------------------


class SirenKind(enum.StrEnum):
    ELECTRONIC = "electronic"  # 电声, 600-2,000 W
    ELECTRO_MECHANICAL = "electro_mechanical"  # 电动, 2.2-7.5 kW


class SirenStatus(enum.StrEnum):
    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"  # switched off: maintenance, no power
    DAMAGED = "damaged"


class ShelterClass(enum.StrEnum):
    """Categories of civil-defence works (人防工程), reference/standards.md 4.3."""

    COMMAND_POST = "command_post"  # 指挥工程
    MEDICAL = "medical"  # 医疗救护工程
    PROFESSIONAL_TEAM = "professional_team"  # 防空专业队工程
    PERSONNEL_1 = "personnel_1"  # 一等人员掩蔽: key staff working in wartime
    PERSONNEL_2 = "personnel_2"  # 二等人员掩蔽: residents staying in the city
    SUPPORT = "support"  # 配套工程: power, water, stores, garages ...


PERSONNEL_CLASSES = (ShelterClass.PERSONNEL_1, ShelterClass.PERSONNEL_2)

SHELTER_CLASS_ZH = {
    ShelterClass.COMMAND_POST: "指挥工程",
    ShelterClass.MEDICAL: "医疗救护工程",
    ShelterClass.PROFESSIONAL_TEAM: "防空专业队工程",
    ShelterClass.PERSONNEL_1: "一等人员掩蔽工程",
    ShelterClass.PERSONNEL_2: "二等人员掩蔽工程",
    ShelterClass.SUPPORT: "配套工程",
}


# Usable area per sheltered person, by class: 1.0 m2 in personnel shelters (GB 50038, commonly quoted
# but not verified here: reference/standards.md 6.7), 3 m2 for professional-team members; command posts
# and medical works are sized like team works and medical ones a little larger (beds, treatment
# rooms). Support works (power, water, stores, garages) shelter nobody. Importers and the demo take
# other figures as arguments.
AREA_PER_PERSON_M2: dict[str, float | None] = {
    ShelterClass.COMMAND_POST.value: 3.0,
    ShelterClass.MEDICAL.value: 4.0,
    ShelterClass.PROFESSIONAL_TEAM.value: 3.0,
    ShelterClass.PERSONNEL_1.value: 1.0,
    ShelterClass.PERSONNEL_2.value: 1.0,
    ShelterClass.SUPPORT.value: None,
}


def capacity_for(shelter_class: str, usable_area_m2: float, area_per_person_m2: float | None = None) -> int:
    """Persons a work holds by its usable area (``area_per_person_m2`` overrides the class norm)."""
    per = area_per_person_m2 if area_per_person_m2 is not None else AREA_PER_PERSON_M2[shelter_class]
    if not per or usable_area_m2 <= 0:
        return 0
    # A tiny epsilon so 1,000.0 m2 at 1 m2 is 1,000 persons whatever the float rounding of the area.
    return int(usable_area_m2 / per + 1e-9)


class ShelterStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    DAMAGED = "damaged"


class TeamKind(enum.StrEnum):
    """The seven professional teams (防空专业队), reference/standards.md 4.3."""

    RESCUE_REPAIR = "rescue_repair"  # 抢险抢修
    MEDICAL = "medical"  # 医疗救护
    FIRE = "fire"  # 消防
    PUBLIC_ORDER = "public_order"  # 治安
    CHEMICAL_DEFENCE = "chemical_defence"  # 防化防疫
    COMMUNICATIONS = "communications"  # 通信
    TRANSPORT = "transport"  # 运输


TEAM_KIND_ZH = {
    TeamKind.RESCUE_REPAIR: "抢险抢修队",
    TeamKind.MEDICAL: "医疗救护队",
    TeamKind.FIRE: "消防队",
    TeamKind.PUBLIC_ORDER: "治安队",
    TeamKind.CHEMICAL_DEFENCE: "防化防疫队",
    TeamKind.COMMUNICATIONS: "通信队",
    TeamKind.TRANSPORT: "运输队",
}


class TeamStatus(enum.StrEnum):
    READY = "ready"
    DEPLOYED = "deployed"
    UNAVAILABLE = "unavailable"


class AlarmKind(enum.StrEnum):
    PRE = "pre"  # 预先警报
    RAID = "raid"  # 空袭警报
    CLEAR = "clear"  # 解除警报


# --- assets ----------------------------------------------------------------------------------------


class Siren(Base):
    """An air-raid siren (防空警报器). ``audible_radius_m`` overrides the rule by kind and power
    (``modes.civil_defence.coverage.RadiusRule``) where a survey measured the real reach."""

    __tablename__ = "cd_sirens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), default=SirenKind.ELECTRONIC.value)
    power_w: Mapped[float] = mapped_column(Float)
    audible_radius_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    mount: Mapped[str] = mapped_column(String(16), default="rooftop")  # rooftop | pole | vehicle
    status: Mapped[str] = mapped_column(String(16), default=SirenStatus.IN_SERVICE.value, index=True)
    last_test: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    cell_code: Mapped[str | None] = mapped_column(ForeignKey("grid_cells.code"), nullable=True, index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), nullable=True, index=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Shelter(Base):
    """A civil-defence work (人防工程). ``x``/``y`` is a point inside its footprint (for the map and
    lookups); walking distances are measured to the nearest of its ``entrances`` (a MultiPoint), or to
    ``x``/``y`` when none are recorded. ``occupancy`` is the last reported head count (live)."""

    __tablename__ = "cd_shelters"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    shelter_class: Mapped[str] = mapped_column(String(20), index=True)
    usable_area_m2: Mapped[float] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer)  # persons
    status: Mapped[str] = mapped_column(String(10), default=ShelterStatus.OPEN.value, index=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    footprint: Mapped[object | None] = mapped_column(Geometry, nullable=True)
    entrances: Mapped[object | None] = mapped_column(Geometry, nullable=True)
    occupancy: Mapped[int] = mapped_column(Integer, default=0)
    occupancy_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    cell_code: Mapped[str | None] = mapped_column(ForeignKey("grid_cells.code"), nullable=True, index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), nullable=True, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ReceivingArea(Base):
    """Where a district's people go in early and pre-attack evacuation (接收安置区), outside the city."""

    __tablename__ = "cd_receiving_areas"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    geometry: Mapped[object] = mapped_column(Geometry)
    capacity: Mapped[int] = mapped_column(Integer)  # persons
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)  # district served
    note: Mapped[str] = mapped_column(Text, default="")


class ProfessionalTeam(Base):
    """A civil-defence professional team (防空专业队) of one kind, based at a point (often its works)."""

    __tablename__ = "cd_teams"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    size: Mapped[int] = mapped_column(Integer)  # members
    status: Mapped[str] = mapped_column(String(12), default=TeamStatus.READY.value)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), nullable=True, index=True)
    shelter_id: Mapped[str | None] = mapped_column(ForeignKey("cd_shelters.id"), nullable=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


# --- alarms ----------------------------------------------------------------------------------------


class Alarm(Base):
    """One alarm signal ordered by the civil-defence office for a set of districts."""

    __tablename__ = "cd_alarms"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    issued_by: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    districts: Mapped[list] = mapped_column(JSON, default=list)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)  # drills and annual tests
    # The exercise whose inject sounded it (data.exercise_models); migration cd_0002.
    exercise_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    test_signal_id: Mapped[int | None] = mapped_column(ForeignKey("cd_test_signals.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class AlarmDelivery(Base):
    """An alarm's way to one district centre: sent here, received and acknowledged there."""

    __tablename__ = "cd_alarm_deliveries"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("cd_alarms.id", ondelete="CASCADE"), index=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(50), nullable=True)

    __table_args__ = (UniqueConstraint("alarm_id", "district_code"),)


class TestSignal(Base):
    """One signal of a planned public test (e.g. 18 September: 10:00, 10:08, 10:16)."""

    __tablename__ = "cd_test_signals"
    # pytest would collect a class named Test* from a test module that imports it.
    __test__ = False
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    test_date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    planned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    planned_by: Mapped[str] = mapped_column(String(50))

    __table_args__ = (UniqueConstraint("test_date", "kind"),)
