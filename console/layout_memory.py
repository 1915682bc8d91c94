"""A user's window layout, remembered between sessions: the window's size and place and where its
splitters stand (the map layers, the map and the right-hand column; the Selection pane and the mode's
page), one set per login.

It is a preference on this computer, not a city record: it lives in an INI file in the user's
configuration folder (``QSettings``), never in the city's database (the console writes the city only
through its commands, and a layout is no command).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QPoint, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter

APP_NAME = "sanwei"
FILE_NAME = "layout.ini"


def default_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / FILE_NAME


def _group(login: str) -> str:
    # QSettings treats '/' and '\\' as separators; a login holds letters, digits, '_', '.', '-' anyway.
    return "login_" + "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in login)


class LayoutMemory:
    """Saves and restores a main window's geometry and the state of its named splitters, per login."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()

    def _settings(self) -> QSettings:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(self.path), QSettings.Format.IniFormat)

    def save(self, window: QMainWindow, login: str, splitters: dict[str, QSplitter]) -> None:
        settings = self._settings()
        settings.beginGroup(_group(login))
        # Size, place and maximised apart rather than Qt's geometry blob, which a small or virtual
        # screen rewrites on the way back.
        settings.setValue("maximized", window.isMaximized())
        normal = window.normalGeometry() if window.isMaximized() else window.geometry()
        settings.setValue("size", normal.size())
        settings.setValue("pos", normal.topLeft())
        for name, splitter in splitters.items():
            settings.setValue(f"splitter_{name}", splitter.saveState())
        settings.endGroup()
        settings.sync()

    def restore(self, window: QMainWindow, login: str, splitters: dict[str, QSplitter]) -> bool:
        """Put back what ``save`` kept for ``login``; False when nothing was kept (the defaults stay)."""
        if not self.path.exists():
            return False
        settings = self._settings()
        settings.beginGroup(_group(login))
        found = False
        size, pos = settings.value("size"), settings.value("pos")
        if isinstance(size, QSize) and size.isValid():
            window.resize(size)
            found = True
        if isinstance(pos, QPoint) and QGuiApplication.screenAt(pos) is not None:
            window.move(pos)  # only onto a screen that is still there
        if str(settings.value("maximized", "false")).lower() == "true":
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        for name, splitter in splitters.items():
            state = settings.value(f"splitter_{name}")
            if isinstance(state, QByteArray) and not state.isEmpty():
                found = splitter.restoreState(state) or found
        settings.endGroup()
        return found
