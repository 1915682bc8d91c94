"""Translated labels of the domain's enumerations (roles, modes, states, component majors).

The source strings are marked with ``QT_TRANSLATE_NOOP`` so ``pyside6-lupdate`` collects them, and looked
up at display time with ``QCoreApplication.translate``, so a language change needs no restart of the
data layer.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from data.models import CameraStatus, ComponentState, Role
from modes.common.mode_switch import Mode

ROLE_LABELS: dict[str, str] = {
    Role.SUPERVISOR.value: QT_TRANSLATE_NOOP("Roles", "Supervisor"),
    Role.OPERATOR.value: QT_TRANSLATE_NOOP("Roles", "Operator"),
    Role.SHIFT_LEADER.value: QT_TRANSLATE_NOOP("Roles", "Shift leader"),
    Role.DISPATCHER.value: QT_TRANSLATE_NOOP("Roles", "Dispatcher"),
    Role.DEPARTMENT.value: QT_TRANSLATE_NOOP("Roles", "Department"),
    Role.COMMANDER.value: QT_TRANSLATE_NOOP("Roles", "Commander"),
    Role.CIVIL_DEFENCE.value: QT_TRANSLATE_NOOP("Roles", "Civil-defence officer"),
    Role.DRILL.value: QT_TRANSLATE_NOOP("Roles", "Drill coordinator"),
    Role.APP.value: QT_TRANSLATE_NOOP("Roles", "Open311 application"),
}

MODE_LABELS: dict[str, str] = {
    Mode.EVERYDAY.value: QT_TRANSLATE_NOOP("Modes", "City management"),
    Mode.CIVIL_DEFENCE.value: QT_TRANSLATE_NOOP("Modes", "Civil air defence"),
    Mode.EMERGENCY.value: QT_TRANSLATE_NOOP("Modes", "Emergency rescue"),
}

# The short names on the always-visible mode buttons.
MODE_SHORT: dict[str, str] = {
    Mode.EVERYDAY.value: QT_TRANSLATE_NOOP("Modes", "CITY"),
    Mode.CIVIL_DEFENCE.value: QT_TRANSLATE_NOOP("Modes", "AIR DEFENCE"),
    Mode.EMERGENCY.value: QT_TRANSLATE_NOOP("Modes", "EMERGENCY"),
}

MODE_BANNERS: dict[str, str] = {
    Mode.EVERYDAY.value: QT_TRANSLATE_NOOP("Modes", "CITY MANAGEMENT · PEACETIME"),
    Mode.CIVIL_DEFENCE.value: QT_TRANSLATE_NOOP("Modes", "CIVIL AIR DEFENCE · WARTIME"),
    Mode.EMERGENCY.value: QT_TRANSLATE_NOOP("Modes", "EMERGENCY"),
}

COMPONENT_STATES: dict[str, str] = {
    ComponentState.INTACT.value: QT_TRANSLATE_NOOP("ComponentStates", "Intact"),
    ComponentState.DAMAGED.value: QT_TRANSLATE_NOOP("ComponentStates", "Damaged"),
    ComponentState.LOST.value: QT_TRANSLATE_NOOP("ComponentStates", "Lost"),
    ComponentState.ABANDONED.value: QT_TRANSLATE_NOOP("ComponentStates", "Abandoned"),
    ComponentState.REMOVED.value: QT_TRANSLATE_NOOP("ComponentStates", "Removed"),
}

CAMERA_STATUSES: dict[str, str] = {
    CameraStatus.ONLINE.value: QT_TRANSLATE_NOOP("CameraStatuses", "Online"),
    CameraStatus.OFFLINE.value: QT_TRANSLATE_NOOP("CameraStatuses", "Offline"),
    CameraStatus.FAULT.value: QT_TRANSLATE_NOOP("CameraStatuses", "Fault"),
}

CAMERA_PLACES: dict[str, str] = {
    "road": QT_TRANSLATE_NOOP("CameraPlaces", "Road"),
    "square": QT_TRANSLATE_NOOP("CameraPlaces", "Square"),
    "park": QT_TRANSLATE_NOOP("CameraPlaces", "Park"),
}

# Component majors by the standard's major name (the database keeps the Chinese name of the standard).
COMPONENT_MAJORS: dict[str, str] = {
    "市政公用设施": QT_TRANSLATE_NOOP("ComponentMajors", "Public utilities"),
    "交通设施": QT_TRANSLATE_NOOP("ComponentMajors", "Road traffic"),
    "道路交通设施": QT_TRANSLATE_NOOP("ComponentMajors", "Road traffic"),
    "市容环卫设施": QT_TRANSLATE_NOOP("ComponentMajors", "City appearance"),
    "市容环境设施": QT_TRANSLATE_NOOP("ComponentMajors", "City appearance"),
    "园林绿化设施": QT_TRANSLATE_NOOP("ComponentMajors", "Landscaping"),
    "房屋土地": QT_TRANSLATE_NOOP("ComponentMajors", "Buildings and land"),
    "其他管理部件": QT_TRANSLATE_NOOP("ComponentMajors", "Other components"),
    "其他设施": QT_TRANSLATE_NOOP("ComponentMajors", "Other facilities"),
}


LAND_USES: dict[str, str] = {
    "residential": QT_TRANSLATE_NOOP("LandUses", "Residential"),
    "commercial": QT_TRANSLATE_NOOP("LandUses", "Commercial"),
    "mixed": QT_TRANSLATE_NOOP("LandUses", "Mixed use"),
    "industrial": QT_TRANSLATE_NOOP("LandUses", "Industrial"),
    "park": QT_TRANSLATE_NOOP("LandUses", "Park"),
    "waterfront": QT_TRANSLATE_NOOP("LandUses", "Waterfront"),
    "campus": QT_TRANSLATE_NOOP("LandUses", "Campus"),
}

# The demo-city generator's progress stages (data.demo_city), shown in the first-run dialog.
SEED_STAGES: dict[str, str] = {
    "land and river": QT_TRANSLATE_NOOP("SeedStages", "land and river"),
    "grid cells": QT_TRANSLATE_NOOP("SeedStages", "grid cells"),
    "districts": QT_TRANSLATE_NOOP("SeedStages", "districts"),
    "streets and communities": QT_TRANSLATE_NOOP("SeedStages", "streets and communities"),
    "cell codes": QT_TRANSLATE_NOOP("SeedStages", "cell codes"),
    "roads and land use": QT_TRANSLATE_NOOP("SeedStages", "roads and land use"),
    "supervisors": QT_TRANSLATE_NOOP("SeedStages", "supervisors"),
    "cameras": QT_TRANSLATE_NOOP("SeedStages", "cameras"),
    "components": QT_TRANSLATE_NOOP("SeedStages", "components"),
    "organisation": QT_TRANSLATE_NOOP("SeedStages", "organisation"),
    "departments and types": QT_TRANSLATE_NOOP("SeedStages", "departments and types"),
    "supervisors and cells": QT_TRANSLATE_NOOP("SeedStages", "supervisors and cells"),
    "journal": QT_TRANSLATE_NOOP("SeedStages", "journal"),
    "history: loading the city": QT_TRANSLATE_NOOP("SeedStages", "a month of cases: loading the city"),
    "history: cases": QT_TRANSLATE_NOOP("SeedStages", "a month of cases"),
    "done": QT_TRANSLATE_NOOP("SeedStages", "done"),
}


def label_from(context: str, table: dict[str, str], key: str) -> str:
    """``key``'s label from ``table`` (source strings marked with ``QT_TRANSLATE_NOOP(context, ...)``),
    translated now; an unknown key shows as itself rather than vanishing. The label tables of the
    modes' panels use it too."""
    source = table.get(key)
    return QCoreApplication.translate(context, source) if source else key


def role_label(role: str) -> str:
    return label_from("Roles", ROLE_LABELS, role)


def mode_label(mode: str) -> str:
    return label_from("Modes", MODE_LABELS, mode)


def mode_short(mode: str) -> str:
    return label_from("Modes", MODE_SHORT, mode)


def mode_banner(mode: str) -> str:
    return label_from("Modes", MODE_BANNERS, mode)


def component_state_label(state: str) -> str:
    return label_from("ComponentStates", COMPONENT_STATES, state)


def camera_status_label(status: str) -> str:
    return label_from("CameraStatuses", CAMERA_STATUSES, status)


def camera_place_label(place: str) -> str:
    return label_from("CameraPlaces", CAMERA_PLACES, place)


def component_major_label(major_name: str) -> str:
    return label_from("ComponentMajors", COMPONENT_MAJORS, major_name)


def land_use_label(land_use: str) -> str:
    return label_from("LandUses", LAND_USES, land_use)


def seed_stage_label(stage: str) -> str:
    return label_from("SeedStages", SEED_STAGES, stage)


# pyqtgraph asks our catalogue for these when its scene is built; listed here so lupdate files them.
PYQTGRAPH_STRINGS = (QT_TRANSLATE_NOOP("GraphicsScene", "Export..."),)
