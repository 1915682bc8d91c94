"""case stage clocks and loop counters

Revision ID: 0002
Revises: 0001

Existing rows get empty codes and zero counters (server defaults) so the upgrade runs on a live database.
Create Date: 2026-11-26 23:30:07.727319
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.alter_column(
            "from_state",
            existing_type=sa.VARCHAR(length=16),
            type_=sa.String(length=24),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "to_state",
            existing_type=sa.VARCHAR(length=16),
            type_=sa.String(length=24),
            existing_nullable=False,
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "community_code", server_default=sa.text("''"), type_=sa.String(length=12), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("street_code", server_default=sa.text("''"), type_=sa.String(length=9), nullable=False)
        )
        batch_op.add_column(
            sa.Column("reporter", server_default=sa.text("''"), type_=sa.String(length=50), nullable=False)
        )
        batch_op.add_column(sa.Column("accept_due", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("verify_due", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("file_due", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("filed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("dispatch_due", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("feedback_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("check_due", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("evaluated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("satisfaction", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("suspended_minutes", sa.Float(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("rework_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("return_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("extension_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("suspension_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("pending", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.alter_column(
            "state", existing_type=sa.VARCHAR(length=16), type_=sa.String(length=24), existing_nullable=False
        )
        batch_op.create_index(batch_op.f("ix_cases_deadline"), ["deadline"], unique=False)
        batch_op.create_index("ix_cases_dup_lookup", ["type_code", "state", "reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_duplicate_of"), ["duplicate_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_external_ref"), ["external_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_supervisor_id"), ["supervisor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_cases_external_ref"))
        batch_op.drop_index(batch_op.f("ix_cases_duplicate_of"))
        batch_op.drop_index("ix_cases_dup_lookup")
        batch_op.drop_index(batch_op.f("ix_cases_deadline"))
        batch_op.alter_column(
            "state", existing_type=sa.String(length=24), type_=sa.VARCHAR(length=16), existing_nullable=False
        )
        batch_op.drop_column("updated_at")
        batch_op.drop_column("pending")
        batch_op.drop_column("suspension_count")
        batch_op.drop_column("extension_count")
        batch_op.drop_column("return_count")
        batch_op.drop_column("rework_count")
        batch_op.drop_column("suspended_minutes")
        batch_op.drop_column("suspended_at")
        batch_op.drop_column("satisfaction")
        batch_op.drop_column("evaluated_at")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("check_due")
        batch_op.drop_column("feedback_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("dispatched_at")
        batch_op.drop_column("dispatch_due")
        batch_op.drop_column("filed_at")
        batch_op.drop_column("file_due")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verify_due")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("accept_due")
        batch_op.drop_column("reporter")
        batch_op.drop_column("street_code")
        batch_op.drop_column("community_code")

    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.alter_column(
            "to_state",
            existing_type=sa.String(length=24),
            type_=sa.VARCHAR(length=16),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "from_state",
            existing_type=sa.String(length=24),
            type_=sa.VARCHAR(length=16),
            existing_nullable=True,
        )
