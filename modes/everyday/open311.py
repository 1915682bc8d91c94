"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the everyday loop: the services
citizens may report, a report through the gateway, and the public view of cases as service requests.

Services
    The event and component types of ``data/standards/open311_services.csv``, with the standard Chinese
    name and major beside the English ones. ``service_code`` is ``event-CODE`` or ``component-CODE``. A
    component service is reported against the nearest registered component of its type within
    ``COMPONENT_RADIUS_M`` of the point (so it goes to the component's owner), else as the matter of the
    same GB code ("<component>异常"). No service has extra attributes (``metadata`` false).

A report (``open311.report`` on the bus)
    By an Open311 application only (role ``app``, proved by its API key: ``modes.common.app_keys``). It
    is a ``case.report`` on the ``internet`` channel through the same handler as every other report, so
    a repeat of an open case nearby links to it as a duplicate as at the console. Beside the case, an
    ``open311_requests`` row keeps the app, a token, the address the citizen typed and the photo's URL.
    ``lat``/``long`` are required (this server does not geocode ``address_string``) and must fall in
    the city. The reporter's name, phone, e-mail, device and account are never passed in: the gateway
    drops them.

Service requests (the GET side): what is public
    Every real case of the city (exercise cases never), newest first, with its service, status
    (``open`` until the case is closed, evaluated, voided; a linked duplicate follows the case it was
    linked to), the public note of its current stage (``STAGE_NOTES``: never a staff member's note),
    the responsible department or district, the times, the location (lat/long, the cell code as
    ``address_id``, the community's names as the address). The description is shown only for requests
    made through Open311 (what the citizen wrote for the public), with phone numbers, e-mail addresses
    and ID numbers blanked (``redact``); a description a supervisor or an operator wrote (a hotline
    caller's words) is never shown. No reporter, supervisor or staff name, ever.

Times are the city's local time with its offset (``CITY_UTC_OFFSET``, China Standard Time).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from data.city import city_crs
from data.errors import InputError
from data.geometry import WGS84, transformer
from data.models import (
    Case,
    Community,
    Component,
    ComponentType,
    Department,
    District,
    EventType,
    Role,
    Street,
)
from data.open311_models import Open311Request
from modes.common import app_keys
from modes.common.command_bus import CallContext, CommandBus
from modes.common.exercise_filter import exercise_conditions
from modes.everyday import link_commands
from modes.everyday.evaluation import row_value_number
from modes.everyday.workflow import FINISHED, State

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
SERVICES_FILE = Path(__file__).resolve().parents[2] / "data" / "standards" / "open311_services.csv"
CITY_UTC_OFFSET = dt.timezone(dt.timedelta(hours=8), "CST")
DEFAULT_DAYS = 90  # GET requests without dates: the last 90 days (the spec's default) ...
MAX_SPAN_DAYS = 90  # ... and start_date..end_date may not span more
MAX_RESULTS = 1000  # nor return more than 1,000 requests (the spec's default limit)
COMPONENT_RADIUS_M = 30.0
MAX_DESCRIPTION = 2000
MAX_ADDRESS = 255
MAX_MEDIA_URL = 1024
MAX_IDS = 1000
LANGS = ("zh", "en")
_FINISHED = sorted(s.value for s in FINISHED)


def parse_lang(value: str | None) -> str:
    """``zh`` (the default) or ``en``; ``zh-CN``, ``en-GB`` and the like count as theirs."""
    word = (value or "zh").strip().lower()[:2]
    if word not in LANGS:
        raise InputError(f"lang is zh or en, not {value!r}")
    return word


# --- services --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    code: str  # event-06010, component-01037
    kind: str  # event | component
    type_code: str  # the type's code in our tables
    name_zh: str
    name_en: str
    group_zh: str
    group_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def as_doc(self, lang: str) -> dict[str, Any]:
        """One service as GET services lists it."""
        return {
            "service_code": self.code,
            "service_name": self.name(lang),
            "description": f"{self.name_zh} / {self.name_en}",
            "metadata": False,
            "type": "realtime",
            "keywords": f"{self.type_code},{self.name_zh},{self.name_en}",
            "group": self.group_zh if lang == "zh" else self.group_en,
        }


@lru_cache(maxsize=1)
def _service_rows() -> tuple[tuple[str, str, str, str], ...]:
    with SERVICES_FILE.open(encoding="utf-8", newline="") as fh:
        return tuple((r["kind"], r["code"], r["name_en"], r["group_en"]) for r in csv.DictReader(fh))


def service_code(kind: str, type_code: str) -> str:
    return f"{kind}-{type_code}"


def load_services(session: Session) -> dict[str, Service]:
    """The services, in the file's order, with the Chinese names from the city's type tables."""
    rows = _service_rows()
    events = {
        r.code: r
        for r in session.scalars(
            select(EventType).where(EventType.code.in_([c for k, c, *_ in rows if k == "event"]))
        )
    }
    components = {
        r.code: r
        for r in session.scalars(
            select(ComponentType).where(ComponentType.code.in_([c for k, c, *_ in rows if k == "component"]))
        )
    }
    out: dict[str, Service] = {}
    for kind, code, name_en, group_en in rows:
        row = (events if kind == "event" else components).get(code)
        if row is None:  # a city without the standard tables: the service is not offered
            continue
        out[service_code(kind, code)] = Service(
            service_code(kind, code), kind, code, row.name, name_en, row.major_name, group_en
        )
    return out


@dataclass(frozen=True)
class Catalogue:
    """What the public view names and never changes while a gateway serves: the services, the names of
    types, departments, districts, streets and communities, the city's CRS. Loaded once
    (``load_catalogue``) and kept by the caller."""

    services: dict[str, Service]
    types: dict[tuple[str, str], str]
    departments: dict[str, tuple[str, str]]
    districts: dict[str, tuple[str, str]]
    streets: dict[str, str]
    communities: dict[str, str]
    crs: str


def load_catalogue(session: Session) -> Catalogue:
    types = {("event", c): n for c, n in session.execute(select(EventType.code, EventType.name)).all()}
    types |= {
        ("component", c): n for c, n in session.execute(select(ComponentType.code, ComponentType.name)).all()
    }
    return Catalogue(
        load_services(session),
        types,
        {
            c: (n, e)
            for c, n, e in session.execute(select(Department.code, Department.name, Department.name_en))
        },
        {c: (n, e) for c, n, e in session.execute(select(District.code, District.name, District.name_en))},
        dict(session.execute(select(Street.code, Street.name)).all()),
        dict(session.execute(select(Community.code, Community.name)).all()),
        city_crs(session),
    )


def service_definition(services: Mapping[str, Service], code: str) -> dict[str, Any] | None:
    """GET services/{code}: no service has attributes to ask for. None: no such service."""
    if code not in services:
        return None
    return {"service_code": code, "attributes": []}


# --- personal data ----------------------------------------------------------------------------------------

# Mainland mobile numbers, landlines with an area code, 5-digit service numbers are kept; 18-character
# resident ID numbers; e-mail addresses. What a citizen might leave in a public description by mistake.
_PERSONAL = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)"),
    re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)"),
)
REDACTED = "[***]"


def redact(text: str | None) -> str:
    """``text`` with phone numbers, ID numbers and e-mail addresses blanked out."""
    out = text or ""
    for pattern in _PERSONAL:
        out = pattern.sub(REDACTED, out)
    return out


def _clean(value: Any, limit: int, what: str) -> str:
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if len(text) > limit:
        raise InputError(f"{what} is {len(text)} characters long; at most {limit} are taken")
    return text


# --- a report ---------------------------------------------------------------------------------------------


def _coordinate(args: Mapping[str, Any], name: str, low: float, high: float) -> float:
    value = args.get(name)
    if value in (None, ""):
        raise InputError(
            "lat and long are required: the point of the problem in WGS84 degrees "
            "(this server does not look up address_string or address_id)"
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of degrees, not {value!r}") from None
    if not (low <= number <= high):
        raise InputError(f"{name} {number} is not a {name} in degrees ({low:g}..{high:g})")
    return number


def _media_url(value: Any) -> str:
    url = _clean(value, MAX_MEDIA_URL, "media_url")
    if url and not re.match(r"https?://[^\s/]+", url):
        raise InputError(f"media_url must be an http or https address, not {url[:60]!r}")
    return url


def nearest_component(session: Session, type_code: str, x: float, y: float, radius: float) -> str | None:
    """The id of the nearest component of ``type_code`` within ``radius`` metres of (x, y), or None
    (``ix_components_type_xy`` makes this a range scan)."""
    rows = session.execute(
        select(Component.id, Component.x, Component.y).where(
            Component.type_code == type_code,
            Component.x.between(x - radius, x + radius),
            Component.y.between(y - radius, y + radius),
        )
    ).all()
    best = min(
        ((cx - x) ** 2 + (cy - y) ** 2, cid) for cid, cx, cy in rows if (cx - x) ** 2 + (cy - y) ** 2 <= radius**2
    ) if rows else None  # fmt: skip
    return None if best is None else best[1]


def _catalogue(ctx: CallContext) -> Catalogue:
    """The catalogue, kept per node or door, loaded again when the city's organisation changed (the
    node's generation, as for the router)."""
    generation = ctx.reference_generation()
    cached = ctx.services.get("open311.catalogue")
    if cached is None or cached[0] != generation:
        cached = ctx.services["open311.catalogue"] = (generation, load_catalogue(ctx.session))
    return cached[1]


def _services(ctx: CallContext) -> dict[str, Service]:
    return _catalogue(ctx).services


def _report(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """POST requests: an app's report as a ``case.report`` on the internet channel."""
    actor = ctx.actor(args)
    if actor.role != Role.APP:
        raise InputError(f"open311.report is sent by an Open311 application, not by {actor.name}")
    app = actor.name.removeprefix(app_keys.ACTOR_PREFIX)
    app_keys.require_live_app(ctx.session, app)  # revoked since the gateway last saw its key: refused
    ctx.decided_at_centre("Open311 reports are taken at the municipal centre")
    catalogue = _catalogue(ctx)
    services = catalogue.services
    code = str(args.get("service_code") or "").strip()
    if not code:
        raise InputError("service_code is required (GET services.json lists them)")
    service = services.get(code)
    if service is None:
        raise InputError(
            f"service_code {code!r} is not a service of this city (GET services.json lists them)"
        )
    lat = _coordinate(args, "lat", -90, 90)
    lon = _coordinate(args, "long", -180, 180)
    (x,), (y,) = transformer(WGS84, catalogue.crs).transform([lon], [lat])
    description = _clean(args.get("description"), MAX_DESCRIPTION, "description")
    address = _clean(args.get("address_string"), MAX_ADDRESS, "address_string")
    media_url = _media_url(args.get("media_url"))
    report: dict[str, Any] = {"x": x, "y": y, "lonlat": False, "channel": "internet", "text": description}
    component = None
    if service.kind == "component":
        component = nearest_component(ctx.session, service.type_code, x, y, COMPONENT_RADIUS_M)
    if component is not None:
        report["component"] = component
    else:
        report["type"] = service.type_code  # the matter of the same code
    try:
        doc = link_commands.report_case(ctx, report)
    except InputError as exc:
        if "outside the city" in str(exc):
            raise InputError(f"lat {lat}, long {lon} is outside the city this server serves") from None
        raise
    token = secrets.token_hex(12)
    ctx.session.add(
        Open311Request(
            case_id=doc["id"], app=app, token=token, service_code=code, address=address, media_url=media_url
        )
    )
    ctx.session.flush()
    notice = _notice(doc)
    return {
        "service_request_id": str(doc["id"]),
        "token": token,
        "service_notice": notice,
        "account_id": None,
        "duplicate_of": None if doc["duplicate_of"] is None else str(doc["duplicate_of"]),
    }


def _notice(doc: dict[str, Any]) -> str:
    """What the citizen is told at once, in both languages."""
    if doc["duplicate_of"] is not None:
        n = doc["duplicate_of"]
        return (
            f"同一问题已有人报告，本请求随请求 {n} 处理。 / "
            f"The problem was already reported: this request follows request {n}."
        )
    due = (doc.get("deadline") or "")[:16].replace("T", " ")
    if not due:
        return "已收到，谢谢。 / Received, thank you."
    return f"已收到，谢谢；预计 {due} 前处理。 / Received, thank you; expected to be dealt with by {due}."


# --- the public view of a case ----------------------------------------------------------------------------

# The note each stage shows the public, (zh, en); {agency} is the responsible body's name.
STAGE_NOTES: dict[str, tuple[str, str]] = {
    State.REPORTED.value: ("已收到，等待受理", "Received, waiting to be taken in"),
    State.VERIFYING.value: ("监督员正在现场核实", "A supervisor is checking on site"),
    State.NOT_FOUND.value: ("现场未发现问题，将再次核实", "Not found on site; to be checked again"),
    State.ACCEPTED.value: ("已受理，等待立案", "Taken in, waiting to be filed"),
    State.SELF_FIX_REVIEW.value: (
        "监督员已现场处理，待审核",
        "Fixed on the spot by a supervisor; under review",
    ),
    State.FILED.value: ("已立案，等待派遣", "Filed, waiting to be dispatched"),
    State.DISPATCHED.value: ("已派遣至{agency}", "Sent to {agency}"),
    State.HANDLING.value: ("{agency}正在处置", "{agency} is handling it"),
    State.EXTENSION_REQUESTED.value: (
        "{agency}正在处置（申请延期）",
        "{agency} is handling it (more time asked)",
    ),
    State.RETURN_REQUESTED.value: (
        "{agency}申请退回，待重新派遣",
        "{agency} asked to hand it back; to be re-sent",
    ),
    State.SUSPENSION_REQUESTED.value: (
        "{agency}正在处置（申请暂缓）",
        "{agency} is handling it (a pause asked)",
    ),
    State.SUSPENDED.value: ("暂缓处置（挂账）", "On hold"),
    State.FEEDBACK.value: ("{agency}已处置完毕，等待核查", "{agency} reports it done; waiting for the check"),
    State.CHECKING.value: ("正在现场核查处置结果", "The fix is being checked on site"),
    State.CHECKED.value: ("核查通过，等待结案", "The fix was confirmed; closing"),
    State.REWORK_PENDING.value: ("核查未通过，将重新处置", "The check failed; it will be handled again"),
    State.CLOSED.value: ("已结案", "Closed"),
    State.EVALUATED.value: ("已结案并回访", "Closed and followed up"),
    State.VOIDED.value: ("经核实不予立案", "Not taken up after checking"),
    State.MERGED.value: (
        "同一问题已有人报告，本请求已并入请求 {original}",
        "Already reported: follows request {original}",
    ),
}


def public_status(state: str) -> str:
    return "closed" if state in _FINISHED else "open"


def _when(at: dt.datetime | None) -> str | None:
    return at.replace(tzinfo=CITY_UTC_OFFSET).isoformat(timespec="seconds") if at else None


def parse_time(value: str | None, what: str) -> dt.datetime | None:
    """A w3 date-time (``2026-03-02T09:00:00+08:00``, ``...Z``, or a date) as the city's local time."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{what} must be a date-time like 2026-03-02T09:00:00+08:00, not {value!r}"
        ) from None
    if at.tzinfo is not None:
        at = at.astimezone(CITY_UTC_OFFSET).replace(tzinfo=None)
    return at


@dataclass(frozen=True)
class RequestFilter:
    """GET requests' filters. ``ids`` override the others (the spec's rule)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = MAX_RESULTS

    def as_args(self) -> dict[str, Any]:
        return {
            "ids": list(self.ids),
            "service_codes": list(self.service_codes),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "statuses": list(self.statuses),
            "page": self.page,
            "page_size": self.page_size,
        }

    @classmethod
    def from_args(cls, doc: Mapping[str, Any]) -> RequestFilter:
        def time(v):
            return dt.datetime.fromisoformat(v) if v else None

        return cls(
            tuple(int(i) for i in doc.get("ids") or ()),
            tuple(doc.get("service_codes") or ()),
            time(doc.get("start")),
            time(doc.get("end")),
            tuple(doc.get("statuses") or ()),
            int(doc.get("page") or 1),
            int(doc.get("page_size") or MAX_RESULTS),
        )


def _comma_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _positive(value: str | None, what: str, default: int, high: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{what} must be a whole number, not {value!r}") from None
    if not 1 <= number <= high:
        raise InputError(f"{what} must be between 1 and {high}, not {number}")
    return number


def parse_filter(params: Mapping[str, str]) -> RequestFilter:
    """GET requests' query parameters, checked; ``InputError`` names what is wrong."""
    ids = []
    for part in _comma_list(params.get("service_request_id")):
        if not part.isdigit() or len(part) > 18:
            raise InputError(f"service_request_id {part!r} is not a request number")
        ids.append(int(part))
    if len(ids) > MAX_IDS:
        raise InputError(f"at most {MAX_IDS} service_request_id at once")
    codes = _comma_list(params.get("service_code"))
    for code in codes:
        if not re.fullmatch(r"(event|component)-\d{4,5}", code):
            raise InputError(f"service_code {code!r} is not of the form event-CODE or component-CODE")
    statuses = [s.lower() for s in _comma_list(params.get("status"))]
    for s in statuses:
        if s not in ("open", "closed"):
            raise InputError(f"status is open or closed (comma-separated), not {s!r}")
    start = parse_time(params.get("start_date"), "start_date")
    end = parse_time(params.get("end_date"), "end_date")
    if start and end:
        if start > end:
            raise InputError("start_date is after end_date")
        if end - start > dt.timedelta(days=MAX_SPAN_DAYS):
            raise InputError(f"start_date to end_date may span at most {MAX_SPAN_DAYS} days")
    return RequestFilter(
        tuple(ids),
        tuple(codes),
        start,
        end,
        tuple(sorted(set(statuses))),
        _positive(params.get("page"), "page", 1, 10_000),
        _positive(params.get("page_size"), "page_size", MAX_RESULTS, MAX_RESULTS),
    )


_ORIGINAL = aliased(Case, name="original")


def _open(case_state, original_state):
    """Open as the public sees it: not finished, or a duplicate whose original is not finished."""
    return or_(
        case_state.not_in(_FINISHED),
        and_(case_state == State.MERGED.value, original_state.not_in(_FINISHED)),
    )


def _rows(session: Session, where: list, limit: int, offset: int) -> list:
    o, r = _ORIGINAL, Open311Request
    stmt = (
        select(
            Case.id, Case.kind, Case.type_code, Case.state, Case.x, Case.y, Case.cell_code,
            Case.community_code, Case.street_code, Case.district_code, Case.department_code,
            Case.description, Case.reported_at, Case.updated_at, Case.deadline, Case.duplicate_of,
            o.state.label("o_state"), o.department_code.label("o_department"),
            o.district_code.label("o_district"), o.updated_at.label("o_updated"),
            o.deadline.label("o_deadline"),
            r.token, r.address, r.media_url, r.service_code.label("r_service"),
        )
        .outerjoin(o, o.id == Case.duplicate_of)
        .outerjoin(r, r.case_id == Case.id)
        # Real cases are nearly all the rows: SQLite must not walk the exercise_id index for them (it would
        # then sort the period's cases) but the reported_at one, newest first (``evaluation``'s trick).
        .where(*exercise_conditions("leave", row_value_number(Case.exercise_id)), *where)
        .order_by(Case.reported_at.desc(), Case.id.desc())
        .limit(limit)
        .offset(offset)
    )  # fmt: skip
    return session.execute(stmt).all()


def _pick(pair: tuple[str, str] | None, lang: str, fallback: str) -> str:
    if pair is None:
        return fallback
    zh, en = pair
    return zh if lang == "zh" or not en else en


def _request_docs(rows: list, lang: str, names: Catalogue) -> list[dict]:
    if not rows:
        return []
    services = names.services
    lons, lats = transformer(names.crs, WGS84).transform([r.x for r in rows], [r.y for r in rows])
    out = []
    for row, lon, lat in zip(rows, lons, lats, strict=True):
        merged = row.state == State.MERGED.value and row.o_state is not None
        state = row.o_state if merged else row.state
        department = row.o_department if merged else row.department_code
        district = row.o_district if merged else row.district_code
        if department:
            agency = _pick(names.departments.get(department), lang, department)
        else:
            agency = _pick(names.districts.get(district), lang, district)
        # The service the citizen chose (a component service may have become its matter), else the type's.
        code = row.r_service or service_code(row.kind, row.type_code)
        service = services.get(code)
        type_zh = names.types.get((row.kind, row.type_code), row.type_code)
        zh, en = STAGE_NOTES.get(state, (state, state))
        note = (zh if lang == "zh" else en).format(agency=agency, original="")
        if merged or row.state == State.MERGED.value:
            z, e = STAGE_NOTES[State.MERGED.value]
            head = (z if lang == "zh" else e).format(original=row.duplicate_of)
            note = f"{head}: {note}" if merged else head
        finished = state in _FINISHED
        district_name = _pick(names.districts.get(row.district_code), "zh", row.district_code)
        place = " ".join(
            n
            for n in (
                district_name,
                names.streets.get(row.street_code, ""),
                names.communities.get(row.community_code, ""),
            )
            if n
        )
        out.append(
            {
                "service_request_id": str(row.id),
                "status": "closed" if finished else "open",
                "status_notes": note,
                "service_name": service.name(lang) if service else type_zh,
                "service_code": code,
                "description": redact(row.description) if row.token is not None else None,
                "agency_responsible": agency,
                "service_notice": None,
                "requested_datetime": _when(row.reported_at),
                "updated_datetime": _when((row.o_updated if merged else row.updated_at) or row.reported_at),
                "expected_datetime": None if finished else _when(row.o_deadline if merged else row.deadline),
                "address": redact(row.address) if row.address else place,
                "address_id": row.cell_code,
                "zipcode": None,
                "lat": round(float(lat), 6),
                "long": round(float(lon), 6),
                "media_url": row.media_url or None,
            }
        )
    return out


def find_requests(
    session: Session, now: dt.datetime, flt: RequestFilter, lang: str, catalogue: Catalogue
) -> list[dict[str, Any]]:
    """GET requests: the requests the filter selects, newest first, at most ``flt.page_size`` from
    page ``flt.page``. Without ids: reported between start and end (default: the last 90 days up to
    ``now``; given one end, 90 days from or to it), of the service codes and statuses asked."""
    where: list = []
    if flt.ids:
        where.append(Case.id.in_(flt.ids))
    else:
        end = flt.end or (flt.start + dt.timedelta(days=DEFAULT_DAYS) if flt.start else now)
        start = flt.start or end - dt.timedelta(days=DEFAULT_DAYS)
        where += [Case.reported_at >= start, Case.reported_at <= end]
        if flt.service_codes:
            pairs = [c.split("-", 1) for c in flt.service_codes]
            by_type = (and_(Case.kind == k, Case.type_code == t) for k, t in pairs)
            where.append(or_(*by_type, Open311Request.service_code.in_(flt.service_codes)))
        if len(flt.statuses) == 1:
            is_open = _open(Case.state, _ORIGINAL.state)
            where.append(is_open if flt.statuses[0] == "open" else ~is_open)
    limit = min(flt.page_size, MAX_RESULTS)
    rows = _rows(session, where, limit, (flt.page - 1) * limit)
    return _request_docs(rows, lang, catalogue)


def find_request(session: Session, case_id: int, lang: str, catalogue: Catalogue) -> list[dict[str, Any]]:
    """GET requests/{id}: a list of one, or empty when there is no such public request."""
    return _request_docs(_rows(session, [Case.id == case_id], 1, 0), lang, catalogue)


def find_token(session: Session, token: str) -> list[dict[str, Any]]:
    """GET tokens/{token}: the request a token was handed out for (empty when unknown)."""
    case_id = session.scalar(select(Open311Request.case_id).where(Open311Request.token == token[:32]))
    return [] if case_id is None else [{"service_request_id": str(case_id), "token": token}]


# --- queries on the bus (a gateway attached to a node reads through these) -------------------------------


def _services_query(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    lang = parse_lang(args.get("lang"))
    services = _services(ctx)
    code = args.get("service_code")
    if code is not None:
        return {"definition": service_definition(services, str(code))}
    return {"services": [s.as_doc(lang) for s in services.values()]}


def _requests_query(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    lang = parse_lang(args.get("lang"))
    if args.get("id") is not None:
        return {"requests": find_request(ctx.session, int(args["id"]), lang, _catalogue(ctx))}
    if args.get("token") is not None:
        return {"requests": find_token(ctx.session, str(args["token"]))}
    flt = RequestFilter.from_args(args.get("filter") or {})
    return {"requests": find_requests(ctx.session, ctx.clock.now(), flt, lang, _catalogue(ctx))}


def _status_query(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    from modes.everyday.public_status import public_status

    return public_status(ctx.session, ctx.clock.now())


def register(bus: CommandBus) -> None:
    bus.register("open311.report", _report)
    bus.register("query.public_status", _status_query)
    bus.register("query.open311_services", _services_query)
    bus.register("query.open311_requests", _requests_query)
