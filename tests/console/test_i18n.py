"""Both languages ship complete: the catalogues cover every string in the code, the compiled files
match their sources, and a console driven through its screens asks for no string the catalogue lacks
(and, in Chinese, shows no English words of its own)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QTabWidget,
    QWidget,
)

from console.i18n import LANGUAGES, qm_path, ts_path
from console.i18n.refresh import entries

REPO = Path(__file__).resolve().parents[2]


def catalogue(lang: str) -> dict[tuple[str, str], str | None]:
    return entries(ts_path(lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete(lang):
    cat = catalogue(lang)
    assert len(cat) > 150
    unfinished = [k for k, v in cat.items() if not v]
    assert unfinished == []
    if lang == "en":
        assert all(v == k[1] for k, v in cat.items())
    else:
        assert all(re.search(r"[\u4e00-\u9fff]", v) or not re.search("[A-Za-z]{3,}", v) for v in cat.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_its_source(lang, qapp):
    translator = QTranslator()
    assert translator.load(str(qm_path(lang)))
    for (context, source), text in catalogue(lang).items():
        assert translator.translate(context, source) == text, (context, source)


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """Run lupdate afresh over the console's sources: it must find nothing the shipped catalogue lacks."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (REPO / "console").rglob("*.py") if "i18n" not in p.parts)
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    cmd = [str(lupdate) if lupdate.exists() else "pyside6-lupdate", *sources, "-ts", str(fresh)]
    subprocess.run(cmd, check=True, capture_output=True)
    found = {
        (c.findtext("name"), m.findtext("source"))
        for c in ET.parse(fresh).getroot().iter("context")
        for m in c.iter("message")
    }
    missing = found - set(catalogue("zh_CN"))
    assert missing == set(), f"run python -m console.i18n.refresh; missing: {sorted(missing)[:10]}"


class RecordingTranslator(QTranslator):
    """Delegates to the shipped catalogue and remembers every lookup of ours it could not answer."""

    def __init__(self, inner: QTranslator):
        super().__init__()
        self.inner = inner
        self.misses: set[tuple[str, str]] = set()
        self.hits = 0

    def translate(self, context, source, disambiguation=None, n=-1):
        text = self.inner.translate(context, source, disambiguation, n)
        if context and not context.startswith("Q"):  # Qt's own contexts are qtbase's business
            if text:
                self.hits += 1
            else:
                self.misses.add((context, source))
        return text

    def isEmpty(self) -> bool:
        return False


def visible_texts(root: QWidget) -> list[str]:
    texts = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.property("data_text"):
            continue
        if isinstance(w, QLabel):
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QComboBox):
            # The component-type list holds the standard's Chinese type names (data), after "All types".
            count = 1 if w.objectName() == "type_box" else w.count()
            texts += [w.itemText(i) for i in range(count)]
        if w.toolTip():
            texts.append(w.toolTip())
        if w.isWindow():
            texts.append(w.windowTitle())
    return [t for t in texts if t]


ALLOWED_LATIN = {"GB", "CJ"}


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_console_asks_only_for_catalogued_strings(lang, qapp, qtbot, services_for, make_session):
    from console.login import LoginDialog
    from console.main_window import ConfirmModeDialog, MainWindow
    from console.seeding import _SeedProgress
    from modes.common.auth import AuthRefused
    from modes.common.mode_switch import Mode

    inner = QTranslator()
    assert inner.load(str(qm_path(lang)))
    recorder = RecordingTranslator(inner)
    qapp.installTranslator(recorder)
    try:
        window = MainWindow(services_for("commander"))
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        window.watcher.stop()
        snap = window.snapshot
        # Walk through the screens: every selection kind, area search, every measure, every mode.
        window.map.select("cell", str(snap.cells.codes[0]))
        window.map.select("component", str(snap.components.ids[0]))
        window.map.select("camera", str(snap.cameras.ids[0]))
        window.map.select("supervisor", str(int(snap.supervisors.ids[0])))
        window.search(str(snap.streets.codes[0]), animate=False)
        window.search("nothing-like-this", animate=False)
        for i in range(window.layers_panel.measure_box.count()):
            window.layers_panel.measure_box.setCurrentIndex(i)
        window.map.hover_changed.emit(
            window.map.describe(window.map.pick(snap.cells.centroid_x[0], snap.cells.centroid_y[0]))
        )
        seen_texts = visible_texts(window)
        chrome = visible_texts(window.layers_panel) + visible_texts(window.findChild(QWidget, "command_bar"))
        window.confirm_switch = lambda target: "test"
        for mode in (Mode.CIVIL_DEFENCE, Mode.EMERGENCY, Mode.EVERYDAY, Mode.EMERGENCY):
            with qtbot.waitSignal(window.mode_changed, timeout=5000):
                window.request_mode(mode)
            seen_texts += visible_texts(window)
        for target in (Mode.CIVIL_DEFENCE, Mode.EMERGENCY):
            dialog = ConfirmModeDialog(target, "王指挥", window)  # a name: logins are data, not UI text
            seen_texts += visible_texts(dialog)
            dialog.deleteLater()
        def refuse(login: str, password: str):
            raise AuthRefused("refused", reason="wrong_password", login=login, failures=1)

        login = LoginDialog(refuse, "city_commander")
        qtbot.addWidget(login)
        login._on_log_in()
        seen_texts += visible_texts(login)
        progress = QProgressDialog()
        qtbot.addWidget(progress)
        _SeedProgress(progress).on_progress("grid cells", 0.2)
        seen_texts.append(progress.labelText())
        QTimer.singleShot(0, lambda: None)
    finally:
        qapp.removeTranslator(recorder)
    assert recorder.hits > 100
    assert recorder.misses == set()
    if lang == "zh_CN":
        leftovers = {t: english_words(t) for t in seen_texts if english_words(t)}
        assert leftovers == {}
    else:
        # Place and type names are Chinese data in either language; the console's own chrome is not.
        assert not [t for t in chrome if re.search(r"[\u4e00-\u9fff]", t)]


def test_tr_context_is_the_class_name(qapp):
    """PySide6's tr() looks strings up under the runtime class name; lupdate files them under the class
    that contains the call. They agree only while translated widgets are not subclassed."""
    from console import details_panel, layers_panel, login, main_window, map, mode_pages  # noqa: F401

    leaves = {
        "DetailsPanel",
        "LayersPanel",
        "LoginDialog",
        "MainWindow",
        "ConfirmModeDialog",
        "MapPanel",
        "EverydayPage",
        "CivilDefencePage",
        "EmergencyPage",
        "CityOverviewPanel",
    }

    def all_subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from all_subclasses(sub)

    for cls in all_subclasses(QWidget):
        if cls.__name__ in leaves:
            assert not cls.__subclasses__(), f"{cls.__name__} is subclassed: its tr() context would change"
