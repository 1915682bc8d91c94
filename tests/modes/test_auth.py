"""People prove who they are: Argon2id hashes, refusals with their reasons, 5 failures lock a login for
60 s (journaled), a success resets the count, kept log-ins stored as hashes, the staff list's writes,
and the same rules through the command bus. On SQLite and PostgreSQL (the ``session`` fixture)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from data.errors import InputError
from data.models import Department, District, JournalEvent, Role, StaffCredential, StaffSession
from data.passwords import PARAMETERS, hash_password, verify_password
from modes.common import auth
from modes.common.clock import FixedClock
from modes.common.command_bus import CommandBus, call_local, register_common

AT = dt.datetime(2026, 3, 2, 9, 0)
PASSWORD = "correct horse 7"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(AT)


@pytest.fixture
def people(session, clock):
    session.add_all(
        [District(code="230102", name="道里区", name_en="Daoli"), Department(code="water", name="供水")]
    )
    session.flush()
    auth.add_staff(session, clock, "daoli_operator", "operator", name="李娜", district="230102")
    auth.add_staff(session, clock, "dept_water", "department", department="water")
    auth.set_password(session, clock, "daoli_operator", PASSWORD)
    return session


@pytest.fixture
def make_session(tmp_path):
    """A session factory on a migrated SQLite file of its own: these tests commit."""
    from data.db import open_database, session_factory

    engine = open_database("sqlite:///" + str(tmp_path / "auth.db"))
    yield session_factory(engine)
    engine.dispose()


def _events(session, kind: str) -> list[JournalEvent]:
    return list(
        session.scalars(select(JournalEvent).where(JournalEvent.kind == kind).order_by(JournalEvent.seq))
    )


def test_hash_is_argon2id_with_the_stated_parameters_and_checks_in_under_half_a_second():
    encoded = hash_password(PASSWORD)
    assert encoded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert (PARAMETERS.time_cost, PARAMETERS.memory_cost, PARAMETERS.parallelism) == (3, 65536, 4)
    assert PASSWORD not in encoded
    started = time.perf_counter()
    assert verify_password(encoded, PASSWORD)
    assert time.perf_counter() - started < 0.5
    assert not verify_password(encoded, PASSWORD + "x")
    assert not verify_password("not a hash", PASSWORD)
    assert hash_password(PASSWORD) != encoded  # a fresh salt each time


def test_the_actor_comes_from_the_staff_row(people, clock):
    actor = auth.authenticate(people, "daoli_operator", PASSWORD, clock)
    assert (actor.login, actor.name, actor.role, actor.district, actor.department) == (
        "daoli_operator",
        "daoli_operator",
        Role.OPERATOR,
        "230102",
        None,
    )


@pytest.mark.parametrize(
    ("login", "password", "reason", "message"),
    [
        ("nobody", PASSWORD, "unknown", "unknown login 'nobody'"),
        ("daoli_operator", "wrong password", "wrong_password", "wrong password for 'daoli_operator' (1 of 5"),
        ("dept_water", PASSWORD, "no_password", "login 'dept_water' has no password yet"),
    ],
)
def test_refusals_say_why(people, clock, login, password, reason, message):
    with pytest.raises(auth.AuthRefused, match=message.replace("(", r"\(")) as refused:
        auth.authenticate(people, login, password, clock)
    assert refused.value.reason == reason
    assert isinstance(refused.value, InputError)  # the CLI maps it to exit 2


def test_five_failures_lock_for_sixty_seconds_journaled_and_success_resets(people, clock):
    for n in range(1, 5):
        with pytest.raises(auth.AuthRefused) as refused:
            auth.authenticate(people, "daoli_operator", f"guess {n}", clock)
        assert (refused.value.reason, refused.value.failures) == ("wrong_password", n)
    with pytest.raises(auth.AuthRefused, match="locked until 2026-03-02 09:01:00") as refused:
        auth.authenticate(people, "daoli_operator", "guess 5", clock)
    assert refused.value.reason == "locked"
    assert refused.value.locked_until == AT + dt.timedelta(seconds=60)

    failed = _events(people, "staff.login_failed")
    assert [e.payload["failures"] for e in failed] == [1, 2, 3, 4, 5]
    assert {e.subject for e in failed} == {"staff:daoli_operator"}
    (lock,) = _events(people, "staff.locked")
    assert lock.payload == {"until": "2026-03-02 09:01:00", "failures": 5}

    clock.advance(seconds=59)
    with pytest.raises(auth.AuthRefused, match="is locked until 2026-03-02 09:01:00") as refused:
        auth.authenticate(people, "daoli_operator", PASSWORD, clock)  # even the right password
    assert refused.value.reason == "locked"
    assert len(_events(people, "staff.login_failed")) == 5  # tries while locked are not counted

    clock.advance(seconds=1)
    assert auth.authenticate(people, "daoli_operator", PASSWORD, clock).login == "daoli_operator"
    with pytest.raises(auth.AuthRefused) as refused:
        auth.authenticate(people, "daoli_operator", "again wrong", clock)
    assert refused.value.failures == 1
    assert auth.authenticate(people, "daoli_operator", PASSWORD, clock).role is Role.OPERATOR
    cred = people.get(StaffCredential, "daoli_operator")
    assert (cred.failed_count, cred.locked_until) == (0, None)


def test_sign_in_commits_the_failure_it_refuses(make_session, clock):
    """Through ``sign_in`` (its own transaction), a refused log-in's count survives the refusal."""
    make = make_session
    login = "city_commander"
    with make() as s, s.begin():
        auth.add_staff(s, clock, login, "commander")
        auth.set_password(s, clock, login, PASSWORD)
    with pytest.raises(auth.AuthRefused):
        auth.sign_in(make, login, "wrong one", clock)
    with make() as s:
        assert s.get(StaffCredential, login).failed_count == 1
    assert auth.sign_in(make, login, PASSWORD, clock).login == login
    with make() as s:
        assert s.get(StaffCredential, login).failed_count == 0


def test_kept_log_in_stores_only_a_hash_and_expires(people, clock):
    actor = auth.authenticate(people, "daoli_operator", PASSWORD, clock)
    token, expires = auth.start_session(people, clock, actor)
    assert expires == AT + dt.timedelta(hours=8)
    stored = people.scalars(select(StaffSession.token_hash)).all()
    assert token not in stored and len(stored) == 1
    assert auth.session_actor(people, clock, "daoli_operator", token).district == "230102"
    with pytest.raises(auth.AuthRefused, match="no kept log-in"):
        auth.session_actor(people, clock, "dept_water", token)  # another login's token
    clock.advance(hours=8)
    with pytest.raises(auth.AuthRefused, match="expired at 2026-03-02 17:00:00"):
        auth.session_actor(people, clock, "daoli_operator", token)
    assert auth.end_session(people, clock, token) and not auth.end_session(people, clock, token)


def test_a_new_password_ends_kept_log_ins_and_clears_a_lock(people, clock):
    actor = auth.authenticate(people, "daoli_operator", PASSWORD, clock)
    token, _ = auth.start_session(people, clock, actor)
    for n in range(5):
        with pytest.raises(auth.AuthRefused):
            auth.authenticate(people, "daoli_operator", f"x{n}", clock)
    auth.set_password(people, clock, "daoli_operator", "a new one 42")
    assert auth.authenticate(people, "daoli_operator", "a new one 42", clock).login == "daoli_operator"
    with pytest.raises(auth.AuthRefused):
        auth.session_actor(people, clock, "daoli_operator", token)
    (event,) = _events(people, "staff.password_set")[-1:]
    assert event.actor == auth.LOCAL_ADMIN and event.payload == {}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"login": "Bad Login", "role": "operator"}, "must be 2-32 characters"),
        ({"login": "new_one", "role": "mayor"}, "unknown role 'mayor'"),
        ({"login": "new_one", "role": "operator", "district": "999999"}, "unknown district code '999999'"),
        ({"login": "new_one", "role": "department", "department": "nope"}, "unknown department code 'nope'"),
        ({"login": "dept_water", "role": "department"}, "login 'dept_water' already exists"),
    ],
)
def test_adding_staff_validates(people, clock, kw, message):
    kw = dict(kw)
    login, role = kw.pop("login"), kw.pop("role")
    with pytest.raises(InputError, match=message):
        auth.add_staff(people, clock, login, role, **kw)


def test_staff_list_and_short_passwords(people, clock):
    listed = {r["login"]: r for r in auth.list_staff(people)}
    assert listed["daoli_operator"] == {
        "login": "daoli_operator",
        "name": "李娜",
        "role": "operator",
        "district": "230102",
        "department": None,
        "has_password": True,
    }
    assert listed["dept_water"]["has_password"] is False
    with pytest.raises(InputError, match="at least 8 characters"):
        auth.set_password(people, clock, "dept_water", "short")
    with pytest.raises(InputError, match="unknown login"):
        auth.set_password(people, clock, "nobody", PASSWORD)
    (added,) = [e for e in _events(people, "staff.added") if e.subject == "staff:dept_water"]
    assert added.actor == auth.LOCAL_ADMIN and added.payload["role"] == "department"


def test_the_same_rules_through_the_bus(make_session, clock):
    """``staff.add``, ``staff.passwd``, ``auth.sign_in`` and kept log-ins on the command bus, applied in
    this process: a refused sign-in is a reply (its failure committed), not an error."""
    make = make_session
    bus = CommandBus()
    register_common(bus)
    login = "cd_officer"
    added = call_local(bus, make, clock, "staff.add", {"login": login, "role": "civil_defence", "name": "周"})
    assert added["has_password"] is False
    call_local(bus, make, clock, "staff.passwd", {"login": login, "password": PASSWORD})
    refused = call_local(bus, make, clock, "auth.sign_in", {"login": login, "password": "nope nope"})
    assert (refused["ok"], refused["reason"], refused["failures"]) == (False, "wrong_password", 1)
    with make() as s:
        assert s.get(StaffCredential, login).failed_count == 1
    ok = call_local(bus, make, clock, "auth.sign_in", {"login": login, "password": PASSWORD})
    assert ok == {
        "ok": True,
        "actor": {
            "login": login,
            "name": login,
            "role": "civil_defence",
            "district": None,
            "department": None,
        },
    }
    started = call_local(bus, make, clock, "auth.session_start", {"login": login, "password": PASSWORD})
    assert started["ok"] and started["expires_at"] == "2026-03-02 17:00:00"
    assert call_local(bus, make, clock, "auth.session_end", {"token": started["token"]}) == {"ended": True}
    with pytest.raises(InputError, match="already exists"):
        call_local(bus, make, clock, "staff.add", {"login": login, "role": "operator"})
    with make() as s:
        kinds = s.scalars(select(JournalEvent.kind).order_by(JournalEvent.seq)).all()
    assert kinds == [
        "staff.added",
        "staff.password_set",
        "staff.login_failed",
        "staff.session_started",
        "staff.session_ended",
    ]


def test_a_linked_peer_may_not_manage_staff(people, clock):
    from comms.keys import Peer
    from modes.common.command_bus import BusTransaction, CallContext

    class _Tx(BusTransaction):
        def __init__(self, session):
            self._session = session
            self.record = True
            self.after_commit = []

    ctx = CallContext(_Tx(people), Peer("console-1", "console"), None, clock, "centre")
    bus = CommandBus()
    register_common(bus)
    with pytest.raises(InputError, match="not by console-1 over a link"):
        bus.spec("staff.passwd").handler(ctx, {"login": "dept_water", "password": PASSWORD})
    with pytest.raises(InputError, match="not by console-1 over a link"):
        bus.spec("staff.add").handler(ctx, {"login": "x_y", "role": "operator"})


def test_login_claims_replace_what_a_command_claims(people):
    assert auth.login_claims(people, "daoli_operator") == {
        "as": "operator",
        "actor": "daoli_operator",
        "actor_department": None,
        "actor_district": "230102",
    }
    with pytest.raises(auth.AuthRefused, match="unknown login"):
        auth.login_claims(people, "ghost")


def test_a_hash_made_under_older_parameters_is_renewed_at_the_next_good_log_in(people, clock):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    people.get(StaffCredential, "daoli_operator").password_hash = old
    people.flush()
    with pytest.raises(auth.AuthRefused):  # a wrong password renews nothing
        auth.authenticate(people, "daoli_operator", PASSWORD + "x", clock)
    assert people.get(StaffCredential, "daoli_operator").password_hash == old
    auth.authenticate(people, "daoli_operator", PASSWORD, clock)
    renewed = people.get(StaffCredential, "daoli_operator").password_hash
    assert renewed != old
    assert f"m={PARAMETERS.memory_cost},t={PARAMETERS.time_cost},p={PARAMETERS.parallelism}" in renewed
    assert verify_password(renewed, PASSWORD)
    auth.authenticate(people, "daoli_operator", PASSWORD, clock)  # current parameters: left as it is
    assert people.get(StaffCredential, "daoli_operator").password_hash == renewed
