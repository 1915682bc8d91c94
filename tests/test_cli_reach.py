"""``--connect`` says why a node cannot be used, before sending anything, with its own exit status: the
node refused this key (6), no node listening (7), the node is passive (8). A real ``main.py`` process
against real command servers on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli.common import EXIT_INPUT, EXIT_KEY_REFUSED, EXIT_NO_NODE, EXIT_PASSIVE
from comms.commands import CommandServer
from comms.keys import Security, generate_keys
from nodes.reach import Reach, diagnose
from tests.conftest import HOST, free_base

REPO = Path(__file__).resolve().parent.parent


def main_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture
def keys(tmp_path) -> Path:
    folder = tmp_path / "keys"
    generate_keys(folder, "centre", "centre")
    generate_keys(folder, "console", "console")
    return folder


def serve(base: int, applied: list, *, security=None, active=None) -> CommandServer:
    return CommandServer(
        HOST, base + 3, lambda c, tx: applied.append(c.id) or b"\x80", security=security, active=active
    ).start()


def test_a_key_the_node_does_not_know_is_named_with_the_file_to_hand_over(keys, tmp_path):
    rogue = tmp_path / "rogue"
    generate_keys(rogue, "console-77", "console")
    shutil.copyfile(keys / "centre.key", rogue / "centre.key")
    base, applied = free_base(), []
    server = serve(base, applied, security=Security.from_dir(keys, "centre"))
    try:
        done = main_py(
            "stats", "--connect", f"tcp://{HOST}:{base}", "--keys", str(rogue), "--identity", "console-77"
        )
    finally:
        server.stop()
    assert done.returncode == EXIT_KEY_REFUSED, done.stderr
    assert "refused this client's key" in done.stderr
    assert "'console-77'" in done.stderr and f"key folder {rogue}" in done.stderr
    assert f"Hand {rogue / 'console-77.key'}" in done.stderr and "administrator" in done.stderr
    assert applied == [] and done.stdout == ""


def test_nothing_listening_is_no_node(keys):
    base = free_base()
    done = main_py("stats", "--connect", f"tcp://{HOST}:{base}", "--keys", str(keys))
    assert done.returncode == EXIT_NO_NODE, done.stderr
    assert f"no node listening at tcp://{HOST}:{base}" in done.stderr


def test_a_passive_node_is_said_to_be_passive(keys):
    base, applied = free_base(), []
    server = serve(base, applied, security=Security.from_dir(keys, "centre"), active=lambda: False)
    try:
        done = main_py("stats", "--connect", f"tcp://{HOST}:{base}", "--keys", str(keys))
    finally:
        server.stop()
    assert done.returncode == EXIT_PASSIVE, done.stderr
    assert "is passive (standby)" in done.stderr
    assert applied == []


def test_a_node_key_missing_from_the_folder_is_bad_input(keys, tmp_path):
    lonely = tmp_path / "lonely"
    generate_keys(lonely, "console", "console")
    done = main_py("stats", "--connect", f"tcp://{HOST}:{free_base()}", "--keys", str(lonely))
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "'centre' is not in" in done.stderr and "centre.key" in done.stderr


def test_the_diagnosis_is_one_result_per_endpoint(keys):
    active, standby, nobody = free_base(), free_base(), free_base()
    applied: list = []
    me = Security.from_dir(keys, "console")
    servers = [
        serve(active, applied, security=Security.from_dir(keys, "centre")),
        serve(standby, applied, security=Security.from_dir(keys, "centre"), active=lambda: False),
    ]
    try:
        found = [diagnose(f"tcp://{HOST}:{p}", me, key_folder=keys) for p in (active, standby, nobody)]
    finally:
        for s in servers:
            s.stop()
    assert [d.reach for d in found] == [Reach.READY, Reach.PASSIVE, Reach.NO_NODE]
    assert [d.usable for d in found] == [True, False, False]
    assert found[2].endpoint == f"tcp://{HOST}:{nobody}" and found[0].message == ""
