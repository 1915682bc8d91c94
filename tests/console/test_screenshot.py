"""``python main.py console --screenshot`` renders the loaded window to a PNG of the requested size and
exits; ``--mode`` previews a page and never writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from sqlalchemy import func, select

from data import journal
from data.db import make_engine, session_factory
from data.models import GridCell
from modes.common.mode_switch import current_mode

REPO = Path(__file__).resolve().parents[2]


def run_console(
    url: str, *args: str, timeout: int = 300, password: str = "sanwei-demo"
) -> subprocess.CompletedProcess:
    # The demo logins' password, as a headless run passes it.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SANWEI_PASSWORD": password}
    if not password:
        env.pop("SANWEI_PASSWORD")
    return subprocess.run(
        [sys.executable, "main.py", "console", "--db", url, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def image_stats(path: Path) -> tuple[int, int, float, int]:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    ptr = image.constBits()
    pixels = np.frombuffer(ptr, dtype=np.uint32, count=w * h).reshape(h, w)
    return w, h, float(np.std(pixels & 0xFFFFFF)), len(np.unique(pixels))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_screenshot_writes_a_non_blank_png_of_the_requested_size(city_url, tmp_path, qapp, lang):
    out = tmp_path / f"console_{lang}.png"
    done = run_console(
        city_url, "--screenshot", str(out), "--size", "1280x800", "--as", "city_commander", "--lang", lang
    )
    assert done.returncode == 0, done.stderr
    w, h, spread, colours = image_stats(out)
    assert (w, h) == (1280, 800)
    assert spread > 1000 and colours > 500  # a drawn map, panels and text, not a flat fill


def city_fingerprint(url: str) -> tuple[int, str]:
    """The journal's last number and a hash of every table's rows, read straight from the file."""
    import hashlib
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        (seq,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()
        digest = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    return seq, digest


@pytest.mark.parametrize("role", ["city_commander", "city_operator"])
def test_a_screenshot_of_another_mode_writes_nothing(city_url, tmp_path, qapp, role):
    """``--mode`` shows that mode's page as a preview: the city's mode, its journal and every table stay
    as they were, whoever asks (seeing a page is not switching the city)."""
    before = city_fingerprint(city_url)
    for mode in ("civil-defence", "emergency"):
        out = tmp_path / f"{mode}.png"
        done = run_console(
            city_url, "--screenshot", str(out), "--size", "900x600", "--mode", mode, "--as", role
        )
        assert done.returncode == 0, done.stderr
        assert image_stats(out)[:2] == (900, 600)
        assert city_fingerprint(city_url) == before


def test_an_unknown_role_is_refused_at_startup(city_url, tmp_path):
    bad = run_console(city_url, "--screenshot", str(tmp_path / "y.png"), "--as", "mayor")
    assert bad.returncode == 2 and "unknown login 'mayor'" in bad.stderr


def test_console_as_a_login_needs_its_password(city_url, tmp_path, make_session):
    """``console --as LOGIN`` logs in only with the login's password (SANWEI_PASSWORD); a refusal exits 2
    with no window and nothing in the city changed (the failure itself is counted)."""
    from sqlalchemy import select

    from data.models import JournalEvent

    with make_session() as s:
        before = journal.last_seq(s)
    wrong = run_console(city_url, "--screenshot", str(tmp_path / "w.png"), "--as", "city_operator",
                        password="not-the-password")  # fmt: skip
    assert wrong.returncode == 2 and "wrong password for 'city_operator'" in wrong.stderr
    assert not (tmp_path / "w.png").exists()
    with make_session() as s:
        kinds = s.scalars(select(JournalEvent.kind).where(JournalEvent.seq > before)).all()
    assert kinds == ["staff.login_failed"]
    none = run_console(
        city_url, "--screenshot", str(tmp_path / "n.png"), "--as", "city_operator", password=""
    )
    assert none.returncode == 2 and "set SANWEI_PASSWORD" in none.stderr
    assert "not-the-password" not in wrong.stdout + wrong.stderr
    right = run_console(
        city_url, "--screenshot", str(tmp_path / "r.png"), "--size", "400x300", "--as", "city_operator"
    )
    assert right.returncode == 0, right.stderr


def test_the_interactive_console_comes_up_and_reports_ready(city_url):
    """``python main.py console --as ROLE``: the window shows, loads the city, paints, and (asked to by
    SANWEI_REPORT_READY=exit, as the startup benchmark does) reports and quits."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SANWEI_REPORT_READY": "exit",
        "SANWEI_PASSWORD": "sanwei-demo",
    }
    done = subprocess.run(
        [sys.executable, "main.py", "console", "--db", city_url, "--as", "city_dispatcher", "--lang", "en"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ready = [x for x in done.stdout.splitlines() if x.startswith("sanwei-console-ready")]
    assert len(ready) == 1, (done.stdout[-2000:], done.stderr[-2000:])
    fields = dict(part.split("=", 1) for part in ready[0].split()[1:])
    # The window holds the city it was pointed at, in the city's mode, with the person logged in.
    engine = make_engine(city_url)
    with session_factory(engine)() as s:
        cells = s.scalar(select(func.count()).select_from(GridCell))
        mode = current_mode(s).value
    engine.dispose()
    assert int(fields["cells"]) == cells > 0
    assert fields["mode"] == mode
    assert fields["login"] == "city_dispatcher"
    assert float(fields["seconds"]) > 0
    assert float(fields["rss_mb"]) > 50


def test_starting_a_console_does_not_stand_the_city_down(city_url, tmp_path, make_session):
    """Without --mode the console opens in the city's current mode: an operator starting up during
    wartime must not switch the city back to everyday as a side effect."""
    import datetime as dt

    from modes.common.actor import Actor
    from modes.common.clock import FixedClock
    from modes.common.mode_switch import Mode, current_mode, switch_mode

    with make_session() as s, s.begin():
        switch_mode(
            s,
            FixedClock(dt.datetime(2009, 9, 18, 10, 0)),
            Actor.of("commander", "cmdr"),
            Mode.CIVIL_DEFENCE,
            "test",
        )
    with make_session() as s:
        before = journal.last_seq(s)
    done = run_console(
        city_url, "--screenshot", str(tmp_path / "op.png"), "--size", "640x400", "--as", "city_operator"
    )
    assert done.returncode == 0, done.stderr
    with make_session() as s:
        assert journal.last_seq(s) == before and current_mode(s) == Mode.CIVIL_DEFENCE
    with make_session() as s, s.begin():
        switch_mode(
            s,
            FixedClock(dt.datetime(2009, 9, 18, 11, 0)),
            Actor.of("commander", "cmdr"),
            Mode.EVERYDAY,
            "test",
        )


def test_console_mode_defaults_to_the_citys_current_mode(open_window, make_session):
    """``console`` without ``--mode`` asks for no mode (None), and the window opens in the mode the
    journal says the city is in; ``--mode`` still asks for one."""
    import datetime as dt

    import main
    from console.app import _requested_mode
    from modes.common.actor import Actor
    from modes.common.clock import FixedClock
    from modes.common.mode_switch import Mode, current_mode, switch_mode

    parser = main.build_parser()
    assert parser.parse_args(["console"]).mode is None
    assert _requested_mode(parser.parse_args(["console"])) is None
    assert _requested_mode(parser.parse_args(["console", "--mode", "everyday"])) == "everyday"
    with make_session() as s, s.begin():
        switch_mode(
            s,
            FixedClock(dt.datetime(2009, 9, 18, 10, 0)),
            Actor.of("commander", "cmdr"),
            Mode.EMERGENCY,
            "test",
        )
    try:
        window = open_window("operator")
        with make_session() as s:
            assert current_mode(s) == Mode.EMERGENCY
        assert window.mode == Mode.EMERGENCY
        assert window.pages.currentWidget() is window.page_for[Mode.EMERGENCY]
    finally:
        with make_session() as s, s.begin():
            switch_mode(
                s,
                FixedClock(dt.datetime(2009, 9, 18, 11, 0)),
                Actor.of("commander", "cmdr"),
                Mode.EVERYDAY,
                "test",
            )
