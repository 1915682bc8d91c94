"""The status control under a selected component or camera: the change goes through the button to the
stored row and the journal, the map and the details follow; a login outside the asset's scope sees the
control disabled with the reason and the door refuses it too; bad input shows the rules' reason and
stores nothing; another console's change restyles the map after the journal poll."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from comms.commands import CommandRefused
from console.everyday.asset_services import AssetServices
from console.map.map_panel import STATE_CLASS
from data import journal
from data.errors import InputError, NotFound
from data.models import Camera, Component
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.city_picture import COMPONENT_STATES
from modes.common.clock import FixedClock
from modes.common.command_bus import call_local

TODAY = dt.date(2009, 9, 18)  # the fixtures' clock


def components(make_session, *where, n: int = 1, offset: int = 0) -> list[Component]:
    with make_session() as s:
        stmt = select(Component).where(Component.state == "intact", *where).order_by(Component.id)
        rows = list(s.scalars(stmt.offset(offset).limit(n)))
        s.expunge_all()
    assert len(rows) == n, "the test city has too few intact components"
    return rows


def stored(make_session, model, ident: str) -> str:
    with make_session() as s:
        row = s.get(model, ident)
        return row.state if model is Component else row.status


def last_seq(make_session) -> int:
    with make_session() as s:
        return journal.last_seq(s)


def an_asset(make_session, kind: str, offset: int) -> str:
    if kind == "component":
        return components(make_session, offset=offset)[0].id
    with make_session() as s:
        return s.scalar(
            select(Camera.id)
            .where(Camera.status == "online", Camera.cell_code.is_not(None))
            .order_by(Camera.id)
        )


@pytest.mark.parametrize(
    ("kind", "model", "status", "label", "row"),
    [
        ("component", Component, "lost", "Lost", "State"),
        ("camera", Camera, "fault", "Fault", "Status"),
    ],
)
def test_the_status_set_under_the_details_is_stored_journalled_and_shown(
    open_window, qtbot, make_session, kind, model, status, label, row
):
    window = open_window("operator")
    ident = an_asset(make_session, kind, offset=3)
    before = stored(make_session, model, ident)
    assert window.map.select(kind, ident) is not None
    panel = window.assets.panel
    assert panel.isVisible() and panel.asset.id == ident and panel.asset.status == before
    # The current status is chosen: nothing to send yet, and the button says so.
    assert not panel.apply_button.isEnabled() and "other than the current" in panel.apply_button.toolTip()
    panel.choose(status)
    qtbot.keyClicks(panel.note_edit, "seen on patrol")
    assert panel.apply_button.isEnabled()
    with qtbot.waitSignal(panel.status_changed, timeout=10_000) as done:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert (result.previous, result.status, result.changed) == (before, status, True)

    assert stored(make_session, model, ident) == status
    with make_session() as s:
        event = journal.events_after(s, result.journal_seq - 1, 1)[0]
        if kind == "component":
            assert s.get(Component, ident).change_date == TODAY
    assert event.kind == "asset.status" and event.subject == f"{kind}/{ident}"
    assert event.actor == window.services.login.actor
    assert event.payload["from"] == before and event.payload["to"] == status
    assert event.payload["note"] == "seen on patrol" and event.payload["role"] == "operator"
    # The details and the control show the new status; the same one again is nothing to send.
    assert window.details.value_of(row) == label
    assert panel.asset.status == status and not panel.apply_button.isEnabled()
    assert label in panel.title() and "journal event" in panel.hint_label.text()
    if kind == "component":
        comp = window.snapshot.components
        i = window.snapshot.component_index(ident)
        assert COMPONENT_STATES[comp.state_idx[i]] == "lost"
        assert window.map.components.style[i] == comp.major_idx[i] * 4 + STATE_CLASS["lost"]


def test_the_control_shows_only_for_components_and_cameras(open_window, make_session):
    window = open_window("operator")
    panel = window.assets.panel
    ident = components(make_session, offset=5)[0].id
    window.map.select("component", ident)
    assert panel.isVisible()
    window.map.select("cell", str(window.snapshot.cells.codes[0]))
    assert not panel.isVisible() and panel.asset is None
    window.map.select("component", ident)
    window.map.clear_selection()
    assert not panel.isVisible()


def department_logins(make_session):
    """A department's login, a component its department keeps and one it does not."""
    with make_session() as s:
        mine = s.scalars(
            select(Component).where(Component.state == "intact").order_by(Component.id).limit(1)
        ).one()
        dept = mine.owner_code
        other = s.scalars(
            select(Component)
            .where(
                Component.state == "intact",
                Component.owner_code != dept,
                Component.property_code.is_distinct_from(dept),
                Component.maintenance_code.is_distinct_from(dept),
            )
            .order_by(Component.id)
            .limit(1)
        ).one()
        return f"dept_{dept}", mine.id, other.id, f"not {dept}"


def district_logins(make_session):
    """A district's login (道里 230102), a component of its district and one of another district."""
    mine = components(make_session, Component.id.like("230102%"), offset=2)[0].id
    other = components(make_session, Component.id.not_like("230102%"), offset=2)[0].id
    return "daoli_operator", mine, other, "acts for district 230102"


@pytest.mark.parametrize("scope", [district_logins, department_logins], ids=["district", "department"])
def test_a_login_changes_only_the_assets_in_its_scope(open_window, qtbot, make_session, scope):
    who, mine, other, reason = scope(make_session)
    window = open_window(who)
    panel = window.assets.panel

    window.map.select("component", other)
    assert panel.isVisible() and panel.asset.refusal
    assert not panel.apply_button.isEnabled() and not panel.status_box.isEnabled()
    assert reason in panel.apply_button.toolTip() and reason in panel.hint_label.text()
    head = last_seq(make_session)
    with qtbot.waitSignal(panel.failed, timeout=2000) as failed:
        assert panel.apply() is False
    assert reason in failed.args[0]
    # The door refuses it too, whoever asks it directly.
    with pytest.raises(CommandRefused, match=reason):
        AssetServices.of(window.services).set_status("component", other, "damaged")
    assert stored(make_session, Component, other) == "intact"
    assert last_seq(make_session) == head

    window.map.select("component", mine)
    assert panel.asset.refusal == "" and panel.status_box.isEnabled()
    panel.choose("damaged")
    with qtbot.waitSignal(panel.status_changed, timeout=10_000):
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert stored(make_session, Component, mine) == "damaged"


def test_a_status_the_rules_do_not_know_is_refused_and_shown(open_window, qtbot, make_session):
    window = open_window("operator")
    ident = components(make_session, offset=7)[0].id
    window.map.select("component", ident)
    panel = window.assets.panel
    # An older console's list, say, offering a status the rules no longer know.
    panel.status_box.addItem("broken", "broken")
    panel.choose("broken")
    head = last_seq(make_session)
    with qtbot.waitSignal(panel.failed, timeout=10_000) as failed:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "unknown component status 'broken'" in failed.args[0]
    assert "intact, damaged, lost, abandoned, removed" in panel.hint_label.text()
    assert "was not changed" in panel.hint_label.text()
    assert panel.apply_button.isEnabled()  # the person may pick another and try again
    assert stored(make_session, Component, ident) == "intact"
    assert last_seq(make_session) == head


def test_an_unknown_asset_or_kind_is_refused_by_name(services_for, make_session):
    services = AssetServices.of(services_for("operator"))
    head = last_seq(make_session)
    assert services.asset("component", "230102999999999999") is None
    with pytest.raises(NotFound, match="unknown component '230102999999999999'"):
        services.set_status("component", "230102999999999999", "lost")
    with pytest.raises(InputError, match="unknown asset kind 'hydrant' \\(component or camera\\)"):
        services.set_status("hydrant", "x", "lost")
    assert last_seq(make_session) == head


def test_another_consoles_change_restyles_the_map_after_the_journal_poll(open_window, qtbot, make_session):
    window = open_window("commander")
    ident = components(make_session, offset=9)[0].id
    window.map.select("component", ident)
    i = window.snapshot.component_index(ident)
    assert COMPONENT_STATES[window.snapshot.components.state_idx[i]] == "intact"
    other = Actor.of("operator", "city_operator", login="city_operator")
    clock = FixedClock(dt.datetime(2009, 9, 18, 10, 5))
    call_local(
        city_bus(), make_session, clock, "asset.status", {"id": ident, "status": "damaged"}, person=other
    )
    with qtbot.waitSignal(window.details.shown, timeout=5000):
        window.watcher.poll()
    assert COMPONENT_STATES[window.snapshot.components.state_idx[i]] == "damaged"
    assert window.details.value_of("State") == "Damaged"
    assert window.assets.panel.asset.status == "damaged"
