"""Playing a camera's stream: one decoder thread per stream, FFmpeg (PyAV) reading RTSP, MJPEG over
HTTP, HLS or a file into RGB frames; a stream that fails says why and is retried with backoff.

The console's video tiles and ``python main.py camera frame`` use the same ``StreamPlayer``; it knows
nothing of Qt: frames and state changes go to the callbacks it is given, called on its own thread.

Addresses: a demo camera's ``stream_url`` is ``demo://cameras/ID.mjpg``, which names no host; it plays
from the demo stream server that ``SANWEI_STREAMS`` names (``http://HOST:PORT``, default
``DEFAULT_STREAMS``, where the console starts one). Other addresses play as they are.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from urllib.parse import urlsplit

import av
import numpy as np

from data.models import DEMO_STREAM_PREFIX

STREAMS_ENV = "SANWEI_STREAMS"
DEFAULT_STREAMS = "http://127.0.0.1:8787"  # where the console starts the demo stream server
# The demo city's cameras had this placeholder address before the demo stream server existed: a
# city seeded then plays from the demo server too.
_OLD_DEMO_PREFIX = "rtsp://video.sanwei.local/"
OPEN_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 5.0
RESYNC_S = 2.0  # a frame this far off the pace restarts it (a discontinuity, a stalled live stream)


class StreamError(Exception):
    """A stream that cannot be played; the text says why."""


def streams_base(environ: Mapping[str, str] | None = None) -> str:
    """The demo stream server's address: ``$SANWEI_STREAMS``, else ``DEFAULT_STREAMS``."""
    env = os.environ if environ is None else environ
    base = (env.get(STREAMS_ENV) or DEFAULT_STREAMS).strip().rstrip("/")
    if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        raise StreamError(f"{STREAMS_ENV} must be http://HOST:PORT, not {base!r}")
    return base


def is_demo_stream(url: str) -> bool:
    return url.startswith((DEMO_STREAM_PREFIX, _OLD_DEMO_PREFIX))


def resolve_stream_url(url: str, base: str | None = None) -> str:
    """The address to open for a camera's ``stream_url`` (demo addresses on the demo stream server)."""
    url = (url or "").strip()
    if not url:
        raise StreamError("the camera has no stream address")
    if url.startswith(DEMO_STREAM_PREFIX):
        return f"{base or streams_base()}/{url[len(DEMO_STREAM_PREFIX) :]}"
    if url.startswith(_OLD_DEMO_PREFIX):
        return f"{base or streams_base()}/cameras/{url[len(_OLD_DEMO_PREFIX) :]}.mjpg"
    return url


def _open_options(url: str) -> dict[str, str]:
    # A short look at the stream before playing (FFmpeg's default may wait 5 s); what it read is played,
    # not dropped ("nobuffer" would drop it: a later first frame, and a recording's first seconds lost).
    options = {"probesize": "65536", "analyzeduration": "500000"}
    if url.startswith(("rtsp://", "rtsps://")):
        options["rtsp_transport"] = "tcp"  # through firewalls, and no lost packets to smear frames
    return options


def describe_error(exc: BaseException, url: str, read_timeout: float = READ_TIMEOUT_S) -> str:
    """A short reason a person can act on, from what FFmpeg or the network said."""
    parts = urlsplit(url)
    where = parts.netloc or url
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where} (no stream server there)"
    if isinstance(exc, av.error.ExitError | TimeoutError):
        return f"no answer from {where} within {read_timeout:g} s"
    if isinstance(exc, av.error.HTTPNotFoundError):
        return f"HTTP 404 Not Found: {where} has no stream at {parts.path or '/'}"
    if isinstance(exc, av.error.HTTPClientError | av.error.HTTPServerError):
        return f"{where}: {exc.strerror.replace('Server returned ', 'HTTP ')}"
    if isinstance(exc, av.error.InvalidDataError):
        return f"{where} sent no video the decoder understands"
    if isinstance(exc, StreamError):
        return str(exc)
    if isinstance(exc, av.error.FFmpegError | OSError):
        return f"{where}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Backoff:
    """Seconds before retry number ``attempt`` (1, 2, 4 ... at most ``cap``)."""

    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.first * self.factor ** max(attempt - 1, 0))


RETRY = Backoff()  # 1, 2, 4, 8, 16, 30, 30 ... seconds


@dataclass(frozen=True)
class PlayerState:
    """``phase``: connecting | playing | failed | stopped. ``failures``: failed attempts in a row;
    ``retry_in``: seconds until the next attempt (failed only); ``first_frame_s``: from the start of the
    attempt that plays to its first frame."""

    phase: str
    url: str
    reason: str = ""
    failures: int = 0
    retry_in: float | None = None
    first_frame_s: float | None = None


@dataclass(frozen=True)
class Frame:
    """One decoded picture: RGB, ``height x width x 3``, scaled to fit the box asked for."""

    image: np.ndarray
    at: float  # wall-clock time it was decoded (time.time())
    seq: int
    source_size: tuple[int, int] = field(default=(0, 0))  # the stream's own width, height


def fit(source: tuple[int, int], box: tuple[int, int] | None) -> tuple[int, int]:
    """The largest even size of the source's aspect that fits in ``box``, never above the source's own
    (the screen enlarges more cheaply than the decoder's scaler)."""
    w, h = source
    if box is None or box[0] <= 0 or box[1] <= 0:
        return w, h
    k = min(box[0] / w, box[1] / h, 1.0)
    return max(2, int(w * k) // 2 * 2), max(2, int(h * k) // 2 * 2)


class StreamPlayer:
    """Decodes ``url`` on a thread of its own until stopped, reconnecting after failures.

    ``on_frame(Frame)`` and ``on_state(PlayerState)`` are called on that thread. ``retry`` False: stop
    at the first failure (``camera frame`` reports it instead of waiting).
    """

    def __init__(
        self,
        url: str,
        on_frame: Callable[[Frame], None],
        on_state: Callable[[PlayerState], None] | None = None,
        *,
        box: tuple[int, int] | None = None,
        backoff: Backoff = RETRY,
        open_timeout: float = OPEN_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        retry: bool = True,
    ):
        self.url = url
        self._on_frame = on_frame
        self._on_state = on_state
        self._box = box
        self.backoff = backoff
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        self.retry = retry
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = PlayerState("stopped", url)

    # --- control (any thread) --------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a player starts once")
        self._thread = threading.Thread(target=self._run, name="stream-player", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 0.0) -> None:
        """Ask the thread to end (it does at its next frame, or when a blocked read times out)."""
        self._stop.set()
        if wait and self._thread is not None:
            self._thread.join(wait)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_box(self, width: int, height: int) -> None:
        """Frames from now on are scaled to fit ``width x height`` (the tile's size)."""
        self._box = (int(width), int(height))

    # --- the thread ----------------------------------------------------------------------------------

    def _set_state(self, state: PlayerState) -> None:
        self.state = state
        if self._on_state is not None:
            self._on_state(state)

    def _run(self) -> None:
        failures = 0
        seq = 0
        while not self._stop.is_set():
            self._set_state(PlayerState("connecting", self.url, failures=failures))
            started = time.monotonic()
            try:
                seq = self._play(started, seq, failures)
                raise StreamError("the stream ended")
            except _Stopped:
                break
            except Exception as exc:  # noqa: BLE001 - every failure is shown and retried
                if self._stop.is_set():
                    break
                if self.state.phase == "playing":
                    failures = 0  # it played: the backoff starts again from the first step
                failures += 1
                reason = describe_error(exc, self.url, self.read_timeout)
                if not self.retry:
                    self._set_state(PlayerState("failed", self.url, reason, failures))
                    break
                delay = self.backoff.delay(failures)
                self._set_state(PlayerState("failed", self.url, reason, failures, retry_in=delay))
                self._stop.wait(delay)
        self._set_state(replace(self.state, phase="stopped", retry_in=None))

    def _play(self, started: float, seq: int, failures: int) -> int:
        with av.open(
            self.url, options=_open_options(self.url), timeout=(self.open_timeout, self.read_timeout)
        ) as container:
            if not container.streams.video:
                raise StreamError(f"{urlsplit(self.url).netloc or self.url} sent no video stream")
            stream = container.streams.video[0]
            clock: tuple[float, float] | None = None  # (monotonic, stream time) the pace is kept from
            for frame in container.decode(stream):
                if self._stop.is_set():
                    raise _Stopped
                if frame.time is not None:
                    # A recording (a file, HLS on demand) plays at its own pace, not as fast as it
                    # decodes; a live stream is never ahead of its time. A jump in the timestamps
                    # starts the pace anew.
                    ahead = 0.0 if clock is None else (frame.time - clock[1]) - (time.monotonic() - clock[0])
                    if clock is None or abs(ahead) > RESYNC_S:
                        clock, ahead = (time.monotonic(), frame.time), 0.0
                    if ahead > 0.005 and self._stop.wait(ahead):
                        raise _Stopped
                source = (frame.width, frame.height)
                w, h = fit(source, self._box)
                # Rows may come padded to the scaler's alignment: one contiguous block for the screen.
                image = np.ascontiguousarray(frame.to_ndarray(width=w, height=h, format="rgb24"))
                seq += 1
                if self.state.phase != "playing":
                    self._set_state(
                        PlayerState(
                            "playing", self.url, failures=failures, first_frame_s=time.monotonic() - started
                        )
                    )
                self._on_frame(Frame(image, time.time(), seq, source))
        return seq


class _Stopped(Exception):
    pass


def grab_frame(url: str, timeout: float = 10.0, box: tuple[int, int] | None = None) -> Frame:
    """The first frame of ``url`` through a ``StreamPlayer`` (no retry); StreamError says why not."""
    got: list[Frame] = []
    done = threading.Event()

    def on_frame(frame: Frame) -> None:
        if not got:
            got.append(frame)
        done.set()

    def on_state(state: PlayerState) -> None:
        if state.phase == "failed":
            done.set()

    wait = max(0.1, float(timeout))
    player = StreamPlayer(url, on_frame, on_state, box=box, retry=False, open_timeout=wait, read_timeout=wait)
    player.start()
    done.wait(wait)
    player.stop(wait=1.0)
    if got:
        return got[0]
    if player.state.reason:
        raise StreamError(player.state.reason)
    raise StreamError(f"no frame from {urlsplit(url).netloc or url} within {wait:g} s")


def png_bytes(image: np.ndarray) -> bytes:
    """An RGB image as PNG, through FFmpeg's encoder (no imaging library needed)."""
    h, w = image.shape[:2]
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height = w, h
    encoder.pix_fmt = "rgb24"
    encoder.time_base = Fraction(1, 1)
    packets = encoder.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24"))
    packets += encoder.encode(None)
    return b"".join(bytes(p) for p in packets)
