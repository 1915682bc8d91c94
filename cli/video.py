"""Cameras and their video: who sees a point, one frame of a camera's stream, the demo stream server.

    python main.py cameras see X Y [--lonlat] [--json]      # the cameras whose field of view holds it
    python main.py camera frame ID --out FILE.png [--timeout S] [--json]
    python main.py streams serve [--bind HOST:PORT]          # the demo city's synthetic streams

``camera frame`` plays the camera's stream through the console's own player (nodes/video.py) and saves
its first frame; a demo camera plays from the server ``$SANWEI_STREAMS`` names. A stream that cannot be
played is exit 9, with the reason.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import threading
import time

from cli.common import EXIT_INPUT, emit_json, fail, open_city

EXIT_STREAM = 9  # the camera's stream could not be played (the message says why)
_COLUMNS = ("id", "name", "status", "distance_m", "bearing_deg", "compass")


def cmd_cameras(args: argparse.Namespace) -> int:
    from data.errors import InputError
    from modes.common.sight import SightIndex

    if not (math.isfinite(args.x) and math.isfinite(args.y)):
        raise InputError("X and Y must be finite numbers")
    engine, Session = open_city(args)
    with Session() as s:
        x, y = args.x, args.y
        if args.lonlat:
            from data.city import city_crs
            from data.geometry import WGS84, transformer

            x, y = transformer(WGS84, city_crs(s)).transform(x, y)
        index = SightIndex.load(s)
    engine.dispose()
    started = time.perf_counter()
    seen = index.who_sees(float(x), float(y))
    elapsed = time.perf_counter() - started
    if args.json:
        emit_json(
            {
                "x": round(float(x), 2),
                "y": round(float(y), 2),
                "cameras": [c.as_dict() for c in seen],
                "query_ms": round(elapsed * 1000, 3),
            }
        )
        return 0
    if not seen:
        print(f"no camera sees {x:.1f}, {y:.1f}")
        return 0
    rows = [_COLUMNS] + [
        (c.id, c.name, c.status, f"{c.distance_m:.0f}", f"{c.bearing_deg:.0f}", c.compass) for c in seen
    ]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    for r in rows:
        print(
            "  ".join(_pad(v, w, right=i in (3, 4)) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
        )
    return 0


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def cmd_camera(args: argparse.Namespace) -> int:
    from data.errors import InputError
    from modes.common.sight import camera_feeds
    from nodes.video import StreamError, grab_frame, png_bytes, resolve_stream_url

    if not args.timeout > 0:
        raise InputError("--timeout must be above 0 seconds")
    engine, Session = open_city(args)
    with Session() as s:
        feeds = camera_feeds(s, [args.id])
    engine.dispose()
    if not feeds:
        raise InputError(f"no camera {args.id!r} (python main.py export cameras lists them)")
    feed = feeds[0]
    started = time.perf_counter()
    try:
        url = resolve_stream_url(feed.stream_url)
        frame = grab_frame(url, args.timeout)
    except StreamError as exc:
        return fail(f"camera {feed.id}: {exc}", EXIT_STREAM)
    seconds = time.perf_counter() - started
    data = png_bytes(frame.image)
    tmp = f"{args.out}.part"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, args.out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return fail(f"cannot write {args.out}: {exc.strerror}", EXIT_INPUT)
    h, w = frame.image.shape[:2]
    doc = {
        "camera": feed.id,
        "url": url,
        "out": args.out,
        "width": w,
        "height": h,
        "seconds": round(seconds, 3),
    }
    if args.json:
        emit_json(doc)
    else:
        print(f"{args.out}: {w}x{h} from {url} in {seconds:.2f} s")
    return 0


def cmd_streams(args: argparse.Namespace) -> int:
    from nodes.logs import setup_json_logging
    from nodes.streams import StreamServer, parse_bind
    from nodes.video import StreamError, streams_base

    try:
        host, port = parse_bind(args.bind or streams_base().split("://", 1)[1].split("/", 1)[0])
    except (ValueError, StreamError) as exc:
        return fail(str(exc))
    log = setup_json_logging("streams")
    try:
        server = StreamServer((host, port), log if args.verbose else None)
    except OSError as exc:
        log.event("failed", "error", error=f"cannot listen on {host}:{port}: {exc.strerror}")
        return fail(f"cannot listen on {host}:{port}: {exc.strerror}", EXIT_INPUT)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.owned:
        # Started by a console: end with it, however it ends (its end of the pipe closes).
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), stop.set()), daemon=True).start()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    log.event("ready", url=server.url, streams=f"{server.url}/cameras/ID.mjpg")
    while not stop.wait(0.5):
        pass
    log.event("stopping")
    server.shutdown()
    server.server_close()
    log.event("stopped")
    return 0


def add_parsers(add, common: argparse.ArgumentParser) -> None:
    """cameras, camera, streams: a group of one command each."""

    def leaf(group: str, handler, group_help: str, name: str, help_text: str, description: str):
        grp = add(group, handler, group_help).add_subparsers(
            dest=f"{group}_command", metavar=name, required=True
        )
        return grp.add_parser(name, parents=[common], help=help_text, description=description)

    q = leaf(
        "cameras",
        cmd_cameras,
        "the city's cameras: which of them see a point",
        "see",
        "the cameras whose field of view holds a point, nearest first, with distance and bearing",
        "the cameras whose field of view holds a point, nearest first; bearing_deg is the compass "
        "bearing from the point to the camera",
    )
    q.add_argument("x", type=float)
    q.add_argument("y", type=float)
    q.add_argument("--lonlat", action="store_true", help="X Y are WGS84 longitude, latitude")

    q = leaf(
        "camera",
        cmd_camera,
        "one camera: save a frame of its stream",
        "frame",
        "save one frame of the camera's stream as PNG (exit 9 when it cannot be played)",
        "save one frame of the camera's stream as PNG, through the console's player; a demo camera "
        "plays from the server $SANWEI_STREAMS names (exit 9 when the stream cannot be played)",
    )
    q.add_argument("id")
    q.add_argument("--out", required=True, metavar="FILE.png")
    q.add_argument("--timeout", type=float, default=10.0, metavar="S", help="give up after S seconds")

    q = leaf(
        "streams",
        cmd_streams,
        "the demo city's synthetic camera streams",
        "serve",
        "serve moving test video for every camera id, as MJPEG over HTTP (holds no city)",
        "serve moving test video with the camera's id and the time burned in, as MJPEG over HTTP at "
        "/cameras/ID.mjpg[?size=WxH&fps=N]; SANWEI_STREAMS=http://HOST:PORT names it",
    )
    q.add_argument(
        "--bind",
        metavar="HOST:PORT",
        help="where to listen (default: the address $SANWEI_STREAMS names, else 127.0.0.1:8787)",
    )
    q.add_argument("--verbose", action="store_true", help="log every request")
    q.add_argument("--owned", action="store_true", help=argparse.SUPPRESS)  # stop when stdin closes
