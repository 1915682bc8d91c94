"""Translated labels of the emergency mode's vocabulary: incident types, levels, statuses, task
statuses, ICS positions, capabilities and categories (looked up at display time, as ``console.texts``).

Levels carry the Roman numeral of the standard; Chinese shows it as the numeral character (Ⅱ级), so a
Chinese screen shows no Latin letters of its own.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from console.texts import label_from
from data.emergency_models import Capability, IcsPosition, IncidentCategory, IncidentStatus, TaskStatus

# Warning colours of the levels (the same hues as the briefing's).
LEVEL_HEX = {"I": "#d32f2f", "II": "#f57c00", "III": "#fbc02d", "IV": "#1976d2"}
COLOUR_HEX = {"red": "#d32f2f", "orange": "#f57c00", "yellow": "#fbc02d", "blue": "#1976d2"}

INCIDENT_TYPES: dict[str, str] = {
    "0401": QT_TRANSLATE_NOOP("IncidentTypes", "Road collapse"),
    "0402": QT_TRANSLATE_NOOP("IncidentTypes", "Water main burst"),
    "0403": QT_TRANSLATE_NOOP("IncidentTypes", "Gas main rupture"),
    "0404": QT_TRANSLATE_NOOP("IncidentTypes", "Sewer blockage or break"),
    "0405": QT_TRANSLATE_NOOP("IncidentTypes", "Heating main burst"),
    "0406": QT_TRANSLATE_NOOP("IncidentTypes", "Road flooding"),
    "0407": QT_TRANSLATE_NOOP("IncidentTypes", "Snow and ice on roads"),
    "0408": QT_TRANSLATE_NOOP("IncidentTypes", "Fallen overhead cables"),
    "0409": QT_TRANSLATE_NOOP("IncidentTypes", "Mass incident"),
    "0499": QT_TRANSLATE_NOOP("IncidentTypes", "Other sudden event"),
    "fire": QT_TRANSLATE_NOOP("IncidentTypes", "Fire"),
    "flood": QT_TRANSLATE_NOOP("IncidentTypes", "Flood"),
    "gas_leak": QT_TRANSLATE_NOOP("IncidentTypes", "Gas leak"),
    "building_collapse": QT_TRANSLATE_NOOP("IncidentTypes", "Building collapse"),
    "hazmat": QT_TRANSLATE_NOOP("IncidentTypes", "Hazardous materials release"),
    "explosion": QT_TRANSLATE_NOOP("IncidentTypes", "Explosion"),
    "traffic_accident": QT_TRANSLATE_NOOP("IncidentTypes", "Major traffic accident"),
    "earthquake": QT_TRANSLATE_NOOP("IncidentTypes", "Earthquake"),
    "mass_gathering": QT_TRANSLATE_NOOP("IncidentTypes", "Crowd crush at a mass gathering"),
    "epidemic": QT_TRANSLATE_NOOP("IncidentTypes", "Epidemic outbreak"),
    "food_poisoning": QT_TRANSLATE_NOOP("IncidentTypes", "Mass food poisoning"),
    "terror": QT_TRANSLATE_NOOP("IncidentTypes", "Terrorist attack"),
}

LEVELS: dict[str, str] = {
    "I": QT_TRANSLATE_NOOP("IncidentLevels", "Level I (extremely serious)"),
    "II": QT_TRANSLATE_NOOP("IncidentLevels", "Level II (serious)"),
    "III": QT_TRANSLATE_NOOP("IncidentLevels", "Level III (relatively serious)"),
    "IV": QT_TRANSLATE_NOOP("IncidentLevels", "Level IV (general)"),
}
LEVELS_SHORT: dict[str, str] = {
    "I": QT_TRANSLATE_NOOP("IncidentLevels", "I"),
    "II": QT_TRANSLATE_NOOP("IncidentLevels", "II"),
    "III": QT_TRANSLATE_NOOP("IncidentLevels", "III"),
    "IV": QT_TRANSLATE_NOOP("IncidentLevels", "IV"),
}

STATUSES: dict[str, str] = {
    IncidentStatus.REPORTED.value: QT_TRANSLATE_NOOP("IncidentStatuses", "Reported"),
    IncidentStatus.RESPONDING.value: QT_TRANSLATE_NOOP("IncidentStatuses", "Responding"),
    IncidentStatus.CONTAINED.value: QT_TRANSLATE_NOOP("IncidentStatuses", "Contained"),
    IncidentStatus.CLOSED.value: QT_TRANSLATE_NOOP("IncidentStatuses", "Closed"),
}

TASK_STATUSES: dict[str, str] = {
    TaskStatus.ASSIGNED.value: QT_TRANSLATE_NOOP("TaskStatuses", "Assigned"),
    TaskStatus.EN_ROUTE.value: QT_TRANSLATE_NOOP("TaskStatuses", "En route"),
    TaskStatus.ON_SCENE.value: QT_TRANSLATE_NOOP("TaskStatuses", "On scene"),
    TaskStatus.DONE.value: QT_TRANSLATE_NOOP("TaskStatuses", "Done"),
    TaskStatus.CANCELLED.value: QT_TRANSLATE_NOOP("TaskStatuses", "Cancelled"),
}

POSITIONS: dict[str, str] = {
    IcsPosition.COMMANDER.value: QT_TRANSLATE_NOOP("IcsPositions", "Incident commander"),
    IcsPosition.OPERATIONS.value: QT_TRANSLATE_NOOP("IcsPositions", "Operations"),
    IcsPosition.PLANNING.value: QT_TRANSLATE_NOOP("IcsPositions", "Planning"),
    IcsPosition.LOGISTICS.value: QT_TRANSLATE_NOOP("IcsPositions", "Logistics"),
    IcsPosition.FINANCE.value: QT_TRANSLATE_NOOP("IcsPositions", "Finance and administration"),
    IcsPosition.LIAISON.value: QT_TRANSLATE_NOOP("IcsPositions", "Liaison"),
    IcsPosition.SAFETY.value: QT_TRANSLATE_NOOP("IcsPositions", "Safety"),
    IcsPosition.PUBLIC_INFORMATION.value: QT_TRANSLATE_NOOP("IcsPositions", "Public information"),
}
# The order of the organisation table: the commander, the sections, then the command staff.
POSITION_ORDER = ("commander", "operations", "planning", "logistics", "finance", "liaison", "safety",
                  "public_information")  # fmt: skip

CAPABILITIES: dict[str, str] = {
    Capability.FIRE.value: QT_TRANSLATE_NOOP("Capabilities", "Fire fighting"),
    Capability.RESCUE.value: QT_TRANSLATE_NOOP("Capabilities", "Technical rescue"),
    Capability.SEARCH_RESCUE.value: QT_TRANSLATE_NOOP("Capabilities", "Search and rescue"),
    Capability.HAZMAT.value: QT_TRANSLATE_NOOP("Capabilities", "Hazardous materials"),
    Capability.MEDICAL.value: QT_TRANSLATE_NOOP("Capabilities", "Ambulance"),
    Capability.POLICE.value: QT_TRANSLATE_NOOP("Capabilities", "Police"),
    Capability.GAS_REPAIR.value: QT_TRANSLATE_NOOP("Capabilities", "Gas repair"),
    Capability.WATER_REPAIR.value: QT_TRANSLATE_NOOP("Capabilities", "Water repair"),
    Capability.HEATING_REPAIR.value: QT_TRANSLATE_NOOP("Capabilities", "Heating repair"),
    Capability.POWER_REPAIR.value: QT_TRANSLATE_NOOP("Capabilities", "Power repair"),
    Capability.PUMPING.value: QT_TRANSLATE_NOOP("Capabilities", "Pumping"),
    Capability.ROAD_REPAIR.value: QT_TRANSLATE_NOOP("Capabilities", "Road repair"),
    Capability.HEAVY_EQUIPMENT.value: QT_TRANSLATE_NOOP("Capabilities", "Heavy equipment"),
    Capability.TRANSPORT.value: QT_TRANSLATE_NOOP("Capabilities", "Transport"),
    Capability.SUPPLIES.value: QT_TRANSLATE_NOOP("Capabilities", "Supplies"),
}

CATEGORIES: dict[str, str] = {
    IncidentCategory.NATURAL_DISASTER.value: QT_TRANSLATE_NOOP("IncidentCategories", "Natural disaster"),
    IncidentCategory.ACCIDENT.value: QT_TRANSLATE_NOOP("IncidentCategories", "Accident"),
    IncidentCategory.PUBLIC_HEALTH.value: QT_TRANSLATE_NOOP("IncidentCategories", "Public health"),
    IncidentCategory.SOCIAL_SECURITY.value: QT_TRANSLATE_NOOP("IncidentCategories", "Social security"),
}


def type_label(code: str) -> str:
    return label_from("IncidentTypes", INCIDENT_TYPES, code)


def level_label(level: str) -> str:
    return label_from("IncidentLevels", LEVELS, level)


def level_short(level: str) -> str:
    return label_from("IncidentLevels", LEVELS_SHORT, level)


def status_label(status: str) -> str:
    return label_from("IncidentStatuses", STATUSES, status)


def task_status_label(status: str) -> str:
    return label_from("TaskStatuses", TASK_STATUSES, status)


def position_label(position: str) -> str:
    return label_from("IcsPositions", POSITIONS, position)


def capability_label(capability: str) -> str:
    return label_from("Capabilities", CAPABILITIES, capability)


def category_label(category: str) -> str:
    return label_from("IncidentCategories", CATEGORIES, category)
