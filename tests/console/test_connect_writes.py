"""Every write a connected console offers goes to the node and comes back through replication.

A real ``python main.py center`` process serves a small demo city (every mode's demo set) with CURVE
on. For each write the console offers, a console attached to it (``--connect``) makes the write through
its services, exactly as its panels do. Then:

- the centre's journal has the write's event, with the console's person as its actor;
- the console's replica shows the change, which only the replication could have put there: the thread
  that made the write never wrote to the replica (every INSERT, UPDATE or DELETE on the replica is
  recorded with its thread while the write runs).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select

from comms.keys import Security, generate_keys
from tests.conftest import HOST, free_base
from tests.console.test_connect import Centre, a_point

DISTRICT = "230102"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[argparse.Namespace]:
    from data.db import open_database, session_factory
    from data.demo import seed_demo

    root = tmp_path_factory.mktemp("writes")
    db = root / "centre.db"
    engine = open_database(f"sqlite:///{db}", create=True)
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=5)
    engine.dispose()
    keys = root / "keys"
    generate_keys(keys, "centre", "centre")
    generate_keys(keys, "console", "console")
    cache = root / "cache"
    endpoint = f"tcp://{HOST}:{free_base()}"
    centre = Centre(db, endpoint, keys, cache).wait_ready()
    yield argparse.Namespace(db=db, keys=keys, cache=cache, endpoint=endpoint, centre=centre)
    centre.stop()


@pytest.fixture
def console(world, tmp_path, qtbot, translations):
    """A console window attached to the centre as ``role``, its replica's writes recorded by thread."""
    from console.connect import open_remote
    from console.remote import remote_window
    from console.services import ConsoleServices
    from modes.common.clock import SystemClock
    from tests.console.conftest import resolve_login

    opened = []

    def open_window(role: str):
        translations("en")
        args = argparse.Namespace(
            connect=world.endpoint,
            security=Security.from_dir(world.keys, "console"),
            server="centre",
            identity="console",
            replica=tmp_path / f"replica-{role}.db",
        )
        link = open_remote(args)
        clock = SystemClock()
        login = resolve_login(ConsoleServices(link.session_factory, clock, None).staff(), role)
        signed = link.sign_in(login.actor, "sanwei-demo")  # the node checks the password
        assert signed["ok"], signed
        window, bridge = remote_window(link, clock, login)
        writes: list[tuple[int, str]] = []

        def record(conn, cursor, statement, params, context, executemany) -> None:
            if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                writes.append((threading.get_ident(), statement))

        engine = link.session_factory.kw["bind"]
        event.listen(engine, "before_cursor_execute", record)
        opened.append((window, bridge, link, engine, record))
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=60_000):
            window.start()
        window.replica_writes = writes
        return window

    yield open_window
    for window, bridge, link, engine, record in opened:
        event.remove(engine, "before_cursor_execute", record)
        bridge.detach()
        link.close()
        window.close()


def centre_events(world, after: int) -> list[tuple[int, str, str, dict]]:
    with sqlite3.connect(world.db) as db:
        rows = db.execute(
            "SELECT seq, kind, actor, payload FROM journal WHERE seq > ? ORDER BY seq", (after,)
        ).fetchall()
    return [(seq, kind, actor, json.loads(payload or "{}")) for seq, kind, actor, payload in rows]


def centre_head(world) -> int:
    with sqlite3.connect(world.db) as db:
        return db.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]


def replica_value(window, query) -> object:
    with window.services.session_factory() as s:
        return s.execute(query).scalar()


# --- the writes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    role: str
    kind: str  # the journal event the centre records for it
    act: Callable  # (window, world) -> a query whose value in the replica shows the write arrived
    expect: object


def _report(window, world):
    from data.models import Case

    intake = _intake(window)
    x, y = a_point(world, DISTRICT)
    result = intake.report(x=x, y=y, channel="hotline", type_code="06010", text="connected report")
    return select(Case.description).where(Case.id == result.id)


def _intake(window):
    from console.everyday.intake_services import IntakeServices

    s = window.services
    intake = IntakeServices(s.session_factory, s.clock, s.login, s.gateway)
    intake.load_context()
    return intake


def _duplicate_filed_separately(window, world):
    from data.models import Case

    intake = _intake(window)
    x, y = a_point(world, DISTRICT)
    first = intake.report(x=x + 1, y=y + 1, channel="hotline", type_code="06010", text="first")
    second = intake.report(
        x=x + 2, y=y + 2, channel="hotline", type_code="06010", text="second", file_separately=True
    )
    assert second.separated and second.id != first.id
    return select(Case.state).where(Case.id == second.id)


def _case_action(window, world):
    from console.everyday.services import CaseServices
    from data.models import Case

    intake = _intake(window)
    x, y = a_point(world, DISTRICT)
    case = intake.report(
        x=x + 5, y=y + 5, channel="hotline", type_code="06010", text="to verify", file_separately=True
    )
    done = CaseServices.of(window.services).act(case.id, "send_verify", note="please check")
    assert done.state == "verifying"
    return select(Case.state).where(Case.id == case.id)


def _mode_switch(window, world):
    from data.models import JournalEvent
    from modes.common.mode_switch import Mode

    window.services.switch_mode(Mode.EMERGENCY, "connected drill")
    # Back to everyday once the switch has come back (the test calls it): the next writes find the city
    # as it was.
    window.undo = lambda: window.services.switch_mode(Mode.EVERYDAY, "drill over")
    return (
        select(JournalEvent.payload["to"].as_string())
        .where(JournalEvent.kind == "mode.switched", JournalEvent.payload["to"].as_string() == "emergency")
        .limit(1)
    )


def _civil_defence(window):
    from console.civil_defence.services import CivilDefenceServices

    s = window.services
    return CivilDefenceServices(s.session_factory, s.clock, s.login, s.gateway)


def _a_shelter(window, status: str = "open") -> str:
    from data.civil_defence_models import Shelter

    return replica_value(
        window, select(Shelter.id).where(Shelter.status == status).order_by(Shelter.id).limit(1)
    )


def _alarm(window, world):
    from sqlalchemy import text

    board = _civil_defence(window).issue_alarm("pre", [DISTRICT], exercise=True)
    assert [d.district for d in board.deliveries] == [DISTRICT]
    # Alarm rows stay at the centre; the picture carries one key per addressed district.
    return text(f"SELECT COUNT(*) FROM link_replica_entry WHERE key = '/alarm/{board.alarm_id}/{DISTRICT}'")


def _shelter_closed(window, world):
    from data.civil_defence_models import Shelter

    shelter = _a_shelter(window)
    _civil_defence(window).close_shelter(shelter)
    return select(Shelter.status).where(Shelter.id == shelter)


def _occupancy(window, world):
    from data.civil_defence_models import Shelter

    shelter = _a_shelter(window)
    _civil_defence(window).report_occupancy(shelter, 17)
    return select(Shelter.occupancy).where(Shelter.id == shelter)


def _siren_out(window, world):
    from data.civil_defence_models import Siren

    siren = replica_value(
        window, select(Siren.id).where(Siren.status == "in_service").order_by(Siren.id).limit(1)
    )
    assert _civil_defence(window).set_siren_status(siren, "out_of_service").status == "out_of_service"
    window.undo = lambda: _civil_defence(window).set_siren_status(siren, "in_service")
    return select(Siren.status).where(Siren.id == siren)


def _alarm_ack(window, world):
    from sqlalchemy import text

    from modes.common.picture import pack

    services = _civil_defence(window)
    board = services.issue_alarm("pre", [DISTRICT], exercise=True)
    done = services.acknowledge_alarm(board.alarm_id, DISTRICT)
    assert done.acknowledged_by == window.services.login.actor
    # The alarm's key for the district comes back acknowledged by this person (the pair as it sits in
    # the key's msgpack body; before the acknowledgement it is nil).
    pair = pack({"acknowledged_by": done.acknowledged_by})[1:]
    return text("SELECT instr(body, :pair) > 0 FROM link_replica_entry WHERE key = :key").bindparams(
        pair=pair, key=f"/alarm/{board.alarm_id}/{DISTRICT}"
    )


def _asset(window, world):
    from console.everyday.asset_services import AssetServices
    from data.models import Component

    component = replica_value(
        window,
        select(Component.id)
        .where(Component.id.like(f"{DISTRICT}%"), Component.state == "intact")
        .order_by(Component.id)
        .limit(1),
    )
    done = AssetServices.of(window.services).set_status("component", component, "damaged", "connected")
    assert (done.previous, done.status, done.changed) == ("intact", "damaged", True)
    return select(Component.state).where(Component.id == component)


def _emergency(window):
    from console.emergency.services import EmergencyServices

    s = window.services
    return EmergencyServices(s.session_factory, s.clock, s.login, s.gateway)


def _open(window, world, **kw):
    x, y = a_point(world, DISTRICT)
    return _emergency(window).open_incident(type_code="fire", level="III", x=x, y=y, title="connected", **kw)


def _incident(window, world):
    from data.emergency_models import Incident

    view = _open(window, world)
    return select(Incident.title).where(Incident.id == view.id)


def _level(window, world):
    from data.emergency_models import Incident

    view = _emergency(window).set_level(_open(window, world).id, "II", "spreading")
    return select(Incident.level).where(Incident.id == view.id)


def _area(window, world):
    from data.emergency_models import Incident

    view = _emergency(window).change_area(_open(window, world).id, inner_radius_m=150, outer_radius_m=450)
    return select(Incident.outer_radius_m).where(Incident.id == view.id)


def _status(window, world):
    from data.emergency_models import Incident

    view = _emergency(window).set_status(_open(window, world).id, "responding")
    return select(Incident.status).where(Incident.id == view.id)


def _dispatch(window, world):
    from data.emergency_models import RescueUnit

    services = _emergency(window)
    incident = _open(window, world)
    unit = replica_value(
        window, select(RescueUnit.id).where(RescueUnit.status == "available").order_by(RescueUnit.id).limit(1)
    )
    order = services.dispatch(incident.id, unit, "go")
    assert order.unit_id == unit
    return select(RescueUnit.status).where(RescueUnit.id == unit)


def _escalate(window, world):
    from sqlalchemy import func

    from data.city import FINISHED_CASE_STATES
    from data.emergency_models import Incident
    from data.models import Case

    escalated = select(Incident.case_id).where(Incident.case_id.is_not(None))
    case = replica_value(
        window,
        select(Case.id)
        .where(Case.state.not_in(FINISHED_CASE_STATES), Case.id.not_in(escalated))
        .order_by(Case.id)
        .limit(1),
    )
    view = _emergency(window).escalate_case(case, level="III")
    assert view.case_id == case
    return select(func.count()).where(Incident.id == view.id, Incident.case_id == case)


def _role(window, world):
    from data.emergency_models import IncidentRole

    incident = _open(window, world)
    holder = _emergency(window).assign_role(incident.id, "safety", "connected safety officer")
    assert holder.position == "safety"
    return select(IncidentRole.person).where(
        IncidentRole.incident_id == incident.id,
        IncidentRole.position == "safety",
        IncidentRole.relieved_at.is_(None),
    )


def _log(window, world):
    from data.emergency_models import IncidentLogEntry

    line = _emergency(window).add_log(_open(window, world).id, "connected log line")
    return select(IncidentLogEntry.text).where(IncidentLogEntry.id == line.id)


def _task_status(window, world):
    from data.emergency_models import DispatchTask, RescueUnit

    services = _emergency(window)
    unit = replica_value(
        window, select(RescueUnit.id).where(RescueUnit.status == "available").order_by(RescueUnit.id).limit(1)
    )
    order = services.dispatch(_open(window, world).id, unit, "go")
    for status in ("en_route", "on_scene", "done"):  # done: the unit is available again
        assert services.set_task_status(order.task_id, status).status == status
    return select(DispatchTask.status).where(DispatchTask.id == order.task_id)


WRITES = {
    "case.report": Write("operator", "case.report", _report, "connected report"),
    "duplicate filed separately": Write("operator", "case.unlink", _duplicate_filed_separately, "reported"),
    "case.act": Write("operator", "case.send_verify", _case_action, "verifying"),
    "mode.switch": Write("commander", "mode.switched", _mode_switch, "emergency"),
    "alarm.issue": Write("civil_defence", "alarm.issued", _alarm, 1),
    "shelter.status": Write("civil_defence", "shelter.status_changed", _shelter_closed, "closed"),
    "shelter.occupancy": Write("civil_defence", "shelter.occupancy", _occupancy, 17),
    "incident.open": Write("commander", "incident.opened", _incident, "connected"),
    "incident.level": Write("commander", "incident.level", _level, "II"),
    "incident.area": Write("commander", "incident.area", _area, 450.0),
    "incident.status": Write("commander", "incident.status", _status, "responding"),
    "incident.dispatch": Write("commander", "incident.dispatched", _dispatch, "assigned"),
    "incident.escalate": Write("commander", "case.escalated", _escalate, 1),
    "incident.role": Write("commander", "incident.role", _role, "connected safety officer"),
    "incident.log": Write("commander", "incident.log", _log, "connected log line"),
    "task.status": Write("commander", "incident.task", _task_status, "done"),
    "asset.status": Write("operator", "asset.status", _asset, "damaged"),
    "siren.status": Write("civil_defence", "siren.status_changed", _siren_out, "out_of_service"),
    "alarm.ack": Write("civil_defence", "alarm.acknowledged", _alarm_ack, 1),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_connected_consoles_write_reaches_the_centre_and_comes_back(world, console, qtbot, name):
    write = WRITES[name]
    window = console(write.role)
    assert window.services.gateway.remote
    head = centre_head(world)
    caller = threading.get_ident()
    query = write.act(window, world)
    events = centre_events(world, head)
    mine = [e for e in events if e[1] == write.kind]
    assert mine, f"the centre recorded no {write.kind} event: {[e[1] for e in events]}"
    assert all(actor == window.services.login.actor for _, _, actor, _ in mine)
    qtbot.waitUntil(lambda: replica_value(window, query) == write.expect, timeout=30_000)
    if getattr(window, "undo", None) is not None:
        window.undo()
    own = [statement for thread, statement in window.replica_writes if thread == caller]
    assert not own, f"the console wrote to its replica itself: {own[:3]}"


def test_the_recorder_sees_a_write_made_on_the_callers_thread(console):
    # The check above must be able to fail: a write this thread makes to the replica is recorded.
    from sqlalchemy import text

    window = console("operator")
    caller = threading.get_ident()
    with window.services.session_factory() as s, s.begin():
        s.execute(text("UPDATE cases SET description = description WHERE 0"))
    assert [t for t, statement in window.replica_writes if t == caller and "UPDATE cases" in statement]
