"""Sequence numbers never go back across a restart (docs/protocol.md 3.7): a plain CHP client (RFC 12
only: no epoch, no catch-up) follows a real ``python main.py center`` process through a restart of that
process, and a district node serves its consoles above what it served before its own restart."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import zmq

from comms.clone import CloneClient
from modes.common.clock import SystemClock
from modes.common.picture import unpack
from nodes.centre import CentreNode
from nodes.client import LinkClient
from nodes.district import DistrictNode
from nodes.logs import NodeLog
from nodes.sequence_store import ReservationStore
from tests.comms.rfc12 import RfcCloneClient
from tests.conftest import HOST, free_base, wait_until
from tests.modes.test_district_republish import bus
from tests.modes.test_links import (  # noqa: F401 - fixtures shared with the links tests
    D1,
    HB,
    city_template,
    inside,
    nodes,
    report_args,
)


def signed_in(endpoint: str) -> LinkClient:
    link = LinkClient(endpoint, heartbeat=HB).start()
    assert link.sign_in("city_operator", "sanwei-demo")["ok"]
    return link


def follow_until(client: RfcCloneClient, key: bytes, state: str, what: str) -> None:
    def shows() -> bool:
        client.follow(0.1)
        return key in client.map and unpack(client.map[key])["state"] == state

    wait_until(shows, timeout=30, what=what, interval=0)


def test_a_plain_chp_client_follows_the_centre_through_a_restart(
    tmp_path: Path,
    city_template,  # noqa: F811 - the imported fixture
    nodes,  # noqa: F811 - the imported fixture
):
    db = tmp_path / "centre.db"
    shutil.copyfile(city_template, db)
    port = free_base()
    endpoint = f"tcp://{HOST}:{port}"
    args = ("center", "--db", f"sqlite:///{db}", "--bind", endpoint, "--heartbeat", str(HB))
    centre = nodes(*args)
    first = centre.wait_event("ready")
    ctx = zmq.Context()
    client = RfcCloneClient(ctx, HOST, port)  # the whole map: it sees every number
    try:
        client.sync(attempts=3)
        assert len(client.map) == first["keys"]
        x, y = inside(db, D1)
        with signed_in(endpoint) as link:
            case = link.call("case.report", report_args(x, y, "before the restart"))
            # Updates of keys the picture has already: the first run publishes more numbers than the
            # picture has keys, as a centre does within minutes (old numbering restarted below them).
            component = min(k for k in client.map if k.startswith(b"/component/"))
            for status in ("damaged", "intact") * 3:
                link.call(
                    "asset.status",
                    {"kind": "component", "id": component.split(b"/")[2].decode(), "status": status},
                )
        key = f"/case/{case['id']}".encode()
        follow_until(client, key, case["state"], "the new case at the plain client")
        follow_until(client, component, "intact", "the component's last state at the plain client")
        before = list(client.seen)

        # The client does not notice the restart: nothing tells an RFC 12 client in time.
        assert centre.terminate() == 0
        client.follow(3 * HB)  # what the first run sent before it stopped
        beats = client.hugz
        restarted = nodes(*args)
        again = restarted.wait_event("ready")
        assert again["seq_base"] > max(before)  # above the reservation the first run recorded
        # Its SUB hears the new process: an update sent before that would be lost to any RFC 12
        # client (and only the next one would show the gap), whatever the numbering.
        wait_until(
            lambda: client.follow(0.1) or client.hugz > beats, timeout=30, what="HUGZ again", interval=0
        )
        with signed_in(endpoint) as link:
            acted = link.call("case.act", {"id": case["id"], "action": "send_verify"})
            assert acted["state"] == "verifying" != case["state"]
            position = link.call("state.position", {})

        follow_until(client, key, "verifying", "the case's new state at the plain client")
        after = client.seen[len(before) :]
        assert after and min(after) > max(before)
        # The first number after the restart jumped far ahead: a gap, so the client took a snapshot.
        assert client.gaps == 1 and client.snapshots == 2
        assert client.sequence <= position["seq"] + 10
    finally:
        client.close()
        ctx.term()


def test_nodes_number_above_their_recorded_reservation_and_a_floor(
    tmp_path: Path,
    city_template,  # noqa: F811 - the imported fixture
):
    """A centre given a floor (a failed peer's reservation) numbers above it, and after a restart above
    its own record; a district serves its consoles above what it served before its restart. The
    bulk snapshot and the replay check take the large numbers as they take small ones."""
    centre_db = tmp_path / "centre.db"
    shutil.copyfile(city_template, centre_db)
    cport, dport = free_base(), free_base()
    centre_url, district_url = f"sqlite:///{centre_db}", f"sqlite:///{tmp_path / 'district.db'}"

    def start_centre(floor: int) -> CentreNode:
        return CentreNode(
            centre_url, f"tcp://{HOST}:{cport}", bus=bus(), clock=SystemClock(), log=NodeLog("centre"),
            heartbeat=HB, seq_floor=floor,
        ).start()  # fmt: skip

    def start_district() -> DistrictNode:
        return DistrictNode(
            D1, district_url, f"tcp://{HOST}:{cport}", f"tcp://{HOST}:{dport}", bus=bus(), clock=SystemClock(),
            log=NodeLog(D1), heartbeat=HB,
        ).start()  # fmt: skip

    centre = start_centre(5_000_000)
    district = console = None
    try:
        info = centre.server.info()
        assert info["seq"] == 5_000_000 + info["keys"] and centre.server.reserved == 6_000_000
        district = start_district()
        assert district.initial_sync["mode"] == "bulk" and district.initial_sync["seq"] == info["seq"]
        served = district.server.info()
        assert district.server.reserved == 1_000_000 and served["seq"] == served["keys"]
        console = CloneClient(HOST, dport, heartbeat=HB).start()
        assert console.wait_synced(30)
        before = console.link.seq
        assert 0 < before <= 1_000_000
        district.stop(drain=0)

        district = start_district()
        assert district.initial_sync["mode"] == "replay"  # its replica's position, in large numbers
        entries = district.server.dump().values()
        assert min(e.seq for e in entries) == 1_000_001 and district.server.reserved == 2_000_000
        # Our console sees the new epoch and takes a snapshot, numbered above all it saw before.
        wait_until(lambda: console.link.epoch == district.server.epoch and console.link.synced, timeout=30)
        assert console.link.seq > 1_000_000 >= before
        district.stop(drain=0)
        district = None
        centre.stop()

        centre = start_centre(0)  # no floor now: its own record is higher
        assert min(e.seq for e in centre.server.dump().values()) == 6_000_001
    finally:
        if console is not None:
            console.stop()
        if district is not None:
            district.stop(drain=0)
        centre.stop()


def test_the_reservation_record_only_goes_up(engine):
    store = ReservationStore(engine, channel=f"test-{uuid.uuid4().hex[:8]}")
    assert store.read() == 0
    store.record(2_000_000)
    store.record(1_000_000)  # late or repeated: the record stays where it was
    assert store.read() == 2_000_000
    store.record(3_000_000)
    assert store.read() == 3_000_000
    assert store.base() == 3_000_000 and store.base(floor=7_000_000) == 7_000_000
    assert ReservationStore(engine, channel="another").read() == 0  # one row per channel
    with pytest.raises(ValueError, match="sequence floor must be 0 or more"):
        store.base(floor=-1)
