"""A previewed page (``console --mode``, screenshots) loads what it shows, as a switched one does, and
the city stays in its mode. Each test opens a window on its own copy of the small demo city, which
starts in everyday mode; the page is previewed before the window loads, as ``console --mode`` does."""

from __future__ import annotations

import pytest

from modes.civil_defence import coverage
from modes.common.mode_switch import Mode, current_mode
from tests.console.conftest import copy_template


@pytest.fixture
def city_url(small_demo_template, tmp_path_factory) -> str:
    return copy_template(small_demo_template, tmp_path_factory)


@pytest.fixture
def make_session(city_url):
    from data.db import make_engine, session_factory

    engine = make_engine(city_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def previewed(qtbot, services_for, translations, make_session):
    from console.main_window import MainWindow

    def open_previewing(mode: Mode):
        translations("en")
        window = MainWindow(services_for("commander"))
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        assert window.mode == Mode.EVERYDAY
        window.preview_mode(mode)
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        window.watcher.stop()
        return window

    return open_previewing


def test_a_previewed_civil_defence_page_fills_its_figures(previewed, qtbot, make_session):
    window = previewed(Mode.CIVIL_DEFENCE)
    tools = window.civil_defence
    qtbot.waitUntil(lambda: tools.summary.summary is not None, timeout=30_000)
    with make_session() as s:
        report = coverage.coverage_report(s)
    assert tools.summary.value("covered").startswith(f"{report.covered:,.0f} (")
    assert window.mode == Mode.EVERYDAY and window.previewing == Mode.CIVIL_DEFENCE
    with make_session() as s:
        assert current_mode(s) == Mode.EVERYDAY


def test_a_previewed_emergency_page_reads_its_board(previewed, qtbot, make_session):
    window = previewed(Mode.EMERGENCY)
    console = window.emergency
    assert console.active  # the page on screen reads and draws its incidents
    qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=30_000)
    assert window.mode == Mode.EVERYDAY and window.previewing == Mode.EMERGENCY
    with make_session() as s:
        assert current_mode(s) == Mode.EVERYDAY
