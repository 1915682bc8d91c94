"""exercises: when an exercise ends by itself

Revision ID: ex_0003
Revises: ex_0002
Branch: exercises

``end_after`` and ``end_s`` on ``exercises`` (``data.exercise_models.Exercise``): an exercise whose driver
ends it once its injects are out (the first-run demo) or at a scenario time. Nullable columns, so the
exercises already run read NULL (a person ends them, as before) and the upgrade runs on a live database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ex_0003"
down_revision: str | None = "ex_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_after", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("end_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_column("end_s")
        batch_op.drop_column("end_after")
