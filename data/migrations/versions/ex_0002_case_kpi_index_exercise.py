"""case KPI covering index: with the exercise id

Revision ID: ex_0002
Revises: ex_0001
Branch: exercises

Real KPIs leave exercise cases out (``exercise_id IS NULL``). Without that column in ``ix_cases_kpi``,
``kpi --by department`` went back from reading the index alone to looking every case up in the table
and sorting them (migration 0003 says why that is ruinous for a year of cases). The index is made again
with ``exercise_id`` last: the same order for the GROUP BY, one more column to read. Only an index, in
one transaction: the upgrade runs on a live database.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ex_0002"
down_revision: str | None = "ex_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Migration 0003's columns, in its order.
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
        batch_op.drop_index("ix_cases_kpi")
        batch_op.create_index("ix_cases_kpi", [*KPI_COLUMNS, "exercise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_kpi")
        batch_op.create_index("ix_cases_kpi", KPI_COLUMNS, unique=False)
