"""The first run's demo that lives: the demo city is seeded with a month of history, and the offer to
start "a busy day" at 60x as a DEMO exercise starts it as the drill coordinator who signed in there."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from console.demo_offer import DemoOfferDialog
from console.login import local_authenticator
from console.seeding import seed_with_progress
from console.services import ConsoleServices
from console.workers import WorkerPool
from data.db import make_engine, open_database, session_factory
from data.exercise_models import Exercise
from data.models import Case
from modes.common.clock import SystemClock
from tests.test_cli import run


@pytest.fixture(scope="module")
def harbin_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo_offer") / "city.db"
    run("seed", "--db", f"sqlite:///{path}")
    return path


@pytest.fixture
def make_session(harbin_template, tmp_path):
    path = tmp_path / "city.db"
    shutil.copyfile(harbin_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def offer(qtbot, make_session):
    clock = SystemClock()
    staff = ConsoleServices(make_session, clock, None).staff()
    workers = WorkerPool()
    dialog = DemoOfferDialog(local_authenticator(make_session, clock, staff), make_session, clock, workers)
    qtbot.addWidget(dialog)
    yield dialog
    workers.shutdown()


def exercises(make_session) -> list[Exercise]:
    with make_session() as s:
        return list(s.scalars(select(Exercise)))


def test_the_offer_starts_a_busy_day_at_60x_as_a_demo_exercise(qtbot, offer, make_session):
    assert offer.login_edit.text() == "city_drill"
    offer.password_edit.setText("sanwei-demo")
    with qtbot.waitSignal(offer.started, timeout=60_000) as started:
        offer.start_button.click()
    (ex,) = exercises(make_session)
    assert started.args == [ex.id]
    assert (ex.scenario, ex.speed, ex.demo, ex.state, ex.started_by) == (
        "busy_day",
        60.0,
        True,
        "running",
        "city_drill",
    )
    assert ex.start_offset_s == 8 * 3600


@pytest.mark.parametrize(
    ("login", "password", "message"),
    [
        ("city_drill", "wrong", "wrong password"),
        ("city_operator", "sanwei-demo", "city_operator (operator) may not start an exercise"),
    ],
)
def test_a_refusal_is_shown_and_starts_nothing(qtbot, offer, make_session, login, password, message):
    offer.login_edit.setText(login)
    offer.password_edit.setText(password)
    offer.start_button.click()
    qtbot.waitUntil(lambda: offer.start_button.isEnabled() and offer.message.text() != "", timeout=60_000)
    assert message in offer.message.text()
    assert exercises(make_session) == []


def test_the_first_run_seeds_the_city_with_its_history(qapp, tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'first.db'}")
    make = session_factory(engine)
    assert seed_with_progress(make, scale="small", show_dialog=False, history_days=2) is None
    with make() as s:
        assert s.scalar(select(func.count()).select_from(Case)) > 100
    engine.dispose()
