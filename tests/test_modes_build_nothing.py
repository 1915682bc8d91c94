"""The rules build no runtime: no module of ``modes/`` opens a database engine, makes a ZeroMQ context or
starts a thread.

Engines, contexts and threads belong to the composition root (``cli/``, the console's start) and to the
node runtime it composes (``nodes/``); the rules get a session, a clock and an actor handed to them
(design.md section 2). import-linter keeps ``zmq`` and ``threading`` out of ``modes`` at import level;
this reads the source for the calls themselves, however they are imported or named.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RULES = sorted((REPO / "modes").rglob("*.py"))

# The last part of the called name: ``create_engine(...)``, ``sa.create_engine(...)``, ``zmq.Context()``,
# ``zmq.Context.instance()``, ``threading.Thread(...)``, ``Thread(...)``.
BUILDERS = {"create_engine", "make_engine", "open_database", "Context", "Thread", "ThreadPoolExecutor",
            "ProcessPoolExecutor"}  # fmt: skip


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _builds(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        parts = name.split(".")
        # zmq.Context.instance(): the builder is the part before the method.
        if parts[-1] in BUILDERS or (len(parts) > 1 and parts[-2] == "Context"):
            found.append((node.lineno, f"{name}()"))
    return sorted(found)


@pytest.mark.parametrize("path", RULES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_rules_module_builds_an_engine_a_context_or_a_thread(path):
    found = _builds(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, f"{path.relative_to(REPO)} builds runtime at " + ", ".join(
        f"line {line}: {what}" for line, what in found
    )


def test_the_rules_are_scanned():
    assert REPO / "modes" / "common" / "command_bus.py" in RULES


def test_the_scan_sees_each_kind_of_builder():
    # A guard that cannot fail guards nothing: each form below must be caught.
    source = """
engine = create_engine(url)
engine = sa.create_engine(url)
engine = make_engine(url)
engine = open_database(url, create=False)
ctx = zmq.Context()
ctx = zmq.Context.instance()
threading.Thread(target=run).start()
Thread(target=run)
pool = ThreadPoolExecutor(max_workers=1)
pool = futures.ProcessPoolExecutor()
session_factory(engine)
s.execute(select(Case))
"""
    assert [what for _, what in _builds(ast.parse(source))] == [
        "create_engine()",
        "sa.create_engine()",
        "make_engine()",
        "open_database()",
        "zmq.Context()",
        "zmq.Context.instance()",
        "threading.Thread()",
        "Thread()",
        "ThreadPoolExecutor()",
        "futures.ProcessPoolExecutor()",
    ]
