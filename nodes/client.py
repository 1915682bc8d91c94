"""``LinkClient``: what a console or the command line uses to call a node's commands and follow its
state (docs/protocol.md section 7.9), and the endpoint form ``tcp://HOST:P`` every node is named by."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import zmq

from comms.clone import CloneClient, CloneLinkState, SyncInfo
from comms.commands import CommandClient, CommandReply, LinkState, MemoryOutbox, Outbox
from comms.keys import Security
from comms.wire import STATUS_OK, STATUS_REFUSED, Entry
from modes.common.command_bus import decode_result, encode_call

# Replies of state.bulk can be a few MiB; everything else stays far below the transport's default.
BULK_MAX_BODY = 64 << 20


def parse_endpoint(endpoint: str) -> tuple[str, int]:
    """``tcp://HOST:PORT`` (the node's base port P) -> (HOST, P)."""
    if "," in endpoint:
        raise ValueError(f"endpoint {endpoint!r}: one endpoint is expected here, not a list")
    text = endpoint.strip()
    if text.startswith("tcp://"):
        text = text[len("tcp://") :]
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"endpoint {endpoint!r} is not of the form tcp://HOST:PORT")
    return host.strip("[]"), int(port)


def parse_endpoints(endpoints: str) -> list[tuple[str, int]]:
    """``tcp://A:P,tcp://B:Q`` (the two nodes of a failover pair, or one node) -> [(A, P), (B, Q)]."""
    parts = endpoints.split(",")
    if not all(part.strip() for part in parts):
        raise ValueError(f"endpoints {endpoints!r}: an empty item in the list")
    found = [parse_endpoint(part) for part in parts]
    if len(set(found)) != len(found):
        raise ValueError(f"endpoints {endpoints!r}: a node is named twice")
    return found


class LinkError(Exception):
    """A node could not be reached or did not answer in time."""


class LinkRefused(LinkError):
    """The node refused the command; ``reason`` says why (final: resending will not help)."""

    def __init__(self, reason: str, status: str = STATUS_REFUSED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class LinkClient:
    """Calls a node's commands and follows its state: what consoles and ``--connect`` use.

    ``endpoint`` is the node's base endpoint ``tcp://HOST:P`` (commands go to P+3), or the two of a
    failover pair, ``tcp://A:P,tcp://B:Q``: commands then go to the active one and subscriptions follow
    whichever serves (docs/protocol.md sections 3.6 and 4, "Several endpoints"). ``server`` names the
    node's public key in ``security``'s folder (``centre``, ``district-230102``). Replies come back on
    the client's agent thread and are handed to the waiting caller; ``call`` may be used from several
    threads (commands are sent one at a time, in order).

        with LinkClient("tcp://10.0.0.1:5556", Security.from_dir(keys, "console-3")) as link:
            doc = link.request("case.report", {"x": ..., "y": ..., "channel": "hotline", "type": "06010"})
            link.subscribe("/case/", on_update=lambda entry: ...)
    """

    def __init__(
        self,
        endpoint: str,
        security: Security | None = None,
        *,
        server: str = "centre",
        heartbeat: float = 1.0,
        max_body: int = BULK_MAX_BODY,
        context: zmq.Context | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        """``outbox``: where unanswered commands wait (default in memory, for one-shot CLI calls); a
        console passes a file so that closing it while the node is unreachable loses nothing."""
        self.endpoint = endpoint
        self.endpoints = parse_endpoints(endpoint)
        (self.host, self.port), *self.more = self.endpoints
        self.security = security
        self.server = server
        self.session: dict[str, str] | None = None  # the signed-in person's login and token
        self.heartbeat = heartbeat
        self.context = context
        self._cond = threading.Condition()
        self._replies: dict[str, CommandReply] = {}
        self._subscriptions: list[CloneClient] = []
        self._client = CommandClient(
            self.host,
            self.port + 3,
            more=[(host, port + 3) for host, port in self.more],
            outbox=outbox if outbox is not None else MemoryOutbox(),
            security=security,
            server=server,
            context=context,
            heartbeat=heartbeat,
            max_body=max_body,
            resend_first=0.5,
            on_reply=self._on_reply,
        )
        self._started = False

    def start(self) -> LinkClient:
        if not self._started:
            self._client.start()
            self._started = True
        return self

    def close(self) -> None:
        for sub in self._subscriptions:
            sub.stop()
        self._subscriptions.clear()
        if self._started:
            self._client.stop()
            self._started = False

    def __enter__(self) -> LinkClient:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def link(self) -> LinkState:
        return self._client.link

    def _on_reply(self, reply: CommandReply) -> None:
        with self._cond:
            self._replies[reply.command_id] = reply
            self._cond.notify_all()

    def sign_in(self, login: str, password: str, *, timeout: float = 20.0) -> dict[str, Any]:
        """Sign ``login`` in at the node (``auth.session_start``: the node checks the password and counts
        a failure); every later command carries the session. The password travels on the encrypted
        channel only and is never written to the outbox. Returns the node's reply (the person, the
        session's expiry), or its refusal (``ok`` false, with ``reason`` and ``message``)."""
        reply = self.call(
            "auth.session_start", {"login": login, "password": password}, timeout=timeout, persist=False
        )
        if reply.get("ok"):
            self.session = {"login": reply["actor"]["login"], "token": reply["token"]}
        return reply

    def call(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        timeout: float = 10.0,
        persist: bool = True,
        command_id: str | None = None,
        session: dict[str, str] | None = None,
    ) -> Any:
        """Send one command and wait for its final reply; ``LinkRefused`` carries a refusal's reason,
        ``LinkError`` a node that did not answer within ``timeout``. The command carries this client's
        session once ``sign_in`` succeeded, or ``session`` when given (a gateway sending for several
        callers: an Open311 application's key, ``modes.common.app_keys``). ``command_id``: resend a
        command under its own id (the node applies an id once and answers a repeat with the stored
        reply)."""
        self.start()
        body = encode_call(name, args or {}, session=session if session is not None else self.session)
        command_id = self._client.submit(body, command_id, persist=persist)
        deadline = time.monotonic() + timeout
        with self._cond:
            while command_id not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LinkError(
                        f"no answer from {self.endpoint} to {name} within {timeout:g} s ({self._describe()})"
                    )
                self._cond.wait(left)
            reply = self._replies.pop(command_id)
        if reply.status != STATUS_OK:
            raise LinkRefused(reply.body.decode(errors="replace"), reply.status)
        return decode_result(reply.body)

    def _describe(self) -> str:
        link = self._client.link
        state = "link up" if link.up else "link down"
        return f"{state}; last error: {link.last_error}" if link.last_error else state

    def request(
        self, name: str, args: dict[str, Any] | None = None, *, timeout: float = 10.0, wait: float = 10.0
    ) -> Any:
        """``call``, and if a district node answered "queued", wait up to ``wait`` seconds for the
        centre's final answer. Returns the centre's result, or the district's queued reply (with
        ``"queued": true``) when the centre did not answer in time. Raises ``LinkRefused`` when the
        centre refused the command."""
        result = self.call(name, args, timeout=timeout)
        if not (isinstance(result, dict) and result.get("queued")) or wait <= 0:
            return result
        deadline = time.monotonic() + wait
        while True:
            status = self.call("query.result", {"forward_id": result["forward_id"]}, timeout=timeout)
            if status["state"] == "ok":
                return status["result"]
            if status["state"] in ("refused", "invalid", "expired"):
                raise LinkRefused(status.get("reason") or "refused by the centre", status["state"].upper())
            if time.monotonic() >= deadline:
                return {**result, "link": status.get("link")}
            time.sleep(0.05)

    def subscribe(
        self,
        subtree: str = "",
        *,
        on_update: Callable[[Entry], None] | None = None,
        on_synced: Callable[[SyncInfo], None] | None = None,
        on_link: Callable[[CloneLinkState], None] | None = None,
        replica=None,
    ) -> CloneClient:
        """Follow the node's state (or one subtree): a started ``CloneClient`` whose callbacks run in
        its agent thread (bodies are msgpack maps; ``modes.common.picture.unpack`` reads them)."""
        client = CloneClient(
            self.host,
            self.port,
            more=self.more,
            subtree=subtree,
            security=self.security,
            server=self.server,
            replica=replica,
            context=self.context,
            heartbeat=self.heartbeat,
            on_update=on_update,
            on_synced=on_synced,
            on_link=on_link,
        ).start()
        self._subscriptions.append(client)
        return client
