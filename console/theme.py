"""The console's look: a dark control-room theme and each mode's colour signature.

Operators look at this all day, often on a video wall: dark backgrounds, few strong colours, and a mode
signature that cannot be mistaken from across the room (calm blue-green for everyday, red and amber for
wartime, orange for emergency).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from modes.common.mode_switch import Mode

BACKGROUND = "#0d141c"
PANEL = "#131d28"
PANEL_ALT = "#182433"
BORDER = "#263445"
TEXT = "#d6e0ea"
TEXT_DIM = "#8394a6"
MAP_BACKGROUND = "#0a1017"

FONT_FAMILIES = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Sans Serif"]


@dataclass(frozen=True)
class ModeStyle:
    accent: str  # buttons, selection, the window's edge
    banner_bg: str
    banner_fg: str
    banner_edge: str


MODE_STYLES: dict[Mode, ModeStyle] = {
    Mode.EVERYDAY: ModeStyle(
        accent="#2bb3a3", banner_bg="#0f3b4a", banner_fg="#bff3ea", banner_edge="#2bb3a3"
    ),
    Mode.CIVIL_DEFENCE: ModeStyle(
        accent="#e53935", banner_bg="#7a0f12", banner_fg="#ffc53d", banner_edge="#ffb300"
    ),
    Mode.EMERGENCY: ModeStyle(
        accent="#ff8a1f", banner_bg="#8a3b00", banner_fg="#fff1dc", banner_edge="#ffa040"
    ),
}


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(10.0)
    app.setFont(font)
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: BACKGROUND,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: PANEL,
        QPalette.ColorRole.AlternateBase: PANEL_ALT,
        QPalette.ColorRole.ToolTipBase: PANEL_ALT,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: TEXT_DIM,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: PANEL_ALT,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#2b6cb0",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6cb6ff",
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#56636f"))
    app.setPalette(pal)
    app.setStyleSheet(STYLE_SHEET)


STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {BACKGROUND}; }}
QToolTip {{ background: {PANEL_ALT}; color: {TEXT}; border: 1px solid {BORDER}; padding: 4px; }}
QStatusBar {{ background: {PANEL}; color: {TEXT_DIM}; border-top: 1px solid {BORDER}; }}
QStatusBar QLabel {{ color: {TEXT_DIM}; padding: 0 8px; }}
QToolBar#command_bar {{ background: {PANEL}; border: none; border-bottom: 1px solid {BORDER}; spacing: 6px; padding: 4px 8px; }}
QLabel#app_title {{ color: {TEXT}; font-size: 15pt; font-weight: 600; padding: 0 14px 0 4px; }}
QLabel#user_badge {{ color: {TEXT}; background: {PANEL_ALT}; border: 1px solid {BORDER}; border-radius: 3px; padding: 4px 10px; }}
QLabel#clock_label {{ color: {TEXT}; font-family: "DejaVu Sans Mono", monospace; font-size: 12pt; padding: 0 10px; }}
QLineEdit {{ background: {PANEL_ALT}; border: 1px solid {BORDER}; border-radius: 3px; padding: 4px 8px; color: {TEXT};
            selection-background-color: #2b6cb0; }}
QLineEdit:focus {{ border-color: #4a90d9; }}
QComboBox {{ background: {PANEL_ALT}; border: 1px solid {BORDER}; border-radius: 3px; padding: 3px 8px; color: {TEXT}; }}
QComboBox QAbstractItemView {{ background: {PANEL_ALT}; color: {TEXT}; selection-background-color: #2b6cb0; }}
QPushButton {{ background: {PANEL_ALT}; border: 1px solid {BORDER}; border-radius: 3px; padding: 5px 14px; color: {TEXT}; }}
QPushButton:hover {{ border-color: #4a90d9; }}
QPushButton:disabled {{ color: #56636f; }}
QGroupBox {{ border: 1px solid {BORDER}; border-radius: 4px; margin-top: 14px; padding: 8px 6px 6px 6px; color: {TEXT_DIM}; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; color: {TEXT_DIM}; font-weight: 600; }}
QCheckBox {{ color: {TEXT}; spacing: 6px; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; background: {PANEL}; top: -1px; }}
QTabBar::tab {{ background: {BACKGROUND}; color: {TEXT_DIM}; padding: 6px 14px; border: 1px solid {BORDER}; border-bottom: none; }}
QTabBar::tab:selected {{ background: {PANEL}; color: {TEXT}; }}
QScrollArea {{ border: none; background: transparent; }}
QSplitter::handle {{ background: {BORDER}; }}
QFrame#side_panel {{ background: {PANEL}; }}
QLabel#panel_title {{ color: {TEXT}; font-size: 11pt; font-weight: 600; padding: 6px 2px 2px 2px; }}
QLabel#panel_hint {{ color: {TEXT_DIM}; }}
QLabel#detail_key {{ color: {TEXT_DIM}; }}
QLabel#detail_value {{ color: {TEXT}; }}
QLabel#stat_value {{ color: {TEXT}; font-size: 16pt; font-weight: 600; }}
QLabel#stat_name {{ color: {TEXT_DIM}; }}
QLabel#not_installed {{ color: {TEXT}; font-size: 12pt; padding: 12px; border: 1px dashed {BORDER}; border-radius: 4px; }}
QProgressDialog QLabel {{ color: {TEXT}; }}
"""


def mode_button_style(mode: Mode) -> str:
    s = MODE_STYLES[mode]
    return f"""
QToolButton {{ background: {PANEL_ALT}; color: {TEXT_DIM}; border: 1px solid {BORDER}; border-radius: 3px;
              padding: 5px 14px; font-weight: 600; }}
QToolButton:hover {{ border-color: {s.accent}; color: {TEXT}; }}
QToolButton:checked {{ background: {s.banner_bg}; color: {s.banner_fg}; border: 2px solid {s.accent}; }}
QToolButton:disabled {{ color: #4a5562; border-color: #1c2733; }}
"""


def banner_style(mode: Mode) -> str:
    s = MODE_STYLES[mode]
    return (
        f"QFrame#mode_banner {{ background: {s.banner_bg}; border-bottom: 3px solid {s.banner_edge}; }}"
        f"QLabel#banner_title {{ color: {s.banner_fg}; font-size: 17pt; font-weight: 700; letter-spacing: 2px; }}"
        f"QLabel#banner_detail {{ color: {s.banner_fg}; font-size: 10pt; }}"
    )


def frame_style(mode: Mode) -> str:
    """The map's frame and the status bar carry the mode colour too: a glance at any part of the
    screen tells the mode."""
    accent = MODE_STYLES[mode].accent
    return (
        f"QFrame#map_frame {{ border: 3px solid {accent}; background: {MAP_BACKGROUND}; }}"
        f"QStatusBar {{ border-top: 3px solid {accent}; }}"
    )
