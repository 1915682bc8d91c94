"""cap: outbound hooks of the CAP 1.2 alerts and their delivery log

Revision ID: cap_0001
Revises: 0004

Two new tables on their own branch (``data.cap_models``): ``cap_hooks`` (where the city's alerts go)
and ``cap_deliveries`` (one row per attempt to deliver one alert to one hook).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cap_0001"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = ("cap",)
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cap_hooks",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("argv", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("timeout_s", sa.Float(), nullable=False),
        sa.Column("backoff_s", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("from_seq", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=50), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_hooks")),
    )
    op.create_table(
        "cap_deliveries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("hook_id", _ID, nullable=False),
        sa.Column("identifier", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("journal_seq", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hook_id"], ["cap_hooks.id"], name=op.f("fk_cap_deliveries_hook_id_cap_hooks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_deliveries")),
        sa.UniqueConstraint("hook_id", "identifier", "attempt", name=op.f("uq_cap_deliveries_hook_id")),
    )
    with op.batch_alter_table("cap_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cap_deliveries_hook_id"), ["hook_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cap_deliveries_identifier"), ["identifier"], unique=False)
        batch_op.create_index(batch_op.f("ix_cap_deliveries_subject"), ["subject"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cap_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cap_deliveries_subject"))
        batch_op.drop_index(batch_op.f("ix_cap_deliveries_identifier"))
        batch_op.drop_index(batch_op.f("ix_cap_deliveries_hook_id"))
    op.drop_table("cap_deliveries")
    op.drop_table("cap_hooks")
