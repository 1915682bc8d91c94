"""Engines, sessions and schema upgrades.

SQLite is the embedded default (a file in the user's data directory); PostgreSQL is the multi-seat
deployment. Both are reached through a URL: ``--db`` on the command line, else ``SANWEI_DB``, else the
default file.

Opening a city never creates one by accident: ``open_database(url, create=False)`` refuses a SQLite file
that does not exist, before anything touches the disk (a mistyped path would otherwise become an empty
city that answers every question with zeros). Only the commands that found a city create the file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import platformdirs
from sqlalchemy import Connection, Engine, Executable, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "sanwei"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SessionFactory = Callable[[], Session]  # what ``session_factory`` returns: each call, a new session


class DatabaseError(Exception):
    """The database cannot be used: unreachable, malformed URL, or a schema we do not know."""


class NoCityDatabase(DatabaseError):
    """The URL names a SQLite file that does not exist, where an existing city was expected."""


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


def is_demo_default(url: str | None) -> bool:
    """True when neither ``url`` nor ``SANWEI_DB`` is given: the default file in the user's data
    folder, the only place the console may generate the demo city on its first run."""
    return not url and not os.environ.get("SANWEI_DB")


def sqlite_file(url: str | None) -> Path | None:
    """The file a SQLite URL opens, as SQLite resolves it; None for in-memory and server databases."""
    try:
        parsed = make_url(resolve_url(url))
    except ArgumentError:
        return None  # make_engine names the malformed URL
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if str(parsed.query.get("uri", "")).lower() in ("true", "1"):  # sqlite:///file:PATH?...&uri=true
        if parsed.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:")
    return Path(database)


def how_to_create_city(url: str | None) -> str:
    shown = resolve_url(url)
    try:
        shown = make_url(shown).render_as_string(hide_password=True)
    except ArgumentError:
        pass
    return (
        f"create a city with `python main.py seed --db {shown}` (the demo city) or "
        f"`python main.py import cells FILE --new-city --db {shown}` (a city from your own grid)"
    )


def require_database_file(url: str | None) -> None:
    """Refuse (``NoCityDatabase``) a SQLite URL whose file does not exist; checks only, creates nothing."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise NoCityDatabase(
            f"no city at {path.absolute()}: the database file does not exist (nothing was created); "
            f"check the path, or {how_to_create_city(url)}"
        )


@contextlib.contextmanager
def new_city_file(url: str | None) -> Iterator[None]:
    """Around founding a city at ``url``: when the body raises, the SQLite file it created (with its
    -wal and -shm) and the folders made for it are removed again, so a refused import leaves no empty
    database behind. The body disposes its engines before the exception leaves it."""
    path = sqlite_file(url)
    if path is None or path.exists():
        yield
        return
    path = path.absolute()
    existing = path.parent
    while not existing.exists():
        existing = existing.parent
    try:
        yield
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        folder = path.parent
        while folder != existing:
            with contextlib.suppress(OSError):  # not empty: something else lives there now
                folder.rmdir()
            folder = folder.parent
        raise


@contextlib.contextmanager
def read_only(session: Session) -> Iterator[Session]:
    """The session with the database itself refusing its writes, for readers such as the exports: a
    write by mistake fails rather than changes the city. SQLite: ``query_only`` on the session's
    connection, set back at the end. PostgreSQL: a READ ONLY transaction, when the session has not
    begun one yet (a session joined to an outer transaction, as in the tests, reads in that one). The
    session's transaction is rolled back at the end."""
    fresh = isinstance(session.get_bind(), Engine) and not session.in_transaction()
    conn = session.connection(execution_options={"postgresql_readonly": True} if fresh else None)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql("PRAGMA query_only = ON")
    try:
        yield session
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA query_only = OFF")
        session.rollback()


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


def session_factory(engine: Engine) -> SessionFactory:
    """The caller owns each session; ``expire_on_commit`` is off so DTOs can be built after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


_CURSOR_NAMES = itertools.count(1)


class DriverQuery:
    """A statement compiled once for a connection's dialect and run on its DBAPI cursor: rows come
    back as the driver's own tuples, without SQLAlchemy's row objects and result processing (reading
    a million rows for the audit took seconds longer through them). Select only columns the driver
    hands back as wanted (text, numbers): nothing converts them.

    Runs inside the connection's transaction, like any statement of it.
    """

    def __init__(self, conn: Connection, statement: Executable):
        self._compiled = statement.compile(dialect=conn.dialect)
        self._sql = str(self._compiled)
        self._conn = conn

    def _params(self, values: Mapping[str, object]):
        params = self._compiled.construct_params(dict(values))
        if self._compiled.positional:
            return tuple(params[name] for name in self._compiled.positiontup)
        return params

    def all(self, **values: object) -> list[tuple]:
        cursor = self._conn.connection.driver_connection.cursor()
        try:
            cursor.execute(self._sql, self._params(values))
            return cursor.fetchall()
        finally:
            cursor.close()

    def batches(self, batch: int, **values: object) -> Iterator[list[tuple]]:
        """The rows ``batch`` at a time. On PostgreSQL through a server-side cursor, so a result of
        millions of rows is never held whole in memory; SQLite steps through its rows anyway. Close
        the iterator (or exhaust it) to close the cursor."""
        driver = self._conn.connection.driver_connection
        if self._conn.dialect.name == "postgresql":
            cursor = driver.cursor(name=f"sanwei_rows_{next(_CURSOR_NAMES)}")
        else:
            cursor = driver.cursor()
        try:
            cursor.execute(self._sql, self._params(values))
            while rows := cursor.fetchmany(batch):
                yield rows
        finally:
            cursor.close()


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


def stored_revision(engine: Engine) -> frozenset[str] | None:
    """The revisions recorded in the database's ``alembic_version`` table, read without importing Alembic
    (the console's fast start), or None when the table cannot be read (no schema yet, no database)."""
    try:
        with engine.connect() as conn:
            return frozenset(r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:
        return None


def head_revision() -> frozenset[str]:
    """The newest revisions the code knows, one per branch."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(_alembic_config()).get_heads())


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def open_database(url: str | None = None, *, upgrade: bool = True, create: bool = True) -> Engine:
    """Engine with an up-to-date schema; the one call commands make before touching the city.

    With ``create=False`` a SQLite file that does not exist is refused (``NoCityDatabase``) and nothing
    is created; ``create=True`` is for the few callers that found a city (seed, a new-city import, the
    console's first run at the default file, replicas, tests).
    """
    if not create:
        require_database_file(url)
    engine = make_engine(url)
    if upgrade and schema_revision(engine) != head_revision():
        upgrade_schema(engine)
    return engine
