"""No SQL in the console: its modules hold widgets, models and the glue to workers, and call queries.

The queries and the data objects they return live below the screen, in ``modes`` (``modes.common``'s
city picture, loading and queries, ``modes.<mode>.queries``), where they are tested without Qt. A
console module may hold a session factory and hand a session to a query function
(``with self.session_factory() as s: return queries.x(s, ...)``); it may not import SQLAlchemy, run a
statement on a session or connection (``execute``, ``scalar``, ``scalars``, ``get``, ...), or build one
(``select``, ``text``, ...). This reads the source of every console module and fails on each of those.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONSOLE = sorted((REPO / "console").rglob("*.py"))

SESSION_NAMES = {"s", "session", "sess", "db", "conn", "connection"}
STATEMENT_CALLS = {
    "execute", "exec_driver_sql", "scalar", "scalars", "get", "query",
    "scalar_one", "scalar_one_or_none", "get_one", "stream", "stream_scalars",
}  # fmt: skip
STATEMENT_BUILDERS = {
    "select", "text", "insert", "update", "delete", "union", "union_all", "exists",
    "literal_column", "type_coerce", "aliased", "and_", "or_", "not_", "case",
}  # fmt: skip


def _sql(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {a.name}") for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.append((node.lineno, f"from {node.module} import"))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in STATEMENT_BUILDERS:
                found.append((node.lineno, f"{func.id}()"))
            elif isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                if func.attr in STATEMENT_CALLS and owner_name in SESSION_NAMES:
                    found.append((node.lineno, f"{owner_name}.{func.attr}()"))
                elif owner_name == "func":  # func.count(), func.sum(): SQL functions
                    found.append((node.lineno, f"func.{func.attr}()"))
    return sorted(found)


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", CONSOLE, ids=_name)
def test_no_console_module_runs_or_builds_sql(path):
    found = _sql(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, f"{_name(path)} runs or builds SQL itself at " + ", ".join(
        f"line {line}: {what}" for line, what in found
    )


def test_the_guard_sees_each_kind_of_sql():
    # A guard that cannot fail guards nothing: each form below must be caught, and the reads through
    # a query function must pass.
    source = """
import sqlalchemy as sa
from sqlalchemy.orm import Session
with self.session_factory() as s:
    s.execute(q)
    rows = s.scalars(q).all()
    row = session.get(Incident, 3)
    n = self.session.scalar(q)
    q = select(Case.id).where(Case.state == "open")
    conn.exec_driver_sql("SELECT 1")
    k = func.count()
    t = text("SELECT 2")
with self.session_factory() as s:
    hits = queries.search(s, snapshot, "#12")
    value = doc.get("key")
    self.map.select("cell", code)
    self.gateway.write("case.close", args, decode=str)
"""
    assert [what for _, what in _sql(ast.parse(source))] == [
        "import sqlalchemy",
        "from sqlalchemy.orm import",
        "s.execute()",
        "s.scalars()",
        "session.get()",
        "session.scalar()",
        "select()",
        "conn.exec_driver_sql()",
        "func.count()",
        "text()",
    ]
