"""``python main.py console --connect``: the console attached to a running centre node.

A real ``python main.py center`` process serves a small seeded city with CURVE on; the console's window
is opened in this process through the same functions ``run_console`` uses (``console.connect.open_remote``,
``console.remote.remote_window``), and the command line runs as subprocesses. Nothing is mocked: real
sockets on 127.0.0.1, real SQLite files, real widgets (offscreen).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from comms.keys import Security, generate_keys
from data.db import DatabaseError
from modes.common.mode_switch import Mode
from nodes.client import LinkClient, LinkRefused
from tests.conftest import HOST, NodeProcess, free_base, wait_until

REPO = Path(__file__).resolve().parents[2]
HB = 0.25
DISTRICT = "230102"


# --- processes --------------------------------------------------------------------------------------------


def env_for(cache: Path, **extra: str) -> dict[str, str]:
    env = dict(
        os.environ, PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(cache), SANWEI_PASSWORD="sanwei-demo", **extra
    )
    env.pop("SANWEI_CLOCK", None)
    return env


class Centre(NodeProcess):
    """``python main.py center`` on a copy of the city (or, with ``district``, ``python main.py district``
    with its own replica), its JSON log lines collected as they come."""

    def __init__(
        self, db: Path, endpoint: str, keys: Path, cache: Path, district: tuple[str, str] = ()
    ) -> None:
        self.db, self.endpoint = db, endpoint
        node = ["district", district[0], "--center", district[1]] if district else ["center"]
        args = [*node, "--db", f"sqlite:///{db}", "--bind", endpoint, "--keys", str(keys)]
        super().__init__([*args, "--heartbeat", str(HB)], env_for(cache))

    def wait_ready(self) -> Centre:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"centre exited {self.proc.returncode}:\n{''.join(self.raw[-30:])}")
            return any(e.get("event") == "ready" for e in self.events)

        wait_until(ready, 60, "the centre is ready")
        return self

    def stop(self) -> None:
        self.terminate()
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def main_py(*args: str, cache: Path, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    base = env_for(cache, **env)
    for name, value in env.items():
        if value == "":
            base.pop(name, None)
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        cwd=REPO, env=base, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[argparse.Namespace]:
    """A small seeded city served by a centre node; the centre's key folder enrols ``console`` (role
    console) and ``console-230102`` (role console:230102). ``rogue`` is a folder whose console key the
    centre has never seen (it holds the centre's public key, as an enrolled console's would)."""
    from data.db import open_database, session_factory
    from data.demo_city import seed_city

    root = tmp_path_factory.mktemp("connect")
    db = root / "centre.db"
    engine = open_database(f"sqlite:///{db}")
    with session_factory(engine)() as s, s.begin():
        seed_city(s, scale="small", seed=3)
    engine.dispose()
    keys = root / "keys"
    generate_keys(keys, "centre", "centre")
    generate_keys(keys, "console", "console")
    generate_keys(keys, f"console-{DISTRICT}", f"console:{DISTRICT}")
    generate_keys(keys, f"district-{DISTRICT}", f"district:{DISTRICT}")
    rogue = root / "rogue"
    generate_keys(rogue, "console", "console")
    shutil.copyfile(keys / "centre.key", rogue / "centre.key")
    cache = root / "cache"
    endpoint = f"tcp://{HOST}:{free_base()}"
    centre = Centre(db, endpoint, keys, cache).wait_ready()
    yield argparse.Namespace(db=db, keys=keys, rogue=rogue, cache=cache, endpoint=endpoint, centre=centre)
    centre.stop()


def centre_call(world, name: str, args: dict | None = None):
    with LinkClient(world.endpoint, Security.from_dir(world.keys, "centre"), heartbeat=HB) as link:
        return link.call(name, args or {}, timeout=20)


def centre_journal(world, kind: str) -> list[tuple[str, dict]]:
    with sqlite3.connect(world.db) as db:
        rows = db.execute(
            "SELECT actor, payload FROM journal WHERE kind = ? ORDER BY seq", (kind,)
        ).fetchall()
    return [(actor, json.loads(payload)) for actor, payload in rows]


def copy_city(world, path: Path) -> None:
    """A consistent copy of the running centre's database (its WAL included), through SQLite's backup."""
    with sqlite3.connect(world.db) as src, sqlite3.connect(path) as dst:
        src.backup(dst)


def a_point(world, district: str) -> tuple[float, float]:
    from sqlalchemy import select

    from data.db import make_engine, session_factory
    from data.models import GridCell

    engine = make_engine(f"sqlite:///{world.db}")
    with session_factory(engine)() as s:
        cell = s.scalars(
            select(GridCell).where(GridCell.code.like(f"{district}%")).order_by(GridCell.code).limit(1)
        ).one()
        p = cell.geometry.representative_point()
    engine.dispose()
    return p.x, p.y


@pytest.fixture
def connect(world, tmp_path, qtbot, translations):
    """Open the console's window on the centre as ``run_console`` does with --connect."""
    from console.connect import open_remote
    from console.remote import remote_window
    from console.services import ConsoleServices
    from modes.common.clock import SystemClock
    from tests.console.conftest import resolve_login

    opened = []

    def open_window(
        identity: str = "console",
        role: str = "commander",
        replica: Path | None = None,
        endpoint: str = "",
        server: str = "centre",
    ):
        translations("en")
        args = argparse.Namespace(
            connect=endpoint or world.endpoint,
            security=Security.from_dir(world.keys, identity),
            server=server,
            identity=identity,
            replica=replica or tmp_path / f"replica-{identity}.db",
        )
        link = open_remote(args)
        clock = SystemClock()
        login = resolve_login(ConsoleServices(link.session_factory, clock, None).staff(), role)
        signed = link.sign_in(login.actor, "sanwei-demo")  # the node checks the password
        assert signed["ok"], signed
        window, bridge = remote_window(link, clock, login)
        opened.append((window, bridge, link))
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        with qtbot.waitSignal(window.loaded, timeout=60_000):
            window.start()
        return window

    yield open_window
    for window, bridge, link in opened:
        bridge.detach()
        link.close()
        window.close()


def overview_numbers(window) -> dict[str, int | None]:
    """The overview tiles as numbers (None while a tile still shows its placeholder)."""
    panel = window.everyday_page.overview
    text = {key: panel.value(key).replace(",", "") for key in panel._values}
    return {key: int(v) if v.isdigit() else None for key, v in text.items()}


# --- tests ------------------------------------------------------------------------------------------------


def test_the_connected_console_shows_the_centres_city(world, connect, qtbot):
    window = connect()
    stats = centre_call(world, "query.stats")
    qtbot.waitUntil(lambda: overview_numbers(window) == stats, timeout=30_000)
    assert stats["cells"] > 0 and stats["components"] > 0
    # The map holds the centre's city, the status bar says the link is up.
    assert len(window.snapshot.cells.codes) == stats["cells"]
    qtbot.waitUntil(lambda: "up since" in window.link_label.text(), timeout=30_000)
    assert world.endpoint in window.link_label.text()


def test_a_mode_switch_lands_in_the_centres_journal_with_the_consoles_actor(world, connect, qtbot):
    window = connect()
    actor = window.services.login.actor
    assert actor and window.services.login.role == "commander"
    before = len(centre_journal(world, "mode.switched"))
    try:
        with qtbot.waitSignal(window.mode_changed, timeout=30_000) as changed:
            window.switch_now(Mode.EMERGENCY, "test")
        assert changed.args == ["emergency"]
        events = centre_journal(world, "mode.switched")
        assert len(events) == before + 1
        who, payload = events[-1]
        # The event names the console's command that made it (its key's name and the command id).
        assert payload.pop("via").startswith("console/")
        assert (who, payload) == (
            actor, {"from": "everyday", "to": "emergency", "role": "commander", "reason": "test"}
        )
        assert centre_call(world, "query.mode")["mode"] == "emergency"
        # The switch comes back through the state channel into the replica's own journal.
        qtbot.waitUntil(lambda: window.services.current_mode() == Mode.EMERGENCY, timeout=30_000)
    finally:
        with qtbot.waitSignal(window.mode_changed, timeout=30_000):
            window.switch_now(Mode.EVERYDAY, "test")
    assert centre_call(world, "query.mode")["mode"] == "everyday"


def test_a_district_console_may_not_switch_the_citys_mode(world, connect, qtbot):
    """A console:230102 key acts for its district only: the city's mode is the municipal centre's."""
    window = connect(f"console-{DISTRICT}")
    before = len(centre_journal(world, "mode.switched"))
    with qtbot.waitSignal(window.mode_switch_failed, timeout=30_000) as failed:
        window.switch_now(Mode.CIVIL_DEFENCE, "test")
    assert "may not switch the city's mode" in failed.args[0]
    assert window.mode == Mode.EVERYDAY
    assert len(centre_journal(world, "mode.switched")) == before


def test_a_second_person_confirms_at_a_connected_console_and_the_centre_records_them(world, connect, qtbot):
    """The two-person rule at a console attached to the centre: the commander's wartime switch comes back
    as an order, the civil-defence officer beside them confirms it in the order's dialog with their own
    password, which the centre checks; the centre records the officer as the one who confirmed. Leaving
    wartime is an order too, which the officer refuses."""
    from PySide6.QtCore import Qt

    officer = "city_civil_defence"
    window = connect()  # the commander, signed in at the centre
    commander = window.services.login.actor

    def decide(dialog, login: str, button, signal):
        dialog.login_edit.clear()
        qtbot.keyClicks(dialog.login_edit, login)
        qtbot.keyClicks(dialog.password_edit, "sanwei-demo")
        with qtbot.waitSignal(signal, timeout=30_000) as answered:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return answered.args[0]

    def next_dialog(previous):
        qtbot.waitUntil(
            lambda: window.order_dialog not in (None, previous) and window.order_dialog.isVisible(),
            timeout=30_000,
        )
        return window.order_dialog

    with LinkClient(world.endpoint, Security.from_dir(world.keys, "centre"), heartbeat=HB) as chief:
        assert chief.sign_in("city_commander", "sanwei-demo")["ok"]
        assert chief.call("settings.two_person", {"on": True}, timeout=20)["two_person_rule"] is True
        try:
            window.switch_now(Mode.CIVIL_DEFENCE, "air raid expected")
            dialog = next_dialog(None)
            order = dialog.order
            assert order.requested_by == commander and centre_call(world, "query.mode")["mode"] == "everyday"
            # The console's own person cannot be the second one: the centre says so.
            refused = decide(dialog, commander, dialog.confirm_button, dialog.refused)
            assert f"{commander} gave this order: a second person must confirm it" in refused

            decision = decide(dialog, officer, dialog.confirm_button, window.order_decided)
            assert decision.ok and decision.login == officer
            qtbot.waitUntil(lambda: window.mode == Mode.CIVIL_DEFENCE, timeout=30_000)
            (doc,) = centre_call(world, "query.orders", {"id": order.id})["orders"]
            assert (doc["state"], doc["decided_by"]) == ("confirmed", officer)
            confirmed = [
                actor for actor, p in centre_journal(world, "order.confirmed") if p["order_id"] == order.id
            ]
            assert confirmed == [officer]
            actor, switched = centre_journal(world, "mode.switched")[-1]
            assert (actor, switched["to"], switched["confirmed_by"]) == (commander, "civil-defence", officer)

            window.switch_now(Mode.EVERYDAY, "all clear")
            dialog = next_dialog(dialog)
            back = dialog.order
            decision = decide(dialog, officer, dialog.refuse_button, window.order_decided)
            assert decision.ok and decision.order.state.value == "refused"
            refusals = [
                actor for actor, p in centre_journal(world, "order.refused") if p["order_id"] == back.id
            ]
            assert refusals == [officer]
            assert centre_call(world, "query.mode")["mode"] == "civil-defence"
        finally:
            chief.call("settings.two_person", {"on": False}, timeout=20)
            if centre_call(world, "query.mode")["mode"] != "everyday":
                chief.call("mode.switch", {"mode": "everyday", "reason": "test over"}, timeout=20)
    qtbot.waitUntil(lambda: window.mode == Mode.EVERYDAY, timeout=30_000)


def test_a_case_reported_at_the_centre_appears_in_the_console(world, connect, qtbot):
    window = connect()
    stats = centre_call(world, "query.stats")
    qtbot.waitUntil(lambda: overview_numbers(window) == stats, timeout=30_000)
    before = overview_numbers(window)["open_cases"]
    # No timer: only the replica's push may wake the window.
    window.watcher.stop()
    seen: list[int] = []
    window.watcher.journal_advanced.connect(lambda old, new: seen.extend(range(old + 1, new + 1)))
    start = window.services.last_seq()
    x, y = a_point(world, DISTRICT)
    done = main_py(
        "report", "--connect", world.endpoint, "--keys", str(world.keys), "--x", str(x), "--y", str(y),
        "--channel", "hotline", "--type", "06010", "--text", "reported at the centre", "--as", "city_operator", "--json",
        cache=world.cache,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    case_id = json.loads(done.stdout)["id"]
    qtbot.waitUntil(lambda: overview_numbers(window)["open_cases"] == before + 1, timeout=30_000)
    assert seen
    subjects = {e.subject for e in window.services.events_after(start)}
    assert f"case/{case_id}" in subjects
    with window.services.session_factory() as s:
        from data.models import Case

        case = s.get(Case, case_id)
        assert case is not None and case.description == "reported at the centre"


def test_the_status_bar_follows_the_link_down_and_up(world, connect, qtbot, tmp_path):
    """A centre of its own for this test: it stops, the console shows the link down and keeps its city;
    the centre comes back (a new epoch) and the console is up again with the centre's picture."""
    db = tmp_path / "own.db"
    copy_city(world, db)
    endpoint = f"tcp://{HOST}:{free_base()}"
    centre = Centre(db, endpoint, world.keys, world.cache).wait_ready()
    try:
        window = connect(replica=tmp_path / "own-replica.db", endpoint=endpoint)
        qtbot.waitUntil(lambda: "up since" in window.link_label.text(), timeout=30_000)
        centre.stop()
        qtbot.waitUntil(lambda: "DOWN for" in window.link_label.text(), timeout=30_000)
        assert window.snapshot is not None and window.services.overview().counts["cells"] > 0
        centre = Centre(db, endpoint, world.keys, world.cache).wait_ready()
        qtbot.waitUntil(lambda: "up since" in window.link_label.text(), timeout=30_000)
        x, y = a_point(world, DISTRICT)
        with LinkClient(endpoint, Security.from_dir(world.keys, "centre"), heartbeat=HB) as link:
            case = link.call("case.report", {"x": x + 3, "y": y, "channel": "patrol", "type": "06010"})

        def has_case() -> bool:
            with window.services.session_factory() as s:
                from data.models import Case

                return s.get(Case, case["id"]) is not None

        qtbot.waitUntil(has_case, timeout=30_000)
    finally:
        centre.stop()


def test_a_district_console_works_through_its_district_and_sees_the_queue(world, connect, qtbot, tmp_path):
    """A console of district 230102 attached to its district node: the district's picture, and while the
    district is cut off from the centre its report is queued there, which the status bar shows."""
    from console.gateway import provisional_result

    db = tmp_path / "centre.db"
    copy_city(world, db)
    centre_ep, district_ep = f"tcp://{HOST}:{free_base()}", f"tcp://{HOST}:{free_base()}"
    centre = Centre(db, centre_ep, world.keys, world.cache).wait_ready()
    district = Centre(
        tmp_path / "district.db", district_ep, world.keys, world.cache, district=(DISTRICT, centre_ep)
    ).wait_ready()
    try:
        window = connect(f"console-{DISTRICT}", "operator", tmp_path / "d-replica.db", district_ep,
                         f"district-{DISTRICT}")  # fmt: skip
        stats = centre_call(argparse.Namespace(endpoint=centre_ep, keys=world.keys), "query.stats")
        qtbot.waitUntil(lambda: overview_numbers(window) == stats, timeout=30_000)
        qtbot.waitUntil(lambda: "up since" in window.link_label.text(), timeout=30_000)
        centre.stop()
        x, y = a_point(world, DISTRICT)
        result = window.services.gateway.write(
            "case.report",
            {"x": x, "y": y, "channel": "hotline", "type": "06010", "text": "while the centre is away"},
            decode=lambda r: r,
        )
        case, queued = provisional_result(result)
        assert queued and case["id"] < 0 and case["district"] == DISTRICT
        # The console's own link to its district is up; the district holds the report for the centre.
        qtbot.waitUntil(lambda: window.link_label.text().endswith("queue 1"), timeout=30_000)
        assert "up since" in window.link_label.text()
        assert "1 command queued at the node" in window.link_label.toolTip()
    finally:
        district.stop()
        centre.stop()


def test_a_restarted_console_catches_up_from_its_sequence(world, connect, qtbot, tmp_path):
    from console.connect import open_remote

    replica = tmp_path / "kept.db"
    args = argparse.Namespace(
        connect=world.endpoint, security=Security.from_dir(world.keys, "console"), server="centre",
        identity="console", replica=replica,
    )  # fmt: skip
    first = open_remote(args)
    assert first.initial_sync["mode"] == "bulk"
    first.close()
    x, y = a_point(world, DISTRICT)
    case = centre_call(world, "case.report", {"x": x + 2, "y": y, "channel": "camera", "type": "06010",
                                              "text": "while the console was closed"})  # fmt: skip
    second = open_remote(args)
    try:
        assert second.initial_sync["mode"] == "replay"

        def has_case() -> bool:
            with second.session_factory() as s:
                from data.models import Case

                return s.get(Case, case["id"]) is not None

        wait_until(has_case, 10, "the case reported while the console was closed")
    finally:
        second.close()


def test_a_console_closed_with_unanswered_commands_sends_them_when_it_next_attaches(world, tmp_path):
    """The console's outbox is a file: a report made while its centre is down survives closing the
    console, reaches the centre when the console attaches again, and is applied exactly once."""
    from console.connect import open_remote
    from nodes.client import LinkError

    db = tmp_path / "own.db"
    copy_city(world, db)
    endpoint = f"tcp://{HOST}:{free_base()}"
    args = argparse.Namespace(
        connect=endpoint, security=Security.from_dir(world.keys, "console"), server="centre",
        identity="console", replica=tmp_path / "outbox-replica.db",
    )  # fmt: skip
    text = "reported while the centre was down"

    def reports() -> list[dict]:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT payload FROM journal WHERE kind = 'case.report'").fetchall()
        return [p for (raw,) in rows if (p := json.loads(raw)).get("text") == text]

    centre = Centre(db, endpoint, world.keys, world.cache).wait_ready()
    try:
        remote = open_remote(args)
        # Signed in while the centre answers: the queued report carries the session (valid for hours).
        assert remote.sign_in(a_login(world, "operator", DISTRICT), "sanwei-demo")["ok"]
        centre.stop()
        x, y = a_point(world, DISTRICT)
        with pytest.raises(LinkError):
            remote.link.call("case.report", {"x": x + 4, "y": y, "channel": "hotline", "type": "06010",
                                             "text": text}, timeout=1.0)  # fmt: skip
        assert remote.link.link.queue_length == 1
        remote.close()
        centre = Centre(db, endpoint, world.keys, world.cache).wait_ready()
        again = open_remote(args)
        try:
            wait_until(lambda: len(reports()) == 1, 30, "the queued report at the centre")
            wait_until(lambda: again.link.link.queue_length == 0, 30, "the console's outbox drained")
        finally:
            again.close()
        third = open_remote(args)  # nothing left to send: the report stays applied once
        try:
            # A round trip on the command channel: anything the outbox resent at start went before it.
            assert third.link.call("query.stats", {}, timeout=30.0)["cases"] >= 1
            wait_until(lambda: third.link.link.queue_length == 0, 30, "nothing left in the outbox")
        finally:
            third.close()
        assert len(reports()) == 1
    finally:
        centre.stop()


def test_a_console_whose_key_the_centre_does_not_know_is_refused_at_once(world, tmp_path):
    from console.connect import open_remote

    args = argparse.Namespace(
        connect=world.endpoint, security=Security.from_dir(world.rogue, "console"), server="centre",
        identity="console", replica=tmp_path / "never.db",
    )  # fmt: skip
    started = time.monotonic()
    with pytest.raises(DatabaseError, match="refused this console's key 'console'.*not enrolled"):
        open_remote(args)
    assert time.monotonic() - started < 8  # told at the handshake, not after a command timeout
    # From the command line: the same message, exit status 3, no window.
    done = main_py(
        "console", "--connect", world.endpoint, "--keys", str(world.rogue), "--screenshot",
        str(tmp_path / "x.png"), cache=world.cache, QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    assert done.returncode == 3
    assert "refused this console's key" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_a_console_given_a_pair_attaches_to_the_centre_that_is_there(world, tmp_path, qtbot):
    from console.connect import open_remote
    from console.remote import LinkBridge, LinkStatusLabel

    # The first of the pair is a port nobody listens on: the probe goes on to the second.
    pair = f"tcp://{HOST}:{free_base()},{world.endpoint}"
    args = argparse.Namespace(
        connect=pair, security=Security.from_dir(world.keys, "console"), server="centre",
        identity="console", replica=tmp_path / "pair.db",
    )  # fmt: skip
    link = open_remote(args)
    try:
        assert link.link.call("state.position", {})["seq"] >= 0
        assert link.link.link.endpoint == f"tcp://{HOST}:{int(world.endpoint.rsplit(':', 1)[1]) + 3}"
        wait_until(lambda: link.clone.link.endpoint == world.endpoint and link.clone.link.synced)
        # The status bar names the centre that serves, the tooltip the pair.
        bridge = LinkBridge(link)
        label = LinkStatusLabel(link, bridge)
        qtbot.addWidget(label)
        qtbot.waitUntil(lambda: "up since" in label.text(), timeout=30_000)
        assert label.text().startswith(f"Link to {world.endpoint} up since")
        assert f"Failover pair: {pair.replace(',', ', ')}" in label.toolTip()
        bridge.detach()
    finally:
        link.close()
    # Neither of two silent endpoints answers: said plainly, naming both.
    ports = {free_base()}
    while len(ports) < 2:
        ports.add(free_base())
    silent = ",".join(f"tcp://{HOST}:{port}" for port in sorted(ports))
    done = main_py(
        "console", "--connect", silent, "--keys", str(world.keys), "--screenshot",
        str(tmp_path / "x.png"), cache=world.cache, QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    assert done.returncode == 3
    assert f"no node answers at {silent}" in done.stderr


def test_nothing_listening_is_said_plainly(world, tmp_path):
    done = main_py(
        "console", "--connect", f"tcp://{HOST}:{free_base()}", "--keys", str(world.keys), "--screenshot",
        str(tmp_path / "x.png"), cache=world.cache, QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    assert done.returncode == 3
    assert "no node answers at" in done.stderr


def test_an_endpoint_that_is_not_one_is_bad_input(world, tmp_path):
    done = main_py(
        "console", "--connect", "localhost", "--keys", str(world.keys), "--screenshot", str(tmp_path / "x.png"),
        cache=world.cache, QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    assert done.returncode == 2
    assert "--connect" in done.stderr and "tcp://HOST:PORT" in done.stderr


def test_a_console_without_keys_is_told_the_node_wants_them(world, tmp_path):
    done = main_py(
        "console", "--connect", world.endpoint, "--screenshot", str(tmp_path / "x.png"),
        cache=world.cache, QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    assert done.returncode == 3
    assert "without CURVE" in done.stderr and "--keys" in done.stderr


def test_without_a_display_the_connected_console_says_so(world):
    done = main_py(
        "console", "--connect", world.endpoint, "--keys", str(world.keys),
        cache=world.cache, QT_QPA_PLATFORM="", DISPLAY="", WAYLAND_DISPLAY="",
    )  # fmt: skip
    assert done.returncode == 4
    assert "no display available" in done.stderr


def test_screenshot_through_the_link(world, tmp_path):
    out = tmp_path / "connected.png"
    done = main_py(
        "console", "--connect", world.endpoint, "--keys", str(world.keys), "--screenshot", str(out),
        "--size", "1000x700", "--as", "city_commander", "--lang", "en",
        cache=world.cache, QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = QImage(str(out)).convertToFormat(QImage.Format.Format_RGB32)
    assert (image.width(), image.height()) == (1000, 700)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=1000 * 700) & 0xFFFFFF
    assert float(np.std(pixels)) > 1000 and len(np.unique(pixels)) > 500  # a drawn city, not a flat fill
    # The replica it read lives in the user's cache, one file per endpoint and identity.
    replicas = list((world.cache / "sanwei" / "links").glob("console-*-console.db"))
    assert len(replicas) == 1


def test_the_intake_form_reports_through_the_centre(world, connect, qtbot):
    """The intake form of a connected console writes through the centre's command channel: the case is
    the centre's, and a chosen duplicate is linked there."""
    window = connect(role="operator")
    form = window.intake_tools.intake
    with qtbot.waitSignal(form.context_ready, timeout=30_000):
        window.intake_tools.show_intake()
    x, y = a_point(world, DISTRICT)
    x += 3.0  # not on the point other tests report at
    type_code = next(
        t for (d, t) in sorted(form.context.router.assignments) if d == DISTRICT and t != "06010"
    )
    assert form.set_point(x, y) and form.set_type(type_code)
    with qtbot.waitSignal(form.case_reported, timeout=60_000) as first:
        assert form.submit()
    first_id = first.args[0].id

    def centre_case(case_id: int):
        with sqlite3.connect(world.db) as db:
            return db.execute(
                "SELECT type_code, state, duplicate_of, reporter FROM cases WHERE id = ?", (case_id,)
            ).fetchone()

    assert centre_case(first_id) == (type_code, "reported", None, window.services.login.actor)
    # The replica brings the first case back; the form offers it, and the second call is linked to it.
    form.set_point(x, y)
    form.set_type(type_code)

    def offered() -> bool:
        form.refresh_duplicates()
        qtbot.wait(300)
        return any(d.id == first_id for d in form.duplicates)

    qtbot.waitUntil(offered, timeout=30_000)
    assert form.choose_duplicate(first_id)
    with qtbot.waitSignal(form.case_reported, timeout=60_000) as second:
        assert form.submit()
    assert second.args[0].duplicate_of == first_id
    assert centre_case(second.args[0].id)[1:3] == ("merged", first_id)


# --- who sends a command over the link (docs/protocol.md section 7.5) ---------------------------------------


def centre_rows(world, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(world.db) as db:
        return db.execute(sql, params).fetchall()


def a_login(world, role: str, district: str | None = None) -> str:
    where = "district_code IS NULL" if district is None else "district_code = ?"
    params = (role,) if district is None else (role, district)
    return centre_rows(world, f"SELECT login FROM staff WHERE role = ? AND {where} ORDER BY login", *params)[
        0
    ][0]


def console_link(world, identity: str = "console") -> LinkClient:
    return LinkClient(world.endpoint, Security.from_dir(world.keys, identity), heartbeat=HB)


def test_an_enrolled_console_key_without_the_officers_password_cannot_sound_an_alarm(world):
    officer = a_login(world, "civil_defence")
    before = len(centre_journal(world, "alarm.issued"))
    raid = {"kind": "raid", "districts": "all"}
    with console_link(world) as link:
        with pytest.raises(LinkRefused, match="has not signed in"):
            link.call("alarm.issue", {**raid, "as": "civil_defence"}, timeout=20)
        with pytest.raises(LinkRefused, match=f"names '{officer}' without proving it"):
            link.call("alarm.issue", {**raid, "login": officer}, timeout=20)
        refused = link.sign_in(officer, "not the password")
        assert not refused["ok"] and refused["reason"] == "wrong_password"
        with pytest.raises(LinkRefused, match="has not signed in"):
            link.call("alarm.issue", raid, timeout=20)
    assert len(centre_journal(world, "alarm.issued")) == before


def test_a_wrong_password_over_the_link_is_refused_and_counted(world):
    person = a_login(world, "operator", DISTRICT)
    failures = len(centre_journal(world, "staff.login_failed"))
    with console_link(world) as link:
        reply = link.sign_in(person, "guessing")
        assert not reply["ok"] and "wrong password" in reply["message"] and "1 of 5" in reply["message"]
        assert link.session is None
        assert link.sign_in(person, "sanwei-demo")["ok"]  # a success resets the count
    events = centre_journal(world, "staff.login_failed")
    assert len(events) == failures + 1 and events[-1][0] == person
    assert centre_rows(world, "SELECT failed_count FROM staff_credentials WHERE login = ?", person) == [(0,)]
    # Neither the password nor the session's token is kept in the centre's database (only its hash).
    assert b"guessing" not in world.db.read_bytes()


def test_a_resent_sign_in_is_answered_alike_and_counts_once(world):
    # A slow answer makes the link resend a command under its id; a sign-in's reply is not kept on disk
    # (it holds the session's token), yet the resend must not count a wrong password twice.
    person = a_login(world, "operator", DISTRICT)
    failures = len(centre_journal(world, "staff.login_failed"))
    args = {"login": person, "password": "guessing twice"}
    with console_link(world) as link:
        first = link.call("auth.session_start", args, timeout=20, persist=False, command_id="signin-0001")
        again = link.call("auth.session_start", args, timeout=20, persist=False, command_id="signin-0001")
        assert first == again and not first["ok"] and "1 of 5" in first["message"]
        assert link.sign_in(person, "sanwei-demo")["ok"]  # a success resets the count
    assert len(centre_journal(world, "staff.login_failed")) == failures + 1
    ok = {"login": person, "password": "sanwei-demo"}
    with console_link(world) as link:
        opened = link.call("auth.session_start", ok, timeout=20, persist=False, command_id="signin-0002")
        assert link.call("auth.session_start", ok, timeout=20, persist=False, command_id="signin-0002") == opened
    assert b"guessing twice" not in world.db.read_bytes()
    assert opened["token"].encode() not in world.db.read_bytes()


def test_a_signed_in_console_acts_as_its_person_and_may_not_claim_another(world):
    person = a_login(world, "operator", DISTRICT)
    x, y = a_point(world, DISTRICT)
    with console_link(world) as link:
        assert link.sign_in(person, "sanwei-demo")["ok"]
        report = {"x": x, "y": y, "channel": "hotline", "type": "06010", "text": "signed in"}
        with pytest.raises(LinkRefused, match="acts as 'commander'"):
            link.call("case.report", {**report, "as": "commander"}, timeout=20)
        with pytest.raises(LinkRefused, match="its session is"):
            link.call("case.report", {**report, "login": a_login(world, "commander")}, timeout=20)
        doc = link.call("case.report", report, timeout=20)
    reported = [e for e in centre_journal(world, "case.report") if e[1].get("note") == "signed in"]
    assert len(reported) == 1 and reported[0][0] == person and doc["state"] in ("reported", "merged")


def test_a_replayed_command_id_is_applied_once(world):
    person = a_login(world, "operator", DISTRICT)
    x, y = a_point(world, DISTRICT)
    report = {"x": x + 7, "y": y + 7, "channel": "hotline", "type": "06010", "text": "replayed once"}
    answers = []
    for _ in range(2):  # two links with the same key: the same peer sending the same id again
        with console_link(world) as link:
            assert link.sign_in(person, "sanwei-demo")["ok"]
            answers.append(link.call("case.report", report, timeout=20, command_id="replay-0001"))
    assert answers[0] == answers[1]
    reported = [e for e in centre_journal(world, "case.report") if e[1].get("note") == "replayed once"]
    assert len(reported) == 1
