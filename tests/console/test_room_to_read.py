"""Room to read: no text on the commander's screen is cut off, at 1920×1080 and at 1366×768, in English
and in Chinese.

One window per language (the console builds its texts in the language it starts in), in the console's
theme (its fonts and stylesheet), logged in as the city commander on the small demo city made busy like
the Harbin demo: three days of case history, an incident with dispatched units, an air-raid alarm with
its acknowledgement board, a running exercise with its MSEL, a component in the Selection pane. The
window visits every page (each tab of the everyday, civil-defence and emergency pages, the incident
form, the case panel and the exercise controller), each at 1920×1080, at 1366×768 and at 1366×768 with
the side panels dragged as narrow as they go, and walks every visible widget that shows text.

The rule: a text is clipped when it needs more room than its widget gives it on screen (the widget's
own room, cut by every ancestor that does not scroll sideways: a panel may scroll up and down, never a
text sideways), measured with the widget's own font (``QFontMetrics``) or Qt's own size of the control
(the style's size of a button, check box, tab, header section or combo box, stylesheet padding
included):

- the window: it takes the size asked for (no page holds it larger than the screen);
- a QLabel: every line of its text (the longest word of a word-wrapped one, and a wrapped label's
  height for its width); a label whose text ends with "…" and whose tooltip holds the whole text is
  elided by design and passes;
- a button, check box or radio button: its size hint (indicator, icon, spacing and text) against its
  width;
- a group box: its title's rectangle inside the box;
- a tab: its size hint against its rectangle, and the tab inside the bar's visible width (a tab behind
  the scroll arrows is out of sight);
- a table header section: its size from contents (text, margins, sort indicator) against the section's
  size; and a column pushed out of sight although all the columns would fit the table;
- a table cell in view: its text against the column's width, unless the model gives the full text as
  a tooltip (cells of names and free text are elided by design, the tooltip carries them);
- a combo box that is not editable: its current text (and icon) against the style's edit field;
- an empty line edit: its placeholder (what goes in) against the room for text, unless a tooltip says it;
- a tool bar: no widget hidden behind its extension button.

A failure names the page, the size, the language, the widget (its class and object names up to the
window), the text, and the room needed against the room available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QRadioButton,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionGroupBox,
    QTabBar,
    QTableView,
    QToolBar,
    QTreeView,
    QWidget,
)
from sqlalchemy import select

from data.db import session_factory
from data.models import Component
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.door import LocalDoor
from modes.common.mode_switch import Mode
from tests.console.conftest import copy_template
from tests.console.test_exercise_console import start_exercise, write_msel

SIZES = ((1920, 1080), (1366, 768))
NOW = dt.datetime(2009, 9, 18, 10, 0)  # the console fixtures' clock
ELLIPSIS = "…"
SLACK = 1  # px: Qt rounds text widths


# --- the city: busy like the demo --------------------------------------------------------------------


def _door(make_session, login: str, role: str) -> LocalDoor:
    return LocalDoor(city_bus(), make_session, FixedClock(NOW), Actor.of(role, login, login=login))


@pytest.fixture(scope="module")
def city_url(small_demo_template, tmp_path_factory) -> str:
    """The small demo city with what made the Harbin demo's texts long: case history, an incident with
    units dispatched, an air-raid alarm on the board, an exercise running."""
    from data.db import make_engine
    from data.models import GridCell
    from modes.emergency.desk import IncidentDesk
    from modes.emergency.impact import ImpactIndex
    from modes.everyday.history import add_history

    url = copy_template(small_demo_template, tmp_path_factory)
    engine = make_engine(url)
    make_session = session_factory(engine)
    add_history(make_session, days=3, seed=1, end=dt.date(2009, 9, 17))
    commander = _door(make_session, "city_commander", "commander")
    with make_session() as s:
        index = ImpactIndex.load(s)
        cells = list(s.scalars(select(GridCell.code).order_by(GridCell.code)))[::25]
    site = index.cell_polygons[len(index.cell_codes) // 2].representative_point()
    incident = commander.execute(
        "incident.open",
        {"type": "gas_leak", "level": "II", "x": site.x, "y": site.y,
         "title": "Gas main rupture at the railway station forecourt"},
    )["id"]  # fmt: skip
    with make_session() as s:
        suggested = IncidentDesk(s, FixedClock(NOW)).suggest(incident, None, 10)["units"]
    for unit in suggested[:4]:
        commander.execute(
            "incident.dispatch",
            {"incident_id": incident, "unit": unit["unit"],
             "instructions": "Isolate the main, keep people behind the outer cordon"},
        )  # fmt: skip
    _door(make_session, "city_civil_defence", "civil_defence").execute("alarm.issue", {"kind": "raid"})
    start_exercise(make_session, write_msel(tmp_path_factory.mktemp("msel") / "m.csv", cells, reports=6))
    engine.dispose()
    return url


# --- measuring -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clipped:
    where: str  # page, size and language
    widget: str
    text: str
    needed: int
    available: int

    def __str__(self) -> str:
        return f"{self.where}: {self.widget} {self.text!r} needs {self.needed} px, has {self.available} px"


def widget_path(w: QWidget) -> str:
    names = []
    while w is not None:
        name = w.objectName()
        names.append(f"{type(w).__name__}#{name}" if name else type(w).__name__)
        w = w.parentWidget()
    return "/".join(reversed(names[:6]))


def scrolls_sideways(viewport: QWidget) -> bool:
    """Whether ``viewport`` is the viewport of a scroll area that moves its content sideways."""
    area = viewport.parentWidget()
    if not isinstance(area, QAbstractScrollArea) or area.viewport() is not viewport:
        return False
    return area.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def visible_rect(w: QWidget, rect: QRect | None = None) -> QRect:
    """``rect`` (default the widget's own) in the widget's coordinates, cut sideways by every ancestor
    that does not scroll its content sideways (vertically every ancestor may: panels scroll)."""
    r = QRect(rect if rect is not None else w.rect())
    window = w.window()
    origin = w.mapTo(window, QPoint(0, 0)).x()
    left, right = origin + r.left(), origin + r.right()
    parent = w.parentWidget()
    while parent is not None:
        if not scrolls_sideways(parent):
            x = parent.mapTo(window, QPoint(0, 0)).x() if parent is not window else 0
            left, right = max(left, x), min(right, x + parent.width() - 1)
        if parent is window:
            break
        parent = parent.parentWidget()
    return QRect(left - origin, r.top(), max(right - left + 1, 0), r.height())


def text_width(fm: QFontMetrics, text: str) -> int:
    return max((fm.horizontalAdvance(line) for line in text.split("\n")), default=0)


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def check_label(label: QLabel) -> list[tuple[str, int, int]]:
    text = label.text()
    if not text or label.pixmap() is not None and not label.pixmap().isNull():
        return []
    if text.endswith(ELLIPSIS) and label.toolTip():
        return []  # elided by design, the tooltip has the whole text
    room = label.contentsRect()
    margin = label.margin()
    room.adjust(margin, 0, -margin, 0)
    indent = max(label.indent(), 0)
    available = visible_rect(label, room).width() - indent
    fm = QFontMetrics(label.font())
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if rich:
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        if label.wordWrap():
            return []  # rich text wraps as the label's layout decides; checked by its height below
        needed = int(doc.idealWidth() + 0.99)
        return [(text, needed, available)] if needed > available + SLACK else []
    if label.wordWrap():
        words = [w for w in text.replace("\n", " ").split(" ") if w]
        # CJK text breaks between any two characters; a Latin word does not break.
        longest = max(words, key=fm.horizontalAdvance, default="")
        problems = []
        if longest and not any("\u3000" <= ch <= "\u9fff" for ch in longest):
            needed = fm.horizontalAdvance(longest)
            if needed > available + SLACK:
                problems.append((longest, needed, available))
        tall = label.heightForWidth(label.width())
        if tall > label.height() + SLACK:
            problems.append((text, tall, label.height()))  # cut at the bottom: heights, not widths
        return problems
    needed = text_width(fm, text)
    return [(text, needed, available)] if needed > available + SLACK else []


def check_button(button: QAbstractButton) -> list[tuple[str, int, int]]:
    text = plain(button.text())
    if not text:
        return []
    needed = button.sizeHint().width()
    available = visible_rect(button).width()
    if isinstance(button, QCheckBox | QRadioButton):
        needed = button.minimumSizeHint().width()
    return [(text, needed, available)] if needed > available + SLACK else []


def check_group_box(box: QGroupBox) -> list[tuple[str, int, int]]:
    if not box.title():
        return []
    option = QStyleOptionGroupBox()
    box.initStyleOption(option)
    label = box.style().subControlRect(
        QStyle.ComplexControl.CC_GroupBox, option, QStyle.SubControl.SC_GroupBoxLabel, box
    )
    room = visible_rect(box)
    needed = label.right() + 1
    return [(box.title(), needed, room.right() + 1)] if needed > room.right() + 1 + SLACK else []


def check_tab_bar(bar: QTabBar) -> list[tuple[str, int, int]]:
    problems = []
    room = visible_rect(bar)
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        rect = bar.tabRect(i)
        needed = bar.tabSizeHint(i).width()
        text = plain(bar.tabText(i))
        if rect.width() + SLACK < needed:
            problems.append((f"tab {text}", needed, rect.width()))
        elif rect.right() > room.right() + SLACK or rect.left() < room.left() - SLACK:
            problems.append((f"tab {text} (out of sight)", rect.right() + 1, room.right() + 1))
    return problems


def check_header(header: QHeaderView) -> list[tuple[str, int, int]]:
    model = header.model()
    if model is None:
        return []
    problems = []
    for i in range(header.count()):
        if header.isSectionHidden(i):
            continue
        text = model.headerData(i, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if not text:
            continue
        size = header.sectionSize(i)
        needed = header.sectionSizeFromContents(i)
        needed = needed.width() if header.orientation() == Qt.Orientation.Horizontal else needed.height()
        tip = model.headerData(i, header.orientation(), Qt.ItemDataRole.ToolTipRole)
        if size + SLACK < needed and not tip:
            problems.append((f"header {text}", needed, size))
    view = header.parentWidget()
    if header.orientation() == Qt.Orientation.Horizontal and isinstance(view, QTableView):
        # The columns would all fit the table, yet one is pushed out of sight (sideways scrolling).
        shown = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        fits = sum(max(header.sectionSizeFromContents(i).width(), view.sizeHintForColumn(i)) for i in shown)
        room = view.viewport().width()
        for i in shown:
            right = header.sectionViewportPosition(i) + header.sectionSize(i)
            if fits <= room and right > room + SLACK:
                text = model.headerData(i, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
                problems.append((f"column {text} (out of sight, though the columns fit)", right, room))
    return problems


def check_cells(view: QAbstractItemView) -> list[tuple[str, int, int]]:
    """The cells in view: a text wider than its column needs the model's tooltip."""
    model = view.model()
    if model is None or not isinstance(view, QTableView | QTreeView | QListView):
        return []
    problems = []
    fm = QFontMetrics(view.font())
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    viewport = view.viewport()
    columns = model.columnCount() if not isinstance(view, QListView) else 1
    for column in range(columns):
        if isinstance(view, QTableView) and view.isColumnHidden(column):
            continue
        first = view.indexAt(QPoint(1, 1)).row()
        for row in range(max(first, 0), min(model.rowCount(), max(first, 0) + 40)):
            index = model.index(row, column)
            rect = view.visualRect(index)
            if not rect.isValid() or rect.top() > viewport.height():
                break
            text = model.data(index, Qt.ItemDataRole.DisplayRole)
            if text is None or text == "":
                continue
            text = str(text)
            font = model.data(index, Qt.ItemDataRole.FontRole)
            needed = text_width(QFontMetrics(font) if font is not None else fm, text) + margin
            if model.data(index, Qt.ItemDataRole.DecorationRole) is not None:
                needed += view.iconSize().width() + 4 if view.iconSize().isValid() else 20
            if needed > rect.width() + SLACK and not model.data(index, Qt.ItemDataRole.ToolTipRole):
                problems.append((f"cell {text}", needed, rect.width()))
    return problems


def check_combo(combo: QComboBox) -> list[tuple[str, int, int]]:
    if combo.isEditable() or not combo.currentText():
        return []
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = QFontMetrics(combo.font()).horizontalAdvance(combo.currentText())
    if not combo.itemIcon(combo.currentIndex()).isNull():
        needed += combo.iconSize().width() + 4
    available = min(field.width(), visible_rect(combo, field).width())
    return [(combo.currentText(), needed, available)] if needed > available + SLACK else []


def check_tool_bar(bar: QToolBar) -> list[tuple[str, int, int]]:
    """A tool bar too narrow for its widgets hides the last ones behind its extension button."""
    hidden = []
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if action.isVisible() and widget is not None and not widget.isVisible():
            text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else widget.objectName()
            hidden.append((f"{text} (behind the tool bar's extension)", widget.sizeHint().width(), 0))
    return hidden


def check_placeholder(edit: QLineEdit) -> list[tuple[str, int, int]]:
    """An empty field's placeholder says what goes in: it must show whole (or its tooltip say it)."""
    text = edit.placeholderText()
    if edit.text() or not text or edit.toolTip():
        return []
    fm = QFontMetrics(edit.font())
    chrome = edit.sizeHint().width() - 17 * fm.horizontalAdvance("x")  # QLineEdit's hint: 17 x's wide
    if edit.isClearButtonEnabled():
        chrome += edit.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, edit) + 4
    available = visible_rect(edit).width() - chrome
    needed = fm.horizontalAdvance(text)
    return [(f"placeholder {text}", needed, available)] if needed > available + SLACK else []


# What to measure in each kind of widget, the first class that matches (a header is an item view too).
CHECKS = (
    (QLabel, check_label),
    (QAbstractButton, check_button),
    (QGroupBox, check_group_box),
    (QTabBar, check_tab_bar),
    (QHeaderView, check_header),
    (QComboBox, check_combo),
    (QAbstractItemView, check_cells),
    (QToolBar, check_tool_bar),
    (QLineEdit, check_placeholder),
)


def clipped_texts(window: QWidget, where: str) -> list[Clipped]:
    found: list[Clipped] = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.window() is not window:
            continue
        check = next((check for kind, check in CHECKS if isinstance(w, kind)), None)
        if check is not None:
            found += [Clipped(where, widget_path(w), text, needed, room) for text, needed, room in check(w)]
    return found


# --- the pages -----------------------------------------------------------------------------------------


def settle(window, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=60_000)
    for _ in range(8):  # a layout change travels up the widgets one posted event at a time
        QApplication.processEvents()


def walk_sizes(window, qtbot, page: str, lang: str, found: list[Clipped]) -> None:
    """The page at both sizes, then at the smaller one with the side panels dragged as narrow as they
    go (the user may)."""
    kept = window.main_splitter.sizes()
    for (w, h), narrowest in ((SIZES[0], False), (SIZES[1], False), (SIZES[1], True)):
        window.resize(w, h)
        if narrowest:
            window.main_splitter.setSizes([1, w, 1])
        settle(window, qtbot)
        where = f"{page} at {w}x{h}{' with the side panels at their narrowest' if narrowest else ''} ({lang})"
        if (window.width(), window.height()) != (w, h):
            need = window.minimumSizeHint().expandedTo(window.minimumSize())
            found.append(
                Clipped(where, "the window", f"its minimum size {need.width()}x{need.height()}", 0, 0)
            )
        found += clipped_texts(window, where)
    window.main_splitter.setSizes(kept)


def walk_tabs(window, qtbot, tabs, page: str, lang: str, found: list[Clipped]) -> None:
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        walk_sizes(window, qtbot, f"{page} / {tabs.tabText(i)}", lang, found)


@pytest.fixture
def themed(qapp):
    """The console's theme (its fonts, palette and stylesheet: the room a text needs depends on them), put
    back as it was afterwards for the tests that follow."""
    from console.theme import apply_theme

    before = (qapp.style().name(), qapp.font(), qapp.palette(), qapp.styleSheet())
    apply_theme(qapp)
    yield
    style, font, palette, sheet = before
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setFont(font)
    qapp.setPalette(palette)


@pytest.fixture
def commander_window(qtbot, services_for, translations, themed):
    from console.main_window import MainWindow

    def build(lang: str):
        translations(lang)
        window = MainWindow(services_for("city_commander"), drive_exercises=False)
        qtbot.addWidget(window)
        window.resize(*SIZES[0])
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=30_000):
            window.start()
        window.watcher.stop()
        settle(window, qtbot)
        return window

    return build


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_text_is_clipped_on_any_page(commander_window, qtbot, make_session, lang):
    window = commander_window(lang)
    found: list[Clipped] = []
    with make_session() as s:
        component = s.scalars(select(Component.id).order_by(Component.id)).first()
    window.show_details("component", component)

    page = window.everyday_page
    walk_tabs(window, qtbot, page.tabs, "everyday", lang, found)
    window.cases.open_case(window.cases.queue.model.case_id_at(0))
    walk_sizes(window, qtbot, "everyday / case panel", lang, found)

    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.switch_now(Mode.CIVIL_DEFENCE, "room to read")
    tools = window.civil_defence
    qtbot.waitUntil(lambda: tools.coverage is not None and tools.plan is not None, timeout=60_000)
    walk_tabs(window, qtbot, window.page_for[Mode.CIVIL_DEFENCE].tabs, "civil defence", lang, found)

    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.switch_now(Mode.EMERGENCY, "room to read")
    console = window.emergency
    qtbot.waitUntil(lambda: console.board is not None and console.board.selected is not None, timeout=30_000)
    walk_tabs(window, qtbot, window.page_for[Mode.EMERGENCY].tabs, "emergency", lang, found)
    incidents = console.panels[0]
    window.page_for[Mode.EMERGENCY].tabs.setCurrentWidget(incidents)
    incidents.new_button.click()
    walk_sizes(window, qtbot, "emergency / open an incident", lang, found)

    window.show_controller(True)
    walk_sizes(window, qtbot, "exercise controller", lang, found)

    unique: dict[tuple[str, str, str], Clipped] = {}
    for c in found:  # the first page a widget's text was seen clipped on
        unique.setdefault((c.widget, c.text, c.where.split(" at ")[1]), c)
    unique = list(unique.values())
    assert not unique, f"{len(unique)} clipped texts:\n" + "\n".join(map(str, unique))
