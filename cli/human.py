"""How the command line writes for a person (``--json`` writes for programs).

Fields are aligned ``name  value`` lines, nested records indented blocks, lists of records tables with a
header row; counts carry their noun in the right number ("1 case matches", "3 cases match"); times are
the city's local time as a person reads it (``2026-12-06 21:02:53``), with the offset only where a time
crosses machines (``when(..., offset=True)``: a node's status). Chinese text counts two columns wide, so
tables stay aligned in both languages.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from modes.common.clock import CITY_TZ

NONE = "—"
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
COLUMN_GAP = "  "


# --- words -------------------------------------------------------------------------------------------


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 case``, ``2 cases``, ``1,204 cases``."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


def agreeing(n: int, noun: str, verb: str, verbs: str, *, nouns: str | None = None) -> str:
    """``1 case matches``, ``3 cases match``: the noun and the verb in the number of ``n``."""
    return f"{plural(n, noun, nouns)} {verb if n == 1 else verbs}"


# --- times -------------------------------------------------------------------------------------------


def when(value: Any, *, offset: bool = False, seconds: bool = True) -> str:
    """A time as a person reads it, in the city's local time: ``2026-12-06 21:02:53``; with ``offset``
    ``2026-12-06 21:02:53 +08:00``. Naive times are the city's already (the rules' clock); an aware one
    (a node's wall clock) is converted. None is a dash."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CITY_TZ)
        text = value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
        if offset:
            text += " " + (value if value.tzinfo is not None else value.replace(tzinfo=CITY_TZ)).strftime(
                "%z"
            )
            text = text[:-2] + ":" + text[-2:]
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- values ------------------------------------------------------------------------------------------


def value_text(value: Any) -> str:
    """One value for a person: a dash for nothing, yes/no, numbers without float noise, times."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):  # two decimals at most; no thousands separator (coordinates, ids)
        return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return when(value)
    if isinstance(value, str) and ISO_TIME.match(value):
        return when(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value) or NONE
    return str(value)


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK) characters two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    space = " " * max(columns - width(text), 0)
    return space + text if right else text + space


# --- blocks ------------------------------------------------------------------------------------------


def table(
    rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[tuple[Any, str]], *, indent: int = 2
) -> list[str]:
    """Rows under a header: ``columns`` are (key or index, title); a column of numbers is aligned right.
    Each cell is ``value_text`` of its value."""
    rows = list(rows)

    def get(row: Any, key: Any) -> Any:
        return row.get(key) if isinstance(row, Mapping) else row[key]

    right = {key for key, _ in columns if all(_number(get(r, key)) for r in rows if get(r, key) is not None)}
    cells = [[value_text(get(row, key)) for key, _ in columns] for row in rows]
    titles = [title for _, title in columns]
    widths = [max([width(t)] + [width(r[i]) for r in cells]) for i, t in enumerate(titles)]
    lead = " " * indent

    def line(values: list[str]) -> str:
        parts = [pad(v, widths[i], right=columns[i][0] in right) for i, v in enumerate(values)]
        return (lead + COLUMN_GAP.join(parts)).rstrip()

    return [line(titles)] + [line(r) for r in cells]


def _is_records(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, Mapping) for v in value)


def fields(doc: Mapping[str, Any], *, indent: int = 0) -> list[str]:
    """A record as aligned ``name  value`` lines; a nested record is an indented block under its name,
    a list of records a table (their nested parts are left to ``--json``)."""
    lead = " " * indent
    plain = [k for k, v in doc.items() if not isinstance(v, Mapping) and not _is_records(v)]
    name_width = max((width(str(k)) for k in plain), default=0)
    lines: list[str] = []
    for key, value in doc.items():
        name = str(key).replace("_", " ")
        if isinstance(value, Mapping):
            lines.append(f"{lead}{name}:")
            lines += fields(value, indent=indent + 2) or [f"{lead}  {NONE}"]
        elif _is_records(value):
            keys = list(dict.fromkeys(k for v in value for k, x in v.items() if not _nested(x)))
            lines.append(f"{lead}{name} ({len(value)}):")
            lines += table(value, [(k, k.replace("_", " ")) for k in keys], indent=indent + 2)
        else:
            lines.append(f"{lead}{pad(name, name_width + 1)} {value_text(value)}".rstrip())
    return lines


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _nested(value: Any) -> bool:
    return isinstance(value, Mapping) or _is_records(value)


def print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)
