"""The city's outbound CAP hooks with real parts: a receiver that is an HTTP server in its own process,
a command hook that is a real program, the small demo city in a SQLite file and in PostgreSQL, and the
command line as a process. Retries are read from the delivery log's recorded times (never from sleeps
of the test), a hanging hook times out without holding up the others or the alarm."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import select, text

import main
from data.cap_models import CapDelivery
from data.civil_defence_models import Alarm
from data.db import open_database, session_factory
from data.demo_city import write_city
from modes.bus import city_bus
from modes.common import auth, cap_hooks
from modes.common.clock import FixedClock, SystemClock
from modes.common.command_bus import call_local
from modes.common.door import LocalDoor
from modes.common.orders import AuthorityRefused
from nodes.cap_hooks import CapDeliverer
from tests.conftest import PG_URL, pg_admin_engine, wait_until

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SCHEMA = xmlschema.XMLSchema(str(REPO / "data" / "standards" / "cap" / "CAP-v1.2.xsd"))
AT = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def city(request, tmp_path, small_city_rows):
    """(session factory, URL) of the small demo city in a new SQLite file or a new PostgreSQL schema."""
    admin = schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'city.db'}"
    else:
        admin = pg_admin_engine()
        schema = f"cap_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = open_database(url, create=True)
    factory = session_factory(engine)
    with factory() as s, s.begin():
        write_city(s, small_city_rows, at=AT)
    try:
        yield factory, url
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _door(factory, login: str) -> LocalDoor:
    with factory() as s:
        person = auth.staff_actor(s, login)
    return LocalDoor(city_bus(), factory, FixedClock(AT), person)


def _system(factory):
    def record(name: str, args: dict):
        return call_local(city_bus(), factory, FixedClock(AT), name, args)

    return record


class Receiver:
    """``cap_receiver.py`` as a process, on the port it chose."""

    def __init__(self, out: Path, *args: str) -> None:
        out.mkdir()
        self.out = out
        self.proc = subprocess.Popen([sys.executable, str(HERE / "cap_receiver.py"), str(out), *args])
        port = wait_until(lambda: (out / "port").exists() and (out / "port").read_text(), 20, "receiver up")
        self.url = f"http://127.0.0.1:{port}/cap"

    def bodies(self) -> list[bytes]:
        return [
            (self.out / f"{n}.xml").read_bytes() for n in range(1, 100) if (self.out / f"{n}.xml").exists()
        ]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def receivers(tmp_path):
    made: list[Receiver] = []

    def make(name: str, *args: str) -> Receiver:
        made.append(Receiver(tmp_path / name, *args))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def _attempts(factory, hook_id: int) -> list[CapDelivery]:
    with factory() as s:
        return list(
            s.scalars(select(CapDelivery).where(CapDelivery.hook_id == hook_id).order_by(CapDelivery.attempt))
        )


def test_a_failing_endpoint_is_retried_with_growing_backoff_until_it_takes_the_alert(city, receivers):
    factory, _ = city
    receiver = receivers("rx", "--fail", "2")
    door = _door(factory, "city_civil_defence")
    hook = door.execute(
        "cap.hook_add", {"url": receiver.url, "attempts": 4, "backoff_s": 0.3, "timeout_s": 5}
    )
    board = door.execute("alarm.issue", {"kind": "raid", "districts": "all"})
    assert CapDeliverer(factory, _system(factory), after_seq=hook["from_seq"]).drain(60)
    rows = _attempts(factory, hook["id"])
    assert [(r.attempt, r.outcome) for r in rows] == [(1, "failed"), (2, "failed"), (3, "delivered")]
    assert rows[0].detail.startswith("HTTP 503") and rows[2].detail == "HTTP 200"
    assert [r.final for r in rows] == [False, False, True]
    # Back-off from the log's own times: 0.3 s after the first failure, 0.6 s after the second.
    gaps = [(b.started_at - a.finished_at).total_seconds() for a, b in zip(rows, rows[1:], strict=False)]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6 and gaps[1] > gaps[0]
    # Each POST carried the same valid CAP alert of the raid, as application/cap+xml.
    bodies = receiver.bodies()
    assert len(bodies) == 3 and len(set(bodies)) == 1
    SCHEMA.validate(bodies[0].decode("utf-8"))
    assert f"<identifier>sanwei-230100.alarm.{board['alarm_id']}</identifier>".encode() in bodies[0]
    assert (receiver.out / "1.type").read_text() == "application/cap+xml"
    # The alarm's board shows the hook's attempts.
    with factory() as s:
        from modes.civil_defence.alarms import delivery_board

        [shown] = delivery_board(s, board["alarm_id"], AT).hooks
    assert shown.state == "delivered" and [a.outcome for a in shown.attempts] == [
        "failed",
        "failed",
        "delivered",
    ]


def test_an_attempt_left_by_a_deliverer_that_died_is_abandoned_and_made_again(city, receivers):
    factory, _ = city
    receiver = receivers("rx")
    hook = _door(factory, "city_commander").execute(
        "cap.hook_add", {"url": receiver.url, "timeout_s": 0.5, "backoff_s": 0.1}
    )
    board = _door(factory, "city_civil_defence").execute(
        "alarm.issue", {"kind": "pre", "districts": "230102"}
    )
    record = _system(factory)
    identifier = f"sanwei-230100.alarm.{board['alarm_id']}"
    # A deliverer claimed the first attempt and died before it ended.
    claimed = record("cap.attempt_start", {
        "hook_id": hook["id"], "identifier": identifier, "subject": f"alarm/{board['alarm_id']}",
        "journal_seq": hook["from_seq"] + 1, "attempt": 1, "at": dt.datetime.now().isoformat(),
    })  # fmt: skip
    assert record("cap.attempt_start", {
        "hook_id": hook["id"], "identifier": identifier, "subject": f"alarm/{board['alarm_id']}",
        "journal_seq": hook["from_seq"] + 1, "attempt": 1, "at": dt.datetime.now().isoformat(),
    }) == {"taken": True}  # fmt: skip  # nobody makes the same attempt twice
    assert CapDeliverer(factory, record, after_seq=hook["from_seq"], stale_grace_s=0.2).drain(30)
    rows = _attempts(factory, hook["id"])
    assert rows[0].id == claimed["id"]
    assert [(r.attempt, r.outcome) for r in rows] == [(1, "abandoned"), (2, "delivered")]
    assert len(receiver.bodies()) == 1


def test_only_the_city_officers_manage_hooks_and_only_the_deliverer_records_attempts(city):
    factory, _ = city
    for login in ("city_operator", "daoli_civil_defence"):
        with pytest.raises(AuthorityRefused, match="may not add a CAP hook"):
            _door(factory, login).execute("cap.hook_add", {"url": "http://127.0.0.1:1/"})
    door = _door(factory, "city_civil_defence")
    for bad, message in (
        ({"url": "ftp://x/"}, "http:// or https://"),
        ({"command": ""}, "empty"),
        ({"url": "http://a/", "command": "x"}, "one of the two"),
        ({"url": "http://a/", "attempts": 50}, "attempts must be between 1 and 10"),
    ):
        with pytest.raises(Exception, match=message):
            door.execute("cap.hook_add", bad)
    # A person cannot write the delivery log, whatever their role.
    with pytest.raises(Exception, match="recorded by the CAP deliverer"):
        door.execute("cap.attempt_start", {"hook_id": 1, "identifier": "x", "attempt": 1})
    added = door.execute("cap.hook_add", {"command": "cat -", "note": "a test"})
    assert added["argv"] == ["cat", "-"]
    removed = door.execute("cap.hook_remove", {"id": added["id"]})
    assert removed["removed_by"] == "city_civil_defence"
    with pytest.raises(Exception, match="removed already"):
        door.execute("cap.hook_remove", {"id": added["id"]})
    with factory() as s:
        assert cap_hooks.list_hooks(s) == [] and len(cap_hooks.list_hooks(s, removed=True)) == 1


# --- the command line, as a process -------------------------------------------------------------------


def _run(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "SANWEI_PASSWORD": "sanwei-demo", "SANWEI_CLOCK": "2026-03-02T09:00:00"}
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args, "--db", url], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def city_file(tmp_path, small_city_rows) -> str:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = open_database(url, create=True)
    with session_factory(engine)() as s, s.begin():
        write_city(s, small_city_rows, at=AT)
    engine.dispose()
    return url


def _main(capsys, *argv: str):
    """A reading command in this process (the writes above run as processes): JSON when asked."""
    capsys.readouterr()
    assert main.main(list(argv)) == 0
    out = capsys.readouterr().out
    return json.loads(out) if "--json" in argv else out


def test_the_command_line_sends_an_exercise_alert_to_a_command_and_a_hang_holds_up_nothing(
    city_file, tmp_path, receivers, capsys, monkeypatch
):
    monkeypatch.setenv("SANWEI_CLOCK", "2026-03-02T09:00:00")
    url = city_file
    sink = tmp_path / "got.xml"
    code = _run(
        url, "alarm", "hook", "add", "--http", "http://127.0.0.1:1/", "--as", "city_operator", check=False
    )
    assert code.returncode == 2 and "may not add a CAP hook" in code.stderr
    _run(url, "alarm", "hook", "add", "--command", f"{sys.executable} {HERE / 'cap_sink.py'} {sink}",
         "--as", "city_civil_defence")  # fmt: skip
    hanging = receivers("hang", "--hang")
    engine = open_database(url)
    door = _door(session_factory(engine), "city_commander")
    door.execute("cap.hook_add", {"url": hanging.url, "timeout_s": 1, "attempts": 2, "backoff_s": 0.2})
    door.execute("cap.hook_add", {"command": [sys.executable, "-c", "import time; time.sleep(60)"],
                                  "timeout_s": 1, "attempts": 1})  # fmt: skip
    engine.dispose()
    listed = _main(capsys, "alarm", "hook", "list", "--json", "--db", url)["hooks"]
    assert [h["kind"] for h in listed] == ["command", "http", "command"]
    # The alarm is committed and printed before its alert goes anywhere; the deliveries follow.
    env = {**os.environ, "SANWEI_PASSWORD": "sanwei-demo", "SANWEI_CLOCK": "2026-03-02T09:00:00"}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "alarm", "issue", "raid", "--exercise", "--as",
         "city_civil_defence", "--json", "--db", url],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    issued = json.loads(proc.stdout.readline())
    assert proc.poll() is None  # still delivering: the hanging hooks take a second each at least
    engine = open_database(url)
    with session_factory(engine)() as s:
        assert s.get(Alarm, issued["alarm_id"]).exercise  # committed already
    engine.dispose()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    alert = sink.read_bytes()
    SCHEMA.validate(alert.decode("utf-8"))
    assert b"<status>Exercise</status>" in alert  # an exercise alarm is never sent as Actual
    assert "CAP_STATUS=Exercise" in sink.with_name("got.xml.env").read_text()
    board = _main(capsys, "alarm", "board", str(issued["alarm_id"]), "--json", "--db", url)
    by_hook = {h["hook_id"]: h for h in board["cap_hooks"]}
    assert [by_hook[i]["state"] for i in (1, 2, 3)] == ["delivered", "gave_up", "gave_up"]
    assert [a["outcome"] for a in by_hook[2]["attempts"]] == ["timeout", "timeout"]
    assert by_hook[2]["attempts"][0]["detail"] == "no answer within 1 s"
    assert by_hook[3]["attempts"][0]["detail"] == "still running after 1 s: killed"
    # The command hook had its alert before the hanging endpoint's first attempt gave up.
    delivered = dt.datetime.fromisoformat(by_hook[1]["attempts"][0]["finished_at"])
    assert delivered < dt.datetime.fromisoformat(by_hook[2]["attempts"][0]["finished_at"])
    assert "gave_up after 2 attempts" in err and "delivered after 1 attempt" in err
    human = _main(capsys, "alarm", "board", str(issued["alarm_id"]), "--db", url)
    assert "CAP alert to the outbound hooks:" in human and "attempt 2:" in human
    # The alert as the command line prints it is the one the hook got.
    assert _main(capsys, "alarm", "cap", str(issued["alarm_id"]), "--db", url).encode() == alert


def test_hook_deliver_sends_what_a_console_on_the_database_left_owed(city_file, tmp_path):
    sink = tmp_path / "got.xml"
    engine = open_database(city_file)
    factory = session_factory(engine)
    _door(factory, "city_commander").execute(
        "cap.hook_add", {"command": [sys.executable, str(HERE / "cap_sink.py"), str(sink)]}
    )
    # Sounded through a door as a console on the database does: nothing delivers it there.
    issued = _door(factory, "city_civil_defence").execute(
        "alarm.issue", {"kind": "pre", "districts": "230109"}
    )
    engine.dispose()
    assert not sink.exists()
    done = _run(city_file, "alarm", "hook", "deliver")
    assert f"CAP sanwei-230100.alarm.{issued['alarm_id']} -> hook 1" in done.stderr
    assert "delivered after 1 attempt" in done.stderr
    SCHEMA.validate(sink.read_text(encoding="utf-8"))
    sink.unlink()
    _run(city_file, "alarm", "hook", "deliver")  # delivered already: not sent again
    assert not sink.exists()


def test_a_console_on_the_database_passes_the_alerts_on_and_a_screenshot_does_not(city_file, tmp_path):
    """An alarm sounded on a database where no command line drains it (the console's own door) is owed
    to the hooks: a console on that database delivers it, as a centre node does; a screenshot of the same
    console delivers nothing (it writes nothing)."""
    sink = tmp_path / "got.xml"
    engine = open_database(city_file)
    factory = session_factory(engine)
    _door(factory, "city_commander").execute(
        "cap.hook_add", {"command": [sys.executable, str(HERE / "cap_sink.py"), str(sink)]}
    )
    with factory() as s:
        officer = auth.staff_actor(s, "city_civil_defence")
    issued = LocalDoor(city_bus(), factory, SystemClock(), officer).execute(
        "alarm.issue", {"kind": "raid", "exercise": True}
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SANWEI_PASSWORD": "sanwei-demo"}
    console = [
        sys.executable,
        str(REPO / "main.py"),
        "console",
        "--db",
        city_file,
        "--as",
        "city_civil_defence",
    ]
    shot = subprocess.run([*console, "--screenshot", str(tmp_path / "shot.png"), "--size", "1024x700"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    with factory() as s:
        assert s.scalar(select(CapDelivery.id)) is None and not sink.exists()
    proc = subprocess.Popen(console, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        done = sink.with_name("got.xml.env")  # the sink writes it after the alert
        wait_until(lambda: done.exists() or proc.poll() is not None, 120, "the console's delivery")
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        wait_until(lambda: _delivered(factory), 30, "the delivery recorded as delivered")
    finally:
        proc.terminate()
        proc.wait(30)
        engine.dispose()
    alert = sink.read_bytes()
    SCHEMA.validate(alert.decode("utf-8"))
    assert b"<status>Exercise</status>" in alert
    with factory() as s:
        (subject,) = set(s.scalars(select(CapDelivery.subject)))
    assert subject == f"alarm/{issued['alarm_id']}"


def _delivered(factory) -> bool:
    with factory() as s:
        return s.scalar(select(CapDelivery.outcome).where(CapDelivery.final.is_(True))) == "delivered"
