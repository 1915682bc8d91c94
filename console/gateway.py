"""Where the console's writes go: its own database, or the command channel of the node it is attached to.

Every write the console makes is one service method, and each such method hands the gateway both ways
of doing it: the local way (a function of a session, calling the ``modes`` service that validates and
journals) and the remote way (a command name and its arguments, as ``docs/protocol.md`` section 7.5 lists
them, plus a function that turns the node's result into the same DTO). The gateway picks one:

    def switch_mode(self, target):
        return self.gateway.write(
            "mode.switch", {"mode": Mode(target).value, "reason": reason, "login": self.login.actor},
            local=lambda s: switch_mode(s, self.clock, self.actor(), target, reason),
            decode=lambda result: mode_switch_from_result(result, self.login),
        )

``LocalGateway`` runs ``local`` in a fresh transaction. ``RemoteGateway`` sends the command with the
login's role and actor (``as``, ``actor``, and the login's department and district, which the node uses to
confine the actor), resends it until the node answers, and passes the node's result to ``decode``. A
district node answers at once with ``{"queued": true, "forward_id": ..., "provisional": <its local
result>}`` while it waits for the centre (``provisional_result`` unwraps it). Both run in a worker, never
on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from console.dto import Login
from data.errors import InputError
from data.models import OrderState
from modes.common.changes import Changes
from modes.common.console_link import ConsoleLink
from modes.common.mode_switch import Mode, ModeSwitch
from modes.common.nodes import LinkError, LinkRefused
from modes.common.orders import OrderView

T = TypeVar("T")


class NodeRefused(InputError):
    """The node's rules refused the command; the message is the node's reason."""


class NodeNotAnswering(Exception):
    """No answer from the node in time. The command is not lost: the console keeps resending it while
    it runs, and its effect arrives through the replica when the node applies it."""


class WriteGateway(Protocol):
    remote: bool

    def write(
        self,
        command: str,
        args: dict[str, Any],
        *,
        local: Callable[[Session], T],
        decode: Callable[[Any], T],
    ) -> T: ...


class LocalGateway:
    """Writes into the console's own database, in one transaction per write."""

    remote = False

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory

    def write(
        self,
        command: str,
        args: dict[str, Any],
        *,
        local: Callable[[Session], T],
        decode: Callable[[Any], T],
    ) -> T:
        with self.session_factory() as s, s.begin():
            return local(s)


class RemoteGateway:
    """Writes through the node's command channel, as the login."""

    remote = True

    def __init__(self, link: ConsoleLink, login: Login, *, timeout: float = 30.0) -> None:
        self.link = link
        self.login = login
        self.timeout = timeout

    def actor_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"as": self.login.role, "actor": self.login.actor}
        if self.login.department_code:
            args["actor_department"] = self.login.department_code
        if self.login.district_code:
            args["actor_district"] = self.login.district_code
        return args

    def write(
        self,
        command: str,
        args: dict[str, Any],
        *,
        local: Callable[[Session], T],
        decode: Callable[[Any], T],
    ) -> T:
        try:
            result = self.link.call(command, {**args, **self.actor_args()}, timeout=self.timeout)
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
