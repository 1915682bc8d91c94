"""The emergency tables on the shared picture (docs/protocol.md section 7.12): incidents, rescue units
with their status, and medical facilities, published by the centre and applied by every replica, so a
district node or an attached console lists the incidents, computes their impact and suggests units
from the centre's data. Dispatch orders travel separately as ``/task/`` keys (``link_commands``).

``register`` runs in every process that builds or applies the picture (the centre and district nodes
with their command bus, a console attached with ``--connect``) before it does so.
"""

from __future__ import annotations

from data.emergency_models import Incident, MedicalFacility, RescueUnit
from modes.common.mode_tables import register_tables, rescan_rule, subject_rule
from modes.common.replication import TableSpec

SPECS: tuple[TableSpec, ...] = (
    TableSpec("rescue_unit", RescueUnit.__table__, "/rescue_unit/", ("id",)),
    TableSpec("medical_facility", MedicalFacility.__table__, "/medical_facility/", ("id",)),
    TableSpec("incident", Incident.__table__, "/incident/", ("id",)),
)

# Built once: registering the same rule objects again is a no-op (``register_event_rule``).
RULES = {
    # Every incident.* event is on incident/<id>; a dispatch and a task's progress name the unit whose
    # status they changed (assigned, available again).
    "incident.": subject_rule("incident", "incident/", {"unit": "rescue_unit"}),
    # An everyday case escalated: the case/<id> event names the incident it opened.
    "case.escalated": subject_rule("incident", "incident/", {"incident": "incident"}),
    "emergency.seeded": rescan_rule(s.name for s in SPECS),
}


def register() -> None:
    register_tables(SPECS, RULES)
