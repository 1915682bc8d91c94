"""The socket calls on the links' hot paths: whole messages sent and received with integer flags, a
cheap "is a message waiting", and a message's ZeroMQ properties (docs/protocol.md section 6).

Apart from ``comms.wire`` so that the frame codecs there stay pure (no ZeroMQ), and the application can
use their types without the transport.
"""

from __future__ import annotations

import zmq


def recv_bounded(sock: zmq.Socket, max_frames: int) -> tuple[list[zmq.Frame], int]:
    """Receive one whole message, keeping at most ``max_frames`` frames.

    Returns the frames kept and the number received, so a caller can count a wrong frame count without
    ever holding an attacker's thousand-frame message in memory. Must be called when a message is ready.
    """
    kept: list[zmq.Frame] = []
    count = 0
    while True:
        frame = sock.recv(zmq.NOBLOCK, copy=False)
        count += 1
        if count <= max_frames:
            kept.append(frame)
        if not frame.more:
            return kept, count


_MORE = int(zmq.SNDMORE)
_NOBLOCK = int(zmq.NOBLOCK)
_EVENTS = int(zmq.EVENTS)
_POLLIN = int(zmq.POLLIN)
_RCVMORE = int(zmq.RCVMORE)


def send_frames(sock: zmq.Socket, frames: list[bytes], flags: int = 0) -> None:
    """``send_multipart`` without its per-frame enum arithmetic: three times faster, measured, and the
    publish path sends 2,000 five-frame messages a second to each of seven districts."""
    last = len(frames) - 1
    for i, frame in enumerate(frames):
        sock.send(frame, flags | _MORE if i < last else flags)


def has_message(sock: zmq.Socket) -> bool:
    """True when a message is waiting. Cheaper than letting ``recv`` raise ``zmq.Again`` (which costs
    as much as receiving a whole message) where messages come one at a time."""
    return bool(sock.get(_EVENTS) & _POLLIN)


def recv_frames(sock: zmq.Socket) -> list[bytes]:
    """One whole message from a trusted socket; raises ``zmq.Again`` when none is waiting.

    Reads frames with ``copy=False`` and their ``more`` flag, which skips one getsockopt per frame.
    """
    frame = sock.recv(_NOBLOCK, copy=False)
    frames = [frame.bytes]
    while frame.more:
        frame = sock.recv(_NOBLOCK, copy=False)
        frames.append(frame.bytes)
    return frames


def frame_property(frame: zmq.Frame, name: str) -> str | None:
    """A ZeroMQ message property (``User-Id``, ``Role``...), or None where the connection has none."""
    try:
        value = frame.get(name)
    except zmq.ZMQError:
        return None
    return value if isinstance(value, str) else None
