"""What the case queue and the case panel may ask of the city.

Reads return frozen DTOs (a queue page keeps its columns as numpy arrays, design section 8: a window of
a few hundred rows, never the whole table); every read opens its own short session. The one write,
``act``, goes through ``modes.everyday.cases.CaseDesk`` with the injected clock and an ``Actor`` built
from the login, in its own transaction, so a link-connected console can later send the same call over
the command channel instead.

Sorting, filtering and counting happen in SQL (a proxy model needed 13 s to sort 100,000 rows).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from console.dto import Login
from console.gateway import LocalGateway, WriteGateway, provisional_result
from data.errors import InputError, NotFound
from data.models import (
    Case,
    Community,
    ComponentType,
    Department,
    District,
    EventType,
    Street,
)
from modes.common.clock import Clock
from modes.everyday.cases import SATISFACTION, Actor, CaseDesk, Channel
from modes.everyday.config import EverydayConfig
from modes.everyday.routing import Router
from modes.everyday.workflow import FINISHED, IllegalTransition, State

SessionFactory = Callable[[], Session]

# The queue's columns, in display order; the model and the SQL ordering share these keys.
QUEUE_COLUMNS = ("id", "reported_at", "channel", "type", "place", "department", "state", "due", "reporter")

# Which due time runs in each state: the current stage's clock (None where no clock runs).
STAGE_DUE_BY_STATE: dict[State, ColumnElement] = {
    State.REPORTED: Case.accept_due,
    State.VERIFYING: Case.verify_due,
    State.ACCEPTED: Case.file_due,
    State.FILED: Case.dispatch_due,
    State.DISPATCHED: Case.deadline,
    State.HANDLING: Case.deadline,
    State.EXTENSION_REQUESTED: Case.deadline,
    State.RETURN_REQUESTED: Case.deadline,
    State.SUSPENSION_REQUESTED: Case.deadline,
    State.CHECKING: Case.check_due,
}
_NOT_RUNNING = [s.value for s in FINISHED] + [State.SUSPENDED.value]
_FAR_FUTURE = dt.datetime(9999, 12, 31)
_CASE_ID = re.compile(r"^\s*(?:#|案|case\s*)?\s*(\d{1,18})\s*$", re.IGNORECASE)


def stage_due_expr() -> ColumnElement:
    return case(*((Case.state == s.value, col) for s, col in STAGE_DUE_BY_STATE.items()), else_=None)


def overdue_expr(now: dt.datetime) -> ColumnElement:
    """The desk's meaning of overdue: the handling deadline has passed on an open, running case.

    The deadline is wrapped in ``coalesce`` on purpose: almost every deadline on record is past, so an
    index on it selects nearly the whole table (measured 1.8 s to count over a million cases on
    SQLite); kept off that index the planner filters by state first (0.6 s)."""
    far = literal(_FAR_FUTURE, Case.deadline.type)
    return and_(Case.state.not_in(_NOT_RUNNING), func.coalesce(Case.deadline, far) < now)


# --- DTOs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Empty values mean "any"; ``type_key`` is ``kind:code``."""

    state: str | None = None
    channel: str | None = None
    type_key: str | None = None
    department: str | None = None
    district: str | None = None
    overdue: bool = False
    search: str = ""


@dataclass(frozen=True)
class QueueOrder:
    column: str = "id"
    descending: bool = True


@dataclass(frozen=True, eq=False)
class QueuePage:
    """``len(ids)`` consecutive rows of the queue starting at ``offset``, column by column."""

    offset: int
    ids: np.ndarray  # int64
    reported_at: np.ndarray  # datetime64[s]
    channel: np.ndarray  # object (str)
    kind: np.ndarray
    type_code: np.ndarray
    district: np.ndarray
    street: np.ndarray
    department: np.ndarray  # object (str or None)
    state: np.ndarray
    stage_due: np.ndarray  # datetime64[s], NaT where no stage clock runs
    reporter: np.ndarray
    urgent: np.ndarray  # bool
    overdue: np.ndarray  # bool: handling deadline passed
    stage_late: np.ndarray  # bool: the current stage's due time passed

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class QueueLookups:
    """Names for the codes the queue shows, and the choices of its filters (all small tables)."""

    type_names: dict[str, str]  # kind:code -> name
    districts: dict[str, str]
    streets: dict[str, str]
    departments: dict[str, str]

    def type_name(self, kind: str, code: str) -> str:
        return self.type_names.get(f"{kind}:{code}", "")


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str
    note: str


@dataclass(frozen=True)
class StageClock:
    stage: str
    started: dt.datetime | None
    due: dt.datetime | None
    done: dt.datetime | None
    running: bool
    overdue: bool
    continuous: bool  # urgent cases: clock time, not working time
    remaining_minutes: float | None  # running stages: left until due, negative when past it
    late_minutes: float | None  # finished stages done after their due time: by how much


@dataclass(frozen=True)
class ActionOption:
    action: str
    roles: tuple[str, ...]
    needs_note: bool


@dataclass(frozen=True)
class CaseDetail:
    id: int
    kind: str
    type_code: str
    type_name: str
    channel: str
    state: str
    urgent: bool
    x: float
    y: float
    cell: str
    community: str
    community_name: str
    street: str
    street_name: str
    district: str
    district_name: str
    department: str | None
    department_name: str
    supervisor: str | None
    component: str | None
    text: str
    reporter: str
    reported_at: dt.datetime
    deadline: dt.datetime | None
    overdue: bool
    closed_at: dt.datetime | None
    closure_kind: str | None
    duplicate_of: int | None
    duplicates: tuple[int, ...]
    satisfaction: str | None
    counts: dict[str, int]
    pending: dict | None
    timeline: tuple[TimelineEntry, ...]
    stages: tuple[StageClock, ...]
    next_actions: tuple[ActionOption, ...]  # every step the table allows now, for any role
    my_actions: tuple[str, ...]  # the ones the logged-in user may take
    scope_note: str = ""  # why the user may take none of them although their role could


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
        return cls(services.session_factory, services.clock, services.login, getattr(services, "gateway", None))

    def actor(self) -> Actor:
        return Actor.of(
            self.login.role,
            self.login.actor,
            department=self.login.department_code,
            district=self.login.district_code,
        )

    def _desk(self, s: Session) -> CaseDesk:
        # The configuration is read once. Showing a case and acting on it never locate a point (only
        # ``report`` does), so the desk gets a router without the grid index, the costly part to load.
        with self._cached.lock:
            if self._cached.config is None:
                self._cached.config = EverydayConfig.load(s)
            return CaseDesk(s, self.clock, _NO_ROUTING, self._cached.config)

    # --- the queue -----------------------------------------------------------------------------------

    def lookups(self) -> QueueLookups:
        with self.session_factory() as s:
            types = {
                f"component:{c}": n for c, n in s.execute(select(ComponentType.code, ComponentType.name))
            }
            types |= {f"event:{c}": n for c, n in s.execute(select(EventType.code, EventType.name))}
            return QueueLookups(
                type_names=types,
                districts=dict(s.execute(select(District.code, District.name).order_by(District.code)).all()),
                streets=dict(s.execute(select(Street.code, Street.name)).all()),
                departments=dict(
                    s.execute(select(Department.code, Department.name).order_by(Department.code)).all()
                ),
            )

    def types_in_use(self) -> tuple[str, ...]:
        """The ``kind:code`` of every type some case has (the type filter offers these, not all 300)."""
        with self.session_factory() as s:
            rows = s.execute(select(Case.kind, Case.type_code).distinct()).all()
        return tuple(sorted(f"{k}:{c}" for k, c in rows))

    def _conditions(self, f: QueueFilter, now: dt.datetime) -> list[ColumnElement]:
        conds: list[ColumnElement] = []
        if f.state:
            try:
                conds.append(Case.state == State(f.state).value)
            except ValueError:
                raise InputError(
                    f"unknown case state {f.state!r} (one of {', '.join(s.value for s in State)})"
                ) from None
        if f.channel:
            try:
                conds.append(Case.channel == Channel(f.channel).value)
            except ValueError:
                raise InputError(
                    f"unknown channel {f.channel!r} (one of {', '.join(c.value for c in Channel)})"
                ) from None
        if f.type_key:
            kind, sep, code = f.type_key.partition(":")
            if not sep or kind not in ("event", "component") or not code:
                raise InputError(f"a type filter is 'event:CODE' or 'component:CODE', not {f.type_key!r}")
            conds += [Case.kind == kind, Case.type_code == code]
        if f.department:
            conds.append(Case.department_code == f.department)
        if f.district:
            conds.append(Case.district_code == f.district)
        if f.overdue:
            conds.append(overdue_expr(now))
        text = f.search.strip()
        if text:
            m = _CASE_ID.match(text)
            if m:
                conds.append(Case.id == int(m.group(1)))
            else:
                like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                conds.append(
                    or_(
                        Case.description.like(like, escape="\\"),
                        Case.reporter.like(like, escape="\\"),
                        Case.cell_code.like(like, escape="\\"),
                        Case.external_ref == text,
                    )
                )
        return conds

    @staticmethod
    def _sort_key(column: str) -> ColumnElement:
        """The ordering key of a column; NULLs folded so both backends order alike and rank works."""
        keys: dict[str, ColumnElement] = {
            "id": Case.id,
            "reported_at": Case.reported_at,
            "channel": Case.channel,
            "type": Case.type_code,
            "place": Case.street_code,  # a street code starts with its district's: district, then street
            "department": func.coalesce(Case.department_code, ""),
            "state": Case.state,
            "due": func.coalesce(stage_due_expr(), literal(_FAR_FUTURE, Case.deadline.type)),
            "reporter": Case.reporter,
        }
        try:
            return keys[column]
        except KeyError:
            raise InputError(f"the queue cannot sort by {column!r} (one of {', '.join(keys)})") from None

    def _ordering(self, order: QueueOrder) -> list[ColumnElement]:
        key = self._sort_key(order.column)
        by = [key] if order.column == "id" else [key, Case.id]
        return [k.desc() if order.descending else k.asc() for k in by]

    def count(self, f: QueueFilter) -> int:
        now = self.clock.now()
        with self.session_factory() as s:
            return int(s.scalar(select(func.count()).select_from(Case).where(*self._conditions(f, now))) or 0)

    def page(
        self, f: QueueFilter, order: QueueOrder, offset: int, limit: int, total: int | None = None
    ) -> QueuePage:
        """Rows ``offset`` to ``offset + limit`` of the queue. Given the ``total``, a page in the second
        half is read from the end in the reverse order (the same rows: every ordering ends with the
        unique id), so ``OFFSET`` never skips more than half the table and the end costs nothing."""
        if offset < 0 or limit <= 0:
            raise InputError(f"a queue page needs offset >= 0 and limit > 0 (got {offset}, {limit})")
        from_end = total is not None and offset > total // 2
        if from_end:
            limit = max(min(limit, total - offset), 0)
            skip = max(total - offset - limit, 0)
        else:
            skip = offset
        now = self.clock.now()
        due = stage_due_expr().label("stage_due")
        stmt = (
            select(
                Case.id,
                Case.reported_at,
                Case.channel,
                Case.kind,
                Case.type_code,
                Case.district_code,
                Case.street_code,
                Case.department_code,
                Case.state,
                due,
                Case.reporter,
                Case.urgent,
                Case.deadline,
            )
            .where(*self._conditions(f, now))
            .order_by(*self._ordering(QueueOrder(order.column, not order.descending) if from_end else order))
            .limit(limit)
            .offset(skip)
        )
        with self.session_factory() as s:
            rows = s.execute(stmt).all() if limit else []
        return _page_of(offset, rows[::-1] if from_end else rows, now)

    def row_of(self, f: QueueFilter, order: QueueOrder, case_id: int) -> int | None:
        """Where a case stands in the queue (None when the filter hides it): how many rows sort before it."""
        now = self.clock.now()
        conds = self._conditions(f, now)
        key = self._sort_key(order.column)
        with self.session_factory() as s:
            value = s.execute(select(key).where(Case.id == case_id, *conds)).first()
            if value is None:
                return None
            v = value[0]
            if order.column == "id":
                before = Case.id > case_id if order.descending else Case.id < case_id
            elif order.descending:
                before = or_(key > v, and_(key == v, Case.id > case_id))
            else:
                before = or_(key < v, and_(key == v, Case.id < case_id))
            return int(s.scalar(select(func.count()).select_from(Case).where(*conds, before)) or 0)

    # --- one case ------------------------------------------------------------------------------------

    def case_detail(self, case_id: int) -> CaseDetail | None:
        with self.session_factory() as s:
            desk = self._desk(s)
            try:
                case_row = desk.get(case_id)
            except NotFound:
                return None
            doc = desk.view(case_row, full=True)
            now = self.clock.now()
            calendar = desk.config.calendar
            stages = tuple(_stage_clock(c, now, calendar, case_row.urgent) for c in doc["stages"])
            options = tuple(
                ActionOption(a["action"], tuple(a["roles"]), a["needs_note"]) for a in doc["next_actions"]
            )
            mine, scope_note = self._my_actions(desk, case_row, options)
            names = _names(s, case_row)
        return CaseDetail(
            id=doc["id"],
            kind=doc["kind"],
            type_code=doc["type"],
            type_name=doc["type_name"],
            channel=doc["channel"],
            state=doc["state"],
            urgent=bool(doc["urgent"]),
            x=float(case_row.x),
            y=float(case_row.y),
            cell=doc["cell"],
            community=doc["community"],
            community_name=names["community"],
            street=doc["street"],
            street_name=names["street"],
            district=doc["district"],
            district_name=names["district"],
            department=doc["department"],
            department_name=names["department"],
            supervisor=doc["supervisor"],
            component=doc["component"],
            text=doc["text"] or "",
            reporter=doc["reporter"] or "",
            reported_at=_dt(doc["reported_at"]),
            deadline=_dt(doc["deadline"]),
            overdue=bool(doc["overdue"]),
            closed_at=_dt(doc["closed_at"]),
            closure_kind=doc["closure_kind"],
            duplicate_of=doc["duplicate_of"],
            duplicates=tuple(doc["duplicates"]),
            satisfaction=doc["satisfaction"],
            counts=dict(doc["counts"]),
            pending=doc["pending"],
            timeline=tuple(
                TimelineEntry(
                    _dt(h["at"]), h["actor"], h["role"], h["action"], h["from"], h["to"], h["note"] or ""
                )
                for h in doc["history"]
            ),
            stages=stages,
            next_actions=options,
            my_actions=mine,
            scope_note=scope_note,
        )

    def _my_actions(
        self, desk: CaseDesk, case_row: Case, options: tuple[ActionOption, ...]
    ) -> tuple[tuple[str, ...], str]:
        role = self.login.role
        by_role = [o.action for o in options if role in o.roles]
        if not by_role:
            return (), ""
        try:
            # The desk's own scope rule (a district login acts in its district, a department on its
            # cases), asked rather than restated here so the buttons and the desk cannot disagree.
            desk._check_scope(case_row, self.actor(), by_role[0])
        except IllegalTransition as exc:
            return (), str(exc)
        return tuple(by_role), ""

    def departments(self) -> tuple[tuple[str, str], ...]:
        with self.session_factory() as s:
            return tuple(s.execute(select(Department.code, Department.name).order_by(Department.code)).all())

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
            return ActionResult(case_id, action, doc["state"], 0 if queued else int(doc.get("journal_seq") or 0))

        return self.gateway.write("case.act", args, decode=decode)


# --- helpers ------------------------------------------------------------------------------------------


def _dt(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _names(s: Session, c: Case) -> dict[str, str]:
    def name(model, code: str | None) -> str:
        if not code:
            return ""
        return s.scalar(select(model.name).where(model.code == code)) or ""

    return {
        "community": name(Community, c.community_code),
        "street": name(Street, c.street_code),
        "district": name(District, c.district_code),
        "department": name(Department, c.department_code),
    }


def _stage_clock(doc: dict, now: dt.datetime, calendar, urgent: bool) -> StageClock:
    due, done = _dt(doc["due"]), _dt(doc["done"])

    def minutes(a: dt.datetime, b: dt.datetime) -> float:
        return (b - a).total_seconds() / 60 if urgent else calendar.working_minutes(a, b)

    remaining = late = None
    if doc["running"] and due is not None:
        remaining = round(minutes(now, due) if now <= due else -minutes(due, now), 1)
    if done is not None and due is not None and done > due:
        late = round(minutes(due, done), 1)
    return StageClock(
        stage=doc["stage"],
        started=_dt(doc["started"]),
        due=due,
        done=done,
        running=bool(doc["running"]),
        overdue=bool(doc["overdue"]),
        continuous=doc["clock"] == "continuous",
        remaining_minutes=remaining,
        late_minutes=late,
    )


def _dt64(values: list) -> np.ndarray:
    return np.array([np.datetime64(v, "s") if v is not None else np.datetime64("NaT") for v in values])


def _page_of(offset: int, rows: list, now: dt.datetime) -> QueuePage:
    if rows:
        cols = list(zip(*rows, strict=True))
    else:
        cols = [()] * 13
    (
        ids,
        reported,
        channel,
        kind,
        type_code,
        district,
        street,
        department,
        state,
        due,
        reporter,
        urgent,
        deadline,
    ) = cols
    not_running = set(_NOT_RUNNING)
    running = np.array([s not in not_running for s in state], dtype=bool)
    overdue = np.array([d is not None and d < now for d in deadline], dtype=bool) & running
    late = np.array([d is not None and d < now for d in due], dtype=bool) & running

    def obj(values) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out

    return QueuePage(
        offset=offset,
        ids=np.array(ids, dtype=np.int64),
        reported_at=_dt64(list(reported)).astype("datetime64[s]"),
        channel=obj(channel),
        kind=obj(kind),
        type_code=obj(type_code),
        district=obj(district),
        street=obj(street),
        department=obj(department),
        state=obj(state),
        stage_due=_dt64(list(due)).astype("datetime64[s]"),
        reporter=obj(reporter),
        urgent=np.array(urgent, dtype=bool),
        overdue=overdue,
        stage_late=late,
    )
