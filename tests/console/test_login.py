"""Login: by role or staff login on the command line, or through the dialog; the actor is recorded."""

from __future__ import annotations

import pytest

from console.dto import StaffEntry
from console.login import LoginDialog, resolve_login

STAFF = (
    StaffEntry("city_commander", "王强", "commander", None, None),
    StaffEntry("daoli_operator", "李娜", "operator", "230102", None),
    StaffEntry("dept_water", "赵刚", "department", None, "water"),
)


def test_resolve_by_role_takes_the_first_login_with_it():
    login = resolve_login(STAFF, "operator")
    assert (login.actor, login.role, login.name, login.district_code) == (
        "daoli_operator",
        "operator",
        "李娜",
        "230102",
    )


def test_resolve_by_login():
    assert resolve_login(STAFF, "dept_water").department_code == "water"


def test_a_role_without_staff_logs_in_as_the_role():
    login = resolve_login(STAFF, "civil_defence")
    assert (login.actor, login.role) == ("civil_defence", "civil_defence")


def test_unknown_role_or_login_is_refused():
    with pytest.raises(ValueError, match="unknown role or login"):
        resolve_login(STAFF, "mayor")


def test_dialog_offers_every_role_and_the_staff_of_the_chosen_one(qtbot, translations):
    translations("en")
    dialog = LoginDialog(STAFF)
    qtbot.addWidget(dialog)
    assert dialog.role_box.count() == 7
    assert dialog.login().actor == "city_commander"  # commander preselected
    dialog.choose("operator", "daoli_operator")
    login = dialog.login()
    assert (login.actor, login.role, login.name) == ("daoli_operator", "operator", "李娜")
    dialog.choose("shift_leader")
    assert dialog.person_box.count() == 1 and dialog.person_box.currentData() is None
    assert dialog.login().actor == "shift_leader"


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
