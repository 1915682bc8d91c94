"""The exercise tables on the shared picture (docs/protocol.md section 7.12): a district node and every
attached console see which exercise runs (the EXERCISE banner and watermark), its injects and notes (the
controller page). Registered by ``link_commands.register`` in every process that builds or applies the
picture."""

from __future__ import annotations

from data.exercise_models import Exercise, ExerciseInject, ExerciseNote, ImprovementItem
from data.models import JournalEvent
from modes.common.mode_tables import register_tables, subject_rule
from modes.common.picture import SPEC_BY_NAME, TableSpec, Touched

SPECS: tuple[TableSpec, ...] = (
    TableSpec("exercise", Exercise.__table__, "/exercise/", ("id",)),
    TableSpec("exercise_inject", ExerciseInject.__table__, "/exercise_inject/", ("id",)),
    TableSpec("exercise_note", ExerciseNote.__table__, "/exercise_note/", ("id",)),
    TableSpec("exercise_improvement", ImprovementItem.__table__, "/exercise_improvement/", ("id",)),
)

_OWNED = {
    "exercise_inject": "exercise_id",
    "exercise_note": "exercise_id",
    "exercise_improvement": "exercise_id",
}
# A purge's removed rows by table (its payload's ``removed``) -> the picture's table of them; alarms and
# dispatch orders are keys of their modes' sources (``/alarm/<id>/<district>``, ``/task/<order id>``).
_PURGED_ROWS = {
    "cases": "case",
    "incidents": "incident",
    "incident_roles": "incident_role",
    "dispatch_tasks": "dispatch_task",
    "incident_log": "incident_log",
}
_exercise_rows = subject_rule("exercise", "exercise/", owned=_OWNED)


def _purged(ev: JournalEvent, t: Touched) -> None:
    """An exercise purged: every row and key it removed leaves the picture (read again, found gone)."""
    _exercise_rows(ev, t)
    payload = ev.payload or {}
    removed = payload.get("removed") or {}
    for table, spec in _PURGED_ROWS.items():
        if spec in SPEC_BY_NAME:  # a process without that mode's tables has none of its rows
            for ident in removed.get(table) or ():
                t.row(spec, ident)
    for ident in removed.get("cd_alarms") or ():
        t.thing("alarm", ident)
    for order_id in payload.get("orders") or ():
        t.thing("task", order_id)


# Built once: registering the same rule objects again is a no-op.
RULES = {
    # Every exercise.* event is on exercise/<id> and names the inject, note or plan item it changed.
    "exercise.": subject_rule(
        "exercise",
        "exercise/",
        {"inject": "exercise_inject", "note": "exercise_note", "item": "exercise_improvement"},
    ),
    # Starting writes every inject; stopping skips the pending ones; a purge removes the exercise's records.
    "exercise.started": _exercise_rows,
    "exercise.stopped": _exercise_rows,
    "exercise.purged": _purged,
}


def register() -> None:
    register_tables(SPECS, RULES)
