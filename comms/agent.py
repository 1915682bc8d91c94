"""The front/agent split every node uses (design.md section 3; the ZeroMQ Guide's clone.py).

The *front* is the object the application holds. The *core* lives in an agent thread that creates its
sockets, uses them and closes them: a ZeroMQ socket never crosses threads. The two talk over an inproc
PAIR pipe. The front end of the pipe is guarded by a lock so that several application threads may call
the same node; each call is one request frame list and, for queries, one reply.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Protocol, Self

import zmq

log = logging.getLogger("comms")

TERM = b"$TERM"
READY = b"$READY"
ERROR = b"$ERROR"
REBIND = b"$REBIND"
DONE = b"$DONE"


class CommsError(RuntimeError):
    """A node could not start, or did not answer its front in time."""


class AgentCore(Protocol):
    def run(self, pipe: zmq.Socket) -> None:
        """Serve until the pipe says TERM; must answer each query on the pipe."""

    def close(self) -> None:
        """Close every socket the core opened (called in the agent thread)."""


class AgentThread:
    """Starts a core in its own thread and carries the application's calls to it."""

    def __init__(self, name: str, context: zmq.Context | None, make_core: Callable[[zmq.Context], AgentCore]):
        self.name = name
        self._own_context = context is None
        self.context = context if context is not None else zmq.Context()
        self._make_core = make_core
        self._endpoint = f"inproc://sanwei-{name}-{uuid.uuid4().hex}"
        self._lock = threading.Lock()
        self._front: zmq.Socket | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            # A second bind of the pipe would fail obscurely and leak a socket: say what happened.
            raise CommsError(f"{self.name} was started already: a node starts once (make a new one)")
        front = self.context.socket(zmq.PAIR)
        front.linger = 0
        # The application may publish in bursts; the pipe should queue rather than block it.
        front.sndhwm = 1_000_000
        front.bind(self._endpoint)
        self._front = front
        self._thread = threading.Thread(target=self._main, name=f"sanwei-{self.name}", daemon=True)
        self._thread.start()
        if not front.poll(int(timeout * 1000)):
            raise CommsError(f"{self.name} did not start within {timeout} s")
        reply = front.recv_multipart()
        if reply[0] != READY:
            self._thread.join(timeout)
            front.close()
            self._front = None
            if self._own_context:
                self.context.term()
            raise CommsError(f"{self.name} failed to start: {reply[1].decode(errors='replace')}")

    def _main(self) -> None:
        pipe = self.context.socket(zmq.PAIR)
        pipe.linger = 0
        pipe.rcvhwm = 1_000_000
        pipe.connect(self._endpoint)
        try:
            core = self._make_core(self.context)
        except Exception as exc:  # a bind that failed, a bad key...: reported to start()
            log.exception("%s failed to start", self.name)
            pipe.send_multipart([ERROR, repr(exc).encode()])
            pipe.close()
            return
        pipe.send(READY)
        try:
            core.run(pipe)
        except Exception:
            # Never expected: every input is validated. Logged so a bug does not vanish silently.
            log.exception("%s agent stopped on an error", self.name)
        finally:
            try:
                core.close()
            finally:
                pipe.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def tell(self, frames: list[bytes]) -> None:
        """Send a request that has no reply."""
        with self._lock:
            if self._front is None:
                raise CommsError(f"{self.name} is not running")
            self._front.send_multipart(frames)

    def call(self, frames: list[bytes], timeout: float = 10.0) -> list[bytes]:
        """Send a query and wait for its reply."""
        with self._lock:
            if self._front is None or not self.running:
                raise CommsError(f"{self.name} is not running")
            # A reply that came after an earlier call timed out must not be taken for this one's.
            while self._front.poll(0):
                self._front.recv_multipart()
            self._front.send_multipart(frames)
            if not self._front.poll(int(timeout * 1000)):
                raise CommsError(f"{self.name} did not answer {frames[0]!r} within {timeout} s")
            return self._front.recv_multipart()

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            if self._front is None:
                return
            if self.running:
                self._front.send(TERM)
                assert self._thread is not None
                self._thread.join(timeout)
            self._front.close()
            self._front = None
        if self._own_context:
            self.context.term()


class AgentFront:
    """The lifecycle every front shares, around the ``AgentThread`` that runs its core.

    ``start`` returns the front, so ``Front(...).start()`` reads as one step; it raises ``CommsError``
    when the core cannot start (a port in use, a bad key: the agent thread's exception named) or when the
    front was started before. ``stop`` stops the agent thread and joins it; it may be called any number
    of times, before ``start`` too. ``with front:`` starts and stops it.
    """

    def __init__(
        self, name: str, context: zmq.Context | None, make_core: Callable[[zmq.Context], AgentCore]
    ) -> None:
        self._agent = AgentThread(name, context, make_core)

    def start(self) -> Self:
        self._agent.start()
        return self

    def stop(self) -> None:
        self._agent.stop()

    @property
    def running(self) -> bool:
        return self._agent.running

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rebind(sock: zmq.Socket, endpoint: str, timeout: float = 5.0) -> None:
    """Unbind a bound socket from ``endpoint`` and bind it there again, in the socket's own thread.

    Unbinding ends every connection accepted on the endpoint (measured with libzmq 4.3.5: the old
    connection closes once the socket next processes its commands, which its agent's next poll does), so
    each peer reconnects and passes ZAP again. The listening port is released asynchronously by libzmq's
    I/O thread: the bind is retried until it is free.
    """
    sock.unbind(endpoint)
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock.bind(endpoint)
            break
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.005)
    sock.get(zmq.EVENTS)  # let the socket process the ending sessions' commands now


def answer_rebind(pipe: zmq.Socket, bound: list[tuple[zmq.Socket, str]]) -> None:
    """A core's answer to ``REBIND``: rebind each (socket, endpoint), then say DONE, or ERROR and why
    (the core keeps serving on what it still has bound)."""
    try:
        for sock, endpoint in bound:
            rebind(sock, endpoint)
    except zmq.ZMQError as exc:
        log.error("rebinding %s failed: %s", endpoint, exc)
        pipe.send_multipart([ERROR, f"{endpoint}: {exc}".encode()])
        return
    pipe.send(DONE)


class ServerFront(AgentFront):
    """A front whose core binds sockets and answers ``REBIND`` on its pipe (``rebind``)."""

    def rebind(self, timeout: float = 10.0) -> None:
        """Close every connection the server accepted (its bound sockets unbound and bound again): what
        a node does when a key leaves its allow-list, so the removed peer's sessions end; the peers still
        allowed reconnect by themselves and are authenticated afresh."""
        reply = self._agent.call([REBIND, b""], timeout)  # two frames: one alone is a clone PUT
        if reply[0] != DONE:
            raise CommsError(f"{self._agent.name} could not rebind: {reply[-1].decode(errors='replace')}")
