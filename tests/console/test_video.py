"""Live video on the console: the wall's tiles play the demo streams of a real stream server process,
labelled with name, status and last-frame time; a broken address shows why and is retried with growing
waits until it plays; clicking the map, a case or an incident lists or opens the cameras that see it;
the console starts the demo stream server when none answers."""

from __future__ import annotations

import datetime as dt
import math
import re
import time

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from console.video.demo_streams import DemoStreams
from console.video.wall import VideoWall, WallCamera
from data.models import EventType
from modes.common.clock import FixedClock
from modes.common.sight import CameraFeed, SightIndex
from modes.everyday.cases import Actor, CaseDesk
from nodes.video import STREAMS_ENV, Backoff
from tests.console.test_map import viewport_point, zoom_to
from tests.test_video import CAMERA, burned_in, free_port, read_png, start_stream_server

NOW = dt.datetime(2009, 9, 18, 10, 0)  # the console fixtures' clock


@pytest.fixture(scope="module")
def streams():
    proc, base = start_stream_server()
    yield base
    assert proc.terminate() == 0


@pytest.fixture
def video_window(open_window, streams, monkeypatch):
    """A loaded window whose demo cameras play from the test's stream server."""

    def build(lang: str = "en"):
        monkeypatch.setenv(STREAMS_ENV, streams)
        return open_window(lang=lang)

    return build


@pytest.fixture(scope="module")
def oracle(make_session) -> SightIndex:
    with make_session() as s:
        return SightIndex.load(s)


def ahead_of(index: SightIndex, i: int, share: float = 0.4) -> tuple[float, float]:
    """A point ``share`` of the way along camera i's heading (city CRS): it sees it."""
    a = math.radians(index.heading[i])
    return index.x[i] + share * index.range[i] * math.sin(a), index.y[i] + share * index.range[i] * math.cos(
        a
    )


def wait_frames(qtbot, wall: VideoWall, n: int, frames: int = 3) -> None:
    qtbot.waitUntil(lambda: all(t.frames >= frames for t in wall.tiles[:n]), timeout=30_000)


def test_the_wall_plays_four_cameras_labelled_with_name_status_and_time(video_window, qtbot, make_session):
    window = video_window()
    ids = ["230102-C0001", "230102-C0002", "230102-C0003", "230102-C0004"]
    feeds = window.video.feeds(ids)
    wall = window.video.open_wall("four", [WallCamera(f, f"{k} m") for k, f in enumerate(feeds)])
    assert len(wall.tiles) == 4 and wall.layout_buttons[4].isChecked()
    wait_frames(qtbot, wall, 4)
    before = [t.picture.image.copy() for t in wall.tiles]
    shown = [t.frames for t in wall.tiles]
    qtbot.waitUntil(lambda: all(t.frames > n for t, n in zip(wall.tiles, shown, strict=True)), timeout=10_000)
    for tile, feed, image in zip(wall.tiles, feeds, before, strict=True):
        assert tile.name_label.text() == f"{feed.name}  ·  {feed.id}"
        assert tile.status_label.text() == f"{feed.status.capitalize()} · Playing"
        stamp = re.fullmatch(r"Last frame (\d\d:\d\d:\d\d\.\d)", tile.time_label.text())
        assert stamp is not None
        assert abs(time.time() - tile.last_frame_at) < 10
        assert dt.datetime.fromtimestamp(tile.last_frame_at).strftime("%H:%M:%S.%f")[:10] == stamp[1]
        assert tile.picture.image != image  # it moves
        assert tile.first_frame_shown_s is not None and tile.state.phase == "playing"
    assert [t.note_label.text() for t in wall.tiles] == ["0 m", "1 m", "2 m", "3 m"]
    wall.set_tile_count(9)
    assert len(wall.tiles) == 9 and all(t.feed is None for t in wall.tiles[4:])
    assert wall.tiles[5].picture.message == "No camera in this tile"
    wall.set_tile_count(1)
    assert len(wall.tiles) == 1 and wall.tiles[0].feed == feeds[0]
    wall.close()
    assert all(t.player is None for t in wall.tiles)


def test_the_wall_speaks_chinese(video_window, qtbot):
    window = video_window("zh_CN")
    (feed,) = window.video.feeds([CAMERA])
    wall = window.video.play_camera(CAMERA)
    wait_frames(qtbot, wall, 1, 1)
    tile = wall.tiles[0]
    assert (
        tile.status_label.text()
        == {"online": "在线", "offline": "离线", "fault": "故障"}[feed.status] + " · 播放中"
    )
    assert tile.time_label.text().startswith("最后一帧 ")
    assert wall.layout_buttons[4].text() == "4 画面" and wall.windowTitle() == "三位一体 · 视频墙"
    wall.close()


def test_a_selected_camera_plays_at_full_size_with_its_id_burned_in(video_window, qtbot, oracle):
    window = video_window()
    i = 2
    cam_id = str(oracle.ids[i])
    with qtbot.waitSignal(window.details_shown, timeout=5000):
        window.map.select("camera", cam_id)
    sight = window.video.sight
    assert sight.play_button.isVisible() and not sight.table.isVisible()
    qtbot.mouseClick(sight.play_button, Qt.MouseButton.LeftButton)
    wall = window.video.wall
    assert wall.isVisible() and len(wall.tiles) == 1 and wall.tiles[0].feed.id == cam_id
    wall.resize(1280, 800)
    qtbot.waitUntil(lambda: wall.tiles[0].picture.width() > 640 and wall.tiles[0].picture.height() > 360)
    qtbot.waitUntil(
        lambda: wall.tiles[0].picture._pixels is not None and wall.tiles[0].picture._pixels.shape[1] == 640,
        timeout=30_000,
    )
    pixels = wall.tiles[0].picture._pixels
    assert pixels.shape == (360, 640, 3) and burned_in(pixels, cam_id) > 0.95
    wall.close()


def test_a_broken_stream_shows_why_and_is_retried_until_it_plays(video_window, qtbot, streams):
    window = video_window()
    port = free_port()
    closed = CameraFeed("X-1", "no server yet", "online", f"http://127.0.0.1:{port}/cameras/X-1.mjpg")
    missing = CameraFeed("X-2", "wrong path", "online", f"{streams}/nothing/X-2.mjpg")
    window.video.backoff = Backoff(0.2, 2.0, 0.8)
    wall = window.video.open_wall("broken", [WallCamera(closed), WallCamera(missing)])
    first, second = wall.tiles[:2]
    qtbot.waitUntil(lambda: len(first.retry_delays) >= 4 and len(second.retry_delays) >= 2, timeout=30_000)
    assert first.retry_delays[:4] == [0.2, 0.4, 0.8, 0.8]
    assert second.retry_delays[:2] == [0.2, 0.4]
    assert first.state.phase in ("failed", "connecting") and first.frames == 0
    qtbot.waitUntil(lambda: first.state.phase == "failed")
    assert first.status_label.text() == "Online · Failed"
    reason, retry = first.picture.message.split("\n")
    assert reason == f"connection refused by 127.0.0.1:{port} (no stream server there)"
    assert re.fullmatch(r"retry (\d+) in (0\.8) s", retry) and first.picture.message_is_error
    qtbot.waitUntil(lambda: second.state.phase == "failed")
    assert second.picture.message.startswith("HTTP 404 Not Found: ")
    server, _ = start_stream_server(port)
    try:
        qtbot.waitUntil(lambda: first.frames >= 2, timeout=30_000)
        assert first.state.phase == "playing" and first.picture.message == ""
        assert first.status_label.text() == "Online · Playing"
    finally:
        wall.close()
        assert server.terminate() == 0


def test_clicking_the_map_lists_the_cameras_that_see_the_point(video_window, qtbot, oracle):
    window = video_window()
    snap = window.snapshot
    i = 5
    x, y = ahead_of(oracle, i)
    ox, oy = snap.origin
    zoom_to(window, qtbot, x - ox, y - oy, half_width=300)
    window.map.set_layer_visible("components", False)
    qtbot.mouseClick(
        window.map.view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(window, x - ox, y - oy)
    )
    sight = window.video.sight
    click = window.map.viewbox.mapSceneToView(
        window.map.view.mapToScene(viewport_point(window, x - ox, y - oy))
    )  # where the click landed, to the pixel
    expected = oracle.who_sees(click.x() + ox, click.y() + oy)
    assert oracle.ids[i] in {c.id for c in expected}
    assert sight.isVisible() and sight.title.text() == f"Cameras that see this point ({len(expected)})"
    rows = sight.rows()
    assert [r[0] for r in rows] == [f"{c.name} · {c.id}" for c in expected]
    assert [r[1] for r in rows] == [f"{c.distance_m:.0f} m" for c in expected]
    assert [r[2] for r in rows] == [f"{c.bearing_deg:.0f}° {c.compass}" for c in expected]
    qtbot.mouseClick(sight.wall_button, Qt.MouseButton.LeftButton)
    wall = window.video.wall
    assert [c.feed.id for c in wall.cameras] == [c.id for c in expected]
    assert wall.title.text() == sight.title.text()
    wait_frames(qtbot, wall, min(len(expected), len(wall.tiles)), 1)
    wall.close()
    # Outside the city no camera sees anything.
    window.video.show_point(0.0, 0.0)
    assert sight.title.text() == "No camera sees this point" and not sight.table.isVisible()


def report_at(make_session, x: float, y: float) -> int:
    with make_session() as s, s.begin():
        etype = s.scalar(
            select(EventType).where(EventType.urgent.is_(False)).order_by(EventType.code).limit(1)
        )
        doc, _ = CaseDesk(s, FixedClock(NOW)).report(
            Actor.of("operator", "someone-else"), x=x, y=y, channel="hotline", type_code=etype.code
        )
    return doc["id"]


def test_the_case_menu_opens_the_wall_on_the_cameras_that_see_the_case(
    video_window, qtbot, make_session, oracle
):
    window = video_window()
    x, y = ahead_of(oracle, 7, 0.3)
    case_id = report_at(make_session, x, y)
    expected = [c.id for c in oracle.who_sees(x, y)]
    assert str(oracle.ids[7]) in expected
    queue = window.cases.queue
    queue.refresh()
    qtbot.waitUntil(lambda: queue.model.row_of(case_id) is not None, timeout=10_000)
    menu = window.video.case_menu(queue.model.row_of(case_id))
    (action,) = menu.actions()
    assert action.text() == "Video wall"
    action.trigger()
    wall = window.video.wall
    assert wall.title.text() == f"Cameras that see case {case_id}"
    assert [c.feed.id for c in wall.cameras] == expected
    wall.close()
    # Choosing the case in the queue, or on the map, lists the same cameras under the details.
    sight = window.video.sight
    sight.clear()
    queue.select_case(case_id)
    assert [c.id for c in sight.cameras] == expected
    assert sight.title.text() == f"Cameras that see case {case_id} ({len(expected)})"
    sight.clear()
    window.show_details("case", str(case_id))
    assert [c.id for c in sight.cameras] == expected


def test_the_incident_menu_opens_the_wall_on_the_cameras_of_its_impact(video_window, qtbot, oracle):
    window = video_window()
    console = window.emergency
    x, y = ahead_of(oracle, 11, 0.5)
    console.refresh()
    qtbot.waitUntil(lambda: console.board is not None and not console._loading, timeout=20_000)
    with qtbot.waitSignal(console.written, timeout=20_000):
        console.open_incident(type_code="fire", level="IV", x=x, y=y)
    qtbot.waitUntil(
        lambda: (
            console.board.selected is not None and console.board.impact is not None and not console._loading
        ),
        timeout=20_000,
    )
    incident = console.board.selected
    expected = [c.id for c in console.board.impact.cameras]
    assert str(oracle.ids[11]) in expected
    row = console.panels[0].model.row_of(incident.id)
    (action,) = window.video.incident_menu(row).actions()
    action.trigger()
    wall = window.video.wall
    assert wall.title.text() == f"Cameras that see incident {incident.id}"
    assert [c.feed.id for c in wall.cameras] == expected
    wall.close()


def test_the_console_starts_the_demo_stream_server_when_none_answers(qtbot):
    base = f"http://127.0.0.1:{free_port()}"
    streams = DemoStreams(base=base, may_start=True)
    try:
        with qtbot.waitSignal(streams.settled, timeout=30_000) as settled:
            assert streams.ensure() is False  # starting
        assert settled.args == [True] and streams.process.poll() is None
        assert streams.ensure() is True  # it answers now: nothing more started
        wall = VideoWall(streams)
        qtbot.addWidget(wall)
        wall.open("demo", [WallCamera(CameraFeed(CAMERA, "demo", "online", f"demo://cameras/{CAMERA}.mjpg"))])
        wait_frames(qtbot, wall, 1, 1)
        assert wall.tiles[0].url == f"{base}/cameras/{CAMERA}.mjpg"
        wall.close()
    finally:
        process = streams.process
        streams.stop()
    assert process.returncode == 0  # it ended when its standard input closed


def test_no_server_is_started_where_the_setting_names_one(monkeypatch):
    monkeypatch.setenv(STREAMS_ENV, f"http://127.0.0.1:{free_port()}")
    streams = DemoStreams()
    assert streams.ensure() is True and streams.process is None  # the players will say it is refused


def test_a_screenshot_of_the_video_wall_shows_its_tiles_playing(
    city_url, streams, tmp_path, monkeypatch, oracle
):
    from tests.console.test_screenshot import run_console

    monkeypatch.setenv(STREAMS_ENV, streams)
    x, y = ahead_of(oracle, 3)
    assert oracle.who_sees(x, y)
    out = tmp_path / "wall.png"
    done = run_console(
        city_url,
        "--screenshot",
        str(out),
        "--size",
        "1280x800",
        "--video-wall",
        f"{x},{y}",
        "--as",
        "city_commander",
    )
    assert done.returncode == 0, done.stderr
    image = read_png(out).astype(int)
    assert image.shape == (800, 1280, 3)
    # The test pattern's saturated colours fill the playing tiles; the console's own colours are muted.
    saturated = (image.max(axis=2) - image.min(axis=2)) > 150
    assert saturated.mean() > 0.2
    bad = run_console(city_url, "--screenshot", str(out), "--video-wall", "here", "--as", "city_commander")
    assert bad.returncode == 2 and "--video-wall must be X,Y" in bad.stderr
