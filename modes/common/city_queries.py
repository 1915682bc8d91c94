"""What the console asks of the city besides its picture: details, search, staff, overview, journal.

Each function takes the caller's session (and, where it needs one, the ``CitySnapshot``) and returns
DTOs of ``modes.common.views``, never ORM objects. Reads only.
"""

from __future__ import annotations

import re

import numpy as np
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from data import journal
from data.city import FINISHED_CASE_STATES, city_crs, get_meta, stats
from data.geometry import wedge_rings
from data.models import (
    Camera,
    Case,
    Community,
    Component,
    ComponentType,
    Department,
    District,
    GridCell,
    JournalEvent,
    Staff,
    Street,
    Supervisor,
)
from modes.common.city_picture import CitySnapshot, sorted_index
from modes.common.mode_switch import last_switch
from modes.common.views import (
    CameraDetails,
    CellDetails,
    CityOverview,
    CodeName,
    ComponentDetails,
    JournalEntry,
    SearchHit,
    StaffEntry,
    SupervisorDetails,
    TypeCount,
)

# --- details (DTOs) -----------------------------------------------------------------------------------


def _code_name(session: Session, model, code: str | None) -> CodeName | None:
    if code is None:
        return None
    name = session.scalar(select(model.name).where(model.code == code))
    return CodeName(code, name or "")


def _open_cases(session: Session, *conditions) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Case).where(Case.state.not_in(FINISHED_CASE_STATES), *conditions)
        )
        or 0
    )


def cell_details(session: Session, code: str) -> CellDetails | None:
    cell = session.execute(
        select(
            GridCell.code,
            GridCell.legacy_code,
            GridCell.area_m2,
            GridCell.pop_day,
            GridCell.pop_night,
            GridCell.land_use,
            Supervisor.code,
            Supervisor.name,
        )
        .outerjoin(Supervisor, GridCell.supervisor_id == Supervisor.id)
        .where(GridCell.code == code)
    ).first()
    if cell is None:
        return None
    counts = session.execute(
        select(ComponentType.code, ComponentType.name, ComponentType.major_name, func.count())
        .join(Component, Component.type_code == ComponentType.code)
        .where(Component.cell_code == code)
        .group_by(ComponentType.code, ComponentType.name, ComponentType.major_name)
        .order_by(func.count().desc(), ComponentType.code)
    ).all()
    return CellDetails(
        code=cell[0],
        legacy_code=cell[1],
        community=_code_name(session, Community, code[:12]),
        street=_code_name(session, Street, code[:9]),
        district=_code_name(session, District, code[:6]),
        supervisor=CodeName(cell[6], cell[7]) if cell[6] else None,
        area_m2=float(cell[2] or 0),
        pop_day=int(cell[3] or 0),
        pop_night=int(cell[4] or 0),
        land_use=cell[5] or "",
        components=tuple(TypeCount(c, n, m, k) for c, n, m, k in counts),
        open_cases=_open_cases(session, Case.cell_code == code),
    )


def component_details(session: Session, component_id: str) -> ComponentDetails | None:
    owner, prop, maint = aliased(Department), aliased(Department), aliased(Department)
    row = session.execute(
        select(Component, ComponentType, owner.name, prop.name, maint.name)
        .join(ComponentType, Component.type_code == ComponentType.code)
        .join(owner, Component.owner_code == owner.code)
        .outerjoin(prop, Component.property_code == prop.code)
        .outerjoin(maint, Component.maintenance_code == maint.code)
        .where((Component.id == component_id) | (Component.legacy_id == component_id))
    ).first()
    if row is None:
        return None
    c, t, owner_name, prop_name, maint_name = row
    return ComponentDetails(
        id=c.id,
        legacy_id=c.legacy_id,
        type_code=t.code,
        gb_type_code=t.gb_code,
        legacy_type_code=t.legacy_code,
        type_name=t.name,
        major_name=t.major_name,
        name=c.name,
        state=c.state,
        owner=CodeName(c.owner_code, owner_name or ""),
        property_owner=CodeName(c.property_code, prop_name or "") if c.property_code else None,
        maintainer=CodeName(c.maintenance_code, maint_name or "") if c.maintenance_code else None,
        cell_code=c.cell_code,
        init_date=c.init_date,
        change_date=c.change_date,
        data_source=c.data_source,
        note=c.note,
        x=c.x,
        y=c.y,
        open_cases=_open_cases(session, Case.component_id == c.id),
    )


def camera_details(session: Session, snapshot: CitySnapshot | None, camera_id: str) -> CameraDetails | None:
    cam = session.execute(select(Camera).where(Camera.id == camera_id)).scalar_one_or_none()
    if cam is None:
        return None
    cells_seen = 0
    seen: tuple[TypeCount, ...] = ()
    if snapshot is not None:
        wx, wy = wedge_rings(cam.x, cam.y, cam.heading_deg, cam.fov_deg, cam.range_m, steps=12)
        wedge = shapely.polygons(np.column_stack([wx[0], wy[0]]))
        cells_seen = len(snapshot.grid.tree.query(wedge, predicate="intersects"))
        comp = snapshot.components
        lx, ly = snapshot.to_local(cam.x, cam.y)
        dx, dy = comp.x - lx, comp.y - ly
        near = np.flatnonzero(dx * dx + dy * dy <= cam.range_m**2)
        if len(near):
            bearing = np.degrees(np.arctan2(dx[near], dy[near]))
            off = (bearing - cam.heading_deg + 180.0) % 360.0 - 180.0
            inside = near[np.abs(off) <= cam.fov_deg / 2.0]
            kinds, counts = np.unique(comp.type_idx[inside], return_counts=True)
            order = np.argsort(-counts, kind="stable")
            seen = tuple(
                TypeCount(
                    comp.type_codes[kinds[i]],
                    comp.type_names[kinds[i]],
                    comp.majors[comp.type_majors[kinds[i]]],
                    int(counts[i]),
                )
                for i in order
            )
    return CameraDetails(
        id=cam.id,
        name=cam.name,
        status=cam.status,
        place=cam.place,
        heading_deg=cam.heading_deg,
        fov_deg=cam.fov_deg,
        range_m=cam.range_m,
        stream_url=cam.stream_url,
        cell_code=cam.cell_code,
        community=_code_name(session, Community, cam.cell_code[:12]) if cam.cell_code else None,
        cells_seen=cells_seen,
        components_seen=seen,
        x=cam.x,
        y=cam.y,
    )


def supervisor_details(
    session: Session, snapshot: CitySnapshot | None, supervisor_id: int
) -> SupervisorDetails | None:
    sup = session.get(Supervisor, supervisor_id)
    if sup is None:
        return None
    n_cells = (
        session.scalar(select(func.count()).select_from(GridCell).where(GridCell.supervisor_id == sup.id))
        or 0
    )
    x, y, has_fix = sup.last_x, sup.last_y, sup.last_x is not None and sup.last_y is not None
    if not has_fix and snapshot is not None:
        i = snapshot.supervisor_index(sup.id)
        if i >= 0:
            x, y = (
                float(v[0])
                for v in snapshot.to_city([snapshot.supervisors.x[i]], [snapshot.supervisors.y[i]])
            )
    return SupervisorDetails(
        id=sup.id,
        code=sup.code,
        name=sup.name,
        district=_code_name(session, District, sup.district_code),
        device_id=sup.device_id,
        last_seen=sup.last_seen,
        has_fix=has_fix,
        cells=n_cells,
        x=float(x or 0.0),
        y=float(y or 0.0),
    )


def city_overview(session: Session) -> CityOverview:
    """The city's counts as the overview shows them: its cases are the real ones (an exercise's are
    counted apart, in ``exercise_cases``), as every real figure of the console is."""
    counts = stats(session)
    if counts["exercise_cases"]:
        exercise = Case.exercise_id.is_not(None)
        counts["cases"] -= counts["exercise_cases"]
        counts["open_cases"] -= _open_cases(session, exercise)
    return CityOverview(name=get_meta(session, "city_name", "") or "", crs=city_crs(session), counts=counts)


def staff_list(session: Session) -> tuple[StaffEntry, ...]:
    rows = session.execute(
        select(Staff.login, Staff.name, Staff.role, Staff.district_code, Staff.department_code).order_by(
            Staff.role, Staff.login
        )
    ).all()
    return tuple(StaffEntry(*r) for r in rows)


# --- search -------------------------------------------------------------------------------------------


def _hit_from_bounds(snapshot: CitySnapshot, kind: str, key: str, label: str, b) -> SearchHit:
    minx, miny = (float(v[0]) for v in snapshot.to_city([b[0]], [b[1]]))
    maxx, maxy = (float(v[0]) for v in snapshot.to_city([b[2]], [b[3]]))
    return SearchHit(kind, key, label, (minx + maxx) / 2, (miny + maxy) / 2, (minx, miny, maxx, maxy))


def _point_hit(
    snapshot: CitySnapshot, kind: str, key: str, label: str, lx: float, ly: float, pad: float
) -> SearchHit:
    (x,), (y,) = snapshot.to_city([lx], [ly])
    return SearchHit(kind, key, label, float(x), float(y), (x - pad, y - pad, x + pad, y + pad))


# "#123", "＃123", "案123", "case 123": a case id and nothing else. A bare number is a case id only when
# it is no cell, component or area code.
_CASE_REF = re.compile(r"^(?:#|＃|案|case\s*)\s*(\d{1,18})$", re.IGNORECASE)
CASE_VIEW_PAD_M = 125.0


def _case_hit(session: Session, case_id: int) -> SearchHit | None:
    row = session.execute(select(Case.x, Case.y).where(Case.id == case_id)).first()
    if row is None:
        return None
    x, y, pad = float(row[0]), float(row[1]), CASE_VIEW_PAD_M
    return SearchHit("case", str(case_id), f"#{case_id}", x, y, (x - pad, y - pad, x + pad, y + pad))


def search(session: Session, snapshot: CitySnapshot, text: str) -> SearchHit | None:
    """Resolve what the user typed: a cell code (15 or 14 digits), a component id (17 or 16 digits), a
    camera id, a supervisor code, a district, street or community code or name, or a case id ("#123",
    "案123", or a bare number that is no code)."""
    q = text.strip()
    if not q:
        return None
    case_ref = _CASE_REF.match(q)
    if case_ref:
        return _case_hit(session, int(case_ref.group(1)))
    if q.isdigit():
        if len(q) in (14, 15):
            code = (
                q if len(q) == 15 else session.scalar(select(GridCell.code).where(GridCell.legacy_code == q))
            )
            i = snapshot.cell_index(code) if code else -1
            if i >= 0:
                return _hit_from_bounds(snapshot, "cell", code, code, snapshot.cells.bounds[i])
        if len(q) in (16, 17):
            cid = q if len(q) == 17 else None
            i = snapshot.component_index(cid) if cid else -1
            if i < 0:
                cid = session.scalar(
                    select(Component.id).where((Component.id == q) | (Component.legacy_id == q))
                )
                i = snapshot.component_index(cid) if cid else -1
            if i >= 0:
                comp = snapshot.components
                return _point_hit(snapshot, "component", cid, cid, comp.x[i], comp.y[i], 60.0)
        for level, n in (("district", 6), ("street", 9), ("community", 12)):
            if len(q) == n:
                layer = snapshot.area_layer(level)
                j = sorted_index(layer.codes, q)
                if j >= 0:
                    return _hit_from_bounds(snapshot, level, q, layer.names[j], layer.bounds[j])
        if len(q) <= 18 and (hit := _case_hit(session, int(q))) is not None:
            return hit
    i = snapshot.camera_index(q)
    if i < 0:
        upper = q.upper()
        hits = [k for k, cid in enumerate(snapshot.cameras.ids) if str(cid).upper() == upper]
        i = hits[0] if hits else -1
    if i >= 0:
        cams = snapshot.cameras
        return _point_hit(snapshot, "camera", str(cams.ids[i]), str(cams.ids[i]), cams.x[i], cams.y[i], 250.0)
    sups = snapshot.supervisors
    for k, code in enumerate(sups.codes):
        if code == q or code.upper() == q.upper():
            return _point_hit(
                snapshot, "supervisor", str(int(sups.ids[k])), sups.names[k], sups.x[k], sups.y[k], 300.0
            )
    for level in ("district", "street", "community"):
        layer = snapshot.area_layer(level)
        for j, name in enumerate(layer.names):
            if name == q:
                return _hit_from_bounds(snapshot, level, str(layer.codes[j]), name, layer.bounds[j])
    for level in ("district", "street", "community"):
        layer = snapshot.area_layer(level)
        for j, name in enumerate(layer.names):
            if q in name:
                return _hit_from_bounds(snapshot, level, str(layer.codes[j]), name, layer.bounds[j])
    return None


# --- the journal --------------------------------------------------------------------------------------


def _entry(e: JournalEvent) -> JournalEntry:
    return JournalEntry(e.seq, e.at, e.actor, e.kind, e.subject, dict(e.payload or {}))


def journal_entries_after(session: Session, seq: int, limit: int = 1000) -> list[JournalEntry]:
    """The journal's events after ``seq``, oldest first, at most ``limit``."""
    return [_entry(e) for e in journal.events_after(session, seq, limit)]


def last_mode_event(session: Session) -> JournalEntry | None:
    """The latest mode switch in the journal, or None when the city never switched."""
    e = last_switch(session)
    return _entry(e) if e else None
