"""The whole demo city in one call: the city model, then the civil-defence set (sirens, shelters,
receiving areas, teams) and the emergency set (rescue units, depots, hospitals) on top of it, so a
first run of the console finds every mode's tools with something to work on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from data.civil_defence_demo import add_demo as add_civil_defence_demo
from data.demo_city import Progress, Scale, seed_city
from data.emergency_demo import seed_emergency


def seed_demo(
    session: Session,
    *,
    scale: str | Scale = "harbin",
    seed: int = 1,
    progress: Progress | None = None,
    actor: str = "system",
    at: dt.datetime | None = None,
) -> dict:
    """``seed_city`` plus both modes' demo sets, in the caller's transaction (the caller commits).

    Returns the city's summary with the modes' summaries under ``civil_defence`` and ``emergency``.
    """
    summary = seed_city(session, scale=scale, seed=seed, progress=progress, actor=actor, at=at)
    summary["civil_defence"] = add_civil_defence_demo(session, seed=seed, at=at, actor=actor)
    summary["emergency"] = seed_emergency(session, seed=seed, actor=actor, at=at)
    return summary


def seed_new_city(make_session: Callable[[], Session], **kw) -> dict:
    """``seed_demo`` in a transaction of its own. Founding a city is not a command on one (there is
    no city, no staff and no journal yet to check it against), so the console and the command line
    call this rather than opening a write transaction themselves."""
    with make_session() as s, s.begin():
        return seed_demo(s, **kw)
