"""A failover pair of centres as real processes on 127.0.0.1 (docs/protocol.md section 8).

``python main.py center --primary`` and ``center --backup`` run as in production (CURVE on, one key pair
for the two centres), a district node is given both endpoints, and the test kills, restarts and
partitions the centres while commands flow.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from comms.keys import Security
from nodes.client import LinkClient, LinkError, LinkRefused
from tests.conftest import HOST, free_base, wait_until
from tests.modes.test_links import D1, HB, REPO, Node, city_template, inside, keys, nodes, report_args  # noqa: F401

PAIR_HB = 0.25


class Centres:
    """A primary on a copy of the city, a backup that starts from nothing, and a district of both."""

    def __init__(self, tmp: Path, template: Path, keys: Path, nodes) -> None:  # noqa: F811
        self.tmp, self.keys, self.nodes = tmp, keys, nodes
        self.a_db, self.b_db = tmp / "a.db", tmp / "b.db"
        shutil.copyfile(template, self.a_db)
        self.city = template
        pa = free_base(5)
        pb = free_base(5)
        while abs(pb - pa) < 8:
            pb = free_base(5)
        self.a_ep, self.b_ep = f"tcp://{HOST}:{pa}", f"tcp://{HOST}:{pb}"
        self.both = f"{self.a_ep},{self.b_ep}"
        self.district_db = tmp / f"district-{D1}.db"
        self.district_ep = f"tcp://{HOST}:{free_base()}"
        self.a: Node | None = None
        self.b: Node | None = None
        self.district: Node | None = None

    def start(self, which: str) -> Node:
        db, bind, peer, role = (
            (self.a_db, self.a_ep, self.b_ep, "--primary")
            if which == "a"
            else (self.b_db, self.b_ep, self.a_ep, "--backup")
        )
        node = self.nodes(
            "center", "--db", f"sqlite:///{db}", "--bind", bind, "--keys", str(self.keys),
            "--heartbeat", str(HB), role, "--peer", peer, "--pair-heartbeat", str(PAIR_HB),
        )  # fmt: skip
        node.wait_event("ready")
        setattr(self, which, node)
        return node

    def start_district(self) -> Node:
        for attempt in range(3):
            # Chosen now, not before the centres started: their own outgoing connections take ports too.
            self.district_ep = f"tcp://{HOST}:{free_base()}"
            self.district = self.nodes(
                "district", D1, "--db", f"sqlite:///{self.district_db}", "--center", self.both,
                "--bind", self.district_ep, "--keys", str(self.keys), "--heartbeat", str(HB),
            )  # fmt: skip
            try:
                self.district.wait_event("ready")
                return self.district
            except AssertionError as exc:
                if "Address already in use" not in str(exc) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def link(self, endpoint: str, identity: str = "centre", login: str | None = None) -> LinkClient:
        server = f"district-{D1}" if endpoint == self.district_ep else "centre"
        link = LinkClient(
            endpoint, Security.from_dir(self.keys, identity), server=server, heartbeat=HB
        ).start()
        if login is not None:
            assert link.sign_in(login, "sanwei-demo")["ok"]
        return link

    def status(self, endpoint: str) -> dict:
        with self.link(endpoint) as link:
            return link.call("link.status", timeout=10)


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_PASSWORD="sanwei-demo")
    env.pop("SANWEI_CLOCK", None)
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def pair_state(node: Node) -> str | None:
    changes = node.named("pair")
    return changes[-1]["state"] if changes else None


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def centres(tmp_path, city_template, keys, nodes) -> Centres:  # noqa: F811
    return Centres(tmp_path, city_template, keys, nodes)


def _settled(c: Centres) -> None:
    wait_until(lambda: pair_state(c.a) == "active", what="the primary serves")
    wait_until(lambda: pair_state(c.b) == "passive", what="the backup stands by")
    c.b.wait_event("standby_loaded")


def test_the_backup_takes_over_and_every_acknowledged_command_is_applied_exactly_once(centres):
    c = centres
    c.start("a")
    c.start("b")
    _settled(c)
    c.start_district()
    x, y = inside(c.city, D1)
    sent: list[str] = []
    errors: list[str] = []
    killed = threading.Event()

    with c.link(c.district_ep, f"console-{D1}", "daoli_operator") as local:

        def stream() -> None:
            for i in range(90):
                if i == 30:
                    killed.wait(30)
                try:
                    doc = local.call("case.report", report_args(x + i, y, f"report {i}", "06010"), timeout=20)
                except LinkError as exc:
                    errors.append(str(exc))
                    continue
                sent.append(doc["forward_id"])

        thread = threading.Thread(target=stream)
        thread.start()
        try:
            wait_until(lambda: len(sent) >= 30, what="reports before the kill")
            # Acknowledged by the primary (through the district) before it dies.
            wait_until(lambda: c.status(c.district_ep)["commands"]["queue_length"] == 0, what="drained to A")
            c.a.kill()
            killed.set()
        finally:
            thread.join(120)
        assert errors == [] and len(sent) == 90
        wait_until(lambda: pair_state(c.b) == "active", timeout=30, what="the backup takes over")
        wait_until(
            lambda: c.status(c.district_ep)["commands"]["queue_length"] == 0, timeout=60, what="outbox empty"
        )

    refs = [f"link:{D1}:{fid}" for fid in sent]
    mark = ",".join("?" * len(refs))
    at_b = rows(
        c.b_db, f"SELECT external_ref, count(*) FROM cases WHERE external_ref IN ({mark}) GROUP BY 1", *refs
    )
    assert len(at_b) == 90 and {n for _, n in at_b} == {1}
    applied = rows(c.b_db, f"SELECT command_id FROM link_applied_command WHERE command_id IN ({mark})", *sent)
    assert sorted(a for (a,) in applied) == sorted(sent)
    reports = rows(c.b_db, "SELECT count(*) FROM journal WHERE kind = 'case.report'")[0][0]
    assert reports == 90
    # The journal the backup copied and went on with is one unbroken chain.
    audit = cli("audit", "verify", "--db", f"sqlite:///{c.b_db}", "--json")
    assert audit.returncode == 0, audit.stdout[-2000:]

    # The primary comes back: it stands by, drops nothing acknowledged, and catches up.
    c.start("a")
    wait_until(lambda: pair_state(c.a) == "passive", what="the returning primary stands by")
    head_b = rows(c.b_db, "SELECT seq, hash FROM journal_head")[0]
    wait_until(
        lambda: rows(c.a_db, "SELECT seq, hash FROM journal_head")[0] == head_b, what="A's journal = B's"
    )
    wait_until(
        lambda: rows(c.a_db, f"SELECT count(*) FROM cases WHERE external_ref IN ({mark})", *refs)[0][0] == 90,
        what="A's cases = B's",
    )
    assert c.status(c.a_ep)["ha"]["state"] == "passive"
    assert c.status(c.b_ep)["ha"]["state"] == "active"


def test_a_partition_of_the_heartbeat_never_makes_two_active_centres(centres):
    c = centres
    c.start("a")
    c.start("b")
    _settled(c)
    x, y = inside(c.city, D1)
    # The pair's own commands are for the centres' key only: the log carries every peer's replies.
    with c.link(c.a_ep, "console") as console:
        for name in ("state.log", "link.heartbeat"):
            with pytest.raises(LinkRefused, match="centre"):
                console.call(name, {"on": False})
    with c.link(c.a_ep) as admin:
        assert admin.call("link.heartbeat", {"on": False}) == {"on": False}
    wait_until(lambda: c.status(c.b_ep)["ha"]["peer_seen_s"] > 4 * PAIR_HB, what="B lost A's heartbeat")

    # A client that asks the backup first: the backup finds the primary still serving on its command
    # port and stays passive; the commands go to the primary.
    backup_first = f"{c.b_ep},{c.a_ep}"
    with c.link(backup_first, "console", "city_operator") as console:
        ids = [console.call("case.report", report_args(x + i, y, f"partition {i}"))["id"] for i in range(20)]
    assert len(set(ids)) == 20
    b = c.status(c.b_ep)
    assert b["ha"]["state"] == "passive" and b["serving"] is False, "".join(c.b.raw[-40:])
    assert b["ha"]["failover_declined"] > 0  # it was asked, and checked
    assert pair_state(c.b) == "passive"  # never active
    at_a = rows(c.a_db, "SELECT count(*) FROM cases WHERE description LIKE 'partition %'")[0][0]
    assert at_a == 20

    # The heartbeat returns: still one active centre.
    with c.link(c.a_ep) as admin:
        admin.call("link.heartbeat", {"on": True})
    wait_until(lambda: c.status(c.b_ep)["ha"]["peer_seen_s"] < 2 * PAIR_HB, what="B hears A again")
    assert pair_state(c.a) == "active" and pair_state(c.b) == "passive"
    assert [e["state"] for e in c.b.named("pair")] == ["passive"]
