"""Translations: Simplified Chinese and English, through Qt's translation system.

Source strings are English; ``sanwei_zh_CN.ts`` and ``sanwei_en.ts`` are the Qt Linguist sources and the
``.qm`` files beside them are what the console loads. Refresh both after changing user-visible text::

    python -m console.i18n.refresh

(runs ``pyside6-lupdate`` over the console package, fills the English file with the source texts,
reports Chinese entries still unfinished and compiles with ``pyside6-lrelease``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

I18N_DIR = Path(__file__).resolve().parent
LANGUAGES = ("zh_CN", "en")
CATALOGUE = "sanwei"


def pick_language(requested: str | None) -> str:
    """The requested language, else zh_CN on a Chinese system, else English."""
    if requested:
        if requested not in LANGUAGES:
            raise ValueError(f"unknown language {requested!r} (expected one of {', '.join(LANGUAGES)})")
        return requested
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def qm_path(lang: str) -> Path:
    return I18N_DIR / f"{CATALOGUE}_{lang}.qm"


def ts_path(lang: str) -> Path:
    return I18N_DIR / f"{CATALOGUE}_{lang}.ts"


def install_translations(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Load our catalogue and Qt's own (standard buttons, dialogs) for ``lang``; returns the translators,
    which the caller must keep alive as long as the application uses them."""
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if not ours.load(str(qm_path(lang))):
        raise FileNotFoundError(
            f"translation catalogue {qm_path(lang)} is missing: run python -m console.i18n.refresh"
        )
    app.installTranslator(ours)
    installed.append(ours)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_own = QTranslator(app)
    if lang != "en" and qt_own.load(f"qtbase_{lang}", qt_dir):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    QLocale.setDefault(QLocale(lang))
    return installed
