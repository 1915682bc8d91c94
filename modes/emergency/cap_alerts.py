"""Incidents as CAP 1.2 alerts (``modes.common.cap``; docs/cap.md).

An incident's alerts are its opening (``Alert``), each change of its level or its area (``Update``,
referencing the incident's previous alert) and its closing (``Cancel``, referencing every earlier
alert of the incident: the warning is over, and a receiver that missed an update still withdraws it).
Other status steps (responding, contained) change nothing the public must do and make no alert. The
n-th alert of incident 3 is ``<sender>.incident.3.<n>``, and every alert of it names the incident in
CAP's ``incidents`` (``<sender>.incident.3``).

Each alert says the incident as it stood at that event: the opening's payload with the later level and
area events applied in journal order, so an alert rebuilt later is the alert that was sent. Its areas
are the inner and outer cordons: circles around a reported point while no area or cordon is drawn,
else polygons (a drawn area buffered by the radii, or the drawn cordons), simplified and in WGS84.
"""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import Incident, IncidentLevel
from data.models import District, JournalEvent
from modes.common import cap
from modes.emergency.impact import cordons
from modes.emergency.types import INCIDENT_TYPES

OPENED, LEVEL, AREA, STATUS = "incident.opened", "incident.level", "incident.area", "incident.status"
KINDS = (OPENED, LEVEL, AREA, STATUS)

# docs/cap.md, "Incidents": the one place the mapping is written in code. The response level of the
# national plans (I 特别重大 red ... IV 一般 blue) gives severity and urgency; an open incident is
# Observed (it is happening), and its closing is Past, Minor, AllClear.
GRADING: dict[IncidentLevel, cap.Grading] = {
    IncidentLevel.I: cap.Grading("Immediate", "Extreme", "Observed", ("Evacuate", "Avoid")),
    IncidentLevel.II: cap.Grading("Immediate", "Severe", "Observed", ("Evacuate", "Avoid")),
    IncidentLevel.III: cap.Grading("Expected", "Moderate", "Observed", ("Avoid",)),
    IncidentLevel.IV: cap.Grading("Expected", "Minor", "Observed", ("Avoid", "Monitor")),
}
CLOSED_GRADING = cap.Grading("Past", "Minor", "Observed", ("AllClear",))

# CAP's category by incident type; a type not listed takes its national-plan category's.
CATEGORY_BY_TYPE = {
    "0401": "Infra", "0402": "Infra", "0403": "Infra", "0404": "Infra", "0405": "Infra",
    "0406": "Met", "0407": "Met", "0408": "Infra", "0409": "Security", "0499": "Other",
    "fire": "Fire", "flood": "Met", "gas_leak": "CBRNE", "building_collapse": "Rescue",
    "hazmat": "CBRNE", "explosion": "CBRNE", "traffic_accident": "Transport", "earthquake": "Geo",
    "mass_gathering": "Safety", "epidemic": "Health", "food_poisoning": "Health", "terror": "Security",
}  # fmt: skip
CATEGORY_BY_PLAN = {
    "natural_disaster": "Geo",
    "accident": "Safety",
    "public_health": "Health",
    "social_security": "Security",
}
LEVEL_ZH = {"I": "Ⅰ级（特别重大）", "II": "Ⅱ级（重大）", "III": "Ⅲ级（较大）", "IV": "Ⅳ级（一般）"}
LEVEL_EN = {"I": "level I (extremely serious)", "II": "level II (serious)", "III": "level III (major)",
            "IV": "level IV (general)"}  # fmt: skip
COLOUR_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
_NAME_EN = {t.code: t.name_en for t in INCIDENT_TYPES}


def category_of(type_code: str, plan_category: str) -> str:
    return CATEGORY_BY_TYPE.get(type_code) or CATEGORY_BY_PLAN.get(plan_category, "Other")


def identifier(sender: str, incident_id: int, n: int) -> str:
    return f"{sender}.incident.{incident_id}.{n}"


def _events(session: Session, subject: str) -> list[JournalEvent]:
    """The events of ``subject`` that make an alert, oldest first."""
    rows = session.scalars(
        select(JournalEvent)
        .where(JournalEvent.subject == subject, JournalEvent.kind.in_(KINDS))
        .order_by(JournalEvent.seq)
    )
    return [e for e in rows if _makes_alert(e)]


def _makes_alert(ev: JournalEvent) -> bool:
    return ev.kind != STATUS or (ev.payload or {}).get("to") == "closed"


def _state(events: list[JournalEvent]) -> dict[str, Any]:
    """The incident as the events say it: the opening's payload with later level and area changes."""
    state: dict[str, Any] = dict(events[0].payload or {})
    for ev in events[1:]:
        p = ev.payload or {}
        if ev.kind == LEVEL:
            state["level"], state["colour"] = (
                p.get("to", state.get("level")),
                p.get("colour", state.get("colour")),
            )
        elif ev.kind == AREA:
            state.update({k: p.get(k) for k in ("x", "y", "area", "inner_radius_m", "outer_radius_m",
                                                  "inner_cordon", "outer_cordon", "cell")})  # fmt: skip
    return state


def _geom(wkt: str | None):
    return shapely.from_wkt(wkt) if wkt else None


def cordon_areas(session: Session, state: dict[str, Any]) -> tuple[cap.Area, ...]:
    """The inner and outer cordons: circles while the site is a point and nothing is drawn, else
    polygons (the outer cordon contains the inner one, as ``modes.emergency.impact`` defines it)."""
    x, y = float(state["x"]), float(state["y"])
    inner_r, outer_r = float(state["inner_radius_m"]), float(state["outer_radius_m"])
    area, inner_c, outer_c = (
        _geom(state.get("area")),
        _geom(state.get("inner_cordon")),
        _geom(state.get("outer_cordon")),
    )
    inner_desc = {"zh-CN": "内圈警戒区", "en-US": "Inner cordon"}
    outer_desc = {"zh-CN": "外圈警戒区", "en-US": "Outer cordon"}
    if area is None and inner_c is None and outer_c is None:
        return (
            cap.Area(inner_desc, circles=(cap.wgs84_circle(session, x, y, inner_r),)),
            cap.Area(outer_desc, circles=(cap.wgs84_circle(session, x, y, outer_r),)),
        )
    _, inner, outer = cordons(
        x,
        y,
        area=area,
        inner_radius_m=inner_r,
        outer_radius_m=outer_r,
        inner_cordon=inner_c,
        outer_cordon=outer_c,
    )
    return (
        cap.Area(inner_desc, polygons=cap.wgs84_rings(session, inner)),
        cap.Area(outer_desc, polygons=cap.wgs84_rings(session, outer)),
    )


def _district_name(session: Session, cell: str | None) -> tuple[str, str]:
    d = session.get(District, cell[:6]) if cell else None
    return (d.name, d.name_en or d.name) if d is not None else ("", "")


def incident_alert(session: Session, incident: Incident, events: list[JournalEvent], n: int) -> cap.CapAlert:
    """The ``n``-th alert (1-based) of ``incident`` from its alert-making ``events``."""
    ev = events[n - 1]
    state = _state(events[:n])
    sender = cap.sender_of(session)
    sent = [e.at for e in events]
    closing = ev.kind == STATUS
    if n == 1:
        msg_type, refs = cap.ALERT, ()
    elif closing:
        msg_type = cap.CANCEL
        refs = tuple(
            cap.Reference(sender, identifier(sender, incident.id, i), sent[i - 1]) for i in range(1, n)
        )
    else:
        msg_type = cap.UPDATE
        refs = (cap.Reference(sender, identifier(sender, incident.id, n - 1), sent[n - 2]),)
    level = str(state.get("level") or incident.level)
    colour = str(state.get("colour") or incident.colour)
    exercise = bool(state.get("exercise", incident.exercise)) or incident.exercise_id is not None
    office_zh, office_en = cap.office_names(session, "应急指挥中心", "Emergency Command Centre")
    name_zh = str(state.get("type_name") or incident.type_name)
    name_en = _NAME_EN.get(incident.type_code, name_zh)
    title = str(state.get("title") or incident.title or name_zh)
    dist_zh, dist_en = _district_name(session, state.get("cell"))
    drill_zh, drill_en = ("【演练】", "EXERCISE: ") if exercise else ("", "")
    when = f"{ev.at:%Y-%m-%d %H:%M}"
    inner_r, outer_r = float(state["inner_radius_m"]), float(state["outer_radius_m"])
    what_zh = {
        OPENED: "发生",
        LEVEL: f"响应级别调整为{LEVEL_ZH[level]}",
        AREA: "警戒范围调整",
        STATUS: "处置结束",
    }[ev.kind]
    what_en = {OPENED: "reported", LEVEL: f"response raised or lowered to {LEVEL_EN[level]}",
               AREA: "cordons changed", STATUS: "over"}[ev.kind]  # fmt: skip
    if closing:
        instr_zh = "事件处置已结束，警戒解除，请服从现场指挥有序恢复通行。"
        instr_en = "The incident is over and the cordons are lifted; follow the responders' directions."
        head_zh, head_en = f"{drill_zh}解除：{title}", f"{drill_en}All clear: {name_en}"
    else:
        big = level in ("I", "II")
        instr_zh = (
            "内圈警戒区内人员立即撤离，" if big else ""
        ) + "请远离警戒区域，服从现场指挥，留意后续发布。"
        instr_en = ("Leave the inner cordon now. " if big else "") + (
            "Keep away from the cordoned area, follow the responders' directions and watch for updates."
        )
        head_zh = f"{drill_zh}{title}（{LEVEL_ZH[level]} {COLOUR_ZH.get(colour, colour)}预警）"
        head_en = f"{drill_en}{name_en}, {LEVEL_EN[level]}, {colour} warning"
    texts = {
        "zh-CN": cap.Texts(
            event=name_zh,
            headline=head_zh,
            description=f"{when}，{dist_zh}{title}{what_zh}。内圈警戒 {inner_r:g} 米，外圈警戒 {outer_r:g} 米。"
            + (f"{incident.description}" if incident.description and not closing else ""),
            instruction=instr_zh,
            sender_name=office_zh,
        ),
        "en-US": cap.Texts(
            event=name_en,
            headline=head_en,
            description=f"{when}: {name_en}" + (f" in {dist_en}" if dist_en else "") + f" {what_en}. "
            f"Inner cordon {inner_r:g} m, outer cordon {outer_r:g} m.",
            instruction=instr_en,
            sender_name=office_en,
        ),
    }
    grading = CLOSED_GRADING if closing else GRADING[IncidentLevel(level)]
    return cap.CapAlert(
        identifier=identifier(sender, incident.id, n),
        sender=sender,
        sent=ev.at,
        status=cap.status_of(exercise),
        msg_type=msg_type,
        category=category_of(incident.type_code, incident.category),
        grading=grading,
        texts=texts,
        areas=cordon_areas(session, state),
        subject=f"incident/{incident.id}",
        journal_seq=ev.seq,
        references=refs,
        note=cap.exercise_note(incident.exercise_id) if exercise else "",
        incidents=f"{sender}.incident.{incident.id}",
        event_codes=(("sanwei:incident-type", incident.type_code),),
        parameters=(("level", level), ("colour", colour)),
        exercise_id=incident.exercise_id,
    )


def _build(session: Session, event: JournalEvent) -> cap.CapAlert | None:
    if not _makes_alert(event):
        return None
    incident_id = int(event.subject.partition("/")[2])
    incident = session.get(Incident, incident_id)
    if incident is None:  # an exercise's incident, purged
        return None
    events = [e for e in _events(session, event.subject) if e.seq <= event.seq]
    if not events or events[0].kind != OPENED:
        return None
    return incident_alert(session, incident, events, len(events))


def _identify(session: Session, event: JournalEvent) -> str | None:
    if not _makes_alert(event):
        return None
    n = sum(1 for e in _events(session, event.subject) if e.seq <= event.seq)
    return identifier(cap.sender_of(session), int(event.subject.partition("/")[2]), n) if n else None


def register() -> None:
    cap.register_source(cap.CapSource("incident", KINDS, _build, _events, _identify))
