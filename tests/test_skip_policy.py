"""Only a missing PostgreSQL server may skip a test: any other skip fails the run (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SAMPLE = """
import pytest

def test_needs_a_tool():
    pytest.skip("pdftotext is missing")

def test_needs_the_server():
    pytest.skip("PostgreSQL tests skipped: connection refused")

@pytest.fixture
def tool():
    pytest.skip("no such tool")

def test_through_a_fixture(tool):
    pass

def test_plain():
    pass
"""


def test_a_skip_other_than_postgresql_is_a_failure(tmp_path):
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            str(tmp_path / "test_sample.py"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout
    assert run.returncode == 1, out
    assert "1 failed, 1 passed, 1 skipped, 1 error" in out
    assert "FAILED" in out and "::test_needs_a_tool" in out
    assert "Skipped: pdftotext is missing: only a missing PostgreSQL server may skip a test" in out
    assert "ERROR" in out and "::test_through_a_fixture" in out and "Skipped: no such tool: only" in out
    assert "SKIPPED [1]" in out and "PostgreSQL tests skipped: connection refused" in out
