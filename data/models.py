"""SQLAlchemy models of the city.

Codes follow the national standards (domain.md section 2):
- grid cell: 15 digits = 6 district + 3 street + 3 community + 3 sequence (legacy 14 digits kept beside);
- component: 17 digits = 6 district + 2 major + 3 minor + 6 sequence (legacy 16 digits kept beside);
- component and event types carry both the GB/T 47678.5 5-digit and the CJ/T 214 4-digit code.

Times are naive datetimes in the city's local time (the working-hours calendar is local).
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
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.errors import InputError
from data.geometry import Geometry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __repr__(self) -> str:
        pk = ", ".join(f"{c.key}={getattr(self, c.key)!r}" for c in self.__mapper__.primary_key)
        return f"{type(self).__name__}({pk})"


class ComponentState(enum.StrEnum):
    INTACT = "intact"  # 完好
    DAMAGED = "damaged"  # 破损
    LOST = "lost"  # 丢失
    ABANDONED = "abandoned"  # 废弃
    REMOVED = "removed"  # 移除


class Role(enum.StrEnum):
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    SHIFT_LEADER = "shift_leader"
    DISPATCHER = "dispatcher"
    DEPARTMENT = "department"
    COMMANDER = "commander"
    CIVIL_DEFENCE = "civil_defence"
    # The drill coordinator (演练导调): runs exercises, delivers injects, keeps the evaluators' notes.
    DRILL = "drill"
    # An outside application reporting for the public through the Open311 gateway, proved by its API key
    # (modes/common/app_keys.py): it reports and does nothing else. Never a staff login.
    APP = "app"

    @classmethod
    def parse(cls, text: str | Role) -> Role:
        """A role however it is spelt: ``civil_defence``, ``civil-defence``, ``Civil Defence`` (the mode is
        ``civil-defence`` on the command line, the role ``civil_defence`` in the staff list). Unknown:
        ``InputError`` naming the roles."""
        if isinstance(text, Role):
            return text
        key = "_".join(str(text).strip().lower().replace("-", " ").replace("_", " ").split())
        try:
            return cls(key)
        except ValueError:
            raise InputError(f"unknown role {text!r} (one of {', '.join(r.value for r in cls)})") from None

    @classmethod
    def spelling(cls, text: str) -> Role | None:
        """The role ``text`` spells, or None when it spells none (a login, say)."""
        try:
            return cls.parse(text)
        except ValueError:
            return None


class CameraStatus(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    FAULT = "fault"


# --- the city meta ---------------------------------------------------------------------------------


class CityMeta(Base):
    """Key/value facts about the city: its CRS, name, how it was generated."""

    __tablename__ = "city_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- organisation and grid -------------------------------------------------------------------------


class District(Base):
    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # GB/T 2260
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    geometry: Mapped[object | None] = mapped_column(Geometry, nullable=True)


class Street(Base):
    """A street office (街道办事处) or town; 9-digit code = district + 3 (GB/T 10114)."""

    __tablename__ = "streets"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    geometry: Mapped[object | None] = mapped_column(Geometry, nullable=True)


class Community(Base):
    """A community (社区); 12-digit code = street + 3."""

    __tablename__ = "communities"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    geometry: Mapped[object | None] = mapped_column(Geometry, nullable=True)


class Supervisor(Base):
    """A patrol supervisor (城管监督员) with a handheld device, responsible for a set of cells."""

    __tablename__ = "supervisors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    device_id: Mapped[str] = mapped_column(String(32), default="")
    last_x: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_y: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_seen: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class GridCell(Base):
    """A unit grid cell (单元网格)."""

    __tablename__ = "grid_cells"
    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    legacy_code: Mapped[str | None] = mapped_column(String(14), nullable=True, unique=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("communities.code"), index=True)
    geometry: Mapped[object] = mapped_column(Geometry)
    area_m2: Mapped[float] = mapped_column(Float)
    pop_day: Mapped[int] = mapped_column(Integer, default=0)
    pop_night: Mapped[int] = mapped_column(Integer, default=0)
    land_use: Mapped[str] = mapped_column(String(32), default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id"), nullable=True, index=True)

    @property
    def district_code(self) -> str:
        return self.code[:6]

    @property
    def street_code(self) -> str:
        return self.code[:9]


class Road(Base):
    __tablename__ = "roads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))  # main | secondary | bridge
    geometry: Mapped[object] = mapped_column(Geometry)


class Department(Base):
    """A municipal professional department (专业部门) that owns components and handles cases."""

    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="")  # 统一社会信用代码
    duties: Mapped[str] = mapped_column(Text, default="")


class Staff(Base):
    """A person who logs in to the console, with the role the workflow knows them by."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), nullable=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)


class StaffCredential(Base):
    """A login's password hash and its run of failed log-ins (modes/common/auth.py).

    Kept apart from ``staff`` on purpose: the staff list is replicated to every district node and
    console, the hashes must not be (a console's replica is a file on a desk), and a failed log-in then
    changes only this row, not the replicated one. No row: the login has no password and cannot log in.
    """

    __tablename__ = "staff_credentials"
    login: Mapped[str] = mapped_column(ForeignKey("staff.login"), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    password_set_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class StaffSession(Base):
    """A log-in kept for a while (``main.py login``): only the SHA-256 of its random token is stored,
    so a copy of the database does not let anyone act as the person."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(ForeignKey("staff.login"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- standard types -------------------------------------------------------------------------------


class ComponentType(Base):
    """A component type. ``code`` is the GB/T 47678.5 code when the type has one, else the legacy one."""

    __tablename__ = "component_types"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    gb_code: Mapped[str | None] = mapped_column(String(5), unique=True, nullable=True)
    legacy_code: Mapped[str | None] = mapped_column(String(4), unique=True, nullable=True)
    major_name: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(30))
    default_owner: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)


class EventType(Base):
    """An event (事件/事项) type, with both code systems like ``ComponentType``."""

    __tablename__ = "event_types"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    gb_code: Mapped[str | None] = mapped_column(String(5), unique=True, nullable=True)
    legacy_code: Mapped[str | None] = mapped_column(String(4), unique=True, nullable=True)
    major_name: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(30))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)


class EventAssignment(Base):
    """Which department a district assigns an event type to. No row: the district itself (属地)."""

    __tablename__ = "event_assignments"
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), primary_key=True)
    event_type_code: Mapped[str] = mapped_column(ForeignKey("event_types.code"), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))


# --- assets ----------------------------------------------------------------------------------------


class Component(Base):
    """A registered city component (部件) with its owner, property and maintenance departments."""

    __tablename__ = "components"
    id: Mapped[str] = mapped_column(String(17), primary_key=True)
    legacy_id: Mapped[str | None] = mapped_column(String(16), unique=True, nullable=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("component_types.code"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    owner_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)  # 主管
    property_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    maintenance_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    cell_code: Mapped[str] = mapped_column(ForeignKey("grid_cells.code"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=ComponentState.INTACT.value)
    init_date: Mapped[dt.date] = mapped_column(Date)
    change_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    data_source: Mapped[str] = mapped_column(String(30), default="实测")
    note: Mapped[str] = mapped_column(Text, default="")
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)

    # The nearest component of a type to a reported point (an Open311 report of a street light, say):
    # a range on x within one type, y read from the index (migration open311_0001).
    __table_args__ = (Index("ix_components_type_xy", "type_code", "x", "y"),)


# A demo camera's stream address names no host: it plays from the demo stream server that the setting
# SANWEI_STREAMS names (nodes/video.py resolves it), so a city's database never bakes one in.
DEMO_STREAM_PREFIX = "demo://"


class Camera(Base):
    __tablename__ = "cameras"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    heading_deg: Mapped[float] = mapped_column(Float, default=0.0)  # clockwise from north
    fov_deg: Mapped[float] = mapped_column(Float, default=60.0)
    range_m: Mapped[float] = mapped_column(Float, default=150.0)
    status: Mapped[str] = mapped_column(String(10), default=CameraStatus.ONLINE.value)
    stream_url: Mapped[str] = mapped_column(String(255), default="")
    place: Mapped[str] = mapped_column(String(16), default="road")  # road | square | park
    cell_code: Mapped[str | None] = mapped_column(ForeignKey("grid_cells.code"), nullable=True, index=True)


# --- cases (the loop itself lives in modes.everyday) -----------------------------------------------


class Case(Base):
    """A reported problem going round the closed loop (modes.everyday.workflow has the rules).

    Each stage keeps the due time of its current attempt and the time it was done, so stage clocks and
    on-time rates are plain column comparisons in SQL; an attempt a rework or a return started afresh
    keeps its verdict on the history row of the step that stopped it (``CaseHistory.stage_due``). ``deadline`` is the handling deadline: provisional (counted from
    the report) until dispatch, then counted from dispatch and moved by extensions and suspensions.
    """

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # component | event
    type_code: Mapped[str] = mapped_column(String(5), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(24), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    cell_code: Mapped[str] = mapped_column(ForeignKey("grid_cells.code"), index=True)
    community_code: Mapped[str] = mapped_column(String(12), default="")
    street_code: Mapped[str] = mapped_column(String(9), default="")
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    department_code: Mapped[str | None] = mapped_column(
        ForeignKey("departments.code"), nullable=True, index=True
    )
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id"), nullable=True, index=True)
    component_id: Mapped[str | None] = mapped_column(ForeignKey("components.id"), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(String(50), default="")
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    accept_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    verify_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    file_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    dispatch_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    deadline: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    feedback_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The operator's sending of the check task after the feedback, and the shift leader's closing of a
    # passed check: the seats' steps the evaluation times (migration clocks_0001).
    send_check_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    check_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    close_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closure_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    satisfaction: Mapped[str | None] = mapped_column(String(12), nullable=True)
    suspended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    suspended_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    suspension_count: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of a request awaiting approval
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The exercise whose inject reported it (data.exercise_models): real figures, lists and exports leave
    # such cases out unless asked (modes.everyday.case_filter). Migration ex_0001.
    exercise_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    __table_args__ = (
        # The duplicate lookup (migration ex_0005): type, state and time to find, then what it tests
        # (exercise, cell, place), so a report reads this index alone, not every open case of its type.
        Index(
            "ix_cases_dup_lookup", "type_code", "state", "reported_at", "exercise_id", "cell_code", "x", "y"
        ),
        # Covers the case KPIs (migrations 0003, ex_0002): department first, then report time, then every
        # column the department and district counts read, the exercise id last (real KPIs leave exercise
        # cases out), so ``kpi --by department`` reads this index alone.
        Index(
            "ix_cases_kpi",
            "department_code",
            "reported_at",
            "dispatched_at",
            "closed_at",
            "voided_at",
            "closure_kind",
            "state",
            "deadline",
            "rework_count",
            "return_count",
            "extension_count",
            "suspension_count",
            "satisfaction",
            "district_code",
            "channel",
            "filed_at",
            "exercise_id",
        ),
    )


class CaseHistory(Base):
    __tablename__ = "case_history"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    # A step that stops a stage clock (``workflow.Transition.stops``): the due time that stage's attempt
    # was held to, so each attempt keeps its own verdict after a rework or a return starts the stage
    # again. NULL for other steps, and for steps recorded before migration clocks_0001.
    stage_due: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


# --- the journal -----------------------------------------------------------------------------------


class JournalEvent(Base):
    """One numbered, hash-chained event; written in the transaction of the change it records."""

    __tablename__ = "journal"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(80), default="")
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_journal_subject", "subject"),)


class JournalHead(Base):
    """The single row holding the last sequence number and hash; locked by each writer."""

    __tablename__ = "journal_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


# --- orders waiting for a second person ------------------------------------------------------------


class OrderState(enum.StrEnum):
    PENDING = "pending"  # waiting for a second person's confirmation
    CONFIRMED = "confirmed"  # confirmed in time: the act was done
    REFUSED = "refused"  # declined by a second person, or withdrawn by the one who asked
    EXPIRED = "expired"  # nobody confirmed it in time


class PendingOrder(Base):
    """A grave act (the wartime switch, an air-raid alarm) asked for under the two-person rule: it takes
    effect only when a second authorised person confirms it before ``expires_at`` (modes/common/orders.py).
    ``args`` are the act's own arguments, as its command takes them."""

    __tablename__ = "pending_orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act: Mapped[str] = mapped_column(String(40))  # the command name: mode.switch, alarm.issue
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(50))
    requested_role: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(12), default=OrderState.PENDING.value, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(50), nullable=True)  # who confirmed or refused
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    result_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # the act's journal event
