"""The city's picture (Qt-free): arrays agree with the database, lookups, areas, component filters."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from sqlalchemy import func, select

from data.models import Camera, Component, GridCell, Supervisor
from modes.common import city_picture
from modes.common.city_loading import load_snapshot


def test_snapshot_matches_the_database(make_session, snapshot):
    with make_session() as s:
        n_cells = s.scalar(select(func.count()).select_from(GridCell))
        n_comp = s.scalar(select(func.count()).select_from(Component))
        n_cams = s.scalar(select(func.count()).select_from(Camera))
        n_sups = s.scalar(select(func.count()).select_from(Supervisor))
        some = s.execute(select(Component.id, Component.x, Component.y, Component.state).limit(50)).all()
    assert len(snapshot.cells.codes) == n_cells
    assert len(snapshot.components.ids) == n_comp
    assert len(snapshot.cameras.ids) == n_cams
    assert len(snapshot.supervisors.ids) == n_sups
    assert list(snapshot.cells.codes) == sorted(snapshot.cells.codes)
    for cid, x, y, state in some:
        i = snapshot.component_index(cid)
        assert i >= 0
        lx, ly = snapshot.to_local(x, y)
        assert snapshot.components.x[i] == pytest.approx(lx)
        assert snapshot.components.y[i] == pytest.approx(ly)
        assert city_picture.COMPONENT_STATES[snapshot.components.state_idx[i]] == state
    # Each cell's ring points belong to it: a cell's centroid lies in that cell.
    for i in range(0, len(snapshot.cells.codes), 17):
        assert snapshot.cell_at(snapshot.cells.centroid_x[i], snapshot.cells.centroid_y[i]) == i


def test_areas_follow_the_code_prefixes(snapshot):
    cells = snapshot.cells
    for level, n in (("districts", 6), ("streets", 9), ("communities", 12)):
        layer = getattr(snapshot, level)
        idx = {
            "districts": cells.district_idx,
            "streets": cells.street_idx,
            "communities": cells.community_idx,
        }[level]
        assert all(str(layer.codes[idx[i]]) == str(cells.codes[i])[:n] for i in range(len(cells.codes)))
        assert len(layer.boundary.x) > 0
        assert all(name for name in layer.names)


def test_rings_select_returns_exactly_the_chosen_polygons(snapshot):
    rings = snapshot.cells.rings
    chosen = np.array([3, 7, 11])
    sub = rings.select(chosen)
    expected = sum(int(rings.stop[i] - rings.start[i]) for i in chosen)
    assert len(sub.x) == expected
    first = chosen[0]
    assert np.allclose(
        sub.x[: rings.stop[first] - rings.start[first]], rings.x[rings.start[first] : rings.stop[first]]
    )


def test_point_index_agrees_with_brute_force():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 5000, 20000), rng.uniform(0, 3000, 20000)
    index = city_picture.PointIndex(x, y, bucket_m=100)
    mask = rng.random(len(x)) > 0.3
    for qx, qy, r in rng.uniform([0, 0, 5], [5000, 3000, 250], size=(200, 3)):
        d = np.hypot(x - qx, y - qy)
        for m in (None, mask):
            dd = np.where(m, d, np.inf) if m is not None else d
            want = int(np.argmin(dd)) if dd.min() <= r else -1
            assert index.nearest(qx, qy, r, m) == want


def test_component_mask_filters_by_major_state_and_type(snapshot):
    comp = snapshot.components
    mask = city_picture.component_mask
    everything = mask(snapshot, set(range(len(comp.majors))), set(range(5)), None)
    assert everything.all()
    only_first_major = mask(snapshot, {0}, set(range(5)), None)
    assert np.array_equal(only_first_major, comp.major_idx == 0)
    t = comp.type_codes[int(comp.type_idx[0])]
    by_type = mask(snapshot, set(range(len(comp.majors))), set(range(5)), t)
    assert by_type.sum() == (comp.type_idx == comp.type_idx[0]).sum()
    assert not mask(snapshot, set(range(len(comp.majors))), set(), None).any()


def test_area_details_sum_the_member_cells(make_session, snapshot):
    cells = snapshot.cells
    street = str(snapshot.streets.codes[0])
    member = np.array([str(c).startswith(street) for c in cells.codes])
    with make_session() as s:
        n_comp = s.scalar(
            select(func.count()).select_from(Component).where(Component.cell_code.startswith(street))
        )
    d = city_picture.area_details(snapshot, "street", street)
    assert (d.level, d.code, d.name) == ("street", street, snapshot.streets.names[0])
    assert d.cells == member.sum() and d.components == n_comp
    assert d.pop_day == cells.pop_day[member].sum() and d.pop_night == cells.pop_night[member].sum()
    assert d.area_m2 == pytest.approx(cells.area_m2[member].sum())
    district = city_picture.area_details(snapshot, "district", street[:6])
    assert d.parent.code == street[:6] and d.parent.name == district.name and district.parent is None
    assert city_picture.area_details(snapshot, "street", "000000000") is None
    assert city_picture.area_details(snapshot, "cell", str(cells.codes[0])) is None


def test_an_area_outline_runs_along_the_edge_of_its_cells(snapshot):
    member = np.flatnonzero(snapshot.cells.district_idx == 0)
    outline = city_picture.area_outline(snapshot, "district", str(snapshot.districts.codes[0]))
    b = snapshot.cells.bounds[member]
    assert (outline.x.min(), outline.y.min()) == pytest.approx((b[:, 0].min(), b[:, 1].min()))
    assert (outline.x.max(), outline.y.max()) == pytest.approx((b[:, 2].max(), b[:, 3].max()))
    # Every point of the outline lies on the district's edge: none inside it, none elsewhere.
    district = shapely.union_all(snapshot.grid.polygons[member])
    x, y = snapshot.to_city(outline.x, outline.y)
    assert shapely.distance(shapely.points(x, y), district.boundary).max() < 0.01
    assert city_picture.area_outline(snapshot, "district", "000000") is None


def test_components_per_cell_and_per_thousand_people(snapshot):
    counts = city_picture.components_per_cell(snapshot)
    assert counts.sum() == (snapshot.components.cell_idx >= 0).sum()
    i = int(np.argmax(counts))
    assert counts[i] == (snapshot.components.cell_idx == i).sum()
    rates = city_picture.per_thousand_people(counts, snapshot)
    people = max(snapshot.cells.pop_night[i], snapshot.cells.pop_day[i])
    assert rates[i] == pytest.approx(counts[i] * 1000 / people)


@pytest.mark.pg
def test_postgresql_load_matches_sqlite(snapshot):
    """The column fetch differs per database (group_concat vs string_agg): same arrays either way."""
    import uuid

    from sqlalchemy import text

    from data.db import make_engine, session_factory, upgrade_schema
    from data.demo_city import seed_city
    from tests.conftest import PG_URL as base
    from tests.conftest import pg_admin_engine

    admin = pg_admin_engine()
    schema = f"console_{uuid.uuid4().hex[:10]}"  # its own schema: the city is committed, not rolled back
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = make_engine(f"{base}?options=-csearch_path%3D{schema}")
        upgrade_schema(engine)
        with session_factory(engine)() as s, s.begin():
            seed_city(s, scale="small", seed=1)
        with session_factory(engine)() as s:
            pg = load_snapshot(s)
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    a, b = pg.components, snapshot.components
    assert np.array_equal(a.ids, b.ids)
    assert np.allclose(a.x + pg.origin[0], b.x + snapshot.origin[0])
    assert np.array_equal(a.state_idx, b.state_idx) and np.array_equal(a.type_idx, b.type_idx)
    assert np.array_equal(a.cell_idx, b.cell_idx)
    assert np.array_equal(pg.cells.codes, snapshot.cells.codes)
