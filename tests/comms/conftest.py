"""Fixtures of the comms tests: free ports on loopback, a key folder, helper processes, polling."""

from __future__ import annotations

import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from comms.keys import generate_keys
from comms.wire import Entry

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


@pytest.fixture
def base_port() -> int:
    """A port P with P..P+3 free (a clone server takes three, a command server one more)."""
    for _ in range(200):
        port = random.randrange(20000, 60000, 4)
        if all(_free(port + i) for i in range(4)):
            return port
    raise RuntimeError("no four consecutive free ports")


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    """A centre's key folder: its own pair and the public keys of two districts and a console.

    The districts' secret files stay in the folder too, so the tests can play the districts.
    """
    folder = tmp_path / "keys"
    generate_keys(folder, "centre", "centre")
    generate_keys(folder, "district-230102", "district:230102")
    generate_keys(folder, "district-230103", "district:230103")
    generate_keys(folder, "console-1", "console")
    return folder


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def digests(entries: Mapping[str, Entry]) -> dict[str, str]:
    """Per-key hash of sequence, properties and body: two maps are equal when these are."""
    out = {}
    for key, e in entries.items():
        h = hashlib.sha256()
        h.update(e.seq.to_bytes(8, "big", signed=True))
        h.update(e.props_raw)
        h.update(b"\0")
        h.update(e.body)
        out[key] = h.hexdigest()
    return out


class ToolProcess:
    """``python -m comms.tool ...`` as a real process, its JSON lines read as they come."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "comms.tool", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: list[dict] = []
        # A reader thread, because a non-blocking read of a text pipe is not reliable.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.strip():
                self.events.append(json.loads(line))

    def poll_events(self) -> list[dict]:
        return list(self.events)

    def wait_event(self, name: str, count: int = 1, timeout: float = 15.0) -> dict:
        def seen() -> bool:
            if self.proc.poll() is not None and self.proc.returncode != 0:
                raise AssertionError(f"tool exited {self.proc.returncode}: {self.proc.stderr.read()[-2000:]}")
            return len([e for e in self.poll_events() if e["event"] == name]) >= count

        wait_until(seen, timeout)
        return [e for e in self.poll_events() if e["event"] == name][count - 1]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(5)


@pytest.fixture
def tool() -> Iterator[Callable[..., ToolProcess]]:
    started: list[ToolProcess] = []

    def run(*args: str) -> ToolProcess:
        p = ToolProcess(*args)
        started.append(p)
        return p

    yield run
    for p in started:
        if p.proc.poll() is None:
            p.kill()
        p._reader.join(5)
        for stream in (p.proc.stdout, p.proc.stderr):
            stream.close()
