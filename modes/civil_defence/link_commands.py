"""Air-raid alarms over the links (docs/protocol.md section 7.10).

The centre puts every alarm on the shared picture, one key per addressed district
(``/alarm/<id>/<district>``, built from the alarm and its delivery row), whoever issued it: a console on
the centre's database, the command line or the ``alarm.issue`` command. The journal follower republishes
a key whenever an ``alarm.*`` event touches the alarm. A district node watching ``/alarm/`` finds the
keys of its own district that are not acknowledged yet, records the receipt in its own journal and
queues ``alarm.ack`` in its persisted outbox in the same transaction, once per key: a district that was
down gets the key when it catches up (replay or snapshot) and acknowledges then, exactly once. The
centre applies ``alarm.ack`` with ``record_receipt`` and ``acknowledge`` (both idempotent), so
``delivery_board`` shows sent, received and acknowledged times per district, and a district whose node
is down stays unacknowledged and is flagged late after ``ACK_LIMIT_S``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select, text

from comms.records import CommandRefused
from comms.wire import Entry
from data.civil_defence_models import Alarm, AlarmDelivery, AlarmKind, Shelter, Siren
from data.errors import InputError
from data.models import District, JournalEvent
from modes.civil_defence import cap_alerts, replicated
from modes.civil_defence.alarms import (
    ACK_LIMIT_S,
    CYCLE_S,
    SIGNALS,
    TONE_HZ,
    acknowledge,
    check_officer,
    delivery_board,
    parse_kind,
    plan_annual_test,
    record_receipt,
    resolve_districts,
    signal_schedule,
    sound_alarm,
)
from modes.civil_defence.authority import require_civil_defence, require_own_district
from modes.civil_defence.coverage import CoverageModel, set_siren_status
from modes.civil_defence.evacuation import report_occupancy, set_shelter_status
from modes.common import orders
from modes.common.actor import Actor
from modes.common.command_bus import CallContext, CommandBus
from modes.common.link_keys import OrderReceiver, acknowledge_order, register_order_keys
from modes.common.picture import KeySource, StateItem, Touched, pack, unpack

PREFIX = "/alarm/"
# The shared picture holds the alarms of the last day, and those still unacknowledged somewhere for a
# week (a district cut off for days still gets the order when it returns).
RECENT = dt.timedelta(hours=24)
OPEN_FOR = dt.timedelta(days=7)
EVENT_KINDS = ("alarm.issued", "alarm.sent", "alarm.received", "alarm.acknowledged")


def alarm_key(alarm_id: int, district: str) -> str:
    return f"{PREFIX}{alarm_id}/{district}"


def _wire(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat(sep=" ")


# --- centre: alarms -> keys ----------------------------------------------------------------------------


def build_alarm_keys(session, now: dt.datetime, ids: set[str] | None) -> dict[str, StateItem]:
    """``/alarm/<id>/<district>`` for the given alarms (``ids`` None: those the picture holds now)."""
    stmt = (
        select(Alarm, AlarmDelivery, District.name)
        .join(AlarmDelivery, AlarmDelivery.alarm_id == Alarm.id)
        .join(District, District.code == AlarmDelivery.district_code)
    )
    if ids is None:
        stmt = stmt.where(
            or_(
                Alarm.issued_at >= now - RECENT,
                and_(AlarmDelivery.acked_at.is_(None), Alarm.issued_at >= now - OPEN_FOR),
            )
        )
    else:
        wanted = [int(i) for i in ids if str(i).isdigit()]
        if not wanted:
            return {}
        stmt = stmt.where(Alarm.id.in_(wanted))
    out: dict[str, StateItem] = {}
    for alarm, d, name in session.execute(stmt):
        signal = SIGNALS[AlarmKind(alarm.kind)]
        doc = {
            "alarm_id": alarm.id,
            "kind": alarm.kind,
            "name_zh": signal.name_zh,
            "name_en": signal.name_en,
            "on_off": [list(p) for p in signal_schedule(signal.kind)],
            "cycle_s": CYCLE_S,
            "tone_hz": TONE_HZ,
            "issued_at": _wire(alarm.issued_at),
            "issued_by": alarm.issued_by,
            "exercise": bool(alarm.exercise),
            "exercise_id": alarm.exercise_id,
            "note": alarm.note or "",
            "district": d.district_code,
            "district_name": name,
            "sent_at": _wire(d.sent_at),
            "received_at": _wire(d.received_at),
            "acknowledged_at": _wire(d.acked_at),
            "acknowledged_by": d.acked_by,
        }
        out[alarm_key(alarm.id, d.district_code)] = StateItem(pack(doc))
    return out


def _alarm_rule(ev: JournalEvent, t: Touched) -> None:
    alarm_id = (ev.payload or {}).get("alarm_id")
    subject = ev.subject or ""
    if alarm_id is None and subject.startswith("alarm/"):
        alarm_id = subject[len("alarm/") :]
    if alarm_id is not None:
        t.thing("alarm", alarm_id)


# --- commands ------------------------------------------------------------------------------------------


def _confined_districts(ctx: CallContext, districts: Any) -> Any:
    """A district's key sounds the alarm in its own district only: "all" means its district."""
    if ctx.scope is None:
        return districts
    if districts is None or (isinstance(districts, str) and districts.strip().lower() in ("", "all")):
        return [ctx.scope]
    items = districts.split(",") if isinstance(districts, str) else list(districts)
    others = sorted({str(c).strip() for c in items if str(c).strip()} - {ctx.scope})
    if others:
        raise CommandRefused(
            f"{ctx.peer.name} acts for district {ctx.scope}; it may not sound the alarm in {', '.join(others)}"
        )
    return [ctx.scope]


def _issue(ctx: CallContext, args: dict[str, Any]) -> dict:
    """Sound or clear an alarm as the person who logged in (never a role the command names); under the
    two-person rule the reply is the order waiting for a second officer (``pending``)."""
    actor = orders.acting_person(ctx, args)
    kind = parse_kind(args.get("kind") or "")
    districts = _confined_districts(ctx, args.get("districts"))
    if not ctx.at_centre:
        # At a district node: checked here, issued by the centre (its answer is the caller's result).
        check_officer(ctx.session, actor, {"districts": resolve_districts(ctx.session, districts)})
        ctx.forward_args = {**args, "districts": districts}
        return {"kind": kind.value, "districts": districts, "issued": False}
    outcome = sound_alarm(
        ctx.session,
        ctx.clock,
        actor,
        kind,
        districts,
        exercise=bool(args.get("exercise")),
        note=str(args.get("note") or ""),
        exercise_id=ctx.exercise_id,
    )
    if outcome.done is None:
        assert outcome.order is not None
        return {"pending": True, "order": outcome.order.as_dict()}
    return outcome.done.result.board.as_dict()


def _int(args: dict[str, Any], name: str) -> int:
    try:
        return int(args[name])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"this command needs the number '{name}'") from None


def _time(value: Any, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
    """A time the district reported, kept between what the centre knows (sent) and its now: a
    district's clock may be off, and an acknowledgement never precedes the order or lies ahead."""
    if not value:
        return latest
    try:
        t = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not an ISO date-time") from None
    return max(earliest, min(latest, t.replace(tzinfo=None)))  # "never precedes" wins


def _ack(ctx: CallContext, args: dict[str, Any]) -> dict:
    if not ctx.at_centre:
        raise CommandRefused("a district node acknowledges the alarms it receives itself")
    alarm_id = _int(args, "alarm_id")
    district = str(args.get("district") or ctx.scope or "")
    if not district:
        raise InputError("alarm.ack needs the 'district' that acknowledges")
    ctx.confine(district, f"the acknowledgement of alarm {alarm_id} for district {district}")
    row = ctx.session.scalars(
        select(AlarmDelivery).where(
            AlarmDelivery.alarm_id == alarm_id, AlarmDelivery.district_code == district
        )
    ).one_or_none()
    now = ctx.clock.now()
    if row is None:
        delivery_board(ctx.session, alarm_id, now)  # "no alarm N" when there is none
        raise CommandRefused(f"alarm {alarm_id} was not sent to district {district}")
    # Received when acknowledged unless the district says it received the order earlier.
    received = _time(args.get("received_at") or args.get("acknowledged_at"), row.sent_at, now)
    acked = _time(args.get("acknowledged_at"), received, now)
    if ctx.person is not None:
        # A person acknowledges for their own district; a city officer (no district) for any.
        person = ctx.actor(args)
        if person.district not in (None, district):
            raise CommandRefused(
                f"{person.login or person.name} belongs to district {person.district}; "
                f"it may not acknowledge for district {district}"
            )
        by = person.name
    else:
        by = ctx.peer.name if ctx.scope else str(args.get("by") or f"district:{district}")
    if received < acked:
        record_receipt(ctx.session, alarm_id, district, received)
    # Received and acknowledged at once (a node acknowledges on receipt): ``acknowledge`` records both.
    acknowledge(ctx.session, alarm_id, district, acked, by=by)
    ack_s = (row.acked_at - row.sent_at).total_seconds() if row.acked_at else None
    return {
        "alarm_id": alarm_id,
        "district": district,
        "sent_at": row.sent_at.isoformat(),
        "received_at": row.received_at.isoformat() if row.received_at else None,
        "acknowledged_at": row.acked_at.isoformat() if row.acked_at else None,
        "acknowledged_by": row.acked_by,
        "ack_seconds": ack_s,
        "late": ack_s is not None and ack_s > ACK_LIMIT_S,
    }


def _centre_only(ctx: CallContext, what: str) -> None:
    ctx.decided_at_centre(f"{what} is done at the municipal centre, not at a district node")


def _plan_test(ctx: CallContext, args: dict[str, Any]) -> dict:
    _centre_only(ctx, "planning the annual alarm test")
    person = ctx.actor(args)
    require_civil_defence(person.role.value, "plan the annual alarm test")
    try:
        date = dt.date.fromisoformat(str(args["date"])) if args.get("date") else None
    except ValueError:
        raise InputError(f"'date' {args['date']!r} is not an ISO date (YYYY-MM-DD)") from None
    return plan_annual_test(ctx.session, date, clock=ctx.clock, actor=person.name).as_dict()


def _shelter_in_scope(ctx: CallContext, args: dict[str, Any], person: Actor) -> tuple[str, Shelter | None]:
    """The shelter a command names (its row, None when there is none: the rules say so), refused when
    it lies outside a confined caller's district or outside the district of a district's person."""
    shelter = str(args.get("shelter") or "").strip()
    if not shelter:
        raise InputError("this command needs the 'shelter' id")
    row = ctx.session.get(Shelter, shelter)
    if row is not None:
        ctx.confine(row.district_code, f"shelter {shelter}")
        require_own_district(
            person.login or person.name, person.district, row.district_code, f"shelter {shelter}"
        )
    return shelter, row


def _shelter_status(ctx: CallContext, args: dict[str, Any]) -> dict:
    _centre_only(ctx, "opening or closing a shelter")
    person = ctx.actor(args)
    shelter, row = _shelter_in_scope(ctx, args, person)
    if row is not None:
        expected = args.get("from")
        if expected and row.status != expected:
            # Closing a shelter that someone closed meanwhile is not a no-op to the one who asked.
            raise InputError(f"shelter {shelter} is already {row.status}")
    changes = set_shelter_status(
        ctx.session, ctx.clock, person.role.value, shelter, str(args.get("status") or ""), actor=person.name
    )
    return {
        "shelter": shelter,
        "status": str(args.get("status")).strip().lower(),
        "journal_seq": changes.journal_seq,
    }


def _shelter_occupancy(ctx: CallContext, args: dict[str, Any]) -> dict:
    _centre_only(ctx, "a shelter's head count")
    person = ctx.actor(args)
    shelter, _ = _shelter_in_scope(ctx, args, person)
    persons = args.get("persons")
    if isinstance(persons, bool) or not isinstance(persons, int):
        raise InputError(f"occupancy must be a whole number of persons, at least 0, not {persons!r}")
    now = ctx.clock.now()
    # When the heads were counted (default now): a count never lies ahead.
    at = _time(args.get("at"), dt.datetime.min, now)
    return report_occupancy(ctx.session, shelter, persons, at, reporter=person.name).as_dict()


def _siren_status(ctx: CallContext, args: dict[str, Any]) -> dict:
    """A siren in or out of service (or damaged). With ``population`` (night or day), the answer also
    says how many people the in-service sirens covered before and after."""
    _centre_only(ctx, "a siren's status")
    person = ctx.actor(args)
    role = require_civil_defence(person.role.value, "change a siren's status")
    siren = str(args.get("siren") or "").strip()
    if not siren:
        raise InputError("this command needs the 'siren' id")
    row = ctx.session.get(Siren, siren)
    if row is not None:
        ctx.confine(row.district_code, f"siren {siren}")
        # A district's officer keeps the sirens of their district, as they sound its alarms.
        require_own_district(
            person.login or person.name, person.district, row.district_code, f"siren {siren}"
        )
    population = args.get("population")
    model = CoverageModel.load(ctx.session, population=str(population)) if population else None
    return set_siren_status(
        ctx.session, ctx.clock, role, siren, str(args.get("status") or ""), actor=person.name, model=model
    ).as_dict()


def _board(ctx: CallContext, args: dict[str, Any]) -> dict:
    alarm_id = _int(args, "id")
    now = ctx.clock.now()
    if ctx.at_centre:
        return delivery_board(ctx.session, alarm_id, now).as_dict()
    return board_from_keys(ctx.session, alarm_id, now)


def board_from_keys(session, alarm_id: int, now: dt.datetime) -> dict:
    """At a district node: the board of an alarm as the shared picture shows it (its replica)."""
    rows = session.execute(
        text("SELECT body FROM link_replica_entry WHERE key LIKE :k ORDER BY key"),
        {"k": f"{PREFIX}{alarm_id}/%"},
    ).all()
    docs = [unpack(bytes(body)) for (body,) in rows]
    if not docs:
        raise CommandRefused(f"alarm {alarm_id} is not in this node's picture")
    first = docs[0]
    deliveries = []
    for d in docs:
        sent = dt.datetime.fromisoformat(d["sent_at"])
        acked = dt.datetime.fromisoformat(d["acknowledged_at"]) if d.get("acknowledged_at") else None
        ack_s = (acked - sent).total_seconds() if acked else None
        waited = ack_s if ack_s is not None else (now - sent).total_seconds()
        deliveries.append(
            {
                "district": d["district"],
                "name": d.get("district_name", ""),
                "sent_at": sent.isoformat(),
                "received_at": d["received_at"].replace(" ", "T") if d.get("received_at") else None,
                "acknowledged_at": acked.isoformat() if acked else None,
                "acknowledged_by": d.get("acknowledged_by"),
                "ack_seconds": ack_s,
                "late": waited > ACK_LIMIT_S,
            }
        )
    return {
        "alarm_id": alarm_id,
        "kind": first["kind"],
        "name_zh": first["name_zh"],
        "name_en": first["name_en"],
        "issued_at": first["issued_at"].replace(" ", "T"),
        "issued_by": first["issued_by"],
        "exercise": first["exercise"],
        "as_of": now.isoformat(),
        "ack_limit_s": ACK_LIMIT_S,
        "deliveries": deliveries,
        "late": [d["district"] for d in deliveries if d["late"]],
        "all_acknowledged": all(d["acknowledged_at"] for d in deliveries),
    }


# --- district: the watcher -----------------------------------------------------------------------------


def on_alarm_entries(node: OrderReceiver, entries: list[Entry]) -> None:
    """Acknowledge, once, every alarm of this node's district that the centre has not seen acknowledged."""
    for entry in entries:
        parts = entry.key.split("/")  # "", "alarm", id, district
        if not entry.body or len(parts) != 4 or parts[3] != node.district or not parts[2].isdigit():
            continue
        doc = unpack(entry.body)
        if doc.get("acknowledged_at"):
            continue
        alarm_id = int(parts[2])
        now = node.clock.now()
        acknowledge_order(
            node,
            entry,
            now,
            event="alarm.received",
            subject=f"alarm/{alarm_id}",
            # The district's own journal says a drill was a drill (演练), as its board does.
            payload={
                "alarm_id": alarm_id,
                "kind": doc.get("kind"),
                "source": "centre",
                "exercise": bool(doc.get("exercise")),
                "exercise_id": doc.get("exercise_id"),
            },
            command="alarm.ack",
            args={
                "alarm_id": alarm_id,
                "district": node.district,
                "received_at": now.isoformat(sep=" "),
                "acknowledged_at": now.isoformat(sep=" "),
            },
        )


def watch(node: OrderReceiver) -> None:
    node.watch(PREFIX, on_alarm_entries)


def register(bus: CommandBus) -> None:
    # The mode's tables travel on the same picture as its orders (``replicated``).
    replicated.register()
    cap_alerts.register()  # every alarm is also a CAP alert (docs/cap.md)
    register_order_keys(KeySource("alarm", PREFIX, build_alarm_keys), EVENT_KINDS, _alarm_rule)
    bus.register("alarm.issue", _issue, forward=True)
    bus.register("alarm.ack", _ack)
    bus.register("query.alarm", _board)
    bus.register("alarm.plan_test", _plan_test)
    bus.register("shelter.status", _shelter_status)
    bus.register("shelter.occupancy", _shelter_occupancy)
    bus.register("siren.status", _siren_status)
