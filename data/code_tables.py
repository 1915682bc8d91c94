"""The code tables a city works by beside its map: event and component types, departments, and routing
(which department each district assigns each event type to).

A city founded from a file of cells (``import cells FILE --new-city``) gets the standard tables as part
of the founding (``standard_tables``): the national event and component types (``data.codes``), the 23
departments of ``data.departments`` with each component type's default owner, and for every district the
default routing table. They are a template to edit: ``import departments FILE.csv`` and ``import routing
FILE.csv`` change them, ``export departments|routing`` writes them in the same form. A district a later
cell import adds gets the default routing too (to the departments the city has).

Departments CSV (UTF-8, header row; packed files read as in ``data.source_files``)::

    code,name_zh,name_en,credit_code,duties

``code`` is required (letters, digits, ``_ . -``, at most 32); ``name_zh`` (or ``name``) is required for a
new department; ``credit_code`` is empty or an 18-character unified social credit code (GB 32100-2015)
with valid check characters. Rows are upserted by code: a blank cell keeps the stored value, departments
the file does not name stay as they are.

Routing CSV::

    event_type,district,department[,event_type_name,department_name]

``event_type`` is a GB/T 47678.5 (5-digit) or CJ/T 214 (4-digit) code; ``district`` a district code of
the city or ``*`` for every district; ``department`` a department code, or empty for "no department:
the district itself is responsible" (属地). A district's own row wins over the ``*`` row of the same type,
whatever their order. Pairs the file does not reach stay as they are. The name columns are written by
the export for a person reading it and ignored by the import.

A file is taken whole or refused whole: every bad cell is named by its line (the header is line 1) and
column, in one ``InputError``. Each import appends one ``import.departments`` or ``import.routing``
journal event. Nothing is committed here: the caller owns the transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from data import journal
from data.codes import load_types
from data.departments import (
    DEPARTMENTS,
    department_for_event_type,
    is_valid_credit_code,
    owner_for_component_type,
)
from data.errors import InputError
from data.models import ComponentType, Department, District, EventAssignment, EventType
from data.source_files import open_source

DEPARTMENT_COLUMNS = ("code", "name_zh", "name_en", "credit_code", "duties")
ROUTING_COLUMNS = ("event_type", "district", "department")
ROUTING_NOTES = ("event_type_name", "department_name")  # for a person reading; the import ignores them
ALL_DISTRICTS = "*"
DEPARTMENT_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
LISTED = 10
_LIMITS = {"name_zh": 100, "name_en": 100, "duties": 10_000}


# --- the standard tables of a new city -------------------------------------------------------------


def standard_tables(session: Session, districts: Sequence[str], *, founding: bool) -> dict[str, int]:
    """Give a city its standard code tables (``founding``) and ``districts`` the default routing.

    Founding loads the standard event and component types, the 23 template departments and each
    component type's default owner, where the city does not have them yet. Returns how many rows of
    each table were added (empty when nothing was)."""
    counts: dict[str, int] = {}
    if founding:
        components, events = load_types(session)
        have = set(session.scalars(select(Department.code)))
        new = [d.as_row() for d in DEPARTMENTS if d.code not in have]
        if new:
            session.execute(insert(Department), new)
        known = have | {d["code"] for d in new}
        owners = 0
        for t in session.scalars(select(ComponentType).where(ComponentType.default_owner.is_(None))):
            owner = owner_for_component_type(t)
            if owner in known:
                t.default_owner, owners = owner, owners + 1
        session.flush()
        counts = {
            "event_types": events,
            "component_types": components,
            "departments": len(new),
            "owners": owners,
        }
    routed = default_routing(session, districts)
    if founding or routed:
        counts["routing"] = routed
    return counts


def default_routing(session: Session, districts: Sequence[str]) -> int:
    """Add the default routing (``data.departments.department_for_event_type``) of each of ``districts``
    for every event type the city has, to the departments it has; pairs already routed are left alone.
    Returns the number of rows added."""
    if not districts:
        return 0
    types = list(session.scalars(select(EventType).order_by(EventType.code)))
    known = set(session.scalars(select(Department.code)))
    have = set(
        session.execute(
            select(EventAssignment.district_code, EventAssignment.event_type_code).where(
                EventAssignment.district_code.in_(list(districts))
            )
        ).all()
    )
    rows = []
    for district in districts:
        for t in types:
            department = department_for_event_type(t, district)
            if department in known and (district, t.code) not in have:
                rows.append(
                    {"district_code": district, "event_type_code": t.code, "department_code": department}
                )
    if rows:
        session.execute(insert(EventAssignment), rows)
    return len(rows)


# --- reading a table file --------------------------------------------------------------------------


@dataclass
class TableReport:
    """What an import of a code table did."""

    kind: str  # departments | routing
    path: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    removed: int = 0  # routing rows cleared by an empty department
    unchanged: int = 0
    journal_seq: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def append_event(self, session: Session, actor: str, at: dt.datetime) -> None:
        payload = self.as_dict()
        del payload["journal_seq"]
        self.journal_seq = journal.append(
            session,
            journal.NewEvent(
                f"import.{self.kind}", actor, at, subject=Path(self.path).name[:80], payload=payload
            ),
        )


class _Rows:
    """A code table's CSV rows with their line numbers, and the problems found in them."""

    def __init__(self, label: str, known: Sequence[str], required: Sequence[str], aliases: dict[str, str]):
        self.label = label
        self.problems: list[str] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        file = open_source(label, members=(".csv", ".txt"))
        try:
            with file.open_text() as fh:
                self._read(fh, known, required, aliases)
        except UnicodeDecodeError as exc:
            raise InputError(f"{label}: nothing imported: not UTF-8 text ({exc.reason})") from None
        except csv.Error as exc:
            raise InputError(f"{label}: nothing imported: malformed CSV: {exc}") from None

    def _read(
        self, fh: TextIO, known: Sequence[str], required: Sequence[str], aliases: dict[str, str]
    ) -> None:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise InputError(
                f"{self.label}: nothing imported: empty file, expected the header {','.join(known)}"
            )
        names = [aliases.get(h.strip().lower(), h.strip().lower()) for h in header]
        unknown = [h for h, n in zip(header, names, strict=True) if n not in known]
        missing = [c for c in required if c not in names]
        if unknown or missing:
            said = (
                [f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"]
                if unknown
                else []
            )
            said += [f"no column {', '.join(missing)}"] if missing else []
            raise InputError(
                f"{self.label}: nothing imported: {'; '.join(said)} (the columns are {', '.join(known)})"
            )
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(names):
                self.bad(reader.line_num, None, f"{len(row)} fields where the header has {len(names)}")
                continue
            self.rows.append((reader.line_num, {n: c.strip() for n, c in zip(names, row, strict=True)}))

    def bad(self, line: int, column: str | None, reason: str) -> None:
        self.problems.append(f"line {line}{f', column {column}' if column else ''}: {reason}")

    def refuse_if_bad(self) -> None:
        if not self.problems:
            return
        shown = "; ".join(self.problems[:LISTED])
        more = len(self.problems) - LISTED
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        raise InputError(
            f"{self.label}: nothing imported, {count}: {shown}{f'; and {more} more' if more > 0 else ''}"
        )


# --- departments -----------------------------------------------------------------------------------


def import_departments(
    session: Session, path: str | Path, *, actor: str = "import", at: dt.datetime | None = None
) -> TableReport:
    """Upsert the departments of a CSV file (see the module doc); refused whole for any bad row."""
    table = _Rows(str(path), DEPARTMENT_COLUMNS, ("code",), {"name": "name_zh"})
    stored = {d.code: d for d in session.scalars(select(Department))}
    first: dict[str, int] = {}
    wanted: list[dict[str, str]] = []
    for line, row in table.rows:
        code = row.get("code", "")
        if not DEPARTMENT_CODE.match(code):
            reason = f"{code!r} is not a department code" if code else "no department code"
            table.bad(line, "code", f"{reason} (letters, digits, _ . -, at most 32)")
            continue
        if code in first:
            table.bad(line, "code", f"department {code!r} again (first on line {first[code]})")
            continue
        first[code] = line
        values = {c: row[c] for c in DEPARTMENT_COLUMNS[1:] if row.get(c)}
        for column, limit in _LIMITS.items():
            if len(values.get(column, "")) > limit:
                table.bad(line, column, f"{len(values[column])} characters, at most {limit} fit")
        credit = values.get("credit_code")
        if credit is not None and not is_valid_credit_code(credit.upper()):
            table.bad(line, "credit_code", f"{credit!r} is not an 18-character unified social credit code")
        elif credit is not None:
            values["credit_code"] = credit.upper()
        if code not in stored and not values.get("name_zh"):
            table.bad(line, "name_zh", f"a new department ({code}) needs its name")
        wanted.append({"code": code, **values})
    table.refuse_if_bad()
    report = TableReport("departments", table.label, read=len(table.rows))
    inserts, updates = [], []
    for values in wanted:
        old = stored.get(values["code"])
        row = {("name" if k == "name_zh" else k): v for k, v in values.items()}
        if old is None:
            inserts.append({"name_en": "", "credit_code": "", "duties": "", **row})
        elif any(getattr(old, k) != v for k, v in row.items()):
            updates.append({"code": old.code, "name": old.name, "name_en": old.name_en,
                            "credit_code": old.credit_code, "duties": old.duties, **row})  # fmt: skip
        else:
            report.unchanged += 1
    if inserts:
        session.execute(insert(Department), inserts)
    if updates:
        session.execute(update(Department), updates)
    report.inserted, report.updated = len(inserts), len(updates)
    report.append_event(session, actor, at or dt.datetime.now())
    return report


def export_departments(session: Session, out: TextIO) -> int:
    """The departments as the CSV ``import departments`` reads; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DEPARTMENT_COLUMNS)
    rows = session.execute(
        select(
            Department.code, Department.name, Department.name_en, Department.credit_code, Department.duties
        ).order_by(Department.code)
    ).all()
    writer.writerows(rows)
    return len(rows)


# --- routing ---------------------------------------------------------------------------------------


def _event_type_keys(session: Session) -> dict[str, str]:
    """Every GB, legacy and key code of the city's event types -> the type's key code."""
    keys: dict[str, str] = {}
    for code, gb, legacy in session.execute(select(EventType.code, EventType.gb_code, EventType.legacy_code)):
        for alias in (code, gb, legacy):
            if alias:
                keys.setdefault(alias, code)
    return keys


def import_routing(
    session: Session, path: str | Path, *, actor: str = "import", at: dt.datetime | None = None
) -> TableReport:
    """Set routing from a CSV file (see the module doc); refused whole for any bad row."""
    table = _Rows(str(path), ROUTING_COLUMNS + ROUTING_NOTES, ROUTING_COLUMNS, {})
    types = _event_type_keys(session)
    districts = sorted(session.scalars(select(District.code)))
    departments = set(session.scalars(select(Department.code)))
    everywhere: dict[str, tuple[int, str | None]] = {}  # event type -> (line, department) of its * row
    own: dict[tuple[str, str], tuple[int, str | None]] = {}  # (district, event type) -> (line, department)
    for line, row in table.rows:
        raw_type, district, department = row["event_type"], row["district"], row["department"] or None
        code = types.get(raw_type)
        ok = True
        if code is None:
            table.bad(line, "event_type", f"unknown event type code {raw_type!r}" if raw_type else "empty")
            ok = False
        if district != ALL_DISTRICTS and district not in districts:
            reason = f"the city has no district {district!r}" if district else "empty (a district code, or *)"
            table.bad(line, "district", reason)
            ok = False
        if department is not None and department not in departments:
            table.bad(line, "department", f"unknown department {department!r} (import departments first)")
            ok = False
        if not ok:
            continue
        target = everywhere if district == ALL_DISTRICTS else own
        key = code if district == ALL_DISTRICTS else (district, code)
        if key in target:
            table.bad(line, "district", f"{raw_type} in {district} again (first on line {target[key][0]})")
            continue
        target[key] = (line, department)
    table.refuse_if_bad()
    wanted: dict[tuple[str, str], str | None] = {}
    for code, (_, department) in everywhere.items():
        for district in districts:
            wanted[(district, code)] = department
    wanted.update({key: department for key, (_, department) in own.items()})
    report = TableReport("routing", table.label, read=len(table.rows))
    _apply_routing(session, wanted, report)
    report.append_event(session, actor, at or dt.datetime.now())
    return report


def _apply_routing(session: Session, wanted: dict[tuple[str, str], str | None], report: TableReport) -> None:
    stored = {
        (d, t): dep
        for d, t, dep in session.execute(
            select(
                EventAssignment.district_code,
                EventAssignment.event_type_code,
                EventAssignment.department_code,
            )
        )
    }
    inserts, updates, removals = [], [], []
    for (district, code), department in sorted(wanted.items()):
        old = stored.get((district, code))
        if old == department:
            report.unchanged += 1
        elif department is None:
            removals.append((district, code))
        else:
            row = {"district_code": district, "event_type_code": code, "department_code": department}
            (inserts if old is None else updates).append(row)
    if inserts:
        session.execute(insert(EventAssignment), inserts)
    if updates:
        session.execute(update(EventAssignment), updates)
    if removals:
        table = EventAssignment.__table__
        stmt = delete(table).where(
            table.c.district_code == bindparam("d"), table.c.event_type_code == bindparam("t")
        )
        session.execute(stmt, [{"d": d, "t": t} for d, t in removals])
    report.inserted, report.updated, report.removed = len(inserts), len(updates), len(removals)


def _routing_rows(session: Session) -> Iterator[tuple[str, str, str, str, str]]:
    """Per event type: a ``*`` row with the department most districts use, then the districts that
    differ (an empty department for one the type is not routed in)."""
    districts = sorted(session.scalars(select(District.code)))
    names = dict(session.execute(select(Department.code, Department.name)).all())
    routed: dict[str, dict[str, str]] = {}
    for d, t, dep in session.execute(
        select(
            EventAssignment.district_code, EventAssignment.event_type_code, EventAssignment.department_code
        )
    ):
        routed.setdefault(t, {})[d] = dep
    for code, name in session.execute(select(EventType.code, EventType.name).order_by(EventType.code)):
        by_district = {d: routed.get(code, {}).get(d) for d in districts}
        counts = Counter(v for v in by_district.values() if v is not None)
        common = min(counts, key=lambda v: (-counts[v], v)) if counts else None
        if common is not None:
            yield code, ALL_DISTRICTS, common, name, names.get(common, "")
        for d, dep in by_district.items():
            if dep != common and (dep is not None or common is not None):
                yield code, d, dep or "", name, names.get(dep or "", "")


def export_routing(session: Session, out: TextIO) -> int:
    """Routing as the CSV ``import routing`` reads (see ``_routing_rows``); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROUTING_COLUMNS + ROUTING_NOTES)
    count = 0
    for row in _routing_rows(session):
        writer.writerow(row)
        count += 1
    return count
