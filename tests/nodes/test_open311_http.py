"""The Open311 GeoReport v2 gateway as a real process: ``python main.py open311 serve`` on 127.0.0.1,
asked over real HTTP (httpx, and the third-party ``georeport`` client), against a seeded small city in
SQLite, one in PostgreSQL, and through a running centre node (``--connect``).

The city's clock is fixed (``SANWEI_CLOCK``) for the seed's history, the server and the figures the test
recounts, so the status page's numbers can be compared with the KPI functions exactly.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import HOST, NodeProcess, free_base, wait_until

REPO = Path(__file__).resolve().parents[2]
CLOCK = dt.datetime(2026, 3, 20, 10, 0)
HISTORY_END = dt.date(2026, 3, 19)
API = "/open311/v2"
CALLER_PHONE = "13900001111"
CALLER_NAME = "王小明"
EXERCISE_ID = 77
# A point in the small demo city (道里区) and one far outside it (Beijing).
INSIDE = (45.7183, 126.6402)
OUTSIDE = (39.9, 116.4)


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ, PYTHONPATH=str(REPO), SANWEI_CLOCK=CLOCK.isoformat(), SANWEI_PASSWORD="sanwei-demo")
    e.update(extra)
    return e


def main(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True, env=env(), cwd=REPO,
        timeout=300,
    )  # fmt: skip
    if check and done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}: {done.stderr}")
    return done


def seed(url: str) -> None:
    """The small demo city with six days of history, a hotline report carrying the caller's name and
    phone (through the command line, as an operator takes it), and an exercise's case."""
    from data.db import open_database, session_factory
    from data.demo_city import seed_city
    from modes.common.actor import Actor
    from modes.common.clock import FixedClock
    from modes.everyday.cases import CaseDesk
    from modes.everyday.history import generate_history

    engine = open_database(url)
    Session = session_factory(engine)
    with Session() as s, s.begin():
        seed_city(s, scale="small", seed=3)
    with Session() as s, s.begin():
        generate_history(s, days=6, seed=3, end=HISTORY_END)
    with Session() as s, s.begin():
        x, y = _city_xy(s, *INSIDE)
        CaseDesk(s, FixedClock(CLOCK)).report(
            Actor.of("operator", "drill_operator"), x=x + 40, y=y, channel="hotline", type_code="07001",
            text="exercise inject", exercise_id=EXERCISE_ID,
        )  # fmt: skip
    engine.dispose()
    main("report", "--x", str(INSIDE[1]), "--y", str(INSIDE[0] + 0.002), "--lonlat", "--type", "09005",
         "--channel", "hotline", "--text", f"来电人{CALLER_NAME}，电话{CALLER_PHONE}", "--as", "city_operator",
         "--db", url)  # fmt: skip


def _city_xy(session, lat: float, lon: float) -> tuple[float, float]:
    from data.city import city_crs
    from data.geometry import WGS84, transformer

    (x,), (y,) = transformer(WGS84, city_crs(session)).transform([lon], [lat])
    return x, y


@pytest.fixture(scope="module")
def city_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("open311") / "city.db"
    seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def api_key(city_file) -> str:
    doc = _json(
        main("open311", "key", "new", "citizen-app", "--json", "--db", f"sqlite:///{city_file}").stdout
    )
    assert set(doc) == {"app", "api_key"} and doc["app"] == "citizen-app" and len(doc["api_key"]) >= 40
    return doc["api_key"]


def _json(text: str):
    import json

    return json.loads(text)


class Gateway(NodeProcess):
    def __init__(self, args: list[str], port: int) -> None:
        self.port = port
        self.url = f"http://{HOST}:{port}"
        super().__init__(["open311", "serve", "--bind", f"{HOST}:{port}", *args], env())

    def ready(self) -> bool:
        """Waits for the ready line; False when the port was taken meanwhile (the caller tries another)."""

        def seen():
            if self.proc.poll() is not None:
                return "exited"
            return any(e.get("event") == "ready" for e in self.events)

        state = wait_until(seen, 60, "the gateway's ready line")
        if state == "exited":
            if any("cannot listen" in line for line in self.raw):
                return False
            raise AssertionError(f"gateway exited {self.proc.returncode}: {''.join(self.raw[-20:])}")
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gateways() -> Iterator[Callable[..., Gateway]]:
    started: list[Gateway] = []

    def start(*args: str) -> Gateway:
        for _ in range(5):
            gw = Gateway(list(args), free_port())
            started.append(gw)
            if gw.ready():
                return gw
        raise AssertionError("no free port for the gateway in 5 tries")

    yield start
    for gw in started:
        assert gw.terminate() in (0, None) or gw.proc.returncode == 0


@pytest.fixture(scope="module")
def server(city_file, api_key, gateways) -> Gateway:
    return gateways("--db", f"sqlite:///{city_file}", "--key-rate", "1000", "--key-burst", "1000",
                    "--read-rate", "0", "--status-ttl", "0.5")  # fmt: skip


@pytest.fixture
def http(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + API, timeout=20) as client:
        yield client


def post(http: httpx.Client, fmt: str = "json", **fields) -> httpx.Response:
    return http.post(f"/requests.{fmt}", data=fields)


def xml_items(response: httpx.Response, item: str) -> list[dict[str, str]]:
    root = ET.fromstring(response.content)
    return [{child.tag: child.text for child in el} for el in root.iter(item)]


# --- the endpoints ---------------------------------------------------------------------------------------


def test_discovery_names_the_spec_and_both_formats(http, server):
    doc = http.get("/discovery.json").json()
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == server.url + API
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    xml = http.get("/discovery.xml")
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "discovery" and [f.text for f in root.iter("format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_the_reportable_types_in_both_languages(http):
    zh = http.get("/services.json").json()
    en = http.get("/services.json", params={"lang": "en"}).json()
    codes = [s["service_code"] for s in zh]
    assert "event-06010" in codes and "component-01037" in codes and len(codes) == len(set(codes)) > 50
    rubbish_zh = next(s for s in zh if s["service_code"] == "event-06010")
    rubbish_en = next(s for s in en if s["service_code"] == "event-06010")
    assert rubbish_zh["service_name"] == "暴露垃圾" and rubbish_en["service_name"] == "Exposed rubbish"
    assert rubbish_zh["description"] == "暴露垃圾 / Exposed rubbish"
    assert rubbish_zh["metadata"] is False and rubbish_zh["type"] == "realtime"
    items = xml_items(http.get("/services.xml"), "service")
    assert [i["service_code"] for i in items] == codes and items[0]["metadata"] == "false"


def test_a_service_definition_and_an_unknown_code(http):
    assert http.get("/services/event-06010.json").json() == {"service_code": "event-06010", "attributes": []}
    root = ET.fromstring(http.get("/services/component-01037.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "component-01037"
    missing = http.get("/services/event-99999.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404 and "event-99999" in missing.json()[0]["description"]
    bad = http.get("/services/event-99999.xml")
    assert bad.status_code == 404 and ET.fromstring(bad.content).findtext("error/code") == "404"


def test_a_post_becomes_an_internet_case_of_the_app(http, api_key, city_file):
    lat, lon = INSIDE
    r = post(http, api_key=api_key, service_code="event-10002", lat=lat, long=lon,
             description="楼道口堆满杂物", first_name="Li", last_name="Lei", email="li@example.org",
             phone="13512345678", device_id="dev-1", media_url="https://photos.example.org/1.jpg")  # fmt: skip
    assert r.status_code == 201, r.text
    (doc,) = r.json()
    assert set(doc) == {"service_request_id", "token", "service_notice", "account_id"}
    case_id = int(doc["service_request_id"])
    shown = _json(main("case", "show", str(case_id), "--json", "--db", f"sqlite:///{city_file}").stdout)
    assert shown["channel"] == "internet" and shown["type"] == "10002" and shown["state"] == "reported"
    assert shown["reporter"] == "open311:citizen-app"
    assert shown["history"][0]["actor"] == "open311:citizen-app" and shown["history"][0]["role"] == "app"
    assert shown["text"] == "楼道口堆满杂物"
    with sqlite3.connect(city_file) as db:
        (actor, payload), = db.execute(
            "SELECT actor, payload FROM journal WHERE kind = 'case.report' AND subject = ?", (f"case/{case_id}",)
        )  # fmt: skip
        stored = db.execute("SELECT * FROM open311_requests WHERE case_id = ?", (case_id,)).fetchall()
        dump = "\n".join(str(row) for row in db.execute("SELECT * FROM cases WHERE id = ?", (case_id,)))
    assert actor == "open311:citizen-app" and _json(payload)["channel"] == "internet"
    # The reporter's name, e-mail, phone and device are nowhere: not in the case, not in the journal.
    for personal in ("Lei", "li@example.org", "13512345678", "dev-1"):
        assert personal not in payload and personal not in dump and personal not in str(stored)
    assert stored[0][1:] == (
        "citizen-app",
        doc["token"],
        "event-10002",
        "",
        "https://photos.example.org/1.jpg",
    )
    # The request reads back with the citizen's description and photo, by id and by token.
    (mine,) = http.get(f"/requests/{case_id}.json").json()
    assert mine["description"] == "楼道口堆满杂物" and mine["media_url"] == "https://photos.example.org/1.jpg"
    assert mine["status"] == "open" and mine["service_code"] == "event-10002"
    assert abs(mine["lat"] - lat) < 1e-5 and abs(mine["long"] - lon) < 1e-5
    assert mine["requested_datetime"] == "2026-03-20T10:00:00+08:00"
    assert http.get(f"/tokens/{doc['token']}.json").json() == [
        {"service_request_id": str(case_id), "token": doc["token"]}
    ]
    (tok,) = xml_items(http.get(f"/tokens/{doc['token']}.xml"), "request")
    assert tok == {"service_request_id": str(case_id), "token": doc["token"]}


def test_a_repeat_at_the_same_spot_links_as_a_duplicate(http, api_key, city_file):
    lat, lon = INSIDE[0] - 0.003, INSIDE[1] + 0.001
    (first,) = post(http, api_key=api_key, service_code="event-06010", lat=lat, long=lon).json()
    r = post(http, "xml", api_key=api_key, service_code="event-06010", lat=lat, long=lon + 0.0001)
    assert r.status_code == 201
    (second,) = xml_items(r, "request")
    assert first["service_request_id"] in second["service_notice"]
    shown = _json(
        main("case", "show", second["service_request_id"], "--json", "--db", f"sqlite:///{city_file}").stdout
    )
    assert shown["state"] == "merged" and shown["duplicate_of"] == int(first["service_request_id"])
    (dup,) = http.get(f"/requests/{second['service_request_id']}.json").json()
    assert dup["status"] == "open" and first["service_request_id"] in dup["status_notes"]


def test_a_component_service_is_reported_against_the_nearest_component(http, api_key, city_file):
    with sqlite3.connect(city_file) as db:
        comp_id, x, y = db.execute(
            "SELECT id, x, y FROM components WHERE type_code = '01037' LIMIT 1"
        ).fetchone()
    from data.geometry import HARBIN_CRS, WGS84, transformer

    (lon,), (lat,) = transformer(HARBIN_CRS, WGS84).transform([x + 3], [y + 3])
    (doc,) = post(http, api_key=api_key, service_code="component-01037", lat=lat, long=lon).json()
    shown = _json(
        main("case", "show", doc["service_request_id"], "--json", "--db", f"sqlite:///{city_file}").stdout
    )
    assert shown["kind"] == "component" and shown["component"] == comp_id and shown["channel"] == "internet"


@pytest.mark.parametrize(
    "fields,status,words",
    [
        ({"service_code": "event-06010"}, 400, "lat and long are required"),
        ({"service_code": "event-99999", "lat": INSIDE[0], "long": INSIDE[1]}, 400, "not a service"),
        ({"lat": INSIDE[0], "long": INSIDE[1]}, 400, "service_code is required"),
        ({"service_code": "event-06010", "lat": OUTSIDE[0], "long": OUTSIDE[1]}, 400, "outside the city"),
        ({"service_code": "event-06010", "lat": 95, "long": INSIDE[1]}, 400, "not a lat"),
        ({"service_code": "event-06010", "lat": "north", "long": INSIDE[1]}, 400, "must be a number"),
        ({"service_code": "event-06010", "lat": INSIDE[0], "long": INSIDE[1], "media_url": "file:///etc/passwd"},
         400, "media_url"),
    ],
    ids=["no point", "unknown service", "no service", "outside the city", "lat out of range", "lat not a number",
         "media not http"],
)  # fmt: skip
def test_bad_reports_are_refused_in_the_spec_form(http, api_key, city_file, fields, status, words):
    before = _case_count(city_file)
    for fmt in ("json", "xml"):
        r = post(http, fmt, api_key=api_key, **fields)
        assert r.status_code == status
        if fmt == "json":
            (err,) = r.json()
            assert err["code"] == status and words in err["description"]
        else:
            assert ET.fromstring(r.content).findtext("error/code") == str(status)
    assert _case_count(city_file) == before


def _case_count(city_file: Path) -> int:
    with sqlite3.connect(city_file) as db:
        return db.execute("SELECT count(*) FROM cases").fetchone()[0]


def test_a_missing_wrong_or_revoked_key_is_refused(http, city_file):
    lat, lon = INSIDE
    fields = {"service_code": "event-06010", "lat": lat, "long": lon}
    before = _case_count(city_file)
    missing = post(http, **fields)
    assert missing.status_code == 403 and "api_key" in missing.json()[0]["description"]
    wrong = post(http, api_key="x" * 43, **fields)
    assert wrong.status_code == 403 and wrong.json() == [
        {"code": 403, "description": "api_key: not a valid key"}
    ]
    key = _json(main("open311", "key", "new", "old-app", "--json", "--db", f"sqlite:///{city_file}").stdout)[
        "api_key"
    ]
    assert post(http, api_key=key, **fields).status_code == 201
    main("open311", "key", "revoke", "old-app", "--db", f"sqlite:///{city_file}")
    revoked = post(http, api_key=key, **fields)
    assert revoked.status_code == 403 and "revoked" in revoked.json()[0]["description"]
    assert _case_count(city_file) == before + 1
    listed = _json(main("open311", "key", "list", "--json", "--db", f"sqlite:///{city_file}").stdout)["apps"]
    old = next(a for a in listed if a["app"] == "old-app")
    assert old["revoked_at"] and key not in str(listed) and old["key_hint"] == key[:6]
    with sqlite3.connect(city_file) as db:
        kinds = [
            k
            for (k,) in db.execute(
                "SELECT kind FROM journal WHERE subject = 'open311-app:old-app' ORDER BY seq"
            )
        ]
        stored = db.execute("SELECT key_hash FROM open311_apps WHERE app = 'old-app'").fetchone()[0]
    assert kinds == ["open311.key_created", "open311.key_revoked"] and stored != key and len(stored) == 64


def test_too_large_a_body_is_413(http, api_key, city_file):
    before = _case_count(city_file)
    lat, lon = INSIDE
    r = post(http, api_key=api_key, service_code="event-06010", lat=lat, long=lon, description="x" * 20_000)
    assert r.status_code == 413 and r.json()[0]["code"] == 413
    # Chunked, without a length: cut off as it streams.
    r = http.post("/requests.json", content=iter([b"api_key=" + api_key.encode()] + [b"a" * 4096] * 8),
                  headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 413
    assert _case_count(city_file) == before


def test_a_key_over_its_rate_gets_429_with_retry_after(city_file, api_key, gateways):
    slow = gateways(
        "--db", f"sqlite:///{city_file}", "--key-rate", "0.2", "--key-burst", "2", "--read-rate", "0"
    )
    lat, lon = INSIDE
    with httpx.Client(base_url=slow.url + API, timeout=20) as client:
        codes = [
            post(
                client, api_key=api_key, service_code="event-09009", lat=lat + i * 0.0004, long=lon
            ).status_code
            for i in range(3)
        ]
        assert codes == [201, 201, 429]
        r = post(client, api_key=api_key, service_code="event-09009", lat=lat, long=lon)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()[0]["code"] == 429 and "api_key" in r.json()[0]["description"]
        # Another key has its own bucket.
        other = post(client, api_key="y" * 43, service_code="event-09009", lat=lat, long=lon)
        assert other.status_code == 403


def test_reads_over_the_address_limit_get_429(city_file, gateways):
    limited = gateways("--db", f"sqlite:///{city_file}", "--read-rate", "0.1", "--read-burst", "3")
    with httpx.Client(base_url=limited.url + API, timeout=20) as client:
        codes = [client.get("/services.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- GET requests ------------------------------------------------------------------------------------------


def test_requests_default_to_the_last_90_days_newest_first(http):
    rows = http.get("/requests.json", params={"page_size": 50}).json()
    assert len(rows) == 50
    times = [r["requested_datetime"] for r in rows]
    assert times == sorted(times, reverse=True)
    assert all(r["status"] in ("open", "closed") for r in rows)
    keys = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
            "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
            "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}  # fmt: skip
    assert all(set(r) == keys for r in rows)
    everything = http.get("/requests.json").json()
    assert len(everything) == 1000  # the spec's cap (the city has more)
    assert everything[:50] == rows


def test_request_filters(http):
    rows = http.get("/requests.json", params={"page_size": 200}).json()
    ids = [r["service_request_id"] for r in rows[:3]]
    picked = http.get("/requests.json", params={"service_request_id": ",".join(ids)}).json()
    assert sorted(r["service_request_id"] for r in picked) == sorted(ids)
    closed = http.get("/requests.json", params={"status": "closed", "page_size": 100}).json()
    assert (
        closed
        and all(r["status"] == "closed" for r in closed)
        and all(r["expected_datetime"] is None for r in closed)
    )
    opened = http.get("/requests.json", params={"status": "open", "page_size": 100}).json()
    assert opened and all(r["status"] == "open" for r in opened)
    rubbish = http.get("/requests.json", params={"service_code": "event-06010,event-09009"}).json()
    assert rubbish and {r["service_code"] for r in rubbish} <= {"event-06010", "event-09009"}
    day = http.get("/requests.json", params={"start_date": "2026-03-18T00:00:00+08:00",
                                             "end_date": "2026-03-18T23:59:59+08:00"}).json()  # fmt: skip
    assert day and all(r["requested_datetime"].startswith("2026-03-18") for r in day)
    utc = http.get(
        "/requests.json", params={"start_date": "2026-03-17T16:00:00Z", "end_date": "2026-03-18T15:59:59Z"}
    ).json()
    assert utc == day
    (page2_first,) = http.get("/requests.json", params={"page_size": 1, "page": 2}).json()
    assert page2_first == rows[1]
    xml_rows = xml_items(http.get("/requests.xml", params={"page_size": 5}), "request")
    assert [r["service_request_id"] for r in xml_rows] == [r["service_request_id"] for r in rows[:5]]


@pytest.mark.parametrize(
    "params,words",
    [
        ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}, "at most 90 days"),
        ({"start_date": "yesterday"}, "start_date must be a date-time"),
        ({"status": "pending"}, "status is open or closed"),
        ({"service_request_id": "12,abc"}, "not a request number"),
        ({"service_code": "06010"}, "event-CODE"),
        ({"page_size": "5000"}, "page_size must be between 1 and 1000"),
        ({"lang": "fr"}, "lang is zh or en"),
    ],
)
def test_bad_filters_are_400(http, params, words):
    r = http.get("/requests.json", params=params)
    assert r.status_code == 400 and words in r.json()[0]["description"]


def test_a_request_that_does_not_exist_is_404(http):
    for path in ("/requests/99999999.json", "/requests/abc.json", "/tokens/feedbeef.json"):
        r = http.get(path)
        assert r.status_code == 404 and r.json()[0]["code"] == 404
    assert http.get("/requests.json", params={"jurisdiction_id": "beijing"}).status_code == 404
    assert http.get("/requests.json", params={"jurisdiction_id": "harbin", "page_size": 1}).status_code == 200


def test_gets_hold_no_personal_data(http, city_file):
    with sqlite3.connect(city_file) as db:
        hotline_id = db.execute(
            "SELECT id FROM cases WHERE description LIKE ?", (f"%{CALLER_PHONE}%",)
        ).fetchone()[0]
        staff = {n for (n,) in db.execute("SELECT name FROM staff")} | {
            login for (login,) in db.execute("SELECT login FROM staff")
        }
        supervisors = {n for (n,) in db.execute("SELECT name FROM supervisors")}
        reporters = {r for (r,) in db.execute("SELECT DISTINCT reporter FROM cases")}
        notes = {
            n
            for (n,) in db.execute(
                "SELECT DISTINCT note FROM case_history WHERE note != '' AND action != 'report'"
            )
        }
    (hotline,) = http.get(f"/requests/{hotline_id}.json").json()
    assert hotline["description"] is None and hotline["status"] == "open"
    bodies = [
        http.get("/requests.json").text,
        http.get("/requests.xml").text,
        http.get(f"/requests/{hotline_id}.xml").text,
        http.get("/requests.json", params={"status": "closed"}).text,
    ]
    names = {n for n in staff | supervisors | reporters if len(n) >= 2}
    assert names and notes
    for body in bodies:
        assert CALLER_PHONE not in body and CALLER_NAME not in body
        assert not [n for n in names if n in body]
        assert not [n for n in notes if len(n) > 6 and n in body]


def test_a_citizen_s_own_phone_number_is_blanked_in_the_public_description(http, api_key):
    lat, lon = INSIDE[0] + 0.004, INSIDE[1] - 0.002
    text = "井盖丢了，有事打我13712345678或 me@example.org"
    (doc,) = post(
        http, api_key=api_key, service_code="event-06012", lat=lat, long=lon, description=text
    ).json()
    (mine,) = http.get(f"/requests/{doc['service_request_id']}.json").json()
    assert mine["description"] == "井盖丢了，有事打我[***]或 [***]"


def test_exercise_cases_never_appear(http, city_file):
    with sqlite3.connect(city_file) as db:
        (exercise_case,) = db.execute("SELECT id FROM cases WHERE exercise_id = ?", (EXERCISE_ID,)).fetchone()
    assert http.get(f"/requests/{exercise_case}.json").status_code == 404
    listed = http.get("/requests.json", params={"service_request_id": str(exercise_case)}).json()
    assert listed == []
    assert str(exercise_case) not in {r["service_request_id"] for r in http.get("/requests.json").json()}


# --- the status page ---------------------------------------------------------------------------------------


def test_the_status_page_agrees_with_the_kpis(server, city_file):
    from data.db import open_database, session_factory
    from modes.everyday.evaluation import evaluate
    from modes.everyday.public_status import public_status

    page = httpx.get(server.url + "/", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for section in (
        'id="month"',
        'id="departments"',
        'id="districts"',
        'id="stalls"',
        'id="map"',
        'id="refreshed"',
    ):
        assert section in html
    for words in (
        "本月案件",
        "Cases this month",
        "按期结案率",
        "On time",
        "Where cases stall",
        "<svg",
        "<time>",
    ):
        assert words in html
    assert "<script" not in html and "http://" not in html.split("<svg", 1)[0].replace('content="', "")
    engine = open_database(f"sqlite:///{city_file}")
    with session_factory(engine)() as s:
        doc = public_status(s, CLOCK)
        kpi = evaluate(s, by="department", start="2026-03-01", end="2026-03-20", now=CLOCK)
    engine.dispose()
    assert f"<time>{CLOCK:%Y-%m-%d %H:%M:%S}</time>" in html
    by_key = {r["key"]: r for r in kpi["rows"]}
    assert {r["key"] for r in doc["departments"]} == set(by_key)
    for row in doc["departments"]:
        k = by_key[row["key"]]
        assert (row["on_time_rate"], row["closure_rate"], row["grade"], row["score"]) == (
            k["on_time_rate"], k["closure_rate"], k["grade"], k["score"])  # fmt: skip
        on_time = "–" if k["on_time_rate"] is None else f"{k['on_time_rate'] * 100:.1f}%"
        assert f"{row['name']} <small>{row['name_en'] or row['key']}</small></td><td>{on_time}</td>" in html
    assert (
        doc["month"]["total"] == _month_cases(city_file, real=True) == _month_cases(city_file, real=False) - 1
    )
    assert f"<td><b>{doc['month']['total']}</b></td></tr></table>" in html
    assert doc["map"]["open"] > 0 and doc["stalls"][0]["key"] == "city"


def _month_cases(city_file: Path, *, real: bool) -> int:
    """Cases reported this month up to the clock, counted here in plain SQL (real ones, or all)."""
    real_only = " AND exercise_id IS NULL" if real else ""
    with sqlite3.connect(city_file) as db:
        return db.execute(
            f"SELECT count(*) FROM cases WHERE reported_at >= '2026-03-01' AND reported_at < '2026-03-21'{real_only}"
        ).fetchone()[0]


# --- a third-party client ----------------------------------------------------------------------------------


def test_the_georeport_client_reads_services_and_requests(server, http):
    from georeport import GeoReport

    for fmt in ("json", "xml"):
        client = GeoReport(server.url + API, output_format=fmt)
        services = client.get_service_list()
        assert any(s["service_code"] == "event-06010" for s in services)
        definition = client.get_service_definition("event-06010")
        assert definition["service_code"] == "event-06010"
        requests = client.get_service_requests(status="closed", service_code="event-06010,event-09009")
        assert requests and all(r["status"] == "closed" for r in requests)
        one = client.get_service_request(requests[0]["service_request_id"])
        assert one["service_request_id"] == requests[0]["service_request_id"]


# --- PostgreSQL, and through a centre node ------------------------------------------------------------------


@pytest.fixture
def own_pg_url() -> Iterator[str]:
    """A PostgreSQL schema of this test's own: the city it seeds and commits must not be in the schema
    the other tests share (theirs roll back)."""
    from tests.conftest import fresh_pg_schema

    yield from fresh_pg_schema("o311")


@pytest.mark.pg
def test_the_gateway_on_postgresql(own_pg_url, gateways, tmp_path):
    pg_url = own_pg_url
    from data.db import open_database, session_factory
    from data.demo_city import seed_city

    engine = open_database(pg_url)
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=3)
    engine.dispose()
    key = _json(main("open311", "key", "new", "pg-app", "--json", "--db", pg_url).stdout)["api_key"]
    gw = gateways("--db", pg_url, "--read-rate", "0")
    with httpx.Client(base_url=gw.url + API, timeout=20) as client:
        lat, lon = INSIDE
        (doc,) = post(client, api_key=key, service_code="event-06010", lat=lat, long=lon).json()
        (dup,) = post(client, api_key=key, service_code="event-06010", lat=lat, long=lon).json()
        assert doc["service_request_id"] in dup["service_notice"]
        (back,) = xml_items(client.get(f"/requests/{doc['service_request_id']}.xml"), "request")
        assert back["status"] == "open" and back["service_code"] == "event-06010"
        assert client.get("/requests.json", params={"service_code": "event-06010"}).json()[0]["service_request_id"] in (
            doc["service_request_id"], dup["service_request_id"])  # fmt: skip
        assert (
            post(client, api_key="z" * 43, service_code="event-06010", lat=lat, long=lon).status_code == 403
        )
    assert 'id="departments"' in httpx.get(gw.url + "/", timeout=30).text
    shown = _json(main("case", "show", doc["service_request_id"], "--json", "--db", pg_url).stdout)
    assert shown["channel"] == "internet" and shown["reporter"] == "open311:pg-app"


def test_the_gateway_through_a_centre_node(city_file, api_key, gateways, tmp_path):
    centre_db = tmp_path / "centre.db"
    shutil.copyfile(city_file, centre_db)
    base = free_base()
    centre = NodeProcess(["center", "--db", f"sqlite:///{centre_db}", "--bind", f"tcp://{HOST}:{base}",
                          "--heartbeat", "0.25"], env())  # fmt: skip
    try:
        wait_until(
            lambda: any(e.get("event") == "ready" for e in centre.events) or centre.proc.poll() is not None,
            60,
        )
        assert centre.proc.poll() is None, "".join(centre.raw[-20:])
        gw = gateways("--connect", f"tcp://{HOST}:{base}", "--read-rate", "0")
        with httpx.Client(base_url=gw.url + API, timeout=30) as client:
            lat, lon = INSIDE[0] + 0.006, INSIDE[1] + 0.003
            r = post(client, api_key=api_key, service_code="event-06013", lat=lat, long=lon)
            assert r.status_code == 201, r.text
            case_id = r.json()[0]["service_request_id"]
            assert (
                post(client, api_key="w" * 43, service_code="event-06013", lat=lat, long=lon).status_code
                == 403
            )
            bad = post(client, api_key=api_key, service_code="event-06013", lat=OUTSIDE[0], long=OUTSIDE[1])
            assert bad.status_code == 400 and "outside the city" in bad.json()[0]["description"]
            (back,) = client.get(f"/requests/{case_id}.json").json()
            assert back["service_code"] == "event-06013" and back["status"] == "open"
            token = r.json()[0]["token"]
            assert client.get(f"/tokens/{token}.xml").status_code == 200
            assert client.get("/services/event-06013.json").json()["service_code"] == "event-06013"
            assert len(client.get("/requests.json", params={"page_size": 10}).json()) == 10
        # An app's key lets it report and nothing else, whatever it sends to the node.
        from nodes.client import LinkClient, LinkRefused

        with LinkClient(f"tcp://{HOST}:{base}", None, heartbeat=0.25) as link:
            app = {"login": "open311-app", "token": api_key}
            with pytest.raises(LinkRefused, match="may send open311.report only"):
                link.call("case.act", {"id": int(case_id), "action": "send_verify"}, session=app)
        page = httpx.get(gw.url + "/", timeout=60)
        assert page.status_code == 200 and 'id="map"' in page.text
        with sqlite3.connect(centre_db) as db:
            (actor,) = db.execute(
                "SELECT actor FROM journal WHERE kind = 'case.report' AND subject = ?", (f"case/{case_id}",)
            ).fetchone()
        assert actor == "open311:citizen-app"
    finally:
        centre.terminate()


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_the_gateway_runs_on_uvloop_with_the_c_http_parser(server):
    # Both are dependencies: on the interpreter's own loop and h11, a POST's answer waited longer for the
    # interpreter the writer thread shares (BENCHMARKS.md, Open311).
    ready = next(e for e in server.events if e.get("event") == "ready")
    assert (ready["loop"], ready["http"]) == ("uvloop", "httptools")


def test_a_routing_import_on_the_database_routes_the_next_report_without_a_restart(http, api_key, city_file):
    # The gateway keeps its router for the life of the process; an import by the command line on the same
    # database bumps the city's reference version, and the next report is routed by the new table.
    def department(doc: dict) -> str:
        with sqlite3.connect(city_file) as db:
            (code,) = db.execute(
                "SELECT department_code FROM cases WHERE id = ?", (int(doc["service_request_id"]),)
            ).fetchone()
        return code

    lat, lon = INSIDE[0] + 0.004, INSIDE[1] - 0.004
    r = post(http, api_key=api_key, service_code="event-06013", lat=lat, long=lon)
    assert r.status_code == 201, r.text
    (before,) = r.json()
    with sqlite3.connect(city_file) as db:
        other = db.execute(
            "SELECT code FROM departments WHERE code != ? ORDER BY code LIMIT 1", (department(before),)
        ).fetchone()[0]
    table = city_file.parent / "routing-06013.csv"
    table.write_text(f"event_type,district,department\n06013,*,{other}\n", encoding="utf-8")
    main("import", "routing", str(table), "--db", f"sqlite:///{city_file}")
    # Far enough from the first not to be linked to it as a duplicate.
    r = post(http, api_key=api_key, service_code="event-06013", lat=lat - 0.003, long=lon + 0.006)
    assert r.status_code == 201, r.text
    (after,) = r.json()
    assert after["service_request_id"] != before["service_request_id"]
    assert department(after) == other != department(before)
