"""The Open311 rules without HTTP: API keys kept hashed and journaled, what a public description hides,
the GET filters' checks (modes/common/app_keys.py, modes/everyday/open311.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.errors import InputError
from data.models import JournalEvent, Role
from data.open311_models import Open311App
from modes.common import app_keys, auth
from modes.everyday import open311


def test_a_key_is_shown_once_kept_hashed_and_revoked_for_good(tiny_city, clock):
    doc, key = app_keys.new_key(tiny_city, clock, "fixit")
    assert doc["app"] == "fixit" and doc["revoked_at"] is None and doc["key_hint"] == key[:6]
    row = tiny_city.scalar(select(Open311App))
    assert row.key_hash == app_keys.key_hash(key) and key not in (row.key_hash, row.key_hint * 2)
    actor = app_keys.app_actor(tiny_city, key)
    assert (actor.name, actor.role, actor.login, actor.district) == ("open311:fixit", Role.APP, None, None)
    with pytest.raises(InputError, match="already has a key"):
        app_keys.new_key(tiny_city, clock, "fixit")
    app_keys.revoke_key(tiny_city, clock, "fixit")
    with pytest.raises(app_keys.KeyRefused, match="revoked"):
        app_keys.app_actor(tiny_city, key)
    with pytest.raises(app_keys.KeyRefused, match="not a valid key"):
        app_keys.app_actor(tiny_city, key[:-1] + ("A" if key[-1] != "A" else "B"))
    with pytest.raises(app_keys.KeyRefused, match="required"):
        app_keys.app_actor(tiny_city, "")
    events = tiny_city.scalars(select(JournalEvent).where(JournalEvent.subject == "open311-app:fixit")).all()
    assert [e.kind for e in events] == ["open311.key_created", "open311.key_revoked"]
    assert all(key not in str(e.payload) and row.key_hash not in str(e.payload) for e in events)


@pytest.mark.parametrize("name", ["", "A", "has space", "x" * 33, "-lead"])
def test_app_names_are_checked(tiny_city, clock, name):
    with pytest.raises(InputError, match="app name"):
        app_keys.new_key(tiny_city, clock, name)


def test_an_app_is_no_person_on_the_staff_list(tiny_city, clock):
    with pytest.raises(InputError, match="not a person on the staff list"):
        auth.add_staff(tiny_city, clock, "some-app", "app")


@pytest.mark.parametrize(
    "text,public",
    [
        ("电话13812345678", "电话[***]"),
        ("call +86 138 1234 5678 now", "call [***] now"),
        ("座机0451-86001234", "座机[***]"),
        ("mail a.b@example.org", "mail [***]"),
        ("身份证230102199001011234", "身份证[***]"),
        ("路灯不亮，第3根电杆，编号12319", "路灯不亮，第3根电杆，编号12319"),
    ],
)
def test_a_public_description_hides_phone_numbers_ids_and_mail(text, public):
    assert open311.redact(text) == public


def test_filters_default_and_refuse_clearly():
    flt = open311.parse_filter({})
    assert (flt.ids, flt.statuses, flt.page, flt.page_size) == ((), (), 1, open311.MAX_RESULTS)
    flt = open311.parse_filter({"start_date": "2026-03-01T00:00:00Z", "status": "open,closed,open"})
    assert flt.start == dt.datetime(2026, 3, 1, 8, 0) and flt.statuses == ("closed", "open")
    assert open311.RequestFilter.from_args(flt.as_args()) == flt
    with pytest.raises(InputError, match="start_date is after end_date"):
        open311.parse_filter({"start_date": "2026-03-02", "end_date": "2026-03-01"})
    with pytest.raises(InputError, match="at most 1000 service_request_id"):
        open311.parse_filter({"service_request_id": ",".join(str(i) for i in range(1001))})


def test_services_carry_both_names(tiny_city):
    services = open311.load_services(tiny_city)
    rubbish = services["event-06010"]
    assert (rubbish.name("zh"), rubbish.name("en"), rubbish.group_zh) == (
        "暴露垃圾",
        "Exposed rubbish",
        "市容环境类",
    )
    assert services["component-01001"].as_doc("en")["service_name"] == "Water supply manhole cover"
    assert open311.service_definition(services, "event-00000") is None
