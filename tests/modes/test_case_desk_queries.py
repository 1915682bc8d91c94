"""What the case desk asks the database: few statements per call, and plans that stay cheap as the case
table grows (a year of history is ~730,000 cases, a live centre keeps years of them)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from modes.everyday.cases import Actor, CaseDesk
from tests.modes.conftest import X0, Y0

SUP, OP, LEAD = (Actor.of(r) for r in ("supervisor", "operator", "shift_leader"))


class _Statements:
    """The SQL a session's connection runs while the block is open."""

    def __init__(self, session):
        self.conn = session.connection()
        self.seen: list[tuple[str, tuple]] = []

    def _record(self, conn, cursor, statement, params, context, executemany):
        self.seen.append((statement, params))

    def __enter__(self):
        event.listen(self.conn, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.conn, "before_cursor_execute", self._record)

    def reading(self, table: str) -> list[str]:
        return [s for s, _ in self.seen if s.lstrip().startswith("SELECT") and f"FROM {table}" in s]


def test_a_desk_looks_reference_rows_up_once(tiny_city, clock):
    desk = CaseDesk(tiny_city, clock)
    first, _ = desk.report(SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code="06010")
    with _Statements(tiny_city) as sql:
        doc, _ = desk.report(SUP, x=X0 + 300, y=Y0 + 50, channel="supervisor", type_code="06010")
        desk.act(doc["id"], "accept", OP)
        view, _ = desk.act(doc["id"], "file", LEAD)
    # The event type, the supervisor and the view's names were remembered from the first report (the
    # router is handed the type the desk resolved): the second report and both actions read none.
    assert sql.reading("supervisors") == []
    assert sql.reading("event_types") == []
    assert (view["type_name"], view["supervisor"], view["state"]) == (
        first["type_name"],
        "230102-S001",
        "filed",
    )
    assert first["type_name"] != ""


def test_journal_head_is_read_once_per_transaction(tiny_city, clock):
    desk = CaseDesk(tiny_city, clock)
    desk.report(SUP, x=X0 + 300, y=Y0 + 50, channel="supervisor", type_code="06010")
    tiny_city.commit()  # the journal has its head now; what follows is one new transaction
    with _Statements(tiny_city) as sql:
        doc, _ = desk.report(SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code="06010")
        desk.act(doc["id"], "accept", OP)
        desk.act(doc["id"], "file", LEAD)
    assert len(sql.reading("journal_head")) == 1
    assert sum(s.startswith("INSERT INTO journal ") for s, _ in sql.seen) == 3


# The plan checked is SQLite's; PostgreSQL plans by its statistics, so this one runs on SQLite alone.
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_duplicate_lookup_walks_the_index_to_recent_open_cases(tiny_city, clock):
    assert tiny_city.get_bind().dialect.name == "sqlite"
    desk = CaseDesk(tiny_city, clock)
    with _Statements(tiny_city) as sql:
        desk.report(OP, x=X0 + 50, y=Y0 + 50, channel="hotline", type_code="06010")
    statement, params = next((s, p) for s, p in sql.seen if "FROM cases" in s and "reported_at >=" in s)
    plan = " ".join(
        r[-1] for r in tiny_city.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
    )
    # type, then each open state, then the time window: not every case of the type ever reported; and
    # the index alone, not each open case of the type read from the table to test its place
    assert "USING COVERING INDEX ix_cases_dup_lookup (type_code=? AND state=? AND reported_at>?)" in plan
