"""Air-raid alarms carried over the links to real district nodes (CURVE on, processes on 127.0.0.1).

The centre publishes each alarm as ``/alarm/<id>/<district>``; each district node acknowledges its own
with ``alarm.ack`` from its persisted outbox; the centre's delivery board shows the times. A district
whose node is down stays unacknowledged and late, and acknowledges exactly once when it returns.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from comms.keys import Security
from nodes.client import LinkClient, LinkRefused
from tests.conftest import HOST, free_base, wait_until
from tests.modes.conftest import node_keys, seeded_city_file
from tests.modes.test_links import (  # noqa: F401 - fixtures shared with the links tests
    HB,
    REPO,
    Node,
    nodes,
)

D1, D2, D3 = "230102", "230103", "230109"  # the small demo city's three districts


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    """The small demo city with its civil-defence and emergency sets (rescue units), seeded once."""
    from data.demo import seed_demo

    return seeded_city_file(tmp_path_factory.mktemp("links-demo") / "city.db", seed_demo)


@pytest.fixture(scope="module")
def keys3(tmp_path_factory) -> Path:
    """Keys of the centre, the three district nodes, a centre console and a console of district D1."""
    return node_keys(tmp_path_factory.mktemp("keys3"), (D1, D2, D3), console_of=D1)


class Cluster:
    """A centre and any of the three district nodes, each with its own database and ports."""

    def __init__(self, tmp: Path, template: Path, keys: Path, start: Callable[..., Node]) -> None:
        self.tmp, self.keys, self.start = tmp, keys, start
        self.centre_db = tmp / "centre.db"
        shutil.copyfile(template, self.centre_db)
        self.centre_ep = f"tcp://{HOST}:{free_base()}"
        self.endpoints = {code: f"tcp://{HOST}:{free_base()}" for code in (D1, D2, D3)}
        self.centre: Node | None = None
        self.districts: dict[str, Node] = {}

    def start_centre(self) -> Node:
        self.centre = self.start(
            "center", "--db", f"sqlite:///{self.centre_db}", "--bind", self.centre_ep,
            "--keys", str(self.keys), "--heartbeat", str(HB),
        )  # fmt: skip
        self.centre.wait_event("ready")
        return self.centre

    def district_db(self, code: str) -> Path:
        return self.tmp / f"district-{code}.db"

    def start_district(self, code: str) -> Node:
        node = self.start(
            "district", code, "--db", f"sqlite:///{self.district_db(code)}", "--center", self.centre_ep,
            "--bind", self.endpoints[code], "--keys", str(self.keys), "--heartbeat", str(HB),
        )  # fmt: skip
        node.wait_event("ready")
        node.wait_event("synced")
        self.districts[code] = node
        return node

    def link(
        self, identity: str = "console", district: str | None = None, login: str | None = None
    ) -> LinkClient:
        """A link as ``identity``; with ``login``, that person signs in at the node (the demo password)."""
        endpoint, server = (
            (self.centre_ep, "centre")
            if district is None
            else (self.endpoints[district], f"district-{district}")
        )
        link = LinkClient(
            endpoint, Security.from_dir(self.keys, identity), server=server, heartbeat=HB
        ).start()
        if login is not None:
            signed = link.sign_in(login, "sanwei-demo")
            assert signed["ok"], signed
        return link

    def connect(self, district: str | None = None) -> list[str]:
        if district is None:
            return ["--connect", self.centre_ep, "--keys", str(self.keys)]
        return [
            "--connect",
            self.endpoints[district],
            "--keys",
            str(self.keys),
            "--server",
            f"district-{district}",
        ]

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_PASSWORD="sanwei-demo")  # the demo logins'
        env.pop("SANWEI_CLOCK", None)
        out = subprocess.run(
            [sys.executable, str(REPO / "main.py"), *args],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
        )  # fmt: skip
        if check and out.returncode != 0:
            raise AssertionError(f"{args} exited {out.returncode}: {out.stderr}")
        return out

    def stop(self) -> None:
        for node in self.districts.values():
            node.terminate()
        if self.centre is not None:
            self.centre.terminate()


@pytest.fixture
def cluster(tmp_path, demo_template, keys3, nodes) -> Cluster:  # noqa: F811 - the imported fixture
    c = Cluster(tmp_path, demo_template, keys3, nodes)
    yield c
    c.stop()


def count(db: Path, sql: str, *params) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


def journal_count(db: Path, kind: str, subject: str, district: str | None = None) -> int:
    sql = "SELECT count(*) FROM journal WHERE kind = ? AND subject = ?"
    if district is None:
        return count(db, sql, kind, subject)
    return count(db, sql + " AND district_code = ?", kind, subject, district)


def acks_queued(db: Path, command: str, subject: str) -> int:
    return count(db, "SELECT count(*) FROM link_forward WHERE command = ? AND subject = ?", command, subject)


def delivery(board: dict, district: str) -> dict:
    return next(d for d in board["deliveries"] if d["district"] == district)


# --- tests ---------------------------------------------------------------------------------------------


def test_an_alarm_is_acknowledged_by_every_district_node_with_its_times(cluster):
    cluster.start_centre()
    for code in (D1, D2, D3):
        cluster.start_district(code)

    out = cluster.cli("alarm", "issue", "raid", "--as", "city_civil_defence", "--json", "--wait", "30",
                      *cluster.connect())  # fmt: skip
    board = json.loads(out.stdout)
    assert board["kind"] == "raid" and board["all_acknowledged"] is True, board
    assert {d["district"] for d in board["deliveries"]} == {D1, D2, D3}
    for d in board["deliveries"]:
        assert d["sent_at"] <= d["received_at"] <= d["acknowledged_at"], d
        assert d["acknowledged_by"] == f"district-{d['district']}"  # the node's own key acknowledged
        assert d["ack_seconds"] is not None and d["ack_seconds"] >= 0
    alarm_id = board["alarm_id"]
    subject = f"alarm/{alarm_id}"
    for code in (D1, D2, D3):
        assert journal_count(cluster.centre_db, "alarm.acknowledged", subject, code) == 1
        assert journal_count(cluster.district_db(code), "alarm.received", subject, code) == 1
        assert acks_queued(cluster.district_db(code), "alarm.ack", f"/alarm/{alarm_id}/{code}") == 1

    # A district node shows the same board from its replica, once the acknowledgements came back.
    with cluster.link(district=D2) as local:
        shown = wait_until(
            lambda: (b := local.call("query.alarm", {"id": alarm_id}))["all_acknowledged"] and b,
            what="acknowledgements in the district's picture",
        )
    assert [delivery(shown, c)["acknowledged_at"] for c in (D1, D2, D3)] == [
        delivery(board, c)["acknowledged_at"] for c in (D1, D2, D3)
    ]

    # Issued through district D1's node by its console: the centre sounds it in D1 only.
    out = cluster.cli("alarm", "issue", "clear", "--districts", "all", "--as", "city_civil_defence", "--json",
                      "--wait", "30", *cluster.connect(D1), "--identity", f"console-{D1}")  # fmt: skip
    local_alarm = json.loads(out.stdout)
    assert [d["district"] for d in local_alarm["deliveries"]] == [D1]
    assert local_alarm["all_acknowledged"] is True
    text = cluster.cli("alarm", "board", str(alarm_id), *cluster.connect()).stdout
    assert text.count("acknowledged 20") == 3

    # Issued on the centre's database by the local command line: the journal brings it to D3 all the same.
    out = cluster.cli("alarm", "issue", "pre", "--districts", D3, "--as", "city_civil_defence", "--json",
                      "--db", f"sqlite:///{cluster.centre_db}")  # fmt: skip
    local_id = json.loads(out.stdout)["alarm_id"]
    with cluster.link() as console:
        wait_until(
            lambda: console.call("query.alarm", {"id": local_id})["all_acknowledged"],
            what="an alarm issued on the centre's database acknowledged by D3",
        )


def test_a_district_whose_node_is_down_is_late_then_acknowledges_once_when_it_returns(cluster):
    cluster.start_centre()
    cluster.start_district(D1)
    cluster.start_district(D2).kill()  # it has a replica, and is down when the alarm is issued

    with cluster.link(login="city_civil_defence") as console:
        issued = console.call("alarm.issue", {"kind": "pre", "districts": f"{D1},{D2}"})
        alarm_id = issued["alarm_id"]
        board = wait_until(
            lambda: delivery(b := console.call("query.alarm", {"id": alarm_id}), D1)["acknowledged_at"] and b,
            what="D1 acknowledged",
        )
        assert delivery(board, D2)["received_at"] is None and delivery(board, D2)["acknowledged_at"] is None
        assert board["all_acknowledged"] is False
        # Not acknowledged within the limit: flagged late (and still unacknowledged).
        board = wait_until(
            lambda: D2 in (b := console.call("query.alarm", {"id": alarm_id}))["late"] and b,
            timeout=30,
            interval=0.5,
            what="D2 flagged late",
        )
        assert delivery(board, D2)["acknowledged_at"] is None
        assert board["late"] == [D2]

        cluster.start_district(D2)
        board = wait_until(
            lambda: delivery(b := console.call("query.alarm", {"id": alarm_id}), D2)["acknowledged_at"] and b,
            what="D2 acknowledged after its return",
        )
        assert board["all_acknowledged"] is True
        assert delivery(board, D2)["late"] is True  # it came late, and the board keeps saying so

    subject, key = f"alarm/{alarm_id}", f"/alarm/{alarm_id}/{D2}"
    assert journal_count(cluster.centre_db, "alarm.acknowledged", subject, D2) == 1
    assert journal_count(cluster.district_db(D2), "alarm.received", subject, D2) == 1
    assert acks_queued(cluster.district_db(D2), "alarm.ack", key) == 1

    # Restarted once more, it finds the alarm in its replica again and does not acknowledge twice.
    assert cluster.districts[D2].terminate() == 0
    restarted = cluster.start_district(D2)
    with cluster.link(district=D2) as local:
        wait_until(lambda: local.call("link.status")["commands"]["up"], what="D2's command link up")
    assert not [e for e in restarted.named("queued") if e.get("command") == "alarm.ack"]
    assert acks_queued(cluster.district_db(D2), "alarm.ack", key) == 1
    assert journal_count(cluster.centre_db, "alarm.acknowledged", subject, D2) == 1
    assert journal_count(cluster.district_db(D2), "alarm.received", subject, D2) == 1


def test_a_district_acknowledges_only_for_itself_and_only_civil_defence_issues(cluster):
    cluster.start_centre()
    with cluster.link(login="city_civil_defence") as console:
        alarm_id = console.call("alarm.issue", {"kind": "raid", "districts": [D1, D2]})["alarm_id"]
        with pytest.raises(LinkRefused, match="unknown alarm signal"):
            console.call("alarm.issue", {"kind": "siren"})
    # Issuing needs the civil-defence office, over the link as on the command line.
    with cluster.link(login="city_commander") as commander:
        with pytest.raises(LinkRefused, match="only the civil-defence office"):
            commander.call("alarm.issue", {"kind": "raid"})
    # A role or login named in the command, by a console that did not sign in, is not enough.
    with cluster.link() as console:
        with pytest.raises(LinkRefused, match="has not signed in"):
            console.call("alarm.issue", {"kind": "raid", "as": "civil_defence"})
        with pytest.raises(LinkRefused, match="without proving it"):
            console.call("alarm.issue", {"kind": "raid", "login": "city_civil_defence"})

    with cluster.link(identity=f"district-{D1}") as district:
        with pytest.raises(LinkRefused, match=f"acts for district {D1}"):
            district.call("alarm.ack", {"alarm_id": alarm_id, "district": D2})
        with pytest.raises(LinkRefused, match=f"may not sound the alarm in {D2}"):
            district.call("alarm.issue", {"kind": "raid", "districts": [D2], "login": "city_civil_defence"})
        mine = district.call("alarm.ack", {"alarm_id": alarm_id, "district": D1})
        assert mine["acknowledged_by"] == f"district-{D1}" and mine["acknowledged_at"]
        again = district.call("alarm.ack", {"alarm_id": alarm_id})  # its own district by default
        assert again["acknowledged_at"] == mine["acknowledged_at"]  # applied once

    with cluster.link() as console:
        board = console.call("query.alarm", {"id": alarm_id})
    assert delivery(board, D2)["acknowledged_at"] is None
    assert journal_count(cluster.centre_db, "alarm.acknowledged", f"alarm/{alarm_id}", D1) == 1
    assert journal_count(cluster.centre_db, "alarm.acknowledged", f"alarm/{alarm_id}", D2) == 0

    refused = cluster.cli("alarm", "issue", "raid", "--as", "city_commander", *cluster.connect(), check=False)
    assert refused.returncode == 2 and "civil-defence office" in refused.stderr
    assert count(cluster.centre_db, "SELECT count(*) FROM cd_alarms") == 1


def test_two_modes_rules_for_one_event_kind_both_run_and_a_repeat_registers_once():
    from types import SimpleNamespace

    from modes.common import picture as replication

    kind = "test.compose"
    seen: list[str] = []

    def first(ev, t) -> None:
        seen.append("first")
        t.thing("alarm", ev.payload["alarm_id"])

    def second(ev, t) -> None:
        seen.append("second")
        t.row("case", 7)

    try:
        for rule in (first, second, first, second):
            replication.register_event_rule(kind, rule)
        touched = replication.touched_by([SimpleNamespace(kind=kind, subject="", payload={"alarm_id": 3})])
    finally:
        replication.EVENT_RULES.pop(kind, None)
    assert seen == ["first", "second"]
    assert touched.sources == {"alarm": {"3"}} and touched.rows == {"case": {("7",)}}
