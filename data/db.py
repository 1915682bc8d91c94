"""Engines, sessions and schema upgrades.

SQLite is the embedded default (a file in the user's data directory); PostgreSQL is the multi-seat
deployment. Both are reached through a URL: ``--db`` on the command line, else ``SANWEI_DB``, else the
default file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "sanwei"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """The database cannot be used: unreachable, malformed URL, or a schema we do not know."""


def default_url() -> str:
    folder = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{folder / 'sanwei.db'}"


def resolve_url(url: str | None) -> str:
    """The URL actually used: the explicit one, else ``SANWEI_DB``, else the default SQLite file."""
    chosen = url or os.environ.get("SANWEI_DB") or default_url()
    # A bare postgresql:// URL would ask for psycopg2, which we do not ship.
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
    return chosen


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite opens transactions lazily and never for SELECT, which breaks SAVEPOINT-based test
    # isolation and lets two writers interleave; the SQLAlchemy dialect docs' fix is to take over BEGIN.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, *, create_folder: bool = True, echo: bool = False) -> Engine:
    """Build an engine for ``url`` and check that the database answers.

    Raises ``DatabaseError`` with a message naming the URL when it is malformed or unreachable.
    """
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError as exc:
        raise DatabaseError(f"malformed database URL {resolved!r}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().resolve().parent
            if create_folder:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.exists():
                raise DatabaseError(f"cannot open database {resolved!r}: folder {folder} does not exist")
        engine = create_engine(parsed, echo=echo)
        _configure_sqlite(engine)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    else:
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r} in {resolved!r}: use sqlite:/// or postgresql://"
        )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, Exception) as exc:  # driver errors vary: name the URL either way
        engine.dispose()
        raise DatabaseError(
            f"cannot reach database {parsed.render_as_string(hide_password=True)}: {str(exc).splitlines()[0]}"
        ) from None
    return engine


def session_factory(engine: Engine) -> Callable[[], Session]:
    """The caller owns each session; ``expire_on_commit`` is off so DTOs can be built after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database)."""
    from alembic import command

    # "heads": each mode's tables may arrive on its own branch of the migration history.
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")


def schema_revision(engine: Engine) -> frozenset[str]:
    """The revisions the database is at (one per branch of the migration history)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def head_revision() -> frozenset[str]:
    """The newest revisions the code knows, one per branch."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(_alembic_config()).get_heads())


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def open_database(url: str | None = None, *, upgrade: bool = True) -> Engine:
    """Engine with an up-to-date schema; the one call commands make before touching the city."""
    engine = make_engine(url)
    if upgrade and schema_revision(engine) != head_revision():
        upgrade_schema(engine)
    return engine
