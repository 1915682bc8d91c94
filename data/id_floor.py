"""Ids a purge removed are never handed out again.

Purging an exercise (``modes.exercises.purge``) deletes its cases, incidents and alarms, usually the
newest rows of their tables. SQLite gives a new row the largest id in the table plus one, so the next
real case would take a purged case's id: its journal subject (``case/<id>``) would mix the purged
case's events with its own, an inject's record (``case/12``) would point at it, and a district that
acknowledged a purged alarm would take a new alarm under the same key for one already acknowledged.

So a purge raises the table's floor (``city_meta``: ``id_floor.<table>``, the highest id it removed),
and the few places that insert those rows ask ``free_id`` first: on SQLite, while the table's largest id
is below the floor, the new row takes the id above it. PostgreSQL's sequences never hand out an id
twice; only explicit ids (bulk history, ``first_free_id``) must start above the floor there too.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from data.city import get_meta, set_meta


def _key(table: str) -> str:
    return f"id_floor.{table}"


def id_floor(session: Session, table: str) -> int:
    """The highest id a purge removed from ``table`` (0: none)."""
    return int(get_meta(session, _key(table), "0") or 0)


def raise_floor(session: Session, table: str, highest: int) -> None:
    """Never hand out ``highest`` or a smaller id of ``table`` again (a floor only rises)."""
    if highest > id_floor(session, table):
        set_meta(session, _key(table), str(int(highest)))


def free_id(session: Session, table: Table) -> int | None:
    """The id the next row of ``table`` must take so that no purged id comes back, or None to let the
    database choose (it will not hand out a purged one)."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    floor = id_floor(session, table.name)
    if not floor:
        return None
    top = session.scalar(select(func.max(table.c.id))) or 0
    return floor + 1 if top < floor else None


def first_free_id(session: Session, table: Table) -> int:
    """The first id explicit ids of ``table`` may start at: above every row and every purged id."""
    top = session.scalar(select(func.max(table.c.id))) or 0
    return max(top, id_floor(session, table.name)) + 1
