"""Generated history: legal paths through the transition table, columns as the case desk writes them,
deadlines from the working calendar, realistic shares, the journal, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from data import journal
from data.db import make_engine, session_factory, upgrade_schema
from data.errors import InputError, NoCity
from data.models import Case, CaseHistory, Component, JournalEvent, Role, Staff
from data.spatial import GridIndex
from modes.common.clock import FixedClock
from modes.everyday import workflow
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.history import generate_history, simulate_history
from modes.everyday.routing import Router

END = dt.date(2026, 3, 1)  # a Sunday
NOW = dt.datetime(2026, 3, 2)  # "now" for the generated history: midnight after the last day
DAYS = 12
PER_DAY = 150


# --- a seeded small city per backend, shared by the tests of a module ----------------------------------


def backend_url(request, tmp_path_factory, label: str) -> tuple[str, str | None]:
    """A fresh database of the fixture's backend: a SQLite file, or its own PostgreSQL schema."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp(label) / "city.db"), None
    from tests.conftest import PG_URL, pg_admin_engine

    admin = pg_admin_engine()
    schema = f"{label}_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str | None) -> None:
    if schema is None:
        return
    from tests.conftest import PG_URL

    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def history_city(request, tmp_path_factory):
    """A small demo city with DAYS days of history ending on END, committed."""
    from data.demo_city import seed_city

    url, schema = backend_url(request, tmp_path_factory, "hist")
    engine = make_engine(url)
    upgrade_schema(engine)
    Session = session_factory(engine)
    with Session() as s, s.begin():
        seed_city(s, scale="small", seed=1, at=dt.datetime(2026, 1, 1))
    with Session() as s, s.begin():
        summary = generate_history(s, days=DAYS, seed=7, end=END, per_day=PER_DAY)
    yield SimpleNamespace(engine=engine, Session=Session, summary=summary, backend=request.param)
    engine.dispose()
    drop_schema(schema)


@pytest.fixture
def hs(history_city):
    """A session on the history city whose writes are rolled back after the test."""
    conn = history_city.engine.connect()
    outer = conn.begin()
    s = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        conn.close()


# --- the generated history --------------------------------------------------------------------------------


def test_every_history_is_a_legal_path_through_the_table(history_city):
    with history_city.Session() as s:
        rows = s.execute(
            select(
                CaseHistory.case_id,
                CaseHistory.action,
                CaseHistory.role,
                CaseHistory.from_state,
                CaseHistory.to_state,
                CaseHistory.at,
                CaseHistory.note,
            ).order_by(CaseHistory.case_id, CaseHistory.id)
        ).all()
        final = dict(s.execute(select(Case.id, Case.state)).all())
    assert len(rows) == history_city.summary["history_rows"]
    by_case = defaultdict(list)
    for r in rows:
        by_case[r.case_id].append(r)
    assert set(by_case) == set(final)
    actions = Counter()
    for case_id, steps in by_case.items():
        first = steps[0]
        assert (first.action, first.from_state) == ("report", None)
        assert first.to_state in ("reported", "merged")
        assert first.role in ("supervisor", "operator")
        state, last_at = first.to_state, first.at
        for step in steps[1:]:
            assert step.from_state == state, (case_id, step)
            tr = workflow.check(step.from_state, step.action, step.role)  # raises on an illegal step or role
            assert tr.target.value == step.to_state
            assert step.note or not tr.needs_note, (case_id, step.action)
            assert step.at > last_at, (case_id, step.action)
            state, last_at = step.to_state, step.at
            actions[step.action] += 1
        assert state == final[case_id]
        assert last_at < NOW  # nothing after "now"
    # Every kind of step of the loop occurs, the special paths included.
    assert set(actions) >= {
        "accept", "send_verify", "verify", "not_found", "self_fix", "approve_self_fix", "file", "void",
        "dispatch", "start", "request_return", "approve_return", "request_extension", "approve_extension",
        "request_suspension", "approve_suspension", "feedback", "send_check", "check_pass", "check_fail",
        "rework", "close", "evaluate",
    }  # fmt: skip


def test_volume_channels_and_outcomes_are_realistic(history_city):
    summary = history_city.summary
    n = summary["cases"]
    assert abs(n - DAYS * PER_DAY) < 4 * (DAYS * PER_DAY) ** 0.5  # Poisson around the daily rate
    shares = {k: v / n for k, v in summary["channels"].items()}
    assert 0.55 < shares["supervisor"] < 0.72  # supervisors find most problems
    assert set(shares) == {"supervisor", "camera", "hotline", "internet", "patrol", "media"}
    with history_city.Session() as s:
        old = Case.reported_at < dt.datetime.combine(END - dt.timedelta(days=5), dt.time())
        total_old = s.scalar(select(func.count()).where(old, Case.state.not_in(["merged", "voided"])))
        closed_old = s.scalar(select(func.count()).where(old, Case.closed_at.is_not(None)))
        assert closed_old / total_old > 0.9  # >90% closed once their time has passed
        kinds = Counter(
            dict(s.execute(select(Case.closure_kind, func.count()).group_by(Case.closure_kind)).all())
        )
        assert kinds["overdue"] > 0 and kinds["normal"] > 10 * kinds["overdue"]
        sat = Counter(
            dict(s.execute(select(Case.satisfaction, func.count()).group_by(Case.satisfaction)).all())
        )
        evaluated = sat["satisfied"] + sat["basic"] + sat["unsatisfied"]
        assert evaluated > 50 and (sat["satisfied"] + sat["basic"]) / evaluated > 0.9
        # Recent cases are still open, and some of them overdue, as in a live centre.
        open_now = s.scalar(
            select(func.count()).where(Case.state.not_in(["closed", "evaluated", "voided", "merged"]))
        )
        overdue = s.scalar(
            select(func.count()).where(
                Case.state.in_(["dispatched", "handling"]),
                Case.deadline < NOW,
                Case.dispatched_at.is_not(None),
            )
        )
        assert open_now > 0 and overdue > 0
        assert s.scalar(select(func.count()).where(Case.urgent.is_(True))) >= 0
        merged = s.scalars(select(Case).where(Case.state == "merged")).all()
        assert merged, "some reports are duplicates"
    for path in (
        "self_fixed",
        "returned",
        "extended",
        "suspended",
        "reworked",
        "voided",
        "merged",
        "not_found",
    ):
        assert summary["special_paths"].get(path, 0) > 0, path


def test_cases_are_located_routed_and_linked_like_the_case_desk_does(history_city):
    with history_city.Session() as s:
        router = Router.load(s)
        cases = s.execute(
            select(
                Case.id, Case.kind, Case.type_code, Case.x, Case.y, Case.cell_code, Case.district_code,
                Case.department_code, Case.component_id, Case.return_count, Case.duplicate_of, Case.state,
                Case.reported_at,
            )
        ).all()  # fmt: skip
        owners = dict(s.execute(select(Component.id, Component.owner_code)).all())
        by_id = {c.id: c for c in cases}
        grid = GridIndex.load(s)
    cells = grid.locate_many([c.x for c in cases], [c.y for c in cases])
    assert cells == [c.cell_code for c in cases]  # every point lies in its cell
    for c in cases:
        assert c.district_code == c.cell_code[:6]
        if c.state == "filed" and c.return_count:
            continue  # returned by the unit it was misrouted to, not yet dispatched again: still theirs
        if c.kind == "component":
            assert c.department_code == owners[c.component_id]
        else:
            assert c.department_code == router.department_for_event(c.district_code, c.type_code)
        if c.duplicate_of is not None:
            original = by_id[c.duplicate_of]
            assert c.state == "merged" and original.id < c.id
            assert (original.type_code, original.cell_code) == (c.type_code, c.cell_code)
            assert c.reported_at - original.reported_at <= dt.timedelta(hours=72)


def test_stage_due_times_and_deadlines_follow_the_config(history_city):
    with history_city.Session() as s:
        config = EverydayConfig.load(s)
        cal = config.calendar
        cases = s.scalars(select(Case).where(Case.state != "merged")).all()
        for c in cases:
            assert c.accept_due == config.stage_limit("accept").due(c.reported_at, cal, continuous=c.urgent)
            if c.filed_at and c.dispatch_due and not c.return_count and not c.rework_count:
                assert c.dispatch_due == config.stage_limit("dispatch").due(
                    c.filed_at, cal, continuous=c.urgent
                )
            if c.dispatched_at and not (c.extension_count or c.suspension_count):
                limit = config.handling_limit(c.kind, c.type_code, c.urgent)
                assert c.deadline == limit.due(c.dispatched_at, cal, continuous=c.urgent), c.id
            if c.closure_kind in ("normal", "overdue") and c.dispatched_at:
                assert (c.closure_kind == "normal") == (c.feedback_at <= c.deadline), c.id
            if c.state == "closed" and c.closure_kind is None:
                pytest.fail(f"case {c.id} closed without a closure kind")
            if c.state in ("suspended",):
                assert c.suspended_at is not None and c.suspension_count == 1


def test_every_stopped_stage_clock_kept_the_due_time_its_attempt_was_held_to(history_city):
    """Each history row that stopped a stage clock keeps the due time the rules give that attempt: the
    stage's limit counted from the step that started the stage (again, after a return or a failed
    check), in working time for an ordinary case. Most seats' steps are on time by it, some are not."""
    with history_city.Session() as s:
        config = EverydayConfig.load(s)
        cal = config.calendar
        urgent = dict(s.execute(select(Case.id, Case.urgent)).all())
        rows = s.execute(
            select(CaseHistory.case_id, CaseHistory.action, CaseHistory.from_state, CaseHistory.at,
                   CaseHistory.stage_due).order_by(CaseHistory.case_id, CaseHistory.id)
        ).all()  # fmt: skip
    started: dict[str, dt.datetime] = {}
    case_id = None
    on_time = Counter()
    for r in rows:
        if r.case_id != case_id:
            case_id, started = r.case_id, {}
        if r.action == "report":
            started["accept"] = r.at
            continue
        tr = workflow.find(r.from_state, r.action)
        if tr.stops is None:
            assert r.stage_due is None, (r.case_id, r.action)
        elif tr.stops != "handle":
            expected = config.stage_limit(tr.stops).due(started[tr.stops], cal, continuous=urgent[r.case_id])
            assert r.stage_due == expected, (r.case_id, r.action)
            on_time[tr.stops, r.at <= r.stage_due] += 1
        else:
            assert r.stage_due is not None
        if tr.starts is not None:
            started[tr.starts] = r.at
    for stage in ("accept", "verify", "file", "dispatch", "send_check", "check", "close"):
        done, late = on_time[stage, True], on_time[stage, False]
        assert done > 0.85 * (done + late), stage
    assert sum(on_time[stage, False] for stage in ("accept", "file", "dispatch")) > 0


def test_the_journal_holds_one_verified_event_per_case_matching_its_history(history_city):
    with history_city.Session() as s:
        assert journal.verify(s) >= history_city.summary["cases"]
        events = s.execute(
            select(JournalEvent.subject, JournalEvent.payload).where(JournalEvent.kind == "case.history")
        ).all()
        assert len(events) == history_city.summary["cases"]
        sample = dict(random.Random(1).sample(events, 40))
        for subject, payload in sample.items():
            case_id = int(subject.split("/")[1])
            steps = s.execute(
                select(CaseHistory.action, CaseHistory.role, CaseHistory.actor, CaseHistory.at)
                .where(CaseHistory.case_id == case_id)
                .order_by(CaseHistory.id)
            ).all()
            assert payload["steps"] == [[a, r, who, at.isoformat()] for a, r, who, at in steps]
            case = s.get(Case, case_id)
            assert payload["case"]["state"] == case.state
            assert payload["case"]["department"] == case.department_code


# --- the generator and the live loop agree --------------------------------------------------------------------

# Every step of the loop but the automatic duplicate link (the desk's own search, covered above).
LOOP_ACTIONS = {
    "accept", "send_verify", "verify", "not_found", "self_fix", "approve_self_fix", "file", "void", "dispatch",
    "start", "request_return", "approve_return", "request_extension", "approve_extension", "reject_extension",
    "request_suspension", "approve_suspension", "resume", "feedback", "send_check", "check_pass", "check_fail",
    "rework", "close", "evaluate",
}  # fmt: skip


def test_the_case_desk_taking_the_same_steps_writes_the_same_rows(hs, history_city):
    """Every distinct path the generator took (and a random sample besides), put to the live case desk
    step by step, at the same moments, by the same people (their staff logins, so the desk's scope rules
    apply), with the same inputs: the desk's case row and history rows equal the generated ones, column
    by column. An effect, a due time or a calendar rule on which the history and the desk disagreed
    would show here."""
    summary = history_city.summary
    first_id = summary["first_case_id"]
    simulated = list(simulate_history(hs, days=DAYS, seed=7, end=END, per_day=PER_DAY, first_id=first_id))
    assert [sim.id for sim, _ in simulated] == list(range(first_id, summary["last_case_id"] + 1))
    columns = [c for c in Case.__table__.columns if c.key != "id"]
    written = {r[0]: tuple(r[1:]) for r in hs.execute(select(Case.id, *columns))}
    history_columns = (CaseHistory.at, CaseHistory.actor, CaseHistory.role, CaseHistory.action,
                       CaseHistory.from_state, CaseHistory.to_state, CaseHistory.note,
                       CaseHistory.stage_due)  # fmt: skip
    written_history = defaultdict(list)
    for r in hs.execute(select(CaseHistory.case_id, *history_columns).order_by(CaseHistory.id)):
        written_history[r[0]].append(tuple(r[1:]))

    paths: dict[tuple, tuple] = {}
    for sim, facts in simulated:
        if sim.duplicate_of is None:
            paths.setdefault((tuple(step[0] for step in sim.steps), sim.urgent, sim.kind), (sim, facts))
    sample = list(paths.values())
    sample += random.Random(3).sample([c for c in simulated if c[0].duplicate_of is None], 40)
    taken = {step[0] for sim, _ in sample for step in sim.steps}
    assert taken >= LOOP_ACTIONS, LOOP_ACTIONS - taken
    assert any(sim.urgent for sim, _ in sample) and any(sim.kind == "component" for sim, _ in sample)

    # The desk links a report to an open case of its type nearby: let it see only the case it is given.
    hs.execute(delete(CaseHistory))
    hs.execute(delete(Case))
    staff = {row.login: Actor.of_staff(row) for row in hs.scalars(select(Staff))}

    def actor(name: str, role: str) -> Actor:
        known = staff.get(name)
        return known if known is not None and known.role == role else Actor(name, Role(role))

    base = dt.datetime.combine(END - dt.timedelta(days=DAYS - 1), dt.time())
    clock = FixedClock(base)
    desk = CaseDesk(hs, clock)
    for sim, facts in sample:
        with hs.begin_nested() as sp:
            _report, role, _before, _after, at, name, *_inputs = sim.steps[0]
            clock.set(base + dt.timedelta(seconds=at))
            doc, _ = desk.report(
                actor(name, role), x=facts["x"], y=facts["y"], channel=facts["channel"],
                type_code=facts["type"] if facts["kind"] == "event" else None,
                component_id=facts["component"], urgent=facts["urgent"],
            )  # fmt: skip
            for step in sim.steps[1:]:
                action, role, _before, _after, at, name, note, department, extension, satisfaction, _due = (
                    step
                )
                clock.set(base + dt.timedelta(seconds=at))
                desk.act(
                    doc["id"], action, actor(name, role), note, department=department, extension=extension,
                    satisfaction=satisfaction,
                )  # fmt: skip
            hs.flush()
            row = tuple(hs.execute(select(*columns).where(Case.id == doc["id"])).one())
            differ = {c.key: (w, r) for c, w, r in zip(columns, written[sim.id], row, strict=True) if w != r}
            assert not differ, (sim.id, [step[0] for step in sim.steps], differ)
            steps = hs.execute(
                select(*history_columns).where(CaseHistory.case_id == doc["id"]).order_by(CaseHistory.id)
            ).all()
            assert [tuple(s) for s in steps] == written_history[sim.id], sim.id
            sp.rollback()


def test_the_case_desk_carries_on_from_the_history(hs, history_city):
    """Ids continue after the generated ones (PostgreSQL's sequence was moved) and history cases act."""
    last = history_city.summary["last_case_id"]
    open_case = hs.scalar(select(Case).where(Case.state == "dispatched").order_by(Case.id).limit(1))
    desk = CaseDesk(hs, FixedClock(NOW + dt.timedelta(hours=9)))
    desk.act(open_case.id, "start", Actor.of("department"))
    cell = hs.scalar(select(Case).where(Case.id == last))
    doc, _ = desk.report(
        Actor.of("supervisor"), x=cell.x + 1, y=cell.y + 1, channel="supervisor", type_code="07001"
    )
    assert doc["id"] > last


def test_the_same_seed_gives_the_same_history(hs, history_city):
    def sample():
        return hs.execute(
            select(Case.type_code, Case.channel, Case.state, Case.cell_code, Case.reported_at, Case.closed_at)
            .where(Case.id > history_city.summary["last_case_id"])
            .order_by(Case.id)
        ).all()

    with hs.begin_nested() as sp:
        one = generate_history(hs, days=2, seed=3, end=END, per_day=60)
        rows_one = sample()
        sp.rollback()
    with hs.begin_nested() as sp:
        two = generate_history(hs, days=2, seed=3, end=END, per_day=60)
        rows_two = sample()
        sp.rollback()
    assert one == two and rows_one == rows_two and len(rows_one) == one["cases"] > 0


def test_rebuilding_indexes_at_the_end_gives_the_same_rows_and_the_same_indexes(hs, history_city):
    def indexes():
        if history_city.backend != "sqlite":
            return None
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        return sorted(hs.connection().exec_driver_sql(query).all())

    def rows():
        return hs.execute(
            select(Case.type_code, Case.state, Case.cell_code, Case.deadline, Case.closed_at)
            .where(Case.id > history_city.summary["last_case_id"])
            .order_by(Case.id)
        ).all()

    before = indexes()
    with hs.begin_nested() as sp:
        generate_history(hs, days=2, seed=4, end=END, per_day=60, defer_indexes=False)
        updated = rows()
        sp.rollback()
    generate_history(hs, days=2, seed=4, end=END, per_day=60, defer_indexes=True)
    assert rows() == updated and len(updated) > 60
    assert indexes() == before
    # The rebuilt indexes are used: the case desk's duplicate lookup and the KPI query still plan on them.
    if history_city.backend == "sqlite":
        plan = (
            hs.connection()
            .exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE type_code = '06010' AND state = 'reported'"
            )
            .all()
        )
        assert "ix_cases_dup_lookup" in str(plan)


def test_bad_input_is_refused(hs):
    with pytest.raises(InputError, match="positive whole number"):
        generate_history(hs, days=0, seed=1)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        generate_history(hs, days=1, seed=1, end="1 March")


def test_no_city_no_history(session):
    with pytest.raises(NoCity):
        generate_history(session, days=1, seed=1, end=END)


def test_seed_with_history_from_the_command_line(tmp_path):
    """``seed --history-days N`` writes the city and N days of cases ending yesterday."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    url = "sqlite:///" + str(tmp_path / "city.db")
    out = subprocess.run(
        [
            sys.executable,
            str(repo / "main.py"),
            "seed",
            "--scale",
            "small",
            "--history-days",
            "2",
            "--db",
            url,
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=repo,
        env=dict(os.environ),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    history = json.loads(out.stdout)["history"]
    assert history["cases"] > 2000 and history["journal_events"] == history["cases"]
    assert dt.date.fromisoformat(history["to"]) - dt.date.fromisoformat(history["from"]) == dt.timedelta(
        days=1
    )
