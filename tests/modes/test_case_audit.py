"""The audit on a real database (SQLite and PostgreSQL): an untouched city verifies; a changed journal
row breaks the chain at that row; a changed case column is found and named, for every column the
events record; generated history and live steps on top of it replay alike."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from data import journal
from data.models import Case, JournalEvent
from modes.common.audit import run_audit
from modes.common.clock import FixedClock
from modes.everyday import case_audit
from modes.everyday.case_audit import EXACT, PARTIAL, UNCHECKED, CaseChecker
from modes.everyday.cases import Actor, CaseDesk
from tests.modes.case_walks import report_and_walk, walk_case
from tests.modes.conftest import X0, Y0
from tests.modes.test_history import history_city, hs  # noqa: F401 - fixtures: a small city with history

OP, SUP, LEAD, DISP, DEPT = (
    Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher", "department")
)
# Inside the tiny city's four cells, a few metres apart (so some reports land on an open duplicate).
POINTS = [(X0 + dx, Y0 + dy) for dx in (30, 35, 230, 370) for dy in (40, 45, 260)]


def audit(session: Session):
    session.flush()
    return run_audit(session, [CaseChecker()])


@pytest.fixture
def desk(tiny_city, clock):
    return CaseDesk(tiny_city, clock)


def _every_column_case(desk: CaseDesk, clock: FixedClock) -> int:
    """One case through verification, dispatch, an extension, a suspension, check, close and evaluation:
    after it every column the events can vouch for is known to the replay."""
    doc, _ = desk.report(OP, x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="06010", text="路边垃圾")
    cid = doc["id"]
    for action, actor, extra in (
        ("send_verify", OP, {}),
        ("verify", SUP, {}),
        ("file", LEAD, {}),
        ("dispatch", DISP, {}),
        ("start", DEPT, {}),
        ("request_extension", DEPT, {"extension": "1 working_days"}),
        ("approve_extension", DISP, {}),
        ("request_suspension", DEPT, {}),
        ("approve_suspension", DISP, {}),
        ("resume", DISP, {}),
        ("feedback", DEPT, {}),
        ("send_check", OP, {}),
        ("check_pass", SUP, {}),
        ("close", LEAD, {}),
        ("evaluate", OP, {"satisfaction": "basic"}),
    ):
        clock.advance(minutes=47)
        desk.act(cid, action, actor, f"why {action}", **extra)
    return cid


def test_an_untouched_loop_verifies(desk, clock):
    rng = random.Random(11)
    ids = report_and_walk(desk, clock, rng, POINTS, 60)
    report = audit(desk.session)
    assert report.ok, (report.chain_problem, report.mismatches)
    assert report.first_bad_event is None and report.mismatched("case") == []
    assert report.checked["case"] == len(ids)
    assert report.events == journal.last_seq(desk.session)
    assert report.as_dict() == {
        "ok": True,
        "events": report.events,
        "first_bad_event": None,
        "case_mismatches": [],
    }


def test_the_walks_reach_the_special_paths(desk, clock):
    """The random walks above are worth something only if they take the rarer rows of the table."""
    rng = random.Random(11)
    ids = report_and_walk(desk, clock, rng, POINTS, 60)
    actions = set(
        desk.session.scalars(
            select(JournalEvent.kind).where(JournalEvent.subject.in_([f"case/{i}" for i in ids]))
        )
    )
    for kind in (
        "case.approve_extension",
        "case.resume",
        "case.rework",
        "case.unlink",
        "case.evaluate",
        "case.void",
    ):
        assert kind in actions


# A different value for each column the replay knows on the every-column case.
def _later(v):
    return v + dt.timedelta(minutes=1)


TAMPER = {
    "kind": lambda c: "component",
    "type_code": lambda c: "07001",
    "channel": lambda c: "media",
    "urgent": lambda c: not c.urgent,
    "cell_code": lambda c: "230102001001002",
    "district_code": lambda c: "230103",
    "department_code": lambda c: "water_supply",
    "component_id": lambda c: "23010201001000001",
    "reporter": lambda c: "intruder",
    "duplicate_of": lambda c: c.id - 1,
    "state": lambda c: "handling",
    "closure_kind": lambda c: "error",
    "satisfaction": lambda c: "satisfied",
    "exercise_id": lambda c: 3,  # a real case passed off as an exercise's
    "rework_count": lambda c: c.rework_count + 1,
    "return_count": lambda c: c.return_count + 1,
    "extension_count": lambda c: c.extension_count + 1,
    "suspension_count": lambda c: c.suspension_count + 1,
    "suspended_at": lambda c: c.closed_at,
    "voided_at": lambda c: c.closed_at,
    "x": lambda c: c.x + 0.01,
    "y": lambda c: c.y - 0.01,
    "description": lambda c: "nothing to see",
    "pending": lambda c: '{"action": "request_return"}',
    "suspended_minutes": lambda c: c.suspended_minutes + 5,
    "verify_due": lambda c: _later(c.verify_due),
    "check_due": lambda c: _later(c.check_due),
    "deadline": lambda c: _later(c.deadline),
}


@pytest.mark.parametrize("column", [*EXACT, *PARTIAL])
def test_each_column_the_events_record_is_checked(desk, clock, column):
    before, _ = desk.report(
        OP, x=X0 + 250, y=Y0 + 250, channel="hotline", type_code="06010"
    )  # for duplicate_of
    cid = _every_column_case(desk, clock)
    assert before["id"] == cid - 1
    assert audit(desk.session).ok
    case = desk.get(cid)
    change = TAMPER.get(column)
    value = change(case) if change else _later(getattr(case, column))
    desk.session.execute(update(Case).where(Case.id == cid).values({column: value}))
    report = audit(desk.session)
    assert report.first_bad_event is None  # the journal itself is intact
    assert report.mismatches["case"] == {cid: (column,)}
    assert not report.ok and report.as_dict()["case_mismatches"] == [cid]


def test_the_columns_are_sorted_into_checked_and_not(desk):
    checked, unchecked = {*EXACT, *PARTIAL}, set(UNCHECKED)
    assert not checked & unchecked
    assert checked | unchecked | {"id"} == {c.key for c in Case.__table__.columns}


# Only SQLite keeps a time as the text it was given, so only there can it be rewritten to the same value.
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_time_rewritten_to_the_same_value_is_no_difference(desk, clock):
    cid = _every_column_case(desk, clock)
    assert desk.session.get_bind().dialect.name == "sqlite"
    closed = desk.get(cid).closed_at
    desk.session.flush()
    desk.session.execute(
        text("UPDATE cases SET closed_at = :t WHERE id = :id"), {"t": closed.isoformat(), "id": cid}
    )
    assert audit(desk.session).ok


def test_rows_and_events_that_do_not_meet_are_found(desk, clock):
    a, _ = desk.report(OP, x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="06010")
    b, _ = desk.report(OP, x=X0 + 250, y=Y0 + 250, channel="hotline", type_code="06010")
    desk.act(b["id"], "send_verify", OP)
    desk.session.flush()
    # A row no event accounts for (copied from a, under a new id), and a's row deleted.
    cols = [c.key for c in Case.__table__.columns if c.key != "id"]
    desk.session.execute(
        text(
            f"INSERT INTO cases (id, {', '.join(cols)}) SELECT 9999, {', '.join(cols)} FROM cases WHERE id = :id"
        ),
        {"id": a["id"]},
    )
    desk.session.execute(text("DELETE FROM case_history WHERE case_id = :id"), {"id": a["id"]})
    desk.session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": a["id"]})
    report = audit(desk.session)
    assert report.mismatches["case"] == {a["id"]: ("no row",), 9999: ("no journal events",)}


def test_a_changed_journal_row_breaks_the_chain_there(desk, clock):
    rng = random.Random(5)
    report_and_walk(desk, clock, rng, POINTS, 8)
    desk.session.flush()
    seqs = desk.session.scalars(select(JournalEvent.seq).order_by(JournalEvent.seq)).all()
    victim = seqs[len(seqs) // 2]
    desk.session.execute(update(JournalEvent).where(JournalEvent.seq == victim).values(actor="intruder"))
    report = audit(desk.session)
    assert report.first_bad_event == victim and "content does not match" in report.chain_problem
    assert report.events == len(seqs)


def test_a_removed_journal_row_is_named_by_its_number(desk, clock):
    report_and_walk(desk, clock, random.Random(6), POINTS, 5)
    desk.session.flush()
    last = journal.last_seq(desk.session)
    desk.session.execute(JournalEvent.__table__.delete().where(JournalEvent.seq == last - 2))
    report = audit(desk.session)
    assert report.first_bad_event == last - 2 and "gap" in report.chain_problem
    desk.session.execute(JournalEvent.__table__.delete().where(JournalEvent.seq >= last - 2))
    report = audit(desk.session)  # the end cut off: the head still counts what was written
    assert report.first_bad_event == last - 2 and "head says" in report.chain_problem


def test_a_step_that_skips_the_table_cannot_be_replayed(desk, clock):
    """Events rewritten with their hashes recomputed keep the chain but must still make a path."""
    doc, _ = desk.report(OP, x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="06010")
    desk.act(doc["id"], "send_verify", OP)
    desk.session.flush()
    seq = desk.session.scalar(select(func_max_seq()))
    _rewrite_and_rechain(desk.session, seq, kind="case.close", payload={"from": "verifying", "to": "closed"})
    report = audit(desk.session)
    assert report.first_bad_event is None
    assert report.mismatches["case"] == {doc["id"]: ("events cannot be replayed",)}


def func_max_seq():
    return func.max(JournalEvent.seq)


def _rewrite_and_rechain(session: Session, seq: int, **values) -> None:
    """What an attacker with write access and the code would do: change an event, re-hash it and every
    later one. The chain holds; only the replay can tell."""
    session.execute(update(JournalEvent).where(JournalEvent.seq == seq).values(**values))
    session.expire_all()
    prev = session.scalar(select(JournalEvent.hash).where(JournalEvent.seq == seq - 1))
    for ev in session.scalars(select(JournalEvent).where(JournalEvent.seq >= seq).order_by(JournalEvent.seq)):
        ev.prev_hash = prev
        ev.hash = prev = journal.chain_hash(prev, ev.seq, ev)
    session.flush()
    session.execute(text("UPDATE journal_head SET hash = :h WHERE id = 1"), {"h": prev})


# --- generated history, and live steps on top of it --------------------------------------------------------


def test_generated_history_verifies_on_its_own_session(history_city):  # noqa: F811
    """Through an engine's own session: on PostgreSQL a read-only snapshot, which refuses writes."""
    with history_city.Session() as s:
        report = run_audit(s, [CaseChecker()])
        assert report.ok, (report.chain_problem, list(report.mismatches["case"].items())[:5])
        assert report.checked["case"] == history_city.summary["cases"]
        if s.get_bind().dialect.name == "postgresql":
            assert s.execute(text("SHOW transaction_read_only")).scalar() == "on"
            assert s.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"


def test_live_steps_after_generated_history_replay_alike(hs):  # noqa: F811
    clock = FixedClock(dt.datetime(2026, 3, 2, 9))
    desk = CaseDesk(hs, clock)
    rng = random.Random(17)
    open_ids = hs.scalars(
        select(Case.id)
        .where(Case.state.not_in(["closed", "evaluated", "voided", "merged"]))
        .order_by(Case.id)
    ).all()
    for cid in rng.sample(open_ids, 25):
        walk_case(desk, clock, rng, cid, 6)
    assert audit(hs).ok
    generated = rng.choice(open_ids)
    hs.execute(update(Case).where(Case.id == generated).values(rework_count=Case.rework_count + 3))
    assert audit(hs).mismatches["case"] == {generated: ("rework_count",)}


@pytest.mark.parametrize(
    "column, value",
    [("state", "closed"), ("dispatched_at", dt.datetime(2020, 1, 1)), ("deadline", dt.datetime(2020, 1, 1)),
     ("department_code", None), ("x", 0.0)],
)  # fmt: skip
def test_a_changed_generated_case_is_found(hs, column, value):  # noqa: F811
    cid = hs.scalar(select(Case.id).where(Case.dispatched_at.is_not(None), Case.state == "handling").limit(1))
    hs.execute(update(Case).where(Case.id == cid).values({column: value}))
    report = audit(hs)
    assert report.mismatches["case"] == {cid: (column,)}


def test_a_generated_path_planned_once_equals_its_replay_step_by_step(history_city):  # noqa: F811
    """The fast path for generated cases (a plan per sequence of actions) says what the replay says."""
    with history_city.Session() as s:
        events = s.execute(
            select(JournalEvent.at, JournalEvent.district_code, JournalEvent.payload).where(
                JournalEvent.kind == "case.history"
            )
        ).all()
    assert len(events) == history_city.summary["cases"]
    for at, district, payload in events:
        when = case_audit._at(at.isoformat(timespec="microseconds"))
        planned = case_audit._history_expected(1, when, district, payload)
        replayed = case_audit._expected(1, case_audit._from_history(when, district, payload))
        assert list(map(repr, planned)) == list(map(repr, replayed))
    assert 1 < len(case_audit._PLANS) < len(events) / 5  # paths repeat: that is what makes plans pay


def test_a_replica_checks_its_journal_but_leaves_the_cases_to_the_centre(desk, clock):
    """A district node's database holds the centre's case rows without the centre's events."""
    doc, _ = desk.report(OP, x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="06010")
    desk.session.flush()
    desk.session.execute(text("DELETE FROM journal WHERE subject = :s"), {"s": f"case/{doc['id']}"})
    assert audit(desk.session).mismatches["case"] == {doc["id"]: ("no journal events",)}
    desk.session.execute(text("INSERT INTO link_replica_meta (name, value) VALUES ('seq', '42')"))
    report = audit(desk.session)
    assert report.mismatches["case"] == {} and "replica" in report.skipped["case"]
    assert report.first_bad_event is not None  # its own journal is still checked (here: cut short)


# --- generated history: every column, every batch, and payloads orjson reads otherwise ----------------------


def _audited(session: Session, batch: int = 50, scan_batch: int = 200):
    """The audit with small batches, so a small city's cases and events cross many of them."""
    session.flush()
    checker = CaseChecker(batch=batch)
    return run_audit(session, [checker], batch=scan_batch), checker


def test_an_untouched_history_is_settled_batch_by_batch(history_city):  # noqa: F811
    """On generated history as written, the comparisons of whole batches settle every case: none is
    left to be compared column by column (the database's JSON of a row is the expected values' JSON)."""
    with history_city.Session() as s:
        report, checker = _audited(s, batch=CaseChecker().batch)
    assert report.ok and checker.recompared == 0
    assert report.checked["case"] == history_city.summary["cases"]


def test_an_untouched_live_loop_is_settled_batch_by_batch(desk, clock):
    ids = report_and_walk(desk, clock, random.Random(3), POINTS, 40)
    report, checker = _audited(desk.session)
    assert report.ok and checker.recompared == 0 and report.checked["case"] == len(ids)


def _other_value(s: Session, cid: int, column: str):
    """A value of ``column`` that differs from case ``cid``'s, and that the schema takes."""
    col = Case.__table__.c[column]
    current = s.scalar(select(col).where(Case.id == cid))
    if column in ("x", "y"):
        return current + 0.01  # past the centimetre the event kept
    if column == "urgent":
        return not current
    if column.endswith("_count"):
        return current + 1
    if isinstance(current, dt.datetime):
        return current + dt.timedelta(minutes=1)
    if current is None and column in case_audit.TIMES:
        return dt.datetime(2026, 2, 20, 9)
    if column == "duplicate_of":
        return s.scalar(select(Case.id).where(Case.id != cid, Case.id != current).limit(1))
    if column == "exercise_id":
        return 3 if current is None else None  # generated history is real: passed off as an exercise's
    others = select(col).where(col.is_not(None)).limit(1)
    found = s.scalar(others.where(col != current) if current is not None else others)
    return found if found is not None else "intruder"


@pytest.fixture
def full_case(hs) -> int:  # noqa: F811
    """A generated case that went the whole loop: most of its columns are set."""
    return hs.scalar(
        select(Case.id)
        .where(Case.state == "evaluated", Case.verified_at.is_not(None), Case.rework_count == 0)
        .order_by(Case.id)
        .limit(1)
    )


@pytest.mark.parametrize("column", [*case_audit.ROW_JSON, "x", "y"])
def test_each_column_a_generated_path_records_is_checked(hs, full_case, column):  # noqa: F811
    value = _other_value(hs, full_case, column)
    hs.execute(update(Case).where(Case.id == full_case).values({column: value}))
    report, checker = _audited(hs)
    assert report.first_bad_event is None
    assert report.mismatches["case"] == {full_case: (column,)}
    assert checker.recompared >= 1


def _plan_of(s: Session, cid: int) -> case_audit._Plan:
    payload = s.scalar(
        select(JournalEvent.payload).where(
            JournalEvent.subject == f"case/{cid}", JournalEvent.kind == "case.history"
        )
    )
    actions = tuple(step[0] for step in payload["steps"])
    return case_audit._Plan(actions, payload["case"]["duplicate_of"] is not None)


# A partial column a generated path may leave known, the plan's value that makes it so, and a row's
# value that contradicts it.
PARTIALS = {
    "verify_due": (None, dt.datetime(2026, 2, 20, 9)),
    "check_due": (None, dt.datetime(2026, 2, 20, 9)),
    "pending": (None, '{"action": "request_return"}'),
    "suspended_minutes": (0.0, 5.0),
}


@pytest.mark.parametrize("name", PARTIALS)
def test_the_partial_columns_a_generated_path_knows_are_checked(hs, name):  # noqa: F811
    known, contradiction = PARTIALS[name]
    for cid in hs.scalars(select(Case.id).order_by(Case.id)):
        value = getattr(_plan_of(hs, cid), name)
        if value is known or (isinstance(value, float) and value == known):
            break
    else:
        raise AssertionError(f"no generated path leaves {name} known")
    hs.execute(update(Case).where(Case.id == cid).values({name: contradiction}))
    report, _ = _audited(hs)
    assert report.mismatches["case"] == {cid: (name,)}


def test_a_generated_path_ending_on_a_request_needs_one_pending(hs):  # noqa: F811
    """A path whose last step asks for something leaves a request pending, whatever it is: a row
    without one differs (no such path in the small city's history: one is written, the chain re-hashed)."""
    cid = hs.scalar(select(Case.id).where(Case.state == "handling").order_by(Case.id).limit(1))
    seq, payload = hs.execute(
        select(JournalEvent.seq, JournalEvent.payload).where(JournalEvent.subject == f"case/{cid}")
    ).one()
    when = dt.datetime.fromisoformat(payload["steps"][-1][3]) + dt.timedelta(minutes=5)
    payload["steps"].append(["request_extension", "department", "dept_x", when.isoformat()])
    payload["case"]["state"] = "extension_requested"
    _rewrite_and_rechain(hs, seq, payload=payload)
    hs.execute(update(Case).where(Case.id == cid).values(state="extension_requested"))
    assert case_audit.SET is _plan_of(hs, cid).pending
    report, _ = _audited(hs)
    assert report.first_bad_event is None and report.mismatches["case"] == {cid: ("pending",)}
    hs.execute(update(Case).where(Case.id == cid).values(pending='{"action": "request_extension"}'))
    assert _audited(hs)[0].ok


def test_changed_cases_are_found_at_the_start_middle_and_end(hs):  # noqa: F811
    ids = hs.scalars(select(Case.id).order_by(Case.id)).all()
    first, middle, last = ids[0], ids[len(ids) // 2], ids[-1]
    hs.execute(update(Case).where(Case.id == first).values(state="intruded"))
    hs.execute(update(Case).where(Case.id == middle).values(reported_at=dt.datetime(2020, 1, 1)))
    hs.execute(update(Case).where(Case.id == last).values(x=Case.x + 1))
    report, checker = _audited(hs)
    assert report.mismatches["case"] == {first: ("state",), middle: ("reported_at",), last: ("x",)}
    assert report.checked["case"] == len(ids)
    assert 3 <= checker.recompared < len(ids)  # only the batches that hold them were gone through again


@pytest.mark.parametrize("history_city", ["sqlite"], indirect=True)  # PostgreSQL's json refuses NaN
def test_a_payload_orjson_refuses_is_read_as_json_reads_it(hs):  # noqa: F811
    """NaN is no JSON, but json writes and reads it: such a payload (rewritten, the chain re-hashed) is
    replayed from json's reading, where x is NaN and so differs from the row, not declared unreadable."""
    cid = hs.scalar(select(func.min(Case.id)))
    seq, payload = hs.execute(
        select(JournalEvent.seq, JournalEvent.payload).where(JournalEvent.subject == f"case/{cid}")
    ).one()
    payload["case"]["x"] = float("nan")
    _rewrite_and_rechain(hs, seq, payload=payload)
    report, _ = _audited(hs)
    assert report.first_bad_event is None
    assert report.mismatches["case"] == {cid: ("x",)}
