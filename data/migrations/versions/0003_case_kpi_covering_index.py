"""case KPI covering index

Revision ID: 0003
Revises: 0002

``kpi --by department`` counts a period's cases per department with conditional aggregates. On SQLite,
a GROUP BY over a million rows spent most of its time sorting them into a temporary B-tree, and a range
on ``reported_at`` sent the planner through that column's index to look every row up in the table
(40 s for a year of a million cases on a loaded machine). This index starts with the department, then
the report time, then every column the case-based KPIs read, so the department query reads the index
alone in group order, with no sort and no table lookups; the district query can read it instead of the
wider table. Only an index: the upgrade runs on a live database.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KPI_COLUMNS = [
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
]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_kpi", KPI_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_kpi")
