"""The EXERCISE banner under the mode banner, on every page while an exercise is on: the mark, the
scenario's title, the exercise clock (running on between reads), its speed and state; and, for a
player, the newest message, asset or unit inject addressed to them with a button to acknowledge it."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from console.exercises import texts
from console.exercises.tools import ExerciseTools
from console.theme import BORDER, PANEL_ALT, TEXT, TEXT_DIM
from modes.exercises.screens import BannerState, InboxInject


def banner_style() -> str:
    return (
        f"QFrame#exercise_banner {{ background: {texts.BANNER_BG}; border-bottom: 3px solid {texts.BANNER_EDGE}; }}"
        f"QLabel#exercise_stamp {{ background: {texts.STAMP_BG}; color: {texts.STAMP_FG}; font-size: 15pt;"
        " font-weight: 800; letter-spacing: 2px; padding: 1px 12px; border-radius: 3px; }"
        f"QLabel#exercise_detail {{ color: {texts.BANNER_FG}; font-size: 11pt; font-weight: 700; }}"
        f"QLabel#exercise_inbox {{ color: #ffe082; font-weight: 600; }}"
        f"QPushButton#exercise_ack {{ background: {texts.STAMP_BG}; color: {texts.STAMP_FG}; font-weight: 700;"
        " border: none; padding: 4px 12px; }"
        "QPushButton#exercise_ack:disabled { background: #6d4c7d; color: #2a1033; }"
    )


def controller_button_style() -> str:
    """The command bar's button of the controller page: the exercise violet when the page is shown."""
    return (
        f"QToolButton {{ background: {PANEL_ALT}; color: {TEXT_DIM}; border: 1px solid {BORDER};"
        " border-radius: 3px; padding: 5px 14px; font-weight: 600; margin-left: 12px; }"
        f"QToolButton:hover {{ border-color: {texts.BANNER_EDGE}; color: {TEXT}; }}"
        f"QToolButton:checked {{ background: {texts.BANNER_BG}; color: {texts.BANNER_FG};"
        f" border: 2px solid {texts.BANNER_EDGE}; }}"
    )


def in_chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


class ExerciseBanner(QFrame):
    def __init__(self, tools: ExerciseTools, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tools = tools
        self.state: BannerState | None = None
        self.shown_inject: InboxInject | None = None
        self.setObjectName("exercise_banner")
        self.setStyleSheet(banner_style())
        self.stamp = QLabel(texts.STAMP)
        self.stamp.setObjectName("exercise_stamp")
        self.stamp.setProperty("data_text", True)  # the bilingual mark, the same in either language
        self.detail = QLabel()
        self.detail.setObjectName("exercise_detail")
        self.detail.setProperty("data_text", True)  # carries the scenario's own title
        self.inbox = QLabel()
        self.inbox.setObjectName("exercise_inbox")
        self.inbox.setProperty("data_text", True)  # the inject's own message
        self.inbox.setMaximumWidth(560)
        self.ack_button = QPushButton(self.tr("Acknowledge"))
        self.ack_button.setObjectName("exercise_ack")
        self.ack_button.clicked.connect(self._on_ack_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 4, 16, 4)
        row.addWidget(self.stamp)
        row.addWidget(self.detail)
        row.addStretch(1)
        row.addWidget(self.inbox)
        row.addWidget(self.ack_button)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._update_detail)
        tools.state_changed.connect(self._on_state)
        tools.written.connect(self._on_written)
        tools.refused.connect(self._on_refused)
        self._on_state(None)

    # --- following the exercise ---------------------------------------------------------------------------

    def _on_state(self, state: BannerState | None) -> None:
        self.state = state
        on = state is not None and state.active is not None
        self.setVisible(on)
        if on:
            if not self._clock.isActive():
                self._clock.start()
        else:
            self._clock.stop()
            self.detail.clear()
        self._update_detail()
        self._update_inbox()

    def _update_detail(self) -> None:
        state = self.state
        if state is None or state.active is None:
            return
        self.detail.setText(self.describe(state))

    def describe(self, state: BannerState) -> str:
        """``title · T+03:25:07 (exercise clock 11:25:07) · ×60 · paused · DEMO``."""
        a = state.active
        wall = self.tools.services.wall()
        title = (a.title_zh if in_chinese() else a.title) or a.title or a.scenario
        clock_time = state.clock_time(wall)
        parts = [
            title,
            self.tr("{t_plus} (exercise clock {time})").format(
                t_plus=texts.t_plus(state.clock_s(wall)),
                time=clock_time.strftime("%H:%M:%S") if clock_time else "—",
            ),
            f"×{a.speed:g}",
        ]
        if a.state != "running":
            parts.append(texts.exercise_state_label(a.state))
        if a.demo:
            parts.append(texts.DEMO_STAMP)
        return " · ".join(parts)

    def _update_inbox(self) -> None:
        state = self.state
        inbox = state.inbox if state is not None else ()
        self.shown_inject = inbox[0] if inbox else None
        self.inbox.setVisible(bool(inbox))
        self.ack_button.setVisible(bool(inbox))
        if not inbox:
            self.inbox.clear()
            return
        first = inbox[0]
        what = first.message or first.condition
        if first.condition and first.message:
            what = f"{first.condition}: {first.message}"
        text = self.tr("Inject {no} to you ({kind}, from {sender}): {what}").format(
            no=first.no, kind=texts.kind_label(first.kind), sender=first.sender or "—", what=what
        )
        if len(inbox) > 1:
            text += " " + self.tr("(+{n} more)").format(n=len(inbox) - 1)
        metrics = self.inbox.fontMetrics()
        self.inbox.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.inbox.maximumWidth()))
        self.inbox.setToolTip(text)
        self.ack_button.setEnabled(True)
        self.ack_button.setToolTip(
            self.tr("Say that inject {no} reached you (recorded in the exercise's journal).").format(
                no=first.no
            )
        )

    # --- acknowledging ------------------------------------------------------------------------------------

    def _on_ack_clicked(self) -> None:
        inject = self.shown_inject
        if inject is None:
            return
        self.ack_button.setEnabled(False)
        self.tools.acknowledge(inject.exercise_id, inject.no)

    def _on_written(self, name: str, _result) -> None:
        if name == "acknowledge":
            self.ack_button.setEnabled(True)

    def _on_refused(self, name: str, reason: str) -> None:
        if name == "acknowledge":
            self.ack_button.setEnabled(True)
            self.ack_button.setToolTip(self.tr("Not acknowledged: {reason}").format(reason=reason))
