"""The exercise tables on the shared picture (docs/protocol.md section 7.12): a district node and every
attached console see which exercise runs (the EXERCISE banner and watermark), its injects and notes (the
controller page). Registered by ``link_commands.register`` in every process that builds or applies the
picture."""

from __future__ import annotations

from data.exercise_models import Exercise, ExerciseInject, ExerciseNote, ImprovementItem
from modes.common.mode_tables import register_tables, subject_rule
from modes.common.picture import TableSpec

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
# Built once: registering the same rule objects again is a no-op.
RULES = {
    # Every exercise.* event is on exercise/<id> and names the inject, note or plan item it changed.
    "exercise.": subject_rule(
        "exercise",
        "exercise/",
        {"inject": "exercise_inject", "note": "exercise_note", "item": "exercise_improvement"},
    ),
    # Starting writes every inject; stopping skips the pending ones; a purge removes them all.
    "exercise.started": subject_rule("exercise", "exercise/", owned=_OWNED),
    "exercise.stopped": subject_rule("exercise", "exercise/", owned=_OWNED),
    "exercise.purged": subject_rule("exercise", "exercise/", owned=_OWNED),
}


def register() -> None:
    register_tables(SPECS, RULES)
