"""open311: the gateway's applications (hashed API keys) and its requests' extras; components by type
and place

Revision ID: open311_0001
Revises: 0004
Branch: open311 (applied beside the other branches by ``upgrade heads``)

Two new tables (``data/open311_models.py``) and one index on ``components`` (type, x, y), which finds
the nearest component of a type to a reported point with a range scan. Nothing existing is rewritten,
so the upgrade runs on a live database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "open311_0001"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = ("open311",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_apps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_hint", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_apps")),
        sa.UniqueConstraint("app", name=op.f("uq_open311_apps_app")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_apps_key_hash")),
    )
    op.create_table(
        "open311_requests",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("app", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("service_code", sa.String(length=24), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("media_url", sa.String(length=1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_open311_requests_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_open311_requests")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_requests_token")),
    )
    with op.batch_alter_table("open311_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_requests_app"), ["app"], unique=False)
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.create_index("ix_components_type_xy", ["type_code", "x", "y"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.drop_index("ix_components_type_xy")
    with op.batch_alter_table("open311_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_requests_app"))
    op.drop_table("open311_requests")
    op.drop_table("open311_apps")
