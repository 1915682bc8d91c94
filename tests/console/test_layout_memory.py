"""The window's layout is the user's: the Selection pane and the side panels can be dragged larger, and
each login finds its own window size and splitter positions again in its next session (kept in an INI
file of the user's configuration, never in the city's database)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from console.layout_memory import LayoutMemory


@pytest.fixture
def window_for(qtbot, services_for, translations):
    """A loaded window for a login, remembering its layout in ``memory``."""
    from console.main_window import MainWindow

    opened = []

    def build(login: str, memory: LayoutMemory, size=(1600, 1000)):
        translations("en")
        window = MainWindow(services_for(login), layout_memory=memory)
        qtbot.addWidget(window)
        if not window.restore_layout():
            window.resize(*size)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        window.watcher.stop()
        qtbot.waitUntil(lambda: not window.workers.busy, timeout=30_000)
        opened.append(window)
        return window

    yield build
    for window in opened:
        window.close()


def drag(splitter, index: int, pos: int) -> None:
    """What a drag of the handle before pane ``index`` to ``pos`` does (it emits ``splitterMoved``)."""
    splitter.moveSplitter(pos, index)


def city_digest(url: str) -> str:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def test_the_selection_pane_can_be_dragged_to_half_the_column(window_for, tmp_path, qtbot):
    window = window_for("city_commander", LayoutMemory(tmp_path / "layout.ini"), (1920, 1080))
    right = window.right_splitter
    total = sum(right.sizes())
    drag(right, 1, total // 2)
    qtbot.waitUntil(lambda: right.sizes()[0] >= total // 2 - 2, timeout=2000)
    assert window.details.height() >= total // 2 - 2


def test_each_login_finds_its_own_layout_again(window_for, tmp_path, qtbot, city_url):
    memory = LayoutMemory(tmp_path / "config" / "layout.ini")
    before = city_digest(city_url)

    commander = window_for("city_commander", memory, (1500, 900))
    default_main = commander.main_splitter.sizes()
    default_right = commander.right_splitter.sizes()
    drag(commander.main_splitter, 1, default_main[0] + 60)  # the layers panel wider
    drag(commander.right_splitter, 1, default_right[0] + 150)  # the Selection pane taller
    commander.resize(1400, 850)
    qtbot.waitUntil(lambda: commander.main_splitter.sizes()[0] == default_main[0] + 60, timeout=2000)
    kept_main, kept_right = commander.main_splitter.sizes(), commander.right_splitter.sizes()
    commander.close()  # saves

    again = window_for("city_commander", memory)
    assert (again.width(), again.height()) == (1400, 850)
    assert again.main_splitter.sizes() == kept_main
    assert again.right_splitter.sizes() == kept_right
    again.close()

    other = window_for("city_operator", memory, (1500, 900))  # another login: the defaults
    assert other.main_splitter.sizes() == default_main
    assert other.right_splitter.sizes() == default_right
    other.close()

    text = memory.path.read_text(encoding="utf-8")
    assert "[login_city_commander]" in text and "[login_city_operator]" in text
    assert city_digest(city_url) == before  # a layout is no city record


def test_a_dragged_splitter_is_kept_without_closing(window_for, tmp_path, qtbot):
    """A console that is killed rather than closed still keeps a layout dragged a second before."""
    memory = LayoutMemory(tmp_path / "layout.ini")
    window = window_for("city_commander", memory)
    drag(window.right_splitter, 1, window.right_splitter.sizes()[0] + 100)
    qtbot.waitUntil(lambda: memory.path.exists(), timeout=5000)
    kept = window.right_splitter.sizes()
    other = window_for("city_commander", LayoutMemory(memory.path))  # the window above still open
    assert other.right_splitter.sizes() == kept
