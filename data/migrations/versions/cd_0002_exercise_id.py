"""civil_defence: the exercise id on cd_alarms

Revision ID: cd_0002
Revises: cd_0001

The exercise whose inject made the row (``data.exercise_models``): a nullable column with its index, so
existing rows read NULL (a real record) and the upgrade runs on a live database. On this branch, which
created the table, so the upgrade never depends on the order the branches land in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cd_0002"
down_revision: str | None = "cd_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cd_alarms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exercise_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cd_alarms_exercise_id"), ["exercise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cd_alarms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cd_alarms_exercise_id"))
        batch_op.drop_column("exercise_id")
