"""The civil-defence page's own writes beyond the alarm order: a siren marked faulty or back in service
from the sirens tab (the coverage follows), and a district's acknowledgement of an alarm on the board.
Each goes through the real buttons to the stored rows and the journal; a login that may not sees the
control disabled with the reason and the door refuses it too; bad input shows the rules' reason and
stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from comms.commands import CommandRefused
from data import journal
from data.civil_defence_models import AlarmDelivery, Siren
from data.errors import InputError, NotFound
from modes.bus import city_bus
from modes.civil_defence import coverage
from modes.civil_defence.authority import CivilDefenceRefused
from modes.common.actor import Actor
from modes.common.clock import FixedClock
from modes.common.command_bus import call_local
from modes.common.mode_switch import Mode
from tests.console.conftest import copy_template
from tests.console.test_civil_defence_panel import enter_civil_defence

NOW = dt.datetime(2009, 9, 18, 10, 0)  # the fixtures' clock
DAOLI, NANGANG = "230102", "230103"


@pytest.fixture(scope="module")
def city_url(small_demo_template, tmp_path_factory) -> str:
    return copy_template(small_demo_template, tmp_path_factory)


def as_person(login: str, role: str, district: str | None = None) -> Actor:
    return Actor.of(role, login, district=district, login=login)


def command(make_session, name: str, args: dict, person: Actor):
    """Another console's or the command line's write, through the same bus."""
    return call_local(city_bus(), make_session, FixedClock(NOW), name, args, person=person)


def last_seq(make_session) -> int:
    with make_session() as s:
        return journal.last_seq(s)


def siren_status(make_session, siren: str) -> str:
    with make_session() as s:
        return s.get(Siren, siren).status


def click_row(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def sirens_tab(window, qtbot):
    tools = enter_civil_defence(window, qtbot)
    tabs = window.page_for[Mode.CIVIL_DEFENCE].tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("Sirens"))
    return tools


# --- sirens ----------------------------------------------------------------------------------------


def test_the_officer_marks_a_siren_faulty_and_back_and_the_coverage_follows(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    tools = sirens_tab(window, qtbot)
    panel = tools.sirens
    before = tools.summary.summary
    with make_session() as s:
        model = coverage.CoverageModel.load(s)
    # A siren whose loss leaves someone unwarned (some are wholly overlapped by their neighbours).
    in_service = [sid for sid, on in zip(model.siren_ids, model.in_service, strict=True) if on]
    siren = max(in_service, key=lambda sid: len(model.clone().set_in_service(sid, False)))
    r = panel.siren_model.row_of(siren)
    assert panel.siren_model.row(r)[3] == "In service" and panel.siren_model.flag(r) == ""
    assert not panel.siren_status_button.isEnabled()  # nothing selected
    assert "Select a siren" in panel.siren_status_button.toolTip()
    click_row(qtbot, panel.siren_view, r)
    assert panel.selected_siren() == siren
    assert "already In service" in panel.siren_status_button.toolTip()

    panel.choose_status("out_of_service")
    assert panel.siren_status_button.isEnabled()
    with qtbot.waitSignal(tools.coverage_loaded, timeout=30_000):
        qtbot.mouseClick(panel.siren_status_button, Qt.MouseButton.LeftButton)
    assert siren_status(make_session, siren) == "out_of_service"
    with make_session() as s:
        event = journal.events_after(s, journal.last_seq(s) - 1)[0]
        covered = coverage.coverage_report(s).covered
    assert event.kind == "siren.status_changed" and event.subject == f"siren/{siren}"
    assert event.actor == window.services.login.actor
    assert event.payload == {"siren": siren, "from": "in_service", "to": "out_of_service"}
    # The strip, the list and the map show the siren out and the coverage without it.
    after = tools.summary.summary
    assert after.sirens_out == before.sirens_out + 1
    assert after.covered == pytest.approx(covered) and after.covered < before.covered
    r = panel.siren_model.row_of(siren)
    assert panel.siren_model.row(r)[3] == "Out of service" and panel.siren_model.flag(r) == "warn"
    assert panel.selected_siren() == siren  # still selected after the redraw
    i = list(tools.coverage.sirens.ids).index(siren)
    assert tools.layers.sirens.style[i] == 1  # drawn as out of service
    assert "Out of service" in panel.siren_hint.text()

    # Back in service: the coverage is what it was.
    panel.choose_status("in_service")
    with qtbot.waitSignal(tools.coverage_loaded, timeout=30_000):
        qtbot.mouseClick(panel.siren_status_button, Qt.MouseButton.LeftButton)
    assert siren_status(make_session, siren) == "in_service"
    assert tools.summary.summary.sirens_out == before.sirens_out
    assert tools.summary.summary.covered == pytest.approx(before.covered)


def test_only_the_civil_defence_officer_may_change_a_siren(open_window, qtbot, make_session):
    window = open_window("commander")
    panel = sirens_tab(window, qtbot).sirens
    siren = str(panel.siren_model.key(0))
    click_row(qtbot, panel.siren_view, 0)
    assert not panel.siren_status_button.isEnabled() and not panel.siren_status_box.isEnabled()
    assert "Only the civil-defence officer" in panel.siren_status_button.toolTip()
    assert "Commander" in panel.siren_hint.text()
    head = last_seq(make_session)
    with qtbot.waitSignal(panel.siren_failed, timeout=2000):
        assert panel.set_selected_status() is False
    with pytest.raises(CivilDefenceRefused, match="role 'commander' may not change a siren's status"):
        tools_services(window).set_siren_status(siren, "damaged")
    assert last_seq(make_session) == head


def tools_services(window):
    return window.civil_defence.services


def test_a_district_officer_keeps_the_sirens_of_their_own_district(open_window, qtbot, make_session):
    window = open_window("daoli_civil_defence")
    panel = sirens_tab(window, qtbot).sirens
    with make_session() as s:
        mine = s.scalar(select(Siren.id).where(Siren.district_code == DAOLI, Siren.status == "in_service"))
        other = s.scalar(select(Siren.id).where(Siren.district_code == NANGANG, Siren.status == "in_service"))
    click_row(qtbot, panel.siren_view, panel.siren_model.row_of(other))
    panel.choose_status("damaged")
    assert not panel.siren_status_button.isEnabled()
    reason = f"Siren {other} is in district {NANGANG}; you act for district {DAOLI}."
    assert panel.siren_status_button.toolTip() == reason and panel.siren_hint.text() == reason
    head = last_seq(make_session)
    with pytest.raises(
        CivilDefenceRefused, match=f"siren {other} is in district {NANGANG}; daoli_civil_defence"
    ):
        tools_services(window).set_siren_status(other, "damaged")
    assert siren_status(make_session, other) == "in_service" and last_seq(make_session) == head

    click_row(qtbot, panel.siren_view, panel.siren_model.row_of(mine))
    panel.choose_status("damaged")
    assert panel.siren_status_button.isEnabled()
    with qtbot.waitSignal(panel.siren_status_changed, timeout=10_000):
        qtbot.mouseClick(panel.siren_status_button, Qt.MouseButton.LeftButton)
    assert siren_status(make_session, mine) == "damaged"
    command(make_session, "siren.status", {"siren": mine, "status": "in_service"}, person=officer())


def officer() -> Actor:
    return as_person("city_civil_defence", "civil_defence")


def test_a_siren_status_the_rules_do_not_know_is_refused_and_shown(open_window, qtbot, make_session):
    window = open_window("civil_defence")
    panel = sirens_tab(window, qtbot).sirens
    siren = str(panel.siren_model.key(0))
    click_row(qtbot, panel.siren_view, 0)
    panel.siren_status_box.addItem("broken", "broken")  # an older console's list, say
    panel.choose_status("broken")
    head, status = last_seq(make_session), siren_status(make_session, siren)
    with qtbot.waitSignal(panel.siren_failed, timeout=10_000) as failed:
        qtbot.mouseClick(panel.siren_status_button, Qt.MouseButton.LeftButton)
    assert "unknown siren status 'broken' (one of in_service, out_of_service, damaged)" in failed.args[0]
    assert "was not changed" in panel.siren_hint.text()
    with pytest.raises(NotFound, match="no siren 'NOPE-J999'"):
        tools_services(window).set_siren_status("NOPE-J999", "damaged")
    assert siren_status(make_session, siren) == status and last_seq(make_session) == head


# --- acknowledging an alarm ------------------------------------------------------------------------


def issue_alarm(make_session) -> int:
    """The city's officer sounds a pre-warning in both districts (an exercise), from another console."""
    board = command(
        make_session,
        "alarm.issue",
        {"kind": "pre", "districts": [DAOLI, NANGANG], "exercise": True},
        officer(),
    )
    return int(board["alarm_id"])


def delivery(make_session, alarm_id: int, district: str) -> AlarmDelivery:
    with make_session() as s:
        row = s.scalars(
            select(AlarmDelivery).where(
                AlarmDelivery.alarm_id == alarm_id, AlarmDelivery.district_code == district
            )
        ).one()
        s.expunge(row)
        return row


@pytest.fixture
def alarm_in_wartime(make_session) -> int:
    """The city in civil-defence mode (a district's login may not switch it) and a fresh alarm."""
    commander = as_person("city_commander", "commander")
    command(make_session, "mode.switch", {"mode": Mode.CIVIL_DEFENCE.value, "reason": "exercise"}, commander)
    return issue_alarm(make_session)


def test_a_district_acknowledges_its_own_delivery_on_the_board(
    open_window, qtbot, make_session, alarm_in_wartime
):
    alarm_id = alarm_in_wartime
    window = open_window("daoli_commander")
    panel = enter_civil_defence(window, qtbot).alarms
    assert panel.board.alarm_id == alarm_id
    # The login's own district is chosen on the board.
    assert panel.selected_district() == DAOLI
    assert panel.ack_button.isEnabled() and panel.ack_button.text() == f"Acknowledge for district {DAOLI}"

    # Not another district's.
    click_row(qtbot, panel.board_view, panel.board_model.row_of(NANGANG))
    assert not panel.ack_button.isEnabled()
    assert panel.ack_button.toolTip() == (
        f"You act for district {DAOLI}; district {NANGANG} acknowledges its own delivery."
    )
    head = last_seq(make_session)
    with pytest.raises(
        CommandRefused, match=f"belongs to district {DAOLI}; it may not acknowledge for district"
    ):
        tools_services(window).acknowledge_alarm(alarm_id, NANGANG)
    assert delivery(make_session, alarm_id, NANGANG).acked_at is None and last_seq(make_session) == head

    click_row(qtbot, panel.board_view, panel.board_model.row_of(DAOLI))
    window.services.clock.advance(seconds=7)
    with qtbot.waitSignal(panel.alarm_acknowledged, timeout=10_000) as acked:
        qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    assert acked.args[0].district == DAOLI and acked.args[0].ack_seconds == 7.0
    row = delivery(make_session, alarm_id, DAOLI)
    assert row.acked_at == NOW + dt.timedelta(seconds=7) and row.acked_by == "daoli_commander"
    with make_session() as s:
        events = journal.events_after(s, head)
    assert [(e.kind, e.actor, e.district_code) for e in events] == [
        ("alarm.received", "daoli_commander", DAOLI),
        ("alarm.acknowledged", "daoli_commander", DAOLI),
    ]
    assert events[-1].payload["alarm_id"] == alarm_id and events[-1].payload["late"] is False
    # The board shows it, and there is nothing more to acknowledge for the district.
    r = panel.board_model.row_of(DAOLI)
    assert panel.board_model.row(r)[4] == "10:00:07" and panel.board_model.flag(r) == "ok"
    assert not panel.ack_button.isEnabled()
    assert panel.ack_button.toolTip() == f"District {DAOLI} acknowledged at 10:00:07 (daoli_commander)."
    assert "7.0 s after sending" in panel.ack_hint.text()


def test_a_city_officer_may_acknowledge_for_a_district_that_phones_in(
    open_window, qtbot, make_session, alarm_in_wartime
):
    alarm_id = alarm_in_wartime
    window = open_window("civil_defence")
    panel = enter_civil_defence(window, qtbot).alarms
    assert panel.selected_district() is None and not panel.ack_button.isEnabled()
    assert "Select a district's row" in panel.ack_button.toolTip()
    click_row(qtbot, panel.board_view, panel.board_model.row_of(NANGANG))
    with qtbot.waitSignal(panel.alarm_acknowledged, timeout=10_000):
        qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    assert delivery(make_session, alarm_id, NANGANG).acked_by == "city_civil_defence"
    assert delivery(make_session, alarm_id, DAOLI).acked_at is None


def test_acknowledging_an_alarm_that_does_not_exist_is_refused_by_name(services_for, make_session):
    from console.civil_defence.services import CivilDefenceServices

    base = services_for("daoli_commander")
    services = CivilDefenceServices(base.session_factory, base.clock, base.login, base.gateway)
    head = last_seq(make_session)
    with pytest.raises(NotFound, match="no alarm 999999"):
        services.acknowledge_alarm(999_999, DAOLI)
    with pytest.raises(InputError, match="needs the number 'alarm_id'"):
        services.gateway.write("alarm.ack", {"district": DAOLI}, decode=lambda r: r)
    assert last_seq(make_session) == head


def test_a_district_officer_opens_closes_and_counts_only_their_own_districts_shelters(make_session):
    from data.civil_defence_models import Shelter

    with make_session() as s:
        mine = s.scalar(select(Shelter.id).where(Shelter.district_code == DAOLI, Shelter.status == "open"))
        other = s.scalar(select(Shelter.id).where(Shelter.district_code == NANGANG, Shelter.status == "open"))
    daoli = as_person("daoli_civil_defence", "civil_defence", DAOLI)
    head = last_seq(make_session)
    for name, args in (
        ("shelter.status", {"shelter": other, "status": "closed"}),
        ("shelter.occupancy", {"shelter": other, "persons": 40}),
    ):
        with pytest.raises(CivilDefenceRefused, match=f"shelter {other} is in district {NANGANG}; daoli_civil"):
            command(make_session, name, args, person=daoli)
    assert last_seq(make_session) == head
    with make_session() as s:
        assert (s.get(Shelter, other).status, s.get(Shelter, other).occupancy) == ("open", 0)
    command(make_session, "shelter.occupancy", {"shelter": mine, "persons": 40}, person=daoli)
    command(make_session, "shelter.status", {"shelter": mine, "status": "closed"}, person=daoli)
    command(make_session, "shelter.status", {"shelter": other, "status": "closed"}, person=officer())
    with make_session() as s:
        assert (s.get(Shelter, mine).status, s.get(Shelter, mine).occupancy) == ("closed", 40)
        assert s.get(Shelter, other).status == "closed"  # a city officer acts anywhere
    for shelter in (mine, other):
        command(make_session, "shelter.status", {"shelter": shelter, "status": "open"}, person=officer())
