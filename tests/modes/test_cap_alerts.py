"""CAP 1.2 alerts of alarms and incidents on the tiny hand-built city, on SQLite and PostgreSQL: every
alert valid against the OASIS schema kept in the repository, its references (a raid updates the
pre-warning, the all-clear cancels both; an incident's level change updates its previous alert, its
closing cancels them all), an exercise's alerts of status Exercise, areas in WGS84 with latitude first,
inside the city, and the mapping of alarm kinds and incident levels of docs/cap.md."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
import xmlschema
from sqlalchemy import select

from data.civil_defence_models import AlarmKind
from data.emergency_models import IncidentLevel
from data.geometry import HARBIN_CRS, WGS84, transformer
from data.models import GridCell
from modes.bus import city_bus
from modes.civil_defence import alarms
from modes.civil_defence import cap_alerts as alarm_cap
from modes.common import cap
from modes.emergency import cap_alerts as incident_cap
from modes.emergency import incidents as inc
from modes.emergency.impact import ImpactIndex
from modes.emergency.incidents import Actor

from .conftest import X0, Y0

REPO = Path(__file__).resolve().parents[2]
SCHEMA = xmlschema.XMLSchema(str(REPO / "data" / "standards" / "cap" / "CAP-v1.2.xsd"))
NS = {"cap": cap.CAP_NS}
COMMANDER = Actor.of("commander", "王指挥")


@pytest.fixture(autouse=True)
def sources():
    city_bus()  # the modes register their alert sources with their commands


def _valid(alert: cap.CapAlert) -> ET.Element:
    body = alert.xml()
    SCHEMA.validate(body.decode("utf-8"))  # raises with the reason when it is not CAP 1.2
    return ET.fromstring(body)


def _text(root: ET.Element, path: str) -> list[str]:
    return [e.text or "" for e in root.findall(path, NS)]


def _alarm(session, clock, kind: str, districts=None, **kw) -> cap.CapAlert:
    issued = alarms.issue_alarm(session, clock, "civil_defence", kind, districts, actor="李人防", **kw)
    found = cap.alerts_of(session, f"alarm/{issued.alarm_id}")
    assert len(found) == 1
    return found[0]


def _to_city(lat: float, lon: float) -> shapely.Point:
    x, y = transformer(WGS84, HARBIN_CRS).transform(lon, lat)
    return shapely.Point(x, y)


def test_pre_raid_and_all_clear_are_an_alert_an_update_and_a_cancel(tiny_city, clock):
    pre = _alarm(tiny_city, clock, "pre")
    clock.advance(minutes=7)
    raid = _alarm(tiny_city, clock, "raid")
    clock.advance(minutes=30)
    clear = _alarm(tiny_city, clock, "clear")
    sender = cap.sender_of(tiny_city)
    assert sender == "sanwei-230100"
    roots = [_valid(a) for a in (pre, raid, clear)]
    assert [_text(r, "cap:msgType")[0] for r in roots] == ["Alert", "Update", "Cancel"]
    assert [_text(r, "cap:status")[0] for r in roots] == ["Actual"] * 3
    assert _text(roots[0], "cap:identifier") == [pre.identifier]
    assert pre.identifier.startswith(f"{sender}.alarm.")
    assert _text(roots[0], "cap:sent") == ["2026-03-02T09:00:00+08:00"]
    assert _text(roots[0], "cap:references") == []
    # The raid updates the pre-warning; the all-clear cancels the raid and the pre-warning before it.
    ref_pre = f"{sender},{pre.identifier},2026-03-02T09:00:00+08:00"
    ref_raid = f"{sender},{raid.identifier},2026-03-02T09:07:00+08:00"
    assert _text(roots[1], "cap:references") == [ref_pre]
    assert _text(roots[2], "cap:references") == [f"{ref_pre} {ref_raid}"]
    assert _text(roots[2], "cap:info/cap:responseType") == ["AllClear", "AllClear"]
    # One info in Chinese, one in English, both with an area per district.
    for r in roots:
        assert _text(r, "cap:info/cap:language") == ["zh-CN", "en-US"]
        assert _text(r, "cap:scope") == ["Public"]
        assert _text(r, "cap:info[1]/cap:area/cap:areaDesc") == ["道里区", "南岗区"]
        assert _text(r, "cap:info[2]/cap:area/cap:areaDesc") == ["Daoli", "Nangang"]
    # The same alert every time it is made: the identifier and bytes are stable.
    assert cap.alerts_of(tiny_city, clear.subject)[0].xml() == clear.xml()


def test_an_all_clear_cancels_only_what_stands_in_its_districts(tiny_city, clock):
    raid_a = _alarm(tiny_city, clock, "raid", "230102")
    clock.advance(minutes=1)
    raid_b = _alarm(tiny_city, clock, "raid", "230103")
    clock.advance(minutes=1)
    clear_a = _alarm(tiny_city, clock, "clear", "230102")
    assert clear_a.msg_type == "Cancel"
    assert [r.identifier for r in clear_a.references] == [raid_a.identifier]
    clock.advance(minutes=1)
    clear_all = _alarm(tiny_city, clock, "clear")
    assert [r.identifier for r in clear_all.references] == [raid_b.identifier]
    clock.advance(minutes=1)
    # Nothing standing any more: an all-clear alone is a plain Alert, and so is a new pre-warning.
    assert _alarm(tiny_city, clock, "clear").msg_type == "Alert"
    assert _alarm(tiny_city, clock, "pre", "230103").msg_type == "Alert"


def test_an_exercise_alarm_is_an_exercise_alert_kept_apart_from_real_ones(tiny_city, clock):
    real = _alarm(tiny_city, clock, "raid")
    clock.advance(minutes=1)
    drill = _alarm(tiny_city, clock, "raid", exercise_id=7)
    root = _valid(drill)
    assert _text(root, "cap:status") == ["Exercise"]
    assert "EXERCISE 7" in _text(root, "cap:note")[0]
    assert _text(root, "cap:info/cap:headline")[0].startswith("【演练】")
    assert _text(root, "cap:info/cap:headline")[1].startswith("EXERCISE: ")
    assert drill.msg_type == "Alert" and drill.references == ()  # it never updates the real raid
    clock.advance(minutes=1)
    drill_clear = _alarm(tiny_city, clock, "clear", exercise_id=7)
    assert [r.identifier for r in drill_clear.references] == [drill.identifier]
    assert drill_clear.status == "Exercise"
    clock.advance(minutes=1)
    real_clear = _alarm(tiny_city, clock, "clear")
    assert [r.identifier for r in real_clear.references] == [real.identifier]
    assert real_clear.status == "Actual"


def test_district_areas_are_wgs84_rings_latitude_first_inside_the_city(tiny_city, clock):
    alert = _alarm(tiny_city, clock, "raid")
    root = _valid(alert)
    areas = root.findall("cap:info[1]/cap:area", NS)
    # The tiny city's districts have no outline: each area is the union of its district's cells.
    assert [a.findtext("cap:areaDesc", namespaces=NS) for a in areas] == ["道里区", "南岗区"]
    for area, code in zip(areas, ("230102", "230103"), strict=True):
        [text] = _text(area, "cap:polygon")
        pairs = [tuple(map(float, p.split(","))) for p in text.split()]
        assert len(pairs) >= 4 and pairs[0] == pairs[-1]  # a closed ring
        lats, lons = np.array(pairs).T
        # Latitude first: Harbin is near 45.7 N, 126 E.
        assert np.all((45 < lats) & (lats < 46.5)) and np.all((125.5 < lons) & (lons < 127))
        back = shapely.Polygon([_to_city(lat, lon) for lat, lon in pairs])
        assert back.is_valid
        cells = shapely.union_all(
            list(tiny_city.scalars(select(GridCell.geometry).where(GridCell.code.startswith(code))))
        )
        # The district's cells, to within a metre of rounding.
        assert back.buffer(1).contains(cells) and cells.buffer(1).contains(back)


def test_large_polygons_are_simplified_within_bounds_and_stay_valid():
    # A 2,000-point wiggly ring around a 5 km disc: far too many points for a CAP receiver.
    t = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    r = 5000 + 30 * np.sin(t * 97)
    ring = shapely.Polygon(np.column_stack([X0 + r * np.cos(t), Y0 + r * np.sin(t)]))
    [small] = cap.simplified(ring)
    assert small.is_valid and len(small.exterior.coords) <= cap.MAX_POINTS
    assert small.hausdorff_distance(ring) < 200  # the outline, not a caricature of it
    assert small.contains(ring)  # never smaller: nobody on the edge is left out
    holed = shapely.Polygon(ring.exterior, [shapely.box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100).exterior])
    [no_hole] = cap.simplified(holed)
    assert len(no_hole.interiors) == 0  # CAP polygons have no holes: the area grows, never shrinks


@pytest.mark.parametrize("kind", list(AlarmKind))
def test_alarm_kinds_map_to_urgency_severity_and_certainty_as_documented(tiny_city, clock, kind):
    expected = {
        "pre": ("Expected", "Extreme", "Likely", ["Prepare", "Shelter"]),
        "raid": ("Immediate", "Extreme", "Observed", ["Shelter"]),
        "clear": ("Past", "Minor", "Observed", ["AllClear"]),
    }[kind.value]
    root = _valid(_alarm(tiny_city, clock, kind.value))
    got = tuple(_text(root, f"cap:info[1]/cap:{name}")[0] for name in ("urgency", "severity", "certainty"))
    assert got == expected[:3]
    assert _text(root, "cap:info[1]/cap:responseType") == expected[3]
    assert _text(root, "cap:info/cap:category") == ["Security", "Security"]
    doc = (REPO / "docs" / "cap.md").read_text(encoding="utf-8")
    assert f"| {kind.value} | {' | '.join(expected[:3])} | {', '.join(expected[3])} |" in doc


@pytest.mark.parametrize("level", list(IncidentLevel))
def test_incident_levels_map_as_documented(level):
    g = incident_cap.GRADING[level]
    doc = (REPO / "docs" / "cap.md").read_text(encoding="utf-8")
    row = f"| {level.value} | {g.urgency} | {g.severity} | {g.certainty} | {', '.join(g.response)} |"
    assert row in doc
    assert [incident_cap.GRADING[lv].severity for lv in IncidentLevel] == [
        "Extreme",
        "Severe",
        "Moderate",
        "Minor",
    ]


def test_incident_alerts_circles_level_update_and_closing_cancel(tiny_city, clock):
    index = ImpactIndex.load(tiny_city)
    view, _ = inc.open_incident(
        tiny_city, clock, COMMANDER, index, type_code="gas_leak", x=X0 + 100, y=Y0 + 100, level="III"
    )
    clock.advance(minutes=10)
    inc.set_level(tiny_city, clock, COMMANDER, view.id, "II")
    clock.advance(minutes=1)
    inc.set_status(
        tiny_city, clock, COMMANDER, view.id, "responding"
    )  # no alert: nothing to do for the public
    clock.advance(minutes=50)
    inc.set_status(tiny_city, clock, COMMANDER, view.id, "contained")
    inc.set_status(tiny_city, clock, COMMANDER, view.id, "closed")
    alerts = cap.alerts_of(tiny_city, f"incident/{view.id}")
    sender = cap.sender_of(tiny_city)
    assert [a.identifier for a in alerts] == [f"{sender}.incident.{view.id}.{n}" for n in (1, 2, 3)]
    assert [a.msg_type for a in alerts] == ["Alert", "Update", "Cancel"]
    opened, raised, closed = (_valid(a) for a in alerts)
    assert _text(raised, "cap:references") == [f"{sender},{alerts[0].identifier},2026-03-02T09:00:00+08:00"]
    assert _text(closed, "cap:references")[0].split() == [
        f"{sender},{alerts[0].identifier},2026-03-02T09:00:00+08:00",
        f"{sender},{alerts[1].identifier},2026-03-02T09:10:00+08:00",
    ]
    assert _text(opened, "cap:incidents") == [f"{sender}.incident.{view.id}"]
    # Each alert says the incident as it stood then: III when opened, II after the change.
    assert _text(opened, "cap:info[1]/cap:severity") == ["Moderate"]
    assert _text(raised, "cap:info[1]/cap:severity") == ["Severe"]
    assert _text(raised, "cap:info[1]/cap:responseType") == ["Evacuate", "Avoid"]
    assert _text(closed, "cap:info[1]/cap:urgency") == ["Past"]
    assert _text(opened, "cap:info/cap:category") == ["CBRNE", "CBRNE"]  # a gas leak
    # A point site with the type's radii: two circles around it, inner and outer, radius in km.
    circles = _text(opened, "cap:info[1]/cap:area/cap:circle")
    assert _text(opened, "cap:info[1]/cap:area/cap:areaDesc") == ["内圈警戒区", "外圈警戒区"]
    (lat, lon), radii = (
        zip(*(c.split()[0].split(",") for c in circles), strict=True),
        [c.split()[1] for c in circles],
    )
    assert radii == ["0.100", "0.300"]
    site = _to_city(float(lat[0]), float(lon[0]))
    assert site.distance(shapely.Point(X0 + 100, Y0 + 100)) < 1.0


def test_incident_with_drawn_cordons_has_polygons_and_an_area_change_is_an_update(tiny_city, clock):
    index = ImpactIndex.load(tiny_city)
    area = shapely.box(X0 + 50, Y0 + 50, X0 + 250, Y0 + 150)
    view, _ = inc.open_incident(
        tiny_city, clock, COMMANDER, index, type_code="flood", area=area, inner_radius_m=20, outer_radius_m=60,
        exercise_id=4,
    )  # fmt: skip
    clock.advance(minutes=5)
    inner = shapely.box(X0, Y0, X0 + 300, Y0 + 200)
    inc.change_area(tiny_city, clock, COMMANDER, index, view.id, inner_cordon=inner)
    first, second = cap.alerts_of(tiny_city, f"incident/{view.id}")
    assert (first.status, second.status) == ("Exercise", "Exercise")
    assert second.msg_type == "Update" and [r.identifier for r in second.references] == [first.identifier]
    root = _valid(second)
    rings = _text(root, "cap:info[1]/cap:area/cap:polygon")
    assert len(rings) == 2 and not _text(root, "cap:info[1]/cap:area/cap:circle")
    inner_back = shapely.Polygon([_to_city(*map(float, p.split(","))) for p in rings[0].split()])
    outer_back = shapely.Polygon([_to_city(*map(float, p.split(","))) for p in rings[1].split()])
    assert inner_back.buffer(1).contains(inner) and inner_back.area < 1.05 * inner.area  # the drawn one
    assert outer_back.buffer(1).contains(inner_back)  # the outer cordon holds the inner one
    # The opening alert still says the cordons as they were: the area buffered by the radii.
    first_inner = _text(_valid(first), "cap:info[1]/cap:area/cap:polygon")[0]
    back = shapely.Polygon([_to_city(*map(float, p.split(","))) for p in first_inner.split()])
    assert back.buffer(1).contains(area.buffer(20)) and back.area < 1.1 * area.buffer(20).area


def test_a_subject_without_alerts_is_refused_clearly(tiny_city):
    with pytest.raises(cap.CapError, match="alarm/ID or incident/ID"):
        cap.alerts_of(tiny_city, "case/3")
    assert cap.alerts_of(tiny_city, "alarm/999") == []
    assert alarm_cap.identifier("sanwei-230100", 5) == "sanwei-230100.alarm.5"
