"""exercises: the driver's heartbeat

Revision ID: ex_0004
Revises: ex_0003
Branch: exercises

``exercise_drivers`` (``data.exercise_models.ExerciseDriverBeat``): when a driver last ticked each
exercise and which, so ``exercise status`` and the controller page can say that no driver is alive and
injects are not being delivered. A new table: the upgrade runs on a live database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ex_0004"
down_revision: str | None = "ex_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercise_drivers",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("last_tick", sa.DateTime(), nullable=False),
        sa.Column("driver", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_exercise_drivers_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("exercise_id", name=op.f("pk_exercise_drivers")),
    )


def downgrade() -> None:
    op.drop_table("exercise_drivers")
