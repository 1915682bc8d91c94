"""City-wide facts: the metric CRS, the counts of everything, whether a city is there at all."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import NoCity
from data.geometry import require_metric
from data.models import (
    Camera,
    Case,
    CityMeta,
    Community,
    Component,
    Department,
    District,
    GridCell,
    Street,
    Supervisor,
)

# States in which a case is finished; everything else counts as open.
FINISHED_CASE_STATES = ("closed", "voided", "evaluated", "merged")


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(CityMeta, key)
    return row.value if row else default


# Bumped by every import of the city's reference data (cells and other layers, departments, routing), in
# the import's own transaction: what a node or gateway caches from it (the router, the Open311 catalogue,
# the impact index) is keyed on it, so an import by another process on the same database is seen at the
# next command, not at the next restart.
REFERENCE_VERSION = "reference_version"


def reference_version(session: Session) -> int:
    return int(get_meta(session, REFERENCE_VERSION) or 0)


def bump_reference_version(session: Session) -> None:
    set_meta(session, REFERENCE_VERSION, str(reference_version(session) + 1))


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(CityMeta, key)
    if row is None:
        session.add(CityMeta(key=key, value=value))
    else:
        row.value = value


def city_crs(session: Session) -> str:
    crs = get_meta(session, "crs")
    if crs is None:
        raise NoCity(
            "the database holds no city yet: run `python main.py seed` or `import cells FILE --new-city` first"
        )
    return crs


def set_city_crs(session: Session, crs: str) -> None:
    require_metric(crs)
    set_meta(session, "crs", crs)


def has_city(session: Session) -> bool:
    return get_meta(session, "crs") is not None


def stats(session: Session) -> dict[str, int]:
    """What the database holds. ``cases`` and ``open_cases`` count every case row, an exercise's too;
    ``exercise_cases`` says how many of them an exercise's inject reported (kept apart from real figures
    elsewhere, removed by purging the exercise)."""

    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "districts": count(District),
        "streets": count(Street),
        "communities": count(Community),
        "cells": count(GridCell),
        "departments": count(Department),
        "cameras": count(Camera),
        "supervisors": count(Supervisor),
        "components": count(Component),
        "cases": count(Case),
        "open_cases": session.scalar(
            select(func.count()).select_from(Case).where(Case.state.not_in(FINISHED_CASE_STATES))
        )
        or 0,
        "exercise_cases": session.scalar(
            select(func.count()).select_from(Case).where(Case.exercise_id.is_not(None))
        )
        or 0,
    }
