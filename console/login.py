"""Who sits at the console: a staff login that proved it with its password.

The dialog (and ``--as LOGIN`` with ``SANWEI_PASSWORD``) hands login and password to an *authenticator*,
``(login, password) -> Login``, which raises ``AuthRefused`` to say no. On a database the console checks
them itself through the command bus (``local_authenticator``: failures counted, 5 in a row lock the
login for 60 s, journaled). Connected to a node (``--connect``) the node checks them (a replica holds no
password hashes) and opens a session that the console's commands carry (``remote_authenticator``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.dto import Login
from modes.common.auth import AuthRefused
from modes.common.views import StaffEntry

Authenticator = Callable[[str, str], Login]


def login_of(
    staff: tuple[StaffEntry, ...], login: str, role: str, district: str | None, department: str | None
) -> Login:
    """The console's ``Login`` of an authenticated staff login, with the person's name for the badge."""
    person = next((s for s in staff if s.login == login), None)
    return Login(login, role, person.name if person else "", district, department)


def local_authenticator(make_session, clock, staff: tuple[StaffEntry, ...]) -> Authenticator:
    """Check login and password against this database, through the command bus (``auth.sign_in``)."""
    from modes.common import auth
    from modes.common.command_bus import CommandBus, call_local

    bus = CommandBus()
    auth.register(bus)

    def authenticate(login: str, password: str) -> Login:
        reply = call_local(bus, make_session, clock, "auth.sign_in", {"login": login, "password": password})
        if not reply["ok"]:
            raise AuthRefused.from_dict(reply)
        a = reply["actor"]
        return login_of(staff, a["login"], a["role"], a["district"], a["department"])

    return authenticate


def remote_authenticator(link, staff: tuple[StaffEntry, ...]) -> Authenticator:
    """A console attached to a node (``--connect``): the node checks the password (the replica holds no
    hashes) and opens a session that every later command of this console carries."""
    from nodes.client import LinkError

    def authenticate(login: str, password: str) -> Login:
        try:
            reply = link.sign_in(login.strip(), password)
        except LinkError as exc:
            raise AuthRefused(
                f"the node did not answer the log-in: {exc}", reason="unreachable", login=login
            ) from None
        if not reply.get("ok"):
            raise AuthRefused.from_dict(reply)
        a = reply["actor"]
        return login_of(staff, a["login"], a["role"], a["district"], a["department"])

    return authenticate


def refusal_text(refused: AuthRefused) -> str:
    """A refusal in the console's language."""
    translate = QCoreApplication.translate
    if refused.reason == "unknown":
        return translate("LoginDialog", "Unknown login {login}.").format(login=refused.login)
    if refused.reason == "no_password":
        return translate(
            "LoginDialog", "{login} has no password yet: ask the administrator to set one."
        ).format(login=refused.login)
    if refused.reason == "locked" and refused.locked_until is not None:
        return translate("LoginDialog", "{login} is locked after 5 failed log-ins, until {time}.").format(
            login=refused.login, time=refused.locked_until.strftime("%H:%M:%S")
        )
    if refused.reason == "role":
        return translate(
            "LoginDialog", "{login} is a role several people hold: log in with your own login."
        ).format(login=refused.login)
    if refused.reason == "wrong_password":
        return translate(
            "LoginDialog",
            "Wrong password ({n} of 5 failed log-ins in a row; the 5th locks the login for 60 s).",
        ).format(n=refused.failures)
    return translate("LoginDialog", "Log-in refused: {reason}").format(reason=str(refused))


class LoginDialog(QDialog):
    """Login and password; a refusal is shown in the dialog, which stays open for another try."""

    def __init__(self, authenticate: Authenticator, login: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sanwei · log in"))
        self.setMinimumWidth(420)
        self._authenticate = authenticate
        self._login: Login | None = None
        title = QLabel(self.tr("Log in to the command console"))
        title.setObjectName("panel_title")
        hint = QLabel(
            self.tr(
                "Your role decides what this console offers; everything you do is recorded with your login."
            )
        )
        hint.setObjectName("panel_hint")
        hint.setWordWrap(True)
        self.login_edit = QLineEdit(login)
        self.login_edit.setObjectName("login_edit")
        self.login_edit.setProperty("data_text", True)  # a staff login, as typed
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel("")
        self.error_label.setObjectName("login_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d9534f;")
        self.error_label.hide()
        form = QFormLayout()
        form.addRow(self.tr("Login"), self.login_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        self.login_button = QPushButton(self.tr("Log in"))
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self._on_log_in)
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.login_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        (self.password_edit if login else self.login_edit).setFocus()

    def _on_log_in(self) -> None:
        login = self.login_edit.text().strip()
        if not login:
            self._show_error(self.tr("Enter your login."))
            return
        try:
            self._login = self._authenticate(login, self.password_edit.text())
        except AuthRefused as refused:
            self.password_edit.clear()
            self._show_error(refusal_text(refused))
            return
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def login(self) -> Login:
        assert self._login is not None, "login() after the dialog accepted"
        return self._login
