"""Orders the centre sends down as keys of the shared picture, and their acknowledgement by a district
node (docs/protocol.md section 7.10): what the alarm (``/alarm/``) and dispatch (``/task/``) keys of the
civil-defence and emergency modes have in common, so that each mode states only its own keys, events
and payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from comms.wire import Entry
from data import journal
from modes.common.clock import Clock
from modes.common.picture import EventRule, KeySource, register_event_rule, register_key_source


class OrderReceiver(Protocol):
    """A district node as the modes' order watchers see it (``nodes.district.DistrictNode``): the rules
    name what they need of the running node, and never import it."""

    district: str
    clock: Clock

    def watch(self, prefix: str, handler: Callable[[Any, list[Entry]], None]) -> None:
        """Call ``handler(node, entries)`` with the replicated entries under ``prefix``."""
        ...

    def queue_own(
        self,
        command: str,
        args: dict[str, Any],
        *,
        subject: str,
        also: Callable[[Any], None] | None = None,
    ) -> str | None:
        """Queue a command of the node's own for the centre, once per (command, subject)."""
        ...


def register_order_keys(source: KeySource, event_kinds: Iterable[str], rule: EventRule) -> None:
    """Put ``source``'s keys on the centre's picture, rebuilt whenever an event of ``event_kinds``
    touches one of its things (``rule`` says which)."""
    for kind in event_kinds:
        register_event_rule(kind, rule)
    register_key_source(source)


def acknowledge_order(
    node: OrderReceiver,
    entry: Entry,
    now: dt.datetime,
    *,
    event: str,
    subject: str,
    payload: dict[str, Any],
    command: str,
    args: dict[str, Any],
) -> None:
    """At a district node: record the order's receipt in the node's journal (``event`` on ``subject``)
    and queue ``command`` with ``args`` for the centre in the persisted outbox, in one transaction and
    once per key, so an order that arrives again (replay, snapshot, restart) is acknowledged only once."""

    def received(session) -> None:
        journal.append(
            session,
            journal.NewEvent(event, f"district:{node.district}", now, subject, payload, node.district),
        )

    node.queue_own(command, args, subject=entry.key, also=received)
