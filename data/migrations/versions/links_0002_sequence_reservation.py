"""links: the sequence reservation of each state channel a node serves

Revision ID: links_0002
Revises: links_0001
Branch: links

A node's state channel numbers its updates from reservations it records here before using them
(docs/protocol.md 3.7), so after a restart it numbers above anything a client may have seen. Node
bookkeeping like ``link_applied_command``: one row per channel the node serves (``state``), written in
its own short transaction, never through a command. A new table: the upgrade runs on a live database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "links_0002"
down_revision: str | None = "links_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_sequence_reservation",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_link_sequence_reservation")),
    )


def downgrade() -> None:
    op.drop_table("link_sequence_reservation")
