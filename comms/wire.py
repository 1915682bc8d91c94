"""Frames of the Sanwei wire protocol (docs/protocol.md): encoding, decoding, validation and limits.

Everything here is pure: no sockets, no threads. Decoders raise :class:`WireError` with a short reason
that the nodes count in their ``NodeStats``; they never trust a length, a count or an encoding that came
from the network.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

# --- limits (docs/protocol.md section 2) -----------------------------------------------------------
MAX_KEY = 1024
MAX_PROPERTIES = 4096
DEFAULT_MAX_BODY = 1 << 20
# libzmq disconnects a peer that sends a larger frame; the margin leaves room for the other frames'
# headers so that an application-level "oversized" can still be seen and counted below it.
MAXMSGSIZE_MARGIN = 64 * 1024
MAX_COMMAND_ID = 64

# --- state channel words (CHP, RFC 12, plus our extension) -----------------------------------------
ICANHAZ = b"ICANHAZ?"
ICANHAZ_SINCE = b"ICANHAZ-SINCE?"
KTHXBAI = b"KTHXBAI"
HUGZ = b"HUGZ"
CATCHUP = b"CATCHUP"
SORRY = b"SORRY"
CHP_PROTO = "sanwei-chp/1"

# --- command channel words ----------------------------------------------------------------------------
CMD_PROTO = b"SANWEI-CMD/1"
CMD_PROTO_PREFIX = b"SANWEI-CMD/"
CMD = b"CMD"
REPLY = b"REPLY"
PING = b"PING"
PONG = b"PONG"
UNSUPPORTED = b"UNSUPPORTED"
# A standby node's answer to PING, and (with the command id) to CMD: reachable, but applies nothing.
PASSIVE = b"PASSIVE"

STATUS_OK = "OK"
STATUS_REFUSED = "REFUSED"
STATUS_INVALID = "INVALID"
STATUS_RETRY = "RETRY"
FINAL_STATUSES = frozenset({STATUS_OK, STATUS_REFUSED, STATUS_INVALID})
ALL_STATUSES = FINAL_STATUSES | {STATUS_RETRY}
# Never on the wire: what a sender reports for a command it stopped resending (comms.retention).
STATUS_EXPIRED = "EXPIRED"

_SEQ = struct.Struct("!q")
NO_PROPERTIES: Mapping[str, str] = MappingProxyType({})
_PROP_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_CONTROL = re.compile(r"[\x00\r\n]")
_COMMAND_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,64}")


class WireError(ValueError):
    """A message that breaks the protocol. ``reason`` is the counter name it is dropped under."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def pack_seq(seq: int) -> bytes:
    return _SEQ.pack(seq)


def unpack_seq(frame: bytes) -> int:
    if len(frame) != 8:
        raise WireError("malformed", f"sequence frame of {len(frame)} bytes")
    return _SEQ.unpack(frame)[0]


def encode_properties(props: Mapping[str, str]) -> bytes:
    """``name=value\\n`` per property, in the order given (RFC 12)."""
    if not props:
        return b""
    parts = []
    for name, value in props.items():
        value = str(value)
        if not _PROP_NAME.fullmatch(name) or "\n" in value:
            raise WireError("malformed", f"property {name!r}")
        parts.append(f"{name}={value}\n")
    raw = "".join(parts).encode()
    if len(raw) > MAX_PROPERTIES:
        raise WireError("oversized", f"properties of {len(raw)} bytes")
    return raw


def decode_properties(raw: bytes) -> dict[str, str]:
    if not raw:
        return {}
    if len(raw) > MAX_PROPERTIES:
        raise WireError("oversized", f"properties of {len(raw)} bytes")
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise WireError("malformed", "properties not UTF-8") from exc
    props: dict[str, str] = {}
    # A missing final newline is tolerated: some RFC 12 implementations omit it.
    for line in text.split("\n"):
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep or not _PROP_NAME.fullmatch(name):
            raise WireError("malformed", f"property line {line[:40]!r}")
        props[name] = value
    return props


def decode_key(frame: bytes, *, must_be_path: bool) -> str:
    if not frame or len(frame) > MAX_KEY:
        raise WireError("oversized" if frame else "malformed", f"key of {len(frame)} bytes")
    try:
        key = frame.decode()
    except UnicodeDecodeError as exc:
        raise WireError("malformed", "key not UTF-8") from exc
    if must_be_path:
        check_path_key(key)
    return key


def check_path_key(key: str) -> None:
    """Keys written or published are paths, which keeps them apart from HUGZ, KTHXBAI and friends."""
    if not key.startswith("/") or _CONTROL.search(key):
        raise WireError("malformed", f"key {key[:40]!r} is not a path")
    if len(key) > MAX_KEY // 4 and len(key.encode()) > MAX_KEY:
        raise WireError("oversized", "key too long")


def decode_subtree(frame: bytes) -> str:
    if len(frame) > MAX_KEY:
        raise WireError("oversized", f"subtree of {len(frame)} bytes")
    try:
        subtree = frame.decode()
    except UnicodeDecodeError as exc:
        raise WireError("malformed", "subtree not UTF-8") from exc
    if subtree and (not subtree.startswith("/") or any(c in subtree for c in "\x00\r\n")):
        raise WireError("malformed", f"subtree {subtree[:40]!r}")
    return subtree


def check_uuid(frame: bytes) -> bytes:
    if len(frame) not in (0, 16):
        raise WireError("malformed", f"UUID frame of {len(frame)} bytes")
    return frame


def check_body(frame: bytes, max_body: int) -> bytes:
    if len(frame) > max_body:
        raise WireError("oversized", f"body of {len(frame)} bytes")
    return frame


class Entry(NamedTuple):
    """One key-value pair of the replicated map, or one update of it (an empty body deletes).

    A NamedTuple rather than a frozen dataclass: a snapshot builds 110,000 of them and a frozen
    dataclass takes several times longer to construct.
    """

    key: str
    seq: int
    uuid: bytes = b""
    props: Mapping[str, str] = NO_PROPERTIES
    body: bytes = b""
    props_raw: bytes = b""

    @classmethod
    def make(
        cls, key: str, seq: int, uuid: bytes = b"", props: Mapping[str, str] | None = None, body: bytes = b""
    ) -> Entry:
        props = dict(props or {})
        return cls(key, seq, uuid, props, body, encode_properties(props))

    @property
    def deleted(self) -> bool:
        return not self.body

    @property
    def expires_at(self) -> float | None:
        value = self.props.get("expires_at")
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            return None

    def ttl_left(self, now: float) -> float | None:
        """Seconds this entry has left at ``now`` (one reading of the wall clock, taken by the caller),
        None when it never expires. Never more than the ``ttl`` it was given: a key passed on must not
        outlive its writer's promise, whatever the rounding of ``expires_at`` or a clock step."""
        expires = self.expires_at
        if expires is None:
            return None
        left = expires - now
        try:
            given = float(self.props.get("ttl", "inf"))
        except ValueError:
            given = math.inf
        return min(left, given)

    def frames(self) -> list[bytes]:
        return [self.key.encode(), _SEQ.pack(self.seq), self.uuid, self.props_raw, self.body]


def decode_entry(frames: list[bytes], max_body: int, *, must_be_path: bool = True) -> Entry:
    """A five-frame KVSYNC / KVPUB / KVSET message."""
    if len(frames) != 5:
        raise WireError("wrong_frame_count", f"{len(frames)} frames, expected 5")
    key = decode_key(frames[0], must_be_path=must_be_path)
    seq = unpack_seq(frames[1])
    uuid = check_uuid(frames[2])
    props = decode_properties(frames[3])
    body = check_body(frames[4], max_body)
    return Entry(key, seq, uuid, props, body, frames[3])


def control_frames(word: bytes, seq: int, props: Mapping[str, str], last: bytes = b"") -> list[bytes]:
    """KTHXBAI, HUGZ, CATCHUP and SORRY share the five-frame shape of an entry."""
    return [word, _SEQ.pack(seq), b"", encode_properties(props), last]


def check_command_id(frame: bytes) -> str:
    if not _COMMAND_ID.fullmatch(frame):
        raise WireError("malformed", f"command id {frame[:40]!r}")
    return frame.decode("ascii")


def maxmsgsize(max_body: int) -> int:
    return max_body + MAXMSGSIZE_MARGIN
