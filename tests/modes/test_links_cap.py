"""The centre node delivers the city's CAP alerts itself: an alarm given through the node (a real
centre process, CURVE on, 127.0.0.1) reaches a receiver process, retried after its first refusal, and
the log the centre wrote shows both attempts; the hooks are managed through the node too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import xmlschema
from sqlalchemy import select

from data.cap_models import CapDelivery
from data.db import open_database, session_factory
from tests.conftest import HOST, free_base, wait_until
from tests.modes.civil_defence.test_cap_hooks import Receiver
from tests.modes.test_links import (  # noqa: F401 - fixtures shared with the links tests
    HB,
    REPO,
    city_template,
    keys,
    nodes,
)

SCHEMA = xmlschema.XMLSchema(str(REPO / "data" / "standards" / "cap" / "CAP-v1.2.xsd"))


def _cli(*args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_PASSWORD="sanwei-demo")
    env.pop("SANWEI_CLOCK", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args, "--json"], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_centre_delivers_an_alarm_given_through_it_and_logs_each_attempt(
    tmp_path: Path,
    city_template,  # noqa: F811 - the links tests' fixtures
    keys,  # noqa: F811
    nodes,  # noqa: F811
):
    db = tmp_path / "centre.db"
    shutil.copyfile(city_template, db)
    endpoint = f"tcp://{HOST}:{free_base()}"
    centre = nodes(
        "center", "--db", f"sqlite:///{db}", "--bind", endpoint, "--keys", str(keys), "--heartbeat", str(HB)
    )
    centre.wait_event("ready")
    link = ["--connect", endpoint, "--keys", str(keys)]
    receiver = Receiver(tmp_path / "rx", "--fail", "1")
    try:
        hook = _cli(
            "alarm",
            "hook",
            "add",
            "--http",
            receiver.url,
            "--backoff",
            "0.2",
            "--as",
            "city_commander",
            *link,
        )
        assert _cli("alarm", "hook", "list", *link)["hooks"][0]["id"] == hook["id"]
        issued = _cli("alarm", "issue", "pre", "--as", "city_civil_defence", "--wait", "0.5", *link)
        engine = open_database(f"sqlite:///{db}")
        factory = session_factory(engine)

        def attempts() -> list[CapDelivery]:
            with factory() as s:
                return list(s.scalars(select(CapDelivery).order_by(CapDelivery.attempt)))

        rows = wait_until(
            lambda: (r := attempts()) and r[-1].outcome == "delivered" and r, 30, "the centre's delivery"
        )
        engine.dispose()
        assert [(r.attempt, r.outcome) for r in rows] == [(1, "failed"), (2, "delivered")]
        assert (rows[1].started_at - rows[0].finished_at).total_seconds() >= 0.2
        body = receiver.bodies()[-1]
        SCHEMA.validate(body.decode("utf-8"))
        assert f".alarm.{issued['alarm_id']}</identifier>".encode() in body
        board = _cli("alarm", "board", str(issued["alarm_id"]), *link)
        assert board["cap_hooks"][0]["state"] == "delivered"
        # The alert as the node prints it is the one delivered.
        assert _cli("alarm", "cap", str(issued["alarm_id"]), *link)["xml"].encode() == body
    finally:
        receiver.stop()
    assert centre.terminate() == 0
