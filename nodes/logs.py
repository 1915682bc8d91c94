"""What a node tells its operator: one JSON object per line on stderr (``ts``, ``level``, ``node``,
``event`` and fields), and the wall-clock times its status reports give.

Times are the city's local time with its offset (``2026-12-06T21:02:53.120+08:00``), the one convention
of every screen and command (``modes.common.clock.CITY_TZ``); the offset makes them unambiguous
beside another machine's."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from typing import Any

from modes.common.clock import CITY_TZ, city_time


class JsonLines(logging.Formatter):
    """One JSON object per line: ts, level, node, event, then the event's fields."""

    def __init__(self, node: str) -> None:
        super().__init__()
        self.node = node

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": city_time(record.created).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "node": self.node,
            "event": getattr(record, "event", "log"),
        }
        fields = getattr(record, "fields", None)
        if fields:
            doc.update(fields)
        if not hasattr(record, "event"):
            doc["logger"] = record.name
            doc["message"] = record.getMessage()
        if record.exc_info:
            doc["error"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class NodeLog:
    """``log.event("ready", port=5556)`` -> ``{"ts": ..., "level": "info", "node": ..., "event": "ready", "port": 5556}``."""

    def __init__(self, node: str, logger: logging.Logger | None = None) -> None:
        self.node = node
        self.logger = logger or logging.getLogger(f"sanwei.node.{node}")

    def event(self, event: str, level: str = "info", **fields: Any) -> None:
        self.logger.log(
            getattr(logging, level.upper(), logging.INFO), event, extra={"event": event, "fields": fields}
        )


def setup_json_logging(node: str, level: int = logging.INFO) -> NodeLog:
    """Route every log record of the process (ours and the comms layer's) to stderr as JSON lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines(node))
    root.addHandler(handler)
    root.setLevel(level)
    # Schema upgrades announce themselves at INFO on every start; only their problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return NodeLog(node)


def seconds_since(t: float | None) -> float | None:
    return None if t is None else round(max(0.0, time.time() - t), 3)


def in_city_time(iso: str | None) -> str | None:
    """An aware ISO time from the comms layer (UTC: it knows no city) in the city's local time."""
    if not iso:
        return iso
    return dt.datetime.fromisoformat(iso).astimezone(CITY_TZ).isoformat(timespec="milliseconds")


def wall_time(t: float | None) -> str | None:
    return None if t is None else city_time(t).isoformat(timespec="milliseconds")
