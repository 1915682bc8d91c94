"""civil air defence: sirens, shelters, receiving areas, professional teams, alarms, test timetable

Revision ID: cd_0001
Revises: 0002
Branch: civil_defence (applied beside the other modes' branches by ``upgrade heads``)

Only new tables, so the upgrade runs on a live database without touching existing rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data.geometry

revision: str = "cd_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("civil_defence",)
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "cd_sirens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("power_w", sa.Float(), nullable=False),
        sa.Column("audible_radius_m", sa.Float(), nullable=True),
        sa.Column("mount", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_test", sa.Date(), nullable=True),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_code"], ["grid_cells.code"], name=op.f("fk_cd_sirens_cell_code_grid_cells")
        ),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_cd_sirens_district_code_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_sirens")),
    )
    _index("cd_sirens", "cell_code", "district_code", "status")

    op.create_table(
        "cd_shelters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("shelter_class", sa.String(length=20), nullable=False),
        sa.Column("usable_area_m2", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("footprint", data.geometry.Geometry(), nullable=True),
        sa.Column("entrances", data.geometry.Geometry(), nullable=True),
        sa.Column("occupancy", sa.Integer(), nullable=False),
        sa.Column("occupancy_at", sa.DateTime(), nullable=True),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_code"], ["grid_cells.code"], name=op.f("fk_cd_shelters_cell_code_grid_cells")
        ),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_cd_shelters_district_code_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_shelters")),
    )
    _index("cd_shelters", "cell_code", "district_code", "shelter_class", "status")

    op.create_table(
        "cd_receiving_areas",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("geometry", data.geometry.Geometry(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_cd_receiving_areas_district_code_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_receiving_areas")),
    )
    _index("cd_receiving_areas", "district_code")

    op.create_table(
        "cd_teams",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("shelter_id", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_cd_teams_district_code_districts")
        ),
        sa.ForeignKeyConstraint(
            ["shelter_id"], ["cd_shelters.id"], name=op.f("fk_cd_teams_shelter_id_cd_shelters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_teams")),
    )
    _index("cd_teams", "district_code", "kind")

    op.create_table(
        "cd_test_signals",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("test_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("planned_by", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_test_signals")),
        sa.UniqueConstraint("test_date", "kind", name=op.f("uq_cd_test_signals_test_date")),
    )
    _index("cd_test_signals", "test_date")

    op.create_table(
        "cd_alarms",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.Column("test_signal_id", _BIGINT, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_signal_id"],
            ["cd_test_signals.id"],
            name=op.f("fk_cd_alarms_test_signal_id_cd_test_signals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_alarms")),
    )
    _index("cd_alarms", "issued_at")

    op.create_table(
        "cd_alarm_deliveries",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("alarm_id", _BIGINT, nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("acked_at", sa.DateTime(), nullable=True),
        sa.Column("acked_by", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["cd_alarms.id"],
            name=op.f("fk_cd_alarm_deliveries_alarm_id_cd_alarms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_cd_alarm_deliveries_district_code_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cd_alarm_deliveries")),
        sa.UniqueConstraint("alarm_id", "district_code", name=op.f("uq_cd_alarm_deliveries_alarm_id")),
    )
    _index("cd_alarm_deliveries", "alarm_id")


def downgrade() -> None:
    for table in (
        "cd_alarm_deliveries",
        "cd_alarms",
        "cd_test_signals",
        "cd_teams",
        "cd_receiving_areas",
        "cd_shelters",
        "cd_sirens",
    ):
        op.drop_table(table)
