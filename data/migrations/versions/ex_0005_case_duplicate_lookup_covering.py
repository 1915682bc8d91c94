"""case duplicate lookup: a covering index

Revision ID: ex_0005
Revises: ex_0004
Branch: exercises

Every report asks for the open cases of its type reported within the duplicate window, in its cell or
near its point, real or of its own exercise. ``ix_cases_dup_lookup`` found them by type, state and
time, but each one was then read from the table (and built as a whole case) to test its place: on a
busy day a common type has hundreds of open cases in the window, and the report waited for all of
them. The index now also holds the exercise id, the cell and the coordinates, so the lookup reads the
index alone and only the case chosen is loaded. On the exercises branch because it holds
``exercise_id`` (ex_0001). Only an index, in one transaction: the upgrade runs on a live database.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ex_0005"
down_revision: str | None = "ex_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOOKUP = ["type_code", "state", "reported_at"]
COVERED = ["exercise_id", "cell_code", "x", "y"]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_dup_lookup")
        batch_op.create_index("ix_cases_dup_lookup", [*LOOKUP, *COVERED], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_dup_lookup")
        batch_op.create_index("ix_cases_dup_lookup", LOOKUP, unique=False)
