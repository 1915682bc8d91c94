"""Starting the console: translations, theme, the database (seeding the demo city on first run),
login, the main window; or, with ``--screenshot``, one rendered PNG and exit.

``main.py console`` calls ``run_console(args)`` with ``args.db``, ``args.mode`` (everyday,
civil-defence, emergency or None for the city's current mode), ``args.lang`` (zh_CN, en or None for the
system's), ``args.page`` (queue, dashboard, coverage, controller or None: the page to open on),
``args.measure`` (a measure's key: the cells coloured by it), ``args.screenshot``, ``args.size``
("1600x1000") and ``args.login`` (a staff login; its password from ``SANWEI_PASSWORD``, else the log-in
dialog asks for it).

Startup order matters for the 4-second budget: the database opens and the city's arrays start loading
on a thread *before* Qt, pyqtgraph and the widgets are imported, so the load and those imports
overlap. That is why the Qt imports below live inside functions.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from data.city import has_city
from data.db import (
    APP_NAME,
    MIGRATIONS_DIR,
    DatabaseError,
    head_revision,
    how_to_create_city,
    is_demo_default,
    make_engine,
    open_database,
    require_database_file,
    session_factory,
    stored_revision,
)
from modes.common.auth import AuthRefused
from modes.common.city_loading import load_snapshot
from modes.common.city_picture import CitySnapshot

EXIT_INPUT = 2
PASSWORD_ENV = "SANWEI_PASSWORD"
DEMO_SCREENSHOT_LOGIN = "city_commander"  # --screenshot without --as: the demo city's commander
READY_MARKER = "sanwei-console-ready"


@dataclass
class _Opened:
    engine: object
    make_session: object
    seeded: bool
    snapshot: Future | None = None
    link: object | None = None  # a ConsoleLink with --connect: the city is a node's replica


def _migrations_fingerprint() -> str:
    files = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    return "|".join(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)


def _schema_cache() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "schema_heads.json"


def _open_database_fast(url: str | None, *, create: bool):
    """``open_database`` without importing Alembic (a third of a second, more on a busy machine) when
    the database is at the heads this code's migrations had the last time they were checked.

    The heads are cached beside a fingerprint of the migration files; any change to those files, a
    database at other revisions, or no cache at all takes the full path (check, upgrade, re-cache).
    """
    if not create:
        require_database_file(url)
    engine = make_engine(url)
    fingerprint = _migrations_fingerprint()
    try:
        cached = json.loads(_schema_cache().read_text(encoding="utf-8"))
        current = stored_revision(engine)  # None: unreadable, so the full path
        if cached.get("fingerprint") == fingerprint and current == set(cached.get("heads", ())):
            return engine
    except (OSError, ValueError):
        pass
    engine.dispose()
    engine = open_database(url, create=create)
    try:
        _schema_cache().parent.mkdir(parents=True, exist_ok=True)
        _schema_cache().write_text(
            json.dumps({"fingerprint": fingerprint, "heads": sorted(head_revision())}), encoding="utf-8"
        )
    except OSError:
        pass  # no cache: the next start takes the full path again
    return engine


def _open(url: str | None, pool: ThreadPoolExecutor) -> _Opened:
    """Open the database (schema brought up to date) and, when a city is there, start loading it.

    Only the default file (no ``--db``, no ``SANWEI_DB``) may be created and then seeded with the demo
    city on the first run; a path the user gave must hold a city already, so a typo never opens a
    demo city in place of the real one.

    Everything that imports runs here, on the calling thread: the loader thread then only executes
    code that is already imported. (Imports racing on two threads failed here once with a spurious
    ModuleNotFoundError inside Alembic.)
    """
    first_run_allowed = is_demo_default(url)
    engine = _open_database_fast(url, create=first_run_allowed)
    make_session = session_factory(engine)
    with make_session() as s:
        seeded = has_city(s)
    if not seeded and not first_run_allowed:
        shown = engine.url.render_as_string(hide_password=True)
        engine.dispose()
        raise DatabaseError(
            f"{shown} holds no city, and the console generates the demo city only in its own default "
            f"file; {how_to_create_city(url)}"
        )
    opened = _Opened(engine, make_session, seeded)
    if seeded:
        opened.snapshot = pool.submit(_load_snapshot, make_session)
    return opened


def _load_snapshot(make_session) -> CitySnapshot:
    with make_session() as s, ThreadPoolExecutor(1, thread_name_prefix="sanwei-columns") as pool:
        return load_snapshot(s, executor=pool)


def _requested_mode(args: argparse.Namespace) -> str | None:
    """The mode whose page the user asked to see with ``--mode`` (shown as a preview, the city is not
    switched), or None (main.py's default) for the city's current mode."""
    return getattr(args, "mode", None)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT, e.g. 1600x1000, not {text!r}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise ValueError(f"--size {text!r} is out of range (200..8000 pixels each way)")
    return w, h


def _parse_point(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        x, y = (float(v) for v in text.replace(" ", ",").strip(",").split(","))
    except ValueError:
        raise ValueError(f"--video-wall must be X,Y in the city's CRS, not {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"--video-wall must be finite numbers, not {text!r}")
    return x, y


def run_console(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        size = _parse_size(getattr(args, "size", None) or "1600x1000")
        args.wall_point = _parse_point(getattr(args, "video_wall", None))
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INPUT
    measure = getattr(args, "measure", None)
    if measure:
        from console.measures import MEASURE_BY_KEY

        if measure not in MEASURE_BY_KEY:
            sys.stderr.write(f"error: unknown --measure {measure!r} (one of {', '.join(MEASURE_BY_KEY)})\n")
            return EXIT_INPUT
    preload = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanwei-preload")
    # SQLite's fetches give up the GIL for every row; with the default 5 ms switch interval each row
    # could wait that long for the importing GUI thread (a convoy). Switch often while both run.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(float(os.environ.get("SANWEI_SWITCH_INTERVAL", "0.001")))
    try:
        if getattr(args, "connect", None):
            from console.connect import open_remote

            link = open_remote(args)  # errors go up to main.py's handler, as the database's do
            opened = _Opened(
                link.engine,
                link.session_factory,
                True,
                preload.submit(_load_snapshot, link.session_factory),
                link,
            )
        else:
            opened = _open(getattr(args, "db", None), preload)  # DatabaseError goes up to main.py's handler
        try:
            return _run(args, size, started, opened, preload, interval)
        finally:
            if opened.link is not None:
                opened.link.close()
    finally:
        sys.setswitchinterval(interval)
        # An early return (bad --as, cancelled login) must not leave the loader running while the
        # interpreter and Qt shut down around it.
        preload.shutdown(wait=True, cancel_futures=True)


def _run(args, size, started, opened: _Opened, preload: ThreadPoolExecutor, interval: float) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QDialog

    from console.dto import Login
    from console.i18n import install_translations, pick_language
    from console.layout_memory import LayoutMemory
    from console.login import LoginDialog, local_authenticator, remote_authenticator
    from console.main_window import MainWindow
    from console.services import ConsoleServices
    from console.theme import apply_theme
    from console.workers import GuiThreadCollector
    from modes.common.clock import SystemClock
    from modes.common.mode_switch import Mode

    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = GuiThreadCollector(parent=app)
    collector.start()
    app.setApplicationName("Sanwei")
    app.setOrganizationName("Sanwei")
    try:
        lang = pick_language(getattr(args, "lang", None))
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INPUT
    app._sanwei_translators = install_translations(app, lang)  # kept alive with the application
    apply_theme(app)
    screenshot = getattr(args, "screenshot", None)

    first_run = not opened.seeded
    if first_run:
        from console.seeding import seed_with_progress

        error = seed_with_progress(opened.make_session, scale="harbin", show_dialog=not screenshot)
        if error:
            sys.stderr.write(f"error: the demo city could not be generated: {error}\n")
            return EXIT_INPUT
        opened.snapshot = preload.submit(_load_snapshot, opened.make_session)

    clock = SystemClock()
    staff = ConsoleServices(opened.make_session, clock, Login("", "")).staff()
    if opened.link is not None:
        authenticate = remote_authenticator(opened.link, staff)
    else:
        authenticate = local_authenticator(opened.make_session, clock, staff)
    who = getattr(args, "login", None) or (DEMO_SCREENSHOT_LOGIN if screenshot else None)
    password = os.environ.get(PASSWORD_ENV)
    if who and (password is not None or screenshot):
        if password is None:
            sys.stderr.write(f"error: --as {who}: set {PASSWORD_ENV} to that login's password\n")
            return EXIT_INPUT
        try:
            login = authenticate(who, password)
        except AuthRefused as exc:
            sys.stderr.write(f"error: {exc}\n")  # as every command says it
            return EXIT_INPUT
    else:
        dialog = LoginDialog(authenticate, who or "")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        login = dialog.login()

    bridge = None
    # The login's own window layout from the last session; a screenshot is made at its given size with
    # the default layout, and remembers nothing.
    memory = None if screenshot else LayoutMemory()
    if opened.link is not None:
        from console.remote import remote_window

        window, bridge = remote_window(opened.link, clock, login, layout_memory=memory)
    else:
        # A screenshot renders the city as it is: it never delivers an exercise's injects.
        window = MainWindow(
            ConsoleServices(opened.make_session, clock, login),
            drive_exercises=not screenshot,
            layout_memory=memory,
        )
    window.loaded.connect(lambda: sys.setswitchinterval(interval))
    requested = _requested_mode(args)
    if requested:
        # A view, never a switch: the city's mode changes only through the mode buttons, with the
        # confirmation and its reason, and a screenshot writes nothing.
        window.preview_mode(Mode(requested))
    page = getattr(args, "page", None)
    if page:
        window.open_page(page)
    measure = getattr(args, "measure", None)
    if measure:
        window.set_measure(measure)  # checked in run_console

    wall_point = getattr(args, "wall_point", None)
    deliverer = None
    if screenshot:
        code = _screenshot(app, window, screenshot, size, started, opened.snapshot, wall_point)
    else:
        if opened.link is None:
            # On its own database the console passes the city's CAP alerts (an alarm it sounds, an
            # incident it opens) to the outbound hooks, as a centre node does for the consoles attached
            # to it; a screenshot writes nothing and delivers nothing.
            from nodes.cap_hooks import CapDeliverer, local_record

            deliverer = CapDeliverer(
                opened.make_session, local_record(opened.make_session, clock), clock=clock
            ).start()
        if wall_point is not None:
            window.loaded.connect(
                lambda: window.video.open_wall_at(*wall_point), Qt.ConnectionType.SingleShotConnection
            )
        if os.environ.get("SANWEI_REPORT_READY"):
            # Connected before start(): a snapshot that is already loaded is drawn inside start().
            window.loaded.connect(lambda: _report_ready(app, window, started))
        window.show()
        window.start(opened.snapshot)
        if first_run and opened.link is None:
            # The demo city was just made: offer the demo exercise once it is on screen, and start the
            # stream server its cameras play from.
            window.loaded.connect(
                lambda: _offer_demo(window, authenticate, opened.make_session, clock),
                Qt.ConnectionType.SingleShotConnection,
            )
            window.loaded.connect(window.video.streams.ensure, Qt.ConnectionType.SingleShotConnection)
        code = app.exec()
    if deliverer is not None:
        deliverer.stop()
    collector.stop()
    if bridge is not None:
        bridge.detach()
    opened.engine.dispose()
    return code


def _offer_demo(window, authenticate, make_session, clock) -> None:
    from console.demo_offer import DemoOfferDialog

    dialog = DemoOfferDialog(authenticate, make_session, clock, window.workers, window)
    dialog.open()
    window._demo_offer = dialog  # kept alive while it is open


def _report_ready(app, window, started: float) -> None:
    from PySide6.QtCore import QTimer

    app.processEvents()
    window.map.view.viewport().repaint()
    # What the window holds, so a check can compare it with the city (rss_mb stays last: benches read it).
    cells = len(window.snapshot.cells.codes) if window.snapshot is not None else 0
    login = window.services.login.actor if window.services.login is not None else "-"
    print(
        f"{READY_MARKER} cells={cells} mode={window.mode.value} login={login} "
        f"seconds={time.perf_counter() - started:.3f} rss_mb={_rss_mb():.1f}",
        flush=True,
    )
    if os.environ.get("SANWEI_REPORT_READY") == "exit":
        QTimer.singleShot(0, app.quit)


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _playing_wall(app, window, point: tuple[float, float], size: tuple[int, int]):
    """The video wall on the cameras that see ``point``, once each tile shows frames (or says why not;
    at most 30 s: the demo stream server may have to start first)."""
    from PySide6.QtCore import QEventLoop

    wall = window.video.open_wall_at(*point)
    wall.resize(*size)
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        busy = [t for t in wall.tiles if t.feed is not None]
        if not wall.waiting_for_streams and all(
            t.frames >= 3 or (t.state is not None and t.state.phase == "failed") for t in busy
        ):
            break
    for _ in range(3):
        app.processEvents()
    return wall


def _wait_for(signal, timeout_ms: int) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    signal.connect(loop.quit)
    timer.start(timeout_ms)
    loop.exec()
    return timer.isActive()


def _screenshot(
    app,
    window,
    path: str,
    size: tuple[int, int],
    started: float,
    snapshot: Future | None,
    wall_point: tuple[float, float] | None = None,
) -> int:
    from PySide6.QtCore import QEventLoop

    window.resize(*size)
    window.show()
    window.start(snapshot)
    if not window.is_loaded and not _wait_for(window.loaded, 120_000):
        sys.stderr.write("error: the city did not load within 120 s\n")
        return EXIT_INPUT
    # Let a startup mode switch land, the panels' reads come back and the layout settle before grabbing.
    deadline = time.perf_counter() + 10
    while (window.switching or window.workers.busy) and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    for _ in range(3):
        app.processEvents()
    window.map.view.viewport().repaint()
    if os.environ.get("SANWEI_REPORT_READY"):
        print(
            f"{READY_MARKER} seconds={time.perf_counter() - started:.3f} rss_mb={_rss_mb():.1f}", flush=True
        )
    # Mode pages load their data in workers (the evacuation plan takes seconds at Harbin scale): wait,
    # after the ready marker so start-up timings stay what they measure, rather than grab a half page.
    deadline = time.perf_counter() + 30
    while window.workers.busy and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    app.processEvents()
    shown = window
    if wall_point is not None:
        shown = _playing_wall(app, window, wall_point, size)
    image = shown.grab()
    if image.width() != size[0] or image.height() != size[1]:
        image = image.scaled(size[0], size[1])
    ok = image.save(path, "PNG")
    if shown is not window:
        shown.close()
    window.close()
    if not ok:
        sys.stderr.write(f"error: could not write {path}\n")
        return EXIT_INPUT
    print(path)
    return 0
