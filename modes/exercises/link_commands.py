"""The exercise commands on the command bus (docs/protocol.md section 7.5). Exercises live at the
municipal centre: a district node refuses every ``exercise.*`` write and sees exercises through
replication (``replicated``).

``exercise.tick`` is what drives an exercise: any process may send it (a console, the centre's own
driver, ``exercise run``); it delivers the injects whose exercise-clock time has come, each as the bus
command its kind makes, run by this same bus inside the tick's transaction (in a savepoint, so a refused
inject leaves nothing behind and the exercise goes on). An exercise that ends by itself (the first-run
demo, ``exercise start --end-after``) is ended by the tick that finds its end has come: this bus's
``exercise.stop``, as the exercise's simulation cell.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from data.errors import InputError
from modes.common.command_bus import CallContext, CommandBus
from modes.common.exercise_clock import wall_now
from modes.exercises import exercises as ex_rules
from modes.exercises import replicated
from modes.exercises.exercises import ExerciseRefused
from modes.exercises.liveness import driver_label
from modes.exercises.msel import format_scenario_time, parse_scenario_time
from modes.exercises.progress import status_document
from modes.exercises.purge import purge

log = logging.getLogger("sanwei.exercise")
CENTRE_ONLY = "exercises are run by the municipal centre: send this to the centre, not to a district node"


def _id(args: dict[str, Any]) -> Any:
    if args.get("id") in (None, ""):
        raise InputError("this command needs the exercise 'id'")
    return args["id"]


def _deliverer(bus: CommandBus, ctx: CallContext):
    def deliver(ex, inj) -> tuple[str | None, str | None]:
        try:
            made = ex_rules.inject_command(ctx.session, ex, inj)
        except bus.refusals as exc:
            return None, str(exc)
        if made is None:
            return None, None  # a message or a condition: nothing real changes
        name, args = made
        spec = bus.spec(name)
        if spec is None:
            return None, f"this node has no command {name!r}"
        sub = dataclasses.replace(
            ctx,
            person=ex_rules.simulation_actor(ex, inj.kind, args.get("channel")),
            exercise_id=ex.id,
            forward_args=None,
            forward_subject="",
        )
        savepoint = ctx.session.begin_nested()
        try:
            result = spec.handler(sub, dict(args))
        except bus.refusals as exc:
            savepoint.rollback()
            return None, f"{name} refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - one broken inject must not stop the exercise
            # Anything else (a geometry the rules reject, a bug) is kept on the inject with its type, in
            # the log with its trace, and the exercise goes on with the next one.
            savepoint.rollback()
            log.exception("inject %s of exercise %s failed", inj.no, ex.id)
            return None, f"{name} failed: {type(exc).__name__}: {exc}"
        savepoint.commit()
        return ex_rules.record_of(name, result), None

    return deliver


def _start(ctx: CallContext, args: dict[str, Any]) -> dict:
    ctx.decided_at_centre(CENTRE_ONLY)
    actor = ctx.actor(args)
    if args.get("builtin"):
        name = str(args["builtin"])
        if name not in ex_rules.builtin_names():
            raise InputError(
                f"unknown built-in scenario {name!r} (one of {', '.join(ex_rules.builtin_names())})"
            )
        scenario = ex_rules.load_scenario(name)
    else:
        scenario = ex_rules.scenario_from_args(args.get("scenario"))
    start = args.get("from")
    from_s = 0.0 if start in (None, "") else parse_scenario_time(start, column="from")
    ex, changes = ex_rules.start(
        ctx.session,
        ctx.clock,
        actor,
        scenario,
        speed=args.get("speed") or 1.0,
        from_s=from_s,
        demo=bool(args.get("demo")),
        end_after=args.get("end_after"),
    )
    return {
        "id": ex.id,
        "injects": len(scenario.injects),
        "scenario": ex.scenario,
        "speed": ex.speed,
        "state": ex.state,
        "demo": ex.demo,
        "end_after": ex.end_after,
        "end_s": ex.end_s,
        "journal_seq": changes.journal_seq,
    }


def _tick(bus: CommandBus):
    def handler(ctx: CallContext, args: dict[str, Any]) -> dict:
        """Deliver what is due: of one exercise (``id``), or of every running one."""
        ctx.decided_at_centre(CENTRE_ONLY)
        deliver = _deliverer(bus, ctx)
        if args.get("id") not in (None, ""):
            ids = [args["id"]]
        else:
            ids = ex_rules.exercise_ids(ctx.session, [ex_rules.ExerciseState.RUNNING.value])
        driver = driver_label(args.get("driver")) or _caller(ctx)
        results = []
        for i in ids:
            result = ex_rules.tick(ctx.session, ctx.clock, i, deliver, driver=driver)
            doc = result.as_dict()
            if result.end_due:
                doc.update(_end(bus, ctx, result.exercise_id), ended=True)
            results.append(doc)
        return {"exercises": results}

    return handler


def _caller(ctx: CallContext) -> str:
    """Who ticks, when the tick does not say which driver it is: the person, else the peer."""
    if ctx.person is not None:
        return ctx.person.login or ctx.person.name
    return ctx.peer.name


def _end(bus: CommandBus, ctx: CallContext, exercise_id: int) -> dict[str, Any]:
    """ENDEX of an exercise that ends by itself, by its driver's tick: the bus's own ``exercise.stop``,
    in this transaction, as the exercise's simulation cell (as its injects are delivered), with the
    reason in the journal."""
    ex = ex_rules.get_exercise(ctx.session, exercise_id)
    if ex.end_after == ex_rules.END_AFTER_CLOCK:
        reason = f"the exercise ran to its chosen end ({format_scenario_time(ex.end_s or 0.0)})"
    else:
        reason = "every inject is out and the last one's Expected Within has passed"
    sub = dataclasses.replace(
        ctx, person=ex_rules.ending_actor(ex), exercise_id=None, forward_args=None, forward_subject=""
    )
    stopped = bus.spec("exercise.stop").handler(sub, {"id": ex.id, "reason": reason})
    return {"state": stopped["state"], "journal_seq": stopped["journal_seq"]}


def _state(fn):
    def handler(ctx: CallContext, args: dict[str, Any]) -> dict:
        ctx.decided_at_centre(CENTRE_ONLY)
        ex, changes = fn(ctx.session, ctx.clock, ctx.actor(args), _id(args))
        return {"id": ex.id, "state": ex.state, "journal_seq": changes.journal_seq}

    return handler


def _stop(ctx: CallContext, args: dict[str, Any]) -> dict:
    ctx.decided_at_centre(CENTRE_ONLY)
    reason = str(args.get("reason") or "")
    ex, changes = ex_rules.stop(ctx.session, ctx.clock, ctx.actor(args), _id(args), reason)
    return {"id": ex.id, "state": ex.state, "journal_seq": changes.journal_seq}


def _inject(ctx: CallContext, args: dict[str, Any]) -> dict:
    ctx.decided_at_centre(CENTRE_ONLY)
    row = args.get("inject")
    if not isinstance(row, dict):
        raise InputError("exercise.inject needs 'inject': a map of MSEL columns (kind, message, ...)")
    item, changes = ex_rules.add_inject(ctx.session, ctx.clock, ctx.actor(args), _id(args), row)
    return {"id": item.exercise_id, "no": item.no, "time_s": item.time_s, "journal_seq": changes.journal_seq}


def _forwarded(ctx: CallContext, args: dict[str, Any]) -> dict | None:
    """At a district node: a player's acknowledgement or an evaluator's note goes to the centre, where the
    exercise lives (checked here against the replica first, and taken as the person who signed in here).
    None at the centre."""
    if ctx.at_centre:
        return None
    ctx.actor(args)  # a person who signed in at this node, of this district or of none
    ex = ex_rules.get_exercise(ctx.session, _id(args))
    if args.get("no"):
        ex_rules.inject_of(ctx.session, ex.id, str(args["no"]))
    ctx.forward_args = dict(args)
    ctx.forward_subject = f"/exercise/{ex.id}"
    return {"id": ex.id, "no": args.get("no"), "forwarded": True}


def _ack(ctx: CallContext, args: dict[str, Any]) -> dict:
    forwarded = _forwarded(ctx, args)
    if forwarded is not None:
        return forwarded
    inj, changes = ex_rules.acknowledge(
        ctx.session, ctx.clock, ctx.actor(args), _id(args), str(args.get("no") or "")
    )
    return {"id": inj.exercise_id, "no": inj.no, "state": inj.state, "journal_seq": changes.journal_seq}


def _note(ctx: CallContext, args: dict[str, Any]) -> dict:
    forwarded = _forwarded(ctx, args)
    if forwarded is not None:
        return forwarded
    note, changes = ex_rules.add_note(
        ctx.session,
        ctx.clock,
        ctx.actor(args),
        _id(args),
        str(args.get("text") or ""),
        str(args.get("kind") or "observation"),
        str(args["no"]) if args.get("no") else None,
    )
    return {"id": note.exercise_id, "note": note.id, "journal_seq": changes.journal_seq}


def _improvement(ctx: CallContext, args: dict[str, Any]) -> dict:
    ctx.decided_at_centre(CENTRE_ONLY)
    item, changes = ex_rules.add_improvement(
        ctx.session,
        ctx.clock,
        ctx.actor(args),
        _id(args),
        issue=str(args.get("issue") or ""),
        action=str(args.get("action") or ""),
        owner=str(args.get("owner") or ""),
        due=args.get("due") or None,
        objective=str(args.get("objective") or ""),
    )
    return {"id": item.exercise_id, "item": item.id, "journal_seq": changes.journal_seq}


def _purge(ctx: CallContext, args: dict[str, Any]) -> dict:
    """Remove a stopped or completed exercise's records (``modes.exercises.purge``), with the reason."""
    ctx.decided_at_centre(CENTRE_ONLY)
    reason = args.get("reason")
    return purge(
        ctx.session, ctx.clock, ctx.actor(args), _id(args), None if reason is None else str(reason)
    ).as_dict()


def _status(ctx: CallContext, args: dict[str, Any]) -> dict:
    ex = ex_rules.get_exercise(ctx.session, _id(args))
    return status_document(ctx.session, ex, wall_now(ctx.clock))


def _list(ctx: CallContext, args: dict[str, Any]) -> dict:
    from modes.exercises.listing import exercise_list

    return exercise_list(ctx.session, wall_now(ctx.clock))


def register(bus: CommandBus) -> None:
    replicated.register()
    bus.refuse_on(ExerciseRefused)
    bus.register("exercise.start", _start)
    bus.register("exercise.tick", _tick(bus))
    bus.register("exercise.pause", _state(ex_rules.pause))
    bus.register("exercise.resume", _state(ex_rules.resume))
    bus.register("exercise.stop", _stop)
    bus.register("exercise.inject", _inject)
    # The players and evaluators at district centres act through their node: forwarded to the centre.
    bus.register("exercise.ack", _ack, forward=True)
    bus.register("exercise.note", _note, forward=True)
    bus.register("exercise.improvement", _improvement)
    bus.register("exercise.purge", _purge)
    bus.register("query.exercise", _status)
    bus.register("query.exercises", _list)
