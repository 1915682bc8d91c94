"""Translated labels of the exercise vocabulary (inject kinds and states, note kinds), the exercise
colours, and the bilingual EXERCISE mark.

The mark reads ``演练 EXERCISE`` in either language on purpose: like the stamp on a drill's paper
forms, anyone in the room, and anyone reading a screenshot later, must see at once that what it marks
is not real, whatever language the console is set to.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from console.texts import label_from

STAMP = "演练 EXERCISE"
DEMO_STAMP = "演示 DEMO"  # the first-run demonstration exercise, marked the same way
# Violet: none of the modes' colours (teal, red and amber, orange), so an exercise never reads as a mode.
BANNER_BG = "#4a148c"
BANNER_FG = "#f8eaff"
BANNER_EDGE = "#e040fb"
STAMP_BG = "#e040fb"
STAMP_FG = "#1a0026"
MARK_FG = "#e58cff"  # the mark on a dark table row or label
DRIVER_OK_FG = "#7fbf95"  # the controller's driver line while a driver ticks: quiet
DRIVER_DEAD_FG = "#ff6b6b"  # and when none does: injects are not being delivered

CONTEXT = "Exercises"

KINDS: dict[str, str] = {
    "report": QT_TRANSLATE_NOOP("Exercises", "Report"),
    "incident": QT_TRANSLATE_NOOP("Exercises", "Incident"),
    "alarm": QT_TRANSLATE_NOOP("Exercises", "Alarm"),
    "asset": QT_TRANSLATE_NOOP("Exercises", "Asset"),
    "unit": QT_TRANSLATE_NOOP("Exercises", "Unit"),
    "message": QT_TRANSLATE_NOOP("Exercises", "Message"),
}

STATES: dict[str, str] = {
    "pending": QT_TRANSLATE_NOOP("Exercises", "Pending"),
    "delivered": QT_TRANSLATE_NOOP("Exercises", "Delivered"),
    "acknowledged": QT_TRANSLATE_NOOP("Exercises", "Acknowledged"),
    "actioned": QT_TRANSLATE_NOOP("Exercises", "Actioned"),
    "refused": QT_TRANSLATE_NOOP("Exercises", "Refused"),
    "skipped": QT_TRANSLATE_NOOP("Exercises", "Skipped"),
}

# The MSEL table's state colours on the dark theme: waiting grey, out blue, seen teal, done green,
# refused red, skipped dim.
STATE_COLOURS: dict[str, str] = {
    "pending": "#8394a6",
    "delivered": "#4da3ff",
    "acknowledged": "#2bb3a3",
    "actioned": "#4cd07d",
    "refused": "#ff6b6b",
    "skipped": "#56636f",
}

EXERCISE_STATES: dict[str, str] = {
    "running": QT_TRANSLATE_NOOP("Exercises", "running"),
    "paused": QT_TRANSLATE_NOOP("Exercises", "paused"),
    "stopped": QT_TRANSLATE_NOOP("Exercises", "stopped (ENDEX)"),
    "completed": QT_TRANSLATE_NOOP("Exercises", "completed (ENDEX)"),
}

NOTE_KINDS: dict[str, str] = {
    "observation": QT_TRANSLATE_NOOP("Exercises", "Observation"),
    "strength": QT_TRANSLATE_NOOP("Exercises", "Strength"),
    "improvement": QT_TRANSLATE_NOOP("Exercises", "Area for improvement"),
    "met": QT_TRANSLATE_NOOP("Exercises", "Expected action met"),
    "missed": QT_TRANSLATE_NOOP("Exercises", "Expected action missed"),
}

UNIT_STATUSES: dict[str, str] = {
    "available": QT_TRANSLATE_NOOP("Exercises", "Available"),
    "assigned": QT_TRANSLATE_NOOP("Exercises", "Assigned"),
    "out_of_service": QT_TRANSLATE_NOOP("Exercises", "Out of service"),
}

RECORD_CHOICES: dict[str, str] = {
    "leave": QT_TRANSLATE_NOOP("Exercises", "leave out"),
    "include": QT_TRANSLATE_NOOP("Exercises", "include"),
    "only": QT_TRANSLATE_NOOP("Exercises", "only"),
}


def kind_label(kind: str) -> str:
    return label_from(CONTEXT, KINDS, kind)


def state_label(state: str) -> str:
    return label_from(CONTEXT, STATES, state)


def exercise_state_label(state: str) -> str:
    return label_from(CONTEXT, EXERCISE_STATES, state)


def note_kind_label(kind: str) -> str:
    return label_from(CONTEXT, NOTE_KINDS, kind)


def unit_status_label(status: str) -> str:
    return label_from(CONTEXT, UNIT_STATUSES, status)


def records_label(choice: str) -> str:
    return label_from(CONTEXT, RECORD_CHOICES, choice)


def t_plus(seconds: float) -> str:
    """Scenario time as the controllers say it: ``T+03:25:07`` (whole seconds, never rounded up, so the
    clock never shows an inject's time before it is due)."""
    s = int(max(0.0, seconds))
    return f"T+{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
