"""The ORM models and the migrations describe the same schema (tables, columns, indexes).

A database is built by the migrations; an index declared only in a migration (or only on a model) would
mean a database made with ``Base.metadata.create_all`` plans queries differently from a migrated one.
Tables the migrations create for models this package does not declare (other layers keep their own
metadata) are left out of the comparison.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data.models import Base


def _diff_of_declared_tables(engine) -> list:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    return [d for d in diff if _table_of(d) in Base.metadata.tables]


def _table_of(difference) -> str:
    if isinstance(difference, list):  # column modifications: [(op, schema, table, column, ...), ...]
        return difference[0][2]
    obj = difference[1]
    table = getattr(obj, "table", None)
    return table.name if table is not None else obj.name


def test_models_and_migrations_agree(engine):
    assert _diff_of_declared_tables(engine) == []


def test_the_case_kpi_index_is_declared_on_the_model():
    index = next(i for i in Base.metadata.tables["cases"].indexes if i.name == "ix_cases_kpi")
    assert [c.name for c in index.columns][:3] == ["department_code", "reported_at", "dispatched_at"]
    assert [c.name for c in index.columns][-1] == "exercise_id"  # real KPIs leave exercise cases out
    assert len(index.columns) == 17
