"""Translated names of the civil-defence vocabulary (signals, siren and shelter states, classes)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from console.texts import label_from
from data.civil_defence_models import AlarmKind, ShelterClass, ShelterStatus, SirenStatus

CONTEXT = "CivilDefence"

SIGNAL_NAMES: dict[str, str] = {
    AlarmKind.PRE.value: QT_TRANSLATE_NOOP("CivilDefence", "Pre-warning"),
    AlarmKind.RAID.value: QT_TRANSLATE_NOOP("CivilDefence", "Air raid"),
    AlarmKind.CLEAR.value: QT_TRANSLATE_NOOP("CivilDefence", "All clear"),
}

SIGNAL_PATTERNS: dict[str, str] = {
    AlarmKind.PRE.value: QT_TRANSLATE_NOOP("CivilDefence", "36 s on, 24 s off, 3 times"),
    AlarmKind.RAID.value: QT_TRANSLATE_NOOP("CivilDefence", "6 s on, 6 s off, 15 times"),
    AlarmKind.CLEAR.value: QT_TRANSLATE_NOOP("CivilDefence", "one continuous 3-minute tone"),
}

SIREN_STATES: dict[str, str] = {
    SirenStatus.IN_SERVICE.value: QT_TRANSLATE_NOOP("CivilDefence", "In service"),
    SirenStatus.OUT_OF_SERVICE.value: QT_TRANSLATE_NOOP("CivilDefence", "Out of service"),
    SirenStatus.DAMAGED.value: QT_TRANSLATE_NOOP("CivilDefence", "Damaged"),
}

SHELTER_STATES: dict[str, str] = {
    ShelterStatus.OPEN.value: QT_TRANSLATE_NOOP("CivilDefence", "Open"),
    ShelterStatus.CLOSED.value: QT_TRANSLATE_NOOP("CivilDefence", "Closed"),
    ShelterStatus.DAMAGED.value: QT_TRANSLATE_NOOP("CivilDefence", "Damaged"),
}

SHELTER_CLASSES: dict[str, str] = {
    ShelterClass.COMMAND_POST.value: QT_TRANSLATE_NOOP("CivilDefence", "Command post"),
    ShelterClass.MEDICAL.value: QT_TRANSLATE_NOOP("CivilDefence", "Medical"),
    ShelterClass.PROFESSIONAL_TEAM.value: QT_TRANSLATE_NOOP("CivilDefence", "Professional team"),
    ShelterClass.PERSONNEL_1.value: QT_TRANSLATE_NOOP("CivilDefence", "Personnel, class 1"),
    ShelterClass.PERSONNEL_2.value: QT_TRANSLATE_NOOP("CivilDefence", "Personnel, class 2"),
    ShelterClass.SUPPORT.value: QT_TRANSLATE_NOOP("CivilDefence", "Support"),
}


# Where a CAP alert stands at an outbound hook (modes.common.cap_hooks.HookDelivery.state), and how an
# attempt ended (data.cap_models.AttemptOutcome).
HOOK_STATES: dict[str, str] = {
    "pending": QT_TRANSLATE_NOOP("CivilDefence", "Pending"),
    "sending": QT_TRANSLATE_NOOP("CivilDefence", "Sending"),
    "retrying": QT_TRANSLATE_NOOP("CivilDefence", "Retrying"),
    "delivered": QT_TRANSLATE_NOOP("CivilDefence", "Delivered"),
    "gave_up": QT_TRANSLATE_NOOP("CivilDefence", "Gave up"),
}

ATTEMPT_OUTCOMES: dict[str, str] = {
    "sending": QT_TRANSLATE_NOOP("CivilDefence", "sending"),
    "delivered": QT_TRANSLATE_NOOP("CivilDefence", "delivered"),
    "failed": QT_TRANSLATE_NOOP("CivilDefence", "failed"),
    "timeout": QT_TRANSLATE_NOOP("CivilDefence", "timed out"),
    "abandoned": QT_TRANSLATE_NOOP("CivilDefence", "abandoned"),
}


def hook_state(state: str) -> str:
    return label_from(CONTEXT, HOOK_STATES, state)


def attempt_outcome(outcome: str) -> str:
    return label_from(CONTEXT, ATTEMPT_OUTCOMES, outcome)


def signal_name(kind: str) -> str:
    return label_from(CONTEXT, SIGNAL_NAMES, kind)


def signal_pattern(kind: str) -> str:
    return label_from(CONTEXT, SIGNAL_PATTERNS, kind)


def siren_state(status: str) -> str:
    return label_from(CONTEXT, SIREN_STATES, status)


def shelter_state(status: str) -> str:
    return label_from(CONTEXT, SHELTER_STATES, status)


def shelter_class(value: str) -> str:
    return label_from(CONTEXT, SHELTER_CLASSES, value)
