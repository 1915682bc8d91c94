"""Console test fixtures: a small seeded city per test module, services for a role, a loaded window.

The small demo city is generated once per session into a template file and copied for each module,
so a module's mode switches and journal events never leak into another module.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data.db import make_engine, session_factory, upgrade_schema


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            # The offscreen platform warns whenever a top-level window gets size constraints; that
            # is the platform plugin talking, not our code.
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(scope="module", autouse=True)
def collect_on_the_gui_thread(qapp):
    """As the console does (console.workers.GuiThreadCollector): no garbage collection on workers.
    Per module, so the tests after the console's run with the collector as usual."""
    from console.workers import GuiThreadCollector

    collector = GuiThreadCollector()
    collector.start()
    yield
    collector.stop()


@pytest.fixture(scope="session")
def small_city_template(tmp_path_factory) -> Path:
    from data.demo_city import seed_city

    path = tmp_path_factory.mktemp("city") / "small.db"
    engine = make_engine("sqlite:///" + str(path))
    upgrade_schema(engine)
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=1)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def small_demo_template(tmp_path_factory) -> Path:
    """The small city with every mode's demo set (``data.demo.seed_demo``: rescue units, hospitals,
    sirens, shelters). A module uses it by overriding ``city_url`` with ``copy_template``."""
    from data.demo import seed_demo

    path = tmp_path_factory.mktemp("demo_city") / "small_demo.db"
    engine = make_engine("sqlite:///" + str(path))
    upgrade_schema(engine)
    with session_factory(engine)() as s, s.begin():
        seed_demo(s, scale="small", seed=1)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def copy_template(template: Path, tmp_path_factory) -> str:
    """A module's own copy of a template city, as a database URL."""
    path = tmp_path_factory.mktemp("module_city") / "city.db"
    shutil.copyfile(template, path)
    return "sqlite:///" + str(path)


@pytest.fixture(scope="module")
def city_url(small_city_template, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("module_city") / "city.db"
    shutil.copyfile(small_city_template, path)
    return "sqlite:///" + str(path)


@pytest.fixture(scope="module")
def city_engine(city_url):
    engine = make_engine(city_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def make_session(city_engine):
    return session_factory(city_engine)


@pytest.fixture(scope="module")
def snapshot(make_session):
    from modes.common.city_loading import load_snapshot

    with make_session() as s:
        return load_snapshot(s)


def resolve_login(staff, who: str):
    """A console ``Login`` for a fixture, without a password: the staff login ``who``, or the first
    staff member with the role ``who`` (the role itself when the city has none). Tests only: the console
    itself logs people in through ``console.login``'s authenticators."""
    from console.dto import Login
    from data.models import Role

    who = who.strip()
    if who in {r.value for r in Role}:
        person = next((s for s in staff if s.role == who), None)
        if person is None:
            return Login(actor=who, role=who)
    else:
        person = next((s for s in staff if s.login == who), None)
        if person is None:
            raise ValueError(f"unknown role or login {who!r}")
    return Login(person.login, person.role, person.name, person.district_code, person.department_code)


@pytest.fixture
def services_for(make_session):
    """ConsoleServices logged in as the first staff member with a role (or as the role itself)."""
    import datetime as dt

    from console.services import ConsoleServices
    from modes.common.clock import FixedClock

    def build(role: str = "commander", clock=None):
        anonymous = ConsoleServices(make_session, FixedClock(dt.datetime(2009, 9, 18, 10, 0)), None)
        login = resolve_login(anonymous.staff(), role)
        return ConsoleServices(make_session, clock or FixedClock(dt.datetime(2009, 9, 18, 10, 0)), login)

    return build


@pytest.fixture
def translations(qapp):
    """Install a language's catalogues for one test (the English one by default) and remove them after."""
    from console.i18n import install_translations

    installed = []

    def use(lang: str = "en"):
        installed.extend(install_translations(qapp, lang))
        return installed

    yield use
    for t in installed:
        qapp.removeTranslator(t)


@pytest.fixture
def open_window(qtbot, services_for, translations):
    """A loaded main window for a role, sized like the console's default."""
    from console.main_window import MainWindow

    def build(role: str = "commander", lang: str = "en", *, size=(1600, 1000), clock=None):
        translations(lang)
        window = MainWindow(services_for(role, clock))
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        window.watcher.stop()  # tests drive polling themselves
        return window

    return build
