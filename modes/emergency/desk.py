"""The incident desk: one front for the command line, the console panel and the links, answering in
plain JSON-ready dicts (the DTOs behind them are in the modules it calls).

It holds the caller's session and clock, and loads the spatial indexes the first time they are needed
(pass them in to share them across calls: ``ImpactIndex`` takes a second or two at Harbin scale).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from modes.common.clock import Clock
from modes.emergency import dispatch as dispatching
from modes.emergency import incidents
from modes.emergency.brief import Briefing, build_briefing
from modes.emergency.impact import ImpactIndex, incident_impact
from modes.emergency.incidents import Actor
from modes.emergency.resources import ETA_BASIS, UnitIndex, parse_capability
from modes.emergency.types import incident_type

PER_NEED = 3  # suggestions per needed capability when no capability is asked for


class IncidentDesk:
    def __init__(
        self, session: Session, clock: Clock, index: ImpactIndex | None = None, units: UnitIndex | None = None
    ):
        self.session = session
        self.clock = clock
        self._index = index
        self._units = units

    @property
    def index(self) -> ImpactIndex:
        if self._index is None:
            self._index = ImpactIndex.load(self.session)
        return self._index

    @property
    def units(self) -> UnitIndex:
        if self._units is None:
            self._units = UnitIndex.load(self.session)
        return self._units

    # --- incidents --------------------------------------------------------------------------------

    def _with_impact(self, incident_view: incidents.IncidentView) -> dict:
        impact = incident_impact(
            self.session,
            self.index,
            incidents.get_incident(self.session, incident_view.id),
            at=self.clock.now(),
        )
        return {"id": incident_view.id, "incident": incident_view.as_dict(), "impact": impact.summary()}

    def open(self, actor: Actor, **kw) -> dict:
        incident_view, _ = incidents.open_incident(self.session, self.clock, actor, self.index, **kw)
        return self._with_impact(incident_view)

    def escalate(self, actor: Actor, case_id: int, **kw) -> dict:
        incident_view, _ = incidents.escalate_case(self.session, self.clock, actor, self.index, case_id, **kw)
        return {**self._with_impact(incident_view), "case_id": case_id}

    def status(self, actor: Actor, incident_id: int, status: str, note: str = "") -> dict:
        incident_view, _ = incidents.set_status(self.session, self.clock, actor, incident_id, status, note)
        return incident_view.as_dict()

    def level(self, actor: Actor, incident_id: int, level: str, note: str = "") -> dict:
        incident_view, _ = incidents.set_level(self.session, self.clock, actor, incident_id, level, note)
        return incident_view.as_dict()

    def area(self, actor: Actor, incident_id: int, **kw) -> dict:
        incident_view, _ = incidents.change_area(
            self.session, self.clock, actor, self.index, incident_id, **kw
        )
        return self._with_impact(incident_view)

    def role(self, actor: Actor, incident_id: int, position: str, person: str, agency: str = "") -> dict:
        holder, _ = incidents.assign_role(
            self.session, self.clock, actor, incident_id, position, person, agency
        )
        return {
            "incident": int(incident_id),
            **holder.as_dict(),
            "organisation": [r.as_dict() for r in incidents.organisation(self.session, incident_id)],
        }

    def show(self, incident_id: int) -> dict:
        incident = incidents.get_incident(self.session, incident_id)
        now = self.clock.now()
        return {
            "incident": incidents.view(incident, now).as_dict(),
            "impact": incident_impact(self.session, self.index, incident, at=now).summary(),
            "organisation": [r.as_dict() for r in incidents.organisation(self.session, incident.id)],
            "tasks": [
                o.as_dict() for o in dispatching.list_tasks(self.session, now, incident_id=incident.id)
            ],
        }

    def list(self, status: str | None = None, exercises: str = "include") -> dict:
        rows = incidents.list_incidents(
            self.session, status=status, exercises=exercises, now=self.clock.now()
        )
        return {"incidents": [v.as_dict() for v in rows], "total": len(rows)}

    def impact(self, incident_id: int) -> dict:
        incident = incidents.get_incident(self.session, incident_id)
        now = self.clock.now()
        result = incident_impact(self.session, self.index, incident, at=now)
        return {"id": incident.id, "incident": incidents.view(incident, now).as_dict(), **result.as_dict()}

    def timeline(self, incident_id: int) -> dict:
        events = incidents.timeline(self.session, incident_id)
        return {"id": int(incident_id), "events": [e.as_dict() for e in events]}

    # --- the log ----------------------------------------------------------------------------------

    def log(self, incident_id: int) -> dict:
        return {
            "id": int(incident_id),
            "log": [e.as_dict() for e in incidents.read_log(self.session, incident_id)],
        }

    def add_log(self, actor: Actor, incident_id: int, text: str, task_id: int | None = None) -> dict:
        incidents.add_log(self.session, self.clock, actor, incident_id, text, task_id)
        return self.log(incident_id)

    # --- resources and tasks -----------------------------------------------------------------------

    def suggest(self, incident_id: int, need: str | None = None, limit: int = 10) -> dict:
        """The nearest available units: of the capability asked for ("any": of any), or, with none asked
        for, the nearest few of each capability the incident's type needs."""
        incident = incidents.get_incident(self.session, incident_id)
        if need:
            cap = parse_capability(need)
            units = self.units.nearest(incident.x, incident.y, limit, cap.value if cap else None)
            needs = [cap.value if cap else "any"]
        else:
            needs = [c.value for c in incident_type(incident.type_code).needs]
            units = [u for c in needs for u in self.units.nearest(incident.x, incident.y, PER_NEED, c)]
        return {
            "id": incident.id,
            "needs": needs,
            "eta_basis": ETA_BASIS,
            "units": [u.as_dict() for u in units],
        }

    def dispatch(self, actor: Actor, incident_id: int, unit_id: str, **kw) -> dict:
        order, _ = dispatching.dispatch(
            self.session, self.clock, actor, incident_id, unit_id, units=self._units, **kw
        )
        return order.as_dict()

    def task(
        self, actor: Actor, task_ref: int | str, status: str, note: str = "", incident_id: int | None = None
    ) -> dict:
        order, _ = dispatching.set_task_status(
            self.session,
            self.clock,
            actor,
            task_ref,
            status,
            note,
            incident_id=incident_id,
            units=self._units,
        )
        return order.as_dict()

    def acknowledge(self, order_id: str, at: dt.datetime | None = None, actor: Actor | None = None) -> dict:
        order, _ = dispatching.acknowledge(self.session, self.clock, order_id, at=at, actor=actor)
        return order.as_dict()

    def tasks(self, incident_id: int | None = None, overdue: bool | None = None) -> dict:
        rows = dispatching.list_tasks(
            self.session, self.clock.now(), incident_id=incident_id, overdue=overdue
        )
        return {
            "tasks": [o.as_dict() for o in rows],
            "total": len(rows),
            "overdue": sum(o.overdue for o in rows),
        }

    # --- the briefing -------------------------------------------------------------------------------

    def briefing(self, incident_id: int, prepared_by: str = "commander") -> Briefing:
        return build_briefing(self.session, self.clock, incident_id, self.index, prepared_by)
