"""The everyday loop's commands on the command bus (docs/protocol.md section 7.3).

The same rules as the local command line: every handler goes through ``CaseDesk`` (or the router, the
evaluation) with an ``Actor`` whose district is the caller's district when the caller is confined to
one (its CURVE role ``district:<code>``), so a district can report, act and change assets only within
its own district, and a refusal says why in the desk's own words.

At a district node the forwarded commands (``case.report``, ``case.act``, ``asset.status``) run here
first, against the district's replica, as *provisional* changes: a report gets a negative case id until
the centre has it, and carries ``external_ref = link:<district>:<forward id>`` so the centre's copy,
when it comes back through the state channel, replaces the provisional one.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, func, select

from comms.records import CommandRefused
from data import journal
from data.city import city_crs, get_meta, reference_version
from data.errors import InputError, NotFound
from data.geometry import WGS84, transformer
from data.models import Camera, CameraStatus, Case, Component, ComponentState, Role
from modes.common.clock import FixedClock
from modes.common.command_bus import CallContext, CommandBus
from modes.common.layer_import import require_local
from modes.everyday.cases import Actor, CaseDesk
from modes.everyday.config import EverydayConfig
from modes.everyday.queue import list_cases
from modes.everyday.routing import Router
from modes.everyday.workflow import IllegalTransition

LINK_REF_PREFIX = "link:"


# --- shared pieces -----------------------------------------------------------------------------------


def _router(ctx: CallContext) -> Router:
    """The router, cached per node and rebuilt when cells or the organisation changed (building the
    grid index of 7,030 cells takes far longer than a command)."""
    generation = ctx.reference_generation()
    cached = ctx.services.get("everyday.router")
    if cached is None or cached[0] != generation:
        cached = (generation, Router.load(ctx.session))
        ctx.services["everyday.router"] = cached
    return cached[1]


def prepare(session, services: dict[str, Any]) -> None:
    """Fill a door's or node's handler caches (the router, the configuration) before the first
    command needs them: building the grid index of a large city takes a second."""
    generation = services.get("generation", lambda: 0)(), reference_version(session)
    services["everyday.router"] = (generation, Router.load(session))
    text = get_meta(session, "everyday_config") or ""
    services["everyday.config"] = (text, EverydayConfig.from_dict(json.loads(text) if text else {}))


def _config(ctx: CallContext) -> EverydayConfig:
    """The loop's configuration, parsed again only when its stored text changed (parsing the calendar
    and limits cost more than the rest of a report)."""
    text = get_meta(ctx.session, "everyday_config") or ""
    cached = ctx.services.get("everyday.config")
    if cached is None or cached[0] != text:
        cached = (text, EverydayConfig.from_dict(json.loads(text) if text else {}))
        ctx.services["everyday.config"] = cached
    return cached[1]


def _desk(ctx: CallContext, clock=None) -> CaseDesk:
    return CaseDesk(ctx.session, clock or ctx.clock, router=_router(ctx), config=_config(ctx))


def _actor(ctx: CallContext, args: dict[str, Any], default_role: str | None) -> Actor:
    return ctx.actor(args, default_role)


def _xy(ctx: CallContext, args: dict[str, Any]) -> tuple[float, float]:
    try:
        x, y = float(args["x"]), float(args["y"])
    except (KeyError, TypeError, ValueError):
        raise InputError("a point needs numbers 'x' and 'y'") from None
    if args.get("lonlat"):
        (x,), (y,) = transformer(WGS84, city_crs(ctx.session)).transform([x], [y])
    return x, y


def _provisional_ids(ctx: CallContext) -> None:
    """At a district, cases created by this command get negative ids: positive ones are the centre's."""
    session = ctx.session
    lowest = session.scalar(select(func.min(Case.id))) or 0
    next_id = [min(lowest, 0) - 1]

    def assign(sess, flush_context, instances) -> None:
        for obj in sess.new:
            if isinstance(obj, Case) and obj.id is None:
                obj.id = next_id[0]
                next_id[0] -= 1

    event.listen(session, "before_flush", assign)
    ctx.after_commit(lambda: event.remove(session, "before_flush", assign))


# --- commands ------------------------------------------------------------------------------------------


def report_case(ctx: CallContext, args: dict[str, Any]) -> dict:
    """``case.report``: locate, route, link to an open duplicate or open a new case, as the caller's
    authenticated person (the Open311 gateway's reports come through here too, ``open311.report``)."""
    channel = args.get("channel") or ""
    actor = _actor(ctx, args, "supervisor" if channel == "supervisor" else "operator")
    x, y = _xy(ctx, args)
    desk = _desk(ctx)
    if ctx.scope is not None:
        ctx.confine(desk.router.locate(x, y).district, f"point ({x:.0f}, {y:.0f})")
    external_ref = args.get("external_ref")
    if external_ref and str(external_ref).startswith(LINK_REF_PREFIX):
        if ctx.forward_id is not None or (
            ctx.scope and not external_ref.startswith(f"{LINK_REF_PREFIX}{ctx.scope}:")
        ):
            raise CommandRefused(f"external reference {external_ref!r} is reserved for the links")
    if ctx.forward_id is not None:
        external_ref = f"{LINK_REF_PREFIX}{ctx.node_district}:{ctx.forward_id}"
        _provisional_ids(ctx)
    doc, changes = desk.report(
        actor,
        x=x,
        y=y,
        channel=channel,
        type_code=args.get("type"),
        component_id=args.get("component"),
        text=args.get("text") or "",
        urgent=args.get("urgent"),
        external_ref=external_ref,
        duplicate_of=_duplicate_of(args),
        exercise_id=ctx.exercise_id,
    )
    if args.get("file_separately") and doc["duplicate_of"] is not None:
        # Filed as a case of its own although the rule linked it: the unlink step, in the same act.
        doc, changes = desk.act(doc["id"], "unlink", actor, separate_note(doc["duplicate_of"]))
        doc = {**doc, "separated": True}
    doc = {**doc, "journal_seq": changes.journal_seq}
    if ctx.forward_id is not None:
        ctx.forward_args = {**args, "x": x, "y": y, "lonlat": False, "external_ref": external_ref}
        ctx.forward_subject = f"/case/{doc['id']}"
    return doc


def separate_note(original: int) -> str:
    return f"filed separately at intake: not the same problem as case {original}"


def _duplicate_of(args: dict[str, Any]) -> int | None:
    """The open case an operator chose to link the report to (else the desk links the nearest)."""
    value = args.get("duplicate_of")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(f"'duplicate_of' must be a case id, not {value!r}") from None


def _case_id(ctx: CallContext, args: dict[str, Any]) -> int:
    ref = args.get("case_ref")
    if ref:
        found = ctx.session.scalar(
            select(Case.id).where(Case.external_ref == str(ref)).order_by(Case.id.desc())
        )
        if found is None:
            raise CommandRefused(f"the case reported as {ref} is not here (was its report refused?)")
        return found
    try:
        return int(args["id"])
    except (KeyError, TypeError, ValueError):
        raise InputError("this command needs the case 'id'") from None


def _act(ctx: CallContext, args: dict[str, Any]) -> dict:
    case_id = _case_id(ctx, args)
    action = args.get("action") or ""
    actor = _actor(ctx, args, None)
    forwarded = dict(args)
    if ctx.forward_id is not None and case_id < 0:
        resolve = ctx.services.get("resolve_provisional")
        local = ctx.session.get(Case, case_id)
        if local is not None and local.external_ref:
            # The centre does not know -3; it knows the reference the queued report carries.
            forwarded = {**args, "case_ref": local.external_ref}
            forwarded.pop("id", None)
        elif resolve is not None and (real := resolve(ctx.session, case_id)) is not None:
            case_id = real
            forwarded = {**args, "id": real}
        else:
            raise NotFound(f"case {case_id} does not exist")
    clock = ctx.clock
    case = ctx.session.get(Case, case_id)
    if case is not None and case.updated_at is not None and clock.now() < case.updated_at:
        # A command taken offline earlier than the case's last change: history stays in order.
        clock = FixedClock(case.updated_at)
    desk = _desk(ctx, clock)
    _, changes = desk.act(
        case_id,
        action,
        actor,
        args.get("note") or "",
        department=args.get("department"),
        extension=args.get("extension"),
        satisfaction=args.get("satisfaction"),
    )
    if ctx.forward_id is not None:
        ctx.forward_args = forwarded
        ctx.forward_subject = f"/case/{case_id}"
    return {**desk.show(case_id), "journal_seq": changes.journal_seq}


_ASSETS = {
    "component": (Component, ComponentState, "state"),
    "camera": (Camera, CameraStatus, "status"),
}


def asset_district(kind: str, row: Component | Camera) -> str | None:
    """The district an asset lies in: a component's id starts with it, a camera's cell code does."""
    return row.id[:6] if kind == "component" else (row.cell_code or "")[:6] or None


def check_asset_scope(actor: Actor, kind: str, row: Component | Camera) -> None:
    """A district's staff change the assets of their own district, a department's staff the components
    their department owns, holds or maintains (cameras are the centre's), as with cases
    (``CaseDesk._check_scope``); ``CommandRefused`` says why. The console asks this to enable its
    control, so the control and the command cannot disagree."""
    district = asset_district(kind, row)
    if actor.district and district != actor.district:
        raise CommandRefused(
            f"{kind} {row.id} is in district {district or '?'}; {actor.name} acts for district {actor.district}"
        )
    if actor.role == Role.DEPARTMENT and actor.department:
        keepers = (
            sorted({row.owner_code, row.property_code, row.maintenance_code} - {None})
            if isinstance(row, Component)
            else []
        )
        if actor.department not in keepers:
            kept_by = f"kept by {', '.join(keepers)}" if keepers else "kept by the municipal centre"
            raise CommandRefused(
                f"{kind} {row.id} is {kept_by}, not {actor.department}: {actor.name} may not change its status"
            )


def set_asset_status(ctx: CallContext, kind: str, ident: str, status: str, actor: Actor, note: str) -> dict:
    """Change a component's state (intact, damaged, lost...) or a camera's status, journalled, within
    the actor's scope (``check_asset_scope``)."""
    if kind not in _ASSETS:
        raise InputError(f"unknown asset kind {kind!r} (component or camera)")
    model, states, column = _ASSETS[kind]
    try:
        new = states(status).value
    except ValueError:
        raise InputError(
            f"unknown {kind} status {status!r} (one of {', '.join(s.value for s in states)})"
        ) from None
    row = ctx.session.get(model, ident)
    if row is None:
        raise NotFound(f"unknown {kind} {ident!r}")
    district = asset_district(kind, row)
    ctx.confine(district, f"{kind} {ident}")
    check_asset_scope(actor, kind, row)
    old = getattr(row, column)
    now = ctx.clock.now()
    seq = None
    if old != new:
        setattr(row, column, new)
        if kind == "component":
            row.change_date = now.date()
        seq = journal.append(
            ctx.session,
            journal.NewEvent(
                kind="asset.status",
                actor=actor.name,
                at=now,
                subject=f"{kind}/{ident}",
                district_code=district,
                payload={"kind": kind, "from": old, "to": new, "note": note, "role": actor.role.value},
            ),
        )
    return {"kind": kind, "id": ident, "from": old, "to": new, "changed": old != new, "journal_seq": seq}


def _asset_status(ctx: CallContext, args: dict[str, Any]) -> dict:
    actor = _actor(ctx, args, "operator")
    kind = args.get("kind") or "component"
    ident = str(args.get("id") or "")
    doc = set_asset_status(ctx, kind, ident, str(args.get("status") or ""), actor, args.get("note") or "")
    if ctx.forward_id is not None:
        ctx.forward_subject = f"/{kind}/{ident}"
    return doc


def _show(ctx: CallContext, args: dict[str, Any]) -> dict:
    case_id = _case_id(ctx, args)
    resolve = ctx.services.get("resolve_provisional")
    if case_id < 0 and ctx.session.get(Case, case_id) is None and resolve is not None:
        case_id = resolve(ctx.session, case_id) or case_id
    doc = _desk(ctx).show(case_id)
    pending = ctx.services.get("pending_subjects")
    if pending is not None:
        doc["queued"] = f"/case/{case_id}" in pending(ctx.session)
    return doc


def _list(ctx: CallContext, args: dict[str, Any]) -> dict:
    doc = list_cases(
        ctx.session,
        ctx.clock.now(),
        state=args.get("state"),
        department=args.get("department"),
        district=args.get("district"),
        channel=args.get("channel"),
        type_code=args.get("type"),
        overdue=bool(args.get("overdue")),
        limit=int(args.get("limit", 50)),
        offset=int(args.get("offset", 0)),
        exercises=args.get("exercises") or "leave",
    )
    pending = ctx.services.get("pending_subjects")
    if pending is not None:
        queued = pending(ctx.session)
        for row in doc["cases"]:
            row["queued"] = row["id"] < 0 or f"/case/{row['id']}" in queued
    return doc


def _locate(ctx: CallContext, args: dict[str, Any]) -> dict:
    x, y = _xy(ctx, args)
    router = _router(ctx)
    if args.get("component"):
        return router.route_component(ctx.session, args["component"], x, y).as_dict()
    if args.get("type"):
        return router.route_event(ctx.session, x, y, args["type"]).as_dict()
    return router.locate(x, y).as_dict()


def _kpi(ctx: CallContext, args: dict[str, Any]) -> dict:
    from modes.everyday.evaluation import evaluate

    return evaluate(
        ctx.session,
        by=args.get("by") or "department",
        start=args.get("start"),
        end=args.get("end"),
        now=ctx.clock.now(),
        exercises=args.get("exercises") or "leave",
    )


def _import_cases(ctx: CallContext, args: dict[str, Any]) -> dict:
    """A CSV of past cases replayed into the loop (``--map``: how its columns and codes map to ours).
    The files are read where the database is: only its holder imports, never a linked peer."""
    from modes.everyday.replay import replay_file

    require_local(ctx, "importing cases")
    path, mapping = str(args.get("file") or ""), str(args.get("map") or "")
    if not path or not mapping:
        raise InputError("case.import needs the 'file' of cases and the 'map' of its columns")
    flags = {name: args.get(name, False) for name in ("skip_unmapped", "force")}
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise InputError(f"case.import: {name!r} must be true or false, not {value!r}")
    return replay_file(ctx.session, path, mapping, **flags).as_dict()


def register(bus: CommandBus) -> None:
    bus.refuse_on(IllegalTransition)
    bus.register("case.report", report_case, forward=True)
    bus.register("case.act", _act, forward=True)
    bus.register("asset.status", _asset_status, forward=True)
    bus.register("query.case", _show)
    bus.register("query.cases", _list)
    bus.register("query.locate", _locate)
    bus.register("query.kpi", _kpi)
    bus.register("case.import", _import_cases)
