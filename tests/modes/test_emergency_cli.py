"""The ``incident`` command line: the contract of its sub-commands, in-process on a SQLite file (one real
process for the PDF bytes on stdout)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLOCK = "2026-03-02T10:00:00"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A small seeded city with the demo units, built once through the command line itself."""
    import main

    path = tmp_path_factory.mktemp("em_cli") / "city.db"
    url = "sqlite:///" + str(path)
    assert main.main(["seed", "--scale", "small", "--seed", "1", "--db", url, "--json"]) == 0
    # The seed brings the emergency demo set with it: adding it again is refused.
    assert main.main(["incident", "demo-units", "--db", url, "--json"]) == 2
    return path


@pytest.fixture
def cli(template, tmp_path, monkeypatch, capsys):
    """Run ``main.py ARGS --db <a fresh copy>``: (exit code, parsed JSON or text, stderr)."""
    import main

    path = tmp_path / "city.db"
    shutil.copyfile(template, path)
    url = "sqlite:///" + str(path)
    monkeypatch.setenv("SANWEI_CLOCK", CLOCK)
    monkeypatch.setenv("SANWEI_PASSWORD", "sanwei-demo")  # the demo logins' password
    capsys.readouterr()

    def run(*args: str):
        code = main.main([*args, "--db", url])
        out, err = capsys.readouterr()
        try:
            doc = json.loads(out) if "--json" in args else out
        except json.JSONDecodeError:
            doc = out
        return code, doc, err

    run.url = url
    return run


def _a_point(cli) -> tuple[float, float]:
    from sqlalchemy import select

    from data.db import open_database, session_factory
    from data.models import GridCell

    engine = open_database(cli.url)
    with session_factory(engine)() as s:
        poly = s.scalars(select(GridCell.geometry).order_by(GridCell.code).offset(40).limit(1)).one()
    engine.dispose()
    p = poly.representative_point()
    return p.x, p.y


def test_open_impact_suggest_dispatch_task_log_and_list(cli):
    x, y = _a_point(cli)
    code, doc, err = cli(
        "incident", "open", "--type", "0403", "--x", str(x), "--y", str(y), "--level", "II",
        "--radius", "100", "--outer", "400", "--as", "city_commander", "--json",
    )  # fmt: skip
    assert code == 0, err
    iid = doc["id"]
    assert doc["incident"]["colour"] == "orange" and doc["incident"]["outer_radius_m"] == 400
    assert {"cells", "population", "components", "cameras", "shelters_nearby", "open_cases"} <= set(
        doc["impact"]
    )

    code, impact, _ = cli("incident", "impact", str(iid), "--json")
    assert code == 0 and impact["summary"]["cells"] == doc["impact"]["cells"]
    assert {"cells", "communities", "pop_day", "pop_night"} <= set(impact["outer"])
    assert all({"department", "count", "types"} <= set(d) for d in impact["components"]["by_department"])
    assert isinstance(impact["cameras"], list) and isinstance(impact["shelters"], list)
    assert isinstance(impact["open_cases"], list) and impact["hospitals"]

    code, sug, _ = cli("incident", "suggest", str(iid), "--need", "gas_repair", "--json")
    assert code == 0 and sug["eta_basis"] == "straight_line" and sug["units"]
    unit = sug["units"][0]["unit"]

    code, _, err = cli("incident", "dispatch", str(iid), unit, "--as", "city_operator", "--json")
    assert code == 2 and "operator may not dispatch" in err
    code, order, err = cli(
        "incident", "dispatch", str(iid), unit, "--as", "city_commander", "--task", "关阀", "--json"
    )
    assert code == 0, err
    assert order["status"] == "assigned" and order["assignee_department"] == "gas" and not order["overdue"]

    code, _, err = cli("incident", "task", str(iid), str(order["task_id"]), "done", "--as", "dept_gas")
    assert code == 2 and "assigned cannot become done" in err
    code, moved, err = cli(
        "incident", "task", str(iid), str(order["task_id"]), "en_route", "--as", "dept_gas",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert moved["status"] == "en_route" and moved["acknowledged_at"] == CLOCK

    code, log, _ = cli(
        "incident", "log", str(iid), "--add", "现场已封锁", "--as", "city_dispatcher", "--json"
    )
    assert code == 0 and log["log"][-1]["text"] == "现场已封锁" and log["log"][-1]["role"] == "dispatcher"
    code, _, err = cli("incident", "log", str(iid), "--add", "x")
    assert code == 2 and "needs --as" in err

    code, _, err = cli("incident", "status", str(iid), "contained", "--as", "city_commander")
    assert code == 2 and "reported cannot become contained" in err
    code, _, err = cli("incident", "status", str(iid), "responding", "--as", "city_supervisor")
    assert code == 2 and "supervisor may not" in err
    code, st, _ = cli("incident", "status", str(iid), "responding", "--as", "city_commander", "--json")
    assert code == 0 and st["status"] == "responding"

    code, listed, _ = cli("incident", "list", "--json")
    assert code == 0 and [i["id"] for i in listed["incidents"]] == [iid]
    code, tl, _ = cli("incident", "timeline", str(iid), "--json")
    kinds = [e["kind"] for e in tl["events"]]
    assert kinds == [
        "incident.opened",
        "incident.dispatched",
        "incident.task",
        "incident.log",
        "incident.status",
    ]


def test_an_order_is_acknowledged_by_its_owner(cli):
    x, y = _a_point(cli)
    code, doc, err = cli(
        "incident", "open", "--type", "0403", "--x", str(x), "--y", str(y), "--as", "city_commander", "--json"
    )
    assert code == 0, err
    code, sug, _ = cli("incident", "suggest", str(doc["id"]), "--need", "gas_repair", "--json")
    code, order, err = cli(
        "incident", "dispatch", str(doc["id"]), sug["units"][0]["unit"], "--as", "city_commander", "--json"
    )
    assert code == 0, err
    code, _, err = cli("incident", "ack", order["order_id"], "--as", "dept_power")
    assert code == 2 and "not to power" in err
    code, shown, _ = cli("incident", "tasks", "--incident", str(doc["id"]), "--json")
    assert shown["tasks"][0]["acknowledged_at"] is None  # the refusal wrote nothing
    code, acked, err = cli(
        "incident", "ack", order["order_id"], "--at", "2026-03-02T09:59:00", "--as", "dept_gas", "--json"
    )
    assert code == 0, err
    # Never before the order was given (10:00): the owner's time is kept within what is possible.
    assert acked["acknowledged_at"] == CLOCK and acked["acknowledged_by"] == "dept_gas"
    code, again, _ = cli("incident", "ack", order["order_id"], "--as", "dept_gas", "--json")
    assert code == 0 and again["acknowledged_at"] == CLOCK  # applied once


def test_escalate_a_reported_case(cli):
    x, y = _a_point(cli)
    code, case, err = cli(
        "report",
        "--x",
        str(x),
        "--y",
        str(y),
        "--type",
        "0401",
        "--channel",
        "supervisor",
        "--as",
        "city_supervisor",
        "--json",
    )
    assert code == 0, err
    code, doc, err = cli("incident", "escalate", str(case["id"]), "--as", "city_commander", "--json")
    assert code == 0, err
    assert doc["case_id"] == case["id"] and doc["incident"]["case_id"] == case["id"]
    assert doc["incident"]["type_name"] == "路面塌陷"
    code, tl, _ = cli("incident", "timeline", str(doc["id"]), "--json")
    assert [e["kind"] for e in tl["events"]][-1] == "case.escalated"
    code, _, err = cli("incident", "escalate", str(case["id"]), "--as", "city_commander")
    assert code == 2 and "already escalated" in err


def test_lonlat_outside_and_unknown_inputs_fail_with_exit_2(cli):
    code, _, err = cli(
        "incident",
        "open",
        "--type",
        "fire",
        "--x",
        "126.0",
        "--y",
        "45.0",
        "--lonlat",
        "--as",
        "city_commander",
    )
    assert code == 2 and "outside the city" in err
    code, _, err = cli("incident", "open", "--type", "fire", "--as", "city_commander")
    assert code == 2 and "needs --x and --y" in err
    code, _, err = cli("incident", "impact", "999")
    assert code == 2 and "no incident 999" in err


def test_brief_html_and_pdf_to_stdout(cli):
    x, y = _a_point(cli)
    code, doc, _ = cli(
        "incident",
        "open",
        "--type",
        "flood",
        "--x",
        str(x),
        "--y",
        str(y),
        "--as",
        "city_commander",
        "--json",
    )
    code, html, _ = cli("incident", "brief", str(doc["id"]), "--format", "html")
    assert code == 0 and html.startswith("<!DOCTYPE html>") and "洪涝" in html and "ICS 201" in html
    env = {**os.environ, "SANWEI_CLOCK": CLOCK, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "main.py"),
            "incident",
            "brief",
            str(doc["id"]),
            "--format",
            "pdf",
            "--db",
            cli.url,
        ],
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.startswith(b"%PDF-") and out.stdout.rstrip().endswith(b"%%EOF")


def test_a_self_crossing_area_is_refused_not_repaired(cli):
    """A bow-tie outline would be 'repaired' into two triangles the commander never drew: refused,
    with the reason, and nothing is written; a proper outline is taken as drawn."""
    x, y = _a_point(cli)
    d = 150
    bow_tie = f"POLYGON(({x - d} {y - d},{x + d} {y + d},{x + d} {y - d},{x - d} {y + d},{x - d} {y - d}))"
    code, _doc, err = cli(
        "incident", "open", "--type", "0403", "--area", bow_tie, "--level", "III", "--as", "city_commander", "--json",
    )  # fmt: skip
    assert code == 2 and "not a valid polygon" in err and "Self-intersection" in err
    code, listed, _ = cli("incident", "list", "--json")
    assert code == 0 and listed["incidents"] == []
    square = f"POLYGON(({x - d} {y - d},{x + d} {y - d},{x + d} {y + d},{x - d} {y + d},{x - d} {y - d}))"
    code, doc, err = cli(
        "incident", "open", "--type", "0403", "--area", square, "--level", "III", "--as", "city_commander", "--json",
    )  # fmt: skip
    assert code == 0, err


def test_incident_cap_prints_each_alert_of_the_incident(cli, tmp_path):
    import xmlschema

    schema = xmlschema.XMLSchema(str(REPO / "data" / "standards" / "cap" / "CAP-v1.2.xsd"))
    sink = tmp_path / "got.xml"
    hook = [sys.executable, str(REPO / "tests" / "modes" / "civil_defence" / "cap_sink.py"), str(sink)]
    code, _, err = cli("alarm", "hook", "add", "--command", " ".join(hook), "--as", "city_commander")
    assert code == 0, err
    x, y = _a_point(cli)
    code, doc, err = cli("incident", "open", "--type", "fire", "--x", str(x), "--y", str(y), "--level", "III",
                         "--as", "city_commander", "--json")  # fmt: skip
    assert code == 0, err
    iid = str(doc["id"])
    # The command line delivered the opening's alert to the hook once the incident was committed.
    assert "delivered after 1 attempt" in err
    schema.validate(sink.read_text(encoding="utf-8"))
    assert cli("incident", "level", iid, "I", "--as", "city_commander")[0] == 0
    code, first, _ = cli("incident", "cap", iid, "--n", "1", "--json")
    assert code == 0 and (first["msgType"], first["n"], first["count"]) == ("Alert", 1, 2)
    code, latest, _ = cli("incident", "cap", iid, "--json")
    assert (latest["msgType"], latest["severity"], latest["n"]) == ("Update", "Extreme", 2)
    assert latest["references"] == [f"{first['sender']},{first['identifier']},{first['sent']}"]
    assert [(h["hook_id"], h["state"]) for h in latest["hooks"]] == [(1, "delivered")]
    code, xml, _ = cli("incident", "cap", iid)
    schema.validate(xml)
    assert xml == latest["xml"] and xml.encode() == sink.read_bytes()  # the hook got the Update too
    code, _, err = cli("incident", "cap", iid, "--n", "3")
    assert code == 2 and "has 2 CAP alert(s)" in err
    code, _, err = cli("incident", "cap", "999")
    assert code == 2 and "no CAP alert" in err
