"""One door for writes: no console or command-line module opens a write transaction or writes through a
session itself.

Every write is a named command handed to the command bus (modes/common/door.py locally, the node's
command channel when attached). Founding a city (``seed``, ``import cells --new-city``, the demo sets) is
not a command on a city: data/ and modes/ own those transactions. This reads the source of the console,
of ``main.py`` and of any ``cli/`` module, and fails on the calls that write:
``begin``/``begin_nested``/``commit``/``flush`` on anything, ``add``/``add_all``/``delete``/``merge`` on a
session, and ``execute`` of an INSERT, UPDATE or DELETE. Reads (``with session_factory() as s:``) pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONSOLE = sorted((REPO / "console").rglob("*.py"))
COMMAND_LINE = [REPO / "main.py", *sorted((REPO / "cli").rglob("*.py"))]
GUARDED = CONSOLE + COMMAND_LINE

TRANSACTION_CALLS = {"begin", "begin_nested", "commit", "flush"}
SESSION_WRITES = {"add", "add_all", "delete", "merge", "bulk_save_objects", "bulk_insert_mappings"}
SESSION_NAMES = {"s", "session", "sess", "db"}
DML = {"insert", "update", "delete"}


def _writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, owner = node.func.attr, node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        if name in TRANSACTION_CALLS and not (name == "flush" and owner_name in {"stdout", "stderr"}):
            found.append((node.lineno, f".{name}()"))
        elif name in SESSION_WRITES and owner_name in SESSION_NAMES:
            found.append((node.lineno, f"{owner_name}.{name}()"))
        elif name in {"execute", "exec_driver_sql"} and node.args:
            first = node.args[0]
            root = first  # update(Case).where(...).values(...): the statement is the innermost call
            while (
                isinstance(root, ast.Call)
                and isinstance(root.func, ast.Attribute)
                and isinstance(root.func.value, ast.Call)
            ):
                root = root.func.value
            called = root.func if isinstance(root, ast.Call) else None
            callee = getattr(called, "id", None) or getattr(called, "attr", None)
            text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
            if callee in DML or text.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
                found.append((node.lineno, f"{name}({callee or text[:20]!r})"))
    return sorted(found)


@pytest.mark.parametrize("path", GUARDED, ids=lambda p: str(p.relative_to(REPO)))
def test_no_console_or_cli_module_writes_past_the_door(path):
    found = _writes(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, f"{path.relative_to(REPO)} writes past the command bus at " + ", ".join(
        f"line {line}: {what}" for line, what in found
    )


def test_the_command_line_is_guarded():
    assert REPO / "main.py" in GUARDED and CONSOLE


def test_the_guard_sees_each_kind_of_write():
    # A guard that cannot fail guards nothing: each form below must be caught.
    source = """
with session_factory() as s, s.begin():
    pass
session.commit()
s.add(row)
s.execute(update(Case).values(state="closed"))
conn.exec_driver_sql("DELETE FROM cases")
sys.stdout.flush()
seen.add(3)
with session_factory() as s:
    s.execute(select(Case))
"""
    assert [what for _, what in _writes(ast.parse(source))] == [
        ".begin()",
        ".commit()",
        "s.add()",
        "execute('update')",
        "exec_driver_sql('DELETE FROM cases')",
    ]
