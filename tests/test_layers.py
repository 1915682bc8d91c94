"""The layering rule of design.md section 2, checked where it matters: at import time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CORE_MODULES = [
    "data.db",
    "data.models",
    "data.journal",
    "data.spatial",
    "data.codes",
    "data.city",
    "data.geometry",
    "modes.everyday.routing",
    "comms",
]


def test_core_loads_no_qt():
    probe = (
        "import importlib, pkgutil, sys\n"
        "import data, modes, comms, nodes\n"
        "for pkg in (data, modes, comms, nodes):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' not in m.name:\n"
        "            importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the core loaded Qt modules: {out.stdout}"


def test_probe_would_see_qt_if_loaded():
    # Guard against a probe that cannot fail: importing the console does load Qt.
    probe = "import sys, PySide6.QtCore; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_import_contracts_hold():
    # The one installed beside this interpreter: the environment's, whether or not it is activated.
    lint_imports = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint_imports)], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
