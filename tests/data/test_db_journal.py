"""The database layer and the hash-chained journal, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update

from data import journal
from data.codes import load_types
from data.db import (
    DatabaseError,
    NoCityDatabase,
    head_revision,
    is_demo_default,
    make_engine,
    new_city_file,
    open_database,
    schema_revision,
    sqlite_file,
    stored_revision,
)
from data.models import ComponentType, EventType, JournalEvent

AT = dt.datetime(2026, 3, 2, 9, 30, 0, 123456)


def _ev(i: int) -> journal.NewEvent:
    return journal.NewEvent(
        kind="test.happened",
        actor="tester",
        at=AT + dt.timedelta(seconds=i),
        subject=f"thing/{i}",
        payload={"i": i, "名称": "井盖"},
        district_code="230102",
    )


def test_schema_is_at_head(engine):
    assert schema_revision(engine) == head_revision()
    assert stored_revision(engine) == head_revision()  # the same, read without Alembic


def test_a_database_without_a_schema_has_no_stored_revision(tmp_path):
    eng = make_engine("sqlite:///" + str(tmp_path / "empty.db"))
    assert stored_revision(eng) is None
    eng.dispose()


def test_journal_numbers_and_chains_events(session):
    seqs = journal.append_many(session, [_ev(i) for i in range(5)])
    assert seqs == [1, 2, 3, 4, 5]
    assert journal.append(session, _ev(5)) == 6
    session.commit()
    assert journal.verify(session) == 6
    events = journal.events_after(session, 3)
    assert [e.seq for e in events] == [4, 5, 6]
    assert events[0].prev_hash == session.get(JournalEvent, 3).hash
    assert events[0].payload == {"i": 3, "名称": "井盖"}


def test_journal_detects_tampering(session):
    journal.append_many(session, [_ev(i) for i in range(4)])
    session.flush()
    session.execute(update(JournalEvent).where(JournalEvent.seq == 2).values(actor="intruder"))
    session.expire_all()
    with pytest.raises(journal.JournalCorrupted, match="event 2: content does not match"):
        journal.verify(session)


def test_journal_detects_a_gap(session):
    journal.append_many(session, [_ev(i) for i in range(4)])
    session.flush()
    session.execute(JournalEvent.__table__.delete().where(JournalEvent.seq == 3))
    session.expire_all()
    with pytest.raises(journal.JournalCorrupted, match="expected event 3, found 4"):
        journal.verify(session)


def test_rolled_back_change_leaves_no_event(engine):
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        before = journal.last_seq(s)
    with pytest.raises(RuntimeError), Session(engine) as s, s.begin():
        journal.append(s, _ev(0))
        raise RuntimeError("the change failed after its event was appended")
    with Session(engine) as s:
        assert journal.last_seq(s) == before
        assert s.scalar(select(JournalEvent).where(JournalEvent.seq == before + 1)) is None


def test_standard_types_load_with_both_code_systems(session):
    added_c, added_e = load_types(session)
    assert added_c >= 153 and added_e >= 250
    assert load_types(session) == (0, 0)  # idempotent
    cover = session.get(ComponentType, "01001")
    assert (cover.name, cover.legacy_code) == ("供水井盖", "0101")
    collapse = session.scalar(select(EventType).where(EventType.legacy_code == "0401"))
    assert collapse.name == "路面塌陷" and collapse.urgent and collapse.gb_code is None
    snow = session.get(EventType, "10001")
    assert snow.legacy_code == "0407" and snow.urgent
    assert not session.get(EventType, "06010").urgent  # 暴露垃圾


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(DatabaseError, match="cannot reach database postgresql"):
        make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_malformed_url_is_a_clear_error():
    with pytest.raises(DatabaseError, match="malformed database URL"):
        make_engine("not a url at all")


def test_sqlite_file_is_wal_with_foreign_keys(tmp_path):
    eng = open_database("sqlite:///" + str(tmp_path / "a.db"))
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    eng.dispose()


def _listing(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", ["city.db", "typo/dir/city.db"])
def test_a_missing_sqlite_file_is_refused_and_nothing_is_created(tmp_path, name):
    url = f"sqlite:///{tmp_path / name}"
    with pytest.raises(NoCityDatabase) as caught:
        open_database(url, create=False)
    message = str(caught.value)
    assert str(tmp_path / name) in message and "seed" in message and "--new-city" in message
    assert _listing(tmp_path) == []
    # The same URL is created where a city is founded, and opens from then on.
    open_database(url).dispose()
    open_database(url, create=False).dispose()


def test_the_file_rule_leaves_memory_and_server_urls_alone():
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql://someone@db.example/city") is None
    open_database("sqlite://", create=False).dispose()
    with pytest.raises(DatabaseError, match="cannot reach database postgresql") as caught:
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none", create=False)
    assert not isinstance(caught.value, NoCityDatabase)


def test_only_no_url_and_no_sanwei_db_is_the_demo_default(monkeypatch):
    monkeypatch.delenv("SANWEI_DB", raising=False)
    assert is_demo_default(None)
    assert not is_demo_default("sqlite:///city.db")
    monkeypatch.setenv("SANWEI_DB", "sqlite:///city.db")
    assert not is_demo_default(None)


def test_a_failed_founding_removes_the_file_and_folders_it_made(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'city.db'}"
    with pytest.raises(RuntimeError), new_city_file(url):
        open_database(url).dispose()
        assert (tmp_path / "new" / "dir" / "city.db").exists()
        raise RuntimeError("the file was refused")
    assert _listing(tmp_path) == []
    with new_city_file(url):
        open_database(url).dispose()
    assert (tmp_path / "new" / "dir" / "city.db").exists()
    # A failure on a file that existed before removes nothing.
    with pytest.raises(RuntimeError), new_city_file(url):
        raise RuntimeError("refused")
    assert (tmp_path / "new" / "dir" / "city.db").exists()
