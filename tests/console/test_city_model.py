"""The console's read model (Qt-free): arrays agree with the database, lookups, search, classes."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from console import city_model
from console.map.choropleth import categorical_classes, quantile_classes
from console.services import ConsoleServices
from data.models import Camera, Component, GridCell, Supervisor


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
        assert city_model.COMPONENT_STATES[snapshot.components.state_idx[i]] == state
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
    index = city_model.PointIndex(x, y, bucket_m=100)
    mask = rng.random(len(x)) > 0.3
    for qx, qy, r in rng.uniform([0, 0, 5], [5000, 3000, 250], size=(200, 3)):
        d = np.hypot(x - qx, y - qy)
        for m in (None, mask):
            dd = np.where(m, d, np.inf) if m is not None else d
            want = int(np.argmin(dd)) if dd.min() <= r else -1
            assert index.nearest(qx, qy, r, m) == want


def test_quantile_classes_cover_the_values():
    values = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, np.nan, 0])
    classes = quantile_classes(values, ("a", "b", "c", "d", "e"), zero_is_empty=True)
    assert classes.of_cell[0] == -1 and classes.of_cell[10] == -1
    assert set(classes.of_cell[1:10]) == set(range(classes.count))
    assert classes.lower[0] == 1 and classes.upper[-1] == 9
    # Ties collapse classes instead of producing empty ones.
    same = quantile_classes(np.full(10, 4.0), ("a", "b", "c"))
    assert same.count == 1 and set(same.of_cell) == {0}
    assert set(categorical_classes(np.array([-1, 0, 9]), ("x", "y")).of_cell) == {-1, 0, 1}


def test_search_finds_each_kind(make_session, snapshot):
    with make_session() as s:
        cell, legacy = s.execute(
            select(GridCell.code, GridCell.legacy_code).where(GridCell.legacy_code.is_not(None))
        ).first()
        comp_id, comp_legacy = s.execute(
            select(Component.id, Component.legacy_id).where(Component.legacy_id.is_not(None))
        ).first()
        cam = s.scalar(select(Camera.id))
        sup = s.execute(select(Supervisor.id, Supervisor.code)).first()
        assert city_model.search(s, snapshot, cell).key == cell
        assert city_model.search(s, snapshot, legacy).key == cell
        hit = city_model.search(s, snapshot, comp_id)
        assert (hit.kind, hit.key) == ("component", comp_id)
        assert city_model.search(s, snapshot, comp_legacy).key == comp_id
        assert city_model.search(s, snapshot, f"  {cam.lower()} ").key == cam
        assert city_model.search(s, snapshot, sup.code).key == str(sup.id)
        district = str(snapshot.districts.codes[0])
        hit = city_model.search(s, snapshot, district)
        assert hit.kind == "district" and hit.bounds[0] < hit.x < hit.bounds[2]
        assert city_model.search(s, snapshot, snapshot.streets.names[0]).kind == "street"
        assert city_model.search(s, snapshot, "no such thing") is None
        assert city_model.search(s, snapshot, "999999999999999") is None


def test_component_mask_filters_by_major_state_and_type(snapshot):
    comp = snapshot.components
    everything = ConsoleServices.component_mask(snapshot, set(range(len(comp.majors))), set(range(5)), None)
    assert everything.all()
    only_first_major = ConsoleServices.component_mask(snapshot, {0}, set(range(5)), None)
    assert np.array_equal(only_first_major, comp.major_idx == 0)
    t = comp.type_codes[int(comp.type_idx[0])]
    by_type = ConsoleServices.component_mask(snapshot, set(range(len(comp.majors))), set(range(5)), t)
    assert by_type.sum() == (comp.type_idx == comp.type_idx[0]).sum()
    assert not ConsoleServices.component_mask(snapshot, set(range(len(comp.majors))), set(), None).any()


def test_details_dtos(make_session, snapshot):
    with make_session() as s:
        code = str(snapshot.cells.codes[5])
        d = city_model.cell_details(s, code)
        n = s.scalar(select(func.count()).select_from(Component).where(Component.cell_code == code))
        assert d.code == code and d.district.code == code[:6] and d.community.code == code[:12]
        assert d.components_total == n
        comp = s.scalar(select(Component).limit(1))
        cd = city_model.component_details(s, comp.id)
        assert cd.owner.code == comp.owner_code and cd.owner.name
        cam = s.scalar(select(Camera).limit(1))
        camd = city_model.camera_details(s, snapshot, cam.id)
        assert camd.stream_url == cam.stream_url and camd.status == cam.status
        assert camd.cells_seen >= 1
        assert city_model.cell_details(s, "000000000000000") is None


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
            pg = city_model.load_snapshot(s)
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
