"""Exercises on a seeded city, on SQLite and PostgreSQL: a MSEL read and checked, the exercise clock,
injects delivered once through the command bus with the exercise id on what they make, a refused inject
that does not stop the exercise, and what the journal says the players did (acknowledged, actioned, met).

Time is a ``FixedClock`` moved by the test: no test waits."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid

import openpyxl
import pytest
from sqlalchemy import func, select, text

from data.civil_defence_models import Alarm
from data.db import make_engine, open_database, session_factory
from data.demo import seed_demo
from data.emergency_models import Incident
from data.errors import InputError
from data.exercise_models import Exercise, ExerciseInject
from data.models import Case, JournalEvent, Staff
from modes.bus import city_bus
from modes.common import exercise_clock as xclock
from modes.common.actor import Actor
from modes.common.audit import run_audit
from modes.common.clock import FixedClock
from modes.common.door import LocalDoor
from modes.emergency.desk import IncidentDesk
from modes.everyday.case_audit import CaseChecker
from modes.exercises.msel import MselError, read_scenario
from modes.exercises.report import MET, MISSED, build_report, render_html
from tests.conftest import PG_URL, pg_admin_engine
from tests.test_cli import run

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)
CELL = "230102001001001"  # in the small demo city (seed 3)

MSEL_CSV = f"""MSEL #,Time,Kind,From,To,Message,Expected Action,Expected Within,Objective,Cell,Type,Channel,Level,Radius,Alarm,Districts,Asset,Unit,Status
1,+00:00,message,Province,city_commander,Stand by,exercise.ack,5,Command,,,,,,,,,,
2,+00:02,report,Caller,city_operator,Water on the road,case.send_verify,10,Intake,{CELL},0406,hotline,,,,,,,
3,+00:03,incident,HQ,city_commander,Road collapse,incident.dispatched,15,Response,{CELL},0401,,IV,40,,,,,
4,+00:04,alarm,CD office,districts,Pre alarm test,alarm.acknowledged,3,Warning,,,,,,pre,230102,,,
5,+00:05,asset,Video,city_operator,Camera down,exercise.ack,5,Command,,,,,,,,230102-C0001,,offline
6,+00:06,unit,Fire,city_commander,Engine down,,,Response,,,,,,,,,230102-HVY001,out_of_service
7,+00:07,incident,HQ,city_commander,Too big to cordon,incident.dispatched,15,Response,{CELL},0401,,IV,20000,,,,,
8,+00:08,message,HQ,city_commander,After the refusal,,,Command,,,,,,,,,,
"""

# A level II incident an hour into the scenario: its report to the State Council is due 4 hours later.
LEVEL_II_CSV = f"""No,Time,Kind,From,To,Message,Expected Action,Expected Within,Objective,Cell,Type,Level,Radius
1,+01:00,incident,HQ,city_commander,Embankment breached,incident.dispatched,15,Response,{CELL},0401,II,40
"""


# --- the city: a seeded small demo on each backend ---------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("exercises") / "city.db"
    engine = open_database(f"sqlite:///{path}")
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=3, at=T0 - dt.timedelta(days=1))
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def pg_city():
    admin = pg_admin_engine()
    schema = f"ex_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = open_database(url)
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=3, at=T0 - dt.timedelta(days=1))
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def Session(request, seeded_file, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "city.db"
        shutil.copyfile(seeded_file, path)
        engine = make_engine(f"sqlite:///{path}")
        yield session_factory(engine)
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_city")
    factory = session_factory(engine)
    yield factory
    # The schema is shared by this module's tests: end whatever a test left running.
    with factory() as s, s.begin():
        s.execute(text("UPDATE exercises SET state = 'stopped' WHERE state IN ('running', 'paused')"))


def person(Session, login: str) -> Actor:
    with Session() as s:
        return Actor.of_staff(s.scalar(select(Staff).where(Staff.login == login)))


def door(Session, clock, login: str) -> LocalDoor:
    return LocalDoor(city_bus(), Session, clock, person(Session, login))


def scenario_file(tmp_path, body: str = MSEL_CSV, name: str = "drill.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def start(Session, clock, tmp_path, *, speed: float = 60.0, body: str = MSEL_CSV, **extra) -> int:
    from modes.exercises.exercises import scenario_args

    scenario = read_scenario(scenario_file(tmp_path, body))
    doc = door(Session, clock, "city_drill").execute(
        "exercise.start", {"scenario": scenario_args(scenario), "speed": speed, **extra}
    )
    return doc["id"]


def tick(Session, clock, ex_id: int) -> dict:
    (result,) = door(Session, clock, "city_drill").execute("exercise.tick", {"id": ex_id})["exercises"]
    return result


def status(Session, clock, ex_id: int) -> dict:
    return door(Session, clock, "city_drill").execute("query.exercise", {"id": ex_id})


def record_id(Session, ex_id: int, no: str) -> int:
    with Session() as s:
        record = s.scalar(
            select(ExerciseInject.record).where(ExerciseInject.exercise_id == ex_id, ExerciseInject.no == no)
        )
    return int(record.split("/")[1])


def journal_head(Session) -> int:
    with Session() as s:
        return s.scalar(select(func.max(JournalEvent.seq))) or 0


# --- reading a MSEL ----------------------------------------------------------------------------------------


def test_a_csv_msel_is_read_with_the_usual_column_names(tmp_path):
    s = read_scenario(scenario_file(tmp_path))
    assert [i.no for i in s.injects] == [str(n) for n in range(1, 9)]
    report = s.injects[1]
    assert (report.kind, report.time_s, report.params) == (
        "report",
        120.0,
        {"cell": CELL, "type": "0406", "channel": "hotline"},
    )
    assert (report.expected_action, report.expected_within_min, report.objective) == (
        "case.send_verify",
        10.0,
        "Intake",
    )
    assert s.injects[3].params == {"alarm": "pre", "districts": ["230102"]}
    assert s.injects[2].params["radius"] == 40.0 and s.injects[2].params["level"] == "IV"
    assert s.objectives == ("Command", "Intake", "Response", "Warning")


def test_a_spreadsheet_written_by_hand_is_read(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    sheet.append(
        [
            "Inject #",
            "TIME",
            "kind",
            "to",
            "Message",
            "expected action",
            "Expected Within",
            "Lon",
            "Lat",
            "Type",
        ]
    )
    sheet.append(
        [
            1,
            dt.time(0, 0),
            "message",
            "city_commander",
            "Start of exercise",
            "exercise.ack",
            5,
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [2, dt.time(0, 15), "Report", "city_operator", "Rubbish", "case.accept", 10, 126.6, 45.7, "06010"]
    )
    sheet.append([])  # blank line between blocks
    sheet.append(["3", "+01:30", "message", "all", "End", None, None, None, None, None])
    path = tmp_path / "hand.xlsx"
    book.save(path)
    s = read_scenario(path)
    assert [(i.no, i.time_s, i.kind) for i in s.injects] == [
        ("1", 0.0, "message"),
        ("2", 900.0, "report"),
        ("3", 5400.0, "message"),
    ]
    assert s.injects[1].params == {"lon": 126.6, "lat": 45.7, "type": "06010", "channel": "hotline"}


def test_the_yaml_form_reads_a_bare_no_key(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\ntitle: T\ntitle_zh: 演练\ninjects:\n"
        "  - {No: 1, Time: '+00:00', Kind: message, Message: hi}\n"
        "  - {No: 2, Time: '00:10', Kind: alarm, Alarm: raid}\n",
        encoding="utf-8",
    )
    s = read_scenario(path)
    assert (s.name, s.title_zh, [i.no for i in s.injects]) == ("s", "演练", ["1", "2"])


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("2,+00:02,explosion,,,x", "row 3, column 'Kind': unknown kind 'explosion'"),
        ("2,soon,message,,,x", "row 3, column 'Time': time 'soon' is not +HH:MM"),
        ("2,+00:61,message,,,x", "row 3, column 'Time': time '+00:61' has minutes or seconds over 59"),
        (
            "2,+00:00,message,,,x",
            "row 3, column 'Time': time +00:00 is before the previous inject's (+00:05, row 2)",
        ),
        ("1,+00:06,message,,,x", "row 3, column 'No': inject number '1' is also on row 2"),
        ("2,+00:06,report,,,x", "row 3, column 'Type': a report inject needs 'Type'"),
        ("2,+00:06,alarm,,,x", "row 3, column 'Alarm': a alarm inject needs 'Alarm'"),
        ("2,+00:06,message,,,", "row 3, column 'Message': a message inject needs its text"),
    ],
)
def test_a_bad_row_is_refused_naming_its_row_and_column(tmp_path, row, match):
    body = f"No,Time,Kind,From,To,Message,Type\n1,+00:05,message,,,first\n{row}\n"
    with pytest.raises(MselError) as err:
        read_scenario(scenario_file(tmp_path, body))
    assert match in str(err.value)


def test_files_that_are_no_msel_are_refused(tmp_path):
    with pytest.raises(MselError, match="header row has no 'Kind' column"):
        read_scenario(scenario_file(tmp_path, "No,Time,What\n1,+00:00,x\n"))
    bad = tmp_path / "latin.csv"
    bad.write_bytes("No,Time,Kind,Message\n1,+00:00,message,caf\xe9\n".encode("latin-1"))
    with pytest.raises(MselError, match="not UTF-8"):
        read_scenario(bad)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(MselError, match="not a readable XLSX workbook"):
        read_scenario(fake)
    with pytest.raises(MselError, match=r"a MSEL is a \.csv, \.xlsx or \.yaml file"):
        read_scenario(scenario_file(tmp_path, "x", name="s.txt"))


def test_a_packed_scenario_reads_as_the_file_it_holds(tmp_path):
    import bz2
    import gzip

    plain = read_scenario(scenario_file(tmp_path))
    for name, pack in (("drill.csv.gz", gzip.compress), ("drill.csv.bz2", bz2.compress)):
        packed = tmp_path / name
        packed.write_bytes(pack(MSEL_CSV.encode("utf-8")))
        s = read_scenario(packed)
        assert (s.name, s.injects, s.source) == ("drill", plain.injects, name)
    damaged = tmp_path / "cut.csv.gz"
    damaged.write_bytes(gzip.compress(MSEL_CSV.encode("utf-8"))[:40])
    with pytest.raises(InputError, match="cut.csv.gz: damaged gzip file: it ends before its end marker"):
        read_scenario(damaged)


def test_the_built_in_scenarios_read_and_fit_the_harbin_demo_city():
    from modes.exercises.exercises import builtin_names, load_scenario

    assert builtin_names() == ["air_defence_alarm_test", "busy_day", "songhua_flood"]
    busy = load_scenario("busy_day")
    assert 1900 <= len(busy.injects) <= 2100
    assert busy.injects[-1].time_s <= 24 * 3600
    kinds = {i.kind for i in busy.injects}
    assert kinds == {"report", "incident"}
    channels = {i.params.get("channel") for i in busy.injects if i.kind == "report"}
    assert channels == {"supervisor", "camera", "hotline", "internet", "patrol", "media"}
    flood = load_scenario("songhua_flood")
    assert {i.kind for i in flood.injects} == {"message", "report", "incident", "unit", "asset"}
    alarm = load_scenario("air_defence_alarm_test")
    assert [i.params["alarm"] for i in alarm.injects if i.kind == "alarm"] == ["pre", "raid", "clear"]


# --- starting: checked against the city first -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ((f"{CELL},0406", "230199999999999,0406"), "column 'Cell': inject 2: unknown cell '230199999999999'"),
        ((f"{CELL},0406", f"{CELL},9999"), "column 'Type': inject 2: unknown event type '9999'"),
        (
            (f"{CELL},0401,,IV,40", f"{CELL},volcano,,IV,40"),
            "column 'Type': inject 3: unknown incident type 'volcano'",
        ),
        (("pre,230102", "pre,230199"), "column 'Districts': inject 4: unknown district 230199"),
        (("230102-C0001", "230102-C9999"), "column 'Asset': inject 5: unknown asset '230102-C9999'"),
        (
            ("230102-C0001,,offline", "230102-C0001,,melted"),
            "column 'Status': inject 5: unknown status 'melted'",
        ),
        (("230102-HVY001", "230102-FIR999"), "column 'Unit': inject 6: unknown rescue unit '230102-FIR999'"),
    ],
)
def test_a_scenario_naming_what_the_city_lacks_is_refused_before_anything_starts(
    Session, tmp_path, change, match
):
    clock = FixedClock(T0)
    body = MSEL_CSV.replace(*change)
    assert body != MSEL_CSV
    head = journal_head(Session)
    with Session() as s:
        before = s.scalar(select(func.count()).select_from(Exercise))
    with pytest.raises(MselError) as err:
        start(Session, clock, tmp_path, body=body)
    assert match in str(err.value)
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(Exercise)) == before
    assert journal_head(Session) == head


def test_who_may_start_and_one_exercise_at_a_time(Session, tmp_path):
    clock = FixedClock(T0)
    from modes.exercises.exercises import scenario_args

    args = {"scenario": scenario_args(read_scenario(scenario_file(tmp_path)))}
    with pytest.raises(InputError, match=r"city_operator \(operator\) may not start an exercise"):
        door(Session, clock, "city_operator").execute("exercise.start", args)
    first = door(Session, clock, "city_drill").execute("exercise.start", args)["id"]
    with pytest.raises(
        InputError, match=rf"exercise {first} \(drill, running\) is still on; this city runs 1 at a time"
    ):
        door(Session, clock, "city_commander").execute("exercise.start", args)
    door(Session, clock, "city_commander").execute("exercise.stop", {"id": first})
    second = door(Session, clock, "city_commander").execute("exercise.start", args)["id"]
    assert second > first


# --- the clock and the deliveries ---------------------------------------------------------------------------


def test_injects_go_out_once_on_the_exercise_clock_and_carry_the_exercise_id(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0)
    assert tick(Session, clock, ex_id)["delivered"] == ["1"]
    assert tick(Session, clock, ex_id)["delivered"] == []  # a second driver finds nothing more
    clock.advance(seconds=2)  # two scenario minutes at 60x
    assert tick(Session, clock, ex_id)["delivered"] == ["2"]
    clock.advance(seconds=2.5)
    result = tick(Session, clock, ex_id)
    assert result["delivered"] == ["3", "4"]
    assert result["clock"] == "+00:04:30"
    assert result["next_due_s"] == 300.0
    with Session() as s:
        injects = {
            i.no: i for i in s.scalars(select(ExerciseInject).where(ExerciseInject.exercise_id == ex_id))
        }
        case = s.get(Case, int(injects["2"].record.split("/")[1]))
        incident = s.get(Incident, int(injects["3"].record.split("/")[1]))
        alarm = s.get(Alarm, int(injects["4"].record.split("/")[1]))
        assert (case.exercise_id, case.channel, case.type_code) == (ex_id, "hotline", "0406")
        assert (incident.exercise_id, incident.exercise) == (ex_id, True)
        assert (alarm.exercise_id, alarm.exercise, alarm.districts) == (ex_id, True, ["230102"])
        reported = s.scalar(select(JournalEvent).where(JournalEvent.subject == f"case/{case.id}"))
        assert reported.payload["exercise"] == ex_id
        assert reported.actor == f"exercise-{ex_id}:city_drill"
        delivered = s.scalar(select(JournalEvent).where(JournalEvent.seq == injects["2"].delivered_seq))
        assert (delivered.kind, delivered.payload["no"], delivered.payload["record"]) == (
            "exercise.inject",
            "2",
            f"case/{case.id}",
        )
        # Delivered on its time: the clock stood at +00:02:00 when inject 2 went out.
        assert injects["2"].delivered_s == 120.0


def test_a_paused_exercise_delivers_nothing_and_resumes_where_it_stood(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0)
    tick(Session, clock, ex_id)
    clock.advance(seconds=1)  # +00:01
    drill = door(Session, clock, "city_drill")
    assert drill.execute("exercise.pause", {"id": ex_id})["state"] == "paused"
    clock.advance(minutes=30)
    assert tick(Session, clock, ex_id)["delivered"] == []
    assert status(Session, clock, ex_id)["clock"] == "+00:01"
    with pytest.raises(InputError, match=f"exercise {ex_id} is paused; it cannot be paused"):
        drill.execute("exercise.pause", {"id": ex_id})
    drill.execute("exercise.resume", {"id": ex_id})
    clock.advance(seconds=1)  # +00:02
    assert tick(Session, clock, ex_id)["delivered"] == ["2"]
    with Session() as s:
        ex = s.get(Exercise, ex_id)
        # A journal time inside the pause reads as the time the clock stood at.
        assert xclock.scenario_at(ex.segments, T0 + dt.timedelta(minutes=10)) == pytest.approx(60.0)
        assert xclock.scenario_at(ex.segments, T0 - dt.timedelta(seconds=1)) is None


def test_starting_later_in_the_scenario_skips_what_came_before(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0, **{"from": "+00:04"})
    assert tick(Session, clock, ex_id)["delivered"] == ["4"]
    states = {i["no"]: i["state"] for i in status(Session, clock, ex_id)["injects"]}
    assert [states[n] for n in "1234"] == ["skipped", "skipped", "skipped", "delivered"]


def test_a_refused_inject_is_kept_with_its_reason_and_the_exercise_goes_on(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=600.0)
    clock.advance(seconds=60)  # +10:00, everything is due
    result = tick(Session, clock, ex_id)
    assert result["refused"] == ["7"]
    assert result["delivered"] == ["1", "2", "3", "4", "5", "6", "8"]
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    assert doc["7"]["state"] == "refused"
    assert "incident.open refused" in doc["7"]["refusal"] and "50,000 m" in doc["7"]["refusal"]
    with Session() as s:
        # Nothing of the refused inject stayed: one exercise incident (inject 3), not two.
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.exercise_id == ex_id)) == 1


def test_stopping_skips_what_is_pending_and_removes_nothing(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0)
    clock.advance(seconds=2)
    tick(Session, clock, ex_id)
    with Session() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
    done = door(Session, clock, "city_commander").execute("exercise.stop", {"id": ex_id})
    assert done["state"] == "stopped"
    doc = status(Session, clock, ex_id)
    assert doc["counts"] == {"delivered": 2, "skipped": 6}
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases
    with pytest.raises(InputError, match=f"exercise {ex_id} is stopped"):
        door(Session, clock, "city_drill").execute("exercise.resume", {"id": ex_id})


# --- what the players did --------------------------------------------------------------------------------------


def test_acknowledged_actioned_and_met_come_from_the_journal_in_exercise_time(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0)
    tick(Session, clock, ex_id)  # inject 1, a message
    clock.advance(seconds=2)
    tick(Session, clock, ex_id)  # inject 2, a report at +00:02
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    case_id = int(doc["2"]["record"].split("/")[1])
    assert (doc["1"]["state"], doc["1"]["met"]) == ("delivered", None)

    clock.advance(seconds=3)  # +00:05: the commander acknowledges the message, 5 exercise minutes on
    door(Session, clock, "city_commander").execute("exercise.ack", {"id": ex_id, "no": "1"})
    clock.advance(
        seconds=3
    )  # +00:08: the operator sends the case for verification, 6 exercise minutes after it came
    door(Session, clock, "city_operator").execute("case.act", {"id": case_id, "action": "send_verify"})
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    assert doc["1"]["state"] == "actioned" and doc["1"]["met"] is True
    assert doc["1"]["acknowledged_by"] == "city_commander"
    assert doc["2"]["state"] == "actioned"
    assert (doc["2"]["actioned_by"], doc["2"]["actioned_kind"]) == ("city_operator", "case.send_verify")
    assert doc["2"]["response_min"] == pytest.approx(6.0, abs=0.1)
    assert doc["2"]["met"] is True
    # Inject 3, the incident at +00:03: nobody dispatched within its 15 exercise minutes.
    tick(Session, clock, ex_id)
    clock.advance(seconds=16)
    tick(Session, clock, ex_id)
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    assert (doc["3"]["state"], doc["3"]["met"]) == ("delivered", False)
    # An evaluator's judgement decides a free-text expectation, and may overrule.
    door(Session, clock, "city_drill").execute(
        "exercise.note", {"id": ex_id, "no": "3", "kind": "met", "text": "dispatched by radio, not logged"}
    )
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    assert doc["3"]["met"] is True


def test_a_message_is_acknowledged_once_and_only_after_delivery(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0)
    commander = door(Session, clock, "city_commander")
    with pytest.raises(InputError, match=f"inject 2 of exercise {ex_id} is pending"):
        commander.execute("exercise.ack", {"id": ex_id, "no": "2"})
    with pytest.raises(InputError, match=f"exercise {ex_id} has no inject '99'"):
        commander.execute("exercise.ack", {"id": ex_id, "no": "99"})
    tick(Session, clock, ex_id)
    commander.execute("exercise.ack", {"id": ex_id, "no": "1"})
    clock.advance(seconds=30)
    door(Session, clock, "city_operator").execute("exercise.ack", {"id": ex_id, "no": "1"})
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    assert doc["1"]["acknowledged_by"] == "city_commander"  # the first acknowledgement stands
    # After ENDEX the players' part is over; an evaluator's note is still taken.
    door(Session, clock, "city_drill").execute("exercise.stop", {"id": ex_id})
    with pytest.raises(
        InputError, match=f"exercise {ex_id} is stopped: an inject is acknowledged while it runs"
    ):
        commander.execute("exercise.ack", {"id": ex_id, "no": "1"})
    door(Session, clock, "city_drill").execute(
        "exercise.note", {"id": ex_id, "text": "Hot wash: all went well"}
    )


def test_an_ad_hoc_inject_goes_out_at_the_next_tick(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0)
    drill = door(Session, clock, "city_drill")
    added = drill.execute(
        "exercise.inject",
        {
            "id": ex_id,
            "inject": {"kind": "report", "cell": CELL, "type": "06010", "message": "Ad hoc rubbish"},
        },
    )
    assert added["no"] == "A1"
    result = tick(Session, clock, ex_id)
    assert result["delivered"] == ["1", "A1"]
    with pytest.raises(MselError, match="unknown kind 'rumour'"):
        drill.execute("exercise.inject", {"id": ex_id, "inject": {"kind": "rumour", "message": "x"}})
    with pytest.raises(InputError, match="may not add an inject"):
        door(Session, clock, "city_operator").execute(
            "exercise.inject", {"id": ex_id, "inject": {"kind": "message", "message": "x"}}
        )


def test_a_response_at_120x_is_measured_to_the_fraction_of_a_second(Session, tmp_path):
    """At 120x a wall second is two exercise minutes: a player's act stamped to the second would read up
    to two minutes early. Each command runs at one instant to the microsecond, so the after-action
    report measures the response the players really took, and the journal still verifies."""
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=120.0)
    clock.advance(seconds=1.3)  # +00:02:36: injects 1 and 2 (a report due at +00:02) go out
    assert tick(Session, clock, ex_id)["delivered"] == ["1", "2"]
    case_id = record_id(Session, ex_id, "2")
    clock.advance(seconds=10.6)  # 10.6 wall seconds on: 21 minutes 12 seconds of exercise time
    door(Session, clock, "city_operator").execute("case.act", {"id": case_id, "action": "send_verify"})
    with Session() as s:
        (report,) = [i for i in build_report(s, ex_id, clock).injects if i.no == "2"]
        act = s.scalar(
            select(JournalEvent).where(
                JournalEvent.subject == f"case/{case_id}", JournalEvent.kind == "case.send_verify"
            )
        )
        accepted_at = s.get(Case, case_id).accepted_at
        audit = run_audit(s, [CaseChecker()])
    assert (report.delivered_s, report.actioned_kind) == (pytest.approx(156.0), "case.send_verify")
    assert report.response_s == pytest.approx(10.6 * 120.0, abs=0.01)  # not 19.4 minutes, nor 21
    # The act, its case row and its event keep one time to the microsecond, and the chain holds.
    assert act.at == accepted_at == T0 + dt.timedelta(seconds=11.9)
    assert audit.ok and audit.checked["case"] > 0


# The same burst main reported four times in one cell: the repeats are merged into the first report's case.
DUPLICATES_CSV = f"""No,Time,Kind,From,To,Message,Expected Action,Expected Within,Objective,Cell,Type,Channel
1,+00:00,report,Supervisor,city_operator,Water main burst,case.dispatch,30,Response,{CELL},0406,supervisor
2,+00:05,report,Caller,city_operator,Water on the road,case.dispatch,30,Response,{CELL},0406,hotline
3,+00:20,report,Caller,city_operator,Still water on the road,case.dispatch,30,Response,{CELL},0406,hotline
4,+00:21,report,Caller,city_operator,Water everywhere,case.dispatch,30,Response,{CELL},0406,hotline
"""


def test_a_report_merged_as_a_duplicate_is_handled_on_the_case_it_joined(Session, tmp_path):
    """A repeat report is merged into the first one's case on intake; dispatching that case answers the
    repeat too (timed from the repeat's delivery, nought when it was dispatched already), and the report
    says which case it joined. A repeat the players unlinked is judged on its own case."""
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0, body=DUPLICATES_CSV)
    tick(Session, clock, ex_id)  # inject 1 at +00:00
    first = record_id(Session, ex_id, "1")
    clock.advance(seconds=3)  # +00:03
    door(Session, clock, "city_operator").execute("case.act", {"id": first, "action": "accept"})
    door(Session, clock, "city_shift_leader").execute("case.act", {"id": first, "action": "file"})
    clock.advance(seconds=2)  # +00:05: the repeat comes and is merged into the first case
    tick(Session, clock, ex_id)
    with Session() as s:
        assert s.get(Case, record_id(Session, ex_id, "2")).duplicate_of == first
    clock.advance(seconds=7)  # +00:12: the first case dispatched
    door(Session, clock, "city_dispatcher").execute("case.act", {"id": first, "action": "dispatch"})
    clock.advance(seconds=8)  # +00:20: a third report, merged, then unlinked by the operator
    tick(Session, clock, ex_id)
    third = record_id(Session, ex_id, "3")
    with Session() as s:
        assert s.get(Case, third).duplicate_of == first
    clock.advance(seconds=1)  # +00:21: a fourth, merged into the case dispatched already
    tick(Session, clock, ex_id)
    clock.advance(seconds=1)  # +00:22
    door(Session, clock, "city_operator").execute(
        "case.act", {"id": third, "action": "unlink", "note": "another main"}
    )
    clock.advance(seconds=33)  # +00:55: the 30 minutes of the third have run out
    with Session() as s:
        report = {i.no: i for i in build_report(s, ex_id, clock).injects}
        html = render_html(build_report(s, ex_id, clock))
    doc = {i["no"]: i for i in status(Session, clock, ex_id)["injects"]}
    assert {no: (i.outcome, i.duplicate_of, i.actioned_kind) for no, i in report.items()} == {
        "1": (MET, None, "case.dispatch"),
        "2": (MET, first, "case.dispatch"),
        "3": (MISSED, None, None),
        "4": (MET, first, "case.dispatch"),
    }
    assert report["1"].response_s == pytest.approx(12 * 60.0)
    assert report["2"].response_s == pytest.approx(7 * 60.0)  # from its own delivery at +00:05
    assert report["4"].response_s == 0.0  # dispatched before it came
    assert report["2"].actioned_by == report["1"].actioned_by
    assert (doc["2"]["state"], doc["2"]["met"], doc["2"]["duplicate_of"]) == ("actioned", True, first)
    assert html.count(f"handled as a duplicate of case {first}") == 2


# --- an exercise incident's reporting deadline -------------------------------------------------------------


def test_an_exercise_incidents_reporting_deadline_runs_on_the_exercise_clock(Session, tmp_path):
    """A level II incident's report to the State Council is due 4 hours after it opens. An exercise's
    incident has 4 hours of its exercise clock (4 wall minutes at 60x), is shown in exercise time and
    said to be, and a pause holds its deadline: the command line, the briefing and the desk agree."""
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0, body=LEVEL_II_CSV)
    clock.advance(seconds=60)  # +01:00 on the exercise clock, which read T0 at +00:00
    assert tick(Session, clock, ex_id)["delivered"] == ["1"]
    drill_id = record_id(Session, ex_id, "1")
    with Session() as s:
        site = s.get(Incident, drill_id)
        x, y = site.x, site.y
    real_id = door(Session, clock, "city_commander").execute(
        "incident.open", {"type": "0401", "level": "II", "x": x, "y": y, "title": "A real one"}
    )["id"]
    due = T0 + dt.timedelta(hours=5)  # +01:00 and 4 hours, on the exercise clock

    def shown(incident_id: int) -> dict:
        with Session() as s:
            return IncidentDesk(s, clock).show(incident_id)["incident"]

    def briefed(incident_id: int) -> str:
        with Session() as s:
            situation = IncidentDesk(s, clock).briefing(incident_id).situation
        (line,) = [x for x in situation if "State Council" in x]
        return line

    def cli_show(incident_id: int) -> list[str]:
        with Session() as s:
            url = s.get_bind().url.render_as_string(hide_password=False)
        env = {"SANWEI_CLOCK": clock.now().isoformat()}
        return run("incident", "show", str(incident_id), "--db", url, env=env).stdout.splitlines()

    drill = shown(drill_id)
    assert (drill["report_due_at"], drill["report_on_exercise_clock"], drill["report_overdue"]) == (
        due.isoformat(),
        True,
        False,
    )
    assert f"by {due:%Y-%m-%d %H:%M} on the exercise clock" in drill["report_deadline"]
    assert f"须于演练时钟 {due:%Y-%m-%d %H:%M} 前报国务院" in drill["report_deadline"]
    real = shown(real_id)  # the real incident beside it keeps the wall clock
    assert (real["report_due_at"], real["report_on_exercise_clock"]) == (
        (T0 + dt.timedelta(minutes=1, hours=4)).isoformat(),
        False,
    )

    clock.advance(seconds=200)  # +04:20, then a pause far longer than the real deadline
    door(Session, clock, "city_drill").execute("exercise.pause", {"id": ex_id})
    clock.advance(hours=6)
    assert shown(drill_id)["report_overdue"] is False  # the exercise clock stands at +04:20
    assert shown(real_id)["report_overdue"] is True
    assert not briefed(drill_id).endswith("OVERDUE.") and briefed(real_id).endswith("OVERDUE.")
    door(Session, clock, "city_drill").execute("exercise.resume", {"id": ex_id})
    clock.advance(seconds=40)  # +05:00: due now, not yet past
    assert shown(drill_id)["report_overdue"] is False
    assert not cli_show(drill_id)[1].endswith("OVERDUE")
    clock.advance(seconds=1)  # +05:01
    assert shown(drill_id)["report_overdue"] is True
    assert briefed(drill_id).endswith(" on the exercise clock (an exercise: no real report) — OVERDUE.")
    deadline = cli_show(drill_id)[1]
    assert f"by {due:%Y-%m-%d %H:%M} on the exercise clock" in deadline and deadline.endswith(" — OVERDUE")


# --- an exercise that ends by itself ----------------------------------------------------------------------


def stopped_events(Session, ex_id: int) -> list[JournalEvent]:
    with Session() as s:
        return list(
            s.scalars(
                select(JournalEvent).where(
                    JournalEvent.kind == "exercise.stopped", JournalEvent.subject == f"exercise/{ex_id}"
                )
            )
        )


def test_an_exercise_that_ends_after_its_injects_is_ended_by_the_tick_that_finds_its_end(Session, tmp_path):
    """The last inject with a limit is 7 (+00:07, within 15 min): at 60x the end is 22 wall seconds in,
    until an ad-hoc inject with a longer limit moves it; the tick then ends it as the simulation cell."""
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0, end_after="injects")
    clock.advance(seconds=9)
    result = tick(Session, clock, ex_id)
    assert result["next_due_s"] is None and result["ends_s"] == 22 * 60
    assert (result["state"], result["end_due"]) == ("running", False)
    # Ten scenario minutes in, the controller adds a message the players have 30 minutes for.
    clock.advance(seconds=1)
    door(Session, clock, "city_drill").execute(
        "exercise.inject",
        {
            "id": ex_id,
            "inject": {
                "kind": "message",
                "message": "Report",
                "expected_action": "exercise.ack",
                "expected_within": 30,
            },
        },
    )
    clock.advance(seconds=12)  # +00:22, the first end
    result = tick(Session, clock, ex_id)
    assert result["delivered"] == ["A1"] and result["ends_s"] == 40 * 60
    assert (result["state"], result["end_due"]) == ("running", False) and not stopped_events(Session, ex_id)
    clock.advance(seconds=18)  # +00:40
    result = tick(Session, clock, ex_id)
    assert (result["state"], result["end_due"], result["ended"]) == ("completed", True, True)
    (event,) = stopped_events(Session, ex_id)
    assert event.actor == f"exercise-{ex_id}:city_drill" and event.seq == result["journal_seq"]
    assert event.payload["reason"] == "every inject is out and the last one's Expected Within has passed"
    doc = status(Session, clock, ex_id)
    assert (doc["state"], doc["ended_by"], doc["end_after"], doc["ends"]) == (
        "completed",
        f"exercise-{ex_id}:city_drill",
        "injects",
        "+00:40",
    )
    # Ended, it stays ended: a later tick delivers nothing and ends nothing again.
    clock.advance(seconds=60)
    assert tick(Session, clock, ex_id)["end_due"] is False and len(stopped_events(Session, ex_id)) == 1


def test_a_demo_ends_after_its_injects_unless_told_and_a_real_drill_waits_for_a_person(Session, tmp_path):
    clock = FixedClock(T0)
    demo = start(Session, clock, tmp_path, speed=60.0, demo=True)
    assert status(Session, clock, demo)["end_after"] == "injects"
    clock.advance(seconds=22)
    assert tick(Session, clock, demo)["state"] == "completed"
    drill = start(Session, clock, tmp_path, speed=60.0)
    clock.advance(hours=1)  # an exercise hour past its last inject's limit
    result = tick(Session, clock, drill)
    assert (result["state"], result["ends_s"], result["end_due"]) == ("running", None, False)
    assert status(Session, clock, drill)["end_after"] is None and not stopped_events(Session, drill)
    door(Session, clock, "city_drill").execute("exercise.stop", {"id": drill})
    kept = start(Session, clock, tmp_path, speed=60.0, demo=True, end_after="none")
    clock.advance(hours=1)
    assert tick(Session, clock, kept)["state"] == "running"


def test_an_exercise_ends_at_a_chosen_scenario_time_and_what_is_pending_then_is_skipped(Session, tmp_path):
    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=60.0, end_after="00:04")
    clock.advance(seconds=9)  # the driver comes late: +00:09, past the end
    result = tick(Session, clock, ex_id)
    assert result["delivered"] == ["1", "2", "3", "4"]  # none after +00:04 went out
    assert (result["state"], result["ended"]) == ("stopped", True)
    assert status(Session, clock, ex_id)["counts"] == {"delivered": 4, "skipped": 4}
    (event,) = stopped_events(Session, ex_id)
    assert (
        event.payload["reason"] == "the exercise ran to its chosen end (+00:04)"
        and event.payload["skipped"] == 4
    )


@pytest.mark.parametrize(
    ("end_after", "start_at", "message"),
    [
        ("soon", None, "end after 'soon'? It is 'injects', 'none' or a scenario time such as 18:00"),
        ("00:30", "01:00", "the exercise cannot end at +00:30: it starts at +01:00"),
    ],
)
def test_a_bad_end_is_refused_and_starts_nothing(Session, tmp_path, end_after, start_at, message):
    head = journal_head(Session)
    extra = {"from": start_at} if start_at else {}
    with pytest.raises(InputError) as refused:
        start(Session, FixedClock(T0), tmp_path, end_after=end_after, **extra)
    assert str(refused.value) == message
    assert journal_head(Session) == head


# --- is anything driving it? ---------------------------------------------------------------------------------


def test_each_tick_notes_its_driver_alive_without_a_journal_event_and_silence_means_none_is(
    Session, tmp_path
):
    from modes.exercises.liveness import HEARTBEAT_EVERY_S, STALE_AFTER_S

    clock = FixedClock(T0)
    ex_id = start(Session, clock, tmp_path, speed=1.0)  # the second inject is two wall minutes away
    assert status(Session, clock, ex_id)["driver"] == {
        "alive": False,
        "last_tick": None,
        "age_s": None,
        "by": None,
    }
    drill = door(Session, clock, "city_drill")
    drill.execute("exercise.tick", {"id": ex_id, "driver": "exercise drive (pid 1 on test)"})  # delivers 1
    head = journal_head(Session)
    assert status(Session, clock, ex_id)["driver"] == {
        "alive": True,
        "last_tick": "2026-03-02 09:00:00",
        "age_s": 0.0,
        "by": "exercise drive (pid 1 on test)",
    }
    # Another driver ticks a second later: the note is not rewritten more often than every 2 s.
    clock.advance(seconds=1)
    drill.execute("exercise.tick", {"id": ex_id})  # no label: the person who ticks
    assert status(Session, clock, ex_id)["driver"]["by"] == "exercise drive (pid 1 on test)"
    clock.advance(seconds=HEARTBEAT_EVERY_S)
    drill.execute("exercise.tick", {"id": ex_id})
    doc = status(Session, clock, ex_id)["driver"]
    assert (doc["by"], doc["last_tick"]) == ("city_drill", "2026-03-02 09:00:03")
    assert journal_head(Session) == head  # a heartbeat is no event
    # Nobody ticks any more: alive until STALE_AFTER_S have passed since the last tick, then not.
    clock.advance(seconds=STALE_AFTER_S)
    assert status(Session, clock, ex_id)["driver"]["alive"] is True
    clock.advance(seconds=1)
    doc = status(Session, clock, ex_id)["driver"]
    assert (doc["alive"], doc["age_s"], doc["last_tick"]) == (False, STALE_AFTER_S + 1, "2026-03-02 09:00:03")
