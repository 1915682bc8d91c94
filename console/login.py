"""Who sits at the console: a role, and a staff login when the city has a staff list."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import texts
from console.dto import Login, StaffEntry
from data.models import Role


def resolve_login(staff: tuple[StaffEntry, ...], who: str) -> Login:
    """``--as``: a role (the first staff login with it, else the role itself) or a staff login."""
    who = who.strip()
    roles = {r.value for r in Role}
    if who in roles:
        person = next((s for s in staff if s.role == who), None)
    else:
        person = next((s for s in staff if s.login == who), None)
        if person is None:
            raise ValueError(f"unknown role or login {who!r} (roles: {', '.join(sorted(roles))})")
    if person is None:
        return Login(actor=who, role=who)
    return Login(person.login, person.role, person.name, person.district_code, person.department_code)


class LoginDialog(QDialog):
    def __init__(self, staff: tuple[StaffEntry, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sanwei · log in"))
        self.setMinimumWidth(420)
        self._staff = staff
        title = QLabel(self.tr("Log in to the command console"))
        title.setObjectName("panel_title")
        hint = QLabel(
            self.tr(
                "Your role decides what this console offers; everything you do is recorded with your login."
            )
        )
        hint.setObjectName("panel_hint")
        hint.setWordWrap(True)
        self.role_box = QComboBox()
        self.role_box.setObjectName("role_box")
        for role in Role:
            self.role_box.addItem(texts.role_label(role.value), role.value)
        self.person_box = QComboBox()
        self.person_box.setObjectName("person_box")
        self.person_box.setProperty("data_text", True)  # names and logins from the staff list
        self.role_box.currentIndexChanged.connect(self._on_role_changed)
        form = QFormLayout()
        form.addRow(self.tr("Role"), self.role_box)
        form.addRow(self.tr("Staff"), self.person_box)
        self.login_button = QPushButton(self.tr("Log in"))
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.accept)
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
        layout.addLayout(buttons)
        commander = self.role_box.findData(Role.COMMANDER.value)
        self.role_box.setCurrentIndex(commander)
        self._on_role_changed()

    def _on_role_changed(self, *_args) -> None:
        role = self.role_box.currentData()
        self.person_box.clear()
        people = [s for s in self._staff if s.role == role]
        for s in people:
            where = s.district_code or s.department_code or ""
            self.person_box.addItem(f"{s.name} · {s.login}" + (f" · {where}" if where else ""), s.login)
        if not people:
            self.person_box.addItem(self.tr("(no staff list: log in by role)"), None)

    def login(self) -> Login:
        role = self.role_box.currentData()
        login = self.person_box.currentData()
        person = next((s for s in self._staff if s.login == login), None)
        if person is None:
            return Login(actor=role, role=role)
        return Login(person.login, person.role, person.name, person.district_code, person.department_code)

    def choose(self, role: str, login: str | None = None) -> None:
        """Pick a role (and a login) as a user would; used by tests and scripted demos."""
        self.role_box.setCurrentIndex(self.role_box.findData(role))
        if login is not None:
            self.person_box.setCurrentIndex(self.person_box.findData(login))
