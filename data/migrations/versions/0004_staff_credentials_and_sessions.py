"""staff credentials and kept log-ins

Revision ID: 0004
Revises: 0003

People prove who they are with a password (modes/common/auth.py). Two new tables, so the upgrade runs
on a live database without touching existing rows:

- ``staff_credentials``: one row per login with its Argon2id hash, when it was set, and the run of
  failed log-ins with the lock they lead to. Not a set of columns on ``staff``: the staff list is
  replicated to district nodes and consoles, the hashes must not travel with it;
- ``staff_sessions``: the SHA-256 of each kept log-in token (``main.py login``) and when it expires.

Existing logins get no credential row: they cannot log in until ``main.py staff passwd`` sets one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_credentials",
        sa.Column("login", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=128), nullable=True),
        sa.Column("password_set_at", sa.DateTime(), nullable=True),
        sa.Column("failed_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["login"], ["staff.login"], name=op.f("fk_staff_credentials_login_staff")),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_staff_credentials")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["login"], ["staff.login"], name=op.f("fk_staff_sessions_login_staff")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_login"), ["login"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_login"))
    op.drop_table("staff_sessions")
    op.drop_table("staff_credentials")
