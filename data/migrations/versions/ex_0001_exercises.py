"""exercises: scenarios run on their own clock, their injects, notes and improvement plan; the
exercise id on cases

Revision ID: ex_0001
Revises: 0004
Branch: exercises (applied beside the other branches by ``upgrade heads``)

New tables, and a nullable ``exercise_id`` column (with its index) on ``cases``: existing rows read
NULL, a real case, so the upgrade runs on a live database. Incidents and alarms get theirs on their own
branches (em_0002, cd_0002), which created those tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ex_0001"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = ("exercises",)
depends_on: str | Sequence[str] | None = None

_TAGGED = ("cases",)


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("start_offset_s", sa.Float(), nullable=False),
        sa.Column("anchor_s", sa.Float(), nullable=False),
        sa.Column("wall_anchor", sa.DateTime(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("clock_origin", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("started_by", sa.String(length=50), nullable=False),
        sa.Column("start_seq", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=50), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    op.create_index(op.f("ix_exercises_state"), "exercises", ["state"], unique=False)
    op.create_table(
        "exercise_injects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("no", sa.String(length=20), nullable=False),
        sa.Column("time_s", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sender", sa.String(length=80), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("expected_action", sa.String(length=200), nullable=False),
        sa.Column("expected_within_min", sa.Float(), nullable=True),
        sa.Column("objective", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("adhoc", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=14), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_s", sa.Float(), nullable=True),
        sa.Column("delivered_seq", sa.Integer(), nullable=True),
        sa.Column("record", sa.String(length=40), nullable=True),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_exercise_injects_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_injects")),
    )
    op.create_index(
        op.f("ix_exercise_injects_exercise_id"), "exercise_injects", ["exercise_id"], unique=False
    )
    op.create_index(op.f("ix_exercise_injects_state"), "exercise_injects", ["state"], unique=False)
    op.create_table(
        "exercise_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("inject_no", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=50), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("clock_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_exercise_notes_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_notes")),
    )
    op.create_index(op.f("ix_exercise_notes_exercise_id"), "exercise_notes", ["exercise_id"], unique=False)
    op.create_table(
        "exercise_improvements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("objective", sa.String(length=200), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("author", sa.String(length=50), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_exercise_improvements_exercise_id_exercises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_improvements")),
    )
    op.create_index(
        op.f("ix_exercise_improvements_exercise_id"), "exercise_improvements", ["exercise_id"], unique=False
    )
    for table in _TAGGED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("exercise_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_exercise_id"), ["exercise_id"], unique=False)


def downgrade() -> None:
    for table in reversed(_TAGGED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_exercise_id"))
            batch_op.drop_column("exercise_id")
    for table in ("exercise_improvements", "exercise_notes", "exercise_injects"):
        op.drop_index(op.f(f"ix_{table}_exercise_id"), table_name=table)
    op.drop_index(op.f("ix_exercise_injects_state"), table_name="exercise_injects")
    op.drop_table("exercise_improvements")
    op.drop_table("exercise_notes")
    op.drop_table("exercise_injects")
    op.drop_index(op.f("ix_exercises_state"), table_name="exercises")
    op.drop_table("exercises")
