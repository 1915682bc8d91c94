"""The everyday reads the console shows, without Qt, on the tiny city (SQLite and PostgreSQL): the one case
filter (the queue and ``case list`` alike), the queue's pages, one case's detail, the intake form's
references, component and duplicates, the asset control's state and the dashboard's figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from data.errors import InputError
from modes.everyday import assets, intake, queue
from modes.everyday.case_detail import case_detail
from modes.everyday.case_filter import CaseFilter
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.dashboard import dashboard_figures
from modes.everyday.trends import daily_trends, recount_last_day
from tests.modes.conftest import X0, Y0

OP, SUP, LEAD, DISP = (Actor.of(r) for r in ("operator", "supervisor", "shift_leader", "dispatcher"))
COMPONENT = "23010201001000001"
COMPONENT_LEGACY = "2301020101000001"


@pytest.fixture
def cases(tiny_city, clock):
    """Four cases: a supervisor's in 道里 (accepted), a hotline call in 南岗 with an external reference,
    a component at fault, and a hotline call of a type no department is assigned."""
    desk = CaseDesk(tiny_city, clock)

    def report(actor: Actor, **kw) -> int:
        clock.advance(minutes=5)
        doc, _ = desk.report(actor, **kw)
        assert doc["state"] != "merged"
        return doc["id"]

    ids = {
        "daoli": report(
            SUP, x=X0 + 50, y=Y0 + 50, channel="supervisor", type_code="06010", text="垃圾 100% 暴露"
        ),
        "nangang": report(
            OP,
            x=X0 + 50,
            y=Y0 + 250,
            channel="hotline",
            type_code="06010",
            external_ref="12345-A",
            text="楼下",
        ),
        "component": report(SUP, x=X0 + 300, y=Y0 + 100, channel="supervisor", component_id=COMPONENT_LEGACY),
        "parking": report(OP, x=X0 + 350, y=Y0 + 50, channel="hotline", type_code="09009", text="乱停"),
    }
    desk.act(ids["daoli"], "accept", OP)
    clock.advance(minutes=1)
    return desk, ids


FILTERS = [
    (CaseFilter(state="accepted"), {"daoli"}),
    (CaseFilter(state="reported"), {"nangang", "component", "parking"}),
    (CaseFilter(channel="hotline"), {"nangang", "parking"}),
    (CaseFilter(type_key="event:06010"), {"daoli", "nangang"}),
    (CaseFilter(type_key="06010"), {"daoli", "nangang"}),  # a bare code: either kind
    (CaseFilter(type_key="component:01001"), {"component"}),
    (CaseFilter(type_key="event:01001"), set()),
    (CaseFilter(department="enforcement"), {"nangang"}),
    (CaseFilter(department="water_supply"), {"component"}),
    (CaseFilter(district="230102"), {"daoli", "component", "parking"}),
    (CaseFilter(district="230102", channel="hotline"), {"parking"}),
    (CaseFilter(search="楼下"), {"nangang"}),
    (CaseFilter(search="12345-A"), {"nangang"}),  # an external reference, given whole
    (CaseFilter(search="230103001001"), set()),  # digits alone are a case number, even a cell code's
    (CaseFilter(search="100%"), {"daoli"}),  # % is text, not a wildcard
    (CaseFilter(search="1%"), set()),
    (CaseFilter(overdue=True), set()),  # minutes old: nothing is late yet
]


@pytest.mark.parametrize("f, expected", FILTERS)
def test_one_filter_for_the_queue_and_case_list(cases, clock, f, expected):
    desk, ids = cases
    want = sorted((ids[n] for n in expected), reverse=True)
    now = clock.now()
    assert queue.count(desk.session, f, now) == len(want)
    assert queue.page(desk.session, f, queue.QueueOrder(), 0, 50, now).ids.tolist() == want
    if not f.search:  # ``case list`` takes every field but the search
        listed = queue.list_cases(
            desk.session,
            now,
            state=f.state,
            department=f.department,
            district=f.district,
            channel=f.channel,
            type_code=f.type_key,
            overdue=f.overdue,
        )
        assert [c["id"] for c in listed["cases"]] == want and listed["total"] == len(want)


def test_a_case_is_found_by_its_number(cases, clock):
    desk, ids = cases
    for text in (
        f"#{ids['parking']}",
        f"案{ids['parking']}",
        f" case {ids['parking']} ",
        str(ids["parking"]),
    ):
        page = queue.page(desk.session, CaseFilter(search=text), queue.QueueOrder(), 0, 50, clock.now())
        assert page.ids.tolist() == [ids["parking"]], text


@pytest.mark.parametrize(
    "f, message",
    [
        (CaseFilter(state="lost"), "unknown case state 'lost'"),
        (CaseFilter(channel="pigeon"), "unknown channel 'pigeon'"),
        (CaseFilter(type_key="vehicle:01"), "a type filter is 'event:CODE', 'component:CODE' or a type code"),
        (CaseFilter(type_key="event:"), "a type filter is"),
    ],
)
def test_a_bad_filter_is_named(cases, clock, f, message):
    desk, _ = cases
    with pytest.raises(InputError, match=message):
        queue.count(desk.session, f, clock.now())


def test_case_list_names_a_bad_channel_too(cases, clock):
    desk, _ = cases
    with pytest.raises(InputError, match="unknown channel 'pigeon'"):
        queue.list_cases(desk.session, clock.now(), channel="pigeon")


@pytest.mark.parametrize("column", queue.QUEUE_COLUMNS)
@pytest.mark.parametrize("descending", [True, False])
def test_pages_from_either_end_and_row_of_agree(cases, clock, column, descending):
    desk, ids = cases
    s, now, order, f = desk.session, clock.now(), queue.QueueOrder(column, descending), CaseFilter()
    total = queue.count(s, f, now)
    forward = queue.page(s, f, order, 0, total, now).ids.tolist()
    assert sorted(forward) == sorted(ids.values())
    for offset in range(total):
        from_end = queue.page(s, f, order, offset, 2, now, total=total)
        assert from_end.offset == offset and from_end.ids.tolist() == forward[offset : offset + 2]
    assert [queue.row_of(s, f, order, i, now) for i in forward] == list(range(total))
    assert queue.row_of(s, CaseFilter(channel="media"), order, forward[0], now) is None


def test_queue_refuses_a_bad_page_or_column(cases, clock):
    desk, _ = cases
    with pytest.raises(InputError, match="offset >= 0 and limit > 0"):
        queue.page(desk.session, CaseFilter(), queue.QueueOrder(), 0, 0, clock.now())
    with pytest.raises(InputError, match="cannot sort by 'colour'"):
        queue.page(desk.session, CaseFilter(), queue.QueueOrder("colour"), 0, 5, clock.now())


def test_lookups_name_what_the_queue_shows(cases):
    desk, _ = cases
    found = queue.lookups(desk.session)
    assert found.districts == {"230102": "道里区", "230103": "南岗区"}
    assert found.type_name("event", "06010") and found.type_name("component", "01001")
    assert queue.types_in_use(desk.session) == ("component:01001", "event:06010", "event:09009")
    assert queue.departments(desk.session)[0] == ("enforcement", "城管执法局")


def test_a_case_detail_says_who_may_act_and_why_not(cases):
    desk, ids = cases
    detail = case_detail(desk, ids["nangang"], OP)
    assert (detail.district_name, detail.department_name, detail.street_name) == (
        "南岗区",
        "城管执法局",
        "花园街道",
    )
    assert detail.my_actions and set(detail.my_actions) <= {o.action for o in detail.next_actions}
    assert [t.action for t in detail.timeline] == ["report"]
    elsewhere = case_detail(desk, ids["nangang"], Actor.of("operator", "op-daoli", district="230102"))
    assert elsewhere.my_actions == () and "acts for district 230102" in elsewhere.scope_note
    assert case_detail(desk, 10**9, OP) is None


def test_the_intake_forms_references_component_and_duplicates(cases):
    desk, ids = cases
    ref = intake.references(desk.session)
    by_code = {t.code: t for t in ref.event_types}
    assert "06010" in by_code and ref.names["230103"] == "南岗区" and ref.names["water_supply"] == "供水集团"
    assert ref.router.locate(X0 + 50, Y0 + 250).district == "230103"
    option = intake.component_option(desk.session, COMPONENT_LEGACY, 12.5)
    assert (option.id, option.owner_code, option.owner_name, option.distance_m) == (
        COMPONENT,
        "water_supply",
        "供水集团",
        12.5,
    )
    assert intake.component_option(desk.session, COMPONENT) == dataclasses.replace(option, distance_m=0.0)
    assert intake.component_option(desk.session, "nothing") is None
    found = intake.duplicate_candidates(desk, "06010", X0 + 60, Y0 + 50, "230102001001001")
    assert [d.id for d in found] == [ids["daoli"]] and found[0].distance_m == 10.0
    assert found[0].text == "垃圾 100% 暴露"


def test_the_asset_control_reads_the_commands_own_scope(cases):
    desk, _ = cases
    s = desk.session
    mine = assets.asset_state(s, "component", COMPONENT, Actor.of("dispatcher"))
    assert (mine.status, mine.district, mine.refusal) == ("intact", "230102", "")
    theirs = assets.asset_state(s, "component", COMPONENT, Actor.of("operator", "op-ng", district="230103"))
    assert theirs.status == "intact" and "acts for district 230103" in theirs.refusal
    assert assets.asset_state(s, "camera", "no-such-camera", Actor.of("dispatcher")) is None
    assert assets.component_states(s, [COMPONENT, "nothing", COMPONENT]) == {COMPONENT: "intact"}
    assert assets.component_states(s, []) == {}
    with pytest.raises(InputError, match="unknown asset kind 'hydrant'"):
        assets.asset_state(s, "hydrant", "x", Actor.of("dispatcher"))


def test_the_dashboard_recounts_today_as_a_full_count_would(cases, clock):
    desk, _ = cases
    s = desk.session
    kept = daily_trends(s, now=clock.now(), days=30)
    assert kept.open[-1] == 4 and sum(sum(v) for v in kept.intake.values()) == 4
    clock.advance(minutes=3)
    desk.report(OP, x=X0 + 150, y=Y0 + 350, channel="internet", type_code="09009")
    now = clock.now()
    assert recount_last_day(s, kept, now) == daily_trends(s, now=now, days=30)
    figures = dashboard_figures(s, recount_last_day(s, kept, now), now)
    assert figures.open[-1] == 5 and figures.intake["internet"][-1] == 1 and figures.as_of == now
    assert (figures.first, figures.last) == (now.date() - dt.timedelta(days=29), now.date())
    assert figures.grades[0][1] == "A"
    scores = [r.score for r in figures.districts]
    assert scores == sorted(scores, reverse=True) and {r.key for r in figures.districts} == {
        "230102",
        "230103",
    }
