"""The air-raid alarms as CAP 1.2 alerts (``modes.common.cap``; docs/cap.md).

One alert per alarm, made from its ``alarm.issued`` event: identifier ``<sender>.alarm.<id>``, sent at
the time it was issued, one area per district it was sounded in (the district's outline in WGS84).
An alarm *updates* the alarms still standing in its districts and an all-clear *cancels* them: the
standing ones are those sounded there since the last all-clear, among alarms of the same kind of
record (real with real; an exercise's with that exercise's), and they are the alert's references.
An alarm with nothing standing before it is a new ``Alert``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.civil_defence_models import Alarm, AlarmKind
from data.models import JournalEvent
from modes.civil_defence.alarms import SIGNALS
from modes.common import cap

ISSUED = "alarm.issued"
CATEGORY = "Security"  # CAP: "law enforcement, military, homeland and local/private security"

# docs/cap.md, "Alarms": the one place the mapping is written in code.
GRADING: dict[AlarmKind, cap.Grading] = {
    AlarmKind.PRE: cap.Grading("Expected", "Extreme", "Likely", ("Prepare", "Shelter")),
    AlarmKind.RAID: cap.Grading("Immediate", "Extreme", "Observed", ("Shelter",)),
    AlarmKind.CLEAR: cap.Grading("Past", "Minor", "Observed", ("AllClear",)),
}

_INSTRUCTION = {
    AlarmKind.PRE: (
        "做好防空准备：关闭水电气，带好证件、饮水和必需品，听从指挥，按指定路线前往就近人防工程。",
        "Prepare for an air raid: turn off water, power and gas, take your papers, water and "
        "essentials, and follow the marked routes to the nearest civil-defence shelter.",
    ),
    AlarmKind.RAID: (
        "立即进入就近人防工程或地下空间隐蔽，听从现场指挥，在解除警报前不要离开。",
        "Take cover at once in the nearest civil-defence shelter or underground space, follow the "
        "wardens, and stay there until the all clear.",
    ),
    AlarmKind.CLEAR: (
        "空袭危险已解除，可有序离开人防工程，注意安全，服从现场指挥。",
        "The danger of an air raid is over: leave the shelters in good order, take care, and follow "
        "the wardens.",
    ),
}


def alarm_alert(session: Session, alarm: Alarm, seq: int = 0) -> cap.CapAlert:
    kind = AlarmKind(alarm.kind)
    signal = SIGNALS[kind]
    sender = cap.sender_of(session)
    standing = _standing(session, alarm)
    refs = tuple(cap.Reference(sender, identifier(sender, a.id), a.issued_at) for a in standing)
    if kind is AlarmKind.CLEAR:
        msg_type = cap.CANCEL if refs else cap.ALERT
    else:
        msg_type = cap.UPDATE if refs else cap.ALERT
    areas = cap.district_areas(session, alarm.districts or ())
    where_zh = "、".join(a.desc["zh-CN"] for a in areas) or "全市"
    where_en = ", ".join(a.desc["en-US"] for a in areas) or "the whole city"
    office_zh, office_en = cap.office_names(session, "人民防空办公室", "Civil Air Defence Office")
    drill_zh, drill_en = ("【演练】", "EXERCISE: ") if alarm.exercise else ("", "")
    pattern_zh = {
        AlarmKind.PRE: "鸣 36 秒、停 24 秒，反复 3 遍",
        AlarmKind.RAID: "鸣 6 秒、停 6 秒，反复 15 遍",
        AlarmKind.CLEAR: "连续长鸣 3 分钟",
    }[kind]
    pattern_en = {
        AlarmKind.PRE: "36 s on, 24 s off, three times",
        AlarmKind.RAID: "6 s on, 6 s off, fifteen times",
        AlarmKind.CLEAR: "one continuous tone for 3 minutes",
    }[kind]
    when = f"{alarm.issued_at:%Y-%m-%d %H:%M}"
    texts = {
        "zh-CN": cap.Texts(
            event=f"防空警报：{signal.name_zh}",
            headline=f"{drill_zh}{signal.name_zh}：{where_zh}",
            description=f"{office_zh}于 {when} 在{where_zh}发放{signal.name_zh}"
            f"（{pattern_zh}，频率约 500 Hz）。",
            instruction=_INSTRUCTION[kind][0],
            sender_name=office_zh,
        ),
        "en-US": cap.Texts(
            event=f"Air-defence alarm: {signal.name_en}",
            headline=f"{drill_en}{signal.name_en.capitalize()} in {where_en}",
            description=f"The {office_en} sounded the {signal.name_en} signal in "
            f"{where_en} at {when} ({pattern_en}, a tone of about 500 Hz).",
            instruction=_INSTRUCTION[kind][1],
            sender_name=office_en,
        ),
    }
    return cap.CapAlert(
        identifier=identifier(sender, alarm.id),
        sender=sender,
        sent=alarm.issued_at,
        status=cap.status_of(alarm.exercise),
        msg_type=msg_type,
        category=CATEGORY,
        grading=GRADING[kind],
        texts=texts,
        areas=areas,
        subject=f"alarm/{alarm.id}",
        journal_seq=seq,
        references=refs,
        note=cap.exercise_note(alarm.exercise_id) if alarm.exercise else "",
        event_codes=(("sanwei:alarm", kind.value),),
        exercise_id=alarm.exercise_id,
    )


def identifier(sender: str, alarm_id: int) -> str:
    return f"{sender}.alarm.{alarm_id}"


def _same_record_kind(alarm: Alarm):
    """Alarms of the same kind of record: real with real, an exercise's with that exercise's."""
    if alarm.exercise_id is not None:
        return Alarm.exercise_id == alarm.exercise_id
    return (Alarm.exercise_id.is_(None)) & (Alarm.exercise.is_(bool(alarm.exercise)))


def _standing(session: Session, alarm: Alarm) -> list[Alarm]:
    """The alarms still standing, before ``alarm``, in any of its districts: sounded there since the
    last all-clear there (in issue order)."""
    earlier = session.scalars(
        select(Alarm)
        .where(_same_record_kind(alarm), Alarm.id != alarm.id)
        .where(
            (Alarm.issued_at < alarm.issued_at)
            | ((Alarm.issued_at == alarm.issued_at) & (Alarm.id < alarm.id))
        )
        .order_by(Alarm.issued_at, Alarm.id)
    ).all()
    standing: dict[str, list[Alarm]] = {}
    for a in earlier:
        for d in a.districts or ():
            if a.kind == AlarmKind.CLEAR.value:
                standing[d] = []
            else:
                standing.setdefault(d, []).append(a)
    found: dict[int, Alarm] = {}
    for d in alarm.districts or ():
        for a in standing.get(d, ()):
            found[a.id] = a
    return sorted(found.values(), key=lambda a: (a.issued_at, a.id))


def _build(session: Session, event: JournalEvent) -> cap.CapAlert | None:
    alarm_id = (event.payload or {}).get("alarm_id")
    alarm = session.get(Alarm, int(alarm_id)) if alarm_id is not None else None
    return alarm_alert(session, alarm, event.seq) if alarm is not None else None


def _events(session: Session, subject: str) -> list[JournalEvent]:
    return list(
        session.scalars(
            select(JournalEvent)
            .where(JournalEvent.subject == subject, JournalEvent.kind == ISSUED)
            .order_by(JournalEvent.seq)
        )
    )


def _identify(session: Session, event: JournalEvent) -> str | None:
    alarm_id = (event.payload or {}).get("alarm_id")
    return identifier(cap.sender_of(session), int(alarm_id)) if alarm_id is not None else None


def register() -> None:
    cap.register_source(cap.CapSource("alarm", (ISSUED,), _build, _events, _identify))
