"""Camera video without the console: the demo stream server as a real process on loopback, ``camera
frame`` saving frames through the player, broken addresses (a closed port, a 404) failing with the reason
and exit 9, the player's retry schedule, and ``cameras see`` on the command line."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request

import av
import numpy as np
import pytest

from modes.common.sight import SightIndex
from nodes.bitmap_font import text_mask
from nodes.video import (
    STREAMS_ENV,
    Backoff,
    PlayerState,
    StreamError,
    StreamPlayer,
    grab_frame,
    resolve_stream_url,
    streams_base,
)
from tests.conftest import HOST, NodeProcess, wait_until
from tests.test_cli import run

CAMERA = "230102-C0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_stream_server(port: int | None = None) -> tuple[NodeProcess, str]:
    """``python main.py streams serve`` on a free port (another if the port was taken meanwhile)."""
    for _ in range(5):
        p = port or free_port()
        proc = NodeProcess(["streams", "serve", "--bind", f"{HOST}:{p}"], dict(os.environ))
        wait_until(
            lambda proc=proc: (
                proc.proc.poll() is not None or any(e.get("event") == "ready" for e in proc.events)
            ),
            30,
            "the stream server is ready",
        )
        if proc.proc.poll() is None:
            return proc, f"http://{HOST}:{p}"
        if port is not None:
            raise AssertionError("".join(proc.raw))
    raise AssertionError("no free port for the stream server")


@pytest.fixture(scope="module")
def streams():
    proc, base = start_stream_server()
    yield base
    assert proc.terminate() == 0


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("video") / "city.db")
    run("seed", "--scale", "small", "--seed", "1", "--db", url)
    return url


def read_png(path) -> np.ndarray:
    with av.open(str(path)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def burned_in(image: np.ndarray, text: str, scale: int = 3, top: int = 6, left: int = 6) -> float:
    """How well the worst letter of ``text`` matches where the server burns it in (nodes/streams.py:
    2 * scale from the top and the left): the share of its cell's pixels that are bright exactly where
    the letter's are."""
    mask = text_mask(text, scale)
    luma = image[top : top + mask.shape[0], left : left + mask.shape[1]].mean(axis=2)
    match = (luma > 160) == mask
    cell = 6 * scale
    return min(float(match[:, k * cell : (k + 1) * cell].mean()) for k in range(len(text)))


# --- addresses -------------------------------------------------------------------------------------------


def test_demo_addresses_play_from_the_server_the_setting_names():
    base = "http://10.1.2.3:9000"
    assert resolve_stream_url("demo://cameras/A-1.mjpg", base) == f"{base}/cameras/A-1.mjpg"
    assert resolve_stream_url("rtsp://video.sanwei.local/A-1", base) == f"{base}/cameras/A-1.mjpg"
    assert resolve_stream_url("rtsp://cam.example/live", base) == "rtsp://cam.example/live"
    assert streams_base({STREAMS_ENV: "http://h:1/"}) == "http://h:1"
    assert streams_base({}) == "http://127.0.0.1:8787"
    with pytest.raises(StreamError, match="SANWEI_STREAMS must be http://HOST:PORT"):
        streams_base({STREAMS_ENV: "h:1"})
    with pytest.raises(StreamError, match="no stream address"):
        resolve_stream_url("  ", base)


# --- the server and camera frame ---------------------------------------------------------------------------


def test_camera_frame_saves_moving_frames_with_the_id_and_time_burned_in(city, streams, tmp_path):
    env = {STREAMS_ENV: streams}
    outs = []
    for name in ("one.png", "two.png"):
        out = tmp_path / name
        done = run("camera", "frame", CAMERA, "--out", str(out), "--json", "--db", city, env=env)
        doc = json.loads(done.stdout)
        assert doc["url"] == f"{streams}/cameras/{CAMERA}.mjpg"
        assert (doc["width"], doc["height"], doc["out"]) == (640, 360, str(out))
        outs.append(read_png(out))
    one, two = outs
    assert one.shape == two.shape == (360, 640, 3)
    assert burned_in(one, CAMERA) > 0.97 and burned_in(two, CAMERA) > 0.97
    assert burned_in(one, "230102-C0007") < 0.9  # the check tells ids apart
    below = slice(80, 360)  # the moving pattern, under the burned-in lines
    assert np.abs(one[below].astype(int) - two[below].astype(int)).mean() > 1.0


def test_a_closed_port_or_a_missing_stream_fails_with_the_reason(city, streams, tmp_path):
    out = tmp_path / "never.png"
    closed = f"http://{HOST}:{free_port()}"
    done = run(
        "camera", "frame", CAMERA, "--out", str(out), "--db", city, env={STREAMS_ENV: closed}, check=False
    )
    assert done.returncode == 9
    assert f"camera {CAMERA}: connection refused by {closed[7:]}" in done.stderr
    done = run(
        "camera",
        "frame",
        CAMERA,
        "--out",
        str(out),
        "--db",
        city,
        env={STREAMS_ENV: streams + "/nothing"},
        check=False,
    )
    assert done.returncode == 9 and "HTTP 404 Not Found" in done.stderr and "/nothing/cameras/" in done.stderr
    done = run("camera", "frame", "no-such", "--out", str(out), "--db", city, check=False)
    assert done.returncode == 2 and "no camera 'no-such'" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_viewers_of_one_camera_share_its_frames_and_bad_requests_are_refused(streams):
    url = f"{streams}/cameras/{CAMERA}.mjpg?size=320x180&fps=5"
    frames: list = []
    players = [StreamPlayer(url, frames.append) for _ in range(2)]
    for p in players:
        p.start()
    try:
        wait_until(lambda: len(frames) >= 6, 20, "both viewers get frames")
        listing = json.loads(urllib.request.urlopen(streams + "/", timeout=5).read())
        mine = [s for s in listing["streams"] if s["camera"] == CAMERA and s["size"] == "320x180"]
        assert listing["server"] == "sanwei-streams" and mine == [
            {"camera": CAMERA, "size": "320x180", "fps": 5}
        ]
        assert {f.image.shape for f in frames} == {(180, 320, 3)}
    finally:
        for p in players:
            p.stop(wait=5)
    for query, reason in (
        ("size=3x3", "out of range"),
        ("fps=99", "fps 99 out of range"),
        ("size=big", "WIDTHxHEIGHT"),
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{streams}/cameras/{CAMERA}.mjpg?{query}", timeout=5)
        assert refused.value.code == 400 and reason in json.loads(refused.value.read())["error"]
    jpeg = urllib.request.urlopen(f"{streams}/cameras/{CAMERA}.jpg", timeout=5)
    assert jpeg.headers["Content-Type"] == "image/jpeg" and jpeg.read()[:2] == b"\xff\xd8"


def test_what_is_not_video_is_named(streams):
    with pytest.raises(StreamError, match="sent no video the decoder understands"):
        grab_frame(streams + "/", timeout=5)


def test_a_port_in_use_is_refused_by_streams_serve(streams):
    done = run("streams", "serve", "--bind", streams.split("//")[1], check=False)
    assert done.returncode == 2 and "cannot listen on" in done.stderr
    done = run("streams", "serve", "--bind", "nowhere", check=False)
    assert done.returncode == 2 and "--bind must be HOST:PORT" in done.stderr


# --- the player's retries -------------------------------------------------------------------------------


def test_a_failing_stream_is_retried_with_growing_waits_and_plays_when_the_server_comes(tmp_path):
    port = free_port()
    states: list[PlayerState] = []
    frames: list = []
    player = StreamPlayer(
        f"http://{HOST}:{port}/cameras/{CAMERA}.mjpg",
        frames.append,
        states.append,
        backoff=Backoff(0.1, 2.0, 0.4),
    )
    player.start()
    try:
        wait_until(lambda: sum(s.phase == "failed" for s in states) >= 5, 20, "five failed attempts")
        failed = [s for s in states if s.phase == "failed"][:5]
        assert [s.retry_in for s in failed] == [0.1, 0.2, 0.4, 0.4, 0.4]
        assert [s.failures for s in failed] == [1, 2, 3, 4, 5]
        assert all(
            s.reason == f"connection refused by {HOST}:{port} (no stream server there)" for s in failed
        )
        server, _ = start_stream_server(port)
        try:
            wait_until(lambda: frames, 20, "the stream plays once the server is up")
            playing = next(s for s in states if s.phase == "playing")
            assert playing.failures >= 5 and playing.first_frame_s is not None
        finally:
            player.stop(wait=5)
            assert server.terminate() == 0
    finally:
        player.stop(wait=5)
    assert states[-1].phase == "stopped" and not player.running


# --- cameras see --------------------------------------------------------------------------------------------


def test_cameras_see_lists_the_cameras_of_a_point_in_json_and_as_a_table(city):
    from data.city import city_crs
    from data.db import make_engine, session_factory
    from data.geometry import WGS84, transformer

    engine = make_engine(city)
    with session_factory(engine)() as s:
        index = SightIndex.load(s)
        to_lonlat = transformer(city_crs(s), WGS84)
    engine.dispose()
    i = 4
    a = np.radians(index.heading[i])
    x, y = index.x[i] + 0.3 * index.range[i] * np.sin(a), index.y[i] + 0.3 * index.range[i] * np.cos(a)
    expected = [c.as_dict() for c in index.who_sees(x, y)]
    assert index.ids[i] in [c["id"] for c in expected]
    doc = json.loads(run("cameras", "see", f"{x:.4f}", f"{y:.4f}", "--json", "--db", city).stdout)
    assert doc["cameras"] == expected and doc["x"] == round(x, 2)
    lon, lat = to_lonlat.transform(x, y)
    by_lonlat = json.loads(
        run("cameras", "see", f"{lon:.9f}", f"{lat:.9f}", "--lonlat", "--json", "--db", city).stdout
    )
    assert [c["id"] for c in by_lonlat["cameras"]] == [c["id"] for c in expected]
    table = run("cameras", "see", f"{x:.4f}", f"{y:.4f}", "--db", city).stdout.splitlines()
    assert table[0].split() == ["id", "name", "status", "distance_m", "bearing_deg", "compass"]
    assert [line.split()[0] for line in table[1:]] == [c["id"] for c in expected]
    far = run("cameras", "see", "0", "0", "--db", city).stdout
    assert far.strip() == "no camera sees 0.0, 0.0"
    done = run("cameras", "see", "nan", "1", "--db", city, check=False)
    assert done.returncode == 2 and "finite" in done.stderr


def test_an_hls_recording_plays_through_the_player(tmp_path):
    """HLS, as FFmpeg writes it: a playlist and its segments (made here), played from the playlist."""
    playlist = tmp_path / "hls" / "index.m3u8"
    playlist.parent.mkdir()
    with av.open(
        str(playlist), "w", format="hls", options={"hls_time": "1", "hls_playlist_type": "vod"}
    ) as out:
        stream = out.add_stream("mpeg2video", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for i in range(20):
            image = np.zeros((180, 320, 3), np.uint8)
            image[:, i * 15 : i * 15 + 20] = 255  # a bar moving right
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    assert len(list(playlist.parent.glob("*.ts"))) >= 2
    frames: list = []
    states: list[PlayerState] = []
    player = StreamPlayer(str(playlist), frames.append, states.append)
    player.start()
    try:
        wait_until(lambda: len(frames) >= 20, 30, "the recording plays")
    finally:
        player.stop(wait=5)
    assert {f.image.shape for f in frames} == {(180, 320, 3)}
    bars = [int(np.argmax(f.image[90, :, 0] > 128)) for f in frames[:20]]
    assert bars == sorted(bars) and bars[-1] - bars[0] > 200  # in order, moving
    assert states[1].phase == "playing"
