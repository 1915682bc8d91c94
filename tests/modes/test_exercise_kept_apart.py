"""The proof that exercises are kept apart, on a seeded small city with history (SQLite and PostgreSQL):
an exercise runs through the command bus (a CSV MSEL of a few dozen reports, an incident and an alarm, at
3,600 times the wall clock), players act on its cases as real logins, and the real KPIs, seats' KPIs,
dashboard and the KPIs from the journal come out identical; asked to include exercises they differ,
asked for only exercises they count the exercise alone. Then the purge: refused until the exercise has
ended (with a reason, by whom may), it removes the exercise's records and nothing real, journaled, the
audit still verifies and still finds tampering, no purged id comes back, and the shared picture drops
what went."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from data.civil_defence_models import Alarm, AlarmDelivery
from data.db import make_engine, session_factory, upgrade_schema
from data.demo import seed_demo
from data.demo_city import DEMO_PASSWORD
from data.emergency_models import DispatchTask, Incident, IncidentLogEntry, RescueUnit
from data.errors import InputError
from data.exercise_models import Exercise, ExerciseInject
from data.models import Case, CaseHistory, GridCell, JournalEvent
from modes.bus import city_bus
from modes.common import auth
from modes.common.audit import run_audit
from modes.common.clock import FixedClock
from modes.common.command_bus import call_local
from modes.common.picture import build_state, rebuild, touched_by
from modes.everyday.case_audit import CaseChecker
from modes.everyday.cases import CaseDesk
from modes.everyday.dashboard import dashboard_figures
from modes.everyday.evaluation import evaluate, evaluate_from_journal
from modes.everyday.history import generate_history
from modes.everyday.trends import daily_trends
from modes.exercises.exercises import ExerciseRefused, load_scenario, scenario_args
from tests.modes.test_history import backend_url, drop_schema

END = dt.date(2026, 3, 1)  # the history's last day, a Sunday
T0 = dt.datetime(2026, 3, 2, 9, 0)  # Monday morning: the figures are taken as of now
REPORTS = 36
SPEED = 3600.0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def drill_city(request, tmp_path_factory):
    """The small demo city (both modes' demo sets) with ten days of history ending on END, committed."""
    url, schema = backend_url(request, tmp_path_factory, "drill")
    engine = make_engine(url)
    upgrade_schema(engine)
    make = session_factory(engine)
    with make() as s, s.begin():
        seed_demo(s, scale="small", seed=1, at=dt.datetime(2026, 1, 1))
    with make() as s, s.begin():
        generate_history(s, days=10, seed=7, end=END, per_day=120)
    yield engine
    engine.dispose()
    drop_schema(schema)


@pytest.fixture
def city(drill_city, tmp_path):
    """The drill city in a transaction rolled back after the test; each command commits a savepoint of
    it, as the command bus commits its own transaction."""
    conn = drill_city.connect()
    outer = conn.begin()

    def make() -> Session:
        return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)

    clock = FixedClock(T0)
    bus = city_bus()
    people: dict[str, object] = {}

    def run(login: str | None, name: str, args: dict):
        if login is not None and login not in people:
            people[login] = auth.sign_in(make, login, DEMO_PASSWORD, clock)  # the password, as the door
        return call_local(bus, make, clock, name, args, person=people.get(login))

    try:
        yield SimpleNamespace(make=make, clock=clock, run=run, msel=_msel(make, tmp_path / "drill.csv"))
    finally:
        outer.rollback()
        conn.close()


def _msel(make, path: Path) -> Path:
    """A CSV MSEL on this city: REPORTS reports a minute apart in cells across the city (supervisors'
    and hotline callers'), a level II fire and a preliminary alarm in every district."""
    with make() as s:
        cells = list(s.scalars(select(GridCell.code).order_by(GridCell.code)))
    rows = [
        {
            "No": i + 1, "Time": f"00:{i:02d}", "Kind": "report", "From": "caller", "To": "city_operator",
            "Message": f"演练上报 drill report {i + 1}", "Expected Action": "case.accept", "Expected Within": 10,
            "Type": ("06010", "07001", "06029", "06001")[i % 4], "Channel": ("supervisor", "hotline")[i % 2],
            "Cell": cells[(i * 37) % len(cells)],
        }
        for i in range(REPORTS)
    ]  # fmt: skip
    rows.append(
        {
            "No": REPORTS + 1,
            "Time": "00:40",
            "Kind": "incident",
            "From": "HQ",
            "To": "city_commander",
            "Message": "演练火灾 drill fire",
            "Type": "fire",
            "Level": "II",
            "Radius": 100,
            "Cell": cells[40],
        }
    )
    rows.append({"No": REPORTS + 2, "Time": "00:41", "Kind": "alarm", "From": "HQ", "To": "city_civil_defence",
                 "Message": "演练警报 drill alarm", "Alarm": "pre"})  # fmt: skip
    columns = ["No", "Time", "Kind", "From", "To", "Message", "Expected Action", "Expected Within", "Type",
               "Channel", "Level", "Radius", "Cell", "Alarm"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _run_exercise(city) -> int:
    """Start the MSEL as the drill coordinator and tick it on the exercise clock until all is out."""
    started = city.run("city_drill", "exercise.start", {"scenario": scenario_args(load_scenario(str(city.msel))),
                                                        "speed": SPEED})  # fmt: skip
    ex_id = started["id"]
    for _ in range(20):
        city.clock.advance(seconds=0.25)  # 15 minutes of exercise time a step
        (tick,) = city.run(None, "exercise.tick", {"id": ex_id})["exercises"]
        assert tick["refused"] == []
        if tick["next_due_s"] is None:
            break
    status = city.run(None, "query.exercise", {"id": ex_id})
    assert status["counts"].get("pending", 0) == 0 and len(status["injects"]) == REPORTS + 2
    return ex_id


def _play(city, ex_id: int) -> dict[str, list[int]]:
    """Players act on the exercise's cases as real logins: the supervisors' reports accepted, filed and
    dispatched; the hotline calls sent for verification."""
    with city.make() as s:
        cases = s.execute(
            select(Case.id, Case.channel).where(Case.exercise_id == ex_id).order_by(Case.id)
        ).all()
    acted: dict[str, list[int]] = {"dispatched": [], "sent_to_verify": []}
    for case_id, channel in cases[:12]:
        city.clock.advance(minutes=1)
        if channel == "supervisor":
            for action, login in (("accept", "city_operator"), ("file", "city_shift_leader"),
                                  ("dispatch", "city_dispatcher")):  # fmt: skip
                doc = city.run(login, "case.act", {"id": case_id, "action": action})
            assert doc["state"] == "dispatched"
            acted["dispatched"].append(case_id)
        else:
            city.run("city_operator", "case.act", {"id": case_id, "action": "send_verify"})
            acted["sent_to_verify"].append(case_id)
    return acted


def _figures(make, exercises: str) -> dict:
    """Every real figure the city reports, as of T0: KPIs by department, district, supervisor and seat,
    the dashboard (trends and rankings), and the KPIs recomputed from the journal."""
    with make() as s:
        period = {"start": None, "end": None, "now": T0, "exercises": exercises}
        trends = daily_trends(s, now=T0, exercises=exercises)
        return {
            **{by: evaluate(s, by=by, **period)["rows"] for by in ("department", "district", "supervisor", "role")},
            **{f"journal:{by}": evaluate_from_journal(s, by=by, **period)["rows"] for by in ("department", "district")},
            "dashboard": dashboard_figures(s, trends, T0),
        }  # fmt: skip


def _unlabelled(figures: dict) -> dict:
    """The figures without the dashboard's note of which cases it counted, to compare two choices."""
    return {**figures, "dashboard": dataclasses.replace(figures["dashboard"], exercises="")}


def _by_key(rows: list[dict]) -> dict[str, dict]:
    return {r["key"]: r for r in rows}


def test_real_kpis_and_the_dashboard_are_unchanged_by_an_exercise(city):
    before = _figures(city.make, "leave")
    assert before["department"] and before["district"] and before["role"]  # the history gives them rows
    assert _unlabelled(before) == _unlabelled(_figures(city.make, "include"))  # nothing of an exercise yet
    ex_id = _run_exercise(city)
    acted = _play(city, ex_id)
    assert len(acted["dispatched"]) >= 4 and acted["sent_to_verify"]

    assert _figures(city.make, "leave") == before  # identical real figures
    included, only = _figures(city.make, "include"), _figures(city.make, "only")
    for name in ("department", "district", "role", "journal:department", "journal:district", "dashboard"):
        assert included[name] != before[name], name
    # Only: the exercise's cases alone, and real + exercise = both, district by district.
    with city.make() as s:
        exercise_cases = s.scalar(select(func.count()).select_from(Case).where(Case.exercise_id == ex_id))
    assert exercise_cases == REPORTS  # no report was linked to a real case as a duplicate
    assert sum(r["reported"] for r in only["district"]) == REPORTS
    assert sum(r["reported"] for r in only["department"]) == len(acted["dispatched"])
    leave, both, alone = (_by_key(f["district"]) for f in (before, included, only))
    for key in both:
        real = leave[key]["reported"] if key in leave else 0
        assert both[key]["reported"] == real + (alone[key]["reported"] if key in alone else 0), key
    seats = _by_key(only["role"])
    assert sum(r["dispatches"] for k, r in seats.items() if k.startswith("dispatcher:")) == len(
        acted["dispatched"]
    )
    # The journal counts the same cases for every choice.
    assert included["journal:district"] == included["district"]
    assert only["journal:department"] == only["department"]
    assert sum(sum(day) for day in only["dashboard"].intake.values()) == REPORTS


def test_purge_removes_the_exercises_records_and_nothing_real(city):
    ex_id = _run_exercise(city)
    acted = _play(city, ex_id)
    # The exercise's incident has a unit sent and back: its task and log lines go with it.
    with city.make() as s:
        drill_incident = s.scalar(select(Incident.id).where(Incident.exercise_id == ex_id))
        unit = s.scalar(select(RescueUnit.id).where(RescueUnit.status == "available").order_by(RescueUnit.id))
    order = city.run("city_commander", "incident.dispatch", {"incident_id": drill_incident, "unit": unit})
    # Real records made while the exercise runs, by the same people.
    city.clock.advance(minutes=1)
    real_case = city.run("city_operator", "case.report", {"x": 126.65, "y": 45.72, "lonlat": True, "channel": "hotline",
                                                         "type": "06010", "text": "真实上报 a real report"})  # fmt: skip
    real_incident = city.run("city_commander", "incident.open", {"type": "fire", "level": "IV", "x": 126.65,
                                                                 "y": 45.72, "lonlat": True})  # fmt: skip
    real_alarm = city.run("city_civil_defence", "alarm.issue", {"kind": "pre", "districts": "all"})
    assert (
        real_case["exercise"] is None
        and not real_incident["incident"]["exercise"]
        and not real_alarm["exercise"]
    )
    kept = _snapshot(city.make, real_case["id"], real_incident["id"], real_alarm["alarm_id"])
    real_before = _figures(city.make, "leave")

    def purge(login: str, reason: str | None = "drill over: its records are not needed"):
        return city.run(login, "exercise.purge", {"id": ex_id, "reason": reason})

    with pytest.raises(ExerciseRefused, match=f"exercise {ex_id} is running: only a stopped or completed"):
        purge("city_drill")
    city.run("city_drill", "exercise.stop", {"id": ex_id})
    with pytest.raises(InputError, match="purging an exercise needs its reason"):
        purge("city_drill", "  ")
    with pytest.raises(ExerciseRefused, match="city_operator .operator. may not purge an exercise"):
        purge("city_operator")
    with pytest.raises(ExerciseRefused, match=f"dispatch task {order['order_id']} is not finished"):
        purge("city_drill")
    city.run("city_commander", "task.status", {"order_id": order["order_id"], "status": "cancelled"})
    with city.make() as s:
        history_rows = s.scalar(
            select(func.count()).select_from(CaseHistory).join(Case).where(Case.exercise_id == ex_id)
        )
        published = {k: item.body for k, item in build_state(s, city.clock.now()).items()}
        ours = {
            "cases": _ids(s, Case, Case.exercise_id == ex_id),
            "incidents": _ids(s, Incident, Incident.exercise_id == ex_id),
            "cd_alarms": _ids(s, Alarm, Alarm.exercise_id == ex_id),
        }
    assert len(ours["cases"]) == REPORTS and len(ours["incidents"]) == 1 and len(ours["cd_alarms"]) == 1

    done = purge("city_commander")  # the city commander may, as the drill coordinator may
    assert done["removed"]["cases"] == REPORTS and done["removed"]["dispatch_tasks"] == 1
    assert done["removed"]["incidents"] == 1 and done["removed"]["cd_alarms"] == 1
    # Each report's row, three more for each dispatched case, one for each sent for verification.
    assert history_rows >= REPORTS + 3 * len(acted["dispatched"]) + len(acted["sent_to_verify"])
    assert done["removed"]["case_history"] == history_rows
    with city.make() as s:
        event = s.get(JournalEvent, done["journal_seq"])
        assert (event.kind, event.subject, event.actor) == (
            "exercise.purged",
            f"exercise/{ex_id}",
            "city_commander",
        )
        removed = event.payload["removed"]
        assert {t: removed[t] for t in ours} == ours and event.payload["orders"] == [order["order_id"]]
        assert event.payload["reason"] == "drill over: its records are not needed"
        assert removed["dispatch_tasks"] and removed["incident_log"] and removed["cd_alarm_deliveries"]
        for model, table in ((Case, "cases"), (CaseHistory, "case_history"), (Incident, "incidents"),
                             (DispatchTask, "dispatch_tasks"), (IncidentLogEntry, "incident_log"), (Alarm, "cd_alarms"),
                             (AlarmDelivery, "cd_alarm_deliveries")):  # fmt: skip
            assert _ids(s, model, model.id.in_(removed[table])) == [], table
        assert s.get(Exercise, ex_id).purged_at == city.clock.now()
        assert s.scalar(select(RescueUnit.status).where(RescueUnit.id == unit)) == "available"
    assert _snapshot(city.make, real_case["id"], real_incident["id"], real_alarm["alarm_id"]) == kept
    assert _figures(city.make, "leave") == real_before  # the real figures do not move
    # And nothing of the exercise is left to count.
    assert _unlabelled(_figures(city.make, "include")) == _unlabelled(real_before)
    with pytest.raises(ExerciseRefused, match=f"exercise {ex_id} was purged already"):
        purge("city_drill")

    # The shared picture drops every row and key that went (districts and consoles delete them).
    with city.make() as s:
        fresh = rebuild(s, touched_by([event]), city.clock.now(), published=published)
    gone = {k for k, item in fresh.items() if item.body == b""}
    assert {f"/case/{i}" for i in ours["cases"]} <= gone and f"/incident/{ours['incidents'][0]}" in gone
    assert {k for k in published if k.startswith(f"/alarm/{ours['cd_alarms'][0]}/")} <= gone
    assert f"/task/{order['order_id']}" in gone
    assert f"/case/{real_case['id']}" not in gone and f"/incident/{real_incident['id']}" not in gone
    assert not any(k.startswith(f"/alarm/{real_alarm['alarm_id']}/") for k in gone)


def test_after_a_purge_the_audit_verifies_and_still_finds_tampering(city):
    ex_id = _run_exercise(city)
    _play(city, ex_id)
    with city.make() as s:
        report = run_audit(s, [CaseChecker()])
        assert report.ok, report.mismatches  # exercise cases replay to their exercise id
        purged = _ids(s, Case, Case.exercise_id == ex_id)
        real = s.scalar(select(Case.id).where(Case.exercise_id.is_(None)).order_by(Case.id.desc()).limit(1))
    city.run("city_drill", "exercise.stop", {"id": ex_id})
    city.run("city_drill", "exercise.purge", {"id": ex_id, "reason": "drill over"})
    with city.make() as s:
        report = run_audit(s, [CaseChecker()])
        assert report.ok, report.mismatches
        assert report.checked["case"] == s.scalar(select(func.count()).select_from(Case))
    # No purged id comes back: the next real case, incident and alarm take ids above the purged ones.
    city.clock.advance(minutes=1)
    after = city.run("city_operator", "case.report", {"x": 126.65, "y": 45.72, "lonlat": True, "channel": "hotline",
                                                     "type": "06010"})  # fmt: skip
    assert after["id"] > max(purged)
    with city.make() as s, s.begin():
        # Tampering: a real case's row changed, and a row put back under a purged case's id.
        s.execute(update(Case).where(Case.id == real).values(channel="media"))
        columns = [c.name for c in Case.__table__.columns if c.name != "id"]
        s.execute(
            text(f"INSERT INTO cases (id, {', '.join(columns)}) SELECT :ghost, {', '.join(columns)} FROM cases "
                 "WHERE id = :real"),
            {"ghost": purged[0], "real": real},
        )  # fmt: skip
    with city.make() as s:
        report = run_audit(s, [CaseChecker()])
    assert report.first_bad_event is None and not report.ok
    assert report.mismatches["case"] == {
        real: ("channel",),
        purged[0]: (f"removed by the purge of exercise {ex_id}, yet its row is here",),
    }


def test_a_real_report_never_links_to_an_exercise_case_nor_the_other_way(city):
    ex_id = _run_exercise(city)
    with city.make() as s:
        desk = CaseDesk(s, city.clock)
        # An exercise case with no real open case of its type nearby: a real report there would link to
        # nothing real, and the rule takes the exercise's case for its own exercise's reports alone.
        drill = next(
            c
            for c in s.scalars(select(Case).where(Case.exercise_id == ex_id).order_by(Case.id))
            if c.state == "reported" and not desk.duplicate_candidates(c.type_code, c.x + 3, c.y, c.cell_code)
        )
        theirs = desk.duplicate_candidates(
            drill.type_code, drill.x + 3, drill.y, drill.cell_code, exercise_id=ex_id
        )
        assert drill.id in [c.id for _, c in theirs]
    city.clock.advance(minutes=1)
    same_place = {"x": drill.x + 3, "y": drill.y, "channel": "hotline", "type": drill.type_code}
    real = city.run("city_operator", "case.report", same_place)
    assert (real["exercise"], real["duplicate_of"], real["state"]) == (None, None, "reported")
    with pytest.raises(
        InputError, match=f"case {drill.id} is exercise {ex_id}'s case: a real report is never"
    ):
        city.run("city_operator", "case.report", {**same_place, "duplicate_of": drill.id})
    again = city.run("city_operator", "case.report", same_place)
    assert again["duplicate_of"] == real["id"]  # real links to real


def _ids(s: Session, model, condition) -> list[int]:
    return list(s.scalars(select(model.id).where(condition).order_by(model.id)))


def _snapshot(make, case_id: int, incident_id: int, alarm_id: int) -> tuple:
    """The real records' rows, column by column, with their history, log and deliveries."""
    with make() as s:

        def rows(model, condition) -> list[tuple]:
            return [
                tuple(r)
                for r in s.execute(select(*model.__table__.columns).where(condition).order_by(model.id))
            ]

        return (
            rows(Case, Case.id == case_id),
            rows(CaseHistory, CaseHistory.case_id == case_id),
            rows(Incident, Incident.id == incident_id),
            rows(IncidentLogEntry, IncidentLogEntry.incident_id == incident_id),
            rows(Alarm, Alarm.id == alarm_id),
            rows(AlarmDelivery, AlarmDelivery.alarm_id == alarm_id),
        )


def test_purge_waits_for_an_alarm_order_of_the_exercise_and_refuses_a_record_that_refers_to_it(city):
    # Under the two-person rule the exercise's alarm inject is an order waiting for a second officer.
    city.run("city_commander", "settings.two_person", {"on": True})
    ex_id = _run_exercise(city)
    city.run("city_drill", "exercise.stop", {"id": ex_id})
    with city.make() as s:
        (record,) = s.scalars(
            select(ExerciseInject.record).where(
                ExerciseInject.exercise_id == ex_id, ExerciseInject.kind == "alarm"
            )
        ).all()
    assert record.startswith("order/")
    with pytest.raises(
        ExerciseRefused, match=f"its alarm order {record[6:]} still waits for a second officer"
    ):
        city.run("city_drill", "exercise.purge", {"id": ex_id, "reason": "drill over"})
    city.clock.advance(minutes=2)  # nobody confirmed it in time: it can no longer sound
    # A real incident that refers to one of the exercise's cases (the rules never make one): removing the
    # case would change it, so the purge is refused, naming it.
    real = city.run("city_commander", "incident.open", {"type": "fire", "level": "IV", "x": 126.65, "y": 45.72,
                                                        "lonlat": True})  # fmt: skip
    with city.make() as s, s.begin():
        case_id = s.scalar(select(Case.id).where(Case.exercise_id == ex_id).order_by(Case.id).limit(1))
        s.execute(update(Incident).where(Incident.id == real["id"]).values(case_id=case_id))
    with pytest.raises(
        ExerciseRefused, match=f"incident {real['id']}, not the exercise's, was escalated from"
    ):
        city.run("city_drill", "exercise.purge", {"id": ex_id, "reason": "drill over"})
    with city.make() as s, s.begin():
        s.execute(update(Incident).where(Incident.id == real["id"]).values(case_id=None))
    done = city.run("city_drill", "exercise.purge", {"id": ex_id, "reason": "drill over"})
    assert (
        done["removed"]["cases"] == REPORTS and done["removed"]["cd_alarms"] == 0
    )  # the alarm never sounded
