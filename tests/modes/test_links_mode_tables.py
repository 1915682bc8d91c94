"""The civil-defence and emergency tables on the shared picture (docs/protocol.md section 7.12).

A real centre serves the small demo city (with its sirens, shelters, receiving areas, teams, rescue
units and medical facilities); a real district node and a console attached with ``--connect`` hold the
same rows, row for row, and follow what the centre changes: a shelter closed, a head count reported, an
incident opened, a unit dispatched, a position assigned, a line logged. The modes' answers computed on a
replica (siren coverage, the evacuation plan, the incident list and impact) equal the centre's. CURVE
on, real processes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from comms.keys import Security
from tests.conftest import wait_until
from tests.modes.test_links import inside, nodes  # noqa: F401 - fixtures
from tests.modes.test_links_alarms import (  # noqa: F401 - fixtures
    D1,
    Cluster,
    cluster,
    demo_template,
    keys3,
)

# The modes' replicated tables and the column each is ordered by.
TABLES = (
    "cd_sirens",
    "cd_shelters",
    "cd_receiving_areas",
    "cd_teams",
    "rescue_units",
    "medical_facilities",
    "incidents",
    "incident_roles",
    "dispatch_tasks",
    "incident_log",
)
# Empty in the demo city: an incident and what is done on it fill them.
INCIDENT_TABLES = {"incidents", "incident_roles", "dispatch_tasks", "incident_log"}


# An incident's ICS positions in the order they were given: "person:1" while held, "person:0" relieved.
ROLES_HELD = (
    "SELECT group_concat(person || ':' || (relieved_at IS NULL), ',')"
    " FROM (SELECT * FROM incident_roles WHERE incident_id = ? ORDER BY id)"
)
NOTES = "SELECT count(*) FROM incident_log WHERE incident_id = ? AND kind = 'note' AND text = ?"


def row_hashes(db: Path) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of every row, in key order."""
    out = {}
    with sqlite3.connect(db) as conn:
        for table in TABLES:
            digest = hashlib.sha256()
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
            for row in rows:
                digest.update(repr(row).encode())
            out[table] = (len(rows), digest.hexdigest())
    return out


def value(db: Path, sql: str, *params):
    with sqlite3.connect(db) as conn:
        row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def cli_json(c: Cluster, db: Path, *args: str) -> dict | list:
    return json.loads(c.cli(*args, "--json", "--db", f"sqlite:///{db}").stdout)


TIMINGS = {"elapsed_ms", "seconds"}


def without_timings(doc):
    """A command's answer without how long it took (``elapsed_ms``, the solver's ``seconds``): the rest
    must match exactly."""
    if isinstance(doc, dict):
        return {k: without_timings(v) for k, v in doc.items() if k not in TIMINGS}
    if isinstance(doc, list):
        return [without_timings(v) for v in doc]
    return doc


def same_as_centre(c: Cluster, replica: Path, what: str) -> None:
    wait_until(lambda: row_hashes(replica) == row_hashes(c.centre_db), timeout=30, what=what)


@pytest.fixture
def attach_console(cluster, tmp_path):  # noqa: F811 - the imported fixture
    """A console attached to the centre with ``--connect`` (as ``run_console`` opens it, without Qt)."""
    from console.connect import open_remote

    opened = []

    def attach():
        args = argparse.Namespace(
            connect=cluster.centre_ep,
            security=Security.from_dir(cluster.keys, "console"),
            server="centre",
            identity="console",
            replica=tmp_path / "console-replica.db",
        )
        link = open_remote(args)
        opened.append(link)
        return link

    yield attach
    for link in opened:
        link.close()


def test_district_and_console_replicas_hold_the_centres_mode_tables_and_follow_changes(
    cluster,  # noqa: F811
    attach_console,
    tmp_path,
):
    cluster.start_centre()
    cluster.start_district(D1)
    link = attach_console()
    district, replica = cluster.district_db(D1), tmp_path / "console-replica.db"

    centre = row_hashes(cluster.centre_db)
    # The demo city has every table but the incidents' filled: a replica of empty tables proves nothing.
    assert all(centre[t][0] > 0 for t in TABLES if t not in INCIDENT_TABLES), centre
    same_as_centre(cluster, district, "the district's mode tables equal the centre's")
    same_as_centre(cluster, replica, "the console's mode tables equal the centre's")

    # A shelter closed at the centre (by its own command line) reaches both replicas.
    shelter = value(
        cluster.centre_db,
        "SELECT id FROM cd_shelters WHERE status = 'open' AND district_code = ? ORDER BY capacity DESC",
        D1,
    )
    cluster.cli("shelters", "close", shelter, "--as", "city_civil_defence", "--json",
                "--db", f"sqlite:///{cluster.centre_db}")  # fmt: skip
    assert value(cluster.centre_db, "SELECT status FROM cd_shelters WHERE id = ?", shelter) == "closed"
    for db in (district, replica):
        wait_until(
            lambda db=db: value(db, "SELECT status FROM cd_shelters WHERE id = ?", shelter) == "closed",
            timeout=30,
            what=f"shelter {shelter} closed in {db.name}",
        )
    # A head count reported at the centre: live occupancy follows.
    other = value(cluster.centre_db, "SELECT id FROM cd_shelters WHERE status = 'open' ORDER BY id")
    cluster.cli("shelters", "occupancy", other, "37", "--as", "city_civil_defence",
                "--db", f"sqlite:///{cluster.centre_db}")  # fmt: skip
    for db in (district, replica):
        wait_until(
            lambda db=db: value(db, "SELECT occupancy FROM cd_shelters WHERE id = ?", other) == 37,
            timeout=30,
            what=f"shelter {other}'s head count in {db.name}",
        )

    # An incident opened at the centre, then a unit dispatched to it (the unit's status changes).
    x, y = inside(cluster.centre_db, D1)
    opened = cli_json(cluster, cluster.centre_db, "incident", "open", "--type", "fire", "--x", str(x),
                      "--y", str(y), "--level", "III", "--as", "city_commander")  # fmt: skip
    incident = opened["id"]
    unit = value(
        cluster.centre_db,
        "SELECT id FROM rescue_units WHERE district_code = ? AND status = 'available' ORDER BY id",
        D1,
    )
    cluster.cli("incident", "dispatch", str(incident), unit, "--as", "city_commander", "--json",
                "--db", f"sqlite:///{cluster.centre_db}")  # fmt: skip
    assert value(cluster.centre_db, "SELECT status FROM rescue_units WHERE id = ?", unit) != "available"
    for db in (district, replica):
        wait_until(
            lambda db=db: (
                value(db, "SELECT status FROM incidents WHERE id = ?", incident) is not None
                and value(db, "SELECT status FROM rescue_units WHERE id = ?", unit) != "available"
            ),
            timeout=30,
            what=f"incident {incident} and unit {unit}'s new status in {db.name}",
        )
    # Command handed over and a line logged, through the centre's command channel: the new commander's
    # position relieves the old one, and both acts add a log line, rows the events do not name.
    with cluster.link(login="city_commander") as commander:
        commander.call("incident.role", {"id": incident, "position": "commander", "person": "Li Zhihui"})
        commander.call("incident.log", {"id": incident, "text": "gas main shut at the valve"})
    assert value(cluster.centre_db, ROLES_HELD, incident) == "city_commander:0,Li Zhihui:1"
    for db in (district, replica):
        wait_until(
            lambda db=db: (
                value(db, ROLES_HELD, incident) == "city_commander:0,Li Zhihui:1"
                and value(db, NOTES, incident, "gas main shut at the valve") == 1
            ),
            timeout=30,
            what=f"incident {incident}'s new commander and log line in {db.name}",
        )
    same_as_centre(cluster, district, "the district's mode tables equal the centre's after the changes")
    same_as_centre(cluster, replica, "the console's mode tables equal the centre's after the changes")
    assert link.version > 0

    # What the civil-defence and emergency pages show, computed on the console's replica, is the centre's.
    for args in (
        ("sirens", "coverage"),
        ("evacuate", "plan"),
        ("incident", "list"),
        ("incident", "impact", str(incident)),
    ):
        here, there = cli_json(cluster, replica, *args), cli_json(cluster, cluster.centre_db, *args)
        assert here and without_timings(here) == without_timings(there), args


def test_a_replica_loaded_from_the_centres_snapshot_holds_an_incidents_positions_tasks_and_log(
    cluster,  # noqa: F811
    attach_console,
    tmp_path,
):
    cluster.start_centre()
    x, y = inside(cluster.centre_db, D1)
    unit = value(
        cluster.centre_db, "SELECT id FROM rescue_units WHERE status = 'available' ORDER BY id LIMIT 1"
    )
    with cluster.link(login="city_commander") as commander:
        incident = commander.call("incident.open", {"type": "fire", "x": x, "y": y, "level": "III"})["id"]
        commander.call("incident.role", {"id": incident, "position": "safety", "person": "Wang Anquan"})
        commander.call("incident.log", {"id": incident, "text": "crowd kept behind the outer cordon"})
        order = commander.call("incident.dispatch", {"incident_id": incident, "unit": unit})
        commander.call("task.status", {"task": str(order["task_id"]), "status": "en_route"})
    # Restarted, the centre builds its picture from its database (a new epoch); a console attaching
    # for the first time loads it in bulk before it opens.
    assert cluster.centre.terminate() == 0
    cluster.start_centre()
    attach_console()
    replica = tmp_path / "console-replica.db"

    assert value(replica, ROLES_HELD, incident) == "city_commander:1,Wang Anquan:1"
    assert value(replica, NOTES, incident, "crowd kept behind the outer cordon") == 1
    assert value(replica, "SELECT status FROM dispatch_tasks WHERE id = ?", order["task_id"]) == "en_route"
    # Opened, position, note, dispatch and departure: each a line of the log.
    assert value(replica, "SELECT count(*) FROM incident_log WHERE incident_id = ?", incident) == 5
    assert row_hashes(replica) == row_hashes(cluster.centre_db)


def test_a_mode_table_on_a_taken_or_malformed_prefix_is_refused_and_a_repeat_changes_nothing():
    from types import SimpleNamespace

    from data.civil_defence_models import Siren
    from modes.civil_defence import replicated as civil_defence_tables
    from modes.common import picture as replication
    from modes.common.command_bus import CommandBus
    from modes.emergency import link_commands as emergency_links
    from modes.emergency import replicated as emergency_tables

    civil_defence_tables.register()
    emergency_links.register(CommandBus())  # the /task/ key source, and the emergency tables with it
    specs, rules = list(replication.MODE_SPECS), dict(replication.EVENT_RULES)
    civil_defence_tables.register()  # again: nothing added, no rule chained twice
    emergency_tables.register()
    assert replication.MODE_SPECS == specs and replication.EVENT_RULES == rules

    for prefix, why in (("/cell/", "already in use"), ("/type/", "already in use"), ("/a/b/", "must be")):
        with pytest.raises(ValueError, match=why):
            replication.register_table(replication.TableSpec("x", Siren.__table__, prefix, ("id",)))
    with pytest.raises(ValueError, match="no key column code"):
        replication.register_table(replication.TableSpec("x", Siren.__table__, "/x/", ("code",)))
    with pytest.raises(ValueError, match="another table or prefix"):
        replication.register_table(replication.TableSpec("siren", Siren.__table__, "/horn/", ("id",)))
    assert replication.MODE_SPECS == specs and "x" not in replication.SPEC_BY_NAME

    # The keys a replica classifies as rows of the mode tables, and the rows an event touches: a
    # dispatch touches its incident and the unit (the prefix rule) beside the order (the exact kind's).
    assert replication.classify("/shelter/S-1").spec.table.name == "cd_shelters"
    assert replication.classify("/incident/7").values == ("7",)
    dispatched = SimpleNamespace(
        kind="incident.dispatched",
        subject="incident/7",
        payload={"order_id": "O-1", "task_id": 5, "unit": "U-3"},
    )
    escalated = SimpleNamespace(kind="case.escalated", subject="case/12", payload={"incident": 8})
    closed = SimpleNamespace(kind="shelter.status_changed", subject="shelter/S-1", payload={})
    touched = replication.touched_by([dispatched, escalated, closed])
    assert touched.rows["incident"] == {("7",), ("8",)}
    assert touched.rows["rescue_unit"] == {("U-3",)}
    assert touched.rows["case"] == {("12",)} and touched.rows["shelter"] == {("S-1",)}
    assert touched.sources == {"task": {"O-1"}}
    # The task by its number; the incident's positions and log lines, which no payload names, as a whole.
    assert touched.rows["dispatch_task"] == {("5",)}
    assert touched.groups == {("incident_role", "incident_id"): {"7"}, ("incident_log", "incident_id"): {"7"}}
