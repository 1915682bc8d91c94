"""Delivers the city's CAP alerts to its outbound hooks (``modes.common.cap_hooks``; docs/cap.md).

The deliverer follows the journal: every event that makes an alert (``modes.common.cap``) is owed to
each hook that was there before it. Each delivery is tried up to the hook's ``attempts`` times, the
n-th retry ``backoff_s * 2**(n-1)`` seconds after the previous attempt ended, and every attempt is
recorded through the command bus (``cap.attempt_start`` when it begins, ``cap.attempt_end`` with its
outcome) by ``record``, so the log survives the process and a restarted deliverer carries on where the
log says: the next attempt of a delivery that failed, a new one for an attempt left ``sending`` by a
deliverer that died (once its timeout has long passed).

Each attempt runs in a thread of its own: an HTTP endpoint that never answers or a command that hangs
holds up its own delivery for its timeout (the command is killed, with its process group), never the
others, and never the command that sounded the alarm, which committed before any of this began.

Run by the centre node (``start``: a thread beside its command server) and by the command line after
an alarm or incident command on a database (``drain``: until that command's alerts are delivered or
given up).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from data.cap_models import AttemptOutcome, HookKind
from modes.common import cap, cap_hooks
from modes.common.cap_hooks import HookView

log = logging.getLogger("sanwei.cap")

Record = Callable[[str, dict[str, Any]], Any]  # runs a bus command as this database's system
WINDOW = dt.timedelta(hours=24)  # a starting deliverer takes up the alerts of the last day still owed
STALE_GRACE_S = 5.0  # an attempt left ``sending`` this long past its timeout: its deliverer is gone
USER_AGENT = "sanwei-cap/1"


@dataclass
class _Owed:
    hook_id: int
    alert: cap.CapAlert
    xml: bytes


def send_http(url: str, body: bytes, timeout: float) -> tuple[AttemptOutcome, str]:
    """POST ``body`` as ``application/cap+xml``; delivered on a 2xx answer."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": cap.CONTENT_TYPE, "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return AttemptOutcome.DELIVERED, f"HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        return AttemptOutcome.FAILED, f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return AttemptOutcome.TIMEOUT, f"no answer within {timeout:g} s"
        return AttemptOutcome.FAILED, f"cannot reach {url}: {exc.reason}"
    except TimeoutError:
        return AttemptOutcome.TIMEOUT, f"no answer within {timeout:g} s"
    except OSError as exc:
        return AttemptOutcome.FAILED, f"cannot reach {url}: {exc}"


def run_command(
    argv: list[str], body: bytes, timeout: float, env: dict[str, str]
) -> tuple[AttemptOutcome, str]:
    """Run ``argv`` (no shell) with ``body`` on stdin; delivered when it exits 0. One that outlives
    ``timeout`` is killed with its process group."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            start_new_session=True,  # its own process group, so a timeout kills what it started too
        )
    except OSError as exc:
        return AttemptOutcome.FAILED, f"cannot run {argv[0]}: {exc.strerror or exc}"
    try:
        _, err = proc.communicate(body, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return AttemptOutcome.TIMEOUT, f"still running after {timeout:g} s: killed"
    if proc.returncode == 0:
        return AttemptOutcome.DELIVERED, "exit 0"
    tail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return AttemptOutcome.FAILED, f"exit {proc.returncode}" + (f": {tail[0][:300]}" if tail[0] else "")


def deliver(hook: HookView, alert: cap.CapAlert, body: bytes) -> tuple[AttemptOutcome, str]:
    if hook.kind == HookKind.HTTP.value:
        return send_http(hook.target, body, hook.timeout_s)
    env = {"CAP_IDENTIFIER": alert.identifier, "CAP_STATUS": alert.status, "CAP_MSGTYPE": alert.msg_type}
    return run_command(list(hook.argv), body, hook.timeout_s, env)


class CapDeliverer:
    """Owes each alert to each hook until it is delivered or its attempts are spent."""

    def __init__(
        self,
        session_factory,
        record: Record,
        *,
        clock=None,
        after_seq: int | None = None,
        poll: float = 0.5,
        stale_grace_s: float = STALE_GRACE_S,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        active: Callable[[], bool] | None = None,
    ) -> None:
        """``after_seq``: only the alerts of journal events after it (the command line's own); else
        those of the last ``WINDOW`` by ``clock`` (the city's clock) that are still owed. ``now``: the
        wall clock the attempts are timed and logged by."""
        self.session_factory = session_factory
        self.record = record
        self.clock = clock
        self.after_seq = after_seq
        self.poll = poll
        self.stale_grace_s = stale_grace_s
        self.now = now
        self.active = active  # a passive centre of a pair delivers nothing: the active one does
        self._cursor: int | None = after_seq
        self._owed: dict[tuple[int, str], _Owed] = {}
        self._busy: set[tuple[int, str]] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._attempts: list[threading.Thread] = []
        self.errors = 0

    # --- one look at the journal and the log ---------------------------------------------------------
    def step(self) -> float:
        """Take up new alerts, start the attempts that are due; the seconds until the next is due."""
        try:
            return self._step()
        except Exception:
            self.errors += 1
            log.exception("CAP delivery step failed")  # a database hiccup: try again shortly
            return self.poll

    def _step(self) -> float:
        if self.active is not None and not self.active():
            return self.poll
        now = self.now()
        with self.session_factory() as s:
            hooks = {h.id: h for h in cap_hooks.list_hooks(s)}
            if not hooks:
                with self._lock:
                    self._owed.clear()
                return self.poll
            floor = min(h.from_seq for h in hooks.values())
            since = None
            if self._cursor is None and self.clock is not None:
                since = self.clock.now() - WINDOW
            for ev in cap.alert_events(s, max(self._cursor or 0, floor), since):
                self._cursor = max(self._cursor or 0, ev.seq)
                alert = cap.alert_of_event(s, ev)
                if alert is None:
                    continue
                body = alert.xml()
                for h in hooks.values():
                    if h.from_seq < ev.seq:
                        self._owed.setdefault((h.id, alert.identifier), _Owed(h.id, alert, body))
            if self._cursor is None:
                self._cursor = floor
            with self._lock:
                for key in [k for k in self._owed if k[0] not in hooks]:  # a removed hook is owed nothing
                    del self._owed[key]
                keys = [k for k in self._owed if k not in self._busy]
            recorded = cap_hooks.attempts_of(s, sorted({k[1] for k in keys}))
        wait = self.poll
        for key in keys:
            owed, hook = self._owed[key], hooks[key[0]]
            attempts = recorded.get(key, [])
            last = attempts[-1] if attempts else None
            if any(a.outcome == AttemptOutcome.DELIVERED.value for a in attempts) or (last and last.final):
                self._forget(key)
                continue
            if last is not None and last.outcome == AttemptOutcome.SENDING.value:
                stale = last.started_at + dt.timedelta(seconds=hook.timeout_s + self.stale_grace_s)
                if now >= stale:  # its deliverer is gone: the attempt counts as failed
                    self.record(
                        "cap.attempt_end",
                        {"id": last.id, "outcome": AttemptOutcome.ABANDONED.value, "at": now.isoformat(),
                         "detail": "left unfinished by a deliverer that stopped",
                         "final": last.attempt >= hook.attempts},
                    )  # fmt: skip
                    wait = 0.0
                else:
                    wait = min(wait, (stale - now).total_seconds())
                continue
            n = last.attempt if last is not None else 0
            if n >= hook.attempts:
                self._forget(key)
                continue
            due = (
                now
                if last is None
                else (last.finished_at or now) + dt.timedelta(seconds=hook.delay_before(n + 1))
            )
            if due > now:
                wait = min(wait, (due - now).total_seconds())
                continue
            self._launch(key, hook, owed, n + 1)
        return max(0.0, wait)

    def _forget(self, key: tuple[int, str]) -> None:
        with self._lock:
            self._owed.pop(key, None)

    def _launch(self, key: tuple[int, str], hook: HookView, owed: _Owed, attempt: int) -> None:
        with self._lock:
            self._busy.add(key)
        t = threading.Thread(
            target=self._attempt, args=(key, hook, owed, attempt), name=f"cap-hook-{hook.id}", daemon=True
        )
        self._attempts = [x for x in self._attempts if x.is_alive()] + [t]
        t.start()

    def _attempt(self, key: tuple[int, str], hook: HookView, owed: _Owed, attempt: int) -> None:
        alert = owed.alert
        try:
            claimed = self.record(
                "cap.attempt_start",
                {"hook_id": hook.id, "identifier": alert.identifier, "subject": alert.subject,
                 "journal_seq": alert.journal_seq, "attempt": attempt, "at": self.now().isoformat(),
                 "exercise": alert.exercise},
            )  # fmt: skip
            if claimed.get("taken"):
                return  # another deliverer of this database makes this attempt
            outcome, detail = deliver(hook, alert, owed.xml)
            final = outcome is AttemptOutcome.DELIVERED or attempt >= hook.attempts
            self.record(
                "cap.attempt_end",
                {"id": claimed["id"], "outcome": outcome.value, "detail": detail, "at": self.now().isoformat(),
                 "final": final},
            )  # fmt: skip
            log.info(
                "CAP %s to hook %s, attempt %d: %s (%s)", alert.identifier, hook.id, attempt, outcome, detail
            )
        except Exception:
            self.errors += 1
            log.exception("CAP delivery of %s to hook %s failed to be recorded", alert.identifier, hook.id)
        finally:
            with self._lock:
                self._busy.discard(key)
            self._wake.set()

    # --- running --------------------------------------------------------------------------------------
    @property
    def owed(self) -> int:
        """Deliveries not yet done (delivered or given up), attempts under way included."""
        with self._lock:
            return len(self._owed)

    def drain(self, timeout: float) -> bool:
        """Deliver in this thread until nothing is owed (True) or ``timeout`` seconds passed (False)."""
        deadline = time.monotonic() + timeout
        while True:
            wait = self.step()
            if not self.owed:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._wake.wait(min(wait, left) if wait > 0 else 0.01)
            self._wake.clear()

    def start(self) -> CapDeliverer:
        self._thread = threading.Thread(target=self._loop, name="cap-deliverer", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = self.step()
            self._wake.wait(max(wait, 0.01))
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def local_record(session_factory, clock) -> Record:
    """Records attempts through the local door on a database, as the database's own system act (the
    command line's and a console's deliverer); one another deliverer recorded first is ``taken``."""
    from comms.records import CommandRefused
    from data.errors import InputError
    from modes.bus import city_bus
    from modes.common.command_bus import call_local

    bus = city_bus()  # built now: the modes register the sources of their alerts with their commands

    def record(name: str, payload: dict[str, Any]) -> Any:
        try:
            return call_local(bus, session_factory, clock, name, payload)
        except (InputError, CommandRefused):
            return {"taken": True}

    return record


def drain_timeout(hooks: list[HookView]) -> float:
    """How long the whole of one alert's attempts may take at the slowest hook: every attempt timing
    out, with every back-off between them, and a little more."""
    longest = 0.0
    for h in hooks:
        backoffs = sum(h.delay_before(n) for n in range(2, h.attempts + 1))
        longest = max(longest, h.attempts * h.timeout_s + backoffs)
    return longest + 5.0
