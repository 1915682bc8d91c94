"""Reading a scenario: a Master Scenario Events List (MSEL), as HSEEP and China's 应急演练 practice
write it: one row per inject, with its time, sender, recipient, message and the action expected of the
players.

Three forms:

- **CSV** (UTF-8, a BOM allowed) and **XLSX** (the first sheet, or the one named ``MSEL``), the way a
  drill coordinator writes it in a spreadsheet: a header row, then one inject a row. Header names are
  matched case-insensitively and with the usual aliases (``MSEL #``, ``Inject #`` for ``No``...).
- **YAML**, the project's own form: ``name``, ``title``, ``title_zh``, ``objectives`` and ``injects`` (a
  list of maps with the same names as the columns).

A file is read whole and checked before anything starts: the first bad row is refused with its row
number (the spreadsheet's own, header = row 1) and the column (``MselError``). Checks against the city
(does this cell, type, unit, asset exist?) are ``modes.exercises.exercises.check_against_city``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from data.errors import InputError
from data.source_files import unpack_bytes

KINDS = ("report", "incident", "alarm", "asset", "unit", "message")
ALARM_KINDS = {"pre": "pre", "preliminary": "pre", "raid": "raid", "air_raid": "raid", "clear": "clear"}
# Inject files are small: a busy day is 2,000 rows. A bigger one is refused rather than read.
MAX_ROWS = 20_000
MAX_BYTES = 8 * 1024 * 1024

# The column names we know, each with its aliases (compared lower-case, spaces and punctuation folded).
COLUMNS: dict[str, tuple[str, ...]] = {
    "no": ("no", "msel #", "msel no", "inject #", "inject no", "inject", "#", "number", "编号", "序号"),
    "time": ("time", "scenario time", "inject time", "时间"),
    "kind": ("kind", "type of inject", "inject type", "类型"),
    "from": ("from", "sender", "发出"),
    "to": ("to", "recipient", "player", "接收"),
    "message": ("message", "inject text", "description", "event description", "内容"),
    "expected_action": ("expected action", "expected player action", "expected response", "预期行动"),
    "expected_within": ("expected within", "within", "within (min)", "expected within (min)", "时限"),
    "objective": ("objective", "objectives", "capability", "目标"),
    "lon": ("lon", "longitude", "lng"),
    "lat": ("lat", "latitude"),
    "cell": ("cell", "grid", "cell code"),
    "type": ("type", "event type", "incident type"),
    "channel": ("channel", "source"),
    "level": ("level", "response level"),
    "radius": ("radius", "radius m", "radius (m)"),
    "alarm": ("alarm", "signal"),
    "districts": ("districts", "district"),
    "asset": ("asset", "component", "camera"),
    "unit": ("unit", "rescue unit"),
    "status": ("status", "state"),
    "text": ("text",),
}
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
REQUIRED = ("no", "time", "kind")
# What each kind needs besides the common columns (a place is lon+lat or cell).
NEEDS: dict[str, tuple[str, ...]] = {
    "report": ("type", "place"),
    "incident": ("type", "place"),
    "alarm": ("alarm",),
    "asset": ("asset", "status"),
    "unit": ("unit", "status"),
    "message": ("message",),
}
_TIME = re.compile(r"^\s*(\+)?\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$")


class MselError(InputError):
    """A scenario file that cannot run, naming the row and the column."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.row = row
        self.column = column


@dataclass(frozen=True)
class Inject:
    """One MSEL row, checked."""

    no: str
    time_s: float  # scenario time, seconds from the start
    kind: str
    sender: str = ""
    recipient: str = ""
    message: str = ""
    expected_action: str = ""
    expected_within_min: float | None = None
    objective: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    row: int = 0  # where it came from (for messages)

    def as_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "time_s": self.time_s,
            "time": format_scenario_time(self.time_s),
            "kind": self.kind,
            "from": self.sender,
            "to": self.recipient,
            "message": self.message,
            "expected_action": self.expected_action,
            "expected_within_min": self.expected_within_min,
            "objective": self.objective,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    title_zh: str
    injects: tuple[Inject, ...]
    objectives: tuple[str, ...] = ()
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "title_zh": self.title_zh,
            "objectives": list(self.objectives),
            "injects": len(self.injects),
            "duration": format_scenario_time(self.injects[-1].time_s if self.injects else 0.0),
            "source": self.source,
        }


def format_scenario_time(seconds: float) -> str:
    """``+HH:MM`` (``+HH:MM:SS`` when the seconds are not zero)."""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"+{h:02d}:{m:02d}" + (f":{sec:02d}" if sec else "")


def parse_scenario_time(value: Any, *, row: int | None = None, column: str = "Time") -> float:
    """Seconds from the start: ``+HH:MM``, ``HH:MM``, ``HH:MM:SS``, a spreadsheet time or a number of
    minutes."""
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise MselError(f"time {value!r} is before the start", row, column)
        return float(value) * 60.0  # a bare number is minutes
    text = str(value if value is not None else "").strip()
    m = _TIME.match(text)
    if not m:
        raise MselError(f"time {text!r} is not +HH:MM or HH:MM from the start", row, column)
    minutes, seconds = int(m.group(3)), int(m.group(4) or 0)
    if minutes > 59 or seconds > 59:
        raise MselError(f"time {text!r} has minutes or seconds over 59", row, column)
    return int(m.group(2)) * 3600 + minutes * 60 + seconds


def _fold(name: Any) -> str:
    text = str(name or "").strip().lower().replace("_", " ")
    return re.sub(r"\s+", " ", text)


def column_map(headers: Iterable[Any]) -> dict[int, str]:
    """Header position -> our column name; unknown headers are kept out (a spreadsheet may carry its
    own notes), a repeated known one is refused."""
    out: dict[int, str] = {}
    seen: dict[str, str] = {}
    for i, h in enumerate(headers):
        name = _ALIASES.get(_fold(h))
        if name is None:
            continue
        if name in seen:
            raise MselError(f"columns {seen[name]!r} and {h!r} are the same column", 1, str(h))
        seen[name] = str(h)
        out[i] = name
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise MselError(
            f"the header row has no {', '.join(repr(c.title()) for c in missing)} column "
            f"(found: {', '.join(str(h) for h in headers if str(h or '').strip()) or 'nothing'})",
            1,
        )
    return out


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any, row: int, column: str, *, positive: bool = False) -> float:
    try:
        n = float(value)
    except (TypeError, ValueError):
        raise MselError(f"{value!r} is not a number", row, column) from None
    if n != n or n in (float("inf"), float("-inf")) or (positive and n <= 0):
        raise MselError(f"{value!r} is not a {'positive ' if positive else ''}number", row, column)
    return n


def read_row(values: Mapping[str, Any], row: int) -> Inject:
    """One row as ``Inject``; ``MselError`` names the row and the column of the first problem."""
    raw = {k: v for k, v in values.items() if v is not None and _cell_text(v) != ""}
    no = _cell_text(raw.get("no"))
    if not no:
        raise MselError("the inject has no number", row, "No")
    if len(no) > 20:
        raise MselError(f"inject number {no!r} is longer than 20 characters", row, "No")
    if "time" not in raw:
        raise MselError("the inject has no time", row, "Time")
    time_s = parse_scenario_time(raw["time"], row=row)
    kind = _cell_text(raw.get("kind")).lower()
    if kind not in KINDS:
        raise MselError(f"unknown kind {kind or '(empty)'!r} (one of {', '.join(KINDS)})", row, "Kind")
    params: dict[str, Any] = {}
    for need in NEEDS[kind]:
        if need == "place":
            if "cell" in raw:
                params["cell"] = _cell_text(raw["cell"])
            elif "lon" in raw and "lat" in raw:
                lon = _number(raw["lon"], row, "Lon")
                lat = _number(raw["lat"], row, "Lat")
                if not (-180 <= lon <= 180):
                    raise MselError(f"longitude {lon} is outside -180..180", row, "Lon")
                if not (-90 <= lat <= 90):
                    raise MselError(f"latitude {lat} is outside -90..90", row, "Lat")
                params["lon"], params["lat"] = lon, lat
            else:
                column = "Lat" if "lon" in raw else "Lon" if "lat" in raw else "Cell"
                raise MselError(f"a {kind} inject needs a place: Lon and Lat, or Cell", row, column)
        elif need == "message":
            if "message" not in raw and "text" not in raw:
                raise MselError("a message inject needs its text", row, "Message")
        elif need not in raw:
            raise MselError(f"a {kind} inject needs {need.title()!r}", row, need.title())
        else:
            params[need] = _cell_text(raw[need])
    if kind == "alarm":
        alarm = ALARM_KINDS.get(params["alarm"].lower())
        if alarm is None:
            raise MselError(f"unknown alarm {params['alarm']!r} (pre, raid or clear)", row, "Alarm")
        params["alarm"] = alarm
        if "districts" in raw:
            params["districts"] = [d for d in re.split(r"[,;\s]+", _cell_text(raw["districts"])) if d]
    if kind == "report":
        params["channel"] = _cell_text(raw.get("channel")) or "hotline"
    if kind == "incident":
        if "level" in raw:
            level = _cell_text(raw["level"]).upper()
            if level not in ("I", "II", "III", "IV"):
                raise MselError(f"unknown level {level!r} (I, II, III or IV)", row, "Level")
            params["level"] = level
        if "radius" in raw:
            params["radius"] = _number(raw["radius"], row, "Radius", positive=True)
    within = None
    if "expected_within" in raw:
        within = _number(raw["expected_within"], row, "Expected Within", positive=True)
        if not raw.get("expected_action"):
            raise MselError("'Expected Within' is given without an expected action", row, "Expected Action")
    return Inject(
        no=no,
        time_s=time_s,
        kind=kind,
        sender=_cell_text(raw.get("from")),
        recipient=_cell_text(raw.get("to")),
        message=_cell_text(raw.get("message") or raw.get("text")),
        expected_action=_cell_text(raw.get("expected_action")),
        expected_within_min=within,
        objective=_cell_text(raw.get("objective")),
        params=params,
        row=row,
    )


def check_order(injects: list[Inject]) -> None:
    """Numbers are unique and times never go back (a MSEL is in time order)."""
    seen: dict[str, int] = {}
    last: Inject | None = None
    for inj in injects:
        if inj.no in seen:
            raise MselError(f"inject number {inj.no!r} is also on row {seen[inj.no]}", inj.row, "No")
        seen[inj.no] = inj.row
        if last is not None and inj.time_s < last.time_s:
            raise MselError(
                f"time {format_scenario_time(inj.time_s)} is before the previous inject's "
                f"({format_scenario_time(last.time_s)}, row {last.row}): a MSEL is in time order",
                inj.row,
                "Time",
            )
        last = inj


def rows_to_injects(headers: list[Any], rows: Iterable[tuple[int, list[Any]]]) -> list[Inject]:
    cols = column_map(headers)
    injects = []
    for row_no, values in rows:
        if all(_cell_text(v) == "" for v in values):
            continue  # blank lines between blocks of a spreadsheet
        named = {cols[i]: v for i, v in enumerate(values) if i in cols}
        injects.append(read_row(named, row_no))
        if len(injects) > MAX_ROWS:
            raise MselError(f"a scenario has at most {MAX_ROWS:,} injects", row_no)
    if not injects:
        raise MselError("the scenario has no injects")
    check_order(injects)
    return injects


def read_csv(data: bytes) -> list[Inject]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MselError(f"the CSV file is not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text))
    try:
        headers = next(reader)
    except StopIteration:
        raise MselError("the CSV file is empty") from None
    except csv.Error as exc:
        raise MselError(f"unreadable CSV: {exc}", 1) from None
    try:
        return rows_to_injects(headers, ((reader.line_num, r) for r in reader))
    except csv.Error as exc:
        raise MselError(f"unreadable CSV: {exc}", reader.line_num) from None


def read_xlsx(data: bytes) -> list[Inject]:
    import openpyxl  # only a spreadsheet needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise MselError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet = book["MSEL"] if "MSEL" in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            headers = list(next(rows))
        except StopIteration:
            raise MselError(f"sheet {sheet.title!r} is empty") from None
        return rows_to_injects(headers, ((i, list(r)) for i, r in enumerate(rows, start=2)))
    finally:
        book.close()


def read_yaml(data: bytes) -> tuple[dict[str, Any], list[Inject]]:
    import yaml

    try:
        doc = yaml.safe_load(data.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MselError(f"unreadable YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("injects"), list):
        raise MselError("a YAML scenario is a map with 'injects', a list of injects (or 'msel', a CSV file)")
    items = doc["injects"]
    headers: list[str] = []
    named: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise MselError(f"inject {item!r} is not a map of columns")
        # YAML 1.1 reads a bare ``No`` key as false: the column is meant.
        item = {("No" if k is False else str(k)): v for k, v in item.items()}
        headers += [k for k in item if k not in headers]
        named.append(item)
    rows = ((i, [item.get(h) for h in headers]) for i, item in enumerate(named, start=1))
    meta = {k: v for k, v in doc.items() if k != "injects"}
    return meta, rows_to_injects(headers, rows)


def _yaml_meta(data: bytes) -> dict[str, Any]:
    import yaml

    try:
        doc = yaml.safe_load(data.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MselError(f"unreadable YAML: {exc}") from None
    return doc if isinstance(doc, dict) else {}


def objective_text(value: Any) -> str:
    """An objective as its text. Unquoted in YAML, ``- Intake: reports accepted in 10 minutes`` reads as a
    one-entry map; it is meant as the line it looks like."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, text),) = value.items()
        return f"{name}: {text}"
    return str(value)


def read_scenario(path: str | Path, data: bytes | None = None) -> Scenario:
    """A scenario from a file (CSV, XLSX or YAML by its extension; gzip or bzip2 packed too)."""
    path = Path(path)
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise MselError(f"cannot read scenario {path.name}: {exc.strerror or exc}") from None
        if size > MAX_BYTES:
            raise MselError(f"scenario {path.name} is {size:,} bytes; at most {MAX_BYTES:,} are read")
        data = path.read_bytes()
    # A packed scenario (busy-day.csv.gz) reads as the file it holds.
    inner, data = unpack_bytes(path.name, data, MAX_BYTES)
    suffix = Path(inner).suffix.lower()
    stem = Path(inner).stem
    meta: dict[str, Any] = {}
    if suffix == ".csv":
        injects = read_csv(data)
    elif suffix in (".xlsx", ".xlsm"):
        injects = read_xlsx(data)
    elif suffix in (".yaml", ".yml"):
        meta = _yaml_meta(data)
        if isinstance(meta.get("msel"), str):
            # The scenario's facts here, its injects in a spreadsheet beside it (a busy day: 2,000 rows).
            sheet = path.parent / meta["msel"]
            if sheet.parent != path.parent or not sheet.is_file():
                raise MselError(f"scenario {path.name}: its MSEL {meta['msel']!r} is not a file beside it")
            injects = list(read_scenario(sheet).injects)
        else:
            meta, injects = read_yaml(data)
    else:
        raise MselError(f"scenario {path.name}: a MSEL is a .csv, .xlsx or .yaml file")
    objectives = meta.get("objectives") or sorted({i.objective for i in injects if i.objective})
    return Scenario(
        name=str(meta.get("name") or stem),
        title=str(meta.get("title") or stem),
        title_zh=str(meta.get("title_zh") or meta.get("title") or stem),
        injects=tuple(injects),
        objectives=tuple(objective_text(o) for o in objectives),
        source=path.name,
    )
