"""Translated labels of the case loop's codes: states, actions, channels, stages, outcomes.

Marked with ``QT_TRANSLATE_NOOP`` so ``pyside6-lupdate`` collects them, translated at display time (the
same scheme as ``console.texts``). An unknown code shows as itself rather than vanishing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.texts import label_from

CASE_STATES: dict[str, str] = {
    "reported": QT_TRANSLATE_NOOP("CaseStates", "Reported"),
    "verifying": QT_TRANSLATE_NOOP("CaseStates", "Verifying"),
    "not_found": QT_TRANSLATE_NOOP("CaseStates", "Not found on site"),
    "accepted": QT_TRANSLATE_NOOP("CaseStates", "Accepted"),
    "self_fix_review": QT_TRANSLATE_NOOP("CaseStates", "Self-fix under review"),
    "filed": QT_TRANSLATE_NOOP("CaseStates", "Filed"),
    "dispatched": QT_TRANSLATE_NOOP("CaseStates", "Dispatched"),
    "handling": QT_TRANSLATE_NOOP("CaseStates", "Handling"),
    "extension_requested": QT_TRANSLATE_NOOP("CaseStates", "Extension requested"),
    "return_requested": QT_TRANSLATE_NOOP("CaseStates", "Return requested"),
    "suspension_requested": QT_TRANSLATE_NOOP("CaseStates", "Suspension requested"),
    "suspended": QT_TRANSLATE_NOOP("CaseStates", "Suspended"),
    "feedback": QT_TRANSLATE_NOOP("CaseStates", "Fed back"),
    "checking": QT_TRANSLATE_NOOP("CaseStates", "Checking"),
    "checked": QT_TRANSLATE_NOOP("CaseStates", "Checked"),
    "rework_pending": QT_TRANSLATE_NOOP("CaseStates", "Rework pending"),
    "closed": QT_TRANSLATE_NOOP("CaseStates", "Closed"),
    "evaluated": QT_TRANSLATE_NOOP("CaseStates", "Evaluated"),
    "voided": QT_TRANSLATE_NOOP("CaseStates", "Voided"),
    "merged": QT_TRANSLATE_NOOP("CaseStates", "Merged duplicate"),
}

CASE_ACTIONS: dict[str, str] = {
    "report": QT_TRANSLATE_NOOP("CaseActions", "Report"),
    "accept": QT_TRANSLATE_NOOP("CaseActions", "Accept"),
    "send_verify": QT_TRANSLATE_NOOP("CaseActions", "Send to verify"),
    "self_fix": QT_TRANSLATE_NOOP("CaseActions", "Fixed on the spot"),
    "verify": QT_TRANSLATE_NOOP("CaseActions", "Confirm on site"),
    "not_found": QT_TRANSLATE_NOOP("CaseActions", "Not found on site"),
    "approve_self_fix": QT_TRANSLATE_NOOP("CaseActions", "Approve self-fix"),
    "reject_self_fix": QT_TRANSLATE_NOOP("CaseActions", "Reject self-fix"),
    "file": QT_TRANSLATE_NOOP("CaseActions", "File"),
    "void": QT_TRANSLATE_NOOP("CaseActions", "Void"),
    "dispatch": QT_TRANSLATE_NOOP("CaseActions", "Dispatch"),
    "start": QT_TRANSLATE_NOOP("CaseActions", "Start handling"),
    "feedback": QT_TRANSLATE_NOOP("CaseActions", "Report done"),
    "request_extension": QT_TRANSLATE_NOOP("CaseActions", "Ask for extension"),
    "request_return": QT_TRANSLATE_NOOP("CaseActions", "Ask to return"),
    "request_suspension": QT_TRANSLATE_NOOP("CaseActions", "Ask to suspend"),
    "approve_extension": QT_TRANSLATE_NOOP("CaseActions", "Approve extension"),
    "reject_extension": QT_TRANSLATE_NOOP("CaseActions", "Reject extension"),
    "approve_return": QT_TRANSLATE_NOOP("CaseActions", "Approve return"),
    "reject_return": QT_TRANSLATE_NOOP("CaseActions", "Reject return"),
    "approve_suspension": QT_TRANSLATE_NOOP("CaseActions", "Approve suspension"),
    "reject_suspension": QT_TRANSLATE_NOOP("CaseActions", "Reject suspension"),
    "resume": QT_TRANSLATE_NOOP("CaseActions", "Resume"),
    "close_special": QT_TRANSLATE_NOOP("CaseActions", "Close as special"),
    "send_check": QT_TRANSLATE_NOOP("CaseActions", "Send to check"),
    "check_pass": QT_TRANSLATE_NOOP("CaseActions", "Check passed"),
    "check_fail": QT_TRANSLATE_NOOP("CaseActions", "Check failed"),
    "close": QT_TRANSLATE_NOOP("CaseActions", "Close"),
    "rework": QT_TRANSLATE_NOOP("CaseActions", "Send for rework"),
    "evaluate": QT_TRANSLATE_NOOP("CaseActions", "Record satisfaction"),
    "close_error": QT_TRANSLATE_NOOP("CaseActions", "Close in error"),
    "unlink": QT_TRANSLATE_NOOP("CaseActions", "Unlink duplicate"),
    "history": QT_TRANSLATE_NOOP("CaseActions", "Imported history"),
    "escalated": QT_TRANSLATE_NOOP("CaseActions", "Escalated to an incident"),
}

CHANNELS: dict[str, str] = {
    "supervisor": QT_TRANSLATE_NOOP("CaseChannels", "Supervisor"),
    "camera": QT_TRANSLATE_NOOP("CaseChannels", "Camera"),
    "hotline": QT_TRANSLATE_NOOP("CaseChannels", "12319 hotline"),
    "internet": QT_TRANSLATE_NOOP("CaseChannels", "Internet"),
    "patrol": QT_TRANSLATE_NOOP("CaseChannels", "Patrol vehicle"),
    "media": QT_TRANSLATE_NOOP("CaseChannels", "Media"),
}

STAGES: dict[str, str] = {
    "accept": QT_TRANSLATE_NOOP("CaseStages", "Acceptance"),
    "verify": QT_TRANSLATE_NOOP("CaseStages", "Verification"),
    "file": QT_TRANSLATE_NOOP("CaseStages", "Filing"),
    "dispatch": QT_TRANSLATE_NOOP("CaseStages", "Dispatch"),
    "handle": QT_TRANSLATE_NOOP("CaseStages", "Handling"),
    "send_check": QT_TRANSLATE_NOOP("CaseStages", "Sending to check"),
    "check": QT_TRANSLATE_NOOP("CaseStages", "Check"),
    "close": QT_TRANSLATE_NOOP("CaseStages", "Closing"),
}

# Monday first, as ``datetime.weekday`` counts.
WEEKDAYS: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("CaseWeekdays", "Mon"),
    QT_TRANSLATE_NOOP("CaseWeekdays", "Tue"),
    QT_TRANSLATE_NOOP("CaseWeekdays", "Wed"),
    QT_TRANSLATE_NOOP("CaseWeekdays", "Thu"),
    QT_TRANSLATE_NOOP("CaseWeekdays", "Fri"),
    QT_TRANSLATE_NOOP("CaseWeekdays", "Sat"),
    QT_TRANSLATE_NOOP("CaseWeekdays", "Sun"),
)

SATISFACTION: dict[str, str] = {
    "satisfied": QT_TRANSLATE_NOOP("CaseSatisfaction", "Satisfied"),
    "basic": QT_TRANSLATE_NOOP("CaseSatisfaction", "Basically satisfied"),
    "unsatisfied": QT_TRANSLATE_NOOP("CaseSatisfaction", "Unsatisfied"),
}

CLOSURE_KINDS: dict[str, str] = {
    "normal": QT_TRANSLATE_NOOP("CaseClosureKinds", "Normal"),
    "overdue": QT_TRANSLATE_NOOP("CaseClosureKinds", "Overdue"),
    "error": QT_TRANSLATE_NOOP("CaseClosureKinds", "In error"),
    "special": QT_TRANSLATE_NOOP("CaseClosureKinds", "Special"),
}

CASE_KINDS: dict[str, str] = {
    "event": QT_TRANSLATE_NOOP("CaseKinds", "Event"),
    "component": QT_TRANSLATE_NOOP("CaseKinds", "Component"),
}


def _label(context: str, table: dict[str, str], key: str | None) -> str:
    # A case without the code (no stage yet, not evaluated) shows nothing.
    return label_from(context, table, key) if key else ""


def state_label(state: str | None) -> str:
    return _label("CaseStates", CASE_STATES, state)


def action_label(action: str | None) -> str:
    return _label("CaseActions", CASE_ACTIONS, action)


def channel_label(channel: str | None) -> str:
    return _label("CaseChannels", CHANNELS, channel)


def stage_label(stage: str | None) -> str:
    return _label("CaseStages", STAGES, stage)


def satisfaction_label(value: str | None) -> str:
    return _label("CaseSatisfaction", SATISFACTION, value)


def closure_label(kind: str | None) -> str:
    return _label("CaseClosureKinds", CLOSURE_KINDS, kind)


def kind_label(kind: str | None) -> str:
    return _label("CaseKinds", CASE_KINDS, kind)


def weekday_label(day: dt.date) -> str:
    return QCoreApplication.translate("CaseWeekdays", WEEKDAYS[day.weekday()])
