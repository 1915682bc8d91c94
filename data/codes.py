"""The national standard code tables and the checks on codes built from them.

``standards/component_types.csv`` and ``standards/event_types.csv`` carry every GB/T 47678.5-2026 type
beside its CJ/T 214-2007 (legacy) code where one exists (see ``standards/README.md``). A type's key in
the database is its GB code, or its legacy code when it has none.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.models import ComponentType, EventType

STANDARDS_DIR = Path(__file__).with_name("standards")

CELL_CODE = re.compile(r"^\d{15}$")
LEGACY_CELL_CODE = re.compile(r"^\d{14}$")
COMPONENT_ID = re.compile(r"^\d{17}$")
LEGACY_COMPONENT_ID = re.compile(r"^\d{16}$")
DISTRICT_CODE = re.compile(r"^\d{6}$")

# Legacy sudden events (04xx) and their GB successors run on a continuous clock and are urgent by default.
URGENT_LEGACY_MAJOR = "04"
URGENT_GB_CODES = {"10001", "10002"}


@dataclass(frozen=True)
class TypeRow:
    code: str
    gb_code: str | None
    legacy_code: str | None
    major_name: str
    name: str


@cache
def read_table(filename: str) -> tuple[TypeRow, ...]:
    rows = []
    with open(STANDARDS_DIR / filename, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            gb, legacy = r["gb_code"] or None, r["legacy_code"] or None
            rows.append(TypeRow(gb or legacy, gb, legacy, r["major_name"], r["name"]))
    return tuple(rows)


def component_type_rows() -> tuple[TypeRow, ...]:
    return read_table("component_types.csv")


def event_type_rows() -> tuple[TypeRow, ...]:
    return read_table("event_types.csv")


def is_urgent_event(row: TypeRow) -> bool:
    return (row.legacy_code or "").startswith(URGENT_LEGACY_MAJOR) or row.gb_code in URGENT_GB_CODES


def load_types(session: Session) -> tuple[int, int]:
    """Insert the standard component and event types that are not in the database yet."""
    have_c = set(session.scalars(select(ComponentType.code)))
    have_e = set(session.scalars(select(EventType.code)))
    new_c = [
        ComponentType(
            code=r.code, gb_code=r.gb_code, legacy_code=r.legacy_code, major_name=r.major_name, name=r.name
        )
        for r in component_type_rows()
        if r.code not in have_c
    ]
    new_e = [
        EventType(
            code=r.code,
            gb_code=r.gb_code,
            legacy_code=r.legacy_code,
            major_name=r.major_name,
            name=r.name,
            urgent=is_urgent_event(r),
        )
        for r in event_type_rows()
        if r.code not in have_e
    ]
    session.add_all(new_c + new_e)
    session.flush()
    return len(new_c), len(new_e)


def resolve_event_type(session: Session, code: str) -> EventType:
    """An event type by its GB (5-digit) or legacy (4-digit) code."""
    code = code.strip()
    column = {5: EventType.gb_code, 4: EventType.legacy_code}.get(len(code))
    found = session.scalar(select(EventType).where(column == code)) if column is not None else None
    if found is None:
        raise NotFound(
            f"unknown event type code {code!r} (expected a GB/T 47678.5 5-digit or CJ/T 214 4-digit code)"
        )
    return found


def resolve_component_type(session: Session, code: str) -> ComponentType:
    code = code.strip()
    column = {5: ComponentType.gb_code, 4: ComponentType.legacy_code}.get(len(code))
    found = session.scalar(select(ComponentType).where(column == code)) if column is not None else None
    if found is None:
        raise NotFound(
            f"unknown component type code {code!r} (expected a GB/T 47678.5 5-digit or CJ/T 214 4-digit code)"
        )
    return found


def legacy_cell_code(code: str) -> str | None:
    """The CJ/T 213 14-digit code of a 15-digit cell code, when its sequence fits in two digits."""
    seq = int(code[12:])
    return code[:12] + f"{seq:02d}" if seq < 100 else None


def component_ids(district: str, type_row: ComponentType | TypeRow, seq: int) -> tuple[str, str | None]:
    """(primary id, legacy id) of a component.

    The primary id is the 17-digit GB/T 47678.5 id; a type the new standard dropped (e.g. 0502 人防工事)
    keeps its 16-digit CJ/T 214 id as the primary id. The legacy id exists when the type has a legacy code.
    """
    legacy = f"{district}{type_row.legacy_code}{seq:06d}" if type_row.legacy_code else None
    if type_row.gb_code:
        return f"{district}{type_row.gb_code}{seq:06d}", legacy
    return legacy, legacy
