"""Dispatch orders carried over the links to the owning district's node (CURVE on, real processes).

The centre publishes each task as ``/task/<order id>``; the node of the unit's district acknowledges it
from its persisted outbox, and the task's progress comes back from the district as ``task.status``. An
order given while the district's node is down is delivered when it returns, exactly once.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from nodes.client import LinkRefused
from tests.conftest import wait_until
from tests.modes.test_links import inside, nodes  # noqa: F401 - fixtures
from tests.modes.test_links_alarms import (  # noqa: F401 - fixtures
    D1,
    D2,
    Cluster,
    acks_queued,
    cluster,
    demo_template,
    journal_count,
    keys3,
)


def open_incident(c: Cluster) -> int:
    """A fire in district D1, opened on the centre's database by the local command line."""
    x, y = inside(c.centre_db, D1)
    out = c.cli("incident", "open", "--type", "fire", "--x", str(x), "--y", str(y), "--as", "city_commander",
                      "--json", "--db", f"sqlite:///{c.centre_db}")  # fmt: skip
    return json.loads(out.stdout)["id"]


def unit_of(db: Path, district: str) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id FROM rescue_units WHERE district_code = ? AND status = 'available' ORDER BY id LIMIT 1",
            (district,),
        ).fetchone()[0]


def test_dispatch_to_a_down_district_is_queued_and_delivered_once_then_tracked(cluster):  # noqa: F811
    cluster.start_centre()
    cluster.start_district(D1).kill()  # it has a replica, and is down when the order is given
    incident = open_incident(cluster)
    unit = unit_of(cluster.centre_db, D1)

    out = cluster.cli("incident", "dispatch", str(incident), unit, "--as", "city_commander", "--task", "cut the gas",
                      "--wait", "1", "--json", *cluster.connect())  # fmt: skip
    order = json.loads(out.stdout)
    assert order["assignee_district"] == D1 and order["status"] == "assigned"
    assert order["acknowledged_at"] is None  # nobody at D1 to acknowledge it
    order_id, key = order["order_id"], f"/task/{order['order_id']}"

    cluster.start_district(D1)
    with cluster.link() as console:
        shown = wait_until(
            lambda: (o := console.call("query.task", {"order_id": order_id}))["acknowledged_at"] and o,
            what="the order acknowledged by D1 after its return",
        )
    assert shown["acknowledged_by"] == f"district-{D1}" and shown["status"] == "assigned"
    assert journal_count(cluster.centre_db, "incident.task_acknowledged", f"incident/{incident}") == 1
    assert journal_count(cluster.district_db(D1), "dispatch.received", f"task/{order_id}", D1) == 1
    assert acks_queued(cluster.district_db(D1), "task.ack", key) == 1

    # The task's progress comes back from the district; an illegal step is refused there, with why.
    with cluster.link(identity=f"console-{D1}", district=D1, login="daoli_department") as local:
        wait_until(
            lambda: local.call("query.task", {"order_id": order_id}).get("acknowledged_at"),
            what="the acknowledgement in D1's picture",
        )
        with pytest.raises(LinkRefused, match="cannot become done"):
            local.call("task.status", {"order_id": order_id, "status": "done"})
        moved = local.request("task.status", {"order_id": order_id, "status": "en_route"})
        assert moved["status"] == "en_route" and moved["en_route_at"]
    out = cluster.cli("incident", "task", str(incident), order_id, "on_scene", "--as", "daoli_department", "--json",
                      *cluster.connect(D1), "--identity", f"console-{D1}")  # fmt: skip
    assert json.loads(out.stdout)["status"] == "on_scene"
    with sqlite3.connect(cluster.centre_db) as conn:
        status, on_scene = conn.execute(
            "SELECT status, on_scene_at FROM dispatch_tasks WHERE order_id = ?", (order_id,)
        ).fetchone()
    assert status == "on_scene" and on_scene is not None

    # Restarted, D1 finds the order in its replica again and does not acknowledge it twice.
    assert cluster.districts[D1].terminate() == 0
    restarted = cluster.start_district(D1)
    with cluster.link(district=D1) as local:
        wait_until(lambda: local.call("link.status")["commands"]["up"], what="D1's command link up")
    assert not [e for e in restarted.named("queued") if e.get("command") == "task.ack"]
    assert acks_queued(cluster.district_db(D1), "task.ack", key) == 1
    assert journal_count(cluster.centre_db, "incident.task_acknowledged", f"incident/{incident}") == 1


def test_dispatch_roles_and_districts_are_checked_over_the_link(cluster):  # noqa: F811
    cluster.start_centre()
    incident = open_incident(cluster)
    unit = unit_of(cluster.centre_db, D1)
    with cluster.link(login="city_dispatcher") as dispatcher:
        with pytest.raises(LinkRefused, match="may not dispatch units"):
            dispatcher.call("incident.dispatch", {"incident_id": incident, "unit": unit})
    with cluster.link(login="city_commander") as console:
        with pytest.raises(LinkRefused, match="no rescue unit"):
            console.call("incident.dispatch", {"incident_id": incident, "unit": "nope"})
        order = console.call("incident.dispatch", {"incident_id": incident, "unit": unit})
    # Another district's node may neither acknowledge D1's order nor dispatch D1's units.
    with cluster.link(identity=f"district-{D2}") as other:
        with pytest.raises(LinkRefused, match=f"acts for district {D2}"):
            other.call("task.ack", {"order_id": order["order_id"]})
        with pytest.raises(LinkRefused, match=f"acts for district {D2}"):
            other.call("incident.dispatch", {"incident_id": incident, "unit": unit_of(cluster.centre_db, D1),
                                             "login": "city_commander"})  # fmt: skip
    refused = cluster.cli("incident", "dispatch", str(incident), unit, "--as", "city_operator", *cluster.connect(),
                          check=False)  # fmt: skip
    assert refused.returncode == 2 and "may not dispatch" in refused.stderr
    with sqlite3.connect(cluster.centre_db) as conn:
        assert conn.execute("SELECT count(*) FROM dispatch_tasks").fetchone()[0] == 1
        assert conn.execute("SELECT acknowledged_at FROM dispatch_tasks").fetchone()[0] is None
