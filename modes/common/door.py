"""The one door for writes on a local database: a named command, applied by the command bus in one
transaction with its journal events, as the person the door authenticated.

The console on a database and the command line both write through a ``LocalDoor``; a console or CLI
attached to a node writes through the node's command channel instead, where the node's own door (the
same bus, ``command_bus.make_apply``) applies it. Either way the handler that runs is the bus's, so a
write has one implementation and one set of rules, and the caller never opens a write transaction.

The result is handed back exactly as a node would send it (through the wire encoding), so the caller
decodes one shape whichever door it used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from modes.common.actor import Actor
from modes.common.clock import Clock
from modes.common.command_bus import CommandBus, call_local, decode_result, encode_result


class LocalDoor:
    """Applies bus commands to a local database as one authenticated person."""

    def __init__(
        self,
        bus: CommandBus,
        session_factory: Callable[[], Session],
        clock: Clock,
        person: Actor,
        services: dict[str, Any] | None = None,
    ) -> None:
        self.bus = bus
        self.session_factory = session_factory
        self.clock = clock
        self.person = person
        # Per-door caches of the handlers (the router, the impact index), as a node keeps them.
        self.services = services if services is not None else {}

    def execute(self, name: str, args: dict[str, Any]) -> Any:
        """Run command ``name``; a refusal raises the rules' own error (an ``InputError`` or
        ``CommandRefused``) and nothing is written. The result has the shape a node would send."""
        result = call_local(
            self.bus, self.session_factory, self.clock, name, args, person=self.person, services=self.services
        )
        return decode_result(encode_result(result))
