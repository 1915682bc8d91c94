"""emergency rescue: incidents, ICS roles, rescue units, dispatch tasks, log, medical facilities

Revision ID: em_0001
Revises: 0002
Branch: emergency (applied beside the other modes' branches by ``upgrade heads``)

Only new tables, so the upgrade runs on a live database without touching existing rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data.geometry

revision: str = "em_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("emergency",)
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("type_code", sa.String(length=16), nullable=False),
        sa.Column("type_name", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=3), nullable=False),
        sa.Column("level_set_at", sa.DateTime(), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("area", data.geometry.Geometry(), nullable=True),
        sa.Column("inner_radius_m", sa.Float(), nullable=False),
        sa.Column("outer_radius_m", sa.Float(), nullable=False),
        sa.Column("inner_cordon", data.geometry.Geometry(), nullable=True),
        sa.Column("outer_cordon", data.geometry.Geometry(), nullable=True),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("commander", sa.String(length=50), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("responding_at", sa.DateTime(), nullable=True),
        sa.Column("contained_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_incidents_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_district_code"), ["district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_type_code"), ["type_code"], unique=False)

    op.create_table(
        "incident_roles",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("incident_id", _BIGINT, nullable=False),
        sa.Column("position", sa.String(length=24), nullable=False),
        sa.Column("person", sa.String(length=50), nullable=False),
        sa.Column("agency", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(length=50), nullable=False),
        sa.Column("relieved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_roles_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_roles")),
    )
    with op.batch_alter_table("incident_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_roles_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "rescue_units",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("capability", sa.String(length=24), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("base_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["departments.code"],
            name=op.f("fk_rescue_units_department_code_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_rescue_units_district_code_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescue_units")),
    )
    with op.batch_alter_table("rescue_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rescue_units_capability"), ["capability"], unique=False)
        batch_op.create_index(batch_op.f("ix_rescue_units_district_code"), ["district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rescue_units_status"), ["status"], unique=False)

    op.create_table(
        "dispatch_tasks",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("incident_id", _BIGINT, nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("assignee_district", sa.String(length=6), nullable=True),
        sa.Column("assignee_department", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("ordered_by", sa.String(length=50), nullable=False),
        sa.Column("ordered_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("eta_minutes", sa.Float(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=50), nullable=True),
        sa.Column("en_route_at", sa.DateTime(), nullable=True),
        sa.Column("on_scene_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_dispatch_tasks_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["rescue_units.id"], name=op.f("fk_dispatch_tasks_unit_id_rescue_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_tasks")),
        sa.UniqueConstraint("order_id", name=op.f("uq_dispatch_tasks_order_id")),
    )
    with op.batch_alter_table("dispatch_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispatch_tasks_assignee_department"), ["assignee_department"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dispatch_tasks_assignee_district"), ["assignee_district"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "incident_log",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("incident_id", _BIGINT, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("task_id", _BIGINT, nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_log_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["dispatch_tasks.id"], name=op.f("fk_incident_log_task_id_dispatch_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_log")),
    )
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.create_index("ix_incident_log_incident_at", ["incident_id", "at"], unique=False)

    op.create_table(
        "medical_facilities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], name=op.f("fk_medical_facilities_district_code_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_facilities")),
    )


def downgrade() -> None:
    op.drop_table("medical_facilities")
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_log_incident_at")
    op.drop_table("incident_log")
    op.drop_table("dispatch_tasks")
    op.drop_table("rescue_units")
    op.drop_table("incident_roles")
    op.drop_table("incidents")
