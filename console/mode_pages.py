"""Each mode's own panels area, on the right of the map.

Everyday mode holds the city overview now; the case queue, case panel, intake form and dashboard of
the everyday loop are added as tabs with ``add_panel``. (The pages share no Python base class on
purpose: PySide6's ``tr()`` looks a string up along the Python class chain.) The civil-defence and emergency pages say plainly
that their tools are not installed yet until ``install_tools`` replaces the notice with them
(``console.civil_defence`` puts its summary strip above the tabs).
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from console.room import HoldsPanels, PanelScroll
from modes.common.views import CityOverview


class CityOverviewPanel(QWidget):
    """The city at a glance: how much of everything the console manages."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 10, 10, 10)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        tiles = [
            ("districts", self.tr("Districts")),
            ("streets", self.tr("Street offices")),
            ("communities", self.tr("Communities")),
            ("cells", self.tr("Grid cells")),
            ("supervisors", self.tr("Supervisors")),
            ("cameras", self.tr("Cameras")),
            ("components", self.tr("Components")),
            ("departments", self.tr("Departments")),
            ("open_cases", self.tr("Open cases")),
            ("cases", self.tr("Cases on record")),
            ("exercise_cases", self.tr("Exercise cases (演练, not counted above)")),
        ]
        for i, (key, name) in enumerate(tiles):
            value = QLabel("—")
            value.setObjectName("stat_value")
            caption = QLabel(name)
            caption.setObjectName("stat_name")
            r, c = divmod(i, 2)
            grid.addWidget(value, 2 * r, c)
            grid.addWidget(caption, 2 * r + 1, c)
            self._values[key] = value
        grid.setRowStretch(2 * ((len(tiles) + 1) // 2), 1)

    def set_overview(self, overview: CityOverview) -> None:
        for key, label in self._values.items():
            label.setText(f"{overview.counts.get(key, 0):,}")

    def value(self, key: str) -> str:
        return self._values[key].text()


class ModeTabs(HoldsPanels, QTabWidget):
    """A mode's tabs; ``add_panel`` is how later issues plug their panels in.

    Each panel sits in a vertical scroll area (``console.room.PanelScroll``), so no panel holds the
    right-hand column (and the window) taller than the screen and the Selection pane above can be
    enlarged, while the column stays as wide as the panel needs; ``widget``, ``currentWidget``,
    ``indexOf`` and ``setCurrentWidget`` speak of the panels themselves.
    """

    def __init__(self, mode: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"panels_{mode}")
        self.setDocumentMode(True)
        # Every tab in sight: the tabs' widths count in the column's minimum rather than hide behind
        # scroll arrows.
        self.tabBar().setUsesScrollButtons(False)

    def add_panel(self, widget: QWidget, title: str) -> int:
        return self.addTab(widget if isinstance(widget, PanelScroll) else PanelScroll(widget), title)

    def remove_panel(self, widget: QWidget) -> None:
        """Take a panel's tab away and delete the panel (with its scroll area)."""
        index = self.indexOf(widget)
        holder = QTabWidget.widget(self, index)  # the PanelScroll around it
        self.removeTab(index)
        holder.deleteLater()


def _page_layout(page: QWidget, tabs: ModeTabs) -> None:
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(tabs)


def _notice(text: str) -> QWidget:
    holder = QFrame()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(10, 10, 10, 10)
    label = QLabel(text)
    label.setObjectName("not_installed")
    label.setWordWrap(True)
    layout.addWidget(label)
    layout.addStretch(1)
    return holder


class EverydayPage(QWidget):
    mode = "everyday"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tabs = ModeTabs(self.mode)
        _page_layout(self, self.tabs)
        self.overview = CityOverviewPanel()
        self.tabs.add_panel(self.overview, self.tr("City overview"))

    def add_panel(self, widget: QWidget, title: str) -> int:
        return self.tabs.add_panel(widget, title)


class CivilDefencePage(QWidget):
    mode = "civil-defence"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tabs = ModeTabs(self.mode)
        _page_layout(self, self.tabs)
        self.notice_text = self.tr(
            "The civil air defence tools (air-raid alarms and sirens, shelters, evacuation planning) "
            "are not installed yet. The map, the grid and the journal work as in everyday mode."
        )
        self._notice = _notice(self.notice_text)
        self.tabs.add_panel(self._notice, self.tr("Civil air defence"))

    def add_panel(self, widget: QWidget, title: str) -> int:
        return self.tabs.add_panel(widget, title)

    def install_tools(self, summary: QWidget, panels: list[tuple[QWidget, str]]) -> None:
        """Replace the notice with the mode's tools: ``summary`` above the tabs, then ``panels``."""
        self.tabs.remove_panel(self._notice)
        self.notice_text = ""
        self.layout().insertWidget(0, summary)
        for widget, title in panels:
            self.tabs.add_panel(widget, title)


class EmergencyPage(QWidget):
    mode = "emergency"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tabs = ModeTabs(self.mode)
        _page_layout(self, self.tabs)
        self.notice_text = self.tr(
            "The emergency rescue tools (incidents and response levels, cordons and affected population, "
            "resources and dispatch, the incident log) are not installed yet. The map, the grid and the "
            "journal work as in everyday mode."
        )
        self._notice = _notice(self.notice_text)
        self.tabs.add_panel(self._notice, self.tr("Emergency rescue"))

    def add_panel(self, widget: QWidget, title: str) -> int:
        return self.tabs.add_panel(widget, title)

    def install_tools(self, panels: list[tuple[QWidget, str]]) -> None:
        """Replace the notice with the emergency tools' panels (``console.emergency``)."""
        self.tabs.remove_panel(self._notice)
        self.notice_text = ""
        for widget, title in panels:
            self.tabs.add_panel(widget, title)
