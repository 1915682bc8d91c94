"""pending orders of the two-person rule

Revision ID: authority_0001
Revises: 0003

Grave acts asked for while the city's two-person rule is on wait in ``pending_orders`` until a second
authorised person confirms them (modes/common/orders.py): who asked, for what, when, until when, who
confirmed or refused, and the state. A new table on its own branch, so the upgrade runs on a live
database and does not depend on the order other branches land in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "authority_0001"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = ("authority",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(length=40), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=50), nullable=False),
        sa.Column("requested_role", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.String(length=50), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("result_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_orders")),
    )
    with op.batch_alter_table("pending_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_orders_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_orders_state"))
    op.drop_table("pending_orders")
