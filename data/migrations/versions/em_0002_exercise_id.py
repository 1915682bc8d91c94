"""emergency: the exercise id on incidents

Revision ID: em_0002
Revises: em_0001

The exercise whose inject made the row (``data.exercise_models``): a nullable column with its index, so
existing rows read NULL (a real record) and the upgrade runs on a live database. On this branch, which
created the table, so the upgrade never depends on the order the branches land in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "em_0002"
down_revision: str | None = "em_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exercise_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_incidents_exercise_id"), ["exercise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_exercise_id"))
        batch_op.drop_column("exercise_id")
