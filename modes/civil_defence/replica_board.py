"""The alarm board as a replica shows it: a console attached to a node reads the alarms from the
``/alarm/<id>/<district>`` keys of its picture (docs/protocol.md section 7.11), because the alarm and
delivery rows stay at the centre. Same ``AlarmBoard`` as ``alarms.delivery_board`` gives at the centre,
EXERCISE included: a drill's keys say ``exercise`` (and the exercise's id when an inject sounded it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.civil_defence_models import AlarmKind
from data.errors import NotFound
from modes.civil_defence.alarms import ACK_LIMIT_S, AlarmBoard, DeliveryStatus
from modes.civil_defence.link_commands import PREFIX
from modes.common.picture import unpack

_KEYS = text("SELECT key, body FROM link_replica_entry WHERE key LIKE :k ORDER BY key")


def _time(v: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(v) if isinstance(v, str) and v else None


def _docs(session: Session, alarm_id: int | None) -> list[dict]:
    like = f"{PREFIX}{alarm_id}/%" if alarm_id is not None else f"{PREFIX}%"
    return [unpack(bytes(body)) for _key, body in session.execute(_KEYS, {"k": like})]


def _board(docs: list[dict], now: dt.datetime) -> AlarmBoard:
    first = docs[0]
    out = []
    for d in sorted(docs, key=lambda d: str(d["district"])):
        sent = _time(d["sent_at"])
        assert sent is not None
        acked = _time(d.get("acknowledged_at"))
        ack_s = (acked - sent).total_seconds() if acked else None
        waited = ack_s if ack_s is not None else (now - sent).total_seconds()
        out.append(
            DeliveryStatus(
                str(d["district"]),
                d.get("district_name") or "",
                sent,
                _time(d.get("received_at")),
                acked,
                d.get("acknowledged_by"),
                ack_s,
                waited > ACK_LIMIT_S,
            )
        )
    issued = _time(first["issued_at"])
    assert issued is not None
    return AlarmBoard(
        int(first["alarm_id"]),
        AlarmKind(first["kind"]),
        issued,
        first.get("issued_by") or "",
        bool(first.get("exercise")),
        now,
        tuple(out),
        first.get("exercise_id"),
    )


def board_from_replica(session: Session, alarm_id: int, now: dt.datetime) -> AlarmBoard:
    docs = _docs(session, alarm_id)
    if not docs:
        raise NotFound(f"alarm {alarm_id} is not in this node's picture")
    return _board(docs, now)


def latest_board_from_replica(session: Session, now: dt.datetime) -> AlarmBoard | None:
    """The board of the most recently issued alarm the picture holds, or None."""
    by_alarm: dict[int, list[dict]] = {}
    for doc in _docs(session, None):
        by_alarm.setdefault(int(doc["alarm_id"]), []).append(doc)
    if not by_alarm:
        return None
    latest = max(by_alarm, key=lambda i: (str(by_alarm[i][0]["issued_at"]), i))
    return _board(by_alarm[latest], now)
