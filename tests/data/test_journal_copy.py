"""A standby's copy of another centre's journal: events read as stored, appended verbatim (numbers and
hashes kept), refused unless they continue the chain, and a tail no one acknowledged dropped."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from data import journal

AT = dt.datetime(2026, 3, 2, 9, 30)


def _events(n: int) -> list[journal.NewEvent]:
    rng = random.Random(14)
    words = ["井盖", "路灯", 'quote " back\\slash', "tab\tnew\nline", "\u2028", "emoji 🚒"]
    return [
        journal.NewEvent(
            kind=rng.choice(["case.report", "case.dispatch", "alarm.issued"]),
            actor=rng.choice(["王 监督员", "city_operator"]),
            at=AT + dt.timedelta(seconds=i, microseconds=rng.randrange(1_000_000)),
            subject=f"case/{i}",
            payload={"note": rng.choice(words), "n": [i, 2.5, None], "nested": {"b": i % 2 == 0}},
            district_code=rng.choice(["230102", None]),
        )
        for i in range(n)
    ]


def test_rows_copied_back_rebuild_the_same_chain(session):
    journal.append_many(session, _events(60))
    original = journal.rows_after(session, 0, 1000)
    assert [r[0] for r in original] == list(range(1, 61))

    assert journal.truncate_after(session, 25) == 35
    assert journal.last_seq(session) == 25
    assert journal.verify(session) == 25

    assert journal.copy_rows(session, original[25:]) == 60
    assert journal.rows_after(session, 0, 1000) == original
    assert journal.verify(session) == 60
    # What follows a copy chains on as if it had been written here.
    journal.append(session, journal.NewEvent("case.close", "a", AT, "case/1", {}, None))
    assert journal.verify(session) == 61


def test_rows_that_do_not_continue_the_chain_are_refused_and_nothing_is_written(session):
    journal.append_many(session, _events(30))
    rows = journal.rows_after(session, 0, 1000)
    journal.truncate_after(session, 10)
    with pytest.raises(journal.JournalCorrupted, match="does not continue"):
        journal.copy_rows(session, rows[11:20])  # a gap: event 11 is missing
    forged = list(rows[10])
    forged[7] = "f" * 64  # another chain's previous hash
    with pytest.raises(journal.JournalCorrupted, match="does not continue"):
        journal.copy_rows(session, [tuple(forged), *rows[11:]])
    assert journal.last_seq(session) == 10 and journal.verify(session) == 10


def test_a_copied_row_whose_payload_was_changed_fails_verification(session):
    journal.append_many(session, _events(12))
    rows = journal.rows_after(session, 0, 1000)
    journal.truncate_after(session, 0)
    tampered = list(rows[5])
    tampered[6] = tampered[6].replace("case", "CASE") if "case" in tampered[6] else '{"x": 1}'
    journal.copy_rows(session, [*rows[:5], tuple(tampered), *rows[6:]])
    with pytest.raises(journal.JournalCorrupted):
        journal.verify(session)
