"""The two-person rule at a console on a database: the commander orders wartime, the order's dialog opens
and a second person confirms (or refuses) it with their own login and password, checked by the command
bus; the journal records both persons. Refusals show in the dialog: the one who asked, a wrong password
(counted), a locked login, a role that may not, an order past its 60 s. With the rule off the switch is
immediate and no dialog opens. The console's clock is a FixedClock moved by hand: no test waits for
time to pass."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from data import journal
from data.demo_city import DEMO_PASSWORD, DEPUTY_CIVIL_DEFENCE
from data.models import PendingOrder, StaffCredential
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.command_bus import call_local
from modes.common.mode_switch import Mode, current_mode, switch_mode

COMMANDER = Actor.of("commander", "city_commander", login="city_commander")
OFFICER = "city_civil_defence"


def set_rule(make_session, on: bool) -> None:
    clock = FixedClock(dt.datetime(2009, 9, 18, 9, 0))
    call_local(city_bus(), make_session, clock, "settings.two_person", {"on": on}, person=COMMANDER)


@pytest.fixture(autouse=True)
def everyday_and_rule_off(make_session):
    """Each test starts in peacetime with the rule off and leaves the city so (whatever it ordered)."""

    def reset() -> None:
        set_rule(make_session, False)
        with make_session() as s, s.begin():
            switch_mode(s, FixedClock(dt.datetime(2009, 9, 18, 9, 0)), COMMANDER, Mode.EVERYDAY, "reset")

    reset()
    yield
    reset()


def events_since(make_session, seq: int) -> list:
    with make_session() as s:
        return list(journal.events_after(s, seq))


def last_seq(make_session) -> int:
    with make_session() as s:
        return journal.last_seq(s)


def city_mode(make_session) -> Mode:
    with make_session() as s:
        return current_mode(s)


def failed_count(make_session, login: str) -> int:
    with make_session() as s:
        return s.get(StaffCredential, login).failed_count


def order_row(make_session, order_id: int) -> tuple[str, str | None]:
    with make_session() as s:
        row = s.get(PendingOrder, order_id)
        return row.state, row.decided_by


def order_wartime(window, qtbot):
    """The commander asks for wartime under the rule: the switch comes back as an order and its dialog
    opens for the second person."""
    window.switch_now(Mode.CIVIL_DEFENCE, "air raid expected")
    qtbot.waitUntil(
        lambda: window.order_dialog is not None and window.order_dialog.isVisible(), timeout=10_000
    )
    return window.order_dialog


def type_credentials(qtbot, dialog, login: str, password: str) -> None:
    dialog.login_edit.clear()
    qtbot.keyClicks(dialog.login_edit, login)
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, password)


def refused_with(qtbot, dialog, login: str, password: str, *, refuse: bool = False) -> str:
    """Decide as ``login`` and return the refusal the dialog shows (it must refuse)."""
    type_credentials(qtbot, dialog, login, password)
    button = dialog.refuse_button if refuse else dialog.confirm_button
    with qtbot.waitSignal(dialog.refused, timeout=10_000) as refused:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.message_label.text() == refused.args[0]
    return refused.args[0]


# --- rule on --------------------------------------------------------------------------------------------


def test_the_commander_orders_wartime_and_the_officer_beside_them_confirms_it(
    open_window, qtbot, make_session
):
    window = open_window("city_commander")
    set_rule(make_session, True)
    mark = last_seq(make_session)
    dialog = order_wartime(window, qtbot)
    order = dialog.order
    assert order.requested_by == "city_commander" and order.act == "mode.switch"
    assert window.mode == Mode.EVERYDAY and city_mode(make_session) == Mode.EVERYDAY
    assert "Civil air defence" in dialog.findChild(QLabel, "confirm_title").text()
    assert dialog.countdown_label.text() == "60 s left to confirm"
    qtbot.waitUntil(lambda: window.orders_button.text() == "Orders waiting: 1", timeout=10_000)

    # The one who gave the order cannot confirm it, even with the right password.
    text = refused_with(qtbot, dialog, "city_commander", DEMO_PASSWORD)
    assert "city_commander gave this order: a second person must confirm it" in text
    assert city_mode(make_session) == Mode.EVERYDAY and order_row(make_session, order.id) == ("pending", None)

    # A wrong password is refused and counted (journaled) like a failed log-in.
    before = failed_count(make_session, OFFICER)
    text = refused_with(qtbot, dialog, OFFICER, "not-the-password")
    assert text.startswith(f"Wrong password for {OFFICER}: {before + 1} failed tries in a row")
    assert failed_count(make_session, OFFICER) == before + 1
    assert [e.subject for e in events_since(make_session, mark) if e.kind == "staff.login_failed"] == [
        f"staff:{OFFICER}"
    ]
    assert dialog.password_edit.text() == ""  # a refused password does not stay in the field

    # The civil-defence officer confirms with their own password: the city is in wartime.
    type_credentials(qtbot, dialog, OFFICER, DEMO_PASSWORD)
    with qtbot.waitSignal(window.mode_changed, timeout=10_000) as changed:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert changed.args == ["civil-defence"] and window.mode == Mode.CIVIL_DEFENCE
    assert not dialog.isVisible() and dialog.decision.ok and dialog.decision.login == OFFICER
    assert city_mode(make_session) == Mode.CIVIL_DEFENCE
    assert order_row(make_session, order.id) == ("confirmed", OFFICER)
    assert failed_count(make_session, OFFICER) == 0  # the right password resets the count
    events = events_since(make_session, mark)
    confirmed = [e for e in events if e.kind == "order.confirmed"]
    switched = [e for e in events if e.kind == "mode.switched"]
    assert [(e.actor, e.payload["requested_by"]) for e in confirmed] == [(OFFICER, "city_commander")]
    assert [(e.actor, e.payload["confirmed_by"], e.payload["order_id"]) for e in switched] == [
        ("city_commander", OFFICER, order.id)
    ]
    assert switched[0].payload["reason"] == "air raid expected"
    qtbot.waitUntil(lambda: window.orders_button.text() == "No orders waiting", timeout=10_000)


def test_an_order_nobody_confirms_within_60_s_expires_and_does_nothing(open_window, qtbot, make_session):
    window = open_window("city_commander")
    set_rule(make_session, True)
    mark = last_seq(make_session)
    dialog = order_wartime(window, qtbot)
    order = dialog.order
    window.services.clock.advance(seconds=61)
    qtbot.waitUntil(lambda: dialog.countdown_label.text().startswith("Time is up"), timeout=5000)
    text = refused_with(qtbot, dialog, OFFICER, DEMO_PASSWORD)
    assert text == (
        f"Order {order.id} expired at {order.expires_at:%H:%M:%S} before anyone confirmed it: nothing was "
        "done. Ask again."
    )
    assert not dialog.confirm_button.isEnabled() and not dialog.refuse_button.isEnabled()
    assert window.mode == Mode.EVERYDAY and city_mode(make_session) == Mode.EVERYDAY
    assert order_row(make_session, order.id) == ("expired", None)
    kinds = [e.kind for e in events_since(make_session, mark)]
    assert kinds == ["order.requested", "order.expired"]
    qtbot.waitUntil(lambda: window.orders_button.text() == "No orders waiting", timeout=10_000)


def test_the_orders_view_lists_the_order_and_a_second_person_refuses_it(open_window, qtbot, make_session):
    window = open_window("city_commander")
    set_rule(make_session, True)
    mark = last_seq(make_session)
    dialog = order_wartime(window, qtbot)
    order = dialog.order
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # closed: the order still waits
    assert not dialog.isVisible() and order_row(make_session, order.id) == ("pending", None)

    qtbot.waitUntil(lambda: window.orders_button.text() == "Orders waiting: 1", timeout=10_000)
    qtbot.mouseClick(window.orders_button, Qt.MouseButton.LeftButton)
    view = window.orders_view
    qtbot.waitUntil(
        lambda: view is not None and view.isVisible() and view.model.rowCount() == 1, timeout=10_000
    )
    model = view.model

    def row() -> list[str]:
        return [model.data(model.index(0, c)) for c in range(model.columnCount())]

    assert row() == [
        str(order.id),
        "Switch the city to Civil air defence mode",
        "city_commander (Commander)",
        "air raid expected",
        "60 s",
    ]
    window.services.clock.advance(seconds=20)
    qtbot.waitUntil(lambda: row()[4] == "40 s", timeout=5000)

    qtbot.mouseClick(view.decide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.order_dialog is not dialog and window.order_dialog.isVisible(), timeout=5000
    )
    dialog = window.order_dialog
    assert dialog.order.id == order.id and dialog.countdown_label.text() == "40 s left to confirm"

    # An operator may not switch the city to wartime, so may not decide on the order either.
    text = refused_with(qtbot, dialog, "city_operator", DEMO_PASSWORD, refuse=True)
    assert text.startswith("city_operator is not authorised to decide on this order: ")
    # Five wrong passwords lock the deputy officer; locked, even the right one is refused.
    for n in range(1, 5):
        text = refused_with(qtbot, dialog, DEPUTY_CIVIL_DEFENCE, "wrong password")
        assert f": {n} failed tries in a row" in text
    text = refused_with(qtbot, dialog, DEPUTY_CIVIL_DEFENCE, "wrong password")
    assert text == f"{DEPUTY_CIVIL_DEFENCE} is locked after 5 failed tries, until 10:01:20."
    assert refused_with(qtbot, dialog, DEPUTY_CIVIL_DEFENCE, DEMO_PASSWORD) == text
    assert order_row(make_session, order.id) == ("pending", None)

    # The officer refuses it, with a note: nothing switches, the journal says who refused and why.
    type_credentials(qtbot, dialog, OFFICER, DEMO_PASSWORD)
    qtbot.keyClicks(dialog.note_edit, "no radar contact")
    with qtbot.waitSignal(window.order_decided, timeout=10_000) as decided:
        qtbot.mouseClick(dialog.refuse_button, Qt.MouseButton.LeftButton)
    assert decided.args[0].login == OFFICER and not dialog.isVisible()
    assert order_row(make_session, order.id) == ("refused", OFFICER)
    assert window.mode == Mode.EVERYDAY and city_mode(make_session) == Mode.EVERYDAY
    refused = [e for e in events_since(make_session, mark) if e.kind == "order.refused"]
    assert [(e.actor, e.payload["note"]) for e in refused] == [(OFFICER, "no radar contact")]
    qtbot.waitUntil(lambda: model.rowCount() == 0 and view.empty_label.isVisibleTo(view), timeout=10_000)
    assert window.orders_button.text() == "No orders waiting"


# --- rule off -------------------------------------------------------------------------------------------


def test_rule_off_the_wartime_switch_takes_effect_at_once_without_a_dialog(open_window, qtbot, make_session):
    window = open_window("city_commander")
    mark = last_seq(make_session)
    with qtbot.waitSignal(window.mode_changed, timeout=10_000) as changed:
        window.switch_now(Mode.CIVIL_DEFENCE, "exercise 9.18")
    assert changed.args == ["civil-defence"] and city_mode(make_session) == Mode.CIVIL_DEFENCE
    assert window.order_dialog is None
    events = events_since(make_session, mark)
    assert [e.kind for e in events] == ["mode.switched"]
    assert events[0].actor == "city_commander" and "confirmed_by" not in events[0].payload
    with make_session() as s:
        assert s.scalars(select(PendingOrder).where(PendingOrder.state == "pending")).all() == []
    assert window.orders_button.text() == "No orders waiting"
