"""Keys without restarts, with real processes (docs/protocol.md section 1, "Key reloading"): a centre and
a district node watch their key folder; a console key enrolled while they run is let in within 5 s, its
removal ends its open session and denies a new one, SIGHUP reloads at once, a malformed file breaks
nothing, and each node journals the additions and removals in its own database."""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from comms.keys import Security, generate_keys
from nodes.client import LinkClient, LinkError, LinkRefused
from tests.conftest import wait_until
from tests.modes.conftest import node_keys
from tests.modes.test_links import D1, HB, Pair, city_template, nodes  # noqa: F401 (fixtures)

NEW = "console-7"


@pytest.fixture
def keys(tmp_path) -> Path:
    """The folder both nodes read (and the test edits): the centre, district D1, and their consoles."""
    return node_keys(tmp_path / "keys", (D1,), console_of=D1)


@pytest.fixture
def newcomer(tmp_path, keys) -> Path:
    """A console's key pair made on its own machine, with the centre's public key beside it."""
    folder = tmp_path / "newcomer"
    generate_keys(folder, NEW, "console")
    shutil.copyfile(keys / "centre.key", folder / "centre.key")
    return folder


@pytest.fixture
def pair(tmp_path, city_template, keys, nodes) -> Pair:  # noqa: F811
    return Pair(tmp_path, city_template, keys, nodes)


def status_as(
    endpoint: str, folder: Path, identity: str, server: str = "centre", timeout: float = 1.0
) -> dict:
    """``link.status`` over a fresh connection with ``identity``'s key (a query: no sign-in)."""
    with LinkClient(endpoint, Security.from_dir(folder, identity), server=server, heartbeat=HB) as link:
        return link.call("link.status", {}, timeout=timeout)


def admitted(endpoint: str, folder: Path, identity: str) -> bool:
    try:
        status_as(endpoint, folder, identity)
    except LinkError:
        return False
    return True


def key_events(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT kind, actor, subject, district_code, payload FROM journal"
            " WHERE kind LIKE 'link.key_%' ORDER BY seq"
        ).fetchall()
    return [
        (kind, actor, subject, district, json.loads(payload))
        for kind, actor, subject, district, payload in rows
    ]


def test_a_key_enrolled_and_revoked_while_the_nodes_run(pair, keys, newcomer):
    centre = pair.start_centre()
    district = pair.start_district()
    assert not admitted(pair.centre_ep, newcomer, NEW)

    shutil.copyfile(newcomer / f"{NEW}.key", keys / f"{NEW}.key")
    # Polled every second by default: in within 5 s, no restart.
    wait_until(lambda: admitted(pair.centre_ep, newcomer, NEW), timeout=5.0, what="the new key admitted")
    doc = status_as(pair.centre_ep, newcomer, NEW)
    listed = {k["name"]: k for k in doc["allow_list"]["keys"]}
    fingerprint = Security.from_dir(newcomer, NEW).me.fingerprint
    assert listed[NEW] == {"name": NEW, "role": "console", "fingerprint": fingerprint}
    assert doc["allow_list"]["reloads"] >= 1 and doc["allow_list"]["loaded_at"]

    # A malformed key file is reported by name and leaves the allow-list as it was.
    (keys / "broken.key").write_text("this is no certificate\n")
    bad = centre.wait_event("key_file_bad", timeout=10)
    assert bad["file"] == "broken.key" and "no Z85 public key" in bad["problem"]
    doc = status_as(pair.centre_ep, newcomer, NEW)
    assert [p["file"] for p in doc["allow_list"]["problems"]] == ["broken.key"]
    assert NEW in {k["name"] for k in doc["allow_list"]["keys"]}
    (keys / "broken.key").unlink()  # (a node would not start on it: a folder must read at start)

    with LinkClient(pair.centre_ep, Security.from_dir(newcomer, NEW), heartbeat=HB) as open_link:
        assert open_link.call("link.status", {}, timeout=5)["node"] == "centre"
        closed_before = len(centre.named("sessions_closed"))
        (keys / f"{NEW}.key").unlink()
        centre.wait_event("sessions_closed", count=closed_before + 1, timeout=10)
        # Its open session is gone: the next command gets no answer, and a new connection is denied.
        with pytest.raises(LinkError):
            open_link.call("link.status", {}, timeout=2)
    assert not admitted(pair.centre_ep, newcomer, NEW)

    # The district node (its sessions closed too: it watches the same folder) is back by itself.
    district.wait_event("sessions_closed", timeout=10)

    def district_links_up() -> bool:
        doc = status_as(pair.district_ep, keys, f"console-{D1}", f"district-{D1}", timeout=5)
        return doc["commands"]["up"] and doc["state"]["up"] and doc["state"]["synced"]

    wait_until(district_links_up, timeout=20, what="the district's links back after the rebinds")
    allow = status_as(pair.district_ep, keys, f"console-{D1}", f"district-{D1}", timeout=5)["allow_list"]
    assert NEW not in {k["name"] for k in allow["keys"]} and allow["reloads"] >= 2

    # Only the node journals its keys: a peer sending the command is refused (a district key vouches for
    # itself, so the refusal is the command's own).
    forged = {"added": [{"name": "forged", "role": "centre", "fingerprint": "sha256:0"}], "trigger": "folder"}
    with LinkClient(pair.centre_ep, Security.from_dir(keys, f"district-{D1}"), heartbeat=HB) as link:
        with pytest.raises(LinkRefused, match="journaled by the node itself"):
            link.call("keys.changed", forged, timeout=10)

    for db, actor, code in ((pair.centre_db, "centre", None), (pair.district_db, f"district:{D1}", D1)):
        events = key_events(db)
        assert [(kind, who, subject, district) for kind, who, subject, district, _ in events] == [
            ("link.key_added", actor, f"key/{NEW}", code),
            ("link.key_removed", actor, f"key/{NEW}", code),
        ]
        assert all(p["fingerprint"] == fingerprint and p["role"] == "console" for *_, p in events)
    assert pair.cli("audit", "verify", "--db", f"sqlite:///{pair.centre_db}").returncode == 0
    shown = pair.cli("link", "status", "--connect", pair.centre_ep, "--keys", str(keys)).stdout
    assert "allow-list: 4 keys, loaded " in shown and "unreadable" not in shown
    # The node's wall-clock times in the city's local time with the offset, as its log lines are.
    assert re.search(r"loaded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00 \(\d+ reloads?\)", shown), shown
    doc = json.loads(
        pair.cli("link", "status", "--json", "--connect", pair.centre_ep, "--keys", str(keys)).stdout
    )
    assert doc["allow_list"]["loaded_at"].endswith("+08:00")


def test_sighup_reloads_at_once_and_does_not_stop_the_node(pair, keys, newcomer, nodes):  # noqa: F811
    centre = nodes(
        "center", "--db", f"sqlite:///{pair.centre_db}", "--bind", pair.centre_ep, "--keys", str(keys),
        "--heartbeat", str(HB), "--key-poll", "600",
    )  # fmt: skip
    centre.wait_event("ready")
    shutil.copyfile(newcomer / f"{NEW}.key", keys / f"{NEW}.key")
    assert not admitted(pair.centre_ep, newcomer, NEW)  # the folder is not looked at for ten minutes
    centre.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: admitted(pair.centre_ep, newcomer, NEW), timeout=5.0, what="admitted after SIGHUP")
    reload = centre.wait_event("keys_reloaded")
    assert reload["trigger"] == "signal" and reload["added"] == [NEW]
    assert centre.proc.poll() is None
    assert [e[0] for e in key_events(pair.centre_db)] == ["link.key_added"]
    assert centre.terminate() == 0
