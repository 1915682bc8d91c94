"""The shape of every "are you sure" before a grave act (a wartime switch, an air-raid alarm): a banner
in the act's colours, what will happen and who will be recorded, and Cancel as the default button so
that Enter never does it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


def lay_out_confirmation(
    dialog: QDialog,
    *,
    name: str,
    border: str,
    banner_fg: str,
    banner_bg: str,
    title: str,
    body: str,
    confirm_text: str,
    cancel_text: str,
) -> None:
    """Builds the dialog's contents; sets ``dialog.confirm_button`` and ``dialog.cancel_button``.
    The caller passes its own translated texts (``tr()`` looks strings up by the caller's class)."""
    dialog.setObjectName(name)
    dialog.setModal(True)
    dialog.setStyleSheet(
        f"QDialog#{name} {{ border: 3px solid {border}; }}"
        f"QLabel#confirm_title {{ color: {banner_fg}; background: {banner_bg}; font-size: 15pt;"
        f" font-weight: 700; padding: 10px; }}"
    )
    title_label = QLabel(title)
    title_label.setObjectName("confirm_title")
    title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    body_label = QLabel(body)
    body_label.setWordWrap(True)
    dialog.confirm_button = QPushButton(confirm_text)
    dialog.confirm_button.setObjectName("confirm_button")
    dialog.confirm_button.clicked.connect(dialog.accept)
    dialog.cancel_button = QPushButton(cancel_text)
    dialog.cancel_button.setObjectName("cancel_button")
    dialog.cancel_button.setDefault(True)  # Enter must never do the grave thing
    dialog.cancel_button.clicked.connect(dialog.reject)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    buttons.addWidget(dialog.cancel_button)
    buttons.addWidget(dialog.confirm_button)
    layout = QVBoxLayout(dialog)
    layout.addWidget(title_label)
    layout.addWidget(body_label)
    layout.addLayout(buttons)
    dialog.setMinimumWidth(460)
