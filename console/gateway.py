"""Where the console's writes go: the command bus on its own database, or the command channel of the node
it is attached to. Either way a write is one named command (``docs/protocol.md`` section 7.5 lists them)
run by the bus's handler, never a session the console opens itself:

    def switch_mode(self, target, reason):
        return self.gateway.write(
            "mode.switch", {"mode": Mode(target).value, "reason": reason},
            decode=lambda result: mode_switch_from_result(result, self.login),
        )

``LocalGateway`` hands the command to a ``LocalDoor`` (modes/common/door.py), which applies it in one
transaction as the logged-in person. ``RemoteGateway`` sends it to the node with the session the person signed in
with (``remote_authenticator``), resends it until the node answers, and passes the node's result to ``decode``; the console's replica changes only through what the
node replicates back. A district node answers at once with ``{"queued": true, "forward_id": ...,
"provisional": <its local result>}`` while it waits for the centre (``provisional_result`` unwraps it).
Both run in a worker, never on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from console.dto import Login
from data.db import SessionFactory
from data.errors import InputError
from data.models import OrderState
from modes.bus import city_bus
from modes.common.actor import Actor
from modes.common.changes import Changes
from modes.common.clock import Clock
from modes.common.door import LocalDoor
from modes.common.mode_switch import Mode, ModeSwitch
from modes.common.orders import OrderView
from nodes.client import LinkError, LinkRefused
from nodes.console_link import ConsoleLink

T = TypeVar("T")


class NodeRefused(InputError):
    """The node's rules refused the command; the message is the node's reason."""


class NodeNotAnswering(Exception):
    """No answer from the node in time. The command is not lost: the console keeps resending it while
    it runs, and its effect arrives through the replica when the node applies it."""


class WriteGateway(Protocol):
    remote: bool

    def write(
        self, command: str, args: dict[str, Any], *, decode: Callable[[Any], T], secret: bool = False
    ) -> T:
        """``secret``: the arguments hold a password (a second person's, deciding an order): never
        written to disk on the way."""
        ...


def person_of(login: Login) -> Actor:
    """The acting person of a login: the staff row's role, district and department."""
    return Actor.of(
        login.role,
        login.actor,
        department=login.department_code,
        district=login.district_code,
        login=login.actor,
    )


class LocalGateway:
    """Writes into the console's own database through the command bus, one transaction per write."""

    remote = False

    def __init__(self, session_factory: SessionFactory, clock: Clock, login: Login | None) -> None:
        self.session_factory, self.clock, self.login = session_factory, clock, login
        self._door: LocalDoor | None = None

    def write(
        self, command: str, args: dict[str, Any], *, decode: Callable[[Any], T], secret: bool = False
    ) -> T:
        # ``secret`` changes nothing here: the command goes from memory to the bus in this process.
        if self._door is None:
            if self.login is None or not self.login.role:
                raise InputError(f"{command}: nobody is logged in at this console")
            self._door = LocalDoor(city_bus(), self.session_factory, self.clock, person_of(self.login))
        return decode(self._door.execute(command, args))


class RemoteGateway:
    """Writes through the node's command channel, as the login."""

    remote = True

    def __init__(self, link: ConsoleLink, login: Login, *, timeout: float = 30.0) -> None:
        self.link = link
        self.login = login
        self.timeout = timeout

    def write(
        self, command: str, args: dict[str, Any], *, decode: Callable[[Any], T], secret: bool = False
    ) -> T:
        try:
            # The link carries the session the person signed in with: the node knows who this is. A
            # command holding a password stays out of the console's outbox file.
            result = self.link.call(command, args, timeout=self.timeout, persist=not secret)
        except LinkRefused as exc:
            raise NodeRefused(exc.reason) from None
        except LinkError as exc:
            raise NodeNotAnswering(
                f"{self.link.endpoint} has not answered {command} within {self.timeout:g} s; "
                f"it is resent until the node answers ({exc})"
            ) from None
        return decode(result)


def provisional_result(result: Any) -> tuple[Any, bool]:
    """(the result, queued?): through a district node, its provisional result while the centre has not
    answered yet."""
    if isinstance(result, dict) and result.get("queued"):
        return result.get("provisional"), True
    return result, False


def mode_switch_from_result(result: Any, login: Login) -> ModeSwitch:
    """The node's ``mode.switch`` result as the ``ModeSwitch`` the local service returns."""
    doc, _ = provisional_result(result)
    at = doc.get("at")
    when = dt.datetime.fromisoformat(at) if isinstance(at, str) else dt.datetime.now()
    seq = doc.get("journal_seq") if doc.get("switched") else None
    changes = Changes(mode=True, journal_seq=seq) if seq is not None else Changes()
    order = order_from_doc(doc["order"]) if doc.get("order") else None
    return ModeSwitch(
        Mode(doc["previous"]),
        Mode(doc["mode"]),
        login.actor,
        login.role,
        when,
        seq,
        changes,
        doc.get("reason") or "",
        order,
    )


def order_from_doc(doc: dict[str, Any]) -> OrderView:
    def when(text: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(text) if text else None

    return OrderView(
        doc["id"],
        doc["act"],
        dict(doc.get("args") or {}),
        doc.get("reason") or "",
        doc.get("what") or doc["act"],
        doc["requested_by"],
        doc["requested_role"],
        when(doc["requested_at"]),
        when(doc["expires_at"]),
        OrderState(doc["state"]),
        doc.get("decided_by"),
        when(doc.get("decided_at")),
        doc.get("result_seq"),
    )


@dataclass(frozen=True)
class OrderDecision:
    """The node's answer to a person confirming or refusing an order with their own password: ``ok``, or
    why not (``reason``: ``unknown``, ``no_password``, ``wrong_password``, ``locked``, ``same_person``,
    ``not_authorised``, ``decided``, ``expired``) with the node's own ``message``. ``login`` is the
    person the node authenticated, ``order`` the order as it stands after the answer."""

    ok: bool
    reason: str | None
    message: str
    login: str
    order: OrderView | None
    failures: int = 0
    locked_until: dt.datetime | None = None
    journal_seq: int | None = None


def order_decision_from_result(result: Any) -> OrderDecision:
    """The reply of ``order.confirm`` / ``order.refuse`` (docs/protocol.md section 7.5)."""
    doc, _ = provisional_result(result)
    until = doc.get("locked_until")
    return OrderDecision(
        ok=bool(doc.get("ok")),
        reason=None if doc.get("ok") else str(doc.get("reason") or "refused"),
        message=str(doc.get("message") or ""),
        login=str(doc.get("login") or ""),
        order=order_from_doc(doc["order"]) if doc.get("order") else None,
        failures=int(doc.get("failures") or 0),
        locked_until=dt.datetime.fromisoformat(until) if until else None,
        journal_seq=doc.get("journal_seq"),
    )
