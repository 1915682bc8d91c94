"""A district node serves its own consoles what its replica committed (nodes/district.py
``DistrictNode._republish``): a centre and a district node in this process, real sockets on loopback,
CURVE off, a small seeded city."""

from __future__ import annotations

import time
from pathlib import Path

import msgpack

from comms.clone import CloneClient
from comms.wire import Entry
from data.db import open_database, session_factory
from data.demo_city import seed_city
from modes.common.clock import SystemClock
from modes.common.command_bus import CommandBus, register_common
from modes.common.picture import unpack
from modes.everyday import link_commands
from nodes.centre import CentreNode
from nodes.client import LinkClient
from nodes.district import DistrictNode
from nodes.logs import NodeLog
from tests.conftest import HOST, free_base, wait_until

HB = 0.25
D1 = "230102"


def bus() -> CommandBus:
    b = CommandBus()
    register_common(b)
    link_commands.register(b)
    return b


def test_a_district_republishes_committed_updates_to_its_consoles(tmp_path: Path):
    centre_db = tmp_path / "centre.db"
    engine = open_database(f"sqlite:///{centre_db}")
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=5)
    engine.dispose()
    cport, dport = free_base(), free_base()
    centre = CentreNode(
        f"sqlite:///{centre_db}", f"tcp://{HOST}:{cport}", bus=bus(), clock=SystemClock(),
        log=NodeLog("centre"), heartbeat=HB,
    ).start()  # fmt: skip
    district = None
    console = None
    try:
        district = DistrictNode(
            D1, f"sqlite:///{tmp_path / 'district.db'}", f"tcp://{HOST}:{cport}", f"tcp://{HOST}:{dport}",
            bus=bus(), clock=SystemClock(), log=NodeLog(D1), heartbeat=HB,
        ).start()  # fmt: skip
        seen: list[Entry] = []
        console = CloneClient(HOST, dport, heartbeat=HB, on_update=seen.append).start()
        assert console.wait_synced(30)
        component = next(k for k in console.dump() if k.startswith(f"/component/{D1}"))
        seen.clear()

        # A change at the centre: committed in the district's replica, then served to its console.
        with LinkClient(f"tcp://{HOST}:{cport}", heartbeat=HB) as link:
            assert link.sign_in("city_operator", "sanwei-demo")["ok"]
            link.call(
                "asset.status", {"kind": "component", "id": component.split("/")[2], "status": "damaged"}
            )
        wait_until(
            lambda: unpack(console.dump()[component].body)["state"] == "damaged",
            timeout=30,
            what="change at the console",
        )
        # A live position keeps the time it has left, not a fresh ttl, on its way through the district.
        writer = CloneClient(HOST, cport, heartbeat=HB).start()
        try:
            assert writer.wait_synced(30)
            sup = next(k for k in console.dump() if k.startswith("/supervisor/")).split("/")[2]
            key = f"/supervisor/{sup}/position"
            sent_at = time.time()
            writer.write(key, msgpack.packb({"x": 1.0, "y": 2.0, "at": None}), ttl=30.0)
            entry = wait_until(lambda: console.dump().get(key), timeout=30, what="position at the console")
        finally:
            writer.stop()
        assert float(entry.props["ttl"]) <= 30.0
        assert sent_at + 29.0 < float(entry.props["expires_at"]) <= time.time() + 30.0
        # The console's copy equals the district's replica, body for body.
        assert district.clone is not None

        def bodies(client: CloneClient) -> dict[str, bytes]:
            # The district's own status keys live on its channel only.
            return {k: e.body for k, e in client.dump().items() if not k.startswith("/district/")}

        wait_until(
            lambda: bodies(console) == bodies(district.clone), timeout=30, what="console equals replica"
        )
        assert len(bodies(console)) > 1000
        assert [e.key for e in seen if e.key == component]
    finally:
        if console is not None:
            console.stop()
        if district is not None:
            district.stop(drain=0)
        centre.stop()
