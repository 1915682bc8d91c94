"""index of applied command ids by age

Revision ID: links_0003
Revises: links_0002
Branch: links

A node prunes its ``link_applied_command`` table on a schedule (comms.retention): every ten minutes it
deletes the entries older than the retention, a thousand at a time. Without an index on ``applied_at``
each of those small deletes would read the whole table while holding the write lock the command server
needs. Only an index: the upgrade runs on a live database.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "links_0003"
down_revision: str | None = "links_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_link_applied_command_applied_at"), "link_applied_command", ["applied_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_link_applied_command_applied_at"), table_name="link_applied_command")
