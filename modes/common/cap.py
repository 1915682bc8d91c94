"""CAP 1.2 alerts (OASIS Common Alerting Protocol, namespace ``urn:oasis:names:tc:emergency:cap:1.2``):
what the modes share to say an alarm or an incident to the world in one standard form.

Each alert is made from one journal event (an alarm sounded, an incident opened, its level or area
changed, it closed): a mode registers a ``CapSource`` for the event kinds it speaks for, and
``alert_of_event`` rebuilds the alert from that event and what came before it, the same bytes every
time. So an alert needs no table of its own: its identifier, its ``sent`` time and the references of a
later Update or Cancel all follow from the journal. docs/cap.md lists the identifiers, the references
and the mapping of alarm kinds and incident levels to urgency, severity and certainty.

Areas are WGS84: the city's polygons are simplified in the city's metric CRS (``simplified``: within
``SIMPLIFY_M``, at most ``MAX_POINTS`` points a ring, valid, never smaller) before they are transformed, and
written in CAP's own order, latitude first (``"lat,lon lat,lon ..."``, a closed ring). Circles are
``"lat,lon radius_km"``. The XML is built with ``xml.etree``, never by joining strings.
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.city import city_crs, get_meta
from data.errors import InputError
from data.geometry import WGS84, polygonal, transformer
from data.models import District, JournalEvent
from modes.common.clock import CITY_TZ, offset_text

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml"
# The city's times are naive local times; a Chinese city keeps China Standard Time all year (no DST).
UTC_OFFSET = offset_text(CITY_TZ)
LANGUAGES = ("zh-CN", "en-US")
ACTUAL, EXERCISE = "Actual", "Exercise"
ALERT, UPDATE, CANCEL = "Alert", "Update", "Cancel"
# Polygons: CAP receivers (phones' cell broadcast, sirens' controllers, feeds) choke on thousands of
# points. Simplified in the city CRS by SIMPLIFY_M, doubled until a ring has at most MAX_POINTS points.
SIMPLIFY_M = 25.0
MAX_POINTS = 100
COORD_DECIMALS = 5  # about a metre


class CapError(InputError):
    """An alert that cannot be made as asked: no such alarm or incident, or no such message of it."""


@dataclass(frozen=True)
class Reference:
    """An earlier message this one updates or cancels: CAP's ``sender,identifier,sent``."""

    sender: str
    identifier: str
    sent: dt.datetime

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class Texts:
    """What one ``info`` block says, in one language."""

    event: str
    headline: str
    description: str
    instruction: str
    sender_name: str


@dataclass(frozen=True)
class Area:
    """One ``area``: its description per language, WGS84 polygons (each a list of (lat, lon), closed)
    and circles ((lat, lon, radius_km))."""

    desc: dict[str, str]
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    circles: tuple[tuple[float, float, float], ...] = ()


@dataclass(frozen=True)
class Grading:
    """How urgent, severe and certain, and what people should do (CAP's fixed vocabularies)."""

    urgency: str
    severity: str
    certainty: str
    response: tuple[str, ...] = ()


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: dt.datetime  # naive local time, written with UTC_OFFSET
    status: str  # Actual or Exercise
    msg_type: str  # Alert, Update or Cancel
    category: str
    grading: Grading
    texts: dict[str, Texts]  # by language (LANGUAGES)
    areas: tuple[Area, ...]
    subject: str  # alarm/<id>, incident/<id>
    journal_seq: int
    references: tuple[Reference, ...] = ()
    note: str = ""
    incidents: str = ""
    event_codes: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    exercise_id: int | None = None

    @property
    def exercise(self) -> bool:
        return self.status == EXERCISE

    def as_reference(self) -> Reference:
        return Reference(self.sender, self.identifier, self.sent)

    def element(self) -> ET.Element:
        alert = ET.Element(_q("alert"))
        _sub(alert, "identifier", self.identifier)
        _sub(alert, "sender", self.sender)
        _sub(alert, "sent", cap_time(self.sent))
        _sub(alert, "status", self.status)
        _sub(alert, "msgType", self.msg_type)
        _sub(alert, "scope", "Public")
        if self.note:
            _sub(alert, "note", self.note)
        if self.references:
            _sub(alert, "references", " ".join(r.text() for r in self.references))
        if self.incidents:
            _sub(alert, "incidents", self.incidents)
        for lang in LANGUAGES:
            t = self.texts[lang]
            info = ET.SubElement(alert, _q("info"))
            _sub(info, "language", lang)
            _sub(info, "category", self.category)
            _sub(info, "event", t.event)
            for response in self.grading.response:
                _sub(info, "responseType", response)
            _sub(info, "urgency", self.grading.urgency)
            _sub(info, "severity", self.grading.severity)
            _sub(info, "certainty", self.grading.certainty)
            for name, value in self.event_codes:
                _pair(info, "eventCode", name, value)
            _sub(info, "senderName", t.sender_name)
            _sub(info, "headline", t.headline)
            _sub(info, "description", t.description)
            _sub(info, "instruction", t.instruction)
            for name, value in self.parameters:
                _pair(info, "parameter", name, value)
            for a in self.areas:
                area = ET.SubElement(info, _q("area"))
                _sub(area, "areaDesc", a.desc[lang])
                for ring in a.polygons:
                    _sub(area, "polygon", " ".join(f"{_c(lat)},{_c(lon)}" for lat, lon in ring))
                for lat, lon, km in a.circles:
                    _sub(area, "circle", f"{_c(lat)},{_c(lon)} {km:.3f}")
        return alert

    def xml(self) -> bytes:
        """The alert as a UTF-8 XML document, CAP's namespace as the default one."""
        tree = ET.ElementTree(self.element())
        ET.indent(tree, space="  ")
        out = io.BytesIO()
        tree.write(out, encoding="UTF-8", xml_declaration=True, default_namespace=CAP_NS)
        return out.getvalue() + b"\n"

    def as_dict(self, *, with_xml: bool = True) -> dict:
        doc = {
            "identifier": self.identifier,
            "sender": self.sender,
            "sent": cap_time(self.sent),
            "status": self.status,
            "msgType": self.msg_type,
            "references": [r.text() for r in self.references],
            "category": self.category,
            "urgency": self.grading.urgency,
            "severity": self.grading.severity,
            "certainty": self.grading.certainty,
            "responseType": list(self.grading.response),
            "subject": self.subject,
            "journal_seq": self.journal_seq,
            "exercise_id": self.exercise_id,
        }
        if with_xml:
            doc["xml"] = self.xml().decode("utf-8")
        return doc


def _q(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    el.text = text
    return el


def _pair(parent: ET.Element, tag: str, name: str, value: str) -> None:
    el = ET.SubElement(parent, _q(tag))
    _sub(el, "valueName", name)
    _sub(el, "value", value)


def _c(value: float) -> str:
    return f"{value:.{COORD_DECIMALS}f}"


def cap_time(t: dt.datetime) -> str:
    """``2026-12-06T10:13:00+08:00``: CAP wants the offset and no fraction of a second."""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + UTC_OFFSET


def status_of(exercise: bool) -> str:
    """An exercise's alert is ``Exercise``, never ``Actual``, wherever it goes."""
    return EXERCISE if exercise else ACTUAL


def exercise_note(exercise_id: int | None) -> str:
    which = f" {exercise_id}" if exercise_id is not None else ""
    return f"演练{which}，非真实警报 EXERCISE{which}: not a real alert"


# --- who sends ------------------------------------------------------------------------------------


def city_code(session: Session) -> str:
    """The city's 6-digit division code (GB/T 2260: the districts' first four digits and ``00``)."""
    codes = Counter(c[:4] for c in session.scalars(select(District.code)) if c and len(c) >= 4)
    if not codes:
        return "000000"
    return codes.most_common(1)[0][0] + "00"


def sender_of(session: Session) -> str:
    """CAP's ``sender``, one per city: ``sanwei-230100``."""
    return f"sanwei-{city_code(session)}"


def city_names(session: Session) -> tuple[str, str]:
    """The city's name in Chinese and English (``city_meta`` ``city_name``, ``city_name_en``)."""
    zh = get_meta(session, "city_name", "") or ""
    return zh, get_meta(session, "city_name_en", "") or ""


def office_names(session: Session, office_zh: str, office_en: str) -> tuple[str, str]:
    """``哈尔滨市人民防空办公室`` / ``Harbin Civil Air Defence Office``: an office of the city by name."""
    zh, en = city_names(session)
    if zh and not zh.endswith("市"):
        zh += "市"
    return f"{zh}{office_zh}", f"{en} {office_en}" if en else f"Municipal {office_en}"


# --- areas ----------------------------------------------------------------------------------------


def simplified(geom, tolerance_m: float = SIMPLIFY_M, max_points: int = MAX_POINTS):
    """``geom`` (metric CRS) as polygons a CAP receiver takes: an outline of more than ``max_points``
    points simplified within a tolerance (``tolerance_m``, less for a small shape, doubled until it has
    at most ``max_points``) and grown by it again (mitred, so no points are added), so the area never shrinks: a
    simplified outline cuts corners, and a warning must not leave out the people on its edge. Holes are
    dropped (CAP polygons have none). The result is valid."""
    parts = [p for p in shapely.get_parts(polygonal(geom)) if not p.is_empty]
    out = []
    for part in parts:
        shell = shapely.Polygon(part.exterior)
        if len(shell.exterior.coords) <= max_points:
            out.append(shell)  # already small enough: kept exactly
            continue
        tol = min(tolerance_m, max(0.5, shell.area**0.5 / 50))
        while True:
            s = shell.simplify(tol, preserve_topology=True).buffer(tol, join_style="mitre", mitre_limit=2.0)
            s = polygonal(s) if s.is_valid else None
            if s is not None and s.geom_type == "MultiPolygon":  # not expected: take its outline's hull
                s = s.convex_hull
            if s is not None and len(s.exterior.coords) <= max_points:
                break
            tol *= 2
        out.append(shapely.Polygon(s.exterior))
    return out


def wgs84_rings(session: Session, geom) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The simplified polygons of ``geom`` (city CRS) as closed (lat, lon) rings."""
    tr = transformer(city_crs(session), WGS84)
    rings = []
    for poly in simplified(geom):
        xy = np.asarray(poly.exterior.coords)
        lon, lat = tr.transform(xy[:, 0], xy[:, 1])
        ring = [
            (round(float(a), COORD_DECIMALS), round(float(o), COORD_DECIMALS))
            for a, o in zip(lat, lon, strict=True)
        ]
        ring[-1] = ring[0]  # closed after rounding too
        rings.append(tuple(ring))
    return tuple(rings)


def wgs84_circle(session: Session, x: float, y: float, radius_m: float) -> tuple[float, float, float]:
    lon, lat = transformer(city_crs(session), WGS84).transform(x, y)
    return (round(float(lat), COORD_DECIMALS), round(float(lon), COORD_DECIMALS), radius_m / 1000.0)


def district_areas(session: Session, codes: Iterable[str]) -> tuple[Area, ...]:
    """One area per district: its outline, or the union of its cells where no outline is stored."""
    from data.models import Community, GridCell, Street

    wanted = list(codes)
    rows = {d.code: d for d in session.scalars(select(District).where(District.code.in_(wanted)))}
    out = []
    for code in wanted:
        d = rows.get(code)
        if d is None:
            continue
        geom = d.geometry
        if geom is None:
            cells = session.scalars(
                select(GridCell.geometry)
                .join(Community, Community.code == GridCell.community_code)
                .join(Street, Street.code == Community.street_code)
                .where(Street.district_code == code)
            ).all()
            geom = shapely.union_all([c for c in cells if c is not None]) if cells else None
        polygons = wgs84_rings(session, geom) if geom is not None and not geom.is_empty else ()
        out.append(Area({"zh-CN": d.name, "en-US": d.name_en or d.name}, polygons))
    return tuple(out)


# --- sources: which journal events make an alert ---------------------------------------------------


@dataclass(frozen=True)
class CapSource:
    """A mode's alerts: the journal event kinds they come from, and how one is built from its event
    (None when that event makes no alert, e.g. an incident status other than closed)."""

    name: str
    kinds: tuple[str, ...]
    build: Callable[[Session, JournalEvent], CapAlert | None]
    # ``subject`` ("alarm/12") -> the events of its alerts, oldest first (for ``alerts_of``)
    events_of: Callable[[Session, str], list[JournalEvent]]
    # the identifier of the alert an event makes, without building it (None: it makes none)
    identify: Callable[[Session, JournalEvent], str | None]


_SOURCES: dict[str, CapSource] = {}


def register_source(source: CapSource) -> None:
    for kind in source.kinds:
        _SOURCES[kind] = source


def alert_kinds() -> tuple[str, ...]:
    return tuple(sorted(_SOURCES))


def alert_of_event(session: Session, event: JournalEvent) -> CapAlert | None:
    source = _SOURCES.get(event.kind)
    return source.build(session, event) if source is not None else None


def _source_of(subject: str) -> CapSource | None:
    kind = subject.partition("/")[0]
    return next((s for s in _SOURCES.values() if s.name == kind), None)


def alerts_of(session: Session, subject: str) -> list[CapAlert]:
    """Every alert of an alarm or incident (``alarm/12``, ``incident/3``), oldest first."""
    source = _source_of(subject)
    if source is None:
        raise CapError(f"no CAP alerts are made for {subject!r} (alarm/ID or incident/ID)")
    built = (source.build(session, ev) for ev in source.events_of(session, subject))
    return [a for a in built if a is not None]


def alert_events(session: Session, after_seq: int, since: dt.datetime | None = None) -> list[JournalEvent]:
    """The journal events after ``after_seq`` (and at or after ``since``) that may make an alert."""
    stmt = select(JournalEvent).where(JournalEvent.seq > after_seq, JournalEvent.kind.in_(alert_kinds()))
    if since is not None:
        stmt = stmt.where(JournalEvent.at >= since)
    return list(session.scalars(stmt.order_by(JournalEvent.seq)))


def identifier_of(session: Session, event: JournalEvent) -> str | None:
    source = _SOURCES.get(event.kind)
    return source.identify(session, event) if source is not None else None


def subject_events(session: Session, subject: str) -> list[JournalEvent]:
    """The events of the alerts of ``subject`` (``alarm/12``), oldest first; none for another kind."""
    source = _source_of(subject)
    return source.events_of(session, subject) if source is not None else []
