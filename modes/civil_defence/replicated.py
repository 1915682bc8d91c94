"""The civil-defence tables on the shared picture (docs/protocol.md section 7.12): sirens, shelters
with their live status and occupancy, receiving areas and professional teams, published by the centre
and applied by every replica, so a district node or an attached console computes coverage and the
evacuation plan from the centre's data.

``register`` runs in every process that builds or applies the picture (the centre and district nodes
with their command bus, a console attached with ``--connect``) before it does so.
"""

from __future__ import annotations

from data.civil_defence_models import ProfessionalTeam, ReceivingArea, Shelter, Siren
from modes.common.mode_tables import register_tables, rescan_rule, subject_rule
from modes.common.picture import TableSpec

# Shelters before teams: a team may be stationed at a shelter.
SPECS: tuple[TableSpec, ...] = (
    TableSpec("siren", Siren.__table__, "/siren/", ("id",)),
    TableSpec("shelter", Shelter.__table__, "/shelter/", ("id",)),
    TableSpec("receiving_area", ReceivingArea.__table__, "/receiving_area/", ("id",)),
    TableSpec("team", ProfessionalTeam.__table__, "/team/", ("id",)),
)

# Built once: registering the same rule objects again is a no-op (``register_event_rule``).
RULES = {
    # siren.status_changed on siren/<id>
    "siren.": subject_rule("siren", "siren/"),
    # shelter.status_changed, shelter.occupancy on shelter/<id>
    "shelter.": subject_rule("shelter", "shelter/"),
    # The demo set replaces the mode's rows wholesale (imports of sirens/shelters rescan everything).
    "civil_defence.demo_added": rescan_rule(s.name for s in SPECS),
}


def register() -> None:
    register_tables(SPECS, RULES)
