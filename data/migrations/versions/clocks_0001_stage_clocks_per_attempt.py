"""stage clocks per attempt: the seats' send-check and close clocks, each stopped attempt's due time

Revision ID: clocks_0001
Revises: ex_0002
Branch: clocks

Two stage clocks join the case row: ``send_check_due`` (the operator sends the check task after the
department's feedback) and ``close_due`` (the shift leader closes a passed check). A step that stops a
stage clock records on its history row the due time that attempt was held to (``stage_due``), so an
attempt keeps its verdict when a rework or a return starts the stage again.

Nullable columns only, no rewrite of existing rows: the upgrade runs on a live database. Steps recorded
before it have no ``stage_due``; the evaluation reads them by the case's due columns as it did before
(``modes.everyday.evaluation``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "clocks_0001"
down_revision: str | None = "ex_0002"
branch_labels: str | Sequence[str] | None = ("clocks",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_check_due", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("close_due", sa.DateTime(), nullable=True))
    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage_due", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.drop_column("stage_due")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("close_due")
        batch_op.drop_column("send_check_due")
