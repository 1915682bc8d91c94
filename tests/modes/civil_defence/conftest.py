"""Fixtures of the civil-defence tests: the small demo city (generated once, written per test) with
the demo civil-defence set, and random evacuation instances built without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from data.civil_defence_demo import add_demo
from data.demo_city import DemoCity, generate_city, write_city

AT = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture(scope="session")
def small_city_rows() -> DemoCity:
    """The small demo city in memory: generating it takes a few seconds, writing it a fraction. The
    components and cameras, most of the rows, play no part in civil defence and are left out."""
    return dataclasses.replace(generate_city("small", 1), components=[], cameras=[])


@pytest.fixture
def small_city(session, small_city_rows):
    """The small demo city with the demo sirens, shelters, receiving areas and teams, in ``session``."""
    write_city(session, small_city_rows, at=AT)
    add_demo(session, seed=1, at=AT)
    session.flush()
    return session
