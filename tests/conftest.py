"""Shared fixtures.

Qt must be told to render offscreen before it loads (pytest-qt aborts without a display otherwise).
Data tests run on SQLite and on PostgreSQL: ``SANWEI_TEST_PG`` names the server (default the local
one); where none answers the PostgreSQL half is skipped with a message, unless ``SANWEI_REQUIRE_PG`` is
set (CI sets it, so a silent skip cannot pass there). That is the only skip allowed: any other skip is
reported as a failure (a test that needs a tool the install steps bring must not quietly not run).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from data.db import DatabaseError, make_engine, upgrade_schema  # noqa: E402

# Public data sets the tests read, kept in the repository with their sources and licences (README there).
PUBLIC_DATA = REPO / "tests" / "data" / "public"
PG_URL = os.environ.get("SANWEI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


PG_SKIP = "PostgreSQL tests skipped"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn every skip but a missing PostgreSQL server into a failure that names the skip's reason."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    if PG_SKIP not in reason:
        report.outcome = "failed"
        report.longrepr = f"{reason}: only a missing PostgreSQL server may skip a test (tests/conftest.py)"


def pg_admin_engine():
    """An engine on the PostgreSQL server; skips (with the reason) when none answers, unless required."""
    try:
        return make_engine(PG_URL)
    except DatabaseError as exc:
        if os.environ.get("SANWEI_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required here but does not answer: {exc}")
        pytest.skip(f"{PG_SKIP}: {exc}")


def fresh_pg_schema(prefix: str = "t"):
    """URL of a new PostgreSQL schema, as a generator: it yields the URL, then drops the schema."""
    admin = pg_admin_engine()
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url():
    """URL of a fresh PostgreSQL schema for this test session (dropped at the end)."""
    yield from fresh_pg_schema()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    """A migrated database, one per backend per test session."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "sanwei.db")
    else:
        url = request.getfixturevalue("pg_url")
    eng = make_engine(url)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    """A session inside an outer transaction that is rolled back, so each test starts clean.

    The session's own commits become SAVEPOINT releases (SQLAlchemy's "join into an external
    transaction" recipe), which is why SQLite needs the BEGIN fix in ``data.db``.
    """
    conn = engine.connect()
    outer = conn.begin()
    s = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return "sqlite:///" + str(tmp_path / "sanwei.db")


@pytest.fixture
def public_copy(tmp_path):
    """Copy a file of tests/data/public into tmp_path, so no test can change the originals."""
    import shutil

    def _copy(name: str) -> Path:
        dst = tmp_path / name
        shutil.copyfile(PUBLIC_DATA / name, dst)
        return dst

    return _copy


# --- nodes as processes on loopback (the links tests of tests/modes and tests/console) ------------------

HOST = "127.0.0.1"


def free_base(count: int = 4) -> int:
    """A base port P with P..P+count-1 free on ``HOST``: a node binds four consecutive ports (a centre
    of a failover pair five: its heartbeat is on P+4)."""
    rng = random.Random()  # ports only: any free ones will do
    for _ in range(500):
        port = rng.randrange(20000, 60000, 8)
        ok = True
        for i in range(count):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind((HOST, port + i))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError(f"no {count} consecutive free ports")


def wait_until(
    predicate: Callable[[], object], timeout: float = 20.0, what: str = "", interval: float = 0.05
):
    """The first true value of ``predicate``, polled every ``interval`` s; fails after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)


class NodeProcess:
    """``python main.py ARGS`` (a centre or district node) with its JSON log lines, read from stderr
    as they come, in ``events`` (and every line in ``raw``, for the message when it dies)."""

    def __init__(self, args: Sequence[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: list[dict] = []
        self.raw: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.raw.append(line)
            try:
                self.events.append(json.loads(line))
            except ValueError:
                pass

    def terminate(self) -> int | None:
        """SIGTERM, as an operator would stop a node, and kill it only if it does not exit in 20 s;
        then let the log reader finish. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(5)
        return self.proc.returncode
