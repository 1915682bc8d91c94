"""The link between an everyday case and the incident it was escalated to, from the case's side.

Escalating (``modes.emergency.incidents.escalate_case``) opens an incident that keeps the case's id
(``Incident.case_id``) and journals a ``case.escalated`` event on ``case/<id>``: the case's own table
belongs to the everyday loop and is left as it is. The case desk, ``case show`` and the case panel read
the link here, so the incident's level and status are always the incident's current ones, never a copy
made at escalation; the event says who escalated it, when, and at which level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import Incident
from data.models import JournalEvent

ESCALATED_KIND = "case.escalated"


@dataclass(frozen=True)
class IncidentLink:
    """The incident a case was escalated to, as it stands now, and the escalation itself."""

    id: int
    type_code: str
    type_name: str
    level: str  # I (特别重大) .. IV (一般): now
    colour: str  # the level's warning colour: red, orange, yellow, blue
    status: str  # open, responding, contained, closed: now
    title: str
    commander: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    exercise: bool
    exercise_id: int | None
    escalated_at: dt.datetime
    escalated_by: str
    escalated_role: str
    level_at_escalation: str
    note: str  # what the escalation's event says
    state_at_escalation: str | None  # the case's state when it was escalated

    def as_doc(self) -> dict:
        doc = asdict(self)
        for key in ("opened_at", "closed_at", "escalated_at"):
            doc[key] = _iso(doc[key])
        return doc


def incident_link(session: Session, case_id: int) -> IncidentLink | None:
    """The incident ``case_id`` was escalated to (a case is escalated at most once), or None."""
    incident = session.scalar(
        select(Incident).where(Incident.case_id == int(case_id)).order_by(Incident.id.desc()).limit(1)
    )
    if incident is None:
        return None
    event = session.execute(
        select(JournalEvent.at, JournalEvent.actor, JournalEvent.payload)
        .where(JournalEvent.subject == f"case/{int(case_id)}", JournalEvent.kind == ESCALATED_KIND)
        .order_by(JournalEvent.seq.desc())
        .limit(1)
    ).first()
    # A replica holds the incident row but not the centre's journal: the incident's opening says when.
    payload = (event.payload or {}) if event is not None else {}
    return IncidentLink(
        id=incident.id,
        type_code=incident.type_code,
        type_name=incident.type_name,
        level=incident.level,
        colour=incident.colour,
        status=incident.status,
        title=incident.title,
        commander=incident.commander,
        opened_at=incident.opened_at,
        closed_at=incident.closed_at,
        exercise=bool(incident.exercise),
        exercise_id=incident.exercise_id,
        escalated_at=event.at if event is not None else incident.opened_at,
        escalated_by=event.actor if event is not None else incident.commander,
        escalated_role=str(payload.get("role") or ""),
        level_at_escalation=str(payload.get("level") or incident.level),
        note=str(payload.get("note") or ""),
        state_at_escalation=payload.get("from"),
    )


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None
