"""The emergency tables on the shared picture (docs/protocol.md section 7.12): incidents with their ICS
positions, dispatch tasks and significant-events log, rescue units with their status, and medical
facilities, published by the centre and applied by every replica, so a district node or an attached
console lists the incidents, shows an incident's organisation, tasks and log, computes its impact and
suggests units from the centre's data. Dispatch orders also travel as ``/task/`` keys
(``link_commands``): those are what a district acknowledges.

``register`` runs in every process that builds or applies the picture (the centre and district nodes
with their command bus, a console attached with ``--connect``) before it does so.
"""

from __future__ import annotations

from data.emergency_models import (
    DispatchTask,
    Incident,
    IncidentLogEntry,
    IncidentRole,
    MedicalFacility,
    RescueUnit,
)
from modes.common.mode_tables import register_tables, rescan_rule, subject_rule
from modes.common.picture import TableSpec

# Parents before the rows that refer to them: a log line names its task, a task its incident and unit.
SPECS: tuple[TableSpec, ...] = (
    TableSpec("rescue_unit", RescueUnit.__table__, "/rescue_unit/", ("id",)),
    TableSpec("medical_facility", MedicalFacility.__table__, "/medical_facility/", ("id",)),
    TableSpec("incident", Incident.__table__, "/incident/", ("id",)),
    TableSpec("incident_role", IncidentRole.__table__, "/incident_role/", ("id",)),
    TableSpec("dispatch_task", DispatchTask.__table__, "/dispatch_task/", ("id",)),
    TableSpec("incident_log", IncidentLogEntry.__table__, "/incident_log/", ("id",)),
)

# Built once: registering the same rule objects again is a no-op (``register_event_rule``).
RULES = {
    # Every incident.* event is on incident/<id>. A dispatch and a task's progress name the task and
    # the unit whose status they changed (assigned, available again). Most events add a log line, and
    # opening or assigning a position adds or relieves ICS positions, without naming those rows: the
    # incident's positions and log are read again.
    "incident.": subject_rule(
        "incident",
        "incident/",
        {"unit": "rescue_unit", "task_id": "dispatch_task"},
        owned={"incident_role": "incident_id", "incident_log": "incident_id"},
    ),
    # An everyday case escalated: the case/<id> event names the incident it opened (whose positions
    # and log come with its own incident.opened event).
    "case.escalated": subject_rule("incident", "incident/", {"incident": "incident"}),
    "emergency.seeded": rescan_rule(s.name for s in SPECS),
}


def register() -> None:
    register_tables(SPECS, RULES)
