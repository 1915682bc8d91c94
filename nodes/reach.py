"""Can this client use the node at an endpoint, and if not, why: one answer per endpoint, in words a
person can act on. ``comms.probe`` watches the handshake and sends one PING; this names what it saw
(the key refused, nothing listening, a standby node...) with the identity and key folder involved.

The command line asks before it sends anything; a caller with several endpoints asks for each."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import zmq

from comms.keys import Security
from comms.probe import ProbeResult, probe
from nodes.client import parse_endpoint


class Reach(enum.StrEnum):
    READY = "ready"  # the handshake succeeded and the node answered PONG: an active node
    KEY_REFUSED = "key_refused"  # the node's allow-list refused this client's key
    HANDSHAKE_FAILED = (
        "handshake_failed"  # keys that do not match (the wrong node key, CURVE on one side only)
    )
    NO_NODE = "no_node"  # nothing listens there, or nothing answered the handshake in time
    PASSIVE = "passive"  # the node answered PASSIVE: the standby of a failover pair
    NO_NODE_KEY = "no_node_key"  # the node's public key is not in this client's key folder


@dataclass(frozen=True, slots=True)
class Diagnosis:
    endpoint: str
    reach: Reach
    message: str  # what happened and what to do, naming the endpoint (empty when READY)

    @property
    def usable(self) -> bool:
        return self.reach == Reach.READY


def diagnose(
    endpoint: str,
    security: Security | None,
    *,
    server: str = "centre",
    key_folder: str | Path | None = None,
    timeout: float = 5.0,
    context: zmq.Context | None = None,
) -> Diagnosis:
    """Probe the command port (P+3) of the node at ``endpoint`` (``tcp://HOST:P``) once and say whether
    this client can use it. ``server`` names the node's key in ``security``'s folder, ``key_folder`` is
    that folder as the person gave it (named in the messages). ``ValueError`` for an endpoint that is
    not one."""
    host, port = parse_endpoint(endpoint)
    folder = str(key_folder) if key_folder is not None else "the key folder"
    if security is not None and server not in security.keyring:
        return Diagnosis(
            endpoint,
            Reach.NO_NODE_KEY,
            f"the node's public key {server!r} is not in {folder}: copy the node's {server}.key there "
            "(or name the node's key with --server)",
        )
    answer = probe(host, port + 3, security, server=server, timeout=timeout, context=context)
    who = security.me.name if security is not None else None
    if answer == ProbeResult.OK:
        return Diagnosis(endpoint, Reach.READY, "")
    if answer == ProbeResult.DENIED:
        mine = Path(folder) / f"{who}.key" if key_folder is not None else f"{who}.key"
        return Diagnosis(
            endpoint,
            Reach.KEY_REFUSED,
            f"the node at {endpoint} refused this client's key: identity {who!r} (key folder {folder}) "
            f"is not enrolled there. Hand {mine} (the public key, never the .key_secret) to the node's "
            "administrator to add to the node's key folder",
        )
    if answer == ProbeResult.FAILED:
        if security is None:
            text = (
                f"the node at {endpoint} refused a connection without CURVE: give this client its key "
                "folder (--keys DIR, --identity NAME)"
            )
        else:
            text = (
                f"the secure handshake with {endpoint} failed: is {server!r} in {folder} the key of the "
                "node running there (see --server), and does that node run with --keys?"
            )
        return Diagnosis(endpoint, Reach.HANDSHAKE_FAILED, text)
    if answer == ProbeResult.PASSIVE:
        return Diagnosis(
            endpoint,
            Reach.PASSIVE,
            f"the node at {endpoint} is passive (standby): it applies no commands until it takes over; "
            "use the active node of the pair",
        )
    return Diagnosis(
        endpoint,
        Reach.NO_NODE,
        f"no node listening at {endpoint}: nothing accepts connections on its command port {port + 3}, "
        f"or nothing answered within {timeout:g} s (is the node running, and is the endpoint its base "
        "port P?)",
    )
