"""The demo city's cameras, played offline: synthetic MJPEG streams over HTTP (``python main.py streams
serve``).

Each stream is FFmpeg's moving ``testsrc2`` pattern (through PyAV's filter graph; each camera its own
hue and phase) with the camera's id and the time burned in, JPEG-encoded by FFmpeg's ``mjpeg`` encoder
and sent as ``multipart/x-mixed-replace``, the form IP cameras use for MJPEG over HTTP and which FFmpeg
reads (``mpjpeg``).

    GET /                                   {"server": "sanwei-streams", "streams": [...]}  (JSON)
    GET /cameras/{id}.mjpg[?size=WxH&fps=N] the live stream (default 640x360 at 10 fps)
    GET /cameras/{id}.jpg[?size=WxH]        one frame

One producer thread per (camera, size, rate) makes each frame once, whoever watches, and stops a few
seconds after its last viewer left; viewers wait on it for the next frame. A frame costs about 0.5 ms to
generate and 1 ms to encode at 640x360, so nine streams at 10 fps take about a seventh of a core.

Any camera id of letters, digits, ``-``, ``_`` and ``.`` plays: the server holds no city.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import av
from av.filter import Graph

from nodes.bitmap_font import text_mask
from nodes.logs import NodeLog

SERVER_NAME = "sanwei-streams"
BOUNDARY = "sanwei-frame"
DEFAULT_SIZE = (640, 360)
DEFAULT_FPS = 10
MAX_SIDE = 1920
MAX_FPS = 30
IDLE_STOP_S = 3.0  # a producer without viewers stops after this long (a viewer reconnecting keeps it)
FRAME_WAIT_S = 5.0  # a viewer gives up on a producer that made no frame for this long
_CAMERA_ID = re.compile(r"/cameras/([A-Za-z0-9_.\-]{1,64})\.(mjpg|jpg)")


class BadRequest(ValueError):
    """A request the server refuses with 400: the text says why."""


@dataclass(frozen=True)
class StreamKey:
    camera: str
    width: int
    height: int
    fps: int


def parse_stream_query(query: str) -> tuple[tuple[int, int], int]:
    """``size=WxH&fps=N`` (both optional) as ((w, h), fps); sizes are even, 16..1920, rates 1..30."""
    params = parse_qs(query, keep_blank_values=True)
    size, fps = DEFAULT_SIZE, DEFAULT_FPS
    if "size" in params:
        m = re.fullmatch(r"(\d{1,4})x(\d{1,4})", params["size"][-1])
        if m is None:
            raise BadRequest(f"size must be WIDTHxHEIGHT, e.g. 640x360, not {params['size'][-1]!r}")
        size = (int(m[1]), int(m[2]))
        if not all(16 <= v <= MAX_SIDE and v % 2 == 0 for v in size):
            raise BadRequest(f"size {params['size'][-1]} out of range: even numbers from 16 to {MAX_SIDE}")
    if "fps" in params:
        try:
            fps = int(params["fps"][-1])
        except ValueError:
            raise BadRequest(f"fps must be a whole number, not {params['fps'][-1]!r}") from None
        if not 1 <= fps <= MAX_FPS:
            raise BadRequest(f"fps {fps} out of range: 1 to {MAX_FPS}")
    return size, fps


class TestCard:
    """Moving test video (FFmpeg's ``testsrc2``) with two lines burned in, as JPEG frames."""

    def __init__(self, width: int, height: int, fps: int, camera: str = ""):
        self.width, self.height = width, height
        # Each camera its own colours and phase of the pattern, the same every time it plays.
        tint = zlib.crc32(camera.encode("utf-8"))
        graph = Graph()
        source = graph.add("testsrc2", f"size={width}x{height}:rate={fps}")
        hue = graph.add("hue", f"h={tint % 360}")
        # Full-range 4:2:0, the form JPEG stores: no conversion in the encoder.
        convert = graph.add("format", "pix_fmts=yuvj420p")
        self._sink = graph.add("buffersink")
        source.link_to(hue)
        hue.link_to(convert)
        convert.link_to(self._sink)
        graph.configure()
        self._graph = graph
        for _ in range((tint >> 9) % (5 * fps)):
            self._sink.pull()
        self._encoder = av.CodecContext.create("mjpeg", "w")
        self._encoder.width, self._encoder.height = width, height
        self._encoder.pix_fmt = "yuvj420p"
        self._encoder.time_base = Fraction(1, fps)
        self._encoder.options = {"q:v": "5"}
        self._encoder.open()
        self.scale = max(1, height // 120)  # 3 at 360 lines: letters 21 pixels high

    def frame(self, lines: tuple[str, ...]) -> bytes:
        """The next frame of the pattern with ``lines`` burned in at the top left, as one JPEG."""
        picture = self._sink.pull()
        planes = picture.to_ndarray()  # Y (h rows), then U and V (h/4 rows of w each: h/2 x w/2 each)
        h, w = self.height, self.width
        luma = planes[:h]
        u = planes[h : h + h // 4].reshape(h // 2, w // 2)
        v = planes[h + h // 4 :].reshape(h // 2, w // 2)
        s = self.scale
        y0 = 2 * s
        for text in lines:
            mask = text_mask(text, s)[:, : w - 4 * s]
            mh, mw = mask.shape
            bottom, right = min(y0 + mh + s, h), min(2 * s + mw + s, w)
            # A black band under the text keeps it legible on any part of the pattern.
            luma[max(y0 - s, 0) : bottom, s:right] = 0
            u[max(y0 - s, 0) // 2 : (bottom + 1) // 2, s // 2 : (right + 1) // 2] = 128
            v[max(y0 - s, 0) // 2 : (bottom + 1) // 2, s // 2 : (right + 1) // 2] = 128
            region = luma[y0 : y0 + mh, 2 * s : 2 * s + mw]
            region[mask[: region.shape[0], : region.shape[1]]] = 255
            y0 += mh + 3 * s
        out = av.VideoFrame.from_ndarray(planes, format="yuvj420p")
        return b"".join(bytes(p) for p in self._encoder.encode(out))


class Producer:
    """One stream's frames, made once for all its viewers by a thread of its own."""

    def __init__(self, key: StreamKey, on_idle):
        self.key = key
        self._on_idle = on_idle
        self._cond = threading.Condition()
        self._jpeg = b""
        self._seq = 0
        self._viewers = 0
        self._idle_since: float | None = None
        self._stopped = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"stream-{key.camera}", daemon=True)
        self._thread.start()

    def join(self) -> bool:
        """Count a viewer in; False when this producer is stopping (ask the server for a new one)."""
        with self._cond:
            if self._stopped:
                return False
            self._viewers += 1
            self._idle_since = None
            return True

    def leave(self) -> None:
        with self._cond:
            self._viewers -= 1
            if self._viewers == 0:
                self._idle_since = time.monotonic()

    def next_frame(self, after: int, timeout: float = FRAME_WAIT_S) -> tuple[bytes, int] | None:
        """The first frame made after frame number ``after`` (None: stopped, or none in ``timeout`` s)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._seq > after or self._stopped, timeout):
                return None
            if self._stopped and self._seq <= after:
                return None
            return self._jpeg, self._seq

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def _run(self) -> None:
        key = self.key
        try:
            card = TestCard(key.width, key.height, key.fps, key.camera)
        except Exception as exc:  # noqa: BLE001 - the viewers are told through the stopped stream
            self.error = f"{type(exc).__name__}: {exc}"
            self.stop()
            self._on_idle(self)
            return
        period = 1.0 / key.fps
        due = time.monotonic()
        camera = key.camera.upper()
        while True:
            with self._cond:
                if self._stopped:
                    break
                idle = self._idle_since is not None and time.monotonic() - self._idle_since > IDLE_STOP_S
                if idle:
                    self._stopped = True
                    self._cond.notify_all()
                    break
            now = dt.datetime.now()
            stamp = now.strftime("%Y-%m-%d %H:%M:%S.") + str(now.microsecond // 100_000)
            jpeg = card.frame((camera, stamp))
            with self._cond:
                self._jpeg, self._seq = jpeg, self._seq + 1
                self._cond.notify_all()
            due += period
            late = time.monotonic() - due
            if late > period:  # fell behind (a busy machine): skip ahead rather than burst
                due = time.monotonic()
            else:
                time.sleep(max(0.0, -late))
        self._on_idle(self)


class StreamServer(ThreadingHTTPServer):
    """The HTTP server with its producers (one per stream watched)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], log: NodeLog | None = None):
        self.log = log
        self._lock = threading.Lock()
        self._producers: dict[StreamKey, Producer] = {}
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _StreamHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def producer(self, key: StreamKey) -> Producer:
        """The running producer of ``key`` with this viewer counted in (started when there is none)."""
        with self._lock:
            while True:
                p = self._producers.get(key)
                if p is None:
                    p = self._producers[key] = Producer(key, self._forget)
                if p.join():
                    return p
                del self._producers[key]  # stopping: replaced by a fresh one

    def _forget(self, producer: Producer) -> None:
        with self._lock:
            if self._producers.get(producer.key) is producer:
                del self._producers[producer.key]

    def streams(self) -> list[dict]:
        with self._lock:
            keys = list(self._producers)
        return [{"camera": k.camera, "size": f"{k.width}x{k.height}", "fps": k.fps} for k in keys]

    def server_close(self) -> None:
        with self._lock:
            producers = list(self._producers.values())
        for p in producers:
            p.stop()
        super().server_close()


class _StreamHandler(BaseHTTPRequestHandler):
    server: StreamServer
    protocol_version = "HTTP/1.0"  # a stream ends with its connection
    server_version = SERVER_NAME

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/":
            self._send_json(200, {"server": SERVER_NAME, "streams": self.server.streams()})
            return
        m = _CAMERA_ID.fullmatch(path)
        if m is None:
            self._send_json(404, {"error": f"no stream at {path}: streams are /cameras/ID.mjpg"})
            return
        try:
            (width, height), fps = parse_stream_query(query)
        except BadRequest as exc:
            self._send_json(400, {"error": str(exc)})
            return
        producer = self.server.producer(StreamKey(m[1], width, height, fps))
        try:
            if m[2] == "jpg":
                self._send_one(producer)
            else:
                self._send_stream(producer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the viewer went away
        finally:
            producer.leave()

    def _send_one(self, producer: Producer) -> None:
        got = producer.next_frame(0)
        if got is None:
            self._send_json(503, {"error": producer.error or "no frame"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(got[0])))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(got[0])

    def _send_stream(self, producer: Producer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace;boundary={BOUNDARY}")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seq = 0  # frames are numbered from 1
        while True:
            got = producer.next_frame(seq)
            if got is None:
                return
            jpeg, seq = got
            head = (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
            ).encode("ascii")
            self.wfile.write(head + jpeg + b"\r\n")
            self.wfile.flush()

    def _send_json(self, status: int, doc: dict) -> None:
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if self.server.log is not None:
            self.server.log.event("request", client=self.client_address[0], line=format % args)


def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) as (host, port)."""
    m = re.fullmatch(r"\[?([^\]]*?)\]?:(\d{1,5})", text.strip())
    if m is None or not m[1] or not 0 <= int(m[2]) <= 65535:
        raise ValueError(f"--bind must be HOST:PORT, e.g. 127.0.0.1:8787, not {text!r}")
    return m[1], int(m[2])
