"""links between the municipal centre and the district centres: applied command ids, replica, forwards

Revision ID: links_0001
Revises: 0002
Branch: links (applied beside the other branches by ``upgrade heads``)

Three small concerns of docs/protocol.md section 7 ("Sanwei keys and commands"), each a new table so the
upgrade runs on a live database without touching existing rows:

- ``link_applied_command``: the ids of commands a node applied, with the reply it gave, written in the
  same transaction as the command's own changes (the at-most-once rule of the command channel);
- ``link_replica_entry`` / ``link_replica_meta``: a district's copy of the centre's key-value state and
  its position (epoch, subtree, sequence), committed with the city rows it was applied to, so a
  district killed at any moment restarts from a consistent (state, sequence) pair;
- ``link_forward``: a district's outbox of commands for the centre, written in the transaction of the
  provisional local change it stands for, with the centre's final reply once it came.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "links_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("links",)
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "link_applied_command",
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("command_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reply", sa.LargeBinary(), nullable=False),
        sa.Column("applied_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("peer", "command_id", name=op.f("pk_link_applied_command")),
    )
    op.create_table(
        "link_replica_entry",
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("uuid", sa.LargeBinary(), nullable=False),
        sa.Column("props", sa.LargeBinary(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_link_replica_entry")),
    )
    op.create_table(
        "link_replica_meta",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_link_replica_meta")),
    )
    op.create_table(
        "link_forward",
        sa.Column("position", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("forward_id", sa.String(length=64), nullable=False),
        sa.Column("command", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("queued_at", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.Float(), nullable=True),
        sa.Column("reply", sa.LargeBinary(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("provisional_case", _BIGINT, nullable=True),
        sa.Column("real_case", _BIGINT, nullable=True),
        sa.Column("subject", sa.String(length=80), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_link_forward")),
        sa.UniqueConstraint("forward_id", name=op.f("uq_link_forward_forward_id")),
    )
    with op.batch_alter_table("link_forward", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_forward_state"), ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("link_forward")
    op.drop_table("link_replica_meta")
    op.drop_table("link_replica_entry")
    op.drop_table("link_applied_command")
