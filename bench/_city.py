"""A Harbin-scale demo city for a benchmark that is not given ``--db``: seeded through ``main.py seed``
(the city with its civil-defence and emergency demo sets) into a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def seeded_demo_url(folder: str) -> str:
    url = f"sqlite:///{folder}/harbin.db"
    print("seeding a Harbin-scale city with every mode's demo set ...", flush=True)
    subprocess.run(
        [sys.executable, str(REPO / "main.py"), "seed", "--db", url, "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url
