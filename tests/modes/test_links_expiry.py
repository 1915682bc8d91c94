"""A district gives up a forwarded command it could not deliver within the resend limit
(comms.retention): the row says ``expired`` with the reason, ``query.result`` and ``link status`` show
it, and the centre never sees the command. A centre and a district node in this process, real sockets on
loopback, CURVE off, a small seeded city."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from comms.retention import DAY_S
from data.db import open_database, session_factory
from data.demo_city import seed_city
from modes.common.clock import SystemClock
from modes.common.command_bus import APPLIED, CommandBus, encode_call, register_common
from modes.everyday import link_commands
from nodes.centre import CentreNode
from nodes.client import LinkClient
from nodes.district import FORWARD, DistrictNode
from nodes.logs import NodeLog
from tests.conftest import HOST, free_base, wait_until

HB = 0.25
D1 = "230102"


def bus() -> CommandBus:
    b = CommandBus()
    register_common(b)
    link_commands.register(b)
    return b


def test_a_forwarded_command_older_than_the_resend_limit_expires_and_is_not_sent(tmp_path: Path):
    centre_db = tmp_path / "centre.db"
    engine = open_database(f"sqlite:///{centre_db}")
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=5)
    engine.dispose()
    # The district was cut off for a week: a forwarded command still waits in its outbox.
    district_url = f"sqlite:///{tmp_path / 'district.db'}"
    engine = open_database(district_url)
    queued_at = time.time() - 6.5 * DAY_S
    with session_factory(engine)() as s, s.begin():
        for fid, when in (("f-stale", queued_at), ("f-young", time.time())):
            s.execute(
                sa.insert(FORWARD).values(
                    forward_id=fid, command="mode.switch", body=encode_call("mode.switch", {}),
                    origin="console-1", state="queued", queued_at=when, subject="",
                )
            )  # fmt: skip
    engine.dispose()
    cport, dport = free_base(), free_base()
    centre = CentreNode(
        f"sqlite:///{centre_db}", f"tcp://{HOST}:{cport}", bus=bus(), clock=SystemClock(),
        log=NodeLog("centre"), heartbeat=HB,
    ).start()  # fmt: skip
    district = None
    try:
        district = DistrictNode(
            D1, district_url, f"tcp://{HOST}:{cport}", f"tcp://{HOST}:{dport}",
            bus=bus(), clock=SystemClock(), log=NodeLog(D1), heartbeat=HB,
        ).start()  # fmt: skip
        with LinkClient(f"tcp://{HOST}:{dport}", heartbeat=HB) as link:
            # The young one goes to the centre (which refuses a switch without a person); the stale one not.
            young = wait_until(
                lambda: (
                    (r := link.call("query.result", {"forward_id": "f-young"}))["state"] != "queued" and r
                ),
                timeout=30,
                what="the centre's answer to the young command",
            )
            stale = link.call("query.result", {"forward_id": "f-stale"})
            status = link.call("link.status")
        assert young["state"] == "refused"
        assert stale["state"] == "expired"
        assert "not answered within 6 days" in stale["reason"] and "not sent again" in stale["reason"]
        recent = {r["forward_id"]: r for r in status["recent"]}
        assert recent["f-stale"]["state"] == "expired" and recent["f-stale"]["reason"] == stale["reason"]
        assert status["commands"]["queue_length"] == 0
    finally:
        if district is not None:
            district.stop(drain=0)
        centre.stop()
    engine = open_database(f"sqlite:///{centre_db}")
    with engine.connect() as conn:
        ids = set(conn.scalars(sa.select(APPLIED.c.command_id)))
    engine.dispose()
    assert "f-young" in ids and "f-stale" not in ids
