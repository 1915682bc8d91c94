"""A mode's own tables on the shared picture (docs/protocol.md section 7.12): what the civil-defence
and emergency modes have in common when they publish rows (``/siren/<id>``, ``/incident/<id>``...), so
each mode states only its tables, its key prefixes and which of its events touch which rows.

The centre publishes the rows in snapshots and, following its journal, whenever one of the mode's
events names them; every replica (a district node, a console attached with ``--connect``) writes them
into the same tables. Each process registers the tables before it builds or applies the picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from data.models import JournalEvent
from modes.common.picture import EventRule, TableSpec, Touched, register_event_rule, register_table


def subject_rule(
    table: str,
    subject_prefix: str,
    payload_refs: Mapping[str, str] | None = None,
    owned: Mapping[str, str] | None = None,
) -> EventRule:
    """An event whose subject is ``subject_prefix`` + id touched that row of ``table``; ``payload_refs``
    (payload field -> table) names further rows the event changed (a dispatched unit's status);
    ``owned`` (table -> column) names tables whose rows belong to the subject's row and which the
    event may add to or change without naming the rows (an incident's log lines and ICS positions):
    every row whose column is the subject's id is read again."""
    refs = dict(payload_refs or {})
    children = dict(owned or {})

    def rule(ev: JournalEvent, t: Touched) -> None:
        subject = ev.subject or ""
        if subject.startswith(subject_prefix) and len(subject) > len(subject_prefix):
            ident = subject[len(subject_prefix) :]
            t.row(table, ident)
            for child, column in children.items():
                t.rows_where(child, column, ident)
        payload = ev.payload or {}
        for name, other in refs.items():
            value = payload.get(name)
            if value is not None and value != "":
                t.row(other, value)

    return rule


def rescan_rule(tables: Iterable[str]) -> EventRule:
    """An event that changed whole tables (a demo set added): they are read again and compared."""
    names = frozenset(tables)

    def rule(ev: JournalEvent, t: Touched) -> None:
        t.tables.update(names)

    return rule


def register_tables(specs: Iterable[TableSpec], rules: Mapping[str, EventRule]) -> None:
    """Put ``specs`` on the shared picture (in order: a table referred to before its referrers) and say
    which event kinds (exact, or a prefix ending in ".") touch their rows. Idempotent."""
    for spec in specs:
        register_table(spec)
    for kind, rule in rules.items():
        register_event_rule(kind, rule)
