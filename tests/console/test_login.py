"""Log-in: login and password in the dialog (refusals shown in it, 5 failures lock the login), the
actor from the staff row; the window the role shapes; the first-run seeding."""

from __future__ import annotations

import pytest

from console.login import LoginDialog, local_authenticator
from modes.common.views import StaffEntry

PASSWORD = "lantern-Pine-62"
STAFF = (
    StaffEntry("city_commander", "王强", "commander", None, None),
    StaffEntry("daoli_operator", "李娜", "operator", "230102", None),
)


@pytest.fixture
def people(tmp_path):
    """A SQLite file with two logins with a password: (session factory, clock)."""
    import datetime as dt

    from data.db import open_database, session_factory
    from data.models import District
    from modes.common import auth
    from modes.common.clock import FixedClock

    engine = open_database("sqlite:///" + str(tmp_path / "people.db"))
    make = session_factory(engine)
    clock = FixedClock(dt.datetime(2026, 3, 2, 9, 0))
    with make() as s, s.begin():
        s.add(District(code="230102", name="道里区", name_en="Daoli"))
        s.flush()
        auth.add_staff(s, clock, "city_commander", "commander", name="王强")
        auth.add_staff(s, clock, "daoli_operator", "operator", name="李娜", district="230102")
        auth.set_password(s, clock, "city_commander", PASSWORD)
        auth.set_password(s, clock, "daoli_operator", PASSWORD)
    yield make, clock
    engine.dispose()


def _dialog(qtbot, people, login: str = "") -> LoginDialog:
    make, clock = people
    dialog = LoginDialog(local_authenticator(make, clock, STAFF), login)
    qtbot.addWidget(dialog)
    return dialog


def _try(dialog: LoginDialog, login: str, password: str) -> None:
    dialog.login_edit.setText(login)
    dialog.password_edit.setText(password)
    dialog.login_button.click()


def test_the_right_password_logs_in_as_the_staff_row(qtbot, translations, people):
    from PySide6.QtWidgets import QDialog, QLineEdit

    translations("en")
    dialog = _dialog(qtbot, people)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    _try(dialog, "daoli_operator", PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    login = dialog.login()
    assert (login.actor, login.role, login.name, login.district_code) == (
        "daoli_operator",
        "operator",
        "李娜",
        "230102",
    )


def test_refusals_show_in_the_dialog_until_the_lock(qtbot, translations, people):
    from PySide6.QtWidgets import QDialog

    translations("en")
    dialog = _dialog(qtbot, people, "city_commander")
    _try(dialog, "nobody", PASSWORD)
    assert dialog.error_label.text() == "Unknown login nobody."
    for n in range(1, 5):
        _try(dialog, "city_commander", f"guess {n}")
        assert dialog.error_label.text().startswith(f"Wrong password ({n} of 5 failed log-ins in a row")
        assert dialog.password_edit.text() == ""  # typed again, not kept
    _try(dialog, "city_commander", "guess 5")
    assert dialog.error_label.text() == "city_commander is locked after 5 failed log-ins, until 09:01:00."
    _try(dialog, "city_commander", PASSWORD)  # right, but locked
    assert "until 09:01:00" in dialog.error_label.text()
    assert dialog.result() != QDialog.DialogCode.Accepted and not dialog.error_label.isHidden()
    make, clock = people
    from sqlalchemy import select

    from data.models import JournalEvent

    with make() as s:
        kinds = s.scalars(
            select(JournalEvent.kind).where(JournalEvent.subject == "staff:city_commander")
        ).all()
    assert kinds.count("staff.login_failed") == 5 and kinds.count("staff.locked") == 1
    clock.advance(seconds=60)
    _try(dialog, "city_commander", PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.login().role == "commander"


def test_refusals_are_translated(qtbot, translations, people):
    translations("zh_CN")
    dialog = _dialog(qtbot, people)
    _try(dialog, "daoli_operator", "not it at all")
    assert dialog.error_label.text().startswith("密码错误")


def test_role_shapes_what_the_window_offers(open_window):
    from modes.common.mode_switch import Mode

    supervisor = open_window("supervisor")
    assert "Supervisor" in supervisor.user_badge.text()
    assert [b.isEnabled() for b in supervisor.mode_buttons.values()] == [True, False, False]
    commander = open_window("commander")
    assert all(b.isEnabled() for b in commander.mode_buttons.values())
    assert (
        commander.services.login.actor in commander.user_badge.text()
        or commander.services.login.name in commander.user_badge.text()
    )
    assert Mode.EVERYDAY in commander.mode_buttons


def test_first_run_seeds_with_a_progress_dialog(qtbot, tmp_path, translations):
    """An empty database gets the demo city while a progress dialog follows the generator."""
    from PySide6.QtWidgets import QProgressDialog

    from console.seeding import seed_with_progress
    from data.city import has_city, stats
    from data.db import open_database, session_factory

    translations("en")
    engine = open_database("sqlite:///" + str(tmp_path / "first.db"))
    make_session = session_factory(engine)
    seen: list[int] = []
    original = QProgressDialog.setValue

    def spy(self, value):
        seen.append(value)
        original(self, value)

    QProgressDialog.setValue = spy
    try:
        error = seed_with_progress(make_session, scale="small", show_dialog=True)
    finally:
        QProgressDialog.setValue = original
    assert error is None
    with make_session() as s:
        assert has_city(s) and stats(s)["cells"] == 200
    assert seen and seen[-1] == 1000 and seen == sorted(seen)
    again = seed_with_progress(make_session, scale="small", show_dialog=False)
    assert "already holds a city" in again  # a second seeding is refused, nothing changes
    engine.dispose()
