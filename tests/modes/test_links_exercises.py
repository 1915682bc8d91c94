"""Exercises over the links (real processes, CURVE on): the centre's own driver delivers the injects of an
exercise started through ``--connect``; its records and alarms reach a district node marked as the
exercise's; the district sees the exercise (the banner's data) and its injects in its replica, and
refuses to run one itself."""

from __future__ import annotations

import json

from tests.conftest import wait_until
from tests.modes.test_links import nodes  # noqa: F401
from tests.modes.test_links_alarms import (  # noqa: F401 - fixtures shared with the alarm tests
    D1,
    D2,
    Cluster,
    cluster,
    count,
    demo_template,
    keys3,
)

CELL = f"{D1}001001001"
MSEL = f"""No,Time,Kind,To,Message,Expected Action,Expected Within,Cell,Type,Channel,Alarm,Districts
1,+00:00,message,city_commander,Stand by,exercise.ack,5,,,,,
2,+00:01,report,city_operator,Water on the road,case.send_verify,10,{CELL},0406,hotline,,
3,+00:02,alarm,districts,Pre alarm test,alarm.acknowledged,3,,,,pre,{D1}
"""


def test_the_centre_delivers_an_exercise_and_districts_see_it_as_one(cluster: Cluster, tmp_path):  # noqa: F811
    cluster.start_centre()
    cluster.start_district(D1)
    cluster.start_district(D2)
    msel = tmp_path / "drill.csv"
    msel.write_text(MSEL, encoding="utf-8")

    started = json.loads(
        cluster.cli(
            "exercise",
            "start",
            str(msel),
            "--speed",
            "300",
            "--json",
            "--as",
            "city_drill",
            *cluster.connect(),
        ).stdout  # fmt: skip
    )
    ex_id = started["id"]
    assert started["injects"] == 3

    def status(*where: str) -> dict:
        return json.loads(cluster.cli("exercise", "status", str(ex_id), "--json", *where).stdout)

    # Nobody runs `exercise drive`: the centre node's own driver delivers on the exercise clock.
    done = wait_until(
        lambda: (d := status(*cluster.connect()))["counts"].get("pending", 0) == 0 and d,
        timeout=60,
        what="the centre delivering the three injects",
    )
    assert [i["state"] for i in done["injects"][:2]] == ["delivered", "delivered"]
    record = {i["no"]: i["record"] for i in done["injects"]}
    case_id = int(record["2"].split("/")[1])
    alarm_id = int(record["3"].split("/")[1])
    assert count(cluster.centre_db, "SELECT exercise_id FROM cases WHERE id = ?", case_id) == ex_id

    # District D1 has the exercise and its injects in its replica, the case marked as the exercise's, and
    # the exercise alarm it acknowledged.
    seen = wait_until(
        lambda: (
            (d := status(*cluster.connect(D1), "--identity", f"console-{D1}"))["counts"].get("pending", 0)
            == 0
            and d
        ),
        what="the exercise in district D1's replica",
    )
    assert (seen["id"], seen["scenario"], seen["state"]) == (ex_id, "drill", "running")
    wait_until(
        lambda: (
            count(
                cluster.district_db(D1),
                "SELECT count(*) FROM cases WHERE id = ? AND exercise_id = ?",
                case_id,
                ex_id,
            )
            == 1
        ),  # fmt: skip
        what="the exercise case in D1's replica with its exercise id",
    )
    board = json.loads(
        cluster.cli(
            "alarm", "board", str(alarm_id), "--json", *cluster.connect(D1), "--identity", f"console-{D1}"
        ).stdout  # fmt: skip
    )
    assert board["exercise"] is True
    wait_until(
        lambda: (
            count(
                cluster.centre_db,
                "SELECT count(*) FROM journal WHERE kind = 'alarm.acknowledged' AND subject = ?",
                f"alarm/{alarm_id}",
            )
            == 1
        ),  # fmt: skip
        what="district D1 acknowledging the exercise alarm",
    )

    # A district node runs no exercise: they are the centre's.
    refused = cluster.cli("exercise", "start", str(msel), "--as", "city_drill", *cluster.connect(D2),
                          "--identity", "console", check=False)  # fmt: skip
    assert refused.returncode == 2
    assert "exercises are run by the municipal centre" in refused.stderr

    cluster.cli("exercise", "stop", str(ex_id), "--as", "city_drill", *cluster.connect())
    wait_until(
        lambda: status(*cluster.connect(D1), "--identity", f"console-{D1}")["state"] == "completed",
        what="the end of the exercise reaching D1",
    )


def test_a_district_player_acknowledges_and_notes_through_their_node(cluster: Cluster, tmp_path):  # noqa: F811
    cluster.start_centre()
    cluster.start_district(D1)
    msel = tmp_path / "drill.csv"
    msel.write_text(MSEL, encoding="utf-8")
    ex_id = json.loads(
        cluster.cli(
            "exercise",
            "start",
            str(msel),
            "--speed",
            "300",
            "--json",
            "--as",
            "city_drill",
            *cluster.connect(),
        ).stdout  # fmt: skip
    )["id"]
    district = (*cluster.connect(D1), "--identity", f"console-{D1}")

    def status(*where: str) -> dict:
        return json.loads(cluster.cli("exercise", "status", str(ex_id), "--json", *where).stdout)

    wait_until(
        lambda: status(*district)["counts"].get("pending", 0) == 0,
        timeout=60,
        what="the injects in district D1's replica",
    )
    # A Daoli officer at the district centre acknowledges the message and notes what they saw: the
    # node checks both against its replica and forwards them, as that person, to the centre.
    cluster.cli("exercise", "ack", str(ex_id), "1", "--as", "daoli_civil_defence", *district)
    cluster.cli("exercise", "note", str(ex_id), "Heard it at the district centre", "--inject", "1",
                "--as", "daoli_civil_defence", *district)  # fmt: skip
    acked = wait_until(
        lambda: (i := status(*cluster.connect())["injects"][0])["acknowledged_by"] and i,
        what="the acknowledgement reaching the centre",
    )
    assert (acked["acknowledged_by"], acked["state"]) == ("daoli_civil_defence", "actioned")
    wait_until(
        lambda: (
            count(
                cluster.centre_db,
                "SELECT count(*) FROM exercise_notes WHERE exercise_id = ? AND author = ?",
                ex_id,
                "daoli_civil_defence",
            )
            == 1
        ),  # fmt: skip
        what="the note reaching the centre",
    )
    # What the replica does not hold is refused at the district, not forwarded.
    refused = cluster.cli(
        "exercise", "ack", str(ex_id), "99", "--as", "daoli_civil_defence", *district, check=False
    )
    assert refused.returncode == 2 and "has no inject '99'" in refused.stderr
    # Running the exercise stays the centre's.
    refused = cluster.cli("exercise", "pause", str(ex_id), "--as", "city_drill", *district, check=False)
    assert refused.returncode == 2 and "exercises are run by the municipal centre" in refused.stderr
