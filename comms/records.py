"""The plain records the application shares with the links: who sent a message (``Peer``), a command as
the application's ``apply`` sees it (``Command``), and the refusal ``apply`` raises (``CommandRefused``).

No sockets and no ZeroMQ here, so that the rules (``modes/``) can take these types without importing the
transport; ``comms.keys`` and ``comms.commands`` use them from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Peer:
    """Who sent a message, as the ZAP handler authenticated it (``anonymous`` without CURVE)."""

    name: str
    role: str

    @property
    def role_kind(self) -> str:
        """``district`` for ``district:230102``."""
        return self.role.partition(":")[0]

    @property
    def role_scope(self) -> str | None:
        """``230102`` for ``district:230102``; None for an unscoped role such as ``centre``."""
        kind, sep, scope = self.role.partition(":")
        return scope if sep else None


@dataclass(frozen=True, slots=True)
class Command:
    """A command as the application's ``apply`` sees it."""

    id: str
    peer: Peer
    body: bytes


class CommandRefused(Exception):
    """Raised by ``apply`` to refuse a command for good (e.g. a district acting outside its district).

    The transaction is rolled back, the refusal is recorded like a reply and sent as ``REFUSED``.
    """
