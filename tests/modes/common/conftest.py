"""The small demo city in one SQLite file, seeded once and only read: the city's picture and the
queries of ``modes.common`` are checked against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.db import make_engine, session_factory, upgrade_schema
from modes.common.city_loading import load_snapshot


@pytest.fixture(scope="session")
def small_city_file(tmp_path_factory) -> Path:
    from data.demo_city import seed_city

    path = tmp_path_factory.mktemp("picture") / "small.db"
    engine = make_engine("sqlite:///" + str(path))
    upgrade_schema(engine)
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=1)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def make_session(small_city_file):
    engine = make_engine("sqlite:///" + str(small_city_file))
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def snapshot(make_session):
    with make_session() as s:
        return load_snapshot(s)
