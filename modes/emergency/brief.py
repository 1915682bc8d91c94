"""The incident briefing in the shape of ICS 201: map sketch, situation summary, objectives, actions,
organisation, resources, as a Qt-free ``Briefing`` DTO and as HTML.

Blocks follow the form (FEMA ICS 201): 1 incident name, 2 incident number, 3 date/time initiated,
4 map sketch, 5 situation summary and health and safety briefing, 6 prepared by, 7 current and planned
objectives, 8 current and planned actions (here: the significant-events log), 9 current organisation,
10 resource summary (resource, identifier, ordered, ETA, arrived, notes). Labels are bilingual because
the same paper goes to Chinese commanders and international drill staff.

The map sketch is data (``MapSnapshot``: rings and points in the city CRS). The HTML embeds it as
inline SVG, or as an ``<img>`` the caller supplies (the console's PDF export renders a QImage from the
same snapshot). Every piece of text from the database is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.emergency_models import IncidentLevel, RescueUnit
from modes.common.clock import Clock
from modes.emergency.dispatch import DispatchOrder, list_tasks
from modes.emergency.impact import Impact, ImpactIndex, incident_cordons, incident_impact
from modes.emergency.incidents import (
    IncidentView,
    LogLine,
    RoleHolder,
    cordons_words,
    get_incident,
    organisation,
    read_log,
    view,
)
from modes.emergency.types import incident_type

LEVEL_NAMES = {
    IncidentLevel.I: "Ⅰ级 特别重大 Level I (extremely serious)",
    IncidentLevel.II: "Ⅱ级 重大 Level II (serious)",
    IncidentLevel.III: "Ⅲ级 较大 Level III (relatively serious)",
    IncidentLevel.IV: "Ⅳ级 一般 Level IV (general)",
}
COLOUR_NAMES = {"red": "红色 red", "orange": "橙色 orange", "yellow": "黄色 yellow", "blue": "蓝色 blue"}
COLOUR_HEX = {"red": "#d32f2f", "orange": "#f57c00", "yellow": "#fbc02d", "blue": "#1976d2"}
CATEGORY_NAMES = {
    "natural_disaster": "自然灾害 natural disaster",
    "accident": "事故灾难 accident",
    "public_health": "公共卫生事件 public health",
    "social_security": "社会安全事件 social security",
}
POSITION_NAMES = {
    "commander": "现场指挥官 Incident Commander",
    "public_information": "新闻发布官 Public Information Officer",
    "safety": "安全官 Safety Officer",
    "liaison": "联络官 Liaison Officer",
    "operations": "行动组组长 Operations Section Chief",
    "planning": "计划组组长 Planning Section Chief",
    "logistics": "后勤组组长 Logistics Section Chief",
    "finance": "财务/行政组组长 Finance/Admin Section Chief",
}
STATUS_NAMES = {
    "reported": "已报告 reported",
    "responding": "处置中 responding",
    "contained": "已控制 contained",
    "closed": "已关闭 closed",
    "assigned": "已派遣 assigned",
    "en_route": "途中 en route",
    "on_scene": "到场 on scene",
    "done": "完成 done",
    "cancelled": "取消 cancelled",
}


# --- the map sketch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    kind: str  # site | unit | hospital | shelter | camera


@dataclass(frozen=True)
class MapSnapshot:
    """What the sketch shows, in the city CRS: the view box, cell outlines, affected cells, cordons, points."""

    bounds: tuple[float, float, float, float]
    cells: tuple[np.ndarray, ...]  # exterior rings (n, 2) of the cells in view
    affected_inner: tuple[np.ndarray, ...]
    affected_outer: tuple[np.ndarray, ...]
    inner: tuple[np.ndarray, ...]  # rings of the inner cordon
    outer: tuple[np.ndarray, ...]
    site: tuple[np.ndarray, ...]  # rings of a drawn area; empty for a point site
    points: tuple[MapPoint, ...]


def _rings(geom) -> tuple[np.ndarray, ...]:
    if geom is None or geom.is_empty:
        return ()
    parts = shapely.get_parts(geom)
    return tuple(np.asarray(p.exterior.coords) for p in parts if p.geom_type == "Polygon")


def map_snapshot(
    index: ImpactIndex,
    incident_view: IncidentView,
    impact: Impact,
    site,
    inner,
    outer,
    orders: tuple[DispatchOrder, ...],
    unit_xy: dict[str, tuple[float, float]],
) -> MapSnapshot:
    minx, miny, maxx, maxy = outer.bounds
    side = max(maxx - minx, maxy - miny) * 1.5 + 200.0  # square, with room around the outer cordon
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    bounds = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    view_box = shapely.box(*bounds)
    in_view = np.sort(index.cell_tree.query(view_box, predicate="intersects"))
    rings = tuple(r for i in in_view for r in _rings(index.cell_polygons[i]))
    position = {str(c): i for i, c in enumerate(index.cell_codes)}

    def cell_rings(cells) -> tuple[np.ndarray, ...]:
        return tuple(r for c in cells for r in _rings(index.cell_polygons[position[c.code]]))

    points = [MapPoint(incident_view.x, incident_view.y, f"#{incident_view.id}", "site")]
    for o in orders:
        if o.unit_id in unit_xy and o.status not in ("done", "cancelled"):
            ux, uy = unit_xy[o.unit_id]
            points.append(MapPoint(ux, uy, o.unit_id, "unit"))
    points += [MapPoint(h.x, h.y, h.name, "hospital") for h in impact.hospitals]
    points += [MapPoint(s.x, s.y, s.name, "shelter") for s in impact.shelters]
    points += [MapPoint(c.x, c.y, c.id, "camera") for c in impact.cameras]
    return MapSnapshot(
        bounds=bounds,
        cells=rings,
        affected_inner=cell_rings(impact.inner.cells),
        affected_outer=cell_rings(impact.outer.cells),
        inner=_rings(inner),
        outer=_rings(outer),
        site=_rings(site) if site.geom_type != "Point" else (),
        points=tuple(points),
    )


# --- the briefing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Briefing:
    incident: IncidentView
    impact: Impact
    organisation: tuple[RoleHolder, ...]
    resources: tuple[DispatchOrder, ...]
    log: tuple[LogLine, ...]
    situation: tuple[str, ...]
    safety: tuple[str, ...]
    map: MapSnapshot
    prepared_by: str
    prepared_at: dt.datetime

    @property
    def title(self) -> str:
        i = self.incident
        return f"ICS 201 事件简报 Incident Briefing #{i.id} {i.type_name} {i.level}级"


def _situation(
    incident_view: IncidentView, impact: Impact, orders: tuple[DispatchOrder, ...]
) -> tuple[str, ...]:
    i, s = incident_view, impact.summary()
    kind = incident_type(i.type_code)
    open_tasks = [o for o in orders if o.status not in ("done", "cancelled")]
    overdue = [o for o in orders if o.overdue]
    lines = [
        f"{i.opened_at:%Y-%m-%d %H:%M} 于网格 {i.cell or '-'} 发生{i.type_name}（{CATEGORY_NAMES.get(i.category, i.category)}），"
        f"响应级别 {LEVEL_NAMES[IncidentLevel(i.level)]}，预警颜色 {COLOUR_NAMES.get(i.colour, i.colour)}，当前状态 {STATUS_NAMES.get(i.status, i.status)}。",
        f"{kind.name_en} at cell {i.cell or '-'} since {i.opened_at:%H:%M}; status {i.status}.",
        f"警戒区 Cordons: {cordons_words(i, impact.inner.area_m2, impact.outer.area_m2)}.",
        f"影响范围 Affected: {s['cells']} cells in {s['communities']} communities; about {s['pop_night']:,} people at night, "
        f"{s['pop_day']:,} by day (inner cordon: {s['inner_pop_night']:,} / {s['inner_pop_day']:,}).",
        f"城市部件 Components inside: {s['components']} ("
        + ", ".join(f"{d.name} {d.count}" for d in impact.components[:5])
        + ("…" if len(impact.components) > 5 else "")
        + ").",
        f"视频 Cameras covering the area: {s['cameras']} ({s['cameras_online']} online); "
        f"open everyday cases inside: {s['open_cases']}.",
        f"资源 Resources: {len(orders)} dispatched, {len(open_tasks)} still working"
        + (f", {len(overdue)} OVERDUE" if overdue else "")
        + ".",
    ]
    if i.report_due_at is not None:
        # Passed or not on the deadline's own clock: an exercise incident's is its exercise's.
        late = " — OVERDUE" if i.report_overdue else ""
        lines.append(f"{i.report_deadline}{late}.")
    if i.case_id is not None:
        lines.append(f"由城管案件 {i.case_id} 升级 Escalated from everyday case {i.case_id}.")
    return tuple(lines)


def _safety(impact: Impact) -> tuple[str, ...]:
    notes = []
    by_dept = {d.department: d for d in impact.components}
    if "gas" in by_dept:
        notes.append(
            f"燃气设施 {by_dept['gas'].count} 处在警戒区内：禁止明火 / {by_dept['gas'].count} gas fittings inside: no open flames."
        )
    if "power" in by_dept:
        notes.append(
            f"电力设施 {by_dept['power'].count} 处：注意触电危险 / {by_dept['power'].count} power fittings: beware of live parts."
        )
    inside = [h for h in (*impact.hospitals, *impact.shelters) if h.inside_outer]
    if inside:
        notes.append(
            "以下场所在外圈内，不宜收治/安置 / Inside the outer cordon, do not send people to: "
            + ", ".join(p.name for p in inside)
        )
    notes.append("进入内圈须经安全官同意 / Entry to the inner cordon only with the Safety Officer's leave.")
    return tuple(notes)


def build_briefing(
    session: Session, clock: Clock, incident_id: int, index: ImpactIndex, prepared_by: str = "commander"
) -> Briefing:
    incident = get_incident(session, incident_id)
    now = clock.now()
    incident_view = view(incident, now)
    impact = incident_impact(session, index, incident, at=now)
    orders = tuple(list_tasks(session, now, incident_id=incident.id))
    unit_ids = [o.unit_id for o in orders]
    unit_xy = {}
    if unit_ids:
        rows = session.execute(
            select(RescueUnit.id, RescueUnit.x, RescueUnit.y).where(RescueUnit.id.in_(unit_ids))
        ).all()
        unit_xy = {r[0]: (r[1], r[2]) for r in rows}
    site, inner, outer = incident_cordons(incident)
    return Briefing(
        incident=incident_view,
        impact=impact,
        organisation=organisation(session, incident.id),
        resources=orders,
        log=read_log(session, incident.id),
        situation=_situation(incident_view, impact, orders),
        safety=_safety(impact),
        map=map_snapshot(index, incident_view, impact, site, inner, outer, orders, unit_xy),
        prepared_by=prepared_by,
        prepared_at=now,
    )


# --- HTML ----------------------------------------------------------------------------------------------

SVG_SIZE = 640


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _t(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "—"


def _svg_path(rings: tuple[np.ndarray, ...], to_px) -> str:
    parts = []
    for ring in rings:
        px, py = to_px(ring[:, 0], ring[:, 1])
        parts.append("M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)) + " Z")
    return " ".join(parts)


def map_svg(snapshot: MapSnapshot, size: int = SVG_SIZE, colour: str = "red") -> str:
    minx, miny, maxx, maxy = snapshot.bounds
    scale = size / max(maxx - minx, maxy - miny)

    def to_px(xs, ys):
        return (np.asarray(xs) - minx) * scale, (maxy - np.asarray(ys)) * scale

    accent = COLOUR_HEX.get(colour, "#d32f2f")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">',
        f'<rect width="{size}" height="{size}" fill="#f7f7f2"/>',
        f'<path d="{_svg_path(snapshot.cells, to_px)}" fill="none" stroke="#b0b0a8" stroke-width="0.6"/>',
        f'<path d="{_svg_path(snapshot.affected_outer, to_px)}" fill="#ffe0b2" fill-opacity="0.7" stroke="none"/>',
        f'<path d="{_svg_path(snapshot.affected_inner, to_px)}" fill="#ffab91" fill-opacity="0.8" stroke="none"/>',
        f'<path d="{_svg_path(snapshot.outer, to_px)}" fill="none" stroke="#f57c00" stroke-width="2" stroke-dasharray="8 4"/>',
        f'<path d="{_svg_path(snapshot.inner, to_px)}" fill="none" stroke="{accent}" stroke-width="2.5"/>',
    ]
    if snapshot.site:
        out.append(
            f'<path d="{_svg_path(snapshot.site, to_px)}" fill="{accent}" fill-opacity="0.35" stroke="{accent}"/>'
        )
    style = {
        "site": ('<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="' + accent + '" stroke="#000"/>', True),
        "unit": ('<rect x="{x0:.1f}" y="{y0:.1f}" width="9" height="9" fill="#1565c0" stroke="#fff"/>', True),
        "hospital": (
            '<path d="M{x:.1f},{y0:.1f} v9 M{x0:.1f},{y:.1f} h9" stroke="#2e7d32" stroke-width="3"/>',
            True,
        ),
        "shelter": (
            '<path d="M{x:.1f},{y0:.1f} L{x1:.1f},{y1:.1f} L{x0:.1f},{y1:.1f} Z" fill="#6a1b9a"/>',
            True,
        ),
        "camera": ('<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#455a64"/>', False),
    }
    for p in snapshot.points:
        (x,), (y,) = to_px([p.x], [p.y])
        if not (0 <= x <= size and 0 <= y <= size):
            continue
        shape, labelled = style[p.kind]
        out.append(shape.format(x=x, y=y, x0=x - 4.5, y0=y - 4.5, x1=x + 4.5, y1=y + 4.5))
        if labelled:
            out.append(
                f'<text x="{x + 7:.1f}" y="{y - 5:.1f}" font-size="11" fill="#222">{_e(p.label)}</text>'
            )
    metres = _scale_bar_m(maxx - minx)
    bar = metres * scale
    out.append(
        f'<path d="M12,{size - 14} h{bar:.1f}" stroke="#000" stroke-width="3"/>'
        f'<text x="12" y="{size - 20}" font-size="11">{metres:g} m</text>'
        f'<text x="{size - 24}" y="22" font-size="14" font-weight="bold">N↑</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _scale_bar_m(width_m: float) -> float:
    target = width_m / 5
    for step in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if step >= target:
            return float(step)
    return 10000.0


def _table(headers: list[str], rows: list[list], empty: str = "—") -> str:
    head = "".join(f'<th bgcolor="#eeeeee" align="left">{_e(h)}</th>' for h in headers)
    if not rows:
        rows = [[empty] + [""] * (len(headers) - 1)]
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table border="1" cellspacing="0" cellpadding="4" width="100%"><tr>{head}</tr>{body}</table>'


def render_html(briefing: Briefing, map_src: str | None = None) -> str:
    """The briefing as one HTML document. ``map_src``: an image URL for the sketch (else inline SVG)."""
    b, i = briefing, briefing.incident
    accent = COLOUR_HEX.get(i.colour, "#d32f2f")
    exercise = (
        '<p align="center" style="font-size:16pt;font-weight:bold;color:#c62828">演练 EXERCISE EXERCISE EXERCISE</p>'
        if i.exercise
        else ""
    )
    sketch = (
        f'<img src="{_e(map_src)}" width="{SVG_SIZE}" height="{SVG_SIZE}"/>'
        if map_src
        else map_svg(b.map, colour=i.colour)
    )
    legend = (
        "图例 Legend: 实线=内圈 inner cordon, 虚线=外圈 outer cordon, 圆点=事发点 site, 蓝方块=派遣单位 units, "
        "绿十字=医院 hospitals, 紫三角=避难场所 shelters, 灰点=摄像机 cameras"
    )
    resources = [
        [o.unit_name, o.unit_id, _t(o.ordered_at), f"{o.eta_minutes:.0f} min", _t(o.on_scene_at),
         STATUS_NAMES.get(o.status, o.status) + (" OVERDUE 超时" if o.overdue else "")
         + (f"; {o.instructions}" if o.instructions else "") + f"; due {_t(o.due_at)}"]
        for o in b.resources
    ]  # fmt: skip
    org = [
        [POSITION_NAMES.get(r.position, r.position), r.person, r.agency, _t(r.assigned_at)]
        for r in b.organisation
    ]
    actions = [
        [_t(e.at), f"{e.actor} ({e.role})", e.text + (f" [task {e.task_id}]" if e.task_id else "")]
        for e in b.log
    ]
    comps = [
        [d.name, d.department, d.count, d.inner, ", ".join(f"{n or c} {k}" for c, n, k in d.by_type[:6])]
        for d in b.impact.components
    ]
    cams = [
        [c.id, c.name, c.status, f"{c.distance_m:.0f} m", "yes" if c.sees_inner else ""]
        for c in b.impact.cameras[:20]
    ]
    near = [
        [p.name, p.kind, f"{p.distance_m:.0f} m", p.capacity, "INSIDE outer cordon" if p.inside_outer else ""]
        for p in (*b.impact.hospitals, *b.impact.shelters)
    ]
    cases = [[c.id, c.type_code, c.state, c.zone, c.department or ""] for c in b.impact.open_cases]
    communities = [
        [c.name or c.code, c.code, c.cells, round(c.pop_night), round(c.pop_day)]
        for c in b.impact.outer.communities
    ]
    objectives = "".join(f"<li>{_e(o)}</li>" for o in i.objectives) or "<li>—</li>"
    situation = "".join(f"<p>{_e(line)}</p>" for line in b.situation)
    safety = "".join(f"<li>{_e(line)}</li>" for line in b.safety)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"/>
<title>{_e(b.title)}</title>
<style>
body {{ font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10pt; }}
h1 {{ font-size: 16pt; }} h2 {{ font-size: 12pt; margin-top: 14px; }}
th, td {{ font-size: 9pt; }}
</style></head>
<body>
{exercise}
<h1>ICS 201 事件简报 Incident Briefing</h1>
<table border="1" cellspacing="0" cellpadding="4" width="100%">
<tr><td><b>1. 事件名称 Incident name</b><br/>{_e(i.title)}{_e(" — " + i.type_name if i.title != i.type_name else "")}</td>
<td><b>2. 事件编号 Incident number</b><br/>#{i.id}</td>
<td><b>3. 开始时间 Date/time initiated</b><br/>{_t(i.opened_at)}</td></tr>
<tr><td><b>类别 Category</b><br/>{_e(CATEGORY_NAMES.get(i.category, i.category))}</td>
<td bgcolor="{accent}"><font color="#ffffff"><b>级别 Level</b><br/>{_e(LEVEL_NAMES[IncidentLevel(i.level)])}<br/>{_e(COLOUR_NAMES.get(i.colour, i.colour))}</font></td>
<td><b>状态 Status</b><br/>{_e(STATUS_NAMES.get(i.status, i.status))}</td></tr>
<tr><td colspan="3"><b>位置 Location</b>: cell {_e(i.cell or "-")}, district {_e(i.district or "-")}, x {i.x:.1f}, y {i.y:.1f}</td></tr>
</table>
<h2>4. 现场图 Map sketch</h2>
<p>{sketch}</p>
<p><small>{_e(legend)}</small></p>
<h2>5. 态势摘要与安全提示 Situation summary and health and safety briefing</h2>
{situation}
<ul>{safety}</ul>
<h3>受影响社区 Communities affected</h3>
{_table(["社区 Community", "代码 Code", "网格 Cells", "夜间人口 Night pop.", "日间人口 Day pop."], communities)}
<h3>警戒区内部件 Components inside, by owner department</h3>
{_table(["部门 Department", "代码 Code", "数量 Count", "内圈 Inner", "类型 Types"], comps)}
<h3>覆盖该区域的摄像机 Cameras covering the area (nearest first)</h3>
{_table(["编号 Id", "名称 Name", "状态 Status", "距离 Distance", "看到内圈 Sees inner"], cams)}
<h3>附近医院与避难场所 Hospitals and shelters nearby</h3>
{_table(["名称 Name", "类型 Kind", "距离 Distance", "容量 Capacity", ""], near)}
<h3>区域内未结城管案件 Open everyday cases inside</h3>
{_table(["案件 Case", "类型 Type", "状态 State", "区域 Zone", "部门 Department"], cases)}
<h2>6. 填表人 Prepared by</h2>
<p>{_e(b.prepared_by)} — {_t(b.prepared_at)}</p>
<h2>7. 当前与计划目标 Current and planned objectives</h2>
<ol>{objectives}</ol>
<h2>8. 当前与计划行动 Current and planned actions (significant events log)</h2>
{_table(["时间 Time", "人员 By", "行动 Action"], actions)}
<h2>9. 当前组织 Current organisation</h2>
{_table(["职位 Position", "姓名 Name", "单位 Agency", "任命时间 Since"], org)}
<h2>10. 资源汇总 Resource summary</h2>
{_table(["资源 Resource", "编号 Identifier", "派遣时间 Ordered", "预计到达 ETA", "到场 Arrived", "备注 Notes"], resources)}
{exercise}
</body></html>
"""
