"""Dispatch orders over the links (docs/protocol.md section 7.10).

The commander dispatches at the centre (``incident.dispatch``, the console or the command line on the
centre's database); each dispatch task is on the shared picture as ``/task/<order id>``, republished
whenever an ``incident.*`` event names the order (dispatched, acknowledged, moved along). The district
node of the task's owning district watches ``/task/``: for an order addressed to it that is not
acknowledged, it records the receipt in its own journal and queues ``task.ack`` in its persisted outbox
in the same transaction, once per order, so an order given while the district's node was down is
delivered when it comes back, exactly once. The task's progress (en route, on scene, done) comes back
from the district as ``task.status`` commands, checked at the district against the order it holds and
applied by the centre with the same rules as the local command line. A task owned by a department with
no district is acknowledged by that department's console with ``task.ack`` (``as`` department).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, text

from comms.records import CommandRefused
from comms.wire import Entry
from data.city import city_crs
from data.emergency_models import DispatchTask, Incident, RescueUnit
from data.errors import InputError, NotFound
from data.geometry import WGS84, transformer
from data.models import JournalEvent, Role
from modes.common.command_bus import CallContext, CommandBus
from modes.common.link_keys import OrderReceiver, acknowledge_order, register_order_keys
from modes.common.picture import KeySource, StateItem, Touched, pack, unpack
from modes.emergency import cap_alerts, replicated
from modes.emergency.desk import IncidentDesk
from modes.emergency.dispatch import (
    FINISHED_TASKS,
    TASK_TABLE,
    acknowledge,
    dispatch,
    get_task,
    order_view,
    set_task_status,
)
from modes.emergency.impact import ImpactIndex
from modes.emergency.incidents import Actor, get_incident, require_role
from modes.emergency.incidents import view as incident_view

PREFIX = "/task/"
# Finished tasks stay in the shared picture this long after their last change; open ones always.
FINISHED_WINDOW = dt.timedelta(days=1)
EVENT_KINDS = ("incident.dispatched", "incident.task_acknowledged", "incident.task")
_FINISHED = [s.value for s in FINISHED_TASKS]


def task_key(order_id: str) -> str:
    return f"{PREFIX}{order_id}"


# --- centre: tasks -> keys -----------------------------------------------------------------------------


def build_task_keys(session, now: dt.datetime, ids: set[str] | None) -> dict[str, StateItem]:
    """``/task/<order id>`` for the given orders (``ids`` None: those the picture holds now)."""
    stmt = (
        select(DispatchTask, RescueUnit, Incident)
        .join(RescueUnit, RescueUnit.id == DispatchTask.unit_id)
        .join(Incident, Incident.id == DispatchTask.incident_id)
    )
    if ids is None:
        stmt = stmt.where(
            or_(DispatchTask.status.not_in(_FINISHED), DispatchTask.updated_at >= now - FINISHED_WINDOW)
        )
    else:
        stmt = stmt.where(DispatchTask.order_id.in_(sorted(ids)))
    out: dict[str, StateItem] = {}
    for task, unit, incident in session.execute(stmt):
        doc = order_view(task, unit, now).as_dict()
        doc["incident"] = {
            "id": incident.id,
            "type_code": incident.type_code,
            "type_name": incident.type_name,
            "level": incident.level,
            "colour": incident.colour,
            "status": incident.status,
            "title": incident.title,
            "x": incident.x,
            "y": incident.y,
            "exercise": bool(incident.exercise),
        }
        out[task_key(task.order_id)] = StateItem(pack(doc))
    return out


def _task_rule(ev: JournalEvent, t: Touched) -> None:
    order_id = (ev.payload or {}).get("order_id")
    if order_id:
        t.thing("task", order_id)


# --- commands ------------------------------------------------------------------------------------------


def _actor(ctx: CallContext, args: dict[str, Any]) -> Actor:
    return ctx.actor(args)


def _text(args: dict[str, Any], name: str) -> str:
    value = str(args.get(name) or "").strip()
    if not value:
        raise InputError(f"this command needs '{name}'")
    return value


def _dispatch(ctx: CallContext, args: dict[str, Any]) -> dict:
    actor = _actor(ctx, args)
    require_role(actor, {Role.COMMANDER}, "dispatch units")
    try:
        incident_id = int(args["incident_id"])
    except (KeyError, TypeError, ValueError):
        raise InputError("incident.dispatch needs the number 'incident_id'") from None
    unit_id = _text(args, "unit")
    due = args.get("due_minutes")
    if not ctx.at_centre:
        # At a district node: checked here, ordered by the centre (its answer is the caller's result).
        return {"incident_id": incident_id, "unit": unit_id, "dispatched": False}
    if ctx.scope is not None:
        unit = ctx.session.get(RescueUnit, unit_id)
        if unit is None:
            raise NotFound(f"no rescue unit {unit_id!r}")
        ctx.confine(unit.district_code, f"unit {unit_id}")
    order, _ = dispatch(
        ctx.session,
        ctx.clock,
        actor,
        incident_id,
        unit_id,
        instructions=str(args.get("instructions") or ""),
        due_minutes=float(due) if due is not None else None,
        order_id=args.get("order_id") or None,
    )
    return order.as_dict()


def _task(ctx: CallContext, order_id: str) -> DispatchTask:
    task = ctx.session.scalars(select(DispatchTask).where(DispatchTask.order_id == order_id)).one_or_none()
    if task is None:
        raise NotFound(f"no dispatch order {order_id!r}")
    return task


def _clamp(value: Any, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
    # A district's clock may be off: an acknowledgement never precedes the order nor lies ahead.
    if not value:
        return latest
    try:
        t = dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"{value!r} is not an ISO date-time") from None
    return min(latest, max(earliest, t))


def _ack(ctx: CallContext, args: dict[str, Any]) -> dict:
    if not ctx.at_centre:
        raise CommandRefused("a district node acknowledges the dispatch orders it receives itself")
    order_id = _text(args, "order_id")
    task = _task(ctx, order_id)
    if ctx.scope is not None:
        ctx.confine(task.assignee_district, f"dispatch order {order_id}")
    district = ctx.scope or args.get("district") or None
    if ctx.person is not None or args.get("as"):
        actor = _actor(ctx, args)
    else:
        name = ctx.peer.name if ctx.scope else f"district:{district}" if district else "owner"
        actor = Actor(name, Role.DEPARTMENT, district=district)
    at = _clamp(args.get("acknowledged_at"), task.ordered_at, ctx.clock.now())
    order, _ = acknowledge(ctx.session, ctx.clock, order_id, at=at, actor=actor)
    return order.as_dict()


def _replica_doc(ctx: CallContext, order_id: str) -> dict | None:
    row = ctx.session.execute(
        text("SELECT body FROM link_replica_entry WHERE key = :k"), {"k": task_key(order_id)}
    ).first()
    return None if row is None else unpack(bytes(row[0]))


def _status(ctx: CallContext, args: dict[str, Any]) -> dict:
    ref = str(args.get("order_id") or args.get("task") or "").strip()
    if not ref:
        raise InputError("task.status needs the 'order_id' (or the task number at the centre)")
    status = _text(args, "status")
    actor = _actor(ctx, args)
    if not ctx.at_centre:
        # At a district node: the order as the district holds it; the centre applies the change.
        doc = _replica_doc(ctx, ref)
        if doc is None:
            raise CommandRefused(f"dispatch order {ref} is not known at this district (give its order id)")
        if doc.get("assignee_district") != ctx.node_district:
            raise CommandRefused(
                f"dispatch order {ref} is assigned in district {doc.get('assignee_district')}, "
                f"not {ctx.node_district}"
            )
        step = TASK_TABLE.step_to(doc["status"], status, actor.role)
        ctx.forward_subject = task_key(ref)
        return {"order_id": ref, "from": doc["status"], "to": step.target.value}
    if ctx.scope is not None:
        ctx.confine(get_task(ctx.session, ref).assignee_district, f"dispatch order {ref}")
    incident_id = args.get("incident_id")
    order, _ = set_task_status(
        ctx.session,
        ctx.clock,
        actor,
        ref,
        status,
        str(args.get("note") or ""),
        incident_id=int(incident_id) if incident_id is not None else None,
    )
    return order.as_dict()


# --- incidents: run at the municipal centre -------------------------------------------------------------


def _incident_desk(ctx: CallContext) -> IncidentDesk:
    """The desk over this transaction, with the impact index kept per node and rebuilt when the cells
    or the organisation changed (loading it takes a second or two at Harbin scale)."""
    if not ctx.at_centre:
        raise CommandRefused("incidents are opened and run at the municipal centre, not at a district node")
    generation = ctx.reference_generation()
    cached = ctx.services.get("emergency.impact")
    if cached is None or cached[0] != generation:
        cached = (generation, ImpactIndex.load(ctx.session))
        ctx.services["emergency.impact"] = cached
    return IncidentDesk(ctx.session, ctx.clock, cached[1])


def _id(args: dict[str, Any], name: str = "id") -> int:
    try:
        return int(args[name])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"this command needs the number '{name}'") from None


def _float(args: dict[str, Any], name: str) -> float | None:
    value = args.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"'{name}' must be a number, not {value!r}") from None


def _geometry_args(ctx: CallContext, args: dict[str, Any]) -> dict[str, Any]:
    """Site, radii and drawn shapes (WKT, city CRS) as the incident rules take them."""
    out: dict[str, Any] = {
        "inner_radius_m": _float(args, "inner_radius_m"),
        "outer_radius_m": _float(args, "outer_radius_m"),
    }
    x, y = _float(args, "x"), _float(args, "y")
    if x is not None and y is not None:
        if args.get("lonlat"):
            (x,), (y,) = transformer(WGS84, city_crs(ctx.session)).transform([x], [y])
        out.update(x=x, y=y)
    for name in ("area", "inner_cordon", "outer_cordon"):
        if args.get(name):
            out[name] = str(args[name])
    return out


def _incident_open(ctx: CallContext, args: dict[str, Any]) -> dict:
    desk = _incident_desk(ctx)
    actor = _actor(ctx, args)
    doc = desk.open(
        actor,
        type_code=_text(args, "type"),
        level=str(args.get("level") or "IV"),
        title=str(args.get("title") or ""),
        description=str(args.get("text") or ""),
        exercise=bool(args.get("exercise")),
        exercise_id=ctx.exercise_id,
        **_geometry_args(ctx, args),
    )
    commander = str(args.get("commander") or "").strip()
    if commander and commander != actor.name:
        # Another commander takes command in the same act.
        desk.role(actor, doc["id"], "commander", commander)
        doc["incident"] = incident_view(get_incident(ctx.session, doc["id"]), ctx.clock.now()).as_dict()
    return doc


def _incident_escalate(ctx: CallContext, args: dict[str, Any]) -> dict:
    geometry = _geometry_args(ctx, args)
    return _incident_desk(ctx).escalate(
        _actor(ctx, args),
        _id(args, "case_id"),
        type_code=args.get("type") or None,
        level=str(args.get("level") or "IV"),
        inner_radius_m=geometry["inner_radius_m"],
        outer_radius_m=geometry["outer_radius_m"],
    )


def _incident_status(ctx: CallContext, args: dict[str, Any]) -> dict:
    desk = _incident_desk(ctx)
    return desk.status(_actor(ctx, args), _id(args), _text(args, "status"), str(args.get("note") or ""))


def _incident_level(ctx: CallContext, args: dict[str, Any]) -> dict:
    desk = _incident_desk(ctx)
    return desk.level(_actor(ctx, args), _id(args), _text(args, "level"), str(args.get("note") or ""))


def _incident_area(ctx: CallContext, args: dict[str, Any]) -> dict:
    desk = _incident_desk(ctx)
    return desk.area(
        _actor(ctx, args), _id(args), clear_drawn=bool(args.get("clear_drawn")), **_geometry_args(ctx, args)
    )


def _incident_role(ctx: CallContext, args: dict[str, Any]) -> dict:
    desk = _incident_desk(ctx)
    return desk.role(
        _actor(ctx, args),
        _id(args),
        _text(args, "position"),
        _text(args, "person"),
        str(args.get("agency") or ""),
    )


def _incident_log(ctx: CallContext, args: dict[str, Any]) -> dict:
    desk = _incident_desk(ctx)
    task = args.get("task")
    return desk.add_log(_actor(ctx, args), _id(args), _text(args, "text"), int(task) if task else None)


def _show(ctx: CallContext, args: dict[str, Any]) -> dict:
    ref = _text(args, "order_id")
    if ctx.at_centre:
        task = get_task(ctx.session, ref)
        return order_view(task, ctx.session.get(RescueUnit, task.unit_id), ctx.clock.now()).as_dict()
    doc = _replica_doc(ctx, ref)
    if doc is None:
        raise CommandRefused(f"dispatch order {ref} is not in this node's picture")
    return doc


# --- district: the watcher -----------------------------------------------------------------------------


def on_task_entries(node: OrderReceiver, entries: list[Entry]) -> None:
    """Acknowledge, once, every order addressed to this district that the centre has not seen acknowledged."""
    for entry in entries:
        if not entry.body:
            continue
        doc = unpack(entry.body)
        if (
            doc.get("assignee_district") != node.district
            or doc.get("acknowledged_at")
            or doc.get("status") in _FINISHED
        ):
            continue
        order_id = entry.key[len(PREFIX) :]
        now = node.clock.now()
        acknowledge_order(
            node,
            entry,
            now,
            event="dispatch.received",
            subject=f"task/{order_id}",
            payload={
                "order_id": order_id,
                "incident_id": doc.get("incident_id"),
                "unit": doc.get("unit"),
                "source": "centre",
            },
            command="task.ack",
            args={"order_id": order_id, "district": node.district, "acknowledged_at": now.isoformat(sep=" ")},
        )


def watch(node: OrderReceiver) -> None:
    node.watch(PREFIX, on_task_entries)


def register(bus: CommandBus) -> None:
    # The mode's tables travel on the same picture as its orders (``replicated``).
    replicated.register()
    cap_alerts.register()  # incidents opened, changed and closed are CAP alerts too (docs/cap.md)
    register_order_keys(KeySource("task", PREFIX, build_task_keys), EVENT_KINDS, _task_rule)
    bus.register("incident.dispatch", _dispatch, forward=True)
    bus.register("task.ack", _ack)
    bus.register("task.status", _status, forward=True)
    bus.register("query.task", _show)
    bus.register("incident.open", _incident_open)
    bus.register("incident.escalate", _incident_escalate)
    bus.register("incident.status", _incident_status)
    bus.register("incident.level", _incident_level)
    bus.register("incident.area", _incident_area)
    bus.register("incident.role", _incident_role)
    bus.register("incident.log", _incident_log)
