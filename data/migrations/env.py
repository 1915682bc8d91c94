"""Alembic environment: run with a connection handed in by ``data.db.upgrade_schema`` or from a URL."""

from alembic import context
from sqlalchemy import create_engine

import data.cap_models  # noqa: F401 - tables of the CAP hooks branch
import data.civil_defence_models  # noqa: F401 - tables of the civil-defence branch
import data.emergency_models  # noqa: F401 - tables of the emergency branch
import data.exercise_models  # noqa: F401 - tables of the exercises branch
import data.open311_models  # noqa: F401 - tables of the open311 branch
from data.db import resolve_url
from data.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(resolve_url(config.get_main_option("sqlalchemy.url")))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
